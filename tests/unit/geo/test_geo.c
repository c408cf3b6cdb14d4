/*
 * test_geo.c — src/geo against published values and round trips.
 *
 * Geodesics: T. Vincenty's worked example (Survey Review 23(176), 1975;
 * the Flinders Peak - Buninyong line as published by Geoscience Australia
 * for GDA, whose GRS80 ellipsoid differs from WGS-84 by 0.1 mm in b, far
 * below the millimetre asserted here), and the exact quarter of the equator
 * (a * pi / 2) and the WGS-84 meridian quadrant (10 001 965.729 m, NIMA
 * TR8350.2 table 3.3). ECEF: the axes' end points, and random points
 * (seed printed) back and forth to a tenth of a millimetre.
 * Radar: a plot's round trip through geo_radar_measure, an independent
 * spherical computation of the ground range, a plot overhead, and an
 * impossible triangle. CPA: crossing, diverging and parallel tracks.
 * Polygons: a square with a hole, the boundary distance, invalid rings.
 * Point to segment: against samples of the leg and the right angle.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/error.h"
#include "geo/geo.h"

/* cmocka's assert_float_equal works in float: 7 digits, not enough for a
 * millimetre in 10 000 km. */
#define assert_near(a, b, eps) near_((a), (b), (eps), #a, __FILE__, __LINE__)
static void near_(double a, double b, double eps, const char *what, const char *file, int line)
{
    if (!(fabs(a - b) <= eps)) {
        print_error("%s = %.12g, want %.12g +- %.3g\n", what, a, b, eps);
        _fail(file, line);
    }
}

static double dms(int d, int m, double s)
{
    double v = abs(d) + m / 60.0 + s / 3600.0;
    return d < 0 ? -v : v;
}

static void test_geodesic_vincenty(void **state)
{
    (void)state;
    double lat1 = dms(-37, 57, 3.72030), lon1 = dms(144, 25, 29.52440);
    double lat2 = dms(-37, 39, 10.15610), lon2 = dms(143, 55, 35.38390);
    double s, a1, a2;
    geo_inverse(lat1, lon1, lat2, lon2, &s, &a1, &a2);
    assert_near(s, 54972.271, 0.001);
    /* forward azimuth 306 52 05.37; PROJ gives -180..180 */
    assert_near(a1 + 360.0, dms(306, 52, 5.37), 0.01 / 3600);
    /* reverse azimuth 127 10 25.07 = forward azimuth at point 2 minus 180 */
    assert_near(a2 + 180.0, dms(127, 10, 25.07), 0.01 / 3600);
    assert_near(geo_distance_m(lat1, lon1, lat2, lon2), s, 1e-9);
    /* the direct problem lands back on Buninyong */
    double la, lo, az;
    geo_direct(lat1, lon1, a1, s, &la, &lo, &az);
    assert_near(la, lat2, 1e-9);
    assert_near(lo, lon2, 1e-9);
    assert_near(az, a2, 1e-7);
}

static void test_geodesic_quadrants(void **state)
{
    (void)state;
    assert_near(geo_distance_m(0, 0, 0, 90), GEO_WGS84_A * M_PI / 2, 1e-6);
    assert_near(geo_distance_m(0, 0, 90, 0), 10001965.729, 0.001);
    assert_near(geo_distance_m(50, 5, 50, 5), 0.0, 0.0);
}

static void test_short_distance(void **state)
{
    (void)state;
    unsigned seed = 4242;
    print_message("short distance seed %u\n", seed);
    srand(seed);
    double worst = 0;
    for (int i = 0; i < 20000; i++) {
        double lat = -84.5 + 169.0 * rand() / RAND_MAX, lon = -180 + 360.0 * rand() / RAND_MAX;
        double az = 360.0 * rand() / RAND_MAX, d = 49000.0 * rand() / RAND_MAX;
        double la, lo;
        geo_direct(lat, lon, az, d, &la, &lo, NULL);
        if (fabs(la) >= 85.0)
            continue;
        double f = geo_short_distance_m(lat, lon, la, lo), g = geo_distance_m(lat, lon, la, lo);
        double rel = fabs(f - g) / (g > 1.0 ? g : 1.0);
        if (rel > worst)
            worst = rel;
        assert_true(rel < 1e-4);
    }
    print_message("short distance worst relative error %.3g\n", worst);
    /* beyond 50 km, and across the antimeridian, it is the geodesic */
    assert_near(geo_short_distance_m(50, 5, 51, 6), geo_distance_m(50, 5, 51, 6), 0);
    assert_near(geo_short_distance_m(0, 179.9, 0, -179.9), geo_distance_m(0, 179.9, 0, -179.9),
                0.5);
}

static void test_ecef_axes(void **state)
{
    (void)state;
    struct geo_ecef e;
    struct geo_llh p = {0, 0, 0};
    geo_llh_to_ecef(&p, &e);
    assert_near(e.x_m, GEO_WGS84_A, 1e-6);
    assert_near(e.y_m, 0, 1e-6);
    assert_near(e.z_m, 0, 1e-6);
    p = (struct geo_llh){90, 0, 0};
    geo_llh_to_ecef(&p, &e);
    assert_near(e.z_m, 6356752.314245, 1e-5); /* semi-minor axis b */
    struct geo_llh q;
    geo_ecef_to_llh(&e, &q);
    assert_near(q.lat_deg, 90, 1e-12);
    assert_near(q.h_m, 0, 1e-5);
    e = (struct geo_ecef){0, GEO_WGS84_A + 1000, 0};
    geo_ecef_to_llh(&e, &q);
    assert_near(q.lat_deg, 0, 1e-12);
    assert_near(q.lon_deg, 90, 1e-12);
    assert_near(q.h_m, 1000, 1e-6);
}

static void test_ecef_round_trip(void **state)
{
    (void)state;
    unsigned seed = 20261204;
    print_message("ecef round trip seed %u\n", seed);
    srand(seed);
    double worst_m = 0;
    for (int i = 0; i < 100000; i++) {
        struct geo_llh p = {-90 + 180.0 * rand() / RAND_MAX, -180 + 360.0 * rand() / RAND_MAX,
                            -500 + 40500.0 * rand() / RAND_MAX};
        struct geo_ecef e;
        struct geo_llh q;
        geo_llh_to_ecef(&p, &e);
        geo_ecef_to_llh(&e, &q);
        struct geo_ecef e2;
        geo_llh_to_ecef(&q, &e2);
        double d = hypot(hypot(e.x_m - e2.x_m, e.y_m - e2.y_m), e.z_m - e2.z_m);
        if (d > worst_m)
            worst_m = d;
        assert_near(q.h_m, p.h_m, 1e-4);
        assert_true(d < 1e-4); /* a tenth of a millimetre */
    }
    print_message("ecef round trip worst %.3g m\n", worst_m);
}

static void test_enu(void **state)
{
    (void)state;
    struct geo_frame f;
    struct geo_llh o = {50.0, 5.0, 100.0};
    geo_frame_init(&f, &o);
    struct geo_llh up = {50.0, 5.0, 1100.0};
    struct geo_enu v;
    geo_frame_to_enu(&f, &up, &v);
    assert_near(v.e_m, 0, 1e-6);
    assert_near(v.n_m, 0, 1e-6);
    assert_near(v.u_m, 1000, 1e-6);
    /* a point due east at the origin's height is east and slightly below the plane */
    double la, lo;
    geo_direct(50, 5, 90, 10000, &la, &lo, NULL);
    struct geo_llh east = {la, lo, 100.0};
    geo_frame_to_enu(&f, &east, &v);
    /* 10 km along the ellipsoid, 100 m above it: 10 km * (1 + 100 m / N) */
    assert_near(hypot(v.e_m, v.n_m), 10000.157, 0.01);
    assert_true(v.u_m < -7.0 && v.u_m > -9.0); /* ~ d^2 / 2N = 7.8 m */
    struct geo_llh back;
    geo_frame_from_enu(&f, &v, &back);
    assert_near(back.lat_deg, la, 1e-10);
    assert_near(back.lon_deg, lo, 1e-10);
    assert_near(back.h_m, 100, 1e-4);
}

static void test_radar_round_trip(void **state)
{
    (void)state;
    struct geo_frame site;
    struct geo_llh s = {50.9, 4.45, 80.0};
    geo_frame_init(&site, &s);
    for (double az = 0; az < 360; az += 22.5) {
        for (double d = 5000; d < 450000; d *= 2.3) {
            double la, lo;
            geo_direct(s.lat_deg, s.lon_deg, az, d, &la, &lo, NULL);
            struct geo_llh t = {la, lo, 10668.0}; /* FL350 */
            double rho, theta;
            geo_radar_measure(&site, &t, &rho, &theta);
            struct geo_llh p;
            double ground;
            assert_int_equal(geo_radar_plot(&site, rho, theta, t.h_m, &p, &ground), 0);
            assert_near(p.h_m, t.h_m, 1e-3);
            assert_true(geo_distance_m(p.lat_deg, p.lon_deg, la, lo) < 0.01);
            assert_near(ground, d, 0.01);
        }
    }
}

static void test_radar_known(void **state)
{
    (void)state;
    /* 100 NM slant, FL300 (taken as 9144 m), radar at sea level. On a
     * sphere of 6371 km: ground = R * acos((R^2 + (R+h)^2 - rho^2) /
     * (2 R (R+h))) = 184 848.0 m; a flat earth would give
     * sqrt(rho^2 - h^2) = 184 974.1 m. The ellipsoid's radius in this
     * azimuth at 45 deg N differs from 6371 km by 0.1 %, which moves the
     * ground range by a few metres only. */
    struct geo_frame site;
    struct geo_llh s = {45.0, 0.0, 0.0};
    geo_frame_init(&site, &s);
    struct geo_llh p;
    double ground;
    assert_int_equal(geo_radar_plot(&site, 185200.0, 90.0, 9144.0, &p, &ground), 0);
    assert_near(ground, 184848.0, 10.0);
    assert_true(fabs(ground - 184974.1) > 100.0);
    /* overhead: slant = height difference */
    assert_int_equal(geo_radar_plot(&site, 9144.0, 123.0, 9144.0, &p, &ground), 0);
    assert_true(ground < 0.01);
    /* no triangle: the target cannot be 10 km up at 5 km slant range */
    assert_int_equal(geo_radar_plot(&site, 5000.0, 0.0, 10000.0, &p, NULL), CAIRN_E_RANGE);
    assert_int_equal(geo_radar_plot(&site, NAN, 0.0, 10000.0, &p, NULL), CAIRN_E_INVAL);
    assert_int_equal(geo_radar_plot(&site, -1.0, 0.0, 0.0, &p, NULL), CAIRN_E_INVAL);
}

static void test_cpa(void **state)
{
    (void)state;
    struct geo_cpa c;
    /* 1 flies east at 100 m/s at 3000 m; 2 flies north at 100 m/s from
     * 10 km east, 9 km south, descending from 3300 m at 2 m/s:
     * relative position (10000, -9000), velocity (-100, 100), so
     * t = 1.9e6 / 2e4 = 95 s, separation (500, 500) = 707.1 m, and 2 is
     * at 3300 - 190 = 3110 m: 110 m above. */
    struct geo_enu p1 = {0, 0, 3000}, v1 = {100, 0, 0};
    struct geo_enu p2 = {10000, -9000, 3300}, v2 = {0, 100, -2};
    geo_cpa(&p1, &v1, &p2, &v2, &c);
    assert_near(c.t_s, 95.0, 1e-9);
    assert_near(c.horiz_m, 500.0 * M_SQRT2, 1e-6);
    assert_near(c.vert_m, 110.0, 1e-9);
    assert_near(c.now_horiz_m, hypot(10000, 9000), 1e-6);
    /* a collision course */
    p2 = (struct geo_enu){10000, -10000, 3000};
    v2 = (struct geo_enu){0, 100, 0};
    geo_cpa(&p1, &v1, &p2, &v2, &c);
    assert_near(c.t_s, 100.0, 1e-9);
    assert_near(c.horiz_m, 0.0, 1e-9);
    /* diverging: closest now */
    p2 = (struct geo_enu){-1000, 0, 3000};
    v2 = (struct geo_enu){-100, 0, 0};
    geo_cpa(&p1, &v1, &p2, &v2, &c);
    assert_near(c.t_s, 0.0, 0.0);
    assert_near(c.horiz_m, 1000.0, 1e-9);
    /* parallel, same speed: no relative motion, distance now */
    geo_cpa(&p1, &v1, &p2, &v1, &c);
    assert_near(c.t_s, 0.0, 0.0);
    assert_near(c.horiz_m, 1000.0, 1e-9);
    /* velocity from gs/track/vrate: 360 kt due east, 600 ft/min up */
    struct geo_enu v;
    geo_velocity_enu(360.0, 90.0, 600.0, &v);
    assert_near(v.e_m, 185.2, 1e-9);
    assert_near(v.n_m, 0.0, 1e-9);
    assert_near(v.u_m, 3.048, 1e-12);
}

static void test_polygon(void **state)
{
    (void)state;
    const struct geo_ll outer[] = {{49.5, 4.5}, {49.5, 5.5}, {50.5, 5.5}, {50.5, 4.5}};
    const struct geo_ll hole[] = {{49.9, 4.9}, {50.1, 4.9}, {50.1, 5.1}, {49.9, 5.1}, {49.9, 4.9}};
    const struct geo_ll *rings[] = {outer, hole};
    size_t n[] = {4, 5};
    struct geo_polygon *p;
    assert_int_equal(geo_polygon_new(rings, n, 2, &p), 0);
    assert_int_equal(geo_polygon_contains(p, 50.0, 5.0), 0); /* in the hole */
    assert_int_equal(geo_polygon_contains(p, 49.7, 5.0), 1);
    assert_int_equal(geo_polygon_contains(p, 50.3, 5.3), 1);
    assert_int_equal(geo_polygon_contains(p, 51.0, 5.0), 0);
    assert_int_equal(geo_polygon_contains(p, 50.0, 6.0), 0);
    assert_int_equal(geo_polygon_contains(p, NAN, 6.0), CAIRN_E_INVAL);
    double d;
    /* from the hole's centre the nearest edge is east or west, 0.1 deg of
     * longitude away */
    assert_int_equal(geo_polygon_boundary_m(p, 50.0, 5.0, &d), 0);
    assert_near(d, geo_distance_m(50.0, 5.0, 50.0, 5.1), 15.0);
    /* north of the outer ring: its north edge is straight in the plane,
     * which is close to the geodesic between its corners — not the
     * parallel of 50.5 deg, which it passes 119 m north of at 5 deg E */
    double s, a1, mla, mlo;
    geo_inverse(50.5, 4.5, 50.5, 5.5, &s, &a1, NULL);
    geo_direct(50.5, 4.5, a1, s / 2, &mla, &mlo, NULL);
    assert_near(mlo, 5.0, 1e-9);
    assert_near(geo_distance_m(mla, mlo, 50.5, 5.0), 119.0, 2.0);
    assert_int_equal(geo_polygon_boundary_m(p, 51.0, 5.0, &d), 0);
    assert_near(d, geo_distance_m(51.0, 5.0, mla, mlo), 15.0);
    geo_polygon_free(p);

    /* without the hole the centre is inside */
    assert_int_equal(geo_polygon_new(rings, n, 1, &p), 0);
    assert_int_equal(geo_polygon_contains(p, 50.0, 5.0), 1);
    geo_polygon_free(p);
    geo_polygon_free(NULL);

    /* a bow tie is not a polygon */
    const struct geo_ll bow[] = {{49.5, 4.5}, {50.5, 5.5}, {49.5, 5.5}, {50.5, 4.5}};
    const struct geo_ll *r1[] = {bow};
    size_t n1[] = {4};
    assert_int_equal(geo_polygon_new(r1, n1, 1, &p), CAIRN_E_INVAL);
    assert_null(p);
    /* across the antimeridian: refused, not wrapped the long way round */
    const struct geo_ll am[] = {{10, 179.5}, {10, -179.5}, {11, -179.5}, {11, 179.5}};
    const struct geo_ll *r2[] = {am};
    assert_int_equal(geo_polygon_new(r2, n1, 1, &p), CAIRN_E_INVAL);
    /* too few vertices, out-of-range latitude */
    size_t n2[] = {2};
    assert_int_equal(geo_polygon_new(r1, n2, 1, &p), CAIRN_E_INVAL);
    const struct geo_ll bad[] = {{91, 0}, {0, 1}, {1, 1}};
    const struct geo_ll *r3[] = {bad};
    size_t n3[] = {3};
    assert_int_equal(geo_polygon_new(r3, n3, 1, &p), CAIRN_E_INVAL);
    /* a region on the other side of the world, east of 170 E */
    const struct geo_ll fiji[] = {{-18, 177}, {-18, 179.9}, {-16, 179.9}, {-16, 177}};
    const struct geo_ll *r4[] = {fiji};
    assert_int_equal(geo_polygon_new(r4, n1, 1, &p), 0);
    assert_int_equal(geo_polygon_contains(p, -17, 178), 1);
    assert_int_equal(geo_polygon_contains(p, -17, -179.9), 0);
    geo_polygon_free(p);
}

/* Point to segment: the nearest point is where the geodesic to P meets the
 * leg at a right angle (checked with the inverse problem), no sample of
 * the leg (every 1 km, and its ends) is nearer, and the ends, a point leg
 * and non-finite input behave. */
static void test_segment_distance(void **state)
{
    (void)state;
    static const double c[][6] = {
        /* P lat, lon; A lat, lon; B lat, lon */
        {55.3, 11.0, 55.0, 10.0, 55.0, 12.0},       /* beside a leg along a parallel */
        {53.3, 20.8, 51.5, 19.9, 54.3776, 18.4662}, /* 60 NM off a 330 km leg */
        {10.0, 0.5, 0.0, 0.0, 0.0, 1.0},            /* far from a short leg, beyond its middle */
        {-33.0, 151.0, -34.0, 150.0, -30.0, 153.0},
        {60.0, 20.0, 55.0, 10.0, 59.6519, 17.9186}, /* beyond B: the end */
        {54.0, 9.0, 55.0, 10.0, 57.0, 12.0},        /* before A: the end */
        {0.0, 179.9, -1.0, 179.5, 1.0, -179.5},     /* across the antimeridian */
        {45.0, 5.0, 45.0, 5.0, 46.0, 6.0},          /* on A */
    };
    for (size_t k = 0; k < sizeof c / sizeof c[0]; k++) {
        const double *v = c[k];
        double frac = -1;
        double d = geo_segment_distance_m(v[0], v[1], v[2], v[3], v[4], v[5], &frac);
        assert_true(frac >= 0 && frac <= 1);
        double len, az, best = INFINITY;
        geo_inverse(v[2], v[3], v[4], v[5], &len, &az, NULL);
        for (double s = 0; s < len + 1000; s += 1000) {
            double la, lo;
            geo_direct(v[2], v[3], az, s < len ? s : len, &la, &lo, NULL);
            double dd = geo_distance_m(v[0], v[1], la, lo);
            best = dd < best ? dd : best;
        }
        /* never farther than a sample; nearer by at most what 1 km steps miss */
        assert_true(d <= best + 1e-3);
        assert_true(d >= best - 600.0);
        double fl, fo, fa;
        geo_direct(v[2], v[3], az, frac * len, &fl, &fo, &fa);
        assert_near(geo_distance_m(v[0], v[1], fl, fo), d, 1e-3);
        if (frac > 1e-9 && frac < 1 - 1e-9 && d > 1) {
            double a1;
            geo_inverse(fl, fo, v[0], v[1], NULL, &a1, NULL);
            double rel = fmod(fabs(a1 - fa), 180.0);
            assert_near(rel, 90.0, 1e-4);
        }
    }
    /* a leg shorter than 1 mm is a point */
    assert_near(geo_segment_distance_m(50.1, 8, 50, 8, 50, 8, NULL), geo_distance_m(50.1, 8, 50, 8),
                1e-6);
    assert_true(isnan(geo_segment_distance_m(NAN, 8, 50, 8, 51, 8, NULL)));
    assert_true(isnan(geo_segment_distance_m(50, 8, 95, 8, 51, 8, NULL)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_geodesic_vincenty),
        cmocka_unit_test(test_geodesic_quadrants),
        cmocka_unit_test(test_short_distance),
        cmocka_unit_test(test_ecef_axes),
        cmocka_unit_test(test_ecef_round_trip),
        cmocka_unit_test(test_enu),
        cmocka_unit_test(test_radar_round_trip),
        cmocka_unit_test(test_radar_known),
        cmocka_unit_test(test_cpa),
        cmocka_unit_test(test_polygon),
        cmocka_unit_test(test_segment_distance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
