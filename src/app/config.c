/*
 * config.c — the centre's configuration file (config.h).
 *
 * Two passes over one text. First a line scan of our own: every byte is
 * checked (no NUL, no control byte but TAB/CR/LF), every section header is
 * checked against the known sections with its line number, and a copy of
 * the text is made in which only the lines of [radar|adsb|ais NAME]
 * sections stay (the others become empty lines, so line numbers hold) for
 * pic_sensors_parse. Then inih reads the key = value pairs of our own
 * sections; inih does not give the handler a line number, but
 * ini_parse_string returns the line of the first key the handler refused,
 * and the handler keeps the first message.
 */
#include "app/config.h"

#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/dbuf.h"
#include "base/error.h"
#include "base/log.h"
#include "feed/source.h"
#include "sim/scenario.h"

enum sect {
    S_NONE,
    S_CENTRE,
    S_WEB,
    S_PICTURE,
    S_SENSOR,
    S_REPLAY,
    S_HOTLINE,
    S_LIVE,
    S_CAT004,
    S_OUTPUT,
    S_PROCS,
    S_PEER,
    S_CAT062,
};

/* Keys that may not repeat: one bit each per section. */
enum {
    K_NAME = 1u << 0,
    K_PARTY = 1u << 1,
    K_ACCOUNTS = 1u << 2,
    K_STATIC = 1u << 3,
    K_CERT = 1u << 4,
    K_KEY = 1u << 5,
    K_PORTFILE = 1u << 6,
    K_CYCLE = 1u << 7,
    K_SENSORS = 1u << 8,
    K_SEP = 1u << 9,
    K_INPUT = 1u << 10,
    K_SENSOR = 1u << 11,
    K_SPEED = 1u << 12,
    K_START = 1u << 13,
    K_DATE = 1u << 14,
    K_ZONES = 1u << 15,
    K_PLANS = 1u << 16,
    K_POINTS = 1u << 17,
    K_UDP = 1u << 18,
    K_SAC = 1u << 19,
    K_SIC = 1u << 20,
    K_AREA = 1u << 21,
    K_RELEASE = 1u << 22,
    K_INTERVAL = 1u << 23,
    K_RECORD = 1u << 24,
    K_STREAM = 1u << 25,
};

struct cx {
    struct app_config *c;
    const char *dir;
    char msg[200]; /* the first refusal */
    int failed;
    unsigned seen_centre, seen_web, seen_picture, seen_cat004;
    unsigned seen_replay[APP_MAX_REPLAYS];
    unsigned seen_peer[APP_MAX_PEERS], seen_cat062;
};

static int refuse(struct cx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int refuse(struct cx *x, const char *fmt, ...)
{
    if (!x->failed) {
        char raw[200];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(raw, sizeof raw, fmt, ap);
        va_end(ap);
        log_escape(x->msg, sizeof x->msg, raw, strlen(raw), LOG_ESC_LINE);
        x->failed = 1;
    }
    return 0;
}

static int valid_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= PIC_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '.' || ch == '_' || ch == '-'))
            return 0;
    }
    return 1;
}

/* value into out as a path: absolute, or relative to dir. 0 or -1. */
static int set_path(const struct cx *x, char *out, size_t cap, const char *v)
{
    int n;
    if (!*v)
        return -1;
    if (v[0] == '/' || !x->dir[0])
        n = snprintf(out, cap, "%s", v);
    else
        n = snprintf(out, cap, "%s/%s", x->dir, v);
    return n < 0 || (size_t)n >= cap ? -1 : 0;
}

static int set_str(char *out, size_t cap, const char *v)
{
    size_t n = strlen(v);
    if (n >= cap)
        return -1;
    memcpy(out, v, n + 1);
    return 0;
}

static int parse_num(const char *v, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    if (end == v || *end || errno || !isfinite(d) || d < lo || d > hi)
        return -1;
    *out = d;
    return 0;
}

/* A repeat of a key that may appear once. */
static int once(struct cx *x, unsigned *seen, unsigned bit, const char *sect, const char *key)
{
    if (*seen & bit)
        return refuse(x, "key '%s' given twice in [%s]", key, sect), -1;
    *seen |= bit;
    return 0;
}

static int h_centre(struct cx *x, const char *k, const char *v)
{
    struct app_config *c = x->c;
    if (!strcmp(k, "name")) {
        if (once(x, &x->seen_centre, K_NAME, "centre", k) || !valid_name(v) ||
            set_str(c->name, sizeof c->name, v))
            return refuse(x, "[centre] name wants 1 to %d characters of [A-Za-z0-9._-]",
                          PIC_NAME_MAX - 1);
        return 1;
    }
    if (!strcmp(k, "party")) {
        if (once(x, &x->seen_centre, K_PARTY, "centre", k) || !valid_name(v) ||
            set_str(c->party, sizeof c->party, v))
            return refuse(x, "[centre] party wants 1 to %d characters of [A-Za-z0-9._-]",
                          PIC_NAME_MAX - 1);
        return 1;
    }
    if (!strcmp(k, "military")) { /* repeatable: the lists add up */
        const char *why = "bad list";
        if (app_military_parse(v, &c->military, &why) != 0)
            return refuse(x, "[centre] military: %s", why);
        return 1;
    }
    return refuse(x, "unknown key '%s' in [centre]", k);
}

/* [peer NAME]: the shared picture with a roster centre (app/peer.h). */
static int h_peer(struct cx *x, size_t i, const char *k, const char *v)
{
    struct app_peer_config *p = &x->c->peer[i];
    unsigned *seen = &x->seen_peer[i];
    char sect[48];
    snprintf(sect, sizeof sect, "peer %s", p->name);
    if (!strcmp(k, "area") || !strcmp(k, "record")) {
        int area = k[0] == 'a';
        if (once(x, seen, area ? K_AREA : K_RECORD, sect, k))
            return 0;
        if (set_path(x, area ? p->area : p->record, APP_PEER_PATH_MAX, v))
            return refuse(x, "[%s] %s wants a path (at most %d bytes)", sect, k,
                          APP_PEER_PATH_MAX - 1);
        return 1;
    }
    if (!strcmp(k, "release")) {
        const char *why = "bad list";
        if (once(x, seen, K_RELEASE, sect, k))
            return 0;
        if (app_release_parse(v, &p->release, &why) != 0)
            return refuse(x, "[%s] %s", sect, why);
        return 1;
    }
    if (!strcmp(k, "interval_s")) {
        double d;
        if (once(x, seen, K_INTERVAL, sect, k))
            return 0;
        /* a picture a second at most (the picture's cycle), one a minute at least */
        if (parse_num(v, 1, 60, &d))
            return refuse(x, "[%s] interval_s wants 1 to 60 (seconds)", sect);
        p->interval_ms = (int64_t)llround(d * 1000.0);
        return 1;
    }
    return refuse(x, "unknown key '%s' in [%s]", k, sect);
}

/* [cat062]: the picture out as ASTERIX CAT062 over UDP (app/cat062.h). */
static int h_cat062(struct cx *x, const char *k, const char *v)
{
    struct app_config *c = x->c;
    double d;
    if (!strcmp(k, "udp")) {
        if (once(x, &x->seen_cat062, K_UDP, "cat062", k))
            return 0;
        struct cairn_addr a;
        if (addr_parse(v, &a) != 0 || addr_port((struct sockaddr *)&a.ss) == 0)
            return refuse(x, "udp wants HOST:PORT (IPv4, [IPv6]) with a port");
        c->cat062 = a;
        c->has_cat062 = 1;
        return 1;
    }
    if (!strcmp(k, "sac") || !strcmp(k, "sic")) {
        int is_sac = k[1] == 'a';
        if (once(x, &x->seen_cat062, is_sac ? K_SAC : K_SIC, "cat062", k))
            return 0;
        if (parse_num(v, 0, 255, &d) || d != (double)(int)d)
            return refuse(x, "%s wants 0 to 255", k);
        if (is_sac)
            c->cat062_sac = (uint8_t)d;
        else
            c->cat062_sic = (uint8_t)d;
        return 1;
    }
    if (!strcmp(k, "interval_s")) {
        if (once(x, &x->seen_cat062, K_INTERVAL, "cat062", k))
            return 0;
        if (parse_num(v, 0.1, 60, &d))
            return refuse(x, "[cat062] interval_s wants 0.1 to 60 (seconds)");
        c->cat062_interval_ms = (int64_t)llround(d * 1000.0);
        return 1;
    }
    return refuse(x, "unknown key '%s' in [cat062]", k);
}

/* [cat004]: alerts out as ASTERIX CAT004 over UDP (app/cat004.h). */
static int h_cat004(struct cx *x, const char *k, const char *v)
{
    struct app_config *c = x->c;
    double d;
    if (!strcmp(k, "udp")) {
        if (once(x, &x->seen_cat004, K_UDP, "cat004", k))
            return 0;
        struct cairn_addr a;
        if (addr_parse(v, &a) != 0 || addr_port((struct sockaddr *)&a.ss) == 0)
            return refuse(x, "udp wants HOST:PORT (IPv4, [IPv6]) with a port");
        c->cat004 = a;
        c->has_cat004 = 1;
        return 1;
    }
    if (!strcmp(k, "sac") || !strcmp(k, "sic")) {
        int is_sac = k[1] == 'a';
        if (once(x, &x->seen_cat004, is_sac ? K_SAC : K_SIC, "cat004", k))
            return 0;
        if (parse_num(v, 0, 255, &d) || d != (double)(int)d)
            return refuse(x, "%s wants 0 to 255", k);
        if (is_sac)
            c->cat004_sac = (uint8_t)d;
        else
            c->cat004_sic = (uint8_t)d;
        return 1;
    }
    return refuse(x, "unknown key '%s' in [cat004]", k);
}

static int h_web(struct cx *x, const char *k, const char *v)
{
    struct app_config *c = x->c;
    if (!strcmp(k, "listen")) {
        struct cairn_addr a;
        if (c->n_listen >= WEB_MAX_LISTEN)
            return refuse(x, "more than %d listen addresses", WEB_MAX_LISTEN);
        if (addr_parse(v, &a) != 0)
            return refuse(x, "listen wants HOST:PORT (IPv4, [IPv6] or localhost): '%s'", v);
        snprintf(c->listen[c->n_listen++], ADDR_MAX, "%s", v);
        return 1;
    }
    if (!strcmp(k, "allow")) {
        if (c->n_allow >= WEB_MAX_ALLOW)
            return refuse(x, "more than %d allow networks", WEB_MAX_ALLOW);
        if (set_str(c->allow[c->n_allow], sizeof c->allow[0], v) || !*v)
            return refuse(x, "allow wants a network such as 127.0.0.0/8");
        c->n_allow++;
        return 1;
    }
    if (!strcmp(k, "stream_ms")) {
        double d;
        if (once(x, &x->seen_web, K_STREAM, "web", k))
            return 0;
        if (parse_num(v, 0, APP_STREAM_MAX, &d) || d != floor(d) || (d > 0 && d < APP_STREAM_MIN))
            return refuse(x,
                          "stream_ms wants 0 (tracks after each cycle only) or a whole number "
                          "from %d to %d",
                          APP_STREAM_MIN, APP_STREAM_MAX);
        c->stream_ms = (int64_t)d;
        return 1;
    }
    struct {
        const char *key;
        unsigned bit;
        char *out;
    } paths[] = {
        {"accounts", K_ACCOUNTS, c->accounts},   {"static_dir", K_STATIC, c->static_dir},
        {"tls_cert", K_CERT, c->tls_cert},       {"tls_key", K_KEY, c->tls_key},
        {"port_file", K_PORTFILE, c->port_file},
    };
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        if (strcmp(k, paths[i].key))
            continue;
        if (once(x, &x->seen_web, paths[i].bit, "web", k))
            return 0;
        if (set_path(x, paths[i].out, APP_PATH_MAX, v) != 0)
            return refuse(x, "%s wants a path of at most %d bytes", k, APP_PATH_MAX - 1);
        return 1;
    }
    return refuse(x, "unknown key '%s' in [web]", k);
}

static int h_picture(struct cx *x, const char *k, const char *v)
{
    struct app_config *c = x->c;
    double d;
    if (!strcmp(k, "cycle_ms")) {
        if (once(x, &x->seen_picture, K_CYCLE, "picture", k))
            return 0;
        if (parse_num(v, APP_CYCLE_MIN, APP_CYCLE_MAX, &d) || d != floor(d))
            return refuse(x, "cycle_ms wants a whole number from %d to %d", APP_CYCLE_MIN,
                          APP_CYCLE_MAX);
        c->cycle_ms = (int64_t)d;
        return 1;
    }
    if (!strcmp(k, "separation_nm")) {
        if (once(x, &x->seen_picture, K_SEP, "picture", k))
            return 0;
        /* ICAO radar minima run from 2.5 NM near the antenna to 10 NM */
        if (parse_num(v, 1, 20, &d))
            return refuse(x, "separation_nm wants 1 to 20 (NM)");
        c->separation_nm = d;
        return 1;
    }
    if (!strcmp(k, "sensors")) {
        if (once(x, &x->seen_picture, K_SENSORS, "picture", k))
            return 0;
        if (set_path(x, c->sensors_file, sizeof c->sensors_file, v) != 0)
            return refuse(x, "sensors wants a path of at most %d bytes", APP_PATH_MAX - 1);
        return 1;
    }
    static const struct {
        const char *key;
        unsigned bit;
        size_t off;
    } files[] = {{"zones", K_ZONES, offsetof(struct app_config, zones_file)},
                 {"plans", K_PLANS, offsetof(struct app_config, plans_file)},
                 {"points", K_POINTS, offsetof(struct app_config, points_file)}};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        if (strcmp(k, files[i].key))
            continue;
        if (once(x, &x->seen_picture, files[i].bit, "picture", k))
            return 0;
        if (set_path(x, (char *)c + files[i].off, APP_PATH_MAX, v) != 0)
            return refuse(x, "%s wants a path of at most %d bytes", k, APP_PATH_MAX - 1);
        return 1;
    }
    return refuse(x, "unknown key '%s' in [picture]", k);
}

static int h_replay(struct cx *x, size_t i, const char *k, const char *v)
{
    struct app_replay_config *r = &x->c->replay[i];
    unsigned *seen = &x->seen_replay[i];
    if (!strcmp(k, "input")) {
        if (once(x, seen, K_INPUT, "replay", k))
            return 0;
        enum feed_fmt f;
        const char *p;
        if (feed_spec_parse(v, &f, &p) != 0 || !strcmp(p, "-"))
            return refuse(x, "input wants FORMAT:PATH or PATH (a file)");
        char abs[APP_PATH_MAX];
        if (set_path(x, abs, sizeof abs, p) != 0)
            return refuse(x, "input: path too long");
        int n = f == FEED_AUTO
                    ? snprintf(r->input, sizeof r->input, "%s", abs)
                    : snprintf(r->input, sizeof r->input, "%s:%s", feed_fmt_name(f), abs);
        if (n < 0 || (size_t)n >= sizeof r->input)
            return refuse(x, "input: path too long");
        return 1;
    }
    if (!strcmp(k, "sensor")) {
        if (once(x, seen, K_SENSOR, "replay", k))
            return 0;
        if (!valid_name(v))
            return refuse(x, "sensor wants the name of an [adsb] or [ais] section");
        snprintf(r->sensor, sizeof r->sensor, "%s", v);
        return 1;
    }
    if (!strcmp(k, "speed")) {
        if (once(x, seen, K_SPEED, "replay", k))
            return 0;
        /* 1000x: a day of recording in under 90 s of wall time */
        if (parse_num(v, 0.01, 1000, &r->speed))
            return refuse(x, "speed wants 0.01 to 1000 (times the recorded pace)");
        return 1;
    }
    if (!strcmp(k, "start")) {
        if (once(x, seen, K_START, "replay", k))
            return 0;
        double d;
        if (parse_num(v, 0, 7.0e9, &d) == 0)
            r->start_utc_ms = (int64_t)llround(d * 1000.0);
        else if (sim_parse_utc(v, &r->start_utc_ms) != 0)
            return refuse(x, "start wants a UTC time such as 2018-04-03T19:02:28.136Z or Unix "
                             "seconds");
        r->has_start = 1;
        return 1;
    }
    if (!strcmp(k, "date")) {
        if (once(x, seen, K_DATE, "replay", k))
            return 0;
        char buf[32];
        if (strlen(v) != 10)
            return refuse(x, "date wants YYYY-MM-DD");
        snprintf(buf, sizeof buf, "%sT12:00:00Z", v);
        if (sim_parse_utc(buf, &r->date_utc_ms) != 0)
            return refuse(x, "date wants YYYY-MM-DD");
        r->has_date = 1;
        return 1;
    }
    return refuse(x, "unknown key '%s' in [replay %s]", k, r->name);
}

/* A [sensor NAME] key: feed/sensor.h's own (sensor_config_set checks it),
 * or receiver. */
static int h_sensor(struct cx *x, size_t i, const char *k, const char *v)
{
    struct sensor_config *s = &x->c->sensor[i];
    if (!strcmp(k, "receiver")) {
        if (x->c->sensor_rx[i][0])
            return refuse(x, "key 'receiver' given twice in [sensor %s]", s->name);
        if (!valid_name(v))
            return refuse(x, "receiver names an [adsb NAME] or [ais NAME] section");
        snprintf(x->c->sensor_rx[i], sizeof x->c->sensor_rx[i], "%s", v);
        return 1;
    }
    const char *why = NULL;
    int rc = sensor_config_set(s, k, v, &why);
    if (rc == CAIRN_E_NOTFOUND)
        return refuse(x, "unknown key '%s' in [sensor %s] (docs/sensors.md)", k, s->name);
    if (rc != 0)
        return refuse(x, "[sensor %s] %s: %s", s->name, k, why ? why : "bad value");
    return 1;
}

/* An [output NAME] key: app/output.h's own (app_output_config_set). */
static int h_output(struct cx *x, size_t i, const char *k, const char *v)
{
    struct app_output_config *o = &x->c->output[i];
    const char *why = NULL;
    int rc = app_output_config_set(o, k, v, &why);
    if (rc == CAIRN_E_NOTFOUND)
        return refuse(x, "unknown key '%s' in [output %s]", k, o->name);
    if (rc != 0)
        return refuse(x, "[output %s] %s: %s", o->name, k, why ? why : "bad value");
    return 1;
}

/* [procedures] (app/procedures.h): the paths here, the rest there. */
static int h_procs(struct cx *x, const char *k, const char *v)
{
    struct proc_config *pc = &x->c->procs;
    if (!strcmp(k, "compliance_area") || !strcmp(k, "drafts")) {
        char *out = !strcmp(k, "drafts") ? pc->drafts : pc->compliance_area;
        if (set_path(x, out, PROC_PATH_MAX, v) != 0)
            return refuse(x, "%s wants a path of at most %d bytes", k, PROC_PATH_MAX - 1);
        return 1;
    }
    char why[200];
    int rc = proc_config_key(pc, k, v, why, sizeof why);
    if (rc == 1)
        return refuse(x, "unknown key '%s' in [procedures]", k);
    if (rc != 0)
        return refuse(x, "%s", why);
    return 1;
}

static int on_key(void *user, const char *section, const char *name, const char *value)
{
    struct cx *x = user;
    if (x->failed)
        return 1; /* only the first refusal counts; inih keeps its line */
    if (!strcmp(section, "centre"))
        return h_centre(x, name, value);
    if (!strcmp(section, "web"))
        return h_web(x, name, value);
    if (!strcmp(section, "picture"))
        return h_picture(x, name, value);
    if (!strcmp(section, "cat004"))
        return h_cat004(x, name, value);
    if (!strcmp(section, "procedures"))
        return h_procs(x, name, value);
    if (!strcmp(section, "cat062"))
        return h_cat062(x, name, value);
    if (!strncmp(section, "peer ", 5)) {
        for (size_t i = 0; i < x->c->n_peer; i++)
            if (!strcmp(x->c->peer[i].name, section + 5))
                return h_peer(x, i, name, value);
    }
    if (!strncmp(section, "radar ", 6) || !strncmp(section, "adsb ", 5) ||
        !strncmp(section, "ais ", 4))
        return 1; /* pic_sensors_parse's */
    if (!strcmp(section, "hotline"))
        return 1; /* hl_daemon_config_load's */
    if (!strncmp(section, "replay ", 7)) {
        for (size_t i = 0; i < x->c->n_replay; i++)
            if (!strcmp(x->c->replay[i].name, section + 7))
                return h_replay(x, i, name, value);
    }
    if (!strncmp(section, "sensor ", 7)) {
        for (size_t i = 0; i < x->c->n_sensor; i++)
            if (!strcmp(x->c->sensor[i].name, section + 7))
                return h_sensor(x, i, name, value);
    }
    if (!strncmp(section, "output ", 7)) {
        for (size_t i = 0; i < x->c->n_output; i++)
            if (!strcmp(x->c->output[i].name, section + 7))
                return h_output(x, i, name, value);
    }
    /* the line scan refused every other header: keys before any section */
    return refuse(x, "key '%s' outside a section", name);
}

/* The header at s[0..n) (a line starting with '['): its kind, the name
 * after "replay " for replays. -1 with a message for anything else. */
static int scan_header(struct cx *x, const char *s, size_t n, enum sect *out)
{
    char h[96];
    size_t e = 0;
    while (e < n && s[e] != ']')
        e++;
    if (e == n || e - 1 >= sizeof h)
        return refuse(x, "a section header is [NAME] or [KIND NAME], at most %d characters",
                      (int)sizeof h - 2),
               -1;
    memcpy(h, s + 1, e - 1);
    h[e - 1] = 0;
    for (size_t i = e + 1; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r') {
            if (s[i] == ';' || s[i] == '#')
                break;
            return refuse(x, "text after a section header"), -1;
        }
    if (!strcmp(h, "centre") || !strcmp(h, "web") || !strcmp(h, "picture")) {
        *out = !strcmp(h, "centre") ? S_CENTRE : !strcmp(h, "web") ? S_WEB : S_PICTURE;
        return 0;
    }
    if (!strncmp(h, "radar ", 6) || !strncmp(h, "adsb ", 5) || !strncmp(h, "ais ", 4)) {
        *out = S_SENSOR;
        return 0;
    }
    if (!strcmp(h, "cat004")) {
        *out = S_CAT004;
        return 0;
    }
    if (!strcmp(h, "procedures")) {
        x->c->has_procs = 1;
        *out = S_PROCS;
        return 0;
    }
    if (!strcmp(h, "cat062")) {
        *out = S_CAT062;
        return 0;
    }
    if (!strncmp(h, "peer ", 5)) {
        const char *name = h + 5;
        struct app_config *c = x->c;
        if (!valid_name(name))
            return refuse(x,
                          "[peer NAME]: NAME is a roster centre, 1 to %d characters of "
                          "[A-Za-z0-9._-]",
                          PIC_NAME_MAX - 1),
                   -1;
        for (size_t i = 0; i < c->n_peer; i++)
            if (!strcmp(c->peer[i].name, name))
                return refuse(x, "two [peer %s] sections", name), -1;
        if (c->n_peer >= APP_MAX_PEERS)
            return refuse(x, "more than %d [peer] sections", APP_MAX_PEERS), -1;
        struct app_peer_config *p = &c->peer[c->n_peer++];
        memcpy(p->name, name, strlen(name) + 1); /* valid_name: shorter than PIC_NAME_MAX */
        p->release = APP_CLASS_BIT(APP_CLASS_CIVIL);
        p->interval_ms = APP_PEER_INTERVAL_MS;
        *out = S_PEER;
        return 0;
    }
    if (!strcmp(h, "hotline")) {
        x->c->has_hotline = 1;
        *out = S_HOTLINE;
        return 0;
    }
    if (!strncmp(h, "replay ", 7)) {
        const char *name = h + 7;
        if (!valid_name(name))
            return refuse(x, "[replay NAME]: NAME is 1 to %d characters of [A-Za-z0-9._-]",
                          PIC_NAME_MAX - 1),
                   -1;
        struct app_config *c = x->c;
        for (size_t i = 0; i < c->n_replay; i++)
            if (!strcmp(c->replay[i].name, name))
                return refuse(x, "two [replay %s] sections", name), -1;
        if (c->n_replay >= APP_MAX_REPLAYS)
            return refuse(x, "more than %d [replay] sections", APP_MAX_REPLAYS), -1;
        struct app_replay_config *r = &c->replay[c->n_replay++];
        memcpy(r->name, name, strlen(name) + 1); /* valid_name: shorter than PIC_NAME_MAX */
        r->speed = 1.0;
        *out = S_REPLAY;
        return 0;
    }
    if (!strncmp(h, "sensor ", 7)) {
        const char *name = h + 7;
        struct app_config *c = x->c;
        if (!valid_name(name))
            return refuse(x, "[sensor NAME]: NAME is 1 to %d characters of [A-Za-z0-9._-]",
                          PIC_NAME_MAX - 1),
                   -1;
        for (size_t i = 0; i < c->n_sensor; i++)
            if (!strcmp(c->sensor[i].name, name))
                return refuse(x, "two [sensor %s] sections", name), -1;
        if (c->n_sensor >= APP_MAX_SENSORS)
            return refuse(x, "more than %d [sensor] sections", APP_MAX_SENSORS), -1;
        struct sensor_config *sc = &c->sensor[c->n_sensor++];
        sensor_config_init(sc);
        memcpy(sc->name, name, strlen(name) + 1); /* valid_name: shorter than PIC_NAME_MAX */
        *out = S_LIVE;
        return 0;
    }
    if (!strncmp(h, "output ", 7)) {
        const char *name = h + 7;
        struct app_config *c = x->c;
        if (!valid_name(name))
            return refuse(x, "[output NAME]: NAME is 1 to %d characters of [A-Za-z0-9._-]",
                          PIC_NAME_MAX - 1),
                   -1;
        for (size_t i = 0; i < c->n_output; i++)
            if (!strcmp(c->output[i].name, name))
                return refuse(x, "two [output %s] sections", name), -1;
        if (c->n_output >= APP_MAX_OUTPUTS)
            return refuse(x, "more than %d [output] sections", APP_MAX_OUTPUTS), -1;
        struct app_output_config *oc = &c->output[c->n_output++];
        app_output_config_init(oc);
        memcpy(oc->name, name, strlen(name) + 1); /* valid_name: shorter than OUT_NAME_MAX */
        *out = S_OUTPUT;
        return 0;
    }
    return refuse(x, "unknown section [%s]", h), -1;
}

static int fail(struct cx *x, const char *name, int line, char *err, size_t errcap, int rc)
{
    if (line > 0)
        snprintf(err, errcap, "%s line %d: %s", name, line, x->msg);
    else
        snprintf(err, errcap, "%s: %s", name, x->msg);
    return rc;
}

int app_config_parse(const char *text, size_t len, const char *dir, const char *name,
                     struct app_config *c, char *err, size_t errcap)
{
    struct cx x;
    memset(&x, 0, sizeof x);
    memset(c, 0, sizeof *c);
    snprintf(c->name, sizeof c->name, "cairn");
    c->cycle_ms = 1000;
    c->stream_ms = 50;
    proc_config_default(&c->procs);
    c->cat062_interval_ms = 1000;
    x.c = c;
    x.dir = dir ? dir : "";
    if (len > APP_CONFIG_MAX) {
        refuse(&x, "larger than %d bytes", APP_CONFIG_MAX);
        return fail(&x, name, 0, err, errcap, CAIRN_E_TOOBIG);
    }
    char *copy = malloc(len + 1), *sens = malloc(len + 1);
    if (!copy || !sens) {
        free(copy);
        free(sens);
        refuse(&x, "out of memory");
        return fail(&x, name, 0, err, errcap, CAIRN_E_NOMEM);
    }
    /* pass 1: bytes, headers, the sensors' copy */
    int line = 1, has_sensors = 0, rc = 0;
    enum sect cur = S_NONE;
    size_t s_len = 0;
    for (size_t i = 0; i < len && !rc;) {
        size_t e = i;
        while (e < len && text[e] != '\n')
            e++;
        for (size_t j = i; j < e; j++) {
            unsigned char ch = (unsigned char)text[j];
            if ((ch < 0x20 && ch != '\t' && ch != '\r') || ch == 0x7f) {
                refuse(&x, "control byte 0x%02x", ch);
                rc = CAIRN_E_FORMAT;
                break;
            }
        }
        size_t b = i;
        while (b < e && (text[b] == ' ' || text[b] == '\t'))
            b++;
        if (!rc && b < e && text[b] == '[') {
            if (scan_header(&x, text + b, e - b, &cur) != 0)
                rc = CAIRN_E_FORMAT;
            has_sensors |= cur == S_SENSOR;
            if (!rc && cur == S_REPLAY)
                c->replay[c->n_replay - 1].line = line;
            if (!rc && cur == S_LIVE)
                c->sensor_line[c->n_sensor - 1] = line;
            if (!rc && cur == S_OUTPUT)
                c->output[c->n_output - 1].line = line;
            if (!rc && cur == S_PEER)
                c->peer[c->n_peer - 1].line = line;
        }
        if (rc)
            break;
        if (cur == S_SENSOR) {
            memcpy(sens + s_len, text + i, e - i);
            s_len += e - i;
        }
        if (e < len)
            sens[s_len++] = '\n';
        i = e + 1;
        line++;
    }
    if (rc) {
        free(copy);
        free(sens);
        return fail(&x, name, line, err, errcap, rc);
    }
    /* pass 2: our keys */
    memcpy(copy, text, len);
    copy[len] = 0;
    int bad = ini_parse_string(copy, on_key, &x);
    free(copy);
    if (bad != 0) {
        free(sens);
        if (!x.failed)
            refuse(&x, "not a key = value line (or longer than 200 bytes)");
        return fail(&x, name, bad, err, errcap, CAIRN_E_FORMAT);
    }
    /* the sensors: inline, or a file, not both */
    char perr[200];
    if (has_sensors && c->sensors_file[0]) {
        free(sens);
        refuse(&x, "both [picture] sensors and inline sensor sections: choose one");
        return fail(&x, name, 0, err, errcap, CAIRN_E_FORMAT);
    }
    if (has_sensors) {
        rc = pic_sensors_parse(sens, s_len, &c->sensors, perr, sizeof perr);
        free(sens);
        if (rc != 0) {
            snprintf(err, errcap, "%s %s", name, perr);
            return rc;
        }
    } else {
        free(sens);
    }
    if (c->sensors_file[0]) {
        struct dbuf fb;
        dbuf_init(&fb, PIC_INI_MAX + 1);
        rc = feed_read_file(c->sensors_file, &fb);
        if (rc == 0)
            rc = pic_sensors_parse(fb.p, fb.len, &c->sensors, perr, sizeof perr);
        else
            snprintf(perr, sizeof perr, "%s", rc == CAIRN_E_TOOBIG ? "too large" : strerror(errno));
        dbuf_free(&fb);
        if (rc != 0) {
            char esc[APP_PATH_MAX + 8];
            log_escape(esc, sizeof esc, c->sensors_file, strlen(c->sensors_file), LOG_ESC_LINE);
            snprintf(err, errcap, "%s: %s", esc, perr);
            return rc == CAIRN_E_TOOBIG || rc == CAIRN_E_FORMAT || rc == CAIRN_E_RANGE ? rc
                                                                                       : CAIRN_E_IO;
        }
    }
    /* what must be there */
    if (c->n_listen == 0)
        refuse(&x, "[web] needs at least one listen address");
    else if (!c->accounts[0])
        refuse(&x, "[web] needs accounts (a file made with `cairn passwd`)");
    else if (!c->tls_cert[0] != !c->tls_key[0])
        refuse(&x, "[web] tls_cert and tls_key go together");
    else if (x.seen_cat004 && !c->has_cat004)
        refuse(&x, "[cat004] needs udp = HOST:PORT");
    else if (c->points_file[0] && !c->plans_file[0])
        refuse(&x, "[picture] points names the points of plans: give both");
    else if (c->n_peer && !c->has_hotline)
        refuse(&x, "[peer %s] needs the hotline: a [hotline] section", c->peer[0].name);
    for (size_t i = 0; i < c->n_peer && !x.failed; i++)
        if (!c->peer[i].area[0]) {
            refuse(&x, "[peer %s] needs area = FILE (GeoJSON: the exchange area)", c->peer[i].name);
            return fail(&x, name, c->peer[i].line, err, errcap, CAIRN_E_FORMAT);
        }
    for (size_t i = 0; i < c->n_replay && !x.failed; i++) {
        struct app_replay_config *r = &c->replay[i];
        if (!r->input[0])
            refuse(&x, "[replay %s] needs input", r->name);
        else if (r->sensor[0]) {
            const struct pic_sensor *s = pic_sensors_by_name(&c->sensors, r->sensor);
            if (!s || s->type == PIC_SENSOR_RADAR)
                refuse(&x, "[replay %s]: no [adsb %s] or [ais %s] section", r->name, r->sensor,
                       r->sensor);
        }
        if (x.failed)
            return fail(&x, name, r->line, err, errcap, CAIRN_E_FORMAT);
    }
    for (size_t i = 0; i < c->n_sensor && !x.failed; i++) {
        struct sensor_config *s = &c->sensor[i];
        const char *why = NULL;
        const struct pic_sensor *rx = NULL;
        if (c->sensor_rx[i][0]) {
            rx = pic_sensors_by_name(&c->sensors, c->sensor_rx[i]);
            if (!rx || rx->type == PIC_SENSOR_RADAR)
                refuse(&x, "[sensor %s]: no [adsb %s] or [ais %s] section", s->name,
                       c->sensor_rx[i], c->sensor_rx[i]);
        } else if (s->format == SENSOR_FMT_NMEA) {
            rx = pic_sensors_first(&c->sensors, PIC_SENSOR_AIS);
        } else if (s->format != SENSOR_FMT_ASTERIX) {
            rx = pic_sensors_first(&c->sensors, PIC_SENSOR_ADSB);
        }
        if (rx && !x.failed) { /* its id and site, unless the section gave them */
            if (!s->sensor_id)
                s->sensor_id = rx->id;
            if (!s->has_rx && rx->has_pos) {
                s->has_rx = 1;
                s->rx_lat_deg = rx->lat_deg;
                s->rx_lon_deg = rx->lon_deg;
            }
        }
        if (!x.failed && sensor_config_check(s, &why) != 0)
            refuse(&x, "[sensor %s]: %s", s->name, why ? why : "incomplete");
        if (x.failed)
            return fail(&x, name, c->sensor_line[i], err, errcap, CAIRN_E_FORMAT);
    }
    for (size_t i = 0; i < c->n_output && !x.failed; i++) {
        const struct app_output_config *o = &c->output[i];
        const char *why = NULL;
        if (app_output_config_check(o, &why) != 0) {
            refuse(&x, "[output %s] %s", o->name, why ? why : "incomplete");
            return fail(&x, name, o->line, err, errcap, CAIRN_E_FORMAT);
        }
    }
    if (x.failed)
        return fail(&x, name, 0, err, errcap, CAIRN_E_FORMAT);
    return 0;
}

int app_config_load(const char *given, struct app_config *c, char *err, size_t errcap)
{
    char esc[APP_PATH_MAX + 8];
    log_escape(esc, sizeof esc, given, strlen(given), LOG_ESC_LINE);
    /* the file's absolute path when it resolves: its relative paths are
     * then the same whatever the working folder (SIGHUP reads it again) */
    char *abs = realpath(given, NULL);
    const char *path = abs && strlen(abs) < APP_PATH_MAX ? abs : given;
    struct dbuf b;
    dbuf_init(&b, APP_CONFIG_MAX + 1);
    int rc = feed_read_file(path, &b);
    if (rc != 0) {
        snprintf(err, errcap, "%s: %s", esc,
                 rc == CAIRN_E_TOOBIG ? "larger than 256 KiB" : strerror(errno));
        dbuf_free(&b);
        free(abs);
        return rc == CAIRN_E_TOOBIG ? rc : CAIRN_E_IO;
    }
    char dir[APP_PATH_MAX];
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == path)
        snprintf(dir, sizeof dir, "/");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    rc = app_config_parse(b.len ? b.p : "", b.len, dir, esc, c, err, errcap);
    dbuf_free(&b);
    if (rc == 0 && c->has_hotline && hl_daemon_config_load(path, &c->hotline) != 0) {
        snprintf(err, errcap, "%s: [hotline] refused (the reason is logged above)", esc);
        free(abs);
        return CAIRN_E_FORMAT;
    }
    if (rc == 0)
        snprintf(c->path, sizeof c->path, "%s", path);
    free(abs);
    return rc;
}
