/*
 * rule_transponder_off.c — TRANSPONDER_OFF: a cooperative aircraft whose
 * transponder stopped while primary radar goes on seeing it. The tracker
 * keeps one continuous track through the change (track.h: a plot without
 * identity is gated against the track's prediction, so the primary plots
 * of the aircraft continue its track, with its ICAO address, squawk and
 * callsign as last received); primary_only_scans counts the primary-only
 * plots since the last reply and any reply resets it (T8).
 *
 * Raised when the track had a transponder reply (SSR, Mode S, ADS-B or
 * MLAT: last_src_ms) and has been seen by primary radar only for at least
 * no_xpdr_scans scans since, so a reply missed once or twice among
 * cooperative scans raises nothing; not a vessel, not slow (TRK_F_SLOW: a
 * track that drifted onto clutter, an aircraft taxiing in after switching
 * off). CONFIRMED or COASTING: a coasting track's last plots were primary
 * only, which is the last thing known of it. Such a track raises this rule
 * and never NO_TRANSPONDER (rule_no_transponder.c skips tracks that had a
 * reply): the difference matters to the operator — an unknown primary
 * target against a known aircraft that went dark, with its identity.
 *
 * WARNING: a known aircraft switching its transponder off in flight is a
 * renegade indicator (../shared/docs/domain.md section 2, "transponder not
 * as instructed") and takes it out of every ACAS and ADS-B picture; it is
 * more serious than an unknown primary target (NO_TRANSPONDER, CAUTION).
 * Key: the track id. Cleared (after the core's hold) when a reply comes
 * back and primary_only_scans returns to 0.
 */
#include <stdio.h>

#include "detect/rule.h"

int det_xpdr_off(const struct det_config *cfg, const struct trk_track *t)
{
    return (t->status == TRK_ST_CONFIRMED || t->status == TRK_ST_COASTING) &&
           t->kind != TRK_KIND_VESSEL && !(t->flags & TRK_F_SLOW) && det_replies_stopped(cfg, t);
}

static const char *source_name(int s)
{
    switch (s) {
    case TRK_SOURCE_SSR:
        return "SSR";
    case TRK_SOURCE_MODES:
        return "Mode S";
    case TRK_SOURCE_ADSB:
        return "ADS-B";
    case TRK_SOURCE_MLAT:
        return "MLAT";
    default:
        return "?";
    }
}

static int evaluate(const struct det_ctx *c)
{
    int rc = 0;
    for (size_t k = 0; k < c->n_special; k++) { /* the only live tracks it can fire on */
        size_t i = c->special[k];
        const struct trk_track *t = &c->tracks[i];
        if (!det_xpdr_off(c->cfg, t))
            continue;
        int64_t last_ms;
        int src = det_last_reply(t, &last_ms);
        /* in doubles: a hostile reply time must not overflow (exact for
         * any two times of the same era) */
        double ago_s = ((double)c->now_ms - (double)last_ms) / 1000.0;
        if (ago_s < 0)
            ago_s = 0;
        double kt = t->gs_mps / 0.514444;
        struct det_hit h = {
            .rule = DET_RULE_TRANSPONDER_OFF,
            .severity = DET_SEV_WARNING,
            .key = t->id,
            .sig = 0,
            .n_parties = 1,
            .parties = {t},
            .lat_deg = c->lat[i],
            .lon_deg = c->lon[i],
            .n_values = 3,
            .values = {{"primary_only_scans", (double)t->primary_only_scans},
                       {"since_reply_s", ago_s},
                       {"ground_speed_kt", kt}},
        };
        char who[80], lvl[40] = "";
        det_label(t, who, sizeof who);
        if (t->flags & TRK_F_ALT) {
            h.values[h.n_values++] = (struct det_value){"last_alt_ft", (double)t->alt_ft};
            snprintf(lvl, sizeof lvl, ", last reported at %ld ft", (long)t->alt_ft);
        }
        det_textf(h.text, sizeof h.text,
                  "Transponder off: %s, last %s reply %.0f s ago, seen by primary radar only "
                  "for %u scans since, at %.0f kt%s.",
                  who, source_name(src), ago_s, (unsigned)t->primary_only_scans, kt, lvl);
        int e = det_report(c, &h);
        if (e && !rc)
            rc = e;
    }
    return rc;
}

const struct det_rule det_rule_transponder_off = {"TRANSPONDER_OFF", DET_RULE_TRANSPONDER_OFF,
                                                  evaluate};
