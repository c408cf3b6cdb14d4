/*
 * journal_int.h — internals shared by journal.c and cases.c. Not public.
 */
#ifndef CAIRN_HOTLINE_JOURNAL_INT_H
#define CAIRN_HOTLINE_JOURNAL_INT_H

#include <sqlite3.h>

#include "hotline/cases.h"
#include "hotline/journal.h"

struct hl_journal {
    sqlite3 *db;
    const struct hl_identity *self; /* borrowed */
    const struct hl_roster *roster; /* borrowed */
    bool batch;                     /* inside hl_journal_begin/commit */
    bool poisoned;                  /* a full disk inside the batch: it is void */
    struct hl_journal_stats st;
    int64_t deadline_ms[HL_T__COUNT]; /* overrides; 0 = catalogue */
    hl_escalate_cb esc;
    void *esc_ctx;
    hl_commit_cb on_commit;
    void *on_commit_ctx;
    sqlite3_stmt *stmts[40]; /* JN_NSTMT cached statements, see jn_stmt */
};

/* Map an SQLite result code to a cairn code (SQLITE_FULL -> NOSPACE). */
int jn_sqlerr(struct hl_journal *j, int rc);
/* Run one SQL statement with no result. */
int jn_exec(struct hl_journal *j, const char *sql);
/* Prepare a cached statement (sqlite3_prepare_v3 PERSISTENT; SQLite keeps
 * a small cache itself, we keep the handles in a static-per-journal table). */
sqlite3_stmt *jn_stmt(struct hl_journal *j, int id, const char *sql);
/* Number of cached statement slots. */
#define JN_NSTMT 40

/* Cases: update for a stored message (inside the message's transaction). */
int cases_on_message(struct hl_journal *j, enum hl_dir dir, const char *peer,
                     const struct hl_msg *m, int64_t stored_ms);

#endif
