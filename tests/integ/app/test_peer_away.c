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

#define WAIT_MS 30000

static const char *cairn_bin;
static char tmp[64];

struct centre {
    const char *name, *dir;
    pid_t pid;
    int err_fd;
    char log[1 << 16];
    size_t log_len;
    int port;
    char token[160];
};
static struct centre warsaw = {"WARSAW-CC", "warsaw", -1, -1, "", 0, 0, ""};
static struct centre moscow = {"MOSCOW-CC", "moscow", -1, -1, "", 0, 0, ""};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read what either daemon logged, waiting up to ms in all. */
static void drain(int ms)
{
    struct centre *cs[2] = {&warsaw, &moscow};
    struct pollfd p[2];
    for (int i = 0; i < 2; i++)
        p[i] = (struct pollfd){cs[i]->err_fd, POLLIN, 0};
    if (poll(p, 2, ms) <= 0)
        return;
    for (int i = 0; i < 2; i++) {
        if (cs[i]->err_fd < 0 || !(p[i].revents & (POLLIN | POLLHUP)))
            continue;
        char b[4096];
        ssize_t n = read(cs[i]->err_fd, b, sizeof b);
        if (n <= 0) {
            close(cs[i]->err_fd);
            cs[i]->err_fd = -1;
            continue;
        }
        size_t k = (size_t)n;
        if (k > sizeof cs[i]->log - 1 - cs[i]->log_len)
            k = sizeof cs[i]->log - 1 - cs[i]->log_len;
        memcpy(cs[i]->log + cs[i]->log_len, b, k);
        cs[i]->log_len += k;
        cs[i]->log[cs[i]->log_len] = 0;
    }
}

static struct {
    int status;
    char body[1 << 18];
} rep;

static int http(const struct centre *c, const char *method, const char *path, const char *body)
{
    rep.status = 0;
    rep.body[0] = 0;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct timeval tv = {10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)c->port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    static char req[4096];
    int n = snprintf(req, sizeof req, "%s %s HTTP/1.0\r\nHost: 127.0.0.1\r\n", method, path);
    if (c->token[0])
        n += snprintf(req + n, sizeof req - (size_t)n, "Authorization: Bearer %s\r\n", c->token);
    if (body)
        n += snprintf(req + n, sizeof req - (size_t)n,
                      "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
                      strlen(body), body);
    else
        n += snprintf(req + n, sizeof req - (size_t)n, "\r\n");
    assert_int_equal(send(fd, req, (size_t)n, 0), n);
    static char raw[(1 << 18) + 4096];
    size_t got = 0;
    ssize_t k;
    while ((k = recv(fd, raw + got, sizeof raw - 1 - got, 0)) > 0)
        got += (size_t)k;
    close(fd);
    raw[got] = 0;
    if (sscanf(raw, "HTTP/1.%*d %d", &rep.status) != 1)
        return -1;
    char *b = strstr(raw, "\r\n\r\n");
    if (b)
        snprintf(rep.body, sizeof rep.body, "%s", b + 4);
    return rep.status;
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
    int64_t end = now_ms() + ms;
    while (now_ms() < end) {
        if (pred(c, peer) == want)
            return 1;
        drain(100);
    }
    return pred(c, peer) == want;
}

static uint16_t free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t sl = sizeof a;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &sl) != 0)
        return 0;
    close(fd);
    return ntohs(a.sin_port);
}

static int start(struct centre *c)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s.ini", tmp, c->dir);
    int p[2];
    if (pipe(p) != 0)
        return -1;
    c->pid = fork();
    if (c->pid < 0)
        return -1;
    if (c->pid == 0) {
        dup2(p[1], 2);
        close(p[0]);
        close(p[1]);
        execl(cairn_bin, cairn_bin, "run", "-c", path, (char *)NULL);
        _exit(127);
    }
    close(p[1]);
    c->err_fd = p[0];
    char up[64];
    snprintf(up, sizeof up, "run: centre %s up", c->name);
    int64_t end = now_ms() + WAIT_MS;
    while (!strstr(c->log, up) && now_ms() < end && c->err_fd >= 0)
        drain(100);
    const char *w = strstr(c->log, "centre: web: listening on 127.0.0.1:0 (port ");
    if (!w) {
        fprintf(stderr, "%s did not start:\n%s\n", c->name, c->log);
        return -1;
    }
    c->port = atoi(strstr(w, "(port ") + 6);
    if (http(c, "POST", "/api/login", "{\"user\":\"duty\",\"password\":\"correct-horse\"}") != 200)
        return -1;
    json_error_t e;
    json_t *j = json_loads(rep.body, 0, &e);
    if (!j)
        return -1;
    snprintf(c->token, sizeof c->token, "%s", json_string_value(json_object_get(j, "token")));
    json_decref(j);
    return 0;
}

static int group_setup(void **state)
{
    (void)state;
    signal(SIGPIPE, SIG_IGN);
    snprintf(tmp, sizeof tmp, "/tmp/cairn-peeraway-XXXXXX");
    if (!mkdtemp(tmp))
        return -1;
    uint16_t pw = free_port(), pm = free_port();
    if (!pw || !pm || pw == pm)
        return -1;
    static char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "cd %s && '%s' keygen --centre WARSAW-CC --party NATO --address 127.0.0.1:%u --dir "
             "warsaw >/dev/null && '%s' keygen --centre MOSCOW-CC --party RU --address "
             "127.0.0.1:%u --dir moscow >/dev/null && cat warsaw/roster.ini moscow/roster.ini > "
             "roster.ini && printf 'correct-horse\\n' | '%s' passwd duty > accounts && chmod "
             "600 accounts",
             tmp, cairn_bin, pw, cairn_bin, pm, cairn_bin);
    if (system(cmd) != 0)
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
        FILE *f = fopen(path, "w");
        if (!f)
            return -1;
        fputs(conf, f);
        fclose(f);
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
    struct centre *cs[2] = {&warsaw, &moscow};
    for (int i = 0; i < 2; i++)
        if (cs[i]->pid > 0) {
            kill(cs[i]->pid, SIGCONT);
            kill(cs[i]->pid, SIGKILL);
            waitpid(cs[i]->pid, NULL, 0);
        }
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
    return system(cmd) == 0 ? 0 : -1;
}

static int received_from(const struct centre *c, const char *text)
{
    if (http(c, "GET", "/api/messages?dir=in", NULL) != 200)
        return 0;
    return strstr(rep.body, text) != NULL;
}

static int wait_text(const struct centre *c, const char *text, int ms)
{
    int64_t end = now_ms() + ms;
    while (now_ms() < end) {
        if (received_from(c, text))
            return 1;
        drain(100);
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
        fail_msg("the link did not come up:\n%s\n%s", warsaw.log, moscow.log);
    send_note("first note before the outage");
    if (!wait_text(&moscow, "first note before the outage", WAIT_MS))
        fail_msg("the first message did not arrive: %s", rep.body);
}

static void test_peer_away_and_back(void **state)
{
    (void)state;
    assert_int_equal(kill(moscow.pid, SIGSTOP), 0);
    int64_t t0 = now_ms();
    /* Warsaw sees it: down within a few dead intervals */
    if (!wait_for(peer_up, &warsaw, "MOSCOW-CC", 0, WAIT_MS))
        fail_msg("Warsaw still says Moscow is up:\n%s", warsaw.log);
    int64_t seen_down_ms = now_ms() - t0;
    print_message("peer seen down after %lld ms (dead_ms 1000)\n", (long long)seen_down_ms);
    /* Warsaw keeps serving, and takes a message for the absent peer */
    send_note("second note during the outage");
    json_t *p = peer_of(&warsaw, "MOSCOW-CC");
    assert_non_null(p);
    json_int_t sent = json_integer_value(json_object_get(p, "sent"));
    assert_true(json_integer_value(json_object_get(p, "delivered")) < sent);
    json_decref(p);
    /* eight dead intervals away in all, Warsaw answering throughout */
    while (now_ms() - t0 < 8000) {
        assert_int_equal(http(&warsaw, "GET", "/healthz", NULL), 200);
        assert_int_equal(http(&warsaw, "GET", "/api/tracks", NULL), 200);
        assert_int_equal(peer_up(&warsaw, "MOSCOW-CC"), 0);
        drain(200);
    }
    assert_int_equal(kill(moscow.pid, SIGCONT), 0);
    /* back by itself: the link, then the message that waited */
    if (!wait_for(peer_up, &warsaw, "MOSCOW-CC", 1, WAIT_MS))
        fail_msg("the link did not come back:\n%s", warsaw.log);
    if (!wait_text(&moscow, "second note during the outage", WAIT_MS))
        fail_msg("the waiting message was not delivered: %s", rep.body);
    int64_t end = now_ms() + WAIT_MS;
    for (;;) {
        p = peer_of(&warsaw, "MOSCOW-CC");
        int ok = p && json_integer_value(json_object_get(p, "delivered")) ==
                          json_integer_value(json_object_get(p, "sent"));
        json_decref(p);
        if (ok)
            break;
        if (now_ms() > end)
            fail_msg("Warsaw never saw the receipt: %s", rep.body);
        drain(100);
    }
}

static int reap(struct centre *c)
{
    int64_t end = now_ms() + WAIT_MS;
    while (c->err_fd >= 0 && now_ms() < end)
        drain(200);
    int st;
    if (waitpid(c->pid, &st, 0) != c->pid)
        return -1;
    c->pid = -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void test_sigterm(void **state)
{
    (void)state;
    assert_int_equal(kill(warsaw.pid, SIGTERM), 0);
    assert_int_equal(kill(moscow.pid, SIGTERM), 0);
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
