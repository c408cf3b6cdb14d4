/*
 * geo.h — WGS-84 geometry for cairn: geodetic <-> ECEF <-> local tangent
 * plane (ENU), geodesics, radar plots (slant range and azimuth to a
 * position), closest point of approach, and polygons (airspace volumes).
 *
 * Key ideas:
 *  - Positions are geodetic (lat, lon, height above the WGS-84 ellipsoid).
 *    Cartesian work happens in ECEF or in a local East-North-Up frame
 *    (struct geo_frame) whose sines and cosines are computed once.
 *  - Distances and azimuths along the ellipsoid use PROJ's geodesic
 *    library (C. F. F. Karney, "Algorithms for geodesics", J. Geodesy 87,
 *    43-55, 2013; <geodesic.h>): accurate to about 15 nm, no hand formulas.
 *  - A radar plot is placed by solving the triangle radar - earth centre -
 *    target: the radar measures the slant range along the line of sight,
 *    the target's altitude (Mode C or an assumed one) fixes how far it is
 *    from the earth's centre, and together they give the elevation of the
 *    line of sight; the point at that range, azimuth and elevation in the
 *    radar's ENU frame is the target (see geo_radar_plot).
 *  - Polygons use the GEOS C API (geos_c.h) in a local plane centred on the
 *    polygon (see geo_polygon_new for the approximation).
 *
 * References: NIMA TR8350.2 (WGS-84: a = 6378137 m, f = 1/298.257223563);
 * J. Zhu, "Conversion of Earth-centered Earth-fixed coordinates to geodetic
 * coordinates", IEEE Trans. AES 30(3), 1994 (ECEF -> geodetic, closed form
 * after Heikkinen); EUROCONTROL "Radar Sensor Performance Analysis" and the
 * ARTAS design (slant-range correction by the radar-centre-target triangle).
 *
 * Pure: no I/O, no clock. Only geo_polygon_new allocates (and GEOS inside
 * geo_polygon_* queries, see there). Angles are degrees, lengths metres.
 */
#ifndef CAIRN_GEO_GEO_H
#define CAIRN_GEO_GEO_H

#include <stddef.h>

#define GEO_WGS84_A  6378137.0             /* semi-major axis, m */
#define GEO_WGS84_F  (1.0 / 298.257223563) /* flattening */
#define GEO_M_PER_NM 1852.0                /* exact, by definition */
#define GEO_M_PER_FT 0.3048                /* exact, by definition */

/* Geodetic position: latitude and longitude (deg), height above the
 * ellipsoid (m). */
struct geo_llh {
    double lat_deg, lon_deg, h_m;
};

/* Earth-centred, earth-fixed Cartesian coordinates, m. */
struct geo_ecef {
    double x_m, y_m, z_m;
};

/* Local tangent plane coordinates: east, north, up from a frame origin, m
 * (or m/s for velocities). */
struct geo_enu {
    double e_m, n_m, u_m;
};

/* A local East-North-Up frame at one origin (a radar site, a receiver, the
 * centre of an area). Filled by geo_frame_init; read-only afterwards. */
struct geo_frame {
    struct geo_llh origin;
    struct geo_ecef o; /* origin in ECEF */
    double slat, clat; /* sin, cos of the origin's latitude */
    double slon, clon; /* sin, cos of the origin's longitude */
    double m_m, n_m;   /* meridian and prime-vertical radii of curvature at the origin */
};

/* ---------------------------------------------------------------- frames */

void geo_llh_to_ecef(const struct geo_llh *p, struct geo_ecef *out);
/* Exact to well under a millimetre for any point farther than 50 km from
 * the earth's centre (closed form, no iteration). */
void geo_ecef_to_llh(const struct geo_ecef *p, struct geo_llh *out);

void geo_frame_init(struct geo_frame *f, const struct geo_llh *origin);
/* ECEF <-> ENU of frame f (positions). */
void geo_frame_ecef_to_enu(const struct geo_frame *f, const struct geo_ecef *p,
                           struct geo_enu *out);
void geo_frame_enu_to_ecef(const struct geo_frame *f, const struct geo_enu *p,
                           struct geo_ecef *out);
/* Geodetic <-> ENU of frame f (through ECEF: exact, no flat-earth step). */
void geo_frame_to_enu(const struct geo_frame *f, const struct geo_llh *p, struct geo_enu *out);
void geo_frame_from_enu(const struct geo_frame *f, const struct geo_enu *p, struct geo_llh *out);

/* ------------------------------------------------------------- geodesics */

/*
 * The inverse problem on the WGS-84 ellipsoid (PROJ geod_inverse): distance
 * (m) between two points and the forward azimuths (deg, clockwise from
 * north, -180..180] at each end. Any of the outputs may be NULL.
 */
void geo_inverse(double lat1_deg, double lon1_deg, double lat2_deg, double lon2_deg, double *dist_m,
                 double *azi1_deg, double *azi2_deg);
/* Distance only, m. */
double geo_distance_m(double lat1_deg, double lon1_deg, double lat2_deg, double lon2_deg);
/*
 * Short distances fast: a local flat approximation on the ellipsoid (the
 * meridian and prime-vertical radii at the mean latitude). Below
 * GEO_FLAT_MAX_M and below 80 deg of latitude it is within
 * 1e-4 of the geodesic (test_geo measures the worst case); beyond that it
 * returns geo_distance_m. For measured hot loops only (the CPR speed
 * check: docs/geo.md); about 25 times cheaper than the geodesic (bench_geo).
 */
#define GEO_FLAT_MAX_M 50000.0
double geo_short_distance_m(double lat1_deg, double lon1_deg, double lat2_deg, double lon2_deg);
/* The direct problem (PROJ geod_direct): from a point along azimuth azi1
 * for dist_m metres. azi2_deg (may be NULL) is the azimuth on arrival. */
void geo_direct(double lat1_deg, double lon1_deg, double azi1_deg, double dist_m, double *lat2_deg,
                double *lon2_deg, double *azi2_deg);

/*
 * Geodesic distance (m) from the point P (lat_deg, lon_deg) to the segment
 * A-B, the shortest geodesic between A and B (a flight-plan leg), and (frac,
 * may be NULL) where the nearest point lies along it, 0 at A to 1 at B.
 *
 * Method: the nearest point X at distance s along A-B is where the geodesic
 * X-P meets A-B at a right angle (or an end). From a first guess, each step
 * solves the inverse problem X-P (distance d, azimuth a relative to the
 * leg's azimuth at X) and moves X by the along-track side of the right
 * spherical triangle with hypotenuse d and angle a:
 *     ds = R atan2(sin(d/R) cos a, cos(d/R)),     R = 6371 km;
 * the sphere only sets the step, the fixed point (cos a = 0) is exact on the
 * ellipsoid. It converges in 2-4 steps to 1 mm for P within a few thousand
 * km (test_geo checks it against a dense search). A leg shorter than 1 mm is
 * a point. Every value must be finite (NaN otherwise).
 */
double geo_segment_distance_m(double lat_deg, double lon_deg, double lat1_deg, double lon1_deg,
                              double lat2_deg, double lon2_deg, double *frac);

/* -------------------------------------------------------------- radar */

/*
 * A radar plot to a position. site: the radar's frame (its origin's height
 * is the antenna's height above the ellipsoid). slant_m: measured range
 * along the line of sight; azim_deg: azimuth from true north at the site;
 * tgt_h_m: the target's height above the ellipsoid — from Mode C (the
 * caller converts pressure altitude, usually taking it as is) or, for a
 * primary-only plot, an altitude the caller assumes and states.
 *
 * Method: in the radar's vertical plane along the azimuth, the earth is
 * taken as a sphere of the ellipsoid's radius of curvature in that azimuth
 * (Euler: 1/R = cos^2(az)/M + sin^2(az)/N); the triangle radar - centre -
 * target has sides R + h_site, R + h_tgt and the slant range, so
 *     sin(elev) = ((R+h_tgt)^2 - (R+h_site)^2 - rho^2) / (2 rho (R+h_site)).
 * The point at (rho, az, elev) in the site's ENU frame is then converted to
 * geodetic exactly, and elev is corrected (Newton steps) until the
 * point's ellipsoidal height equals tgt_h_m within 1 mm, so the result does
 * not depend on the sphere. Atmospheric refraction is not modelled (the
 * path is a straight line): its effect on the ground range is a few tens of
 * metres at 200 NM, below a secondary radar's range accuracy.
 *
 * Writes *out and (if not NULL) *ground_m, the geodesic distance from the
 * site to the target's sub-point. CAIRN_E_RANGE when no such triangle
 * exists (the slant range shorter than the height difference), CAIRN_E_INVAL
 * on a non-finite value or a negative range. Whether the line of sight
 * clears the horizon is not checked: a plot is where the radar says it is.
 */
int geo_radar_plot(const struct geo_frame *site, double slant_m, double azim_deg, double tgt_h_m,
                   struct geo_llh *out, double *ground_m);

/* The reverse, for simulators and tests: slant range (m) and azimuth (deg,
 * 0..360) of a position seen from a radar site. */
void geo_radar_measure(const struct geo_frame *site, const struct geo_llh *p, double *slant_m,
                       double *azim_deg);

/* ----------------------------------------------------------------- CPA */

/* Closest point of approach of two constant-velocity tracks. */
struct geo_cpa {
    double t_s;         /* time from now to the CPA, >= 0 (0 when diverging) */
    double horiz_m;     /* horizontal distance at the CPA */
    double vert_m;      /* vertical distance at the CPA (absolute) */
    double now_horiz_m; /* horizontal distance now */
};

/*
 * Positions p1, p2 (m) and velocities v1, v2 (m/s) in one local plane
 * (e.g. ENU of a frame near both). The CPA time minimises the horizontal
 * separation (the quantity separation minima are written in); the vertical
 * distance is taken at that time. Tracks with no relative horizontal
 * motion give t_s = 0. Tracks that were closest in the past give t_s = 0
 * and the distances now.
 */
void geo_cpa(const struct geo_enu *p1, const struct geo_enu *v1, const struct geo_enu *p2,
             const struct geo_enu *v2, struct geo_cpa *out);

/* Velocity (m/s, ENU) from ground speed (kt), track over ground (deg true)
 * and vertical rate (ft/min). */
void geo_velocity_enu(double gs_kt, double track_deg, double vrate_fpm, struct geo_enu *out);

/* ------------------------------------------------------------- polygons */

/* A vertex of a polygon ring. */
struct geo_ll {
    double lat_deg, lon_deg;
};

struct geo_polygon; /* opaque */

/* The most vertices per ring and rings per polygon geo_polygon_new takes. */
#define GEO_POLY_MAX_VERTS 65536
#define GEO_POLY_MAX_RINGS 256

/*
 * Build a polygon from rings[0] (the outer boundary) and rings[1..n_rings)
 * (holes). Each ring is n[i] vertices (closing vertex optional), at least 3
 * distinct. Vertices are projected once into the ENU plane of the outer
 * ring's vertex centroid; edges are straight lines in that plane, which
 * are close to the geodesics between the vertices (an edge between two
 * points on a parallel bulges toward the pole as the geodesic does:
 * 119 m over 1 degree of longitude at 50 deg N, where the two agree within
 * a few metres). For
 * areas up to about 500 km across, this is within 0.2 % of the geodesic
 * distances; larger areas should be split. Rings must not cross the
 * antimeridian and the area must not contain a pole (CAIRN_E_INVAL).
 * Returns 0 and *out (caller frees with geo_polygon_free), CAIRN_E_INVAL
 * (bad ring or invalid polygon, e.g. self-intersecting), CAIRN_E_NOMEM.
 * Copies what it needs: rings are borrowed for the call only.
 */
int geo_polygon_new(const struct geo_ll *const *rings, const size_t *n, size_t n_rings,
                    struct geo_polygon **out);
void geo_polygon_free(struct geo_polygon *p);

/* 1 when the point is inside (not in a hole), 0 outside, on the boundary
 * counts as inside; negative code on error. Not safe to call concurrently
 * on the same polygon (one GEOS context per polygon). */
int geo_polygon_contains(const struct geo_polygon *p, double lat_deg, double lon_deg);
/* Distance (m, in the polygon's plane) from the point to the nearest
 * boundary (outer ring or a hole), whether inside or outside. 0 or a
 * negative code. */
int geo_polygon_boundary_m(const struct geo_polygon *p, double lat_deg, double lon_deg,
                           double *dist_m);

#endif
