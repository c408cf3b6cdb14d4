/*
 * test_outputs.c — `cairn run` under faults, and its output ports, with the
 * real binary on loopback.
 *
 * The centre dials two Beast receivers that the test plays on
 * kernel-chosen loopback ports: "feed" sends the Beast recording of
 * `cairn sim malmo-2014`, "junk" sends 64 KiB of seeded random bytes. It
 * serves three output ports ([output NAME]): Beast and SBS on 127.0.0.1,
 * AVR on [::1] (IPv6; skipped where the machine has no IPv6 loopback).
 *
 *  - outputs: what the Beast port sends is the feed's recording byte for
 *    byte (the frames as received, their 12 MHz counters and signal
 *    levels); the AVR port one `@`-line per frame with the same counter
 *    and reply; the SBS port MSG lines of 22 fields with SAS681's
 *    callsign; /api/sensors lists the ports with their clients, /metrics
 *    has cairn_output_*;
 *  - garbage: the junk sensor stays running, counts its errors, and the
 *    centre keeps serving (healthz 200, aircraft from the feed);
 *  - aircraft.json: tools/check_aircraft_json.py checks it against
 *    readsb's documented fields and units (skipped without python3);
 *  - a sensor that disconnects: the feed closes its connection;
 *    /api/sensors says the sensor is in backoff or connecting with its
 *    error, then the centre dials again by itself (retry_min_ms 100) and
 *    the feed's second recording brings its state back to running with
 *    more reports, and the outputs send that recording too;
 *  - SIGTERM: exit status 0.
 *
 * argv[1] is the cairn binary, argv[2] the checker script. No sleeps:
 * every wait is a poll() with a deadline (WAIT_MS at most for any one).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "decode/modes/avr.h"
#include "decode/modes/beast.h"
#include "integ_http.h"
#include "integ_proc.h"

#define WAIT_MS 30000 /* any one wait */

static const char *cairn_bin, *checker;
static char tmp[64];
static struct ip_proc d; /* the centre and its stderr */
static int port;
static char auth[160];
static int lis_feed = -1, lis_junk = -1;
static uint16_t port_feed, port_junk;
static uint16_t out_port[3]; /* beast, avr, sbs */
static int have_v6;
static uint8_t rec[1 << 17]; /* the Beast recording */
static size_t rec_len;
static struct ih_reply rep;

static int wait_log(const char *s)
{
    return ip_wait_log(&d, s, 0, WAIT_MS);
}

static int http(const char *method, const char *path, const char *body)
{
    return ih_request(&rep, port, method, path, auth, body);
}

static json_t *get_json(const char *path)
{
    assert_int_equal(http("GET", path, NULL), 200);
    return ih_json(&rep);
}

/* The input named name in /api/sensors (a new reference), or NULL. */
static json_t *input(json_t *sensors, const char *name)
{
    size_t i;
    json_t *in;
    json_array_foreach(json_object_get(sensors, "inputs"), i, in)
    {
        const char *n = json_string_value(json_object_get(in, "name"));
        if (n && !strcmp(n, name))
            return json_incref(in);
    }
    return NULL;
}

/* ------------------------------------------------------------- sockets */

static int accept_within(int lis)
{
    struct pollfd pf = {.fd = lis, .events = POLLIN};
    int64_t end = ih_now_ms() + WAIT_MS;
    while (ih_now_ms() < end) {
        ip_drain(0);
        if (poll(&pf, 1, 100) == 1)
            return accept(lis, NULL, NULL);
    }
    return -1;
}

static int connect_out(int v6, uint16_t p)
{
    int fd;
    if (v6) {
        fd = socket(AF_INET6, SOCK_STREAM, 0);
        struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_port = htons(p)};
        a.sin6_addr = in6addr_loopback;
        if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0)
            fail_msg("connect [::1]:%u: %s", p, strerror(errno));
    } else {
        fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(p)};
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0)
            fail_msg("connect 127.0.0.1:%u: %s", p, strerror(errno));
    }
    return fd;
}

static void send_all(int fd, const void *p, size_t n)
{
    assert_int_equal(ih_send_all(fd, p, n), 0);
}

/* Append what fd sends to *buf (cap) until want bytes or the deadline. */
static size_t recv_until(int fd, uint8_t *buf, size_t cap, size_t have, size_t want)
{
    int64_t end = ih_now_ms() + WAIT_MS;
    while (have < want && ih_now_ms() < end) {
        ip_drain(0);
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 100) != 1)
            continue;
        ssize_t n = recv(fd, buf + have, cap - have, 0);
        if (n <= 0)
            break;
        have += (size_t)n;
    }
    return have;
}

static int v6_loopback(void)
{
    int fd = socket(AF_INET6, SOCK_STREAM, 0);
    if (fd < 0)
        return 0;
    struct sockaddr_in6 a = {.sin6_family = AF_INET6};
    a.sin6_addr = in6addr_loopback;
    int ok = bind(fd, (struct sockaddr *)&a, sizeof a) == 0;
    close(fd);
    return ok;
}

/* ----------------------------------------------------------------- setup */

static int group_setup(void **state)
{
    (void)state;
    signal(SIGPIPE, SIG_IGN);
    if (ip_scratch(tmp, sizeof tmp, "outputs") != 0)
        return -1;
    if (ip_sh("'%s' sim malmo-2014 --out %s/sim --quiet --seed 1", cairn_bin, tmp) != 0)
        return -1;
    if (ip_account(cairn_bin, tmp, "duty", "correct-horse") != 0)
        return -1;
    char path[256];
    snprintf(path, sizeof path, "%s/sim/adsb.beast", tmp);
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    rec_len = fread(rec, 1, sizeof rec, f);
    fclose(f);
    if (rec_len == 0 || rec_len == sizeof rec)
        return -1;
    have_v6 = v6_loopback();
    lis_feed = ih_listen(&port_feed);
    lis_junk = ih_listen(&port_junk);
    static char conf[4096];
    snprintf(conf, sizeof conf,
             "[web]\nlisten = 127.0.0.1:0\naccounts = accounts\n"
             "[picture]\ncycle_ms = 200\n"
             "[adsb rx]\nlat = 55.6\nlon = 13.0\n"
             "[sensor feed]\nformat = beast\nconnect = 127.0.0.1:%u\nreceiver = rx\n"
             "retry_min_ms = 100\nretry_max_ms = 400\n"
             "[sensor junk]\nformat = beast\nconnect = 127.0.0.1:%u\nreceiver = rx\n"
             "retry_min_ms = 100\nretry_max_ms = 400\n"
             "[output beast-out]\nformat = beast\nlisten = 127.0.0.1:0\n"
             "[output avr-out]\nformat = avr\nlisten = %s:0\n"
             "[output sbs-out]\nformat = sbs\nlisten = 127.0.0.1:0\nmax_clients = 2\n",
             port_feed, port_junk, have_v6 ? "[::1]" : "127.0.0.1");
    snprintf(path, sizeof path, "%s/centre.ini", tmp);
    ip_write_file(path, conf);
    char *const args[] = {(char *)cairn_bin, "run", "-c", path, NULL};
    ip_spawn(&d, args, 0);
    if (!wait_log("centre cairn up")) {
        fprintf(stderr, "not up:\n%s\n", d.log);
        return -1;
    }
    static const char *const names[3] = {"output beast-out: beast on ", "output avr-out: avr on ",
                                         "output sbs-out: sbs on "};
    for (int i = 0; i < 3; i++) {
        const char *l = strstr(d.log, names[i]);
        const char *q = l ? strstr(l, "(port ") : NULL;
        if (!q || (out_port[i] = (uint16_t)atoi(q + 6)) == 0) {
            fprintf(stderr, "no port for %s:\n%s\n", names[i], d.log);
            return -1;
        }
    }
    if (!strstr(d.log, "web: listening on 127.0.0.1:0 (port "))
        return -1;
    port = ip_web_port(&d);
    return port > 0 ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    ip_kill(&d);
    if (lis_feed >= 0)
        close(lis_feed);
    if (lis_junk >= 0)
        close(lis_junk);
    return ip_scratch_remove(tmp);
}

/* ----------------------------------------------------------------- tests */

static int c_beast = -1, c_avr = -1, c_sbs = -1, c_feed = -1, c_junk = -1;
static uint8_t got_beast[1 << 18], got_avr[1 << 19], got_sbs[1 << 20];
static size_t n_beast, n_avr, n_sbs;

/* The number of clients each port has, from /api/sensors. */
static int out_clients(json_t *s, const char *name)
{
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(s, "outputs"), i, o)
    {
        const char *n = json_string_value(json_object_get(o, "name"));
        if (n && !strcmp(n, name))
            return (int)json_integer_value(json_object_get(o, "clients"));
    }
    return -1;
}

static void test_login_and_clients(void **state)
{
    (void)state;
    assert_int_equal(ih_login(&rep, port, "duty", "correct-horse", auth, sizeof auth), 200);
    c_beast = connect_out(0, out_port[0]);
    c_avr = connect_out(have_v6, out_port[1]);
    c_sbs = connect_out(0, out_port[2]);
    /* a third and fourth SBS client: max_clients = 2 refuses one */
    int extra1 = connect_out(0, out_port[2]), extra2 = connect_out(0, out_port[2]);
    int64_t end = ih_now_ms() + WAIT_MS;
    for (;;) {
        json_t *s = get_json("/api/sensors");
        int ok = out_clients(s, "beast-out") == 1 && out_clients(s, "avr-out") == 1 &&
                 out_clients(s, "sbs-out") == 2;
        json_decref(s);
        if (ok)
            break;
        if (ih_now_ms() > end)
            fail_msg("the output ports do not list their clients: %.800s", rep.body);
        ip_drain(50);
    }
    close(extra1);
    close(extra2);
    end = ih_now_ms() + WAIT_MS;
    for (;;) { /* the refused one was closed at once, the other left */
        json_t *s = get_json("/api/sensors");
        int ok = out_clients(s, "sbs-out") == 1;
        json_decref(s);
        if (ok)
            break;
        if (ih_now_ms() > end)
            fail_msg("sbs-out still has the extra clients: %.800s", rep.body);
        ip_drain(50);
    }
}

static void test_feeds_and_garbage(void **state)
{
    (void)state;
    c_feed = accept_within(lis_feed);
    c_junk = accept_within(lis_junk);
    assert_true(c_feed >= 0 && c_junk >= 0);
    /* garbage first, then the good feed: the junk must not disturb it */
    static uint8_t junk[65536];
    uint64_t x = 0x9E3779B97F4A7C15ull;
    for (size_t i = 0; i < sizeof junk; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        junk[i] = (uint8_t)x;
    }
    send_all(c_junk, junk, sizeof junk);
    send_all(c_feed, rec, rec_len);
    int64_t end = ih_now_ms() + WAIT_MS;
    for (;;) {
        json_t *s = get_json("/api/sensors");
        json_t *jk = input(s, "junk"), *fd = input(s, "feed");
        json_decref(s);
        assert_non_null(jk);
        assert_non_null(fd);
        int ok = json_integer_value(json_object_get(jk, "errors")) > 0 &&
                 json_integer_value(json_object_get(jk, "bytes")) == (json_int_t)sizeof junk &&
                 json_integer_value(json_object_get(fd, "bytes")) == (json_int_t)rec_len &&
                 json_integer_value(json_object_get(fd, "reports")) > 100;
        const char *st = json_string_value(json_object_get(jk, "state"));
        if (ok) {
            /* S6: garbage is counted, the sensor stays up */
            assert_string_equal(st, "running");
            json_t *live = json_object_get(jk, "live");
            assert_string_equal(json_string_value(json_object_get(live, "state")), "connected");
            assert_true(json_integer_value(json_object_get(live, "decode_errors")) > 0);
            assert_int_equal(json_integer_value(json_object_get(live, "disconnects")), 0);
            assert_string_equal(json_string_value(json_object_get(fd, "state")), "running");
            assert_non_null(json_object_get(fd, "last_data_ms"));
            assert_non_null(json_object_get(fd, "rate"));
        }
        json_decref(jk);
        json_decref(fd);
        if (ok)
            break;
        if (ih_now_ms() > end)
            fail_msg("the sensors did not take their bytes: %.1500s", rep.body);
        ip_drain(50);
    }
    assert_int_equal(http("GET", "/healthz", NULL), 200);
    /* the centre's picture from the good feed */
    end = ih_now_ms() + WAIT_MS;
    for (;;) {
        json_t *j = get_json("/data/aircraft.json");
        size_t na = json_array_size(json_object_get(j, "aircraft"));
        json_decref(j);
        if (na > 0)
            break;
        if (ih_now_ms() > end)
            fail_msg("no aircraft: %.300s", rep.body);
        ip_drain(50);
    }
}

/* The Beast port sends the recording byte for byte; the AVR port one line
 * per frame with its counter; the SBS port MSG lines. */
static void test_outputs(void **state)
{
    (void)state;
    n_beast = recv_until(c_beast, got_beast, sizeof got_beast, 0, rec_len);
    assert_int_equal(n_beast, rec_len);
    assert_memory_equal(got_beast, rec, rec_len);
    /* the frames of the recording, for the AVR lines */
    struct beast_parser bp;
    beast_parser_init(&bp);
    static struct modes_frame frames[8192];
    size_t nf = 0, off = 0;
    ssize_t k;
    while (off < rec_len && nf < 8192 &&
           (k = beast_parse(&bp, rec + off, rec_len - off, &frames[nf])) > 0) {
        off += (size_t)k;
        nf++;
    }
    assert_true(nf > 100);
    size_t avr_want = 0;
    for (size_t i = 0; i < nf; i++)
        avr_want += 1 + 12 + 2 * (size_t)frames[i].len + 2; /* '@' counter reply ';' LF */
    n_avr = recv_until(c_avr, got_avr, sizeof got_avr, 0, avr_want);
    assert_int_equal(n_avr, avr_want);
    struct avr_parser ap;
    avr_parser_init(&ap);
    off = 0;
    size_t i = 0;
    struct modes_frame g;
    while (off < n_avr && (k = avr_parse(&ap, got_avr + off, n_avr - off, &g)) > 0) {
        off += (size_t)k;
        assert_true(i < nf);
        assert_int_equal(g.len, frames[i].len);
        assert_memory_equal(g.data, frames[i].data, g.len);
        assert_int_equal(g.ts_12mhz, frames[i].ts_12mhz);
        i++;
    }
    assert_int_equal(i, nf);
    assert_int_equal(ap.st.bad_lines, 0);
    /* SBS: lines arrive as the reports do; wait for SAS681's */
    int64_t end = ih_now_ms() + WAIT_MS;
    while (ih_now_ms() < end) {
        n_sbs = recv_until(c_sbs, got_sbs, sizeof got_sbs - 1, n_sbs, n_sbs + 1);
        got_sbs[n_sbs] = 0;
        if (strstr((char *)got_sbs, ",SAS681,"))
            break;
    }
    assert_non_null(strstr((char *)got_sbs, ",SAS681,"));
    size_t lines = 0;
    for (char *l = (char *)got_sbs, *e; (e = strstr(l, "\r\n")) != NULL; l = e + 2) {
        *e = 0;
        if (!*l)
            continue; /* a heartbeat */
        assert_true(!strncmp(l, "MSG,", 4));
        int commas = 0;
        for (char *c = l; *c; c++)
            commas += *c == ',';
        if (commas != 21)
            fail_msg("not 22 fields: %s", l);
        lines++;
        *e = '\r';
    }
    assert_true(lines > 50);
    /* the ports in /metrics */
    assert_int_equal(http("GET", "/metrics", NULL), 200);
    char want[128];
    snprintf(want, sizeof want,
             "cairn_output_messages_total{output=\"beast-out\",format=\"beast\"} %zu", nf);
    if (!strstr(rep.body, want))
        fail_msg("no '%s' in the metrics", want);
    assert_non_null(strstr(rep.body, "cairn_output_clients{output=\"sbs-out\",format=\"sbs\"} 1"));
    assert_non_null(
        strstr(rep.body, "cairn_output_refused_total{output=\"sbs-out\",format=\"sbs\"} 1"));
    assert_non_null(
        strstr(rep.body, "cairn_output_dropped_total{output=\"avr-out\",format=\"avr\"} 0"));
}

/* aircraft.json checked against readsb's document by the script. The live
 * centre above dates a whole recording sent at wire speed at its moment of
 * reception (its tracks fly at millions of knots), so the check runs on a
 * second centre that replays the scenario at its pace (radar pcap and SBS
 * at x20): the picture an operator would see. */
static int has_squawk(void)
{
    if (http("GET", "/data/aircraft.json", NULL) != 200)
        return 0;
    return strstr(rep.body, "\"squawk\"") && strstr(rep.body, "\"flight\"");
}

static void test_aircraft_json(void **state)
{
    (void)state;
    if (system("command -v python3 >/dev/null 2>&1") != 0)
        skip();
    char path[256], conf[2048];
    snprintf(conf, sizeof conf,
             "[web]\nlisten = 127.0.0.1:0\naccounts = accounts\n"
             "[picture]\nsensors = %s/scenarios/malmo-2014.sensors.ini\n"
             "[replay radar]\ninput = pcap:sim/radar.pcap\nspeed = 20\n"
             "[replay adsb]\ninput = sbs:sim/adsb.sbs\nsensor = malmo-rx\nspeed = 20\n",
             CAIRN_SOURCE_DIR);
    snprintf(path, sizeof path, "%s/replay.ini", tmp);
    ip_write_file(path, conf);
    static struct ip_proc d2; /* beside the live centre, whose log is still read */
    char *const args[] = {(char *)cairn_bin, "run", "-c", path, NULL};
    ip_spawn(&d2, args, 0);
    int live_port = port;
    int ok = ip_wait_log(&d2, "centre cairn up", 0, WAIT_MS);
    port = ok && strstr(d2.log, "web: listening on 127.0.0.1:0 (port ") ? ip_web_port(&d2) : 0;
    int64_t end = ih_now_ms() + WAIT_MS;
    while (port > 0 && !has_squawk() && ih_now_ms() < end)
        ip_drain(100);
    int rc = -1;
    if (port > 0 && has_squawk()) {
        char cmd[1024];
        snprintf(cmd, sizeof cmd,
                 "python3 '%s' --min-aircraft 2 "
                 "--require hex,type,flight,alt_baro,gs,track,baro_rate,squawk,emergency,lat,lon,"
                 "seen_pos,seen,messages http://127.0.0.1:%d/data/aircraft.json >&2",
                 checker, port);
        rc = system(cmd);
    }
    kill(d2.pid, SIGTERM);
    int st = ip_reap(&d2, WAIT_MS);
    port = live_port;
    if (!ok || rc != 0)
        fail_msg("aircraft.json check failed (%d):\n%s", rc, d2.log);
    assert_int_equal(st, 0);
}

/* The feed drops its connection and comes back: the centre says so, dials
 * again by itself and recovers; the outputs pass on the second recording. */
static void test_disconnect_and_return(void **state)
{
    (void)state;
    json_t *s = get_json("/api/sensors");
    json_t *fd = input(s, "feed");
    json_int_t reports0 = json_integer_value(json_object_get(fd, "reports"));
    json_int_t errors0 = json_integer_value(json_object_get(fd, "errors"));
    json_decref(fd);
    json_decref(s);
    close(c_feed);
    /* seen as down: backoff or connecting (the retry is 100-400 ms away,
     * and the test's listener accepts in the kernel: either state may be
     * caught, or running again on the new connection) with its error */
    int64_t end = ih_now_ms() + WAIT_MS;
    for (;;) {
        s = get_json("/api/sensors");
        fd = input(s, "feed");
        json_decref(s);
        json_int_t errors = json_integer_value(json_object_get(fd, "errors"));
        const char *detail = json_string_value(json_object_get(fd, "detail"));
        int ok = errors > errors0 && detail && *detail;
        json_decref(fd);
        if (ok)
            break;
        if (ih_now_ms() > end)
            fail_msg("the disconnection is not shown: %.1500s", rep.body);
        ip_drain(50);
    }
    c_feed = accept_within(lis_feed); /* the centre dialled again */
    assert_true(c_feed >= 0);
    send_all(c_feed, rec, rec_len);
    end = ih_now_ms() + WAIT_MS;
    for (;;) {
        s = get_json("/api/sensors");
        fd = input(s, "feed");
        json_decref(s);
        const char *st = json_string_value(json_object_get(fd, "state"));
        int ok = st && !strcmp(st, "running") &&
                 json_integer_value(json_object_get(fd, "reports")) > reports0 + reports0 / 2;
        json_decref(fd);
        if (ok)
            break;
        if (ih_now_ms() > end)
            fail_msg("the feed did not recover: %.1500s", rep.body);
        ip_drain(50);
    }
    /* the sensor's own account: connected again, after one disconnection */
    s = get_json("/api/sensors");
    fd = input(s, "feed");
    json_decref(s);
    json_t *live = json_object_get(fd, "live");
    assert_string_equal(json_string_value(json_object_get(live, "state")), "connected");
    assert_int_equal(json_integer_value(json_object_get(live, "disconnects")), 1);
    assert_true(json_integer_value(json_object_get(live, "connects")) >= 2);
    assert_int_equal(json_integer_value(json_object_get(live, "decode_errors")), 0);
    json_decref(fd);
    assert_int_equal(http("GET", "/healthz", NULL), 200);
    assert_int_equal(http("GET", "/metrics", NULL), 200);
    assert_non_null(strstr(rep.body, "cairn_input_up{input=\"feed\",kind=\"sensor\"} 1"));
    /* the second recording through the Beast port as well */
    size_t n = recv_until(c_beast, got_beast, sizeof got_beast, n_beast, n_beast + rec_len);
    assert_int_equal(n, 2 * rec_len);
    assert_memory_equal(got_beast + rec_len, rec, rec_len);
}

static void test_sigterm(void **state)
{
    (void)state;
    assert_int_equal(kill(d.pid, SIGTERM), 0);
    assert_int_equal(ip_reap(&d, WAIT_MS), 0);
    close(c_beast);
    close(c_avr);
    close(c_sbs);
    close(c_feed);
    close(c_junk);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: test_outputs CAIRN_BINARY CHECKER_SCRIPT\n");
        return 2;
    }
    cairn_bin = argv[1];
    checker = argv[2];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_login_and_clients),
        cmocka_unit_test(test_feeds_and_garbage),
        cmocka_unit_test(test_outputs),
        cmocka_unit_test(test_aircraft_json),
        cmocka_unit_test(test_disconnect_and_return),
        cmocka_unit_test(test_sigterm),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
