/* test_base.c — unit tests for src/base: errors, dbuf, bits, hex, jsonw, clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "base/addr.h"
#include "base/bits.h"
#include "base/clock.h"
#include "base/dbuf.h"
#include "base/error.h"
#include "base/hex.h"
#include "base/jsonw.h"
#include "base/log.h"

static void test_errors(void **state)
{
    (void)state;
    assert_string_equal(cairn_strerror(0), "success");
    assert_string_equal(cairn_strerror(CAIRN_E_NEEDMORE), "need more input");
    assert_string_equal(cairn_errname(CAIRN_E_CRC), "CRC");
    assert_string_equal(cairn_strerror(-100000), "unknown error");
    assert_string_equal(cairn_strerror(5), "unknown error");
    assert_int_equal(CAIRN_E_NEEDMORE, -1);
}

static void test_dbuf_cap(void **state)
{
    (void)state;
    struct dbuf b;
    dbuf_init(&b, 10);
    assert_int_equal(dbuf_adds(&b, "hello"), 0);
    assert_int_equal(dbuf_addf(&b, "%d", 1234), 0);
    assert_string_equal(b.p, "hello1234");
    assert_int_equal(dbuf_adds(&b, "xy"), CAIRN_E_TOOBIG);
    assert_string_equal(b.p, "hello1234"); /* unchanged by the failed append */
    assert_int_equal(dbuf_addc(&b, '!'), 0);
    assert_int_equal(dbuf_addc(&b, '!'), CAIRN_E_TOOBIG);
    dbuf_consume(&b, 5);
    assert_string_equal(b.p, "1234!");
    size_t n;
    char *p = dbuf_take(&b, &n);
    assert_int_equal(n, 5);
    assert_null(b.p);
    free(p);
    dbuf_free(&b);
}

static void test_dbuf_long_format(void **state)
{
    (void)state;
    struct dbuf b;
    dbuf_init(&b, 1 << 20);
    char big[1000];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = 0;
    assert_int_equal(dbuf_addf(&b, "<%s>", big), 0);
    assert_int_equal(b.len, 1001);
    assert_int_equal(b.p[1000], '>');
    dbuf_free(&b);
}

static void test_bits(void **state)
{
    (void)state;
    const uint8_t p[] = {0x8d, 0x40, 0x6b, 0x90, 0x20, 0x15};
    assert_int_equal(bits_get(p, sizeof p, 0, 5), 17);        /* DF of 0x8d... */
    assert_int_equal(bits_get(p, sizeof p, 8, 24), 0x406b90); /* ICAO */
    assert_int_equal(bits_get(p, sizeof p, 32, 5), 4);        /* TC */
    assert_int_equal(bits_get(p, sizeof p, 0, 48), 0x8d406b902015ull);
    assert_int_equal(bits_sext(0x1f, 5), -1);
    assert_int_equal(bits_sext(0x0f, 5), 15);
    struct bitr r;
    bitr_init(&r, p, 12);
    assert_int_equal(bitr_get(&r, 8), 0x8d);
    assert_int_equal(bitr_get(&r, 4), 4);
    assert_false(r.overrun);
    assert_int_equal(bitr_get(&r, 1), 0);
    assert_true(r.overrun);
    uint8_t q[6] = {0};
    bits_put(q, 3, 13, 0x1abc);
    assert_int_equal(bits_get(q, sizeof q, 3, 13), 0x1abc);
    assert_int_equal(q[0] & 0xe0, 0);
}

static void test_hex(void **state)
{
    (void)state;
    uint8_t out[4];
    char txt[9];
    assert_int_equal(hex_decode("8D406b90", 4, out), 0);
    hex_encode(out, 4, txt);
    assert_string_equal(txt, "8d406b90");
    assert_int_equal(hex_decode("8D40zz90", 4, out), CAIRN_E_FORMAT);
}

static void test_jsonw(void **state)
{
    (void)state;
    struct dbuf b;
    struct jsonw w;
    dbuf_init(&b, 4096);
    jw_init(&w, &b);
    jw_obj(&w);
    jw_kint(&w, "df", 17);
    jw_kstr(&w, "s", "a\"b\\c\n\x01");
    jw_key(&w, "arr");
    jw_arr(&w);
    jw_int(&w, 1);
    jw_fixed(&w, 2.5, 2);
    jw_obj(&w);
    jw_end(&w);
    jw_end(&w);
    jw_kbool(&w, "ok", 1);
    jw_knum(&w, "x", 0.1, 6);
    jw_kfixed(&w, "nan", 0.0 / 0.0, 1);
    jw_end(&w);
    assert_int_equal(w.err, 0);
    assert_string_equal(b.p, "{\"df\":17,\"s\":\"a\\\"b\\\\c\\n\\u0001\",\"arr\":[1,2.50,{}],"
                             "\"ok\":true,\"x\":0.1,\"nan\":null}");
    jw_end(&w);
    assert_int_equal(w.err, CAIRN_E_STATE);
    dbuf_free(&b);
}

/* The fast paths of jw_int and jw_fixed must print exactly what printf does. */
static void test_jsonw_numbers_match_printf(void **state)
{
    (void)state;
    unsigned seed = (unsigned)time(NULL);
    print_message("seed %u\n", seed);
    srand(seed);
    struct dbuf b;
    dbuf_init(&b, 1 << 16);
    const double fixed[] = {0.0,    -0.0,           0.5,   1.5,     2.5,
                            0.125,  -0.125,         1.005, 2.675,   59.937561,
                            -0.001, 999999.9999995, 1e12,  -3.0e-7, 123456789.123};
    for (int i = 0; i < 20000; i++) {
        double v;
        if (i < (int)(sizeof fixed / sizeof fixed[0]))
            v = fixed[i];
        else if (i % 3 == 0)
            v = (rand() - RAND_MAX / 2) / 1000.0;
        else
            v = ((double)rand() / RAND_MAX - 0.5) * 360.0 * pow(10.0, rand() % 9 - 4);
        int d = i % 10;
        char want[64];
        snprintf(want, sizeof want, "%.*f", d, v);
        struct jsonw w;
        dbuf_reset(&b);
        jw_init(&w, &b);
        jw_fixed(&w, v, d);
        if (strcmp(b.p, want) != 0)
            fail_msg("jw_fixed(%.17g, %d) = %s, printf gives %s", v, d, b.p, want);
        int64_t iv = (int64_t)rand() * rand() * (i % 2 ? -1 : 1);
        if (i == 0)
            iv = INT64_MIN;
        snprintf(want, sizeof want, "%lld", (long long)iv);
        dbuf_reset(&b);
        jw_init(&w, &b);
        jw_int(&w, iv);
        assert_string_equal(b.p, want);
    }
    dbuf_free(&b);
}

/* The writer as it was before its fast paths (commit d96972b): 15
 * significant digits, no exponent below 1e15, trailing zeros trimmed. The
 * oracle for jw_real, whose output must not change. */
static void real_ref(double v, char *buf)
{
    double a = v < 0 ? -v : v;
    if (!(a < 1e15)) {
        snprintf(buf, 48, "%.15g", v);
        return;
    }
    size_t n = 0;
    if (v < 0)
        buf[n++] = '-';
    uint64_t ip = (uint64_t)a;
    if ((double)ip == a) {
        snprintf(buf + n, 40, "%llu", (unsigned long long)ip);
        return;
    }
    int int_digits = 0;
    for (uint64_t t = ip; t; t /= 10)
        int_digits++;
    int dec = 15 - int_digits;
    uint64_t scale = 1;
    for (int i = 0; i < dec; i++)
        scale *= 10;
    uint64_t scaled = (uint64_t)(a * (double)scale + 0.5);
    uint64_t whole = scaled / scale, frac = scaled % scale;
    n += (size_t)snprintf(buf + n, 40, "%llu", (unsigned long long)whole);
    if (frac) {
        char fd[20];
        for (int i = dec - 1; i >= 0; i--) {
            fd[i] = (char)('0' + frac % 10);
            frac /= 10;
        }
        int last = dec - 1;
        while (last > 0 && fd[last] == '0')
            last--;
        buf[n++] = '.';
        memcpy(buf + n, fd, (size_t)last + 1);
        n += (size_t)last + 1;
    }
    buf[n] = 0;
}

/* A string as JSON by the rule, one character at a time: the oracle for the
 * writer's word-at-a-time and fused paths. */
static void str_ref(const char *s, size_t n, char *out)
{
    size_t k = 0;
    out[k++] = '"';
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
            out[k++] = (char)c;
            i++;
            continue;
        }
        char esc[12];
        size_t adv;
        size_t el = log_escape_step(s + i, n - i, LOG_ESC_JSON, esc, &adv);
        if (el) {
            memcpy(out + k, esc, el);
            k += el;
        } else {
            memcpy(out + k, s + i, adv);
            k += adv;
        }
        i += adv;
    }
    out[k++] = '"';
    out[k] = 0;
}

static void test_jsonw_plain_table(void **state)
{
    (void)state;
    for (int c = 0; c < 256; c++)
        assert_int_equal(jw__plain[c], c >= 0x20 && c < 0x7F && c != '"' && c != '\\');
}

/* Strings of every length around the 8-byte words, with a byte that needs
 * escaping (or none) at every position, through jw_strn, jw_str and as
 * keys; numbers at every digit-count boundary and random reals. */
static void test_jsonw_fast_paths(void **state)
{
    (void)state;
    unsigned seed = (unsigned)time(NULL);
    print_message("seed %u\n", seed);
    srand(seed);
    struct dbuf b;
    dbuf_init(&b, 1 << 16);
    struct jsonw w;
    static const char specials[] = {'"', '\\', '\n', 0x01, 0x7F, (char)0xC3, (char)0xFF, 0};
    char s[80], want[800], key[900];
    for (size_t n = 0; n < 40; n++) {
        for (size_t pos = 0; pos <= n; pos++) {
            for (size_t k = 0; k < sizeof specials; k++) {
                for (size_t i = 0; i < n; i++)
                    s[i] = (char)('a' + rand() % 26);
                if (pos < n)
                    s[pos] = specials[k];
                s[n] = 0;
                str_ref(s, n, want);
                dbuf_reset(&b);
                jw_init(&w, &b);
                jw_strn(&w, s, n);
                assert_int_equal(w.err, 0);
                assert_string_equal(b.p, want);
                if (specials[k] == 0 && pos < n)
                    continue; /* a C string ends at the NUL */
                dbuf_reset(&b);
                jw_init(&w, &b);
                jw_arr(&w);
                jw_str(&w, "x");
                jw_str(&w, s);
                jw_end(&w);
                snprintf(key, sizeof key, "[\"x\",%s]", want);
                assert_string_equal(b.p, key);
                dbuf_reset(&b);
                jw_init(&w, &b);
                jw_obj(&w);
                jw_kint(&w, "a", 1);
                jw_key(&w, s);
                jw_int(&w, 2);
                jw_end(&w);
                snprintf(key, sizeof key, "{\"a\":1,%s:2}", want);
                assert_string_equal(b.p, key);
            }
        }
    }
    /* integers at each digit-count boundary, printf as the oracle */
    for (int d = 0; d <= 19; d++) {
        uint64_t p = 1;
        for (int i = 0; i < d; i++)
            p *= 10;
        const uint64_t vs[] = {
            p - 1,     p, p + 1, (uint64_t)1 << (d * 3 + 4), UINT32_MAX, (uint64_t)UINT32_MAX + 1,
            UINT64_MAX};
        for (size_t i = 0; i < sizeof vs / sizeof vs[0]; i++) {
            dbuf_reset(&b);
            jw_init(&w, &b);
            jw_arr(&w);
            jw_uint(&w, vs[i]);
            jw_int(&w, -(int64_t)(vs[i] >> 1));
            jw_kuint(&w, "u", vs[i]);
            jw_end(&w);
            snprintf(want, sizeof want, "[%llu,%lld,\"u\":%llu]", (unsigned long long)vs[i],
                     -(long long)(vs[i] >> 1), (unsigned long long)vs[i]);
            assert_string_equal(b.p, want);
        }
    }
    dbuf_reset(&b);
    jw_init(&w, &b);
    jw_int(&w, INT64_MIN);
    assert_string_equal(b.p, "-9223372036854775808");
    /* reals: the old writer's digits exactly */
    for (int i = 0; i < 200000; i++) {
        double v = ((double)rand() / RAND_MAX - 0.5) * pow(10.0, rand() % 36 - 18);
        if (i % 4 == 0)
            v = (double)(rand() % 2000000 - 1000000) / (double)(1 << (rand() % 25));
        if (i == 0)
            v = -0.0;
        real_ref(v, want);
        dbuf_reset(&b);
        jw_init(&w, &b);
        jw_real(&w, v);
        if (strcmp(b.p, want) != 0)
            fail_msg("jw_real(%.17g) = %s, want %s", v, b.p, want);
    }
    dbuf_free(&b);
}

/* The same tokens written into a buffer that grows from nothing (every
 * slow path), one with room, and one too small: the first two agree byte
 * for byte, the third fails with TOOBIG, still a NUL-terminated string. */
static void write_tokens(struct jsonw *w)
{
    jw_obj(w);
    for (int i = 0; i < 40; i++) {
        jw_kint(w, "n", -i * 977);
        jw_kuint(w, "u", (uint64_t)i * 1000003u);
        jw_kbool(w, "b", i & 1);
        /* lengths differ: a key whose length is a constant is a literal's */
        jw_key(w, i % 3 ? "var_key" : "esc\"key!");
        jw_arr(w);
        jw_str(w, i % 2 ? "plain text of some length" : "t\xc3\xa9xt \x1b");
        jw_fixed(w, i * 1.25, 2);
        jw_real(w, i / 3.0);
        jw_null(w);
        static const uint8_t hx[] = {0xde, 0xad, 0xbe, 0xef};
        jw_hex(w, hx, sizeof hx);
        jw_end(w);
    }
    jw_end(w);
}

static void test_jsonw_buffer_edges(void **state)
{
    (void)state;
    struct dbuf big, grow, small;
    struct jsonw w;
    dbuf_init(&big, 1 << 20);
    assert_int_equal(dbuf_add(&big, "x", 1), 0);
    dbuf_reset(&big);
    for (int i = 0; i < 12; i++) /* room for all: only fast paths */
        assert_int_equal(dbuf_add(&big, "0123456789abcdef0123456789abcdef", 32), 0);
    dbuf_reset(&big);
    jw_init(&w, &big);
    write_tokens(&w);
    assert_int_equal(w.err, 0);
    for (size_t max = 1; max < big.len + 4; max += (max < 64 ? 1 : 37)) {
        dbuf_init(&grow, max);
        jw_init(&w, &grow);
        write_tokens(&w);
        if (max >= big.len) {
            assert_int_equal(w.err, 0);
            assert_string_equal(grow.p, big.p);
        } else {
            assert_int_equal(w.err, CAIRN_E_TOOBIG);
            assert_true(grow.len <= max);
            if (grow.p) {
                assert_int_equal(strlen(grow.p), grow.len);
                if (memcmp(grow.p, big.p, grow.len) != 0) /* a prefix */
                    fail_msg("max %zu: \"%s\" is not a prefix of \"%.*s\"", max, grow.p,
                             (int)grow.len + 8, big.p);
            }
        }
        dbuf_free(&grow);
    }
    dbuf_init(&small, 10);
    jw_init(&w, &small);
    jw_str(&w, "a string longer than ten bytes");
    assert_int_equal(w.err, CAIRN_E_TOOBIG);
    dbuf_free(&small);
    dbuf_free(&big);
}

static void test_clock(void **state)
{
    (void)state;
    struct cairn_clock c;
    clock_fake_init(&c, 1522782148136);
    assert_int_equal(clock_now_ms(&c), 1522782148136);
    char iso[32];
    clock_iso8601(clock_now_ms(&c), iso, sizeof iso);
    assert_string_equal(iso, "2018-04-03T19:02:28.136Z");
    c.fake_ms += 1000;
    assert_int_equal(clock_now_ms(&c), 1522782149136);
    assert_true(clock_now_ms(&cairn_clock_real) > 1500000000000);
}

static void test_addr(void **state)
{
    (void)state;
    struct cairn_addr a;
    char txt[ADDR_TEXT_LEN];
    assert_int_equal(addr_parse("127.0.0.1:7441", &a), 0);
    assert_int_equal(a.ss.ss_family, AF_INET);
    assert_int_equal(addr_port((struct sockaddr *)&a.ss), 7441);
    assert_string_equal(addr_format((struct sockaddr *)&a.ss, txt, sizeof txt), "127.0.0.1:7441");
    assert_int_equal(addr_parse("localhost:0", &a), 0);
    assert_string_equal(addr_format((struct sockaddr *)&a.ss, txt, sizeof txt), "127.0.0.1:0");
    assert_int_equal(addr_parse("[::1]:30005", &a), 0);
    assert_int_equal(a.ss.ss_family, AF_INET6);
    assert_int_equal(a.len, sizeof(struct sockaddr_in6));
    assert_string_equal(addr_format((struct sockaddr *)&a.ss, txt, sizeof txt), "[::1]:30005");
    assert_int_equal(addr_parse("[2001:db8::7]:8600", &a), 0);
    assert_string_equal(addr_format((struct sockaddr *)&a.ss, txt, sizeof txt),
                        "[2001:db8::7]:8600");
    assert_int_equal(addr_parse("0.0.0.0:65535", &a), 0);
    const char *bad[] = {"",
                         ":7441",
                         "127.0.0.1",
                         "127.0.0.1:",
                         "127.0.0.1:65536",
                         "127.0.0.1:99999",
                         "127.0.0.1:123456",
                         "127.0.0.1:-1",
                         "127.0.0.1:74x",
                         "127.0.0.1:+74",
                         "127.0.0.1: 74",
                         " 127.0.0.1:74",
                         "HOST:PORT",
                         "example.org:80",
                         "localhostx:80",
                         "300.1.1.1:1",
                         "::1:80",
                         "[::1]",
                         "[::1]:",
                         "[::1:80",
                         "::1]:80",
                         "[::1]x:80",
                         "[zz::1]:80",
                         "[127.0.0.1]:80x",
                         "1.2.3.4:80\n",
                         "[0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:1]:80"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (addr_parse(bad[i], &a) != CAIRN_E_INVAL)
            fail_msg("accepted '%s'", bad[i]);
    }
    assert_int_equal(addr_parse(NULL, &a), CAIRN_E_INVAL);
    struct sockaddr other = {.sa_family = AF_UNIX};
    assert_string_equal(addr_format(&other, txt, sizeof txt), "?");
    assert_int_equal(addr_port(&other), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_dbuf_cap),
        cmocka_unit_test(test_dbuf_long_format),
        cmocka_unit_test(test_bits),
        cmocka_unit_test(test_hex),
        cmocka_unit_test(test_jsonw),
        cmocka_unit_test(test_jsonw_numbers_match_printf),
        cmocka_unit_test(test_jsonw_plain_table),
        cmocka_unit_test(test_jsonw_fast_paths),
        cmocka_unit_test(test_jsonw_buffer_edges),
        cmocka_unit_test(test_clock),
        cmocka_unit_test(test_addr),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
