/*
 * hl_harness.h — run real `cairn hotline` daemons on loopback for the
 * hotline integration tests.
 *
 * Each test makes a fresh folder under /tmp, creates the centres'
 * identities (hl_identity_create), one roster listing them all with
 * 127.0.0.1 addresses on free ports, an INI and a journal (`cairn hotline
 * --init`) per centre, and starts the
 * daemons with fork/exec of the binary built beside the tests
 * (CAIRN_BIN). Daemons log to DIR/NAME.log. Everything is bounded in time;
 * the folder is removed when the test passes (kept on failure, and always
 * with HL_KEEP=1).
 */
#ifndef CAIRN_TESTS_HL_HARNESS_H
#define CAIRN_TESTS_HL_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#define HN_MAX 4

struct hnode {
    char name[64];
    char dir[512]; /* DIR/NAME */
    char ini[600];
    char sock[600];
    char journal[600];
    char log[600];
    int port;
    pid_t pid;
    char extra_ini[1024]; /* extra [hotline] lines */
    const char *bin;      /* the binary hh_start runs; NULL: CAIRN_BIN (cairn_hl) */
};

struct harness {
    char dir[256];
    char roster[600];
    struct hnode n[HN_MAX];
    int count;
};

/* Create the folder and n centres named names[i] (party alternates
 * NATO/RU), their keys and the shared roster. Returns 0 or -1. */
int hh_setup(struct harness *h, int n, const char *const *names);
/* (Re)write NODE's INI (with its extra_ini). */
int hh_write_ini(struct harness *h, struct hnode *n);
/* Create n's journal with `cairn hotline --init` (hh_setup does it for
 * every centre; the daemon never creates one). 0 or -1. */
int hh_init_journal(struct hnode *n);
/* Start the daemon (n->bin, or CAIRN_BIN) and wait (<= 20 s) until its
 * control socket answers. */
int hh_start(struct hnode *n);
/* Send sig (SIGTERM waits for a clean exit, SIGKILL does not clean up). */
int hh_stop(struct hnode *n, int sig);
/* One control request; the response (json_decref it) or NULL. */
json_t *hh_call(struct hnode *n, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Numbers from "status" about peer: sent, delivered, received, up. -1 on error. */
int hh_status(struct hnode *n, const char *peer, int64_t *sent, int64_t *delivered,
              int64_t *received, int *up);
/* A metric's value from "metrics" (name without the cairn_hotline_ prefix), or -1. */
int64_t hh_metric(struct hnode *n, const char *name);
/* Move n's UTC clock forward by ms with the control op clock_advance,
 * which only the tests' binary CAIRN_BIN has (hl_cli_main.c): the daemon
 * runs at once what became due (periodic LINK_CHECK, deadline check). 0
 * or -1. */
int hh_clock_advance(struct hnode *n, int64_t ms);
/* Wait up to timeout_ms until a and b agree that everything each sent is
 * delivered to and received by the other. 0 or -1 (after printing status). */
int hh_wait_synced(struct hnode *a, struct hnode *b, int timeout_ms);
/* Wait until the link between a and b is up on both sides. */
int hh_wait_up(struct hnode *a, struct hnode *b, int timeout_ms);
/* Audit-verify n's journal (daemon stopped or running). 0 or the error. */
int hh_verify(struct harness *h, struct hnode *n);
/* With both daemons stopped: a's journal towards b and b's journal from a
 * have the same head (count and hash), and the other way round. Given the
 * audited hash chains this means both hold the same messages, once each.
 * Fills the counts. 0 or -1. */
int hh_heads_match(struct harness *h, struct hnode *a, struct hnode *b, uint64_t *a_to_b,
                   uint64_t *b_to_a);
/* With n stopped: how many messages from peer n's journal holds (its
 * head's count), read from the file itself. 0 or -1. */
int hh_journal_received(struct harness *h, struct hnode *n, const char *peer, uint64_t *count);
/* Count lines of n's log that contain s. */
int hh_log_count(struct hnode *n, const char *s);
/* Stop everything, and remove the folder if ok and HL_KEEP is unset. */
void hh_teardown(struct harness *h, int ok);
/* Run `cairn ARGS` (a shell command line after the binary's path) and
 * capture its stdout into out (NUL-terminated). Returns the exit status. */
int hh_cli(char *out, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Milliseconds of monotonic time. */
int64_t hh_now_ms(void);
void hh_sleep_ms(int ms);

#endif
