/*
 * test_udp_feed.c — live UDP input on loopback (127.0.0.1 only): datagrams
 * sent to the feed arrive whole, the socket never blocks, oversize datagrams
 * are dropped and counted, badly framed ASTERIX datagrams are counted, and a
 * multicast group joined on the loopback interface delivers (skipped when
 * the kernel does not route multicast over lo); and a typed CAT062 + CAT065
 * datagram crosses the socket and decodes. Every wait is a poll(2) with a
 * bound of one second; nothing sleeps.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testdata.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/error.h"
#include "decode/asterix/asterix.h"
#include "decode/asterix/encode.h"
#include "decode/asterix/typed.h"
#include "feed/udp.h"

/* Bound on any wait for a datagram on loopback, in milliseconds. */
#define WAIT_MS 1000

static int sender_open(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    assert_true(fd >= 0);
    return fd;
}

static void send_to(int fd, const char *addr, uint16_t port, const void *p, size_t len)
{
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    assert_int_equal(inet_pton(AF_INET, addr, &sa.sin_addr), 1);
    ssize_t n = sendto(fd, p, len, 0, (struct sockaddr *)&sa, sizeof sa);
    assert_int_equal(n, (ssize_t)len);
}

/* Wait (bounded) until the feed is readable; 1 if it is. */
static int wait_readable(struct udp_feed *f)
{
    struct pollfd pfd = {.fd = udp_feed_fd(f), .events = POLLIN};
    return poll(&pfd, 1, WAIT_MS) == 1;
}

static uint8_t buf[UDP_FEED_DEFAULT_DATAGRAM + 1];

static void open_loopback(struct udp_feed *f)
{
    struct udp_feed_config cfg = {.bind_addr = "127.0.0.1", .ephemeral = 1, .check_asterix = 1};
    assert_int_equal(udp_feed_open(f, &cfg), 0);
    assert_true(udp_feed_port(f) != 0);
}

static void test_nonblocking_empty(void **state)
{
    (void)state;
    struct udp_feed f;
    open_loopback(&f);
    assert_int_equal(udp_feed_recv(&f, buf, sizeof buf, NULL, NULL), CAIRN_E_NEEDMORE);
    assert_int_equal(f.stats.datagrams, 0);
    udp_feed_close(&f);
    udp_feed_close(&f); /* idempotent */
}

static void test_loopback_datagrams(void **state)
{
    (void)state;
    struct udp_feed f;
    open_loopback(&f);
    int s = sender_open();
    /* Three whole CAT034 blocks of 7..9 bytes (contents irrelevant here). */
    for (unsigned i = 0; i < 3; i++) {
        uint8_t d[9] = {34, 0, (uint8_t)(7 + i), 0x80, 1, 2, 3, 4, 5};
        send_to(s, "127.0.0.1", udp_feed_port(&f), d, 7 + i);
    }
    for (unsigned i = 0; i < 3; i++) {
        assert_true(wait_readable(&f));
        uint32_t ip = 0;
        uint16_t port = 0;
        int n = udp_feed_recv(&f, buf, sizeof buf, &ip, &port);
        assert_int_equal(n, (int)(7 + i));
        assert_int_equal(buf[0], 34);
        assert_int_equal(ip, 0x7f000001u);
        assert_true(port != 0);
    }
    assert_int_equal(udp_feed_recv(&f, buf, sizeof buf, NULL, NULL), CAIRN_E_NEEDMORE);
    assert_int_equal(f.stats.datagrams, 3);
    assert_int_equal(f.stats.bytes, 7 + 8 + 9);
    assert_int_equal(f.stats.truncated + f.stats.malformed + f.stats.oversize, 0);
    close(s);
    udp_feed_close(&f);
}

static int count_cb(void *ctx, const uint8_t *data, size_t len)
{
    (void)data;
    *(size_t *)ctx += len;
    return 0;
}

static void test_oversize_truncated_malformed(void **state)
{
    (void)state;
    struct udp_feed f;
    open_loopback(&f);
    int s = sender_open();
    static uint8_t big[UDP_FEED_DEFAULT_DATAGRAM + 100];
    memset(big, 0, sizeof big);
    /* exactly the bound: one block of 8192 bytes, accepted */
    big[0] = 48;
    big[1] = (uint8_t)(UDP_FEED_DEFAULT_DATAGRAM >> 8);
    big[2] = (uint8_t)(UDP_FEED_DEFAULT_DATAGRAM & 0xff);
    send_to(s, "127.0.0.1", udp_feed_port(&f), big, UDP_FEED_DEFAULT_DATAGRAM);
    /* one byte over the bound: dropped */
    send_to(s, "127.0.0.1", udp_feed_port(&f), big, UDP_FEED_DEFAULT_DATAGRAM + 1);
    /* far over: dropped */
    send_to(s, "127.0.0.1", udp_feed_port(&f), big, sizeof big);
    /* block says 20 bytes, datagram has 10: truncated */
    uint8_t t[10] = {48, 0, 20, 0x80, 0, 0, 0, 0, 0, 0};
    send_to(s, "127.0.0.1", udp_feed_port(&f), t, sizeof t);
    /* LEN 2 (< header): malformed */
    uint8_t m[5] = {48, 0, 2, 0, 0};
    send_to(s, "127.0.0.1", udp_feed_port(&f), m, sizeof m);
    /* two whole blocks and 2 stray bytes: malformed */
    uint8_t m2[10] = {34, 0, 4, 0, 34, 0, 4, 0, 1, 2};
    send_to(s, "127.0.0.1", udp_feed_port(&f), m2, sizeof m2);

    size_t total = 0;
    unsigned delivered = 0;
    for (int tries = 0; tries < 10 && f.stats.datagrams + f.stats.oversize < 6; tries++) {
        if (!wait_readable(&f))
            break;
        int n = udp_feed_drain(&f, buf, sizeof buf, 100, count_cb, &total);
        assert_true(n >= 0);
        delivered += (unsigned)n;
    }
    assert_int_equal(delivered, 4);
    assert_int_equal(f.stats.datagrams, 4);
    assert_int_equal(f.stats.oversize, 2);
    assert_int_equal(f.stats.truncated, 1);
    assert_int_equal(f.stats.malformed, 2);
    assert_int_equal(total, UDP_FEED_DEFAULT_DATAGRAM + 10 + 5 + 10);
    close(s);
    udp_feed_close(&f);
}

static void test_framing_check(void **state)
{
    (void)state;
    const uint8_t ok[] = {34, 0, 4, 0, 48, 0, 3};
    assert_int_equal(udp_asterix_check(ok, sizeof ok), UDP_ASTERIX_OK);
    for (size_t cut = 1; cut < sizeof ok; cut++) {
        enum udp_asterix_framing fr = udp_asterix_check(ok, cut);
        /* a cut after the first whole block is itself a whole datagram */
        assert_true(cut == 4 ? fr == UDP_ASTERIX_OK : fr != UDP_ASTERIX_OK);
    }
    assert_int_equal(udp_asterix_check(ok, 0), UDP_ASTERIX_OK);
}

static void test_bad_config(void **state)
{
    (void)state;
    struct udp_feed f;
    struct udp_feed_config c1 = {.bind_addr = "127.0.0.999", .ephemeral = 1};
    assert_int_equal(udp_feed_open(&f, &c1), CAIRN_E_INVAL);
    struct udp_feed_config c2 = {.bind_addr = "127.0.0.1", .ephemeral = 1, .group = "10.0.0.1"};
    assert_int_equal(udp_feed_open(&f, &c2), CAIRN_E_INVAL);
    struct udp_feed_config c3 = {.ephemeral = 1, .group = "239.255.86.0", .iface = "no-such-if0"};
    assert_int_equal(udp_feed_open(&f, &c3), CAIRN_E_INVAL);
    struct udp_feed_config c4 = {.ephemeral = 1, .max_datagram = 70000};
    assert_int_equal(udp_feed_open(&f, &c4), CAIRN_E_INVAL);
    udp_feed_close(&f);
}

static void test_multicast_loopback(void **state)
{
    (void)state;
    /* An administratively scoped group (RFC 2365); the sender's TTL of 0 keeps
     * it on this host, IP_MULTICAST_LOOP delivers the local copy. */
    const char *group = "239.255.86.0";
    struct udp_feed f;
    struct udp_feed_config cfg = {
        .group = group, .iface = "127.0.0.1", .ephemeral = 1, .check_asterix = 1};
    int rc = udp_feed_open(&f, &cfg);
    if (rc != 0) {
        print_message("SKIP: cannot join %s on 127.0.0.1 (%s)\n", group, cairn_strerror(rc));
        TD_SKIP();
    }
    int s = sender_open();
    struct in_addr lo;
    inet_pton(AF_INET, "127.0.0.1", &lo);
    unsigned char ttl = 0, loop = 1;
    if (setsockopt(s, IPPROTO_IP, IP_MULTICAST_IF, &lo, sizeof lo) != 0 ||
        setsockopt(s, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl) != 0 ||
        setsockopt(s, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, sizeof loop) != 0) {
        print_message("SKIP: cannot set multicast options on loopback\n");
        close(s);
        udp_feed_close(&f);
        TD_SKIP();
    }
    uint8_t d[] = {65, 0, 6, 0xC0, 25, 100};
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons(udp_feed_port(&f));
    inet_pton(AF_INET, group, &sa.sin_addr);
    if (sendto(s, d, sizeof d, 0, (struct sockaddr *)&sa, sizeof sa) != (ssize_t)sizeof d ||
        !wait_readable(&f)) {
        print_message("SKIP: multicast over lo not delivered by this kernel\n");
        close(s);
        udp_feed_close(&f);
        TD_SKIP();
    }
    int n = udp_feed_recv(&f, buf, sizeof buf, NULL, NULL);
    assert_int_equal(n, (int)sizeof d);
    assert_memory_equal(buf, d, sizeof d);
    assert_int_equal(f.stats.datagrams, 1);
    close(s);
    udp_feed_close(&f);
}

static int mcast_sender(void)
{
    int s = sender_open();
    struct in_addr lo;
    inet_pton(AF_INET, "127.0.0.1", &lo);
    unsigned char ttl = 0, loop = 1;
    if (setsockopt(s, IPPROTO_IP, IP_MULTICAST_IF, &lo, sizeof lo) != 0 ||
        setsockopt(s, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl) != 0 ||
        setsockopt(s, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, sizeof loop) != 0) {
        close(s);
        return -1;
    }
    return s;
}

/* Two radars on two groups and one port: each feed gets only its group. */
static void test_multicast_two_groups(void **state)
{
    (void)state;
    struct udp_feed a, b;
    struct udp_feed_config ca = {.group = "239.255.86.1", .iface = "127.0.0.1", .ephemeral = 1};
    if (udp_feed_open(&a, &ca) != 0) {
        print_message("SKIP: cannot join a multicast group on 127.0.0.1\n");
        TD_SKIP();
    }
    struct udp_feed_config cb = {
        .group = "239.255.86.2", .iface = "127.0.0.1", .port = udp_feed_port(&a)};
    assert_int_equal(udp_feed_open(&b, &cb), 0);
    int s = mcast_sender();
    assert_true(s >= 0);
    uint8_t d[] = {48, 0, 5, 0x80, 7};
    send_to(s, "239.255.86.1", udp_feed_port(&a), d, sizeof d);
    if (!wait_readable(&a)) {
        print_message("SKIP: multicast over lo not delivered by this kernel\n");
        close(s);
        udp_feed_close(&a);
        udp_feed_close(&b);
        TD_SKIP();
    }
    assert_int_equal(udp_feed_recv(&a, buf, sizeof buf, NULL, NULL), (int)sizeof d);
    d[4] = 8;
    send_to(s, "239.255.86.2", udp_feed_port(&a), d, sizeof d);
    assert_true(wait_readable(&b));
    assert_int_equal(udp_feed_recv(&b, buf, sizeof buf, NULL, NULL), (int)sizeof d);
    assert_int_equal(buf[4], 8);
    /* neither got the other's datagram (the first went to a only, the
     * second to b only; both were sent before these reads) */
    assert_int_equal(udp_feed_recv(&a, buf, sizeof buf, NULL, NULL), CAIRN_E_NEEDMORE);
    assert_int_equal(udp_feed_recv(&b, buf, sizeof buf, NULL, NULL), CAIRN_E_NEEDMORE);
    assert_int_equal(a.stats.datagrams, 1);
    assert_int_equal(b.stats.datagrams, 1);
    close(s);
    udp_feed_close(&a);
    udp_feed_close(&b);
}

/* End to end: a picture-share datagram (CAT062 tracks + CAT065 end of
 * batch) written by the typed encoder, sent over loopback, received by the
 * feed and decoded. */
static void test_typed_datagram_over_udp(void **state)
{
    (void)state;
    struct udp_feed f;
    open_loopback(&f);
    int s = sender_open();
    uint8_t dg[1400], rec[AX_TYPED_MAX_RECORD];
    struct ax_block_writer w;
    ax_bw_init(&w, dg, sizeof dg);
    for (unsigned i = 0; i < 10; i++) {
        struct ax62_track t = {.sac = 25,
                               .sic = 100,
                               .tot_s = 3600 + i,
                               .track_number = (uint16_t)(100 + i),
                               .has_wgs84 = 1,
                               .lat_deg = 55.0 + 0.01 * i,
                               .lon_deg = 20.5};
        int n = ax62_encode(&t, rec, sizeof rec);
        assert_true(n > 0);
        assert_int_equal(ax_bw_add(&w, 62, rec, (size_t)n), 0);
    }
    struct ax65_status eob = {.sac = 25, .sic = 100, .type = AX65_END_OF_BATCH, .tod_s = 3610};
    int n = ax65_encode(&eob, rec, sizeof rec);
    assert_int_equal(ax_bw_add(&w, 65, rec, (size_t)n), 0);
    size_t len = ax_bw_finish(&w);
    send_to(s, "127.0.0.1", udp_feed_port(&f), dg, len);
    assert_true(wait_readable(&f));
    int got = udp_feed_recv(&f, buf, sizeof buf, NULL, NULL);
    assert_int_equal(got, (int)len);
    assert_int_equal(f.stats.truncated + f.stats.malformed, 0);

    size_t off = 0;
    struct ax_block b;
    struct ax_error err;
    struct ax_record r;
    unsigned tracks = 0, eobs = 0;
    while (ax_block_next(buf, (size_t)got, &off, &b, &err, NULL) == 1) {
        assert_int_equal(ax_block_open(&b, NULL, &err, NULL), 0);
        while (ax_block_record(&b, &r, &err, NULL) == 1) {
            struct ax_leaf l;
            if (b.cat == 62) {
                assert_int_equal(ax_item_field(ax_record_item(&r, "040"), "040", &l), 1);
                assert_int_equal(ax_leaf_raw(&l), 100 + tracks);
                tracks++;
            } else {
                assert_int_equal(b.cat, 65);
                assert_int_equal(ax_item_field(ax_record_item(&r, "000"), "000", &l), 1);
                assert_int_equal(ax_leaf_raw(&l), AX65_END_OF_BATCH);
                eobs++;
            }
        }
    }
    assert_int_equal(tracks, 10);
    assert_int_equal(eobs, 1);
    close(s);
    udp_feed_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_framing_check),
        cmocka_unit_test(test_bad_config),
        cmocka_unit_test(test_nonblocking_empty),
        cmocka_unit_test(test_loopback_datagrams),
        cmocka_unit_test(test_oversize_truncated_malformed),
        cmocka_unit_test(test_multicast_loopback),
        cmocka_unit_test(test_multicast_two_groups),
        cmocka_unit_test(test_typed_datagram_over_udp),
    };
    return td_exit(cmocka_run_group_tests(tests, NULL, NULL));
}
