/*
 * replay_to.c — recordings sent into a running centre (replay_to.h).
 *
 * Layout: the re-stamping (NMEA TAG block c:, ASTERIX times of day), the
 * socket (connect with a deadline, write all, wait for a deadline while
 * watching the socket and the stop flag), and the merge loop.
 *
 * References: IEC 61162-1 Ed. 5 §7.9 (TAG blocks: c: UNIX time in s,
 * checksum = XOR of the characters between '\' and '*'); EUROCONTROL
 * ASTERIX, the time of day items (3 octets, LSB 1/128 s since UTC
 * midnight): Cat 048 I140, Cat 062 I070, Cat 021 I030/I071/I072/I073/
 * I075/I077 (ed. 0.26 to 2.7), Cat 010 I140, Cat 019/020 I140, Cat 023
 * I070, Cat 025 I070, Cat 034 and Cat 002 I030, Cat 063 and Cat 065 I030;
 * Cat 001 I141 (truncated: 2 octets, modulo 512 s). connect(2) on a UDP
 * socket: ICMP port unreachable comes back as ECONNREFUSED on a later send.
 */
#include "app/replay_to.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/error.h"
#include "base/log.h"
#include "decode/ais/nmea.h"
#include "decode/asterix/asterix.h"

#define OUT_CAP         (64 * 1024)   /* TCP bytes written at once */
#define LINE_OUT_MAX    1024          /* a re-stamped NMEA line: longer lines go as they are */
#define TOD_DAY         (86400 * 128) /* a day in 1/128 s */
#define TTOD_PERIOD     65536         /* CAT001 I141: 16 bits of 1/128 s */
#define CONNECT_WAIT_MS 10000         /* a loopback or LAN centre answers at once */

/* ------------------------------------------------------------ re-stamping */

size_t app_replay_restamp_nmea(const char *line, size_t len, int64_t now_ms, char *out, size_t cap)
{
    const char *open = memchr(line, '\\', len);
    if (!open)
        return 0;
    size_t a = (size_t)(open - line) + 1; /* first byte inside the block */
    const char *close = memchr(line + a, '\\', len - a);
    if (!close)
        return 0;
    size_t b = (size_t)(close - line); /* the closing '\' */
    const char *star = memchr(line + a, '*', b - a);
    size_t pe = star ? (size_t)(star - line) : b; /* end of the parameters */
    /* find "c:" at the start of a parameter */
    size_t cv = 0, ce = 0;
    for (size_t i = a; i + 1 < pe; i++) {
        if ((i == a || line[i - 1] == ',') && line[i] == 'c' && line[i + 1] == ':') {
            cv = i + 2;
            ce = cv;
            while (ce < pe && line[ce] != ',')
                ce++;
            break;
        }
    }
    if (!cv || ce == cv || ce - cv > 16)
        return 0;
    for (size_t i = cv; i < ce; i++)
        if (line[i] < '0' || line[i] > '9')
            return 0;
    char val[24];
    int vn = ce - cv > 10 ? snprintf(val, sizeof val, "%lld", (long long)now_ms)
                          : snprintf(val, sizeof val, "%lld", (long long)(now_ms / 1000));
    size_t need = cv + (size_t)vn + (pe - ce) + 3 + (len - b);
    if (need > cap)
        return 0;
    size_t o = 0;
    memcpy(out, line, cv);
    o = cv;
    memcpy(out + o, val, (size_t)vn);
    o += (size_t)vn;
    memcpy(out + o, line + ce, pe - ce);
    o += pe - ce;
    uint8_t ck = nmea_checksum(out + a, o - a);
    o += (size_t)snprintf(out + o, cap - o, "*%02X", ck);
    memcpy(out + o, line + b, len - b); /* the closing '\' and the sentence */
    return o + (len - b);
}

/* The time of day items: category, item, octets (3: 1/128 s of a day;
 * 2: CAT001's truncated one). */
static const struct {
    uint8_t cat;
    const char *item;
    uint8_t len;
} tod_items[] = {
    {1, "141", 2},  {2, "030", 3},  {10, "140", 3}, {19, "140", 3}, {20, "140", 3}, {21, "030", 3},
    {21, "071", 3}, {21, "072", 3}, {21, "073", 3}, {21, "075", 3}, {21, "077", 3}, {23, "070", 3},
    {25, "070", 3}, {34, "030", 3}, {48, "140", 3}, {62, "070", 3}, {63, "030", 3}, {65, "030", 3},
};

/* One data block at p[0..len) (writable): its times of day shifted. */
static size_t restamp_block(uint8_t *p, size_t len, int64_t shift128)
{
    size_t n = 0, off = 0;
    struct ax_block b;
    struct ax_record r;
    struct ax_error e;
    while (ax_block_next(p, len, &off, &b, &e, NULL) == 1) {
        if (ax_block_open(&b, NULL, &e, NULL) < 0)
            continue;
        while (ax_block_record(&b, &r, &e, NULL) == 1) {
            for (size_t i = 0; i < sizeof tod_items / sizeof tod_items[0]; i++) {
                if (tod_items[i].cat != b.cat)
                    continue;
                const struct ax_item *it = ax_record_item(&r, tod_items[i].item);
                if (!it || it->len != tod_items[i].len)
                    continue;
                uint8_t *q = p + (it->p - p); /* the same bytes, writable */
                if (it->len == 3) {
                    int64_t v = (int64_t)q[0] << 16 | (int64_t)q[1] << 8 | q[2];
                    if (v >= TOD_DAY + 128) /* not a time of day (a leap second at most) */
                        continue;
                    v = ((v + shift128) % TOD_DAY + TOD_DAY) % TOD_DAY;
                    q[0] = (uint8_t)(v >> 16);
                    q[1] = (uint8_t)(v >> 8);
                    q[2] = (uint8_t)v;
                } else {
                    int64_t v = (int64_t)q[0] << 8 | q[1];
                    v = ((v + shift128) % TTOD_PERIOD + TTOD_PERIOD) % TTOD_PERIOD;
                    q[0] = (uint8_t)(v >> 8);
                    q[1] = (uint8_t)v;
                }
                n++;
            }
        }
    }
    return n;
}

size_t app_replay_restamp_ax(uint8_t *p, size_t len, int64_t shift_ms)
{
    /* in 1/128 s, modulo a day (a shift of whole days changes nothing) */
    int64_t s128 = (int64_t)llround((double)(shift_ms % (86400 * INT64_C(1000))) * 0.128);
    if (ax_framing_guess(p, len) != AX_FRAMING_ORADIS)
        return restamp_block(p, len, s128);
    size_t n = 0, off = 0, blen;
    const uint8_t *blk;
    while (ax_oradis_next(p, len, &off, &blk, &blen) == 1)
        n += restamp_block(p + (blk - p), blen, s128);
    return n;
}

/* ------------------------------------------------------------------ run */

struct input {
    const char *spec;
    struct feed_src *src;
    struct feed_src_unit u; /* the next unit (live) */
    int live;
    int64_t off_ms; /* added to a relative input's times */
    enum feed_fmt fmt;
};

struct run {
    const struct app_replay_to_opts *o;
    struct app_replay_to_stats *st;
    int fd;
    int udp;
    char to[ADDR_TEXT_LEN];
    uint8_t out[OUT_CAP];
    size_t out_len;
    char *err;
    size_t errcap;
};

static void set_err(struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_err(struct run *r, const char *fmt, ...)
{
    char raw[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    log_escape(r->err, r->errcap, raw, strlen(raw), LOG_ESC_LINE);
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t utc_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int stopping(const struct run *r)
{
    return r->o->stop && *r->o->stop;
}

/* The socket, connected (TCP within the deadline). 0 or CAIRN_E_CLOSED. */
static int dial(struct run *r)
{
    const struct sockaddr *sa = (const struct sockaddr *)&r->o->to.ss;
    r->fd = socket(sa->sa_family, (r->udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
    if (r->fd < 0) {
        set_err(r, "socket: %s", strerror(errno));
        return CAIRN_E_CLOSED;
    }
    int fl = fcntl(r->fd, F_GETFL);
    if (!r->udp)
        (void)fcntl(r->fd, F_SETFL, fl | O_NONBLOCK);
    int rc = connect(r->fd, sa, r->o->to.len);
    if (rc != 0 && errno == EINPROGRESS) {
        uint32_t wait = r->o->connect_timeout_ms ? r->o->connect_timeout_ms : CONNECT_WAIT_MS;
        int64_t end = mono_ms() + wait;
        struct pollfd pf = {.fd = r->fd, .events = POLLOUT};
        for (;;) {
            int64_t left = end - mono_ms();
            int pr = left > 0 ? poll(&pf, 1, (int)left) : 0;
            if (pr < 0 && errno == EINTR && !stopping(r))
                continue;
            if (pr <= 0) {
                set_err(r, "%s: %s", r->to, pr == 0 ? "connection timed out" : "interrupted");
                errno = pr == 0 ? ETIMEDOUT : EINTR;
                return CAIRN_E_CLOSED;
            }
            break;
        }
        int e = 0;
        socklen_t el = sizeof e;
        (void)getsockopt(r->fd, SOL_SOCKET, SO_ERROR, &e, &el);
        rc = e ? -1 : 0;
        errno = e;
    }
    if (rc != 0) {
        set_err(r, "cannot connect to %s: %s%s", r->to, strerror(errno),
                errno == ECONNREFUSED ? " (is the centre running, with a [sensor] listening "
                                        "there?)"
                                      : "");
        return CAIRN_E_CLOSED;
    }
    if (!r->udp)
        (void)fcntl(r->fd, F_SETFL, fl);
    return 0;
}

/* The centre's side ended (TCP: it closed; UDP: a refusal is pending)? */
static int peer_gone(struct run *r, short revents)
{
    if (r->udp) {
        if (!(revents & POLLERR))
            return 0;
        int e = 0;
        socklen_t el = sizeof e;
        (void)getsockopt(r->fd, SOL_SOCKET, SO_ERROR, &e, &el);
        if (!e)
            return 0;
        set_err(r, "%s refused a datagram: %s (is a [sensor] listening there?)", r->to,
                strerror(e));
        return 1;
    }
    if (!(revents & (POLLIN | POLLHUP | POLLERR)))
        return 0;
    char sink[512];
    ssize_t g = recv(r->fd, sink, sizeof sink, MSG_DONTWAIT);
    if (g > 0 || (g < 0 && (errno == EAGAIN || errno == EINTR)))
        return 0; /* a sensor sends nothing; whatever came is dropped */
    set_err(r, "%s closed the connection%s%s", r->to, g < 0 ? ": " : "",
            g < 0 ? strerror(errno) : "");
    return 1;
}

/* Wait until the monotonic clock reaches due_ms, watching the socket and
 * the stop flag. 0, 1 when stopped, or CAIRN_E_CLOSED. */
static int wait_until(struct run *r, int64_t due_ms)
{
    for (;;) {
        if (stopping(r))
            return 1;
        int64_t left = due_ms - mono_ms();
        if (left <= 0)
            return 0;
        struct pollfd pf = {.fd = r->fd, .events = r->udp ? 0 : POLLIN};
        int pr = poll(&pf, 1, left > 1000 ? 1000 : (int)left);
        if (pr < 0 && errno != EINTR) {
            set_err(r, "poll: %s", strerror(errno));
            return CAIRN_E_CLOSED;
        }
        if (pr > 0 && peer_gone(r, pf.revents))
            return CAIRN_E_CLOSED;
    }
}

/* Write all of p[0..len) (TCP) or send it as one datagram (UDP). 0, 1
 * when stopped, CAIRN_E_CLOSED. */
static int put(struct run *r, const uint8_t *p, size_t len)
{
    size_t off = 0;
    while (off < len) {
        ssize_t w = send(r->fd, p + off, len - off, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) {
            if (stopping(r))
                return 1;
            continue;
        }
        if (w < 0) {
            set_err(r, "%s: %s%s", r->to, strerror(errno),
                    errno == ECONNREFUSED ? " (is a [sensor] listening there?)"
                    : r->udp              ? ""
                                          : " (the centre closed the connection)");
            return CAIRN_E_CLOSED;
        }
        if (r->udp && (size_t)w != len) {
            set_err(r, "%s: datagram cut", r->to);
            return CAIRN_E_CLOSED;
        }
        off += (size_t)w;
    }
    r->st->bytes += len;
    return 0;
}

static int flush(struct run *r)
{
    int rc = r->out_len ? put(r, r->out, r->out_len) : 0;
    r->out_len = 0;
    return rc;
}

/* One unit, re-stamped when asked, written (UDP) or buffered (TCP). */
static int emit(struct run *r, const struct input *in)
{
    static uint8_t tmp[65536 + LINE_OUT_MAX];
    const uint8_t *p = in->u.p;
    size_t len = in->u.len;
    if (!r->o->keep_time &&
        (in->fmt == FEED_NMEA || in->fmt == FEED_PCAP || in->fmt == FEED_ASTERIX)) {
        int64_t now = utc_ms();
        if (in->fmt == FEED_NMEA) {
            size_t k = app_replay_restamp_nmea((const char *)p, len, now, (char *)tmp, sizeof tmp);
            if (k) {
                p = tmp;
                len = k;
                r->st->restamped++;
            }
        } else if (len <= sizeof tmp && in->u.t_ms != FEED_UNIT_NO_TIME) {
            /* the unit's own time (a relative input's too: a time of day
             * shifted by whole days is the same) */
            memcpy(tmp, p, len);
            if (app_replay_restamp_ax(tmp, len, now - in->u.t_ms))
                r->st->restamped++;
            p = tmp;
        }
    }
    r->st->units++;
    if (r->udp)
        return put(r, p, len);
    if (r->out_len + len > sizeof r->out) {
        int rc = flush(r);
        if (rc)
            return rc;
    }
    if (len > sizeof r->out)
        return put(r, p, len);
    memcpy(r->out + r->out_len, p, len);
    r->out_len += len;
    return 0;
}

static int next(struct run *r, struct input *in)
{
    int rc = feed_src_next_unit(in->src, &in->u);
    if (rc < 0) {
        set_err(r, "%s: %s", in->spec, feed_src_error(in->src));
        in->live = 0;
        return CAIRN_E_IO;
    }
    in->live = rc == 1;
    return 0;
}

/* The merge key of an input's next unit: undated units first. */
static int64_t key(const struct input *in)
{
    return in->u.t_ms == FEED_UNIT_NO_TIME ? INT64_MIN : in->u.t_ms + in->off_ms;
}

static int open_inputs(struct run *r, struct input *in, char *const *inputs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct feed_src_opts so;
        memset(&so, 0, sizeof so);
        in[i].spec = inputs[i];
        if (feed_spec_parse(inputs[i], &so.fmt, &so.path) != 0) {
            set_err(r, "%s: no path", inputs[i]);
            return CAIRN_E_INVAL;
        }
        so.units = 1;
        char why[256];
        int rc = feed_src_open(&so, &in[i].src, why, sizeof why);
        if (rc != 0) {
            set_err(r, "%s: %s", inputs[i], why);
            return rc == CAIRN_E_INVAL ? CAIRN_E_INVAL : CAIRN_E_IO;
        }
        in[i].fmt = feed_src_fmt(in[i].src);
        enum feed_fmt as = in[i].fmt == FEED_PCAP ? FEED_ASTERIX : in[i].fmt;
        if (r->o->want != FEED_AUTO && as != r->o->want) {
            set_err(r, "%s is %s, the sensor takes %s", inputs[i], feed_fmt_name(in[i].fmt),
                    feed_fmt_name(r->o->want));
            return CAIRN_E_INVAL;
        }
        if (i && (as == FEED_ASTERIX) != (in[0].fmt == FEED_PCAP || in[0].fmt == FEED_ASTERIX)) {
            set_err(r, "%s: ASTERIX goes over UDP, the other formats over TCP: one kind a run",
                    inputs[i]);
            return CAIRN_E_INVAL;
        }
        if ((rc = next(r, &in[i])) != 0)
            return rc;
    }
    /* relative inputs start with the earliest absolute one */
    int64_t base = INT64_MAX;
    for (size_t i = 0; i < n; i++)
        if (!feed_src_relative(in[i].src) && in[i].live && in[i].u.t_ms != FEED_UNIT_NO_TIME &&
            in[i].u.t_ms < base)
            base = in[i].u.t_ms;
    for (size_t i = 0; i < n; i++)
        if (feed_src_relative(in[i].src) && base != INT64_MAX)
            in[i].off_ms = base;
    return 0;
}

int app_replay_to_run(const struct app_replay_to_opts *o, char *const *inputs, size_t n,
                      struct app_replay_to_stats *st, char *err, size_t errcap)
{
    memset(st, 0, sizeof *st);
    struct run *r = calloc(1, sizeof *r);
    struct input *in = calloc(n ? n : 1, sizeof *in);
    int rc = 0;
    if (!r || !in) {
        snprintf(err, errcap, "out of memory");
        free(r);
        free(in);
        return CAIRN_E_NOMEM;
    }
    r->o = o;
    r->st = st;
    r->fd = -1;
    r->err = err;
    r->errcap = errcap;
    err[0] = 0;
    addr_format((const struct sockaddr *)&o->to.ss, r->to, sizeof r->to);
    if (n == 0 || n > APP_REPLAY_TO_MAX_INPUTS) {
        set_err(r, "1 to %d recordings", APP_REPLAY_TO_MAX_INPUTS);
        rc = CAIRN_E_INVAL;
        goto done;
    }
    if ((rc = open_inputs(r, in, inputs, n)) != 0)
        goto done;
    int ax = in[0].fmt == FEED_PCAP || in[0].fmt == FEED_ASTERIX;
    r->udp = o->proto ? o->proto == APP_REPLAY_UDP : ax;
    if ((rc = dial(r)) != 0)
        goto done;
    int64_t t0 = INT64_MIN, wall0 = 0, t_last = 0;
    for (;;) {
        struct input *best = NULL;
        for (size_t i = 0; i < n; i++)
            if (in[i].live && (!best || key(&in[i]) < key(best)))
                best = &in[i];
        if (!best)
            break;
        int64_t t = key(best);
        if (t == INT64_MIN) {
            st->no_time++;
        } else {
            if (t0 == INT64_MIN) {
                t0 = t;
                wall0 = mono_ms();
            }
            if (o->speed > 0) {
                int64_t due = wall0 + (int64_t)((double)(t - t0) / o->speed);
                if (due > mono_ms()) {
                    if ((rc = flush(r)) != 0 || (rc = wait_until(r, due)) != 0)
                        break;
                }
            }
            if (t > t_last)
                t_last = t;
        }
        if (stopping(r)) {
            rc = 1;
            break;
        }
        if ((rc = emit(r, best)) != 0 || (rc = next(r, best)) != 0)
            break;
    }
    if (rc == 0)
        rc = flush(r);
    if (rc == 1) {
        st->stopped = 1;
        rc = 0;
    }
    if (t0 != INT64_MIN) {
        st->wall_ms = mono_ms() - wall0;
        st->data_ms = t_last - t0;
    }
done:
    if (r->fd >= 0)
        close(r->fd);
    for (size_t i = 0; i < n; i++)
        feed_src_close(in[i].src);
    free(in);
    free(r);
    return rc;
}
