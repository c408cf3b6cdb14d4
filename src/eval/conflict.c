/*
 * conflict.c — the truth's own conflicts, and the alerts judged against
 * them and against the truth's switches.
 *
 * Conflicts: at every whole second of the truth, the airborne aircraft
 * (ground speed >= 30 kt, as the simulator and the detector take it) are
 * sorted by latitude and every pair within the horizontal minimum's band of
 * latitude is measured. A pair is in loss of separation when it is closer
 * than sep_h_m (5 NM) horizontally and than the vertical minimum (1,000 ft;
 * 2,000 ft when the higher is above FL410, as detect.h's defaults) — or
 * horizontally alone when either aircraft's transponder is off: no sensor
 * gives its altitude, so the detector can only judge it horizontally
 * (../shared/docs/domain.md, the 2014 Malmo near miss). Consecutive seconds
 * in loss make one conflict; its closest approach is the second of least
 * horizontal distance. Near miss: < 1 NM and < 500 ft at some second.
 *
 * Alerts (docs/evaluation.md "Alerts"): a SEPARATION alert is justified by
 * a conflict of the same two movers that it was live for, or that began at
 * most lookahead_ms after it was live; NO_TRANSPONDER by the mover's
 * transponder being off when it opened; EMERGENCY by squawk 7500, 7600 or
 * 7700 then. Others are not judged.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/grow.h"
#include "detect/detect.h"
#include "eval/eval_int.h"

#define GROUND_KT 30.0
/* Bounds on one second of the sweep, so that a pathological truth (a
 * hundred thousand aircraft stacked on one point) fails instead of running
 * for hours: pairs within the band of latitude, and pairs in loss at
 * once. `cairn sim load --aircraft 10000` has 830,000 pairs a second in
 * the band (11,000 past the longitude test). */
#define MAX_PAIRS_PER_S 50000000u
#define MAX_LOSS_PER_S  10000u
#define M_PER_DEG_MIN   110574.0

struct ac {
    uint32_t i;
    double lat, lon;
    float alt_ft;
    uint8_t xpdr;
};

static int cmp_ac(const void *a, const void *b)
{
    const struct ac *x = a, *y = b;
    if (x->lat != y->lat)
        return x->lat < y->lat ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

static int add_conflict(struct ev *e, const struct ev_conflict *c)
{
    int rc = GROW_ARRAY(&e->conf, &e->cap_conf, e->n_conf + 1, 16);
    if (rc)
        return rc;
    e->conf[e->n_conf++] = *c;
    return 0;
}

/* One airborne aircraft sample, for the sweep in time order. */
struct ref {
    int64_t t_s;
    uint32_t i, k; /* mover, sample */
};

static int cmp_ref(const void *a, const void *b)
{
    const struct ref *x = a, *y = b;
    if (x->t_s != y->t_s)
        return x->t_s < y->t_s ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

/* Append v to a growing array of size_t. */
static int push(size_t **v, size_t *n, size_t *cap, size_t x)
{
    int rc = GROW_ARRAY(v, cap, *n + 1, 64);
    if (rc)
        return rc;
    (*v)[(*n)++] = x;
    return 0;
}

/*
 * The samples of airborne aircraft are sorted by time once, so the work is
 * proportional to the samples (plus the pairs near each other), however
 * far apart in time a hostile file puts them.
 */
int ev_conflicts_compute(struct ev *e)
{
    const struct ev_truth *tr = e->truth;
    const struct ev_config *cfg = &e->cfg;
    size_t nm = tr->n_movers, nr = 0;
    if (!nm || !tr->n_samples)
        return 0;
    for (size_t i = 0; i < nm; i++)
        if (tr->movers[i].kind == EV_AIRCRAFT)
            nr += tr->movers[i].n;
    struct ref *refs = malloc((nr ? nr : 1) * sizeof *refs);
    struct ac *ac = calloc(nm, sizeof *ac);
    /* conflicts going on at the previous second, and at this one */
    size_t *act = NULL, *nact = NULL, n_act = 0, cap_act = 0, n_nact = 0, cap_nact = 0;
    int rc = (!refs || !ac) ? CAIRN_E_NOMEM : 0;
    nr = 0;
    for (size_t i = 0; i < nm && !rc; i++) {
        const struct ev_mover *m = &tr->movers[i];
        if (m->kind != EV_AIRCRAFT)
            continue;
        for (size_t k = 0; k < m->n; k++)
            if (m->s[k].gs_kt >= GROUND_KT)
                refs[nr++] = (struct ref){m->s[k].t_s, (uint32_t)i, (uint32_t)k};
    }
    if (!rc)
        qsort(refs, nr, sizeof *refs, cmp_ref);
    double band = cfg->sep_h_m / M_PER_DEG_MIN;
    for (size_t g = 0; g < nr && !rc;) {
        int64_t t = refs[g].t_s;
        size_t na = 0;
        for (; g < nr && refs[g].t_s == t; g++) {
            const struct ev_sample *s = &tr->movers[refs[g].i].s[refs[g].k];
            ac[na++] = (struct ac){refs[g].i, s->lat_deg, s->lon_deg, s->alt_ft,
                                   (uint8_t)((s->flags & EV_S_TRANSPONDER) != 0)};
        }
        qsort(ac, na, sizeof *ac, cmp_ac);
        n_nact = 0;
        size_t measured = 0;
        for (size_t x = 0; x < na && !rc; x++) {
            for (size_t y = x + 1; y < na && ac[y].lat - ac[x].lat <= band && !rc; y++) {
                if (++measured > MAX_PAIRS_PER_S || n_nact > MAX_LOSS_PER_S) {
                    rc = CAIRN_E_TOOBIG;
                    break;
                }
                /* cheap longitude test first: cos of the higher latitude
                 * of the pair (the shorter degree) keeps it conservative */
                double dlon = fabs(ac[y].lon - ac[x].lon);
                if (dlon > 180)
                    dlon = 360 - dlon;
                double cmin = cos(fmax(fabs(ac[x].lat), fabs(ac[y].lat)) * M_PI / 180.0);
                if (dlon * cmin * M_PER_DEG_MIN > cfg->sep_h_m * 1.01)
                    continue;
                double h = ev_dist_m(ac[x].lat, ac[x].lon, ac[y].lat, ac[y].lon);
                if (!(h < cfg->sep_h_m))
                    continue;
                double dv = fabs((double)ac[x].alt_ft - ac[y].alt_ft);
                double top = fmax(ac[x].alt_ft, ac[y].alt_ft);
                double vmin = top > cfg->high_fl * 100 ? cfg->sep_v_high_ft : cfg->sep_v_ft;
                int horiz = !ac[x].xpdr || !ac[y].xpdr;
                if (!horiz && !(dv < vmin))
                    continue;
                uint32_t a = ac[x].i < ac[y].i ? ac[x].i : ac[y].i;
                uint32_t b = ac[x].i < ac[y].i ? ac[y].i : ac[x].i;
                size_t k = SIZE_MAX;
                for (size_t q = 0; q < n_act; q++) {
                    const struct ev_conflict *c = &e->conf[act[q]];
                    if (c->a == a && c->b == b && c->t_end_s == t - 1) {
                        k = act[q];
                        break;
                    }
                }
                if (k == SIZE_MAX) {
                    struct ev_conflict c = {a, b, t, t, t, h, dv, (uint8_t)horiz, 0};
                    if ((rc = add_conflict(e, &c)))
                        break;
                    k = e->n_conf - 1;
                }
                struct ev_conflict *c = &e->conf[k];
                c->t_end_s = t;
                c->horiz_only |= (uint8_t)horiz;
                if (h < c->min_h_m) {
                    c->min_h_m = h;
                    c->t_cpa_s = t;
                    c->dv_ft_cpa = dv;
                }
                if (h < cfg->near_miss_h_m && (horiz || dv < cfg->near_miss_v_ft))
                    c->near_miss = 1;
                rc = push(&nact, &n_nact, &cap_nact, k);
            }
        }
        size_t *sw = act, csw = cap_act;
        act = nact;
        cap_act = cap_nact;
        n_act = n_nact;
        nact = sw;
        cap_nact = csw;
    }
    free(refs);
    free(ac);
    free(act);
    free(nact);
    return rc;
}

/* ------------------------------------------------------------------ alerts */

static int pair_is(const struct ev_arec *a, uint32_t m1, uint32_t m2)
{
    return a->n_parties == 2 && ((a->mover[0] == m1 + 1 && a->mover[1] == m2 + 1) ||
                                 (a->mover[0] == m2 + 1 && a->mover[1] == m1 + 1));
}

int ev_alert_judge(const struct ev *e, const struct ev_arec *a, const char **why,
                   int64_t *warning_ms, size_t *conflict)
{
    *warning_ms = INT64_MIN;
    *conflict = SIZE_MAX;
    switch (a->rule) {
    case DET_RULE_SEPARATION: {
        if (a->n_parties != 2 || !a->mover[0] || !a->mover[1]) {
            *why = "a track matched no mover";
            return 0;
        }
        if (a->mover[0] == a->mover[1]) {
            *why = "both tracks on one mover";
            return 0;
        }
        for (size_t i = 0; i < e->n_conf; i++) {
            const struct ev_conflict *c = &e->conf[i];
            if (!pair_is(a, c->a, c->b))
                continue;
            /* live at some moment within lookahead before the loss or during it */
            int64_t from = c->t_loss_s * 1000 - e->cfg.lookahead_ms;
            int64_t to = (c->t_end_s + 1) * 1000;
            if (a->t_open_ms < to && a->t_clear_ms >= from) {
                *why = "conflict";
                *warning_ms = c->t_loss_s * 1000 - a->t_open_ms;
                *conflict = i;
                return 1;
            }
        }
        *why = "no conflict in the truth";
        return 0;
    }
    case DET_RULE_NO_TRANSPONDER:
    case DET_RULE_TRANSPONDER_OFF: /* the same fact of a track that once replied */
    case DET_RULE_EMERGENCY: {
        struct ev_sample s;
        if (a->n_parties < 1 || !a->mover[0]) {
            *why = "the track matched no mover";
            return 0;
        }
        const struct ev_mover *m = &e->truth->movers[a->mover[0] - 1];
        if (!ev_truth_at(m, a->t_open_ms, &s)) {
            *why = "mover absent when raised";
            return 0;
        }
        if (a->rule == DET_RULE_NO_TRANSPONDER || a->rule == DET_RULE_TRANSPONDER_OFF) {
            int dark = m->kind == EV_AIRCRAFT && !(s.flags & EV_S_TRANSPONDER);
            *why = dark                     ? "transponder off"
                   : m->kind == EV_AIRCRAFT ? "transponder on"
                                            : "a vessel";
            return dark;
        }
        int em = (s.flags & EV_S_SQUAWK) &&
                 (s.squawk == 07500 || s.squawk == 07600 || s.squawk == 07700);
        *why = em ? "emergency squawk" : "no emergency squawk";
        return em;
    }
    default:
        *why = "rule not judged";
        return -1;
    }
}

int ev_dark_detection(const struct ev *e, size_t i, int64_t *delay_ms, uint32_t *alert_id)
{
    int found = 0;
    int64_t best = INT64_MAX;
    for (size_t k = 0; k < e->n_alerts; k++) {
        const struct ev_arec *a = &e->alerts[k];
        const char *why;
        int64_t w;
        size_t c;
        if ((a->rule != DET_RULE_NO_TRANSPONDER && a->rule != DET_RULE_TRANSPONDER_OFF) ||
            a->mover[0] != i + 1 || a->t_open_ms >= best || ev_alert_judge(e, a, &why, &w, &c) != 1)
            continue;
        best = a->t_open_ms;
        *alert_id = a->id;
        found = 1;
    }
    if (found) /* named before any sensor was expected to see it dark: no delay */
        *delay_ms = e->ms[i].dark_from_ms == INT64_MIN || best < e->ms[i].dark_from_ms
                        ? 0
                        : best - e->ms[i].dark_from_ms;
    return found;
}

int ev_conflict_warning(const struct ev *e, size_t i, int64_t *warning_ms, uint32_t *alert_id)
{
    const struct ev_conflict *c = &e->conf[i];
    int64_t loss = c->t_loss_s * 1000, end = (c->t_end_s + 1) * 1000;
    int64_t best_open = INT64_MAX;
    uint32_t best = 0;
    int live = 0, found = 0;
    for (size_t k = 0; k < e->n_alerts; k++) {
        const struct ev_arec *a = &e->alerts[k];
        if (a->rule != DET_RULE_SEPARATION || !pair_is(a, c->a, c->b))
            continue;
        int l = a->t_open_ms <= loss && a->t_clear_ms > loss;
        int late = a->t_open_ms > loss && a->t_open_ms < end;
        /* an alert live at the loss beats any later one; among equals, the earliest */
        if ((l && (!live || a->t_open_ms < best_open)) ||
            (late && !live && a->t_open_ms < best_open)) {
            live |= l;
            found = 1;
            best_open = a->t_open_ms;
            best = a->id;
        }
    }
    if (!found)
        return 0;
    *warning_ms = loss - best_open;
    *alert_id = best;
    return 1;
}
