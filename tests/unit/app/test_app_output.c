/*
 * test_app_output.c — the centre's output ports (app/output.h): the AVR
 * and SBS encoders against lines written by hand from readsb's formats;
 * the configuration keys and their refusals; and a port on a loopback
 * socket driven by a libevent loop run by hand (no sleeps: every wait is
 * a bounded poll): Beast frames arrive as beast_parse reads them back,
 * with their counter and signal; SBS lines arrive; a client that does not
 * read is dropped at max_queue while a reading client keeps everything;
 * clients beyond max_clients are refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <event2/event.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "app/output.h"
#include "base/error.h"
#include "decode/modes/beast.h"
#include "decode/modes/frame.h"
#include "decode/report.h"

#define T0_MS INT64_C(1393851767250) /* 2014-03-03 13:02:47.250 UTC */

static struct modes_frame long_frame(void)
{
    /* DF17 from 4840D6 (the well-known identification of KLM1023) */
    static const uint8_t d[14] = {0x8D, 0x48, 0x40, 0xD6, 0x20, 0x2C, 0xC3,
                                  0x71, 0xC3, 0x2C, 0xE0, 0x57, 0x60, 0x98};
    struct modes_frame f;
    memset(&f, 0, sizeof f);
    memcpy(f.data, d, sizeof d);
    f.len = 14;
    return f;
}

static void test_avr_line(void **state)
{
    (void)state;
    struct modes_frame f = long_frame();
    char b[64];
    assert_int_equal(app_avr_line(&f, b, sizeof b), 31);
    assert_string_equal(b, "*8D4840D6202CC371C32CE0576098;\n");
    f.has_ts = 1;
    f.ts_12mhz = 0xA3C4E5F6ull;
    assert_int_equal(app_avr_line(&f, b, sizeof b), 43);
    assert_string_equal(b, "@0000A3C4E5F68D4840D6202CC371C32CE0576098;\n");
    assert_int_equal(app_avr_line(&f, b, 47), CAIRN_E_FULL);
    f.len = 3;
    assert_int_equal(app_avr_line(&f, b, sizeof b), CAIRN_E_INVAL);
}

static struct report adsb(uint32_t has)
{
    struct report r;
    memset(&r, 0, sizeof r);
    r.t_ms = T0_MS;
    r.kind = REP_ADSB;
    r.sensor_kind = SENSOR_ADSB_RX;
    r.icao = 0x4840D6;
    r.has = REP_HAS_ICAO | has;
    return r;
}

static void test_sbs_lines(void **state)
{
    (void)state;
    char b[OUT_SBS_LINE];
    int64_t now = T0_MS + 1001;
    struct report r = adsb(REP_HAS_CALLSIGN);
    strcpy(r.callsign, "KLM1023");
    assert_true(app_sbs_line(&r, now, b, sizeof b) > 0);
    assert_string_equal(b, "MSG,1,1,1,4840D6,1,2014/03/03,13:02:47.250,2014/03/03,13:02:48.251,"
                           "KLM1023,,,,,,,,,,,\r\n");
    r = adsb(REP_HAS_POS | REP_HAS_ALT_BARO | REP_HAS_GROUND);
    r.lat_deg = 52.2572;
    r.lon_deg = 3.91937;
    r.alt_baro_ft = 38000;
    assert_true(app_sbs_line(&r, now, b, sizeof b) > 0);
    assert_string_equal(b, "MSG,3,1,1,4840D6,1,2014/03/03,13:02:47.250,2014/03/03,13:02:48.251,"
                           ",38000,,,52.257200,3.919370,,,,,,0\r\n");
    r.on_ground = 1;
    r.has &= ~(uint32_t)REP_HAS_ALT_BARO;
    assert_int_equal(app_sbs_type(&r), 2);
    r = adsb(REP_HAS_GS | REP_HAS_TRACK | REP_HAS_VRATE);
    r.gs_kt = 159.2f;
    r.track_deg = 182.88f;
    r.vrate_fpm = -832.0f;
    assert_true(app_sbs_line(&r, now, b, sizeof b) > 0);
    assert_string_equal(b, "MSG,4,1,1,4840D6,1,2014/03/03,13:02:47.250,2014/03/03,13:02:48.251,"
                           ",,159,183,,,-832,,,,,\r\n");
    /* surveillance replies: identity (emergency squawk), altitude, all-call */
    r = adsb(REP_HAS_SQUAWK);
    r.kind = REP_MODES;
    r.squawk = 07700;
    assert_true(app_sbs_line(&r, now, b, sizeof b) > 0);
    assert_string_equal(b, "MSG,6,1,1,4840D6,1,2014/03/03,13:02:47.250,2014/03/03,13:02:48.251,"
                           ",,,,,,,7700,,-1,,\r\n");
    r.squawk = 01234;
    assert_true(app_sbs_line(&r, now, b, sizeof b) > 0);
    assert_non_null(strstr(b, ",1234,,0,,\r\n"));
    r = adsb(REP_HAS_ALT_BARO);
    r.kind = REP_MODES;
    r.alt_baro_ft = 2025;
    assert_int_equal(app_sbs_type(&r), 5);
    r = adsb(0);
    r.kind = REP_MODES;
    assert_int_equal(app_sbs_type(&r), 8);
    /* no SBS message: Mode A/C, radar, AIS, no address, non-ICAO, ADS-B status */
    r = adsb(0);
    assert_int_equal(app_sbs_line(&r, now, b, sizeof b), 0);
    r = adsb(REP_HAS_POS);
    r.kind = REP_PSR;
    assert_int_equal(app_sbs_line(&r, now, b, sizeof b), 0);
    r.kind = REP_ADSB;
    r.addr_non_icao = 1;
    assert_int_equal(app_sbs_line(&r, now, b, sizeof b), 0);
    r = adsb(REP_HAS_POS);
    r.has &= ~(uint32_t)REP_HAS_ICAO;
    assert_int_equal(app_sbs_line(&r, now, b, sizeof b), 0);
    /* a callsign with bytes SBS cannot carry: they are left out */
    r = adsb(REP_HAS_CALLSIGN);
    memcpy(r.callsign, "AB,\r\nC", 7);
    assert_true(app_sbs_line(&r, now, b, sizeof b) > 0);
    assert_non_null(strstr(b, ",ABC,"));
    assert_ptr_equal(strchr(b, '\n'), b + strlen(b) - 1); /* one line */
    assert_int_equal(app_sbs_line(&r, now, b, 20), CAIRN_E_FULL);
}

static void test_config(void **state)
{
    (void)state;
    struct app_output_config c;
    const char *why;
    app_output_config_init(&c);
    assert_int_equal(app_output_config_check(&c, &why), CAIRN_E_INVAL);
    assert_int_equal(app_output_config_set(&c, "format", "beast", &why), 0);
    assert_int_equal(app_output_config_set(&c, "format", "sbs", &why), CAIRN_E_INVAL);
    assert_int_equal(app_output_config_check(&c, &why), CAIRN_E_INVAL);
    assert_int_equal(app_output_config_set(&c, "listen", "[::1]:30005", &why), 0);
    assert_int_equal(c.addr.a.ss.ss_family, AF_INET6);
    assert_int_equal(app_output_config_set(&c, "listen", "127.0.0.1:1", &why), CAIRN_E_INVAL);
    assert_int_equal(app_output_config_check(&c, &why), 0);
    assert_int_equal(app_output_config_set(&c, "max_clients", "0", &why), CAIRN_E_INVAL);
    assert_int_equal(app_output_config_set(&c, "max_clients", "12", &why), 0);
    assert_int_equal(c.max_clients, 12);
    assert_int_equal(app_output_config_set(&c, "max_queue", "100", &why), CAIRN_E_INVAL);
    assert_int_equal(app_output_config_set(&c, "max_queue", "9999999999", &why), CAIRN_E_INVAL);
    assert_int_equal(app_output_config_set(&c, "heartbeat_s", "0", &why), 0);
    assert_int_equal(app_output_config_set(&c, "heartbeat_s", "-1", &why), CAIRN_E_INVAL);
    assert_int_equal(app_output_config_set(&c, "colour", "red", &why), CAIRN_E_NOTFOUND);
    app_output_config_init(&c);
    assert_int_equal(app_output_config_set(&c, "format", "json", &why), CAIRN_E_INVAL);
    assert_int_equal(app_output_config_set(&c, "listen", "example.org:30005", &why), CAIRN_E_INVAL);
    assert_int_equal(app_output_config_set(&c, "listen", "*:0", &why), 0);
}

/* ------------------------------------------------------------ on a loop */

static struct event_base *base;

static int connect_to(uint16_t port, int rcvbuf)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    if (rcvbuf)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    return fd;
}

/* Run the loop until pred holds, at most 5 s of polling. */
static void run_until(int (*pred)(void *), void *arg)
{
    for (int i = 0; i < 5000 && !pred(arg); i++) {
        event_base_loop(base, EVLOOP_NONBLOCK);
        struct pollfd none;
        poll(&none, 0, 1);
    }
    assert_true(pred(arg));
}

struct want {
    struct app_output *o;
    uint32_t clients;
    uint64_t refused, dropped;
};

static int stats_are(void *arg)
{
    const struct want *w = arg;
    const struct app_output_stats *s = app_output_stats(w->o);
    return s->clients == w->clients && s->refused == w->refused && s->dropped == w->dropped;
}

/* Read what fd has now into b (up to cap), running the loop in between,
 * until want bytes or 5 s. */
static size_t read_some(int fd, uint8_t *b, size_t cap, size_t want)
{
    size_t got = 0;
    for (int i = 0; i < 5000 && got < want; i++) {
        event_base_loop(base, EVLOOP_NONBLOCK);
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 1) == 1) {
            ssize_t n = recv(fd, b + got, cap - got, MSG_DONTWAIT);
            if (n <= 0)
                break;
            got += (size_t)n;
        }
    }
    return got;
}

static struct app_output *open_port(enum app_out_format fmt, uint32_t max_clients,
                                    uint32_t max_queue)
{
    struct app_output_config c;
    app_output_config_init(&c);
    strcpy(c.name, "test");
    const char *why;
    assert_int_equal(app_output_config_set(&c, "format", app_output_format_name(fmt), &why), 0);
    assert_int_equal(app_output_config_set(&c, "listen", "127.0.0.1:0", &why), 0);
    c.max_clients = max_clients;
    c.max_queue = max_queue;
    struct app_output *o;
    char err[128];
    assert_int_equal(app_output_new(base, &c, &o, err, sizeof err), 0);
    assert_true(app_output_port(o) > 0);
    return o;
}

static void test_beast_port(void **state)
{
    (void)state;
    base = event_base_new();
    struct app_output *o = open_port(APP_OUT_BEAST, 2, OUT_MAX_QUEUE);
    int a = connect_to(app_output_port(o), 0);
    int b = connect_to(app_output_port(o), 0);
    int c = connect_to(app_output_port(o), 0); /* the third: refused */
    struct want w = {o, 2, 1, 0};
    run_until(stats_are, &w);
    struct modes_frame f = long_frame();
    f.has_ts = 1;
    f.ts_12mhz = 0x1A1A1A1A1A1Aull; /* every byte escaped */
    f.signal = 0x1A;
    for (int i = 0; i < 100; i++)
        app_output_frame(o, &f, T0_MS);
    assert_int_equal(app_output_stats(o)->messages, 100);
    static uint8_t buf[1 << 16];
    size_t n = read_some(a, buf, sizeof buf, 100 * (2 + 2 * 7 + 14));
    assert_int_equal(n, 100 * (2 + 2 * 7 + 14));
    struct beast_parser p;
    beast_parser_init(&p);
    size_t off = 0, frames = 0;
    struct modes_frame g;
    ssize_t k;
    while (off < n && (k = beast_parse(&p, buf + off, n - off, &g)) > 0) {
        off += (size_t)k;
        frames++;
        assert_int_equal(g.len, 14);
        assert_memory_equal(g.data, f.data, 14);
        assert_int_equal(g.ts_12mhz, f.ts_12mhz);
        assert_int_equal(g.signal, 0x1A);
    }
    assert_int_equal(frames, 100);
    assert_int_equal(p.st.resyncs, 0);
    /* the refused client was closed: it reads EOF */
    assert_int_equal(read_some(c, buf, sizeof buf, 1), 0);
    /* b leaves: counted as closed, a slot frees up */
    close(b);
    w.clients = 1;
    run_until(stats_are, &w);
    assert_int_equal(app_output_stats(o)->closed, 1);
    close(a);
    close(c);
    app_output_free(o);
    event_base_free(base);
}

/* A client that never reads is dropped once its queue would pass
 * max_queue; a client that reads gets every frame. */
static void test_slow_client_dropped(void **state)
{
    (void)state;
    base = event_base_new();
    struct app_output *o = open_port(APP_OUT_AVR, 8, 8192);
    int slow = connect_to(app_output_port(o), 2048);
    int fast = connect_to(app_output_port(o), 0);
    struct want w = {o, 2, 0, 0};
    run_until(stats_are, &w);
    struct modes_frame f = long_frame();
    static uint8_t buf[1 << 20];
    size_t got = 0, sent = 0;
    /* 200,000 lines of 31 bytes: 6.2 MB, beyond what the slow client's
     * socket buffers (loopback autotunes the sender's up to 4 MiB) and
     * 8 KiB of queue hold */
    for (int i = 0; i < 200000; i++) {
        app_output_frame(o, &f, T0_MS);
        sent += 31;
        if (i % 100 == 99) {
            event_base_loop(base, EVLOOP_NONBLOCK);
            ssize_t n;
            while ((n = recv(fast, buf, sizeof buf, MSG_DONTWAIT)) > 0)
                got += (size_t)n;
        }
    }
    got += read_some(fast, buf, sizeof buf, sent - got);
    assert_int_equal(got, sent);
    const struct app_output_stats *s = app_output_stats(o);
    assert_int_equal(s->dropped, 1);
    assert_int_equal(s->clients, 1);
    assert_true(s->queued_max <= 8192);
    /* the slow client gets what was queued before the drop, then EOF */
    size_t n = 0;
    for (int i = 0; i < 5000; i++) {
        ssize_t k = recv(slow, buf, sizeof buf, MSG_DONTWAIT);
        if (k == 0)
            break;
        if (k > 0)
            n += (size_t)k;
        else
            poll(NULL, 0, 1);
    }
    assert_true(n < sent);
    close(slow);
    close(fast);
    app_output_free(o);
    event_base_free(base);
}

static void test_sbs_port(void **state)
{
    (void)state;
    base = event_base_new();
    struct app_output *o = open_port(APP_OUT_SBS, 4, OUT_MAX_QUEUE);
    int a = connect_to(app_output_port(o), 0);
    struct want w = {o, 1, 0, 0};
    run_until(stats_are, &w);
    struct report r = adsb(REP_HAS_CALLSIGN);
    strcpy(r.callsign, "SAS681");
    app_output_report(o, &r, T0_MS);
    r.kind = REP_PSR; /* not a Mode S message: skipped */
    app_output_report(o, &r, T0_MS);
    struct modes_frame f = long_frame(); /* frames do not go to sbs ports */
    app_output_frame(o, &f, T0_MS);
    static uint8_t buf[4096];
    size_t n = read_some(a, buf, sizeof buf - 1, 86);
    buf[n] = 0;
    assert_string_equal((char *)buf, "MSG,1,1,1,4840D6,1,2014/03/03,13:02:47.250,2014/03/03,"
                                     "13:02:47.250,SAS681,,,,,,,,,,,\r\n");
    assert_int_equal(app_output_stats(o)->messages, 1);
    assert_int_equal(app_output_stats(o)->skipped, 1);
    close(a);
    app_output_free(o);
    event_base_free(base);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_avr_line),
        cmocka_unit_test(test_sbs_lines),
        cmocka_unit_test(test_config),
        cmocka_unit_test(test_beast_port),
        cmocka_unit_test(test_slow_client_dropped),
        cmocka_unit_test(test_sbs_port),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
