/*
 * output.c — readsb-style output ports (output.h): a listener, its
 * clients' bufferevents, and the three encoders.
 *
 * The write path (O3): the caller hands a frame or a report; it is encoded
 * once into a small stack buffer, then for each client either appended to
 * its bufferevent's output (libevent writes it when the socket can take
 * it, from the loop) or, when the client's queue would pass max_queue, the
 * client is closed. No write ever waits for a client.
 *
 * References: readsb net_io.c (modesSendBeastOutput, modesSendRawOutput,
 * modesSendSBSOutput, the heartbeats, flushWrites' full-SendQ drop) read
 * for the formats; the BaseStation socket data description those comments
 * cite; libevent 2.1 (evconnlistener_new_bind, bufferevent_socket_new).
 */
#include "app/output.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <event2/util.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/error.h"
#include "base/jsonw.h"
#include "base/log.h"
#include "decode/modes/beast.h"
#include "decode/modes/frame.h"
#include "decode/report.h"

#define MOD "output"
/* Pending connections the kernel keeps for an output port. */
#define OUT_BACKLOG 16
/* Bytes read from a client at once (and thrown away). */
#define OUT_READ_CHUNK 4096

struct client {
    struct app_output *o;
    struct bufferevent *bev;
    struct client *next, *prev;
    char peer[ADDR_TEXT_LEN];
};

struct app_output {
    struct event_base *base;
    struct app_output_config cfg;
    struct evconnlistener *lis;
    uint16_t port;
    struct client *clients;
    struct event *hb;   /* the heartbeat timer, or NULL */
    int wrote_since_hb; /* something went out since the last heartbeat tick */
    struct app_output_stats st;
};

static const char *const fmt_names[] = {"?", "beast", "avr", "sbs"};

const char *app_output_format_name(enum app_out_format f)
{
    return (unsigned)f < sizeof fmt_names / sizeof fmt_names[0] ? fmt_names[f] : "?";
}

/* ------------------------------------------------------------ configuration */

void app_output_config_init(struct app_output_config *c)
{
    memset(c, 0, sizeof *c);
    c->max_clients = OUT_MAX_CLIENTS;
    c->max_queue = OUT_MAX_QUEUE;
    c->heartbeat_s = OUT_HEARTBEAT_S;
}

static int parse_u32(const char *v, uint32_t lo, uint32_t hi, uint32_t *out)
{
    if (!*v || strlen(v) > 10)
        return -1;
    uint64_t n = 0;
    for (const char *p = v; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        n = n * 10 + (uint64_t)(*p - '0');
    }
    if (n < lo || n > hi)
        return -1;
    *out = (uint32_t)n;
    return 0;
}

int app_output_config_set(struct app_output_config *c, const char *key, const char *value,
                          const char **why)
{
    const char *dummy;
    if (!why)
        why = &dummy;
    if (!strcmp(key, "format")) {
        if (c->format) {
            *why = "format given twice";
            return CAIRN_E_INVAL;
        }
        for (size_t i = 1; i < sizeof fmt_names / sizeof fmt_names[0]; i++)
            if (!strcmp(value, fmt_names[i]))
                c->format = (enum app_out_format)i;
        if (!c->format) {
            *why = "format is beast, avr or sbs";
            return CAIRN_E_INVAL;
        }
        return 0;
    }
    if (!strcmp(key, "listen")) {
        if (c->listen[0]) {
            *why = "listen given twice (one port per section)";
            return CAIRN_E_INVAL;
        }
        int rc = addr_parse_spec(value, 0, ADDR_WILDCARD | ADDR_PORT_ZERO, &c->addr, why);
        if (rc != 0) {
            if (rc == CAIRN_E_TOOBIG)
                *why = "listen address too long";
            return CAIRN_E_INVAL;
        }
        snprintf(c->listen, sizeof c->listen, "%s", value);
        return 0;
    }
    uint32_t *dst = NULL, lo = 0, hi = 0;
    if (!strcmp(key, "max_clients")) {
        dst = &c->max_clients, lo = 1, hi = 1024;
        *why = "max_clients is 1-1024";
    } else if (!strcmp(key, "max_queue")) {
        /* below a few frames' worth every client would be dropped */
        dst = &c->max_queue, lo = 4096, hi = 64u << 20;
        *why = "max_queue is 4096-67108864 bytes";
    } else if (!strcmp(key, "heartbeat_s")) {
        dst = &c->heartbeat_s, lo = 0, hi = 3600;
        *why = "heartbeat_s is 0 (off) to 3600";
    } else {
        *why = "unknown key";
        return CAIRN_E_NOTFOUND;
    }
    if (parse_u32(value, lo, hi, dst) != 0)
        return CAIRN_E_INVAL;
    *why = NULL;
    return 0;
}

int app_output_config_check(const struct app_output_config *c, const char **why)
{
    const char *dummy;
    if (!why)
        why = &dummy;
    if (!c->format) {
        *why = "needs format = beast, avr or sbs";
        return CAIRN_E_INVAL;
    }
    if (!c->listen[0]) {
        *why = "needs listen = HOST:PORT";
        return CAIRN_E_INVAL;
    }
    return 0;
}

/* ------------------------------------------------------------- encoders */

static const char hexd[] = "0123456789ABCDEF";

int app_avr_line(const struct modes_frame *f, char *out, size_t cap)
{
    if (f->len != 2 && f->len != 7 && f->len != 14)
        return CAIRN_E_INVAL;
    if (cap < 48) /* '@' + 12 + 28 + ';' LF NUL */
        return CAIRN_E_FULL;
    size_t n = 0;
    if (f->has_ts) {
        out[n++] = '@';
        uint64_t ts = f->ts_12mhz & 0xFFFFFFFFFFFFull;
        for (int i = 11; i >= 0; i--)
            out[n++] = hexd[(ts >> (4 * i)) & 0xF];
    } else {
        out[n++] = '*';
    }
    for (size_t i = 0; i < f->len; i++) {
        out[n++] = hexd[f->data[i] >> 4];
        out[n++] = hexd[f->data[i] & 0xF];
    }
    out[n++] = ';';
    out[n++] = '\n';
    out[n] = 0;
    return (int)n;
}

int app_sbs_type(const struct report *r)
{
    if (!(r->has & REP_HAS_ICAO) || r->addr_non_icao)
        return 0; /* readsb suppresses non-ICAO addresses too */
    if (r->kind == REP_ADSB) {
        if (r->has & REP_HAS_CALLSIGN)
            return 1;
        if (r->has & (REP_HAS_POS | REP_HAS_ALT_BARO | REP_HAS_ALT_GEOM))
            return (r->has & REP_HAS_GROUND) && r->on_ground ? 2 : 3;
        if (r->has & (REP_HAS_GS | REP_HAS_TRACK | REP_HAS_VRATE))
            return 4;
        return 0; /* status, target state, operational status: no SBS type */
    }
    if (r->kind == REP_MODES) {
        if (r->has & REP_HAS_SQUAWK)
            return 6;
        if (r->has & REP_HAS_ALT_BARO)
            return 5;
        return 8;
    }
    return 0;
}

/* "YYYY/MM/DD,HH:MM:SS.mmm" of a UTC time in ms. */
static int sbs_time(char *out, size_t cap, int64_t t_ms)
{
    time_t s = (time_t)(t_ms / 1000);
    int ms = (int)(t_ms % 1000);
    if (ms < 0) {
        ms += 1000;
        s--;
    }
    struct tm tm;
    if (!gmtime_r(&s, &tm))
        memset(&tm, 0, sizeof tm);
    return snprintf(out, cap, "%04d/%02d/%02d,%02d:%02d:%02d.%03d", tm.tm_year + 1900,
                    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
}

/* The callsign as SBS can carry it: [A-Z0-9 ] only (a decoder's output is
 * that already; anything else would break a client's line split). */
static void sbs_callsign(char *out, const char *cs)
{
    size_t n = 0;
    for (size_t i = 0; i < 8 && cs[i]; i++) {
        char ch = cs[i];
        if ((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == ' ')
            out[n++] = ch;
    }
    out[n] = 0;
}

int app_sbs_line(const struct report *r, int64_t now_ms, char *out, size_t cap)
{
    int type = app_sbs_type(r);
    if (!type)
        return 0;
    char b[OUT_SBS_LINE];
    size_t n = 0;
#define PUT(...) n += (size_t)snprintf(b + n, sizeof b - n, __VA_ARGS__)
    PUT("MSG,%d,1,1,%06X,1,", type, (unsigned)(r->icao & 0xFFFFFF));
    n += (size_t)sbs_time(b + n, sizeof b - n, r->t_ms);
    PUT(",");
    n += (size_t)sbs_time(b + n, sizeof b - n, now_ms);
    /* 11 callsign */
    char cs[9] = "";
    if (r->has & REP_HAS_CALLSIGN)
        sbs_callsign(cs, r->callsign);
    PUT(",%s", cs);
    /* 12 altitude: pressure altitude, as readsb without --gnss */
    if (r->has & REP_HAS_ALT_BARO)
        PUT(",%d", (int)r->alt_baro_ft);
    else
        PUT(",");
    /* 13 ground speed, 14 track over ground */
    if (r->has & REP_HAS_GS)
        PUT(",%.0f", (double)r->gs_kt);
    else
        PUT(",");
    if (r->has & REP_HAS_TRACK)
        PUT(",%.0f", (double)r->track_deg);
    else
        PUT(",");
    /* 15, 16 position */
    if (r->has & REP_HAS_POS)
        PUT(",%1.6f,%1.6f", r->lat_deg, r->lon_deg);
    else
        PUT(",,");
    /* 17 vertical rate */
    if (r->has & REP_HAS_VRATE)
        PUT(",%d", (int)(r->vrate_fpm < 0 ? r->vrate_fpm - 0.5f : r->vrate_fpm + 0.5f));
    else
        PUT(",");
    /* 18 squawk: four octal digits */
    if (r->has & REP_HAS_SQUAWK)
        PUT(",%04o", (unsigned)(r->squawk & 07777));
    else
        PUT(",");
    /* 19 squawk-changing alert: a report does not carry it */
    PUT(",");
    /* 20 emergency: the emergency squawks, else the message's flag */
    if (r->has & REP_HAS_SQUAWK) {
        unsigned sq = r->squawk & 07777;
        PUT(",%s", sq == 07500 || sq == 07600 || sq == 07700 ? "-1" : "0");
    } else if (r->has & REP_HAS_EMERGENCY) {
        PUT(",%s", r->emergency != EMERG_NONE ? "-1" : "0");
    } else {
        PUT(",");
    }
    /* 21 SPI: not carried; 22 on the ground */
    PUT(",");
    if (r->has & REP_HAS_GROUND)
        PUT(",%s", r->on_ground ? "-1" : "0");
    else
        PUT(",");
    PUT("\r\n");
#undef PUT
    if (n >= sizeof b || n + 1 > cap)
        return CAIRN_E_FULL;
    memcpy(out, b, n + 1);
    return (int)n;
}

/* ------------------------------------------------------------- clients */

static void client_free(struct client *cl)
{
    struct app_output *o = cl->o;
    if (cl->prev)
        cl->prev->next = cl->next;
    else
        o->clients = cl->next;
    if (cl->next)
        cl->next->prev = cl->prev;
    bufferevent_free(cl->bev);
    o->st.clients--;
    free(cl);
}

static void on_client_read(struct bufferevent *bev, void *arg)
{
    struct client *cl = arg;
    struct evbuffer *in = bufferevent_get_input(bev);
    size_t n = evbuffer_get_length(in);
    cl->o->st.bytes_in += n;
    evbuffer_drain(in, n);
}

static void on_client_event(struct bufferevent *bev, short what, void *arg)
{
    (void)bev;
    struct client *cl = arg;
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
        cl->o->st.closed++;
        log_info(MOD, "%s: client %s left", cl->o->cfg.name, cl->peer);
        client_free(cl);
    }
}

static void on_accept(struct evconnlistener *lis, evutil_socket_t fd, struct sockaddr *sa,
                      int salen, void *arg)
{
    (void)lis;
    (void)salen;
    struct app_output *o = arg;
    if (o->st.clients >= o->cfg.max_clients) {
        o->st.refused++;
        evutil_closesocket(fd);
        return;
    }
    struct client *cl = calloc(1, sizeof *cl);
    struct bufferevent *bev =
        cl ? bufferevent_socket_new(o->base, fd, BEV_OPT_CLOSE_ON_FREE) : NULL;
    if (!bev) {
        free(cl);
        evutil_closesocket(fd);
        o->st.refused++;
        return;
    }
    cl->o = o;
    cl->bev = bev;
    addr_format(sa, cl->peer, sizeof cl->peer);
    cl->next = o->clients;
    if (o->clients)
        o->clients->prev = cl;
    o->clients = cl;
    o->st.clients++;
    o->st.accepted++;
    /* what a client sends is read in small bites and thrown away */
    bufferevent_setwatermark(bev, EV_READ, 0, OUT_READ_CHUNK);
    bufferevent_setcb(bev, on_client_read, NULL, on_client_event, cl);
    bufferevent_enable(bev, EV_READ | EV_WRITE);
    log_info(MOD, "%s: client %s (%u now)", o->cfg.name, cl->peer, o->st.clients);
}

static void on_accept_error(struct evconnlistener *lis, void *arg)
{
    (void)lis;
    struct app_output *o = arg;
    /* EMFILE and the like: the listener stays; the next accept may work */
    log_warn(MOD, "%s: accept: %s", o->cfg.name,
             evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
}

/* p[0..n) to every client; a client that cannot take it is dropped (O1). */
static void broadcast(struct app_output *o, const void *p, size_t n)
{
    o->wrote_since_hb = 1;
    struct client *cl = o->clients;
    while (cl) {
        struct client *next = cl->next;
        struct evbuffer *out = bufferevent_get_output(cl->bev);
        size_t q = evbuffer_get_length(out);
        if (q + n > o->cfg.max_queue) {
            o->st.dropped++;
            log_warn(MOD, "%s: client %s dropped: %zu bytes waiting (it reads too slowly)",
                     o->cfg.name, cl->peer, q);
            client_free(cl);
        } else if (evbuffer_add(out, p, n) != 0) {
            o->st.dropped++;
            client_free(cl);
        } else {
            o->st.bytes += n;
            if (q + n > o->st.queued_max)
                o->st.queued_max = (uint32_t)(q + n);
        }
        cl = next;
    }
}

void app_output_frame(struct app_output *o, const struct modes_frame *f, int64_t t_ms)
{
    (void)t_ms;
    if (o->cfg.format == APP_OUT_SBS || !o->clients)
        return;
    uint8_t b[BEAST_MAX_WIRE > 48 ? BEAST_MAX_WIRE : 48];
    int n =
        o->cfg.format == APP_OUT_BEAST ? beast_encode(f, b) : app_avr_line(f, (char *)b, sizeof b);
    if (n <= 0) {
        o->st.skipped++;
        return;
    }
    o->st.messages++;
    broadcast(o, b, (size_t)n);
}

void app_output_report(struct app_output *o, const struct report *r, int64_t now_ms)
{
    if (o->cfg.format != APP_OUT_SBS || !o->clients)
        return;
    char b[OUT_SBS_LINE];
    int n = app_sbs_line(r, now_ms, b, sizeof b);
    if (n <= 0) {
        o->st.skipped++;
        return;
    }
    o->st.messages++;
    broadcast(o, b, (size_t)n);
}

static void on_heartbeat(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct app_output *o = arg;
    if (!o->wrote_since_hb && o->clients) {
        static const uint8_t beast_hb[] = {0x1a, '1', 0, 0, 0, 0, 0, 0, 0, 0, 0};
        static const char avr_hb[] = "*0000;\n", sbs_hb[] = "\r\n";
        if (o->cfg.format == APP_OUT_BEAST)
            broadcast(o, beast_hb, sizeof beast_hb);
        else if (o->cfg.format == APP_OUT_AVR)
            broadcast(o, avr_hb, sizeof avr_hb - 1);
        else
            broadcast(o, sbs_hb, sizeof sbs_hb - 1);
        o->st.heartbeats++;
    }
    o->wrote_since_hb = 0;
}

/* ------------------------------------------------------------- lifecycle */

int app_output_new(struct event_base *base, const struct app_output_config *cfg,
                   struct app_output **out, char *err, size_t errcap)
{
    *out = NULL;
    struct app_output *o = calloc(1, sizeof *o);
    if (!o) {
        snprintf(err, errcap, "out of memory");
        return CAIRN_E_NOMEM;
    }
    o->base = base;
    o->cfg = *cfg;
    const struct cairn_addr *a = &o->cfg.addr.a;
    o->lis = evconnlistener_new_bind(
        base, on_accept, o, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC,
        OUT_BACKLOG, (const struct sockaddr *)&a->ss, (int)a->len);
    if (!o->lis) {
        char where[ADDR_TEXT_LEN];
        snprintf(err, errcap, "cannot listen on %s: %s",
                 addr_format((const struct sockaddr *)&a->ss, where, sizeof where),
                 strerror(errno));
        free(o);
        return CAIRN_E_IO;
    }
    evconnlistener_set_error_cb(o->lis, on_accept_error);
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    if (getsockname(evconnlistener_get_fd(o->lis), (struct sockaddr *)&ss, &sl) == 0)
        o->port = (uint16_t)addr_port((const struct sockaddr *)&ss);
    if (o->cfg.heartbeat_s) {
        o->hb = event_new(base, -1, EV_PERSIST, on_heartbeat, o);
        struct timeval tv = {(time_t)o->cfg.heartbeat_s, 0};
        if (!o->hb || event_add(o->hb, &tv) != 0) {
            snprintf(err, errcap, "out of memory");
            app_output_free(o);
            return CAIRN_E_NOMEM;
        }
    }
    *out = o;
    return 0;
}

void app_output_free(struct app_output *o)
{
    if (!o)
        return;
    while (o->clients)
        client_free(o->clients);
    if (o->hb)
        event_free(o->hb);
    if (o->lis)
        evconnlistener_free(o->lis);
    free(o);
}

enum app_out_format app_output_format(const struct app_output *o)
{
    return o->cfg.format;
}

const char *app_output_name(const struct app_output *o)
{
    return o->cfg.name;
}

uint16_t app_output_port(const struct app_output *o)
{
    return o->port;
}

const struct app_output_stats *app_output_stats(const struct app_output *o)
{
    return &o->st;
}

void app_output_json(const struct app_output *o, struct jsonw *w)
{
    const struct app_output_stats *s = &o->st;
    char esc[2 * (ADDR_SPEC_MAX + 1)];
    jw_obj(w);
    jw_kstr(w, "name", o->cfg.name);
    jw_kstr(w, "format", app_output_format_name(o->cfg.format));
    log_escape(esc, sizeof esc, o->cfg.listen, strlen(o->cfg.listen), LOG_ESC_LINE);
    jw_kstr(w, "listen", esc);
    jw_kuint(w, "port", o->port);
    jw_kuint(w, "clients", s->clients);
    jw_kuint(w, "accepted", s->accepted);
    jw_kuint(w, "refused", s->refused);
    jw_kuint(w, "dropped", s->dropped);
    jw_kuint(w, "closed", s->closed);
    jw_kuint(w, "messages", s->messages);
    jw_kuint(w, "skipped", s->skipped);
    jw_kuint(w, "bytes", s->bytes);
    jw_kuint(w, "heartbeats", s->heartbeats);
    jw_kuint(w, "queued_max", s->queued_max);
    jw_end(w);
}
