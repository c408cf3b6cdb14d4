/*
 * journal.c — the hotline journal in SQLite. See journal.h for the states,
 * invariants J1–J9 and the group-commit contract, and
 * docs/hotline-messages.md for the schema.
 *
 * Key idea: the database is the only state. Heads, duplicates and receipts
 * are always read back from SQLite inside the current transaction (the
 * primary keys make that an index probe), so a rolled-back transaction can
 * never leave a stale in-memory head behind (J7), and a restarted process
 * continues exactly where the committed journal says.
 *
 * Durability: journal_mode=WAL with synchronous=FULL fsyncs the WAL at every
 * commit; a batch (hl_journal_begin/commit) shares that one fsync between
 * all its messages (group commit).
 *
 * References: SQLite docs "WAL", "PRAGMA synchronous", "Savepoints",
 * "Result and Error Codes" (SQLITE_FULL rolls the statement back and may
 * roll back the transaction).
 */
#include "hotline/journal_int.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/grow.h"
#include "base/log.h"

static const char MOD[] = "hotline";

/* Two triggers per table: every row inserted or updated is appended to the
 * ledger (J9). Messages have only the update trigger: their inserts are
 * sealed as spans by jn_seal (journal_int.h). */
#define LG_TRIGGERS(KIND, TABLE, KEY, VAL)                                                         \
    "CREATE TRIGGER IF NOT EXISTS lg_" TABLE "_i AFTER INSERT ON " TABLE                           \
    " BEGIN INSERT INTO ledger(kind, key, val) VALUES('" KIND                                      \
    "', " KEY("NEW.") ", " VAL("NEW.") "); END;"                                                   \
                                       "CREATE TRIGGER IF NOT EXISTS lg_" TABLE                    \
                                       "_u AFTER UPDATE ON " TABLE                                 \
                                       " BEGIN INSERT INTO ledger(kind, key, val) VALUES('" KIND   \
                                       "', " KEY("NEW.") ", " VAL("NEW.") "); END;"

/* Schema version 3 (1 + the sealed ledger; 3: message spans instead of
 * one ledger record per message). */
static const char SCHEMA[] =
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS messages("
    " dir INTEGER NOT NULL, peer TEXT NOT NULL, seq INTEGER NOT NULL,"
    " hash BLOB NOT NULL, prev_hash BLOB NOT NULL,"
    " created_ms INTEGER NOT NULL, stored_ms INTEGER NOT NULL,"
    " type TEXT NOT NULL, case_id TEXT NOT NULL, raw BLOB NOT NULL,"
    " PRIMARY KEY(dir, peer, seq)) WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS messages_case ON messages(case_id);"
    "CREATE TABLE IF NOT EXISTS receipts("
    " dir INTEGER NOT NULL, peer TEXT NOT NULL, seq INTEGER NOT NULL,"
    " raw BLOB NOT NULL, stored_ms INTEGER NOT NULL,"
    " PRIMARY KEY(dir, peer, seq)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS checkpoints("
    " dir INTEGER NOT NULL, peer TEXT NOT NULL, count INTEGER NOT NULL, signer TEXT NOT NULL,"
    " raw BLOB NOT NULL, countersigned INTEGER NOT NULL, stored_ms INTEGER NOT NULL,"
    " PRIMARY KEY(dir, peer, count, signer)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS acks("
    " dir INTEGER NOT NULL, peer TEXT NOT NULL, seq INTEGER NOT NULL,"
    " operator TEXT NOT NULL, acked_ms INTEGER NOT NULL, ack_seq INTEGER NOT NULL,"
    " PRIMARY KEY(dir, peer, seq)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS cases("
    " peer TEXT NOT NULL, case_id TEXT NOT NULL, opened_dir INTEGER NOT NULL,"
    " open_seq INTEGER NOT NULL, type TEXT NOT NULL, reply TEXT NOT NULL,"
    " opened_ms INTEGER NOT NULL, due_ms INTEGER NOT NULL, state INTEGER NOT NULL,"
    " late INTEGER NOT NULL DEFAULT 0, closed_dir INTEGER NOT NULL DEFAULT 0,"
    " closed_seq INTEGER NOT NULL DEFAULT 0, closed_ms INTEGER NOT NULL DEFAULT 0,"
    " escalated_ms INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY(peer, case_id)) WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS cases_due ON cases(state, due_ms);";

/* J9: the sealed ledger, filled by triggers (journal_int.h). One string
 * per statement group (C11 guarantees string literals of 4095 bytes). */
static const char *const LEDGER_SQL[] = {
    "CREATE TABLE IF NOT EXISTS ledger(n INTEGER PRIMARY KEY, kind TEXT NOT NULL,"
    " key TEXT NOT NULL, val TEXT NOT NULL);",
    "DROP TRIGGER IF EXISTS lg_messages_i;"
    "CREATE TRIGGER IF NOT EXISTS lg_messages_u AFTER UPDATE ON messages"
    " BEGIN INSERT INTO ledger(kind, key, val) VALUES('m', " LG_MSG_KEY("NEW.") ", " LG_MSG_VAL(
        "NEW.") "); END;",
    LG_TRIGGERS("r", "receipts", LG_RCPT_KEY, LG_RCPT_VAL),
    LG_TRIGGERS("a", "acks", LG_ACK_KEY, LG_ACK_VAL),
    LG_TRIGGERS("c", "cases", LG_CASE_KEY, LG_CASE_VAL),
    LG_TRIGGERS("k", "checkpoints", LG_CKPT_KEY, LG_CKPT_VAL),
};

/* An existing journal made before the ledger: its rows enter the ledger
 * once, as they are, and are sealed (the audit could not vouch for them
 * otherwise; from then on every change is sealed as it is made). */
static const char *const ADOPT[] = {
    "INSERT INTO ledger(kind, key, val) SELECT 'r', " LG_RCPT_KEY("") ", " LG_RCPT_VAL(
        "") " FROM receipts ORDER BY dir, peer, seq",
    "INSERT INTO ledger(kind, key, val) SELECT 'a', " LG_ACK_KEY("") ", " LG_ACK_VAL(
        "") " FROM acks",
    "INSERT INTO ledger(kind, key, val) SELECT 'c', " LG_CASE_KEY("") ", " LG_CASE_VAL(
        "") " FROM cases",
    "INSERT INTO ledger(kind, key, val) SELECT 'k', " LG_CKPT_KEY("") ", " LG_CKPT_VAL(
        "") " FROM checkpoints",
};

/* Statement slots for jn_stmt. */
enum {
    S_HEAD,
    S_GET_MSG,
    S_INS_MSG,
    S_GET_RCPT,
    S_INS_RCPT,
    S_UNRCPT,
    S_FIRST_UNRCPT,
    S_INS_CKPT,
    S_GET_ACK,
    S_INS_ACK,
    S_COVER_RCPT,
    S_SAVEPOINT,
    S_RELEASE,
    S_ROLLBACK_TO,
    S_BEGIN,
    S_COMMIT,
    S_ROLLBACK,
    S_OUTGOING,
    S_LEDGER_NEW,
    S_META_GET,
    S_META_PUT,
    S_SPAN_ROWS,
    S_SPAN_INS,
};

/* ---- SQLite helpers ---------------------------------------------------------- */

int jn_sqlerr(struct hl_journal *j, int rc)
{
    int prim = rc & 0xFF;
    if (prim == SQLITE_FULL) {
        j->st.nospace++;
        return CAIRN_E_NOSPACE;
    }
    if (prim == SQLITE_NOMEM)
        return CAIRN_E_NOMEM;
    j->st.db_errors++;
    return CAIRN_E_DB;
}

int jn_exec(struct hl_journal *j, const char *sql)
{
    int rc = sqlite3_exec(j->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : jn_sqlerr(j, rc);
}

sqlite3_stmt *jn_stmt(struct hl_journal *j, int id, const char *sql)
{
    if (id < 0 || id >= JN_NSTMT)
        return NULL;
    sqlite3_stmt *s = j->stmts[id];
    if (s) {
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
        return s;
    }
    if (sqlite3_prepare_v3(j->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &j->stmts[id], NULL) !=
        SQLITE_OK)
        return NULL;
    return j->stmts[id];
}

static int step_done(struct hl_journal *j, sqlite3_stmt *s)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : jn_sqlerr(j, rc);
}

static int run(struct hl_journal *j, int id, const char *sql)
{
    sqlite3_stmt *s = jn_stmt(j, id, sql);
    if (!s)
        return jn_sqlerr(j, sqlite3_errcode(j->db));
    return step_done(j, s);
}

/* One unit of work: a transaction outside a batch, a savepoint inside. */
static int tx_begin(struct hl_journal *j)
{
    if (j->batch) {
        if (j->poisoned)
            return CAIRN_E_STATE;
        return run(j, S_SAVEPOINT, "SAVEPOINT hl_unit");
    }
    j->nspans = 0;
    return run(j, S_BEGIN, "BEGIN IMMEDIATE");
}

/* Finish the unit: commit when rc == 0, otherwise undo it. Returns the final
 * code (a failed commit turns success into NOSPACE/DB). */
static int tx_end(struct hl_journal *j, int rc)
{
    if (j->batch) {
        if (rc == CAIRN_E_NOSPACE || sqlite3_get_autocommit(j->db)) {
            /* SQLite may have rolled the whole transaction back on a full
             * disk; treat the batch as void either way (journal.h). */
            j->poisoned = true;
            return rc ? rc : CAIRN_E_NOSPACE;
        }
        if (rc == 0) {
            int r2 = run(j, S_RELEASE, "RELEASE hl_unit");
            return r2;
        }
        run(j, S_ROLLBACK_TO, "ROLLBACK TO hl_unit");
        run(j, S_RELEASE, "RELEASE hl_unit");
        return rc;
    }
    if (rc == 0)
        rc = jn_seal(j);
    if (rc == 0) {
        rc = run(j, S_COMMIT, "COMMIT");
        if (rc == 0) {
            if (j->on_commit)
                j->on_commit(j->on_commit_ctx);
            return 0;
        }
    }
    if (!sqlite3_get_autocommit(j->db))
        run(j, S_ROLLBACK, "ROLLBACK");
    return rc;
}

/* ---- the sealed ledger (J9) ------------------------------------------------------ */

static void put_be64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}

void jn_ledger_link(uint8_t h[HL_HASH_LEN], uint64_t n, const char *kind, const char *key,
                    const char *val)
{
    crypto_generichash_state st;
    uint8_t nb[8];
    put_be64(nb, n);
    crypto_generichash_init(&st, NULL, 0, HL_HASH_LEN);
    crypto_generichash_update(&st, h, HL_HASH_LEN);
    crypto_generichash_update(&st, nb, 8);
    crypto_generichash_update(&st, (const uint8_t *)kind, strlen(kind) + 1);
    crypto_generichash_update(&st, (const uint8_t *)key, strlen(key) + 1);
    crypto_generichash_update(&st, (const uint8_t *)val, strlen(val));
    crypto_generichash_final(&st, h, HL_HASH_LEN);
}

void jn_seal_text(const char *owner, uint64_t n, const uint8_t h[HL_HASH_LEN], uint8_t *out,
                  size_t *len)
{
    static const char TAG[] = "cairn-journal-seal-v1";
    size_t k = 0, on = strnlen(owner, HL_NAME_MAX);
    memcpy(out, TAG, sizeof TAG - 1);
    k += sizeof TAG - 1;
    memcpy(out + k, owner, on);
    k += on;
    out[k++] = 0;
    put_be64(out + k, n);
    k += 8;
    memcpy(out + k, h, HL_HASH_LEN);
    *len = k + HL_HASH_LEN;
}

static int meta_get(struct hl_journal *j, const char *key, void *out, size_t cap, size_t *len);
static int meta_put(struct hl_journal *j, const char *key, const void *v, size_t len);

/* Note that (dir, peer) got message seq in this transaction. */
static int span_note(struct hl_journal *j, enum hl_dir dir, const char *peer, uint64_t seq)
{
    for (size_t i = 0; i < j->nspans; i++)
        if (j->spans[i].dir == (int)dir && !strcmp(j->spans[i].peer, peer)) {
            if (seq < j->spans[i].first)
                j->spans[i].first = seq;
            return 0;
        }
    int rc = GROW_ARRAY(&j->spans, &j->capspans, j->nspans + 1, 4);
    if (rc)
        return rc;
    struct jn_span *sp = &j->spans[j->nspans++];
    sp->dir = (int)dir;
    snprintf(sp->peer, sizeof sp->peer, "%s", peer);
    sp->first = seq;
    return 0;
}

/* Append a growing text. */
struct sbuf {
    char *p;
    size_t len, cap;
    bool oom;
};

static void sb_add(struct sbuf *b, bool comma, long long v)
{
    char t[32];
    int n = snprintf(t, sizeof t, comma ? ",%lld" : "%lld", v);
    if (b->oom || n < 0)
        return;
    if (GROW_ARRAY(&b->p, &b->cap, b->len + (size_t)n + 1, 256)) {
        b->oom = true;
        return;
    }
    memcpy(b->p + b->len, t, (size_t)n + 1);
    b->len += (size_t)n;
}

/* One span record for the rows of (dir, peer) from seq first on (J9). */
static int span_record(struct hl_journal *j, const struct jn_span *sp, struct sbuf *val)
{
    sqlite3_stmt *s = jn_stmt(j, S_SPAN_ROWS,
                              "SELECT seq, stored_ms, hash FROM messages WHERE dir=? AND peer=? "
                              "AND seq>=? ORDER BY seq");
    if (!s)
        return jn_sqlerr(j, sqlite3_errcode(j->db));
    sqlite3_bind_int(s, 1, sp->dir);
    sqlite3_bind_text(s, 2, sp->peer, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, (sqlite3_int64)sp->first);
    uint64_t first = 0, last = 0;
    uint8_t hash[HL_HASH_LEN] = {0};
    val->len = 0;
    val->oom = false;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        uint64_t seq = (uint64_t)sqlite3_column_int64(s, 0);
        if (!first)
            first = seq;
        else if (seq != last + 1)
            break; /* not ours to vouch for: the audit names the gap */
        last = seq;
        sb_add(val, first != seq, (long long)sqlite3_column_int64(s, 1));
        memset(hash, 0, sizeof hash);
        if (sqlite3_column_bytes(s, 2) == HL_HASH_LEN)
            memcpy(hash, sqlite3_column_blob(s, 2), HL_HASH_LEN);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return jn_sqlerr(j, rc);
    if (!first)
        return 0; /* its unit was rolled back */
    if (val->oom)
        return CAIRN_E_NOMEM;
    char key[2 + HL_NAME_MAX + 24], head[2 * HL_HASH_LEN + 24];
    snprintf(key, sizeof key, "%d/%s/%llu", sp->dir, sp->peer, (unsigned long long)last);
    sodium_bin2hex(head, 2 * HL_HASH_LEN + 1, hash, HL_HASH_LEN);
    for (char *c = head; *c; c++)
        if (*c >= 'a' && *c <= 'f')
            *c = (char)(*c - 'a' + 'A'); /* as SQL hex() */
    snprintf(head + 2 * HL_HASH_LEN, sizeof head - 2 * HL_HASH_LEN, "/%llu/",
             (unsigned long long)first);
    s = jn_stmt(j, S_SPAN_INS,
                "INSERT INTO ledger(kind, key, val) VALUES('" JN_SPAN_KIND "', ?, ?||?)");
    if (!s)
        return jn_sqlerr(j, sqlite3_errcode(j->db));
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, head, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, val->p, (int)val->len, SQLITE_STATIC);
    return step_done(j, s);
}

int jn_seal(struct hl_journal *j)
{
    uint8_t seal[JN_SEAL_LEN], h[HL_HASH_LEN];
    size_t len = 0;
    uint64_t n = 0;
    int rc = 0;
    if (j->nspans) {
        struct sbuf val = {0};
        for (size_t i = 0; i < j->nspans && rc == 0; i++)
            rc = span_record(j, &j->spans[i], &val);
        free(val.p);
        if (rc)
            return rc;
        j->nspans = 0;
    }
    rc = meta_get(j, "seal", seal, sizeof seal, &len);
    bool have = rc == 0 && len == JN_SEAL_LEN;
    if (have) {
        for (int i = 0; i < 8; i++)
            n = n << 8 | seal[i];
        memcpy(h, seal + 8, HL_HASH_LEN);
    } else if (rc == 0 || rc == CAIRN_E_NOTFOUND) {
        memset(h, 0, sizeof h);
    } else {
        return rc;
    }
    sqlite3_stmt *s =
        jn_stmt(j, S_LEDGER_NEW, "SELECT n, kind, key, val FROM ledger WHERE n>? ORDER BY n");
    if (!s)
        return jn_sqlerr(j, sqlite3_errcode(j->db));
    sqlite3_bind_int64(s, 1, (sqlite3_int64)n);
    uint64_t last = n;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        uint64_t k = (uint64_t)sqlite3_column_int64(s, 0);
        const unsigned char *kind = sqlite3_column_text(s, 1), *key = sqlite3_column_text(s, 2),
                            *val = sqlite3_column_text(s, 3);
        if (k != last + 1 || !kind || !key || !val) {
            sqlite3_reset(s);
            log_err(MOD, "journal ledger damaged at entry %llu: not sealing",
                    (unsigned long long)k);
            j->st.db_errors++;
            return CAIRN_E_DB;
        }
        jn_ledger_link(h, k, (const char *)kind, (const char *)key, (const char *)val);
        last = k;
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return jn_sqlerr(j, rc);
    if (last == n && have)
        return 0; /* nothing new: the seal stands */
    uint8_t text[JN_SEAL_TEXT_MAX];
    size_t tl;
    jn_seal_text(j->self->name, last, h, text, &tl);
    put_be64(seal, last);
    memcpy(seal + 8, h, HL_HASH_LEN);
    crypto_sign_detached(seal + 8 + HL_HASH_LEN, NULL, text, tl, j->self->sign_sk);
    return meta_put(j, "seal", seal, sizeof seal);
}

/* ---- open / close ---------------------------------------------------------- */

static int meta_get(struct hl_journal *j, const char *key, void *out, size_t cap, size_t *len)
{
    sqlite3_stmt *s = jn_stmt(j, S_META_GET, "SELECT value FROM meta WHERE key=?");
    if (!s)
        return jn_sqlerr(j, sqlite3_errcode(j->db));
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        size_t n = (size_t)sqlite3_column_bytes(s, 0);
        if (n > cap)
            n = cap;
        memcpy(out, sqlite3_column_blob(s, 0), n);
        *len = n;
        rc = 0;
    } else {
        rc = rc == SQLITE_DONE ? CAIRN_E_NOTFOUND : jn_sqlerr(j, rc);
    }
    sqlite3_reset(s);
    return rc;
}

static int meta_put(struct hl_journal *j, const char *key, const void *v, size_t len)
{
    sqlite3_stmt *s =
        jn_stmt(j, S_META_PUT, "INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)");
    if (!s)
        return jn_sqlerr(j, sqlite3_errcode(j->db));
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_blob(s, 2, v, (int)len, SQLITE_STATIC);
    return step_done(j, s);
}

int hl_journal_open(const char *path, const struct hl_identity *self,
                    const struct hl_roster *roster, struct hl_journal **out)
{
    return hl_journal_open_ex(path, self, roster, HL_JOURNAL_MAY_CREATE, out);
}

/* Does the file hold a cairn journal (its meta table)? 1, 0, or an error. */
static int journal_initialised(struct hl_journal *j)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(j->db,
                           "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='meta'",
                           -1, &s, NULL) != SQLITE_OK)
        return jn_sqlerr(j, sqlite3_errcode(j->db));
    int rc = sqlite3_step(s);
    rc = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) > 0 : jn_sqlerr(j, rc);
    sqlite3_finalize(s);
    return rc;
}

/* Every direction of the messages table becomes a span from seq 1. */
static int adopt_spans(struct hl_journal *j)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(j->db, "SELECT DISTINCT dir, peer FROM messages", -1, &s, NULL) !=
        SQLITE_OK)
        return jn_sqlerr(j, sqlite3_errcode(j->db));
    int rc, r2 = 0;
    while (r2 == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        const unsigned char *peer = sqlite3_column_text(s, 1);
        r2 = span_note(j, (enum hl_dir)sqlite3_column_int(s, 0), peer ? (const char *)peer : "", 1);
    }
    if (r2 == 0 && rc != SQLITE_DONE)
        r2 = jn_sqlerr(j, rc);
    sqlite3_finalize(s);
    return r2;
}

int hl_journal_open_ex(const char *path, const struct hl_identity *self,
                       const struct hl_roster *roster, unsigned flags, struct hl_journal **out)
{
    *out = NULL;
    bool may_create = (flags & (HL_JOURNAL_MAY_CREATE | HL_JOURNAL_MUST_CREATE)) != 0;
    if (sodium_init() < 0)
        return CAIRN_E_STATE;
    const struct hl_centre *me = hl_roster_find(roster, self->name);
    if (!me)
        return CAIRN_E_ROSTER;
    if (memcmp(me->sign_pk, self->sign_pk, HL_PK_LEN) != 0)
        return CAIRN_E_ROSTER; /* our roster entry is not our key */
    struct hl_journal *j = calloc(1, sizeof *j);
    if (!j)
        return CAIRN_E_NOMEM;
    j->self = self;
    j->roster = roster;
    int rc;
    int oflags = SQLITE_OPEN_READWRITE | (may_create ? SQLITE_OPEN_CREATE : 0);
    if (sqlite3_open_v2(path, &j->db, oflags, NULL) != SQLITE_OK) {
        rc = may_create ? CAIRN_E_DB : CAIRN_E_NOTFOUND;
        goto fail;
    }
    sqlite3_extended_result_codes(j->db, 1);
    /* Explicit creation (J8): a missing, empty (0-byte) or uninitialised
     * file is a lost journal unless the caller asked to create one. Checked
     * before the pragmas, which would write a header into an empty file. */
    rc = journal_initialised(j);
    if (rc < 0)
        goto fail;
    if (rc == 0 && !may_create) {
        rc = CAIRN_E_NOTFOUND;
        goto fail;
    }
    bool existed = rc == 1;
    /* busy_timeout: a second handle (CLI against the daemon's file) waits
     * up to 5 s for the writer rather than failing at once. */
    sqlite3_busy_timeout(j->db, 5000);
    if ((rc = jn_exec(j, "PRAGMA journal_mode=WAL")) ||
        (rc = jn_exec(j, "PRAGMA synchronous=FULL")) ||
        (rc = jn_exec(j, "PRAGMA foreign_keys=OFF")) || (rc = jn_exec(j, "BEGIN IMMEDIATE")))
        goto fail;
    if ((rc = jn_exec(j, SCHEMA)))
        goto fail_tx;
    for (size_t i = 0; i < sizeof LEDGER_SQL / sizeof LEDGER_SQL[0]; i++)
        if ((rc = jn_exec(j, LEDGER_SQL[i])))
            goto fail_tx;
    char name[HL_NAME_MAX + 1] = "";
    size_t n = 0;
    rc = meta_get(j, "self", name, HL_NAME_MAX, &n);
    if (rc == CAIRN_E_NOTFOUND && existed && !may_create) {
        rc = CAIRN_E_NOTFOUND; /* tables without an owner: not a journal we made */
        goto fail_tx;
    }
    if (rc == 0 && (flags & HL_JOURNAL_MUST_CREATE)) {
        rc = CAIRN_E_EXISTS;
        goto fail_tx;
    }
    bool created = false;
    if (rc == CAIRN_E_NOTFOUND) {
        created = true;
        if ((rc = meta_put(j, "self", self->name, strlen(self->name))) ||
            (rc = meta_put(j, "self_pk", self->sign_pk, HL_PK_LEN)) ||
            (rc = meta_put(j, "schema", "3", 1)))
            goto fail_tx;
    } else if (rc) {
        goto fail_tx;
    } else {
        name[n] = 0;
        uint8_t pk[HL_PK_LEN];
        if (strcmp(name, self->name) != 0 || meta_get(j, "self_pk", pk, HL_PK_LEN, &n) ||
            n != HL_PK_LEN || memcmp(pk, self->sign_pk, HL_PK_LEN) != 0) {
            log_err(MOD, "journal %s belongs to centre '%s', not '%s' (or its key changed)", path,
                    name, self->name);
            rc = CAIRN_E_STATE;
            goto fail_tx;
        }
    }
    uint8_t seal[JN_SEAL_LEN];
    size_t sl;
    rc = meta_get(j, "seal", seal, sizeof seal, &sl);
    if (rc == CAIRN_E_NOTFOUND) {
        rc = 0;
        for (size_t i = 0; i < sizeof ADOPT / sizeof ADOPT[0] && rc == 0; i++)
            rc = jn_exec(j, ADOPT[i]);
    }
    /* Messages stored before schema 3 (unsealed, or sealed row by row) are
     * adopted as one span per direction. */
    char ver[8] = "";
    size_t vl = 0;
    if (rc == 0 && !created &&
        (meta_get(j, "schema", ver, sizeof ver - 1, &vl) || vl != 1 || ver[0] != '3'))
        rc = adopt_spans(j);
    if (rc || (rc = jn_seal(j)) || (rc = meta_put(j, "schema", "3", 1)))
        goto fail_tx;
    if ((rc = jn_exec(j, "COMMIT")))
        goto fail;
    /* A new journal's schema and owner go into the main file at once, so
     * that losing the WAL later (a restore from an older copy) still leaves
     * a journal that opens and is recognised as rolled back, not as new. */
    if (created)
        jn_exec(j, "PRAGMA wal_checkpoint(TRUNCATE)");
    *out = j;
    return 0;
fail_tx:
    jn_exec(j, "ROLLBACK");
fail:
    hl_journal_close(j);
    return rc;
}

void hl_journal_close(struct hl_journal *j)
{
    if (!j)
        return;
    if (j->batch)
        hl_journal_rollback(j);
    for (int i = 0; i < JN_NSTMT; i++)
        sqlite3_finalize(j->stmts[i]);
    free(j->spans);
    sqlite3_close(j->db);
    free(j);
}

const struct hl_journal_stats *hl_journal_stats(const struct hl_journal *j)
{
    return &j->st;
}

struct sqlite3 *hl_journal_db(struct hl_journal *j)
{
    return j->db;
}

const char *hl_journal_self(const struct hl_journal *j)
{
    return j->self->name;
}

void hl_journal_set_deadline(struct hl_journal *j, enum hl_type t, int64_t ms)
{
    if ((int)t > HL_T_NONE && (int)t < HL_T__COUNT)
        j->deadline_ms[t] = ms > 0 ? ms : 0;
}

int64_t hl_journal_deadline(const struct hl_journal *j, enum hl_type t)
{
    const struct hl_type_spec *ts = hl_catalogue_get(t);
    if (!ts)
        return 0;
    return j->deadline_ms[t] > 0 ? j->deadline_ms[t] : ts->deadline_ms;
}

/* ---- batches ------------------------------------------------------------- */

int hl_journal_begin(struct hl_journal *j)
{
    if (j->batch)
        return CAIRN_E_STATE;
    j->nspans = 0;
    int rc = run(j, S_BEGIN, "BEGIN IMMEDIATE");
    if (rc)
        return rc;
    j->batch = true;
    j->poisoned = false;
    return 0;
}

int hl_journal_commit(struct hl_journal *j)
{
    if (!j->batch)
        return CAIRN_E_STATE;
    j->batch = false;
    if (j->poisoned) {
        j->poisoned = false;
        if (!sqlite3_get_autocommit(j->db))
            run(j, S_ROLLBACK, "ROLLBACK");
        return CAIRN_E_NOSPACE;
    }
    int rc = jn_seal(j);
    if (rc == 0)
        rc = run(j, S_COMMIT, "COMMIT");
    if (rc && !sqlite3_get_autocommit(j->db))
        run(j, S_ROLLBACK, "ROLLBACK");
    if (rc == 0 && j->on_commit)
        j->on_commit(j->on_commit_ctx);
    return rc;
}

void hl_journal_set_commit_hook(struct hl_journal *j, hl_commit_cb cb, void *ctx)
{
    j->on_commit = cb;
    j->on_commit_ctx = ctx;
}

void hl_journal_rollback(struct hl_journal *j)
{
    if (!j->batch)
        return;
    j->batch = false;
    j->poisoned = false;
    if (!sqlite3_get_autocommit(j->db))
        run(j, S_ROLLBACK, "ROLLBACK");
}

bool hl_journal_in_batch(const struct hl_journal *j)
{
    return j->batch;
}

/* ---- reads ----------------------------------------------------------------- */

int hl_journal_head(struct hl_journal *j, enum hl_dir dir, const char *peer, uint64_t *count,
                    uint8_t hash[HL_HASH_LEN])
{
    sqlite3_stmt *s = jn_stmt(j, S_HEAD,
                              "SELECT seq, hash FROM messages WHERE dir=? AND peer=? "
                              "ORDER BY seq DESC LIMIT 1");
    if (!s)
        return jn_sqlerr(j, sqlite3_errcode(j->db));
    sqlite3_bind_int(s, 1, (int)dir);
    sqlite3_bind_text(s, 2, peer, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *count = (uint64_t)sqlite3_column_int64(s, 0);
        if (sqlite3_column_bytes(s, 1) == HL_HASH_LEN)
            memcpy(hash, sqlite3_column_blob(s, 1), HL_HASH_LEN);
        else
            memset(hash, 0, HL_HASH_LEN);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        *count = 0;
        memset(hash, 0, HL_HASH_LEN);
        rc = 0;
    } else {
        rc = jn_sqlerr(j, rc);
    }
    sqlite3_reset(s);
    return rc;
}

/* The stored hash of (dir, peer, seq): 0, CAIRN_E_NOTFOUND or a DB error. */
static int msg_hash_at(struct hl_journal *j, enum hl_dir dir, const char *peer, uint64_t seq,
                       uint8_t hash[HL_HASH_LEN], char *case_id)
{
    sqlite3_stmt *s = jn_stmt(
        j, S_GET_MSG, "SELECT hash, case_id FROM messages WHERE dir=? AND peer=? AND seq=?");
    if (!s)
        return jn_sqlerr(j, sqlite3_errcode(j->db));
    sqlite3_bind_int(s, 1, (int)dir);
    sqlite3_bind_text(s, 2, peer, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, (sqlite3_int64)seq);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        memset(hash, 0, HL_HASH_LEN);
        if (sqlite3_column_bytes(s, 0) == HL_HASH_LEN)
            memcpy(hash, sqlite3_column_blob(s, 0), HL_HASH_LEN);
        if (case_id) {
            const unsigned char *c = sqlite3_column_text(s, 1);
            snprintf(case_id, HL_CASE_MAX + 1, "%s", c ? (const char *)c : "");
        }
        rc = 0;
    } else {
        rc = rc == SQLITE_DONE ? CAIRN_E_NOTFOUND : jn_sqlerr(j, rc);
    }
    sqlite3_reset(s);
    return rc;
}

static int insert_msg(struct hl_journal *j, enum hl_dir dir, const char *peer,
                      const struct hl_msg *m, const uint8_t hash[HL_HASH_LEN], const uint8_t *raw,
                      size_t len, int64_t stored_ms)
{
    sqlite3_stmt *s = jn_stmt(j, S_INS_MSG,
                              "INSERT INTO messages(dir, peer, seq, hash, prev_hash, created_ms, "
                              "stored_ms, type, case_id, raw) VALUES(?,?,?,?,?,?,?,?,?,?)");
    if (!s)
        return jn_sqlerr(j, sqlite3_errcode(j->db));
    sqlite3_bind_int(s, 1, (int)dir);
    sqlite3_bind_text(s, 2, peer, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, (sqlite3_int64)m->seq);
    sqlite3_bind_blob(s, 4, hash, HL_HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_blob(s, 5, m->prev_hash, HL_HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_int64(s, 6, m->created_utc_ms);
    sqlite3_bind_int64(s, 7, stored_ms);
    sqlite3_bind_text(s, 8, hl_type_name(m->type), -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 9, m->case_id, -1, SQLITE_STATIC);
    sqlite3_bind_blob(s, 10, raw, (int)len, SQLITE_STATIC);
    int rc = step_done(j, s);
    return rc ? rc : span_note(j, dir, peer, m->seq);
}

static int insert_rcpt(struct hl_journal *j, enum hl_dir dir, const char *peer, uint64_t seq,
                       const struct hl_receipt *r, int64_t stored_ms)
{
    uint8_t raw[HL_RECEIPT_LEN_MAX];
    int n = hl_receipt_encode(r, raw, sizeof raw);
    if (n < 0)
        return n;
    sqlite3_stmt *s = jn_stmt(j, S_INS_RCPT,
                              "INSERT INTO receipts(dir, peer, seq, raw, stored_ms) "
                              "VALUES(?,?,?,?,?)");
    if (!s)
        return jn_sqlerr(j, sqlite3_errcode(j->db));
    sqlite3_bind_int(s, 1, (int)dir);
    sqlite3_bind_text(s, 2, peer, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, (sqlite3_int64)seq);
    sqlite3_bind_blob(s, 4, raw, n, SQLITE_STATIC);
    sqlite3_bind_int64(s, 5, stored_ms);
    return step_done(j, s);
}

/* The stored receipt of (dir, peer, seq): 0, CAIRN_E_NOTFOUND, DB error,
 * CAIRN_E_FORMAT (a corrupted row). */
static int get_rcpt(struct hl_journal *j, enum hl_dir dir, const char *peer, uint64_t seq,
                    struct hl_receipt *r)
{
    sqlite3_stmt *s =
        jn_stmt(j, S_GET_RCPT, "SELECT raw FROM receipts WHERE dir=? AND peer=? AND seq=?");
    if (!s)
        return jn_sqlerr(j, sqlite3_errcode(j->db));
    sqlite3_bind_int(s, 1, (int)dir);
    sqlite3_bind_text(s, 2, peer, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, (sqlite3_int64)seq);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        rc = hl_receipt_decode(r, sqlite3_column_blob(s, 0), (size_t)sqlite3_column_bytes(s, 0));
    else
        rc = rc == SQLITE_DONE ? CAIRN_E_NOTFOUND : jn_sqlerr(j, rc);
    sqlite3_reset(s);
    return rc;
}

/* The earliest stored receipt of direction (dir, peer) with seq >= seq: it
 * covers message seq. 0, CAIRN_E_NOTFOUND, DB error, CAIRN_E_FORMAT. */
static int get_cover_rcpt(struct hl_journal *j, enum hl_dir dir, const char *peer, uint64_t seq,
                          struct hl_receipt *r)
{
    sqlite3_stmt *s = jn_stmt(j, S_COVER_RCPT,
                              "SELECT raw FROM receipts WHERE dir=? AND peer=? AND seq>=? "
                              "ORDER BY seq LIMIT 1");
    if (!s)
        return jn_sqlerr(j, sqlite3_errcode(j->db));
    sqlite3_bind_int(s, 1, (int)dir);
    sqlite3_bind_text(s, 2, peer, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, (sqlite3_int64)seq);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        rc = hl_receipt_decode(r, sqlite3_column_blob(s, 0), (size_t)sqlite3_column_bytes(s, 0));
    else
        rc = rc == SQLITE_DONE ? CAIRN_E_NOTFOUND : jn_sqlerr(j, rc);
    sqlite3_reset(s);
    return rc;
}

/* Sign and store our receipt for incoming message (peer, seq, hash). */
static int issue_rcpt(struct hl_journal *j, const char *peer, uint64_t seq,
                      const uint8_t hash[HL_HASH_LEN], int64_t now_ms, struct hl_receipt *r)
{
    memset(r, 0, sizeof *r);
    snprintf(r->from, sizeof r->from, "%s", peer);
    snprintf(r->to, sizeof r->to, "%s", j->self->name);
    r->seq = seq;
    memcpy(r->msg_hash, hash, HL_HASH_LEN);
    r->stored_utc_ms = now_ms;
    int rc = hl_receipt_sign(r, j->self->sign_sk);
    if (rc)
        return rc;
    return insert_rcpt(j, HL_DIR_IN, peer, seq, r, now_ms);
}

/* ---- sender side ---------------------------------------------------------------- */

/* Is t the reply type of some case-opening type (other than OPERATOR_ACK,
 * which may also acknowledge a message that opened no case)? */
static bool is_case_reply(enum hl_type t)
{
    if (t == HL_T_OPERATOR_ACK)
        return false;
    for (int k = 1; k < HL_T__COUNT; k++) {
        const struct hl_type_spec *ts = hl_catalogue_get((enum hl_type)k);
        if (ts->deadline_kind != HL_DL_NONE && ts->reply == t)
            return true;
    }
    return false;
}

int64_t hl_journal_append_outgoing(struct hl_journal *j, struct hl_msg *m, int64_t now_ms)
{
    const struct hl_type_spec *ts = hl_catalogue_get(m->type);
    if (!ts)
        return CAIRN_E_MSGTYPE;
    if (!hl_roster_find(j->roster, m->receiver) || !strcmp(m->receiver, j->self->name))
        return CAIRN_E_ROSTER;
    const char *bad = NULL;
    int rc = hl_catalogue_check(m, &bad);
    if (rc) {
        log_warn(MOD, "outgoing %s refused: field '%s' unknown, missing or invalid", ts->name,
                 bad ? bad : "?");
        return rc;
    }
    if (is_case_reply(m->type) && !m->case_id[0]) {
        log_warn(MOD, "outgoing %s refused: a reply must name its case", ts->name);
        return CAIRN_E_FIELD;
    }
    if ((rc = tx_begin(j)))
        return rc;
    uint64_t head;
    uint8_t head_hash[HL_HASH_LEN], hash[HL_HASH_LEN];
    uint8_t raw[HL_MSG_MAX_LEN];
    int n = 0;
    if ((rc = hl_journal_head(j, HL_DIR_OUT, m->receiver, &head, head_hash)))
        goto out;
    snprintf(m->sender, sizeof m->sender, "%s", j->self->name);
    m->seq = head + 1;
    memcpy(m->prev_hash, head_hash, HL_HASH_LEN);
    m->created_utc_ms = now_ms;
    if (ts->deadline_kind != HL_DL_NONE && !m->case_id[0]) {
        char cid[HL_NAME_MAX + 24];
        int cl = snprintf(cid, sizeof cid, "%s/%llu", j->self->name, (unsigned long long)m->seq);
        if (cl < 0 || (size_t)cl > HL_CASE_MAX) {
            rc = CAIRN_E_TOOBIG;
            goto out;
        }
        memcpy(m->case_id, cid, (size_t)cl + 1);
    }
    if ((rc = hl_msg_sign(m, j->self->sign_sk)))
        goto out;
    n = hl_msg_encode(m, raw, sizeof raw);
    if (n < 0) {
        rc = n;
        goto out;
    }
    hl_msg_hash_raw(raw, (size_t)n, hash);
    if ((rc = insert_msg(j, HL_DIR_OUT, m->receiver, m, hash, raw, (size_t)n, now_ms)))
        goto out;
    rc = cases_on_message(j, HL_DIR_OUT, m->receiver, m, now_ms);
out:
    rc = tx_end(j, rc);
    if (rc) {
        if (rc == CAIRN_E_NOSPACE)
            log_err(MOD, "journal full: outgoing %s to %s not stored", ts->name, m->receiver);
        return rc;
    }
    j->st.sent++;
    return (int64_t)m->seq;
}

/* Bind (peer, after_seq, max) to s, a query of (seq, raw) rows, and hand
 * each row to cb until it returns non-zero. The count of rows handed, or
 * the journal's error. */
static int raw_rows(struct hl_journal *j, sqlite3_stmt *s, const char *peer, uint64_t after_seq,
                    size_t max, hl_raw_cb cb, void *ctx)
{
    sqlite3_bind_text(s, 1, peer, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 2, (sqlite3_int64)after_seq);
    sqlite3_bind_int64(s, 3, max ? (sqlite3_int64)max : -1);
    int n = 0, rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        n++;
        if (cb(ctx, (uint64_t)sqlite3_column_int64(s, 0), sqlite3_column_blob(s, 1),
               (size_t)sqlite3_column_bytes(s, 1)))
            break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        sqlite3_reset(s);
        return jn_sqlerr(j, rc);
    }
    sqlite3_reset(s);
    return n;
}

int hl_journal_unreceipted(struct hl_journal *j, const char *peer, uint64_t after_seq, size_t max,
                           hl_raw_cb cb, void *ctx)
{
    sqlite3_stmt *s = jn_stmt(j, S_UNRCPT,
                              "SELECT m.seq, m.raw FROM messages m WHERE m.dir=0 AND m.peer=?1 "
                              "AND m.seq>?2 AND m.seq>(SELECT COALESCE(MAX(r.seq), 0) FROM "
                              "receipts r WHERE r.dir=0 AND r.peer=?1) ORDER BY m.seq LIMIT ?3");
    if (!s)
        return jn_sqlerr(j, sqlite3_errcode(j->db));
    return raw_rows(j, s, peer, after_seq, max, cb, ctx);
}

int hl_journal_outgoing(struct hl_journal *j, const char *peer, uint64_t after_seq, size_t max,
                        hl_raw_cb cb, void *ctx)
{
    sqlite3_stmt *s = jn_stmt(j, S_OUTGOING,
                              "SELECT seq, raw FROM messages WHERE dir=0 AND peer=?1 AND seq>?2 "
                              "ORDER BY seq LIMIT ?3");
    if (!s)
        return jn_sqlerr(j, sqlite3_errcode(j->db));
    return raw_rows(j, s, peer, after_seq, max, cb, ctx);
}

int hl_journal_delivered_upto(struct hl_journal *j, const char *peer, uint64_t *seq)
{
    /* receipts are cumulative: the highest receipted seq delivers all before it */
    sqlite3_stmt *s = jn_stmt(j, S_FIRST_UNRCPT,
                              "SELECT COALESCE(MAX(seq), 0) FROM receipts WHERE dir=0 AND peer=?");
    if (!s)
        return jn_sqlerr(j, sqlite3_errcode(j->db));
    sqlite3_bind_text(s, 1, peer, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *seq = (uint64_t)sqlite3_column_int64(s, 0);
        rc = 0;
    } else {
        rc = jn_sqlerr(j, rc);
    }
    sqlite3_reset(s);
    return rc;
}

int hl_journal_store_receipt_struct(struct hl_journal *j, const struct hl_receipt *r)
{
    const struct hl_centre *peer = hl_roster_find(j->roster, r->to);
    if (!peer || strcmp(r->from, j->self->name) != 0 || !strcmp(r->to, j->self->name)) {
        j->st.rej_receipt++;
        log_warn(MOD, "receipt refused: from %s to %s is not for us or not on the roster", r->to,
                 r->from);
        return CAIRN_E_ROSTER;
    }
    if (hl_receipt_verify(r, peer->sign_pk)) {
        j->st.rej_receipt++;
        log_warn(MOD, "receipt refused: %s seq %llu: signature invalid", r->to,
                 (unsigned long long)r->seq);
        return CAIRN_E_SIGNATURE;
    }
    int rc = tx_begin(j);
    if (rc)
        return rc;
    uint8_t hash[HL_HASH_LEN];
    struct hl_receipt old;
    rc = msg_hash_at(j, HL_DIR_OUT, r->to, r->seq, hash, NULL);
    if (rc == CAIRN_E_NOTFOUND) {
        rc = CAIRN_E_SEQUENCE;
    } else if (rc == 0 && sodium_memcmp(hash, r->msg_hash, HL_HASH_LEN) != 0) {
        rc = CAIRN_E_CHAIN;
    } else if (rc == 0) {
        int g = get_rcpt(j, HL_DIR_OUT, r->to, r->seq, &old);
        if (g == CAIRN_E_NOTFOUND)
            rc = insert_rcpt(j, HL_DIR_OUT, r->to, r->seq, r, r->stored_utc_ms);
        else if (g != 0 && g != CAIRN_E_FORMAT)
            rc = g;
        /* else: already delivered; the first receipt stands (idempotent) */
    }
    bool refused = rc == CAIRN_E_SEQUENCE || rc == CAIRN_E_CHAIN;
    rc = tx_end(j, rc);
    if (refused) {
        j->st.rej_receipt++;
        log_warn(MOD, "receipt refused: %s seq %llu: %s", r->to, (unsigned long long)r->seq,
                 cairn_strerror(rc));
    } else if (rc == 0) {
        j->st.receipts_stored++;
    }
    return rc;
}

int hl_journal_store_receipt(struct hl_journal *j, const uint8_t *raw, size_t len)
{
    struct hl_receipt r;
    if (hl_receipt_decode(&r, raw, len)) {
        j->st.rej_receipt++;
        return CAIRN_E_FORMAT;
    }
    return hl_journal_store_receipt_struct(j, &r);
}

/* ---- receiver side ---------------------------------------------------------------- */

static int refuse(struct hl_journal *j, int rc, const struct hl_msg *m, const char *detail)
{
    switch (rc) {
    case CAIRN_E_SIGNATURE:
        j->st.rej_signature++;
        break;
    case CAIRN_E_REPLAY:
        j->st.rej_replay++;
        break;
    case CAIRN_E_SEQUENCE:
        j->st.rej_sequence++;
        break;
    case CAIRN_E_CHAIN:
        j->st.rej_chain++;
        break;
    case CAIRN_E_ROSTER:
        j->st.rej_roster++;
        break;
    case CAIRN_E_MSGTYPE:
        j->st.rej_msgtype++;
        break;
    case CAIRN_E_FIELD:
        j->st.rej_field++;
        break;
    case CAIRN_E_NOSPACE:
    case CAIRN_E_DB:
    case CAIRN_E_NOMEM:
        break; /* counted in jn_sqlerr */
    case CAIRN_E_STATE:
        break; /* a void batch (full disk earlier in it), not the message */
    default:
        j->st.rej_format++;
        break;
    }
    if (m)
        log_warn(MOD, "incoming refused: %s from '%s' seq %llu: %s%s%s", hl_type_name(m->type),
                 m->sender, (unsigned long long)m->seq, cairn_strerror(rc), detail ? ": " : "",
                 detail ? detail : "");
    else
        log_warn(MOD, "incoming refused: %s%s%s", cairn_strerror(rc), detail ? ": " : "",
                 detail ? detail : "");
    return rc;
}

/* INCSEA / Vienna Document lead times: warn, count, still store (the notice
 * is late, not false). */
static void check_notice(struct hl_journal *j, const struct hl_msg *m)
{
    const struct hl_type_spec *ts = hl_catalogue_get(m->type);
    if (!ts->min_notice_ms)
        return;
    const struct hl_field *start = hl_msg_field(m, "start");
    if (start && start->kind == HL_KIND_INT && start->i - m->created_utc_ms < ts->min_notice_ms) {
        j->st.late_notices++;
        log_warn(MOD, "%s from %s seq %llu: late notice, %lld h ahead (at least %lld h expected)",
                 ts->name, m->sender, (unsigned long long)m->seq,
                 (long long)((start->i - m->created_utc_ms) / 3600000),
                 (long long)(ts->min_notice_ms / 3600000));
    }
}

/* An incoming OPERATOR_ACK records that the peer's operator read our message. */
static int record_peer_ack(struct hl_journal *j, const struct hl_msg *m, int64_t now_ms)
{
    if (m->type != HL_T_OPERATOR_ACK)
        return 0;
    const struct hl_field *f = hl_msg_field(m, "ack_seq");
    const struct hl_field *op = hl_msg_field(m, "operator");
    if (!f || !op)
        return 0;
    sqlite3_stmt *s = jn_stmt(j, S_INS_ACK,
                              "INSERT OR IGNORE INTO acks(dir, peer, seq, operator, acked_ms, "
                              "ack_seq) VALUES(?,?,?,?,?,?)");
    if (!s)
        return jn_sqlerr(j, sqlite3_errcode(j->db));
    sqlite3_bind_int(s, 1, HL_DIR_OUT);
    sqlite3_bind_text(s, 2, m->sender, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, f->i);
    sqlite3_bind_text(s, 4, hl_field_str(m, op), -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 5, now_ms);
    sqlite3_bind_int64(s, 6, (sqlite3_int64)m->seq);
    return step_done(j, s);
}

int hl_journal_accept_incoming(struct hl_journal *j, const uint8_t *raw, size_t len, int64_t now_ms,
                               struct hl_receipt *rcpt, struct hl_msg *m_out)
{
    return hl_journal_accept_incoming_ex(j, raw, len, now_ms, 0, rcpt, m_out);
}

int hl_journal_accept_incoming_ex(struct hl_journal *j, const uint8_t *raw, size_t len,
                                  int64_t now_ms, unsigned flags, struct hl_receipt *rcpt,
                                  struct hl_msg *m_out)
{
    bool want_rcpt = !(flags & HL_ACCEPT_NO_RECEIPT);
    struct hl_msg mbuf;
    struct hl_msg *m = m_out ? m_out : &mbuf;
    int rc = hl_msg_decode(m, raw, len);
    if (rc)
        return refuse(j, rc, NULL, rc == CAIRN_E_MSGTYPE ? "unknown type" : "undecodable");
    if (strcmp(m->receiver, j->self->name) != 0)
        return refuse(j, CAIRN_E_ROSTER, m, "not addressed to this centre");
    const struct hl_centre *peer = hl_roster_find(j->roster, m->sender);
    if (!peer || !strcmp(m->sender, j->self->name))
        return refuse(j, CAIRN_E_ROSTER, m, "sender not on the roster");
    const char *bad = NULL;
    if ((rc = hl_catalogue_check(m, &bad)))
        return refuse(j, rc, m, bad);
    /* decode accepted the bytes, so they are the canonical encoding: verify
     * and hash them as they are, without encoding again */
    if (hl_msg_verify_raw(raw, len, peer->sign_pk))
        return refuse(j, CAIRN_E_SIGNATURE, m, NULL);

    uint8_t hash[HL_HASH_LEN], head_hash[HL_HASH_LEN], old_hash[HL_HASH_LEN];
    hl_msg_hash_raw(raw, len, hash);
    if ((rc = tx_begin(j)))
        return rc;
    uint64_t head;
    struct hl_receipt r;
    bool dup = false;
    const char *detail = NULL;
    if ((rc = hl_journal_head(j, HL_DIR_IN, m->sender, &head, head_hash)))
        goto out;
    if (m->seq <= head) {
        if ((rc = msg_hash_at(j, HL_DIR_IN, m->sender, m->seq, old_hash, NULL)))
            goto out;
        if (sodium_memcmp(old_hash, hash, HL_HASH_LEN) != 0) {
            rc = CAIRN_E_REPLAY;
            detail = "a different message is stored at this seq";
            goto out;
        }
        dup = true;
        if (!want_rcpt)
            goto out;
        /* its own receipt, or the earliest later one (cumulative), or a new
         * one for the head when it was stored without a receipt */
        rc = get_rcpt(j, HL_DIR_IN, m->sender, m->seq, &r);
        if (rc == CAIRN_E_NOTFOUND)
            rc = get_cover_rcpt(j, HL_DIR_IN, m->sender, m->seq, &r);
        if (rc == CAIRN_E_NOTFOUND)
            rc = issue_rcpt(j, m->sender, head, head_hash, now_ms, &r);
        goto out;
    }
    if (m->seq != head + 1) {
        rc = CAIRN_E_SEQUENCE;
        detail = "gap";
        goto out;
    }
    if (sodium_memcmp(m->prev_hash, head_hash, HL_HASH_LEN) != 0) {
        rc = CAIRN_E_CHAIN;
        goto out;
    }
    /* J4: the message first, then the receipt, in one transaction. */
    if ((rc = insert_msg(j, HL_DIR_IN, m->sender, m, hash, raw, len, now_ms)))
        goto out;
    if ((rc = cases_on_message(j, HL_DIR_IN, m->sender, m, now_ms)) ||
        (rc = record_peer_ack(j, m, now_ms)))
        goto out;
    if (want_rcpt)
        rc = issue_rcpt(j, m->sender, m->seq, hash, now_ms, &r);
out:
    rc = tx_end(j, rc);
    if (rc) {
        if (rc == CAIRN_E_NOSPACE)
            log_err(MOD, "journal full: %s from %s seq %llu not stored, no receipt",
                    hl_type_name(m->type), m->sender, (unsigned long long)m->seq);
        return refuse(j, rc, m, detail);
    }
    if (want_rcpt)
        *rcpt = r;
    if (dup) {
        j->st.duplicates++;
        return HL_ACCEPT_DUP;
    }
    j->st.accepted++;
    check_notice(j, m);
    return HL_ACCEPT_NEW;
}

int hl_journal_receipt_upto(struct hl_journal *j, const char *peer, int64_t now_ms,
                            struct hl_receipt *out)
{
    if (!hl_roster_find(j->roster, peer) || !strcmp(peer, j->self->name))
        return CAIRN_E_ROSTER;
    int rc = tx_begin(j);
    if (rc)
        return rc;
    uint64_t head;
    uint8_t hash[HL_HASH_LEN];
    struct hl_receipt r;
    if ((rc = hl_journal_head(j, HL_DIR_IN, peer, &head, hash)))
        goto out;
    if (head == 0) {
        rc = CAIRN_E_STATE;
        goto out;
    }
    rc = get_rcpt(j, HL_DIR_IN, peer, head, &r);
    if (rc == CAIRN_E_NOTFOUND)
        rc = issue_rcpt(j, peer, head, hash, now_ms, &r);
out:
    rc = tx_end(j, rc);
    if (rc == 0)
        *out = r;
    return rc;
}

/* ---- checkpoints ---------------------------------------------------------------- */

static int store_ckpt(struct hl_journal *j, enum hl_dir dir, const char *peer,
                      const struct hl_checkpoint *c, int64_t now_ms)
{
    uint8_t raw[HL_CHECKPOINT_LEN_MAX];
    int n = hl_checkpoint_encode(c, raw, sizeof raw);
    if (n < 0)
        return n;
    sqlite3_stmt *s = jn_stmt(j, S_INS_CKPT,
                              "INSERT OR REPLACE INTO checkpoints(dir, peer, count, signer, raw, "
                              "countersigned, stored_ms) VALUES(?,?,?,?,?,?,?)");
    if (!s)
        return jn_sqlerr(j, sqlite3_errcode(j->db));
    sqlite3_bind_int(s, 1, (int)dir);
    sqlite3_bind_text(s, 2, peer, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, (sqlite3_int64)c->count);
    sqlite3_bind_text(s, 4, c->signer, -1, SQLITE_STATIC);
    sqlite3_bind_blob(s, 5, raw, n, SQLITE_STATIC);
    sqlite3_bind_int(s, 6, c->countersigner[0] ? 1 : 0);
    sqlite3_bind_int64(s, 7, now_ms);
    return step_done(j, s);
}

int hl_journal_checkpoint_make(struct hl_journal *j, enum hl_dir dir, const char *peer,
                               int64_t now_ms, struct hl_checkpoint *out)
{
    return hl_journal_checkpoint_make_at(j, dir, peer, 0, now_ms, out);
}

/* count 0 = the head (hl_journal_checkpoint_make). */
int hl_journal_checkpoint_make_at(struct hl_journal *j, enum hl_dir dir, const char *peer,
                                  uint64_t count, int64_t now_ms, struct hl_checkpoint *out)
{
    if (!hl_roster_find(j->roster, peer) || !strcmp(peer, j->self->name))
        return CAIRN_E_ROSTER;
    int rc = tx_begin(j);
    if (rc)
        return rc;
    struct hl_checkpoint c;
    memset(&c, 0, sizeof c);
    snprintf(c.from, sizeof c.from, "%s", dir == HL_DIR_OUT ? j->self->name : peer);
    snprintf(c.to, sizeof c.to, "%s", dir == HL_DIR_OUT ? peer : j->self->name);
    snprintf(c.signer, sizeof c.signer, "%s", j->self->name);
    c.made_utc_ms = now_ms;
    if ((rc = hl_journal_head(j, dir, peer, &c.count, c.head_hash)))
        goto out;
    if (c.count == 0) {
        rc = CAIRN_E_STATE;
        goto out;
    }
    if (count > c.count) {
        rc = CAIRN_E_RANGE;
        goto out;
    }
    if (count && count < c.count) {
        c.count = count;
        if ((rc = msg_hash_at(j, dir, peer, count, c.head_hash, NULL)))
            goto out;
    }
    if ((rc = hl_checkpoint_sign(&c, j->self->sign_sk)))
        goto out;
    rc = store_ckpt(j, dir, peer, &c, now_ms);
out:
    rc = tx_end(j, rc);
    if (rc == 0) {
        j->st.checkpoints++;
        *out = c;
    }
    return rc;
}

/* Which of our directions does c describe, and with which peer? */
static int ckpt_dir(struct hl_journal *j, const struct hl_checkpoint *c, enum hl_dir *dir,
                    const char **peer)
{
    if (!strcmp(c->from, j->self->name) && strcmp(c->to, j->self->name) != 0) {
        *dir = HL_DIR_OUT;
        *peer = c->to;
    } else if (!strcmp(c->to, j->self->name) && strcmp(c->from, j->self->name) != 0) {
        *dir = HL_DIR_IN;
        *peer = c->from;
    } else {
        return CAIRN_E_ROSTER;
    }
    return hl_roster_find(j->roster, *peer) ? 0 : CAIRN_E_ROSTER;
}

/* Does our journal hold message `count` of the direction with head_hash? */
static int ckpt_matches(struct hl_journal *j, enum hl_dir dir, const char *peer,
                        const struct hl_checkpoint *c)
{
    uint8_t h[HL_HASH_LEN];
    int rc = msg_hash_at(j, dir, peer, c->count, h, NULL);
    if (rc == CAIRN_E_NOTFOUND)
        return CAIRN_E_SEQUENCE;
    if (rc)
        return rc;
    return sodium_memcmp(h, c->head_hash, HL_HASH_LEN) == 0 ? 0 : CAIRN_E_CHAIN;
}

static int ckpt_refuse(struct hl_journal *j, const struct hl_checkpoint *c, int rc)
{
    if (rc == CAIRN_E_SEQUENCE) {
        /* not a refusal: we do not hold message `count` yet; try again later */
        log_debug(MOD, "checkpoint %s->%s #%llu by %s: not yet here", c->from, c->to,
                  (unsigned long long)c->count, c->signer);
    } else if (rc != CAIRN_E_NOSPACE && rc != CAIRN_E_DB) {
        j->st.rej_checkpoint++;
        log_warn(MOD, "checkpoint %s->%s #%llu by %s refused: %s%s", c->from, c->to,
                 (unsigned long long)c->count, c->signer, cairn_strerror(rc),
                 rc == CAIRN_E_CHAIN ? " (HISTORIES DIFFER)" : "");
    }
    return rc;
}

int hl_journal_checkpoint_countersign(struct hl_journal *j, struct hl_checkpoint *c)
{
    enum hl_dir dir;
    const char *peer;
    int rc = ckpt_dir(j, c, &dir, &peer);
    if (rc || strcmp(c->signer, peer) != 0)
        return ckpt_refuse(j, c, CAIRN_E_ROSTER);
    const struct hl_centre *pc = hl_roster_find(j->roster, peer);
    if (hl_checkpoint_verify(c, pc->sign_pk, NULL))
        return ckpt_refuse(j, c, CAIRN_E_SIGNATURE);
    if ((rc = tx_begin(j)))
        return rc;
    if ((rc = ckpt_matches(j, dir, peer, c)) == 0 &&
        (rc = hl_checkpoint_countersign_raw(c, j->self->name, j->self->sign_sk)) == 0)
        rc = store_ckpt(j, dir, peer, c, c->made_utc_ms);
    rc = tx_end(j, rc);
    if (rc)
        return ckpt_refuse(j, c, rc);
    j->st.checkpoints++;
    return 0;
}

int hl_journal_checkpoint_store(struct hl_journal *j, const struct hl_checkpoint *c)
{
    enum hl_dir dir;
    const char *peer;
    int rc = ckpt_dir(j, c, &dir, &peer);
    if (rc || strcmp(c->signer, j->self->name) != 0 || strcmp(c->countersigner, peer) != 0)
        return ckpt_refuse(j, c, CAIRN_E_ROSTER);
    const struct hl_centre *pc = hl_roster_find(j->roster, peer);
    if (hl_checkpoint_verify(c, j->self->sign_pk, pc->sign_pk))
        return ckpt_refuse(j, c, CAIRN_E_SIGNATURE);
    if ((rc = tx_begin(j)))
        return rc;
    if ((rc = ckpt_matches(j, dir, peer, c)) == 0)
        rc = store_ckpt(j, dir, peer, c, c->made_utc_ms);
    rc = tx_end(j, rc);
    if (rc)
        return ckpt_refuse(j, c, rc);
    j->st.checkpoints++;
    return 0;
}

int hl_journal_checkpoint_due(struct hl_journal *j, int64_t *due_ms)
{
    uint8_t b[8];
    size_t n = 0;
    *due_ms = 0;
    int rc = meta_get(j, "ckpt_due_ms", b, sizeof b, &n);
    if (rc == CAIRN_E_NOTFOUND)
        return 0;
    if (rc)
        return rc;
    if (n == 8) {
        uint64_t v = 0;
        for (int i = 0; i < 8; i++)
            v = v << 8 | b[i];
        *due_ms = (int64_t)v;
    }
    return 0;
}

int hl_journal_set_checkpoint_due(struct hl_journal *j, int64_t due_ms)
{
    uint8_t b[8];
    put_be64(b, (uint64_t)due_ms);
    int rc = tx_begin(j);
    if (rc)
        return rc;
    return tx_end(j, meta_put(j, "ckpt_due_ms", b, sizeof b));
}

/* ---- operator acknowledgements -------------------------------------------------- */

int64_t hl_journal_ack_operator(struct hl_journal *j, const char *peer, uint64_t seq,
                                const char *operator_name, int64_t now_ms)
{
    if (!operator_name || !operator_name[0])
        return CAIRN_E_INVAL;
    char case_id[HL_CASE_MAX + 1] = "";
    uint8_t h[HL_HASH_LEN];
    int rc = msg_hash_at(j, HL_DIR_IN, peer, seq, h, case_id);
    if (rc)
        return rc;
    sqlite3_stmt *s = jn_stmt(j, S_GET_ACK, "SELECT 1 FROM acks WHERE dir=1 AND peer=? AND seq=?");
    if (!s)
        return jn_sqlerr(j, sqlite3_errcode(j->db));
    sqlite3_bind_text(s, 1, peer, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, (sqlite3_int64)seq);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc == SQLITE_ROW)
        return CAIRN_E_EXISTS;
    if (rc != SQLITE_DONE)
        return jn_sqlerr(j, rc);

    /* The OPERATOR_ACK message and the local record in one unit: nest the
     * append's unit inside ours (savepoints nest; outside a batch we open a
     * batch-like transaction ourselves). */
    bool own = !j->batch;
    if (own && (rc = hl_journal_begin(j)))
        return rc;
    struct hl_msg *m = malloc(sizeof *m);
    int64_t ack_seq = CAIRN_E_NOMEM;
    if (m) {
        hl_msg_init(m, HL_T_OPERATOR_ACK);
        if ((rc = hl_msg_set_receiver(m, peer)) || (rc = hl_msg_set_case(m, case_id)) ||
            (rc = hl_msg_add_int(m, "ack_seq", (int64_t)seq)) ||
            (rc = hl_msg_add_str(m, "operator", operator_name)))
            ack_seq = rc;
        else
            ack_seq = hl_journal_append_outgoing(j, m, now_ms);
        free(m);
    }
    if (ack_seq > 0) {
        s = jn_stmt(j, S_INS_ACK,
                    "INSERT OR IGNORE INTO acks(dir, peer, seq, operator, acked_ms, ack_seq) "
                    "VALUES(?,?,?,?,?,?)");
        if (!s) {
            ack_seq = jn_sqlerr(j, sqlite3_errcode(j->db));
        } else {
            sqlite3_bind_int(s, 1, HL_DIR_IN);
            sqlite3_bind_text(s, 2, peer, -1, SQLITE_STATIC);
            sqlite3_bind_int64(s, 3, (sqlite3_int64)seq);
            sqlite3_bind_text(s, 4, operator_name, -1, SQLITE_STATIC);
            sqlite3_bind_int64(s, 5, now_ms);
            sqlite3_bind_int64(s, 6, ack_seq);
            rc = step_done(j, s);
            if (rc) {
                ack_seq = rc;
                if (rc == CAIRN_E_NOSPACE)
                    j->poisoned = true;
            }
        }
    }
    if (own) {
        if (ack_seq > 0) {
            rc = hl_journal_commit(j);
            if (rc)
                ack_seq = rc;
        } else {
            hl_journal_rollback(j);
        }
    }
    return ack_seq;
}

/* ---- list queries ----------------------------------------------------------- */

int hl_journal_list(struct hl_journal *j, const struct hl_msg_filter *f, hl_row_cb cb, void *ctx)
{
    static const char SQL[] =
        "SELECT * FROM (SELECT m.dir, m.peer, m.seq, m.created_ms, m.stored_ms, m.raw,"
        " (SELECT r.stored_ms FROM receipts r WHERE r.dir=m.dir AND r.peer=m.peer"
        "  AND r.seq>=m.seq ORDER BY r.seq LIMIT 1), a.operator"
        " FROM messages m"
        " LEFT JOIN acks a ON a.dir=m.dir AND a.peer=m.peer AND a.seq=m.seq"
        " WHERE (?1 IS NULL OR m.peer=?1) AND (?2 < 0 OR m.dir=?2)"
        " AND (?3 IS NULL OR m.type=?3) AND (?4 IS NULL OR m.case_id=?4)"
        " AND (?5 = 0 OR m.seq=?5) AND (?6 = 0 OR (m.dir=1 AND a.operator IS NULL))"
        " ORDER BY m.stored_ms DESC, m.dir DESC, m.seq DESC LIMIT ?7)"
        " ORDER BY 5, 1, 3";
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(j->db, SQL, -1, &s, NULL) != SQLITE_OK)
        return jn_sqlerr(j, sqlite3_errcode(j->db));
    struct hl_msg_filter none = {NULL, -1, HL_T_NONE, NULL, 0, false, 0};
    if (!f)
        f = &none;
    if (f->peer)
        sqlite3_bind_text(s, 1, f->peer, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 2, f->dir);
    if (f->type != HL_T_NONE)
        sqlite3_bind_text(s, 3, hl_type_name(f->type), -1, SQLITE_STATIC);
    if (f->case_id)
        sqlite3_bind_text(s, 4, f->case_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 5, (sqlite3_int64)f->seq);
    sqlite3_bind_int(s, 6, f->unacked_only ? 1 : 0);
    sqlite3_bind_int64(s, 7, f->limit ? (sqlite3_int64)f->limit : -1);
    struct hl_msg *m = malloc(sizeof *m);
    if (!m) {
        sqlite3_finalize(s);
        return CAIRN_E_NOMEM;
    }
    int n = 0, rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (hl_msg_decode(m, sqlite3_column_blob(s, 5), (size_t)sqlite3_column_bytes(s, 5)))
            continue; /* a corrupted row: audit verify names it */
        struct hl_msg_row row;
        row.dir = (enum hl_dir)sqlite3_column_int(s, 0);
        row.peer = (const char *)sqlite3_column_text(s, 1);
        row.seq = (uint64_t)sqlite3_column_int64(s, 2);
        row.created_utc_ms = sqlite3_column_int64(s, 3);
        row.stored_utc_ms = sqlite3_column_int64(s, 4);
        row.delivered = row.dir == HL_DIR_IN || sqlite3_column_type(s, 6) != SQLITE_NULL;
        row.delivered_utc_ms = sqlite3_column_int64(s, 6);
        row.acked = sqlite3_column_type(s, 7) != SQLITE_NULL;
        row.ack_by = row.acked ? (const char *)sqlite3_column_text(s, 7) : NULL;
        row.m = m;
        n++;
        if (cb(ctx, &row))
            break;
    }
    free(m);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        sqlite3_finalize(s);
        return jn_sqlerr(j, rc);
    }
    sqlite3_finalize(s);
    return n;
}
