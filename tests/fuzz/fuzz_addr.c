/*
 * fuzz_addr.c — libFuzzer target for addr_parse_spec (base/addr.h)
 * and the sensor configuration keys that carry text (feed/sensor.h).
 *
 * Input: one byte of flags (enum addr_flags), two bytes of default port,
 * then the string (cut at its first NUL). Checked: a refusal leaves *out
 * zeroed with a reason; an accepted numeric address formats back into a
 * string that parses to the same socket address; a name has no address
 * until resolved. The same string then goes through every sensor
 * configuration key and the whole-configuration check: no crash, no
 * over-read, refusals always with a reason.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/addr.h"
#include "base/error.h"
#include "feed/sensor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    unsigned flags = data[0] & (ADDR_NAME | ADDR_WILDCARD | ADDR_PORT_ZERO);
    uint16_t dflt = (uint16_t)(data[1] << 8 | data[2]);
    size_t n = size - 3;
    char *s = malloc(n + 1); /* exact size: ASan sees any over-read */
    if (!s)
        return 0;
    memcpy(s, data + 3, n);
    s[n] = '\0';

    struct addr_spec a;
    const char *why = NULL;
    int rc = addr_parse_spec(s, dflt, flags, &a, &why);
    if (rc != 0) {
        static const struct addr_spec zero;
        if (!why || memcmp(&a, &zero, sizeof a) != 0)
            abort();
    } else {
        if (why)
            abort();
        if (a.is_name) {
            if (a.a.len != 0 || !(flags & ADDR_NAME))
                abort();
        } else {
            if (a.a.len == 0)
                abort();
            char back[ADDR_TEXT_LEN];
            addr_format((struct sockaddr *)&a.a.ss, back, sizeof back);
            struct cairn_addr b; /* the printed form reads back the same (addr_parse) */
            if (addr_parse(back, &b) != 0 || b.len != a.a.len || memcmp(&b.ss, &a.a.ss, b.len) != 0)
                abort();
        }
    }

    static const char *const keys[] = {
        "format",
        "connect",
        "listen",
        "udp",
        "file",
        "device",
        "interface",
        "id",
        "lat",
        "lon",
        "retry_min_ms",
        "retry_max_ms",
        "max_retries",
        "connect_timeout_ms",
        "idle_timeout_ms",
        "max_clients",
        "read_buffer",
        "max_datagram",
        "gain",
        "ppm",
        "iq_rate",
        "iq_format",
        "iq_fast",
    };
    struct sensor_config c;
    sensor_config_init(&c);
    strcpy(c.name, "fuzz");
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        why = NULL;
        rc = sensor_config_set(&c, keys[i], s, &why);
        if (rc != 0 && !why)
            abort();
    }
    why = NULL;
    if (sensor_config_check(&c, &why) != 0 && !why)
        abort();
    free(s);
    return 0;
}
