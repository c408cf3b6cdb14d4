/*
 * test_procs.c — the procedures between two real centres (`cairn run`
 * with the hotline embedded) on 127.0.0.1: WARSAW-CC, fed a replay of
 * `cairn sim malmo-2014` at ×10, and KALININGRAD-CC, with no sensor. Keys
 * from `cairn keygen`, one roster, journals from `cairn hotline --init`,
 * accounts from `cairn passwd`, as an operator would make them.
 *
 *  - the procedures' routes refuse calls without a session (401);
 *  - an alert of Warsaw's picture (NO_TRANSPONDER: the Il-20) drafted
 *    (POST /api/alerts/ID/draft: an INCIDENT_REPORT with its facts), the
 *    draft edited and sent by its id; it arrives at Kaliningrad, whose
 *    operator acknowledges it, and Warsaw sees the acknowledgement;
 *  - the operator loses radio contact with SAS681 (POST
 *    /api/tracks/ID/radio): RENEGADE COMLOSS, and Warsaw (renegade_notify,
 *    renegade_min = COMLOSS) sends Kaliningrad one RENEGADE_ALERT for the
 *    episode; radio contact back shows as the third fact of the flight's
 *    compliance triple (GET /api/compliance);
 *  - an ACTIVITY_NOTICE one day ahead declaring 14,000 troops: flagged
 *    late (and short of the notification and observers thresholds) at both
 *    centres, on the message and as NOTICE alerts, and its area a zone in
 *    both pictures (/api/zones);
 *  - Kaliningrad's operator acknowledges the NOTICE alert (POST
 *    /api/alerts/ID/ack) and reads who and when back from /api/alerts;
 *  - Warsaw's COMPLIANCE_SUMMARY on demand (POST /api/compliance) counts
 *    the flights it saw in the agreed area; Kaliningrad saw none: a
 *    COMPLIANCE alert there;
 *  - one message to two names: the peer's copy stored and delivered, the
 *    name not on the roster refused alone (207);
 *  - a draft survives Kaliningrad's restart, and so does the notice's zone
 *    (rebuilt from the journal).
 *
 * argv[1] is the cairn binary. No sleeps: every wait is a poll() on the
 * daemons' stderr pipes with a deadline (WAIT_MS for any one wait).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "integ_http.h"
#include "integ_proc.h"

#define WAIT_MS 40000

struct node {
    const char *name;
    struct ip_proc p; /* the daemon and its stderr */
    int port;         /* web */
    char token[128];
    char ini[256];
};

static const char *cairn_bin;
static char tmp[64];
static struct node W = {.name = "WARSAW-CC", .p = {.pid = -1, .fd = -1}};
static struct node K = {.name = "KALININGRAD-CC", .p = {.pid = -1, .fd = -1}};
static int setup_ok;
static struct ih_reply rep;

static int wait_log(struct node *x, const char *s, size_t from)
{
    return ip_wait_log(&x->p, s, from, WAIT_MS);
}

static int http(struct node *x, const char *method, const char *path, const char *auth,
                const char *body)
{
    return ih_request(&rep, x->port, method, path, auth, body);
}

static json_t *body_json(void)
{
    return ih_json(&rep);
}

/* GET path at x until pred(reply) holds; the reply. */
static json_t *poll_get(struct node *x, const char *path, int (*pred)(json_t *, const void *),
                        const void *arg)
{
    int64_t end = ih_now_ms() + WAIT_MS;
    for (;;) {
        assert_int_equal(http(x, "GET", path, x->token, NULL), 200);
        json_t *j = body_json();
        if (pred(j, arg))
            return j;
        json_decref(j);
        if (ih_now_ms() > end)
            fail_msg("%s %s: not seen in time; last: %.600s", x->name, path, rep.body);
        ip_drain(100);
    }
}

/* ----------------------------------------------------------------- setup */

static int start(struct node *x)
{
    char *const args[] = {(char *)cairn_bin, "run", "-c", x->ini, NULL};
    ip_spawn(&x->p, args, 0);
    char up[128];
    snprintf(up, sizeof up, "run: centre %s up", x->name);
    if (!wait_log(x, up, 0)) {
        fprintf(stderr, "%s not up:\n%s\n", x->name, x->p.log);
        return -1;
    }
    x->port = ip_web_port(&x->p);
    return x->port > 0 ? 0 : -1;
}

static int stop(struct node *x)
{
    if (x->p.pid <= 0)
        return -1;
    kill(x->p.pid, SIGTERM);
    return ip_reap(&x->p, WAIT_MS);
}

static int login(struct node *x)
{
    int st = ih_login(&rep, x->port, "duty", "correct-horse", x->token, sizeof x->token);
    return st == 200 && x->token[0] ? 0 : -1;
}

static int setup(void **state)
{
    (void)state;
    signal(SIGPIPE, SIG_IGN);
    if (ip_scratch(tmp, sizeof tmp, "procs") != 0)
        return -1;
    int pw = ip_free_port(), pk = ip_free_port();
    if (pw <= 0 || pk <= 0 || pw == pk)
        return -1;
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "cd %s && '%s' sim malmo-2014 --out sim --quiet --seed 1 && '%s' keygen --centre "
             "WARSAW-CC --party NATO --address 127.0.0.1:%d --dir warsaw >/dev/null && '%s' "
             "keygen --centre KALININGRAD-CC --party RU --address 127.0.0.1:%d --dir kaliningrad "
             ">/dev/null && cat warsaw/roster.ini kaliningrad/roster.ini > roster.ini",
             tmp, cairn_bin, cairn_bin, pw, cairn_bin, pk);
    if (system(cmd) != 0 || ip_account(cairn_bin, tmp, "duty", "correct-horse") != 0)
        return -1;
    /* the agreed area: the southern Baltic around Malmö */
    char path[256];
    snprintf(path, sizeof path, "%s/area.geojson", tmp);
    ip_write_file(path, "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
                        "\"properties\":{\"name\":\"baltic-south\",\"kind\":\"caution\"},"
                        "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[10,53],[16,53],"
                        "[16,58],[10,58],[10,53]]]}}]}");
    static const char procs[] = "[procedures]\ncompliance_area = area.geojson\n"
                                "compliance_parties = RU=100000-1FFFFF\n";
    char conf[4096];
    snprintf(conf, sizeof conf,
             "[centre]\nname = WARSAW-CC\nparty = NATO\n"
             "[web]\nlisten = 127.0.0.1:0\naccounts = accounts\n"
             "[picture]\ncycle_ms = 1000\nsensors = %s/scenarios/malmo-2014.sensors.ini\n"
             "[replay radar]\ninput = pcap:sim/radar.pcap\nspeed = 10\n"
             "[replay adsb]\ninput = sbs:sim/adsb.sbs\nsensor = malmo-rx\nspeed = 10\n"
             "[hotline]\nkeys = warsaw\nroster = roster.ini\njournal = warsaw.db\n%s"
             "renegade_notify = KALININGRAD-CC\nrenegade_min = COMLOSS\n",
             CAIRN_SOURCE_DIR, procs);
    snprintf(W.ini, sizeof W.ini, "%s/warsaw.ini", tmp);
    ip_write_file(W.ini, conf);
    snprintf(conf, sizeof conf,
             "[centre]\nname = KALININGRAD-CC\nparty = RU\n"
             "[web]\nlisten = 127.0.0.1:0\naccounts = accounts\n"
             "[hotline]\nkeys = kaliningrad\nroster = roster.ini\njournal = kaliningrad.db\n%s"
             "renegade_notify = WARSAW-CC\n",
             procs);
    snprintf(K.ini, sizeof K.ini, "%s/kaliningrad.ini", tmp);
    ip_write_file(K.ini, conf);
    snprintf(cmd, sizeof cmd,
             "'%s' hotline -c %s --init 2>/dev/null && '%s' hotline -c %s --init 2>/dev/null",
             cairn_bin, W.ini, cairn_bin, K.ini);
    if (system(cmd) != 0)
        return -1;
    if (start(&W) || start(&K) || login(&W) || login(&K))
        return -1;
    setup_ok = 1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    ip_kill(&W.p);
    ip_kill(&K.p);
    return ip_scratch_remove(tmp);
}

/* ----------------------------------------------------------------- tests */

static void test_no_session(void **state)
{
    (void)state;
    assert_int_equal(http(&W, "GET", "/api/messages/drafts", NULL, NULL), 401);
    assert_int_equal(http(&W, "POST", "/api/messages/drafts", NULL, "{\"type\":\"FREE_TEXT\"}"),
                     401);
    assert_int_equal(http(&W, "POST", "/api/alerts/1/draft", NULL, "{}"), 401);
    assert_int_equal(http(&W, "GET", "/api/zones", NULL, NULL), 401);
    assert_int_equal(http(&W, "GET", "/api/compliance", NULL, NULL), 401);
    assert_int_equal(http(&W, "POST", "/api/compliance", NULL, "{}"), 401);
    assert_int_equal(http(&W, "POST", "/api/messages/drafts/1/delete", NULL, NULL), 401);
    assert_int_equal(http(&W, "GET", "/api/messages/drafts/1", "not-a-token", NULL), 401);
}

static int link_up(json_t *j, const void *arg)
{
    (void)arg;
    json_t *p = json_array_get(json_object_get(j, "peers"), 0);
    return json_is_true(json_object_get(p, "up"));
}

static int has_rule(json_t *j, const void *rule)
{
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(j, "alerts"), i, a)
    {
        const char *r = json_string_value(json_object_get(a, "rule"));
        if (r && !strcmp(r, rule))
            return 1;
    }
    return 0;
}

static json_t *find_msg(json_t *j, const char *type)
{
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(j, "messages"), i, m)
    {
        const char *t = json_string_value(json_object_get(m, "type"));
        if (t && !strcmp(t, type))
            return m;
    }
    return NULL;
}

static int has_msg(json_t *j, const void *type)
{
    return find_msg(j, type) != NULL;
}

static int msg_acked(json_t *j, const void *type)
{
    json_t *m = find_msg(j, type);
    return m && json_is_true(json_object_get(m, "acked"));
}

static void test_alert_to_incident(void **state)
{
    (void)state;
    json_decref(poll_get(&W, "/api/link", link_up, NULL));
    json_decref(poll_get(&K, "/api/link", link_up, NULL));
    json_t *al = poll_get(&W, "/api/alerts", has_rule, "NO_TRANSPONDER");
    json_int_t id = 0;
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(al, "alerts"), i, a)
    {
        if (!strcmp(json_string_value(json_object_get(a, "rule")), "NO_TRANSPONDER"))
            id = json_integer_value(json_object_get(a, "id"));
    }
    json_decref(al);
    char path[128];
    snprintf(path, sizeof path, "/api/alerts/%lld/draft", (long long)id);
    assert_int_equal(http(&W, "POST", path, W.token, "{}"), 201);
    json_t *d = body_json();
    assert_string_equal(json_string_value(json_object_get(d, "type")), "INCIDENT_REPORT");
    json_t *f = json_object_get(d, "fields");
    assert_string_equal(json_string_value(json_object_get(f, "kind")), "NO_TRANSPONDER");
    assert_non_null(json_object_get(f, "occurred"));
    assert_non_null(json_object_get(f, "position"));
    assert_non_null(strstr(json_string_value(json_object_get(f, "tracks")), "T"));
    assert_string_equal(json_string_value(json_array_get(json_object_get(d, "to"), 0)),
                        "KALININGRAD-CC");
    json_int_t did = json_integer_value(json_object_get(d, "id"));
    json_decref(d);
    /* unknown alerts and types */
    assert_int_equal(http(&W, "POST", "/api/alerts/999999/draft", W.token, "{}"), 404);
    assert_int_equal(http(&W, "POST", path, W.token, "{\"type\":\"FREE_TEXT\"}"), 400);
    /* the operator edits it: a sentence of their own */
    snprintf(path, sizeof path, "/api/messages/drafts/%lld", (long long)did);
    json_t *edit =
        json_pack("{s:{s:s, s:s, s:o}}", "fields", "kind", "NO_TRANSPONDER", "description",
                  "Il-20 without transponder near SAS681", "occurred", json_integer(1));
    char *eb = json_dumps(edit, JSON_COMPACT);
    json_decref(edit);
    assert_int_equal(http(&W, "POST", path, W.token, eb), 200);
    free(eb);
    /* fields given replace the fields: position went, the send refuses */
    assert_int_equal(http(&W, "POST", "/api/messages", W.token, "{\"draft\":999}"), 404);
    char body[128];
    snprintf(body, sizeof body, "{\"draft\":%lld}", (long long)did);
    assert_int_equal(http(&W, "POST", "/api/messages", W.token, body), 400);
    assert_int_equal(http(&W, "POST", path, W.token,
                          "{\"fields\":{\"kind\":\"NO_TRANSPONDER\",\"occurred\":"
                          "\"2014-03-03T13:20:00Z\",\"position\":\"55.5,12.8\",\"description\":"
                          "\"Il-20 without transponder near SAS681\"}}"),
                     200);
    assert_int_equal(http(&W, "GET", path, W.token, NULL), 200);
    assert_non_null(strstr(rep.body, "near SAS681"));
    assert_int_equal(http(&W, "POST", "/api/messages", W.token, body), 200);
    json_t *r = body_json();
    assert_true(json_is_true(json_object_get(r, "ok")));
    assert_int_equal(json_array_size(json_object_get(r, "sent")), 1);
    json_int_t seq =
        json_integer_value(json_object_get(json_array_get(json_object_get(r, "sent"), 0), "seq"));
    assert_true(seq > 0);
    json_decref(r);
    /* sent: the draft is gone */
    assert_int_equal(http(&W, "GET", path, W.token, NULL), 404);
    /* it arrives; the operator there acknowledges it; Warsaw sees it read */
    json_decref(poll_get(&K, "/api/messages?dir=in", has_msg, "INCIDENT_REPORT"));
    assert_non_null(strstr(rep.body, "near SAS681"));
    snprintf(path, sizeof path, "/api/messages/WARSAW-CC:%lld/ack", (long long)seq);
    assert_int_equal(http(&K, "POST", path, K.token, NULL), 200);
    json_decref(poll_get(&W, "/api/messages?dir=out", msg_acked, "INCIDENT_REPORT"));
}

static int has_sas(json_t *j, const void *arg)
{
    (void)arg;
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(j, "tracks"), i, t)
    {
        const char *cs = json_string_value(json_object_get(t, "callsign"));
        const char *st = json_string_value(json_object_get(t, "status"));
        if (cs && !strncmp(cs, "SAS681", 6) && st && !strcmp(st, "confirmed"))
            return 1;
    }
    return 0;
}

static int count_type(json_t *j, const char *type)
{
    size_t i, n = 0;
    json_t *m;
    json_array_foreach(json_object_get(j, "messages"), i, m)
    {
        const char *t = json_string_value(json_object_get(m, "type"));
        n += t && !strcmp(t, type);
    }
    return (int)n;
}

static int radio_yes(json_t *j, const void *arg)
{
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(j, "flights"), i, f)
    {
        const char *cs = json_string_value(json_object_get(f, "callsign"));
        const char *tri = json_string_value(json_object_get(f, "triple"));
        if (cs && !strcmp(cs, arg) && tri && tri[2] == 'Y')
            return 1;
    }
    return 0;
}

/* The operator loses radio contact with SAS681 (POST /api/tracks/ID/radio):
 * RENEGADE COMLOSS (Warsaw notifies from COMLOSS: renegade_min) goes to
 * Kaliningrad in the cycle it is raised, once; radio back: the compliance
 * triple's third fact is Y in the ledger. */
static void test_renegade_and_radio(void **state)
{
    (void)state;
    json_t *j = poll_get(&W, "/api/tracks", has_sas, NULL);
    json_int_t id = 0;
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(j, "tracks"), i, t)
    {
        const char *cs = json_string_value(json_object_get(t, "callsign"));
        if (cs && !strncmp(cs, "SAS681", 6))
            id = json_integer_value(json_object_get(t, "id"));
    }
    json_decref(j);
    char path[128];
    snprintf(path, sizeof path, "/api/tracks/%lld/radio", (long long)id);
    size_t mark = W.p.len;
    assert_int_equal(http(&W, "POST", path, W.token, "{\"radio\":\"no\"}"), 200);
    json_decref(poll_get(&W, "/api/alerts", has_rule, "RENEGADE"));
    assert_true(wait_log(&W, "RENEGADE COMLOSS sent to KALININGRAD-CC with the operators", mark));
    json_decref(poll_get(&K, "/api/messages?dir=in", has_msg, "RENEGADE_ALERT"));
    assert_non_null(strstr(rep.body, "SAS681"));
    /* three more cycles of the same episode: still one message */
    int64_t until = ih_now_ms() + 3500;
    while (ih_now_ms() < until)
        ip_drain(100);
    assert_int_equal(http(&K, "GET", "/api/messages?dir=in&type=RENEGADE_ALERT", K.token, NULL),
                     200);
    j = body_json();
    assert_int_equal(count_type(j, "RENEGADE_ALERT"), 1);
    json_decref(j);
    assert_int_equal(http(&W, "POST", path, W.token, "{\"radio\":\"yes\"}"), 200);
    json_decref(poll_get(&W, "/api/compliance", radio_yes, "SAS681"));
}

static int notice_zone(json_t *j, const void *arg)
{
    (void)arg;
    size_t i;
    json_t *z;
    json_array_foreach(json_object_get(j, "zones"), i, z)
    {
        const char *n = json_string_value(json_object_get(z, "name"));
        if (n && !strncmp(n, "NOTICE WARSAW-CC#", 17))
            return 1;
    }
    return 0;
}

static int flagged_late(json_t *j, const void *arg)
{
    (void)arg;
    json_t *m = find_msg(j, "ACTIVITY_NOTICE");
    json_t *fl = json_object_get(m, "flags");
    size_t i;
    json_t *v;
    int late = 0, notif = 0, obs = 0;
    json_array_foreach(fl, i, v)
    {
        late |= !strcmp(json_string_value(v), "late");
        notif |= !strcmp(json_string_value(v), "notification_threshold");
        obs |= !strcmp(json_string_value(v), "observers_threshold");
    }
    return late && notif && obs;
}

static void iso(time_t t, char *out, size_t cap)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void test_late_notice(void **state)
{
    (void)state;
    char s[32], e[32], body[1024];
    time_t now = time(NULL);
    iso(now + 86400, s, sizeof s);
    iso(now + 3 * 86400, e, sizeof e);
    snprintf(body, sizeof body,
             "{\"to\":\"KALININGRAD-CC\",\"type\":\"ACTIVITY_NOTICE\",\"fields\":{\"area\":"
             "\"54.5,18.5;54.5,19.5;55.0,19.5;55.0,18.5\",\"start\":\"%s\",\"end\":\"%s\","
             "\"kind\":\"EXERCISE\",\"troops\":14000,\"tanks\":300}}",
             s, e);
    assert_int_equal(http(&W, "POST", "/api/messages", W.token, body), 200);
    /* both pictures have the area; both flag the notice */
    json_decref(poll_get(&W, "/api/zones", notice_zone, NULL));
    json_decref(poll_get(&K, "/api/zones", notice_zone, NULL));
    json_decref(poll_get(&W, "/api/messages?dir=out", flagged_late, NULL));
    json_t *in = poll_get(&K, "/api/messages?dir=in", flagged_late, NULL);
    /* the message alone says the same */
    char path[96];
    snprintf(
        path, sizeof path, "/api/messages/WARSAW-CC:%lld",
        (long long)json_integer_value(json_object_get(find_msg(in, "ACTIVITY_NOTICE"), "seq")));
    json_decref(in);
    assert_int_equal(http(&K, "GET", path, K.token, NULL), 200);
    json_t *one = body_json();
    assert_true(flagged_late(one, NULL));
    json_decref(one);
    json_decref(poll_get(&K, "/api/alerts", has_rule, "NOTICE"));
    assert_non_null(strstr(rep.body, "Late notice"));
    json_decref(poll_get(&W, "/api/alerts", has_rule, "NOTICE"));
}

static json_t *find_alert(json_t *j, const char *rule)
{
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(j, "alerts"), i, a)
    {
        const char *r = json_string_value(json_object_get(a, "rule"));
        if (r && !strcmp(r, rule))
            return a;
    }
    return NULL;
}

/* Kaliningrad's operator acknowledges the NOTICE alert (POST
 * /api/alerts/ID/ack): the reply and /api/alerts carry who and when; a
 * second acknowledgement changes nothing; unknown ids 404, no session 401. */
static void test_alert_ack(void **state)
{
    (void)state;
    json_t *al = poll_get(&K, "/api/alerts", has_rule, "NOTICE");
    json_t *a = find_alert(al, "NOTICE");
    assert_non_null(a);
    assert_null(json_object_get(a, "ack"));
    json_int_t id = json_integer_value(json_object_get(a, "id"));
    json_decref(al);
    char path[128];
    snprintf(path, sizeof path, "/api/alerts/%lld/ack", (long long)id);
    assert_int_equal(http(&K, "POST", path, NULL, NULL), 401);
    assert_int_equal(http(&K, "POST", "/api/alerts/999999/ack", K.token, NULL), 404);
    assert_int_equal(http(&K, "POST", "/api/alerts/x1/ack", K.token, NULL), 404);
    assert_int_equal(http(&K, "POST", path, K.token, NULL), 200);
    json_t *r = body_json();
    assert_int_equal(json_integer_value(json_object_get(r, "id")), id);
    json_t *k = json_object_get(r, "ack");
    assert_string_equal(json_string_value(json_object_get(k, "user")), "duty");
    json_int_t t = json_integer_value(json_object_get(k, "t_ms"));
    assert_true(t > INT64_C(1600000000000));
    json_decref(r);
    /* read back from the list */
    assert_int_equal(http(&K, "GET", "/api/alerts", K.token, NULL), 200);
    al = body_json();
    a = find_alert(al, "NOTICE");
    assert_non_null(a);
    k = json_object_get(a, "ack");
    assert_string_equal(json_string_value(json_object_get(k, "user")), "duty");
    assert_int_equal(json_integer_value(json_object_get(k, "t_ms")), t);
    json_decref(al);
    /* idempotent: the first acknowledgement stays */
    assert_int_equal(http(&K, "POST", path, K.token, "{}"), 200);
    r = body_json();
    assert_int_equal(json_integer_value(json_object_get(json_object_get(r, "ack"), "t_ms")), t);
    json_decref(r);
}

static int saw_flights(json_t *j, const void *arg)
{
    (void)arg;
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(j, "counts"), i, c)
    {
        if (json_integer_value(json_object_get(c, "flights")) > 0)
            return 1;
    }
    return 0;
}

static void test_compliance(void **state)
{
    (void)state;
    /* Warsaw's ledger has the replay's flights in the area */
    json_decref(poll_get(&W, "/api/compliance", saw_flights, NULL));
    assert_int_equal(http(&W, "POST", "/api/compliance", W.token, "{\"to\":\"NOWHERE\"}"), 400);
    assert_int_equal(http(&W, "POST", "/api/compliance", W.token, "{}"), 200);
    json_t *r = body_json();
    assert_true(json_is_true(json_object_get(r, "ok")));
    json_decref(r);
    /* Kaliningrad saw none of them: a discrepancy */
    json_decref(poll_get(&K, "/api/messages?dir=in", has_msg, "COMPLIANCE_SUMMARY"));
    json_decref(poll_get(&K, "/api/alerts", has_rule, "COMPLIANCE"));
    assert_non_null(strstr(rep.body, "WARSAW-CC counts"));
}

/* One message to several peers: a copy each, stored on its own; a name
 * not on the roster fails alone. */
static void test_several_peers(void **state)
{
    (void)state;
    assert_int_equal(http(&W, "POST", "/api/messages", W.token,
                          "{\"to\":[\"KALININGRAD-CC\",\"NOWHERE-CC\"],\"type\":\"FREE_TEXT\","
                          "\"fields\":{\"body\":\"to all our peers\"}}"),
                     207);
    json_t *r = body_json();
    assert_false(json_is_true(json_object_get(r, "ok")));
    json_t *sent = json_object_get(r, "sent"), *failed = json_object_get(r, "failed");
    assert_int_equal(json_array_size(sent), 1);
    assert_int_equal(json_array_size(failed), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(sent, 0), "to")),
                        "KALININGRAD-CC");
    assert_string_equal(json_string_value(json_object_get(json_array_get(failed, 0), "to")),
                        "NOWHERE-CC");
    json_decref(r);
    json_decref(poll_get(&K, "/api/messages?dir=in", has_msg, "FREE_TEXT"));
    assert_non_null(strstr(rep.body, "to all our peers"));
    assert_int_equal(http(&W, "POST", "/api/messages", W.token,
                          "{\"to\":[],\"type\":\"FREE_TEXT\",\"fields\":{\"body\":\"x\"}}"),
                     400);
    /* a draft to both: sent where it could be, kept for the other only */
    assert_int_equal(http(&W, "POST", "/api/messages/drafts", W.token,
                          "{\"to\":[\"KALININGRAD-CC\",\"NOWHERE-CC\"],\"type\":\"FREE_TEXT\","
                          "\"fields\":{\"body\":\"drafted for two\"}}"),
                     201);
    r = body_json();
    char body[64], path[64];
    json_int_t id = json_integer_value(json_object_get(r, "id"));
    json_decref(r);
    snprintf(body, sizeof body, "{\"draft\":%lld}", (long long)id);
    snprintf(path, sizeof path, "/api/messages/drafts/%lld", (long long)id);
    assert_int_equal(http(&W, "POST", "/api/messages", W.token, body), 207);
    assert_int_equal(http(&W, "GET", path, W.token, NULL), 200);
    r = body_json();
    json_t *to = json_object_get(r, "to");
    assert_int_equal(json_array_size(to), 1);
    assert_string_equal(json_string_value(json_array_get(to, 0)), "NOWHERE-CC");
    json_decref(r);
    /* sent by its id to one name given as a string: done, the draft gone */
    snprintf(body, sizeof body, "{\"draft\":%lld,\"to\":\"KALININGRAD-CC\"}", (long long)id);
    assert_int_equal(http(&W, "POST", "/api/messages", W.token, body), 200);
    assert_int_equal(http(&W, "GET", path, W.token, NULL), 404);
}

static int has_zero_drafts(json_t *j, const void *arg)
{
    (void)arg;
    return json_array_size(json_object_get(j, "drafts")) == 1;
}

static void test_restart(void **state)
{
    (void)state;
    assert_int_equal(http(&K, "POST", "/api/messages/drafts", K.token,
                          "{\"type\":\"FREE_TEXT\",\"to\":\"WARSAW-CC\",\"fields\":{\"body\":"
                          "\"draft across a restart\"}}"),
                     201);
    assert_int_equal(http(&K, "POST", "/api/messages/drafts", K.token, "{\"type\":\"NOPE\"}"), 400);
    assert_int_equal(stop(&K), 0);
    assert_int_equal(start(&K), 0);
    assert_int_equal(login(&K), 0);
    json_decref(poll_get(&K, "/api/messages/drafts", has_zero_drafts, NULL));
    assert_non_null(strstr(rep.body, "draft across a restart"));
    json_decref(poll_get(&K, "/api/zones", notice_zone, NULL));
    /* delete it */
    assert_int_equal(http(&K, "POST", "/api/messages/drafts/1/delete", K.token, NULL), 200);
    assert_int_equal(http(&K, "GET", "/api/messages/drafts/1", K.token, NULL), 404);
    assert_int_equal(stop(&W), 0);
    assert_int_equal(stop(&K), 0);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_procs CAIRN_BINARY\n");
        return 2;
    }
    static char bin[4096];
    if (!realpath(argv[1], bin)) {
        fprintf(stderr, "test_procs: %s: %s\n", argv[1], strerror(errno));
        return 2;
    }
    cairn_bin = bin;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_session),         cmocka_unit_test(test_alert_to_incident),
        cmocka_unit_test(test_renegade_and_radio), cmocka_unit_test(test_late_notice),
        cmocka_unit_test(test_alert_ack),          cmocka_unit_test(test_compliance),
        cmocka_unit_test(test_several_peers),      cmocka_unit_test(test_restart),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    return rc || !setup_ok ? 1 : 0;
}
