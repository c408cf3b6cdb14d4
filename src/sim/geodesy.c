/*
 * geodesy.c — the simulator's geodesic conventions on top of src/geo (the
 * geodesics themselves are geo_direct / geo_inverse) and the spherical
 * slant-range model (see geodesy.h and docs/sim.md "Radar geometry").
 */
#include "sim/geodesy.h"

#include <math.h>

#include "geo/geo.h"

void sim_geod_direct(double lat_deg, double lon_deg, double azi_deg, double dist_m,
                     double *lat2_deg, double *lon2_deg, double *azi2_deg)
{
    double azi2 = 0;
    geo_direct(lat_deg, lon_deg, azi_deg, dist_m, lat2_deg, lon2_deg, &azi2);
    if (*lon2_deg > 180)
        *lon2_deg -= 360;
    if (*lon2_deg <= -180)
        *lon2_deg += 360;
    if (azi2_deg)
        *azi2_deg = azi2 < 0 ? azi2 + 360 : azi2;
}

void sim_geod_inverse(double lat1_deg, double lon1_deg, double lat2_deg, double lon2_deg,
                      double *dist_m, double *azi1_deg)
{
    double azi1 = 0;
    geo_inverse(lat1_deg, lon1_deg, lat2_deg, lon2_deg, dist_m, &azi1, NULL);
    if (azi1_deg)
        *azi1_deg = azi1 < 0 ? azi1 + 360 : azi1;
}

double sim_sphere_dist_m(double lat1_deg, double lon1_deg, double lat2_deg, double lon2_deg)
{
    const double k = M_PI / 180.0;
    double dlat = (lat2_deg - lat1_deg) * k, dlon = (lon2_deg - lon1_deg) * k;
    double a = sin(dlat / 2) * sin(dlat / 2) +
               cos(lat1_deg * k) * cos(lat2_deg * k) * sin(dlon / 2) * sin(dlon / 2);
    if (a > 1.0)
        a = 1.0;
    return 2.0 * 6371008.8 * asin(sqrt(a));
}

double sim_earth_radius_m(double lat_deg)
{
    double e2 = GEO_WGS84_F * (2 - GEO_WGS84_F);
    double s = sin(lat_deg * M_PI / 180.0);
    double w = 1 - e2 * s * s;
    double m = GEO_WGS84_A * (1 - e2) / (w * sqrt(w)), n = GEO_WGS84_A / sqrt(w);
    return sqrt(m * n);
}

double sim_slant_m(double r_m, double h1_m, double h2_m, double ground_m)
{
    double a = r_m + h1_m, b = r_m + h2_m, th = ground_m / r_m;
    double d2 = a * a + b * b - 2 * a * b * cos(th);
    return d2 > 0 ? sqrt(d2) : 0;
}

double sim_ground_m(double r_m, double h1_m, double h2_m, double slant_m)
{
    double a = r_m + h1_m, b = r_m + h2_m;
    double c = (a * a + b * b - slant_m * slant_m) / (2 * a * b);
    if (c > 1)
        c = 1;
    if (c < -1)
        c = -1;
    return r_m * acos(c);
}
