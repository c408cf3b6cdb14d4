/*
 * fuzz_fpl.c — libFuzzer target for the flight-plan readers (track/fpl.h).
 *
 * Input: a points file and an FPL file separated by the first line
 * "====" (no separator: the whole input is the FPL file, read with the
 * points of a fixed small file, and also read as a points file). Whatever
 * the parsers accept is then put to work: a store is built and applied to
 * a small track table holding one track per plan (its identities and its
 * first route point), so matching and route distances run on every plan
 * the parser lets through. Error texts must be printable ASCII; deviations
 * must be finite and non-negative when set.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "track/fpl.h"
#include "track/track.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fixed_points[] = "EKCH 55.6179 12.6560\nESSA 59.6519 17.9186\nDUB 53.42 -6.27\n"
                                   "LN 51 -2\nMAY 52 -1\n";

static void check_errors(const struct fpl_errors *e)
{
    if (e->n > FPL_ERRORS_KEPT)
        abort();
    for (uint32_t i = 0; i < e->n; i++)
        for (const char *p = e->e[i].text; *p; p++)
            if (*p < 32 || *p > 126)
                abort();
}

static void exercise(const struct fpl_set *set)
{
    struct fpl_store *st = NULL;
    if (fpl_store_new(set, NULL, &st) != 0)
        return;
    struct trk_config cfg;
    trk_config_default(&cfg);
    cfg.max_tracks = 64;
    cfg.max_batch = 64;
    cfg.trail_len = 0;
    struct trk_table *t = NULL;
    if (trk_new(&cfg, &t) != 0) {
        fpl_store_free(st);
        return;
    }
    int64_t now = 0;
    for (size_t i = 0; i < set->n && i < 32; i++) {
        const struct fpl_plan *p = &set->plans[i];
        if ((p->flags & FPL_P_DOF) && now == 0)
            now = p->eobt_ms + 60000;
        if (fpl_route_distance_m(p, 55.0, 12.0) < 0)
            abort();
        struct trk_meas m;
        memset(&m, 0, sizeof m);
        m.t_ms = now;
        m.sensor_id = 1;
        m.src_mask = (uint8_t)TRK_SRC_BIT(TRK_SOURCE_ADSB);
        m.kind = TRK_KIND_AIRCRAFT;
        m.has = TRK_M_CALLSIGN | TRK_M_SQUAWK;
        snprintf(m.callsign, sizeof m.callsign, "%s", p->ident);
        m.squawk = p->ssr;
        if (p->flags & FPL_P_ICAO) {
            m.has |= TRK_M_ICAO;
            m.icao = p->icao;
        }
        m.lat_deg = p->n_pts ? p->pts[0].lat_deg : 50.0;
        m.lon_deg = p->n_pts ? p->pts[0].lon_deg : 10.0;
        m.sigma_m = 50;
        (void)trk_ingest(t, &m, 1, now, NULL);
    }
    (void)fpl_apply(st, t, now);
    size_t cur = 0;
    const struct trk_track *k;
    while ((k = trk_next(t, &cur)) != NULL)
        if ((k->flags & TRK_F_PLAN_DEV) && !(k->plan_dev_m >= 0 && isfinite(k->plan_dev_m)))
            abort();
    trk_free(t);
    fpl_store_free(st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    const char *sep = NULL;
    for (size_t i = 0; i + 5 <= size; i++) {
        if ((i == 0 || buf[i - 1] == '\n') && memcmp(buf + i, "====\n", 5) == 0) {
            sep = buf + i;
            break;
        }
    }
    const char *pb = fixed_points, *fb = buf;
    size_t pl = sizeof fixed_points - 1, fl = size;
    if (sep) {
        pb = buf;
        pl = (size_t)(sep - buf);
        fb = sep + 5;
        fl = size - pl - 5;
    }
    struct fpl_errors e;
    memset(&e, 0, sizeof e);
    struct fpl_points *pts = NULL;
    if (fpl_points_parse(pb, pl, &pts, &e) != 0)
        return 0;
    check_errors(&e);
    if (!sep) {
        /* the same bytes as a points file too */
        struct fpl_points *q = NULL;
        struct fpl_errors e2;
        memset(&e2, 0, sizeof e2);
        if (fpl_points_parse(buf, size, &q, &e2) == 0) {
            check_errors(&e2);
            double la, lo;
            (void)fpl_points_find(q, "EKCH", 4, &la, &lo);
        }
        fpl_points_free(q);
    }
    struct fpl_set *set = NULL;
    memset(&e, 0, sizeof e);
    if (fpl_parse(fb, fl, pts, &set, &e) == 0) {
        check_errors(&e);
        if (e.ok != set->n)
            abort();
        exercise(set);
    }
    fpl_set_free(set);
    fpl_points_free(pts);
    return 0;
}
