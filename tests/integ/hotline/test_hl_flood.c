/*
 * test_hl_flood.c — the roster peer gets through a connection flood
 * (admission invariants A1-A6, docs/hotline-link.md).
 *
 * Two real daemons on 127.0.0.1. A flood thread holds 500 connections
 * against EACH centre's link port: two in three plain TCP connections that
 * never send a byte, one in three that send a TLS 1.3 ClientHello and then
 * nothing (the handshake never finishes, no HELLO). Whenever a centre
 * closes one (eviction, handshake deadline), the thread opens it again at
 * once, so the pressure never lets up; while a centre is down its
 * connections are retried every 20 ms. The flood comes from 127.0.0.1, the
 * same address as the real peer: the per-address limit (A4) cannot tell
 * them apart, which is the hardest case for admission.
 *
 * Under the flood, WARSAW-CC is stopped and started again; the link must be
 * back (both ends report the session up) within 5 s of the restart. The
 * time is printed ("link back after 412 ms under a 500-connection flood").
 * Each centre's dial waits in the other's accept queue behind the flood
 * (A5); on a loaded host that wait outlasted handshake_ms and every dial
 * timed out before it was accepted (the link never came back): A2 now
 * gives an outbound connection the time to drain a full backlog.
 * Then messages still flow and the refusals were logged with a rate limit
 * (a summary line, far fewer lines than refusals).
 *
 * Before the restart the flood must be pressing: each centre has closed
 * FLOOD_PRESSED stalled handshakes that held one of its slots. Admission
 * closes such a connection in one of two ways, and which one depends on the
 * host, not on the code: evicted for a newer one (A4) once unauth_per_source
 * (128) are held, or at the handshake deadline (A2, 3 s). Evictions need the
 * centre to accept more than 128 stalled handshakes per 3 s (43/s); A5 caps
 * the accept rate (200/s) but nothing sets a floor: an ASan daemon on two
 * loaded cores does one key exchange and signature per accepted ClientHello
 * and reaches 25-35/s, holds 75-100 of them, and closes every one at the
 * deadline while the rest wait in the kernel's queue (in front of the
 * peer). Both are the flood pressing; the test used to count evictions only
 * and failed on a loaded host. The count is reached after handshake_ms +
 * FLOOD_PRESSED / rate: within PRESS_WITHIN_MS down to 6 accepts/s. Evictions
 * themselves are checked deterministically by test_hl_link (fake clock) and
 * test_hl_hostile; the counts are printed here.
 *
 * Bounded: every wait has a timeout; loopback only. The flood needs
 * ~1,000 descriptors in this process: RLIMIT_NOFILE is raised to its hard
 * limit (the test skips if that is too low). The sockets are close-on-exec
 * so the daemons started meanwhile do not inherit them.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include <openssl/bio.h>
#include <openssl/ssl.h>

#include "hl_harness.h"

#define FLOOD_PER_CENTRE 500
#define FLOOD_TLS_EVERY  3    /* one connection in three sends a ClientHello */
#define RETRY_DOWN_MS    20   /* retry interval while the port refuses */
#define BACK_WITHIN_MS   5000 /* the requirement */
#define FLOOD_PRESSED    100  /* stalled handshakes admission closed, each centre */
#define PRESS_WITHIN_MS  20000

enum fstate { FS_CLOSED, FS_CONNECTING, FS_OPEN };

struct fconn {
    int fd;
    int port;
    int tls;
    enum fstate st;
    int64_t retry_at_ms;
};

static struct {
    struct fconn c[2 * FLOOD_PER_CENTRE];
    int n;
    int ep;
    uint8_t hello[4096]; /* one ClientHello, sent by every TLS connection */
    size_t hello_len;
    atomic_int stop;
    atomic_llong connects, closed_by_centre;
} F;

static struct harness H;
static int PASSED;

/* Stalled handshakes that held a slot and were closed by admission (A2 or
 * A4): every connection accepted into a slot is still unauthenticated, went
 * OPEN (the peer's, at most one per session opened), or was closed; a flood
 * connection never leaves the TLS handshake, so it was closed by the
 * deadline or an eviction. Undercounts by the peer's connections closed in
 * races (a few): conservative. */
static int64_t closed_by_admission(struct hnode *n)
{
    return hh_metric(n, "accepts_total") - hh_metric(n, "unauth_connections") -
           hh_metric(n, "sessions_opened_total");
}

/* A TLS 1.3 ClientHello as a client would send it (made in memory). */
static int make_client_hello(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx)
        return -1;
    SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
    SSL *ssl = SSL_new(ctx);
    BIO *rb = BIO_new(BIO_s_mem()), *wb = BIO_new(BIO_s_mem());
    SSL_set_bio(ssl, rb, wb);
    SSL_set_connect_state(ssl);
    SSL_do_handshake(ssl); /* writes the ClientHello, then wants to read */
    int n = BIO_read(wb, F.hello, (int)sizeof F.hello);
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    if (n <= 0)
        return -1;
    F.hello_len = (size_t)n;
    return 0;
}

static void fc_close(struct fconn *c, int64_t retry_at)
{
    if (c->fd >= 0) {
        epoll_ctl(F.ep, EPOLL_CTL_DEL, c->fd, NULL);
        close(c->fd);
    }
    c->fd = -1;
    c->st = FS_CLOSED;
    c->retry_at_ms = retry_at;
}

static void fc_connected(struct fconn *c)
{
    c->st = FS_OPEN;
    atomic_fetch_add(&F.connects, 1);
    if (c->tls && send(c->fd, F.hello, F.hello_len, MSG_NOSIGNAL) < 0) {
        fc_close(c, hh_now_ms());
        return;
    }
    struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = c};
    epoll_ctl(F.ep, EPOLL_CTL_MOD, c->fd, &ev);
}

static void fc_open(struct fconn *c)
{
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0) {
        c->retry_at_ms = hh_now_ms() + RETRY_DOWN_MS;
        return;
    }
    struct sockaddr_in sin = {.sin_family = AF_INET,
                              .sin_port = htons((uint16_t)c->port),
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int rc = connect(c->fd, (struct sockaddr *)&sin, sizeof sin);
    if (rc != 0 && errno != EINPROGRESS) {
        close(c->fd);
        c->fd = -1;
        c->retry_at_ms = hh_now_ms() + RETRY_DOWN_MS;
        return;
    }
    struct epoll_event ev = {.events = EPOLLOUT | EPOLLIN | EPOLLRDHUP, .data.ptr = c};
    epoll_ctl(F.ep, EPOLL_CTL_ADD, c->fd, &ev);
    c->st = FS_CONNECTING;
    if (rc == 0)
        fc_connected(c);
}

static void *flood_main(void *arg)
{
    (void)arg;
    struct epoll_event evs[256];
    while (!atomic_load(&F.stop)) {
        int64_t now = hh_now_ms();
        for (int i = 0; i < F.n; i++)
            if (F.c[i].st == FS_CLOSED && F.c[i].retry_at_ms <= now)
                fc_open(&F.c[i]);
        int n = epoll_wait(F.ep, evs, 256, 5);
        for (int i = 0; i < n; i++) {
            struct fconn *c = evs[i].data.ptr;
            if (c->st == FS_CONNECTING) {
                int err = 0;
                socklen_t el = sizeof err;
                getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el);
                if (err) {
                    fc_close(c, hh_now_ms() + RETRY_DOWN_MS); /* centre down */
                    continue;
                }
                fc_connected(c);
                continue;
            }
            if (c->st != FS_OPEN)
                continue;
            char buf[4096];
            ssize_t r = recv(c->fd, buf, sizeof buf, 0); /* the server's flight: ignored */
            if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR) ||
                (evs[i].events & (EPOLLHUP | EPOLLERR))) {
                atomic_fetch_add(&F.closed_by_centre, 1);
                fc_close(c, hh_now_ms()); /* evicted: come back at once */
            }
        }
    }
    for (int i = 0; i < F.n; i++)
        fc_close(&F.c[i], 0);
    return NULL;
}

static int teardown(void **state)
{
    (void)state;
    hh_teardown(&H, PASSED);
    return 0;
}

static void test_flood_restart(void **state)
{
    (void)state;
    struct rlimit rl;
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < 2 * FLOOD_PER_CENTRE + 256) {
        fprintf(stderr, "RLIMIT_NOFILE hard limit %llu is too low for the flood: skipped\n",
                (unsigned long long)rl.rlim_max);
        exit(77);
    }
    rl.rlim_cur = rl.rlim_max;
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
    assert_int_equal(make_client_hello(), 0);

    const char *names[] = {"MOSCOW-CC", "WARSAW-CC"};
    assert_int_equal(hh_setup(&H, 2, names), 0);
    struct hnode *a = &H.n[0], *b = &H.n[1];
    assert_int_equal(hh_start(a), 0);
    assert_int_equal(hh_start(b), 0);
    assert_int_equal(hh_wait_up(a, b, 20000), 0);

    /* The flood, against both link ports. */
    F.ep = epoll_create1(EPOLL_CLOEXEC);
    assert_true(F.ep >= 0);
    for (int i = 0; i < 2 * FLOOD_PER_CENTRE; i++) {
        struct fconn *c = &F.c[F.n++];
        c->fd = -1;
        c->port = i < FLOOD_PER_CENTRE ? a->port : b->port;
        c->tls = i % FLOOD_TLS_EVERY == 0;
        c->st = FS_CLOSED;
    }
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, flood_main, NULL), 0);
    /* Let it build up: both centres hold as many stalled handshakes from
     * 127.0.0.1 as they admit (A4) or can take on before the deadline (A2),
     * and are closing them (header comment). */
    int64_t t0 = hh_now_ms();
    while (hh_now_ms() - t0 < PRESS_WITHIN_MS &&
           (closed_by_admission(a) < FLOOD_PRESSED || closed_by_admission(b) < FLOOD_PRESSED))
        hh_sleep_ms(50);
    int64_t press_ms = hh_now_ms() - t0;
    for (int i = 0; i < 2; i++)
        fprintf(stderr,
                "%s: %lld stalled handshakes closed by admission after %lld ms of flood (%lld "
                "evicted, A4/A3), %lld held now, %lld accepted in all\n",
                H.n[i].name, (long long)closed_by_admission(&H.n[i]), (long long)press_ms,
                (long long)hh_metric(&H.n[i], "accepts_refused_total"),
                (long long)hh_metric(&H.n[i], "unauth_connections"),
                (long long)hh_metric(&H.n[i], "accepts_total"));
    assert_true(closed_by_admission(a) >= FLOOD_PRESSED);
    assert_true(closed_by_admission(b) >= FLOOD_PRESSED);
    fprintf(stderr, "flood up: %lld connections opened so far\n",
            (long long)atomic_load(&F.connects));

    /* Restart WARSAW-CC under the flood. */
    assert_int_equal(hh_stop(b, SIGTERM), 0);
    int64_t s, d, r;
    int up = 1;
    for (int64_t t = hh_now_ms(); up && hh_now_ms() - t < 10000; hh_sleep_ms(20))
        assert_int_equal(hh_status(a, b->name, &s, &d, &r, &up), 0);
    assert_int_equal(up, 0); /* A saw the session end */
    int64_t t_restart = hh_now_ms();
    assert_int_equal(hh_start(b), 0);
    int64_t started_ms = hh_now_ms() - t_restart;
    int rc = hh_wait_up(a, b, 20000);
    int64_t back_ms = hh_now_ms() - t_restart;
    fprintf(stderr,
            "link back after %lld ms under a %d-connection flood on each centre (%s answering "
            "after %lld ms; %lld flood connections opened, %lld closed by the centres)\n",
            (long long)back_ms, FLOOD_PER_CENTRE, b->name, (long long)started_ms,
            (long long)atomic_load(&F.connects), (long long)atomic_load(&F.closed_by_centre));
    assert_int_equal(rc, 0);
    assert_true(back_ms <= BACK_WITHIN_MS);

    /* Still under the flood: messages flow both ways. */
    json_decref(hh_call(a,
                        "{\"op\":\"send\",\"to\":\"%s\",\"type\":\"FREE_TEXT\",\"count\":20,"
                        "\"fields\":{\"body\":\"through the flood\"}}",
                        b->name));
    json_decref(hh_call(b,
                        "{\"op\":\"send\",\"to\":\"%s\",\"type\":\"FREE_TEXT\",\"count\":20,"
                        "\"fields\":{\"body\":\"through the flood\"}}",
                        a->name));
    assert_int_equal(hh_wait_synced(a, b, 20000), 0);

    int64_t ev_a = hh_metric(a, "accepts_refused_total");
    int64_t ev_b = hh_metric(b, "accepts_refused_total");
    fprintf(stderr, "evicted or refused: %s %lld, %s %lld; handshake timeouts %lld, %lld\n",
            a->name, (long long)ev_a, b->name, (long long)ev_b,
            (long long)hh_metric(a, "handshake_timeouts_total"),
            (long long)hh_metric(b, "handshake_timeouts_total"));
    atomic_store(&F.stop, 1);
    pthread_join(th, NULL);
    close(F.ep);

    /* A6: at most 10 lines one by one per source per 10 s window (the test
     * runs a few windows), the rest summed up. */
    assert_int_equal(hh_stop(a, SIGTERM), 0);
    assert_int_equal(hh_stop(b, SIGTERM), 0);
    int lines_a = hh_log_count(a, "closing inbound connection with 127.0.0.1");
    int summaries_a = hh_log_count(a, "refused from 127.0.0.1 in the last");
    fprintf(stderr, "%s logged %d refusals one by one and %d summary lines for %lld refusals\n",
            a->name, lines_a, summaries_a, (long long)ev_a);
    assert_true(summaries_a >= 1);
    assert_true(lines_a <= 10 * (summaries_a + 1));
    assert_int_equal(hh_verify(&H, a), 0);
    assert_int_equal(hh_verify(&H, b), 0);
    PASSED = 1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_flood_restart)};
    return cmocka_run_group_tests(tests, NULL, teardown);
}
