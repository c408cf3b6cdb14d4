/*
 * sim.c — the stepping simulator (model in sim.h, formats and rates in
 * docs/sim.md).
 *
 * One step k:
 *   1. switches: events with t <= k take effect; movers start or end;
 *   2. truth of every active mover at k;
 *   3. reports in [k, k+1): radar beam crossings (CAT048 plots), north
 *      marker and sector crossings (CAT034), ADS-B squitters, AIS messages;
 *      each kind collected, sorted by time and handed to the sink;
 *   4. every active mover moves to k+1 and updates its controls.
 */
#include "sim/sim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/grow.h"
#include "decode/ais/encode.h"
#include "decode/modes/encode.h"
#include "sim/geodesy.h"
#include "sim/rng.h"

/* Random streams: one per purpose, so draws never collide. */
enum {
    RS_PSR = 1,   /* primary detection */
    RS_SSR = 2,   /* missed reply */
    RS_RHO = 3,   /* range noise */
    RS_THETA = 4, /* azimuth noise */
    RS_PHASE = 5, /* ADS-B and AIS transmission phases */
};

#define SECTORS 8 /* CAT034 sector crossings every 45° (sector 0 is the north marker) */

struct vec {
    void *p;
    size_t n, cap, size;
};

static void *vec_push(struct vec *v)
{
    if (grow_array(&v->p, &v->cap, v->n + 1, v->size, 256))
        return NULL;
    void *e = (char *)v->p + v->n++ * v->size;
    memset(e, 0, v->size);
    return e;
}

struct sim {
    const struct sim_scenario *sc;
    int64_t start_ms;
    uint64_t seed;
    int64_t k; /* next step */
    struct sim_state *st;
    struct vec radar, adsb, ais;
    unsigned ais_seq;
    struct sim_stats stats;
};

struct sim *sim_new(const struct sim_scenario *sc, int64_t start_ms, uint64_t seed)
{
    struct sim *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->sc = sc;
    s->start_ms = start_ms;
    s->seed = seed;
    s->st = calloc(sc->n_movers ? sc->n_movers : 1, sizeof *s->st);
    if (!s->st) {
        free(s);
        return NULL;
    }
    s->radar.size = sizeof(struct sim_radar_rec);
    s->adsb.size = sizeof(struct sim_adsb);
    s->ais.size = sizeof(struct sim_ais);
    return s;
}

void sim_free(struct sim *s)
{
    if (!s)
        return;
    free(s->st);
    free(s->radar.p);
    free(s->adsb.p);
    free(s->ais.p);
    free(s);
}

const struct sim_stats *sim_stats(const struct sim *s)
{
    return &s->stats;
}

void sim_state_at(const struct sim_state *st, double dt_s, double *lat_deg, double *lon_deg,
                  double *alt_ft)
{
    if (dt_s <= 0 || st->gs_kt <= 0) {
        *lat_deg = st->lat_deg;
        *lon_deg = st->lon_deg;
    } else {
        sim_geod_direct(st->lat_deg, st->lon_deg, st->track_deg, st->gs_kt * SIM_KT_MPS * dt_s,
                        lat_deg, lon_deg, NULL);
    }
    *alt_ft = st->alt_ft + st->vrate_fpm / 60.0 * dt_s;
}

/* ------------------------------------------------------------ movement */

static double wrap180(double a)
{
    a = fmod(a, 360.0);
    if (a > 180)
        a -= 360;
    if (a <= -180)
        a += 360;
    return a;
}

static double approach(double v, double target, double max_step)
{
    if (target > v + max_step)
        return v + max_step;
    if (target < v - max_step)
        return v - max_step;
    return target;
}

/* Make waypoint wp active: its altitude and speed become targets. */
static void wp_activate(const struct sim_mover *m, struct sim_state *st)
{
    if (st->wp >= m->n_wp)
        return;
    const struct sim_waypoint *w = &m->wp[st->wp];
    if (w->has_alt)
        st->tgt_alt_ft = w->alt_ft;
    if (w->has_gs)
        st->tgt_gs_kt = w->gs_kt;
}

/* Controls at time now_s (seconds from the start) for the next step. */
static void steer(const struct sim_mover *m, struct sim_state *st, double now_s)
{
    double dist = 0, brg = st->track_deg;
    for (int guard = 0; st->wp < m->n_wp && guard < 2; guard++) {
        const struct sim_waypoint *w = &m->wp[st->wp];
        sim_geod_inverse(st->lat_deg, st->lon_deg, w->lat_deg, w->lon_deg, &dist, &brg);
        double v = st->gs_kt * SIM_KT_MPS;
        double radius = m->turn_dps > 0 ? v / (m->turn_dps * M_PI / 180.0) : 0;
        double off = fabs(wrap180(brg - st->track_deg));
        /* Reached: within one step's travel (or 30 m), or abeam inside the
         * turning circle (it would otherwise circle the point for ever). */
        if (dist <= fmax(v, 30.0) || (dist < 2 * radius && off > 90)) {
            st->wp++;
            if (st->wp >= m->n_wp && m->loop)
                st->wp = 0;
            wp_activate(m, st);
            continue;
        }
        if (w->has_t) {
            double left = w->t_s - now_s;
            st->tgt_gs_kt = left >= 1 ? dist / left / SIM_KT_MPS : st->tgt_gs_kt;
        }
        break;
    }
    if (st->wp < m->n_wp) {
        double d = wrap180(brg - st->track_deg);
        double turn = m->turn_dps;
        st->track_deg =
            fmod(st->track_deg + (fabs(d) <= turn ? d : copysign(turn, d)) + 360.0, 360.0);
    }
    st->gs_kt = approach(st->gs_kt, st->tgt_gs_kt, m->accel_kt_s);
    if (st->gs_kt < 0)
        st->gs_kt = 0;
    if (m->kind == SIM_AIRCRAFT) {
        /* the active leg's rate; after the last waypoint, the last leg's */
        const struct sim_waypoint *leg = st->wp < m->n_wp ? &m->wp[st->wp]
                                         : m->n_wp        ? &m->wp[m->n_wp - 1]
                                                          : NULL;
        double rate = leg && leg->has_vrate ? leg->vrate_fpm : m->climb_fpm;
        double want = (st->tgt_alt_ft - st->alt_ft) * 60.0; /* reach it in one step */
        st->vrate_fpm = fmax(-rate, fmin(rate, want));
    } else {
        st->vrate_fpm = 0;
    }
}

static void start_mover(const struct sim_mover *m, struct sim_state *st)
{
    st->active = 1;
    st->lat_deg = m->lat_deg;
    st->lon_deg = m->lon_deg;
    st->alt_ft = m->kind == SIM_AIRCRAFT ? m->alt_ft : 0;
    st->gs_kt = m->gs_kt;
    st->track_deg = m->track_deg;
    st->tgt_alt_ft = st->alt_ft;
    st->tgt_gs_kt = m->gs_kt;
    st->wp = 0;
    wp_activate(m, st);
}

/* Move from k to k+1, then steer for the next step. */
static void advance(const struct sim_mover *m, struct sim_state *st, double next_s)
{
    if (st->gs_kt > 0) {
        double azi2;
        sim_geod_direct(st->lat_deg, st->lon_deg, st->track_deg, st->gs_kt * SIM_KT_MPS,
                        &st->lat_deg, &st->lon_deg, &azi2);
        st->track_deg = azi2 >= 360 ? azi2 - 360 : azi2;
    }
    st->alt_ft += st->vrate_fpm / 60.0;
    steer(m, st, next_s);
}

static void apply_events(const struct sim_mover *m, struct sim_state *st, double now_s)
{
    while (st->ev < m->n_ev && m->ev[st->ev].t_s <= now_s) {
        const struct sim_event *e = &m->ev[st->ev++];
        if (e->has_squawk) {
            st->squawk = e->squawk;
            st->has_squawk = 1;
        }
        if (e->has_transponder)
            st->transponder = e->transponder;
        if (e->has_adsb)
            st->adsb = e->adsb;
        if (e->has_ais)
            st->ais = e->ais;
    }
}

/* ------------------------------------------------------------- sensors */

static int near_any(const struct sim_receiver *r, size_t n, double lat, double lon)
{
    for (size_t i = 0; i < n; i++)
        if (sim_sphere_dist_m(r[i].lat_deg, r[i].lon_deg, lat, lon) <= r[i].range_nm * SIM_NM_M)
            return 1;
    return 0;
}

/* Initial great-circle bearing on a sphere, degrees 0..360: enough to find
 * which step the beam crosses a target in; the plot itself is measured
 * with the geodesic. */
static double sphere_bearing(double lat1, double lon1, double lat2, double lon2)
{
    const double k = M_PI / 180.0;
    double y = sin((lon2 - lon1) * k) * cos(lat2 * k);
    double x =
        cos(lat1 * k) * sin(lat2 * k) - sin(lat1 * k) * cos(lat2 * k) * cos((lon2 - lon1) * k);
    double b = atan2(y, x) / k;
    return b < 0 ? b + 360 : b;
}

static int add_cat034(struct sim *s, uint32_t ri, int64_t t_ms, uint8_t type, double sector_deg)
{
    const struct sim_radar *r = &s->sc->radars[ri];
    struct ax34_service sv;
    memset(&sv, 0, sizeof sv);
    sv.sac = r->sac;
    sv.sic = r->sic;
    sv.type = type;
    sv.tod_s = (double)(t_ms % 86400000) / 1000.0;
    if (type == AX34_SECTOR_CROSSING) {
        sv.has_sector = 1;
        sv.sector_deg = sector_deg;
    } else {
        sv.has_rotation = 1;
        sv.rotation_period_s = r->rotation_s;
    }
    struct sim_radar_rec *rec = vec_push(&s->radar);
    if (!rec)
        return CAIRN_E_NOMEM;
    int n = ax34_encode(&sv, rec->rec, sizeof rec->rec);
    if (n <= 0) {
        s->radar.n--;
        return 0; /* cannot happen for these values; never write a broken record */
    }
    rec->t_ms = t_ms;
    rec->radar = ri;
    rec->mover = UINT32_MAX;
    rec->cat = 34;
    rec->len = (uint8_t)n;
    s->stats.cat034++;
    return 0;
}

/* The plot of mover mi by radar ri at t_ms (inside the current step). */
static int radar_plot(struct sim *s, uint32_t ri, uint32_t mi, int64_t t_ms, double dt_s)
{
    const struct sim_radar *r = &s->sc->radars[ri];
    const struct sim_mover *m = &s->sc->movers[mi];
    const struct sim_state *st = &s->st[mi];
    double lat, lon, alt;
    sim_state_at(st, dt_s, &lat, &lon, &alt);
    double ground, az;
    sim_geod_inverse(r->lat_deg, r->lon_deg, lat, lon, &ground, &az);
    double re = sim_earth_radius_m(r->lat_deg);
    double slant = sim_slant_m(re, r->alt_m, alt * SIM_FT_M, ground);
    double slant_nm = slant / SIM_NM_M;
    uint64_t stream = (uint64_t)ri << 8;
    uint64_t u = (uint64_t)t_ms;
    int psr = slant_nm <= r->psr_range_nm && sim_unif(s->seed, stream | RS_PSR, mi, u) < r->psr_pd;
    int ssr_cap = st->transponder && slant_nm <= r->ssr_range_nm;
    int missed = ssr_cap && sim_unif(s->seed, stream | RS_SSR, mi, u) < r->ssr_miss;
    int ssr = ssr_cap && !missed;
    if (!psr && !ssr)
        return 0;
    struct ax48_report p;
    memset(&p, 0, sizeof p);
    p.sac = r->sac;
    p.sic = r->sic;
    p.tod_s = (double)(t_ms % 86400000) / 1000.0;
    int modes = ssr && m->has_icao;
    p.typ = !ssr    ? AX48_TYP_PSR
            : modes ? (psr ? AX48_TYP_MODES_ROLLCALL_PSR : AX48_TYP_MODES_ROLLCALL)
                    : (psr ? AX48_TYP_SSR_PSR : AX48_TYP_SSR);
    p.has_polar = 1;
    double rho = slant + r->range_sigma_m * sim_gauss(s->seed, stream | RS_RHO, mi, u);
    double theta = az + r->azimuth_sigma_deg * sim_gauss(s->seed, stream | RS_THETA, mi, u);
    p.rho_nm = fmax(0, fmin(rho / SIM_NM_M, 255.99));
    p.theta_deg = fmod(theta + 360.0, 360.0);
    if (ssr) {
        if (st->has_squawk) {
            p.has_mode3a = 1;
            /* typed.h takes the code as an octal number: 07600 */
            p.mode3a = st->squawk;
        }
        p.has_fl = 1;
        /* Mode S reports 25 ft steps, Mode C 100 ft (Annex 10 Vol IV) */
        double step = modes ? 25.0 : 100.0;
        p.alt_fl = floor(alt / step + 0.5) * step / 100.0;
        if (modes) {
            p.has_address = 1;
            p.icao24 = m->icao;
            if (m->callsign[0]) {
                p.has_callsign = 1;
                memcpy(p.callsign, m->callsign, sizeof p.callsign);
            }
        }
    }
    struct sim_radar_rec *rec = vec_push(&s->radar);
    if (!rec)
        return CAIRN_E_NOMEM;
    int n = ax48_encode(&p, rec->rec, sizeof rec->rec);
    if (n <= 0) {
        s->radar.n--;
        return 0; /* out of a field's range (e.g. FL beyond 1500): no plot */
    }
    rec->t_ms = t_ms;
    rec->radar = ri;
    rec->mover = mi;
    rec->cat = 48;
    rec->len = (uint8_t)n;
    s->stats.plots++;
    if (!ssr)
        s->stats.plots_psr_only++;
    if (missed)
        s->stats.plots_missed_reply++;
    return 0;
}

static int radar_step(struct sim *s, uint32_t ri, int64_t k)
{
    const struct sim_radar *r = &s->sc->radars[ri];
    double sweep = 360.0 / r->rotation_s; /* degrees per second, <= 360 */
    double b0 = fmod(r->start_azimuth_deg + sweep * (double)k, 360.0);
    int64_t t0 = s->start_ms + k * 1000;
    /* service messages: boundaries j*45° inside [b0, b0 + sweep) */
    for (int j = 0; j <= 2 * SECTORS; j++) {
        double bd = j * (360.0 / SECTORS);
        if (bd < b0 || bd >= b0 + sweep)
            continue;
        int64_t t = t0 + (int64_t)floor((bd - b0) / sweep * 1000.0 + 0.5);
        int sector = j % SECTORS;
        int rc = add_cat034(s, ri, t, sector == 0 ? AX34_NORTH_MARKER : AX34_SECTOR_CROSSING,
                            sector * (360.0 / SECTORS));
        if (rc)
            return rc;
    }
    double maxr = fmax(r->psr_range_nm, r->ssr_range_nm) * SIM_NM_M;
    for (uint32_t mi = 0; mi < s->sc->n_movers; mi++) {
        const struct sim_state *st = &s->st[mi];
        if (!st->active || s->sc->movers[mi].kind != SIM_AIRCRAFT || st->gs_kt < SIM_GROUND_KT)
            continue;
        if (sim_sphere_dist_m(r->lat_deg, r->lon_deg, st->lat_deg, st->lon_deg) > maxr * 1.01)
            continue;
        double a = sphere_bearing(r->lat_deg, r->lon_deg, st->lat_deg, st->lon_deg);
        double off = fmod(a - b0 + 360.0, 360.0);
        if (off >= sweep)
            continue;
        int64_t dt_ms = (int64_t)floor(off / sweep * 1000.0);
        int rc = radar_plot(s, ri, mi, t0 + dt_ms, (double)dt_ms / 1000.0);
        if (rc)
            return rc;
    }
    return 0;
}

static int add_adsb(struct sim *s, uint32_t mi, int64_t k, int off_ms, uint8_t tc, int odd)
{
    const struct sim_mover *m = &s->sc->movers[mi];
    const struct sim_state *st = &s->st[mi];
    struct sim_adsb *a = vec_push(&s->adsb);
    if (!a)
        return CAIRN_E_NOMEM;
    double dt = off_ms / 1000.0;
    a->t_ms = s->start_ms + k * 1000 + off_ms;
    a->mover = mi;
    a->tc = tc;
    sim_state_at(st, dt, &a->lat_deg, &a->lon_deg, &a->alt_ft);
    a->gs_kt = st->gs_kt;
    a->track_deg = st->track_deg;
    a->vrate_fpm = st->vrate_fpm;
    a->squawk = st->squawk;
    a->emergency = (uint8_t)(st->has_squawk ? modes_enc_squawk_emergency(st->squawk) : 0);
    switch (tc) {
    case 4:
        if (modes_enc_ident(m->icao, 3, m->callsign, a->frame)) {
            s->adsb.n--; /* cannot happen: the parser allows only A-Z 0-9 space */
            return 0;
        }
        break;
    case 19:
        modes_enc_velocity(m->icao, st->gs_kt, st->track_deg, st->vrate_fpm, a->frame);
        break;
    case 28:
        modes_enc_status(m->icao, a->emergency, st->squawk, a->frame);
        break;
    default:
        modes_enc_airpos(m->icao, tc, a->lat_deg, a->lon_deg, a->alt_ft, odd, a->frame);
        break;
    }
    s->stats.adsb++;
    return 0;
}

static int adsb_step(struct sim *s, uint32_t mi, int64_t k)
{
    const struct sim_mover *m = &s->sc->movers[mi];
    const struct sim_state *st = &s->st[mi];
    if (!st->transponder || !st->adsb || !m->has_icao || st->gs_kt < SIM_GROUND_KT)
        return 0;
    if (!near_any(s->sc->adsb, s->sc->n_adsb, st->lat_deg, st->lon_deg))
        return 0;
    /* A fixed per-aircraft phase in 0..249 ms keeps aircraft apart in time;
     * every offset stays below 1000 ms so that a step's squitters all fall
     * inside the step (the outputs stay in time order across steps). */
    int ph = (int)(sim_rand(s->seed, RS_PHASE, m->icao, 0) % 250);
    int rc = add_adsb(s, mi, k, ph, 11, 0);
    if (!rc)
        rc = add_adsb(s, mi, k, ph + 250, 19, 0);
    if (!rc)
        rc = add_adsb(s, mi, k, ph + 500, 11, 1);
    if (!rc && (k + m->icao) % 5 == 0 && m->callsign[0])
        rc = add_adsb(s, mi, k, ph + 750, 4, 0);
    if (!rc && st->has_squawk && modes_enc_squawk_emergency(st->squawk))
        rc = add_adsb(s, mi, k, ph + 125, 28, 0);
    return rc;
}

/* M.1371-5 Annex 1 Table 1 (class A, simplified: not turning), Table 2
 * (class B "CS": 30 s); static data every 6 minutes. */
static int64_t ais_interval_s(const struct sim_mover *m, double sog)
{
    if (m->ais_class == 'B')
        return 30;
    if (sog < 0.1)
        return 180; /* at anchor or moored */
    if (sog <= 14)
        return 10;
    if (sog <= 23)
        return 6;
    return 2;
}

static int add_ais(struct sim *s, uint32_t mi, int64_t k, const uint8_t *bits, int nbits,
                   uint8_t type)
{
    struct sim_ais *a = vec_push(&s->ais);
    if (!a)
        return CAIRN_E_NOMEM;
    int64_t t_ms = s->start_ms + k * 1000;
    char ch = (s->ais_seq & 1) ? 'B' : 'A';
    int n =
        ais_enc_vdm(bits, (size_t)nbits, ch, s->ais_seq % 10, t_ms / 1000, a->text, sizeof a->text);
    s->ais_seq++;
    if (n <= 0) {
        s->ais.n--;
        return 0;
    }
    a->t_ms = t_ms;
    a->mover = mi;
    a->type = type;
    a->len = (uint16_t)n;
    s->stats.ais++;
    return 0;
}

static int ais_step(struct sim *s, uint32_t mi, int64_t k)
{
    const struct sim_mover *m = &s->sc->movers[mi];
    const struct sim_state *st = &s->st[mi];
    if (!st->ais || !m->mmsi || m->kind != SIM_VESSEL)
        return 0;
    if (!near_any(s->sc->ais, s->sc->n_ais, st->lat_deg, st->lon_deg))
        return 0;
    int64_t iv = ais_interval_s(m, st->gs_kt);
    int64_t ph = (int64_t)(sim_rand(s->seed, RS_PHASE, m->mmsi, 1) % 360);
    uint8_t bits[64]; /* 512 bits: type 5 needs 424 */
    int rc = 0;
    if ((k + ph) % iv == 0) {
        struct ais_enc_pos p;
        memset(&p, 0, sizeof p);
        p.type = m->ais_class == 'B' ? 18 : 1;
        p.mmsi = m->mmsi;
        p.nav_status = st->gs_kt < 0.1 ? 1 : 0; /* at anchor / under way using engine */
        p.lat_deg = st->lat_deg;
        p.lon_deg = st->lon_deg;
        p.sog_kn = st->gs_kt;
        p.cog_deg = st->track_deg;
        p.heading_deg = (int)floor(st->track_deg + 0.5) % 360;
        p.utc_second = (unsigned)(((s->start_ms / 1000) + k) % 60);
        int nb = ais_enc_position(&p, bits, sizeof bits * 8);
        if (nb > 0)
            rc = add_ais(s, mi, k, bits, nb, p.type);
    }
    if (!rc && m->ais_class != 'B' && (k + ph + 1) % 360 == 0) {
        struct ais_enc_static sd;
        memset(&sd, 0, sizeof sd);
        sd.mmsi = m->mmsi;
        memcpy(sd.callsign, m->callsign, 7);
        memcpy(sd.shipname, m->shipname, sizeof sd.shipname - 1);
        sd.ship_type = m->ship_type;
        sd.to_bow_m = 100;
        sd.to_stern_m = 20;
        sd.to_port_m = 8;
        sd.to_starboard_m = 8;
        sd.draught_m = 6;
        int nb = ais_enc_static5(&sd, bits, sizeof bits * 8);
        if (nb > 0)
            rc = add_ais(s, mi, k, bits, nb, 5);
    }
    return rc;
}

/* ---------------------------------------------------------------- step */

static int cmp_radar(const void *a, const void *b)
{
    const struct sim_radar_rec *x = a, *y = b;
    if (x->t_ms != y->t_ms)
        return x->t_ms < y->t_ms ? -1 : 1;
    if (x->radar != y->radar)
        return x->radar < y->radar ? -1 : 1;
    if (x->cat != y->cat)
        return x->cat < y->cat ? -1 : 1; /* CAT034 before CAT048 */
    return x->mover < y->mover ? -1 : x->mover > y->mover;
}

static int cmp_adsb(const void *a, const void *b)
{
    const struct sim_adsb *x = a, *y = b;
    if (x->t_ms != y->t_ms)
        return x->t_ms < y->t_ms ? -1 : 1;
    if (x->mover != y->mover)
        return x->mover < y->mover ? -1 : 1;
    return x->tc < y->tc ? -1 : x->tc > y->tc;
}

static int cmp_ais(const void *a, const void *b)
{
    const struct sim_ais *x = a, *y = b;
    if (x->t_ms != y->t_ms)
        return x->t_ms < y->t_ms ? -1 : 1;
    if (x->mover != y->mover)
        return x->mover < y->mover ? -1 : 1;
    return x->type < y->type ? -1 : x->type > y->type;
}

int sim_step(struct sim *s, const struct sim_sink *sink)
{
    const struct sim_scenario *sc = s->sc;
    int64_t k = s->k;
    double now = (double)k;
    int rc = 0;
    s->radar.n = s->adsb.n = s->ais.n = 0;

    for (uint32_t mi = 0; mi < sc->n_movers; mi++) {
        const struct sim_mover *m = &sc->movers[mi];
        struct sim_state *st = &s->st[mi];
        if (!st->active && !st->done && m->start_s <= now) {
            start_mover(m, st);
            st->transponder = m->transponder;
            st->adsb = m->adsb;
            st->ais = m->ais;
            st->squawk = m->squawk;
            st->has_squawk = m->has_squawk;
            steer(m, st, now);
        }
        if (st->active && m->end_s >= 0 && now >= m->end_s) {
            st->active = 0;
            st->done = 1;
        }
        if (!st->active)
            continue;
        apply_events(m, st, now);
        s->stats.mover_seconds++;
        if (m->kind == SIM_AIRCRAFT)
            s->stats.aircraft_seconds++;
        if (sink->truth) {
            s->stats.truth++;
            if ((rc = sink->truth(sink->user, s->start_ms + k * 1000, m, st)))
                return rc;
        }
    }

    if (sink->radar)
        for (uint32_t ri = 0; ri < sc->n_radars && !rc; ri++)
            rc = radar_step(s, ri, k);
    for (uint32_t mi = 0; mi < sc->n_movers && !rc; mi++) {
        if (!s->st[mi].active)
            continue;
        if (sink->adsb && sc->movers[mi].kind == SIM_AIRCRAFT)
            rc = adsb_step(s, mi, k);
        if (!rc && sink->ais && sc->movers[mi].kind == SIM_VESSEL)
            rc = ais_step(s, mi, k);
    }
    if (rc)
        return rc;

    if (s->radar.n)
        qsort(s->radar.p, s->radar.n, s->radar.size, cmp_radar);
    if (s->adsb.n)
        qsort(s->adsb.p, s->adsb.n, s->adsb.size, cmp_adsb);
    if (s->ais.n)
        qsort(s->ais.p, s->ais.n, s->ais.size, cmp_ais);
    const struct sim_radar_rec *rr = s->radar.p;
    for (size_t i = 0; i < s->radar.n && !rc; i++)
        rc = sink->radar(sink->user, &sc->radars[rr[i].radar], &rr[i]);
    const struct sim_adsb *aa = s->adsb.p;
    for (size_t i = 0; i < s->adsb.n && !rc; i++)
        rc = sink->adsb(sink->user, &sc->movers[aa[i].mover], &aa[i]);
    const struct sim_ais *ai = s->ais.p;
    for (size_t i = 0; i < s->ais.n && !rc; i++)
        rc = sink->ais(sink->user, &sc->movers[ai[i].mover], &ai[i]);
    if (rc)
        return rc;

    for (uint32_t mi = 0; mi < sc->n_movers; mi++)
        if (s->st[mi].active)
            advance(&sc->movers[mi], &s->st[mi], now + 1);
    s->k++;
    s->stats.steps++;
    return 0;
}
