/*
 * test_pic_alloc.c — the picture engine and allocation: pic_new failing at
 * every one of its allocations reports CAIRN_E_NOMEM, returns no engine and
 * leaks nothing (ASan); once built, reports and cycles allocate nothing
 * (every allocation is counted by the failing allocator's wrappers).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "base/error.h"
#include "decode/report.h"
#include "failalloc.h" /* fail_at, n_alloc, hit */
#include "picture/picture.h"

static const char sensors_ini[] = "[radar R]\nsac=1\nsic=2\nlat=54\nlon=18\nperiod_s=4\n"
                                  "[adsb RX]\nlat=54\nlon=18\n";

static void test_alloc_loop(void **state)
{
    (void)state;
    static struct pic_sensors s;
    char err[200];
    assert_int_equal(pic_sensors_parse(sensors_ini, sizeof sensors_ini - 1, &s, err, sizeof err),
                     0);
    struct pic_config c;
    pic_config_default(&c);
    c.sensors = &s;
    c.trk.max_tracks = 512;
    struct pic *p = NULL;
    long steps = 0;
    for (fail_at = 1;; fail_at++) {
        n_alloc = 0;
        hit = false;
        p = (struct pic *)1;
        int rc = pic_new(&c, &p);
        if (!hit) {
            assert_int_equal(rc, 0);
            break;
        }
        assert_int_equal(rc, CAIRN_E_NOMEM);
        assert_null(p);
        steps++;
    }
    fail_at = -1;
    printf("pic_new: %ld allocations, each failed once\n", steps);
    assert_true(steps >= 5);

    /* reports and cycles allocate nothing */
    long before = n_alloc;
    uint32_t rx = pic_sensors_first(&s, PIC_SENSOR_ADSB)->id;
    for (int t = 0; t < 120; t++) {
        int64_t now = 1400000000000LL + t * 1000LL;
        for (uint32_t a = 1; a <= 50; a++) {
            struct report r;
            memset(&r, 0, sizeof r);
            r.t_ms = now + a;
            r.sensor_id = a % 5 ? rx : (1u << 8 | 2u);
            r.kind = a % 5 ? REP_ADSB : REP_PSR;
            r.has = REP_HAS_POS | (a % 5 ? REP_HAS_ICAO | REP_HAS_CALLSIGN : 0);
            r.icao = a;
            strcpy(r.callsign, "TEST");
            r.lat_deg = 54.0 + a * 0.05;
            r.lon_deg = 18.0 + t * 0.002;
            (void)pic_report(p, &r, now + a);
        }
        assert_int_equal(pic_cycle(p, now + 999), 0);
    }
    assert_int_equal(n_alloc, before);
    assert_true(pic_stats(p)->meas > 5000);
    pic_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_alloc_loop)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
