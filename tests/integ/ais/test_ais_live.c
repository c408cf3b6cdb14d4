/*
 * test_ais_live.c — live AIS inputs on loopback: NMEA over TCP
 * (feed/nmea_tcp.h) and datagrams of sentences over UDP (feed/udp.h), both
 * decoded with ais_feed(). Bounded: every wait is a poll() with a timeout,
 * sockets are on 127.0.0.1 with kernel-chosen ports.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/error.h"
#include "decode/ais/ais.h"
#include "feed/nmea_tcp.h"
#include "feed/udp.h"

/* Self-made sentences (checksums computed when this file was written):
 * two type 1 reports and a two-sentence type 5. */
static const char rec[] = "!AIVDM,1,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0*23\r\n"
                          "!AIVDM,1,1,,A,133sVfPP00PD>hRMDH@jNOvN20S8,0*7F\r\n"
                          "!AIVDM,2,1,3,A,544pN>42;H;qD8<CL00<4U8r1@E=B1<PU000,0*37\r\n"
                          "!AIVDM,2,2,3,A,0016L961O5Gf0NRhC2CRCQlPA0000000000,2*72\r\n";

static size_t nmsg;

static void on_msg(void *user, const struct ais_msg *m)
{
    (void)user;
    (void)m;
    nmsg++;
}

static int listener(uint16_t *port)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(s >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(s, 1), 0);
    socklen_t len = sizeof a;
    assert_int_equal(getsockname(s, (struct sockaddr *)&a, &len), 0);
    *port = ntohs(a.sin_port);
    return s;
}

static void test_tcp(void **state)
{
    (void)state;
    uint16_t port;
    int ls = listener(&port);
    struct nmea_tcp t;
    assert_int_equal(nmea_tcp_open(&t, "127.0.0.1", port, 2000), 0);
    int c = accept(ls, NULL, NULL);
    assert_true(c >= 0);
    /* Three writes cutting sentences in the middle. */
    size_t len = sizeof rec - 1, cut1 = 30, cut2 = 120;
    assert_int_equal(write(c, rec, cut1), (ssize_t)cut1);
    assert_int_equal(write(c, rec + cut1, cut2 - cut1), (ssize_t)(cut2 - cut1));
    assert_int_equal(write(c, rec + cut2, len - cut2), (ssize_t)(len - cut2));
    close(c);

    struct ais_ctx *ctx = malloc(sizeof *ctx);
    assert_non_null(ctx);
    ais_ctx_init(ctx);
    nmsg = 0;
    char buf[64]; /* small on purpose: more reads, more splits */
    int closed = 0;
    for (int rounds = 0; rounds < 1000 && !closed; rounds++) {
        struct pollfd p = {.fd = nmea_tcp_fd(&t), .events = POLLIN};
        assert_true(poll(&p, 1, 2000) > 0); /* bounded wait */
        int n = nmea_tcp_read(&t, buf, sizeof buf);
        if (n == CAIRN_E_CLOSED)
            closed = 1;
        else if (n > 0)
            ais_feed(ctx, buf, (size_t)n, 0, on_msg, NULL);
        else
            assert_int_equal(n, CAIRN_E_NEEDMORE);
    }
    assert_true(closed);
    assert_int_equal(nmsg, 3);
    assert_int_equal(t.stats.bytes, len);
    assert_int_equal(ctx->stats.bad_checksum, 0);
    nmea_tcp_close(&t);
    nmea_tcp_close(&t); /* twice is fine */
    assert_int_equal(nmea_tcp_read(&t, buf, sizeof buf), CAIRN_E_CLOSED);
    close(ls);
    free(ctx);
}

static void test_tcp_refused(void **state)
{
    (void)state;
    uint16_t port;
    int ls = listener(&port);
    close(ls); /* nobody listens there now */
    struct nmea_tcp t;
    assert_int_equal(nmea_tcp_open(&t, "127.0.0.1", port, 2000), CAIRN_E_IO);
    assert_int_equal(nmea_tcp_fd(&t), -1);
    nmea_tcp_close(&t);
}

static void test_udp(void **state)
{
    (void)state;
    struct udp_feed f;
    struct udp_feed_config cfg = {.bind_addr = "127.0.0.1", .ephemeral = 1};
    assert_int_equal(udp_feed_open(&f, &cfg), 0);
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    assert_true(s >= 0);
    struct sockaddr_in to = {.sin_family = AF_INET,
                             .sin_port = htons(udp_feed_port(&f)),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    /* Two datagrams: the first two sentences, then the type 5 pair without
     * its final line terminator. */
    const char *second = strstr(rec, "!AIVDM,2,1");
    size_t l1 = (size_t)(second - rec), l2 = strlen(second) - 2;
    assert_int_equal(sendto(s, rec, l1, 0, (struct sockaddr *)&to, sizeof to), (ssize_t)l1);
    assert_int_equal(sendto(s, second, l2, 0, (struct sockaddr *)&to, sizeof to), (ssize_t)l2);
    struct ais_ctx *ctx = malloc(sizeof *ctx);
    assert_non_null(ctx);
    ais_ctx_init(ctx);
    nmsg = 0;
    uint8_t buf[UDP_FEED_DEFAULT_DATAGRAM + 1];
    for (int got = 0; got < 2;) {
        struct pollfd p = {.fd = udp_feed_fd(&f), .events = POLLIN};
        assert_true(poll(&p, 1, 2000) > 0);
        int n = udp_feed_recv(&f, buf, sizeof buf, NULL, NULL);
        if (n == CAIRN_E_NEEDMORE)
            continue;
        assert_true(n > 0);
        ais_feed(ctx, (const char *)buf, (size_t)n, 0, on_msg, NULL);
        /* A datagram ends its last sentence, terminated or not. */
        ais_flush(ctx, 0, on_msg, NULL);
        got++;
    }
    assert_int_equal(nmsg, 3);
    close(s);
    udp_feed_close(&f);
    free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tcp),
        cmocka_unit_test(test_tcp_refused),
        cmocka_unit_test(test_udp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
