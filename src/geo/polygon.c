/*
 * polygon.c — areas (airspace volumes, danger areas, coastlines) as GEOS
 * polygons in a local plane: point in polygon and distance to the boundary.
 *
 * Key idea: the rings are projected once, at creation, into the ENU plane
 * of their centroid (struct geo_frame), so GEOS works in metres and a
 * distance it returns is a distance on the ground (to 0.2 % for areas up to
 * about 500 km across: the plane's scale error grows with the square of the
 * distance from the centre). Each polygon has its own GEOS context handle,
 * so polygons can be used from different threads, one thread per polygon.
 * The polygon and its boundary are "prepared" (GEOS builds an index of the
 * edges) so a query is O(log n) in the vertices.
 *
 * Reference: GEOS C API (geos_c.h, the reentrant _r functions), GEOS 3.11.
 * GEOS 3.11 has no allocation-free point query (GEOSPreparedContainsXY_r
 * comes with 3.12): each query builds and frees one point.
 */
#include <geos_c.h>
#include <math.h>
#include <stdlib.h>

#include "base/error.h"
#include "geo/geo.h"

struct geo_polygon {
    GEOSContextHandle_t h;
    struct geo_frame frame; /* the plane: ENU at the outer ring's centroid */
    GEOSGeometry *poly;     /* owned */
    GEOSGeometry *boundary; /* owned: rings as a (multi)linestring */
    const GEOSPreparedGeometry *prep_poly;
    const GEOSPreparedGeometry *prep_boundary;
};

/* GEOS reports errors through a callback; ours swallows the text (it may
 * quote coordinates from a configuration file) and the return codes tell. */
static void quiet(const char *message, void *userdata)
{
    (void)message;
    (void)userdata;
}

static void plane_xy(const struct geo_frame *f, double lat, double lon, double *x, double *y)
{
    struct geo_llh p = {lat, lon, 0};
    struct geo_enu e;
    geo_frame_to_enu(f, &p, &e);
    *x = e.e_m;
    *y = e.n_m;
}

static int ring_ok(const struct geo_ll *r, size_t n)
{
    if (!r || n < 3 || n > GEO_POLY_MAX_VERTS)
        return 0;
    double lo_min = 180, lo_max = -180;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(r[i].lat_deg) || !isfinite(r[i].lon_deg) || fabs(r[i].lat_deg) >= 90.0 ||
            fabs(r[i].lon_deg) > 180.0)
            return 0;
        if (r[i].lon_deg < lo_min)
            lo_min = r[i].lon_deg;
        if (r[i].lon_deg > lo_max)
            lo_max = r[i].lon_deg;
    }
    /* a span over 180 deg is a ring crossing the antimeridian (or one too
     * large for one plane either way) */
    return lo_max - lo_min <= 180.0;
}

static GEOSGeometry *make_ring(struct geo_polygon *p, const struct geo_ll *r, size_t n)
{
    int closed = r[0].lat_deg == r[n - 1].lat_deg && r[0].lon_deg == r[n - 1].lon_deg;
    size_t m = closed ? n : n + 1;
    if (m < 4)
        return NULL;
    GEOSCoordSequence *s = GEOSCoordSeq_create_r(p->h, (unsigned)m, 2);
    if (!s)
        return NULL;
    for (size_t i = 0; i < m; i++) {
        double x, y;
        const struct geo_ll *v = &r[i < n ? i : 0];
        plane_xy(&p->frame, v->lat_deg, v->lon_deg, &x, &y);
        if (!GEOSCoordSeq_setXY_r(p->h, s, (unsigned)i, x, y)) {
            GEOSCoordSeq_destroy_r(p->h, s);
            return NULL;
        }
    }
    return GEOSGeom_createLinearRing_r(p->h, s); /* takes s, also on failure */
}

int geo_polygon_new(const struct geo_ll *const *rings, const size_t *n, size_t n_rings,
                    struct geo_polygon **out)
{
    *out = NULL;
    if (!rings || !n || n_rings < 1 || n_rings > GEO_POLY_MAX_RINGS)
        return CAIRN_E_INVAL;
    for (size_t i = 0; i < n_rings; i++)
        if (!ring_ok(rings[i], n[i]))
            return CAIRN_E_INVAL;
    struct geo_polygon *p = calloc(1, sizeof *p);
    GEOSGeometry **holes = n_rings > 1 ? calloc(n_rings - 1, sizeof *holes) : NULL;
    if (!p || (n_rings > 1 && !holes)) {
        free(p);
        free(holes);
        return CAIRN_E_NOMEM;
    }
    double la = 0, lo = 0;
    for (size_t i = 0; i < n[0]; i++) {
        la += rings[0][i].lat_deg;
        lo += rings[0][i].lon_deg;
    }
    struct geo_llh c = {la / (double)n[0], lo / (double)n[0], 0};
    geo_frame_init(&p->frame, &c);
    int rc = CAIRN_E_NOMEM;
    p->h = GEOS_init_r();
    if (!p->h)
        goto fail;
    GEOSContext_setErrorMessageHandler_r(p->h, quiet, NULL);
    GEOSContext_setNoticeMessageHandler_r(p->h, quiet, NULL);
    rc = CAIRN_E_INVAL;
    GEOSGeometry *shell = make_ring(p, rings[0], n[0]);
    if (!shell)
        goto fail;
    size_t nh = 0;
    for (size_t i = 1; i < n_rings; i++) {
        holes[nh] = make_ring(p, rings[i], n[i]);
        if (!holes[nh]) {
            for (size_t j = 0; j < nh; j++)
                GEOSGeom_destroy_r(p->h, holes[j]);
            GEOSGeom_destroy_r(p->h, shell);
            goto fail;
        }
        nh++;
    }
    /* takes shell and the holes (not the array) */
    p->poly = GEOSGeom_createPolygon_r(p->h, shell, holes, (unsigned)nh);
    if (!p->poly || GEOSisValid_r(p->h, p->poly) != 1)
        goto fail;
    p->boundary = GEOSBoundary_r(p->h, p->poly);
    if (!p->boundary)
        goto fail;
    p->prep_poly = GEOSPrepare_r(p->h, p->poly);
    p->prep_boundary = GEOSPrepare_r(p->h, p->boundary);
    if (!p->prep_poly || !p->prep_boundary)
        goto fail;
    free(holes);
    *out = p;
    return 0;
fail:
    free(holes);
    geo_polygon_free(p);
    return rc;
}

void geo_polygon_free(struct geo_polygon *p)
{
    if (!p)
        return;
    if (p->h) {
        if (p->prep_poly)
            GEOSPreparedGeom_destroy_r(p->h, p->prep_poly);
        if (p->prep_boundary)
            GEOSPreparedGeom_destroy_r(p->h, p->prep_boundary);
        if (p->boundary)
            GEOSGeom_destroy_r(p->h, p->boundary);
        if (p->poly)
            GEOSGeom_destroy_r(p->h, p->poly);
        GEOS_finish_r(p->h);
    }
    free(p);
}

static GEOSGeometry *query_point(const struct geo_polygon *p, double lat, double lon)
{
    if (!isfinite(lat) || !isfinite(lon) || fabs(lat) > 90 || fabs(lon) > 180)
        return NULL;
    double x, y;
    plane_xy(&p->frame, lat, lon, &x, &y);
    return GEOSGeom_createPointFromXY_r(p->h, x, y);
}

int geo_polygon_contains(const struct geo_polygon *p, double lat_deg, double lon_deg)
{
    GEOSGeometry *pt = query_point(p, lat_deg, lon_deg);
    if (!pt)
        return CAIRN_E_INVAL;
    char r = GEOSPreparedCovers_r(p->h, p->prep_poly, pt);
    GEOSGeom_destroy_r(p->h, pt);
    return r == 2 ? CAIRN_E_INVAL : r;
}

int geo_polygon_boundary_m(const struct geo_polygon *p, double lat_deg, double lon_deg,
                           double *dist_m)
{
    GEOSGeometry *pt = query_point(p, lat_deg, lon_deg);
    if (!pt)
        return CAIRN_E_INVAL;
    double d = 0;
    int ok = GEOSPreparedDistance_r(p->h, p->prep_boundary, pt, &d);
    GEOSGeom_destroy_r(p->h, pt);
    if (!ok)
        return CAIRN_E_INVAL;
    *dist_m = d;
    return 0;
}
