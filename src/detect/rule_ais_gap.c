/*
 * rule_ais_gap.c — AIS_GAP: a vessel whose AIS has gone silent.
 *
 * The normal interval of a vessel is what the tracker learnt from its AIS
 * receivers (trk_track.sensors[].interval_ms of the sensors that gave AIS,
 * the shortest; an exponential average of the gaps seen, track.c), but
 * never less than ais_slow_interval_ms (180 s) for a vessel slower than
 * ais_slow_mps (3 kt): ITU-R M.1371-5 Annex 1 Table 1 lets a Class A ship
 * at anchor or moored report every 3 minutes and a Class B unit below 2 kt
 * too, and the tracker starts every AIS sensor at 10 s before it has
 * learnt anything. A gap is the time since trk_track.last_src_ms[AIS].
 *
 *   tolerance  max(ais_gap_min_ms, ais_gap_k x interval): 90 s and 5
 *              intervals — a receiver misses a few reports of a distant
 *              ship as a matter of course; a ship under way at 10 s that
 *              stops for 2 minutes is over it, a ship at anchor at 3
 *              minutes is not (15 minutes).
 *   near a zone  within ais_zone_near_m (20 NM) of the boundary of an
 *              active zone for vessels, or inside one: the shorter
 *              max(ais_gap_min_near_ms, ais_gap_k_near x interval) (60 s,
 *              3 intervals) and WARNING instead of CAUTION — a ship going
 *              dark on the way into territorial waters or an exercise area
 *              is the case that matters.
 * Once raised, the alert lasts while the gap is over the shorter of the
 * two tolerances (the silence has not ended: a ship leaving the 20 NM does
 * not clear and reopen under a new id), and near holds while within
 * ais_zone_near_m enlarged by sep_hyst (24 NM: a band, so that a ship
 * along 20 NM does not flap between WARNING and CAUTION).
 * Key: the track id; signature: the severity. The alert clears (after the
 * hold) when AIS is heard again, or when the tracker drops the track (an
 * AIS-only track is deleted after min_life_sea_ms, 10 min: track.h).
 */
#include <math.h>
#include <stdio.h>

#include "detect/rule.h"
#include "geo/zones.h"

static int64_t interval_ms(const struct det_ctx *c, const struct trk_track *t)
{
    int64_t iv = 0;
    unsigned n = t->n_sensors < TRK_MAX_SENSORS ? t->n_sensors : TRK_MAX_SENSORS;
    for (unsigned k = 0; k < n; k++) {
        const struct trk_sensor_seen *s = &t->sensors[k];
        if ((s->src_mask & TRK_SRC_BIT(TRK_SOURCE_AIS)) && s->interval_ms > 0 &&
            (iv == 0 || s->interval_ms < iv))
            iv = s->interval_ms;
    }
    if (iv == 0)
        iv = 10000; /* the tracker's default for AIS */
    if (t->gs_mps < c->cfg->ais_slow_mps && iv < c->cfg->ais_slow_interval_ms)
        iv = c->cfg->ais_slow_interval_ms;
    return iv;
}

/* The nearest active zone for vessels: its index and distance (0 inside),
 * or -1 when none within near_m. */
static long nearest_zone(const struct det_ctx *c, size_t i, double near_m, double *dist_m)
{
    long best = -1;
    *dist_m = INFINITY;
    if (!c->zones)
        return -1;
    double lon = det_lon_true(c, c->lon[i]); /* zones are in true longitudes */
    for (size_t zi = 0; zi < c->zones->n; zi++) {
        const struct geo_zone *z = &c->zones->z[zi];
        if (!(z->applies & GEO_ZONE_FOR_VESSEL) || !geo_zone_active(z, c->now_ms) ||
            (z->has_floor && z->floor_ft > 0) || !geo_zone_bbox_near(z, c->lat[i], lon, near_m))
            continue;
        struct geo_zone_xy p;
        geo_zone_project(z, c->lat[i], lon, &p);
        double d = geo_zone_contains_xy(z, &p) ? 0.0 : geo_zone_boundary_xy(z, &p);
        if (d <= near_m && d < *dist_m) {
            *dist_m = d;
            best = (long)zi;
        }
    }
    return best;
}

static int evaluate(const struct det_ctx *c)
{
    const struct det_config *cfg = c->cfg;
    int rc = 0;
    for (size_t k = 0; k < c->n_vessels; k++) { /* live vessels */
        size_t i = c->vessels[k];
        const struct trk_track *t = &c->tracks[i];
        int64_t last = t->last_src_ms[TRK_SOURCE_AIS];
        if (t->kind != TRK_KIND_VESSEL || last <= 0 || last > c->now_ms)
            continue;
        int64_t gap = c->now_ms - last, iv = interval_ms(c, t);
        /* cheapest test first: not even over the shortest tolerance */
        int64_t tol_near = (int64_t)cfg->ais_gap_k_near * iv;
        if (tol_near < cfg->ais_gap_min_near_ms)
            tol_near = cfg->ais_gap_min_near_ms;
        int64_t tol_far = (int64_t)cfg->ais_gap_k * iv;
        if (tol_far < cfg->ais_gap_min_ms)
            tol_far = cfg->ais_gap_min_ms;
        if (gap <= tol_near && gap <= tol_far)
            continue;
        /* a live alert: the silence goes on while the gap is over the
         * shorter tolerance (above), and near holds within the band */
        const struct det_alert *live = det_live(c, DET_RULE_AIS_GAP, t->id);
        double near_m = cfg->ais_zone_near_m;
        if (live && live->severity >= DET_SEV_WARNING)
            near_m *= 1.0 + cfg->sep_hyst;
        double zd;
        long zi = nearest_zone(c, i, near_m, &zd);
        int64_t tol = zi >= 0 ? tol_near : tol_far;
        if (gap <= tol && !live)
            continue;
        struct det_hit h = {
            .rule = DET_RULE_AIS_GAP,
            .severity = zi >= 0 ? DET_SEV_WARNING : DET_SEV_CAUTION,
            .key = t->id,
            .n_parties = 1,
            .parties = {t},
            .lat_deg = c->lat[i],
            .lon_deg = c->lon[i],
            .n_values = 5,
            .values = {{"gap_s", (double)gap / 1000.0},
                       {"interval_s", (double)iv / 1000.0},
                       {"tolerance_s", (double)tol / 1000.0},
                       {"zone_nm", zi >= 0 ? zd / 1852.0 : -1.0},
                       {"ground_speed_kt", t->gs_mps / 0.514444}},
        };
        h.sig = h.severity;
        char who[80], where[120] = "";
        det_label(t, who, sizeof who);
        if (zi >= 0) {
            const struct geo_zone *z = &c->zones->z[zi];
            char name[GEO_ZONE_NAME_LEN];
            det_clean(name, sizeof name, z->name);
            if (zd <= 0.0)
                snprintf(where, sizeof where, ", inside %s zone \"%s\"",
                         geo_zone_kind_name(z->kind), name);
            else
                snprintf(where, sizeof where, ", %.1f NM from %s zone \"%s\"", zd / 1852.0,
                         geo_zone_kind_name(z->kind), name);
        }
        det_textf(h.text, sizeof h.text,
                  "AIS gap: %s silent for %.0f s (normally every %.0f s, tolerance %.0f s)%s.", who,
                  (double)gap / 1000.0, (double)iv / 1000.0, (double)tol / 1000.0, where);
        int e = det_report(c, &h);
        if (e && !rc)
            rc = e;
    }
    return rc;
}

const struct det_rule det_rule_ais_gap = {"AIS_GAP", DET_RULE_AIS_GAP, evaluate};
