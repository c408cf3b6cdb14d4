/*
 * rule_no_transponder.c — NO_TRANSPONDER: a confirmed track seen only by
 * primary radar for at least no_xpdr_scans scans (the tracker's
 * primary_only_scans, reset by any cooperative update: track.h T8), so a
 * reply missed once or twice raises nothing; not flagged slow (clutter,
 * hover), not a vessel, and never with a transponder reply in its history
 * (SSR, Mode S, ADS-B, MLAT: that is TRANSPONDER_OFF, rule_transponder_off.c,
 * so the two never fire for one track). CAUTION alone; WARNING when another track is within
 * near_traffic_m, kept while one is within near_traffic_m enlarged by
 * sep_hyst (10 and 12 NM: a band, so that traffic along 10 NM does not
 * flap it; the lifecycle's hold, detect.h D7, does the rest). Key: the
 * track id. ../shared/docs/domain.md section 2
 * ("primary-only target").
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include "detect/rule.h"

struct near_arg {
    const struct det_ctx *c;
    size_t self;
    double best_m;
    size_t best;
};

static int near_fn(void *arg, size_t j)
{
    struct near_arg *a = arg;
    if (j == a->self)
        return 0;
    const struct det_ctx *c = a->c;
    double ml, mo;
    det_pair_scale(c, a->self, j, &ml, &mo);
    double dn = (c->lat[j] - c->lat[a->self]) * ml, de = (c->lon[j] - c->lon[a->self]) * mo;
    double dist = sqrt(dn * dn + de * de);
    if (dist < a->best_m) {
        a->best_m = dist;
        a->best = j;
    }
    return 0;
}

/* 1 when track t is one this rule fires on. */
static int fires(const struct det_ctx *c, const struct trk_track *t)
{
    /* COASTING too: a scan or two without a plot (a primary radar's
     * detection probability is below 1) does not end the alert */
    return (t->status == TRK_ST_CONFIRMED || t->status == TRK_ST_COASTING) &&
           t->kind != TRK_KIND_VESSEL && !(t->flags & TRK_F_SLOW) &&
           t->primary_only_scans >= c->cfg->no_xpdr_scans && det_last_reply(t, NULL) < 0;
}

static int evaluate(const struct det_ctx *c)
{
    int rc = 0;
    struct det_ahead ahead;
    det_ahead_init(&ahead);
    const double *const arrays[4] = {c->g_lat, c->g_lon, c->g_mlat, c->g_mlon};
    int near_on = c->cfg->near_traffic_m > 0 && !c->cfg->all_pairs;
    for (size_t k = 0; k < c->n_special; k++) { /* the only live tracks it can fire on */
        /* the tracks and alerts a few findings ahead: their misses overlap */
        if (k + 8 < c->n_special) {
            size_t f = c->special[k + 8];
            det_prefetch_track(&c->tracks[f]);
            det_prefetch(c, DET_RULE_NO_TRANSPONDER, c->id[f], 0);
        }
        if (k + 4 < c->n_special)
            det_prefetch(c, DET_RULE_NO_TRANSPONDER, c->id[c->special[k + 4]], 1);
        /* and the cells around the one two ahead, if it is one this rule
         * takes (its track is on its way by then) */
        if (near_on && k + 2 < c->n_special && fires(c, &c->tracks[c->special[k + 2]])) {
            size_t f = c->special[k + 2];
            det_ahead_put(c, &ahead, k + 2, c->lat[f], c->lon[f], c->cfg->near_traffic_m, arrays);
        }
        size_t i = c->special[k];
        const struct trk_track *t = &c->tracks[i];
        if (!fires(c, t))
            continue;
        /* the band: traffic that made the alert WARNING keeps it so while
         * within near_traffic_m enlarged by sep_hyst (a track skirting
         * 10 NM does not flap) */
        const struct det_alert *live = det_live(c, DET_RULE_NO_TRANSPONDER, t->id);
        double near_m = c->cfg->near_traffic_m;
        if (live && live->severity >= DET_SEV_WARNING)
            near_m *= 1.0 + c->cfg->sep_hyst;
        struct near_arg na = {c, i, INFINITY, 0};
        if (c->cfg->near_traffic_m > 0 && c->cfg->all_pairs) {
            det_grid_near(c, c->lat[i], c->lon[i], near_m, near_fn, &na);
        } else if (c->cfg->near_traffic_m > 0) {
            /* near_fn over det_grid_near's cells in its order, from the
             * values in the grid's order (read one after the other) */
            struct det_span sp[DET_GRID_ROWS];
            size_t ns = det_ahead_get(c, &ahead, k, c->lat[i], c->lon[i], near_m, sp);
            double lat = c->lat[i], lon = c->lon[i], mlat = c->m_lat[i], mlon = c->m_lon[i];
            for (size_t r = 0; r < ns; r++)
                for (size_t q = sp[r].from; q < sp[r].to; q++) {
                    /* det_pair_scale, in the same order of operations */
                    double ml = 0.5 * (mlat + c->g_mlat[q]), mo = 0.5 * (mlon + c->g_mlon[q]);
                    double dn = (c->g_lat[q] - lat) * ml, de = (c->g_lon[q] - lon) * mo;
                    double dist = sqrt(dn * dn + de * de);
                    if (dist < na.best_m && c->grid->order[q] != i) {
                        na.best_m = dist;
                        na.best = c->grid->order[q];
                    }
                }
        }
        int near = na.best_m <= near_m;
        struct det_hit h = {
            .rule = DET_RULE_NO_TRANSPONDER,
            .severity = near ? DET_SEV_WARNING : DET_SEV_CAUTION,
            .key = t->id,
            .sig = 0,
            .n_parties = near ? 2 : 1,
            .parties = {t, near ? &c->tracks[na.best] : NULL},
            .lat_deg = c->lat[i],
            .lon_deg = c->lon[i],
            .n_values = 3,
            .values = {{"primary_only_scans", (double)t->primary_only_scans},
                       {"ground_speed_kt", t->gs_mps / 0.514444},
                       {"nearest_nm", near ? na.best_m / 1852.0 : -1.0}},
        };
        /* the text says nothing but these facts: not written again while
         * they stay (a track between two plots, far from others) */
        if (!det_same_text(c, &h)) {
            char who[80];
            det_label(t, who, sizeof who);
            if (near) {
                char other[80];
                det_label(&c->tracks[na.best], other, sizeof other);
                det_textf(h.text, sizeof h.text,
                          "No transponder: %s seen by primary radar only for %u scans at %.0f kt, "
                          "%.1f NM from %s.",
                          who, (unsigned)t->primary_only_scans, t->gs_mps / 0.514444,
                          na.best_m / 1852.0, other);
            } else {
                det_textf(h.text, sizeof h.text,
                          "No transponder: %s seen by primary radar only for %u scans at %.0f kt.",
                          who, (unsigned)t->primary_only_scans, t->gs_mps / 0.514444);
            }
        }
        int e = det_report(c, &h);
        if (e && !rc)
            rc = e;
    }
    return rc;
}

const struct det_rule det_rule_no_transponder = {"NO_TRANSPONDER", DET_RULE_NO_TRANSPONDER,
                                                 evaluate};
