/*
 * rule_zone.c — ZONE: a track approaching or inside a zone (geo/zones.h:
 * boundaries, territorial sea and airspace, special caution areas,
 * notified exercise areas) that applies to it, while the zone is active.
 *
 *   entry      the track's position now is inside the zone (and, for an
 *              aircraft with a known altitude, between floor and ceiling).
 *   approach   outside, but within the zone's approach distance of its
 *              boundary, or the straight line along the velocity enters it
 *              within zone_lookahead_ms (the text gives the time to entry).
 *
 * Severity by kind (approach / entry): boundary CAUTION / WARNING,
 * territorial CAUTION / ALERT, caution INFO / CAUTION, exercise CAUTION /
 * WARNING. Key: zone index + 1 and the track id; the signature is approach
 * or entry, so an approach that becomes an entry is UPDATED.
 *
 * Which tracks: aircraft and vessels by kind; a track of unknown kind is
 * taken as an aircraft when not slow (TRK_F_SLOW), as a vessel when slow
 * but moving (sea_moving_mps), and as clutter when stationary. A track
 * without altitude is judged horizontally ("altitude unknown"); a vessel is
 * at 0 ft for the vertical limits. Vertical limits use the altitude now
 * (no climb into a zone is predicted).
 *
 * Cost: per track, one bounding-box test per zone; only tracks within the
 * approach distance plus the look-ahead travel of a zone's box reach the
 * polygon (zones.c: own code in the zone's plane, no allocation).
 */
#include <math.h>
#include <stdio.h>

#include "detect/rule.h"
#include "geo/zones.h"

static const uint8_t sev[GEO_ZONE_KIND_N][2] = {
    [GEO_ZONE_BOUNDARY] = {DET_SEV_CAUTION, DET_SEV_WARNING},
    [GEO_ZONE_TERRITORIAL] = {DET_SEV_CAUTION, DET_SEV_ALERT},
    [GEO_ZONE_CAUTION] = {DET_SEV_INFO, DET_SEV_CAUTION},
    [GEO_ZONE_EXERCISE] = {DET_SEV_CAUTION, DET_SEV_WARNING},
};

static const char *const kind_text[GEO_ZONE_KIND_N] = {
    [GEO_ZONE_BOUNDARY] = "boundary zone",
    [GEO_ZONE_TERRITORIAL] = "territorial zone",
    [GEO_ZONE_CAUTION] = "caution area",
    [GEO_ZONE_EXERCISE] = "exercise area",
};

/* GEO_ZONE_FOR_* the track counts as; 0: none (clutter). */
static unsigned track_for(const struct det_ctx *c, const struct trk_track *t)
{
    if (t->kind == TRK_KIND_VESSEL)
        return GEO_ZONE_FOR_VESSEL;
    if (t->kind == TRK_KIND_AIRCRAFT)
        return GEO_ZONE_FOR_AIRCRAFT;
    if (!(t->flags & TRK_F_SLOW))
        return GEO_ZONE_FOR_AIRCRAFT;
    return t->gs_mps >= c->cfg->sea_moving_mps ? GEO_ZONE_FOR_VESSEL : 0;
}

/* Between floor and ceiling, each moved out by margin_ft. */
static int in_band(const struct geo_zone *z, double alt_ft, double margin_ft)
{
    return (!z->has_floor || alt_ft >= z->floor_ft - margin_ft) &&
           (!z->has_ceiling || alt_ft <= z->ceiling_ft + margin_ft);
}

static int one(const struct det_ctx *c, size_t i, size_t zi, unsigned for_)
{
    const struct geo_zone *z = &c->zones->z[zi];
    const struct trk_track *t = &c->tracks[i];
    if (!geo_zone_active(z, c->now_ms) || !(z->applies & for_))
        return 0;
    /* Hysteresis: an alert already open for this zone and track stays while
     * the track is within the approach distance and look-ahead enlarged by
     * the same margin as SEPARATION's (sep_hyst), so a track skirting the
     * distance or turning at the look-ahead's edge does not flap; and while
     * within zone_v_margin_ft beyond the floor and the ceiling (an aircraft
     * level at the ceiling with Mode C noise). */
    uint64_t key = ((uint64_t)(zi + 1) << 32) | t->id;
    int live = det_live(c, DET_RULE_ZONE, key) != NULL;
    int alt_known = for_ == GEO_ZONE_FOR_VESSEL || c->alt_ft[i] == c->alt_ft[i];
    double alt_ft = for_ == GEO_ZONE_FOR_VESSEL ? 0.0 : c->alt_ft[i];
    if (alt_known && !in_band(z, alt_ft, live ? c->cfg->zone_v_margin_ft : 0.0))
        return 0;
    double hk = live ? 1.0 + c->cfg->sep_hyst : 1.0;
    double approach_m = z->approach_m * hk;
    double T = (double)c->cfg->zone_lookahead_ms / 1000.0 * hk;
    double gs = t->gs_mps > c->cfg->max_speed_mps ? c->cfg->max_speed_mps : t->gs_mps;
    double lon = det_lon_true(c, c->lon[i]); /* zones are in true longitudes */
    if (!geo_zone_bbox_near(z, c->lat[i], lon, approach_m + gs * T + 1000.0))
        return 0;
    struct geo_zone_xy p;
    geo_zone_project(z, c->lat[i], lon, &p);
    int inside = geo_zone_contains_xy(z, &p);
    double dist = geo_zone_boundary_xy(z, &p);
    double t_entry = -1.0;
    /* the straight line says where a track goes only while it flies
     * straight: a turning track (an aircraft orbiting or working an area)
     * is judged by its distance alone, unless its alert is already open;
     * a turn seen once on radar (turn_cand) already says it is not
     * flying straight */
    int straight = (c->turn_rps[i] == 0.0 && !(c->turn_cand && c->turn_cand[i])) || hk > 1.0;
    if (!inside && gs > 0.5 && T > 0 && straight) {
        double ml = c->m_lat[i], mo = c->m_lon[i]; /* det_m_per_deg(c->lat[i]) */
        double dlo = t->ve_mps * T / mo;
        double la = c->lat[i] + t->vn_mps * T / ml, lo = lon + dlo;
        /* a line across 180 goes on at -180 + its excess (the zone's
         * plane takes any longitude; a ring may end on 180); a line half
         * round the parallel or more (near a pole) is no straight line */
        if (lo > 180.0)
            lo -= 360.0;
        else if (lo < -180.0)
            lo += 360.0;
        if (la > -90.0 && la < 90.0 && fabs(dlo) < 180.0 && lo >= -180.0 && lo <= 180.0) {
            struct geo_zone_xy b;
            geo_zone_project(z, la, lo, &b);
            double s = geo_zone_first_crossing_xy(z, &p, &b);
            if (s >= 0)
                t_entry = s * T;
        }
    }
    if (!inside && dist > approach_m && t_entry < 0)
        return 0;
    struct det_hit h = {
        .rule = DET_RULE_ZONE,
        .severity = sev[z->kind][inside],
        .key = key,
        .sig = inside ? 2 : 1,
        .n_parties = 1,
        .parties = {t},
        .lat_deg = c->lat[i],
        .lon_deg = c->lon[i],
        .n_values = 5,
        .values = {{"inside", (double)inside},
                   {"boundary_nm", dist / 1852.0},
                   {"entry_s", t_entry},
                   {"alt_ft", alt_known ? alt_ft : -1.0},
                   {"zone", (double)zi}},
        .hypothesis = t_entry >= 0 && !inside ? "straight" : NULL,
    };
    char who[80], name[GEO_ZONE_NAME_LEN], alt[32] = "";
    det_label(t, who, sizeof who);
    det_clean(name, sizeof name, z->name);
    if (!alt_known)
        snprintf(alt, sizeof alt, " (altitude unknown)");
    if (inside)
        det_textf(h.text, sizeof h.text,
                  "Zone entry: %s%s is inside %s \"%s\", %.1f NM from its edge.", who, alt,
                  kind_text[z->kind], name, dist / 1852.0);
    else if (t_entry >= 0)
        det_textf(h.text, sizeof h.text,
                  "Zone approach: %s%s is %.1f NM from %s \"%s\" and enters it in %.0f s on its "
                  "course.",
                  who, alt, dist / 1852.0, kind_text[z->kind], name, t_entry);
    else
        det_textf(h.text, sizeof h.text, "Zone approach: %s%s is %.1f NM from %s \"%s\".", who, alt,
                  dist / 1852.0, kind_text[z->kind], name);
    return det_report(c, &h);
}

static int evaluate(const struct det_ctx *c)
{
    if (!c->zones || c->zones->n == 0)
        return 0;
    int rc = 0;
    for (size_t i = 0; i < c->n; i++) {
        if (!c->live[i])
            continue;
        const struct trk_track *t = &c->tracks[i];
        unsigned for_ = track_for(c, t);
        if (!for_ || t->on_ground)
            continue;
        for (size_t zi = 0; zi < c->zones->n; zi++) {
            int e = one(c, i, zi, for_);
            if (e && !rc)
                rc = e;
        }
    }
    return rc;
}

const struct det_rule det_rule_zone = {"ZONE", DET_RULE_ZONE, evaluate};
