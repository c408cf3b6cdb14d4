/*
 * test_reload.c — SIGHUP reloads a running `cairn run` (docs/centre.md,
 * "Signals"): the real binary on 127.0.0.1, its [sensor NAME] sections
 * listening Beast ports that the test feeds as a receiver would.
 *
 *  1. one sensor A; the test connects to it and sends frames (A's bytes
 *     and connects in /api/sensors);
 *  2. the file gains sensor B (A unchanged), SIGHUP: both listed, A kept —
 *     the same connection, its byte count going on (not restarted: one
 *     connect, the test's socket still open), B listening on its port;
 *  3. B changed (max_clients), SIGHUP: B restarted, A still kept;
 *  4. A removed, SIGHUP: A gone from /api/sensors, the test's connection
 *     to it closed by the centre, its port refusing;
 *  4b. the [picture] zones file rewritten, SIGHUP: "needs a restart" said
 *     (its contents are read at start only);
 *  5. a broken file, SIGHUP: refused (logged, cairn_reload_errors_total),
 *     the set as it was, the centre answering.
 *
 * argv[1] is the cairn binary. No sleeps: every wait polls the daemon's
 * stderr pipe or the API against a deadline.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "integ_http.h"
#include "integ_proc.h"

#define WAIT_MS 20000 /* any one wait */

static const char *cairn_bin;
static char dir[64], conf_path[128];
static struct ip_proc d;
static int web_port, port_a, port_b;
static char token[128];
static struct ih_reply rep;
static const char *web_extra = ""; /* more [web] keys */

/* The configuration: sensor A and/or B (B with max_clients b_max). */
static void write_conf(int with_a, int with_b, int b_max)
{
    char text[1024];
    int n = snprintf(text, sizeof text,
                     "[web]\nlisten = 127.0.0.1:0\naccounts = accounts\n%s\n"
                     "[picture]\nzones = zones.geojson\n\n",
                     web_extra);
    if (with_a)
        n += snprintf(text + n, sizeof text - (size_t)n,
                      "[sensor A]\nformat = beast\nlisten = 127.0.0.1:%d\n\n", port_a);
    if (with_b)
        n += snprintf(text + n, sizeof text - (size_t)n,
                      "[sensor B]\nformat = beast\nlisten = 127.0.0.1:%d\nmax_clients = %d\n\n",
                      port_b, b_max);
    ip_write_file(conf_path, text);
}

/* The [picture] zones file: one caution area of that name. */
static void write_zones(const char *name)
{
    char path[160], text[512];
    snprintf(path, sizeof path, "%s/zones.geojson", dir);
    snprintf(text, sizeof text,
             "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
             "\"properties\":{\"name\":\"%s\",\"kind\":\"caution\"},"
             "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
             "[[[18,54],[19,54],[19,55],[18,55],[18,54]]]}}]}\n",
             name);
    ip_write_file(path, text);
}

/* SIGHUP and the reload's summary line in the log (returned: the log from
 * the signal on, for the caller to read). */
static const char *hup(const char *expect)
{
    size_t from = d.len;
    assert_int_equal(kill(d.pid, SIGHUP), 0);
    if (!ip_wait_log(&d, expect, from, WAIT_MS))
        fail_msg("no '%s' after SIGHUP:\n%s", expect, d.log + from);
    return d.log + from;
}

/* The live sensor name in /api/sensors (a new reference), or NULL when it
 * is not listed. */
static json_t *sensor_of(json_t *j, const char *name)
{
    json_t *in = json_object_get(j, "inputs"), *e;
    size_t i;
    json_array_foreach(in, i, e)
    {
        const char *n = json_string_value(json_object_get(e, "name"));
        if (n && !strcmp(n, name))
            return json_incref(json_object_get(e, "live"));
    }
    return NULL;
}

static json_t *get_sensors(void)
{
    assert_int_equal(ih_request(&rep, web_port, "GET", "/api/sensors", token, NULL), 200);
    return ih_json(&rep);
}

static uint64_t num(json_t *live, const char *k)
{
    return (uint64_t)json_integer_value(json_object_get(live, k));
}

/* Wait until sensor name shows bytes >= min (and, unless NULL, the state);
 * its live object (a new reference). */
static json_t *wait_sensor(const char *name, uint64_t min_bytes, const char *state)
{
    int64_t end = ih_now_ms() + WAIT_MS;
    for (;;) {
        json_t *j = get_sensors();
        json_t *s = sensor_of(j, name);
        json_decref(j);
        if (s && num(s, "bytes") >= min_bytes &&
            (!state || !strcmp(json_string_value(json_object_get(s, "state")), state)))
            return s;
        json_decref(s);
        if (ih_now_ms() > end)
            fail_msg("sensor %s: no %llu bytes / state %s: %s", name, (unsigned long long)min_bytes,
                     state ? state : "-", rep.body);
        ip_drain(50); /* the daemon's log read meanwhile; the wait between polls */
    }
}

/* A Beast Mode A/C frame: <1a> '1', a 6-byte counter, a signal byte, two
 * bytes of code (none of them 0x1a). 11 bytes. */
static const uint8_t frame[11] = {0x1a, 0x31, 0, 0, 0, 0, 0, 1, 0x40, 0x12, 0x34};

/* 1 when fd's peer closed it (or it failed) within ms, 0 when it is open. */
static int closed_within(int fd, int ms)
{
    struct pollfd pf = {.fd = fd, .events = POLLIN};
    int64_t end = ih_now_ms() + ms;
    for (;;) {
        int left = (int)(end - ih_now_ms());
        int r = poll(&pf, 1, left > 0 ? (left < 50 ? left : 50) : 0);
        if (r > 0) {
            char b[64];
            ssize_t k = recv(fd, b, sizeof b, MSG_DONTWAIT);
            if (k <= 0 && !(k < 0 && (errno == EAGAIN || errno == EINTR)))
                return 1;
        }
        if (ih_now_ms() >= end)
            return 0;
        ip_drain(0);
    }
}

static void test_reload(void **state)
{
    (void)state;
    signal(SIGPIPE, SIG_IGN);
    assert_int_equal(ip_scratch(dir, sizeof dir, "reload"), 0);
    assert_int_equal(ip_account(cairn_bin, dir, "duty", "correct-horse"), 0);
    port_a = ip_free_port();
    port_b = ip_free_port();
    assert_true(port_a > 0 && port_b > 0 && port_a != port_b);
    snprintf(conf_path, sizeof conf_path, "%s/centre.ini", dir);
    write_conf(1, 0, 8);
    write_zones("CAUTION-1");
    /* the file named relative to the working folder: a reload reads the
     * same file, and its relative paths (accounts) stay the same */
    assert_int_equal(chdir(dir), 0);
    char *const args[] = {(char *)cairn_bin, "run", "-c", "centre.ini", NULL};
    ip_spawn(&d, args, 0);
    if (!ip_wait_log(&d, "centre cairn up", 0, WAIT_MS))
        fail_msg("not up:\n%s", d.log);
    web_port = ip_web_port(&d);
    assert_true(web_port > 0);
    assert_int_equal(ih_login(&rep, web_port, "duty", "correct-horse", token, sizeof token), 200);

    /* 1. a receiver pushing to A */
    json_t *a = wait_sensor("A", 0, "listening");
    json_decref(a);
    int fa = ih_connect(port_a);
    assert_true(fa >= 0);
    assert_int_equal(ih_send_all(fa, frame, sizeof frame), 0);
    a = wait_sensor("A", sizeof frame, NULL);
    assert_int_equal(num(a, "connects"), 1);
    assert_int_equal(num(a, "clients"), 1);
    json_decref(a);

    /* 2. B added, A untouched */
    write_conf(1, 1, 8);
    const char *log = hup("reloaded ");
    assert_non_null(strstr(log, "added 1, removed 0, restarted 0, kept 1"));
    assert_null(strstr(log, "needs a restart")); /* the same file elsewhere */
    json_t *b = wait_sensor("B", 0, "listening");
    assert_int_equal(num(b, "local_port"), port_b);
    json_decref(b);
    assert_false(closed_within(fa, 200));
    assert_int_equal(ih_send_all(fa, frame, sizeof frame), 0);
    a = wait_sensor("A", 2 * sizeof frame, NULL); /* counting on: the same sensor */
    assert_int_equal(num(a, "connects"), 1);
    assert_int_equal(num(a, "clients"), 1);
    json_decref(a);
    int fb = ih_connect(port_b);
    assert_true(fb >= 0);
    close(fb);

    /* 3. B changed: restarted; A still kept; a restart-only key said so */
    web_extra = "stream_ms = 200\n";
    write_conf(1, 1, 4);
    log = hup("reloaded ");
    assert_non_null(strstr(log, "added 0, removed 0, restarted 1, kept 1"));
    assert_non_null(strstr(log, "[web] stream_ms changed: needs a restart"));
    assert_non_null(strstr(log, "1 change(s) need a restart"));
    web_extra = "";
    b = wait_sensor("B", 0, "listening"); /* on its port again */
    assert_int_equal(num(b, "local_port"), port_b);
    assert_int_equal(num(b, "connects"), 0); /* a new sensor: counters from 0 */
    json_decref(b);
    assert_false(closed_within(fa, 100));
    a = wait_sensor("A", 2 * sizeof frame, NULL);
    assert_int_equal(num(a, "connects"), 1);
    json_decref(a);

    /* 4. A removed: gone, its connection and port closed */
    write_conf(0, 1, 4);
    log = hup("reloaded ");
    assert_non_null(strstr(log, "added 0, removed 1, restarted 0, kept 1"));
    assert_null(strstr(log, "needs a restart"));
    json_t *j = get_sensors();
    a = sensor_of(j, "A");
    assert_null(a);
    b = sensor_of(j, "B");
    assert_non_null(b);
    json_decref(b);
    json_decref(j);
    assert_true(closed_within(fa, WAIT_MS));
    close(fa);
    assert_int_equal(ih_connect(port_a), -1);

    /* 4b. the zones file's contents changed (its path not): read at start
     * only, and the reload says so */
    write_zones("CAUTION-2");
    log = hup("reloaded ");
    assert_non_null(strstr(log, "[picture] zones file changed: needs a restart"));
    assert_non_null(strstr(log, "kept 1, failed 0; 1 change(s) need a restart"));

    /* 5. a broken file: refused, nothing changed */
    ip_write_file(conf_path, "[web]\nlisten = 127.0.0.1:0\n[sensor B\x01\n");
    log = hup("reload refused, nothing changed");
    assert_non_null(strstr(log, "line 3")); /* where the file broke */
    j = get_sensors();
    a = sensor_of(j, "A");
    assert_null(a);
    b = sensor_of(j, "B");
    assert_non_null(b);
    assert_int_equal(num(b, "local_port"), port_b);
    json_decref(b);
    json_decref(j);
    fb = ih_connect(port_b);
    assert_true(fb >= 0);
    close(fb);
    assert_int_equal(ih_request(&rep, web_port, "GET", "/metrics", NULL, NULL), 200);
    assert_non_null(strstr(rep.body, "cairn_reload_errors_total 1"));
    assert_non_null(strstr(rep.body, "cairn_reloads_total 5"));
    /* the control byte did not reach the log raw */
    assert_null(strchr(d.log, 0x01));

    assert_int_equal(kill(d.pid, SIGTERM), 0);
    assert_int_equal(ip_reap(&d, WAIT_MS), 0);
}

static int teardown(void **state)
{
    (void)state;
    ip_kill(&d);
    return dir[0] ? ip_scratch_remove(dir) : 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_reload CAIRN_BINARY\n");
        return 2;
    }
    static char bin[4096];
    if (!realpath(argv[1], bin)) {
        fprintf(stderr, "test_reload: %s: %s\n", argv[1], strerror(errno));
        return 2;
    }
    cairn_bin = bin;
    const struct CMUnitTest tests[] = {cmocka_unit_test_teardown(test_reload, teardown)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
