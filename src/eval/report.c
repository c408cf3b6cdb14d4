/*
 * report.c — the evaluator's results: the summary (figures and verdicts
 * against the targets of ev_config), the JSON object and the human text.
 * docs/evaluation.md describes every key.
 */
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "base/dbuf.h"
#include "base/error.h"
#include "base/jsonw.h"
#include "detect/detect.h"
#include "eval/eval_int.h"

const char *ev_mix_name(unsigned mix)
{
    static const char *const names[EV_MIX_N] = {"adsb", "ssr",   "primary",
                                                "ais",  "other", "coasting"};
    return mix < EV_MIX_N ? names[mix] : "?";
}

const char *ev_verdict_name(unsigned v)
{
    return v == EV_PASS ? "pass" : v == EV_FAIL ? "fail" : "n/a";
}

/* Statistics over the union of the histograms hist[] whose bit is set in
 * mask (e->hist or e->hist_upd). */
static void pos_stats(const struct ev_hist *hist, unsigned mask, struct ev_pos_stats *out)
{
    memset(out, 0, sizeof *out);
    double sumsq = 0, vsq = 0;
    for (unsigned k = 0; k < EV_MIX_N; k++)
        if (mask & (1u << k)) {
            out->n += hist[k].n;
            sumsq += hist[k].sumsq;
            vsq += hist[k].vel_sumsq;
            if (hist[k].max > out->max_m)
                out->max_m = hist[k].max;
        }
    if (!out->n)
        return;
    out->rms_m = sqrt(sumsq / (double)out->n);
    out->vel_rms_mps = sqrt(vsq / (double)out->n);
    /* the 95th percentile: the upper edge of the 1 m bin holding the rank
     * ceil(0.95 n), but never beyond the largest error seen */
    uint64_t rank = (out->n * 95 + 99) / 100, cum = 0;
    for (size_t b = 0; b < EV_HIST_BINS; b++) {
        for (unsigned k = 0; k < EV_MIX_N; k++)
            if (mask & (1u << k))
                cum += hist[k].bin[b];
        if (cum >= rank) {
            out->p95_m = fmin((double)b + 1.0, out->max_m);
            break;
        }
    }
}

/* Could conflict i have been warned of in time, and was it watched? */
static int conflict_judged(const struct ev *e, size_t i)
{
    int64_t loss = e->conf[i].t_loss_s * 1000;
    return e->started && loss >= e->t_first_ms + e->cfg.target_warning_ms && loss <= e->t_last_ms;
}

static enum ev_verdict verdict_le(uint64_t n, double v, double limit)
{
    return !n ? EV_NA : v <= limit ? EV_PASS : EV_FAIL;
}

void ev_summary(const struct ev *e, struct ev_summary *s)
{
    memset(s, 0, sizeof *s);
    s->cycles = e->cycles;
    const unsigned radar = 1u << EV_MIX_SSR | 1u << EV_MIX_PRIMARY, all = (1u << EV_MIX_N) - 1;
    for (unsigned k = 0; k < EV_MIX_N; k++) {
        pos_stats(e->hist, 1u << k, &s->pos[k]);
        pos_stats(e->hist_upd, 1u << k, &s->upd[k]);
    }
    pos_stats(e->hist, radar, &s->pos_radar);
    pos_stats(e->hist, all, &s->pos_all);
    pos_stats(e->hist_upd, radar, &s->upd_radar);
    pos_stats(e->hist_upd, all, &s->upd_all);
    uint64_t present = 0;
    for (size_t i = 0; i < e->truth->n_movers; i++) {
        present += e->ms[i].present;
        s->expected += e->ms[i].expected;
        s->covered += e->ms[i].covered;
        s->in_grace += e->ms[i].grace;
    }
    s->not_expected = present - s->expected - s->in_grace;
    s->completeness = s->expected ? (double)s->covered / (double)s->expected : 1.0;
    s->track_cycles = e->track_cycles;
    s->assoc_cycles = e->assoc_cycles;
    s->extra_cycles = e->extra_cycles;
    s->false_cycles = e->false_cycles;
    uint64_t ae = e->assoc_cycles + e->extra_cycles;
    s->extra_ratio = ae ? (double)e->extra_cycles / (double)ae : 0;
    s->false_ratio = e->track_cycles ? (double)e->false_cycles / (double)e->track_cycles : 0;
    s->tracks = e->n_trec;
    for (size_t i = 0; i < e->n_trec; i++) {
        s->extra_tracks += e->trec[i].extra > 0;
        s->false_tracks += !e->trec[i].assoc && !e->trec[i].extra;
    }
    s->breaks = e->breaks;
    s->switches = e->switches;
    s->swaps = e->swaps;
    s->id_far = e->id_far;
    s->mode3a = e->id_m3a;
    s->callsign = e->id_callsign;
    s->mode_c = e->id_modec;
    s->bad_tracks = e->bad_tracks;
    s->conflicts = e->n_conf;
    s->min_warning_ms = INT64_MAX;
    int warn_ok = 1;
    for (size_t i = 0; i < e->n_conf; i++) {
        int64_t w;
        uint32_t id;
        s->near_misses += e->conf[i].near_miss;
        if (!conflict_judged(e, i))
            continue;
        s->conflicts_judged++;
        if (!ev_conflict_warning(e, i, &w, &id)) {
            s->conflicts_missed++;
            warn_ok = 0;
            continue;
        }
        if (w < 0)
            s->conflicts_late++;
        else
            s->conflicts_warned++;
        if (w < s->min_warning_ms)
            s->min_warning_ms = w;
        if (w < e->cfg.target_warning_ms)
            warn_ok = 0;
    }
    s->alerts = e->n_alerts;
    for (size_t k = 0; k < e->n_alerts; k++) {
        const char *why;
        int64_t w;
        size_t c;
        int j = ev_alert_judge(e, &e->alerts[k], &why, &w, &c);
        if (j > 0)
            s->alerts_justified++;
        else if (j == 0)
            s->nuisance++;
        else
            s->unjudged++;
    }
    s->dark_max_delay_ms = INT64_MIN;
    for (size_t i = 0; i < e->truth->n_movers; i++) {
        int64_t d;
        uint32_t id;
        if (!e->ms[i].dark_counted)
            continue;
        s->dark_aircraft++;
        if (ev_dark_detection(e, i, &d, &id)) {
            s->dark_detected++;
            if (d > s->dark_max_delay_ms)
                s->dark_max_delay_ms = d;
        }
    }
    const struct ev_config *cfg = &e->cfg;
    /* the accuracy targets judge the estimates at their update (SASS-C,
     * COMPASS); docs/evaluation.md says why */
    s->v_rms_radar = verdict_le(s->upd_radar.n, s->upd_radar.rms_m, cfg->target_rms_radar_m);
    s->v_rms_adsb =
        verdict_le(s->upd[EV_MIX_ADSB].n, s->upd[EV_MIX_ADSB].rms_m, cfg->target_rms_adsb_m);
    s->v_completeness = !s->expected                                  ? EV_NA
                        : s->completeness >= cfg->target_completeness ? EV_PASS
                                                                      : EV_FAIL;
    s->v_extra = verdict_le(ae, s->extra_ratio, cfg->target_extra);
    s->v_swaps = verdict_le(e->cycles, (double)s->swaps, (double)cfg->target_swaps);
    s->v_warning = !s->conflicts_judged ? EV_NA : warn_ok ? EV_PASS : EV_FAIL;
    s->pass = s->v_rms_radar != EV_FAIL && s->v_rms_adsb != EV_FAIL &&
              s->v_completeness != EV_FAIL && s->v_extra != EV_FAIL && s->v_swaps != EV_FAIL &&
              s->v_warning != EV_FAIL;
    s->incomplete = e->incomplete;
}

/* ------------------------------------------------------------------- JSON */

static void jw_pos(struct jsonw *w, const char *key, const struct ev_pos_stats *p)
{
    jw_key(w, key);
    jw_obj(w);
    jw_kuint(w, "n", p->n);
    jw_kfixed(w, "rms_m", p->rms_m, 1);
    jw_kfixed(w, "p95_m", p->p95_m, 1);
    jw_kfixed(w, "max_m", p->max_m, 1);
    jw_kfixed(w, "velocity_rms_mps", p->vel_rms_mps, 2);
    jw_end(w);
}

/* key: {per mix, "radar_only", "all"} */
static void jw_positions(struct jsonw *w, const char *key, const struct ev_pos_stats mix[EV_MIX_N],
                         const struct ev_pos_stats *radar, const struct ev_pos_stats *all)
{
    jw_key(w, key);
    jw_obj(w);
    for (unsigned k = 0; k < EV_MIX_N; k++)
        jw_pos(w, ev_mix_name(k), &mix[k]);
    jw_pos(w, "radar_only", radar);
    jw_pos(w, "all", all);
    jw_end(w);
}

static void jw_idstat(struct jsonw *w, const char *key, const struct ev_idstat *x)
{
    jw_key(w, key);
    jw_obj(w);
    jw_kuint(w, "expected", x->expected);
    jw_kuint(w, "present", x->present);
    jw_kuint(w, "correct", x->correct);
    jw_kuint(w, "wrong", x->wrong);
    jw_end(w);
}

static void jw_target(struct jsonw *w, const char *name, double limit, double value,
                      enum ev_verdict v)
{
    jw_obj(w);
    jw_kstr(w, "name", name);
    jw_knum(w, "limit", limit, 6);
    jw_key(w, "value");
    if (v == EV_NA)
        jw_null(w);
    else
        jw_num(w, value, 6);
    jw_kstr(w, "result", ev_verdict_name(v));
    jw_end(w);
}

static void jw_mover(struct jsonw *w, const struct ev *e, uint32_t m1)
{
    if (m1)
        jw_str(w, e->truth->movers[m1 - 1].id);
    else
        jw_null(w);
}

int ev_write_json(const struct ev *e, struct jsonw *w)
{
    struct ev_summary s;
    ev_summary(e, &s);
    const struct ev_config *cfg = &e->cfg;
    jw_obj(w);
    jw_kstr(w, "type", "evaluation");
    jw_kbool(w, "pass", s.pass);
    jw_kbool(w, "incomplete", s.incomplete);
    jw_kuint(w, "cycles", s.cycles);
    if (e->started) {
        jw_kfixed(w, "t_first", (double)e->t_first_ms / 1000.0, 3);
        jw_kfixed(w, "t_last", (double)e->t_last_ms / 1000.0, 3);
    }
    jw_kuint(w, "movers", e->truth->n_movers);

    jw_positions(w, "position", s.pos, &s.pos_radar, &s.pos_all);
    jw_positions(w, "position_at_update", s.upd, &s.upd_radar, &s.upd_all);

    jw_key(w, "completeness");
    jw_obj(w);
    jw_kuint(w, "expected", s.expected);
    jw_kuint(w, "covered", s.covered);
    jw_kfixed(w, "ratio", s.completeness, 5);
    jw_kuint(w, "in_grace", s.in_grace);
    jw_kuint(w, "not_expected", s.not_expected);
    jw_end(w);

    jw_key(w, "tracks");
    jw_obj(w);
    jw_kuint(w, "distinct", s.tracks);
    jw_kuint(w, "cycles", s.track_cycles);
    jw_kuint(w, "associated_cycles", s.assoc_cycles);
    jw_kuint(w, "extra_cycles", s.extra_cycles);
    jw_kfixed(w, "extra_ratio", s.extra_ratio, 5);
    jw_kuint(w, "extra_tracks", s.extra_tracks);
    jw_kuint(w, "false_cycles", s.false_cycles);
    jw_kfixed(w, "false_ratio", s.false_ratio, 5);
    jw_kuint(w, "false_tracks", s.false_tracks);
    jw_kuint(w, "breaks", s.breaks);
    jw_kuint(w, "switches", s.switches);
    jw_kuint(w, "identity_swaps", s.swaps);
    jw_kuint(w, "identity_far", s.id_far);
    jw_kuint(w, "skipped", s.bad_tracks);
    jw_end(w);

    jw_key(w, "identification");
    jw_obj(w);
    jw_idstat(w, "mode3a", &s.mode3a);
    jw_idstat(w, "callsign", &s.callsign);
    jw_idstat(w, "mode_c", &s.mode_c);
    jw_end(w);

    jw_key(w, "conflicts");
    jw_obj(w);
    jw_kuint(w, "total", s.conflicts);
    jw_kuint(w, "judged", s.conflicts_judged);
    jw_kuint(w, "warned", s.conflicts_warned);
    jw_kuint(w, "late", s.conflicts_late);
    jw_kuint(w, "missed", s.conflicts_missed);
    jw_kuint(w, "near_misses", s.near_misses);
    jw_key(w, "min_warning_s");
    if (s.min_warning_ms == INT64_MAX)
        jw_null(w);
    else
        jw_fixed(w, (double)s.min_warning_ms / 1000.0, 1);
    jw_key(w, "list");
    jw_arr(w);
    for (size_t i = 0; i < e->n_conf && i < cfg->max_detail; i++) {
        const struct ev_conflict *c = &e->conf[i];
        int64_t wm;
        uint32_t aid;
        int warned = ev_conflict_warning(e, i, &wm, &aid);
        jw_obj(w);
        jw_kstr(w, "a", e->truth->movers[c->a].id);
        jw_kstr(w, "b", e->truth->movers[c->b].id);
        jw_kint(w, "t_loss", c->t_loss_s);
        jw_kint(w, "t_end", c->t_end_s);
        jw_kint(w, "t_cpa", c->t_cpa_s);
        jw_kfixed(w, "min_h_m", c->min_h_m, 0);
        jw_kfixed(w, "dv_ft", c->dv_ft_cpa, 0);
        jw_kbool(w, "horizontal_only", c->horiz_only);
        jw_kbool(w, "near_miss", c->near_miss);
        jw_kbool(w, "judged", conflict_judged(e, i));
        jw_key(w, "alert");
        if (warned)
            jw_uint(w, aid);
        else
            jw_null(w);
        jw_key(w, "warning_s");
        if (warned)
            jw_fixed(w, (double)wm / 1000.0, 1);
        else
            jw_null(w);
        jw_end(w);
    }
    jw_end(w);
    jw_end(w);

    jw_key(w, "alerts");
    jw_obj(w);
    jw_kuint(w, "total", s.alerts);
    jw_kuint(w, "justified", s.alerts_justified);
    jw_kuint(w, "nuisance", s.nuisance);
    jw_kuint(w, "unjudged", s.unjudged);
    jw_key(w, "list");
    jw_arr(w);
    for (size_t k = 0; k < e->n_alerts && k < cfg->max_detail; k++) {
        const struct ev_arec *a = &e->alerts[k];
        const char *why;
        int64_t wm;
        size_t ci;
        int j = ev_alert_judge(e, a, &why, &wm, &ci);
        jw_obj(w);
        jw_kuint(w, "id", a->id);
        jw_kstr(w, "rule", det_rule_name(a->rule));
        jw_kstr(w, "severity", det_severity_name(a->sev_max));
        jw_kfixed(w, "t_open", (double)a->t_open_ms / 1000.0, 3);
        jw_key(w, "t_clear");
        if (a->cleared)
            jw_fixed(w, (double)a->t_clear_ms / 1000.0, 3);
        else
            jw_null(w);
        jw_key(w, "movers");
        jw_arr(w);
        for (unsigned p = 0; p < a->n_parties; p++)
            jw_mover(w, e, a->mover[p]);
        jw_end(w);
        jw_kstr(w, "judged", j > 0 ? "justified" : j == 0 ? "nuisance" : "unjudged");
        jw_kstr(w, "why", why);
        jw_key(w, "warning_s");
        if (wm != INT64_MIN)
            jw_fixed(w, (double)wm / 1000.0, 1);
        else
            jw_null(w);
        jw_key(w, "cpa_after_s");
        if (ci != SIZE_MAX)
            jw_fixed(w, (double)(e->conf[ci].t_cpa_s * 1000 - a->t_open_ms) / 1000.0, 1);
        else
            jw_null(w);
        jw_end(w);
    }
    jw_end(w);
    jw_end(w);

    jw_key(w, "dark_aircraft");
    jw_obj(w);
    jw_kuint(w, "total", s.dark_aircraft);
    jw_kuint(w, "detected", s.dark_detected);
    jw_key(w, "max_delay_s");
    if (s.dark_max_delay_ms == INT64_MIN)
        jw_null(w);
    else
        jw_fixed(w, (double)s.dark_max_delay_ms / 1000.0, 1);
    jw_end(w);

    jw_key(w, "targets");
    jw_arr(w);
    jw_target(w, "position_rms_radar_only_m", cfg->target_rms_radar_m, s.upd_radar.rms_m,
              s.v_rms_radar);
    jw_target(w, "position_rms_adsb_m", cfg->target_rms_adsb_m, s.upd[EV_MIX_ADSB].rms_m,
              s.v_rms_adsb);
    jw_target(w, "completeness_min", cfg->target_completeness, s.completeness, s.v_completeness);
    jw_target(w, "extra_tracks_max", cfg->target_extra, s.extra_ratio, s.v_extra);
    jw_target(w, "identity_swaps_max", (double)cfg->target_swaps, (double)s.swaps, s.v_swaps);
    jw_target(w, "warning_min_s", (double)cfg->target_warning_ms / 1000.0,
              s.min_warning_ms == INT64_MAX ? 0 : (double)s.min_warning_ms / 1000.0, s.v_warning);
    jw_end(w);

    jw_key(w, "per_mover");
    jw_arr(w);
    for (size_t i = 0; i < e->truth->n_movers && i < cfg->max_detail; i++) {
        const struct ev_mover *m = &e->truth->movers[i];
        const struct ev_mstate *st = &e->ms[i];
        jw_obj(w);
        jw_kstr(w, "id", m->id);
        jw_kstr(w, "kind", m->kind == EV_VESSEL ? "vessel" : "aircraft");
        jw_kuint(w, "present", st->present);
        jw_kuint(w, "expected", st->expected);
        jw_kuint(w, "covered", st->covered);
        jw_kuint(w, "associated", st->assoc);
        jw_kuint(w, "tracks", st->n_tracks);
        jw_kuint(w, "breaks", st->breaks);
        jw_kfixed(w, "rms_m", st->assoc ? sqrt(st->sumsq / (double)st->assoc) : 0, 1);
        jw_kfixed(w, "max_m", st->max_err, 1);
        int64_t dd;
        uint32_t did;
        jw_key(w, "dark_detected_after_s");
        if (st->dark_counted && ev_dark_detection(e, i, &dd, &did))
            jw_fixed(w, (double)dd / 1000.0, 1);
        else
            jw_null(w);
        jw_end(w);
    }
    jw_end(w);
    jw_end(w);
    return w->err;
}

/* ------------------------------------------------------------------- text */

int ev_write_text(const struct ev *e, struct dbuf *b)
{
    struct ev_summary s;
    ev_summary(e, &s);
    const struct ev_config *cfg = &e->cfg;
    int rc = 0;
#define OUT(...)                                                                                   \
    do {                                                                                           \
        if (!rc)                                                                                   \
            rc = dbuf_addf(b, __VA_ARGS__);                                                        \
    } while (0)
    OUT("evaluation against truth: %s%s (%" PRIu64 " cycles, %zu movers)\n",
        s.pass ? "PASS" : "FAIL", s.incomplete ? " (incomplete: out of memory)" : "", s.cycles,
        e->truth->n_movers);
    OUT("  position error by source mix (n, RMS, 95th percentile, max: m; velocity RMS: m/s),\n"
        "  at each update (the targets) | every cycle, moved to now:\n");
    for (unsigned k = 0; k <= EV_MIX_N + 1; k++) {
        const struct ev_pos_stats *u = k < EV_MIX_N    ? &s.upd[k]
                                       : k == EV_MIX_N ? &s.upd_radar
                                                       : &s.upd_all;
        const struct ev_pos_stats *p = k < EV_MIX_N    ? &s.pos[k]
                                       : k == EV_MIX_N ? &s.pos_radar
                                                       : &s.pos_all;
        if (p->n || u->n || k == EV_MIX_N + 1)
            OUT("    %-10s %7" PRIu64 " %7.1f %7.1f %7.1f %6.2f | %7" PRIu64
                " %7.1f %7.1f %7.1f %6.2f\n",
                k < EV_MIX_N    ? ev_mix_name(k)
                : k == EV_MIX_N ? "radar_only"
                                : "all",
                u->n, u->rms_m, u->p95_m, u->max_m, u->vel_rms_mps, p->n, p->rms_m, p->p95_m,
                p->max_m, p->vel_rms_mps);
    }
    OUT("  completeness %.2f %% (%" PRIu64 " of %" PRIu64 " expected mover-cycles; %" PRIu64
        " in grace, %" PRIu64 " not expected)\n",
        100.0 * s.completeness, s.covered, s.expected, s.in_grace, s.not_expected);
    OUT("  tracks %" PRIu64 ": extra %.2f %% of cycles (%" PRIu64
        " tracks), false %.2f %% (%" PRIu64 " tracks), breaks %" PRIu64 ", switches %" PRIu64
        ", identity swaps %" PRIu64 "\n",
        s.tracks, 100.0 * s.extra_ratio, s.extra_tracks, 100.0 * s.false_ratio, s.false_tracks,
        s.breaks, s.switches, s.swaps);
    OUT("  identification (present / correct of expected track-cycles): Mode 3/A %" PRIu64
        " / %" PRIu64 " of %" PRIu64 ", callsign %" PRIu64 " / %" PRIu64 " of %" PRIu64
        ", Mode C %" PRIu64 " / %" PRIu64 " of %" PRIu64 "\n",
        s.mode3a.present, s.mode3a.correct, s.mode3a.expected, s.callsign.present,
        s.callsign.correct, s.callsign.expected, s.mode_c.present, s.mode_c.correct,
        s.mode_c.expected);
    OUT("  conflicts %" PRIu64 " (near misses %" PRIu64 "; judged %" PRIu64 "): warned %" PRIu64
        ", late %" PRIu64 ", missed %" PRIu64,
        s.conflicts, s.near_misses, s.conflicts_judged, s.conflicts_warned, s.conflicts_late,
        s.conflicts_missed);
    if (s.min_warning_ms != INT64_MAX)
        OUT(", least warning %.1f s", (double)s.min_warning_ms / 1000.0);
    OUT("\n");
    for (size_t i = 0; i < e->n_conf && i < cfg->max_detail; i++) {
        const struct ev_conflict *c = &e->conf[i];
        int64_t wm;
        uint32_t aid;
        int warned = ev_conflict_warning(e, i, &wm, &aid);
        OUT("    %s / %s: loss at %" PRId64 ", closest %.0f m at %" PRId64 "%s: ",
            e->truth->movers[c->a].id, e->truth->movers[c->b].id, c->t_loss_s, c->min_h_m,
            c->t_cpa_s, c->horiz_only ? " (horizontal only)" : "");
        if (warned)
            OUT("alert %" PRIu32 ", %.1f s warning%s\n", aid, (double)wm / 1000.0,
                conflict_judged(e, i) ? "" : " (not judged)");
        else
            OUT("%s\n", conflict_judged(e, i) ? "MISSED" : "no alert (not judged)");
    }
    OUT("  aircraft flying dark within coverage %" PRIu64
        ", named by NO_TRANSPONDER or TRANSPONDER_OFF %" PRIu64,
        s.dark_aircraft, s.dark_detected);
    if (s.dark_max_delay_ms != INT64_MIN)
        OUT(" (at most %.1f s after a sensor could see it dark)",
            (double)s.dark_max_delay_ms / 1000.0);
    OUT("\n");
    OUT("  alerts %" PRIu64 ": justified %" PRIu64 ", nuisance %" PRIu64 ", not judged %" PRIu64
        "\n",
        s.alerts, s.alerts_justified, s.nuisance, s.unjudged);
    for (size_t k = 0; k < e->n_alerts && k < cfg->max_detail; k++) {
        const struct ev_arec *a = &e->alerts[k];
        const char *why;
        int64_t wm;
        size_t ci;
        int j = ev_alert_judge(e, a, &why, &wm, &ci);
        if (j != 0)
            continue; /* list the nuisances only */
        OUT("    nuisance: alert %" PRIu32 " %s at %.1f: %s\n", a->id, det_rule_name(a->rule),
            (double)a->t_open_ms / 1000.0, why);
    }
    OUT("  targets:\n");
    OUT("    position RMS radar-only <= %.0f m: %s\n", cfg->target_rms_radar_m,
        ev_verdict_name(s.v_rms_radar));
    OUT("    position RMS ADS-B-fed  <= %.0f m: %s\n", cfg->target_rms_adsb_m,
        ev_verdict_name(s.v_rms_adsb));
    OUT("    completeness >= %.1f %%: %s\n", 100.0 * cfg->target_completeness,
        ev_verdict_name(s.v_completeness));
    OUT("    extra tracks <= %.1f %%: %s\n", 100.0 * cfg->target_extra, ev_verdict_name(s.v_extra));
    OUT("    identity swaps <= %" PRIu32 ": %s\n", cfg->target_swaps, ev_verdict_name(s.v_swaps));
    OUT("    every conflict warned >= %.0f s before the loss: %s\n",
        (double)cfg->target_warning_ms / 1000.0, ev_verdict_name(s.v_warning));
#undef OUT
    return rc;
}
