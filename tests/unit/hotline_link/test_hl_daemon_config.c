/*
 * test_hl_daemon_config.c — `cairn hotline`'s INI file (hotline/daemon.h):
 * paths relative to the file, defaults, numbers, unknown keys refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/error.h"
#include "hotline/daemon.h"

static char DIR_[64];

static const char *write_ini(const char *text)
{
    static char path[128];
    snprintf(path, sizeof path, "%s/centre.ini", DIR_);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static void test_config_ok(void **state)
{
    (void)state;
    struct hl_daemon_config c;
    const char *p =
        write_ini("[hotline]\nname = WARSAW-CC\nkeys = keys\nroster = /etc/cairn/roster.ini\n"
                  "journal = j/journal.db\nlisten = 127.0.0.1:7441\n"
                  "heartbeat_ms = 250\nwindow = 64\nclock_skew_ms = -3600000\n"
                  "[web]\nport = 8080\n");
    assert_int_equal(hl_daemon_config_load(p, &c), 0);
    char want[256];
    snprintf(want, sizeof want, "%s/keys", DIR_);
    assert_string_equal(c.keys, want);
    assert_string_equal(c.roster, "/etc/cairn/roster.ini");
    assert_string_equal(c.name, "WARSAW-CC");
    snprintf(want, sizeof want, "%s/j/journal.db.sock", DIR_);
    assert_string_equal(c.control, want); /* default: beside the journal */
    snprintf(want, sizeof want, "%s/j/journal.db.alerts", DIR_);
    assert_string_equal(c.alerts, want);
    assert_string_equal(c.listen, "127.0.0.1:7441");
    assert_int_equal(c.heartbeat_ms, 250);
    assert_int_equal(c.window, 64);
    assert_int_equal(c.clock_skew_ms, -3600000);
    assert_int_equal(c.case_check_ms, 10000);
}

static void test_config_refused(void **state)
{
    (void)state;
    struct hl_daemon_config c;
    assert_int_equal(hl_daemon_config_load(write_ini("[hotline]\nkeys = k\nroster = r\n"
                                                     "journal = j\nheartbeat = 5\n"),
                                           &c),
                     CAIRN_E_FORMAT); /* unknown key */
    assert_int_equal(hl_daemon_config_load(write_ini("[hotline]\nkeys = k\nroster = r\n"
                                                     "journal = j\nwindow = lots\n"),
                                           &c),
                     CAIRN_E_FORMAT); /* not a number */
    assert_int_equal(hl_daemon_config_load(write_ini("[hotline]\nkeys = k\njournal = j\n"), &c),
                     CAIRN_E_FORMAT); /* roster missing */
    char missing[160];
    snprintf(missing, sizeof missing, "%s/none.ini", DIR_);
    assert_int_equal(hl_daemon_config_load(missing, &c), CAIRN_E_IO);
}

static int setup(void **state)
{
    (void)state;
    snprintf(DIR_, sizeof DIR_, "/tmp/cairn-hlcfg-XXXXXX");
    return mkdtemp(DIR_) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char p[128];
    snprintf(p, sizeof p, "%s/centre.ini", DIR_);
    unlink(p);
    return rmdir(DIR_);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_config_ok),
                                       cmocka_unit_test(test_config_refused)};
    return cmocka_run_group_tests(tests, setup, teardown);
}
