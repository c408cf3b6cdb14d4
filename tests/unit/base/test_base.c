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
        cmocka_unit_test(test_clock),
        cmocka_unit_test(test_addr),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
