/*
 * bench_fpl.c — the cost of fpl_apply, the flight-plan module's once-a-
 * second cycle, over a picture of N aircraft tracks with N plans.
 *
 * Synthetic traffic (seeded): N plans, each a route of 21 points (20
 * coordinate points about 50 km apart on a random heading in the box
 * 40-65 N, 10 W-30 E, and a destination from the points file); N
 * aircraft tracks created from ADS-B measurements, each at a random point of a random leg of
 * its plan's route, up to about 10 km off it.
 * route. Keys: 60 % of plans carry CODE/ (matched by address), 30 % are matched by identification,
 * 10 % by SSR code only. Timed: fpl_apply alone, mean and worst of 20 cycles on the calling
 * thread's CPU clock, at N = 1k, 10k, 100k. Building the store (fpl_store_new) is timed once per N.
 *
 * usage: bench_fpl [scale]   (scale 0.1 runs a tenth of each size)
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "track/fpl.h"
#include "track/track.h"

#define NPTS 20              /* coordinate points; the destination makes 21 */
#define T0   1767268800000LL /* 2026-01-01T12:00:00Z */

static uint64_t rng_s = 0xF91ull;

static double unif(void)
{
    uint64_t z = (rng_s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return ((double)(z >> 11) + 0.5) / 9007199254740992.0;
}

/* A 4-letter aerodrome name for plan i (26^4 names). */
static void ad_name(size_t i, char *out)
{
    for (int k = 3; k >= 0; k--, i /= 26)
        out[k] = (char)('A' + i % 26);
    out[4] = '\0';
}

/* Write N FPL messages into a buffer (caller frees), and a points file
 * with each plan's destination (*pts); *near receives for each plan a
 * point close to its route. */
static char *make_plans(size_t n, double (*near)[2], size_t *len, char **pts, size_t *pts_len)
{
    size_t cap = n * 400 + 64, pcap = n * 40 + 64, pk = 0;
    char *b = malloc(cap);
    char *pb = malloc(pcap);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        double lat = 40 + 25 * unif(), lon = -10 + 40 * unif(), hdg = 2 * M_PI * unif();
        char ssr[8] = "";
        if (i % 10 >= 6) /* 40 % carry an SSR code: all discrete, all distinct */
            snprintf(ssr, sizeof ssr, "/A%04o", (unsigned)(01001 + i % 3000));
        k += (size_t)snprintf(b + k, cap - k, "(FPL-B%06zu%s-IS-A320/M-S/C-AFIL1155-N0450F350", i,
                              ssr);
        /* the track: a random point of a random leg, up to about 10 km off it */
        size_t pick = (size_t)(unif() * (NPTS - 1));
        double frac = unif(), plat = 0, plon = 0;
        for (int p = 0; p < NPTS; p++) {
            int la = (int)lrint(lat * 60), lo = (int)lrint(lon * 60);
            k += (size_t)snprintf(b + k, cap - k, " %02d%02dN%03d%02d%c", la / 60, la % 60,
                                  abs(lo) / 60, abs(lo) % 60, lo < 0 ? 'W' : 'E');
            if (p == (int)pick + 1) {
                near[i][0] = plat + frac * (la / 60.0 - plat) + 0.18 * (unif() - 0.5);
                near[i][1] = plon + frac * (lo / 60.0 - plon) + 0.3 * (unif() - 0.5);
            }
            plat = la / 60.0, plon = lo / 60.0;
            lat += 0.45 * cos(hdg);
            lon += 0.45 * sin(hdg) / cos(lat * M_PI / 180);
            if (lat > 65 || lat < 40)
                hdg = M_PI - hdg;
        }
        char ad[5];
        ad_name(i, ad);
        pk += (size_t)snprintf(pb + pk, pcap - pk, "%s %.4f %.4f\n", ad, lat, lon);
        k += (size_t)snprintf(b + k, cap - k, "-%s0200-", ad);
        if (i % 10 < 6)
            k += (size_t)snprintf(b + k, cap - k, "CODE/%06zX)\n", 0x100000 + i);
        else
            k += (size_t)snprintf(b + k, cap - k, "0)\n");
    }
    *len = k;
    *pts = pb;
    *pts_len = pk;
    return b;
}

static void run(size_t n)
{
    double(*near)[2] = calloc(n, sizeof *near);
    size_t len = 0;
    char *pbuf = NULL;
    size_t plen = 0;
    char *buf = make_plans(n, near, &len, &pbuf, &plen);
    struct fpl_points *pts = NULL;
    struct fpl_set *set = NULL;
    struct fpl_errors e;
    memset(&e, 0, sizeof e);
    if (fpl_points_parse(pbuf, plen, &pts, &e) != 0 || fpl_points_count(pts) != n)
        exit(1);
    double t0 = bench_thread_cpu_s();
    if (fpl_parse(buf, len, pts, &set, &e) != 0 || set->n != n || e.warnings) {
        fprintf(stderr, "parse: %zu plans of %zu (%s)\n", set ? set->n : 0, n,
                e.n ? e.e[0].text : "");
        exit(1);
    }
    double t_parse = bench_thread_cpu_s() - t0;
    struct fpl_store *st = NULL;
    t0 = bench_thread_cpu_s();
    if (fpl_store_new(set, NULL, &st) != 0)
        exit(1);
    double t_store = bench_thread_cpu_s() - t0;
    struct trk_config cfg;
    trk_config_default(&cfg);
    cfg.max_tracks = n + 16;
    cfg.trail_len = 0;
    struct trk_table *t = NULL;
    if (trk_new(&cfg, &t) != 0)
        exit(1);
    for (size_t i = 0; i < n; i++) {
        struct trk_meas m;
        memset(&m, 0, sizeof m);
        m.t_ms = T0;
        m.sensor_id = 1;
        m.src_mask = (uint8_t)TRK_SRC_BIT(TRK_SOURCE_ADSB);
        m.kind = TRK_KIND_AIRCRAFT;
        m.lat_deg = near[i][0];
        m.lon_deg = near[i][1];
        m.sigma_m = 30;
        m.has = TRK_M_ICAO; /* every track has an address; plans without CODE/ ... */
        m.icao = (uint32_t)(0x100000 + i);
        if (i % 10 >= 6 && i % 10 < 9) { /* ... are matched by callsign */
            m.has |= TRK_M_CALLSIGN;
            snprintf(m.callsign, sizeof m.callsign, "B%06u", (unsigned)(i % 1000000));
        } else if (i % 10 == 9) { /* ... or by SSR code */
            m.has |= TRK_M_SQUAWK;
            m.squawk = (uint16_t)(01001 + i % 3000);
        }
        trk_ingest(t, &m, 1, T0, NULL);
    }
    double sum = 0, worst = 0;
    size_t matched = 0;
    for (int c = 0; c < 20; c++) {
        t0 = bench_thread_cpu_s();
        matched = fpl_apply(st, t, T0 + c * 1000);
        double dt = bench_thread_cpu_s() - t0;
        sum += dt;
        worst = dt > worst ? dt : worst;
    }
    /* side by side: the exact iteration (fpl_route_distance_m) for the same
     * track positions, without matching */
    t0 = bench_thread_cpu_s();
    double chk = 0;
    for (size_t i = 0; i < n; i++)
        chk += fpl_route_distance_m(&set->plans[i], near[i][0], near[i][1]);
    double t_exact = bench_thread_cpu_s() - t0;
    const struct fpl_stats *x = fpl_store_stats(st);
    printf("fpl_apply  %6zu tracks %6zu plans x %d pts: mean %7.2f ms  worst %7.2f ms  "
           "(%.2f us/track)  matched %zu (addr %llu id %llu ssr %llu amb %llu)\n",
           n, n, NPTS, sum / 20 * 1e3, worst * 1e3, sum / 20 / (double)n * 1e6, matched,
           (unsigned long long)x->by_icao, (unsigned long long)x->by_ident,
           (unsigned long long)x->by_ssr, (unsigned long long)x->ambiguous);
    printf("           exact distances alone %.2f ms (%.2f us/track; mean %.0f m)\n", t_exact * 1e3,
           t_exact / (double)n * 1e6, chk / (double)n);
    printf("           parse %.1f ms (%.0f plans/s), store %.1f ms\n", t_parse * 1e3,
           (double)n / t_parse, t_store * 1e3);
    trk_free(t);
    fpl_store_free(st);
    fpl_set_free(set);
    fpl_points_free(pts);
    free(pbuf);
    free(buf);
    free(near);
}

int main(int argc, char **argv)
{
    double scale = argc > 1 ? atof(argv[1]) : 1.0;
    if (!(scale > 0 && scale <= 10))
        scale = 1.0;
    static const size_t sizes[] = {1000, 10000, 100000};
    for (size_t i = 0; i < 3; i++)
        run((size_t)((double)sizes[i] * scale));
    printf("peak RSS %ld MiB\n", bench_peak_rss_kb() / 1024);
    return 0;
}
