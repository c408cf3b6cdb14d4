/*
 * test_ais_cli.c — `cairn decode --format nmea` end to end (the binary is
 * argv[1]): a self-made recording written to a temporary file decodes to
 * gpsd-style JSON, scaled by default and unscaled with --unscaled, with the
 * --stats summary on standard error counting its planted errors; a
 * multiplexer's extra field after the fill bits is accepted and counted; a
 * TCP source whose last sentence has no line terminator still has it
 * decoded when it closes; with the shared data present, gpsd's sample.aivdm
 * gives its 97 objects.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testdata.h"

static const char *cairn_bin;

/* Self-made: two type 1, a two-sentence type 5 (checksums computed when
 * this file was written), a bad checksum, a comment and a GNSS sentence. */
static const char rec[] = "# self-made\n"
                          "$GPGGA,1,2,3*00\n"
                          "!AIVDM,1,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0*23\r\n"
                          "!AIVDM,1,1,,A,133sVfPP00PD>hRMDH@jNOvN20S8,0*7F\r\n"
                          "!AIVDM,1,1,,A,133sVfPP00PD>hRMDH@jNOvN20S8,0*7E\r\n"
                          "!AIVDM,2,1,3,A,544pN>42;H;qD8<CL00<4U8r1@E=B1<PU000,0*37\r\n"
                          "!AIVDM,2,2,3,A,0016L961O5Gf0NRhC2CRCQlPA0000000000,2*72\r\n";

/* Run cairn with args on path; stdout lines into *out, stderr into *err
 * (both malloc'ed). Returns the exit status. */
static int run(const char *const *args, char **out, char **err)
{
    char so[] = "/tmp/ais_cli_out_XXXXXX", se[] = "/tmp/ais_cli_err_XXXXXX";
    int fo = mkstemp(so), fe = mkstemp(se);
    assert_true(fo >= 0 && fe >= 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fo, 1);
        dup2(fe, 2);
        execv(cairn_bin, (char *const *)args);
        _exit(127);
    }
    int st;
    waitpid(pid, &st, 0);
    close(fo);
    close(fe);
    size_t n;
    *out = (char *)td_slurp(so, &n);
    *err = (char *)td_slurp(se, &n);
    unlink(so);
    unlink(se);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static size_t count_objects(char *text, const char *key, json_t *want)
{
    size_t n = 0;
    char *save = NULL;
    for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        json_error_t e;
        json_t *o = json_loads(l, 0, &e);
        assert_non_null(o);
        assert_string_equal(json_string_value(json_object_get(o, "class")), "AIS");
        if (!key || json_equal(json_object_get(o, key), want))
            n++;
        json_decref(o);
    }
    return n;
}

static void test_selfmade(void **state)
{
    (void)state;
    char path[] = "/tmp/ais_cli_in_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, rec, sizeof rec - 1), (ssize_t)(sizeof rec - 1));
    close(fd);

    char *out, *err;
    const char *scaled[] = {cairn_bin, "decode", "--format", "nmea", "--stats", path, NULL};
    assert_int_equal(run(scaled, &out, &err), 0);
    json_t *t = json_true();
    assert_int_equal(count_objects(out, "scaled", t), 3);
    /* the summary counts the planted checksum error and the two other lines */
    assert_non_null(strstr(err, "\"bad_checksum\":1"));
    assert_non_null(strstr(err, "\"other_lines\":2"));
    assert_non_null(strstr(err, "\"messages\":3"));
    free(out);
    free(err);

    const char *unscaled[] = {cairn_bin, "decode", "--format", "nmea", "--unscaled", path, NULL};
    assert_int_equal(run(unscaled, &out, &err), 0);
    json_t *f = json_false();
    assert_int_equal(count_objects(out, "scaled", f), 3);
    free(out);
    free(err);

    const char *missing[] = {cairn_bin, "decode", "--format", "nmea", "/nonexistent/x.nmea", NULL};
    assert_int_equal(run(missing, &out, &err), 1);
    free(out);
    free(err);
    unlink(path);
}

/* A GoFree-style multiplexer appends a field after the fill bits (inside
 * the checksum; the checksums below were computed for these lines). gpsd
 * decodes such sentences; so must we, counting them. */
static void test_extra_field(void **state)
{
    (void)state;
    static const char mux[] = "!AIVDM,1,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0,1234*0B\r\n"
                              "!AIVDM,1,1,,A,133sVfPP00PD>hRMDH@jNOvN20S8,0*7F\r\n";
    char path[] = "/tmp/ais_cli_mux_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, mux, sizeof mux - 1), (ssize_t)(sizeof mux - 1));
    close(fd);
    char *out, *err;
    const char *args[] = {cairn_bin, "decode", "--format", "nmea", "--stats", path, NULL};
    assert_int_equal(run(args, &out, &err), 0);
    json_t *mmsi = json_integer(227006760);
    assert_int_equal(count_objects(out, "mmsi", mmsi), 1);
    json_decref(mmsi);
    assert_non_null(strstr(err, "\"messages\":2"));
    assert_non_null(strstr(err, "\"extra_fields\":1"));
    assert_non_null(strstr(err, "\"bad_format\":0"));
    free(out);
    free(err);
    unlink(path);
}

/* A TCP source sends two sentences, the last without a line terminator,
 * and closes: both are decoded. The server is a child process on a
 * kernel-chosen loopback port; every wait is bounded. */
static void test_tcp_last_line(void **state)
{
    (void)state;
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(ls >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(ls, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(ls, 1), 0);
    socklen_t alen = sizeof a;
    assert_int_equal(getsockname(ls, (struct sockaddr *)&a, &alen), 0);
    pid_t srv = fork();
    assert_true(srv >= 0);
    if (srv == 0) {
        alarm(20); /* never outlive the test */
        int c = accept(ls, NULL, NULL);
        static const char two[] = "!AIVDM,1,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0*23\r\n"
                                  "!AIVDM,1,1,,A,133sVfPP00PD>hRMDH@jNOvN20S8,0*7F";
        if (c >= 0 && write(c, two, sizeof two - 1) == (ssize_t)(sizeof two - 1))
            close(c);
        _exit(0);
    }
    close(ls);
    char spec[64];
    snprintf(spec, sizeof spec, "tcp:127.0.0.1:%u", (unsigned)ntohs(a.sin_port));
    char *out, *err;
    const char *args[] = {cairn_bin, "decode", "--format", "nmea", "--stats", spec, NULL};
    assert_int_equal(run(args, &out, &err), 0);
    int st;
    waitpid(srv, &st, 0);
    assert_non_null(strstr(err, "\"messages\":2"));
    assert_int_equal(count_objects(out, NULL, NULL), 2);
    free(out);
    free(err);
}

static void test_gpsd_sample(void **state)
{
    (void)state;
    TD_REQUIRE("ais/gpsd/sample.aivdm");
    char *out, *err;
    const char *args[] = {cairn_bin, "decode",     "--format",
                          "nmea",    "--unscaled", td_path("ais/gpsd/sample.aivdm"),
                          NULL};
    assert_int_equal(run(args, &out, &err), 0);
    assert_int_equal(count_objects(out, NULL, NULL), 97);
    free(out);
    free(err);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s PATH_TO_CAIRN\n", argv[0]);
        return 2;
    }
    cairn_bin = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_selfmade),
        cmocka_unit_test(test_extra_field),
        cmocka_unit_test(test_tcp_last_line),
        cmocka_unit_test(test_gpsd_sample),
    };
    return td_exit(cmocka_run_group_tests(tests, NULL, NULL));
}
