/*
 * daemon.h — `cairn hotline`: one centre's hotline as a small daemon.
 *
 * Key idea: one event loop runs the link (hotline/link.h), the journal, a
 * timer for case deadlines, and a local control socket where operators'
 * tools (`cairn msg`, `cairn case`) send one JSON request per line and get
 * one JSON response per line. The socket is a UNIX socket of mode 0600:
 * who may use it is who may open it, as with ntpd's control socket.
 *
 * Configuration (INI, section [hotline]; documented in docs/hotline-link.md):
 *   name = CENTRE              optional; checked against the identity in keys
 *   keys = DIR                 the identity made by `cairn keygen`
 *   roster = FILE              the roster (hotline/identity.h)
 *   journal = FILE             the SQLite journal
 *   listen = HOST:PORT         link listener (default: our roster address)
 *   control = PATH             control socket (default: journal path + ".sock")
 *   alerts = PATH              escalation records, JSON lines (default: journal + ".alerts")
 *   heartbeat_ms, dead_ms, backoff_min_ms, backoff_max_ms, checkpoint_ms,
 *   checkpoint_every, window
 *   case_check_ms = 10000      how often deadlines are checked
 *   link_check_interval_s = 0  send a LINK_CHECK to every peer this often (0 = never)
 *   link_check_deadline_s = 0  override the LINK_CHECK reply deadline
 *   handshake_ms = 3000        link admission: deadline for TLS + HELLO
 *   unauth_max = 256           link admission: unauthenticated connections at once
 *   unauth_per_source = 128    link admission: of which from one address
 *   clock_skew_ms = 0          test knob: shift this centre's UTC clock
 *   test_clock = 0             test knob: 1 lets the control op clock_advance move it
 *   journal_max_pages = 0      test knob: PRAGMA max_page_count (simulates a full disk)
 */
#ifndef CAIRN_HOTLINE_DAEMON_H
#define CAIRN_HOTLINE_DAEMON_H

#include <stdint.h>

#define HL_PATH_MAX 512

struct hl_daemon_config {
    char name[128]; /* optional: must match the identity's name */
    char keys[HL_PATH_MAX];
    char roster[HL_PATH_MAX];
    char journal[HL_PATH_MAX];
    char listen[128];
    char control[HL_PATH_MAX];
    char alerts[HL_PATH_MAX];
    int64_t heartbeat_ms, dead_ms, backoff_min_ms, backoff_max_ms, checkpoint_ms;
    int64_t window;
    int64_t checkpoint_every; /* checkpoint after this many receipted messages (0: 1000) */
    int64_t case_check_ms;
    int64_t link_check_interval_s;
    int64_t link_check_deadline_s;
    int64_t handshake_ms, unauth_max, unauth_per_source;
    int64_t clock_skew_ms;
    int64_t test_clock;
    int64_t journal_max_pages;
};

/* Read the INI file at path into *cfg (defaults for what it omits; relative
 * paths are taken relative to the INI file's folder). 0, CAIRN_E_IO,
 * CAIRN_E_FORMAT (unknown key or bad number: logged with its line). */
int hl_daemon_config_load(const char *path, struct hl_daemon_config *cfg);

/* Create the journal named by cfg for its centre (`cairn hotline --init`):
 * 0, CAIRN_E_EXISTS (never re-created), or the error (logged). The daemon
 * itself refuses to start without a journal (journal.h, J8). */
int hl_daemon_init_journal(const struct hl_daemon_config *cfg);

/* Run until SIGTERM or SIGINT. 0 after a clean stop, or the error that
 * prevented start (logged). */
int hl_daemon_run(const struct hl_daemon_config *cfg);

#endif
