/*
 * zones.h — areas the safety nets watch (boundaries, territorial sea and
 * airspace, special caution areas, notified exercise areas), read from a
 * GeoJSON FeatureCollection (RFC 7946), and the point and segment queries
 * the detectors ask of them.
 *
 * The file: a FeatureCollection whose features each have a Polygon or
 * MultiPolygon geometry (WGS-84 [lon, lat] positions, RFC 7946 section 3.1)
 * and these properties (docs/geo.md "Zones" is the reference):
 *   name         string, 1..63 bytes, no control characters (required)
 *   kind         "boundary" | "territorial" | "caution" | "exercise" (required)
 *   from, until  ISO 8601 UTC ("2016-04-12T06:00:00Z"): active window (optional)
 *   floor_ft, ceiling_ft   vertical limits, feet (optional; -2,000..100,000)
 *   applies_to   "aircraft" | "vessel" | "all" (optional, default all)
 *   approach_nm  approach distance, 0..100 NM (optional, default 5 NM)
 * Other properties (notes, sources) are ignored; other members of the
 * collection and of a feature too ("bbox", "id").
 *
 * Key ideas:
 *  - The file is hostile input. geo_zones_parse() checks every member it
 *    uses; on the first problem it returns CAIRN_E_FORMAT (CAIRN_E_TOOBIG
 *    for the caps below) with a message naming the feature by its index and
 *    the member by its path ("features[3].properties.kind: must be one of
 *    boundary, territorial, caution, exercise"). The message quotes nothing
 *    from the file: it is printable ASCII.
 *  - Each polygon of a zone is first built with GEOS (geo_polygon_new,
 *    geo.h) as a validity check (self-intersecting rings, holes outside the
 *    shell: refused), then kept as plain arrays in the local plane of the
 *    zone (ENU at the centroid of its first outer ring, as geo_polygon_new
 *    does). Queries run on those arrays with cairn's own code, not GEOS:
 *    (1) the detectors must not allocate after det_new, and GEOS 3.11
 *    allocates a point per query; (2) the look-ahead needs the first
 *    crossing of a segment with the rings, which the GEOS wrapper does not
 *    offer; (3) measured (bench_geo, docs/geo.md), it is not slower: the
 *    edges are indexed in horizontal strips of the plane (about 4 edges a
 *    strip), so a containment test reads one strip (74-81 ns at 16 to 1,024
 *    vertices, GEOS's prepared geometry 103-119 ns) and a boundary distance
 *    the strips within the best distance so far (103 ns to 1.2 us, GEOS
 *    0.43-1.5 us). test_zones checks the two agree on random points.
 *  - A point is inside a zone when it is inside any of its polygons (even-odd
 *    over each polygon's rings: inside the shell and in no hole); on the
 *    edge may fall either side (rounding): callers that care ask for the
 *    distance to the boundary too.
 *
 * Caps (hostile input): GEO_ZONES_MAX zones, GEO_ZONE_MAX_VERTS vertices per
 * zone, GEO_ZONES_MAX_VERTS in all, GEO_ZONE_MAX_POLYS polygons per zone,
 * GEO_ZONE_MAX_RINGS rings per polygon, GEO_ZONES_MAX_BYTES of text.
 *
 * Ownership: geo_zones_parse() allocates *out; geo_zones_free() frees it
 * (NULL accepted). A parsed set is read-only: any number of readers may
 * query it at once; nothing in it points into the text.
 */
#ifndef CAIRN_GEO_ZONES_H
#define CAIRN_GEO_ZONES_H

#include <stddef.h>
#include <stdint.h>

#include "geo/geo.h"

#define GEO_ZONES_MAX               256
#define GEO_ZONE_MAX_VERTS          20000
#define GEO_ZONES_MAX_VERTS         200000
#define GEO_ZONE_MAX_POLYS          64 /* the parity of each is one bit of a uint64_t */
#define GEO_ZONE_MAX_RINGS          64
#define GEO_ZONES_MAX_BYTES         (16u << 20)
#define GEO_ZONE_NAME_LEN           64
#define GEO_ZONE_APPROACH_DEFAULT_M (5.0 * GEO_M_PER_NM)

enum geo_zone_kind {
    GEO_ZONE_BOUNDARY = 0,    /* a boundary not to be crossed unannounced (FIR, border) */
    GEO_ZONE_TERRITORIAL = 1, /* territorial sea and the airspace above it */
    GEO_ZONE_CAUTION = 2,     /* special caution area */
    GEO_ZONE_EXERCISE = 3,    /* notified exercise area */
    GEO_ZONE_KIND_N = 4,
};

/* geo_zone.applies: which tracks the zone is for */
enum geo_zone_applies {
    GEO_ZONE_FOR_AIRCRAFT = 1u << 0,
    GEO_ZONE_FOR_VESSEL = 1u << 1,
    GEO_ZONE_FOR_ALL = 3u,
};

/* A vertex in the zone's plane, m. */
struct geo_zone_xy {
    double x_m, y_m;
};

/* A ring: n vertices from first (closed: the last equals the first), of
 * polygon poly (0..n_polys). */
struct geo_zone_ring {
    uint32_t first, n;
    uint8_t poly;
};

struct geo_zone {
    char name[GEO_ZONE_NAME_LEN]; /* valid UTF-8, no control characters: escape to show */
    uint32_t feature;             /* index in the file's features */
    uint8_t kind;                 /* enum geo_zone_kind */
    uint8_t applies;              /* GEO_ZONE_FOR_* */
    int64_t from_ms, until_ms;    /* active window, UTC; INT64_MIN / INT64_MAX when open */
    int has_floor, has_ceiling;
    double floor_ft, ceiling_ft;
    double approach_m;
    /* bounding box of the vertices, degrees */
    double lat_min, lat_max, lon_min, lon_max;
    /* the plane and the rings (pointers into the set's arrays) */
    struct geo_frame frame;
    const struct geo_zone_xy *v;
    const struct geo_zone_ring *rings;
    uint32_t n_rings, n_verts;
    uint8_t n_polys;
    /* the edge index: n_strips horizontal strips of strip_h_m from y0_m to
     * y1_m; strip k lists the edges (the index in v of their first vertex)
     * whose y-range meets it, in edge[first[k] .. first[k + 1]) */
    double y0_m, y1_m, strip_h_m;
    uint32_t n_strips;
    uint32_t *first, *edge; /* owned by the set */
    uint8_t *vpoly;         /* owned by the set: the polygon of each vertex */
};

struct geo_zones {
    size_t n;
    struct geo_zone *z;
    /* storage */
    struct geo_zone_xy *v;
    struct geo_zone_ring *rings;
    size_t n_alloc; /* entries of z whose index arrays are to be freed */
};

/*
 * Parse a FeatureCollection from buf[0..len) (borrowed; need not be
 * NUL-terminated). 0 and *out; CAIRN_E_FORMAT (syntax, types, values,
 * invalid polygons), CAIRN_E_TOOBIG (a cap), CAIRN_E_NOMEM. On error *out
 * is NULL and err (if not NULL, cap bytes) holds one printable ASCII line.
 * An empty collection is valid (n = 0).
 */
int geo_zones_parse(const char *buf, size_t len, struct geo_zones **out, char *err, size_t cap);
void geo_zones_free(struct geo_zones *zs);

const char *geo_zone_kind_name(unsigned kind);

/* 1 when t_ms is in the zone's window [from, until), else 0. */
int geo_zone_active(const struct geo_zone *z, int64_t t_ms);

/* Quick reject: 0 when (lat, lon) is certainly farther than margin_m from
 * the zone's bounding box, 1 otherwise. */
int geo_zone_bbox_near(const struct geo_zone *z, double lat_deg, double lon_deg, double margin_m);

/* The point in the zone's plane. */
void geo_zone_project(const struct geo_zone *z, double lat_deg, double lon_deg,
                      struct geo_zone_xy *out);

/* 1 inside (any polygon), 0 outside, for a point in the zone's plane. */
int geo_zone_contains_xy(const struct geo_zone *z, const struct geo_zone_xy *p);

/* Distance (m) from a point in the zone's plane to the nearest edge of any
 * ring, inside or outside. */
double geo_zone_boundary_xy(const struct geo_zone *z, const struct geo_zone_xy *p);

/* The first crossing of the segment a -> b (zone plane) with any edge:
 * its fraction along the segment (0..1], or -1 when it crosses none. */
double geo_zone_first_crossing_xy(const struct geo_zone *z, const struct geo_zone_xy *a,
                                  const struct geo_zone_xy *b);

/*
 * A point's relation to a zone, horizontally: *inside (1/0) and *dist_m, the
 * distance to the boundary (inside or outside). Geodetic convenience over
 * the _xy calls. 0, or CAIRN_E_INVAL for a non-finite or out-of-range point.
 */
int geo_zone_locate(const struct geo_zone *z, double lat_deg, double lon_deg, int *inside,
                    double *dist_m);

#endif
