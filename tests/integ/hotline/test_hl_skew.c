/*
 * test_hl_skew.c — one centre's clock 3 hours ahead; cases, deadlines and
 * the operators' commands (`cairn msg`, `cairn case`, en and ru).
 *
 * WARSAW-CC runs with clock_skew_ms = +3 h. Checked: messages arrive and
 * are listed in sequence order whatever their stated times; both centres
 * agree on a case's due time to within the skew (exactly, for a request
 * from the centre with the right clock: the receiver takes the earlier of
 * sent and received time); a reply closes the case on both sides; a
 * LINK_CHECK with a 2 s reply deadline and no reply escalates on the
 * sender (log line, metric, alert record); rendering in both languages.
 *
 * Time: the daemons are real processes, so the test cannot hand them a fake
 * clock object. Instead the tests' binary (hl_cli_main.c, not the cairn
 * binary) gives the daemon the control request clock_advance, an extra op
 * (hotline/daemon.h): it moves that daemon's UTC
 * clock (the journal's time: case due times, overdue checks, LINK_CHECK
 * schedule) forward and runs at once what became due. So a 2 s reply
 * deadline passes with one request instead of a 2.6 s sleep, and the test
 * does not depend on how the machine's load delays the daemons' timers.
 * The link's own heartbeats and timeouts keep the real monotonic clock
 * (they are tested on a fake clock in test_hl_link).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hl_harness.h"

#define SKEW_MS (3 * 3600 * 1000LL) /* "skewed by hours" */

static struct harness H;
static int PASSED;
static char OUT[1 << 16];

static int teardown(void **state)
{
    (void)state;
    hh_teardown(&H, PASSED);
    return 0;
}

/* due_ms of case id at node n, state into st; -1 if absent. */
static int64_t case_due(struct hnode *n, const char *id, char *st, size_t cap)
{
    json_t *r = hh_call(n, "{\"op\":\"cases\"}");
    int64_t due = -1;
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(r, "cases"), i, c)
    {
        if (strcmp(json_string_value(json_object_get(c, "case")), id) != 0)
            continue;
        due = json_integer_value(json_object_get(c, "due_ms"));
        snprintf(st, cap, "%s", json_string_value(json_object_get(c, "state")));
    }
    json_decref(r);
    return due;
}

static void test_skew_and_cases(void **state)
{
    (void)state;
    const char *names[] = {"MOSCOW-CC", "WARSAW-CC"};
    assert_int_equal(hh_setup(&H, 2, names), 0);
    struct hnode *a = &H.n[0], *b = &H.n[1];
    snprintf(a->extra_ini, sizeof a->extra_ini, "link_check_deadline_s = 2\n");
    snprintf(b->extra_ini, sizeof b->extra_ini, "link_check_deadline_s = 2\nclock_skew_ms = %lld\n",
             SKEW_MS);
    assert_int_equal(hh_write_ini(&H, a), 0);
    assert_int_equal(hh_write_ini(&H, b), 0);
    assert_int_equal(hh_start(a), 0);
    assert_int_equal(hh_start(b), 0);
    assert_int_equal(hh_wait_up(a, b, 20000), 0);

    /* A asks B for an explanation (48 h case), B asks A too. */
    assert_int_equal(hh_cli(OUT, sizeof OUT,
                            "msg send -c %s --to WARSAW-CC --type EXPLANATION_REQUEST "
                            "--field 'activity=snap exercise near the border'",
                            a->ini),
                     0);
    fprintf(stderr, "A: %s", OUT);
    assert_non_null(strstr(OUT, "case MOSCOW-CC/1"));
    assert_int_equal(hh_cli(OUT, sizeof OUT,
                            "msg send --socket %s --to MOSCOW-CC --type EXPLANATION_REQUEST "
                            "--field 'activity=bomber flights over the sea'",
                            b->sock),
                     0);
    assert_non_null(strstr(OUT, "case WARSAW-CC/1"));
    /* A LINK_CHECK nobody answers: due in 2 s. */
    assert_int_equal(
        hh_cli(OUT, sizeof OUT, "msg send -c %s --to WARSAW-CC --type LINK_CHECK", a->ini), 0);
    /* An unknown type and a missing required field are refused by the CLI. */
    assert_int_not_equal(
        hh_cli(OUT, sizeof OUT, "msg send -c %s --to WARSAW-CC --type NOPE 2>&1", a->ini), 0);
    assert_int_not_equal(hh_cli(OUT, sizeof OUT,
                                "msg send -c %s --to WARSAW-CC --type EXPLANATION_REQUEST 2>&1",
                                a->ini),
                         0);
    assert_int_equal(hh_wait_synced(a, b, 20000), 0);

    /* Due times agree to within the skew. */
    char st_a[32], st_b[32];
    int64_t da = case_due(a, "MOSCOW-CC/1", st_a, sizeof st_a);
    int64_t db = case_due(b, "MOSCOW-CC/1", st_b, sizeof st_b);
    fprintf(stderr, "MOSCOW-CC/1 due: A %lld, B %lld (diff %lld ms)\n", (long long)da,
            (long long)db, (long long)(db - da));
    assert_true(da > 0 && db > 0);
    assert_true(llabs(db - da) <= 1000); /* the request came from the right clock */
    da = case_due(a, "WARSAW-CC/1", st_a, sizeof st_a);
    db = case_due(b, "WARSAW-CC/1", st_b, sizeof st_b);
    fprintf(stderr, "WARSAW-CC/1 due: A %lld, B %lld (diff %lld ms, skew %lld)\n", (long long)da,
            (long long)db, (long long)(db - da), SKEW_MS);
    assert_true(da > 0 && db > 0);
    assert_true(llabs(db - da) <= SKEW_MS + 5000);
    assert_string_equal(st_a, "open");

    /* The LINK_CHECK goes overdue at A: log line, metric, alert record.
     * 2.6 s pass on A's clock (the deadline is 2 s), not on the wall. */
    assert_int_equal(hh_clock_advance(a, 2600), 0);
    assert_int_equal(hh_cli(OUT, sizeof OUT, "case list -c %s --lang ru", a->ini), 0);
    fprintf(stderr, "A's cases (ru):\n%s", OUT);
    assert_non_null(strstr(OUT, "ПРОСРОЧЕНО"));
    assert_true(hh_metric(a, "cases_overdue_total") >= 1);
    char alerts[700];
    snprintf(alerts, sizeof alerts, "%s.alerts", a->journal);
    FILE *f = fopen(alerts, "r");
    assert_non_null(f);
    char line[1024] = "";
    assert_non_null(fgets(line, sizeof line, f));
    fclose(f);
    assert_non_null(strstr(line, "hotline_case_overdue"));

    /* B explains: the case closes on both sides, ordered by seq. */
    assert_int_equal(hh_cli(OUT, sizeof OUT,
                            "msg send -c %s --to MOSCOW-CC --type EXPLANATION --case MOSCOW-CC/1 "
                            "--field 'answer=a readiness check, announced in the notice'",
                            b->ini),
                     0);
    assert_int_equal(hh_wait_synced(a, b, 20000), 0);
    case_due(a, "MOSCOW-CC/1", st_a, sizeof st_a);
    case_due(b, "MOSCOW-CC/1", st_b, sizeof st_b);
    assert_string_equal(st_a, "closed");
    assert_string_equal(st_b, "closed");

    /* B's operator reads the messages: both languages render. */
    assert_int_equal(hh_cli(OUT, sizeof OUT, "msg list -c %s --in --lang ru", b->ini), 0);
    fprintf(stderr, "B's inbox (ru):\n%s", OUT);
    assert_non_null(strstr(OUT, "Запрос объяснения"));
    char *p1 = strstr(OUT, "#1 "), *p2 = strstr(OUT, "#2 ");
    assert_true(p1 && p2 && p1 < p2); /* sequence order */
    assert_int_equal(
        hh_cli(OUT, sizeof OUT, "msg show -c %s --peer MOSCOW-CC --in --seq 1 --lang en", b->ini),
        0);
    assert_non_null(strstr(OUT, "snap exercise near the border"));
    assert_int_equal(
        hh_cli(OUT, sizeof OUT, "msg ack -c %s --peer MOSCOW-CC --seq 1 --operator duty", b->ini),
        0);
    assert_int_equal(hh_wait_synced(a, b, 20000), 0);
    assert_int_equal(
        hh_cli(OUT, sizeof OUT, "msg list -c %s --out --type EXPLANATION_REQUEST", a->ini), 0);
    assert_non_null(strstr(OUT, "read")); /* the operator acknowledgement came back */
    assert_int_equal(hh_cli(OUT, sizeof OUT, "msg status -c %s", a->ini), 0);
    assert_non_null(strstr(OUT, "WARSAW-CC"));

    assert_int_equal(hh_stop(a, SIGTERM), 0);
    assert_int_equal(hh_stop(b, SIGTERM), 0);
    assert_int_equal(hh_verify(&H, a), 0);
    assert_int_equal(hh_verify(&H, b), 0);
    PASSED = 1;
}

/* link_check_interval_s: the daemon sends LINK_CHECKs by itself; unanswered
 * ones go overdue after link_check_deadline_s. */
static void test_periodic_link_check(void **state)
{
    (void)state;
    hh_teardown(&H, PASSED);
    PASSED = 0;
    const char *names[] = {"MOSCOW-CC", "WARSAW-CC"};
    assert_int_equal(hh_setup(&H, 2, names), 0);
    struct hnode *a = &H.n[0], *b = &H.n[1];
    snprintf(a->extra_ini, sizeof a->extra_ini,
             "link_check_interval_s = 1\nlink_check_deadline_s = 1\n");
    assert_int_equal(hh_write_ini(&H, a), 0);
    assert_int_equal(hh_start(a), 0);
    assert_int_equal(hh_start(b), 0);
    assert_int_equal(hh_wait_up(a, b, 20000), 0);
    /* 3.5 s pass on A's clock: a LINK_CHECK is due at each whole second. */
    for (int i = 0; i < 3; i++)
        assert_int_equal(hh_clock_advance(a, 1000), 0);
    assert_int_equal(hh_clock_advance(a, 500), 0);
    int64_t s, d, r = 0;
    int up;
    /* Delivery is real time on loopback: wait for it, bounded. */
    for (int64_t t0 = hh_now_ms(); hh_now_ms() - t0 < 20000; hh_sleep_ms(50)) {
        assert_int_equal(hh_status(b, a->name, &s, &d, &r, &up), 0);
        if (r >= 3)
            break;
    }
    fprintf(stderr, "%s received %lld LINK_CHECKs in 3.5 s of %s's clock\n", b->name, (long long)r,
            a->name);
    assert_true(r >= 2);
    assert_true(hh_metric(a, "cases_overdue_total") >= 1);
    assert_int_equal(hh_stop(a, SIGTERM), 0);
    assert_int_equal(hh_stop(b, SIGTERM), 0);
    assert_int_equal(hh_verify(&H, a), 0);
    PASSED = 1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_skew_and_cases),
                                       cmocka_unit_test(test_periodic_link_check)};
    return cmocka_run_group_tests(tests, NULL, teardown);
}
