/*
 * test_hl_journal.c — the hotline journal: sent/delivered, receipts, the
 * sequence and chain rules (gap, duplicate → same receipt forever,
 * different content → replay, reordered, broken chain), every refusal with
 * its counter, checkpoints and countersignatures, group commit, a full
 * database (PRAGMA max_page_count), audit verify naming the first tampered
 * row, and a journal reopened by the wrong centre.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "base/error.h"
#include "hl_fixture.h"
#include "hotline/audit.h"

static struct hl_msg m, m2;
static uint8_t raw[HL_MSG_MAX_LEN];

/* Append a FREE_TEXT from a to b, return its encoded length in raw. */
static int make_out(struct fx *f, const char *body, int64_t now)
{
    fx_free_text(&m, "MOSCOW-CC", body);
    int64_t seq = hl_journal_append_outgoing(f->ja, &m, now);
    assert_true(seq > 0);
    int n = hl_msg_encode(&m, raw, sizeof raw);
    assert_true(n > 0);
    return n;
}

static int count_cb(void *ctx, uint64_t seq, const uint8_t *r, size_t len)
{
    (void)r;
    (void)len;
    uint64_t *v = ctx;
    v[0]++;
    v[1] = seq;
    return 0;
}

static void test_send_receive_receipt(void **state)
{
    (void)state;
    struct fx f;
    assert_int_equal(fx_setup(&f), 0);
    struct hl_receipt r;
    for (int i = 0; i < 5; i++) {
        int n = make_out(&f, "проверка", FX_T0 + i);
        assert_true(m.seq == (uint64_t)i + 1);
        assert_string_equal(m.sender, "WARSAW-CC");
        assert_int_equal(hl_journal_accept_incoming(f.jb, raw, (size_t)n, FX_T0 + 10, &r, NULL),
                         HL_ACCEPT_NEW);
        assert_true(r.seq == m.seq);
        assert_string_equal(r.to, "MOSCOW-CC");
        assert_int_equal(hl_receipt_verify(&r, f.b.sign_pk), 0);
        if (i < 3)
            assert_int_equal(hl_journal_store_receipt_struct(f.ja, &r), 0);
    }
    /* 1..3 delivered, 4..5 sent only */
    uint64_t upto, v[2] = {0, 0};
    assert_int_equal(hl_journal_delivered_upto(f.ja, "MOSCOW-CC", &upto), 0);
    assert_true(upto == 3);
    assert_int_equal(hl_journal_unreceipted(f.ja, "MOSCOW-CC", 0, 0, count_cb, v), 2);
    assert_true(v[0] == 2 && v[1] == 5);
    v[0] = 0;
    assert_int_equal(hl_journal_unreceipted(f.ja, "MOSCOW-CC", 4, 0, count_cb, v), 1);
    v[0] = 0;
    assert_int_equal(hl_journal_unreceipted(f.ja, "MOSCOW-CC", 0, 1, count_cb, v), 1);
    assert_true(v[1] == 4);
    /* the receipt for 5 delivers 4 too (cumulative: B stored 5 only after 4);
     * a second identical receipt is a no-op */
    assert_int_equal(hl_journal_store_receipt_struct(f.ja, &r), 0);
    assert_int_equal(hl_journal_store_receipt_struct(f.ja, &r), 0);
    assert_int_equal(hl_journal_delivered_upto(f.ja, "MOSCOW-CC", &upto), 0);
    assert_true(upto == 5);
    v[0] = 0;
    assert_int_equal(hl_journal_unreceipted(f.ja, "MOSCOW-CC", 0, 0, count_cb, v), 0);
    uint64_t head;
    uint8_t h[HL_HASH_LEN];
    assert_int_equal(hl_journal_head(f.jb, HL_DIR_IN, "WARSAW-CC", &head, h), 0);
    assert_true(head == 5);
    assert_true(hl_journal_stats(f.ja)->sent == 5);
    assert_true(hl_journal_stats(f.jb)->accepted == 5);
    struct hl_audit_report rep;
    hl_journal_close(f.ja);
    hl_journal_close(f.jb);
    f.ja = f.jb = NULL;
    assert_int_equal(hl_audit_verify(f.path_a, &f.roster, &rep), 0);
    assert_true(rep.n_messages == 5 && rep.n_receipts == 4);
    assert_int_equal(hl_audit_verify(f.path_b, &f.roster, &rep), 0);
    assert_true(rep.n_messages == 5 && rep.n_receipts == 5);
    fx_teardown(&f);
}

static void test_duplicates_forever(void **state)
{
    (void)state;
    struct fx f;
    assert_int_equal(fx_setup(&f), 0);
    struct hl_receipt r1, r2;
    int n = make_out(&f, "one", FX_T0);
    assert_int_equal(hl_journal_accept_incoming(f.jb, raw, (size_t)n, FX_T0, &r1, NULL),
                     HL_ACCEPT_NEW);
    static uint8_t raw1[HL_MSG_MAX_LEN];
    memcpy(raw1, raw, (size_t)n);
    int n2 = make_out(&f, "two", FX_T0 + 1);
    uint8_t *raw2 = raw;
    assert_int_equal(hl_journal_accept_incoming(f.jb, raw2, (size_t)n2, FX_T0 + 1, &r2, NULL),
                     HL_ACCEPT_NEW);
    /* the first again, much later and after a restart: recognised, same receipt */
    hl_journal_close(f.jb);
    assert_int_equal(hl_journal_open(f.path_b, &f.b, &f.roster, &f.jb), 0);
    struct hl_receipt again;
    assert_int_equal(
        hl_journal_accept_incoming(f.jb, raw1, (size_t)n, FX_T0 + 86400000LL * 365, &again, NULL),
        HL_ACCEPT_DUP);
    assert_memory_equal(&again, &r1, sizeof r1);
    assert_true(hl_journal_stats(f.jb)->duplicates == 1);
    fx_teardown(&f);
}

static void test_replay_different_content(void **state)
{
    (void)state;
    struct fx f;
    assert_int_equal(fx_setup(&f), 0);
    struct hl_receipt r;
    int n = make_out(&f, "original", FX_T0);
    assert_int_equal(hl_journal_accept_incoming(f.jb, raw, (size_t)n, FX_T0, &r, NULL), 0);
    /* the same seq, other content, validly signed by the sender (a replay
     * from another history, or a sender that forked its journal) */
    m2 = m;
    hl_msg_add_str(&m2, "body", "altered");
    assert_int_equal(hl_msg_sign(&m2, f.a.sign_sk), 0);
    n = hl_msg_encode(&m2, raw, sizeof raw);
    assert_int_equal(hl_journal_accept_incoming(f.jb, raw, (size_t)n, FX_T0, &r, NULL),
                     CAIRN_E_REPLAY);
    assert_true(hl_journal_stats(f.jb)->rej_replay == 1);
    fx_teardown(&f);
}

static void test_gap_reorder_chain(void **state)
{
    (void)state;
    struct fx f;
    assert_int_equal(fx_setup(&f), 0);
    struct hl_receipt r;
    uint8_t raws[3][HL_MSG_MAX_LEN];
    int ns[3];
    for (int i = 0; i < 3; i++) {
        ns[i] = make_out(&f, "x", FX_T0 + i);
        memcpy(raws[i], raw, (size_t)ns[i]);
    }
    /* 2 before 1: a gap, refused; 3 too */
    assert_int_equal(hl_journal_accept_incoming(f.jb, raws[1], (size_t)ns[1], FX_T0, &r, NULL),
                     CAIRN_E_SEQUENCE);
    assert_int_equal(hl_journal_accept_incoming(f.jb, raws[2], (size_t)ns[2], FX_T0, &r, NULL),
                     CAIRN_E_SEQUENCE);
    /* then in order: all accepted */
    for (int i = 0; i < 3; i++)
        assert_int_equal(hl_journal_accept_incoming(f.jb, raws[i], (size_t)ns[i], FX_T0, &r, NULL),
                         0);
    assert_true(hl_journal_stats(f.jb)->rej_sequence == 2);
    /* seq 4 with a prev_hash that is not message 3's: chain broken */
    fx_free_text(&m2, "MOSCOW-CC", "forked");
    snprintf(m2.sender, sizeof m2.sender, "WARSAW-CC");
    m2.seq = 4;
    m2.created_utc_ms = FX_T0;
    memset(m2.prev_hash, 0x42, HL_HASH_LEN);
    hl_msg_sign(&m2, f.a.sign_sk);
    int n = hl_msg_encode(&m2, raw, sizeof raw);
    assert_int_equal(hl_journal_accept_incoming(f.jb, raw, (size_t)n, FX_T0, &r, NULL),
                     CAIRN_E_CHAIN);
    assert_true(hl_journal_stats(f.jb)->rej_chain == 1);
    fx_teardown(&f);
}

static void test_refusals_and_counters(void **state)
{
    (void)state;
    struct fx f;
    assert_int_equal(fx_setup(&f), 0);
    struct hl_receipt r;
    memset(&r, 0x5A, sizeof r);
    struct hl_receipt untouched = r;
    /* forged signature: flip one signature byte */
    int n = make_out(&f, "forge me", FX_T0);
    raw[n - 5] ^= 0x10;
    assert_int_equal(hl_journal_accept_incoming(f.jb, raw, (size_t)n, FX_T0, &r, NULL),
                     CAIRN_E_SIGNATURE);
    assert_memory_equal(&r, &untouched, sizeof r); /* no receipt */
    /* signed by the wrong key */
    fx_free_text(&m2, "MOSCOW-CC", "x");
    snprintf(m2.sender, sizeof m2.sender, "WARSAW-CC");
    m2.seq = 1;
    hl_msg_sign(&m2, f.x.sign_sk);
    n = hl_msg_encode(&m2, raw, sizeof raw);
    assert_int_equal(hl_journal_accept_incoming(f.jb, raw, (size_t)n, FX_T0, &r, NULL),
                     CAIRN_E_SIGNATURE);
    /* a centre not on the roster */
    snprintf(m2.sender, sizeof m2.sender, "INTRUDER");
    hl_msg_sign(&m2, f.x.sign_sk);
    n = hl_msg_encode(&m2, raw, sizeof raw);
    assert_int_equal(hl_journal_accept_incoming(f.jb, raw, (size_t)n, FX_T0, &r, NULL),
                     CAIRN_E_ROSTER);
    /* addressed to someone else */
    snprintf(m2.sender, sizeof m2.sender, "WARSAW-CC");
    snprintf(m2.receiver, sizeof m2.receiver, "ANKARA-LCU");
    hl_msg_sign(&m2, f.a.sign_sk);
    n = hl_msg_encode(&m2, raw, sizeof raw);
    assert_int_equal(hl_journal_accept_incoming(f.jb, raw, (size_t)n, FX_T0, &r, NULL),
                     CAIRN_E_ROSTER);
    /* an unknown field, validly signed */
    fx_free_text(&m2, "MOSCOW-CC", "x");
    snprintf(m2.sender, sizeof m2.sender, "WARSAW-CC");
    m2.seq = 1;
    hl_msg_add_str(&m2, "priority", "urgent");
    hl_msg_sign(&m2, f.a.sign_sk);
    n = hl_msg_encode(&m2, raw, sizeof raw);
    assert_int_equal(hl_journal_accept_incoming(f.jb, raw, (size_t)n, FX_T0, &r, NULL),
                     CAIRN_E_FIELD);
    /* an unknown type: patch the type name in the bytes */
    fx_free_text(&m2, "MOSCOW-CC", "x");
    snprintf(m2.sender, sizeof m2.sender, "WARSAW-CC");
    m2.seq = 1;
    hl_msg_sign(&m2, f.a.sign_sk);
    n = hl_msg_encode(&m2, raw, sizeof raw);
    uint8_t *p = NULL;
    for (int k = 0; k + 9 <= n && !p; k++)
        if (!memcmp(raw + k, "FREE_TEXT", 9))
            p = raw + k;
    assert_non_null(p);
    memcpy(p, "FREE_TEXX", 9);
    assert_int_equal(hl_journal_accept_incoming(f.jb, raw, (size_t)n, FX_T0, &r, NULL),
                     CAIRN_E_MSGTYPE);
    /* garbage and truncation */
    assert_true(hl_journal_accept_incoming(f.jb, raw, 10, FX_T0, &r, NULL) < 0);
    assert_true(hl_journal_accept_incoming(f.jb, (const uint8_t *)"", 0, FX_T0, &r, NULL) < 0);
    const struct hl_journal_stats *st = hl_journal_stats(f.jb);
    assert_true(st->rej_signature == 2);
    assert_true(st->rej_roster == 2);
    assert_true(st->rej_field == 1);
    assert_true(st->rej_msgtype == 1);
    assert_true(st->rej_format == 2);
    assert_true(st->accepted == 0);
    assert_memory_equal(&r, &untouched, sizeof r);
    uint64_t head;
    uint8_t h[HL_HASH_LEN];
    hl_journal_head(f.jb, HL_DIR_IN, "WARSAW-CC", &head, h);
    assert_true(head == 0);
    /* outgoing refusals */
    fx_free_text(&m2, "INTRUDER", "x");
    assert_int_equal(hl_journal_append_outgoing(f.ja, &m2, FX_T0), CAIRN_E_ROSTER);
    fx_free_text(&m2, "WARSAW-CC", "to myself");
    assert_int_equal(hl_journal_append_outgoing(f.ja, &m2, FX_T0), CAIRN_E_ROSTER);
    hl_msg_init(&m2, HL_T_FREE_TEXT);
    hl_msg_set_receiver(&m2, "MOSCOW-CC");
    assert_int_equal(hl_journal_append_outgoing(f.ja, &m2, FX_T0), CAIRN_E_FIELD);
    hl_msg_init(&m2, HL_T_EXPLANATION); /* a reply without its case */
    hl_msg_set_receiver(&m2, "MOSCOW-CC");
    hl_msg_add_str(&m2, "answer", "exercise");
    assert_int_equal(hl_journal_append_outgoing(f.ja, &m2, FX_T0), CAIRN_E_FIELD);
    fx_teardown(&f);
}

static void test_receipt_refusals(void **state)
{
    (void)state;
    struct fx f;
    assert_int_equal(fx_setup(&f), 0);
    struct hl_receipt r, bad;
    int n = make_out(&f, "x", FX_T0);
    assert_int_equal(hl_journal_accept_incoming(f.jb, raw, (size_t)n, FX_T0, &r, NULL), 0);
    bad = r;
    bad.sig[3] ^= 1;
    assert_int_equal(hl_journal_store_receipt_struct(f.ja, &bad), CAIRN_E_SIGNATURE);
    bad = r;
    bad.seq = 9;
    hl_receipt_sign(&bad, f.b.sign_sk);
    assert_int_equal(hl_journal_store_receipt_struct(f.ja, &bad), CAIRN_E_SEQUENCE);
    bad = r;
    bad.msg_hash[0] ^= 1;
    hl_receipt_sign(&bad, f.b.sign_sk);
    assert_int_equal(hl_journal_store_receipt_struct(f.ja, &bad), CAIRN_E_CHAIN);
    bad = r;
    snprintf(bad.to, sizeof bad.to, "INTRUDER");
    hl_receipt_sign(&bad, f.x.sign_sk);
    assert_int_equal(hl_journal_store_receipt_struct(f.ja, &bad), CAIRN_E_ROSTER);
    assert_int_equal(hl_journal_store_receipt(f.ja, raw, 7), CAIRN_E_FORMAT);
    assert_true(hl_journal_stats(f.ja)->rej_receipt == 5);
    uint8_t rb[HL_RECEIPT_LEN_MAX];
    int rn = hl_receipt_encode(&r, rb, sizeof rb);
    assert_int_equal(hl_journal_store_receipt(f.ja, rb, (size_t)rn), 0);
    assert_true(hl_journal_stats(f.ja)->receipts_stored == 1);
    fx_teardown(&f);
}

static void test_checkpoints(void **state)
{
    (void)state;
    struct fx f;
    assert_int_equal(fx_setup(&f), 0);
    struct hl_receipt r;
    struct hl_checkpoint c;
    assert_int_equal(hl_journal_checkpoint_make(f.ja, HL_DIR_OUT, "MOSCOW-CC", FX_T0, &c),
                     CAIRN_E_STATE); /* nothing to checkpoint yet */
    for (int i = 0; i < 4; i++) {
        int n = make_out(&f, "x", FX_T0 + i);
        assert_int_equal(hl_journal_accept_incoming(f.jb, raw, (size_t)n, FX_T0, &r, NULL), 0);
        assert_int_equal(hl_journal_store_receipt_struct(f.ja, &r), 0);
    }
    /* A signs its out head; B countersigns; A stores */
    assert_int_equal(hl_journal_checkpoint_make(f.ja, HL_DIR_OUT, "MOSCOW-CC", FX_T0, &c), 0);
    assert_true(c.count == 4);
    assert_string_equal(c.signer, "WARSAW-CC");
    assert_int_equal(hl_journal_checkpoint_countersign(f.jb, &c), 0);
    assert_string_equal(c.countersigner, "MOSCOW-CC");
    assert_int_equal(hl_checkpoint_verify(&c, f.a.sign_pk, f.b.sign_pk), 0);
    assert_int_equal(hl_journal_checkpoint_store(f.ja, &c), 0);
    /* B signs its in head (same direction, its view); A countersigns */
    struct hl_checkpoint c2;
    assert_int_equal(hl_journal_checkpoint_make(f.jb, HL_DIR_IN, "WARSAW-CC", FX_T0, &c2), 0);
    assert_int_equal(hl_journal_checkpoint_countersign(f.ja, &c2), 0);
    assert_int_equal(hl_journal_checkpoint_store(f.jb, &c2), 0);
    /* refusals: a forged countersignature, a head B does not have, a different history */
    struct hl_checkpoint bad = c;
    bad.countersig[0] ^= 1;
    assert_int_equal(hl_journal_checkpoint_store(f.ja, &bad), CAIRN_E_SIGNATURE);
    make_out(&f, "not yet delivered", FX_T0 + 9);
    assert_int_equal(hl_journal_checkpoint_make(f.ja, HL_DIR_OUT, "MOSCOW-CC", FX_T0, &bad), 0);
    assert_int_equal(hl_journal_checkpoint_countersign(f.jb, &bad), CAIRN_E_SEQUENCE);
    bad = c;
    memset(bad.countersigner, 0, sizeof bad.countersigner);
    bad.head_hash[5] ^= 1;
    hl_checkpoint_sign(&bad, f.a.sign_sk);
    assert_int_equal(hl_journal_checkpoint_countersign(f.jb, &bad), CAIRN_E_CHAIN);
    assert_true(hl_journal_stats(f.jb)->rej_checkpoint == 1); /* "not yet" is no refusal */
    /* a checkpoint at the delivered head instead: B has it */
    uint64_t upto;
    assert_int_equal(hl_journal_delivered_upto(f.ja, "MOSCOW-CC", &upto), 0);
    assert_true(upto == 4);
    assert_int_equal(hl_journal_checkpoint_make_at(f.ja, HL_DIR_OUT, "MOSCOW-CC", 99, FX_T0, &bad),
                     CAIRN_E_RANGE);
    struct hl_checkpoint at;
    assert_int_equal(
        hl_journal_checkpoint_make_at(f.ja, HL_DIR_OUT, "MOSCOW-CC", upto - 1, FX_T0, &at), 0);
    assert_true(at.count == 3);
    assert_int_equal(hl_journal_checkpoint_countersign(f.jb, &at), 0);
    assert_int_equal(hl_journal_checkpoint_store(f.ja, &at), 0);
    /* signed by someone else */
    bad = c;
    memset(bad.countersigner, 0, sizeof bad.countersigner);
    hl_checkpoint_sign(&bad, f.x.sign_sk);
    assert_int_equal(hl_journal_checkpoint_countersign(f.jb, &bad), CAIRN_E_SIGNATURE);
    hl_journal_close(f.ja);
    hl_journal_close(f.jb);
    f.ja = f.jb = NULL;
    struct hl_audit_report rep;
    assert_int_equal(hl_audit_verify(f.path_a, &f.roster, &rep), 0);
    assert_true(rep.n_checkpoints == 4); /* A's at 4, 5 (pending), 3, and B's countersigned */
    assert_int_equal(hl_audit_verify(f.path_b, &f.roster, &rep), 0);
    assert_true(rep.n_checkpoints == 3);
    fx_teardown(&f);
}

static void count_commit(void *ctx)
{
    (*(int *)ctx)++;
}

/* Number of message span records (kind 's', journal_int.h) in the ledger. */
static int count_spans(struct hl_journal *j)
{
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_prepare_v2(hl_journal_db(j),
                                        "SELECT count(*) FROM ledger WHERE kind='s'", -1, &s, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    int n = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    return n;
}

static void test_group_commit(void **state)
{
    (void)state;
    struct fx f;
    assert_int_equal(fx_setup(&f), 0);
    int commits_a = 0;
    hl_journal_set_commit_hook(f.ja, count_commit, &commits_a);
    static uint8_t raws[100][512];
    int ns[100];
    assert_int_equal(hl_journal_begin(f.ja), 0);
    assert_int_equal(hl_journal_begin(f.ja), CAIRN_E_STATE);
    for (int i = 0; i < 100; i++) {
        fx_free_text(&m, "MOSCOW-CC", "batched");
        assert_true(hl_journal_append_outgoing(f.ja, &m, FX_T0 + i) == i + 1);
        ns[i] = hl_msg_encode(&m, raws[i], sizeof raws[i]);
        assert_true(ns[i] > 0);
    }
    /* a refused call inside the batch leaves the others */
    fx_free_text(&m, "INTRUDER", "x");
    assert_int_equal(hl_journal_append_outgoing(f.ja, &m, FX_T0), CAIRN_E_ROSTER);
    assert_int_equal(commits_a, 0); /* nothing durable yet */
    assert_int_equal(hl_journal_commit(f.ja), 0);
    assert_int_equal(commits_a, 1); /* one commit for 100 messages */
    assert_int_equal(hl_journal_commit(f.ja), CAIRN_E_STATE);
    fx_free_text(&m, "MOSCOW-CC", "single");
    assert_true(hl_journal_append_outgoing(f.ja, &m, FX_T0) == 101);
    assert_int_equal(commits_a, 2);
    fx_free_text(&m, "INTRUDER", "refused: no commit");
    assert_true(hl_journal_append_outgoing(f.ja, &m, FX_T0) < 0);
    assert_int_equal(commits_a, 2);
    /* receiver: a batch rolled back stores nothing */
    struct hl_receipt r[100];
    assert_int_equal(hl_journal_begin(f.jb), 0);
    for (int i = 0; i < 10; i++)
        assert_int_equal(
            hl_journal_accept_incoming(f.jb, raws[i], (size_t)ns[i], FX_T0, &r[i], NULL), 0);
    hl_journal_rollback(f.jb);
    uint64_t head;
    uint8_t h[HL_HASH_LEN];
    hl_journal_head(f.jb, HL_DIR_IN, "WARSAW-CC", &head, h);
    assert_true(head == 0);
    /* a batch with a bad message in the middle */
    assert_int_equal(hl_journal_begin(f.jb), 0);
    for (int i = 0; i < 100; i++) {
        if (i == 50) {
            raws[i][ns[i] - 1] ^= 1;
            assert_int_equal(
                hl_journal_accept_incoming(f.jb, raws[i], (size_t)ns[i], FX_T0, &r[i], NULL),
                CAIRN_E_SIGNATURE);
            raws[i][ns[i] - 1] ^= 1;
        }
        assert_int_equal(
            hl_journal_accept_incoming(f.jb, raws[i], (size_t)ns[i], FX_T0, &r[i], NULL), 0);
    }
    assert_int_equal(hl_journal_commit(f.jb), 0);
    assert_int_equal(hl_journal_begin(f.ja), 0);
    for (int i = 0; i < 100; i++)
        assert_int_equal(hl_journal_store_receipt_struct(f.ja, &r[i]), 0);
    assert_int_equal(hl_journal_commit(f.ja), 0);
    uint64_t upto;
    hl_journal_delivered_upto(f.ja, "MOSCOW-CC", &upto);
    assert_true(upto == 100);
    assert_int_equal(commits_a, 3);
    /* J9: one sealed span per direction and transaction, not one record per
     * message; the rolled-back batch and the refused message left none */
    assert_int_equal(count_spans(f.ja), 2);
    assert_int_equal(count_spans(f.jb), 1);
    hl_journal_close(f.ja);
    hl_journal_close(f.jb);
    f.ja = f.jb = NULL;
    struct hl_audit_report rep;
    assert_int_equal(hl_audit_verify(f.path_a, &f.roster, &rep), 0);
    assert_int_equal(hl_audit_verify(f.path_b, &f.roster, &rep), 0);
    assert_true(rep.n_messages == 100);
    fx_teardown(&f);
}

static void set_max_pages(struct hl_journal *j, int extra)
{
    sqlite3 *db = hl_journal_db(j);
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA page_count", -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    int pages = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA max_page_count=%d", pages + extra);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
}

/* A full disk is simulated with PRAGMA max_page_count (SQLite then fails
 * writes with SQLITE_FULL exactly as on ENOSPC; a small tmpfs is not
 * available to unprivileged tests). Nothing is stored, no receipt escapes,
 * and the journal works again when space returns. */
static void test_full_database(void **state)
{
    (void)state;
    struct fx f;
    assert_int_equal(fx_setup(&f), 0);
    struct hl_receipt r, untouched;
    memset(&r, 0x5A, sizeof r);
    untouched = r;
    static char big[3000];
    memset(big, 'z', sizeof big - 1);
    int n = make_out(&f, "before", FX_T0);
    assert_int_equal(hl_journal_accept_incoming(f.jb, raw, (size_t)n, FX_T0, &r, NULL), 0);
    set_max_pages(f.jb, 0);
    int full_at = 0;
    static uint8_t pending[40][HL_MSG_MAX_LEN];
    int pn[40];
    for (int i = 0; i < 40; i++) {
        pn[i] = make_out(&f, big, FX_T0 + 1 + i);
        memcpy(pending[i], raw, (size_t)pn[i]);
    }
    for (int i = 0; i < 40; i++) {
        memset(&r, 0x5A, sizeof r);
        int rc = hl_journal_accept_incoming(f.jb, pending[i], (size_t)pn[i], FX_T0, &r, NULL);
        if (rc == CAIRN_E_NOSPACE) {
            full_at = i;
            assert_memory_equal(&r, &untouched, sizeof r); /* no receipt */
            break;
        }
        assert_int_equal(rc, 0);
    }
    assert_true(full_at > 0 || hl_journal_stats(f.jb)->nospace > 0);
    assert_true(hl_journal_stats(f.jb)->nospace >= 1);
    /* still full: refused again, head unchanged */
    uint64_t head, head2;
    uint8_t h[HL_HASH_LEN];
    hl_journal_head(f.jb, HL_DIR_IN, "WARSAW-CC", &head, h);
    assert_int_equal(
        hl_journal_accept_incoming(f.jb, pending[full_at], (size_t)pn[full_at], FX_T0, &r, NULL),
        CAIRN_E_NOSPACE);
    /* inside a batch too: the batch is void */
    assert_int_equal(hl_journal_begin(f.jb), 0);
    assert_int_equal(
        hl_journal_accept_incoming(f.jb, pending[full_at], (size_t)pn[full_at], FX_T0, &r, NULL),
        CAIRN_E_NOSPACE);
    assert_int_equal(
        hl_journal_accept_incoming(f.jb, pending[full_at], (size_t)pn[full_at], FX_T0, &r, NULL),
        CAIRN_E_STATE);
    assert_int_equal(hl_journal_commit(f.jb), CAIRN_E_NOSPACE);
    hl_journal_head(f.jb, HL_DIR_IN, "WARSAW-CC", &head2, h);
    assert_true(head2 == head);
    /* space returns: everything goes in, in order */
    set_max_pages(f.jb, 100000);
    for (int i = full_at; i < 40; i++)
        assert_int_equal(
            hl_journal_accept_incoming(f.jb, pending[i], (size_t)pn[i], FX_T0, &r, NULL), 0);
    /* the sender's side full: append refused, nothing assigned */
    set_max_pages(f.ja, 0);
    uint64_t out_head;
    hl_journal_head(f.ja, HL_DIR_OUT, "MOSCOW-CC", &out_head, h);
    int rc = 0;
    for (int i = 0; i < 40 && rc == 0; i++) {
        fx_free_text(&m, "MOSCOW-CC", big);
        int64_t s = hl_journal_append_outgoing(f.ja, &m, FX_T0);
        rc = s < 0 ? (int)s : 0;
    }
    assert_int_equal(rc, CAIRN_E_NOSPACE);
    set_max_pages(f.ja, 100000);
    fx_free_text(&m, "MOSCOW-CC", "after");
    assert_true(hl_journal_append_outgoing(f.ja, &m, FX_T0) > 0);
    hl_journal_close(f.ja);
    hl_journal_close(f.jb);
    f.ja = f.jb = NULL;
    struct hl_audit_report rep;
    assert_int_equal(hl_audit_verify(f.path_a, &f.roster, &rep), 0);
    assert_int_equal(hl_audit_verify(f.path_b, &f.roster, &rep), 0);
    assert_true(rep.n_messages == 41);
    fx_teardown(&f);
}

/* Build a verified pair of journals with 6 messages each way, receipts and a checkpoint. */
static void build_pair(struct fx *f)
{
    assert_int_equal(fx_setup(f), 0);
    struct hl_receipt r;
    for (int i = 0; i < 6; i++) {
        fx_free_text(&m, "MOSCOW-CC", "a to b");
        assert_int_equal(fx_deliver(f->ja, f->jb, &m, FX_T0 + i, FX_T0 + i, &r), 0);
        fx_free_text(&m, "WARSAW-CC", "b to a");
        assert_int_equal(fx_deliver(f->jb, f->ja, &m, FX_T0 + i, FX_T0 + i, &r), 0);
    }
    struct hl_checkpoint c;
    assert_int_equal(hl_journal_checkpoint_make(f->ja, HL_DIR_OUT, "MOSCOW-CC", FX_T0, &c), 0);
    assert_int_equal(hl_journal_checkpoint_countersign(f->jb, &c), 0);
    assert_int_equal(hl_journal_checkpoint_store(f->ja, &c), 0);
    hl_journal_close(f->ja);
    hl_journal_close(f->jb);
    f->ja = f->jb = NULL;
}

static void tamper(const char *path, const char *sql)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
        fail_msg("%s: %s", sql, err);
    sqlite3_close(db);
}

static void test_audit_names_first_corruption(void **state)
{
    (void)state;
    struct {
        const char *sql;
        int rc;
        const char *table;
        int dir;
        uint64_t seq;
        const char *what;
    } cases[] = {
        /* a flipped byte of message 3's signed text */
        {"UPDATE messages SET raw = CAST(replace(CAST(raw AS TEXT), 'a to b', 'a to c') AS BLOB) "
         "WHERE dir=0 AND seq=3",
         CAIRN_E_SIGNATURE, "messages", 0, 3, "signature"},
        /* a deleted message: a gap */
        {"DELETE FROM messages WHERE dir=1 AND seq=4", CAIRN_E_SEQUENCE, "messages", 1, 5, "gap"},
        /* an edited column: the type */
        {"UPDATE messages SET type='THREAT_ASSESSMENT' WHERE dir=1 AND seq=2", CAIRN_E_FORMAT,
         "messages", 1, 2, "columns"},
        /* the hash column */
        {"UPDATE messages SET hash=zeroblob(32) WHERE dir=0 AND seq=6", CAIRN_E_CHAIN, "messages",
         0, 6, "hash column"},
        /* a message swapped for another with the same seq from the other direction */
        {"UPDATE messages SET raw=(SELECT raw FROM messages WHERE dir=1 AND seq=2) WHERE dir=0 AND "
         "seq=2",
         CAIRN_E_FORMAT, "messages", 0, 2, "sender"},
        /* a whole direction deleted: its sealed spans name the first row */
        {"DELETE FROM messages WHERE dir=0; DELETE FROM receipts WHERE dir=0;"
         "DELETE FROM checkpoints",
         CAIRN_E_SEQUENCE, "messages", 0, 1, "deleted"},
        /* stored_ms moved: with the update trigger, an unsealed record */
        {"UPDATE messages SET stored_ms=stored_ms+1 WHERE dir=1 AND seq=3", CAIRN_E_SIGNATURE,
         "ledger", 1, 3, "after the seal"},
        /* and without it: the row differs from its sealed span */
        {"DROP TRIGGER lg_messages_u; UPDATE messages SET stored_ms=stored_ms+1 WHERE dir=1 AND "
         "seq=3",
         CAIRN_E_SIGNATURE, "messages", 1, 3, "stored_ms now"},
        /* a receipt's bytes */
        {"UPDATE receipts SET raw = substr(raw, 1, length(raw)-1) || x'00' WHERE dir=0 AND seq=5",
         CAIRN_E_SIGNATURE, "receipts", 0, 5, "receipt signature"},
        /* a receipt moved to another message */
        {"UPDATE receipts SET seq=99 WHERE dir=1 AND seq=6", CAIRN_E_FORMAT, "receipts", 1, 99,
         "not this row"},
        /* a receipt replaced by another, validly signed, one */
        {"UPDATE receipts SET raw=(SELECT raw FROM receipts WHERE dir=0 AND seq=2) WHERE dir=0 "
         "AND seq=3",
         CAIRN_E_FORMAT, "receipts", 0, 3, "not this row"},
        /* a checkpoint's bytes */
        {"UPDATE checkpoints SET raw = substr(raw, 1, length(raw)-1) || x'01'", CAIRN_E_SIGNATURE,
         "checkpoints", 0, 6, "checkpoint signature"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct fx f;
        build_pair(&f);
        struct hl_audit_report rep;
        assert_int_equal(hl_audit_verify(f.path_a, &f.roster, &rep), 0);
        tamper(f.path_a, cases[i].sql);
        int rc = hl_audit_verify(f.path_a, &f.roster, &rep);
        print_message("tamper %zu -> %s: %s dir %d seq %llu: %s\n", i, cairn_errname(rc), rep.table,
                      rep.dir, (unsigned long long)rep.seq, rep.what);
        assert_int_equal(rc, cases[i].rc);
        assert_string_equal(rep.table, cases[i].table);
        assert_int_equal(rep.dir, cases[i].dir);
        assert_true(rep.seq == cases[i].seq);
        assert_non_null(strstr(rep.what, cases[i].what));
        fx_teardown(&f);
    }
    /* the wrong roster key for the owner */
    struct fx f;
    build_pair(&f);
    struct hl_audit_report rep;
    memcpy(f.roster.c[1].sign_pk, f.x.sign_pk, HL_PK_LEN);
    assert_int_equal(hl_audit_verify(f.path_a, &f.roster, &rep), CAIRN_E_SIGNATURE);
    assert_string_equal(rep.table, "messages");
    assert_int_equal(rep.dir, 1);
    assert_true(rep.seq == 1);
    assert_int_equal(hl_audit_verify("/nonexistent/x.db", &f.roster, &rep), CAIRN_E_IO);
    fx_teardown(&f);
}

struct rawq {
    int n;
    size_t len[64];
    uint8_t raw[64][512];
};

static int rawq_cb(void *ctx, uint64_t seq, const uint8_t *r, size_t len)
{
    (void)seq;
    struct rawq *q = ctx;
    if (q->n >= 64 || len > sizeof q->raw[0])
        return 1;
    memcpy(q->raw[q->n], r, len);
    q->len[q->n++] = len;
    return 0;
}

static int delivered_cb(void *ctx, const struct hl_msg_row *row)
{
    int *n = ctx;
    n[0] += row->delivered;
    n[1]++;
    return 0;
}

/* Cumulative receipts: a batch stored without receipts, then one receipt
 * for the head delivers the whole batch; duplicates are answered with the
 * covering receipt; the audit accepts both journals. */
static void test_cumulative_receipts(void **state)
{
    (void)state;
    struct fx f;
    assert_int_equal(fx_setup(&f), 0);
    struct hl_receipt r, r2;
    assert_int_equal(hl_journal_receipt_upto(f.jb, "WARSAW-CC", FX_T0, &r), CAIRN_E_STATE);
    assert_int_equal(hl_journal_receipt_upto(f.jb, "INTRUDER", FX_T0, &r), CAIRN_E_ROSTER);
    assert_int_equal(hl_journal_begin(f.ja), 0);
    for (int i = 0; i < 20; i++) {
        fx_free_text(&m, "MOSCOW-CC", "batch");
        assert_true(hl_journal_append_outgoing(f.ja, &m, FX_T0 + i) == i + 1);
    }
    assert_int_equal(hl_journal_commit(f.ja), 0);
    static struct rawq q;
    q.n = 0;
    assert_int_equal(hl_journal_unreceipted(f.ja, "MOSCOW-CC", 0, 0, rawq_cb, &q), 20);
    /* B: two batches of 10 without receipts, one receipt after each commit */
    for (int b = 0; b < 2; b++) {
        assert_int_equal(hl_journal_begin(f.jb), 0);
        for (int i = 10 * b; i < 10 * b + 10; i++)
            assert_int_equal(hl_journal_accept_incoming_ex(f.jb, q.raw[i], q.len[i], FX_T0,
                                                           HL_ACCEPT_NO_RECEIPT, NULL, NULL),
                             HL_ACCEPT_NEW);
        assert_int_equal(hl_journal_commit(f.jb), 0);
        assert_int_equal(hl_journal_receipt_upto(f.jb, "WARSAW-CC", FX_T0 + 100, &r), 0);
        assert_true(r.seq == (uint64_t)(10 * b + 10));
        /* asking again signs nothing new: the same receipt */
        assert_int_equal(hl_journal_receipt_upto(f.jb, "WARSAW-CC", FX_T0 + 999, &r2), 0);
        assert_memory_equal(&r, &r2, sizeof r);
        if (b == 0) {
            assert_int_equal(hl_journal_store_receipt_struct(f.ja, &r), 0);
            uint64_t upto;
            hl_journal_delivered_upto(f.ja, "MOSCOW-CC", &upto);
            assert_true(upto == 10);
            struct rawq q2;
            q2.n = 0;
            assert_int_equal(hl_journal_unreceipted(f.ja, "MOSCOW-CC", 0, 0, rawq_cb, &q2), 10);
        }
    }
    /* a duplicate of message 4, per-message mode: answered with the
     * covering receipt (for 10), not a new signature */
    assert_int_equal(hl_journal_accept_incoming(f.jb, q.raw[3], q.len[3], FX_T0, &r2, NULL),
                     HL_ACCEPT_DUP);
    assert_true(r2.seq == 10);
    /* a duplicate in no-receipt mode: recognised, nothing written */
    assert_int_equal(hl_journal_accept_incoming_ex(f.jb, q.raw[15], q.len[15], FX_T0,
                                                   HL_ACCEPT_NO_RECEIPT, NULL, NULL),
                     HL_ACCEPT_DUP);
    assert_int_equal(hl_journal_store_receipt_struct(f.ja, &r), 0); /* the one for 20 */
    uint64_t upto;
    hl_journal_delivered_upto(f.ja, "MOSCOW-CC", &upto);
    assert_true(upto == 20);
    int n[2] = {0, 0};
    struct hl_msg_filter flt = {"MOSCOW-CC", HL_DIR_OUT, HL_T_NONE, NULL, 0, false, 0};
    assert_int_equal(hl_journal_list(f.ja, &flt, delivered_cb, n), 20);
    assert_int_equal(n[0], 20);
    /* a message stored without receipt and never covered: a later
     * per-message duplicate gets a new receipt for the head */
    fx_free_text(&m, "MOSCOW-CC", "tail");
    assert_true(hl_journal_append_outgoing(f.ja, &m, FX_T0) == 21);
    uint8_t tail[HL_MSG_MAX_LEN];
    int tn = hl_msg_encode(&m, tail, sizeof tail);
    assert_int_equal(hl_journal_accept_incoming_ex(f.jb, tail, (size_t)tn, FX_T0,
                                                   HL_ACCEPT_NO_RECEIPT, NULL, NULL),
                     HL_ACCEPT_NEW);
    assert_int_equal(hl_journal_accept_incoming(f.jb, tail, (size_t)tn, FX_T0, &r2, NULL),
                     HL_ACCEPT_DUP);
    assert_true(r2.seq == 21);
    assert_int_equal(hl_journal_store_receipt_struct(f.ja, &r2), 0);
    /* 3 receipt signatures for 21 messages */
    hl_journal_close(f.ja);
    hl_journal_close(f.jb);
    f.ja = f.jb = NULL;
    struct hl_audit_report rep;
    assert_int_equal(hl_audit_verify(f.path_a, &f.roster, &rep), 0);
    assert_true(rep.n_messages == 21 && rep.n_receipts == 3);
    assert_int_equal(hl_audit_verify(f.path_b, &f.roster, &rep), 0);
    assert_true(rep.n_receipts == 3);
    fx_teardown(&f);
}

static void test_wrong_owner_refused(void **state)
{
    (void)state;
    struct fx f;
    assert_int_equal(fx_setup(&f), 0);
    hl_journal_close(f.jb);
    f.jb = NULL;
    struct hl_journal *j;
    assert_int_equal(hl_journal_open(f.path_b, &f.a, &f.roster, &j), CAIRN_E_STATE);
    assert_int_equal(hl_journal_open(f.path_b, &f.x, &f.roster, &j), CAIRN_E_ROSTER);
    fx_teardown(&f);
}

/* J8: creation is explicit. */
static void test_open_flags(void **state)
{
    (void)state;
    struct fx f;
    assert_int_equal(fx_setup(&f), 0);
    struct hl_journal *j = NULL;
    char p[160];
    /* missing */
    snprintf(p, sizeof p, "%s/none.db", f.dir);
    assert_int_equal(hl_journal_open_ex(p, &f.a, &f.roster, 0, &j), CAIRN_E_NOTFOUND);
    assert_null(j);
    assert_int_equal(access(p, F_OK), -1); /* and not created */
    /* 0 bytes */
    FILE *e = fopen(p, "w");
    assert_non_null(e);
    fclose(e);
    assert_int_equal(hl_journal_open_ex(p, &f.a, &f.roster, 0, &j), CAIRN_E_NOTFOUND);
    /* created on request, then it opens; created twice: refused */
    assert_int_equal(hl_journal_open_ex(p, &f.a, &f.roster, HL_JOURNAL_MUST_CREATE, &j), 0);
    hl_journal_close(j);
    assert_int_equal(hl_journal_open_ex(p, &f.a, &f.roster, HL_JOURNAL_MUST_CREATE, &j),
                     CAIRN_E_EXISTS);
    assert_int_equal(hl_journal_open_ex(p, &f.a, &f.roster, 0, &j), 0);
    hl_journal_close(j);
    /* the new journal's owner is in the main file at once: without its
     * WAL it still opens (a rolled-back journal, not a new one) */
    char wal[170];
    snprintf(wal, sizeof wal, "%s-wal", p);
    unlink(wal);
    assert_int_equal(hl_journal_open_ex(p, &f.a, &f.roster, 0, &j), 0);
    hl_journal_close(j);
    struct hl_audit_report rep;
    assert_int_equal(hl_audit_verify(p, &f.roster, &rep), 0);
    fx_teardown(&f);
}

/* J9: every transaction seals the ledger; a journal made before the ledger
 * is adopted at its next open; hl_journal_outgoing ignores receipts. */
static void test_seal_and_outgoing(void **state)
{
    (void)state;
    struct fx f;
    assert_int_equal(fx_setup(&f), 0);
    struct hl_receipt r;
    for (int i = 0; i < 4; i++) {
        int n = make_out(&f, "seal", FX_T0 + i);
        assert_int_equal(hl_journal_accept_incoming(f.jb, raw, (size_t)n, FX_T0 + 10, &r, NULL),
                         HL_ACCEPT_NEW);
    }
    assert_int_equal(hl_journal_store_receipt_struct(f.ja, &r), 0);
    uint64_t v[2] = {0, 0};
    assert_int_equal(hl_journal_unreceipted(f.ja, "MOSCOW-CC", 0, 0, count_cb, v), 0);
    assert_int_equal(hl_journal_outgoing(f.ja, "MOSCOW-CC", 1, 0, count_cb, v), 3);
    assert_true(v[0] == 3 && v[1] == 4);
    int64_t due = -1;
    assert_int_equal(hl_journal_checkpoint_due(f.ja, &due), 0);
    assert_true(due == 0);
    assert_int_equal(hl_journal_set_checkpoint_due(f.ja, FX_T0 + 60000), 0);
    assert_int_equal(hl_journal_checkpoint_due(f.ja, &due), 0);
    assert_true(due == FX_T0 + 60000);
    /* a pre-ledger journal: no ledger, no seal; the next open adopts it */
    sqlite3 *db = hl_journal_db(f.jb);
    assert_int_equal(sqlite3_exec(db,
                                  "DROP TABLE ledger; DELETE FROM meta WHERE key='seal';"
                                  "UPDATE meta SET value='1' WHERE key='schema';",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    hl_journal_close(f.ja);
    hl_journal_close(f.jb);
    f.ja = f.jb = NULL;
    struct hl_audit_report rep;
    assert_int_equal(hl_audit_verify(f.path_a, &f.roster, &rep), 0);
    assert_int_not_equal(hl_audit_verify(f.path_b, &f.roster, &rep), 0);
    assert_string_equal(rep.table, "meta"); /* not sealed */
    assert_int_equal(hl_journal_open_ex(f.path_b, &f.b, &f.roster, 0, &f.jb), 0);
    hl_journal_close(f.jb);
    f.jb = NULL;
    assert_int_equal(hl_audit_verify(f.path_b, &f.roster, &rep), 0);
    assert_true(rep.n_messages == 4 && rep.n_receipts == 4);
    /* a seal signed by another key does not verify */
    assert_int_equal(sqlite3_open(f.path_b, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "UPDATE meta SET value=substr(value,1,40)||zeroblob(64) "
                                  "WHERE key='seal'",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(hl_audit_verify(f.path_b, &f.roster, &rep), CAIRN_E_SIGNATURE);
    assert_non_null(strstr(rep.what, "seal's signature"));
    fx_teardown(&f);
}

/* J9, schema 3: a schema-2 journal (an insert trigger and one 'm' record per
 * message) loses the trigger at its next open and gets one span per
 * direction for its messages; the 'm' records stay, unused. Simulated
 * without a seal, so the other tables are adopted as well. */
static void test_schema2_adopted(void **state)
{
    (void)state;
    struct fx f;
    assert_int_equal(fx_setup(&f), 0);
    struct hl_receipt r;
    for (int i = 0; i < 3; i++) {
        int n = make_out(&f, "old", FX_T0 + i);
        assert_int_equal(hl_journal_accept_incoming(f.jb, raw, (size_t)n, FX_T0 + 10, &r, NULL),
                         HL_ACCEPT_NEW);
    }
    assert_int_equal(
        sqlite3_exec(hl_journal_db(f.jb),
                     "DELETE FROM ledger; DELETE FROM meta WHERE key='seal';"
                     "UPDATE meta SET value='2' WHERE key='schema';"
                     "INSERT INTO ledger(kind, key, val) SELECT 'm', dir||'/'||peer||'/'||seq, "
                     "hex(hash)||'/'||stored_ms FROM messages;"
                     "CREATE TRIGGER lg_messages_i AFTER INSERT ON messages BEGIN INSERT INTO "
                     "ledger(kind, key, val) VALUES('m', NEW.dir||'/'||NEW.peer||'/'||NEW.seq, "
                     "hex(NEW.hash)||'/'||NEW.stored_ms); END;",
                     NULL, NULL, NULL),
        SQLITE_OK);
    hl_journal_close(f.jb);
    assert_int_equal(hl_journal_open_ex(f.path_b, &f.b, &f.roster, 0, &f.jb), 0);
    assert_int_equal(count_spans(f.jb), 1);
    int n = make_out(&f, "new", FX_T0 + 5);
    assert_int_equal(hl_journal_accept_incoming(f.jb, raw, (size_t)n, FX_T0 + 10, &r, NULL),
                     HL_ACCEPT_NEW);
    assert_int_equal(count_spans(f.jb), 2);
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_prepare_v2(hl_journal_db(f.jb),
                                        "SELECT count(*) FROM sqlite_master WHERE type='trigger' "
                                        "AND name='lg_messages_i'",
                                        -1, &s, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(s, 0), 0);
    sqlite3_finalize(s);
    hl_journal_close(f.jb);
    f.jb = NULL;
    struct hl_audit_report rep;
    assert_int_equal(hl_audit_verify(f.path_b, &f.roster, &rep), 0);
    assert_true(rep.n_messages == 4);
    fx_teardown(&f);
}

struct grab {
    size_t len;
    uint8_t raw[HL_MSG_MAX_LEN];
};

static int grab_cb(void *ctx, uint64_t seq, const uint8_t *r, size_t len)
{
    (void)seq;
    struct grab *g = ctx;
    memcpy(g->raw, r, len);
    g->len = len;
    return 1;
}

struct seen {
    bool acked;
    char *by;
};

static int seen_cb(void *ctx, const struct hl_msg_row *row)
{
    struct seen *s = ctx;
    s->acked = row->acked;
    s->by = row->ack_by ? strdup(row->ack_by) : NULL;
    return 0;
}

static int list_cb(void *ctx, const struct hl_msg_row *row)
{
    int *n = ctx;
    n[0]++;
    n[1] += row->delivered;
    n[2] += row->acked;
    return 0;
}

static void test_list_and_operator_ack(void **state)
{
    (void)state;
    struct fx f;
    assert_int_equal(fx_setup(&f), 0);
    struct hl_receipt r;
    for (int i = 0; i < 3; i++) {
        fx_free_text(&m, "MOSCOW-CC", "hello");
        assert_int_equal(fx_deliver(f.ja, f.jb, &m, FX_T0 + i, FX_T0 + i, &r), 0);
    }
    fx_free_text(&m, "MOSCOW-CC", "undelivered");
    assert_true(hl_journal_append_outgoing(f.ja, &m, FX_T0 + 5) == 4);
    int n[3] = {0, 0, 0};
    struct hl_msg_filter flt = {NULL, -1, HL_T_NONE, NULL, 0, false, 0};
    assert_int_equal(hl_journal_list(f.ja, &flt, list_cb, n), 4);
    assert_int_equal(n[1], 3);
    /* B's operator reads message 2: the ack is recorded and sent */
    int64_t ack = hl_journal_ack_operator(f.jb, "WARSAW-CC", 2, "Капитан Петров", FX_T0 + 60000);
    assert_true(ack == 1);
    assert_int_equal(hl_journal_ack_operator(f.jb, "WARSAW-CC", 2, "again", FX_T0), CAIRN_E_EXISTS);
    assert_int_equal(hl_journal_ack_operator(f.jb, "WARSAW-CC", 77, "x", FX_T0), CAIRN_E_NOTFOUND);
    struct hl_msg_filter unacked = {"WARSAW-CC", HL_DIR_IN, HL_T_NONE, NULL, 0, true, 0};
    memset(n, 0, sizeof n);
    assert_int_equal(hl_journal_list(f.jb, &unacked, list_cb, n), 2);
    /* deliver the OPERATOR_ACK to A: A learns its message 2 was read */
    struct grab g = {0, {0}};
    assert_int_equal(hl_journal_unreceipted(f.jb, "WARSAW-CC", 0, 0, grab_cb, &g), 1);
    assert_int_equal(hl_journal_accept_incoming(f.ja, g.raw, g.len, FX_T0 + 61000, &r, NULL), 0);
    struct hl_msg_filter two = {"MOSCOW-CC", HL_DIR_OUT, HL_T_NONE, NULL, 2, false, 0};
    struct seen sn = {0, NULL};
    assert_int_equal(hl_journal_list(f.ja, &two, seen_cb, &sn), 1);
    assert_true(sn.acked);
    assert_string_equal(sn.by, "Капитан Петров");
    free(sn.by);
    /* limit: the newest N, oldest first */
    struct hl_msg_filter lim = {NULL, HL_DIR_OUT, HL_T_NONE, NULL, 0, false, 2};
    memset(n, 0, sizeof n);
    assert_int_equal(hl_journal_list(f.ja, &lim, list_cb, n), 2);
    fx_teardown(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_send_receive_receipt),
        cmocka_unit_test(test_duplicates_forever),
        cmocka_unit_test(test_replay_different_content),
        cmocka_unit_test(test_gap_reorder_chain),
        cmocka_unit_test(test_refusals_and_counters),
        cmocka_unit_test(test_receipt_refusals),
        cmocka_unit_test(test_checkpoints),
        cmocka_unit_test(test_group_commit),
        cmocka_unit_test(test_full_database),
        cmocka_unit_test(test_audit_names_first_corruption),
        cmocka_unit_test(test_cumulative_receipts),
        cmocka_unit_test(test_wrong_owner_refused),
        cmocka_unit_test(test_open_flags),
        cmocka_unit_test(test_seal_and_outgoing),
        cmocka_unit_test(test_schema2_adopted),
        cmocka_unit_test(test_list_and_operator_ack),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
