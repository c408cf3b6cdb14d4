/*
 * sensor.c — live sensors on libevent; see sensor.h for the contract, the
 * state diagram and the invariants S1-S6.
 *
 * Layout: configuration (text keys, checks), the pure parts (backoff,
 * rate), decoding (bytes -> reports, shared by every transport and by
 * sensor_feed), the three transports (TCP client with a bufferevent, TCP
 * server with an evconnlistener and one bufferevent per feeder, UDP with a
 * plain socket and a persistent read event), and the state machine that
 * ties them together (set_state, fail_, on_retry).
 *
 * References: libevent 2.1 reference (bufferevent_socket_connect,
 * bufferevent_setwatermark, evconnlistener_new_bind); Linux ip(7)
 * IP_ADD_MEMBERSHIP / IP_MULTICAST_ALL, ipv6(7) IPV6_JOIN_GROUP /
 * IPV6_MULTICAST_ALL; recvmsg(2) MSG_TRUNC.
 */
#include "feed/sensor.h"

#include <assert.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <event2/util.h>
#include <math.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "base/error.h"
#include "base/jsonw.h"
#include "base/log.h"
#include "decode/ais/ais.h"
#include "decode/asterix/asterix.h"
#include "decode/asterix/report.h"
#include "decode/modes/avr.h"
#include "decode/modes/beast.h"
#include "decode/modes/modes.h"
#include "decode/modes/sbs.h"
#include "feed/iq.h"
#include "feed/rtlsdr.h"

#define MOD "sensor"

/* Datagrams read per readiness callback: bounds the time one busy radar
 * holds the loop (the rest wait in the kernel's buffer for the next turn). */
#define UDP_BURST 64
/* Pending connections the kernel keeps for a listening sensor. */
#define LISTEN_BACKLOG 16

/* One byte stream: the client connection, an accepted feeder, or the
 * stream sensor_feed() writes into. Parsers are per stream so that two
 * feeders never interleave half frames; the Mode S context is shared. */
struct stream {
    struct sensor *s;
    struct bufferevent *bev; /* NULL for the sensor_feed stream */
    struct stream *next;     /* listen: the list of clients */
    union {
        struct beast_parser beast;
        struct avr_parser avr;
        struct sbs_parser sbs;
    } p;
    struct ais_ctx *ais; /* nmea only */
    char peer[ADDR_TEXT_LEN];
};

struct worker;

struct sensor {
    struct event_base *base;
    struct sensor_config cfg;
    struct addr_spec addr;
    sensor_report_cb on_report;
    sensor_state_cb on_state;
    void *arg;

    enum sensor_state state;
    int64_t state_since_ms;
    uint32_t attempt; /* consecutive failures (S5) */
    uint64_t rng;
    int64_t retry_at_ms;
    struct event *retry_ev;
    struct event *pause_ev; /* listener paused after an accept error */
    int in_cb;              /* inside the report or state callback (S3) */

    struct stream *conn;    /* connect (S1) */
    struct stream *clients; /* listen */
    uint32_t n_clients;
    struct evconnlistener *lis;
    evutil_socket_t udp_fd;
    struct event *udp_ev;
    uint8_t *dgram; /* max_datagram + 1 bytes */
    uint16_t local_port;
    struct stream *inject; /* sensor_feed's stream, made on first use */
    struct worker *worker; /* iq, rtlsdr (S1) */

    /* decoders shared by the sensor's streams */
    struct modes_ctx *modes; /* beast, avr */
    struct ax_report_ctx axr;
    struct ax_editions eds;
    struct ax_record rec;
    struct ais_ctx *ais_udp; /* nmea over udp: one context for all datagrams */

    /* health */
    uint64_t bytes, msgs, reports, no_report, decode_errors, dropped;
    uint64_t connects, disconnects, retries, refused;
    int64_t last_data_ms;
    uint32_t buffered_max;
    struct sensor_rate rate;
    char last_error[SENSOR_ERR_MAX];
    char logged_error[SENSOR_ERR_MAX]; /* the last one logged as a warning */

    /* raw frames passed on (sensor_set_frame_cb), or NULL */
    sensor_frame_cb on_frame;
    void *frame_arg;
};

/* ------------------------------------------------------------ names */

static const char *const fmt_names[] = {"?",    "beast",   "avr", "sbs",
                                        "nmea", "asterix", "iq",  "rtlsdr"};
static const char *const tr_names[] = {"?", "connect", "listen", "udp", "file", "device"};
static const char *const st_names[] = {"stopped",   "connecting", "connected",
                                       "listening", "retrying",   "failed"};

const char *sensor_format_name(enum sensor_format f)
{
    return (unsigned)f < sizeof fmt_names / sizeof fmt_names[0] ? fmt_names[f] : "?";
}

const char *sensor_transport_name(enum sensor_transport t)
{
    return (unsigned)t < sizeof tr_names / sizeof tr_names[0] ? tr_names[t] : "?";
}

const char *sensor_state_name(enum sensor_state st)
{
    return (unsigned)st < sizeof st_names / sizeof st_names[0] ? st_names[st] : "?";
}

enum sensor_format sensor_format_parse(const char *s)
{
    if (!s)
        return SENSOR_FMT_NONE;
    for (unsigned i = 1; i < sizeof fmt_names / sizeof fmt_names[0]; i++)
        if (strcmp(s, fmt_names[i]) == 0)
            return (enum sensor_format)i;
    if (strcmp(s, "ais") == 0)
        return SENSOR_FMT_NMEA;
    return SENSOR_FMT_NONE;
}

/* ---------------------------------------------------- configuration */

void sensor_config_init(struct sensor_config *c)
{
    memset(c, 0, sizeof *c);
    c->retry_min_ms = SENSOR_RETRY_MIN_MS;
    c->retry_max_ms = SENSOR_RETRY_MAX_MS;
    c->connect_timeout_ms = SENSOR_CONNECT_TIMEOUT_MS;
    c->max_clients = SENSOR_MAX_CLIENTS;
    c->read_buffer = SENSOR_READ_BUFFER;
    c->max_datagram = SENSOR_MAX_DATAGRAM;
    c->gain_db = -1.0;
}

/* A decimal integer in [lo, hi], nothing else (no sign, no blanks). */
static int parse_u32(const char *v, uint32_t lo, uint32_t hi, uint32_t *out)
{
    size_t n = strlen(v);
    if (n == 0 || n > 10 || strspn(v, "0123456789") != n)
        return CAIRN_E_INVAL;
    uint64_t x = 0;
    for (size_t i = 0; i < n; i++)
        x = x * 10 + (uint64_t)(v[i] - '0');
    if (x < lo || x > hi)
        return CAIRN_E_RANGE;
    *out = (uint32_t)x;
    return 0;
}

static int parse_deg(const char *v, double lim, double *out)
{
    size_t n = strlen(v);
    if (n == 0 || n > 32 || strspn(v, "0123456789.+-eE") != n)
        return CAIRN_E_INVAL;
    char *end = NULL;
    double x = strtod(v, &end);
    if (!end || *end != '\0' || !isfinite(x))
        return CAIRN_E_INVAL;
    if (x < -lim || x > lim)
        return CAIRN_E_RANGE;
    *out = x;
    return 0;
}

static int set_address(struct sensor_config *c, enum sensor_transport t, const char *v,
                       const char **why)
{
    size_t n = strnlen(v, sizeof c->address);
    if (n >= sizeof c->address) {
        *why = "address too long";
        return CAIRN_E_TOOBIG;
    }
    if (c->transport != SENSOR_TR_NONE && c->transport != t) {
        *why = "only one of connect, listen and udp may be given";
        return CAIRN_E_INVAL;
    }
    c->transport = t;
    memcpy(c->address, v, n + 1);
    return 0;
}

int sensor_config_set(struct sensor_config *c, const char *key, const char *value, const char **why)
{
    const char *w_local;
    if (!why)
        why = &w_local;
    *why = NULL;
    if (!key || !value) {
        *why = "missing key or value";
        return CAIRN_E_INVAL;
    }
    int rc = 0;
    uint32_t u = 0;
    if (strcmp(key, "format") == 0) {
        enum sensor_format f = sensor_format_parse(value);
        if (f == SENSOR_FMT_NONE) {
            *why = "format is one of beast, avr, sbs, nmea (or ais), asterix";
            return CAIRN_E_INVAL;
        }
        c->format = f;
        return 0;
    }
    if (strcmp(key, "connect") == 0)
        return set_address(c, SENSOR_TR_CONNECT, value, why);
    if (strcmp(key, "listen") == 0)
        return set_address(c, SENSOR_TR_LISTEN, value, why);
    if (strcmp(key, "udp") == 0)
        return set_address(c, SENSOR_TR_UDP, value, why);
    if (strcmp(key, "file") == 0)
        return set_address(c, SENSOR_TR_FILE, value, why);
    if (strcmp(key, "device") == 0)
        return set_address(c, SENSOR_TR_DEVICE, value, why);
    if (strcmp(key, "gain") == 0) {
        double g;
        if (strcmp(value, "auto") == 0) {
            c->gain_db = -1.0;
            return 0;
        }
        rc = parse_deg(value, 100.0, &g);
        if (rc || g < 0) {
            *why = "gain is \"auto\" or dB, 0 to 100";
            return rc ? rc : CAIRN_E_RANGE;
        }
        c->gain_db = g;
        return 0;
    }
    if (strcmp(key, "ppm") == 0) {
        double x;
        rc = parse_deg(value, 1000.0, &x);
        if (rc || x != (double)(int32_t)x) {
            *why = "ppm is a whole number, -1000 to 1000";
            return rc ? rc : CAIRN_E_INVAL;
        }
        c->ppm = (int32_t)x;
        return 0;
    }
    if (strcmp(key, "iq_rate") == 0) {
        if (strcmp(value, "2000000") != 0 && strcmp(value, "2400000") != 0) {
            *why = "iq_rate is 2000000 or 2400000";
            return CAIRN_E_INVAL;
        }
        c->iq_rate_hz = value[1] == '0' ? 2.0e6 : 2.4e6;
        return 0;
    }
    if (strcmp(key, "iq_format") == 0) {
        if (strcmp(value, "uc8") != 0 && strcmp(value, "sc16") != 0) {
            *why = "iq_format is uc8 or sc16";
            return CAIRN_E_INVAL;
        }
        c->iq_sc16 = value[0] == 's';
        return 0;
    }
    if (strcmp(key, "iq_fast") == 0) {
        if (strcmp(value, "0") != 0 && strcmp(value, "1") != 0) {
            *why = "iq_fast is 0 or 1";
            return CAIRN_E_INVAL;
        }
        c->iq_fast = value[0] == '1';
        return 0;
    }
    if (strcmp(key, "interface") == 0) {
        size_t n = strnlen(value, sizeof c->iface);
        if (n == 0 || n >= sizeof c->iface) {
            *why = "interface name of 1 to 15 characters";
            return CAIRN_E_INVAL;
        }
        for (size_t i = 0; i < n; i++) {
            unsigned char ch = (unsigned char)value[i];
            if (ch <= 0x20 || ch >= 0x7f || ch == '/' || ch == ':') {
                *why = "interface name with a blank, '/', ':' or a non-ASCII byte";
                return CAIRN_E_INVAL;
            }
        }
        memcpy(c->iface, value, n + 1);
        return 0;
    }
    if (strcmp(key, "lat") == 0) {
        rc = parse_deg(value, 90.0, &c->rx_lat_deg);
        *why = rc ? "lat is decimal degrees, -90 to 90" : NULL;
        if (rc == 0) {
            c->rx_given |= 1;
            c->has_rx = c->rx_given == 3;
        }
        return rc;
    }
    if (strcmp(key, "lon") == 0) {
        rc = parse_deg(value, 180.0, &c->rx_lon_deg);
        *why = rc ? "lon is decimal degrees, -180 to 180" : NULL;
        if (rc == 0) {
            c->rx_given |= 2;
            c->has_rx = c->rx_given == 3;
        }
        return rc;
    }
    static const struct {
        const char *key;
        size_t off;
        uint32_t lo, hi;
        const char *why;
    } nums[] = {
        {"id", offsetof(struct sensor_config, sensor_id), 0, UINT32_MAX,
         "id is a whole number 0..4294967295"},
        {"retry_min_ms", offsetof(struct sensor_config, retry_min_ms), 1, 3600000,
         "retry_min_ms is 1..3600000"},
        {"retry_max_ms", offsetof(struct sensor_config, retry_max_ms), 1, 86400000,
         "retry_max_ms is 1..86400000"},
        {"max_retries", offsetof(struct sensor_config, max_retries), 0, UINT32_MAX,
         "max_retries is a whole number (0 = forever)"},
        {"connect_timeout_ms", offsetof(struct sensor_config, connect_timeout_ms), 1, 600000,
         "connect_timeout_ms is 1..600000"},
        {"idle_timeout_ms", offsetof(struct sensor_config, idle_timeout_ms), 0, 86400000,
         "idle_timeout_ms is 0 (off) ..86400000"},
        {"max_clients", offsetof(struct sensor_config, max_clients), 1, 1024,
         "max_clients is 1..1024"},
        {"read_buffer", offsetof(struct sensor_config, read_buffer), 1024, 64u << 20,
         "read_buffer is 1024..67108864 bytes"},
        {"max_datagram", offsetof(struct sensor_config, max_datagram), 16, 65535,
         "max_datagram is 16..65535 bytes"},
    };
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        if (strcmp(key, nums[i].key) != 0)
            continue;
        rc = parse_u32(value, nums[i].lo, nums[i].hi, &u);
        if (rc) {
            *why = nums[i].why;
            return rc;
        }
        memcpy((char *)c + nums[i].off, &u, sizeof u);
        return 0;
    }
    *why = "unknown key";
    return CAIRN_E_NOTFOUND;
}

/* The customary port of each format, for a connect or udp address that
 * gives none (readsb/dump1090 output ports; NMEA over IP; ASTERIX 8600). */
static uint16_t default_port(enum sensor_format f, enum sensor_transport t)
{
    if (t == SENSOR_TR_LISTEN) /* readsb's input ports */
        return f == SENSOR_FMT_BEAST ? 30004 : f == SENSOR_FMT_AVR ? 30001 : 0;
    switch (f) {
    case SENSOR_FMT_BEAST:
        return 30005;
    case SENSOR_FMT_AVR:
        return 30002;
    case SENSOR_FMT_SBS:
        return 30003;
    case SENSOR_FMT_NMEA:
        return 10110;
    case SENSOR_FMT_ASTERIX:
        return 8600;
    default:
        return 0;
    }
}

static int check_parse(const struct sensor_config *c, struct addr_spec *a, const char **why)
{
    *why = NULL;
    if (!c->name[0] || strnlen(c->name, sizeof c->name) >= sizeof c->name) {
        *why = "a sensor needs a name";
        return CAIRN_E_INVAL;
    }
    if (c->format == SENSOR_FMT_NONE || (unsigned)c->format > SENSOR_FMT_RTLSDR) {
        *why = "no format (beast, avr, sbs, nmea, asterix, iq, rtlsdr)";
        return CAIRN_E_INVAL;
    }
    if (c->format == SENSOR_FMT_IQ || c->format == SENSOR_FMT_RTLSDR) {
        int iq = c->format == SENSOR_FMT_IQ;
        if (c->transport != (iq ? SENSOR_TR_FILE : SENSOR_TR_DEVICE)) {
            *why = iq ? "iq reads a file: give file = PATH" : "rtlsdr needs device = INDEX|SERIAL";
            return CAIRN_E_INVAL;
        }
        size_t n = strnlen(c->address, sizeof c->address);
        if (n == 0 || n >= sizeof c->address) {
            *why = iq ? "empty file name" : "empty device";
            return CAIRN_E_INVAL;
        }
        for (size_t i = 0; i < n; i++)
            if ((unsigned char)c->address[i] < 0x20 || c->address[i] == 0x7f) {
                *why = "a control character in the file or device name";
                return CAIRN_E_INVAL;
            }
        if (c->iq_rate_hz != 0 && c->iq_rate_hz != 2.0e6 && c->iq_rate_hz != 2.4e6) {
            *why = "iq_rate is 2000000 or 2400000";
            return CAIRN_E_INVAL;
        }
        if (c->retry_min_ms == 0 || c->retry_max_ms < c->retry_min_ms) {
            *why = "retry_min_ms must be at least 1 and at most retry_max_ms";
            return CAIRN_E_INVAL;
        }
        memset(a, 0, sizeof *a);
        return 0;
    }
    switch (c->transport) {
    case SENSOR_TR_CONNECT:
    case SENSOR_TR_LISTEN:
        if (c->format == SENSOR_FMT_ASTERIX) {
            *why = "asterix comes over udp";
            return CAIRN_E_INVAL;
        }
        break;
    case SENSOR_TR_UDP:
        if (c->format != SENSOR_FMT_NMEA && c->format != SENSOR_FMT_ASTERIX) {
            *why = "over udp only nmea and asterix are read";
            return CAIRN_E_INVAL;
        }
        break;
    case SENSOR_TR_FILE:
    case SENSOR_TR_DEVICE:
        *why = "file is for format iq, device for format rtlsdr";
        return CAIRN_E_INVAL;
    default:
        *why = "no address: give one of connect, listen, udp";
        return CAIRN_E_INVAL;
    }
    unsigned flags = c->transport == SENSOR_TR_CONNECT ? ADDR_NAME : ADDR_WILDCARD | ADDR_PORT_ZERO;
    const char *aw = NULL;
    int rc = addr_parse_spec(c->address, default_port(c->format, c->transport), flags, a, &aw);
    if (rc) {
        *why = aw;
        return CAIRN_E_INVAL;
    }
    if (addr_is_multicast(&a->a) && c->transport != SENSOR_TR_UDP) {
        *why = "a multicast group is only for udp";
        return CAIRN_E_INVAL;
    }
    if (c->iface[0] && (c->transport != SENSOR_TR_UDP || !addr_is_multicast(&a->a))) {
        *why = "interface is only for a udp multicast group";
        return CAIRN_E_INVAL;
    }
    if (c->transport == SENSOR_TR_CONNECT && a->port == 0) {
        *why = "connect needs a port";
        return CAIRN_E_INVAL;
    }
    if (c->rx_given == 1 || c->rx_given == 2) {
        *why = "lat and lon go together";
        return CAIRN_E_INVAL;
    }
    if (c->retry_min_ms == 0 || c->retry_max_ms < c->retry_min_ms) {
        *why = "retry_min_ms must be at least 1 and at most retry_max_ms";
        return CAIRN_E_INVAL;
    }
    if (c->connect_timeout_ms == 0 || c->max_clients == 0 || c->read_buffer < 1024 ||
        c->max_datagram < 16 || c->max_datagram > 65535) {
        *why = "connect_timeout_ms, max_clients, read_buffer or max_datagram out of range";
        return CAIRN_E_INVAL;
    }
    return 0;
}

int sensor_config_address(const struct sensor_config *c, struct addr_spec *out, const char **why)
{
    const char *w = NULL;
    int rc = check_parse(c, out, &w);
    if (why)
        *why = w;
    return rc;
}

int sensor_config_check(const struct sensor_config *c, const char **why)
{
    const char *w_local;
    struct addr_spec a;
    return check_parse(c, &a, why ? why : &w_local);
}

/* ------------------------------------------------------ pure parts */

static uint64_t xorshift64(uint64_t *x)
{
    if (*x == 0)
        *x = 0x9E3779B97F4A7C15ull;
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

uint32_t sensor_backoff_ms(uint32_t min_ms, uint32_t max_ms, unsigned attempt, uint64_t *rng)
{
    if (min_ms == 0)
        min_ms = 1;
    if (max_ms < min_ms)
        max_ms = min_ms;
    uint64_t base = min_ms;
    for (unsigned i = 0; i < attempt && base < max_ms; i++)
        base *= 2;
    if (base > max_ms)
        base = max_ms;
    /* equal jitter: uniform in (base/2, base] */
    uint64_t half = base / 2, span = base - half;
    return (uint32_t)(half + 1 + xorshift64(rng) % span);
}

static int64_t floor_sec(int64_t ms)
{
    return ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
}

void sensor_rate_add(struct sensor_rate *r, int64_t now_ms, uint64_t n)
{
    int64_t sec = floor_sec(now_ms);
    size_t i =
        (size_t)(((sec % SENSOR_RATE_WINDOW_S) + SENSOR_RATE_WINDOW_S) % SENSOR_RATE_WINDOW_S);
    if (r->sec[i] != sec) {
        r->sec[i] = sec;
        r->n[i] = 0;
    }
    r->n[i] += n;
}

double sensor_rate_get(const struct sensor_rate *r, int64_t now_ms)
{
    int64_t sec = floor_sec(now_ms);
    uint64_t sum = 0;
    for (size_t i = 0; i < SENSOR_RATE_WINDOW_S; i++)
        if (r->sec[i] > sec - SENSOR_RATE_WINDOW_S && r->sec[i] <= sec)
            sum += r->n[i];
    return (double)sum / SENSOR_RATE_WINDOW_S;
}

/* --------------------------------------------------------- helpers */

static int64_t utc_now(const struct sensor *s)
{
    return clock_now_ms(s->cfg.utc);
}

static int64_t mono_now(const struct sensor *s)
{
    return clock_now_ms(s->cfg.mono);
}

static const char *esc_name(const struct sensor *s, char *buf, size_t cap)
{
    return log_escape(buf, cap, s->cfg.name, strlen(s->cfg.name), LOG_ESC_LINE);
}

/* Record the last error (formatted by us, but holding text from outside:
 * a name, a resolver's message), escaped. */
static void set_error(struct sensor *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_error(struct sensor *s, const char *fmt, ...)
{
    char raw[SENSOR_ERR_MAX * 2];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    log_escape(s->last_error, sizeof s->last_error, raw, strlen(raw), LOG_ESC_LINE);
}

static void set_state(struct sensor *s, enum sensor_state st)
{
    if (s->state == st)
        return;
    s->state = st;
    s->state_since_ms = mono_now(s);
    if (s->on_state) {
        s->in_cb++;
        s->on_state(s->arg, s, st);
        s->in_cb--;
    }
}

/* ------------------------------------------------------- decoding */

void sensor_set_frame_cb(struct sensor *s, sensor_frame_cb cb, void *arg)
{
    s->on_frame = cb;
    s->frame_arg = arg;
}

static void deliver(struct sensor *s, const struct report *r)
{
    s->reports++;
    s->in_cb++;
    s->on_report(s->arg, r);
    s->in_cb--;
}

static void got_msgs(struct sensor *s, uint64_t n)
{
    s->msgs += n;
    sensor_rate_add(&s->rate, mono_now(s), n);
    s->attempt = 0; /* S5: the sensor works */
}

static void on_modes_frame(struct sensor *s, struct modes_frame *f, int64_t now)
{
    got_msgs(s, 1);
    /* the reception time, as Unix seconds: the decoder's CPR pairing and
     * address ages run on it, and modes_msg_to_report with t0 = 0 keeps it */
    f->t_s = (double)now / 1000.0;
    struct modes_msg m;
    if (modes_decode(s->modes, f, &m) != 0) {
        s->decode_errors++;
        return;
    }
    if (s->on_frame && m.crc_ok) {
        struct modes_frame out = *f; /* its counter and signal, the corrected bits */
        memcpy(out.data, m.raw, m.len);
        s->in_cb++;
        s->on_frame(s->frame_arg, &out, now);
        s->in_cb--;
    }
    struct report r;
    memset(&r, 0, sizeof r);
    r.sensor_id = s->cfg.sensor_id;
    if (modes_msg_to_report(&m, 0, &r) != 0) {
        s->no_report++;
        return;
    }
    r.t_ms = now;
    deliver(s, &r);
}

/* BaseStation MSG line to a report (sbs_msg_to_report), dated at
 * reception: SBS "generated" times are local time in dump1090 (sensor.h). */
static int sbs_report(const struct sbs_msg *m, uint32_t sensor_id, int64_t now, struct report *r)
{
    struct sbs_msg at = *m;
    at.t_gen_ms = now;
    at.has |= SBS_HAS_TIME;
    r->sensor_id = sensor_id;
    return sbs_msg_to_report(&at, r);
}

static void on_ais(void *user, const struct ais_msg *msg)
{
    struct sensor *s = user;
    got_msgs(s, 1);
    struct report r;
    if (ais_msg_to_report(msg, s->cfg.sensor_id, &r) != 0) {
        s->no_report++;
        return;
    }
    deliver(s, &r);
}

static void feed_ais(struct sensor *s, struct ais_ctx *ctx, const uint8_t *p, size_t n, int64_t now,
                     int flush)
{
    uint64_t before = ais_stats_refused(&ctx->stats);
    ais_feed(ctx, (const char *)p, n, now, on_ais, s);
    if (flush) /* a datagram is whole lines, its last may lack an end */
        ais_flush(ctx, now, on_ais, s);
    s->decode_errors += ais_stats_refused(&ctx->stats) - before;
}

static void feed_stream(struct sensor *s, struct stream *st, const uint8_t *p, size_t n)
{
    int64_t now = utc_now(s);
    s->bytes += n;
    s->last_data_ms = now;
    size_t off = 0;
    ssize_t k;
    struct modes_frame f;
    switch (s->cfg.format) {
    case SENSOR_FMT_BEAST: {
        uint64_t before = st->p.beast.st.resyncs;
        while (off < n && (k = beast_parse(&st->p.beast, p + off, n - off, &f)) > 0) {
            off += (size_t)k;
            on_modes_frame(s, &f, now);
        }
        s->decode_errors += st->p.beast.st.resyncs - before;
        break;
    }
    case SENSOR_FMT_AVR: {
        uint64_t before = st->p.avr.st.bad_lines;
        while (off < n && (k = avr_parse(&st->p.avr, p + off, n - off, &f)) > 0) {
            off += (size_t)k;
            on_modes_frame(s, &f, now);
        }
        s->decode_errors += st->p.avr.st.bad_lines - before;
        break;
    }
    case SENSOR_FMT_SBS: {
        uint64_t before = st->p.sbs.st.bad_lines;
        struct sbs_msg m;
        while (off < n && (k = sbs_parse(&st->p.sbs, p + off, n - off, &m)) > 0) {
            off += (size_t)k;
            got_msgs(s, 1);
            struct report r;
            if (sbs_report(&m, s->cfg.sensor_id, now, &r) == 0)
                deliver(s, &r);
            else
                s->no_report++;
        }
        s->decode_errors += st->p.sbs.st.bad_lines - before;
        break;
    }
    case SENSOR_FMT_NMEA:
        feed_ais(s, st->ais, p, n, now, 0);
        break;
    default:
        break;
    }
}

static void ax_blocks(struct sensor *s, const uint8_t *p, size_t len)
{
    size_t off = 0;
    struct ax_block b;
    struct ax_error e;
    int rc;
    while ((rc = ax_block_next(p, len, &off, &b, &e, NULL)) == 1) {
        if (ax_block_open(&b, &s->eds, &e, NULL) < 0) {
            s->decode_errors++;
            continue;
        }
        while ((rc = ax_block_record(&b, &s->rec, &e, NULL)) == 1) {
            got_msgs(s, 1);
            struct report r;
            struct ax_scan_event sc;
            memset(&r, 0, sizeof r);
            int out = ax_record_report(&s->axr, &s->rec, &r, &sc);
            if (out == AX_OUT_REPORT)
                deliver(s, &r);
            else /* dropped, or a scan event (north marker, sector) */
                s->no_report++;
        }
        if (rc < 0)
            s->decode_errors++;
    }
    if (rc < 0)
        s->decode_errors++;
}

/* One datagram of a udp format. */
static void feed_datagram(struct sensor *s, const uint8_t *p, size_t n)
{
    int64_t now = utc_now(s);
    s->bytes += n;
    s->last_data_ms = now;
    if (s->cfg.format == SENSOR_FMT_NMEA) {
        feed_ais(s, s->ais_udp, p, n, now, 1);
        return;
    }
    /* ASTERIX: times of day dated nearest the reception time */
    s->axr.ref_utc_ms = now;
    if (ax_framing_guess(p, n) != AX_FRAMING_ORADIS) {
        ax_blocks(s, p, n);
        return;
    }
    size_t off = 0, blk_len;
    const uint8_t *blk;
    int rc;
    while ((rc = ax_oradis_next(p, n, &off, &blk, &blk_len)) == 1)
        ax_blocks(s, blk, blk_len);
    if (rc < 0)
        s->decode_errors++;
}

/* ------------------------------------------------------- streams */

static struct stream *stream_new(struct sensor *s)
{
    struct stream *st = calloc(1, sizeof *st);
    if (!st)
        return NULL;
    st->s = s;
    switch (s->cfg.format) {
    case SENSOR_FMT_BEAST:
        beast_parser_init(&st->p.beast);
        break;
    case SENSOR_FMT_AVR:
        avr_parser_init(&st->p.avr);
        break;
    case SENSOR_FMT_SBS:
        sbs_parser_init(&st->p.sbs);
        break;
    case SENSOR_FMT_NMEA:
        st->ais = malloc(sizeof *st->ais);
        if (!st->ais) {
            free(st);
            return NULL;
        }
        ais_ctx_init(st->ais);
        break;
    default:
        break;
    }
    return st;
}

static void stream_free(struct stream *st)
{
    if (!st)
        return;
    if (st->bev)
        bufferevent_free(st->bev);
    free(st->ais);
    free(st);
}

static void on_read(struct bufferevent *bev, void *arg)
{
    struct stream *st = arg;
    struct sensor *s = st->s;
    struct evbuffer *in = bufferevent_get_input(bev);
    size_t have = evbuffer_get_length(in);
    if (have > s->buffered_max)
        s->buffered_max = (uint32_t)(have > UINT32_MAX ? UINT32_MAX : have);
    while (evbuffer_get_length(in) > 0) {
        struct evbuffer_iovec v;
        if (evbuffer_peek(in, -1, NULL, &v, 1) < 1 || v.iov_len == 0)
            break;
        feed_stream(s, st, v.iov_base, v.iov_len);
        evbuffer_drain(in, v.iov_len);
    }
}

/* Watermark and timeouts of a stream's bufferevent (S4). */
static void stream_tune(struct sensor *s, struct bufferevent *bev)
{
    bufferevent_setwatermark(bev, EV_READ, 0, s->cfg.read_buffer);
    if (s->cfg.idle_timeout_ms) {
        struct timeval idle = {.tv_sec = s->cfg.idle_timeout_ms / 1000,
                               .tv_usec = (s->cfg.idle_timeout_ms % 1000) * 1000};
        bufferevent_set_timeouts(bev, &idle, NULL);
    } else {
        bufferevent_set_timeouts(bev, NULL, NULL);
    }
    evutil_socket_t fd = bufferevent_getfd(bev);
    if (fd >= 0) {
        int one = 1; /* a peer that vanished without FIN is found in time */
        (void)setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
    }
}

/* What a bufferevent event means, as text. */
static void event_text(struct bufferevent *bev, short what, int connecting, char *out, size_t cap)
{
    int err = EVUTIL_SOCKET_ERROR();
    int dns = bufferevent_socket_get_dns_error(bev);
    if (what & BEV_EVENT_EOF)
        snprintf(out, cap, "connection closed by the peer");
    else if (what & BEV_EVENT_TIMEOUT)
        snprintf(out, cap, connecting ? "connect timed out" : "no data within idle_timeout_ms");
    else if (dns)
        snprintf(out, cap, "name not resolved: %s", evutil_gai_strerror(dns));
    else
        snprintf(out, cap, "%s", evutil_socket_error_to_string(err));
}

/* ------------------------------------------------- state machine */

static void worker_stop(struct sensor *s);

static void close_all(struct sensor *s)
{
    worker_stop(s);
    stream_free(s->conn);
    s->conn = NULL;
    while (s->clients) {
        struct stream *n = s->clients->next;
        stream_free(s->clients);
        s->clients = n;
    }
    s->n_clients = 0;
    if (s->lis) {
        evconnlistener_free(s->lis);
        s->lis = NULL;
    }
    if (s->udp_ev) {
        event_free(s->udp_ev);
        s->udp_ev = NULL;
    }
    if (s->udp_fd >= 0) {
        evutil_closesocket(s->udp_fd);
        s->udp_fd = -1;
    }
    event_del(s->pause_ev);
    event_del(s->retry_ev);
    s->local_port = 0;
}

static void open_(struct sensor *s);

/* The transport failed (last_error set): close everything and wait. */
static void fail_(struct sensor *s)
{
    char nb[SENSOR_NAME_MAX * 4];
    close_all(s);
    s->attempt++;
    if (s->cfg.max_retries && s->attempt > s->cfg.max_retries) {
        set_state(s, SENSOR_ST_FAILED);
        log_err(MOD, "%s: %s; failed after %u attempts", esc_name(s, nb, sizeof nb), s->last_error,
                s->attempt);
        return;
    }
    uint32_t d =
        sensor_backoff_ms(s->cfg.retry_min_ms, s->cfg.retry_max_ms, s->attempt - 1, &s->rng);
    s->retry_at_ms = mono_now(s) + d;
    struct timeval tv = {.tv_sec = d / 1000, .tv_usec = (d % 1000) * 1000};
    event_add(s->retry_ev, &tv);
    /* one warning per distinct error; repeats of it at debug level */
    if (strcmp(s->last_error, s->logged_error) != 0) {
        log_warn(MOD, "%s: %s; retrying in %u ms", esc_name(s, nb, sizeof nb), s->last_error, d);
        memcpy(s->logged_error, s->last_error, sizeof s->logged_error);
    } else {
        log_debug(MOD, "%s: %s; retry %u in %u ms", esc_name(s, nb, sizeof nb), s->last_error,
                  s->attempt, d);
    }
    set_state(s, SENSOR_ST_RETRYING);
}

static void on_retry(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct sensor *s = arg;
    s->retries++;
    open_(s);
}

static void working(struct sensor *s, enum sensor_state st, const char *what, const char *where)
{
    char nb[SENSOR_NAME_MAX * 4], wb[ADDR_SPEC_MAX * 4 + 8]; /* where: a path from the file */
    log_info(MOD, "%s: %s %s", esc_name(s, nb, sizeof nb), what,
             log_escape(wb, sizeof wb, where, strlen(where), LOG_ESC_LINE));
    s->logged_error[0] = '\0';
    set_state(s, st);
}

/* ---- TCP client */

static void on_conn_event(struct bufferevent *bev, short what, void *arg)
{
    struct stream *st = arg;
    struct sensor *s = st->s;
    if (what & BEV_EVENT_CONNECTED) {
        s->connects++;
        stream_tune(s, bev);
        working(s, SENSOR_ST_CONNECTED, "connected to", st->peer);
        return;
    }
    char why[SENSOR_ERR_MAX];
    int connecting = s->state == SENSOR_ST_CONNECTING;
    event_text(bev, what, connecting, why, sizeof why);
    if (!connecting)
        s->disconnects++;
    set_error(s, "%s %s: %s", connecting ? "connect to" : "connection to", st->peer, why);
    fail_(s);
}

static void tcp_connect(struct sensor *s)
{
    struct stream *st = stream_new(s);
    if (st)
        st->bev = bufferevent_socket_new(s->base, -1, BEV_OPT_CLOSE_ON_FREE);
    if (!st || !st->bev) {
        stream_free(st);
        set_error(s, "out of memory");
        fail_(s);
        return;
    }
    s->conn = st;
    if (s->addr.is_name)
        snprintf(st->peer, sizeof st->peer, "%.*s:%u", 40, s->addr.host, s->addr.port);
    else
        addr_format((struct sockaddr *)&s->addr.a.ss, st->peer, sizeof st->peer);
    bufferevent_setcb(st->bev, on_read, NULL, on_conn_event, st);
    struct timeval ct = {.tv_sec = s->cfg.connect_timeout_ms / 1000,
                         .tv_usec = (s->cfg.connect_timeout_ms % 1000) * 1000};
    /* while connecting, the write side waits for the socket: its timeout
     * bounds the connect (reset in stream_tune once connected) */
    bufferevent_set_timeouts(st->bev, NULL, &ct);
    bufferevent_setwatermark(st->bev, EV_READ, 0, s->cfg.read_buffer);
    bufferevent_enable(st->bev, EV_READ);
    set_state(s, SENSOR_ST_CONNECTING);
    int rc;
    if (s->addr.is_name)
        rc = bufferevent_socket_connect_hostname(st->bev, s->cfg.dns, AF_UNSPEC, s->addr.host,
                                                 s->addr.port);
    else
        rc = bufferevent_socket_connect(st->bev, (struct sockaddr *)&s->addr.a.ss,
                                        (int)s->addr.a.len);
    if (rc != 0 && s->conn == st) { /* failed at once, without the event callback */
        char why[SENSOR_ERR_MAX];
        event_text(st->bev, BEV_EVENT_ERROR, 1, why, sizeof why);
        set_error(s, "connect to %s: %s", st->peer, why);
        fail_(s);
    }
}

/* ---- TCP server */

static void on_client_event(struct bufferevent *bev, short what, void *arg)
{
    struct stream *st = arg;
    struct sensor *s = st->s;
    char why[SENSOR_ERR_MAX];
    event_text(bev, what, 0, why, sizeof why);
    set_error(s, "feeder %s: %s", st->peer, why);
    s->disconnects++;
    for (struct stream **pp = &s->clients; *pp; pp = &(*pp)->next) {
        if (*pp == st) {
            *pp = st->next;
            break;
        }
    }
    s->n_clients--;
    stream_free(st);
}

static void on_accept(struct evconnlistener *lis, evutil_socket_t fd, struct sockaddr *sa,
                      int socklen, void *arg)
{
    (void)lis;
    (void)socklen;
    struct sensor *s = arg;
    char peer[ADDR_TEXT_LEN];
    addr_format(sa, peer, sizeof peer);
    if (s->n_clients >= s->cfg.max_clients) {
        evutil_closesocket(fd);
        s->refused++;
        set_error(s, "feeder %s refused: max_clients (%u) connected", peer, s->cfg.max_clients);
        return;
    }
    struct stream *st = stream_new(s);
    if (st)
        st->bev = bufferevent_socket_new(s->base, fd, BEV_OPT_CLOSE_ON_FREE);
    if (!st || !st->bev) {
        if (st && !st->bev)
            evutil_closesocket(fd);
        stream_free(st);
        s->refused++;
        set_error(s, "feeder %s refused: out of memory", peer);
        return;
    }
    memcpy(st->peer, peer, sizeof peer);
    bufferevent_setcb(st->bev, on_read, NULL, on_client_event, st);
    stream_tune(s, st->bev);
    bufferevent_enable(st->bev, EV_READ);
    st->next = s->clients;
    s->clients = st;
    s->n_clients++;
    s->connects++;
    char nb[SENSOR_NAME_MAX * 4];
    log_info(MOD, "%s: feeder %s connected", esc_name(s, nb, sizeof nb), peer);
}

static void on_pause_end(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct sensor *s = arg;
    if (s->lis)
        evconnlistener_enable(s->lis);
}

/* accept(2) failed (out of descriptors, say): pause accepting for
 * retry_min_ms rather than spin on a socket that stays readable. */
static void on_accept_error(struct evconnlistener *lis, void *arg)
{
    struct sensor *s = arg;
    set_error(s, "accept: %s", evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
    evconnlistener_disable(lis);
    uint32_t d = s->cfg.retry_min_ms;
    struct timeval tv = {.tv_sec = d / 1000, .tv_usec = (d % 1000) * 1000};
    event_add(s->pause_ev, &tv);
}

static uint16_t bound_port(evutil_socket_t fd)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0)
        return 0;
    if (ss.ss_family == AF_INET)
        return ntohs(((struct sockaddr_in *)&ss)->sin_port);
    if (ss.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    return 0;
}

/* The address as bound: port 0 replaced by the kernel's choice. */
static void port_into(char *where, size_t cap, const struct addr_spec *a, uint16_t port)
{
    struct sockaddr_storage ss = a->a.ss;
    if (ss.ss_family == AF_INET)
        ((struct sockaddr_in *)&ss)->sin_port = htons(port);
    else if (ss.ss_family == AF_INET6)
        ((struct sockaddr_in6 *)&ss)->sin6_port = htons(port);
    addr_format((struct sockaddr *)&ss, where, cap);
}

static void tcp_listen(struct sensor *s)
{
    char where[ADDR_TEXT_LEN];
    addr_format((struct sockaddr *)&s->addr.a.ss, where, sizeof where);
    s->lis = evconnlistener_new_bind(
        s->base, on_accept, s, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC,
        LISTEN_BACKLOG, (struct sockaddr *)&s->addr.a.ss, (int)s->addr.a.len);
    if (!s->lis) {
        set_error(s, "listen on %s: %s", where,
                  evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
        fail_(s);
        return;
    }
    evconnlistener_set_error_cb(s->lis, on_accept_error);
    s->local_port = bound_port(evconnlistener_get_fd(s->lis));
    port_into(where, sizeof where, &s->addr, s->local_port);
    working(s, SENSOR_ST_LISTENING, "listening on", where);
}

/* ---- UDP */

static void on_udp(evutil_socket_t fd, short what, void *arg)
{
    (void)what;
    struct sensor *s = arg;
    for (int i = 0; i < UDP_BURST; i++) {
        struct iovec iov = {.iov_base = s->dgram, .iov_len = (size_t)s->cfg.max_datagram + 1};
        struct msghdr mh;
        memset(&mh, 0, sizeof mh);
        mh.msg_iov = &iov;
        mh.msg_iovlen = 1;
        ssize_t n = recvmsg(fd, &mh, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                set_error(s, "receive: %s", evutil_socket_error_to_string(errno));
            return;
        }
        if ((mh.msg_flags & MSG_TRUNC) || (size_t)n > s->cfg.max_datagram) {
            s->dropped++;
            continue;
        }
        if (n == 0)
            continue;
        feed_datagram(s, s->dgram, (size_t)n);
    }
}

static int udp_join(struct sensor *s, evutil_socket_t fd, unsigned ifindex)
{
    int zero = 0;
    if (s->addr.a.ss.ss_family == AF_INET) {
        struct ip_mreqn mr;
        memset(&mr, 0, sizeof mr);
        mr.imr_multiaddr = ((struct sockaddr_in *)&s->addr.a.ss)->sin_addr;
        mr.imr_ifindex = (int)ifindex;
        if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof mr) != 0)
            return -1;
#ifdef IP_MULTICAST_ALL
        /* only our group's datagrams, not every group joined on this port */
        if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_ALL, &zero, sizeof zero) != 0)
            return -1;
#endif
    } else {
        struct ipv6_mreq mr;
        memset(&mr, 0, sizeof mr);
        mr.ipv6mr_multiaddr = ((struct sockaddr_in6 *)&s->addr.a.ss)->sin6_addr;
        mr.ipv6mr_interface = ifindex;
        if (setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mr, sizeof mr) != 0)
            return -1;
#ifdef IPV6_MULTICAST_ALL
        (void)setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_ALL, &zero, sizeof zero);
#endif
    }
    (void)zero;
    return 0;
}

static void udp_open(struct sensor *s)
{
    char where[ADDR_TEXT_LEN];
    addr_format((struct sockaddr *)&s->addr.a.ss, where, sizeof where);
    int mcast = addr_is_multicast(&s->addr.a);
    unsigned ifindex = 0;
    if (s->cfg.iface[0] && (ifindex = if_nametoindex(s->cfg.iface)) == 0) {
        set_error(s, "udp %s: no interface %s", where, s->cfg.iface);
        fail_(s);
        return;
    }
    int fam = s->addr.a.ss.ss_family;
    evutil_socket_t fd = socket(fam, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        set_error(s, "udp %s: %s", where, evutil_socket_error_to_string(errno));
        fail_(s);
        return;
    }
    s->udp_fd = fd;
    int one = 1;
    struct sockaddr_storage b = s->addr.a.ss;
    if (mcast && fam == AF_INET6) /* IPv6: bind the wildcard, the join filters */
        ((struct sockaddr_in6 *)&b)->sin6_addr = in6addr_any;
    /* IPv4: binding the group address keeps other groups on the port out */
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(fd, (struct sockaddr *)&b, s->addr.a.len) != 0 ||
        (mcast && udp_join(s, fd, ifindex) != 0)) {
        set_error(s, "udp %s%s%s: %s", where, s->cfg.iface[0] ? " on " : "", s->cfg.iface,
                  evutil_socket_error_to_string(errno));
        fail_(s);
        return;
    }
    s->udp_ev = event_new(s->base, fd, EV_READ | EV_PERSIST, on_udp, s);
    if (!s->udp_ev || event_add(s->udp_ev, NULL) != 0) {
        set_error(s, "udp %s: out of memory", where);
        fail_(s);
        return;
    }
    s->local_port = bound_port(fd);
    port_into(where, sizeof where, &s->addr, s->local_port);
    working(s, SENSOR_ST_LISTENING, mcast ? "joined" : "receiving on", where);
}

/* ---- iq and rtlsdr: a worker thread
 *
 * The worker owns the demodulator (inside iq_run_file_until / rtlsdr_run)
 * and a Mode S context of its own; it decodes every frame into a report
 * and puts it in a ring of SENSOR_WORKER_QUEUE under a mutex, writing one
 * byte to a pipe when the ring goes from empty to not empty. The loop's
 * read event on the pipe takes the reports out and hands them to the
 * callback in the loop's thread (S3). The worker looks at `stop` in every
 * frame callback and its loop (rtlsdr_run: every 100 ms; an IQ file: every
 * 256 KiB block); worker_stop sets it and joins the thread.
 */

/* One entry of the worker's queue: a report, a raw frame (for
 * sensor_set_frame_cb), or both. */
struct witem {
    struct report r;
    struct modes_frame f;
    int64_t f_t_ms;
    uint8_t has_r, has_f;
};

struct worker {
    struct sensor *s;
    pthread_t th;
    volatile int stop;
    int pipe_rd, pipe_wr;
    struct event *ev;
    int64_t t0_utc_ms;  /* iq: UTC when the file was opened */
    int64_t t0_mono_ns; /* iq: monotonic time then, for the pace */
    struct modes_ctx *modes;
    int want_frames;    /* on_frame was set at worker_start: frames are queued too */
    pthread_mutex_t mu; /* guards everything below */
    struct witem *q;
    size_t q_head, q_n;
    uint64_t msgs, errors, no_report, dropped, bytes; /* not yet merged into the sensor */
    int finished, rc;
};

static int w_addr_known(void *arg, uint32_t icao, double t_s)
{
    struct worker *w = arg;
    return modes_ctx_addr_known(w->modes, icao, t_s);
}

/* iq at the recorded pace: wait (in steps short enough to see stop) until
 * the wall clock has caught up with the frame's sample time. */
static void w_pace(struct worker *w, double t_s)
{
    for (;;) {
        int64_t ahead_ns = (int64_t)(t_s * 1e9) - (clock_mono_ns() - w->t0_mono_ns);
        if (ahead_ns <= 0 || w->stop)
            return;
        if (ahead_ns > 50000000)
            ahead_ns = 50000000; /* 50 ms */
        struct timespec ts = {0, (long)ahead_ns};
        nanosleep(&ts, NULL);
    }
}

static void w_frame(const struct modes_frame *f, void *arg)
{
    struct worker *w = arg;
    const struct sensor_config *c = &w->s->cfg;
    if (w->stop)
        return;
    int iq = c->format == SENSOR_FMT_IQ;
    if (iq && !c->iq_fast)
        w_pace(w, f->t_s);
    struct modes_msg m;
    struct witem it;
    struct report *r = &it.r;
    int ok = 0, err = 0;
    it.has_f = 0;
    if (modes_decode(w->modes, f, &m) != 0) {
        err = 1;
    } else {
        memset(r, 0, sizeof *r);
        r->sensor_id = c->sensor_id;
        ok = modes_msg_to_report(&m, iq ? w->t0_utc_ms : 0, r) == 0;
        if (ok && !iq)
            r->t_ms = clock_now_ms(c->utc); /* a dongle: the reception time */
        if (w->want_frames && m.crc_ok) {
            it.f = *f;
            memcpy(it.f.data, m.raw, m.len);
            it.f_t_ms = iq ? w->t0_utc_ms + (int64_t)(f->t_s * 1000.0 + 0.5) : clock_now_ms(c->utc);
            it.has_f = 1;
        }
    }
    it.has_r = (uint8_t)ok;
    int wake = 0;
    pthread_mutex_lock(&w->mu);
    w->msgs++;
    w->errors += (uint64_t)err;
    if (!err && !ok)
        w->no_report++;
    if (ok || it.has_f) {
        if (w->q_n == SENSOR_WORKER_QUEUE) {
            w->dropped += (uint64_t)ok;
        } else {
            w->q[(w->q_head + w->q_n) % SENSOR_WORKER_QUEUE] = it;
            wake = w->q_n++ == 0;
        }
    }
    pthread_mutex_unlock(&w->mu);
    if (wake) {
        ssize_t n = write(w->pipe_wr, "r", 1);
        (void)n; /* a full pipe already holds a wake-up */
    }
}

static void *w_main(void *arg)
{
    struct worker *w = arg;
    const struct sensor_config *c = &w->s->cfg;
    double rate = c->iq_rate_hz > 0 ? c->iq_rate_hz : 2.4e6;
    int rc;
    if (c->format == SENSOR_FMT_IQ) {
        struct iq_opts o = {.rate_hz = rate, .fmt = c->iq_sc16 ? IQ_SC16 : IQ_UC8, .fix_errors = 1};
        struct iq_stats st;
        rc = iq_run_file_until(c->address, &o, w_addr_known, w_frame, w, &st, &w->stop);
        pthread_mutex_lock(&w->mu);
        w->bytes += st.bytes;
        pthread_mutex_unlock(&w->mu);
    } else {
        struct rtlsdr_opts o = {
            .device = c->address, .gain_db = c->gain_db, .ppm = c->ppm, .rate_hz = rate};
        rc = rtlsdr_run(&o, w_addr_known, w_frame, w, &w->stop);
    }
    pthread_mutex_lock(&w->mu);
    w->finished = 1;
    w->rc = rc;
    pthread_mutex_unlock(&w->mu);
    ssize_t n = write(w->pipe_wr, "f", 1);
    (void)n;
    return NULL;
}

static void worker_free(struct worker *w)
{
    if (!w)
        return;
    if (w->ev)
        event_free(w->ev);
    if (w->pipe_rd >= 0)
        close(w->pipe_rd);
    if (w->pipe_wr >= 0)
        close(w->pipe_wr);
    pthread_mutex_destroy(&w->mu);
    free(w->q);
    free(w->modes);
    free(w);
}

/* Join the thread (it must be finished or told to stop) and free it. */
static void worker_stop(struct sensor *s)
{
    struct worker *w = s->worker;
    if (!w)
        return;
    w->stop = 1;
    pthread_join(w->th, NULL);
    s->worker = NULL;
    worker_free(w);
}

/* The loop's side: take the reports, merge the counters, and notice the
 * end of the worker. */
static void on_worker(evutil_socket_t fd, short what, void *arg)
{
    (void)what;
    struct sensor *s = arg;
    struct worker *w = s->worker;
    char drain[64];
    while (read(fd, drain, sizeof drain) > 0)
        ;
    struct witem batch[64];
    for (;;) {
        size_t n = 0;
        pthread_mutex_lock(&w->mu);
        while (n < 64 && w->q_n > 0) {
            batch[n++] = w->q[w->q_head];
            w->q_head = (w->q_head + 1) % SENSOR_WORKER_QUEUE;
            w->q_n--;
        }
        uint64_t msgs = w->msgs;
        s->decode_errors += w->errors;
        s->no_report += w->no_report;
        s->dropped += w->dropped;
        s->bytes += w->bytes;
        w->msgs = w->errors = w->no_report = w->dropped = w->bytes = 0;
        int finished = w->finished && w->q_n == 0, rc = w->rc;
        pthread_mutex_unlock(&w->mu);
        if (msgs) {
            got_msgs(s, msgs);
            s->last_data_ms = utc_now(s);
        }
        for (size_t i = 0; i < n; i++) {
            if (batch[i].has_f && s->on_frame) {
                s->in_cb++;
                s->on_frame(s->frame_arg, &batch[i].f, batch[i].f_t_ms);
                s->in_cb--;
            }
            if (batch[i].has_r)
                deliver(s, &batch[i].r);
        }
        if (finished) {
            char nb[SENSOR_NAME_MAX * 4];
            if (rc == 0 && s->cfg.format == SENSOR_FMT_IQ) {
                set_error(s, "end of file %s", s->cfg.address);
                log_info(MOD, "%s: %s", esc_name(s, nb, sizeof nb), s->last_error);
                close_all(s);
                set_state(s, SENSOR_ST_STOPPED);
            } else {
                set_error(s, "%s %s: %s", s->cfg.format == SENSOR_FMT_IQ ? "file" : "device",
                          s->cfg.address, cairn_strerror(rc ? rc : CAIRN_E_CLOSED));
                fail_(s);
            }
            return;
        }
        if (n == 0)
            return;
    }
}

static void worker_start(struct sensor *s)
{
    struct worker *w = calloc(1, sizeof *w);
    int fds[2] = {-1, -1};
    if (!w || pipe(fds) != 0) {
        free(w);
        set_error(s, "cannot start a worker: %s", strerror(errno));
        fail_(s);
        return;
    }
    for (int i = 0; i < 2; i++) {
        (void)fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL) | O_NONBLOCK);
        (void)fcntl(fds[i], F_SETFD, FD_CLOEXEC);
    }
    w->s = s;
    w->want_frames = s->on_frame != NULL; /* read here, before the thread exists */
    w->pipe_rd = fds[0];
    w->pipe_wr = fds[1];
    pthread_mutex_init(&w->mu, NULL);
    w->q = malloc(SENSOR_WORKER_QUEUE * sizeof *w->q);
    w->modes = malloc(sizeof *w->modes);
    w->ev = event_new(s->base, w->pipe_rd, EV_READ | EV_PERSIST, on_worker, s);
    if (!w->q || !w->modes || !w->ev || event_add(w->ev, NULL) != 0) {
        worker_free(w);
        set_error(s, "cannot start a worker: out of memory");
        fail_(s);
        return;
    }
    struct modes_opts mo;
    modes_opts_default(&mo);
    if (s->cfg.has_rx) {
        mo.have_receiver = 1;
        mo.rx_lat_deg = s->cfg.rx_lat_deg;
        mo.rx_lon_deg = s->cfg.rx_lon_deg;
    }
    modes_ctx_init(w->modes, &mo);
    w->t0_utc_ms = utc_now(s);
    w->t0_mono_ns = clock_mono_ns();
    if (pthread_create(&w->th, NULL, w_main, w) != 0) {
        worker_free(w);
        set_error(s, "cannot start a worker thread");
        fail_(s);
        return;
    }
    s->worker = w;
    working(s, SENSOR_ST_CONNECTED,
            s->cfg.format == SENSOR_FMT_IQ ? "reading file" : "reading device", s->cfg.address);
}

static void open_(struct sensor *s)
{
    switch (s->cfg.transport) {
    case SENSOR_TR_CONNECT:
        tcp_connect(s);
        break;
    case SENSOR_TR_LISTEN:
        tcp_listen(s);
        break;
    case SENSOR_TR_UDP:
        udp_open(s);
        break;
    case SENSOR_TR_FILE:
    case SENSOR_TR_DEVICE:
        worker_start(s);
        break;
    default:
        break;
    }
}

/* --------------------------------------------------- public API */

int sensor_new(struct event_base *base, const struct sensor_config *cfg, sensor_report_cb on_report,
               sensor_state_cb on_state, void *arg, struct sensor **out, char *err, size_t errcap)
{
    assert(base && cfg && on_report && out);
    *out = NULL;
    struct addr_spec a;
    const char *why = NULL;
    if (check_parse(cfg, &a, &why) != 0) {
        if (err && errcap) {
            char nb[SENSOR_NAME_MAX * 4];
            log_escape(nb, sizeof nb, cfg->name, strnlen(cfg->name, sizeof cfg->name),
                       LOG_ESC_LINE);
            snprintf(err, errcap, "sensor %s: %s", nb[0] ? nb : "(unnamed)", why);
        }
        return CAIRN_E_INVAL;
    }
    struct sensor *s = calloc(1, sizeof *s);
    if (!s)
        goto nomem;
    s->base = base;
    s->cfg = *cfg;
    s->cfg.name[sizeof s->cfg.name - 1] = '\0';
    if (!s->cfg.utc)
        s->cfg.utc = &cairn_clock_real;
    if (!s->cfg.mono)
        s->cfg.mono = &cairn_clock_mono;
    s->addr = a;
    s->on_report = on_report;
    s->on_state = on_state;
    s->arg = arg;
    s->udp_fd = -1;
    s->rng = cfg->seed;
    if (!s->rng)
        evutil_secure_rng_get_bytes(&s->rng, sizeof s->rng);
    s->state_since_ms = mono_now(s);
    s->retry_ev = evtimer_new(base, on_retry, s);
    s->pause_ev = evtimer_new(base, on_pause_end, s);
    if (!s->retry_ev || !s->pause_ev)
        goto nomem;
    if (cfg->format == SENSOR_FMT_BEAST || cfg->format == SENSOR_FMT_AVR) {
        s->modes = malloc(sizeof *s->modes);
        if (!s->modes)
            goto nomem;
        struct modes_opts mo;
        modes_opts_default(&mo);
        if (cfg->has_rx) {
            mo.have_receiver = 1;
            mo.rx_lat_deg = cfg->rx_lat_deg;
            mo.rx_lon_deg = cfg->rx_lon_deg;
        }
        modes_ctx_init(s->modes, &mo);
    }
    if (cfg->format == SENSOR_FMT_ASTERIX) {
        ax_report_init(&s->axr, cfg->radars, cfg->n_radars);
        ax_editions_init(&s->eds);
    }
    if (cfg->transport == SENSOR_TR_UDP) {
        s->dgram = malloc((size_t)cfg->max_datagram + 1);
        if (!s->dgram)
            goto nomem;
        if (cfg->format == SENSOR_FMT_NMEA) {
            s->ais_udp = malloc(sizeof *s->ais_udp);
            if (!s->ais_udp)
                goto nomem;
            ais_ctx_init(s->ais_udp);
        }
    }
    *out = s;
    return 0;
nomem:
    sensor_free(s);
    if (err && errcap)
        snprintf(err, errcap, "sensor: out of memory");
    return CAIRN_E_NOMEM;
}

void sensor_start(struct sensor *s)
{
    assert(!s->in_cb);
    if (s->state != SENSOR_ST_STOPPED)
        return;
    s->attempt = 0;
    open_(s);
}

void sensor_stop(struct sensor *s)
{
    assert(!s->in_cb);
    close_all(s);
    set_state(s, SENSOR_ST_STOPPED);
}

void sensor_retry_now(struct sensor *s)
{
    assert(!s->in_cb);
    if (s->state != SENSOR_ST_RETRYING && s->state != SENSOR_ST_FAILED)
        return;
    event_del(s->retry_ev);
    s->retries++;
    open_(s);
}

void sensor_free(struct sensor *s)
{
    if (!s)
        return;
    assert(!s->in_cb);
    close_all(s);
    if (s->retry_ev)
        event_free(s->retry_ev);
    if (s->pause_ev)
        event_free(s->pause_ev);
    stream_free(s->inject);
    free(s->modes);
    free(s->ais_udp);
    free(s->dgram);
    free(s);
}

void sensor_feed(struct sensor *s, const void *p, size_t len)
{
    if (s->cfg.transport == SENSOR_TR_FILE || s->cfg.transport == SENSOR_TR_DEVICE)
        return; /* samples are the worker's */
    if (s->cfg.transport == SENSOR_TR_UDP) {
        feed_datagram(s, p, len);
        return;
    }
    if (!s->inject && !(s->inject = stream_new(s))) {
        set_error(s, "out of memory");
        return;
    }
    feed_stream(s, s->inject, p, len);
}

void sensor_health(const struct sensor *s, struct sensor_health *h)
{
    memset(h, 0, sizeof *h);
    int64_t now = mono_now(s);
    h->state = s->state;
    h->state_since_ms = s->state_since_ms;
    h->last_data_ms = s->last_data_ms;
    h->bytes = s->bytes;
    h->msgs = s->msgs;
    h->reports = s->reports;
    h->no_report = s->no_report;
    h->decode_errors = s->decode_errors;
    h->dropped = s->dropped;
    h->connects = s->connects;
    h->disconnects = s->disconnects;
    h->retries = s->retries;
    h->refused = s->refused;
    h->clients = s->n_clients;
    h->attempt = s->attempt;
    if (s->state == SENSOR_ST_RETRYING)
        h->retry_in_ms = s->retry_at_ms > now ? s->retry_at_ms - now : 0;
    h->rate_msgs_s = sensor_rate_get(&s->rate, now);
    h->buffered_max = s->buffered_max;
    h->local_port = s->local_port;
    memcpy(h->last_error, s->last_error, sizeof h->last_error);
}

const struct sensor_config *sensor_config(const struct sensor *s)
{
    return &s->cfg;
}

enum sensor_state sensor_state(const struct sensor *s)
{
    return s->state;
}

/* Text from outside (a name, a path, an address as written) made safe for
 * a JSON string: escaped as for a log line, so only printable ASCII and
 * valid UTF-8 reach jw_str. */
static void jw_kesc(struct jsonw *w, const char *key, const char *text)
{
    char buf[ADDR_SPEC_MAX * 4 + 8];
    jw_kstr(w, key, log_escape(buf, sizeof buf, text, strlen(text), LOG_ESC_LINE));
}

void sensor_health_json(const struct sensor *s, struct jsonw *w)
{
    struct sensor_health h;
    sensor_health(s, &h);
    jw_obj(w);
    jw_kesc(w, "name", s->cfg.name);
    jw_kstr(w, "format", sensor_format_name(s->cfg.format));
    jw_kstr(w, "transport", sensor_transport_name(s->cfg.transport));
    jw_kesc(w, "address", s->cfg.address);
    jw_kstr(w, "state", sensor_state_name(h.state));
    jw_kint(w, "state_for_ms", mono_now(s) - h.state_since_ms);
    jw_key(w, "last_data_utc_ms");
    if (h.last_data_ms)
        jw_int(w, h.last_data_ms);
    else
        jw_null(w);
    jw_kuint(w, "bytes", h.bytes);
    jw_kuint(w, "msgs", h.msgs);
    jw_kuint(w, "reports", h.reports);
    jw_kuint(w, "no_report", h.no_report);
    jw_kuint(w, "decode_errors", h.decode_errors);
    jw_kuint(w, "dropped", h.dropped);
    jw_kuint(w, "connects", h.connects);
    jw_kuint(w, "disconnects", h.disconnects);
    jw_kuint(w, "retries", h.retries);
    jw_kuint(w, "refused", h.refused);
    jw_kuint(w, "clients", h.clients);
    jw_kuint(w, "attempt", h.attempt);
    jw_kint(w, "retry_in_ms", h.retry_in_ms);
    jw_kfixed(w, "rate_msgs_s", h.rate_msgs_s, 1);
    jw_kuint(w, "buffered_max", h.buffered_max);
    jw_kuint(w, "local_port", h.local_port);
    jw_kstr(w, "last_error", h.last_error); /* escaped when it was set */
    jw_end(w);
}
