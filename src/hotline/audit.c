/*
 * audit.c — end-to-end verification of a hotline journal. See audit.h.
 *
 * Key idea: the columns of the journal are an index for queries; the truth
 * is the signed canonical bytes. The audit re-decodes every stored
 * message, receipt and checkpoint, recomputes hashes and signatures and
 * compares every column against the signed content, so a row edited with
 * the sqlite3 shell is named, whichever column was changed.
 */
#include "hotline/audit.h"

#include <sodium.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/grow.h"
#include "hotline/journal.h"
#include "hotline/journal_int.h"
#include "hotline/msg.h"

struct audit {
    sqlite3 *db;
    const struct hl_roster *roster;
    char self[HL_NAME_MAX + 1];
    uint8_t self_pk[HL_PK_LEN];
    struct hl_audit_report *rep;
    sqlite3_stmt *get_hash;
};

static int fail(struct audit *a, int rc, const char *table, int dir, const char *peer, uint64_t seq,
                const char *fmt, ...) __attribute__((format(printf, 7, 8)));

static int fail(struct audit *a, int rc, const char *table, int dir, const char *peer, uint64_t seq,
                const char *fmt, ...)
{
    struct hl_audit_report *r = a->rep;
    snprintf(r->table, sizeof r->table, "%s", table);
    r->dir = dir;
    snprintf(r->peer, sizeof r->peer, "%s", peer ? peer : "");
    r->seq = seq;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->what, sizeof r->what, fmt, ap);
    va_end(ap);
    return rc;
}

/* The signing key of a centre: the roster's, or the journal's own record
 * for itself. NULL when unknown. */
static const uint8_t *key_of(struct audit *a, const char *name)
{
    const struct hl_centre *c = a->roster ? hl_roster_find(a->roster, name) : NULL;
    if (c)
        return c->sign_pk;
    if (!strcmp(name, a->self))
        return a->self_pk;
    return NULL;
}

static const char *col_text(sqlite3_stmt *s, int i)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    return t ? (const char *)t : "";
}

static int stored_hash(struct audit *a, int dir, const char *peer, uint64_t seq,
                       uint8_t out[HL_HASH_LEN])
{
    sqlite3_stmt *s = a->get_hash;
    sqlite3_reset(s);
    sqlite3_bind_int(s, 1, dir);
    sqlite3_bind_text(s, 2, peer, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 3, (sqlite3_int64)seq);
    int rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(s);
        return rc == SQLITE_DONE ? CAIRN_E_NOTFOUND : CAIRN_E_DB;
    }
    /* Recompute from the signed bytes; the hash column is not trusted. */
    struct hl_msg *m = malloc(sizeof *m);
    rc = CAIRN_E_NOMEM;
    if (m) {
        rc = hl_msg_decode(m, sqlite3_column_blob(s, 0), (size_t)sqlite3_column_bytes(s, 0));
        if (rc == 0)
            rc = hl_msg_hash(m, out);
        free(m);
    }
    sqlite3_reset(s);
    return rc;
}

static int check_meta(struct audit *a)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(a->db, "SELECT key, value FROM meta", -1, &s, NULL) != SQLITE_OK)
        return fail(a, CAIRN_E_DB, "meta", -1, NULL, 0, "not a cairn journal: %s",
                    sqlite3_errmsg(a->db));
    bool have_self = false, have_pk = false;
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *k = col_text(s, 0);
        int n = sqlite3_column_bytes(s, 1);
        if (!strcmp(k, "self") && n > 0 && n <= HL_NAME_MAX) {
            memcpy(a->self, sqlite3_column_blob(s, 1), (size_t)n);
            a->self[n] = 0;
            have_self = true;
        } else if (!strcmp(k, "self_pk") && n == HL_PK_LEN) {
            memcpy(a->self_pk, sqlite3_column_blob(s, 1), HL_PK_LEN);
            have_pk = true;
        }
    }
    sqlite3_finalize(s);
    if (!have_self || !have_pk)
        return fail(a, CAIRN_E_FORMAT, "meta", -1, NULL, 0, "journal owner or key missing");
    const struct hl_centre *c = a->roster ? hl_roster_find(a->roster, a->self) : NULL;
    if (c && memcmp(c->sign_pk, a->self_pk, HL_PK_LEN) != 0)
        return fail(a, CAIRN_E_SIGNATURE, "meta", -1, a->self, 0,
                    "journal owner's key differs from the roster's");
    return 0;
}

static int check_messages(struct audit *a, struct hl_msg *m)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(a->db,
                           "SELECT dir, peer, seq, hash, prev_hash, created_ms, type, case_id, raw "
                           "FROM messages ORDER BY dir, peer, seq",
                           -1, &s, NULL) != SQLITE_OK)
        return fail(a, CAIRN_E_DB, "messages", -1, NULL, 0, "%s", sqlite3_errmsg(a->db));
    int rc = 0, step;
    int cur_dir = -1;
    char cur_peer[HL_NAME_MAX + 1] = "";
    uint64_t expect = 1;
    uint8_t prev[HL_HASH_LEN] = {0}, hash[HL_HASH_LEN];
    while (rc == 0 && (step = sqlite3_step(s)) == SQLITE_ROW) {
        int dir = sqlite3_column_int(s, 0);
        const char *peer = col_text(s, 1);
        uint64_t seq = (uint64_t)sqlite3_column_int64(s, 2);
        if (dir != cur_dir || strcmp(peer, cur_peer) != 0) {
            cur_dir = dir;
            snprintf(cur_peer, sizeof cur_peer, "%s", peer);
            expect = 1;
            memset(prev, 0, sizeof prev);
        }
        a->rep->n_messages++;
#define FAIL(code, ...) (rc = fail(a, code, "messages", dir, peer, seq, __VA_ARGS__))
        if (dir != HL_DIR_OUT && dir != HL_DIR_IN) {
            FAIL(CAIRN_E_FORMAT, "direction %d is neither out (0) nor in (1)", dir);
            break;
        }
        if (seq != expect) {
            FAIL(CAIRN_E_SEQUENCE, "gap: message %llu expected, found %llu",
                 (unsigned long long)expect, (unsigned long long)seq);
            break;
        }
        int d = hl_msg_decode(m, sqlite3_column_blob(s, 8), (size_t)sqlite3_column_bytes(s, 8));
        if (d) {
            FAIL(CAIRN_E_FORMAT, "stored bytes do not decode: %s", cairn_strerror(d));
            break;
        }
        const char *want_sender = dir == HL_DIR_OUT ? a->self : peer;
        const char *want_recv = dir == HL_DIR_OUT ? peer : a->self;
        if (strcmp(m->sender, want_sender) || strcmp(m->receiver, want_recv)) {
            FAIL(CAIRN_E_FORMAT, "signed sender/receiver %s->%s do not match the row", m->sender,
                 m->receiver);
            break;
        }
        if (m->seq != seq) {
            FAIL(CAIRN_E_SEQUENCE, "signed seq %llu differs from the row's",
                 (unsigned long long)m->seq);
            break;
        }
        const uint8_t *pk = key_of(a, m->sender);
        if (!pk) {
            FAIL(CAIRN_E_ROSTER, "sender %s not on the roster", m->sender);
            break;
        }
        if (hl_msg_verify(m, pk)) {
            FAIL(CAIRN_E_SIGNATURE, "signature does not verify");
            break;
        }
        hl_msg_hash(m, hash);
        if (sodium_memcmp(m->prev_hash, prev, HL_HASH_LEN) != 0) {
            FAIL(CAIRN_E_CHAIN, "prev_hash does not chain to message %llu",
                 (unsigned long long)(seq - 1));
            break;
        }
        if (sqlite3_column_bytes(s, 3) != HL_HASH_LEN ||
            memcmp(sqlite3_column_blob(s, 3), hash, HL_HASH_LEN) != 0) {
            FAIL(CAIRN_E_CHAIN, "hash column differs from the message's hash");
            break;
        }
        if (sqlite3_column_bytes(s, 4) != HL_HASH_LEN ||
            memcmp(sqlite3_column_blob(s, 4), m->prev_hash, HL_HASH_LEN) != 0) {
            FAIL(CAIRN_E_CHAIN, "prev_hash column differs from the signed prev_hash");
            break;
        }
        if (sqlite3_column_int64(s, 5) != m->created_utc_ms ||
            strcmp(col_text(s, 6), hl_type_name(m->type)) || strcmp(col_text(s, 7), m->case_id)) {
            FAIL(CAIRN_E_FORMAT, "created/type/case columns differ from the signed message");
            break;
        }
#undef FAIL
        memcpy(prev, hash, HL_HASH_LEN);
        expect++;
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = fail(a, CAIRN_E_DB, "messages", -1, NULL, 0, "%s", sqlite3_errmsg(a->db));
    sqlite3_finalize(s);
    return rc;
}

static int check_receipts(struct audit *a)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(a->db,
                           "SELECT dir, peer, seq, raw FROM receipts ORDER BY dir, peer, seq", -1,
                           &s, NULL) != SQLITE_OK)
        return fail(a, CAIRN_E_DB, "receipts", -1, NULL, 0, "%s", sqlite3_errmsg(a->db));
    int rc = 0, step;
    while (rc == 0 && (step = sqlite3_step(s)) == SQLITE_ROW) {
        int dir = sqlite3_column_int(s, 0);
        const char *peer = col_text(s, 1);
        uint64_t seq = (uint64_t)sqlite3_column_int64(s, 2);
        a->rep->n_receipts++;
#define FAIL(code, ...) (rc = fail(a, code, "receipts", dir, peer, seq, __VA_ARGS__))
        struct hl_receipt r;
        if (hl_receipt_decode(&r, sqlite3_column_blob(s, 3), (size_t)sqlite3_column_bytes(s, 3))) {
            FAIL(CAIRN_E_FORMAT, "stored receipt does not decode");
            break;
        }
        const char *want_from = dir == HL_DIR_OUT ? a->self : peer;
        const char *want_to = dir == HL_DIR_OUT ? peer : a->self;
        if (strcmp(r.from, want_from) || strcmp(r.to, want_to) || r.seq != seq) {
            FAIL(CAIRN_E_FORMAT, "receipt names %s->%s seq %llu, not this row", r.from, r.to,
                 (unsigned long long)r.seq);
            break;
        }
        const uint8_t *pk = key_of(a, r.to);
        if (!pk) {
            FAIL(CAIRN_E_ROSTER, "receipt signer %s not on the roster", r.to);
            break;
        }
        if (hl_receipt_verify(&r, pk)) {
            FAIL(CAIRN_E_SIGNATURE, "receipt signature does not verify");
            break;
        }
        uint8_t h[HL_HASH_LEN];
        int e = stored_hash(a, dir, peer, seq, h);
        if (e == CAIRN_E_NOTFOUND) {
            FAIL(CAIRN_E_SEQUENCE, "receipt for a message not in the journal");
            break;
        }
        if (e || sodium_memcmp(h, r.msg_hash, HL_HASH_LEN) != 0) {
            FAIL(CAIRN_E_CHAIN, "receipt names a different message hash");
            break;
        }
#undef FAIL
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = fail(a, CAIRN_E_DB, "receipts", -1, NULL, 0, "%s", sqlite3_errmsg(a->db));
    sqlite3_finalize(s);
    /* No coverage check: receipts are cumulative (one may cover a whole
     * batch) and the messages stored since the last receipt legitimately
     * have none yet (journal.h, J4). */
    return rc;
}

static int check_checkpoints(struct audit *a)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(a->db,
                           "SELECT dir, peer, count, signer, raw, countersigned FROM checkpoints "
                           "ORDER BY dir, peer, count, signer",
                           -1, &s, NULL) != SQLITE_OK)
        return fail(a, CAIRN_E_DB, "checkpoints", -1, NULL, 0, "%s", sqlite3_errmsg(a->db));
    int rc = 0, step;
    while (rc == 0 && (step = sqlite3_step(s)) == SQLITE_ROW) {
        int dir = sqlite3_column_int(s, 0);
        const char *peer = col_text(s, 1);
        uint64_t count = (uint64_t)sqlite3_column_int64(s, 2);
        a->rep->n_checkpoints++;
#define FAIL(code, ...) (rc = fail(a, code, "checkpoints", dir, peer, count, __VA_ARGS__))
        struct hl_checkpoint c;
        if (hl_checkpoint_decode(&c, sqlite3_column_blob(s, 4),
                                 (size_t)sqlite3_column_bytes(s, 4))) {
            FAIL(CAIRN_E_FORMAT, "stored checkpoint does not decode");
            break;
        }
        const char *want_from = dir == HL_DIR_OUT ? a->self : peer;
        const char *want_to = dir == HL_DIR_OUT ? peer : a->self;
        if (strcmp(c.from, want_from) || strcmp(c.to, want_to) || c.count != count ||
            strcmp(c.signer, col_text(s, 3))) {
            FAIL(CAIRN_E_FORMAT, "checkpoint content does not match its row");
            break;
        }
        bool by_self = !strcmp(c.signer, a->self), by_peer = !strcmp(c.signer, peer);
        const char *other = by_self ? peer : a->self;
        if ((!by_self && !by_peer) || (c.countersigner[0] && strcmp(c.countersigner, other))) {
            FAIL(CAIRN_E_ROSTER, "checkpoint signed by %s/%s, not by the two ends", c.signer,
                 c.countersigner);
            break;
        }
        const uint8_t *spk = key_of(a, c.signer);
        const uint8_t *cpk = c.countersigner[0] ? key_of(a, c.countersigner) : NULL;
        if (!spk || (c.countersigner[0] && !cpk)) {
            FAIL(CAIRN_E_ROSTER, "checkpoint signer not on the roster");
            break;
        }
        if ((sqlite3_column_int(s, 5) != 0) != (c.countersigner[0] != 0)) {
            FAIL(CAIRN_E_FORMAT, "countersigned column differs from the checkpoint");
            break;
        }
        if (hl_checkpoint_verify(&c, spk, cpk)) {
            FAIL(CAIRN_E_SIGNATURE, "checkpoint signature does not verify");
            break;
        }
        uint8_t h[HL_HASH_LEN];
        int e = stored_hash(a, dir, peer, count, h);
        if (e == CAIRN_E_NOTFOUND) {
            FAIL(CAIRN_E_SEQUENCE, "checkpoint beyond the journal's head");
            break;
        }
        if (e || sodium_memcmp(h, c.head_hash, HL_HASH_LEN) != 0) {
            FAIL(CAIRN_E_CHAIN, "checkpoint head hash differs from message %llu",
                 (unsigned long long)count);
            break;
        }
#undef FAIL
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = fail(a, CAIRN_E_DB, "checkpoints", -1, NULL, 0, "%s", sqlite3_errmsg(a->db));
    sqlite3_finalize(s);
    return rc;
}

/* ---- J9: the sealed ledger ---- */

/* Fill dir/peer/seq of the report from a "dir/peer/seq..." ledger key. */
static void key_place(const char *key, int *dir, char *peer, uint64_t *seq)
{
    *dir = -1;
    *seq = 0;
    peer[0] = 0;
    if ((key[0] != '0' && key[0] != '1') || key[1] != '/')
        return;
    const char *p = key + 2, *sl = strchr(p, '/');
    if (!sl || (size_t)(sl - p) > HL_NAME_MAX)
        return;
    *dir = key[0] - '0';
    memcpy(peer, p, (size_t)(sl - p));
    peer[sl - p] = 0;
    *seq = strtoull(sl + 1, NULL, 10);
}

static int check_ledger_chain(struct audit *a)
{
    uint8_t seal[JN_SEAL_LEN];
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(a->db, "SELECT value FROM meta WHERE key='seal'", -1, &s, NULL) !=
        SQLITE_OK)
        return fail(a, CAIRN_E_DB, "meta", -1, NULL, 0, "%s", sqlite3_errmsg(a->db));
    int have = sqlite3_step(s) == SQLITE_ROW && sqlite3_column_bytes(s, 0) == JN_SEAL_LEN;
    if (have)
        memcpy(seal, sqlite3_column_blob(s, 0), JN_SEAL_LEN);
    sqlite3_finalize(s);
    if (!have)
        return fail(a, CAIRN_E_SIGNATURE, "meta", -1, NULL, 0,
                    "no seal: the journal's records are not sealed (J9)");
    uint64_t seal_n = 0;
    for (int i = 0; i < 8; i++)
        seal_n = seal_n << 8 | seal[i];
    if (sqlite3_prepare_v2(a->db, "SELECT n, kind, key, val FROM ledger ORDER BY n", -1, &s,
                           NULL) != SQLITE_OK)
        return fail(a, CAIRN_E_FORMAT, "ledger", -1, NULL, 0, "no ledger: %s",
                    sqlite3_errmsg(a->db));
    uint8_t h[HL_HASH_LEN] = {0};
    uint64_t expect = 1;
    int rc = 0, step;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        uint64_t n = (uint64_t)sqlite3_column_int64(s, 0);
        const char *kind = col_text(s, 1), *key = col_text(s, 2), *val = col_text(s, 3);
        if (n != expect) {
            rc = fail(a, CAIRN_E_SEQUENCE, "ledger", -1, NULL, n,
                      "ledger entry %llu missing (deleted records)", (unsigned long long)expect);
            break;
        }
        if (n > seal_n) {
            int dir;
            uint64_t seq;
            char peer[HL_NAME_MAX + 1];
            key_place(key, &dir, peer, &seq);
            rc = fail(a, CAIRN_E_SIGNATURE, "ledger", dir, peer, seq,
                      "record %s %s written after the seal (%llu), not by cairn", kind, key,
                      (unsigned long long)seal_n);
            break;
        }
        jn_ledger_link(h, n, kind, key, val);
        expect++;
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = fail(a, CAIRN_E_DB, "ledger", -1, NULL, 0, "%s", sqlite3_errmsg(a->db));
    sqlite3_finalize(s);
    if (rc)
        return rc;
    if (expect - 1 != seal_n)
        return fail(a, CAIRN_E_SEQUENCE, "ledger", -1, NULL, expect,
                    "the seal covers %llu records, the ledger holds %llu: its tail was deleted",
                    (unsigned long long)seal_n, (unsigned long long)(expect - 1));
    if (sodium_memcmp(h, seal + 8, HL_HASH_LEN) != 0)
        return fail(a, CAIRN_E_CHAIN, "ledger", -1, NULL, seal_n,
                    "ledger records differ from the sealed ones (edited)");
    uint8_t text[JN_SEAL_TEXT_MAX];
    size_t tl;
    jn_seal_text(a->self, seal_n, h, text, &tl);
    const uint8_t *pk = key_of(a, a->self);
    if (!pk || crypto_sign_verify_detached(seal + 8 + HL_HASH_LEN, text, tl, pk) != 0)
        return fail(a, CAIRN_E_SIGNATURE, "meta", -1, a->self, seal_n,
                    "the seal's signature does not verify with %s's key", a->self);
    return 0;
}

/* Every row of a table is its newest sealed record, and every sealed key
 * still has its row. */
static int check_ledger_table(struct audit *a, const char *table, const char *kind,
                              const char *sql_edit, const char *sql_gone)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(a->db, sql_edit, -1, &s, NULL) != SQLITE_OK)
        return fail(a, CAIRN_E_DB, table, -1, NULL, 0, "%s", sqlite3_errmsg(a->db));
    sqlite3_bind_text(s, 1, kind, -1, SQLITE_STATIC);
    int rc = 0, dir;
    uint64_t seq;
    char peer[HL_NAME_MAX + 1];
    int step = sqlite3_step(s);
    if (step == SQLITE_ROW) {
        const char *key = col_text(s, 0);
        key_place(key, &dir, peer, &seq);
        if (sqlite3_column_type(s, 2) == SQLITE_NULL)
            rc = fail(a, CAIRN_E_SIGNATURE, table, dir, peer, seq,
                      "row %s is not in the sealed ledger (inserted by hand)", key);
        else {
            /* show where they differ: long values (hashes, raw bytes) share a prefix */
            const char *now = col_text(s, 1), *was = col_text(s, 2);
            size_t k = 0;
            while (now[k] && now[k] == was[k])
                k++;
            k = k > 8 ? k - 8 : 0;
            rc = fail(a, CAIRN_E_SIGNATURE, table, dir, peer, seq,
                      "row %s edited after it was sealed: now '%s%.32s', sealed '%s%.32s'", key,
                      k ? "..." : "", now + k, k ? "..." : "", was + k);
        }
    } else if (step != SQLITE_DONE) {
        rc = fail(a, CAIRN_E_DB, table, -1, NULL, 0, "%s", sqlite3_errmsg(a->db));
    }
    sqlite3_finalize(s);
    if (rc)
        return rc;
    if (sqlite3_prepare_v2(a->db, sql_gone, -1, &s, NULL) != SQLITE_OK)
        return fail(a, CAIRN_E_DB, table, -1, NULL, 0, "%s", sqlite3_errmsg(a->db));
    sqlite3_bind_text(s, 1, kind, -1, SQLITE_STATIC);
    step = sqlite3_step(s);
    if (step == SQLITE_ROW) {
        const char *key = col_text(s, 0);
        key_place(key, &dir, peer, &seq);
        rc = fail(a, CAIRN_E_SEQUENCE, table, dir, peer, seq,
                  "row %s deleted: its sealed record "
                  "is in the ledger",
                  key);
    } else if (step != SQLITE_DONE) {
        rc = fail(a, CAIRN_E_DB, table, -1, NULL, 0, "%s", sqlite3_errmsg(a->db));
    }
    sqlite3_finalize(s);
    return rc;
}

#define LG_NEWEST                                                                                  \
    "WITH l AS (SELECT key, val FROM ledger WHERE n IN (SELECT max(n) FROM ledger WHERE kind=?1 "  \
    "GROUP BY key)) "
#define LG_EDIT(TABLE, KEY, VAL)                                                                   \
    LG_NEWEST "SELECT t.key, t.val, l.val FROM (SELECT " KEY("") " AS key, " VAL(                  \
        "") " AS val FROM " TABLE ") t LEFT JOIN l ON l.key=t.key WHERE l.val IS NULL OR "         \
            "l.val<>t.val LIMIT 1"
#define LG_GONE(TABLE, KEY)                                                                        \
    "SELECT key FROM ledger WHERE kind=?1 AND key NOT IN (SELECT " KEY("") " FROM " TABLE          \
                                                                           ") LIMIT 1"

/* The sealed end of each direction's spans. */
struct span_end {
    int dir;
    char peer[HL_NAME_MAX + 1];
    uint64_t last;
};

static struct span_end *span_end_of(struct span_end **v, size_t *n, size_t *cap, int dir,
                                    const char *peer)
{
    for (size_t i = 0; i < *n; i++)
        if ((*v)[i].dir == dir && !strcmp((*v)[i].peer, peer))
            return &(*v)[i];
    if (GROW_ARRAY(v, cap, *n + 1, 8))
        return NULL;
    struct span_end *e = &(*v)[(*n)++];
    e->dir = dir;
    snprintf(e->peer, sizeof e->peer, "%s", peer);
    e->last = 0;
    return e;
}

/* One sealed span (journal_int.h): rows first..last of (dir, peer) are all
 * there, with the sealed stored_ms, and row last has the sealed hash. */
static int check_span(struct audit *a, sqlite3_stmt *rows, const char *key, const char *val,
                      int dir, const char *peer, uint64_t first, uint64_t last)
{
    char hex[2 * HL_HASH_LEN + 1];
    if (strlen(val) < 2 * HL_HASH_LEN + 1 || val[2 * HL_HASH_LEN] != '/')
        return fail(a, CAIRN_E_FORMAT, "ledger", dir, peer, last, "span %s malformed", key);
    const char *ms = strchr(val + 2 * HL_HASH_LEN + 1, '/');
    if (!ms)
        return fail(a, CAIRN_E_FORMAT, "ledger", dir, peer, last, "span %s malformed", key);
    ms++;
    sqlite3_reset(rows);
    sqlite3_bind_int(rows, 1, dir);
    sqlite3_bind_text(rows, 2, peer, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(rows, 3, (sqlite3_int64)first);
    sqlite3_bind_int64(rows, 4, (sqlite3_int64)last);
    int rc = 0, step = SQLITE_DONE;
    for (uint64_t seq = first; rc == 0 && seq <= last; seq++) {
        char *end;
        long long want = strtoll(ms, &end, 10);
        if (end == ms || (*end != ',' && *end != 0) || (*end == 0) != (seq == last)) {
            rc = fail(a, CAIRN_E_FORMAT, "ledger", dir, peer, seq, "span %s malformed", key);
            break;
        }
        ms = *end ? end + 1 : end;
        step = sqlite3_step(rows);
        if (step != SQLITE_ROW) {
            if (step != SQLITE_DONE)
                rc = fail(a, CAIRN_E_DB, "messages", -1, NULL, 0, "%s", sqlite3_errmsg(a->db));
            else
                rc = fail(a, CAIRN_E_SEQUENCE, "messages", dir, peer, seq,
                          "row %d/%s/%llu deleted: its sealed record is in the ledger", dir, peer,
                          (unsigned long long)seq);
            break;
        }
        uint64_t got = (uint64_t)sqlite3_column_int64(rows, 0);
        if (got != seq) {
            rc = fail(a, CAIRN_E_SEQUENCE, "messages", dir, peer, seq,
                      "row %d/%s/%llu deleted: its sealed record is in the ledger", dir, peer,
                      (unsigned long long)seq);
            break;
        }
        long long now = sqlite3_column_int64(rows, 1);
        if (now != want) {
            rc = fail(a, CAIRN_E_SIGNATURE, "messages", dir, peer, seq,
                      "row %d/%s/%llu edited after it was sealed: stored_ms now %lld, sealed %lld",
                      dir, peer, (unsigned long long)seq, now, want);
            break;
        }
        if (seq == last) {
            sodium_bin2hex(hex, sizeof hex, sqlite3_column_blob(rows, 2),
                           sqlite3_column_bytes(rows, 2) == HL_HASH_LEN ? HL_HASH_LEN : 0);
            for (char *c = hex; *c; c++)
                if (*c >= 'a' && *c <= 'f')
                    *c = (char)(*c - 'a' + 'A'); /* the ledger holds SQL hex() */
            if (sqlite3_column_bytes(rows, 2) != HL_HASH_LEN ||
                memcmp(hex, val, 2 * HL_HASH_LEN) != 0)
                rc = fail(a, CAIRN_E_SIGNATURE, "messages", dir, peer, seq,
                          "row %d/%s/%llu edited after it was sealed: hash differs", dir, peer,
                          (unsigned long long)seq);
        }
    }
    sqlite3_reset(rows);
    return rc;
}

/* Messages (J9): the sealed spans of each direction follow on from seq 1,
 * their rows are intact, and they end at the direction's head. */
static int check_ledger_spans(struct audit *a)
{
    sqlite3_stmt *s = NULL, *rows = NULL;
    struct span_end *v = NULL;
    size_t nv = 0, cap = 0;
    int rc = 0, step;
    if (sqlite3_prepare_v2(a->db,
                           "SELECT key, val FROM ledger WHERE kind='" JN_SPAN_KIND "' ORDER BY n",
                           -1, &s, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(a->db,
                           "SELECT seq, stored_ms, hash FROM messages WHERE dir=?1 AND peer=?2 "
                           "AND seq BETWEEN ?3 AND ?4 ORDER BY seq",
                           -1, &rows, NULL) != SQLITE_OK) {
        rc = fail(a, CAIRN_E_DB, "ledger", -1, NULL, 0, "%s", sqlite3_errmsg(a->db));
        goto out;
    }
    while (rc == 0 && (step = sqlite3_step(s)) == SQLITE_ROW) {
        const char *key = col_text(s, 0), *val = col_text(s, 1);
        int dir;
        uint64_t last;
        char peer[HL_NAME_MAX + 1];
        key_place(key, &dir, peer, &last);
        const char *sl = strchr(val, '/');
        uint64_t first = sl ? strtoull(sl + 1, NULL, 10) : 0;
        struct span_end *e = dir < 0 ? NULL : span_end_of(&v, &nv, &cap, dir, peer);
        if (dir < 0 || !e || first != e->last + 1 || last < first) {
            rc = fail(a, e || dir < 0 ? CAIRN_E_FORMAT : CAIRN_E_NOMEM, "ledger", dir, peer, last,
                      "span %s does not follow on from seq %llu", key,
                      (unsigned long long)(e ? e->last : 0));
            break;
        }
        rc = check_span(a, rows, key, val, dir, peer, first, last);
        e->last = last;
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = fail(a, CAIRN_E_DB, "ledger", -1, NULL, 0, "%s", sqlite3_errmsg(a->db));
    if (rc)
        goto out;
    /* rows past the sealed end of their direction */
    sqlite3_finalize(s);
    if (sqlite3_prepare_v2(a->db, "SELECT dir, peer, max(seq) FROM messages GROUP BY dir, peer", -1,
                           &s, NULL) != SQLITE_OK) {
        rc = fail(a, CAIRN_E_DB, "messages", -1, NULL, 0, "%s", sqlite3_errmsg(a->db));
        goto out;
    }
    while (rc == 0 && (step = sqlite3_step(s)) == SQLITE_ROW) {
        int dir = sqlite3_column_int(s, 0);
        const char *peer = col_text(s, 1);
        uint64_t head = (uint64_t)sqlite3_column_int64(s, 2), sealed = 0;
        for (size_t i = 0; i < nv; i++)
            if (v[i].dir == dir && !strcmp(v[i].peer, peer))
                sealed = v[i].last;
        if (head > sealed)
            rc = fail(a, CAIRN_E_SIGNATURE, "messages", dir, peer, sealed + 1,
                      "row %d/%s/%llu is not in the sealed ledger (inserted by hand)", dir, peer,
                      (unsigned long long)(sealed + 1));
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = fail(a, CAIRN_E_DB, "messages", -1, NULL, 0, "%s", sqlite3_errmsg(a->db));
out:
    sqlite3_finalize(s);
    sqlite3_finalize(rows);
    free(v);
    return rc;
}

static int check_ledger(struct audit *a)
{
    int rc = check_ledger_chain(a);
    if (rc == 0)
        rc = check_ledger_spans(a);
    if (rc == 0)
        rc = check_ledger_table(a, "receipts", "r", LG_EDIT("receipts", LG_RCPT_KEY, LG_RCPT_VAL),
                                LG_GONE("receipts", LG_RCPT_KEY));
    if (rc == 0)
        rc = check_ledger_table(a, "acks", "a", LG_EDIT("acks", LG_ACK_KEY, LG_ACK_VAL),
                                LG_GONE("acks", LG_ACK_KEY));
    if (rc == 0)
        rc = check_ledger_table(a, "cases", "c", LG_EDIT("cases", LG_CASE_KEY, LG_CASE_VAL),
                                LG_GONE("cases", LG_CASE_KEY));
    if (rc == 0)
        rc = check_ledger_table(a, "checkpoints", "k",
                                LG_EDIT("checkpoints", LG_CKPT_KEY, LG_CKPT_VAL),
                                LG_GONE("checkpoints", LG_CKPT_KEY));
    return rc;
}

int hl_audit_verify(const char *path, const struct hl_roster *roster, struct hl_audit_report *rep)
{
    memset(rep, 0, sizeof *rep);
    rep->dir = -1;
    if (sodium_init() < 0)
        return CAIRN_E_STATE;
    struct audit a;
    memset(&a, 0, sizeof a);
    a.roster = roster;
    a.rep = rep;
    if (sqlite3_open_v2(path, &a.db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        fail(&a, CAIRN_E_IO, "meta", -1, NULL, 0, "cannot open %s", path);
        sqlite3_close(a.db);
        return CAIRN_E_IO;
    }
    sqlite3_busy_timeout(a.db, 5000);
    struct hl_msg *m = malloc(sizeof *m);
    int rc = m ? 0 : CAIRN_E_NOMEM;
    /* One read transaction: a consistent snapshot even while the daemon writes. */
    if (rc == 0 && sqlite3_exec(a.db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
        rc = CAIRN_E_DB;
    if (rc == 0 &&
        sqlite3_prepare_v2(a.db, "SELECT raw FROM messages WHERE dir=? AND peer=? AND seq=?", -1,
                           &a.get_hash, NULL) != SQLITE_OK)
        rc = fail(&a, CAIRN_E_DB, "messages", -1, NULL, 0, "not a cairn journal: %s",
                  sqlite3_errmsg(a.db));
    if (rc == 0)
        rc = check_meta(&a);
    if (rc == 0)
        rc = check_messages(&a, m);
    if (rc == 0)
        rc = check_receipts(&a);
    if (rc == 0)
        rc = check_checkpoints(&a);
    if (rc == 0)
        rc = check_ledger(&a);
    sqlite3_finalize(a.get_hash);
    sqlite3_exec(a.db, "COMMIT", NULL, NULL, NULL);
    sqlite3_close(a.db);
    free(m);
    return rc;
}
