/*
 * geodesy.h — the few geodesic computations the simulator needs, on the
 * WGS-84 ellipsoid.
 *
 * Key idea: the geodesics are src/geo's (geo_direct, geo_inverse: PROJ's
 * geodesic API, C. F. F. Karney, "Algorithms for geodesics", J. Geodesy 87
 * (2013) 43-55); this file only puts them in the simulator's conventions
 * (azimuths 0..360, longitudes in (-180, 180]) and holds the simulator's own
 * radar model: the spherical slant range of docs/sim.md "Radar geometry".
 * geo_radar_measure (the ellipsoidal line of sight) differs from it by at
 * most 0.34 m up to 370 km and 12 km height (measured at malmo-er's site),
 * below the 1/256 NM of I048/040, yet it can round a plot's range the
 * other way: the simulator keeps its model so that its files stay
 * byte-identical for a seed. Nothing here allocates.
 */
#ifndef CAIRN_SIM_GEODESY_H
#define CAIRN_SIM_GEODESY_H

#include "geo/geo.h"

#define SIM_FT_M   GEO_M_PER_FT /* international foot, m */
#define SIM_NM_M   GEO_M_PER_NM /* nautical mile, m */
#define SIM_KT_MPS (GEO_M_PER_NM / 3600.0)

/* Move dist_m from (lat, lon) along the geodesic whose azimuth there is
 * azi_deg; *azi2_deg (may be NULL) gets the azimuth at the arrival point. */
void sim_geod_direct(double lat_deg, double lon_deg, double azi_deg, double dist_m,
                     double *lat2_deg, double *lon2_deg, double *azi2_deg);

/* Geodesic distance (m) and azimuth at the first point (deg, 0..360) from
 * point 1 to point 2. */
void sim_geod_inverse(double lat1_deg, double lon1_deg, double lat2_deg, double lon2_deg,
                      double *dist_m, double *azi1_deg);

/* Fast great-circle distance (m, sphere of 6,371,008.8 m) for coverage
 * tests, where 0.5 % does not matter. */
double sim_sphere_dist_m(double lat1_deg, double lon1_deg, double lat2_deg, double lon2_deg);

/* The Earth radius used for slant range: the Gaussian mean radius of
 * curvature sqrt(M N) of WGS-84 at latitude lat_deg (m). */
double sim_earth_radius_m(double lat_deg);

/* Slant range (m) between two points h1_m and h2_m above a sphere of radius
 * r_m, ground (geodesic) distance ground_m apart, and its inverse. */
double sim_slant_m(double r_m, double h1_m, double h2_m, double ground_m);
double sim_ground_m(double r_m, double h1_m, double h2_m, double slant_m);

#endif
