/*
 * test_app_peer.c — the shared picture's release policy (app/peer.h) and
 * the track → CAT062 encoder with its reader (app/cat062.h).
 *
 *  - [centre] military and release lists: accepted forms and refusals;
 *  - classes: military by address range and by callsign prefix, vessel,
 *    no transponder, civil, unknown;
 *  - origin: own while an own sensor fed the track in the last minute, the
 *    peer's otherwise, never released;
 *  - verdicts: status, origin, area, class, and an operator's release that
 *    lets any class out but never outside the area;
 *  - the area is decided on the quantised position, which is what the
 *    receiver decodes: 2,000 tracks within metres of the area's edge give
 *    the same inside/outside on both ends;
 *  - 2,000 random tracks through app_c62_record → data blocks →
 *    app_c62_read: position to the LSB (exactly the quantised value),
 *    address, callsign, squawk, flight level, velocity, status; the
 *    seed is printed (CAIRN_SEED=n repeats a run);
 *  - hostile pictures: random bytes, every truncation, wrong categories:
 *    counted, never a crash.
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
#include <time.h>

#include "app/cat062.h"
#include "app/peer.h"
#include "base/error.h"
#include "decode/asterix/encode.h"
#include "decode/report.h"
#include "geo/zones.h"
#include "track/track.h"

#define T0_MS  INT64_C(1393851767000) /* 2014-03-03 13:02:47 UTC */
#define OWN_ID 0x0901u                /* a radar: SAC 9 SIC 1 */

static unsigned seed;

static double urand(void)
{
    return (double)rand() / ((double)RAND_MAX + 1.0);
}

/* A confirmed aircraft track fed by an own radar just now. */
static void track_init(struct trk_track *t, uint32_t id, double lat, double lon)
{
    memset(t, 0, sizeof *t);
    t->id = id;
    t->status = TRK_ST_CONFIRMED;
    t->kind = TRK_KIND_AIRCRAFT;
    t->lat_deg = lat;
    t->lon_deg = lon;
    t->t_first_ms = T0_MS - 60000;
    t->t_last_ms = t->t_state_ms = T0_MS;
    t->transponder = TRK_TRI_YES;
    t->n_sensors = 1;
    t->sensors[0].sensor_id = OWN_ID;
    t->sensors[0].last_t_ms = T0_MS;
}

/* The exchange area: a square 55..56 N, 12..14 E. */
static struct geo_zones *square(void)
{
    static const char js[] =
        "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
        "\"properties\":{\"name\":\"exchange\",\"kind\":\"boundary\"},"
        "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[12,55],[14,55],[14,56],[12,56],"
        "[12,55]]]}}]}";
    struct geo_zones *z = NULL;
    char err[200];
    assert_int_equal(geo_zones_parse(js, strlen(js), &z, err, sizeof err), 0);
    return z;
}

static void test_military_parse(void **state)
{
    (void)state;
    struct app_military m;
    memset(&m, 0, sizeof m);
    const char *why = NULL;
    assert_int_equal(app_military_parse("43C000-43CFFF, RRR* RFF*,AE1234", &m, &why), 0);
    assert_int_equal(m.n_ranges, 2);
    assert_int_equal(m.lo[0], 0x43C000);
    assert_int_equal(m.hi[0], 0x43CFFF);
    assert_int_equal(m.lo[1], 0xAE1234);
    assert_int_equal(m.hi[1], 0xAE1234);
    assert_int_equal(m.n_prefixes, 2);
    assert_string_equal(m.prefix[0], "RRR");
    assert_string_equal(m.prefix[1], "RFF");
    /* a second key adds */
    assert_int_equal(app_military_parse("NATO01*", &m, &why), 0);
    assert_int_equal(m.n_prefixes, 3);
    /* Mode 3/A codes (octal), one or a block; A12345 stays an address */
    assert_int_equal(app_military_parse("A0401-A0407 A6101 A12345", &m, &why), 0);
    assert_int_equal(m.n_codes, 2);
    assert_int_equal(m.code_lo[0], 00401);
    assert_int_equal(m.code_hi[0], 00407);
    assert_int_equal(m.code_lo[1], 06101);
    assert_int_equal(m.code_hi[1], 06101);
    assert_int_equal(m.n_ranges, 3);
    assert_int_equal(m.lo[2], 0xA12345);
    static const char *const bad[] = {
        "",           " , ",   "43C00",       "43CFFF-43C000",  "43C000-43CFFFF",
        "*",          "rrr*",  "ABCDEFGH*",   "43C000--43CFFF", "GGGGGG",
        "43C000-",    "A0408", "A0407-A0401", "A040",           "A0401-A04",
        "A0401-0407", "a0401",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct app_military z;
        memset(&z, 0, sizeof z);
        why = NULL;
        if (app_military_parse(bad[i], &z, &why) != CAIRN_E_FORMAT)
            fail_msg("'%s' accepted", bad[i]);
        assert_non_null(why);
    }
    memset(&m, 0, sizeof m);
    char many[APP_MIL_MAX * 8 + 16] = "";
    for (int i = 0; i <= APP_MIL_MAX; i++)
        snprintf(many + strlen(many), sizeof many - strlen(many), "%06X ", i);
    assert_int_equal(app_military_parse(many, &m, &why), CAIRN_E_FULL);
}

static void test_release_parse(void **state)
{
    (void)state;
    uint32_t v = 0;
    const char *why;
    assert_int_equal(app_release_parse("civil, no_transponder", &v, &why), 0);
    assert_int_equal(v, APP_CLASS_BIT(APP_CLASS_CIVIL) | APP_CLASS_BIT(APP_CLASS_NO_TRANSPONDER));
    assert_int_equal(app_release_parse("all", &v, &why), 0);
    assert_int_equal(v, (1u << APP_CLASS_N) - 1u);
    assert_int_equal(app_release_parse("none", &v, &why), 0);
    assert_int_equal(v, 0);
    assert_int_equal(app_release_parse("civil military vessel unknown", &v, &why), 0);
    assert_int_equal(app_release_parse("civilian", &v, &why), CAIRN_E_FORMAT);
    assert_int_equal(app_release_parse("none, civil", &v, &why), CAIRN_E_FORMAT);
    assert_int_equal(app_release_parse("", &v, &why), CAIRN_E_FORMAT);
    assert_int_equal(app_release_parse("Civil", &v, &why), CAIRN_E_FORMAT);
    for (unsigned c = 0; c < APP_CLASS_N; c++) {
        assert_int_equal(app_release_parse(app_class_name(c), &v, &why), 0);
        assert_int_equal(v, APP_CLASS_BIT(c));
    }
}

static void test_classes(void **state)
{
    (void)state;
    struct app_military m;
    memset(&m, 0, sizeof m);
    const char *why;
    assert_int_equal(app_military_parse("43C000-43CFFF RRR*", &m, &why), 0);
    struct trk_track t;
    track_init(&t, 1, 55.5, 13);
    t.ids = TRK_ID_ICAO;
    t.icao = 0x4AC9E1;
    assert_int_equal(app_class_of(&t, &m), APP_CLASS_CIVIL);
    t.icao = 0x43C001;
    assert_int_equal(app_class_of(&t, &m), APP_CLASS_MILITARY);
    assert_int_equal(app_class_of(&t, NULL), APP_CLASS_CIVIL);
    t.icao = 0x43D000;
    assert_int_equal(app_class_of(&t, &m), APP_CLASS_CIVIL);
    t.ids |= TRK_ID_CALLSIGN;
    snprintf(t.callsign, sizeof t.callsign, "RRR7021");
    assert_int_equal(app_class_of(&t, &m), APP_CLASS_MILITARY);
    snprintf(t.callsign, sizeof t.callsign, "RR7021");
    assert_int_equal(app_class_of(&t, &m), APP_CLASS_CIVIL);
    /* by Mode 3/A code: an aircraft seen through Mode A/C only */
    assert_int_equal(app_military_parse("A6101-A6107", &m, &why), 0);
    track_init(&t, 3, 55.5, 13);
    t.ids = TRK_ID_SQUAWK;
    t.squawk = 06101;
    assert_int_equal(app_class_of(&t, &m), APP_CLASS_MILITARY);
    t.squawk = 06110;
    assert_int_equal(app_class_of(&t, &m), APP_CLASS_CIVIL);
    t.ids = 0; /* a code no longer known */
    t.squawk = 06101;
    assert_int_equal(app_class_of(&t, &m), APP_CLASS_CIVIL);
    /* primary only: the transponder is off */
    track_init(&t, 2, 55.5, 13);
    t.kind = TRK_KIND_UNKNOWN;
    t.transponder = TRK_TRI_NO;
    assert_int_equal(app_class_of(&t, &m), APP_CLASS_NO_TRANSPONDER);
    /* nothing known */
    t.transponder = TRK_TRI_UNKNOWN;
    assert_int_equal(app_class_of(&t, &m), APP_CLASS_UNKNOWN);
    /* an aircraft by its speed (primary plots only), the transponder not
     * yet judged: not civil, so not released by default */
    t.kind = TRK_KIND_AIRCRAFT;
    t.last_src_ms[TRK_SOURCE_PSR] = T0_MS;
    assert_int_equal(app_class_of(&t, &m), APP_CLASS_UNKNOWN);
    t.transponder = TRK_TRI_NO;
    assert_int_equal(app_class_of(&t, &m), APP_CLASS_NO_TRANSPONDER);
    /* ... and once a Mode A/C reply was seen, an aircraft with a transponder */
    t.transponder = TRK_TRI_UNKNOWN;
    t.last_src_ms[TRK_SOURCE_SSR] = T0_MS - 120000;
    assert_int_equal(app_class_of(&t, &m), APP_CLASS_CIVIL);
    t.last_src_ms[TRK_SOURCE_SSR] = 0;
    t.kind = TRK_KIND_UNKNOWN;
    /* a vessel */
    t.kind = TRK_KIND_VESSEL;
    t.ids = TRK_ID_MMSI;
    t.mmsi = 261000001;
    assert_int_equal(app_class_of(&t, &m), APP_CLASS_VESSEL);
    assert_string_equal(app_class_name(APP_CLASS_NO_TRANSPONDER), "no_transponder");
    assert_string_equal(app_class_name(99), "?");
}

static void test_origin(void **state)
{
    (void)state;
    struct trk_track t;
    track_init(&t, 1, 55.5, 13);
    uint32_t pid = 0;
    assert_int_equal(app_origin_own(&t, T0_MS, &pid), 1);
    /* a peer fused in: still ours */
    uint32_t peer = app_peer_sensor_id("MOSCOW-CC");
    assert_true(app_is_peer_sensor(peer));
    assert_false(app_is_peer_sensor(OWN_ID));
    assert_false(app_is_peer_sensor(0x02000000u | 123)); /* a receiver */
    assert_int_not_equal(peer, app_peer_sensor_id("MINSK-CC"));
    t.n_sensors = 2;
    t.sensors[1].sensor_id = peer;
    t.sensors[1].last_t_ms = T0_MS;
    assert_int_equal(app_origin_own(&t, T0_MS, &pid), 1);
    /* our radar lost it a minute ago: the peer's information now */
    t.sensors[0].last_t_ms = T0_MS - APP_OWN_FRESH_MS - 1;
    assert_int_equal(app_origin_own(&t, T0_MS, &pid), 0);
    assert_int_equal(pid, peer);
    /* only ever seen by the peer */
    t.sensors[0] = t.sensors[1];
    t.n_sensors = 1;
    assert_int_equal(app_origin_own(&t, T0_MS, &pid), 0);
    /* ours, however old, when no peer ever fed it (an AIS ship at anchor) */
    track_init(&t, 3, 55.5, 13);
    t.sensors[0].last_t_ms = T0_MS - 10 * APP_OWN_FRESH_MS;
    assert_int_equal(app_origin_own(&t, T0_MS, NULL), 1);
}

static void test_verdicts(void **state)
{
    (void)state;
    struct geo_zones *area = square();
    struct app_military m;
    memset(&m, 0, sizeof m);
    const char *why;
    assert_int_equal(app_military_parse("43C000-43CFFF", &m, &why), 0);
    struct app_policy pol = {area, APP_CLASS_BIT(APP_CLASS_CIVIL), &m};
    struct trk_track t;
    track_init(&t, 1, 55.5, 13);
    t.ids = TRK_ID_ICAO;
    t.icao = 0x4AC9E1;
    assert_int_equal(app_release_verdict(&pol, &t, 0, T0_MS), APP_V_RELEASE);
    t.status = TRK_ST_COASTING;
    assert_int_equal(app_release_verdict(&pol, &t, 0, T0_MS), APP_V_RELEASE);
    t.status = TRK_ST_TENTATIVE;
    assert_int_equal(app_release_verdict(&pol, &t, 1, T0_MS), APP_V_STATUS);
    t.status = TRK_ST_DELETED;
    assert_int_equal(app_release_verdict(&pol, &t, 1, T0_MS), APP_V_STATUS);
    t.status = TRK_ST_CONFIRMED;
    /* outside the area: never, whoever released it */
    t.lat_deg = 56.5;
    assert_int_equal(app_release_verdict(&pol, &t, 0, T0_MS), APP_V_AREA);
    assert_int_equal(app_release_verdict(&pol, &t, 1, T0_MS), APP_V_AREA);
    t.lat_deg = 55.5;
    /* own military: not in the list; an operator lets it out */
    t.icao = 0x43C010;
    assert_int_equal(app_release_verdict(&pol, &t, 0, T0_MS), APP_V_CLASS);
    assert_int_equal(app_release_verdict(&pol, &t, 1, T0_MS), APP_V_RELEASE);
    pol.release |= APP_CLASS_BIT(APP_CLASS_MILITARY);
    assert_int_equal(app_release_verdict(&pol, &t, 0, T0_MS), APP_V_RELEASE);
    /* primary only */
    pol.release = APP_CLASS_BIT(APP_CLASS_CIVIL);
    t.ids = 0;
    t.kind = TRK_KIND_UNKNOWN;
    t.transponder = TRK_TRI_NO;
    assert_int_equal(app_release_verdict(&pol, &t, 0, T0_MS), APP_V_CLASS);
    pol.release = APP_CLASS_BIT(APP_CLASS_NO_TRANSPONDER);
    assert_int_equal(app_release_verdict(&pol, &t, 0, T0_MS), APP_V_RELEASE);
    /* the peer's own information never goes on, to anyone */
    t.sensors[0].sensor_id = app_peer_sensor_id("MOSCOW-CC");
    pol.release = (1u << APP_CLASS_N) - 1u;
    assert_int_equal(app_release_verdict(&pol, &t, 1, T0_MS), APP_V_ORIGIN);
    /* no area: nothing is inside */
    pol.area = NULL;
    track_init(&t, 5, 55.5, 13);
    assert_int_equal(app_release_verdict(&pol, &t, 1, T0_MS), APP_V_AREA);
    assert_string_equal(app_verdict_name(APP_V_AREA), "area");
    geo_zones_free(area);
}

static size_t encode_all(const struct trk_track *t, size_t n, uint8_t *buf, size_t cap)
{
    struct ax_block_writer w;
    ax_bw_init(&w, buf, cap);
    uint8_t rec[256];
    for (size_t i = 0; i < n; i++) {
        int k = app_c62_record(&t[i], 25, 100, rec, sizeof rec);
        assert_true(k > 0);
        assert_int_equal(ax_bw_add(&w, 62, rec, (size_t)k), 0);
    }
    assert_int_equal(app_c65_end_of_batch(&w, 25, 100, 7, T0_MS), 0);
    return ax_bw_finish(&w);
}

struct got {
    struct report r[64];
    size_t n;
};

static int collect(void *arg, struct report *r)
{
    struct got *g = arg;
    if (g->n < 64)
        g->r[g->n++] = *r;
    return 0;
}

/* The receiver's inside/outside agrees with the sender's at the edge. */
static void test_area_edge(void **state)
{
    (void)state;
    struct geo_zones *area = square();
    struct app_policy pol = {area, APP_CLASS_BIT(APP_CLASS_CIVIL), NULL};
    static uint8_t buf[8192];
    unsigned in = 0, out = 0;
    for (int i = 0; i < 2000; i++) {
        struct trk_track t;
        /* the edge, found by bisection along a meridian (southern edge) or a
         * parallel (eastern edge), then a point within ~1 m of it */
        double lo, hi, other = 12.2 + urand() * 1.6;
        int south = i & 1;
        if (south) {
            lo = 54.9, hi = 55.1; /* outside .. inside */
        } else {
            other = 55.1 + urand() * 0.8;
            lo = 14.1, hi = 13.9;
        }
        for (int k = 0; k < 60; k++) {
            double mid = (lo + hi) / 2;
            int in_ =
                south ? app_area_contains(area, mid, other) : app_area_contains(area, other, mid);
            if (in_)
                hi = mid;
            else
                lo = mid;
        }
        double edge = (lo + hi) / 2 + (urand() - 0.5) * 2e-5;
        if (south)
            track_init(&t, (uint32_t)i + 1, edge, other);
        else
            track_init(&t, (uint32_t)i + 1, other, edge);
        t.ids = TRK_ID_ICAO;
        t.icao = 0x400000u + (uint32_t)i;
        int sent = app_release_verdict(&pol, &t, 0, T0_MS) == APP_V_RELEASE;
        size_t len = encode_all(&t, 1, buf, sizeof buf);
        struct got g = {.n = 0};
        struct app_c62_read_stats st;
        memset(&st, 0, sizeof st);
        assert_int_equal(app_c62_read(buf, len, T0_MS, 100, collect, &g, &st), 1);
        int inside = app_area_contains(area, g.r[0].lat_deg, g.r[0].lon_deg);
        if (inside != sent)
            fail_msg("track %d at %.9f %.9f: sender %d receiver %d", i, t.lat_deg, t.lon_deg, sent,
                     inside);
        in += (unsigned)sent;
        out += (unsigned)!sent;
    }
    /* both sides of the edge were tried */
    assert_true(in > 300 && out > 300);
    geo_zones_free(area);
}

static void test_roundtrip(void **state)
{
    (void)state;
    static struct trk_track t[40];
    static uint8_t buf[16384];
    for (int round = 0; round < 50; round++) {
        size_t n = 1 + (size_t)(urand() * 40);
        for (size_t i = 0; i < n; i++) {
            track_init(&t[i], 1 + (uint32_t)(urand() * 200000), -89 + urand() * 178,
                       -180 + urand() * 359.99);
            t[i].t_state_ms = T0_MS - (int64_t)(urand() * 3000);
            t[i].ve_mps = (urand() - 0.5) * 600;
            t[i].vn_mps = (urand() - 0.5) * 600;
            t[i].status = urand() < 0.5 ? TRK_ST_CONFIRMED : TRK_ST_COASTING;
            if (urand() < 0.7) {
                t[i].ids |= TRK_ID_ICAO;
                t[i].icao = (uint32_t)(urand() * 0xFFFFFF);
            }
            if (urand() < 0.7) {
                t[i].ids |= TRK_ID_SQUAWK;
                t[i].squawk = (uint16_t)(urand() * 4096);
            }
            if (urand() < 0.6) {
                t[i].ids |= TRK_ID_CALLSIGN;
                snprintf(t[i].callsign, sizeof t[i].callsign, "SAS%d", (int)(urand() * 9999));
            }
            if (urand() < 0.8) {
                t[i].flags |= TRK_F_ALT;
                t[i].alt_ft = (int32_t)(urand() * 45000);
                t[i].vrate_fpm = (urand() - 0.5) * 6000;
            }
            t[i].transponder = urand() < 0.3 ? TRK_TRI_NO : TRK_TRI_YES;
            t[i].emergency = urand() < 0.1 ? 1 : 0;
        }
        size_t len = encode_all(t, n, buf, sizeof buf);
        struct got g = {.n = 0};
        struct app_c62_read_stats st;
        memset(&st, 0, sizeof st);
        assert_int_equal(app_c62_read(buf, len, T0_MS, 1000, collect, &g, &st), n);
        assert_int_equal(st.end_batch, 1);
        assert_int_equal(st.bad_blocks + st.bad_records, 0);
        for (size_t i = 0; i < n; i++) {
            const struct report *r = &g.r[i];
            const struct trk_track *k = &t[i];
            double qlat, qlon;
            app_c62_quantise(k->lat_deg, k->lon_deg, &qlat, &qlon);
            assert_true(r->lat_deg == qlat && r->lon_deg == qlon); /* exactly */
            assert_true(fabs(k->lat_deg - r->lat_deg) <= 90.0 / 33554432.0 + 1e-12);
            assert_true(llabs(r->t_ms - k->t_state_ms) <= 4); /* 1/128 s */
            assert_int_equal(r->kind, REP_SYSTRACK);
            assert_int_equal(r->track_no, k->id & 0xFFFF);
            assert_int_equal(!!(r->has & REP_HAS_ICAO), !!(k->ids & TRK_ID_ICAO));
            if (k->ids & TRK_ID_ICAO)
                assert_int_equal(r->icao, k->icao);
            assert_int_equal(!!(r->has & REP_HAS_SQUAWK), !!(k->ids & TRK_ID_SQUAWK));
            if (k->ids & TRK_ID_SQUAWK)
                assert_int_equal(r->squawk, k->squawk);
            assert_int_equal(!!(r->has & REP_HAS_CALLSIGN), !!(k->ids & TRK_ID_CALLSIGN));
            if (k->ids & TRK_ID_CALLSIGN)
                assert_string_equal(r->callsign, k->callsign);
            assert_int_equal(!!(r->has & REP_HAS_ALT_BARO), !!(k->flags & TRK_F_ALT));
            if (k->flags & TRK_F_ALT) {
                assert_true(abs(r->alt_baro_ft - k->alt_ft) <= 13); /* 1/4 FL */
                assert_true(fabs(r->vrate_fpm - k->vrate_fpm) <= 3.2);
            }
            double gs = hypot(k->ve_mps, k->vn_mps) * 3600.0 / 1852.0;
            assert_true(fabs(r->gs_kt - gs) < 0.5);
            assert_int_equal(!!(r->trk_status & TRK_COASTING), k->status == TRK_ST_COASTING);
            assert_int_equal(!!(r->trk_status & TRK_NON_COOPERATIVE), k->transponder == TRK_TRI_NO);
            assert_int_equal(!!(r->trk_status & TRK_COOPERATIVE), k->transponder == TRK_TRI_YES);
            assert_int_equal(r->emergency, k->emergency);
        }
    }
}

static int count_only(void *arg, struct report *r)
{
    (void)r;
    (*(size_t *)arg)++;
    return 0;
}

static void test_hostile(void **state)
{
    (void)state;
    static struct trk_track t[10];
    static uint8_t buf[4096];
    for (size_t i = 0; i < 10; i++) {
        track_init(&t[i], (uint32_t)i + 1, 55.1 + 0.01 * (double)i, 13);
        t[i].ids = TRK_ID_ICAO | TRK_ID_CALLSIGN;
        t[i].icao = 0x4AC9E1 + (uint32_t)i;
        snprintf(t[i].callsign, sizeof t[i].callsign, "SAS%zu", i);
    }
    size_t len = encode_all(t, 10, buf, sizeof buf);
    /* every truncation: fewer tracks, counted, nothing past the cut */
    for (size_t cut = 0; cut < len; cut++) {
        uint8_t *p = malloc(cut ? cut : 1); /* exactly cut bytes: ASan sees an over-read */
        memcpy(p, buf, cut);
        size_t n = 0;
        struct app_c62_read_stats st;
        memset(&st, 0, sizeof st);
        size_t got = app_c62_read(p, cut, T0_MS, 1000, count_only, &n, &st);
        assert_int_equal(got, n);
        assert_true(got <= 10);
        assert_int_equal(st.end_batch, 0); /* the last record: never read from a cut */
        free(p);
    }
    /* another category: skipped, counted */
    uint8_t other[] = {48, 0, 6, 0x80, 25, 100};
    size_t n = 0;
    struct app_c62_read_stats st;
    memset(&st, 0, sizeof st);
    assert_int_equal(app_c62_read(other, sizeof other, T0_MS, 10, count_only, &n, &st), 0);
    assert_int_equal(st.bad_blocks, 1);
    /* random bytes, and random flips of a good picture */
    for (int k = 0; k < 3000; k++) {
        size_t m = 1 + (size_t)(urand() * 600);
        uint8_t *p = malloc(m);
        if (k & 1) {
            m = len < m ? len : m;
            memcpy(p, buf, m);
            for (int f = 0; f < 4; f++)
                p[(size_t)(urand() * (double)m)] ^= (uint8_t)(1u << (int)(urand() * 8));
        } else {
            for (size_t i = 0; i < m; i++)
                p[i] = (uint8_t)(urand() * 256);
            if (urand() < 0.5)
                p[0] = 62;
        }
        memset(&st, 0, sizeof st);
        n = 0;
        (void)app_c62_read(p, m, T0_MS, 100, count_only, &n, &st);
        assert_true(st.records <= 100);
        free(p);
    }
}

int main(void)
{
    const char *s = getenv("CAIRN_SEED");
    seed = s ? (unsigned)strtoul(s, NULL, 10) : (unsigned)time(NULL);
    printf("test_app_peer: seed %u (CAIRN_SEED=%u repeats)\n", seed, seed);
    srand(seed);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_military_parse), cmocka_unit_test(test_release_parse),
        cmocka_unit_test(test_classes),        cmocka_unit_test(test_origin),
        cmocka_unit_test(test_verdicts),       cmocka_unit_test(test_area_edge),
        cmocka_unit_test(test_roundtrip),      cmocka_unit_test(test_hostile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
