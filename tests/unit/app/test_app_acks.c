/*
 * test_app_acks.c — operators' acknowledgements of alerts (app/acks.h) and
 * their place in the alert's JSON (web_json_alert_ack, docs/web.md): the
 * first acknowledgement stays (idempotent), hostile user names are
 * refused, ids gone from the alert list are forgotten (bounded), and an
 * acknowledged alert carries "ack":{"user":..,"t_ms":..}, others none.
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

static void test_prune(void **state)
{
    (void)state;
    struct app_acks k;
    app_acks_init(&k);
    static struct det_alert v[100];
    for (uint32_t i = 0; i < 100; i++) {
        alert(&v[i], i + 1);
        assert_int_equal(app_acks_set(&k, i + 1, "op", T0_MS + i), 1);
    }
    assert_int_equal(k.n, 100);
    app_acks_prune(&k, v, 100);
    assert_int_equal(k.n, 100);
    /* alert 5 freed, the list now the first 50: 49 stay (invariant 3) */
    v[4].state = DET_ST_FREE;
    app_acks_prune(&k, v, 50);
    assert_int_equal(k.n, 49);
    assert_null(app_acks_get(&k, 5));
    assert_null(app_acks_get(&k, 51));
    assert_non_null(app_acks_get(&k, 50));
    assert_int_equal(app_acks_get(&k, 50)->t_ms, T0_MS + 49);
    app_acks_prune(&k, v, 0);
    assert_int_equal(k.n, 0);
    /* an id seen again after it was forgotten is new */
    assert_int_equal(app_acks_set(&k, 5, "op2", T0_MS), 1);
    app_acks_free(&k);
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
        cmocka_unit_test(test_set_get),
        cmocka_unit_test(test_hostile_user),
        cmocka_unit_test(test_prune),
        cmocka_unit_test(test_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
