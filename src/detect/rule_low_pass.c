/*
 * rule_low_pass.c — LOW_PASS: an aircraft low and close over a vessel, the
 * passes of each (aircraft, vessel) pair counted. The 1972 Incidents at
 * Sea agreement forbids simulated attacks on ships and aerobatics over
 * them; repeated low passes by an aircraft without transponder over a
 * warship are the incident ../shared/docs/domain.md section 3 lists.
 *
 *   low and close   below low_alt_ft (1,000 ft; pressure altitude taken as
 *                   height over the sea) or without altitude (a primary-only
 *                   track: the text says "altitude unknown"), and within
 *                   low_h_m (1 NM) of the vessel horizontally.
 *   a pass          begins when the pair becomes low and close and ends
 *                   when the aircraft is farther than low_away_m (2 NM);
 *                   the pass count goes up at each beginning.
 *   the alert       open from the first pass, CAUTION; WARNING from the
 *                   second; UPDATED at every new pass (the signature is the
 *                   count). It stays live between passes while the aircraft
 *                   is within low_keep_m (25 NM) of the vessel and its last
 *                   pass is at most low_keep_ms (15 min) old; afterwards it
 *                   clears after the hold. The count is remembered as long
 *                   as the last pass is that recent.
 * Aircraft: kind aircraft not on the ground, or kind unknown faster than
 * low_min_unknown_mps (30 m/s: no vessel is). Key: aircraft id in the high
 * half, vessel id in the low half.
 *
 * Pair memory (struct det_low_tab, rule.h): two open-addressing tables of
 * 2 x low_pairs buckets allocated by det_new. Lookups and inserts go to the
 * current table; at the end of each evaluation the pairs still remembered
 * are carried into the other table (a pair not seen within low_keep_m this
 * time has its pass ended) and the tables swap. A full table drops the new
 * pair's memory (stats.low_full) and reports it as a first pass. Cost: per
 * vessel, the grid cells within low_h_m, and within low_keep_m only for a
 * vessel that may have a remembered pair or has a track within low_h_m
 * (low_radius); per evaluation, one sweep of the table.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "detect/rule.h"

static size_t slot_of(const struct det_low_tab *lt, const struct det_low_pair *tab, uint32_t air,
                      uint32_t ves)
{
    uint64_t k = ((uint64_t)air << 32 | ves) * 0x9E3779B97F4A7C15ull;
    size_t h = (size_t)(k >> 20) & lt->mask;
    while (tab[h].air && (tab[h].air != air || tab[h].ves != ves))
        h = (h + 1) & lt->mask;
    return h;
}

/* The set of aircraft ids with a remembered pair (det_low_tab.air). */
static size_t air_bucket(const struct det_low_tab *lt, uint32_t id)
{
    return (size_t)(((uint64_t)id * 0x9E3779B97F4A7C15ull) >> 24) & lt->air_mask;
}

/* The bit of id in det_low_tab.air_bits. */
static size_t air_bit(uint32_t id)
{
    return (size_t)(((uint64_t)id * 0x9E3779B97F4A7C15ull) >> 49) & (DET_LOW_AIR_BITS - 1);
}

/* 0 when id is surely not in the set (its bit is clear). */
static int air_maybe(const struct det_low_tab *lt, uint32_t id)
{
    size_t b = air_bit(id);
    return (int)(lt->air_bits[b / 64] >> (b % 64)) & 1;
}

/* 0 when vessel id surely has no remembered pair (its bit is clear). */
static int ves_maybe(const struct det_low_tab *lt, uint32_t id)
{
    size_t b = air_bit(id);
    return (int)(lt->ves_bits[b / 64] >> (b % 64)) & 1;
}

static void ves_add(struct det_low_tab *lt, uint32_t id)
{
    size_t b = air_bit(id);
    lt->ves_bits[b / 64] |= 1ull << (b % 64);
}

static void air_add(struct det_low_tab *lt, uint64_t gen, uint32_t id)
{
    size_t b = air_bit(id);
    lt->air_bits[b / 64] |= 1ull << (b % 64);
    size_t h = air_bucket(lt, id);
    while (lt->air[h].gen == gen) {
        if (lt->air[h].id == id)
            return;
        h = (h + 1) & lt->air_mask;
    }
    lt->air[h].gen = gen;
    lt->air[h].id = id;
}

static int air_has(const struct det_low_tab *lt, uint64_t gen, uint32_t id)
{
    for (size_t h = air_bucket(lt, id); lt->air[h].gen == gen; h = (h + 1) & lt->air_mask)
        if (lt->air[h].id == id)
            return 1;
    return 0;
}

static int aircraft(const struct det_ctx *c, size_t j)
{
    const struct trk_track *t = &c->tracks[j];
    if (!c->live[j] || t->on_ground)
        return 0;
    return t->kind == TRK_KIND_AIRCRAFT ||
           (t->kind == TRK_KIND_UNKNOWN && t->gs_mps >= c->cfg->low_min_unknown_mps);
}

struct near_arg {
    const struct det_ctx *c;
    size_t ves;
    double ml, mo;
    int rc;
};

/* Track j at h metres from the vessel (tracks farther than low_keep_m,
 * vessels and tracks that are no aircraft do nothing). */
static void visit(struct near_arg *na, size_t j, double h)
{
    const struct det_ctx *c = na->c;
    const struct det_config *cfg = c->cfg;
    size_t i = na->ves;
    if (h > cfg->low_keep_m || !aircraft(c, j))
        return;
    const struct trk_track *a = &c->tracks[j], *v = &c->tracks[i];
    int alt_known = c->alt_ft[j] == c->alt_ft[j]; /* det_alt_known */
    int close = (!alt_known || (double)a->alt_ft < cfg->low_alt_ft) && h < cfg->low_h_m;
    struct det_low_tab *lt = c->low;
    struct det_low_pair *tab = lt->tab[lt->cur];
    size_t s = slot_of(lt, tab, a->id, v->id);
    struct det_low_pair *p = tab[s].air ? &tab[s] : NULL;
    struct det_low_pair lone = {0};
    if (!p && close) {
        if (lt->used[lt->cur] < lt->cap) {
            p = &tab[s];
            memset(p, 0, sizeof *p);
            p->air = a->id;
            p->ves = v->id;
            lt->used[lt->cur]++;
            air_add(lt, c->eval_no, a->id);
            ves_add(lt, v->id);
        } else {
            c->stats->low_full++;
            p = &lone; /* reported, not remembered */
        }
    }
    if (!p)
        return;
    p->in_pass |= 2; /* seen this evaluation (bit 1, cleared by the sweep) */
    if (close) {
        if (!(p->in_pass & 1)) {
            p->passes = p->passes < UINT16_MAX ? (uint16_t)(p->passes + 1) : p->passes;
            p->in_pass |= 1;
            p->min_h_m = h;
        }
        if (h < p->min_h_m)
            p->min_h_m = h;
        p->t_close_ms = c->now_ms;
    } else if ((p->in_pass & 1) && h > cfg->low_away_m) {
        p->in_pass &= (uint8_t)~1u;
    }
    if (c->now_ms - p->t_close_ms > cfg->low_keep_ms)
        return;
    struct det_hit hit = {
        .rule = DET_RULE_LOW_PASS,
        .severity = p->passes >= 2 ? DET_SEV_WARNING : DET_SEV_CAUTION,
        .key = ((uint64_t)a->id << 32) | v->id,
        .sig = p->passes,
        .n_parties = 2,
        .parties = {a, v},
        .lat_deg = c->lat[i],
        .lon_deg = c->lon[i],
        .n_values = 4,
        .values = {{"passes", (double)p->passes},
                   {"horiz_nm", h / 1852.0},
                   {"alt_ft", alt_known ? (double)a->alt_ft : -1.0},
                   {"closest_nm", p->min_h_m / 1852.0}},
    };
    char wa[80], wv[80], alt[32];
    det_label(a, wa, sizeof wa);
    det_label(v, wv, sizeof wv);
    if (alt_known)
        det_textf(alt, sizeof alt, "at %d ft", (int)a->alt_ft);
    else
        det_textf(alt, sizeof alt, "altitude unknown");
    if (close)
        det_textf(hit.text, sizeof hit.text, "Low pass %u over %s: %s, %s, %.2f NM away.",
                  (unsigned)p->passes, wv, wa, alt, h / 1852.0);
    else
        det_textf(hit.text, sizeof hit.text,
                  "Low passes over %s: %s made %u, the last %.0f s ago (closest %.2f NM); now "
                  "%.1f NM away, %s.",
                  wv, wa, (unsigned)p->passes, (double)(c->now_ms - p->t_close_ms) / 1000.0,
                  p->min_h_m / 1852.0, h / 1852.0, alt);
    int e = det_report(c, &hit);
    if (e && !na->rc)
        na->rc = e;
}

static int near_fn(void *arg, size_t j)
{
    struct near_arg *na = arg;
    const struct det_ctx *c = na->c;
    /* the compact arrays first (kind, position): most tracks near a vessel
     * are far or are vessels themselves */
    if (!c->live[j] || c->kind[j] == TRK_KIND_VESSEL)
        return 0;
    size_t i = na->ves;
    double dn = (c->lat[j] - c->lat[i]) * na->ml, de = (c->lon[j] - c->lon[i]) * na->mo;
    visit(na, j, sqrt(dn * dn + de * de));
    return 0;
}

/* Carry the pairs still remembered into the other table and swap. */
static void sweep(const struct det_ctx *c)
{
    struct det_low_tab *lt = c->low;
    struct det_low_pair *from = lt->tab[lt->cur], *to = lt->tab[!lt->cur];
    size_t nb = lt->mask + 1;
    if (lt->used[!lt->cur])
        memset(to, 0, nb * sizeof *to);
    lt->used[!lt->cur] = 0;
    if (lt->used[lt->cur]) {
        for (size_t k = 0; k < nb; k++) {
            struct det_low_pair p = from[k];
            if (!p.air || c->now_ms - p.t_close_ms > c->cfg->low_keep_ms)
                continue;
            if (!(p.in_pass & 2))
                p.in_pass = 0; /* not within low_keep_m: the pass is over */
            p.in_pass &= 1;
            to[slot_of(lt, to, p.air, p.ves)] = p;
            lt->used[!lt->cur]++;
        }
        memset(from, 0, nb * sizeof *from);
        lt->used[lt->cur] = 0;
    }
    lt->cur = !lt->cur;
}

/*
 * The positions of the spans within about low_keep_m of (lat, lon), four
 * at a time: a lane whose squared distance (the scalar expressions of the
 * loop below, lane by lane, no FMA) exceeds lim2 is left out. lim2 is
 * low_keep_m squared and a part in 10^9 more, so a position left out has
 * a distance above low_keep_m however the square root rounds: the loop
 * below would skip it. The arrays have DET_PAD elements beyond max_tracks
 * (rule.h): lanes past a span's end are masked. Ascending, into out (room
 * for every position of the spans); returns the count.
 */
typedef double low_v4 __attribute__((vector_size(32)));
typedef long long low_v4i __attribute__((vector_size(32)));
#define LOW_SPLAT(a) ((low_v4){(a), (a), (a), (a)})

struct low_near {
    const double *g_lat, *g_lon;
    double lat, lon, ml, mo, lim2;
};

static inline __attribute__((always_inline)) size_t
low_near(const struct low_near *f, const struct det_span *sp, size_t ns, uint32_t *out)
{
    size_t n = 0;
    for (size_t s = 0; s < ns; s++) {
        for (size_t q = sp[s].from; q < sp[s].to; q += 4) {
            low_v4 a, b;
            memcpy(&a, f->g_lat + q, sizeof a);
            memcpy(&b, f->g_lon + q, sizeof b);
            low_v4 dn = (a - LOW_SPLAT(f->lat)) * LOW_SPLAT(f->ml);
            low_v4 de = (b - LOW_SPLAT(f->lon)) * LOW_SPLAT(f->mo);
            low_v4i in = (dn * dn + de * de <= LOW_SPLAT(f->lim2)) & (low_v4i){1, 2, 4, 8};
            unsigned m = (unsigned)(in[0] | in[1] | in[2] | in[3]);
            if (sp[s].to - q < 4) /* the lanes past the span's end */
                m &= (1u << (sp[s].to - q)) - 1u;
            for (; m; m &= m - 1)
                out[n++] = (uint32_t)(q + (size_t)__builtin_ctz(m));
        }
    }
    return n;
}

#define LOW_NEAR_ARGS const struct low_near *f, const struct det_span *sp, size_t ns, uint32_t *out

static size_t low_near_sse2(LOW_NEAR_ARGS)
{
    return low_near(f, sp, ns, out);
}

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target("avx2"))) static size_t low_near_avx2(LOW_NEAR_ARGS)
{
    return low_near(f, sp, ns, out);
}

static size_t low_near_any(LOW_NEAR_ARGS)
{
    static int avx2 = -1; /* the same answer from every thread: a benign race */
    if (avx2 < 0)
        avx2 = __builtin_cpu_supports("avx2") ? 1 : 0;
    return avx2 ? low_near_avx2(f, sp, ns, out) : low_near_sse2(f, sp, ns, out);
}
#else
static size_t low_near_any(LOW_NEAR_ARGS)
{
    return low_near_sse2(f, sp, ns, out);
}
#endif

/* The search radius around vessel i: low_keep_m, or for a vessel surely
 * without a remembered pair (and not near a pole, where the searches'
 * cells are clamped) low_h_m and a margin, the cells any track within
 * low_h_m of it lies in (det_grid_spans covers radius / 110,000 degrees,
 * and a degree is longer than 110 km on the ground). */
static double low_radius(const struct det_ctx *c, size_t i)
{
    double keep = c->cfg->low_keep_m, near = c->cfg->low_h_m * 1.001 + 1.0;
    if (near < keep && fabs(c->lat[i]) < 85.0 && !ves_maybe(c->low, c->id[i]))
        return near;
    return keep;
}

/* 1 when a track that is not a vessel lies in the spans with the squared
 * distance of the loop in evaluate at most close2. */
static int low_any_close(const struct det_ctx *c, const struct det_span *sp, size_t ns, double lat,
                         double lon, double ml, double mo, double close2)
{
    for (size_t s = 0; s < ns; s++)
        for (size_t q = sp[s].from; q < sp[s].to; q++) {
            double dn = (c->g_lat[q] - lat) * ml, de = (c->g_lon[q] - lon) * mo;
            if (dn * dn + de * de <= close2 && c->g_kind[q] != TRK_KIND_VESSEL)
                return 1;
        }
    return 0;
}

static int evaluate(const struct det_ctx *c)
{
    struct near_arg na = {c, 0, 0, 0, 0};
    struct det_low_tab *lt = c->low;
    const struct det_low_pair *tab = lt->tab[lt->cur];
    memset(lt->air_bits, 0, sizeof lt->air_bits);
    memset(lt->ves_bits, 0, sizeof lt->ves_bits);
    if (lt->used[lt->cur])
        for (size_t b = 0; b <= lt->mask; b++)
            if (tab[b].air) {
                air_add(lt, c->eval_no, tab[b].air);
                ves_add(lt, tab[b].ves);
            }
    double close2 = c->cfg->low_h_m * c->cfg->low_h_m * (1 + 1e-9);
    struct det_ahead ahead;
    det_ahead_init(&ahead);
    const double *const arrays[4] = {c->g_lat, c->g_lon, NULL, NULL};
    for (size_t k = 0; k < c->n_vessels; k++) { /* live vessels */
        size_t i = c->vessels[k];
        na.ves = i;
        na.ml = c->m_lat[i]; /* det_m_per_deg(c->lat[i]), made once by det_evaluate */
        na.mo = c->m_lon[i];
        if (c->cfg->all_pairs) {
            det_grid_near(c, c->lat[i], c->lon[i], c->cfg->low_keep_m, near_fn, &na);
            continue;
        }
        /* The same visit in the same order (det_grid_near's cells), the
         * distance from the positions in the grid's order, read one after
         * the other: most tracks in the cells are beyond low_keep_m. */
        if (k + 2 < c->n_vessels) { /* the cells of the vessel two ahead */
            size_t f = c->vessels[k + 2];
            det_ahead_put(c, &ahead, k + 2, c->lat[f], c->lon[f], low_radius(c, f), arrays);
        }
        struct det_span sp[DET_GRID_ROWS];
        double lat = c->lat[i], lon = c->lon[i], keep = c->cfg->low_keep_m;
        double radius = low_radius(c, i);
        size_t ns = det_ahead_get(c, &ahead, k, lat, lon, radius, sp);
        if (radius < keep) {
            /* No remembered pair: a visit changes something only for a
             * track within low_h_m (a new pair), and every such track lies
             * in these cells. None: the vessel is done. Some: the whole
             * search, as for a vessel with pairs. */
            if (!low_any_close(c, sp, ns, lat, lon, na.ml, na.mo, close2))
                continue;
            ns = det_grid_spans(c, lat, lon, keep, SIZE_MAX, sp);
        }
        struct low_near f = {c->g_lat, c->g_lon, lat, lon, na.ml, na.mo, keep * keep * (1 + 1e-9)};
        uint32_t *pos = c->scratch; /* the positions low_near keeps, ascending */
        size_t np = low_near_any(&f, sp, ns, pos);
        for (size_t p = 0; p < np; p++) {
            size_t q = pos[p];
            if (c->g_kind[q] == TRK_KIND_VESSEL) /* the grid: live tracks */
                continue;
            double dn = (c->g_lat[q] - lat) * na.ml, de = (c->g_lon[q] - lon) * na.mo;
            double d2 = dn * dn + de * de;
            /* surely not within low_h_m (a part in 10^9 as above) and
             * surely in no remembered pair: skipped below, without the
             * square root */
            if (d2 > close2 && !air_maybe(lt, c->g_id[q]))
                continue;
            double h = sqrt(d2);
            if (h > keep)
                continue;
            /* not close (whatever its altitude) and in no remembered
             * pair: visit would do nothing, and need not read the
             * track to find that out */
            if (h >= c->cfg->low_h_m && !air_has(lt, c->eval_no, c->g_id[q]))
                continue;
            visit(&na, c->grid->order[q], h);
        }
    }
    sweep(c);
    return na.rc;
}

const struct det_rule det_rule_low_pass = {"LOW_PASS", DET_RULE_LOW_PASS, evaluate};
