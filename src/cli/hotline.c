/*
 * hotline.c — `cairn hotline -c centre.ini`: run this centre's hotline
 * daemon (hotline/daemon.h) in the foreground, logging to stderr, until
 * SIGTERM or SIGINT. A program embedding it may add control ops first
 * (cli_hotline_set_extra_ops; the cairn binary adds none).
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "base/error.h"
#include "cli/cli.h"
#include "hotline/daemon.h"

static const struct hl_daemon_op *extra_ops;

void cli_hotline_set_extra_ops(const struct hl_daemon_op *ops)
{
    extra_ops = ops;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: cairn hotline -c CENTRE.INI [--init]\n"
               "--init creates the centre's journal once and exits; without a journal the\n"
               "daemon refuses to start (a lost journal is restored, never re-created).\n"
               "Runs the hotline of one centre: the TLS 1.3 link to the centres on its\n"
               "roster, the journal, case deadlines, and the control socket used by\n"
               "'cairn msg' and 'cairn case'. Logs to stderr; stops on SIGTERM/SIGINT.\n"
               "The [hotline] section: keys, roster, journal (required); listen, control,\n"
               "alerts, heartbeat_ms, dead_ms, backoff_min_ms, backoff_max_ms,\n"
               "checkpoint_ms, checkpoint_every, window, case_check_ms, link_check_interval_s,\n"
               "link_check_deadline_s. See docs/hotline-link.md.\n");
}

int cli_hotline(int argc, char **argv)
{
    /* Everything this process creates (journal, -wal, -shm, alerts file,
     * folders) is its user's only, whether `--init` or the daemon makes it. */
    umask(077);
    const char *ini = NULL;
    int init = 0;
    for (int i = 1; i < argc; i++) {
        if ((!strcmp(argv[i], "-c") || !strcmp(argv[i], "--config")) && i + 1 < argc)
            ini = argv[++i];
        else if (!strcmp(argv[i], "--init"))
            init = 1;
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (!ini) {
        usage(stderr);
        return 2;
    }
    struct hl_daemon_config cfg;
    if (hl_daemon_config_load(ini, &cfg) != 0)
        return 1;
    cfg.extra_ops = extra_ops;
    if (init)
        return hl_daemon_init_journal(&cfg) == 0 ? 0 : 1;
    return hl_daemon_run(&cfg) == 0 ? 0 : 1;
}
