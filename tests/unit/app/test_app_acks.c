/*
 * test_app_acks.c — operators' acknowledgements of alerts (app/acks.h) and
 * their place in the alert's JSON (web_json_alert_ack, docs/web.md): the
 * first acknowledgement stays (idempotent), hostile user names are
 * refused, ids gone from the alert list leave the live entries (bounded)
 * for the ring of ended alerts, where they stay acknowledgeable for
 * APP_ACKS_ENDED_MS (the operator who acknowledges an alert that cleared
 * since the list was read), and an acknowledged alert carries
 * "ack":{"user":..,"t_ms":..}, others none. Times are given, not read: the
 * clock is the test's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <string.h>

#include "app/acks.h"
#include "base/dbuf.h"
#include "base/error.h"
#include "base/jsonw.h"
#include "detect/detect.h"
#include "web/web.h"

#define T0_MS INT64_C(1459468800000) /* 2016-04-01 00:00:00 UTC */

static void alert(struct det_alert *a, uint32_t id)
{
    memset(a, 0, sizeof *a);
    a->id = id;
    a->rule = DET_RULE_EMERGENCY;
    a->severity = DET_SEV_ALERT;
    a->state = DET_ST_OPEN;
    a->t_open_ms = T0_MS;
    strcpy(a->text, "test alert");
}

static void test_set_get(void **state)
{
    (void)state;
    struct app_acks k;
    app_acks_init(&k);
    assert_null(app_acks_get(&k, 7));
    assert_int_equal(app_acks_set(&k, 7, "alice", T0_MS), 1);
    const struct web_ack *a = app_acks_get(&k, 7);
    assert_non_null(a);
    assert_string_equal(a->user, "alice");
    assert_int_equal(a->t_ms, T0_MS);
    /* idempotent: the first operator and time stay (invariant 2) */
    assert_int_equal(app_acks_set(&k, 7, "bob", T0_MS + 1000), 0);
    a = app_acks_get(&k, 7);
    assert_string_equal(a->user, "alice");
    assert_int_equal(a->t_ms, T0_MS);
    assert_int_equal(k.n, 1);
    /* no user: "api" */
    assert_int_equal(app_acks_set(&k, 8, NULL, T0_MS), 1);
    assert_string_equal(app_acks_get(&k, 8)->user, "api");
    app_acks_free(&k);
}

static void test_hostile_user(void **state)
{
    (void)state;
    struct app_acks k;
    app_acks_init(&k);
    assert_int_equal(app_acks_set(&k, 1, "a\"b", T0_MS), CAIRN_E_INVAL);
    assert_int_equal(app_acks_set(&k, 1, "a\nb", T0_MS), CAIRN_E_INVAL);
    assert_int_equal(app_acks_set(&k, 1, "0123456789012345678901234567890123", T0_MS),
                     CAIRN_E_INVAL);
    assert_int_equal(app_acks_set(&k, 1, "01234567890123456789012345678901", T0_MS), 1);
    assert_int_equal(strlen(app_acks_get(&k, 1)->user), 32);
    assert_int_equal(k.n, 1);
    app_acks_free(&k);
}

static struct app_acks ka; /* the ring of ended alerts makes it large */

static void test_sync(void **state)
{
    (void)state;
    app_acks_init(&ka);
    static struct det_alert v[100];
    for (uint32_t i = 0; i < 100; i++) {
        alert(&v[i], i + 1);
        assert_int_equal(app_acks_set(&ka, i + 1, "op", T0_MS + i), 1);
    }
    assert_int_equal(ka.n, 100);
    assert_int_equal(app_acks_sync(&ka, v, 100, T0_MS), 0);
    assert_int_equal(ka.n, 100);
    assert_int_equal(ka.n_ended, 0);
    /* alert 5 freed, the list now the first 50: 49 stay live (invariant 3),
     * the 51 others ended with their acknowledgements */
    v[4].state = DET_ST_FREE;
    assert_int_equal(app_acks_sync(&ka, v, 50, T0_MS + 1000), 0);
    assert_int_equal(ka.n, 49);
    assert_int_equal(ka.n_ended, 51);
    assert_null(app_acks_ended(&ka, 50, T0_MS + 1000));
    assert_non_null(app_acks_get(&ka, 50));
    assert_int_equal(app_acks_get(&ka, 50)->t_ms, T0_MS + 49);
    const struct det_alert *e = app_acks_ended(&ka, 5, T0_MS + 1000);
    assert_non_null(e);
    assert_int_equal(e->state, DET_ST_CLEARED);
    assert_int_equal(app_acks_get(&ka, 5)->t_ms, T0_MS + 4);
    assert_non_null(app_acks_ended(&ka, 51, T0_MS + 1000));
    assert_int_equal(app_acks_sync(&ka, v, 0, T0_MS + 2000), 0);
    assert_int_equal(ka.n, 0);
    assert_int_equal(ka.n_ended, 100);
    /* acknowledgeable for APP_ACKS_ENDED_MS after it ended, not a ms more */
    assert_non_null(app_acks_ended(&ka, 5, T0_MS + 1000 + APP_ACKS_ENDED_MS));
    assert_null(app_acks_ended(&ka, 5, T0_MS + 1000 + APP_ACKS_ENDED_MS + 1));
    /* past the window every ended id is forgotten: seen again, it is new */
    assert_int_equal(app_acks_sync(&ka, v, 0, T0_MS + 2000 + APP_ACKS_ENDED_MS + 1), 0);
    assert_int_equal(ka.n_ended, 0);
    assert_null(app_acks_get(&ka, 5));
    assert_null(app_acks_ended(&ka, 5, T0_MS + 2000 + APP_ACKS_ENDED_MS + 1));
    assert_int_equal(app_acks_set(&ka, 5, "op2", T0_MS), 1);
    app_acks_free(&ka);
}

/* The race of the issue: the operator reads the list (alert 7 open), the
 * alert clears and leaves the list, the acknowledgement arrives: the alert
 * is found as it was, CLEARED, and acknowledged; an id never listed is
 * not (404). */
static void test_ended_race(void **state)
{
    (void)state;
    app_acks_init(&ka);
    struct det_alert v[2];
    alert(&v[0], 7);
    alert(&v[1], 8);
    assert_int_equal(app_acks_sync(&ka, v, 2, T0_MS), 0);            /* the operator's GET */
    assert_null(app_acks_ended(&ka, 7, T0_MS));                      /* listed, not ended */
    assert_int_equal(app_acks_sync(&ka, v + 1, 1, T0_MS + 1500), 0); /* the POST's listing */
    const struct det_alert *e = app_acks_ended(&ka, 7, T0_MS + 1500);
    assert_non_null(e);
    assert_int_equal(e->id, 7);
    assert_int_equal(e->state, DET_ST_CLEARED);
    assert_string_equal(e->text, "test alert");
    assert_null(app_acks_get(&ka, 7));
    assert_int_equal(app_acks_set(&ka, 7, "duty", T0_MS + 1500), 1);
    assert_string_equal(app_acks_get(&ka, 7)->user, "duty");
    assert_int_equal(ka.n, 0); /* in the ring, not among the live */
    /* idempotent there too (invariant 2) */
    assert_int_equal(app_acks_set(&ka, 7, "bob", T0_MS + 1600), 0);
    assert_string_equal(app_acks_get(&ka, 7)->user, "duty");
    assert_int_equal(app_acks_get(&ka, 7)->t_ms, T0_MS + 1500);
    /* still there after more listings without it */
    assert_int_equal(app_acks_sync(&ka, v + 1, 1, T0_MS + 60000), 0);
    assert_string_equal(app_acks_get(&ka, 7)->user, "duty");
    assert_int_equal(ka.n_ended, 1);
    /* an id never listed is not acknowledgeable */
    assert_null(app_acks_ended(&ka, 99, T0_MS + 1500));
    /* listed again: out of the ring (invariant 3) */
    assert_int_equal(app_acks_sync(&ka, v, 2, T0_MS + 61000), 0);
    assert_null(app_acks_ended(&ka, 7, T0_MS + 61000));
    assert_int_equal(ka.n_ended, 0);
    app_acks_free(&ka);
}

/* A burst of alerts ending at once: the ring keeps the last
 * APP_ACKS_ENDED_N, the oldest go (invariant 4). */
static void test_ended_bounded(void **state)
{
    (void)state;
    app_acks_init(&ka);
    enum { N = APP_ACKS_ENDED_N + 44 };
    static struct det_alert v[N];
    for (uint32_t i = 0; i < N; i++)
        alert(&v[i], i + 1);
    assert_int_equal(app_acks_sync(&ka, v, N, T0_MS), 0);
    assert_int_equal(app_acks_sync(&ka, v, 0, T0_MS + 1000), 0);
    assert_int_equal(ka.n_ended, APP_ACKS_ENDED_N);
    assert_null(app_acks_ended(&ka, 44, T0_MS + 1000));
    assert_non_null(app_acks_ended(&ka, 45, T0_MS + 1000));
    assert_non_null(app_acks_ended(&ka, N, T0_MS + 1000));
    app_acks_free(&ka);
}

static json_t *write_alert(const struct det_alert *a, const struct web_ack *ack)
{
    struct dbuf d;
    dbuf_init(&d, 65536);
    struct jsonw w;
    jw_init(&w, &d);
    web_json_alert_ack(&w, a, ack);
    assert_int_equal(w.err, 0);
    json_t *j = json_loadb(d.p, d.len, 0, NULL);
    dbuf_free(&d);
    assert_non_null(j);
    return j;
}

static void test_json(void **state)
{
    (void)state;
    struct det_alert a;
    alert(&a, 42);
    json_t *j = write_alert(&a, NULL);
    assert_null(json_object_get(j, "ack"));
    assert_int_equal(json_integer_value(json_object_get(j, "id")), 42);
    json_decref(j);
    struct web_ack none = {0};
    j = write_alert(&a, &none);
    assert_null(json_object_get(j, "ack"));
    json_decref(j);
    struct web_ack k = {.user = "alice", .t_ms = T0_MS};
    j = write_alert(&a, &k);
    json_t *o = json_object_get(j, "ack");
    assert_true(json_is_object(o));
    assert_string_equal(json_string_value(json_object_get(o, "user")), "alice");
    assert_int_equal(json_integer_value(json_object_get(o, "t_ms")), T0_MS);
    assert_int_equal(json_integer_value(json_object_get(j, "id")), 42);
    json_decref(j);
    /* an ended alert as the acknowledgement answers it: CLEARED, with its ack */
    a.state = DET_ST_CLEARED;
    j = write_alert(&a, &k);
    assert_string_equal(json_string_value(json_object_get(j, "state")), "CLEARED");
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "ack"), "user")),
                        "alice");
    json_decref(j);
    a.state = DET_ST_OPEN;
    /* web_json_alert is the same without one */
    struct dbuf d;
    dbuf_init(&d, 65536);
    struct jsonw w;
    jw_init(&w, &d);
    web_json_alert(&w, &a);
    assert_int_equal(dbuf_addc(&d, 0), 0);
    assert_null(strstr(d.p, "\"ack\""));
    dbuf_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_get),       cmocka_unit_test(test_hostile_user),
        cmocka_unit_test(test_sync),          cmocka_unit_test(test_ended_race),
        cmocka_unit_test(test_ended_bounded), cmocka_unit_test(test_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
