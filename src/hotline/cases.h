/*
 * cases.h — cases and deadlines: messages that ask for a reply.
 *
 * Key idea: a message whose catalogue type has a reply rule opens a case
 * (keyed by its case id) with a due time; the message of the reply type
 * with the same case id closes it, whichever side sends it. Cases live in
 * the journal (table `cases`) and are updated in the same transaction as
 * the message that opens or closes them, so they survive restarts exactly
 * as the messages do. Ordering is by sequence numbers, never by clocks: a
 * reply closes the case if it is stored after the request, whatever its
 * stated time.
 *
 * Due time (UTC ms):
 *   base = created_utc_ms                         on the sending side (own clock)
 *   base = min(created_utc_ms, received_utc_ms)   on the receiving side
 *   due  = base + deadline   (HL_DL_FIXED; the journal's configured value)
 *   due  = the time field    (HL_DL_FIELD, e.g. OBSERVER_INVITATION reply_by)
 * A sender whose clock runs ahead cannot push the receiver's deadline past
 * receive time + deadline; a sender whose clock runs behind makes the
 * deadline earlier by at most its skew (transit time included). Both sides
 * therefore agree on the due time up to the clock skew itself.
 *
 * States:  OPEN ──reply stored──► CLOSED
 *            └──now > due──► OVERDUE ──reply stored──► CLOSED (late = true)
 * Escalation: hl_cases_check() moves OPEN cases past due to OVERDUE, exactly
 * once per case: bumps cases_overdue, logs one WARN line, and calls the
 * escalation hook (the console turns it into an alert).
 *
 * Reference: domain.md §3; Vienna Document 2011 §16–17 (48 h).
 */
#ifndef CAIRN_HOTLINE_CASES_H
#define CAIRN_HOTLINE_CASES_H

#include <stdbool.h>
#include <stdint.h>

#include "hotline/catalogue.h"
#include "hotline/journal.h"
#include "hotline/msg.h"

enum hl_case_state { HL_CASE_OPEN = 0, HL_CASE_CLOSED = 1, HL_CASE_OVERDUE = 2 };

struct hl_case {
    char case_id[HL_CASE_MAX + 1];
    char peer[HL_NAME_MAX + 1];
    enum hl_dir opened_dir; /* OUT: we asked and wait; IN: the peer asked, we owe the reply */
    uint64_t open_seq;      /* seq of the opening message in its direction */
    enum hl_type type;      /* the opening type */
    enum hl_type reply;     /* the type that closes it */
    int64_t opened_utc_ms;  /* base time (see above) */
    int64_t due_utc_ms;
    enum hl_case_state state;
    bool late; /* closed after it went overdue */
    enum hl_dir closed_dir;
    uint64_t closed_seq;      /* 0 while open */
    int64_t closed_utc_ms;    /* our clock when the reply was stored */
    int64_t escalated_utc_ms; /* 0 unless it went overdue */
};

/* Called once when a case goes overdue; c is borrowed for the call. */
typedef void (*hl_escalate_cb)(void *ctx, const struct hl_case *c);
/* Install the escalation hook (NULL to remove). */
void hl_cases_set_escalation(struct hl_journal *j, hl_escalate_cb cb, void *ctx);

/* Move every OPEN case with due < now_ms to OVERDUE and escalate it.
 * Returns the number escalated now, or CAIRN_E_NOSPACE / CAIRN_E_DB. */
int hl_cases_check(struct hl_journal *j, int64_t now_ms);

typedef int (*hl_case_cb)(void *ctx, const struct hl_case *c);
/* Visit cases, oldest first; state < 0 = any, else only that state.
 * Returns the number visited or CAIRN_E_DB. */
int hl_cases_list(struct hl_journal *j, int state, hl_case_cb cb, void *ctx);
/* One case by id. 0, CAIRN_E_NOTFOUND, CAIRN_E_DB. */
int hl_cases_get(struct hl_journal *j, const char *case_id, struct hl_case *out);
const char *hl_case_state_name(enum hl_case_state s);

#endif
