/*
 * rule.h — what a rule sees and how it reports (internal to src/detect).
 * A rule is a name and one callback that looks at the picture at `now`
 * and calls det_report() once per condition it finds; the core
 * (detect.c) owns the alerts and their lifecycle (detect.h).
 */
#ifndef CAIRN_DETECT_RULE_H
#define CAIRN_DETECT_RULE_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "detect/detect.h"
#include "track/track.h"

#define DET_PI 3.14159265358979323846

/* Elements past max_tracks in the arrays of det_ctx that loops read four at
 * a time (det_ctx: live, air, lat, lon, gs, alt_ft, vrate_fpm and their
 * g_ forms). */
#define DET_PAD 4

/* Height of a grid cell, degrees of latitude (detect.c explains). */
#define DET_CELL_DEG 0.5
/* Rows from the south pole to the north pole (and one beyond each). */
#define DET_GRID_ROW0 181 /* 90 / DET_CELL_DEG + 1 */
#define DET_GRID_ROWS (2 * DET_GRID_ROW0 + 1)

/* The spatial index over the eligible tracks: rows of cell_deg latitude,
 * each cut in columns narrowed so that a cell is at least cell_deg of
 * latitude wide on the ground. Each evaluation sorts the live tracks by
 * cell (row, then column: a radix sort of a 20-bit key), so the tracks of
 * one row's run of cells are one slice of `order`, found by binary search
 * in `key`. Rules that walk the tracks in `order` visit neighbours one
 * after the other, and their neighbours' values stay in the cache. */
#define DET_GRID_COLS   2048 /* column index + DET_GRID_COLS / 2 in 11 bits */
#define DET_COS_PER_DEG 8

struct det_grid {
    double cell_deg;
    size_t n;        /* live tracks sorted */
    uint32_t *key;   /* [n] cell keys, ascending: (row + ROW0) << 11 | (col + COLS/2) */
    uint32_t *order; /* [n] track index of each key */
    uint32_t *tmp_key, *tmp_order; /* radix sort scratch */
    /* column width (degrees of longitude) per row, row + DET_GRID_ROW0 */
    double width[DET_GRID_ROWS];
    double inv_width[DET_GRID_ROWS]; /* 1 / width (det_grid_spans' fast path) */
    /* first position of each row (row + DET_GRID_ROW0) in the order, and n
     * at DET_GRID_ROWS: a search looks only inside its row's slice */
    size_t row_start[DET_GRID_ROWS + 1];
    /* per row: the columns col_lo .. col_hi its tracks occupy, and from
     * col_at[row] on, the first position of each of those columns and of
     * col_hi + 1, so that a search finds its cells without a search */
    uint16_t col_lo[DET_GRID_ROWS], col_hi[DET_GRID_ROWS];
    uint32_t col_at[DET_GRID_ROWS];
    uint32_t *col_start; /* DET_GRID_ROWS x (DET_GRID_COLS + 1) at most */
    /* cos(k / DET_COS_PER_DEG degrees), k = 0 .. 89 * DET_COS_PER_DEG + 1:
     * det_grid_spans' cosine, between two points (det_new fills it) */
    double cosd[89 * DET_COS_PER_DEG + 2];
};

/* Bits of LOW_PASS's filter over the remembered aircraft ids (4 KiB). */
#define DET_LOW_AIR_BITS 32768

/* LOW_PASS: what the detector remembers about an (aircraft, vessel) pair
 * between evaluations. */
struct det_low_pair {
    uint32_t air, ves;  /* track ids; air == 0: empty slot */
    uint16_t passes;    /* passes counted */
    uint8_t in_pass;    /* bit 0: a pass is going on; bit 1: seen this evaluation */
    int64_t t_close_ms; /* last evaluation it was low and close */
    double min_h_m;     /* closest horizontal distance in the last pass */
};

/* The pair memory, allocated by det_new: two open-addressing tables, the
 * previous evaluation's and this one's; each evaluation carries the pairs
 * still remembered into the other (rule_low_pass.c). */
struct det_low_tab {
    struct det_low_pair *tab[2];
    size_t mask; /* buckets - 1 */
    size_t cap;  /* pairs at most (cfg.low_pairs) */
    size_t used[2];
    int cur;
    /* the aircraft ids of the remembered pairs (an open-addressing set of
     * 2 x (mask + 1) buckets, entries counting for the evaluation in gen):
     * an aircraft not close to a vessel needs its track only when it has a
     * pair */
    struct det_low_air {
        uint64_t gen;
        uint32_t id;
    } * air;
    size_t air_mask;
    /* the same ids as bits (DET_LOW_AIR_BITS, by hash, cleared at each
     * evaluation): a clear bit says no without a probe of the set */
    uint64_t air_bits[DET_LOW_AIR_BITS / 64];
    /* the vessel ids of the remembered pairs as bits, the same way: a
     * vessel whose bit is clear has no pair, and only a track within
     * low_h_m of it can do anything */
    uint64_t ves_bits[DET_LOW_AIR_BITS / 64];
};

/* SEPARATION: a pair seen in close formation (rule_separation.c). */
struct det_form_pair {
    uint32_t lo, hi;    /* track ids, lower first; lo == 0: empty bucket */
    uint64_t seen_eval; /* last evaluation it was in formation */
    int64_t since_ms;   /* in formation at every evaluation since then */
};

/* The formation memory, allocated by det_new: an open-addressing table of
 * 2 x form_pairs buckets (at most form_pairs used) and a scratch table of
 * the same size to compact it into when it is full. An entry not in
 * formation at the previous evaluation is stale: its bucket is reused. */
struct det_form_tab {
    struct det_form_pair *tab, *tmp;
    size_t mask; /* buckets - 1 */
    size_t cap;  /* used buckets at most (cfg.form_pairs) */
    size_t used;
};

/* SEPARATION: a track without transponder seen turning, and the path it
 * flew since (rule_separation.c, docs/detect.md "manoeuvring"). */
#define DET_MAN_PTS 32 /* a point every 10 s over 5 minutes, and a spare */
struct det_man_pt {
    double lat, lon;
    int64_t t_ms;
};
struct det_man_track {
    uint32_t id;                       /* 0: empty bucket */
    uint8_t n, head;                   /* points held; the slot the next one goes to */
    uint64_t seen_eval;                /* last evaluation that updated it */
    int64_t t_turn_ms;                 /* last evaluation its turn was measured */
    int64_t t_upd_ms;                  /* the evaluation that last updated it */
    double turned_deg;                 /* course changed in the turn going on (0: none) */
    int64_t t_active_ms;               /* last time a turn had changed the course by
                                          MAN_TURN_DEG (0: never): the hypothesis applies */
    struct det_man_pt pt[DET_MAN_PTS]; /* a ring, oldest at (head - n) */
};

/* The memory, allocated by det_man_init (det_new): an open-addressing
 * table of 2 x cap buckets, a scratch table to compact it into, and a
 * filter of bits (one per id hash) of the ids it holds, so that a track
 * not in it costs one bit test. An entry not updated at the previous
 * evaluation, or without a turn for man_window_ms, is stale: its bucket is
 * reused. */
struct det_man_tab {
    struct det_man_track *tab, *tmp;
    size_t mask; /* buckets - 1 */
    size_t cap, used;
    uint64_t *bits;
    size_t bmask;            /* bits - 1 */
    uint64_t compacted_eval; /* compacted at most once per evaluation */
    size_t n_active;         /* entries the hypothesis applies to at this evaluation
                                (0: the pair loop asks nothing) */
};

/* 0, or CAIRN_E_NOMEM (det_man_fini frees what was allocated). */
int det_man_init(struct det_man_tab *m, size_t cap);
void det_man_fini(struct det_man_tab *m);

/* One evaluation. */
struct det_ctx {
    const struct det_config *cfg;
    const struct trk_track *tracks;
    size_t n;
    int64_t now_ms;
    /* Per-track arrays: n values, then DET_PAD more that are 0 (live and
     * air) or NAN-free padding, so that a loop may read a vector of four
     * past its last track and mask what lies beyond. */
    const uint8_t *live;         /* per track: 1 when CONFIRMED or COASTING and sane */
    const double *lat, *lon;     /* extrapolated to now; lon in the detector's frame:
                                    relative to cfg->lon_ref_deg (det_lon_true) */
    const double *gs;            /* ground speed (m/s), compact for the pair loops */
    const double *turn_rps;      /* measured turn rate (rad/s, + = right), 0 when not turning */
    const uint8_t *turn_cand;    /* 1: a turn measured once from radar plots, not yet taken
                                    (turn_rps 0): not predicted, but not flying straight either */
    const double *course_ref;    /* the course (deg) 30-60 s ago that differs most from the
                                    course now: its net change; NAN when unknown */
    const double *course_deg;    /* the track's course, tracks[i].track_deg (compact: a pass over
                                    all tracks reads it without their records) */
    const double *m_lat, *m_lon; /* metres per degree at the extrapolated position */
    const double *alt_ft;        /* pressure altitude (ft), NAN when unknown (det_alt_known) */
    const double *vrate_fpm;     /* vertical rate (ft/min), 0 when altitude unknown */
    const uint8_t *air;          /* 1: live, airborne aircraft or a moving primary-only track (the
                                    tracks the air rules pair up) */
    double gs_max;               /* fastest ground speed among the `air` tracks, capped at
                                    cfg->max_speed_mps (m/s): bounds the pair searches */
    const double *ve, *vn;       /* velocity east and north (m/s) */
    const double *sel_alt_ft;    /* selected altitude (ft) when known and fresh and the altitude
                                    is known too (TRK_F_SEL_ALT and TRK_F_ALT), else NAN */
    const uint32_t *id;          /* the track's id */
    const uint8_t *kind;         /* enum trk_kind of live tracks (0 for the others) */
    /* The same per-track values in the grid's order (position k holds track
     * grid->order[k]): the pair loops read their neighbours from these,
     * one after the other in memory, instead of jumping about the track
     * arrays (det_evaluate fills them; all_pairs leaves them unused). */
    const double *g_lat, *g_lon, *g_gs, *g_alt, *g_vrate, *g_ve, *g_vn, *g_mlat, *g_mlon, *g_turn,
        *g_sel;
    const uint8_t *g_air, *g_kind;
    const uint32_t *g_id; /* the track's id */
    /* Tracks a per-track rule may fire on, found once by det_evaluate's
     * pass over the picture so that the rules need not read every track
     * (ascending track index, so reports come in the order a full scan
     * gives): `special` are live tracks with an emergency code or state, a
     * primary-only count of at least no_xpdr_scans, lost radio, a flight
     * plan deviation or operator flags (EMERGENCY, NO_TRANSPONDER,
     * TRANSPONDER_OFF, RENEGADE); `vessels` are live vessels (SEA_CPA,
     * LOW_PASS, AIS_GAP). */
    const uint32_t *special, *vessels;
    size_t n_special, n_vessels;
    /* max_tracks entries a rule may use as it likes during its evaluate
     * (SEPARATION: the positions a track's search keeps) */
    uint32_t *scratch;
    const struct det_grid *grid;
    const struct geo_zones *zones; /* NULL: none */
    struct det_low_tab *low;
    struct det_form_tab *form;
    struct det_man_tab *man;
    uint64_t eval_no; /* this evaluation's number (1 for the first) */
    struct det *det;
    struct det_stats *stats;
};

/* What a rule found. */
struct det_hit {
    uint8_t rule, severity;
    uint64_t key, sig;
    uint8_t n_parties;
    const struct trk_track *parties[2];
    double lat_deg, lon_deg;
    uint8_t n_values;
    struct det_value values[DET_MAX_VALUES];
    const char *hypothesis;
    char text[DET_TEXT_LEN];
    /* 1: a fall of severity or a change back to the previous signature that
     * is no noise (an operator's decision, a threshold the rule already
     * holds with a band of its own): shown at once instead of after the
     * hold (detect.h D7) */
    uint8_t settled;
};

/* Hand a finding to the core. 0 or CAIRN_E_FULL. */
int det_report(const struct det_ctx *c, const struct det_hit *h);

/* The live (OPEN or UPDATED) alert of (rule, key), or NULL: what a rule
 * reported before, for hysteresis on its own thresholds. Borrowed for the
 * evaluation. */
const struct det_alert *det_live(const struct det_ctx *c, uint8_t rule, uint64_t key);

/* 1 when the live alert of (h->rule, h->key) has h's severity,
 * hypothesis, values (bit for bit) and parties' identities (what
 * det_label writes): its text is then copied into h->text, and a rule
 * whose text is a function of those facts alone need not format it again.
 * 0 otherwise (h->text untouched). */
int det_same_text(const struct det_ctx *c, struct det_hit *h);

/* Ask the memory for what det_live and det_report will read of (rule,
 * key): step 0 its bucket of the key index, step 1 (a few findings later,
 * once the bucket has come) the alert it holds. Changes nothing; for the
 * rules that know their next findings ahead (their misses then overlap). */
void det_prefetch(const struct det_ctx *c, uint8_t rule, uint64_t key, int step);

/* The same for a track of the picture (the lines a rule reads). */
static inline void det_prefetch_track(const struct trk_track *t)
{
    const char *p = (const char *)t;
    for (size_t off = 0; off < sizeof *t; off += 64)
        __builtin_prefetch(p + off);
}

/* The same for the identity of a track (what det_label and a report's
 * parties read: id to mmsi, the record's first line or two), for a rule
 * that reads nothing else of it. */
static inline void det_prefetch_ident(const struct trk_track *t)
{
    const char *p = (const char *)t;
    __builtin_prefetch(p);
    __builtin_prefetch(p + offsetof(struct trk_track, mmsi) + sizeof t->mmsi - 1);
}

/* Sources that need a transponder: a track with any of them in its history
 * is a cooperative aircraft (an AIS or another tracker's system track is
 * not a reply from the target's transponder). */
#define DET_XPDR_SOURCES                                                                           \
    (TRK_SRC_BIT(TRK_SOURCE_SSR) | TRK_SRC_BIT(TRK_SOURCE_MODES) | TRK_SRC_BIT(TRK_SOURCE_ADSB) |  \
     TRK_SRC_BIT(TRK_SOURCE_MLAT))

/* The source (enum trk_source) of t's last transponder reply, -1 when it
 * never had one; *t_ms its time. */
int det_last_reply(const struct trk_track *t, int64_t *t_ms);

/* 1 when t had a transponder reply and has been seen by primary radar
 * only for no_xpdr_scans scans since: its replies have stopped (the core
 * of det_xpdr_off and det_alt_known). */
static inline int det_replies_stopped(const struct det_config *cfg, const struct trk_track *t)
{
    return t->primary_only_scans >= cfg->no_xpdr_scans && det_last_reply(t, NULL) >= 0;
}

/* 1 when t's altitude (alt_ft) is known now: TRK_F_ALT, and its replies
 * have not stopped (det_replies_stopped: its alt_ft is then the last
 * reply's, and no sensor measures where it is now: judged as a
 * primary-only track). det_ctx.alt_ft is NAN for the others. */
int det_alt_known(const struct det_config *cfg, const struct trk_track *t);

/* The TRANSPONDER_OFF condition (rule_transponder_off.c), also evidence for
 * RENEGADE: t had a transponder reply and has been seen by primary radar
 * only for no_xpdr_scans scans since; not a vessel, not slow. */
int det_xpdr_off(const struct det_config *cfg, const struct trk_track *t);

/* A run of the grid's order: positions from .. to - 1. */
struct det_span {
    size_t from, to;
};

/* The runs of the grid's order whose cells may lie within radius_m of
 * (lat, lon), one per row, south to north, into spans (room for
 * DET_GRID_ROWS); with after < SIZE_MAX only the positions after `after`
 * (its own row's later positions and the rows north of it). Returns the
 * count. Not for cfg.all_pairs. */
size_t det_grid_spans(const struct det_ctx *c, double lat, double lon, double radius_m,
                      size_t after, struct det_span *spans);

/* A few searches ahead: a rule that visits the tracks around its findings
 * one after the other (in track order, so all over the grid's order) asks
 * for the spans of a finding a few ahead, which asks the memory for their
 * lines of the grid-ordered arrays it reads, and takes those spans back when
 * it comes to that finding (the same spans: det_grid_spans on the same
 * arguments). A ring of DET_AHEAD_N entries of up to DET_AHEAD_SPANS
 * spans (more: searched again when taken). */
#define DET_AHEAD_N     4
#define DET_AHEAD_SPANS 8
struct det_ahead {
    size_t ns[DET_AHEAD_N];     /* SIZE_MAX: nothing kept */
    size_t k[DET_AHEAD_N];      /* the search kept */
    double radius[DET_AHEAD_N]; /* and its radius (another radius: searched again) */
    struct det_span sp[DET_AHEAD_N][DET_AHEAD_SPANS];
};

/* Empty the ring (before a rule's first det_ahead_put). */
void det_ahead_init(struct det_ahead *a);

/* Search k (any count, kept at k % DET_AHEAD_N): det_grid_spans of (lat,
 * lon, radius_m, SIZE_MAX), and the lines over those spans of the arrays
 * in the grid's order the rule reads (up to four, NULL: none) asked for. */
void det_ahead_put(const struct det_ctx *c, struct det_ahead *a, size_t k, double lat, double lon,
                   double radius_m, const double *const arrays[4]);

/* The spans of search k into spans (room for DET_GRID_ROWS): those kept by
 * det_ahead_put for the same arguments, or det_grid_spans' now. */
size_t det_ahead_get(const struct det_ctx *c, struct det_ahead *a, size_t k, double lat, double lon,
                     double radius_m, struct det_span *spans);

/* Visit every eligible track whose cell may lie within radius_m of
 * (lat, lon) (a superset: callers measure). fn returns nonzero to stop. */
void det_grid_near(const struct det_ctx *c, double lat, double lon, double radius_m,
                   int (*fn)(void *arg, size_t j), void *arg);

/* The same for the track at position k of the grid's order, visiting only
 * the tracks after it in that order (its own row's later cells and the
 * rows north of it): a rule that walks the order and pairs each track
 * with those it visits meets every pair once, when each track's radius
 * covers any partner (a radius built from the fastest speed in the
 * picture does). With cfg.all_pairs (no index), k is a track index and
 * every live track after it is visited. */
void det_grid_near_after(const struct det_ctx *c, size_t k, double radius_m,
                         int (*fn)(void *arg, size_t j), void *arg);

/* Local flat plane at latitude lat0: metres per degree north and east. */
void det_m_per_deg(double lat0_deg, double *m_lat, double *m_lon);

/* The same for the plane between tracks i and j: the mean of their
 * scales (within 1e-4 of the scale at the mean latitude for tracks a
 * degree apart: the cosine's curvature). */
static inline void det_pair_scale(const struct det_ctx *c, size_t i, size_t j, double *m_lat,
                                  double *m_lon)
{
    *m_lat = 0.5 * (c->m_lat[i] + c->m_lat[j]);
    *m_lon = 0.5 * (c->m_lon[i] + c->m_lon[j]);
}

/* x (degrees, any finite value) as a longitude in (-180, 180]; NaN stays
 * NaN. x itself when it is in that range already. */
static inline double det_lon_wrap(double x)
{
    if (x > -180.0 && x <= 180.0)
        return x;
    if (!(x > -540.0 && x <= 540.0))
        x = fmod(x, 360.0); /* exact; NaN stays NaN */
    if (x > 180.0)
        x -= 360.0;
    else if (x <= -180.0)
        x += 360.0;
    return x;
}

/* A longitude of the detector's frame (det_ctx.lon, .g_lon, a place a rule
 * computed from them) as a true longitude, in (-180, 180]: what zone
 * queries and alert places take. */
static inline double det_lon_true(const struct det_ctx *c, double lon)
{
    double ref = c->cfg->lon_ref_deg;
    return det_lon_wrap(ref != 0.0 ? lon + ref : lon); /* -0 stays -0 without a reference */
}

/* a - b as an angle in [-180, 180] (degrees): two courses' difference. */
double det_course_diff(double a, double b);

/* Write an identity label of t ("ICAO 4CA123 BAW12 squawk 7700", or
 * "track 17") into out, printable ASCII only. */
void det_label(const struct trk_track *t, char *out, size_t cap);

/* Copy s into out (cap bytes) as printable ASCII: other bytes become '?',
 * one per UTF-8 sequence. */
void det_clean(char *out, size_t cap, const char *s);

/* snprintf into a text buffer; a sentence longer than cap is cut. */
void det_textf(char *out, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

struct det_rule {
    const char *name;
    uint8_t id;
    int (*evaluate)(const struct det_ctx *c);
};

extern const struct det_rule det_rule_emergency;
extern const struct det_rule det_rule_no_transponder;
extern const struct det_rule det_rule_separation;
extern const struct det_rule det_rule_transponder_off;
extern const struct det_rule det_rule_renegade;
extern const struct det_rule det_rule_zone;
extern const struct det_rule det_rule_sea_cpa;
extern const struct det_rule det_rule_low_pass;
extern const struct det_rule det_rule_ais_gap;

#endif
