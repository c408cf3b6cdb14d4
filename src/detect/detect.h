/*
 * detect.h — safety nets over the picture: rules that look at the tracks
 * (track/track.h) at a time `now` and raise alerts, and the one alert
 * lifecycle that all rules share.
 *
 * Rules (one file each, rule_*.c, registered in detect.c in this order):
 *   EMERGENCY       squawk 7500 / 7600 / 7700 or an ADS-B emergency state.
 *   NO_TRANSPONDER  a confirmed primary-only track (no SSR, Mode S, ADS-B or
 *                   MLAT for no_xpdr_scans scans, per the tracker's
 *                   primary_only_scans) that never had a transponder reply,
 *                   not slow clutter, not a vessel.
 *   SEPARATION      actual or predicted (look-ahead; straight line, turning
 *                   at the measured rate, levelling off at the selected
 *                   altitude, a target without transponder staying in the
 *                   area it manoeuvres in) loss of separation between two
 *                   aircraft;
 *                   NEAR_MISS is its top severity. A pair in close
 *                   formation for form_min_ms (an escort) is exempt below
 *                   NEAR_MISS (docs/detect.md, invariant S1).
 *   TRANSPONDER_OFF a track that had transponder replies (SSR, Mode S, ADS-B,
 *                   MLAT) and has been seen by primary radar only for
 *                   no_xpdr_scans scans since: the transponder stopped.
 *   RENEGADE        COMLOSS / SUSPECTED / PROBABLE / CONFIRMED from the
 *                   evidence on the track (radio, flight-plan deviation,
 *                   operator flags, transponder), raised and lowered as it
 *                   changes.
 *   ZONE            approach (within the zone's approach distance, or entry
 *                   predicted along the velocity within zone_lookahead_ms)
 *                   and entry of a zone (geo/zones.h) the track is for,
 *                   while the zone is active; det_set_zones.
 *   SEA_CPA         two vessels predicted to pass closer than sea_cpa_m
 *                   within sea_horizon_ms (one of them moving), or two slow
 *                   ones actually closer than sea_anchor_m.
 *   LOW_PASS        an aircraft below low_alt_ft (or without altitude)
 *                   within low_h_m of a vessel; passes counted per pair,
 *                   the alert UPDATED at each new pass.
 *   AIS_GAP         a vessel's AIS silent for longer than k times its
 *                   reporting interval (with a minimum), tolerance shorter
 *                   and severity higher near a zone.
 * Thresholds: ../shared/docs/domain.md section 2; docs/detect.md has the
 * choices (the vertical minimum above FL290, the spatial index, the
 * hypotheses).
 *
 * Pure: no I/O, no clock, no allocation after det_new. Time comes in `now`.
 * Longitudes: the rules see them relative to det_config.lon_ref_deg (the
 * spatial index and the pair rules subtract them without a wrap); alert
 * places come out in true longitudes, in (-180, 180].
 * Tracks come as an array (a trk_snapshot, or a caller's own copy).
 *
 * Alert lifecycle (one alert per rule and key; key: a track id, or a pair):
 *
 *      condition seen                condition seen again with another
 *      (det_evaluate)                severity or signature (D7), or back
 *   FREE ──────────► OPEN ─────────► UPDATED ◄──┐ after an absence of hold_evals
 *    ▲                 │                │  └────┘ evaluations, shorter than hold_ms
 *    │                 │ condition absent for hold_ms and hold_evals
 *    │                 ▼                ▼ evaluations (det_evaluate)
 *    └──────────── CLEARED ◄────────────┘
 *     next det_evaluate
 *
 *   transition          condition
 *   FREE -> OPEN        a rule reports a (rule, key) with no live alert; a free slot
 *   OPEN -> UPDATED     the same key reported with a higher severity, or another
 *                       signature (e.g. a new squawk), or a lower severity once the
 *                       hold allows it (D7); or reported again after being absent
 *                       for at least hold_evals evaluations (one missed evaluation
 *                       is no change)
 *   UPDATED -> UPDATED  the same
 *   OPEN/UPDATED ->     not reported for at least hold_ms and at least hold_evals
 *     CLEARED           consecutive evaluations
 *   CLEARED -> FREE     the next det_evaluate (readers see CLEARED once)
 *
 * Invariants (det_check verifies D1, D2, D4, D5; tests check D3, D6, D7):
 *   D1  Alert ids are non-zero, unique and never reused within a detector.
 *   D2  At most one live (OPEN or UPDATED) alert per (rule, key), and the
 *       key index maps (rule, key) to it; CLEARED and FREE slots are in no
 *       index.
 *   D3  The change callback sees each alert OPEN first, CLEARED last and
 *       exactly once, in between only UPDATED.
 *   D4  A CLEARED alert was absent for >= hold_ms and >= hold_evals
 *       evaluations (t_clear_ms - t_seen_ms >= hold_ms).
 *   D5  For every alert that is not FREE: t_open_ms <= t_seen_ms and
 *       t_open_ms <= t_change_ms.
 *   D6  No allocation after det_new: a full alert table is CAIRN_E_FULL and
 *       stats.full; the other alerts go on. `now` going backwards is
 *       CAIRN_E_RANGE and changes nothing.
 *   D7  No flapping (the STCA habit: a warning is not withdrawn while its
 *       cause comes and goes). A live alert shows a report at once when it
 *       raises the severity, or changes the signature at the same severity
 *       to one other than the signature shown before the last change. It
 *       falls to a lower severity only once the severity shown has not
 *       been reported for hold_ms and hold_evals evaluations (the test of a
 *       clear, D4), and then to the highest severity reported within that
 *       hold, at an evaluation that reports it; it goes back to the
 *       previous signature only once the one shown has not been reported
 *       for the hold. Until then the alert keeps what it shows (severity,
 *       signature, parties, values, text; only its place follows the
 *       report). A report marked det_hit.settled (rule.h: an operator's
 *       decision, a threshold with its own band) is shown at once. So a
 *       condition that alternates at every evaluation is one change, and
 *       a lasting fall is shown hold_ms after its start at the latest
 *       evaluation (plus the evaluation that reports it).
 *
 * Threads: one detector, one thread at a time.
 */
#ifndef CAIRN_DETECT_DETECT_H
#define CAIRN_DETECT_DETECT_H

#include <stddef.h>
#include <stdint.h>

struct trk_track;
struct geo_zones;

enum det_rule_id {
    DET_RULE_EMERGENCY = 0,
    DET_RULE_NO_TRANSPONDER = 1,
    DET_RULE_SEPARATION = 2,
    DET_RULE_TRANSPONDER_OFF = 3,
    DET_RULE_RENEGADE = 4,
    DET_RULE_ZONE = 5,
    DET_RULE_SEA_CPA = 6,
    DET_RULE_LOW_PASS = 7,
    DET_RULE_AIS_GAP = 8,
    DET_RULE_N = 9,
};

/* Alerts the centre's procedures raise (app/procedures.h), not rules of the
 * detector: det_evaluate never reports them; det_rule_name names them. */
enum {
    DET_RULE_NOTICE = 32,     /* an ACTIVITY_NOTICE late or short of the Vienna Document */
    DET_RULE_COMPLIANCE = 33, /* a peer's COMPLIANCE_SUMMARY disagrees with our picture */
};

enum det_severity {
    DET_SEV_INFO = 1,
    DET_SEV_CAUTION = 2, /* predicted loss, primary-only alone */
    DET_SEV_WARNING = 3, /* actual loss, primary-only near traffic */
    DET_SEV_ALERT = 4,   /* emergency, near miss */
};

enum det_state {
    DET_ST_FREE = 0,
    DET_ST_OPEN = 1,
    DET_ST_UPDATED = 2,
    DET_ST_CLEARED = 3,
};

/* One track involved in an alert, with its identities as last seen. */
struct det_party {
    uint32_t track_id;
    uint8_t ids;  /* TRK_ID_* */
    uint8_t kind; /* enum trk_kind when the alert last changed (kept after the track is gone) */
    uint32_t icao;
    uint32_t mmsi;
    uint16_t squawk;
    char callsign[9]; /* as received: escape before showing (the text is safe) */
};

#define DET_MAX_VALUES 5
#define DET_TEXT_LEN   200

/* A value that triggered the alert (name is a static string). */
struct det_value {
    const char *name;
    double v;
};

struct det_alert {
    uint32_t id;
    uint8_t rule;     /* enum det_rule_id */
    uint8_t severity; /* enum det_severity */
    uint8_t state;    /* enum det_state */
    uint8_t n_parties;
    uint64_t key;
    uint64_t sig; /* the rule's signature of what it saw (squawk, kind of loss) */
    struct det_party parties[2];
    double lat_deg, lon_deg; /* where */
    int64_t t_open_ms;       /* raised */
    int64_t t_seen_ms;       /* last evaluation that reported it */
    int64_t t_change_ms;     /* last state change */
    uint8_t n_values;
    struct det_value values[DET_MAX_VALUES];
    const char *hypothesis;  /* prediction used: "straight", "turning", "level-off",
                                "turning+level-off", "manoeuvring"; NULL: none (static
                                string) */
    char text[DET_TEXT_LEN]; /* one English sentence, printable ASCII only */
    uint32_t absent_evals;   /* consecutive evaluations without a report */
};

struct det_config {
    size_t max_tracks;      /* largest n given to det_evaluate */
    size_t max_alerts;      /* live + just cleared alerts */
    int64_t hold_ms;        /* clear after absent this long ... */
    unsigned hold_evals;    /* ... and for this many evaluations */
    unsigned no_xpdr_scans; /* NO_TRANSPONDER: primary-only scans */
    double near_traffic_m;  /* NO_TRANSPONDER: WARNING with other traffic this close */
    double sep_h_m;         /* horizontal minimum (5 NM) */
    double sep_v_ft;        /* vertical minimum (1,000 ft) */
    double sep_v_high_ft;   /* above high_fl (2,000 ft) */
    int high_fl;            /* flight level above which sep_v_high_ft applies */
    double nm_h_m;          /* near miss: horizontal (1 NM) */
    double nm_v_ft;         /* near miss: vertical (500 ft) */
    int64_t lookahead_ms;   /* SEPARATION prediction horizon (120 s) */
    double max_speed_mps;   /* fastest target considered by the spatial index */
    double turn_min_dps;    /* SEPARATION: a track turning at least this fast (deg/s, from
                               its course at two evaluations) also gets the turning hypothesis */
    int all_pairs;          /* 1: no spatial index, every track near every other (tests) */

    /* SEPARATION: 1: a climbing or descending track with a selected altitude
     * ahead of it is predicted to level off there (300 ft of overshoot) */
    int level_off;
    double level_off_margin_ft;
    /* RENEGADE: a flight-plan deviation above this is evidence (10 NM) */
    double renegade_dev_m;
    /* SEPARATION: an open alert stays while the prediction is within the
     * look-ahead and minima enlarged by this fraction (0.2) */
    double sep_hyst;
    /* SEPARATION: the turning hypothesis holds a turn until the heading has
     * changed by this much, then goes straight (90 deg) */
    double turn_max_deg;
    /* SEPARATION: the turning hypothesis looks this far ahead (60 s), at
     * most lookahead_ms */
    int64_t turn_lookahead_ms;
    /* SEPARATION: formation exemption (docs/detect.md, rule_separation.c).
     * 1: a pair in close formation (within form_h_m and form_v_ft, both
     * altitudes known, ground and vertical velocity within form_dv_mps of
     * each other) at every evaluation for at least form_min_ms raises no
     * SEPARATION below NEAR_MISS; form_pairs such pairs remembered */
    int formation;
    double form_h_m;     /* 2 NM */
    double form_v_ft;    /* 1,000 ft */
    double form_dv_mps;  /* 15 m/s (about 30 kt) */
    int64_t form_min_ms; /* 60 s */
    size_t form_pairs;   /* 256 */
    /* SEPARATION: manoeuvring areas (docs/detect.md, rule_separation.c).
     * 1: a track without transponder (no altitude, no reply in 30 s) whose
     * turn was measured within man_window_ms is predicted to stay on the
     * path it flew in that window (hypothesis "manoeuvring"); man_tracks
     * such tracks remembered */
    int man_area;
    int64_t man_window_ms; /* 300 s */
    size_t man_tracks;     /* 256 */
    /* ZONE */
    int64_t zone_lookahead_ms; /* predicted entry along the velocity within this (300 s) */
    double zone_v_margin_ft;   /* a live alert stays this far beyond floor and ceiling (200 ft) */
    /* SEA_CPA */
    double sea_cpa_m;         /* dangerous closest approach between vessels (0.5 NM) */
    int64_t sea_horizon_ms;   /* ... predicted within this (600 s) */
    double sea_moving_mps;    /* a vessel slower than this is at anchor or drifting (1 m/s) */
    double sea_anchor_m;      /* two such vessels: only when this close now (100 m) */
    double sea_max_speed_mps; /* fastest vessel the index reaches for (25 m/s, ~49 kt) */
    /* LOW_PASS */
    double low_alt_ft;          /* below this altitude (1,000 ft) ... */
    double low_h_m;             /* ... and within this horizontally of a vessel (1 NM) */
    double low_away_m;          /* a pass ends when the aircraft is farther (2 NM) */
    double low_keep_m;          /* the alert stays live while the aircraft is this near (25 NM) */
    int64_t low_keep_ms;        /* ... and its last pass this recent (900 s) */
    double low_min_unknown_mps; /* a track of unknown kind faster than this is an aircraft */
    size_t low_pairs;           /* (aircraft, vessel) pairs remembered (1024) */
    /* AIS_GAP */
    unsigned ais_gap_k;           /* silent for k reporting intervals (5) ... */
    int64_t ais_gap_min_ms;       /* ... and at least this long (90 s) */
    unsigned ais_gap_k_near;      /* near a zone: k (3) ... */
    int64_t ais_gap_min_near_ms;  /* ... and minimum (60 s) */
    double ais_zone_near_m;       /* "near a zone": within this of its boundary (20 NM) */
    double ais_slow_mps;          /* slower than this a vessel may report every ... (3 kt) */
    int32_t ais_slow_interval_ms; /* ... this long (180 s, ITU-R M.1371 at anchor) */
    /* The detector's reference meridian (degrees, -180 .. 180; default 0).
     * Every rule works on longitudes relative to it, wrap(lon - lon_ref_deg)
     * in (-180, 180], so that a picture within +-170 degrees of it is seen
     * whole: a pair of tracks across 180 is a pair when the reference is
     * far from 0 (a centre in the Bering Strait sets it near 180). Pairs
     * across lon_ref_deg + 180 are not seen. Alert places and zone queries
     * are in true longitudes. Set once (det_new): the memory a detector
     * keeps between evaluations is in its frame. 0: no shift at all. */
    double lon_ref_deg;
};

/* Defaults (docs/detect.md): hold 10 s and 2 evaluations, 3 scans, 10 NM,
 * 5 NM / 1,000 ft / 2,000 ft above FL410 (RVSM assumed, see there),
 * near miss 1 NM / 500 ft, look-ahead 120 s, 600 m/s, turning from
 * 0.5 deg/s, level-off on with 300 ft of overshoot, renegade deviation
 * 10 NM, separation hysteresis 20 %, turns predicted up to 90 deg
 * and 60 s ahead; formation exemption on (2 NM, 1,000 ft, 15 m/s, 60 s, 256 pairs);
 * zones 300 s ahead, 200 ft beyond floor and ceiling once raised; vessels 0.5
 * NM within 10 min, moving from 1 m/s, anchored pairs at 100 m; low pass below 1,000 ft within 1
 * NM, over at 2 NM, kept 25 NM / 15 min, 1,024 pairs; AIS gap 5 intervals and 90 s (near a zone: 3
 * and 60 s; near: 20 NM), 180 s below 3 kt; reference meridian 0. */
void det_config_default(struct det_config *c);

struct det_stats {
    uint64_t evaluations;
    uint64_t opened, updated, cleared;
    uint64_t full;       /* reports dropped: alert table full */
    uint64_t pairs;      /* SEPARATION: pairs examined (after the spatial index) */
    uint64_t bad_tracks; /* tracks skipped: non-finite values */

    /* SEPARATION: straight-line conflicts not raised because the level-off
     * hypothesis keeps the minimum */
    uint64_t level_off_cleared;
    uint64_t low_full; /* LOW_PASS: pairs not remembered (table full) */
    /* SEPARATION: reports withheld for a pair in formation, and formation
     * pairs not remembered (table full: judged like any other pair) */
    uint64_t formation_exempt;
    uint64_t form_full;
    /* SEPARATION: manoeuvring tracks not remembered (table full) */
    uint64_t man_full;
};

/* Called once per alert change (state OPEN, UPDATED or CLEARED). The alert
 * is borrowed for the call. */
typedef void (*det_change_fn)(void *arg, const struct det_alert *a);

struct det;

/* 0 and *out (free with det_free), CAIRN_E_INVAL, CAIRN_E_NOMEM. cfg
 * borrowed (NULL: defaults); on_change may be NULL. */
int det_new(const struct det_config *cfg, det_change_fn on_change, void *arg, struct det **out);
void det_free(struct det *d);

/*
 * Run every rule over tracks[0..n) at now_ms. Tracks that are not
 * CONFIRMED or COASTING are ignored; positions are extrapolated from
 * t_state_ms to now_ms along the velocity. Returns 0, CAIRN_E_INVAL
 * (n > max_tracks: nothing done), CAIRN_E_RANGE (now before the previous
 * evaluation, or beyond 2^52 ms from 1970 either way: nothing done),
 * CAIRN_E_FULL (some reports dropped; the rest done).
 */
int det_evaluate(struct det *d, const struct trk_track *tracks, size_t n, int64_t now_ms);

/* Zones for ZONE and AIS_GAP (borrowed: keep them alive and unchanged
 * while set; NULL: none). Takes effect at the next det_evaluate; alerts of
 * zones no longer given clear after the hold. Zone indices are part of the
 * ZONE alerts' keys: a new set with other indices raises new alerts. */
void det_set_zones(struct det *d, const struct geo_zones *zones);

/* Iterate alerts that are not FREE: *cursor = 0 first; NULL at the end. */
const struct det_alert *det_next(const struct det *d, size_t *cursor);
size_t det_count(const struct det *d); /* live (OPEN, UPDATED) */
const struct det_stats *det_stats(const struct det *d);
/* Verify D1, D2, D4, D5: 0 or CAIRN_E_STATE. */
int det_check(const struct det *d);

const char *det_rule_name(unsigned rule);
const char *det_severity_name(unsigned sev);
const char *det_state_name(unsigned st);

#endif
