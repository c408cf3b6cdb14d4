/*
 * test_eval.c — the evaluator (src/eval) on hand-made truth and hand-made
 * track snapshots, with a fake clock (times are arguments):
 *  - the truth reader: fields, interpolation, every malformed line named
 *    with its number, printable messages, every truncation of a good file;
 *  - a perfect tracker scores perfectly; a track 100 m off gives RMS 100 m;
 *  - a split track counts one extra track and one break; an aircraft's
 *    track strayed near a ship is false for those cycles, not extra;
 *  - two crossing tracks that swap are one identity swap (and crossing
 *    tracks that do not are none);
 *  - an alert 90 s before the truth's loss of separation gives 90 s of
 *    warning; 30 s fails the target; none is a missed conflict;
 *  - alerts with nothing behind them are nuisances (SEPARATION far apart,
 *    NO_TRANSPONDER on a transponder that is on), a dark aircraft's is not;
 *  - coverage decides what is expected; a track far from every mover is
 *    false; the JSON and text results are well formed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/dbuf.h"
#include "base/error.h"
#include "base/jsonw.h"
#include "detect/detect.h"
#include "eval/eval.h"
#include "geo/geo.h"
#include "track/track.h"

/* cmocka's assert_float_equal works in float; these figures need double. */
#define assert_near(a, b, eps)                                                                     \
    do {                                                                                           \
        double a_ = (a), b_ = (b);                                                                 \
        if (!(fabs(a_ - b_) <= (eps)))                                                             \
            fail_msg("%s = %.9g, want %.9g +- %g", #a, a_, b_, (double)(eps));                     \
    } while (0)

#define T0     1700000000LL /* 2023-11-14, any whole second */
#define M_DEG  111320.0     /* metres per degree, for the hand-made paths */
#define KT_MPS (1852.0 / 3600.0)

/* A hand-made mover: straight and level from (lat0, lon0) at (ve, vn) m/s,
 * present for t in [t0, t1) seconds after T0. */
struct hm {
    const char *id;
    const char *kind;
    double lat0, lon0, ve, vn, alt_ft;
    uint32_t icao;
    int xpdr, adsb;
    int t0, t1;
};

static void hm_pos(const struct hm *m, double t, double *lat, double *lon)
{
    *lat = m->lat0 + m->vn * t / M_DEG;
    *lon = m->lon0 + m->ve * t / (M_DEG * cos(m->lat0 * M_PI / 180.0));
}

/* truth.jsonl text for the movers, second by second (as w_truth writes it). */
static char *truth_text(const struct hm *ms, size_t n, size_t *len)
{
    struct dbuf b;
    dbuf_init(&b, 64 << 20);
    int tmax = 0;
    for (size_t i = 0; i < n; i++)
        if (ms[i].t1 > tmax)
            tmax = ms[i].t1;
    for (int t = 0; t < tmax; t++)
        for (size_t i = 0; i < n; i++) {
            const struct hm *m = &ms[i];
            if (t < m->t0 || t >= m->t1)
                continue;
            double lat, lon;
            hm_pos(m, t, &lat, &lon);
            double gs = hypot(m->ve, m->vn) / KT_MPS;
            double trk = fmod(atan2(m->ve, m->vn) * 180.0 / M_PI + 360.0, 360.0);
            char icao[16];
            if (m->icao)
                snprintf(icao, sizeof icao, "\"%06X\"", m->icao);
            else
                snprintf(icao, sizeof icao, "null");
            int vessel = !strcmp(m->kind, "vessel");
            assert_int_equal(
                dbuf_addf(&b,
                          "{\"t\":%lld,\"id\":\"%s\",\"kind\":\"%s\",\"lat\":%.7f,\"lon\":%.7f,"
                          "\"alt_ft\":%.1f,\"gs_kt\":%.2f,\"track_deg\":%.3f,\"vrate_fpm\":0,"
                          "\"icao\":%s,\"squawk\":%s,\"callsign\":null,\"mmsi\":%s,"
                          "\"transponder\":%s,\"adsb\":%s,\"ais\":%s}\n",
                          T0 + t, m->id, m->kind, lat, lon, m->alt_ft, gs, trk, icao,
                          m->xpdr ? "\"1234\"" : "null", vessel ? "244000001" : "null",
                          m->xpdr ? "true" : "false", m->adsb ? "true" : "false",
                          vessel ? "true" : "false"),
                0);
        }
    return dbuf_take(&b, len);
}

static struct ev_truth *truth_of(const struct hm *ms, size_t n)
{
    size_t len;
    char *txt = truth_text(ms, n, &len);
    struct ev_truth *t = NULL;
    char err[256];
    int rc = ev_truth_parse(txt, len, &t, err, sizeof err);
    if (rc)
        fail_msg("truth: %s", err);
    free(txt);
    return t;
}

/* A confirmed track at (lat, lon) at now, fed by the sources in src. */
static struct trk_track mk_track(uint32_t id, double lat, double lon, double ve, double vn,
                                 int64_t now_ms, unsigned src, uint32_t icao)
{
    struct trk_track t;
    memset(&t, 0, sizeof t);
    t.id = id;
    t.status = TRK_ST_CONFIRMED;
    t.kind = icao ? TRK_KIND_AIRCRAFT : TRK_KIND_UNKNOWN;
    if (icao) {
        t.ids = TRK_ID_ICAO;
        t.icao = icao;
    }
    t.t_first_ms = t.t_last_ms = t.t_state_ms = now_ms;
    t.lat_deg = lat;
    t.lon_deg = lon;
    t.ve_mps = ve;
    t.vn_mps = vn;
    t.gs_mps = hypot(ve, vn);
    for (unsigned s = 0; s < TRK_SOURCE_N; s++)
        if (src & TRK_SRC_BIT(s))
            t.last_src_ms[s] = now_ms;
    return t;
}

static int64_t ms_at(int t)
{
    return (T0 + t) * 1000;
}

static struct det_alert mk_alert(uint32_t id, unsigned rule, unsigned state, int64_t t_open_ms,
                                 int64_t now_ms, uint32_t tr1, uint32_t tr2)
{
    struct det_alert a;
    memset(&a, 0, sizeof a);
    a.id = id;
    a.rule = (uint8_t)rule;
    a.severity = DET_SEV_CAUTION;
    a.state = (uint8_t)state;
    a.n_parties = tr2 ? 2 : 1;
    a.parties[0].track_id = tr1;
    a.parties[1].track_id = tr2;
    a.t_open_ms = t_open_ms;
    a.t_seen_ms = a.t_change_ms = now_ms;
    return a;
}

/* ------------------------------------------------------------------ truth */

static void test_truth_parse(void **state)
{
    (void)state;
    const char *txt =
        "{\"t\":100,\"id\":\"A\",\"kind\":\"aircraft\",\"lat\":54.0,\"lon\":18.0,\"alt_ft\":10000,"
        "\"gs_kt\":360,\"track_deg\":90,\"icao\":\"4ca2d1\",\"squawk\":\"7600\",\"callsign\":"
        "\"SAS681  \",\"transponder\":true,\"adsb\":true}\r\n"
        "\n"
        "{\"t\":100,\"id\":\"V\",\"kind\":\"vessel\",\"lat\":54.5,\"lon\":18.5,\"mmsi\":244000001,"
        "\"ais\":true,\"future_key\":[1,2]}\n"
        "{\"t\":101,\"id\":\"A\",\"kind\":\"aircraft\",\"lat\":54.0,\"lon\":18.002,\"alt_ft\":"
        "10100,"
        "\"gs_kt\":360,\"track_deg\":90,\"icao\":\"4CA2D1\",\"transponder\":false}";
    struct ev_truth *t = NULL;
    char err[128];
    assert_int_equal(ev_truth_parse(txt, strlen(txt), &t, err, sizeof err), 0);
    assert_int_equal(t->n_movers, 2);
    assert_int_equal(t->n_samples, 3);
    assert_int_equal(t->t_first_s, 100);
    assert_int_equal(t->t_last_s, 101);
    const struct ev_mover *a = &t->movers[0];
    assert_string_equal(a->id, "A");
    assert_int_equal(a->kind, EV_AIRCRAFT);
    assert_int_equal(a->icao, 0x4CA2D1);
    assert_string_equal(a->callsign, "SAS681  ");
    assert_int_equal(a->n, 2);
    assert_int_equal(a->s[0].squawk, 07600);
    assert_true(a->s[0].flags & EV_S_TRANSPONDER);
    assert_true(a->s[0].flags & EV_S_ADSB);
    assert_false(a->s[1].flags & (EV_S_TRANSPONDER | EV_S_ADSB | EV_S_SQUAWK));
    assert_int_equal(t->movers[1].kind, EV_VESSEL);
    assert_int_equal(t->movers[1].mmsi, 244000001);
    assert_true(t->movers[1].s[0].flags & EV_S_AIS);

    /* interpolation between two seconds; dead reckoning through the last */
    struct ev_sample s;
    assert_true(ev_truth_at(a, 100500, &s));
    assert_near(s.lon_deg, 18.001, 1e-9);
    assert_near(s.alt_ft, 10050, 1e-3);
    assert_true(s.flags & EV_S_TRANSPONDER); /* switches from the earlier second */
    assert_false(ev_truth_at(a, 99999, &s));
    assert_true(ev_truth_at(a, 101999, &s)); /* last second: 360 kt east */
    double d = geo_distance_m(54.0, 18.002, s.lat_deg, s.lon_deg);
    assert_near(d, 360 * KT_MPS * 0.999, 0.5);
    assert_false(ev_truth_at(a, 102000, &s));
    /* the vessel has one sample: present for that second only */
    assert_true(ev_truth_at(&t->movers[1], 100000, &s));
    assert_false(ev_truth_at(&t->movers[1], 101000, &s));
    ev_truth_free(t);
    ev_truth_free(NULL);
}

static int printable(const char *s)
{
    for (; *s; s++)
        if (*s < 32 || *s > 126)
            return 0;
    return 1;
}

static void test_truth_errors(void **state)
{
    (void)state;
    static const char good[] = "{\"t\":1,\"id\":\"A\",\"kind\":\"aircraft\",\"lat\":1,\"lon\":2}\n";
    struct {
        const char *line;
        int rc;
        const char *msg;
    } cases[] = {
        {"not json", CAIRN_E_FORMAT, "line 2: not JSON"},
        {"[1,2]", CAIRN_E_FORMAT, "line 2: not a JSON object"},
        {"{\"id\":\"A\",\"kind\":\"aircraft\",\"lat\":1,\"lon\":2}", CAIRN_E_FORMAT, "t: missing"},
        {"{\"t\":1.5,\"id\":\"A\",\"kind\":\"aircraft\",\"lat\":1,\"lon\":2}", CAIRN_E_FORMAT,
         "t: must be whole"},
        {"{\"t\":-4,\"id\":\"A\",\"kind\":\"aircraft\",\"lat\":1,\"lon\":2}", CAIRN_E_FORMAT,
         "t: must be whole"},
        {"{\"t\":2,\"kind\":\"aircraft\",\"lat\":1,\"lon\":2}", CAIRN_E_FORMAT, "id: missing"},
        {"{\"t\":2,\"id\":\"\",\"kind\":\"aircraft\",\"lat\":1,\"lon\":2}", CAIRN_E_FORMAT,
         "id: must have"},
        {"{\"t\":2,\"id\":\"a\\u0001b\",\"kind\":\"aircraft\",\"lat\":1,\"lon\":2}", CAIRN_E_FORMAT,
         "id: character"},
        {"{\"t\":2,\"id\":\"0123456789012345678901234567890123\",\"kind\":\"aircraft\",\"lat\":1,"
         "\"lon\":2}",
         CAIRN_E_FORMAT, "id: must have 1..31"},
        {"{\"t\":2,\"id\":\"B\",\"kind\":\"ufo\",\"lat\":1,\"lon\":2}", CAIRN_E_FORMAT, "kind:"},
        {"{\"t\":2,\"id\":\"B\",\"kind\":\"aircraft\",\"lat\":91,\"lon\":2}", CAIRN_E_FORMAT,
         "lat: must be a number in -90..90"},
        {"{\"t\":2,\"id\":\"B\",\"kind\":\"aircraft\",\"lat\":1,\"lon\":\"2\"}", CAIRN_E_FORMAT,
         "lon: must be a number"},
        {"{\"t\":2,\"id\":\"B\",\"kind\":\"aircraft\",\"lat\":1,\"lon\":2,\"icao\":\"12345\"}",
         CAIRN_E_FORMAT, "icao: must be 6 hex"},
        {"{\"t\":2,\"id\":\"B\",\"kind\":\"aircraft\",\"lat\":1,\"lon\":2,\"icao\":\"12345G\"}",
         CAIRN_E_FORMAT, "icao: character"},
        {"{\"t\":2,\"id\":\"B\",\"kind\":\"aircraft\",\"lat\":1,\"lon\":2,\"squawk\":\"7800\"}",
         CAIRN_E_FORMAT, "squawk: character"},
        {"{\"t\":2,\"id\":\"B\",\"kind\":\"aircraft\",\"lat\":1,\"lon\":2,\"mmsi\":0}",
         CAIRN_E_FORMAT, "mmsi:"},
        {"{\"t\":2,\"id\":\"B\",\"kind\":\"aircraft\",\"lat\":1,\"lon\":2,\"adsb\":1}",
         CAIRN_E_FORMAT, "adsb: must be true or false"},
        {"{\"t\":2,\"id\":\"B\",\"kind\":\"aircraft\",\"lat\":1,\"lon\":2,\"callsign\":\"ab\"}",
         CAIRN_E_FORMAT, "callsign: character"},
        {"{\"t\":1,\"id\":\"A\",\"kind\":\"aircraft\",\"lat\":1,\"lon\":2}", CAIRN_E_FORMAT,
         "mover A: t not after"},
        {"{\"t\":2,\"id\":\"A\",\"kind\":\"vessel\",\"lat\":1,\"lon\":2}", CAIRN_E_FORMAT,
         "mover A: kind, icao or mmsi differs"},
        {"{\"t\":2,\"id\":\"A\",\"id\":\"B\",\"kind\":\"vessel\",\"lat\":1,\"lon\":2}",
         CAIRN_E_FORMAT, "not JSON: duplicate"},
        {"{\"t\":2,\"id\":\"B\",\"kind\":\"aircraft\",\"lat\":1,\"lon\":2,\"x\":\"\xff\x1b[2J\"}",
         CAIRN_E_FORMAT, "line 2: not JSON"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[1024];
        snprintf(buf, sizeof buf, "%s%s\n", good, cases[i].line);
        struct ev_truth *t = (void *)1;
        char err[160];
        int rc = ev_truth_parse(buf, strlen(buf), &t, err, sizeof err);
        if (rc != cases[i].rc || !strstr(err, cases[i].msg) || !printable(err))
            fail_msg("case %zu: rc %d err '%s' (want %d '%s')", i, rc, err, cases[i].rc,
                     cases[i].msg);
        assert_null(t);
    }
    /* a line too long */
    size_t n = EV_TRUTH_MAX_LINE + 10;
    char *big = malloc(n + 1);
    memset(big, ' ', n);
    big[n] = 0;
    struct ev_truth *t = NULL;
    char err[64];
    assert_int_equal(ev_truth_parse(big, n, &t, err, sizeof err), CAIRN_E_TOOBIG);
    assert_non_null(strstr(err, "line 1: longer than"));
    free(big);
    /* empty input: no movers */
    assert_int_equal(ev_truth_parse("", 0, &t, err, sizeof err), 0);
    assert_int_equal(t->n_movers, 0);
    ev_truth_free(t);
    assert_int_equal(ev_truth_parse(NULL, 1, &t, NULL, 0), CAIRN_E_INVAL);
}

/* Every prefix of a good file parses or fails cleanly with a printable
 * message, and never reads past its length (ASan, a malloc'd copy). */
static void test_truth_truncated(void **state)
{
    (void)state;
    struct hm ms[] = {
        {"A", "aircraft", 54, 18, 200, 0, 10000, 0x4CA2D1, 1, 1, 0, 4},
        {"V", "vessel", 54.2, 18, 5, 5, 0, 0, 0, 0, 1, 4},
    };
    size_t len;
    char *txt = truth_text(ms, 2, &len);
    for (size_t k = 0; k <= len; k++) {
        char *cp = malloc(k ? k : 1);
        memcpy(cp, txt, k);
        struct ev_truth *t = NULL;
        char err[128];
        int rc = ev_truth_parse(cp, k, &t, err, sizeof err);
        if (rc) {
            assert_int_equal(rc, CAIRN_E_FORMAT);
            assert_true(printable(err));
            assert_null(t);
        } else {
            assert_non_null(t);
        }
        ev_truth_free(t);
        free(cp);
    }
    free(txt);
}

/* ------------------------------------------------------------- tracking */

/* Run cycles t = 0 .. tmax-1 with tracks from fn. */
typedef size_t (*snap_fn)(const struct hm *ms, int t, struct trk_track *out);

static void run(struct ev *e, const struct hm *ms, int tmax, snap_fn fn)
{
    struct trk_track tr[8];
    for (int t = 0; t < tmax; t++) {
        size_t n = fn(ms, t, tr);
        assert_int_equal(ev_observe(e, tr, n, ms_at(t)), 0);
    }
}

static size_t snap_perfect(const struct hm *ms, int t, struct trk_track *out)
{
    size_t n = 0;
    for (int i = 0; i < 2; i++) {
        if (t < ms[i].t0 || t >= ms[i].t1)
            continue;
        double lat, lon;
        hm_pos(&ms[i], t, &lat, &lon);
        out[n++] =
            mk_track((uint32_t)(i + 1), lat, lon, ms[i].ve, ms[i].vn, ms_at(t),
                     TRK_SRC_BIT(TRK_SOURCE_ADSB) | TRK_SRC_BIT(TRK_SOURCE_MODES), ms[i].icao);
    }
    return n;
}

static const struct hm two[] = {
    {"SAS681", "aircraft", 55.0, 13.0, 150, 0, 14500, 0x4AC9E1, 1, 1, 0, 300},
    {"LOT3", "aircraft", 55.5, 13.0, 0, -150, 20000, 0x48AE01, 1, 1, 0, 300},
};

static void test_perfect(void **state)
{
    (void)state;
    struct ev_truth *t = truth_of(two, 2);
    struct ev *e = NULL;
    assert_int_equal(ev_new(t, NULL, &e), 0);
    run(e, two, 300, snap_perfect);
    struct ev_summary s;
    ev_summary(e, &s);
    assert_int_equal(s.cycles, 300);
    assert_int_equal(s.pos[EV_MIX_ADSB].n, 600);
    assert_true(s.pos[EV_MIX_ADSB].rms_m < 0.05);
    assert_true(s.pos[EV_MIX_ADSB].p95_m < 0.05);
    assert_true(s.pos[EV_MIX_ADSB].vel_rms_mps < 0.05);
    assert_int_equal(s.pos_radar.n, 0);
    assert_int_equal(s.expected, 2 * (300 - 30)); /* 30 s of grace each */
    assert_near(s.completeness, 1.0, 0);
    assert_int_equal(s.tracks, 2);
    assert_int_equal(s.extra_cycles, 0);
    assert_int_equal(s.false_tracks, 0);
    assert_int_equal(s.breaks + s.switches + s.swaps, 0);
    assert_int_equal(s.conflicts, 0); /* 5,500 ft apart, never within 5 NM */
    assert_int_equal(s.v_rms_adsb, EV_PASS);
    assert_int_equal(s.v_rms_radar, EV_NA);
    assert_int_equal(s.v_completeness, EV_PASS);
    assert_int_equal(s.v_extra, EV_PASS);
    assert_int_equal(s.v_swaps, EV_PASS);
    assert_int_equal(s.v_warning, EV_NA);
    assert_true(s.pass);
    /* time going backwards is refused */
    assert_int_equal(ev_observe(e, NULL, 0, ms_at(10)), CAIRN_E_RANGE);
    ev_free(e);
    ev_truth_free(t);
}

/* Tracks 100 m north of the truth, fed by radar only (SSR), estimated half
 * a second ago (moved to now along their velocity), 3 m/s too fast east. */
static size_t snap_offset(const struct hm *ms, int t, struct trk_track *out)
{
    size_t n = 0;
    for (int i = 0; i < 2; i++) {
        double lat, lon, lat2, lon2;
        hm_pos(&ms[i], t - 0.5, &lat, &lon);
        geo_direct(lat, lon, 0.0, 100.0, &lat2, &lon2, NULL);
        out[n] = mk_track((uint32_t)(i + 1), lat2, lon2, ms[i].ve + 3.0, ms[i].vn, ms_at(t),
                          TRK_SRC_BIT(TRK_SOURCE_SSR) | TRK_SRC_BIT(TRK_SOURCE_PSR), 0);
        out[n].t_state_ms -= 500;
        n++;
    }
    return n;
}

static void test_offset_100m(void **state)
{
    (void)state;
    struct ev_truth *t = truth_of(two, 2);
    struct ev *e = NULL;
    assert_int_equal(ev_new(t, NULL, &e), 0);
    run(e, two, 300, snap_offset);
    struct ev_summary s;
    ev_summary(e, &s);
    assert_int_equal(s.pos[EV_MIX_SSR].n, 600);
    assert_near(s.pos[EV_MIX_SSR].rms_m, 100.0, 0.3);
    assert_near(s.pos[EV_MIX_SSR].p95_m, 100.0, 1.0);
    assert_near(s.pos_radar.rms_m, 100.0, 0.3);
    assert_near(s.pos_radar.vel_rms_mps, 3.0, 0.05);
    /* a new estimate every cycle: judged at its own time as often (but the
     * first, half a second before the truth begins), with the same 100 m
     * (the truth then, not moved) */
    assert_int_equal(s.upd_radar.n, 598);
    assert_near(s.upd_radar.rms_m, 100.0, 0.3);
    assert_near(s.upd_radar.vel_rms_mps, 3.0, 0.05);
    assert_int_equal(s.v_rms_radar, EV_PASS);
    assert_int_equal(s.v_rms_adsb, EV_NA);
    ev_free(e);
    /* with a tighter target it fails */
    struct ev_config c;
    ev_config_default(&c);
    c.target_rms_radar_m = 90;
    assert_int_equal(ev_new(t, &c, &e), 0);
    run(e, two, 60, snap_offset);
    ev_summary(e, &s);
    assert_int_equal(s.v_rms_radar, EV_FAIL);
    assert_false(s.pass);
    ev_free(e);
    ev_truth_free(t);
}

/* e's evaluation object, written and parsed back (never NULL). */
static json_t *eval_json(const struct ev *e)
{
    struct dbuf b;
    dbuf_init(&b, 1 << 20);
    struct jsonw w;
    jw_init(&w, &b);
    assert_int_equal(ev_write_json(e, &w), 0);
    json_error_t err;
    json_t *j = json_loads(b.p, 0, &err);
    dbuf_free(&b);
    assert_non_null(j);
    return j;
}

/* Radar tracks updated every 10 s, exactly on the truth at each update but
 * 20 m/s too fast north: moved to now each cycle they drift up to 180 m
 * (RMS 20 * sqrt(28.5) = 107 m), at their updates they are right. */
static size_t snap_scans(const struct hm *ms, int t, struct trk_track *out)
{
    size_t n = 0;
    for (int i = 0; i < 2; i++) {
        int tu = t - t % 10; /* the last scan */
        double lat, lon;
        hm_pos(&ms[i], tu, &lat, &lon);
        out[n] = mk_track((uint32_t)(i + 1), lat, lon, ms[i].ve, ms[i].vn + 20.0, ms_at(tu),
                          TRK_SRC_BIT(TRK_SOURCE_PSR), 0);
        n++;
    }
    return n;
}

static void test_accuracy_at_update(void **state)
{
    (void)state;
    struct ev_truth *t = truth_of(two, 2);
    struct ev_config c;
    ev_config_default(&c);
    c.target_rms_radar_m = 100;
    struct ev *e = NULL;
    assert_int_equal(ev_new(t, &c, &e), 0);
    run(e, two, 300, snap_scans);
    struct ev_summary s;
    ev_summary(e, &s);
    assert_int_equal(s.pos_radar.n, 600);
    assert_near(s.pos_radar.rms_m, 20.0 * sqrt(28.5), 1.0);
    assert_int_equal(s.upd[EV_MIX_PRIMARY].n, 60); /* once per estimate: 30 scans, 2 tracks */
    assert_int_equal(s.upd_radar.n, 60);
    assert_true(s.upd_radar.rms_m < 0.5);
    assert_near(s.upd_radar.vel_rms_mps, 20.0, 0.05);
    assert_int_equal(s.upd_all.n, 60);
    /* the target judges the estimates at their updates */
    assert_int_equal(s.v_rms_radar, EV_PASS);
    /* and both figures are in the JSON */
    json_t *j = eval_json(e);
    json_t *at = json_object_get(json_object_get(j, "position_at_update"), "radar_only");
    json_t *every = json_object_get(json_object_get(j, "position"), "radar_only");
    assert_int_equal(json_integer_value(json_object_get(at, "n")), 60);
    assert_int_equal(json_integer_value(json_object_get(every, "n")), 600);
    json_decref(j);
    ev_free(e);
    ev_truth_free(t);
}

/* Track 1 follows the mover until t = 90; track 2 appears 50 m beside it
 * at t = 60 and carries on alone: one extra track, one break. */
static size_t snap_split(const struct hm *ms, int t, struct trk_track *out)
{
    size_t n = 0;
    double lat, lon, lat2, lon2;
    hm_pos(&ms[0], t, &lat, &lon);
    geo_direct(lat, lon, 90.0, 50.0, &lat2, &lon2, NULL);
    unsigned src = TRK_SRC_BIT(TRK_SOURCE_PSR);
    if (t < 90)
        out[n++] = mk_track(1, lat, lon, ms[0].ve, ms[0].vn, ms_at(t), src, 0);
    if (t >= 60)
        out[n++] = mk_track(2, lat2, lon2, ms[0].ve, ms[0].vn, ms_at(t), src, 0);
    return n;
}

static void test_split(void **state)
{
    (void)state;
    static const struct hm one[] = {
        {"IL20", "aircraft", 55.24, 13.67, -150, 0, 14500, 0, 0, 0, 0, 120}};
    struct ev_truth *t = truth_of(one, 1);
    struct ev *e = NULL;
    assert_int_equal(ev_new(t, NULL, &e), 0);
    run(e, one, 120, snap_split);
    struct ev_summary s;
    ev_summary(e, &s);
    assert_int_equal(s.tracks, 2);
    assert_int_equal(s.extra_tracks, 1);
    assert_int_equal(s.extra_cycles, 30);
    assert_int_equal(s.breaks, 1);
    assert_int_equal(s.switches, 0);
    assert_int_equal(s.swaps, 0);
    assert_int_equal(s.false_tracks, 0);
    assert_near(s.extra_ratio, 30.0 / 150.0, 1e-9);
    assert_int_equal(s.v_extra, EV_FAIL);
    assert_int_equal(s.pos[EV_MIX_PRIMARY].n, 120);
    assert_near(s.completeness, 1.0, 0);
    ev_free(e);
    ev_truth_free(t);
}

/* An aircraft without transponder and a ship 5.5 km north of its path.
 * The aircraft's track follows it until t = 60, then (a coast gone wrong)
 * lies 500 m from the ship until t = 90, beyond the aircraft's gate: it
 * cannot be a second track of the ship (its kind says aircraft), so those
 * 30 cycles are false, not extra; the ship's own track is associated all
 * along. */
static size_t snap_stray(const struct hm *ms, int t, struct trk_track *out)
{
    double lat, lon, slat, slon;
    hm_pos(&ms[0], t, &lat, &lon);
    hm_pos(&ms[1], t, &slat, &slon);
    unsigned psr = TRK_SRC_BIT(TRK_SOURCE_PSR);
    if (t >= 60 && t < 90)
        geo_direct(slat, slon, 0.0, 500.0, &lat, &lon, NULL);
    out[0] = mk_track(1, lat, lon, ms[0].ve, ms[0].vn, ms_at(t), psr, 0);
    out[0].kind = TRK_KIND_AIRCRAFT;
    out[1] = mk_track(2, slat, slon, 0, 0, ms_at(t), TRK_SRC_BIT(TRK_SOURCE_AIS), 0);
    out[1].kind = TRK_KIND_VESSEL;
    return 2;
}

static void test_stray_near_ship(void **state)
{
    (void)state;
    static const struct hm ms[] = {
        {"IL20", "aircraft", 55.0, 13.0, 150, 0, 14500, 0, 0, 0, 0, 120},
        {"SHIP", "vessel", 55.05, 13.1, 0, 0, 0, 0, 0, 0, 0, 120},
    };
    struct ev_truth *t = truth_of(ms, 2);
    struct ev *e = NULL;
    assert_int_equal(ev_new(t, NULL, &e), 0);
    run(e, ms, 120, snap_stray);
    struct ev_summary s;
    ev_summary(e, &s);
    assert_int_equal(s.tracks, 2);
    assert_int_equal(s.extra_cycles, 0);
    assert_int_equal(s.extra_tracks, 0);
    assert_int_equal(s.false_cycles, 30);
    assert_int_equal(s.false_tracks, 0); /* it matched its aircraft before */
    assert_int_equal(s.breaks, 0);
    ev_free(e);
    ev_truth_free(t);
}

/* Two primary-only aircraft crossing at one point at t = 60 (same
 * altitude: a conflict too). swap: after the crossing each track follows
 * the other aircraft. */
static int swap_them;
static size_t snap_cross(const struct hm *ms, int t, struct trk_track *out)
{
    for (int i = 0; i < 2; i++) {
        int k = (swap_them && t > 60) ? 1 - i : i;
        double lat, lon;
        hm_pos(&ms[k], t, &lat, &lon);
        out[i] = mk_track((uint32_t)(i + 1), lat, lon, ms[k].ve, ms[k].vn, ms_at(t),
                          TRK_SRC_BIT(TRK_SOURCE_PSR), 0);
    }
    return 2;
}

static const struct hm cross[] = {
    /* east-bound and north-bound, both at (55, 13) at t = 60 */
    {"A", "aircraft", 55.0, 13.0 - 100 * 60 / (M_DEG * 0.573576436), 100, 0, 9000, 0, 0, 0, 0, 150},
    {"B", "aircraft", 55.0 - 100 * 60 / M_DEG, 13.0, 0, 100, 9000, 0, 0, 0, 0, 150},
};

static void test_crossing(void **state)
{
    (void)state;
    struct ev_truth *t = truth_of(cross, 2);
    for (swap_them = 0; swap_them <= 1; swap_them++) {
        struct ev *e = NULL;
        assert_int_equal(ev_new(t, NULL, &e), 0);
        run(e, cross, 150, snap_cross);
        struct ev_summary s;
        ev_summary(e, &s);
        assert_int_equal(s.swaps, (uint64_t)swap_them);
        assert_int_equal(s.switches, 2 * (uint64_t)swap_them);
        assert_int_equal(s.breaks, 0);
        assert_int_equal(s.extra_cycles, 0);
        assert_int_equal(s.v_swaps, swap_them ? EV_FAIL : EV_PASS);
        assert_true(s.pos[EV_MIX_PRIMARY].max_m < 0.05);
        assert_int_equal(s.conflicts, 1); /* both dark: judged horizontally */
        /* the loss begins 27 s after the first cycle: too early to be
         * warned of 60 s ahead, so it is not judged */
        assert_int_equal(s.conflicts_judged, 0);
        assert_int_equal(s.v_warning, EV_NA);
        ev_free(e);
    }
    ev_truth_free(t);
}

/* Each track sits on the other aircraft's position but carries its own
 * aircraft's altitude: the altitude gate keeps it on its own level. */
static int with_alt;
static size_t snap_levels(const struct hm *ms, int t, struct trk_track *out)
{
    for (int i = 0; i < 2; i++) {
        double lat, lon;
        hm_pos(&ms[1 - i], t, &lat, &lon);
        out[i] = mk_track((uint32_t)(i + 1), lat, lon, ms[1 - i].ve, ms[1 - i].vn, ms_at(t),
                          TRK_SRC_BIT(TRK_SOURCE_SSR), 0);
        if (with_alt) {
            out[i].flags |= TRK_F_ALT;
            out[i].alt_ft = (int32_t)ms[i].alt_ft + 200;
        }
    }
    return 2;
}

static void test_levels(void **state)
{
    (void)state;
    struct hm lv[2];
    memcpy(lv, cross, sizeof lv);
    lv[1].alt_ft = 15000;
    lv[0].xpdr = lv[1].xpdr = 1; /* their levels known: no conflict */
    lv[0].t0 = lv[1].t0 = 40;
    lv[0].t1 = lv[1].t1 = 81;
    struct ev_truth *t = truth_of(lv, 2);
    for (with_alt = 0; with_alt <= 1; with_alt++) {
        struct ev *e = NULL;
        assert_int_equal(ev_new(t, NULL, &e), 0);
        run(e, lv, 81, snap_levels);
        struct ev_summary s;
        ev_summary(e, &s);
        assert_int_equal(s.assoc_cycles, 2 * 41);
        assert_int_equal(s.conflicts, 0); /* 6,000 ft apart */
        if (with_alt) /* on their own levels, 2.8 km from their aircraft at t = 40 and 80 */
            assert_near(s.pos_all.max_m, 20 * 100 * sqrt(2.0), 20);
        else /* by position alone: each on the aircraft it sits on */
            assert_true(s.pos_all.max_m < 0.05);
        assert_int_equal(s.switches, 0);
        ev_free(e);
    }
    ev_truth_free(t);
}

/* ---------------------------------------------------------------- alerts */

/* Head-on at one level, 80 km apart, closing at 400 m/s. */
static const struct hm headon[] = {
    {"W", "aircraft", 55.0, 13.0, 200, 0, 30000, 0xAAAAA1, 1, 1, 0, 300},
    {"E", "aircraft", 55.0, 13.0 + 80000 / (M_DEG * 0.573576436), -200, 0, 30000, 0xAAAAA2, 1, 1, 0,
     300},
};

/* The first second at which the truth is closer than 5 NM. */
static int first_loss(const struct ev_truth *t)
{
    for (size_t k = 0; k < t->movers[0].n; k++) {
        const struct ev_sample *a = &t->movers[0].s[k], *b = &t->movers[1].s[k];
        if (geo_short_distance_m(a->lat_deg, a->lon_deg, b->lat_deg, b->lon_deg) < 5 * 1852.0)
            return (int)(a->t_s - T0);
    }
    return -1;
}

/* Run the head-on scenario with a SEPARATION alert opened `lead` seconds
 * before the loss (none when lead < 0), cleared 30 s after the closest
 * approach. */
static void run_headon(int lead, struct ev_summary *s, struct dbuf *json)
{
    struct ev_truth *t = truth_of(headon, 2);
    int loss = first_loss(t);
    assert_true(loss > 150 && loss < 200);
    struct ev *e = NULL;
    assert_int_equal(ev_new(t, NULL, &e), 0);
    struct trk_track tr[2];
    for (int k = 0; k < 300; k++) {
        size_t n = snap_perfect(headon, k, tr);
        assert_int_equal(ev_observe(e, tr, n, ms_at(k)), 0);
        if (lead >= 0 && k == loss - lead) {
            struct det_alert a =
                mk_alert(7, DET_RULE_SEPARATION, DET_ST_OPEN, ms_at(k), ms_at(k), 1, 2);
            ev_alert(e, &a);
            a.state = DET_ST_UPDATED;
            a.severity = DET_SEV_ALERT;
            ev_alert(e, &a);
        }
        if (lead >= 0 && k == 240) {
            struct det_alert a = mk_alert(7, DET_RULE_SEPARATION, DET_ST_CLEARED,
                                          ms_at(loss - lead), ms_at(k), 1, 2);
            ev_alert(e, &a);
        }
    }
    ev_summary(e, s);
    if (json) {
        struct jsonw w;
        jw_init(&w, json);
        assert_int_equal(ev_write_json(e, &w), 0);
    }
    ev_free(e);
    ev_truth_free(t);
}

static void test_warning_90s(void **state)
{
    (void)state;
    struct ev_summary s;
    struct dbuf b;
    dbuf_init(&b, 1 << 20);
    run_headon(90, &s, &b);
    assert_int_equal(s.conflicts, 1);
    assert_int_equal(s.near_misses, 1);
    assert_int_equal(s.conflicts_warned, 1);
    assert_int_equal(s.conflicts_missed, 0);
    assert_int_equal(s.min_warning_ms, 90000);
    assert_int_equal(s.alerts, 1);
    assert_int_equal(s.alerts_justified, 1);
    assert_int_equal(s.nuisance, 0);
    assert_int_equal(s.v_warning, EV_PASS);
    assert_true(s.pass);
    /* the JSON says the same */
    json_error_t je;
    json_t *o = json_loads(b.p, 0, &je);
    assert_non_null(o);
    json_t *al = json_array_get(json_object_get(json_object_get(o, "alerts"), "list"), 0);
    assert_string_equal(json_string_value(json_object_get(al, "judged")), "justified");
    assert_near(json_number_value(json_object_get(al, "warning_s")), 90.0, 1e-9);
    assert_string_equal(json_string_value(json_object_get(al, "severity")), "ALERT");
    assert_string_equal(json_string_value(json_array_get(json_object_get(al, "movers"), 1)), "E");
    json_t *cf = json_array_get(json_object_get(json_object_get(o, "conflicts"), "list"), 0);
    assert_int_equal(json_integer_value(json_object_get(cf, "alert")), 7);
    assert_true(json_is_true(json_object_get(cf, "near_miss")));
    assert_true(json_is_true(json_object_get(o, "pass")));
    assert_int_equal(json_array_size(json_object_get(o, "targets")), 6);
    json_decref(o);
    dbuf_free(&b);

    run_headon(30, &s, NULL);
    assert_int_equal(s.min_warning_ms, 30000);
    assert_int_equal(s.v_warning, EV_FAIL);
    assert_false(s.pass);

    run_headon(-1, &s, NULL);
    assert_int_equal(s.conflicts_missed, 1);
    assert_int_equal(s.alerts, 0);
    assert_int_equal(s.v_warning, EV_FAIL);
}

static void test_nuisance(void **state)
{
    (void)state;
    /* parallel, 50 km apart; the second one dark */
    static const struct hm par[] = {
        {"P1", "aircraft", 55.0, 13.0, 200, 0, 30000, 0xBBBBB1, 1, 1, 0, 200},
        {"P2", "aircraft", 55.45, 13.0, 200, 0, 30000, 0, 0, 0, 0, 200},
    };
    struct ev_truth *t = truth_of(par, 2);
    struct ev *e = NULL;
    assert_int_equal(ev_new(t, NULL, &e), 0);
    struct trk_track tr[3];
    for (int k = 0; k < 200; k++) {
        size_t n = snap_perfect(par, k, tr);
        tr[n++] = mk_track(9, 40.0, 5.0, 0, 0, ms_at(k), TRK_SRC_BIT(TRK_SOURCE_PSR), 0);
        assert_int_equal(ev_observe(e, tr, n, ms_at(k)), 0);
        if (k == 50) {
            struct det_alert a =
                mk_alert(1, DET_RULE_SEPARATION, DET_ST_OPEN, ms_at(k), ms_at(k), 1, 2);
            ev_alert(e, &a);
            a = mk_alert(2, DET_RULE_NO_TRANSPONDER, DET_ST_OPEN, ms_at(k), ms_at(k), 1, 0);
            ev_alert(e, &a);
            a = mk_alert(3, DET_RULE_NO_TRANSPONDER, DET_ST_OPEN, ms_at(k), ms_at(k), 2, 0);
            ev_alert(e, &a);
            a = mk_alert(4, DET_RULE_NO_TRANSPONDER, DET_ST_OPEN, ms_at(k), ms_at(k), 9, 0);
            ev_alert(e, &a);
            a = mk_alert(5, DET_RULE_EMERGENCY, DET_ST_OPEN, ms_at(k), ms_at(k), 1, 0);
            ev_alert(e, &a);
        }
    }
    struct ev_summary s;
    ev_summary(e, &s);
    assert_int_equal(s.conflicts, 0);
    assert_int_equal(s.alerts, 5);
    assert_int_equal(s.alerts_justified, 1); /* only the dark one's NO_TRANSPONDER */
    assert_int_equal(s.nuisance, 4);
    assert_int_equal(s.false_tracks, 1);
    assert_int_equal(s.false_cycles, 200);
    assert_near(s.false_ratio, 200.0 / 600.0, 1e-9);
    /* P2 flies dark, in coverage from the start, named at 50 s */
    assert_int_equal(s.dark_aircraft, 1);
    assert_int_equal(s.dark_detected, 1);
    assert_int_equal(s.dark_max_delay_ms, 50000);

    struct dbuf b;
    dbuf_init(&b, 1 << 20);
    assert_int_equal(ev_write_text(e, &b), 0);
    assert_non_null(strstr(b.p, "nuisance: alert 1 SEPARATION"));
    assert_non_null(strstr(b.p, "nuisance: alert 4 NO_TRANSPONDER"));
    assert_null(strstr(b.p, "nuisance: alert 3 "));
    for (size_t i = 0; i < b.len; i++)
        assert_true(b.p[i] == '\n' || (b.p[i] >= 32 && b.p[i] < 127));
    dbuf_free(&b);
    ev_free(e);
    ev_truth_free(t);
}

/* ------------------------------------------------------------ coverage */

static size_t snap_none(const struct hm *ms, int t, struct trk_track *out)
{
    (void)ms, (void)t, (void)out;
    return 0;
}

static void test_expected(void **state)
{
    (void)state;
    static const struct hm cov[] = {
        {"IN", "aircraft", 55.0, 13.0, 150, 0, 10000, 0xCCCCC1, 1, 0, 0, 100},
        {"DARK", "aircraft", 55.1, 13.0, 150, 0, 10000, 0, 0, 0, 0, 100},
        {"FAR", "aircraft", 56.0, 13.0, 150, 0, 10000, 0xCCCCC3, 1, 0, 0, 100},
        {"SHIP", "vessel", 55.0, 13.2, 5, 0, 0, 0, 0, 0, 0, 100},
    };
    struct ev_truth *t = truth_of(cov, 4);
    struct ev_config c;
    ev_config_default(&c);
    c.n_sensors = 3;
    c.sensors[0] = (struct ev_sensor){EV_SENSOR_SSR, 55.0, 13.0, 50, 50000};
    c.sensors[1] = (struct ev_sensor){EV_SENSOR_PSR, 54.0, 13.0, 50, 50000}; /* far south */
    c.sensors[2] = (struct ev_sensor){EV_SENSOR_AIS, 55.0, 13.0, 10, 30000};
    struct ev *e = NULL;
    assert_int_equal(ev_new(t, &c, &e), 0);
    run(e, cov, 100, snap_none);
    struct ev_summary s;
    ev_summary(e, &s);
    /* IN and SHIP expected after 30 s of grace; DARK (no transponder, no
     * primary radar there) and FAR (beyond the SSR) are not */
    assert_int_equal(s.expected, 2 * 70);
    assert_int_equal(s.in_grace, 2 * 30);
    assert_int_equal(s.not_expected, 2 * 100);
    assert_int_equal(s.covered, 0);
    assert_near(s.completeness, 0.0, 0);
    assert_int_equal(s.v_completeness, EV_FAIL);
    ev_free(e);

    /* bad configurations are refused */
    c.sensors[0].range_m = NAN;
    assert_int_equal(ev_new(t, &c, &e), CAIRN_E_INVAL);
    ev_config_default(&c);
    c.gate_m = 0;
    assert_int_equal(ev_new(t, &c, &e), CAIRN_E_INVAL);
    assert_int_equal(ev_new(NULL, NULL, &e), CAIRN_E_INVAL);
    ev_free(NULL);
    ev_truth_free(t);
}

/* An aircraft whose transponder is off, flying at 10,000 ft, and its track
 * (Mode A/C before, no address), which still carries the last Mode C it
 * received, 20,000 ft: nothing measures the aircraft's altitude now, so
 * the altitude gate cannot tell that track from another's (the truth's
 * conflicts are judged horizontally for the same reason) and the track is
 * the aircraft's, every cycle. */
static size_t snap_stale_alt(const struct hm *ms, int t, struct trk_track *out)
{
    double lat, lon;
    hm_pos(&ms[0], t, &lat, &lon);
    out[0] = mk_track(1, lat, lon, ms[0].ve, ms[0].vn, ms_at(t), TRK_SRC_BIT(TRK_SOURCE_PSR), 0);
    out[0].last_src_ms[TRK_SOURCE_SSR] = ms_at(0) - 60000; /* the last reply, a minute before */
    out[0].primary_only_scans = 20;
    out[0].ids |= TRK_ID_SQUAWK;
    out[0].squawk = 01234;
    out[0].flags |= TRK_F_ALT;
    out[0].alt_ft = 20000;
    return 1;
}

static void test_dark_stale_altitude(void **state)
{
    (void)state;
    static const struct hm dark[] = {
        {"DARK", "aircraft", 55.1, 13.0, 150, 0, 10000, 0, 0, 0, 0, 100},
    };
    struct ev_truth *t = truth_of(dark, 1);
    struct ev *e = NULL;
    assert_int_equal(ev_new(t, NULL, &e), 0);
    run(e, dark, 100, snap_stale_alt);
    struct ev_summary s;
    ev_summary(e, &s);
    assert_int_equal(s.assoc_cycles, 100);
    assert_int_equal(s.false_cycles, 0);
    assert_int_equal(s.false_tracks, 0);
    ev_free(e);
    ev_truth_free(t);
}

/* A track carrying a mover's ICAO address but far beyond the identity gate
 * is not matched by identity; one within it is, whatever its error. */
static size_t snap_idfar(const struct hm *ms, int t, struct trk_track *out)
{
    double lat, lon;
    hm_pos(&ms[0], t, &lat, &lon);
    out[0] = mk_track(1, lat + 0.03, lon, ms[0].ve, ms[0].vn, ms_at(t),
                      TRK_SRC_BIT(TRK_SOURCE_ADSB), ms[0].icao); /* 3.3 km north */
    out[1] = mk_track(2, lat + 0.5, lon, ms[0].ve, ms[0].vn, ms_at(t), TRK_SRC_BIT(TRK_SOURCE_ADSB),
                      ms[0].icao); /* 55 km */
    return 2;
}

static void test_identity_gate(void **state)
{
    (void)state;
    struct ev_truth *t = truth_of(two, 1);
    struct ev *e = NULL;
    assert_int_equal(ev_new(t, NULL, &e), 0);
    run(e, two, 50, snap_idfar);
    struct ev_summary s;
    ev_summary(e, &s);
    assert_int_equal(s.pos[EV_MIX_ADSB].n, 50);
    assert_near(s.pos[EV_MIX_ADSB].rms_m, 0.03 * 111400, 300);
    assert_int_equal(s.id_far, 50);
    assert_int_equal(s.false_tracks, 1);
    ev_free(e);
    ev_truth_free(t);
}

/* Mode 3/A and Mode C carried right by one track, wrong by the other. */
static size_t snap_ids(const struct hm *ms, int t, struct trk_track *out)
{
    size_t n = snap_perfect(ms, t, out);
    for (size_t i = 0; i < n; i++) {
        out[i].ids |= TRK_ID_SQUAWK;
        out[i].squawk = i == 0 ? 01234 : 07000;
        out[i].flags |= TRK_F_ALT;
        out[i].alt_ft = (int32_t)ms[i].alt_ft + (i == 0 ? 100 : 500);
    }
    return n;
}

static void test_identification(void **state)
{
    (void)state;
    struct ev_truth *t = truth_of(two, 2);
    struct ev *e = NULL;
    assert_int_equal(ev_new(t, NULL, &e), 0);
    run(e, two, 100, snap_ids);
    struct ev_summary s;
    ev_summary(e, &s);
    assert_int_equal(s.mode3a.expected, 200);
    assert_int_equal(s.mode3a.present, 200);
    assert_int_equal(s.mode3a.correct, 100);
    assert_int_equal(s.mode3a.wrong, 100);
    assert_int_equal(s.mode_c.correct, 100); /* 100 ft off: within 300 ft */
    assert_int_equal(s.mode_c.wrong, 100);
    assert_int_equal(s.callsign.expected, 0); /* the truth has none */
    ev_free(e);
    ev_truth_free(t);
}

/* Many movers and tracks at once (the track records grow while a cycle is
 * being built): 30 x 20 aircraft 5 km apart, all tracked, 3 cycles. */
static void test_many(void **state)
{
    (void)state;
    enum { NX = 30, NY = 20, N = NX * NY, CYC = 3 };
    struct hm *ms = calloc(N, sizeof *ms);
    char(*ids)[16] = calloc(N, sizeof *ids);
    for (int i = 0; i < N; i++) {
        snprintf(ids[i], sizeof ids[i], "M%d", i);
        ms[i] = (struct hm){ids[i],
                            "aircraft",
                            54.0 + (i / NX) * 0.045,
                            15.0 + (i % NX) * 0.08,
                            120,
                            60,
                            3000.0 + 1000.0 * (i % 7),
                            0,
                            0,
                            0,
                            0,
                            CYC};
    }
    struct ev_truth *t = truth_of(ms, N);
    struct ev *e = NULL;
    assert_int_equal(ev_new(t, NULL, &e), 0);
    struct trk_track *tr = calloc(N, sizeof *tr);
    for (int k = 0; k < CYC; k++) {
        for (int i = 0; i < N; i++) {
            double lat, lon;
            hm_pos(&ms[i], k, &lat, &lon);
            tr[i] = mk_track((uint32_t)(1000 + i), lat, lon, ms[i].ve, ms[i].vn, ms_at(k),
                             TRK_SRC_BIT(TRK_SOURCE_PSR), 0);
        }
        assert_int_equal(ev_observe(e, tr, N, ms_at(k)), 0);
    }
    struct ev_summary s;
    ev_summary(e, &s);
    assert_int_equal(s.tracks, N);
    assert_int_equal(s.assoc_cycles, N * CYC);
    assert_int_equal(s.extra_cycles + s.false_cycles + s.breaks + s.switches, 0);
    assert_true(s.pos_all.max_m < 0.05);
    free(tr);
    ev_free(e);
    ev_truth_free(t);
    free(ids);
    free(ms);
}

/* Tracks with absurd values are skipped and counted, times at the limits
 * of int64_t overflow nothing (UBSan), alerts with absurd times are kept. */
static void test_hostile_values(void **state)
{
    (void)state;
    struct ev_truth *t = truth_of(two, 2);
    struct ev *e = NULL;
    assert_int_equal(ev_new(t, NULL, &e), 0);
    struct trk_track tr[6];
    size_t n = snap_perfect(two, 5, tr);
    assert_int_equal(n, 2);
    tr[1].last_src_ms[TRK_SOURCE_PSR] = INT64_MAX;
    tr[2] = tr[0];
    tr[2].id = 3;
    tr[2].t_state_ms = INT64_MIN;
    tr[3] = tr[0];
    tr[3].id = 4;
    tr[3].lat_deg = NAN;
    tr[4] = tr[0];
    tr[4].id = 5;
    tr[4].ve_mps = INFINITY;
    tr[5] = tr[0];
    tr[5].id = 6;
    tr[5].status = TRK_ST_TENTATIVE; /* not judged, not counted */
    assert_int_equal(ev_observe(e, tr, 6, ms_at(5)), 0);
    assert_int_equal(ev_observe(e, tr, 6, INT64_MAX), CAIRN_E_RANGE);
    struct det_alert a = mk_alert(1, DET_RULE_SEPARATION, DET_ST_OPEN, INT64_MIN, ms_at(5), 1, 2);
    ev_alert(e, &a);
    a = mk_alert(2, 250, DET_ST_OPEN, INT64_MAX, ms_at(5), 1, 0);
    ev_alert(e, &a);
    struct ev_summary s;
    ev_summary(e, &s);
    assert_int_equal(s.bad_tracks, 3);
    assert_int_equal(s.assoc_cycles, 2);
    assert_int_equal(s.alerts, 2);
    assert_int_equal(s.unjudged, 1);
    json_decref(eval_json(e)); /* writes JSON that parses */
    ev_free(e);
    ev_truth_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_truth_parse),
        cmocka_unit_test(test_truth_errors),
        cmocka_unit_test(test_truth_truncated),
        cmocka_unit_test(test_perfect),
        cmocka_unit_test(test_offset_100m),
        cmocka_unit_test(test_accuracy_at_update),
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_stray_near_ship),
        cmocka_unit_test(test_crossing),
        cmocka_unit_test(test_warning_90s),
        cmocka_unit_test(test_nuisance),
        cmocka_unit_test(test_expected),
        cmocka_unit_test(test_dark_stale_altitude),
        cmocka_unit_test(test_identity_gate),
        cmocka_unit_test(test_identification),
        cmocka_unit_test(test_many),
        cmocka_unit_test(test_levels),
        cmocka_unit_test(test_hostile_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
