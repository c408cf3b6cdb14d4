/*
 * bench_geo.c — calls per second of the geo functions the decoders and the
 * tracker use in their loops: geodesic inverse (distance only and with
 * azimuths) and direct, a radar plot to a position, ECEF round trips, and
 * a polygon point query, and the zone queries (geo/zones.h: cairn's own
 * loop in the zone's plane) beside GEOS on the same rings, for zones of
 * 16, 128 and 1,024 vertices. Per CPU second of this process (the machine is
 * shared), after a warm-up. Inputs vary per call so nothing is cached.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "geo/geo.h"
#include "geo/zones.h"

#define N 2000000

static volatile double sink;

/* A zone: a ring of nv vertices on a wobbly circle of about 50 km around
 * 50 N 5 E, as GeoJSON (zones) and as a GEOS polygon. */
static int zone_pair(unsigned nv, struct geo_zones **zs, struct geo_polygon **gp)
{
    size_t cap = 200 + 48 * (size_t)(nv + 1);
    char *js = malloc(cap);
    struct geo_ll *ring = malloc((nv + 1) * sizeof *ring);
    if (!js || !ring)
        return 1;
    int k = snprintf(js, cap,
                     "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
                     "\"properties\":{\"name\":\"z\",\"kind\":\"caution\"},\"geometry\":{"
                     "\"type\":\"Polygon\",\"coordinates\":[[");
    for (unsigned i = 0; i <= nv; i++) {
        double a = 2.0 * 3.14159265358979 * (double)(i % nv) / nv;
        double r = 0.45 * (1.0 + 0.1 * sin(7.0 * a));
        ring[i].lat_deg = 50.0 + r * sin(a);
        ring[i].lon_deg = 5.0 + 1.5 * r * cos(a);
        k += snprintf(js + k, cap - (size_t)k, "%s[%.9f,%.9f]", i ? "," : "", ring[i].lon_deg,
                      ring[i].lat_deg);
    }
    snprintf(js + k, cap - (size_t)k, "]]}}]}");
    const struct geo_ll *rings[] = {ring};
    size_t n[] = {nv + 1};
    int rc = geo_zones_parse(js, strlen(js), zs, NULL, 0) || geo_polygon_new(rings, n, 1, gp);
    free(js);
    free(ring);
    return rc;
}

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

    /* zones: own code against GEOS on the same ring, points across it */
    static const unsigned sizes[] = {16, 128, 1024};
    for (unsigned si = 0; si < 3; si++) {
        struct geo_zones *zs = NULL;
        struct geo_polygon *gp = NULL;
        if (zone_pair(sizes[si], &zs, &gp))
            return 1;
        const struct geo_zone *z = &zs->z[0];
        char what[64];
        t0 = bench_cpu_s();
        for (unsigned long i = 0; i < np; i++) {
            struct geo_zone_xy p;
            geo_zone_project(z, 49.4 + (double)(i % 1200) * 1e-3, 5.0 + (double)(i % 7) * 0.1, &p);
            acc += geo_zone_contains_xy(z, &p);
        }
        snprintf(what, sizeof what, "zone contains, own (%u vertices)", sizes[si]);
        report(what, np, bench_cpu_s() - t0);
        t0 = bench_cpu_s();
        for (unsigned long i = 0; i < np; i++)
            acc += geo_polygon_contains(gp, 49.4 + (double)(i % 1200) * 1e-3,
                                        5.0 + (double)(i % 7) * 0.1);
        snprintf(what, sizeof what, "zone contains, GEOS (%u vertices)", sizes[si]);
        report(what, np, bench_cpu_s() - t0);
        t0 = bench_cpu_s();
        for (unsigned long i = 0; i < np; i++) {
            struct geo_zone_xy p;
            geo_zone_project(z, 49.4 + (double)(i % 1200) * 1e-3, 5.0 + (double)(i % 7) * 0.1, &p);
            acc += geo_zone_boundary_xy(z, &p);
        }
        snprintf(what, sizeof what, "zone boundary distance, own (%u)", sizes[si]);
        report(what, np, bench_cpu_s() - t0);
        t0 = bench_cpu_s();
        for (unsigned long i = 0; i < np; i++) {
            double d;
            (void)geo_polygon_boundary_m(gp, 49.4 + (double)(i % 1200) * 1e-3,
                                         5.0 + (double)(i % 7) * 0.1, &d);
            acc += d;
        }
        snprintf(what, sizeof what, "zone boundary distance, GEOS (%u)", sizes[si]);
        report(what, np, bench_cpu_s() - t0);
        geo_zones_free(zs);
        geo_polygon_free(gp);
    }
    sink = acc;
    printf("peak RSS %ld KiB\n", bench_peak_rss_kb());
    return 0;
}
