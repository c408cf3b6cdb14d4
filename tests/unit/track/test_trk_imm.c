/*
 * test_trk_imm.c — the IMM filter's fast paths give the plain path's
 * numbers bit for bit (imm.h):
 *  - trk_imm_step_make + trk_imm_update_step against trk_imm_update, for
 *    every kind's tuning and steps of -1, 0, 1e-12, 1, 4 and 180 s;
 *  - trk_imm_update_pair against two trk_imm_update_step, position (m 2)
 *    and position + velocity (m 4), including a track whose innovation
 *    covariance is not positive definite (the scalar fallback) on either
 *    side and on both, and steps long enough to be made of sub-steps;
 *  - the tracker (track.c), which updates identity matches two at a time:
 *    one batch of ADS-B and Mode S reports of one sensor (the same track
 *    twice in a row, an identity adopted, an identity's jump and its jump
 *    back, m 2 beside
 *    m 4) gives the same picture and trails as the same reports one per
 *    trk_ingest.
 * Seeded noise, no clock.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "track/imm.h"
#include "track/track.h"

#define DEG2RAD (3.14159265358979323846 / 180.0)

static const struct trk_imm_params params[3] = {
    {0.5, 2.0, 3.0 * DEG2RAD, 30.0},
    {0.05, 0.2, 1.0 * DEG2RAD, 120.0},
    {0.5, 2.0, 3.0 * DEG2RAD, 0.0}, /* tau 0: no switching */
};

static uint64_t rng = 0x1234567ull;

static double unif(void)
{
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(rng >> 11) / 9007199254740992.0;
}

/* A filter some updates into a track, so that its models differ. */
static void some_filter(struct trk_imm *f, const struct trk_imm_params *p)
{
    const double z0[2] = {1000.0 * unif(), -500.0 * unif()};
    const double R[4] = {400.0, 30.0, 30.0, 900.0};
    trk_imm_init(f, z0, R, NULL, NULL, 250.0);
    double ve = 200.0 * unif() - 100.0, vn = 200.0 * unif() - 100.0;
    for (int k = 1; k <= 5; k++) {
        double z[2] = {z0[0] + ve * 4.0 * k + 40.0 * unif(), z0[1] + vn * 4.0 * k + 40.0 * unif()};
        trk_imm_update(f, p, 4.0, z, R, 2);
    }
}

static void meas(const struct trk_imm *f, int m, double z[4], double R[16])
{
    memset(R, 0, 16 * sizeof *R);
    z[0] = f->xc[0] + 5000.0 * (unif() - 0.5);
    z[1] = f->xc[1] + 5000.0 * (unif() - 0.5);
    z[2] = f->xc[2] + 10.0 * (unif() - 0.5);
    z[3] = f->xc[3] + 10.0 * (unif() - 0.5);
    if (m == 2) {
        R[0] = 900.0 + 100.0 * unif();
        R[1] = R[2] = 50.0 * unif();
        R[3] = 400.0 + 100.0 * unif();
    } else {
        R[0] = 225.0;
        R[5] = 225.0 + 10.0 * unif();
        R[1] = R[4] = 3.0;
        R[10] = R[15] = 4.0;
    }
}

static void test_step_is_update(void **state)
{
    (void)state;
    const double dts[] = {-1.0, 0.0, 1e-12, 1.0, 4.0, 180.0};
    for (int k = 0; k < 3; k++)
        for (size_t d = 0; d < sizeof dts / sizeof *dts; d++)
            for (int m = 2; m <= 4; m += 2) {
                struct trk_imm a, b;
                some_filter(&a, &params[k]);
                b = a;
                double z[4], R[16];
                meas(&a, m, z, R);
                struct trk_imm_step st;
                trk_imm_step_make(&st, &params[k], dts[d]);
                double ra = trk_imm_update(&a, &params[k], dts[d], z, R, m);
                double rb = trk_imm_update_step(&b, &st, z, R, m);
                assert_memory_equal(&ra, &rb, sizeof ra);
                assert_memory_equal(&a, &b, sizeof a);
            }
}

/* bad: bit 0 the first track's R is hopeless (S not positive definite in
 * every model), bit 1 the second's; coast: steps of 40 s and 180 s (in
 * sub-steps, imm.c) instead of 1 s and 10 s */
static void pair_case(int m, int bad, int coast)
{
    struct trk_imm one[2], two[2];
    struct trk_imm_step st[2];
    double z[2][4], R[2][16];
    for (int h = 0; h < 2; h++) {
        some_filter(&one[h], &params[h]);
        two[h] = one[h];
        meas(&one[h], m, z[h], R[h]);
        if (bad & 1 << h)
            R[h][0] = -1e12;
        trk_imm_step_make(&st[h], &params[h], coast ? (h ? 180.0 : 40.0) : (h ? 10.0 : 1.0));
        assert_true(coast ? st[h].n_sub > 1 : st[h].n_sub == 1);
    }
    double d2one[2];
    for (int h = 0; h < 2; h++)
        d2one[h] = trk_imm_update_step(&one[h], &st[h], z[h], R[h], m);
    struct trk_imm *f[2] = {&two[0], &two[1]};
    const struct trk_imm_step *stp[2] = {&st[0], &st[1]};
    const double *zp[2] = {z[0], z[1]}, *Rp[2] = {R[0], R[1]};
    double d2two[2];
    trk_imm_update_pair(f, stp, zp, Rp, m, d2two);
    for (int h = 0; h < 2; h++) {
        assert_memory_equal(&d2one[h], &d2two[h], sizeof d2one[h]);
        assert_memory_equal(&one[h], &two[h], sizeof one[h]);
        if (bad & 1 << h)
            assert_true(d2two[h] < 0.0);
        else
            assert_true(d2two[h] >= 0.0);
    }
}

static void test_pair_is_two(void **state)
{
    (void)state;
    /* every vector path this CPU has (SSE2, AVX2, AVX-512F), each against
     * the single updates of the same path */
    for (int lim = 0; lim <= 2; lim++) {
        int level = trk_imm_vec_limit(lim);
        if (level < lim)
            break;
        for (int rep = 0; rep < 50; rep++)
            for (int m = 2; m <= 4; m += 2)
                for (int bad = 0; bad < 4; bad++)
                    for (int coast = 0; coast < 2; coast++)
                        pair_case(m, bad, coast);
    }
    trk_imm_vec_limit(2);
}

/* ---- the tracker: one batch against one report per call */

#define N_AC   6
#define SENSOR 9u
#define T0     1700000000000LL

static struct trk_table *mk(void)
{
    struct trk_config c;
    trk_config_default(&c);
    c.max_tracks = 32;
    c.trail_every_ms = 0;
    struct trk_table *t = NULL;
    assert_int_equal(trk_new(&c, &t), 0);
    return t;
}

static void adsb(struct trk_meas *m, int ac, int64_t t)
{
    memset(m, 0, sizeof *m);
    m->t_ms = t;
    m->sensor_id = SENSOR;
    m->src_mask = TRK_SRC_BIT(TRK_SOURCE_ADSB);
    m->kind = TRK_KIND_AIRCRAFT;
    m->has = TRK_M_ICAO | TRK_M_VEL | TRK_M_ALT;
    m->icao = 0x400000u + (uint32_t)ac;
    m->alt_ft = 30000 + 1000 * ac;
    double s = (double)(t - T0) / 1000.0;
    /* 0.3 degrees apart, 200 m/s east, a little noise */
    m->lat_deg = 50.0 + 0.3 * ac + 0.0002 * (unif() - 0.5);
    m->lon_deg = 5.0 + s * 200.0 / (111320.0 * 0.64) + 0.0002 * (unif() - 0.5);
    m->sigma_m = 15.0;
    m->ve_mps = 200.0 + unif() - 0.5;
    m->vn_mps = unif() - 0.5;
    m->sigma_v_mps = 2.0;
}

/* a Mode S plot of the same aircraft (m 2) */
static void modes(struct trk_meas *m, int ac, int64_t t)
{
    adsb(m, ac, t);
    m->src_mask = TRK_SRC_BIT(TRK_SOURCE_MODES) | TRK_SRC_BIT(TRK_SOURCE_PSR);
    m->has = TRK_M_ICAO | TRK_M_ALT | TRK_M_POLAR;
    m->range_m = 80000.0;
    m->az_deg = 360.0 * unif();
    m->sigma_range_m = 50.0;
    m->sigma_az_deg = 0.08;
}

/* Rows 0-3 update two by two, row 4 waits for row 5, the same track: it
 * is applied first, alone; row 5 (m 4) waits for row 6 (m 2): each alone;
 * rows 7-8 and 9-10 two by two. */
static size_t batch(struct trk_meas *m, int64_t t)
{
    size_t n = 0;
    for (int ac = 0; ac < 5; ac++)
        adsb(&m[n++], ac, t);
    adsb(&m[n++], 4, t); /* the same track twice in a row */
    modes(&m[n++], 2, t);
    modes(&m[n++], 0, t);
    modes(&m[n++], 4, t);
    adsb(&m[n++], 5, t);
    adsb(&m[n++], 3, t);
    if (t == T0 + 3000) {
        adsb(&m[n], 5, t); /* an identity adopted: aircraft 5 gives an MMSI */
        m[n++].has |= TRK_M_MMSI;
        m[n - 1].mmsi = 111000005u;
        adsb(&m[n], 5, t); /* and the next row finds the track by it */
        m[n].has = TRK_M_MMSI | TRK_M_VEL;
        m[n++].mmsi = 111000005u;
        adsb(&m[n], 1, t); /* a jump: aircraft 1's address 1 degree away */
        m[n++].lat_deg += 1.0;
    }
    adsb(&m[n++], 4, t);
    return n;
}

/* An identity far outside the gate restarts its track only beyond 20 km
 * of the prediction: 13 km north and 13 km east (18.4 km) is filtered,
 * 16 and 16 (22.6 km) restarts, although neither lies 20 km away along
 * an axis (ingestion skips the gate within a box around the prediction:
 * the box must not reach the second). */
static void test_jump_is_distance(void **state)
{
    (void)state;
    struct trk_table *t = mk();
    struct trk_meas m[2];
    for (int s = 0; s < 4; s++) {
        adsb(&m[0], 0, T0 + 1000 * s);
        adsb(&m[1], 1, T0 + 1000 * s);
        assert_int_equal(trk_ingest(t, m, 2, T0 + 1000 * s, NULL), 0);
    }
    const double km_lat = 111.25, km_lon = 71.5; /* about 50-50.3 N */
    int64_t t4 = T0 + 4000;
    adsb(&m[0], 0, t4);
    m[0].lat_deg += 13.0 / km_lat;
    m[0].lon_deg += 13.0 / km_lon;
    adsb(&m[1], 1, t4);
    m[1].lat_deg += 16.0 / km_lat;
    m[1].lon_deg += 16.0 / km_lon;
    assert_int_equal(trk_ingest(t, m, 2, t4, NULL), 0);
    assert_int_equal(trk_check(t), 0);
    assert_int_equal(trk_stats(t)->id_jumps, 1);
    const struct trk_track *k0 = trk_find_icao(t, m[0].icao), *k1 = trk_find_icao(t, m[1].icao);
    assert_non_null(k0);
    assert_non_null(k1);
    assert_true(fabs(k0->lat_deg - m[0].lat_deg) > 1e-3); /* filtered: not at the report */
    assert_true(fabs(k1->lat_deg - m[1].lat_deg) < 1e-9); /* restarted there */
    trk_free(t);
}

static void test_batch_is_rows(void **state)
{
    (void)state;
    struct trk_table *a = mk(), *b = mk();
    struct trk_meas m[32];
    for (int s = 0; s < 8; s++) {
        int64_t t = T0 + 1000 * s;
        size_t n = batch(m, t);
        assert_int_equal(trk_ingest(a, m, n, t, NULL), 0);
        for (size_t i = 0; i < n; i++)
            assert_int_equal(trk_ingest(b, &m[i], 1, t, NULL), 0);
        assert_int_equal(trk_tick(a, t), trk_tick(b, t));
        assert_int_equal(trk_check(a), 0);
        assert_int_equal(trk_check(b), 0);
    }
    assert_int_equal(trk_stats(a)->id_jumps, 2); /* away and back */
    assert_int_equal(trk_stats(a)->id_adopted, 1);
    struct trk_track sa[32], sb[32];
    size_t na = trk_snapshot(a, sa, 32), nb = trk_snapshot(b, sb, 32);
    assert_int_equal(na, N_AC);
    assert_int_equal(na, nb);
    for (size_t i = 0; i < na; i++) {
        assert_memory_equal(&sa[i], &sb[i], sizeof sa[i]);
        struct trk_point pa[64], pb[64];
        size_t ka = trk_trail(a, trk_get(a, sa[i].id), pa, 64);
        size_t kb = trk_trail(b, trk_get(b, sb[i].id), pb, 64);
        assert_int_equal(ka, kb);
        assert_memory_equal(pa, pb, ka * sizeof *pa);
    }
    trk_free(a);
    trk_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_step_is_update),
        cmocka_unit_test(test_pair_is_two),
        cmocka_unit_test(test_batch_is_rows),
        cmocka_unit_test(test_jump_is_distance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
