/*
 * test_report.c — struct report from every decoder: the dating of ASTERIX
 * times of day (midnight roll-over both ways, a date only, the truncated
 * CAT001 time), CAT048 primary-only and Mode S plots placed through a
 * radar site (with the line of sight's azimuth at the plot), CAT062 track
 * status and accuracy, CAT034 scan events (all from records cairn's typed
 * encoder writes, so every expected value is known), a CAT021 ADS-B report
 * built by hand with its NACp accuracy, Mode S reports anchored to UTC with
 * a NACp accuracy, and AIS static data (ship type, dimensions) and
 * navigational status.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/error.h"
#include "decode/ais/ais.h"
#include "decode/asterix/report.h"
#include "decode/asterix/typed.h"
#include "decode/modes/modes.h"

#define assert_near(a, b, eps) near_((a), (b), (eps), #a, __FILE__, __LINE__)
static void near_(double a, double b, double eps, const char *what, const char *file, int line)
{
    if (!(fabs(a - b) <= eps)) {
        print_error("%s = %.12g, want %.12g +- %.3g\n", what, a, b, eps);
        _fail(file, line);
    }
}

#define DEC4_MS 1796342400000LL /* 2026-12-04 00:00:00 UTC */
#define DAY_MS  86400000LL

/* ------------------------------------------------------------ dating */

static void test_tod_dating(void **state)
{
    (void)state;
    /* a time of day just before midnight, packet just after: the day before */
    assert_int_equal(ax_tod_to_utc_ms(86399.9, DEC4_MS + 1000), DEC4_MS - 100);
    /* just after midnight, packet just before: the next day */
    assert_int_equal(ax_tod_to_utc_ms(0.5, DEC4_MS - 1000), DEC4_MS + 500);
    /* the same day otherwise */
    assert_int_equal(ax_tod_to_utc_ms(43200.25, DEC4_MS + 43000000), DEC4_MS + 43200250);
    assert_int_equal(ax_tod_to_utc_ms(100.0, DEC4_MS + 200000), DEC4_MS + 100000);
    /* 1/128 s resolution survives: 1/128 s = 7.8125 ms, rounded to 8 */
    assert_int_equal(ax_tod_to_utc_ms(1.0 / 128, DEC4_MS), DEC4_MS + 8);

    /* a date only: the reference starts at noon and follows the records,
     * so a recording through midnight moves to the next day */
    struct ax_report_ctx c;
    ax_report_init(&c, NULL, 0);
    ax_report_set_date(&c, DEC4_MS + 5 * 3600000LL); /* any time on that day */
    assert_int_equal(c.ref_utc_ms, DEC4_MS + DAY_MS / 2);
    struct ax48_report in;
    memset(&in, 0, sizeof in);
    in.sac = 1;
    in.sic = 2;
    in.typ = AX48_TYP_SSR;
    in.has_mode3a = 1;
    in.mode3a = 01234;
    const double tods[] = {86390.0, 86399.0, 3.0, 10.0};
    const int64_t want[] = {DEC4_MS + 86390000, DEC4_MS + 86399000, DEC4_MS + DAY_MS + 3000,
                            DEC4_MS + DAY_MS + 10000};
    const struct ax_category *cat = ax_category_find(48, 0);
    for (size_t i = 0; i < 4; i++) {
        in.tod_s = tods[i];
        uint8_t buf[AX_TYPED_MAX_RECORD];
        int n = ax48_encode(&in, buf, sizeof buf);
        assert_true(n > 0);
        struct ax_record r;
        struct ax_error e;
        assert_int_equal(ax_record_decode(cat, buf, (size_t)n, &r, &e), n);
        struct report rep;
        struct ax_scan_event ev;
        assert_int_equal(ax_record_report(&c, &r, &rep, &ev), AX_OUT_REPORT);
        assert_true(rep.t_ms == want[i]);
    }

    /* a recording that starts just after midnight of the date */
    ax_report_set_date(&c, DEC4_MS);
    assert_int_equal(ax_tod_to_utc_ms(5.0, c.ref_utc_ms), DEC4_MS + 5000);

    /* CAT001's truncated time: 16 bits of 1/128 s, 512 s period */
    int64_t ref = DEC4_MS + 1000000; /* 1000 s after midnight */
    assert_true(ax_ttod_to_utc_ms(fmod(1003.0, 512.0), ref) == ref + 3000);
    assert_true(ax_ttod_to_utc_ms(fmod(997.0, 512.0), ref) == ref - 3000);

    /* no reference: nothing dated, the record is dropped and counted */
    ax_report_init(&c, NULL, 0);
    in.tod_s = 5.0;
    uint8_t buf[AX_TYPED_MAX_RECORD];
    int n = ax48_encode(&in, buf, sizeof buf);
    struct ax_record r;
    struct ax_error e;
    assert_int_equal(ax_record_decode(cat, buf, (size_t)n, &r, &e), n);
    struct report rep;
    struct ax_scan_event ev;
    assert_int_equal(ax_record_report(&c, &r, &rep, &ev), AX_OUT_NONE);
    assert_int_equal(c.st.no_time, 1);
    /* a reference no capture can honestly have (a hostile pcap time) */
    c.ref_utc_ms = INT64_MAX;
    assert_int_equal(ax_record_report(&c, &r, &rep, &ev), AX_OUT_NONE);
    c.ref_utc_ms = INT64_MIN;
    assert_int_equal(ax_record_report(&c, &r, &rep, &ev), AX_OUT_NONE);
    assert_int_equal(c.st.no_time, 3);
}

/* ------------------------------------------------------------ CAT048 */

static struct ax_sensor radar;

static int setup_radar(void **state)
{
    (void)state;
    memset(&radar, 0, sizeof radar);
    radar.sac = 25;
    radar.sic = 201;
    radar.id = 7;
    radar.has_site = 1;
    struct geo_llh s = {50.9, 4.45, 80.0};
    geo_frame_init(&radar.site, &s);
    radar.range_sigma_m = 70.0f;
    radar.azimuth_sigma_deg = 0.08f;
    radar.has_assumed_h = 1;
    radar.assumed_h_m = 1000.0;
    return 0;
}

static int report48(const struct ax48_report *in, struct ax_report_ctx *c, struct report *rep)
{
    uint8_t buf[AX_TYPED_MAX_RECORD];
    int n = ax48_encode(in, buf, sizeof buf);
    assert_true(n > 0);
    struct ax_record r;
    struct ax_error e;
    assert_int_equal(ax_record_decode(ax_category_find(48, 0), buf, (size_t)n, &r, &e), n);
    struct ax_scan_event ev;
    return ax_record_report(c, &r, rep, &ev);
}

static double q_theta(double deg)
{
    double lsb = 360.0 / 65536.0;
    return round(deg / lsb) * lsb;
}

static void test_cat048_psr_only(void **state)
{
    (void)state;
    struct ax_report_ctx c;
    ax_report_init(&c, &radar, 1);
    c.ref_utc_ms = DEC4_MS + 1000; /* the packet came at 00:00:01 */
    struct ax48_report in;
    memset(&in, 0, sizeof in);
    in.sac = 25;
    in.sic = 201;
    in.tod_s = 86399.5; /* the plot at 23:59:59.5 the day before */
    in.typ = AX48_TYP_PSR;
    in.has_polar = 1;
    in.rho_nm = 40.0;
    in.theta_deg = 123.0;
    struct report rep;
    assert_int_equal(report48(&in, &c, &rep), AX_OUT_REPORT);
    assert_true(rep.t_ms == DEC4_MS - 500);
    assert_int_equal(rep.kind, REP_PSR);
    assert_int_equal(rep.sensor_kind, SENSOR_RADAR);
    assert_int_equal(rep.sensor_id, 7);
    assert_int_equal(rep.plot_type, PLOT_PSR);
    assert_true(rep.has & REP_HAS_PLOT_TYPE);
    assert_false(rep.has & (REP_HAS_ICAO | REP_HAS_SQUAWK | REP_HAS_ALT_BARO));
    assert_true(rep.has & REP_HAS_POLAR);
    assert_near(rep.slant_range_m, 40.0 * 1852.0, 1e-9);
    assert_near(rep.azimuth_deg, q_theta(123.0), 1e-4);
    /* placed at the height the caller assumed for primary-only plots */
    struct geo_llh want;
    assert_int_equal(
        geo_radar_plot(&radar.site, 40.0 * 1852.0, q_theta(123.0), 1000.0, &want, NULL), 0);
    assert_true(rep.has & REP_HAS_POS);
    assert_true(geo_distance_m(rep.lat_deg, rep.lon_deg, want.lat_deg, want.lon_deg) < 0.05);
    /* accuracy: range 70 m, cross-range 74080 m * 0.08 deg = 103.4 m, so
     * the 95 % radius is 2.4477 * 103.4 m */
    assert_true(rep.has & REP_HAS_POLAR_ACC);
    assert_true(rep.has & REP_HAS_POS_ACC);
    assert_near(rep.pos_acc_m, 2.4477 * 74080.0 * 0.08 * M_PI / 180.0, 0.1);
    /* the line of sight arrives at the plot turned by the convergence of
     * the meridians, about dlon sin(mean lat) (0.7 deg here); the measured
     * azimuth is kept as it was */
    assert_true(rep.has & REP_HAS_LOS_AZ);
    double conv = (rep.lon_deg - 4.45) * sin(0.5 * (rep.lat_deg + 50.9) * M_PI / 180.0);
    assert_true(conv > 0.6);
    assert_near(rep.los_azimuth_deg, q_theta(123.0) + conv, 0.01);

    /* without an assumed height the plot keeps its measurement, no position */
    struct ax_sensor r2 = radar;
    r2.has_assumed_h = 0;
    ax_report_init(&c, &r2, 1);
    c.ref_utc_ms = DEC4_MS;
    assert_int_equal(report48(&in, &c, &rep), AX_OUT_REPORT);
    assert_true(rep.has & REP_HAS_POLAR);
    assert_false(rep.has & (REP_HAS_POS | REP_HAS_LOS_AZ));
    assert_int_equal(c.st.no_height, 1);
    /* an unknown radar: sensor id from SAC/SIC, no site */
    ax_report_init(&c, NULL, 0);
    c.ref_utc_ms = DEC4_MS;
    assert_int_equal(report48(&in, &c, &rep), AX_OUT_REPORT);
    assert_int_equal(rep.sensor_id, 25u << 8 | 201u);
    assert_false(rep.has & REP_HAS_POS);
    assert_int_equal(c.st.unknown_sensor, 1);
    assert_int_equal(c.st.no_site, 1);
    /* TYP 0, no detection: dropped */
    in.typ = AX48_TYP_NONE;
    assert_int_equal(report48(&in, &c, &rep), AX_OUT_NONE);
    assert_int_equal(c.st.no_detection, 1);
}

static void test_cat048_modes(void **state)
{
    (void)state;
    struct ax_report_ctx c;
    ax_report_init(&c, &radar, 1);
    c.ref_utc_ms = DEC4_MS + 3600000;
    struct ax48_report in;
    memset(&in, 0, sizeof in);
    in.sac = 25;
    in.sic = 201;
    in.tod_s = 3600.25;
    in.typ = AX48_TYP_MODES_ROLLCALL_PSR;
    in.has_polar = 1;
    in.rho_nm = 100.0;
    in.theta_deg = 270.0;
    in.has_mode3a = 1;
    in.mode3a = 07700;
    in.has_fl = 1;
    in.alt_fl = 350.0;
    in.has_address = 1;
    in.icao24 = 0x4CA2B1;
    in.has_callsign = 1;
    strcpy(in.callsign, "RYR174C");
    in.has_track_number = 1;
    in.track_number = 1234;
    in.has_velocity = 1;
    in.gs_kt = 450.0;
    in.hdg_deg = 90.0;
    struct report rep;
    assert_int_equal(report48(&in, &c, &rep), AX_OUT_REPORT);
    assert_true(rep.t_ms == DEC4_MS + 3600250);
    assert_int_equal(rep.kind, REP_SSR);
    assert_int_equal(rep.plot_type, PLOT_MODES_ROLLCALL_PSR);
    assert_int_equal(rep.icao, 0x4CA2B1);
    assert_int_equal(rep.squawk, 07700);
    assert_string_equal(rep.callsign, "RYR174C");
    assert_int_equal(rep.alt_baro_ft, 35000);
    assert_int_equal(rep.track_no, 1234);
    assert_near(rep.gs_kt, 450.0, 0.25);
    assert_near(rep.track_deg, 90.0, 0.01);
    const uint32_t want_has = REP_HAS_ICAO | REP_HAS_SQUAWK | REP_HAS_CALLSIGN | REP_HAS_TRACKNO |
                              REP_HAS_POS | REP_HAS_ALT_BARO | REP_HAS_GS | REP_HAS_TRACK |
                              REP_HAS_POLAR | REP_HAS_PLOT_TYPE;
    assert_true((rep.has & want_has) == want_has);
    /* placed with the Mode C height: FL350 = 10668 m */
    struct geo_llh want;
    assert_int_equal(geo_radar_plot(&radar.site, 185200.0, 270.0, 10668.0, &want, NULL), 0);
    assert_true(geo_distance_m(rep.lat_deg, rep.lon_deg, want.lat_deg, want.lon_deg) < 0.05);
    /* and not where the flat-earth projection of the slant range would be */
    double la, lo;
    geo_direct(50.9, 4.45, 270.0, 185200.0, &la, &lo, NULL);
    assert_true(geo_distance_m(rep.lat_deg, rep.lon_deg, la, lo) > 300.0);

    /* only the Cartesian I042 (a ground-plane offset from the site): 30 NM
     * east, 40 NM north is 50 NM along azimuth atan2(3, 4) */
    in.has_polar = 0;
    in.has_xy = 1;
    in.x_nm = 30.0;
    in.y_nm = 40.0;
    assert_int_equal(report48(&in, &c, &rep), AX_OUT_REPORT);
    assert_false(rep.has & REP_HAS_POLAR);
    assert_true(rep.has & REP_HAS_POS);
    geo_direct(50.9, 4.45, atan2(3.0, 4.0) * 180.0 / M_PI, 50.0 * 1852.0, &la, &lo, NULL);
    assert_true(geo_distance_m(rep.lat_deg, rep.lon_deg, la, lo) < 0.01);
}

/* ------------------------------------------------------------ CAT062 */

static void test_cat062(void **state)
{
    (void)state;
    struct ax62_track t;
    memset(&t, 0, sizeof t);
    t.sac = 25;
    t.sic = 100;
    t.tot_s = 45296.5; /* 12:34:56.5 */
    t.has_wgs84 = 1;
    t.lat_deg = 45.5;
    t.lon_deg = 16.25;
    t.has_velocity = 1;
    t.vx_mps = 100.0;
    t.vy_mps = -100.0;
    t.has_mode3a = 1;
    t.mode3a = 02000;
    t.has_callsign = 1;
    strcpy(t.callsign, "DLH65A");
    t.has_icao24 = 1;
    t.icao24 = 0x3C6586;
    t.track_number = 4321;
    t.tentative = 1;
    t.coasting = 1;
    t.ssr_stale = 1;
    t.sds = AX62_SDS_COOPERATIVE;
    t.ems = AX62_EMS_NORDO;
    t.has_fl = 1;
    t.alt_fl = 240.0;
    t.has_vrate = 1;
    t.vrate_fpm = -1500.0;
    uint8_t buf[AX_TYPED_MAX_RECORD];
    int n = ax62_encode(&t, buf, sizeof buf);
    assert_true(n > 0);
    struct ax_record r;
    struct ax_error e;
    assert_int_equal(ax_record_decode(ax_category_find(62, 0), buf, (size_t)n, &r, &e), n);
    struct ax_report_ctx c;
    ax_report_init(&c, NULL, 0);
    ax_report_set_date(&c, DEC4_MS);
    struct report rep;
    struct ax_scan_event ev;
    assert_int_equal(ax_record_report(&c, &r, &rep, &ev), AX_OUT_REPORT);
    assert_int_equal(rep.kind, REP_SYSTRACK);
    assert_int_equal(rep.sensor_kind, SENSOR_SDPS);
    assert_true(rep.t_ms == DEC4_MS + 45296500);
    assert_near(rep.lat_deg, 45.5, 1e-5);
    assert_near(rep.lon_deg, 16.25, 1e-5);
    assert_int_equal(rep.track_no, 4321);
    assert_int_equal(rep.squawk, 02000);
    assert_string_equal(rep.callsign, "DLH65A");
    assert_int_equal(rep.icao, 0x3C6586);
    assert_int_equal(rep.alt_baro_ft, 24000);
    assert_near(rep.vrate_fpm, -1500.0, 0.01);
    assert_near(rep.gs_kt, 100.0 * M_SQRT2 * 3600.0 / 1852.0, 0.01);
    assert_near(rep.track_deg, 135.0, 1e-3);
    assert_true(rep.has & REP_HAS_TRK_STATUS);
    assert_true(rep.trk_status & TRK_TENTATIVE);
    assert_true(rep.trk_status & TRK_COASTING);
    assert_true(rep.trk_status & TRK_SOURCES_KNOWN);
    assert_false(rep.trk_status & TRK_SRC_SSR); /* its SSR age is stale */
    assert_true(rep.trk_status & TRK_SRC_PSR);
    assert_true(rep.trk_status & TRK_COOPERATIVE);
    assert_false(rep.trk_status & (TRK_END | TRK_MONOSENSOR | TRK_NON_COOPERATIVE));
    assert_true(rep.has & REP_HAS_EMERGENCY);
    assert_int_equal(rep.emergency, EMERG_NORDO);
    assert_false(rep.has & REP_HAS_POS_ACC); /* no I062/500 */

    /* a confirmed track with only the first octet of I080: no source bits */
    memset(&t, 0, sizeof t);
    t.sac = 25;
    t.sic = 100;
    t.tot_s = 10.0;
    t.track_number = 1;
    n = ax62_encode(&t, buf, sizeof buf);
    assert_int_equal(ax_record_decode(ax_category_find(62, 0), buf, (size_t)n, &r, &e), n);
    assert_int_equal(ax_record_report(&c, &r, &rep, &ev), AX_OUT_REPORT);
    assert_int_equal(rep.trk_status, 0);
    assert_false(rep.has & REP_HAS_POS);

    /* I062/100 only: placed from the SDPS's site in the caller's table */
    t.has_xy = 1;
    t.x_m = -3000.0;
    t.y_m = 4000.0;
    n = ax62_encode(&t, buf, sizeof buf);
    assert_int_equal(ax_record_decode(ax_category_find(62, 0), buf, (size_t)n, &r, &e), n);
    assert_int_equal(ax_record_report(&c, &r, &rep, &ev), AX_OUT_REPORT);
    assert_false(rep.has & REP_HAS_POS); /* no site known */
    struct ax_sensor sdps;
    memset(&sdps, 0, sizeof sdps);
    sdps.sac = 25;
    sdps.sic = 100;
    sdps.id = 62;
    sdps.has_site = 1;
    struct geo_llh o = {45.0, 15.0, 0.0};
    geo_frame_init(&sdps.site, &o);
    ax_report_init(&c, &sdps, 1);
    ax_report_set_date(&c, DEC4_MS);
    assert_int_equal(ax_record_report(&c, &r, &rep, &ev), AX_OUT_REPORT);
    assert_int_equal(rep.sensor_id, 62);
    assert_true(rep.has & REP_HAS_POS);
    double la, lo;
    geo_direct(45.0, 15.0, atan2(-3000.0, 4000.0) * 180.0 / M_PI, 5000.0, &la, &lo, NULL);
    assert_true(geo_distance_m(rep.lat_deg, rep.lon_deg, la, lo) < 0.01);
}

/* ------------------------------------------------------------ CAT021 */

/* One CAT021 record built by hand in the latest edition: the FSPEC from
 * each item's FRN in the table, the items in FRN order. */
struct item21 {
    const char *id;
    uint8_t bytes[8];
    size_t len;
};

static size_t build21(const struct item21 *items, size_t n, uint8_t *out)
{
    const struct ax_category *cat = ax_category_find(21, 0);
    unsigned frn[16];
    unsigned max_frn = 0;
    for (size_t i = 0; i < n; i++) {
        frn[i] = ax_category_frn(cat, ax_category_item(cat, items[i].id));
        assert_true(frn[i] > 0);
        if (frn[i] > max_frn)
            max_frn = frn[i];
    }
    size_t fs_len = (max_frn + 6) / 7, k = fs_len;
    memset(out, 0, fs_len);
    for (size_t i = 0; i < n; i++)
        out[(frn[i] - 1) / 7] |= (uint8_t)(0x80u >> ((frn[i] - 1) % 7));
    for (size_t i = 0; i + 1 < fs_len; i++)
        out[i] |= 1; /* FX */
    for (unsigned f = 1; f <= max_frn; f++)
        for (size_t i = 0; i < n; i++)
            if (frn[i] == f) {
                memcpy(out + k, items[i].bytes, items[i].len);
                k += items[i].len;
            }
    return k;
}

static void test_cat021_nacp(void **state)
{
    (void)state;
    /* lat 48.0, lon 11.5 in 180/2^23 deg: 2236962 and 535916 (rounded) */
    int32_t la = (int32_t)lround(48.0 / (180.0 / 8388608.0));
    int32_t lo = (int32_t)lround(11.5 / (180.0 / 8388608.0));
    const struct item21 items[] = {
        {"010", {0, 7}, 2},
        {"040", {0x00}, 1},
        {"073", {0x00, 0x38, 0x80}, 3}, /* 0x3880 = 14464, / 128 = 113 s */
        {"130",
         {(uint8_t)(la >> 16), (uint8_t)(la >> 8), (uint8_t)la, (uint8_t)(lo >> 16),
          (uint8_t)(lo >> 8), (uint8_t)lo},
         6},
        {"080", {0x4C, 0xA2, 0xB1}, 3},
        /* I090: NUCr/NACv 1, NUCp/NIC 8, FX; NICbaro 1, SIL 3, NACp 10, FX 0 */
        {"090", {(uint8_t)(1u << 5 | 8u << 1 | 1u), (uint8_t)(1u << 7 | 3u << 5 | 10u << 1)}, 2},
    };
    uint8_t buf[64];
    size_t n = build21(items, sizeof items / sizeof items[0], buf);
    struct ax_record r;
    struct ax_error e;
    assert_int_equal(ax_record_decode(ax_category_find(21, 0), buf, n, &r, &e), (int)n);
    struct ax_report_ctx c;
    ax_report_init(&c, NULL, 0);
    c.ref_utc_ms = DEC4_MS + 100000;
    struct report rep;
    struct ax_scan_event ev;
    assert_int_equal(ax_record_report(&c, &r, &rep, &ev), AX_OUT_REPORT);
    assert_int_equal(rep.kind, REP_ADSB);
    assert_int_equal(rep.sensor_id, 7);
    assert_true(rep.t_ms == DEC4_MS + 113000);
    assert_int_equal(rep.icao, 0x4CA2B1);
    assert_near(rep.lat_deg, 48.0, 1e-5);
    assert_near(rep.lon_deg, 11.5, 1e-5);
    /* NACp 10: EPU < 10 m; the NIC of 8 (Rc 185 m) is not an accuracy */
    assert_true(rep.has & REP_HAS_POS_ACC);
    assert_near(rep.pos_acc_m, 10.0, 0);
    assert_near(ax_nacp_epu_m(0), 0, 0);
    assert_near(ax_nacp_epu_m(1), 18520.0, 0);
    assert_near(ax_nacp_epu_m(11), 3.0, 0);
    assert_near(ax_nacp_epu_m(12), 0, 0);
}

/* ------------------------------------------------------------ CAT034 */

static void test_cat034(void **state)
{
    (void)state;
    struct ax34_service s;
    memset(&s, 0, sizeof s);
    s.sac = 25;
    s.sic = 201;
    s.type = AX34_SECTOR_CROSSING;
    s.tod_s = 100.0;
    s.has_sector = 1;
    s.sector_deg = 90.0;
    s.has_rotation = 1;
    s.rotation_period_s = 4.0;
    uint8_t buf[AX_TYPED_MAX_RECORD];
    int n = ax34_encode(&s, buf, sizeof buf);
    assert_true(n > 0);
    struct ax_record r;
    struct ax_error e;
    assert_int_equal(ax_record_decode(ax_category_find(34, 0), buf, (size_t)n, &r, &e), n);
    struct ax_report_ctx c;
    ax_report_init(&c, &radar, 1);
    c.ref_utc_ms = DEC4_MS;
    struct report rep;
    struct ax_scan_event ev;
    assert_int_equal(ax_record_report(&c, &r, &rep, &ev), AX_OUT_SCAN);
    assert_int_equal(ev.sensor_id, 7);
    assert_int_equal(ev.type, AX_SCAN_SECTOR);
    assert_true(ev.t_ms == DEC4_MS + 100000);
    assert_true(ev.has_sector && ev.has_period);
    assert_near(ev.sector_deg, 90.0, 1e-6);
    assert_near(ev.period_s, 4.0, 1e-6);
    assert_int_equal(c.st.scans, 1);
}

/* ------------------------------------------------------------ Mode S */

static void put_bits(uint8_t *b, unsigned pos, unsigned n, uint64_t v)
{
    for (unsigned i = 0; i < n; i++)
        if ((v >> (n - 1 - i)) & 1)
            b[(pos + i) / 8] |= (uint8_t)(0x80u >> ((pos + i) % 8));
}

static void hex_frame(struct modes_frame *f, const char *hex, double t)
{
    memset(f, 0, sizeof *f);
    for (size_t i = 0; i < 14; i++) {
        unsigned v;
        assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
        f->data[i] = (uint8_t)v;
    }
    f->len = 14;
    f->t_s = t;
}

static void test_modes_anchor_nacp(void **state)
{
    (void)state;
    static struct modes_ctx ctx;
    modes_ctx_init(&ctx, NULL);
    struct modes_frame f;
    struct modes_msg m;
    /* TC31 operational status for 40621D: version 2, NACp 9 (EPU < 30 m) */
    memset(&f, 0, sizeof f);
    f.data[0] = 0x8D;
    f.data[1] = 0x40;
    f.data[2] = 0x62;
    f.data[3] = 0x1D;
    put_bits(f.data, 32, 5, 31);     /* TC */
    put_bits(f.data, 32 + 40, 3, 2); /* version (ME bits 41-43) */
    put_bits(f.data, 32 + 44, 4, 9); /* NACp (ME bits 45-48) */
    put_bits(f.data, 32 + 50, 2, 3); /* SIL */
    uint32_t crc = modes_crc(f.data, 14);
    f.data[11] = (uint8_t)(crc >> 16);
    f.data[12] = (uint8_t)(crc >> 8);
    f.data[13] = (uint8_t)crc;
    f.len = 14;
    f.t_s = 19.0;
    assert_int_equal(modes_decode(&ctx, &f, &m), 0);
    assert_true(m.has & MH_NAC_P);
    assert_int_equal(m.nac_p, 9);
    /* the position pair of test_modes_core, on a clock that started at
     * 2026-12-04 00:00:00 UTC */
    hex_frame(&f, "8D40621D58C386435CC412692AD6", 20.0);
    modes_decode(&ctx, &f, &m);
    hex_frame(&f, "8D40621D58C382D690C8AC2863A7", 21.0);
    assert_int_equal(modes_decode(&ctx, &f, &m), 0);
    assert_true(m.has & MH_POS);
    struct report r;
    r.sensor_id = 3;
    assert_int_equal(modes_msg_to_report(&m, DEC4_MS, &r), 0);
    assert_true(r.t_ms == DEC4_MS + 21000);
    assert_int_equal(r.sensor_id, 3);
    assert_int_equal(r.sensor_kind, SENSOR_ADSB_RX);
    assert_true(r.has & REP_HAS_POS_ACC);
    assert_near(r.pos_acc_m, 30.0, 1e-6); /* NACp 9, not NIC's containment radius */
    /* without a NACp announced: no accuracy, whatever the NIC */
    modes_ctx_init(&ctx, NULL);
    hex_frame(&f, "8D40621D58C386435CC412692AD6", 20.0);
    modes_decode(&ctx, &f, &m);
    hex_frame(&f, "8D40621D58C382D690C8AC2863A7", 21.0);
    assert_int_equal(modes_decode(&ctx, &f, &m), 0);
    assert_true(m.has & MH_NIC);
    assert_int_equal(modes_msg_to_report(&m, 0, &r), 0);
    assert_false(r.has & REP_HAS_POS_ACC);
    assert_true(r.t_ms == 21000); /* anchor 0: t_s is taken as Unix time */
}

/* The selected altitude: ADS-B target state (TC29, DO-260B, the vector of
 * tests/vectors/modes: MCP/FCU 16,992 ft) becomes a report with an address
 * and REP_HAS_SEL_ALT but no position; from BDS 4,0 with both values, the
 * MCP/FCU one (what the autopilot captures), else the FMS one. */
static void test_modes_sel_alt(void **state)
{
    (void)state;
    static struct modes_ctx ctx;
    modes_ctx_init(&ctx, NULL);
    struct modes_frame f;
    struct modes_msg m;
    struct report r;
    hex_frame(&f, "8DA05629EA21485CBF3F8CADAEEB", 5.0);
    assert_int_equal(modes_decode(&ctx, &f, &m), 0);
    r.sensor_id = 1;
    assert_int_equal(modes_msg_to_report(&m, DEC4_MS, &r), 0);
    assert_int_equal(r.kind, REP_ADSB);
    assert_int_equal(r.icao, 0xA05629);
    assert_true(r.has & REP_HAS_SEL_ALT);
    assert_int_equal(r.sel_alt_ft, 16992);
    assert_false(r.has & REP_HAS_POS);
    memset(&m, 0, sizeof m);
    m.kind = FRAME_MODES;
    m.has = MH_ICAO | MH_SEL_ALT_MCP | MH_SEL_ALT_FMS;
    m.icao = 0x4CA123;
    m.sel_alt_mcp_ft = 24000;
    m.sel_alt_fms_ft = 35008;
    assert_int_equal(modes_msg_to_report(&m, 0, &r), 0);
    assert_int_equal(r.kind, REP_MODES);
    assert_int_equal(r.sel_alt_ft, 24000);
    m.has = MH_ICAO | MH_SEL_ALT_FMS;
    assert_int_equal(modes_msg_to_report(&m, 0, &r), 0);
    assert_int_equal(r.sel_alt_ft, 35008);
    m.has = MH_ICAO;
    assert_int_equal(modes_msg_to_report(&m, 0, &r), 0);
    assert_false(r.has & REP_HAS_SEL_ALT);
}

/* ------------------------------------------------------------ AIS */

static void test_ais_static(void **state)
{
    (void)state;
    struct ais_msg m;
    memset(&m, 0, sizeof m);
    m.type = 5;
    m.mmsi = 244123456;
    m.nbits = 424;
    m.t_ms = DEC4_MS;
    put_bits(m.bits, 0, 6, 5);
    put_bits(m.bits, 8, 30, m.mmsi);
    put_bits(m.bits, 232, 8, 70); /* cargo ship */
    put_bits(m.bits, 240, 9, 150);
    put_bits(m.bits, 249, 9, 30);
    put_bits(m.bits, 258, 6, 12);
    put_bits(m.bits, 264, 6, 14);
    struct report r;
    assert_int_equal(ais_msg_to_report(&m, 9, &r), 0);
    assert_int_equal(r.sensor_kind, SENSOR_AIS_RX);
    assert_true(r.t_ms == DEC4_MS);
    assert_true(r.has & REP_HAS_SHIP_TYPE);
    assert_int_equal(r.ship_type, 70);
    assert_true(r.has & REP_HAS_DIMS);
    assert_int_equal(r.dim_bow_m, 150);
    assert_int_equal(r.dim_stern_m, 30);
    assert_int_equal(r.dim_port_m, 12);
    assert_int_equal(r.dim_stbd_m, 14);

    /* type 24 part B: ship type at 40, callsign at 90, dimensions at 132 */
    memset(&m, 0, sizeof m);
    m.type = 24;
    m.part24 = AIS_24_B;
    m.mmsi = 244123457;
    m.nbits = 168;
    put_bits(m.bits, 40, 8, 37);                /* pleasure craft */
    put_bits(m.bits, 48, 42, 0x3FFFFFFFFFFull); /* vendor id: must not be read as dimensions */
    put_bits(m.bits, 132, 9, 8);
    put_bits(m.bits, 141, 9, 4);
    put_bits(m.bits, 150, 6, 2);
    put_bits(m.bits, 156, 6, 1);
    assert_int_equal(ais_msg_to_report(&m, 9, &r), 0);
    assert_int_equal(r.ship_type, 37);
    assert_true(r.has & REP_HAS_DIMS);
    assert_int_equal(r.dim_bow_m, 8);
    assert_int_equal(r.dim_stern_m, 4);
    assert_int_equal(r.dim_port_m, 2);
    assert_int_equal(r.dim_stbd_m, 1);
    /* an auxiliary craft's part B: the mother ship's MMSI, not dimensions */
    m.mmsi = 982440001;
    assert_int_equal(ais_msg_to_report(&m, 9, &r), 0);
    assert_false(r.has & REP_HAS_DIMS);

    /* type 1: navigational status 5 (moored) with course, speed, heading */
    memset(&m, 0, sizeof m);
    m.type = 1;
    m.mmsi = 244123456;
    m.nbits = 168;
    put_bits(m.bits, 38, 4, 5);
    put_bits(m.bits, 50, 10, 123);                      /* 12.3 kt */
    put_bits(m.bits, 61, 28, (uint64_t)(4.5 * 600000)); /* lon */
    put_bits(m.bits, 89, 27, (uint64_t)(52.0 * 600000));
    put_bits(m.bits, 116, 12, 2245); /* 224.5 deg */
    put_bits(m.bits, 128, 9, 225);
    assert_int_equal(ais_msg_to_report(&m, 9, &r), 0);
    assert_true(r.has & REP_HAS_NAV_STATUS);
    assert_int_equal(r.nav_status, 5);
    assert_near(r.gs_kt, 12.3, 1e-4);
    assert_near(r.track_deg, 224.5, 1e-4);
    assert_near(r.heading_deg, 225.0, 0);
    assert_near(r.lat_deg, 52.0, 1e-9);
    /* 15: not defined, so not reported */
    memset(m.bits + 4, 0, 2);
    put_bits(m.bits, 38, 4, 15);
    assert_int_equal(ais_msg_to_report(&m, 9, &r), 0);
    assert_false(r.has & REP_HAS_NAV_STATUS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tod_dating),
        cmocka_unit_test_setup(test_cat048_psr_only, setup_radar),
        cmocka_unit_test_setup(test_cat048_modes, setup_radar),
        cmocka_unit_test(test_cat062),
        cmocka_unit_test(test_cat021_nacp),
        cmocka_unit_test_setup(test_cat034, setup_radar),
        cmocka_unit_test(test_modes_anchor_nacp),
        cmocka_unit_test(test_modes_sel_alt),
        cmocka_unit_test(test_ais_static),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
