/*
 * track.h — the picture: one table of aircraft and vessel tracks fed by
 * every surveillance source at once (ADS-B, Mode S and SSR replies,
 * primary radar plots, AIS, other trackers' system tracks).
 *
 * Key ideas (docs/tracker.md has the long version and the figures):
 *  - One real target, one track. A measurement that carries an identity
 *    (ICAO 24-bit address — from ADS-B, a Mode S reply or radar item
 *    I048/220 —, an MMSI) goes to the track holding that identity. Every
 *    other measurement (primary plots, Mode A/C replies, identities not yet
 *    known) is gated against the predicted positions of the tracks nearby
 *    (chi-square gate on the Mahalanobis distance) and assigned by global
 *    nearest neighbour: the gated pairs of a batch fall into clusters and
 *    each cluster is solved optimally (Hungarian method, assign.h). An
 *    identity seen for the first time is adopted by the gated track that has
 *    none, so ADS-B, SSR and PSR of one aircraft make one track, and a track
 *    whose transponder stops goes on with primary plots, as one track.
 *  - State: an IMM filter (constant velocity + left and right coordinated
 *    turns, imm.h) in a local plane per track, re-anchored as the track
 *    moves; radar noise is given in polar coordinates (range, azimuth) and
 *    turned into the plane with the Jacobian at the plot (range axis along
 *    the line of sight's azimuth there), so cross-range error grows with
 *    range as it does in the radar.
 *  - A grid over latitude/longitude (cells of cell_deg, rows narrowed
 *    towards the poles) finds the tracks near a plot, so the cost of a
 *    measurement does not grow with the size of the picture.
 *  - Pure: no I/O, no clock, no allocation after trk_new. Time comes in the
 *    measurements and in `now_ms`; trk_tick() ages the picture.
 *
 * Track lifecycle (status):
 *
 *            unmatched measurement
 *                    │ trk_ingest
 *                    ▼
 *   FREE ──────► TENTATIVE ── M of N hits / 2nd update ──► CONFIRMED ◄──────┐
 *    ▲               │              (trk_ingest)               │            │ an update
 *    │               │ window over with < M hits,              │ silent for │ (trk_ingest)
 *    │               │ or silent for delete_after              ▼ coast_after│
 *    │               │ (trk_tick)                          COASTING ────────┘
 *    │               ▼                                         │ silent for delete_after
 *    └────────── DELETED ◄─────────────────────────────────────┘ (trk_tick)
 *     next trk_tick
 *
 *   transition                 function      condition
 *   FREE -> TENTATIVE          trk_ingest    unmatched measurement, a free slot
 *   TENTATIVE -> CONFIRMED     trk_ingest    M hits within N scans of the birth sensor
 *                                            (born from a plot without identity), or
 *                                            a second update (born with an identity)
 *   TENTATIVE -> DELETED       trk_tick      the N-scan window passed with < M hits,
 *                                            or no update for delete_after
 *   CONFIRMED -> COASTING      trk_tick      no update for coast_after
 *   COASTING -> CONFIRMED      trk_ingest    an update
 *   COASTING -> DELETED        trk_tick      no update for delete_after
 *   CONFIRMED -> DELETED       trk_tick      the same, when ticks are so far apart that
 *                                            the track was never seen coasting
 *   DELETED -> FREE            trk_tick      the next tick (readers see DELETED once)
 *   coast_after = 2 x period + 1 s; delete_after = max(kind minimum, 5 x period),
 *   where period is the longest update interval of the sources feeding the track
 *   (configured per sensor, else learnt per track and sensor).
 *
 * Invariants (trk_check verifies T1-T6 and T8; test_trk_alloc checks T7,
 * test_hostile_values T9, test_note T10):
 *   T1  A live track (TENTATIVE, CONFIRMED, COASTING) is in exactly one grid
 *       cell list; DELETED and FREE slots are in none.
 *   T2  An ICAO address or MMSI is held by at most one live track, and the
 *       identity index maps it to that track; DELETED tracks are in no index.
 *   T3  Track ids are non-zero, unique and never reused within a table.
 *   T4  t_first_ms <= t_last_ms <= t_state_ms for every live track.
 *   T5  Model probabilities are each >= the floor and sum to 1; the
 *       combined covariance's diagonal is positive.
 *   T6  The trail holds at most trail_len points, oldest first, times
 *       non-decreasing.
 *   T7  No allocation after trk_new: trk_ingest and trk_tick never return
 *       CAIRN_E_NOMEM; a full table is CAIRN_E_FULL and a counter.
 *   T8  primary_only_scans is 0 after any cooperative update (SSR, Mode S,
 *       ADS-B, MLAT, AIS, system track) and counts primary-only plots since.
 *   T9  A rejected measurement (invalid, from the future, too old for its
 *       track) changes no track; only counters.
 *   T10 trk_note changes only the squawk, callsign, emergency and selected
 *       altitude (with their ids/flags bits) of the live track holding its
 *       ICAO address: never position, velocity, altitude, times, sources,
 *       primary_only_scans, counters of updates or status (so T4-T8 hold
 *       as they were). test_trk's note cases check it.
 *
 * Threads: a table is used by one thread at a time. Readers in another
 * thread take a copy with trk_snapshot() under the caller's lock.
 *
 * References: Y. Bar-Shalom, X. R. Li, T. Kirubarajan, "Estimation with
 * Applications to Tracking and Navigation", Wiley 2001 (IMM, gating);
 * S. Blackman, R. Popoli, "Design and Analysis of Modern Tracking Systems",
 * Artech 1999 (GNN, clusters, M-of-N confirmation); EUROCONTROL ARTAS
 * (multi-sensor tracking of PSR, SSR, Mode S and ADS-B into one system
 * track); ../shared/docs/surveillance.md (noise figures, rotation periods).
 */
#ifndef CAIRN_TRACK_TRACK_H
#define CAIRN_TRACK_TRACK_H

#include <stddef.h>
#include <stdint.h>

struct report;

/* ------------------------------------------------------------ measurement */

/* What detected a measurement (bit numbers of trk_meas.src_mask and
 * indices of trk_track.last_src_ms). */
enum trk_source {
    TRK_SOURCE_PSR = 0,   /* primary radar: no transponder involved */
    TRK_SOURCE_SSR = 1,   /* secondary radar, Mode A/C reply */
    TRK_SOURCE_MODES = 2, /* Mode S reply (radar roll-call or all-call) */
    TRK_SOURCE_ADSB = 3,  /* ADS-B extended squitter */
    TRK_SOURCE_MLAT = 4,  /* multilateration */
    TRK_SOURCE_AIS = 5,   /* AIS position report */
    TRK_SOURCE_SDPS = 6,  /* another tracker's system track */
    TRK_SOURCE_TISB = 7,  /* TIS-B: a ground station's track rebroadcast (ground-derived) */
    TRK_SOURCE_N = 8,
};
#define TRK_SRC_BIT(s) (1u << (s))
/* every source's bit fits trk_meas.src_mask and trk_sensor_seen.src_mask */
_Static_assert(TRK_SOURCE_N <= 8, "src_mask is 8 bits");
/* Sources that need a transponder (aircraft) or a ship's AIS: any of these
 * in a measurement makes it cooperative. */
#define TRK_SRC_COOPERATIVE                                                                        \
    (TRK_SRC_BIT(TRK_SOURCE_SSR) | TRK_SRC_BIT(TRK_SOURCE_MODES) | TRK_SRC_BIT(TRK_SOURCE_ADSB) |  \
     TRK_SRC_BIT(TRK_SOURCE_MLAT) | TRK_SRC_BIT(TRK_SOURCE_AIS) | TRK_SRC_BIT(TRK_SOURCE_SDPS))
#define TRK_SRC_RADAR                                                                              \
    (TRK_SRC_BIT(TRK_SOURCE_PSR) | TRK_SRC_BIT(TRK_SOURCE_SSR) | TRK_SRC_BIT(TRK_SOURCE_MODES))

enum trk_kind {
    TRK_KIND_UNKNOWN = 0, /* e.g. primary plots only, slow: aircraft, ship or clutter */
    TRK_KIND_AIRCRAFT = 1,
    TRK_KIND_VESSEL = 2,
};

/* trk_meas.has */
enum trk_meas_has {
    TRK_M_ICAO = 1u << 0,
    TRK_M_SQUAWK = 1u << 1,
    TRK_M_CALLSIGN = 1u << 2,
    TRK_M_MMSI = 1u << 3,
    TRK_M_TRACKNO = 1u << 4,
    TRK_M_ALT = 1u << 5,     /* alt_ft: pressure altitude (aircraft) */
    TRK_M_VEL = 1u << 6,     /* ve_mps, vn_mps, sigma_v_mps */
    TRK_M_POLAR = 1u << 7,   /* range_m, az_deg, sigma_range_m, sigma_az_deg */
    TRK_M_VRATE = 1u << 8,   /* vrate_fpm */
    TRK_M_EMERG = 1u << 9,   /* emergency */
    TRK_M_GROUND = 1u << 10, /* on_ground */
    TRK_M_SEL_ALT = 1u << 11 /* sel_alt_ft: selected altitude (ADS-B target state, BDS 4,0) */
};

/*
 * One sensor's statement about one target at one time, as the tracker
 * takes it. Position is always given (WGS-84); its uncertainty either as
 * polar radar noise (TRK_M_POLAR: the plot's range from the sensor, the
 * line of sight's azimuth at the plot, and the standard deviations of the
 * measured range and azimuth) or as sigma_m, the 1-sigma
 * error of each horizontal axis. Everything is checked by trk_ingest: the
 * values may come from hostile bytes.
 */
struct trk_meas {
    int64_t t_ms;       /* observation time, UTC ms */
    uint32_t sensor_id; /* the sensor (trk_sensor_set), any value */
    uint8_t src_mask;   /* TRK_SRC_BIT()s: what detected it (PSR|SSR for a combined plot) */
    uint8_t kind;       /* enum trk_kind the source implies (AIS: vessel; transponder: aircraft) */
    uint16_t has;       /* TRK_M_* */
    uint32_t icao;      /* 24-bit */
    uint16_t squawk;    /* Mode 3/A, 12 bits */
    char callsign[9];   /* NUL-terminated */
    uint32_t mmsi;
    uint32_t track_no; /* the sensor's own track number */
    double lat_deg, lon_deg;
    double sigma_m; /* 1 sigma per axis when !TRK_M_POLAR */
    /* TRK_M_POLAR: az_deg is the line of sight's azimuth at the plot (the
     * direction, in the plot's own east/north, from the radar through the
     * plot: the error ellipse's range axis), not the one measured at the
     * radar; they differ by the convergence of the meridians between the
     * two (docs/tracker.md) */
    double range_m, az_deg, sigma_range_m, sigma_az_deg;
    /* TRK_M_POLAR: of sigma_range_m, the part a primary plot's unknown
     * height explains (0 <= sigma_height_m <= sigma_range_m; 0 for a plot
     * placed at a measured altitude). That error is an offset common to one
     * target's successive plots, not noise from scan to scan: the filter of
     * a track fed by primary plots alone leaves it out (docs/tracker.md). */
    double sigma_height_m;
    int32_t alt_ft;
    double ve_mps, vn_mps, sigma_v_mps;
    double vrate_fpm;
    uint8_t emergency; /* enum report_emergency */
    uint8_t on_ground;
    int32_t sel_alt_ft; /* TRK_M_SEL_ALT */
};

/*
 * Fill *m from a decoder's report (borrowed). CAIRN_E_INVAL when the
 * report has no position or a kind the tracker does not use (static AIS
 * data and Comm-B without position have none). Radar plots keep their
 * polar measurement and sigmas (defaults 60 m / 0.08 deg), with the range
 * noise widened for a primary plot placed at an assumed height; sources
 * come from the plot type (I048/020). Other sigmas: pos_acc_m / 2.45, else
 * the defaults in adapter.c and docs/tracker.md (ADS-B 50 m, AIS 25 m,
 * others 100 m).
 */
int trk_meas_from_report(const struct report *r, struct trk_meas *m);

/*
 * Fill *m from a report that carries an ICAO address and identity-only
 * information (selected altitude, squawk, callsign, emergency), for
 * trk_note: the reports trk_meas_from_report refuses for want of a
 * position — ADS-B target state (TC29) and identification (TC1-4) and
 * aircraft status (TC28), Mode S surveillance and Comm-B replies (DF4/5/
 * 20/21). No position is filled. CAIRN_E_INVAL without an ICAO address,
 * for AIS and primary plots, or with nothing to note.
 */
int trk_note_from_report(const struct report *r, struct trk_meas *m);

/* ------------------------------------------------------------------ track */

enum trk_status {
    TRK_ST_FREE = 0,
    TRK_ST_TENTATIVE = 1,
    TRK_ST_CONFIRMED = 2,
    TRK_ST_COASTING = 3,
    TRK_ST_DELETED = 4,
};

/* Yes / no / unknown, for the compliance triple. */
enum trk_tri { TRK_TRI_UNKNOWN = 0, TRK_TRI_NO = 1, TRK_TRI_YES = 2 };

/* trk_track.ids: which identities are known */
enum trk_ids {
    TRK_ID_ICAO = 1u << 0,
    TRK_ID_SQUAWK = 1u << 1,
    TRK_ID_CALLSIGN = 1u << 2,
    TRK_ID_MMSI = 1u << 3,
};

/* trk_track.flags */
enum trk_flags {
    TRK_F_ALT = 1u << 0,       /* alt_ft known */
    TRK_F_SLOW = 1u << 1,      /* ground speed below slow_mps: clutter, hover, anchor */
    TRK_F_MANOEUVRE = 1u << 2, /* the turn models outweigh constant velocity */
    TRK_F_PLOT_BORN = 1u << 3, /* born from a plot without ICAO address or MMSI: M of N */
    TRK_F_SEL_ALT = 1u << 4,   /* sel_alt_ft known and fresh (ADS-B target state, BDS 4,0;
                                  cleared by trk_tick when older than 30 s) */
    TRK_F_PLAN_DEV = 1u << 5,  /* plan_dev_m known: a flight plan is matched */
};

/* trk_track.op_flags: what operators have recorded about a track
 * (trk_set_operator); evidence for the renegade categories of
 * ../shared/docs/domain.md section 2. */
enum trk_op_flags {
    TRK_OP_IGNORES_ATC = 1u << 0,      /* does not follow air traffic control */
    TRK_OP_RESISTS = 1u << 1,          /* keeps refusing or resists intervention */
    TRK_OP_XPDR_NOT_AS_TOLD = 1u << 2, /* transponder not as instructed */
    TRK_OP_CONFIRMED = 1u << 3,        /* declared renegade by the authority */
};

#define TRK_MAX_SENSORS 6

/* One sensor that fed a track. */
struct trk_sensor_seen {
    uint32_t sensor_id;
    uint8_t src_mask;    /* sources this sensor gave for this track */
    uint32_t n;          /* updates */
    uint32_t track_no;   /* its last track number (0: none) */
    int64_t last_t_ms;   /* last update */
    int32_t interval_ms; /* expected interval (configured, or learnt) */
};

/* A trail point. */
struct trk_point {
    int64_t t_ms;
    int32_t lat_e7, lon_e7; /* degrees x 1e7 */
    int32_t alt_ft;         /* INT32_MIN when unknown */
};

struct trk_track {
    uint32_t id;
    uint8_t status; /* enum trk_status */
    uint8_t kind;   /* enum trk_kind */
    uint8_t flags;  /* TRK_F_* */
    uint8_t ids;    /* TRK_ID_* */
    uint32_t icao;
    uint16_t squawk;
    char callsign[9];
    uint32_t mmsi;
    int64_t t_first_ms, t_last_ms; /* first and last measurement */
    int64_t t_state_ms;            /* time of the estimate below */
    double lat_deg, lon_deg;       /* estimated position at t_state_ms */
    double ve_mps, vn_mps;         /* estimated velocity, east and north */
    double gs_mps, track_deg;      /* the same as speed and course */
    double pos_sigma_m;            /* quality: RMS of the two position standard deviations */
    double p_turn;                 /* probability of the two turn models together */
    int32_t alt_ft;                /* last pressure altitude (TRK_F_ALT) */
    double vrate_fpm;
    uint8_t emergency, on_ground;
    /* compliance triple (flight plan and radio are set by later modules) */
    uint8_t transponder, flight_plan, radio; /* enum trk_tri */
    uint8_t op_flags;                        /* TRK_OP_* (trk_set_operator) */
    int32_t sel_alt_ft;                      /* selected altitude (TRK_F_SEL_ALT) */
    double plan_dev_m;           /* distance from the planned route now (TRK_F_PLAN_DEV) */
    uint16_t primary_only_scans; /* see T8 */
    uint32_t n_updates;
    uint16_t hits;                     /* updates counted towards confirmation */
    int64_t last_src_ms[TRK_SOURCE_N]; /* last update per source, 0 = never */
    uint8_t n_sensors;
    struct trk_sensor_seen sensors[TRK_MAX_SENSORS];
};

/* ------------------------------------------------------------------ table */

struct trk_config {
    size_t max_tracks;             /* capacity (live + just deleted) */
    size_t trail_len;              /* points per trail (0: no trail) */
    int64_t trail_every_ms;        /* at most one trail point per this interval */
    size_t max_batch;              /* measurements solved together by trk_ingest */
    double gate_chi2;              /* gate on d^2 (2 degrees of freedom) */
    double init_chi2;              /* plots without identity this close to a track start none */
    double search_m;               /* radius searched for candidate tracks around a plot */
    double cell_deg;               /* grid cell height (degrees of latitude) */
    unsigned confirm_m, confirm_n; /* M of N scans for primary-born tracks */
    unsigned no_xpdr_scans;        /* primary-only scans before transponder = NO */
    double slow_mps;               /* TRK_F_SLOW below this ground speed */
    double aircraft_mps;           /* a confirmed track of kind unknown this fast is an aircraft */
    int64_t oos_ms;                /* measurements older than the track by more are dropped */
    int64_t future_ms;             /* measurements later than now by more are dropped */
    int64_t min_life_air_ms, min_life_sea_ms; /* delete_after lower bounds by kind */
};

/* The defaults documented in docs/tracker.md. */
void trk_config_default(struct trk_config *c);

struct trk_stats {
    uint64_t meas_in;     /* measurements given to trk_ingest */
    uint64_t rej_invalid; /* bad values: position, sigma, time (T9) */
    uint64_t rej_future;  /* later than now + future_ms */
    uint64_t rej_oos;     /* older than their track by more than oos_ms */
    uint64_t assoc_id;    /* associated by ICAO address or MMSI */
    uint64_t assoc_gated; /* associated by gating and assignment */
    uint64_t id_adopted;  /* identities adopted by a gated track */
    uint64_t id_jumps;    /* identity matched far outside the gate: filter restarted */
    uint64_t restarts;    /* identity matched after a silence longer than the track's life
                             (delete_after): filter restarted */
    uint64_t created;
    uint64_t confirmed;
    uint64_t deleted;
    uint64_t full;          /* tracks not created: table full */
    uint64_t unused;        /* plots that missed every gate but lay within init_chi2 */
    uint64_t big_clusters;  /* clusters solved greedily (too big for the exact solver) */
    uint64_t pairs_dropped; /* gated pairs beyond the batch's pair capacity */

    /* trk_note: notes given, and notes for an address no live track holds
     * (dropped) */
    uint64_t notes;
    uint64_t notes_unmatched;
};

struct trk_table;

/*
 * Create a table (cfg borrowed; NULL: defaults). Allocates everything it
 * will ever use. 0 and *out (free with trk_free), CAIRN_E_INVAL (bad
 * config), CAIRN_E_NOMEM.
 */
int trk_new(const struct trk_config *cfg, struct trk_table **out);
/* Accepts NULL. */
void trk_free(struct trk_table *t);

/* Declare a sensor's nominal update interval (a radar's rotation period),
 * ms. Up to 64 sensors; CAIRN_E_FULL beyond, CAIRN_E_INVAL for a period
 * outside 100 ms .. 1 h. Unknown sensors get an interval learnt per track. */
int trk_sensor_set(struct trk_table *t, uint32_t sensor_id, int32_t period_ms);

/*
 * Feed n measurements (borrowed) taken around the same time (one radar
 * sector, one second of ADS-B...). Measurements with an identity are
 * applied first, by identity; the others are gated and assigned together.
 * Tracks are created for the unmatched. Batches larger than max_batch are
 * split. assigned (may be NULL) receives per measurement the id of the
 * track it updated or created, 0 when rejected or unused (a plot without
 * identity that fits no gate but lies within init_chi2 of a track: the
 * tail of that track's noise, not a new target; counted in stats.unused).
 * Returns 0 when every measurement was used, else the first error met:
 * CAIRN_E_INVAL (values), CAIRN_E_RANGE (time), CAIRN_E_FULL (no track
 * could be created); the other measurements are used all the same.
 */
int trk_ingest(struct trk_table *t, const struct trk_meas *m, size_t n, int64_t now_ms,
               uint32_t *assigned);

/*
 * Apply identity-only information (borrowed m without position, e.g. from
 * trk_note_from_report) to the live track holding m->icao (TRK_M_ICAO
 * required): its squawk, callsign (printable ASCII only), emergency and
 * selected altitude, whichever m has. Nothing else changes (T10): a
 * message without position is no update of the track, it neither confirms
 * nor keeps it alive, and it does not count as a transponder reply for
 * primary_only_scans (a target-state squitter without a position from a
 * track's radar says nothing about what the radar sees). The position
 * fields of m are ignored. Returns 0; CAIRN_E_NOTFOUND when no live
 * aircraft track holds the address (stats.notes_unmatched: the address's
 * first positions will create it); CAIRN_E_INVAL for bad values (no
 * address, squawk, selected altitude out of range), CAIRN_E_RANGE for a
 * time later than now + future_ms or older than the track's state by more
 * than oos_ms (T9: nothing changes; rej_* counters).
 */
int trk_note(struct trk_table *t, const struct trk_meas *m, int64_t now_ms);

/* Age the picture to now_ms: coast, delete, confirm-or-drop tentative
 * tracks, free the slots deleted at the previous tick, move tracks in the
 * grid to their predicted positions, set the transponder flag, forget
 * selected altitudes not refreshed for 30 s. Call about
 * once a second. Returns the number of status changes. */
size_t trk_tick(struct trk_table *t, int64_t now_ms);

/* ---------------------------------------------------------- read-only views */

const struct trk_stats *trk_stats(const struct trk_table *t);
/* Live tracks (TENTATIVE, CONFIRMED, COASTING). */
size_t trk_count(const struct trk_table *t);
/* The track with this id, or NULL. Borrowed: valid until the next
 * trk_ingest or trk_tick. */
const struct trk_track *trk_get(const struct trk_table *t, uint32_t id);
const struct trk_track *trk_find_icao(const struct trk_table *t, uint32_t icao);
const struct trk_track *trk_find_mmsi(const struct trk_table *t, uint32_t mmsi);
/* Iterate: *cursor = 0 first; returns the next track that is not FREE
 * (DELETED ones included, once), or NULL at the end. Borrowed as above. */
const struct trk_track *trk_next(const struct trk_table *t, size_t *cursor);
/* Copy up to cap tracks that are not FREE into out (caller-owned), for a
 * reader in another thread. Returns how many were copied. */
size_t trk_snapshot(const struct trk_table *t, struct trk_track *out, size_t cap);
/* Copy a track's trail, oldest first, into out (up to cap points).
 * Returns the number copied. */
size_t trk_trail(const struct trk_table *t, const struct trk_track *trk, struct trk_point *out,
                 size_t cap);
/* Verify T1-T6 and T8; 0 or CAIRN_E_STATE (tests, debugging). */
int trk_check(const struct trk_table *t);

/* Set the flight-plan and radio members of the compliance triple (the
 * flight plan and radio modules own them). CAIRN_E_NOTFOUND. */
int trk_set_compliance(struct trk_table *t, uint32_t id, uint8_t flight_plan, uint8_t radio);

/* Record how far a track is from its flight plan's route (the flight-plan
 * module computes it; dev_m < 0 or NaN: no matched plan, the flag is
 * cleared). CAIRN_E_NOTFOUND. */
int trk_set_plan_dev(struct trk_table *t, uint32_t id, double dev_m);

/* Set the operator flags (TRK_OP_*) of a track. CAIRN_E_NOTFOUND,
 * CAIRN_E_INVAL (unknown bits). */
int trk_set_operator(struct trk_table *t, uint32_t id, uint8_t op_flags);

#endif
