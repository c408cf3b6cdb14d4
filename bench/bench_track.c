/*
 * bench_track.c — the tracker's throughput and memory.
 *
 * Synthetic traffic (seeded): aircraft flying straight at 120-260 m/s in a
 * box of 35 x 60 degrees (30-65 N, 20 W-40 E, about the size of European
 * airspace), vessels at 2-10 m/s in the same box. Measurements are made
 * before the clock starts; only trk_ingest and trk_tick are timed.
 *
 *  1. Ingestion, reports/s on one core (CPU time of this thread), per path:
 *     ADS-B by ICAO address (identity association) and primary plots
 *     (grid search, chi-square gate, clusters, Hungarian), with the IMM
 *     update in both; 10,000 tracks in the table.
 *  2. One full update cycle per second: a second of traffic for N aircraft
 *     (ADS-B from 80 % of them every second, one radar plot per aircraft
 *     every 4 s — Mode S + PSR combined for the cooperative ones, primary
 *     only for the rest) and V vessels (AIS every 10 s), then trk_tick.
 *     Mean and worst of 20 cycles after 12 s of warm-up, at 1k, 10k and
 *     100k aircraft + 20k vessels.
 *  3. Peak RSS after the largest run (tracks with 32-point trails).
 *
 * usage: bench_track [scale]   (scale 0.1 runs a tenth of each size)
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "traffic.h"
#include "track/track.h"

#define T0_MS TRAFFIC_T0_MS

static struct trk_table *table(size_t cap)
{
    struct trk_config c;
    trk_config_default(&c);
    c.max_tracks = cap;
    c.max_batch = 4096;
    struct trk_table *t;
    if (trk_new(&c, &t) < 0) {
        fprintf(stderr, "bench_track: trk_new failed\n");
        exit(1);
    }
    for (uint32_t id = 1; id <= TRAFFIC_RADARS; id++)
        trk_sensor_set(t, id, 4000);
    return t;
}

static void ingest(struct trk_table *t, const struct trk_meas *m, size_t n, int64_t now)
{
    for (size_t i = 0; i < n; i += 256) {
        size_t k = n - i < 256 ? n - i : 256;
        (void)trk_ingest(t, m + i, k, now, NULL);
    }
}

/* 1. ingestion rates */
static void bench_ingest(size_t n_air)
{
    struct tgt *g = calloc(n_air, sizeof *g);
    struct trk_meas *m = calloc(n_air * 2, sizeof *m);
    if (!g || !m)
        exit(1);
    traffic_make(g, n_air, 0);
    for (size_t i = 0; i < n_air; i++) /* here every aircraft has both */
        g[i].coop = g[i].adsb = true;
    struct trk_table *t = table(n_air * 2);
    /* warm up: 8 s of ADS-B so the tracks exist */
    for (int64_t s = 0; s < 8; s++) {
        size_t n = 0;
        for (size_t i = 0; i < n_air; i++)
            traffic_adsb(&m[n++], &g[i], i, T0_MS + s * 1000);
        ingest(t, m, n, T0_MS + s * 1000);
        trk_tick(t, T0_MS + s * 1000);
        traffic_move(g, n_air, 1.0);
    }
    double cpu_id = 0.0, cpu_gate = 0.0;
    size_t rep_id = 0, rep_gate = 0;
    for (int64_t s = 8; s < 28; s++) {
        int64_t now = T0_MS + s * 1000;
        size_t n = 0;
        for (size_t i = 0; i < n_air; i++)
            traffic_adsb(&m[n++], &g[i], i, now);
        double c0 = bench_thread_cpu_s();
        ingest(t, m, n, now);
        cpu_id += bench_thread_cpu_s() - c0;
        rep_id += n;
        /* primary plots of a quarter of the aircraft (no identity) */
        n = 0;
        for (size_t i = 0; i < n_air; i++)
            if ((int64_t)(i % 4) == s % 4) {
                traffic_plot(&m[n], &g[i], i, now);
                m[n].src_mask = TRK_SRC_BIT(TRK_SOURCE_PSR);
                m[n].has = TRK_M_POLAR;
                m[n].kind = TRK_KIND_UNKNOWN;
                n++;
            }
        traffic_group(m, n);
        c0 = bench_thread_cpu_s();
        ingest(t, m, n, now);
        cpu_gate += bench_thread_cpu_s() - c0;
        rep_gate += n;
        trk_tick(t, now);
        traffic_move(g, n_air, 1.0);
    }
    const struct trk_stats *st = trk_stats(t);
    printf("ingestion, %zu tracks, one core:\n", n_air);
    printf("  ADS-B by address      %10.0f reports/s  (%zu reports, %.3f s CPU)\n",
           (double)rep_id / cpu_id, rep_id, cpu_id);
    printf("  primary plots, gated  %10.0f reports/s  (%zu reports, %.3f s CPU)\n",
           (double)rep_gate / cpu_gate, rep_gate, cpu_gate);
    printf("  mixed                 %10.0f reports/s\n",
           (double)(rep_id + rep_gate) / (cpu_id + cpu_gate));
    printf("  tracks %zu, created %llu, gated %llu, unused %llu, big clusters %llu\n", trk_count(t),
           (unsigned long long)st->created, (unsigned long long)st->assoc_gated,
           (unsigned long long)st->unused, (unsigned long long)st->big_clusters);
    trk_free(t);
    free(g);
    free(m);
}

/* 2. full cycles */
static void bench_cycle(size_t n_air, size_t n_sea)
{
    size_t n_all = n_air + n_sea;
    struct tgt *g = calloc(n_all, sizeof *g);
    struct trk_meas *m = calloc(n_all * 2, sizeof *m);
    if (!g || !m)
        exit(1);
    traffic_make(g, n_air, n_sea);
    struct trk_table *t = table(n_all + n_all / 4);
    double sum = 0.0, worst = 0.0, tick_sum = 0.0;
    size_t reports = 0;
    int cycles = 0;
    for (int64_t s = 0; s < 32; s++) {
        int64_t now = T0_MS + s * 1000;
        size_t n = traffic_second(g, n_air, n_sea, s, m);
        double c0 = bench_thread_cpu_s();
        ingest(t, m, n, now);
        double c1 = bench_thread_cpu_s();
        trk_tick(t, now);
        double c2 = bench_thread_cpu_s();
        if (s >= 12) {
            sum += c2 - c0;
            tick_sum += c2 - c1;
            worst = c2 - c0 > worst ? c2 - c0 : worst;
            reports += n;
            cycles++;
        }
        traffic_move(g, n_all, 1.0);
    }
    printf("cycle, %6zu aircraft + %5zu vessels: %8.2f ms mean, %8.2f ms worst (tick %.2f ms), "
           "%zu reports/s, %zu tracks\n",
           n_air, n_sea, 1e3 * sum / cycles, 1e3 * worst, 1e3 * tick_sum / cycles,
           reports / (size_t)cycles, trk_count(t));
    trk_free(t);
    free(g);
    free(m);
}

int main(int argc, char **argv)
{
    double scale = argc > 1 ? atof(argv[1]) : 1.0;
    if (!(scale > 0.0 && scale <= 10.0)) {
        fprintf(stderr, "usage: bench_track [scale 0..10]\n");
        return 2;
    }
    bench_ingest((size_t)(10000 * scale));
    bench_cycle((size_t)(1000 * scale), 0);
    bench_cycle((size_t)(10000 * scale), 0);
    bench_cycle((size_t)(100000 * scale), (size_t)(20000 * scale));
    long rss = bench_peak_rss_kb();
    printf("peak RSS %.1f MiB (after the largest run, trails of 32 points)\n",
           (double)rss / 1024.0);
    return 0;
}
