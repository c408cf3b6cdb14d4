/*
 * journal.h — the hotline journal: one centre's durable, signed, hash-chained
 * record of everything it sent and received, with receipts, checkpoints,
 * operator acknowledgements and cases. SQLite, WAL, synchronous=FULL.
 *
 * Key idea: a message is *sent* when it is committed to the sender's
 * journal, and *delivered* when the receiver's signed receipt for it — or
 * for a later message of the same direction — is committed to the sender's
 * journal (receipts are cumulative: the receiver stores message n only
 * after 1..n-1, chained by hash, so its receipt for n vouches for them all). The receiver commits
 * the message before it hands out a receipt. Per direction (sender -> receiver) messages are
 * numbered 1, 2, 3 ... with no gaps and chained by hash, so a duplicate is recognised forever (same
 * seq, same hash) and a different message at a used seq is a forgery or replay.
 *
 * Invariants (checked end to end by hl_audit_verify, audit.h; J8 by open):
 *   J1  For each (dir, peer) the stored seqs are exactly 1..head.
 *   J2  Message seq n's prev_hash is the hash of message n-1 (zeros for n=1).
 *   J3  Every stored message's signature verifies with its sender's key.
 *   J4  A receipt is signed only for a message already stored (in the same
 *       transaction, or after it), and is released to the caller only after
 *       the commit.
 *   J5  A receipt stored for an outgoing message verifies with the peer's key
 *       and names that message's (seq, hash).
 *   J6  A stored checkpoint's head hash is the hash of message `count` of its
 *       direction, and its signatures verify.
 *   J7  A failed call (any error, including a full disk) leaves the journal
 *       as it was: SQLite's transaction is rolled back, no receipt escapes.
 *   J8  A journal is created only on request (hl_journal_open_ex with a
 *       CREATE flag: `cairn hotline --init`, `cairn keygen --journal`). A
 *       missing, 0-byte or uninitialised file is CAIRN_E_NOTFOUND otherwise,
 *       so a lost journal is never silently replaced by an empty one whose
 *       audit would pass.
 *   J9  Every row written to receipts, acks, cases and checkpoints —
 *       including the local columns no peer signed: what an operator
 *       acknowledged, a case's state, closing message and escalation — is
 *       appended, as a canonical text of the row, to the `ledger` (by SQL
 *       triggers, in the same transaction). Messages are appended as spans:
 *       before COMMIT, one record per direction the transaction appended to,
 *       naming its new rows first..last, the hash of row last and the
 *       stored_ms of each (journal_int.h; no per-row trigger on the hot
 *       path). The ledger is hash-chained and every transaction that added
 *       to it signs its head with the owner's key before COMMIT (meta
 *       "seal": one signature per transaction or batch). So each row equals
 *       the newest ledger record of its key, every ledger key has its row,
 *       each direction's spans follow on from seq 1 to its head with the
 *       rows' sealed stored_ms and hash (by J2 the hash pins every earlier
 *       row), the chain ends exactly at the seal, and the seal verifies:
 *       editing, deleting or inserting any row, or deleting the ledger's
 *       tail, needs the owner's secret key. What a single file cannot show — a whole journal
 *       replaced by an older sealed copy — the peer shows: its HELLO (link
 *       L11) and the checkpoints it countersigned (J6; kept by the ledger).
 *
 * Incoming message states (receiver side, hl_journal_accept_incoming):
 *
 *   bytes ─decode─► form ok ─roster─► sender known ─catalogue─► fields ok
 *        ─verify─► signed ─seq─┬─ seq == head+1, prev == head hash ──► STORED ─► receipt
 *                              ├─ seq <= head, same hash ──► DUPLICATE ─► the stored receipt
 *                              ├─ seq <= head, other hash ─► CAIRN_E_REPLAY
 *                              ├─ seq >  head+1 ──────────► CAIRN_E_SEQUENCE (gap)
 *                              └─ prev != head hash ──────► CAIRN_E_CHAIN
 *
 * Group commit: hl_journal_begin() ... several append/accept/store calls ...
 * hl_journal_commit() makes them durable with one fsync (WAL +
 * synchronous=FULL: one fsync of the WAL per commit). Inside a batch each
 * call runs in a SAVEPOINT, so a refused message leaves the others in the
 * batch; but NOTHING is durable until hl_journal_commit() returns 0:
 *   - the link must not send the receipts produced inside a batch, nor
 *     count appended messages as sent, before the commit returns 0;
 *   - if commit fails (CAIRN_E_NOSPACE, CAIRN_E_DB) the whole batch is gone:
 *     discard its receipts; the peer will resend.
 *   - a full disk inside a batch (SQLite may roll the whole transaction back
 *     on SQLITE_FULL) fails that call with CAIRN_E_NOSPACE and poisons the
 *     batch: later calls fail with CAIRN_E_STATE and commit returns
 *     CAIRN_E_NOSPACE after rolling back.
 * Outside a batch every call is its own transaction.
 *
 * Threads: a journal is used by one thread at a time (the link's event
 * loop). Open a second handle for another thread (SQLite serialises).
 *
 * References: SQLite "Write-Ahead Logging", "PRAGMA synchronous", "Result
 * and Error Codes" (SQLITE_FULL); docs/hotline-messages.md for the schema.
 */
#ifndef CAIRN_HOTLINE_JOURNAL_H
#define CAIRN_HOTLINE_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hotline/identity.h"
#include "hotline/msg.h"

struct hl_journal;

/* Direction of a message relative to this centre. */
enum hl_dir { HL_DIR_OUT = 0, HL_DIR_IN = 1 };

/* Counters (monotonic since open). Read with hl_journal_stats(). */
struct hl_journal_stats {
    uint64_t sent;            /* outgoing messages committed */
    uint64_t accepted;        /* incoming messages stored */
    uint64_t duplicates;      /* incoming duplicates recognised (receipt re-issued) */
    uint64_t receipts_stored; /* receipts for our messages stored */
    uint64_t rej_format;      /* undecodable bytes */
    uint64_t rej_signature;
    uint64_t rej_replay;
    uint64_t rej_sequence;
    uint64_t rej_chain;
    uint64_t rej_roster; /* sender unknown or not addressed to us */
    uint64_t rej_msgtype;
    uint64_t rej_field;
    uint64_t rej_receipt; /* receipts refused (bad signature, unknown message) */
    uint64_t nospace;     /* calls failed on a full disk */
    uint64_t db_errors;
    uint64_t cases_opened;
    uint64_t cases_closed;
    uint64_t cases_overdue;  /* escalations raised */
    uint64_t late_notices;   /* ACTIVITY_NOTICE received with less than the least lead time */
    uint64_t checkpoints;    /* checkpoints made, countersigned or stored */
    uint64_t rej_checkpoint; /* checkpoints refused (signature, history differs) */
};

/* hl_journal_open_ex flags (J8). Without either, the journal must exist. */
#define HL_JOURNAL_MAY_CREATE  1u /* create a missing or empty journal */
#define HL_JOURNAL_MUST_CREATE 2u /* create; CAIRN_E_EXISTS if one is there */

/* Open the journal at path for centre `self`.
 * flags 0: the journal must exist; a missing, 0-byte or uninitialised file
 * is CAIRN_E_NOTFOUND (a lost journal is never silently replaced by an
 * empty one: the daemon opens this way). HL_JOURNAL_MUST_CREATE makes a new
 * one (`cairn hotline --init`, `cairn keygen --journal`) and refuses an
 * existing one with CAIRN_E_EXISTS. */
int hl_journal_open_ex(const char *path, const struct hl_identity *self,
                       const struct hl_roster *roster, unsigned flags, struct hl_journal **out);
/* hl_journal_open_ex with HL_JOURNAL_MAY_CREATE (tests, benchmarks).
 * self and roster are borrowed and must outlive the journal; self must be
 * on the roster (its public key is recorded in the journal for audits).
 * A journal created for another centre is refused (CAIRN_E_STATE).
 * 0, CAIRN_E_DB, CAIRN_E_NOMEM, CAIRN_E_ROSTER, CAIRN_E_STATE. */
int hl_journal_open(const char *path, const struct hl_identity *self,
                    const struct hl_roster *roster, struct hl_journal **out);
/* Close; accepts NULL. An open batch is rolled back. */
void hl_journal_close(struct hl_journal *j);
const struct hl_journal_stats *hl_journal_stats(const struct hl_journal *j);
/* The underlying database handle (tests, audit). Borrowed. */
struct sqlite3 *hl_journal_db(struct hl_journal *j);
/* The journal's own centre name (borrowed). */
const char *hl_journal_self(const struct hl_journal *j);

/* ---- group commit ------------------------------------------------------ */

/* Start a batch. CAIRN_E_STATE if one is open. */
int hl_journal_begin(struct hl_journal *j);
/* Commit the batch (one fsync). 0, CAIRN_E_NOSPACE, CAIRN_E_DB (the batch is
 * rolled back in both error cases), CAIRN_E_STATE (no batch). */
int hl_journal_commit(struct hl_journal *j);
/* Abandon the batch. */
void hl_journal_rollback(struct hl_journal *j);
bool hl_journal_in_batch(const struct hl_journal *j);
/* Called after every successful commit — a batch's, or a single call's
 * outside a batch — so that whoever holds receipts or messages waiting for
 * durability (the link) can release them, whoever made the commit. Not
 * called for rollbacks. The hook must not start a batch itself. NULL removes. */
typedef void (*hl_commit_cb)(void *ctx);
void hl_journal_set_commit_hook(struct hl_journal *j, hl_commit_cb cb, void *ctx);

/* ---- sender side ------------------------------------------------------- */

/*
 * Append an outgoing message. The caller fills m's type, receiver (a roster
 * centre, not self), case id and fields (hl_msg_init / hl_msg_add_*); the
 * journal checks the fields against the catalogue, sets sender, seq (head+1
 * of the direction), prev_hash, created_utc_ms = now_ms, signs, and stores.
 * A type that opens a case and has an empty case id gets one assigned:
 * "<sender>/<seq>". A reply type must name the case it answers.
 * Returns the assigned seq (> 0, fits in int64) or CAIRN_E_ROSTER,
 * CAIRN_E_MSGTYPE, CAIRN_E_FIELD, CAIRN_E_NOSPACE, CAIRN_E_DB.
 * On success *m is the signed message (encode it with hl_msg_encode).
 * Outside a batch, success means committed (= sent).
 */
int64_t hl_journal_append_outgoing(struct hl_journal *j, struct hl_msg *m, int64_t now_ms);

/* Called once per unreceipted outgoing message in seq order; raw is the
 * canonical message (borrowed for the call). Return non-zero to stop. */
typedef int (*hl_raw_cb)(void *ctx, uint64_t seq, const uint8_t *raw, size_t len);
/* Every outgoing message to peer with seq > after_seq that no stored
 * receipt covers (seq > the highest receipted seq), oldest first, at most
 * max (0 = no limit). Returns the number visited or CAIRN_E_DB. */
int hl_journal_unreceipted(struct hl_journal *j, const char *peer, uint64_t after_seq, size_t max,
                           hl_raw_cb cb, void *ctx);
/* Every outgoing message to peer with seq > after_seq, receipted or not,
 * oldest first, at most max (0 = no limit): the link's cursor decides what
 * to send (after L11 it resends messages it holds receipts for, which the
 * peer lost). Returns the number visited or CAIRN_E_DB. */
int hl_journal_outgoing(struct hl_journal *j, const char *peer, uint64_t after_seq, size_t max,
                        hl_raw_cb cb, void *ctx);
/* Head of a direction: count (= last seq, 0 if empty) and last hash (zeros). */
int hl_journal_head(struct hl_journal *j, enum hl_dir dir, const char *peer, uint64_t *count,
                    uint8_t hash[HL_HASH_LEN]);
/* Highest seq such that all outgoing 1..seq to peer are delivered: the
 * highest seq with a stored receipt (receipts are cumulative), 0 if none. */
int hl_journal_delivered_upto(struct hl_journal *j, const char *peer, uint64_t *seq);

/*
 * Store a receipt for one of our messages (raw canonical receipt bytes from
 * the peer). Verifies the signature with the peer's roster key, that the
 * message exists and that (seq, hash) match. A second receipt for the same
 * seq is a no-op (0). Marks the message and every earlier one of the
 * direction delivered (their hashes chain to the receipted one).
 * 0, CAIRN_E_FORMAT, CAIRN_E_ROSTER, CAIRN_E_SIGNATURE, CAIRN_E_SEQUENCE (no
 * such message), CAIRN_E_CHAIN (hash differs), CAIRN_E_NOSPACE, CAIRN_E_DB.
 */
int hl_journal_store_receipt(struct hl_journal *j, const uint8_t *raw, size_t len);
/* The same with a decoded receipt. */
int hl_journal_store_receipt_struct(struct hl_journal *j, const struct hl_receipt *r);

/* ---- receiver side ----------------------------------------------------- */

#define HL_ACCEPT_NEW 0 /* stored now; *rcpt is the new receipt */
#define HL_ACCEPT_DUP 1 /* already stored, identical; *rcpt is the receipt issued then */

/* hl_journal_accept_incoming_ex flags */
#define HL_ACCEPT_NO_RECEIPT                                                                       \
    1u /* store only; sign one receipt per batch with                                              \
          hl_journal_receipt_upto() after the commit */

/*
 * Accept an incoming message (raw canonical bytes from the peer). Checks in
 * this order: form (CAIRN_E_FORMAT/TRUNCATED/TOOBIG), type (CAIRN_E_MSGTYPE),
 * addressed to self and sender on the roster (CAIRN_E_ROSTER), fields
 * (CAIRN_E_FIELD), signature (CAIRN_E_SIGNATURE), then sequence and chain
 * as in the diagram above (CAIRN_E_REPLAY, CAIRN_E_SEQUENCE, CAIRN_E_CHAIN).
 * Then stores the message (received_utc_ms = now_ms), updates cases, signs
 * the receipt, stores it, commits (outside a batch) and copies it to *rcpt.
 * Every refusal bumps its counter and logs one line. On error *rcpt is
 * untouched and nothing was stored. now_ms: receiver's clock (cases).
 * If m_out is non-NULL it receives the decoded message.
 * HL_ACCEPT_NEW, HL_ACCEPT_DUP, or a negative code (also CAIRN_E_NOSPACE, CAIRN_E_DB).
 */
int hl_journal_accept_incoming(struct hl_journal *j, const uint8_t *raw, size_t len, int64_t now_ms,
                               struct hl_receipt *rcpt, struct hl_msg *m_out);

/*
 * The same with flags. With HL_ACCEPT_NO_RECEIPT the message is checked and
 * stored exactly as above but no receipt is signed (rcpt may be NULL and is
 * not written): the caller group-commits a batch and then signs ONE receipt
 * for the direction's head with hl_journal_receipt_upto(), which delivers
 * every message of the batch (and answers duplicates too) — two signature
 * operations per batch instead of two per message.
 * Without the flag, a duplicate whose own receipt was never issued (it was
 * stored with the flag) is answered with the earliest stored receipt that
 * covers it, or a new one for the head.
 */
int hl_journal_accept_incoming_ex(struct hl_journal *j, const uint8_t *raw, size_t len,
                                  int64_t now_ms, unsigned flags, struct hl_receipt *rcpt,
                                  struct hl_msg *m_out);

/*
 * The receipt for the head of the incoming direction from peer: the stored
 * one if the head already has one (no new signature), otherwise a new one,
 * signed and stored. Call it after hl_journal_commit() (or outside a batch);
 * inside a batch the receipt is stored in the batch and must not be sent
 * before the commit. 0, CAIRN_E_STATE (nothing received from peer yet),
 * CAIRN_E_ROSTER, CAIRN_E_NOSPACE, CAIRN_E_DB.
 */
int hl_journal_receipt_upto(struct hl_journal *j, const char *peer, int64_t now_ms,
                            struct hl_receipt *out);

/* ---- checkpoints ------------------------------------------------------- */

/* Make and store (uncountersigned) a checkpoint of the head of direction dir
 * with peer, signed by self. CAIRN_E_STATE when the direction is empty. */
int hl_journal_checkpoint_make(struct hl_journal *j, enum hl_dir dir, const char *peer,
                               int64_t now_ms, struct hl_checkpoint *out);
/* The same at message `count` (1..head) instead of the head: e.g. at
 * hl_journal_delivered_upto(), which the peer is known to hold, so the
 * countersignature cannot fail with CAIRN_E_SEQUENCE. CAIRN_E_RANGE when
 * count is 0 or past the head. */
int hl_journal_checkpoint_make_at(struct hl_journal *j, enum hl_dir dir, const char *peer,
                                  uint64_t count, int64_t now_ms, struct hl_checkpoint *out);
/* The peer sent us its checkpoint: verify its signature, check our journal
 * holds message `count` of that direction with the same hash, countersign,
 * store, and leave the countersigned checkpoint in *c to send back.
 * 0, CAIRN_E_ROSTER, CAIRN_E_SIGNATURE, CAIRN_E_SEQUENCE (we do not have
 * `count` yet — retry later), CAIRN_E_CHAIN (histories differ: alarm),
 * CAIRN_E_NOSPACE, CAIRN_E_DB. */
int hl_journal_checkpoint_countersign(struct hl_journal *j, struct hl_checkpoint *c);
/* Our checkpoint came back countersigned: verify both signatures and the
 * head against our journal, store. Same codes. */
int hl_journal_checkpoint_store(struct hl_journal *j, const struct hl_checkpoint *c);

/* When the next periodic checkpoint is due (UTC ms), kept in the journal so
 * that a centre restarting more often than the interval still makes them.
 * 0 (none stored yet) or the value; CAIRN_E_DB. */
int hl_journal_checkpoint_due(struct hl_journal *j, int64_t *due_ms);
/* Store it (its own transaction, or inside the open batch). */
int hl_journal_set_checkpoint_due(struct hl_journal *j, int64_t due_ms);

/* ---- operator acknowledgements ----------------------------------------- */

/*
 * An operator of this centre has read incoming message (peer, seq). Records
 * the acknowledgement locally (who, when) and appends an OPERATOR_ACK
 * message to the peer (same case id, field ack_seq) so the sender learns a
 * person read it; an ack closes a case whose reply type is OPERATOR_ACK.
 * Returns the OPERATOR_ACK's seq, CAIRN_E_NOTFOUND (no such message),
 * CAIRN_E_EXISTS (already acknowledged), or the append's errors.
 */
int64_t hl_journal_ack_operator(struct hl_journal *j, const char *peer, uint64_t seq,
                                const char *operator_name, int64_t now_ms);

/* ---- list queries (CLI, API) ------------------------------------------- */

struct hl_msg_row {
    enum hl_dir dir;
    const char *peer; /* borrowed for the callback */
    uint64_t seq;
    int64_t created_utc_ms; /* sender's clock */
    int64_t stored_utc_ms;  /* our clock when stored */
    bool delivered;         /* OUT: a receipt for it or a later message stored; IN: true */
    int64_t delivered_utc_ms;
    bool acked;             /* IN: acked by our operator; OUT: OPERATOR_ACK received */
    const char *ack_by;     /* operator name, or NULL */
    const struct hl_msg *m; /* the decoded message, borrowed for the callback */
};

struct hl_msg_filter {
    const char *peer;    /* NULL: any */
    int dir;             /* -1 any, else enum hl_dir */
    enum hl_type type;   /* HL_T_NONE: any */
    const char *case_id; /* NULL: any */
    uint64_t seq;        /* 0: any; else exactly this seq (with peer and dir) */
    bool unacked_only;   /* IN messages not yet acknowledged by an operator */
    size_t limit;        /* 0: no limit; newest first when set */
};

typedef int (*hl_row_cb)(void *ctx, const struct hl_msg_row *row);
/* Visit matching messages (oldest first, or the newest `limit` ones in
 * oldest-first order). Returns the number visited or CAIRN_E_DB/NOMEM. */
int hl_journal_list(struct hl_journal *j, const struct hl_msg_filter *f, hl_row_cb cb, void *ctx);

/* Override a type's fixed reply deadline for this journal (LINK_CHECK and
 * HANDOVER minutes are configurable). ms <= 0 restores the catalogue value. */
void hl_journal_set_deadline(struct hl_journal *j, enum hl_type t, int64_t ms);
int64_t hl_journal_deadline(const struct hl_journal *j, enum hl_type t);

#endif
