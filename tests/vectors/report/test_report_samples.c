/*
 * test_report_samples.c — struct report from the ASTERIX samples in
 * ../shared/data/asterix (skipped when absent). Expected values are the
 * reference decoder's (generated-croatia-asterix-HEAD, one .jsonh.txt per sample) in
 * report units; positions of radar plots are checked against geo directly,
 * through a radar site this test states (the samples do not say where
 * their radars are: SAC 25 / SIC 201 is put at 45.74 N 16.07 E, 200 m).
 *
 *  - cat048.raw: one Mode S roll-call plot (DLH65A);
 *  - cat_034_048.pcap: 100 datagrams, each dated by its packet time: 34
 *    scan events, 126 plots (TYP 5, 7 and 3; the 2 TYP 0 records dropped),
 *    every plot dated within 10 s of its packet, every position within
 *    the radar's 256 NM;
 *  - cat062cat065.raw, asterix4py/cat062.ast, jasterix cat062ed1.12.bin:
 *    system tracks with status and accuracy (I062/500);
 *  - jasterix cat021ed2.1.bin, cat21_re.ast: ADS-B reports;
 *  - jasterix cat001ed1.1.bin: a CAT001 SSR plot with a truncated time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/asterix/report.h"
#include "feed/pcap.h"
#include "refload.h"

#define assert_near(a, b, eps) near_((a), (b), (eps), #a, __FILE__, __LINE__)
static void near_(double a, double b, double eps, const char *what, const char *file, int line)
{
    if (!(fabs(a - b) <= eps)) {
        print_error("%s = %.12g, want %.12g +- %.3g\n", what, a, b, eps);
        _fail(file, line);
    }
}

#define DEC4_MS 1796342400000LL /* 2026-12-04 00:00:00 UTC */

static struct ax_sensor sensors[1];

static int setup(void **state)
{
    (void)state;
    memset(sensors, 0, sizeof sensors);
    sensors[0].sac = 25;
    sensors[0].sic = 201;
    sensors[0].id = 1;
    sensors[0].has_site = 1;
    struct geo_llh s = {45.74, 16.07, 200.0};
    geo_frame_init(&sensors[0].site, &s);
    sensors[0].has_assumed_h = 1;
    sensors[0].assumed_h_m = 1500.0;
    return 0;
}

/* Reports of every record of a sample file, dated from DEC4_MS. */
static size_t reports_of(const char *rel, struct report *out, size_t cap, struct ax_report_ctx *c,
                         const char *edition)
{
    struct sample s;
    assert_int_equal(sample_load(td_path(rel), &s), 0);
    struct ax_editions eds;
    ax_editions_init(&eds);
    if (edition)
        assert_int_equal(ax_editions_set(&eds, edition), 0);
    struct ax_stats st;
    memset(&st, 0, sizeof st);
    struct ax_record *recs;
    size_t n = sample_decode(&s, &eds, &recs, &st), k = 0;
    for (size_t i = 0; i < n && k < cap; i++) {
        struct ax_scan_event ev;
        if (ax_record_report(c, &recs[i], &out[k], &ev) == AX_OUT_REPORT)
            k++;
    }
    free(recs);
    free(s.buf);
    return k;
}

static void test_cat048_raw(void **state)
{
    (void)state;
    TD_REQUIRE("asterix/croatiacontrol/sample_data/cat048.raw");
    struct ax_report_ctx c;
    ax_report_init(&c, sensors, 1);
    ax_report_set_date(&c, DEC4_MS);
    struct report r[4];
    assert_int_equal(reports_of("asterix/croatiacontrol/sample_data/cat048.raw", r, 4, &c, NULL),
                     1);
    assert_int_equal(r[0].kind, REP_SSR);
    assert_int_equal(r[0].plot_type, PLOT_MODES_ROLLCALL);
    assert_int_equal(r[0].sensor_id, 1);
    assert_true(r[0].t_ms == DEC4_MS + 27354602); /* ToD 27354.6015625 s */
    assert_int_equal(r[0].icao, 0x3C660C);
    assert_int_equal(r[0].squawk, 01000);
    assert_int_equal(r[0].alt_baro_ft, 33000);
    assert_string_equal(r[0].callsign, "DLH65A");
    assert_int_equal(r[0].track_no, 3563);
    assert_near(r[0].gs_kt, 434.3994141, 1e-3);
    assert_near(r[0].track_deg, 124.0026855, 1e-4);
    assert_near(r[0].slant_range_m, 197.6835938 * 1852.0, 1e-3);
    assert_near(r[0].azimuth_deg, 340.1367188, 1e-4);
    struct geo_llh want;
    assert_int_equal(geo_radar_plot(&sensors[0].site, 197.6835938 * 1852.0, 340.1367188,
                                    33000 * 0.3048, &want, NULL),
                     0);
    assert_true(r[0].has & REP_HAS_POS);
    assert_true(geo_distance_m(r[0].lat_deg, r[0].lon_deg, want.lat_deg, want.lon_deg) < 0.1);
}

static void test_cat034_048_pcap(void **state)
{
    (void)state;
    const char *rel = "asterix/croatiacontrol/sample_data/cat_034_048.pcap";
    TD_REQUIRE(rel);
    struct feed_pcap *f;
    char err[256];
    assert_int_equal(feed_pcap_open(&f, td_path(rel), err, sizeof err), 0);
    struct ax_report_ctx c;
    ax_report_init(&c, sensors, 1);
    static struct ax_record rec;
    struct pcap_udp u;
    size_t by_typ[8] = {0}, n_rep = 0, n_scan = 0, n_north = 0, n_pos = 0, n_polar = 0, n_site = 0;
    int64_t worst_dt = 0;
    double worst_ground = 0;
    while (feed_pcap_next(f, &u) == 1) {
        c.ref_utc_ms = (int64_t)(u.t_us / 1000); /* each datagram dated by its packet */
        size_t off = 0;
        struct ax_block b;
        struct ax_error e;
        while (ax_block_next(u.payload, u.len, &off, &b, &e, NULL) == 1) {
            if (ax_block_open(&b, NULL, &e, NULL) < 0)
                continue;
            while (ax_block_record(&b, &rec, &e, NULL) == 1) {
                struct report r;
                struct ax_scan_event ev;
                int out = ax_record_report(&c, &rec, &r, &ev);
                int64_t t = out == AX_OUT_REPORT ? r.t_ms : out == AX_OUT_SCAN ? ev.t_ms : 0;
                if (t) {
                    int64_t dt = llabs(t - (int64_t)(u.t_us / 1000));
                    if (dt > worst_dt)
                        worst_dt = dt;
                }
                if (out == AX_OUT_SCAN) {
                    n_scan++;
                    n_north += ev.type == AX_SCAN_NORTH;
                }
                if (out != AX_OUT_REPORT)
                    continue;
                n_rep++;
                by_typ[r.plot_type & 7]++;
                n_polar += (r.has & REP_HAS_POLAR) != 0;
                n_site += r.sensor_id == 1;
                if (r.has & REP_HAS_POS) {
                    n_pos++;
                    double g = geo_distance_m(45.74, 16.07, r.lat_deg, r.lon_deg);
                    if (g > worst_ground)
                        worst_ground = g;
                    assert_true(g <= r.slant_range_m);
                }
            }
        }
    }
    feed_pcap_close(f);
    print_message("reports %zu (TYP5 %zu, TYP7 %zu, TYP3 %zu), scans %zu (north %zu), "
                  "from the radar with a site %zu, with position %zu, worst |t - packet| %lld ms, "
                  "farthest %.0f m\n",
                  n_rep, by_typ[5], by_typ[7], by_typ[3], n_scan, n_north, n_site, n_pos,
                  (long long)worst_dt, worst_ground);
    assert_int_equal(n_scan, 34);
    assert_int_equal(by_typ[PLOT_MODES_ROLLCALL], 76);
    assert_int_equal(by_typ[PLOT_MODES_ROLLCALL_PSR], 48);
    assert_int_equal(by_typ[PLOT_SSR_PSR], 2);
    assert_int_equal(n_rep, 126);
    assert_int_equal(c.st.no_detection, 2);
    assert_true(worst_dt < 10000);
    assert_true(worst_ground < 256 * 1852.0);
    assert_int_equal(n_polar, n_rep);
    /* every plot of the radar with a site is placed (Mode C or the
     * assumed height); the other radar's plots keep their polar values */
    assert_int_equal(n_pos, n_site);
    assert_true(n_site > 0 && n_site < n_rep);
}

static void test_cat062(void **state)
{
    (void)state;
    TD_REQUIRE("asterix/croatiacontrol/sample_data/cat062cat065.raw");
    struct ax_report_ctx c;
    ax_report_init(&c, NULL, 0);
    ax_report_set_date(&c, DEC4_MS);
    struct report r[8];
    assert_int_equal(
        reports_of("asterix/croatiacontrol/sample_data/cat062cat065.raw", r, 8, &c, NULL), 2);
    assert_int_equal(c.st.skipped, 1); /* the CAT065 record */
    assert_int_equal(r[0].kind, REP_SYSTRACK);
    assert_int_equal(r[0].sensor_id, 25u << 8 | 100u);
    assert_true(r[0].t_ms == DEC4_MS + 30911664); /* ToT 30911.6640625 s */
    assert_near(r[0].lat_deg, 44.7344130, 1e-7);
    assert_near(r[0].lon_deg, 13.0415279, 1e-7);
    assert_int_equal(r[0].squawk, 04276);
    assert_int_equal(r[0].track_no, 4980);
    assert_int_equal(r[0].alt_baro_ft, 15700);
    assert_near(r[0].vrate_fpm, -443.75, 1e-3);
    assert_near(r[0].gs_kt, hypot(-51.25, 170.0) * 3600 / 1852, 1e-3);
    /* I080: confirmed, not coasting, MDS and ADS ages stale, PSR and SSR fresh */
    assert_true(r[0].has & REP_HAS_TRK_STATUS);
    assert_int_equal(r[0].trk_status, TRK_SOURCES_KNOWN | TRK_SRC_PSR | TRK_SRC_SSR);

    /* jasterix's CAT062 1.12 sample carries I062/500: APC sigma (40, 63) m
     * gives a 95 % radius of 2.4477 * 63 m; ATV sigma (2.75, 4.75) m/s */
    TD_REQUIRE("asterix/jasterix/cat062ed1.12.bin");
    assert_int_equal(reports_of("asterix/jasterix/cat062ed1.12.bin", r, 8, &c, NULL), 1);
    assert_true(r[0].t_ms == DEC4_MS + 33502500);
    assert_near(r[0].lat_deg, 45.4652238, 1e-7);
    assert_near(r[0].lon_deg, 17.3324990, 1e-7);
    assert_int_equal(r[0].track_no, 5086);
    assert_true(r[0].has & REP_HAS_POS_ACC);
    assert_near(r[0].pos_acc_m, 2.4477 * 63.0, 0.01);
    assert_true(r[0].has & REP_HAS_VEL_ACC);
    assert_near(r[0].vel_sigma_mps, 4.75, 1e-6);

    TD_REQUIRE("asterix/asterix4py/cat062.ast");
    assert_int_equal(reports_of("asterix/asterix4py/cat062.ast", r, 8, &c, NULL), 7);
    assert_int_equal(r[0].icao, 0x406EC8);
    assert_string_equal(r[0].callsign, "BCS4907");
    assert_near(r[0].lat_deg, 49.2802852, 1e-7);
    assert_near(r[0].lon_deg, 6.4954412, 1e-7);
    assert_int_equal(r[0].track_no, 7733);
    assert_int_equal(r[0].squawk, 01000);
    for (size_t i = 0; i < 7; i++) {
        assert_true(r[i].has & REP_HAS_POS);
        assert_true(r[i].has & REP_HAS_TRK_STATUS);
        assert_near(r[i].lat_deg, 49.3, 1.5);
    }
}

static void test_cat021(void **state)
{
    (void)state;
    TD_REQUIRE("asterix/jasterix/cat021ed2.1.bin");
    struct ax_report_ctx c;
    ax_report_init(&c, NULL, 0);
    ax_report_set_date(&c, DEC4_MS);
    struct report r[4];
    assert_int_equal(reports_of("asterix/jasterix/cat021ed2.1.bin", r, 4, &c, NULL), 1);
    assert_int_equal(r[0].kind, REP_ADSB);
    assert_int_equal(r[0].sensor_kind, SENSOR_ADSB_GS);
    assert_true(r[0].t_ms == DEC4_MS + 33502883); /* I073 33502.8828125 s */
    assert_int_equal(r[0].icao, 0x1A4B65);
    assert_near(r[0].lat_deg, 46.8442011, 1e-6);
    assert_near(r[0].lon_deg, 12.2985291, 1e-6);
    assert_int_equal(r[0].track_no, 1375);
    assert_int_equal(r[0].alt_geom_ft, 34750);
    assert_int_equal(r[0].alt_baro_ft, 35000);
    assert_int_equal(r[0].squawk, 07106);
    assert_string_equal(r[0].callsign, "EZS14ZH");
    assert_int_equal(r[0].emergency, EMERG_NONE);
    /* I090 carries NIC (7) but no NACp extension: no accuracy claimed */
    assert_false(r[0].has & REP_HAS_POS_ACC);

    TD_REQUIRE("asterix/croatiacontrol/sample_data/cat21_re.ast");
    size_t n = reports_of("asterix/croatiacontrol/sample_data/cat21_re.ast", r, 4, &c, NULL);
    assert_true(n >= 1);
    assert_near(r[0].lat_deg, 61.4753294, 1e-6);
    assert_near(r[0].lon_deg, -7.8786993, 1e-6);
    assert_int_equal(r[0].icao, 0x000001);
    assert_true(r[0].has & REP_HAS_GROUND);
    assert_int_equal(r[0].on_ground, 1);
}

static void test_cat001(void **state)
{
    (void)state;
    TD_REQUIRE("asterix/jasterix/cat001ed1.1.bin");
    struct ax_report_ctx c;
    ax_report_init(&c, NULL, 0);
    /* a reference 100 s after the record's 512-s slot start */
    c.ref_utc_ms = DEC4_MS + 3600000 + 100000;
    struct report r[4];
    assert_int_equal(reports_of("asterix/jasterix/cat001ed1.1.bin", r, 4, &c, NULL), 1);
    assert_int_equal(r[0].kind, REP_SSR);
    assert_int_equal(r[0].plot_type, PLOT_SSR);
    assert_int_equal(r[0].squawk, 05543);
    assert_int_equal(r[0].alt_baro_ft, 38000);
    assert_near(r[0].slant_range_m, 127.4375 * 1852.0, 1e-6);
    assert_near(r[0].azimuth_deg, 256.6186523, 1e-4);
    /* I141 221.4296875 s: the time congruent to it mod 512 s nearest the
     * reference (3700 s of the day: 3700 mod 512 = 116, so 3700 + 105.43) */
    assert_true(r[0].t_ms == DEC4_MS + 3805430);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_cat048_raw, setup),
        cmocka_unit_test_setup(test_cat034_048_pcap, setup),
        cmocka_unit_test(test_cat062),
        cmocka_unit_test(test_cat021),
        cmocka_unit_test(test_cat001),
    };
    return td_exit(cmocka_run_group_tests(tests, NULL, NULL));
}
