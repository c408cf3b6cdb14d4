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
 *   explanation_deadline_s = 0 override the EXPLANATION_REQUEST reply deadline
 *                              (48 h; `cairn demo --deadline-s` shortens it)
 *   handshake_ms = 3000        link admission: deadline for TLS + HELLO
 *   unauth_max = 256           link admission: unauthenticated connections at once
 *   unauth_per_source = 128    link admission: of which from one address
 *   clock_skew_ms = 0          test knob: shift this centre's UTC clock
 * Any other key is refused (CAIRN_E_FORMAT).
 *
 * Extension point: the program that embeds the daemon may add control ops
 * of its own (hl_daemon_config.extra_ops). The cairn binary adds none; the
 * integration tests' binary (tests/integ/hotline/hl_cli_main.c) adds its
 * fault injection there, e.g. `clock_advance` over hl_daemon_clock_advance,
 * so no test hook is reachable on a production control socket or through a
 * production configuration file.
 */
#ifndef CAIRN_HOTLINE_DAEMON_H
#define CAIRN_HOTLINE_DAEMON_H

#include <stddef.h>
#include <stdint.h>

#define HL_PATH_MAX 512

struct hl_daemon_ctx; /* a running daemon (opaque) */
struct jsonw;         /* base/jsonw.h */
struct json_t;        /* jansson's json_t */
struct hl_msg;        /* hotline/msg.h */
struct hl_picture;    /* hotline/frame.h */
struct hl_link;       /* hotline/link.h */
struct hl_roster;     /* hotline/identity.h */

/* An extra control op: req is the request (a JSON object, with "op"). The
 * daemon has already opened the reply object and written "ok": true; the
 * op adds its own keys to w (jw_k*) and returns 0, or returns a negative
 * CAIRN_E_* and may set *why to a static message: the daemon then discards
 * what was written and answers {"ok": false, "error", "message"}. Runs on
 * the daemon's event loop, between two requests, like the built-in ops. */
typedef int (*hl_daemon_op_fn)(struct hl_daemon_ctx *d, struct json_t *req, struct jsonw *w,
                               const char **why);

struct hl_daemon_op {
    const char *name; /* the request's "op"; NULL ends a table */
    hl_daemon_op_fn run;
};

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
    /* Not read from the INI file: set by the embedding program after
     * hl_daemon_config_load. NULL, or a table ended by {NULL, NULL} that
     * must outlive hl_daemon_run. Looked up only after the built-in ops
     * (one cannot replace send, list, ...); an op in neither is answered
     * "unknown op". */
    const struct hl_daemon_op *extra_ops;
    int64_t explanation_deadline_s; /* 0: the catalogue's 48 h */
    /* Not read from the INI file either: the embedding program's view of
     * the messages the journal stores (the centre's procedures, app/). Called
     * on the loop after the message is durable: dir 0 (HL_DIR_OUT) for one
     * a "send" stored, 1 (HL_DIR_IN) for one received from peer; t_ms is
     * the daemon's clock then; m is borrowed for the call. NULL: none. */
    void (*on_message)(void *arg, int dir, const char *peer, uint64_t seq, int64_t t_ms,
                       const struct hl_msg *m);
    void *on_message_arg;
    /* Not read from the INI file either: the embedding centre's hook for
     * the peers' PICTURE frames (link.h, L12), with its argument. NULL:
     * pictures are counted and dropped. */
    void (*on_picture)(void *arg, const char *peer, const struct hl_picture *pic);
    void *picture_arg;
};

/* Read the INI file at path into *cfg (defaults for what it omits; relative
 * paths are taken relative to the INI file's folder). 0, CAIRN_E_IO,
 * CAIRN_E_FORMAT (unknown key or bad number: logged with its line). */
int hl_daemon_config_load(const char *path, struct hl_daemon_config *cfg);

/* Create the journal named by cfg for its centre (`cairn hotline --init`):
 * 0, CAIRN_E_EXISTS (never re-created), or the error (logged). The daemon
 * itself refuses to start without a journal (journal.h, J8). */
int hl_daemon_init_journal(const struct hl_daemon_config *cfg);

/* Run until SIGTERM or SIGINT on an event loop of its own (hl_daemon_start,
 * the signals, the loop, hl_daemon_stop); ignores SIGPIPE. 0 after a clean
 * stop, or the error that prevented start (logged). */
int hl_daemon_run(const struct hl_daemon_config *cfg);

/*
 * Embedding (the centre, app/): the same daemon on the caller's loop.
 * hl_daemon_start checks the keys, loads identity and roster, opens the
 * journal, starts the link, the control socket and the deadline timers on
 * base (borrowed; must outlive the daemon); cfg is borrowed and must
 * outlive it too. It installs no signal handler (the caller owns the
 * process and must ignore SIGPIPE). 0 and *out, or the error (logged;
 * nothing left running).
 */
struct event_base;
struct dbuf;
int hl_daemon_start(struct event_base *base, const struct hl_daemon_config *cfg,
                    struct hl_daemon_ctx **out);
/* Before stopping: send each peer a checkpoint (J6). The caller lets its
 * loop run a little (hl_daemon_run: 300 ms) for the countersignatures to
 * come back, then calls hl_daemon_stop. Accepts NULL. */
void hl_daemon_shutdown(struct hl_daemon_ctx *d);
/* Flush the link, close the journal, the control socket (its file
 * removed) and the timers; free d. Accepts NULL. */
void hl_daemon_stop(struct hl_daemon_ctx *d);
/* One control request (a JSON object with "op", as on the control socket)
 * answered into out (one JSON object, no newline), in-process: the API's
 * link, cases and messages. 0 when the answer is {"ok":true,...}, 1 when
 * it is {"ok":false,"error","message"}. */
int hl_daemon_request(struct hl_daemon_ctx *d, const char *json, size_t len, struct dbuf *out);

/* The running daemon's link (borrowed; pictures: hl_link_send_picture,
 * hl_link_is_up, hl_link_stats), its roster and its own centre name. */
struct hl_link *hl_daemon_link(struct hl_daemon_ctx *d);
const struct hl_roster *hl_daemon_roster(const struct hl_daemon_ctx *d);
const char *hl_daemon_name(const struct hl_daemon_ctx *d);

/* For extra ops (above): the daemon's UTC clock (journal time), in ms. */
int64_t hl_daemon_now_ms(const struct hl_daemon_ctx *d);

/* For extra ops: move the daemon's UTC clock forward by ms (0 <= ms <= 366
 * days, else CAIRN_E_INVAL and no change) and run at once what became due
 * on it: the periodic LINK_CHECK if its time came, and the case deadline
 * check. So a test makes hours pass without sleeping. The link's heartbeats
 * and timeouts run on the monotonic clock and are not moved. Logged as a
 * warning. 0 or CAIRN_E_INVAL. */
int hl_daemon_clock_advance(struct hl_daemon_ctx *d, int64_t ms);

/* Replay the journal's messages of type t (enum hl_type; both directions, oldest first)
 * through cfg->on_message, t_ms the time each was stored: what the
 * embedding program rebuilds at start. Returns the number visited, or
 * CAIRN_E_DB / CAIRN_E_NOMEM. */
int hl_daemon_replay(struct hl_daemon_ctx *d, int t);

#endif
