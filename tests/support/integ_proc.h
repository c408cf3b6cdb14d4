/*
 * integ_proc.h — the daemons of the integration tests: `cairn run`, `cairn
 * demo` and friends started as children whose standard error (and, when
 * asked, output) comes back through a pipe into a bounded log, read while
 * the test waits for it; their ports; their end.
 *
 * Key idea: a child that writes into a pipe nobody reads blocks, so every
 * wait of a test drains every child it started (ip_drain), not only the
 * one it waits for. The children are registered here at ip_spawn and
 * forgotten when reaped. Each child dies with the test (PR_SET_PDEATHSIG,
 * SIGKILL): a test killed by ctest's timeout leaves no daemon holding its
 * ports.
 *
 * No sleeps: every wait is a poll() on the children's pipes with a
 * deadline.
 */
#ifndef CAIRN_TESTS_INTEG_PROC_H
#define CAIRN_TESTS_INTEG_PROC_H

#include <stddef.h>
#include <sys/types.h>

#define IP_LOG_CAP  (1 << 18) /* a child's log kept; the rest is dropped */
#define IP_MAX_PROC 8         /* children alive at once */

enum { IP_STDOUT = 1 }; /* ip_spawn: the child's standard output into the log too */

/* A child and what it logged. Large: keep it static. */
struct ip_proc {
    pid_t pid; /* -1 when none */
    int fd;    /* the pipe, -1 once it reached its end (the child exited) */
    size_t len;
    char log[IP_LOG_CAP]; /* NUL-terminated */
};

/* Start argv[0] with argv (borrowed) as p's child, its log empty (a child
 * still in p is killed first). Fails the test when it cannot fork. */
void ip_spawn(struct ip_proc *p, char *const argv[], unsigned flags);

/* Read what every registered child wrote, waiting up to ms for anything
 * (ms when none has an open pipe). */
void ip_drain(int ms);

/* Wait until p's log holds s after offset from: 1, or 0 at the deadline
 * (ms) or once p's pipe ended without it. */
int ip_wait_log(struct ip_proc *p, const char *s, size_t from, int ms);

/* Wait (ms at most) for p to end: its pipe to close, then the process. Its
 * exit status, 128 + the signal that ended it, or -1 at the deadline (then
 * it is killed). p is forgotten either way. */
int ip_reap(struct ip_proc *p, int ms);

/* SIGKILL p if it runs, and reap it (teardowns); nothing for a p never
 * started or already reaped. */
void ip_kill(struct ip_proc *p);

/* The web port in p's log ("web: listening on ADDR (port N)"), or 0. */
int ip_web_port(const struct ip_proc *p);

/* The number in a port file (the [web] port_file), or 0. */
int ip_port_file(const char *path);

/* A port free on 127.0.0.1 just now (bound, read, closed), or -1. */
int ip_free_port(void);

/* A new scratch folder /tmp/cairn-NAME-XXXXXX, its path in dir (cap
 * bytes). 0, or -1. */
int ip_scratch(char *dir, size_t cap, const char *name);

/* Remove the folder dir and all it holds (links not followed). 0, or -1. */
int ip_scratch_remove(const char *dir);

/* The accounts file dir/accounts (mode 0600) with one operator, made as an
 * operator makes it: `cairn passwd USER` (bin) reading the password from
 * its standard input. 0, or -1. */
int ip_account(const char *bin, const char *dir, const char *user, const char *password);

/* Run the shell command made from fmt and its arguments (the caller
 * quotes what needs it). Its exit status; -1 when it did not run or did
 * not exit (a signal). */
int ip_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Write text to path; fails the test when it cannot. */
void ip_write_file(const char *path, const char *text);

#endif
