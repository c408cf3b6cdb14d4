/*
 * hl_cli_main.c — the hotline subcommands of `cairn` alone in one binary
 * for the integration tests: `hotline`, `msg`, `case` and `audit` run exactly the
 * functions of cli/hotline.c, msg.c and audit.c that the cairn binary
 * dispatches to, without linking every other module of the tree (so a
 * half-built decoder elsewhere cannot stop the hotline's tests).
 *
 * It is also where the tests' fault injection lives: a full disk on demand
 * through an SQLite VFS (hl_nospace_vfs.h), so the production daemon has
 * no test hook.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "hl_nospace_vfs.h"

int main(int argc, char **argv)
{
    if (hl_nospace_vfs_register() != 0) {
        fprintf(stderr, "cairn_hl: cannot register the test VFS\n");
        return 2;
    }
    if (argc >= 2 && !strcmp(argv[1], "hotline"))
        return cli_hotline(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "msg"))
        return cli_msg(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "case"))
        return cli_case(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "audit"))
        return cli_audit(argc - 1, argv + 1);
    fprintf(stderr, "usage: %s hotline|msg|case|audit ...\n", argv[0]);
    return 2;
}
