/*
 * fuzz_sim_scenario.c — libFuzzer target for the scenario reader: arbitrary
 * bytes into sim_scenario_parse(); an accepted scenario is then run for a
 * few steps with every output made in memory (generated movers capped), so
 * whatever the parser lets through must also be safe to simulate. The error
 * message must be printable ASCII.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim/scenario.h"
#include "sim/sim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int t_cb(void *u, int64_t t, const struct sim_mover *m, const struct sim_state *s)
{
    (void)u, (void)t, (void)m, (void)s;
    return 0;
}
static int r_cb(void *u, const struct sim_radar *r, const struct sim_radar_rec *rec)
{
    (void)u, (void)r, (void)rec;
    return 0;
}
static int a_cb(void *u, const struct sim_mover *m, const struct sim_adsb *a)
{
    (void)u, (void)m, (void)a;
    return 0;
}
static int s_cb(void *u, const struct sim_mover *m, const struct sim_ais *a)
{
    (void)u, (void)m, (void)a;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct sim_scenario sc;
    char err[256];
    if (sim_scenario_parse((const char *)data, size, &sc, err, sizeof err) != 0) {
        for (const char *p = err; *p; p++)
            if (*p < 32 || *p > 126)
                abort();
        return 0;
    }
    if (sc.has_load && sim_scenario_generate(&sc, 20, 5, 1) != 0) {
        sim_scenario_free(&sc);
        return 0;
    }
    struct sim *s = sim_new(&sc, sc.start_ms, 1);
    struct sim_sink sink = {NULL, t_cb, r_cb, a_cb, s_cb};
    for (int k = 0; s && k < 5 && k < sc.duration_s; k++)
        if (sim_step(s, &sink))
            break;
    sim_free(s);
    sim_scenario_free(&sc);
    return 0;
}
