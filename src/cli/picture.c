/*
 * picture.c — `cairn picture`: recorded inputs of any format merged in
 * time order into the picture engine (picture/picture.h), alerts and
 * tracks out as JSON Lines (docs/picture.md).
 *
 * Key idea: every input is a report source (feed/source.h) whose next
 * report waits in a binary min-heap keyed by time (a k-way merge); the
 * earliest report goes to pic_report, and before any report of a new
 * second the engine runs its cycle for each whole second of data time
 * passed. Alerts are printed as they change (the engine's callback); at
 * the end one line per track that was ever confirmed, the live ones and
 * those deleted on the way, in order of track id.
 *
 * Output: stdout only the JSON Lines; stderr the --stats summary and the
 * errors. Exit status 0, 1 when an input could not be read (or output
 * failed), 2 on a usage error or a bad sensors file.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "app/files.h"
#include "base/clock.h"
#include "base/dbuf.h"
#include "base/error.h"
#include "base/grow.h"
#include "base/jsonw.h"
#include "cli/cli.h"
#include "decode/asterix/report.h"
#include "eval/eval.h"
#include "feed/source.h"
#include "geo/zones.h"
#include "picture/picture.h"
#include "sim/scenario.h"
#include "track/fpl.h"

#define OUT_FLUSH   (64 * 1024)   /* flush the output past this many bytes */
#define OUT_MAX     (1024 * 1024) /* the output buffer's cap */
#define ENDED_MAX   65536         /* deleted tracks kept for the final listing */
#define CYCLE_MS    1000          /* one cycle per second of data time */
#define GAP_SKIP_MS (600 * 1000)  /* a silence this long: jump, do not cycle through it */
/* Reports dated outside these years are refused (a broken clock). */
#define T_MIN_MS (INT64_C(631152000000))  /* 1990-01-01 */
#define T_MAX_MS (INT64_C(7258118400000)) /* 2200-01-01 */

struct input {
    const char *spec;
    struct feed_src *src;
    struct report cur; /* the next report, when live */
    int live;
    int failed;
};

struct run {
    struct input *in;
    size_t n_in;
    size_t *heap; /* input indices, earliest report first */
    size_t n_heap;
    struct pic *pic;
    struct dbuf out;
    int out_err;
    uint64_t alerts_out, tracks_out, bad_time;
    /* ever-confirmed tracks: a bitmap over ids, and the deleted ones */
    struct ev *ev; /* --truth: the evaluation, or NULL */
    int ev_err;
    uint8_t *seen;
    size_t seen_cap;         /* bytes */
    struct trk_track *ended; /* the listing: deleted tracks, then the live ones */
    size_t n_ended, ended_cap;
    uint64_t ended_dropped;
};

static void usage(FILE *f)
{
    fprintf(
        f,
        "usage: cairn picture [--sensors FILE.ini] [--start UTC] [--date YYYY-MM-DD] "
        "[--separation-nm NM] [--zones FILE.geojson] [--plans FILE] [--points FILE]\n"
        "       [--scenario NAME] [--truth FILE] [--stats] INPUT...\n"
        "Merges recorded inputs in time order into one track picture and prints JSON Lines:\n"
        "an {\"type\":\"alert\",...} object each time an alert opens, changes or clears, and\n"
        "at the end one {\"type\":\"track\",...} object per confirmed track (docs/picture.md).\n\n"
        "INPUT is [SENSOR=]FORMAT:PATH or a PATH whose format the name or the first bytes\n"
        "tell; FORMAT is beast, avr, sbs, iq, nmea, asterix or pcap; '-' is stdin (format\n"
        "required). SENSOR names a receiver of the sensors file (default: the first [adsb]\n"
        "or [ais] section; radars are known by their SAC/SIC).\n\n"
        "  --sensors FILE   radars and receivers: [radar NAME] sac, sic, lat, lon, alt_m,\n"
        "                   period_s ...; [adsb NAME] and [ais NAME] lat, lon\n"
        "  --start UTC      when Beast/AVR inputs begin (their first frame) and IQ inputs\n"
        "                   (their first sample): 2018-04-03T19:02:28.136Z or Unix seconds\n"
        "  --date DATE      the UTC day raw ASTERIX files begin on (pcap gives its own)\n"
        "  --separation-nm NM  horizontal separation minimum (default 5; 3 where\n"
        "                   authorised, as in a terminal area)\n"
        "  --zones FILE     GeoJSON zones watched by ZONE and AIS_GAP (docs/geo.md)\n"
        "  --plans FILE     ICAO FPL messages: flight plans matched to the tracks\n"
        "                   (docs/flightplan.md); --points FILE names their route points\n"
        "  --truth FILE     a scenario's truth (cairn sim's truth.jsonl): judge the picture\n"
        "                   and its alerts against it; a {\"type\":\"evaluation\",...} line\n"
        "                   at the end and a summary on stderr (docs/evaluation.md)\n"
        "  --scenario NAME  a shipped scenario (or its .json file): its radars and\n"
        "                   receivers stand for --sensors, and with --truth their\n"
        "                   coverage decides which movers a track is expected for\n"
        "  --stats          a summary on stderr at the end\n");
}

/* ------------------------------------------------------------------ output */

static void out_flush(struct run *r)
{
    if (r->out.len && !r->out_err && fwrite(r->out.p, 1, r->out.len, stdout) != r->out.len)
        r->out_err = 1;
    dbuf_reset(&r->out);
}

static void out_line_end(struct run *r, const struct jsonw *w)
{
    if (w->err)
        r->out_err = 1;
    dbuf_addc(&r->out, '\n');
    if (r->out.len >= OUT_FLUSH)
        out_flush(r);
}

static void on_alert(void *arg, const struct pic *p, const struct det_alert *a)
{
    (void)p; /* the alert carries what is printed */
    struct run *r = arg;
    if (r->ev)
        ev_alert(r->ev, a);
    struct jsonw w;
    jw_init(&w, &r->out);
    pic_alert_json(&w, a);
    out_line_end(r, &w);
    r->alerts_out++;
}

/* The evaluation sees every cycle's snapshot (pic_set_observer). */
static void on_cycle(void *arg, const struct pic *p, const struct trk_track *t, size_t n,
                     int64_t now_ms)
{
    (void)p;
    struct run *r = arg;
    int rc = ev_observe(r->ev, t, n, now_ms);
    if (rc && !r->ev_err)
        r->ev_err = rc;
}

/* ------------------------------------------------------------------ tracks */

static int seen_get(const struct run *r, uint32_t id)
{
    return (size_t)(id >> 3) < r->seen_cap && (r->seen[id >> 3] >> (id & 7) & 1);
}

static int seen_set(struct run *r, uint32_t id)
{
    size_t need = (size_t)(id >> 3) + 1;
    if (need > r->seen_cap) {
        size_t old = r->seen_cap;
        if (GROW_ARRAY(&r->seen, &r->seen_cap, need, 4096))
            return CAIRN_E_NOMEM;
        memset(r->seen + old, 0, r->seen_cap - old);
    }
    r->seen[id >> 3] |= (uint8_t)(1u << (id & 7));
    return 0;
}

/* Room for n more tracks in the listing. 0 or CAIRN_E_NOMEM. */
static int ended_grow(struct run *r, size_t n)
{
    return GROW_ARRAY(&r->ended, &r->ended_cap, r->n_ended + n, 256);
}

/* After a cycle: remember confirmed tracks, keep the deleted ones that were. */
static void after_cycle(struct run *r)
{
    size_t n;
    const struct trk_track *t = pic_tracks(r->pic, &n);
    for (size_t i = 0; i < n; i++) {
        if (t[i].status == TRK_ST_CONFIRMED || t[i].status == TRK_ST_COASTING) {
            if (!seen_get(r, t[i].id) && seen_set(r, t[i].id) != 0)
                r->ended_dropped++;
        } else if (t[i].status == TRK_ST_DELETED && seen_get(r, t[i].id)) {
            if (r->n_ended < ENDED_MAX && ended_grow(r, 1) == 0)
                r->ended[r->n_ended++] = t[i];
            else
                r->ended_dropped++;
        }
    }
}

static int by_id(const void *a, const void *b)
{
    const struct trk_track *x = a, *y = b;
    return x->id < y->id ? -1 : x->id > y->id;
}

static void print_tracks(struct run *r)
{
    size_t n;
    const struct trk_track *t = pic_tracks(r->pic, &n);
    if (ended_grow(r, n) != 0) {
        fprintf(stderr, "cairn picture: out of memory for the track listing\n");
        r->out_err = 1;
        return;
    }
    for (size_t i = 0; i < n; i++)
        if (t[i].status == TRK_ST_CONFIRMED || t[i].status == TRK_ST_COASTING)
            r->ended[r->n_ended++] = t[i];
    if (r->n_ended)
        qsort(r->ended, r->n_ended, sizeof *r->ended, by_id);
    for (size_t i = 0; i < r->n_ended; i++) {
        struct jsonw w;
        jw_init(&w, &r->out);
        pic_track_json(&w, r->pic, &r->ended[i]);
        out_line_end(r, &w);
        r->tracks_out++;
    }
}

/* -------------------------------------------------------------- the merge */

static int earlier(const struct run *r, size_t a, size_t b)
{
    const struct report *x = &r->in[a].cur, *y = &r->in[b].cur;
    return x->t_ms != y->t_ms ? x->t_ms < y->t_ms : a < b;
}

static void heap_down(struct run *r, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < r->n_heap && earlier(r, r->heap[l], r->heap[m]))
            m = l;
        if (l + 1 < r->n_heap && earlier(r, r->heap[l + 1], r->heap[m]))
            m = l + 1;
        if (m == i)
            return;
        size_t tmp = r->heap[i];
        r->heap[i] = r->heap[m];
        r->heap[m] = tmp;
        i = m;
    }
}

/* The input's next report with a plausible time into cur. 1, 0 at its
 * end (or on a read error, reported). */
static int advance(struct run *r, struct input *in)
{
    for (;;) {
        int rc = feed_src_next(in->src, &in->cur);
        if (rc < 0) {
            fprintf(stderr, "cairn picture: %s: %s\n", in->spec, feed_src_error(in->src));
            in->failed = 1;
        }
        if (rc <= 0)
            return in->live = 0;
        if (in->cur.t_ms >= T_MIN_MS && in->cur.t_ms < T_MAX_MS)
            return in->live = 1;
        r->bad_time++;
    }
}

static void run_merge(struct run *r)
{
    for (size_t i = 0; i < r->n_in; i++)
        if (advance(r, &r->in[i]))
            r->heap[r->n_heap++] = i;
    for (size_t i = r->n_heap; i-- > 0;)
        heap_down(r, i);
    int64_t next_cycle = 0;
    while (r->n_heap && !r->out_err) {
        struct input *in = &r->in[r->heap[0]];
        int64_t t = in->cur.t_ms;
        if (!next_cycle)
            next_cycle = t - t % CYCLE_MS + CYCLE_MS;
        if (t - next_cycle > GAP_SKIP_MS) {
            (void)pic_cycle(r->pic, next_cycle);
            after_cycle(r);
            next_cycle = t - t % CYCLE_MS;
        }
        while (t >= next_cycle) {
            (void)pic_cycle(r->pic, next_cycle);
            after_cycle(r);
            next_cycle += CYCLE_MS;
        }
        (void)pic_report(r->pic, &in->cur, t);
        if (!advance(r, in))
            r->heap[0] = r->heap[--r->n_heap];
        heap_down(r, 0);
    }
    if (next_cycle) {
        (void)pic_cycle(r->pic, next_cycle); /* the last second's reports */
        after_cycle(r);
    }
}

/* ------------------------------------------------------------------- setup */

/* "2018-04-03T19:02:28.136Z" or Unix seconds. 0 or -1. */
static int parse_time(const char *s, int64_t *t_ms)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end != s && !*end && !errno && v >= 0 && v < 7.0e9) {
        *t_ms = (int64_t)llround(v * 1000.0);
        return 0;
    }
    return sim_parse_utc(s, t_ms) == 0 ? 0 : -1;
}

static int parse_date(const char *s, int64_t *t_ms)
{
    char buf[32];
    if (strlen(s) != 10)
        return -1;
    snprintf(buf, sizeof buf, "%sT12:00:00Z", s);
    return sim_parse_utc(buf, t_ms) == 0 ? 0 : -1;
}

/* The sensor an input's reports carry: "NAME=" before the format, else
 * the first receiver of the input's kind, else one made for it. */
static int input_sensor(struct pic_sensors *ss, const char **spec, enum feed_fmt fmt_hint,
                        const struct pic_sensor **out)
{
    *out = NULL;
    const char *eq = strchr(*spec, '=');
    const char *colon = strchr(*spec, ':');
    char name[PIC_NAME_MAX];
    name[0] = 0;
    if (eq && (!colon || eq < colon)) {
        size_t n = (size_t)(eq - *spec);
        if (n == 0 || n >= sizeof name) {
            fprintf(stderr, "cairn picture: %s: a sensor name before '=' is 1 to %d characters\n",
                    *spec, PIC_NAME_MAX - 1);
            return -1;
        }
        memcpy(name, *spec, n);
        name[n] = 0;
        *spec = eq + 1;
    }
    (void)fmt_hint;
    if (name[0]) {
        *out = pic_sensors_by_name(ss, name);
        if (!*out || (*out)->type == PIC_SENSOR_RADAR) {
            fprintf(stderr, "cairn picture: no [adsb %s] or [ais %s] in the sensors file\n", name,
                    name);
            return -1;
        }
    }
    return 0;
}

static const struct pic_sensor *default_receiver(struct pic_sensors *ss, uint8_t type)
{
    const struct pic_sensor *s = pic_sensors_first(ss, type);
    if (s)
        return s;
    const char *name = type == PIC_SENSOR_ADSB ? "adsb" : "ais";
    if (pic_sensors_add(ss, type, name) != 0)
        return NULL;
    return pic_sensors_by_name(ss, name);
}

/* ------------------------------------------------------------------- stats */

static void print_stats(const struct run *r, double secs)
{
    fprintf(stderr, "\ncairn picture: totals\n");
    for (size_t i = 0; i < r->n_in; i++) {
        const struct input *in = &r->in[i];
        if (!in->src)
            continue;
        const struct feed_src_stats *s = feed_src_stats(in->src);
        fprintf(stderr,
                "  input %-28s %-7s %llu bytes, %llu decoded, %llu refused, %llu reports, "
                "%llu without time, %llu with nothing to track\n",
                in->spec, feed_fmt_name(feed_src_fmt(in->src)), (unsigned long long)s->bytes,
                (unsigned long long)s->units, (unsigned long long)s->bad,
                (unsigned long long)s->reports, (unsigned long long)s->no_time,
                (unsigned long long)s->no_report);
    }
    const struct pic_stats *ps = pic_stats(r->pic);
    fprintf(stderr,
            "  engine  %llu reports (%llu without position, %llu unusable, %llu completed from "
            "remembered identities, %llu late), %llu measurements in %llu batches, %llu used by "
            "no track, %llu cycles; %llu reports with an implausible date\n",
            (unsigned long long)ps->reports, (unsigned long long)ps->no_pos,
            (unsigned long long)ps->unusable, (unsigned long long)ps->completed,
            (unsigned long long)ps->late, (unsigned long long)ps->meas,
            (unsigned long long)ps->batches, (unsigned long long)ps->rejected,
            (unsigned long long)ps->cycles, (unsigned long long)r->bad_time);
    for (size_t i = 0; i < ps->n_sensors; i++) {
        char name[PIC_NAME_MAX + 16];
        pic_sensor_name(r->pic, ps->sensors[i].id, name, sizeof name);
        fprintf(stderr, "  sensor  %-20s %llu reports, %llu measurements used\n", name,
                (unsigned long long)ps->sensors[i].reports,
                (unsigned long long)ps->sensors[i].used);
    }
    const struct trk_stats *ts = pic_trk_stats(r->pic);
    fprintf(stderr,
            "  tracker %llu tracks created, %llu confirmed, %llu deleted; associated %llu by "
            "identity, %llu by gate; %llu identities adopted; %llu refused (invalid %llu, "
            "future %llu, out of sequence %llu); %llu table full\n",
            (unsigned long long)ts->created, (unsigned long long)ts->confirmed,
            (unsigned long long)ts->deleted, (unsigned long long)ts->assoc_id,
            (unsigned long long)ts->assoc_gated, (unsigned long long)ts->id_adopted,
            (unsigned long long)(ts->rej_invalid + ts->rej_future + ts->rej_oos),
            (unsigned long long)ts->rej_invalid, (unsigned long long)ts->rej_future,
            (unsigned long long)ts->rej_oos, (unsigned long long)ts->full);
    const struct det_stats *ds = pic_det_stats(r->pic);
    fprintf(stderr, "  alerts  %llu opened, %llu updated, %llu cleared (%llu lines)\n",
            (unsigned long long)ds->opened, (unsigned long long)ds->updated,
            (unsigned long long)ds->cleared, (unsigned long long)r->alerts_out);
    fprintf(stderr, "  tracks  %llu confirmed tracks printed%s\n",
            (unsigned long long)r->tracks_out,
            r->ended_dropped ? " (some deleted ones beyond the listing's cap left out)" : "");
    struct rusage ru;
    long rss_kb = getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : -1;
    fprintf(stderr, "  time    %.3f s (%.0f reports/s), peak RSS %ld KiB\n", secs,
            secs > 0 ? (double)ps->reports / secs : 0.0, rss_kb);
}

/* ------------------------------------------------- zones, plans, truth */

/* Read a whole file (at most max bytes) into b; a message on failure. */
/* A whole file into b, its error on stderr (app_read_file). */
static int read_whole(const char *what, const char *path, size_t max, struct dbuf *b)
{
    char err[512];
    int rc = app_read_file(what, path, max, b, err, sizeof err);
    if (rc != 0)
        fprintf(stderr, "cairn picture: %s\n", err);
    return rc;
}

/* The evaluation: the truth, the coverage of the scenario's sensors, and
 * the detector's minima (the figures judge what the detector was asked). */
static int load_truth(const char *path, const struct sim_scenario *sc, const struct det_config *dc,
                      struct ev_truth **truth, struct ev **out)
{
    struct dbuf b;
    if (read_whole("truth file", path, (size_t)1 << 31, &b) != 0)
        return -1;
    char err[256];
    int rc = ev_truth_parse(b.p, b.len, truth, err, sizeof err);
    dbuf_free(&b);
    if (rc != 0) {
        fprintf(stderr, "cairn picture: truth file %s: %s\n", path, err);
        return -1;
    }
    static struct ev_config ec;
    ev_config_default(&ec);
    ec.sep_h_m = dc->sep_h_m;
    ec.sep_v_ft = dc->sep_v_ft;
    ec.sep_v_high_ft = dc->sep_v_high_ft;
    ec.high_fl = dc->high_fl;
    ec.lookahead_ms = dc->lookahead_ms;
    if (sc) {
        for (size_t i = 0; i < sc->n_radars; i++) {
            const struct sim_radar *sr = &sc->radars[i];
            for (int k = 0; k < 2; k++) {
                double nm = k == 0 ? sr->psr_range_nm : sr->ssr_range_nm;
                if (nm <= 0 || ec.n_sensors == EV_MAX_SENSORS)
                    continue;
                struct ev_sensor *e = &ec.sensors[ec.n_sensors++];
                e->kind = k == 0 ? EV_SENSOR_PSR : EV_SENSOR_SSR;
                e->lat_deg = sr->lat_deg;
                e->lon_deg = sr->lon_deg;
                e->alt_m = sr->alt_m;
                e->range_m = nm * 1852.0;
            }
        }
        for (int k = 0; k < 2; k++) {
            size_t n = k == 0 ? sc->n_adsb : sc->n_ais;
            for (size_t i = 0; i < n && ec.n_sensors < EV_MAX_SENSORS; i++) {
                const struct sim_receiver *rx = k == 0 ? &sc->adsb[i] : &sc->ais[i];
                struct ev_sensor *e = &ec.sensors[ec.n_sensors++];
                e->kind = k == 0 ? EV_SENSOR_ADSB : EV_SENSOR_AIS;
                e->lat_deg = rx->lat_deg;
                e->lon_deg = rx->lon_deg;
                e->range_m = rx->range_nm * 1852.0;
            }
        }
    }
    rc = ev_new(*truth, &ec, out);
    if (rc != 0) {
        fprintf(stderr, "cairn picture: the evaluation could not start: %s\n", cairn_strerror(rc));
        return -1;
    }
    return 0;
}

/* A shipped scenario's name or a scenario file, parsed into *sc. */
static int load_scenario(const char *arg, struct sim_scenario *sc)
{
    char path[4096], err[256];
    if (cli_scenario_path(arg, path, sizeof path) != 0) {
        fprintf(stderr, "cairn picture: --scenario: no scenario by that name (cairn sim --list)\n");
        return -1;
    }
    struct dbuf b;
    if (read_whole("scenario", path, 16u << 20, &b) != 0)
        return -1;
    int rc = sim_scenario_parse(b.p, b.len, sc, err, sizeof err);
    dbuf_free(&b);
    if (rc != 0) {
        fprintf(stderr, "cairn picture: scenario %s: %s\n", path, err);
        return -1;
    }
    return 0;
}

/* The sensors of a scenario as a sensors file, parsed like one (so the
 * same checks apply): its radars by SAC/SIC with their sites, periods and
 * accuracies, its ADS-B and AIS receivers by name. */
static int scenario_sensors(const struct sim_scenario *sc, struct pic_sensors *ss)
{
    struct dbuf b;
    dbuf_init(&b, PIC_INI_MAX);
    char line[256];
    for (size_t i = 0; i < sc->n_radars; i++) {
        const struct sim_radar *r = &sc->radars[i];
        snprintf(line, sizeof line,
                 "[radar %s]\nsac = %u\nsic = %u\nlat = %.7f\nlon = %.7f\nalt_m = %.1f\n"
                 "period_s = %.3f\nrange_sigma_m = %.1f\nazimuth_sigma_deg = %.4f\n",
                 r->id, r->sac, r->sic, r->lat_deg, r->lon_deg, r->alt_m, r->rotation_s,
                 r->range_sigma_m > 0 ? r->range_sigma_m : 60.0,
                 r->azimuth_sigma_deg > 0 ? r->azimuth_sigma_deg : 0.08);
        dbuf_add(&b, line, strlen(line));
    }
    for (int k = 0; k < 2; k++) {
        size_t n = k == 0 ? sc->n_adsb : sc->n_ais;
        for (size_t i = 0; i < n; i++) {
            const struct sim_receiver *rx = k == 0 ? &sc->adsb[i] : &sc->ais[i];
            snprintf(line, sizeof line, "[%s %s]\nlat = %.7f\nlon = %.7f\n",
                     k == 0 ? "adsb" : "ais", rx->id, rx->lat_deg, rx->lon_deg);
            dbuf_add(&b, line, strlen(line));
        }
    }
    char err[256];
    int rc = pic_sensors_parse(b.p ? b.p : "", b.len, ss, err, sizeof err);
    dbuf_free(&b);
    if (rc != 0)
        fprintf(stderr, "cairn picture: the scenario's sensors: %s\n", err);
    return rc;
}

/* {"type":"evaluation",...} on stdout, the summary on stderr. */
static int print_evaluation(struct run *r)
{
    if (r->ev_err) {
        fprintf(stderr, "cairn picture: the evaluation failed: %s\n", cairn_strerror(r->ev_err));
        return -1;
    }
    struct dbuf b;
    dbuf_init(&b, (size_t)64 << 20);
    struct jsonw w;
    jw_init(&w, &b);
    ev_write_json(r->ev, &w); /* {"type":"evaluation",...} */
    int bad = w.err || dbuf_addc(&b, '\n') != 0 || fwrite(b.p, 1, b.len, stdout) != b.len;
    dbuf_reset(&b);
    if (ev_write_text(r->ev, &b) == 0)
        fwrite(b.p, 1, b.len, stderr);
    dbuf_free(&b);
    if (bad)
        fprintf(stderr, "cairn picture: writing the evaluation failed\n");
    return bad ? -1 : 0;
}

/* ---------------------------------------------------------------- command */

int cli_picture(int argc, char **argv)
{
    static const struct option lopts[] = {
        {"sensors", required_argument, NULL, 's'},  {"start", required_argument, NULL, 't'},
        {"date", required_argument, NULL, 'd'},     {"stats", no_argument, NULL, 'S'},
        {"help", no_argument, NULL, 'h'},           {"separation-nm", required_argument, NULL, 'n'},
        {"zones", required_argument, NULL, 'z'},    {"plans", required_argument, NULL, 'p'},
        {"points", required_argument, NULL, 'P'},   {"truth", required_argument, NULL, 'T'},
        {"scenario", required_argument, NULL, 'c'}, {NULL, 0, NULL, 0}};
    const char *sensors_path = NULL, *zones_path = NULL, *plans_path = NULL;
    const char *points_path = NULL, *truth_path = NULL, *scenario_path = NULL;
    int stats = 0, has_start = 0, has_date = 0;
    int64_t start_ms = 0, date_ms = 0;
    double sep_nm = 0;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+h", lopts, NULL)) != -1) {
        switch (c) {
        case 's':
            sensors_path = optarg;
            break;
        case 't':
            if (parse_time(optarg, &start_ms) != 0) {
                fprintf(stderr, "cairn picture: --start wants a UTC time such as "
                                "2018-04-03T19:02:28.136Z, or Unix seconds\n");
                return 2;
            }
            has_start = 1;
            break;
        case 'd':
            if (parse_date(optarg, &date_ms) != 0) {
                fprintf(stderr, "cairn picture: --date wants YYYY-MM-DD\n");
                return 2;
            }
            has_date = 1;
            break;
        case 'S':
            stats = 1;
            break;
        case 'n': {
            char *end;
            sep_nm = strtod(optarg, &end);
            /* ICAO radar minima run from 2.5 NM near the antenna to 10 NM */
            if (end == optarg || *end || !(sep_nm >= 1 && sep_nm <= 20)) {
                fprintf(stderr, "cairn picture: --separation-nm wants 1 to 20 (NM)\n");
                return 2;
            }
            break;
        }
        case 'z':
            zones_path = optarg;
            break;
        case 'p':
            plans_path = optarg;
            break;
        case 'P':
            points_path = optarg;
            break;
        case 'T':
            truth_path = optarg;
            break;
        case 'c':
            scenario_path = optarg;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            fprintf(stderr, "cairn picture: unknown option or missing value: %s (see --help)\n",
                    argv[optind - 1]);
            return 2;
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return 2;
    }
    if (points_path && !plans_path) {
        fprintf(stderr, "cairn picture: --points names the points of --plans: give both\n");
        return 2;
    }
    static struct sim_scenario scenario;
    memset(&scenario, 0, sizeof scenario);
    if (scenario_path && load_scenario(scenario_path, &scenario) != 0)
        return 2;

    static struct pic_sensors ss;
    memset(&ss, 0, sizeof ss);
    if (!sensors_path && scenario_path && scenario_sensors(&scenario, &ss) != 0) {
        sim_scenario_free(&scenario);
        return 2;
    }
    if (sensors_path) {
        struct dbuf b;
        dbuf_init(&b, PIC_INI_MAX + 1);
        int rc = feed_read_file(sensors_path, &b);
        char err[256];
        if (rc == CAIRN_E_TOOBIG)
            snprintf(err, sizeof err, "larger than %d bytes", PIC_INI_MAX);
        else if (rc < 0)
            snprintf(err, sizeof err, "%s", strerror(errno));
        else
            rc = pic_sensors_parse(b.p, b.len, &ss, err, sizeof err);
        dbuf_free(&b);
        if (rc != 0) {
            fprintf(stderr, "cairn picture: %s: %s\n", sensors_path, err);
            sim_scenario_free(&scenario);
            return 2;
        }
    }

    struct geo_zones *zones = NULL;
    struct fpl_points *points = NULL;
    struct fpl_set *plans = NULL;
    struct fpl_store *store = NULL;
    struct ev_truth *truth = NULL;
    struct run r;
    memset(&r, 0, sizeof r);
    r.n_in = (size_t)(argc - optind);
    r.in = calloc(r.n_in, sizeof *r.in);
    r.heap = calloc(r.n_in, sizeof *r.heap);
    struct ax_sensor *radars = calloc(PIC_MAX_SENSORS, sizeof *radars);
    int status = 0;
    if (!r.in || !r.heap || !radars) {
        fprintf(stderr, "cairn picture: out of memory\n");
        status = 1;
        goto out;
    }
    /* sensors first (inputs may add default receivers), then the sources */
    const struct pic_sensor **rx = calloc(r.n_in, sizeof *rx);
    enum feed_fmt *fmts = calloc(r.n_in, sizeof *fmts);
    const char **paths = calloc(r.n_in, sizeof *paths);
    if (!rx || !fmts || !paths) {
        free(rx);
        free(fmts);
        free(paths);
        fprintf(stderr, "cairn picture: out of memory\n");
        status = 1;
        goto out;
    }
    for (size_t i = 0; i < r.n_in && !status; i++) {
        const char *spec = argv[optind + (int)i];
        r.in[i].spec = spec;
        if (input_sensor(&ss, &spec, FEED_AUTO, &rx[i]) != 0) {
            status = 2;
        } else if (feed_spec_parse(spec, &fmts[i], &paths[i]) != 0) {
            fprintf(stderr, "cairn picture: %s: no path\n", r.in[i].spec);
            status = 2;
        }
    }
    size_t n_radars = status ? 0 : pic_sensors_ax_table(&ss, radars, PIC_MAX_SENSORS);
    for (size_t i = 0; i < r.n_in && !status; i++) {
        struct feed_src_opts o;
        memset(&o, 0, sizeof o);
        o.fmt = fmts[i];
        o.path = paths[i];
        o.has_start = has_start;
        o.start_utc_ms = start_ms;
        o.has_date = has_date;
        o.date_utc_ms = date_ms;
        o.radars = radars;
        o.n_radars = n_radars;
        char err[256];
        int rc = feed_src_open(&o, &r.in[i].src, err, sizeof err);
        if (rc != 0) {
            fprintf(stderr, "cairn picture: %s: %s\n", r.in[i].spec, err);
            status = rc == CAIRN_E_INVAL ? 2 : 1;
            break;
        }
        /* the receiver its reports come from, now that the format is known */
        enum feed_fmt f = feed_src_fmt(r.in[i].src);
        uint8_t want = feed_fmt_modes(f) ? PIC_SENSOR_ADSB : f == FEED_NMEA ? PIC_SENSOR_AIS : 0;
        if (rx[i] && rx[i]->type != want) {
            fprintf(stderr, "cairn picture: %s: sensor %s is not a %s receiver\n", r.in[i].spec,
                    rx[i]->name, want == PIC_SENSOR_AIS ? "[ais]" : "[adsb]");
            status = 2;
            break;
        }
        if (!rx[i] && want)
            rx[i] = default_receiver(&ss, want);
        if (want && !rx[i]) {
            fprintf(stderr, "cairn picture: too many sensors\n");
            status = 2;
            break;
        }
        if (rx[i]) {
            /* reopen with the receiver: its id and position */
            feed_src_close(r.in[i].src);
            o.fmt = f;
            o.sensor_id = rx[i]->id;
            o.has_rx = rx[i]->has_pos;
            o.rx_lat_deg = rx[i]->lat_deg;
            o.rx_lon_deg = rx[i]->lon_deg;
            rc = feed_src_open(&o, &r.in[i].src, err, sizeof err);
            if (rc != 0) {
                fprintf(stderr, "cairn picture: %s: %s\n", r.in[i].spec, err);
                status = 1;
                break;
            }
        }
    }
    free(rx);
    free(fmts);
    free(paths);
    if (status)
        goto out;

    struct pic_config pc;
    pic_config_default(&pc);
    pc.sensors = &ss;
    /* the rules see traffic across 180 near the sensors (docs/detect.md) */
    pc.det.lon_ref_deg = pic_sensors_lon_ref(&ss);
    if (sep_nm > 0)
        pc.det.sep_h_m = sep_nm * 1852.0;
    pc.on_alert = on_alert;
    pc.arg = &r;
    int rc = pic_new(&pc, &r.pic);
    if (rc != 0) {
        fprintf(stderr, "cairn picture: the engine could not start: %s\n", cairn_strerror(rc));
        status = 1;
        goto out;
    }
    char ferr[512];
    if ((zones_path && app_load_zones(zones_path, &zones, ferr, sizeof ferr) != 0) ||
        (plans_path && app_load_plans(plans_path, points_path, &points, &plans, &store, ferr,
                                      sizeof ferr) != 0)) {
        fprintf(stderr, "cairn picture: %s\n", ferr);
        status = 2;
        goto out;
    }
    if ((truth_path &&
         load_truth(truth_path, scenario_path ? &scenario : NULL, &pc.det, &truth, &r.ev) != 0)) {
        status = 2;
        goto out;
    }
    pic_set_zones(r.pic, zones);
    pic_set_plans(r.pic, store);
    if (r.ev)
        pic_set_observer(r.pic, on_cycle, &r);
    dbuf_init(&r.out, OUT_MAX);
    int64_t t0 = clock_mono_ns();
    run_merge(&r);
    print_tracks(&r);
    out_flush(&r);
    if (fflush(stdout) != 0 || r.out_err) {
        fprintf(stderr, "cairn picture: writing the output failed\n");
        status = 1;
    }
    for (size_t i = 0; i < r.n_in; i++) {
        if (r.in[i].failed)
            status = 1;
        uint64_t no_site = feed_src_stats(r.in[i].src)->no_site;
        if (no_site)
            fprintf(stderr,
                    "cairn picture: %s: %llu radar positions not placed: their radar (SAC/SIC) has "
                    "no [radar] section with its site in the sensors file\n",
                    r.in[i].spec, (unsigned long long)no_site);
    }
    if (r.ev && print_evaluation(&r) != 0)
        status = 1;
    if (stats)
        print_stats(&r, (double)(clock_mono_ns() - t0) / 1e9);
    dbuf_free(&r.out);
out:
    for (size_t i = 0; r.in && i < r.n_in; i++)
        feed_src_close(r.in[i].src);
    pic_free(r.pic);
    ev_free(r.ev);
    ev_truth_free(truth);
    fpl_store_free(store);
    fpl_set_free(plans);
    fpl_points_free(points);
    geo_zones_free(zones);
    sim_scenario_free(&scenario);
    free(r.in);
    free(r.heap);
    free(r.ended);
    free(r.seen);
    free(radars);
    return status;
}
