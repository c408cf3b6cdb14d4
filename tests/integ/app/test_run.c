/*
 * test_run.c — `cairn run` end to end: the real binary with a temporary
 * configuration on 127.0.0.1 (a port the kernel picks, learnt from the
 * daemon's log line and checked against its port file), fed a replay of
 * `cairn sim malmo-2014` (radar.pcap and adsb.sbs) at ×10 (a minute of
 * wall time for the 600 s scenario: the tracks outlive every wait).
 *
 *  - GET /api/tracks without a session: 401; /data/aircraft.json from
 *    loopback without one: 200; /metrics and /healthz open;
 *  - POST /api/login with the account `cairn passwd` made, then tracks in
 *    /api/tracks (the Il-20 primary-only, SAS681 with its callsign), the
 *    NO_TRANSPONDER alert in /api/alerts, both replays in /api/sensors,
 *    the radio contact set through POST /api/tracks/ID/radio and seen in
 *    the track's detail; "tracks" events on /api/events (one line each,
 *    {"now_ms","tracks":[...]}, one of them between two cycles); the alert
 *    acknowledged (POST /api/alerts/ID/ack) and its "ack" in the reply,
 *    /api/alerts and an "alert" event; the metrics
 *    (cycle lateness, reports, inputs);
 *  - SIGHUP re-reads the accounts (its log line); SIGTERM stops it with
 *    exit status 0;
 *  - a configuration with an unknown key is refused with its line number,
 *    exit 2;
 *  - a centre with the hotline embedded ([hotline], keys from `cairn
 *    keygen`, journal from `cairn hotline --init`): /api/link, a message
 *    sent through POST /api/messages listed and its case opened, unknown
 *    messages 404, `cairn msg status` over the control socket, SIGTERM
 *    exit 0 and the control socket removed;
 *  - a live Beast sensor: a callsign change with no position after it is
 *    on /api/events at the next flush, the track still confirmed.
 *
 * argv[1] is the cairn binary. No sleeps: every wait is a poll() on the
 * daemon's stderr pipe with a deadline (30 s at most for any one wait).
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
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "decode/modes/beast.h"
#include "decode/modes/encode.h"
#include "decode/modes/frame.h"
#include "integ_http.h"
#include "integ_proc.h"

#define WAIT_MS 30000 /* any one wait: the replay shows what is awaited within seconds */

static const char *cairn_bin;
static char tmp[64];
static struct ip_proc d; /* the daemon and its stderr */
static int port;
static char token[128];
static int setups_ok; /* group setups that succeeded */
static struct ih_reply rep;

static int wait_log(const char *s, size_t from)
{
    return ip_wait_log(&d, s, from, WAIT_MS);
}

/* One request on a fresh connection (HTTP/1.0: the reply ends at close). */
static int http(const char *method, const char *path, const char *auth, const char *body)
{
    return ih_request(&rep, port, method, path, auth, body);
}

static json_t *body_json(void)
{
    return ih_json(&rep);
}

static void spawn_args(char *const args[])
{
    ip_spawn(&d, args, 0);
}

static void spawn(const char *conf)
{
    char *const args[] = {(char *)cairn_bin, "run", "-c", (char *)conf, NULL};
    spawn_args(args);
}

static int group_setup(void **state)
{
    (void)state;
    signal(SIGPIPE, SIG_IGN);
    if (ip_scratch(tmp, sizeof tmp, "run") != 0)
        return -1;
    if (ip_sh("'%s' sim malmo-2014 --out %s/sim --quiet --seed 1", cairn_bin, tmp) != 0)
        return -1;
    /* an account, made by `cairn passwd` from standard input */
    if (ip_account(cairn_bin, tmp, "duty", "correct-horse") != 0)
        return -1;
    char path[256], conf[2048];
    snprintf(conf, sizeof conf,
             "; test centre\n"
             "[centre]\nname = test-cc\nparty = nato\n\n"
             "[web]\nlisten = 127.0.0.1:0\naccounts = accounts\nport_file = %s/port\n\n"
             "[picture]\ncycle_ms = 1000\nsensors = %s/scenarios/malmo-2014.sensors.ini\n\n"
             "[replay radar]\ninput = pcap:sim/radar.pcap\nspeed = 10\n\n"
             "[replay adsb]\ninput = sbs:sim/adsb.sbs\nsensor = malmo-rx\nspeed = 10\n",
             tmp, CAIRN_SOURCE_DIR);
    snprintf(path, sizeof path, "%s/centre.ini", tmp);
    ip_write_file(path, conf);
    spawn(path);
    /* "up" comes after the port file is written */
    if (!wait_log("centre test-cc up", 0)) {
        fprintf(stderr, "no port in the log:\n%s\n", d.log);
        return -1;
    }
    port = ip_web_port(&d);
    if (port <= 0)
        return -1;
    /* the port file says the same */
    snprintf(path, sizeof path, "%s/port", tmp);
    if (ip_port_file(path) != port)
        return -1;
    setups_ok++;
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    ip_kill(&d);
    return ip_scratch_remove(tmp);
}

/* ----------------------------------------------------------------- tests */

static void test_open_and_closed(void **state)
{
    (void)state;
    assert_int_equal(http("GET", "/api/tracks", NULL, NULL), 401);
    assert_int_equal(http("GET", "/api/alerts", "0123", NULL), 401);
    assert_int_equal(http("GET", "/data/aircraft.json", NULL, NULL), 200);
    json_t *j = body_json();
    assert_true(json_is_array(json_object_get(j, "aircraft")));
    json_decref(j);
    assert_int_equal(http("GET", "/healthz", NULL, NULL), 200);
    /* the site of the [adsb malmo-rx] receiver */
    assert_int_equal(http("GET", "/data/receiver.json", NULL, NULL), 200);
    j = body_json();
    assert_true(json_real_value(json_object_get(j, "lat")) > 55.5);
    json_decref(j);
}

static void test_login(void **state)
{
    (void)state;
    assert_int_equal(ih_login(&rep, port, "duty", "wrong-one", NULL, 0), 401);
    assert_int_equal(ih_login(&rep, port, "duty", "correct-horse", token, sizeof token), 200);
    assert_true(token[0] != 0);
}

/* Poll a GET until pred says yes or the deadline; waits on the log pipe. */
static json_t *poll_get(const char *path, int (*pred)(json_t *))
{
    int64_t end = ih_now_ms() + WAIT_MS;
    for (;;) {
        assert_int_equal(http("GET", path, token, NULL), 200);
        json_t *j = body_json();
        if (pred(j))
            return j;
        json_decref(j);
        if (ih_now_ms() > end)
            fail_msg("%s: not seen in time; last: %.400s", path, rep.body);
        ip_drain(100);
    }
}

static int two_confirmed(json_t *j)
{
    size_t i, n = 0;
    json_t *t;
    int sas = 0;
    json_array_foreach(json_object_get(j, "tracks"), i, t)
    {
        const char *st = json_string_value(json_object_get(t, "status"));
        const char *cs = json_string_value(json_object_get(t, "callsign"));
        n += st && !strcmp(st, "confirmed");
        sas |= cs && !strncmp(cs, "SAS681", 6);
    }
    return n >= 2 && sas;
}

static int has_no_xpdr(json_t *j)
{
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(j, "alerts"), i, a)
    {
        const char *r = json_string_value(json_object_get(a, "rule"));
        if (r && !strcmp(r, "NO_TRANSPONDER"))
            return 1;
    }
    return 0;
}

static int both_inputs(json_t *j)
{
    size_t i, n = 0;
    json_t *in;
    json_array_foreach(json_object_get(j, "inputs"), i, in)
    {
        const char *k = json_string_value(json_object_get(in, "kind"));
        n += k && !strcmp(k, "replay") && json_integer_value(json_object_get(in, "reports")) > 0;
    }
    return n == 2;
}

static void test_picture(void **state)
{
    (void)state;
    json_t *j = poll_get("/api/tracks", two_confirmed);
    /* a track without transponder: the Il-20 */
    size_t i;
    json_t *t;
    json_int_t dark = -1;
    json_array_foreach(json_object_get(j, "tracks"), i, t)
    {
        const char *x = json_string_value(json_object_get(t, "transponder"));
        if (x && !strcmp(x, "no"))
            dark = json_integer_value(json_object_get(t, "id"));
    }
    json_decref(j);
    assert_true(dark >= 0);
    j = poll_get("/api/alerts", has_no_xpdr);
    json_decref(j);
    j = poll_get("/api/sensors", both_inputs);
    assert_string_equal(json_string_value(json_object_get(j, "centre")), "test-cc");
    assert_true(json_array_size(json_object_get(j, "sensors")) >= 3);
    json_decref(j);

    /* radio contact on the dark track */
    char path[96];
    snprintf(path, sizeof path, "/api/tracks/%lld/radio", (long long)dark);
    assert_int_equal(http("POST", path, token, "{\"radio\":\"maybe\"}"), 400);
    assert_int_equal(http("POST", path, NULL, "{\"radio\":\"yes\"}"), 401);
    assert_int_equal(http("POST", path, token, "{\"radio\":\"yes\"}"), 200);
    assert_int_equal(http("POST", "/api/tracks/99999999/radio", token, "{\"radio\":\"yes\"}"), 404);
    snprintf(path, sizeof path, "/api/tracks/%lld", (long long)dark);
    assert_int_equal(http("GET", path, token, NULL), 200);
    j = body_json();
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "track"), "radio")),
                        "yes");
    assert_true(json_array_size(json_object_get(j, "trail")) > 0);
    json_decref(j);
    assert_int_equal(http("GET", "/api/link", token, NULL), 404);
}

/* /api/events: the stream opens and tracks events arrive, some between
 * cycles (the live stream, [web] stream_ms); the operator
 * acknowledges the NO_TRANSPONDER alert (POST /api/alerts/ID/ack): the
 * reply, /api/alerts and an "alert" event carry the acknowledgement. */
static void test_events(void **state)
{
    (void)state;
    static struct ih_sse ev;
    assert_int_equal(ih_sse_open(&ev, port, token), 0);
    /* a whole track in a tracks event: the provider's members (origin,
     * class) too */
    const char *data = ih_sse_next(&ev, "tracks", "\"origin\":\"own\"", WAIT_MS);
    assert_non_null(strstr(ev.head, "text/event-stream"));
    assert_non_null(data);
    assert_memory_equal(data, "{\"now_ms\":", 10);
    assert_non_null(strstr(data, "\"origin\":\"own\",\"class\":\""));
    /* one line, {"now_ms":N,"tracks":[track, ...]} (docs/centre.md); and,
     * within a few seconds, one flushed between two steps: the steps end
     * on whole seconds of data time, the stream (stream_ms 50) anywhere */
    int64_t between = 0, end_wait = ih_now_ms() + WAIT_MS;
    while (data && !between) {
        assert_null(strchr(data, '\n'));
        json_t *one = json_loads(data, 0, NULL);
        assert_non_null(one);
        json_t *arr = json_object_get(one, "tracks");
        assert_true(json_array_size(arr) > 0);
        assert_true(json_integer_value(json_object_get(json_array_get(arr, 0), "id")) > 0);
        int64_t t = json_integer_value(json_object_get(one, "now_ms"));
        assert_true(t > 0);
        if (t % 1000)
            between = t;
        json_decref(one);
        int64_t left = end_wait - ih_now_ms();
        if (between || left <= 0)
            break;
        data = ih_sse_next(&ev, "tracks", NULL, (int)left);
    }
    assert_true(between > 0);

    /* acknowledge the open NO_TRANSPONDER alert */
    json_t *j = poll_get("/api/alerts", has_no_xpdr);
    json_int_t id = -1;
    size_t i;
    json_t *al;
    json_array_foreach(json_object_get(j, "alerts"), i, al)
    {
        const char *r = json_string_value(json_object_get(al, "rule"));
        const char *st = json_string_value(json_object_get(al, "state"));
        if (r && !strcmp(r, "NO_TRANSPONDER") && st && strcmp(st, "CLEARED"))
            id = json_integer_value(json_object_get(al, "id"));
    }
    json_decref(j);
    assert_true(id >= 0);
    char path[96];
    snprintf(path, sizeof path, "/api/alerts/%lld/ack", (long long)id);
    assert_int_equal(http("POST", path, NULL, NULL), 401);
    assert_int_equal(http("POST", "/api/alerts/4000000000/ack", token, NULL), 404);
    assert_int_equal(http("POST", path, token, NULL), 200);
    j = body_json();
    assert_int_equal(json_integer_value(json_object_get(j, "id")), id);
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "ack"), "user")),
                        "duty");
    json_decref(j);
    assert_int_equal(http("GET", "/api/alerts", token, NULL), 200);
    j = body_json();
    int listed = 0;
    json_array_foreach(json_object_get(j, "alerts"), i, al)
    {
        if (json_integer_value(json_object_get(al, "id")) != id)
            continue;
        json_t *k = json_object_get(al, "ack");
        listed = k && !strcmp(json_string_value(json_object_get(k, "user")), "duty") &&
                 json_integer_value(json_object_get(k, "t_ms")) > 0;
    }
    json_decref(j);
    assert_true(listed);
    char want[96];
    snprintf(want, sizeof want, "{\"id\":%lld,", (long long)id);
    /* the acknowledged alert's event: the first "alert" event with the ack is its */
    data = ih_sse_next(&ev, "alert", "\"ack\":{\"user\":\"duty\"", WAIT_MS);
    assert_non_null(data);
    assert_memory_equal(data, want, strlen(want));
    ih_sse_close(&ev);
}

static void test_metrics(void **state)
{
    (void)state;
    assert_int_equal(http("GET", "/metrics", NULL, NULL), 200);
    const char *want[] = {"cairn_cycle_lateness_seconds_count ",
                          "cairn_cycle_lateness_seconds_bucket{le=\"0.01\"} ",
                          "cairn_cycles_total ",
                          "cairn_reports_total ",
                          "cairn_tracks{status=\"confirmed\"} ",
                          "cairn_input_reports_total{input=\"radar\",kind=\"replay\"} ",
                          "cairn_sensor_reports_total{sensor=\"malmo-rx\"} ",
                          "cairn_web_requests_total"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(rep.body, want[i]))
            fail_msg("no %s in /metrics", want[i]);
    assert_null(strstr(rep.body, "cairn_web_metrics_dropped_total 1"));
}

static void test_signals(void **state)
{
    (void)state;
    size_t from = d.len;
    assert_int_equal(kill(d.pid, SIGHUP), 0);
    assert_true(wait_log("accounts reloaded", from));
    /* the session survives a reload that keeps its user */
    assert_int_equal(http("GET", "/api/me", token, NULL), 200);
    assert_int_equal(kill(d.pid, SIGTERM), 0);
    assert_int_equal(ip_reap(&d, WAIT_MS), 0);
    assert_non_null(strstr(d.log, "stopped"));
}

static void test_bad_config(void **state)
{
    (void)state;
    char path[128], cmd[512];
    snprintf(path, sizeof path, "%s/bad.ini", tmp);
    ip_write_file(path, "[centre]\nname = x\n\n[web]\nlisten = 127.0.0.1:0\nlistne = 1\n");
    snprintf(cmd, sizeof cmd, "'%s' run -c %s 2>%s/bad.err", cairn_bin, path, tmp);
    int st = system(cmd);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 2);
    snprintf(path, sizeof path, "%s/bad.err", tmp);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[512] = {0};
    assert_non_null(fgets(line, sizeof line, f));
    fclose(f);
    printf("refused: %s", line);
    assert_non_null(strstr(line, "line 6"));
    assert_non_null(strstr(line, "listne"));
    /* an unknown section, with its line */
    snprintf(path, sizeof path, "%s/bad.ini", tmp);
    ip_write_file(path, "[web]\nlisten = 127.0.0.1:0\n[radr x]\n");
    st = system(cmd);
    assert_int_equal(WEXITSTATUS(st), 2);
    snprintf(path, sizeof path, "%s/bad.err", tmp);
    f = fopen(path, "r");
    assert_non_null(f);
    assert_non_null(fgets(line, sizeof line, f));
    fclose(f);
    assert_non_null(strstr(line, "line 3"));
    /* usage errors and refused passwords: exit 2 */
    snprintf(cmd, sizeof cmd, "'%s' run 2>/dev/null", cairn_bin);
    assert_int_equal(WEXITSTATUS(system(cmd)), 2);
    snprintf(cmd, sizeof cmd, "printf 'short\\n' | '%s' passwd duty >/dev/null 2>&1", cairn_bin);
    assert_int_equal(WEXITSTATUS(system(cmd)), 2);
    snprintf(cmd, sizeof cmd, "printf 'long-enough\\n' | '%s' passwd 'two words' >/dev/null 2>&1",
             cairn_bin);
    assert_int_equal(WEXITSTATUS(system(cmd)), 2);
    /* --check on the running centre's configuration */
    snprintf(cmd, sizeof cmd, "'%s' run -c %s/centre.ini --check >/dev/null", cairn_bin, tmp);
    assert_int_equal(WEXITSTATUS(system(cmd)), 0);
}

/* `cairn replay -c FILE --speed X INPUT`: the centre of a file without
 * replays, given one on the command line; aircraft in aircraft.json. */
static void test_replay_cmd(void **state)
{
    (void)state;
    char path[256], conf[1024];
    snprintf(conf, sizeof conf,
             "[web]\nlisten = 127.0.0.1:0\naccounts = accounts\n"
             "[adsb rx]\nlat = 55.6\nlon = 13.0\n");
    snprintf(path, sizeof path, "%s/replay.ini", tmp);
    ip_write_file(path, conf);
    char input[256];
    snprintf(input, sizeof input, "rx=sbs:%s/sim/adsb.sbs", tmp);
    char *const args[] = {(char *)cairn_bin, "replay", "-c", path, "--speed", "10", input, NULL};
    spawn_args(args);
    assert_true(wait_log("run: centre cairn up", 0));
    assert_non_null(strstr(d.log, "centre: web: listening on 127.0.0.1:0 (port "));
    port = ip_web_port(&d);
    int64_t end = ih_now_ms() + WAIT_MS;
    for (;;) {
        assert_int_equal(http("GET", "/data/aircraft.json", NULL, NULL), 200);
        json_t *j = body_json();
        size_t n = json_array_size(json_object_get(j, "aircraft"));
        json_decref(j);
        if (n > 0)
            break;
        if (ih_now_ms() > end)
            fail_msg("no aircraft from the replay: %.300s", rep.body);
        ip_drain(100);
    }
    assert_int_equal(kill(d.pid, SIGINT), 0);
    assert_int_equal(ip_reap(&d, WAIT_MS), 0);
}

/* A live sensor: a Beast receiver's output port (as readsb serves on 30005)
 * played by the test on a kernel-chosen loopback port; the centre dials it
 * as `[sensor live] format = beast, connect = ...`, decodes what it sends
 * and shows the aircraft; /api/sensors says the sensor is running. */
static int live_input(json_t *j)
{
    size_t i;
    json_t *in;
    json_array_foreach(json_object_get(j, "inputs"), i, in)
    {
        const char *k = json_string_value(json_object_get(in, "kind"));
        const char *st = json_string_value(json_object_get(in, "state"));
        if (k && !strcmp(k, "sensor") && st && !strcmp(st, "running") &&
            json_integer_value(json_object_get(in, "reports")) > 0)
            return 1;
    }
    return 0;
}

/* A centre (a new log) whose [sensor live] (Beast, receiver rx) dials a
 * listener of the test; extra: more lines for its [web] section, then
 * sections of its own. Returns the centre's connection, accepted within
 * the deadline; *ls is the listener (the caller closes both); port is the
 * centre's web port. */
static int live_centre(const char *name, const char *extra, int *ls_out)
{
    uint16_t ls_port;
    int ls = ih_listen(&ls_port);
    *ls_out = ls;
    char path[256], conf[1024];
    snprintf(conf, sizeof conf,
             "[web]\nlisten = 127.0.0.1:0\naccounts = accounts\n%s"
             "[adsb rx]\nlat = 55.6\nlon = 13.0\n"
             "[sensor live]\nformat = beast\nconnect = 127.0.0.1:%u\nreceiver = rx\n",
             extra, ls_port);
    snprintf(path, sizeof path, "%s/%s.ini", tmp, name);
    ip_write_file(path, conf);
    char *const args[] = {(char *)cairn_bin, "run", "-c", path, NULL};
    spawn_args(args); /* a new log */
    if (!wait_log("centre cairn up", 0))
        fail_msg("not up: %s", d.log);
    port = ip_web_port(&d);
    assert_true(port > 0);
    /* the centre dials: accept within the deadline */
    struct pollfd pf = {.fd = ls, .events = POLLIN};
    assert_int_equal(poll(&pf, 1, WAIT_MS), 1);
    int c = accept(ls, NULL, NULL);
    assert_true(c >= 0);
    return c;
}

static void test_live_sensor(void **state)
{
    (void)state;
    int ls;
    int c = live_centre("live", "", &ls);
    /* then send the recording */
    char path[256];
    snprintf(path, sizeof path, "%s/sim/adsb.beast", tmp);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char buf[1 << 16];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        assert_int_equal(ih_send_all(c, buf, n), 0);
    fclose(f);
    int64_t end = ih_now_ms() + WAIT_MS;
    for (;;) {
        assert_int_equal(http("GET", "/data/aircraft.json", NULL, NULL), 200);
        json_t *j = body_json();
        size_t na = json_array_size(json_object_get(j, "aircraft"));
        json_decref(j);
        if (na > 0)
            break;
        if (ih_now_ms() > end)
            fail_msg("no aircraft from the live sensor: %.300s", rep.body);
        ip_drain(100);
    }
    char auth[160];
    assert_int_equal(ih_login(&rep, port, "duty", "correct-horse", auth, sizeof auth), 200);
    json_t *j;
    end = ih_now_ms() + WAIT_MS;
    for (;;) {
        assert_int_equal(http("GET", "/api/sensors", auth, NULL), 200);
        j = body_json();
        int ok = live_input(j);
        json_decref(j);
        if (ok)
            break;
        if (ih_now_ms() > end)
            fail_msg("the live sensor is not running with reports: %.600s", rep.body);
        ip_drain(100);
    }
    close(c);
    close(ls);
    assert_int_equal(kill(d.pid, SIGTERM), 0);
    assert_int_equal(ip_reap(&d, WAIT_MS), 0);
}

/* One aircraft's Beast frames (dated by the centre on reception): its
 * identification when callsign is not NULL, else a position (even and odd
 * in turn) and its velocity, 450 kt east from 55.7 N 13.2 E. */
static size_t beast_frames(const char *callsign, int k, uint8_t *out)
{
    uint8_t fr[14];
    size_t n = 0;
    struct modes_frame f;
    memset(&f, 0, sizeof f);
    f.len = 14;
    f.signal = 90;
    for (int part = 0; part < (callsign ? 1 : 2); part++) {
        if (callsign)
            assert_int_equal(modes_enc_ident(0x4CA7B5, 3, callsign, fr), 0);
        else if (part == 0)
            modes_enc_airpos(0x4CA7B5, 11, 55.7, 13.2 + 0.0004 * k, 31000, k & 1, fr);
        else
            modes_enc_velocity(0x4CA7B5, 450, 90, 0, fr);
        memcpy(f.data, fr, 14);
        int w = beast_encode(&f, out + n);
        assert_true(w > 0);
        n += (size_t)w;
    }
    return n;
}

/* A callsign change with no position after it is published at the next
 * flush of the stream (stream_ms 50), with the track still confirmed: not
 * held until the track's next update, nor until a cycle (10 s here) ages
 * the track into coasting. */
static void test_identity_at_once(void **state)
{
    (void)state;
    int ls;
    int c = live_centre("ident", "stream_ms = 50\n[picture]\ncycle_ms = 10000\n", &ls);
    char tok[160];
    assert_int_equal(ih_login(&rep, port, "duty", "correct-horse", tok, sizeof tok), 200);
    static struct ih_sse ev;
    assert_int_equal(ih_sse_open(&ev, port, tok), 0);
    /* positions every 100 ms (the wait for an event paces them) until the
     * track is confirmed with its first callsign */
    uint8_t buf[256];
    size_t n = beast_frames("FIRST", 0, buf);
    assert_int_equal(ih_send_all(c, buf, n), 0);
    const char *data = NULL;
    int64_t end = ih_now_ms() + WAIT_MS;
    for (int k = 0; !data; k++) {
        if (ih_now_ms() > end)
            fail_msg("no confirmed track with its callsign: %s", d.log);
        n = beast_frames(NULL, k, buf);
        assert_int_equal(ih_send_all(c, buf, n), 0);
        data = ih_sse_next(&ev, "tracks",
                           "\"status\":\"confirmed\",\"kind\":\"aircraft\","
                           "\"icao\":\"4ca7b5\",\"callsign\":\"FIRST\"",
                           100);
    }
    /* the new callsign alone: out at once, the track confirmed */
    n = beast_frames("SECOND", 0, buf);
    assert_int_equal(ih_send_all(c, buf, n), 0);
    data = ih_sse_next(&ev, "tracks", "\"callsign\":\"SECOND\"", WAIT_MS);
    assert_non_null(data);
    assert_non_null(strstr(data, "\"status\":\"confirmed\",\"kind\":\"aircraft\","
                                 "\"icao\":\"4ca7b5\",\"callsign\":\"SECOND\""));
    ih_sse_close(&ev);
    close(c);
    close(ls);
    assert_int_equal(kill(d.pid, SIGTERM), 0);
    assert_int_equal(ip_reap(&d, WAIT_MS), 0);
}

/* ------------------------------------------------- the embedded hotline */

static int hl_setup(void **state)
{
    (void)state;
    signal(SIGPIPE, SIG_IGN);
    if (ip_scratch(tmp, sizeof tmp, "runhl") != 0)
        return -1;
    char cmd[4096];
    /* the peer's address has nobody listening: its link stays in backoff */
    snprintf(cmd, sizeof cmd,
             "cd %s && '%s' keygen --centre WARSAW-CC --party NATO --address 127.0.0.1:9 --dir "
             "warsaw >/dev/null && '%s' keygen --centre MOSCOW-CC --party RU --address "
             "127.0.0.1:7 --dir moscow >/dev/null && cat warsaw/roster.ini moscow/roster.ini > "
             "roster.ini",
             tmp, cairn_bin, cairn_bin);
    if (system(cmd) != 0 || ip_account(cairn_bin, tmp, "duty", "correct-horse") != 0)
        return -1;
    char path[256], conf[2048];
    snprintf(conf, sizeof conf,
             "[centre]\nname = WARSAW-CC\nparty = NATO\n"
             "[web]\nlisten = 127.0.0.1:0\naccounts = accounts\n"
             "[hotline]\nkeys = warsaw\nroster = roster.ini\njournal = warsaw.db\n"
             "listen = 127.0.0.1:0\n");
    snprintf(path, sizeof path, "%s/centre.ini", tmp);
    ip_write_file(path, conf);
    snprintf(cmd, sizeof cmd, "'%s' hotline -c %s --init 2>/dev/null", cairn_bin, path);
    if (system(cmd) != 0)
        return -1;
    spawn(path);
    if (!wait_log("run: centre WARSAW-CC up", 0)) {
        fprintf(stderr, "not up:\n%s\n", d.log);
        return -1;
    }
    if (!strstr(d.log, "centre: web: listening on 127.0.0.1:0 (port "))
        return -1;
    port = ip_web_port(&d);
    if (port <= 0)
        return -1;
    setups_ok++;
    return 0;
}

static void test_hl_api(void **state)
{
    (void)state;
    assert_int_equal(http("GET", "/api/link", NULL, NULL), 401);
    assert_int_equal(ih_login(&rep, port, "duty", "correct-horse", token, sizeof token), 200);
    assert_int_equal(http("GET", "/api/link", token, NULL), 200);
    json_t *j = body_json();
    assert_string_equal(json_string_value(json_object_get(j, "centre")), "WARSAW-CC");
    json_decref(j);
    /* a message to the peer: journaled, waiting for its link */
    assert_int_equal(http("POST", "/api/messages", token,
                          "{\"to\":\"MOSCOW-CC\",\"type\":\"EXPLANATION_REQUEST\","
                          "\"fields\":{\"activity\":\"snap exercise near the border\"}}"),
                     200);
    assert_int_equal(
        http("POST", "/api/messages", token, "{\"to\":\"MOSCOW-CC\",\"type\":\"NOPE\"}"), 400);
    assert_int_equal(http("GET", "/api/messages?dir=out", token, NULL), 200);
    assert_non_null(strstr(rep.body, "EXPLANATION_REQUEST"));
    assert_int_equal(http("GET", "/api/cases", token, NULL), 200);
    assert_non_null(strstr(rep.body, "WARSAW-CC/1"));
    assert_int_equal(http("GET", "/api/messages/MOSCOW-CC:99", token, NULL), 404);
    assert_int_equal(http("GET", "/api/messages/nocolon", token, NULL), 404);
    /* the control socket answers on the same loop */
    char cmd[512];
    snprintf(cmd, sizeof cmd, "'%s' msg status -c %s/centre.ini >/dev/null 2>&1", cairn_bin, tmp);
    assert_int_equal(system(cmd), 0);
    /* SIGTERM: the checkpoint's grace, then a clean stop; the socket gone */
    assert_int_equal(kill(d.pid, SIGTERM), 0);
    assert_int_equal(ip_reap(&d, WAIT_MS), 0);
    char sock[128];
    snprintf(sock, sizeof sock, "%s/warsaw.db.sock", tmp);
    assert_int_equal(access(sock, F_OK), -1);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_run CAIRN_BINARY\n");
        return 2;
    }
    static char bin[4096];
    if (!realpath(argv[1], bin)) { /* the hotline's setup runs in its folder */
        fprintf(stderr, "test_run: %s: %s\n", argv[1], strerror(errno));
        return 2;
    }
    cairn_bin = bin;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_and_closed), cmocka_unit_test(test_login),
        cmocka_unit_test(test_picture),         cmocka_unit_test(test_events),
        cmocka_unit_test(test_metrics),         cmocka_unit_test(test_signals),
        cmocka_unit_test(test_bad_config),      cmocka_unit_test(test_replay_cmd),
        cmocka_unit_test(test_live_sensor),     cmocka_unit_test(test_identity_at_once),
    };
    const struct CMUnitTest hl_tests[] = {cmocka_unit_test(test_hl_api)};
    int rc = cmocka_run_group_tests(tests, group_setup, group_teardown);
    rc |= cmocka_run_group_tests(hl_tests, hl_setup, group_teardown);
    /* a group whose setup failed ran no test: that is a failure too */
    return rc || setups_ok != 2 ? 1 : 0;
}
