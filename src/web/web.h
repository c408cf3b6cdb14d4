/*
 * web.h — the centre's HTTP face: the operators' JSON API with logins and
 * sessions, a Server-Sent Events stream of live updates, readsb-compatible
 * aircraft.json for existing map front ends, Prometheus metrics, and the
 * console's static files. On libevent's evhttp (2.1), plain HTTP or TLS.
 *
 * Key idea: web owns no data. The daemon (src/app) hands it a provider — a
 * table of callbacks that web calls synchronously, on the loop's thread,
 * while it answers a request — and pushes live updates with web_publish().
 * Tracks and alerts come as arrays of the tracker's and detector's own
 * structures, which web serialises itself (the console's format and
 * readsb's); everything else the provider writes as JSON (base/jsonw.h).
 *
 * Authentication (docs/web.md has the whole picture):
 *  - local accounts file, one "name:$argon2id$..." line per user
 *    (web_passwd_line() makes one); read at web_new and web_reload_accounts;
 *  - POST /api/login {"user":..,"password":..} checks the password on a
 *    worker thread (Argon2id costs about 150 ms: never on the loop) and
 *    answers a session: a cookie (HttpOnly, SameSite=Strict) and the same
 *    token as a bearer token in the JSON reply;
 *  - failures are rate-limited per source address and per user (429 with
 *    Retry-After); sessions expire when idle and at an absolute limit
 *    (auth.h has the state machine and its invariants).
 *
 * Threads: everything runs on the event loop's thread, except the password
 * worker, which touches nothing but its own queue. The process must ignore
 * SIGPIPE (a client that vanishes while a reply or an event is written
 * would otherwise kill it); web installs no signal handler (app/ does).
 */
#ifndef CAIRN_WEB_WEB_H
#define CAIRN_WEB_WEB_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/clock.h"
#include "base/dbuf.h"
#include "base/jsonw.h"

struct event_base;
struct trk_track;
struct det_alert;

#define WEB_MAX_LISTEN 8
#define WEB_MAX_ALLOW  16

struct web_config {
    /* Addresses to listen on, "host:port" as evutil_parse_sockaddr_port
     * reads them ("127.0.0.1:8080", "[::1]:8080", "0.0.0.0:0" for any free
     * port: see web_bound_port). At least one. */
    const char *listen[WEB_MAX_LISTEN];
    size_t n_listen;
    /* TLS: both set, PEM files; both NULL, plain HTTP. */
    const char *tls_cert, *tls_key;
    /* Accounts file (required; may hold no account: then nobody logs in). */
    const char *accounts;
    /* Folder of the console's static files (ui/dist); NULL: none served. */
    const char *static_dir;
    /* Networks (CIDR, "127.0.0.0/8", "::1/128") that may read /data/{aircraft,receiver}.json
     * without a session. n_allow == 0: loopback only. */
    const char *allow[WEB_MAX_ALLOW];
    size_t n_allow;
    /* Limits. */
    size_t max_body;             /* request body, bytes (64 KiB) */
    size_t max_headers;          /* request line + headers, bytes (8 KiB) */
    size_t max_connections;      /* open connections that made a request (256) */
    int idle_timeout_s;          /* read/write timeout of a connection (30 s) */
    size_t max_sessions;         /* live sessions (256) */
    int64_t session_idle_ms;     /* a session unused this long ends (30 min) */
    int64_t session_max_ms;      /* a session ends this long after login (12 h) */
    unsigned login_max_failures; /* failures per address or user in the window (5) */
    int64_t login_window_ms;     /* (15 min) */
    int64_t login_block_ms;      /* refused this long after the limit is hit (5 min) */
    size_t login_queue;          /* password checks waiting for the worker (8) */
    size_t sse_max_clients;      /* (64) */
    size_t sse_max_buffer;       /* bytes queued to one SSE client before it is dropped (1 MiB) */
    int sse_heartbeat_ms;        /* comment line sent this often (15 s) */
    /* Receiver position for /data/receiver.json (NaN: left out). */
    double site_lat_deg, site_lon_deg;
    /* The clock sessions and rate limits run on (borrowed; NULL: the
     * monotonic clock). Tests give a fake one. */
    const struct cairn_clock *clock;
};

/* The defaults above, no listen address, no accounts file. */
void web_config_default(struct web_config *c);

/* A view of the tracks, borrowed by web until the callback's caller
 * returns (web serialises it at once). */
struct web_tracks {
    const struct trk_track *v;
    size_t n;
    int64_t now_ms;    /* UTC time of the picture */
    uint64_t messages; /* messages received since start (readsb "messages") */
};

/* An operator's acknowledgement of an alert (POST /api/alerts/ID/ack). */
#define WEB_ACK_USER_MAX 32 /* as a user name (1..32 of [A-Za-z0-9._-]) */
struct web_ack {
    char user[WEB_ACK_USER_MAX + 1]; /* "": not acknowledged */
    int64_t t_ms;                    /* UTC of the acknowledgement */
};

struct web_alerts {
    const struct det_alert *v;
    size_t n;
    /* NULL, or n acknowledgements parallel to v (user "" where none):
     * written as "ack":{"user":..,"t_ms":..} in each acknowledged alert. */
    const struct web_ack *ack;
};

/* What a GET asks the provider to write (get_json). */
enum web_topic {
    WEB_GET_CASES = 0,      /* GET /api/cases */
    WEB_GET_MESSAGES = 1,   /* GET /api/messages */
    WEB_GET_DRAFTS = 2,     /* GET /api/messages/drafts */
    WEB_GET_SENSORS = 3,    /* GET /api/sensors */
    WEB_GET_LINK = 4,       /* GET /api/link */
    WEB_GET_TRACK = 5,      /* GET /api/tracks/ID (detail, trail...) */
    WEB_GET_MESSAGE = 6,    /* GET /api/messages/ID */
    WEB_GET_DRAFT = 7,      /* GET /api/messages/drafts/ID */
    WEB_GET_ZONES = 8,      /* GET /api/zones (the picture's zones, notices among them) */
    WEB_GET_COMPLIANCE = 9, /* GET /api/compliance (today's ledger) */
    WEB_GET_N = 10,
};

/* What a POST asks the provider to do (action). */
enum web_action {
    WEB_ACT_MSG_SEND = 0,        /* POST /api/messages */
    WEB_ACT_MSG_ACK = 1,         /* POST /api/messages/ID/ack */
    WEB_ACT_DRAFT_SAVE = 2,      /* POST /api/messages/drafts */
    WEB_ACT_TRACK_RADIO = 3,     /* POST /api/tracks/ID/radio */
    WEB_ACT_ALERT_ACK = 4,       /* POST /api/alerts/ID/ack */
    WEB_ACT_ALERT_DRAFT = 5,     /* POST /api/alerts/ID/draft (a message drafted from it) */
    WEB_ACT_DRAFT_EDIT = 6,      /* POST /api/messages/drafts/ID */
    WEB_ACT_DRAFT_DELETE = 7,    /* POST /api/messages/drafts/ID/delete */
    WEB_ACT_COMPLIANCE_SEND = 8, /* POST /api/compliance (summaries to the peers) */
    WEB_ACT_TRACK_RELEASE = 9,   /* POST /api/tracks/ID/release (releasable to peers) */
    WEB_ACT_N = 10,
};

/* The form of a client's "tracks" events on /api/events (docs/centre.md):
 * WEB_FORM_FULL, the default, every changed track as its full object;
 * WEB_FORM_MOVES (`?form=moves`), full objects only for new tracks, slow
 * members' changes and refreshes, and move rows for the kinematics. Other
 * events ("alert") are the same for both. */
enum web_form {
    WEB_FORM_FULL = 0,
    WEB_FORM_MOVES = 1,
    WEB_FORM_N = 2,
};

/* One decoded query parameter ("?peer=MOSCOW-CC&dir=in"). */
struct web_kv {
    const char *key, *val;
};
#define WEB_MAX_QUERY 16

/* What web knows about the request, handed to get_json and action. All
 * borrowed for the call. id is the ID path segment (NULL when the route
 * has none): percent-decoded, 1..64 characters of [A-Za-z0-9._:~-]. */
struct web_req {
    const char *user; /* logged-in operator; NULL for allow-listed reads */
    const char *id;
    const struct web_kv *query;
    size_t n_query;
};

/*
 * The provider: callbacks web calls on the loop's thread, synchronously,
 * while it answers. Any may be NULL: the route then answers 404 (GET) or
 * 501 (POST). `arg` is web_new's.
 */
struct web_provider {
    /* /api/tracks and /data/aircraft.json. 0, or an error (503). */
    int (*get_tracks)(void *arg, struct web_tracks *out);
    /* Extra members of one track's object in /api/tracks (the party, the
     * source "peer:NAME", ...): write keys and values with jw_k*(); the
     * object is open. May be NULL. */
    void (*track_extra)(void *arg, const struct trk_track *t, struct jsonw *w);
    /* /api/alerts. */
    int (*get_alerts)(void *arg, struct web_alerts *out);
    /* Other GETs: append one JSON value to out. Returns an HTTP status
     * (200, 404 ...) or a negative CAIRN_E_* (500). */
    int (*get_json)(void *arg, enum web_topic topic, const struct web_req *rq, struct dbuf *out);
    /* POSTs: body is the parsed request body (borrowed; an object, or NULL
     * when the body was empty). Append a JSON reply to out (may be left
     * empty: web answers {"ok":true} or {"error":..}). Returns an HTTP status
     * (200, 201, 400, 404, 409 ...) or a negative CAIRN_E_* (500). */
    int (*action)(void *arg, enum web_action act, const struct web_req *rq, const json_t *body,
                  struct dbuf *out);
    /* /metrics: append Prometheus text exposition lines; every metric name
     * must begin "cairn_" (web_metric_head / web_metric_sample help). Lines
     * that do not are dropped and counted. May be NULL. */
    void (*metrics)(void *arg, struct dbuf *out);
    /* /healthz: 0 healthy (200 "ok"), else 503 with the text written to out. */
    int (*health)(void *arg, struct dbuf *out);
};

/* Counters of the web layer (also in /metrics as cairn_web_*). */
struct web_stats {
    uint64_t requests;            /* requests answered */
    uint64_t status[6];           /* by class: [1] 1xx ... [5] 5xx */
    uint64_t unauthorised;        /* 401 */
    uint64_t forbidden;           /* 403 */
    uint64_t bad_requests;        /* 400: path, query, header, body */
    uint64_t too_large;           /* 413 */
    uint64_t conn_refused;        /* connections closed at max_connections */
    uint64_t login_ok, login_bad; /* logins and wrong user/password */
    uint64_t login_limited;       /* refused by the rate limit (429) */
    uint64_t login_busy;          /* refused: password queue full (503) */
    uint64_t logouts;
    uint64_t sessions_expired;
    uint64_t sse_events;                   /* events published */
    uint64_t sse_dropped;                  /* clients dropped for a full buffer */
    uint64_t sse_refused;                  /* clients refused at sse_max_clients */
    uint64_t metrics_dropped;              /* provider metric lines without the cairn_ prefix */
    uint64_t static_files;                 /* static files served */
    uint64_t conns_open;                   /* connections now open (gauge) */
    uint64_t sessions_live;                /* gauge */
    uint64_t sse_clients;                  /* gauge */
    uint64_t sse_clients_form[WEB_FORM_N]; /* gauge, by form (sum: sse_clients) */
};

struct web;

/*
 * Start serving on base (borrowed; must outlive the web). cfg borrowed
 * (strings copied), provider borrowed (must outlive the web), arg kept.
 * Reads the accounts file, binds every address, loads the TLS certificate.
 * 0 and *out (free with web_free), CAIRN_E_INVAL (config), CAIRN_E_IO
 * (bind, accounts or certificate file: logged with the reason),
 * CAIRN_E_FORMAT (accounts file), CAIRN_E_NOMEM. On failure nothing stays
 * bound.
 */
int web_new(struct event_base *base, const struct web_config *cfg,
            const struct web_provider *provider, void *arg, struct web **out);
/* Close every connection and listener; answer pending logins 503. Accepts
 * NULL. */
void web_free(struct web *w);

/* The port bound for listen[i] (useful with port 0); 0 when none. */
int web_bound_port(const struct web *w, size_t i);

/* Re-read the accounts file (SIGHUP). Sessions of users no longer in it
 * end. 0, CAIRN_E_IO, CAIRN_E_FORMAT (the old accounts stay). */
int web_reload_accounts(struct web *w);

/*
 * Send one event to every SSE client of /api/events:
 *   "id: N\nevent: EVENT\ndata: JSON\n\n"
 * event: 1..32 characters of [a-z0-9_.-]; json: one JSON value of len
 * bytes (the caller vouches for it; newlines in it become further "data:"
 * lines). The event is formatted once and every client's queue takes a
 * reference to the same bytes (no copy per client). A client whose queued
 * output would exceed sse_max_buffer is dropped (stats.sse_dropped); the
 * loop never waits for a client. Returns the number of clients it was
 * queued to, CAIRN_E_INVAL or CAIRN_E_NOMEM.
 */
int web_publish(struct web *w, const char *event, const char *json, size_t len);

/* web_publish to the clients of one form only (form < WEB_FORM_N): the
 * publisher builds one text per form, and only for a form that has clients
 * (stats.sse_clients_form). Same returns. */
int web_publish_form(struct web *w, enum web_form form, const char *event, const char *json,
                     size_t len);

const struct web_stats *web_stats(const struct web *w);

/* One track or alert as /api/tracks and /api/alerts write them, for the
 * daemon's SSE events ("tracks", "alert"): appended to w as one object.
 * now_ms: the picture's UTC time (ages are relative to it). */
void web_json_track(struct jsonw *w, const struct trk_track *t, int64_t now_ms);
void web_json_alert(struct jsonw *w, const struct det_alert *a);
/* web_json_track with the provider's members (its track_extra, arg) as
 * /api/tracks writes them, for the tracks of SSE "tracks" events. */
void web_json_track_extra(struct jsonw *w, const struct trk_track *t, int64_t now_ms,
                          void (*extra)(void *, const struct trk_track *, struct jsonw *),
                          void *arg);
/* A track's move row for the lean form's "moves" (docs/centre.md):
 * [id,lat,lon,alt_ft|null,gs_kt,track_deg,vrate_fpm,t_last_ms], the values
 * written as web_json_track writes them. */
void web_json_track_move(struct jsonw *w, const struct trk_track *t);
/* The same with its acknowledgement (ack NULL or ack->user "": none). */
void web_json_alert_ack(struct jsonw *w, const struct det_alert *a, const struct web_ack *ack);

/* Prometheus helpers for the provider's metrics callback:
 *   # HELP name help\n# TYPE name type\n       (type: "counter", "gauge")
 *   name{labels} value\n                        (labels may be NULL or "") */
void web_metric_head(struct dbuf *out, const char *name, const char *type, const char *help);
void web_metric_sample(struct dbuf *out, const char *name, const char *labels, double value);

/*
 * One line of the accounts file for user with password: "user:$argon2id$
 * ...\n" appended to out, hashed with libsodium's crypto_pwhash_str
 * (Argon2id, opslimit 2, memlimit 64 MiB: INTERACTIVE). Takes about
 * 150 ms. user: 1..32 characters of [A-Za-z0-9._-]; password: 8..1024
 * bytes. 0, CAIRN_E_INVAL, CAIRN_E_NOMEM.
 */
int web_passwd_line(const char *user, const char *password, struct dbuf *out);

#endif
