/*
 * hl_cli_main.c — the hotline subcommands of `cairn` alone in one binary
 * for the integration tests: `hotline`, `msg`, `case` and `audit` run exactly the
 * functions of cli/hotline.c, msg.c and audit.c that the cairn binary
 * dispatches to, without linking every other module of the tree (so a
 * half-built decoder elsewhere cannot stop the hotline's tests).
 *
 * It is also where the tests' fault injection lives, so the production
 * daemon has no test hook: a full disk on demand through an SQLite VFS
 * (hl_nospace_vfs.h), and the control op clock_advance, an extra op
 * (hotline/daemon.h) that only this binary gives the daemon:
 *
 *   {"op":"clock_advance","ms":N}  ->  {"ok":true,"now":UTC_MS}
 *
 * moves the daemon's UTC clock forward by N ms (0 .. 366 days) and runs at
 * once what became due (hl_daemon_clock_advance). The cairn binary answers
 * it "unknown op" (test_hl_files checks).
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "base/error.h"
#include "base/jsonw.h"
#include "cli/cli.h"
#include "hl_nospace_vfs.h"
#include "hotline/daemon.h"

static int op_clock_advance(struct hl_daemon_ctx *d, json_t *req, struct jsonw *w, const char **why)
{
    json_t *v = json_object_get(req, "ms");
    int rc = json_is_integer(v) ? hl_daemon_clock_advance(d, (int64_t)json_integer_value(v))
                                : CAIRN_E_INVAL;
    if (rc != 0) {
        *why = "clock_advance needs ms, an integer 0 <= ms <= 366 days";
        return rc;
    }
    jw_kint(w, "now", hl_daemon_now_ms(d));
    return 0;
}

static const struct hl_daemon_op test_ops[] = {
    {"clock_advance", op_clock_advance},
    {NULL, NULL},
};

int main(int argc, char **argv)
{
    if (hl_nospace_vfs_register() != 0) {
        fprintf(stderr, "cairn_hl: cannot register the test VFS\n");
        return 2;
    }
    if (argc >= 2 && !strcmp(argv[1], "hotline")) {
        cli_hotline_set_extra_ops(test_ops);
        return cli_hotline(argc - 1, argv + 1);
    }
    if (argc >= 2 && !strcmp(argv[1], "msg"))
        return cli_msg(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "case"))
        return cli_case(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "audit"))
        return cli_audit(argc - 1, argv + 1);
    fprintf(stderr, "usage: %s hotline|msg|case|audit ...\n", argv[0]);
    return 2;
}
