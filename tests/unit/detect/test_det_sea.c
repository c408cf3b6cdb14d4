/*
 * test_det_sea.c — the rules about zones and the sea on synthetic tracks
 * and a fake clock: ZONE (predicted approach, approach, entry, the zone's
 * window, vertical limits, applies_to, clutter, det_set_zones), SEA_CPA
 * (crossing, collision course, beyond the horizon, anchored pairs, the
 * spatial index against all pairs), LOW_PASS (passes counted and the
 * alert UPDATED, the count kept while the aircraft is away, high passes
 * silent, the pair table full), AIS_GAP (at anchor every 3 minutes silent,
 * a ship under way stopping for 2 minutes raises, shorter near a zone, and
 * the same through the real tracker), and the baltic-sea scenario's movers
 * as hand-made tracks against scenarios/baltic-zones.geojson. det_check runs
 * after every evaluation; the recorder checks D3.
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
#include "geo/geo.h"
#include "geo/zones.h"
#include "track/track.h"

#define SEC   1000LL
#define LAT0  50.0
#define LON0  10.0
#define M_LAT 111229.0 /* metres per degree of latitude near 50 N */
#define M_LON 71696.0  /* metres per degree of longitude near 50 N */
#define NM    1852.0

/* ------------------------------------------------------------ recorder */

#define MAX_EV 512
struct rec {
    size_t n;
    struct {
        uint32_t id;
        uint8_t rule, state, severity;
        uint64_t key;
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
    for (const char *p = a->text; *p; p++)
        assert_true(*p >= 0x20 && *p < 0x7F);
    r->ev[r->n].id = a->id;
    r->ev[r->n].rule = a->rule;
    r->ev[r->n].state = a->state;
    r->ev[r->n].severity = a->severity;
    r->ev[r->n].key = a->key;
    memcpy(r->ev[r->n].text, a->text, DET_TEXT_LEN);
    r->n++;
}

static struct det *mk_cfg(struct rec *r, const struct det_config *c)
{
    struct det *d = NULL;
    memset(r, 0, sizeof *r);
    assert_int_equal(det_new(c, on_change, r, &d), 0);
    return d;
}

static struct det *mk(struct rec *r)
{
    struct det_config c;
    det_config_default(&c);
    c.max_tracks = 64;
    c.max_alerts = 64;
    return mk_cfg(r, &c);
}

static int eval(struct det *d, const struct trk_track *t, size_t n, int64_t now)
{
    int rc = det_evaluate(d, t, n, now);
    assert_int_equal(det_check(d), 0);
    return rc;
}

static size_t count(const struct rec *r, uint8_t rule, uint8_t state)
{
    size_t k = 0;
    for (size_t i = 0; i < r->n; i++)
        k += r->ev[i].rule == rule && r->ev[i].state == state;
    return k;
}

/* The last event of a rule, or NULL. */
static const char *last_text(const struct rec *r, uint8_t rule, uint8_t *state, uint8_t *sev)
{
    for (size_t i = r->n; i-- > 0;)
        if (r->ev[i].rule == rule) {
            if (state)
                *state = r->ev[i].state;
            if (sev)
                *sev = r->ev[i].severity;
            return r->ev[i].text;
        }
    return NULL;
}

/* A track at (north_nm, east_nm) from (LAT0, LON0) moving (ve, vn) m/s. */
static struct trk_track mover(uint32_t id, uint8_t kind, double north_nm, double east_nm,
                              int32_t alt_ft, double ve, double vn, int64_t t)
{
    struct trk_track k;
    memset(&k, 0, sizeof k);
    k.id = id;
    k.status = TRK_ST_CONFIRMED;
    k.kind = kind;
    k.lat_deg = LAT0 + north_nm * NM / M_LAT;
    k.lon_deg = LON0 + east_nm * NM / M_LON;
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
        k.mmsi = 261000000u + id;
    } else if (kind == TRK_KIND_AIRCRAFT) {
        k.ids = TRK_ID_ICAO;
        k.icao = 0x48A000u + id;
    }
    return k;
}

/* A vessel whose AIS receiver (sensor 9) learnt interval_ms and last heard
 * it at last_ms. */
static void ais(struct trk_track *k, int32_t interval_ms, int64_t last_ms)
{
    k->last_src_ms[TRK_SOURCE_AIS] = last_ms;
    k->n_sensors = 1;
    k->sensors[0].sensor_id = 9;
    k->sensors[0].src_mask = (uint8_t)TRK_SRC_BIT(TRK_SOURCE_AIS);
    k->sensors[0].n = 20;
    k->sensors[0].last_t_ms = last_ms;
    k->sensors[0].interval_ms = interval_ms;
    if (k->t_last_ms < last_ms)
        k->t_last_ms = last_ms;
}

static struct geo_zones *zones(const char *json)
{
    char err[256];
    struct geo_zones *zs = NULL;
    int rc = geo_zones_parse(json, strlen(json), &zs, err, sizeof err);
    if (rc)
        fprintf(stderr, "%s\n", err);
    assert_int_equal(rc, 0);
    return zs;
}

/* A square 0.2 deg of latitude x 0.3 deg of longitude north of the
 * reference point (its south edge 0.1 deg = 6.0 NM north of it). */
#define SQUARE "[[[10,50.1],[10.3,50.1],[10.3,50.3],[10,50.3],[10,50.1]]]"
#define ZONE(props)                                                                                \
    "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{" props   \
    "},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":" SQUARE "}}]}"

/* ----------------------------------------------------------------- ZONE */

static void test_zone(void **st)
{
    (void)st;
    struct rec r;
    struct det *d = mk(&r);
    struct geo_zones *zs = zones(ZONE("\"name\":\"Terr \\u00e9\",\"kind\":\"territorial\""));
    det_set_zones(d, zs);
    uint8_t state, sev;
    const char *txt;
    /* 6.0 NM south of the edge, 100 m/s north: beyond the 5 NM approach
     * distance, entry predicted in 111 s */
    struct trk_track t = mover(1, TRK_KIND_AIRCRAFT, 0, 9, 5000, 0, 100, 0);
    assert_int_equal(eval(d, &t, 1, 0), 0);
    txt = last_text(&r, DET_RULE_ZONE, &state, &sev);
    assert_non_null(txt);
    puts(txt);
    assert_int_equal(state, DET_ST_OPEN);
    assert_int_equal(sev, DET_SEV_CAUTION);
    assert_non_null(strstr(txt,
                           "Zone approach: track 1 ICAO 48A001 is 6.0 NM from territorial zone "
                           "\"Terr ?\" and enters it in 111 s"));
    /* within the approach distance: the same alert, no change */
    t = mover(1, TRK_KIND_AIRCRAFT, 2, 9, 5000, 0, 100, 4 * SEC);
    assert_int_equal(eval(d, &t, 1, 4 * SEC), 0);
    assert_int_equal(r.n, 1);
    /* inside: UPDATED to ALERT */
    t = mover(1, TRK_KIND_AIRCRAFT, 7, 9, 5000, 0, 100, 8 * SEC);
    assert_int_equal(eval(d, &t, 1, 8 * SEC), 0);
    txt = last_text(&r, DET_RULE_ZONE, &state, &sev);
    assert_int_equal(state, DET_ST_UPDATED);
    assert_int_equal(sev, DET_SEV_ALERT);
    assert_non_null(strstr(txt, "Zone entry: track 1 ICAO 48A001 is inside territorial zone"));
    /* far away, heading away: cleared after the hold */
    t = mover(1, TRK_KIND_AIRCRAFT, -30, 9, 5000, 0, -100, 12 * SEC);
    assert_int_equal(eval(d, &t, 1, 12 * SEC), 0);
    assert_int_equal(eval(d, &t, 1, 30 * SEC), 0);
    assert_int_equal(count(&r, DET_RULE_ZONE, DET_ST_CLEARED), 1);
    /* heading away from the edge 3 NM off: approach by distance, no time */
    t = mover(1, TRK_KIND_VESSEL, 3, 9, INT32_MIN, 0, -5, 40 * SEC);
    assert_int_equal(eval(d, &t, 1, 40 * SEC), 0);
    txt = last_text(&r, DET_RULE_ZONE, &state, &sev);
    assert_int_equal(state, DET_ST_OPEN);
    assert_non_null(strstr(txt, "is 3.0 NM from territorial zone \"Terr ?\"."));
    det_set_zones(d, NULL);
    assert_int_equal(eval(d, &t, 1, 50 * SEC), 0);
    assert_int_equal(eval(d, &t, 1, 60 * SEC), 0);
    assert_int_equal(det_count(d), 0);
    det_free(d);
    geo_zones_free(zs);
}

static void test_zone_filters(void **st)
{
    (void)st;
    struct rec r;
    struct det *d = mk(&r);
    /* exercise area for vessels, 2016-04-12 06:00-18:00 */
    struct geo_zones *zs = zones(ZONE(
        "\"name\":\"EX\",\"kind\":\"exercise\",\"applies_to\":\"vessel\",\"from\":\"2016-04-12T06:"
        "00:00Z\",\"until\":\"2016-04-12T18:00:00Z\""));
    det_set_zones(d, zs);
    const int64_t T6 = 1460440800000LL;
    struct trk_track t[2];
    t[0] = mover(1, TRK_KIND_VESSEL, 7, 9, INT32_MIN, 5, 0, T6 - 60 * SEC);
    t[1] = mover(2, TRK_KIND_AIRCRAFT, 7, 9, 5000, 100, 0, T6 - 60 * SEC);
    assert_int_equal(eval(d, t, 2, T6 - 60 * SEC), 0); /* before the window */
    assert_int_equal(r.n, 0);
    t[0].t_state_ms = t[1].t_state_ms = T6;
    assert_int_equal(eval(d, t, 2, T6), 0); /* the vessel only */
    assert_int_equal(r.n, 1);
    assert_int_equal(r.ev[0].severity, DET_SEV_WARNING);
    assert_int_equal(r.ev[0].key, ((uint64_t)1 << 32) | 1u);
    det_free(d);
    geo_zones_free(zs);

    /* airspace from 1,000 to 10,000 ft */
    d = mk(&r);
    zs = zones(ZONE("\"name\":\"C\",\"kind\":\"caution\",\"floor_ft\":1000,\"ceiling_ft\":10000"));
    det_set_zones(d, zs);
    t[0] = mover(1, TRK_KIND_AIRCRAFT, 7, 9, 20000, 100, 0, 0); /* above */
    t[1] = mover(2, TRK_KIND_VESSEL, 7, 9, INT32_MIN, 3, 0, 0); /* below the floor */
    assert_int_equal(eval(d, t, 2, 0), 0);
    assert_int_equal(r.n, 0);
    t[0] = mover(1, TRK_KIND_UNKNOWN, 7, 9, INT32_MIN, 100, 0, 4 * SEC); /* primary only */
    assert_int_equal(eval(d, t, 1, 4 * SEC), 0);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.ev[0].severity, DET_SEV_CAUTION);
    assert_non_null(
        strstr(r.ev[0].text, "track 1 (altitude unknown) is inside caution area \"C\""));
    /* stationary clutter inside raises nothing */
    t[0] = mover(3, TRK_KIND_UNKNOWN, 7, 9, INT32_MIN, 0.1, 0, 8 * SEC);
    t[0].flags |= TRK_F_SLOW;
    size_t before = r.n;
    assert_int_equal(eval(d, t, 1, 8 * SEC), 0);
    assert_int_equal(r.n, before);
    det_free(d);
    geo_zones_free(zs);
}

/* A zone whose east edge is the antimeridian (a ring from 179.7 E to
 * 180, 60.0-60.2 N) and tracks just across it, at 179.95 W and beyond:
 * the same distances as on its own side of 180. At 60.1 N a degree of
 * longitude is 55.8 km: 0.05 deg is 1.5 NM. */
#define ZONE_180                                                                                   \
    "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{"         \
    "\"name\":\"E180\",\"kind\":\"territorial\"},\"geometry\":{\"type\":\"Polygon\","              \
    "\"coordinates\":[[[179.7,60.0],[180,60.0],[180,60.2],[179.7,60.2],[179.7,60.0]]]}}]}"

static struct trk_track at_lon(uint32_t id, uint8_t kind, double lon, double ve, int64_t t)
{
    struct trk_track k =
        mover(id, kind, 0, 0, kind == TRK_KIND_AIRCRAFT ? 5000 : INT32_MIN, ve, 0, t);
    k.lat_deg = 60.1;
    k.lon_deg = lon;
    return k;
}

static void test_zone_antimeridian(void **st)
{
    (void)st;
    struct rec r;
    struct det *d = mk(&r);
    struct geo_zones *zs = zones(ZONE_180);
    det_set_zones(d, zs);
    uint8_t state, sev;
    const char *txt;
    /* 1.5 NM east of the edge, across 180, flying north-east away from
     * it: approach by distance */
    struct trk_track t = at_lon(1, TRK_KIND_AIRCRAFT, -179.95, 50, 0);
    t.vn_mps = 100;
    assert_int_equal(eval(d, &t, 1, 0), 0);
    txt = last_text(&r, DET_RULE_ZONE, &state, &sev);
    assert_non_null(txt);
    puts(txt);
    assert_int_equal(sev, DET_SEV_CAUTION);
    assert_non_null(strstr(txt, "is 1.5 NM from territorial zone \"E180\"."));
    det_free(d);

    /* 0.4 deg (12 NM) east of the edge, flying west at 200 m/s: entry
     * predicted in 111 s, across 180 */
    d = mk(&r);
    det_set_zones(d, zs);
    t = at_lon(1, TRK_KIND_AIRCRAFT, -179.6, -200, 0);
    assert_int_equal(eval(d, &t, 1, 0), 0);
    txt = last_text(&r, DET_RULE_ZONE, &state, &sev);
    assert_non_null(txt);
    puts(txt);
    assert_non_null(
        strstr(txt, "is 12.0 NM from territorial zone \"E180\" and enters it in 111 s"));
    det_free(d);

    /* a vessel 1.5 NM across 180 whose AIS (every 10 s) stopped 70 s ago:
     * near the zone, the shorter tolerance (60 s), WARNING */
    d = mk(&r);
    det_set_zones(d, zs);
    t = at_lon(2, TRK_KIND_VESSEL, -179.95, 0, 0);
    t.vn_mps = 5;
    t.gs_mps = 5;
    ais(&t, 10000, 1 * SEC);
    assert_int_equal(eval(d, &t, 1, 71 * SEC), 0);
    txt = last_text(&r, DET_RULE_AIS_GAP, &state, &sev);
    assert_non_null(txt);
    puts(txt);
    assert_int_equal(sev, DET_SEV_WARNING);
    assert_non_null(strstr(txt, "1.5 NM from territorial zone \"E180\"."));
    det_free(d);
    geo_zones_free(zs);
}

/* A radar-only aircraft (PSR and SSR plots, no ADS-B) north_nm north of
 * the reference point and 0.5 NM west of the square's west edge, on course
 * c (deg) at 200 m/s; man: its tracker's turn models outweigh constant
 * velocity (TRK_F_MANOEUVRE). Its straight line enters the square (16 NM
 * north, within 150 s) on courses of 2 to 35 degrees, not below 2. */
static struct trk_track radar_air(double c, int man, int64_t t)
{
    double a = c * 3.14159265358979 / 180.0;
    struct trk_track k =
        mover(1, TRK_KIND_AIRCRAFT, -10, -0.5, 20000, 200 * sin(a), 200 * cos(a), t);
    k.last_src_ms[TRK_SOURCE_PSR] = k.last_src_ms[TRK_SOURCE_SSR] = t;
    if (man)
        k.flags |= TRK_F_MANOEUVRE;
    return k;
}

/* A course from radar plots alone is predicted along its straight line
 * unless it turns: the turn rate of detect.c's turn_rate, seen by ZONE. */
static void test_zone_radar_turn(void **st)
{
    (void)st;
    struct geo_zones *zs = zones(ZONE("\"name\":\"T\",\"kind\":\"territorial\""));
    struct rec r;
    /* A right turn at 3 deg/s into the square (two readings: taken), then
     * 1 and 0.5 deg/s: the smoothed rate still says turning (2.2, 1.5), so
     * no straight line while the tracker's turn models hold; once they no
     * longer outweigh constant velocity the turn has ended and the line
     * enters at once. */
    for (int cleared = 0; cleared < 2; cleared++) {
        struct det *d = mk(&r);
        det_set_zones(d, zs);
        static const double c[] = {-6, 0, 6, 8, 9};
        for (int k = 0; k < 5; k++) {
            struct trk_track t = radar_air(c[k], k < 4 || !cleared, k * 2 * SEC);
            assert_int_equal(eval(d, &t, 1, k * 2 * SEC), 0);
            if (k < 4)
                assert_int_equal(r.n, 0);
        }
        assert_int_equal(r.n, (size_t)cleared);
        if (cleared)
            assert_non_null(strstr(r.ev[0].text, "enters it in"));
        det_free(d);
    }
    /* A radar course wobbling by 10 degrees (5 deg/s over 2 s) into the
     * square: without the tracker's turn models it is the plots' noise and
     * the line is drawn at once; with them it is a candidate turn and is
     * not. */
    for (int man = 0; man < 2; man++) {
        struct det *d = mk(&r);
        det_set_zones(d, zs);
        struct trk_track t = radar_air(-6, man, 0);
        assert_int_equal(eval(d, &t, 1, 0), 0);
        assert_int_equal(r.n, 0);
        t = radar_air(4, man, 2 * SEC);
        assert_int_equal(eval(d, &t, 1, 2 * SEC), 0);
        assert_int_equal(r.n, (size_t)!man);
        det_free(d);
    }
    /* A left turn taken (3 deg/s twice), then the course swings back right
     * into the square (4.5 deg/s over 4 s): the smoothed rate falls to 0,
     * but the course is not flying straight: a candidate, no line; the
     * next reading without a change is straight, and the line enters. */
    struct det *d = mk(&r);
    det_set_zones(d, zs);
    static const double c[] = {-2, -8, -14};
    for (int k = 0; k < 3; k++) {
        struct trk_track t = radar_air(c[k], 1, k * 2 * SEC);
        assert_int_equal(eval(d, &t, 1, k * 2 * SEC), 0);
    }
    struct trk_track t = radar_air(4, 1, 8 * SEC);
    assert_int_equal(eval(d, &t, 1, 8 * SEC), 0);
    assert_int_equal(r.n, 0);
    t = radar_air(4, 1, 10 * SEC);
    assert_int_equal(eval(d, &t, 1, 10 * SEC), 0);
    assert_int_equal(r.n, 1);
    det_free(d);
    geo_zones_free(zs);
}

/* -------------------------------------------------------------- SEA_CPA */

static void test_sea_cpa(void **st)
{
    (void)st;
    struct rec r;
    struct det *d = mk(&r);
    struct trk_track t[2];
    /* head-on, 3 NM apart, 6 m/s each, 0.2 NM abeam: CPA 0.2 NM in 463 s */
    t[0] = mover(1, TRK_KIND_VESSEL, 0, 0, INT32_MIN, 6, 0, 0);
    t[1] = mover(2, TRK_KIND_VESSEL, 0.2, 3, INT32_MIN, -6, 0, 0);
    assert_int_equal(eval(d, t, 2, 0), 0);
    uint8_t state, sev;
    const char *txt = last_text(&r, DET_RULE_SEA_CPA, &state, &sev);
    assert_non_null(txt);
    puts(txt);
    assert_int_equal(sev, DET_SEV_CAUTION);
    assert_non_null(strstr(txt, "pass 0.20 NM apart in 463 s (now 3.01 NM)"));
    /* a collision course (0.05 NM): WARNING */
    t[1] = mover(2, TRK_KIND_VESSEL, 0.05, 3, INT32_MIN, -6, 0, 4 * SEC);
    t[0].t_state_ms = 4 * SEC;
    assert_int_equal(eval(d, t, 2, 4 * SEC), 0);
    txt = last_text(&r, DET_RULE_SEA_CPA, &state, &sev);
    assert_int_equal(state, DET_ST_UPDATED);
    assert_int_equal(sev, DET_SEV_WARNING);
    det_free(d);

    d = mk(&r);
    /* 1 NM abeam; 10 NM apart (CPA in 1,543 s, beyond 10 min); diverging */
    t[1] = mover(2, TRK_KIND_VESSEL, 1.0, 3, INT32_MIN, -6, 0, 0);
    t[0] = mover(1, TRK_KIND_VESSEL, 0, 0, INT32_MIN, 6, 0, 0);
    assert_int_equal(eval(d, t, 2, 0), 0);
    t[1] = mover(2, TRK_KIND_VESSEL, 0.1, 10, INT32_MIN, -6, 0, 0);
    assert_int_equal(eval(d, t, 2, 0), 0);
    t[1] = mover(2, TRK_KIND_VESSEL, 0.1, 0.3, INT32_MIN, 6, 0, 0);
    t[0] = mover(1, TRK_KIND_VESSEL, 0, 0, INT32_MIN, -6, 0, 0);
    assert_int_equal(eval(d, t, 2, 0), 0);
    /* two aircraft on a collision course are not SEA_CPA's business */
    t[0] = mover(1, TRK_KIND_AIRCRAFT, 0, 0, 30000, 6, 0, 0);
    t[1] = mover(2, TRK_KIND_AIRCRAFT, 0.05, 3, 36000, -6, 0, 0);
    assert_int_equal(eval(d, t, 2, 0), 0);
    assert_int_equal(count(&r, DET_RULE_SEA_CPA, DET_ST_OPEN), 0);
    /* at anchor 300 m apart, drifting towards each other: nothing; 80 m: CAUTION */
    t[0] = mover(1, TRK_KIND_VESSEL, 0, 0, INT32_MIN, 0.3, 0, 0);
    t[1] = mover(2, TRK_KIND_VESSEL, 0, 300.0 / NM, INT32_MIN, -0.3, 0, 0);
    assert_int_equal(eval(d, t, 2, 0), 0);
    assert_int_equal(count(&r, DET_RULE_SEA_CPA, DET_ST_OPEN), 0);
    t[1] = mover(2, TRK_KIND_VESSEL, 0, 80.0 / NM, INT32_MIN, -0.3, 0, 0);
    assert_int_equal(eval(d, t, 2, 0), 0);
    txt = last_text(&r, DET_RULE_SEA_CPA, &state, &sev);
    assert_non_null(txt);
    assert_non_null(strstr(txt, "both slow, are 80 m apart"));
    det_free(d);
}

static double urand(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(*s >> 11) / 9007199254740992.0;
}

struct keys {
    size_t n;
    uint64_t k[16384];
    uint8_t sev[16384];
};

static void collect(void *arg, const struct det_alert *a)
{
    struct keys *k = arg;
    if (a->rule == DET_RULE_SEA_CPA && a->state == DET_ST_OPEN && k->n < 16384) {
        k->k[k->n] = a->key;
        k->sev[k->n++] = a->severity;
    }
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* 2,000 vessels in a busy sea (120 x 80 NM): the spatial index finds
 * exactly the all-pairs SEA_CPA alerts. */
static void test_sea_cpa_index(void **st)
{
    (void)st;
    enum { N = 2000 };
    struct trk_track *t = calloc(N, sizeof *t);
    struct keys *ka = calloc(1, sizeof *ka), *kb = calloc(1, sizeof *kb);
    assert_true(t && ka && kb);
    uint64_t s = 0x5EA5EAull;
    for (uint32_t i = 0; i < N; i++) {
        double sp = urand(&s) < 0.2 ? 0.2 * urand(&s) : 2 + 8 * urand(&s);
        double c = 2 * 3.14159265358979 * urand(&s);
        t[i] = mover(i + 1, TRK_KIND_VESSEL, 80 * urand(&s), 120 * urand(&s), INT32_MIN,
                     sp * sin(c), sp * cos(c), 0);
    }
    struct det_config c;
    det_config_default(&c);
    c.max_tracks = N;
    c.max_alerts = 8192;
    struct det *da = NULL, *db = NULL;
    assert_int_equal(det_new(&c, collect, ka, &da), 0);
    c.all_pairs = 1;
    assert_int_equal(det_new(&c, collect, kb, &db), 0);
    assert_int_equal(det_evaluate(da, t, N, 0), 0);
    assert_int_equal(det_evaluate(db, t, N, 0), 0);
    printf("SEA_CPA: %zu alerts indexed, %zu all pairs\n", ka->n, kb->n);
    assert_true(ka->n > 20);
    assert_int_equal(ka->n, kb->n);
    qsort(ka->k, ka->n, sizeof ka->k[0], cmp_u64);
    qsort(kb->k, kb->n, sizeof kb->k[0], cmp_u64);
    assert_memory_equal(ka->k, kb->k, ka->n * sizeof ka->k[0]);
    det_free(da);
    det_free(db);
    free(t);
    free(ka);
    free(kb);
}

/* ------------------------------------------------------------- LOW_PASS */

/* The aircraft (primary only, no altitude, 200 m/s) on a north-south
 * racetrack over a vessel at the reference point: at time s (s) it is
 * at north = 5 NM * sin(2 pi s / 240) on the vessel's meridian: over the
 * vessel at s = 0, 120, 240 ... (a pass every 2 minutes, 5 NM away between). */
static struct trk_track racetrack(double s, int32_t alt_ft)
{
    double w = 2 * 3.14159265358979 / 240.0;
    double north = 5.0 * sin(w * s), vn = 5.0 * NM * w * cos(w * s);
    struct trk_track a = mover(7, TRK_KIND_UNKNOWN, north, 0.05, alt_ft, 0, vn, (int64_t)(s * SEC));
    a.gs_mps = fabs(vn) < 60 ? 60 : fabs(vn); /* it turns at the ends, never slow */
    a.primary_only_scans = 10;
    return a;
}

static void test_low_pass(void **st)
{
    (void)st;
    struct rec r;
    struct det *d = mk(&r);
    struct trk_track t[2];
    t[0] = mover(1, TRK_KIND_VESSEL, 0, 0, INT32_MIN, 0, 0, 0);
    uint8_t state, sev;
    const char *txt;
    int64_t now = 0;
    /* three passes at 0, 120 and 240 s, evaluated every 4 s (the radar) */
    for (now = 0; now <= 250 * SEC; now += 4 * SEC) {
        t[0].t_state_ms = now;
        t[1] = racetrack((double)now / 1000.0, INT32_MIN);
        assert_int_equal(eval(d, t, 2, now), 0);
        if (now == 0) {
            txt = last_text(&r, DET_RULE_LOW_PASS, &state, &sev);
            assert_non_null(txt);
            puts(txt);
            assert_int_equal(state, DET_ST_OPEN);
            assert_int_equal(sev, DET_SEV_CAUTION);
            assert_non_null(strstr(txt, "Low pass 1 over track 1 MMSI 261000001: track 7, "
                                        "altitude unknown, 0.05 NM away."));
        }
    }
    assert_int_equal(count(&r, DET_RULE_LOW_PASS, DET_ST_OPEN), 1);
    assert_int_equal(count(&r, DET_RULE_LOW_PASS, DET_ST_UPDATED), 2);
    assert_int_equal(count(&r, DET_RULE_LOW_PASS, DET_ST_CLEARED), 0);
    txt = last_text(&r, DET_RULE_LOW_PASS, &state, &sev);
    assert_int_equal(sev, DET_SEV_WARNING);
    assert_non_null(strstr(txt, "Low pass 3 over"));
    /* between passes the alert stays live and says how many */
    t[1] = racetrack(300, INT32_MIN);
    assert_int_equal(eval(d, t, 2, 300 * SEC), 0);
    size_t cur = 0;
    const struct det_alert *a;
    while ((a = det_next(d, &cur)) && a->rule != DET_RULE_LOW_PASS)
        ;
    assert_non_null(a);
    puts(a->text);
    /* the last evaluation low and close: 244 s (0.52 NM; 1.04 NM at 248 s) */
    assert_non_null(strstr(a->text, "made 3, the last 56 s ago"));
    assert_int_equal(a->values[0].v, 3.0);
    /* the next pass at 2,000 ft: not low, not counted */
    size_t before = r.n;
    for (now = 304 * SEC; now <= 380 * SEC; now += 4 * SEC) {
        t[1] = racetrack((double)now / 1000.0, 2000);
        assert_int_equal(eval(d, t, 2, now), 0);
    }
    assert_int_equal(r.n, before);
    /* 30 NM away (beyond low_keep_m, 25 NM) for 2 minutes: cleared; back
     * within 15 min at 500 ft: the count goes on (a new alert, pass 4) */
    t[1] = mover(7, TRK_KIND_UNKNOWN, 30, 0, INT32_MIN, 0, 200, 400 * SEC);
    for (now = 400 * SEC; now <= 520 * SEC; now += 20 * SEC) {
        t[1].t_state_ms = now;
        assert_int_equal(eval(d, t, 2, now), 0);
    }
    assert_int_equal(count(&r, DET_RULE_LOW_PASS, DET_ST_CLEARED), 1);
    t[1] = racetrack(600, 500);
    t[1].kind = TRK_KIND_AIRCRAFT;
    t[1].t_state_ms = 600 * SEC;
    assert_int_equal(eval(d, t, 2, 600 * SEC), 0);
    txt = last_text(&r, DET_RULE_LOW_PASS, &state, &sev);
    puts(txt);
    assert_int_equal(state, DET_ST_OPEN);
    assert_non_null(strstr(txt, "Low pass 4 over track 1 MMSI 261000001: track 7, at 500 ft"));
    det_free(d);

    /* a table of one pair: the second aircraft is reported, not remembered */
    struct det_config c;
    det_config_default(&c);
    c.max_tracks = 8;
    c.max_alerts = 8;
    c.low_pairs = 1;
    d = mk_cfg(&r, &c);
    struct trk_track u[3];
    u[0] = mover(1, TRK_KIND_VESSEL, 0, 0, INT32_MIN, 0, 0, 0);
    u[1] = mover(2, TRK_KIND_AIRCRAFT, 0.2, 0, 300, 150, 0, 0);
    u[2] = mover(3, TRK_KIND_AIRCRAFT, -0.2, 0, 300, -150, 0, 0);
    assert_int_equal(eval(d, u, 3, 0), 0);
    assert_int_equal(count(&r, DET_RULE_LOW_PASS, DET_ST_OPEN), 2);
    assert_int_equal(det_stats(d)->low_full, 1);
    det_free(d);
}

/* -------------------------------------------------------------- AIS_GAP */

/* An aircraft whose transponder stopped keeps its last altitude on the
 * track (TRK_F_ALT), but primary radar measures none: after
 * no_xpdr_scans primary-only scans it is judged as a primary-only
 * aircraft, without altitude. Last reported at 5,000 ft, it passes 0.3 NM
 * from a vessel (LOW_PASS) inside a zone whose ceiling is 3,000 ft (ZONE);
 * with two replies missed it is still at 5,000 ft: neither. */
static void test_transponder_off_altitude(void **st)
{
    (void)st;
    struct rec r;
    struct det *d = mk(&r);
    struct geo_zones *zs = zones(ZONE("\"name\":\"LOW\",\"kind\":\"caution\",\"ceiling_ft\":3000"));
    det_set_zones(d, zs);
    struct trk_track t[2];
    t[0] = mover(1, TRK_KIND_VESSEL, 7, 9, INT32_MIN, 0, 0, 60 * SEC);
    t[1] = mover(2, TRK_KIND_AIRCRAFT, 7.3, 9, 5000, 100, 0, 60 * SEC);
    t[1].last_src_ms[TRK_SOURCE_MODES] = 20 * SEC;
    t[1].last_src_ms[TRK_SOURCE_PSR] = 60 * SEC;
    t[1].primary_only_scans = 2;
    assert_int_equal(eval(d, t, 2, 60 * SEC), 0);
    assert_int_equal(count(&r, DET_RULE_LOW_PASS, DET_ST_OPEN), 0);
    assert_int_equal(count(&r, DET_RULE_ZONE, DET_ST_OPEN), 1); /* the vessel, at 0 ft */
    t[1].primary_only_scans = 3;
    assert_int_equal(eval(d, t, 2, 60 * SEC), 0);
    uint8_t state, sev;
    const char *txt = last_text(&r, DET_RULE_LOW_PASS, &state, &sev);
    assert_non_null(txt);
    puts(txt);
    assert_non_null(strstr(txt, "Low pass 1 over track 1 MMSI 261000001: track 2 ICAO 48A002, "
                                "altitude unknown, 0.30 NM away."));
    assert_int_equal(count(&r, DET_RULE_ZONE, DET_ST_OPEN), 2);
    txt = last_text(&r, DET_RULE_ZONE, &state, &sev);
    puts(txt);
    assert_non_null(strstr(txt, "track 2 ICAO 48A002 (altitude unknown) is inside caution area"));
    det_free(d);
    geo_zones_free(zs);
}

static void test_ais_gap(void **st)
{
    (void)st;
    struct rec r;
    struct det *d = mk(&r);
    struct trk_track t[2];
    /* at anchor, reporting every 3 minutes (+-15 s), for an hour; and one
     * whose interval is not learnt yet (the tracker's first 10 s) */
    t[0] = mover(1, TRK_KIND_VESSEL, 0, 0, INT32_MIN, 0.05, 0, 0);
    t[1] = mover(2, TRK_KIND_VESSEL, 1, 0, INT32_MIN, 0.0, 0.1, 0);
    int64_t last = 0;
    for (int64_t now = 0; now <= 3600 * SEC; now += 5 * SEC) {
        if (now - last >= 180 * SEC + ((now / SEC) % 7 - 3) * 5 * SEC)
            last = now;
        ais(&t[0], 180000, last);
        ais(&t[1], 10000, 0);
        t[0].t_state_ms = last;
        if (now <= 170 * SEC)
            assert_int_equal(eval(d, t, 2, now), 0);
        else
            assert_int_equal(eval(d, t, 1, now), 0);
    }
    assert_int_equal(count(&r, DET_RULE_AIS_GAP, DET_ST_OPEN), 0);
    det_free(d);

    /* under way at 14 kt, every 10 s; stops at 600 s for 2 minutes */
    d = mk(&r);
    t[0] = mover(1, TRK_KIND_VESSEL, 0, 0, INT32_MIN, 7.2, 0, 0);
    int64_t opened = -1, cleared = -1;
    for (int64_t now = 0; now <= 800 * SEC; now += 5 * SEC) {
        if (now % (10 * SEC) == 0 && (now < 600 * SEC || now >= 720 * SEC))
            last = now;
        ais(&t[0], 10000, last);
        assert_int_equal(eval(d, t, 1, now), 0);
        if (opened < 0 && count(&r, DET_RULE_AIS_GAP, DET_ST_OPEN))
            opened = now;
        if (cleared < 0 && count(&r, DET_RULE_AIS_GAP, DET_ST_CLEARED))
            cleared = now;
    }
    printf("AIS off at 600 s: raised at %lld s, cleared at %lld s\n", (long long)(opened / SEC),
           (long long)(cleared / SEC));
    /* last heard at 590 s; 90 s of tolerance: the first evaluation after */
    assert_int_equal(opened, 685 * SEC);
    assert_int_equal(cleared, 725 * SEC); /* back at 720: last seen at 715, hold 10 s */
    uint8_t state, sev;
    const char *txt = last_text(&r, DET_RULE_AIS_GAP, &state, &sev);
    assert_non_null(txt);
    for (size_t i = 0; i < r.n; i++)
        if (r.ev[i].rule == DET_RULE_AIS_GAP && r.ev[i].state == DET_ST_OPEN) {
            puts(r.ev[i].text);
            assert_int_equal(r.ev[i].severity, DET_SEV_CAUTION);
            assert_non_null(strstr(r.ev[i].text, "AIS gap: track 1 MMSI 261000001 silent for 95 s "
                                                 "(normally every 10 s, tolerance 90 s)."));
        }
    det_free(d);

    /* the same near a zone (6 NM south of the square): 60 s, WARNING */
    d = mk(&r);
    struct geo_zones *zs = zones(ZONE("\"name\":\"TW\",\"kind\":\"territorial\""));
    det_set_zones(d, zs);
    last = 0;
    opened = -1;
    for (int64_t now = 0; now <= 700 * SEC; now += 5 * SEC) {
        if (now % (10 * SEC) == 0 && now < 600 * SEC)
            last = now;
        ais(&t[0], 10000, last);
        assert_int_equal(eval(d, t, 1, now), 0);
        if (opened < 0 && count(&r, DET_RULE_AIS_GAP, DET_ST_OPEN))
            opened = now;
    }
    assert_int_equal(opened, 655 * SEC);
    txt = last_text(&r, DET_RULE_AIS_GAP, &state, &sev);
    puts(txt);
    assert_int_equal(sev, DET_SEV_WARNING);
    assert_non_null(strstr(txt, "tolerance 60 s), 6.0 NM from territorial zone \"TW\"."));
    det_free(d);
    geo_zones_free(zs);
}

/* ------------------------------------------------------------- flapping */

/* A ship sailing east along the territorial line (the square's south edge,
 * 50.1 N), its position 50 m inside and 50 m outside at alternate
 * evaluations: entry (ALERT) and approach (CAUTION). The rise to ALERT is
 * shown at once, the alternation after it changes nothing (D7); when it
 * turns away the fall to approach comes after the hold. */
static void test_flap_zone_line(void **st)
{
    (void)st;
    struct rec r;
    struct det *d = mk(&r);
    struct geo_zones *zs = zones(ZONE("\"name\":\"TW\",\"kind\":\"territorial\""));
    det_set_zones(d, zs);
    int64_t now = 0;
    for (int k = 0; k <= 30; k++, now += 5 * SEC) {
        struct trk_track t = mover(1, TRK_KIND_VESSEL, 0, 1.0 + 0.01 * k, INT32_MIN, 4, 0, now);
        t.lat_deg = 50.1 + (k % 2 ? 50.0 : -50.0) / M_LAT;
        assert_int_equal(eval(d, &t, 1, now), 0);
        if (k == 1) {
            assert_int_equal(r.n, 2);
            assert_int_equal(r.ev[1].state, DET_ST_UPDATED);
            assert_int_equal(r.ev[1].severity, DET_SEV_ALERT);
        }
    }
    assert_int_equal(r.n, 2); /* 31 evaluations: OPEN (approach), UPDATED (entry) */
    assert_int_equal(r.ev[0].severity, DET_SEV_CAUTION);
    /* last inside at 145 s; 1 NM south from 155 s: approach again then
     * (10 s and 2 evaluations after the last entry) */
    for (; now <= 175 * SEC; now += 5 * SEC) {
        struct trk_track t = mover(1, TRK_KIND_VESSEL, 5, 1.5, INT32_MIN, 4, 0, now);
        assert_int_equal(eval(d, &t, 1, now), 0);
        assert_int_equal(r.n, now < 155 * SEC ? 2u : 3u);
    }
    assert_int_equal(r.ev[2].severity, DET_SEV_CAUTION);
    assert_non_null(strstr(r.ev[2].text, "Zone approach"));
    det_free(d);
    geo_zones_free(zs);
}

/* An aircraft level at a zone's ceiling (10,000 ft) with Mode C noise of
 * 100 ft, inside it horizontally: the entry is raised at 9,900 ft, and
 * 10,100 ft at the next evaluation keeps it (the vertical band of 200 ft
 * of a live alert) instead of leaving it and coming back (an UPDATED at
 * every return); 10,300 ft is out, and it clears after the hold. An
 * aircraft at 10,100 ft without an alert raises none. */
static void test_flap_zone_ceiling(void **st)
{
    (void)st;
    struct rec r;
    struct det *d = mk(&r);
    struct geo_zones *zs =
        zones(ZONE("\"name\":\"C\",\"kind\":\"caution\",\"floor_ft\":1000,\"ceiling_ft\":10000"));
    det_set_zones(d, zs);
    int64_t now = 0;
    struct trk_track t = mover(1, TRK_KIND_AIRCRAFT, 7, 9, 10100, 100, 0, now);
    assert_int_equal(eval(d, &t, 1, now), 0);
    assert_int_equal(r.n, 0);
    for (int k = 0; k < 20; k++) {
        now += 4 * SEC;
        t = mover(1, TRK_KIND_AIRCRAFT, 7, 9, k % 2 ? 10100 : 9900, 100, 0, now);
        assert_int_equal(eval(d, &t, 1, now), 0);
    }
    assert_int_equal(r.n, 1);
    assert_int_equal(r.ev[0].state, DET_ST_OPEN);
    for (int k = 0; k < 4; k++) {
        now += 4 * SEC;
        t = mover(1, TRK_KIND_AIRCRAFT, 7, 9, 10300, 100, 0, now);
        assert_int_equal(eval(d, &t, 1, now), 0);
    }
    assert_int_equal(r.n, 2);
    assert_int_equal(r.ev[1].state, DET_ST_CLEARED);
    det_free(d);
    geo_zones_free(zs);
}

/* AIS_GAP at ais_zone_near_m: a ship under way (every 10 s) silent from
 * 0 s, sailing along 20 NM from the square (19.8 and 20.2 NM at alternate
 * evaluations). Near, the tolerance is 60 s (WARNING); far, 90 s
 * (CAUTION). The alert opens at 70 s and stays one alert at WARNING: a
 * live gap alert lasts while the gap is over the shorter tolerance (the
 * silence has not ended), and near holds within 24 NM (20 %). Beyond
 * 24 NM it falls to CAUTION after the hold; AIS heard again clears it. */
static void test_flap_ais_gap_near(void **st)
{
    (void)st;
    struct rec r;
    struct det *d = mk(&r);
    struct geo_zones *zs = zones(ZONE("\"name\":\"TW\",\"kind\":\"territorial\""));
    det_set_zones(d, zs);
    /* the south edge is 0.1 deg = 6.0 NM north of the reference point */
    double edge_nm = 0.1 * M_LAT / NM;
    int64_t now = 0;
    for (int k = 0; k <= 40; k++, now += 5 * SEC) {
        struct trk_track t =
            mover(1, TRK_KIND_VESSEL, edge_nm - (k % 2 ? 20.2 : 19.8), 5, INT32_MIN, 7.2, 0, now);
        ais(&t, 10000, 1);
        assert_int_equal(eval(d, &t, 1, now), 0);
    }
    assert_int_equal(count(&r, DET_RULE_AIS_GAP, DET_ST_OPEN), 1);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.ev[0].severity, DET_SEV_WARNING);
    for (int k = 0; k < 5; k++, now += 5 * SEC) {
        struct trk_track t = mover(1, TRK_KIND_VESSEL, edge_nm - 22.0, 5, INT32_MIN, 7.2, 0, now);
        ais(&t, 10000, 1);
        assert_int_equal(eval(d, &t, 1, now), 0);
    }
    assert_int_equal(r.n, 1); /* within 24 NM: near still */
    for (int k = 0; k < 4; k++, now += 5 * SEC) {
        struct trk_track t = mover(1, TRK_KIND_VESSEL, edge_nm - 25.0, 5, INT32_MIN, 7.2, 0, now);
        ais(&t, 10000, 1);
        assert_int_equal(eval(d, &t, 1, now), 0);
    }
    assert_int_equal(r.n, 2);
    assert_int_equal(r.ev[1].state, DET_ST_UPDATED);
    assert_int_equal(r.ev[1].severity, DET_SEV_CAUTION);
    for (int k = 0; k < 4; k++, now += 5 * SEC) {
        struct trk_track t = mover(1, TRK_KIND_VESSEL, edge_nm - 25.0, 5, INT32_MIN, 7.2, 0, now);
        ais(&t, 10000, now);
        assert_int_equal(eval(d, &t, 1, now), 0);
    }
    assert_int_equal(r.n, 3);
    assert_int_equal(r.ev[2].state, DET_ST_CLEARED);
    det_free(d);
    geo_zones_free(zs);
}

/* The real tracker learns the intervals: an anchored ship reporting every
 * 3 minutes for an hour raises nothing; a ship under way every 10 s that
 * falls silent for 2 minutes raises AIS_GAP. */
static struct trk_meas ais_meas(uint32_t mmsi, double north_nm, double east_nm, double ve,
                                double vn, int64_t t)
{
    struct trk_meas m;
    memset(&m, 0, sizeof m);
    m.t_ms = t;
    m.sensor_id = 9;
    m.src_mask = (uint8_t)TRK_SRC_BIT(TRK_SOURCE_AIS);
    m.kind = TRK_KIND_VESSEL;
    m.has = TRK_M_MMSI | TRK_M_VEL;
    m.mmsi = mmsi;
    m.lat_deg = LAT0 + north_nm * NM / M_LAT;
    m.lon_deg = LON0 + east_nm * NM / M_LON;
    m.sigma_m = 10;
    m.ve_mps = ve;
    m.vn_mps = vn;
    m.sigma_v_mps = 0.2;
    return m;
}

static void test_ais_gap_tracker(void **st)
{
    (void)st;
    const int64_t T0 = 1460462400000LL;
    struct trk_table *tt = NULL;
    assert_int_equal(trk_new(NULL, &tt), 0);
    struct rec r;
    struct det *d = mk(&r);
    struct trk_track snap[8];
    for (int64_t s = 0; s <= 3600; s++) {
        int64_t now = T0 + s * SEC;
        struct trk_meas m[2];
        size_t nm = 0;
        if (s % 180 == 0)
            m[nm++] = ais_meas(211000001u, 0, 0, 0, 0, now); /* at anchor */
        double east = 7.2 * (double)s / NM;
        if (s % 10 == 0 && (s < 1800 || s >= 1920))
            m[nm++] = ais_meas(211000002u, 3, east, 7.2, 0, now);
        if (nm)
            trk_ingest(tt, m, nm, now, NULL);
        trk_tick(tt, now);
        size_t n = trk_snapshot(tt, snap, 8);
        assert_int_equal(eval(d, snap, n, now), 0);
        if (s == 1881) /* last heard at 1790 s, 90 s of tolerance */
            assert_int_equal(count(&r, DET_RULE_AIS_GAP, DET_ST_OPEN), 1);
        if (s <= 1790 + 90 && count(&r, DET_RULE_AIS_GAP, DET_ST_OPEN)) {
            for (size_t i = 0; i < n; i++)
                printf("track %u mmsi %u status %d gs %.2f interval %d last %lld\n", snap[i].id,
                       snap[i].mmsi, snap[i].status, snap[i].gs_mps, snap[i].sensors[0].interval_ms,
                       (long long)(now - snap[i].last_src_ms[TRK_SOURCE_AIS]));
            fail_msg("%s at %lld s", last_text(&r, DET_RULE_AIS_GAP, NULL, NULL), (long long)s);
        }
    }
    const struct trk_track *anch = trk_find_mmsi(tt, 211000001u);
    assert_non_null(anch);
    printf("learnt: anchor %d ms, under way %d ms\n", (int)anch->sensors[0].interval_ms,
           (int)trk_find_mmsi(tt, 211000002u)->sensors[0].interval_ms);
    assert_int_equal(count(&r, DET_RULE_AIS_GAP, DET_ST_OPEN), 1);
    for (size_t i = 0; i < r.n; i++)
        if (r.ev[i].rule == DET_RULE_AIS_GAP)
            assert_non_null(strstr(r.ev[i].text, "MMSI 211000002"));
    det_free(d);
    trk_free(tt);
}

/* ------------------------------------------------- the baltic-sea movers */

/* A track at (lat, lon) moving at gs_kt on course deg. */
static struct trk_track at(uint32_t id, uint8_t kind, double lat, double lon, double gs_kt,
                           double course_deg, int64_t t)
{
    struct trk_track k = mover(id, kind, 0, 0, INT32_MIN, 0, 0, t);
    double c = course_deg * 3.14159265358979 / 180.0, v = gs_kt * 0.514444;
    k.lat_deg = lat;
    k.lon_deg = lon;
    k.ve_mps = v * sin(c);
    k.vn_mps = v * cos(c);
    k.gs_mps = v;
    k.track_deg = course_deg;
    return k;
}

static void test_baltic_sea(void **st)
{
    (void)st;
    FILE *f = fopen(CAIRN_SOURCE_DIR "/scenarios/baltic-zones.geojson", "rb");
    assert_non_null(f);
    static char buf[65536];
    size_t len = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[len] = '\0';
    struct geo_zones *zs = zones(buf);
    struct rec r;
    struct det *d = mk(&r);
    det_set_zones(d, zs);
    const int64_t T0 = 1460462400000LL; /* 2016-04-12T12:00:00Z, the scenario's start */
    struct trk_track t[4];
    /* WARSHIP sails east at 12 kt along 55.5 N; LOWPASS (no transponder,
     * primary only: no altitude, kind unknown) flies north-south legs at
     * 420 kt over it; CARGO at 14 kt on 120 deg switches AIS off at 900 s
     * and is followed by the radar alone. */
    for (int64_t s = 900; s <= 1400; s += 10) {
        int64_t now = T0 + s * SEC;
        double x =
            18.95 + 12 * 0.514444 * (double)s / (111320.0 * cos(55.5 * 3.14159265358979 / 180));
        t[0] = at(1, TRK_KIND_VESSEL, 55.5, x, 12, 90, now);
        t[0].mmsi = 369970120u;
        ais(&t[0], 10000, now);
        /* a leg every 160 s: 0.16 deg either side of the warship's latitude */
        double phase = fmod((double)(s - 900), 160.0) / 160.0;
        double dir = fmod((double)(s - 900), 320.0) < 160.0 ? -1.0 : 1.0;
        double lat = 55.5 - dir * 0.16 + dir * 0.32 * phase;
        t[1] = at(2, TRK_KIND_UNKNOWN, lat, x + 0.005, 420, dir > 0 ? 0 : 180, now);
        t[1].ids = 0;
        t[1].primary_only_scans = 50;
        t[1].transponder = TRK_TRI_NO;
        double along = 14 * 0.514444 * (double)s; /* m from the start, course 120 */
        t[2] = at(3, TRK_KIND_VESSEL, 55.3 - along * 0.5 / 111320.0,
                  19.2 + along * 0.866 / (111320.0 * cos(55.3 * 3.14159265358979 / 180)), 14, 120,
                  now);
        t[2].mmsi = 273354190u;
        t[2].last_src_ms[TRK_SOURCE_PSR] = now;
        ais(&t[2], 10000, T0 + 900 * SEC);
        assert_int_equal(eval(d, t, 3, now), 0);
    }
    size_t lp_open = count(&r, DET_RULE_LOW_PASS, DET_ST_OPEN),
           lp_upd = count(&r, DET_RULE_LOW_PASS, DET_ST_UPDATED),
           gap = count(&r, DET_RULE_AIS_GAP, DET_ST_OPEN);
    printf("baltic-sea movers: LOW_PASS opened %zu updated %zu, AIS_GAP %zu\n", lp_open, lp_upd,
           gap);
    for (size_t i = 0; i < r.n; i++)
        printf("  %s %s %s\n", det_rule_name(r.ev[i].rule), det_state_name(r.ev[i].state),
               r.ev[i].text);
    assert_int_equal(lp_open, 1);
    assert_true(lp_upd >= 2);
    assert_int_equal(gap, 1);
    for (size_t i = 0; i < r.n; i++) {
        if (r.ev[i].rule == DET_RULE_AIS_GAP) {
            assert_int_equal(r.ev[i].severity, DET_SEV_WARNING);
            assert_non_null(strstr(r.ev[i].text, "MMSI 273354190"));
            assert_non_null(strstr(r.ev[i].text, "territorial zone \"Kaliningrad territorial"));
        }
        if (r.ev[i].rule == DET_RULE_LOW_PASS)
            assert_non_null(strstr(r.ev[i].text, "MMSI 369970120"));
        /* nobody is near a zone but the cargo ship's gap: no ZONE, no SEA_CPA */
        assert_true(r.ev[i].rule == DET_RULE_LOW_PASS || r.ev[i].rule == DET_RULE_AIS_GAP ||
                    r.ev[i].rule == DET_RULE_NO_TRANSPONDER);
    }
    det_free(d);
    geo_zones_free(zs);
}

/* Random bytes as tracks with zones set: no crash, invariants hold, texts
 * printable (the recorder checks). */
static void test_hostile_tracks_zones(void **st)
{
    (void)st;
    enum { N = 48 };
    struct trk_track t[N];
    struct rec *r = calloc(1, sizeof *r);
    assert_non_null(r);
    struct det_config c;
    det_config_default(&c);
    c.max_tracks = N;
    c.max_alerts = 16;
    c.low_pairs = 4;
    struct geo_zones *zs = zones(ZONE("\"name\":\"\\u202eX\",\"kind\":\"boundary\""));
    uint64_t s = 0xBAD5EAull;
    struct det *d = NULL;
    assert_int_equal(det_new(&c, NULL, NULL, &d), 0);
    det_set_zones(d, zs);
    for (int round = 0; round < 200; round++) {
        unsigned char *p = (unsigned char *)t;
        for (size_t i = 0; i < sizeof t; i++)
            p[i] = (unsigned char)(urand(&s) * 256);
        for (size_t i = 0; i < N; i++) {
            if (urand(&s) < 0.6) {
                t[i].status = TRK_ST_CONFIRMED;
                t[i].lat_deg = 50 + urand(&s) * 0.4;
                t[i].lon_deg = 10 + urand(&s) * 0.4;
                t[i].ve_mps = 40 * (urand(&s) - 0.5);
                t[i].vn_mps = 40 * (urand(&s) - 0.5);
                t[i].gs_mps = 20;
                t[i].vrate_fpm = 0;
                t[i].kind = (uint8_t)(urand(&s) * 3);
                t[i].n_sensors = (uint8_t)(urand(&s) * 12);
            }
        }
        int rc = det_evaluate(d, t, N, (int64_t)round * 30 * SEC);
        assert_true(rc == 0 || rc == CAIRN_E_FULL);
        assert_int_equal(det_check(d), 0);
        size_t cur = 0;
        const struct det_alert *a;
        while ((a = det_next(d, &cur)))
            for (const char *q = a->text; *q; q++)
                assert_true(*q >= 0x20 && *q < 0x7F);
    }
    det_free(d);
    geo_zones_free(zs);
    free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zone),
        cmocka_unit_test(test_zone_filters),
        cmocka_unit_test(test_zone_antimeridian),
        cmocka_unit_test(test_zone_radar_turn),
        cmocka_unit_test(test_sea_cpa),
        cmocka_unit_test(test_sea_cpa_index),
        cmocka_unit_test(test_low_pass),
        cmocka_unit_test(test_transponder_off_altitude),
        cmocka_unit_test(test_ais_gap),
        cmocka_unit_test(test_ais_gap_tracker),
        cmocka_unit_test(test_baltic_sea),
        cmocka_unit_test(test_hostile_tracks_zones),
        cmocka_unit_test(test_flap_zone_line),
        cmocka_unit_test(test_flap_zone_ceiling),
        cmocka_unit_test(test_flap_ais_gap_near),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
