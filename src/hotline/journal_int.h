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
    struct jn_span *spans;   /* directions appended to in this transaction */
    size_t nspans, capspans;
};

/* A direction given messages in the current transaction: its rows from
 * seq `first` on are new (appends are in seq order, J2). Cleared at each
 * BEGIN; jn_seal turns each into one ledger record. */
struct jn_span {
    int dir;
    char peer[HL_NAME_MAX + 1];
    uint64_t first;
};

/*
 * The sealed ledger (J9). Every row written to receipts, acks, cases and
 * checkpoints is also appended to `ledger` as (kind, key, val): a canonical
 * text of the row, made by SQL triggers from the expressions below (P is
 * the row prefix: "NEW." in a trigger, "" in a query). The audit rebuilds
 * the same texts from the tables with the same expressions and compares
 * them with the newest ledger entry of each key.
 *
 * Messages, the high-volume table, have no insert trigger: at the end of
 * each transaction jn_seal appends one span record per direction appended
 * to, kind JN_SPAN_KIND, key "dir/peer/last", val "hex(hash of last)/first/
 * stored_ms of first,...,stored_ms of last". The hash of the last row pins
 * every earlier row of the direction (signed prev_hash chain, checked by
 * the audit); the stored_ms list pins the one column no signature covers;
 * contiguous spans ending at the direction's head pin its length. An
 * UPDATE of a message row (cairn never makes one) still leaves a kind "m"
 * record (LG_MSG_*) after the seal. Kind "m" records inside the seal come
 * from schema-2 journals and are superseded by the spans adopted at open.
 */
#define JN_SPAN_KIND   "s"
#define LG_MSG_KEY(P)  P "dir||'/'||" P "peer||'/'||" P "seq"
#define LG_MSG_VAL(P)  "hex(" P "hash)||'/'||" P "stored_ms"
#define LG_RCPT_KEY(P) LG_MSG_KEY(P)
#define LG_RCPT_VAL(P) "hex(" P "raw)||'/'||" P "stored_ms"
#define LG_ACK_KEY(P)  LG_MSG_KEY(P)
#define LG_ACK_VAL(P)  P "operator||'/'||" P "acked_ms||'/'||" P "ack_seq"
#define LG_CASE_KEY(P) P "peer||'/'||" P "case_id"
#define LG_CASE_VAL(P)                                                                             \
    P "opened_dir||'/'||" P "open_seq||'/'||" P "type||'/'||" P "reply||'/'||" P                   \
      "opened_ms||'/'||" P "due_ms||'/'||" P "state||'/'||" P "late||'/'||" P                      \
      "closed_dir||'/'||" P "closed_seq||'/'||" P "closed_ms||'/'||" P "escalated_ms"
#define LG_CKPT_KEY(P) P "dir||'/'||" P "peer||'/'||" P "count||'/'||" P "signer"
#define LG_CKPT_VAL(P) "hex(" P "raw)||'/'||" P "countersigned||'/'||" P "stored_ms"

/* meta key "seal": n (8 bytes, big-endian) || chain hash || Ed25519 signature */
#define JN_SEAL_LEN (8 + HL_HASH_LEN + HL_SIG_LEN)
/* The ledger chain: h_n = BLAKE2b-256(h_{n-1} || n (8 bytes BE) || kind || 0 ||
 * key || 0 || val), h_0 = zeros; the seal signs "cairn-journal-seal-v1" ||
 * owner || 0 || n || h_n with the owner's key. */
void jn_ledger_link(uint8_t h[HL_HASH_LEN], uint64_t n, const char *kind, const char *key,
                    const char *val);
void jn_seal_text(const char *owner, uint64_t n, const uint8_t h[HL_HASH_LEN], uint8_t *out,
                  size_t *len);
#define JN_SEAL_TEXT_MAX (32 + HL_NAME_MAX + 1 + 8 + HL_HASH_LEN)
/* Chain the ledger entries added in the current transaction and sign the
 * new head (one signature per transaction; none if nothing was added). */
int jn_seal(struct hl_journal *j);

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
