/*
 * test_demo.c — `cairn demo` end to end: the real binary with ports the
 * kernel picks (--port 0) and a ports file, on simulated traffic only
 * (--no-data: the same on a fresh clone), at ×10.
 *
 *  - once it says it is running, the ports file names both centres, and
 *    the console lines on its standard output are exactly
 *    `console: http://127.0.0.1:PORT user NAME password PASSWORD` with the
 *    same ports and credentials;
 *  - both consoles' APIs accept the printed credentials; each centre has
 *    confirmed tracks; each one's hotline link to the other is up;
 *  - an EXPLANATION_REQUEST sent from WARSAW-CC arrives at KALININGRAD-CC;
 *    with --deadline-s 2 WARSAW-CC's case goes overdue while the
 *    receiver's stays open on its 48 h;
 *  - SIGTERM: exit status 0, both centres' processes gone (reaped by the
 *    demo), the scratch folder and the ports file removed;
 *  - a centre killed (SIGKILL): the demo stops the other and exits 1,
 *    nothing left running, the folder removed;
 *  - a usage error exits 2, and a folder holding an earlier demo is
 *    refused and left as it was.
 *
 * With `recording` after the binary (test_demo_recording), the demo runs
 * with the shared reference data instead (skipped, exit 77, when it is
 * absent): KALININGRAD-CC replays the St Petersburg recording (its input
 * has reports, and aircraft near St Petersburg are tracked) and
 * WARSAW-CC does not; SIGTERM exit 0.
 *
 * argv[1] is the cairn binary. No sleeps: every wait is a poll() on the
 * demo's output pipe or a bounded series of requests paced by it, each
 * wait with a deadline.
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

#include "integ_http.h"
#include "integ_proc.h"
#include "testdata.h"

#define UP_MS   90000 /* the demo prepares 4 h of traffic and two centres (ASan build) */
#define WAIT_MS 30000 /* any one wait after that */

static const char *cairn_bin;
static char tmp[64], dir[128], ports_path[128];
static struct ip_proc dp; /* the demo, its stdout and stderr */
static struct ih_reply rep;
static int http_port;

static int wait_out(const char *s, int ms)
{
    return ip_wait_log(&dp, s, 0, ms);
}

/* Run the demo with these arguments after `cairn demo`; its output into
 * dp.log. */
static void spawn(char *const extra[])
{
    char *args[24] = {(char *)cairn_bin, "demo"};
    int n = 2;
    for (int i = 0; extra[i] && n < 23; i++)
        args[n++] = extra[i];
    args[n] = NULL;
    ip_spawn(&dp, args, IP_STDOUT);
}

/* One request (HTTP/1.0); the status, the body in rep. -1 when there is
 * no answer. */
static int http(const char *method, const char *path, const char *token, const char *json)
{
    return ih_request(&rep, http_port, method, path, token, json);
}

static json_t *body_json(void)
{
    return ih_json(&rep);
}

/* --------------------------------------------------------------- centres */

struct centre {
    char name[32];
    int port;
    char password[64];
    pid_t pid;
    char token[128];
};

static struct centre cs[2];

static void use(const struct centre *c)
{
    http_port = c->port;
}

static void login(struct centre *c)
{
    char wrong[80];
    snprintf(wrong, sizeof wrong, "wrong-%s", c->password);
    assert_int_equal(ih_login(&rep, c->port, "duty", wrong, NULL, 0), 401);
    assert_int_equal(ih_login(&rep, c->port, "duty", c->password, c->token, sizeof c->token), 200);
    assert_true(c->token[0] != 0);
}

/* Ask GET path of c until pred(body) holds (paced by the demo's pipe, 200 ms
 * a round); fail with the last answer at the deadline. */
static void wait_for(const struct centre *c, const char *path, int (*pred)(json_t *),
                     const char *what)
{
    int64_t end = ih_now_ms() + WAIT_MS;
    for (;;) {
        use(c);
        if (http("GET", path, c->token, NULL) == 200) {
            json_t *j = body_json();
            int ok = pred(j);
            json_decref(j);
            if (ok)
                return;
        }
        if (ih_now_ms() > end)
            fail_msg("%s: no %s within %d s; last answer: %.600s", c->name, what, WAIT_MS / 1000,
                     rep.body);
        ip_drain(200);
    }
}

/* o's string member k, or "" */
static const char *str(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static int has_confirmed_track(json_t *j)
{
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(j, "tracks"), i, t)
    {
        if (!strcmp(str(t, "status"), "confirmed"))
            return 1;
    }
    return 0;
}

static const char *peer_of_check; /* the peer link_up looks for */

static int link_up(json_t *j)
{
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(j, "peers"), i, p)
    {
        if (!strcmp(str(p, "name"), peer_of_check) && json_is_true(json_object_get(p, "up")))
            return 1;
    }
    return 0;
}

static const char *case_state; /* the state case_in looks for */

static int case_in(json_t *j)
{
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(j, "cases"), i, c)
    {
        if (!strcmp(str(c, "case"), "WARSAW-CC/1") && !strcmp(str(c, "state"), case_state))
            return 1;
    }
    return 0;
}

static int expl_request_in(json_t *j)
{
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(j, "messages"), i, m)
    {
        if (!strcmp(str(m, "type"), "EXPLANATION_REQUEST") && !strcmp(str(m, "peer"), "WARSAW-CC"))
            return 1;
    }
    return 0;
}

/* ----------------------------------------------------------------- tests */

static int setup(void **state)
{
    (void)state;
    signal(SIGPIPE, SIG_IGN);
    if (ip_scratch(tmp, sizeof tmp, "demotest") != 0)
        return -1;
    snprintf(dir, sizeof dir, "%s/demo", tmp);
    snprintf(ports_path, sizeof ports_path, "%s/ports.json", tmp);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (dp.pid > 0) {
        kill(dp.pid, SIGTERM);
        (void)ip_reap(&dp, WAIT_MS);
    }
    for (int i = 0; i < 2; i++) /* a centre left by a failed test must not outlive it */
        if (cs[i].pid > 0 && kill(cs[i].pid, 0) == 0)
            kill(cs[i].pid, SIGKILL);
    return ip_scratch_remove(tmp);
}

static void test_demo_runs_and_stops(void **state)
{
    (void)state;
    char *args[] = {"--dir",        dir,         "--port",  "0",       "--ports-file",
                    ports_path,     "--no-data", "--no-ui", "--speed", "10",
                    "--deadline-s", "2",         "--hours", "1",       NULL};
    spawn(args);
    if (!wait_out("cairn demo: running", UP_MS))
        fail_msg("the demo did not come up; its output:\n%s", dp.log);

    /* the ports file and the console lines agree */
    json_error_t e;
    json_t *pf = json_load_file(ports_path, 0, &e);
    if (!pf)
        fail_msg("ports file: %s", e.text);
    assert_string_equal(json_string_value(json_object_get(pf, "dir")), dir);
    json_t *arr = json_object_get(pf, "centres");
    assert_int_equal(json_array_size(arr), 2);
    for (int i = 0; i < 2; i++) {
        json_t *c = json_array_get(arr, (size_t)i);
        snprintf(cs[i].name, sizeof cs[i].name, "%s",
                 json_string_value(json_object_get(c, "name")));
        cs[i].port = (int)json_integer_value(json_object_get(c, "port"));
        snprintf(cs[i].password, sizeof cs[i].password, "%s",
                 json_string_value(json_object_get(c, "password")));
        cs[i].pid = (pid_t)json_integer_value(json_object_get(c, "pid"));
        assert_string_equal(json_string_value(json_object_get(c, "user")), "duty");
        assert_true(cs[i].port > 0 && cs[i].pid > 0);
        char line[256];
        snprintf(line, sizeof line, "\nconsole: http://127.0.0.1:%d user duty password %s\n",
                 cs[i].port, cs[i].password);
        if (!strstr(dp.log, line))
            fail_msg("no line '%s' in:\n%s", line + 1, dp.log);
    }
    json_decref(pf);
    assert_string_equal(cs[0].name, "WARSAW-CC");
    assert_string_equal(cs[1].name, "KALININGRAD-CC");
    assert_true(strcmp(cs[0].password, cs[1].password) != 0);

    /* both consoles: the printed credentials, tracks, the hotline up */
    for (int i = 0; i < 2; i++) {
        login(&cs[i]);
        wait_for(&cs[i], "/api/tracks", has_confirmed_track, "confirmed track");
        peer_of_check = cs[1 - i].name;
        wait_for(&cs[i], "/api/link", link_up, "hotline link up to the other centre");
    }

    /* a hotline message across, and the short deadline on the sender only */
    use(&cs[0]);
    assert_int_equal(http("POST", "/api/messages", cs[0].token,
                          "{\"to\":\"KALININGRAD-CC\",\"type\":\"EXPLANATION_REQUEST\","
                          "\"fields\":{\"activity\":\"snap exercise near the border\"}}"),
                     200);
    wait_for(&cs[1], "/api/messages?dir=in", expl_request_in, "EXPLANATION_REQUEST received");
    case_state = "overdue";
    wait_for(&cs[0], "/api/cases", case_in, "overdue case (--deadline-s 2)");
    case_state = "open";
    wait_for(&cs[1], "/api/cases", case_in, "open case on its 48 h");

    /* SIGTERM: a clean stop, nothing left */
    assert_int_equal(kill(dp.pid, SIGTERM), 0);
    int st = ip_reap(&dp, WAIT_MS);
    if (st != 0)
        fail_msg("exit status %d; output:\n%s", st, dp.log);
    for (int i = 0; i < 2; i++) {
        errno = 0;
        assert_int_equal(kill(cs[i].pid, 0), -1); /* reaped by the demo: no such process */
        assert_int_equal(errno, ESRCH);
        cs[i].pid = 0;
    }
    assert_int_equal(access(dir, F_OK), -1);
    assert_int_equal(access(ports_path, F_OK), -1);
    assert_non_null(strstr(dp.log, "cairn demo: stopped"));
}

/* A centre that dies makes the demo stop the other and exit 1, leaving
 * nothing behind either. */
static void test_demo_centre_dies(void **state)
{
    (void)state;
    char *args[] = {"--dir",   dir,       "--port", "0", "--ports-file", ports_path, "--no-data",
                    "--no-ui", "--hours", "1",      NULL};
    spawn(args);
    if (!wait_out("cairn demo: running", UP_MS))
        fail_msg("the demo did not come up; its output:\n%s", dp.log);
    json_error_t e;
    json_t *pf = json_load_file(ports_path, 0, &e);
    if (!pf)
        fail_msg("ports file: %s", e.text);
    json_t *arr = json_object_get(pf, "centres");
    for (int i = 0; i < 2; i++)
        cs[i].pid =
            (pid_t)json_integer_value(json_object_get(json_array_get(arr, (size_t)i), "pid"));
    json_decref(pf);
    assert_int_equal(kill(cs[0].pid, SIGKILL), 0);
    assert_int_equal(ip_reap(&dp, WAIT_MS), 1);
    assert_non_null(strstr(dp.log, "WARSAW-CC ended on its own"));
    for (int i = 0; i < 2; i++) {
        errno = 0;
        assert_int_equal(kill(cs[i].pid, 0), -1);
        assert_int_equal(errno, ESRCH);
        cs[i].pid = 0;
    }
    assert_int_equal(access(dir, F_OK), -1);
    assert_int_equal(access(ports_path, F_OK), -1);
}

static void test_demo_refusals(void **state)
{
    (void)state;
    char *bad_speed[] = {"--speed", "0", NULL};
    spawn(bad_speed);
    assert_int_equal(ip_reap(&dp, WAIT_MS), 2);
    /* a folder that holds an earlier demo is refused and left alone */
    char sub[192], cmd[256];
    snprintf(sub, sizeof sub, "%s/warsaw", dir);
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", sub);
    assert_int_equal(system(cmd), 0);
    char *busy[] = {"--dir", dir, "--port", "0", "--no-data", "--no-ui", NULL};
    spawn(busy);
    assert_int_equal(ip_reap(&dp, WAIT_MS), 1);
    assert_non_null(strstr(dp.log, "holds an earlier demo"));
    assert_int_equal(access(sub, F_OK), 0);
}

static int has_spb_track(json_t *j)
{
    size_t i, n = 0;
    json_t *t;
    json_array_foreach(json_object_get(j, "tracks"), i, t)
    {
        double lat = json_number_value(json_object_get(t, "lat"));
        if (lat > 59.0 && !strcmp(str(t, "status"), "confirmed"))
            n++;
    }
    return n >= 5;
}

static int spb_input_reports(json_t *j)
{
    size_t i;
    json_t *in;
    json_array_foreach(json_object_get(j, "inputs"), i, in)
    {
        if (!strcmp(str(in, "name"), "spb-recording") &&
            json_integer_value(json_object_get(in, "reports")) > 1000)
            return 1;
    }
    return 0;
}

static void test_demo_recording(void **state)
{
    (void)state;
    if (!td_exists("modes/beastblackbox_ulss7_1522782148.beast")) {
        print_message("SKIP: %s not found (shared reference data absent)\n",
                      td_path("modes/beastblackbox_ulss7_1522782148.beast"));
        TD_SKIP();
    }
    static char data[4096];
    snprintf(data, sizeof data, "%s", td_path(""));
    char *args[] = {"--dir", dir,       "--port",  "0", "--ports-file", ports_path, "--data",
                    data,    "--no-ui", "--speed", "2", "--hours",      "1",        NULL};
    spawn(args);
    if (!wait_out("cairn demo: running", UP_MS))
        fail_msg("the demo did not come up; its output:\n%s", dp.log);
    json_error_t e;
    json_t *pf = json_load_file(ports_path, 0, &e);
    if (!pf)
        fail_msg("ports file: %s", e.text);
    assert_true(json_is_true(json_object_get(pf, "recording")));
    json_t *arr = json_object_get(pf, "centres");
    for (int i = 0; i < 2; i++) {
        json_t *c = json_array_get(arr, (size_t)i);
        snprintf(cs[i].name, sizeof cs[i].name, "%s", str(c, "name"));
        cs[i].port = (int)json_integer_value(json_object_get(c, "port"));
        snprintf(cs[i].password, sizeof cs[i].password, "%s", str(c, "password"));
        cs[i].pid = (pid_t)json_integer_value(json_object_get(c, "pid"));
        login(&cs[i]);
    }
    json_decref(pf);
    /* the Russian side replays the real recording... */
    wait_for(&cs[1], "/api/sensors", spb_input_reports, "spb-recording input with reports");
    wait_for(&cs[1], "/api/tracks", has_spb_track, "5 confirmed tracks near St Petersburg");
    /* ...the NATO side has no such input */
    use(&cs[0]);
    assert_int_equal(http("GET", "/api/sensors", cs[0].token, NULL), 200);
    assert_null(strstr(rep.body, "spb-recording"));
    assert_int_equal(kill(dp.pid, SIGTERM), 0);
    int st = ip_reap(&dp, WAIT_MS);
    if (st != 0)
        fail_msg("exit status %d; output:\n%s", st, dp.log);
    for (int i = 0; i < 2; i++)
        cs[i].pid = 0;
    assert_int_equal(access(dir, F_OK), -1);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_demo CAIRN_BINARY [recording]\n");
        return 2;
    }
    static char bin[4096];
    if (!realpath(argv[1], bin)) {
        fprintf(stderr, "test_demo: %s: %s\n", argv[1], strerror(errno));
        return 2;
    }
    cairn_bin = bin;
    if (argc > 2 && !strcmp(argv[2], "recording")) {
        const struct CMUnitTest rec[] = {cmocka_unit_test(test_demo_recording)};
        return td_exit(cmocka_run_group_tests(rec, setup, teardown));
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_demo_runs_and_stops),
        cmocka_unit_test(test_demo_centre_dies),
        cmocka_unit_test(test_demo_refusals),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
