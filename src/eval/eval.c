/*
 * eval.c — the evaluator's life cycle and its per-cycle work: tracks moved
 * to `now`, associated one-to-one with the movers present (identity first,
 * then position, greedily by increasing cost), and every figure counted.
 * Definitions: eval.h and docs/evaluation.md.
 *
 * Association in one cycle (ev_observe):
 *   1. Movers present at now (ev_truth_at) and whether a sensor could see
 *      them ("expected": coverage in ev_config, the truth's switches).
 *   2. Tracks CONFIRMED or COASTING, moved to now along their velocity;
 *      the mix of sources that fed each within src_recent_ms.
 *   3. Identity pairs: a track carrying the ICAO address or MMSI of a
 *      present mover, within id_gate_m of it. Beyond, the identity is not
 *      trusted (a tracker that swapped labels must show as a swap, not as a
 *      large error) and counted in id_far.
 *   4. Position pairs among the rest: within gate_m, not contradicting an
 *      identity (both have an ICAO address, or an MMSI, and they differ),
 *      the kind (an aircraft track for a vessel) or the altitude (a track
 *      with one, more than alt_gate_ft from the aircraft's, when its
 *      transponder is on: otherwise the track's is a stale one). Cost =
 *      distance, halved (keep_factor) for the pair associated at the
 *      previous cycle and lengthened by keep_margin_m for any other, so
 *      that two movers passing 100 m apart (or through one point) do not
 *      exchange tracks on noise or on a tie.
 *   Each stage: pairs sorted by cost, taken when both ends are free.
 *   5. Tracks left: "extra" if within gate_m of a mover it does not
 *      contradict as in 4 (or carrying its identity), else "false".
 */
#include "eval/eval.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/grow.h"
#include "eval/eval_int.h"
#include "geo/geo.h"
#include "detect/detect.h"
#include "track/track.h"

#define NM_M   1852.0
#define FT_M   0.3048
#define KT_MPS (1852.0 / 3600.0)
#define DEG    (M_PI / 180.0)
/* An aircraft slower than this is on the ground: no radar plot and no
 * airborne ADS-B in the simulator (docs/sim.md), no separation either. */
#define GROUND_KT 30.0
/* Tracks whose estimate is older than this are not moved to now (a stale
 * snapshot, or a bad time): skipped and counted. */
#define MAX_EXTRAP_MS 60000
/* Times given to the evaluator (ms): far beyond any date, far from the
 * limits of int64_t, so differences of two of them never overflow. */
#define TIME_LIMIT_MS (INT64_C(1) << 52)
/* Durations in the config are bounded likewise (and are sane below). */
#define HOUR_MS INT64_C(3600000)
#define DAY_MS  (24 * HOUR_MS)
/* Metres per degree of latitude, for the latitude band of a gate (the
 * shortest degree, at the equator, so the band is never too narrow). */
#define M_PER_DEG_MIN 110574.0

void ev_config_default(struct ev_config *c)
{
    memset(c, 0, sizeof *c);
    c->gate_m = 2 * NM_M; /* 10 x the radar-only RMS target */
    c->id_gate_m = 10000; /* beyond any honest tracker's error */
    c->keep_factor = 0.5;
    c->keep_margin_m = 10;     /* where two movers meet, a tie keeps the pairs */
    c->src_recent_ms = 15000;  /* longer than the slowest rotation (12 s) */
    c->swap_window_ms = 30000; /* a crossing takes seconds, not minutes */
    c->grace_ms = 30000;       /* M-of-N confirmation over a few 4-10 s scans */
    c->sep_h_m = 5 * NM_M;
    c->sep_v_ft = 1000;
    c->sep_v_high_ft = 2000;
    c->high_fl = 410;
    c->near_miss_h_m = 1 * NM_M;
    c->near_miss_v_ft = 500;
    c->lookahead_ms = 120000;
    c->target_rms_radar_m = 200;
    c->target_rms_adsb_m = 50;
    c->target_completeness = 0.99;
    c->target_extra = 0.01;
    c->target_swaps = 0;
    c->target_warning_ms = 60000;
    c->max_detail = 500;
    c->alt_gate_ft = 1500;  /* Mode C steps, plus 10 s of a 6,000 ft/min climb behind */
    c->mode_c_tol_ft = 300; /* 100 ft Mode C steps, 25 ft Mode S, plus a climb between updates */
}

double ev_dist_m(double lat1, double lon1, double lat2, double lon2)
{
    return geo_short_distance_m(lat1, lon1, lat2, lon2);
}

/* ---------------------------------------------------------------- lifecycle */

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int config_ok(const struct ev_config *c)
{
    return isfinite(c->gate_m) && c->gate_m > 0 && c->gate_m <= 100000 && isfinite(c->id_gate_m) &&
           c->id_gate_m >= c->gate_m && c->id_gate_m <= 1e6 && isfinite(c->keep_factor) &&
           c->keep_factor > 0 && c->keep_factor <= 1 && isfinite(c->keep_margin_m) &&
           c->keep_margin_m >= 0 && c->src_recent_ms > 0 && c->src_recent_ms <= HOUR_MS &&
           c->swap_window_ms >= 0 && c->swap_window_ms <= DAY_MS && c->grace_ms >= 0 &&
           c->grace_ms <= DAY_MS && c->lookahead_ms <= HOUR_MS && c->target_warning_ms >= 0 &&
           c->target_warning_ms <= HOUR_MS && c->n_sensors <= EV_MAX_SENSORS && c->sep_h_m > 0 &&
           c->sep_h_m < 1e6 && c->sep_v_ft > 0 && c->sep_v_high_ft > 0 && c->near_miss_h_m >= 0 &&
           c->near_miss_v_ft >= 0 && c->lookahead_ms >= 0 && isfinite(c->high_fl) &&
           isfinite(c->target_rms_radar_m) && isfinite(c->target_rms_adsb_m) &&
           isfinite(c->target_completeness) && isfinite(c->target_extra) &&
           isfinite(c->mode_c_tol_ft) && c->mode_c_tol_ft >= 0 && isfinite(c->alt_gate_ft) &&
           c->alt_gate_ft > 0;
}

int ev_new(const struct ev_truth *truth, const struct ev_config *cfg, struct ev **out)
{
    if (!truth || !out)
        return CAIRN_E_INVAL;
    *out = NULL;
    struct ev_config def;
    if (!cfg) {
        ev_config_default(&def);
        cfg = &def;
    }
    if (!config_ok(cfg))
        return CAIRN_E_INVAL;
    for (size_t i = 0; i < cfg->n_sensors; i++) {
        const struct ev_sensor *s = &cfg->sensors[i];
        if (s->kind > EV_SENSOR_AIS || !isfinite(s->lat_deg) || fabs(s->lat_deg) > 90 ||
            !isfinite(s->lon_deg) || fabs(s->lon_deg) > 180 || !isfinite(s->range_m) ||
            s->range_m < 0 || !isfinite(s->alt_m))
            return CAIRN_E_INVAL;
    }
    struct ev *e = calloc(1, sizeof *e);
    if (!e)
        return CAIRN_E_NOMEM;
    e->cfg = *cfg;
    e->truth = truth;
    size_t nm = truth->n_movers;
    e->ms = calloc(nm ? nm : 1, sizeof *e->ms);
    e->pidx = calloc(nm ? nm : 1, sizeof *e->pidx);
    e->by_icao = calloc(nm ? nm : 1, sizeof *e->by_icao);
    e->by_mmsi = calloc(nm ? nm : 1, sizeof *e->by_mmsi);
    int rc = (!e->ms || !e->pidx || !e->by_icao || !e->by_mmsi) ? CAIRN_E_NOMEM : 0;
    for (int k = 0; k < EV_MIX_N && !rc; k++)
        if (!(e->hist[k].bin = calloc(EV_HIST_BINS, sizeof *e->hist[k].bin)) ||
            !(e->hist_upd[k].bin = calloc(EV_HIST_BINS, sizeof *e->hist_upd[k].bin)))
            rc = CAIRN_E_NOMEM;
    if (rc) {
        ev_free(e);
        return rc;
    }
    for (size_t i = 0; i < nm; i++) {
        const struct ev_mover *m = &truth->movers[i];
        e->ms[i].expected_from = INT64_MIN;
        e->ms[i].dark_from_ms = INT64_MIN;
        if (m->icao)
            e->by_icao[e->n_icao++] = (uint64_t)m->icao << 32 | i;
        if (m->mmsi)
            e->by_mmsi[e->n_mmsi++] = (uint64_t)m->mmsi << 32 | i;
    }
    qsort(e->by_icao, e->n_icao, sizeof *e->by_icao, cmp_u64);
    qsort(e->by_mmsi, e->n_mmsi, sizeof *e->by_mmsi, cmp_u64);
    if ((rc = ev_conflicts_compute(e))) {
        ev_free(e);
        return rc;
    }
    *out = e;
    return 0;
}

void ev_free(struct ev *e)
{
    if (!e)
        return;
    for (int k = 0; k < EV_MIX_N; k++) {
        free(e->hist[k].bin);
        free(e->hist_upd[k].bin);
    }
    free(e->ms);
    free(e->pidx);
    free(e->by_icao);
    free(e->by_mmsi);
    free(e->trec);
    free(e->thash);
    free(e->conf);
    free(e->alerts);
    free(e->scr_m);
    free(e->scr_t);
    free(e->scr_p);
    free(e->scr_o);
    free(e);
}

/* ------------------------------------------------------------ track records */

static uint32_t hash32(uint32_t x)
{
    x ^= x >> 16;
    x *= 0x7feb352dU;
    x ^= x >> 15;
    x *= 0x846ca68bU;
    x ^= x >> 16;
    return x;
}

static struct ev_trec *trec_find(const struct ev *e, uint32_t id)
{
    if (!e->thash)
        return NULL;
    for (size_t h = hash32(id) & e->tmask; e->thash[h]; h = (h + 1) & e->tmask)
        if (e->trec[e->thash[h] - 1].id == id)
            return &e->trec[e->thash[h] - 1];
    return NULL;
}

static int trec_rehash(struct ev *e, size_t ncap)
{
    uint32_t *nh = calloc(ncap, sizeof *nh);
    if (!nh)
        return CAIRN_E_NOMEM;
    for (size_t i = 0; i < e->n_trec; i++) {
        size_t h = hash32(e->trec[i].id) & (ncap - 1);
        while (nh[h])
            h = (h + 1) & (ncap - 1);
        nh[h] = (uint32_t)(i + 1);
    }
    free(e->thash);
    e->thash = nh;
    e->tmask = ncap - 1;
    return 0;
}

/* The record of track id, created when new (NULL: out of memory). */
static struct ev_trec *trec_get(struct ev *e, uint32_t id, int64_t now_ms)
{
    struct ev_trec *r = trec_find(e, id);
    if (r)
        return r;
    if (e->n_trec >= UINT32_MAX - 1)
        return NULL;
    if (GROW_ARRAY(&e->trec, &e->cap_trec, e->n_trec + 1, 256))
        return NULL;
    if (!e->thash || (e->n_trec + 1) * 2 > e->tmask + 1)
        if (trec_rehash(e, e->thash ? (e->tmask + 1) * 2 : 512))
            return NULL;
    r = &e->trec[e->n_trec++];
    memset(r, 0, sizeof *r);
    r->id = id;
    r->first_ms = r->last_ms = now_ms;
    size_t h = hash32(id) & e->tmask;
    while (e->thash[h])
        h = (h + 1) & e->tmask;
    e->thash[h] = (uint32_t)e->n_trec;
    return r;
}

/* ------------------------------------------------------------- one cycle */

struct cm { /* a mover present at now */
    uint32_t i;
    double lat, lon;
    float alt_ft;
    float gs_kt, track_deg;
    uint8_t expected;
    uint8_t flags;   /* EV_S_* at now */
    uint16_t squawk; /* at now (EV_S_SQUAWK) */
    uint32_t c;      /* associated track (index into cts) + 1 */
};

struct ct { /* a track judged at now */
    const struct trk_track *t;
    uint32_t r; /* its record in e->trec (an index: the array may move) */
    double lat, lon;
    uint8_t mix;
    uint32_t m; /* associated present mover + 1 */
};

struct pair {
    uint32_t m, c;
    double cost, d;
};

static int cmp_pair(const void *a, const void *b)
{
    const struct pair *x = a, *y = b;
    if (x->cost != y->cost)
        return x->cost < y->cost ? -1 : 1;
    if (x->m != y->m)
        return x->m < y->m ? -1 : 1;
    return (x->c > y->c) - (x->c < y->c);
}

static unsigned track_mix(const struct trk_track *t, int64_t now_ms, int64_t recent_ms)
{
    unsigned fed = 0;
    for (unsigned s = 0; s < TRK_SOURCE_N; s++)
        if (t->last_src_ms[s] > 0 && t->last_src_ms[s] >= now_ms - recent_ms)
            fed |= TRK_SRC_BIT(s);
    if (fed & (TRK_SRC_BIT(TRK_SOURCE_ADSB) | TRK_SRC_BIT(TRK_SOURCE_MLAT)))
        return EV_MIX_ADSB;
    if (fed & TRK_SRC_BIT(TRK_SOURCE_AIS))
        return EV_MIX_AIS;
    if (fed & (TRK_SRC_BIT(TRK_SOURCE_SSR) | TRK_SRC_BIT(TRK_SOURCE_MODES)))
        return EV_MIX_SSR;
    if (fed & TRK_SRC_BIT(TRK_SOURCE_PSR))
        return EV_MIX_PRIMARY;
    if (fed & (TRK_SRC_BIT(TRK_SOURCE_SDPS) | TRK_SRC_BIT(TRK_SOURCE_TISB)))
        return EV_MIX_OTHER;
    return EV_MIX_COAST;
}

/* Could a sensor see mover m in state s? (docs/evaluation.md "Expected") */
static int expected(const struct ev *e, const struct ev_mover *m, const struct ev_sample *s)
{
    if (m->kind == EV_AIRCRAFT && s->gs_kt < GROUND_KT)
        return 0;
    if (e->cfg.n_sensors == 0)
        return m->kind == EV_AIRCRAFT ? 1 : (s->flags & EV_S_AIS) != 0;
    for (size_t k = 0; k < e->cfg.n_sensors; k++) {
        const struct ev_sensor *x = &e->cfg.sensors[k];
        int able;
        switch (x->kind) {
        case EV_SENSOR_PSR:
            able = m->kind == EV_AIRCRAFT;
            break;
        case EV_SENSOR_SSR:
            able = (s->flags & EV_S_TRANSPONDER) != 0;
            break;
        case EV_SENSOR_ADSB:
            able = (s->flags & EV_S_ADSB) != 0;
            break;
        default:
            able = (s->flags & EV_S_AIS) != 0;
            break;
        }
        if (!able)
            continue;
        double g = ev_dist_m(x->lat_deg, x->lon_deg, s->lat_deg, s->lon_deg);
        if (x->kind == EV_SENSOR_PSR || x->kind == EV_SENSOR_SSR) {
            double dh = s->alt_ft * FT_M - x->alt_m;
            g = sqrt(g * g + dh * dh); /* slant range */
        }
        if (g <= x->range_m)
            return 1;
    }
    return 0;
}

/* Mover index with this identity, or -1. */
static long id_lookup(const uint64_t *v, size_t n, uint32_t key)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((v[mid] >> 32) < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && (v[lo] >> 32) == key ? (long)(v[lo] & 0xffffffffu) : -1;
}

/* May track t be associated with mover m by position? */
static int compatible(const struct ev *e, const struct trk_track *t, const struct ev_mover *m,
                      double alt_ft, uint8_t flags)
{
    /* the altitude only of an aircraft whose transponder is on: one that
     * is off gives none, and a track of it can only hold the last it had */
    if ((t->flags & TRK_F_ALT) && m->kind == EV_AIRCRAFT && (flags & EV_S_TRANSPONDER) &&
        fabs((double)t->alt_ft - alt_ft) > e->cfg.alt_gate_ft)
        return 0; /* another level: aircraft passing over each other stay apart */
    if ((t->ids & TRK_ID_ICAO) && m->icao && t->icao != m->icao)
        return 0;
    if ((t->ids & TRK_ID_MMSI) && m->mmsi && t->mmsi != m->mmsi)
        return 0;
    if (t->kind == TRK_KIND_AIRCRAFT && m->kind != EV_AIRCRAFT)
        return 0;
    if (t->kind == TRK_KIND_VESSEL && m->kind != EV_VESSEL)
        return 0;
    return 1;
}

/* The present mover (index + 1 into cms) whose identity the track carries. */
static uint32_t id_mover(const struct ev *e, const struct trk_track *t)
{
    long i = -1;
    if (t->ids & TRK_ID_ICAO)
        i = id_lookup(e->by_icao, e->n_icao, t->icao);
    if (i < 0 && (t->ids & TRK_ID_MMSI))
        i = id_lookup(e->by_mmsi, e->n_mmsi, t->mmsi);
    return i < 0 ? 0 : e->pidx[i];
}

/* Trailing spaces do not count in a callsign (ICAO pads them to 8). */
static int callsign_eq(const char *a, const char *b)
{
    size_t na = strnlen(a, 8), nb = strnlen(b, 8);
    while (na && a[na - 1] == ' ')
        na--;
    while (nb && b[nb - 1] == ' ')
        nb--;
    return na == nb && !memcmp(a, b, na);
}

/* Identification carried by an associated track (COMPASS "identification
 * correct / false", "Mode C present / correct"). */
static void count_ids(struct ev *e, const struct ev_mover *mv, const struct cm *m,
                      const struct trk_track *t)
{
    if (mv->kind != EV_AIRCRAFT || !(m->flags & EV_S_TRANSPONDER))
        return; /* nothing to identify it by but its position */
    struct ev_idstat *x = &e->id_m3a;
    if (m->flags & EV_S_SQUAWK) {
        x->expected++;
        if (t->ids & TRK_ID_SQUAWK) {
            x->present++;
            if (t->squawk == m->squawk)
                x->correct++;
            else
                x->wrong++;
        }
    }
    x = &e->id_callsign;
    if (mv->callsign[0]) {
        x->expected++;
        if (t->ids & TRK_ID_CALLSIGN) {
            x->present++;
            if (callsign_eq(t->callsign, mv->callsign))
                x->correct++;
            else
                x->wrong++;
        }
    }
    x = &e->id_modec;
    x->expected++;
    if (t->flags & TRK_F_ALT) {
        x->present++;
        if (fabs((double)t->alt_ft - m->alt_ft) <= e->cfg.mode_c_tol_ft)
            x->correct++;
        else
            x->wrong++;
    }
}

static void hist_add(struct ev_hist *h, double d)
{
    h->n++;
    h->sumsq += d * d;
    if (d > h->max)
        h->max = d;
    size_t b = d >= EV_HIST_MAX_M ? EV_HIST_MAX_M : (size_t)d;
    h->bin[b]++;
}

/* Indices of tracks (into cts) sorted by latitude. */
static const struct ct *sort_cts;
static int cmp_lat(const void *a, const void *b)
{
    double x = sort_cts[*(const uint32_t *)a].lat, y = sort_cts[*(const uint32_t *)b].lat;
    return (x > y) - (x < y);
}

/* First position in ord (sorted by latitude) with lat >= v. */
static size_t lat_lower(const struct ct *cts, const uint32_t *ord, size_t n, double v)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cts[ord[mid]].lat < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int cmp_cm(const void *a, const void *b)
{
    const struct cm *x = a, *y = b;
    if (x->lat != y->lat)
        return x->lat < y->lat ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

/* First present mover (sorted by latitude) with lat >= v. */
static size_t cm_lower(const struct cm *cms, size_t n, double v)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cms[mid].lat < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void take_pairs(struct pair *p, size_t np, struct cm *cms, struct ct *cts)
{
    if (!np)
        return; /* p may be NULL */
    qsort(p, np, sizeof *p, cmp_pair);
    for (size_t k = 0; k < np; k++)
        if (!cms[p[k].m].c && !cts[p[k].c].m) {
            cms[p[k].m].c = p[k].c + 1;
            cts[p[k].c].m = p[k].m + 1;
        }
}

int ev_observe(struct ev *e, const struct trk_track *tracks, size_t n, int64_t now_ms)
{
    if (!e || (!tracks && n))
        return CAIRN_E_INVAL;
    if ((e->started && now_ms < e->t_last_ms) || now_ms < -TIME_LIMIT_MS || now_ms > TIME_LIMIT_MS)
        return CAIRN_E_RANGE;
    const struct ev_truth *tr = e->truth;
    const struct ev_config *cfg = &e->cfg;
    if (grow_array(&e->scr_m, &e->cap_m, tr->n_movers + 1, sizeof(struct cm), 64) ||
        grow_array(&e->scr_t, &e->cap_t, n + 1, sizeof(struct ct), 64) ||
        grow_array(&e->scr_o, &e->cap_o, n + 1, sizeof(uint32_t), 64)) {
        e->incomplete = 1;
        return CAIRN_E_NOMEM;
    }
    struct cm *cms = e->scr_m;
    struct ct *cts = e->scr_t;
    uint32_t *ord = e->scr_o;
    if (!e->started) {
        e->started = 1;
        e->t_first_ms = now_ms;
    }
    e->t_last_ms = now_ms;
    e->cycles++;

    /* 1. movers present */
    size_t nm = 0;
    for (size_t i = 0; i < tr->n_movers; i++) {
        struct ev_sample s;
        e->pidx[i] = 0;
        if (!ev_truth_at(&tr->movers[i], now_ms, &s)) {
            e->ms[i].expected_from = INT64_MIN;
            e->ms[i].dark_from_ms = INT64_MIN;
            e->ms[i].assoc_prev = 0;
            continue;
        }
        struct cm *c = &cms[nm];
        c->i = (uint32_t)i;
        c->lat = s.lat_deg;
        c->lon = s.lon_deg;
        c->alt_ft = s.alt_ft;
        c->gs_kt = s.gs_kt;
        c->track_deg = s.track_deg;
        c->flags = s.flags;
        c->squawk = s.squawk;
        c->expected = (uint8_t)expected(e, &tr->movers[i], &s);
        c->c = 0;
        nm++;
    }
    qsort(cms, nm, sizeof *cms, cmp_cm);
    for (size_t j = 0; j < nm; j++)
        e->pidx[cms[j].i] = (uint32_t)j + 1;

    /* 2. tracks judged, moved to now */
    size_t nt = 0;
    for (size_t k = 0; k < n; k++) {
        const struct trk_track *t = &tracks[k];
        if (t->status != TRK_ST_CONFIRMED && t->status != TRK_ST_COASTING)
            continue;
        /* (compared before subtracting: no overflow whatever the value) */
        int stale =
            t->t_state_ms < now_ms - MAX_EXTRAP_MS || t->t_state_ms > now_ms + MAX_EXTRAP_MS;
        int64_t dt_ms = stale ? 0 : now_ms - t->t_state_ms;
        if (stale || !t->id || !isfinite(t->lat_deg) || !isfinite(t->lon_deg) ||
            fabs(t->lat_deg) > 90 || fabs(t->lon_deg) > 180 || !isfinite(t->ve_mps) ||
            !isfinite(t->vn_mps) || fabs(t->ve_mps) > 2000 || fabs(t->vn_mps) > 2000) {
            e->bad_tracks++;
            continue;
        }
        struct ev_trec *r = trec_get(e, t->id, now_ms);
        if (!r) {
            e->incomplete = 1;
            return CAIRN_E_NOMEM;
        }
        double dt = (double)dt_ms / 1000.0, rm, rn;
        const double a = 6378137.0, e2 = 6.69437999014e-3;
        double sl = sin(t->lat_deg * DEG), w = sqrt(1 - e2 * sl * sl);
        rm = a * (1 - e2) / (w * w * w);
        rn = a / w;
        double cl = cos(t->lat_deg * DEG);
        struct ct *c = &cts[nt];
        c->t = t;
        c->r = (uint32_t)(r - e->trec);
        c->lat = t->lat_deg + t->vn_mps * dt / rm / DEG;
        c->lon = t->lon_deg + (cl > 1e-6 ? t->ve_mps * dt / (rn * cl) / DEG : 0);
        if (c->lat > 90)
            c->lat = 90;
        if (c->lat < -90)
            c->lat = -90;
        if (c->lon > 180)
            c->lon -= 360;
        if (c->lon <= -180)
            c->lon += 360;
        c->mix = (uint8_t)track_mix(t, now_ms, cfg->src_recent_ms);
        c->m = 0;
        ord[nt] = (uint32_t)nt;
        r->last_ms = now_ms;
        nt++;
    }
    e->track_cycles += nt;
    sort_cts = cts;
    qsort(ord, nt, sizeof *ord, cmp_lat);
    sort_cts = NULL;

    /* 3. identity pairs */
    size_t np = 0;
    for (size_t k = 0; k < nt; k++) {
        uint32_t pm = id_mover(e, cts[k].t);
        if (!pm)
            continue;
        const struct cm *m = &cms[pm - 1];
        double d = ev_dist_m(m->lat, m->lon, cts[k].lat, cts[k].lon);
        if (d > cfg->id_gate_m) {
            e->id_far++;
            continue;
        }
        if (grow_array(&e->scr_p, &e->cap_p, np + 1, sizeof(struct pair), 64)) {
            e->incomplete = 1;
            return CAIRN_E_NOMEM;
        }
        struct pair *p = e->scr_p;
        p[np++] = (struct pair){pm - 1, (uint32_t)k, d, d};
    }
    take_pairs(e->scr_p, np, cms, cts);

    /* 4. position pairs */
    double band = cfg->gate_m / M_PER_DEG_MIN;
    np = 0;
    for (size_t j = 0; j < nm; j++) {
        if (cms[j].c)
            continue;
        const struct ev_mover *mv = &tr->movers[cms[j].i];
        for (size_t q = lat_lower(cts, ord, nt, cms[j].lat - band);
             q < nt && cts[ord[q]].lat <= cms[j].lat + band; q++) {
            uint32_t k = ord[q];
            if (cts[k].m || !compatible(e, cts[k].t, mv, cms[j].alt_ft, cms[j].flags))
                continue;
            double d = ev_dist_m(cms[j].lat, cms[j].lon, cts[k].lat, cts[k].lon);
            if (d > cfg->gate_m)
                continue;
            if (grow_array(&e->scr_p, &e->cap_p, np + 1, sizeof(struct pair), 64)) {
                e->incomplete = 1;
                return CAIRN_E_NOMEM;
            }
            double cost = e->ms[cms[j].i].assoc_prev == cts[k].t->id ? d * cfg->keep_factor
                                                                     : d + cfg->keep_margin_m;
            struct pair *p = e->scr_p;
            p[np++] = (struct pair){(uint32_t)j, k, cost, d};
        }
    }
    take_pairs(e->scr_p, np, cms, cts);

    /* 5. count: associated pairs */
    for (size_t j = 0; j < nm; j++) {
        struct cm *m = &cms[j];
        struct ev_mstate *st = &e->ms[m->i];
        st->present++;
        uint32_t tid = m->c ? cts[m->c - 1].t->id : 0;
        if (m->c) {
            struct ct *c = &cts[m->c - 1];
            struct ev_trec *r = &e->trec[c->r];
            double d = ev_dist_m(m->lat, m->lon, c->lat, c->lon);
            hist_add(&e->hist[c->mix], d);
            double tv = m->gs_kt * KT_MPS, ta = m->track_deg * DEG;
            double dve = c->t->ve_mps - tv * sin(ta), dvn = c->t->vn_mps - tv * cos(ta);
            e->hist[c->mix].vel_sumsq += dve * dve + dvn * dvn;
            /* a new estimate: judged at its own time too, against the truth
             * then (no extrapolation: the tracker's accuracy as SASS-C and
             * COMPASS measure it, at each track update) */
            struct ev_sample at;
            if (c->t->t_state_ms != r->t_state_ms &&
                ev_truth_at(&tr->movers[m->i], c->t->t_state_ms, &at)) {
                hist_add(&e->hist_upd[c->mix],
                         ev_dist_m(at.lat_deg, at.lon_deg, c->t->lat_deg, c->t->lon_deg));
                tv = at.gs_kt * KT_MPS;
                ta = at.track_deg * DEG;
                dve = c->t->ve_mps - tv * sin(ta);
                dvn = c->t->vn_mps - tv * cos(ta);
                e->hist_upd[c->mix].vel_sumsq += dve * dve + dvn * dvn;
            }
            st->sumsq += d * d;
            if (d > st->max_err)
                st->max_err = d;
            st->assoc++;
            count_ids(e, &tr->movers[m->i], m, c->t);
            e->assoc_cycles++;
            r->assoc++;
            /* the track came from another mover: a switch; the reverse
             * switch within the window makes it a swap */
            if (r->assigned && r->assigned != m->i + 1) {
                uint32_t from = r->assigned - 1;
                e->switches++;
                if (e->ms[from].gain_from == m->i + 1 &&
                    now_ms - e->ms[from].gain_t_ms <= cfg->swap_window_ms) {
                    e->swaps++;
                    e->ms[from].gain_from = 0;
                } else {
                    st->gain_from = from + 1;
                    st->gain_t_ms = now_ms;
                }
            } else if (st->track && st->track != tid) {
                /* a track new to this mover, not taken from another: a break */
                st->breaks++;
                e->breaks++;
            }
            if (st->track != tid)
                st->n_tracks++;
            st->track = tid;
            r->assigned = m->i + 1;
            r->mover = m->i + 1;
        }
        st->assoc_prev = tid;
        /* completeness */
        if (!m->expected) {
            st->expected_from = INT64_MIN;
            continue;
        }
        if (st->expected_from == INT64_MIN)
            st->expected_from = now_ms;
        int dark = tr->movers[m->i].kind == EV_AIRCRAFT && !(m->flags & EV_S_TRANSPONDER);
        if (dark && st->dark_from_ms == INT64_MIN)
            st->dark_from_ms = now_ms; /* a sensor could see it dark from now on */
        if (now_ms - st->expected_from < cfg->grace_ms) {
            st->grace++;
            continue;
        }
        st->expected++;
        if (m->c)
            st->covered++;
        if (dark)
            st->dark_counted = 1; /* dark beyond the grace: it should be named */
    }
    /* 6. tracks left: extra or false */
    for (size_t k = 0; k < nt; k++) {
        struct ct *c = &cts[k];
        if (c->m)
            continue;
        uint32_t near = id_mover(e, c->t);
        if (near &&
            ev_dist_m(cms[near - 1].lat, cms[near - 1].lon, c->lat, c->lon) > cfg->id_gate_m)
            near = 0; /* an identity not trusted so far away */
        double best = cfg->gate_m;
        for (size_t j = cm_lower(cms, nm, c->lat - band);
             !near && j < nm && cms[j].lat <= c->lat + band; j++) {
            /* a second track of a mover only if it could be one of it (4):
             * an aircraft's track that strayed near a ship is no ship's */
            if (!compatible(e, c->t, &tr->movers[cms[j].i], cms[j].alt_ft, cms[j].flags))
                continue;
            double d = ev_dist_m(cms[j].lat, cms[j].lon, c->lat, c->lon);
            if (d <= best) {
                best = d;
                near = (uint32_t)j + 1;
            }
        }
        if (near) {
            e->trec[c->r].extra++;
            e->trec[c->r].mover = cms[near - 1].i + 1;
            e->extra_cycles++;
        } else {
            e->trec[c->r].false_++;
            e->false_cycles++;
        }
    }
    /* the estimates judged at their update (5) are not judged again */
    for (size_t k = 0; k < nt; k++)
        e->trec[cts[k].r].t_state_ms = cts[k].t->t_state_ms;

    /* 7. alerts whose parties had no mover yet */
    for (size_t k = e->first_unresolved; k < e->n_alerts; k++) {
        struct ev_arec *a = &e->alerts[k];
        int done = 1;
        for (unsigned p = 0; p < a->n_parties; p++) {
            if (a->mover[p])
                continue;
            const struct ev_trec *r = trec_find(e, a->track[p]);
            if (r && r->mover)
                a->mover[p] = r->mover;
            else if (now_ms - a->t_open_ms <= cfg->src_recent_ms)
                done = 0; /* may still be associated: wait a little */
        }
        if (done && k == e->first_unresolved)
            e->first_unresolved++;
    }
    return 0;
}

static int64_t clamp_ms(int64_t t)
{
    return t < -TIME_LIMIT_MS ? -TIME_LIMIT_MS : t > TIME_LIMIT_MS ? TIME_LIMIT_MS : t;
}

void ev_alert(struct ev *e, const struct det_alert *a)
{
    if (!e || !a)
        return;
    /* the live record of this alert id: searched from the newest */
    for (size_t k = e->n_alerts; k-- > 0;) {
        struct ev_arec *r = &e->alerts[k];
        if (r->id != a->id)
            continue;
        if (a->severity > r->sev_max)
            r->sev_max = a->severity;
        if (a->state == DET_ST_CLEARED && !r->cleared) {
            r->cleared = 1;
            r->t_clear_ms = clamp_ms(a->t_change_ms);
        }
        return;
    }
    if (a->state == DET_ST_CLEARED || a->state == DET_ST_FREE)
        return; /* opened before evaluation began */
    if (GROW_ARRAY(&e->alerts, &e->cap_alerts, e->n_alerts + 1, 64)) {
        e->incomplete = 1;
        return;
    }
    struct ev_arec *r = &e->alerts[e->n_alerts++];
    memset(r, 0, sizeof *r);
    r->id = a->id;
    r->rule = a->rule;
    r->sev_max = a->severity;
    r->t_open_ms = clamp_ms(a->t_open_ms);
    r->t_clear_ms = INT64_MAX;
    r->n_parties = a->n_parties > 2 ? 2 : a->n_parties;
    for (unsigned p = 0; p < r->n_parties; p++) {
        r->track[p] = a->parties[p].track_id;
        const struct ev_trec *t = trec_find(e, r->track[p]);
        if (t && t->mover)
            r->mover[p] = t->mover;
    }
}
