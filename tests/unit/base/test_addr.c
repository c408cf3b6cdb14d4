/*
 * test_addr.c — addr_parse_spec (base/addr.h): every accepted form,
 * and a table of hostile strings that must be refused with a reason,
 * never crash, never read past their end (ASan) and leave *out zeroed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "base/addr.h"
#include "base/error.h"

static void parse_ok(const char *s, uint16_t dflt, unsigned flags, const char *want_fmt)
{
    struct addr_spec a;
    const char *why = "unset";
    int rc = addr_parse_spec(s, dflt, flags, &a, &why);
    if (rc != 0)
        print_error("'%s' refused: %s\n", s, why ? why : "(no reason)");
    assert_int_equal(rc, 0);
    assert_null(why);
    char buf[ADDR_TEXT_LEN];
    assert_string_equal(addr_format((struct sockaddr *)&a.a.ss, buf, sizeof buf), want_fmt);
}

static void test_accepted(void **state)
{
    (void)state;
    parse_ok("192.0.2.7:30005", 0, 0, "192.0.2.7:30005");
    parse_ok("127.0.0.1:1", 0, 0, "127.0.0.1:1");
    parse_ok("[::1]:30005", 0, 0, "[::1]:30005");
    parse_ok("[2001:db8::7]:65535", 0, 0, "[2001:db8::7]:65535");
    parse_ok("[::ffff:192.0.2.1]:80", 0, 0, "[::ffff:192.0.2.1]:80");
    parse_ok("[ff02::1:3]:8600", 0, 0, "[ff02::1:3]:8600");
    parse_ok("localhost:30005", 0, 0, "127.0.0.1:30005");
    parse_ok("LocalHost:7", 0, 0, "127.0.0.1:7");
    parse_ok("192.0.2.7", 30005, 0, "192.0.2.7:30005");
    parse_ok("[::1]", 10110, 0, "[::1]:10110");
    parse_ok("*:30004", 0, ADDR_WILDCARD, "0.0.0.0:30004");
    parse_ok(":30004", 0, ADDR_WILDCARD, "0.0.0.0:30004");
    parse_ok("[::]:30004", 0, 0, "[::]:30004");
    parse_ok("127.0.0.1:0", 0, ADDR_PORT_ZERO, "127.0.0.1:0");
    parse_ok("127.0.0.1:00080", 0, 0, "127.0.0.1:80");

    struct addr_spec a;
    assert_int_equal(addr_parse_spec("radar-1.example.org:30005", 0, ADDR_NAME, &a, NULL), 0);
    assert_true(a.is_name);
    assert_int_equal(a.a.len, 0);
    assert_int_equal(a.port, 30005);
    assert_string_equal(a.host, "radar-1.example.org");
    assert_int_equal(addr_parse_spec("feeder.:80", 0, ADDR_NAME, &a, NULL), 0);
    /* localhost never asks a resolver, so it has an address at once */
    assert_int_equal(addr_parse_spec("localhost:80", 0, ADDR_NAME, &a, NULL), 0);
    assert_false(a.is_name);
    assert_int_equal(addr_resolve(&a, SOCK_STREAM), 0);

    assert_int_equal(addr_parse_spec("239.1.2.3:8600", 0, 0, &a, NULL), 0);
    assert_true(addr_is_multicast(&a.a));
    assert_int_equal(addr_parse_spec("[ff15::8600]:8600", 0, 0, &a, NULL), 0);
    assert_true(addr_is_multicast(&a.a));
    assert_int_equal(addr_parse_spec("223.255.255.255:8600", 0, 0, &a, NULL), 0);
    assert_false(addr_is_multicast(&a.a));
    assert_int_equal(addr_parse_spec("[2001:db8::1]:8600", 0, 0, &a, NULL), 0);
    assert_false(addr_is_multicast(&a.a));
}

struct bad {
    const char *s;
    uint16_t dflt;
    unsigned flags;
    int rc;
};

static void test_hostile(void **state)
{
    (void)state;
    const unsigned all = ADDR_NAME | ADDR_WILDCARD;
    static const struct bad cases[] = {
        {"", 0, 0, CAIRN_E_INVAL},
        {":", 0, all, CAIRN_E_INVAL},
        {"127.0.0.1", 0, 0, CAIRN_E_INVAL},     /* no port, no default */
        {"127.0.0.1:", 0, 0, CAIRN_E_INVAL},    /* empty port */
        {"127.0.0.1:80x", 0, 0, CAIRN_E_INVAL}, /* atoi would say 80 */
        {"127.0.0.1:+80", 0, 0, CAIRN_E_INVAL},
        {"127.0.0.1:-1", 0, 0, CAIRN_E_INVAL},
        {"127.0.0.1: 80", 0, 0, CAIRN_E_INVAL},
        {"127.0.0.1:0x50", 0, 0, CAIRN_E_INVAL},
        {"127.0.0.1:65536", 0, 0, CAIRN_E_RANGE},
        {"127.0.0.1:99999", 0, 0, CAIRN_E_RANGE},
        {"127.0.0.1:123456", 0, 0, CAIRN_E_INVAL}, /* six digits */
        {"127.0.0.1:0", 0, 0, CAIRN_E_RANGE},      /* 0 without ADDR_PORT_ZERO */
        {"127.0.0.1:80:81", 0, all, CAIRN_E_INVAL},
        {" 127.0.0.1:80", 0, 0, CAIRN_E_INVAL},
        {"127.0.0.1:80 ", 0, 0, CAIRN_E_INVAL},
        {"127.0.0.1:80\n", 0, 0, CAIRN_E_INVAL},
        {"127.0.0.1\t:80", 0, 0, CAIRN_E_INVAL},
        {"127.0.0.\x1b[2J:80", 0, all, CAIRN_E_INVAL},
        {"caf\xc3\xa9.example:80", 0, all, CAIRN_E_INVAL},
        {"256.1.1.1:80", 0, all, CAIRN_E_INVAL},
        {"1.2.3:80", 0, all, CAIRN_E_INVAL},
        {"1.2.3.4.5:80", 0, all, CAIRN_E_INVAL},
        {"01.2.3.4:80", 0, all, CAIRN_E_INVAL},
        {"10.0.0.256:80", 0, all, CAIRN_E_INVAL},
        {"::1", 30005, all, CAIRN_E_INVAL}, /* IPv6 without brackets */
        {"::1:80", 0, all, CAIRN_E_INVAL},
        {"2001:db8::1:80", 0, all, CAIRN_E_INVAL},
        {"[::1", 0, all, CAIRN_E_INVAL},
        {"::1]:80", 0, all, CAIRN_E_INVAL},
        {"[::1]80", 0, all, CAIRN_E_INVAL},
        {"[::1]:", 0, all, CAIRN_E_INVAL},
        {"[::1]:80junk", 0, all, CAIRN_E_INVAL},
        {"[::1]junk", 30005, all, CAIRN_E_INVAL},
        {"[]:80", 0, all, CAIRN_E_INVAL},
        {"[[::1]]:80", 0, all, CAIRN_E_INVAL},
        {"[127.0.0.1]:80", 0, all, CAIRN_E_INVAL},
        {"[fe80::1%eth0]:80", 0, all, CAIRN_E_INVAL},
        {"[::1::2]:80", 0, all, CAIRN_E_INVAL},
        {"[localhost]:80", 0, all, CAIRN_E_INVAL},
        {"*:80", 0, ADDR_NAME, CAIRN_E_INVAL}, /* wildcard not allowed here */
        {":80", 0, ADDR_NAME, CAIRN_E_INVAL},
        {"**:80", 0, all, CAIRN_E_INVAL},
        {"radar1:80", 0, 0, CAIRN_E_INVAL}, /* names not allowed here */
        {"-radar:80", 0, all, CAIRN_E_INVAL},
        {"radar-:80", 0, all, CAIRN_E_INVAL},
        {"ra_dar:80", 0, all, CAIRN_E_INVAL},
        {"a..b:80", 0, all, CAIRN_E_INVAL},
        {".a:80", 0, all, CAIRN_E_INVAL},
        {"a/b:80", 0, all, CAIRN_E_INVAL},
        {"a%00b:80", 0, all, CAIRN_E_INVAL},
        {"host;rm -rf:80", 0, all, CAIRN_E_INVAL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct addr_spec a;
        memset(&a, 0xA5, sizeof a);
        const char *why = NULL;
        int rc = addr_parse_spec(cases[i].s, cases[i].dflt, cases[i].flags, &a, &why);
        if (rc != cases[i].rc)
            print_error("case %zu: rc %d, want %d\n", i, rc, cases[i].rc);
        assert_int_equal(rc, cases[i].rc);
        assert_non_null(why);
        assert_int_equal(a.port, 0);
        assert_int_equal(a.a.len, 0);
        assert_int_equal(a.host[0], 0);
    }
    struct addr_spec a;
    const char *why = NULL;
    assert_int_equal(addr_parse_spec(NULL, 80, 0, &a, &why), CAIRN_E_INVAL);
    assert_non_null(why);
}

static void test_lengths(void **state)
{
    (void)state;
    struct addr_spec a;
    const char *why;
    /* a label of 63 is fine, 64 is not */
    char s[ADDR_SPEC_MAX + 64];
    memset(s, 'a', 63);
    strcpy(s + 63, ".example:80");
    assert_int_equal(addr_parse_spec(s, 0, ADDR_NAME, &a, &why), 0);
    memset(s, 'a', 64);
    strcpy(s + 64, ".example:80");
    assert_int_equal(addr_parse_spec(s, 0, ADDR_NAME, &a, &why), CAIRN_E_INVAL);
    /* a name of 253 characters is fine, 254 is not */
    size_t n = 0;
    while (n < 253) {
        size_t lab = 253 - n >= 50 ? 49 : 253 - n;
        memset(s + n, 'b', lab);
        n += lab;
        if (n < 253)
            s[n++] = '.';
    }
    assert_int_equal(n, 253);
    strcpy(s + n, ":80");
    assert_int_equal(addr_parse_spec(s, 0, ADDR_NAME, &a, &why), 0);
    s[n] = 'c';
    strcpy(s + n + 1, ":80");
    assert_int_equal(addr_parse_spec(s, 0, ADDR_NAME, &a, &why), CAIRN_E_INVAL);
    /* far too long: refused by length before anything is read past it */
    memset(s, '1', sizeof s - 1);
    s[sizeof s - 1] = 0;
    assert_int_equal(addr_parse_spec(s, 0, ADDR_NAME, &a, &why), CAIRN_E_TOOBIG);
    /* an exact-size heap copy with no slack: ASan sees any over-read */
    const char *const exact[] = {"[::1]:80", "1.2.3.4:5", "[::1", "x:", ":", "["};
    for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++) {
        size_t l = strlen(exact[i]);
        char *h = malloc(l + 1);
        assert_non_null(h);
        memcpy(h, exact[i], l + 1);
        (void)addr_parse_spec(h, 0, ADDR_NAME | ADDR_WILDCARD, &a, &why);
        free(h);
    }
}

static void test_format(void **state)
{
    (void)state;
    struct sockaddr_in6 s6;
    memset(&s6, 0, sizeof s6);
    s6.sin6_family = AF_INET6;
    s6.sin6_port = htons(8600);
    assert_int_equal(inet_pton(AF_INET6, "2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff", &s6.sin6_addr),
                     1);
    char buf[ADDR_TEXT_LEN];
    assert_string_equal(addr_format((struct sockaddr *)&s6, buf, sizeof buf),
                        "[2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff]:8600");
    char small[8];
    addr_format((struct sockaddr *)&s6, small, sizeof small);
    assert_int_equal(strlen(small), 7);
    struct sockaddr un = {.sa_family = AF_UNIX};
    assert_string_equal(addr_format(&un, buf, sizeof buf), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accepted),
        cmocka_unit_test(test_hostile),
        cmocka_unit_test(test_lengths),
        cmocka_unit_test(test_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
