/*
 * test_trk_alloc.c — allocation failure over the tracker (Lua's allocator
 * that fails on demand; the same manner as tests/unit/hotline/
 * test_hl_alloc.c).
 *
 * Every allocation the tracker makes (malloc/calloc of the track library,
 * wrapped with ld --wrap) is made to fail in turn: run k fails allocation
 * k, until a run meets no failure. A failed trk_new must return
 * CAIRN_E_NOMEM, leave *out NULL and leak nothing (ASan). A table that was
 * created then runs a scenario of aircraft and vessels with no allocation
 * at all (invariant T7: nothing allocates after trk_new).
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
#include "track/track.h"
#include "trk_sim.h"

#include "failalloc.h" /* fail_at, n_alloc, hit, should_fail() */

/* A minute of traffic: 20 aircraft by ADS-B and radar, 5 vessels by AIS,
 * primary plots, deletions. */
static void scenario(struct trk_table *t)
{
    struct sim_rng rng = {42};
    struct sim_radar rd = {1, 0.0, 0.0, 50.0, 0.08};
    struct sim_tgt g[25];
    for (int i = 0; i < 25; i++) {
        g[i].e = -50000.0 + 4000.0 * i;
        g[i].n = 10000.0 * ((i % 5) - 2);
        g[i].ve = i < 20 ? 150.0 : 5.0;
        g[i].vn = i < 20 ? 30.0 : -2.0;
        g[i].w = i % 3 == 0 ? 0.03 : 0.0;
    }
    struct trk_meas m[25];
    for (int64_t s = 0; s < 60; s++) {
        int64_t now = SIM_T0 + s * 1000;
        size_t n = 0;
        for (int i = 0; i < 20 && s < 40; i++) {
            m[n] = sim_point(100, TRK_SRC_BIT(TRK_SOURCE_ADSB), TRK_KIND_AIRCRAFT, &g[i], now, 15.0,
                             2.0, &rng);
            m[n].has |= TRK_M_ICAO;
            m[n].icao = 0x400000u + (uint32_t)i;
            n++;
        }
        for (int i = 20; i < 25 && s % 10 == 0; i++) {
            m[n] = sim_point(200, TRK_SRC_BIT(TRK_SOURCE_AIS), TRK_KIND_VESSEL, &g[i], now, 10.0,
                             0.5, &rng);
            m[n].has |= TRK_M_MMSI;
            m[n].mmsi = 244000000u + (uint32_t)i;
            n++;
        }
        (void)trk_ingest(t, m, n, now, NULL);
        if (s % 4 == 0) {
            n = 0;
            for (int i = 0; i < 25; i++)
                m[n++] = sim_plot(&rd, &g[i], now, TRK_SRC_BIT(TRK_SOURCE_PSR), &rng);
            (void)trk_ingest(t, m, n, now, NULL);
        }
        trk_tick(t, now);
        assert_int_equal(trk_check(t), 0);
        for (int i = 0; i < 25; i++)
            sim_move(&g[i], 1.0);
    }
    assert_true(trk_count(t) >= 20);
}

static void test_alloc_failures(void **state)
{
    (void)state;
    struct trk_config cfg;
    trk_config_default(&cfg);
    cfg.max_tracks = 64;
    long runs = 0;
    for (fail_at = 1;; fail_at++) {
        n_alloc = 0;
        hit = false;
        struct trk_table *t = (struct trk_table *)(uintptr_t)1;
        int rc = trk_new(&cfg, &t);
        if (hit) {
            assert_int_equal(rc, CAIRN_E_NOMEM);
            assert_null(t);
            runs++;
            continue;
        }
        assert_int_equal(rc, 0);
        long after_new = n_alloc;
        scenario(t);
        assert_int_equal(n_alloc, after_new); /* T7 */
        trk_free(t);
        break;
    }
    printf("# %ld allocation failures injected into trk_new, then a clean run\n", runs);
    assert_true(runs >= 5);
    fail_at = -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
