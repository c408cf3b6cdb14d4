/*
 * test_hl_exchange.c — two real `cairn hotline` daemons on loopback
 * exchange 10,000 messages each way; every message is delivered (receipt
 * stored at the sender), received once, and both journals pass the audit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>

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

#define N_EACH 10000 /* the figure */

static void test_exchange_10k(void **state)
{
    (void)state;
    const char *names[] = {"MOSCOW-CC", "WARSAW-CC"};
    assert_int_equal(hh_setup(&H, 2, names), 0);
    struct hnode *a = &H.n[0], *b = &H.n[1];
    assert_int_equal(hh_start(a), 0);
    assert_int_equal(hh_start(b), 0);
    assert_int_equal(hh_wait_up(a, b, 20000), 0);
    int64_t t0 = hh_now_ms();
    json_t *r1 = hh_call(a,
                         "{\"op\":\"send\",\"to\":\"%s\",\"type\":\"FREE_TEXT\",\"count\":%d,"
                         "\"fields\":{\"body\":\"drill message from %s\"}}",
                         b->name, N_EACH, a->name);
    json_t *r2 = hh_call(b,
                         "{\"op\":\"send\",\"to\":\"%s\",\"type\":\"FREE_TEXT\",\"count\":%d,"
                         "\"fields\":{\"body\":\"учебное сообщение от %s\"}}",
                         a->name, N_EACH, b->name);
    assert_non_null(r1);
    assert_non_null(r2);
    assert_true(json_is_true(json_object_get(r1, "ok")));
    assert_true(json_is_true(json_object_get(r2, "ok")));
    assert_int_equal(json_integer_value(json_object_get(r1, "last")), N_EACH);
    json_decref(r1);
    json_decref(r2);
    assert_int_equal(hh_wait_synced(a, b, 240000), 0);
    fprintf(stderr, "%d messages each way delivered in %lld ms\n", N_EACH,
            (long long)(hh_now_ms() - t0));
    int64_t s, d, rcv;
    int up;
    assert_int_equal(hh_status(a, b->name, &s, &d, &rcv, &up), 0);
    assert_int_equal(s, N_EACH);
    assert_int_equal(d, N_EACH);
    assert_int_equal(rcv, N_EACH);
    /* Checkpoints were exchanged and countersigned. */
    hh_sleep_ms(1200);
    assert_true(hh_metric(a, "checkpoints_stored_total") > 0);
    assert_int_equal(hh_stop(a, SIGTERM), 0);
    assert_int_equal(hh_stop(b, SIGTERM), 0);
    assert_int_equal(hh_verify(&H, a), 0);
    assert_int_equal(hh_verify(&H, b), 0);
    uint64_t ab, ba;
    assert_int_equal(hh_heads_match(&H, a, b, &ab, &ba), 0);
    assert_int_equal(ab, N_EACH);
    assert_int_equal(ba, N_EACH);
    PASSED = 1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_exchange_10k)};
    return cmocka_run_group_tests(tests, NULL, teardown);
}
