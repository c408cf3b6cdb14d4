/*
 * rule_emergency.c — EMERGENCY: a track squawking 7500 (unlawful
 * interference), 7600 (radio failure) or 7700 (emergency), or stating an
 * ADS-B emergency (decode/report.h enum report_emergency). Key: the track
 * id. Updated when the code changes; cleared (after the hold) when it
 * stops. Codes: ICAO Annex 10 Vol. IV; ../shared/docs/domain.md section 2.
 */
#include <stdio.h>

#include "detect/rule.h"

/* The squawks are octal digits: 7500 is 07500 in the 12-bit Mode 3/A code. */
#define SQ_7500 07500
#define SQ_7600 07600
#define SQ_7700 07700

static const char *squawk_meaning(unsigned sq)
{
    switch (sq) {
    case SQ_7500:
        return "unlawful interference";
    case SQ_7600:
        return "radio failure";
    case SQ_7700:
        return "general emergency";
    default:
        return NULL;
    }
}

static const char *adsb_meaning(unsigned e)
{
    static const char *const n[] = {"none",           "general emergency", "lifeguard",
                                    "minimum fuel",   "radio failure",     "unlawful interference",
                                    "downed aircraft"};
    return e < sizeof n / sizeof n[0] ? n[e] : "emergency (reserved code)";
}

static int evaluate(const struct det_ctx *c)
{
    int rc = 0;
    for (size_t k = 0; k < c->n_special; k++) { /* the only live tracks it can fire on */
        size_t i = c->special[k];
        const struct trk_track *t = &c->tracks[i];
        unsigned sq = (t->ids & TRK_ID_SQUAWK) ? (t->squawk & 07777u) : 0;
        const char *sm = squawk_meaning(sq);
        if (!sm && t->emergency == 0)
            continue;
        struct det_hit h = {
            .rule = DET_RULE_EMERGENCY,
            .severity = DET_SEV_ALERT,
            .key = t->id,
            .sig = ((uint64_t)(sm ? sq : 0) << 8) | t->emergency,
            .n_parties = 1,
            .parties = {t},
            .lat_deg = c->lat[i],
            .lon_deg = c->lon[i],
            .n_values = 2,
            .values = {{"squawk_octal", sm ? (double)sq : -1.0},
                       {"adsb_emergency", (double)t->emergency}},
        };
        char who[80];
        det_label(t, who, sizeof who);
        if (sm && t->emergency)
            det_textf(h.text, sizeof h.text, "Emergency: %s squawks %04o (%s) and reports %s.", who,
                      sq, sm, adsb_meaning(t->emergency));
        else if (sm)
            det_textf(h.text, sizeof h.text, "Emergency: %s squawks %04o (%s).", who, sq, sm);
        else
            det_textf(h.text, sizeof h.text, "Emergency: %s reports %s over ADS-B.", who,
                      adsb_meaning(t->emergency));
        int e = det_report(c, &h);
        if (e && !rc)
            rc = e;
    }
    return rc;
}

const struct det_rule det_rule_emergency = {"EMERGENCY", DET_RULE_EMERGENCY, evaluate};
