/*
 * eval.h — the tracker and its alerts judged against the truth of a
 * simulated scenario (`cairn sim`'s truth.jsonl), with the figures that
 * surveillance evaluators use: EUROCONTROL SASS-C, OpenATS COMPASS
 * (conf/default/eval.json, its user manual) and Stone Soup's SIAP metrics.
 * docs/evaluation.md has the definitions and the targets.
 *
 * Key ideas:
 *  - The truth is parsed once (ev_truth_parse: one JSON object per line,
 *    every byte hostile) into one time series per mover, at whole seconds;
 *    between two consecutive seconds a mover is interpolated linearly (the
 *    simulator's path is exactly that, docs/sim.md).
 *  - Each picture cycle (ev_observe, about once a second) the CONFIRMED and
 *    COASTING tracks, moved to `now` along their velocity, are associated
 *    one-to-one with the movers present at `now`: first by identity (ICAO
 *    address, MMSI) where the mover has one and the track carries it, within
 *    a wide identity gate; then by position within a gate, greedily by
 *    increasing distance, the pair associated at the previous cycle
 *    counting half its distance (any other pair 10 m more) so that
 *    association does not flicker where two movers pass close. Tracks left over are "extra" when
 * they lie within the gate of a mover (or carry its identity), else "false".
 *  - Counting over the cycles gives the position error (RMS, 95th
 *    percentile) by the mix of sources feeding the track, completeness over
 *    the mover-cycles that a sensor could see ("expected", from the
 *    coverage in ev_config and the truth's switches), extra and false
 *    tracks, track breaks (a mover's track changes id) and identity swaps
 *    (two movers exchange tracks).
 *  - The truth's own conflicts (loss of separation: 5 NM and 1,000 ft,
 *    2,000 ft above FL410, judged horizontally when either aircraft's
 *    transponder is off, since no sensor gives its altitude) are computed
 *    from the trajectories in ev_new; alerts (ev_alert) are matched to them
 *    through the tracks' association to movers: warning time per alert and
 *    per conflict, conflicts missed, nuisance alerts.
 *  - Pure: no I/O, no clock; memory grows with the number of distinct
 *    tracks and alerts seen (the per-cycle work allocates nothing once the
 *    tables have grown).
 *
 * Threads: one evaluator, one thread at a time.
 */
#ifndef CAIRN_EVAL_EVAL_H
#define CAIRN_EVAL_EVAL_H

#include <stddef.h>
#include <stdint.h>

struct trk_track;
struct det_alert;
struct jsonw;
struct dbuf;

/* ------------------------------------------------------------------ truth */

/* Limits on a truth file (every byte of it is hostile). */
#define EV_TRUTH_MAX_LINE    4096     /* bytes per line, newline excluded */
#define EV_TRUTH_MAX_MOVERS  200000   /* distinct ids */
#define EV_TRUTH_MAX_SAMPLES 20000000 /* lines with a sample (about 1 GB of memory) */
#define EV_TRUTH_ID_LEN      32       /* id: 1..31 printable ASCII characters */

enum ev_kind { EV_AIRCRAFT = 0, EV_VESSEL = 1 };

/* ev_sample.flags */
enum ev_sample_flags {
    EV_S_TRANSPONDER = 1u << 0,
    EV_S_ADSB = 1u << 1,
    EV_S_AIS = 1u << 2,
    EV_S_SQUAWK = 1u << 3, /* squawk valid */
};

/* A mover's state at one whole second. */
struct ev_sample {
    int64_t t_s; /* UTC seconds */
    double lat_deg, lon_deg;
    float alt_ft, gs_kt, track_deg, vrate_fpm;
    uint16_t squawk; /* 12 bits (EV_S_SQUAWK) */
    uint8_t flags;   /* EV_S_* */
};

struct ev_mover {
    char id[EV_TRUTH_ID_LEN]; /* printable ASCII, no quote or backslash */
    uint8_t kind;             /* enum ev_kind */
    uint32_t icao;            /* 0: none */
    uint32_t mmsi;            /* 0: none */
    char callsign[9];         /* "" when none; [A-Z0-9 ] */
    struct ev_sample *s;      /* n samples, t_s strictly increasing */
    size_t n, cap;
};

struct ev_truth {
    struct ev_mover *movers; /* in order of first appearance */
    size_t n_movers, movers_cap;
    size_t n_samples;
    int64_t t_first_s, t_last_s;
};

/*
 * Parse a truth.jsonl (buf borrowed, len bytes, need not be NUL-terminated):
 * one JSON object per line (docs/sim.md "Truth"); blank lines are skipped,
 * unknown keys ignored. Required: t, id, kind, lat, lon; optional (default):
 * alt_ft (0), gs_kt (0), track_deg (0), vrate_fpm (0), icao, squawk,
 * callsign, mmsi (null), transponder, adsb, ais (false). A mover keeps its
 * kind, icao, mmsi and callsign; its t strictly increases.
 * 0 and *out (free with ev_truth_free); CAIRN_E_FORMAT (a line is not
 * valid: err says which and why, printable ASCII, "line N: ..."),
 * CAIRN_E_TOOBIG (a limit above), CAIRN_E_NOMEM, CAIRN_E_INVAL (NULL
 * arguments). err (errcap bytes, may be NULL/0) is always NUL-terminated.
 */
int ev_truth_parse(const char *buf, size_t len, struct ev_truth **out, char *err, size_t errcap);
/* Accepts NULL. */
void ev_truth_free(struct ev_truth *t);

/*
 * A mover's interpolated state at t_ms (linear between two samples one
 * second apart; flags and squawk from the earlier sample). 1 and *out when
 * the mover exists at t_ms, else 0.
 */
int ev_truth_at(const struct ev_mover *m, int64_t t_ms, struct ev_sample *out);

/* ----------------------------------------------------------------- config */

/* What a sensor contributes to "expected" (completeness). */
enum ev_sensor_kind {
    EV_SENSOR_PSR = 0,  /* sees airborne aircraft (gs >= 30 kt) within range (slant) */
    EV_SENSOR_SSR = 1,  /* aircraft with the transponder on, within range (slant) */
    EV_SENSOR_ADSB = 2, /* aircraft with ADS-B on, within range (ground) */
    EV_SENSOR_AIS = 3,  /* vessels with AIS on, within range (ground) */
};

struct ev_sensor {
    uint8_t kind; /* enum ev_sensor_kind */
    double lat_deg, lon_deg, alt_m;
    double range_m;
};

/* A scenario's largest coverage: 64 radars (primary and secondary) and
 * 2 x 64 receivers. */
#define EV_MAX_SENSORS 256

/* Position error classes: the mix of sources that fed a track recently. */
enum ev_mix {
    EV_MIX_ADSB = 0,    /* ADS-B or MLAT among them */
    EV_MIX_SSR = 1,     /* secondary radar (SSR / Mode S), maybe primary: no ADS-B */
    EV_MIX_PRIMARY = 2, /* primary radar only */
    EV_MIX_AIS = 3,     /* AIS (vessels) */
    EV_MIX_OTHER = 4,   /* other trackers' system tracks only */
    EV_MIX_COAST = 5,   /* no source within src_recent_ms: coasting */
    EV_MIX_N = 6,
};

struct ev_config {
    /* association */
    double gate_m;          /* positional gate, mover to track (2 NM) */
    double id_gate_m;       /* identity gate: farther, an identity match is not trusted (10 km) */
    double alt_gate_ft;     /* a track with an altitude this far from an aircraft's is not it */
    double keep_factor;     /* previous pair's distance is multiplied by this (0.5) ... */
    double keep_margin_m;   /* ... and any other pair's lengthened by this (10 m) */
    int64_t src_recent_ms;  /* a source fed the track within this: part of its mix (15 s) */
    int64_t swap_window_ms; /* two opposite track switches this close: a swap (30 s) */
    /* completeness */
    struct ev_sensor sensors[EV_MAX_SENSORS]; /* coverage; none: every sensor everywhere */
    size_t n_sensors;
    int64_t grace_ms; /* after becoming expected, not yet counted (30 s) */
    /* conflicts (../shared/docs/domain.md; detect.h defaults) */
    double sep_h_m;        /* 5 NM */
    double sep_v_ft;       /* 1,000 ft */
    double sep_v_high_ft;  /* 2,000 ft ... */
    double high_fl;        /* ... when the higher aircraft is above FL410 */
    double near_miss_h_m;  /* 1 NM */
    double near_miss_v_ft; /* 500 ft */
    int64_t lookahead_ms;  /* the detector's look-ahead (120 s) */
    /* targets (issue 8) */
    double target_rms_radar_m;  /* 200: radar-only tracks (SSR and primary classes) */
    double target_rms_adsb_m;   /* 50: ADS-B-fed tracks */
    double target_completeness; /* 0.99 */
    double target_extra;        /* 0.01: extra track-cycles / associated track-cycles */
    uint32_t target_swaps;      /* 0 */
    int64_t target_warning_ms;  /* 60 s: every conflict warned at least this early */
    size_t max_detail;          /* movers and alerts listed one by one in the results (500) */
    double mode_c_tol_ft;       /* a track's altitude this close to the truth's is correct (300) */
};

void ev_config_default(struct ev_config *c);

/* ---------------------------------------------------------------- evaluator */

struct ev;

/*
 * Create an evaluator over truth (borrowed: must outlive the evaluator)
 * and cfg (copied; NULL: defaults). Computes the truth's conflicts.
 * 0 and *out (free with ev_free), CAIRN_E_INVAL, CAIRN_E_NOMEM,
 * CAIRN_E_TOOBIG (more than 50 million pairs of aircraft within 5 NM of
 * latitude, or 10,000 pairs in loss of separation, at one second).
 */
int ev_new(const struct ev_truth *truth, const struct ev_config *cfg, struct ev **out);
/* Accepts NULL. */
void ev_free(struct ev *e);

/*
 * One picture cycle: tracks[0..n) (borrowed; a trk_snapshot) at now_ms.
 * Only CONFIRMED and COASTING tracks are judged; each is moved from
 * t_state_ms to now_ms along its velocity (up to 60 s; beyond, or with
 * non-finite values, it is skipped and counted). now_ms must not go
 * backwards (CAIRN_E_RANGE: nothing done). 0, or CAIRN_E_NOMEM (the
 * results are then marked incomplete).
 */
int ev_observe(struct ev *e, const struct trk_track *tracks, size_t n, int64_t now_ms);

/*
 * An alert changed (borrowed for the call): its opening is recorded with
 * its parties' track ids, its clearing closes its interval. Call it from
 * the detector's change callback. Alerts are judged at the end (ev_finish
 * or the writers).
 */
void ev_alert(struct ev *e, const struct det_alert *a);

/* ----------------------------------------------------------------- results */

/* Position error statistics of one class. */
struct ev_pos_stats {
    uint64_t n;   /* associated track-cycles */
    double rms_m; /* 0 when n == 0 */
    double p95_m; /* 95th percentile (1 m resolution) */
    double max_m;
    double vel_rms_mps; /* velocity error (vector), RMS */
};

/* Identification carried by associated aircraft tracks whose transponder
 * is on, in track-cycles (COMPASS: identification correct / false, Mode C
 * present / correct). */
struct ev_idstat {
    uint64_t expected; /* the truth has it */
    uint64_t present;  /* the track carries it */
    uint64_t correct, wrong;
};

enum ev_verdict { EV_NA = 0, EV_PASS = 1, EV_FAIL = 2 };

struct ev_summary {
    uint64_t cycles;
    struct ev_pos_stats pos[EV_MIX_N];
    struct ev_pos_stats pos_radar; /* SSR and PRIMARY together: "radar-only" */
    struct ev_pos_stats pos_all;
    /* the same at each update: a track's estimate at its own time
     * (t_state_ms), once per new estimate, against the truth then; the
     * accuracy targets judge these */
    struct ev_pos_stats upd[EV_MIX_N], upd_radar, upd_all;
    uint64_t expected, covered, not_expected, in_grace; /* mover-cycles */
    double completeness;                                /* covered / expected (1 when 0) */
    uint64_t track_cycles;                              /* CONFIRMED/COASTING track-cycles judged */
    uint64_t assoc_cycles;                              /* of which associated to a mover */
    uint64_t extra_cycles;                              /* ... beside a mover that has its track */
    uint64_t false_cycles;                              /* ... near no mover */
    double extra_ratio;                                 /* extra / (assoc + extra) */
    double false_ratio;                                 /* false / track_cycles */
    uint64_t tracks;                                    /* distinct tracks judged */
    uint64_t extra_tracks;                              /* distinct tracks ever extra */
    uint64_t false_tracks; /* distinct tracks that never matched a mover */
    uint64_t breaks;       /* a mover's associated track changed id */
    uint64_t switches;     /* a track's associated mover changed */
    uint64_t swaps;        /* two movers exchanged tracks */
    uint64_t id_far;       /* identity matches rejected: beyond id_gate_m */
    uint64_t bad_tracks;   /* tracks skipped: non-finite or stale */
    struct ev_idstat mode3a, callsign, mode_c;
    /* conflicts: all in the truth; judged: loss between the first cycle +
     * target_warning_ms and the last cycle (the others could not be warned
     * of in time, or were not watched); warned/late/missed among those */
    uint64_t conflicts, conflicts_judged, conflicts_warned, conflicts_missed, conflicts_late;
    int64_t min_warning_ms; /* least warning over warned conflicts (INT64_MAX: none) */
    uint64_t near_misses;   /* truth conflicts that were near misses */
    uint64_t alerts, alerts_justified, nuisance, unjudged;
    /* aircraft seen flying without transponder where a sensor could see
     * them (beyond the grace), and those a justified NO_TRANSPONDER alert
     * named; the longest delay from the first such cycle (grace included)
     * to the alert (INT64_MIN: none) */
    uint64_t dark_aircraft, dark_detected;
    int64_t dark_max_delay_ms;
    enum ev_verdict v_rms_radar, v_rms_adsb, v_completeness, v_extra, v_swaps, v_warning;
    int pass;       /* every verdict PASS or NA */
    int incomplete; /* memory ran out at some point */
};

/* Judge the alerts and fill *s. Cheap enough to call at any time. */
void ev_summary(const struct ev *e, struct ev_summary *s);

/*
 * The results as one JSON object (summary, per-class position errors,
 * targets with verdicts, conflicts, alerts, per-mover detail up to
 * max_detail). Returns 0 or the writer's error (w->err).
 */
int ev_write_json(const struct ev *e, struct jsonw *w);

/* A human summary, several lines of printable ASCII, appended to b.
 * 0, CAIRN_E_TOOBIG or CAIRN_E_NOMEM. */
int ev_write_text(const struct ev *e, struct dbuf *b);

const char *ev_mix_name(unsigned mix);
const char *ev_verdict_name(unsigned v);

#endif
