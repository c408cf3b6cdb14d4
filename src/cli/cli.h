/*
 * cli.h — the subcommands of the cairn binary.
 *
 * Each subcommand is a function taking the arguments after its name
 * (argv[0] is the subcommand's name) and returning the process exit status:
 * 0 success, 1 failure, 2 usage error. Only cli/ and app/ may exit.
 */
#ifndef CAIRN_CLI_CLI_H
#define CAIRN_CLI_CLI_H

int cli_decode(int argc, char **argv);
/* Hotline identity and journal audit (cli/keygen.c, cli/audit.c). */
int cli_keygen(int argc, char **argv);
int cli_audit(int argc, char **argv);
/* The hotline (cli/hotline.c, cli/msg.c). */
int cli_hotline(int argc, char **argv);
/* Extra control ops for the daemon cli_hotline runs (hotline/daemon.h,
 * hl_daemon_config.extra_ops): a table ended by {NULL, NULL}, kept (not
 * copied). The cairn binary never calls it; the tests' binary does, for
 * its fault injection. */
struct hl_daemon_op;
void cli_hotline_set_extra_ops(const struct hl_daemon_op *ops);
int cli_msg(int argc, char **argv);
int cli_case(int argc, char **argv);
/* The scenario simulator (cli/sim.c). */
int cli_sim(int argc, char **argv);
/* A scenario argument as a file path: a path (with '/' or ending in .json)
 * as it is, a name (malmo-2014) looked up as cairn sim does. 0,
 * CAIRN_E_NOTFOUND, CAIRN_E_INVAL. */
int cli_scenario_path(const char *arg, char *path, size_t cap);
/* The picture from recorded inputs (cli/picture.c). */
int cli_picture(int argc, char **argv);

/* The centre daemon and its accounts (cli/run.c). */
int cli_run(int argc, char **argv);
int cli_replay(int argc, char **argv);
int cli_passwd(int argc, char **argv);
/* Two centres of one CAI pair on loopback (cli/demo.c). */
int cli_demo(int argc, char **argv);

/* `cairn decode` per input family (cli/decode_*.c). */
int cli_decode_modes(int argc, char **argv);
int cli_decode_ais(int argc, char **argv);
int cli_decode_asterix(int argc, char **argv);

#endif
