/*
 * eval_int.h — the evaluator's state, shared by eval.c (association and
 * counting), conflict.c (the truth's conflicts, alerts judged) and
 * report.c (summary and writers). Private to src/eval.
 */
#ifndef CAIRN_EVAL_EVAL_INT_H
#define CAIRN_EVAL_EVAL_INT_H

#include <stddef.h>
#include <stdint.h>

#include "eval/eval.h"

/* Position error histogram: 1 m bins up to HIST_MAX_M, the last bin holds
 * everything beyond (its values are then reported as the maximum). */
#define EV_HIST_MAX_M 20000
#define EV_HIST_BINS  (EV_HIST_MAX_M + 1)

struct ev_hist {
    uint64_t n;
    double sumsq;
    double vel_sumsq; /* velocity error, (m/s)^2 */
    double max;
    uint32_t *bin; /* EV_HIST_BINS */
};

/* Per mover. */
struct ev_mstate {
    uint32_t track;        /* associated track at the last cycle it was associated (0: never) */
    uint32_t assoc_prev;   /* associated track at the previous cycle (0: none) */
    int64_t expected_from; /* start of the current expected stretch; INT64_MIN: not expected */
    uint64_t present, expected, covered, grace, assoc;
    uint64_t breaks;
    uint32_t n_tracks;  /* distinct associations (changes + 1) */
    uint32_t gain_from; /* mover index + 1 it last took a track from (swap detection) */
    int64_t gain_t_ms;
    double sumsq;
    double max_err;
    int64_t dark_from_ms; /* first expected cycle with the transponder off; INT64_MIN */
    int dark_counted;     /* ... and one after the grace */
};

/* Per track id ever judged. */
struct ev_trec {
    uint32_t id;
    uint32_t mover;    /* last mover (index + 1) associated or extra to; 0: none */
    uint32_t assigned; /* last mover (index + 1) associated to */
    uint64_t assoc, extra, false_;
    int64_t first_ms, last_ms;
    int64_t t_state_ms; /* the estimate's time at the last cycle it was judged at its update */
};

/* A loss of separation in the truth (whole seconds). */
struct ev_conflict {
    uint32_t a, b;             /* mover indices, a < b */
    int64_t t_loss_s, t_end_s; /* first and last second in loss */
    int64_t t_cpa_s;
    double min_h_m, dv_ft_cpa;
    uint8_t horiz_only; /* a transponder was off: judged horizontally */
    uint8_t near_miss;
};

/* An alert as recorded from ev_alert. */
struct ev_arec {
    uint32_t id;
    uint8_t rule, sev_max, n_parties, cleared;
    uint32_t track[2];
    uint32_t mover[2]; /* index + 1; 0: not (yet) resolved */
    int64_t t_open_ms, t_clear_ms;
};

struct ev {
    struct ev_config cfg;
    const struct ev_truth *truth;
    struct ev_mstate *ms;
    /* identity indices: sorted (value, mover index) */
    uint64_t *by_icao, *by_mmsi;
    size_t n_icao, n_mmsi;
    /* track records, open addressing on id */
    struct ev_trec *trec;
    size_t n_trec, cap_trec;
    uint32_t *thash; /* trec index + 1 */
    size_t tmask;
    /* error histograms per source mix: each cycle, moved to now (hist); at
     * the estimate's own time, once per new estimate (hist_upd) */
    struct ev_hist hist[EV_MIX_N];
    struct ev_hist hist_upd[EV_MIX_N];
    /* truth conflicts */
    struct ev_conflict *conf;
    size_t n_conf, cap_conf;
    /* alerts */
    struct ev_arec *alerts;
    size_t n_alerts, cap_alerts;
    size_t first_unresolved; /* alerts before this index are resolved */
    /* per-cycle scratch; pidx: mover index -> present-mover index + 1 */
    uint32_t *pidx;
    void *scr_m, *scr_t, *scr_p, *scr_o;
    size_t cap_m, cap_t, cap_p, cap_o;
    struct ev_idstat id_m3a, id_callsign, id_modec;
    /* counters */
    uint64_t cycles, track_cycles, assoc_cycles, extra_cycles, false_cycles;
    uint64_t switches, swaps, breaks, id_far, bad_tracks;
    int64_t t_first_ms, t_last_ms;
    int started;
    int incomplete;
};

/* conflict.c */
int ev_conflicts_compute(struct ev *e);
/* Judge one alert: fills *why (a static string) and *warning_ms (INT64_MIN
 * when none); returns 1 justified, 0 nuisance, -1 unjudged. conflict gets
 * the index of the conflict matched, or SIZE_MAX. */
int ev_alert_judge(const struct ev *e, const struct ev_arec *a, const char **why,
                   int64_t *warning_ms, size_t *conflict);
/* Warning of conflict i: 1 warned (*warning_ms, *alert_id), 0 missed. */
int ev_conflict_warning(const struct ev *e, size_t i, int64_t *warning_ms, uint32_t *alert_id);

/* Mover i flew dark where a sensor could see it: the earliest justified
 * NO_TRANSPONDER alert on it. 1 (*delay_ms from its first dark expected
 * cycle, grace included, to the alert's opening; *alert_id), 0 none. */
int ev_dark_detection(const struct ev *e, size_t i, int64_t *delay_ms, uint32_t *alert_id);

/* shared helpers (eval.c) */
double ev_dist_m(double lat1, double lon1, double lat2, double lon2);

#endif
