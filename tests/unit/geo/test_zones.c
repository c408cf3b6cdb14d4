/*
 * test_zones.c — the GeoJSON zone loader (geo/zones.h) and its queries.
 *
 * The shipped scenarios/baltic-zones.geojson (argv[1]): two zones with their
 * properties, Kaliningrad inside, Gdansk outside, the baltic-sea cargo
 * ship's position when it goes dark 10-20 NM off the territorial line.
 * Queries against GEOS (geo_polygon_contains / geo_polygon_boundary_m on
 * the same rings, same plane) at 20,000 random points (seed printed): the
 * same answers away from the edges, distances within a millimetre. The
 * first crossing of a segment. Hostile files: every error names the
 * feature and the member, is printable, and leaves no set; the caps;
 * every truncation of a valid file is refused without a crash.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/error.h"
#include "geo/geo.h"
#include "geo/zones.h"

static const char *zones_path;

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    b[n] = '\0';
    *len = (size_t)n;
    return b;
}

static struct geo_zones *parse_ok(const char *s)
{
    char err[256];
    struct geo_zones *zs = NULL;
    int rc = geo_zones_parse(s, strlen(s), &zs, err, sizeof err);
    if (rc)
        fprintf(stderr, "unexpected: %s\n", err);
    assert_int_equal(rc, 0);
    assert_non_null(zs);
    return zs;
}

/* A refused file: the code, no set, a printable message containing want. */
static void parse_bad(const char *s, int code, const char *want)
{
    char err[256];
    struct geo_zones *zs = (struct geo_zones *)&err; /* must be reset */
    int rc = geo_zones_parse(s, strlen(s), &zs, err, sizeof err);
    if (rc != code || !strstr(err, want))
        fprintf(stderr, "got %d \"%s\", want %d \"%s\"\n", rc, err, code, want);
    assert_int_equal(rc, code);
    assert_null(zs);
    assert_non_null(strstr(err, want));
    for (const char *p = err; *p; p++)
        assert_true(*p >= 32 && *p <= 126);
}

static void test_baltic_file(void **st)
{
    (void)st;
    size_t len;
    char *buf = slurp(zones_path, &len);
    char err[256];
    struct geo_zones *zs = NULL;
    assert_int_equal(geo_zones_parse(buf, len, &zs, err, sizeof err), 0);
    assert_int_equal(zs->n, 2);
    const struct geo_zone *k = &zs->z[0], *x = &zs->z[1];
    assert_int_equal(k->kind, GEO_ZONE_TERRITORIAL);
    assert_int_equal(k->applies, GEO_ZONE_FOR_ALL);
    assert_true(k->from_ms == INT64_MIN && k->until_ms == INT64_MAX);
    assert_false(k->has_floor || k->has_ceiling);
    assert_true(fabs(k->approach_m - 5 * 1852.0) < 1e-9);
    assert_int_equal(x->kind, GEO_ZONE_EXERCISE);
    assert_true(x->has_ceiling && x->ceiling_ft == 10000.0 && !x->has_floor);
    assert_int_equal(x->from_ms, 1460440800000LL); /* 2016-04-12T06:00:00Z */
    assert_int_equal(x->until_ms, 1460484000000LL);
    assert_true(geo_zone_active(x, 1460462400000LL));  /* the scenario's start, 12:00 */
    assert_false(geo_zone_active(x, 1460484000000LL)); /* until is excluded */
    assert_true(fabs(x->approach_m - 3 * 1852.0) < 1e-9);

    int in;
    double d;
    assert_int_equal(geo_zone_locate(k, 54.71, 20.51, &in, &d), 0); /* Kaliningrad */
    assert_int_equal(in, 1);
    assert_int_equal(geo_zone_locate(k, 54.35, 18.65, &in, &d), 0); /* Gdansk */
    assert_int_equal(in, 0);
    /* the cargo ship of baltic-sea 900 s after its start (AIS off) */
    assert_int_equal(geo_zone_locate(k, 55.26, 19.28, &in, &d), 0);
    assert_int_equal(in, 0);
    printf("cargo at AIS off: %.1f NM from the territorial line\n", d / 1852.0);
    assert_true(d > 10 * 1852.0 && d < 20 * 1852.0);
    /* its destination is inside */
    assert_int_equal(geo_zone_locate(k, 54.98, 19.85, &in, &d), 0);
    assert_int_equal(in, 1);
    assert_int_equal(geo_zone_locate(k, NAN, 19.85, &in, &d), CAIRN_E_INVAL);
    geo_zones_free(zs);
    free(buf);
}

static const char *const square_hole =
    "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"id\":7,"
    "\"properties\":{\"name\":\"sq\",\"kind\":\"caution\",\"source\":\"x\"},"
    "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":["
    "[[10,50],[11,50],[11.2,50.5],[11,51],[10,51],[10,50]],"
    "[[10.4,50.4],[10.6,50.4],[10.6,50.6],[10.4,50.6],[10.4,50.4]]]}},"
    "{\"type\":\"Feature\",\"properties\":{\"name\":\"Zone \\u00e9t\\u00e9\",\"kind\":\"boundary\","
    "\"applies_to\":\"aircraft\",\"floor_ft\":0,\"ceiling_ft\":19500,"
    "\"from\":\"2026-01-01T00:00:00Z\",\"until\":\"2026-01-02T00:00:00.5+00:00\"},"
    "\"geometry\":{\"type\":\"MultiPolygon\",\"coordinates\":["
    "[[[0,0],[1,0],[1,1],[0,1],[0,0]]],[[[2,0],[3,0],[3,1],[2,0,100]]]]}}]}";

static void test_queries_vs_geos(void **st)
{
    (void)st;
    struct geo_zones *zs = parse_ok(square_hole);
    assert_int_equal(zs->n, 2);
    const struct geo_zone *z = &zs->z[0], *m = &zs->z[1];
    assert_string_equal(m->name, "Zone \xc3\xa9t\xc3\xa9");
    assert_int_equal(m->applies, GEO_ZONE_FOR_AIRCRAFT);
    assert_int_equal(m->n_polys, 2);
    assert_int_equal(m->from_ms, 1767225600000LL);
    assert_int_equal(m->until_ms, 1767312000500LL);
    assert_int_equal(z->feature, 0);
    assert_int_equal(m->feature, 1);
    int in;
    double d;
    geo_zone_locate(m, 0.5, 0.5, &in, &d);
    assert_int_equal(in, 1);
    geo_zone_locate(m, 0.25, 2.75, &in, &d); /* second part: triangle (2,0) (3,0) (3,1) */
    assert_int_equal(in, 1);
    geo_zone_locate(m, 0.75, 2.25, &in, &d);
    assert_int_equal(in, 0);
    geo_zone_locate(m, 0.5, 1.5, &in, &d); /* between the parts */
    assert_int_equal(in, 0);

    /* the same polygon through GEOS */
    struct geo_ll shell[] = {{50, 10}, {50, 11}, {50.5, 11.2}, {51, 11}, {51, 10}, {50, 10}};
    struct geo_ll hole[] = {{50.4, 10.4}, {50.4, 10.6}, {50.6, 10.6}, {50.6, 10.4}, {50.4, 10.4}};
    const struct geo_ll *rings[] = {shell, hole};
    size_t n[] = {6, 5};
    struct geo_polygon *gp = NULL;
    assert_int_equal(geo_polygon_new(rings, n, 2, &gp), 0);
    unsigned seed = (unsigned)time(NULL);
    printf("seed %u\n", seed);
    srand(seed);
    unsigned n_in = 0, n_hole = 0;
    double worst = 0;
    for (int k = 0; k < 20000; k++) {
        double la = 49.8 + 1.4 * rand() / (double)RAND_MAX;
        double lo = 9.8 + 1.6 * rand() / (double)RAND_MAX;
        assert_int_equal(geo_zone_locate(z, la, lo, &in, &d), 0);
        double g;
        assert_int_equal(geo_polygon_boundary_m(gp, la, lo, &g), 0);
        if (fabs(g - d) > worst)
            worst = fabs(g - d);
        assert_true(fabs(g - d) < 1e-3);
        if (d > 0.01)
            assert_int_equal(in, geo_polygon_contains(gp, la, lo));
        n_in += (unsigned)in;
        n_hole += la > 50.41 && la < 50.59 && lo > 10.41 && lo < 10.59;
        if (la > 50.41 && la < 50.59 && lo > 10.41 && lo < 10.59)
            assert_int_equal(in, 0);
    }
    printf("inside %u of 20000, %u in the hole; worst distance difference %.2e m\n", n_in, n_hole,
           worst);
    assert_true(n_in > 5000 && n_hole > 100);
    geo_polygon_free(gp);

    /* first crossing: from 1/4 degree west of the shell, due east at mid height */
    struct geo_zone_xy a, b, e;
    geo_zone_project(z, 50.2, 9.75, &a);
    geo_zone_project(z, 50.2, 10.25, &b);
    geo_zone_project(z, 50.2, 10.0, &e);
    double s = geo_zone_first_crossing_xy(z, &a, &b);
    assert_true(s > 0);
    double ex = a.x_m + s * (b.x_m - a.x_m), ey = a.y_m + s * (b.y_m - a.y_m);
    assert_true(hypot(ex - e.x_m, ey - e.y_m) < 50.0); /* the edge's plane chord vs the meridian */
    geo_zone_project(z, 50.2, 9.9, &b);                /* stops short */
    assert_true(geo_zone_first_crossing_xy(z, &a, &b) == -1.0);
    geo_zones_free(zs);
}

/* Large zones through the strip index: a wobbly ring of 2,000 vertices
 * with a hole, and a comb whose 400 teeth run the whole height (their long
 * edges make the index coarsen). Containment and boundary distance agree
 * with GEOS at random points; every first crossing lands on the boundary
 * with the same side all along before it. */
static void big_zone(unsigned kind, char **json, struct geo_ll **shell, size_t *n)
{
    size_t cap = 64 * 4200 + 1024, k = 0, m = 0;
    char *js = malloc(cap);
    struct geo_ll *r = malloc(4200 * sizeof *r);
    assert_true(js && r);
    if (kind == 0) {
        for (unsigned i = 0; i < 2000; i++) {
            double a = 2 * 3.14159265358979 * i / 2000.0, q = 0.4 * (1 + 0.15 * sin(13 * a));
            r[m++] = (struct geo_ll){50 + q * sin(a), 10 + 1.5 * q * cos(a)};
        }
    } else {
        for (unsigned i = 0; i < 400; i++) {
            double x = 10 + i * 0.002;
            r[m++] = (struct geo_ll){50.0 + (i ? 0.05 : 0.0), x};
            r[m++] = (struct geo_ll){50.5, x + 0.0005};
            r[m++] = (struct geo_ll){50.5, x + 0.0015};
        }
        r[m++] = (struct geo_ll){50.0, 10.8};
    }
    r[m] = r[0];
    m++;
    k += (size_t)snprintf(js + k, cap - k,
                          "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
                          "\"properties\":{\"name\":\"big\",\"kind\":\"caution\"},"
                          "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[");
    for (size_t i = 0; i < m; i++)
        k += (size_t)snprintf(js + k, cap - k, "%s[%.10f,%.10f]", i ? "," : "", r[i].lon_deg,
                              r[i].lat_deg);
    k += (size_t)snprintf(js + k, cap - k, "]%s]}}]}",
                          kind == 0 ? ",[[10.1,49.95],[10.1,50.05],[9.9,50.05],[9.9,49.95],"
                                      "[10.1,49.95]]"
                                    : "");
    *json = js;
    *shell = r;
    *n = m;
}

static void test_big_zones(void **st)
{
    (void)st;
    unsigned seed = (unsigned)time(NULL) ^ 0x5A5Au;
    printf("seed %u\n", seed);
    srand(seed);
    for (unsigned kind = 0; kind < 2; kind++) {
        char *js;
        struct geo_ll *shell;
        size_t n;
        big_zone(kind, &js, &shell, &n);
        struct geo_zones *zs = parse_ok(js);
        const struct geo_zone *z = &zs->z[0];
        struct geo_ll hole[] = {
            {49.95, 10.1}, {50.05, 10.1}, {50.05, 9.9}, {49.95, 9.9}, {49.95, 10.1}};
        const struct geo_ll *rings[] = {shell, hole};
        size_t rn[] = {n, 5};
        struct geo_polygon *gp = NULL;
        assert_int_equal(geo_polygon_new(rings, rn, kind == 0 ? 2 : 1, &gp), 0);
        printf("zone %u: %u vertices, %u strips, %u edge entries\n", kind, z->n_verts, z->n_strips,
               z->first[z->n_strips]);
        if (kind == 1)
            assert_true(z->n_strips < 400); /* coarsened */
        unsigned n_in = 0;
        for (int k = 0; k < 5000; k++) {
            double la = 49.4 + 1.2 * rand() / (double)RAND_MAX;
            double lo = kind ? 9.95 + 0.9 * rand() / (double)RAND_MAX
                             : 9.2 + 1.6 * rand() / (double)RAND_MAX;
            int in;
            double d, g;
            assert_int_equal(geo_zone_locate(z, la, lo, &in, &d), 0);
            assert_int_equal(geo_polygon_boundary_m(gp, la, lo, &g), 0);
            assert_true(fabs(g - d) < 1e-3);
            if (d > 0.01)
                assert_int_equal(in, geo_polygon_contains(gp, la, lo));
            n_in += (unsigned)in;
        }
        assert_true(n_in > 500);
        for (int k = 0; k < 500; k++) {
            struct geo_zone_xy a, b;
            geo_zone_project(z, 49.4 + 1.2 * rand() / (double)RAND_MAX,
                             9.9 + 1.0 * rand() / (double)RAND_MAX, &a);
            double ang = 6.283185307 * rand() / (double)RAND_MAX, len = 60000.0 * rand() / RAND_MAX;
            b.x_m = a.x_m + len * cos(ang);
            b.y_m = a.y_m + len * sin(ang);
            double s = geo_zone_first_crossing_xy(z, &a, &b);
            assert_true(s == -1.0 || (s > 0 && s <= 1.0));
            double end = s < 0 ? 1.0 : s;
            int in0 = geo_zone_contains_xy(z, &a);
            if (s > 0) {
                struct geo_zone_xy c = {a.x_m + s * (b.x_m - a.x_m), a.y_m + s * (b.y_m - a.y_m)};
                assert_true(geo_zone_boundary_xy(z, &c) < 1e-3);
            }
            for (int j = 1; j < 200; j++) {
                double t = end * j / 200.0;
                struct geo_zone_xy c = {a.x_m + t * (b.x_m - a.x_m), a.y_m + t * (b.y_m - a.y_m)};
                if (geo_zone_boundary_xy(z, &c) > 0.5 && geo_zone_boundary_xy(z, &a) > 0.5)
                    assert_int_equal(geo_zone_contains_xy(z, &c), in0);
            }
        }
        geo_polygon_free(gp);
        geo_zones_free(zs);
        free(js);
        free(shell);
    }
}

#define FC(features)   "{\"type\":\"FeatureCollection\",\"features\":[" features "]}"
#define SQ             "[[[0,0],[1,0],[1,1],[0,1],[0,0]]]"
#define F(props, geom) "{\"type\":\"Feature\",\"properties\":{" props "},\"geometry\":" geom "}"
#define POLY(c)        "{\"type\":\"Polygon\",\"coordinates\":" c "}"
#define OK             F("\"name\":\"a\",\"kind\":\"caution\"", POLY(SQ))

static void test_hostile(void **st)
{
    (void)st;
    parse_bad("", CAIRN_E_FORMAT, "line 1");
    parse_bad("[]", CAIRN_E_FORMAT, "top level");
    parse_bad("{\"type\":\"Feature\"}", CAIRN_E_FORMAT, "type: must be");
    parse_bad("{\"type\":\"FeatureCollection\"}", CAIRN_E_FORMAT, "features: must be an array");
    parse_bad(FC(OK ",1"), CAIRN_E_FORMAT, "features[1]: must be an object");
    parse_bad(FC(OK "," F("\"name\":\"a\",\"kind\":\"nope\"", POLY(SQ))), CAIRN_E_FORMAT,
              "features[1].properties.kind: must be one of");
    parse_bad(FC(F("\"kind\":\"caution\"", POLY(SQ))), CAIRN_E_FORMAT,
              "features[0].properties.name");
    parse_bad(FC(F("\"name\":\"a\\u0007b\",\"kind\":\"caution\"", POLY(SQ))), CAIRN_E_FORMAT,
              "features[0].properties.name");
    parse_bad(FC(F("\"name\":\"a\\u0000b\",\"kind\":\"caution\"", POLY(SQ))), CAIRN_E_FORMAT,
              "line 1");
    parse_bad(FC(F("\"name\":\"0123456789012345678901234567890123456789012345678901234567890123\","
                   "\"kind\":\"caution\"",
                   POLY(SQ))),
              CAIRN_E_FORMAT, "properties.name");
    parse_bad(FC(F("\"name\":\"a\",\"kind\":\"caution\",\"applies_to\":\"ships\"", POLY(SQ))),
              CAIRN_E_FORMAT, "properties.applies_to");
    parse_bad(
        FC(F("\"name\":\"a\",\"kind\":\"caution\",\"from\":\"2026-02-29T00:00:00Z\"", POLY(SQ))),
        CAIRN_E_FORMAT, "features[0].properties.from: must be an ISO 8601");
    parse_bad(
        FC(F("\"name\":\"a\",\"kind\":\"caution\",\"from\":\"2026-01-01T00:00:00\"", POLY(SQ))),
        CAIRN_E_FORMAT, "properties.from");
    parse_bad(FC(F("\"name\":\"a\",\"kind\":\"caution\",\"until\":\"2026-01-01T00:00:00+01:00\"",
                   POLY(SQ))),
              CAIRN_E_FORMAT, "properties.until");
    parse_bad(FC(F("\"name\":\"a\",\"kind\":\"caution\",\"from\":\"2026-01-02T00:00:00Z\","
                   "\"until\":\"2026-01-01T00:00:00Z\"",
                   POLY(SQ))),
              CAIRN_E_FORMAT, "until: must be after from");
    parse_bad(FC(F("\"name\":\"a\",\"kind\":\"caution\",\"floor_ft\":5000,\"ceiling_ft\":1000",
                   POLY(SQ))),
              CAIRN_E_FORMAT, "ceiling_ft: must be above");
    parse_bad(FC(F("\"name\":\"a\",\"kind\":\"caution\",\"approach_nm\":-1", POLY(SQ))),
              CAIRN_E_FORMAT, "approach_nm: must be a number in 0..100");
    parse_bad(FC(F("\"name\":\"a\",\"kind\":\"caution\",\"approach_nm\":\"5\"", POLY(SQ))),
              CAIRN_E_FORMAT, "approach_nm");
    parse_bad(FC(F("\"name\":\"a\",\"kind\":\"caution\"", "null")), CAIRN_E_FORMAT,
              "features[0].geometry: must be an object");
    parse_bad(
        FC(F("\"name\":\"a\",\"kind\":\"caution\"", "{\"type\":\"Point\",\"coordinates\":[0,0]}")),
        CAIRN_E_FORMAT, "features[0].geometry.type");
    parse_bad(FC(F("\"name\":\"a\",\"kind\":\"caution\"", POLY("[[[0,0],[1,0],[0,0]]]"))),
              CAIRN_E_FORMAT, "coordinates[0]: a ring needs at least 4");
    parse_bad(
        FC(F("\"name\":\"a\",\"kind\":\"caution\"", POLY("[[[0,0],[1,0],[1,1],[0,1],[0,0.5]]]"))),
        CAIRN_E_FORMAT, "coordinates[0]: a ring must be closed");
    parse_bad(
        FC(F("\"name\":\"a\",\"kind\":\"caution\"", POLY("[[[0,0],[1,0],[1,\"1\"],[0,1],[0,0]]]"))),
        CAIRN_E_FORMAT, "coordinates[0][2]: must be [lon, lat]");
    parse_bad(
        FC(F("\"name\":\"a\",\"kind\":\"caution\"", POLY("[[[0,0],[1,0],[1,90],[0,1],[0,0]]]"))),
        CAIRN_E_FORMAT, "coordinates[0][2]: lon must be");
    parse_bad(
        FC(F("\"name\":\"a\",\"kind\":\"caution\"", POLY("[[[0,0],[1,1],[1,0],[0,1],[0,0]]]"))),
        CAIRN_E_FORMAT, "features[0].geometry.coordinates: not a valid polygon");
    parse_bad(
        FC(F("\"name\":\"a\",\"kind\":\"caution\"", POLY("[[[179,0],[-179,0],[-179,1],[179,0]]]"))),
        CAIRN_E_FORMAT, "not a valid polygon");
    parse_bad(FC(OK "," F("\"name\":\"a\",\"kind\":\"caution\"",
                          "{\"type\":\"MultiPolygon\",\"coordinates\":[" SQ ",[[[5,5],[6,6],[6,5],"
                          "[5,6],[5,5]]]]}")),
              CAIRN_E_FORMAT, "features[1].geometry.coordinates[1]: not a valid polygon");
    parse_bad("{\"type\":\"FeatureCollection\",\"type\":\"FeatureCollection\",\"features\":[]}",
              CAIRN_E_FORMAT, "line 1");

    /* caps: 257 features; a ring of 20,001 positions */
    size_t cap = 300 * 200 + 64;
    char *big = malloc(cap);
    assert_non_null(big);
    size_t k = (size_t)snprintf(big, cap, "{\"type\":\"FeatureCollection\",\"features\":[");
    for (int i = 0; i < GEO_ZONES_MAX + 1; i++)
        k += (size_t)snprintf(big + k, cap - k, "%s" OK, i ? "," : "");
    snprintf(big + k, cap - k, "]}");
    parse_bad(big, CAIRN_E_TOOBIG, "features: more than 256 zones");
    free(big);
    cap = 20001 * 40 + 256;
    big = malloc(cap);
    assert_non_null(big);
    k = (size_t)snprintf(big, cap,
                         "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
                         "\"properties\":{\"name\":\"a\",\"kind\":\"caution\"},\"geometry\":{"
                         "\"type\":\"Polygon\",\"coordinates\":[[");
    for (int i = 0; i < 20000; i++) {
        double a = 2.0 * 3.14159265358979 * i / 20000.0;
        k += (size_t)snprintf(big + k, cap - k, "[%.9f,%.9f],", cos(a), sin(a));
    }
    snprintf(big + k, cap - k, "[1,0]]]}}]}");
    parse_bad(big, CAIRN_E_TOOBIG, "coordinates[0]: more than 20000 positions");
    free(big);
    assert_int_equal(geo_zones_parse(NULL, 0, NULL, NULL, 0), CAIRN_E_INVAL);

    /* every truncation of a valid file is refused; the whole file is not */
    size_t len = strlen(square_hole);
    char *cut = malloc(len);
    assert_non_null(cut);
    for (size_t n = 0; n < len; n++) {
        memcpy(cut, square_hole, n);
        struct geo_zones *zs = NULL;
        char err[128];
        assert_int_not_equal(geo_zones_parse(cut, n, &zs, err, sizeof err), 0);
        assert_null(zs);
    }
    free(cut);
    struct geo_zones *zs = parse_ok(FC(""));
    assert_int_equal(zs->n, 0);
    geo_zones_free(zs);
    geo_zones_free(NULL);
}

int main(int argc, char **argv)
{
    zones_path = argc > 1 ? argv[1] : CAIRN_SOURCE_DIR "/scenarios/baltic-zones.geojson";
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_baltic_file),
        cmocka_unit_test(test_queries_vs_geos),
        cmocka_unit_test(test_big_zones),
        cmocka_unit_test(test_hostile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
