/*
 * audit.c — `cairn audit verify`: check a hotline journal end to end.
 *
 *   cairn audit verify [--journal FILE] [--roster FILE] [FILE]
 *
 * Re-derives every hash, chain link and signature from the stored signed
 * bytes (hotline/audit.h). Exit 0 and a summary when the journal is
 * consistent; exit 1 naming the first inconsistency (table, direction,
 * peer, seq, what) otherwise; 2 on a usage error.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "base/error.h"
#include "cli/cli.h"
#include "hotline/audit.h"

static void audit_usage(FILE *f)
{
    fprintf(f, "usage: cairn audit verify [--journal FILE] [--roster FILE] [FILE]\n"
               "Checks every message signature, the hash chains and sequence numbers, every\n"
               "receipt and checkpoint of a hotline journal (default journal.db) against the\n"
               "keys of the roster (without --roster only the journal owner's key is known).\n");
}

int cli_audit(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "verify") != 0) {
        if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
            audit_usage(stdout);
            return 0;
        }
        audit_usage(stderr);
        return 2;
    }
    static const struct option opts[] = {
        {"journal", required_argument, NULL, 'j'},
        {"roster", required_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *journal = "journal.db", *roster_path = NULL;
    int c;
    optind = 1;
    argc--;
    argv++;
    while ((c = getopt_long(argc, argv, "j:r:h", opts, NULL)) != -1) {
        switch (c) {
        case 'j':
            journal = optarg;
            break;
        case 'r':
            roster_path = optarg;
            break;
        case 'h':
            audit_usage(stdout);
            return 0;
        default:
            audit_usage(stderr);
            return 2;
        }
    }
    if (optind + 1 == argc)
        journal = argv[optind];
    else if (optind != argc) {
        audit_usage(stderr);
        return 2;
    }
    static struct hl_roster roster;
    if (roster_path) {
        int line = 0;
        int rc = hl_roster_load(roster_path, &roster, &line);
        if (rc) {
            fprintf(stderr, "cairn audit: %s:%d: %s\n", roster_path, line, cairn_strerror(rc));
            return 1;
        }
    }
    struct hl_audit_report rep;
    int rc = hl_audit_verify(journal, roster_path ? &roster : NULL, &rep);
    if (rc == 0) {
        printf("%s: ok: %llu messages, %llu receipts, %llu checkpoints verified\n", journal,
               (unsigned long long)rep.n_messages, (unsigned long long)rep.n_receipts,
               (unsigned long long)rep.n_checkpoints);
        return 0;
    }
    if (rep.table[0]) {
        printf("%s: FAILED at table %s", journal, rep.table);
        if (rep.dir >= 0)
            printf(", %s %s", rep.dir == 0 ? "to" : "from", rep.peer);
        if (rep.seq)
            printf(", seq %llu", (unsigned long long)rep.seq);
        printf(": %s (%s)\n", rep.what, cairn_errname(rc));
    } else {
        printf("%s: FAILED: %s\n", journal, cairn_strerror(rc));
    }
    return 1;
}
