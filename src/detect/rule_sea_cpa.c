/*
 * rule_sea_cpa.c — SEA_CPA: a dangerous approach between two vessels.
 *
 *   moving pair   at least one of the two makes sea_moving_mps (1 m/s,
 *                 about 2 kt) or more: both sail on at their estimated
 *                 velocity (geo_cpa in a local plane); a closest point of
 *                 approach closer than sea_cpa_m (0.5 NM) within
 *                 sea_horizon_ms (10 min) is a CAUTION, closer than a
 *                 quarter of it (about 230 m: a collision course) or with
 *                 the two already within sea_cpa_m and closing a WARNING.
 *   slow pair     both slower (at anchor, moored, drifting): only two
 *                 vessels actually closer than sea_anchor_m (100 m) now,
 *                 a CAUTION — an anchorage is full of vessels a few cables
 *                 apart, and the velocities of anchored ships are mostly
 *                 noise.
 * Why these figures: the 0.5 NM / 10 min pair is a common CPA / TCPA alarm
 * setting of shipborne radar (ARPA) in coastal waters, where 1-2 NM would
 * alert on every ordinary crossing; the 1972 Incidents at Sea agreement
 * asks for "ample distance" without a figure (../shared/docs/domain.md).
 * Key: the two track ids, lower first; signature: the severity.
 *
 * Cost: each vessel visits the grid cells (detect.c) within sea_cpa_m plus
 * the distance it and the fastest vessel (sea_max_speed_mps) can sail in
 * the horizon: linear in the traffic, as SEPARATION.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include "detect/rule.h"
#include "geo/geo.h"

struct pair_arg {
    const struct det_ctx *c;
    size_t i;
    int rc;
    double ml, mo, gs, H;
};

static int vessel(const struct det_ctx *c, size_t j)
{
    return c->kind[j] == TRK_KIND_VESSEL; /* 0 unless live */
}

static void check(struct pair_arg *pa, size_t j)
{
    const struct det_ctx *c = pa->c;
    const struct det_config *cfg = c->cfg;
    size_t i = pa->i;
    const struct trk_track *a = &c->tracks[i], *b = &c->tracks[j];
    double ml, mo, mlat = (c->lat[i] + c->lat[j]) / 2.0;
    det_m_per_deg(mlat, &ml, &mo);
    struct geo_enu pi = {0, 0, 0},
                   pj = {(c->lon[j] - c->lon[i]) * mo, (c->lat[j] - c->lat[i]) * ml, 0};
    struct geo_enu vi = {a->ve_mps, a->vn_mps, 0}, vj = {b->ve_mps, b->vn_mps, 0};
    struct geo_cpa cpa;
    geo_cpa(&pi, &vi, &pj, &vj, &cpa);
    int moving = a->gs_mps >= cfg->sea_moving_mps || b->gs_mps >= cfg->sea_moving_mps;
    uint8_t severity;
    if (!moving) {
        if (cpa.now_horiz_m >= cfg->sea_anchor_m)
            return;
        severity = DET_SEV_CAUTION;
        cpa.t_s = 0;
        cpa.horiz_m = cpa.now_horiz_m;
    } else {
        if (!(cpa.t_s > 0 && cpa.t_s <= pa->H && cpa.horiz_m < cfg->sea_cpa_m))
            return;
        severity = (cpa.horiz_m < cfg->sea_cpa_m / 4.0 || cpa.now_horiz_m < cfg->sea_cpa_m)
                       ? DET_SEV_WARNING
                       : DET_SEV_CAUTION;
    }
    uint32_t lo = a->id < b->id ? a->id : b->id, hi = a->id < b->id ? b->id : a->id;
    struct det_hit h = {
        .rule = DET_RULE_SEA_CPA,
        .severity = severity,
        .key = ((uint64_t)lo << 32) | hi,
        .sig = severity,
        .n_parties = 2,
        .parties = {a, b},
        .lat_deg = mlat + cpa.t_s * (a->vn_mps + b->vn_mps) / 2.0 / ml,
        .lon_deg = (c->lon[i] + c->lon[j]) / 2.0 +
                   (mo > 1.0 ? cpa.t_s * (a->ve_mps + b->ve_mps) / 2.0 / mo : 0.0),
        .n_values = 4,
        .values = {{"now_nm", cpa.now_horiz_m / 1852.0},
                   {"cpa_nm", cpa.horiz_m / 1852.0},
                   {"cpa_s", cpa.t_s},
                   {"moving", (double)moving}},
        .hypothesis = moving ? "straight" : NULL,
    };
    char wa[80], wb[80];
    det_label(a, wa, sizeof wa);
    det_label(b, wb, sizeof wb);
    if (moving)
        det_textf(h.text, sizeof h.text,
                  "Dangerous approach at sea: %s and %s pass %.2f NM apart in %.0f s (now %.2f "
                  "NM).",
                  wa, wb, cpa.horiz_m / 1852.0, cpa.t_s, cpa.now_horiz_m / 1852.0);
    else
        det_textf(h.text, sizeof h.text,
                  "Vessels close at sea: %s and %s, both slow, are %.0f m apart.", wa, wb,
                  cpa.now_horiz_m);
    int e = det_report(c, &h);
    if (e && !pa->rc)
        pa->rc = e;
}

static int pair_fn(void *arg, size_t j)
{
    struct pair_arg *pa = arg;
    const struct det_ctx *c = pa->c;
    if (j <= pa->i || !vessel(c, j))
        return 0;
    double dn = (c->lat[j] - c->lat[pa->i]) * pa->ml, de = (c->lon[j] - c->lon[pa->i]) * pa->mo;
    double reach = c->cfg->sea_cpa_m + (pa->gs + c->gs[j]) * pa->H;
    /* 10 % margin: the plane is at track i's latitude; 500 m for the rest */
    if (dn * dn + de * de > (reach * 1.1 + 500.0) * (reach * 1.1 + 500.0))
        return 0;
    check(pa, j);
    return 0;
}

static int evaluate(const struct det_ctx *c)
{
    struct pair_arg pa = {c, 0, 0, 0, 0, 0, (double)c->cfg->sea_horizon_ms / 1000.0};
    for (size_t k = 0; k < c->n_vessels; k++) { /* live vessels */
        size_t i = c->vessels[k];
        pa.i = i;
        double gs = c->gs[i];
        pa.gs = gs > c->cfg->sea_max_speed_mps ? c->cfg->sea_max_speed_mps : gs;
        pa.ml = c->m_lat[i]; /* det_m_per_deg(c->lat[i]), made once by det_evaluate */
        pa.mo = c->m_lon[i];
        double r = c->cfg->sea_cpa_m + (pa.gs + c->cfg->sea_max_speed_mps) * pa.H;
        if (c->cfg->all_pairs) {
            det_grid_near(c, c->lat[i], c->lon[i], r, pair_fn, &pa);
            continue;
        }
        /* pair_fn over det_grid_near's cells in its order, from the values
         * in the grid's order (read one after the other) */
        struct det_span sp[DET_GRID_ROWS];
        size_t ns = det_grid_spans(c, c->lat[i], c->lon[i], r, SIZE_MAX, sp);
        for (size_t s = 0; s < ns; s++)
            for (size_t q = sp[s].from; q < sp[s].to; q++) {
                if (c->g_kind[q] != TRK_KIND_VESSEL) /* most are aircraft: no more read */
                    continue;
                size_t j = c->grid->order[q];
                if (j <= i)
                    continue;
                double dn = (c->g_lat[q] - c->lat[i]) * pa.ml,
                       de = (c->g_lon[q] - c->lon[i]) * pa.mo;
                double reach = c->cfg->sea_cpa_m + (pa.gs + c->g_gs[q]) * pa.H;
                if (dn * dn + de * de > (reach * 1.1 + 500.0) * (reach * 1.1 + 500.0))
                    continue;
                check(&pa, j);
            }
    }
    return pa.rc;
}

const struct det_rule det_rule_sea_cpa = {"SEA_CPA", DET_RULE_SEA_CPA, evaluate};
