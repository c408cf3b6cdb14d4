/*
 * main.c — the cairn binary: dispatch to subcommands (see cli.h).
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

struct subcmd {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *help;
};

static const struct subcmd subcmds[] = {
    {"decode", cli_decode, "decode recordings or feeds to JSON Lines"},
    {"keygen", cli_keygen, "make a centre's signing and TLS keys, print its roster section"},
    {"audit", cli_audit, "verify a hotline journal end to end (audit verify)"},
    {"hotline", cli_hotline, "run this centre's hotline daemon"},
    {"msg", cli_msg, "send, list, show and acknowledge hotline messages"},
    {"case", cli_case, "list hotline cases and their deadlines"},
    {"sim", cli_sim, "simulate a scenario: radar, ADS-B and AIS feeds with their truth"},
    {"picture", cli_picture, "merge recorded inputs into one track picture: alerts and tracks"},
    {"run", cli_run, "run the coordination centre: picture, inputs, HTTP API (docs/centre.md)"},
    {"replay", cli_replay, "run a centre with recordings replayed at recorded pace or xN"},
    {"passwd", cli_passwd, "print an accounts file line for an operator (Argon2id)"},
    {"demo", cli_demo, "two centres of one CAI pair on loopback, with their consoles"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: cairn COMMAND [ARGS...]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof subcmds / sizeof subcmds[0]; i++)
        fprintf(f, "  %-10s %s\n", subcmds[i].name, subcmds[i].help);
    fprintf(f, "\n'cairn COMMAND --help' describes each command.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("cairn %s\n", CAIRN_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof subcmds / sizeof subcmds[0]; i++)
        if (!strcmp(argv[1], subcmds[i].name))
            return subcmds[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "cairn: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
