/*
 * geo.c — frames, geodesics, radar plots and CPA (see geo.h for the
 * contracts and references). Polygons are in polygon.c.
 */
#include <geodesic.h>
#include <math.h>
#include <pthread.h>

#include "base/error.h"
#include "geo/geo.h"

#define DEG (M_PI / 180.0)

/* Derived WGS-84 constants. */
#define WGS84_B   (GEO_WGS84_A * (1.0 - GEO_WGS84_F)) /* semi-minor axis, m */
#define WGS84_E2  (GEO_WGS84_F * (2.0 - GEO_WGS84_F)) /* first eccentricity^2 */
#define WGS84_EP2 (WGS84_E2 / (1.0 - WGS84_E2))       /* second eccentricity^2 */

/* ---------------------------------------------------------------- frames */

void geo_llh_to_ecef(const struct geo_llh *p, struct geo_ecef *out)
{
    double sl = sin(p->lat_deg * DEG), cl = cos(p->lat_deg * DEG);
    double so = sin(p->lon_deg * DEG), co = cos(p->lon_deg * DEG);
    double n = GEO_WGS84_A / sqrt(1.0 - WGS84_E2 * sl * sl); /* prime-vertical radius */
    out->x_m = (n + p->h_m) * cl * co;
    out->y_m = (n + p->h_m) * cl * so;
    out->z_m = (n * (1.0 - WGS84_E2) + p->h_m) * sl;
}

/*
 * Heikkinen's closed form as given by Zhu (1994): exact for points outside
 * the ellipsoid's evolute (a region of radius ~43 km around the centre), no
 * iteration, about 1e-10 m of round-off at the surface.
 */
void geo_ecef_to_llh(const struct geo_ecef *q, struct geo_llh *out)
{
    const double a = GEO_WGS84_A, b = WGS84_B, e2 = WGS84_E2;
    double x = q->x_m, y = q->y_m, z = q->z_m;
    double p2 = x * x + y * y, p = sqrt(p2);
    out->lon_deg = atan2(y, x) / DEG;
    if (p < 1e-9) { /* on the polar axis */
        out->lat_deg = z >= 0 ? 90.0 : -90.0;
        out->h_m = fabs(z) - b;
        return;
    }
    double F = 54.0 * b * b * z * z;
    double G = p2 + (1.0 - e2) * z * z - e2 * (a * a - b * b);
    double c = e2 * e2 * F * p2 / (G * G * G);
    double s = cbrt(1.0 + c + sqrt(c * c + 2.0 * c));
    double k = s + 1.0 + 1.0 / s;
    double P = F / (3.0 * k * k * G * G);
    double Q = sqrt(1.0 + 2.0 * e2 * e2 * P);
    double r2 =
        a * a / 2.0 * (1.0 + 1.0 / Q) - P * (1.0 - e2) * z * z / (Q * (1.0 + Q)) - P * p2 / 2.0;
    double r0 = -(P * e2 * p) / (1.0 + Q) + sqrt(r2 > 0 ? r2 : 0);
    double t = p - e2 * r0;
    double U = sqrt(t * t + z * z);
    double V = sqrt(t * t + (1.0 - e2) * z * z);
    double z0 = b * b * z / (a * V);
    out->h_m = U * (1.0 - b * b / (a * V));
    out->lat_deg = atan2(z + WGS84_EP2 * z0, p) / DEG;
}

void geo_frame_init(struct geo_frame *f, const struct geo_llh *origin)
{
    f->origin = *origin;
    geo_llh_to_ecef(origin, &f->o);
    f->slat = sin(origin->lat_deg * DEG);
    f->clat = cos(origin->lat_deg * DEG);
    f->slon = sin(origin->lon_deg * DEG);
    f->clon = cos(origin->lon_deg * DEG);
    double w = sqrt(1.0 - WGS84_E2 * f->slat * f->slat);
    f->n_m = GEO_WGS84_A / w;
    f->m_m = GEO_WGS84_A * (1.0 - WGS84_E2) / (w * w * w);
}

void geo_frame_ecef_to_enu(const struct geo_frame *f, const struct geo_ecef *p, struct geo_enu *out)
{
    double dx = p->x_m - f->o.x_m, dy = p->y_m - f->o.y_m, dz = p->z_m - f->o.z_m;
    out->e_m = -f->slon * dx + f->clon * dy;
    out->n_m = -f->slat * f->clon * dx - f->slat * f->slon * dy + f->clat * dz;
    out->u_m = f->clat * f->clon * dx + f->clat * f->slon * dy + f->slat * dz;
}

void geo_frame_enu_to_ecef(const struct geo_frame *f, const struct geo_enu *p, struct geo_ecef *out)
{
    double e = p->e_m, n = p->n_m, u = p->u_m;
    out->x_m = f->o.x_m - f->slon * e - f->slat * f->clon * n + f->clat * f->clon * u;
    out->y_m = f->o.y_m + f->clon * e - f->slat * f->slon * n + f->clat * f->slon * u;
    out->z_m = f->o.z_m + f->clat * n + f->slat * u;
}

void geo_frame_to_enu(const struct geo_frame *f, const struct geo_llh *p, struct geo_enu *out)
{
    struct geo_ecef e;
    geo_llh_to_ecef(p, &e);
    geo_frame_ecef_to_enu(f, &e, out);
}

void geo_frame_from_enu(const struct geo_frame *f, const struct geo_enu *p, struct geo_llh *out)
{
    struct geo_ecef e;
    geo_frame_enu_to_ecef(f, p, &e);
    geo_ecef_to_llh(&e, out);
}

/* ------------------------------------------------------------- geodesics */

/* The WGS-84 ellipsoid's coefficients for PROJ, computed once: geod_init
 * is constant data after the call, shared read-only by every thread. */
static struct geod_geodesic wgs84;
static pthread_once_t wgs84_once = PTHREAD_ONCE_INIT;

static void wgs84_init(void)
{
    geod_init(&wgs84, GEO_WGS84_A, GEO_WGS84_F);
}

static const struct geod_geodesic *ellipsoid(void)
{
    pthread_once(&wgs84_once, wgs84_init);
    return &wgs84;
}

void geo_inverse(double lat1_deg, double lon1_deg, double lat2_deg, double lon2_deg, double *dist_m,
                 double *azi1_deg, double *azi2_deg)
{
    double s = 0, a1 = 0, a2 = 0;
    geod_inverse(ellipsoid(), lat1_deg, lon1_deg, lat2_deg, lon2_deg, &s, &a1, &a2);
    if (dist_m)
        *dist_m = s;
    if (azi1_deg)
        *azi1_deg = a1;
    if (azi2_deg)
        *azi2_deg = a2;
}

double geo_distance_m(double lat1_deg, double lon1_deg, double lat2_deg, double lon2_deg)
{
    double s = 0;
    /* NULL azimuths: PROJ skips computing them */
    geod_inverse(ellipsoid(), lat1_deg, lon1_deg, lat2_deg, lon2_deg, &s, NULL, NULL);
    return s;
}

double geo_short_distance_m(double lat1_deg, double lon1_deg, double lat2_deg, double lon2_deg)
{
    double dlon = lon2_deg - lon1_deg;
    if (dlon > 180.0) /* the short way across the antimeridian */
        dlon -= 360.0;
    else if (dlon < -180.0)
        dlon += 360.0;
    double lat = 0.5 * (lat1_deg + lat2_deg) * DEG;
    double sl = sin(lat);
    double w = 1.0 - WGS84_E2 * sl * sl;
    double n = GEO_WGS84_A / sqrt(w);    /* prime vertical */
    double m = n * (1.0 - WGS84_E2) / w; /* meridian */
    double dn = (lat2_deg - lat1_deg) * DEG * m, de = dlon * DEG * n * cos(lat);
    double d = sqrt(dn * dn + de * de);
    /* 1 % of margin on the limit: the approximation's own error is 1e-4 */
    if (d < GEO_FLAT_MAX_M * 0.99 && fabs(lat1_deg) < 80.0 && fabs(lat2_deg) < 80.0)
        return d;
    return geo_distance_m(lat1_deg, lon1_deg, lat2_deg, lon2_deg);
}

void geo_direct(double lat1_deg, double lon1_deg, double azi1_deg, double dist_m, double *lat2_deg,
                double *lon2_deg, double *azi2_deg)
{
    double la = 0, lo = 0, az = 0;
    geod_direct(ellipsoid(), lat1_deg, lon1_deg, azi1_deg, dist_m, &la, &lo, &az);
    *lat2_deg = la;
    *lon2_deg = lo;
    if (azi2_deg)
        *azi2_deg = az;
}

double geo_segment_distance_m(double lat_deg, double lon_deg, double lat1_deg, double lon1_deg,
                              double lat2_deg, double lon2_deg, double *frac)
{
    /* the sphere that sets the step size (mean earth radius, IUGG) */
    const double r_m = 6371008.8;
    if (frac)
        *frac = 0;
    if (!isfinite(lat_deg) || !isfinite(lon_deg) || !isfinite(lat1_deg) || !isfinite(lon1_deg) ||
        !isfinite(lat2_deg) || !isfinite(lon2_deg) || fabs(lat_deg) > 90 || fabs(lat1_deg) > 90 ||
        fabs(lat2_deg) > 90)
        return NAN;
    const struct geod_geodesic *g = ellipsoid();
    struct geod_geodesicline line;
    geod_inverseline(&line, g, lat1_deg, lon1_deg, lat2_deg, lon2_deg,
                     GEOD_LATITUDE | GEOD_LONGITUDE | GEOD_AZIMUTH | GEOD_DISTANCE_IN);
    double len = line.s13;
    double d = 0, az = 0;
    geod_inverse(g, lat1_deg, lon1_deg, lat_deg, lon_deg, &d, &az, NULL);
    if (!(len > 1e-3)) /* a point (or NaN) */
        return d;
    /* first guess from A: the leg's azimuth at A is line.azi1 */
    double s = r_m * atan2(sin(d / r_m) * cos((az - line.azi1) * DEG), cos(d / r_m));
    s = s < 0 ? 0 : s > len ? len : s;
    /* 12 steps: far more than the 2-4 needed; a bound, not a tolerance */
    for (int k = 0; k < 12; k++) {
        double xlat = 0, xlon = 0, xazi = 0;
        geod_position(&line, s, &xlat, &xlon, &xazi);
        geod_inverse(g, xlat, xlon, lat_deg, lon_deg, &d, &az, NULL);
        double ds = r_m * atan2(sin(d / r_m) * cos((az - xazi) * DEG), cos(d / r_m));
        double s2 = s + ds;
        s2 = s2 < 0 ? 0 : s2 > len ? len : s2;
        if (fabs(s2 - s) < 1e-3)
            break;
        s = s2;
    }
    if (frac)
        *frac = s / len;
    return d;
}

/* -------------------------------------------------------------- radar */

/* The point at slant range rho, azimuth az and elevation el from the site. */
static void sight_point(const struct geo_frame *site, double rho, double saz, double caz, double el,
                        struct geo_llh *out)
{
    struct geo_enu v = {rho * cos(el) * saz, rho * cos(el) * caz, rho * sin(el)};
    geo_frame_from_enu(site, &v, out);
}

int geo_radar_plot(const struct geo_frame *site, double slant_m, double azim_deg, double tgt_h_m,
                   struct geo_llh *out, double *ground_m)
{
    if (!isfinite(slant_m) || !isfinite(azim_deg) || !isfinite(tgt_h_m) || slant_m < 0)
        return CAIRN_E_INVAL;
    double saz = sin(azim_deg * DEG), caz = cos(azim_deg * DEG);
    /* Euler: radius of curvature of the normal section along the azimuth */
    double r = 1.0 / (caz * caz / site->m_m + saz * saz / site->n_m);
    double rs = r + site->origin.h_m, rt = r + tgt_h_m;
    /* 1 mm of slack so that a plot exactly overhead (rho = h difference) is accepted */
    if (rs <= 0 || rt <= 0 || slant_m + 1e-3 < fabs(rt - rs))
        return CAIRN_E_RANGE;
    double el;
    if (slant_m < 1e-3) {
        el = 0; /* on the antenna: any elevation gives the site itself */
    } else {
        double s = (rt * rt - rs * rs - slant_m * slant_m) / (2.0 * slant_m * rs);
        el = asin(s > 1 ? 1 : s < -1 ? -1 : s);
    }
    /* Newton on the elevation: dh/d(el) is about rho * cos(el) for the
     * ranges of a radar (the central angle is a few degrees at most). Two
     * steps take the sphere's metre-level error below a millimetre. */
    sight_point(site, slant_m, saz, caz, el, out);
    for (int i = 0; i < 8; i++) {
        double dh = out->h_m - tgt_h_m;
        double d = slant_m * cos(el);
        if (fabs(dh) < 1e-4 || d < 1.0)
            break;
        el -= dh / d;
        sight_point(site, slant_m, saz, caz, el, out);
    }
    if (ground_m)
        *ground_m =
            geo_distance_m(site->origin.lat_deg, site->origin.lon_deg, out->lat_deg, out->lon_deg);
    return 0;
}

void geo_radar_measure(const struct geo_frame *site, const struct geo_llh *p, double *slant_m,
                       double *azim_deg)
{
    struct geo_enu v;
    geo_frame_to_enu(site, p, &v);
    *slant_m = sqrt(v.e_m * v.e_m + v.n_m * v.n_m + v.u_m * v.u_m);
    double az = atan2(v.e_m, v.n_m) / DEG;
    *azim_deg = az < 0 ? az + 360.0 : az;
}

/* ----------------------------------------------------------------- CPA */

void geo_cpa(const struct geo_enu *p1, const struct geo_enu *v1, const struct geo_enu *p2,
             const struct geo_enu *v2, struct geo_cpa *out)
{
    double dx = p2->e_m - p1->e_m, dy = p2->n_m - p1->n_m, dz = p2->u_m - p1->u_m;
    double vx = v2->e_m - v1->e_m, vy = v2->n_m - v1->n_m, vz = v2->u_m - v1->u_m;
    double vv = vx * vx + vy * vy;
    double t = 0;
    /* below 1 mm/s of relative motion the CPA time is meaningless: now */
    if (vv > 1e-6)
        t = -(dx * vx + dy * vy) / vv;
    if (t < 0)
        t = 0; /* diverging: the closest was in the past */
    double cx = dx + vx * t, cy = dy + vy * t;
    out->t_s = t;
    out->horiz_m = sqrt(cx * cx + cy * cy);
    out->vert_m = fabs(dz + vz * t);
    out->now_horiz_m = sqrt(dx * dx + dy * dy);
}

void geo_velocity_enu(double gs_kt, double track_deg, double vrate_fpm, struct geo_enu *out)
{
    double v = gs_kt * GEO_M_PER_NM / 3600.0;
    out->e_m = v * sin(track_deg * DEG);
    out->n_m = v * cos(track_deg * DEG);
    out->u_m = vrate_fpm * GEO_M_PER_FT / 60.0;
}
