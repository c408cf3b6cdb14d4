/*
 * acks.h — operators' acknowledgements of alerts (POST /api/alerts/ID/ack,
 * docs/web.md): per alert id, who acknowledged it first and when; and the
 * alerts that ended lately, still acknowledgeable.
 *
 * Why the latter: an operator reads /api/alerts (or an "alert" event),
 * decides, and acknowledges; meanwhile the alert may clear and leave the
 * list (CLEARED is listed for one evaluation only, detect.h). The duty
 * officer who acknowledges an alert that just ended should be told it
 * ended, not that it does not exist. So app_acks_sync, given each new
 * alert list, keeps a copy of every alert listed, and one that is listed
 * no more moves to a ring of ended alerts (state CLEARED, with its
 * acknowledgement if it had one), where app_acks_ended finds it for
 * APP_ACKS_ENDED_MS; app_acks_set acknowledges it there.
 *
 * Bounded: live entries never outnumber the alerts of the last list (plus
 * the one being added), the ring holds APP_ACKS_ENDED_N. Pure: no clock
 * (times are the caller's, real or fake), no I/O.
 *
 * Lifecycle of an id here:
 *
 *    (unknown) --sync: listed--> LISTED --sync: not listed--> ENDED
 *                                   ^                           |
 *                                   +------ sync: listed -------+
 *    ENDED --APP_ACKS_ENDED_MS later, or pushed out of the ring--> (unknown)
 *
 * Invariants:
 *  1. at most one acknowledgement per id; an entry's user is 1..32
 *     printable characters (a session's user name);
 *  2. an acknowledgement is never changed by a later one (idempotent:
 *     the first operator and time stay), listed or ended;
 *  3. after app_acks_sync(v, n), every live entry's id is in v[0..n), and
 *     no id of v[0..n) is in the ring;
 *  4. the ring holds at most APP_ACKS_ENDED_N alerts, each with state
 *     DET_ST_CLEARED and an end time; app_acks_ended answers only for
 *     those ended at most APP_ACKS_ENDED_MS before the time it is given.
 */
#ifndef CAIRN_APP_ACKS_H
#define CAIRN_APP_ACKS_H

#include <stddef.h>
#include <stdint.h>

#include "web/web.h"

#include "detect/detect.h"

/* How long an ended alert stays acknowledgeable: several times the time
 * an operator takes from reading the list to pressing the button, and a
 * few picture cycles (1 s by default). */
#define APP_ACKS_ENDED_MS (10 * 60 * 1000)
/* Ended alerts remembered at most: beyond a burst of alerts ending at once
 * on a busy picture; the oldest goes first. */
#define APP_ACKS_ENDED_N 256

struct app_ack_entry {
    uint32_t id;
    struct web_ack ack;
};

/* An alert listed no more: as last listed, state CLEARED. */
struct app_ack_ended {
    struct det_alert alert;
    struct web_ack ack; /* user "" when not acknowledged */
    int64_t t_end_ms;   /* when app_acks_sync found it gone */
};

struct app_acks {
    struct app_ack_entry *v; /* acknowledgements of listed alerts */
    size_t n, cap;
    struct det_alert *seen; /* the last list given to app_acks_sync */
    size_t n_seen, cap_seen;
    struct app_ack_ended ended[APP_ACKS_ENDED_N]; /* ring, oldest at ended_first */
    size_t n_ended, ended_first;
};

void app_acks_init(struct app_acks *a);
void app_acks_free(struct app_acks *a);

/* Record id acknowledged by user (NULL or "": "api"; longer than 32 or
 * not [A-Za-z0-9._-]: CAIRN_E_INVAL) at t_ms; an id in the ring of ended
 * alerts is acknowledged there. 1: new, 0: already acknowledged
 * (unchanged), CAIRN_E_INVAL, CAIRN_E_NOMEM. */
int app_acks_set(struct app_acks *a, uint32_t id, const char *user, int64_t t_ms);

/* The acknowledgement of id (listed or ended), or NULL. */
const struct web_ack *app_acks_get(const struct app_acks *a, uint32_t id);

/* The alert list is now the n alerts of v (borrowed; FREE ones do not
 * count), at now_ms: acknowledgements of ids not listed leave the live
 * entries, and alerts of the previous list not in this one go to the ring
 * of ended alerts with theirs. CAIRN_E_NOMEM when the copy of the list
 * could not grow (then the ring misses what ends before the next call;
 * invariant 3 holds all the same). */
int app_acks_sync(struct app_acks *a, const struct det_alert *v, size_t n, int64_t now_ms);

/* Alert id as last listed, if it ended at most APP_ACKS_ENDED_MS before
 * now_ms and is still in the ring (state DET_ST_CLEARED), or NULL. */
const struct det_alert *app_acks_ended(const struct app_acks *a, uint32_t id, int64_t now_ms);

#endif
