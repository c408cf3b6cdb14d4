/*
 * test_trk.c — the tracker's scenarios (fake time, seeded noise):
 * crossing targets, M-of-N confirmation of primary plots, clutter, a
 * transponder switched off, a missed reply, ADS-B + SSR + PSR fused, a
 * vessel seen by AIS and radar, a vessel at anchor, accuracy on a
 * straight-and-turning target, a primary-only fighter in 4-5 deg/s
 * turns, hostile values, capacity, deletion, notes
 * without position (T10), the assignment solver against brute force.
 * trk_check (invariants T1-T8) runs after every step.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "base/error.h"
#include "decode/report.h"
#include "track/assign.h"
#include "track/track.h"
#include "trk_sim.h"

#define SEC    1000LL
#define ICAO_A 0x4CA123u
#define ICAO_B 0x3C6544u
#define PSR    TRK_SRC_BIT(TRK_SOURCE_PSR)
#define SSR    TRK_SRC_BIT(TRK_SOURCE_SSR)
#define MODES  TRK_SRC_BIT(TRK_SOURCE_MODES)
#define ADSB   TRK_SRC_BIT(TRK_SOURCE_ADSB)
#define AIS    TRK_SRC_BIT(TRK_SOURCE_AIS)

static uint64_t seed_of(const char *name)
{
    const char *env = getenv("TRK_SEED");
    uint64_t s = env ? strtoull(env, NULL, 0) : 0x7C0FFEEull;
    for (const char *p = name; *p; p++)
        s = s * 131 + (uint8_t)*p;
    printf("# %s: seed 0x%llx (TRK_SEED to change)\n", name, (unsigned long long)s);
    return s;
}

static struct trk_table *mk(size_t cap)
{
    struct trk_config c;
    trk_config_default(&c);
    c.max_tracks = cap;
    struct trk_table *t = NULL;
    assert_int_equal(trk_new(&c, &t), 0);
    return t;
}

static void feed(struct trk_table *t, const struct trk_meas *m, size_t n, int64_t now,
                 uint32_t *ids)
{
    assert_int_equal(trk_ingest(t, m, n, now, ids), 0);
    assert_int_equal(trk_check(t), 0);
}

static void tick(struct trk_table *t, int64_t now)
{
    trk_tick(t, now);
    assert_int_equal(trk_check(t), 0);
}

/* Live tracks that are not tentative. */
static size_t n_confirmed(const struct trk_table *t)
{
    size_t cur = 0, n = 0;
    const struct trk_track *k;
    while ((k = trk_next(t, &cur)) != NULL)
        n += k->status == TRK_ST_CONFIRMED || k->status == TRK_ST_COASTING;
    return n;
}

/* ------------------------------------------------------------------ crossing */

/* Two aircraft crossing at right angles at the same altitude, seen only by
 * one radar (primary plots; or Mode A/C with the same code and altitude):
 * each keeps its track through the crossing, and no third track appears. */
static void crossing(uint8_t src, double angle_deg)
{
    struct sim_rng rng = {seed_of(src == PSR ? "crossing_psr" : "crossing_ssr")};
    struct trk_table *t = mk(100);
    struct sim_radar rd = {1, 30000.0, -40000.0, 50.0, 0.08};
    assert_int_equal(trk_sensor_set(t, 1, 4000), 0);
    double a = angle_deg * SIM_D2R, v = 200.0;
    /* both at the origin at t = 102 s (between two scans) */
    struct sim_tgt g[2] = {{-v * 102.0, 0.0, v, 0.0, 0.0},
                           {-v * 102.0 * cos(a), -v * 102.0 * sin(a), v * cos(a), v * sin(a), 0.0}};
    uint32_t id[2] = {0, 0};
    for (int64_t s = 0; s <= 200; s++) {
        int64_t now = SIM_T0 + s * SEC;
        for (int i = 0; i < 2 && s > 0; i++)
            sim_move(&g[i], 1.0);
        if (s % 4 == 0) {
            struct trk_meas m[2];
            uint32_t got[2];
            for (int i = 0; i < 2; i++) {
                m[i] = sim_plot(&rd, &g[i], now, src, &rng);
                if (src & SSR) {
                    m[i].has |= TRK_M_ALT | TRK_M_SQUAWK;
                    m[i].alt_ft = 24000;
                    m[i].squawk = 07000;
                }
            }
            feed(t, m, 2, now, got);
            if (s == 40) { /* confirmed by now: remember who is who */
                id[0] = got[0];
                id[1] = got[1];
                assert_int_not_equal(id[0], id[1]);
            }
            if (s > 40) {
                assert_int_equal(got[0], id[0]);
                assert_int_equal(got[1], id[1]);
            }
        }
        tick(t, now);
    }
    assert_int_equal(trk_count(t), 2);
    for (int i = 0; i < 2; i++) {
        const struct trk_track *k = trk_get(t, id[i]);
        assert_non_null(k);
        assert_true(sim_err(k, &g[i]) < 500.0);
    }
    trk_free(t);
}

static void test_crossing_psr(void **state)
{
    (void)state;
    crossing(PSR, 90.0);
    crossing(PSR, 60.0);
}

static void test_crossing_ssr_same_code(void **state)
{
    (void)state;
    crossing(SSR, 90.0);
    crossing(SSR, 60.0);
}

/* ------------------------------------------------------------------ M of N */

static void test_primary_m_of_n(void **state)
{
    (void)state;
    struct sim_rng rng = {seed_of("m_of_n")};
    struct trk_table *t = mk(100);
    struct sim_radar rd = {1, 0.0, 0.0, 50.0, 0.08};
    assert_int_equal(trk_sensor_set(t, 1, 4000), 0);
    struct sim_tgt g = {20000.0, 20000.0, -150.0, 0.0, 0.0};
    struct sim_tgt ghost = {-30000.0, 10000.0, 0.0, 0.0, 0.0};
    struct sim_tgt twice = {10000.0, -30000.0, 100.0, 0.0, 0.0};
    uint32_t id = 0, id_ghost = 0, id_twice = 0;
    for (int64_t s = 0; s <= 40; s++) {
        int64_t now = SIM_T0 + s * SEC;
        if (s % 4 == 0) {
            struct trk_meas m[3];
            uint32_t got[3];
            size_t n = 0;
            m[n++] = sim_plot(&rd, &g, now, PSR, &rng);
            if (s == 0)
                m[n++] = sim_plot(&rd, &ghost, now, PSR, &rng); /* a one-off false plot */
            if (s == 0 || s == 8)
                m[n++] = sim_plot(&rd, &twice, now, PSR, &rng); /* 2 of 5: not enough */
            feed(t, m, n, now, got);
            if (s == 0) {
                id = got[0];
                id_ghost = got[1];
                id_twice = got[2];
            }
            assert_int_equal(got[0], id);
            const struct trk_track *k = trk_get(t, id);
            assert_int_equal(k->status, s < 8 ? TRK_ST_TENTATIVE : TRK_ST_CONFIRMED);
            /* confirmed at the third plot (s = 8); 150 m/s, faster than
             * any ship: an aircraft from the fifth update on (s = 16) */
            assert_int_equal(k->kind, s < 16 ? TRK_KIND_UNKNOWN : TRK_KIND_AIRCRAFT);
            assert_true(k->flags & TRK_F_PLOT_BORN);
        }
        tick(t, now);
        sim_move(&g, 1.0);
        sim_move(&twice, 1.0);
        if (s == 10)
            assert_non_null(trk_get(t, id_twice));
    }
    /* the window (5 scans) is over: the ghost and the 2-hit track are gone */
    assert_null(trk_get(t, id_ghost));
    assert_null(trk_get(t, id_twice));
    assert_int_equal(trk_count(t), 1);
    assert_int_equal(trk_stats(t)->deleted, 2);
    assert_int_equal(trk_stats(t)->confirmed, 1);
    trk_free(t);
}

/* ------------------------------------------------------------------ clutter */

/* Target g seen by radar rd's primary plots every 4 s for 120 s (moved
 * each second, the table ticked each second): every plot goes to one
 * track, whose id is returned. */
static uint32_t follow_psr(struct trk_table *t, const struct sim_radar *rd, struct sim_tgt *g,
                           struct sim_rng *rng)
{
    uint32_t id = 0;
    for (int64_t s = 0; s <= 120; s++) {
        int64_t now = SIM_T0 + s * SEC;
        if (s % 4 == 0) {
            struct trk_meas m = sim_plot(rd, g, now, PSR, rng);
            uint32_t got;
            feed(t, &m, 1, now, &got);
            if (!id)
                id = got;
            assert_int_equal(got, id);
        }
        tick(t, now);
        sim_move(g, 1.0);
    }
    return id;
}

/* A primary target seen at the first two scans of a 2 s radar, missed at
 * the next three, then at every scan: the track born at the first plot
 * has 2 hits when its window (5 scans) closes, and its third comes with
 * the sixth scan, after the window but before any tick past it (each
 * second: plots, then the tick). It must not stay tentative for the rest
 * of its life: dropped once its window has passed, it leaves the target
 * to a new track, which the next plots confirm. (trk_tick dropped a plot-born tentative track past
 * its window only while it had fewer than M hits, and note_update confirms
 * only within the window: a third hit after the window left it tentative
 * for good, updated at every scan and never shown.) */
static void test_m_of_n_late_hit(void **state)
{
    (void)state;
    struct sim_rng rng = {seed_of("m_of_n_late_hit")};
    struct trk_table *t = mk(16);
    struct sim_radar rd = {1, 0.0, 0.0, 50.0, 0.08};
    assert_int_equal(trk_sensor_set(t, 1, 2000), 0);
    struct sim_tgt g = {20000.0, 20000.0, -150.0, 0.0, 0.0};
    uint32_t last = 0;
    for (int64_t s = 0; s <= 40; s++) {
        int64_t now = SIM_T0 + s * SEC;
        bool seen = s % 2 == 0 && !(s >= 4 && s <= 8);
        if (seen)
            feed(t, (struct trk_meas[]){sim_plot(&rd, &g, now, PSR, &rng)}, 1, now, &last);
        tick(t, now);
        sim_move(&g, 1.0);
    }
    const struct trk_track *k = trk_get(t, last);
    assert_non_null(k);
    assert_int_equal(k->status, TRK_ST_CONFIRMED);
    assert_int_equal(trk_count(t), 1);
    trk_free(t);
}

static void test_clutter_blob_flagged_slow(void **state)
{
    (void)state;
    struct sim_rng rng = {seed_of("clutter")};
    struct trk_table *t = mk(100);
    struct sim_radar rd = {1, 0.0, 0.0, 60.0, 0.1};
    assert_int_equal(trk_sensor_set(t, 1, 4000), 0);
    struct sim_tgt blob = {8000.0, 6000.0, 0.0, 0.0, 0.0};
    uint32_t id = follow_psr(t, &rd, &blob, &rng); /* a blob: it does not move */
    const struct trk_track *k = trk_get(t, id);
    assert_int_equal(trk_count(t), 1);
    assert_int_equal(k->status, TRK_ST_CONFIRMED);
    assert_true(k->flags & TRK_F_SLOW);
    assert_true(k->gs_mps < 15.0);
    assert_int_equal(k->kind, TRK_KIND_UNKNOWN); /* never fast: not an aircraft */
    assert_int_equal(k->transponder, TRK_TRI_NO);
    assert_int_equal(k->primary_only_scans, 31);
    trk_free(t);
}

/* A fast boat seen by primary radar alone (25 m/s, 49 kt): confirmed,
 * not slow, and still of kind unknown: only faster than aircraft_mps
 * (100 kt) makes a primary-only track an aircraft. */
static void test_primary_boat_stays_unknown(void **state)
{
    (void)state;
    struct sim_rng rng = {seed_of("boat")};
    struct trk_table *t = mk(100);
    struct sim_radar rd = {1, 0.0, 0.0, 50.0, 0.08};
    assert_int_equal(trk_sensor_set(t, 1, 4000), 0);
    struct sim_tgt boat = {12000.0, -9000.0, 15.0, 20.0, 0.0};
    uint32_t id = follow_psr(t, &rd, &boat, &rng);
    const struct trk_track *k = trk_get(t, id);
    assert_int_equal(k->status, TRK_ST_CONFIRMED);
    assert_false(k->flags & TRK_F_SLOW);
    assert_true(fabs(k->gs_mps - 25.0) < 5.0);
    assert_int_equal(k->kind, TRK_KIND_UNKNOWN);
    trk_free(t);
}

/* ------------------------------------------------- transponder off, missed reply */

static void test_transponder_off_one_track(void **state)
{
    (void)state;
    struct sim_rng rng = {seed_of("xpdr_off")};
    struct trk_table *t = mk(100);
    struct sim_radar rd = {1, 0.0, 0.0, 50.0, 0.08};
    assert_int_equal(trk_sensor_set(t, 1, 4000), 0);
    struct sim_tgt g = {-40000.0, 30000.0, 180.0, -40.0, 0.0};
    uint32_t id = 0;
    for (int64_t s = 0; s <= 240; s++) {
        int64_t now = SIM_T0 + s * SEC;
        if (s > 0)
            sim_move(&g, 1.0);
        bool on = s < 120;
        uint32_t got;
        if (on) {
            struct trk_meas m = sim_point(100, ADSB, TRK_KIND_AIRCRAFT, &g, now, 15.0, 2.0, &rng);
            m.has |= TRK_M_ICAO | TRK_M_ALT;
            m.icao = ICAO_A;
            m.alt_ft = 31000;
            feed(t, &m, 1, now, &got);
            if (!id)
                id = got;
            assert_int_equal(got, id);
        }
        if (s % 4 == 0) {
            struct trk_meas m = sim_plot(&rd, &g, now, on ? (PSR | MODES) : PSR, &rng);
            if (on) {
                m.has |= TRK_M_ICAO | TRK_M_ALT;
                m.icao = ICAO_A;
                m.alt_ft = 31000;
            }
            feed(t, &m, 1, now, &got);
            /* a plot may fall outside the 99.99 % gate (then it is unused,
             * got = 0), but it never goes to another track */
            assert_true(got == id || got == 0);
        }
        /* a turn while the transponder is off */
        if (s == 150)
            g.w = 3.0 * SIM_D2R;
        if (s == 180)
            g.w = 0.0;
        tick(t, now);
        assert_int_equal(trk_count(t), 1);
        const struct trk_track *k = trk_get(t, id);
        assert_non_null(k);
        if (on)
            assert_int_equal(k->transponder, TRK_TRI_YES);
        if (s >= 128) /* 3 primary-only scans: 120, 124, 128 */
            assert_int_equal(k->transponder, TRK_TRI_NO);
    }
    const struct trk_track *k = trk_get(t, id);
    assert_int_equal(k->status, TRK_ST_CONFIRMED);
    assert_int_equal(k->icao, ICAO_A);
    assert_true(k->primary_only_scans >= 29); /* 31 plots, unless one missed its gate */
    assert_true(trk_stats(t)->unused <= 2);
    assert_true(sim_err(k, &g) < 300.0);
    assert_int_equal(trk_stats(t)->created, 1);
    /* trail: bounded, in time order; snapshot: one track */
    struct trk_point pts[64];
    size_t np = trk_trail(t, k, pts, 64);
    assert_int_equal(np, 32);
    for (size_t i = 1; i < np; i++)
        assert_true(pts[i].t_ms > pts[i - 1].t_ms);
    struct trk_track snap[4];
    assert_int_equal(trk_snapshot(t, snap, 4), 1);
    assert_int_equal(snap[0].id, id);
    trk_free(t);
}

static void test_missed_reply(void **state)
{
    (void)state;
    struct sim_rng rng = {seed_of("missed_reply")};
    struct trk_table *t = mk(100);
    struct sim_radar rd = {1, 0.0, 0.0, 50.0, 0.08};
    assert_int_equal(trk_sensor_set(t, 1, 4000), 0);
    struct sim_tgt g = {50000.0, 0.0, -120.0, 100.0, 0.0};
    uint32_t id = 0;
    for (int64_t s = 0; s <= 100; s += 4) {
        int64_t now = SIM_T0 + s * SEC;
        /* replies missed at 40 s, and at 60 and 64 s */
        bool missed = s == 40 || s == 60 || s == 64;
        struct trk_meas m = sim_plot(&rd, &g, now, missed ? PSR : (PSR | MODES), &rng);
        if (!missed) {
            m.has |= TRK_M_ICAO | TRK_M_ALT | TRK_M_SQUAWK;
            m.icao = ICAO_B;
            m.alt_ft = 12000;
            m.squawk = 04521;
        }
        uint32_t got;
        feed(t, &m, 1, now, &got);
        if (!id)
            id = got;
        assert_int_equal(got, id);
        tick(t, now);
        const struct trk_track *k = trk_get(t, id);
        assert_int_equal(trk_count(t), 1);
        unsigned want = (s == 40 || s == 60) ? 1 : s == 64 ? 2 : 0;
        assert_int_equal(k->primary_only_scans, want);
        if (s >= 8)
            assert_int_equal(k->transponder, TRK_TRI_YES);
        sim_move(&g, 4.0);
    }
    assert_int_equal(trk_stats(t)->created, 1);
    trk_free(t);
}

/* ------------------------------------------------------------------ fusion */

static void test_adsb_ssr_psr_one_track(void **state)
{
    (void)state;
    struct sim_rng rng = {seed_of("fusion3")};
    struct trk_table *t = mk(100);
    struct sim_radar ssr = {1, 0.0, 0.0, 40.0, 0.08};
    struct sim_radar psr = {2, 20000.0, -10000.0, 60.0, 0.1};
    assert_int_equal(trk_sensor_set(t, 1, 4000), 0);
    assert_int_equal(trk_sensor_set(t, 2, 4000), 0);
    struct sim_tgt g = {30000.0, 30000.0, -200.0, 50.0, 0.0};
    for (int64_t s = 0; s <= 120; s++) {
        int64_t now = SIM_T0 + s * SEC;
        if (s > 0)
            sim_move(&g, 1.0);
        if (s % 4 == 0) { /* SSR, Mode A/C: code and altitude, no address */
            struct trk_meas m = sim_plot(&ssr, &g, now, SSR, &rng);
            m.has |= TRK_M_SQUAWK | TRK_M_ALT;
            m.squawk = 01234;
            m.alt_ft = 20000;
            feed(t, &m, 1, now, NULL);
        }
        if (s % 4 == 2) {
            struct trk_meas m = sim_plot(&psr, &g, now, PSR, &rng);
            feed(t, &m, 1, now, NULL);
        }
        if (s >= 5) { /* ADS-B comes into range later */
            struct trk_meas m = sim_point(100, ADSB, TRK_KIND_AIRCRAFT, &g, now, 15.0, 2.0, &rng);
            m.has |= TRK_M_ICAO | TRK_M_ALT | TRK_M_CALLSIGN;
            m.icao = ICAO_A;
            m.alt_ft = 20000;
            memcpy(m.callsign, "KLM1234", 8);
            feed(t, &m, 1, now, NULL);
        }
        tick(t, now);
        assert_int_equal(trk_count(t), 1);
    }
    const struct trk_track *k = trk_find_icao(t, ICAO_A);
    assert_non_null(k);
    assert_int_equal(k->status, TRK_ST_CONFIRMED);
    assert_int_equal(k->kind, TRK_KIND_AIRCRAFT);
    assert_int_equal(k->squawk, 01234);
    assert_string_equal(k->callsign, "KLM1234");
    assert_int_equal(k->n_sensors, 3);
    int64_t now = SIM_T0 + 120 * SEC;
    assert_true(now - k->last_src_ms[TRK_SOURCE_ADSB] <= 1 * SEC);
    assert_true(now - k->last_src_ms[TRK_SOURCE_SSR] <= 4 * SEC);
    assert_true(now - k->last_src_ms[TRK_SOURCE_PSR] <= 4 * SEC);
    assert_int_equal(k->transponder, TRK_TRI_YES);
    assert_true(sim_err(k, &g) < 100.0);
    assert_int_equal(trk_stats(t)->created, 1);
    assert_int_equal(trk_stats(t)->id_adopted, 1);
    trk_free(t);
}

static void test_vessel_ais_radar_one_track(void **state)
{
    (void)state;
    struct sim_rng rng = {seed_of("vessel")};
    struct trk_table *t = mk(100);
    struct sim_radar rd = {3, 0.0, 0.0, 20.0, 0.2}; /* coastal radar */
    assert_int_equal(trk_sensor_set(t, 3, 3000), 0);
    double v = 10.0 * 1852.0 / 3600.0;
    struct sim_tgt g = {12000.0, 3000.0, v * 0.7071, v * 0.7071, 0.0};
    for (int64_t s = 0; s <= 900; s++) {
        int64_t now = SIM_T0 + s * SEC;
        if (s > 0)
            sim_move(&g, 1.0);
        if (s % 3 == 0) {
            struct trk_meas m = sim_plot(&rd, &g, now, PSR, &rng);
            feed(t, &m, 1, now, NULL);
        }
        if (s % 10 == 0) {
            struct trk_meas m = sim_point(200, AIS, TRK_KIND_VESSEL, &g, now, 10.0, 0.5, &rng);
            m.has |= TRK_M_MMSI;
            m.mmsi = 244123456;
            feed(t, &m, 1, now, NULL);
        }
        if (s == 400)
            g.w = -0.5 * SIM_D2R;
        if (s == 580)
            g.w = 0.0;
        tick(t, now);
        assert_int_equal(trk_count(t), 1);
    }
    const struct trk_track *k = trk_find_mmsi(t, 244123456);
    assert_non_null(k);
    assert_int_equal(k->kind, TRK_KIND_VESSEL);
    assert_int_equal(k->n_sensors, 2);
    assert_true(k->last_src_ms[TRK_SOURCE_PSR] > 0 && k->last_src_ms[TRK_SOURCE_AIS] > 0);
    assert_int_equal(k->transponder, TRK_TRI_YES);
    assert_true(sim_err(k, &g) < 50.0);
    assert_int_equal(trk_stats(t)->created, 1);
    trk_free(t);
}

/* An aircraft heard by more receivers than a track lists
 * (TRK_MAX_SENSORS): the listed set stays the same from report to report
 * while they all keep hearing it, and a receiver that goes quiet gives its
 * place to the one waiting. */
static void test_sensor_set_stable(void **state)
{
    (void)state;
    struct sim_rng rng = {seed_of("sensors")};
    struct trk_table *t = mk(100);
    enum { NRX = TRK_MAX_SENSORS + 1 };
    struct sim_tgt g = {30000.0, 30000.0, -200.0, 50.0, 0.0};
    uint32_t set[TRK_MAX_SENSORS] = {0};
    int changes = 0;
    for (int64_t s = 0; s <= 120; s++) {
        int64_t now = SIM_T0 + s * SEC;
        if (s > 0)
            sim_move(&g, 1.0);
        for (uint32_t r = 0; r < NRX; r++) {
            if (s >= 60 && r == 0)
                continue; /* the first receiver loses it at 60 s */
            int64_t tr = now + (int64_t)r * 100;
            struct trk_meas m =
                sim_point(300 + r, ADSB, TRK_KIND_AIRCRAFT, &g, tr, 15.0, 2.0, &rng);
            m.has |= TRK_M_ICAO | TRK_M_ALT;
            m.icao = ICAO_A;
            m.alt_ft = 20000;
            feed(t, &m, 1, tr, NULL);
        }
        tick(t, now + 900);
        const struct trk_track *k = trk_find_icao(t, ICAO_A);
        assert_non_null(k);
        assert_int_equal(k->n_sensors, TRK_MAX_SENSORS);
        uint32_t cur[TRK_MAX_SENSORS];
        for (int i = 0; i < TRK_MAX_SENSORS; i++)
            cur[i] = k->sensors[i].sensor_id;
        if (s > 0 && memcmp(cur, set, sizeof set))
            changes++;
        memcpy(set, cur, sizeof set);
        if (s == 59) /* all seven hear it: the first six are listed */
            for (int i = 0; i < TRK_MAX_SENSORS; i++)
                assert_true(cur[i] >= 300 && cur[i] < 300 + TRK_MAX_SENSORS);
    }
    /* once: when the first receiver had gone quiet, the seventh took its place */
    assert_int_equal(changes, 1);
    bool seventh = false;
    for (int i = 0; i < TRK_MAX_SENSORS; i++) {
        assert_int_not_equal(set[i], 300);
        seventh |= set[i] == 300 + TRK_MAX_SENSORS;
    }
    assert_true(seventh);
    trk_free(t);
}

static void test_vessel_at_anchor_kept(void **state)
{
    (void)state;
    struct sim_rng rng = {seed_of("anchor")};
    struct trk_table *t = mk(10);
    struct sim_tgt g = {1000.0, -2000.0, 0.0, 0.0, 0.0};
    uint32_t id = 0;
    for (int64_t s = 0; s <= 3600; s++) {
        int64_t now = SIM_T0 + s * SEC;
        if (s % 180 == 0) { /* ITU-R M.1371: 3 minutes at anchor */
            struct trk_meas m = sim_point(200, AIS, TRK_KIND_VESSEL, &g, now, 10.0, 0.5, &rng);
            m.has |= TRK_M_MMSI;
            m.mmsi = 227000001;
            uint32_t got;
            feed(t, &m, 1, now, &got);
            if (!id)
                id = got;
            assert_int_equal(got, id);
        }
        tick(t, now);
        const struct trk_track *k = trk_get(t, id);
        assert_non_null(k);
        assert_true(k->status == TRK_ST_CONFIRMED || k->status == TRK_ST_COASTING ||
                    (s < 180 && k->status == TRK_ST_TENTATIVE));
    }
    const struct trk_track *k = trk_get(t, id);
    assert_true(k->flags & TRK_F_SLOW);
    assert_int_equal(trk_stats(t)->created, 1);
    /* silent for longer than 5 intervals (15 min): deleted, then freed */
    int64_t end = SIM_T0 + 3600 * SEC;
    for (int64_t s = 1; s <= 1000; s++)
        tick(t, end + s * SEC);
    assert_null(trk_get(t, id));
    assert_int_equal(trk_count(t), 0);
    trk_free(t);
}

/* ------------------------------------------------------------------ accuracy */

/* RMS position error over a straight-and-turning flight (after the first
 * 5 updates): radar only (approach radar, 4 s, at 30-80 km) and ADS-B only
 * (1 s, NACp 9: 12 m per axis). */
static double accuracy(bool radar, struct sim_rng *rng, double *p95)
{
    struct trk_table *t = mk(10);
    struct sim_radar rd = {1, 0.0, 0.0, 50.0, 0.08};
    assert_int_equal(trk_sensor_set(t, 1, 4000), 0);
    struct sim_tgt g = {-60000.0, 30000.0, 220.0, 0.0, 0.0};
    double sum = 0.0;
    static double errs[2000];
    int n = 0, upd = 0;
    int period = radar ? 4 : 1;
    for (int64_t s = 0; s <= 600; s++) {
        int64_t now = SIM_T0 + s * SEC;
        if (s == 200)
            g.w = 3.0 * SIM_D2R; /* rate-one turn, 60 s: 180 degrees */
        if (s == 260)
            g.w = 0.0;
        if (s == 400)
            g.w = -1.5 * SIM_D2R; /* half rate, 60 s: 90 degrees */
        if (s == 460)
            g.w = 0.0;
        if (s % period == 0) {
            struct trk_meas m;
            if (radar) {
                m = sim_plot(&rd, &g, now, PSR | MODES, rng);
            } else {
                m = sim_point(100, ADSB, TRK_KIND_AIRCRAFT, &g, now, 12.0, 2.0, rng);
            }
            m.has |= TRK_M_ICAO;
            m.icao = ICAO_A;
            feed(t, &m, 1, now, NULL);
            if (++upd > 5) {
                double e = sim_err(trk_find_icao(t, ICAO_A), &g);
                errs[n++] = e;
                sum += e * e;
            }
        }
        tick(t, now);
        sim_move(&g, 1.0);
    }
    /* 95th percentile by selection (n is small) */
    int above = 0;
    double lo = 0.0, hi = 1e5;
    for (int it = 0; it < 60; it++) {
        double mid = 0.5 * (lo + hi);
        above = 0;
        for (int i = 0; i < n; i++)
            above += errs[i] > mid;
        if (above > n / 20)
            lo = mid;
        else
            hi = mid;
    }
    *p95 = hi;
    trk_free(t);
    return sqrt(sum / n);
}

static void test_accuracy(void **state)
{
    (void)state;
    struct sim_rng rng = {seed_of("accuracy")};
    double p95r, p95a;
    double rr = accuracy(true, &rng, &p95r);
    double ra = accuracy(false, &rng, &p95a);
    printf("# accuracy: radar-only RMS %.1f m (95 %% %.1f m), ADS-B RMS %.1f m (95 %% %.1f m)\n",
           rr, p95r, ra, p95a);
    assert_true(rr <= 200.0);
    assert_true(ra <= 50.0);
}

/* A fighter without transponder (primary plots only, one 10 s radar 60 km
 * away: 60 m, 0.08 deg) at 216 m/s (420 kt) flying 165-degree turns at
 * 5 deg/s (33 s, three or four plots), left and right, and one at 4 deg/s,
 * between 40 s legs; every plot it misses is a tenth one (a low pass). One
 * track through all of it: every plot after confirmation goes to it and no
 * other track starts (a plot 1-4 km off the straight line must still be
 * taken); the error at the plots stays bounded and pos_sigma_m is not
 * wildly overconfident there (the RMS of error / sigma). */
static void test_primary_fast_turns(void **state)
{
    (void)state;
    struct sim_rng rng = {seed_of("primary_fast_turns")};
    struct trk_table *t = mk(100);
    struct sim_radar rd = {1, 0.0, -60000.0, 60.0, 0.08};
    assert_int_equal(trk_sensor_set(t, 1, 10000), 0);
    struct sim_tgt g = {-30000.0, 0.0, 216.0, 0.0, 0.0};
    /* turn rate (deg/s) from each time (s) on */
    static const struct {
        int t_s;
        double w_dps;
    } plan[] = {{0, 0.0},   {63, 5.0},   {96, 0.0},  {136, -5.0}, {169, 0.0}, {209, 4.0},
                {250, 0.0}, {290, -5.0}, {323, 0.0}, {363, 5.0},  {396, 0.0}, {480, 0.0}};
    uint32_t id = 0;
    double sq = 0.0, sq_norm = 0.0, worst = 0.0;
    int n = 0;
    for (int64_t s = 0, pi = 0; s <= 470; s++) {
        int64_t now = SIM_T0 + s * SEC;
        if (s % 10 == 3 && (s / 10) % 10 != 7) {
            struct trk_meas m = sim_plot(&rd, &g, now, PSR, &rng);
            uint32_t got = 0;
            feed(t, &m, 1, now, &got);
            if (s == 53) /* confirmed by now */
                id = got;
            if (s > 53) {
                assert_int_equal(got, id);
                const struct trk_track *k = trk_get(t, id);
                assert_non_null(k);
                double e = sim_err(k, &g);
                sq += e * e;
                sq_norm += (e / k->pos_sigma_m) * (e / k->pos_sigma_m);
                worst = e > worst ? e : worst;
                n++;
            }
        }
        tick(t, now);
        if (trk_count(t) != (s >= 3 ? 1u : 0u))
            printf("# fast turns: %zu tracks at %d s\n", trk_count(t), (int)s);
        assert_true(trk_count(t) == (s >= 3 ? 1u : 0u));
        while (plan[pi + 1].t_s <= s + 1)
            pi++;
        g.w = plan[pi].w_dps * SIM_D2R;
        sim_move(&g, 1.0);
    }
    double rms = sqrt(sq / n), nrms = sqrt(sq_norm / n);
    printf("# fast turns: %d plots, RMS error %.0f m, worst %.0f m, RMS error/sigma %.2f\n", n, rms,
           worst, nrms);
    /* 119-131 m, 216-299 m and 1.39-1.55 with TRK_SEED 1-6 */
    assert_true(rms <= 250.0);
    assert_true(worst <= 600.0);
    assert_true(nrms <= 2.5);
    trk_free(t);
}

/* A primary-only target 100 km from a 10 s radar (60 m, 0.08 deg), at
 * 3,000 m while its plots are placed at an assumed height of 0: every plot
 * is 45 m short in ground range (h^2 / 2 rho), and each states, as the
 * adapter does, 215 m of range error for a height anywhere in 0-12 km
 * (sigma_height_m). It flies 220 m/s straight, turns 180 degrees at 3 deg/s,
 * flies straight. Judged after the first 5 plots: the RMS position error at
 * the plots and at every second between them (the estimate moved on along
 * its velocity, as the evaluation and the detectors do), and the velocity
 * error at the plots. With the height error taken as noise from scan to
 * scan (sigma_height_m 0: the filter before it was stated apart) the three
 * are 130 m, 229 m and 19.3 m/s over these 8 runs (129-136 m, 224-236 m,
 * 18-20 m/s with TRK_SEED 1-6); with it left out of the filter, 116 m,
 * 172 m and 11.7 m/s (116-121 m, 170-185 m, 11-14 m/s). */
static void height_offset_run(bool stated, struct sim_rng *rng, double sq[3], int n[3])
{
    struct trk_table *t = mk(10);
    struct sim_radar rd = {1, 0.0, 0.0, 60.0, 0.08};
    assert_int_equal(trk_sensor_set(t, 1, 10000), 0);
    struct sim_tgt g = {-20000.0, 100000.0, 220.0 * M_SQRT1_2, -220.0 * M_SQRT1_2, 0.0};
    uint32_t id = 0;
    int upd = 0;
    for (int64_t s = 0; s <= 600; s++) {
        int64_t now = SIM_T0 + s * SEC;
        if (s == 250)
            g.w = 3.0 * SIM_D2R;
        if (s == 310)
            g.w = 0.0;
        if (s % 10 == 0) {
            double rho = hypot(g.e - rd.e, g.n - rd.n), off = 3000.0 * 3000.0 / (2.0 * rho);
            struct trk_meas m = sim_plot(&rd, &g, now, PSR, rng);
            /* the plot placed short by off along the line of sight */
            double e, nn, k = (m.range_m - off) / m.range_m;
            sim_from_ll(m.lat_deg, m.lon_deg, &e, &nn);
            sim_to_ll(rd.e + (e - rd.e) * k, rd.n + (nn - rd.n) * k, &m.lat_deg, &m.lon_deg);
            m.range_m -= off;
            m.sigma_height_m = 0.149 * 12000.0 * 12000.0 / m.range_m;
            m.sigma_range_m = hypot(60.0, m.sigma_height_m);
            if (!stated)
                m.sigma_height_m = 0.0;
            uint32_t got;
            feed(t, &m, 1, now, &got);
            if (!id)
                id = got;
            assert_int_equal(got, id);
            upd++;
        }
        tick(t, now);
        const struct trk_track *k = trk_get(t, id);
        assert_non_null(k);
        if (upd > 5) {
            double dt = (double)(now - k->t_state_ms) / 1000.0, e, nn;
            sim_from_ll(k->lat_deg, k->lon_deg, &e, &nn);
            double d = hypot(e + k->ve_mps * dt - g.e, nn + k->vn_mps * dt - g.n);
            sq[1] += d * d;
            n[1]++;
            if (s % 10 == 0) {
                sq[0] += d * d;
                n[0]++;
                double dv = hypot(k->ve_mps - g.ve, k->vn_mps - g.vn);
                sq[2] += dv * dv;
                n[2]++;
            }
        }
        sim_move(&g, 1.0);
    }
    trk_free(t);
}

static void test_primary_height_offset(void **state)
{
    (void)state;
    double r[2][3];
    for (int v = 0; v < 2; v++) {
        struct sim_rng rng = {seed_of("primary_height_offset")};
        double sq[3] = {0, 0, 0};
        int n[3] = {0, 0, 0};
        for (int run = 0; run < 8; run++)
            height_offset_run(v == 1, &rng, sq, n);
        for (int i = 0; i < 3; i++)
            r[v][i] = sqrt(sq[i] / n[i]);
        printf("# height offset %s: RMS at plots %.1f m, every second %.1f m, velocity %.1f m/s\n",
               v ? "left out of the filter" : "taken as noise", r[v][0], r[v][1], r[v][2]);
    }
    assert_true(r[1][0] <= 125.0);
    assert_true(r[1][1] <= 200.0);
    assert_true(r[1][2] <= 15.5);
}

/* ------------------------------------------------------------------ hostile */

static void test_hostile_values(void **state)
{
    (void)state;
    struct sim_rng rng = {seed_of("hostile")};
    struct trk_table *t = mk(10);
    struct sim_tgt g = {0.0, 0.0, 100.0, 0.0, 0.0};
    int64_t now = SIM_T0;
    struct trk_meas good = sim_point(100, ADSB, TRK_KIND_AIRCRAFT, &g, now, 15.0, 0.0, &rng);
    struct trk_meas bad[12];
    for (int i = 0; i < 12; i++)
        bad[i] = good;
    bad[0].lat_deg = NAN;
    bad[1].lon_deg = 181.0;
    bad[2].sigma_m = 0.0;
    bad[3].sigma_m = INFINITY;
    bad[4].src_mask = 0;
    bad[5].has |= TRK_M_ICAO;
    bad[5].icao = 0x1000000;
    bad[6].has |= TRK_M_VEL;
    bad[6].ve_mps = NAN;
    bad[6].sigma_v_mps = 1.0;
    bad[7].has |= TRK_M_POLAR;
    bad[7].range_m = -5.0;
    bad[8].kind = 7;
    bad[9].t_ms = now + 3600 * SEC; /* from the future */
    bad[10].has |= TRK_M_MMSI;
    bad[10].mmsi = 0;
    bad[11].has |= TRK_M_ALT;
    bad[11].alt_ft = INT32_MIN;
    uint32_t ids[12];
    assert_int_equal(trk_ingest(t, bad, 12, now, ids), CAIRN_E_INVAL);
    for (int i = 0; i < 12; i++)
        assert_int_equal(ids[i], 0);
    assert_int_equal(trk_count(t), 0);
    assert_int_equal(trk_stats(t)->rej_invalid, 11);
    assert_int_equal(trk_stats(t)->rej_future, 1);
    /* a callsign with control characters is not taken */
    good.has |= TRK_M_CALLSIGN;
    memcpy(good.callsign, "AB\x1b[2J", 7);
    uint32_t id;
    feed(t, &good, 1, now, &id);
    assert_int_equal(trk_get(t, id)->ids & TRK_ID_CALLSIGN, 0);
    /* too late for its track: dropped, counted, nothing changes (T9) */
    struct trk_meas late = good;
    late.t_ms = now - 10 * SEC;
    late.has = TRK_M_ICAO;
    late.icao = ICAO_A;
    good.has = TRK_M_ICAO;
    good.icao = ICAO_A;
    good.t_ms = now + SEC;
    feed(t, &good, 1, now + SEC, NULL);
    assert_int_equal(trk_ingest(t, &late, 1, now + SEC, NULL), CAIRN_E_RANGE);
    assert_int_equal(trk_stats(t)->rej_oos, 1);
    assert_int_equal(trk_check(t), 0);
    trk_free(t);
}

/* The polar members of a measurement without TRK_M_POLAR are not part of
 * it (prepare checks them only with the flag), stray values included: a
 * primary-only track fed plots with sigma_m and leftover sigma_height_m,
 * range, azimuth and their sigmas ends bit for bit where the same plots
 * with those members zero take it. (The filter once built a polar
 * covariance from them whenever sigma_height_m was positive: with range
 * 0 it fused 300 m plots as 1 m ones; with a NaN range it left the track
 * predicted and not updated.) */
static void test_stray_polar_fields(void **state)
{
    (void)state;
    const double stray[2][4] = {{0.0, 0.0, 0.0, 0.0}, {NAN, 45.0, 60.0, 0.08}};
    for (int v = 0; v < 2; v++) {
        struct trk_table *t[2] = {mk(4), mk(4)};
        struct sim_rng rng = {seed_of("stray_polar_fields")};
        struct sim_tgt g = {0.0, 0.0, 150.0, 40.0, 0.0};
        uint32_t id[2] = {0, 0};
        for (int64_t s = 0; s <= 40; s += 4) {
            int64_t now = SIM_T0 + s * SEC;
            struct trk_meas m = sim_point(1, PSR, TRK_KIND_UNKNOWN, &g, now, 300.0, 0.0, &rng);
            struct trk_meas odd = m;
            odd.sigma_height_m = 50.0;
            odd.range_m = stray[v][0];
            odd.az_deg = stray[v][1];
            odd.sigma_range_m = stray[v][2];
            odd.sigma_az_deg = stray[v][3];
            feed(t[0], &m, 1, now, &id[0]);
            feed(t[1], &odd, 1, now, &id[1]);
            const struct trk_track *a = trk_get(t[0], id[0]), *b = trk_get(t[1], id[1]);
            assert_non_null(a);
            assert_non_null(b);
            assert_true(a->lat_deg == b->lat_deg && a->lon_deg == b->lon_deg);
            assert_true(a->ve_mps == b->ve_mps && a->vn_mps == b->vn_mps);
            assert_true(a->pos_sigma_m == b->pos_sigma_m);
            tick(t[0], now);
            tick(t[1], now);
            sim_move(&g, 4.0);
        }
        trk_free(t[0]);
        trk_free(t[1]);
    }
}

/* A measurement stamped decades early (a corrupt or hostile time: SBS
 * carries its date as text) makes a track whose state is that old; until
 * the next tick deletes it, nothing may carry that track across the gap:
 *  - the same aircraft's next squitter (its identity) restarts the track at
 *    the squitter instead of predicting it over 56 years (the prediction's
 *    covariance, 1e30 m^2 and more, left the update's difference of large
 *    numbers with a negative or NaN variance: trk_check's T5 failed, and a
 *    vessel's pos_sigma_m was NaN);
 *  - a primary plot of another target does not gate into it (its gate,
 *    grown with 56 years of process noise, took the plot from the
 *    target's own track). */
static void test_ancient_time(void **state)
{
    (void)state;
    struct sim_rng rng = {seed_of("ancient_time")};
    const uint8_t kind[2] = {TRK_KIND_AIRCRAFT, TRK_KIND_VESSEL};
    for (int v = 0; v < 2; v++) {
        struct trk_table *t = mk(8);
        struct sim_tgt g = {0.0, 0.0, v ? 6.0 : 200.0, 0.0, 0.0};
        int64_t now = SIM_T0;
        struct trk_meas m =
            sim_point(2, v ? AIS : ADSB, kind[v], &g, 1000, v ? 25.0 : 50.0, 0.0, &rng);
        m.has |= v ? TRK_M_MMSI : TRK_M_ICAO;
        m.icao = ICAO_A;
        m.mmsi = 244123456;
        feed(t, &m, 1, now, NULL);
        m.t_ms = now;
        uint32_t id;
        feed(t, &m, 1, now, &id);
        const struct trk_track *k = trk_get(t, id);
        assert_non_null(k);
        assert_true(k->pos_sigma_m <= 2.0 * m.sigma_m);
        assert_true(sim_err(k, &g) < 5.0 * m.sigma_m);
        assert_int_equal(trk_stats(t)->restarts, 1);
        trk_free(t);
    }
    /* a primary target followed by a 4 s radar; a plot of 1970 5 km away
     * (another sensor), then the target's next plot in the same call */
    struct trk_table *t = mk(8);
    struct sim_radar rd = {1, 0.0, -60000.0, 50.0, 0.08};
    assert_int_equal(trk_sensor_set(t, 1, 4000), 0);
    struct sim_tgt g = {0.0, 0.0, 150.0, 0.0, 0.0};
    uint32_t id = 0;
    for (int64_t s = 0; s <= 20; s += 4) {
        int64_t now = SIM_T0 + s * SEC;
        uint32_t got;
        feed(t, (struct trk_meas[]){sim_plot(&rd, &g, now, PSR, &rng)}, 1, now, &got);
        if (!id)
            id = got;
        assert_int_equal(got, id);
        tick(t, now);
        sim_move(&g, 4.0);
    }
    int64_t now = SIM_T0 + 24 * SEC;
    struct sim_tgt far = {g.e, g.n + 5000.0, 0.0, 0.0, 0.0};
    struct trk_meas two[2] = {sim_point(2, PSR, TRK_KIND_UNKNOWN, &far, 1000, 100.0, 0.0, &rng),
                              sim_plot(&rd, &g, now, PSR, &rng)};
    uint32_t got[2];
    feed(t, two, 2, now, got);
    assert_int_not_equal(got[0], id);
    assert_int_equal(got[1], id);
    tick(t, now);
    const struct trk_track *a = trk_get(t, got[0]); /* deleted at the tick */
    assert_true(a == NULL || a->status == TRK_ST_DELETED);
    trk_free(t);
}

/* Two aircraft with one ICAO address, 60 km apart, heard by receivers of
 * different latencies: the first's squitter at t, the second's at t - 1.5 s,
 * the first's again at t - 3 s (a slower receiver). Each is an identity's
 * jump (restart at the measurement); the track's state time must not walk
 * back with the late ones (T4: t_last_ms <= t_state_ms; it went back 1.5 s
 * a jump, each within oos_ms of the last, 3 s behind t_last_ms after the
 * third, and trk_check failed). */
static void test_shared_address_late(void **state)
{
    (void)state;
    struct sim_rng rng = {seed_of("shared_address_late")};
    struct trk_table *t = mk(4);
    struct sim_tgt g[2] = {{0.0, 0.0, 200.0, 0.0, 0.0}, {0.0, 60000.0, -200.0, 0.0, 0.0}};
    for (int64_t s = 0; s < 10; s++) {
        int64_t now = SIM_T0 + s * SEC;
        const int who[3] = {0, 1, 0};
        const int64_t late[3] = {0, 1500, 3000};
        for (int i = 0; i < 3; i++) {
            struct trk_meas m = sim_point(10 + (uint32_t)i, ADSB, TRK_KIND_AIRCRAFT, &g[who[i]],
                                          now - late[i], 20.0, 0.0, &rng);
            m.has |= TRK_M_ICAO;
            m.icao = ICAO_A;
            /* the third is 3 s older than the first: too old for the track
             * (oos_ms 2 s), refused, unless the second made the state older */
            int rc = trk_ingest(t, &m, 1, now, NULL);
            assert_true(rc == 0 || (i == 2 && rc == CAIRN_E_RANGE));
            assert_int_equal(trk_check(t), 0);
            const struct trk_track *k = trk_find_icao(t, ICAO_A);
            assert_non_null(k);
            assert_true(k->t_last_ms <= k->t_state_ms);
        }
        tick(t, now);
        sim_move(&g[0], 1.0);
        sim_move(&g[1], 1.0);
    }
    assert_int_equal(trk_count(t), 1);
    trk_free(t);
}

/* Two receivers with different delays: a message 1 s late (within
 * oos_ms: its position is still used) carries the altitude, emergency and
 * ground state of a second before. The track keeps the newer ones; a
 * later message changes them as before. */
static void test_late_does_not_overwrite(void **state)
{
    (void)state;
    struct sim_rng rng = {seed_of("late_overwrite")};
    struct trk_table *t = mk(4);
    struct sim_tgt g = {0.0, 0.0, 200.0, 0.0, 0.0};
    for (int64_t s = 0; s <= 10; s++) {
        int64_t now = SIM_T0 + s * SEC;
        struct trk_meas m = sim_point(10, ADSB, TRK_KIND_AIRCRAFT, &g, now, 20.0, 0.0, &rng);
        m.has |= TRK_M_ICAO | TRK_M_ALT | TRK_M_EMERG | TRK_M_GROUND;
        m.icao = ICAO_A;
        m.alt_ft = 10000 + (int32_t)s * 100; /* climbing */
        m.emergency = s >= 8 ? 0 : 1;        /* the emergency ended at 8 s */
        m.on_ground = 0;
        feed(t, &m, 1, now, NULL);
        if (s == 10) {
            /* the second receiver's copy of the message of 9 s */
            struct sim_tgt b = g;
            sim_move(&b, -1.0);
            struct trk_meas l =
                sim_point(11, ADSB, TRK_KIND_AIRCRAFT, &b, now - SEC, 20.0, 0.0, &rng);
            l.has |= TRK_M_ICAO | TRK_M_ALT | TRK_M_EMERG | TRK_M_GROUND;
            l.icao = ICAO_A;
            l.alt_ft = 5000; /* any older value */
            l.emergency = 1;
            l.on_ground = 1;
            feed(t, &l, 1, now, NULL);
        }
        tick(t, now);
        sim_move(&g, 1.0);
    }
    const struct trk_track *k = trk_find_icao(t, ICAO_A);
    assert_non_null(k);
    assert_int_equal(k->alt_ft, 11000);
    assert_int_equal(k->emergency, 0);
    assert_int_equal(k->on_ground, 0);
    assert_true(k->vrate_fpm > 0.0);
    trk_free(t);
}

static void test_capacity_and_config(void **state)
{
    (void)state;
    struct sim_rng rng = {seed_of("capacity")};
    struct trk_table *t = mk(2);
    int64_t now = SIM_T0;
    struct trk_meas m[3];
    for (int i = 0; i < 3; i++) {
        struct sim_tgt g = {i * 50000.0, 0.0, 0.0, 0.0, 0.0};
        m[i] = sim_point(100, ADSB, TRK_KIND_AIRCRAFT, &g, now, 15.0, 0.0, &rng);
        m[i].has |= TRK_M_ICAO;
        m[i].icao = 0x100 + (uint32_t)i;
    }
    uint32_t ids[3];
    assert_int_equal(trk_ingest(t, m, 3, now, ids), CAIRN_E_FULL);
    assert_int_not_equal(ids[0], 0);
    assert_int_not_equal(ids[1], 0);
    assert_int_equal(ids[2], 0);
    assert_int_equal(trk_stats(t)->full, 1);
    assert_int_equal(trk_check(t), 0);
    /* after deletion (20 s silence) and the next tick, the slot is free again */
    tick(t, now + 25 * SEC);
    assert_int_equal(trk_count(t), 0);
    assert_non_null(trk_get(t, ids[0])); /* DELETED, seen once */
    assert_int_equal(trk_get(t, ids[0])->status, TRK_ST_DELETED);
    assert_null(trk_find_icao(t, 0x100));
    tick(t, now + 26 * SEC);
    assert_null(trk_get(t, ids[0]));
    m[2].t_ms = now + 27 * SEC;
    feed(t, &m[2], 1, now + 27 * SEC, ids);
    assert_true(ids[0] > 2); /* ids are never reused (T3) */
    assert_int_equal(trk_set_compliance(t, ids[0], TRK_TRI_YES, TRK_TRI_NO), 0);
    assert_int_equal(trk_get(t, ids[0])->flight_plan, TRK_TRI_YES);
    assert_int_equal(trk_set_compliance(t, 999, TRK_TRI_YES, TRK_TRI_NO), CAIRN_E_NOTFOUND);
    trk_free(t);

    struct trk_config c;
    trk_config_default(&c);
    c.max_tracks = 0;
    assert_int_equal(trk_new(&c, &t), CAIRN_E_INVAL);
    assert_null(t);
    trk_config_default(&c);
    c.cell_deg = NAN;
    assert_int_equal(trk_new(&c, &t), CAIRN_E_INVAL);
    assert_int_equal(trk_new(NULL, &t), 0);
    assert_int_equal(trk_sensor_set(t, 1, 50), CAIRN_E_INVAL);
    for (uint32_t i = 0; i < 64; i++)
        assert_int_equal(trk_sensor_set(t, i, 4000), 0);
    assert_int_equal(trk_sensor_set(t, 64, 4000), CAIRN_E_FULL);
    trk_free(t);
    trk_free(NULL);
}

/* Many targets near the antimeridian and a pole: the grid wraps, nothing
 * is lost or doubled. */
static void test_grid_edges(void **state)
{
    (void)state;
    struct trk_table *t = mk(100);
    int64_t now = SIM_T0;
    const double pos[][2] = {{10.0, 179.999}, {10.0, -179.95}, {89.99, 0.0}, {89.99, 120.0},
                             {-89.99, 45.0},  {0.0, 0.0},      {0.0, 180.0}};
    for (int step = 0; step < 3; step++) {
        for (size_t i = 0; i < sizeof pos / sizeof pos[0]; i++) {
            struct trk_meas m = {0};
            m.t_ms = now + step * SEC;
            m.sensor_id = 100;
            m.src_mask = ADSB;
            m.kind = TRK_KIND_AIRCRAFT;
            m.has = TRK_M_ICAO;
            m.icao = 0x10 + (uint32_t)i;
            m.lat_deg = pos[i][0];
            m.lon_deg = pos[i][1];
            m.sigma_m = 20.0;
            feed(t, &m, 1, m.t_ms, NULL);
        }
        tick(t, now + step * SEC);
    }
    assert_int_equal(trk_count(t), 7);
    assert_int_equal(n_confirmed(t), 7);
    /* a primary plot next to the antimeridian track finds it across the seam */
    struct trk_meas p = {0};
    p.t_ms = now + 3 * SEC;
    p.sensor_id = 1;
    p.src_mask = PSR;
    p.lat_deg = 10.0;
    p.lon_deg = -179.9995; /* 160 m east of the track at 179.999, across the seam */
    p.sigma_m = 100.0;
    uint32_t id;
    feed(t, &p, 1, p.t_ms, &id);
    assert_int_equal(trk_count(t), 7);
    assert_int_equal(id, trk_find_icao(t, 0x10)->id);
    trk_free(t);
}

/* A track by the pole: ADS-B 111 m from it, its velocity stated as
 * 300 m/s east, its position 1 km (1 sigma) and not moving. In the track's
 * plane a metre east is half a degree of longitude there; whatever the
 * estimate, the track's longitude stays within -180..180 and its trail's
 * fits lon_e7 (from_plane brought the longitude back by one turn only:
 * 255, 409, ... 1102 degrees after 20 s, and the trail's int32 wrapped). */
static void test_pole_longitude(void **state)
{
    (void)state;
    struct trk_table *t = mk(4);
    uint32_t id = 0;
    for (int s = 0; s < 20; s++) {
        struct trk_meas m = {0};
        m.t_ms = SIM_T0 + s * SEC;
        m.sensor_id = 100;
        m.src_mask = ADSB;
        m.kind = TRK_KIND_AIRCRAFT;
        m.has = TRK_M_ICAO | TRK_M_VEL;
        m.icao = ICAO_A;
        m.lat_deg = 89.999;
        m.lon_deg = 0.0;
        m.sigma_m = 1000.0;
        m.ve_mps = 300.0;
        m.sigma_v_mps = 1.0;
        feed(t, &m, 1, m.t_ms, &id);
        tick(t, m.t_ms);
        const struct trk_track *k = trk_get(t, id);
        assert_true(k->lon_deg >= -180.0 && k->lon_deg <= 180.0);
        assert_true(k->lat_deg >= -90.0 && k->lat_deg <= 90.0);
        struct trk_point pt[32];
        size_t n = trk_trail(t, k, pt, 32);
        for (size_t i = 0; i < n; i++)
            assert_true(pt[i].lon_e7 >= -1800000000 && pt[i].lon_e7 <= 1800000000);
    }
    trk_free(t);
}

/* Measurements made of random bytes, and random but valid ones crowded
 * into a small area (big clusters, a full table): every call returns 0 or
 * a negative code, and the invariants hold after each batch. */
static void test_random_measurements(void **state)
{
    (void)state;
    struct sim_rng rng = {seed_of("random")};
    struct trk_table *t = mk(200);
    struct trk_meas m[64];
    for (int it = 0; it < 300; it++) {
        int64_t now = SIM_T0 + it * 500;
        for (int i = 0; i < 64; i++) {
            if (it % 2 == 0) {
                uint8_t *b = (uint8_t *)&m[i];
                for (size_t k = 0; k < sizeof m[i]; k++)
                    b[k] = (uint8_t)sim_next(&rng);
                continue;
            }
            struct sim_tgt g = {2000.0 * sim_unif(&rng), 2000.0 * sim_unif(&rng), 0, 0, 0};
            m[i] =
                sim_point((uint32_t)(sim_next(&rng) % 3), (uint8_t)(1 + sim_next(&rng) % 127),
                          (uint8_t)(sim_next(&rng) % 3), &g, now - (int64_t)(sim_next(&rng) % 4000),
                          5.0 + 500.0 * sim_unif(&rng), sim_unif(&rng) < 0.5 ? 3.0 : 0.0, &rng);
            m[i].has |= (uint16_t)(sim_next(&rng) & (TRK_M_ICAO | TRK_M_SQUAWK | TRK_M_ALT |
                                                     TRK_M_MMSI | TRK_M_CALLSIGN));
            m[i].icao = (uint32_t)(sim_next(&rng) % 50);
            m[i].mmsi = 1 + (uint32_t)(sim_next(&rng) % 50);
            m[i].squawk = (uint16_t)(sim_next(&rng) % 8);
            m[i].alt_ft = (int32_t)(sim_next(&rng) % 40000);
            memcpy(m[i].callsign, "TEST", 5);
        }
        int rc = trk_ingest(t, m, 64, now, NULL);
        assert_true(rc == 0 || rc == CAIRN_E_INVAL || rc == CAIRN_E_RANGE || rc == CAIRN_E_FULL);
        assert_int_equal(trk_check(t), 0);
        trk_tick(t, now);
        assert_int_equal(trk_check(t), 0);
    }
    trk_free(t);
}

/* ------------------------------------------------------------------ notes */

/* T10: identity-only information (ADS-B target state, identification,
 * Mode S replies without position) reaches the track holding the address
 * through trk_note and changes nothing else; a selected altitude is also
 * taken from a positioned measurement, an older one does not overwrite a
 * newer one, and trk_tick forgets it after 30 s without refresh. */
static void test_note(void **state)
{
    (void)state;
    struct sim_rng rng = {seed_of("note")};
    struct trk_table *t = mk(8);
    struct sim_tgt g = {0.0, 0.0, 200.0, 0.0, 0.0};
    uint32_t id = 0;
    for (int s = 0; s < 3; s++) {
        int64_t now = SIM_T0 + s * SEC;
        struct trk_meas m = sim_point(100, ADSB, TRK_KIND_AIRCRAFT, &g, now, 15.0, 2.0, &rng);
        m.has |= TRK_M_ICAO | TRK_M_ALT;
        m.icao = ICAO_A;
        m.alt_ft = 12000;
        feed(t, &m, 1, now, &id);
        sim_move(&g, 1.0);
    }
    int64_t now = SIM_T0 + 2 * SEC;
    const struct trk_track *k = trk_get(t, id);
    assert_non_null(k);
    assert_int_equal(k->status, TRK_ST_CONFIRMED);
    assert_false(k->flags & TRK_F_SEL_ALT);
    struct trk_track before = *k;
    struct trk_meas n;
    memset(&n, 0, sizeof n);
    n.t_ms = now + 500;
    n.sensor_id = 100;
    n.src_mask = ADSB;
    n.kind = TRK_KIND_AIRCRAFT;
    n.has = TRK_M_ICAO | TRK_M_SEL_ALT | TRK_M_SQUAWK | TRK_M_CALLSIGN | TRK_M_EMERG;
    n.icao = ICAO_A;
    n.sel_alt_ft = 16992;
    n.squawk = 07600;
    memcpy(n.callsign, "SAS1843", 8);
    n.emergency = 4;
    n.lat_deg = NAN; /* ignored */
    assert_int_equal(trk_note(t, &n, now + 500), 0);
    assert_int_equal(trk_check(t), 0);
    k = trk_get(t, id);
    assert_true(k->flags & TRK_F_SEL_ALT);
    assert_int_equal(k->sel_alt_ft, 16992);
    assert_int_equal(k->squawk, 07600);
    assert_true(k->ids & TRK_ID_SQUAWK);
    assert_string_equal(k->callsign, "SAS1843");
    assert_true(k->ids & TRK_ID_CALLSIGN);
    assert_int_equal(k->emergency, 4);
    /* T10: the rest is as it was */
    struct trk_track after = *k;
    after.flags = (uint8_t)(after.flags & ~TRK_F_SEL_ALT);
    after.sel_alt_ft = before.sel_alt_ft;
    after.squawk = before.squawk;
    after.ids = before.ids;
    memcpy(after.callsign, before.callsign, sizeof after.callsign);
    after.emergency = before.emergency;
    assert_memory_equal(&after, &before, sizeof before);
    assert_int_equal(trk_stats(t)->notes, 1);
    /* an older selected altitude does not overwrite a newer one; a hostile
     * callsign is not copied */
    n.has = TRK_M_ICAO | TRK_M_SEL_ALT | TRK_M_CALLSIGN;
    n.t_ms = now;
    n.sel_alt_ft = 5000;
    memcpy(n.callsign, "AB\x1b[2J", 7);
    assert_int_equal(trk_note(t, &n, now + 500), 0);
    assert_int_equal(k->sel_alt_ft, 16992);
    assert_string_equal(k->callsign, "SAS1843");
    /* refused, nothing changes (T9): unknown address, bad values, future, too old */
    before = *k;
    n.t_ms = now + 600;
    n.sel_alt_ft = 20000;
    n.icao = ICAO_B;
    assert_int_equal(trk_note(t, &n, now + 600), CAIRN_E_NOTFOUND);
    assert_int_equal(trk_stats(t)->notes_unmatched, 1);
    n.icao = ICAO_A;
    n.sel_alt_ft = 99999;
    assert_int_equal(trk_note(t, &n, now + 600), CAIRN_E_INVAL);
    n.sel_alt_ft = 20000;
    n.has &= (uint16_t)~TRK_M_ICAO;
    assert_int_equal(trk_note(t, &n, now + 600), CAIRN_E_INVAL);
    n.has |= TRK_M_ICAO;
    n.has |= TRK_M_SQUAWK;
    n.squawk = 010000;
    assert_int_equal(trk_note(t, &n, now + 600), CAIRN_E_INVAL);
    n.has &= (uint16_t)~TRK_M_SQUAWK;
    n.t_ms = now + 60 * SEC;
    assert_int_equal(trk_note(t, &n, now + 600), CAIRN_E_RANGE);
    n.t_ms = now - 10 * SEC;
    assert_int_equal(trk_note(t, &n, now + 600), CAIRN_E_RANGE);
    assert_memory_equal(k, &before, sizeof before);
    assert_int_equal(trk_stats(t)->rej_invalid, 3);
    assert_int_equal(trk_stats(t)->rej_future, 1);
    assert_int_equal(trk_stats(t)->rej_oos, 1);
    /* a positioned measurement carries one too (trk_ingest) */
    struct trk_meas m = sim_point(100, ADSB, TRK_KIND_AIRCRAFT, &g, now + SEC, 15.0, 2.0, &rng);
    m.has |= TRK_M_ICAO | TRK_M_SEL_ALT;
    m.icao = ICAO_A;
    m.sel_alt_ft = 18000;
    feed(t, &m, 1, now + SEC, NULL);
    assert_int_equal(k->sel_alt_ft, 18000);
    m.sel_alt_ft = 80000; /* out of range: the whole measurement is refused (T9) */
    m.t_ms += SEC;
    assert_int_equal(trk_ingest(t, &m, 1, now + 2 * SEC, NULL), CAIRN_E_INVAL);
    assert_int_equal(k->sel_alt_ft, 18000);
    /* kept while fresh, forgotten 30 s after the last one; the track lives
     * on (ADS-B positions without target state) */
    for (int s = 2; s <= 40; s++) {
        int64_t tn = now + s * SEC;
        sim_move(&g, 1.0);
        struct trk_meas p = sim_point(100, ADSB, TRK_KIND_AIRCRAFT, &g, tn, 15.0, 2.0, &rng);
        p.has |= TRK_M_ICAO;
        p.icao = ICAO_A;
        feed(t, &p, 1, tn, NULL);
        tick(t, tn);
        k = trk_get(t, id);
        assert_non_null(k);
        if (s <= 31)
            assert_true(k->flags & TRK_F_SEL_ALT);
        else
            assert_false(k->flags & TRK_F_SEL_ALT);
    }
    trk_free(t);
}

/* ------------------------------------------------------------------ adapter */

static void test_adapter_from_report(void **state)
{
    (void)state;
    struct report r;
    struct trk_meas m;
    memset(&r, 0, sizeof r);
    r.kind = REP_SSR;
    r.t_ms = SIM_T0;
    r.sensor_id = 0x1402;
    r.sensor_kind = SENSOR_RADAR;
    r.has = REP_HAS_POS | REP_HAS_ICAO | REP_HAS_ALT_BARO | REP_HAS_PLOT_TYPE | REP_HAS_POLAR |
            REP_HAS_POLAR_ACC | REP_HAS_SQUAWK;
    r.plot_type = PLOT_MODES_ROLLCALL_PSR;
    r.lat_deg = 50.5;
    r.lon_deg = 4.5;
    r.icao = ICAO_A;
    r.alt_baro_ft = 35000;
    r.squawk = 01000;
    r.slant_range_m = 90000.0;
    r.azimuth_deg = 123.0f;
    r.range_sigma_m = 40.0f;
    r.azimuth_sigma_deg = 0.07f;
    assert_int_equal(trk_meas_from_report(&r, &m), 0);
    assert_int_equal(m.src_mask, MODES | PSR);
    assert_int_equal(m.kind, TRK_KIND_AIRCRAFT);
    assert_true((m.has & (TRK_M_POLAR | TRK_M_ICAO | TRK_M_ALT | TRK_M_SQUAWK)) ==
                (TRK_M_POLAR | TRK_M_ICAO | TRK_M_ALT | TRK_M_SQUAWK));
    assert_true(fabs(m.sigma_range_m - 40.0) < 1e-6);
    assert_true(fabs(m.az_deg - 123.0) < 1e-6);
    /* a primary-only plot: no altitude, range noise widened for the height */
    r.kind = REP_PSR;
    r.plot_type = PLOT_PSR;
    r.has &= ~(uint32_t)(REP_HAS_ICAO | REP_HAS_ALT_BARO | REP_HAS_SQUAWK);
    assert_int_equal(trk_meas_from_report(&r, &m), 0);
    assert_int_equal(m.src_mask, PSR);
    assert_int_equal(m.kind, TRK_KIND_UNKNOWN);
    assert_true(m.sigma_range_m > 200.0 && m.sigma_range_m < 300.0);
    /* ADS-B with NACp's EPU 30 m and velocity */
    memset(&r, 0, sizeof r);
    r.kind = REP_ADSB;
    r.t_ms = SIM_T0;
    r.has = REP_HAS_POS | REP_HAS_ICAO | REP_HAS_POS_ACC | REP_HAS_GS | REP_HAS_TRACK;
    r.pos_acc_m = 30.0f;
    r.gs_kt = 400.0f;
    r.track_deg = 90.0f;
    assert_int_equal(trk_meas_from_report(&r, &m), 0);
    assert_int_equal(m.src_mask, ADSB);
    assert_true(fabs(m.sigma_m - 30.0 / 2.45) < 1e-6);
    assert_true(fabs(m.ve_mps - 400.0 * 1852.0 / 3600.0) < 1e-3 && fabs(m.vn_mps) < 1e-3);
    /* AIS: a vessel; no position: refused */
    r.kind = REP_AIS;
    r.has = REP_HAS_POS | REP_HAS_MMSI;
    r.mmsi = 244123456;
    assert_int_equal(trk_meas_from_report(&r, &m), 0);
    assert_int_equal(m.kind, TRK_KIND_VESSEL);
    assert_int_equal(m.src_mask, AIS);
    r.has = REP_HAS_MMSI;
    assert_int_equal(trk_meas_from_report(&r, &m), CAIRN_E_INVAL);
    r.has = REP_HAS_POS;
    r.kind = (enum report_kind)99;
    assert_int_equal(trk_meas_from_report(&r, &m), CAIRN_E_INVAL);
    /* ADS-B target state: no position, a selected altitude — a note */
    memset(&r, 0, sizeof r);
    r.kind = REP_ADSB;
    r.t_ms = SIM_T0;
    r.sensor_id = 9;
    r.has = REP_HAS_ICAO | REP_HAS_SEL_ALT;
    r.icao = ICAO_A;
    r.sel_alt_ft = 16992;
    assert_int_equal(trk_meas_from_report(&r, &m), CAIRN_E_INVAL);
    assert_int_equal(trk_note_from_report(&r, &m), 0);
    assert_int_equal(m.has, TRK_M_ICAO | TRK_M_SEL_ALT);
    assert_int_equal(m.icao, ICAO_A);
    assert_int_equal(m.sel_alt_ft, 16992);
    assert_int_equal(m.src_mask, ADSB);
    assert_int_equal(m.sensor_id, 9);
    assert_true(m.t_ms == SIM_T0);
    /* with a position it rides along the measurement */
    r.has |= REP_HAS_POS;
    r.lat_deg = 50.0;
    r.lon_deg = 5.0;
    assert_int_equal(trk_meas_from_report(&r, &m), 0);
    assert_true(m.has & TRK_M_SEL_ALT);
    assert_int_equal(m.sel_alt_ft, 16992);
    /* identification, status (no position): notes; nothing to note, no
     * address, a vessel: refused */
    r.has = REP_HAS_ICAO | REP_HAS_CALLSIGN | REP_HAS_SQUAWK | REP_HAS_EMERGENCY;
    memcpy(r.callsign, "EZY85MH", 8);
    r.squawk = 07700;
    r.emergency = 1;
    assert_int_equal(trk_note_from_report(&r, &m), 0);
    assert_int_equal(m.has, TRK_M_ICAO | TRK_M_CALLSIGN | TRK_M_SQUAWK | TRK_M_EMERG);
    assert_string_equal(m.callsign, "EZY85MH");
    r.has = REP_HAS_ICAO | REP_HAS_ALT_BARO;
    assert_int_equal(trk_note_from_report(&r, &m), CAIRN_E_INVAL);
    r.has = REP_HAS_SEL_ALT;
    assert_int_equal(trk_note_from_report(&r, &m), CAIRN_E_INVAL);
    r.has = REP_HAS_ICAO | REP_HAS_SEL_ALT;
    r.kind = REP_AIS;
    assert_int_equal(trk_note_from_report(&r, &m), CAIRN_E_INVAL);
}

/* ------------------------------------------------------------------ assignment */

static double brute(const double *c, int n, int m, int row, unsigned used)
{
    if (row == n)
        return 0.0;
    double best = INFINITY;
    for (int j = 0; j < m; j++)
        if (!(used & (1u << j))) {
            double v = c[row * m + j] + brute(c, n, m, row + 1, used | (1u << j));
            if (v < best)
                best = v;
        }
    return best;
}

/* An AIS position whose MMSI is no MMSI (0, the default of a transponder
 * never configured, or past 999,999,999 in the 30-bit field) is still a
 * vessel's position: the adapter leaves the identity out and the tracker
 * follows the vessel like any plot without identity (the measurement was
 * refused whole, CAIRN_E_INVAL, and the vessel was not in the picture). */
static void test_ais_mmsi_not_valid(void **state)
{
    (void)state;
    const uint32_t mmsi[2] = {0, 1073741823u};
    for (int v = 0; v < 2; v++) {
        struct trk_table *t = mk(4);
        uint32_t id = 0;
        for (int s = 0; s < 6; s++) {
            struct report r;
            memset(&r, 0, sizeof r);
            r.kind = REP_AIS;
            r.t_ms = SIM_T0 + s * 10 * SEC;
            r.sensor_id = 5;
            r.has = REP_HAS_POS | REP_HAS_MMSI | REP_HAS_GS | REP_HAS_TRACK;
            r.mmsi = mmsi[v];
            r.gs_kt = 12.0f;
            r.track_deg = 0.0f;
            sim_to_ll(0.0, s * 10.0 * 12.0 * 1852.0 / 3600.0, &r.lat_deg, &r.lon_deg);
            struct trk_meas m;
            assert_int_equal(trk_meas_from_report(&r, &m), 0);
            assert_int_equal(m.has & TRK_M_MMSI, 0);
            assert_int_equal(m.kind, TRK_KIND_VESSEL);
            uint32_t got = 0;
            feed(t, &m, 1, r.t_ms, &got);
            if (!id)
                id = got;
            assert_int_equal(got, id);
            tick(t, r.t_ms);
        }
        const struct trk_track *k = trk_get(t, id);
        assert_non_null(k);
        assert_int_equal(k->status, TRK_ST_CONFIRMED);
        assert_int_equal(k->kind, TRK_KIND_VESSEL);
        assert_int_equal(k->ids & TRK_ID_MMSI, 0);
        assert_int_equal(trk_count(t), 1);
        trk_free(t);
    }
}

static void test_assign_optimal(void **state)
{
    (void)state;
    struct sim_rng rng = {seed_of("assign")};
    for (int it = 0; it < 500; it++) {
        int n = 1 + (int)(sim_next(&rng) % 5), m = n + (int)(sim_next(&rng) % 4);
        double c[64];
        for (int i = 0; i < n * m; i++)
            c[i] = sim_next(&rng) % 7 == 0 ? TRK_ASSIGN_FORBID : floor(sim_unif(&rng) * 100.0);
        int rc[8];
        trk_assign(c, n, m, rc);
        double tot = 0.0;
        unsigned used = 0;
        for (int i = 0; i < n; i++) {
            assert_true(rc[i] >= 0 && rc[i] < m);
            assert_false(used & (1u << rc[i]));
            used |= 1u << rc[i];
            tot += c[i * m + rc[i]];
        }
        assert_true(fabs(tot - brute(c, n, m, 0, 0)) < 1e-6);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crossing_psr),
        cmocka_unit_test(test_crossing_ssr_same_code),
        cmocka_unit_test(test_primary_m_of_n),
        cmocka_unit_test(test_m_of_n_late_hit),
        cmocka_unit_test(test_clutter_blob_flagged_slow),
        cmocka_unit_test(test_primary_boat_stays_unknown),
        cmocka_unit_test(test_transponder_off_one_track),
        cmocka_unit_test(test_missed_reply),
        cmocka_unit_test(test_adsb_ssr_psr_one_track),
        cmocka_unit_test(test_vessel_ais_radar_one_track),
        cmocka_unit_test(test_vessel_at_anchor_kept),
        cmocka_unit_test(test_sensor_set_stable),
        cmocka_unit_test(test_accuracy),
        cmocka_unit_test(test_primary_height_offset),
        cmocka_unit_test(test_primary_fast_turns),
        cmocka_unit_test(test_hostile_values),
        cmocka_unit_test(test_stray_polar_fields),
        cmocka_unit_test(test_ancient_time),
        cmocka_unit_test(test_shared_address_late),
        cmocka_unit_test(test_late_does_not_overwrite),
        cmocka_unit_test(test_capacity_and_config),
        cmocka_unit_test(test_grid_edges),
        cmocka_unit_test(test_pole_longitude),
        cmocka_unit_test(test_random_measurements),
        cmocka_unit_test(test_note),
        cmocka_unit_test(test_adapter_from_report),
        cmocka_unit_test(test_ais_mmsi_not_valid),
        cmocka_unit_test(test_assign_optimal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
