/*
 * web.c — the HTTP server (web.h): evhttp, routes, authentication, the SSE
 * stream, metrics, static files, and the password worker.
 *
 * One request, in order (handle()):
 *   1. connection accounting: a connection's first request registers it
 *      (closed with 503 beyond max_connections); idle connections are
 *      closed by evhttp's timeout (idle_timeout_s);
 *   2. the path is matched (parse.c), the method checked (405);
 *   3. authentication: the bearer token, else the cookie, must name a live
 *      session (auth.c), except for the public routes (login, /metrics,
 *      /healthz, static files) and /data/{aircraft,receiver}.json from an allow-listed
 *      network; 401 otherwise;
 *   4. the route's handler answers, calling the provider synchronously.
 * Oversized request lines, headers and bodies never reach handle():
 * evhttp refuses them itself (max_headers, max_body; 413 or 400).
 *
 * Logins: the password is checked by a worker thread (Argon2id takes about
 * 150 ms, too long for the loop). The request waits in a fixed queue of
 * login_queue jobs; the worker wakes the loop through a pipe when one is
 * done. Unknown users are checked against a dummy hash so that a reply's
 * timing does not say whether a user exists.
 *
 * SSE clients are requests answered with evhttp_send_reply_start and kept
 * in a list; web_publish and the heartbeat queue chunks on them. An event
 * is formatted once, and every client's chunk is a reference to those same
 * bytes (refcounted, struct sse_blob), so 50 clients cost 50 small chunk
 * headers, not 50 copies. Each client has a form (?form=moves, parse.h):
 * web_publish_form sends an event to the clients of one form only, so the
 * publisher formats one text per form and none for a form nobody reads
 * (stats.sse_clients_form). A client
 * whose bufferevent holds more than sse_max_buffer bytes is dropped: its
 * connection is freed, which libevent reports through the connection's
 * close callback, where every client and connection is forgotten.
 */
#include "web/web.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <event2/util.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "base/error.h"
#include "base/log.h"
#include "web/accounts.h"
#include "web/auth.h"
#include "web/parse.h"
#include "web/wjson.h"

#define REPLY_MAX  (64u << 20) /* the largest JSON body web writes (64 MiB) */
#define STATIC_MAX (64 << 20)  /* the largest static file served */
#define ADDR_MAX   64
#define LIMIT_CAP  1024 /* keys remembered by each rate limiter */

struct sse_client {
    struct web *w;
    struct evhttp_request *req;
    struct evhttp_connection *evcon;
    char token[WEB_TOKEN_LEN + 1];
    enum web_form form; /* of its "tracks" events (?form=) */
    struct sse_client *prev, *next;
};

enum job_state { JOB_FREE = 0, JOB_QUEUED, JOB_RUNNING, JOB_DONE };

struct login_job {
    enum job_state state;
    struct evhttp_request *req;
    char user[WEB_USER_MAX + 1];
    char password[1025];
    char hash[WEB_HASH_MAX];
    int known; /* the user exists: hash is theirs */
    int ok;    /* result */
    char addr[ADDR_MAX];
};

struct web {
    struct event_base *base;
    struct evhttp *http;
    const struct web_provider *prov;
    void *arg;
    struct web_config cfg;
    char *accounts_path, *static_dir;
    int static_fd;
    struct web_cidr allow[WEB_MAX_ALLOW];
    size_t n_allow;
    int ports[WEB_MAX_LISTEN];
    size_t n_ports;
    SSL_CTX *ssl;
    struct web_accounts accounts;
    struct web_sessions sess;
    struct web_limiter lim_addr, lim_user;
    struct web_stats st;
    /* connections that made a request */
    struct evhttp_connection **conns;
    size_t n_conns;
    /* SSE */
    struct sse_client *sse;
    struct evbuffer *sse_chunk; /* scratch: one chunk on its way to a client */
    uint64_t next_event_id;
    struct event *heartbeat;
    /* password worker */
    pthread_t worker;
    int worker_started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop;
    struct login_job *jobs;
    int wake[2]; /* worker -> loop */
    struct event *wake_ev;
    char dummy_hash[WEB_HASH_MAX]; /* worker-owned */
};

void web_config_default(struct web_config *c)
{
    memset(c, 0, sizeof *c);
    c->max_body = 64 * 1024;   /* a hotline message form is a few KiB */
    c->max_headers = 8 * 1024; /* browsers send 1-2 KiB; cookies are small */
    c->max_connections = 256;  /* 64 consoles with 4 connections each */
    c->idle_timeout_s = 30;
    c->max_sessions = 256;
    c->session_idle_ms = 30 * 60 * 1000LL;
    c->session_max_ms = 12 * 3600 * 1000LL; /* one watch */
    c->login_max_failures = 5;
    c->login_window_ms = 15 * 60 * 1000LL;
    c->login_block_ms = 5 * 60 * 1000LL;
    c->login_queue = 8; /* 8 x 150 ms: the last waits about 1.2 s */
    c->sse_max_clients = 64;
    c->sse_max_buffer = 1u << 20; /* about 10 s of a busy picture */
    c->sse_heartbeat_ms = 15000;  /* below the usual 30-60 s proxy timeouts */
    c->site_lat_deg = NAN;
    c->site_lon_deg = NAN;
}

const struct web_stats *web_stats(const struct web *w)
{
    return &w->st;
}

int web_bound_port(const struct web *w, size_t i)
{
    return i < w->n_ports ? w->ports[i] : 0;
}

/* ----------------------------------------------------------------- replies */

static void count_status(struct web *w, int code)
{
    w->st.sessions_live = w->sess.live;
    w->st.requests++;
    if (code >= 100 && code < 600)
        w->st.status[code / 100]++;
    if (code == 401)
        w->st.unauthorised++;
    else if (code == 403)
        w->st.forbidden++;
    else if (code == 400)
        w->st.bad_requests++;
    else if (code == 413)
        w->st.too_large++;
}

static const char *reason(int code)
{
    switch (code) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 409:
        return "Conflict";
    case 413:
        return "Content Too Large";
    case 415:
        return "Unsupported Media Type";
    case 422:
        return "Unprocessable Content";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 503:
        return "Service Unavailable";
    default:
        return "Status";
    }
}

static void common_headers(struct evhttp_request *req)
{
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
    evhttp_add_header(h, "X-Frame-Options", "DENY");
    evhttp_add_header(h, "Referrer-Policy", "no-referrer");
}

/* Answer with body[0..len) of type ctype. */
static void reply(struct web *w, struct evhttp_request *req, int code, const char *ctype,
                  const char *body, size_t len)
{
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    common_headers(req);
    evhttp_add_header(h, "Content-Type", ctype);
    evhttp_add_header(h, "Cache-Control", "no-store");
    struct evbuffer *b = evbuffer_new();
    if (b && len)
        evbuffer_add(b, body, len);
    count_status(w, code);
    evhttp_send_reply(req, code, reason(code), b);
    if (b)
        evbuffer_free(b);
}

static void reply_json(struct web *w, struct evhttp_request *req, int code, const struct dbuf *d)
{
    reply(w, req, code, "application/json", d->p ? d->p : "", d->len);
}

/* {"error":"text"} (text is ours: plain ASCII) */
static void reply_error(struct web *w, struct evhttp_request *req, int code, const char *text)
{
    char buf[256];
    int n = snprintf(buf, sizeof buf, "{\"error\":\"%s\"}", text);
    reply(w, req, code, "application/json", buf, n > 0 ? (size_t)n : 0);
}

/* -------------------------------------------------------------- connections */

static void sse_forget(struct web *w, struct sse_client *c);

static void conn_closed(struct evhttp_connection *evcon, void *arg)
{
    struct web *w = arg;
    for (size_t i = 0; i < w->n_conns; i++)
        if (w->conns[i] == evcon) {
            w->conns[i] = w->conns[--w->n_conns];
            break;
        }
    w->st.conns_open = w->n_conns;
    for (struct sse_client *c = w->sse, *next; c; c = next) {
        next = c->next;
        if (c->evcon == evcon) {
            /* A request that libevent detached from its failed connection
             * is ours to free; one still queued on it goes with it. */
            if (evhttp_request_get_connection(c->req) == NULL)
                evhttp_request_free(c->req);
            sse_forget(w, c);
        }
    }
}

/* Register the request's connection: 0, or -1 when over the limit. */
static int conn_admit(struct web *w, struct evhttp_connection *evcon)
{
    if (!evcon)
        return 0;
    for (size_t i = 0; i < w->n_conns; i++)
        if (w->conns[i] == evcon)
            return 0;
    if (w->n_conns >= w->cfg.max_connections)
        return -1;
    w->conns[w->n_conns++] = evcon;
    w->st.conns_open = w->n_conns;
    evhttp_connection_set_closecb(evcon, conn_closed, w);
    return 0;
}

static void peer_addr(struct evhttp_connection *evcon, struct sockaddr_storage *ss, char *out,
                      size_t cap)
{
    memset(ss, 0, sizeof *ss);
    snprintf(out, cap, "?");
    const struct sockaddr *sa = evcon ? evhttp_connection_get_addr(evcon) : NULL;
    if (!sa)
        return;
    if (sa->sa_family == AF_INET) {
        memcpy(ss, sa, sizeof(struct sockaddr_in));
        evutil_inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
                         cap);
    } else if (sa->sa_family == AF_INET6) {
        memcpy(ss, sa, sizeof(struct sockaddr_in6));
        evutil_inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out,
                         cap);
    }
}

/* --------------------------------------------------------------------- SSE */

static void sse_forget(struct web *w, struct sse_client *c)
{
    if (c->prev)
        c->prev->next = c->next;
    else
        w->sse = c->next;
    if (c->next)
        c->next->prev = c->prev;
    sodium_memzero(c->token, sizeof c->token);
    w->st.sse_clients_form[c->form]--;
    free(c);
    w->st.sse_clients--;
}

/* One published event's bytes, shared by the queues of every client
 * (evbuffer_add_reference, no copy per client): the publisher holds one
 * reference while it fans out, each queued chunk one more, released by
 * libevent when that client's connection has written or dropped it. */
struct sse_blob {
    size_t refs;
    char *data;
};

static void blob_unref(struct sse_blob *b)
{
    if (--b->refs == 0) {
        free(b->data);
        free(b);
    }
}

static void blob_cleanup(const void *data, size_t len, void *extra)
{
    (void)data;
    (void)len;
    blob_unref(extra);
}

/* Queue text (len bytes; blob: text is that blob's, queued by reference,
 * else copied) on one client, or drop it when its output is over the cap.
 * Returns 1 when queued, 0 when the client was dropped (c is gone). */
static int sse_send(struct web *w, struct sse_client *c, const char *text, size_t len,
                    struct sse_blob *blob)
{
    struct bufferevent *bev = evhttp_connection_get_bufferevent(c->evcon);
    size_t queued = bev ? evbuffer_get_length(bufferevent_get_output(bev)) : 0;
    if (queued + len > w->cfg.sse_max_buffer) {
        w->st.sse_dropped++;
        /* conn_closed (the close callback) forgets the client; the queued
         * request is freed with its connection. */
        evhttp_connection_free(c->evcon);
        return 0;
    }
    struct evbuffer *b = w->sse_chunk;
    int rc;
    if (blob) {
        blob->refs++;
        rc = evbuffer_add_reference(b, text, len, blob_cleanup, blob);
        if (rc != 0)
            blob->refs--; /* not added: libevent will not call back */
    } else {
        rc = evbuffer_add(b, text, len);
    }
    if (rc == 0)
        evhttp_send_reply_chunk(c->req, b); /* moves the chunk's chains, copies nothing */
    /* a connection evhttp no longer writes to leaves the chunk here */
    evbuffer_drain(b, evbuffer_get_length(b));
    return 1;
}

/* Send to every client (form WEB_FORM_N) or to those of one form. */
static int publish(struct web *w, unsigned form, const char *event, const char *json, size_t len)
{
    size_t en = strlen(event);
    if (en == 0 || en > 32)
        return CAIRN_E_INVAL;
    for (size_t i = 0; i < en; i++) {
        char c = event[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
            return CAIRN_E_INVAL;
    }
    struct dbuf d;
    dbuf_init(&d, REPLY_MAX);
    w->next_event_id++;
    dbuf_addf(&d, "id: %llu\nevent: %s\n", (unsigned long long)w->next_event_id, event);
    /* every line of the JSON its own data: line (SSE joins them with \n) */
    size_t i = 0;
    do {
        size_t j = i;
        while (j < len && json[j] != '\n' && json[j] != '\r')
            j++;
        dbuf_adds(&d, "data: ");
        dbuf_add(&d, json + i, j - i);
        dbuf_addc(&d, '\n');
        i = j + 1;
    } while (i < len);
    struct sse_blob *blob = malloc(sizeof *blob);
    if (dbuf_addc(&d, '\n') < 0 || !blob) {
        free(blob);
        dbuf_free(&d);
        return CAIRN_E_NOMEM;
    }
    size_t n_text;
    blob->refs = 1; /* ours, while we fan out */
    blob->data = dbuf_take(&d, &n_text);
    w->st.sse_events++;
    int n = 0;
    for (struct sse_client *c = w->sse, *next; c; c = next) {
        next = c->next;
        if (form == WEB_FORM_N || c->form == form)
            n += sse_send(w, c, blob->data, n_text, blob);
    }
    blob_unref(blob);
    return n;
}

int web_publish(struct web *w, const char *event, const char *json, size_t len)
{
    return publish(w, WEB_FORM_N, event, json, len);
}

int web_publish_form(struct web *w, enum web_form form, const char *event, const char *json,
                     size_t len)
{
    if ((unsigned)form >= WEB_FORM_N)
        return CAIRN_E_INVAL;
    return publish(w, form, event, json, len);
}

static void heartbeat_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct web *w = arg;
    static const char hb[] = ": heartbeat\n\n";
    for (struct sse_client *c = w->sse, *next; c; c = next) {
        next = c->next;
        /* An open console counts as use of its session; one whose session
         * has ended (logout, absolute limit) is closed. */
        if (!web_sess_check(&w->sess, c->token, strlen(c->token))) {
            evhttp_connection_free(c->evcon);
            continue;
        }
        sse_send(w, c, hb, sizeof hb - 1, NULL);
    }
    web_sess_purge(&w->sess);
}

/* An event stream's socket, once its reply has started: events go out
 * as soon as they are queued (TCP_NODELAY: the tail of an event is not
 * held back waiting for an acknowledgement of the previous one), and up to
 * SSE_MAX_WRITE bytes a write (one flush event, STREAM_EVENT_SPLIT in
 * app/centre.c). libevent writes at most 16 KiB per connection per loop
 * iteration by default: a ceiling of a few MB/s per client when the loop
 * is busy with firings and input, below the ~11 MB/s of the stream at
 * 100,000 reports/s. Larger writes starve the sensors' reads (each gets
 * one 16 KiB read per iteration) when 50 clients are served: at 1 MiB the
 * centre took 60,000 of bench_centre's 100,000 reports/s. */
#define SSE_MAX_WRITE (256u << 10)

static void sse_tune(struct sse_client *c)
{
    struct bufferevent *bev = evhttp_connection_get_bufferevent(c->evcon);
    if (!bev)
        return;
    (void)bufferevent_set_max_single_write(bev, SSE_MAX_WRITE);
    evutil_socket_t fd = bufferevent_getfd(bev);
    int one = 1;
    if (fd >= 0) /* refused on a socket that is not TCP: harmless */
        (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

static void route_events(struct web *w, struct evhttp_request *req, const char *token,
                         const struct web_req *rq)
{
    enum web_form form;
    if (web_events_form(rq->query, rq->n_query, &form) != 0) {
        reply_error(w, req, 400, "form wants moves, or no form at all");
        return;
    }
    if (w->st.sse_clients >= w->cfg.sse_max_clients) {
        w->st.sse_refused++;
        reply_error(w, req, 503, "too many event streams");
        return;
    }
    struct sse_client *c = calloc(1, sizeof *c);
    if (!c) {
        reply_error(w, req, 503, "out of memory");
        return;
    }
    c->w = w;
    c->req = req;
    c->evcon = evhttp_request_get_connection(req);
    snprintf(c->token, sizeof c->token, "%s", token);
    c->form = form;
    c->next = w->sse;
    if (w->sse)
        w->sse->prev = c;
    w->sse = c;
    w->st.sse_clients++;
    w->st.sse_clients_form[form]++;
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    common_headers(req);
    evhttp_add_header(h, "Content-Type", "text/event-stream");
    evhttp_add_header(h, "Cache-Control", "no-store");
    count_status(w, 200);
    evhttp_send_reply_start(req, 200, "OK");
    sse_tune(c);
    static const char hello[] = ": cairn events\nretry: 2000\n\n";
    sse_send(w, c, hello, sizeof hello - 1, NULL);
}

/* ------------------------------------------------------------------ logins */

static void *worker_main(void *arg)
{
    struct web *w = arg;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        struct login_job *j = NULL;
        while (!w->stop) {
            for (size_t i = 0; i < w->cfg.login_queue && !j; i++)
                if (w->jobs[i].state == JOB_QUEUED)
                    j = &w->jobs[i];
            if (j)
                break;
            pthread_cond_wait(&w->cv, &w->mu);
        }
        if (w->stop)
            break;
        j->state = JOB_RUNNING;
        pthread_mutex_unlock(&w->mu);

        int ok;
        if (j->known) {
            ok = crypto_pwhash_str_verify(j->hash, j->password, strlen(j->password)) == 0;
        } else {
            /* The same work for an unknown user. */
            if (!w->dummy_hash[0] && crypto_pwhash_str(w->dummy_hash, "cairn-no-such-user", 18,
                                                       crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                                       crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
                w->dummy_hash[0] = '\0';
            if (w->dummy_hash[0])
                (void)!crypto_pwhash_str_verify(w->dummy_hash, j->password, strlen(j->password));
            ok = 0;
        }
        sodium_memzero(j->password, sizeof j->password);

        pthread_mutex_lock(&w->mu);
        j->ok = ok;
        j->state = JOB_DONE;
        char one = 1;
        (void)!write(w->wake[1], &one, 1);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

static void limit_keys(const char *addr, const char *user, char ka[WEB_LIMIT_KEY],
                       char ku[WEB_LIMIT_KEY])
{
    snprintf(ka, WEB_LIMIT_KEY, "a:%s", addr);
    snprintf(ku, WEB_LIMIT_KEY, "u:%s", user);
}

static void login_finish(struct web *w, struct login_job *j)
{
    struct evhttp_request *req = j->req;
    char ka[WEB_LIMIT_KEY], ku[WEB_LIMIT_KEY];
    limit_keys(j->addr, j->user, ka, ku);
    int64_t now = clock_now_ms(w->cfg.clock);
    if (!j->ok) {
        w->st.login_bad++;
        web_limit_fail(&w->lim_addr, ka, now);
        web_limit_fail(&w->lim_user, ku, now);
        char esc[128];
        log_escape(esc, sizeof esc, j->user, strlen(j->user), LOG_ESC_LINE);
        log_warn("web", "login refused: user %s from %s", esc, j->addr);
        reply_error(w, req, 401, "wrong user or password");
        return;
    }
    /* The user's failures are forgiven; the address's run out by
     * themselves, so one good account does not reset guessing at others. */
    web_limit_ok(&w->lim_user, ku);
    char token[WEB_TOKEN_LEN + 1];
    if (web_sess_create(&w->sess, j->user, token) != 0) {
        reply_error(w, req, 503, "too many sessions");
        return;
    }
    w->st.login_ok++;
    log_info("web", "login: user %s from %s", j->user, j->addr);
    char cookie[256];
    snprintf(cookie, sizeof cookie,
             "cairn_session=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%lld%s", token,
             (long long)(w->cfg.session_max_ms / 1000), w->ssl ? "; Secure" : "");
    evhttp_add_header(evhttp_request_get_output_headers(req), "Set-Cookie", cookie);
    struct dbuf d;
    dbuf_init(&d, 4096);
    struct jsonw jw;
    jw_init(&jw, &d);
    jw_obj(&jw);
    jw_kstr(&jw, "user", j->user);
    jw_kstr(&jw, "token", token);
    jw_kint(&jw, "expires_in_s", w->cfg.session_max_ms / 1000);
    jw_kint(&jw, "idle_timeout_s", w->cfg.session_idle_ms / 1000);
    jw_end(&jw);
    reply_json(w, req, 200, &d);
    dbuf_free(&d);
    sodium_memzero(token, sizeof token);
}

static void wake_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)what;
    struct web *w = arg;
    char buf[64];
    while (read(fd, buf, sizeof buf) > 0) {
    }
    for (;;) {
        struct login_job done;
        int found = 0;
        pthread_mutex_lock(&w->mu);
        for (size_t i = 0; i < w->cfg.login_queue; i++)
            if (w->jobs[i].state == JOB_DONE) {
                done = w->jobs[i];
                memset(&w->jobs[i], 0, sizeof w->jobs[i]);
                found = 1;
                break;
            }
        pthread_mutex_unlock(&w->mu);
        if (!found)
            break;
        login_finish(w, &done);
        sodium_memzero(&done, sizeof done);
    }
}

static void route_login(struct web *w, struct evhttp_request *req, const char *addr)
{
    struct evbuffer *in = evhttp_request_get_input_buffer(req);
    size_t len = evbuffer_get_length(in);
    const char *body = len ? (const char *)evbuffer_pullup(in, (ev_ssize_t)len) : "";
    char user[WEB_USER_MAX + 1], pw[1025];
    if (web_login_parse(body, len, user, pw, sizeof pw) != 0) {
        reply_error(w, req, 400, "expected {\"user\":...,\"password\":...}");
        return;
    }
    char ka[WEB_LIMIT_KEY], ku[WEB_LIMIT_KEY];
    limit_keys(addr, user, ka, ku);
    int64_t now = clock_now_ms(w->cfg.clock);
    int64_t wa = web_limit_check(&w->lim_addr, ka, now);
    int64_t wu = web_limit_check(&w->lim_user, ku, now);
    int64_t wait = wa > wu ? wa : wu;
    if (wait > 0) {
        sodium_memzero(pw, sizeof pw);
        w->st.login_limited++;
        char ra[32];
        snprintf(ra, sizeof ra, "%lld", (long long)((wait + 999) / 1000));
        evhttp_add_header(evhttp_request_get_output_headers(req), "Retry-After", ra);
        reply_error(w, req, 429, "too many failed logins; try later");
        return;
    }
    const struct web_account *acc = web_accounts_find(&w->accounts, user);
    pthread_mutex_lock(&w->mu);
    struct login_job *j = NULL;
    for (size_t i = 0; i < w->cfg.login_queue && !j; i++)
        if (w->jobs[i].state == JOB_FREE)
            j = &w->jobs[i];
    if (j) {
        j->state = JOB_QUEUED;
        j->req = req;
        memcpy(j->user, user, sizeof user);
        memcpy(j->password, pw, sizeof pw);
        j->known = acc != NULL;
        if (acc)
            memcpy(j->hash, acc->hash, sizeof j->hash);
        snprintf(j->addr, sizeof j->addr, "%s", addr);
        pthread_cond_signal(&w->cv);
    }
    pthread_mutex_unlock(&w->mu);
    sodium_memzero(pw, sizeof pw);
    if (!j) {
        w->st.login_busy++;
        evhttp_add_header(evhttp_request_get_output_headers(req), "Retry-After", "1");
        reply_error(w, req, 503, "busy checking passwords; try again");
    }
}

/* ------------------------------------------------------------- the routes */

static const char *session_token(struct evhttp_request *req, char tok[WEB_TOKEN_LEN + 1])
{
    const struct evkeyvalq *h = evhttp_request_get_input_headers(req);
    const char *a = evhttp_find_header(h, "Authorization");
    if (a && web_bearer_token(a, strlen(a), tok) == 0)
        return tok;
    const char *c = evhttp_find_header(h, "Cookie");
    if (c && web_cookie_token(c, strlen(c), tok) == 0)
        return tok;
    return NULL;
}

static int allowed_net(const struct web *w, const struct sockaddr_storage *ss)
{
    for (size_t i = 0; i < w->n_allow; i++)
        if (web_cidr_match(&w->allow[i], (const struct sockaddr *)ss))
            return 1;
    return 0;
}

static void route_tracks(struct web *w, struct evhttp_request *req, int readsb)
{
    struct web_tracks tv = {0};
    if (!w->prov->get_tracks) {
        reply_error(w, req, 404, "no picture");
        return;
    }
    if (w->prov->get_tracks(w->arg, &tv) != 0) {
        reply_error(w, req, 503, "picture unavailable");
        return;
    }
    struct dbuf d;
    dbuf_init(&d, REPLY_MAX);
    int rc = readsb ? web_json_aircraft(&d, &tv)
                    : web_json_tracks(&d, &tv, w->prov->track_extra, w->arg);
    if (rc)
        reply_error(w, req, 500, "reply too large");
    else
        reply_json(w, req, 200, &d);
    dbuf_free(&d);
}

static void route_alerts(struct web *w, struct evhttp_request *req)
{
    struct web_alerts av = {0};
    if (!w->prov->get_alerts) {
        reply_error(w, req, 404, "no alerts");
        return;
    }
    if (w->prov->get_alerts(w->arg, &av) != 0) {
        reply_error(w, req, 503, "alerts unavailable");
        return;
    }
    struct dbuf d;
    dbuf_init(&d, REPLY_MAX);
    if (web_json_alerts(&d, &av))
        reply_error(w, req, 500, "reply too large");
    else
        reply_json(w, req, 200, &d);
    dbuf_free(&d);
}

/* The provider's status: an HTTP code, or an error (500). */
static int prov_status(int rc)
{
    return rc >= 200 && rc <= 599 ? rc : 500;
}

/* The routes the provider answers (route_get / route_post), by route id:
 * the GET topic and the POST action, -1 where the route has none. A
 * request with the other method goes to the one it has. */
struct provider_route {
    uint8_t used;
    int8_t get;  /* enum web_topic, or -1 */
    int8_t post; /* enum web_action, or -1 */
};
static const struct provider_route provider_routes[] = {
    [WEB_R_TRACK] = {1, WEB_GET_TRACK, -1},
    [WEB_R_CASES] = {1, WEB_GET_CASES, -1},
    [WEB_R_SENSORS] = {1, WEB_GET_SENSORS, -1},
    [WEB_R_LINK] = {1, WEB_GET_LINK, -1},
    [WEB_R_MESSAGE] = {1, WEB_GET_MESSAGE, -1},
    [WEB_R_MESSAGES] = {1, WEB_GET_MESSAGES, WEB_ACT_MSG_SEND},
    [WEB_R_DRAFTS] = {1, WEB_GET_DRAFTS, WEB_ACT_DRAFT_SAVE},
    [WEB_R_MESSAGE_ACK] = {1, -1, WEB_ACT_MSG_ACK},
    [WEB_R_TRACK_RADIO] = {1, -1, WEB_ACT_TRACK_RADIO},
    [WEB_R_ALERT_ACK] = {1, -1, WEB_ACT_ALERT_ACK},
    [WEB_R_ALERT_DRAFT] = {1, -1, WEB_ACT_ALERT_DRAFT},
    [WEB_R_DRAFT] = {1, WEB_GET_DRAFT, WEB_ACT_DRAFT_EDIT},
    [WEB_R_DRAFT_DELETE] = {1, -1, WEB_ACT_DRAFT_DELETE},
    [WEB_R_ZONES] = {1, WEB_GET_ZONES, -1},
    [WEB_R_COMPLIANCE] = {1, WEB_GET_COMPLIANCE, WEB_ACT_COMPLIANCE_SEND},
    [WEB_R_TRACK_RELEASE] = {1, -1, WEB_ACT_TRACK_RELEASE},
};

static void route_get(struct web *w, struct evhttp_request *req, enum web_topic t,
                      const struct web_req *rq)
{
    if (!w->prov->get_json) {
        reply_error(w, req, 404, "not available");
        return;
    }
    struct dbuf d;
    dbuf_init(&d, REPLY_MAX);
    int code = prov_status(w->prov->get_json(w->arg, t, rq, &d));
    if (d.len == 0 && code < 400)
        reply(w, req, code, "application/json", "{\"ok\":true}", 11);
    else if (d.len == 0)
        reply_error(w, req, code, reason(code));
    else
        reply_json(w, req, code, &d);
    dbuf_free(&d);
}

static void route_post(struct web *w, struct evhttp_request *req, enum web_action act,
                       const struct web_req *rq)
{
    if (!w->prov->action) {
        reply_error(w, req, 501, "not available");
        return;
    }
    struct evbuffer *in = evhttp_request_get_input_buffer(req);
    size_t len = evbuffer_get_length(in);
    json_t *body = NULL;
    if (len) {
        const char *p = (const char *)evbuffer_pullup(in, (ev_ssize_t)len);
        json_error_t jerr;
        body = json_loadb(p, len, JSON_REJECT_DUPLICATES, &jerr);
        if (!body || !json_is_object(body)) {
            json_decref(body);
            reply_error(w, req, 400, "body is not a JSON object");
            return;
        }
    }
    struct dbuf d;
    dbuf_init(&d, REPLY_MAX);
    int code = prov_status(w->prov->action(w->arg, act, rq, body, &d));
    json_decref(body);
    if (d.len == 0 && code < 400)
        reply(w, req, code, "application/json", "{\"ok\":true}", 11);
    else if (d.len == 0)
        reply_error(w, req, code, reason(code));
    else
        reply_json(w, req, code, &d);
    dbuf_free(&d);
}

static void route_me(struct web *w, struct evhttp_request *req, const struct web_sess *s)
{
    struct dbuf d;
    dbuf_init(&d, 4096);
    struct jsonw jw;
    jw_init(&jw, &d);
    jw_obj(&jw);
    jw_kstr(&jw, "user", s->user);
    jw_kint(&jw, "expires_in_s", web_sess_remaining_ms(&w->sess, s) / 1000);
    jw_end(&jw);
    reply_json(w, req, 200, &d);
    dbuf_free(&d);
}

void web_metric_head(struct dbuf *out, const char *name, const char *type, const char *help)
{
    dbuf_addf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void web_metric_sample(struct dbuf *out, const char *name, const char *labels, double value)
{
    if (labels && *labels)
        dbuf_addf(out, "%s{%s} ", name, labels);
    else
        dbuf_addf(out, "%s ", name);
    if (!isfinite(value))
        dbuf_adds(out, isnan(value) ? "NaN\n" : value > 0 ? "+Inf\n" : "-Inf\n");
    else if (value == floor(value) && fabs(value) < 9e15)
        dbuf_addf(out, "%.0f\n", value);
    else
        dbuf_addf(out, "%.17g\n", value);
}

static void metric1(struct dbuf *d, const char *name, const char *type, const char *help,
                    uint64_t v)
{
    web_metric_head(d, name, type, help);
    web_metric_sample(d, name, NULL, (double)v);
}

static void route_metrics(struct web *w, struct evhttp_request *req)
{
    struct dbuf d;
    dbuf_init(&d, REPLY_MAX);
    const struct web_stats *s = &w->st;
    web_metric_head(&d, "cairn_web_requests_total", "counter", "HTTP requests answered by class");
    for (int c = 1; c <= 5; c++) {
        char l[32];
        snprintf(l, sizeof l, "code=\"%dxx\"", c);
        web_metric_sample(&d, "cairn_web_requests_total", l, (double)s->status[c]);
    }
    metric1(&d, "cairn_web_unauthorised_total", "counter", "Requests refused 401", s->unauthorised);
    metric1(&d, "cairn_web_bad_requests_total", "counter", "Requests refused 400", s->bad_requests);
    metric1(&d, "cairn_web_connections_refused_total", "counter",
            "Connections closed at max_connections", s->conn_refused);
    metric1(&d, "cairn_web_connections", "gauge", "Open connections that made a request",
            s->conns_open);
    web_metric_head(&d, "cairn_web_logins_total", "counter", "Login attempts by result");
    web_metric_sample(&d, "cairn_web_logins_total", "result=\"ok\"", (double)s->login_ok);
    web_metric_sample(&d, "cairn_web_logins_total", "result=\"refused\"", (double)s->login_bad);
    web_metric_sample(&d, "cairn_web_logins_total", "result=\"rate_limited\"",
                      (double)s->login_limited);
    web_metric_sample(&d, "cairn_web_logins_total", "result=\"busy\"", (double)s->login_busy);
    metric1(&d, "cairn_web_logouts_total", "counter", "Logouts", s->logouts);
    metric1(&d, "cairn_web_sessions", "gauge", "Live sessions", w->sess.live);
    metric1(&d, "cairn_web_sessions_expired_total", "counter", "Sessions ended by expiry",
            w->sess.expired);
    metric1(&d, "cairn_web_sse_clients", "gauge", "Event stream clients", s->sse_clients);
    metric1(&d, "cairn_web_sse_clients_moves", "gauge",
            "Event stream clients of the lean form (?form=moves)",
            s->sse_clients_form[WEB_FORM_MOVES]);
    metric1(&d, "cairn_web_sse_events_total", "counter", "Events published", s->sse_events);
    metric1(&d, "cairn_web_sse_dropped_total", "counter", "Event clients dropped for a full buffer",
            s->sse_dropped);
    metric1(&d, "cairn_web_sse_refused_total", "counter", "Event clients refused at the limit",
            s->sse_refused);
    metric1(&d, "cairn_web_static_files_total", "counter", "Static files served", s->static_files);
    if (w->prov->metrics) {
        struct dbuf p;
        dbuf_init(&p, REPLY_MAX);
        w->prov->metrics(w->arg, &p);
        /* Only lines of ours: comments, or samples named cairn_... */
        size_t i = 0;
        while (i < p.len) {
            size_t j = i;
            while (j < p.len && p.p[j] != '\n')
                j++;
            const char *l = p.p + i;
            size_t n = j - i;
            int ok = n == 0 || (n >= 2 && l[0] == '#' && l[1] == ' ') ||
                     (n > 6 && memcmp(l, "cairn_", 6) == 0);
            for (size_t k = 0; k < n && ok; k++)
                if ((unsigned char)l[k] < 0x20 && l[k] != '\t')
                    ok = 0;
            if (ok && n) {
                dbuf_add(&d, l, n);
                dbuf_addc(&d, '\n');
            } else if (!ok) {
                w->st.metrics_dropped++;
            }
            i = j + 1;
        }
        dbuf_free(&p);
    }
    metric1(&d, "cairn_web_metrics_dropped_total", "counter",
            "Provider metric lines dropped (no cairn_ prefix)", s->metrics_dropped);
    reply(w, req, 200, "text/plain; version=0.0.4; charset=utf-8", d.p ? d.p : "", d.len);
    dbuf_free(&d);
}

static void route_healthz(struct web *w, struct evhttp_request *req)
{
    struct dbuf d;
    dbuf_init(&d, 64 * 1024);
    int rc = w->prov->health ? w->prov->health(w->arg, &d) : 0;
    if (rc == 0)
        reply(w, req, 200, "text/plain; charset=utf-8", "ok\n", 3);
    else
        reply(w, req, 503, "text/plain; charset=utf-8", d.p ? d.p : "unhealthy\n",
              d.p ? d.len : 10);
    dbuf_free(&d);
}

static void route_static(struct web *w, struct evhttp_request *req, const char *file)
{
    if (w->static_fd < 0) {
        reply_error(w, req, 404, "not found");
        return;
    }
    int fd = openat(w->static_fd, file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > STATIC_MAX) {
        if (fd >= 0)
            close(fd);
        reply_error(w, req, 404, "not found");
        return;
    }
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    common_headers(req);
    evhttp_add_header(h, "Content-Type", web_content_type(file));
    evhttp_add_header(h, "Cache-Control", "no-cache");
    struct evbuffer *b = evbuffer_new();
    if (!b) {
        close(fd);
        reply_error(w, req, 503, "out of memory");
        return;
    }
    if (st.st_size > 0) {
        if (evbuffer_add_file(b, fd, 0, st.st_size) != 0) {
            evbuffer_free(b);
            reply_error(w, req, 500, "read failed");
            return;
        }
    } else {
        close(fd);
    }
    w->st.static_files++;
    count_status(w, 200);
    evhttp_send_reply(req, 200, "OK", b);
    evbuffer_free(b);
}

static void handle(struct evhttp_request *req, void *arg)
{
    struct web *w = arg;
    struct evhttp_connection *evcon = evhttp_request_get_connection(req);
    if (conn_admit(w, evcon) != 0) {
        w->st.conn_refused++;
        evhttp_add_header(evhttp_request_get_output_headers(req), "Connection", "close");
        reply_error(w, req, 503, "too many connections");
        return;
    }
    enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
    int post = cmd == EVHTTP_REQ_POST;
    if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD && !post) {
        reply_error(w, req, 405, "method not allowed");
        return;
    }
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
    if (!path) {
        reply_error(w, req, 400, "bad request line");
        return;
    }
    struct web_route r;
    int rc = web_route_parse(path, strlen(path), &r);
    if (rc != 0) {
        reply_error(w, req, rc == CAIRN_E_TOOBIG ? 414 : 400, "bad path");
        return;
    }
    if (r.id == WEB_R_NONE) {
        reply_error(w, req, 404, "no such route");
        return;
    }
    if (!web_route_allows(r.id, post) || (r.id == WEB_R_EVENTS && cmd == EVHTTP_REQ_HEAD)) {
        const char *allow = r.id == WEB_R_EVENTS        ? "GET"
                            : web_route_allows(r.id, 0) ? "GET, HEAD"
                                                        : "POST";
        evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", allow);
        reply_error(w, req, 405, "method not allowed");
        return;
    }
    /* A POST carrying a body must say it is JSON: a cross-site HTML form
     * cannot, which with SameSite=Strict keeps forged posts out. */
    if (post && evbuffer_get_length(evhttp_request_get_input_buffer(req)) > 0) {
        const char *ct = evhttp_find_header(evhttp_request_get_input_headers(req), "Content-Type");
        if (!ct || strncasecmp(ct, "application/json", 16) != 0) {
            reply_error(w, req, 415, "body must be application/json");
            return;
        }
    }
    struct web_kv kv[WEB_MAX_QUERY];
    char qbuf[2048]; /* queries up to 1023 bytes; longer ones are 400 */
    int nq = 0;
    const char *q = uri ? evhttp_uri_get_query(uri) : NULL;
    if (q) {
        nq = web_query_parse(q, strlen(q), qbuf, sizeof qbuf, kv, WEB_MAX_QUERY);
        if (nq < 0) {
            reply_error(w, req, 400, "bad query");
            return;
        }
    }
    struct sockaddr_storage ss;
    char addr[ADDR_MAX];
    peer_addr(evcon, &ss, addr, sizeof addr);

    switch (r.id) {
    case WEB_R_LOGIN:
        route_login(w, req, addr);
        return;
    case WEB_R_METRICS:
        route_metrics(w, req);
        return;
    case WEB_R_HEALTHZ:
        route_healthz(w, req);
        return;
    case WEB_R_STATIC:
        route_static(w, req, r.file);
        return;
    default:
        break;
    }

    char tokbuf[WEB_TOKEN_LEN + 1];
    const char *token = session_token(req, tokbuf);
    const struct web_sess *s = token ? web_sess_check(&w->sess, token, strlen(token)) : NULL;
    if (!s && !((r.id == WEB_R_AIRCRAFT || r.id == WEB_R_RECEIVER) && allowed_net(w, &ss))) {
        evhttp_add_header(evhttp_request_get_output_headers(req), "WWW-Authenticate",
                          "Bearer realm=\"cairn\"");
        reply_error(w, req, 401, "log in first");
        return;
    }
    struct web_req rq = {.user = s ? s->user : NULL,
                         .id = r.arg[0] ? r.arg : NULL,
                         .query = kv,
                         .n_query = (size_t)nq};
    switch (r.id) {
    case WEB_R_LOGOUT:
        web_sess_end(&w->sess, token, strlen(token));
        w->st.logouts++;
        evhttp_add_header(evhttp_request_get_output_headers(req), "Set-Cookie",
                          "cairn_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
        reply(w, req, 200, "application/json", "{\"ok\":true}", 11);
        return;
    case WEB_R_ME:
        route_me(w, req, s);
        return;
    case WEB_R_EVENTS:
        route_events(w, req, token, &rq);
        return;
    case WEB_R_TRACKS:
        route_tracks(w, req, 0);
        return;
    case WEB_R_AIRCRAFT:
        route_tracks(w, req, 1);
        return;
    case WEB_R_RECEIVER: {
        struct dbuf d;
        dbuf_init(&d, 4096);
        web_json_receiver(&d, w->cfg.site_lat_deg, w->cfg.site_lon_deg);
        reply_json(w, req, 200, &d);
        dbuf_free(&d);
        return;
    }
    case WEB_R_ALERTS:
        route_alerts(w, req);
        return;
    default: {
        /* the provider's routes: a GET topic, a POST action, or both */
        const struct provider_route *pr =
            (size_t)r.id < sizeof provider_routes / sizeof provider_routes[0]
                ? &provider_routes[r.id]
                : NULL;
        if (!pr || !pr->used) {
            reply_error(w, req, 404, "no such route");
        } else if ((post && pr->post >= 0) || pr->get < 0) {
            route_post(w, req, (enum web_action)pr->post, &rq);
        } else {
            route_get(w, req, (enum web_topic)pr->get, &rq);
        }
        return;
    }
    }
}

/* --------------------------------------------------------------- lifecycle */

static struct bufferevent *tls_bev(struct event_base *base, void *arg)
{
    struct web *w = arg;
    SSL *ssl = SSL_new(w->ssl);
    if (!ssl)
        return NULL;
    return bufferevent_openssl_socket_new(base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING,
                                          BEV_OPT_CLOSE_ON_FREE);
}

static int tls_setup(struct web *w)
{
    char e1[256], e2[256];
    log_escape(e1, sizeof e1, w->cfg.tls_cert, strlen(w->cfg.tls_cert), LOG_ESC_LINE);
    log_escape(e2, sizeof e2, w->cfg.tls_key, strlen(w->cfg.tls_key), LOG_ESC_LINE);
    w->ssl = SSL_CTX_new(TLS_server_method());
    if (!w->ssl)
        return CAIRN_E_NOMEM;
    SSL_CTX_set_min_proto_version(w->ssl, TLS1_2_VERSION);
    SSL_CTX_set_options(w->ssl, SSL_OP_NO_RENEGOTIATION);
    if (SSL_CTX_use_certificate_chain_file(w->ssl, w->cfg.tls_cert) != 1) {
        log_err("web", "TLS certificate %s: cannot load", e1);
        return CAIRN_E_IO;
    }
    if (SSL_CTX_use_PrivateKey_file(w->ssl, w->cfg.tls_key, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(w->ssl) != 1) {
        log_err("web", "TLS key %s: cannot load, or does not match the certificate", e2);
        return CAIRN_E_IO;
    }
    ERR_clear_error();
    evhttp_set_bevcb(w->http, tls_bev, w);
    return 0;
}

static int bind_one(struct web *w, const char *spec)
{
    char esc[128];
    log_escape(esc, sizeof esc, spec, strlen(spec), LOG_ESC_LINE);
    struct sockaddr_storage ss;
    int len = (int)sizeof ss;
    memset(&ss, 0, sizeof ss);
    /* evutil_parse_sockaddr_port refuses port 0 (any free port): parse
     * such a spec with port 1 and clear it after. */
    char tmp[128];
    size_t sl = strlen(spec);
    int any = sl >= 2 && sl < sizeof tmp && strcmp(spec + sl - 2, ":0") == 0;
    if (any) {
        memcpy(tmp, spec, sl + 1);
        tmp[sl - 1] = '1';
    }
    if (sl >= sizeof tmp ||
        evutil_parse_sockaddr_port(any ? tmp : spec, (struct sockaddr *)&ss, &len) != 0) {
        log_err("web", "listen %s: not host:port", esc);
        return CAIRN_E_INVAL;
    }
    if (any && ss.ss_family == AF_INET)
        ((struct sockaddr_in *)&ss)->sin_port = 0;
    else if (any && ss.ss_family == AF_INET6)
        ((struct sockaddr_in6 *)&ss)->sin6_port = 0;
    struct evconnlistener *l = evconnlistener_new_bind(
        w->base, NULL, NULL, LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 128,
        (struct sockaddr *)&ss, len);
    if (!l) {
        log_err("web", "listen %s: %s", esc, strerror(errno));
        return CAIRN_E_IO;
    }
    if (!evhttp_bind_listener(w->http, l)) {
        evconnlistener_free(l);
        return CAIRN_E_NOMEM;
    }
    struct sockaddr_storage bound;
    socklen_t bl = sizeof bound;
    int port = 0;
    if (getsockname(evconnlistener_get_fd(l), (struct sockaddr *)&bound, &bl) == 0) {
        if (bound.ss_family == AF_INET)
            port = ntohs(((struct sockaddr_in *)&bound)->sin_port);
        else if (bound.ss_family == AF_INET6)
            port = ntohs(((struct sockaddr_in6 *)&bound)->sin6_port);
    }
    w->ports[w->n_ports++] = port;
    log_info("web", "listening on %s (port %d)%s", esc, port, w->ssl ? " with TLS" : "");
    return 0;
}

static int check_config(const struct web_config *c)
{
    if (c->n_listen == 0 || c->n_listen > WEB_MAX_LISTEN || c->n_allow > WEB_MAX_ALLOW ||
        !c->accounts || (!c->tls_cert) != (!c->tls_key) || c->max_body == 0 ||
        c->max_headers == 0 || c->max_connections == 0 || c->idle_timeout_s <= 0 ||
        c->max_sessions == 0 || c->session_idle_ms <= 0 || c->session_max_ms <= 0 ||
        c->login_max_failures == 0 || c->login_window_ms <= 0 || c->login_block_ms <= 0 ||
        c->login_queue == 0 || c->sse_max_clients == 0 || c->sse_max_buffer == 0 ||
        c->sse_heartbeat_ms <= 0)
        return CAIRN_E_INVAL;
    for (size_t i = 0; i < c->n_listen; i++)
        if (!c->listen[i])
            return CAIRN_E_INVAL;
    for (size_t i = 0; i < c->n_allow; i++)
        if (!c->allow[i])
            return CAIRN_E_INVAL;
    return 0;
}

int web_new(struct event_base *base, const struct web_config *cfg,
            const struct web_provider *provider, void *arg, struct web **out)
{
    *out = NULL;
    if (!base || !cfg || !provider || check_config(cfg) != 0)
        return CAIRN_E_INVAL;
    if (sodium_init() < 0)
        return CAIRN_E_NOMEM;
    struct web *w = calloc(1, sizeof *w);
    if (!w)
        return CAIRN_E_NOMEM;
    w->base = base;
    w->prov = provider;
    w->arg = arg;
    w->cfg = *cfg;
    w->static_fd = -1;
    w->wake[0] = w->wake[1] = -1;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    if (!w->cfg.clock)
        w->cfg.clock = &cairn_clock_mono;
    int rc = CAIRN_E_NOMEM;
    /* strings kept */
    w->accounts_path = strdup(cfg->accounts);
    w->static_dir = cfg->static_dir ? strdup(cfg->static_dir) : NULL;
    w->cfg.tls_cert = w->cfg.tls_key = NULL; /* used only here */
    for (size_t i = 0; i < WEB_MAX_LISTEN; i++)
        w->cfg.listen[i] = NULL;
    for (size_t i = 0; i < WEB_MAX_ALLOW; i++)
        w->cfg.allow[i] = NULL;
    w->cfg.accounts = w->accounts_path;
    w->cfg.static_dir = w->static_dir;
    if (!w->accounts_path || (cfg->static_dir && !w->static_dir))
        goto fail;
    /* allow-list */
    if (cfg->n_allow == 0) {
        web_cidr_parse("127.0.0.0/8", &w->allow[0]);
        web_cidr_parse("::1/128", &w->allow[1]);
        w->n_allow = 2;
    } else {
        for (size_t i = 0; i < cfg->n_allow; i++) {
            if (web_cidr_parse(cfg->allow[i], &w->allow[i]) != 0) {
                char esc[128];
                log_escape(esc, sizeof esc, cfg->allow[i], strlen(cfg->allow[i]), LOG_ESC_LINE);
                log_err("web", "allow %s: not a network (CIDR)", esc);
                rc = CAIRN_E_INVAL;
                goto fail;
            }
        }
        w->n_allow = cfg->n_allow;
    }
    if ((rc = web_accounts_load(w->accounts_path, &w->accounts)) != 0)
        goto fail;
    if ((rc = web_sess_init(&w->sess, cfg->max_sessions, cfg->session_idle_ms, cfg->session_max_ms,
                            w->cfg.clock)) != 0 ||
        (rc = web_limit_init(&w->lim_addr, LIMIT_CAP, cfg->login_max_failures, cfg->login_window_ms,
                             cfg->login_block_ms)) != 0 ||
        (rc = web_limit_init(&w->lim_user, LIMIT_CAP, cfg->login_max_failures, cfg->login_window_ms,
                             cfg->login_block_ms)) != 0)
        goto fail;
    rc = CAIRN_E_NOMEM;
    w->conns = calloc(cfg->max_connections, sizeof *w->conns);
    w->jobs = calloc(cfg->login_queue, sizeof *w->jobs);
    if (!w->conns || !w->jobs)
        goto fail;
    if (w->static_dir) {
        w->static_fd = open(w->static_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (w->static_fd < 0) {
            char esc[256];
            log_escape(esc, sizeof esc, w->static_dir, strlen(w->static_dir), LOG_ESC_LINE);
            log_warn("web", "static files %s: %s (console not served)", esc, strerror(errno));
        }
    }
    w->http = evhttp_new(base);
    if (!w->http)
        goto fail;
    evhttp_set_max_body_size(w->http, (ev_ssize_t)cfg->max_body);
    evhttp_set_max_headers_size(w->http, (ev_ssize_t)cfg->max_headers);
    evhttp_set_timeout(w->http, cfg->idle_timeout_s);
    evhttp_set_allowed_methods(w->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD | EVHTTP_REQ_POST);
    evhttp_set_gencb(w->http, handle, w);
    if (cfg->tls_cert) {
        w->cfg.tls_cert = cfg->tls_cert;
        w->cfg.tls_key = cfg->tls_key;
        rc = tls_setup(w);
        w->cfg.tls_cert = w->cfg.tls_key = NULL;
        if (rc)
            goto fail;
    }
    for (size_t i = 0; i < cfg->n_listen; i++)
        if ((rc = bind_one(w, cfg->listen[i])) != 0)
            goto fail;
    rc = CAIRN_E_IO;
    if (pipe(w->wake) != 0)
        goto fail;
    for (int k = 0; k < 2; k++) {
        fcntl(w->wake[k], F_SETFL, O_NONBLOCK);
        fcntl(w->wake[k], F_SETFD, FD_CLOEXEC);
    }
    rc = CAIRN_E_NOMEM;
    w->wake_ev = event_new(base, w->wake[0], EV_READ | EV_PERSIST, wake_cb, w);
    w->heartbeat = event_new(base, -1, EV_PERSIST, heartbeat_cb, w);
    w->sse_chunk = evbuffer_new();
    if (!w->wake_ev || !w->heartbeat || !w->sse_chunk)
        goto fail;
    event_add(w->wake_ev, NULL);
    struct timeval hb = {cfg->sse_heartbeat_ms / 1000, (cfg->sse_heartbeat_ms % 1000) * 1000};
    event_add(w->heartbeat, &hb);
    if (pthread_create(&w->worker, NULL, worker_main, w) != 0)
        goto fail;
    w->worker_started = 1;
    *out = w;
    return 0;
fail:
    web_free(w);
    return rc;
}

void web_free(struct web *w)
{
    if (!w)
        return;
    if (w->worker_started) {
        pthread_mutex_lock(&w->mu);
        w->stop = 1;
        pthread_cond_broadcast(&w->cv);
        pthread_mutex_unlock(&w->mu);
        pthread_join(w->worker, NULL);
    }
    /* Logins still waiting are answered while their connections exist. */
    if (w->jobs && w->http)
        for (size_t i = 0; i < w->cfg.login_queue; i++)
            if (w->jobs[i].state != JOB_FREE) {
                reply_error(w, w->jobs[i].req, 503, "shutting down");
                sodium_memzero(&w->jobs[i], sizeof w->jobs[i]);
            }
    if (w->http)
        evhttp_free(w->http); /* closes connections: conn_closed forgets SSE clients */
    while (w->sse)            /* none left unless a connection was never registered */
        sse_forget(w, w->sse);
    if (w->wake_ev)
        event_free(w->wake_ev);
    if (w->heartbeat)
        event_free(w->heartbeat);
    if (w->sse_chunk)
        evbuffer_free(w->sse_chunk);
    for (int k = 0; k < 2; k++)
        if (w->wake[k] >= 0)
            close(w->wake[k]);
    if (w->static_fd >= 0)
        close(w->static_fd);
    if (w->ssl)
        SSL_CTX_free(w->ssl);
    web_accounts_free(&w->accounts);
    web_sess_fini(&w->sess);
    web_limit_fini(&w->lim_addr);
    web_limit_fini(&w->lim_user);
    free(w->conns);
    if (w->jobs)
        sodium_memzero(w->jobs, w->cfg.login_queue * sizeof *w->jobs);
    free(w->jobs);
    free(w->accounts_path);
    free(w->static_dir);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    free(w);
}

int web_reload_accounts(struct web *w)
{
    struct web_accounts na;
    int rc = web_accounts_load(w->accounts_path, &na);
    if (rc)
        return rc;
    /* Sessions of users who are gone end now. */
    for (size_t i = 0; i < w->sess.cap; i++) {
        const struct web_sess *e = &w->sess.v[i];
        if (e->token[0] && !web_accounts_find(&na, e->user)) {
            char user[WEB_USER_MAX + 1];
            memcpy(user, e->user, sizeof user);
            web_sess_end_user(&w->sess, user);
        }
    }
    /* The worker never reads the accounts (a job carries its hash). */
    web_accounts_free(&w->accounts);
    w->accounts = na;
    log_info("web", "accounts reloaded: %zu", na.n);
    return 0;
}
