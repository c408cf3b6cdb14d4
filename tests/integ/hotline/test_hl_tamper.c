/*
 * test_hl_tamper.c — `cairn audit verify` names each tampering of a
 * journal and exits non-zero (journal.h J6, J9). Two real centres exchange
 * messages, a case (opened, then closed by the reply) and an operator
 * acknowledgement, and stop cleanly (shutdown checkpoints). Then, one
 * copy of a journal per test, edited with SQLite as an intruder with the
 * file but without the centre's key would: the tail of a direction deleted
 * with its receipts (with and without its checkpoints), receipt rows
 * deleted, a case reopened, an acknowledgement rewritten or deleted, a
 * stored_ms moved, with the ledger's triggers in place and dropped.
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
#include <sqlite3.h>

#include "hl_harness.h"

static struct harness H;
static char OUT[8192];

static int setup(void **state)
{
    (void)state;
    const char *names[] = {"MOSCOW-CC", "WARSAW-CC"};
    if (hh_setup(&H, 2, names) != 0)
        return -1;
    struct hnode *a = &H.n[0], *b = &H.n[1];
    if (hh_start(a) || hh_start(b) || hh_wait_up(a, b, 20000))
        return -1;
    /* 30 messages A->B, then a request that opens a case, acknowledged by
     * B's operator and answered (closing the case). */
    json_t *r = hh_call(a, "{\"op\":\"send\",\"to\":\"WARSAW-CC\",\"type\":\"FREE_TEXT\","
                           "\"count\":30,\"fields\":{\"body\":\"x\"}}");
    json_decref(r);
    if (hh_cli(OUT, sizeof OUT,
               "msg send -c %s --to WARSAW-CC --type EXPLANATION_REQUEST --field 'activity=drill'",
               a->ini) != 0 ||
        hh_wait_synced(a, b, 20000) != 0 ||
        hh_cli(OUT, sizeof OUT, "msg ack -c %s --peer MOSCOW-CC --seq 31 --operator duty",
               b->ini) != 0 ||
        hh_cli(OUT, sizeof OUT,
               "msg send -c %s --to MOSCOW-CC --type EXPLANATION --case MOSCOW-CC/31 "
               "--field 'answer=readiness check'",
               b->ini) != 0 ||
        hh_wait_synced(a, b, 20000) != 0)
        return -1;
    if (hh_stop(a, SIGTERM) || hh_stop(b, SIGTERM))
        return -1;
    return hh_verify(&H, a) || hh_verify(&H, b) ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    hh_teardown(&H, 1);
    return 0;
}

/* Copy n's journal, apply sql to the copy, audit it; returns the exit
 * status and leaves the audit's output in OUT. */
static int tamper(struct hnode *n, const char *name, const char *sql)
{
    char copy[700], cmd[2000];
    snprintf(copy, sizeof copy, "%s/tampered-%s.db", H.dir, name);
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", n->journal, copy);
    assert_int_equal(system(cmd), 0);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(copy, &db), SQLITE_OK);
    char *err = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &err);
    if (rc != SQLITE_OK)
        fprintf(stderr, "%s: %s\n", name, err);
    sqlite3_free(err);
    assert_int_equal(rc, SQLITE_OK);
    sqlite3_close(db);
    int st = hh_cli(OUT, sizeof OUT, "audit verify --roster '%s' '%s'", H.roster, copy);
    fprintf(stderr, "%-28s exit %d: %s", name, st, OUT);
    return st;
}

static void test_untouched_copy_passes(void **state)
{
    (void)state;
    assert_int_equal(tamper(&H.n[0], "none", "SELECT 1"), 0);
    assert_non_null(strstr(OUT, "ok"));
    assert_int_equal(tamper(&H.n[1], "none-b", "SELECT 1"), 0);
}

static void test_tail_and_receipts_deleted(void **state)
{
    (void)state;
    assert_int_equal(tamper(&H.n[0], "tail",
                            "DELETE FROM messages WHERE dir=0 AND seq>25;"
                            "DELETE FROM receipts WHERE dir=0 AND seq>25;"),
                     1);
    /* the newest countersigned checkpoint is past the head */
    assert_non_null(strstr(OUT, "checkpoint beyond the journal's head"));
    assert_non_null(strstr(OUT, "to WARSAW-CC"));
}

static void test_tail_receipts_checkpoints_deleted(void **state)
{
    (void)state;
    assert_int_equal(tamper(&H.n[0], "tail+checkpoints",
                            "DELETE FROM messages WHERE dir=0 AND seq>25;"
                            "DELETE FROM receipts WHERE dir=0 AND seq>25;"
                            "DELETE FROM checkpoints WHERE dir=0 AND count>25;"),
                     1);
    assert_non_null(strstr(OUT, "table messages, to WARSAW-CC, seq 26"));
    assert_non_null(strstr(OUT, "deleted"));
}

static void test_tail_deleted_on_receiver(void **state)
{
    (void)state;
    assert_int_equal(tamper(&H.n[1], "receiver-tail",
                            "DELETE FROM messages WHERE dir=1 AND seq>20;"
                            "DELETE FROM receipts WHERE dir=1 AND seq>20;"
                            "DELETE FROM checkpoints WHERE dir=1 AND count>20;"
                            "DELETE FROM acks; DELETE FROM cases;"),
                     1);
    assert_non_null(strstr(OUT, "from MOSCOW-CC, seq 21"));
    assert_non_null(strstr(OUT, "deleted"));
}

static void test_receipt_rows_deleted(void **state)
{
    (void)state;
    assert_int_equal(tamper(&H.n[0], "receipts", "DELETE FROM receipts WHERE dir=0;"), 1);
    assert_non_null(strstr(OUT, "table receipts, to WARSAW-CC"));
    assert_non_null(strstr(OUT, "deleted"));
}

static void test_case_reopened(void **state)
{
    (void)state;
    /* with the triggers in place: the edit leaves an unsealed record */
    assert_int_equal(tamper(&H.n[0], "case",
                            "UPDATE cases SET state=0, closed_seq=0, closed_ms=0, closed_dir=0;"),
                     1);
    assert_non_null(strstr(OUT, "MOSCOW-CC/31"));
    assert_non_null(strstr(OUT, "written after the seal"));
    /* with the triggers dropped first: the row differs from its sealed record */
    assert_int_equal(tamper(&H.n[0], "case-notrigger",
                            "DROP TRIGGER lg_cases_u;"
                            "UPDATE cases SET state=0, closed_seq=0, closed_ms=0, closed_dir=0;"),
                     1);
    assert_non_null(strstr(OUT, "table cases"));
    assert_non_null(strstr(OUT, "MOSCOW-CC/31 edited after it was sealed"));
}

static void test_ack_rewritten_or_deleted(void **state)
{
    (void)state;
    assert_int_equal(tamper(&H.n[1], "ack-operator",
                            "DROP TRIGGER lg_acks_u; UPDATE acks SET operator='nobody';"),
                     1);
    assert_non_null(strstr(OUT, "table acks, from MOSCOW-CC, seq 31"));
    assert_non_null(strstr(OUT, "edited after it was sealed"));
    assert_int_equal(tamper(&H.n[0], "ack-deleted", "DELETE FROM acks;"), 1);
    assert_non_null(strstr(OUT, "table acks, to WARSAW-CC, seq 31"));
    assert_non_null(strstr(OUT, "deleted"));
}

static void test_stored_ms_moved(void **state)
{
    (void)state;
    assert_int_equal(
        tamper(&H.n[1], "stored_ms",
               "DROP TRIGGER lg_messages_u;"
               "UPDATE messages SET stored_ms=stored_ms-3600000 WHERE dir=1 AND seq=5;"),
        1);
    assert_non_null(strstr(OUT, "table messages, from MOSCOW-CC, seq 5"));
    assert_non_null(strstr(OUT, "edited after it was sealed"));
}

static void test_seal_or_ledger_tail_deleted(void **state)
{
    (void)state;
    assert_int_equal(
        tamper(&H.n[0], "ledger-tail", "DELETE FROM ledger WHERE n>(SELECT max(n)-3 FROM ledger);"),
        1);
    assert_non_null(strstr(OUT, "tail was deleted"));
    assert_int_equal(tamper(&H.n[0], "seal", "DELETE FROM meta WHERE key='seal';"), 1);
    assert_non_null(strstr(OUT, "no seal"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_untouched_copy_passes),
        cmocka_unit_test(test_tail_and_receipts_deleted),
        cmocka_unit_test(test_tail_receipts_checkpoints_deleted),
        cmocka_unit_test(test_tail_deleted_on_receiver),
        cmocka_unit_test(test_receipt_rows_deleted),
        cmocka_unit_test(test_case_reopened),
        cmocka_unit_test(test_ack_rewritten_or_deleted),
        cmocka_unit_test(test_stored_ms_moved),
        cmocka_unit_test(test_seal_or_ledger_tail_deleted),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
