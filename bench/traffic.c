/*
 * traffic.c — seeded synthetic traffic for the benchmarks (traffic.h).
 */
#include "traffic.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define M_PER_DEG 111195.0

static uint64_t rng_s = 0x5EEDull;

void traffic_seed(uint64_t seed)
{
    rng_s = seed;
}

static uint64_t rnd(void)
{
    uint64_t z = (rng_s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double unif(void)
{
    return ((double)(rnd() >> 11) + 0.5) / 9007199254740992.0;
}

double traffic_gauss(void)
{
    return sqrt(-2.0 * log(unif())) * cos(2.0 * M_PI * unif());
}

/* The box (degrees), set by traffic_make. */
static double lat0 = 30.0, lat1 = 65.0, lon0 = -20.0, lon1 = 40.0;

/* Semicircular rule: eastbound tracks (000-179) at odd thousands of feet,
 * westbound at even ones, FL100-FL400. */
static int32_t level_for(double ve, int32_t alt_ft)
{
    int32_t k = alt_ft / 1000;
    int odd = k % 2 != 0;
    if ((ve >= 0.0) != odd)
        k += k < 40 ? 1 : -1;
    return 1000 * k;
}

void traffic_make(struct tgt *g, size_t n_air, size_t n_sea)
{
    /* Constant density: 10,000 aircraft per 35 x 60 degrees at 30-65 N. Fewer
     * aircraft get a narrower box; more get all longitudes and a box reaching
     * further south, of the same area per aircraft. */
    double f = (double)(n_air ? n_air : 1) / 10000.0, d2r = M_PI / 180.0;
    double band = sin(65.0 * d2r) - sin(30.0 * d2r); /* area per degree of longitude */
    lat1 = 65.0;
    if (f <= 1.0) {
        lat0 = 30.0;
        lon0 = -20.0;
        lon1 = -20.0 + 60.0 * f;
    } else {
        lon0 = -180.0;
        lon1 = 180.0;
        double s0 = sin(65.0 * d2r) - band * 60.0 * f / 360.0;
        lat0 = s0 > -0.95 ? asin(s0) / d2r : -72.0;
    }
    double s0 = sin(lat0 * d2r), s1 = sin(lat1 * d2r);
    for (size_t i = 0; i < n_air + n_sea; i++) {
        struct tgt *p = &g[i];
        p->vessel = i >= n_air;
        p->lat = asin(s0 + (s1 - s0) * unif()) / d2r; /* uniform over the sphere's area */
        p->lon = lon0 + (lon1 - lon0) * unif();
        double v = p->vessel ? 2.0 + 8.0 * unif() : 120.0 + 140.0 * unif();
        double h = 2.0 * M_PI * unif();
        p->ve = v * sin(h);
        p->vn = v * cos(h);
        p->coop = p->vessel || unif() < 0.9;
        p->adsb = !p->vessel && p->coop && unif() < 0.89;
        p->alt_ft = p->vessel ? 0 : level_for(p->ve, 1000 * (10 + (int32_t)(unif() * 31.0)));
    }
}

void traffic_move(struct tgt *g, size_t n, double dt)
{
    for (size_t i = 0; i < n; i++) {
        struct tgt *p = &g[i];
        p->lat += p->vn * dt / M_PER_DEG;
        p->lon += p->ve * dt / (M_PER_DEG * cos(p->lat * M_PI / 180.0));
        if (p->lat > lat1 || p->lat < lat0) /* bounce off the box */
            p->vn = -p->vn;
        if (p->lon > lon1 || p->lon < lon0) {
            p->ve = -p->ve;
            if (!p->vessel) /* the other semicircle: the next level up or down */
                p->alt_ft = level_for(p->ve, p->alt_ft);
        }
    }
}

static void noisy(struct trk_meas *m, const struct tgt *p, double sigma)
{
    m->lat_deg = p->lat + sigma * traffic_gauss() / M_PER_DEG;
    m->lon_deg = p->lon + sigma * traffic_gauss() / (M_PER_DEG * cos(p->lat * M_PI / 180.0));
}

void traffic_adsb(struct trk_meas *m, const struct tgt *p, size_t i, int64_t t)
{
    memset(m, 0, sizeof *m);
    m->t_ms = t;
    m->sensor_id = 100;
    m->src_mask = TRK_SRC_BIT(TRK_SOURCE_ADSB);
    m->kind = TRK_KIND_AIRCRAFT;
    m->has = TRK_M_ICAO | TRK_M_ALT | TRK_M_VEL;
    m->icao = 0x100000u + (uint32_t)i;
    m->alt_ft = p->alt_ft;
    m->sigma_m = 15.0;
    noisy(m, p, 15.0);
    m->ve_mps = p->ve + 2.0 * traffic_gauss();
    m->vn_mps = p->vn + 2.0 * traffic_gauss();
    m->sigma_v_mps = 2.0;
}

/* A radar plot; the radar (one per 5 x 5 degree square, id from it) is
 * taken 100 km away at a random azimuth: what matters here is the polar
 * covariance's cost, not the geometry. */
void traffic_plot(struct trk_meas *m, const struct tgt *p, size_t i, int64_t t)
{
    memset(m, 0, sizeof *m);
    m->t_ms = t;
    m->sensor_id =
        1 + (uint32_t)(floor((p->lat + 90.0) / 5.0) * 72 + floor((p->lon + 180.0) / 5.0)) %
                TRAFFIC_RADARS;
    m->has = TRK_M_POLAR;
    m->range_m = 100000.0;
    m->az_deg = 360.0 * unif();
    m->sigma_range_m = 50.0;
    m->sigma_az_deg = 0.08;
    /* noise along and across the line of sight, as the covariance says */
    double a = m->az_deg * M_PI / 180.0, r = 50.0 * traffic_gauss(), c = 140.0 * traffic_gauss();
    double de = sin(a) * r + cos(a) * c, dn = cos(a) * r - sin(a) * c;
    m->lat_deg = p->lat + dn / M_PER_DEG;
    m->lon_deg = p->lon + de / (M_PER_DEG * cos(p->lat * M_PI / 180.0));
    if (p->coop && !p->vessel) {
        m->src_mask = TRK_SRC_BIT(TRK_SOURCE_PSR) | TRK_SRC_BIT(TRK_SOURCE_MODES);
        m->kind = TRK_KIND_AIRCRAFT;
        m->has |= TRK_M_ICAO | TRK_M_ALT;
        m->icao = 0x100000u + (uint32_t)i;
        m->alt_ft = p->alt_ft;
    } else {
        m->src_mask = TRK_SRC_BIT(TRK_SOURCE_PSR);
    }
}

void traffic_ais(struct trk_meas *m, const struct tgt *p, size_t i, int64_t t)
{
    memset(m, 0, sizeof *m);
    m->t_ms = t;
    m->sensor_id = 200;
    m->src_mask = TRK_SRC_BIT(TRK_SOURCE_AIS);
    m->kind = TRK_KIND_VESSEL;
    m->has = TRK_M_MMSI | TRK_M_VEL;
    m->mmsi = 200000000u + (uint32_t)i;
    m->sigma_m = 10.0;
    noisy(m, p, 10.0);
    m->ve_mps = p->ve + 0.5 * traffic_gauss();
    m->vn_mps = p->vn + 0.5 * traffic_gauss();
    m->sigma_v_mps = 0.5;
}

static int by_sensor(const void *a, const void *b)
{
    const struct trk_meas *x = a, *y = b;
    return (x->sensor_id > y->sensor_id) - (x->sensor_id < y->sensor_id);
}

void traffic_group(struct trk_meas *m, size_t n)
{
    qsort(m, n, sizeof *m, by_sensor);
}

size_t traffic_second(const struct tgt *g, size_t n_air, size_t n_sea, int64_t s,
                      struct trk_meas *m)
{
    size_t n = 0;
    int64_t t = TRAFFIC_T0_MS + s * 1000;
    for (size_t i = 0; i < n_air; i++) {
        if (g[i].adsb)
            traffic_adsb(&m[n++], &g[i], i, t);
    }
    size_t first_plot = n;
    for (size_t i = 0; i < n_air; i++)
        if ((int64_t)(i % 4) == s % 4)
            traffic_plot(&m[n++], &g[i], i, t);
    /* a radar delivers its plots together: group them by sensor */
    traffic_group(m + first_plot, n - first_plot);
    for (size_t i = n_air; i < n_air + n_sea; i++)
        if ((int64_t)(i % 10) == s % 10)
            traffic_ais(&m[n++], &g[i], i, t);
    return n;
}
