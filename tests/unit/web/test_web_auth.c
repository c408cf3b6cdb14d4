/*
 * test_web_auth.c — the pure parts of src/web on a fake clock: sessions
 * (create, use, idle and absolute expiry, logout, a full table, S1-S5),
 * the login rate limit, the request parsers (routes and path traversal,
 * query strings, cookies, bearer tokens, login bodies, CIDR lists, content
 * types), the accounts file, web_passwd_line against libsodium, and the
 * Prometheus helpers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sodium.h>
#include <cmocka.h>

#include "base/clock.h"
#include "base/dbuf.h"
#include "base/error.h"
#include "web/accounts.h"
#include "web/auth.h"
#include "web/parse.h"
#include "web/web.h"

static void test_sessions(void **state)
{
    (void)state;
    struct cairn_clock c;
    clock_fake_init(&c, 5000);
    struct web_sessions s;
    assert_int_equal(web_sess_init(&s, 3, 1000, 5000, &c), 0);
    char t1[65], t2[65], t3[65], t4[65];
    assert_int_equal(web_sess_create(&s, "duty", t1), 0);
    assert_int_equal(web_sess_create(&s, "bad name", t2), CAIRN_E_INVAL);
    assert_int_equal(web_sess_create(&s, "duty", t2), 0);
    assert_int_equal(web_sess_create(&s, "other", t3), 0);
    assert_string_not_equal(t1, t2);
    assert_int_equal(web_sess_create(&s, "x", t4), CAIRN_E_FULL);
    assert_int_equal(web_sess_verify(&s), 0);
    const struct web_sess *e = web_sess_check(&s, t1, 64);
    assert_non_null(e);
    assert_string_equal(e->user, "duty");
    assert_null(web_sess_check(&s, t1, 63));
    char wrong[65];
    memcpy(wrong, t1, 65);
    wrong[10] = wrong[10] == 'a' ? 'b' : 'a';
    assert_null(web_sess_check(&s, wrong, 64));
    /* idle: t1 used at 5900, others not */
    clock_advance(&c, 900);
    assert_non_null(web_sess_check(&s, t1, 64));
    clock_advance(&c, 100); /* 6000: t2, t3 idle for 1000 ms */
    assert_null(web_sess_peek(&s, t2, 64));
    assert_int_equal(s.expired, 1);
    assert_int_equal(web_sess_purge(&s), 1); /* t3 */
    assert_int_equal(s.live, 1);
    /* t1 used every 800 ms reaches its absolute limit at 10000 */
    for (int i = 0; i < 4; i++) {
        clock_advance(&c, 800);
        assert_non_null(web_sess_check(&s, t1, 64));
    }
    assert_int_equal(web_sess_remaining_ms(&s, web_sess_peek(&s, t1, 64)), 800); /* at 9200 */
    clock_advance(&c, 799);
    assert_non_null(web_sess_check(&s, t1, 64));
    clock_advance(&c, 1);
    assert_null(web_sess_check(&s, t1, 64));
    assert_int_equal(s.live, 0);
    assert_int_equal(web_sess_verify(&s), 0);
    /* logout and removal of a user */
    assert_int_equal(web_sess_create(&s, "duty", t1), 0);
    assert_int_equal(web_sess_create(&s, "duty", t2), 0);
    assert_int_equal(web_sess_create(&s, "other", t3), 0);
    assert_int_equal(web_sess_end(&s, t3, 64), 0);
    assert_int_equal(web_sess_end(&s, t3, 64), CAIRN_E_NOTFOUND);
    assert_int_equal(web_sess_end_user(&s, "duty"), 2);
    assert_int_equal(s.live, 0);
    assert_int_equal(web_sess_verify(&s), 0);
    /* S2 broken on purpose is seen */
    assert_int_equal(web_sess_create(&s, "duty", t1), 0);
    assert_int_equal(web_sess_create(&s, "duty", t2), 0);
    memcpy(s.v[1].token, s.v[0].token, 65);
    assert_int_equal(web_sess_verify(&s), CAIRN_E_STATE);
    web_sess_fini(&s);
}

static void test_limiter(void **state)
{
    (void)state;
    struct web_limiter l;
    assert_int_equal(web_limit_init(&l, 2, 3, 10000, 60000), 0);
    assert_int_equal(web_limit_check(&l, "a:1", 0), 0);
    assert_int_equal(web_limit_fail(&l, "a:1", 0), 0);
    assert_int_equal(web_limit_fail(&l, "a:1", 1000), 0);
    /* the window passes: counting starts again */
    assert_int_equal(web_limit_fail(&l, "a:1", 20000), 0);
    assert_int_equal(web_limit_fail(&l, "a:1", 21000), 0);
    assert_int_equal(web_limit_fail(&l, "a:1", 22000), 60000);
    assert_int_equal(web_limit_check(&l, "a:1", 32000), 50000);
    assert_int_equal(web_limit_check(&l, "a:2", 32000), 0);
    /* a full table forgets the oldest unblocked key, not the blocked one */
    web_limit_fail(&l, "a:2", 33000);
    web_limit_fail(&l, "a:3", 34000);
    assert_int_equal(web_limit_check(&l, "a:1", 35000), 47000);
    assert_int_equal(web_limit_check(&l, "a:2", 35000), 0);
    /* the block ends */
    assert_int_equal(web_limit_check(&l, "a:1", 82000), 0);
    assert_int_equal(web_limit_fail(&l, "a:1", 82000), 0);
    web_limit_ok(&l, "a:1");
    assert_int_equal(web_limit_fail(&l, "a:1", 83000), 0);
    web_limit_fini(&l);
}

static void test_routes(void **state)
{
    (void)state;
    static struct web_route r;
    static const struct {
        const char *path;
        int rc;
        enum web_route_id id;
        const char *arg_or_file;
    } cases[] = {
        {"/api/login", 0, WEB_R_LOGIN, ""},
        {"/api/tracks", 0, WEB_R_TRACKS, ""},
        {"/api/tracks/", 0, WEB_R_NONE, ""},
        {"/api/tracks/42", 0, WEB_R_TRACK, "42"},
        {"/api/tracks/42/radio", 0, WEB_R_TRACK_RADIO, "42"},
        {"/api/messages/drafts", 0, WEB_R_DRAFTS, ""},
        {"/api/messages/MOSCOW-CC%3A7/ack", 0, WEB_R_MESSAGE_ACK, "MOSCOW-CC:7"},
        {"/api/messages/a%20b/ack", CAIRN_E_FORMAT, WEB_R_NONE, ""},
        {"/api/alerts/9/draft", 0, WEB_R_ALERT_DRAFT, "9"},
        {"/api/messages/drafts/3", 0, WEB_R_DRAFT, "3"},
        {"/api/messages/drafts/3/delete", 0, WEB_R_DRAFT_DELETE, "3"},
        {"/api/messages/drafts/3/send", 0, WEB_R_NONE, ""},
        {"/api/zones", 0, WEB_R_ZONES, ""},
        {"/api/compliance", 0, WEB_R_COMPLIANCE, ""},
        {"/api/events", 0, WEB_R_EVENTS, ""},
        {"/api/unknown", 0, WEB_R_NONE, ""},
        {"/data/aircraft.json", 0, WEB_R_AIRCRAFT, ""},
        {"/metrics", 0, WEB_R_METRICS, ""},
        {"/healthz", 0, WEB_R_HEALTHZ, ""},
        {"/", 0, WEB_R_STATIC, "index.html"},
        {"/assets/", 0, WEB_R_STATIC, "assets/index.html"},
        {"/assets/x%20y.js", 0, WEB_R_STATIC, "assets/x y.js"},
        {"/..", CAIRN_E_FORMAT, WEB_R_NONE, ""},
        {"/a/../b", CAIRN_E_FORMAT, WEB_R_NONE, ""},
        {"/a/%2e%2e/b", CAIRN_E_FORMAT, WEB_R_NONE, ""},
        {"/a%2f..%2fb", CAIRN_E_FORMAT, WEB_R_NONE, ""},
        {"/a%5c..%5cb", CAIRN_E_FORMAT, WEB_R_NONE, ""},
        {"/.env", CAIRN_E_FORMAT, WEB_R_NONE, ""},
        {"/a//b", CAIRN_E_FORMAT, WEB_R_NONE, ""},
        {"/a%00", CAIRN_E_FORMAT, WEB_R_NONE, ""},
        {"/a%0a", CAIRN_E_FORMAT, WEB_R_NONE, ""},
        {"/a%g0", CAIRN_E_FORMAT, WEB_R_NONE, ""},
        {"/a%4", CAIRN_E_FORMAT, WEB_R_NONE, ""},
        {"api", CAIRN_E_FORMAT, WEB_R_NONE, ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = web_route_parse(cases[i].path, strlen(cases[i].path), &r);
        if (rc != cases[i].rc || (rc == 0 && r.id != cases[i].id))
            fail_msg("%s: rc %d id %d", cases[i].path, rc, (int)r.id);
        if (rc == 0)
            assert_string_equal(r.id == WEB_R_STATIC ? r.file : r.arg, cases[i].arg_or_file);
    }
    char longp[1100];
    memset(longp, 'a', sizeof longp);
    longp[0] = '/';
    assert_int_equal(web_route_parse(longp, sizeof longp, &r), CAIRN_E_TOOBIG);
    assert_true(web_route_allows(WEB_R_LOGIN, 1));
    assert_false(web_route_allows(WEB_R_LOGIN, 0));
    assert_true(web_route_allows(WEB_R_MESSAGES, 0) && web_route_allows(WEB_R_MESSAGES, 1));
    assert_false(web_route_allows(WEB_R_TRACKS, 1));
}

static void test_query_cookie_bearer(void **state)
{
    (void)state;
    char scratch[64];
    struct web_kv kv[4];
    const char *q = "a=1&&b=x%20y+z&flag&c=";
    assert_int_equal(web_query_parse(q, strlen(q), scratch, sizeof scratch, kv, 4), 4);
    assert_string_equal(kv[1].val, "x y z");
    assert_string_equal(kv[2].key, "flag");
    assert_string_equal(kv[2].val, "");
    assert_string_equal(kv[3].val, "");
    assert_int_equal(web_query_parse(q, strlen(q), scratch, sizeof scratch, kv, 3), CAIRN_E_TOOBIG);
    assert_int_equal(web_query_parse("a=%0d", 5, scratch, sizeof scratch, kv, 4), CAIRN_E_FORMAT);
    assert_int_equal(web_query_parse("a=%", 3, scratch, sizeof scratch, kv, 4), CAIRN_E_FORMAT);

    /* /api/events?form=: moves or nothing */
    enum web_form form = WEB_FORM_MOVES;
    static const struct {
        const char *q;
        int rc;
        enum web_form form;
    } fc[] = {
        {"", 0, WEB_FORM_FULL},
        {"x=1", 0, WEB_FORM_FULL},
        {"form=moves", 0, WEB_FORM_MOVES},
        {"x=1&form=mov%65s", 0, WEB_FORM_MOVES},
        {"form=full", CAIRN_E_FORMAT, WEB_FORM_FULL},
        {"form=", CAIRN_E_FORMAT, WEB_FORM_FULL},
        {"form", CAIRN_E_FORMAT, WEB_FORM_FULL},
        {"form=MOVES", CAIRN_E_FORMAT, WEB_FORM_FULL},
        {"form=moves&form=moves", CAIRN_E_FORMAT, WEB_FORM_FULL},
        {"form=moves+", CAIRN_E_FORMAT, WEB_FORM_FULL},
    };
    for (size_t i = 0; i < sizeof fc / sizeof fc[0]; i++) {
        int k = web_query_parse(fc[i].q, strlen(fc[i].q), scratch, sizeof scratch, kv, 4);
        assert_true(k >= 0);
        int rc = web_events_form(kv, (size_t)k, &form);
        if (rc != fc[i].rc)
            fail_msg("form of '%s': %d", fc[i].q, rc);
        if (rc == 0)
            assert_int_equal(form, fc[i].form);
    }

    char tok[65], hdr[200];
    char hex[65];
    memset(hex, 'a', 64);
    hex[64] = '\0';
    snprintf(hdr, sizeof hdr, "x=1; cairn_session = %s ;y", hex);
    assert_int_equal(web_cookie_token(hdr, strlen(hdr), tok), 0);
    assert_string_equal(tok, hex);
    snprintf(hdr, sizeof hdr, "cairn_sessionx=%s", hex);
    assert_int_equal(web_cookie_token(hdr, strlen(hdr), tok), CAIRN_E_NOTFOUND);
    snprintf(hdr, sizeof hdr, "cairn_session=%.63s", hex);
    assert_int_equal(web_cookie_token(hdr, strlen(hdr), tok), CAIRN_E_NOTFOUND);
    snprintf(hdr, sizeof hdr, "bEaReR %s", hex);
    assert_int_equal(web_bearer_token(hdr, strlen(hdr), tok), 0);
    snprintf(hdr, sizeof hdr, "Basic %s", hex);
    assert_int_equal(web_bearer_token(hdr, strlen(hdr), tok), CAIRN_E_NOTFOUND);
    snprintf(hdr, sizeof hdr, "Bearer %.63sg", hex);
    assert_int_equal(web_bearer_token(hdr, strlen(hdr), tok), CAIRN_E_NOTFOUND);
}

static void test_login_body(void **state)
{
    (void)state;
    char user[33], pw[1025];
    const char *ok = "{\"user\":\"duty.officer\",\"password\":\"p\\u00e9ss\",\"x\":1}";
    assert_int_equal(web_login_parse(ok, strlen(ok), user, pw, sizeof pw), 0);
    assert_string_equal(user, "duty.officer");
    assert_string_equal(pw, "p\xc3\xa9ss");
    const char *bad[] = {"",
                         "[]",
                         "{\"user\":\"duty\"}",
                         "{\"user\":1,\"password\":\"x\"}",
                         "{\"user\":\"du ty\",\"password\":\"x\"}",
                         "{\"user\":\"duty\",\"password\":\"\"}",
                         "{\"user\":\"duty\",\"password\":\"a\\u0000b\"}",
                         "{\"user\":\"duty\",\"password\":\"x\",\"password\":\"y\"}",
                         "{\"user\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"password\":\"x\"}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(web_login_parse(bad[i], strlen(bad[i]), user, pw, sizeof pw),
                         CAIRN_E_FORMAT);
}

static void test_cidr(void **state)
{
    (void)state;
    struct web_cidr c;
    struct sockaddr_in a4 = {.sin_family = AF_INET};
    struct sockaddr_in6 a6 = {.sin6_family = AF_INET6};
    assert_int_equal(web_cidr_parse("127.0.0.0/8", &c), 0);
    inet_pton(AF_INET, "127.1.2.3", &a4.sin_addr);
    assert_true(web_cidr_match(&c, (struct sockaddr *)&a4));
    inet_pton(AF_INET6, "::ffff:127.0.0.1", &a6.sin6_addr); /* a dual-stack listener */
    assert_true(web_cidr_match(&c, (struct sockaddr *)&a6));
    inet_pton(AF_INET, "128.0.0.1", &a4.sin_addr);
    assert_false(web_cidr_match(&c, (struct sockaddr *)&a4));
    assert_int_equal(web_cidr_parse("10.1.2.3/12", &c), 0); /* host bits cleared */
    inet_pton(AF_INET, "10.15.255.255", &a4.sin_addr);
    assert_true(web_cidr_match(&c, (struct sockaddr *)&a4));
    inet_pton(AF_INET, "10.16.0.0", &a4.sin_addr);
    assert_false(web_cidr_match(&c, (struct sockaddr *)&a4));
    assert_int_equal(web_cidr_parse("2001:db8::/32", &c), 0);
    inet_pton(AF_INET6, "2001:db8:1::1", &a6.sin6_addr);
    assert_true(web_cidr_match(&c, (struct sockaddr *)&a6));
    inet_pton(AF_INET6, "2001:db9::1", &a6.sin6_addr);
    assert_false(web_cidr_match(&c, (struct sockaddr *)&a6));
    assert_int_equal(web_cidr_parse("::1", &c), 0);
    assert_int_equal(c.bits, 128);
    const char *bad[] = {"",           "10.0.0.0/33", "::/129",       "10.0.0.0/",
                         "10.0.0.0/x", "host/8",      "10.0.0.0/0008"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(web_cidr_parse(bad[i], &c), CAIRN_E_FORMAT);
    assert_string_equal(web_content_type("a/b.JS"), "text/javascript; charset=utf-8");
    assert_string_equal(web_content_type("x.html"), "text/html; charset=utf-8");
    assert_string_equal(web_content_type("x.d/noext"), "application/octet-stream");
}

static void test_accounts(void **state)
{
    (void)state;
    struct dbuf d;
    dbuf_init(&d, 4096);
    assert_int_equal(web_passwd_line("duty", "short", &d), CAIRN_E_INVAL);
    assert_int_equal(web_passwd_line("bad:name", "long enough", &d), CAIRN_E_INVAL);
    assert_int_equal(web_passwd_line("duty", "long enough", &d), 0);
    assert_int_equal(strncmp(d.p, "duty:$argon2id$", 15), 0);
    assert_int_equal(d.p[d.len - 1], '\n');
    dbuf_adds(&d, "# comment\n\n");
    struct web_accounts a;
    assert_int_equal(web_accounts_parse(d.p, d.len, &a), 0);
    assert_int_equal(a.n, 1);
    const struct web_account *e = web_accounts_find(&a, "duty");
    assert_non_null(e);
    assert_int_equal(crypto_pwhash_str_verify(e->hash, "long enough", 11), 0);
    assert_int_not_equal(crypto_pwhash_str_verify(e->hash, "long enougH", 11), 0);
    assert_null(web_accounts_find(&a, "other"));
    web_accounts_free(&a);
    /* the same user twice, a bad hash, a bad name */
    struct dbuf twice;
    dbuf_init(&twice, 4096);
    dbuf_add(&twice, d.p, d.len);
    dbuf_add(&twice, d.p, d.len);
    assert_int_equal(web_accounts_parse(twice.p, twice.len, &a), CAIRN_E_FORMAT);
    const char *bad[] = {"duty:$2y$10$abc\n", "du ty:$argon2id$v=19$x\n", "duty\n",
                         ":$argon2id$v=19$x\n", "duty:$argon2id$v=19 $x\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(web_accounts_parse(bad[i], strlen(bad[i]), &a), CAIRN_E_FORMAT);
    dbuf_free(&twice);
    dbuf_free(&d);
}

static void test_metric_helpers(void **state)
{
    (void)state;
    struct dbuf d;
    dbuf_init(&d, 4096);
    web_metric_head(&d, "cairn_x_total", "counter", "Things");
    web_metric_sample(&d, "cairn_x_total", "kind=\"a\"", 3);
    web_metric_sample(&d, "cairn_y", NULL, 0.25);
    assert_string_equal(d.p, "# HELP cairn_x_total Things\n# TYPE cairn_x_total counter\n"
                             "cairn_x_total{kind=\"a\"} 3\ncairn_y 0.25\n");
    dbuf_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sessions),   cmocka_unit_test(test_limiter),
        cmocka_unit_test(test_routes),     cmocka_unit_test(test_query_cookie_bearer),
        cmocka_unit_test(test_login_body), cmocka_unit_test(test_cidr),
        cmocka_unit_test(test_accounts),   cmocka_unit_test(test_metric_helpers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
