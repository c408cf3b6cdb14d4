/*
 * fuzz_sensors.c — libFuzzer target for the sensors file
 * (pic_sensors_parse, picture/picture.h): any bytes are parsed; the result
 * is either an error with a message of printable ASCII that names a line,
 * or sensors whose every value is within its documented range, whose names
 * are well formed and whose ids are unique.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "picture/picture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct pic_sensors s;
    char err[256];
    int rc = pic_sensors_parse((const char *)data, size, &s, err, sizeof err);
    if (rc != 0) {
        if (strncmp(err, "line ", 5) != 0 || s.n != 0)
            abort();
        for (const char *p = err; *p; p++)
            if (*p < 0x20 || *p >= 0x7f)
                abort();
        return 0;
    }
    if (s.n > PIC_MAX_SENSORS)
        abort();
    for (size_t i = 0; i < s.n; i++) {
        const struct pic_sensor *c = &s.s[i];
        size_t n = strnlen(c->name, PIC_NAME_MAX);
        if (n == 0 || n >= PIC_NAME_MAX)
            abort();
        if (c->type < PIC_SENSOR_RADAR || c->type > PIC_SENSOR_AIS)
            abort();
        if (!(c->lat_deg >= -90 && c->lat_deg <= 90 && c->lon_deg >= -180 && c->lon_deg <= 180))
            abort();
        if (c->type == PIC_SENSOR_RADAR &&
            (!c->has_pos || !(c->period_s >= 0.5 && c->period_s <= 60) ||
             c->id != ((uint32_t)c->sac << 8 | c->sic) || !(c->range_sigma_m >= 1) ||
             !(c->azimuth_sigma_deg > 0) || !isfinite(c->assumed_alt_m)))
            abort();
        for (size_t j = 0; j < i; j++)
            if (s.s[j].id == c->id || !strcmp(s.s[j].name, c->name))
                abort();
        if (pic_sensors_find(&s, c->id) != c)
            abort();
    }
    return 0;
}
