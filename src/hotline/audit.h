/*
 * audit.h — verify a hotline journal end to end.
 *
 * Key idea: re-derive everything from the stored canonical bytes and
 * trust no column: for every direction, messages 1..n exist with no gap
 * (J1), each chains to the previous one's hash (J2), each signature
 * verifies with the sender's roster key (J3), the columns agree with the
 * signed bytes; every receipt verifies with the signer's key and names the
 * right (seq, hash) (J5); every checkpoint's signatures verify and its
 * head is the stored message's hash (J6); the ledger chains from its first
 * record to the owner's signed seal, and every row of messages, receipts,
 * acks, cases and checkpoints is its newest sealed record, none missing,
 * none added (J9: catches edited stored_ms, acks and case columns, deleted
 * receipts, a deleted tail). The first inconsistency found is reported by
 * table, direction, peer and seq, in a stable order (messages, receipts,
 * checkpoints, then the ledger; each by dir, peer, seq).
 *
 * Invariant numbers refer to journal.h.
 */
#ifndef CAIRN_HOTLINE_AUDIT_H
#define CAIRN_HOTLINE_AUDIT_H

#include <stdint.h>

#include "hotline/identity.h"

struct hl_audit_report {
    /* totals checked */
    uint64_t n_messages, n_receipts, n_checkpoints;
    /* first inconsistency (valid when hl_audit_verify returns < 0 and table[0]) */
    char table[16]; /* "messages", "receipts", "checkpoints", "acks", "cases", "ledger", "meta" */
    int dir;        /* enum hl_dir, -1 when not applicable */
    char peer[HL_NAME_MAX + 1];
    uint64_t seq;
    char what[160]; /* e.g. "signature does not verify" */
};

/* Verify the journal file at path (opened read-only) against roster (keys
 * of every centre involved; the journal's own recorded key is used for
 * itself if roster is NULL or lacks it). 0 when consistent; otherwise the
 * error of the first inconsistency (CAIRN_E_SIGNATURE, CAIRN_E_CHAIN,
 * CAIRN_E_SEQUENCE, CAIRN_E_FORMAT, CAIRN_E_ROSTER) with rep filled, or
 * CAIRN_E_DB / CAIRN_E_IO when the file cannot be read. */
int hl_audit_verify(const char *path, const struct hl_roster *roster, struct hl_audit_report *rep);

#endif
