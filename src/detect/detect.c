/*
 * detect.c — the rule registry, the evaluation pass, the spatial index and
 * the alert lifecycle (detect.h: state diagram and invariants D1-D6).
 */
#include "detect/detect.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "detect/rule.h"
#include "track/track.h"

/* The rules, in priority order (det_rule_name finds them by id). */
static const struct det_rule *const rules[] = {
    &det_rule_emergency,       &det_rule_no_transponder, &det_rule_separation,
    &det_rule_transponder_off, &det_rule_renegade,       &det_rule_zone,
    &det_rule_sea_cpa,         &det_rule_low_pass,       &det_rule_ais_gap,
};

/* 64 bytes, one cache line (the arrays are aligned): the rate returned is
 * not kept, since it is sm in rad/s when on is 1 and 0 otherwise
 * (course_rate), and the start of the period is kept as its age. */
struct course {
    uint32_t id;      /* the track at this position (0: none, or its id's second occurrence) */
    uint32_t claimed; /* the evaluation (its low 32 bits) whose track with this id took it */
    uint8_t has;      /* 1: its course is recorded below (a live track); 0: only its id */
    uint8_t on;       /* 1: taken as turning (hysteresis on sm); 2: a radar-measured
                         turn seen once, waiting for a second reading */
    uint16_t ref_age; /* t_ms - the start of this period (ms, below COURSE_REF_MS) */
    double deg;
    int64_t t_ms;
    double sm; /* deg/s: the measured rate smoothed over evaluations */
    /* the course at the start of this and of the previous period of
     * COURSE_REF_MS, and the one of the two that differs most from the
     * course now (NAN: none yet), for course_ref */
    double ref_deg[2];
    double ref_far;
};

_Static_assert(sizeof(struct course) == 64, "a course entry is one cache line");

/* The turn rate a course entry gives (rad/s, + = clockwise). */
static inline double course_rate(const struct course *c)
{
    return c->on == 1 ? c->sm * (DET_PI / 180.0) : 0.0;
}

/* The course's net change is measured against its value at the start of
 * periods of this length (the current and the previous one): over the last
 * 30 to 60 s. */
#define COURSE_REF_MS 30000

/* One live track's values for the pair loops, together in one cache line
 * (det_evaluate writes them in track order and gathers them into the
 * grid's order: one line per track instead of one per array). The rest
 * comes from small arrays or is made again: the altitude from alt_ft, the
 * metres per degree from the cosine of the latitude (det_m_per_deg's
 * arithmetic on it, so the same bits), air and kind from a byte each
 * (tvf, kind: arrays of a byte a track stay in the cache), the turn rate
 * and the selected altitude from their arrays for the few tracks that
 * have one (tvf). */
struct det_tv {
    double lat, lon, gs, vrate, ve, vn;
    double cos_lat; /* cos(lat), whose m_per_cos are the track's scales */
    int32_t alt_ft; /* the altitude when tvf has TV_ALT */
    uint32_t id;
};
_Static_assert(sizeof(struct det_tv) == 64, "a track's values are one cache line");

/* det_tv's flags (det.tvf, one per track) */
#define TV_AIR  1u /* det_ctx.air */
#define TV_ALT  2u /* altitude known: alt_ft */
#define TV_TURN 4u /* turn rate not 0: det.turn */
#define TV_SEL  8u /* selected altitude known: det.sel */

/* What the lifecycle remembers of a live alert's reports for its holds
 * (det_report, detect.h D7): the last evaluation that reported each
 * severity from CAUTION up or a higher one, the last that reported the
 * severity and signature shown, and the signature shown before the last
 * change. */
struct det_keep {
    int64_t t_lvl_ms[3]; /* CAUTION, WARNING, ALERT or higher: last reported at */
    uint64_t e_lvl[3];   /* ... at this evaluation */
    int64_t t_kept_ms;   /* the severity and signature shown: last reported at */
    uint64_t e_kept;     /* ... at this evaluation */
    uint64_t prev_sig;   /* the signature before the last change */
};

struct det {
    struct det_config cfg;
    det_change_fn on_change;
    void *arg;
    struct det_stats stats;
    int64_t last_now_ms;
    int evaluated;
    uint32_t next_id;
    uint64_t eval_no;
    /* alerts */
    struct det_alert *alerts;
    uint64_t *seen_eval;   /* evaluation number of the last report per slot */
    struct det_keep *keep; /* per slot: what the hold of a fall or a change back reads */
    uint64_t *aused;       /* bit per slot: not FREE (the passes over the alerts visit
                              only these, in slot order) */
    uint64_t *acleared;    /* bit per slot: CLEARED (the pass that frees them visits only
                              these, without reading the alerts) */
    size_t amask;          /* key-index buckets - 1 */
    uint32_t *ahead;       /* bucket -> slot + 1 */
    uint32_t *anext;       /* slot -> next slot + 1 */
    uint64_t *akey;        /* slot -> its key and rule, beside the chain, so that a */
    uint8_t *arule;        /* lookup does not read the alerts it passes by */
    uint32_t *freelist;    /* free slots, a stack */
    size_t n_free;
    /* per evaluation */
    uint8_t *live, *air, *kind;
    double *lat, *lon, *gs, *turn, *mlat, *mlon, *alt, *vrate, *ve, *vn, *sel;
    uint32_t *tid;
    uint8_t *turn_cand; /* per track: a radar-measured turn seen once (turn_rate) */
    double *cref;       /* per track: course_ref (turn_rate) */
    double *cdeg;       /* per track: course_deg (live tracks; in cref's allocation) */
    /* the same in the grid's order (rule.h, det_ctx.g_*) */
    uint8_t *g_air, *g_kind;
    uint32_t *g_id;
    double *g_lat, *g_lon, *g_gs, *g_alt, *g_vrate, *g_ve, *g_vn, *g_mlat, *g_mlon, *g_turn, *g_sel;
    uint32_t *special, *vessels; /* det_ctx.special, .vessels */
    uint32_t *scratch;           /* det_ctx.scratch */
    struct det_tv *tv;
    uint8_t *tvf; /* TV_* per track */
    struct det_grid grid;
    /* Course memory for the turn rate, kept by position in the picture:
     * the previous evaluation's and this one's (swapped each time). A
     * track is looked for at its own position (shifted by the offset
     * that found the last one), else through a map from id to the previous
     * position, built the first time an evaluation needs it. Entries of
     * the map and of the set of ids new to this evaluation count only for
     * the evaluation that wrote them (gen), so neither is ever cleared. */
    struct course *cpos[2];
    size_t cpos_n[2];
    uint32_t cpos_max[2]; /* the largest id of each picture (every track of it) */
    int cur;
    struct cmap_e {
        uint64_t gen;
        uint32_t id, pos;
    } * cmap;
    struct cnew_e {
        uint64_t gen;
        uint32_t id;
    } * cnew;
    size_t cmask;
    uint64_t cmap_gen;             /* the evaluation the map was built for */
    ptrdiff_t c_off;               /* previous position - this position, last found */
    const struct geo_zones *zones; /* borrowed (det_set_zones) */
    struct det_low_tab low;        /* LOW_PASS pair memory */
    struct det_form_tab form;      /* SEPARATION formation memory */
    struct det_man_tab man;        /* SEPARATION manoeuvring areas (rule_separation.c) */
};

void det_config_default(struct det_config *c)
{
    memset(c, 0, sizeof *c);
    c->max_tracks = 4096;
    c->max_alerts = 1024;
    c->hold_ms = 10000;
    c->hold_evals = 2;
    c->no_xpdr_scans = 3;
    c->near_traffic_m = 10.0 * 1852.0;
    c->sep_h_m = 5.0 * 1852.0;
    c->sep_v_ft = 1000.0;
    c->sep_v_high_ft = 2000.0;
    c->high_fl = 410;
    c->nm_h_m = 1852.0;
    c->nm_v_ft = 500.0;
    c->lookahead_ms = 120000;
    c->max_speed_mps = 600.0;
    c->turn_min_dps = 0.5;
    c->level_off = 1;
    c->sep_hyst = 0.2; /* 1 NM on 5 NM, 24 s on 120 s, 200 ft on 1,000 ft */
    /* a turn seen now is taken to go on for at most a quarter circle: radar
     * vectors and procedure turns are mostly this or less; beyond it a
     * measured rate says nothing of where the aircraft goes */
    c->turn_max_deg = 90.0;
    /* and for at most a minute: beyond it the turn has usually ended, and a
     * prediction built on it raises more nuisance than warning */
    c->turn_lookahead_ms = 60000;
    /* Formation (an interception or escort, ICAO Annex 2 Appendix 2 and
     * Doc 9433: the interceptor takes station beside the intercepted
     * aircraft): within 2 NM (the visual distance of an escort taking
     * station; the 5 NM minimum is broken by design) and 1,000 ft (one
     * vertical minimum), ground and vertical velocity within 15 m/s (about
     * 30 kt) of each other, for a minute: traffic crossing or overtaking
     * within 2 NM differs by far more, or stays that close far less. An
     * ADS-B-fed velocity is good to a few m/s (3.5 m/s RMS on
     * vigilant-skies-2011), a radar-only one to about 17 m/s RMS: a
     * radar-only pair may not qualify, and then it alerts (the safe side) */
    c->formation = 1;
    c->form_h_m = 2.0 * 1852.0;
    c->form_v_ft = 1000.0;
    c->form_dv_mps = 15.0;
    c->form_min_ms = 60000;
    c->form_pairs = 256;
    /* Manoeuvring areas (docs/detect.md): a track without a transponder
     * that turns is predicted to stay on what it flew in the last 5
     * minutes (a racetrack or an orbit lasts a few minutes a loop);
     * 256 such tracks at once is far beyond any real picture's */
    c->man_area = 1;
    c->man_window_ms = 300000;
    c->man_tracks = 256;
    c->level_off_margin_ft = 300.0;    /* an autopilot capture overshoots far less; a
                                          hand-flown one about this much */
    c->renegade_dev_m = 10.0 * 1852.0; /* 10 NM: twice the radar separation minimum, beyond
                                          any weather deviation a controller would not know of */
    c->zone_lookahead_ms = 300000;
    c->zone_v_margin_ft = 200.0;
    c->sea_cpa_m = 0.5 * 1852.0;
    c->sea_horizon_ms = 600000;
    c->sea_moving_mps = 1.0;
    c->sea_anchor_m = 100.0;
    c->sea_max_speed_mps = 25.0;
    c->low_alt_ft = 1000.0;
    c->low_h_m = 1852.0;
    c->low_away_m = 2.0 * 1852.0;
    c->low_keep_m = 25.0 * 1852.0; /* an aircraft still working the area between passes */
    c->low_keep_ms = 900000;
    c->low_min_unknown_mps = 30.0;
    c->low_pairs = 1024;
    c->ais_gap_k = 5;
    c->ais_gap_min_ms = 90000;
    c->ais_gap_k_near = 3;
    c->ais_gap_min_near_ms = 60000;
    c->ais_zone_near_m = 20.0 * 1852.0;
    c->ais_slow_mps = 3.0 * 0.514444;
    c->ais_slow_interval_ms = 180000;
}

static int config_ok(const struct det_config *c)
{
    return c->max_tracks >= 1 && c->max_tracks <= (1u << 24) && c->max_alerts >= 1 &&
           c->max_alerts <= (1u << 24) && c->hold_ms >= 0 && c->no_xpdr_scans >= 1 &&
           c->near_traffic_m >= 0 && c->near_traffic_m <= 200000.0 && c->sep_h_m > 0 &&
           c->sep_h_m <= 100000.0 && c->sep_v_ft > 0 && c->sep_v_high_ft > 0 && c->nm_h_m > 0 &&
           c->nm_v_ft > 0 && c->lookahead_ms >= 0 && c->lookahead_ms <= 600000 &&
           c->max_speed_mps > 0 && c->max_speed_mps <= 2000.0 && c->turn_min_dps > 0 &&
           (c->level_off == 0 || c->level_off == 1) && c->level_off_margin_ft >= 0 &&
           c->level_off_margin_ft <= 5000.0 && c->renegade_dev_m > 0 && c->renegade_dev_m <= 1e6 &&
           c->sep_hyst >= 0 && c->sep_hyst <= 1.0 && c->turn_max_deg > 0 &&
           c->turn_max_deg <= 360.0 && c->turn_lookahead_ms >= 0 && c->zone_lookahead_ms >= 0 &&
           c->zone_lookahead_ms <= 3600000 && c->zone_v_margin_ft >= 0 &&
           c->zone_v_margin_ft <= 10000.0 && c->sea_cpa_m > 0 && c->sea_cpa_m <= 20000.0 &&
           c->sea_horizon_ms >= 0 && c->sea_horizon_ms <= 3600000 && c->sea_moving_mps >= 0 &&
           c->sea_anchor_m >= 0 && c->sea_anchor_m <= c->sea_cpa_m && c->sea_max_speed_mps > 0 &&
           c->sea_max_speed_mps <= 100.0 && c->low_h_m > 0 && c->low_h_m <= c->low_away_m &&
           c->low_away_m <= c->low_keep_m && c->low_keep_m <= 200000.0 && c->low_keep_ms >= 0 &&
           c->low_min_unknown_mps >= 0 && c->low_pairs >= 1 && c->low_pairs <= (1u << 20) &&
           c->ais_gap_k >= 1 && c->ais_gap_k_near >= 1 && c->ais_gap_min_ms >= 0 &&
           c->ais_gap_min_near_ms >= 0 && c->ais_zone_near_m >= 0 && c->ais_slow_mps >= 0 &&
           c->ais_slow_interval_ms >= 0 && (c->formation == 0 || c->formation == 1) &&
           c->form_h_m >= 0 && c->form_h_m <= c->sep_h_m && c->form_v_ft >= 0 &&
           c->form_dv_mps >= 0 && c->form_dv_mps <= 100.0 && c->form_min_ms >= 0 &&
           c->form_pairs >= 1 && c->form_pairs <= (1u << 20) &&
           (c->man_area == 0 || c->man_area == 1) && c->man_window_ms >= 0 &&
           c->man_window_ms <= 3600000 && c->man_tracks >= 1 && c->man_tracks <= (1u << 16) &&
           c->lon_ref_deg >= -180.0 && c->lon_ref_deg <= 180.0;
}

/* Column width (deg of longitude) of a grid row: a cell_deg of latitude on
 * the ground at the row's edge nearest the pole. */
static double col_width(double cell_deg, int32_t row)
{
    double a = fabs((double)row * cell_deg), b = fabs((double)(row + 1) * cell_deg);
    double m = a > b ? a : b;
    if (m > 89.0)
        m = 89.0;
    double w = cell_deg / cos(m * (DET_PI / 180.0));
    return w > 360.0 ? 360.0 : w;
}

static size_t pow2_at_least(size_t n)
{
    size_t p = 1;
    while (p < n)
        p <<= 1;
    return p;
}

int det_new(const struct det_config *cfg, det_change_fn on_change, void *arg, struct det **out)
{
    struct det_config c;
    if (!out)
        return CAIRN_E_INVAL;
    *out = NULL;
    if (cfg)
        c = *cfg;
    else
        det_config_default(&c);
    if (!config_ok(&c))
        return CAIRN_E_INVAL;
    struct det *d = calloc(1, sizeof *d);
    if (!d)
        return CAIRN_E_NOMEM;
    d->cfg = c;
    d->on_change = on_change;
    d->arg = arg;
    d->next_id = 1;
    size_t na = c.max_alerts, nt = c.max_tracks;
    size_t ab = pow2_at_least(na * 2), gb = pow2_at_least(nt * 2);
    d->amask = ab - 1;
    d->alerts = calloc(na, sizeof *d->alerts);
    d->seen_eval = calloc(na, sizeof *d->seen_eval);
    d->keep = calloc(na, sizeof *d->keep);
    d->ahead = calloc(ab, sizeof *d->ahead);
    d->anext = calloc(na, sizeof *d->anext);
    d->akey = calloc(na, sizeof *d->akey);
    d->arule = calloc(na, sizeof *d->arule);
    d->freelist = calloc(na, sizeof *d->freelist);
    d->live = calloc(nt + DET_PAD, 1);
    d->lat = calloc(nt + DET_PAD, sizeof *d->lat);
    d->lon = calloc(nt + DET_PAD, sizeof *d->lon);
    d->gs = calloc(nt + DET_PAD, sizeof *d->gs);
    d->turn = calloc(nt, sizeof *d->turn);
    d->turn_cand = calloc(nt, sizeof *d->turn_cand);
    d->cref = calloc(2 * nt, sizeof *d->cref); /* and cdeg, its second half */
    d->cdeg = d->cref ? d->cref + nt : NULL;
    d->air = calloc(nt + DET_PAD, 1);
    d->mlat = calloc(nt, sizeof *d->mlat);
    d->mlon = calloc(nt, sizeof *d->mlon);
    d->alt = calloc(nt + DET_PAD, sizeof *d->alt);
    d->vrate = calloc(nt + DET_PAD, sizeof *d->vrate);
    d->ve = calloc(nt, sizeof *d->ve);
    d->vn = calloc(nt, sizeof *d->vn);
    d->sel = calloc(nt, sizeof *d->sel);
    d->tid = calloc(nt, sizeof *d->tid);
    d->g_sel = calloc(nt, sizeof *d->g_sel);
    d->kind = calloc(nt, 1);
    d->g_air = calloc(nt + DET_PAD, 1);
    d->g_kind = calloc(nt, 1);
    d->g_id = calloc(nt, sizeof *d->g_id);
    d->g_lat = calloc(nt + DET_PAD, sizeof *d->g_lat);
    d->g_lon = calloc(nt + DET_PAD, sizeof *d->g_lon);
    d->g_gs = calloc(nt + DET_PAD, sizeof *d->g_gs);
    d->g_alt = calloc(nt + DET_PAD, sizeof *d->g_alt);
    d->g_vrate = calloc(nt + DET_PAD, sizeof *d->g_vrate);
    d->g_ve = calloc(nt, sizeof *d->g_ve);
    d->g_vn = calloc(nt, sizeof *d->g_vn);
    d->g_mlat = calloc(nt, sizeof *d->g_mlat);
    d->g_mlon = calloc(nt, sizeof *d->g_mlon);
    d->g_turn = calloc(nt, sizeof *d->g_turn);
    d->special = calloc(nt, sizeof *d->special);
    d->scratch = calloc(nt, sizeof *d->scratch);
    d->vessels = calloc(nt, sizeof *d->vessels);
    d->aused = calloc((na + 63) / 64, sizeof *d->aused);
    d->acleared = calloc((na + 63) / 64, sizeof *d->acleared);
    d->cmask = gb - 1;
    for (int k = 0; k < 2; k++) { /* a line each */
        d->cpos[k] = aligned_alloc(64, nt * sizeof *d->cpos[k]);
        if (d->cpos[k])
            memset(d->cpos[k], 0, nt * sizeof *d->cpos[k]);
    }
    d->cmap = calloc(gb, sizeof *d->cmap);
    d->cnew = calloc(gb, sizeof *d->cnew);
    d->grid.key = calloc(nt, sizeof *d->grid.key);
    d->grid.order = calloc(nt, sizeof *d->grid.order);
    d->grid.tmp_key = calloc(nt, sizeof *d->grid.tmp_key);
    d->grid.tmp_order = calloc(nt, sizeof *d->grid.tmp_order);
    d->grid.col_start =
        calloc((size_t)DET_GRID_ROWS * (DET_GRID_COLS + 1), sizeof *d->grid.col_start);
    d->tv = aligned_alloc(64, nt * sizeof *d->tv); /* a line each */
    d->tvf = calloc(nt, 1);
    size_t lb = pow2_at_least(c.low_pairs * 2);
    d->low.mask = lb - 1;
    d->low.cap = c.low_pairs;
    d->low.tab[0] = calloc(lb, sizeof *d->low.tab[0]);
    d->low.tab[1] = calloc(lb, sizeof *d->low.tab[1]);
    d->low.air_mask = 2 * lb - 1;
    d->low.air = calloc(2 * lb, sizeof *d->low.air);
    size_t fb = pow2_at_least(c.form_pairs * 2);
    d->form.mask = fb - 1;
    d->form.cap = c.form_pairs;
    d->form.tab = calloc(fb, sizeof *d->form.tab);
    d->form.tmp = calloc(fb, sizeof *d->form.tmp);
    int man_rc = det_man_init(&d->man, c.man_tracks);
    if (man_rc || !d->form.tab || !d->form.tmp || !d->low.tab[0] || !d->low.tab[1] || !d->low.air ||
        !d->g_kind || !d->g_id || !d->alerts || !d->seen_eval || !d->keep || !d->ahead ||
        !d->anext || !d->akey || !d->arule || !d->freelist || !d->live || !d->lat || !d->lon ||
        !d->gs || !d->turn || !d->turn_cand || !d->cref || !d->cdeg || !d->air || !d->mlat ||
        !d->mlon || !d->alt || !d->vrate || !d->cpos[0] || !d->cpos[1] || !d->cmap || !d->cnew ||
        !d->grid.key || !d->grid.order || !d->grid.tmp_key || !d->grid.tmp_order || !d->ve ||
        !d->vn || !d->sel || !d->tid || !d->g_sel || !d->kind || !d->g_air || !d->g_lat ||
        !d->g_lon || !d->g_gs || !d->g_alt || !d->g_vrate || !d->g_ve || !d->g_vn || !d->g_mlat ||
        !d->g_mlon || !d->g_turn || !d->special || !d->scratch || !d->vessels || !d->aused ||
        !d->acleared || !d->grid.col_start || !d->tv || !d->tvf) {
        det_free(d);
        return CAIRN_E_NOMEM;
    }
    for (size_t i = 0; i < na; i++)
        d->freelist[i] = (uint32_t)(na - 1 - i);
    d->n_free = na;
    /* Cells of half a degree (55 km): about the distance two airliners
     * close in the look-ahead, so a search visits a dozen or two cells and
     * the cells it visits hold about three times the tracks in its circle
     * (bench/bench_picture measured 1, 0.5 and 0.25 degrees). */
    d->grid.cell_deg = DET_CELL_DEG;
    for (int32_t k = 0; k < DET_GRID_ROWS; k++) {
        d->grid.width[k] = col_width(DET_CELL_DEG, k - DET_GRID_ROW0);
        d->grid.inv_width[k] = 1.0 / d->grid.width[k];
    }
    for (size_t k = 0; k < sizeof d->grid.cosd / sizeof d->grid.cosd[0]; k++)
        d->grid.cosd[k] = cos((double)k / DET_COS_PER_DEG * (DET_PI / 180.0));
    *out = d;
    return 0;
}

void det_free(struct det *d)
{
    if (!d)
        return;
    free(d->alerts);
    free(d->seen_eval);
    free(d->keep);
    free(d->ahead);
    free(d->anext);
    free(d->akey);
    free(d->arule);
    free(d->freelist);
    free(d->live);
    free(d->lat);
    free(d->lon);
    free(d->gs);
    free(d->turn);
    free(d->turn_cand);
    free(d->cref); /* and cdeg */
    free(d->air);
    free(d->mlat);
    free(d->mlon);
    free(d->alt);
    free(d->vrate);
    free(d->ve);
    free(d->vn);
    free(d->sel);
    free(d->tid);
    free(d->g_sel);
    free(d->kind);
    free(d->g_air);
    free(d->g_lat);
    free(d->g_lon);
    free(d->g_gs);
    free(d->g_alt);
    free(d->g_vrate);
    free(d->g_ve);
    free(d->g_vn);
    free(d->g_mlat);
    free(d->g_mlon);
    free(d->g_turn);
    free(d->special);
    free(d->scratch);
    free(d->vessels);
    free(d->aused);
    free(d->acleared);
    free(d->cpos[0]);
    free(d->cpos[1]);
    free(d->cmap);
    free(d->cnew);
    free(d->grid.key);
    free(d->grid.order);
    free(d->grid.tmp_key);
    free(d->grid.tmp_order);
    free(d->grid.col_start);
    free(d->tv);
    free(d->tvf);
    free(d->low.tab[0]);
    free(d->low.tab[1]);
    free(d->low.air);
    free(d->g_kind);
    free(d->g_id);
    free(d->form.tab);
    free(d->form.tmp);
    det_man_fini(&d->man);
    free(d);
}

/* ------------------------------------------------------------- geometry */

/* det_m_per_deg from c, the cosine of the latitude. */
static inline void m_per_cos(double c, double *m_lat, double *m_lon)
{
    /* Series for the WGS-84 meridian and parallel arc lengths per degree,
     * the multiple angles from one cosine: cos 2p = 2c^2 - 1,
     * cos 3p = 4c^3 - 3c, cos 4p = 2 cos^2 2p - 1. */
    double c2 = 2.0 * c * c - 1.0;
    *m_lat = 111132.954 - 559.822 * c2 + 1.175 * (2.0 * c2 * c2 - 1.0);
    *m_lon = 111412.84 * c - 93.5 * (4.0 * c * c * c - 3.0 * c);
}

void det_m_per_deg(double lat0_deg, double *m_lat, double *m_lon)
{
    m_per_cos(cos(lat0_deg * (DET_PI / 180.0)), m_lat, m_lon);
}

/* (int32_t)floor(x) for x within the int32_t range, without floor (a
 * dozen instructions where SSE4.1 is not assumed): the truncation, one
 * less when it rounded up. */
static inline int32_t ifloor(double x)
{
    int32_t t = (int32_t)x;
    return t - (x < (double)t);
}

/* The row of latitude lat, (int32_t)floor(lat / cell_deg): with the
 * constant DET_CELL_DEG, a power of two, the division is a multiplication
 * (exact, so the same rows). */
static inline int32_t row_of(double lat)
{
    return ifloor(lat / DET_CELL_DEG);
}

/* Where row's column width (col_width) is in the table made by det_new
 * (rows beyond the poles clamp). */
static inline size_t row_k(int32_t row)
{
    int32_t k = row + DET_GRID_ROW0;
    return (size_t)(k < 0 ? 0 : k >= DET_GRID_ROWS ? DET_GRID_ROWS - 1 : k);
}

/* The key of cell (row, col), rows and columns clamped to the grid. */
static uint32_t cell_key(int32_t row, int32_t col)
{
    int32_t r = row + DET_GRID_ROW0, c = col + DET_GRID_COLS / 2;
    r = r < 0 ? 0 : r >= DET_GRID_ROWS ? DET_GRID_ROWS - 1 : r;
    c = c < 0 ? 0 : c >= DET_GRID_COLS ? DET_GRID_COLS - 1 : c;
    return (uint32_t)r << 11 | (uint32_t)c;
}

/* One pass of the radix sort: stable by 10 bits of the key from `shift`. */
static void radix_pass(const uint32_t *key, const uint32_t *ord, uint32_t *okey, uint32_t *oord,
                       size_t n, unsigned shift)
{
    size_t count[1025] = {0};
    for (size_t k = 0; k < n; k++)
        count[((key[k] >> shift) & 1023u) + 1]++;
    for (size_t b = 1; b <= 1024; b++)
        count[b] += count[b - 1];
    for (size_t k = 0; k < n; k++) {
        size_t at = count[(key[k] >> shift) & 1023u]++;
        okey[at] = key[k];
        oord[at] = ord[k];
    }
}

static void grid_build(struct det *d, size_t n)
{
    struct det_grid *g = &d->grid;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (!d->live[i])
            continue;
        int32_t r = row_of(d->lat[i]);
        int32_t c = ifloor(d->lon[i] / g->width[row_k(r)]);
        g->tmp_key[m] = cell_key(r, c);
        g->tmp_order[m] = (uint32_t)i;
        m++;
    }
    /* keys have 20 bits: two passes of 10, ending in key/order */
    radix_pass(g->tmp_key, g->tmp_order, g->key, g->order, m, 0);
    radix_pass(g->key, g->order, g->tmp_key, g->tmp_order, m, 10);
    memcpy(g->key, g->tmp_key, m * sizeof *g->key);
    memcpy(g->order, g->tmp_order, m * sizeof *g->order);
    g->n = m;
    size_t q = 0;
    for (uint32_t r = 0; r <= DET_GRID_ROWS; r++) {
        while (q < m && (g->key[q] >> 11) < r)
            q++;
        g->row_start[r] = q;
    }
    /* the column starts of each row with tracks */
    uint32_t at = 0;
    for (uint32_t r = 0; r < DET_GRID_ROWS; r++) {
        size_t lo = g->row_start[r], hi = g->row_start[r + 1];
        if (lo == hi)
            continue;
        uint32_t c0 = g->key[lo] & 2047u, c1 = g->key[hi - 1] & 2047u;
        g->col_lo[r] = (uint16_t)c0;
        g->col_hi[r] = (uint16_t)c1;
        g->col_at[r] = at;
        size_t p = lo;
        for (uint32_t col = c0; col <= c1 + 1; col++) {
            while (p < hi && (g->key[p] & 2047u) < col)
                p++;
            g->col_start[at++] = (uint32_t)p;
        }
    }
}

/* First position of row r (+ DET_GRID_ROW0), a row with tracks (col_lo
 * and col_hi are only kept for those), whose column is >= col (the row's
 * end when none): what a binary search of the row would find. */
static inline size_t col_bound(const struct det_grid *g, size_t r, uint32_t col)
{
    if (col <= g->col_lo[r])
        return g->row_start[r];
    if (col > g->col_hi[r])
        return g->row_start[r + 1];
    return g->col_start[g->col_at[r] + (col - g->col_lo[r])];
}

/* An upper bound of |cosd interpolated - cos| (linear between points
 * h = 1/8 degree apart: at most h^2 / 8 in radians, 6e-7, and libm's and
 * the interpolation's rounding). */
#define COS_TAB_ERR 1e-6

size_t det_grid_spans(const struct det_ctx *c, double lat, double lon, double radius_m,
                      size_t after, struct det_span *spans)
{
    const struct det_grid *g = c->grid;
    size_t n = 0;
    double dlat = radius_m / 110000.0;
    int32_t r0 = row_of(lat - dlat);
    int32_t r1 = row_of(lat + dlat);
    if (after != SIZE_MAX) /* nothing after it lies in a row to the south */
        r0 = (int32_t)(g->key[after] >> 11) - DET_GRID_ROW0;
    if (r0 < -DET_GRID_ROW0)
        r0 = -DET_GRID_ROW0;
    if (r1 > DET_GRID_ROW0 - 1)
        r1 = DET_GRID_ROW0 - 1;
    double maxlat = fabs(lat) + dlat;
    if (maxlat > 89.0)
        maxlat = 89.0;
    /* The columns are those of dlon = radius / (110000 cos maxlat) with
     * libm's cosine. They are found from the table's cosine instead (dlon
     * within tol of libm's), and from libm's only when lon +- dlon lies
     * within tol of a column's edge, where the two could differ: the same
     * spans either way, without a cosine per search. */
    double u = maxlat * DET_COS_PER_DEG, dlon = 0.0, tol = 0.0;
    int exact = !(u >= 0.0); /* NaN: as before */
    if (!exact) {
        size_t k = (size_t)u;
        double cv = g->cosd[k] + (u - (double)k) * (g->cosd[k + 1] - g->cosd[k]);
        dlon = radius_m / (110000.0 * cv);
        tol = dlon * (COS_TAB_ERR / (cv - COS_TAB_ERR)) * 1.01 + 1e-12;
        if (dlon - tol > 180.0) { /* libm's dlon too: both 180 */
            dlon = 180.0;
            tol = 0.0;
        } else if (dlon + tol > 180.0) {
            exact = 1;
        }
    }
again:
    if (exact) {
        dlon = radius_m / (110000.0 * cos(maxlat * (DET_PI / 180.0)));
        if (dlon > 180.0)
            dlon = 180.0;
        tol = 0.0;
    }
    /* the quotients (lon +- dlon) / w of libm's dlon lie within t of
     * these (tol / w, every w >= DET_CELL_DEG, and the roundings of the
     * subtraction and of the product by 1 / w, a few units in the last
     * place of x, |x| < 2^11): the same floor unless an integer is that
     * near (x - floor(x) is exact) */
    double t = tol / DET_CELL_DEG + 1e-9;
    for (int32_t r = r0; r <= r1; r++) {
        size_t rk = (size_t)(r + DET_GRID_ROW0); /* r0 .. r1 lie within the grid */
        size_t lo = g->row_start[rk], hi = g->row_start[rk + 1];
        if (after != SIZE_MAX && lo <= after)
            lo = after + 1; /* its own row: only the tracks after it */
        if (hi <= lo)
            continue; /* no track: no span, whatever its columns */
        double x0, x1;
        if (tol > 0.0) {
            double iw = g->inv_width[rk];
            x0 = (lon - dlon) * iw;
            x1 = (lon + dlon) * iw;
        } else {
            double w = g->width[rk];
            x0 = (lon - dlon) / w;
            x1 = (lon + dlon) / w;
        }
        int32_t c0 = ifloor(x0), c1 = ifloor(x1);
        if (tol > 0.0) {
            double e0 = x0 - (double)c0, e1 = x1 - (double)c1;
            if (!(e0 >= t && e0 <= 1.0 - t && e1 >= t && e1 <= 1.0 - t)) {
                exact = 1;
                n = 0;
                goto again;
            }
        }
        /* the cells c0 .. c1 of the row (clamped as cell_key does), from
         * its column table */
        int32_t a = c0 + DET_GRID_COLS / 2, b = c1 + DET_GRID_COLS / 2;
        a = a < 0 ? 0 : a >= DET_GRID_COLS ? DET_GRID_COLS - 1 : a;
        b = b < 0 ? 0 : b >= DET_GRID_COLS ? DET_GRID_COLS - 1 : b;
        size_t from = col_bound(g, rk, (uint32_t)a);
        size_t to = col_bound(g, rk, (uint32_t)b + 1);
        if (from < lo)
            from = lo;
        if (to > from) {
            spans[n].from = from;
            spans[n].to = to;
            n++;
        }
    }
    return n;
}

void det_ahead_init(struct det_ahead *a)
{
    for (size_t k = 0; k < DET_AHEAD_N; k++)
        a->ns[k] = SIZE_MAX;
}

/* The lines of x[from .. to - 1] (at most 32 of them). */
static void prefetch_run(const double *x, size_t from, size_t to)
{
    const char *p = (const char *)(x + from), *end = (const char *)(x + to);
    for (int k = 0; k < 32 && p < end; k++, p += 64)
        __builtin_prefetch(p);
    if (p < end)
        __builtin_prefetch(end - 1);
}

void det_ahead_put(const struct det_ctx *c, struct det_ahead *a, size_t k, double lat, double lon,
                   double radius_m, const double *const arrays[4])
{
    struct det_span sp[DET_GRID_ROWS];
    size_t ns = det_grid_spans(c, lat, lon, radius_m, SIZE_MAX, sp);
    size_t at = k % DET_AHEAD_N;
    for (size_t s = 0; s < ns; s++)
        for (size_t x = 0; x < 4; x++)
            if (arrays[x])
                prefetch_run(arrays[x], sp[s].from, sp[s].to);
    if (ns <= DET_AHEAD_SPANS) {
        memcpy(a->sp[at], sp, ns * sizeof *sp);
        a->ns[at] = ns;
        a->k[at] = k;
        a->radius[at] = radius_m;
    } else {
        a->ns[at] = SIZE_MAX;
    }
}

size_t det_ahead_get(const struct det_ctx *c, struct det_ahead *a, size_t k, double lat, double lon,
                     double radius_m, struct det_span *spans)
{
    size_t at = k % DET_AHEAD_N, ns = a->ns[at];
    a->ns[at] = SIZE_MAX;
    if (ns == SIZE_MAX || a->k[at] != k || a->radius[at] != radius_m)
        return det_grid_spans(c, lat, lon, radius_m, SIZE_MAX, spans);
    memcpy(spans, a->sp[at], ns * sizeof *spans);
    return ns;
}

/* Visit the tracks in the cells within radius_m of (lat, lon); with after
 * < SIZE_MAX, only those after position `after` of the grid's order (its
 * row's later positions and the rows north of it). */
static void grid_walk(const struct det_ctx *c, double lat, double lon, double radius_m,
                      size_t after, int (*fn)(void *arg, size_t j), void *arg)
{
    struct det_span sp[DET_GRID_ROWS];
    size_t ns = det_grid_spans(c, lat, lon, radius_m, after, sp);
    for (size_t s = 0; s < ns; s++)
        for (size_t q = sp[s].from; q < sp[s].to; q++)
            if (fn(arg, c->grid->order[q]))
                return;
}

void det_grid_near(const struct det_ctx *c, double lat, double lon, double radius_m,
                   int (*fn)(void *arg, size_t j), void *arg)
{
    if (c->cfg->all_pairs) {
        for (size_t j = 0; j < c->n; j++)
            if (c->live[j] && fn(arg, j))
                return;
        return;
    }
    grid_walk(c, lat, lon, radius_m, SIZE_MAX, fn, arg);
}

void det_grid_near_after(const struct det_ctx *c, size_t k, double radius_m,
                         int (*fn)(void *arg, size_t j), void *arg)
{
    if (c->cfg->all_pairs) { /* k is a track index: the pairs after it */
        for (size_t j = k + 1; j < c->n; j++)
            if (c->live[j] && fn(arg, j))
                return;
        return;
    }
    size_t i = c->grid->order[k];
    grid_walk(c, c->lat[i], c->lon[i], radius_m, k, fn, arg);
}

/* ------------------------------------------------------------- labels */

/* Appends s[0 .. n - 1] (printable characters only) to out[0 .. *len - 1]
 * as far as cap allows, and the terminating NUL. */
static void put_raw(char *out, size_t cap, size_t *len, const char *s, size_t n)
{
    size_t room = *len + 1 < cap ? cap - 1 - *len : 0;
    if (n > room)
        n = room;
    memcpy(out + *len, s, n);
    *len += n;
    out[*len] = '\0';
}

/* v in base 8, 10 or 16 (upper case), zero-padded to at least width
 * digits, into out (room for 11); returns the digits written. Inlined
 * with each literal base, so that the divisions are multiplications. */
static inline __attribute__((always_inline)) size_t put_uint(char *out, uint32_t v, unsigned base,
                                                             size_t width)
{
    char d[16];
    size_t n = 0;
    do {
        d[n++] = "0123456789ABCDEF"[v % base];
        v /= base;
    } while (v);
    while (n < width)
        d[n++] = '0';
    for (size_t i = 0; i < n; i++)
        out[i] = d[n - 1 - i];
    return n;
}

void det_label(const struct trk_track *t, char *out, size_t cap)
{
    /* What snprintf with "track %u", " ICAO %06X", " MMSI %09u" and
     * " squawk %04o" writes, without it: every rule labels its tracks at
     * every evaluation. */
    char buf[96], cs[10];
    size_t k = 0, m = 0;
    memcpy(buf, "track ", 6);
    m = 6;
    m += put_uint(buf + m, t->id, 10, 1);
    if (t->ids & TRK_ID_ICAO) {
        memcpy(buf + m, " ICAO ", 6);
        m += 6;
        m += put_uint(buf + m, t->icao & 0xFFFFFFu, 16, 6);
    }
    if (t->ids & TRK_ID_MMSI) {
        memcpy(buf + m, " MMSI ", 6);
        m += 6;
        m += put_uint(buf + m, t->mmsi, 10, 9);
    }
    if (t->ids & TRK_ID_SQUAWK) {
        memcpy(buf + m, " squawk ", 8);
        m += 8;
        m += put_uint(buf + m, t->squawk & 07777u, 8, 4);
    }
    /* buf holds letters, digits and spaces only */
    out[0] = '\0';
    put_raw(out, cap, &k, buf, m);
    if (t->ids & TRK_ID_CALLSIGN) {
        /* from the air: keep letters, digits; anything else becomes '?' */
        size_t j = 0;
        for (; j < 8 && t->callsign[j]; j++) {
            unsigned char ch = (unsigned char)t->callsign[j];
            cs[j] = ((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == ' ') ? (char)ch
                                                                                        : '?';
        }
        while (j > 0 && cs[j - 1] == ' ')
            j--;
        cs[j] = '\0';
        if (j) { /* letters, digits, spaces and '?' */
            put_raw(out, cap, &k, " ", 1);
            put_raw(out, cap, &k, cs, j);
        }
    }
}

void det_clean(char *out, size_t cap, const char *s)
{
    size_t k = 0;
    if (!cap)
        return;
    for (; *s && k + 1 < cap; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch >= 0x80 && ch < 0xC0)
            continue; /* a UTF-8 continuation: its lead byte already gave '?' */
        out[k++] = (ch >= 0x20 && ch < 0x7F) ? (char)ch : '?';
    }
    out[k] = '\0';
}

/*
 * det_textf writes what vsnprintf writes, itself for the conversions the
 * rules use (%s, %u, %d, %ld, %.Nf with N <= 3, %%), since the rules
 * format the text of every alert at every evaluation and glibc's printf
 * is most of that cost; any other conversion, or a value it cannot do
 * exactly, hands the whole text to vsnprintf. %.Nf: v x 10^N is exact in
 * the x87 long double (53 + 10 bits of a 64-bit significand) and is
 * rounded to the nearest integer, ties to even, as printf rounds in the
 * default rounding mode; the sign is printed for every negative value,
 * -0 included, as printf does. test_det checks it against vsnprintf.
 */
struct textbuf {
    char *out;
    size_t cap, n; /* n: characters written, as vsnprintf counts them */
};

static void tb_put(struct textbuf *b, char ch)
{
    if (b->n + 1 < b->cap)
        b->out[b->n] = ch;
    b->n++;
}

/* tb_put of each of the len characters of s, at once */
static void tb_add(struct textbuf *b, const char *s, size_t len)
{
    if (b->n + 1 < b->cap) {
        size_t room = b->cap - 1 - b->n;
        memcpy(b->out + b->n, s, len < room ? len : room);
    }
    b->n += len;
}

static void tb_uint(struct textbuf *b, unsigned long long v, int min_digits)
{
    char d[24];
    int k = 24;
    do {
        d[--k] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (24 - k < min_digits && k > 0)
        d[--k] = '0';
    tb_add(b, d + k, (size_t)(24 - k));
}

/* %.Nf of v; 0 when v is beyond what this does exactly */
static int tb_fixed(struct textbuf *b, double v, int prec)
{
#if defined(__x86_64__) && defined(__GNUC__) && __LDBL_MANT_DIG__ == 64
    static const long double scale[4] = {1.0L, 10.0L, 100.0L, 1000.0L};
    if (!isfinite(v) || prec < 0 || prec > 3 || fabs(v) >= 1e15)
        return 0;
    long double x = fabsl((long double)v) * scale[prec]; /* exact */
    /* ties to even (the default rounding mode); rintl, one frndint, where
     * nearbyintl saves and restores the x87 environment: the two differ
     * only in raising FE_INEXACT, which nothing here reads */
    long double r = rintl(x);
    unsigned long long q = (unsigned long long)r, p10 = (unsigned long long)scale[prec];
    if (signbit(v))
        tb_put(b, '-');
    tb_uint(b, q / p10, 1);
    if (prec > 0) {
        tb_put(b, '.');
        tb_uint(b, q % p10, prec);
    }
    return 1;
#else
    (void)b;
    (void)v;
    (void)prec;
    return 0;
#endif
}

void det_textf(char *out, size_t cap, const char *fmt, ...)
{
    va_list ap, again;
    va_start(ap, fmt);
    va_copy(again, ap);
    struct textbuf b = {out, cap, 0};
    int ok = 1;
    for (const char *f = fmt; *f && ok; f++) {
        if (*f != '%') { /* the run of characters up to the next conversion */
            const char *e = strchr(f + 1, '%');
            if (!e)
                e = f + 1 + strlen(f + 1);
            tb_add(&b, f, (size_t)(e - f));
            f = e - 1;
            continue;
        }
        f++;
        if (*f == '%') {
            tb_put(&b, '%');
        } else if (*f == 's') {
            const char *a = va_arg(ap, const char *);
            if (!a) {
                ok = 0;
                continue;
            }
            tb_add(&b, a, strlen(a));
        } else if (*f == 'u') {
            tb_uint(&b, va_arg(ap, unsigned), 1);
        } else if (*f == 'd' || (f[0] == 'l' && f[1] == 'd')) {
            long long v = *f == 'd' ? va_arg(ap, int) : va_arg(ap, long);
            f += *f == 'l';
            if (v < 0)
                tb_put(&b, '-');
            tb_uint(&b, v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v, 1);
        } else if (f[0] == '.' && f[1] >= '0' && f[1] <= '3' && f[2] == 'f') {
            ok = tb_fixed(&b, va_arg(ap, double), f[1] - '0');
            f += 2;
        } else {
            ok = 0;
        }
    }
    va_end(ap);
    if (ok) {
        if (cap)
            out[b.n < cap ? b.n : cap - 1] = '\0';
    } else {
        vsnprintf(out, cap, fmt, again);
    }
    va_end(again);
}

/* -------------------------------------------------------------- alerts */

static size_t key_bucket(const struct det *d, uint8_t rule, uint64_t key)
{
    uint64_t h = key * 0x9E3779B97F4A7C15ull + rule;
    h ^= h >> 31;
    return (size_t)h & d->amask;
}

static struct det_alert *find_alert(const struct det *d, uint8_t rule, uint64_t key)
{
    for (uint32_t e = d->ahead[key_bucket(d, rule, key)]; e; e = d->anext[e - 1])
        if (d->akey[e - 1] == key && d->arule[e - 1] == rule)
            return &d->alerts[e - 1];
    return NULL;
}

static void unindex(struct det *d, size_t slot)
{
    struct det_alert *a = &d->alerts[slot];
    uint32_t *p = &d->ahead[key_bucket(d, a->rule, a->key)];
    while (*p && *p != slot + 1)
        p = &d->anext[*p - 1];
    if (*p)
        *p = d->anext[slot];
    d->anext[slot] = 0;
}

static void notify(struct det *d, const struct det_alert *a)
{
    if (d->on_change)
        d->on_change(d->arg, a);
}

/* A longitude of the detector's frame back in true longitude
 * (det_lon_true's arithmetic). */
static double true_lon(const struct det *d, double lon)
{
    double ref = d->cfg.lon_ref_deg;
    return det_lon_wrap(ref != 0.0 ? lon + ref : lon);
}

/* The alert's content from a hit (its place back in true longitudes). */
static void fill(const struct det *d, struct det_alert *a, const struct det_hit *h)
{
    a->severity = h->severity;
    a->sig = h->sig;
    a->n_parties = h->n_parties > 2 ? 2 : h->n_parties;
    for (unsigned i = 0; i < a->n_parties; i++) {
        const struct trk_track *t = h->parties[i];
        struct det_party *p = &a->parties[i];
        p->track_id = t->id;
        p->ids = t->ids;
        p->kind = t->kind;
        p->icao = t->icao;
        p->mmsi = t->mmsi;
        p->squawk = t->squawk;
        memcpy(p->callsign, t->callsign, sizeof p->callsign);
        p->callsign[sizeof p->callsign - 1] = '\0';
    }
    a->lat_deg = h->lat_deg;
    a->lon_deg = true_lon(d, h->lon_deg);
    a->n_values = h->n_values > DET_MAX_VALUES ? DET_MAX_VALUES : h->n_values;
    memcpy(a->values, h->values, sizeof a->values);
    a->hypothesis = h->hypothesis;
    memcpy(a->text, h->text, sizeof a->text);
    a->text[sizeof a->text - 1] = '\0';
}

/* Note the report of severity sev at this evaluation in k. */
static void keep_levels(struct det_keep *k, unsigned sev, int64_t now_ms, uint64_t eval_no)
{
    for (unsigned s = DET_SEV_CAUTION; s <= sev && s <= DET_SEV_ALERT; s++) {
        k->t_lvl_ms[s - DET_SEV_CAUTION] = now_ms;
        k->e_lvl[s - DET_SEV_CAUTION] = eval_no;
    }
}

/* 1 when something last seen at (t_ms, e) has been absent for the hold:
 * hold_ms and hold_evals evaluations (the test of a clear, D4). */
static int held_off(const struct det *d, int64_t now_ms, int64_t t_ms, uint64_t e)
{
    return now_ms - t_ms >= d->cfg.hold_ms && d->eval_no - e >= d->cfg.hold_evals;
}

/* Whether a live alert shown at severity S and signature G shows report h
 * now (D7): 1 to show it (a change), 0 to keep what it shows. */
static int take_report(const struct det *d, const struct det_alert *a, const struct det_keep *k,
                       const struct det_hit *h, int64_t now_ms)
{
    if (h->severity > a->severity)
        return 1; /* a rise: at once */
    if (h->severity == a->severity && h->sig == a->sig)
        return 1; /* the same: nothing to hold */
    if (h->settled)
        return 1;                       /* a decision or a threshold with its own band */
    if (h->severity == a->severity)     /* another signature: at once, unless it is */
        return h->sig != k->prev_sig || /* the one shown before and the one shown now */
               held_off(d, now_ms, k->t_kept_ms, k->e_kept); /* was reported within the hold */
    /* a fall: once the severity shown has been absent for the hold, to the
     * highest one reported within the hold, when that is h's */
    if (a->severity >= DET_SEV_CAUTION && a->severity <= DET_SEV_ALERT &&
        !held_off(d, now_ms, k->t_lvl_ms[a->severity - DET_SEV_CAUTION],
                  k->e_lvl[a->severity - DET_SEV_CAUTION]))
        return 0;
    for (unsigned s = h->severity + 1u; s < a->severity; s++)
        if (s >= DET_SEV_CAUTION &&
            !held_off(d, now_ms, k->t_lvl_ms[s - DET_SEV_CAUTION], k->e_lvl[s - DET_SEV_CAUTION]))
            return 0;
    return 1;
}

int det_report(const struct det_ctx *c, const struct det_hit *h)
{
    struct det *d = c->det;
    struct det_alert *a = find_alert(d, h->rule, h->key);
    if (a) {
        size_t slot = (size_t)(a - d->alerts);
        struct det_keep *k = &d->keep[slot];
        int changed = 0;
        if (d->seen_eval[slot] !=
            d->eval_no) { /* a second report in one evaluation: keep the first */
            int other = a->severity != h->severity || a->sig != h->sig;
            int take = !other || take_report(d, a, k, h, c->now_ms);
            /* back after an absence: a change once the absence had come to
             * hold_evals evaluations (the alert was on its way out); a
             * shorter one (a missed evaluation) is none */
            changed =
                (other && take) || (a->absent_evals > 0 && a->absent_evals >= d->cfg.hold_evals);
            keep_levels(k, h->severity, c->now_ms, d->eval_no);
            if (take) {
                if (other)
                    k->prev_sig = a->sig;
                fill(d, a, h);
                k->t_kept_ms = c->now_ms;
                k->e_kept = d->eval_no;
            } else {
                a->lat_deg = h->lat_deg; /* held: the place follows, the rest stays */
                a->lon_deg = true_lon(d, h->lon_deg);
            }
        }
        d->seen_eval[slot] = d->eval_no;
        a->t_seen_ms = c->now_ms;
        a->absent_evals = 0;
        if (changed) {
            a->state = DET_ST_UPDATED;
            a->t_change_ms = c->now_ms;
            d->stats.updated++;
            notify(d, a);
        }
        return 0;
    }
    if (d->n_free == 0) {
        d->stats.full++;
        return CAIRN_E_FULL;
    }
    size_t slot = d->freelist[--d->n_free];
    d->aused[slot / 64] |= 1ull << (slot % 64);
    a = &d->alerts[slot];
    memset(a, 0, sizeof *a);
    a->id = d->next_id++;
    a->rule = h->rule;
    a->key = h->key;
    a->state = DET_ST_OPEN;
    a->t_open_ms = a->t_seen_ms = a->t_change_ms = c->now_ms;
    fill(d, a, h);
    struct det_keep *k = &d->keep[slot];
    memset(k, 0, sizeof *k);
    keep_levels(k, h->severity, c->now_ms, d->eval_no);
    k->t_kept_ms = c->now_ms;
    k->e_kept = d->eval_no;
    k->prev_sig = h->sig;
    d->seen_eval[slot] = d->eval_no;
    size_t b = key_bucket(d, a->rule, a->key);
    d->anext[slot] = d->ahead[b];
    d->akey[slot] = a->key;
    d->arule[slot] = a->rule;
    d->ahead[b] = (uint32_t)(slot + 1);
    d->stats.opened++;
    notify(d, a);
    return 0;
}

const struct det_alert *det_live(const struct det_ctx *c, uint8_t rule, uint64_t key)
{
    return find_alert(c->det, rule, key); /* the index holds live alerts only (D2) */
}

int det_same_text(const struct det_ctx *c, struct det_hit *h)
{
    const struct det_alert *a = find_alert(c->det, h->rule, h->key);
    if (!a || a->severity != h->severity || a->hypothesis != h->hypothesis ||
        a->n_parties != h->n_parties || a->n_values != h->n_values || h->n_parties > 2 ||
        h->n_values > DET_MAX_VALUES)
        return 0;
    for (unsigned k = 0; k < h->n_values; k++) /* bit for bit: -0 prints "-0" */
        if (a->values[k].name != h->values[k].name ||
            memcmp(&a->values[k].v, &h->values[k].v, sizeof h->values[k].v) != 0)
            return 0;
    for (unsigned k = 0; k < h->n_parties; k++) {
        const struct det_party *p = &a->parties[k];
        const struct trk_track *t = h->parties[k];
        /* what det_label reads (the callsign's first 8 bytes) */
        if (p->track_id != t->id || p->ids != t->ids || p->icao != t->icao || p->mmsi != t->mmsi ||
            p->squawk != t->squawk || memcmp(p->callsign, t->callsign, 8) != 0)
            return 0;
    }
    memcpy(h->text, a->text, sizeof h->text);
    return 1;
}

void det_prefetch(const struct det_ctx *c, uint8_t rule, uint64_t key, int step)
{
    const struct det *d = c->det;
    size_t b = key_bucket(d, rule, key);
    if (step == 0) {
        __builtin_prefetch(&d->ahead[b]);
        return;
    }
    uint32_t e = d->ahead[b]; /* asked for at step 0 */
    if (!e)
        return;
    __builtin_prefetch(&d->akey[e - 1]);
    __builtin_prefetch(&d->arule[e - 1]);
    __builtin_prefetch(&d->anext[e - 1]);
    __builtin_prefetch(&d->seen_eval[e - 1]);
    const char *a = (const char *)&d->alerts[e - 1];
    for (size_t off = 0; off < sizeof d->alerts[0]; off += 64)
        __builtin_prefetch(a + off, 1);
}

int det_last_reply(const struct trk_track *t, int64_t *t_ms)
{
    int src = -1;
    int64_t last = 0;
    for (int s = 0; s < TRK_SOURCE_N; s++)
        if ((TRK_SRC_BIT(s) & DET_XPDR_SOURCES) && t->last_src_ms[s] > last) {
            last = t->last_src_ms[s];
            src = s;
        }
    if (t_ms)
        *t_ms = last;
    return src;
}

int det_alt_known(const struct det_config *cfg, const struct trk_track *t)
{
    /* replies stopped: its altitude is the last reply's, not where it is now */
    return (t->flags & TRK_F_ALT) && !det_replies_stopped(cfg, t);
}

static size_t id_hash(const struct det *d, uint32_t id)
{
    return (size_t)((id * 0x9E3779B97F4A7C15ull) >> 17) & d->cmask;
}

/* Positions looked at on either side of the expected one before the map:
 * a track created or deleted since the previous picture shifts the tracks
 * after it by one. */
#define COURSE_NEAR 4

/* The position of id in the previous evaluation's memory within
 * COURSE_NEAR of position j (the expected one first, then j + 1, j - 1,
 * ...), or -1. */
static inline ptrdiff_t course_near(const struct course *prev, size_t pn, uint32_t id, ptrdiff_t j)
{
    if (j >= 0 && (size_t)j < pn && prev[j].id == id)
        return j;
    for (ptrdiff_t e = 1; e <= COURSE_NEAR; e++) {
        if (j + e >= 0 && (size_t)(j + e) < pn && prev[j + e].id == id)
            return j + e;
        if (j - e >= 0 && (size_t)(j - e) < pn && prev[j - e].id == id)
            return j - e;
    }
    return -1;
}

/* The previous evaluation's entry of track id, expected near position i,
 * or NULL: its course when ->has, else only its id (it was in that
 * picture without a course). */
static struct course *course_prev(struct det *d, uint32_t id, size_t i)
{
    struct course *prev = d->cpos[!d->cur];
    size_t pn = d->cpos_n[!d->cur];
    ptrdiff_t j = course_near(prev, pn, id, (ptrdiff_t)i + d->c_off);
    if (j >= 0) {
        d->c_off = j - (ptrdiff_t)i;
        return &prev[j];
    }
    if (id > d->cpos_max[!d->cur])
        return NULL; /* newer than every track of that picture: not in it */
    uint64_t gen = d->eval_no;
    if (d->cmap_gen != gen) { /* the first miss of this evaluation: map id -> position */
        for (size_t k = 0; k < pn; k++) {
            /* random slots of a table of megabytes: ask for one ahead */
            if (k + 16 < pn)
                __builtin_prefetch(&d->cmap[id_hash(d, prev[k + 16].id)], 1);
            if (!prev[k].id)
                continue;
            size_t h = id_hash(d, prev[k].id);
            while (d->cmap[h].gen == gen)
                h = (h + 1) & d->cmask;
            d->cmap[h] = (struct cmap_e){gen, prev[k].id, (uint32_t)k};
        }
        d->cmap_gen = gen;
    }
    for (size_t h = id_hash(d, id); d->cmap[h].gen == gen; h = (h + 1) & d->cmask)
        if (d->cmap[h].id == id) {
            d->c_off = (ptrdiff_t)d->cmap[h].pos - (ptrdiff_t)i;
            return &prev[d->cmap[h].pos];
        }
    return NULL;
}

/* Asks for the map slots course_prev (and course_new_seen) will read for
 * track id at position i, when it is not near where the last offset puts
 * it. */
static inline void course_ahead(const struct det *d, uint32_t id, size_t i)
{
    const struct course *prev = d->cpos[!d->cur];
    ptrdiff_t j = course_near(prev, d->cpos_n[!d->cur], id, (ptrdiff_t)i + d->c_off);
    if (j >= 0) {
        if (!prev[j].has) /* a track new to the live ones: course_new_seen */
            __builtin_prefetch(&d->cnew[id_hash(d, id)]);
        return;
    }
    size_t h = id_hash(d, id);
    if (id <= d->cpos_max[!d->cur])
        __builtin_prefetch(&d->cmap[h]);
    __builtin_prefetch(&d->cnew[h]);
}

/* 1 when id was seen earlier in this evaluation among the ids the
 * previous one did not have; records it otherwise. */
static int course_new_seen(struct det *d, uint32_t id)
{
    size_t h = id_hash(d, id);
    while (d->cnew[h].gen == d->eval_no) {
        if (d->cnew[h].id == id)
            return 1;
        h = (h + 1) & d->cmask;
    }
    d->cnew[h] = (struct cnew_e){d->eval_no, id};
    return 0;
}

/* 1 when t's course comes from radar plots alone: a radar fed it within
 * the last 30 s and no ADS-B, MLAT, TIS-B or system track did. */
static int radar_course(const struct trk_track *t)
{
    int64_t since = t->t_state_ms - 30000;
    int radar = 0, reported = 0;
    for (int k = 0; k < TRK_SOURCE_N; k++) {
        int64_t at = t->last_src_ms[k];
        if (at == 0 || at < since)
            continue;
        if (TRK_SRC_RADAR & TRK_SRC_BIT(k))
            radar = 1;
        else if (k != TRK_SOURCE_AIS)
            reported = 1;
    }
    return radar && !reported;
}

double det_course_diff(double a, double b)
{
    /* fmod is exact, and x itself when |x| < 360 (courses in [0, 360)) */
    double dd = a - b;
    if (!(dd > -360.0 && dd < 360.0))
        dd = fmod(dd, 360.0);
    if (dd > 180.0)
        dd -= 360.0;
    if (dd < -180.0)
        dd += 360.0;
    return dd;
}

/* Turn rate of track i from its course now and at an earlier state
 * (rad/s, + = clockwise, a right turn); records the course for the next
 * evaluation. A state that has not moved on by 0.5 s since the one
 * remembered (evaluations faster than the radar) keeps the remembered
 * state and rate. 0 unless the states are 0.5-30 s apart, the speed is
 * over 30 m/s and the rate is between turn_min_dps and 6 deg/s, and for a
 * course from radar plots alone unless the tracker's turn models outweigh
 * constant velocity (TRK_F_MANOEUVRE).
 * *ref: the course 30-60 s ago that differs most from the course now (a
 * turn the rate does not confirm, finished between two radar plots, shows
 * there), NAN when unknown or below 30 m/s. */

static double turn_rate(struct det *d, const struct trk_track *t, size_t i, uint8_t *cand,
                        double *ref)
{
    *cand = 0;
    *ref = NAN;
    struct course *c = &d->cpos[d->cur][i]; /* t's id and has 0 on entry */
    struct course *p = course_prev(d, t->id, i);
    if (p && !p->has)
        p = NULL; /* in the previous picture, without a course */
    /* the same id twice in one picture: the first occurrence only */
    if (p ? p->claimed == (uint32_t)d->eval_no : course_new_seen(d, t->id)) {
        c->id = 0;
        return 0.0;
    }
    if (p)
        p->claimed = (uint32_t)d->eval_no;
    int had = p != NULL; /* remembered from the previous evaluation */
    if (had && t->t_state_ms >= p->t_ms && t->t_state_ms - p->t_ms < 500) {
        *c = *p;
        *cand = p->on == 2;
        *ref = p->ref_far;
        return course_rate(p);
    }
    struct course *now = c;
    size_t s = 0;
    now[s].id = t->id;
    now[s].has = 1;
    now[s].deg = t->track_deg;
    now[s].t_ms = t->t_state_ms;
    now[s].sm = 0.0;
    now[s].on = 0;
    now[s].ref_far = NAN;
    int ok = had && isfinite(t->track_deg) && isfinite(p->deg) && t->gs_mps >= 30.0;
    /* the net change from a confirmed track's course only: a tentative
     * one's course is still settling from its first plots */
    if (ok && t->status != TRK_ST_TENTATIVE && isfinite(p->ref_deg[0]) &&
        t->t_state_ms >= p->t_ms - p->ref_age) {
        int64_t age = t->t_state_ms - (p->t_ms - p->ref_age);
        now[s].ref_deg[0] = p->ref_deg[0];
        now[s].ref_deg[1] = p->ref_deg[1];
        now[s].ref_age = (uint16_t)age; /* below COURSE_REF_MS, or a new period: */
        if (age >= COURSE_REF_MS) {
            now[s].ref_deg[1] = p->ref_deg[0];
            now[s].ref_deg[0] = t->track_deg;
            now[s].ref_age = 0;
        }
        double a = det_course_diff(t->track_deg, now[s].ref_deg[0]);
        double b =
            isfinite(now[s].ref_deg[1]) ? det_course_diff(t->track_deg, now[s].ref_deg[1]) : 0;
        now[s].ref_far = fabs(b) > fabs(a) ? now[s].ref_deg[1] : now[s].ref_deg[0];
        *ref = now[s].ref_far;
    } else { /* the first course known: the first period starts */
        int usable = isfinite(t->track_deg) && t->gs_mps >= 30.0 && t->status != TRK_ST_TENTATIVE;
        now[s].ref_deg[0] = usable ? t->track_deg : NAN;
        now[s].ref_deg[1] = NAN;
        now[s].ref_age = 0;
    }
    if (!ok)
        return 0.0;
    double dt = (double)(t->t_state_ms - p->t_ms) / 1000.0;
    if (dt < 0.5 || dt > 30.0)
        return 0.0;
    /* A course measured from radar plots alone wobbles by several degrees
     * at each plot (a fighter flying straight, seen by three radars: +-7
     * deg, readings of 1-6 deg/s over the second or so between two radars'
     * plots), and lags the turn's end and overshoots it (18 deg after a
     * 144-degree turn, settled 10-20 s later). The tracker weighs its turn
     * models against constant velocity on the same plots: such a course is
     * taken as turning only while they outweigh it (TRK_F_MANOEUVRE); its
     * readings start nothing otherwise, and a turn ends as soon as the
     * flag clears (vigilant-skies' RUAF-1, seeds 1-10: its ZONE approach
     * opens 10-12 s after the truth's turn ends, 12-30 s with the smoothed
     * rate's hysteresis alone). */
    int radar = radar_course(t);
    if (radar && !(t->flags & TRK_F_MANOEUVRE))
        return 0.0;
    double r = det_course_diff(t->track_deg, p->deg) / dt;
    if (fabs(r) > 6.0) /* beyond any aircraft's turn: a jump of the estimate */
        r = 0.0;
    /* The rate between two evaluations is noisy (a radar-only track's course
     * moves at each plot): once a turn is seen it is smoothed over about
     * three evaluations, and taken as a turn from turn_min_dps until it
     * falls below half of it, so a turn's hypothesis does not come and go
     * with the noise. A turn's first measurement is taken as it is. */
    int turning = p->on == 1;
    now[s].sm = turning ? p->sm + (r - p->sm) * 0.4 : r;
    double thr = turning ? 0.5 * d->cfg.turn_min_dps : d->cfg.turn_min_dps;
    now[s].on = fabs(now[s].sm) >= thr;
    /* A course measured from radar plots alone moves by the plots' noise
     * (a degree or more at each scan at range): one rate over the
     * threshold is only a candidate, taken as a turn when the next reading
     * turns the same way too (their mean then). A course the aircraft
     * reports (ADS-B, MLAT, a system track) is taken at its first reading. */
    if (now[s].on && !turning && radar) {
        if (p->on == 2 && (r > 0) == (p->sm > 0)) {
            now[s].sm = 0.5 * (p->sm + r);
            now[s].on = fabs(now[s].sm) >= thr;
        } else {
            now[s].on = 2;
            *cand = 1;
            return 0.0;
        }
    }
    /* A radar-measured turn whose smoothed rate a reading against it has
     * brought down (the course swinging back, 165-degree turns on a 10 s
     * radar) has not become straight: a reading over the threshold is a
     * candidate again, the start of the next turn if one follows. */
    if (turning && !now[s].on && radar && fabs(r) >= d->cfg.turn_min_dps) {
        now[s].sm = r;
        now[s].on = 2;
        *cand = 1;
        return 0.0;
    }
    if (now[s].on != 1)
        return 0.0;
    return course_rate(&now[s]);
}

/* Times (ms) the detector takes, now and a track's: far beyond any date
 * either way, so that the difference of two never overflows. */
#define DET_TIME_LIMIT_MS (INT64_C(1) << 52)

static int sane(const struct trk_track *t)
{
    return t->t_state_ms > -DET_TIME_LIMIT_MS && t->t_state_ms < DET_TIME_LIMIT_MS &&
           t->t_first_ms > -DET_TIME_LIMIT_MS && t->t_first_ms < DET_TIME_LIMIT_MS &&
           (!(t->ids & TRK_ID_SQUAWK) || t->squawk <= 07777) && isfinite(t->lat_deg) &&
           isfinite(t->lon_deg) && fabs(t->lat_deg) <= 90.0 && fabs(t->lon_deg) <= 180.0 &&
           isfinite(t->ve_mps) && isfinite(t->vn_mps) && fabs(t->ve_mps) < 3000.0 &&
           fabs(t->vn_mps) < 3000.0 && isfinite(t->gs_mps) && t->gs_mps >= 0 &&
           t->gs_mps < 3000.0 && isfinite(t->vrate_fpm) && fabs(t->vrate_fpm) < 100000.0 &&
           t->id != 0;
}

int det_evaluate(struct det *d, const struct trk_track *tracks, size_t n, int64_t now_ms)
{
    if (!d || (n && !tracks) || n > d->cfg.max_tracks)
        return CAIRN_E_INVAL;
    if ((d->evaluated && now_ms < d->last_now_ms) || now_ms <= -DET_TIME_LIMIT_MS ||
        now_ms >= DET_TIME_LIMIT_MS)
        return CAIRN_E_RANGE;
    d->evaluated = 1;
    d->last_now_ms = now_ms;
    d->eval_no++;
    d->stats.evaluations++;
    /* CLEARED -> FREE: readers saw them once (in slot order). */
    for (size_t w = 0; w < (d->cfg.max_alerts + 63) / 64; w++) {
        for (uint64_t bits = d->acleared[w]; bits; bits &= bits - 1) {
            size_t s = w * 64 + (size_t)__builtin_ctzll(bits);
            d->alerts[s].state = DET_ST_FREE;
            d->aused[w] &= ~(1ull << (s % 64));
            d->freelist[d->n_free++] = (uint32_t)s;
        }
        d->acleared[w] = 0;
    }
    d->cur = !d->cur;
    d->cpos_n[d->cur] = n;
    d->c_off = 0;
    uint32_t id_max = 0;
    double gs_max = 0.0, lon_ref = d->cfg.lon_ref_deg;
    size_t n_special = 0, n_vessels = 0;
    for (size_t i = 0; i < n; i++) {
        const struct trk_track *t = &tracks[i];
        if (i + 8 < n) { /* the track eight ahead: its first four lines */
            const char *a = (const char *)&tracks[i + 8];
            __builtin_prefetch(a);
            __builtin_prefetch(a + 64);
            __builtin_prefetch(a + 128);
            __builtin_prefetch(a + 192);
        }
        if (i + 4 < n)
            course_ahead(d, tracks[i + 4].id, i + 4);
        d->cpos[d->cur][i].id = t->id;
        d->cpos[d->cur][i].has = 0;
        id_max = t->id > id_max ? t->id : id_max;
        d->live[i] = 0;
        d->air[i] = 0;
        d->kind[i] = 0;
        if (t->status != TRK_ST_CONFIRMED && t->status != TRK_ST_COASTING)
            continue;
        if (!sane(t)) {
            d->stats.bad_tracks++;
            continue;
        }
        double dt = (double)(now_ms - t->t_state_ms) / 1000.0;
        if (dt < 0 || dt > 600.0)
            dt = dt < 0 ? 0 : 600.0;
        double ml, mo, cl = cos(t->lat_deg * (DET_PI / 180.0));
        m_per_cos(cl, &ml, &mo);
        /* the longitude in the detector's frame (lon_ref_deg; none: the
         * track's own, bit for bit) */
        double lon0 = lon_ref != 0.0 ? det_lon_wrap(t->lon_deg - lon_ref) : t->lon_deg;
        d->lat[i] = t->lat_deg + t->vn_mps * dt / ml;
        d->lon[i] = lon0 + (mo > 1.0 ? t->ve_mps * dt / mo : 0.0);
        if (d->lat[i] > 90.0 || d->lat[i] < -90.0 || d->lon[i] > 180.0 || d->lon[i] < -180.0) {
            d->lat[i] = t->lat_deg; /* no wrap: keep the estimate */
            d->lon[i] = lon0;
        }
        d->gs[i] = t->gs_mps;
        d->turn[i] = turn_rate(d, t, i, &d->turn_cand[i], &d->cref[i]);
        d->cdeg[i] = t->track_deg;
        if (d->lat[i] == t->lat_deg) { /* not moved north (dt = 0): the same scale */
            d->mlat[i] = ml;
            d->mlon[i] = mo;
        } else {
            cl = cos(d->lat[i] * (DET_PI / 180.0));
            m_per_cos(cl, &d->mlat[i], &d->mlon[i]);
        }
        int alt_ok = det_alt_known(&d->cfg, t);
        d->alt[i] = alt_ok ? (double)t->alt_ft : NAN;
        d->vrate[i] = alt_ok ? t->vrate_fpm : 0.0;
        d->ve[i] = t->ve_mps;
        d->vn[i] = t->vn_mps;
        d->sel[i] = (t->flags & TRK_F_SEL_ALT) && alt_ok ? (double)t->sel_alt_ft : NAN;
        d->tid[i] = t->id;
        d->kind[i] = t->kind;
        d->live[i] = 1;
        /* airborne aircraft, and primary-only tracks that move: slow
         * primary-only blobs are clutter until shown otherwise */
        d->air[i] = t->kind != TRK_KIND_VESSEL && !t->on_ground &&
                    (t->kind == TRK_KIND_AIRCRAFT || !(t->flags & TRK_F_SLOW));
        d->tv[i] = (struct det_tv){d->lat[i], d->lon[i], d->gs[i],  d->vrate[i], d->ve[i],
                                   d->vn[i],  cl,        t->alt_ft, t->id};
        d->tvf[i] = (uint8_t)((d->air[i] ? TV_AIR : 0u) | (alt_ok ? TV_ALT : 0u) |
                              (d->turn[i] != 0.0 || signbit(d->turn[i]) ? TV_TURN : 0u) |
                              (d->sel[i] == d->sel[i] ? TV_SEL : 0u));
        unsigned sq = (t->ids & TRK_ID_SQUAWK) ? (t->squawk & 07777u) : 0;
        if (sq == 07500 || sq == 07600 || sq == 07700 || t->emergency != 0 ||
            t->radio == TRK_TRI_NO || (t->flags & TRK_F_PLAN_DEV) || t->op_flags != 0 ||
            t->primary_only_scans >= d->cfg.no_xpdr_scans)
            d->special[n_special++] = (uint32_t)i;
        if (t->kind == TRK_KIND_VESSEL)
            d->vessels[n_vessels++] = (uint32_t)i;
        if (d->air[i] && t->gs_mps > gs_max)
            gs_max = t->gs_mps;
    }
    d->cpos_max[d->cur] = id_max;
    if (gs_max > d->cfg.max_speed_mps)
        gs_max = d->cfg.max_speed_mps;
    grid_build(d, n);
    for (size_t k = 0; k < d->grid.n; k++) {
        /* a gather from all over tv: ask for the line a few tracks ahead */
        if (k + 16 < d->grid.n)
            __builtin_prefetch(&d->tv[d->grid.order[k + 16]]);
        size_t i = d->grid.order[k];
        const struct det_tv *v = &d->tv[i];
        unsigned f = d->tvf[i];
        d->g_air[k] = (uint8_t)(f & TV_AIR);
        d->g_kind[k] = d->kind[i];
        d->g_id[k] = v->id;
        d->g_lat[k] = v->lat;
        d->g_lon[k] = v->lon;
        d->g_gs[k] = v->gs;
        d->g_alt[k] = (f & TV_ALT) ? (double)v->alt_ft : NAN;
        d->g_vrate[k] = v->vrate;
        d->g_ve[k] = v->ve;
        d->g_vn[k] = v->vn;
        m_per_cos(v->cos_lat, &d->g_mlat[k], &d->g_mlon[k]);
        d->g_turn[k] = (f & TV_TURN) ? d->turn[i] : 0.0;
        d->g_sel[k] = (f & TV_SEL) ? d->sel[i] : NAN;
    }
    struct det_ctx c = {
        .cfg = &d->cfg,
        .tracks = tracks,
        .n = n,
        .now_ms = now_ms,
        .live = d->live,
        .lat = d->lat,
        .lon = d->lon,
        .gs = d->gs,
        .turn_rps = d->turn,
        .turn_cand = d->turn_cand,
        .course_ref = d->cref,
        .course_deg = d->cdeg,
        .m_lat = d->mlat,
        .m_lon = d->mlon,
        .alt_ft = d->alt,
        .vrate_fpm = d->vrate,
        .air = d->air,
        .gs_max = gs_max,
        .ve = d->ve,
        .vn = d->vn,
        .sel_alt_ft = d->sel,
        .id = d->tid,
        .kind = d->kind,
        .g_lat = d->g_lat,
        .g_lon = d->g_lon,
        .g_gs = d->g_gs,
        .g_alt = d->g_alt,
        .g_vrate = d->g_vrate,
        .g_ve = d->g_ve,
        .g_vn = d->g_vn,
        .g_mlat = d->g_mlat,
        .g_mlon = d->g_mlon,
        .g_turn = d->g_turn,
        .g_sel = d->g_sel,
        .g_air = d->g_air,
        .g_kind = d->g_kind,
        .g_id = d->g_id,
        .special = d->special,
        .vessels = d->vessels,
        .n_special = n_special,
        .n_vessels = n_vessels,
        .scratch = d->scratch,
        .grid = &d->grid,
        .zones = d->zones,
        .low = &d->low,
        .form = &d->form,
        .man = &d->man,
        .eval_no = d->eval_no,
        .det = d,
        .stats = &d->stats,
    };
    int rc = 0;
    for (size_t r = 0; r < sizeof rules / sizeof rules[0]; r++) {
        int e = rules[r]->evaluate(&c);
        if (e && !rc)
            rc = e;
    }
    /* Absent conditions: clear after the hold. */
    for (size_t w = 0; w < (d->cfg.max_alerts + 63) / 64; w++) {
        for (uint64_t bits = d->aused[w]; bits; bits &= bits - 1) {
            size_t s = w * 64 + (size_t)__builtin_ctzll(bits);
            if (d->seen_eval[s] == d->eval_no) /* reported: its alert not read */
                continue;
            struct det_alert *a = &d->alerts[s];
            if (a->state != DET_ST_OPEN && a->state != DET_ST_UPDATED)
                continue;
            a->absent_evals++;
            if (a->absent_evals >= d->cfg.hold_evals && now_ms - a->t_seen_ms >= d->cfg.hold_ms) {
                unindex(d, s);
                a->state = DET_ST_CLEARED;
                d->acleared[s / 64] |= 1ull << (s % 64);
                a->t_change_ms = now_ms;
                d->stats.cleared++;
                notify(d, a);
            }
        }
    }
    return rc;
}

/* -------------------------------------------------------------- views */

const struct det_alert *det_next(const struct det *d, size_t *cursor)
{
    while (*cursor < d->cfg.max_alerts) {
        size_t s = *cursor, w = s / 64;
        uint64_t bits = d->aused[w] & (~0ull << (s % 64)); /* slots s.. of this word */
        if (!bits) {
            *cursor = (w + 1) * 64;
            continue;
        }
        s = w * 64 + (size_t)__builtin_ctzll(bits);
        if (s >= d->cfg.max_alerts)
            break;
        *cursor = s + 1;
        if (d->alerts[s].state != DET_ST_FREE)
            return &d->alerts[s];
    }
    return NULL;
}

size_t det_count(const struct det *d)
{
    size_t k = 0;
    for (size_t w = 0; w < (d->cfg.max_alerts + 63) / 64; w++)
        for (uint64_t bits = d->aused[w]; bits; bits &= bits - 1) {
            size_t s = w * 64 + (size_t)__builtin_ctzll(bits);
            k += d->alerts[s].state == DET_ST_OPEN || d->alerts[s].state == DET_ST_UPDATED;
        }
    return k;
}

const struct det_stats *det_stats(const struct det *d)
{
    return &d->stats;
}

int det_check(const struct det *d)
{
    for (size_t s = 0; s < d->cfg.max_alerts; s++) {
        const struct det_alert *a = &d->alerts[s];
        int used = (d->aused[s / 64] >> (s % 64)) & 1;
        if (used != (a->state != DET_ST_FREE))
            return CAIRN_E_STATE; /* the bitmap of slots in use */
        if ((int)((d->acleared[s / 64] >> (s % 64)) & 1) != (a->state == DET_ST_CLEARED))
            return CAIRN_E_STATE; /* the bitmap of cleared slots */
        if (a->state == DET_ST_FREE)
            continue;
        if (a->id == 0 || a->id >= d->next_id)
            return CAIRN_E_STATE; /* D1 */
        for (size_t u = s + 1; u < d->cfg.max_alerts; u++)
            if (d->alerts[u].state != DET_ST_FREE && d->alerts[u].id == a->id)
                return CAIRN_E_STATE; /* D1 */
        const struct det_alert *f = find_alert(d, a->rule, a->key);
        int live = a->state == DET_ST_OPEN || a->state == DET_ST_UPDATED;
        if (live ? f != a : f == a)
            return CAIRN_E_STATE; /* D2 */
        if (a->state == DET_ST_CLEARED && a->t_change_ms - a->t_seen_ms < d->cfg.hold_ms)
            return CAIRN_E_STATE; /* D4 */
        if (a->t_open_ms > a->t_seen_ms || a->t_open_ms > a->t_change_ms)
            return CAIRN_E_STATE; /* D5 */
    }
    return 0;
}

void det_set_zones(struct det *d, const struct geo_zones *zones)
{
    d->zones = zones;
}

const char *det_rule_name(unsigned rule)
{
    for (size_t r = 0; r < sizeof rules / sizeof rules[0]; r++)
        if (rules[r]->id == rule)
            return rules[r]->name;
    if (rule == DET_RULE_NOTICE)
        return "NOTICE";
    if (rule == DET_RULE_COMPLIANCE)
        return "COMPLIANCE";
    return "?";
}

const char *det_severity_name(unsigned sev)
{
    static const char *const n[] = {"?", "INFO", "CAUTION", "WARNING", "ALERT"};
    return sev < 5 ? n[sev] : "?";
}

const char *det_state_name(unsigned st)
{
    static const char *const n[] = {"FREE", "OPEN", "UPDATED", "CLEARED"};
    return st < 4 ? n[st] : "?";
}
