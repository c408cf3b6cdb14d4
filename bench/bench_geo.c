/*
 * bench_geo.c — calls per second of the geo functions the decoders and the
 * tracker use in their loops: geodesic inverse (distance only and with
 * azimuths) and direct, a radar plot to a position, ECEF round trips, and
 * a polygon point query. Per CPU second of this process (the machine is
 * shared), after a warm-up. Inputs vary per call so nothing is cached.
 */
#include <math.h>
#include <stdio.h>

#include "bench_util.h"
#include "geo/geo.h"

#define N 2000000

static volatile double sink;

static void report(const char *what, unsigned long n, double cpu_s)
{
    printf("%-44s %10.0f /s  (%.0f ns each)\n", what, (double)n / cpu_s, cpu_s / (double)n * 1e9);
}

int main(void)
{
    double acc = 0, t0;
    /* warm up: PROJ's coefficients are set up on the first call */
    acc += geo_distance_m(50, 5, 51, 6);

    t0 = bench_cpu_s();
    for (unsigned long i = 0; i < N; i++)
        acc += geo_distance_m(50.0, 5.0, 50.0 + (double)(i % 1000) * 1e-3, 6.0);
    report("geo_distance_m (PROJ inverse, ~100 km)", N, bench_cpu_s() - t0);

    t0 = bench_cpu_s();
    for (unsigned long i = 0; i < N; i++)
        acc += geo_short_distance_m(50.0, 5.0, 50.0 + (double)(i % 1000) * 1e-5, 5.01);
    report("geo_short_distance_m (flat, < 50 km)", N, bench_cpu_s() - t0);

    t0 = bench_cpu_s();
    for (unsigned long i = 0; i < N; i++) {
        double s, a1, a2;
        geo_inverse(50.0, 5.0, 50.0 + (double)(i % 1000) * 1e-3, 6.0, &s, &a1, &a2);
        acc += s + a1 + a2;
    }
    report("geo_inverse (distance + azimuths)", N, bench_cpu_s() - t0);

    t0 = bench_cpu_s();
    for (unsigned long i = 0; i < N; i++) {
        double la, lo;
        geo_direct(50.0, 5.0, (double)(i % 360), 100000.0, &la, &lo, NULL);
        acc += la + lo;
    }
    report("geo_direct", N, bench_cpu_s() - t0);

    struct geo_frame site;
    struct geo_llh s = {50.9, 4.45, 80.0};
    geo_frame_init(&site, &s);
    t0 = bench_cpu_s();
    for (unsigned long i = 0; i < N; i++) {
        struct geo_llh p;
        (void)geo_radar_plot(&site, 20000.0 + (double)(i % 4000) * 100.0, (double)(i % 3600) * 0.1,
                             10000.0, &p, NULL);
        acc += p.lat_deg;
    }
    report("geo_radar_plot (polar -> WGS-84)", N, bench_cpu_s() - t0);

    t0 = bench_cpu_s();
    for (unsigned long i = 0; i < N; i++) {
        struct geo_llh p = {(double)(i % 1800) * 0.1 - 90.0, (double)(i % 3600) * 0.1 - 180.0,
                            1000.0},
                       q;
        struct geo_ecef e;
        geo_llh_to_ecef(&p, &e);
        geo_ecef_to_llh(&e, &q);
        acc += q.h_m;
    }
    report("geo_llh_to_ecef + geo_ecef_to_llh", N, bench_cpu_s() - t0);

    const struct geo_ll outer[] = {{49.5, 4.5}, {49.5, 5.5}, {50.5, 5.5}, {50.5, 4.5}};
    const struct geo_ll hole[] = {{49.9, 4.9}, {50.1, 4.9}, {50.1, 5.1}, {49.9, 5.1}};
    const struct geo_ll *rings[] = {outer, hole};
    size_t n[] = {4, 4};
    struct geo_polygon *poly;
    if (geo_polygon_new(rings, n, 2, &poly) != 0)
        return 1;
    unsigned long np = N / 4;
    t0 = bench_cpu_s();
    for (unsigned long i = 0; i < np; i++)
        acc += geo_polygon_contains(poly, 49.4 + (double)(i % 1200) * 1e-3, 5.0);
    report("geo_polygon_contains (GEOS, ring + hole)", np, bench_cpu_s() - t0);
    t0 = bench_cpu_s();
    for (unsigned long i = 0; i < np; i++) {
        double d;
        (void)geo_polygon_boundary_m(poly, 49.4 + (double)(i % 1200) * 1e-3, 5.0, &d);
        acc += d;
    }
    report("geo_polygon_boundary_m (GEOS)", np, bench_cpu_s() - t0);
    geo_polygon_free(poly);
    sink = acc;
    printf("peak RSS %ld KiB\n", bench_peak_rss_kb());
    return 0;
}
