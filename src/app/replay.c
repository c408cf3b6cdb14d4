/*
 * replay.c — a recording played into the picture (replay.h).
 */
#include "app/replay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/log.h"
#include "feed/source.h"
#include "picture/picture.h"

/* Reports dated outside these years are refused (a broken clock), as
 * `cairn picture` does. */
#define T_MIN_MS (INT64_C(631152000000))  /* 1990-01-01 */
#define T_MAX_MS (INT64_C(7258118400000)) /* 2200-01-01 */

struct app_replay {
    char name[PIC_NAME_MAX];
    double speed;
    struct feed_src *src;
    struct report cur;
    int live; /* cur holds the next report */
    int failed;
    char err[160];
    uint64_t reports, bad_time;
    int64_t last_ms;
    struct app_replay_tap tap;
};

static void advance(struct app_replay *r)
{
    for (;;) {
        int rc = feed_src_next(r->src, &r->cur);
        if (rc < 0) {
            const char *e = feed_src_error(r->src);
            log_escape(r->err, sizeof r->err, e, strlen(e), LOG_ESC_LINE);
            log_warn("app", "replay %s: %s", r->name, r->err);
            r->failed = 1;
        }
        if (rc <= 0) {
            r->live = 0;
            return;
        }
        if (r->cur.t_ms >= T_MIN_MS && r->cur.t_ms < T_MAX_MS) {
            r->live = 1;
            return;
        }
        r->bad_time++;
    }
}

int app_replay_open(const struct app_replay_config *rc, struct pic_sensors *ss,
                    const struct ax_sensor *radars, size_t n_radars, struct app_replay **out,
                    char *err, size_t errcap)
{
    return app_replay_open_tap(rc, ss, radars, n_radars, NULL, out, err, errcap);
}

int app_replay_open_tap(const struct app_replay_config *rc, struct pic_sensors *ss,
                        const struct ax_sensor *radars, size_t n_radars,
                        const struct app_replay_tap *tap, struct app_replay **out, char *err,
                        size_t errcap)
{
    *out = NULL;
    struct app_replay *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, errcap, "out of memory");
        return CAIRN_E_NOMEM;
    }
    snprintf(r->name, sizeof r->name, "%s", rc->name);
    if (tap)
        r->tap = *tap;
    r->speed = rc->speed > 0 ? rc->speed : 1.0;
    struct feed_src_opts o;
    memset(&o, 0, sizeof o);
    int rv = feed_spec_parse(rc->input, &o.fmt, &o.path);
    if (rv != 0) {
        snprintf(err, errcap, "no path");
        free(r);
        return rv;
    }
    o.has_start = rc->has_start;
    o.start_utc_ms = rc->start_utc_ms;
    o.has_date = rc->has_date;
    o.date_utc_ms = rc->date_utc_ms;
    o.radars = radars;
    o.n_radars = n_radars;
    o.keep_frames = r->tap.frame != NULL;
    rv = feed_src_open(&o, &r->src, err, errcap);
    if (rv != 0) {
        free(r);
        return rv;
    }
    /* the receiver its reports come from, now that the format is known */
    enum feed_fmt f = feed_src_fmt(r->src);
    uint8_t want = feed_fmt_modes(f) ? PIC_SENSOR_ADSB : f == FEED_NMEA ? PIC_SENSOR_AIS : 0;
    const struct pic_sensor *rx = NULL;
    if (rc->sensor[0]) {
        rx = pic_sensors_by_name(ss, rc->sensor);
        if (!rx || rx->type != want) {
            snprintf(err, errcap, "sensor %s is not a%s receiver for a %s input", rc->sensor,
                     want == PIC_SENSOR_AIS ? "n [ais]" : " [adsb]", feed_fmt_name(f));
            feed_src_close(r->src);
            free(r);
            return CAIRN_E_INVAL;
        }
    } else if (want) {
        rx = pic_sensors_first(ss, want);
        if (!rx) {
            const char *def = want == PIC_SENSOR_ADSB ? "adsb" : "ais";
            if (pic_sensors_add(ss, want, def) == 0)
                rx = pic_sensors_by_name(ss, def);
        }
        if (!rx) {
            snprintf(err, errcap, "too many sensors");
            feed_src_close(r->src);
            free(r);
            return CAIRN_E_FULL;
        }
    }
    if (rx) { /* reopen with the receiver: its id and position */
        feed_src_close(r->src);
        r->src = NULL;
        o.fmt = f;
        o.sensor_id = rx->id;
        o.has_rx = rx->has_pos;
        o.rx_lat_deg = rx->lat_deg;
        o.rx_lon_deg = rx->lon_deg;
        rv = feed_src_open(&o, &r->src, err, errcap);
        if (rv != 0) {
            free(r);
            return rv;
        }
    }
    advance(r);
    *out = r;
    return 0;
}

int64_t app_replay_next_ms(const struct app_replay *r)
{
    return r->live ? r->cur.t_ms : INT64_MAX;
}

size_t app_replay_feed(struct app_replay *r, struct pic *p, int64_t before_ms, size_t max)
{
    size_t n = 0;
    while (r->live && r->cur.t_ms < before_ms && n < max) {
        (void)pic_report(p, &r->cur, r->cur.t_ms);
        if (r->tap.report)
            r->tap.report(r->tap.arg, &r->cur);
        r->last_ms = r->cur.t_ms;
        r->reports++;
        n++;
        advance(r);
    }
    if (r->tap.frame) {
        struct feed_src_frame f;
        while (feed_src_next_frame(r->src, before_ms, &f))
            r->tap.frame(r->tap.arg, &f.f, f.t_ms);
    }
    return n;
}

double app_replay_speed(const struct app_replay *r)
{
    return r->speed;
}

const char *app_replay_name(const struct app_replay *r)
{
    return r->name;
}

static void replay_health(void *obj, struct app_input_health *h)
{
    const struct app_replay *r = obj;
    const struct feed_src_stats *s = feed_src_stats(r->src);
    h->state = r->failed ? APP_IN_FAILED : r->live ? APP_IN_RUNNING : APP_IN_ENDED;
    h->reports = r->reports;
    h->bytes = s->bytes;
    h->errors = s->bad + r->bad_time + (uint64_t)r->failed;
    h->last_data_utc_ms = r->last_ms;
    snprintf(h->detail, sizeof h->detail, "%s", r->err);
}

static void replay_free(void *obj)
{
    struct app_replay *r = obj;
    if (!r)
        return;
    feed_src_close(r->src);
    free(r);
}

const struct app_input_ops app_replay_ops = {"replay", replay_health, replay_free};
