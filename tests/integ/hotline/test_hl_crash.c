/*
 * test_hl_crash.c — kill -9 either centre at random moments, 20 times,
 * while both send, and restart it. Afterwards: every message a sender held
 * a receipt for before a kill is at the receiver; every message in each
 * sender's journal is delivered; the two journals hold the same chain in
 * each direction (same count and head hash: nothing lost, nothing twice);
 * both journals pass the audit. The seed is printed (HL_SEED=n replays).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <cmocka.h>

#include "hl_harness.h"

/* Global so that the group teardown stops the daemons when a check fails. */
static struct harness H;
static int PASSED;

static int teardown(void **state)
{
    (void)state;
    hh_teardown(&H, PASSED);
    return 0;
}

#define KILLS 20 /* the figure */

static int send_n(struct hnode *from, struct hnode *to, int n)
{
    json_t *r = hh_call(from,
                        "{\"op\":\"send\",\"to\":\"%s\",\"type\":\"FREE_TEXT\",\"count\":%d,"
                        "\"fields\":{\"body\":\"load\"}}",
                        to->name, n);
    int ok = r && json_is_true(json_object_get(r, "ok"));
    json_decref(r);
    return ok ? 0 : -1;
}

static void test_kill9_20_times(void **state)
{
    (void)state;
    unsigned seed = getenv("HL_SEED") ? (unsigned)atoi(getenv("HL_SEED")) : (unsigned)time(NULL);
    fprintf(stderr, "seed %u\n", seed);
    srand(seed);
    const char *names[] = {"MOSCOW-CC", "WARSAW-CC"};
    assert_int_equal(hh_setup(&H, 2, names), 0);
    struct hnode *n[2] = {&H.n[0], &H.n[1]};
    assert_int_equal(hh_start(n[0]), 0);
    assert_int_equal(hh_start(n[1]), 0);
    assert_int_equal(hh_wait_up(n[0], n[1], 20000), 0);
    assert_int_equal(send_n(n[0], n[1], 500), 0);
    assert_int_equal(send_n(n[1], n[0], 500), 0);
    for (int k = 0; k < KILLS; k++) {
        int v = rand() % 2; /* the victim */
        struct hnode *victim = n[v], *other = n[1 - v];
        /* Load in flight at the moment of the kill, both ways. */
        assert_int_equal(send_n(other, victim, 100 + rand() % 200), 0);
        assert_int_equal(send_n(victim, other, 100 + rand() % 200), 0);
        hh_sleep_ms(rand() % 300);
        int64_t s, delivered_before, r;
        int up;
        assert_int_equal(hh_status(other, victim->name, &s, &delivered_before, &r, &up), 0);
        assert_int_equal(hh_stop(victim, SIGKILL), 0);
        hh_sleep_ms(rand() % 200);
        assert_int_equal(hh_start(victim), 0);
        /* Receipted before the kill => stored at the receiver. */
        int64_t vs, vd, vr;
        assert_int_equal(hh_status(victim, other->name, &vs, &vd, &vr, &up), 0);
        fprintf(stderr, "kill %2d: %s (receipted by it before: %lld, it holds %lld)\n", k + 1,
                victim->name, (long long)delivered_before, (long long)vr);
        assert_true(vr >= delivered_before);
    }
    assert_int_equal(hh_wait_synced(n[0], n[1], 180000), 0);
    assert_int_equal(hh_stop(n[0], SIGTERM), 0);
    assert_int_equal(hh_stop(n[1], SIGTERM), 0);
    assert_int_equal(hh_verify(&H, n[0]), 0);
    assert_int_equal(hh_verify(&H, n[1]), 0);
    uint64_t ab, ba;
    assert_int_equal(hh_heads_match(&H, n[0], n[1], &ab, &ba), 0);
    fprintf(stderr, "after %d kills: %llu messages %s->%s, %llu %s->%s, all delivered once\n",
            KILLS, (unsigned long long)ab, n[0]->name, n[1]->name, (unsigned long long)ba,
            n[1]->name, n[0]->name);
    assert_true(ab >= 500 + KILLS * 100);
    PASSED = 1;
}

/* A peer that hangs without closing its connection (SIGSTOP): the
 * heartbeats notice within dead_ms (1.5 s in the tests' INI) and the
 * session closes; when the peer wakes up, the link comes back and what was
 * sent meanwhile is delivered. */
static void test_dead_peer(void **state)
{
    (void)state;
    hh_teardown(&H, PASSED); /* the previous test's folder */
    PASSED = 0;
    const char *names[] = {"MOSCOW-CC", "WARSAW-CC"};
    assert_int_equal(hh_setup(&H, 2, names), 0);
    struct hnode *a = &H.n[0], *b = &H.n[1];
    assert_int_equal(hh_start(a), 0);
    assert_int_equal(hh_start(b), 0);
    assert_int_equal(hh_wait_up(a, b, 20000), 0);
    assert_int_equal(hh_metric(a, "dead_peers_total"), 0);
    kill(b->pid, SIGSTOP);
    assert_int_equal(send_n(a, b, 50), 0);
    int64_t t0 = hh_now_ms();
    while (hh_metric(a, "dead_peers_total") < 1 && hh_now_ms() - t0 < 10000)
        hh_sleep_ms(100);
    fprintf(stderr, "silent peer declared dead after %lld ms\n", (long long)(hh_now_ms() - t0));
    assert_int_equal(hh_metric(a, "dead_peers_total"), 1);
    assert_true(hh_log_count(a, "silent for") >= 1);
    kill(b->pid, SIGCONT);
    assert_int_equal(hh_wait_synced(a, b, 30000), 0);
    assert_int_equal(hh_stop(a, SIGTERM), 0);
    assert_int_equal(hh_stop(b, SIGTERM), 0);
    assert_int_equal(hh_verify(&H, a), 0);
    assert_int_equal(hh_verify(&H, b), 0);
    PASSED = 1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_kill9_20_times),
                                       cmocka_unit_test(test_dead_peer)};
    return cmocka_run_group_tests(tests, NULL, teardown);
}
