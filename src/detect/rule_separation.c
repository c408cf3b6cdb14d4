/*
 * rule_separation.c — SEPARATION: two aircraft closer than the minima now
 * (actual loss, WARNING), or predicted to lose both minima at once at a
 * time within the look-ahead along straight lines (hypothesis "straight":
 * constant velocity from the tracker's estimate, CAUTION; the loss begins
 * where the interval within the horizontal minimum, between the roots of
 * a quadratic, meets the one within the vertical minimum: STCA's
 * state-based check, docs/detect.md) or, when one of them turns, along its
 * measured turn rate (hypothesis "turning", sampled every 2 s); NEAR_MISS (ALERT) is the same pair
 * closer than nm_h_m and nm_v_ft now.
 *
 * Level-off (EUROCONTROL's STCA guidance, ../shared/docs/surveillance.md:
 * straight-line prediction alone gives nuisance alerts where traffic climbs
 * or descends to levels 1,000-2,000 ft apart): a track climbing or
 * descending with a fresh selected altitude ahead of it (TRK_F_SEL_ALT, from
 * ADS-B target state or BDS 4,0) is predicted to hold its vertical rate
 * until the selected altitude plus level_off_margin_ft of overshoot, then
 * fly level. For a pair with such a track the level-off profile (a
 * vertical gap linear by pieces) replaces the straight vertical line: a
 * straight-line conflict that the level-off clears is
 * not raised (stats.level_off_cleared), a conflict only the level-off
 * shows (a descent stopping at the other's level) is raised with
 * hypothesis "level-off" ("turning+level-off" with a turn). Minima: ICAO Doc 4444 radar separation
 * (5 NM, 1,000 ft; 2,000 ft above high_fl, see docs/detect.md for why FL410 and not FL290);
 * ../shared/docs/domain.md section 2. A track without altitude (primary only) is judged
 * horizontally and the text says "altitude unknown". Key: the two track ids, lower first.
 *
 *
 * Manoeuvring area (hypothesis "manoeuvring", docs/detect.md): a track
 * without transponder (no altitude, no reply in 30 s) whose turn was
 * measured within man_window_ms is predicted to stay on the path it flew
 * in that window (a racetrack, low passes, an orbit), no farther at t from
 * where it is now than it flies in t; the other flies straight. Memory:
 * struct det_man_tab (det_new), read only for tracks with a measured turn
 * and the table's members (a filter of bits by id).
 *
 * Formation exemption (docs/detect.md, invariant S1): an interceptor or
 * escort takes station beside the aircraft it escorts (ICAO Annex 2
 * Appendix 2, Doc 9433), a proximity that is intended. A pair with both
 * altitudes known, within form_h_m and form_v_ft now, ground and vertical
 * velocity within form_dv_mps of each other, at every evaluation for at
 * least form_min_ms, raises no SEPARATION below NEAR_MISS (stats.
 * formation_exempt). Decided from the tracks' behaviour, per pair: an
 * evaluation without the formation ends the run, and the next one starts
 * from zero (a pair that splits and converges again alerts). Memory: a
 * table allocated by det_new (struct det_form_tab), touched only for
 * pairs in formation now.
 *
 * Cost: each eligible track looks only at the grid cells (detect.c) within
 * the distance the pair can close in the look-ahead, so the work grows
 * with the traffic near each track, not with all pairs.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "detect/rule.h"
#include "geo/geo.h"

#define FT 0.3048

/* Position at t (s) of a track at p with velocity v turning at w (rad/s,
 * + = right), on a circle (or a line when w is 0). */
static void arc(const struct geo_enu *p, const struct geo_enu *v, double w, double t, double *e,
                double *n)
{
    if (w == 0.0) {
        *e = p->e_m + v->e_m * t;
        *n = p->n_m + v->n_m * t;
        return;
    }
    double wc = -w; /* counter-clockwise positive */
    double sn = sin(wc * t), cs = cos(wc * t), a = sn / wc, b = (1.0 - cs) / wc;
    *e = p->e_m + a * v->e_m - b * v->n_m;
    *n = p->n_m + b * v->e_m + a * v->n_m;
}

/* A vertical profile: z0 + vz t, or, with a level-off, that until t_lo
 * and z_lo after (m, m/s, s). */
struct vprof {
    double z0, vz;
    int lo;
    double z_lo, t_lo;
};

static double z_at(const struct vprof *p, double t)
{
    return (p->lo && t >= p->t_lo) ? p->z_lo : p->z0 + p->vz * t;
}

/* The profile of a track at z0 m climbing at vz m/s, whose altitude is
 * alt_ft and selected altitude sel_ft (NAN: not known, or its altitude
 * not known: det_ctx.sel_alt_ft): levelling off when cfg allows it and the
 * selected altitude lies ahead of its vertical motion (a selected altitude
 * behind it is stale or being changed: no level-off). */
static void profile(const struct det_config *cfg, double alt_ft, double sel_ft, double z0,
                    double vz, struct vprof *p)
{
    p->z0 = z0;
    p->vz = vz;
    p->lo = 0;
    p->z_lo = p->t_lo = 0;
    if (!cfg->level_off || sel_ft != sel_ft) /* NAN: none */
        return;
    double sel = sel_ft;
    if (!((vz > 0 && sel > alt_ft) || (vz < 0 && sel < alt_ft)))
        return;
    double z_lo = (sel + (vz > 0 ? 1.0 : -1.0) * cfg->level_off_margin_ft) * FT;
    p->lo = 1;
    p->z_lo = z_lo;
    p->t_lo = (z_lo - z0) / vz; /* > 0: z_lo lies ahead */
}

/* 1 when one of the profiles has levelled off before t: the level-off
 * changes the prediction at t. */
static int levelled(const struct vprof *a, const struct vprof *b, double t)
{
    return (a->lo && t > a->t_lo) || (b->lo && t > b->t_lo);
}

/* The times t at which |x0 + xv t| < lim (a linear gap: m, m/s): 1 and
 * the open interval (*lo, *hi), all times when xv is ~0 and |x0| < lim;
 * 0: none. */
static int below_linear(double x0, double xv, double lim, double *lo, double *hi)
{
    if (!(fabs(xv) > 1e-9)) { /* no relative motion: as now for ever */
        *lo = -1e300;
        *hi = 1e300;
        return fabs(x0) < lim;
    }
    double a = (-lim - x0) / xv, b = (lim - x0) / xv;
    *lo = a < b ? a : b;
    *hi = a < b ? b : a;
    return 1;
}

/* The times t at which two straight lines (relative position de, dn,
 * relative velocity dve, dvn; m, m/s) are closer than sep_m: the roots of
 * |d + v t|^2 = sep^2 (the stable form of the quadratic), all times when
 * the relative speed is ~0 (the same 1e-6 as closest_within: the pair
 * loop's prefilter decides alike). 1 and (*lo, *hi), else 0. */
static int below_horizontal(double de, double dn, double dve, double dvn, double sep_m, double *lo,
                            double *hi)
{
    double a = dve * dve + dvn * dvn, b = de * dve + dn * dvn;
    double c = de * de + dn * dn - sep_m * sep_m;
    if (!(a > 1e-6)) {
        *lo = -1e300;
        *hi = 1e300;
        return c < 0;
    }
    double disc = b * b - a * c;
    if (!(disc > 0))
        return 0;
    double q = -(b + (b < 0 ? -sqrt(disc) : sqrt(disc))); /* no cancellation */
    double r1 = q / a, r2 = q != 0.0 ? c / q : -r1;
    *lo = r1 < r2 ? r1 : r2;
    *hi = r1 < r2 ? r2 : r1;
    return 1;
}

/* The straight horizontal paths with the vertical profiles zi, zj (alt 0:
 * altitudes unknown, horizontal only) over (0, T]: the pair has lost both
 * minima at t when it is within sep_m horizontally (below_horizontal) and
 * within vmin_m vertically. With a level-off the vertical gap is
 * piecewise linear (a piece before, between and after the level-offs
 * within T: up to three), each piece judged on its own. 1 and the time
 * the loss begins (*t_in, the start of the first piece of loss), and the
 * closest horizontal approach while the loss lasts within T (*t_c: on
 * each piece the unconstrained closest approach clamped to the piece;
 * the distance is convex in t), else 0. */
static int straight_loss(double de, double dn, double dve, double dvn, const struct vprof *zi,
                         const struct vprof *zj, int alt, double T, double sep_m, double vmin_m,
                         double *t_in, double *t_c)
{
    double hlo, hhi;
    if (!below_horizontal(de, dn, dve, dvn, sep_m, &hlo, &hhi) || hhi <= 0.0 || hlo >= T)
        return 0;
    /* the pieces' edges: now, the level-offs within (0, T), T */
    double edge[4] = {0.0, T, T, T};
    size_t ne = 1;
    if (alt) {
        double b1 = zi->lo && zi->t_lo > 0.0 && zi->t_lo < T ? zi->t_lo : T;
        double b2 = zj->lo && zj->t_lo > 0.0 && zj->t_lo < T ? zj->t_lo : T;
        edge[ne++] = b1 < b2 ? b1 : b2;
        edge[ne++] = b1 < b2 ? b2 : b1;
    }
    edge[ne++] = T;
    double vv = dve * dve + dvn * dvn;
    double tstar = vv > 1e-6 ? -(de * dve + dn * dvn) / vv : 0.0;
    int found = 0;
    double best = 0.0;
    for (size_t s = 0; s + 1 < ne; s++) {
        double s0 = edge[s], s1 = edge[s + 1];
        if (!(s1 > s0))
            continue;
        double lo = hlo > s0 ? hlo : s0, hi = hhi < s1 ? hhi : s1;
        if (alt) {
            /* the gap on this piece: its value at s0 and its slope */
            double m = 0.5 * (s0 + s1);
            double ri = zi->lo && m >= zi->t_lo ? 0.0 : zi->vz;
            double rj = zj->lo && m >= zj->t_lo ? 0.0 : zj->vz;
            double vlo, vhi;
            if (!below_linear(z_at(zj, s0) - z_at(zi, s0), rj - ri, vmin_m, &vlo, &vhi))
                continue;
            lo = lo > s0 + vlo ? lo : s0 + vlo;
            hi = hi < s0 + vhi ? hi : s0 + vhi;
        }
        if (!(lo < hi))
            continue;
        double tc = tstar < lo ? lo : tstar > hi ? hi : tstar;
        double ce = de + dve * tc, cn = dn + dvn * tc, d2 = ce * ce + cn * cn;
        if (!found) {
            *t_in = lo;
            *t_c = tc;
            best = d2;
            found = 1;
        } else if (d2 < best) {
            *t_c = tc;
            best = d2;
        }
    }
    return found;
}

/* One track under the turning hypothesis: on its circle while the turn
 * lasts (until its heading has changed by the configured maximum), then
 * straight on along the heading it reached. */
struct turn_path {
    struct geo_enu p, v;                 /* start and velocity */
    double w;                            /* turn rate, rad/s (+ = right); 0: straight */
    double t_end;                        /* the turn ends here (s) */
    double s, c, rs, rc;                 /* sin and cos of -w t now, and of the rotation per step */
    double e_end, n_end, ve_end, vn_end; /* at t_end: position and velocity */
};

static void turn_path_init(struct turn_path *q, const struct geo_enu *p, const struct geo_enu *v,
                           double w, double max_turn_rad, double step)
{
    q->p = *p;
    q->v = *v;
    q->w = w;
    q->s = 0.0;
    q->c = 1.0;
    q->rs = sin(-w * step);
    q->rc = cos(-w * step);
    q->t_end = w != 0.0 ? max_turn_rad / fabs(w) : 1e300;
    if (w != 0.0) {
        arc(p, v, w, q->t_end, &q->e_end, &q->n_end);
        double se = sin(-w * q->t_end), ce = cos(-w * q->t_end);
        q->ve_end = ce * v->e_m - se * v->n_m;
        q->vn_end = se * v->e_m + ce * v->n_m;
    }
}

/* Advance by one step to time t and give the position. */
static void turn_path_step(struct turn_path *q, double t, double *e, double *n)
{
    if (q->w == 0.0) {
        *e = q->p.e_m + q->v.e_m * t;
        *n = q->p.n_m + q->v.n_m * t;
        return;
    }
    if (t >= q->t_end) {
        *e = q->e_end + q->ve_end * (t - q->t_end);
        *n = q->n_end + q->vn_end * (t - q->t_end);
        return;
    }
    double x = q->s * q->rc + q->c * q->rs;
    q->c = q->c * q->rc - q->s * q->rs;
    q->s = x;
    double a = q->s / -q->w, b = (1.0 - q->c) / -q->w;
    *e = q->p.e_m + a * q->v.e_m - b * q->v.n_m;
    *n = q->p.n_m + b * q->v.e_m + a * q->v.n_m;
}

/* The turning hypothesis, sampled every 2 s up to T: each turning track
 * keeps its measured rate until its heading has changed by max_turn_rad,
 * then flies straight. 1 and the first time (*t_s) and horizontal
 * distance (*h_m) at which both minima are broken (vmin_m < 0: altitude
 * unknown, horizontal only), else 0. The angles advance by a fixed
 * rotation per step (no sine per sample). */
static int turning_loss(const struct geo_enu *pi, const struct geo_enu *vi, double wi,
                        const struct vprof *zi, const struct geo_enu *pj, const struct geo_enu *vj,
                        double wj, const struct vprof *zj, double T, double max_turn_rad,
                        double sep_m, double vmin_m, double *t_s, double *h_m)
{
    const double step = 2.0;
    struct turn_path qi, qj;
    turn_path_init(&qi, pi, vi, wi, max_turn_rad, step);
    turn_path_init(&qj, pj, vj, wj, max_turn_rad, step);
    double sep2 = sep_m * sep_m;
    for (double t = step; t <= T + 1e-9; t += step) {
        double ei, ni, ej, nj;
        turn_path_step(&qi, t, &ei, &ni);
        turn_path_step(&qj, t, &ej, &nj);
        double de = ej - ei, dn = nj - ni, h2 = de * de + dn * dn;
        if (h2 >= sep2)
            continue;
        double dz = fabs(z_at(zj, t) - z_at(zi, t));
        if (vmin_m < 0 || dz < vmin_m) {
            *t_s = t;
            *h_m = sqrt(h2);
            return 1;
        }
    }
    return 0;
}

/* Formation memory (struct det_form_tab, rule.h). An entry is stale when
 * the pair was not in formation at the previous evaluation (nor at this
 * one): its run is over, and its bucket may be taken by another pair. */
static int form_stale(const struct det_ctx *c, const struct det_form_pair *p)
{
    return p->seen_eval + 1 < c->eval_no;
}

/* The bucket of (lo, hi) in tab: its entry, else the first stale bucket on
 * its probe path, else the empty bucket ending it. */
static struct det_form_pair *form_slot(const struct det_ctx *c, struct det_form_pair *tab,
                                       size_t mask, uint32_t lo, uint32_t hi)
{
    uint64_t k = ((uint64_t)lo << 32 | hi) * 0x9E3779B97F4A7C15ull;
    size_t h = (size_t)(k >> 20) & mask;
    struct det_form_pair *reuse = NULL;
    for (; tab[h].lo; h = (h + 1) & mask) {
        if (tab[h].lo == lo && tab[h].hi == hi)
            return &tab[h];
        if (!reuse && form_stale(c, &tab[h]))
            reuse = &tab[h];
    }
    return reuse ? reuse : &tab[h];
}

/* Move the live entries into the scratch table and swap: the stale ones
 * are dropped. Only when the table is full (O(buckets)). */
static void form_compact(const struct det_ctx *c)
{
    struct det_form_tab *ft = c->form;
    memset(ft->tmp, 0, (ft->mask + 1) * sizeof *ft->tmp);
    size_t used = 0;
    for (size_t h = 0; h <= ft->mask; h++) {
        if (!ft->tab[h].lo || form_stale(c, &ft->tab[h]))
            continue;
        *form_slot(c, ft->tmp, ft->mask, ft->tab[h].lo, ft->tab[h].hi) = ft->tab[h];
        used++;
    }
    struct det_form_pair *t = ft->tab;
    ft->tab = ft->tmp;
    ft->tmp = t;
    ft->used = used;
}

/* The pair (lo, hi) is in formation now: extend its run (or begin one) and
 * return 1 when the run has lasted form_min_ms. A pair the full table
 * cannot remember is not exempt (stats.form_full). */
static int formation_held(const struct det_ctx *c, uint32_t lo, uint32_t hi)
{
    struct det_form_tab *ft = c->form;
    struct det_form_pair *p = form_slot(c, ft->tab, ft->mask, lo, hi);
    if (!p->lo && ft->used >= ft->cap) {
        form_compact(c);
        p = form_slot(c, ft->tab, ft->mask, lo, hi);
        if (!p->lo && ft->used >= ft->cap) {
            c->stats->form_full++;
            return 0;
        }
    }
    if (!p->lo)
        ft->used++;
    if (p->lo != lo || p->hi != hi || form_stale(c, p)) { /* a new run */
        p->lo = lo;
        p->hi = hi;
        p->since_ms = c->now_ms;
    }
    p->seen_eval = c->eval_no;
    return c->now_ms - p->since_ms >= c->cfg->form_min_ms;
}

/* ------------------------------------------------ manoeuvring areas */

/* A track without transponder that turns (docs/detect.md): no altitude
 * (judged horizontally) and no transponder reply within the last 30 s, a
 * target nobody knows the intent of. */
static int non_cooperative(const struct det_ctx *c, size_t i)
{
    if (c->alt_ft[i] == c->alt_ft[i])
        return 0;
    int64_t t_ms;
    return det_last_reply(&c->tracks[i], &t_ms) < 0 || t_ms < c->now_ms - 30000;
}

#define MAN_EVERY_MS 10000 /* a point per radar scan of 10 s: a racetrack's turn in 4-5 points */
#define MAN_SEED_S   60.0  /* the leg it came in on, drawn back along its velocity */
/* A turn of at least 1 deg/s (a third of a standard-rate turn) marks a
 * manoeuvre: a radar-only track's measured course wanders at less from the
 * plots' noise alone while it flies straight (bench_picture's primary-only
 * traffic: 0.5-1 deg/s readings raised alerts behind straight tracks). */
#define MAN_MIN_RPS (1.0 * DET_PI / 180.0)
/* and the hypothesis applies once one turn, measured without a break, has
 * changed the course by 30 degrees: radar noise turns a straight track's
 * course by a few degrees over a scan or two, a manoeuvre by far more (the
 * smallest turn of baltic-sea's racetrack is 31 degrees) */
#define MAN_TURN_DEG 30.0

int det_man_init(struct det_man_tab *m, size_t cap)
{
    memset(m, 0, sizeof *m);
    size_t b = 1;
    while (b < 2 * cap)
        b <<= 1;
    m->mask = b - 1;
    m->cap = cap;
    m->bmask = 64 * b - 1; /* 32 bits per entry held: few false hits */
    m->tab = calloc(b, sizeof *m->tab);
    m->tmp = calloc(b, sizeof *m->tmp);
    m->bits = calloc(b, sizeof *m->bits);
    return m->tab && m->tmp && m->bits ? 0 : CAIRN_E_NOMEM;
}

void det_man_fini(struct det_man_tab *m)
{
    free(m->tab);
    free(m->tmp);
    free(m->bits);
    memset(m, 0, sizeof *m);
}

static uint64_t man_hash(uint32_t id)
{
    return (uint64_t)id * 0x9E3779B97F4A7C15ull;
}

static int man_bit(const struct det_man_tab *m, uint32_t id)
{
    size_t b = (size_t)(man_hash(id) >> 24) & m->bmask;
    return (int)(m->bits[b >> 6] >> (b & 63)) & 1;
}

static void man_set_bit(struct det_man_tab *m, uint32_t id)
{
    size_t b = (size_t)(man_hash(id) >> 24) & m->bmask;
    m->bits[b >> 6] |= 1ull << (b & 63);
}

/* Stale: not updated at the previous evaluation (nor this one), or no turn
 * within the window. */
static int man_stale(const struct det_ctx *c, const struct det_man_track *e)
{
    return e->seen_eval + 1 < c->eval_no || c->now_ms - e->t_turn_ms > c->cfg->man_window_ms;
}

/* The bucket of id in tab: its entry, else the first stale bucket on its
 * probe path, else the empty bucket ending it. */
static struct det_man_track *man_slot(const struct det_ctx *c, struct det_man_track *tab,
                                      size_t mask, uint32_t id)
{
    size_t h = (size_t)(man_hash(id) >> 20) & mask;
    struct det_man_track *reuse = NULL;
    for (; tab[h].id; h = (h + 1) & mask) {
        if (tab[h].id == id)
            return &tab[h];
        if (!reuse && man_stale(c, &tab[h]))
            reuse = &tab[h];
    }
    return reuse ? reuse : &tab[h];
}

/* man_find past its filter. */
static const struct det_man_track *man_find_in(const struct det_ctx *c, uint32_t id)
{
    const struct det_man_tab *m = c->man;
    size_t h = (size_t)(man_hash(id) >> 20) & m->mask;
    for (; m->tab[h].id; h = (h + 1) & m->mask)
        if (m->tab[h].id == id)
            return man_stale(c, &m->tab[h]) || !m->tab[h].t_active_ms ||
                           c->now_ms - m->tab[h].t_active_ms > c->cfg->man_window_ms
                       ? NULL
                       : &m->tab[h];
    return NULL;
}

/* The live (not stale) entry of id whose hypothesis applies (a turn of
 * MAN_TURN_DEG within the window), or NULL: inline as far as the filter,
 * which says no for nearly every track of the pair loop. */
static inline const struct det_man_track *man_find(const struct det_ctx *c, uint32_t id)
{
    const struct det_man_tab *m = c->man;
    if (!c->cfg->man_area || !m->n_active || !man_bit(m, id))
        return NULL;
    return man_find_in(c, id);
}

static void man_compact(const struct det_ctx *c)
{
    struct det_man_tab *m = c->man;
    memset(m->tmp, 0, (m->mask + 1) * sizeof *m->tmp);
    size_t used = 0;
    for (size_t h = 0; h <= m->mask; h++) {
        if (!m->tab[h].id || man_stale(c, &m->tab[h]))
            continue;
        *man_slot(c, m->tmp, m->mask, m->tab[h].id) = m->tab[h];
        used++;
    }
    struct det_man_track *t = m->tab;
    m->tab = m->tmp;
    m->tmp = t;
    m->used = used;
}

static void man_point(struct det_man_track *e, double lat, double lon, int64_t t_ms)
{
    e->pt[e->head] = (struct det_man_pt){lat, lon, t_ms};
    e->head = (uint8_t)((e->head + 1) % DET_MAN_PTS);
    if (e->n < DET_MAN_PTS)
        e->n++;
}

/* Once per evaluation, before the pairs: every non-cooperative track
 * whose turn is measured now enters the table (or stays in it), and every
 * track in it adds a point to its path every MAN_EVERY_MS. Reads the
 * tracks with a turn or a filter hit only; the filter is rebuilt from the
 * entries still live. */
static void man_update(const struct det_ctx *c)
{
    struct det_man_tab *m = c->man;
    size_t n_active = 0;
    memset(m->bits, 0, (m->bmask + 1) / 8);
    for (size_t h = 0; h <= m->mask; h++)
        if (m->tab[h].id && !man_stale(c, &m->tab[h]))
            man_set_bit(m, m->tab[h].id);
    for (size_t i = 0; i < c->n; i++) {
        if (!c->air[i])
            continue;
        int turn = fabs(c->turn_rps[i]) >= MAN_MIN_RPS;
        /* a course that swung by MAN_TURN_DEG within a minute, even in a
         * turn finished between two plots that the rate did not confirm */
        double ref = c->course_ref ? c->course_ref[i] : NAN;
        double swing = isfinite(ref) ? fabs(det_course_diff(c->course_deg[i], ref)) : 0.0;
        int swung = swing >= MAN_TURN_DEG;
        if (!turn && !swung && !man_bit(m, c->id[i]))
            continue;
        if (!non_cooperative(c, i))
            continue;
        uint32_t id = c->id[i];
        struct det_man_track *e = man_slot(c, m->tab, m->mask, id);
        int known = e->id == id && !man_stale(c, e);
        if (!known && !turn && !swung)
            continue;
        if (!e->id && m->used >= m->cap) {
            if (m->compacted_eval != c->eval_no) { /* at most once per evaluation */
                m->compacted_eval = c->eval_no;
                man_compact(c);
                e = man_slot(c, m->tab, m->mask, id);
            }
            if (!e->id && m->used >= m->cap) {
                c->stats->man_full++;
                continue;
            }
        }
        if (!e->id)
            m->used++;
        if (!known) { /* a new path: the leg it came in on, then here */
            memset(e, 0, sizeof *e);
            e->id = id;
            const struct trk_track *t = &c->tracks[i];
            double back = (double)(c->now_ms - t->t_first_ms) / 1000.0;
            if (!(back < MAN_SEED_S))
                back = MAN_SEED_S;
            /* along the velocity, or, when the turn is over already, along
             * the course before it */
            double ve = c->ve[i], vn = c->vn[i];
            if (swung && !turn) {
                double gs = sqrt(ve * ve + vn * vn), a = ref * (DET_PI / 180.0);
                ve = gs * sin(a);
                vn = gs * cos(a);
            }
            if (back > 0)
                man_point(e, c->lat[i] - vn * back / c->m_lat[i],
                          c->lon[i] - ve * back / c->m_lon[i],
                          c->now_ms - (int64_t)(back * 1000.0));
            man_set_bit(m, id);
        }
        e->seen_eval = c->eval_no;
        if (turn || swung)
            e->t_turn_ms = c->now_ms;
        if (c->turn_rps[i] != 0.0 && known) { /* the turn goes on */
            double dt = (double)(c->now_ms - e->t_upd_ms) / 1000.0;
            e->turned_deg += fabs(c->turn_rps[i]) * (180.0 / DET_PI) * (dt < 30.0 ? dt : 30.0);
        } else if (c->turn_rps[i] == 0.0) {
            e->turned_deg = 0.0;
        }
        if (e->turned_deg >= MAN_TURN_DEG || swung)
            e->t_active_ms = c->now_ms;
        e->t_upd_ms = c->now_ms;
        if (e->t_active_ms)
            n_active++;
        const struct det_man_pt *last = &e->pt[(e->head + DET_MAN_PTS - 1) % DET_MAN_PTS];
        if (!known || c->now_ms - last->t_ms >= MAN_EVERY_MS)
            man_point(e, c->lat[i], c->lon[i], c->now_ms);
    }
    m->n_active = n_active;
}

/* The manoeuvring hypothesis for track e (now at lat, lon; origin pm of
 * the pair's plane, ml and mo metres per degree) against the other track
 * flying straight from po at vo: the path e flew within the window, cut
 * to the points within reach_m of where it is now (it cannot be farther
 * within the look-ahead), and where it is now, make a line; sampled every
 * 2 s up to T, the first time the other is within sep_m of the part of
 * that line within reach_m * t / T of where the track is now (it cannot
 * be farther along its path by then).
 * 1 and the time and distance, else 0. Horizontal only: the track has no
 * altitude. */
static double closest_within(double de, double dn, double dve, double dvn, double T);

static int man_loss(const struct det_ctx *c, const struct det_man_track *e, double lat, double lon,
                    double ml, double mo, const struct geo_enu *pm, const struct geo_enu *po,
                    const struct geo_enu *vo, double T, double reach_m, double sep_m, double *t_s,
                    double *h_m)
{
    double pe[DET_MAN_PTS + 1], pn[DET_MAN_PTS + 1], r2[DET_MAN_PTS + 1];
    size_t np = 0;
    int64_t from = c->now_ms - c->cfg->man_window_ms;
    for (unsigned k = 0; k < e->n; k++) {
        const struct det_man_pt *p = &e->pt[(e->head + DET_MAN_PTS - e->n + k) % DET_MAN_PTS];
        if (p->t_ms < from || p->t_ms > c->now_ms)
            continue;
        double x = (p->lon - lon) * mo, y = (p->lat - lat) * ml;
        if (x * x + y * y > reach_m * reach_m)
            continue;
        pe[np] = pm->e_m + x;
        pn[np] = pm->n_m + y;
        r2[np] = x * x + y * y;
        np++;
    }
    pe[np] = pm->e_m;
    pn[np] = pm->n_m;
    r2[np] = 0.0;
    np++;
    /* the path lies within rmax of where the track is now: an other whose
     * line stays farther than the minimum from that circle meets none of it */
    double rmax2 = 0.0;
    for (size_t k = 0; k < np; k++)
        rmax2 = r2[k] > rmax2 ? r2[k] : rmax2;
    double rmax = sqrt(rmax2), de = po->e_m - pm->e_m, dn = po->n_m - pm->n_m;
    if (closest_within(de, dn, vo->e_m, vo->n_m, T) >= sep_m + rmax)
        return 0;
    const double step = 2.0;
    double sep2 = sep_m * sep_m;
    for (double t = step; t <= T + 1e-9; t += step) {
        double x = po->e_m + vo->e_m * t, y = po->n_m + vo->n_m * t, best = 1e300;
        double rt = reach_m * t / T, rt2 = rt * rt;
        double ox = x - pm->e_m, oy = y - pm->n_m, lim = sep_m + (rt < rmax ? rt : rmax);
        if (ox * ox + oy * oy >= lim * lim) /* beyond every usable point */
            continue;
        for (size_t k = 0; k < np; k++) {
            /* at t it can be no farther from where it is now than it
             * flies in t: the parts of its path beyond are not there yet */
            if (r2[k] > rt2 || (k + 1 < np && r2[k + 1] > rt2))
                continue;
            double ax = pe[k], ay = pn[k], dx = 0, dy = 0, u = 0;
            if (k + 1 < np) {
                dx = pe[k + 1] - ax;
                dy = pn[k + 1] - ay;
                double ll = dx * dx + dy * dy;
                if (ll > 0) {
                    u = ((x - ax) * dx + (y - ay) * dy) / ll;
                    u = u < 0 ? 0 : u > 1 ? 1 : u;
                }
            }
            double qx = ax + u * dx - x, qy = ay + u * dy - y, d2 = qx * qx + qy * qy;
            if (d2 < best)
                best = d2;
        }
        if (best < sep2) {
            *t_s = t;
            *h_m = sqrt(best);
            return 1;
        }
    }
    return 0;
}

/* How far a manoeuvring track at gs m/s can be from where it is now within
 * T s: the part of its path the hypothesis keeps (and the pair loop's
 * bound). */
static double man_reach(const struct det_config *cfg, double gs, double T)
{
    if (!(gs >= 0) || gs > cfg->max_speed_mps)
        gs = cfg->max_speed_mps;
    return gs * T;
}

static const char *hyp_text(const char *hyp)
{
    if (strcmp(hyp, "straight") == 0)
        return "straight line";
    if (strcmp(hyp, "turning") == 0)
        return "turning at the measured rate";
    if (strcmp(hyp, "level-off") == 0)
        return "levelling off at the selected altitude";
    if (strcmp(hyp, "manoeuvring") == 0)
        return "staying in its manoeuvring area";
    return "turning and levelling off"; /* "turning+level-off": kept short for the text */
}

/* The per-track values the pair loop and check_pair read, either in the
 * grid's order (position q holds track order[q]) or by track index (order
 * NULL: the all-pairs mode). */
struct view {
    const double *lat, *lon, *gs, *alt, *vrate, *ve, *vn, *mlat, *mlon, *turn, *sel;
    const uint8_t *air;
    const uint32_t *id;
    const uint32_t *order;
};

/* Pairs waiting for check_pair (pair_defer), oldest first. */
#define SEP_AHEAD 8

struct pair_arg {
    const struct det_ctx *c;
    int rc;
    double ml, mo, gs, T; /* metres per degree at track i, its speed, the look-ahead (s) */
    double hk;            /* 1 + the hysteresis margin: the bounds of an alert kept open */
    struct {
        uint32_t k, q;
        uint64_t key;
    } wait[SEP_AHEAD];
    size_t n_wait, first_wait;
};

/* The pair of the tracks at positions k and q of the view (k first): its
 * values from the view's arrays, read one after the other by the pair
 * loop, the tracks themselves only for a report. */
static void check_pair(struct pair_arg *pa, const struct view *v, size_t k, size_t q)
{
    const struct det_ctx *c = pa->c;
    const struct det_config *cfg = c->cfg;
    size_t i = v->order ? v->order[k] : k, j = v->order ? v->order[q] : q;
    /* the scale of det_pair_scale, in its order of operations */
    double ml = 0.5 * (v->mlat[k] + v->mlat[q]), mo = 0.5 * (v->mlon[k] + v->mlon[q]);
    double mlat = (v->lat[k] + v->lat[q]) / 2.0;
    double alt_a = v->alt[k], alt_b = v->alt[q]; /* NAN: not known (TRK_F_ALT) */
    int alt = alt_a == alt_a && alt_b == alt_b;
    struct geo_enu pi = {0, 0, alt ? alt_a * FT : 0};
    struct geo_enu pj = {(v->lon[q] - v->lon[k]) * mo, (v->lat[q] - v->lat[k]) * ml,
                         alt ? alt_b * FT : 0};
    /* the view's vertical rate is the track's when its altitude is known */
    struct geo_enu vi = {v->ve[k], v->vn[k], alt ? v->vrate[k] * FT / 60.0 : 0};
    struct geo_enu vj = {v->ve[q], v->vn[q], alt ? v->vrate[q] * FT / 60.0 : 0};
    struct geo_cpa cpa;
    geo_cpa(&pi, &vi, &pj, &vj, &cpa);
    double now_v_ft = alt ? fabs(alt_a - alt_b) : -1.0;
    double cpa_v_ft = alt ? cpa.vert_m / FT : -1.0;
    double top = alt_a > alt_b ? alt_a : alt_b;
    double vmin = (alt && top > (double)(cfg->high_fl * 100)) ? cfg->sep_v_high_ft : cfg->sep_v_ft;
    double T = (double)cfg->lookahead_ms / 1000.0;
    uint32_t id_a = v->id[k], id_b = v->id[q];
    uint32_t lo = id_a < id_b ? id_a : id_b, hi = id_a < id_b ? id_b : id_a;
    uint64_t key = ((uint64_t)lo << 32) | hi;
    /* Hysteresis: a pair already in alert stays in it until the prediction
     * clears the look-ahead and both minima by the margin sep_hyst, so a
     * closest approach near a threshold does not open, clear and open
     * again. */
    double hk = det_live(c, DET_RULE_SEPARATION, key) ? 1.0 + cfg->sep_hyst : 1.0;
    double sep_h = cfg->sep_h_m * hk, Tp = T * hk;
    vmin *= hk;

    int actual = cpa.now_horiz_m < cfg->sep_h_m && (!alt || now_v_ft < vmin / hk);
    int near = alt && cpa.now_horiz_m < cfg->nm_h_m && now_v_ft < cfg->nm_v_ft;
    int predicted = 0;
    double t_loss = 0.0; /* when the predicted loss begins (s) */
    const char *hyp = "straight";
    /* Vertical profiles: straight lines, or levelling off at a selected
     * altitude (only with both altitudes known). */
    struct vprof zi, zj;
    profile(cfg, alt_a, v->sel[k], pi.u_m, vi.u_m, &zi);
    profile(cfg, alt_b, v->sel[q], pj.u_m, vj.u_m, &zj);
    if (!alt)
        zi.lo = zj.lo = 0;
    if (!actual) {
        /* straight: a loss of both minima that begins within the
         * look-ahead; then, with a level-off before it ends, the
         * level-off profile(s) in place of the straight vertical lines */
        double dve = vj.e_m - vi.e_m, dvn = vj.n_m - vi.n_m, t_in, t_c;
        struct vprof si = zi, sj = zj;
        si.lo = sj.lo = 0;
        predicted = straight_loss(pj.e_m, pj.n_m, dve, dvn, &si, &sj, alt, Tp, sep_h, vmin * FT,
                                  &t_in, &t_c);
        if (alt && ((zi.lo && zi.t_lo < Tp) || (zj.lo && zj.t_lo < Tp))) {
            int lo_pred = straight_loss(pj.e_m, pj.n_m, dve, dvn, &zi, &zj, alt, Tp, sep_h,
                                        vmin * FT, &t_in, &t_c);
            if (predicted && !lo_pred)
                c->stats->level_off_cleared++;
            predicted = lo_pred;
            if (lo_pred && levelled(&zi, &zj, t_in))
                hyp = "level-off";
        }
        if (predicted && hk > 1.0) {
            /* an open alert is held by the margins, but its text and
             * values tell the loss of the minima themselves when the
             * prediction shows one (not "in 0 s" at 5.8 NM) */
            double t_in1, t_c1;
            if (straight_loss(pj.e_m, pj.n_m, dve, dvn, &zi, &zj, alt, Tp, cfg->sep_h_m,
                              vmin / hk * FT, &t_in1, &t_c1)) {
                t_in = t_in1;
                t_c = t_c1;
            }
        }
        if (predicted) {
            t_loss = t_in;
            cpa.t_s = t_c;
            double ce = pj.e_m + dve * t_c, cn = pj.n_m + dvn * t_c;
            cpa.horiz_m = sqrt(ce * ce + cn * cn);
            cpa_v_ft = alt ? fabs(z_at(&zj, t_c) - z_at(&zi, t_c)) / FT : -1.0;
        }
    }
    double w_a = v->turn[k], w_b = v->turn[q];
    if (!actual && !predicted && (w_a != 0.0 || w_b != 0.0)) {
        /* second hypothesis: the turning track(s) keep their measured rate */
        double tl, hl;
        /* a measured turn rate is a short-term fact: its own horizon */
        double Tt = (double)cfg->turn_lookahead_ms / 1000.0 * hk;
        if (Tt > Tp)
            Tt = Tp;
        if (turning_loss(&pi, &vi, w_a, &zi, &pj, &vj, w_b, &zj, Tt,
                         cfg->turn_max_deg * (DET_PI / 180.0), sep_h, alt ? vmin * FT : -1.0, &tl,
                         &hl)) {
            predicted = 1;
            hyp = levelled(&zi, &zj, tl) ? "turning+level-off" : "turning";
            t_loss = tl;
            cpa.t_s = tl;
            cpa.horiz_m = hl;
            cpa_v_ft = alt ? fabs(z_at(&zj, tl) - z_at(&zi, tl)) / FT : -1.0;
        }
    }
    if (!actual && !predicted && cfg->man_area) {
        /* third hypothesis: a manoeuvring track without transponder stays
         * on the path it flew in the window, the other flies straight */
        const struct det_man_track *ea = man_find(c, id_a), *eb = man_find(c, id_b);
        double tl, hl;
        if ((ea && man_loss(c, ea, v->lat[k], v->lon[k], ml, mo, &pi, &pj, &vj, Tp,
                            man_reach(cfg, v->gs[k], Tp), sep_h, &tl, &hl)) ||
            (eb && man_loss(c, eb, v->lat[q], v->lon[q], ml, mo, &pj, &pi, &vi, Tp,
                            man_reach(cfg, v->gs[q], Tp), sep_h, &tl, &hl))) {
            predicted = 1;
            hyp = "manoeuvring";
            t_loss = tl;
            cpa.t_s = tl;
            cpa.horiz_m = hl;
            cpa_v_ft = alt ? fabs(z_at(&zj, tl) - z_at(&zi, tl)) / FT : -1.0;
        }
    }
    if (!actual && !predicted)
        return;
    /* Formation: both altitudes known, close now and flying together (the
     * run goes on through a near miss). Below NEAR_MISS a pair held in
     * formation for form_min_ms is not raised; its open alert clears after
     * the hold. */
    if (cfg->formation && alt && cpa.now_horiz_m < cfg->form_h_m && now_v_ft < cfg->form_v_ft) {
        double dve = vi.e_m - vj.e_m, dvn = vi.n_m - vj.n_m, dvu = vi.u_m - vj.u_m;
        if (dve * dve + dvn * dvn + dvu * dvu < cfg->form_dv_mps * cfg->form_dv_mps &&
            formation_held(c, lo, hi) && !near) {
            c->stats->formation_exempt++;
            return;
        }
    }
    const struct trk_track *a = &c->tracks[i], *b = &c->tracks[j];
    struct det_hit h = {
        .rule = DET_RULE_SEPARATION,
        .severity = near     ? DET_SEV_ALERT
                    : actual ? DET_SEV_WARNING
                             : DET_SEV_CAUTION,
        .key = key,
        .n_parties = 2,
        .parties = {a, b},
        .n_values = 5,
        .values = {{"horiz_nm", cpa.now_horiz_m / 1852.0},
                   {"vert_ft", now_v_ft},
                   {"cpa_s", cpa.t_s},
                   {"cpa_horiz_nm", cpa.horiz_m / 1852.0},
                   {"cpa_vert_ft", cpa_v_ft}},
        .hypothesis = predicted ? hyp : NULL,
    };
    h.sig = h.severity;
    double t = predicted ? t_loss : 0.0; /* the place: where the pair is at the loss */
    h.lat_deg = mlat + t * (vi.n_m + vj.n_m) / 2.0 / ml;
    h.lon_deg = (v->lon[k] + v->lon[q]) / 2.0 + (mo > 1.0 ? t * (vi.e_m + vj.e_m) / 2.0 / mo : 0);
    char wa[80], wb[80], vtxt[48];
    det_label(a, wa, sizeof wa);
    det_label(b, wb, sizeof wb);
    if (predicted) {
        if (alt)
            det_textf(vtxt, sizeof vtxt, "%.0f ft", cpa_v_ft);
        else
            det_textf(vtxt, sizeof vtxt, "altitude unknown");
        det_textf(h.text, sizeof h.text,
                  "Predicted loss of separation in %.0f s (%s): %s and %s, "
                  "%.1f NM and %s at closest approach.",
                  t_loss, hyp_text(hyp), wa, wb, cpa.horiz_m / 1852.0, vtxt);
    } else {
        if (alt)
            det_textf(vtxt, sizeof vtxt, "%.0f ft", now_v_ft);
        else
            det_textf(vtxt, sizeof vtxt, "altitude unknown");
        det_textf(h.text, sizeof h.text, "%s: %s and %s are %.2f NM and %s apart.",
                  near ? "Near miss" : "Loss of separation", wa, wb, cpa.now_horiz_m / 1852.0,
                  vtxt);
    }
    int e = det_report(c, &h);
    if (e && !pa->rc)
        pa->rc = e;
}

/* check_pair for the oldest waiting pair. */
static void pair_run(struct pair_arg *pa, const struct view *v)
{
    size_t w = pa->first_wait;
    pa->first_wait = (w + 1) % SEP_AHEAD;
    pa->n_wait--;
    check_pair(pa, v, pa->wait[w].k, pa->wait[w].q);
}

/* check_pair for the pair at positions k and q, once SEP_AHEAD more pairs
 * have come (or at pair_drain): meanwhile the memory brings what it will
 * read (the tracks, the alert key index, then the alert), so that the
 * misses of several pairs overlap. Pairs are checked in the order they
 * come, and what check_pair does for one pair does not depend on the
 * pairs before it in an evaluation (one report per pair key): the same
 * alerts as checking at once. */
static void pair_defer(struct pair_arg *pa, const struct view *v, size_t k, size_t q)
{
    const struct det_ctx *c = pa->c;
    uint32_t id_a = v->id[k], id_b = v->id[q];
    uint64_t key = id_a < id_b ? ((uint64_t)id_a << 32) | id_b : ((uint64_t)id_b << 32) | id_a;
    det_prefetch(c, DET_RULE_SEPARATION, key, 0);
    /* check_pair reads of the tracks only what a report names */
    det_prefetch_ident(&c->tracks[v->order ? v->order[k] : k]);
    det_prefetch_ident(&c->tracks[v->order ? v->order[q] : q]);
    if (pa->n_wait == SEP_AHEAD)
        pair_run(pa, v);
    size_t w = (pa->first_wait + pa->n_wait) % SEP_AHEAD;
    pa->wait[w].k = (uint32_t)k;
    pa->wait[w].q = (uint32_t)q;
    pa->wait[w].key = key;
    pa->n_wait++;
    if (pa->n_wait > SEP_AHEAD / 2) { /* halfway: its bucket has come */
        size_t h = (pa->first_wait + pa->n_wait - 1 - SEP_AHEAD / 2) % SEP_AHEAD;
        det_prefetch(c, DET_RULE_SEPARATION, pa->wait[h].key, 1);
    }
}

static void pair_drain(struct pair_arg *pa, const struct view *v)
{
    while (pa->n_wait)
        pair_run(pa, v);
}

/* Could the straight lines of i (at the origin, velocity vi) and j break
 * the horizontal minimum now or within the look-ahead, with an open
 * alert's margins (the largest bounds check_pair uses)? A loss that
 * begins within the look-ahead needs the pair within the minimum at some
 * time in it: the closest distance over [0, T] (as closest_within), in the
 * same plane as check_pair, with 0.1 % to spare on the minimum and the
 * look-ahead (the roots of check_pair's quadratic and this minimum round
 * differently), so a pair it drops is one check_pair would not raise
 * under the straight or the level-off hypothesis (both fly the straight
 * horizontal path). */
static int straight_may_conflict(const struct pair_arg *pa, double de, double dn, double dve,
                                 double dvn)
{
    const struct det_config *cfg = pa->c->cfg;
    double sep = cfg->sep_h_m * pa->hk * 1.001, T = pa->T * pa->hk * 1.001;
    /* closest_within's arithmetic, squared (no root) */
    double vv = dve * dve + dvn * dvn, t = 0.0;
    if (vv > 1e-6)
        t = -(de * dve + dn * dvn) / vv;
    t = t < 0.0 ? 0.0 : t > T ? T : t;
    double ce = de + dve * t, cn = dn + dvn * t;
    return ce * ce + cn * cn < sep * sep;
}

/* How far a track turning at w (rad/s) can stray from its straight line
 * within Tt seconds under the turning hypothesis (turning_loss): its
 * velocity differs from the straight one by 2 v sin(phi / 2), phi the
 * heading turned so far (at most |w| Tt and max_turn_rad), so the
 * distance is at most Tt times that. 0 for a straight track. */
static double turn_stray(double gs, double w, double Tt, double max_turn_rad)
{
    if (w == 0.0)
        return 0.0;
    double phi = fabs(w) * Tt;
    if (phi > max_turn_rad)
        phi = max_turn_rad;
    if (phi > DET_PI)
        phi = DET_PI;
    return 2.0 * gs * Tt * sin(0.5 * phi);
}

/* The closest approach of two straight lines (relative position de, dn,
 * relative velocity dve, dvn) over [0, T]. */
static double closest_within(double de, double dn, double dve, double dvn, double T)
{
    double vv = dve * dve + dvn * dvn, t = 0.0;
    if (vv > 1e-6)
        t = -(de * dve + dn * dvn) / vv;
    t = t < 0.0 ? 0.0 : t > T ? T : t;
    double ce = de + dve * t, cn = dn + dvn * t;
    return sqrt(ce * ce + cn * cn);
}

/* What the first bounds (first4) need of track i and of the look-ahead. */
struct first {
    double lat, lon, ml, mo; /* i's position and metres per degree there */
    double gs, T, hk, sep;   /* its speed, the look-ahead, 1 + margin, sep_h_m */
    double alt, avr, vmax;   /* its altitude (NAN: unknown), |vertical rate|, the larger
                                vertical minimum with the margin */
};

/* The first bounds, four positions q .. q + 3 at a time: bits 0-3 of the
 * result for those that are `air` tracks (a pair counted in stats.pairs),
 * bits 4-7 for those that pass. Pairs that cannot come within the minimum
 * in the look-ahead even flying straight at each other (10 % margin: the
 * plane is taken at track i's latitude, not the pair's; 2 km for the rest)
 * fail, and so do pairs whose altitudes cannot come within the larger
 * vertical minimum at their vertical rates (each may climb or descend at
 * its rate, or level off: the gap changes by at most the sum of the
 * rates; an altitude not known, NAN, rules nothing out). Lanes of GCC's
 * vector extension (pairs of SSE2 operations, or one AVX2 operation in
 * pair_first_avx2), IEEE operations lane by lane and no FMA: each lane
 * decides as the same scalar expressions would. The arrays have DET_PAD
 * elements beyond max_tracks (rule.h): the caller masks the lanes past
 * its span. */
typedef double sep_v4 __attribute__((vector_size(32)));
typedef long long sep_v4i __attribute__((vector_size(32)));

#define SEP_SPLAT(a) ((sep_v4){(a), (a), (a), (a)})
/* (no function returns a vector: that changes the ABI with AVX) */
#define SEP_FABS(x) ((sep_v4)((sep_v4i)(x) & (sep_v4i){INT64_MAX, INT64_MAX, INT64_MAX, INT64_MAX}))

static inline __attribute__((always_inline)) unsigned first4(const struct first *f,
                                                             const struct view *v, size_t q)
{
    sep_v4 lat, lon, gs, alt, vrate;
    memcpy(&lat, v->lat + q, sizeof lat);
    memcpy(&lon, v->lon + q, sizeof lon);
    memcpy(&gs, v->gs + q, sizeof gs);
    memcpy(&alt, v->alt + q, sizeof alt);
    memcpy(&vrate, v->vrate + q, sizeof vrate);
    sep_v4 dn = (lat - SEP_SPLAT(f->lat)) * SEP_SPLAT(f->ml);
    sep_v4 de = (lon - SEP_SPLAT(f->lon)) * SEP_SPLAT(f->mo);
    sep_v4 reach =
        (SEP_SPLAT(f->sep) + (SEP_SPLAT(f->gs) + gs) * SEP_SPLAT(f->T)) * SEP_SPLAT(f->hk);
    sep_v4 lim = reach * SEP_SPLAT(1.1) + SEP_SPLAT(2000.0);
    sep_v4i far = dn * dn + de * de > lim * lim;
    sep_v4 climb = (SEP_SPLAT(f->avr) + SEP_FABS(vrate)) * SEP_SPLAT(f->T) * SEP_SPLAT(f->hk) /
                   SEP_SPLAT(60.0);
    sep_v4i apart = SEP_FABS(SEP_SPLAT(f->alt) - alt) - climb >= SEP_SPLAT(f->vmax);
    sep_v4i pass = ~far & ~apart; /* all ones: passes */
#if defined(__SSE2__)
    /* the lanes' sign bits (movmskpd of each half) */
    sep_v4 pd = (sep_v4)pass;
    unsigned m = (unsigned)(__builtin_ia32_movmskpd(__builtin_shufflevector(pd, pd, 0, 1)) |
                            __builtin_ia32_movmskpd(__builtin_shufflevector(pd, pd, 2, 3)) << 2);
#else
    pass &= (sep_v4i){1, 2, 4, 8};
    unsigned m = (unsigned)(pass[0] | pass[1] | pass[2] | pass[3]);
#endif
    /* the four air bytes (0 or 1 each) as bits 0-3: each byte's bit moved
     * to bits 24-27 by one product, the other terms at distinct lower or
     * dropped higher bits (no carry) */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint32_t a4;
    memcpy(&a4, v->air + q, sizeof a4);
    unsigned air = (unsigned)(a4 * 0x01020408u) >> 24 & 15u;
#else
    const uint8_t *a = v->air + q;
    unsigned air = (unsigned)(a[0] | a[1] << 1 | a[2] << 2 | a[3] << 3);
#endif
    return air | (air & m) << 4;
}

/* The positions of the spans that pass the first bounds, ascending, into
 * out (room for every position of the spans); *n_air: how many were `air`
 * tracks. Returns the count. */
static inline __attribute__((always_inline)) size_t pair_first(const struct first *f,
                                                               const struct view *v,
                                                               const struct det_span *sp, size_t ns,
                                                               uint32_t *out, uint64_t *n_air)
{
    size_t n = 0;
    uint64_t na = 0;
    for (size_t s = 0; s < ns; s++) {
        for (size_t q = sp[s].from; q < sp[s].to; q += 4) {
            unsigned m = first4(f, v, q);
            if (sp[s].to - q < 4) /* the lanes past the span's end */
                m &= 0x11u * ((1u << (sp[s].to - q)) - 1u);
            na += (unsigned)__builtin_popcount(m & 15u);
            for (unsigned p = m >> 4; p; p &= p - 1)
                out[n++] = (uint32_t)(q + (size_t)__builtin_ctz(p));
        }
    }
    *n_air += na;
    return n;
}

#define PAIR_FIRST_ARGS                                                                            \
    const struct first *f, const struct view *v, const struct det_span *sp, size_t ns,             \
        uint32_t *out, uint64_t *n_air

static size_t pair_first_sse2(PAIR_FIRST_ARGS)
{
    return pair_first(f, v, sp, ns, out, n_air);
}

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target("avx2"))) static size_t pair_first_avx2(PAIR_FIRST_ARGS)
{
    return pair_first(f, v, sp, ns, out, n_air);
}

static size_t pair_first_any(PAIR_FIRST_ARGS)
{
    static int avx2 = -1; /* the same answer from every thread: a benign race */
    if (avx2 < 0)
        avx2 = __builtin_cpu_supports("avx2") ? 1 : 0;
    return avx2 ? pair_first_avx2(f, v, sp, ns, out, n_air)
                : pair_first_sse2(f, v, sp, ns, out, n_air);
}
#else
static size_t pair_first_any(PAIR_FIRST_ARGS)
{
    return pair_first_sse2(f, v, sp, ns, out, n_air);
}
#endif

/* Track i (position k of the view) against the positions of the spans:
 * the first bounds (pair_first), then the straight lines themselves, in
 * the pair's plane; when one of the two turns, also the turning
 * hypothesis: within its horizon the two stray from their lines by at
 * most turn_stray each. What passes goes to check_pair, in the order of
 * the positions. */
static void pair_spans(struct pair_arg *pa, const struct view *v, size_t k,
                       const struct det_span *sp, size_t ns)
{
    const struct det_ctx *c = pa->c;
    const struct det_config *cfg = c->cfg;
    double lat_i = v->lat[k], lon_i = v->lon[k];
    double ve_i = v->ve[k], vn_i = v->vn[k], ml_i = v->mlat[k], mo_i = v->mlon[k];
    double w_i = v->turn[k];
    /* the turning hypothesis' horizon (check_pair) and how far i strays on it */
    double max_turn = cfg->turn_max_deg * (DET_PI / 180.0);
    double Tt = (double)cfg->turn_lookahead_ms / 1000.0 * pa->hk;
    if (Tt > pa->T * pa->hk)
        Tt = pa->T * pa->hk;
    double stray_i = turn_stray(v->gs[k], w_i, Tt, max_turn);
    int man_i = man_find(c, v->id[k]) != NULL;
    struct first f = {
        .lat = lat_i,
        .lon = lon_i,
        .ml = pa->ml,
        .mo = pa->mo,
        .gs = pa->gs,
        .T = pa->T,
        .hk = pa->hk,
        .sep = cfg->sep_h_m,
        .alt = v->alt[k],
        .avr = fabs(v->vrate[k]),
        .vmax = (cfg->sep_v_ft > cfg->sep_v_high_ft ? cfg->sep_v_ft : cfg->sep_v_high_ft) * pa->hk,
    };
    uint32_t *pass = c->scratch;
    size_t np = pair_first_any(&f, v, sp, ns, pass, &c->stats->pairs);
    for (size_t p = 0; p < np; p++) {
        size_t q = pass[p];
        double ml = 0.5 * (ml_i + v->mlat[q]), mo = 0.5 * (mo_i + v->mlon[q]);
        double pe = (v->lon[q] - lon_i) * mo, pn = (v->lat[q] - lat_i) * ml;
        double dve = v->ve[q] - ve_i, dvn = v->vn[q] - vn_i;
        if (!straight_may_conflict(pa, pe, pn, dve, dvn)) {
            double w_j = v->turn[q];
            int keep = 0;
            if (w_i != 0.0 || w_j != 0.0) {
                double stray = stray_i + turn_stray(v->gs[q], w_j, Tt, max_turn);
                keep = closest_within(pe, pn, dve, dvn, Tt) <
                       (cfg->sep_h_m * pa->hk + stray) * 1.001 + 1.0;
            }
            /* a manoeuvring track stays within its reach of where it is
             * now: the other's straight line must come within the minimum
             * of that circle */
            double Tm = pa->T * pa->hk;
            if (!keep && man_i)
                keep = closest_within(pe, pn, v->ve[q], v->vn[q], Tm) <
                       (cfg->sep_h_m * pa->hk + man_reach(cfg, v->gs[k], Tm)) * 1.001 + 1.0;
            if (!keep && man_find(c, v->id[q]))
                keep = closest_within(-pe, -pn, ve_i, vn_i, Tm) <
                       (cfg->sep_h_m * pa->hk + man_reach(cfg, v->gs[q], Tm)) * 1.001 + 1.0;
            if (!keep)
                continue;
        }
        pair_defer(pa, v, k, q);
    }
}

static int evaluate(const struct det_ctx *c)
{
    struct pair_arg pa = {.c = c, .hk = 1.0 + c->cfg->sep_hyst};
    double T = (double)c->cfg->lookahead_ms / 1000.0;
    struct view v;
    if (c->cfg->all_pairs)
        v = (struct view){c->lat,        c->lon, c->gs,    c->alt_ft, c->vrate_fpm,
                          c->ve,         c->vn,  c->m_lat, c->m_lon,  c->turn_rps,
                          c->sel_alt_ft, c->air, c->id,    NULL};
    else
        v = (struct view){c->g_lat, c->g_lon, c->g_gs,   c->g_alt,      c->g_vrate,
                          c->g_ve,  c->g_vn,  c->g_mlat, c->g_mlon,     c->g_turn,
                          c->g_sel, c->g_air, c->g_id,   c->grid->order};
    if (c->cfg->man_area)
        man_update(c);
    struct det_span sp[DET_GRID_ROWS];
    /* in the grid's order (rule.h): neighbours one after the other */
    size_t n = c->cfg->all_pairs ? c->n : c->grid->n;
    for (size_t k = 0; k < n; k++) {
        if (!v.air[k])
            continue;
        double gs = v.gs[k]; /* the track's gs_mps */
        if (!(gs >= 0) || gs > c->cfg->max_speed_mps)
            gs = c->cfg->max_speed_mps;
        pa.gs = gs;
        pa.T = T;
        pa.ml = v.mlat[k];
        pa.mo = v.mlon[k];
        if (c->cfg->all_pairs) { /* every live track after it */
            struct det_span all = {k + 1, c->n};
            pair_spans(&pa, &v, k, &all, 1);
            continue;
        }
        /* no other track is faster than gs_max: nothing farther can close in
         * the look-ahead */
        double r = (c->cfg->sep_h_m + (gs + c->gs_max) * T) * pa.hk;
        size_t ns = det_grid_spans(c, v.lat[k], v.lon[k], r * 1.1 + 2000.0, k, sp);
        pair_spans(&pa, &v, k, sp, ns);
    }
    pair_drain(&pa, &v);
    return pa.rc;
}

const struct det_rule det_rule_separation = {"SEPARATION", DET_RULE_SEPARATION, evaluate};
