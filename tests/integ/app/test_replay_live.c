/*
 * test_replay_live.c — `cairn replay` into a running centre (app/replay_to.h)
 * with the real binary on 127.0.0.1.
 *
 * One centre (`cairn run`) listens with three [sensor] sections: Beast
 * over TCP, AIS NMEA over TCP, ASTERIX over UDP, on ports taken free just
 * before. Small recordings come from `cairn sim` (malmo-2014 and baltic-sea,
 * 10 s each, dated 2014 and 2016). Then:
 *   - Beast by `-c centre.ini --sensor NAME --speed 5`: the 10 s recording
 *     takes about 2 s (pacing: not under 1.8 s, not near the 9.5 s of x1),
 *     every byte reaches the sensor (/api/sensors bytes = the file's size)
 *     and the aircraft is a current track (/api/tracks age near 0);
 *   - AIS NMEA by `--to HOST:PORT` at max speed: vessels appear current,
 *     though the recording's TAG block times are of 2016 (re-stamped);
 *   - ASTERIX (pcap) by `--sensor` over UDP: radar tracks current, though
 *     the recording's times of day are 13:00 (re-stamped);
 *   - faults: a refused connection, a missing file, a sensor of another
 *     format, the far end closing mid-way, SIGINT mid-way: a message and
 *     the documented exit status, never a crash;
 *   - `--to [::1]:PORT` into a listener of the test: byte for byte.
 * Every wait has a deadline (poll on the children's pipes, no sleeps).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "integ_http.h"
#include "integ_proc.h"

#define WAIT_MS 30000 /* any one wait */
#define FRESH_S 20.0  /* a track this old (or this far ahead) at most is current */
#define SPEED   5     /* the paced replay */

static const char *cairn_bin;
static char dir[64], conf[160];
static struct ip_proc centre, rp; /* the centre, the replay client */
static int web, p_beast, p_ais, p_radar;
static char tok[160];
static struct ih_reply rep;
static int setup_ok;

static int group_setup(void **state)
{
    (void)state;
    signal(SIGPIPE, SIG_IGN);
    if (ip_scratch(dir, sizeof dir, "replay-live") != 0)
        return -1;
    if (ip_sh("'%s' sim malmo-2014 --out %s/air --duration 10 --quiet --seed 1", cairn_bin, dir) !=
            0 ||
        ip_sh("'%s' sim baltic-sea --out %s/sea --duration 10 --quiet --seed 1 --formats ais",
              cairn_bin, dir) != 0)
        return -1;
    if (ip_account(cairn_bin, dir, "duty", "correct-horse") != 0)
        return -1;
    p_beast = ip_free_port();
    p_ais = ip_free_port();
    p_radar = ip_free_port();
    if (p_beast <= 0 || p_ais <= 0 || p_radar <= 0)
        return -1;
    char text[1024];
    snprintf(text, sizeof text,
             "[web]\nlisten = 127.0.0.1:0\naccounts = accounts\n\n"
             "[picture]\ncycle_ms = 200\nsensors = %s/scenarios/malmo-2014.sensors.ini\n\n"
             "[sensor rx]\nformat = beast\nlisten = 127.0.0.1:%d\n\n"
             "[sensor coast]\nformat = nmea\nlisten = 127.0.0.1:%d\n\n"
             "[sensor radar]\nformat = asterix\nudp = 127.0.0.1:%d\n",
             CAIRN_SOURCE_DIR, p_beast, p_ais, p_radar);
    snprintf(conf, sizeof conf, "%s/centre.ini", dir);
    ip_write_file(conf, text);
    char *const args[] = {(char *)cairn_bin, "run", "-c", conf, NULL};
    ip_spawn(&centre, args, 0);
    if (!ip_wait_log(&centre, "centre cairn up", 0, WAIT_MS)) {
        fprintf(stderr, "centre not up:\n%s\n", centre.log);
        return -1;
    }
    web = ip_web_port(&centre);
    if (web <= 0 || ih_login(&rep, web, "duty", "correct-horse", tok, sizeof tok) != 200)
        return -1;
    setup_ok = 1;
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    ip_kill(&rp);
    ip_kill(&centre);
    return ip_scratch_remove(dir);
}

/* Run `cairn replay ARGS...` (NULL-terminated) to its end: its exit status,
 * its log in rp.log, the wall time it took in *ms (may be NULL). */
static int replay(int64_t *ms, ...)
{
    char *args[16];
    int n = 0;
    args[n++] = (char *)cairn_bin;
    args[n++] = "replay";
    va_list ap;
    va_start(ap, ms);
    char *a;
    while ((a = va_arg(ap, char *)) != NULL && n < 15)
        args[n++] = a;
    va_end(ap);
    args[n] = NULL;
    int64_t t0 = ih_now_ms();
    ip_spawn(&rp, args, IP_STDOUT);
    int st = ip_reap(&rp, WAIT_MS);
    if (ms)
        *ms = ih_now_ms() - t0;
    return st;
}

/* The wall seconds the client says it took ("... in 1.92 s: ..."), or -1. */
static double said_wall_s(void)
{
    const char *p = strstr(rp.log, ") to ");
    p = p ? strstr(p, " in ") : NULL;
    return p ? strtod(p + 4, NULL) : -1.0;
}

/* The /api/sensors input named name: its counter key, or -1. */
static long long sensor_count(const char *name, const char *key)
{
    assert_int_equal(ih_request(&rep, web, "GET", "/api/sensors", tok, NULL), 200);
    json_t *j = ih_json(&rep), *in;
    size_t i;
    long long v = -1;
    json_array_foreach(json_object_get(j, "inputs"), i, in)
    {
        const char *nm = json_string_value(json_object_get(in, "name"));
        if (nm && !strcmp(nm, name))
            v = (long long)json_integer_value(json_object_get(in, key));
    }
    json_decref(j);
    return v;
}

/* Wait for a track fed by source (a key of its "sources": "adsb", "ais",
 * "psr"...) whose age is within FRESH_S of the centre's now. */
static void await_current_track(const char *source)
{
    int64_t end = ih_now_ms() + WAIT_MS;
    double age = NAN;
    for (;;) {
        assert_int_equal(ih_request(&rep, web, "GET", "/api/tracks", tok, NULL), 200);
        json_t *j = ih_json(&rep), *t;
        size_t i;
        int found = 0;
        json_array_foreach(json_object_get(j, "tracks"), i, t)
        {
            json_t *src = json_object_get(json_object_get(t, "sources"), source);
            if (!src)
                continue;
            age = json_number_value(json_object_get(t, "age_s"));
            if (fabs(age) <= FRESH_S)
                found = 1;
        }
        json_decref(j);
        if (found)
            return;
        if (ih_now_ms() > end)
            fail_msg("no current %s track (last age %.1f s): %.600s", source, age, rep.body);
        ip_drain(100);
    }
}

static off_t file_size(const char *path)
{
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    return sb.st_size;
}

static void test_beast_paced(void **state)
{
    (void)state;
    char in[160], speed[8];
    snprintf(in, sizeof in, "%s/air/adsb.beast", dir);
    snprintf(speed, sizeof speed, "%d", SPEED);
    int64_t ms;
    int st = replay(&ms, "-c", conf, "--sensor", "rx", "--speed", speed, in, NULL);
    if (st != 0)
        fail_msg("replay ended %d: %s", st, rp.log);
    /* the recording spans 9.5 s of frames: 1.9 s at x5. Not faster (the
     * pacing), and far from x1's 9.5 s (a loaded machine may add startup) */
    double said = said_wall_s();
    printf("beast at x%d: %.2f s by the client's count, %lld ms from start to exit\n", SPEED, said,
           (long long)ms);
    assert_true(ms >= 1800);
    assert_true(said >= 1.8 && said <= 4.0);
    await_current_track("adsb");
    /* every byte arrived at the sensor, as recorded */
    int64_t end = ih_now_ms() + WAIT_MS;
    while (sensor_count("rx", "bytes") != (long long)file_size(in)) {
        if (ih_now_ms() > end)
            fail_msg("sensor rx has %lld bytes of %lld", sensor_count("rx", "bytes"),
                     (long long)file_size(in));
        ip_drain(100);
    }
    assert_true(sensor_count("rx", "reports") > 0);
}

static void test_ais_restamped(void **state)
{
    (void)state;
    char in[160], to[32];
    snprintf(in, sizeof in, "nmea:%s/sea/ais.nmea", dir);
    snprintf(to, sizeof to, "127.0.0.1:%d", p_ais);
    int st = replay(NULL, "--to", to, "--speed", "max", in, NULL);
    if (st != 0)
        fail_msg("replay ended %d: %s", st, rp.log);
    assert_null(strstr(rp.log, " 0 re-stamped"));
    await_current_track("ais");
    assert_true(sensor_count("coast", "reports") > 0);
}

static void test_asterix_udp(void **state)
{
    (void)state;
    char in[160];
    snprintf(in, sizeof in, "%s/air/radar.pcap", dir);
    int st = replay(NULL, "-c", conf, "--sensor", "radar", "--speed", "20", in, NULL);
    if (st != 0)
        fail_msg("replay ended %d: %s", st, rp.log);
    await_current_track("psr");
    assert_true(sensor_count("radar", "reports") > 0);
}

static void test_faults(void **state)
{
    (void)state;
    char in[160], to[32];
    snprintf(in, sizeof in, "%s/air/adsb.beast", dir);
    /* nobody listens there */
    int free_port = ip_free_port();
    snprintf(to, sizeof to, "127.0.0.1:%d", free_port);
    assert_int_equal(replay(NULL, "--to", to, in, NULL), 1);
    assert_non_null(strstr(rp.log, "cannot connect"));
    /* a missing recording */
    snprintf(to, sizeof to, "127.0.0.1:%d", p_beast);
    assert_int_equal(replay(NULL, "--to", to, "beast:/nonexistent/x.beast", NULL), 1);
    assert_non_null(strstr(rp.log, "No such file"));
    /* a recording of another format than the sensor's */
    char sbs[160];
    snprintf(sbs, sizeof sbs, "%s/air/adsb.sbs", dir);
    assert_int_equal(replay(NULL, "-c", conf, "--sensor", "rx", sbs, NULL), 2);
    assert_non_null(strstr(rp.log, "the sensor takes beast"));
    /* usage */
    assert_int_equal(replay(NULL, "--to", "127.0.0.1", in, NULL), 2);
    assert_int_equal(replay(NULL, "--to", to, "--speed", "0", in, NULL), 2);

    /* the far end closes mid-way, then SIGINT mid-way: a listener of the test */
    uint16_t lp;
    int ls = ih_listen(&lp);
    snprintf(to, sizeof to, "127.0.0.1:%u", lp);
    for (int round = 0; round < 2; round++) {
        char *const args[] = {(char *)cairn_bin, "replay", "--to", to, in, NULL};
        ip_spawn(&rp, args, IP_STDOUT);
        struct pollfd pf = {.fd = ls, .events = POLLIN};
        assert_int_equal(poll(&pf, 1, WAIT_MS), 1);
        int c = accept(ls, NULL, NULL);
        assert_true(c >= 0);
        /* the first frame comes at once; at x1 the rest take 9.5 s */
        char buf[64];
        pf = (struct pollfd){.fd = c, .events = POLLIN};
        assert_int_equal(poll(&pf, 1, WAIT_MS), 1);
        assert_true(recv(c, buf, sizeof buf, 0) > 0);
        if (round == 0) {
            close(c);
            assert_int_equal(ip_reap(&rp, WAIT_MS), 1);
            assert_non_null(strstr(rp.log, "closed the connection"));
        } else {
            assert_int_equal(kill(rp.pid, SIGINT), 0);
            assert_int_equal(ip_reap(&rp, WAIT_MS), 128 + SIGINT);
            assert_non_null(strstr(rp.log, "stopped after"));
            close(c);
        }
    }
    close(ls);
    /* the centre took none of it amiss */
    assert_int_equal(ih_request(&rep, web, "GET", "/healthz", NULL, NULL), 200);
}

/* --to [::1]:PORT: the address parser's IPv6 form; the test's listener gets
 * the recording byte for byte (at max speed). Without IPv6 on loopback the
 * case says so and passes. */
static void test_ipv6_to(void **state)
{
    (void)state;
    int ls = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
    socklen_t al = sizeof a;
    if (ls < 0 || bind(ls, (struct sockaddr *)&a, sizeof a) != 0 || listen(ls, 1) != 0 ||
        getsockname(ls, (struct sockaddr *)&a, &al) != 0) {
        printf("no IPv6 on loopback: case not run\n");
        if (ls >= 0)
            close(ls);
        return;
    }
    char in[160], to[64];
    snprintf(in, sizeof in, "%s/air/adsb.beast", dir);
    snprintf(to, sizeof to, "[::1]:%u", ntohs(a.sin6_port));
    char *const args[] = {(char *)cairn_bin, "replay", "--to", to, "--speed", "max", in, NULL};
    ip_spawn(&rp, args, IP_STDOUT);
    struct pollfd pf = {.fd = ls, .events = POLLIN};
    assert_int_equal(poll(&pf, 1, WAIT_MS), 1);
    int c = accept(ls, NULL, NULL);
    assert_true(c >= 0);
    static uint8_t got[1 << 16];
    size_t n = 0;
    int64_t end = ih_now_ms() + WAIT_MS;
    for (;;) {
        pf = (struct pollfd){.fd = c, .events = POLLIN};
        assert_int_equal(poll(&pf, 1, (int)(end - ih_now_ms())), 1);
        ssize_t g = recv(c, got + n, sizeof got - n, 0);
        assert_true(g >= 0);
        if (g == 0)
            break;
        n += (size_t)g;
        assert_true(n < sizeof got);
    }
    close(c);
    close(ls);
    assert_int_equal(ip_reap(&rp, WAIT_MS), 0);
    FILE *f = fopen(in, "rb");
    assert_non_null(f);
    static uint8_t want[1 << 16];
    size_t wn = fread(want, 1, sizeof want, f);
    fclose(f);
    assert_int_equal(n, wn);
    assert_memory_equal(got, want, n);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_replay_live CAIRN_BINARY\n");
        return 2;
    }
    cairn_bin = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_beast_paced), cmocka_unit_test(test_ais_restamped),
        cmocka_unit_test(test_asterix_udp), cmocka_unit_test(test_faults),
        cmocka_unit_test(test_ipv6_to),
    };
    int rc = cmocka_run_group_tests(tests, group_setup, group_teardown);
    return rc || !setup_ok ? 1 : 0;
}
