/*
 * test_peer_away.c — a peer centre away, and back, with two real `cairn
 * run` daemons on loopback (WARSAW-CC and MOSCOW-CC, keys from `cairn
 * keygen`, one roster, journals from `cairn hotline --init`).
 *
 * "Away for minutes" is compressed with the hotline's own timers
 * ([hotline] heartbeat_ms = 200, dead_ms = 1000, backoff 100-500 ms,
 * handshake_ms = 1000): Moscow is stopped (SIGSTOP: its sockets stay open,
 * nothing answers — a hung centre or a black-holed path, the hard case)
 * for 8 s, eight dead intervals, about what four minutes are with timers
 * thirty times longer.
 *
 *  - both up: /api/link on each names the other "up"; a message from
 *    Warsaw arrives in Moscow's /api/messages;
 *  - Moscow stopped: Warsaw's /api/link says the peer is down within a
 *    few dead intervals, Warsaw keeps serving (/healthz, /api/tracks) and
 *    takes a message for the absent peer (journaled, not delivered);
 *  - Moscow continued: the link comes back by itself, the message waiting
 *    is delivered (Moscow lists it; Warsaw's "delivered" reaches "sent");
 *  - SIGTERM: both exit 0.
 *
 * argv[1] is the cairn binary. Every wait is a poll() with a deadline.
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
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "integ_http.h"
#include "integ_proc.h"

#define WAIT_MS 30000

static const char *cairn_bin;
static char tmp[64];

struct centre {
    const char *name, *dir;
    struct ip_proc p; /* the daemon and its stderr */
    int port;
    char token[160];
};
static struct centre warsaw = {.name = "WARSAW-CC", .dir = "warsaw", .p = {.pid = -1, .fd = -1}};
static struct centre moscow = {.name = "MOSCOW-CC", .dir = "moscow", .p = {.pid = -1, .fd = -1}};
static struct ih_reply rep;

static int http(const struct centre *c, const char *method, const char *path, const char *body)
{
    return ih_request(&rep, c->port, method, path, c->token, body);
}

/* The peer entry of c's /api/link for the other centre (new reference). */
static json_t *peer_of(const struct centre *c, const char *peer)
{
    if (http(c, "GET", "/api/link", NULL) != 200)
        return NULL;
    json_error_t e;
    json_t *j = json_loads(rep.body, 0, &e), *found = NULL;
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(j, "peers"), i, p)
    {
        const char *n = json_string_value(json_object_get(p, "name"));
        if (n && !strcmp(n, peer))
            found = json_incref(p);
    }
    json_decref(j);
    return found;
}

static int peer_up(const struct centre *c, const char *peer)
{
    json_t *p = peer_of(c, peer);
    int up = p && json_is_true(json_object_get(p, "up"));
    json_decref(p);
    return up;
}

/* Wait until pred(c, peer) == want; 1 or 0 at the deadline. */
static int wait_for(int (*pred)(const struct centre *, const char *), const struct centre *c,
                    const char *peer, int want, int ms)
{
    int64_t end = ih_now_ms() + ms;
    while (ih_now_ms() < end) {
        if (pred(c, peer) == want)
            return 1;
        ip_drain(100);
    }
    return pred(c, peer) == want;
}

static int start(struct centre *c)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s.ini", tmp, c->dir);
    char *const args[] = {(char *)cairn_bin, "run", "-c", path, NULL};
    ip_spawn(&c->p, args, 0);
    char up[64];
    snprintf(up, sizeof up, "run: centre %s up", c->name);
    ip_wait_log(&c->p, up, 0, WAIT_MS);
    if (!strstr(c->p.log, "centre: web: listening on 127.0.0.1:0 (port ")) {
        fprintf(stderr, "%s did not start:\n%s\n", c->name, c->p.log);
        return -1;
    }
    c->port = ip_web_port(&c->p);
    return ih_login(&rep, c->port, "duty", "correct-horse", c->token, sizeof c->token) == 200 ? 0
                                                                                              : -1;
}

static int group_setup(void **state)
{
    (void)state;
    signal(SIGPIPE, SIG_IGN);
    if (ip_scratch(tmp, sizeof tmp, "peeraway") != 0)
        return -1;
    int pw = ip_free_port(), pm = ip_free_port();
    if (pw <= 0 || pm <= 0 || pw == pm)
        return -1;
    static char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "cd %s && '%s' keygen --centre WARSAW-CC --party NATO --address 127.0.0.1:%d --dir "
             "warsaw >/dev/null && '%s' keygen --centre MOSCOW-CC --party RU --address "
             "127.0.0.1:%d --dir moscow >/dev/null && cat warsaw/roster.ini moscow/roster.ini > "
             "roster.ini",
             tmp, cairn_bin, pw, cairn_bin, pm);
    if (system(cmd) != 0 || ip_account(cairn_bin, tmp, "duty", "correct-horse") != 0)
        return -1;
    struct centre *cs[2] = {&warsaw, &moscow};
    for (int i = 0; i < 2; i++) {
        char path[256], conf[1024];
        snprintf(conf, sizeof conf,
                 "[centre]\nname = %s\n"
                 "[web]\nlisten = 127.0.0.1:0\naccounts = accounts\n"
                 "[hotline]\nkeys = %s\nroster = roster.ini\njournal = %s.db\n"
                 "heartbeat_ms = 200\ndead_ms = 1000\nbackoff_min_ms = 100\n"
                 "backoff_max_ms = 500\nhandshake_ms = 1000\n",
                 cs[i]->name, cs[i]->dir, cs[i]->dir);
        snprintf(path, sizeof path, "%s/%s.ini", tmp, cs[i]->dir);
        ip_write_file(path, conf);
        snprintf(cmd, sizeof cmd, "'%s' hotline -c %s --init 2>/dev/null", cairn_bin, path);
        if (system(cmd) != 0)
            return -1;
    }
    if (start(&warsaw) != 0 || start(&moscow) != 0)
        return -1;
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    ip_kill(&warsaw.p);
    ip_kill(&moscow.p);
    return ip_scratch_remove(tmp);
}

static int received_from(const struct centre *c, const char *text)
{
    if (http(c, "GET", "/api/messages?dir=in", NULL) != 200)
        return 0;
    return strstr(rep.body, text) != NULL;
}

static int wait_text(const struct centre *c, const char *text, int ms)
{
    int64_t end = ih_now_ms() + ms;
    while (ih_now_ms() < end) {
        if (received_from(c, text))
            return 1;
        ip_drain(100);
    }
    return received_from(c, text);
}

static void send_note(const char *activity)
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"to\":\"MOSCOW-CC\",\"type\":\"EXPLANATION_REQUEST\","
             "\"fields\":{\"activity\":\"%s\"}}",
             activity);
    if (http(&warsaw, "POST", "/api/messages", body) != 200)
        fail_msg("message refused: %s", rep.body);
}

static void test_both_up(void **state)
{
    (void)state;
    if (!wait_for(peer_up, &warsaw, "MOSCOW-CC", 1, WAIT_MS) ||
        !wait_for(peer_up, &moscow, "WARSAW-CC", 1, WAIT_MS))
        fail_msg("the link did not come up:\n%s\n%s", warsaw.p.log, moscow.p.log);
    send_note("first note before the outage");
    if (!wait_text(&moscow, "first note before the outage", WAIT_MS))
        fail_msg("the first message did not arrive: %s", rep.body);
}

static void test_peer_away_and_back(void **state)
{
    (void)state;
    assert_int_equal(kill(moscow.p.pid, SIGSTOP), 0);
    int64_t t0 = ih_now_ms();
    /* Warsaw sees it: down within a few dead intervals */
    if (!wait_for(peer_up, &warsaw, "MOSCOW-CC", 0, WAIT_MS))
        fail_msg("Warsaw still says Moscow is up:\n%s", warsaw.p.log);
    int64_t seen_down_ms = ih_now_ms() - t0;
    print_message("peer seen down after %lld ms (dead_ms 1000)\n", (long long)seen_down_ms);
    /* Warsaw keeps serving, and takes a message for the absent peer */
    send_note("second note during the outage");
    json_t *p = peer_of(&warsaw, "MOSCOW-CC");
    assert_non_null(p);
    json_int_t sent = json_integer_value(json_object_get(p, "sent"));
    assert_true(json_integer_value(json_object_get(p, "delivered")) < sent);
    json_decref(p);
    /* eight dead intervals away in all, Warsaw answering throughout */
    while (ih_now_ms() - t0 < 8000) {
        assert_int_equal(http(&warsaw, "GET", "/healthz", NULL), 200);
        assert_int_equal(http(&warsaw, "GET", "/api/tracks", NULL), 200);
        assert_int_equal(peer_up(&warsaw, "MOSCOW-CC"), 0);
        ip_drain(200);
    }
    assert_int_equal(kill(moscow.p.pid, SIGCONT), 0);
    /* back by itself: the link, then the message that waited */
    if (!wait_for(peer_up, &warsaw, "MOSCOW-CC", 1, WAIT_MS))
        fail_msg("the link did not come back:\n%s", warsaw.p.log);
    if (!wait_text(&moscow, "second note during the outage", WAIT_MS))
        fail_msg("the waiting message was not delivered: %s", rep.body);
    int64_t end = ih_now_ms() + WAIT_MS;
    for (;;) {
        p = peer_of(&warsaw, "MOSCOW-CC");
        int ok = p && json_integer_value(json_object_get(p, "delivered")) ==
                          json_integer_value(json_object_get(p, "sent"));
        json_decref(p);
        if (ok)
            break;
        if (ih_now_ms() > end)
            fail_msg("Warsaw never saw the receipt: %s", rep.body);
        ip_drain(100);
    }
}

static int reap(struct centre *c)
{
    return ip_reap(&c->p, WAIT_MS);
}

static void test_sigterm(void **state)
{
    (void)state;
    assert_int_equal(kill(warsaw.p.pid, SIGTERM), 0);
    assert_int_equal(kill(moscow.p.pid, SIGTERM), 0);
    assert_int_equal(reap(&warsaw), 0);
    assert_int_equal(reap(&moscow), 0);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_peer_away CAIRN_BINARY\n");
        return 2;
    }
    static char bin[4096];
    if (!realpath(argv[1], bin)) {
        fprintf(stderr, "test_peer_away: %s: %s\n", argv[1], strerror(errno));
        return 2;
    }
    cairn_bin = bin;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_both_up),
        cmocka_unit_test(test_peer_away_and_back),
        cmocka_unit_test(test_sigterm),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
