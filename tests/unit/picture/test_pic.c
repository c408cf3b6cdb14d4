/*
 * test_pic.c — the picture engine (picture/picture.h) on synthetic reports
 * and a fake clock, and its sensors file as hostile input:
 *  - a good file: values, defaults, stable ids (a section's id does not
 *    depend on the order of the sections), the ASTERIX table;
 *  - bad files: each refused with the line it names (unknown section and
 *    key, a key twice, missing required keys, ranges, long lines, NUL and
 *    control bytes, a section without keys, a key before any section, two
 *    radars with one SAC/SIC, one name twice, too many sections);
 *  - one aircraft seen by ADS-B (identity in reports without position) and
 *    by a radar's combined plots: one track, both sensors, the callsign
 *    completed from the identification report;
 *  - a stationary primary-only blob (clutter) for two minutes: confirmed
 *    perhaps, but no alert;
 *  - a primary-only aircraft at 250 kt: NO_TRANSPONDER opens, through the
 *    callback, once; and clears when the track is gone.
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

#include "base/error.h"
#include "decode/asterix/report.h"
#include "decode/report.h"
#include "geo/geo.h"
#include "picture/picture.h"

static const char good[] = "; a centre's sensors\n"
                           "[radar APP-NORTH]\n"
                           "sac = 114\n"
                           "sic = 21\n"
                           "lat = 54.78\n"
                           "lon = 17.95\n"
                           "alt_m = 60\n"
                           "period_s = 4\n"
                           "\n"
                           "  [adsb RX-1]   \n"
                           "  lat = 54.5   ; indented lines are keys, not continuations\n"
                           "  lon = 18.5\n"
                           "[ais SHORE]\n"
                           "lat: 54.4\n"
                           "lon: 18.6\n"
                           "[radar ER-2]\r\n"
                           "sac = 114\r\n"
                           "sic = 22\r\n"
                           "lat = 54.0\r\n"
                           "lon = 18.0\r\n"
                           "period_s = 10\r\n"
                           "range_sigma_m = 40\r\n"
                           "azimuth_sigma_deg = 0.05\r\n"
                           "assumed_alt_m = 4400\r\n";

static void test_sensors_good(void **state)
{
    (void)state;
    struct pic_sensors s;
    char err[200];
    assert_int_equal(pic_sensors_parse(good, strlen(good), &s, err, sizeof err), 0);
    assert_int_equal(s.n, 4);
    const struct pic_sensor *r = pic_sensors_by_name(&s, "APP-NORTH");
    assert_non_null(r);
    assert_int_equal(r->type, PIC_SENSOR_RADAR);
    assert_int_equal(r->id, 114u << 8 | 21u);
    assert_true(r->has_pos && fabs(r->lat_deg - 54.78) < 1e-12 && r->alt_m == 60);
    assert_true(r->period_s == 4 && r->range_sigma_m == 60 && r->assumed_alt_m == 3000);
    const struct pic_sensor *e = pic_sensors_by_name(&s, "ER-2");
    assert_true(e->range_sigma_m == 40 && e->azimuth_sigma_deg == 0.05 &&
                e->assumed_alt_m == 4400 && e->alt_m == 0);
    const struct pic_sensor *rx = pic_sensors_first(&s, PIC_SENSOR_ADSB);
    assert_string_equal(rx->name, "RX-1");
    assert_true(rx->has_pos && (rx->id & 0xFF000000u) == PIC_ID_ADSB);
    const struct pic_sensor *ais = pic_sensors_first(&s, PIC_SENSOR_AIS);
    assert_true((ais->id & 0xFF000000u) == PIC_ID_AIS && ais->lat_deg == 54.4);
    assert_ptr_equal(pic_sensors_find(&s, rx->id), rx);

    /* ids do not depend on the order of the sections */
    static const char swapped[] = "[ais SHORE]\nlat=1\nlon=2\n[adsb RX-1]\nalt_m=3\n";
    struct pic_sensors s2;
    assert_int_equal(pic_sensors_parse(swapped, strlen(swapped), &s2, err, sizeof err), 0);
    assert_int_equal(pic_sensors_by_name(&s2, "RX-1")->id, rx->id);
    assert_int_equal(pic_sensors_by_name(&s2, "SHORE")->id, ais->id);
    assert_false(pic_sensors_by_name(&s2, "RX-1")->has_pos);

    struct ax_sensor ax[4];
    assert_int_equal(pic_sensors_ax_table(&s, ax, 4), 2);
    assert_true(ax[0].sac == 114 && ax[0].sic == 21 && ax[0].has_site && ax[0].has_assumed_h);
    assert_int_equal(ax[1].id, 114u << 8 | 22u);

    assert_int_equal(pic_sensors_add(&s, PIC_SENSOR_ADSB, "RX-1"), CAIRN_E_EXISTS);
    assert_int_equal(pic_sensors_add(&s, PIC_SENSOR_ADSB, "bad name"), CAIRN_E_INVAL);
    assert_int_equal(pic_sensors_add(&s, PIC_SENSOR_ADSB, "adsb"), 0);
    assert_int_equal(s.n, 5);
}

/* The reference meridian the detector gets from a sensors file. */
static double lon_ref(const char *text)
{
    struct pic_sensors s;
    char err[200];
    assert_int_equal(pic_sensors_parse(text, strlen(text), &s, err, sizeof err), 0);
    return pic_sensors_lon_ref(&s);
}

static void test_sensors_lon_ref(void **state)
{
    (void)state;
    /* the good file: 17.95, 18.5, 18.6 and 18.0 E, whole degrees */
    assert_true(lon_ref(good) == 18.0);
    /* across 180: Chukotka and Alaska, the circular mean (170 E and 170 W
     * average 0 arithmetically) */
    assert_true(lon_ref("[radar ANADYR]\nsac=1\nsic=1\nlat=64.7\nlon=177.5\nperiod_s=10\n"
                        "[adsb NOME]\nlat=64.5\nlon=-165.4\n"
                        "[ais LAVRENTIYA]\nlat=65.6\nlon=-171.0\n") == -173.0);
    assert_true(lon_ref("[adsb W]\nlat=60\nlon=170\n[adsb E]\nlat=60\nlon=-170\n") == 180.0);
    /* -180 is written 180 */
    assert_true(lon_ref("[adsb W]\nlat=60\nlon=179.8\n[adsb E]\nlat=60\nlon=-179.6\n") == 180.0);
    assert_true(lon_ref("[adsb A]\nlat=60\nlon=-179.7\n") == 180.0);
    /* only sensors with a position count; none: 0 */
    assert_true(lon_ref("[adsb A]\nalt_m=3\n[ais B]\nlat=1\nlon=-120.2\n") == -120.0);
    assert_true(lon_ref("[adsb A]\nalt_m=3\n") == 0.0);
    assert_true(lon_ref("") == 0.0);
    assert_true(pic_sensors_lon_ref(NULL) == 0.0);
    /* opposite sides of the globe cancel: no mean, no shift */
    assert_true(lon_ref("[adsb A]\nlat=0\nlon=0\n[adsb B]\nlat=0\nlon=180\n") == 0.0);
}

/* A bad file: the code and the start of the message. */
static void bad(const char *text, size_t len, int rc, const char *msg_start)
{
    struct pic_sensors s;
    char err[200];
    int got = pic_sensors_parse(text, len, &s, err, sizeof err);
    if (got != rc || strncmp(err, msg_start, strlen(msg_start)) != 0)
        fail_msg("%s: got %d '%s', want %d '%s...'", text, got, err, rc, msg_start);
    assert_int_equal(s.n, 0);
    for (const char *p = err; *p; p++)
        assert_true(*p >= 0x20 && *p < 0x7f);
}

#define BAD(text, rc, msg) bad(text, sizeof(text) - 1, rc, msg)
#define RADAR_OK           "sac=1\nsic=2\nlat=1\nlon=2\nperiod_s=4\n"

static void test_sensors_bad(void **state)
{
    (void)state;
    BAD("[radar A]\n" RADAR_OK "colour = red\n", CAIRN_E_FORMAT, "line 7: [radar A]: unknown key");
    BAD("[adsb A]\nsac = 1\n", CAIRN_E_FORMAT, "line 2: [adsb A]: unknown key 'sac'");
    BAD("[radar A]\nsac=1\nsac=2\n", CAIRN_E_FORMAT, "line 3: [radar A]: sac given twice");
    BAD("[radar A]\nsac=1\nsic=2\nlat=1\nlon=2\n", CAIRN_E_FORMAT,
        "line 1: [radar A]: period_s is required");
    BAD("\n[radar A]\nsac=256\n", CAIRN_E_RANGE, "line 3: [radar A]: sac = 256 is outside");
    BAD("[radar A]\nsac=1.5\n", CAIRN_E_RANGE, "line 2:");
    BAD("[radar A]\nlat=91\n", CAIRN_E_RANGE, "line 2:");
    BAD("[radar A]\nperiod_s=0.1\n", CAIRN_E_RANGE, "line 2:");
    BAD("[radar A]\nlat=nan\n", CAIRN_E_FORMAT, "line 2: [radar A]: lat wants a number");
    BAD("[radar A]\nlat=1e999\n", CAIRN_E_FORMAT, "line 2:");
    BAD("[radar A]\nlat=12abc\n", CAIRN_E_FORMAT, "line 2:");
    BAD("[sonar A]\nlat=1\n", CAIRN_E_FORMAT, "line 1: unknown section [sonar A]");
    BAD("[radar]\nlat=1\n", CAIRN_E_FORMAT, "line 1: [radar]: a sensor name");
    BAD("[radar A B]\nlat=1\n", CAIRN_E_FORMAT, "line 1:");
    BAD("lat=1\n", CAIRN_E_FORMAT, "line 1: a key before the first [section]");
    BAD("[radar A]\n" RADAR_OK "[radar B]\n[adsb C]\nlat=1\nlon=1\n", CAIRN_E_FORMAT,
        "line 7: a section with no keys");
    BAD("[radar A]\n" RADAR_OK "[adsb C]\n", CAIRN_E_FORMAT, "line 7: a section with no keys");
    BAD("[radar A]\n" RADAR_OK "[radar B]\n" RADAR_OK, CAIRN_E_FORMAT,
        "line 7: [radar B]: SAC 1 / SIC 2 is already radar A");
    BAD("[adsb A]\nlat=1\nlon=1\n[ais A]\nlat=1\nlon=1\n", CAIRN_E_FORMAT,
        "line 4: sensor A is named twice");
    BAD("[adsb A]\nlat=1\n", CAIRN_E_FORMAT, "line 1: [adsb A]: lat and lon go together");
    BAD("[adsb A]\nlat=1\nthis line has no equals sign\n", CAIRN_E_FORMAT, "line 3: not a");
    BAD("[adsb A\nlat=1\n", CAIRN_E_FORMAT, "line 1: a section header without");
    BAD("[adsb A]\nlat=1\x01\n", CAIRN_E_FORMAT, "line 2: control character 0x01");
    BAD("[adsb A]\nlat=1\0\n", CAIRN_E_FORMAT, "line 2: control character 0x00");
    BAD("[adsb A]\nlat=\x7f\n", CAIRN_E_FORMAT, "line 2: control character 0x7f");
    /* bytes >= 0x80 are not control characters: refused as a value */
    BAD("[adsb A]\nlat=\xc3\xa9\n", CAIRN_E_FORMAT,
        "line 2: [adsb A]: lat wants a number, not '?"
        "?'");

    char longline[400];
    memset(longline, 0, sizeof longline);
    strcpy(longline, "[adsb A]\nlat = 1");
    size_t n = strlen(longline);
    memset(longline + n, '0', 200);
    strcat(longline, "\n");
    bad(longline, strlen(longline), CAIRN_E_TOOBIG, "line 2: longer than 160 characters");

    /* too many sections */
    static char many[PIC_MAX_SENSORS * 48 + 64];
    size_t off = 0;
    for (int i = 0; i <= PIC_MAX_SENSORS; i++)
        off += (size_t)snprintf(many + off, sizeof many - off, "[adsb R%d]\nalt_m = 1\n", i);
    bad(many, off, CAIRN_E_TOOBIG, "line 129: more than 64 sensors");

    /* too large */
    static char big[PIC_INI_MAX + 2];
    memset(big, ';', sizeof big);
    bad(big, sizeof big, CAIRN_E_TOOBIG, "line 1: the file is larger");

    /* empty input: no sensors, no error */
    struct pic_sensors s;
    assert_int_equal(pic_sensors_parse("", 0, &s, NULL, 0), 0);
    assert_int_equal(s.n, 0);
    assert_int_equal(pic_sensors_parse(NULL, 0, &s, NULL, 0), 0);
}

/* ------------------------------------------------------------------ engine */

#define T0    1400000000000LL
#define RADAR (114u << 8 | 21u)

struct rec {
    unsigned n, open, updated, cleared;
    uint8_t last_rule;
    uint32_t last_track;
};

static void on_alert(void *arg, const struct pic *p, const struct det_alert *a)
{
    struct rec *r = arg;
    assert_non_null(p);
    r->n++;
    r->open += a->state == DET_ST_OPEN;
    r->updated += a->state == DET_ST_UPDATED;
    r->cleared += a->state == DET_ST_CLEARED;
    r->last_rule = a->rule;
    r->last_track = a->parties[0].track_id;
}

static struct pic *engine(struct rec *r)
{
    static struct pic_sensors s;
    char err[200];
    assert_int_equal(pic_sensors_parse(good, strlen(good), &s, err, sizeof err), 0);
    struct pic_config c;
    pic_config_default(&c);
    c.sensors = &s;
    c.trk.max_tracks = 256;
    c.on_alert = on_alert;
    c.arg = r;
    struct pic *p;
    assert_int_equal(pic_new(&c, &p), 0);
    return p;
}

static struct report adsb(uint32_t rx, int64_t t, double lat, double lon)
{
    struct report r;
    memset(&r, 0, sizeof r);
    r.t_ms = t;
    r.sensor_id = rx;
    r.kind = REP_ADSB;
    r.sensor_kind = SENSOR_ADSB_RX;
    r.has = REP_HAS_ICAO | REP_HAS_POS | REP_HAS_ALT_BARO;
    r.icao = 0x48AB12;
    r.lat_deg = lat;
    r.lon_deg = lon;
    r.alt_baro_ft = 12000;
    return r;
}

static struct report plot(int64_t t, double lat, double lon, uint8_t type)
{
    struct report r;
    memset(&r, 0, sizeof r);
    r.t_ms = t;
    r.sensor_id = RADAR;
    r.kind = type == PLOT_PSR ? REP_PSR : REP_SSR;
    r.sensor_kind = SENSOR_RADAR;
    r.plot_type = type;
    r.has = REP_HAS_POS | REP_HAS_PLOT_TYPE | REP_HAS_POS_ACC;
    r.pos_acc_m = 250;
    r.lat_deg = lat;
    r.lon_deg = lon;
    return r;
}

static void test_fusion(void **state)
{
    (void)state;
    struct rec rec = {0};
    struct pic *p = engine(&rec);
    uint32_t rx = pic_sensors_first(pic_sensors(p), PIC_SENSOR_ADSB)->id;
    /* 250 kt due east from 54.5 N 18.0 E */
    const double v = 250 * 1852.0 / 3600.0;
    struct report id;
    memset(&id, 0, sizeof id);
    id.t_ms = T0;
    id.sensor_id = rx;
    id.kind = REP_ADSB;
    id.has = REP_HAS_ICAO | REP_HAS_CALLSIGN;
    id.icao = 0x48AB12;
    strcpy(id.callsign, "LOT3AB");
    assert_int_equal(pic_report(p, &id, T0), 0);
    for (int s = 0; s < 120; s++) {
        int64_t t = T0 + s * 1000LL;
        assert_int_equal(pic_cycle(p, t), 0);
        double lat, lon;
        geo_direct(54.5, 18.0, 90.0, v * s + 300, &lat, &lon, NULL);
        struct report a = adsb(rx, t + 300, lat, lon);
        assert_int_equal(pic_report(p, &a, t + 300), 0);
        if (s % 4 == 0) { /* the radar's combined Mode S + PSR plot */
            geo_direct(54.5, 18.0, 90.0, v * s + 600, &lat, &lon, NULL);
            struct report pl = plot(t + 600, lat, lon, PLOT_MODES_ROLLCALL_PSR);
            pl.has |= REP_HAS_ICAO;
            pl.icao = 0x48AB12;
            assert_int_equal(pic_report(p, &pl, t + 600), 0);
        }
    }
    assert_int_equal(pic_cycle(p, T0 + 120000), 0);
    size_t n;
    const struct trk_track *t = pic_tracks(p, &n);
    assert_int_equal(n, 1);
    assert_int_equal(t[0].status, TRK_ST_CONFIRMED);
    assert_string_equal(t[0].callsign, "LOT3AB");
    assert_int_equal(t[0].n_sensors, 2);
    assert_true(t[0].last_src_ms[TRK_SOURCE_ADSB] && t[0].last_src_ms[TRK_SOURCE_PSR] &&
                t[0].last_src_ms[TRK_SOURCE_MODES]);
    const struct pic_stats *st = pic_stats(p);
    assert_int_equal(st->reports, 1 + 120 + 30);
    assert_int_equal(st->no_pos, 1);
    assert_int_equal(st->completed, 150); /* ADS-B and Mode S plots: the callsign */
    assert_int_equal(st->meas, 150);
    assert_int_equal(st->rejected, 0);
    assert_int_equal(rec.n, 0);
    char name[64];
    pic_sensor_name(p, RADAR, name, sizeof name);
    assert_string_equal(name, "APP-NORTH");
    pic_sensor_name(p, 7u << 8 | 9u, name, sizeof name);
    assert_string_equal(name, "radar-7-9");
    /* time going backwards: refused, nothing done */
    assert_int_equal(pic_cycle(p, T0), CAIRN_E_RANGE);
    /* a report without position nor identity */
    struct report empty;
    memset(&empty, 0, sizeof empty);
    assert_int_equal(pic_report(p, &empty, T0 + 120000), CAIRN_E_INVAL);
    pic_free(p);
}

/* Primary-only plots around one point, noisy, every scan for two
 * minutes: no alert (NO_TRANSPONDER wants a moving target). */
static void test_clutter(void **state)
{
    (void)state;
    struct rec rec = {0};
    struct pic *p = engine(&rec);
    srand(7);
    for (int s = 0; s < 120; s++) {
        int64_t t = T0 + s * 1000LL;
        assert_int_equal(pic_cycle(p, t), 0);
        if (s % 4)
            continue;
        double lat, lon;
        geo_direct(54.6, 18.2, 360.0 * rand() / RAND_MAX, 150.0 * rand() / RAND_MAX, &lat, &lon,
                   NULL);
        struct report pl = plot(t + 100, lat, lon, PLOT_PSR);
        assert_int_equal(pic_report(p, &pl, t + 100), 0);
    }
    assert_int_equal(pic_cycle(p, T0 + 120000), 0);
    size_t n;
    const struct trk_track *t = pic_tracks(p, &n);
    assert_true(n >= 1);
    for (size_t i = 0; i < n; i++)
        assert_true(t[i].kind != TRK_KIND_AIRCRAFT);
    assert_int_equal(rec.n, 0);
    pic_free(p);
}

/* A primary-only target at 250 kt: NO_TRANSPONDER opens once, then clears
 * after the track is gone. */
static void test_no_transponder(void **state)
{
    (void)state;
    struct rec rec = {0};
    struct pic *p = engine(&rec);
    const double v = 250 * 1852.0 / 3600.0;
    for (int s = 0; s < 90; s++) {
        int64_t t = T0 + s * 1000LL;
        assert_int_equal(pic_cycle(p, t), 0);
        if (s % 4 || s > 60)
            continue;
        double lat, lon;
        geo_direct(54.6, 18.2, 200.0, v * s + 100, &lat, &lon, NULL);
        struct report pl = plot(t + 100, lat, lon, PLOT_PSR);
        assert_int_equal(pic_report(p, &pl, t + 100), 0);
    }
    for (int s = 90; s < 400; s++)
        assert_int_equal(pic_cycle(p, T0 + s * 1000LL), 0);
    assert_int_equal(rec.open, 1);
    assert_int_equal(rec.cleared, 1);
    assert_int_equal(rec.last_rule, DET_RULE_NO_TRANSPONDER);
    size_t cur = 0;
    assert_null(pic_alert_next(p, &cur)); /* the cleared one is freed by the next cycle */
    assert_int_equal(pic_det_stats(p)->opened, 1);
    pic_free(p);
}

static void test_new_bad(void **state)
{
    (void)state;
    struct pic_config c;
    pic_config_default(&c);
    struct pic *p = NULL;
    c.id_cache = 1000; /* not a power of two */
    assert_int_equal(pic_new(&c, &p), CAIRN_E_INVAL);
    assert_null(p);
    pic_config_default(&c);
    c.max_batch = 0;
    assert_int_equal(pic_new(&c, &p), CAIRN_E_INVAL);
    assert_int_equal(pic_new(NULL, &p), CAIRN_E_INVAL);
    pic_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sensors_good),    cmocka_unit_test(test_sensors_bad),
        cmocka_unit_test(test_fusion),          cmocka_unit_test(test_clutter),
        cmocka_unit_test(test_no_transponder),  cmocka_unit_test(test_new_bad),
        cmocka_unit_test(test_sensors_lon_ref),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
