/*
 * test_trk_gate.c — the kinematic bound on gating a vessel track (issue 8:
 * the baltic-sea scenario's cargo ship, coasting 5 minutes after its last
 * AIS report, took the primary plot of an aircraft 4.9 NM from it and
 * followed the aircraft at 312 kt). Fake time, seeded noise; trk_check
 * (invariants T1-T8) after every step.
 *  - A coasting AIS vessel and a primary plot an aircraft's distance away
 *    (57 kt from the ship's last estimate): the plot is not the vessel's.
 *    The same plot where the ship really is: the vessel's.
 *  - A 38 kt patrol craft, AIS and radar, turning through a 5-minute
 *    shadow with its AIS off: still one track, which takes the radar's
 *    plots again when it comes out.
 *  - An aircraft without transponder passing over a ship the radar does
 *    not see (AIS only), its plot at the pass as close to the ship's track
 *    as to its own: the aircraft's (baltic-sea's LOWPASS over the warship).
 *  - A ship at anchor whose AIS positions are poor (100 m) and a precise
 *    primary plot a second later, 3 sigma of the track's position from its
 *    estimate to the north, south, east or west: the ship's each time (the
 *    bound's margin is the track's position covariance along the
 *    displacement, the same in every direction; it once read a velocity
 *    term of the packed covariance for north).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "track/track.h"
#include "trk_sim.h"

#define SEC   1000LL
#define PSR   TRK_SRC_BIT(TRK_SOURCE_PSR)
#define AIS   TRK_SRC_BIT(TRK_SOURCE_AIS)
#define KT    (1852.0 / 3600.0)
#define MMSI  273354190u
#define RADAR 7u

static struct trk_table *mk(void)
{
    struct trk_config c;
    trk_config_default(&c);
    c.max_tracks = 16;
    struct trk_table *t = NULL;
    assert_int_equal(trk_new(&c, &t), 0);
    assert_int_equal(trk_sensor_set(t, RADAR, 10000), 0);
    return t;
}

static uint32_t feed1(struct trk_table *t, const struct trk_meas *m, int64_t now)
{
    uint32_t id = 0;
    assert_int_equal(trk_ingest(t, m, 1, now, &id), 0);
    assert_int_equal(trk_check(t), 0);
    return id;
}

static void tick(struct trk_table *t, int64_t now)
{
    trk_tick(t, now);
    assert_int_equal(trk_check(t), 0);
}

/* A cargo ship at 14 kt, course 130, 80 km from a coastal radar (10 s,
 * 60 m, 0.08 deg: the baltic-sea scenario's), reporting by AIS every 10 s
 * until +890 s, then silent; its track coasts to +1201.3 s, when one
 * primary plot comes in at `off` (east, north, m) from the ship's position
 * at +890 s, or at the ship's true position when off is NULL. Returns
 * whether the plot went to the vessel's track; *gs_after its speed then. */
static bool coast_then_plot(const double *off, double *gs_after)
{
    struct sim_rng rng = {0xCA760u};
    struct trk_table *t = mk();
    struct sim_radar rd = {RADAR, 0.0, 0.0, 60.0, 0.08};
    double v = 14.0 * KT, crs = 130.0 * SIM_D2R;
    struct sim_tgt g = {40000.0, 70000.0, v * sin(crs), v * cos(crs), 0.0};
    struct sim_tgt last = g;
    uint32_t vessel = 0;
    for (int64_t s = 0; s <= 1201; s++) {
        int64_t now = SIM_T0 + s * SEC;
        if (s > 0)
            sim_move(&g, 1.0);
        if (s % 10 == 0 && s <= 890) {
            struct trk_meas m = sim_point(200, AIS, TRK_KIND_VESSEL, &g, now, 10.0, 0.3, &rng);
            m.has |= TRK_M_MMSI;
            m.mmsi = MMSI;
            uint32_t id = feed1(t, &m, now);
            if (!vessel)
                vessel = id;
            assert_int_equal(id, vessel);
            last = g;
        }
        tick(t, now);
    }
    const struct trk_track *k = trk_get(t, vessel);
    assert_non_null(k);
    assert_int_equal(k->status, TRK_ST_COASTING);
    assert_int_equal(k->kind, TRK_KIND_VESSEL);
    int64_t now = SIM_T0 + 1201300;
    struct sim_tgt p = g;
    sim_move(&p, 0.3);
    if (off) {
        p.e = last.e + off[0];
        p.n = last.n + off[1];
    }
    struct trk_meas m = sim_plot(&rd, &p, now, PSR, &rng);
    bool took = feed1(t, &m, now) == vessel;
    k = trk_get(t, vessel);
    assert_non_null(k);
    *gs_after = k->gs_mps;
    trk_free(t);
    return took;
}

static void test_coasting_vessel_aircraft_plot(void **state)
{
    (void)state;
    double gs;
    /* 9.05 km from the ship's last estimate 311 s before: 57 kt, 5.8 NM
     * from its predicted position (the scenario's numbers) */
    static const double aircraft[2] = {-1450.0, 8930.0};
    assert_false(coast_then_plot(aircraft, &gs));
    assert_true(gs < 16.0 * KT); /* the ship's 14 kt, untouched */
    /* the same plot where the ship is: the ship's */
    assert_true(coast_then_plot(NULL, &gs));
}

/* A patrol craft at 38 kt (AIS every 2 s, ITU-R M.1371 above 23 kt; a
 * radar at 3 s, 20 m, 0.2 deg, 12-20 km away) turns through 90 degrees in a
 * radar shadow while its AIS is off (+300 to +600 s), then the radar sees
 * it again to +900: one track all along, fed by the radar again after the
 * shadow. */
static void test_fast_craft_one_track(void **state)
{
    (void)state;
    struct sim_rng rng = {0xFA57u};
    struct trk_table *t = mk();
    assert_int_equal(trk_sensor_set(t, 3, 3000), 0);
    struct sim_radar rd = {3, 0.0, 0.0, 20.0, 0.2};
    double v = 38.0 * KT;
    struct sim_tgt g = {-6000.0, 12000.0, v, 0.0, 0.0};
    uint32_t id = 0;
    for (int64_t s = 0; s <= 900; s++) {
        int64_t now = SIM_T0 + s * SEC;
        if (s > 0)
            sim_move(&g, 1.0);
        if (s == 350)
            g.w = -0.6 * SIM_D2R; /* right, 90 degrees in 150 s */
        if (s == 500)
            g.w = 0.0;
        bool shadow = s > 300 && s < 600;
        if (s % 2 == 0 && s <= 300) {
            struct trk_meas m = sim_point(200, AIS, TRK_KIND_VESSEL, &g, now, 10.0, 0.3, &rng);
            m.has |= TRK_M_MMSI;
            m.mmsi = 257000123;
            uint32_t got = feed1(t, &m, now);
            if (!id)
                id = got;
            assert_int_equal(got, id);
        }
        if (s % 3 == 0 && !shadow) {
            struct trk_meas m = sim_plot(&rd, &g, now, PSR, &rng);
            uint32_t got = feed1(t, &m, now);
            if (id)
                assert_int_equal(got, id);
        }
        tick(t, now);
        assert_int_equal(trk_count(t), 1);
    }
    const struct trk_track *k = trk_get(t, id);
    assert_non_null(k);
    assert_int_equal(k->kind, TRK_KIND_VESSEL);
    assert_int_equal(k->status, TRK_ST_CONFIRMED);
    assert_true(k->last_src_ms[TRK_SOURCE_PSR] == SIM_T0 + 900 * SEC);
    assert_true(sim_err(k, &g) < 200.0);
    assert_true(fabs(k->gs_mps - v) < 3.0 * KT);
    assert_int_equal(trk_stats(t)->created, 1);
    trk_free(t);
}

/* LOWPASS over the warship (baltic-sea, seeds 17 and 19): a primary-only
 * aircraft at 420 kt, 50 km from a 10 s radar (60 m, 0.08 deg), flies east,
 * turns left at 4 deg/s from +170 s and, below the radar's horizon, misses
 * the plots of +180 and +190; at +200 s, 120 degrees into the turn, it is
 * right over a 12 kt ship reporting by AIS (every 10 s, at +5) that the
 * radar never reports. That plot, placed without noise where both are, is
 * nearer the ship's track (predicted 5 s from a 10 m report) than the
 * aircraft's (coasting 30 s, 6 km from its straight prediction, inside its
 * wide gate): before SOURCE_PENALTY (track.c) the ship's track took it.
 * It goes to the aircraft's track (no primary plot ever fed the ship's);
 * the aircraft keeps its one track through it, and the ship's track takes
 * no primary plot. */
static double turn_at(int64_t s)
{
    return s >= 170 && s < 211 ? 4.0 * SIM_D2R : 0.0; /* left, 164 degrees */
}

static void test_primary_over_ship(void **state)
{
    (void)state;
    struct sim_rng rng = {0x10B455u};
    struct trk_table *t = mk();
    struct sim_radar rd = {RADAR, 0.0, 0.0, 60.0, 0.08}, exact = {RADAR, 0.0, 0.0, 0.0, 0.0};
    struct sim_tgt a = {-20000.0, 45000.0, 420.0 * KT, 0.0, 0.0};
    /* where the aircraft is at +200 s: the ship is there then */
    struct sim_tgt p = a;
    for (int s = 0; s < 200; s++) {
        p.w = turn_at(s + 1);
        sim_move(&p, 1.0);
    }
    double vs = 12.0 * KT;
    struct sim_tgt ship = {p.e - vs * 200.0, p.n, vs, 0.0, 0.0};
    uint32_t air = 0, vessel = 0;
    for (int64_t s = 0; s <= 300; s++) {
        int64_t now = SIM_T0 + s * SEC;
        if (s % 10 == 5) {
            struct trk_meas m = sim_point(200, AIS, TRK_KIND_VESSEL, &ship, now, 10.0, 0.3, &rng);
            m.has |= TRK_M_MMSI;
            m.mmsi = MMSI;
            uint32_t got = feed1(t, &m, now);
            if (!vessel)
                vessel = got;
            assert_int_equal(got, vessel);
        }
        if (s % 10 == 0 && s != 180 && s != 190) {
            struct trk_meas m = sim_plot(s == 200 ? &exact : &rd, &a, now, PSR, &rng);
            m.sigma_range_m = rd.sigma_r_m;
            m.sigma_az_deg = rd.sigma_az_deg;
            uint32_t got = feed1(t, &m, now);
            if (!air)
                air = got;
            if (s == 200)
                printf("# over the ship: the plot went to track %u (aircraft %u, ship %u)\n", got,
                       air, vessel);
            assert_int_equal(got, air);
        }
        tick(t, now);
        a.w = turn_at(s + 1);
        sim_move(&a, 1.0);
        sim_move(&ship, 1.0);
    }
    assert_int_not_equal(air, vessel);
    const struct trk_track *k = trk_get(t, vessel);
    assert_non_null(k);
    assert_int_equal(k->last_src_ms[TRK_SOURCE_PSR], 0);
    k = trk_get(t, air);
    assert_non_null(k);
    assert_int_equal(k->last_src_ms[TRK_SOURCE_PSR], SIM_T0 + 300 * SEC);
    assert_int_equal(trk_stats(t)->created, 2);
    trk_free(t);
}

/* The anchored ship of the last case; the plot at (ue, un) x 3 sigma
 * from the track's estimate. Returns whether it went to the ship's track;
 * *off_m how far it was placed. */
static bool anchored_plot(double ue, double un, double *off_m)
{
    struct sim_rng rng = {0xA2C40Bu};
    struct trk_table *t = mk();
    struct sim_tgt ship = {30000.0, 50000.0, 0.0, 0.0, 0.0};
    uint32_t vessel = 0;
    for (int64_t s = 0; s <= 300; s += 10) {
        int64_t now = SIM_T0 + s * SEC;
        struct trk_meas m = sim_point(200, AIS, TRK_KIND_VESSEL, &ship, now, 100.0, 0.3, &rng);
        m.has |= TRK_M_MMSI;
        m.mmsi = MMSI;
        uint32_t got = feed1(t, &m, now);
        if (!vessel)
            vessel = got;
        assert_int_equal(got, vessel);
        tick(t, now);
    }
    const struct trk_track *k = trk_get(t, vessel);
    assert_non_null(k);
    assert_int_equal(k->kind, TRK_KIND_VESSEL);
    double e, n, sig = k->pos_sigma_m;
    sim_from_ll(k->lat_deg, k->lon_deg, &e, &n);
    int64_t now = SIM_T0 + 301 * SEC;
    /* beyond what the ship sails in the second (25 m/s) by far */
    *off_m = 3.0 * sig;
    assert_true(*off_m > 45.0);
    struct sim_tgt p = {e + k->ve_mps + ue * *off_m, n + k->vn_mps + un * *off_m, 0, 0, 0};
    struct trk_meas m = sim_point(RADAR, PSR, TRK_KIND_UNKNOWN, &p, now, 1.0, 0.0, &rng);
    bool took = feed1(t, &m, now) == vessel;
    trk_free(t);
    return took;
}

static void test_vessel_bound_every_direction(void **state)
{
    (void)state;
    static const double dir[4][2] = {{0, 1}, {0, -1}, {1, 0}, {-1, 0}};
    for (int d = 0; d < 4; d++) {
        double off;
        bool took = anchored_plot(dir[d][0], dir[d][1], &off);
        printf("# plot %.0f m %c of the anchored ship's estimate: %s\n", off, "NSEW"[d],
               took ? "the ship's" : "not the ship's");
        assert_true(took);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_coasting_vessel_aircraft_plot),
        cmocka_unit_test(test_fast_craft_one_track),
        cmocka_unit_test(test_primary_over_ship),
        cmocka_unit_test(test_vessel_bound_every_direction),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
