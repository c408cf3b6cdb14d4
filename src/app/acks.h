/*
 * acks.h — operators' acknowledgements of alerts (POST /api/alerts/ID/ack,
 * docs/web.md): per alert id, who acknowledged it first and when.
 *
 * Bounded: app_acks_prune forgets every id not in the alert list it is
 * given, and the centre prunes against its current list before each
 * acknowledgement and each listing, so there are never more entries than
 * alerts listed (plus the one being added). Pure: no clock, no I/O.
 *
 * Invariants:
 *  1. at most one entry per id; an entry's user is 1..32 printable
 *     characters (a session's user name);
 *  2. an acknowledgement is never changed by a later one (idempotent:
 *     the first operator and time stay);
 *  3. after app_acks_prune(v, n), every entry's id is in v[0..n).
 */
#ifndef CAIRN_APP_ACKS_H
#define CAIRN_APP_ACKS_H

#include <stddef.h>
#include <stdint.h>

#include "web/web.h"

struct det_alert;

struct app_ack_entry {
    uint32_t id;
    struct web_ack ack;
};

struct app_acks {
    struct app_ack_entry *v;
    size_t n, cap;
};

void app_acks_init(struct app_acks *a);
void app_acks_free(struct app_acks *a);

/* Record id acknowledged by user (NULL or "": "api"; longer than 32 or
 * not [A-Za-z0-9._-]: CAIRN_E_INVAL) at t_ms. 1: new, 0: already
 * acknowledged (unchanged), CAIRN_E_INVAL, CAIRN_E_NOMEM. */
int app_acks_set(struct app_acks *a, uint32_t id, const char *user, int64_t t_ms);

/* The acknowledgement of id, or NULL. */
const struct web_ack *app_acks_get(const struct app_acks *a, uint32_t id);

/* Forget ids not among the n alerts of v. */
void app_acks_prune(struct app_acks *a, const struct det_alert *v, size_t n);

#endif
