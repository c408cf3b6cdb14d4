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
#include <math.h>
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

/* ------------------------------------------------- the lean form (moves) */

/* What a lean client saw of one track (id) so far. */
struct lean_seen {
    json_int_t id;     /* the track followed (0: the first id seen) */
    int first;         /* how it first came: 'o' full object, 'r' a row; 0: not yet */
    int objects, rows; /* of it */
    int last;          /* how it came last: 'o' or 'r' */
    int deleted;       /* a full object with status "deleted" came */
    int rows_unknown;  /* rows for ids the copy did not hold (ignored) */
    json_t *last_row;  /* its last row (a reference) */
};

static void set_num(json_t *o, const char *k, json_t *v)
{
    if (json_is_null(v))
        json_object_del(o, k); /* no altitude: the member is absent */
    else
        json_object_set(o, k, v);
}

/* Apply one "tracks" event of the lean form to copy (an object of full
 * track objects by id, as a client keeps them): full objects replace (a
 * deleted one removes), rows update the kinematic members and age_s.
 * Checks the event's shape on the way. */
static void lean_apply(json_t *copy, const char *data, struct lean_seen *ls)
{
    json_error_t e;
    json_t *j = json_loads(data, 0, &e);
    if (!j)
        fail_msg("a lean event is not JSON (%s): %.300s", e.text, data);
    json_t *tracks = json_object_get(j, "tracks"), *moves = json_object_get(j, "moves");
    assert_true(json_is_integer(json_object_get(j, "now_ms")));
    assert_true(json_is_array(tracks));
    assert_true(json_is_array(moves)); /* in every event of this form, maybe empty */
    json_int_t now = json_integer_value(json_object_get(j, "now_ms"));
    size_t i;
    json_t *t;
    char key[32];
    json_array_foreach(tracks, i, t)
    {
        json_int_t id = json_integer_value(json_object_get(t, "id"));
        assert_true(id > 0);
        assert_non_null(json_object_get(t, "origin")); /* the centre's extra members too */
        snprintf(key, sizeof key, "%lld", (long long)id);
        const char *st = json_string_value(json_object_get(t, "status"));
        assert_non_null(st);
        if (!strcmp(st, "deleted"))
            json_object_del(copy, key);
        else
            json_object_set(copy, key, t);
        if (!ls->id)
            ls->id = id;
        if (id == ls->id) {
            ls->first = ls->first ? ls->first : 'o';
            ls->objects++;
            ls->last = 'o';
            ls->deleted |= !strcmp(st, "deleted");
        }
    }
    json_array_foreach(moves, i, t)
    {
        assert_int_equal(json_array_size(t), 8);
        json_int_t id = json_integer_value(json_array_get(t, 0));
        assert_true(id > 0);
        for (size_t k = 1; k < 8; k++)
            assert_true(json_is_number(json_array_get(t, k)) ||
                        (k == 3 && json_is_null(json_array_get(t, k))));
        /* not both a full object and a row in one event */
        json_t *o2;
        size_t i2;
        json_array_foreach(tracks, i2, o2)
            assert_true(json_integer_value(json_object_get(o2, "id")) != id);
        snprintf(key, sizeof key, "%lld", (long long)id);
        json_t *o = json_object_get(copy, key);
        if (id == ls->id || !ls->id) {
            ls->id = id;
            ls->first = ls->first ? ls->first : 'r';
            ls->rows++;
            ls->last = 'r';
            json_decref(ls->last_row);
            ls->last_row = json_incref(t);
        }
        if (!o) {
            ls->rows_unknown++;
            continue;
        }
        static const char *const names[8] = {"id",    "lat",       "lon",       "alt_ft",
                                             "gs_kt", "track_deg", "vrate_fpm", "t_last_ms"};
        for (size_t k = 1; k < 8; k++)
            set_num(o, names[k], json_array_get(t, k));
        json_int_t tl = json_integer_value(json_array_get(t, 7));
        json_object_set_new(o, "age_s", json_real((double)(now - tl) / 1000.0));
    }
    json_decref(j);
}

/* Read the lean stream for ms, applying its "tracks" events; returns how
 * many came. */
static int lean_read(struct ih_sse *ev, json_t *copy, struct lean_seen *ls, int ms)
{
    int n = 0;
    int64_t end = ih_now_ms() + ms;
    for (;;) {
        int64_t left = end - ih_now_ms();
        if (left <= 0)
            return n;
        const char *data = ih_sse_next(ev, "tracks", NULL, (int)left);
        if (!data)
            return n;
        lean_apply(copy, data, ls);
        n++;
    }
}

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The client's copy of a track against /api/tracks' object: every member
 * the same but those a lean client is allowed to hold stale until the
 * next full object (age_s, pos_sigma_m, the sources' ages and the
 * sensors' counts and ages: their keys and ids must agree). */
static void lean_compare(json_t *mine, json_t *api)
{
    const char *k;
    json_t *v;
    json_object_foreach(api, k, v)
    {
        if (!strcmp(k, "age_s") || !strcmp(k, "pos_sigma_m"))
            continue;
        json_t *m = json_object_get(mine, k);
        if (!m)
            fail_msg("member %s missing from the copy", k);
        if (!strcmp(k, "sources")) {
            assert_int_equal(json_object_size(m), json_object_size(v));
            const char *sk;
            json_t *sv;
            json_object_foreach(v, sk, sv) assert_non_null(json_object_get(m, sk));
            continue;
        }
        if (!strcmp(k, "sensors")) {
            assert_int_equal(json_array_size(m), json_array_size(v));
            for (size_t i = 0; i < json_array_size(v); i++)
                assert_true(json_equal(json_object_get(json_array_get(m, i), "id"),
                                       json_object_get(json_array_get(v, i), "id")));
            continue;
        }
        if (!json_equal(m, v)) {
            char *a = json_dumps(m, JSON_ENCODE_ANY), *b = json_dumps(v, JSON_ENCODE_ANY);
            fail_msg("member %s: the copy has %s, /api/tracks %s", k, a, b);
        }
    }
    json_object_foreach(mine, k, v) if (strcmp(k, "age_s") && strcmp(k, "pos_sigma_m"))
        assert_non_null(json_object_get(api, k));
}

/*
 * GET /api/events?form=moves against a live Beast sensor: the track comes
 * first as a full object, then its positions as move rows with its values;
 * a new callsign comes as a full object at the next flush; the copy a
 * client builds from the events in order is /api/tracks' track; the
 * deletion comes as a full object with status "deleted"; an unknown form
 * is refused (400); a default-form client at the same time gets full
 * objects and no "moves".
 */
static void test_lean_form(void **state)
{
    (void)state;
    int lsock;
    int c = live_centre("lean", "stream_ms = 50\n", &lsock);
    char tok[160];
    assert_int_equal(ih_login(&rep, port, "duty", "correct-horse", tok, sizeof tok), 200);
    assert_int_equal(http("GET", "/api/events?form=bogus", tok, NULL), 400);
    assert_int_equal(http("GET", "/api/events?form=", tok, NULL), 400);
    assert_int_equal(http("GET", "/api/events?form=moves&form=moves", tok, NULL), 400);
    assert_int_equal(http("GET", "/api/events?form=moves", NULL, NULL), 401);
    static struct ih_sse ev, evd;
    assert_int_equal(ih_sse_open_path(&ev, port, tok, "/api/events?form=moves"), 0);
    assert_int_equal(ih_sse_open(&evd, port, tok), 0);
    json_t *copy = json_object();
    struct lean_seen ls = {0};
    char key[32];

    /* 1. positions every 100 ms until the track is in the copy, confirmed
     * with its callsign: it came as a full object first */
    uint8_t buf[256];
    size_t n = beast_frames("FIRST", 0, buf);
    assert_int_equal(ih_send_all(c, buf, n), 0);
    int k = 0;
    json_t *mine = NULL;
    int64_t end = ih_now_ms() + WAIT_MS;
    while (!mine) {
        if (ih_now_ms() > end)
            fail_msg("no confirmed track in the lean stream: %s", d.log);
        n = beast_frames(NULL, k++, buf);
        assert_int_equal(ih_send_all(c, buf, n), 0);
        lean_read(&ev, copy, &ls, 100);
        snprintf(key, sizeof key, "%lld", (long long)ls.id);
        json_t *o = json_object_get(copy, key);
        const char *cs = json_string_value(json_object_get(o, "callsign"));
        if (o && cs && !strcmp(cs, "FIRST"))
            mine = o;
    }
    assert_int_equal(ls.first, 'o');
    assert_string_equal(json_string_value(json_object_get(mine, "status")), "confirmed");
    assert_string_equal(json_string_value(json_object_get(mine, "icao")), "4ca7b5");

    /* 2. more positions: rows, with the aircraft's values */
    int rows0 = ls.rows;
    for (int i = 0; i < 15; i++) {
        n = beast_frames(NULL, k++, buf);
        assert_int_equal(ih_send_all(c, buf, n), 0);
        lean_read(&ev, copy, &ls, 100);
        if (ls.rows > rows0 && ls.last_row) {
            json_t *r = ls.last_row;
            assert_int_equal(json_integer_value(json_array_get(r, 0)), ls.id);
            double lat = json_number_value(json_array_get(r, 1));
            double lon = json_number_value(json_array_get(r, 2));
            assert_true(fabs(lat - 55.7) < 0.01);
            assert_true(lon > 13.19 && lon < 13.3);
            assert_int_equal(json_integer_value(json_array_get(r, 3)), 31000);
            /* the filter's speed and course, converging: the positions
             * move east (0.0004 deg per 100 ms sent); that they are the
             * API's values exactly is checked below (4.) */
            double gs = json_number_value(json_array_get(r, 4));
            double trk = json_number_value(json_array_get(r, 5));
            if (!(gs > 50 && gs < 1000) || !(fabs(trk - 90) < 45))
                fail_msg("row with gs_kt %.1f track_deg %.1f", gs, trk);
            assert_true(fabs(json_number_value(json_array_get(r, 6))) < 500);
            json_int_t tl = json_integer_value(json_array_get(r, 7));
            assert_true(llabs(wall_ms() - tl) < 10000);
        }
    }
    printf("lean: %d rows and %d full objects of the track for 15 positions\n", ls.rows - rows0,
           ls.objects);
    assert_true(ls.rows - rows0 >= 5);

    /* 3. a new callsign alone: a full object at the next flush */
    int objects0 = ls.objects;
    n = beast_frames("SECOND", 0, buf);
    assert_int_equal(ih_send_all(c, buf, n), 0);
    end = ih_now_ms() + WAIT_MS;
    for (;;) {
        const char *cs = json_string_value(json_object_get(json_object_get(copy, key), "callsign"));
        if (cs && !strcmp(cs, "SECOND"))
            break;
        if (ih_now_ms() > end)
            fail_msg("no SECOND in the lean stream");
        lean_read(&ev, copy, &ls, 50);
    }
    assert_true(ls.objects > objects0);
    assert_int_equal(ls.last, 'o');
    assert_string_equal(json_string_value(json_object_get(json_object_get(copy, key), "status")),
                        "confirmed");

    /* the default-form client meanwhile: the same as a full object, no "moves" */
    const char *data = ih_sse_next(&evd, "tracks", "\"callsign\":\"SECOND\"", WAIT_MS);
    assert_non_null(data);
    assert_null(strstr(data, "\"moves\""));
    ih_sse_close(&evd);

    /* 4. a few more positions (rows), then quiet: the copy is the API's */
    rows0 = ls.rows;
    for (int i = 0; i < 6; i++) {
        n = beast_frames(NULL, k++, buf);
        assert_int_equal(ih_send_all(c, buf, n), 0);
        lean_read(&ev, copy, &ls, 100);
    }
    assert_true(ls.rows > rows0);
    /* /api/tracks is the picture as of its last cycle (the stream is
     * fresher: docs/centre.md): compared once the cycle has taken the last
     * update (the same t_last_ms) and its status is what the stream said
     * last (a status a cycle changed is in the stream before the GET's
     * reply: the flush follows the cycle in the same firing) */
    int compared = 0;
    for (int round = 0; round < 100 && !compared; round++) {
        assert_int_equal(http("GET", "/api/tracks", tok, NULL), 200);
        json_t *api = body_json();
        lean_read(&ev, copy, &ls, 100);
        json_t *t, *mine2 = json_object_get(copy, key);
        size_t i;
        json_array_foreach(json_object_get(api, "tracks"), i, t)
        {
            if (json_integer_value(json_object_get(t, "id")) != ls.id || !mine2 ||
                !json_equal(json_object_get(t, "t_last_ms"), json_object_get(mine2, "t_last_ms")) ||
                !json_equal(json_object_get(t, "status"), json_object_get(mine2, "status")))
                continue;
            printf("lean: compared with /api/tracks after a %s (status %s)\n",
                   ls.last == 'r' ? "row" : "full object",
                   json_string_value(json_object_get(t, "status")));
            lean_compare(mine2, t);
            compared = 1;
        }
        json_decref(api);
    }
    assert_true(compared);

    /* 5. the deletion (no update for 20 s): a full object, "deleted" */
    end = ih_now_ms() + WAIT_MS + 10000;
    while (!ls.deleted) {
        if (ih_now_ms() > end)
            fail_msg("no deletion in the lean stream");
        lean_read(&ev, copy, &ls, 500);
    }
    assert_int_equal(ls.last, 'o');
    assert_null(json_object_get(copy, key));
    assert_int_equal(ls.rows_unknown, 0);

    json_decref(ls.last_row);
    json_decref(copy);
    ih_sse_close(&ev);
    close(c);
    close(lsock);
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
        cmocka_unit_test(test_lean_form),
    };
    const struct CMUnitTest hl_tests[] = {cmocka_unit_test(test_hl_api)};
    int rc = cmocka_run_group_tests(tests, group_setup, group_teardown);
    rc |= cmocka_run_group_tests(hl_tests, hl_setup, group_teardown);
    /* a group whose setup failed ran no test: that is a failure too */
    return rc || setups_ok != 2 ? 1 : 0;
}
