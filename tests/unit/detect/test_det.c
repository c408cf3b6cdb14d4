/*
 * test_det.c — the safety nets on synthetic tracks and a fake clock: the
 * alert lifecycle (open, update, hysteresis, clear, capacity, time going
 * backwards), EMERGENCY, NO_TRANSPONDER, TRANSPONDER_OFF (also through the
 * real tracker), RENEGADE and SEPARATION (actual, predicted, near miss,
 * altitude unknown, the vertical minimum above FL410, level-off), and the
 * spatial index at 10,000 tracks. det_check (D1, D2, D4, D5) runs after
 * every evaluation; the change recorder checks D3.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, for the timing figure only */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "base/error.h"
#include "detect/detect.h"
#include "detect/rule.h"
#include "track/track.h"
#include "../track/trk_sim.h"

#define SEC   1000LL
#define LAT0  50.0
#define LON0  10.0
#define M_LAT 111229.0 /* metres per degree of latitude near 50 N */
#define M_LON 71696.0  /* metres per degree of longitude near 50 N */

/* ------------------------------------------------------------ recorder */

#define MAX_EV 256
struct rec {
    unsigned only; /* 0: record every rule; else a mask of 1u << rule */
    size_t n_all;  /* every change, for D3 */
    struct {
        uint32_t id;
        uint8_t state;
    } all[MAX_EV];
    size_t n; /* the changes of the rules recorded */
    struct {
        uint32_t id;
        uint8_t rule, state, severity;
        uint8_t kind0; /* the first party's kind */
        char text[DET_TEXT_LEN];
        const char *hyp;
    } ev[MAX_EV];
};

static void on_change(void *arg, const struct det_alert *a)
{
    struct rec *r = arg;
    assert_true(r->n_all < MAX_EV);
    /* D3: OPEN first, then UPDATED, CLEARED last and once */
    uint8_t last = 0;
    for (size_t k = 0; k < r->n_all; k++)
        if (r->all[k].id == a->id)
            last = r->all[k].state;
    if (a->state == DET_ST_OPEN)
        assert_int_equal(last, 0);
    else
        assert_true(last == DET_ST_OPEN || last == DET_ST_UPDATED);
    r->all[r->n_all].id = a->id;
    r->all[r->n_all].state = a->state;
    r->n_all++;
    if (r->only && !(r->only & (1u << a->rule)))
        return;
    r->ev[r->n].id = a->id;
    r->ev[r->n].rule = a->rule;
    r->ev[r->n].state = a->state;
    r->ev[r->n].severity = a->severity;
    r->ev[r->n].hyp = a->hypothesis;
    r->ev[r->n].kind0 = a->n_parties ? a->parties[0].kind : 0xff;
    memcpy(r->ev[r->n].text, a->text, DET_TEXT_LEN);
    r->n++;
}

static struct det *mk(struct rec *r, size_t max_tracks, size_t max_alerts)
{
    struct det_config c;
    det_config_default(&c);
    c.max_tracks = max_tracks;
    c.max_alerts = max_alerts;
    struct det *d = NULL;
    memset(r, 0, sizeof *r);
    assert_int_equal(det_new(&c, on_change, r, &d), 0);
    return d;
}

static int eval(struct det *d, const struct trk_track *t, size_t n, int64_t now)
{
    int rc = det_evaluate(d, t, n, now);
    assert_int_equal(det_check(d), 0);
    return rc;
}

/* An aircraft at (north_nm, east_nm) from the reference point, heading
 * with (ve, vn) m/s, altitude alt_ft (INT32_MIN: none), state at t. */
static struct trk_track ac(uint32_t id, double north_nm, double east_nm, int32_t alt_ft, double ve,
                           double vn, int64_t t)
{
    struct trk_track k;
    memset(&k, 0, sizeof k);
    k.id = id;
    k.status = TRK_ST_CONFIRMED;
    k.kind = TRK_KIND_AIRCRAFT;
    k.lat_deg = LAT0 + north_nm * 1852.0 / M_LAT;
    k.lon_deg = LON0 + east_nm * 1852.0 / M_LON;
    k.ve_mps = ve;
    k.vn_mps = vn;
    k.gs_mps = sqrt(ve * ve + vn * vn);
    k.t_first_ms = k.t_last_ms = k.t_state_ms = t;
    if (alt_ft != INT32_MIN) {
        k.flags |= TRK_F_ALT;
        k.alt_ft = alt_ft;
    }
    k.ids = TRK_ID_ICAO;
    k.icao = 0x4CA000u + id;
    k.transponder = TRK_TRI_YES;
    return k;
}

static size_t count(const struct rec *r, uint8_t rule, uint8_t state)
{
    size_t k = 0;
    for (size_t i = 0; i < r->n; i++)
        k += r->ev[i].rule == rule && r->ev[i].state == state;
    return k;
}

/* ----------------------------------------------------------- lifecycle */

static void test_emergency_lifecycle(void **st)
{
    (void)st;
    struct rec r;
    struct det *d = mk(&r, 16, 16);
    r.only = 1u << DET_RULE_EMERGENCY; /* 7600 also raises RENEGADE COMLOSS: tested below */
    struct trk_track t[2] = {ac(1, 0, 0, 20000, 200, 0, 0), ac(2, 50, 50, 30000, 0, 200, 0)};
    t[0].ids |= TRK_ID_SQUAWK | TRK_ID_CALLSIGN;
    t[0].squawk = 07700;
    memcpy(t[0].callsign, "BAW12\x1b[", 8); /* hostile bytes never reach the text */
    assert_int_equal(eval(d, t, 2, 0), 0);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.ev[0].state, DET_ST_OPEN);
    assert_int_equal(r.ev[0].rule, DET_RULE_EMERGENCY);
    assert_int_equal(r.ev[0].severity, DET_SEV_ALERT);
    assert_non_null(strstr(r.ev[0].text, "7700 (general emergency)"));
    assert_non_null(strstr(r.ev[0].text, "ICAO 4CA001"));
    assert_null(strchr(r.ev[0].text, '\x1b'));
    uint32_t id = r.ev[0].id;
    /* steady: no change */
    assert_int_equal(eval(d, t, 2, 5 * SEC), 0);
    assert_int_equal(r.n, 1);
    /* code change: UPDATED, same id */
    t[0].squawk = 07600;
    assert_int_equal(eval(d, t, 2, 10 * SEC), 0);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.ev[1].state, DET_ST_UPDATED);
    assert_int_equal(r.ev[1].id, id);
    assert_non_null(strstr(r.ev[1].text, "radio failure"));
    /* stops: held for 10 s and 2 evaluations */
    t[0].squawk = 01000;
    assert_int_equal(eval(d, t, 2, 11 * SEC), 0);
    assert_int_equal(eval(d, t, 2, 12 * SEC), 0);
    assert_int_equal(eval(d, t, 2, 19 * SEC), 0);
    assert_int_equal(r.n, 2);
    assert_int_equal(det_count(d), 2); /* and RENEGADE COMLOSS, from the 7600 at 10 s */
    assert_int_equal(eval(d, t, 2, 20 * SEC), 0);
    assert_int_equal(r.n, 3);
    assert_int_equal(r.ev[2].state, DET_ST_CLEARED);
    assert_int_equal(r.ev[2].id, id);
    /* the parties keep their kind, which the alert's JSON prints even when
     * the track is gone by the time the alert clears */
    assert_int_equal(r.ev[0].kind0, TRK_KIND_AIRCRAFT);
    assert_int_equal(r.ev[2].kind0, TRK_KIND_AIRCRAFT);
    assert_int_equal(det_count(d), 0);
    /* readers see CLEARED once, then the slot is free */
    size_t cur = 0;
    const struct det_alert *a = det_next(d, &cur);
    assert_non_null(a);
    assert_int_equal(a->state, DET_ST_CLEARED);
    assert_int_equal(eval(d, t, 2, 21 * SEC), 0);
    cur = 0;
    assert_null(det_next(d, &cur));
    /* a new emergency is a new alert */
    t[0].squawk = 07500;
    assert_int_equal(eval(d, t, 2, 22 * SEC), 0);
    assert_int_equal(r.n, 4);
    assert_int_equal(r.ev[3].state, DET_ST_OPEN);
    assert_true(r.ev[3].id > id);
    assert_non_null(strstr(r.ev[3].text, "unlawful interference"));
    det_free(d);
}

static void test_hysteresis_reraise(void **st)
{
    (void)st;
    struct rec r;
    struct det *d = mk(&r, 4, 4);
    struct trk_track t = ac(7, 0, 0, 10000, 100, 0, 0);
    t.emergency = 3; /* ADS-B: minimum fuel */
    assert_int_equal(eval(d, &t, 1, 0), 0);
    assert_int_equal(r.n, 1);
    assert_non_null(strstr(r.ev[0].text, "minimum fuel"));
    t.emergency = 0;
    assert_int_equal(eval(d, &t, 1, 4 * SEC), 0);
    assert_int_equal(eval(d, &t, 1, 8 * SEC), 0); /* 2 evaluations but only 8 s */
    assert_int_equal(r.n, 1);
    t.emergency = 3;
    assert_int_equal(eval(d, &t, 1, 9 * SEC), 0);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.ev[1].state, DET_ST_UPDATED);
    assert_int_equal(r.ev[1].id, r.ev[0].id);
    /* a single long gap is one evaluation: not cleared yet */
    t.emergency = 0;
    assert_int_equal(eval(d, &t, 1, 60 * SEC), 0);
    assert_int_equal(r.n, 2);
    assert_int_equal(eval(d, &t, 1, 61 * SEC), 0);
    assert_int_equal(count(&r, DET_RULE_EMERGENCY, DET_ST_CLEARED), 1);
    /* a track that leaves the picture clears the same way */
    det_free(d);
}

static void test_capacity_and_time(void **st)
{
    (void)st;
    struct rec r;
    struct det *d = mk(&r, 4, 2);
    struct trk_track t[3];
    for (unsigned i = 0; i < 3; i++) {
        t[i] = ac(i + 1, 100.0 * i, 0, 10000, 0, 0, 0);
        t[i].emergency = 1;
    }
    assert_int_equal(eval(d, t, 3, 0), CAIRN_E_FULL);
    assert_int_equal(det_stats(d)->full, 1);
    assert_int_equal(det_count(d), 2);
    assert_int_equal(eval(d, t, 3, 1 * SEC), CAIRN_E_FULL);
    assert_int_equal(det_evaluate(d, t, 3, 0), CAIRN_E_RANGE);
    struct trk_track many[5];
    assert_int_equal(det_evaluate(d, many, 5, 2 * SEC), CAIRN_E_INVAL);
    /* non-finite values are skipped and counted */
    t[2].lat_deg = NAN;
    t[2].emergency = 0;
    assert_int_equal(eval(d, t, 3, 2 * SEC), 0);
    assert_int_equal(det_stats(d)->bad_tracks, 1);
    struct det_config c;
    det_config_default(&c);
    c.max_alerts = 0;
    struct det *bad = NULL;
    assert_int_equal(det_new(&c, NULL, NULL, &bad), CAIRN_E_INVAL);
    assert_null(bad);
    det_free(d);
}

/* Times no tracker gives (T4, T9) from a corrupted snapshot: a state at
 * INT64_MIN or INT64_MAX is skipped and counted as a bad track, a `now`
 * beyond 2^52 ms either way is CAIRN_E_RANGE, and a reply time at
 * INT64_MAX is only a time; no arithmetic on them overflows (the
 * sanitizer aborts on a signed overflow). */
static void test_hostile_times(void **st)
{
    (void)st;
    struct rec r;
    struct det *d = mk(&r, 8, 8);
    struct trk_track t[3] = {ac(1, 0, 0, 10000, 0, 200, 0), ac(2, 0, 20, 10000, 0, 200, 0),
                             ac(3, 0, -20, INT32_MIN, 0, 200, 0)};
    t[0].t_state_ms = INT64_MIN;
    t[0].last_src_ms[TRK_SOURCE_PSR] = 1;
    t[1].t_state_ms = INT64_MAX;
    t[1].t_first_ms = INT64_MIN;
    /* a transponder reply "at" INT64_MAX, primary-only since: TRANSPONDER_OFF */
    t[2].t_state_ms = -100 * SEC;
    t[2].last_src_ms[TRK_SOURCE_MODES] = INT64_MAX;
    t[2].last_src_ms[TRK_SOURCE_PSR] = -100 * SEC;
    t[2].primary_only_scans = 5;
    assert_int_equal(eval(d, t, 3, -100 * SEC), 0);
    assert_int_equal(det_stats(d)->bad_tracks, 2);
    assert_int_equal(count(&r, DET_RULE_TRANSPONDER_OFF, DET_ST_OPEN), 1);
    det_free(d);
    d = mk(&r, 8, 8);
    t[0] = ac(1, 0, 0, 10000, 0, 200, 1 * SEC);
    assert_int_equal(det_evaluate(d, t, 1, INT64_MIN), CAIRN_E_RANGE);
    assert_int_equal(det_evaluate(d, t, 1, INT64_MAX), CAIRN_E_RANGE);
    assert_int_equal(det_stats(d)->evaluations, 0);
    assert_int_equal(eval(d, t, 1, 2 * SEC), 0);
    det_free(d);
}

/* A squawk is 12 bits (4 octal digits; the tracker refuses others): one
 * beyond 7777 octal in a corrupted snapshot is no 7500 or 7600 by its low
 * bits, the track is a bad track. */
static void test_hostile_squawk(void **st)
{
    (void)st;
    struct rec r;
    struct det *d = mk(&r, 8, 8);
    struct trk_track t[2] = {ac(1, 0, 0, 10000, 0, 200, 0), ac(2, 50, 0, 10000, 0, 200, 0)};
    t[0].ids |= TRK_ID_SQUAWK;
    t[0].squawk = 017500; /* 07500 in its low 12 bits */
    t[1].ids |= TRK_ID_SQUAWK;
    t[1].squawk = 0177600;
    assert_int_equal(eval(d, t, 2, 0), 0);
    assert_int_equal(r.n, 0);
    assert_int_equal(det_stats(d)->bad_tracks, 2);
    t[0].squawk = 07500;
    assert_int_equal(eval(d, t, 2, 1 * SEC), 0);
    assert_int_equal(count(&r, DET_RULE_EMERGENCY, DET_ST_OPEN), 1);
    det_free(d);
}

/* ------------------------------------------------------------- flapping */

/* The severity a live alert of (rule, key) shows, 0 when none. */
static uint8_t shown(const struct det *d, uint8_t rule, uint64_t key)
{
    size_t cur = 0;
    for (const struct det_alert *a; (a = det_next(d, &cur));)
        if (a->rule == rule && a->key == key &&
            (a->state == DET_ST_OPEN || a->state == DET_ST_UPDATED))
            return a->severity;
    return 0;
}

/* D7 on NO_TRANSPONDER: traffic jumping between 9 and 13 NM at every
 * evaluation (beyond the rule's own band, so only the lifecycle holds it).
 * The rise to WARNING is shown at once; the falls back to CAUTION are
 * held while WARNING keeps coming back, so the oscillation is one change,
 * not one per evaluation; once the traffic stays away, the fall comes
 * after the hold (10 s and 2 evaluations after the last WARNING). */
static void test_flap_no_transponder(void **st)
{
    (void)st;
    struct rec r;
    struct det *d = mk(&r, 8, 8);
    r.only = 1u << DET_RULE_NO_TRANSPONDER;
    struct trk_track t[2];
    t[0] = ac(1, 0, 0, INT32_MIN, 100, 0, 0);
    t[0].ids = 0;
    t[0].kind = TRK_KIND_UNKNOWN;
    t[0].transponder = TRK_TRI_UNKNOWN;
    t[0].primary_only_scans = 5;
    int64_t now = 0;
    for (int k = 0; k <= 16; k++, now += 4 * SEC) {
        t[0].t_state_ms = now;
        t[0].lat_deg = LAT0;
        t[0].lon_deg = LON0;
        t[1] = ac(2, (k % 2 == 0 && k > 0) ? 9.0 : 13.0, 0, 30000, 0, 0, now);
        assert_int_equal(eval(d, t, 2, now), 0);
        if (k == 0) {
            assert_int_equal(r.n, 1);
            assert_int_equal(r.ev[0].severity, DET_SEV_CAUTION);
        }
        if (k == 2) { /* the rise: at once */
            assert_int_equal(r.n, 2);
            assert_int_equal(r.ev[1].state, DET_ST_UPDATED);
            assert_int_equal(r.ev[1].severity, DET_SEV_WARNING);
        }
        if (k >= 2)
            assert_int_equal(shown(d, DET_RULE_NO_TRANSPONDER, 1), DET_SEV_WARNING);
    }
    assert_int_equal(r.n, 2); /* 17 evaluations, 7 falls below: no change */
    /* away for good from 68 s (last WARNING at 64 s): the fall at 76 s */
    for (; now <= 84 * SEC; now += 4 * SEC) {
        t[0].t_state_ms = now;
        t[1] = ac(2, 13.0, 0, 30000, 0, 0, now);
        assert_int_equal(eval(d, t, 2, now), 0);
        if (now < 76 * SEC)
            assert_int_equal(r.n, 2);
        if (now == 76 * SEC) {
            assert_int_equal(r.n, 3);
            assert_int_equal(r.ev[2].state, DET_ST_UPDATED);
            assert_int_equal(r.ev[2].severity, DET_SEV_CAUTION);
            assert_null(strstr(r.ev[2].text, "NM from"));
        }
    }
    assert_int_equal(r.n, 3);
    for (size_t k = 0; k < r.n; k++)
        assert_int_equal(r.ev[k].id, r.ev[0].id);
    det_free(d);
}

/* NO_TRANSPONDER's band: traffic that came within 10 NM keeps the alert
 * at WARNING while within 12 NM (20 %), so a track skirting 10 NM with
 * noise neither flaps nor falls; beyond 12 NM it falls after the hold. */
static void test_flap_no_transponder_band(void **st)
{
    (void)st;
    struct rec r;
    struct det *d = mk(&r, 8, 8);
    r.only = 1u << DET_RULE_NO_TRANSPONDER;
    struct trk_track t[2];
    t[0] = ac(1, 0, 0, INT32_MIN, 0, 0, 0);
    t[0].ids = 0;
    t[0].kind = TRK_KIND_UNKNOWN;
    t[0].transponder = TRK_TRI_UNKNOWN;
    t[0].primary_only_scans = 5;
    int64_t now = 0;
    for (int k = 0; k < 30; k++, now += 4 * SEC) {
        t[0].t_state_ms = now;
        t[1] = ac(2, k % 2 ? 10.2 : 9.8, 0, 30000, 0, 0, now);
        assert_int_equal(eval(d, t, 2, now), 0);
    }
    assert_int_equal(r.n, 1); /* opened at 9.8 NM: WARNING, and no change */
    assert_int_equal(r.ev[0].severity, DET_SEV_WARNING);
    for (int k = 0; k < 10; k++, now += 4 * SEC) {
        t[0].t_state_ms = now;
        t[1] = ac(2, 11.5, 0, 30000, 0, 0, now);
        assert_int_equal(eval(d, t, 2, now), 0);
    }
    assert_int_equal(r.n, 1);
    assert_non_null(strstr(r.ev[0].text, "NM from track 2"));
    for (int k = 0; k < 5; k++, now += 4 * SEC) {
        t[0].t_state_ms = now;
        t[1] = ac(2, 12.5, 0, 30000, 0, 0, now);
        assert_int_equal(eval(d, t, 2, now), 0);
    }
    assert_int_equal(r.n, 2);
    assert_int_equal(r.ev[1].severity, DET_SEV_CAUTION);
    det_free(d);
}

/* RENEGADE: a 7600 squawk (COMLOSS) on an aircraft whose transponder
 * comes and goes (det_xpdr_off true at every other evaluation:
 * SUSPECTED). The rise to SUSPECTED is shown at once, the oscillation
 * after it changes nothing, and the fall to COMLOSS waits for the hold. */
static void test_flap_renegade(void **st)
{
    (void)st;
    struct rec r;
    struct det *d = mk(&r, 8, 8);
    r.only = 1u << DET_RULE_RENEGADE;
    struct trk_track t = ac(5, 0, 0, 33000, 200, 0, 0);
    t.ids |= TRK_ID_SQUAWK;
    t.squawk = 07600;
    t.last_src_ms[TRK_SOURCE_MODES] = 1;
    int64_t now = 0;
    for (int k = 0; k <= 20; k++, now += 4 * SEC) {
        t.t_state_ms = now;
        t.lat_deg = LAT0;
        t.lon_deg = LON0;
        t.primary_only_scans = (k % 2 == 1) ? 4 : 0;
        assert_int_equal(eval(d, &t, 1, now), 0);
        if (k == 1) {
            assert_int_equal(r.n, 2);
            assert_int_equal(r.ev[1].severity, DET_SEV_WARNING);
            assert_non_null(strstr(r.ev[1].text, "Renegade SUSPECTED"));
        }
    }
    assert_int_equal(r.n, 2); /* COMLOSS, SUSPECTED: 20 evaluations, 2 changes */
    /* last SUSPECTED at 76 s: COMLOSS at 88 s (12 s, 3 evaluations) */
    for (; now <= 96 * SEC; now += 4 * SEC) {
        t.t_state_ms = now;
        t.primary_only_scans = 0;
        assert_int_equal(eval(d, &t, 1, now), 0);
        assert_int_equal(r.n, now < 88 * SEC ? 2u : 3u);
    }
    assert_int_equal(r.ev[2].severity, DET_SEV_CAUTION);
    assert_non_null(strstr(r.ev[2].text, "Renegade COMLOSS"));
    det_free(d);
}

/* SEPARATION at the 5 NM minimum: two aircraft at the same level, the
 * second converging at 80 m/s (closest approach within the look-ahead)
 * and its position jumping between 4.9 and 5.1 NM at every evaluation:
 * the actual loss (WARNING) and the predicted one (CAUTION) alternate.
 * The predicted loss opens CAUTION, the actual one rises at once, and the
 * alternation after it changes nothing (D7). */
static void test_flap_separation(void **st)
{
    (void)st;
    struct rec r;
    struct det *d = mk(&r, 8, 8);
    r.only = 1u << DET_RULE_SEPARATION;
    struct trk_track t[2];
    int64_t now = 0;
    for (int k = 0; k <= 20; k++, now += 4 * SEC) {
        t[0] = ac(1, 0, 0, 20000, 200, 0, now);
        t[1] = ac(2, k % 2 ? 4.9 : 5.1, 0, 20000, 200, -80.0, now);
        assert_int_equal(eval(d, t, 2, now), 0);
        if (k == 0) {
            assert_int_equal(r.n, 1);
            assert_int_equal(r.ev[0].severity, DET_SEV_CAUTION);
        }
        if (k == 1) {
            assert_int_equal(r.n, 2);
            assert_int_equal(r.ev[1].state, DET_ST_UPDATED);
            assert_int_equal(r.ev[1].severity, DET_SEV_WARNING);
        }
    }
    assert_int_equal(r.n, 2); /* 21 evaluations: OPEN, one UPDATED */
    det_free(d);
}

/* ------------------------------------------------------- no transponder */

static void test_no_transponder(void **st)
{
    (void)st;
    struct rec r;
    struct det *d = mk(&r, 8, 8);
    struct trk_track t[3];
    t[0] = ac(1, 0, 0, INT32_MIN, 100, 0, 0);
    t[0].ids = 0;
    t[0].kind = TRK_KIND_UNKNOWN;
    t[0].transponder = TRK_TRI_UNKNOWN;
    t[0].primary_only_scans = 1; /* a missed reply */
    t[1] = ac(2, 40, 0, 30000, 0, 100, 0);
    assert_int_equal(eval(d, t, 2, 0), 0);
    assert_int_equal(r.n, 0);
    t[0].primary_only_scans = 2;
    assert_int_equal(eval(d, t, 2, 4 * SEC), 0);
    assert_int_equal(r.n, 0);
    t[0].primary_only_scans = 3;
    assert_int_equal(eval(d, t, 2, 8 * SEC), 0);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.ev[0].rule, DET_RULE_NO_TRANSPONDER);
    assert_int_equal(r.ev[0].severity, DET_SEV_CAUTION);
    assert_non_null(strstr(r.ev[0].text, "primary radar only for 3 scans"));
    /* traffic comes within 10 NM: WARNING, same alert */
    t[1] = ac(2, 6, 0, 30000, 0, 0, 12 * SEC);
    assert_int_equal(eval(d, t, 2, 12 * SEC), 0);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.ev[1].state, DET_ST_UPDATED);
    assert_int_equal(r.ev[1].severity, DET_SEV_WARNING);
    assert_non_null(strstr(r.ev[1].text, "NM from track 2"));
    /* the transponder answers again (T8 resets the count): cleared after the hold */
    t[0].primary_only_scans = 0;
    assert_int_equal(eval(d, t, 2, 16 * SEC), 0);
    assert_int_equal(eval(d, t, 2, 26 * SEC), 0);
    assert_int_equal(count(&r, DET_RULE_NO_TRANSPONDER, DET_ST_CLEARED), 1);
    /* slow clutter, vessels and tentative tracks raise nothing */
    size_t before = r.n;
    t[2] = ac(3, -30, 0, INT32_MIN, 2, 0, 30 * SEC);
    t[2].flags |= TRK_F_SLOW;
    t[2].primary_only_scans = 20;
    t[0].kind = TRK_KIND_VESSEL;
    t[0].primary_only_scans = 20;
    t[1].status = TRK_ST_TENTATIVE;
    t[1].primary_only_scans = 20;
    assert_int_equal(eval(d, t, 3, 30 * SEC), 0);
    assert_int_equal(r.n, before);
    det_free(d);
}

/* The real tracker: a Mode S radar track whose replies are missed at 40 s
 * and at 60 and 64 s (1 and 2 primary-only scans) raises nothing; the
 * transponder switched off at 80 s raises TRANSPONDER_OFF (not
 * NO_TRANSPONDER: the track had replies) at the third primary-only scan
 * (88 s), on the same track, and its return clears it after the hold. */
static void test_transponder_off_modes_tracker(void **st)
{
    (void)st;
    struct sim_rng rng = {0xDE7EC7ull};
    struct trk_table *t = NULL;
    assert_int_equal(trk_new(NULL, &t), 0);
    struct sim_radar rd = {1, 0.0, 0.0, 50.0, 0.08};
    assert_int_equal(trk_sensor_set(t, 1, 4000), 0);
    struct sim_tgt g = {50000.0, 0.0, -120.0, 100.0, 0.0};
    struct rec r;
    struct det *d = mk(&r, 8, 8);
    struct trk_track snap[8];
    uint32_t id = 0;
    for (int64_t s = 0; s <= 140; s += 4) {
        int64_t now = SIM_T0 + s * SEC;
        int missed = s == 40 || s == 60 || s == 64 || (s >= 80 && s < 120);
        struct trk_meas m =
            sim_plot(&rd, &g, now,
                     missed ? TRK_SRC_BIT(TRK_SOURCE_PSR)
                            : (TRK_SRC_BIT(TRK_SOURCE_PSR) | TRK_SRC_BIT(TRK_SOURCE_MODES)),
                     &rng);
        if (!missed) {
            m.has |= TRK_M_ICAO | TRK_M_ALT;
            m.icao = 0x3C6544u;
            m.alt_ft = 12000;
        }
        uint32_t got;
        assert_int_equal(trk_ingest(t, &m, 1, now, &got), 0);
        if (!id)
            id = got;
        assert_int_equal(got, id); /* one continuous track */
        trk_tick(t, now);
        size_t n = trk_snapshot(t, snap, 8);
        assert_int_equal(n, 1);
        assert_int_equal(eval(d, snap, n, now), 0);
        size_t opened = count(&r, DET_RULE_TRANSPONDER_OFF, DET_ST_OPEN);
        if (s < 88)
            assert_int_equal(opened, 0);
        else
            assert_int_equal(opened, 1);
        if (s >= 88 && s < 128)
            assert_int_equal(det_count(d), 1);
        assert_int_equal(count(&r, DET_RULE_NO_TRANSPONDER, DET_ST_OPEN), 0);
        sim_move(&g, 4.0);
    }
    /* replies back at 120 s: absent from 120, cleared at 132 (>= 10 s, 2 evaluations) */
    assert_int_equal(count(&r, DET_RULE_TRANSPONDER_OFF, DET_ST_CLEARED), 1);
    assert_int_equal(det_count(d), 0);
    det_free(d);
    trk_free(t);
}

/* The real tracker, SSR: aircraft A answers Mode A/C (squawk 4521, 9,000 ft)
 * with combined SSR + PSR plots, then from 60 s to 120 s only primary
 * radar sees it; primary-only target B, 60 km away, never answered. A stays
 * one track (its plots go to it by gating, no address), keeps its squawk,
 * and raises TRANSPONDER_OFF at the third primary-only scan (68 s), cleared
 * after the replies come back; B raises NO_TRANSPONDER once confirmed. Never
 * both rules for one track. */
static void test_transponder_off_ssr_tracker(void **st)
{
    (void)st;
    struct sim_rng rng = {0x55A0FFull};
    struct trk_table *t = NULL;
    assert_int_equal(trk_new(NULL, &t), 0);
    struct sim_radar rd = {2, 0.0, 0.0, 50.0, 0.08};
    assert_int_equal(trk_sensor_set(t, 2, 4000), 0);
    struct sim_tgt g[2] = {{-30000.0, 20000.0, 150.0, 0.0, 0.0},
                           {20000.0, -40000.0, 0.0, 120.0, 0.0}};
    struct rec r;
    struct det *d = mk(&r, 8, 8);
    struct trk_track snap[8];
    uint32_t ida = 0, idb = 0;
    const uint8_t psr = TRK_SRC_BIT(TRK_SOURCE_PSR), ssr = TRK_SRC_BIT(TRK_SOURCE_SSR);
    for (int64_t s = 0; s <= 160; s += 4) {
        int64_t now = SIM_T0 + s * SEC;
        int off = s >= 60 && s < 120;
        struct trk_meas m[2];
        m[0] = sim_plot(&rd, &g[0], now, off ? psr : (uint8_t)(psr | ssr), &rng);
        if (!off) {
            m[0].has |= TRK_M_SQUAWK | TRK_M_ALT;
            m[0].squawk = 04521;
            m[0].alt_ft = 9000;
        }
        m[1] = sim_plot(&rd, &g[1], now, psr, &rng);
        uint32_t got[2];
        assert_int_equal(trk_ingest(t, m, 2, now, got), 0);
        if (!ida) {
            ida = got[0];
            idb = got[1];
        }
        assert_int_equal(got[0], ida); /* one continuous track */
        assert_int_equal(got[1], idb);
        trk_tick(t, now);
        assert_int_equal(trk_check(t), 0);
        size_t n = trk_snapshot(t, snap, 8);
        assert_int_equal(n, 2);
        assert_int_equal(eval(d, snap, n, now), 0);
        size_t opened = count(&r, DET_RULE_TRANSPONDER_OFF, DET_ST_OPEN);
        assert_int_equal(opened, s >= 68 ? 1 : 0);
        assert_int_equal(count(&r, DET_RULE_NO_TRANSPONDER, DET_ST_OPEN), s >= 8 ? 1 : 0);
        const struct det_alert *a;
        size_t cur = 0;
        while ((a = det_next(d, &cur))) {
            if (a->rule == DET_RULE_TRANSPONDER_OFF) {
                assert_int_equal(a->parties[0].track_id, ida);
                assert_int_equal(a->parties[0].squawk, 04521);
                assert_int_equal(a->severity, DET_SEV_WARNING);
                assert_non_null(strstr(a->text, "squawk 4521"));
                assert_non_null(strstr(a->text, "last SSR reply"));
                assert_non_null(strstr(a->text, "9000 ft"));
            }
            if (a->rule == DET_RULE_NO_TRANSPONDER)
                assert_int_equal(a->parties[0].track_id, idb);
        }
        sim_move(&g[0], 4.0);
        sim_move(&g[1], 4.0);
    }
    /* replies back at 120: absent from 120, cleared at 128 (12 s, 3 evaluations) */
    assert_int_equal(count(&r, DET_RULE_TRANSPONDER_OFF, DET_ST_CLEARED), 1);
    assert_int_equal(count(&r, DET_RULE_TRANSPONDER_OFF, DET_ST_OPEN), 1);
    assert_int_equal(det_count(d), 1); /* B's NO_TRANSPONDER */
    det_free(d);
    trk_free(t);
}

/* The real tracker: a Mode S + PSR radar track whose reply is missed on one
 * scan in five (a primary-only plot between cooperative ones) raises
 * nothing, ever; it stays one track. */
static void test_missed_reply_tracker(void **st)
{
    (void)st;
    struct sim_rng rng = {0x3155EDull};
    struct trk_table *t = NULL;
    assert_int_equal(trk_new(NULL, &t), 0);
    struct sim_radar rd = {3, 0.0, 0.0, 50.0, 0.08};
    assert_int_equal(trk_sensor_set(t, 3, 4000), 0);
    struct sim_tgt g = {-20000.0, -20000.0, 110.0, 110.0, 0.0};
    struct rec r;
    struct det *d = mk(&r, 8, 8);
    struct trk_track snap[8];
    uint32_t id = 0;
    const uint8_t psr = TRK_SRC_BIT(TRK_SOURCE_PSR), modes = TRK_SRC_BIT(TRK_SOURCE_MODES);
    for (int64_t s = 0; s <= 200; s += 4) {
        int64_t now = SIM_T0 + s * SEC;
        int missed = s % 20 == 12;
        struct trk_meas m = sim_plot(&rd, &g, now, missed ? psr : (uint8_t)(psr | modes), &rng);
        if (!missed) {
            m.has |= TRK_M_ICAO | TRK_M_ALT;
            m.icao = 0x4B1803u;
            m.alt_ft = 15000;
        }
        uint32_t got;
        assert_int_equal(trk_ingest(t, &m, 1, now, &got), 0);
        if (!id)
            id = got;
        assert_int_equal(got, id);
        trk_tick(t, now);
        size_t n = trk_snapshot(t, snap, 8);
        assert_int_equal(n, 1);
        assert_true(snap[0].primary_only_scans <= 1);
        assert_int_equal(eval(d, snap, n, now), 0);
        sim_move(&g, 4.0);
    }
    assert_int_equal(r.n, 0);
    assert_int_equal(det_count(d), 0);
    det_free(d);
    trk_free(t);
}

/* TRANSPONDER_OFF on synthetic tracks: the scan count, what keeps it
 * silent (slow, a vessel, a history of AIS or system tracks only), and
 * that NO_TRANSPONDER stays silent on a track that had replies. */
static void test_transponder_off_rule(void **st)
{
    (void)st;
    struct rec r;
    struct det *d = mk(&r, 8, 8);
    struct trk_track t[3];
    t[0] = ac(1, 0, 0, 25000, 200, 0, 0);
    t[0].last_src_ms[TRK_SOURCE_ADSB] = 1; /* replied long ago */
    t[0].primary_only_scans = 2;
    t[1] = ac(2, 30, 0, INT32_MIN, 100, 0, 0);
    t[1].ids = 0;
    t[1].kind = TRK_KIND_UNKNOWN;
    t[1].last_src_ms[TRK_SOURCE_SDPS] = 1; /* another tracker's track: not a reply */
    t[1].primary_only_scans = 5;
    assert_int_equal(eval(d, t, 2, 60 * SEC), 0);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.ev[0].rule, DET_RULE_NO_TRANSPONDER);
    t[0].primary_only_scans = 3;
    assert_int_equal(eval(d, t, 2, 64 * SEC), 0);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.ev[1].rule, DET_RULE_TRANSPONDER_OFF);
    assert_int_equal(r.ev[1].severity, DET_SEV_WARNING);
    assert_non_null(strstr(r.ev[1].text, "last ADS-B reply 64 s ago"));
    assert_non_null(strstr(r.ev[1].text, "for 3 scans"));
    const struct det_alert *a = NULL;
    size_t cur = 0;
    while ((a = det_next(d, &cur)) && a->rule != DET_RULE_TRANSPONDER_OFF)
        ;
    assert_non_null(a);
    assert_string_equal(a->values[0].name, "primary_only_scans");
    assert_true(a->values[1].v > 63.9 && a->values[1].v < 64.1);
    assert_int_equal(a->n_values, 4);
    assert_true(a->values[3].v == 25000.0);
    /* more scans: no update (the signature does not count them) */
    t[0].primary_only_scans = 9;
    assert_int_equal(eval(d, t, 2, 68 * SEC), 0);
    assert_int_equal(r.n, 2);
    /* slow (taxiing, or a track left on clutter) and vessels: silent, cleared */
    t[0].flags |= TRK_F_SLOW;
    t[2] = ac(3, -30, 0, INT32_MIN, 5, 0, 0);
    t[2].kind = TRK_KIND_VESSEL;
    t[2].last_src_ms[TRK_SOURCE_SSR] = 1;
    t[2].primary_only_scans = 10;
    assert_int_equal(eval(d, t, 3, 72 * SEC), 0);
    assert_int_equal(eval(d, t, 3, 82 * SEC), 0);
    assert_int_equal(count(&r, DET_RULE_TRANSPONDER_OFF, DET_ST_CLEARED), 1);
    assert_int_equal(count(&r, DET_RULE_TRANSPONDER_OFF, DET_ST_OPEN), 1);
    assert_int_equal(count(&r, DET_RULE_NO_TRANSPONDER, DET_ST_OPEN), 1);
    det_free(d);
}

/* ------------------------------------------------------------- renegade */

static const struct det_alert *find_live(struct det *d, uint8_t rule, uint32_t track)
{
    size_t cur = 0;
    const struct det_alert *a;
    while ((a = det_next(d, &cur)))
        if (a->rule == rule && a->state != DET_ST_CLEARED && a->parties[0].track_id == track)
            return a;
    return NULL;
}

/* One track through the categories: 7600 alone is COMLOSS; with a 15 NM
 * deviation SUSPECTED; resisting, PROBABLE; declared, CONFIRMED; then
 * lowered step by step as the evidence goes, the deviation held down to
 * 8 NM (80 % of 10 NM), and cleared after the hold. Always the same alert. */
static void test_renegade_categories(void **st)
{
    (void)st;
    struct rec r;
    struct det *d = mk(&r, 8, 8);
    r.only = 1u << DET_RULE_RENEGADE;
    struct trk_track t = ac(5, 0, 0, 33000, 200, 50, 0);
    t.ids |= TRK_ID_SQUAWK | TRK_ID_CALLSIGN;
    memcpy(t.callsign, "LOT3AK", 7);
    t.squawk = 07600;
    int64_t now = 0;
    assert_int_equal(eval(d, &t, 1, now), 0);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.ev[0].state, DET_ST_OPEN);
    assert_int_equal(r.ev[0].severity, DET_SEV_CAUTION);
    assert_string_equal(r.ev[0].text,
                        "Renegade COMLOSS: track 5 ICAO 4CA005 squawk 7600 LOT3AK: radio lost "
                        "(squawk 7600).");
    uint32_t id = r.ev[0].id;
    const struct det_alert *a = find_live(d, DET_RULE_RENEGADE, 5);
    assert_non_null(a);
    assert_true(a->values[0].v == 1.0 && a->values[1].v == 1.0 && a->values[3].v == -1.0);
    /* a flight plan matched, 15 NM off: SUSPECTED (two indicators) */
    t.flags |= TRK_F_PLAN_DEV;
    t.plan_dev_m = 15.0 * 1852.0;
    assert_int_equal(eval(d, &t, 1, now += 4 * SEC), 0);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.ev[1].state, DET_ST_UPDATED);
    assert_int_equal(r.ev[1].id, id);
    assert_int_equal(r.ev[1].severity, DET_SEV_WARNING);
    assert_non_null(strstr(r.ev[1].text, "Renegade SUSPECTED"));
    assert_non_null(strstr(r.ev[1].text, "15.0 NM off its flight plan"));
    a = find_live(d, DET_RULE_RENEGADE, 5);
    assert_true(a->values[0].v == 2.0 && a->values[1].v == 2.0);
    assert_true(fabs(a->values[3].v - 15.0) < 1e-9);
    /* steady: no event */
    assert_int_equal(eval(d, &t, 1, now += 4 * SEC), 0);
    assert_int_equal(r.n, 2);
    /* resists: PROBABLE */
    t.op_flags = TRK_OP_RESISTS;
    assert_int_equal(eval(d, &t, 1, now += 4 * SEC), 0);
    assert_int_equal(r.n, 3);
    assert_int_equal(r.ev[2].severity, DET_SEV_ALERT);
    assert_non_null(strstr(r.ev[2].text, "Renegade PROBABLE"));
    assert_non_null(strstr(r.ev[2].text, "resists intervention"));
    /* declared: CONFIRMED */
    t.op_flags = TRK_OP_RESISTS | TRK_OP_CONFIRMED;
    assert_int_equal(eval(d, &t, 1, now += 4 * SEC), 0);
    assert_int_equal(r.n, 4);
    assert_int_equal(r.ev[3].severity, DET_SEV_ALERT);
    assert_non_null(strstr(r.ev[3].text, "Renegade CONFIRMED"));
    /* lowered: the declaration and the resistance withdrawn */
    t.op_flags = 0;
    assert_int_equal(eval(d, &t, 1, now += 4 * SEC), 0);
    assert_int_equal(r.n, 5);
    assert_int_equal(r.ev[4].state, DET_ST_UPDATED);
    assert_int_equal(r.ev[4].severity, DET_SEV_WARNING);
    assert_non_null(strstr(r.ev[4].text, "Renegade SUSPECTED"));
    /* 9 NM: below 10 but counted while above 8 (hysteresis); the value moves */
    t.plan_dev_m = 9.0 * 1852.0;
    assert_int_equal(eval(d, &t, 1, now += 4 * SEC), 0);
    assert_int_equal(r.n, 5);
    a = find_live(d, DET_RULE_RENEGADE, 5);
    assert_true(fabs(a->values[3].v - 9.0) < 1e-9);
    /* 7.9 NM: the deviation stops counting, COMLOSS */
    t.plan_dev_m = 7.9 * 1852.0;
    assert_int_equal(eval(d, &t, 1, now += 4 * SEC), 0);
    assert_int_equal(r.n, 6);
    assert_int_equal(r.ev[5].severity, DET_SEV_CAUTION);
    assert_non_null(strstr(r.ev[5].text, "Renegade COMLOSS"));
    /* 9 NM again: not counted any more (10 NM needed to count again) */
    t.plan_dev_m = 9.0 * 1852.0;
    assert_int_equal(eval(d, &t, 1, now += 4 * SEC), 0);
    assert_int_equal(r.n, 6);
    /* radio back: no evidence; cleared after 10 s and 2 evaluations */
    t.squawk = 01000;
    assert_int_equal(eval(d, &t, 1, now += 4 * SEC), 0);
    assert_int_equal(eval(d, &t, 1, now += 4 * SEC), 0);
    assert_int_equal(r.n, 6);
    assert_int_equal(eval(d, &t, 1, now += 4 * SEC), 0);
    assert_int_equal(r.n, 7);
    assert_int_equal(r.ev[6].state, DET_ST_CLEARED);
    assert_int_equal(r.ev[6].id, id);
    for (size_t k = 0; k < r.n; k++)
        assert_int_equal(r.ev[k].id, id);
    det_free(d);
}

/* The other ways in: radio loss from the operator or ADS-B; ignoring ATC
 * with a deviation; a transponder switched off (TRANSPONDER_OFF's
 * condition) or not as instructed. What raises nothing: one indicator
 * other than radio, resisting without SUSPECTED, a deviation first seen
 * below 10 NM, vessels. */
static void test_renegade_evidence(void **st)
{
    (void)st;
    struct rec r;
    struct det *d = mk(&r, 16, 16);
    r.only = 1u << DET_RULE_RENEGADE;
    struct trk_track t[9];
    for (unsigned i = 0; i < 9; i++)
        t[i] = ac(i + 1, 30.0 * i, 0, 20000, 150, 0, 0);
    t[0].radio = TRK_TRI_NO;      /* COMLOSS: radio lost (operator) */
    t[1].emergency = 4;           /* COMLOSS: ADS-B "no communications" */
    t[2].flags |= TRK_F_PLAN_DEV; /* SUSPECTED: deviation + ignores ATC */
    t[2].plan_dev_m = 12.0 * 1852.0;
    t[2].op_flags = TRK_OP_IGNORES_ATC;
    t[3].last_src_ms[TRK_SOURCE_MODES] = 1; /* SUSPECTED: transponder off + ignores ATC */
    t[3].primary_only_scans = 4;
    t[3].op_flags = TRK_OP_IGNORES_ATC;
    t[4].op_flags = TRK_OP_XPDR_NOT_AS_TOLD | TRK_OP_RESISTS; /* one indicator: nothing */
    t[5].flags |= TRK_F_PLAN_DEV; /* 9 NM, first seen: below the threshold */
    t[5].plan_dev_m = 9.0 * 1852.0;
    t[5].radio = TRK_TRI_NO; /* ... so COMLOSS only */
    t[6].op_flags = TRK_OP_IGNORES_ATC | TRK_OP_XPDR_NOT_AS_TOLD | TRK_OP_CONFIRMED;
    t[6].kind = TRK_KIND_VESSEL;  /* never */
    t[7].flags |= TRK_F_PLAN_DEV; /* deviation alone: nothing */
    t[7].plan_dev_m = 40.0 * 1852.0;
    t[8].op_flags = TRK_OP_CONFIRMED; /* the authority's word alone */
    assert_int_equal(eval(d, t, 9, 60 * SEC), 0);
    assert_int_equal(r.n, 6);
    const struct det_alert *a;
    a = find_live(d, DET_RULE_RENEGADE, 1);
    assert_non_null(a);
    assert_non_null(strstr(a->text, "Renegade COMLOSS: track 1 ICAO 4CA001: radio lost."));
    a = find_live(d, DET_RULE_RENEGADE, 2);
    assert_non_null(a);
    assert_non_null(strstr(a->text, "radio lost (ADS-B)"));
    a = find_live(d, DET_RULE_RENEGADE, 3);
    assert_non_null(a);
    assert_int_equal(a->severity, DET_SEV_WARNING);
    assert_non_null(strstr(a->text, "SUSPECTED"));
    assert_non_null(strstr(a->text, "12.0 NM off its flight plan, ignores ATC"));
    a = find_live(d, DET_RULE_RENEGADE, 4);
    assert_non_null(a);
    assert_non_null(strstr(a->text, "SUSPECTED"));
    assert_non_null(strstr(a->text, "ignores ATC, transponder off"));
    assert_true(a->values[4].v == 4.0);
    assert_null(find_live(d, DET_RULE_RENEGADE, 5));
    a = find_live(d, DET_RULE_RENEGADE, 6);
    assert_non_null(a);
    assert_non_null(strstr(a->text, "COMLOSS"));
    assert_null(strstr(a->text, "flight plan"));
    assert_null(find_live(d, DET_RULE_RENEGADE, 7));
    assert_null(find_live(d, DET_RULE_RENEGADE, 8));
    a = find_live(d, DET_RULE_RENEGADE, 9);
    assert_non_null(a);
    assert_int_equal(a->severity, DET_SEV_ALERT);
    assert_non_null(strstr(a->text, "Renegade CONFIRMED"));
    /* the operator now reports track 5 ignoring ATC too: SUSPECTED, with
     * "transponder not as instructed" and the resistance: PROBABLE */
    t[4].op_flags |= TRK_OP_IGNORES_ATC;
    assert_int_equal(eval(d, t, 9, 64 * SEC), 0);
    a = find_live(d, DET_RULE_RENEGADE, 5);
    assert_non_null(a);
    assert_int_equal(a->state, DET_ST_OPEN);
    assert_non_null(strstr(a->text, "Renegade PROBABLE"));
    assert_non_null(strstr(a->text, "ignores ATC, transponder not as instructed, resists"));
    det_free(d);
}

/* ----------------------------------------------------------- separation */

static const struct det_alert *find_rule(struct det *d, uint8_t rule)
{
    size_t cur = 0;
    const struct det_alert *a;
    while ((a = det_next(d, &cur)))
        if (a->rule == rule && a->state != DET_ST_CLEARED)
            return a;
    return NULL;
}

static void test_separation_predicted(void **st)
{
    (void)st;
    struct rec r;
    struct det *d = mk(&r, 8, 8);
    /* head-on at FL200, 20 NM apart, closing at 500 m/s: within 5 NM from
     * 55.6 s, CPA in 74 s */
    struct trk_track t[2] = {ac(1, 0, -10, 20000, 250, 0, 0), ac(2, 0, 10, 20000, -250, 0, 0)};
    assert_int_equal(eval(d, t, 2, 0), 0);
    const struct det_alert *a = find_rule(d, DET_RULE_SEPARATION);
    assert_non_null(a);
    assert_int_equal(a->severity, DET_SEV_CAUTION);
    assert_string_equal(a->hypothesis, "straight");
    assert_int_equal(a->n_parties, 2);
    assert_true(a->values[2].v > 70 && a->values[2].v < 78);
    assert_true(fabs(a->lat_deg - LAT0) < 0.01 && fabs(a->lon_deg - LON0) < 0.01);
    /* the text gives the time to the loss: 15 NM to close at 500 m/s */
    assert_non_null(strstr(a->text, "Predicted loss of separation in 56 s"));
    /* 2,000 ft apart: no conflict */
    struct rec r2;
    struct det *d2 = mk(&r2, 8, 8);
    t[1].alt_ft = 22000;
    assert_int_equal(eval(d2, t, 2, 0), 0);
    assert_int_equal(r2.n, 0);
    /* beyond the look-ahead: 200 NM apart */
    t[1] = ac(2, 0, 190, 20000, -250, 0, 0);
    assert_int_equal(eval(d2, t, 2, 1 * SEC), 0);
    assert_int_equal(r2.n, 0);
    /* diverging at 3 NM... is an actual loss, not a prediction */
    t[0] = ac(1, 0, -1.5, 20000, -250, 0, 2 * SEC);
    t[1] = ac(2, 0, 1.5, 20000, 250, 0, 2 * SEC);
    assert_int_equal(eval(d2, t, 2, 2 * SEC), 0);
    assert_int_equal(r2.n, 1);
    assert_int_equal(r2.ev[0].severity, DET_SEV_WARNING);
    assert_null(r2.ev[0].hyp);
    det_free(d2);
    det_free(d);
}

/* The predicted loss is the time both minima are first lost within the
 * look-ahead, not the closest approach. A pair 5.1 NM apart at FL200
 * converging at 10 m/s: the 5 NM minimum is lost in 18.5 s, the closest
 * approach (0 NM) is 944 s away. CAUTION at once, "in 19 s"; the closest
 * approach while the loss lasts within the look-ahead is at its end
 * (120 s, 5.1 NM - 1,200 m). */
static void test_separation_window_slow(void **st)
{
    (void)st;
    struct rec r;
    struct det *d = mk(&r, 8, 8);
    struct trk_track t[2] = {ac(1, 0, 0, 20000, 200, 0, 0), ac(2, 5.1, 0, 20000, 200, -10, 0)};
    assert_int_equal(eval(d, t, 2, 0), 0);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.ev[0].severity, DET_SEV_CAUTION);
    assert_string_equal(r.ev[0].hyp, "straight");
    assert_non_null(strstr(r.ev[0].text, "Predicted loss of separation in 19 s"));
    const struct det_alert *a = find_rule(d, DET_RULE_SEPARATION);
    assert_non_null(a);
    assert_true(fabs(a->values[2].v - 120.0) < 0.01);
    assert_true(fabs(a->values[3].v - (5.1 - 1200.0 / 1852.0)) < 0.001);
    assert_true(fabs(a->values[4].v) < 0.5);
    /* the place: where the pair is at the loss (18.5 s on) */
    double lat = LAT0 + (5.1 * 1852.0 - 10.0 * 18.52) / 2.0 / M_LAT;
    assert_true(fabs(a->lat_deg - lat) < 2e-4);
    det_free(d);
}

/* An open alert is held by the hysteresis' margins (6 NM), but its text
 * tells the loss of the 5 NM minimum: a pair raised at 5.5 NM, then at
 * 5.9 NM converging at 30 m/s, is "in 56 s", not "in 0 s" (within the
 * margin now). */
static void test_separation_window_held(void **st)
{
    (void)st;
    struct rec r;
    struct det *d = mk(&r, 8, 8);
    struct trk_track t[2] = {ac(1, 0, 0, 20000, 200, 0, 0), ac(2, 5.5, 0, 20000, 200, -10, 0)};
    assert_int_equal(eval(d, t, 2, 0), 0);
    assert_int_equal(r.n, 1);
    assert_non_null(strstr(r.ev[0].text, "in 93 s"));
    t[0] = ac(1, 0, 0, 20000, 200, 0, 1 * SEC);
    t[1] = ac(2, 5.9, 0, 20000, 200, -30, 1 * SEC);
    assert_int_equal(eval(d, t, 2, 1 * SEC), 0);
    const struct det_alert *a = find_rule(d, DET_RULE_SEPARATION);
    assert_non_null(a);
    assert_int_equal(a->t_seen_ms, 1 * SEC);
    assert_non_null(strstr(a->text, "Predicted loss of separation in 56 s"));
    det_free(d);
}

/* A climber through another's level while within 5 NM: A level at FL200
 * eastbound at 200 m/s; B 4,000 m north and 10,000 m west, 100 m/s
 * faster, climbing from 17,500 ft at 3,000 ft/min. Horizontally within
 * 5 NM from 16.5 s to 183.5 s (closest, 2.16 NM, at 100 s, where B is
 * 2,500 ft above: nothing along the old rule); vertically within 1,000 ft
 * from 30 s to 70 s. Predicted when B comes within 1,000 ft of A's level,
 * in 30 s; the closest approach while the loss lasts is at 70 s. */
static void test_separation_window_climber(void **st)
{
    (void)st;
    struct rec r;
    struct det *d = mk(&r, 8, 8);
    struct trk_track t[2] = {ac(1, 0, 0, 20000, 200, 0, 0),
                             ac(2, 4000.0 / 1852.0, -10000.0 / 1852.0, 17500, 300, 0, 0)};
    t[1].vrate_fpm = 3000.0;
    assert_int_equal(eval(d, t, 2, 0), 0);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.ev[0].severity, DET_SEV_CAUTION);
    assert_string_equal(r.ev[0].hyp, "straight");
    assert_non_null(strstr(r.ev[0].text, "Predicted loss of separation in 30 s"));
    const struct det_alert *a = find_rule(d, DET_RULE_SEPARATION);
    assert_non_null(a);
    assert_true(fabs(a->values[2].v - 70.0) < 0.01);
    assert_true(fabs(a->values[4].v - 1000.0) < 0.5);
    /* a climb starting 2,000 ft lower is within A's band from 70 s to
     * 110 s and raises then; 4,600 ft lower it reaches the band at 122 s,
     * past the look-ahead: nothing */
    struct rec r2;
    struct det *d2 = mk(&r2, 8, 8);
    t[1].alt_ft = 15500;
    assert_int_equal(eval(d2, t, 2, 0), 0);
    assert_int_equal(r2.n, 1);
    assert_non_null(strstr(r2.ev[0].text, "in 70 s"));
    det_free(d2);
    d2 = mk(&r2, 8, 8);
    t[1].alt_ft = 12900;
    assert_int_equal(eval(d2, t, 2, 0), 0);
    assert_int_equal(r2.n, 0);
    det_free(d2);
    det_free(d);
}

/* The look-ahead bounds the start of the loss: head-on at FL200, closing
 * at 500 m/s from 5 NM + 500 m/s x 119 s, the loss begins at 119 s (the
 * closest approach at 137.5 s): raised; from 121 s: not (a new pair: the
 * hysteresis' margin does not apply). */
static void test_separation_window_edge(void **st)
{
    (void)st;
    for (int late = 0; late < 2; late++) {
        struct rec r;
        struct det *d = mk(&r, 8, 8);
        double x_nm = (5.0 * 1852.0 + 500.0 * (late ? 121.0 : 119.0)) / 1852.0;
        struct trk_track t[2] = {ac(1, 0, -x_nm / 2, 20000, 250, 0, 0),
                                 ac(2, 0, x_nm / 2, 20000, -250, 0, 0)};
        assert_int_equal(eval(d, t, 2, 0), 0);
        if (late) {
            assert_int_equal(r.n, 0);
        } else {
            assert_int_equal(r.n, 1);
            assert_non_null(strstr(r.ev[0].text, "Predicted loss of separation in 119 s"));
            const struct det_alert *a = find_rule(d, DET_RULE_SEPARATION);
            assert_non_null(a);
            assert_true(a->values[2].v >= 119.0 && a->values[2].v <= 120.0);
        }
        det_free(d);
    }
}

/* A diverging pair within 5 NM now but 2,000 ft apart, B descending at
 * 2,000 ft/min towards A: the loss begins in 30 s (B at 21,000 ft), while
 * the pair is still within 5 NM (until 170 s). The closest horizontal
 * approach is now: the old rule raised nothing. */
static void test_separation_window_diverging(void **st)
{
    (void)st;
    struct rec r;
    struct det *d = mk(&r, 8, 8);
    struct trk_track t[2] = {ac(1, 0, 0, 20000, 0, 100, 0), ac(2, 1, 2, 22000, 0, 150, 0)};
    t[1].vrate_fpm = -2000.0;
    assert_int_equal(eval(d, t, 2, 0), 0);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.ev[0].severity, DET_SEV_CAUTION);
    assert_string_equal(r.ev[0].hyp, "straight");
    assert_non_null(strstr(r.ev[0].text, "Predicted loss of separation in 30 s"));
    det_free(d);
}

/* A turns right at 2 deg/s (measured from its course at two evaluations)
 * towards B, 11.5 km east and 3 km south: the straight line diverges, the
 * turn brings A within 5 NM of B in about 80 s. */
static void test_separation_turning(void **st)
{
    (void)st;
    const double v = 200.0, w = 2.0 * 3.14159265358979 / 180.0, R = v / w;
    for (int turning = 0; turning < 2; turning++) {
        struct rec r;
        struct det *d = mk(&r, 8, 8);
        struct trk_track t[2] = {ac(1, 0, 0, 20000, 0, v, 0),
                                 ac(2, -3000.0 / 1852.0, 2 * R / 1852.0, 20000, 0, 0, 0)};
        t[0].track_deg = 0;
        assert_int_equal(eval(d, t, 2, 0), 0);
        assert_int_equal(r.n, 0);
        double th = turning ? 2 * w : 0; /* course after 2 s */
        t[0] = ac(1, R * sin(th) / 1852.0 + (turning ? 0 : 400.0 / 1852.0),
                  R * (1 - cos(th)) / 1852.0, 20000, v * sin(th), v * cos(th), 2 * SEC);
        t[0].track_deg = th * 180.0 / 3.14159265358979;
        t[1].t_state_ms = 2 * SEC;
        assert_int_equal(eval(d, t, 2, 2 * SEC), 0);
        if (!turning) {
            assert_int_equal(r.n, 0);
        } else {
            assert_int_equal(r.n, 1);
            assert_int_equal(r.ev[0].severity, DET_SEV_CAUTION);
            assert_string_equal(r.ev[0].hyp, "turning");
            assert_non_null(strstr(r.ev[0].text, "turning at the measured rate"));
            const struct det_alert *a = find_rule(d, DET_RULE_SEPARATION);
            assert_non_null(a);
            printf("# turning: loss predicted in %.0f s at %.2f NM\n", a->values[2].v,
                   a->values[3].v);
            assert_true(a->values[2].v > 40 && a->values[2].v <= 120);
            assert_true(a->values[3].v < 5.0);
            /* evaluations faster than the radar: the same state keeps its
             * measured rate, the alert stays reported */
            assert_int_equal(eval(d, t, 2, 3 * SEC), 0);
            assert_int_equal(eval(d, t, 2, 4 * SEC), 0);
            a = find_rule(d, DET_RULE_SEPARATION);
            assert_non_null(a);
            assert_int_equal(a->t_seen_ms, 4 * SEC);
            assert_int_equal(r.n, 1);
        }
        det_free(d);
    }
}

/* A at time k * 2 s on the turn of test_separation_turning (course th),
 * its course measured by radar plots alone (PSR + SSR, no ADS-B), the
 * tracker's turn models outweighing constant velocity (TRK_F_MANOEUVRE, as
 * on a turn) unless radar_straight is set. */
static int radar_straight;
static struct trk_track radar_ac(double R, double v, double th, int64_t t_ms)
{
    struct trk_track k = ac(1, R * sin(th) / 1852.0, R * (1 - cos(th)) / 1852.0, 20000, v * sin(th),
                            v * cos(th), t_ms);
    k.track_deg = th * 180.0 / 3.14159265358979;
    k.last_src_ms[TRK_SOURCE_PSR] = k.last_src_ms[TRK_SOURCE_SSR] = t_ms;
    if (!radar_straight)
        k.flags |= TRK_F_MANOEUVRE;
    return k;
}

/* The turn of test_separation_turning measured from radar plots alone: a
 * course that moved once is a candidate only (the plots' noise moves a
 * radar course that much), taken as a turn when the next reading turns the
 * same way; a course that jumps right then back left is never a turn. An
 * aircraft's own reports (ADS-B) keep the first reading (the test above). */
static void test_separation_turning_radar(void **st)
{
    (void)st;
    const double v = 200.0, w = 2.0 * 3.14159265358979 / 180.0, R = v / w;
    struct rec r;
    struct det *d = mk(&r, 8, 8);
    struct trk_track t[2] = {radar_ac(R, v, 0, 0),
                             ac(2, -3000.0 / 1852.0, 2 * R / 1852.0, 20000, 0, 0, 0)};
    assert_int_equal(eval(d, t, 2, 0), 0);
    t[0] = radar_ac(R, v, 2 * w, 2 * SEC);
    t[1].t_state_ms = 2 * SEC;
    assert_int_equal(eval(d, t, 2, 2 * SEC), 0);
    assert_int_equal(r.n, 0);                    /* one reading: a candidate */
    assert_int_equal(eval(d, t, 2, 3 * SEC), 0); /* the same plot again: still */
    assert_int_equal(r.n, 0);
    t[0] = radar_ac(R, v, 4 * w, 4 * SEC);
    t[1].t_state_ms = 4 * SEC;
    assert_int_equal(eval(d, t, 2, 4 * SEC), 0);
    assert_int_equal(r.n, 1); /* two readings the same way: a turn */
    assert_string_equal(r.ev[0].hyp, "turning");
    det_free(d);
    /* the same readings while the tracker's turn models do not outweigh
     * constant velocity: a radar course's wobble, no turn */
    radar_straight = 1;
    d = mk(&r, 8, 8);
    for (int k = 0; k <= 2; k++) {
        t[0] = radar_ac(R, v, k * 2 * w, k * 2 * SEC);
        t[1].t_state_ms = k * 2 * SEC;
        assert_int_equal(eval(d, t, 2, k * 2 * SEC), 0);
    }
    assert_int_equal(r.n, 0);
    det_free(d);
    radar_straight = 0;
    /* noise: right by 4 degrees, then back */
    d = mk(&r, 8, 8);
    t[0] = radar_ac(R, v, 0, 0);
    t[1].t_state_ms = 0;
    assert_int_equal(eval(d, t, 2, 0), 0);
    for (int k = 1; k <= 6; k++) {
        t[0] = radar_ac(R, v, (k % 2) * 2 * w, k * 2 * SEC);
        t[0].lat_deg = LAT0 + v * k * 2 / M_LAT; /* straight on, north */
        t[0].lon_deg = LON0;
        t[1].t_state_ms = k * 2 * SEC;
        assert_int_equal(eval(d, t, 2, k * 2 * SEC), 0);
    }
    assert_int_equal(r.n, 0);
    det_free(d);
}

/* The measured turn rate follows a track by id, wherever it sits in the
 * picture: the turning geometry of test_separation_turning, with the
 * second picture in another order and a new track in front (the course
 * memory is kept by position and must find A at another one). */
static void test_separation_turning_reordered(void **st)
{
    (void)st;
    const double v = 200.0, w = 2.0 * 3.14159265358979 / 180.0, R = v / w;
    struct rec r;
    struct det *d = mk(&r, 8, 8);
    struct trk_track t[3] = {ac(1, 0, 0, 20000, 0, v, 0),
                             ac(2, -3000.0 / 1852.0, 2 * R / 1852.0, 20000, 0, 0, 0)};
    t[0].track_deg = 0;
    assert_int_equal(eval(d, t, 2, 0), 0);
    assert_int_equal(r.n, 0);
    double th = 2 * w; /* course after 2 s */
    struct trk_track a = ac(1, R * sin(th) / 1852.0, R * (1 - cos(th)) / 1852.0, 20000, v * sin(th),
                            v * cos(th), 2 * SEC),
                     b = t[1], far = ac(3, 300.0, 300.0, 30000, 0, v, 2 * SEC);
    a.track_deg = th * 180.0 / 3.14159265358979;
    b.t_state_ms = 2 * SEC;
    t[0] = far; /* a new track first, then B, then A */
    t[1] = b;
    t[2] = a;
    assert_int_equal(eval(d, t, 3, 2 * SEC), 0);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.ev[0].hyp, "turning");
    /* and back to the first order, without the new track: the same state
     * keeps its measured rate, the alert stays */
    t[0] = a;
    t[1] = b;
    assert_int_equal(eval(d, t, 2, 3 * SEC), 0);
    const struct det_alert *al = find_rule(d, DET_RULE_SEPARATION);
    assert_non_null(al);
    assert_int_equal(al->t_seen_ms, 3 * SEC);
    assert_int_equal(r.n, 1);
    assert_int_equal(det_check(d), 0);
    det_free(d);
}

/* Level-off: A level at FL200 eastbound, B westbound 20 NM away at
 * 23,000 ft descending at 2,000 ft/min; closest approach in 74 s. Straight
 * lines put B at about 20,533 ft then (533 ft: a conflict). B's selected
 * altitude is 22,000 ft, 2,000 ft above A: it levels off (at 21,700 ft
 * with the 300 ft overshoot allowance), no alert. Without the selected
 * altitude, with one behind its descent, or with the hypothesis switched
 * off: the straight-line alert. */
static void test_separation_level_off_clears(void **st)
{
    (void)st;
    for (int c = 0; c < 4; c++) {
        struct rec r;
        struct det_config cfg;
        det_config_default(&cfg);
        cfg.max_tracks = cfg.max_alerts = 8;
        if (c == 3)
            cfg.level_off = 0;
        struct det *d = NULL;
        memset(&r, 0, sizeof r);
        assert_int_equal(det_new(&cfg, on_change, &r, &d), 0);
        struct trk_track t[2] = {ac(1, 0, -10, 20000, 250, 0, 0), ac(2, 0, 10, 23000, -250, 0, 0)};
        t[1].vrate_fpm = -2000.0;
        t[1].flags |= TRK_F_SEL_ALT;
        t[1].sel_alt_ft = 22000;
        if (c == 1)
            t[1].flags &= (uint8_t)~TRK_F_SEL_ALT; /* no selected altitude */
        if (c == 2)
            t[1].sel_alt_ft = 25000; /* behind the descent: stale or being changed */
        assert_int_equal(eval(d, t, 2, 0), 0);
        if (c == 0) {
            assert_int_equal(r.n, 0);
            assert_int_equal(det_stats(d)->level_off_cleared, 1);
        } else {
            assert_int_equal(r.n, 1);
            assert_string_equal(r.ev[0].hyp, "straight");
            assert_int_equal(r.ev[0].severity, DET_SEV_CAUTION);
            assert_non_null(strstr(r.ev[0].text, "(straight line)"));
            const struct det_alert *a = find_rule(d, DET_RULE_SEPARATION);
            assert_non_null(a);
            assert_true(a->values[4].v > 500.0 && a->values[4].v < 560.0); /* ~533 ft */
            assert_int_equal(det_stats(d)->level_off_cleared, 0);
        }
        det_free(d);
    }
}

/* Level-off raising what the straight line misses: B descends at 6,000
 * ft/min from 23,000 ft towards a selected altitude of 20,000 ft, A's
 * level. Along the straight line B is within 1,000 ft of A from 20 s to
 * 40 s, before the pair comes within 5 NM (56 s to 93 s): nothing.
 * Levelling off (at 19,700 ft after 33 s), B is 300 ft from A from then
 * on: a loss from 56 s, 300 ft at the closest approach (74 s), hypothesis
 * "level-off". A climb levelling off at a selected altitude above is the
 * mirror case. (At 4,000 ft/min, as this test had it, the straight line
 * crosses A's band at 30-60 s: within 5 NM from 56 s, a straight-line
 * loss the rule judged at the closest approach only missed.) */
static void test_separation_level_off_raises(void **st)
{
    (void)st;
    for (int c = 0; c < 3; c++) {
        struct rec r;
        struct det *d = mk(&r, 8, 8);
        struct trk_track t[2] = {ac(1, 0, -10, 20000, 250, 0, 0), ac(2, 0, 10, 23000, -250, 0, 0)};
        t[1].vrate_fpm = -6000.0;
        t[1].flags |= TRK_F_SEL_ALT;
        t[1].sel_alt_ft = 20000;
        if (c == 1)
            t[1].flags &= (uint8_t)~TRK_F_SEL_ALT;
        if (c == 2) { /* climbing from 17,000 ft to 20,000 ft */
            t[1].alt_ft = 17000;
            t[1].vrate_fpm = 6000.0;
        }
        assert_int_equal(eval(d, t, 2, 0), 0);
        if (c == 1) {
            assert_int_equal(r.n, 0);
        } else {
            assert_int_equal(r.n, 1);
            assert_string_equal(r.ev[0].hyp, "level-off");
            assert_non_null(strstr(r.ev[0].text, "(levelling off at the selected altitude)"));
            assert_non_null(strstr(r.ev[0].text, "300 ft at closest approach"));
            const struct det_alert *a = find_rule(d, DET_RULE_SEPARATION);
            assert_non_null(a);
            assert_true(fabs(a->values[4].v - 300.0) < 1.0);
            assert_true(a->values[2].v > 70 && a->values[2].v < 78);
        }
        det_free(d);
    }
}

/* Level-off with equal rates: A climbs from 20,000 ft and B from 17,000 ft,
 * both at 3,000 ft/min, so the straight lines keep them 3,000 ft apart.
 * A's selected altitude is 21,000 ft: it levels off at 21,300 ft after 26 s
 * while B climbs on, to 20,700 ft at the closest approach (74 s): 600 ft,
 * hypothesis "level-off". The spatial index's vertical bound must not drop
 * this pair for having no relative vertical rate. */
static void test_separation_level_off_equal_rates(void **st)
{
    (void)st;
    struct rec r;
    struct det *d = mk(&r, 8, 8);
    struct trk_track t[2] = {ac(1, 0, -10, 20000, 250, 0, 0), ac(2, 0, 10, 17000, -250, 0, 0)};
    t[0].vrate_fpm = 3000.0;
    t[0].flags |= TRK_F_SEL_ALT;
    t[0].sel_alt_ft = 21000;
    t[1].vrate_fpm = 3000.0;
    assert_int_equal(eval(d, t, 2, 0), 0);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.ev[0].hyp, "level-off");
    const struct det_alert *a = find_rule(d, DET_RULE_SEPARATION);
    assert_non_null(a);
    assert_true(fabs(a->values[4].v - 600.0) < 5.0);
    det_free(d);
}

/* Turning and levelling off: the turning geometry of test_separation_turning
 * (A turns right at 2 deg/s towards B, within 5 NM after about 54 s), with
 * B descending at 6,000 ft/min from 24,000 ft: along its straight vertical
 * line B is 1,400 ft and more below A by then, nothing. Its selected
 * altitude is A's level, 20,000 ft: levelled off at 19,700 ft (after 43 s)
 * it is 300 ft below A: "turning+level-off". */
static void test_separation_turning_level_off(void **st)
{
    (void)st;
    const double v = 200.0, w = 2.0 * 3.14159265358979 / 180.0, R = v / w;
    for (int sel = 0; sel < 2; sel++) {
        struct rec r;
        struct det *d = mk(&r, 8, 8);
        struct trk_track t[2] = {ac(1, 0, 0, 20000, 0, v, 0),
                                 ac(2, -3000.0 / 1852.0, 2 * R / 1852.0, 24000, 0, 0, 0)};
        t[0].track_deg = 0;
        t[1].vrate_fpm = -6000.0;
        if (sel) {
            t[1].flags |= TRK_F_SEL_ALT;
            t[1].sel_alt_ft = 20000;
        }
        assert_int_equal(eval(d, t, 2, 0), 0);
        assert_int_equal(r.n, 0);
        double th = 2 * w; /* course after 2 s */
        t[0] = ac(1, R * sin(th) / 1852.0, R * (1 - cos(th)) / 1852.0, 20000, v * sin(th),
                  v * cos(th), 2 * SEC);
        t[0].track_deg = th * 180.0 / 3.14159265358979;
        t[1].t_state_ms = 2 * SEC;
        assert_int_equal(eval(d, t, 2, 2 * SEC), 0);
        if (!sel) {
            assert_int_equal(r.n, 0);
        } else {
            assert_int_equal(r.n, 1);
            assert_string_equal(r.ev[0].hyp, "turning+level-off");
            assert_non_null(strstr(r.ev[0].text, "(turning and levelling off)"));
            const struct det_alert *a = find_rule(d, DET_RULE_SEPARATION);
            assert_non_null(a);
            assert_true(a->values[2].v > 43 && a->values[2].v <= 120);
            assert_true(fabs(a->values[4].v - 300.0) < 1.0);
        }
        det_free(d);
    }
}

static void test_separation_actual_near_miss(void **st)
{
    (void)st;
    struct rec r;
    struct det *d = mk(&r, 8, 8);
    struct trk_track t[2] = {ac(1, 0, 0, 15000, 0, 100, 0), ac(2, 0, 3, 15500, 0, 100, 0)};
    assert_int_equal(eval(d, t, 2, 0), 0);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.ev[0].severity, DET_SEV_WARNING);
    assert_non_null(strstr(r.ev[0].text, "Loss of separation"));
    assert_non_null(strstr(r.ev[0].text, "500 ft apart"));
    /* closer: near miss, the same alert stepped up */
    t[1] = ac(2, 0, 0.5, 15200, 0, 100, 1 * SEC);
    t[0].t_state_ms = 1 * SEC;
    assert_int_equal(eval(d, t, 2, 1 * SEC), 0);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.ev[1].state, DET_ST_UPDATED);
    assert_int_equal(r.ev[1].id, r.ev[0].id);
    assert_int_equal(r.ev[1].severity, DET_SEV_ALERT);
    assert_non_null(strstr(r.ev[1].text, "Near miss"));
    /* a primary-only track has no altitude: judged horizontally */
    struct rec r2;
    struct det *d2 = mk(&r2, 8, 8);
    t[1] = ac(2, 0, 3, INT32_MIN, 0, 100, 1 * SEC);
    t[1].ids = 0;
    assert_int_equal(eval(d2, t, 2, 1 * SEC), 0);
    assert_int_equal(r2.n, 1);
    assert_int_equal(r2.ev[0].severity, DET_SEV_WARNING);
    assert_non_null(strstr(r2.ev[0].text, "altitude unknown"));
    det_free(d2);
    det_free(d);
}

/* A transponder that stopped leaves the track its last altitude
 * (TRK_F_ALT stays: track.h's "last pressure altitude"), but primary radar
 * measures none: once the track is primary-only for no_xpdr_scans scans
 * (the TRANSPONDER_OFF condition) that altitude is history, and the pair
 * is judged horizontally, as a primary-only track's. */
static void test_separation_transponder_off_altitude(void **st)
{
    (void)st;
    struct rec r;
    struct det *d = mk(&r, 8, 8);
    /* last reported at FL350 by Mode S, 2 NM west of an airliner at
     * FL100, both northbound at 200 m/s */
    struct trk_track t[2] = {ac(1, 0, 0, 35000, 0, 200, 60 * SEC),
                             ac(2, 0, 2, 10000, 0, 200, 60 * SEC)};
    t[0].last_src_ms[TRK_SOURCE_MODES] = 20 * SEC;
    t[0].last_src_ms[TRK_SOURCE_PSR] = 60 * SEC;
    t[1].last_src_ms[TRK_SOURCE_ADSB] = 60 * SEC;
    /* two replies missed: still its altitude, 25,000 ft apart */
    t[0].primary_only_scans = 2;
    assert_int_equal(eval(d, t, 2, 60 * SEC), 0);
    assert_null(find_rule(d, DET_RULE_SEPARATION));
    /* silent for three scans: the altitude is unknown, 2 NM is a loss */
    t[0].primary_only_scans = 3;
    assert_int_equal(eval(d, t, 2, 60 * SEC), 0);
    const struct det_alert *a = find_rule(d, DET_RULE_SEPARATION);
    assert_non_null(a);
    puts(a->text);
    assert_int_equal(a->severity, DET_SEV_WARNING);
    assert_non_null(strstr(a->text, "altitude unknown"));
    assert_true(a->values[1].v == -1.0); /* vert_ft: not known */
    det_free(d);
}

/* ------------------------------------------------- formation (escort) */

/* Two aircraft northbound at 200 m/s and FL300 at time t (s): track 2 is
 * east_nm east of track 1 and north_nm north of it, with velocity (ve2,
 * vn2). */
static void pair_at(struct trk_track *t, double t_s, double east_nm, double north_nm, double ve2,
                    double vn2)
{
    int64_t now = (int64_t)(t_s * SEC);
    double n1 = 200.0 * t_s / 1852.0;
    t[0] = ac(1, n1, 0, 30000, 0, 200, now);
    t[1] = ac(2, n1 + north_nm, east_nm, 30200, ve2, vn2, now);
}

static void test_separation_formation_exempt(void **st)
{
    (void)st;
    struct rec r;
    struct det *d = mk(&r, 8, 8);
    r.only = 1u << DET_RULE_SEPARATION;
    struct trk_track t[2];
    /* 1.5 NM abeam, 200 ft apart, the same velocity within 5 m/s: an
     * escort on station. Loss of separation (WARNING) until the formation
     * has lasted 60 s, then withheld, cleared after the hold. */
    for (int s = 0; s <= 180; s += 4) {
        pair_at(t, s, 1.5, 0, 3, 204);
        assert_int_equal(eval(d, t, 2, (int64_t)s * SEC), 0);
        if (s < 60)
            assert_non_null(find_rule(d, DET_RULE_SEPARATION));
        if (s >= 80)
            assert_null(find_rule(d, DET_RULE_SEPARATION));
    }
    assert_int_equal(count(&r, DET_RULE_SEPARATION, DET_ST_OPEN), 1);
    assert_int_equal(count(&r, DET_RULE_SEPARATION, DET_ST_CLEARED), 1);
    assert_int_equal(r.ev[0].severity, DET_SEV_WARNING);
    assert_true(det_stats(d)->formation_exempt > 0);
    /* a real collision risk in formation still alerts: NEAR_MISS */
    pair_at(t, 184, 0.3, 0, 3, 204);
    assert_int_equal(eval(d, t, 2, 184 * SEC), 0);
    const struct det_alert *a = find_rule(d, DET_RULE_SEPARATION);
    assert_non_null(a);
    assert_int_equal(a->severity, DET_SEV_ALERT);
    det_free(d);
    /* disabled: alerts all along */
    struct det_config c;
    det_config_default(&c);
    c.max_tracks = 8;
    c.max_alerts = 8;
    c.formation = 0;
    memset(&r, 0, sizeof r);
    assert_int_equal(det_new(&c, on_change, &r, &d), 0);
    for (int s = 0; s <= 180; s += 4) {
        pair_at(t, s, 1.5, 0, 3, 204);
        assert_int_equal(eval(d, t, 2, (int64_t)s * SEC), 0);
        assert_non_null(find_rule(d, DET_RULE_SEPARATION));
    }
    det_free(d);
}

static void test_separation_formation_crossing(void **st)
{
    (void)st;
    struct rec r;
    struct det *d = mk(&r, 8, 8);
    r.only = 1u << DET_RULE_SEPARATION;
    struct trk_track t[2];
    /* track 2 crosses track 1's path westbound at 200 m/s, 1 NM ahead of
     * it: within 2 NM for about 30 s, but never with matched velocity */
    for (int s = 0; s <= 120; s += 4) {
        double east = (60.0 - s) * 200.0 / 1852.0;
        pair_at(t, s, east, 1.0, -200, 0);
        assert_int_equal(eval(d, t, 2, (int64_t)s * SEC), 0);
        if (s >= 40 && s <= 80)
            assert_non_null(find_rule(d, DET_RULE_SEPARATION));
    }
    assert_int_equal(det_stats(d)->formation_exempt, 0);
    /* a pair on parallel tracks 1.5 NM apart overtaking at 40 m/s: close
     * for long, but not flying together */
    struct rec r2;
    struct det *d2 = mk(&r2, 8, 8);
    for (int s = 0; s <= 100; s += 4) {
        pair_at(t, s, 1.5, (s - 50) * 40.0 / 1852.0, 0, 240);
        assert_int_equal(eval(d2, t, 2, (int64_t)s * SEC), 0);
        if (s >= 20 && s <= 80)
            assert_non_null(find_rule(d2, DET_RULE_SEPARATION));
    }
    assert_int_equal(det_stats(d2)->formation_exempt, 0);
    det_free(d2);
    det_free(d);
}

static void test_separation_formation_split(void **st)
{
    (void)st;
    struct rec r;
    struct det *d = mk(&r, 8, 8);
    r.only = 1u << DET_RULE_SEPARATION;
    struct trk_track t[2];
    int s = 0;
    for (; s <= 100; s += 4) { /* in formation, exempt from +60 s */
        pair_at(t, s, 1.5, 0, 0, 200);
        assert_int_equal(eval(d, t, 2, (int64_t)s * SEC), 0);
    }
    assert_null(find_rule(d, DET_RULE_SEPARATION));
    assert_int_equal(count(&r, DET_RULE_SEPARATION, DET_ST_OPEN), 1);
    for (; s <= 140; s += 4) { /* split: 8 NM abeam, no conflict */
        pair_at(t, s, 8.0, 0, 0, 200);
        assert_int_equal(eval(d, t, 2, (int64_t)s * SEC), 0);
        assert_null(find_rule(d, DET_RULE_SEPARATION));
    }
    /* converging again: alerts at once, and until a new minute in
     * formation has passed */
    pair_at(t, s, 1.5, 0, 0, 200);
    assert_int_equal(eval(d, t, 2, (int64_t)s * SEC), 0);
    assert_non_null(find_rule(d, DET_RULE_SEPARATION));
    assert_int_equal(count(&r, DET_RULE_SEPARATION, DET_ST_OPEN), 2);
    int s0 = s;
    for (s += 4; s < s0 + 60; s += 4) {
        pair_at(t, s, 1.5, 0, 0, 200);
        assert_int_equal(eval(d, t, 2, (int64_t)s * SEC), 0);
        assert_non_null(find_rule(d, DET_RULE_SEPARATION));
    }
    det_free(d);
}

static void test_separation_formation_table_full(void **st)
{
    (void)st;
    /* one remembered pair; two formations: the second is not remembered
     * (form_full) and keeps alerting; the first is exempt */
    struct det_config c;
    det_config_default(&c);
    c.max_tracks = 8;
    c.max_alerts = 8;
    c.form_pairs = 1;
    struct rec r;
    memset(&r, 0, sizeof r);
    struct det *d = NULL;
    assert_int_equal(det_new(&c, on_change, &r, &d), 0);
    struct trk_track t[4];
    for (int s = 0; s <= 100; s += 4) {
        pair_at(t, s, 1.5, 0, 0, 200);
        pair_at(t + 2, s, 1.5, 0, 0, 200);
        t[2] = ac(3, 200.0 * s / 1852.0, 40, 30000, 0, 200, (int64_t)s * SEC);
        t[3] = ac(4, 200.0 * s / 1852.0, 41.5, 30000, 0, 200, (int64_t)s * SEC);
        assert_int_equal(eval(d, t, 4, (int64_t)s * SEC), 0);
    }
    assert_true(det_stats(d)->form_full > 0);
    assert_true(det_stats(d)->formation_exempt > 0);
    assert_int_equal(det_count(d), 1);
    det_free(d);
}

static void test_separation_vertical_minimum(void **st)
{
    (void)st;
    struct rec r;
    struct det *d = mk(&r, 8, 8);
    /* FL350 and FL365, 3 NM: 1,500 ft >= 1,000 ft (RVSM band): no loss */
    struct trk_track t[2] = {ac(1, 0, 0, 35000, 0, 200, 0), ac(2, 0, 3, 36500, 0, 200, 0)};
    assert_int_equal(eval(d, t, 2, 0), 0);
    assert_int_equal(r.n, 0);
    /* FL420 and FL435: above FL410 the minimum is 2,000 ft */
    t[0].alt_ft = 42000;
    t[1].alt_ft = 43500;
    assert_int_equal(eval(d, t, 2, 1 * SEC), 0);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.ev[0].severity, DET_SEV_WARNING);
    /* vessels and aircraft on the ground are not separated */
    struct rec r2;
    struct det *d2 = mk(&r2, 8, 8);
    t[1].alt_ft = 42000;
    t[1].kind = TRK_KIND_VESSEL;
    assert_int_equal(eval(d2, t, 2, 0), 0);
    t[1].kind = TRK_KIND_AIRCRAFT;
    t[1].on_ground = 1;
    assert_int_equal(eval(d2, t, 2, 1 * SEC), 0);
    assert_int_equal(r2.n, 0);
    det_free(d2);
    det_free(d);
}

/* Coarse pseudo-random numbers, fixed seed. */
static uint64_t rng = 0x9E3779B97F4A7C15ull;
static double urand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (double)(rng >> 11) / 9007199254740992.0;
}

/* det_label writes what snprintf with its formats writes, truncated to
 * cap as snprintf truncates: random identities and callsigns (bytes of
 * every kind), every cap from 1 to 80. */
static void ref_label(const struct trk_track *t, char *out, size_t cap)
{
    char buf[160], cs[9];
    int m = snprintf(buf, sizeof buf, "track %u", t->id);
    if (t->ids & TRK_ID_ICAO)
        m += snprintf(buf + m, sizeof buf - (size_t)m, " ICAO %06X", t->icao & 0xFFFFFFu);
    if (t->ids & TRK_ID_MMSI)
        m += snprintf(buf + m, sizeof buf - (size_t)m, " MMSI %09u", t->mmsi);
    if (t->ids & TRK_ID_SQUAWK)
        m += snprintf(buf + m, sizeof buf - (size_t)m, " squawk %04o", t->squawk & 07777u);
    if (t->ids & TRK_ID_CALLSIGN) {
        size_t j = 0;
        for (; j < 8 && t->callsign[j]; j++) {
            char ch = t->callsign[j];
            cs[j] = ((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == ' ') ? ch : '?';
        }
        while (j > 0 && cs[j - 1] == ' ')
            j--;
        cs[j] = '\0';
        if (j)
            snprintf(buf + m, sizeof buf - (size_t)m, " %s", cs);
    }
    snprintf(out, cap, "%s", buf);
}

static void test_label_as_printf(void **state)
{
    (void)state;
    static const char pool[] = "AZ09 az?\x1b\x7f\xc3\xa9";
    char a[96], b[96];
    for (int k = 0; k < 20000; k++) {
        struct trk_track t;
        memset(&t, 0, sizeof t);
        t.id = k < 4 ? (k == 0   ? 0u
                        : k == 1 ? UINT32_MAX
                                 : (uint32_t)k)
                     : (uint32_t)(urand() * 4e9);
        t.ids = (uint8_t)(urand() * 256);
        t.icao = (uint32_t)(urand() * 4294967295.0);
        t.mmsi = (uint32_t)(urand() * 4294967295.0);
        t.squawk = (uint16_t)(urand() * 65536);
        for (size_t j = 0; j < 8; j++)
            t.callsign[j] = urand() < 0.1 ? '\0' : pool[(size_t)(urand() * (sizeof pool - 1))];
        size_t cap = k < 80 ? (size_t)k + 1 : 1 + (size_t)(urand() * 80);
        memset(a, 'A', sizeof a);
        memset(b, 'A', sizeof b);
        ref_label(&t, a, cap);
        det_label(&t, b, cap);
        if (memcmp(a, b, sizeof a) != 0)
            fail_msg("cap %zu: snprintf \"%s\", det_label \"%s\"", cap, a, b);
    }
}

/* ------------------------------------------------ manoeuvring areas */

/* A primary-only target (no altitude, no transponder: PSR plots only) on
 * a racetrack at 200 m/s: 120 s north along east 0, a right turn of 180
 * degrees at 3 deg/s (radius 3.8 km), 120 s south along east 2R, a right
 * turn back; one loop every 360 s, starting at the south end at 0 s. */
#define RT_V   200.0
#define RT_W   (3.0 * 3.14159265358979 / 180.0)
#define RT_LEG 120.0
static struct trk_track racetrack(double t_s)
{
    const double R = RT_V / RT_W, L = RT_V * RT_LEG, T180 = 3.14159265358979 / RT_W;
    double tau = fmod(t_s, 2 * RT_LEG + 2 * T180), e, n, h;
    if (tau < RT_LEG) {
        e = 0;
        n = -L / 2 + RT_V * tau;
        h = 0;
    } else if (tau < RT_LEG + T180) {
        h = RT_W * (tau - RT_LEG);
        e = R - R * cos(h);
        n = L / 2 + R * sin(h);
    } else if (tau < 2 * RT_LEG + T180) {
        e = 2 * R;
        n = L / 2 - RT_V * (tau - RT_LEG - T180);
        h = 3.14159265358979;
    } else {
        double f = RT_W * (tau - 2 * RT_LEG - T180);
        e = R + R * cos(f);
        n = -L / 2 - R * sin(f);
        h = 3.14159265358979 + f;
    }
    int64_t t = (int64_t)(t_s * 1000.0);
    struct trk_track k = ac(1, n / 1852.0, e / 1852.0, INT32_MIN, RT_V * sin(h), RT_V * cos(h), t);
    k.t_first_ms = 0;
    k.ids = 0;
    k.icao = 0;
    k.transponder = TRK_TRI_NO;
    k.track_deg = fmod(h * 180.0 / 3.14159265358979, 360.0);
    k.last_src_ms[TRK_SOURCE_PSR] = t;
    return k;
}

/* A crosser flying east at 230 m/s along north_m at FL200 (ADS-B), at
 * east_m at t0_s. */
static struct trk_track crosser(double north_m, double east_m, double t0_s, double t_s)
{
    int64_t t = (int64_t)(t_s * 1000.0);
    struct trk_track k =
        ac(2, north_m / 1852.0, (east_m + 230.0 * (t_s - t0_s)) / 1852.0, 20000, 230.0, 0, t);
    k.track_deg = 90.0;
    k.last_src_ms[TRK_SOURCE_ADSB] = t;
    return k;
}

/* A detector for two tracks recording SEPARATION's changes into r, with
 * the manoeuvring area on or off. */
static struct det *sep_det(int man_area, struct rec *r)
{
    struct det_config c;
    det_config_default(&c);
    c.max_tracks = 8;
    c.max_alerts = 8;
    c.man_area = man_area;
    memset(r, 0, sizeof *r);
    r->only = 1u << DET_RULE_SEPARATION;
    struct det *d = NULL;
    assert_int_equal(det_new(&c, on_change, r, &d), 0);
    return d;
}

/* Fly the racetrack and the crosser from 0 to end_s, evaluating every
 * 2 s; the first SEPARATION alert's opening time (-1: none) and its
 * hypothesis, and the first second the two are within 5 NM (-1: never). */
static void racetrack_run(int man_area, double north_m, double east_m, double end_s, double *open_s,
                          const char **hyp, double *loss_s)
{
    struct rec r;
    struct det *d = sep_det(man_area, &r);
    *open_s = *loss_s = -1;
    *hyp = NULL;
    for (double t = 0; t <= end_s; t += 2.0) {
        struct trk_track k[2] = {racetrack(t), crosser(north_m, east_m, 0, t)};
        assert_int_equal(eval(d, k, 2, (int64_t)(t * 1000.0)), 0);
        if (*open_s < 0 && r.n > 0) {
            *open_s = t;
            *hyp = r.ev[0].hyp;
        }
        double dn = (k[1].lat_deg - k[0].lat_deg) * M_LAT;
        double de = (k[1].lon_deg - k[0].lon_deg) * M_LON;
        if (*loss_s < 0 && sqrt(dn * dn + de * de) < 5 * 1852.0)
            *loss_s = t;
    }
    det_free(d);
}

/* A racetrack (a target without transponder flying low passes, a patrol)
 * and an airliner crossing its middle while the target flies away on the
 * far leg: the straight line points along the leg, the turn at the
 * measured rate circles for a quarter; the target comes back along its
 * pattern into the crosser's path. The manoeuvring area warns at least
 * 60 s before the loss; without it the warning comes later. */
static void test_separation_manoeuvring_racetrack(void **st)
{
    (void)st;
    /* crossing the middle of the pattern (north 0) at east 0 at +588 s:
     * the target is then at the north end of its pattern, 2nd loop (a
     * scan of crossing times, 4 s apart: from 580 s to 628 s with the area
     * 154-166 s of warning, without it 52-94 s; from 508 s to 576 s the
     * straight line from the target's southern turn at 336 s warns both
     * 218-236 s ahead. This test crossed at 540 s until the straight line
     * was judged on the start of the loss rather than the closest approach
     * within the look-ahead: that moved the edge of the straight line's
     * window from 536 s to 576 s) */
    double open_s, loss_s, open0_s, loss0_s;
    const char *hyp, *hyp0;
    racetrack_run(1, 0.0, -230.0 * 588.0, 750, &open_s, &hyp, &loss_s);
    racetrack_run(0, 0.0, -230.0 * 588.0, 750, &open0_s, &hyp0, &loss0_s);
    printf("# racetrack: loss at %.0f s; warned at %.0f s (%s), without the area at %.0f s (%s)\n",
           loss_s, open_s, hyp ? hyp : "-", open0_s, hyp0 ? hyp0 : "-");
    assert_true(loss_s > 0 && loss_s == loss0_s);
    assert_true(open_s >= 0 && open_s <= loss_s - 60);
    assert_string_equal(hyp, "manoeuvring");
    assert_true(open0_s < 0 || open0_s > loss_s - 60); /* the test fails without it */
}

/* The same racetrack and a crosser passing 10 NM south of the pattern's
 * southern turn: nothing. */
static void test_separation_manoeuvring_clear(void **st)
{
    (void)st;
    const double R = RT_V / RT_W, L = RT_V * RT_LEG;
    double open_s, loss_s;
    const char *hyp;
    racetrack_run(1, -L / 2 - 2 * R - 10 * 1852.0, -230.0 * 600.0, 900, &open_s, &hyp, &loss_s);
    assert_true(loss_s < 0);
    assert_true(open_s < 0);
}

/* A target without transponder flying south at 216 m/s makes a dogleg of
 * 35 degrees at 205 s, finished between two of its states (updated every
 * 10 s, as from a 10 s radar): one course reading jumps, the next is
 * steady, so the turn rate is never confirmed. An airliner crosses the
 * leg it flew, 12 km behind the turn, 80 s after. The course's net change
 * still puts the target's recent path in the manoeuvring area; flying
 * straight on (no dogleg), or without the area, nothing is raised. */
static void dogleg_run(int dogleg, int man_area, double *open_s, const char **hyp)
{
    struct rec r;
    struct det *d = sep_det(man_area, &r);
    *open_s = -1;
    *hyp = NULL;
    const double v = 216.0, h2 = 145.0 * 3.14159265358979 / 180.0, t_turn = 205.0;
    for (double t = 0; t <= 330; t += 2.0) {
        double tu = 10.0 * floor(t / 10.0); /* the last state */
        double n = -v * tu, e = 0, ve = 0, vn = -v, deg = 180.0;
        if (dogleg && tu > t_turn) {
            n = -v * t_turn + v * cos(h2) * (tu - t_turn);
            e = v * sin(h2) * (tu - t_turn);
            ve = v * sin(h2);
            vn = v * cos(h2);
            deg = 145.0;
        }
        struct trk_track k[2];
        k[0] = ac(1, n / 1852.0, e / 1852.0, INT32_MIN, ve, vn, (int64_t)(tu * 1000.0));
        k[0].t_first_ms = 0;
        k[0].ids = 0;
        k[0].icao = 0;
        k[0].transponder = TRK_TRI_NO;
        k[0].track_deg = deg;
        k[0].last_src_ms[TRK_SOURCE_PSR] = (int64_t)(tu * 1000.0);
        k[1] = crosser(-v * (t_turn - 55.0), -230.0 * 300.0, 0, t);
        assert_int_equal(eval(d, k, 2, (int64_t)(t * 1000.0)), 0);
        if (*open_s < 0 && r.n > 0) {
            *open_s = t;
            *hyp = r.ev[0].hyp;
        }
    }
    det_free(d);
}

static void test_separation_manoeuvring_dogleg(void **st)
{
    (void)st;
    double open_s, open_straight_s, open_off_s;
    const char *hyp, *hyp_straight, *hyp_off;
    dogleg_run(1, 1, &open_s, &hyp);
    dogleg_run(0, 1, &open_straight_s, &hyp_straight);
    dogleg_run(1, 0, &open_off_s, &hyp_off);
    printf("# dogleg: warned at %.0f s (%s); straight on %.0f s; without the area %.0f s\n", open_s,
           hyp ? hyp : "-", open_straight_s, open_off_s);
    assert_true(open_s > 205.0 && open_s <= 240.0);
    assert_string_equal(hyp, "manoeuvring");
    assert_true(open_straight_s < 0);
    assert_true(open_off_s < 0);
}

static void test_separation_10k(void **st)
{
    (void)st;
    enum { N = 10000 };
    struct trk_track *t = calloc(N, sizeof *t);
    assert_non_null(t);
    /* 10,000 aircraft over 20 x 30 degrees, FL050-FL400, 100-250 m/s */
    for (size_t i = 0; i < N; i++) {
        double hdg = urand() * 2 * 3.14159265358979, v = 100 + 150 * urand();
        t[i] = ac((uint32_t)i + 1, 0, 0, 5000 + 1000 * (int32_t)(urand() * 36), v * sin(hdg),
                  v * cos(hdg), 0);
        t[i].lat_deg = 40 + 20 * urand();
        t[i].lon_deg = -10 + 30 * urand();
    }
    struct rec r;
    struct det_config c;
    det_config_default(&c);
    c.max_tracks = N;
    c.max_alerts = 4096;
    struct det *d = NULL;
    assert_int_equal(det_new(&c, NULL, &r, &d), 0);
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    assert_int_equal(det_evaluate(d, t, N, 0), 0);
    clock_gettime(CLOCK_MONOTONIC, &b);
    double ms = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
    uint64_t pairs = det_stats(d)->pairs;
    printf("# 10000 tracks: %.1f ms per evaluation, %llu pairs examined, %zu alerts\n", ms,
           (unsigned long long)pairs, det_count(d));
    assert_true(pairs < (uint64_t)N * (N - 1) / 2 / 20); /* far from all pairs */
    assert_true(det_count(d) > 0);
    assert_int_equal(det_check(d), 0);
    /* brute force over the same picture agrees on the actual losses */
    size_t brute = 0, found = 0;
    for (size_t i = 0; i < N; i++)
        for (size_t j = i + 1; j < N; j++) {
            if (abs(t[i].alt_ft - t[j].alt_ft) >= 1000)
                continue;
            double dn = (t[j].lat_deg - t[i].lat_deg) * 111200.0;
            if (fabs(dn) > 9260.0 * 1.05)
                continue;
            double mo = 111320.0 * cos((t[i].lat_deg + t[j].lat_deg) / 2 * 3.14159265358979 / 180);
            double de = (t[j].lon_deg - t[i].lon_deg) * mo;
            if (sqrt(dn * dn + de * de) < 9260.0 * 0.99)
                brute++;
        }
    size_t cur = 0;
    const struct det_alert *al;
    while ((al = det_next(d, &cur)))
        found += al->severity >= DET_SEV_WARNING;
    printf("# actual losses: %zu found, brute force %zu (1%% inside the minimum)\n", found, brute);
    assert_true(found >= brute);
    /* the same picture without the index: the same number of alerts */
    size_t with_index = det_count(d);
    det_free(d);
    c.all_pairs = 1;
    assert_int_equal(det_new(&c, NULL, NULL, &d), 0);
    clock_gettime(CLOCK_MONOTONIC, &a);
    assert_int_equal(det_evaluate(d, t, N, 0), 0);
    clock_gettime(CLOCK_MONOTONIC, &b);
    ms = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
    printf("# 10000 tracks, all pairs: %.1f ms per evaluation, %zu alerts\n", ms, det_count(d));
    assert_int_equal(det_count(d), with_index);
    det_free(d);
    free(t);
}

/* The spatial index finds exactly the alerts that all pairs find: dense
 * traffic around negative and positive latitudes and longitudes (cells with
 * negative indices), high latitude (narrow rows), with climbs and descents
 * and primary-only tracks without altitude. */
static void run_dense(double lat0, double lon0, double span_deg, size_t n, struct trk_track *t,
                      int all_pairs, uint64_t *keys, uint8_t *sev, size_t *nk)
{
    rng = 0x1234567ull + (uint64_t)(lat0 * 1000);
    for (size_t i = 0; i < n; i++) {
        double hdg = urand() * 2 * 3.14159265358979, v = 60 + 240 * urand();
        int32_t alt = urand() < 0.1 ? INT32_MIN : 2000 + 500 * (int32_t)(urand() * 40);
        t[i] = ac((uint32_t)i + 1, 0, 0, alt, v * sin(hdg), v * cos(hdg), 0);
        t[i].lat_deg = lat0 + span_deg * urand();
        t[i].lon_deg = lon0 + span_deg * 2 * urand();
        t[i].vrate_fpm = urand() < 0.3 ? 3000 * (urand() - 0.5) : 0;
        if (alt == INT32_MIN)
            t[i].ids = 0;
    }
    struct det_config c;
    det_config_default(&c);
    c.max_tracks = n;
    c.max_alerts = 8192;
    c.all_pairs = all_pairs;
    struct det *d = NULL;
    assert_int_equal(det_new(&c, NULL, NULL, &d), 0);
    assert_int_equal(det_evaluate(d, t, n, 5 * SEC), 0);
    size_t cur = 0, k = 0;
    const struct det_alert *a;
    while ((a = det_next(d, &cur)))
        if (a->rule == DET_RULE_SEPARATION) {
            keys[k] = a->key;
            sev[k++] = a->severity;
        }
    *nk = k;
    det_free(d);
}

static void test_separation_index_vs_all_pairs(void **st)
{
    (void)st;
    enum { N = 1500 };
    static const double where[][3] = {{-1.5, -1.5, 3.0}, {68.0, 20.0, 3.0}, {10.0, 170.0, 3.0}};
    struct trk_track *t = calloc(N, sizeof *t);
    uint64_t *k1 = calloc(8192, sizeof *k1), *k2 = calloc(8192, sizeof *k2);
    uint8_t *s1 = calloc(8192, 1), *s2 = calloc(8192, 1);
    assert_true(t && k1 && k2 && s1 && s2);
    for (size_t w = 0; w < sizeof where / sizeof where[0]; w++) {
        size_t n1 = 0, n2 = 0;
        run_dense(where[w][0], where[w][1], where[w][2], N, t, 0, k1, s1, &n1);
        run_dense(where[w][0], where[w][1], where[w][2], N, t, 1, k2, s2, &n2);
        printf("# area %zu: %zu separation alerts with the index, %zu all pairs\n", w, n1, n2);
        assert_true(n1 > 20);
        assert_int_equal(n1, n2);
        for (size_t i = 0; i < n1; i++) {
            size_t j = 0;
            while (j < n2 && k2[j] != k1[i])
                j++;
            assert_true(j < n2);
            assert_int_equal(s1[i], s2[j]);
        }
    }
    free(t);
    free(k1);
    free(k2);
    free(s1);
    free(s2);
}

/* Random bytes as tracks (a corrupted snapshot): no crash, no sanitizer
 * report, invariants hold, every text printable ASCII. */
static void text_printable(void *arg, const struct det_alert *a)
{
    (void)arg;
    for (const char *p = a->text; *p; p++)
        assert_true(*p >= 0x20 && *p < 0x7F);
}

static void test_hostile_tracks(void **st)
{
    (void)st;
    enum { N = 64 };
    struct trk_track t[N];
    struct det_config c;
    det_config_default(&c);
    c.max_tracks = N;
    c.max_alerts = 32;
    struct det *d = NULL;
    assert_int_equal(det_new(&c, text_printable, NULL, &d), 0);
    rng = 0xBADC0DEull;
    for (int round = 0; round < 200; round++) {
        unsigned char *p = (unsigned char *)t;
        for (size_t i = 0; i < sizeof t; i++)
            p[i] = (unsigned char)(urand() * 256);
        for (size_t i = 0; i < N; i++) {
            if (urand() < 0.5) { /* half of them plausible, to reach the rules */
                t[i].status = TRK_ST_CONFIRMED;
                t[i].lat_deg = 50 + urand() * 0.5;
                t[i].lon_deg = 10 + urand() * 0.5;
                t[i].ve_mps = 300 * (urand() - 0.5);
                t[i].vn_mps = 300 * (urand() - 0.5);
                t[i].gs_mps = 100;
                t[i].vrate_fpm = 0;
            }
        }
        int rc = det_evaluate(d, t, N, (int64_t)round * SEC);
        assert_true(rc == 0 || rc == CAIRN_E_FULL);
        assert_int_equal(det_check(d), 0);
    }
    det_free(d);
}

/* det_textf formats the conversions the rules use itself: byte for byte
 * what vsnprintf writes, rounding ties, signs, -0, truncation and the
 * conversions it hands over (NAN, %x) included. */
static void ref_textf(char *out, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, cap, fmt, ap);
    va_end(ap);
}

static void test_textf_as_printf(void **state)
{
    (void)state;
    static const double special[] = {0.0,
                                     -0.0,
                                     0.5,
                                     1.5,
                                     2.5,
                                     -0.5,
                                     -2.5,
                                     0.125,
                                     0.375,
                                     1.005,
                                     2.675,
                                     0.05,
                                     0.15,
                                     0.25,
                                     0.35,
                                     -0.3,
                                     -0.04,
                                     9.995,
                                     99.95,
                                     1e14,
                                     -1e14,
                                     123456.789,
                                     0.0005,
                                     0.0015,
                                     4.35,
                                     1852.0,
                                     1e15,
                                     -1e16,
                                     NAN,
                                     INFINITY,
                                     -INFINITY,
                                     1e-300,
                                     7.0000000000000001,
                                     64.44999999999999};
    char a[256], b[256];
    uint64_t x = 0x9E3779B97F4A7C15ull;
    for (int k = 0; k < 200000; k++) {
        double v;
        if (k < (int)(sizeof special / sizeof special[0])) {
            v = special[k];
        } else {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            /* halves, thousandths and arbitrary values at many scales */
            double u = (double)(x >> 11) / 9007199254740992.0;
            int kind = (int)(x % 4);
            double m = pow(10.0, (double)((x >> 3) % 12) - 4.0);
            v = kind == 0   ? floor(u * 20000.0) / 8.0 - 1250.0
                : kind == 1 ? floor(u * 2e6) / 1000.0 - 1000.0
                            : (u - 0.5) * m;
        }
        int n = (int)(x >> 40) % 300;
        unsigned uu = (unsigned)(x >> 20);
        ref_textf(a, sizeof a, "%.0f|%.1f|%.2f|%.3f|%u|%d|%s|%%", v, v, v, v, uu, -n, "x\xc3\xa9");
        det_textf(b, sizeof b, "%.0f|%.1f|%.2f|%.3f|%u|%d|%s|%%", v, v, v, v, uu, -n, "x\xc3\xa9");
        if (strcmp(a, b) != 0)
            fail_msg("%.17g: printf \"%s\", det_textf \"%s\"", v, a, b);
    }
    /* truncation, and a conversion it does not do */
    for (size_t cap = 1; cap < 24; cap++) {
        memset(a, 'A', sizeof a);
        memset(b, 'A', sizeof b);
        ref_textf(a, cap, "ab %s %.1f NM %u", "cdefg", 12.25, 77u);
        det_textf(b, cap, "ab %s %.1f NM %u", "cdefg", 12.25, 77u);
        assert_memory_equal(a, b, 32);
    }
    ref_textf(a, sizeof a, "%x %.1f %s", 255u, 1.25, "y");
    det_textf(b, sizeof b, "%x %.1f %s", 255u, 1.25, "y");
    assert_string_equal(a, b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_textf_as_printf),
        cmocka_unit_test(test_label_as_printf),
        cmocka_unit_test(test_emergency_lifecycle),
        cmocka_unit_test(test_hysteresis_reraise),
        cmocka_unit_test(test_capacity_and_time),
        cmocka_unit_test(test_hostile_times),
        cmocka_unit_test(test_hostile_squawk),
        cmocka_unit_test(test_no_transponder),
        cmocka_unit_test(test_flap_no_transponder),
        cmocka_unit_test(test_flap_no_transponder_band),
        cmocka_unit_test(test_flap_renegade),
        cmocka_unit_test(test_flap_separation),
        cmocka_unit_test(test_transponder_off_modes_tracker),
        cmocka_unit_test(test_transponder_off_ssr_tracker),
        cmocka_unit_test(test_missed_reply_tracker),
        cmocka_unit_test(test_transponder_off_rule),
        cmocka_unit_test(test_renegade_categories),
        cmocka_unit_test(test_renegade_evidence),
        cmocka_unit_test(test_separation_predicted),
        cmocka_unit_test(test_separation_window_slow),
        cmocka_unit_test(test_separation_window_held),
        cmocka_unit_test(test_separation_window_climber),
        cmocka_unit_test(test_separation_window_edge),
        cmocka_unit_test(test_separation_window_diverging),
        cmocka_unit_test(test_separation_turning),
        cmocka_unit_test(test_separation_turning_radar),
        cmocka_unit_test(test_separation_turning_reordered),
        cmocka_unit_test(test_separation_level_off_clears),
        cmocka_unit_test(test_separation_level_off_raises),
        cmocka_unit_test(test_separation_level_off_equal_rates),
        cmocka_unit_test(test_separation_turning_level_off),
        cmocka_unit_test(test_separation_actual_near_miss),
        cmocka_unit_test(test_separation_transponder_off_altitude),
        cmocka_unit_test(test_separation_vertical_minimum),
        cmocka_unit_test(test_separation_formation_exempt),
        cmocka_unit_test(test_separation_formation_crossing),
        cmocka_unit_test(test_separation_formation_split),
        cmocka_unit_test(test_separation_formation_table_full),
        cmocka_unit_test(test_separation_manoeuvring_racetrack),
        cmocka_unit_test(test_separation_manoeuvring_clear),
        cmocka_unit_test(test_separation_manoeuvring_dogleg),
        cmocka_unit_test(test_separation_10k),
        cmocka_unit_test(test_separation_index_vs_all_pairs),
        cmocka_unit_test(test_hostile_tracks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
