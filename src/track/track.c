/*
 * track.c — the track table: identity and gated association, global
 * nearest neighbour per cluster, IMM state per track, lifecycle, grid.
 *
 * The contract, the lifecycle diagram and the invariants T1-T10 are in
 * track.h; the filter in imm.h; the assignment in assign.h. This file
 * explains its own mechanics where they happen:
 *
 *  - Local plane of a track: an equirectangular projection centred on the
 *    track's origin (east = dlon * N cos(lat0), north = dlat * M, with the
 *    WGS-84 radii of curvature at the origin). It maps lat/lon to metres
 *    and back exactly; its scale is right within 0.3 % inside 20 km of the
 *    origin, and the origin moves to the track (trk_imm_remap) whenever the
 *    track strays 20 km from it, so the filter always works in true metres
 *    to that accuracy. No trigonometry per measurement.
 *  - Grid: a cell is cell_deg of latitude high; each row of cells is cut
 *    into n_lon cells of about the same width in metres (rows near the
 *    poles have fewer, wider cells). Cells are hashed into a bucket array
 *    of doubly linked track lists; a track sits in the cell of its last
 *    estimate (or its prediction at the last tick).
 *  - Identity index: open addressing with linear probing and
 *    backward-shift deletion, keys tagged by kind (ICAO, MMSI, track id).
 */
#include "track/track.h"

#include <assert.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__) && defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "base/error.h"
#include "track/assign.h"
#include "track/imm.h"

#define DEG2RAD  (M_PI / 180.0)
#define WGS84_A  6378137.0
#define WGS84_E2 (2.0 / 298.257223563 - 1.0 / (298.257223563 * 298.257223563))

/* The plane is re-anchored when the track is this far from its origin:
 * the equirectangular scale error grows as (distance / R) * tan(lat), 0.3 %
 * at 20 km and 60 degrees. */
#define REANCHOR_M 20000.0

/* Gated pairs kept per measurement (the lowest costs). More than 8 tracks
 * within the gate of one plot means a cluster the GNN cannot sort out
 * anyway. */
#define PAIRS_PER_MEAS 8

/* Rows ahead whose identity index entry is prefetched (about the number
 * of cache misses a core keeps in flight). */
#define PREFETCH_AHEAD 8

/* Slots ahead whose lines trk_tick and trk_snapshot prefetch: these loops
 * spend little time on a slot and mostly wait on memory, so the lines of
 * many slots must be on their way at once (bench_picture split, 120k
 * tracks, alternated under load 8-9: trk_tick 5.8-6.3 ms with 4 ahead,
 * 4.4-4.9 with 16; 32 no better). */
#define SCAN_AHEAD 16

/* Candidates examined per measurement from the grid (before gating). */
#define CAND_MAX 256

/* Cost added when a Mode 3/A code differs from the track's: about the
 * chi-square of 2.5 sigma, so a plot with the right code wins a close call
 * but a changed code (the pilot was told to squawk another) still
 * associates. */
#define SQUAWK_PENALTY 6.0

/* Cost added when none of the plot's sources ever fed the track (a primary
 * plot and a track of AIS reports alone): the same 2.5 sigma, so that in a
 * close call the plot goes to the track its kind of sensor already follows.
 * Measured on baltic-sea (seeds 17, 19): LOWPASS, primary-only, passing
 * over the warship, a ship the radar never reported (below its horizon),
 * had its plot at the pass taken by the warship's AIS track (d^2 0.55 to
 * its own track, less to the ship's), and its track coasted 40 s through
 * the pass. A ship entering a radar's cover still takes its first plot:
 * the cost only decides between tracks. */
#define SOURCE_PENALTY 6.0

/* The "no track" column of the assignment costs more than any gated pair
 * (the wide init_chi2 gate of a track that missed an update, plus both
 * penalties), so the solver first matches as many plots as the gates
 * allow. */
#define NO_TRACK_MARGIN 50.0

/* An identity match this far outside the gate (d^2; 100 sigma) and more
 * than ID_JUMP_M away is not filtered but restarts the track at the
 * measurement: a wrongly adopted identity or a corrupt position. */
#define ID_JUMP_CHI2 1e4
#define ID_JUMP_M    20000.0

/* Two pressure altitudes further apart than this (plus the climb the
 * track's vertical rate explains) are not the same aircraft. 1,500 ft
 * allows Mode C's 100 ft steps and a level-off overshoot. */
#define ALT_GATE_FT 1500.0

/* A selected altitude not heard again for this long is forgotten
 * (TRK_F_SEL_ALT cleared at trk_tick): ADS-B target state comes every
 * 1.25 s and an enhanced-surveillance radar reads BDS 4,0 every scan
 * (4-12 s), so 30 s is several missed refreshes; an old value may no longer
 * be what the crew has set, and SEPARATION's level-off hypothesis trusts
 * it. Selected altitudes outside this range (ft) are refused: the fields
 * encode 0-65,520 ft. */
#define SEL_ALT_TTL_MS 30000
#define SEL_ALT_MIN_FT (-2000)
#define SEL_ALT_MAX_FT 70000

/* Learnt intervals are clamped to this range, ms. */
#define INTERVAL_MIN_MS 200
#define INTERVAL_MAX_MS 600000

/* Default update interval per source before one is learnt, ms: an
 * unconfigured radar is taken as en-route (12 s) so that its tracks are
 * not coasted or dropped too early; ADS-B and MLAT about 1 s; AIS 10 s
 * (a ship under way; at anchor it is learnt as 180 s). */
static const int32_t default_interval_ms[TRK_SOURCE_N] = {
    [TRK_SOURCE_PSR] = 12000, [TRK_SOURCE_SSR] = 12000, [TRK_SOURCE_MODES] = 12000,
    [TRK_SOURCE_ADSB] = 1000, [TRK_SOURCE_MLAT] = 1000, [TRK_SOURCE_AIS] = 10000,
    [TRK_SOURCE_SDPS] = 5000, [TRK_SOURCE_TISB] = 5000,
};

#define MAX_SENSORS 64

/* IMM steps kept (trk_imm_step_make: an exp and a sincos each), by kind and
 * interval in ms: reports of a sensor come at a few intervals (ADS-B about
 * 1 s, a radar its period, a plot right after the squitter of the same
 * second 0), so most updates find theirs made. A power of 2. */
#define STEP_CACHE 64

/* IMM tuning per kind (index enum trk_kind). Aircraft: rate-one turns
 * (3 deg/s), 0.5 m/s^2 of unmodelled acceleration on straight legs.
 * Vessels: 1 deg/s turns, 0.05 m/s^2. Unknown (primary only): as aircraft,
 * the faster of the two. */
static const struct trk_imm_params imm_params[3] = {
    [TRK_KIND_UNKNOWN] = {0.5, 2.0, 3.0 * DEG2RAD, 30.0},
    [TRK_KIND_AIRCRAFT] = {0.5, 2.0, 3.0 * DEG2RAD, 30.0},
    [TRK_KIND_VESSEL] = {0.05, 0.2, 1.0 * DEG2RAD, 120.0},
};
/* Initial velocity uncertainty when the measurement has none, m/s. */
static const double sigma_v0[3] = {250.0, 250.0, 15.0};

enum { KEY_ICAO = 1, KEY_MMSI = 2, KEY_ID = 3 };

/*
 * A track's slot: 1,024 bytes, aligned to cache lines. The tracker is
 * bound by the memory it moves: an update reads and writes most of a
 * slot, trk_tick reads a few lines of every slot and trk_snapshot the
 * public part. So the slot is kept small (imm.h stores lower triangles)
 * and what trk_tick reads besides pub lies in the two lines after pub
 * (period_ms .. k_lon, then f.xc), so that it reads four lines of a slot:
 * pub's first and third (status, times; counters, transponder) and these.
 */
struct slot {
    struct trk_track pub;
    /* track_period() and last_coop_ms() of pub, which change only with an
     * update (note_update sets them): trk_tick reads these instead of the
     * sensors and sources, beside the other fields it reads */
    int64_t period_ms __attribute__((aligned(64))), coop_ms;
    int64_t window_end_ms;           /* M-of-N window (TRK_F_PLOT_BORN) */
    int64_t t_sel_alt_ms;            /* time of sel_alt_ft */
    double lat0, lon0, k_lat, k_lon; /* plane origin, m per degree */
    struct trk_imm f;                /* f.xc first */
    int64_t t_alt_ms;
    int64_t t_trail_ms;
    uint16_t trail_head, trail_n;
    uint32_t stamp; /* batch in which first/col are valid */
    int32_t first;  /* first measurement of the batch gated to this track */
    uint32_t mark;  /* cluster in which col is valid */
    int32_t col;
} __attribute__((aligned(64)));
_Static_assert(sizeof(struct slot) == 1024, "a slot is 16 cache lines");
_Static_assert(offsetof(struct slot, f.xc) == offsetof(struct slot, period_ms) + 64,
               "trk_tick's members: two lines");

struct pair {
    int32_t slot;
    double cost;
};

struct mwork {
    double R[4], Rv[4];
    double az_s, az_c; /* sine and cosine of a polar plot's az_deg (prepare) */
    int32_t parent;    /* union-find */
    int32_t next;      /* cluster list */
    int32_t head;      /* the slot assigned by the cluster's solution, -1 none */
    double min_d2;     /* smallest d^2 to any possible track, in or out of the gate */
    uint8_t state;     /* W_* */
    uint8_t n_pairs;
    struct pair pairs[PAIRS_PER_MEAS];
};
enum { W_REJECTED = 0, W_DONE = 1, W_PENDING = 2 };

struct sensor_cfg {
    uint32_t id;
    int32_t period_ms;
};

struct trk_table {
    struct trk_config cfg;
    struct slot *slots; /* slots_mem, aligned to 64 bytes */
    void *slots_mem;
    size_t cap, live;
    int32_t *free_list;
    size_t n_free;
    uint32_t next_id;
    struct trk_point *trail; /* cap * trail_len */
    /* identity index */
    uint64_t *ient; /* key << 24 | slot, 0 = empty (IDX_* below) */
    size_t imask;
    /* grid: per slot, its cell and its bucket list (-1 = end), apart from
     * the slots so that a search walks 16-byte entries, not 1 KB slots */
    struct gnode {
        uint64_t cell;
        int32_t next, prev;
    } * gnode;
    int32_t *gheads;
    size_t gmask;
    int n_rows;
    double *row_lon_cell; /* degrees of longitude per cell, per row */
    int32_t *row_n_lon;
    double *row_cos_min; /* cos of the row's latitude nearest a pole */
    /* batch scratch */
    struct mwork *w;
    int32_t *cand;
    uint32_t stamp, mark;
    double cost[TRK_ASSIGN_MAX * 2 * TRK_ASSIGN_MAX];
    int32_t rows[TRK_ASSIGN_MAX + 1], cols[TRK_ASSIGN_MAX + 1];
    int row_col[TRK_ASSIGN_MAX];
    struct sensor_cfg sensors[MAX_SENSORS];
    size_t n_sensors;
    /* the same by id: open addressing over 2 x MAX_SENSORS buckets (slot + 1,
     * 0 empty), since every update of a track looks its sensor up */
    uint8_t sensor_at[2 * MAX_SENSORS];
    /* recent IMM steps, direct-mapped by (dt_ms, kind); dt_ms -1: empty */
    struct step_entry {
        int64_t dt_ms;
        int kind;
        struct trk_imm_step st;
    } steps[STEP_CACHE];
    struct trk_stats stats;
};

/* ------------------------------------------------------------ config */

void trk_config_default(struct trk_config *c)
{
    memset(c, 0, sizeof *c);
    c->max_tracks = 10000;
    c->trail_len = 32;
    c->trail_every_ms = 4000; /* one point per approach-radar scan */
    c->max_batch = 1024;
    c->gate_chi2 = 18.4;   /* 2 degrees of freedom, 99.99 %: a plot in 10,000 misses its gate */
    c->init_chi2 = 100.0;  /* 10 sigma: closer plots start no track (they missed a gate) */
    c->search_m = 10000.0; /* noise at 250 NM (3.7 x 640 m) plus 12 s of 600 kt */
    c->cell_deg = 0.1;     /* 11 km: a search touches 3 x 3 cells */
    c->confirm_m = 3;      /* 3 of 5 scans: the classic primary-plot rule */
    c->confirm_n = 5;
    c->no_xpdr_scans = 3;        /* a missed reply is one scan; three in a row is a pattern */
    c->slow_mps = 15.0;          /* 30 kt: below any fixed-wing aircraft in flight */
    c->aircraft_mps = 51.4;      /* 100 kt: above any ship or boat in service */
    c->oos_ms = 2000;            /* late plots of a radar sector, a slow network */
    c->future_ms = 5000;         /* clocks a few seconds apart */
    c->min_life_air_ms = 20000;  /* 20 s: an ADS-B track through a coverage hole */
    c->min_life_sea_ms = 600000; /* 10 min: three missed 3-minute AIS reports */
}

static int config_ok(const struct trk_config *c)
{
    return c->max_tracks >= 1 && c->max_tracks <= (1u << 24) && c->trail_len <= 4096 &&
           c->trail_every_ms >= 0 && c->max_batch >= 1 && c->max_batch <= (1u << 20) &&
           c->gate_chi2 > 0.0 && c->gate_chi2 < 1e6 && c->init_chi2 >= 0.0 && c->init_chi2 < 1e6 &&
           c->search_m > 0.0 && c->search_m <= 200000.0 && c->cell_deg >= 0.01 &&
           c->cell_deg <= 10.0 && c->confirm_m >= 1 && c->confirm_n >= c->confirm_m &&
           c->confirm_n <= 1000 && c->no_xpdr_scans >= 1 && c->no_xpdr_scans < 60000 &&
           c->slow_mps >= 0.0 && c->aircraft_mps > c->slow_mps && c->oos_ms >= 0 &&
           c->future_ms >= 0 && c->min_life_air_ms > 0 && c->min_life_sea_ms > 0;
}

/*
 * Ask for huge pages (2 MiB on x86-64) under the large tables: an update
 * reads a slot, an identity entry, a grid node and a trail point, each at
 * a random place in tables of 8-150 MB at 100k tracks, and with 4 KiB
 * pages nearly every one of those is a miss of the TLB as well, whose page
 * walk the prefetches ahead wait for (they are the hot instructions of
 * ingest_run without this). Only whole huge pages inside the block are
 * advised; the pages of a calloc'd block stay untouched until used, so
 * the resident size grows by at most the rounding to 2 MiB of what is
 * used. A hint: without it (another system, or the kernel's THP off) the
 * tracker is the same, only slower.
 */
#define HUGE_PAGE ((uintptr_t)2 << 20)

static void advise_huge(void *p, size_t len)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    uintptr_t a = ((uintptr_t)p + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
    uintptr_t e = ((uintptr_t)p + len) & ~(HUGE_PAGE - 1);
    if (p && e > a)
        (void)madvise((void *)a, e - a, MADV_HUGEPAGE);
#else
    (void)p;
    (void)len;
#endif
}

static size_t pow2_at_least(size_t n)
{
    size_t p = 1;
    while (p < n)
        p <<= 1;
    return p;
}

/* ------------------------------------------------------------ new/free */

int trk_new(const struct trk_config *cfg, struct trk_table **out)
{
    struct trk_config def;
    if (!cfg) {
        trk_config_default(&def);
        cfg = &def;
    }
    *out = NULL;
    if (!config_ok(cfg))
        return CAIRN_E_INVAL;
    struct trk_table *t = calloc(1, sizeof *t);
    if (!t)
        return CAIRN_E_NOMEM;
    t->cfg = *cfg;
    t->cap = cfg->max_tracks;
    t->imask = pow2_at_least(4 * t->cap) - 1;
    t->gmask = pow2_at_least(t->cap < 1024 ? 1024 : t->cap) - 1;
    t->n_rows = (int)ceil(180.0 / cfg->cell_deg);
    /* calloc (the pages of slots never used stay untouched), aligned by
     * hand: aligned_alloc would have to be cleared */
    t->slots_mem = calloc(t->cap + 1, sizeof *t->slots);
    if (t->slots_mem)
        t->slots = (struct slot *)(((uintptr_t)t->slots_mem + 63) & ~(uintptr_t)63);
    t->free_list = calloc(t->cap, sizeof *t->free_list);
    t->ient = calloc(t->imask + 1, sizeof *t->ient);
    t->gheads = malloc((t->gmask + 1) * sizeof *t->gheads);
    t->gnode = calloc(t->cap, sizeof *t->gnode);
    t->row_lon_cell = calloc((size_t)t->n_rows, sizeof *t->row_lon_cell);
    t->row_n_lon = calloc((size_t)t->n_rows, sizeof *t->row_n_lon);
    t->row_cos_min = calloc((size_t)t->n_rows, sizeof *t->row_cos_min);
    t->w = calloc(cfg->max_batch, sizeof *t->w);
    t->cand = calloc(CAND_MAX, sizeof *t->cand);
    if (cfg->trail_len)
        t->trail = calloc(t->cap * cfg->trail_len, sizeof *t->trail);
    if (!t->slots || !t->free_list || !t->ient || !t->gheads || !t->gnode || !t->row_lon_cell ||
        !t->row_n_lon || !t->row_cos_min || !t->w || !t->cand || (cfg->trail_len && !t->trail)) {
        trk_free(t);
        return CAIRN_E_NOMEM;
    }
    advise_huge(t->slots_mem, (t->cap + 1) * sizeof *t->slots);
    advise_huge(t->ient, (t->imask + 1) * sizeof *t->ient);
    advise_huge(t->gnode, t->cap * sizeof *t->gnode);
    if (t->trail)
        advise_huge(t->trail, t->cap * cfg->trail_len * sizeof *t->trail);
    for (size_t i = 0; i < t->cap; i++)
        t->free_list[i] = (int32_t)(t->cap - 1 - i); /* slot 0 first */
    t->n_free = t->cap;
    for (size_t i = 0; i <= t->gmask; i++)
        t->gheads[i] = -1;
    for (size_t i = 0; i < STEP_CACHE; i++)
        t->steps[i].dt_ms = -1;
    for (int r = 0; r < t->n_rows; r++) {
        double lo = -90.0 + r * cfg->cell_deg, hi = lo + cfg->cell_deg;
        if (hi > 90.0)
            hi = 90.0;
        double mid = 0.5 * (lo + hi);
        double cmid = cos(mid * DEG2RAD), cmin = fmin(cos(lo * DEG2RAD), cos(hi * DEG2RAD));
        /* cells about as wide as high; at most 360 degrees */
        double lc = cfg->cell_deg / fmax(cmid, cfg->cell_deg / 360.0);
        int n_lon = (int)ceil(360.0 / lc);
        if (n_lon < 1)
            n_lon = 1;
        t->row_lon_cell[r] = 360.0 / n_lon;
        t->row_n_lon[r] = n_lon;
        t->row_cos_min[r] = fmax(cmin, 1e-6);
    }
    *out = t;
    return 0;
}

void trk_free(struct trk_table *t)
{
    if (!t)
        return;
    free(t->slots_mem);
    free(t->free_list);
    free(t->ient);
    free(t->gheads);
    free(t->gnode);
    free(t->row_lon_cell);
    free(t->row_n_lon);
    free(t->row_cos_min);
    free(t->w);
    free(t->cand);
    free(t->trail);
    free(t);
}

static size_t sensor_bucket(uint32_t id)
{
    return (size_t)((id * 0x9E3779B1u) >> 24) & (2 * MAX_SENSORS - 1);
}

int trk_sensor_set(struct trk_table *t, uint32_t sensor_id, int32_t period_ms)
{
    if (period_ms < 100 || period_ms > 3600000)
        return CAIRN_E_INVAL;
    size_t b = sensor_bucket(sensor_id);
    for (; t->sensor_at[b]; b = (b + 1) & (2 * MAX_SENSORS - 1))
        if (t->sensors[t->sensor_at[b] - 1].id == sensor_id) {
            t->sensors[t->sensor_at[b] - 1].period_ms = period_ms;
            return 0;
        }
    if (t->n_sensors == MAX_SENSORS)
        return CAIRN_E_FULL;
    t->sensors[t->n_sensors].id = sensor_id;
    t->sensors[t->n_sensors].period_ms = period_ms;
    t->n_sensors++;
    t->sensor_at[b] = (uint8_t)t->n_sensors; /* never full: at most half the buckets */
    return 0;
}

/* Configured period of a sensor, or 0. */
static int32_t sensor_period(const struct trk_table *t, uint32_t id)
{
    for (size_t b = sensor_bucket(id); t->sensor_at[b]; b = (b + 1) & (2 * MAX_SENSORS - 1))
        if (t->sensors[t->sensor_at[b] - 1].id == id)
            return t->sensors[t->sensor_at[b] - 1].period_ms;
    return 0;
}

static int32_t default_period(const struct trk_table *t, const struct trk_meas *m)
{
    int32_t p = sensor_period(t, m->sensor_id);
    if (p)
        return p;
    for (int s = 0; s < TRK_SOURCE_N; s++)
        if (m->src_mask & TRK_SRC_BIT(s)) {
            if (default_interval_ms[s] > p)
                p = default_interval_ms[s];
        }
    return p ? p : 5000;
}

/* ------------------------------------------------------------ identity index */

static size_t ihash(const struct trk_table *t, uint64_t key)
{
    return (size_t)((key * 0x9E3779B97F4A7C15ull) >> 32) & t->imask;
}

static uint64_t ikey(int tag, uint32_t v)
{
    return ((uint64_t)tag << 32) | v;
}

/* An entry holds its key (34 bits: tag and value) and its slot (24 bits:
 * max_tracks <= 2^24) in one word, so that a lookup reads one line. A key
 * has a non-zero tag: no entry is 0. */
#define IDX_SLOT_BITS 24
static uint64_t ient_key(uint64_t e)
{
    return e >> IDX_SLOT_BITS;
}

static int32_t idx_get(const struct trk_table *t, uint64_t key)
{
    for (size_t i = ihash(t, key);; i = (i + 1) & t->imask) {
        uint64_t e = t->ient[i];
        if (ient_key(e) == key)
            return (int32_t)(e & ((1u << IDX_SLOT_BITS) - 1));
        if (e == 0)
            return -1;
    }
}

/* The table holds at most 3 keys per slot in 4 x cap entries: never full. */
static void idx_put(struct trk_table *t, uint64_t key, int32_t slot)
{
    size_t i = ihash(t, key);
    while (t->ient[i] != 0 && ient_key(t->ient[i]) != key)
        i = (i + 1) & t->imask;
    t->ient[i] = key << IDX_SLOT_BITS | (uint32_t)slot;
}

static void idx_del(struct trk_table *t, uint64_t key)
{
    size_t i = ihash(t, key);
    while (ient_key(t->ient[i]) != key) {
        if (t->ient[i] == 0)
            return;
        i = (i + 1) & t->imask;
    }
    /* Backward shift: move later entries of the probe run into the hole
     * unless their home lies cyclically in (hole, entry]. */
    size_t j = i;
    for (;;) {
        j = (j + 1) & t->imask;
        if (t->ient[j] == 0)
            break;
        size_t k = ihash(t, ient_key(t->ient[j]));
        bool stays = (i <= j) ? (i < k && k <= j) : (i < k || k <= j);
        if (stays)
            continue;
        t->ient[i] = t->ient[j];
        i = j;
    }
    t->ient[i] = 0;
}

/* ------------------------------------------------------------ grid */

static int grid_row(const struct trk_table *t, double lat)
{
    int r = (int)floor((lat + 90.0) / t->cfg.cell_deg);
    return r < 0 ? 0 : (r >= t->n_rows ? t->n_rows - 1 : r);
}

static int grid_col(const struct trk_table *t, int row, double lon)
{
    int n = t->row_n_lon[row];
    int c = (int)floor((lon + 180.0) / t->row_lon_cell[row]);
    if (c >= 0 && c < n) /* the usual case: no division */
        return c;
    c %= n;
    return c < 0 ? c + n : c;
}

static uint64_t cell_key(int row, int col)
{
    return ((uint64_t)(uint32_t)row << 32) | (uint32_t)col;
}

static size_t gbucket(const struct trk_table *t, uint64_t key)
{
    return (size_t)(((key + 1) * 0x9E3779B97F4A7C15ull) >> 32) & t->gmask;
}

static void grid_unlink(struct trk_table *t, int32_t s)
{
    struct gnode *p = &t->gnode[s];
    if (p->prev >= 0)
        t->gnode[p->prev].next = p->next;
    else
        t->gheads[gbucket(t, p->cell)] = p->next;
    if (p->next >= 0)
        t->gnode[p->next].prev = p->prev;
    p->next = p->prev = -1;
}

static void grid_link(struct trk_table *t, int32_t s, uint64_t key)
{
    struct gnode *p = &t->gnode[s];
    size_t b = gbucket(t, key);
    p->cell = key;
    p->prev = -1;
    p->next = t->gheads[b];
    if (p->next >= 0)
        t->gnode[p->next].prev = s;
    t->gheads[b] = s;
}

/* Margin, in cells, of grid_move's test without divisions: a quotient
 * computed with a relative error of 2^-52 and this far inside a cell's
 * edges floors to that cell. */
#define CELL_INSIDE 1e-6

static void grid_move(struct trk_table *t, int32_t s, double lat, double lon)
{
    /* Most moves stay in the cell: when (lat, lon) is surely inside it,
     * grid_row and grid_col (two divisions) would give the same key. */
    uint64_t cur = t->gnode[s].cell;
    int row0 = (int)(cur >> 32), col0 = (int)(uint32_t)cur;
    double x = lat + 90.0, y = lon + 180.0, h = t->cfg.cell_deg, w = t->row_lon_cell[row0];
    if (x >= (row0 + CELL_INSIDE) * h && x <= (row0 + 1 - CELL_INSIDE) * h &&
        y >= (col0 + CELL_INSIDE) * w && y <= (col0 + 1 - CELL_INSIDE) * w)
        return;
    int row = grid_row(t, lat);
    uint64_t key = cell_key(row, grid_col(t, row, lon));
    if (key == t->gnode[s].cell)
        return;
    grid_unlink(t, s);
    grid_link(t, s, key);
}

/* Slots of live tracks in the cells within radius_m of (lat, lon), into
 * t->cand; returns how many (at most CAND_MAX). */
static size_t grid_query(struct trk_table *t, double lat, double lon, double radius_m)
{
    size_t n = 0;
    double dlat = radius_m / 111000.0;
    int r0 = grid_row(t, lat - dlat), r1 = grid_row(t, lat + dlat);
    for (int r = r0; r <= r1; r++) {
        int n_lon = t->row_n_lon[r];
        double dlon = radius_m / (111320.0 * t->row_cos_min[r]);
        int c0 = (int)floor((lon - dlon + 180.0) / t->row_lon_cell[r]);
        int c1 = (int)floor((lon + dlon + 180.0) / t->row_lon_cell[r]);
        if (c1 - c0 + 1 >= n_lon) {
            c0 = 0;
            c1 = n_lon - 1;
        }
        for (int c = c0; c <= c1; c++) {
            int cc = c % n_lon;
            if (cc < 0)
                cc += n_lon;
            uint64_t key = cell_key(r, cc);
            for (int32_t s = t->gheads[gbucket(t, key)]; s >= 0; s = t->gnode[s].next) {
                if (t->gnode[s].cell != key)
                    continue;
                if (n == CAND_MAX)
                    return n;
                t->cand[n++] = s;
            }
        }
    }
    return n;
}

/* ------------------------------------------------------------ plane */

static void plane_init(struct slot *p, double lat, double lon)
{
    double sl = sin(lat * DEG2RAD), cl = cos(lat * DEG2RAD);
    double q = 1.0 - WGS84_E2 * sl * sl;
    double N = WGS84_A / sqrt(q), M = WGS84_A * (1.0 - WGS84_E2) / (q * sqrt(q));
    p->lat0 = lat;
    p->lon0 = lon;
    p->k_lat = M * DEG2RAD;
    p->k_lon = fmax(N * cl * DEG2RAD, 1.0); /* 1 m per degree at a pole: no division by 0 */
}

/* lon difference in [-180, 180] (both inputs within [-180, 180]) */
static double dlon(double a, double b)
{
    double d = a - b;
    return d > 180.0 ? d - 360.0 : d < -180.0 ? d + 360.0 : d;
}

static void to_plane(const struct slot *p, double lat, double lon, double z[2])
{
    z[0] = dlon(lon, p->lon0) * p->k_lon;
    z[1] = (lat - p->lat0) * p->k_lat;
}

static void from_plane(const struct slot *p, double e, double n, double *lat, double *lon)
{
    double la = p->lat0 + n / p->k_lat;
    if (la > 90.0)
        la = 90.0;
    if (la < -90.0)
        la = -90.0;
    *lat = la;
    /* any number of turns: near a pole a metre east is up to a degree (k_lon
     * >= 1 m per degree); below 540 degrees remainder() is exactly the one
     * subtraction of 360 it replaces */
    double lo = p->lon0 + e / p->k_lon;
    *lon = lo > 180.0 || lo < -180.0 ? remainder(lo, 360.0) : lo;
}

static void reanchor(struct slot *p)
{
    if (fabs(p->f.xc[0]) < REANCHOR_M && fabs(p->f.xc[1]) < REANCHOR_M)
        return;
    double lat, lon;
    from_plane(p, p->f.xc[0], p->f.xc[1], &lat, &lon);
    double olat = p->lat0, olon = p->lon0, okl = p->k_lon, okp = p->k_lat;
    plane_init(p, lat, lon);
    /* e' = (e / k_lon0 + lon0 - lon1) k_lon1, n' = (n / k_lat0 + lat0 - lat1) k_lat1 */
    double ax = p->k_lon / okl, ay = p->k_lat / okp;
    trk_imm_remap(&p->f, ax, dlon(olon, lon) * p->k_lon, ay, (olat - lat) * p->k_lat);
}

/* ------------------------------------------------------------ validation */

static bool finite_in(double v, double lo, double hi)
{
    return isfinite(v) && v >= lo && v <= hi;
}

/* A radar plot's east/north covariance from its polar noise, range
 * variance sr2, s and c the sine and cosine of m->az_deg, the line of
 * sight's azimuth at the plot (made once by prepare): R = sr2 u u^T +
 * (rho sigma_az)^2 w w^T, u along the line of sight, w across, both in the
 * plot's east/north (far from the radar its north is not the radar's). */
static void polar_cov(const struct trk_meas *m, double s, double c, double sr2, double R[4])
{
    double sc = m->range_m * m->sigma_az_deg * DEG2RAD;
    double sc2 = sc * sc;
    /* radial unit (s, c), cross-range unit (c, -s); 1 m^2 keeps R
     * positive definite at zero range */
    R[0] = sr2 * s * s + sc2 * c * c + 1.0;
    R[1] = R[2] = (sr2 - sc2) * s * c;
    R[3] = sr2 * c * c + sc2 * s * s + 1.0;
}

/* Check a measurement's values (T9) and compute its covariances. */
static int prepare(const struct trk_table *t, const struct trk_meas *m, int64_t now_ms,
                   struct mwork *w)
{
    if (m->t_ms <= 0 || !finite_in(m->lat_deg, -90.0, 90.0) ||
        !finite_in(m->lon_deg, -180.0, 180.0) || m->src_mask == 0 || /* 8 sources: any bit */
        m->kind > TRK_KIND_VESSEL)
        return CAIRN_E_INVAL;
    if ((m->has & TRK_M_ICAO) && m->icao > 0xFFFFFF)
        return CAIRN_E_INVAL;
    if ((m->has & TRK_M_SQUAWK) && m->squawk > 07777)
        return CAIRN_E_INVAL;
    if ((m->has & TRK_M_MMSI) && (m->mmsi == 0 || m->mmsi > 999999999))
        return CAIRN_E_INVAL;
    if ((m->has & TRK_M_ALT) && (m->alt_ft < -2000 || m->alt_ft > 150000))
        return CAIRN_E_INVAL;
    if ((m->has & TRK_M_VRATE) && !finite_in(m->vrate_fpm, -60000.0, 60000.0))
        return CAIRN_E_INVAL;
    if ((m->has & TRK_M_SEL_ALT) &&
        (m->sel_alt_ft < SEL_ALT_MIN_FT || m->sel_alt_ft > SEL_ALT_MAX_FT))
        return CAIRN_E_INVAL;
    if (m->t_ms > now_ms + t->cfg.future_ms)
        return CAIRN_E_RANGE;
    if (m->has & TRK_M_POLAR) {
        /* 0.08 deg at 250 NM is 650 m; bounds are generous but finite */
        if (!finite_in(m->range_m, 0.0, 2e6) || !finite_in(m->az_deg, -360.0, 720.0) ||
            !finite_in(m->sigma_range_m, 0.1, 1e5) || !finite_in(m->sigma_az_deg, 1e-4, 10.0) ||
            !finite_in(m->sigma_height_m, 0.0, m->sigma_range_m))
            return CAIRN_E_INVAL;
        w->az_s = sin(m->az_deg * DEG2RAD);
        w->az_c = cos(m->az_deg * DEG2RAD);
        polar_cov(m, w->az_s, w->az_c, m->sigma_range_m * m->sigma_range_m, w->R);
    } else {
        if (!finite_in(m->sigma_m, 0.1, 1e5))
            return CAIRN_E_INVAL;
        w->R[0] = w->R[3] = m->sigma_m * m->sigma_m;
        w->R[1] = w->R[2] = 0.0;
    }
    if (m->has & TRK_M_VEL) {
        if (!finite_in(m->ve_mps, -2000.0, 2000.0) || !finite_in(m->vn_mps, -2000.0, 2000.0) ||
            !finite_in(m->sigma_v_mps, 0.01, 1000.0))
            return CAIRN_E_INVAL;
        w->Rv[0] = w->Rv[3] = m->sigma_v_mps * m->sigma_v_mps;
        w->Rv[1] = w->Rv[2] = 0.0;
    }
    return 0;
}

/* A callsign is copied only when it is printable ASCII (it reaches
 * consoles and logs). */
static bool callsign_ok(const char *cs)
{
    size_t i = 0;
    for (; i < 9 && cs[i]; i++)
        if (cs[i] < 0x20 || cs[i] > 0x7e)
            return false;
    return i > 0 && i < 9;
}

/* ------------------------------------------------------------ track update */

static const struct trk_imm_params *params_of(const struct slot *p)
{
    return &imm_params[p->pub.kind <= TRK_KIND_VESSEL ? p->pub.kind : 0];
}

/* The IMM step of track p over dt_ms (>= 0), made once per (kind,
 * interval) while it stays in t->steps: what trk_imm_update would make,
 * trk_imm_step_make(params_of(p), dt_ms / 1000.0), the same bits. An
 * update still to run holds the entry pinned (NULL: none): a step that
 * would replace it is made in *own instead. */
static const struct trk_imm_step *step_of(struct trk_table *t, const struct slot *p, int64_t dt_ms,
                                          const struct trk_imm_step *pinned,
                                          struct trk_imm_step *own)
{
    int kind = p->pub.kind <= TRK_KIND_VESSEL ? p->pub.kind : 0;
    uint64_t h = ((uint64_t)dt_ms * 4 + (uint64_t)kind) * 0x9E3779B97F4A7C15ull;
    struct step_entry *e = &t->steps[(h >> 32) & (STEP_CACHE - 1)];
    if (e->dt_ms != dt_ms || e->kind != kind) {
        if (&e->st == pinned) {
            trk_imm_step_make(own, &imm_params[kind], (double)dt_ms / 1000.0);
            return own;
        }
        trk_imm_step_make(&e->st, &imm_params[kind], (double)dt_ms / 1000.0);
        e->dt_ms = dt_ms;
        e->kind = kind;
    }
    return &e->st;
}

static void refresh_outputs(const struct trk_table *t, struct slot *p)
{
    struct trk_track *k = &p->pub;
    from_plane(p, p->f.xc[0], p->f.xc[1], &k->lat_deg, &k->lon_deg);
    k->ve_mps = p->f.xc[2];
    k->vn_mps = p->f.xc[3];
    k->gs_mps = sqrt(k->ve_mps * k->ve_mps + k->vn_mps * k->vn_mps);
    double trk = atan2(k->ve_mps, k->vn_mps) / DEG2RAD;
    k->track_deg = trk < 0.0 ? trk + 360.0 : trk;
    k->pos_sigma_m = sqrt(0.5 * (p->f.Pc[TRK_IMM_LT(0, 0)] + p->f.Pc[TRK_IMM_LT(1, 1)]));
    k->p_turn = p->f.mu[1] + p->f.mu[2];
    k->flags &= (uint8_t) ~(TRK_F_SLOW | TRK_F_MANOEUVRE);
    /* Speed is meaningful once a few updates have settled the velocity. */
    if (k->n_updates >= 3 && k->gs_mps < t->cfg.slow_mps)
        k->flags |= TRK_F_SLOW;
    if (k->p_turn > 0.5)
        k->flags |= TRK_F_MANOEUVRE;
    /* A track of primary plots alone is an aircraft once it flies faster
     * than any ship, its velocity settled by a few updates; it stays one
     * (kind_ok then keeps AIS reports off it). Slower, it stays unknown. */
    if (k->kind == TRK_KIND_UNKNOWN && k->status == TRK_ST_CONFIRMED && k->n_updates >= 5 &&
        k->gs_mps >= t->cfg.aircraft_mps)
        k->kind = TRK_KIND_AIRCRAFT;
}

static int64_t last_coop_ms(const struct trk_track *k)
{
    int64_t coop = 0;
    for (int s = 0; s < TRK_SOURCE_N; s++)
        if ((TRK_SRC_BIT(s) & TRK_SRC_COOPERATIVE) && k->last_src_ms[s] > coop)
            coop = k->last_src_ms[s];
    return coop;
}

/*
 * The first member of the compliance triple. Aircraft (and unknown): NO
 * once no_xpdr_scans primary-only plots came in a row, YES while a reply or
 * squitter is recent, else UNKNOWN. Vessels: a radar sees a ship every few
 * seconds and its AIS may report only every 3 minutes, so NO needs the
 * primary plots and no AIS for min_life_sea_ms as well.
 */
static void set_transponder(const struct trk_table *t, struct slot *p, int64_t now_ms)
{
    struct trk_track *k = &p->pub;
    int64_t coop = p->coop_ms;
    bool prim = k->primary_only_scans >= t->cfg.no_xpdr_scans;
    if (k->kind == TRK_KIND_VESSEL) {
        if (prim && (coop == 0 || now_ms - coop > t->cfg.min_life_sea_ms))
            k->transponder = TRK_TRI_NO;
        else if (coop > 0 && now_ms - coop <= t->cfg.min_life_sea_ms)
            k->transponder = TRK_TRI_YES;
        else
            k->transponder = TRK_TRI_UNKNOWN;
        return;
    }
    if (prim)
        k->transponder = TRK_TRI_NO;
    else if (coop > 0 && now_ms - coop <= t->cfg.min_life_air_ms + 60000)
        k->transponder = TRK_TRI_YES;
    else
        k->transponder = TRK_TRI_UNKNOWN;
}

static void note_sensor(const struct trk_table *t, struct slot *p, const struct trk_meas *m)
{
    struct trk_track *k = &p->pub;
    struct trk_sensor_seen *e = NULL;
    for (int i = 0; i < k->n_sensors; i++)
        if (k->sensors[i].sensor_id == m->sensor_id) {
            e = &k->sensors[i];
            break;
        }
    if (!e) {
        if (k->n_sensors < TRK_MAX_SENSORS) {
            e = &k->sensors[k->n_sensors++];
        } else {
            /* Full: the sensor heard from least recently gives its place
             * only once it has gone quiet (missed 3 of its intervals, as
             * track_period judges), so that a track fed by more sensors
             * than it lists keeps one stable set instead of rotating them
             * at every report (which the stream would send as a change of
             * the track each time); a newcomer meanwhile is not listed. */
            e = &k->sensors[0];
            for (int i = 1; i < TRK_MAX_SENSORS; i++)
                if (k->sensors[i].last_t_ms < e->last_t_ms)
                    e = &k->sensors[i];
            if (m->t_ms - e->last_t_ms <= 3 * (int64_t)e->interval_ms)
                return;
        }
        memset(e, 0, sizeof *e);
        e->sensor_id = m->sensor_id;
        e->interval_ms = default_period(t, m);
    } else if (m->t_ms > e->last_t_ms) {
        int32_t cfgp = sensor_period(t, m->sensor_id);
        int64_t gap = m->t_ms - e->last_t_ms;
        if (cfgp) {
            e->interval_ms = cfgp;
        } else if (gap >= INTERVAL_MIN_MS) {
            /* exponential average over about 4 gaps */
            int64_t iv = e->interval_ms + (gap - e->interval_ms) / 4;
            e->interval_ms = (int32_t)(iv < INTERVAL_MIN_MS   ? INTERVAL_MIN_MS
                                       : iv > INTERVAL_MAX_MS ? INTERVAL_MAX_MS
                                                              : iv);
        }
    }
    e->src_mask |= m->src_mask;
    e->n++;
    if (m->t_ms > e->last_t_ms)
        e->last_t_ms = m->t_ms;
    if (m->has & TRK_M_TRACKNO)
        e->track_no = m->track_no;
}

static void trail_add(struct trk_table *t, int32_t s)
{
    struct slot *p = &t->slots[s];
    size_t L = t->cfg.trail_len;
    if (!L)
        return;
    if (p->trail_n > 0 && p->pub.t_state_ms - p->t_trail_ms < t->cfg.trail_every_ms)
        return;
    struct trk_point *tp = &t->trail[(size_t)s * L + (p->trail_head + p->trail_n) % L];
    if (p->trail_n < L)
        p->trail_n++;
    else
        p->trail_head = (uint16_t)((p->trail_head + 1) % L);
    tp->t_ms = p->pub.t_state_ms;
    tp->lat_e7 = (int32_t)lround(p->pub.lat_deg * 1e7);
    tp->lon_e7 = (int32_t)lround(p->pub.lon_deg * 1e7);
    tp->alt_ft = (p->pub.flags & TRK_F_ALT) ? p->pub.alt_ft : INT32_MIN;
    p->t_trail_ms = p->pub.t_state_ms;
}

static void adopt_ids(struct trk_table *t, int32_t s, const struct trk_meas *m)
{
    struct trk_track *k = &t->slots[s].pub;
    if ((m->has & TRK_M_ICAO) && !(k->ids & TRK_ID_ICAO) &&
        idx_get(t, ikey(KEY_ICAO, m->icao)) < 0) {
        k->ids |= TRK_ID_ICAO;
        k->icao = m->icao;
        idx_put(t, ikey(KEY_ICAO, m->icao), s);
        t->stats.id_adopted += k->n_updates > 0;
    }
    if ((m->has & TRK_M_MMSI) && !(k->ids & TRK_ID_MMSI) &&
        idx_get(t, ikey(KEY_MMSI, m->mmsi)) < 0) {
        k->ids |= TRK_ID_MMSI;
        k->mmsi = m->mmsi;
        idx_put(t, ikey(KEY_MMSI, m->mmsi), s);
        t->stats.id_adopted += k->n_updates > 0;
    }
    if (m->has & TRK_M_SQUAWK) {
        k->ids |= TRK_ID_SQUAWK;
        k->squawk = m->squawk;
    }
    if ((m->has & TRK_M_CALLSIGN) && callsign_ok(m->callsign)) {
        k->ids |= TRK_ID_CALLSIGN;
        memcpy(k->callsign, m->callsign, sizeof k->callsign);
        k->callsign[8] = '\0';
    }
    if (k->kind == TRK_KIND_UNKNOWN && m->kind != TRK_KIND_UNKNOWN)
        k->kind = m->kind;
}

/* The selected altitude of m, unless the track has a newer one. */
static void note_sel_alt(struct slot *p, const struct trk_meas *m)
{
    if (!(m->has & TRK_M_SEL_ALT) || ((p->pub.flags & TRK_F_SEL_ALT) && m->t_ms < p->t_sel_alt_ms))
        return;
    p->pub.sel_alt_ft = m->sel_alt_ft;
    p->pub.flags |= TRK_F_SEL_ALT;
    p->t_sel_alt_ms = m->t_ms;
}

static int64_t track_period(const struct trk_track *k);

/* Everything but the filter: identities, sources, counters, status. */
static void note_update(struct trk_table *t, int32_t s, const struct trk_meas *m)
{
    struct slot *p = &t->slots[s];
    struct trk_track *k = &p->pub;
    adopt_ids(t, s, m);
    /* a measurement older than the track's last (a slower receiver's, up
     * to oos_ms late) updates the filter but leaves the newer emergency
     * and ground state as they are (the altitude: t_alt_ms below) */
    bool fresh = m->t_ms >= k->t_last_ms;
    if (m->t_ms > k->t_last_ms)
        k->t_last_ms = m->t_ms;
    for (unsigned b = m->src_mask; b; b &= b - 1) {
        int i = __builtin_ctz(b);
        if (m->t_ms > k->last_src_ms[i])
            k->last_src_ms[i] = m->t_ms;
    }
    note_sensor(t, p, m);
    /* p->coop_ms is last_coop_ms(k) (trk_check): the latest of the
     * cooperative sources' times, which only grow */
    if (m->src_mask & TRK_SRC_COOPERATIVE) {
        k->primary_only_scans = 0;
        if (m->t_ms > p->coop_ms)
            p->coop_ms = m->t_ms;
    } else if ((m->src_mask & TRK_SRC_BIT(TRK_SOURCE_PSR)) && k->primary_only_scans < UINT16_MAX &&
               m->t_ms >= p->coop_ms) {
        k->primary_only_scans++; /* a late plot older than a reply does not count */
    }
    if ((m->has & TRK_M_ALT) && (!(k->flags & TRK_F_ALT) || m->t_ms >= p->t_alt_ms)) {
        if ((k->flags & TRK_F_ALT) && !(m->has & TRK_M_VRATE) && m->t_ms - p->t_alt_ms >= 1000) {
            double dtm = (double)(m->t_ms - p->t_alt_ms) / 60000.0;
            double vr = (m->alt_ft - k->alt_ft) / dtm;
            k->vrate_fpm += 0.5 * (vr - k->vrate_fpm);
        }
        k->alt_ft = m->alt_ft;
        k->flags |= TRK_F_ALT;
        p->t_alt_ms = m->t_ms;
    }
    if ((m->has & TRK_M_VRATE) && fresh)
        k->vrate_fpm = m->vrate_fpm;
    if ((m->has & TRK_M_EMERG) && fresh)
        k->emergency = m->emergency;
    if ((m->has & TRK_M_GROUND) && fresh)
        k->on_ground = m->on_ground;
    note_sel_alt(p, m);
    k->n_updates++;
    if (k->status == TRK_ST_TENTATIVE) {
        k->hits++;
        bool id = (m->has & (TRK_M_ICAO | TRK_M_MMSI)) != 0;
        bool ok;
        if (k->flags & TRK_F_PLOT_BORN)
            ok = (k->hits >= t->cfg.confirm_m && m->t_ms <= p->window_end_ms) ||
                 (id && k->hits >= 2);
        else
            ok = k->hits >= 2;
        if (ok) {
            k->status = TRK_ST_CONFIRMED;
            t->stats.confirmed++;
        }
    } else if (k->status == TRK_ST_COASTING) {
        k->status = TRK_ST_CONFIRMED;
    }
    p->period_ms = track_period(k);
    set_transponder(t, p, m->t_ms);
}

static void filter_start(struct slot *p, const struct trk_meas *m, const struct mwork *w)
{
    plane_init(p, m->lat_deg, m->lon_deg);
    const double z[2] = {0.0, 0.0};
    double v[2] = {m->ve_mps, m->vn_mps};
    bool hv = (m->has & TRK_M_VEL) != 0;
    trk_imm_init(&p->f, z, w->R, hv ? v : NULL, hv ? w->Rv : NULL,
                 sigma_v0[p->pub.kind <= TRK_KIND_VESSEL ? p->pub.kind : 0]);
    p->pub.t_state_ms = m->t_ms;
}

/* delete_after of track p (track.h): trk_tick deletes a track silent for
 * longer. */
static int64_t life_ms(const struct trk_table *t, const struct slot *p)
{
    int64_t per = p->period_ms; /* track_period(k) */
    int64_t life = p->pub.kind == TRK_KIND_VESSEL ? t->cfg.min_life_sea_ms : t->cfg.min_life_air_ms;
    return 5 * per > life ? 5 * per : life;
}

/* Whether m comes after track p has been silent for longer than its life:
 * the track is over, whether or not a tick has deleted it yet. Its state
 * may be from any time before (a measurement stamped decades early makes a
 * track), and the filter is not to be carried across such a gap: its
 * process noise over decades (1e30 m^2 and more) leaves the update's
 * difference of large numbers with negative variances. */
static bool silent_past_life(const struct trk_table *t, const struct slot *p,
                             const struct trk_meas *m)
{
    return m->t_ms - p->pub.t_last_ms > life_ms(t, p);
}

/* 1 when the track's position comes from primary plots alone: it never
 * had a reply or squitter, or the last no_xpdr_scans plots were
 * primary-only (a transponder switched off). */
static bool primary_fed(const struct trk_table *t, const struct slot *p)
{
    return p->coop_ms == 0 || p->pub.primary_only_scans >= t->cfg.no_xpdr_scans;
}

/* A filter update of apply(), between apply_begin and apply_end: the
 * measurement in the track's plane and its covariance. */
struct upd {
    int32_t s;
    int mdim; /* 2 or 4 */
    const struct trk_meas *m;
    int64_t dt_ms;
    const struct trk_imm_step *st; /* in t->steps, or own */
    double z[4], R[16];
    struct trk_imm_step own;
};
enum { APPLY_FILTER = 1, APPLY_JUMP = 2, APPLY_RESTART = 3 };

/* Whether z lies surely within ID_JUMP_M of track p's position predicted
 * by dt_s (the prediction trk_imm_gate makes): then an identity's update
 * is no jump whatever its d^2, and the gate is not computed. A box of
 * 0.7 ID_JUMP_M either side, so that a few ulps of the prediction made
 * another way cannot matter (its diagonal is 0.99 ID_JUMP_M); NaN is not
 * near. Nearly every identity's update is near. */
static bool id_near(const struct slot *p, double dt_s, const double z[2])
{
    const double box = 0.7 * ID_JUMP_M;
    double dx = z[0] - (p->f.xc[0] + dt_s * p->f.xc[2]);
    double dy = z[1] - (p->f.xc[1] + dt_s * p->f.xc[3]);
    return fabs(dx) < box && fabs(dy) < box;
}

/* The first half of apply(): CAIRN_E_RANGE when m is older than the
 * track's state by more than oos_ms (T9: nothing changes but the counter);
 * APPLY_JUMP when m is an identity's jump, APPLY_RESTART when it comes
 * after the track's life (silent_past_life) (nothing changes: apply_jump
 * does it); else APPLY_FILTER with *u ready for the filter (no change to
 * the table but its step cache, pinned as step_of says). */
static int apply_begin(struct trk_table *t, int32_t s, const struct trk_meas *m,
                       const struct mwork *w, const struct trk_imm_step *pinned, struct upd *u)
{
    struct slot *p = &t->slots[s];
    int64_t dt_ms = m->t_ms - p->pub.t_state_ms;
    if (dt_ms < -t->cfg.oos_ms) {
        t->stats.rej_oos++;
        return CAIRN_E_RANGE;
    }
    /* A measurement slightly older than the state is applied at the
     * state's time (dt = 0): cheaper than retrodiction and, within oos_ms,
     * worth at most a few hundred metres of lag, which its own noise
     * mostly covers. */
    double dt = dt_ms > 0 ? (double)dt_ms / 1000.0 : 0.0;
    u->s = s;
    u->m = m;
    u->dt_ms = dt_ms;
    to_plane(p, m->lat_deg, m->lon_deg, u->z);
    if (silent_past_life(t, p, m))
        return APPLY_RESTART;
    if ((m->has & (TRK_M_ICAO | TRK_M_MMSI)) && p->pub.n_updates > 0 && !id_near(p, dt, u->z)) {
        double pred[2];
        double d2 = trk_imm_gate(&p->f, params_of(p), dt, u->z, w->R, pred);
        if (d2 > ID_JUMP_CHI2 && hypot(u->z[0] - pred[0], u->z[1] - pred[1]) > ID_JUMP_M)
            return APPLY_JUMP;
    }
    u->st = step_of(t, p, dt_ms > 0 ? dt_ms : 0, pinned, &u->own);
    if (m->has & TRK_M_VEL) {
        memset(u->R, 0, sizeof u->R);
        u->z[2] = m->ve_mps;
        u->z[3] = m->vn_mps;
        u->R[0] = w->R[0];
        u->R[1] = w->R[1];
        u->R[4] = w->R[2];
        u->R[5] = w->R[3];
        u->R[10] = w->Rv[0];
        u->R[15] = w->Rv[3];
        u->mdim = 4;
    } else if ((m->has & TRK_M_POLAR) && m->sigma_height_m > 0.0 && primary_fed(t, p)) {
        /* Every plot this track holds was placed at the same assumed
         * height: the ground-range offset of the true one is common to
         * them and to this plot, so the filter takes the radar's own range
         * noise (gating and birth keep the wider one). Only a polar plot
         * has these members (prepare checked them and made w->az_s/az_c). */
        double sr2 = m->sigma_range_m * m->sigma_range_m - m->sigma_height_m * m->sigma_height_m;
        polar_cov(m, w->az_s, w->az_c, sr2 > 0.01 ? sr2 : 0.01, u->R);
        u->mdim = 2;
    } else {
        memcpy(u->R, w->R, sizeof w->R);
        u->mdim = 2;
    }
    return APPLY_FILTER;
}

/* An identity matched far outside the gate (e APPLY_JUMP), or after the
 * track's life (APPLY_RESTART): the track restarts at m. */
static void apply_jump(struct trk_table *t, int32_t s, const struct trk_meas *m,
                       const struct mwork *w, int e)
{
    struct slot *p = &t->slots[s];
    if (e == APPLY_RESTART)
        t->stats.restarts++;
    else
        t->stats.id_jumps++;
    int64_t t_state = p->pub.t_state_ms;
    note_update(t, s, m);
    filter_start(p, m, w);
    /* a late m (within oos_ms) restarts the filter at the state's time, as
     * apply_begin applies a late update: the state's time never goes back
     * (T4) */
    if (t_state > p->pub.t_state_ms)
        p->pub.t_state_ms = t_state;
    refresh_outputs(t, p);
    grid_move(t, s, p->pub.lat_deg, p->pub.lon_deg);
    trail_add(t, s);
}

/* The second half of apply(), once the filter has taken u. */
static void apply_end(struct trk_table *t, const struct upd *u)
{
    struct slot *p = &t->slots[u->s];
    if (u->dt_ms > 0)
        p->pub.t_state_ms = u->m->t_ms;
    note_update(t, u->s, u->m);
    reanchor(p);
    refresh_outputs(t, p);
    grid_move(t, u->s, p->pub.lat_deg, p->pub.lon_deg);
    trail_add(t, u->s);
}

static void apply_one(struct trk_table *t, const struct upd *u)
{
    (void)trk_imm_update_step(&t->slots[u->s].f, u->st, u->z, u->R, u->mdim);
    apply_end(t, u);
}

/* Two updates of two tracks, a then b (a->mdim == b->mdim): the filters
 * side by side, then the rest of each in that order. */
static void apply_two(struct trk_table *t, const struct upd *a, const struct upd *b)
{
    struct trk_imm *f[2] = {&t->slots[a->s].f, &t->slots[b->s].f};
    const struct trk_imm_step *st[2] = {a->st, b->st};
    const double *z[2] = {a->z, b->z}, *R[2] = {a->R, b->R};
    double d2[2];
    trk_imm_update_pair(f, st, z, R, a->mdim, d2);
    apply_end(t, a);
    apply_end(t, b);
}

/* Apply measurement m to track s. 0, or CAIRN_E_RANGE when it is older
 * than the track's state by more than oos_ms (T9: nothing changes). */
static int apply(struct trk_table *t, int32_t s, const struct trk_meas *m, const struct mwork *w)
{
    struct upd u;
    int e = apply_begin(t, s, m, w, NULL, &u);
    if (e == APPLY_JUMP || e == APPLY_RESTART)
        apply_jump(t, s, m, w, e);
    else if (e == APPLY_FILTER)
        apply_one(t, &u);
    return e < 0 ? e : 0;
}

/* Whether an update of track s by m may wait for the next row's (and run
 * beside it): only when it gives the track no identity the index lacks
 * (adopt_ids), since the next row's identity was looked up before it. */
static bool may_wait(const struct trk_table *t, int32_t s, const struct trk_meas *m)
{
    const struct trk_track *k = &t->slots[s].pub;
    return !((m->has & TRK_M_ICAO) && !(k->ids & TRK_ID_ICAO)) &&
           !((m->has & TRK_M_MMSI) && !(k->ids & TRK_ID_MMSI));
}

static int create(struct trk_table *t, const struct trk_meas *m, const struct mwork *w,
                  int32_t *out)
{
    if (t->n_free == 0) {
        t->stats.full++;
        return CAIRN_E_FULL;
    }
    int32_t s = t->free_list[--t->n_free];
    struct slot *p = &t->slots[s];
    memset(p, 0, sizeof *p);
    t->gnode[s].next = t->gnode[s].prev = -1;
    struct trk_track *k = &p->pub;
    k->id = ++t->next_id;
    if (k->id == 0) /* 4 billion tracks: ids wrap, skip 0 (T3 holds per table lifetime) */
        k->id = ++t->next_id;
    k->status = TRK_ST_TENTATIVE;
    k->kind = m->kind;
    k->t_first_ms = k->t_last_ms = m->t_ms;
    if (!(m->has & (TRK_M_ICAO | TRK_M_MMSI))) {
        k->flags |= TRK_F_PLOT_BORN;
        /* N scans of the birth sensor, ending half a scan after the Nth */
        p->window_end_ms =
            m->t_ms + (int64_t)default_period(t, m) * t->cfg.confirm_n - default_period(t, m) / 2;
    }
    filter_start(p, m, w);
    idx_put(t, ikey(KEY_ID, k->id), s);
    grid_link(t, s, 0);
    t->live++;
    t->stats.created++;
    note_update(t, s, m);
    refresh_outputs(t, p);
    grid_move(t, s, k->lat_deg, k->lon_deg);
    trail_add(t, s);
    *out = s;
    return 0;
}

static void delete_track(struct trk_table *t, int32_t s)
{
    struct slot *p = &t->slots[s];
    grid_unlink(t, s);
    if (p->pub.ids & TRK_ID_ICAO)
        idx_del(t, ikey(KEY_ICAO, p->pub.icao));
    if (p->pub.ids & TRK_ID_MMSI)
        idx_del(t, ikey(KEY_MMSI, p->pub.mmsi));
    p->pub.status = TRK_ST_DELETED;
    t->live--;
    t->stats.deleted++;
}

/* The update interval the track can expect: the longest interval of the
 * sensors still feeding it (heard within 3 of their intervals of the last
 * update), at least the one that gave the last update. */
static int64_t track_period(const struct trk_track *k)
{
    int64_t per = 0;
    for (int i = 0; i < k->n_sensors; i++) {
        const struct trk_sensor_seen *e = &k->sensors[i];
        bool fresh = k->t_last_ms - e->last_t_ms <= 3 * (int64_t)e->interval_ms ||
                     e->last_t_ms == k->t_last_ms;
        if (fresh && e->interval_ms > per)
            per = e->interval_ms;
    }
    return per > 0 ? per : 5000;
}

/* ------------------------------------------------------------ association */

static bool is_live(const struct slot *p)
{
    return p->pub.status == TRK_ST_TENTATIVE || p->pub.status == TRK_ST_CONFIRMED ||
           p->pub.status == TRK_ST_COASTING;
}

static bool kind_ok(const struct trk_track *k, const struct trk_meas *m)
{
    return !((m->kind == TRK_KIND_VESSEL && k->kind == TRK_KIND_AIRCRAFT) ||
             (m->kind == TRK_KIND_AIRCRAFT && k->kind == TRK_KIND_VESSEL));
}

/* The fastest a vessel is taken to sail, m/s: 25 m/s (48.6 kt), the
 * figure the detectors use for the fastest vessel (sea_max_speed_mps).
 * Merchant ships make 10-25 kt; high-speed craft (IMO HSC Code ferries)
 * and fast patrol craft 35-45 kt. */
#define VESSEL_MAX_MPS 25.0

/* Kinematic plausibility of a gated pair: could the track's target have
 * moved from its last estimate to z in dt_s seconds? The gate's prediction
 * uncertainty grows as dt^4 (white acceleration plus the turn allowance),
 * so after minutes of coasting it admits plots no vessel can reach (issue
 * 8: a cargo ship's track, 5 minutes after its last AIS report, took an
 * aircraft's primary plot 4.9 NM from it, 57 kt, and followed the
 * aircraft). A vessel sails at most VESSEL_MAX_MPS x dt; the margin for
 * the errors of the estimate and of z is sqrt(gate_chi2) standard
 * deviations of P_pos + R along the displacement u, which is never less
 * than the gate's own extent in that direction (sqrt(g / u'S^-1 u) <=
 * sqrt(g u'S u)), so the bound refuses nothing the gate accepts at dt 0.
 * Faster craft still fuse plots that come every few seconds (the margin
 * covers their excess speed); only after a long gap would their plots
 * start a track of their own. Aircraft and unknown tracks are not bounded
 * (their association is unchanged). */
static bool reach_ok(const struct trk_table *t, const struct slot *p, const double z[2],
                     const double R[4], double dt)
{
    if (p->pub.kind != TRK_KIND_VESSEL)
        return true;
    const double *x = p->f.xc, *P = p->f.Pc;
    double dx = z[0] - x[0], dy = z[1] - x[1], d2 = dx * dx + dy * dy;
    double go = VESSEL_MAX_MPS * dt;
    if (d2 <= go * go)
        return true;
    /* d'(P + R)d = u'(P + R)u |d|^2, with P's position block (Pc is a
     * lower triangle, TRK_IMM_LT; R is 2 x 2 row-major) */
    double p00 = P[TRK_IMM_LT(0, 0)], p10 = P[TRK_IMM_LT(1, 0)], p11 = P[TRK_IMM_LT(1, 1)];
    double s =
        (p00 + R[0]) * dx * dx + (2.0 * p10 + R[1] + R[2]) * dx * dy + (p11 + R[3]) * dy * dy;
    double reach = go + sqrt(t->cfg.gate_chi2 * s / d2);
    return d2 <= reach * reach;
}

/* Whether any of the sources in mask ever fed track k. */
static bool fed_by(const struct trk_track *k, uint8_t mask)
{
    for (int s = 0; s < TRK_SOURCE_N; s++)
        if ((mask & TRK_SRC_BIT(s)) && k->last_src_ms[s] != 0)
            return true;
    return false;
}

/* Gate measurement m against track s. Returns the assignment cost, or a
 * negative value when the pair is impossible or outside the gate; *d2 is
 * the distance when the pair was possible (INFINITY otherwise). */
static double pair_cost(const struct trk_table *t, const struct slot *p, const struct trk_meas *m,
                        const struct mwork *w, double *d2_out)
{
    *d2_out = INFINITY;
    const struct trk_track *k = &p->pub;
    if (!is_live(p) || !kind_ok(k, m))
        return -1.0;
    /* an identity the track does not have yet; one it has would have
     * matched by identity */
    if ((m->has & TRK_M_ICAO) && (k->ids & TRK_ID_ICAO))
        return -1.0;
    if ((m->has & TRK_M_MMSI) && (k->ids & TRK_ID_MMSI))
        return -1.0;
    if (silent_past_life(t, p, m))
        return -1.0; /* over: as impossible as a wrong kind */
    double dt = (double)(m->t_ms - k->t_state_ms) / 1000.0;
    if (dt < 0.0)
        dt = 0.0;
    if ((m->has & TRK_M_ALT) && (k->flags & TRK_F_ALT)) {
        double dts = (double)(m->t_ms - p->t_alt_ms) / 60000.0;
        double allow = ALT_GATE_FT + fabs(k->vrate_fpm * dts);
        if (fabs((double)m->alt_ft - k->alt_ft) > allow)
            return -1.0;
    }
    double z[2];
    to_plane(p, m->lat_deg, m->lon_deg, z);
    double d2 = trk_imm_gate(&p->f, params_of(p), dt, z, w->R, NULL);
    *d2_out = d2;
    /* A track that missed its last expected update (a plot outside the
     * gate, a manoeuvre the straight-line prediction did not follow) is
     * searched with the wider init_chi2 gate, so it picks its target up
     * again instead of dying while the plots fall just outside. */
    double gate = t->cfg.gate_chi2;
    if (m->t_ms - k->t_last_ms > p->period_ms * 3 / 2 && t->cfg.init_chi2 > gate)
        gate = t->cfg.init_chi2;
    if (!(d2 <= gate))
        return -1.0;
    if (!reach_ok(t, p, z, w->R, dt)) {
        *d2_out = INFINITY; /* out of reach: as impossible as a wrong kind */
        return -1.0;
    }
    if ((m->has & TRK_M_SQUAWK) && (k->ids & TRK_ID_SQUAWK) && k->squawk != m->squawk)
        d2 += SQUAWK_PENALTY;
    if (!fed_by(k, m->src_mask))
        d2 += SOURCE_PENALTY;
    return d2;
}

static int32_t uf_find(struct mwork *w, int32_t i)
{
    while (w[i].parent != i) {
        w[i].parent = w[w[i].parent].parent;
        i = w[i].parent;
    }
    return i;
}

static void uf_union(struct mwork *w, int32_t a, int32_t b)
{
    a = uf_find(w, a);
    b = uf_find(w, b);
    if (a != b)
        w[a > b ? a : b].parent = a < b ? a : b;
}

static void gather_pairs(struct trk_table *t, const struct trk_meas *m, int32_t i)
{
    struct mwork *w = &t->w[i];
    size_t n = grid_query(t, m->lat_deg, m->lon_deg, t->cfg.search_m);
    w->n_pairs = 0;
    w->min_d2 = INFINITY;
    for (size_t c = 0; c < n; c++) {
        int32_t s = t->cand[c];
        double d2;
        double cost = pair_cost(t, &t->slots[s], m, w, &d2);
        if (d2 < w->min_d2)
            w->min_d2 = d2;
        if (cost < 0.0)
            continue;
        /* keep the PAIRS_PER_MEAS cheapest, sorted */
        int pos = w->n_pairs;
        if (pos == PAIRS_PER_MEAS) {
            t->stats.pairs_dropped++;
            if (cost >= w->pairs[PAIRS_PER_MEAS - 1].cost)
                continue;
            pos--;
        } else {
            w->n_pairs++;
        }
        while (pos > 0 && w->pairs[pos - 1].cost > cost) {
            w->pairs[pos] = w->pairs[pos - 1];
            pos--;
        }
        w->pairs[pos].slot = s;
        w->pairs[pos].cost = cost;
    }
    for (int j = 0; j < w->n_pairs; j++) {
        struct slot *p = &t->slots[w->pairs[j].slot];
        if (p->stamp != t->stamp) {
            p->stamp = t->stamp;
            p->first = i;
        } else {
            uf_union(t->w, i, p->first);
        }
    }
}

/* Solve one cluster whose rows are linked from root through w[].next.
 * Sets w[i].head of each row to the chosen slot or -1. */
static void solve_cluster(struct trk_table *t, int32_t root)
{
    int n = 0, k = 0;
    bool big = false;
    t->mark++;
    for (int32_t i = root; i >= 0; i = t->w[i].next) {
        if (n == TRK_ASSIGN_MAX) {
            big = true;
            break;
        }
        t->rows[n++] = i;
        for (int j = 0; j < t->w[i].n_pairs; j++) {
            struct slot *p = &t->slots[t->w[i].pairs[j].slot];
            if (p->mark == t->mark)
                continue;
            if (k == TRK_ASSIGN_MAX) {
                big = true;
                break;
            }
            p->mark = t->mark;
            p->col = k;
            t->cols[k++] = t->w[i].pairs[j].slot;
        }
        if (big)
            break;
    }
    if (big) {
        /* Greedy: repeatedly the cheapest remaining pair of the cluster.
         * Rare (counted); quadratic in the cluster but bounded by the
         * batch. */
        t->stats.big_clusters++;
        t->mark++;
        for (int32_t i = root; i >= 0; i = t->w[i].next)
            t->w[i].head = -1;
        for (;;) {
            int32_t bi = -1, bs = -1;
            double bc = INFINITY;
            for (int32_t i = root; i >= 0; i = t->w[i].next) {
                if (t->w[i].head >= 0)
                    continue;
                for (int j = 0; j < t->w[i].n_pairs; j++) {
                    struct slot *p = &t->slots[t->w[i].pairs[j].slot];
                    if (p->mark != t->mark && t->w[i].pairs[j].cost < bc) {
                        bc = t->w[i].pairs[j].cost;
                        bi = i;
                        bs = t->w[i].pairs[j].slot;
                    }
                }
            }
            if (bi < 0)
                break;
            t->w[bi].head = bs;
            t->slots[bs].mark = t->mark;
        }
        return;
    }
    int m = k + n;
    for (int r = 0; r < n; r++) {
        const struct mwork *w = &t->w[t->rows[r]];
        double *row = &t->cost[r * m];
        for (int c = 0; c < m; c++)
            row[c] = TRK_ASSIGN_FORBID;
        for (int j = 0; j < w->n_pairs; j++)
            row[t->slots[w->pairs[j].slot].col] = w->pairs[j].cost;
        row[k + r] = fmax(t->cfg.gate_chi2, t->cfg.init_chi2) + SQUAWK_PENALTY + SOURCE_PENALTY +
                     NO_TRACK_MARGIN;
    }
    trk_assign(t->cost, n, m, t->row_col);
    for (int r = 0; r < n; r++) {
        int c = t->row_col[r];
        t->w[t->rows[r]].head = c < k ? t->cols[c] : -1;
    }
}

static int ingest_run(struct trk_table *t, const struct trk_meas *m, size_t n, int64_t now_ms,
                      uint32_t *assigned)
{
    int rc = 0;
    if (++t->stamp == 0) { /* wrapped: no slot may look stamped by this batch */
        for (size_t s = 0; s < t->cap; s++)
            t->slots[s].stamp = 0;
        t->stamp = 1;
    }
    /* 1. validate; identity matches. found[j % PREFETCH_AHEAD]: the slot
     * that row j's first identity (its ICAO address, else its MMSI) gave
     * when the slot was prefetched, -1 none or not looked up. Within a run
     * an identity in the index keeps its slot (identities are added, only
     * trk_tick removes them), so a slot found then is the slot found now;
     * -1 is looked up again. */
    int32_t found[PREFETCH_AHEAD];
    for (size_t j = 0; j < PREFETCH_AHEAD; j++)
        found[j] = -1;
    /* Identity matches update their tracks two at a time (apply_two):
     * up[0] waits for the next one when n_up is 1. It is an update of
     * another track than the next row's, that adds no identity to the
     * index (may_wait), and nothing but the next row's apply_begin (which
     * changes no other track and pins up[0]'s step) runs before its
     * apply_end: the table ends as if the rows were applied one by one. */
    struct upd up[2];
    int n_up = 0;
    for (size_t i = 0; i < n; i++) {
        struct mwork *w = &t->w[i];
        /* The identity index and the slots are far larger than the caches
         * at 10k+ tracks: ask for the index line of a measurement a few
         * rows ahead (and the slot it pointed to last), so the lookups
         * below find them loaded. */
        if (i + PREFETCH_AHEAD < n) {
            const struct trk_meas *f = &m[i + PREFETCH_AHEAD];
            if (f->has & (TRK_M_ICAO | TRK_M_MMSI)) {
                uint64_t key =
                    (f->has & TRK_M_ICAO) ? ikey(KEY_ICAO, f->icao) : ikey(KEY_MMSI, f->mmsi);
                size_t h = ihash(t, key);
                __builtin_prefetch(&t->ient[h]);
            }
        }
        if (i + PREFETCH_AHEAD / 2 < n) {
            const struct trk_meas *f = &m[i + PREFETCH_AHEAD / 2];
            int32_t ps = -1;
            if (f->has & TRK_M_ICAO)
                ps = idx_get(t, ikey(KEY_ICAO, f->icao));
            else if (f->has & TRK_M_MMSI)
                ps = idx_get(t, ikey(KEY_MMSI, f->mmsi));
            found[(i + PREFETCH_AHEAD / 2) % PREFETCH_AHEAD] = ps;
            if (ps >= 0) {
                /* every line of the slot but those holding only sensors[2..]
                 * (most tracks have one or two sensors: they are not read) */
                const char *b = (const char *)&t->slots[ps];
                size_t skip0 = offsetof(struct slot, pub.sensors[2]) / 64 + 1,
                       skip1 = offsetof(struct slot, period_ms) / 64;
                for (size_t line = 0; line < sizeof(struct slot) / 64; line++)
                    if (line < skip0 || line >= skip1)
                        __builtin_prefetch(b + 64 * line, 1);
                __builtin_prefetch(&t->gnode[ps]); /* grid_move compares its cell */
            }
        }
        if (t->cfg.trail_len && i + PREFETCH_AHEAD / 4 < n) {
            /* and, its slot loaded by now, where trail_add may write */
            const struct trk_meas *f = &m[i + PREFETCH_AHEAD / 4];
            int32_t ps = found[(i + PREFETCH_AHEAD / 4) % PREFETCH_AHEAD];
            if (ps >= 0)
                ;
            else if (f->has & TRK_M_ICAO)
                ps = idx_get(t, ikey(KEY_ICAO, f->icao));
            else if (f->has & TRK_M_MMSI)
                ps = idx_get(t, ikey(KEY_MMSI, f->mmsi));
            if (ps >= 0 && f->t_ms - t->slots[ps].t_trail_ms >= t->cfg.trail_every_ms) {
                const struct slot *sp = &t->slots[ps];
                size_t L = t->cfg.trail_len;
                __builtin_prefetch(&t->trail[(size_t)ps * L + (sp->trail_head + sp->trail_n) % L],
                                   1);
            }
        }
        if (assigned)
            assigned[i] = 0;
        w->parent = (int32_t)i;
        w->next = -1;
        w->head = -1;
        w->n_pairs = 0;
        int e = prepare(t, &m[i], now_ms, w);
        if (e < 0) {
            w->state = W_REJECTED;
            if (e == CAIRN_E_RANGE)
                t->stats.rej_future++;
            else
                t->stats.rej_invalid++;
            if (!rc)
                rc = e;
            continue;
        }
        w->state = W_PENDING;
        int32_t s = found[i % PREFETCH_AHEAD];
        if (s < 0 && (m[i].has & TRK_M_ICAO))
            s = idx_get(t, ikey(KEY_ICAO, m[i].icao));
        if (s < 0 && (m[i].has & TRK_M_MMSI))
            s = idx_get(t, ikey(KEY_MMSI, m[i].mmsi));
        if (s >= 0 && kind_ok(&t->slots[s].pub, &m[i])) {
            w->state = W_DONE;
            if (n_up && up[0].s == s) {
                apply_one(t, &up[0]);
                n_up = 0;
            }
            struct upd *u = &up[n_up];
            e = apply_begin(t, s, &m[i], w, n_up ? up[0].st : NULL, u);
            if (e == APPLY_JUMP || e == APPLY_RESTART) {
                if (n_up) {
                    apply_one(t, &up[0]);
                    n_up = 0;
                }
                apply_jump(t, s, &m[i], w, e);
            } else if (e == APPLY_FILTER) {
                if (n_up && up[0].mdim == u->mdim) {
                    apply_two(t, &up[0], u);
                    n_up = 0;
                } else if (n_up) {
                    apply_one(t, &up[0]);
                    apply_one(t, u);
                    n_up = 0;
                } else if (may_wait(t, s, &m[i])) {
                    n_up = 1;
                } else {
                    apply_one(t, u);
                }
            }
            if (e < 0) {
                if (!rc)
                    rc = e;
            } else {
                t->stats.assoc_id++;
                if (assigned)
                    assigned[i] = t->slots[s].pub.id;
            }
        }
    }
    if (n_up)
        apply_one(t, &up[0]);
    /* 2. gate the others, cluster, assign */
    for (size_t i = 0; i < n; i++)
        if (t->w[i].state == W_PENDING)
            gather_pairs(t, &m[i], (int32_t)i);
    for (size_t i = 0; i < n; i++) {
        if (t->w[i].state != W_PENDING)
            continue;
        int32_t r = uf_find(t->w, (int32_t)i);
        if (r != (int32_t)i) { /* rows after their root: link behind it */
            t->w[i].next = t->w[r].next;
            t->w[r].next = (int32_t)i;
        }
    }
    for (size_t i = 0; i < n; i++) {
        struct mwork *w = &t->w[i];
        if (w->state != W_PENDING || w->parent != (int32_t)i)
            continue;
        if (w->n_pairs == 0 && w->next < 0)
            w->head = -1; /* alone, no candidate */
        else
            solve_cluster(t, (int32_t)i);
    }
    /* 3. apply assignments, then create tracks for the rest */
    for (size_t i = 0; i < n; i++) {
        struct mwork *w = &t->w[i];
        if (w->state != W_PENDING || w->head < 0)
            continue;
        w->state = W_DONE;
        int e = apply(t, w->head, &m[i], w);
        if (e < 0) {
            if (!rc)
                rc = e;
            continue;
        }
        t->stats.assoc_gated++;
        if (assigned)
            assigned[i] = t->slots[w->head].pub.id;
    }
    for (size_t i = 0; i < n; i++) {
        struct mwork *w = &t->w[i];
        if (w->state != W_PENDING)
            continue;
        w->state = W_DONE;
        int32_t s = -1;
        /* the identity may have been created by an earlier row of this
         * batch (two squitters of a new aircraft) */
        if (m[i].has & TRK_M_ICAO)
            s = idx_get(t, ikey(KEY_ICAO, m[i].icao));
        if (s < 0 && (m[i].has & TRK_M_MMSI))
            s = idx_get(t, ikey(KEY_MMSI, m[i].mmsi));
        int e;
        if (s >= 0 && kind_ok(&t->slots[s].pub, &m[i])) {
            e = apply(t, s, &m[i], w);
            if (e == 0)
                t->stats.assoc_id++;
        } else if (!(m[i].has & (TRK_M_ICAO | TRK_M_MMSI)) && w->min_d2 < t->cfg.init_chi2) {
            /* A plot that missed the gate of a track it is close to: the
             * tail of that track's own noise far more often than a new
             * target. It starts nothing (a target really there starts its
             * track once it is init_chi2 away). */
            t->stats.unused++;
            continue;
        } else {
            e = create(t, &m[i], w, &s);
        }
        if (e < 0) {
            if (!rc)
                rc = e;
            continue;
        }
        if (assigned)
            assigned[i] = t->slots[s].pub.id;
    }
    return rc;
}

int trk_ingest(struct trk_table *t, const struct trk_meas *m, size_t n, int64_t now_ms,
               uint32_t *assigned)
{
    int rc = 0;
    size_t i = 0;
    t->stats.meas_in += n;
    /* Runs of one sensor, at most max_batch long: one sensor sees a target
     * at most once per batch, so a track takes at most one row of a run;
     * plots of two radars go to the same track in successive runs. */
    while (i < n) {
        size_t j = i + 1;
        while (j < n && j - i < t->cfg.max_batch && m[j].sensor_id == m[i].sensor_id)
            j++;
        int e = ingest_run(t, m + i, j - i, now_ms, assigned ? assigned + i : NULL);
        if (e < 0 && !rc)
            rc = e;
        i = j;
    }
    return rc;
}

/* ------------------------------------------------------------ notes */

int trk_note(struct trk_table *t, const struct trk_meas *m, int64_t now_ms)
{
    t->stats.notes++;
    if (!(m->has & TRK_M_ICAO) || m->icao > 0xFFFFFF || m->t_ms <= 0 ||
        ((m->has & TRK_M_SQUAWK) && m->squawk > 07777) ||
        ((m->has & TRK_M_SEL_ALT) &&
         (m->sel_alt_ft < SEL_ALT_MIN_FT || m->sel_alt_ft > SEL_ALT_MAX_FT))) {
        t->stats.rej_invalid++;
        return CAIRN_E_INVAL;
    }
    if (m->t_ms > now_ms + t->cfg.future_ms) {
        t->stats.rej_future++;
        return CAIRN_E_RANGE;
    }
    int32_t s = idx_get(t, ikey(KEY_ICAO, m->icao));
    if (s < 0 || !is_live(&t->slots[s]) || !kind_ok(&t->slots[s].pub, m) ||
        t->slots[s].pub.kind == TRK_KIND_VESSEL) {
        t->stats.notes_unmatched++;
        return CAIRN_E_NOTFOUND;
    }
    struct slot *p = &t->slots[s];
    struct trk_track *k = &p->pub;
    if (m->t_ms < k->t_state_ms - t->cfg.oos_ms) {
        t->stats.rej_oos++;
        return CAIRN_E_RANGE;
    }
    if (m->has & TRK_M_SQUAWK) {
        k->ids |= TRK_ID_SQUAWK;
        k->squawk = m->squawk;
    }
    if ((m->has & TRK_M_CALLSIGN) && callsign_ok(m->callsign)) {
        k->ids |= TRK_ID_CALLSIGN;
        memcpy(k->callsign, m->callsign, sizeof k->callsign);
        k->callsign[8] = '\0';
    }
    if (m->has & TRK_M_EMERG)
        k->emergency = m->emergency;
    note_sel_alt(p, m);
    return 0;
}

/* ------------------------------------------------------------ tick */

size_t trk_tick(struct trk_table *t, int64_t now_ms)
{
    size_t changes = 0;
    for (size_t i = 0; i < t->cap; i++) {
        /* the lines of a slot a few ahead that this loop reads: slots are
         * 1 KB apart, and this loop reads four lines of each (struct slot) */
        if (i + SCAN_AHEAD < t->cap) {
            const struct slot *a = &t->slots[i + SCAN_AHEAD];
            __builtin_prefetch(&a->pub.status, 1);
            __builtin_prefetch(&a->pub.primary_only_scans, 1);
            __builtin_prefetch(&a->period_ms);
            __builtin_prefetch(&a->f.xc);
        }
        struct slot *p = &t->slots[i];
        struct trk_track *k = &p->pub;
        if (k->status == TRK_ST_FREE)
            continue;
        if (k->status == TRK_ST_DELETED) {
            idx_del(t, ikey(KEY_ID, k->id));
            k->status = TRK_ST_FREE;
            t->free_list[t->n_free++] = (int32_t)i;
            continue;
        }
        int64_t age = now_ms - k->t_last_ms;
        int64_t per = p->period_ms; /* track_period(k) */
        int64_t coast_after = 2 * per + 1000;
        bool del = age > life_ms(t, p);
        /* Past its window a plot-born track still tentative did not get M
         * hits within it (note_update confirms at the Mth hit in the
         * window): dropped, whatever hits came after the window. */
        if (k->status == TRK_ST_TENTATIVE && (k->flags & TRK_F_PLOT_BORN) &&
            now_ms > p->window_end_ms)
            del = true;
        if (del) {
            delete_track(t, (int32_t)i);
            changes++;
            continue;
        }
        if (k->status == TRK_ST_CONFIRMED && age > coast_after) {
            k->status = TRK_ST_COASTING;
            changes++;
        }
        set_transponder(t, p, now_ms);
        if ((k->flags & TRK_F_SEL_ALT) && now_ms - p->t_sel_alt_ms > SEL_ALT_TTL_MS)
            k->flags &= (uint8_t)~TRK_F_SEL_ALT;
        /* follow the prediction in the grid */
        double dt = (double)(now_ms - k->t_state_ms) / 1000.0;
        if (dt > 0.0) {
            double x[4], lat, lon;
            trk_imm_predict_pos(&p->f, dt, x);
            from_plane(p, x[0], x[1], &lat, &lon);
            grid_move(t, (int32_t)i, lat, lon);
        }
    }
    return changes;
}

/* ------------------------------------------------------------ views */

const struct trk_stats *trk_stats(const struct trk_table *t)
{
    return &t->stats;
}

size_t trk_count(const struct trk_table *t)
{
    return t->live;
}

const struct trk_track *trk_get(const struct trk_table *t, uint32_t id)
{
    int32_t s = idx_get(t, ikey(KEY_ID, id));
    return s >= 0 ? &t->slots[s].pub : NULL;
}

const struct trk_track *trk_find_icao(const struct trk_table *t, uint32_t icao)
{
    int32_t s = idx_get(t, ikey(KEY_ICAO, icao));
    return s >= 0 ? &t->slots[s].pub : NULL;
}

const struct trk_track *trk_find_mmsi(const struct trk_table *t, uint32_t mmsi)
{
    int32_t s = idx_get(t, ikey(KEY_MMSI, mmsi));
    return s >= 0 ? &t->slots[s].pub : NULL;
}

const struct trk_track *trk_next(const struct trk_table *t, size_t *cursor)
{
    while (*cursor < t->cap) {
        const struct slot *p = &t->slots[(*cursor)++];
        if (p->pub.status != TRK_ST_FREE)
            return &p->pub;
    }
    return NULL;
}

/* *dst = *src with streaming stores (x86-64): for a large picture (53 MB
 * at 100k + 20k tracks) the copies are read back long after, beyond the
 * caches by then, and a store that goes round the caches does not first
 * read the line it writes. trk_snapshot's fence orders them before it
 * returns. */
static inline void copy_out(struct trk_track *dst, const struct trk_track *src)
{
#if defined(__x86_64__) && defined(__SSE2__)
    const char *s = (const char *)src;
    char *d = (char *)dst;
    size_t k = 0, len = sizeof *src;
    _Static_assert(sizeof(struct trk_track) % 8 == 0 && _Alignof(struct trk_track) >= 8,
                   "a track is whole 8-byte words");
    if ((uintptr_t)d & 15) { /* to a 16-byte boundary */
        long long w;
        memcpy(&w, s, 8);
        _mm_stream_si64((long long *)(void *)d, w);
        k = 8;
    }
    for (; k + 16 <= len; k += 16)
        _mm_stream_si128((__m128i *)(void *)(d + k), _mm_loadu_si128((const __m128i *)(s + k)));
    if (k < len) {
        long long w;
        memcpy(&w, s + k, 8);
        _mm_stream_si64((long long *)(void *)(d + k), w);
    }
#else
    *dst = *src;
#endif
}

/* Pictures of fewer live tracks are copied with ordinary stores: their
 * copy (7 MB at this size) stays in the caches for its reader. */
#define SNAP_STREAM_MIN 16384

size_t trk_snapshot(const struct trk_table *t, struct trk_track *out, size_t cap)
{
    size_t n = 0;
    bool stream = t->live >= SNAP_STREAM_MIN;
    for (size_t i = 0; i < t->cap && n < cap; i++) {
        /* the public part of a slot a few ahead: slots are far apart, and
         * only this part of each is read */
        if (i + SCAN_AHEAD < t->cap) {
            const char *b = (const char *)&t->slots[i + SCAN_AHEAD].pub;
            for (size_t off = 0; off < sizeof(struct trk_track); off += 64)
                __builtin_prefetch(b + off);
        }
        const struct trk_track *k = &t->slots[i].pub;
        if (k->status == TRK_ST_FREE)
            continue;
        if (stream)
            copy_out(&out[n++], k);
        else
            out[n++] = *k;
    }
#if defined(__x86_64__) && defined(__SSE2__)
    if (stream)
        _mm_sfence();
#endif
    return n;
}

size_t trk_trail(const struct trk_table *t, const struct trk_track *trk, struct trk_point *out,
                 size_t cap)
{
    if (!t->cfg.trail_len)
        return 0;
    const struct slot *p = (const struct slot *)(const void *)trk; /* pub is the first member */
    assert(p >= t->slots && p < t->slots + t->cap);
    size_t s = (size_t)(p - t->slots), L = t->cfg.trail_len, n = 0;
    for (; n < p->trail_n && n < cap; n++)
        out[n] = t->trail[s * L + (p->trail_head + n) % L];
    return n;
}

int trk_set_compliance(struct trk_table *t, uint32_t id, uint8_t flight_plan, uint8_t radio)
{
    int32_t s = idx_get(t, ikey(KEY_ID, id));
    if (s < 0 || !is_live(&t->slots[s]))
        return CAIRN_E_NOTFOUND;
    if (flight_plan > TRK_TRI_YES || radio > TRK_TRI_YES)
        return CAIRN_E_INVAL;
    t->slots[s].pub.flight_plan = flight_plan;
    t->slots[s].pub.radio = radio;
    return 0;
}

int trk_set_plan_dev(struct trk_table *t, uint32_t id, double dev_m)
{
    int32_t s = idx_get(t, ikey(KEY_ID, id));
    if (s < 0 || !is_live(&t->slots[s]))
        return CAIRN_E_NOTFOUND;
    struct trk_track *k = &t->slots[s].pub;
    if (isfinite(dev_m) && dev_m >= 0) {
        k->plan_dev_m = dev_m;
        k->flags |= TRK_F_PLAN_DEV;
    } else {
        k->plan_dev_m = 0;
        k->flags &= (uint8_t)~TRK_F_PLAN_DEV;
    }
    return 0;
}

int trk_set_operator(struct trk_table *t, uint32_t id, uint8_t op_flags)
{
    int32_t s = idx_get(t, ikey(KEY_ID, id));
    if (s < 0 || !is_live(&t->slots[s]))
        return CAIRN_E_NOTFOUND;
    if (op_flags &
        ~(TRK_OP_IGNORES_ATC | TRK_OP_RESISTS | TRK_OP_XPDR_NOT_AS_TOLD | TRK_OP_CONFIRMED))
        return CAIRN_E_INVAL;
    t->slots[s].pub.op_flags = op_flags;
    return 0;
}

int trk_check(const struct trk_table *t)
{
    size_t live = 0, in_grid = 0;
    for (size_t i = 0; i < t->cap; i++) {
        const struct slot *p = &t->slots[i];
        const struct trk_track *k = &p->pub;
        if (k->status == TRK_ST_FREE)
            continue;
        if (k->id == 0 || idx_get(t, ikey(KEY_ID, k->id)) != (int32_t)i) /* T3 */
            return CAIRN_E_STATE;
        if (k->status == TRK_ST_DELETED) {
            if ((k->ids & TRK_ID_ICAO) && idx_get(t, ikey(KEY_ICAO, k->icao)) == (int32_t)i)
                return CAIRN_E_STATE; /* T2 */
            if ((k->ids & TRK_ID_MMSI) && idx_get(t, ikey(KEY_MMSI, k->mmsi)) == (int32_t)i)
                return CAIRN_E_STATE;
            continue;
        }
        live++;
        if ((k->ids & TRK_ID_ICAO) && idx_get(t, ikey(KEY_ICAO, k->icao)) != (int32_t)i)
            return CAIRN_E_STATE; /* T2 */
        if ((k->ids & TRK_ID_MMSI) && idx_get(t, ikey(KEY_MMSI, k->mmsi)) != (int32_t)i)
            return CAIRN_E_STATE;
        if (!(k->t_first_ms <= k->t_last_ms && k->t_last_ms <= k->t_state_ms))
            return CAIRN_E_STATE; /* T4 */
        double sum = 0.0;
        for (int j = 0; j < TRK_IMM_M; j++) {
            if (!(p->f.mu[j] >= 0.99e-4))
                return CAIRN_E_STATE; /* T5 */
            sum += p->f.mu[j];
        }
        if (fabs(sum - 1.0) > 1e-9 || !(p->f.Pc[TRK_IMM_LT(0, 0)] > 0.0) ||
            !(p->f.Pc[TRK_IMM_LT(1, 1)] > 0.0) || !(p->f.Pc[TRK_IMM_LT(2, 2)] > 0.0) ||
            !(p->f.Pc[TRK_IMM_LT(3, 3)] > 0.0))
            return CAIRN_E_STATE;
        if (t->cfg.trail_len) { /* T6 */
            if (p->trail_n > t->cfg.trail_len)
                return CAIRN_E_STATE;
            size_t L = t->cfg.trail_len;
            for (size_t n = 1; n < p->trail_n; n++)
                if (t->trail[i * L + (p->trail_head + n) % L].t_ms <
                    t->trail[i * L + (p->trail_head + n - 1) % L].t_ms)
                    return CAIRN_E_STATE;
        }
        /* T8 */
        if (k->primary_only_scans > 0 && k->last_src_ms[TRK_SOURCE_PSR] < last_coop_ms(k))
            return CAIRN_E_STATE;
        if (p->coop_ms != last_coop_ms(k)) /* kept by note_update */
            return CAIRN_E_STATE;
    }
    /* T1: every live track once in the grid, in the list of its bucket */
    for (size_t b = 0; b <= t->gmask; b++) {
        int32_t prev = -1;
        for (int32_t s = t->gheads[b]; s >= 0; s = t->gnode[s].next) {
            const struct slot *p = &t->slots[s];
            if (!is_live(p) || gbucket(t, t->gnode[s].cell) != b || t->gnode[s].prev != prev)
                return CAIRN_E_STATE;
            if (++in_grid > t->cap)
                return CAIRN_E_STATE;
            prev = s;
        }
    }
    if (live != t->live || in_grid != live)
        return CAIRN_E_STATE;
    return 0;
}
