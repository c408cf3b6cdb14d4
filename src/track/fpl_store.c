/*
 * fpl_store.c — the plan store of fpl.h: plans indexed by ICAO address,
 * aircraft identification and SSR code; once a cycle, every live aircraft
 * track gets its flight-plan fact and its distance from the planned route.
 *
 * Matching (docs/flightplan.md, "Matching"):
 *  - Keys in priority: the 24-bit address (field 18 CODE/ = track ICAO
 *    address), the aircraft identification (field 7 = track callsign), the
 *    SSR code (field 7 /A = track squawk). A plan is a candidate only while
 *    active (fpl_plan_active).
 *  - Two passes over the table: the first settles every track matched by
 *    address or identification and marks those plans taken for the cycle;
 *    the second tries the SSR code for the rest, among plans not taken, so
 *    that a plan matched by a strong key is never also given to another
 *    aircraft squawking its code.
 *  - Several active plans on the address or identification (a flight filed
 *    twice): the one whose route is nearest the track wins (counted in
 *    stats.ambiguous). Several on an SSR code: no match (stats.ssr_ambiguous)
 *    — a code is weak evidence and codes are reused between regions.
 *    Non-discrete codes (xx00, 1200, 7777: conspicuity, VFR, emergency and
 *    test codes) never match. An SSR match is refused when the track's
 *    address or callsign contradicts the plan's.
 *
 * Deviation: the distance to the nearest leg on the ellipsoid. Legs are
 * first ranked on the sphere (unit vectors of the route points,
 * precomputed here; a few multiplications per leg); the best (and a
 * runner-up too close to call) is then measured on the ellipsoid: the foot
 * of the perpendicular placed on the leg's geodesic, the distance to it by
 * geo_short_distance_m (leg_fast), for tracks within 40 km of the route;
 * farther ones get the exact iteration. This is the "local approximation
 * in a measured hot loop" of docs/geo.md: within 1e-4 of the exact geodesic
 * figure (geo_segment_distance_m, which fpl_route_distance_m uses; test_fpl
 * compares the two), at about a tenth of its cost (bench_fpl).
 */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "geo/geo.h"
#include "track/fpl.h"
#include "track/track.h"

#define DEG_RAD  (M_PI / 180.0)
#define DAY_MS   86400000LL
#define R_MEAN_M 6371008.8 /* mean earth radius (IUGG): ranking on the sphere only */

void fpl_config_default(struct fpl_config *c)
{
    /* 15 min early: an aircraft may leave the stand up to 15 min before its
     * EOBT (the IFPS/ATFM tolerance); 60 min late: taxi, departure queue
     * and delays (DLA messages are not read) */
    c->early_ms = 15 * 60000LL;
    c->late_ms = 60 * 60000LL;
}

int fpl_plan_active(const struct fpl_plan *p, int64_t now_ms, int64_t early_ms, int64_t late_ms,
                    int64_t *from_ms, int64_t *to_ms)
{
    int64_t span = (int64_t)p->eet_min * 60000;
    if (p->flags & FPL_P_DOF) {
        int64_t f = p->eobt_ms - early_ms, t = p->eobt_ms + span + late_ms;
        if (now_ms < f || now_ms > t)
            return 0;
        if (from_ms)
            *from_ms = f;
        if (to_ms)
            *to_ms = t;
        return 1;
    }
    /* no DOF/: the flight is on the day of its next EOBT after filing, a
     * filing time this reader does not have; every day around now is tried,
     * latest first (a window may span up to 100 h + margins: 7 days back) */
    int64_t day = now_ms >= 0 ? now_ms / DAY_MS : -((-now_ms + DAY_MS - 1) / DAY_MS);
    for (int64_t d = day + 1; d >= day - 7; d--) {
        int64_t e = d * DAY_MS + (int64_t)p->eobt_min * 60000;
        int64_t f = e - early_ms, t = e + span + late_ms;
        if (now_ms >= f && now_ms <= t) {
            if (from_ms)
                *from_ms = f;
            if (to_ms)
                *to_ms = t;
            return 1;
        }
    }
    return 0;
}

/* ------------------------------------------------------------- distance */

static void unit(double lat_deg, double lon_deg, double *u)
{
    double la = lat_deg * DEG_RAD, lo = lon_deg * DEG_RAD;
    u[0] = cos(la) * cos(lo);
    u[1] = cos(la) * sin(lo);
    u[2] = sin(la);
}

/* The unit normal of the arc a-b's plane (zeros for a point or antipodal
 * ends). */
static void arc_normal(const double *a, const double *b, double *n)
{
    n[0] = a[1] * b[2] - a[2] * b[1];
    n[1] = a[2] * b[0] - a[0] * b[2];
    n[2] = a[0] * b[1] - a[1] * b[0];
    double nn = sqrt(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
    if (nn < 1e-12) {
        n[0] = n[1] = n[2] = 0;
        return;
    }
    n[0] /= nn, n[1] /= nn, n[2] /= nn;
}

/* Squared chord (unit sphere) from p to the arc a-b with unit normal n: a
 * ranking key. *end: 0 when the nearest point is inside the arc, 1 when it
 * is a, 2 when it is b. */
static double arc_chord2(const double *p, const double *a, const double *b, const double *n,
                         int *end)
{
    /* inside when p's projection lies between a and b:
     * (a x p).n = p.(n x a) >= 0 and (p x b).n = p.(b x n) >= 0 */
    double apn = p[0] * (n[1] * a[2] - n[2] * a[1]) + p[1] * (n[2] * a[0] - n[0] * a[2]) +
                 p[2] * (n[0] * a[1] - n[1] * a[0]);
    double pbn = p[0] * (b[1] * n[2] - b[2] * n[1]) + p[1] * (b[2] * n[0] - b[0] * n[2]) +
                 p[2] * (b[0] * n[1] - b[1] * n[0]);
    bool flat = n[0] == 0 && n[1] == 0 && n[2] == 0;
    if (!flat && apn >= 0 && pbn >= 0) {
        double s = p[0] * n[0] + p[1] * n[1] + p[2] * n[2]; /* sin(cross-track angle) */
        double c = 1.0 - s * s;
        *end = 0;
        return 2.0 - 2.0 * sqrt(c > 0 ? c : 0);
    }
    double da = (p[0] - a[0]) * (p[0] - a[0]) + (p[1] - a[1]) * (p[1] - a[1]) +
                (p[2] - a[2]) * (p[2] - a[2]);
    double db = (p[0] - b[0]) * (p[0] - b[0]) + (p[1] - b[1]) * (p[1] - b[1]) +
                (p[2] - b[2]) * (p[2] - b[2]);
    *end = da <= db ? 1 : 2;
    return da <= db ? da : db;
}

/* Where p's projection falls along the arc a-b, 0..1 (sphere). */
static double arc_frac(const double *p, const double *a, const double *b)
{
    double n[3] = {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
    double nn = sqrt(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
    if (nn < 1e-12)
        return 0;
    double total = atan2(nn, a[0] * b[0] + a[1] * b[1] + a[2] * b[2]);
    /* the angle a-p measured in the arc's plane: atan2((a x p).n/|n|, a.p) */
    double apn = ((a[1] * p[2] - a[2] * p[1]) * n[0] + (a[2] * p[0] - a[0] * p[2]) * n[1] +
                  (a[0] * p[1] - a[1] * p[0]) * n[2]) /
                 nn;
    double ang = atan2(apn, a[0] * p[0] + a[1] * p[1] + a[2] * p[2]);
    double t = total > 0 ? ang / total : 0;
    return t < 0 ? 0 : t > 1 ? 1 : t;
}

/*
 * The hot path's distance to one leg A-B (leg azimuth at A az_deg, length
 * len_m, both geodesic, computed once by fpl_store_new), given the
 * sphere's fraction t of the foot: the foot F0 at t on the geodesic (one
 * direct problem), one correction step along the leg in the local flat
 * metric at F0 (radii of curvature M, N: the step is at most a few hundred
 * metres, the leg straight within it), and the distance P-F by
 * geo_short_distance_m (within 1e-4 below 50 km, the geodesic beyond).
 * Distance is stationary at the foot, so an along-track error e in F costs
 * about e^2 / 2d: test_fpl checks this path against geo_segment_distance_m.
 */
static double leg_fast(const struct fpl_rpt *A, const struct fpl_rpt *B, double az_deg,
                       double len_m, double t, double lat, double lon)
{
    const double e2 = GEO_WGS84_F * (2.0 - GEO_WGS84_F);
    double s0 = t * len_m, flat, flon, faz;
    geo_direct(A->lat_deg, A->lon_deg, az_deg, s0, &flat, &flon, &faz);
    double sl = sin(flat * DEG_RAD), cl = cos(flat * DEG_RAD);
    double w = 1.0 - e2 * sl * sl;
    double nr = GEO_WGS84_A / sqrt(w), mr = nr * (1.0 - e2) / w;
    double dlon = lon - flon;
    dlon = dlon > 180 ? dlon - 360 : dlon < -180 ? dlon + 360 : dlon;
    double dn = (lat - flat) * DEG_RAD * mr, de = dlon * DEG_RAD * nr * cl;
    double ca = cos(faz * DEG_RAD), sa = sin(faz * DEG_RAD);
    double s1 = s0 + dn * ca + de * sa;
    if (s1 <= 0)
        return geo_short_distance_m(lat, lon, A->lat_deg, A->lon_deg);
    if (s1 >= len_m)
        return geo_short_distance_m(lat, lon, B->lat_deg, B->lon_deg);
    double ds = s1 - s0;
    double f1lat = flat + ds * ca / mr / DEG_RAD;
    double f1lon = flon + ds * sa / (nr * (cl > 1e-9 ? cl : 1e-9)) / DEG_RAD;
    return geo_short_distance_m(lat, lon, f1lat, f1lon);
}

/* Distance (m) from a point to the route p. u, nrm: its points' unit
 * vectors and its legs' unit normals (3 doubles each), az, len: its legs'
 * azimuths and lengths (all from fpl_store_new), or all NULL for the exact
 * iteration (geo_segment_distance_m) on the legs the sphere proposes. */
static double route_distance(const struct fpl_plan *p, const double *u, const double *nrm,
                             const double *az, const double *len, double lat, double lon)
{
    if (p->n_pts == 0)
        return NAN;
    if (p->n_pts == 1)
        return geo_distance_m(lat, lon, p->pts[0].lat_deg, p->pts[0].lon_deg);
    double pu[3], a[3], b[3], nl[3];
    unit(lat, lon, pu);
    size_t leg[2] = {SIZE_MAX, SIZE_MAX}; /* best, runner-up */
    int end[2] = {0, 0};
    double c2[2] = {INFINITY, INFINITY};
    for (size_t i = 0; i + 1 < p->n_pts; i++) {
        const double *ua = a, *ub = b, *un = nl;
        if (u) {
            ua = u + 3 * i, ub = u + 3 * (i + 1), un = nrm + 3 * i;
        } else {
            unit(p->pts[i].lat_deg, p->pts[i].lon_deg, a);
            unit(p->pts[i + 1].lat_deg, p->pts[i + 1].lon_deg, b);
            arc_normal(a, b, nl);
        }
        int e;
        double d2 = arc_chord2(pu, ua, ub, un, &e);
        if (d2 < c2[0]) {
            leg[1] = leg[0], end[1] = end[0], c2[1] = c2[0];
            leg[0] = i, end[0] = e, c2[0] = d2;
        } else if (d2 < c2[1]) {
            leg[1] = i, end[1] = e, c2[1] = d2;
        }
    }
    /* the runner-up too when the sphere cannot tell them apart: within
     * 0.5 % (the sphere's error against the ellipsoid is below 0.3 %) +
     * 50 m; not when both name the same route point (a vertex shared by
     * two legs) */
    double ab = 2.0 * asin(fmin(1.0, sqrt(c2[0]) / 2.0)) * R_MEAN_M;
    double as = 2.0 * asin(fmin(1.0, sqrt(c2[1]) / 2.0)) * R_MEAN_M;
    size_t vtx0 = end[0] ? leg[0] + (size_t)end[0] - 1 : SIZE_MAX;
    size_t vtx1 = leg[1] != SIZE_MAX && end[1] ? leg[1] + (size_t)end[1] - 1 : SIZE_MAX;
    int n_try = leg[1] != SIZE_MAX && as <= ab * 1.005 + 50.0 && !(vtx0 != SIZE_MAX && vtx0 == vtx1)
                    ? 2
                    : 1;
    double d = INFINITY;
    const struct fpl_rpt *r = p->pts;
    for (int k = 0; k < n_try; k++) {
        size_t i = leg[k];
        double di;
        /* the fast path near the route only: its flat step and distance
         * hold within 1e-4 below 50 km (40 km on the sphere leaves the
         * margin); a track farther off (rare: a renegade, a wrong plan)
         * gets the exact iteration */
        if (u && az && len && ab < 40000.0) {
            if (end[k]) {
                const struct fpl_rpt *v = &r[i + (size_t)end[k] - 1];
                di = geo_short_distance_m(lat, lon, v->lat_deg, v->lon_deg);
            } else {
                double t = arc_frac(pu, u + 3 * i, u + 3 * (i + 1));
                di = leg_fast(&r[i], &r[i + 1], az[i], len[i], t, lat, lon);
            }
        } else {
            di = geo_segment_distance_m(lat, lon, r[i].lat_deg, r[i].lon_deg, r[i + 1].lat_deg,
                                        r[i + 1].lon_deg, NULL);
        }
        if (di < d)
            d = di;
    }
    return d;
}

double fpl_route_distance_m(const struct fpl_plan *p, double lat_deg, double lon_deg)
{
    if (!(p->flags & FPL_P_ROUTE_OK))
        return NAN;
    return route_distance(p, NULL, NULL, NULL, NULL, lat_deg, lon_deg);
}

/* ---------------------------------------------------------------- store */

#define NONE UINT32_MAX

struct hslot {
    uint64_t key; /* 0: empty */
    uint32_t head, tail;
    uint32_t n; /* plans on the chain, at most FPL_MAX_SAME_KEY */
};

struct fpl_store {
    const struct fpl_set *set;
    struct fpl_config cfg;
    struct fpl_stats st;
    double *unit;    /* 3 per route point, plans one after the other */
    size_t *unit_at; /* per plan: index of its first point in unit/3, leg_az, leg_len */
    double *nrm;     /* per point: unit normal of the leg to the next point, 3 doubles */
    double *leg_az;  /* per point: geodesic azimuth at it of the leg to the next point */
    double *leg_len; /* per point: that leg's length, m */
    size_t hcap;     /* slots per hash table, a power of two */
    struct hslot *h_icao, *h_ident;
    uint32_t *nx_icao, *nx_ident, *nx_ssr; /* per plan: next plan with the same key */
    uint32_t ssr_head[4096];
    uint16_t ssr_n[4096]; /* plans per SSR code, at most FPL_MAX_SAME_KEY */
    uint64_t *taken;      /* per plan: the cycle that gave it to a track by a strong key */
};

static uint64_t mix(uint64_t k)
{
    /* splitmix64 finaliser: spreads ICAO addresses and packed callsigns */
    k ^= k >> 30;
    k *= 0xbf58476d1ce4e5b9ULL;
    k ^= k >> 27;
    k *= 0x94d049bb133111ebULL;
    return k ^ (k >> 31);
}

/* Up to 8 characters (upper case, no space) packed into a key; 0 for none. */
static uint64_t ident_key(const char *s, size_t max)
{
    uint64_t k = 0;
    size_t n = 0;
    for (; n < max && n < 8 && s[n] && s[n] != ' '; n++) {
        unsigned char c = (unsigned char)s[n];
        if (c >= 'a' && c <= 'z')
            c = (unsigned char)(c - 'a' + 'A');
        k = k << 8 | c;
    }
    /* trailing spaces only: an ADS-B callsign is padded with them */
    for (size_t j = n; j < max && s[j]; j++)
        if (s[j] != ' ')
            return 0;
    return n ? k << (8 * (8 - n)) : 0;
}

static struct hslot *h_find(struct hslot *h, size_t cap, uint64_t key)
{
    size_t i = (size_t)mix(key) & (cap - 1);
    while (h[i].key && h[i].key != key)
        i = (i + 1) & (cap - 1);
    return &h[i];
}

/* Append plan to key's chain (file order); 0, or -1 when the chain is
 * full (FPL_MAX_SAME_KEY: a key filed more often is a hostile or broken
 * file, and every cycle walks the chain). */
static int h_add(struct hslot *h, size_t cap, uint32_t *nx, uint64_t key, uint32_t plan)
{
    struct hslot *s = h_find(h, cap, key);
    if (!s->key) {
        s->key = key;
        s->head = s->tail = NONE;
        s->n = 0;
    }
    if (s->n >= FPL_MAX_SAME_KEY)
        return -1;
    nx[plan] = NONE;
    if (s->head == NONE)
        s->head = plan;
    else
        nx[s->tail] = plan;
    s->tail = plan;
    s->n++;
    return 0;
}

void fpl_store_free(struct fpl_store *s)
{
    if (!s)
        return;
    free(s->unit);
    free(s->unit_at);
    free(s->leg_az);
    free(s->nrm);
    free(s->leg_len);
    free(s->h_icao);
    free(s->h_ident);
    free(s->nx_icao);
    free(s->nx_ident);
    free(s->nx_ssr);
    free(s->taken);
    free(s);
}

int fpl_store_new(const struct fpl_set *set, const struct fpl_config *cfg, struct fpl_store **out)
{
    *out = NULL;
    struct fpl_config c;
    if (cfg)
        c = *cfg;
    else
        fpl_config_default(&c);
    /* margins up to a day: fpl_plan_active looks 7 days back */
    if (c.early_ms < 0 || c.late_ms < 0 || c.early_ms > DAY_MS || c.late_ms > DAY_MS ||
        set->n > FPL_MAX_MSGS)
        return CAIRN_E_INVAL;
    struct fpl_store *s = calloc(1, sizeof *s);
    if (!s)
        return CAIRN_E_NOMEM;
    s->set = set;
    s->cfg = c;
    size_t n = set->n, npts = 0;
    for (size_t i = 0; i < n; i++)
        npts += set->plans[i].n_pts;
    s->hcap = 16;
    while (s->hcap < 2 * n + 2)
        s->hcap <<= 1;
    s->unit = malloc((3 * npts + 1) * sizeof *s->unit);
    s->unit_at = malloc((n + 1) * sizeof *s->unit_at);
    s->leg_az = malloc((npts + 1) * sizeof *s->leg_az);
    s->nrm = calloc(3 * npts + 1, sizeof *s->nrm);
    s->leg_len = malloc((npts + 1) * sizeof *s->leg_len);
    s->h_icao = calloc(s->hcap, sizeof *s->h_icao);
    s->h_ident = calloc(s->hcap, sizeof *s->h_ident);
    s->nx_icao = malloc((n + 1) * sizeof *s->nx_icao);
    s->nx_ident = malloc((n + 1) * sizeof *s->nx_ident);
    s->nx_ssr = malloc((n + 1) * sizeof *s->nx_ssr);
    s->taken = calloc(n + 1, sizeof *s->taken);
    if (!s->unit || !s->unit_at || !s->leg_az || !s->leg_len || !s->nrm || !s->h_icao ||
        !s->h_ident || !s->nx_icao || !s->nx_ident || !s->nx_ssr || !s->taken) {
        fpl_store_free(s);
        return CAIRN_E_NOMEM;
    }
    for (size_t k = 0; k < 4096; k++)
        s->ssr_head[k] = NONE;
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        const struct fpl_plan *p = &set->plans[i];
        s->unit_at[i] = at;
        for (size_t k = 0; k < p->n_pts; k++, at++)
            unit(p->pts[k].lat_deg, p->pts[k].lon_deg, s->unit + 3 * at);
        at = s->unit_at[i];
        for (size_t k = 0; k < p->n_pts; k++, at++) {
            if (k + 1 < p->n_pts && (p->flags & FPL_P_ROUTE_OK))
                arc_normal(s->unit + 3 * at, s->unit + 3 * (at + 1), s->nrm + 3 * at);
            s->leg_az[at] = s->leg_len[at] = 0;
            if (k + 1 < p->n_pts && (p->flags & FPL_P_ROUTE_OK))
                geo_inverse(p->pts[k].lat_deg, p->pts[k].lon_deg, p->pts[k + 1].lat_deg,
                            p->pts[k + 1].lon_deg, &s->leg_len[at], &s->leg_az[at], NULL);
        }
        s->nx_icao[i] = s->nx_ident[i] = s->nx_ssr[i] = NONE;
        if ((p->flags & FPL_P_ICAO) && h_add(s->h_icao, s->hcap, s->nx_icao, p->icao, (uint32_t)i))
            s->st.unindexed++;
        uint64_t ik = ident_key(p->ident, sizeof p->ident);
        if (ik && h_add(s->h_ident, s->hcap, s->nx_ident, ik, (uint32_t)i))
            s->st.unindexed++;
        if ((p->flags & FPL_P_SSR) && s->ssr_n[p->ssr & 0xFFF] >= FPL_MAX_SAME_KEY) {
            s->st.unindexed++;
        } else if (p->flags & FPL_P_SSR) {
            s->ssr_n[p->ssr & 0xFFF]++;
            /* prepend is enough here: SSR matches need a single candidate */
            s->nx_ssr[i] = s->ssr_head[p->ssr & 0xFFF];
            s->ssr_head[p->ssr & 0xFFF] = (uint32_t)i;
        }
    }
    *out = s;
    return 0;
}

const struct fpl_stats *fpl_store_stats(const struct fpl_store *s)
{
    return &s->st;
}

/* ---------------------------------------------------------------- apply */

/* A code that identifies nobody: xx00 (non-discrete: 0000, 1000 Mode S
 * conspicuity, 2000, 7000 VFR, 7500/7600/7700 emergencies), 1200 (VFR in
 * ICAO region NAM) and 7777 (interceptors, test transponders). Octal. */
static bool ssr_discrete(uint16_t code)
{
    return (code & 077) != 0 && code != 01200 && code != 07777;
}

static double track_dev(const struct fpl_store *s, uint32_t plan, const struct trk_track *k)
{
    const struct fpl_plan *p = &s->set->plans[plan];
    if (!(p->flags & FPL_P_ROUTE_OK))
        return NAN;
    size_t at = s->unit_at[plan];
    return route_distance(p, s->unit + 3 * at, s->nrm + 3 * at, s->leg_az + at, s->leg_len + at,
                          k->lat_deg, k->lon_deg);
}

/* The best active plan on a chain (address or identification): the only
 * one, or the nearest route when several. *dev receives its deviation
 * when computed (NaN otherwise). NONE when no plan is active. */
static uint32_t best_on_chain(struct fpl_store *s, uint32_t head, const uint32_t *nx,
                              const struct trk_track *k, int64_t now_ms, double *dev)
{
    uint32_t first = NONE, best = NONE;
    unsigned n = 0;
    double best_d = INFINITY;
    *dev = NAN;
    for (uint32_t j = head; j != NONE; j = nx[j]) {
        const struct fpl_plan *p = &s->set->plans[j];
        if (!fpl_plan_active(p, now_ms, s->cfg.early_ms, s->cfg.late_ms, NULL, NULL))
            continue;
        if (++n == 1) {
            first = j;
            continue;
        }
        if (n == 2) {
            double d0 = track_dev(s, first, k);
            if (d0 < best_d)
                best_d = d0, best = first;
            if (best == NONE)
                best = first; /* no route to compare: the first given */
        }
        double d = track_dev(s, j, k);
        if (d < best_d)
            best_d = d, best = j;
    }
    if (n == 0)
        return NONE;
    if (n == 1)
        return first;
    s->st.ambiguous++;
    if (isfinite(best_d))
        *dev = best_d;
    return best;
}

static bool aircraft_like(const struct trk_track *k)
{
    if (k->status != TRK_ST_TENTATIVE && k->status != TRK_ST_CONFIRMED &&
        k->status != TRK_ST_COASTING)
        return false;
    return k->kind == TRK_KIND_AIRCRAFT || k->kind == TRK_KIND_UNKNOWN;
}

static void set_match(struct fpl_store *s, struct trk_table *t, const struct trk_track *k,
                      uint32_t plan, double dev)
{
    if (plan == NONE) {
        (void)trk_set_compliance(t, k->id, TRK_TRI_NO, k->radio);
        (void)trk_set_plan_dev(t, k->id, -1.0);
        s->st.no_plan++;
        return;
    }
    const struct fpl_plan *p = &s->set->plans[plan];
    if (!(p->flags & FPL_P_ROUTE_OK))
        s->st.no_route++;
    else if (isnan(dev))
        dev = track_dev(s, plan, k);
    (void)trk_set_compliance(t, k->id, TRK_TRI_YES, k->radio);
    (void)trk_set_plan_dev(t, k->id, isfinite(dev) ? dev : -1.0);
}

size_t fpl_apply(struct fpl_store *s, struct trk_table *t, int64_t now_ms)
{
    uint64_t cycle = ++s->st.cycles;
    s->st.by_icao = s->st.by_ident = s->st.by_ssr = 0;
    s->st.no_plan = s->st.unidentified = s->st.ambiguous = s->st.ssr_ambiguous = 0;
    s->st.ident_mismatch = s->st.no_route = 0;
    size_t matched = 0;
    /* pass 1: address, then identification */
    size_t cur = 0;
    const struct trk_track *k;
    while ((k = trk_next(t, &cur)) != NULL) {
        if (!aircraft_like(k))
            continue;
        uint64_t ck = (k->ids & TRK_ID_CALLSIGN) ? ident_key(k->callsign, sizeof k->callsign) : 0;
        uint32_t plan = NONE;
        double dev = NAN;
        if ((k->ids & TRK_ID_ICAO) && k->icao) {
            struct hslot *h = h_find(s->h_icao, s->hcap, k->icao);
            if (h->key)
                plan = best_on_chain(s, h->head, s->nx_icao, k, now_ms, &dev);
            if (plan != NONE) {
                s->st.by_icao++;
                if (ck && ident_key(s->set->plans[plan].ident, 8) != ck)
                    s->st.ident_mismatch++;
            }
        }
        if (plan == NONE && ck) {
            struct hslot *h = h_find(s->h_ident, s->hcap, ck);
            if (h->key)
                plan = best_on_chain(s, h->head, s->nx_ident, k, now_ms, &dev);
            if (plan != NONE)
                s->st.by_ident++;
        }
        if (plan == NONE)
            continue;
        s->taken[plan] = cycle;
        set_match(s, t, k, plan, dev);
        matched++;
    }
    /* pass 2: SSR code for the others; the rest get NO or stay UNKNOWN */
    cur = 0;
    while ((k = trk_next(t, &cur)) != NULL) {
        if (!aircraft_like(k))
            continue;
        if (!(k->ids & (TRK_ID_ICAO | TRK_ID_CALLSIGN | TRK_ID_SQUAWK))) {
            s->st.unidentified++; /* primary only: nothing to match, stays as it is */
            continue;
        }
        /* was it settled in pass 1? The same lookups, without distances */
        uint64_t ck = (k->ids & TRK_ID_CALLSIGN) ? ident_key(k->callsign, sizeof k->callsign) : 0;
        bool settled = false;
        if ((k->ids & TRK_ID_ICAO) && k->icao) {
            struct hslot *h = h_find(s->h_icao, s->hcap, k->icao);
            for (uint32_t j = h->key ? h->head : NONE; j != NONE && !settled; j = s->nx_icao[j])
                settled = s->taken[j] == cycle &&
                          fpl_plan_active(&s->set->plans[j], now_ms, s->cfg.early_ms,
                                          s->cfg.late_ms, NULL, NULL);
        }
        if (!settled && ck) {
            struct hslot *h = h_find(s->h_ident, s->hcap, ck);
            for (uint32_t j = h->key ? h->head : NONE; j != NONE && !settled; j = s->nx_ident[j])
                settled = s->taken[j] == cycle &&
                          fpl_plan_active(&s->set->plans[j], now_ms, s->cfg.early_ms,
                                          s->cfg.late_ms, NULL, NULL);
        }
        if (settled)
            continue;
        uint32_t plan = NONE;
        if ((k->ids & TRK_ID_SQUAWK) && ssr_discrete(k->squawk)) {
            unsigned n = 0;
            for (uint32_t j = s->ssr_head[k->squawk & 0xFFF]; j != NONE; j = s->nx_ssr[j]) {
                const struct fpl_plan *p = &s->set->plans[j];
                if (s->taken[j] == cycle ||
                    !fpl_plan_active(p, now_ms, s->cfg.early_ms, s->cfg.late_ms, NULL, NULL))
                    continue;
                /* the track's own identities must not contradict the plan's */
                if ((k->ids & TRK_ID_ICAO) && (p->flags & FPL_P_ICAO) && p->icao != k->icao)
                    continue;
                if (ck && ident_key(p->ident, sizeof p->ident) != ck)
                    continue;
                if (++n == 1)
                    plan = j;
            }
            if (n > 1) {
                s->st.ssr_ambiguous++;
                s->st.ambiguous++;
                plan = NONE;
            }
            if (plan != NONE)
                s->st.by_ssr++;
        }
        set_match(s, t, k, plan, NAN);
        if (plan != NONE)
            matched++;
    }
    return matched;
}
