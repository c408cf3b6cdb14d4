/*
 * picture.c — the picture engine (picture.h): batches of measurements into
 * the tracker, a cycle of tracker and detectors, the identities that
 * reports without a position carry.
 *
 * A cycle, in order (docs/picture.md):
 *   1. the pending batch goes to trk_ingest;
 *   2. trk_tick ages the table (coast, delete, confirm);
 *   3. fpl_apply matches the flight plans (pic_set_plans), so the snapshot
 *      carries this cycle's plan deviation and compliance;
 *   4. trk_snapshot copies the table;
 *   5. det_evaluate runs every rule on the copy (zones: pic_set_zones);
 *      alert changes go through on_change to the caller;
 *   6. the cycle observer (pic_set_observer: the evaluation against truth)
 *      sees the snapshot.
 *
 * Batches: trk_ingest solves the plots of one call together (gating and
 * global nearest neighbour), so the plots of one radar that lie close in
 * time — one sector of one scan — should come in one call. A batch holds
 * the measurements of one sensor whose times span at most 1/8 of the
 * radar's rotation (45 degrees of azimuth, at most 1 s), or batch_ms for a
 * receiver; a report of another sensor, or out of the span, or a full
 * batch, or a cycle sends it.
 *
 * Reports without a position that carry an ICAO address (ADS-B target
 * state and identification, Mode S replies) also go to trk_note, which
 * sets the selected altitude, squawk, callsign and emergency of the track
 * holding that address (track.h T10).
 *
 * Identities: an open-addressing table keyed by ICAO address (aircraft)
 * or MMSI (vessel), linear probing, at most 3/4 full; an entry not
 * refreshed for id_keep_ms is forgotten when its slot is probed again.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "decode/report.h"
#include "picture/picture.h"
#include "track/fpl.h"

/* An identity remembered: key = kind << 32 | address (0: free). */
struct pic_id {
    uint64_t key;
    int64_t t_ms; /* last refreshed */
    uint8_t has;  /* ID_* */
    uint8_t emergency;
    uint16_t squawk;
    char callsign[9];
};

enum { ID_CALLSIGN = 1u << 0, ID_SQUAWK = 1u << 1, ID_EMERG = 1u << 2 };
#define KEY_ICAO (1ull << 32)
#define KEY_MMSI (2ull << 32)

struct pic {
    struct pic_config cfg;
    struct pic_sensors sensors;
    struct trk_table *trk;
    struct det *det;
    /* the pending batch */
    struct trk_meas *batch;
    uint32_t *assigned;
    size_t n_batch;
    uint32_t batch_sensor;
    int64_t batch_t0_ms, batch_span_ms;
    size_t batch_stat; /* index in st.sensors, or SIZE_MAX */
    /* the snapshot of the last cycle */
    struct trk_track *snap;
    size_t n_snap;
    /* identities */
    struct pic_id *ids;
    size_t id_mask, n_ids;
    int64_t now_ms, last_cycle_ms;
    int cycled;
    size_t last_stat; /* cache for sensor_stat */
    struct pic_stats st;
    struct fpl_store *plans; /* borrowed (pic_set_plans) */
    pic_cycle_fn observer;   /* pic_set_observer */
    void *observer_arg;
};

void pic_config_default(struct pic_config *c)
{
    memset(c, 0, sizeof *c);
    trk_config_default(&c->trk);
    det_config_default(&c->det);
    c->batch_ms = 1000;     /* one second of a receiver's reports */
    c->max_batch = 256;     /* a busy radar sector */
    c->id_cache = 16384;    /* aircraft and ships in view of a centre, with room */
    c->id_keep_ms = 600000; /* 10 min: a callsign outlives a gap in coverage */
}

static void on_change(void *arg, const struct det_alert *a)
{
    struct pic *p = arg;
    if (p->cfg.on_alert)
        p->cfg.on_alert(p->cfg.arg, p, a);
}

int pic_new(const struct pic_config *cfg, struct pic **out)
{
    if (!cfg || !out || cfg->max_batch == 0 || cfg->batch_ms < 0 || cfg->id_cache < 16 ||
        (cfg->id_cache & (cfg->id_cache - 1)) || cfg->id_keep_ms <= 0)
        return CAIRN_E_INVAL;
    *out = NULL;
    struct pic *p = calloc(1, sizeof *p);
    if (!p)
        return CAIRN_E_NOMEM;
    p->cfg = *cfg;
    p->cfg.sensors = NULL;
    if (cfg->sensors)
        p->sensors = *cfg->sensors;
    p->cfg.det.max_tracks = p->cfg.trk.max_tracks;
    p->batch_stat = SIZE_MAX;
    int rc = trk_new(&p->cfg.trk, &p->trk);
    if (rc == 0)
        rc = det_new(&p->cfg.det, on_change, p, &p->det);
    if (rc == 0) {
        p->batch = calloc(cfg->max_batch, sizeof *p->batch);
        p->assigned = calloc(cfg->max_batch, sizeof *p->assigned);
        p->snap = calloc(p->cfg.trk.max_tracks ? p->cfg.trk.max_tracks : 1, sizeof *p->snap);
        p->ids = calloc(cfg->id_cache, sizeof *p->ids);
        p->id_mask = cfg->id_cache - 1;
        if (!p->batch || !p->assigned || !p->snap || !p->ids)
            rc = CAIRN_E_NOMEM;
    }
    for (size_t i = 0; rc == 0 && i < p->sensors.n; i++) {
        const struct pic_sensor *s = &p->sensors.s[i];
        if (s->type == PIC_SENSOR_RADAR)
            rc = trk_sensor_set(p->trk, s->id, (int32_t)lround(s->period_s * 1000.0));
    }
    if (rc != 0) {
        pic_free(p);
        return rc;
    }
    *out = p;
    return 0;
}

void pic_free(struct pic *p)
{
    if (!p)
        return;
    trk_free(p->trk);
    det_free(p->det);
    free(p->batch);
    free(p->assigned);
    free(p->snap);
    free(p->ids);
    free(p);
}

/* ------------------------------------------------------------ per sensor */

static size_t sensor_stat(struct pic *p, uint32_t id)
{
    struct pic_stats *st = &p->st;
    if (p->last_stat < st->n_sensors && st->sensors[p->last_stat].id == id)
        return p->last_stat;
    for (size_t i = 0; i < st->n_sensors; i++)
        if (st->sensors[i].id == id)
            return p->last_stat = i;
    if (st->n_sensors >= sizeof st->sensors / sizeof st->sensors[0])
        return SIZE_MAX;
    struct pic_sensor_stats *s = &st->sensors[st->n_sensors];
    memset(s, 0, sizeof *s);
    s->id = id;
    return p->last_stat = st->n_sensors++;
}

/* The batch span of a sensor: 1/8 of a configured radar's rotation (at
 * most batch_ms), else batch_ms. */
static int64_t batch_span(const struct pic *p, uint32_t sensor_id)
{
    const struct pic_sensor *s = pic_sensors_find(&p->sensors, sensor_id);
    if (s && s->type == PIC_SENSOR_RADAR) {
        int64_t span = (int64_t)(s->period_s * 1000.0 / 8.0);
        return span < p->cfg.batch_ms ? span : p->cfg.batch_ms;
    }
    return p->cfg.batch_ms;
}

/* ------------------------------------------------------------ identities */

static struct pic_id *id_slot(struct pic *p, uint64_t key, int64_t now_ms, int create)
{
    size_t h = (size_t)((key * 0x9E3779B97F4A7C15ull) >> 40) & p->id_mask;
    struct pic_id *free_slot = NULL;
    for (size_t i = 0; i <= p->id_mask; i++) {
        struct pic_id *e = &p->ids[(h + i) & p->id_mask];
        if (e->key == key)
            return e;
        if (!e->key)
            break;
        /* an entry long unrefreshed can be taken over (it is kept in the
         * chain, so later keys stay reachable) */
        if (!free_slot && now_ms - e->t_ms > p->cfg.id_keep_ms)
            free_slot = e;
    }
    if (!create)
        return NULL;
    if (!free_slot) {
        if (p->n_ids >= (p->id_mask + 1) / 4 * 3) {
            p->st.id_dropped++;
            return NULL;
        }
        for (size_t i = 0; i <= p->id_mask; i++) {
            struct pic_id *e = &p->ids[(h + i) & p->id_mask];
            if (!e->key) {
                free_slot = e;
                break;
            }
        }
        if (!free_slot)
            return NULL;
        p->n_ids++;
    }
    memset(free_slot, 0, sizeof *free_slot);
    free_slot->key = key;
    free_slot->t_ms = now_ms;
    return free_slot;
}

/* Remember what r says of its target's identity; complete *r (a position
 * report) with what is remembered. */
static void identities(struct pic *p, struct report *r, int64_t now_ms)
{
    uint64_t key;
    if (r->has & REP_HAS_ICAO)
        key = KEY_ICAO | (r->icao & 0xFFFFFFu);
    else if ((r->has & REP_HAS_MMSI) && r->mmsi)
        key = KEY_MMSI | r->mmsi;
    else
        return;
    int says = (r->has & (REP_HAS_CALLSIGN | REP_HAS_SQUAWK | REP_HAS_EMERGENCY)) != 0;
    struct pic_id *e = id_slot(p, key, now_ms, says);
    if (!e)
        return;
    if (e->t_ms < now_ms - p->cfg.id_keep_ms)
        e->has = 0; /* stale: forget before use */
    if (says) {
        e->t_ms = now_ms;
        if ((r->has & REP_HAS_CALLSIGN) && r->callsign[0]) {
            memcpy(e->callsign, r->callsign, sizeof e->callsign);
            e->callsign[8] = 0;
            e->has |= ID_CALLSIGN;
        }
        if (r->has & REP_HAS_SQUAWK) {
            e->squawk = r->squawk;
            e->has |= ID_SQUAWK;
        }
        if (r->has & REP_HAS_EMERGENCY) {
            e->emergency = r->emergency;
            e->has |= ID_EMERG;
        }
    }
    if (!(r->has & REP_HAS_POS))
        return;
    int done = 0;
    if ((e->has & ID_CALLSIGN) && !(r->has & REP_HAS_CALLSIGN)) {
        memcpy(r->callsign, e->callsign, sizeof r->callsign);
        r->has |= REP_HAS_CALLSIGN;
        done = 1;
    }
    if ((e->has & ID_SQUAWK) && !(r->has & REP_HAS_SQUAWK)) {
        r->squawk = e->squawk;
        r->has |= REP_HAS_SQUAWK;
        done = 1;
    }
    if ((e->has & ID_EMERG) && !(r->has & REP_HAS_EMERGENCY)) {
        r->emergency = e->emergency;
        r->has |= REP_HAS_EMERGENCY;
        done = 1;
    }
    p->st.completed += (uint64_t)done;
}

/* ---------------------------------------------------------------- batches */

static int flush(struct pic *p)
{
    if (!p->n_batch)
        return 0;
    int rc = trk_ingest(p->trk, p->batch, p->n_batch, p->now_ms, p->assigned);
    p->st.batches++;
    p->st.meas += p->n_batch;
    uint64_t used = 0;
    for (size_t i = 0; i < p->n_batch; i++)
        used += p->assigned[i] != 0;
    p->st.rejected += p->n_batch - used;
    if (p->batch_stat != SIZE_MAX)
        p->st.sensors[p->batch_stat].used += used;
    p->n_batch = 0;
    return rc == CAIRN_E_RANGE || rc == CAIRN_E_INVAL ? 0 : rc; /* counted by the tracker */
}

int pic_report(struct pic *p, const struct report *rep, int64_t now_ms)
{
    if (!p || !rep)
        return CAIRN_E_INVAL;
    if (now_ms > p->now_ms)
        p->now_ms = now_ms;
    p->st.reports++;
    size_t si = sensor_stat(p, rep->sensor_id);
    if (si != SIZE_MAX) {
        p->st.sensors[si].reports++;
        if (rep->t_ms > p->st.sensors[si].last_t_ms)
            p->st.sensors[si].last_t_ms = rep->t_ms;
    } else {
        p->st.other_sensors++;
    }
    struct report r = *rep;
    r.callsign[sizeof r.callsign - 1] = 0;
    identities(p, &r, rep->t_ms);
    if (!(r.has & REP_HAS_POS)) {
        p->st.no_pos++;
        struct trk_meas note;
        if (trk_note_from_report(&r, &note) == 0)
            (void)trk_note(p->trk, &note, p->now_ms); /* refusals: the tracker's counters */
        return (r.has & (REP_HAS_ICAO | REP_HAS_MMSI)) ? 0 : CAIRN_E_INVAL;
    }
    struct trk_meas m;
    if (trk_meas_from_report(&r, &m) != 0) {
        p->st.unusable++;
        return CAIRN_E_INVAL;
    }
    if (p->cycled && m.t_ms < p->last_cycle_ms)
        p->st.late++;
    int rc = 0;
    if (p->n_batch &&
        (m.sensor_id != p->batch_sensor || m.t_ms < p->batch_t0_ms ||
         m.t_ms - p->batch_t0_ms > p->batch_span_ms || p->n_batch >= p->cfg.max_batch))
        rc = flush(p);
    if (!p->n_batch) {
        p->batch_sensor = m.sensor_id;
        p->batch_t0_ms = m.t_ms;
        p->batch_span_ms = batch_span(p, m.sensor_id);
        p->batch_stat = si;
    }
    p->batch[p->n_batch++] = m;
    return rc;
}

int pic_cycle(struct pic *p, int64_t now_ms)
{
    if (!p)
        return CAIRN_E_INVAL;
    if (p->cycled && now_ms < p->last_cycle_ms)
        return CAIRN_E_RANGE;
    if (now_ms > p->now_ms)
        p->now_ms = now_ms;
    (void)flush(p);
    trk_tick(p->trk, now_ms);
    if (p->plans)
        (void)fpl_apply(p->plans, p->trk, now_ms);
    p->n_snap = trk_snapshot(p->trk, p->snap, p->cfg.trk.max_tracks);
    int rc = det_evaluate(p->det, p->snap, p->n_snap, now_ms);
    if (p->observer)
        p->observer(p->observer_arg, p, p->snap, p->n_snap, now_ms);
    p->last_cycle_ms = now_ms;
    p->cycled = 1;
    p->st.cycles++;
    return rc;
}

void pic_set_zones(struct pic *p, const struct geo_zones *zones)
{
    det_set_zones(p->det, zones);
}

void pic_set_plans(struct pic *p, struct fpl_store *plans)
{
    p->plans = plans;
}

void pic_set_observer(struct pic *p, pic_cycle_fn fn, void *arg)
{
    p->observer = fn;
    p->observer_arg = arg;
}

/* ------------------------------------------------------------------ views */

const struct trk_track *pic_tracks(const struct pic *p, size_t *n)
{
    *n = p->n_snap;
    return p->snap;
}

const struct trk_track *pic_track_by_id(const struct pic *p, uint32_t id)
{
    return trk_get(p->trk, id);
}

int pic_set_radio(struct pic *p, uint32_t id, uint8_t radio)
{
    const struct trk_track *t = trk_get(p->trk, id);
    if (!t)
        return CAIRN_E_NOTFOUND;
    if (radio > TRK_TRI_YES)
        return CAIRN_E_INVAL;
    return trk_set_compliance(p->trk, id, t->flight_plan, radio);
}

const struct det_alert *pic_alert_next(const struct pic *p, size_t *cursor)
{
    return det_next(p->det, cursor);
}

const struct pic_stats *pic_stats(const struct pic *p)
{
    return &p->st;
}

const struct trk_stats *pic_trk_stats(const struct pic *p)
{
    return trk_stats(p->trk);
}

const struct det_stats *pic_det_stats(const struct pic *p)
{
    return det_stats(p->det);
}

const struct pic_sensors *pic_sensors(const struct pic *p)
{
    return &p->sensors;
}

void pic_sensor_name(const struct pic *p, uint32_t id, char *out, size_t cap)
{
    const struct pic_sensor *s = pic_sensors_find(&p->sensors, id);
    if (s)
        snprintf(out, cap, "%s", s->name);
    else if (id < 0x10000u)
        snprintf(out, cap, "radar-%u-%u", id >> 8, id & 0xFFu);
    else
        snprintf(out, cap, "sensor-%08x", id);
}

size_t pic_trail(const struct pic *p, uint32_t id, struct trk_point *out, size_t cap)
{
    const struct trk_track *t = trk_get(p->trk, id);
    return t ? trk_trail(p->trk, t, out, cap) : 0;
}

/* ---------------------------------------------------------- between cycles */

int pic_ingest(struct pic *p, int64_t end_ms)
{
    if (!p)
        return CAIRN_E_INVAL;
    if (end_ms > p->now_ms)
        p->now_ms = end_ms;
    return flush(p);
}

const struct trk_track *pic_track_next(const struct pic *p, size_t *cursor)
{
    return trk_next(p->trk, cursor);
}
