/*
 * test_hl_nospace.c — a full disk at the receiver.
 *
 * B's disk fills up: the test daemon binary's SQLite VFS (hl_nospace_vfs.h)
 * fails every write that would grow B's journal files while the flag file
 * JOURNAL.nospace exists (SQLITE_FULL is what a full disk gives, and the
 * journal reports it as CAIRN_E_NOSPACE). The production daemon has no
 * such hook. A sends
 * messages: B stores none of them durably, issues no receipt (A's
 * "delivered" never runs ahead of B's "received"), and A keeps retrying
 * (new sessions). When space returns, everything arrives, once, and both
 * journals pass the audit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include <cmocka.h>

#include "hl_harness.h"

#define N_MSGS 300 /* far more than the free pages of a small journal hold */

static struct harness H;
static int PASSED;

/* Fill B's disk (full = 1) or give the space back (0): the VFS checks the
 * flag at every write, so this takes effect at once. */
static void disk_full(struct hnode *n, int full)
{
    char flag[700];
    snprintf(flag, sizeof flag, "%s.nospace", n->journal);
    if (full) {
        FILE *f = fopen(flag, "w");
        assert_non_null(f);
        fclose(f);
    } else {
        assert_int_equal(unlink(flag), 0);
    }
}

static int teardown(void **state)
{
    (void)state;
    hh_teardown(&H, PASSED);
    return 0;
}

static void test_full_disk(void **state)
{
    (void)state;
    const char *names[] = {"MOSCOW-CC", "WARSAW-CC"};
    assert_int_equal(hh_setup(&H, 2, names), 0);
    struct hnode *a = &H.n[0], *b = &H.n[1];
    assert_int_equal(hh_start(a), 0);
    assert_int_equal(hh_start(b), 0);
    assert_int_equal(hh_wait_up(a, b, 20000), 0);
    /* One message through first, so both journals have their tables. */
    json_decref(hh_call(a,
                        "{\"op\":\"send\",\"to\":\"%s\",\"type\":\"FREE_TEXT\","
                        "\"fields\":{\"body\":\"before\"}}",
                        b->name));
    assert_int_equal(hh_wait_synced(a, b, 20000), 0);
    disk_full(b, 1);
    json_t *r;
    int64_t sessions0 = hh_metric(a, "sessions_opened_total");
    r = hh_call(a,
                "{\"op\":\"send\",\"to\":\"%s\",\"type\":\"FREE_TEXT\",\"count\":%d,"
                "\"fields\":{\"body\":\"%s\"}}",
                b->name, N_MSGS,
                "a message long enough to need pages of its own: "
                "................................................................................"
                "................................................................................");
    assert_true(json_is_true(json_object_get(r, "ok")));
    json_decref(r);
    /* For 3 s: receipts never run ahead of what B holds, and B is short. */
    int64_t t0 = hh_now_ms();
    int64_t s, d, rcv, bs, bd, brcv;
    int up;
    while (hh_now_ms() - t0 < 3000) {
        assert_int_equal(hh_status(a, b->name, &s, &d, &rcv, &up), 0);
        assert_int_equal(hh_status(b, a->name, &bs, &bd, &brcv, &up), 0);
        assert_true(d <= brcv);
        hh_sleep_ms(100);
    }
    fprintf(stderr, "disk full: A sent %lld, A holds receipts for %lld, B holds %lld\n",
            (long long)s, (long long)d, (long long)brcv);
    assert_true(brcv < 1 + N_MSGS);
    assert_true(hh_metric(b, "nospace_total") > 0);
    assert_true(hh_log_count(b, "journal commit failed") > 0);
    int64_t sessions1 = hh_metric(a, "sessions_opened_total");
    fprintf(stderr, "A opened %lld sessions while B's disk was full\n",
            (long long)(sessions1 - sessions0));
    assert_true(sessions1 > sessions0 + 1); /* it kept retrying */
    /* Space returns. */
    disk_full(b, 0);
    assert_int_equal(hh_wait_synced(a, b, 60000), 0);
    assert_int_equal(hh_status(b, a->name, &bs, &bd, &brcv, &up), 0);
    assert_int_equal(brcv, 1 + N_MSGS);
    assert_int_equal(hh_stop(a, SIGTERM), 0);
    assert_int_equal(hh_stop(b, SIGTERM), 0);
    assert_int_equal(hh_verify(&H, a), 0);
    assert_int_equal(hh_verify(&H, b), 0);
    uint64_t ab, ba;
    assert_int_equal(hh_heads_match(&H, a, b, &ab, &ba), 0);
    PASSED = 1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_full_disk)};
    return cmocka_run_group_tests(tests, NULL, teardown);
}
