/*
 * trk_sim.h — a tiny target and sensor simulator for the tracker's tests:
 * targets flying straight or turning in a local plane around a reference
 * point, radars that measure them with noise in range and azimuth, ADS-B
 * and AIS with noise per axis. Seeded, reproducible; the seed is printed
 * by the tests that use randomness.
 *
 * The plane is a sphere-based equirectangular map around (SIM_LAT0,
 * SIM_LON0); the tracker has its own plane per track, so the tests judge it
 * in lat/lon converted back through this map.
 */
#ifndef CAIRN_TESTS_TRK_SIM_H
#define CAIRN_TESTS_TRK_SIM_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "track/track.h"

#define SIM_LAT0 50.0
#define SIM_LON0 5.0
#define SIM_R    6371000.0
#define SIM_D2R  (M_PI / 180.0)
#define SIM_T0   1767225600000LL /* 2026-01-01T00:00:00Z */

struct sim_rng {
    uint64_t s;
};

static inline uint64_t sim_next(struct sim_rng *r)
{
    /* splitmix64 */
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static inline double sim_unif(struct sim_rng *r)
{
    return ((double)(sim_next(r) >> 11) + 0.5) / 9007199254740992.0;
}

static inline double sim_gauss(struct sim_rng *r)
{
    return sqrt(-2.0 * log(sim_unif(r))) * cos(2.0 * M_PI * sim_unif(r));
}

static inline void sim_to_ll(double e, double n, double *lat, double *lon)
{
    *lat = SIM_LAT0 + n / (SIM_R * SIM_D2R);
    *lon = SIM_LON0 + e / (SIM_R * cos(SIM_LAT0 * SIM_D2R) * SIM_D2R);
}

static inline void sim_from_ll(double lat, double lon, double *e, double *n)
{
    *n = (lat - SIM_LAT0) * SIM_R * SIM_D2R;
    *e = (lon - SIM_LON0) * SIM_R * cos(SIM_LAT0 * SIM_D2R) * SIM_D2R;
}

/* A target: position (m), velocity (m/s), turn rate (rad/s, + = left). */
struct sim_tgt {
    double e, n, ve, vn, w;
};

static inline void sim_move(struct sim_tgt *g, double dt)
{
    if (fabs(g->w) < 1e-12) {
        g->e += g->ve * dt;
        g->n += g->vn * dt;
        return;
    }
    double s = sin(g->w * dt), c = cos(g->w * dt);
    double a = s / g->w, b = (1.0 - c) / g->w;
    double e = g->e + a * g->ve - b * g->vn, n = g->n + b * g->ve + a * g->vn;
    double ve = c * g->ve - s * g->vn, vn = s * g->ve + c * g->vn;
    g->e = e;
    g->n = n;
    g->ve = ve;
    g->vn = vn;
}

struct sim_radar {
    uint32_t id;
    double e, n;         /* site */
    double sigma_r_m;    /* range noise */
    double sigma_az_deg; /* azimuth noise */
};

/* A radar plot of g at time t (ms) with the given sources (PSR, SSR...). */
static inline struct trk_meas sim_plot(const struct sim_radar *rd, const struct sim_tgt *g,
                                       int64_t t, uint8_t src_mask, struct sim_rng *rng)
{
    struct trk_meas m;
    memset(&m, 0, sizeof m);
    double de = g->e - rd->e, dn = g->n - rd->n;
    double rg = hypot(de, dn) + rd->sigma_r_m * sim_gauss(rng);
    double az = atan2(de, dn) + rd->sigma_az_deg * SIM_D2R * sim_gauss(rng);
    if (rg < 0.0)
        rg = 0.0;
    sim_to_ll(rd->e + rg * sin(az), rd->n + rg * cos(az), &m.lat_deg, &m.lon_deg);
    m.t_ms = t;
    m.sensor_id = rd->id;
    m.src_mask = src_mask;
    m.kind = (src_mask & TRK_SRC_COOPERATIVE) ? TRK_KIND_AIRCRAFT : TRK_KIND_UNKNOWN;
    m.has = TRK_M_POLAR;
    m.range_m = rg;
    double azd = az / SIM_D2R;
    m.az_deg = azd < 0.0 ? azd + 360.0 : azd;
    m.sigma_range_m = rd->sigma_r_m;
    m.sigma_az_deg = rd->sigma_az_deg;
    return m;
}

/* A position with noise sigma per axis (ADS-B, AIS), velocity when
 * sigma_v > 0. */
static inline struct trk_meas sim_point(uint32_t sensor, uint8_t src_mask, uint8_t kind,
                                        const struct sim_tgt *g, int64_t t, double sigma,
                                        double sigma_v, struct sim_rng *rng)
{
    struct trk_meas m;
    memset(&m, 0, sizeof m);
    sim_to_ll(g->e + sigma * sim_gauss(rng), g->n + sigma * sim_gauss(rng), &m.lat_deg, &m.lon_deg);
    m.t_ms = t;
    m.sensor_id = sensor;
    m.src_mask = src_mask;
    m.kind = kind;
    m.sigma_m = sigma;
    if (sigma_v > 0.0) {
        m.has |= TRK_M_VEL;
        m.ve_mps = g->ve + sigma_v * sim_gauss(rng);
        m.vn_mps = g->vn + sigma_v * sim_gauss(rng);
        m.sigma_v_mps = sigma_v;
    }
    return m;
}

/* Horizontal distance (m) between a track's estimate and a target. */
static inline double sim_err(const struct trk_track *k, const struct sim_tgt *g)
{
    double e, n;
    sim_from_ll(k->lat_deg, k->lon_deg, &e, &n);
    return hypot(e - g->e, n - g->n);
}

#endif
