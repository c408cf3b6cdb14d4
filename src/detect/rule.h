/*
 * rule.h — what a rule sees and how it reports (internal to src/detect).
 * A rule is a name and one callback that looks at the picture at `now`
 * and calls det_report() once per condition it finds; the core
 * (detect.c) owns the alerts and their lifecycle (detect.h).
 */
#ifndef CAIRN_DETECT_RULE_H
#define CAIRN_DETECT_RULE_H

#include <stddef.h>
#include <stdint.h>

#include "detect/detect.h"
#include "track/track.h"

#define DET_PI 3.14159265358979323846

/* The spatial index over the eligible tracks: rows of cell_deg latitude,
 * each cut in columns narrowed so that a cell is at least cell_deg of
 * latitude wide on the ground; a chained hash maps (row, col) to its
 * tracks. */
struct det_grid {
    double cell_deg;
    size_t mask;    /* buckets - 1 */
    uint32_t *head; /* bucket -> track index + 1 (0: empty) */
    uint32_t *next; /* track index -> next index + 1 */
    int32_t *row, *col;
};

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
};

/* One evaluation. */
struct det_ctx {
    const struct det_config *cfg;
    const struct trk_track *tracks;
    size_t n;
    int64_t now_ms;
    const uint8_t *live;     /* per track: 1 when CONFIRMED or COASTING and sane */
    const double *lat, *lon; /* extrapolated to now */
    const double *gs;        /* ground speed (m/s), compact for the pair loops */
    const double *turn_rps;  /* measured turn rate (rad/s, + = right), 0 when not turning */
    const struct det_grid *grid;
    const struct geo_zones *zones; /* NULL: none */
    struct det_low_tab *low;
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
};

/* Hand a finding to the core. 0 or CAIRN_E_FULL. */
int det_report(const struct det_ctx *c, const struct det_hit *h);

/* Visit every eligible track whose cell may lie within radius_m of
 * (lat, lon) (a superset: callers measure). fn returns nonzero to stop. */
void det_grid_near(const struct det_ctx *c, double lat, double lon, double radius_m,
                   int (*fn)(void *arg, size_t j), void *arg);

/* Local flat plane at latitude lat0: metres per degree north and east. */
void det_m_per_deg(double lat0_deg, double *m_lat, double *m_lon);

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
extern const struct det_rule det_rule_zone;
extern const struct det_rule det_rule_sea_cpa;
extern const struct det_rule det_rule_low_pass;
extern const struct det_rule det_rule_ais_gap;

#endif
