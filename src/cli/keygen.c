/*
 * keygen.c — `cairn keygen`: make a centre's identity (Ed25519 signing key,
 * TLS key and self-signed certificate) and print its roster section.
 *
 *   cairn keygen --centre WARSAW-CC --party NATO [--dir DIR] [--days N]
 *                [--address HOST:PORT] [--journal FILE]
 *
 * --journal creates the centre's (empty) journal as well: the hotline
 * daemon never creates one itself (hotline/journal.h, J8).
 *
 * DIR defaults to ./keys/CENTRE; it is created 0700, secret files 0600 (see
 * hotline/identity.h). Existing keys are never overwritten.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/error.h"
#include "cli/cli.h"
#include "hotline/identity.h"
#include "hotline/journal.h"

static void keygen_usage(FILE *f)
{
    fprintf(f, "usage: cairn keygen --centre NAME --party PARTY [--dir DIR] [--days N]\n"
               "                    [--address HOST:PORT] [--journal FILE]\n"
               "Makes DIR (default keys/NAME, mode 0700) with sign.key (0600), sign.pub,\n"
               "tls.key (0600), tls.crt (self-signed, CN=NAME, valid N days, default 730),\n"
               "centre.ini and roster.ini, and prints this centre's roster section.\n"
               "--journal FILE also creates the centre's journal (refused if it exists).\n");
}

int cli_keygen(int argc, char **argv)
{
    umask(077); /* keys, their folder and a --journal: their user's only */
    static const struct option opts[] = {
        {"centre", required_argument, NULL, 'c'},  {"party", required_argument, NULL, 'p'},
        {"dir", required_argument, NULL, 'd'},     {"days", required_argument, NULL, 'n'},
        {"address", required_argument, NULL, 'a'}, {"journal", required_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
    };
    const char *centre = NULL, *party = NULL, *dir = NULL, *address = NULL, *journal = NULL;
    int days =
        730; /* two years: long enough to outlast an exercise season, short enough to rotate */
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "c:p:d:n:a:j:h", opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            centre = optarg;
            break;
        case 'p':
            party = optarg;
            break;
        case 'd':
            dir = optarg;
            break;
        case 'a':
            address = optarg;
            break;
        case 'j':
            journal = optarg;
            break;
        case 'n': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end || v < 1 || v > 36500) {
                fprintf(stderr, "cairn keygen: --days must be 1..36500\n");
                return 2;
            }
            days = (int)v;
            break;
        }
        case 'h':
            keygen_usage(stdout);
            return 0;
        default:
            keygen_usage(stderr);
            return 2;
        }
    }
    if (!centre || !party || optind != argc) {
        keygen_usage(stderr);
        return 2;
    }
    char defdir[256];
    if (!dir) {
        snprintf(defdir, sizeof defdir, "keys");
        if (mkdir(defdir, 0700) != 0 && errno != EEXIST) {
            fprintf(stderr, "cairn keygen: cannot create %s: %s\n", defdir, strerror(errno));
            return 1;
        }
        snprintf(defdir, sizeof defdir, "keys/%s", centre);
        dir = defdir;
    }
    struct stat jst;
    if (journal && stat(journal, &jst) == 0 && jst.st_size > 0) {
        fprintf(stderr, "cairn keygen: journal %s already exists: it is never re-created\n",
                journal);
        return 1;
    }
    struct hl_identity id;
    int rc = hl_identity_create(dir, centre, party, days, &id);
    if (rc) {
        fprintf(stderr, "cairn keygen: %s: %s%s\n", dir, cairn_strerror(rc),
                rc == CAIRN_E_EXISTS  ? " (keys are never overwritten)"
                : rc == CAIRN_E_INVAL ? " (names: letters, digits, - _ .)"
                                      : "");
        return 1;
    }
    char line[1024];
    rc = hl_identity_roster_line(&id, address, line, sizeof line);
    if (rc == 0 && journal) {
        static struct hl_roster self_roster;
        char rpath[600];
        int rline = 0;
        struct hl_journal *j = NULL;
        snprintf(rpath, sizeof rpath, "%s/roster.ini", dir);
        rc = hl_roster_load(rpath, &self_roster, &rline);
        if (rc == 0)
            rc = hl_journal_open_ex(journal, &id, &self_roster, HL_JOURNAL_MUST_CREATE, &j);
        hl_journal_close(j);
        if (rc) {
            fprintf(stderr, "cairn keygen: journal %s: %s\n", journal, cairn_strerror(rc));
            hl_identity_wipe(&id);
            return 1;
        }
        fprintf(stderr, "cairn keygen: journal %s created\n", journal);
    }
    hl_identity_wipe(&id);
    if (rc) {
        fprintf(stderr, "cairn keygen: %s\n", cairn_strerror(rc));
        return 1;
    }
    /* The identity's roster.ini says HOST:PORT until it is told better:
     * with --address it holds the real one, so rosters can be built by
     * concatenating these files. */
    if (address) {
        char path[1024];
        snprintf(path, sizeof path, "%s/roster.ini", dir);
        FILE *f = fopen(path, "w");
        int bad = !f || fputs(line, f) < 0;
        if ((f && fclose(f) != 0) || bad) {
            fprintf(stderr, "cairn keygen: cannot write %s: %s\n", path, strerror(errno));
            return 1;
        }
    } else {
        fprintf(stderr,
                "cairn keygen: no --address: edit 'address = HOST:PORT' in %s/roster.ini "
                "before it goes into a roster\n",
                dir);
    }
    fprintf(stderr, "cairn keygen: identity of %s (%s) written to %s\n", centre, party, dir);
    fputs(line, stdout);
    return 0;
}
