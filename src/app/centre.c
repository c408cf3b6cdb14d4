/*
 * centre.c — the coordination centre on one event loop (centre.h).
 *
 * Order of a firing of the cycle timer (on_tick):
 *   1. lateness = now - the firing's due time (monotonic), into the
 *      histogram; the next due time is the next multiple of cycle_ms after
 *      now (missed ones are skipped and counted);
 *   2. the picture's clock: UTC now, or the replays' clock; live, with the
 *      stream on, the reports since its last firing are ingested and
 *      flushed first, so they do not wait for the cycle's rules;
 *   3. steps: while the next step's end is not after the clock, each
 *      replay hands over its reports before the step's end, pic_cycle runs
 *      at the step's end (alert changes published from the callback), and
 *      the tracks changed since the previous flush are published as one
 *      "tracks" event (flush_tracks);
 *   4. input rates (reports per second, over at least a second).
 *
 * Between cycle firings the stream timer (on_stream, every [web] stream_ms
 * when that is shorter than the cycle) hands the replays' reports up to
 * the clock (never past the next step's end), runs pic_ingest (the
 * tracker's part of a cycle: association and filter update, no tick, no
 * rule) and flushes the changed tracks the same way, so a report reaches
 * /api/events within about stream_ms instead of a cycle.
 */
#include "app/centre.h"

#include <errno.h>
#include <event2/event.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "app/acks.h"
#include "app/cat004.h"
#include "app/cat062.h"
#include "app/peer.h"
#include "app/files.h"
#include "app/output.h"
#include "app/procedures.h"
#include "app/replay.h"
#include "feed/sensor.h"
#include "base/clock.h"
#include "base/dbuf.h"
#include "base/error.h"
#include "base/grow.h"
#include "base/jsonw.h"
#include "base/log.h"
#include "decode/asterix/report.h"
#include "geo/zones.h"
#include "decode/asterix/encode.h"
#include "decode/asterix/typed.h"
#include "hotline/daemon.h"
#include "hotline/frame.h"
#include "hotline/link.h"
#include "picture/picture.h"
#include "track/fpl.h"
#include "web/web.h"

#define MOD           "centre"
#define N_LAT_BUCKETS 9
/* Lateness buckets, seconds: a timer on an idle loop fires within a
 * millisecond; tens of ms mean a busy loop; a second means a lost cycle. */
static const double lat_bucket_s[N_LAT_BUCKETS] = {0.001, 0.002, 0.005, 0.01, 0.02,
                                                   0.05,  0.1,   0.5,   1.0};
#define TRAIL_MAX      256  /* points in GET /api/tracks/ID */
#define RATE_WINDOW_MS 1000 /* input rates are computed over at least this */

struct input {
    char name[PIC_NAME_MAX];
    const struct app_input_ops *ops;
    void *obj;
    uint64_t prev_reports;
    int64_t prev_mono_ms;
    double rate; /* reports per second */
};

/* A track's members other than the kinematic ones (docs/centre.md, the
 * lean form of /api/events), as the last flush saw them at its place in
 * the live table (pub_fill): another id, status, kind, identity, emergency,
 * selected altitude, ground flag, compliance triple, operator mark,
 * manoeuvre flag, presence of alt_ft or plan_dev_m, SET of source keys or
 * SET of sensor ids is a change to publish even without another update —
 * a callsign from a report with no position (trk_note), an operator's or a
 * flight plan's mark — so a duty officer sees it at the next flush; and a
 * lean client gets the track's full object for it. Compared whole with
 * memcmp: no padding (the static assert below), fields that are not shown
 * (a callsign without TRK_ID_CALLSIGN, ...) zero. */
struct pub_slow {
    uint32_t id, icao, mmsi;
    int32_t sel_alt_ft;
    uint32_t sensor_ids[TRK_MAX_SENSORS]; /* the set: ascending, then zeros */
    uint16_t squawk;
    uint8_t status, kind, flags, ids, emergency, on_ground;
    uint8_t transponder, flight_plan, radio, op_flags, src_mask; /* src_mask: sources with a time */
    char callsign[9];
    uint8_t pad[2];
};
_Static_assert(sizeof(struct pub_slow) == 64, "pub_slow has no padding");

/* The flags a track's JSON shows (alt_ft, sel_alt_ft, plan_dev_m present;
 * manoeuvre). */
#define PUB_FLAGS (TRK_F_ALT | TRK_F_MANOEUVRE | TRK_F_SEL_ALT | TRK_F_PLAN_DEV)

/* Per place in the live table: what the last flush saw there, and when
 * that track last went to the lean form in full (with the hash of its
 * extra members' text then). Since every change of slow is published, and
 * to lean clients in full, slow is also what they last got in full. */
struct pub_slot {
    struct pub_slow slow;
    uint32_t n_updates;
    uint64_t extra_hash; /* FNV-1a of p_track_extra's text when last sent in full */
    int64_t full_ms;     /* now_ms of that flush; 0: not since this id came here */
};

struct app_centre {
    struct event_base *base;
    struct app_config cfg;
    /* the configuration as the file gave it (no hooks set): SIGHUP's new
     * reading is compared with it; its [sensor] sections are those running */
    struct app_config *file;
    uint64_t reloads, reload_errors; /* SIGHUPs; those whose file was refused */
    struct pic_sensors sensors;
    struct ax_sensor radars[PIC_MAX_SENSORS];
    size_t n_radars;
    struct pic *pic;
    struct geo_zones *zones;   /* [picture] zones, or NULL */
    struct fpl_points *points; /* [picture] points, or NULL */
    struct fpl_set *plans;     /* [picture] plans, or NULL */
    struct fpl_store *plan_store;
    /* FNV-1a sums of the zones, plans and points files as read at start
     * (PIC_FILE_*), so that a reload says when one changed */
    uint64_t file_sum[3];
    struct web *web;
    struct hl_daemon_ctx *hl; /* the embedded hotline, or NULL */
    struct event *tick;
    struct input in[APP_MAX_INPUTS];
    size_t n_in;
    struct app_replay *replay[APP_MAX_REPLAYS];
    size_t n_replay;
    /* clocks */
    int64_t start_mono_ms; /* the schedule's origin */
    int64_t due_mono_ms;   /* when the timer is due */
    int replay_clock;      /* 1: the picture runs on the replays' time */
    int64_t data_t0_ms;    /* replays: data time at start_mono_ms */
    double speed;
    int64_t next_step_ms; /* the picture's next step (data time); 0: not yet */
    int64_t pic_now_ms;   /* the picture's time at its last step */
    /* counters */
    uint64_t ticks, overruns, steps, steps_deferred, cycle_errors;
    uint64_t lat_count, lat_bucket[N_LAT_BUCKETS];
    double lat_sum_s, lat_last_s, lat_max_s, work_last_s, work_max_s;
    uint64_t sse_tracks, sse_alerts, live_reports;
    /* the live stream ([web] stream_ms): one "tracks" event per flush */
    struct event *stream;             /* the stream timer, or NULL (stream_ms 0 or >= cycle_ms) */
    struct pub_slot *pub;             /* per place in the table: what the last flush saw */
    size_t pub_cap;                   /* places (the tracker's max_tracks) */
    int64_t extra_now_ms;             /* p_track_extra's now while a flush writes; 0: pic_now_ms */
    const struct trk_track *extra_of; /* the track whose extra members c->extra holds */
    uint64_t flushes, sse_tracks_events, stream_runs;
    double stream_work_last_s, stream_work_max_s;
    int cat004_fd; /* [cat004]: the UDP socket, or -1 */
    uint64_t cat004_sent, cat004_errors;
    int last_cycle_rc;
    struct proc *proc; /* the procedures (app/procedures.h) */
    /* scratch */
    struct det_alert *alerts;
    size_t alerts_cap;
    struct web_ack *alert_acks; /* parallel to alerts (p_alerts) */
    size_t alert_acks_cap;
    struct app_acks acks; /* operators' acknowledgements (app/acks.h) */
    struct dbuf ev;       /* one SSE event */
    struct dbuf ev_lean;  /* one "tracks" event of the lean form (?form=moves) */
    struct dbuf ev_moves; /* its "moves" array until it is sent */
    struct dbuf extra;    /* one track's extra members (p_track_extra), as an object */
    uint64_t sse_lean_objects, sse_lean_moves; /* in the lean form's events */
    struct trk_point trail[TRAIL_MAX];
    /* [output NAME] ports (app/output.h) */
    struct app_output *out[APP_MAX_OUTPUTS];
    size_t n_out;
    int out_raw, out_sbs; /* some beast/avr port; some sbs port */
    /* the shared picture ([peer NAME], app/peer.h) and [cat062] */
    struct app_peers *peers;
    int cat062_fd; /* [cat062] udp: the socket, or -1 */
    int64_t cat062_next_mono_ms;
    uint64_t cat062_records, cat062_datagrams, cat062_errors;
    uint8_t cat062_batch;
};

static int64_t mono_ms(void)
{
    return clock_mono_ns() / 1000000;
}

/* ------------------------------------------------------------ publishing */

static int listening(const struct app_centre *c)
{
    return c->web && web_stats(c->web)->sse_clients > 0;
}

/* ---- output ports (app/output.h): raw frames and decoded reports ---- */

static void out_frame(void *arg, const struct modes_frame *f, int64_t t_ms)
{
    struct app_centre *c = arg;
    for (size_t i = 0; i < c->n_out; i++)
        app_output_frame(c->out[i], f, t_ms);
}

static void out_report(struct app_centre *c, const struct report *r)
{
    if (!c->out_sbs)
        return;
    int64_t now = clock_now_ms(&cairn_clock_real);
    for (size_t i = 0; i < c->n_out; i++)
        app_output_report(c->out[i], r, now);
}

static void out_report_cb(void *arg, const struct report *r)
{
    out_report(arg, r);
}

static int open_outputs(struct app_centre *c)
{
    char err[256];
    for (size_t i = 0; i < c->cfg.n_output; i++) {
        const struct app_output_config *oc = &c->cfg.output[i];
        int rc = app_output_new(c->base, oc, &c->out[c->n_out], err, sizeof err);
        if (rc != 0) {
            log_err(MOD, "[output %s]: %s", oc->name, err);
            return rc;
        }
        struct app_output *o = c->out[c->n_out++];
        if (oc->format == APP_OUT_SBS)
            c->out_sbs = 1;
        else
            c->out_raw = 1;
        char where[ADDR_TEXT_LEN];
        log_info(MOD, "output %s: %s on %s (port %u)", oc->name, app_output_format_name(oc->format),
                 addr_format((const struct sockaddr *)&oc->addr.a.ss, where, sizeof where),
                 (unsigned)app_output_port(o));
    }
    return 0;
}

static void write_outputs_metrics(struct app_centre *c, struct dbuf *o);

/* ---- live sensors (feed/sensor.h) as inputs ---- */

static void sensor_report(void *arg, const struct report *r)
{
    (void)app_centre_report(arg, r); /* refusals: the picture's counters */
}

static void sensor_input_health(void *obj, struct app_input_health *h)
{
    struct sensor_health sh;
    sensor_health(obj, &sh);
    switch (sh.state) {
    case SENSOR_ST_CONNECTED:
    case SENSOR_ST_LISTENING:
        h->state = APP_IN_RUNNING;
        break;
    case SENSOR_ST_CONNECTING:
        h->state = APP_IN_CONNECTING;
        break;
    case SENSOR_ST_RETRYING:
        h->state = APP_IN_BACKOFF;
        break;
    case SENSOR_ST_FAILED:
        h->state = APP_IN_FAILED;
        break;
    default:
        h->state = APP_IN_ENDED;
        break;
    }
    h->reports = sh.reports;
    h->bytes = sh.bytes;
    h->errors = sh.decode_errors + sh.disconnects + sh.dropped;
    h->last_data_utc_ms = sh.last_data_ms;
    snprintf(h->detail, sizeof h->detail, "%s", sh.last_error); /* escaped by the sensor */
}

static void sensor_input_free(void *obj)
{
    sensor_free(obj);
}

static const struct app_input_ops sensor_input_ops = {"sensor", sensor_input_health,
                                                      sensor_input_free};

/* An alert change as a CAT004 record on UDP ([cat004]): one datagram
 * each, never blocking (a full socket buffer drops it, counted). */
static void send_cat004(struct app_centre *c, const struct det_alert *a)
{
    uint8_t rec[512];
    int n = app_cat004(a, c->cfg.cat004_sac, c->cfg.cat004_sic, c->pic_now_ms, rec, sizeof rec);
    if (n <= 0) {
        c->cat004_errors += n < 0;
        return;
    }
    if (sendto(c->cat004_fd, rec, (size_t)n, MSG_DONTWAIT,
               (const struct sockaddr *)&c->cfg.cat004.ss, c->cfg.cat004.len) == n)
        c->cat004_sent++;
    else
        c->cat004_errors++;
}

/* ---- the shared picture ---- */

/* Datagrams of the [cat062] output: an Ethernet MTU's worth (1,500 less
 * the IPv6 and UDP headers), so nothing is fragmented. */
#define CAT062_DGRAM 1452

static void cat062_flush(struct app_centre *c, struct ax_block_writer *w)
{
    size_t len = ax_bw_finish(w);
    if (!len)
        return;
    if (sendto(c->cat062_fd, w->buf, len, MSG_DONTWAIT, (const struct sockaddr *)&c->cfg.cat062.ss,
               c->cfg.cat062.len) == (ssize_t)len)
        c->cat062_datagrams++;
    else
        c->cat062_errors++;
}

/* The whole picture (tracks confirmed or coasting, own and the peers') as
 * CAT062 on UDP, closed by a CAT065 end of batch; never blocking (a full
 * socket buffer drops a datagram, counted). */
static void send_cat062(struct app_centre *c)
{
    uint8_t dgram[CAT062_DGRAM], rec[AX_TYPED_MAX_RECORD];
    struct ax_block_writer w;
    ax_bw_init(&w, dgram, sizeof dgram);
    size_t n;
    const struct trk_track *t = pic_tracks(c->pic, &n);
    for (size_t i = 0; i < n; i++) {
        if (t[i].status != TRK_ST_CONFIRMED && t[i].status != TRK_ST_COASTING)
            continue;
        int k = app_c62_record(&t[i], c->cfg.cat062_sac, c->cfg.cat062_sic, rec, sizeof rec);
        if (k <= 0) {
            c->cat062_errors++;
            continue;
        }
        if (ax_bw_add(&w, 62, rec, (size_t)k) != 0) {
            cat062_flush(c, &w);
            ax_bw_init(&w, dgram, sizeof dgram);
            if (ax_bw_add(&w, 62, rec, (size_t)k) != 0) {
                c->cat062_errors++;
                continue;
            }
        }
        c->cat062_records++;
    }
    if (app_c65_end_of_batch(&w, c->cfg.cat062_sac, c->cfg.cat062_sic, c->cat062_batch,
                             c->pic_now_ms) != 0) {
        cat062_flush(c, &w);
        ax_bw_init(&w, dgram, sizeof dgram);
        (void)app_c65_end_of_batch(&w, c->cfg.cat062_sac, c->cfg.cat062_sic, c->cat062_batch,
                                   c->pic_now_ms);
    }
    c->cat062_batch++;
    cat062_flush(c, &w);
}

static void peer_report(void *arg, const struct report *r)
{
    (void)app_centre_report(arg, r); /* refusals: the picture's counters */
}

/* A peer's PICTURE (the hotline's hook): into the picture as peer:NAME. */
static void on_peer_picture(void *arg, const char *peer, const struct hl_picture *pic)
{
    struct app_centre *c = arg;
    app_peers_on_picture(c->peers, peer, pic, c->pic_now_ms, mono_ms(), peer_report, c);
}

/* After a firing: the pictures due to peers, and on UDP. */
static void share_picture(struct app_centre *c, int64_t now_mono)
{
    size_t n;
    const struct trk_track *t = pic_tracks(c->pic, &n);
    if (c->peers) {
        app_peers_gc(c->peers, t, n);
        app_peers_tick(c->peers, t, n, c->pic_now_ms, now_mono);
    }
    if (c->cat062_fd >= 0 && now_mono >= c->cat062_next_mono_ms) {
        c->cat062_next_mono_ms = now_mono + c->cfg.cat062_interval_ms;
        send_cat062(c);
    }
}

static void on_alert(void *arg, const struct pic *p, const struct det_alert *a)
{
    (void)p;
    struct app_centre *c = arg;
    if (c->cat004_fd >= 0)
        send_cat004(c, a);
    if (c->proc) /* renegade: the peers in the same cycle as the operators (CAI) */
        proc_on_alert(c->proc, a);
    if (!listening(c))
        return;
    dbuf_reset(&c->ev);
    struct jsonw w;
    jw_init(&w, &c->ev);
    web_json_alert_ack(&w, a, app_acks_get(&c->acks, a->id));
    if (!w.err && web_publish(c->web, "alert", c->ev.p, c->ev.len) >= 0)
        c->sse_alerts++;
}

/* A procedure alert (app/procedures.h) to the operators, as the
 * picture's are. */
static void proc_publish(void *arg, const struct det_alert *a)
{
    struct app_centre *c = arg;
    if (!listening(c))
        return;
    dbuf_reset(&c->ev);
    struct jsonw w;
    jw_init(&w, &c->ev);
    web_json_alert_ack(&w, a, app_acks_get(&c->acks, a->id));
    if (!w.err && web_publish(c->web, "alert", c->ev.p, c->ev.len) >= 0)
        c->sse_alerts++;
}

/* A flush larger than this goes out as several "tracks" events of one
 * now_ms (a client's queue, APP_SSE_QUEUE, holds a few dozen). */
#define STREAM_EVENT_SPLIT (256 * 1024)

static void p_track_extra(void *arg, const struct trk_track *t, struct jsonw *w);

/* The lean form sends a track in full at least once in every REFRESH_MS
 * (docs/centre.md), so that a client's copy of the slow members heals: at
 * the first flush that sends the track after a moment fixed by its id in
 * each period (id times Knuth's multiplicative constant, modulo the
 * period). Tracks that came together (at start, or when the first lean
 * client came) are thus refreshed spread over the period, not all in one
 * flush; a track is never more than a period (and a flush) from its last
 * full object. */
#define REFRESH_MS 30000

static int64_t period_of(int64_t t_ms, int64_t off_ms)
{
    int64_t x = t_ms - off_ms;
    return x >= 0 ? x / REFRESH_MS : -((-x + REFRESH_MS - 1) / REFRESH_MS);
}

static int refresh_due(uint32_t id, int64_t full_ms, int64_t now_ms)
{
    int64_t off = (int64_t)((id * 2654435761u) % (uint32_t)REFRESH_MS);
    return period_of(now_ms, off) != period_of(full_ms, off);
}

static void pub_fill(struct pub_slow *s, const struct trk_track *t)
{
    memset(s, 0, sizeof *s);
    s->id = t->id;
    s->status = t->status;
    s->kind = t->kind;
    s->flags = (uint8_t)(t->flags & PUB_FLAGS);
    s->ids = t->ids;
    if (t->ids & TRK_ID_ICAO)
        s->icao = t->icao;
    if (t->ids & TRK_ID_MMSI)
        s->mmsi = t->mmsi;
    if (t->ids & TRK_ID_SQUAWK)
        s->squawk = t->squawk;
    if (t->ids & TRK_ID_CALLSIGN)
        memcpy(s->callsign, t->callsign, sizeof s->callsign);
    if (t->flags & TRK_F_SEL_ALT)
        s->sel_alt_ft = t->sel_alt_ft;
    s->emergency = t->emergency;
    s->on_ground = t->on_ground != 0;
    s->transponder = t->transponder;
    s->flight_plan = t->flight_plan;
    s->radio = t->radio;
    s->op_flags = t->op_flags;
    for (unsigned k = 0; k < TRK_SOURCE_N; k++)
        if (t->last_src_ms[k])
            s->src_mask |= (uint8_t)(1u << k);
    /* the sensors' ids in ascending order (insertion: at most six), so
     * the same set in another order compares equal */
    unsigned n = t->n_sensors < TRK_MAX_SENSORS ? t->n_sensors : TRK_MAX_SENSORS;
    for (unsigned k = 0; k < n; k++) {
        uint32_t v = t->sensors[k].sensor_id;
        unsigned m = k;
        for (; m > 0 && s->sensor_ids[m - 1] > v; m--)
            s->sensor_ids[m] = s->sensor_ids[m - 1];
        s->sensor_ids[m] = v;
    }
}

/* FNV-1a, 64 bits: the extra members' text, compared by hash. */
static uint64_t fnv1a(const char *p, size_t n)
{
    uint64_t h = 14695981039346656037ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (uint8_t)p[i];
        h *= 1099511628211ull;
    }
    return h;
}

/* The track's extra members (p_track_extra) into c->extra, as an object,
 * and their hash; while c->extra_of is t, p_track_extra copies that text
 * instead of writing it again. 0 when they could not be written. */
static uint64_t extra_hash(struct app_centre *c, const struct trk_track *t)
{
    c->extra_of = NULL;
    dbuf_reset(&c->extra);
    struct jsonw w;
    jw_init(&w, &c->extra);
    jw_obj(&w);
    p_track_extra(c, t, &w);
    jw_end(&w);
    if (w.err)
        return 0;
    c->extra_of = t;
    return fnv1a(c->extra.p, c->extra.len);
}

/*
 * One flush's events: the default form's in c->ev (w), the lean form's
 * in c->ev_lean (wl) with its "moves" array apart in c->ev_moves (wm)
 * until the event is sent. Only the forms with clients are written.
 */
struct flush {
    struct app_centre *c;
    int64_t now_ms;
    int full, lean; /* the forms with clients */
    struct jsonw w, wl, wm;
    size_t n;      /* objects in the open default event */
    size_t nl, nm; /* objects and rows in the open lean event */
};

static void event_open(struct dbuf *b, struct jsonw *w, int64_t now_ms)
{
    dbuf_reset(b);
    jw_init(w, b);
    jw_obj(w);
    jw_kint(w, "now_ms", now_ms);
    jw_key(w, "tracks");
    jw_arr(w);
}

static void flush_open(struct flush *f, int lean)
{
    struct app_centre *c = f->c;
    if (!lean) {
        event_open(&c->ev, &f->w, f->now_ms);
        f->n = 0;
        return;
    }
    event_open(&c->ev_lean, &f->wl, f->now_ms);
    dbuf_reset(&c->ev_moves);
    jw_init(&f->wm, &c->ev_moves);
    jw_arr(&f->wm);
    f->nl = f->nm = 0;
}

static void flush_send(struct flush *f, int lean)
{
    struct app_centre *c = f->c;
    if (!lean) {
        jw_end(&f->w);
        jw_end(&f->w);
        if (!f->w.err &&
            web_publish_form(c->web, WEB_FORM_FULL, "tracks", c->ev.p, c->ev.len) >= 0) {
            c->sse_tracks_events++;
            c->sse_tracks += f->n;
        }
        return;
    }
    jw_end(&f->wl); /* "tracks" */
    jw_end(&f->wm);
    jw_key(&f->wl, "moves");
    if (f->wm.err)
        f->wl.err = f->wm.err;
    else
        jw_raw(&f->wl, c->ev_moves.p, c->ev_moves.len);
    jw_end(&f->wl);
    if (!f->wl.err &&
        web_publish_form(c->web, WEB_FORM_MOVES, "tracks", c->ev_lean.p, c->ev_lean.len) >= 0) {
        c->sse_tracks_events++;
        c->sse_lean_objects += f->nl;
        c->sse_lean_moves += f->nm;
    }
}

/* One changed, published track into the open events. p: its place's
 * record (already holding the track's slow members; NULL: none, always in
 * full); slow_changed: they differ from what the previous flush saw. */
static void flush_track(struct flush *f, const struct trk_track *t, struct pub_slot *p,
                        int slow_changed)
{
    struct app_centre *c = f->c;
    int whole = 0; /* the lean form takes the full object */
    uint64_t h = 0;
    if (f->lean) {
        h = extra_hash(c, t);
        whole = !p || p->full_ms == 0 || slow_changed || h != p->extra_hash ||
                refresh_due(t->id, p->full_ms, f->now_ms);
    }
    if (f->full) {
        size_t at = c->ev.len;
        web_json_track_extra(&f->w, t, f->now_ms, p_track_extra, c);
        f->n++;
        if (whole && !f->w.err) { /* the same text for the lean event: copied */
            const char *o = c->ev.p + at;
            size_t ol = c->ev.len - at;
            if (ol && *o == ',') {
                o++;
                ol--;
            }
            jw_raw(&f->wl, o, ol);
        } else if (whole) {
            web_json_track_extra(&f->wl, t, f->now_ms, p_track_extra, c);
        }
    } else if (whole) {
        web_json_track_extra(&f->wl, t, f->now_ms, p_track_extra, c);
    }
    c->extra_of = NULL;
    if (whole) {
        f->nl++;
        if (p) {
            p->full_ms = f->now_ms;
            p->extra_hash = h;
        }
    } else if (f->lean) {
        web_json_track_move(&f->wm, t);
        f->nm++;
    }
    if (f->full && c->ev.len > STREAM_EVENT_SPLIT) {
        flush_send(f, 0);
        flush_open(f, 0);
    }
    if (f->lean && c->ev_lean.len + c->ev_moves.len > STREAM_EVENT_SPLIT) {
        flush_send(f, 1);
        flush_open(f, 1);
    }
}

/*
 * Publish the tracks changed since the previous flush (docs/centre.md):
 * a track whose id, update count or slow members (struct pub_slow) differ
 * from what the previous flush saw at its place in the live table. To
 * default-form clients as one "tracks" event of full objects,
 * {"now_ms":N,"tracks":[...]}; to lean-form clients (?form=moves) as one
 * {"now_ms":N,"tracks":[...],"moves":[[...],...]}: a full object for a
 * track not yet sent in full since it came to its place, one whose slow
 * members or extra members (their text's hash) changed, or one due for its
 * refresh (refresh_due); a move row for the others. Each text is built
 * only when that form has clients. Tentative tracks are not sent (their
 * first update as confirmed is); a DELETED track is sent once, by the
 * flush after the cycle whose trk_tick deleted it. Runs after every step
 * and every stream_ms between steps (on_stream), only while someone
 * listens: the first flush after a client came sends what changed
 * meanwhile.
 */
static void flush_tracks(struct app_centre *c, int64_t now_ms)
{
    const struct web_stats *st = c->web ? web_stats(c->web) : NULL;
    struct flush f = {.c = c, .now_ms = now_ms};
    f.full = st && st->sse_clients_form[WEB_FORM_FULL] > 0;
    f.lean = st && st->sse_clients_form[WEB_FORM_MOVES] > 0;
    if (!f.full && !f.lean)
        return;
    c->flushes++;
    c->extra_now_ms = now_ms;
    if (f.full)
        flush_open(&f, 0);
    if (f.lean)
        flush_open(&f, 1);
    size_t cur = 0;
    const struct trk_track *t;
    while ((t = pic_track_next(c->pic, &cur)) != NULL) {
        size_t at = cur - 1;
        struct pub_slot *p = NULL;
        int slow_changed = 1;
        if (at < c->pub_cap) {
            struct pub_slow now;
            pub_fill(&now, t);
            p = &c->pub[at];
            slow_changed = memcmp(&p->slow, &now, sizeof now) != 0;
            if (!slow_changed && p->n_updates == t->n_updates)
                continue;
            if (p->slow.id != t->id) { /* another track in this place */
                p->full_ms = 0;
                p->extra_hash = 0;
            }
            p->slow = now;
            p->n_updates = t->n_updates;
        }
        if (t->status == TRK_ST_TENTATIVE)
            continue;
        flush_track(&f, t, p, slow_changed);
    }
    if (f.full && f.n)
        flush_send(&f, 0);
    if (f.lean && (f.nl || f.nm))
        flush_send(&f, 1);
    c->extra_now_ms = 0;
}

/* ----------------------------------------------------------------- cycle */

static int64_t data_clock(const struct app_centre *c, int64_t now_mono)
{
    if (!c->replay_clock)
        return clock_now_ms(&cairn_clock_real);
    return c->data_t0_ms + (int64_t)((double)(now_mono - c->start_mono_ms) * c->speed);
}

static void step(struct app_centre *c, int64_t end_ms)
{
    for (size_t i = 0; i < c->n_replay; i++)
        /* a step's reports are bounded by the recording's density; the cap
         * keeps one firing finite whatever the file holds */
        (void)app_replay_feed(c->replay[i], c->pic, end_ms, 1000000);
    int rc = pic_cycle(c->pic, end_ms);
    if (rc != 0) {
        if (!c->cycle_errors++)
            log_warn(MOD, "picture cycle at %lld: %s", (long long)end_ms, cairn_strerror(rc));
    }
    c->last_cycle_rc = rc;
    c->pic_now_ms = end_ms;
    c->steps++;
    if (c->proc) {
        size_t n;
        const struct trk_track *t = pic_tracks(c->pic, &n);
        proc_cycle(c->proc, t, n, end_ms);
    }
    flush_tracks(c, end_ms);
}

static void update_rates(struct app_centre *c, int64_t now_mono)
{
    for (size_t i = 0; i < c->n_in; i++) {
        struct input *in = &c->in[i];
        if (now_mono - in->prev_mono_ms < RATE_WINDOW_MS)
            continue;
        struct app_input_health h;
        memset(&h, 0, sizeof h);
        in->ops->health(in->obj, &h);
        in->rate =
            (double)(h.reports - in->prev_reports) * 1000.0 / (double)(now_mono - in->prev_mono_ms);
        in->prev_reports = h.reports;
        in->prev_mono_ms = now_mono;
    }
}

static void schedule(struct app_centre *c, int64_t now_mono)
{
    int64_t cyc = c->cfg.cycle_ms;
    int64_t next = c->due_mono_ms + cyc;
    if (next <= now_mono) { /* missed firings: skip to the next one ahead */
        int64_t k = (now_mono - c->start_mono_ms) / cyc + 1;
        int64_t skip = c->start_mono_ms + k * cyc;
        c->overruns += (uint64_t)((skip - next) / cyc);
        next = skip;
    }
    c->due_mono_ms = next;
    int64_t wait = next - now_mono;
    struct timeval tv = {(time_t)(wait / 1000), (suseconds_t)(wait % 1000) * 1000};
    evtimer_add(c->tick, &tv);
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct app_centre *c = arg;
    int64_t t0_ns = clock_mono_ns();
    int64_t now = t0_ns / 1000000;
    double late_s = (double)(t0_ns - c->due_mono_ms * 1000000) / 1e9;
    if (late_s < 0)
        late_s = 0;
    c->ticks++;
    c->lat_count++;
    c->lat_sum_s += late_s;
    c->lat_last_s = late_s;
    if (late_s > c->lat_max_s)
        c->lat_max_s = late_s;
    for (size_t i = 0; i < N_LAT_BUCKETS; i++)
        if (late_s <= lat_bucket_s[i])
            c->lat_bucket[i]++;

    int64_t clock = data_clock(c, now);
    if (!c->replay_clock) {
        if (c->stream) { /* what came since the last flush goes out before the rules run */
            (void)pic_ingest(c->pic, clock);
            flush_tracks(c, clock);
        }
        step(c, clock); /* live: one cycle at UTC now */
    } else {
        unsigned n = 0;
        while (c->next_step_ms <= clock && n < APP_MAX_STEPS) {
            step(c, c->next_step_ms);
            c->next_step_ms += c->cfg.cycle_ms;
            n++;
        }
        if (c->next_step_ms <= clock) {
            /* hold the data clock back: it resumes from here */
            c->steps_deferred++;
            c->data_t0_ms = c->next_step_ms;
            c->start_mono_ms = now;
            c->due_mono_ms = now;
        }
    }
    update_rates(c, now);
    share_picture(c, now);
    double work_s = (double)(clock_mono_ns() - t0_ns) / 1e9;
    c->work_last_s = work_s;
    if (work_s > c->work_max_s)
        c->work_max_s = work_s;
    schedule(c, mono_ms());
}

/*
 * The live stream's firing, every stream_ms between the cycle's: the
 * picture takes the reports received so far (pic_ingest: association and
 * filter only; detectors stay on the cycle), then the tracks changed since
 * the previous flush go out as one "tracks" event. Replays: their reports
 * dated before min(data clock, the next step's end) first, so a step still
 * takes only reports dated before its end (C3).
 */
static void on_stream(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct app_centre *c = arg;
    int64_t t0_ns = clock_mono_ns();
    int64_t end = data_clock(c, t0_ns / 1000000);
    if (c->replay_clock) {
        if (end > c->next_step_ms)
            end = c->next_step_ms;
        for (size_t i = 0; i < c->n_replay; i++)
            (void)app_replay_feed(c->replay[i], c->pic, end, 1000000);
    }
    (void)pic_ingest(c->pic, end); /* refusals: the tracker's counters */
    c->stream_runs++;
    flush_tracks(c, end);
    double work_s = (double)(clock_mono_ns() - t0_ns) / 1e9;
    c->stream_work_last_s = work_s;
    if (work_s > c->stream_work_max_s)
        c->stream_work_max_s = work_s;
}

/* -------------------------------------------------------------- provider */

static int p_tracks(void *arg, struct web_tracks *out)
{
    struct app_centre *c = arg;
    out->v = pic_tracks(c->pic, &out->n);
    out->now_ms = c->pic_now_ms;
    out->messages = pic_stats(c->pic)->reports;
    return 0;
}

static int p_alerts(void *arg, struct web_alerts *out)
{
    struct app_centre *c = arg;
    size_t n = 0, cur = 0;
    const struct det_alert *a;
    while ((a = pic_alert_next(c->pic, &cur)) != NULL) {
        if (GROW_ARRAY(&c->alerts, &c->alerts_cap, n + 1, 64))
            return CAIRN_E_NOMEM;
        c->alerts[n++] = *a;
    }
    size_t np = 0;
    const struct det_alert *pa = c->proc ? proc_alerts(c->proc, &np) : NULL;
    if (np) {
        struct det_alert *v = realloc(c->alerts, (n + np) * sizeof *v);
        if (!v)
            return CAIRN_E_NOMEM;
        c->alerts = v;
        c->alerts_cap = n + np;
        memcpy(c->alerts + n, pa, np * sizeof *pa);
        n += np;
    }
    out->v = c->alerts;
    out->n = n;
    out->ack = NULL;
    /* acknowledgements: those of alerts gone are forgotten, the alerts
     * that ended kept acknowledgeable a while (app/acks.h); without memory
     * for the copy, the list is served all the same */
    (void)app_acks_sync(&c->acks, c->alerts, n, clock_now_ms(&cairn_clock_real));
    if (c->acks.n && n) {
        if (n > c->alert_acks_cap) {
            struct web_ack *v = realloc(c->alert_acks, n * sizeof *v);
            if (!v)
                return CAIRN_E_NOMEM;
            c->alert_acks = v;
            c->alert_acks_cap = n;
        }
        for (size_t i = 0; i < n; i++) {
            const struct web_ack *k = app_acks_get(&c->acks, c->alerts[i].id);
            if (k)
                c->alert_acks[i] = *k;
            else
                memset(&c->alert_acks[i], 0, sizeof c->alert_acks[i]);
        }
        out->ack = c->alert_acks;
    }
    return 0;
}

static int parse_id(const char *s, uint32_t *id);

/* POST /api/alerts/ID/ack: the operator has seen it. 200 with the alert
 * (and its first acknowledgement) again, which is also published as an
 * "alert" event when new; for an alert that ended lately (app/acks.h), the
 * same with its state CLEARED; 404 for an id neither listed nor ended. */
static int ack_alert(struct app_centre *c, const struct web_req *rq, struct dbuf *out)
{
    uint32_t id;
    struct web_alerts av = {0};
    if (parse_id(rq->id, &id) != 0)
        return 404;
    int rc = p_alerts(c, &av); /* also prunes */
    if (rc != 0)
        return rc;
    const struct det_alert *a = NULL;
    for (size_t i = 0; i < av.n && !a; i++)
        if (av.v[i].id == id && av.v[i].state != DET_ST_FREE)
            a = &av.v[i];
    int64_t now = clock_now_ms(&cairn_clock_real);
    if (!a)
        a = app_acks_ended(&c->acks, id, now); /* it cleared since the operator saw it */
    if (!a)
        return 404;
    rc = app_acks_set(&c->acks, id, rq->user, now);
    if (rc < 0)
        return rc;
    const struct web_ack *k = app_acks_get(&c->acks, id);
    if (rc == 1) {
        log_info(MOD, "alert %u acknowledged by %s", id, k->user);
        if (listening(c)) {
            dbuf_reset(&c->ev);
            struct jsonw ew;
            jw_init(&ew, &c->ev);
            web_json_alert_ack(&ew, a, k);
            if (!ew.err && web_publish(c->web, "alert", c->ev.p, c->ev.len) >= 0)
                c->sse_alerts++;
        }
    }
    struct jsonw w;
    jw_init(&w, out);
    web_json_alert_ack(&w, a, k);
    return w.err ? w.err : 200;
}

static const char *type_name(uint8_t t)
{
    return t == PIC_SENSOR_RADAR ? "radar" : t == PIC_SENSOR_ADSB ? "adsb" : "ais";
}

static void write_sensors(struct app_centre *c, struct dbuf *out)
{
    struct jsonw w;
    jw_init(&w, out);
    jw_obj(&w);
    jw_kstr(&w, "centre", c->cfg.name);
    if (c->cfg.party[0])
        jw_kstr(&w, "party", c->cfg.party);
    jw_kint(&w, "now_ms", c->pic_now_ms);
    jw_key(&w, "inputs");
    jw_arr(&w);
    for (size_t i = 0; i < c->n_in; i++) {
        const struct input *in = &c->in[i];
        struct app_input_health h;
        memset(&h, 0, sizeof h);
        in->ops->health(in->obj, &h);
        jw_obj(&w);
        jw_kstr(&w, "name", in->name);
        jw_kstr(&w, "kind", in->ops->kind);
        jw_kstr(&w, "state", h.state ? h.state : "unknown");
        jw_kuint(&w, "reports", h.reports);
        jw_kfixed(&w, "rate", in->rate, 1);
        jw_kuint(&w, "bytes", h.bytes);
        jw_kuint(&w, "errors", h.errors);
        if (h.last_data_utc_ms) {
            jw_kint(&w, "last_data_ms", h.last_data_utc_ms);
            jw_kfixed(&w, "last_data_age_s", (double)(c->pic_now_ms - h.last_data_utc_ms) / 1e3, 1);
        }
        if (h.detail[0])
            jw_kstr(&w, "detail", h.detail);
        if (in->ops == &sensor_input_ops) {
            /* a live sensor's own account (feed/sensor.h): connected or
             * not, retries and the next attempt, decode errors apart from
             * disconnections, its bound port */
            jw_key(&w, "live");
            sensor_health_json(in->obj, &w);
        }
        jw_end(&w);
    }
    jw_end(&w);
    /* the picture's view: every sensor its reports named */
    const struct pic_stats *ps = pic_stats(c->pic);
    jw_key(&w, "sensors");
    jw_arr(&w);
    for (size_t i = 0; i < ps->n_sensors; i++) {
        const struct pic_sensor_stats *s = &ps->sensors[i];
        char name[PIC_NAME_MAX + 16];
        if (app_peers_sensor_name(c->peers, s->id, name, sizeof name) != 0)
            pic_sensor_name(c->pic, s->id, name, sizeof name);
        const struct pic_sensor *cf = pic_sensors_find(pic_sensors(c->pic), s->id);
        jw_obj(&w);
        jw_kstr(&w, "name", name);
        jw_kuint(&w, "id", s->id);
        if (cf)
            jw_kstr(&w, "type", type_name(cf->type));
        else if (app_is_peer_sensor(s->id))
            jw_kstr(&w, "type", "peer");
        jw_kuint(&w, "reports", s->reports);
        jw_kuint(&w, "used", s->used);
        if (s->last_t_ms)
            jw_kint(&w, "last_data_ms", s->last_t_ms);
        jw_end(&w);
    }
    jw_end(&w);
    /* the output ports, with their clients */
    jw_key(&w, "outputs");
    jw_arr(&w);
    for (size_t i = 0; i < c->n_out; i++)
        app_output_json(c->out[i], &w);
    jw_end(&w);
    jw_end(&w);
}

static int parse_id(const char *s, uint32_t *id)
{
    if (!s || !*s)
        return -1;
    uint64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        v = v * 10 + (uint64_t)(*s - '0');
        if (v > UINT32_MAX)
            return -1;
    }
    *id = (uint32_t)v;
    return 0;
}

static int write_track(struct app_centre *c, const char *sid, struct dbuf *out)
{
    uint32_t id;
    if (parse_id(sid, &id) != 0)
        return 404;
    const struct trk_track *t = pic_track_by_id(c->pic, id);
    if (!t)
        return 404;
    struct jsonw w;
    jw_init(&w, out);
    jw_obj(&w);
    jw_key(&w, "track");
    web_json_track(&w, t, c->pic_now_ms);
    size_t n = pic_trail(c->pic, id, c->trail, TRAIL_MAX);
    jw_key(&w, "trail");
    jw_arr(&w);
    for (size_t i = 0; i < n; i++) {
        const struct trk_point *p = &c->trail[i];
        jw_arr(&w);
        jw_int(&w, p->t_ms);
        jw_fixed(&w, p->lat_e7 / 1e7, 6);
        jw_fixed(&w, p->lon_e7 / 1e7, 6);
        if (p->alt_ft == INT32_MIN)
            jw_null(&w);
        else
            jw_int(&w, p->alt_ft);
        jw_end(&w);
    }
    jw_end(&w);
    jw_end(&w);
    return w.err ? CAIRN_E_NOMEM : 200;
}

/* ------------------------------------------------- the embedded hotline */

/* Ask the hotline (a control request built in req, taken) and answer its
 * reply: 200, or 404 / 400 / 500 by its error. */
static int hl_ask(struct app_centre *c, json_t *req, struct dbuf *out)
{
    if (!req)
        return CAIRN_E_NOMEM;
    char *txt = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    if (!txt)
        return CAIRN_E_NOMEM;
    int bad = hl_daemon_request(c->hl, txt, strlen(txt), out);
    free(txt);
    if (!bad)
        return 200;
    if (strstr(out->p, "\"error\":\"NOTFOUND\""))
        return 404;
    if (strstr(out->p, "\"error\":\"NOMEM\"") || strstr(out->p, "\"error\":\"DB\"") ||
        strstr(out->p, "\"error\":\"IO\""))
        return 500;
    return 400;
}

/* The query's parameters as the request's members: "limit" and "seq" as
 * integers (the control protocol's), the others as strings. */
static void add_query(json_t *req, const struct web_req *rq)
{
    for (size_t i = 0; i < rq->n_query; i++) {
        const char *k = rq->query[i].key, *v = rq->query[i].val;
        if (!strcmp(k, "op"))
            continue;
        if (!strcmp(k, "limit") || !strcmp(k, "seq")) {
            char *end;
            long long n = strtoll(v, &end, 10);
            if (*v && !*end)
                json_object_set_new(req, k, json_integer(n));
        } else {
            json_object_set_new(req, k, json_string(v));
        }
    }
}

/* A message id "PEER:SEQ" into the request's peer and seq. 0 or -1. */
static int add_msg_id(json_t *req, const char *id)
{
    const char *colon = id ? strrchr(id, ':') : NULL;
    if (!colon || colon == id || !colon[1])
        return -1;
    char *end;
    long long seq = strtoll(colon + 1, &end, 10);
    if (*end || seq <= 0)
        return -1;
    json_object_set_new(req, "peer", json_stringn(id, (size_t)(colon - id)));
    json_object_set_new(req, "seq", json_integer(seq));
    return 0;
}

static int hl_get(struct app_centre *c, enum web_topic topic, const struct web_req *rq,
                  struct dbuf *out)
{
    json_t *req = json_object();
    if (!req)
        return CAIRN_E_NOMEM;
    switch (topic) {
    case WEB_GET_LINK: {
        json_object_set_new(req, "op", json_string("status"));
        int st = hl_ask(c, req, out);
        if (st != 200 || !c->peers)
            return st;
        /* each peer's shared picture beside its session */
        json_t *j = json_loadb(out->p, out->len, 0, NULL);
        char *txt = NULL;
        if (j) {
            app_peers_link_json(c->peers, j, mono_ms());
            txt = json_dumps(j, JSON_COMPACT);
            json_decref(j);
        }
        if (!txt)
            return CAIRN_E_NOMEM;
        dbuf_reset(out);
        int rc = dbuf_adds(out, txt);
        free(txt);
        return rc ? rc : 200;
    }
    case WEB_GET_CASES:
        json_object_set_new(req, "op", json_string("cases"));
        add_query(req, rq);
        break;
    case WEB_GET_MESSAGES:
        json_object_set_new(req, "op", json_string("list"));
        add_query(req, rq);
        break;
    case WEB_GET_MESSAGE:
        json_object_set_new(req, "op", json_string("show"));
        add_query(req, rq);
        if (!json_object_get(req, "dir"))
            json_object_set_new(req, "dir", json_string("in"));
        if (add_msg_id(req, rq->id) != 0) {
            json_decref(req);
            return 404;
        }
        break;
    default:
        json_decref(req);
        return 404;
    }
    return hl_ask(c, req, out);
}

static int p_json(void *arg, enum web_topic topic, const struct web_req *rq, struct dbuf *out)
{
    struct app_centre *c = arg;
    int st = c->proc ? proc_get(c->proc, topic, rq, out) : 0;
    if (st != 0)
        return st;
    if ((topic == WEB_GET_MESSAGES || topic == WEB_GET_MESSAGE) && c->hl) {
        st = hl_get(c, topic, rq, out);
        if (st == 200 && c->proc) /* the notices' flags on their messages */
            proc_decorate_list(c->proc, out);
        return st;
    }
    switch (topic) {
    case WEB_GET_SENSORS:
        write_sensors(c, out);
        return 200;
    case WEB_GET_TRACK:
        return write_track(c, rq->id, out);
    default:
        /* the hotline's topics; without one embedded: 404 */
        return c->hl ? hl_get(c, topic, rq, out) : 404;
    }
}

/* POST /api/tracks/ID/release: {"peers": [NAME...]} (absent: every peer),
 * {"release": false} withdraws the mark (app/peer.h). */
static int track_release(struct app_centre *c, const struct web_req *rq, const json_t *body,
                         struct dbuf *out)
{
    uint32_t id;
    if (parse_id(rq->id, &id) != 0 || !pic_track_by_id(c->pic, id))
        return 404;
    if (!c->peers) {
        dbuf_adds(out, "{\"error\":\"no [peer] sections: nothing is shared\"}");
        return 409;
    }
    const json_t *on = body ? json_object_get(body, "release") : NULL;
    const json_t *peers = body ? json_object_get(body, "peers") : NULL;
    const char *names[APP_MAX_PEERS];
    size_t n = 0;
    if ((on && !json_is_boolean(on)) || (peers && !json_is_array(peers)) ||
        (peers && json_array_size(peers) > APP_MAX_PEERS)) {
        dbuf_adds(out, "{\"error\":\"body wants {\\\"peers\\\":[NAME...],"
                       "\\\"release\\\":true|false}\"}");
        return 400;
    }
    for (size_t i = 0; peers && i < json_array_size(peers); i++) {
        names[n] = json_string_value(json_array_get(peers, i));
        if (!names[n]) {
            dbuf_adds(out, "{\"error\":\"peers are names\"}");
            return 400;
        }
        n++;
    }
    int yes = !on || json_is_true(on);
    int rc = app_peers_release(c->peers, id, yes, names, n);
    if (rc == CAIRN_E_NOTFOUND) {
        dbuf_adds(out, "{\"error\":\"not a [peer] of this centre\"}");
        return 400;
    }
    if (rc == CAIRN_E_FULL) {
        dbuf_adds(out, "{\"error\":\"too many tracks marked releasable\"}");
        return 409;
    }
    if (rc != 0)
        return rc;
    log_info(MOD, "track %u: %s %s by operator %s", id,
             yes ? "releasable to" : "no longer releasable", n ? "some peers" : "every peer",
             rq->user ? rq->user : "?");
    struct jsonw w;
    jw_init(&w, out);
    jw_obj(&w);
    jw_kuint(&w, "id", id);
    jw_kbool(&w, "releasable", yes);
    jw_key(&w, "peers");
    jw_arr(&w);
    for (size_t i = 0; i < n; i++)
        jw_str(&w, names[i]);
    jw_end(&w);
    jw_end(&w);
    return w.err ? CAIRN_E_NOMEM : 200;
}

static void p_track_extra(void *arg, const struct trk_track *t, struct jsonw *w)
{
    struct app_centre *c = arg;
    if (c->extra_of == t && c->extra.len > 2) {
        /* a flush wrote them for their hash (extra_hash): the same members,
         * copied without the braces (they follow the track's own members) */
        jw_raw(w, c->extra.p + 1, c->extra.len - 2);
        return;
    }
    app_peers_track_json(c->peers, t, c->extra_now_ms ? c->extra_now_ms : c->pic_now_ms, w);
}

static int p_action(void *arg, enum web_action act, const struct web_req *rq, const json_t *body,
                    struct dbuf *out)
{
    struct app_centre *c = arg;
    int st = c->proc ? proc_action(c->proc, act, rq, body, out) : 0;
    if (st != 0)
        return st;
    if (c->hl && (act == WEB_ACT_MSG_SEND || act == WEB_ACT_MSG_ACK)) {
        json_t *req = act == WEB_ACT_MSG_SEND && body ? json_deep_copy(body) : json_object();
        if (!req)
            return CAIRN_E_NOMEM;
        json_object_set_new(req, "op", json_string(act == WEB_ACT_MSG_SEND ? "send" : "ack"));
        json_object_del(req, "count"); /* one message per request from the API */
        if (act == WEB_ACT_MSG_ACK) {
            if (add_msg_id(req, rq->id) != 0) {
                json_decref(req);
                return 404;
            }
            json_object_set_new(req, "operator", json_string(rq->user ? rq->user : "api"));
        }
        return hl_ask(c, req, out);
    }
    if (act == WEB_ACT_TRACK_RELEASE)
        return track_release(c, rq, body, out);
    if (act == WEB_ACT_ALERT_ACK)
        return ack_alert(c, rq, out);
    if (act != WEB_ACT_TRACK_RADIO)
        return 501;
    uint32_t id;
    if (parse_id(rq->id, &id) != 0)
        return 404;
    const char *v = json_string_value(json_object_get(body, "radio"));
    uint8_t tri;
    if (!v)
        tri = 255;
    else if (!strcmp(v, "yes"))
        tri = TRK_TRI_YES;
    else if (!strcmp(v, "no"))
        tri = TRK_TRI_NO;
    else if (!strcmp(v, "unknown"))
        tri = TRK_TRI_UNKNOWN;
    else
        tri = 255;
    if (tri == 255) {
        dbuf_adds(out, "{\"error\":\"body wants {\\\"radio\\\":\\\"yes|no|unknown\\\"}\"}");
        return 400;
    }
    int rc = pic_set_radio(c->pic, id, tri);
    if (rc == CAIRN_E_NOTFOUND)
        return 404;
    if (rc != 0)
        return rc;
    log_info(MOD, "track %u: radio %s (operator %s)", id, pic_tri_name(tri),
             rq->user ? rq->user : "?");
    struct jsonw w;
    jw_init(&w, out);
    jw_obj(&w);
    jw_kuint(&w, "id", id);
    jw_kstr(&w, "radio", pic_tri_name(tri));
    jw_end(&w);
    return 200;
}

static void m1(struct dbuf *o, const char *name, const char *type, const char *help, double v)
{
    web_metric_head(o, name, type, help);
    web_metric_sample(o, name, NULL, v);
}

static void p_metrics(void *arg, struct dbuf *o)
{
    struct app_centre *c = arg;
    web_metric_head(o, "cairn_cycle_lateness_seconds", "histogram",
                    "how late the cycle timer fired (wall time)");
    char lab[64];
    for (size_t i = 0; i < N_LAT_BUCKETS; i++) {
        snprintf(lab, sizeof lab, "le=\"%g\"", lat_bucket_s[i]);
        web_metric_sample(o, "cairn_cycle_lateness_seconds_bucket", lab, (double)c->lat_bucket[i]);
    }
    web_metric_sample(o, "cairn_cycle_lateness_seconds_bucket", "le=\"+Inf\"",
                      (double)c->lat_count);
    web_metric_sample(o, "cairn_cycle_lateness_seconds_sum", NULL, c->lat_sum_s);
    web_metric_sample(o, "cairn_cycle_lateness_seconds_count", NULL, (double)c->lat_count);
    m1(o, "cairn_cycle_lateness_max_seconds", "gauge", "largest cycle lateness since start",
       c->lat_max_s);
    m1(o, "cairn_cycle_work_seconds", "gauge", "time the last firing took (steps, publishing)",
       c->work_last_s);
    m1(o, "cairn_cycle_work_max_seconds", "gauge", "longest firing since start", c->work_max_s);
    m1(o, "cairn_cycle_overruns_total", "counter", "firings skipped: the loop was too late",
       (double)c->overruns);
    m1(o, "cairn_cycles_total", "counter", "picture cycles run", (double)c->steps);
    m1(o, "cairn_reloads_total", "counter", "SIGHUP reloads of the configuration",
       (double)c->reloads);
    m1(o, "cairn_reload_errors_total", "counter",
       "reloads refused because the configuration file did not read (nothing changed)",
       (double)c->reload_errors);
    m1(o, "cairn_cycle_errors_total", "counter", "picture cycles that failed",
       (double)c->cycle_errors);
    m1(o, "cairn_cycle_steps_deferred_total", "counter",
       "firings that could not bring a replay's picture up to its clock",
       (double)c->steps_deferred);
    m1(o, "cairn_picture_time_seconds", "gauge", "the picture's clock (UTC, or the replays')",
       (double)c->pic_now_ms / 1e3);
    const struct pic_stats *ps = pic_stats(c->pic);
    m1(o, "cairn_reports_total", "counter", "reports given to the picture", (double)ps->reports);
    m1(o, "cairn_reports_unusable_total", "counter", "reports no tracker can use",
       (double)ps->unusable);
    m1(o, "cairn_reports_late_total", "counter", "reports older than the last cycle",
       (double)ps->late);
    size_t n;
    const struct trk_track *t = pic_tracks(c->pic, &n);
    double by[5] = {0};
    for (size_t i = 0; i < n; i++)
        if (t[i].status < 5)
            by[t[i].status]++;
    web_metric_head(o, "cairn_tracks", "gauge", "tracks in the picture by status");
    web_metric_sample(o, "cairn_tracks", "status=\"tentative\"", by[TRK_ST_TENTATIVE]);
    web_metric_sample(o, "cairn_tracks", "status=\"confirmed\"", by[TRK_ST_CONFIRMED]);
    web_metric_sample(o, "cairn_tracks", "status=\"coasting\"", by[TRK_ST_COASTING]);
    size_t cur = 0, n_alerts = 0;
    while (pic_alert_next(c->pic, &cur))
        n_alerts++;
    m1(o, "cairn_alerts", "gauge", "alerts not free (open, or just cleared)", (double)n_alerts);
    const struct det_stats *ds = pic_det_stats(c->pic);
    m1(o, "cairn_alerts_opened_total", "counter", "alerts opened", (double)ds->opened);
    m1(o, "cairn_alerts_cleared_total", "counter", "alerts cleared", (double)ds->cleared);
    m1(o, "cairn_sse_tracks_total", "counter", "tracks published in tracks events",
       (double)c->sse_tracks);
    m1(o, "cairn_sse_tracks_events_total", "counter", "tracks events published (both forms)",
       (double)c->sse_tracks_events);
    m1(o, "cairn_sse_moves_objects_total", "counter",
       "full track objects in the lean form's tracks events (?form=moves)",
       (double)c->sse_lean_objects);
    m1(o, "cairn_sse_moves_rows_total", "counter",
       "move rows in the lean form's tracks events (?form=moves)", (double)c->sse_lean_moves);
    m1(o, "cairn_stream_runs_total", "counter",
       "stream firings between cycles (reports into the tracker, then a flush)",
       (double)c->stream_runs);
    m1(o, "cairn_stream_flushes_total", "counter",
       "flushes of the changed tracks while someone listened (after steps and stream firings)",
       (double)c->flushes);
    m1(o, "cairn_stream_work_max_seconds", "gauge", "the longest stream firing",
       c->stream_work_max_s);
    m1(o, "cairn_sse_alerts_total", "counter", "alert events published", (double)c->sse_alerts);
    m1(o, "cairn_cat004_sent_total", "counter", "CAT004 alert records sent",
       (double)c->cat004_sent);
    m1(o, "cairn_cat004_errors_total", "counter", "CAT004 records not encoded or not sent",
       (double)c->cat004_errors);
    if (c->proc) {
        const struct proc_stats *s = proc_stats(c->proc);
        m1(o, "cairn_renegade_notified_total", "counter",
           "RENEGADE_ALERT messages sent to peers automatically", (double)s->renegade_sent);
        m1(o, "cairn_renegade_notify_errors_total", "counter",
           "automatic RENEGADE_ALERT messages not sent", (double)s->renegade_errors);
        m1(o, "cairn_notices_total", "counter", "activity notices seen (sent and received)",
           (double)s->notices);
        m1(o, "cairn_notices_late_total", "counter", "activity notices under their lead time",
           (double)s->notices_late);
        m1(o, "cairn_compliance_summaries_sent_total", "counter", "COMPLIANCE_SUMMARY sent",
           (double)s->summaries_sent);
        m1(o, "cairn_compliance_summaries_received_total", "counter", "COMPLIANCE_SUMMARY received",
           (double)s->summaries_received);
        m1(o, "cairn_compliance_summaries_bad_total", "counter",
           "COMPLIANCE_SUMMARY received outside the grammar", (double)s->summaries_bad);
        m1(o, "cairn_compliance_discrepancies_total", "counter",
           "discrepancies between peers' summaries and our picture", (double)s->discrepancies);
    }
    m1(o, "cairn_cat062_records_total", "counter", "CAT062 track records sent on UDP",
       (double)c->cat062_records);
    m1(o, "cairn_cat062_datagrams_total", "counter", "CAT062 datagrams sent on UDP",
       (double)c->cat062_datagrams);
    m1(o, "cairn_cat062_errors_total", "counter", "CAT062 records or datagrams not sent",
       (double)c->cat062_errors);
    app_peers_metrics(c->peers, o, mono_ms());
    if (c->hl) /* the link's counters: sessions, frames, pictures (cairn_hotline_*) */
        (void)hl_link_metrics(hl_daemon_link(c->hl), o);
    /* per input (names are [A-Za-z0-9._-]: safe in a label) */
    static const char *const heads[][3] = {
        {"cairn_input_reports_total", "counter", "reports an input gave the picture"},
        {"cairn_input_errors_total", "counter", "units refused, read errors, disconnections"},
        {"cairn_input_bytes_total", "counter", "bytes an input read"},
        {"cairn_input_rate", "gauge", "reports per second"},
        {"cairn_input_up", "gauge", "1 while the input runs"},
    };
    for (size_t k = 0; k < 5; k++) {
        web_metric_head(o, heads[k][0], heads[k][1], heads[k][2]);
        for (size_t i = 0; i < c->n_in; i++) {
            struct app_input_health h;
            memset(&h, 0, sizeof h);
            c->in[i].ops->health(c->in[i].obj, &h);
            snprintf(lab, sizeof lab, "input=\"%s\",kind=\"%s\"", c->in[i].name,
                     c->in[i].ops->kind);
            double v = k == 0   ? (double)h.reports
                       : k == 1 ? (double)h.errors
                       : k == 2 ? (double)h.bytes
                       : k == 3 ? c->in[i].rate
                                : (double)(h.state && !strcmp(h.state, APP_IN_RUNNING));
            web_metric_sample(o, heads[k][0], lab, v);
        }
    }
    web_metric_head(o, "cairn_sensor_reports_total", "counter",
                    "reports of each sensor the picture knows");
    for (size_t i = 0; i < ps->n_sensors; i++) {
        char name[PIC_NAME_MAX + 16];
        if (app_peers_sensor_name(c->peers, ps->sensors[i].id, name, sizeof name) != 0)
            pic_sensor_name(c->pic, ps->sensors[i].id, name, sizeof name);
        snprintf(lab, sizeof lab, "sensor=\"%s\"", name);
        web_metric_sample(o, "cairn_sensor_reports_total", lab, (double)ps->sensors[i].reports);
    }
    write_outputs_metrics(c, o);
}

/* cairn_output_* per port (names are [A-Za-z0-9._-]: safe in a label). */
static void write_outputs_metrics(struct app_centre *c, struct dbuf *o)
{
    static const char *const heads[][3] = {
        {"cairn_output_clients", "gauge", "clients connected to an output port"},
        {"cairn_output_accepted_total", "counter", "clients accepted"},
        {"cairn_output_refused_total", "counter", "clients refused: max_clients were in"},
        {"cairn_output_dropped_total", "counter", "clients dropped for reading too slowly"},
        {"cairn_output_messages_total", "counter", "frames or lines written (once per port)"},
        {"cairn_output_bytes_total", "counter", "bytes queued to clients"},
        {"cairn_output_queued_max_bytes", "gauge", "most bytes ever queued for one client"},
    };
    char lab[96];
    for (size_t k = 0; k < sizeof heads / sizeof heads[0]; k++) {
        if (!c->n_out)
            break;
        web_metric_head(o, heads[k][0], heads[k][1], heads[k][2]);
        for (size_t i = 0; i < c->n_out; i++) {
            const struct app_output_stats *st = app_output_stats(c->out[i]);
            snprintf(lab, sizeof lab, "output=\"%s\",format=\"%s\"", app_output_name(c->out[i]),
                     app_output_format_name(app_output_format(c->out[i])));
            double v = k == 0   ? st->clients
                       : k == 1 ? (double)st->accepted
                       : k == 2 ? (double)st->refused
                       : k == 3 ? (double)st->dropped
                       : k == 4 ? (double)st->messages
                       : k == 5 ? (double)st->bytes
                                : st->queued_max;
            web_metric_sample(o, heads[k][0], lab, v);
        }
    }
}

static int p_health(void *arg, struct dbuf *out)
{
    struct app_centre *c = arg;
    /* five cycles without a firing: the loop is stuck or starved */
    int64_t behind = mono_ms() - c->due_mono_ms;
    if (behind > 5 * c->cfg.cycle_ms) {
        dbuf_addf(out, "cycle timer %lld ms behind\n", (long long)behind);
        return 1;
    }
    if (c->last_cycle_rc != 0) {
        dbuf_addf(out, "picture cycle failed: %s\n", cairn_strerror(c->last_cycle_rc));
        return 1;
    }
    return 0;
}

static const struct web_provider provider = {
    .get_tracks = p_tracks,
    .track_extra = p_track_extra,
    .get_alerts = p_alerts,
    .get_json = p_json,
    .action = p_action,
    .metrics = p_metrics,
    .health = p_health,
};

/* ----------------------------------------------------------------- setup */

int app_centre_add_input(struct app_centre *c, const char *name, const struct app_input_ops *ops,
                         void *obj)
{
    if (!name || !*name || strlen(name) >= PIC_NAME_MAX || !ops || !ops->health)
        return CAIRN_E_INVAL;
    for (size_t i = 0; i < c->n_in; i++)
        if (!strcmp(c->in[i].name, name))
            return CAIRN_E_EXISTS;
    if (c->n_in >= APP_MAX_INPUTS)
        return CAIRN_E_FULL;
    struct input *in = &c->in[c->n_in++];
    memset(in, 0, sizeof *in);
    snprintf(in->name, sizeof in->name, "%s", name);
    in->ops = ops;
    in->obj = obj;
    in->prev_mono_ms = mono_ms();
    return 0;
}

int app_centre_report(struct app_centre *c, const struct report *r)
{
    c->live_reports++;
    out_report(c, r);
    return pic_report(c->pic, r, r->t_ms);
}

int64_t app_centre_now_ms(const struct app_centre *c)
{
    return c->pic_now_ms;
}

int app_centre_port(const struct app_centre *c, size_t i)
{
    return c->web ? web_bound_port(c->web, i) : 0;
}

int app_centre_shutdown(struct app_centre *c)
{
    if (!c->hl)
        return 0;
    hl_daemon_shutdown(c->hl);
    /* 300 ms for the peers' countersignatures over loopback or a LAN, as
     * `cairn hotline` gives them; the next session sends it again if not */
    return 300;
}

/* ---- SIGHUP: the configuration read again ---- */

/* Create, register and start the live sensor of cfg (borrowed): 0, or the
 * error (logged; nothing kept). */
static int start_sensor(struct app_centre *c, const struct sensor_config *cfg)
{
    char err[256];
    struct sensor_config sc = *cfg;
    sc.radars = c->radars;
    sc.n_radars = c->n_radars;
    struct sensor *s;
    int rc = sensor_new(c->base, &sc, sensor_report, NULL, c, &s, err, sizeof err);
    if (rc != 0) {
        log_err(MOD, "[sensor %s]: %s", sc.name, err);
        return rc;
    }
    rc = app_centre_add_input(c, sc.name, &sensor_input_ops, s);
    if (rc != 0) {
        sensor_free(s);
        log_err(MOD, "[sensor %s]: %s", sc.name, cairn_strerror(rc));
        return rc;
    }
    if (c->out_raw)
        sensor_set_frame_cb(s, out_frame, c);
    sensor_start(s);
    return 0;
}

/* Stop and free the live sensor registered as name (an iq or rtlsdr
 * worker thread is joined by sensor_free), and forget its registration. */
static void stop_sensor(struct app_centre *c, const char *name)
{
    for (size_t i = 0; i < c->n_in; i++) {
        if (c->in[i].ops != &sensor_input_ops || strcmp(c->in[i].name, name) != 0)
            continue;
        sensor_free(c->in[i].obj);
        memmove(&c->in[i], &c->in[i + 1], (c->n_in - i - 1) * sizeof c->in[0]);
        c->n_in--;
        return;
    }
}

/* The index of [sensor name] in f, or f->n_sensor. */
static size_t find_sensor(const struct app_config *f, const char *name)
{
    size_t i = 0;
    while (i < f->n_sensor && strcmp(f->sensor[i].name, name) != 0)
        i++;
    return i;
}

/* 1 when [sensor] section i of a and j of b say the same (every key; the
 * line it starts on aside). Both were parsed into zeroed memory by
 * app_config_parse, so their bytes compare. */
static int same_sensor(const struct app_config *a, size_t i, const struct app_config *b, size_t j)
{
    struct sensor_config x, y;
    memcpy(&x, &a->sensor[i], sizeof x);
    memcpy(&y, &b->sensor[j], sizeof y);
    x.radars = y.radars = NULL;
    x.n_radars = y.n_radars = 0;
    return memcmp(&x, &y, sizeof x) == 0 && strcmp(a->sensor_rx[i], b->sensor_rx[j]) == 0;
}

/* Keep [sensor] section i of f (the running set) as src's j says. */
static void set_sensor(struct app_config *f, size_t i, const struct app_config *src, size_t j)
{
    f->sensor[i] = src->sensor[j];
    memcpy(f->sensor_rx[i], src->sensor_rx[j], sizeof f->sensor_rx[i]);
    f->sensor_line[i] = src->sensor_line[j];
}

static void drop_sensor(struct app_config *f, size_t i)
{
    size_t n = f->n_sensor - i - 1;
    memmove(&f->sensor[i], &f->sensor[i + 1], n * sizeof f->sensor[0]);
    memmove(&f->sensor_rx[i], &f->sensor_rx[i + 1], n * sizeof f->sensor_rx[0]);
    memmove(&f->sensor_line[i], &f->sensor_line[i + 1], n * sizeof f->sensor_line[0]);
    f->n_sensor--;
}

/* What a reload never applies: the members of struct app_config read only
 * at start, with the name an engineer knows them by. */
#define RESTART_ONLY(m, what)                                                                      \
    {                                                                                              \
        offsetof(struct app_config, m), sizeof(((struct app_config *)0)->m), what                  \
    }
static const struct {
    size_t off, size;
    const char *what;
} restart_only[] = {
    RESTART_ONLY(name, "[centre] name"),
    RESTART_ONLY(party, "[centre] party"),
    RESTART_ONLY(military, "[centre] military"),
    RESTART_ONLY(n_listen, "[web] listen"),
    RESTART_ONLY(listen, "[web] listen"),
    RESTART_ONLY(accounts, "[web] accounts (the path; the file itself is re-read)"),
    RESTART_ONLY(static_dir, "[web] static_dir"),
    RESTART_ONLY(tls_cert, "[web] tls_cert"),
    RESTART_ONLY(tls_key, "[web] tls_key"),
    RESTART_ONLY(n_allow, "[web] allow"),
    RESTART_ONLY(allow, "[web] allow"),
    RESTART_ONLY(port_file, "[web] port_file"),
    RESTART_ONLY(stream_ms, "[web] stream_ms"),
    RESTART_ONLY(cycle_ms, "[picture] cycle_ms"),
    RESTART_ONLY(separation_nm, "[picture] separation_nm"),
    RESTART_ONLY(sensors_file, "[picture] sensors"),
    RESTART_ONLY(sensors, "the [radar]/[adsb]/[ais] sensors"),
    RESTART_ONLY(zones_file, "[picture] zones"),
    RESTART_ONLY(plans_file, "[picture] plans"),
    RESTART_ONLY(points_file, "[picture] points"),
    RESTART_ONLY(has_cat004, "[cat004]"),
    RESTART_ONLY(cat004, "[cat004]"),
    RESTART_ONLY(cat004_sac, "[cat004]"),
    RESTART_ONLY(cat004_sic, "[cat004]"),
    RESTART_ONLY(has_hotline, "[hotline]"),
    RESTART_ONLY(hotline, "[hotline]"),
    RESTART_ONLY(has_procs, "[procedures]"),
    RESTART_ONLY(procs, "[procedures]"),
    RESTART_ONLY(n_output, "[output] sections"),
    RESTART_ONLY(n_peer, "[peer] sections"),
    RESTART_ONLY(has_cat062, "[cat062]"),
    RESTART_ONLY(cat062, "[cat062]"),
    RESTART_ONLY(cat062_sac, "[cat062]"),
    RESTART_ONLY(cat062_sic, "[cat062]"),
    RESTART_ONLY(cat062_interval_ms, "[cat062]"),
};

/* Log, once each, what differs between the running file and the new one
 * among the restart-only parts. Returns how many. */
static size_t log_restart_only(const struct app_config *f, const struct app_config *n)
{
    size_t k = 0;
    const char *last = NULL;
    for (size_t i = 0; i < sizeof restart_only / sizeof restart_only[0]; i++) {
        const char *a = (const char *)f + restart_only[i].off;
        const char *b = (const char *)n + restart_only[i].off;
        if (memcmp(a, b, restart_only[i].size) == 0 || restart_only[i].what == last)
            continue;
        last = restart_only[i].what;
        log_warn(MOD, "reload: %s changed: needs a restart (the running value stays)", last);
        k++;
    }
    /* sections that carry their line: compared without it */
    for (size_t i = 0; i < f->n_output && i < n->n_output; i++) {
        struct app_output_config x = f->output[i], y = n->output[i];
        x.line = y.line = 0;
        if (memcmp(&x, &y, sizeof x) != 0) {
            log_warn(MOD, "reload: [output] sections changed: needs a restart");
            k++;
            break;
        }
    }
    for (size_t i = 0; i < f->n_peer && i < n->n_peer; i++) {
        struct app_peer_config x = f->peer[i], y = n->peer[i];
        x.line = y.line = 0;
        if (memcmp(&x, &y, sizeof x) != 0) {
            log_warn(MOD, "reload: [peer] sections changed: needs a restart");
            k++;
            break;
        }
    }
    /* `cairn replay` adds recordings and a speed of its own: only the
     * file's sections are compared, and not their speed */
    int replays = n->n_replay > f->n_replay;
    for (size_t i = 0; i < n->n_replay && !replays; i++) {
        struct app_replay_config x = f->replay[i], y = n->replay[i];
        x.line = y.line = 0;
        x.speed = y.speed = 0;
        replays = memcmp(&x, &y, sizeof x) != 0;
    }
    if (replays) {
        log_warn(MOD, "reload: [replay] sections changed: needs a restart");
        k++;
    }
    return k;
}

/* The [picture] files read at start only, in file_sum's order. */
static const struct {
    size_t off;
    const char *what;
    size_t max; /* what its loader reads at most (app/files.c) */
} pic_files[3] = {
    {offsetof(struct app_config, zones_file), "[picture] zones", GEO_ZONES_MAX_BYTES},
    {offsetof(struct app_config, plans_file), "[picture] plans", FPL_MAX_FILE_LEN},
    {offsetof(struct app_config, points_file), "[picture] points", FPL_MAX_FILE_LEN},
};

/* The FNV-1a sum of pic_files[i] at path: 0 and *sum, or the read's error
 * with its line in err (a file grown past its loader's limit among them). */
static int file_sum(size_t i, const char *path, uint64_t *sum, char *err, size_t cap)
{
    struct dbuf b;
    int rc = app_read_file(pic_files[i].what, path, pic_files[i].max, &b, err, cap);
    if (rc != 0)
        return rc;
    uint64_t h = 14695981039346656037ull;
    for (size_t k = 0; k < b.len; k++) {
        h ^= (uint8_t)b.p[k];
        h *= 1099511628211ull;
    }
    dbuf_free(&b);
    *sum = h;
    return 0;
}

/* The sums of cfg's [picture] files (0 for one not named). */
static void pic_file_sums(const struct app_config *cfg, uint64_t sum[3])
{
    for (size_t i = 0; i < 3; i++) {
        const char *path = (const char *)cfg + pic_files[i].off;
        char err[256];
        sum[i] = 0;
        if (path[0] && file_sum(i, path, &sum[i], err, sizeof err) != 0)
            sum[i] = 0; /* read once just before: a file gone since shows at the reload */
    }
}

/* Log, once each, the [picture] files whose contents changed since the
 * start (their paths unchanged: log_restart_only tells a new path). The
 * running zones, plans and points stay. Returns how many. */
static size_t log_files_changed(const struct app_centre *c, const struct app_config *n)
{
    size_t k = 0;
    for (size_t i = 0; i < 3; i++) {
        const char *was = (const char *)c->file + pic_files[i].off;
        const char *now = (const char *)n + pic_files[i].off;
        if (!was[0] || strcmp(was, now) != 0)
            continue;
        uint64_t sum;
        char err[512], esc[1024];
        if (file_sum(i, now, &sum, err, sizeof err) != 0) {
            log_escape(esc, sizeof esc, err, strlen(err), LOG_ESC_LINE);
            log_warn(MOD, "reload: %s (the running ones stay)", esc);
            k++;
        } else if (sum != c->file_sum[i]) {
            log_warn(MOD, "reload: %s file changed: needs a restart (the running ones stay)",
                     pic_files[i].what);
            k++;
        }
    }
    return k;
}

int app_centre_reload(struct app_centre *c)
{
    c->reloads++;
    if (!c->file->path[0]) { /* no file to read again: the accounts only */
        int rc = web_reload_accounts(c->web);
        if (rc == 0)
            log_info(MOD, "accounts reloaded");
        else
            log_err(MOD, "accounts not reloaded (the old ones stay): %s", cairn_strerror(rc));
        return rc;
    }
    char path[APP_PATH_MAX * 2];
    log_escape(path, sizeof path, c->file->path, strlen(c->file->path), LOG_ESC_LINE);
    struct app_config *n = calloc(1, sizeof *n);
    if (!n) {
        c->reload_errors++;
        log_err(MOD, "reload of %s: %s; nothing changed", path, cairn_strerror(CAIRN_E_NOMEM));
        return CAIRN_E_NOMEM;
    }
    char err[512], esc[1024];
    int rc = app_config_load(c->file->path, n, err, sizeof err);
    if (rc != 0) {
        c->reload_errors++;
        log_escape(esc, sizeof esc, err, strlen(err), LOG_ESC_LINE);
        log_err(MOD, "reload refused, nothing changed: %s", esc);
        free(n);
        return rc;
    }

    /* the accounts, as SIGHUP always did */
    int arc = web_reload_accounts(c->web);
    if (arc == 0)
        log_info(MOD, "accounts reloaded");
    else
        log_err(MOD, "accounts not reloaded (the old ones stay): %s", cairn_strerror(arc));

    size_t restart = log_restart_only(c->file, n) + log_files_changed(c, n);

    /* [sensor NAME] by name: the gone and the changed stopped first (a
     * port one frees may be the one another takes), then the new ones */
    struct app_config *f = c->file;
    size_t added = 0, removed = 0, restarted = 0, kept = 0, failed = 0;
    for (size_t i = 0; i < f->n_sensor;) {
        size_t j = find_sensor(n, f->sensor[i].name);
        if (j < n->n_sensor && same_sensor(f, i, n, j)) {
            kept++;
            i++;
            continue;
        }
        stop_sensor(c, f->sensor[i].name);
        if (j == n->n_sensor) {
            log_info(MOD, "reload: [sensor %s] removed", f->sensor[i].name);
            removed++;
            drop_sensor(f, i);
        } else if (start_sensor(c, &n->sensor[j]) == 0) {
            log_info(MOD, "reload: [sensor %s] changed: restarted", f->sensor[i].name);
            restarted++;
            set_sensor(f, i, n, j);
            i++;
        } else {
            failed++; /* not running: the next reload tries it as new */
            drop_sensor(f, i);
        }
    }
    for (size_t j = 0; j < n->n_sensor; j++) {
        if (find_sensor(f, n->sensor[j].name) < f->n_sensor)
            continue;
        if (f->n_sensor >= APP_MAX_SENSORS || start_sensor(c, &n->sensor[j]) != 0) {
            failed++;
            continue;
        }
        log_info(MOD, "reload: [sensor %s] added", n->sensor[j].name);
        set_sensor(f, f->n_sensor++, n, j);
        added++;
    }
    /* the live copy follows (c->cfg's hooks and the rest untouched) */
    memcpy(c->cfg.sensor, f->sensor, sizeof f->sensor);
    memcpy(c->cfg.sensor_rx, f->sensor_rx, sizeof f->sensor_rx);
    memcpy(c->cfg.sensor_line, f->sensor_line, sizeof f->sensor_line);
    c->cfg.n_sensor = f->n_sensor;
    free(n);

    log_info(MOD,
             "reloaded %s: sensors added %zu, removed %zu, restarted %zu, kept %zu, failed %zu; "
             "%zu change(s) need a restart",
             path, added, removed, restarted, kept, failed, restart);
    return failed ? CAIRN_E_INVAL : arc;
}

/* The bound ports, one a line, into a temporary file renamed into place
 * (a reader never sees half of it). */
static int write_port_file(struct app_centre *c)
{
    char text[WEB_MAX_LISTEN * 8 + 8];
    size_t n = 0;
    for (size_t i = 0; i < c->cfg.n_listen && n < sizeof text - 8; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "%d\n", web_bound_port(c->web, i));
    return app_write_file(c->cfg.port_file, text, n, 0644);
}

int app_centre_new(struct event_base *base, const struct app_config *cfg, struct app_centre **out)
{
    *out = NULL;
    struct app_centre *c = calloc(1, sizeof *c);
    if (!c)
        return CAIRN_E_NOMEM;
    c->base = base;
    c->cfg = *cfg;
    c->file = malloc(sizeof *c->file);
    if (!c->file) {
        free(c);
        return CAIRN_E_NOMEM;
    }
    *c->file = *cfg;
    c->sensors = cfg->sensors;
    c->cat004_fd = -1;
    c->cat062_fd = -1;
    dbuf_init(&c->ev, 1024 * 1024);
    dbuf_init(&c->ev_lean, 2 * STREAM_EVENT_SPLIT + 1024 * 1024);
    dbuf_init(&c->ev_moves, STREAM_EVENT_SPLIT + 1024 * 1024);
    dbuf_init(&c->extra, 64 * 1024);
    int rc = 0;
    char err[256];
    if (cfg->has_cat004) {
        c->cat004_fd = socket(cfg->cat004.ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (c->cat004_fd < 0) {
            log_err(MOD, "[cat004]: cannot open a UDP socket: %s", strerror(errno));
            rc = CAIRN_E_IO;
            goto fail;
        }
        char where[ADDR_TEXT_LEN];
        log_info(MOD, "alerts out as ASTERIX CAT004 to %s (SAC %u SIC %u)",
                 addr_format((const struct sockaddr *)&cfg->cat004.ss, where, sizeof where),
                 cfg->cat004_sac, cfg->cat004_sic);
    }

    /* output ports before their sources: replays and sensors tap into them */
    if ((rc = open_outputs(c)) != 0)
        goto fail;
    struct app_replay_tap tap = {c->out_sbs ? out_report_cb : NULL, c->out_raw ? out_frame : NULL,
                                 c};
    if (cfg->has_cat062) {
        c->cat062_fd = socket(cfg->cat062.ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (c->cat062_fd < 0) {
            log_err(MOD, "[cat062]: cannot open a UDP socket: %s", strerror(errno));
            rc = CAIRN_E_IO;
            goto fail;
        }
        char where[ADDR_TEXT_LEN];
        log_info(MOD, "the picture out as ASTERIX CAT062 to %s every %lld ms (SAC %u SIC %u)",
                 addr_format((const struct sockaddr *)&cfg->cat062.ss, where, sizeof where),
                 (long long)cfg->cat062_interval_ms, cfg->cat062_sac, cfg->cat062_sic);
    }

    /* replays first: they may add default receivers to the sensors */
    c->n_radars = pic_sensors_ax_table(&c->sensors, c->radars, PIC_MAX_SENSORS);
    for (size_t i = 0; i < cfg->n_replay; i++) {
        const struct app_replay_config *rc_ = &cfg->replay[i];
        struct app_replay *r;
        rc = app_replay_open_tap(rc_, &c->sensors, c->radars, c->n_radars, &tap, &r, err,
                                 sizeof err);
        if (rc != 0) {
            log_err(MOD, "[replay %s] %s", rc_->name, err);
            goto fail;
        }
        c->replay[c->n_replay++] = r;
        rc = app_centre_add_input(c, rc_->name, &app_replay_ops, r);
        if (rc != 0) {
            app_replay_ops.free(r);
            c->n_replay--;
            log_err(MOD, "[replay %s]: %s", rc_->name, cairn_strerror(rc));
            goto fail;
        }
        if (i > 0 && rc_->speed != cfg->replay[0].speed) {
            log_err(MOD, "[replay %s]: every replay runs on one clock: give them one speed",
                    rc_->name);
            rc = CAIRN_E_INVAL;
            goto fail;
        }
    }

    struct pic_config pc;
    pic_config_default(&pc);
    pc.sensors = &c->sensors;
    /* the rules see traffic across 180 near the sensors (docs/detect.md) */
    pc.det.lon_ref_deg = pic_sensors_lon_ref(&c->sensors);
    if (pc.det.lon_ref_deg != 0.0)
        log_info(MOD, "the detectors' reference meridian: %.0f (the sensors' mean longitude)",
                 pc.det.lon_ref_deg);
    if (cfg->separation_nm > 0)
        pc.det.sep_h_m = cfg->separation_nm * 1852.0;
    pc.on_alert = on_alert;
    pc.arg = c;
    rc = pic_new(&pc, &c->pic);
    if (rc != 0) {
        log_err(MOD, "the picture could not start: %s", cairn_strerror(rc));
        goto fail;
    }
    c->pub_cap = pc.trk.max_tracks;
    c->pub = calloc(c->pub_cap ? c->pub_cap : 1, sizeof *c->pub);
    if (!c->pub) {
        rc = CAIRN_E_NOMEM;
        goto fail;
    }
    {
        char ferr[512];
        if (cfg->zones_file[0] &&
            (rc = app_load_zones(cfg->zones_file, &c->zones, ferr, sizeof ferr)) != 0) {
            log_err(MOD, "%s", ferr);
            goto fail;
        }
        if (cfg->plans_file[0] &&
            (rc = app_load_plans(cfg->plans_file, cfg->points_file[0] ? cfg->points_file : NULL,
                                 &c->points, &c->plans, &c->plan_store, ferr, sizeof ferr)) != 0) {
            log_err(MOD, "%s", ferr);
            goto fail;
        }
        pic_set_zones(c->pic, c->zones);
        pic_set_plans(c->pic, c->plan_store);
        pic_file_sums(cfg, c->file_sum);
    }

    {
        struct proc_env pe = {.pic = c->pic,
                              .zones_file = c->cfg.zones_file,
                              .journal = cfg->has_hotline ? c->cfg.hotline.journal : "",
                              .publish = proc_publish,
                              .arg = c};
        char perr[512];
        if ((rc = proc_new(&c->cfg.procs, &pe, &c->proc, perr, sizeof perr)) != 0) {
            log_err(MOD, "[procedures]: %s", perr);
            goto fail;
        }
        c->cfg.hotline.on_message = proc_on_message;
        c->cfg.hotline.on_message_arg = c->proc;
    }
    if (cfg->has_hotline) {
        /* borrowed: c->cfg lives as long as the daemon */
        c->cfg.hotline.on_picture = on_peer_picture;
        c->cfg.hotline.picture_arg = c;
        rc = hl_daemon_start(base, &c->cfg.hotline, &c->hl);
        if (rc != 0) {
            log_err(MOD, "the hotline could not start: %s", cairn_strerror(rc));
            goto fail;
        }
    }
    proc_start(c->proc, c->hl, clock_now_ms(&cairn_clock_real));

    if (cfg->n_peer) {
        struct app_peers_config pc_ = {c->cfg.peer, cfg->n_peer, &c->cfg.military, cfg->cat062_sac,
                                       cfg->cat062_sic};
        char perr[768];
        rc = app_peers_new(&pc_, c->hl, &c->peers, perr, sizeof perr);
        if (rc != 0) {
            log_err(MOD, "%s", perr);
            goto fail;
        }
    }

    /* live sensors: each retried with backoff by itself, never stopping the
     * centre (feed/sensor.h S5); started once registered */
    for (size_t i = 0; i < cfg->n_sensor; i++)
        if ((rc = start_sensor(c, &cfg->sensor[i])) != 0)
            goto fail;

    struct web_config wc;
    web_config_default(&wc);
    /* a flush of a busy picture is up to a few MB (every track changed);
     * the clients share its bytes, so a deep queue costs little */
    wc.sse_max_buffer = APP_SSE_QUEUE;
    for (size_t i = 0; i < cfg->n_listen; i++)
        wc.listen[i] = c->cfg.listen[i];
    wc.n_listen = cfg->n_listen;
    for (size_t i = 0; i < cfg->n_allow; i++)
        wc.allow[i] = c->cfg.allow[i];
    wc.n_allow = cfg->n_allow;
    wc.accounts = c->cfg.accounts;
    wc.static_dir = cfg->static_dir[0] ? c->cfg.static_dir : NULL;
    wc.tls_cert = cfg->tls_cert[0] ? c->cfg.tls_cert : NULL;
    wc.tls_key = cfg->tls_key[0] ? c->cfg.tls_key : NULL;
    /* /data/receiver.json's site: the first receiver placed in the sensors */
    const struct pic_sensor *site = pic_sensors_first(&c->sensors, PIC_SENSOR_ADSB);
    if (site && site->has_pos) {
        wc.site_lat_deg = site->lat_deg;
        wc.site_lon_deg = site->lon_deg;
    }
    rc = web_new(base, &wc, &provider, c, &c->web);
    if (rc != 0) {
        log_err(MOD, "the web server could not start: %s", cairn_strerror(rc));
        goto fail;
    }
    for (size_t i = 0; i < cfg->n_listen; i++)
        log_info(MOD, "web: listening on %s (port %d)", cfg->listen[i], web_bound_port(c->web, i));
    if (cfg->port_file[0] && (rc = write_port_file(c)) != 0) {
        log_err(MOD, "port file: %s", strerror(errno));
        goto fail;
    }

    /* the clocks */
    c->start_mono_ms = mono_ms();
    c->due_mono_ms = c->start_mono_ms;
    if (c->n_replay) {
        int64_t t0 = INT64_MAX;
        for (size_t i = 0; i < c->n_replay; i++) {
            int64_t t = app_replay_next_ms(c->replay[i]);
            if (t < t0)
                t0 = t;
        }
        c->replay_clock = 1;
        c->speed = app_replay_speed(c->replay[0]);
        if (t0 == INT64_MAX) /* empty recordings: their clock starts now */
            t0 = clock_now_ms(&cairn_clock_real);
        /* steps end on whole cycles of data time, as `cairn picture`'s */
        c->data_t0_ms = t0;
        c->next_step_ms = t0 - t0 % cfg->cycle_ms + cfg->cycle_ms;
        c->pic_now_ms = t0;
        log_info(MOD, "replaying %zu recording(s) at x%g from %lld", c->n_replay, c->speed,
                 (long long)t0);
    } else {
        c->pic_now_ms = clock_now_ms(&cairn_clock_real);
    }
    c->tick = evtimer_new(base, on_tick, c);
    if (!c->tick) {
        rc = CAIRN_E_NOMEM;
        goto fail;
    }
    schedule(c, c->start_mono_ms);
    if (cfg->stream_ms > 0 && cfg->stream_ms < cfg->cycle_ms) {
        c->stream = event_new(base, -1, EV_PERSIST, on_stream, c);
        struct timeval sv = {(time_t)(cfg->stream_ms / 1000),
                             (suseconds_t)(cfg->stream_ms % 1000) * 1000};
        if (!c->stream || event_add(c->stream, &sv) != 0) {
            rc = CAIRN_E_NOMEM;
            goto fail;
        }
    }
    *out = c;
    return 0;
fail:
    app_centre_free(c);
    return rc;
}

void app_centre_free(struct app_centre *c)
{
    if (!c)
        return;
    if (c->tick)
        event_free(c->tick);
    if (c->stream)
        event_free(c->stream);
    web_free(c->web);
    hl_daemon_stop(c->hl);
    for (size_t i = 0; i < c->n_in; i++)
        if (c->in[i].ops->free)
            c->in[i].ops->free(c->in[i].obj);
    for (size_t i = 0; i < c->n_out; i++)
        app_output_free(c->out[i]);
    app_peers_free(c->peers);
    pic_free(c->pic);
    proc_free(c->proc); /* after the picture: it borrows the procedures' zones */
    if (c->cat004_fd >= 0)
        close(c->cat004_fd);
    if (c->cat062_fd >= 0)
        close(c->cat062_fd);
    fpl_store_free(c->plan_store);
    fpl_set_free(c->plans);
    fpl_points_free(c->points);
    geo_zones_free(c->zones);
    free(c->alerts);
    free(c->alert_acks);
    free(c->pub);
    app_acks_free(&c->acks);
    dbuf_free(&c->ev);
    dbuf_free(&c->ev_lean);
    dbuf_free(&c->ev_moves);
    dbuf_free(&c->extra);
    free(c->file);
    free(c);
}
