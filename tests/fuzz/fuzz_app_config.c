/*
 * fuzz_app_config.c — libFuzzer target for the centre's configuration
 * (app_config_parse, app/config.h): any bytes are parsed; the result is an
 * error whose message holds no control byte, or a configuration whose
 * counts are within their caps, with a listen address and an accounts file.
 * Inputs naming a sensors file are skipped (that would read a file).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct app_config c;
    static char text[APP_CONFIG_MAX + 1];
    if (size > APP_CONFIG_MAX)
        return 0;
    memcpy(text, data, size);
    text[size] = 0;
    if (strstr(text, "sensors"))
        return 0;
    char err[512];
    int rc = app_config_parse((const char *)data, size, "/etc/cairn", "f.ini", &c, err, sizeof err);
    if (rc != 0) {
        if (strncmp(err, "f.ini", 5) != 0)
            abort();
        for (const char *p = err; *p; p++)
            if ((unsigned char)*p < 0x20 || *p == 0x7f)
                abort();
        return 0;
    }
    if (c.n_listen == 0 || c.n_listen > WEB_MAX_LISTEN || c.n_allow > WEB_MAX_ALLOW ||
        c.n_replay > APP_MAX_REPLAYS || !c.accounts[0] || c.sensors.n > PIC_MAX_SENSORS)
        abort();
    if (c.cycle_ms < APP_CYCLE_MIN || c.cycle_ms > APP_CYCLE_MAX)
        abort();
    for (size_t i = 0; i < c.n_replay; i++)
        if (!c.replay[i].input[0] || !(c.replay[i].speed >= 0.01 && c.replay[i].speed <= 1000))
            abort();
    return 0;
}
