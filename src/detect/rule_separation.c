/*
 * rule_separation.c — SEPARATION: two aircraft closer than the minima now
 * (actual loss, WARNING), or predicted to be within the look-ahead along
 * straight lines (hypothesis "straight": constant velocity from the
 * tracker's estimate, CAUTION) or, when one of them turns, along its
 * measured turn rate (hypothesis "turning", sampled every 2 s); NEAR_MISS (ALERT) is the same pair
 * closer than nm_h_m and nm_v_ft now. Minima: ICAO Doc 4444 radar separation (5 NM, 1,000 ft; 2,000
 * ft above high_fl, see docs/detect.md for why FL410 and not FL290); ../shared/docs/domain.md
 * section 2. A track without altitude (primary only) is judged horizontally and the text says
 * "altitude unknown". Key: the two track ids, lower first.
 *
 * Cost: each eligible track looks only at the grid cells (detect.c) within
 * the distance the pair can close in the look-ahead, so the work grows
 * with the traffic near each track, not with all pairs.
 */
#include <math.h>
#include <stdio.h>

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

/* The turning hypothesis, sampled every 2 s up to T: 1 and the first time
 * (*t_s) and horizontal distance (*h_m) at which both minima are broken
 * (vmin_m < 0: altitude unknown, horizontal only), else 0. The angles
 * advance by a fixed rotation per step (no sine per sample); arc() gives
 * the position at the time found. */
static int turning_loss(const struct geo_enu *pi, const struct geo_enu *vi, double wi,
                        const struct geo_enu *pj, const struct geo_enu *vj, double wj, double T,
                        double sep_m, double vmin_m, double *t_s, double *h_m)
{
    const double step = 2.0;
    /* (sin, cos) of -w t for each track, and the rotation by -w step */
    double si = 0.0, ci = 1.0, sj = 0.0, cj = 1.0;
    double rsi = sin(-wi * step), rci = cos(-wi * step);
    double rsj = sin(-wj * step), rcj = cos(-wj * step);
    double sep2 = sep_m * sep_m;
    for (double t = step; t <= T + 1e-9; t += step) {
        double x = si * rci + ci * rsi;
        ci = ci * rci - si * rsi;
        si = x;
        x = sj * rcj + cj * rsj;
        cj = cj * rcj - sj * rsj;
        sj = x;
        double ei, ni, ej, nj;
        if (wi == 0.0) {
            ei = pi->e_m + vi->e_m * t;
            ni = pi->n_m + vi->n_m * t;
        } else {
            double a = si / -wi, b = (1.0 - ci) / -wi;
            ei = pi->e_m + a * vi->e_m - b * vi->n_m;
            ni = pi->n_m + b * vi->e_m + a * vi->n_m;
        }
        if (wj == 0.0) {
            ej = pj->e_m + vj->e_m * t;
            nj = pj->n_m + vj->n_m * t;
        } else {
            double a = sj / -wj, b = (1.0 - cj) / -wj;
            ej = pj->e_m + a * vj->e_m - b * vj->n_m;
            nj = pj->n_m + b * vj->e_m + a * vj->n_m;
        }
        double de = ej - ei, dn = nj - ni, h2 = de * de + dn * dn;
        if (h2 >= sep2)
            continue;
        double dz = fabs((pj->u_m + vj->u_m * t) - (pi->u_m + vi->u_m * t));
        if (vmin_m < 0 || dz < vmin_m) {
            arc(pi, vi, wi, t, &ei, &ni);
            arc(pj, vj, wj, t, &ej, &nj);
            *t_s = t;
            *h_m = hypot(ej - ei, nj - ni);
            return 1;
        }
    }
    return 0;
}

struct pair_arg {
    const struct det_ctx *c;
    size_t i;
    int rc;
    double ml, mo, gs, T; /* metres per degree at track i, its speed, the look-ahead (s) */
};

static void check_pair(struct pair_arg *pa, size_t j)
{
    const struct det_ctx *c = pa->c;
    const struct det_config *cfg = c->cfg;
    size_t i = pa->i;
    const struct trk_track *a = &c->tracks[i], *b = &c->tracks[j];
    double ml, mo, mlat = (c->lat[i] + c->lat[j]) / 2.0;
    det_pair_scale(c, i, j, &ml, &mo);
    int alt = (a->flags & TRK_F_ALT) && (b->flags & TRK_F_ALT);
    struct geo_enu pi = {0, 0, alt ? a->alt_ft * FT : 0};
    struct geo_enu pj = {(c->lon[j] - c->lon[i]) * mo, (c->lat[j] - c->lat[i]) * ml,
                         alt ? b->alt_ft * FT : 0};
    struct geo_enu vi = {a->ve_mps, a->vn_mps, alt ? a->vrate_fpm * FT / 60.0 : 0};
    struct geo_enu vj = {b->ve_mps, b->vn_mps, alt ? b->vrate_fpm * FT / 60.0 : 0};
    struct geo_cpa cpa;
    geo_cpa(&pi, &vi, &pj, &vj, &cpa);
    double now_v_ft = alt ? fabs((double)a->alt_ft - (double)b->alt_ft) : -1.0;
    double cpa_v_ft = alt ? cpa.vert_m / FT : -1.0;
    int32_t top = a->alt_ft > b->alt_ft ? a->alt_ft : b->alt_ft;
    double vmin = (alt && top > cfg->high_fl * 100) ? cfg->sep_v_high_ft : cfg->sep_v_ft;
    double T = (double)cfg->lookahead_ms / 1000.0;

    int actual = cpa.now_horiz_m < cfg->sep_h_m && (!alt || now_v_ft < vmin);
    int near = alt && cpa.now_horiz_m < cfg->nm_h_m && now_v_ft < cfg->nm_v_ft;
    int predicted = !actual && cpa.t_s > 0 && cpa.t_s <= T && cpa.horiz_m < cfg->sep_h_m &&
                    (!alt || cpa_v_ft < vmin);
    const char *hyp = "straight";
    if (!actual && !predicted && (c->turn_rps[i] != 0.0 || c->turn_rps[j] != 0.0)) {
        /* second hypothesis: the turning track(s) keep their measured rate */
        double tl, hl;
        if (turning_loss(&pi, &vi, c->turn_rps[i], &pj, &vj, c->turn_rps[j], T, cfg->sep_h_m,
                         alt ? vmin * FT : -1.0, &tl, &hl)) {
            predicted = 1;
            hyp = "turning";
            cpa.t_s = tl;
            cpa.horiz_m = hl;
            double dz = (pj.u_m + vj.u_m * tl) - (pi.u_m + vi.u_m * tl);
            cpa_v_ft = alt ? fabs(dz) / FT : -1.0;
        }
    }
    if (!actual && !predicted)
        return;
    uint32_t lo = a->id < b->id ? a->id : b->id, hi = a->id < b->id ? b->id : a->id;
    struct det_hit h = {
        .rule = DET_RULE_SEPARATION,
        .severity = near     ? DET_SEV_ALERT
                    : actual ? DET_SEV_WARNING
                             : DET_SEV_CAUTION,
        .key = ((uint64_t)lo << 32) | hi,
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
    double t = predicted ? cpa.t_s : 0.0;
    h.lat_deg = mlat + t * (a->vn_mps + b->vn_mps) / 2.0 / ml;
    h.lon_deg =
        (c->lon[i] + c->lon[j]) / 2.0 + (mo > 1.0 ? t * (a->ve_mps + b->ve_mps) / 2.0 / mo : 0);
    char wa[80], wb[80], vtxt[48];
    det_label(a, wa, sizeof wa);
    det_label(b, wb, sizeof wb);
    if (predicted) {
        if (alt)
            snprintf(vtxt, sizeof vtxt, "%.0f ft", cpa_v_ft);
        else
            snprintf(vtxt, sizeof vtxt, "altitude unknown");
        det_textf(h.text, sizeof h.text,
                  "Predicted loss of separation in %.0f s (%s): %s and %s, "
                  "%.1f NM and %s at closest approach.",
                  cpa.t_s, hyp[0] == 's' ? "straight line" : "turning at the measured rate", wa, wb,
                  cpa.horiz_m / 1852.0, vtxt);
    } else {
        if (alt)
            snprintf(vtxt, sizeof vtxt, "%.0f ft", now_v_ft);
        else
            snprintf(vtxt, sizeof vtxt, "altitude unknown");
        det_textf(h.text, sizeof h.text, "%s: %s and %s are %.2f NM and %s apart.",
                  near ? "Near miss" : "Loss of separation", wa, wb, cpa.now_horiz_m / 1852.0,
                  vtxt);
    }
    int e = det_report(c, &h);
    if (e && !pa->rc)
        pa->rc = e;
}

static int pair_fn(void *arg, size_t j)
{
    struct pair_arg *pa = arg;
    const struct det_ctx *c = pa->c;
    if (j <= pa->i || !c->air[j])
        return 0;
    /* Cheap bounds first, from the compact arrays: pairs that cannot come
     * within the minimum in the look-ahead even flying straight at each
     * other (10 % margin: the plane is taken at track i's latitude, not the
     * pair's; 2 km for the rest), and pairs whose altitudes cannot come
     * within the larger vertical minimum at their vertical rates. */
    c->stats->pairs++;
    double dn = (c->lat[j] - c->lat[pa->i]) * pa->ml, de = (c->lon[j] - c->lon[pa->i]) * pa->mo;
    double reach = c->cfg->sep_h_m + (pa->gs + c->gs[j]) * pa->T;
    if (dn * dn + de * de > (reach * 1.1 + 2000.0) * (reach * 1.1 + 2000.0))
        return 0;
    double ai = c->alt_ft[pa->i], aj = c->alt_ft[j];
    if (ai == ai && aj == aj) { /* both known (NAN != NAN) */
        double climb = fabs(c->vrate_fpm[pa->i] - c->vrate_fpm[j]) * pa->T / 60.0;
        double vmax =
            c->cfg->sep_v_ft > c->cfg->sep_v_high_ft ? c->cfg->sep_v_ft : c->cfg->sep_v_high_ft;
        if (fabs(ai - aj) - climb >= vmax)
            return 0;
    }
    check_pair(pa, j);
    return 0;
}

static int evaluate(const struct det_ctx *c)
{
    struct pair_arg pa = {c, 0, 0, 0, 0, 0, 0};
    double T = (double)c->cfg->lookahead_ms / 1000.0;
    for (size_t i = 0; i < c->n; i++) {
        if (!c->air[i])
            continue;
        pa.i = i;
        double gs = c->tracks[i].gs_mps;
        if (!(gs >= 0) || gs > c->cfg->max_speed_mps)
            gs = c->cfg->max_speed_mps;
        pa.gs = gs;
        pa.T = T;
        pa.ml = c->m_lat[i];
        pa.mo = c->m_lon[i];
        /* no other track is faster than gs_max: nothing farther can close in
         * the look-ahead */
        double r = c->cfg->sep_h_m + (gs + c->gs_max) * T;
        det_grid_near(c, c->lat[i], c->lon[i], r * 1.1 + 2000.0, pair_fn, &pa);
    }
    return pa.rc;
}

const struct det_rule det_rule_separation = {"SEPARATION", DET_RULE_SEPARATION, evaluate};
