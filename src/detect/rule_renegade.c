/*
 * rule_renegade.c — RENEGADE: the renegade categories of the national
 * renegade agreements (../shared/docs/domain.md section 2), from the
 * evidence the track carries, raised and lowered as it changes.
 *
 * Indicators (each one bit of the signature and of the value "evidence"):
 *   RADIO      radio contact lost: squawk 7600, the ADS-B emergency state
 *              "no communications", or radio == TRK_TRI_NO (operator input,
 *              trk_set_compliance).
 *   DEVIATION  a matched flight plan (TRK_F_PLAN_DEV, the flight-plan
 *              module's trk_set_plan_dev) and plan_dev_m above
 *              renegade_dev_m (10 NM). Hysteresis: once counted in the live
 *              alert, it stays counted until the deviation falls below
 *              80 % of the threshold, so a track flying along the
 *              threshold does not flap between two categories.
 *   IGNORES    TRK_OP_IGNORES_ATC (operator: does not follow instructions).
 *   XPDR       TRK_OP_XPDR_NOT_AS_TOLD (operator), or the TRANSPONDER_OFF
 *              condition (det_xpdr_off: a cooperative aircraft now seen by
 *              primary radar only).
 * Operator flags that are not indicators but steps of the procedure:
 *   RESISTS    TRK_OP_RESISTS: keeps refusing or resists intervention.
 *   CONFIRMED  TRK_OP_CONFIRMED: declared renegade by the authority.
 *
 * Category (the highest that applies):
 *   CONFIRMED  TRK_OP_CONFIRMED                               ALERT
 *   PROBABLE   SUSPECTED and RESISTS                          ALERT
 *   SUSPECTED  two or more of RADIO, DEVIATION, IGNORES, XPDR  WARNING
 *   COMLOSS    RADIO and no other indicator                    CAUTION
 *   (none)     otherwise: one indicator other than RADIO, or RESISTS
 *              without SUSPECTED, raises nothing — the agreements start
 *              at two indicators; the other rules (EMERGENCY,
 *              TRANSPONDER_OFF) already show single facts.
 * "Unexplained radio loss" of the agreements is RADIO: cairn cannot know
 * whether the crew explained it, so a 7600 squawk with one other
 * indicator is SUSPECTED.
 *
 * Key: the track id. The signature is the category and the indicator bits,
 * so a change of either is an UPDATE of the same alert (new severity,
 * text and values). A fall because radio or transponder evidence went
 * away waits for the core's hold (detect.h D7: a transponder that comes
 * and goes does not flap SUSPECTED and COMLOSS); a fall because operator
 * flags were withdrawn or the deviation fell below its band is shown at
 * once (det_hit.settled). When no category applies any more the alert is
 * cleared after the core's hold. Vessels never.
 */
#include <stdio.h>
#include <string.h>

#include "decode/report.h"
#include "detect/rule.h"

enum {
    EV_RADIO = 1u << 0,
    EV_DEVIATION = 1u << 1,
    EV_IGNORES = 1u << 2,
    EV_XPDR = 1u << 3,
    EV_RESISTS = 1u << 4,
    EV_CONFIRMED = 1u << 5,
};

enum { CAT_NONE = 0, CAT_COMLOSS = 1, CAT_SUSPECTED = 2, CAT_PROBABLE = 3, CAT_CONFIRMED = 4 };

/* Below this share of renegade_dev_m a deviation already counted stops
 * counting (see DEVIATION above). */
#define DEV_RELEASE 0.8

static const char *const cat_name[] = {"", "COMLOSS", "SUSPECTED", "PROBABLE", "CONFIRMED"};
static const uint8_t cat_sev[] = {0, DET_SEV_CAUTION, DET_SEV_WARNING, DET_SEV_ALERT,
                                  DET_SEV_ALERT};

static unsigned evidence(const struct det_ctx *c, const struct trk_track *t)
{
    unsigned ev = 0;
    unsigned sq = (t->ids & TRK_ID_SQUAWK) ? (t->squawk & 07777u) : 0;
    if (sq == 07600 || t->emergency == EMERG_NORDO || t->radio == TRK_TRI_NO)
        ev |= EV_RADIO;
    if (t->flags & TRK_F_PLAN_DEV) {
        const struct det_alert *a = det_live(c, DET_RULE_RENEGADE, t->id);
        double thr = c->cfg->renegade_dev_m;
        if (a && (a->sig & EV_DEVIATION))
            thr *= DEV_RELEASE;
        if (t->plan_dev_m > thr)
            ev |= EV_DEVIATION;
    }
    if (t->op_flags & TRK_OP_IGNORES_ATC)
        ev |= EV_IGNORES;
    if ((t->op_flags & TRK_OP_XPDR_NOT_AS_TOLD) || det_xpdr_off(c->cfg, t))
        ev |= EV_XPDR;
    if (t->op_flags & TRK_OP_RESISTS)
        ev |= EV_RESISTS;
    if (t->op_flags & TRK_OP_CONFIRMED)
        ev |= EV_CONFIRMED;
    return ev;
}

static unsigned indicators(unsigned ev)
{
    return !!(ev & EV_RADIO) + !!(ev & EV_DEVIATION) + !!(ev & EV_IGNORES) + !!(ev & EV_XPDR);
}

static unsigned category(unsigned ev)
{
    unsigned n = indicators(ev);
    if (ev & EV_CONFIRMED)
        return CAT_CONFIRMED;
    if (n >= 2)
        return (ev & EV_RESISTS) ? CAT_PROBABLE : CAT_SUSPECTED;
    if (ev & EV_RADIO)
        return CAT_COMLOSS;
    return CAT_NONE;
}

/* Append ", " and s to out (len: bytes used). */
static void add(char *out, size_t cap, size_t *len, const char *s)
{
    int m = snprintf(out + *len, cap - *len, "%s%s", *len ? ", " : "", s);
    if (m > 0)
        *len += (size_t)m < cap - *len ? (size_t)m : cap - *len - 1;
}

static void describe(const struct det_ctx *c, const struct trk_track *t, unsigned ev, char *out,
                     size_t cap)
{
    char buf[48];
    size_t len = 0;
    out[0] = '\0';
    if (ev & EV_RADIO) {
        unsigned sq = (t->ids & TRK_ID_SQUAWK) ? (t->squawk & 07777u) : 0;
        add(out, cap, &len,
            sq == 07600                   ? "radio lost (squawk 7600)"
            : t->emergency == EMERG_NORDO ? "radio lost (ADS-B)"
                                          : "radio lost");
    }
    if (ev & EV_DEVIATION) {
        snprintf(buf, sizeof buf, "%.1f NM off its flight plan", t->plan_dev_m / 1852.0);
        add(out, cap, &len, buf);
    }
    if (ev & EV_IGNORES)
        add(out, cap, &len, "ignores ATC");
    if (ev & EV_XPDR)
        add(out, cap, &len,
            det_xpdr_off(c->cfg, t) ? "transponder off" : "transponder not as instructed");
    if (ev & EV_RESISTS)
        add(out, cap, &len, "resists intervention");
    if (ev & EV_CONFIRMED)
        add(out, cap, &len, "declared by the authority");
}

/* det_hit.settled: 1 when the evidence the live alert had and ev lacks is
 * only operator flags or the deviation (which has its own band): a fall
 * they make is shown at once. Radio and the transponder come from
 * sensors (a squawk, det_xpdr_off) and flicker with them: a fall they make
 * waits for the core's hold (detect.h D7). */
static uint8_t settled(const struct det_ctx *c, const struct trk_track *t, unsigned ev)
{
    const struct det_alert *a = det_live(c, DET_RULE_RENEGADE, t->id);
    unsigned lost = a ? (unsigned)(a->sig & 0xffu) & ~ev : 0;
    return !(lost & (EV_RADIO | EV_XPDR));
}

static int evaluate(const struct det_ctx *c)
{
    int rc = 0;
    for (size_t k = 0; k < c->n_special; k++) { /* the only live tracks it can fire on */
        size_t i = c->special[k];
        const struct trk_track *t = &c->tracks[i];
        if (t->kind == TRK_KIND_VESSEL)
            continue;
        unsigned ev = evidence(c, t);
        unsigned cat = category(ev);
        if (cat == CAT_NONE)
            continue;
        struct det_hit h = {
            .rule = DET_RULE_RENEGADE,
            .severity = cat_sev[cat],
            .key = t->id,
            .sig = ((uint64_t)cat << 8) | ev,
            .n_parties = 1,
            .parties = {t},
            .lat_deg = c->lat[i],
            .lon_deg = c->lon[i],
            .n_values = 5,
            .settled = settled(c, t, ev),
            .values = {{"category", (double)cat},
                       {"indicators", (double)indicators(ev)},
                       {"evidence", (double)ev},
                       {"plan_dev_nm", (t->flags & TRK_F_PLAN_DEV) ? t->plan_dev_m / 1852.0 : -1.0},
                       {"primary_only_scans", (double)t->primary_only_scans}},
        };
        char who[80], why[160];
        det_label(t, who, sizeof who);
        describe(c, t, ev, why, sizeof why);
        det_textf(h.text, sizeof h.text, "Renegade %s: %s: %s.", cat_name[cat], who, why);
        int e = det_report(c, &h);
        if (e && !rc)
            rc = e;
    }
    return rc;
}

const struct det_rule det_rule_renegade = {"RENEGADE", DET_RULE_RENEGADE, evaluate};
