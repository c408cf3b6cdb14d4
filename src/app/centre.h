/*
 * centre.h — the coordination centre: the picture engine on a fixed cycle,
 * its inputs, and the web face, on one event loop owned by the caller
 * (`cairn run`, cli/run.c, owns the process: signals, exit).
 *
 * Key ideas:
 *  - The loop's timer fires every cycle_ms of wall time, on an absolute
 *    schedule (start + k * cycle_ms on the monotonic clock, so it does not
 *    drift); how late each firing is — the cycle lateness — is measured
 *    and exported (/metrics, cairn_cycle_lateness_seconds). A firing that
 *    comes after the next one was due skips the missed ones (counted as
 *    overruns): the picture is never run twice to catch up.
 *  - The picture's clock: with no replay, UTC now. With [replay] sections,
 *    the replays' time: from the earliest first report among them, at
 *    their speed (all replays share one speed). Each firing brings the
 *    picture up to that clock in steps of cycle_ms of data time — a step
 *    hands over the reports dated before its end and runs pic_cycle — so a
 *    replay at ×N runs N steps per firing and tracks see the same cycle as
 *    at recorded pace. At most APP_MAX_STEPS steps per firing; beyond, the
 *    data clock is held back (cairn_cycle_steps_deferred_total).
 *  - Alert changes go to /api/events as SSE "alert" events; the tracks
 *    changed since the previous flush as one "tracks" event per flush,
 *    {"now_ms":N,"tracks":[...]} (web_publish), only while someone listens.
 *    A flush follows every step, and, every [web] stream_ms between
 *    cycles, pic_ingest: the tracker takes the reports received so far
 *    (association and filter update only; the rules stay on the cycle), so
 *    a report is on /api/events within about stream_ms.
 *  - Inputs (app/input.h) are a list the provider reports on: today the
 *    replays, tomorrow feed/'s live sensors (app_centre_add_input).
 *  - With a [hotline] section the hotline daemon (hotline/daemon.h) runs
 *    on the same loop: its link, journal, cases and control socket; the
 *    API's /api/link, /api/cases, /api/messages are its control requests
 *    (hl_daemon_request) answered in-process.
 *
 * Invariants of the cycle (centre.c keeps them; the firing is on_tick, the
 * scheduling schedule()):
 *   C1  due_mono_ms = start_mono_ms + k * cycle_ms for some k >= 0, and the
 *       timer is armed for it whenever the loop runs (one timer, never two).
 *   C2  a firing measures its lateness against the due time it was armed
 *       for, then arms the first due time after now: missed firings are
 *       counted (overruns), never run.
 *   C3  replays: the steps end on whole multiples of cycle_ms of data time,
 *       each step's end is cycle_ms after the previous one, and every
 *       report a replay hands over is dated before the end of the step that
 *       takes it (so pic_cycle never sees a report from its future).
 *   C4  at most APP_MAX_STEPS steps per firing; when the data clock is
 *       ahead of the steps after them, the clock is moved back to the next
 *       step (and counted), so the picture never skips data time.
 *
 * Threads: everything on the loop's thread.
 */
#ifndef CAIRN_APP_CENTRE_H
#define CAIRN_APP_CENTRE_H

#include <stdint.h>

#include "app/config.h"
#include "app/input.h"

struct event_base;
struct report;
struct app_centre;

#define APP_MAX_INPUTS 128
#define APP_MAX_STEPS  2000        /* picture steps per firing (×1000 at 1 s: 1000 steps) */
#define APP_SSE_QUEUE  (16u << 20) /* bytes queued to one SSE client before it is dropped */

/*
 * Build the centre on base (borrowed; must outlive it) from cfg (copied):
 * the picture, the replays, the web server (bound when this returns; the
 * ports written to cfg->port_file) and the cycle timer. 0 and *out, or the
 * error (logged with its reason); nothing stays bound on failure.
 */
int app_centre_new(struct event_base *base, const struct app_config *cfg, struct app_centre **out);
/* Stop serving and free every input. Accepts NULL. */
void app_centre_free(struct app_centre *c);

/* SIGTERM: what must happen before the loop stops (the embedded hotline's
 * checkpoint to its peers). Returns how long, in ms, the caller should let
 * the loop run before it ends it (0: at once). */
int app_centre_shutdown(struct app_centre *c);

/* SIGHUP, on the loop's thread: read the configuration file again
 * (cfg->path). A file that does not read changes nothing (logged, counted
 * in cairn_reload_errors_total). Otherwise the accounts file is re-read
 * (web_reload_accounts), the [sensor NAME] sections are compared by name
 * with the running ones: the removed are stopped and freed (worker threads
 * joined), the new started, the changed (any key) restarted, the others
 * left running untouched; every other difference (a [picture] zones,
 * plans or points file whose contents changed among them) is logged as
 * needing a restart and not applied. One summary line is logged. 0, or the accounts'
 * error, or CAIRN_E_INVAL when a sensor could not start (logged); without
 * a path (cfg from app_config_parse) only the accounts are re-read. */
int app_centre_reload(struct app_centre *c);

/* Register an input (name: 1..31 of [A-Za-z0-9._-], copied; ops borrowed,
 * static; obj kept and freed by ops->free at app_centre_free). 0,
 * CAIRN_E_FULL, CAIRN_E_EXISTS (name), CAIRN_E_INVAL. */
int app_centre_add_input(struct app_centre *c, const char *name, const struct app_input_ops *ops,
                         void *obj);

/* A live input's report (borrowed) into the picture at its own time. 0 or
 * pic_report's error. */
int app_centre_report(struct app_centre *c, const struct report *r);

/* The picture's clock (UTC ms; the replays' time when there are any). */
int64_t app_centre_now_ms(const struct app_centre *c);

/* The port web bound for listen address i (0 when none). */
int app_centre_port(const struct app_centre *c, size_t i);

#endif
