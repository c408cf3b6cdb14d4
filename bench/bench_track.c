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
#include "track/track.h"

#define T0_MS     1767225600000LL
#define M_PER_DEG 111195.0

struct tgt {
    double lat, lon, ve, vn;
    bool vessel, coop, adsb;
};

static uint64_t rng_s = 0x5EEDull;

static uint64_t rnd(void)
{
    uint64_t z = (rng_s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double unif(void)
{
    return ((double)(rnd() >> 11) + 0.5) / 9007199254740992.0;
}

static double gauss(void)
{
    return sqrt(-2.0 * log(unif())) * cos(2.0 * M_PI * unif());
}

static void make_targets(struct tgt *g, size_t n_air, size_t n_sea)
{
    for (size_t i = 0; i < n_air + n_sea; i++) {
        struct tgt *p = &g[i];
        p->vessel = i >= n_air;
        p->lat = 30.0 + 35.0 * unif();
        p->lon = -20.0 + 60.0 * unif();
        double v = p->vessel ? 2.0 + 8.0 * unif() : 120.0 + 140.0 * unif();
        double h = 2.0 * M_PI * unif();
        p->ve = v * sin(h);
        p->vn = v * cos(h);
        p->coop = p->vessel || unif() < 0.9;
        p->adsb = !p->vessel && p->coop && unif() < 0.89;
    }
}

static void move(struct tgt *g, size_t n, double dt)
{
    for (size_t i = 0; i < n; i++) {
        struct tgt *p = &g[i];
        p->lat += p->vn * dt / M_PER_DEG;
        p->lon += p->ve * dt / (M_PER_DEG * cos(p->lat * M_PI / 180.0));
        if (p->lat > 65.0 || p->lat < 30.0) /* bounce off the box */
            p->vn = -p->vn;
        if (p->lon > 40.0 || p->lon < -20.0)
            p->ve = -p->ve;
    }
}

static void noisy(struct trk_meas *m, const struct tgt *p, double sigma)
{
    m->lat_deg = p->lat + sigma * gauss() / M_PER_DEG;
    m->lon_deg = p->lon + sigma * gauss() / (M_PER_DEG * cos(p->lat * M_PI / 180.0));
}

static void adsb(struct trk_meas *m, const struct tgt *p, size_t i, int64_t t)
{
    memset(m, 0, sizeof *m);
    m->t_ms = t;
    m->sensor_id = 100;
    m->src_mask = TRK_SRC_BIT(TRK_SOURCE_ADSB);
    m->kind = TRK_KIND_AIRCRAFT;
    m->has = TRK_M_ICAO | TRK_M_ALT | TRK_M_VEL;
    m->icao = 0x100000u + (uint32_t)i;
    m->alt_ft = 30000;
    m->sigma_m = 15.0;
    noisy(m, p, 15.0);
    m->ve_mps = p->ve + 2.0 * gauss();
    m->vn_mps = p->vn + 2.0 * gauss();
    m->sigma_v_mps = 2.0;
}

/* A radar plot; the radar (one per 5 x 5 degree square, id from it) is
 * taken 100 km away at a random azimuth: what matters here is the polar
 * covariance's cost, not the geometry. */
static void plot(struct trk_meas *m, const struct tgt *p, size_t i, int64_t t)
{
    memset(m, 0, sizeof *m);
    m->t_ms = t;
    m->sensor_id = 1 + (uint32_t)(floor((p->lat - 30.0) / 5.0) * 12 + floor((p->lon + 20.0) / 5.0));
    m->has = TRK_M_POLAR;
    m->range_m = 100000.0;
    m->az_deg = 360.0 * unif();
    m->sigma_range_m = 50.0;
    m->sigma_az_deg = 0.08;
    /* noise along and across the line of sight, as the covariance says */
    double a = m->az_deg * M_PI / 180.0, r = 50.0 * gauss(), c = 140.0 * gauss();
    double de = sin(a) * r + cos(a) * c, dn = cos(a) * r - sin(a) * c;
    m->lat_deg = p->lat + dn / M_PER_DEG;
    m->lon_deg = p->lon + de / (M_PER_DEG * cos(p->lat * M_PI / 180.0));
    if (p->coop && !p->vessel) {
        m->src_mask = TRK_SRC_BIT(TRK_SOURCE_PSR) | TRK_SRC_BIT(TRK_SOURCE_MODES);
        m->kind = TRK_KIND_AIRCRAFT;
        m->has |= TRK_M_ICAO | TRK_M_ALT;
        m->icao = 0x100000u + (uint32_t)i;
        m->alt_ft = 30000;
    } else {
        m->src_mask = TRK_SRC_BIT(TRK_SOURCE_PSR);
    }
}

static void ais(struct trk_meas *m, const struct tgt *p, size_t i, int64_t t)
{
    memset(m, 0, sizeof *m);
    m->t_ms = t;
    m->sensor_id = 200;
    m->src_mask = TRK_SRC_BIT(TRK_SOURCE_AIS);
    m->kind = TRK_KIND_VESSEL;
    m->has = TRK_M_MMSI | TRK_M_VEL;
    m->mmsi = 200000000u + (uint32_t)i;
    m->sigma_m = 10.0;
    noisy(m, p, 10.0);
    m->ve_mps = p->ve + 0.5 * gauss();
    m->vn_mps = p->vn + 0.5 * gauss();
    m->sigma_v_mps = 0.5;
}

static int by_sensor(const void *a, const void *b)
{
    const struct trk_meas *x = a, *y = b;
    return (x->sensor_id > y->sensor_id) - (x->sensor_id < y->sensor_id);
}

/* One second of traffic at time s (seconds from T0) into m; returns n. */
static size_t second(const struct tgt *g, size_t n_air, size_t n_sea, int64_t s, struct trk_meas *m)
{
    size_t n = 0;
    int64_t t = T0_MS + s * 1000;
    for (size_t i = 0; i < n_air; i++) {
        if (g[i].adsb)
            adsb(&m[n++], &g[i], i, t);
    }
    size_t first_plot = n;
    for (size_t i = 0; i < n_air; i++)
        if ((int64_t)(i % 4) == s % 4)
            plot(&m[n++], &g[i], i, t);
    /* a radar delivers its plots together: group them by sensor */
    qsort(m + first_plot, n - first_plot, sizeof *m, by_sensor);
    for (size_t i = n_air; i < n_air + n_sea; i++)
        if ((int64_t)(i % 10) == s % 10)
            ais(&m[n++], &g[i], i, t);
    return n;
}

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
    for (uint32_t id = 1; id <= 7 * 12; id++)
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
    make_targets(g, n_air, 0);
    for (size_t i = 0; i < n_air; i++) /* here every aircraft has both */
        g[i].coop = g[i].adsb = true;
    struct trk_table *t = table(n_air * 2);
    /* warm up: 8 s of ADS-B so the tracks exist */
    for (int64_t s = 0; s < 8; s++) {
        size_t n = 0;
        for (size_t i = 0; i < n_air; i++)
            adsb(&m[n++], &g[i], i, T0_MS + s * 1000);
        ingest(t, m, n, T0_MS + s * 1000);
        trk_tick(t, T0_MS + s * 1000);
        move(g, n_air, 1.0);
    }
    double cpu_id = 0.0, cpu_gate = 0.0;
    size_t rep_id = 0, rep_gate = 0;
    for (int64_t s = 8; s < 28; s++) {
        int64_t now = T0_MS + s * 1000;
        size_t n = 0;
        for (size_t i = 0; i < n_air; i++)
            adsb(&m[n++], &g[i], i, now);
        double c0 = bench_thread_cpu_s();
        ingest(t, m, n, now);
        cpu_id += bench_thread_cpu_s() - c0;
        rep_id += n;
        /* primary plots of a quarter of the aircraft (no identity) */
        n = 0;
        for (size_t i = 0; i < n_air; i++)
            if ((int64_t)(i % 4) == s % 4) {
                plot(&m[n], &g[i], i, now);
                m[n].src_mask = TRK_SRC_BIT(TRK_SOURCE_PSR);
                m[n].has = TRK_M_POLAR;
                m[n].kind = TRK_KIND_UNKNOWN;
                n++;
            }
        qsort(m, n, sizeof *m, by_sensor);
        c0 = bench_thread_cpu_s();
        ingest(t, m, n, now);
        cpu_gate += bench_thread_cpu_s() - c0;
        rep_gate += n;
        trk_tick(t, now);
        move(g, n_air, 1.0);
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
    make_targets(g, n_air, n_sea);
    struct trk_table *t = table(n_all + n_all / 4);
    double sum = 0.0, worst = 0.0, tick_sum = 0.0;
    size_t reports = 0;
    int cycles = 0;
    for (int64_t s = 0; s < 32; s++) {
        int64_t now = T0_MS + s * 1000;
        size_t n = second(g, n_air, n_sea, s, m);
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
        move(g, n_all, 1.0);
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
