/*
 * test_det_lon.c — the detector across the antimeridian: with a reference
 * meridian (det_config.lon_ref_deg) near 180, the pair rules see pairs whose
 * members lie on either side of 180 (SEPARATION actual and predicted, with
 * the spatial index and with all pairs; SEA_CPA; LOW_PASS; NO_TRANSPONDER's
 * near traffic), ZONE and AIS_GAP query a zone ending on 180 in true
 * longitudes, and every alert's place comes out in true longitude, in
 * (-180, 180]. With the reference 0 the same pairs are not seen (the limit
 * that remains for a picture without sensors, docs/detect.md); a picture
 * far from 180 raises the same alerts at the same places whatever the
 * reference. det_check runs after every evaluation; the recorder checks D3.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>
#include <cmocka.h>

#include "base/error.h"
#include "detect/detect.h"
#include "detect/rule.h"
#include "geo/geo.h"
#include "geo/zones.h"
#include "track/track.h"

#define SEC  1000LL
#define NM   1852.0
#define LAT0 60.1 /* a degree of longitude is 55.6 km (30.0 NM) here */

/* ------------------------------------------------------------ recorder */

#define MAX_EV 64
struct rec {
    size_t n;
    struct {
        uint32_t id;
        uint8_t rule, state, severity;
        double lat, lon;
        char text[DET_TEXT_LEN];
    } ev[MAX_EV];
};

static void on_change(void *arg, const struct det_alert *a)
{
    struct rec *r = arg;
    assert_true(r->n < MAX_EV);
    uint8_t last = 0;
    for (size_t k = 0; k < r->n; k++)
        if (r->ev[k].id == a->id)
            last = r->ev[k].state;
    if (a->state == DET_ST_OPEN)
        assert_int_equal(last, 0); /* D3 */
    else
        assert_true(last == DET_ST_OPEN || last == DET_ST_UPDATED);
    /* every place in true longitude */
    assert_true(a->lon_deg > -180.0 && a->lon_deg <= 180.0);
    assert_true(a->lat_deg >= -90.0 && a->lat_deg <= 90.0);
    r->ev[r->n].id = a->id;
    r->ev[r->n].rule = a->rule;
    r->ev[r->n].state = a->state;
    r->ev[r->n].severity = a->severity;
    r->ev[r->n].lat = a->lat_deg;
    r->ev[r->n].lon = a->lon_deg;
    memcpy(r->ev[r->n].text, a->text, DET_TEXT_LEN);
    r->n++;
}

static struct det *mk(struct rec *r, double lon_ref, int all_pairs)
{
    struct det_config c;
    det_config_default(&c);
    c.max_tracks = 64;
    c.max_alerts = 64;
    c.lon_ref_deg = lon_ref;
    c.all_pairs = all_pairs;
    struct det *d = NULL;
    memset(r, 0, sizeof *r);
    assert_int_equal(det_new(&c, on_change, r, &d), 0);
    return d;
}

static void eval(struct det *d, const struct trk_track *t, size_t n, int64_t now)
{
    assert_int_equal(det_evaluate(d, t, n, now), 0);
    assert_int_equal(det_check(d), 0);
}

/* 1 and the first OPEN of a rule's severity, place and text, or 0. */
static int first_open(const struct rec *r, uint8_t rule, uint8_t *sev, double *lat, double *lon,
                      const char **text)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->ev[i].rule == rule && r->ev[i].state == DET_ST_OPEN) {
            *sev = r->ev[i].severity;
            *lat = r->ev[i].lat;
            *lon = r->ev[i].lon;
            *text = r->ev[i].text;
            return 1;
        }
    return 0;
}

static size_t opened(const struct rec *r, uint8_t rule)
{
    size_t k = 0;
    for (size_t i = 0; i < r->n; i++)
        k += r->ev[i].rule == rule && r->ev[i].state == DET_ST_OPEN;
    return k;
}

/* A track at (lat, lon) moving (ve, vn) m/s, altitude alt_ft (INT32_MIN:
 * none), state at t. */
static struct trk_track at(uint32_t id, uint8_t kind, double lat, double lon, int32_t alt_ft,
                           double ve, double vn, int64_t t)
{
    struct trk_track k;
    memset(&k, 0, sizeof k);
    k.id = id;
    k.status = TRK_ST_CONFIRMED;
    k.kind = kind;
    k.lat_deg = lat;
    k.lon_deg = lon;
    k.ve_mps = ve;
    k.vn_mps = vn;
    k.gs_mps = sqrt(ve * ve + vn * vn);
    k.track_deg = fmod(atan2(ve, vn) * 180.0 / 3.14159265358979 + 360.0, 360.0);
    k.t_first_ms = k.t_last_ms = k.t_state_ms = t;
    if (alt_ft != INT32_MIN) {
        k.flags |= TRK_F_ALT;
        k.alt_ft = alt_ft;
    }
    if (kind == TRK_KIND_VESSEL) {
        k.ids = TRK_ID_MMSI;
        k.mmsi = 273000000u + id;
    } else if (kind == TRK_KIND_AIRCRAFT) {
        k.ids = TRK_ID_ICAO;
        k.icao = 0x150000u + id;
        k.transponder = TRK_TRI_YES;
        k.last_src_ms[TRK_SOURCE_ADSB] = t;
    }
    return k;
}

/* References near 180 (either sign), and far from it but within 170
 * degrees of the traffic: all see the pairs across 180. */
static const double refs[] = {180.0, -180.0, 179.0, -170.0, 170.0, 100.0};
#define N_REFS (sizeof refs / sizeof refs[0])

/* ----------------------------------------------------------- helpers */

static void test_wrap(void **st)
{
    (void)st;
    assert_true(det_lon_wrap(180.0) == 180.0);
    assert_true(det_lon_wrap(-180.0) == 180.0);
    assert_true(det_lon_wrap(-179.5) == -179.5);
    assert_true(det_lon_wrap(181.0) == -179.0);
    assert_true(det_lon_wrap(-181.0) == 179.0);
    assert_true(det_lon_wrap(360.0) == 0.0);
    assert_true(det_lon_wrap(540.0) == 180.0);
    assert_true(det_lon_wrap(-540.0) == 180.0);
    assert_true(det_lon_wrap(-541.0) == 179.0);
    assert_true(det_lon_wrap(3600.0 + 10.0) == 10.0);
    assert_true(det_lon_wrap(-3600.0 - 10.0) == -10.0);
    assert_true(signbit(det_lon_wrap(-0.0))); /* in range: itself */
    assert_true(isnan(det_lon_wrap(NAN)));

    /* the reference must be a longitude */
    struct det_config c;
    det_config_default(&c);
    assert_true(c.lon_ref_deg == 0.0);
    struct det *d = NULL;
    c.lon_ref_deg = 180.5;
    assert_int_equal(det_new(&c, NULL, NULL, &d), CAIRN_E_INVAL);
    c.lon_ref_deg = -180.5;
    assert_int_equal(det_new(&c, NULL, NULL, &d), CAIRN_E_INVAL);
    c.lon_ref_deg = NAN;
    assert_int_equal(det_new(&c, NULL, NULL, &d), CAIRN_E_INVAL);
    c.lon_ref_deg = -180.0;
    assert_int_equal(det_new(&c, NULL, NULL, &d), 0);
    det_free(d);
}

/* -------------------------------------------------------- SEPARATION */

/* Two aircraft at FL300 on either side of 180, 0.1 degree (3.0 NM) apart,
 * flying north side by side: an actual loss, its place on 180. */
static void test_separation_actual(void **st)
{
    (void)st;
    for (int all = 0; all <= 1; all++)
        for (size_t k = 0; k < N_REFS; k++) {
            struct rec r;
            struct det *d = mk(&r, refs[k], all);
            struct trk_track t[2] = {at(1, TRK_KIND_AIRCRAFT, LAT0, 179.95, 30000, 0, 230, 0),
                                     at(2, TRK_KIND_AIRCRAFT, LAT0, -179.95, 30000, 0, 230, 0)};
            eval(d, t, 2, 0);
            uint8_t sev;
            double lat, lon;
            const char *txt;
            assert_true(first_open(&r, DET_RULE_SEPARATION, &sev, &lat, &lon, &txt));
            printf("ref %g all_pairs %d: %s (%.5f, %.5f)\n", refs[k], all, txt, lat, lon);
            assert_int_equal(sev, DET_SEV_WARNING);
            assert_int_equal(opened(&r, DET_RULE_SEPARATION), 1);
            assert_non_null(strstr(txt, "are 3.00 NM and 0 ft apart"));
            assert_true(fabs(lat - LAT0) < 1e-6);
            assert_true(fabs(lon) > 180.0 - 1e-6); /* 180, written 180 (never -180) */
            assert_true(lon == 180.0 || fabs(lon - 180.0) < 1e-9);
            det_free(d);
        }
    /* without a reference: the pair is not seen (the limit) */
    for (int all = 0; all <= 1; all++) {
        struct rec r;
        struct det *d = mk(&r, 0.0, all);
        struct trk_track t[2] = {at(1, TRK_KIND_AIRCRAFT, LAT0, 179.95, 30000, 0, 230, 0),
                                 at(2, TRK_KIND_AIRCRAFT, LAT0, -179.95, 30000, 0, 230, 0)};
        eval(d, t, 2, 0);
        assert_int_equal(opened(&r, DET_RULE_SEPARATION), 0);
        det_free(d);
    }
}

/* Head-on across 180 at FL300, 1 degree (30 NM) apart, 250 m/s each: 55.6
 * km closed at 500 m/s, the loss of 5 NM predicted in 93 s (the text's
 * time), the closest point (0 NM) in 111 s on 180; then the actual loss
 * as they close. */
static void test_separation_predicted(void **st)
{
    (void)st;
    for (int all = 0; all <= 1; all++)
        for (size_t k = 0; k < N_REFS; k++) {
            struct rec r;
            struct det *d = mk(&r, refs[k], all);
            struct trk_track t[2] = {at(1, TRK_KIND_AIRCRAFT, LAT0, 179.5, 30000, 250, 0, 0),
                                     at(2, TRK_KIND_AIRCRAFT, LAT0, -179.5, 30000, -250, 0, 0)};
            eval(d, t, 2, 0);
            uint8_t sev;
            double lat, lon;
            const char *txt;
            assert_true(first_open(&r, DET_RULE_SEPARATION, &sev, &lat, &lon, &txt));
            printf("ref %g all_pairs %d: %s (%.5f, %.5f)\n", refs[k], all, txt, lat, lon);
            assert_int_equal(sev, DET_SEV_CAUTION);
            assert_non_null(strstr(txt, "in 93 s"));
            assert_true(fabs(lat - LAT0) < 1e-6);
            assert_true(lon > 180.0 - 1e-6 || lon < -180.0 + 1e-6);
            /* 100 s later, 5.0 km apart on either side of 180: actual */
            for (int s = 10; s <= 100; s += 10) {
                t[0].lon_deg = 179.5 + 250.0 * s / 55600.0;
                t[1].lon_deg = -179.5 - 250.0 * s / 55600.0;
                t[0].t_state_ms = t[1].t_state_ms = s * SEC;
                eval(d, t, 2, s * SEC);
            }
            size_t warn = 0;
            for (size_t i = 0; i < r.n; i++)
                warn += r.ev[i].rule == DET_RULE_SEPARATION && r.ev[i].state == DET_ST_UPDATED &&
                        r.ev[i].severity >= DET_SEV_WARNING;
            assert_true(warn >= 1);
            assert_int_equal(opened(&r, DET_RULE_SEPARATION), 1); /* one alert throughout */
            det_free(d);
        }
    struct rec r;
    struct det *d = mk(&r, 0.0, 0);
    struct trk_track t[2] = {at(1, TRK_KIND_AIRCRAFT, LAT0, 179.5, 30000, 250, 0, 0),
                             at(2, TRK_KIND_AIRCRAFT, LAT0, -179.5, 30000, -250, 0, 0)};
    eval(d, t, 2, 0);
    assert_int_equal(opened(&r, DET_RULE_SEPARATION), 0);
    det_free(d);
}

/* A picture far from 180 (a crossing near 10 E at 50 N) raises the same
 * alerts, with the same values, at the same places (to rounding) whatever
 * the reference within 170 degrees of it. */
static void test_shift_invariant(void **st)
{
    (void)st;
    static const double other[] = {0.0, 90.0, -100.0, 179.0};
    char text0[DET_TEXT_LEN] = "";
    double lat0 = 0, lon0 = 0;
    for (size_t k = 0; k < sizeof other / sizeof other[0]; k++) {
        struct rec r;
        struct det *d = mk(&r, other[k], 0);
        struct trk_track t[3] = {at(1, TRK_KIND_AIRCRAFT, 50.0, 10.0, 30000, 200, 0, 0),
                                 at(2, TRK_KIND_AIRCRAFT, 50.0, 10.5, 30000, -200, 10, 0),
                                 at(3, TRK_KIND_AIRCRAFT, 50.2, 10.2, 31000, 0, -200, 0)};
        eval(d, t, 3, 0);
        uint8_t sev;
        double lat, lon;
        const char *txt;
        assert_true(first_open(&r, DET_RULE_SEPARATION, &sev, &lat, &lon, &txt));
        printf("ref %g: %zu changes, first %s (%.9f, %.9f)\n", other[k], r.n, txt, lat, lon);
        if (k == 0) {
            snprintf(text0, sizeof text0, "%s", txt);
            lat0 = lat;
            lon0 = lon;
            assert_true(lon > 10.0 && lon < 10.5);
        } else {
            assert_string_equal(txt, text0);
            assert_true(fabs(lat - lat0) < 1e-9 && fabs(lon - lon0) < 1e-9);
        }
        det_free(d);
    }
}

/* ----------------------------------------------------------- SEA_CPA */

/* Two vessels 0.02 degree (1.1 km) apart across 180, on a collision course
 * at 5 m/s each: closest 0 NM in 111 s, WARNING. */
static void test_sea_cpa(void **st)
{
    (void)st;
    for (size_t k = 0; k < N_REFS + 1; k++) {
        double ref = k < N_REFS ? refs[k] : 0.0;
        struct rec r;
        struct det *d = mk(&r, ref, 0);
        struct trk_track t[2] = {at(1, TRK_KIND_VESSEL, LAT0, 179.99, INT32_MIN, 5, 0, 0),
                                 at(2, TRK_KIND_VESSEL, LAT0, -179.99, INT32_MIN, -5, 0, 0)};
        eval(d, t, 2, 0);
        uint8_t sev;
        double lat, lon;
        const char *txt;
        if (ref == 0.0) { /* the limit without a reference */
            assert_int_equal(opened(&r, DET_RULE_SEA_CPA), 0);
            det_free(d);
            continue;
        }
        assert_true(first_open(&r, DET_RULE_SEA_CPA, &sev, &lat, &lon, &txt));
        printf("ref %g: %s (%.5f, %.5f)\n", ref, txt, lat, lon);
        assert_int_equal(sev, DET_SEV_WARNING);
        assert_non_null(strstr(txt, "pass 0.00 NM apart in 111 s"));
        assert_true(lon > 180.0 - 1e-6 || lon < -180.0 + 1e-6);
        det_free(d);
    }
}

/* ---------------------------------------------------------- LOW_PASS */

/* An aircraft at 500 ft 0.015 degree (0.45 NM) across 180 from a vessel. */
static void test_low_pass(void **st)
{
    (void)st;
    for (size_t k = 0; k < N_REFS + 1; k++) {
        double ref = k < N_REFS ? refs[k] : 0.0;
        struct rec r;
        struct det *d = mk(&r, ref, 0);
        struct trk_track t[2] = {at(1, TRK_KIND_AIRCRAFT, LAT0, -179.995, 500, 0, 100, 0),
                                 at(2, TRK_KIND_VESSEL, LAT0, 179.99, INT32_MIN, 0, 3, 0)};
        eval(d, t, 2, 0);
        if (ref == 0.0) {
            assert_int_equal(opened(&r, DET_RULE_LOW_PASS), 0);
            det_free(d);
            continue;
        }
        uint8_t sev;
        double lat, lon;
        const char *txt;
        assert_true(first_open(&r, DET_RULE_LOW_PASS, &sev, &lat, &lon, &txt));
        printf("ref %g: %s (%.5f, %.5f)\n", ref, txt, lat, lon);
        assert_int_equal(sev, DET_SEV_CAUTION);
        assert_non_null(strstr(txt, "0.45 NM away"));
        assert_true(fabs(lon - 179.99) < 1e-9); /* the vessel's place */
        det_free(d);
    }
}

/* ---------------------------------------------------- NO_TRANSPONDER */

/* A primary-only target (3 scans) 0.2 degree (6.0 NM) across 180 from an
 * airliner: near traffic, WARNING; CAUTION alone without a reference. */
static void test_no_transponder_near(void **st)
{
    (void)st;
    for (size_t k = 0; k < N_REFS + 1; k++) {
        double ref = k < N_REFS ? refs[k] : 0.0;
        struct rec r;
        struct det *d = mk(&r, ref, 0);
        struct trk_track t[2] = {at(1, TRK_KIND_UNKNOWN, LAT0, 179.9, INT32_MIN, 0, 120, 0),
                                 at(2, TRK_KIND_AIRCRAFT, LAT0, -179.9, 30000, 0, 230, 0)};
        t[0].primary_only_scans = 3;
        t[0].last_src_ms[TRK_SOURCE_PSR] = 0;
        eval(d, t, 2, 0);
        uint8_t sev;
        double lat, lon;
        const char *txt;
        assert_true(first_open(&r, DET_RULE_NO_TRANSPONDER, &sev, &lat, &lon, &txt));
        printf("ref %g: %s (%.5f, %.5f)\n", ref, txt, lat, lon);
        assert_true(fabs(lon - 179.9) < 1e-9);
        if (ref == 0.0) {
            assert_int_equal(sev, DET_SEV_CAUTION);
        } else {
            assert_int_equal(sev, DET_SEV_WARNING);
            assert_non_null(strstr(txt, "6.0 NM from track 2"));
        }
        det_free(d);
    }
}

/* -------------------------------------------------- ZONE and AIS_GAP */

/* A zone whose east edge is the antimeridian (179.7 E to 180, 60.0-60.2
 * N), as in test_det_sea, now with a reference: the zone is queried in
 * true longitudes, the places are the tracks' own. */
#define ZONE_180                                                                                   \
    "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{"         \
    "\"name\":\"E180\",\"kind\":\"territorial\"},\"geometry\":{\"type\":\"Polygon\","              \
    "\"coordinates\":[[[179.7,60.0],[180,60.0],[180,60.2],[179.7,60.2],[179.7,60.0]]]}}]}"

static void test_zone_180(void **st)
{
    (void)st;
    struct geo_zones *zs = NULL;
    char err[256];
    assert_int_equal(geo_zones_parse(ZONE_180, strlen(ZONE_180), &zs, err, sizeof err), 0);
    for (size_t k = 0; k < N_REFS + 1; k++) {
        double ref = k < N_REFS ? refs[k] : 0.0;
        uint8_t sev;
        double lat, lon;
        const char *txt;
        /* 1.5 NM east of the edge, across 180, flying north-east: approach
         * by distance */
        struct rec r;
        struct det *d = mk(&r, ref, 0);
        det_set_zones(d, zs);
        struct trk_track t = at(1, TRK_KIND_AIRCRAFT, LAT0, -179.95, 5000, 50, 100, 0);
        eval(d, &t, 1, 0);
        assert_true(first_open(&r, DET_RULE_ZONE, &sev, &lat, &lon, &txt));
        printf("ref %g: %s (%.5f, %.5f)\n", ref, txt, lat, lon);
        assert_int_equal(sev, DET_SEV_CAUTION);
        assert_non_null(strstr(txt, "is 1.5 NM from territorial zone \"E180\"."));
        assert_true(fabs(lon - -179.95) < 1e-9);
        det_free(d);
        /* 12 NM east of the edge flying west at 200 m/s: entry in 111 s */
        d = mk(&r, ref, 0);
        det_set_zones(d, zs);
        t = at(1, TRK_KIND_AIRCRAFT, LAT0, -179.6, 5000, -200, 0, 0);
        eval(d, &t, 1, 0);
        assert_true(first_open(&r, DET_RULE_ZONE, &sev, &lat, &lon, &txt));
        printf("ref %g: %s\n", ref, txt);
        assert_non_null(
            strstr(txt, "is 12.0 NM from territorial zone \"E180\" and enters it in 111 s"));
        assert_true(fabs(lon - -179.6) < 1e-9);
        /* on: inside, west of 180, the entry (ALERT for a territorial zone) */
        t.lon_deg = 179.9;
        t.t_state_ms = 120 * SEC;
        eval(d, &t, 1, 120 * SEC);
        assert_true(r.n >= 2);
        assert_int_equal(r.ev[r.n - 1].state, DET_ST_UPDATED);
        assert_int_equal(r.ev[r.n - 1].severity, DET_SEV_ALERT);
        assert_true(fabs(r.ev[r.n - 1].lon - 179.9) < 1e-9);
        det_free(d);
        /* a vessel 1.5 NM across 180 whose AIS stopped 70 s ago: near the
         * zone, WARNING */
        d = mk(&r, ref, 0);
        det_set_zones(d, zs);
        t = at(2, TRK_KIND_VESSEL, LAT0, -179.95, INT32_MIN, 0, 5, 0);
        t.last_src_ms[TRK_SOURCE_AIS] = 1 * SEC;
        t.n_sensors = 1;
        t.sensors[0].sensor_id = 9;
        t.sensors[0].src_mask = (uint8_t)TRK_SRC_BIT(TRK_SOURCE_AIS);
        t.sensors[0].n = 20;
        t.sensors[0].last_t_ms = 1 * SEC;
        t.sensors[0].interval_ms = 10000;
        t.t_last_ms = 1 * SEC;
        eval(d, &t, 1, 71 * SEC);
        assert_true(first_open(&r, DET_RULE_AIS_GAP, &sev, &lat, &lon, &txt));
        printf("ref %g: %s\n", ref, txt);
        assert_int_equal(sev, DET_SEV_WARNING);
        assert_non_null(strstr(txt, "1.5 NM from territorial zone \"E180\"."));
        det_free(d);
    }
    geo_zones_free(zs);
}

/* Single-track alerts name the track's place in true longitude whatever
 * the reference: an emergency at 179.99 W moving east, seen 10 s after its
 * state (extrapolated 0.045 deg, to 179.945 W). */
static void test_place(void **st)
{
    (void)st;
    for (size_t k = 0; k < N_REFS + 1; k++) {
        double ref = k < N_REFS ? refs[k] : 0.0;
        struct rec r;
        struct det *d = mk(&r, ref, 0);
        struct trk_track t = at(1, TRK_KIND_AIRCRAFT, LAT0, -179.99, 20000, 250, 0, 0);
        t.ids |= TRK_ID_SQUAWK;
        t.squawk = 07700;
        eval(d, &t, 1, 10 * SEC);
        uint8_t sev;
        double lat, lon;
        const char *txt;
        assert_true(first_open(&r, DET_RULE_EMERGENCY, &sev, &lat, &lon, &txt));
        double m_lat, m_lon;
        det_m_per_deg(LAT0, &m_lat, &m_lon);
        printf("ref %g: (%.6f, %.6f)\n", ref, lat, lon);
        assert_true(fabs(lon - (-179.99 + 2500.0 / m_lon)) < 1e-9);
        det_free(d);
        /* and west of 180 moving west, the same way */
        d = mk(&r, ref, 0);
        t = at(1, TRK_KIND_AIRCRAFT, LAT0, 179.99, 20000, -250, 0, 0);
        t.ids |= TRK_ID_SQUAWK;
        t.squawk = 07700;
        eval(d, &t, 1, 10 * SEC);
        assert_true(first_open(&r, DET_RULE_EMERGENCY, &sev, &lat, &lon, &txt));
        assert_true(fabs(lon - (179.99 - 2500.0 / m_lon)) < 1e-9);
        det_free(d);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wrap),
        cmocka_unit_test(test_separation_actual),
        cmocka_unit_test(test_separation_predicted),
        cmocka_unit_test(test_shift_invariant),
        cmocka_unit_test(test_sea_cpa),
        cmocka_unit_test(test_low_pass),
        cmocka_unit_test(test_no_transponder_near),
        cmocka_unit_test(test_zone_180),
        cmocka_unit_test(test_place),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
