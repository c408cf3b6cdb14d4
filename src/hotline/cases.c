/*
 * cases.c — cases and deadlines, kept in the journal's `cases` table. See
 * cases.h for the due-time rule and the state diagram.
 *
 * Key idea: cases change only inside the transaction that stores the
 * message opening or closing them, so a case can never say "answered"
 * while the answer is not in the journal, and ordering is the journal's
 * (sequence numbers), not anybody's clock.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/error.h"
#include "base/log.h"
#include "hotline/journal_int.h"

static const char MOD[] = "hotline";

#define CASE_COLS                                                                                  \
    "peer, case_id, opened_dir, open_seq, type, reply, opened_ms, due_ms, state, late, "           \
    "closed_dir, closed_seq, closed_ms, escalated_ms"

const char *hl_case_state_name(enum hl_case_state s)
{
    switch (s) {
    case HL_CASE_OPEN:
        return "open";
    case HL_CASE_CLOSED:
        return "closed";
    case HL_CASE_OVERDUE:
        return "overdue";
    }
    return "?";
}

void hl_cases_set_escalation(struct hl_journal *j, hl_escalate_cb cb, void *ctx)
{
    j->esc = cb;
    j->esc_ctx = ctx;
}

static void case_from_row(sqlite3_stmt *s, struct hl_case *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->peer, sizeof c->peer, "%s", (const char *)sqlite3_column_text(s, 0));
    snprintf(c->case_id, sizeof c->case_id, "%s", (const char *)sqlite3_column_text(s, 1));
    c->opened_dir = (enum hl_dir)sqlite3_column_int(s, 2);
    c->open_seq = (uint64_t)sqlite3_column_int64(s, 3);
    const char *t = (const char *)sqlite3_column_text(s, 4);
    c->type = t ? hl_catalogue_find(t, strlen(t)) : HL_T_NONE;
    t = (const char *)sqlite3_column_text(s, 5);
    c->reply = t ? hl_catalogue_find(t, strlen(t)) : HL_T_NONE;
    c->opened_utc_ms = sqlite3_column_int64(s, 6);
    c->due_utc_ms = sqlite3_column_int64(s, 7);
    c->state = (enum hl_case_state)sqlite3_column_int(s, 8);
    c->late = sqlite3_column_int(s, 9) != 0;
    c->closed_dir = (enum hl_dir)sqlite3_column_int(s, 10);
    c->closed_seq = (uint64_t)sqlite3_column_int64(s, 11);
    c->closed_utc_ms = sqlite3_column_int64(s, 12);
    c->escalated_utc_ms = sqlite3_column_int64(s, 13);
}

/* Open (or re-open: a RENEGADE_ALERT update needs its own acknowledgement)
 * the case of an opening message. */
static int case_open(struct hl_journal *j, enum hl_dir dir, const char *peer,
                     const struct hl_msg *m, const struct hl_type_spec *ts, int64_t stored_ms)
{
    int64_t base = m->created_utc_ms;
    if (dir == HL_DIR_IN && stored_ms < base)
        base = stored_ms; /* a sender clock running ahead grants no extra time */
    int64_t due;
    if (ts->deadline_kind == HL_DL_FIELD) {
        const struct hl_field *f = hl_msg_field(m, ts->deadline_field);
        due = (f && f->kind == HL_KIND_INT) ? f->i : base;
    } else {
        due = base + hl_journal_deadline(j, m->type);
    }
    sqlite3_stmt *s = jn_stmt(
        j, 30, "INSERT OR REPLACE INTO cases(" CASE_COLS ") VALUES(?,?,?,?,?,?,?,?,0,0,0,0,0,0)");
    if (!s)
        return jn_sqlerr(j, sqlite3_errcode(j->db));
    sqlite3_bind_text(s, 1, peer, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, m->case_id, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 3, (int)dir);
    sqlite3_bind_int64(s, 4, (sqlite3_int64)m->seq);
    sqlite3_bind_text(s, 5, ts->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 6, hl_type_name(ts->reply), -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 7, base);
    sqlite3_bind_int64(s, 8, due);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return jn_sqlerr(j, rc);
    j->st.cases_opened++;
    return 0;
}

/* Close the (peer, case_id) case if m is its reply from the other side. */
static int case_close(struct hl_journal *j, enum hl_dir dir, const char *peer,
                      const struct hl_msg *m, int64_t stored_ms)
{
    sqlite3_stmt *s = jn_stmt(j, 31,
                              "UPDATE cases SET state=1, late=(state=2), closed_dir=?3, "
                              "closed_seq=?4, closed_ms=?5 WHERE peer=?1 AND case_id=?2 AND "
                              "state<>1 AND reply=?6 AND opened_dir<>?3");
    if (!s)
        return jn_sqlerr(j, sqlite3_errcode(j->db));
    sqlite3_bind_text(s, 1, peer, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, m->case_id, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 3, (int)dir);
    sqlite3_bind_int64(s, 4, (sqlite3_int64)m->seq);
    sqlite3_bind_int64(s, 5, stored_ms);
    sqlite3_bind_text(s, 6, hl_type_name(m->type), -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return jn_sqlerr(j, rc);
    if (sqlite3_changes(j->db) > 0) {
        j->st.cases_closed++;
        log_info(MOD, "case %s with %s closed by %s seq %llu", m->case_id, peer,
                 hl_type_name(m->type), (unsigned long long)m->seq);
    }
    return 0;
}

int cases_on_message(struct hl_journal *j, enum hl_dir dir, const char *peer,
                     const struct hl_msg *m, int64_t stored_ms)
{
    const struct hl_type_spec *ts = hl_catalogue_get(m->type);
    if (!ts || !m->case_id[0])
        return 0;
    int rc = case_close(j, dir, peer, m, stored_ms);
    if (rc)
        return rc;
    if (ts->deadline_kind != HL_DL_NONE)
        rc = case_open(j, dir, peer, m, ts, stored_ms);
    return rc;
}

/* Overdue cases are few (human-scale traffic); 256 per pass bounds the
 * work of one call, the next call takes the rest. */
#define CHECK_BATCH 256

int hl_cases_check(struct hl_journal *j, int64_t now_ms)
{
    if (j->batch)
        return CAIRN_E_STATE;
    struct hl_case *cs = malloc(CHECK_BATCH * sizeof *cs);
    if (!cs)
        return CAIRN_E_NOMEM;
    int rc = jn_exec(j, "BEGIN IMMEDIATE");
    if (rc) {
        free(cs);
        return rc;
    }
    int n = 0;
    sqlite3_stmt *s = jn_stmt(j, 32,
                              "SELECT " CASE_COLS " FROM cases WHERE state=0 AND due_ms<? "
                              "ORDER BY due_ms LIMIT 256");
    if (!s) {
        rc = jn_sqlerr(j, sqlite3_errcode(j->db));
        goto out;
    }
    sqlite3_bind_int64(s, 1, now_ms);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW && n < CHECK_BATCH)
        case_from_row(s, &cs[n++]);
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        rc = jn_sqlerr(j, rc);
        goto out;
    }
    rc = 0;
    s = jn_stmt(j, 33,
                "UPDATE cases SET state=2, escalated_ms=? WHERE peer=? AND case_id=? AND state=0");
    if (!s) {
        rc = jn_sqlerr(j, sqlite3_errcode(j->db));
        goto out;
    }
    for (int i = 0; i < n && rc == 0; i++) {
        sqlite3_reset(s);
        sqlite3_bind_int64(s, 1, now_ms);
        sqlite3_bind_text(s, 2, cs[i].peer, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 3, cs[i].case_id, -1, SQLITE_STATIC);
        int r = sqlite3_step(s);
        sqlite3_reset(s);
        if (r != SQLITE_DONE)
            rc = jn_sqlerr(j, r);
        cs[i].state = HL_CASE_OVERDUE;
        cs[i].escalated_utc_ms = now_ms;
    }
out:
    if (rc == 0)
        rc = jn_seal(j); /* J9: the escalations are sealed with the commit */
    if (rc == 0)
        rc = jn_exec(j, "COMMIT");
    if (rc) {
        if (!sqlite3_get_autocommit(j->db))
            jn_exec(j, "ROLLBACK");
        free(cs);
        return rc;
    }
    /* Escalate only what is committed: exactly once per case. */
    for (int i = 0; i < n; i++) {
        j->st.cases_overdue++;
        char due[32];
        clock_iso8601(cs[i].due_utc_ms, due, sizeof due);
        log_warn(MOD, "case %s OVERDUE: %s seq %llu %s %s %s, reply %s was due %s", cs[i].case_id,
                 hl_type_name(cs[i].type), (unsigned long long)cs[i].open_seq,
                 cs[i].opened_dir == HL_DIR_OUT ? "to" : "from", cs[i].peer,
                 cs[i].opened_dir == HL_DIR_OUT ? "(awaiting their reply)" : "(WE owe the reply)",
                 hl_type_name(cs[i].reply), due);
        if (j->esc)
            j->esc(j->esc_ctx, &cs[i]);
    }
    free(cs);
    return n;
}

int hl_cases_list(struct hl_journal *j, int state, hl_case_cb cb, void *ctx)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(j->db,
                           "SELECT " CASE_COLS " FROM cases WHERE (?1 < 0 OR state=?1) "
                           "ORDER BY opened_ms, peer, case_id",
                           -1, &s, NULL) != SQLITE_OK)
        return jn_sqlerr(j, sqlite3_errcode(j->db));
    sqlite3_bind_int(s, 1, state);
    int n = 0, rc;
    struct hl_case c;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        case_from_row(s, &c);
        n++;
        if (cb(ctx, &c))
            break;
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return jn_sqlerr(j, rc);
    return n;
}

int hl_cases_get(struct hl_journal *j, const char *case_id, struct hl_case *out)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(j->db, "SELECT " CASE_COLS " FROM cases WHERE case_id=? LIMIT 1", -1, &s,
                           NULL) != SQLITE_OK)
        return jn_sqlerr(j, sqlite3_errcode(j->db));
    sqlite3_bind_text(s, 1, case_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        case_from_row(s, out);
        rc = 0;
    } else {
        rc = rc == SQLITE_DONE ? CAIRN_E_NOTFOUND : jn_sqlerr(j, rc);
    }
    sqlite3_finalize(s);
    return rc;
}
