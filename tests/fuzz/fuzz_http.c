/*
 * fuzz_http.c — libFuzzer target for the request path web owns (parse.h):
 * the route of a path, the query string, the Cookie and Authorization
 * headers, the login body, a CIDR and a file's content type, and a session
 * lookup with whatever token the headers gave.
 *
 * The input is split at '\n' into up to five fields, each handed over as
 * an exact-size heap copy (ASan sees a read one byte past it):
 *   1. the request target ("/api/tracks/12?x=1"): split at '?' into the
 *      path (web_route_parse) and the query (web_query_parse, then
 *      web_events_form: /api/events?form=moves)
 *   2. a Cookie header value        3. an Authorization header value
 *   4. a login body                 5. a CIDR string
 * Checked: results within the ranges parse.h promises (a route's ID and
 * file name are clean, query pairs NUL-terminated inside the scratch, a
 * token is 64 hex digits, a login's user name valid).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "base/clock.h"
#include "base/error.h"
#include "web/auth.h"
#include "web/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c))                                                                                  \
            abort();                                                                               \
    } while (0)

static char *field(const uint8_t **p, const uint8_t *end, size_t *len)
{
    const uint8_t *s = *p;
    const uint8_t *nl = memchr(s, '\n', (size_t)(end - s));
    const uint8_t *e = nl ? nl : end;
    *len = (size_t)(e - s);
    char *out = malloc(*len ? *len : 1);
    if (out && *len)
        memcpy(out, s, *len);
    *p = nl ? nl + 1 : end;
    return out;
}

static int token_ok(const char *t)
{
    if (strlen(t) != 64)
        return 0;
    for (size_t i = 0; i < 64; i++)
        if (!strchr("0123456789abcdefABCDEF", t[i]))
            return 0;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *p = data, *end = data + size;
    size_t n[5];
    char *f[5];
    for (int i = 0; i < 5; i++)
        f[i] = field(&p, end, &n[i]);

    /* 1. target */
    if (f[0]) {
        const char *q = memchr(f[0], '?', n[0]);
        size_t plen = q ? (size_t)(q - f[0]) : n[0];
        static struct web_route r;
        if (web_route_parse(f[0], plen, &r) == 0) {
            size_t al = strlen(r.arg);
            CHECK(al <= WEB_ID_MAX);
            for (size_t i = 0; i < al; i++)
                CHECK(strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:~-",
                             r.arg[i]));
            if (r.id == WEB_R_STATIC) {
                CHECK(r.file[0] && r.file[0] != '/' && r.file[0] != '.');
                CHECK(!strstr(r.file, "/.") && !strchr(r.file, '\\'));
                CHECK(web_content_type(r.file) != NULL);
            }
            (void)web_route_allows(r.id, 0);
            (void)web_route_allows(r.id, 1);
        }
        if (q) {
            size_t ql = n[0] - plen - 1;
            size_t sc = 2 * ql + 2;
            char *scratch = malloc(sc);
            struct web_kv kv[WEB_MAX_QUERY];
            /* too small a scratch is refused, never overrun */
            CHECK(web_query_parse(q + 1, ql, scratch, sc - 1, kv, WEB_MAX_QUERY) == CAIRN_E_TOOBIG);
            int k = web_query_parse(q + 1, ql, scratch, sc, kv, WEB_MAX_QUERY);
            CHECK(k <= WEB_MAX_QUERY);
            for (int i = 0; i < k; i++) {
                CHECK(kv[i].key >= scratch && kv[i].key < scratch + sc);
                CHECK(kv[i].val >= scratch && kv[i].val < scratch + sc);
                CHECK(strlen(kv[i].key) <= ql && strlen(kv[i].val) <= ql);
            }
            /* the event stream's form (?form=moves) */
            enum web_form form;
            if (k >= 0 && web_events_form(kv, (size_t)k, &form) == 0)
                CHECK(form == WEB_FORM_FULL || form == WEB_FORM_MOVES);
            free(scratch);
        }
    }
    /* 2., 3. the session token, and a lookup with it */
    char tok[65];
    struct cairn_clock clk;
    clock_fake_init(&clk, 1000);
    struct web_sessions s;
    if (web_sess_init(&s, 4, 1000, 2000, &clk) == 0) {
        char made[65];
        CHECK(web_sess_create(&s, "duty", made) == 0);
        if (f[1] && web_cookie_token(f[1], n[1], tok) == 0) {
            CHECK(token_ok(tok));
            (void)web_sess_check(&s, tok, strlen(tok));
        }
        if (f[2] && web_bearer_token(f[2], n[2], tok) == 0) {
            CHECK(token_ok(tok));
            (void)web_sess_check(&s, tok, strlen(tok));
        }
        /* raw bytes as a token too */
        if (f[2])
            (void)web_sess_check(&s, f[2], n[2]);
        CHECK(web_sess_verify(&s) == 0);
        web_sess_fini(&s);
    }
    /* 4. login body */
    if (f[3]) {
        char user[33], pw[1025];
        if (web_login_parse(f[3], n[3], user, pw, sizeof pw) == 0) {
            CHECK(web_user_ok(user, strlen(user)));
            CHECK(strlen(pw) >= 1 && strlen(pw) <= 1024);
        }
    }
    /* 5. CIDR (a C string: cut at the first NUL) */
    if (f[4]) {
        char c[80];
        size_t cl = n[4] < sizeof c - 1 ? n[4] : sizeof c - 1;
        memcpy(c, f[4], cl);
        c[cl] = '\0';
        struct web_cidr cidr;
        if (web_cidr_parse(c, &cidr) == 0)
            CHECK(cidr.bits <= (cidr.family == AF_INET ? 32u : 128u));
    }
    for (int i = 0; i < 5; i++)
        free(f[i]);
    return 0;
}
