/*
 * link.c — hotline link sessions over libevent and OpenSSL.
 *
 * One struct hl_conn per TCP/TLS connection, one struct hl_peer per roster
 * centre. A connection goes HANDSHAKE → HELLO → OPEN → CLOSING → freed; a
 * peer owns at most one OPEN connection (its session) and at most one
 * outbound connection being set up. The protocol, the states and the
 * invariants (L1..L12 cited in comments) are in docs/hotline-link.md.
 *
 * Admission (docs/hotline-link.md, section 3, "Admission"). The peer can be
 * recognised only once TLS has proven its certificate, so what protects it
 * from a flood of connections is how the not-yet-proven ones are treated:
 *
 *   A1. An inbound connection is unauthenticated from accept until its
 *       session is OPEN (roster certificate and a valid HELLO). Outbound
 *       connections (we dialled a roster address) and OPEN sessions never
 *       count against the budgets below and are never evicted.
 *   A2. Every connection not OPEN within handshake_ms is closed
 *       (handshake_timeouts_total for inbound ones); an outbound one gets
 *       OUTBOUND_QUEUE_MS more, its wait in the peer's accept queue (A5).
 *       TCP_DEFER_ACCEPT holds a connection in the kernel until its first
 *       bytes (TLS: the client speaks first); one handed over with nothing
 *       to read was silent for the whole deadline and is closed without
 *       taking a slot.
 *   A3. At most unauth_max unauthenticated connections at once. A new one
 *       is never refused for that: the oldest evictable one is closed
 *       to make room (unauth_evicted_total). Evictable = still in the TLS
 *       handshake; one that proved a roster certificate (HELLO state) is
 *       not.
 *   A4. At most unauth_per_source of them from one source (IPv4 address,
 *       IPv6 /64: src_key); the same eviction, within that source
 *       (source_limited_total).
 *   A5. Accepts are paced (ACCEPT_BURST per ACCEPT_PERIOD_MS), the rest
 *       wait in order in the kernel's queue. So the roster peer's
 *       reconnect is always admitted, after the connections queued ahead
 *       of it, and then outlives unauth_per_source newer ones from its
 *       address (640 ms at the paced rate), time to finish its handshake;
 *       a flood can only make it retry (L6), never lock it out.
 *   A6. Refused or failed inbound connections are logged one by one at
 *       most LOG_BURST times per source per LOG_WINDOW_MS, then summed up in
 *       one line per source and window ("1,646 refused from 127.0.0.1 in
 *       the last 10 s"); every one is counted. No peer-supplied byte
 *       reaches a log line unescaped.
 *
 * Time: every duration the link decides on is read from cfg.mono (a
 * struct cairn_clock in monotonic ms); libevent timers only wake the link
 * up to look at that clock, and hl_link_tick runs the same checks at once
 * (tests on a fake clock). The one exception is CLOSE_FLUSH_MS, a libevent
 * timeout bounding how long a closing connection may flush.
 *
 * References: RFC 8446 (TLS 1.3); libevent 2.1 bufferevent_openssl,
 * evconnlistener; hotline/journal.h for group commit and acceptance rules.
 */
#include "hotline/link.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sodium.h>

#include "base/addr.h"
#include "base/error.h"
#include "base/log.h"

#define MOD "hotline"

/* Stop queueing frames when this much output is waiting (bytes): the
 * bounded send window in bytes, beside the window in frames. 256 KiB is
 * some hundreds of messages, tens of ms of loopback TLS. */
#define OUT_HIGH_WM (256u * 1024u)
/* Frames read in one turn are bounded by the input watermark: one maximal
 * frame plus its header (and a little slack for the next header). */
#define IN_HIGH_WM (HL_FRAME_MAX_LEN + 2u * HL_FRAME_HDR_LEN)
/* Admission defaults (A2-A4). TLS 1.3 and HELLO take two round trips and
 * two signatures: milliseconds on loopback, well under a second between
 * centres; 3 s leaves room for a loaded host and still clears a stalled
 * handshake quickly. A roster has a handful of centres, each dialling at
 * most once at a time, so the slots are for the flood's sake: an address
 * flooding holds at most half of them (the others stay for everyone else),
 * and a peer that shares its address with a flood survives 128 newer
 * connections from it (see ACCEPT_BURST). A slot costs one SSL object in
 * its handshake and two empty buffers, some tens of KiB: 256 of them are
 * a few MiB. */
#define HANDSHAKE_MS_DEFAULT      3000
#define UNAUTH_MAX_DEFAULT        256u
#define UNAUTH_PER_SOURCE_DEFAULT 128u
#define UNAUTH_MAX_LIMIT          4096u
/* Pending connections the kernel may queue for accept(): a burst larger
 * than this makes the kernel drop SYNs, and a dropped SYN costs the client
 * a 1 s retransmission, so it is large (the kernel caps it at somaxconn). */
#define LISTEN_BACKLOG 1024
/* Accept pacing (A5): at most ACCEPT_BURST accepts per ACCEPT_PERIOD_MS
 * (200 a second); the rest wait, in order, in the kernel's queue. Why: the
 * peer cannot be told from a flooder before its TLS handshake is done, so
 * under a flood from its own address its connection survives only until
 * unauth_per_source newer ones have evicted it (A4): 128 / 200 per s =
 * 640 ms, time for the peer to answer the server's TLS flight (one round
 * trip and a signature) even on a loaded host. Each accepted flooder that
 * sends a ClientHello costs a key exchange and a signature: 200 a second
 * is a fifth of a core (ASan build) to a twentieth (release). Unpaced, libevent's listener accepts
 * the whole queue in one go (hundreds) and the peer's connection would be evicted before it read a
 * byte. The price is the wait in the queue, N / 200 s for N flood connections queued ahead (idle
 * ones do not queue at all: TCP_DEFER_ACCEPT). */
#define ACCEPT_BURST     2
#define ACCEPT_PERIOD_MS 10
/* A2 for our outbound connections: the peer accepts them only after the
 * connections queued ahead in its kernel (A5), so their deadline adds the
 * time the peer's paced listener takes to accept a full backlog (1,024 /
 * 200 per s = 5,120 ms). With handshake_ms alone, a flood that kept more
 * than handshake_ms of accepts queued at the peer made every dial time out
 * in the queue before the peer accepted it: locked out. That took ~730
 * stalled handshakes at the paced rate (128 held, the rest queued), and
 * only 2 x handshake_ms x rate on a host too loaded to hold 128 (the 167 of
 * test_hl_flood at 25 accepts/s, an ASan build on two busy cores). */
#define OUTBOUND_QUEUE_MS ((int64_t)LISTEN_BACKLOG * ACCEPT_PERIOD_MS / ACCEPT_BURST)
/* Log rate limit per source (A6): detailed lines per window, window (ms). */
#define LOG_BURST     10u
#define LOG_WINDOW_MS 10000
/* Messages fetched from the journal per query while pumping. */
#define PUMP_CHUNK 128u
/* A closing connection gets this long to flush its last frames (ms). */
#define CLOSE_FLUSH_MS 1000
/* Group commit (L3): frames read are applied in one open transaction that
 * is committed when no connection has more input ready (a low-priority
 * event), or at once past these bounds: one fsync then covers every message
 * and receipt read since the last one. 1024 items of a few hundred bytes
 * are well under a second of traffic; 10 ms bounds the receipt delay. */
#define BATCH_MAX_ITEMS  1024
#define BATCH_MAX_AGE_MS 10
/* libevent priorities: everything at the default middle one, the commit
 * at the lowest, so it runs only in a turn with no I/O ready. */
#define PRIO_LEVELS 3
#define PRIO_COMMIT 2

enum conn_state { CS_HANDSHAKE, CS_HELLO, CS_OPEN, CS_CLOSING };

static const char *const conn_state_names[] = {"handshake", "hello", "open", "closing"};

struct hl_peer;

struct hl_conn {
    struct hl_link *l;
    struct bufferevent *bev;
    struct hl_peer *peer; /* known after the certificate check; NULL before */
    int outbound;         /* 1: we dialled */
    enum conn_state st;
    char where[HL_ADDR_MAX + 1];  /* "ip:port" of the other end, for log lines */
    int64_t last_rx_ms;           /* cfg.mono time of the last bytes read */
    int64_t opened_ms;            /* cfg.mono time of the accept or dial */
    int64_t last_hb_ms;           /* cfg.mono time of the last HEARTBEAT probe sent */
    uint64_t src_key;             /* inbound: src_key() of the source address */
    char src_text[ADDR_TEXT_LEN]; /* inbound: the source address, for logs */
    struct event *tick;           /* heartbeat and handshake timeout */
    struct event *reap;           /* frees the connection outside its callbacks */
    uint64_t tx_next;             /* next seq to send (L4) */
    uint64_t acked;               /* highest seq receipted with no gap (from our journal) */
    uint64_t hb_nonce;
    uint64_t peer_incarnation; /* from the peer's HELLO */
    struct hl_hello hello;     /* the peer's HELLO (L11 compares it with our journal) */
    uint64_t heal_upto;        /* resending seqs up to this one the peer lost (L11) */
    uint64_t dups;             /* duplicates in the current batch (one log line) */
    struct dbuf pending;       /* frames produced in the open batch, sent after commit */
    /* Receiver: messages (new or duplicate) read in the open batch; one
     * cumulative receipt for the peer's head answers them all (L3). */
    uint64_t rcpt_due;
    int in_batch; /* took part in the open batch */
    /* A refusal decided while reading: the turn finishes (commit, receipts
     * for what was accepted), then the connection closes with this. */
    int quiet; /* log the close at debug level (repeated dial failures) */
    int fail_err;
    uint64_t fail_seq;
    char fail_why[128];
    struct hl_conn *next; /* the link's list */
};

struct hl_peer {
    struct hl_link *l;
    const struct hl_centre *c; /* borrowed from the roster */
    struct hl_conn *active;    /* the OPEN session, or NULL (L1) */
    struct hl_conn *dialling;  /* our outbound connection being set up */
    struct event *dial_ev;
    int64_t dial_at_ms; /* cfg.mono time the scheduled dial is due */
    unsigned attempts;  /* consecutive failed dials (backoff exponent) */
    uint64_t pic_seq;   /* last PICTURE seq taken from the open session (L12) */
    uint64_t ckpt_done; /* head count of our last checkpoint countersigned */
    uint64_t ckpt_sent; /* count of the last checkpoint we sent */
    int ckpt_wanted;    /* a checkpoint is to be sent soon (session open, every N) */
    /* on_delivered has been called for seqs 1..reported. Deliveries are
     * read back from the journal after each commit that stored a receipt
     * from p (rcpt_in_batch), not kept per connection: a connection that
     * closes after its receipts were stored in the open batch must not take
     * their notification with it (L3: the batch still commits). */
    uint64_t reported;
    int rcpt_in_batch;
};

/* One source address of inbound connections: its log window (A6). */
struct link_src {
    uint64_t key;             /* src_key() of the address */
    char text[ADDR_TEXT_LEN]; /* the address, for the summary line */
    int64_t t0_ms;            /* start of the window (cfg.mono) */
    uint64_t refused;         /* refused or failed in the window */
    uint32_t logged;          /* of which logged one by one */
};

struct hl_link {
    struct event_base *base;
    struct hl_link_config cfg;
    struct hl_tls tls;
    struct evconnlistener *listener;
    int listen_port;
    struct hl_peer peers[HL_ROSTER_MAX];
    size_t n_peers;
    struct hl_conn *conns;
    size_t n_conns;
    struct event *ckpt_ev;      /* periodic checkpoints; the due time is in the journal */
    struct event *ckpt_soon_ev; /* checkpoints wanted now (peer->ckpt_wanted) */
    struct hl_link_stats st;
    /* Log rate limit per source (A6); at most 2 × unauth_max + 1 entries in
     * use: a source with a connection open or a window to summarise. */
    struct link_src *srcs;
    size_t n_srcs;
    struct event *admit_ev;    /* flushes the log windows */
    struct event *relisten_ev; /* re-enables the paced listener */
    int64_t accept_t0_ms;      /* start of the current pacing period (cfg.mono) */
    int period_accepts;        /* accepts in it */
    int listen_paused;
    int defer_accept;        /* TCP_DEFER_ACCEPT is set on the listener */
    int64_t ckpt_due_utc_ms; /* next periodic checkpoint (journal clock; kept in the journal) */
    uint64_t incarnation;    /* random per link: tells peers we restarted */
    /* The open journal batch (group commit), shared by all connections. */
    int batch_open;
    int batch_appends; /* the caller appended in it: nothing may be sent before commit */
    size_t batch_items;
    int64_t batch_t0_ms;
    struct event *commit_ev;
    struct hl_msg scratch; /* big: kept here, not on the stack */
};

static void conn_close(struct hl_conn *c, int err, uint64_t seq, const char *why);
static void conn_pump(struct hl_conn *c);
static void link_commit(struct hl_link *l);
static void peer_schedule_dial(struct hl_peer *p);
static void ckpt_want(struct hl_peer *p);

/* ---- small helpers ---- */

static int64_t now_utc_ms(const struct hl_link *l)
{
    return clock_now_ms(l->cfg.clock);
}

/* The link's monotonic time (ms): every duration it decides on. */
static int64_t now_ms(const struct hl_link *l)
{
    return clock_now_ms(l->cfg.mono);
}

static struct timeval tv_ms(int64_t ms)
{
    if (ms < 0)
        ms = 0;
    struct timeval tv = {(time_t)(ms / 1000), (suseconds_t)((ms % 1000) * 1000)};
    return tv;
}

/* The source of an inbound connection, for the per-source budget and log
 * window (A4, A6): the IPv4 address, or the /64 prefix of an IPv6 address
 * (one site's hosts share a /64: counting them apart would hand a flooder
 * 2^64 budgets). */
static uint64_t src_key(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET)
        return (uint64_t)ntohl(((const struct sockaddr_in *)(const void *)sa)->sin_addr.s_addr);
    if (sa->sa_family == AF_INET6) {
        const uint8_t *b = ((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr.s6_addr;
        uint64_t k = 0;
        for (int i = 0; i < 8; i++)
            k = k << 8 | b[i];
        return k | 1ull << 63 | 1; /* never equal to an IPv4 key */
    }
    return 0;
}

/* The source's address without the port, for logs. */
static void src_text(const struct sockaddr *sa, char *out, size_t cap)
{
    char ip[INET6_ADDRSTRLEN] = "?";
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, ip,
                  sizeof ip);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, ip,
                  sizeof ip);
    snprintf(out, cap, "%s", ip);
}

static struct hl_peer *peer_by_fp(struct hl_link *l, const uint8_t fp[HL_FP_LEN])
{
    for (size_t i = 0; i < l->n_peers; i++)
        if (!memcmp(l->peers[i].c->tls_fp, fp, HL_FP_LEN))
            return &l->peers[i];
    return NULL;
}

/* TLS pin callback: the fingerprint of a roster centre other than self. */
static int pin_ok(void *arg, const uint8_t fp[HL_FP_LEN])
{
    return peer_by_fp(arg, fp) != NULL;
}

static const char *peer_name(const struct hl_conn *c)
{
    return c->peer ? c->peer->c->name : c->where;
}

/* Queue one frame on the connection's output. */
static void conn_send(struct hl_conn *c, enum hl_frame_type t, const void *p, size_t n)
{
    uint8_t hdr[HL_FRAME_HDR_LEN];
    hl_frame_put_header(hdr, t, (uint32_t)n);
    struct evbuffer *out = bufferevent_get_output(c->bev);
    evbuffer_add(out, hdr, sizeof hdr);
    if (n)
        evbuffer_add(out, p, n);
}

/* Queue one frame in c's pending buffer (released after commit). */
static int pending_add(struct hl_conn *c, enum hl_frame_type t, const void *p, size_t n)
{
    uint8_t hdr[HL_FRAME_HDR_LEN];
    hl_frame_put_header(hdr, t, (uint32_t)n);
    int rc = dbuf_add(&c->pending, hdr, sizeof hdr);
    if (rc == 0 && n)
        rc = dbuf_add(&c->pending, p, n);
    return rc;
}

static void conn_send_error(struct hl_conn *c, int err, uint64_t seq, const char *text)
{
    struct hl_error e = {.code = err, .seq = seq};
    snprintf(e.text, sizeof e.text, "%s", text ? text : cairn_strerror(err));
    uint8_t buf[HL_ERROR_MAX_LEN];
    int n = hl_error_encode(&e, buf, sizeof buf);
    if (n > 0)
        conn_send(c, HL_FT_ERROR, buf, (size_t)n);
}

/* Record a refusal; the read turn stops and closes the connection after
 * its commit. Returns -1 for the caller to return. */
static int conn_fail(struct hl_conn *c, int err, uint64_t seq, const char *why)
{
    if (!c->fail_err) {
        c->fail_err = err;
        c->fail_seq = seq;
        snprintf(c->fail_why, sizeof c->fail_why, "%s", why ? why : "");
    }
    return -1;
}

/* ---- admission: log windows per source (A6) ---- */

/* "1646" as "1,646". */
static void fmt_thousands(char *out, size_t cap, uint64_t v)
{
    char digits[24];
    int n = snprintf(digits, sizeof digits, "%llu", (unsigned long long)v);
    size_t o = 0;
    for (int i = 0; i < n && o + 1 < cap; i++) {
        if (i > 0 && (n - i) % 3 == 0 && o + 2 < cap)
            out[o++] = ',';
        out[o++] = digits[i];
    }
    out[o] = 0;
}

static void src_summarise(struct hl_link *l, struct link_src *e, int64_t now)
{
    if (e->refused > e->logged) {
        char n[32];
        fmt_thousands(n, sizeof n, e->refused);
        log_warn(MOD, "%s refused from %s in the last %lld s (%u logged one by one)", n, e->text,
                 (long long)((now - e->t0_ms + 999) / 1000), e->logged);
    }
    (void)l;
    e->refused = 0;
    e->logged = 0;
    e->t0_ms = now;
}

/* Close the windows that are over; drop the entries with nothing left to
 * say, so the table holds only recent sources. */
static void src_flush(struct hl_link *l, int all)
{
    int64_t now = now_ms(l);
    for (size_t i = 0; i < l->n_srcs;) {
        struct link_src *e = &l->srcs[i];
        if (all || now - e->t0_ms >= LOG_WINDOW_MS) {
            int had = e->refused > 0;
            src_summarise(l, e, now);
            if (!had || all) {
                l->srcs[i] = l->srcs[--l->n_srcs];
                continue;
            }
        }
        i++;
    }
}

/* A refused or failed inbound connection from the source (key, text): 1
 * if it may be logged one by one, 0 if it is only counted (A6). */
static int src_note_refusal(struct hl_link *l, uint64_t key, const char *text)
{
    int64_t now = now_ms(l);
    size_t cap = 2u * l->cfg.unauth_max + 1u;
    struct link_src *e = NULL;
    for (size_t i = 0; i < l->n_srcs && !e; i++)
        if (l->srcs[i].key == key)
            e = &l->srcs[i];
    if (!e) {
        if (l->n_srcs == cap)
            src_flush(l, 0);
        if (l->n_srcs == cap) /* many sources at once: the oldest window is cut short */
        {
            size_t old = 0;
            for (size_t i = 1; i < l->n_srcs; i++)
                if (l->srcs[i].t0_ms < l->srcs[old].t0_ms)
                    old = i;
            src_summarise(l, &l->srcs[old], now);
            l->srcs[old] = l->srcs[--l->n_srcs];
        }
        e = &l->srcs[l->n_srcs++];
        memset(e, 0, sizeof *e);
        e->key = key;
        snprintf(e->text, sizeof e->text, "%s", text);
        e->t0_ms = now;
    } else if (now - e->t0_ms >= LOG_WINDOW_MS)
        src_summarise(l, e, now);
    e->refused++;
    if (e->logged < LOG_BURST) {
        e->logged++;
        return 1;
    }
    return 0;
}

static void admit_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    src_flush(arg, 0);
}

/* ---- connection lifecycle ---- */

static void conn_free(struct hl_conn *c)
{
    struct hl_link *l = c->l;
    for (struct hl_conn **pp = &l->conns; *pp; pp = &(*pp)->next)
        if (*pp == c) {
            *pp = c->next;
            l->n_conns--;
            break;
        }
    if (c->peer && c->peer->active == c)
        c->peer->active = NULL;
    if (c->peer && c->peer->dialling == c)
        c->peer->dialling = NULL;
    if (c->tick)
        event_free(c->tick);
    if (c->reap)
        event_free(c->reap);
    if (c->bev)
        bufferevent_free(c->bev); /* frees the SSL and closes the socket */
    dbuf_free(&c->pending);
    free(c);
}

static void reap_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct hl_conn *c = arg;
    struct hl_peer *p = c->peer;
    int was_dialling = p && p->dialling == c;
    conn_free(c);
    /* L6: a peer with no session and no dial in progress gets a dial. */
    if (p && !p->active && (was_dialling || !p->dialling))
        peer_schedule_dial(p);
}

static void closing_write_cb(struct bufferevent *bev, void *arg)
{
    (void)bev;
    struct hl_conn *c = arg;
    struct timeval tv = {0, 0};
    event_add(c->reap, &tv);
}

/*
 * Close c: log why (err 0 = orderly), tell the peer when err != 0 and the
 * connection is past the handshake, let the output flush (bounded by
 * CLOSE_FLUSH_MS), then free it from the reap event, never from inside a
 * callback of its own bufferevent.
 */
static void conn_close(struct hl_conn *c, int err, uint64_t seq, const char *why)
{
    struct hl_link *l = c->l;
    if (c->st == CS_CLOSING)
        return;
    if (c->st == CS_OPEN) {
        l->st.sessions_closed++;
        if (l->cfg.hooks.on_session && c->peer && c->peer->active == c)
            l->cfg.hooks.on_session(l->cfg.hooks.arg, c->peer->c->name, 0);
    }
    if (c->peer && c->peer->active == c)
        c->peer->active = NULL;
    if (err && !c->outbound && c->st != CS_OPEN && !src_note_refusal(l, c->src_key, c->src_text))
        ; /* counted; summed up at the end of the source's window (A6) */
    else if (err && c->quiet)
        log_debug(MOD, "closing %s connection with %s (%s): %s%s%s",
                  c->outbound ? "outbound" : "inbound", peer_name(c), conn_state_names[c->st],
                  cairn_errname(err), why ? ": " : "", why ? why : "");
    else if (err)
        log_warn(MOD, "closing %s connection with %s (%s): %s%s%s",
                 c->outbound ? "outbound" : "inbound", peer_name(c), conn_state_names[c->st],
                 cairn_errname(err), why ? ": " : "", why ? why : "");
    else
        log_info(MOD, "closing %s connection with %s%s%s", c->outbound ? "outbound" : "inbound",
                 peer_name(c), why ? ": " : "", why ? why : "");
    int can_talk = c->st == CS_HELLO || c->st == CS_OPEN;
    c->st = CS_CLOSING;
    c->in_batch = 0; /* what it read stays in the batch; its receipts are not sent */
    dbuf_reset(&c->pending);
    c->rcpt_due = 0;
    event_del(c->tick);
    if (can_talk && err)
        conn_send_error(c, err, seq, why);
    bufferevent_disable(c->bev, EV_READ);
    if (can_talk && evbuffer_get_length(bufferevent_get_output(c->bev)) > 0) {
        bufferevent_setwatermark(c->bev, EV_WRITE, 0, 0);
        bufferevent_setcb(c->bev, NULL, closing_write_cb, NULL, c);
        struct timeval tv = {CLOSE_FLUSH_MS / 1000, (CLOSE_FLUSH_MS % 1000) * 1000};
        event_add(c->reap, &tv);
    } else {
        bufferevent_setcb(c->bev, NULL, NULL, NULL, NULL);
        struct timeval tv = {0, 0};
        event_add(c->reap, &tv);
    }
}

static void conn_send_hello(struct hl_conn *c)
{
    struct hl_link *l = c->l;
    struct hl_hello h = {.version = HL_PROTO_VERSION,
                         .t_utc_ms = now_utc_ms(l),
                         .window = l->cfg.window,
                         .incarnation = l->incarnation};
    snprintf(h.from, sizeof h.from, "%s", l->cfg.self->name);
    snprintf(h.to, sizeof h.to, "%s", c->peer->c->name);
    uint8_t hash[HL_HASH_LEN];
    hl_journal_head(l->cfg.journal, HL_DIR_IN, c->peer->c->name, &h.rx_have, hash);
    hl_journal_head(l->cfg.journal, HL_DIR_OUT, c->peer->c->name, &h.tx_head, hash);
    hl_journal_delivered_upto(l->cfg.journal, c->peer->c->name, &h.tx_acked);
    if (h.tx_acked > h.tx_head) /* cannot happen in a sound journal; keep HELLO valid */
        h.tx_acked = h.tx_head;
    uint8_t buf[HL_HELLO_MAX_LEN];
    int n = hl_hello_encode(&h, buf, sizeof buf);
    if (n > 0)
        conn_send(c, HL_FT_HELLO, buf, (size_t)n);
}

/* TLS is up: identify the peer by its certificate (L2) and say HELLO. */
static void conn_on_connected(struct hl_conn *c)
{
    struct hl_link *l = c->l;
    SSL *ssl = bufferevent_openssl_get_ssl(c->bev);
    uint8_t fp[HL_FP_LEN];
    struct hl_peer *p = NULL;
    if (hl_tls_peer_fp(ssl, fp) == 0)
        p = peer_by_fp(l, fp);
    if (!p) { /* the verify callback should have refused it already */
        l->st.handshake_failures++;
        conn_close(c, CAIRN_E_AUTH, 0, "peer certificate not on the roster");
        return;
    }
    if (c->outbound && c->peer != p) {
        l->st.handshake_failures++;
        conn_close(c, CAIRN_E_AUTH, 0, "certificate is not the dialled centre's");
        return;
    }
    c->peer = p;
    c->st = CS_HELLO;
    log_debug(MOD, "TLS up with %s (%s, %s)", p->c->name, c->where, SSL_get_version(ssl));
    conn_send_hello(c);
}

/* One alarm of L11: log line, counter (by the caller), hook (alert record). */
static void lost_alarm(struct hl_conn *c, const char *who, const char *from, const char *to,
                       uint64_t first, uint64_t last, int healed)
{
    struct hl_link *l = c->l;
    log_err(MOD,
            "ALARM: journal of %s lost messages %s->%s seq %llu..%llu that were stored and "
            "receipted (restored from an older copy?): %s",
            who, from, to, (unsigned long long)first, (unsigned long long)last,
            healed ? (strcmp(from, l->cfg.self->name) == 0 ? "resending them from our journal"
                                                           : "the peer resends them")
                   : "NOT healed automatically: the sender itself lacks them");
    if (l->cfg.hooks.on_lost)
        l->cfg.hooks.on_lost(l->cfg.hooks.arg, c->peer->c->name, who, from, to, first, last,
                             healed);
}

/*
 * L11: compare the peer's HELLO with our committed journal. A journal
 * restored from an older copy (or one that lost its WAL) comes back without
 * messages it stored and receipted; both ends see it here, raise the alarm,
 * and the sender rewinds its cursor to what the peer really holds and
 * resends from its own journal (the receiver stores them again and issues
 * fresh receipts; the sender keeps the receipts it already holds).
 */
static void conn_check_lost(struct hl_conn *c, int same_run)
{
    struct hl_link *l = c->l;
    const struct hl_hello *h = &c->hello;
    const char *me = l->cfg.self->name, *peer = c->peer->c->name;
    uint64_t in_head = 0, out_head = 0;
    uint8_t hash[HL_HASH_LEN];
    if (hl_journal_head(l->cfg.journal, HL_DIR_IN, peer, &in_head, hash) != 0 ||
        hl_journal_head(l->cfg.journal, HL_DIR_OUT, peer, &out_head, hash) != 0)
        return;
    /* The peer holds less of ours than it receipted: it lost them, we resend.
     * Only across a restart of the peer (a new incarnation): a journal is
     * rolled back only by restoring it while its centre is down, and while
     * another session of the same run is open its receipts may postdate
     * this HELLO (no false alarm). */
    if (!same_run && h->rx_have < c->acked) {
        l->st.peer_lost++;
        lost_alarm(c, peer, me, peer, h->rx_have + 1, c->acked, 1);
        c->heal_upto = c->acked;
        l->st.msgs_healed += c->acked - h->rx_have;
        c->acked = h->rx_have;
        c->tx_next = h->rx_have + 1;
    }
    /* The peer holds our receipts for more than we hold: we lost them; it
     * resends them (it runs the branch above). */
    if (h->tx_acked > in_head) {
        l->st.self_lost++;
        lost_alarm(c, me, peer, me, in_head + 1, h->tx_acked, 1);
    }
    /* A sender that lost its own messages cannot resend them, and its next
     * ones would reuse their seqs (refused as replays): alarm only. */
    if (h->rx_have > out_head) {
        l->st.self_lost++;
        lost_alarm(c, me, me, peer, out_head + 1, h->rx_have, 0);
    }
    if (!same_run && h->tx_head < in_head) {
        l->st.peer_lost++;
        lost_alarm(c, peer, peer, me, h->tx_head + 1, in_head, 0);
    }
}

/*
 * Both HELLOs are in: the connection becomes p's session, unless p already
 * has one. Tie-break (L1): of two sessions initiated by different sides,
 * the one initiated by the centre whose name sorts first (strcmp) wins; of
 * two initiated by the same side, the newer wins (the older is stale).
 * Both ends apply the same rule to the same two connections, so they agree.
 */
static int conn_open_session(struct hl_conn *c)
{
    struct hl_link *l = c->l;
    struct hl_peer *p = c->peer;
    struct hl_conn *e = p->active;
    /* an open session of the same peer run: its HELLO numbers may lag (L11) */
    int same_run = e && e->peer_incarnation == c->peer_incarnation;
    if (e) {
        int i_am_first = strcmp(l->cfg.self->name, p->c->name) < 0;
        struct hl_conn *winner;
        if (e->peer_incarnation != c->peer_incarnation)
            winner = c; /* the peer restarted: e is a leftover of its previous run */
        else if (e->outbound != c->outbound)
            winner = (c->outbound == i_am_first) ? c : e;
        else
            winner = c;
        struct hl_conn *loser = winner == c ? e : c;
        l->st.races_resolved++;
        log_info(MOD, "two sessions with %s: keeping the one %s initiated", p->c->name,
                 winner->outbound ? l->cfg.self->name : p->c->name);
        if (loser == c) {
            conn_close(c, 0, 0, "superseded by the other session");
            return -1;
        }
        conn_close(e, 0, 0, "superseded by a newer session");
    }
    if (p->dialling == c)
        p->dialling = NULL;
    /* The cursors below must come from committed state: a receipt still in
     * the open batch could yet be rolled back (full disk). */
    link_commit(l);
    if (c->st != CS_HELLO)
        return -1; /* the commit failed and closed it */
    p->active = c;
    p->pic_seq = 0; /* a new session: the peer's picture counter may restart (L12) */
    /* The backoff is reset only once the session proves useful (a batch
     * committed, or a quiet session lasting two heartbeats): a peer that
     * opens sessions and then fails them (full disk) is retried slower. */
    c->st = CS_OPEN;
    l->st.sessions_opened++;
    /* L4: resend everything without a receipt, from the oldest. */
    hl_journal_delivered_upto(l->cfg.journal, p->c->name, &c->acked);
    c->tx_next = c->acked + 1;
    conn_check_lost(c, same_run);
    ckpt_want(p);
    if (l->cfg.hooks.on_session)
        l->cfg.hooks.on_session(l->cfg.hooks.arg, p->c->name, 1);
    return 0;
}

/* ---- frames in ---- */

static int handle_hello(struct hl_conn *c, const struct hl_frame *f)
{
    struct hl_link *l = c->l;
    struct hl_hello h;
    if (hl_hello_decode(f->payload, f->len, &h) != 0) {
        l->st.frames.malformed++;
        l->st.proto_violations++;
        return conn_fail(c, CAIRN_E_FORMAT, 0, "undecodable HELLO");
    }
    if (strcmp(h.from, c->peer->c->name) != 0) {
        l->st.hello_refused++;
        log_warn(MOD, "HELLO from %s claims to be %s%s", c->peer->c->name, h.from,
                 hl_roster_find(l->cfg.roster, h.from) ? "" : " (not on the roster)");
        return conn_fail(c, CAIRN_E_ROSTER, 0, "HELLO names another centre than the certificate");
    }
    if (strcmp(h.to, l->cfg.self->name) != 0) {
        l->st.hello_refused++;
        return conn_fail(c, CAIRN_E_ROSTER, 0, "HELLO is addressed to another centre");
    }
    c->peer_incarnation = h.incarnation;
    c->hello = h;
    int64_t skew = h.t_utc_ms - now_utc_ms(l);
    log_info(MOD,
             "session with %s up (%s, %s): peer holds our 1..%llu, has receipted 1..%llu of "
             "its %llu; clock difference %lld ms",
             h.from, c->outbound ? "outbound" : "inbound", c->where, (unsigned long long)h.rx_have,
             (unsigned long long)h.tx_acked, (unsigned long long)h.tx_head, (long long)skew);
    return conn_open_session(c);
}

/* Refusal of an incoming message: one log line, counters, ERROR, close (L7). */
static void refuse_msg(struct hl_conn *c, int rc, const struct hl_frame *f)
{
    struct hl_link *l = c->l;
    l->st.msgs_rejected++;
    if (rc == CAIRN_E_NOSPACE)
        l->st.nospace++;
    /* Best effort: name the seq the peer meant, for its log. */
    uint64_t seq = 0;
    if (hl_msg_decode(&l->scratch, f->payload, f->len) == 0)
        seq = l->scratch.seq;
    char why[96];
    snprintf(why, sizeof why, "message seq %llu refused: %s", (unsigned long long)seq,
             cairn_strerror(rc));
    conn_fail(c, rc, seq, why);
}

static int handle_msg(struct hl_conn *c, const struct hl_frame *f)
{
    struct hl_link *l = c->l;
    /* L7 and L2: a session carries its own peer's messages only. A roster
     * centre relaying another centre's message (validly signed by that
     * centre) is refused before the journal sees it: nothing is stored,
     * no case opened. The sender is read in place (msg.h: "CHM1" str8
     * sender ...); a payload too short to name one is left to the
     * journal's decoder to refuse. */
    const char *peer = c->peer->c->name;
    size_t plen = strlen(peer);
    if (f->len >= 5 && !memcmp(f->payload, "CHM1", 4) && f->len - 5 >= f->payload[4] &&
        (f->payload[4] != plen || memcmp(f->payload + 5, peer, plen) != 0)) {
        l->st.proto_violations++;
        log_warn(MOD, "MSG from %s names another sender: refused, not stored", peer_name(c));
        refuse_msg(c, CAIRN_E_ROSTER, f);
        return -1;
    }
    /* Stored in the open batch without a receipt: link_commit signs one
     * cumulative receipt for the head after the batch's last message. */
    int rc = hl_journal_accept_incoming_ex(l->cfg.journal, f->payload, f->len, now_utc_ms(l),
                                           HL_ACCEPT_NO_RECEIPT, NULL, &l->scratch);
    if (rc < 0) {
        /* An undecodable message, or control characters or invalid UTF-8
         * in a field (hl_text_ok): no conforming peer makes one, so it is a
         * protocol violation as well as a refusal. The journal logged it
         * naming the field, never its text. */
        const char *bad = NULL;
        if ((rc == CAIRN_E_FIELD || rc == CAIRN_E_FORMAT) &&
            (hl_msg_decode(&l->scratch, f->payload, f->len) != 0 ||
             hl_msg_check_text(&l->scratch, &bad) != 0)) {
            l->st.proto_violations++;
            if (bad)
                log_warn(MOD, "MSG from %s: control character or invalid UTF-8 in '%s'",
                         peer_name(c), bad);
        }
        refuse_msg(c, rc, f);
        return -1;
    }
    if (strcmp(l->scratch.sender, c->peer->c->name) != 0) {
        /* Unreachable after the check above; kept as the last word. */
        refuse_msg(c, CAIRN_E_ROSTER, f);
        return -1;
    }
    if (rc == HL_ACCEPT_DUP) {
        l->st.msgs_duplicate++;
        c->dups++;
    } else {
        l->st.msgs_received++;
        if (l->cfg.hooks.on_received)
            l->cfg.hooks.on_received(l->cfg.hooks.arg, c->peer->c->name, &l->scratch);
    }
    c->rcpt_due++;
    return 0;
}

/*
 * The cumulative receipt for c's batch: called by link_commit inside the
 * open transaction, after every message it covers was stored in it (J4),
 * and queued in c's pending buffer, which is released only after the commit
 * (L3). It names the peer's head, so it also answers duplicates (their seqs
 * are below the head). A failure leaves nothing queued and closes c after
 * the commit: the peer resends and is answered then.
 */
static void conn_queue_receipt(struct hl_conn *c)
{
    struct hl_link *l = c->l;
    struct hl_receipt r;
    c->rcpt_due = 0;
    int rc = hl_journal_receipt_upto(l->cfg.journal, c->peer->c->name, now_utc_ms(l), &r);
    if (rc != 0) {
        if (rc == CAIRN_E_NOSPACE)
            l->st.nospace++;
        conn_fail(c, rc, 0, "cannot sign the receipt");
        return;
    }
    uint8_t buf[HL_RECEIPT_LEN_MAX];
    int n = hl_receipt_encode(&r, buf, sizeof buf);
    if (n < 0 || pending_add(c, HL_FT_RECEIPT, buf, (size_t)n) != 0) {
        conn_fail(c, CAIRN_E_NOMEM, r.seq, "cannot queue receipt");
        return;
    }
    l->st.receipts_sent++;
}

static int handle_receipt(struct hl_conn *c, const struct hl_frame *f)
{
    struct hl_link *l = c->l;
    struct hl_receipt r;
    int rc = hl_receipt_decode(&r, f->payload, f->len);
    if (rc == 0 && (strcmp(r.to, c->peer->c->name) != 0 || strcmp(r.from, l->cfg.self->name) != 0))
        rc = CAIRN_E_ROSTER;
    if (rc == 0)
        rc = hl_journal_store_receipt_struct(l->cfg.journal, &r);
    if (rc < 0) {
        if (rc == CAIRN_E_NOSPACE)
            l->st.nospace++;
        else
            l->st.proto_violations++;
        char why[96];
        snprintf(why, sizeof why, "receipt refused: %s", cairn_strerror(rc));
        return conn_fail(c, rc, r.seq, why);
    }
    l->st.receipts_received++;
    /* Receipts are cumulative: one for seq n delivers 1..n (the journal
     * stored it only if n is ours with the hash the receipt names). One for
     * a seq we already hold a later receipt for adds nothing. */
    if (r.seq > c->acked) {
        c->acked = r.seq;
        c->peer->rcpt_in_batch = 1;
    }
    /* After a reconnect the peer may already hold more than we resent (its
     * earlier receipt was lost): its head receipt then runs ahead of our
     * cursor, and what it covers is not sent again. */
    if (c->tx_next <= c->acked)
        c->tx_next = c->acked + 1;
    struct hl_peer *p = c->peer;
    uint64_t last_ckpt = p->ckpt_done > p->ckpt_sent ? p->ckpt_done : p->ckpt_sent;
    if (c->acked >= last_ckpt + l->cfg.checkpoint_every)
        ckpt_want(p);
    if (c->heal_upto && c->acked >= c->heal_upto) {
        log_warn(MOD, "healed: %s holds our messages 1..%llu again", c->peer->c->name,
                 (unsigned long long)c->acked);
        c->heal_upto = 0;
    }
    return 0;
}

static int handle_heartbeat(struct hl_conn *c, const struct hl_frame *f)
{
    struct hl_heartbeat h;
    if (hl_heartbeat_decode(f->payload, f->len, &h) != 0) {
        c->l->st.frames.malformed++;
        c->l->st.proto_violations++;
        return conn_fail(c, CAIRN_E_FORMAT, 0, "undecodable HEARTBEAT");
    }
    if (!h.is_reply) {
        h.is_reply = 1;
        h.t_utc_ms = now_utc_ms(c->l);
        uint8_t buf[HL_HEARTBEAT_LEN];
        int n = hl_heartbeat_encode(&h, buf, sizeof buf);
        if (n > 0)
            conn_send(c, HL_FT_HEARTBEAT, buf, (size_t)n);
    }
    return 0;
}

static int handle_checkpoint(struct hl_conn *c, const struct hl_frame *f)
{
    struct hl_link *l = c->l;
    struct hl_checkpoint k;
    int rc = hl_checkpoint_decode(&k, f->payload, f->len);
    if (rc == 0 && strcmp(k.signer, c->peer->c->name) != 0)
        rc = CAIRN_E_ROSTER;
    if (rc == 0)
        rc = hl_journal_checkpoint_countersign(l->cfg.journal, &k);
    if (rc == CAIRN_E_SEQUENCE) { /* we do not hold that head yet: it will come again */
        log_debug(MOD, "checkpoint from %s ahead of our journal; skipped", c->peer->c->name);
        return 0;
    }
    if (rc < 0) {
        if (rc == CAIRN_E_NOSPACE)
            l->st.nospace++;
        else
            l->st.proto_violations++;
        if (rc == CAIRN_E_CHAIN)
            log_err(MOD, "ALARM: checkpoint from %s disagrees with our journal", c->peer->c->name);
        return conn_fail(c, rc, 0, "checkpoint refused");
    }
    uint8_t buf[HL_CHECKPOINT_LEN_MAX];
    int n = hl_checkpoint_encode(&k, buf, sizeof buf);
    if (n > 0 && pending_add(c, HL_FT_CHECKPOINT_SIG, buf, (size_t)n) == 0)
        l->st.checkpoints_countersigned++;
    return 0;
}

static int handle_checkpoint_sig(struct hl_conn *c, const struct hl_frame *f)
{
    struct hl_link *l = c->l;
    struct hl_checkpoint k;
    int rc = hl_checkpoint_decode(&k, f->payload, f->len);
    if (rc == 0 && (strcmp(k.signer, l->cfg.self->name) != 0 ||
                    strcmp(k.countersigner, c->peer->c->name) != 0))
        rc = CAIRN_E_ROSTER;
    if (rc == 0)
        rc = hl_journal_checkpoint_store(l->cfg.journal, &k);
    if (rc < 0) {
        if (rc == CAIRN_E_NOSPACE)
            l->st.nospace++;
        else
            l->st.proto_violations++;
        return conn_fail(c, rc, 0, "countersigned checkpoint refused");
    }
    l->st.checkpoints_stored++;
    if (k.count > c->peer->ckpt_done)
        c->peer->ckpt_done = k.count;
    return 0;
}

static int handle_error(struct hl_conn *c, const struct hl_frame *f)
{
    struct hl_error e;
    c->l->st.errors_received++;
    if (hl_error_decode(f->payload, f->len, &e) != 0) {
        c->l->st.frames.malformed++;
        log_warn(MOD, "undecodable ERROR frame from %s", peer_name(c));
        return 0;
    }
    /* e.text is the peer's: one log line, escaped (base/log.h). */
    char text[4 * HL_ERROR_TEXT_MAX + 4];
    log_warn(MOD, "%s refused something of ours (seq %llu): %s: %s", peer_name(c),
             (unsigned long long)e.seq, cairn_errname(e.code),
             log_escape(text, sizeof text, e.text, strlen(e.text), LOG_ESC_LINE));
    return 0;
}

/* A PICTURE on an OPEN session (L12): outside the journal and its batch,
 * handed to the hook at once. An undecodable header or a stale seq is
 * dropped and counted, and the session stays: the journaled traffic it
 * carries is not hostage to the picture. */
static int handle_picture(struct hl_conn *c, const struct hl_frame *f)
{
    struct hl_link *l = c->l;
    struct hl_picture pic;
    if (hl_picture_decode(f->payload, f->len, &pic) != 0) {
        l->st.frames.malformed++;
        l->st.pictures_malformed++;
        return 0;
    }
    if (pic.seq <= c->peer->pic_seq) {
        l->st.pictures_stale++;
        return 0;
    }
    c->peer->pic_seq = pic.seq;
    l->st.pictures_received++;
    l->st.picture_bytes_received += f->len;
    if (l->cfg.hooks.on_picture)
        l->cfg.hooks.on_picture(l->cfg.hooks.arg, c->peer->c->name, &pic);
    return 0;
}

/* One frame; returns -1 when the connection was closed. */
static int conn_handle_frame(struct hl_conn *c, const struct hl_frame *f)
{
    struct hl_link *l = c->l;
    if (c->st == CS_HELLO) {
        if (f->type == HL_FT_HELLO)
            return handle_hello(c, f);
        if (f->type == HL_FT_ERROR)
            return handle_error(c, f);
        l->st.proto_violations++;
        char why[64];
        snprintf(why, sizeof why, "%s frame before HELLO", hl_frame_type_name(f->type));
        return conn_fail(c, CAIRN_E_STATE, 0, why);
    }
    switch (f->type) {
    case HL_FT_MSG:
        return handle_msg(c, f);
    case HL_FT_RECEIPT:
        return handle_receipt(c, f);
    case HL_FT_HEARTBEAT:
        return handle_heartbeat(c, f);
    case HL_FT_CHECKPOINT:
        return handle_checkpoint(c, f);
    case HL_FT_CHECKPOINT_SIG:
        return handle_checkpoint_sig(c, f);
    case HL_FT_ERROR:
        return handle_error(c, f);
    case HL_FT_PICTURE:
        return handle_picture(c, f);
    default: /* HELLO twice */
        l->st.proto_violations++;
        return conn_fail(c, CAIRN_E_STATE, 0, "second HELLO");
    }
}

/*
 * Commit the open batch (L3), then release what it produced: each
 * connection's receipts and countersignatures, the on_delivered hooks, and
 * the closes decided while reading. On a failed commit (full disk) nothing
 * is released and every connection that took part is closed: its peer will
 * resend from what our journal really holds.
 */
static void link_commit(struct hl_link *l)
{
    if (!l->batch_open)
        return;
    l->batch_open = 0;
    l->batch_appends = 0;
    event_del(l->commit_ev);
    /* One receipt per connection that brought messages, signed last in the
     * batch (after what it covers) and released only after the commit. */
    for (struct hl_conn *c = l->conns; c; c = c->next)
        if (c->in_batch && c->rcpt_due && c->st != CS_CLOSING && c->peer)
            conn_queue_receipt(c);
    int rc = hl_journal_commit(l->cfg.journal);
    l->st.batches++;
    if (rc != 0) {
        l->st.batch_failures++;
        if (rc == CAIRN_E_NOSPACE)
            l->st.nospace++;
        log_warn(MOD, "journal commit failed (%s): %zu item(s) rolled back, receipts withheld",
                 cairn_strerror(rc), l->batch_items);
    }
    l->batch_items = 0;
    for (struct hl_conn *c = l->conns; c; c = c->next) {
        if (!c->in_batch)
            continue;
        c->in_batch = 0;
        if (rc != 0) {
            dbuf_reset(&c->pending);
            c->dups = 0;
            /* The peer's cursors are now ahead of our journal: start over. */
            c->fail_err = 0;
            conn_fail(c, rc, 0, "journal commit failed; resend what we hold no receipt for");
        } else {
            if (c->peer && !c->fail_err)
                c->peer->attempts = 0;
            if (c->pending.len && c->st != CS_CLOSING)
                evbuffer_add(bufferevent_get_output(c->bev), c->pending.p, c->pending.len);
            if (c->dups)
                log_info(MOD,
                         "%llu duplicate message(s) from %s: not stored again, covered by "
                         "the batch's cumulative receipt",
                         (unsigned long long)c->dups, peer_name(c));
        }
        dbuf_reset(&c->pending);
        c->rcpt_due = 0;
        c->dups = 0;
    }
    for (size_t i = 0; i < l->n_peers; i++) {
        struct hl_peer *p = &l->peers[i];
        if (!p->rcpt_in_batch)
            continue;
        p->rcpt_in_batch = 0;
        uint64_t upto;
        if (rc != 0 || hl_journal_delivered_upto(l->cfg.journal, p->c->name, &upto) != 0)
            continue;
        for (; p->reported < upto; p->reported++)
            if (l->cfg.hooks.on_delivered)
                l->cfg.hooks.on_delivered(l->cfg.hooks.arg, p->c->name, p->reported + 1);
    }
    for (struct hl_conn *c = l->conns; c; c = c->next) {
        if (c->st == CS_CLOSING)
            continue;
        if (c->fail_err)
            conn_close(c, c->fail_err, c->fail_seq, c->fail_why);
        else if (c->st == CS_OPEN)
            conn_pump(c);
    }
}

static void commit_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    link_commit(arg);
}

void hl_link_flush(struct hl_link *l)
{
    link_commit(l);
}

int hl_link_batch(struct hl_link *l)
{
    if (!l->batch_open) {
        int rc = hl_journal_begin(l->cfg.journal);
        if (rc != 0)
            return rc;
        l->batch_open = 1;
        l->batch_t0_ms = now_ms(l);
    }
    l->batch_appends = 1;
    /* Committed when no I/O is ready in a turn; the commit then sends. */
    event_active(l->commit_ev, EV_TIMEOUT, 1);
    return 0;
}

static void read_cb(struct bufferevent *bev, void *arg)
{
    struct hl_conn *c = arg;
    struct hl_link *l = c->l;
    struct evbuffer *in = bufferevent_get_input(bev);
    c->last_rx_ms = now_ms(l);
    while ((c->st == CS_HELLO || c->st == CS_OPEN) && !c->fail_err) {
        size_t have = evbuffer_get_length(in);
        if (have == 0)
            break;
        size_t hlen = have < HL_FRAME_HDR_LEN ? have : HL_FRAME_HDR_LEN;
        const uint8_t *hdr = evbuffer_pullup(in, (ev_ssize_t)hlen);
        struct hl_frame f;
        int rc = hl_frame_parse(hdr, hlen, &f, &l->st.frames);
        if (rc == CAIRN_E_NEEDMORE && have >= HL_FRAME_HDR_LEN) {
            size_t need = HL_FRAME_HDR_LEN + ((size_t)hdr[1] << 24 | (size_t)hdr[2] << 16 |
                                              (size_t)hdr[3] << 8 | hdr[4]);
            if (have < need)
                break;
            rc = hl_frame_parse(evbuffer_pullup(in, (ev_ssize_t)need), need, &f, &l->st.frames);
        }
        if (rc == CAIRN_E_NEEDMORE)
            break;
        if (rc < 0) {
            l->st.proto_violations++;
            conn_fail(c, rc, 0, rc == CAIRN_E_TOOBIG ? "oversized frame" : "unknown frame type");
            break;
        }
        if (c->st == CS_OPEN && (f.type == HL_FT_MSG || f.type == HL_FT_RECEIPT ||
                                 f.type == HL_FT_CHECKPOINT || f.type == HL_FT_CHECKPOINT_SIG)) {
            if (!l->batch_open) {
                if (hl_journal_begin(l->cfg.journal) != 0) {
                    conn_fail(c, CAIRN_E_STATE, 0, "journal busy");
                    break;
                }
                l->batch_open = 1;
                l->batch_t0_ms = now_ms(l);
            }
            c->in_batch = 1;
            l->batch_items++;
        }
        conn_handle_frame(c, &f);
        evbuffer_drain(in, (size_t)rc);
    }
    if (l->batch_open && (c->fail_err || l->batch_items >= BATCH_MAX_ITEMS ||
                          now_ms(l) - l->batch_t0_ms >= BATCH_MAX_AGE_MS))
        link_commit(l);
    else if (l->batch_open)
        event_active(l->commit_ev, EV_TIMEOUT, 1);
    if (c->fail_err && c->st != CS_CLOSING && !c->in_batch)
        conn_close(c, c->fail_err, c->fail_seq, c->fail_why);
    else if (c->st == CS_OPEN && !c->in_batch)
        conn_pump(c);
}

/* ---- frames out ---- */

struct pump_ctx {
    struct hl_conn *c;
    struct dbuf *out;
    uint64_t last;
    size_t n;
};

/* Frames of one pump chunk are gathered and handed to the bufferevent in
 * one piece, so TLS carries them in full-size records and the peer reads
 * many per turn (one record per message would cost the peer a read turn,
 * and so a smaller group commit, per message). */
static int pump_one(void *arg, uint64_t seq, const uint8_t *raw, size_t len)
{
    struct pump_ctx *pc = arg;
    uint8_t hdr[HL_FRAME_HDR_LEN];
    hl_frame_put_header(hdr, HL_FT_MSG, (uint32_t)len);
    if (dbuf_add(pc->out, hdr, sizeof hdr) != 0 || dbuf_add(pc->out, raw, len) != 0)
        return 1;
    pc->last = seq;
    pc->n++;
    return 0;
}

/* Send unreceipted messages while the window (frames) and the output
 * buffer (bytes) allow (L5). */
static void conn_pump(struct hl_conn *c)
{
    struct hl_link *l = c->l;
    /* L9: a message is sent only once it is durable in our journal. */
    if (l->batch_appends)
        return;
    struct evbuffer *out = bufferevent_get_output(c->bev);
    while (c->st == CS_OPEN && evbuffer_get_length(out) < OUT_HIGH_WM) {
        uint64_t inflight = c->tx_next - 1 - c->acked;
        if (inflight >= l->cfg.window)
            break;
        uint64_t room = l->cfg.window - inflight;
        struct dbuf chunk;
        dbuf_init(&chunk, PUMP_CHUNK * (HL_FRAME_HDR_LEN + HL_MSG_MAX_LEN));
        struct pump_ctx pc = {c, &chunk, 0, 0};
        /* from the cursor, not from the receipts: after L11 the cursor is
         * below messages we hold receipts for, which the peer lost */
        int rc = hl_journal_outgoing(l->cfg.journal, c->peer->c->name, c->tx_next - 1,
                                     room < PUMP_CHUNK ? (size_t)room : PUMP_CHUNK, pump_one, &pc);
        if (chunk.len)
            evbuffer_add(out, chunk.p, chunk.len);
        dbuf_free(&chunk);
        if (rc < 0) {
            log_err(MOD, "cannot read unreceipted messages for %s: %s", c->peer->c->name,
                    cairn_strerror(rc));
            break;
        }
        if (pc.n == 0)
            break;
        l->st.msgs_sent += pc.n;
        c->tx_next = pc.last + 1;
    }
}

static void write_cb(struct bufferevent *bev, void *arg)
{
    (void)bev;
    struct hl_conn *c = arg;
    if (c->st == CS_OPEN)
        conn_pump(c);
}

static void event_cb(struct bufferevent *bev, short what, void *arg)
{
    struct hl_conn *c = arg;
    struct hl_link *l = c->l;
    if (what & BEV_EVENT_CONNECTED) {
        conn_on_connected(c);
        return;
    }
    if (!(what & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT)))
        return;
    if (c->st == CS_HANDSHAKE) {
        char ssl_err[160] = "";
        int sock_err = EVUTIL_SOCKET_ERROR();
        unsigned long e = bufferevent_get_openssl_error(bev);
        if (e && ERR_GET_LIB(e) != ERR_LIB_SYS)
            ERR_error_string_n(e, ssl_err, sizeof ssl_err);
        else if (what & BEV_EVENT_ERROR && sock_err)
            snprintf(ssl_err, sizeof ssl_err, "%s", evutil_socket_error_to_string(sock_err));
        else
            snprintf(ssl_err, sizeof ssl_err, "connection closed during the handshake");
        if (c->outbound) {
            l->st.dial_failures++;
            /* A peer that is down is said once, not at every backoff step. */
            c->quiet = c->peer && c->peer->attempts > 1;
        } else
            l->st.handshake_failures++;
        while (ERR_get_error() != 0) {
        }
        conn_close(c, c->outbound ? CAIRN_E_CLOSED : CAIRN_E_AUTH, 0, ssl_err);
        return;
    }
    size_t left = evbuffer_get_length(bufferevent_get_input(bev));
    if (left > 0) {
        l->st.truncated_frames++;
        char why[80];
        snprintf(why, sizeof why, "connection ended inside a frame (%zu bytes buffered)", left);
        conn_close(c, CAIRN_E_TRUNCATED, 0, why);
        return;
    }
    conn_close(c, (what & BEV_EVENT_EOF) ? 0 : CAIRN_E_CLOSED, 0,
               (what & BEV_EVENT_EOF) ? "peer closed" : "connection error");
}

/* The tick's period: the heartbeat, or less so that the handshake
 * deadline (A2) is kept to within half of itself. */
static int64_t tick_period_ms(const struct hl_link *l)
{
    int64_t hs = l->cfg.handshake_ms / 2 > 0 ? l->cfg.handshake_ms / 2 : 1;
    return l->cfg.heartbeat_ms < hs ? l->cfg.heartbeat_ms : hs;
}

/* Time out a handshake (A2), declare a silent peer dead (L8), or probe
 * (every heartbeat_ms, give or take half a tick: the timer and the clock
 * are read at slightly different instants). */
static void conn_tick(struct hl_conn *c)
{
    struct hl_link *l = c->l;
    int64_t now = now_ms(l);
    int64_t silent_ms = now - c->last_rx_ms;
    if (c->st == CS_CLOSING)
        return;
    if (c->st != CS_OPEN) {
        int64_t deadline = l->cfg.handshake_ms + (c->outbound ? OUTBOUND_QUEUE_MS : 0);
        if (now - c->opened_ms > deadline) {
            if (c->outbound)
                l->st.dial_failures++;
            else {
                l->st.handshake_failures++;
                l->st.handshake_timeouts++;
            }
            conn_close(c, CAIRN_E_TIMEOUT, 0, "no TLS and HELLO in time");
        }
        return;
    }
    if (silent_ms > l->cfg.dead_ms) {
        l->st.dead_peers++;
        char why[64];
        snprintf(why, sizeof why, "silent for %lld ms", (long long)silent_ms);
        conn_close(c, CAIRN_E_TIMEOUT, 0, why);
        return;
    }
    if (now - c->opened_ms > 2 * l->cfg.heartbeat_ms && c->peer)
        c->peer->attempts = 0;
    if (now - c->last_hb_ms < l->cfg.heartbeat_ms - tick_period_ms(l) / 2)
        return;
    c->last_hb_ms = now;
    struct hl_heartbeat h = {.nonce = ++c->hb_nonce, .t_utc_ms = now_utc_ms(l)};
    uint8_t buf[HL_HEARTBEAT_LEN];
    int n = hl_heartbeat_encode(&h, buf, sizeof buf);
    if (n > 0)
        conn_send(c, HL_FT_HEARTBEAT, buf, (size_t)n);
}

static void tick_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    conn_tick(arg);
}

static struct hl_conn *conn_new(struct hl_link *l, evutil_socket_t fd, int outbound)
{
    struct hl_conn *c = calloc(1, sizeof *c);
    SSL *ssl = SSL_new(l->tls.ctx);
    if (!c || !ssl) {
        free(c);
        SSL_free(ssl);
        if (fd >= 0)
            evutil_closesocket(fd);
        return NULL;
    }
    c->l = l;
    c->outbound = outbound;
    /* Receipts of one batch: at most BATCH_MAX_ITEMS of a few hundred bytes. */
    dbuf_init(&c->pending, 16u << 20);
    c->st = CS_HANDSHAKE;
    c->bev = bufferevent_openssl_socket_new(
        l->base, fd, ssl, outbound ? BUFFEREVENT_SSL_CONNECTING : BUFFEREVENT_SSL_ACCEPTING,
        BEV_OPT_CLOSE_ON_FREE);
    c->tick = event_new(l->base, -1, EV_PERSIST, tick_cb, c);
    c->reap = evtimer_new(l->base, reap_cb, c);
    if (!c->bev || !c->tick || !c->reap) {
        if (!c->bev) {
            SSL_free(ssl);
            if (fd >= 0)
                evutil_closesocket(fd);
        }
        conn_free(c);
        return NULL;
    }
    /* A peer killed mid-stream must not make us fail on a missing
     * close_notify: the journal, not the TLS close, tells what arrived. */
    bufferevent_openssl_set_allow_dirty_shutdown(c->bev, 1);
    bufferevent_setcb(c->bev, read_cb, write_cb, event_cb, c);
    bufferevent_setwatermark(c->bev, EV_READ, 0, IN_HIGH_WM);
    bufferevent_setwatermark(c->bev, EV_WRITE, OUT_HIGH_WM / 2, 0);
    bufferevent_enable(c->bev, EV_READ | EV_WRITE);
    c->opened_ms = c->last_rx_ms = c->last_hb_ms = now_ms(l);
    struct timeval tv = tv_ms(tick_period_ms(l));
    event_add(c->tick, &tv);
    c->next = l->conns;
    l->conns = c;
    l->n_conns++;
    return c;
}

/* ---- dialling and accepting ---- */

static void dial_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct hl_peer *p = arg;
    struct hl_link *l = p->l;
    if (p->active || p->dialling)
        return;
    int64_t early = p->dial_at_ms - now_ms(l);
    if (early > 0) { /* woken before the link's clock says so: wait on */
        struct timeval tv = tv_ms(early);
        event_add(p->dial_ev, &tv);
        return;
    }
    struct cairn_addr sin;
    if (addr_parse(p->c->address, &sin) != 0) {
        log_err(MOD, "roster address of %s is not host:port: '%s'", p->c->name, p->c->address);
        return;
    }
    struct hl_conn *c = conn_new(l, -1, 1);
    if (!c) {
        peer_schedule_dial(p);
        return;
    }
    c->peer = p;
    p->dialling = c;
    snprintf(c->where, sizeof c->where, "%s", p->c->address);
    l->st.dials++;
    log_debug(MOD, "dialling %s at %s (attempt %u)", p->c->name, p->c->address, p->attempts + 1);
    if (bufferevent_socket_connect(c->bev, (struct sockaddr *)&sin.ss, (int)sin.len) != 0) {
        l->st.dial_failures++;
        conn_close(c, CAIRN_E_CLOSED, 0, "connect failed");
        return;
    }
    int one = 1;
    setsockopt(bufferevent_getfd(c->bev), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

/* Exponential backoff with jitter: min × 2^attempts, capped, times a
 * uniform factor in [0.5, 1) so that two centres restarted together do not
 * dial in lockstep. */
static void peer_schedule_dial(struct hl_peer *p)
{
    struct hl_link *l = p->l;
    if (!p->c->address[0] || !p->dial_ev || event_pending(p->dial_ev, EV_TIMEOUT, NULL))
        return;
    int64_t d = l->cfg.backoff_min_ms;
    for (unsigned i = 0; i < p->attempts && d < l->cfg.backoff_max_ms; i++)
        d *= 2;
    if (d > l->cfg.backoff_max_ms)
        d = l->cfg.backoff_max_ms;
    d = d / 2 + (int64_t)randombytes_uniform((uint32_t)(d / 2 + 1));
    if (p->attempts < 30)
        p->attempts++;
    p->dial_at_ms = now_ms(l) + d;
    struct timeval tv = tv_ms(d);
    event_add(p->dial_ev, &tv);
}

/* Unauthenticated (A1): accepted, and not yet OPEN nor closing. */
static int conn_unauth(const struct hl_conn *c)
{
    return !c->outbound && (c->st == CS_HANDSHAKE || c->st == CS_HELLO);
}

/*
 * Make room for one more unauthenticated connection (A3, A4): count those
 * open (from ip only, when by_src), and if there are cap or more, close the
 * evictable one (still in the TLS handshake) that is oldest. Age is the
 * one thing known about them: every one handed over has sent bytes (A2),
 * and a flooder's stalled handshake looks like the peer's until the peer
 * answers the server's flight, when it leaves the TLS handshake. 0 when
 * there is room, -1 when nothing could be evicted.
 */
static int admit_make_room(struct hl_link *l, uint64_t key, int by_src, uint32_t cap)
{
    uint32_t n = 0;
    struct hl_conn *victim = NULL;
    for (struct hl_conn *c = l->conns; c; c = c->next) {
        if (!conn_unauth(c) || (by_src && c->src_key != key))
            continue;
        n++;
        if (c->st != CS_HANDSHAKE)
            continue; /* proved a roster certificate: not evicted */
        if (!victim || c->opened_ms < victim->opened_ms)
            victim = c;
    }
    if (n < cap)
        return 0;
    if (!victim)
        return -1;
    l->st.accepts_refused++;
    if (by_src)
        l->st.source_limited++;
    else
        l->st.unauth_evicted++;
    conn_close(victim, CAIRN_E_FULL, 0,
               by_src ? "evicted for a newer connection from its address"
                      : "evicted for a newer connection (unauthenticated budget full)");
    return 0;
}

/* Resume accepting once the pacing period is over (by the link's clock). */
static void relisten_check(struct hl_link *l)
{
    if (!l->listen_paused)
        return;
    int64_t left = l->accept_t0_ms + ACCEPT_PERIOD_MS - now_ms(l);
    if (left > 0) {
        struct timeval tv = tv_ms(left);
        event_add(l->relisten_ev, &tv);
        return;
    }
    l->listen_paused = 0;
    evconnlistener_enable(l->listener);
}

static void relisten_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    relisten_check(arg);
}

static void accept_cb(struct evconnlistener *lis, evutil_socket_t fd, struct sockaddr *sa,
                      int salen, void *arg)
{
    (void)lis;
    (void)salen;
    struct hl_link *l = arg;
    uint64_t key = src_key(sa);
    char ips[ADDR_TEXT_LEN];
    src_text(sa, ips, sizeof ips);
    int avail = 0;
    if (l->defer_accept && ioctl(fd, FIONREAD, &avail) == 0 && avail == 0) {
        /* Handed over with nothing to read: the kernel held it for the
         * whole handshake deadline and the client sent nothing (A2). */
        l->st.handshake_failures++;
        l->st.handshake_timeouts++;
        if (src_note_refusal(l, key, ips)) {
            log_warn(MOD,
                     "closing inbound connection with %s (handshake): TIMEOUT: nothing "
                     "received in %lld ms",
                     ips, (long long)l->cfg.handshake_ms);
        }
        evutil_closesocket(fd);
        return;
    }
    int64_t now = now_ms(l);
    if (now - l->accept_t0_ms >= ACCEPT_PERIOD_MS) {
        l->accept_t0_ms = now;
        l->period_accepts = 0;
    }
    if (++l->period_accepts >= ACCEPT_BURST) {
        /* the rest wait in the kernel's queue until the next period */
        evconnlistener_disable(l->listener);
        l->listen_paused = 1;
        relisten_check(l);
    }
    /* A4 then A3: a new connection is admitted; an older one makes room. */
    if (admit_make_room(l, key, 1, l->cfg.unauth_per_source) != 0 ||
        admit_make_room(l, key, 0, l->cfg.unauth_max) != 0) {
        l->st.accepts_refused++;
        if (src_note_refusal(l, key, ips)) {
            log_warn(MOD,
                     "refused a connection from %s: every unauthenticated slot is past its "
                     "TLS handshake",
                     ips);
        }
        evutil_closesocket(fd);
        return;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct hl_conn *c = conn_new(l, fd, 0);
    if (!c)
        return;
    l->st.accepts++;
    c->src_key = key;
    snprintf(c->src_text, sizeof c->src_text, "%s", ips);
    addr_format(sa, c->where, sizeof c->where);
}

/* ---- checkpoints ---- */

/*
 * Checkpoints (J6, docs/hotline-link.md "Checkpoints"). We sign one of our
 * outgoing direction at the highest seq the peer has receipted (so it holds
 * it and can countersign), and the peer sends it back countersigned. They
 * are made: when a session opens (a centre that restarts often still gets
 * them, and one made at its last shutdown is countersigned then), after
 * every checkpoint_every receipted messages, every checkpoint_ms (the due
 * time is kept in the journal across restarts), and at a clean shutdown
 * (hl_link_checkpoint). The audit holds the journal against the newest.
 */
static void peer_checkpoint(struct hl_peer *p)
{
    struct hl_link *l = p->l;
    p->ckpt_wanted = 0;
    if (!p->active || p->active->st != CS_OPEN)
        return;
    uint64_t count;
    if (hl_journal_delivered_upto(l->cfg.journal, p->c->name, &count) != 0 || count == 0 ||
        count == p->ckpt_done)
        return;
    struct hl_checkpoint k;
    if (hl_journal_checkpoint_make_at(l->cfg.journal, HL_DIR_OUT, p->c->name, count, now_utc_ms(l),
                                      &k) != 0)
        return;
    uint8_t buf[HL_CHECKPOINT_LEN_MAX];
    int n = hl_checkpoint_encode(&k, buf, sizeof buf);
    if (n > 0) {
        /* Sent again at the next occasion until it comes back countersigned
         * (the peer skips one that is ahead of its journal). */
        conn_send(p->active, HL_FT_CHECKPOINT, buf, (size_t)n);
        l->st.checkpoints_sent++;
        p->ckpt_sent = count;
    }
}

void hl_link_checkpoint(struct hl_link *l)
{
    link_commit(l); /* checkpoints are made outside a batch */
    for (size_t i = 0; i < l->n_peers; i++)
        peer_checkpoint(&l->peers[i]);
}

static void ckpt_arm(struct hl_link *l, int64_t delay_ms)
{
    if (delay_ms < 0)
        delay_ms = 0;
    struct timeval tv = {(time_t)(delay_ms / 1000), (suseconds_t)((delay_ms % 1000) * 1000)};
    event_add(l->ckpt_ev, &tv);
}

static void ckpt_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct hl_link *l = arg;
    /* Woken by its timer or by hl_link_tick: the due time is on the
     * journal's (UTC) clock, since it is kept in the journal across
     * restarts. */
    if (now_utc_ms(l) < l->ckpt_due_utc_ms)
        return;
    hl_link_checkpoint(l);
    int64_t due = now_utc_ms(l) + l->cfg.checkpoint_ms;
    if (hl_journal_set_checkpoint_due(l->cfg.journal, due) != 0)
        log_warn(MOD, "cannot store when the next checkpoint is due");
    l->ckpt_due_utc_ms = due;
    ckpt_arm(l, l->cfg.checkpoint_ms);
}

static void ckpt_soon_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct hl_link *l = arg;
    link_commit(l);
    for (size_t i = 0; i < l->n_peers; i++)
        if (l->peers[i].ckpt_wanted)
            peer_checkpoint(&l->peers[i]);
}

/* Ask for a checkpoint to p soon (after the current turn's commit). */
static void ckpt_want(struct hl_peer *p)
{
    if (p->l->cfg.checkpoint_ms < 0 || p->ckpt_wanted || !p->l->ckpt_soon_ev)
        return;
    p->ckpt_wanted = 1;
    event_active(p->l->ckpt_soon_ev, EV_TIMEOUT, 1);
}

/* ---- public ---- */

int hl_link_new(struct event_base *base, const struct hl_link_config *cfg, struct hl_link **out)
{
    *out = NULL;
    if (sodium_init() < 0)
        return CAIRN_E_NOMEM;
    struct hl_link *l = calloc(1, sizeof *l);
    if (!l)
        return CAIRN_E_NOMEM;
    l->base = base;
    l->cfg = *cfg;
    randombytes_buf(&l->incarnation, sizeof l->incarnation);
    if (l->cfg.heartbeat_ms <= 0)
        l->cfg.heartbeat_ms = 1000;
    if (l->cfg.dead_ms <= 0)
        l->cfg.dead_ms = 4 * l->cfg.heartbeat_ms;
    if (l->cfg.backoff_min_ms <= 0)
        l->cfg.backoff_min_ms = 100;
    if (l->cfg.backoff_max_ms <= 0)
        l->cfg.backoff_max_ms = 10000;
    if (l->cfg.backoff_max_ms < l->cfg.backoff_min_ms)
        l->cfg.backoff_max_ms = l->cfg.backoff_min_ms;
    if (l->cfg.checkpoint_ms == 0)
        l->cfg.checkpoint_ms = 60000;
    if (l->cfg.checkpoint_every == 0)
        l->cfg.checkpoint_every = 1000; /* a checkpoint per 1000 receipted messages bounds what
                                           a deleted tail can hide between two intervals */
    if (l->cfg.window == 0)
        l->cfg.window = 4096; /* measured: 1024 held bench_hotline near 4,000 msgs/s, 4096
                                 let the receiver's group commits grow past 10,000 */
    if (!l->cfg.clock)
        l->cfg.clock = &cairn_clock_real;
    if (!l->cfg.mono)
        l->cfg.mono = &cairn_clock_mono;
    if (l->cfg.handshake_ms <= 0)
        l->cfg.handshake_ms = HANDSHAKE_MS_DEFAULT;
    if (l->cfg.unauth_max == 0)
        l->cfg.unauth_max = UNAUTH_MAX_DEFAULT;
    if (l->cfg.unauth_max > UNAUTH_MAX_LIMIT)
        l->cfg.unauth_max = UNAUTH_MAX_LIMIT;
    if (l->cfg.unauth_per_source == 0)
        l->cfg.unauth_per_source = UNAUTH_PER_SOURCE_DEFAULT;
    if (l->cfg.unauth_per_source > l->cfg.unauth_max)
        l->cfg.unauth_per_source = l->cfg.unauth_max;
    l->srcs = calloc(2u * l->cfg.unauth_max + 1u, sizeof *l->srcs);
    /* Priorities must be set before any event exists on the base: the
     * caller's events made earlier keep working (all at one priority). */
    if (event_base_get_npriorities(base) < PRIO_LEVELS)
        event_base_priority_init(base, PRIO_LEVELS);
    l->commit_ev = event_new(base, -1, 0, commit_cb, l);
    l->admit_ev = event_new(base, -1, EV_PERSIST, admit_cb, l);
    l->relisten_ev = evtimer_new(base, relisten_cb, l);
    if (!l->commit_ev || !l->admit_ev || !l->relisten_ev || !l->srcs) {
        hl_link_free(l);
        return CAIRN_E_NOMEM;
    }
    struct timeval atv = tv_ms(LOG_WINDOW_MS / 2);
    event_add(l->admit_ev, &atv);
    event_priority_set(l->commit_ev, PRIO_COMMIT);
    for (size_t i = 0; i < cfg->roster->n; i++) {
        const struct hl_centre *rc = &cfg->roster->c[i];
        if (!strcmp(rc->name, cfg->self->name))
            continue;
        struct hl_peer *p = &l->peers[l->n_peers++];
        p->l = l;
        p->c = rc;
        p->dial_ev = evtimer_new(base, dial_cb, p);
        hl_journal_delivered_upto(cfg->journal, rc->name, &p->reported);
    }
    int rc = hl_tls_init(&l->tls, cfg->self->tls_cert_path, cfg->self->tls_key_path, pin_ok, l);
    if (rc != 0) {
        hl_link_free(l);
        return rc;
    }
    l->tls.utc = l->cfg.clock; /* certificate validity: the journal's time */
    l->tls.mono = l->cfg.mono;
    if (cfg->listen && cfg->listen[0]) {
        struct cairn_addr sin;
        if (addr_parse(cfg->listen, &sin) != 0) {
            log_err(MOD, "listen address is not host:port: '%s'", cfg->listen);
            hl_link_free(l);
            return CAIRN_E_INVAL;
        }
        l->listener =
            evconnlistener_new_bind(base, accept_cb, l, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE,
                                    LISTEN_BACKLOG, (struct sockaddr *)&sin.ss, (int)sin.len);
        if (!l->listener) {
            log_err(MOD, "cannot listen on %s: %s", cfg->listen, strerror(errno));
            hl_link_free(l);
            return CAIRN_E_IO;
        }
        /* The client speaks first in TLS: a connection is handed to accept()
         * only once its first bytes arrived (or after the deadline), so idle
         * TCP connections never reach the link (A3). */
        int defer_s = (int)((l->cfg.handshake_ms + 999) / 1000);
        l->defer_accept = setsockopt(evconnlistener_get_fd(l->listener), IPPROTO_TCP,
                                     TCP_DEFER_ACCEPT, &defer_s, sizeof defer_s) == 0;
        struct sockaddr_storage got;
        socklen_t gl = sizeof got;
        if (getsockname(evconnlistener_get_fd(l->listener), (struct sockaddr *)&got, &gl) == 0)
            l->listen_port = (int)addr_port((struct sockaddr *)&got);
        log_info(MOD, "%s listening on %s (port %d)", cfg->self->name, cfg->listen, l->listen_port);
    }
    if (l->cfg.checkpoint_ms > 0) {
        l->ckpt_ev = event_new(base, -1, 0, ckpt_cb, l);
        l->ckpt_soon_ev = event_new(base, -1, 0, ckpt_soon_cb, l);
        if (!l->ckpt_ev || !l->ckpt_soon_ev) {
            hl_link_free(l);
            return CAIRN_E_NOMEM;
        }
        event_priority_set(l->ckpt_soon_ev, PRIO_COMMIT);
        /* The due time survives restarts: a centre restarting more often
         * than the interval still makes its periodic checkpoints. */
        int64_t due = 0, now = now_utc_ms(l);
        hl_journal_checkpoint_due(cfg->journal, &due);
        if (due <= 0 || due > now + l->cfg.checkpoint_ms) {
            due = now + l->cfg.checkpoint_ms;
            hl_journal_set_checkpoint_due(cfg->journal, due);
        }
        l->ckpt_due_utc_ms = due;
        ckpt_arm(l, due - now);
    }
    for (size_t i = 0; i < l->n_peers; i++)
        peer_schedule_dial(&l->peers[i]);
    *out = l;
    return 0;
}

void hl_link_free(struct hl_link *l)
{
    if (!l)
        return;
    while (l->conns)
        conn_free(l->conns);
    for (size_t i = 0; i < l->n_peers; i++)
        if (l->peers[i].dial_ev)
            event_free(l->peers[i].dial_ev);
    if (l->listener)
        evconnlistener_free(l->listener);
    if (l->ckpt_ev)
        event_free(l->ckpt_ev);
    if (l->ckpt_soon_ev)
        event_free(l->ckpt_soon_ev);
    hl_tls_fini(&l->tls);
    if (l->batch_open)
        hl_journal_rollback(l->cfg.journal);
    if (l->commit_ev)
        event_free(l->commit_ev);
    if (l->admit_ev)
        event_free(l->admit_ev);
    if (l->relisten_ev)
        event_free(l->relisten_ev);
    if (l->srcs)
        src_flush(l, 1);
    free(l->srcs);
    free(l);
}

void hl_link_kick(struct hl_link *l, const char *peer)
{
    for (size_t i = 0; i < l->n_peers; i++) {
        struct hl_peer *p = &l->peers[i];
        if (peer && strcmp(p->c->name, peer) != 0)
            continue;
        if (p->active)
            conn_pump(p->active);
    }
}

void hl_link_tick(struct hl_link *l)
{
    for (struct hl_conn *c = l->conns, *next; c; c = next) {
        next = c->next; /* conn_tick may close c, never free it */
        conn_tick(c);
    }
    for (size_t i = 0; i < l->n_peers; i++) {
        struct hl_peer *p = &l->peers[i];
        if (p->dial_ev && event_pending(p->dial_ev, EV_TIMEOUT, NULL) &&
            now_ms(l) >= p->dial_at_ms) {
            event_del(p->dial_ev);
            dial_cb(-1, EV_TIMEOUT, p);
        }
    }
    if (l->ckpt_ev)
        ckpt_cb(-1, EV_TIMEOUT, l);
    relisten_check(l);
    src_flush(l, 0);
}

int hl_link_send_picture(struct hl_link *l, const char *peer, uint64_t seq, int64_t t_utc_ms,
                         const uint8_t *data, size_t len)
{
    struct hl_peer *p = NULL;
    for (size_t i = 0; i < l->n_peers && !p; i++)
        if (!strcmp(l->peers[i].c->name, peer))
            p = &l->peers[i];
    if (!p)
        return CAIRN_E_NOTFOUND;
    struct hl_conn *c = p->active;
    if (!c || c->st != CS_OPEN)
        return CAIRN_E_STATE; /* L12: only to a proven peer's open session */
    if (len > HL_PICTURE_MAX_LEN - HL_PICTURE_HDR_LEN)
        return CAIRN_E_TOOBIG;
    struct evbuffer *out = bufferevent_get_output(c->bev);
    if (evbuffer_get_length(out) >= OUT_HIGH_WM) {
        l->st.pictures_skipped++;
        return CAIRN_E_FULL;
    }
    uint8_t hdr[HL_FRAME_HDR_LEN + HL_PICTURE_HDR_LEN];
    hl_frame_put_header(hdr, HL_FT_PICTURE, (uint32_t)(HL_PICTURE_HDR_LEN + len));
    hl_picture_put_header(hdr + HL_FRAME_HDR_LEN, seq, t_utc_ms);
    if (evbuffer_add(out, hdr, sizeof hdr) != 0 || (len && evbuffer_add(out, data, len) != 0))
        return CAIRN_E_NOMEM;
    l->st.pictures_sent++;
    l->st.picture_bytes_sent += HL_PICTURE_HDR_LEN + len;
    return 0;
}

const struct hl_link_stats *hl_link_stats(const struct hl_link *l)
{
    return &l->st;
}

const struct hl_tls_stats *hl_link_tls_stats(const struct hl_link *l)
{
    return &l->tls.stats;
}

int hl_link_is_up(const struct hl_link *l, const char *peer)
{
    for (size_t i = 0; i < l->n_peers; i++)
        if (!strcmp(l->peers[i].c->name, peer))
            return l->peers[i].active != NULL;
    return 0;
}

int hl_link_session_outbound(const struct hl_link *l, const char *peer)
{
    for (size_t i = 0; i < l->n_peers; i++)
        if (!strcmp(l->peers[i].c->name, peer))
            return l->peers[i].active ? l->peers[i].active->outbound : -1;
    return -1;
}

int hl_link_listen_port(const struct hl_link *l)
{
    return l->listen_port;
}

int hl_link_metrics(const struct hl_link *l, struct dbuf *out)
{
    const struct hl_link_stats *s = &l->st;
    const struct hl_tls_stats *t = &l->tls.stats;
    struct {
        const char *name, *help;
        uint64_t v;
    } m[] = {
        {"sessions_opened_total", "link sessions opened", s->sessions_opened},
        {"sessions_closed_total", "link sessions closed", s->sessions_closed},
        {"dials_total", "outbound connection attempts", s->dials},
        {"dial_failures_total", "outbound attempts that failed before HELLO", s->dial_failures},
        {"accepts_total", "inbound connections accepted", s->accepts},
        {"accepts_refused_total", "inbound connections closed by admission (evicted or refused)",
         s->accepts_refused},
        {"unauth_evicted_total", "unauthenticated connections evicted, budget full",
         s->unauth_evicted},
        {"source_limited_total", "unauthenticated connections evicted, per-address limit",
         s->source_limited},
        {"handshake_timeouts_total", "inbound connections without TLS and HELLO in time",
         s->handshake_timeouts},
        {"handshake_failures_total", "inbound TLS handshakes refused", s->handshake_failures},
        {"tls_unknown_cert_total", "peer certificates not on the roster", t->unknown_cert},
        {"tls_expired_cert_total", "peer certificates outside validity", t->expired_cert},
        {"hello_refused_total", "HELLOs naming another centre than the certificate",
         s->hello_refused},
        {"races_resolved_total", "duplicate sessions closed by the tie-break", s->races_resolved},
        {"proto_violations_total", "frames out of order or undecodable", s->proto_violations},
        {"frames_oversized_total", "frames longer than the cap", s->frames.oversized},
        {"frames_bad_type_total", "frames of unknown type", s->frames.bad_type},
        {"frames_truncated_total", "connections ended inside a frame", s->truncated_frames},
        {"dead_peers_total", "sessions closed after heartbeat silence", s->dead_peers},
        {"msgs_sent_total", "MSG frames sent (resends included)", s->msgs_sent},
        {"receipts_sent_total", "receipts sent", s->receipts_sent},
        {"receipts_received_total", "receipts stored", s->receipts_received},
        {"msgs_received_total", "new messages stored", s->msgs_received},
        {"msgs_duplicate_total", "duplicate messages (receipt re-issued)", s->msgs_duplicate},
        {"msgs_rejected_total", "messages refused", s->msgs_rejected},
        {"errors_received_total", "ERROR frames from peers", s->errors_received},
        {"batches_total", "group commits", s->batches},
        {"batch_failures_total", "group commits that failed", s->batch_failures},
        {"nospace_total", "journal writes refused for a full disk", s->nospace},
        {"checkpoints_sent_total", "checkpoints sent", s->checkpoints_sent},
        {"checkpoints_countersigned_total", "peer checkpoints countersigned",
         s->checkpoints_countersigned},
        {"checkpoints_stored_total", "own checkpoints stored countersigned", s->checkpoints_stored},
        {"peer_lost_total", "HELLOs showing the peer's journal lost stored messages", s->peer_lost},
        {"self_lost_total", "HELLOs showing our journal lost stored messages", s->self_lost},
        {"msgs_healed_total", "messages resent because the peer's journal lost them",
         s->msgs_healed},
        {"pictures_sent_total", "PICTURE frames queued to peers", s->pictures_sent},
        {"picture_bytes_sent_total", "PICTURE payload bytes queued", s->picture_bytes_sent},
        {"pictures_skipped_total", "PICTUREs not queued: the session's output was full",
         s->pictures_skipped},
        {"pictures_received_total", "PICTURE frames taken from peers", s->pictures_received},
        {"picture_bytes_received_total", "PICTURE payload bytes taken", s->picture_bytes_received},
        {"pictures_malformed_total", "PICTURE frames with an undecodable header",
         s->pictures_malformed},
        {"pictures_stale_total", "PICTURE frames older than the last one", s->pictures_stale},
    };
    int rc = 0;
    for (size_t i = 0; i < sizeof m / sizeof m[0] && rc == 0; i++)
        rc = dbuf_addf(out,
                       "# HELP cairn_hotline_%s %s\n# TYPE cairn_hotline_%s counter\n"
                       "cairn_hotline_%s %llu\n",
                       m[i].name, m[i].help, m[i].name, m[i].name, (unsigned long long)m[i].v);
    size_t unauth = 0;
    for (const struct hl_conn *c = l->conns; c; c = c->next)
        unauth += conn_unauth(c);
    if (rc == 0)
        rc = dbuf_addf(out,
                       "# HELP cairn_hotline_unauth_connections unauthenticated inbound "
                       "connections open\n# TYPE cairn_hotline_unauth_connections gauge\n"
                       "cairn_hotline_unauth_connections %zu\n",
                       unauth);
    for (size_t i = 0; i < l->n_peers && rc == 0; i++)
        rc = dbuf_addf(out, "cairn_hotline_peer_up{peer=\"%s\"} %d\n", l->peers[i].c->name,
                       l->peers[i].active != NULL);
    return rc;
}
