/*
 * test_web_http.c — the web layer end to end on 127.0.0.1: a real evhttp
 * server (web_new on an ephemeral port) and libevent's HTTP client in the
 * same loop. Logins (good, wrong, rate-limited per address and per user),
 * 401 without a session, bearer token and cookie, logout, session expiry
 * on a fake clock, oversized body and headers, a provider's GET and POST,
 * the SSE stream (events arrive; a client that does not read is dropped;
 * one event reaches many clients whole while a slow one beside them is
 * dropped),
 * aircraft.json from an allow-listed address and not from another, the
 * metrics text, static files and path traversal.
 *
 * Bounded: every exchange runs the loop until its reply or a 10 s guard
 * (a failure); no sleeps. Passwords use the product's Argon2id cost, so a
 * login takes about 150 ms on the worker thread.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "base/clock.h"
#include "base/dbuf.h"
#include "base/error.h"
#include "detect/detect.h"
#include "track/track.h"
#include "web/web.h"

#define PASSWORD "correct horse battery"

/* ------------------------------------------------------------- fixture */

struct prov_state {
    struct trk_track tracks[3];
    struct det_alert alerts[1];
    int last_action;
    char last_id[80];
    char last_user[40];
    char last_body[256];
};

struct fx {
    char dir[64];
    char accounts[128];
    struct event_base *base;
    struct web *w;
    struct cairn_clock clock;
    int port;
    struct prov_state ps;
};

static int p_tracks(void *arg, struct web_tracks *out)
{
    struct prov_state *ps = arg;
    out->v = ps->tracks;
    out->n = 3;
    out->now_ms = 1700000000000LL;
    out->messages = 1234;
    return 0;
}

static int p_alerts(void *arg, struct web_alerts *out)
{
    struct prov_state *ps = arg;
    out->v = ps->alerts;
    out->n = 1;
    return 0;
}

static int p_get(void *arg, enum web_topic t, const struct web_req *rq, struct dbuf *out)
{
    (void)arg;
    if (t == WEB_GET_CASES) {
        dbuf_addf(out, "{\"cases\":[],\"user\":\"%s\"}", rq->user ? rq->user : "");
        return 200;
    }
    if (t == WEB_GET_MESSAGES) {
        dbuf_adds(out, "{\"messages\":[");
        for (size_t i = 0; i < rq->n_query; i++)
            dbuf_addf(out, "%s\"%s=%s\"", i ? "," : "", rq->query[i].key, rq->query[i].val);
        dbuf_adds(out, "]}");
        return 200;
    }
    return 404;
}

static int p_action(void *arg, enum web_action act, const struct web_req *rq, const json_t *body,
                    struct dbuf *out)
{
    struct prov_state *ps = arg;
    ps->last_action = (int)act;
    snprintf(ps->last_id, sizeof ps->last_id, "%s", rq->id ? rq->id : "");
    snprintf(ps->last_user, sizeof ps->last_user, "%s", rq->user ? rq->user : "");
    ps->last_body[0] = '\0';
    if (body) {
        char *s = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
        snprintf(ps->last_body, sizeof ps->last_body, "%s", s);
        free(s);
    }
    if (act == WEB_ACT_MSG_SEND) {
        dbuf_adds(out, "{\"seq\":7}");
        return 201;
    }
    return 200;
}

static void p_metrics(void *arg, struct dbuf *out)
{
    (void)arg;
    web_metric_head(out, "cairn_picture_tracks", "gauge", "Tracks");
    web_metric_sample(out, "cairn_picture_tracks", NULL, 3);
    dbuf_adds(out, "evil_metric 1\n");
}

static const struct web_provider provider = {
    .get_tracks = p_tracks,
    .get_alerts = p_alerts,
    .get_json = p_get,
    .action = p_action,
    .metrics = p_metrics,
};

static void fill_tracks(struct prov_state *ps)
{
    memset(ps, 0, sizeof *ps);
    int64_t now = 1700000000000LL;
    struct trk_track *t = &ps->tracks[0];
    t->id = 1;
    t->status = TRK_ST_CONFIRMED;
    t->kind = TRK_KIND_AIRCRAFT;
    t->ids = TRK_ID_ICAO | TRK_ID_CALLSIGN | TRK_ID_SQUAWK;
    t->icao = 0x4ca2d1;
    memcpy(t->callsign, "SAS681", 7);
    t->squawk = 07700;
    t->emergency = 1;
    t->flags = TRK_F_ALT;
    t->alt_ft = 35000;
    t->lat_deg = 55.5;
    t->lon_deg = 13.2;
    t->gs_mps = 231.5; /* 450 kt */
    t->track_deg = -90.0;
    t->vrate_fpm = -640;
    t->t_first_ms = now - 60000;
    t->t_last_ms = now - 2000;
    t->t_state_ms = now - 2000;
    t->last_src_ms[TRK_SOURCE_ADSB] = now - 2000;
    t->n_updates = 99;
    /* a primary-only track: readsb's non-ICAO form */
    t = &ps->tracks[1];
    t->id = 0x1234567;
    t->status = TRK_ST_CONFIRMED;
    t->kind = TRK_KIND_UNKNOWN;
    t->lat_deg = 55.0;
    t->lon_deg = 14.0;
    t->gs_mps = 100;
    t->track_deg = 45;
    t->t_first_ms = now - 30000;
    t->t_last_ms = now - 4500;
    t->last_src_ms[TRK_SOURCE_PSR] = now - 4500;
    /* a vessel: not in aircraft.json */
    t = &ps->tracks[2];
    t->id = 3;
    t->status = TRK_ST_CONFIRMED;
    t->kind = TRK_KIND_VESSEL;
    t->ids = TRK_ID_MMSI | TRK_ID_CALLSIGN;
    t->mmsi = 265123456;
    memcpy(t->callsign, "E\x1b[2J", 6); /* hostile text */
    t->t_last_ms = now;
    struct det_alert *a = &ps->alerts[0];
    a->id = 5;
    a->rule = DET_RULE_EMERGENCY;
    a->severity = DET_SEV_ALERT;
    a->state = DET_ST_OPEN;
    a->n_parties = 1;
    a->parties[0].track_id = 1;
    a->parties[0].ids = TRK_ID_ICAO;
    a->parties[0].icao = 0x4ca2d1;
    snprintf(a->text, sizeof a->text, "SAS681 squawks 7700");
}

static void write_accounts(const char *path)
{
    struct dbuf d;
    dbuf_init(&d, 1 << 16);
    dbuf_adds(&d, "# test accounts\n");
    assert_int_equal(web_passwd_line("duty", PASSWORD, &d), 0);
    assert_int_equal(web_passwd_line("second", PASSWORD, &d), 0);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fwrite(d.p, 1, d.len, f);
    fclose(f);
    chmod(path, 0600);
    dbuf_free(&d);
}

static char shared_accounts[128];
static char shared_dir[64];

static void start(struct fx *f, void (*tweak)(struct web_config *))
{
    memset(f, 0, sizeof *f);
    fill_tracks(&f->ps);
    clock_fake_init(&f->clock, 1000000);
    f->base = event_base_new();
    assert_non_null(f->base);
    struct web_config c;
    web_config_default(&c);
    c.listen[0] = "127.0.0.1:0";
    c.n_listen = 1;
    c.accounts = shared_accounts;
    c.static_dir = shared_dir;
    c.clock = &f->clock;
    c.max_body = 4096;
    c.max_headers = 4096;
    if (tweak)
        tweak(&c);
    assert_int_equal(web_new(f->base, &c, &provider, &f->ps, &f->w), 0);
    f->port = web_bound_port(f->w, 0);
    assert_true(f->port > 0);
}

static void stop(struct fx *f)
{
    web_free(f->w);
    event_base_free(f->base);
}

/* ------------------------------------------------------------ a client */

struct resp {
    int done;
    int code;
    char body[65536];
    size_t len;
    char cookie[256];
    char retry_after[32];
    char ctype[128];
};

static void on_resp(struct evhttp_request *req, void *arg)
{
    struct resp *r = arg;
    r->done = 1;
    if (!req) {
        r->code = -1;
        return;
    }
    r->code = evhttp_request_get_response_code(req);
    struct evbuffer *b = evhttp_request_get_input_buffer(req);
    size_t n = evbuffer_get_length(b);
    if (n > sizeof r->body - 1)
        n = sizeof r->body - 1;
    evbuffer_copyout(b, r->body, n);
    r->body[n] = '\0';
    r->len = n;
    const struct evkeyvalq *h = evhttp_request_get_input_headers(req);
    const char *v;
    if ((v = evhttp_find_header(h, "Set-Cookie")))
        snprintf(r->cookie, sizeof r->cookie, "%s", v);
    if ((v = evhttp_find_header(h, "Retry-After")))
        snprintf(r->retry_after, sizeof r->retry_after, "%s", v);
    if ((v = evhttp_find_header(h, "Content-Type")))
        snprintf(r->ctype, sizeof r->ctype, "%s", v);
}

static void guard_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    *(int *)arg = 1;
}

/* Run the loop until *flag or 10 s (a failure). */
static void run_until(struct event_base *base, volatile int *flag)
{
    int expired = 0;
    struct event *g = evtimer_new(base, guard_cb, &expired);
    struct timeval tv = {10, 0};
    evtimer_add(g, &tv);
    while (!*flag && !expired)
        event_base_loop(base, EVLOOP_ONCE);
    event_free(g);
    assert_false(expired);
}

/* One request. hdrs: "Name: value" strings, NULL-terminated list. */
static void request_from(struct fx *f, const char *local, enum evhttp_cmd_type cmd,
                         const char *path, const char *const *hdrs, const char *body,
                         struct resp *r)
{
    memset(r, 0, sizeof *r);
    struct evhttp_connection *c =
        evhttp_connection_base_new(f->base, NULL, "127.0.0.1", (unsigned short)f->port);
    assert_non_null(c);
    if (local)
        evhttp_connection_set_local_address(c, local);
    struct evhttp_request *req = evhttp_request_new(on_resp, r);
    struct evkeyvalq *oh = evhttp_request_get_output_headers(req);
    evhttp_add_header(oh, "Host", "127.0.0.1");
    for (size_t i = 0; hdrs && hdrs[i]; i++) {
        char name[64];
        const char *colon = strchr(hdrs[i], ':');
        size_t n = (size_t)(colon - hdrs[i]);
        memcpy(name, hdrs[i], n);
        name[n] = '\0';
        evhttp_add_header(oh, name, colon + 2);
    }
    if (body) {
        evbuffer_add(evhttp_request_get_output_buffer(req), body, strlen(body));
        if (!evhttp_find_header(oh, "Content-Type"))
            evhttp_add_header(oh, "Content-Type", "application/json");
    }
    assert_int_equal(evhttp_make_request(c, req, cmd, path), 0);
    run_until(f->base, &r->done);
    evhttp_connection_free(c);
}

static void request(struct fx *f, enum evhttp_cmd_type cmd, const char *path,
                    const char *const *hdrs, const char *body, struct resp *r)
{
    request_from(f, NULL, cmd, path, hdrs, body, r);
}

/* Log in; the token into tok (65 bytes). Returns the status. */
static int login(struct fx *f, const char *local, const char *user, const char *pw, char *tok,
                 struct resp *r)
{
    char body[256];
    snprintf(body, sizeof body, "{\"user\":\"%s\",\"password\":\"%s\"}", user, pw);
    request_from(f, local, EVHTTP_REQ_POST, "/api/login", NULL, body, r);
    if (r->code == 200 && tok) {
        json_t *j = json_loads(r->body, 0, NULL);
        assert_non_null(j);
        snprintf(tok, 65, "%s", json_string_value(json_object_get(j, "token")));
        json_decref(j);
    }
    return r->code;
}

static struct resp R; /* big: not on the stack */

/* -------------------------------------------------------------- tests */

static void test_login_and_auth(void **state)
{
    (void)state;
    struct fx f;
    start(&f, NULL);
    char tok[65], hdr[128];

    /* without a session */
    request(&f, EVHTTP_REQ_GET, "/api/tracks", NULL, NULL, &R);
    assert_int_equal(R.code, 401);
    request(&f, EVHTTP_REQ_GET, "/api/events", NULL, NULL, &R);
    assert_int_equal(R.code, 401);
    snprintf(hdr, sizeof hdr, "Authorization: Bearer %064d", 0);
    const char *bad[] = {hdr, NULL};
    request(&f, EVHTTP_REQ_GET, "/api/tracks", bad, NULL, &R);
    assert_int_equal(R.code, 401);

    /* malformed login bodies */
    request(&f, EVHTTP_REQ_POST, "/api/login", NULL, "{\"user\":\"duty\"}", &R);
    assert_int_equal(R.code, 400);
    request(&f, EVHTTP_REQ_POST, "/api/login", NULL,
            "{\"user\":\"duty\",\"user\":\"x\",\"password\":\"p\"}", &R);
    assert_int_equal(R.code, 400);
    const char *form[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
    request(&f, EVHTTP_REQ_POST, "/api/login", form, "user=duty&password=x", &R);
    assert_int_equal(R.code, 415);
    request(&f, EVHTTP_REQ_GET, "/api/login", NULL, NULL, &R);
    assert_int_equal(R.code, 405);

    /* good login: cookie and token */
    assert_int_equal(login(&f, NULL, "duty", PASSWORD, tok, &R), 200);
    assert_non_null(strstr(R.cookie, "cairn_session="));
    assert_non_null(strstr(R.cookie, "HttpOnly"));
    assert_non_null(strstr(R.cookie, "SameSite=Strict"));
    assert_int_equal(strlen(tok), 64);
    assert_non_null(strstr(R.cookie, tok));

    /* the bearer token works */
    snprintf(hdr, sizeof hdr, "Authorization: Bearer %s", tok);
    const char *bearer[] = {hdr, NULL};
    request(&f, EVHTTP_REQ_GET, "/api/me", bearer, NULL, &R);
    assert_int_equal(R.code, 200);
    assert_non_null(strstr(R.body, "\"user\":\"duty\""));
    /* and the cookie */
    char ck[128];
    snprintf(ck, sizeof ck, "Cookie: theme=dark; cairn_session=%s; x=y", tok);
    const char *cookie[] = {ck, NULL};
    request(&f, EVHTTP_REQ_GET, "/api/cases", cookie, NULL, &R);
    assert_int_equal(R.code, 200);
    assert_string_equal(R.body, "{\"cases\":[],\"user\":\"duty\"}");

    /* provider routes: query, POST with body and id */
    request(&f, EVHTTP_REQ_GET, "/api/messages?dir=in&peer=MOSCOW%2DCC&q=a+b", bearer, NULL, &R);
    assert_int_equal(R.code, 200);
    assert_string_equal(R.body, "{\"messages\":[\"dir=in\",\"peer=MOSCOW-CC\",\"q=a b\"]}");
    request(&f, EVHTTP_REQ_POST, "/api/messages", bearer, "{\"type\":\"INCIDENT_REPORT\"}", &R);
    assert_int_equal(R.code, 201);
    assert_string_equal(R.body, "{\"seq\":7}");
    assert_int_equal(f.ps.last_action, WEB_ACT_MSG_SEND);
    assert_string_equal(f.ps.last_user, "duty");
    assert_string_equal(f.ps.last_body, "{\"type\":\"INCIDENT_REPORT\"}");
    request(&f, EVHTTP_REQ_POST, "/api/messages/MOSCOW-CC:12/ack", bearer, NULL, &R);
    assert_int_equal(R.code, 200);
    assert_string_equal(R.body, "{\"ok\":true}");
    assert_int_equal(f.ps.last_action, WEB_ACT_MSG_ACK);
    assert_string_equal(f.ps.last_id, "MOSCOW-CC:12");
    request(&f, EVHTTP_REQ_POST, "/api/tracks/17/radio", bearer, "{\"radio\":\"yes\"}", &R);
    assert_int_equal(R.code, 200);
    assert_int_equal(f.ps.last_action, WEB_ACT_TRACK_RADIO);
    assert_string_equal(f.ps.last_id, "17");
    request(&f, EVHTTP_REQ_POST, "/api/tracks/17/radio", bearer, "[1,2]", &R);
    assert_int_equal(R.code, 400);
    request(&f, EVHTTP_REQ_POST, "/api/tracks/17/radio", bearer, "{\"radio\":", &R);
    assert_int_equal(R.code, 400);
    request(&f, EVHTTP_REQ_GET, "/api/sensors", bearer, NULL, &R);
    assert_int_equal(R.code, 404);
    assert_string_equal(R.body, "{\"error\":\"Not Found\"}");
    request(&f, EVHTTP_REQ_GET, "/api/nothing", bearer, NULL, &R);
    assert_int_equal(R.code, 404);
    request(&f, EVHTTP_REQ_GET, "/api/tracks/a%2Fb", bearer, NULL, &R);
    assert_int_equal(R.code, 400);

    /* tracks and alerts as web writes them */
    request(&f, EVHTTP_REQ_GET, "/api/tracks", bearer, NULL, &R);
    assert_int_equal(R.code, 200);
    json_t *j = json_loads(R.body, 0, NULL);
    assert_non_null(j);
    json_t *ts = json_object_get(j, "tracks");
    assert_int_equal(json_array_size(ts), 3);
    json_t *t0 = json_array_get(ts, 0);
    assert_string_equal(json_string_value(json_object_get(t0, "icao")), "4ca2d1");
    assert_string_equal(json_string_value(json_object_get(t0, "squawk")), "7700");
    assert_true(json_real_value(json_object_get(t0, "track_deg")) == 270.0);
    /* the hostile callsign arrives escaped: no ESC byte */
    assert_null(strchr(R.body, 0x1b));
    json_decref(j);
    request(&f, EVHTTP_REQ_GET, "/api/alerts", bearer, NULL, &R);
    assert_int_equal(R.code, 200);
    assert_non_null(strstr(R.body, "\"rule\":\"EMERGENCY\""));

    /* logout ends the session for both */
    request(&f, EVHTTP_REQ_POST, "/api/logout", bearer, NULL, &R);
    assert_int_equal(R.code, 200);
    assert_non_null(strstr(R.cookie, "Max-Age=0"));
    request(&f, EVHTTP_REQ_GET, "/api/me", bearer, NULL, &R);
    assert_int_equal(R.code, 401);
    request(&f, EVHTTP_REQ_GET, "/api/me", cookie, NULL, &R);
    assert_int_equal(R.code, 401);

    const struct web_stats *st = web_stats(f.w);
    assert_int_equal(st->login_ok, 1);
    assert_true(st->unauthorised >= 5);
    stop(&f);
}

static void test_wrong_password_rate_limited(void **state)
{
    (void)state;
    struct fx f;
    start(&f, NULL);
    /* per address: five wrong passwords (any users) from 127.0.0.1 ... */
    const char *users[] = {"duty", "second", "nosuchuser", "duty", "second"};
    for (int i = 0; i < 5; i++) {
        assert_int_equal(login(&f, NULL, users[i], "wrong password", NULL, &R), 401);
        assert_null(strstr(R.body, "token"));
    }
    /* ... and the sixth is refused before any password is checked, even the
     * right one */
    assert_int_equal(login(&f, NULL, "second", PASSWORD, NULL, &R), 429);
    assert_int_equal(atoi(R.retry_after), 300);
    /* another address may log in: second has 2 failures only */
    assert_int_equal(login(&f, "127.0.0.2", "second", PASSWORD, NULL, &R), 200);
    /* per user: duty failed twice from .1; three more from .3 block duty
     * everywhere */
    for (int i = 0; i < 3; i++)
        assert_int_equal(login(&f, "127.0.0.3", "duty", "wrong password", NULL, &R), 401);
    assert_int_equal(login(&f, "127.0.0.4", "duty", PASSWORD, NULL, &R), 429);
    /* the block ends (fake clock) */
    clock_advance(&f.clock, 300 * 1000);
    assert_int_equal(login(&f, "127.0.0.4", "duty", PASSWORD, NULL, &R), 200);
    assert_int_equal(login(&f, NULL, "duty", PASSWORD, NULL, &R), 200);
    const struct web_stats *st = web_stats(f.w);
    assert_int_equal(st->login_bad, 8);
    assert_int_equal(st->login_limited, 2);
    assert_int_equal(st->login_ok, 3);
    /* counted in the metrics */
    request(&f, EVHTTP_REQ_GET, "/metrics", NULL, NULL, &R);
    assert_non_null(strstr(R.body, "cairn_web_logins_total{result=\"refused\"} 8\n"));
    assert_non_null(strstr(R.body, "cairn_web_logins_total{result=\"rate_limited\"} 2\n"));
    stop(&f);
}

static void short_sessions(struct web_config *c)
{
    c->session_idle_ms = 60 * 1000;
    c->session_max_ms = 150 * 1000;
}

static void test_session_expiry(void **state)
{
    (void)state;
    struct fx f;
    start(&f, short_sessions);
    char tok[65], hdr[128];
    assert_int_equal(login(&f, NULL, "duty", PASSWORD, tok, &R), 200);
    snprintf(hdr, sizeof hdr, "Authorization: Bearer %s", tok);
    const char *bearer[] = {hdr, NULL};
    /* used every 50 s: the idle limit never strikes ... */
    for (int i = 0; i < 2; i++) {
        clock_advance(&f.clock, 50 * 1000);
        request(&f, EVHTTP_REQ_GET, "/api/me", bearer, NULL, &R);
        assert_int_equal(R.code, 200);
    }
    /* ... but the absolute limit does (150 s after login) */
    clock_advance(&f.clock, 49 * 1000);
    request(&f, EVHTTP_REQ_GET, "/api/me", bearer, NULL, &R);
    assert_int_equal(R.code, 200);
    clock_advance(&f.clock, 1000);
    request(&f, EVHTTP_REQ_GET, "/api/me", bearer, NULL, &R);
    assert_int_equal(R.code, 401);
    /* idle: 60 s without use */
    assert_int_equal(login(&f, NULL, "duty", PASSWORD, tok, &R), 200);
    snprintf(hdr, sizeof hdr, "Authorization: Bearer %s", tok);
    clock_advance(&f.clock, 59 * 1000);
    request(&f, EVHTTP_REQ_GET, "/api/me", bearer, NULL, &R);
    assert_int_equal(R.code, 200);
    clock_advance(&f.clock, 60 * 1000);
    request(&f, EVHTTP_REQ_GET, "/api/me", bearer, NULL, &R);
    assert_int_equal(R.code, 401);
    assert_int_equal(web_stats(f.w)->sessions_live, 0);
    stop(&f);
}

static void test_limits(void **state)
{
    (void)state;
    struct fx f;
    start(&f, NULL);
    /* a body over max_body (4096) */
    char *big = malloc(10000);
    memset(big, 'a', 9999);
    big[0] = '"';
    big[9998] = '"';
    big[9999] = '\0';
    request(&f, EVHTTP_REQ_POST, "/api/login", NULL, big, &R);
    assert_int_equal(R.code, 413);
    /* headers over max_headers (4096) */
    char *hdr = malloc(6000);
    snprintf(hdr, 6000, "X-Big: %05000d", 0);
    const char *h[] = {hdr, NULL};
    request(&f, EVHTTP_REQ_GET, "/healthz", h, NULL, &R);
    assert_true(R.code == 413 || R.code == 400 || R.code == -1);
    /* the server goes on */
    request(&f, EVHTTP_REQ_GET, "/healthz", NULL, NULL, &R);
    assert_int_equal(R.code, 200);
    assert_string_equal(R.body, "ok\n");
    free(big);
    free(hdr);
    stop(&f);
}

static void small_conns(struct web_config *c)
{
    c->max_connections = 2;
}

static void test_connection_limit(void **state)
{
    (void)state;
    struct fx f;
    start(&f, small_conns);
    /* two keep-alive connections hold both places */
    struct evhttp_connection *c[3];
    struct resp *r = calloc(3, sizeof *r);
    for (int i = 0; i < 3; i++) {
        c[i] = evhttp_connection_base_new(f.base, NULL, "127.0.0.1", (unsigned short)f.port);
        struct evhttp_request *req = evhttp_request_new(on_resp, &r[i]);
        evhttp_add_header(evhttp_request_get_output_headers(req), "Host", "x");
        evhttp_make_request(c[i], req, EVHTTP_REQ_GET, "/healthz");
        run_until(f.base, &r[i].done);
    }
    assert_int_equal(r[0].code, 200);
    assert_int_equal(r[1].code, 200);
    assert_int_equal(r[2].code, 503);
    assert_int_equal(web_stats(f.w)->conn_refused, 1);
    /* one closes: a new connection is served */
    evhttp_connection_free(c[0]);
    evhttp_connection_free(c[2]);
    int n = 0;
    while (web_stats(f.w)->conns_open > 1 && n++ < 1000)
        event_base_loop(f.base, EVLOOP_ONCE);
    request(&f, EVHTTP_REQ_GET, "/healthz", NULL, NULL, &R);
    assert_int_equal(R.code, 200);
    evhttp_connection_free(c[1]);
    free(r);
    stop(&f);
}

/* -------------------------------------------------------------- SSE */

struct sse_rx {
    char buf[65536];
    size_t len;
    int chunks;
    int code;
};

static void on_chunk(struct evhttp_request *req, void *arg)
{
    struct sse_rx *s = arg;
    s->code = evhttp_request_get_response_code(req);
    struct evbuffer *b = evhttp_request_get_input_buffer(req);
    size_t n = evbuffer_get_length(b);
    if (n > sizeof s->buf - 1 - s->len)
        n = sizeof s->buf - 1 - s->len;
    evbuffer_remove(b, s->buf + s->len, n);
    s->len += n;
    s->buf[s->len] = '\0';
    s->chunks++;
}

static void on_sse_done(struct evhttp_request *req, void *arg)
{
    (void)req;
    (void)arg;
}

static int has_text(struct sse_rx *s, const char *t)
{
    return strstr(s->buf, t) != NULL;
}

static void test_sse(void **state)
{
    (void)state;
    struct fx f;
    start(&f, NULL);
    char tok[65], hdr[128];
    assert_int_equal(login(&f, NULL, "duty", PASSWORD, tok, &R), 200);
    snprintf(hdr, sizeof hdr, "Bearer %s", tok);

    struct sse_rx rx[2];
    memset(rx, 0, sizeof rx);
    struct evhttp_connection *c[2];
    for (int i = 0; i < 2; i++) {
        c[i] = evhttp_connection_base_new(f.base, NULL, "127.0.0.1", (unsigned short)f.port);
        /* the chunk callback gets the request's argument */
        struct evhttp_request *req = evhttp_request_new(on_sse_done, &rx[i]);
        evhttp_request_set_chunked_cb(req, on_chunk);
        evhttp_add_header(evhttp_request_get_output_headers(req), "Host", "x");
        evhttp_add_header(evhttp_request_get_output_headers(req), "Authorization", hdr);
        evhttp_make_request(c[i], req, EVHTTP_REQ_GET, "/api/events");
    }
    int both = 0;
    while (!both) {
        volatile int flag = rx[0].chunks && rx[1].chunks;
        if (flag)
            break;
        int expired = 0;
        struct event *g = evtimer_new(f.base, guard_cb, &expired);
        struct timeval tv = {10, 0};
        evtimer_add(g, &tv);
        event_base_loop(f.base, EVLOOP_ONCE);
        event_free(g);
        assert_false(expired);
        both = rx[0].chunks && rx[1].chunks;
    }
    assert_int_equal(rx[0].code, 200);
    assert_true(has_text(&rx[0], "retry: 2000"));
    assert_int_equal(web_stats(f.w)->sse_clients, 2);

    assert_int_equal(web_publish(f.w, "tracks", "{\"id\":1}", 8), 2);
    assert_int_equal(web_publish(f.w, "alert", "{\"a\":\n1}", 8), 2);
    assert_int_equal(web_publish(f.w, "Bad Name", "{}", 2), CAIRN_E_INVAL);
    for (int k = 0; k < 1000 && !(has_text(&rx[0], "data: 1}") && has_text(&rx[1], "data: 1}"));
         k++)
        event_base_loop(f.base, EVLOOP_ONCE);
    for (int i = 0; i < 2; i++) {
        assert_true(has_text(&rx[i], "id: 1\nevent: tracks\ndata: {\"id\":1}\n\n"));
        assert_true(has_text(&rx[i], "id: 2\nevent: alert\ndata: {\"a\":\ndata: 1}\n\n"));
    }
    /* a client going away is forgotten */
    evhttp_connection_free(c[1]);
    for (int k = 0; k < 1000 && web_stats(f.w)->sse_clients > 1; k++) {
        web_publish(f.w, "tick", "{}", 2); /* a write finds the closed socket */
        event_base_loop(f.base, EVLOOP_NONBLOCK);
    }
    assert_int_equal(web_stats(f.w)->sse_clients, 1);
    evhttp_connection_free(c[0]);
    stop(&f);
}

static void fast_heartbeat(struct web_config *c)
{
    c->sse_heartbeat_ms = 20;
}

/* Heartbeats arrive; a stream whose session ended is closed at the next. */
static void test_sse_heartbeat_logout(void **state)
{
    (void)state;
    struct fx f;
    start(&f, fast_heartbeat);
    char tok[65], hdr[128];
    assert_int_equal(login(&f, NULL, "duty", PASSWORD, tok, &R), 200);
    snprintf(hdr, sizeof hdr, "Bearer %s", tok);
    static struct sse_rx rx;
    memset(&rx, 0, sizeof rx);
    struct evhttp_connection *c =
        evhttp_connection_base_new(f.base, NULL, "127.0.0.1", (unsigned short)f.port);
    struct evhttp_request *req = evhttp_request_new(on_sse_done, &rx);
    evhttp_request_set_chunked_cb(req, on_chunk);
    evhttp_add_header(evhttp_request_get_output_headers(req), "Host", "x");
    evhttp_add_header(evhttp_request_get_output_headers(req), "Authorization", hdr);
    evhttp_make_request(c, req, EVHTTP_REQ_GET, "/api/events");
    int expired = 0;
    struct event *g = evtimer_new(f.base, guard_cb, &expired);
    struct timeval tv = {10, 0};
    evtimer_add(g, &tv);
    while (!has_text(&rx, ": heartbeat\n\n") && !expired)
        event_base_loop(f.base, EVLOOP_ONCE);
    assert_false(expired);
    snprintf(hdr, sizeof hdr, "Authorization: Bearer %s", tok);
    const char *bearer[] = {hdr, NULL};
    request(&f, EVHTTP_REQ_POST, "/api/logout", bearer, NULL, &R);
    assert_int_equal(R.code, 200);
    while (web_stats(f.w)->sse_clients > 0 && !expired)
        event_base_loop(f.base, EVLOOP_ONCE);
    assert_false(expired);
    event_free(g);
    evhttp_connection_free(c);
    stop(&f);
}

static void small_sse(struct web_config *c)
{
    c->sse_max_buffer = 64 * 1024;
}

static void test_sse_slow_client_dropped(void **state)
{
    (void)state;
    struct fx f;
    start(&f, small_sse);
    char tok[65];
    assert_int_equal(login(&f, NULL, "duty", PASSWORD, tok, &R), 200);
    /* a raw client with a tiny receive buffer that never reads */
    int s = socket(AF_INET, SOCK_STREAM, 0);
    int small = 4096;
    setsockopt(s, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    struct sockaddr_in sa = {0};
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)f.port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(s, (struct sockaddr *)&sa, sizeof sa), 0);
    char rq[256];
    int n =
        snprintf(rq, sizeof rq,
                 "GET /api/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n", tok);
    assert_int_equal(write(s, rq, (size_t)n), n);
    for (int k = 0; k < 1000 && web_stats(f.w)->sse_clients == 0; k++)
        event_base_loop(f.base, EVLOOP_ONCE);
    assert_int_equal(web_stats(f.w)->sse_clients, 1);
    /* 16 KiB events until it is dropped; the loop never waits for it */
    char *ev = malloc(16384);
    memset(ev, 'x', 16383);
    ev[0] = '"';
    ev[16382] = '"';
    ev[16383] = '\0';
    int k;
    for (k = 0; k < 2000 && web_stats(f.w)->sse_dropped == 0; k++) {
        web_publish(f.w, "big", ev, 16383);
        event_base_loop(f.base, EVLOOP_NONBLOCK);
    }
    assert_int_equal(web_stats(f.w)->sse_dropped, 1);
    assert_int_equal(web_stats(f.w)->sse_clients, 0);
    printf("slow client dropped after %d events of 16 KiB\n", k);
    free(ev);
    close(s);
    stop(&f);
}

/* A stream read through a running FNV-1a hash: what arrived, without
 * keeping it. */
struct sse_sum {
    uint64_t len, hash;
};

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001B3ull;
    return h;
}

static void on_chunk_sum(struct evhttp_request *req, void *arg)
{
    struct sse_sum *s = arg;
    struct evbuffer *b = evhttp_request_get_input_buffer(req);
    size_t n = evbuffer_get_length(b);
    s->hash = fnv(s->hash, evbuffer_pullup(b, -1), n);
    s->len += n;
    evbuffer_drain(b, n);
}

#define FAN_CLIENTS 8
#define FAN_EVENTS  400
#define FAN_PAD     8000

/* One event to many clients: each gets the same bytes, in order, whole
 * (the clients share one buffer, web.c), while a client that never reads
 * beside them is dropped once (sse_dropped) without disturbing them. */
static void test_sse_fanout(void **state)
{
    (void)state;
    struct fx f;
    start(&f, small_sse);
    char tok[65], hdr[128];
    assert_int_equal(login(&f, NULL, "duty", PASSWORD, tok, &R), 200);
    snprintf(hdr, sizeof hdr, "Bearer %s", tok);
    static struct sse_sum rx[FAN_CLIENTS];
    struct evhttp_connection *c[FAN_CLIENTS];
    static const char hello[] = ": cairn events\nretry: 2000\n\n";
    uint64_t want_len = sizeof hello - 1, want_hash = fnv(0xCBF29CE484222325ull, hello, want_len);
    for (int i = 0; i < FAN_CLIENTS; i++) {
        rx[i] = (struct sse_sum){0, 0xCBF29CE484222325ull};
        c[i] = evhttp_connection_base_new(f.base, NULL, "127.0.0.1", (unsigned short)f.port);
        struct evhttp_request *req = evhttp_request_new(on_sse_done, &rx[i]);
        evhttp_request_set_chunked_cb(req, on_chunk_sum);
        evhttp_add_header(evhttp_request_get_output_headers(req), "Host", "x");
        evhttp_add_header(evhttp_request_get_output_headers(req), "Authorization", hdr);
        evhttp_make_request(c[i], req, EVHTTP_REQ_GET, "/api/events");
    }
    /* the slow one: a raw socket with a tiny receive buffer, never read */
    int s = socket(AF_INET, SOCK_STREAM, 0);
    int small = 4096;
    setsockopt(s, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    struct sockaddr_in sa = {0};
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)f.port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(s, (struct sockaddr *)&sa, sizeof sa), 0);
    char rq[256];
    int n =
        snprintf(rq, sizeof rq,
                 "GET /api/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n", tok);
    assert_int_equal(write(s, rq, (size_t)n), n);
    int expired = 0;
    struct event *g = evtimer_new(f.base, guard_cb, &expired);
    struct timeval tv = {10, 0};
    evtimer_add(g, &tv);
    int all = 0;
    while (!expired && !all) {
        event_base_loop(f.base, EVLOOP_ONCE);
        all = web_stats(f.w)->sse_clients == FAN_CLIENTS + 1;
        for (int i = 0; i < FAN_CLIENTS; i++)
            all &= rx[i].len == want_len;
    }
    assert_false(expired);

    static char json[FAN_PAD + 128], text[FAN_PAD + 256];
    /* at least FAN_EVENTS, and on until the slow one is dropped (its
     * kernel buffers take a few MB first) */
    int k;
    for (k = 1; k <= FAN_EVENTS || (web_stats(f.w)->sse_dropped == 0 && k <= 5 * FAN_EVENTS); k++) {
        int jn =
            snprintf(json, sizeof json, "{\"now_ms\":%d,\"tracks\":[{\"id\":%d,\"pad\":\"", k, k);
        memset(json + jn, 'a' + k % 26, FAN_PAD);
        jn += FAN_PAD;
        jn += snprintf(json + jn, sizeof json - (size_t)jn, "\"}]}");
        int tn = snprintf(text, sizeof text, "id: %d\nevent: tracks\ndata: %s\n\n", k, json);
        want_len += (uint64_t)tn;
        want_hash = fnv(want_hash, text, (size_t)tn);
        int got = web_publish(f.w, "tracks", json, (size_t)jn);
        assert_true(got == FAN_CLIENTS || got == FAN_CLIENTS + 1);
        /* the fast clients keep up: the loop runs until they have it */
        int done = 0;
        while (!expired && !done) {
            event_base_loop(f.base, EVLOOP_ONCE);
            done = 1;
            for (int i = 0; i < FAN_CLIENTS; i++)
                done &= rx[i].len == want_len;
        }
        assert_false(expired);
    }
    event_free(g);
    for (int i = 0; i < FAN_CLIENTS; i++) {
        assert_true(rx[i].len == want_len);
        assert_true(rx[i].hash == want_hash);
    }
    const struct web_stats *st = web_stats(f.w);
    assert_int_equal(st->sse_events, (uint64_t)k - 1);
    assert_int_equal(st->sse_dropped, 1);
    assert_int_equal(st->sse_clients, FAN_CLIENTS);
    for (int i = 0; i < FAN_CLIENTS; i++)
        evhttp_connection_free(c[i]);
    close(s);
    stop(&f);
}

/* ------------------------------------------------ aircraft.json, metrics */

/* readsb README-json.md, aircraft.json: every key it documents. */
static const char *const readsb_top[] = {"now", "messages", "aircraft", NULL};
static const char *const readsb_keys[] = {"hex",
                                          "type",
                                          "flight",
                                          "alt_baro",
                                          "alt_geom",
                                          "gs",
                                          "ias",
                                          "tas",
                                          "mach",
                                          "track",
                                          "track_rate",
                                          "roll",
                                          "mag_heading",
                                          "true_heading",
                                          "baro_rate",
                                          "geom_rate",
                                          "squawk",
                                          "emergency",
                                          "category",
                                          "nav_qnh",
                                          "nav_altitude_mcp",
                                          "nav_altitude_fms",
                                          "nav_heading",
                                          "nav_modes",
                                          "lat",
                                          "lon",
                                          "nic",
                                          "rc",
                                          "seen_pos",
                                          "version",
                                          "nic_baro",
                                          "nac_p",
                                          "nac_v",
                                          "sil",
                                          "sil_type",
                                          "gva",
                                          "sda",
                                          "mlat",
                                          "tisb",
                                          "messages",
                                          "seen",
                                          "rssi",
                                          "alert",
                                          "spi",
                                          "wd",
                                          "ws",
                                          "oat",
                                          "tat",
                                          "r",
                                          "t",
                                          "desc",
                                          "dbFlags",
                                          "lastPosition",
                                          "rr_lat",
                                          "rr_lon",
                                          NULL};
static const char *const readsb_types[] = {
    "adsb_icao", "adsb_icao_nt", "adsr_icao",  "tisb_icao",  "adsc",           "mlat", "other",
    "mode_s",    "adsb_other",   "adsr_other", "tisb_other", "tisb_trackfile", NULL};
static const char *const readsb_emerg[] = {"none",     "general", "lifeguard", "minfuel", "nordo",
                                           "unlawful", "downed",  "reserved",  NULL};

static int in_list(const char *const *l, const char *s)
{
    for (; *l; l++)
        if (strcmp(*l, s) == 0)
            return 1;
    return 0;
}

static void check_readsb(const char *body)
{
    json_error_t e;
    json_t *j = json_loads(body, 0, &e);
    assert_non_null(j);
    const char *k;
    json_t *v;
    json_object_foreach(j, k, v) assert_true(in_list(readsb_top, k));
    assert_true(json_is_number(json_object_get(j, "now")));
    /* seconds since the epoch, not milliseconds */
    assert_true(json_number_value(json_object_get(j, "now")) == 1700000000.0);
    assert_int_equal(json_integer_value(json_object_get(j, "messages")), 1234);
    json_t *ac = json_object_get(j, "aircraft");
    assert_int_equal(json_array_size(ac), 2); /* the vessel is left out */
    size_t i;
    json_t *a;
    json_array_foreach(ac, i, a)
    {
        json_object_foreach(a, k, v)
        {
            if (!in_list(readsb_keys, k))
                fail_msg("aircraft.json key %s is not readsb's", k);
        }
        const char *hex = json_string_value(json_object_get(a, "hex"));
        assert_non_null(hex);
        size_t off = hex[0] == '~';
        assert_int_equal(strlen(hex + off), 6);
        assert_int_equal(strspn(hex + off, "0123456789abcdef"), 6);
        assert_true(in_list(readsb_types, json_string_value(json_object_get(a, "type"))));
        assert_true(in_list(readsb_emerg, json_string_value(json_object_get(a, "emergency"))));
        double tr = json_number_value(json_object_get(a, "track"));
        assert_true(tr >= 0 && tr < 360);
        assert_true(json_number_value(json_object_get(a, "seen")) >= 0);
        json_t *sq = json_object_get(a, "squawk");
        if (sq) {
            assert_true(json_is_string(sq));
            assert_int_equal(strspn(json_string_value(sq), "01234567"), 4);
        }
        json_t *fl = json_object_get(a, "flight");
        if (fl)
            assert_int_equal(strlen(json_string_value(fl)), 8);
    }
    /* units: the first is SAS681 at 35000 ft, 450 kt, track 270, 2 s ago */
    a = json_array_get(ac, 0);
    assert_string_equal(json_string_value(json_object_get(a, "hex")), "4ca2d1");
    assert_string_equal(json_string_value(json_object_get(a, "type")), "adsb_icao");
    assert_string_equal(json_string_value(json_object_get(a, "flight")), "SAS681  ");
    assert_int_equal(json_integer_value(json_object_get(a, "alt_baro")), 35000);
    assert_true(json_number_value(json_object_get(a, "gs")) == 450.0);
    assert_true(json_number_value(json_object_get(a, "track")) == 270.0);
    assert_int_equal(json_integer_value(json_object_get(a, "baro_rate")), -640);
    assert_string_equal(json_string_value(json_object_get(a, "squawk")), "7700");
    assert_string_equal(json_string_value(json_object_get(a, "emergency")), "general");
    assert_true(json_number_value(json_object_get(a, "seen")) == 2.0);
    assert_true(json_number_value(json_object_get(a, "lat")) == 55.5);
    /* the primary-only track: readsb's non-ICAO form */
    a = json_array_get(ac, 1);
    assert_string_equal(json_string_value(json_object_get(a, "hex")), "~234567");
    assert_string_equal(json_string_value(json_object_get(a, "type")), "tisb_trackfile");
    assert_null(json_object_get(a, "alt_baro"));
    assert_true(json_number_value(json_object_get(a, "seen_pos")) == 4.5);
    json_decref(j);
}

static void test_aircraft_json(void **state)
{
    (void)state;
    struct fx f;
    start(&f, NULL);
    /* from loopback (the default allow-list): no session needed */
    request(&f, EVHTTP_REQ_GET, "/data/aircraft.json", NULL, NULL, &R);
    assert_int_equal(R.code, 200);
    assert_string_equal(R.ctype, "application/json");
    check_readsb(R.body);
    request(&f, EVHTTP_REQ_GET, "/data/receiver.json", NULL, NULL, &R);
    assert_int_equal(R.code, 200);
    assert_non_null(strstr(R.body, "\"refresh\":1000"));
    stop(&f);
}

static void allow_other(struct web_config *c)
{
    c->allow[0] = "10.0.0.0/8";
    c->n_allow = 1;
}

static void test_aircraft_json_not_allowed(void **state)
{
    (void)state;
    struct fx f;
    start(&f, allow_other);
    request(&f, EVHTTP_REQ_GET, "/data/aircraft.json", NULL, NULL, &R);
    assert_int_equal(R.code, 401);
    char tok[65], hdr[128];
    assert_int_equal(login(&f, NULL, "duty", PASSWORD, tok, &R), 200);
    snprintf(hdr, sizeof hdr, "Authorization: Bearer %s", tok);
    const char *bearer[] = {hdr, NULL};
    request(&f, EVHTTP_REQ_GET, "/data/aircraft.json", bearer, NULL, &R);
    assert_int_equal(R.code, 200);
    /* /metrics and /healthz are open anyway */
    request(&f, EVHTTP_REQ_GET, "/metrics", NULL, NULL, &R);
    assert_int_equal(R.code, 200);
    stop(&f);
}

static void test_metrics(void **state)
{
    (void)state;
    struct fx f;
    start(&f, NULL);
    request(&f, EVHTTP_REQ_GET, "/api/tracks", NULL, NULL, &R); /* a 401 */
    request(&f, EVHTTP_REQ_GET, "/metrics", NULL, NULL, &R);
    assert_int_equal(R.code, 200);
    assert_non_null(strstr(R.ctype, "text/plain; version=0.0.4"));
    /* every line: a HELP/TYPE comment or "cairn_name{labels} value" */
    char *save = NULL;
    int samples = 0;
    for (char *l = strtok_r(R.body, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        if (l[0] == '#') {
            assert_true(strncmp(l, "# HELP cairn_", 13) == 0 ||
                        strncmp(l, "# TYPE cairn_", 13) == 0);
            if (strncmp(l, "# TYPE", 6) == 0)
                assert_true(strstr(l, " counter") || strstr(l, " gauge"));
            continue;
        }
        assert_true(strncmp(l, "cairn_", 6) == 0);
        size_t n = strspn(l, "abcdefghijklmnopqrstuvwxyz_0123456789");
        assert_true(l[n] == ' ' || l[n] == '{');
        const char *val = strrchr(l, ' ') + 1;
        char *end;
        strtod(val, &end);
        assert_true(*end == '\0');
        samples++;
    }
    assert_true(samples > 10);
    assert_int_equal(web_stats(f.w)->metrics_dropped, 1); /* evil_metric */
    request(&f, EVHTTP_REQ_GET, "/metrics", NULL, NULL, &R);
    assert_non_null(strstr(R.body, "cairn_picture_tracks 3\n"));
    assert_non_null(strstr(R.body, "cairn_web_unauthorised_total 1\n"));
    assert_null(strstr(R.body, "evil_metric"));
    stop(&f);
}

static void test_static(void **state)
{
    (void)state;
    struct fx f;
    start(&f, NULL);
    request(&f, EVHTTP_REQ_GET, "/", NULL, NULL, &R);
    assert_int_equal(R.code, 200);
    assert_string_equal(R.ctype, "text/html; charset=utf-8");
    assert_string_equal(R.body, "<h1>console</h1>\n");
    request(&f, EVHTTP_REQ_GET, "/assets/app.js", NULL, NULL, &R);
    assert_int_equal(R.code, 200);
    assert_string_equal(R.ctype, "text/javascript; charset=utf-8");
    request(&f, EVHTTP_REQ_GET, "/assets/%61pp.js", NULL, NULL, &R);
    assert_int_equal(R.code, 200);
    const char *bad[] = {
        "/../accounts", "/assets/../../accounts", "/%2e%2e/accounts", "/assets/..%2faccounts",
        "/.hidden",     "/assets%2f..%2f..",      "/a\\..\\b",        "/x%00y"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        request(&f, EVHTTP_REQ_GET, bad[i], NULL, NULL, &R);
        assert_true(R.code == 400 || R.code == 404);
        assert_null(strstr(R.body, "argon2"));
    }
    request(&f, EVHTTP_REQ_GET, "/nothere.js", NULL, NULL, &R);
    assert_int_equal(R.code, 404);
    /* a symbolic link out of the folder is not followed */
    request(&f, EVHTTP_REQ_GET, "/link", NULL, NULL, &R);
    assert_int_equal(R.code, 404);
    stop(&f);
}

/* ------------------------------------------------------------------ TLS */

static char tls_cert[160], tls_key[160];

/* A self-signed P-256 certificate for 127.0.0.1, written as PEM files. */
static void make_cert(void)
{
    snprintf(tls_cert, sizeof tls_cert, "%s/cert.pem", shared_dir);
    snprintf(tls_key, sizeof tls_key, "%s/key.pem", shared_dir);
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    assert_non_null(k);
    X509 *x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_set_pubkey(x, k);
    X509_NAME *n = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"127.0.0.1", -1, -1,
                               0);
    X509_set_issuer_name(x, n);
    X509_EXTENSION *san = X509V3_EXT_conf_nid(NULL, NULL, NID_subject_alt_name, "IP:127.0.0.1");
    assert_non_null(san);
    X509_add_ext(x, san, -1);
    X509_EXTENSION_free(san);
    assert_true(X509_sign(x, k, EVP_sha256()) > 0);
    FILE *f = fopen(tls_cert, "w");
    PEM_write_X509(f, x);
    fclose(f);
    f = fopen(tls_key, "w");
    PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL);
    fclose(f);
    chmod(tls_key, 0600);
    X509_free(x);
    EVP_PKEY_free(k);
}

static void with_tls(struct web_config *c)
{
    c->tls_cert = tls_cert;
    c->tls_key = tls_key;
}

static void test_tls(void **state)
{
    (void)state;
    make_cert();
    struct fx f;
    start(&f, with_tls);
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    assert_non_null(ctx);
    /* trust exactly the certificate made above */
    assert_int_equal(SSL_CTX_load_verify_locations(ctx, tls_cert, NULL), 1);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    SSL *ssl = SSL_new(ctx);
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), "127.0.0.1");
    struct bufferevent *bev =
        bufferevent_openssl_socket_new(f.base, -1, ssl, BUFFEREVENT_SSL_CONNECTING,
                                       BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
    assert_non_null(bev);
    struct evhttp_connection *c = evhttp_connection_base_bufferevent_new(
        f.base, NULL, bev, "127.0.0.1", (unsigned short)f.port);
    memset(&R, 0, sizeof R);
    char body[128];
    snprintf(body, sizeof body, "{\"user\":\"duty\",\"password\":\"%s\"}", PASSWORD);
    struct evhttp_request *req = evhttp_request_new(on_resp, &R);
    evhttp_add_header(evhttp_request_get_output_headers(req), "Host", "127.0.0.1");
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "application/json");
    evbuffer_add(evhttp_request_get_output_buffer(req), body, strlen(body));
    assert_int_equal(evhttp_make_request(c, req, EVHTTP_REQ_POST, "/api/login"), 0);
    run_until(f.base, &R.done);
    if (R.code != 200) {
        unsigned long e;
        while ((e = bufferevent_get_openssl_error(bev)) != 0)
            fprintf(stderr, "tls: %s\n", ERR_error_string(e, NULL));
    }
    assert_int_equal(R.code, 200);
    /* over TLS the cookie is Secure */
    assert_non_null(strstr(R.cookie, "; Secure"));
    evhttp_connection_free(c);
    SSL_CTX_free(ctx);
    /* plain HTTP to the TLS port gets nothing */
    request(&f, EVHTTP_REQ_GET, "/healthz", NULL, NULL, &R);
    assert_int_not_equal(R.code, 200);
    stop(&f);
}

static void listen_v6(struct web_config *c)
{
    c->listen[0] = "[::1]:0";
}

static void test_ipv6(void **state)
{
    (void)state;
    int s = socket(AF_INET6, SOCK_STREAM, 0);
    struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
    int have = s >= 0 && bind(s, (struct sockaddr *)&a, sizeof a) == 0;
    if (s >= 0)
        close(s);
    if (!have)
        skip(); /* no IPv6 loopback on this machine */
    struct fx f;
    start(&f, listen_v6);
    /* libevent 2.1's HTTP client cannot reach an IPv6 literal: a raw
     * HTTP/1.0 request (the server closes after its reply) */
    s = socket(AF_INET6, SOCK_STREAM, 0);
    assert_true(s >= 0);
    a.sin6_port = htons((uint16_t)f.port);
    assert_int_equal(connect(s, (struct sockaddr *)&a, sizeof a), 0);
    static const char rq[] = "GET /data/aircraft.json HTTP/1.0\r\nHost: x\r\n\r\n";
    assert_int_equal(write(s, rq, sizeof rq - 1), (ssize_t)(sizeof rq - 1));
    static char buf[65536];
    size_t len = 0;
    int eof = 0;
    for (int k = 0; k < 100000 && !eof; k++) {
        event_base_loop(f.base, EVLOOP_NONBLOCK);
        ssize_t n = recv(s, buf + len, sizeof buf - 1 - len, MSG_DONTWAIT);
        if (n == 0)
            eof = 1;
        else if (n > 0)
            len += (size_t)n;
    }
    close(s);
    buf[len] = '\0';
    assert_true(eof);
    /* ::1 is in the default allow-list */
    assert_int_equal(strncmp(buf, "HTTP/1.0 200", 12), 0);
    assert_non_null(strstr(buf, "\"hex\":\"4ca2d1\""));
    stop(&f);
}

static char reload_accounts[160];

static void own_accounts(struct web_config *c)
{
    c->accounts = reload_accounts;
}

static void test_reload_accounts(void **state)
{
    (void)state;
    /* a copy of the accounts file that this test may change */
    snprintf(reload_accounts, sizeof reload_accounts, "%s/accounts-reload", shared_dir);
    FILE *in = fopen(shared_accounts, "r");
    char lines[2][512];
    assert_non_null(fgets(lines[0], sizeof lines[0], in)); /* comment */
    assert_non_null(fgets(lines[0], sizeof lines[0], in)); /* duty */
    assert_non_null(fgets(lines[1], sizeof lines[1], in)); /* second */
    fclose(in);
    FILE *out = fopen(reload_accounts, "w");
    fputs(lines[0], out);
    fputs(lines[1], out);
    fclose(out);
    chmod(reload_accounts, 0600);
    struct fx f;
    start(&f, own_accounts);
    char t1[65], t2[65], h1[128], h2[128];
    assert_int_equal(login(&f, NULL, "duty", PASSWORD, t1, &R), 200);
    assert_int_equal(login(&f, NULL, "second", PASSWORD, t2, &R), 200);
    /* second leaves the file: a reload ends its session, duty's stays */
    out = fopen(reload_accounts, "w");
    fputs(lines[0], out);
    fclose(out);
    assert_int_equal(web_reload_accounts(f.w), 0);
    snprintf(h1, sizeof h1, "Authorization: Bearer %s", t1);
    snprintf(h2, sizeof h2, "Authorization: Bearer %s", t2);
    const char *b1[] = {h1, NULL}, *b2[] = {h2, NULL};
    request(&f, EVHTTP_REQ_GET, "/api/me", b1, NULL, &R);
    assert_int_equal(R.code, 200);
    request(&f, EVHTTP_REQ_GET, "/api/me", b2, NULL, &R);
    assert_int_equal(R.code, 401);
    assert_int_equal(login(&f, "127.0.0.5", "second", PASSWORD, NULL, &R), 401);
    /* a broken file is refused and the accounts in force stay */
    out = fopen(reload_accounts, "w");
    fputs("duty:not a hash\n", out);
    fclose(out);
    assert_int_equal(web_reload_accounts(f.w), CAIRN_E_FORMAT);
    assert_int_equal(login(&f, "127.0.0.5", "duty", PASSWORD, NULL, &R), 200);
    stop(&f);
}

static void test_config_errors(void **state)
{
    (void)state;
    struct event_base *base = event_base_new();
    struct web_config c;
    struct web *w = NULL;
    web_config_default(&c);
    c.accounts = shared_accounts;
    assert_int_equal(web_new(base, &c, &provider, NULL, &w), CAIRN_E_INVAL); /* no listen */
    c.listen[0] = "127.0.0.1:notaport";
    c.n_listen = 1;
    assert_int_equal(web_new(base, &c, &provider, NULL, &w), CAIRN_E_INVAL);
    c.listen[0] = "[::1]:0";
    c.allow[0] = "10.0.0.0/33";
    c.n_allow = 1;
    assert_int_equal(web_new(base, &c, &provider, NULL, &w), CAIRN_E_INVAL);
    c.n_allow = 0;
    char path[160];
    snprintf(path, sizeof path, "%s/open-accounts", shared_dir);
    FILE *fp = fopen(path, "w");
    fclose(fp);
    chmod(path, 0644);
    c.accounts = path;
    assert_int_equal(web_new(base, &c, &provider, NULL, &w), CAIRN_E_IO);
    assert_null(w);
    /* IPv6 loopback works where the machine has it */
    c.accounts = shared_accounts;
    int rc = web_new(base, &c, &provider, NULL, &w);
    if (rc == 0) {
        assert_true(web_bound_port(w, 0) > 0);
        web_free(w);
    } else {
        assert_int_equal(rc, CAIRN_E_IO);
    }
    event_base_free(base);
}

static int setup_all(void **state)
{
    (void)state;
    snprintf(shared_dir, sizeof shared_dir, "/tmp/cairn-web-XXXXXX");
    if (!mkdtemp(shared_dir))
        return -1;
    snprintf(shared_accounts, sizeof shared_accounts, "%s/accounts", shared_dir);
    write_accounts(shared_accounts);
    char p[200];
    snprintf(p, sizeof p, "%s/index.html", shared_dir);
    FILE *f = fopen(p, "w");
    fputs("<h1>console</h1>\n", f);
    fclose(f);
    snprintf(p, sizeof p, "%s/assets", shared_dir);
    mkdir(p, 0700);
    snprintf(p, sizeof p, "%s/assets/app.js", shared_dir);
    f = fopen(p, "w");
    fputs("console.log(1);\n", f);
    fclose(f);
    snprintf(p, sizeof p, "%s/link", shared_dir);
    if (symlink(shared_accounts, p) != 0)
        return -1;
    return 0;
}

static int teardown_all(void **state)
{
    (void)state;
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", shared_dir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN); /* as the daemon does (web.h) */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_login_and_auth),
        cmocka_unit_test(test_wrong_password_rate_limited),
        cmocka_unit_test(test_session_expiry),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_connection_limit),
        cmocka_unit_test(test_sse),
        cmocka_unit_test(test_sse_slow_client_dropped),
        cmocka_unit_test(test_sse_fanout),
        cmocka_unit_test(test_sse_heartbeat_logout),
        cmocka_unit_test(test_aircraft_json),
        cmocka_unit_test(test_aircraft_json_not_allowed),
        cmocka_unit_test(test_metrics),
        cmocka_unit_test(test_static),
        cmocka_unit_test(test_tls),
        cmocka_unit_test(test_ipv6),
        cmocka_unit_test(test_reload_accounts),
        cmocka_unit_test(test_config_errors),
    };
    return cmocka_run_group_tests(tests, setup_all, teardown_all);
}
