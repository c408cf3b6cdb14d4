/*
 * zones.c — the GeoJSON zone loader and the zone queries (zones.h).
 *
 * Loading walks the FeatureCollection twice: the first pass checks every
 * geometry and counts its rings and vertices against the caps, the second
 * (after one allocation of each array) validates each polygon with GEOS,
 * projects it into its zone's plane and reads the properties. jansson
 * (Debian libjansson) parses the text; its own error text is not passed on
 * because it may quote the input.
 *
 * Queries are the textbook ones on a polygon in a plane: even-odd crossing
 * count of a horizontal ray (per polygon, so the parts of a MultiPolygon
 * may touch or overlap), the distance to the nearest edge, and the first
 * edge a segment crosses (parametric intersection of two segments). An
 * index of horizontal strips (build_index) keeps them from reading every
 * edge: the ray meets only edges of the point's strip; the nearest edge is
 * searched outwards strip by strip until a strip lies farther than the best
 * distance found; a segment reads the strips its y-range covers.
 *
 * References: RFC 7946 (GeoJSON), sections 3.1.6 (Polygon: closed linear
 * rings of four or more positions, the first the exterior) and 3.1.7
 * (MultiPolygon); ISO 8601 (times, UTC "Z" only); J. O'Rourke,
 * "Computational Geometry in C", 2nd ed., 1998, sections 1.5 and 7.4
 * (segment intersection, point in polygon).
 */
#include "geo/zones.h"

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"

/* ------------------------------------------------------------- errors */

struct ctx {
    char *err;
    size_t cap;
};

__attribute__((format(printf, 3, 4))) static int fail(struct ctx *c, int code, const char *fmt, ...)
{
    if (c->err && c->cap) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->err, c->cap, fmt, ap);
        va_end(ap);
        /* the message is built from constants and numbers; keep it so */
        for (char *p = c->err; *p; p++)
            if (*p < 0x20 || *p > 0x7E)
                *p = '?';
    }
    return code;
}

/* ---------------------------------------------------------------- time */

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static int digits(const char *s, int n, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    *out = v;
    return 0;
}

/* "YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|+00:00)", years 1970..9999. */
static int parse_utc(const char *s, int64_t *out_ms)
{
    size_t len = strlen(s);
    unsigned y, mo, d, h, mi, se, ms = 0;
    if (len < 20 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) || s[7] != '-' ||
        digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't') || digits(s + 11, 2, &h) ||
        s[13] != ':' || digits(s + 14, 2, &mi) || s[16] != ':' || digits(s + 17, 2, &se))
        return -1;
    size_t k = 19;
    if (s[k] == '.') {
        size_t nd = 0;
        k++;
        while (s[k] >= '0' && s[k] <= '9' && nd < 9) {
            if (nd < 3)
                ms = ms * 10 + (unsigned)(s[k] - '0');
            nd++;
            k++;
        }
        if (nd == 0)
            return -1;
        for (size_t z = nd; z < 3; z++)
            ms *= 10;
    }
    if (!((s[k] == 'Z' && s[k + 1] == '\0') || strcmp(s + k, "+00:00") == 0))
        return -1;
    static const unsigned mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
        (mo == 2 && d == 29 && !leap) || h > 23 || mi > 59 || se > 59)
        return -1;
    int64_t days = days_from_civil((int64_t)y, mo, d);
    *out_ms = ((days * 24 + h) * 60 + mi) * 60000LL + (int64_t)se * 1000 + ms;
    return 0;
}

/* ------------------------------------------------------------ geometry */

struct counts {
    size_t rings, verts;
};

/* A ring's positions: an array of >= 4 [lon, lat(, alt)] numbers, closed. */
static int check_ring(struct ctx *c, json_t *ring, size_t fi, const char *where, size_t *nv)
{
    if (!json_is_array(ring))
        return fail(c, CAIRN_E_FORMAT, "features[%zu].geometry.coordinates%s: must be an array", fi,
                    where);
    size_t n = json_array_size(ring);
    if (n < 4)
        return fail(c, CAIRN_E_FORMAT,
                    "features[%zu].geometry.coordinates%s: a ring needs at least 4 positions", fi,
                    where);
    if (n > GEO_ZONE_MAX_VERTS)
        return fail(c, CAIRN_E_TOOBIG,
                    "features[%zu].geometry.coordinates%s: more than %d positions", fi, where,
                    GEO_ZONE_MAX_VERTS);
    for (size_t k = 0; k < n; k++) {
        json_t *p = json_array_get(ring, k);
        size_t m = json_is_array(p) ? json_array_size(p) : 0;
        json_t *lo = m ? json_array_get(p, 0) : NULL, *la = m > 1 ? json_array_get(p, 1) : NULL;
        if ((m != 2 && m != 3) || !json_is_number(lo) || !json_is_number(la) ||
            (m == 3 && !json_is_number(json_array_get(p, 2))))
            return fail(c, CAIRN_E_FORMAT,
                        "features[%zu].geometry.coordinates%s[%zu]: must be [lon, lat] numbers", fi,
                        where, k);
        double lon = json_number_value(lo), lat = json_number_value(la);
        if (!isfinite(lon) || !isfinite(lat) || fabs(lon) > 180.0 || fabs(lat) >= 90.0)
            return fail(c, CAIRN_E_FORMAT,
                        "features[%zu].geometry.coordinates%s[%zu]: lon must be in -180..180, "
                        "lat in -90..90 (poles excluded)",
                        fi, where, k);
    }
    json_t *a = json_array_get(ring, 0), *b = json_array_get(ring, n - 1);
    if (json_number_value(json_array_get(a, 0)) != json_number_value(json_array_get(b, 0)) ||
        json_number_value(json_array_get(a, 1)) != json_number_value(json_array_get(b, 1)))
        return fail(c, CAIRN_E_FORMAT,
                    "features[%zu].geometry.coordinates%s: a ring must be closed (last position "
                    "equal to the first)",
                    fi, where);
    *nv = n;
    return 0;
}

/* A polygon's coordinates: 1..GEO_ZONE_MAX_RINGS rings. */
static int check_poly(struct ctx *c, json_t *poly, size_t fi, const char *prefix, struct counts *k)
{
    char where[48];
    if (!json_is_array(poly) || json_array_size(poly) < 1)
        return fail(c, CAIRN_E_FORMAT,
                    "features[%zu].geometry.coordinates%s: must be a non-empty array of rings", fi,
                    prefix);
    if (json_array_size(poly) > GEO_ZONE_MAX_RINGS)
        return fail(c, CAIRN_E_TOOBIG, "features[%zu].geometry.coordinates%s: more than %d rings",
                    fi, prefix, GEO_ZONE_MAX_RINGS);
    for (size_t r = 0; r < json_array_size(poly); r++) {
        size_t nv = 0;
        snprintf(where, sizeof where, "%s[%zu]", prefix, r);
        int e = check_ring(c, json_array_get(poly, r), fi, where, &nv);
        if (e)
            return e;
        k->rings++;
        k->verts += nv;
    }
    return 0;
}

/* The geometry of feature fi: Polygon or MultiPolygon. *multi, *coords. */
static int check_geometry(struct ctx *c, json_t *g, size_t fi, struct counts *k, int *multi,
                          json_t **coords)
{
    if (!json_is_object(g))
        return fail(c, CAIRN_E_FORMAT, "features[%zu].geometry: must be an object", fi);
    const char *type = json_string_value(json_object_get(g, "type"));
    json_t *co = json_object_get(g, "coordinates");
    if (!type || (strcmp(type, "Polygon") != 0 && strcmp(type, "MultiPolygon") != 0))
        return fail(c, CAIRN_E_FORMAT,
                    "features[%zu].geometry.type: must be \"Polygon\" or \"MultiPolygon\"", fi);
    *multi = type[0] == 'M';
    *coords = co;
    struct counts z = {0, 0};
    int e;
    if (!*multi) {
        e = check_poly(c, co, fi, "", &z);
    } else {
        if (!json_is_array(co) || json_array_size(co) < 1)
            return fail(c, CAIRN_E_FORMAT,
                        "features[%zu].geometry.coordinates: must be a non-empty array of polygons",
                        fi);
        if (json_array_size(co) > GEO_ZONE_MAX_POLYS)
            return fail(c, CAIRN_E_TOOBIG,
                        "features[%zu].geometry.coordinates: more than %d polygons", fi,
                        GEO_ZONE_MAX_POLYS);
        e = 0;
        for (size_t p = 0; p < json_array_size(co) && !e; p++) {
            char where[24];
            snprintf(where, sizeof where, "[%zu]", p);
            e = check_poly(c, json_array_get(co, p), fi, where, &z);
        }
    }
    if (e)
        return e;
    if (z.verts > GEO_ZONE_MAX_VERTS)
        return fail(c, CAIRN_E_TOOBIG, "features[%zu].geometry: more than %d positions in a zone",
                    fi, GEO_ZONE_MAX_VERTS);
    k->rings += z.rings;
    k->verts += z.verts;
    return 0;
}

static double pos_lon(json_t *p)
{
    return json_number_value(json_array_get(p, 0));
}

static double pos_lat(json_t *p)
{
    return json_number_value(json_array_get(p, 1));
}

/* Validate one polygon (rings already checked) with GEOS, then append its
 * rings to the set in the zone's plane. tmp: scratch for the vertices. */
static int add_poly(struct ctx *c, struct geo_zones *zs, struct geo_zone *z, json_t *poly,
                    size_t fi, const char *prefix, uint8_t pi, struct geo_ll *tmp, size_t *nr,
                    size_t *nv)
{
    size_t nrings = json_array_size(poly);
    const struct geo_ll *rp[GEO_ZONE_MAX_RINGS];
    size_t rn[GEO_ZONE_MAX_RINGS];
    size_t off = 0;
    for (size_t r = 0; r < nrings; r++) {
        json_t *ring = json_array_get(poly, r);
        size_t n = json_array_size(ring);
        for (size_t k = 0; k < n; k++) {
            json_t *p = json_array_get(ring, k);
            tmp[off + k].lat_deg = pos_lat(p);
            tmp[off + k].lon_deg = pos_lon(p);
        }
        rp[r] = tmp + off;
        rn[r] = n;
        off += n;
    }
    if (pi == 0) {
        /* the zone's plane: ENU at the mean of the first exterior ring's
         * positions (the closing one included), as geo_polygon_new */
        double la = 0, lo = 0;
        for (size_t k = 0; k < rn[0]; k++) {
            la += rp[0][k].lat_deg;
            lo += rp[0][k].lon_deg;
        }
        struct geo_llh o = {la / (double)rn[0], lo / (double)rn[0], 0};
        geo_frame_init(&z->frame, &o);
    }
    struct geo_polygon *gp = NULL;
    int e = geo_polygon_new(rp, rn, nrings, &gp);
    geo_polygon_free(gp);
    if (e == CAIRN_E_NOMEM)
        return fail(c, CAIRN_E_NOMEM, "out of memory");
    if (e)
        return fail(c, CAIRN_E_FORMAT,
                    "features[%zu].geometry.coordinates%s: not a valid polygon (self-intersecting, "
                    "a hole outside its shell, fewer than 3 distinct points, or across the "
                    "antimeridian)",
                    fi, prefix);
    for (size_t r = 0; r < nrings; r++) {
        struct geo_zone_ring *R = &zs->rings[*nr];
        R->first = (uint32_t)*nv;
        R->n = (uint32_t)rn[r];
        R->poly = pi;
        for (size_t k = 0; k < rn[r]; k++) {
            const struct geo_ll *q = &rp[r][k];
            geo_zone_project(z, q->lat_deg, q->lon_deg, &zs->v[*nv + k]);
            if (q->lat_deg < z->lat_min)
                z->lat_min = q->lat_deg;
            if (q->lat_deg > z->lat_max)
                z->lat_max = q->lat_deg;
            if (q->lon_deg < z->lon_min)
                z->lon_min = q->lon_deg;
            if (q->lon_deg > z->lon_max)
                z->lon_max = q->lon_deg;
        }
        /* exactly closed in the plane too */
        zs->v[*nv + rn[r] - 1] = zs->v[*nv];
        *nv += rn[r];
        (*nr)++;
    }
    return 0;
}

/* ---------------------------------------------------------- properties */

static int prop_number(struct ctx *c, json_t *props, const char *key, size_t fi, double lo,
                       double hi, int *has, double *out)
{
    json_t *v = json_object_get(props, key);
    *has = 0;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_number(v) || !(json_number_value(v) >= lo && json_number_value(v) <= hi))
        return fail(c, CAIRN_E_FORMAT, "features[%zu].properties.%s: must be a number in %g..%g",
                    fi, key, lo, hi);
    *has = 1;
    *out = json_number_value(v);
    return 0;
}

static int prop_time(struct ctx *c, json_t *props, const char *key, size_t fi, int64_t *out)
{
    json_t *v = json_object_get(props, key);
    if (!v || json_is_null(v))
        return 0;
    const char *s = json_string_value(v);
    if (!s || json_string_length(v) > 40 || strlen(s) != json_string_length(v) || parse_utc(s, out))
        return fail(c, CAIRN_E_FORMAT,
                    "features[%zu].properties.%s: must be an ISO 8601 UTC time such as "
                    "\"2016-04-12T06:00:00Z\"",
                    fi, key);
    return 0;
}

static int read_props(struct ctx *c, json_t *props, size_t fi, struct geo_zone *z)
{
    if (!json_is_object(props))
        return fail(c, CAIRN_E_FORMAT, "features[%zu].properties: must be an object", fi);
    json_t *nm = json_object_get(props, "name");
    const char *name = json_string_value(nm);
    size_t nl = name ? json_string_length(nm) : 0;
    int ok = name && nl >= 1 && nl < GEO_ZONE_NAME_LEN && strlen(name) == nl;
    for (size_t k = 0; ok && k < nl; k++) {
        unsigned char ch = (unsigned char)name[k];
        if (ch < 0x20 || ch == 0x7F)
            ok = 0;
    }
    if (!ok)
        return fail(c, CAIRN_E_FORMAT,
                    "features[%zu].properties.name: must be a string of 1..%d bytes without "
                    "control characters",
                    fi, GEO_ZONE_NAME_LEN - 1);
    memcpy(z->name, name, nl);
    z->name[nl] = '\0';

    const char *kind = json_string_value(json_object_get(props, "kind"));
    z->kind = GEO_ZONE_KIND_N;
    for (unsigned k = 0; kind && k < GEO_ZONE_KIND_N; k++)
        if (strcmp(kind, geo_zone_kind_name(k)) == 0)
            z->kind = (uint8_t)k;
    if (z->kind == GEO_ZONE_KIND_N)
        return fail(c, CAIRN_E_FORMAT,
                    "features[%zu].properties.kind: must be one of boundary, territorial, "
                    "caution, exercise",
                    fi);

    json_t *ap = json_object_get(props, "applies_to");
    z->applies = GEO_ZONE_FOR_ALL;
    if (ap && !json_is_null(ap)) {
        const char *s = json_string_value(ap);
        if (s && strcmp(s, "aircraft") == 0)
            z->applies = GEO_ZONE_FOR_AIRCRAFT;
        else if (s && strcmp(s, "vessel") == 0)
            z->applies = GEO_ZONE_FOR_VESSEL;
        else if (!s || strcmp(s, "all") != 0)
            return fail(c, CAIRN_E_FORMAT,
                        "features[%zu].properties.applies_to: must be one of aircraft, vessel, all",
                        fi);
    }

    z->from_ms = INT64_MIN;
    z->until_ms = INT64_MAX;
    int e = prop_time(c, props, "from", fi, &z->from_ms);
    if (!e)
        e = prop_time(c, props, "until", fi, &z->until_ms);
    if (e)
        return e;
    if (z->from_ms >= z->until_ms)
        return fail(c, CAIRN_E_FORMAT, "features[%zu].properties.until: must be after from", fi);

    int has;
    double appr_nm = 0;
    e = prop_number(c, props, "floor_ft", fi, -2000.0, 100000.0, &z->has_floor, &z->floor_ft);
    if (!e)
        e = prop_number(c, props, "ceiling_ft", fi, -2000.0, 100000.0, &z->has_ceiling,
                        &z->ceiling_ft);
    if (!e)
        e = prop_number(c, props, "approach_nm", fi, 0.0, 100.0, &has, &appr_nm);
    if (e)
        return e;
    if (z->has_floor && z->has_ceiling && z->floor_ft >= z->ceiling_ft)
        return fail(c, CAIRN_E_FORMAT,
                    "features[%zu].properties.ceiling_ft: must be above floor_ft", fi);
    z->approach_m = has ? appr_nm * GEO_M_PER_NM : GEO_ZONE_APPROACH_DEFAULT_M;
    return 0;
}

/* ---------------------------------------------------------------- parse */

void geo_zones_free(struct geo_zones *zs)
{
    if (!zs)
        return;
    for (size_t i = 0; zs->z && i < zs->n_alloc; i++) {
        free(zs->z[i].first);
        free(zs->z[i].edge);
        free(zs->z[i].vpoly);
    }
    free(zs->z);
    free(zs->v);
    free(zs->rings);
    free(zs);
}

/* Edges from vertex i to i + 1 of the rings, by strip (the key idea: a
 * horizontal ray through p meets only edges whose y-range holds p.y, all
 * listed in p's strip). About 4 edges per strip, at most 4,096 strips;
 * halved while long edges would make the lists more than 8 times the
 * edges. */
static int strip_of(const struct geo_zone *z, double y)
{
    double k = floor((y - z->y0_m) / z->strip_h_m);
    return k < 0 ? 0 : k >= (double)z->n_strips ? (int)z->n_strips - 1 : (int)k;
}

static int build_index(struct geo_zone *z)
{
    size_t ne = 0;
    z->y0_m = INFINITY;
    z->y1_m = -INFINITY;
    for (uint32_t i = 0; i < z->n_verts; i++) {
        if (z->v[i].y_m < z->y0_m)
            z->y0_m = z->v[i].y_m;
        if (z->v[i].y_m > z->y1_m)
            z->y1_m = z->v[i].y_m;
    }
    for (uint32_t r = 0; r < z->n_rings; r++)
        ne += z->rings[r].n - 1;
    z->vpoly = calloc(z->n_verts ? z->n_verts : 1, 1);
    if (!z->vpoly)
        return CAIRN_E_NOMEM;
    for (uint32_t r = 0; r < z->n_rings; r++)
        memset(z->vpoly + z->rings[r].first, z->rings[r].poly, z->rings[r].n);
    size_t ns = ne / 4, total = 0;
    if (ns > 4096)
        ns = 4096;
    if (ns < 1 || !(z->y1_m > z->y0_m))
        ns = 1;
    for (;;) {
        z->n_strips = (uint32_t)ns;
        z->strip_h_m = ns > 1 ? (z->y1_m - z->y0_m) / (double)ns : 1.0;
        total = 0;
        for (uint32_t r = 0; r < z->n_rings; r++) {
            const struct geo_zone_xy *v = z->v + z->rings[r].first;
            for (uint32_t i = 0; i + 1 < z->rings[r].n; i++)
                total += (size_t)(strip_of(z, fmax(v[i].y_m, v[i + 1].y_m)) -
                                  strip_of(z, fmin(v[i].y_m, v[i + 1].y_m)) + 1);
        }
        if (ns == 1 || total <= 8 * ne)
            break;
        ns /= 2;
    }
    z->first = calloc(ns + 1, sizeof *z->first);
    z->edge = calloc(total ? total : 1, sizeof *z->edge);
    if (!z->first || !z->edge)
        return CAIRN_E_NOMEM;
    for (int pass = 0; pass < 2; pass++) {
        for (uint32_t r = 0; r < z->n_rings; r++) {
            uint32_t f = z->rings[r].first;
            const struct geo_zone_xy *v = z->v + f;
            for (uint32_t i = 0; i + 1 < z->rings[r].n; i++) {
                int k0 = strip_of(z, fmin(v[i].y_m, v[i + 1].y_m));
                int k1 = strip_of(z, fmax(v[i].y_m, v[i + 1].y_m));
                for (int k = k0; k <= k1; k++) {
                    if (pass == 0)
                        z->first[k + 1]++;
                    else
                        z->edge[z->first[k]++] = f + i;
                }
            }
        }
        if (pass == 0) {
            for (size_t k = 0; k < ns; k++)
                z->first[k + 1] += z->first[k];
        } else { /* the fill moved each first[k] to first[k + 1]: shift back */
            for (size_t k = ns; k > 0; k--)
                z->first[k] = z->first[k - 1];
            z->first[0] = 0;
        }
    }
    return 0;
}

static int parse_json(struct ctx *c, json_t *root, struct geo_zones **out)
{
    if (!json_is_object(root))
        return fail(c, CAIRN_E_FORMAT, "top level: must be a GeoJSON FeatureCollection object");
    const char *type = json_string_value(json_object_get(root, "type"));
    if (!type || strcmp(type, "FeatureCollection") != 0)
        return fail(c, CAIRN_E_FORMAT, "type: must be \"FeatureCollection\"");
    json_t *fs = json_object_get(root, "features");
    if (!json_is_array(fs))
        return fail(c, CAIRN_E_FORMAT, "features: must be an array");
    size_t nf = json_array_size(fs);
    if (nf > GEO_ZONES_MAX)
        return fail(c, CAIRN_E_TOOBIG, "features: more than %d zones", GEO_ZONES_MAX);

    /* pass 1: shapes and counts */
    struct counts k = {0, 0};
    size_t max_zone_verts = 0;
    for (size_t i = 0; i < nf; i++) {
        json_t *f = json_array_get(fs, i);
        if (!json_is_object(f))
            return fail(c, CAIRN_E_FORMAT, "features[%zu]: must be an object", i);
        const char *ft = json_string_value(json_object_get(f, "type"));
        if (!ft || strcmp(ft, "Feature") != 0)
            return fail(c, CAIRN_E_FORMAT, "features[%zu].type: must be \"Feature\"", i);
        int multi;
        json_t *co;
        size_t before = k.verts;
        int e = check_geometry(c, json_object_get(f, "geometry"), i, &k, &multi, &co);
        if (e)
            return e;
        if (k.verts - before > max_zone_verts)
            max_zone_verts = k.verts - before;
        if (k.verts > GEO_ZONES_MAX_VERTS)
            return fail(c, CAIRN_E_TOOBIG, "features[%zu]: more than %d positions in the file", i,
                        GEO_ZONES_MAX_VERTS);
    }

    struct geo_zones *zs = calloc(1, sizeof *zs);
    struct geo_ll *tmp = calloc(max_zone_verts ? max_zone_verts : 1, sizeof *tmp);
    if (zs) {
        zs->z = calloc(nf ? nf : 1, sizeof *zs->z);
        zs->v = calloc(k.verts ? k.verts : 1, sizeof *zs->v);
        zs->rings = calloc(k.rings ? k.rings : 1, sizeof *zs->rings);
    }
    if (zs && zs->z)
        zs->n_alloc = nf;
    if (!zs || !tmp || !zs->z || !zs->v || !zs->rings) {
        free(tmp);
        geo_zones_free(zs);
        return fail(c, CAIRN_E_NOMEM, "out of memory");
    }

    /* pass 2: polygons and properties */
    size_t nr = 0, nv = 0;
    int e = 0;
    for (size_t i = 0; i < nf && !e; i++) {
        json_t *f = json_array_get(fs, i);
        json_t *g = json_object_get(f, "geometry");
        json_t *co = json_object_get(g, "coordinates");
        int multi = json_string_value(json_object_get(g, "type"))[0] == 'M';
        struct geo_zone *z = &zs->z[i];
        z->feature = (uint32_t)i;
        z->lat_min = z->lon_min = INFINITY;
        z->lat_max = z->lon_max = -INFINITY;
        size_t r0 = nr, v0 = nv;
        size_t np = multi ? json_array_size(co) : 1;
        for (size_t p = 0; p < np && !e; p++) {
            char where[24] = "";
            if (multi)
                snprintf(where, sizeof where, "[%zu]", p);
            e = add_poly(c, zs, z, multi ? json_array_get(co, p) : co, i, where, (uint8_t)p, tmp,
                         &nr, &nv);
        }
        if (!e)
            e = read_props(c, json_object_get(f, "properties"), i, z);
        z->v = zs->v + v0;
        z->rings = zs->rings + r0;
        z->n_rings = (uint32_t)(nr - r0);
        z->n_verts = (uint32_t)(nv - v0);
        z->n_polys = (uint8_t)np;
        /* ring.first was set relative to the set: make it relative to z->v */
        for (size_t r = r0; r < nr; r++)
            zs->rings[r].first -= (uint32_t)v0;
        if (!e && build_index(z))
            e = fail(c, CAIRN_E_NOMEM, "out of memory");
    }
    free(tmp);
    if (e) {
        geo_zones_free(zs);
        return e;
    }
    zs->n = nf;
    *out = zs;
    return 0;
}

int geo_zones_parse(const char *buf, size_t len, struct geo_zones **out, char *err, size_t cap)
{
    struct ctx c = {err, cap};
    if (err && cap)
        err[0] = '\0';
    if (!out)
        return CAIRN_E_INVAL;
    *out = NULL;
    if (!buf && len)
        return CAIRN_E_INVAL;
    if (len > GEO_ZONES_MAX_BYTES)
        return fail(&c, CAIRN_E_TOOBIG, "file larger than %u bytes", GEO_ZONES_MAX_BYTES);
    json_error_t je;
    json_t *root = json_loadb(buf ? buf : "", len, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return fail(&c, CAIRN_E_FORMAT, "line %d column %d: not valid JSON", je.line, je.column);
    int e = parse_json(&c, root, out);
    json_decref(root);
    return e;
}

/* --------------------------------------------------------------- queries */

const char *geo_zone_kind_name(unsigned kind)
{
    static const char *const n[GEO_ZONE_KIND_N] = {"boundary", "territorial", "caution",
                                                   "exercise"};
    return kind < GEO_ZONE_KIND_N ? n[kind] : "?";
}

int geo_zone_active(const struct geo_zone *z, int64_t t_ms)
{
    return t_ms >= z->from_ms && t_ms < z->until_ms;
}

int geo_zone_bbox_near(const struct geo_zone *z, double lat_deg, double lon_deg, double margin_m)
{
    /* 110 km per degree of latitude is a lower bound (110.57 at the
     * equator); longitude degrees shrink with the cosine of the highest
     * latitude involved. */
    double dlat = margin_m / 110000.0;
    if (lat_deg < z->lat_min - dlat || lat_deg > z->lat_max + dlat)
        return 0;
    double top = fabs(lat_deg) + dlat;
    if (fabs(z->lat_min) > top)
        top = fabs(z->lat_min);
    if (fabs(z->lat_max) > top)
        top = fabs(z->lat_max);
    if (top > 89.0)
        return 1;
    double dlon = margin_m / (110000.0 * cos(top * (3.14159265358979323846 / 180.0)));
    /* the point, or the same meridian a turn east or west: a zone that
     * reaches 180 lies next to points at -179.9 (no ring crosses 180, but
     * one may end on it) */
    for (int k = -1; k <= 1; k++) {
        double lon = lon_deg + 360.0 * k;
        if (lon >= z->lon_min - dlon && lon <= z->lon_max + dlon)
            return 1;
    }
    return 0;
}

void geo_zone_project(const struct geo_zone *z, double lat_deg, double lon_deg,
                      struct geo_zone_xy *out)
{
    struct geo_llh p = {lat_deg, lon_deg, 0};
    struct geo_enu e;
    geo_frame_to_enu(&z->frame, &p, &e);
    out->x_m = e.e_m;
    out->y_m = e.n_m;
}

int geo_zone_contains_xy(const struct geo_zone *z, const struct geo_zone_xy *p)
{
    if (!(p->y_m >= z->y0_m && p->y_m <= z->y1_m))
        return 0;
    int k = strip_of(z, p->y_m);
    uint64_t parity = 0;
    for (uint32_t e = z->first[k]; e < z->first[k + 1]; e++) {
        uint32_t i = z->edge[e];
        const struct geo_zone_xy *a = &z->v[i], *b = &z->v[i + 1];
        /* edges that straddle the horizontal line through p (half-open in
         * y so a vertex on the line counts once) */
        if ((a->y_m > p->y_m) != (b->y_m > p->y_m)) {
            double x = a->x_m + (p->y_m - a->y_m) * (b->x_m - a->x_m) / (b->y_m - a->y_m);
            if (p->x_m < x)
                parity ^= 1ull << z->vpoly[i];
        }
    }
    return parity != 0;
}

static double seg_dist2(const struct geo_zone_xy *p, const struct geo_zone_xy *a,
                        const struct geo_zone_xy *b)
{
    double dx = b->x_m - a->x_m, dy = b->y_m - a->y_m;
    double px = p->x_m - a->x_m, py = p->y_m - a->y_m;
    double l2 = dx * dx + dy * dy;
    double t = l2 > 0 ? (px * dx + py * dy) / l2 : 0;
    if (t < 0)
        t = 0;
    else if (t > 1)
        t = 1;
    double ex = px - t * dx, ey = py - t * dy;
    return ex * ex + ey * ey;
}

static void strip_dist2(const struct geo_zone *z, int k, const struct geo_zone_xy *p, double *best)
{
    for (uint32_t e = z->first[k]; e < z->first[k + 1]; e++) {
        uint32_t i = z->edge[e];
        double d2 = seg_dist2(p, &z->v[i], &z->v[i + 1]);
        if (d2 < *best)
            *best = d2;
    }
}

double geo_zone_boundary_xy(const struct geo_zone *z, const struct geo_zone_xy *p)
{
    /* p's strip (or the nearest), then outwards while a strip's nearest y
     * is closer than the best so far: an edge first met in a farther strip
     * lies wholly beyond that strip's near side */
    double best = INFINITY;
    int k0 = strip_of(z, p->y_m), ns = (int)z->n_strips;
    strip_dist2(z, k0, p, &best);
    for (int k = k0 + 1; k < ns; k++) {
        double gap = z->y0_m + (double)k * z->strip_h_m - p->y_m;
        if (gap > 0 && gap * gap >= best)
            break;
        strip_dist2(z, k, p, &best);
    }
    for (int k = k0 - 1; k >= 0; k--) {
        double gap = p->y_m - (z->y0_m + (double)(k + 1) * z->strip_h_m);
        if (gap > 0 && gap * gap >= best)
            break;
        strip_dist2(z, k, p, &best);
    }
    return sqrt(best);
}

static void cross_edge(const struct geo_zone *z, uint32_t i, const struct geo_zone_xy *a, double rx,
                       double ry, double *best)
{
    const struct geo_zone_xy *v = z->v;
    double sx = v[i + 1].x_m - v[i].x_m, sy = v[i + 1].y_m - v[i].y_m;
    double den = rx * sy - ry * sx;
    if (den == 0.0)
        return; /* parallel: a grazing run along an edge is no entry */
    double qx = v[i].x_m - a->x_m, qy = v[i].y_m - a->y_m;
    double t = (qx * sy - qy * sx) / den; /* along a -> b */
    double u = (qx * ry - qy * rx) / den; /* along the edge */
    if (t > 0.0 && t <= 1.0 && u >= 0.0 && u <= 1.0 && t < *best)
        *best = t;
}

double geo_zone_first_crossing_xy(const struct geo_zone *z, const struct geo_zone_xy *a,
                                  const struct geo_zone_xy *b)
{
    double rx = b->x_m - a->x_m, ry = b->y_m - a->y_m;
    double lo = fmin(a->y_m, b->y_m), hi = fmax(a->y_m, b->y_m);
    double best = 2.0;
    if (!(hi >= z->y0_m && lo <= z->y1_m))
        return -1.0;
    int k0 = strip_of(z, lo), k1 = strip_of(z, hi);
    if (2 * (k1 - k0 + 1) > (int)z->n_strips) { /* most strips: every edge once */
        for (uint32_t r = 0; r < z->n_rings; r++)
            for (uint32_t i = 0; i + 1 < z->rings[r].n; i++)
                cross_edge(z, z->rings[r].first + i, a, rx, ry, &best);
    } else {
        for (uint32_t e = z->first[k0]; e < z->first[k1 + 1]; e++)
            cross_edge(z, z->edge[e], a, rx, ry, &best);
    }
    return best <= 1.0 ? best : -1.0;
}

int geo_zone_locate(const struct geo_zone *z, double lat_deg, double lon_deg, int *inside,
                    double *dist_m)
{
    if (!isfinite(lat_deg) || !isfinite(lon_deg) || fabs(lat_deg) > 90.0 || fabs(lon_deg) > 180.0)
        return CAIRN_E_INVAL;
    struct geo_zone_xy p;
    geo_zone_project(z, lat_deg, lon_deg, &p);
    *inside = geo_zone_contains_xy(z, &p);
    *dist_m = geo_zone_boundary_xy(z, &p);
    return 0;
}
