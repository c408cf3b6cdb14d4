/*
 * test_hl_rollback.c — a receiver's journal rolled back to an older state
 * (kill -9, then its WAL deleted: what a restore from an older copy does)
 * comes back without messages it had stored and receipted. The HELLOs show
 * it (link L11): both centres raise the alarm (log line, metric, alert
 * record naming the lost range), the sender resends the lost range from
 * its own journal, the receiver stores it again and re-issues receipts, and
 * both journals pass the audit. Prints the time from the restart to the
 * healed link.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "hl_harness.h"

static struct harness H;
static int PASSED;

static int teardown(void **state)
{
    (void)state;
    hh_teardown(&H, PASSED);
    return 0;
}

#define FIRST 30 /* stored in the receiver's main file (clean stop) */
#define LOST  20 /* stored and receipted only in the WAL that is then deleted */

static int send_n(struct hnode *from, struct hnode *to, int n)
{
    json_t *r = hh_call(from,
                        "{\"op\":\"send\",\"to\":\"%s\",\"type\":\"FREE_TEXT\",\"count\":%d,"
                        "\"fields\":{\"body\":\"rollback\"}}",
                        to->name, n);
    int ok = r && json_is_true(json_object_get(r, "ok"));
    json_decref(r);
    return ok ? 0 : -1;
}

/* Lines of n's alert file that contain every one of the strings. */
static int alert_count(struct hnode *n, const char *a, const char *b)
{
    char path[700], line[2048];
    snprintf(path, sizeof path, "%s.alerts", n->journal);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    int k = 0;
    while (fgets(line, sizeof line, f))
        if (strstr(line, a) && strstr(line, b))
            k++;
    fclose(f);
    return k;
}

static void test_receiver_rolled_back(void **state)
{
    (void)state;
    const char *names[] = {"MOSCOW-CC", "WARSAW-CC"};
    assert_int_equal(hh_setup(&H, 2, names), 0);
    struct hnode *a = &H.n[0], *b = &H.n[1];
    assert_int_equal(hh_start(a), 0);
    assert_int_equal(hh_start(b), 0);
    assert_int_equal(hh_wait_up(a, b, 20000), 0);
    assert_int_equal(send_n(a, b, FIRST), 0);
    assert_int_equal(hh_wait_synced(a, b, 20000), 0);
    /* A clean stop merges the WAL into the main file: the "older copy". */
    assert_int_equal(hh_stop(b, SIGTERM), 0);
    assert_int_equal(hh_start(b), 0);
    assert_int_equal(hh_wait_up(a, b, 20000), 0);
    assert_int_equal(send_n(a, b, LOST), 0);
    assert_int_equal(hh_wait_synced(a, b, 20000), 0);
    int64_t s, d, r;
    int up;
    assert_int_equal(hh_status(a, b->name, &s, &d, &r, &up), 0);
    assert_int_equal(d, FIRST + LOST); /* A holds B's receipts for all of them */

    assert_int_equal(hh_stop(b, SIGKILL), 0);
    char wal[700], shm[700];
    snprintf(wal, sizeof wal, "%s-wal", b->journal);
    snprintf(shm, sizeof shm, "%s-shm", b->journal);
    assert_int_equal(unlink(wal), 0);
    unlink(shm);

    /* What B restarts with, read from its file before it starts: once it
     * runs, A may heal it before any question reaches it. */
    uint64_t held = 0;
    assert_int_equal(hh_journal_received(&H, b, a->name, &held), 0);
    fprintf(stderr, "receiver restarts holding %llu of %d messages\n", (unsigned long long)held,
            FIRST + LOST);
    assert_true(held >= FIRST && held < FIRST + LOST);
    int64_t lost_first = (int64_t)held + 1;
    int64_t t0 = hh_now_ms();
    assert_int_equal(hh_start(b), 0);
    int64_t t_ready = hh_now_ms();
    /* Healed: B holds all again and A is up with it. */
    int64_t t_heal = -1;
    while (hh_now_ms() - t0 < 20000) {
        if (hh_status(b, a->name, &s, &d, &r, &up) == 0 && r == FIRST + LOST && up) {
            t_heal = hh_now_ms();
            break;
        }
        hh_sleep_ms(5);
    }
    assert_true(t_heal > 0);
    fprintf(stderr,
            "time to heal: %lld ms from the restart (%lld ms after the control socket answered)\n",
            (long long)(t_heal - t0), (long long)(t_heal - t_ready));
    assert_int_equal(hh_wait_synced(a, b, 20000), 0);

    /* Both centres raised the alarm, naming the lost range. */
    assert_true(hh_log_count(a, "ALARM: journal of WARSAW-CC lost messages") >= 1);
    assert_true(hh_log_count(b, "ALARM: journal of WARSAW-CC lost messages") >= 1);
    assert_true(hh_metric(a, "peer_lost_total") >= 1);
    assert_true(hh_metric(b, "self_lost_total") >= 1);
    assert_true(hh_metric(a, "msgs_healed_total") >= FIRST + LOST - lost_first + 1);
    char range[64];
    snprintf(range, sizeof range, "\"first_seq\":%lld,\"last_seq\":%d", (long long)lost_first,
             FIRST + LOST);
    assert_true(alert_count(a, "hotline_journal_lost_messages", range) >= 1);
    assert_true(alert_count(b, "hotline_journal_lost_messages", range) >= 1);
    /* No refusal loop: nothing was ever refused as a gap. */
    assert_int_equal(hh_log_count(b, "gap"), 0);
    assert_int_equal(hh_metric(b, "journal_rej_sequence_total"), 0);

    assert_int_equal(hh_stop(a, SIGTERM), 0);
    assert_int_equal(hh_stop(b, SIGTERM), 0);
    assert_int_equal(hh_verify(&H, a), 0);
    assert_int_equal(hh_verify(&H, b), 0);
    uint64_t ab, ba;
    assert_int_equal(hh_heads_match(&H, a, b, &ab, &ba), 0);
    assert_int_equal(ab, FIRST + LOST);
    PASSED = 1;
}

/* The rolled-back centre had also sent: its own messages lost, only the
 * peer holds them (signed by the rolled-back centre, which alone could
 * re-create them). Both centres raise the alarm, marked not healed. */
static void test_sender_rolled_back_alarm(void **state)
{
    (void)state;
    hh_teardown(&H, PASSED);
    PASSED = 0;
    const char *names[] = {"MOSCOW-CC", "WARSAW-CC"};
    assert_int_equal(hh_setup(&H, 2, names), 0);
    struct hnode *a = &H.n[0], *b = &H.n[1];
    assert_int_equal(hh_start(a), 0);
    assert_int_equal(hh_start(b), 0);
    assert_int_equal(hh_wait_up(a, b, 20000), 0);
    assert_int_equal(send_n(b, a, 10), 0);
    assert_int_equal(hh_wait_synced(a, b, 20000), 0);
    assert_int_equal(hh_stop(b, SIGKILL), 0);
    char wal[700];
    snprintf(wal, sizeof wal, "%s-wal", b->journal);
    assert_int_equal(unlink(wal), 0);
    assert_int_equal(hh_start(b), 0);
    assert_int_equal(hh_wait_up(a, b, 20000), 0);
    int64_t t0 = hh_now_ms();
    while (hh_log_count(a, "NOT healed") < 1 && hh_now_ms() - t0 < 10000)
        hh_sleep_ms(20);
    assert_true(hh_log_count(a, "ALARM: journal of WARSAW-CC lost messages WARSAW-CC->MOSCOW-CC "
                                "seq 1..10") >= 1);
    assert_true(hh_log_count(b, "ALARM: journal of WARSAW-CC lost messages WARSAW-CC->MOSCOW-CC "
                                "seq 1..10") >= 1);
    assert_true(hh_log_count(b, "NOT healed") >= 1);
    assert_true(alert_count(a, "\"lost_by\":\"WARSAW-CC\"", "none possible") >= 1);
    assert_true(hh_metric(a, "peer_lost_total") >= 1);
    assert_true(hh_metric(b, "self_lost_total") >= 1);
    assert_int_equal(hh_stop(a, SIGTERM), 0);
    assert_int_equal(hh_stop(b, SIGTERM), 0);
    /* each journal is consistent alone: only the peer shows the loss */
    assert_int_equal(hh_verify(&H, a), 0);
    assert_int_equal(hh_verify(&H, b), 0);
    PASSED = 1;
}

/* A centre whose journal is missing refuses to start and says why. */
static void test_missing_journal_refused(void **state)
{
    (void)state;
    hh_teardown(&H, PASSED);
    PASSED = 0;
    const char *names[] = {"MOSCOW-CC", "WARSAW-CC"};
    assert_int_equal(hh_setup(&H, 2, names), 0);
    struct hnode *a = &H.n[0];
    char out[512];
    /* --init again: refused, the journal exists */
    assert_int_not_equal(hh_cli(out, sizeof out, "hotline -c '%s' --init 2>/dev/null", a->ini), 0);
    assert_int_equal(unlink(a->journal), 0);
    assert_int_not_equal(hh_cli(out, sizeof out, "hotline -c '%s' 2>>'%s'", a->ini, a->log), 0);
    assert_int_equal(hh_log_count(a, "is missing or empty"), 1);
    assert_true(hh_log_count(a, "--init") >= 1);
    /* 0 bytes: the same */
    FILE *f = fopen(a->journal, "w");
    assert_non_null(f);
    fclose(f);
    assert_int_not_equal(hh_cli(out, sizeof out, "hotline -c '%s' 2>>'%s'", a->ini, a->log), 0);
    assert_int_equal(hh_log_count(a, "is missing or empty"), 2);
    PASSED = 1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_receiver_rolled_back),
                                       cmocka_unit_test(test_sender_rolled_back_alarm),
                                       cmocka_unit_test(test_missing_journal_refused)};
    return cmocka_run_group_tests(tests, NULL, teardown);
}
