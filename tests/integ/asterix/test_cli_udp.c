/*
 * test_cli_udp.c — `cairn decode --format asterix --udp` end to end on
 * loopback: the real binary listens on 127.0.0.1, this test sends it CAT048
 * target reports made with the typed encoder, and reads the JSON it prints.
 * Bounded: the binary is told --count 3 --seconds 20, and the test waits at
 * most 20 s for it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "decode/asterix/typed.h"

static size_t make_datagram(uint8_t *out, size_t cap, uint16_t track)
{
    struct ax48_report r;
    memset(&r, 0, sizeof r);
    r.sac = 25;
    r.sic = 201;
    r.tod_s = 36000.5;
    r.typ = AX48_TYP_PSR; /* a primary-only plot: no transponder */
    r.has_polar = 1;
    r.rho_nm = 42.5;
    r.theta_deg = 90.0;
    r.has_track_number = 1;
    r.track_number = track;
    int n = ax48_encode(&r, out + 3, cap - 3);
    assert_true(n > 0);
    out[0] = 48;
    out[1] = (uint8_t)((n + 3) >> 8);
    out[2] = (uint8_t)(n + 3);
    return (size_t)n + 3;
}

static void test_udp_to_json(void **state)
{
    (void)state;
    uint16_t port = (uint16_t)(30000 + getpid() % 20000);
    char port_arg[32];
    snprintf(port_arg, sizeof port_arg, "127.0.0.1:%u", (unsigned)port);
    int out[2];
    assert_int_equal(pipe(out), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(out[1], 1);
        close(out[0]);
        execl(CAIRN_BIN, "cairn", "decode", "--format", "asterix", "--udp", port_arg, "--count",
              "3", "--seconds", "20", (char *)NULL);
        _exit(127);
    }
    close(out[1]);

    int s = socket(AF_INET, SOCK_DGRAM, 0);
    assert_true(s >= 0);
    struct sockaddr_in to = {0};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

    /* The listener may not be bound yet: send a datagram every 100 ms until
     * three records have come back or 20 s have passed. */
    char json[8192];
    size_t got = 0;
    int lines = 0;
    uint16_t track = 100;
    time_t t0 = time(NULL);
    while (lines < 3 && time(NULL) - t0 < 20) {
        uint8_t dg[64];
        size_t n = make_datagram(dg, sizeof dg, track++);
        sendto(s, dg, n, 0, (struct sockaddr *)&to, sizeof to);
        struct pollfd pfd = {out[0], POLLIN, 0};
        if (poll(&pfd, 1, 100) > 0) {
            ssize_t r = read(out[0], json + got, sizeof json - 1 - got);
            if (r <= 0)
                break;
            got += (size_t)r;
            json[got] = '\0';
            lines = 0;
            for (char *p = json; (p = strchr(p, '\n')) != NULL; p++)
                lines++;
        }
    }
    close(s);
    int status = 0;
    for (int i = 0; i < 200 && waitpid(pid, &status, WNOHANG) == 0; i++)
        usleep(100000);
    if (waitpid(pid, &status, WNOHANG) == 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        fail_msg("cairn decode --udp did not stop after --count 3");
    }
    close(out[0]);
    print_message("%s", json);
    assert_int_equal(lines, 3);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_non_null(strstr(json, "\"cat\":48"));
    assert_non_null(strstr(json, "\"SAC\":25"));
    assert_non_null(strstr(json, "\"RHO\":42.5"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_udp_to_json)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
