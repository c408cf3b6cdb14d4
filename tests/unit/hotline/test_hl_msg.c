/*
 * test_hl_msg.c — the hotline message: canonical encoding round trips
 * (seeded random fields), hostile decoding (every truncation, non-canonical
 * forms, caps), signatures (any flipped byte refused), receipts and
 * checkpoints, the catalogue as data, rendering of every type in English
 * and Russian, UTF-8, roster and identity files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sys/stat.h>
#include <time.h>

#include "base/error.h"
#include "base/hex.h"
#include "base/jsonw.h"
#include "base/log.h"
#include "hl_fixture.h"
#include "hotline/render.h"

static uint64_t rng_state;
static uint32_t rnd(void)
{
    /* xorshift64*: reproducible from the printed seed */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 2685821657736338717ULL) >> 32);
}

static void seed_rng(void)
{
    const char *env = getenv("HL_TEST_SEED");
    rng_state = env ? strtoull(env, NULL, 0) : (uint64_t)time(NULL);
    if (!rng_state)
        rng_state = 1;
    print_message("seed %llu (HL_TEST_SEED to repeat)\n", (unsigned long long)rng_state);
}

/* Random valid UTF-8 of up to max bytes: ASCII, Cyrillic and a 4-byte form. */
static size_t rand_utf8(char *out, size_t max)
{
    size_t n = 0, want = rnd() % (max + 1);
    while (n < want) {
        unsigned k = rnd() % 4;
        if (k <= 1 && n + 1 <= want) {
            out[n++] = (char)(' ' + rnd() % 94);
        } else if (k == 2 && n + 2 <= want) {
            const char *cyr = "Ж"; /* U+0416 */
            memcpy(out + n, cyr, 2);
            out[n + 1] = (char)(0x90 + rnd() % 16);
            n += 2;
        } else if (k == 3 && n + 4 <= want) {
            memcpy(out + n, "\xF0\x9F\x9B\xA9", 4); /* U+1F6E9 small airplane */
            n += 4;
        } else {
            break;
        }
    }
    out[n] = 0;
    return n;
}

static void rand_msg(struct hl_msg *m)
{
    hl_msg_init(m, (enum hl_type)(1 + rnd() % (HL_T__COUNT - 1)));
    char buf[HL_STR_MAX + 1];
    size_t nl = rand_utf8(buf, HL_NAME_MAX);
    memcpy(m->sender, nl ? buf : "S", nl ? nl + 1 : 2);
    nl = rand_utf8(buf, HL_NAME_MAX);
    memcpy(m->receiver, nl ? buf : "R", nl ? nl + 1 : 2);
    m->seq = 1 + ((uint64_t)rnd() << 32 | rnd()) % UINT64_MAX;
    for (int i = 0; i < HL_HASH_LEN; i++)
        m->prev_hash[i] = (uint8_t)rnd();
    m->created_utc_ms = (int64_t)((uint64_t)rnd() << 32 | rnd());
    rand_utf8(buf, HL_CASE_MAX);
    hl_msg_set_case(m, buf);
    int nf = (int)(rnd() % (HL_FIELDS_MAX + 1));
    for (int i = 0; i < nf; i++) {
        char name[HL_FNAME_MAX + 1];
        int fl = 1 + (int)(rnd() % HL_FNAME_MAX);
        for (int k = 0; k < fl; k++)
            name[k] = "abcdefghijklmnopqrstuvwxyz0123456789_"[rnd() % 37];
        name[fl] = 0;
        if (rnd() % 2) {
            assert_int_equal(hl_msg_add_int(m, name, (int64_t)((uint64_t)rnd() << 32 | rnd())), 0);
        } else {
            size_t len = rand_utf8(buf, rnd() % 8 ? 40 : 1200);
            int rc = hl_msg_add_strn(m, name, buf, len);
            assert_true(rc == 0 || rc == CAIRN_E_TOOBIG);
        }
    }
    for (int i = 0; i < HL_SIG_LEN; i++)
        m->sig[i] = (uint8_t)rnd();
}

static void assert_msg_equal(const struct hl_msg *a, const struct hl_msg *b)
{
    assert_string_equal(a->sender, b->sender);
    assert_string_equal(a->receiver, b->receiver);
    assert_true(a->seq == b->seq);
    assert_memory_equal(a->prev_hash, b->prev_hash, HL_HASH_LEN);
    assert_true(a->created_utc_ms == b->created_utc_ms);
    assert_int_equal(a->type, b->type);
    assert_string_equal(a->case_id, b->case_id);
    assert_int_equal(a->n_fields, b->n_fields);
    for (int i = 0; i < a->n_fields; i++) {
        assert_string_equal(a->fields[i].name, b->fields[i].name);
        assert_int_equal(a->fields[i].kind, b->fields[i].kind);
        if (a->fields[i].kind == HL_KIND_INT)
            assert_true(a->fields[i].i == b->fields[i].i);
        else
            assert_string_equal(hl_field_str(a, &a->fields[i]), hl_field_str(b, &b->fields[i]));
    }
    assert_memory_equal(a->sig, b->sig, HL_SIG_LEN);
}

static struct hl_msg m1, m2;
static uint8_t buf1[HL_MSG_MAX_LEN], buf2[HL_MSG_MAX_LEN];

static void test_roundtrip_random(void **state)
{
    (void)state;
    seed_rng();
    for (int iter = 0; iter < 400; iter++) {
        rand_msg(&m1);
        int n = hl_msg_encode(&m1, buf1, sizeof buf1);
        assert_true(n > 0);
        assert_int_equal(hl_msg_decode(&m2, buf1, (size_t)n), 0);
        assert_msg_equal(&m1, &m2);
        int n2 = hl_msg_encode(&m2, buf2, sizeof buf2);
        assert_int_equal(n, n2);
        assert_memory_equal(buf1, buf2, (size_t)n); /* canonical: one encoding */
    }
}

/* The worked example of docs/hotline-messages.md §3, pinned byte for byte:
 * a change to the encoding, hash or signature scheme breaks every journal
 * and every peer, so it must break this test first. Key: seed 32 × 0xA1. */
static const char GOLDEN_HEX[] =
    "43484d31"
    "095741525341572d4343"
    "094d4f53434f572d4343"
    "0000000000000002"
    "abababababababababababababababababababababababababababababababab"
    "000001a2008d7400"
    "15434c4152494649434154494f4e5f52455155455354"
    "0b5741525341572d43432f32"
    "02"
    "0961626f75745f736571"
    "01"
    "0000000000000001"
    "087175657374696f6e"
    "02"
    "000d"
    "d092d18bd181d0bed182d0b03f"
    "bdf985724b64100b0019847fb23bf40c7c438b2603f80b6eb4f28f9ffa9554509b3f24c14027cf7cec393e"
    "67fc7afeffb4e55ff644149a5d256065d17852ea0b";
static const char GOLDEN_HASH[] =
    "ca4fa3cd1441c1977ce0e33c31a0e25e7ff631b81dfd157978e0ae07f9252b35";

static void test_golden_vector(void **state)
{
    (void)state;
    struct hl_identity a;
    assert_true(sodium_init() >= 0);
    fx_identity(&a, "WARSAW-CC", "NATO", 0xA1);
    hl_msg_init(&m1, HL_T_CLARIFICATION_REQUEST);
    hl_msg_set_receiver(&m1, "MOSCOW-CC");
    snprintf(m1.sender, sizeof m1.sender, "WARSAW-CC");
    m1.seq = 2;
    memset(m1.prev_hash, 0xAB, HL_HASH_LEN);
    m1.created_utc_ms = FX_T0;
    hl_msg_set_case(&m1, "WARSAW-CC/2");
    hl_msg_add_str(&m1, "question", "Высота?");
    hl_msg_add_int(&m1, "about_seq", 1); /* added out of order: the encoding sorts */
    assert_int_equal(hl_msg_sign(&m1, a.sign_sk), 0);
    int n = hl_msg_encode(&m1, buf1, sizeof buf1);
    assert_int_equal(n, (int)strlen(GOLDEN_HEX) / 2);
    char hx[2 * sizeof buf1 + 1];
    hex_encode(buf1, (size_t)n, hx);
    assert_string_equal(hx, GOLDEN_HEX);
    uint8_t h[HL_HASH_LEN];
    assert_int_equal(hl_msg_hash(&m1, h), 0);
    hex_encode(h, HL_HASH_LEN, hx);
    assert_string_equal(hx, GOLDEN_HASH);
    hl_msg_hash_raw(buf1, (size_t)n, h);
    hex_encode(h, HL_HASH_LEN, hx);
    assert_string_equal(hx, GOLDEN_HASH);
    assert_int_equal(hl_msg_verify_raw(buf1, (size_t)n, a.sign_pk), 0);
}

static void test_truncated_every_offset(void **state)
{
    (void)state;
    seed_rng();
    for (int iter = 0; iter < 20; iter++) {
        rand_msg(&m1);
        int n = hl_msg_encode(&m1, buf1, sizeof buf1);
        assert_true(n > 0);
        for (int cut = 0; cut < n; cut++) {
            /* an exact-size heap copy so ASan sees any overread */
            uint8_t *p = malloc(cut ? (size_t)cut : 1);
            memcpy(p, buf1, (size_t)cut);
            assert_true(hl_msg_decode(&m2, p, (size_t)cut) < 0);
            free(p);
        }
    }
}

/* Hand-built bodies to break one canonical rule at a time. */
static size_t put_str8(uint8_t *p, const char *s)
{
    size_t n = strlen(s);
    p[0] = (uint8_t)n;
    memcpy(p + 1, s, n);
    return n + 1;
}

static size_t build(uint8_t *p, const char *type, int nf, const char **names, const char *sval)
{
    size_t k = 0;
    memcpy(p, "CHM1", 4);
    k += 4;
    k += put_str8(p + k, "A");
    k += put_str8(p + k, "B");
    memset(p + k, 0, 8);
    p[k + 7] = 1; /* seq 1 */
    k += 8;
    memset(p + k, 0, 32 + 8);
    k += 40;
    k += put_str8(p + k, type);
    k += put_str8(p + k, "");
    p[k++] = (uint8_t)nf;
    for (int i = 0; i < nf; i++) {
        k += put_str8(p + k, names[i]);
        p[k++] = HL_KIND_STR;
        size_t sl = strlen(sval);
        p[k++] = (uint8_t)(sl >> 8);
        p[k++] = (uint8_t)sl;
        memcpy(p + k, sval, sl);
        k += sl;
    }
    memset(p + k, 0x55, HL_SIG_LEN);
    return k + HL_SIG_LEN;
}

static void test_noncanonical_refused(void **state)
{
    (void)state;
    const char *sorted[] = {"body", "subject"};
    const char *unsorted[] = {"subject", "body"};
    const char *dup[] = {"body", "body"};
    const char *badname[] = {"Body"};
    size_t n = build(buf1, "FREE_TEXT", 2, sorted, "hello");
    assert_int_equal(hl_msg_decode(&m1, buf1, n), 0);
    n = build(buf1, "FREE_TEXT", 2, unsorted, "hello");
    assert_int_equal(hl_msg_decode(&m1, buf1, n), CAIRN_E_FORMAT);
    n = build(buf1, "FREE_TEXT", 2, dup, "hello");
    assert_int_equal(hl_msg_decode(&m1, buf1, n), CAIRN_E_FORMAT);
    n = build(buf1, "FREE_TEXT", 1, badname, "hello");
    assert_int_equal(hl_msg_decode(&m1, buf1, n), CAIRN_E_FORMAT);
    n = build(buf1, "FREE_TEXT", 1, sorted, "bad \xC0\xAF utf8");
    assert_int_equal(hl_msg_decode(&m1, buf1, n), CAIRN_E_FORMAT);
    n = build(buf1, "NO_SUCH_TYPE", 1, sorted, "x");
    assert_int_equal(hl_msg_decode(&m1, buf1, n), CAIRN_E_MSGTYPE);
    /* trailing byte between body and signature */
    n = build(buf1, "FREE_TEXT", 1, sorted, "x");
    memmove(buf1 + n - HL_SIG_LEN + 1, buf1 + n - HL_SIG_LEN, HL_SIG_LEN);
    buf1[n - HL_SIG_LEN] = 0;
    assert_int_equal(hl_msg_decode(&m1, buf1, n + 1), CAIRN_E_FORMAT);
    /* bad magic */
    n = build(buf1, "FREE_TEXT", 1, sorted, "x");
    buf1[3] = '2';
    assert_int_equal(hl_msg_decode(&m1, buf1, n), CAIRN_E_FORMAT);
    /* too many fields */
    n = build(buf1, "FREE_TEXT", 0, NULL, "");
    buf1[n - HL_SIG_LEN - 1] = HL_FIELDS_MAX + 1;
    assert_true(hl_msg_decode(&m1, buf1, n) < 0);
    /* oversized input */
    assert_int_equal(hl_msg_decode(&m1, buf1, HL_MSG_MAX_LEN + 1), CAIRN_E_TOOBIG);
    /* a string longer than HL_STR_MAX */
    static char big[HL_STR_MAX + 2];
    memset(big, 'a', HL_STR_MAX + 1);
    n = build(buf1, "FREE_TEXT", 1, sorted, big);
    assert_int_equal(hl_msg_decode(&m1, buf1, n), CAIRN_E_TOOBIG);
    /* builder caps */
    hl_msg_init(&m1, HL_T_FREE_TEXT);
    assert_int_equal(hl_msg_add_str(&m1, "body", big), CAIRN_E_TOOBIG);
    assert_int_equal(hl_msg_add_str(&m1, "", "x"), CAIRN_E_FIELD);
    assert_int_equal(hl_msg_add_str(&m1, "body", "a\xFF"), CAIRN_E_FIELD);
}

static void test_builder_replace_keeps_text_consistent(void **state)
{
    (void)state;
    hl_msg_init(&m1, HL_T_FREE_TEXT);
    assert_int_equal(hl_msg_add_str(&m1, "subject", "first"), 0);
    assert_int_equal(hl_msg_add_str(&m1, "body", "Запрос разъяснения"), 0);
    assert_int_equal(hl_msg_add_str(&m1, "subject", "second, longer"), 0);
    assert_int_equal(hl_msg_add_int(&m1, "body", 7), 0);
    assert_int_equal(hl_msg_add_str(&m1, "body", "back to text"), 0);
    assert_int_equal(m1.n_fields, 2);
    assert_string_equal(m1.fields[0].name, "body");
    assert_string_equal(hl_field_str(&m1, hl_msg_field(&m1, "body")), "back to text");
    assert_string_equal(hl_field_str(&m1, hl_msg_field(&m1, "subject")), "second, longer");
    assert_int_equal(m1.text_len, strlen("back to text") + 1 + strlen("second, longer") + 1);
    /* fill the text area to the cap with replacements: no growth */
    char s[HL_STR_MAX];
    memset(s, 'q', sizeof s - 1);
    s[sizeof s - 1] = 0;
    for (int i = 0; i < 20; i++)
        assert_int_equal(hl_msg_add_str(&m1, "body", s), 0);
    assert_true(m1.text_len <= HL_TEXT_MAX);
}

static void test_signature_any_byte_flip_refused(void **state)
{
    (void)state;
    struct fx f;
    assert_int_equal(fx_setup(&f), 0);
    assert_int_equal(fx_full_msg(&m1, HL_T_RENEGADE_ALERT, "MOSCOW-CC", true, FX_T0), 0);
    snprintf(m1.sender, sizeof m1.sender, "WARSAW-CC");
    m1.seq = 7;
    m1.created_utc_ms = FX_T0;
    assert_int_equal(hl_msg_sign(&m1, f.a.sign_sk), 0);
    assert_int_equal(hl_msg_verify(&m1, f.a.sign_pk), 0);
    assert_int_equal(hl_msg_verify(&m1, f.b.sign_pk), CAIRN_E_SIGNATURE);
    int n = hl_msg_encode(&m1, buf1, sizeof buf1);
    assert_true(n > 0);
    for (int i = 0; i < n; i++) {
        for (int bit = 0; bit < 8; bit += 7) {
            memcpy(buf2, buf1, (size_t)n);
            buf2[i] ^= (uint8_t)(1u << bit);
            int rc = hl_msg_decode(&m2, buf2, (size_t)n);
            if (rc == 0)
                rc = hl_msg_verify(&m2, f.a.sign_pk);
            if (rc == 0)
                fail_msg("flipping bit %d of byte %d was not detected", bit, i);
        }
    }
    /* the rendered text is not signed: rendering twice changes nothing */
    struct dbuf d;
    dbuf_init(&d, 1 << 16);
    assert_int_equal(hl_render(&m1, HL_LANG_RU, &d), 0);
    assert_int_equal(hl_msg_verify(&m1, f.a.sign_pk), 0);
    dbuf_free(&d);
    fx_teardown(&f);
}

static void test_receipt_and_checkpoint_codec(void **state)
{
    (void)state;
    struct fx f;
    assert_int_equal(fx_setup(&f), 0);
    struct hl_receipt r, r2;
    memset(&r, 0, sizeof r);
    snprintf(r.from, sizeof r.from, "WARSAW-CC");
    snprintf(r.to, sizeof r.to, "MOSCOW-CC");
    r.seq = 42;
    memset(r.msg_hash, 0x11, HL_HASH_LEN);
    r.stored_utc_ms = FX_T0;
    assert_int_equal(hl_receipt_sign(&r, f.b.sign_sk), 0);
    uint8_t b[HL_RECEIPT_LEN_MAX], b2[HL_RECEIPT_LEN_MAX];
    int n = hl_receipt_encode(&r, b, sizeof b);
    assert_true(n > 0);
    assert_int_equal(hl_receipt_decode(&r2, b, (size_t)n), 0);
    assert_int_equal(hl_receipt_verify(&r2, f.b.sign_pk), 0);
    assert_int_equal(hl_receipt_verify(&r2, f.a.sign_pk), CAIRN_E_SIGNATURE);
    for (int i = 0; i < n; i++) {
        memcpy(b2, b, (size_t)n);
        b2[i] ^= 0x01;
        int rc = hl_receipt_decode(&r2, b2, (size_t)n);
        if (rc == 0)
            rc = hl_receipt_verify(&r2, f.b.sign_pk);
        assert_true(rc < 0);
    }
    for (int cut = 0; cut < n; cut++)
        assert_true(hl_receipt_decode(&r2, b, (size_t)cut) < 0);

    struct hl_checkpoint c, c2;
    memset(&c, 0, sizeof c);
    snprintf(c.from, sizeof c.from, "WARSAW-CC");
    snprintf(c.to, sizeof c.to, "MOSCOW-CC");
    snprintf(c.signer, sizeof c.signer, "WARSAW-CC");
    c.count = 1000;
    memset(c.head_hash, 0x22, HL_HASH_LEN);
    c.made_utc_ms = FX_T0;
    assert_int_equal(hl_checkpoint_sign(&c, f.a.sign_sk), 0);
    assert_int_equal(hl_checkpoint_verify(&c, f.a.sign_pk, NULL), 0);
    assert_int_equal(hl_checkpoint_verify(&c, f.a.sign_pk, f.b.sign_pk), CAIRN_E_SIGNATURE);
    assert_int_equal(hl_checkpoint_countersign_raw(&c, "MOSCOW-CC", f.b.sign_sk), 0);
    assert_int_equal(hl_checkpoint_verify(&c, f.a.sign_pk, f.b.sign_pk), 0);
    uint8_t cb[HL_CHECKPOINT_LEN_MAX], cb2[HL_CHECKPOINT_LEN_MAX];
    n = hl_checkpoint_encode(&c, cb, sizeof cb);
    assert_true(n > 0);
    assert_int_equal(hl_checkpoint_decode(&c2, cb, (size_t)n), 0);
    assert_int_equal(hl_checkpoint_verify(&c2, f.a.sign_pk, f.b.sign_pk), 0);
    for (int i = 0; i < n; i++) {
        memcpy(cb2, cb, (size_t)n);
        cb2[i] ^= 0x80;
        int rc = hl_checkpoint_decode(&c2, cb2, (size_t)n);
        if (rc == 0)
            rc = hl_checkpoint_verify(&c2, f.a.sign_pk, f.b.sign_pk);
        assert_true(rc < 0);
    }
    for (int cut = 0; cut < n; cut++)
        assert_true(hl_checkpoint_decode(&c2, cb, (size_t)cut) < 0);
    fx_teardown(&f);
}

/* ---- catalogue and rendering ---------------------------------------------------- */

static bool has_cyrillic(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)s[0] == 0xD0 || (unsigned char)s[0] == 0xD1)
            return true;
    return false;
}

static size_t count_items(const char *l)
{
    size_t n = 1;
    for (; *l; l++)
        n += *l == '|';
    return n;
}

static void test_catalogue_table(void **state)
{
    (void)state;
    for (int t = 1; t < HL_T__COUNT; t++) {
        const struct hl_type_spec *ts = hl_catalogue_get((enum hl_type)t);
        assert_non_null(ts);
        assert_int_equal(ts->type, t);
        assert_int_equal(hl_catalogue_find(ts->name, strlen(ts->name)), t);
        assert_true(ts->tmpl_en && ts->tmpl_ru && ts->title_en && ts->title_ru);
        assert_true(has_cyrillic(ts->tmpl_ru));
        assert_true(has_cyrillic(ts->title_ru));
        for (size_t i = 0; i < ts->n_fields; i++) {
            const struct hl_field_spec *fs = &ts->fields[i];
            if (i)
                assert_true(strcmp(ts->fields[i - 1].name, fs->name) < 0);
            if (fs->type == HL_F_ENUM) {
                assert_non_null(fs->enums);
                if (fs->enums_ru)
                    assert_int_equal(count_items(fs->enums), count_items(fs->enums_ru));
            }
            assert_true(fs->label_en && has_cyrillic(fs->label_ru));
        }
        if (ts->deadline_kind == HL_DL_FIXED)
            assert_true(ts->deadline_ms > 0 && ts->reply != HL_T_NONE);
        if (ts->deadline_kind == HL_DL_FIELD)
            assert_non_null(hl_catalogue_field(ts, ts->deadline_field));
    }
    /* the deadlines of domain.md §3 */
    assert_true(hl_catalogue_get(HL_T_EXPLANATION_REQUEST)->deadline_ms == 48LL * 3600000);
    assert_true(hl_catalogue_get(HL_T_MEETING_REQUEST)->deadline_ms == 48LL * 3600000);
    assert_true(hl_catalogue_get(HL_T_CLARIFICATION_REQUEST)->deadline_ms == 24LL * 3600000);
    assert_true(hl_catalogue_get(HL_T_TRACK_QUERY)->deadline_ms == 3600000);
    assert_int_equal(hl_catalogue_get(HL_T_EXPLANATION_REQUEST)->reply, HL_T_EXPLANATION);
    assert_int_equal(hl_catalogue_get(HL_T_OBSERVER_INVITATION)->deadline_kind, HL_DL_FIELD);
    assert_int_equal(hl_catalogue_get(HL_T_THREAT_ASSESSMENT)->deadline_kind, HL_DL_NONE);
    assert_int_equal(hl_catalogue_find("FREE_TEXTX", 10), HL_T_NONE);
    assert_null(hl_catalogue_get(HL_T_NONE));
    assert_null(hl_catalogue_get(HL_T__COUNT));
}

static void test_catalogue_check_fields(void **state)
{
    (void)state;
    const char *bad;
    assert_int_equal(fx_full_msg(&m1, HL_T_RENEGADE_ALERT, "B", false, FX_T0), 0);
    assert_int_equal(hl_catalogue_check(&m1, &bad), 0);
    /* unknown field */
    assert_int_equal(hl_msg_add_str(&m1, "colour", "red"), 0);
    assert_int_equal(hl_catalogue_check(&m1, &bad), CAIRN_E_FIELD);
    assert_string_equal(bad, "colour");
    /* missing required */
    assert_int_equal(fx_full_msg(&m1, HL_T_RENEGADE_ALERT, "B", false, FX_T0), 0);
    hl_msg_init(&m2, HL_T_RENEGADE_ALERT);
    hl_msg_add_str(&m2, "track", "T1");
    assert_int_equal(hl_catalogue_check(&m2, &bad), CAIRN_E_FIELD);
    /* wrong enum, kind, position, area, track */
    struct {
        const char *name, *value;
    } bads[] = {
        {"category", "MAYBE"},  {"position", "91,0"},
        {"position", "55.1"},   {"position", "55.1,1e3"},
        {"position", "a,b"},    {"track", "has space"},
        {"track", ""},          {"category", ""},
        {"position", "55.,12"},
    };
    for (size_t i = 0; i < sizeof bads / sizeof bads[0]; i++) {
        assert_int_equal(fx_full_msg(&m1, HL_T_RENEGADE_ALERT, "B", false, FX_T0), 0);
        assert_int_equal(hl_msg_add_str(&m1, bads[i].name, bads[i].value), 0);
        if (hl_catalogue_check(&m1, &bad) != CAIRN_E_FIELD)
            fail_msg("%s=%s accepted", bads[i].name, bads[i].value);
    }
    assert_int_equal(fx_full_msg(&m1, HL_T_RENEGADE_ALERT, "B", false, FX_T0), 0);
    hl_msg_add_str(&m1, "observed", "yesterday"); /* a time as a string */
    assert_int_equal(hl_catalogue_check(&m1, &bad), CAIRN_E_FIELD);
    assert_int_equal(fx_full_msg(&m1, HL_T_EXPLANATION_REQUEST, "B", false, FX_T0), 0);
    hl_msg_add_str(&m1, "area", "54.5,19.0;55.0,20.5"); /* two vertices */
    assert_int_equal(hl_catalogue_check(&m1, &bad), CAIRN_E_FIELD);
    hl_msg_add_str(&m1, "area", "54.5,19.0;55.0,20.5;-54.25,-170.125;1,2");
    assert_int_equal(hl_catalogue_check(&m1, &bad), 0);
    /* free text may be added to any type */
    hl_msg_add_str(&m1, "text", "Просим дать объяснение.");
    assert_int_equal(hl_catalogue_check(&m1, &bad), 0);
    /* unknown type */
    hl_msg_init(&m1, HL_T_NONE);
    assert_int_equal(hl_catalogue_check(&m1, &bad), CAIRN_E_MSGTYPE);
}

static void test_add_text(void **state)
{
    (void)state;
    hl_msg_init(&m1, HL_T_ACTIVITY_NOTICE);
    assert_int_equal(hl_msg_add_text(&m1, "start", "2026-11-25T06:00:00Z"), 0);
    assert_true(hl_msg_field(&m1, "start")->i == FX_T0 + 3 * 86400000LL + 6 * 3600000LL);
    assert_int_equal(hl_msg_add_text(&m1, "end", "2026-11-25T06:00:00.250Z"), 0);
    assert_true(hl_msg_field(&m1, "end")->i == FX_T0 + 3 * 86400000LL + 6 * 3600000LL + 250);
    assert_int_equal(hl_msg_add_text(&m1, "end", "1795305600000"), 0);
    assert_int_equal(hl_msg_add_text(&m1, "troops", "12500"), 0);
    assert_int_equal(hl_msg_add_text(&m1, "troops", "12k"), CAIRN_E_FIELD);
    assert_int_equal(hl_msg_add_text(&m1, "troops", "99999999999999999999"), CAIRN_E_FIELD);
    assert_int_equal(hl_msg_add_text(&m1, "start", "2026-11-25 06:00"), CAIRN_E_FIELD);
    assert_int_equal(hl_msg_add_text(&m1, "nosuch", "1"), CAIRN_E_FIELD);
    assert_int_equal(hl_msg_add_text(&m1, "kind", "EXERCISE"), 0);
    assert_int_equal(hl_msg_add_text(&m1, "area", "54.5,19.0;55.0,20.5;54.3,21.0"), 0);
    assert_int_equal(hl_catalogue_check(&m1, NULL), 0);
}

static void test_render_every_type(void **state)
{
    (void)state;
    struct dbuf d;
    dbuf_init(&d, 1 << 16);
    for (int t = 1; t < HL_T__COUNT; t++) {
        const struct hl_type_spec *ts = hl_catalogue_get((enum hl_type)t);
        for (int all = 0; all <= 1; all++) {
            assert_int_equal(fx_full_msg(&m1, (enum hl_type)t, "MOSCOW-CC", all, FX_T0), 0);
            snprintf(m1.sender, sizeof m1.sender, "WARSAW-CC");
            m1.seq = 3;
            m1.created_utc_ms = FX_T0;
            snprintf(m1.case_id, sizeof m1.case_id, "WARSAW-CC/3");
            assert_int_equal(hl_catalogue_check(&m1, NULL), 0);
            for (int lang = 0; lang <= 1; lang++) {
                dbuf_reset(&d);
                assert_int_equal(hl_render(&m1, (enum hl_lang)lang, &d), 0);
                assert_non_null(d.p);
                /* every placeholder filled: none left */
                if (strchr(d.p, '{') || strchr(d.p, '}'))
                    fail_msg("%s/%s: placeholder left: %s", ts->name, lang ? "ru" : "en", d.p);
                assert_non_null(strstr(d.p, lang ? ts->title_ru : ts->title_en));
                assert_true(hl_utf8_valid(d.p, d.len));
                if (all) {
                    /* every field's value shows */
                    for (size_t i = 0; i < ts->n_fields; i++)
                        if (ts->fields[i].type == HL_F_TRACK)
                            assert_non_null(strstr(d.p, "icao:4CA1F2"));
                    assert_null(strstr(d.p, "—,")); /* nothing absent */
                }
                if (lang == 1)
                    assert_true(has_cyrillic(d.p));
            }
        }
    }
    /* specific wording */
    assert_int_equal(fx_full_msg(&m1, HL_T_CLARIFICATION_REQUEST, "MOSCOW-CC", true, FX_T0), 0);
    dbuf_reset(&d);
    hl_render_body(&m1, HL_LANG_RU, &d);
    assert_non_null(strstr(d.p, "Запрос разъяснения по донесению об инциденте № 1"));
    assert_int_equal(fx_full_msg(&m1, HL_T_HANDOVER_ACCEPT, "MOSCOW-CC", true, FX_T0), 0);
    dbuf_reset(&d);
    hl_render_body(&m1, HL_LANG_RU, &d);
    assert_non_null(strstr(d.p, "ПРИНЯТА"));
    assert_int_equal(fx_full_msg(&m1, HL_T_RENEGADE_ALERT, "MOSCOW-CC", true, FX_T0), 0);
    dbuf_reset(&d);
    hl_render_body(&m1, HL_LANG_EN, &d);
    assert_non_null(strstr(d.p, "category COMLOSS"));
    assert_non_null(strstr(d.p, "observed 2026-11-22T00:00:00.000Z"));
    /* JSON */
    dbuf_reset(&d);
    struct jsonw w;
    jw_init(&w, &d);
    hl_msg_json(&m1, &w);
    assert_int_equal(w.err, 0);
    assert_non_null(strstr(d.p, "\"category\":\"COMLOSS\""));
    assert_non_null(strstr(d.p, "\"type\":\"RENEGADE_ALERT\""));
    dbuf_free(&d);
}

static void test_utf8(void **state)
{
    (void)state;
    assert_true(hl_utf8_valid("", 0));
    assert_true(hl_utf8_valid("Запрос", strlen("Запрос")));
    assert_true(hl_utf8_valid("\xF0\x9F\x9B\xA9", 4));
    assert_false(hl_utf8_valid("a\0b", 3));
    assert_false(hl_utf8_valid("\xC0\x80", 2));         /* overlong NUL */
    assert_false(hl_utf8_valid("\xE0\x80\xAF", 3));     /* overlong */
    assert_false(hl_utf8_valid("\xED\xA0\x80", 3));     /* surrogate */
    assert_false(hl_utf8_valid("\xF4\x90\x80\x80", 4)); /* > U+10FFFF */
    assert_false(hl_utf8_valid("\xD0", 1));             /* truncated */
    assert_false(hl_utf8_valid("\x80", 1));
}

/* Control characters: refused when a message is made, when one arrives
 * (catalogue check, names in the decoder), and escaped when printed. */
static void test_control_characters(void **state)
{
    (void)state;
    /* hl_text_ok: the rule */
    assert_true(hl_text_ok("Запрос ok", strlen("Запрос ok"), false));
    assert_true(hl_text_ok("a\tb\nc", 5, true));
    assert_false(hl_text_ok("a\tb", 3, false));
    assert_false(hl_text_ok("a\nb", 3, false));
    static const char *const bad[] = {
        "\x1b[2J",   /* ESC: clears the screen */
        "a\rb",      /* CR: overwrites the line */
        "a\x7f",     /* DEL */
        "a\xc2\x85", /* U+0085 NEL (C1) */
        "a\xc2\x9b"
        "2J",           /* U+009B CSI (C1) */
        "\xe2\x80\xae", /* U+202E RIGHT-TO-LEFT OVERRIDE */
        "\xe2\x80\xaa", /* U+202A */
        "\xe2\x81\xa6", /* U+2066 LEFT-TO-RIGHT ISOLATE */
        "\xe2\x81\xa9", /* U+2069 */
        "\xff",         /* not UTF-8 */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_false(hl_text_ok(bad[i], strlen(bad[i]), true));
        hl_msg_init(&m1, HL_T_FREE_TEXT);
        assert_int_equal(hl_msg_add_str(&m1, "body", bad[i]), CAIRN_E_FIELD);
        assert_int_equal(hl_msg_add_text(&m1, "body", bad[i]), CAIRN_E_FIELD);
        assert_int_equal(hl_msg_set_case(&m1, bad[i]), CAIRN_E_FORMAT);
        assert_int_equal(hl_msg_set_receiver(&m1, bad[i]), CAIRN_E_FORMAT);
    }
    assert_true(hl_text_ok("\xe2\x80\xa9", 3, true)); /* U+2029: not in the refused ranges */
    /* free text keeps its lines and tabs; a track may not have them */
    hl_msg_init(&m1, HL_T_TRACK_QUERY);
    assert_int_equal(hl_msg_add_str(&m1, "text", "line 1\n\tline 2"), 0);
    assert_int_equal(hl_msg_add_str(&m1, "track", "T1\n"), 0); /* form: catalogue's job */
    const char *badf = NULL;
    assert_int_equal(hl_catalogue_check(&m1, &badf), CAIRN_E_FIELD);
    assert_string_equal(badf, "track");

    /* From a peer: a message whose text holds ESC (as an old or hostile
     * encoder would make it) decodes (form) but fails the catalogue check,
     * which names the field; one with ESC in the case id or a name does
     * not even decode. */
    hl_msg_init(&m1, HL_T_FREE_TEXT);
    assert_int_equal(hl_msg_add_str(&m1, "body", "abc"), 0);
    snprintf(m1.sender, sizeof m1.sender, "A");
    snprintf(m1.receiver, sizeof m1.receiver, "B");
    m1.seq = 1;
    const struct hl_field *f = hl_msg_field(&m1, "body");
    m1.text[f->s_off + 1] = 0x1b; /* "a\x1bc" behind the builder's back */
    int n = hl_msg_encode(&m1, buf1, sizeof buf1);
    assert_true(n > 0);
    assert_int_equal(hl_msg_decode(&m2, buf1, (size_t)n), 0);
    badf = NULL;
    assert_int_equal(hl_catalogue_check(&m2, &badf), CAIRN_E_FIELD);
    assert_string_equal(badf, "body");
    m1.text[f->s_off + 1] = 'b';
    snprintf(m1.case_id, sizeof m1.case_id, "A/1\r");
    n = hl_msg_encode(&m1, buf1, sizeof buf1);
    assert_int_equal(hl_msg_decode(&m2, buf1, (size_t)n), CAIRN_E_FORMAT);
    m1.case_id[0] = 0;
    snprintf(m1.sender, sizeof m1.sender, "A\nB");
    n = hl_msg_encode(&m1, buf1, sizeof buf1);
    assert_int_equal(hl_msg_decode(&m2, buf1, (size_t)n), CAIRN_E_FORMAT);
}

/* log_escape (base/log.h): what a terminal, a log line or JSON gets. */
static void test_escape(void **state)
{
    (void)state;
    char out[256];
    const char *s = "a\x1b[2Jb\rc\nd\te\\f\x7f\xc2\x85\xe2\x80\xae\xff\"Ж";
    size_t n = strlen(s);
    assert_string_equal(log_escape(out, sizeof out, s, n, LOG_ESC_LINE),
                        "a\\x1b[2Jb\\rc\\nd\\te\\\\f\\x7f\\u0085\\u202e\\xff\"Ж");
    assert_string_equal(log_escape(out, sizeof out, s, n, LOG_ESC_KEEP_NL),
                        "a\\x1b[2Jb\\rc\nd\te\\f\\x7f\\u0085\\u202e\\xff\"Ж");
    assert_string_equal(log_escape(out, sizeof out, s, n, LOG_ESC_JSON),
                        "a\\u001b[2Jb\\rc\\nd\\te\\\\f\\u007f\\u0085\\u202e\\ufffd\\\"Ж");
    /* log_msg's last pass over a whole line keeps backslashes (what was
     * escaped before stays as it was) and escapes everything else */
    assert_string_equal(
        log_escape(out, sizeof out, "a\\n\nb\x1b", 6, LOG_ESC_LINE | LOG_ESC_KEEP_BACKSLASH),
        "a\\n\\nb\\x1b");
    /* cut at a whole escape, never inside one, and said so */
    assert_string_equal(log_escape(out, 10, "abc\x1b\x1b\x1b", 6, LOG_ESC_LINE), "abc...");
    /* a truncated UTF-8 sequence at the end is bytes, not read past */
    assert_string_equal(log_escape(out, sizeof out, "x\xd0", 2, LOG_ESC_LINE), "x\\xd0");
    /* JSON from jsonw: valid whatever the bytes, and parses back */
    struct dbuf b;
    dbuf_init(&b, 4096);
    struct jsonw w;
    jw_init(&w, &b);
    jw_obj(&w);
    jw_kstr(&w, "t", s);
    jw_end(&w);
    assert_int_equal(w.err, 0);
    assert_string_equal(
        b.p, "{\"t\":\"a\\u001b[2Jb\\rc\\nd\\te\\\\f\\u007f\\u0085\\u202e\\ufffd\\\"Ж\"}");
    dbuf_free(&b);
}

/* Dates and times a person types: impossible ones are refused, never
 * moved to another day. */
static void test_add_text_dates(void **state)
{
    (void)state;
    hl_msg_init(&m1, HL_T_ACTIVITY_NOTICE);
    static const char *const bad[] = {
        "2026-02-30T10:00:00Z",  "2026-02-29T10:00:00Z",   "2026-04-31T10:00:00Z",
        "2026-13-01T10:00:00Z",  "2026-00-10T10:00:00Z",   "2026-01-00T10:00:00Z",
        "2026-01-01T24:00:00Z",  "2026-01-01T23:60:00Z",   "2026-01-01T23:59:60Z",
        "2026-01-01T10:00:00",   "2026-01-01T10:00:00.5Z", "2026-01-01T10:00:00.1234Z",
        " 2026-01-01T10:00:00Z", "+2026-01-01T10:00:00Z",  "2026-1-01T10:00:00Z",
        "2026-01-01T10:00:00Zx", "1969-12-31T23:59:59Z",   "2026-01-01T1:00:00Z",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (hl_msg_add_text(&m1, "start", bad[i]) != CAIRN_E_FIELD)
            fail_msg("accepted '%s'", bad[i]);
    }
    assert_int_equal(hl_msg_add_text(&m1, "start", "2028-02-29T00:00:00Z"), 0); /* leap year */
    assert_true(hl_msg_field(&m1, "start")->i == 1835395200000LL);
    assert_int_equal(hl_msg_add_text(&m1, "start", "2000-02-29T23:59:59.999Z"), 0);
    assert_true(hl_msg_field(&m1, "start")->i == 951868799999LL);
    assert_int_equal(hl_msg_add_text(&m1, "start", "2100-02-29T00:00:00Z"), CAIRN_E_FIELD);
}

/* ---- roster and identity ------------------------------------------------------ */

static void test_roster_parse(void **state)
{
    (void)state;
    struct fx f;
    assert_int_equal(fx_setup(&f), 0);
    char pk[65], fp[65], text[2048];
    hex_encode(f.a.sign_pk, 32, pk);
    memset(fp, 'a', 64);
    fp[64] = 0;
    size_t b64len = sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_ORIGINAL);
    char b64[64];
    assert_true(b64len <= sizeof b64);
    sodium_bin2base64(b64, sizeof b64, f.b.sign_pk, 32, sodium_base64_VARIANT_ORIGINAL);
    snprintf(text, sizeof text,
             "[WARSAW-CC]\nparty = NATO\nsign_key = %s\ntls_fingerprint = %s\n"
             "address = 127.0.0.1:7441\n\n[MOSCOW-CC]\nparty = RU\nsign_key = %s\n"
             "tls_fingerprint = bb:bb:bb:bb:bb:bb:bb:bb:bb:bb:bb:bb:bb:bb:bb:bb:"
             "bb:bb:bb:bb:bb:bb:bb:bb:bb:bb:bb:bb:bb:bb:bb:bb\n",
             pk, fp, b64);
    struct hl_roster r;
    int line = -1;
    assert_int_equal(hl_roster_parse(text, &r, &line), 0);
    assert_int_equal(r.n, 2);
    const struct hl_centre *c = hl_roster_find(&r, "MOSCOW-CC");
    assert_non_null(c);
    assert_memory_equal(c->sign_pk, f.b.sign_pk, 32);
    uint8_t want[32];
    memset(want, 0xbb, 32);
    assert_ptr_equal(hl_roster_find_fp(&r, want), c);
    memset(want, 0xaa, 32);
    assert_ptr_equal(hl_roster_find_fp(&r, want), hl_roster_find(&r, "WARSAW-CC"));
    memset(want, 0xcc, 32);
    assert_null(hl_roster_find_fp(&r, want));
    assert_null(hl_roster_find(&r, "INTRUDER"));
    assert_string_equal(hl_roster_find(&r, "WARSAW-CC")->address, "127.0.0.1:7441");

    /* refusals */
    const char *bad[] = {
        "[A]\nparty = X\nsign_key = 00\ntls_fingerprint = 00\n", /* short keys */
        "[A]\nparty = X\n",                                      /* missing keys */
        "party = X\n",                                           /* no section */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_not_equal(hl_roster_parse(bad[i], &r, &line), 0);
    snprintf(text, sizeof text,
             "[A]\nparty = X\nsign_key = %s\ntls_fingerprint = %s\ncolour = red\n", pk,
             fp); /* unknown key */
    assert_int_equal(hl_roster_parse(text, &r, &line), CAIRN_E_FORMAT);
    assert_int_equal(line, 5);
    /* duplicate fingerprint */
    snprintf(text, sizeof text,
             "[A]\nparty = X\nsign_key = %s\ntls_fingerprint = %s\n"
             "[B]\nparty = Y\nsign_key = %s\ntls_fingerprint = %s\n",
             pk, fp, b64, fp);
    assert_int_equal(hl_roster_parse(text, &r, &line), CAIRN_E_FORMAT);
    fx_teardown(&f);
}

static void test_identity_files(void **state)
{
    (void)state;
    char dir[64] = "/tmp/hlid.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char kd[128], path[256];
    snprintf(kd, sizeof kd, "%s/keys", dir);
    struct hl_identity id, id2;
    assert_int_equal(hl_identity_create(kd, "BODO-LCU", "NATO", 730, &id), 0);
    struct stat st;
    assert_int_equal(stat(kd, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    snprintf(path, sizeof path, "%s/sign.key", kd);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    snprintf(path, sizeof path, "%s/tls.key", kd);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    /* a second keygen into the same folder refuses to overwrite */
    assert_int_equal(hl_identity_create(kd, "BODO-LCU", "NATO", 730, NULL), CAIRN_E_EXISTS);
    assert_int_equal(hl_identity_create(kd, "bad name", "NATO", 730, NULL), CAIRN_E_INVAL);
    assert_int_equal(hl_identity_load(kd, &id2), 0);
    assert_string_equal(id2.name, "BODO-LCU");
    assert_string_equal(id2.party, "NATO");
    assert_memory_equal(id.sign_pk, id2.sign_pk, 32);
    /* the key works */
    hl_msg_init(&m1, HL_T_FREE_TEXT);
    hl_msg_add_str(&m1, "body", "x");
    snprintf(m1.sender, sizeof m1.sender, "BODO-LCU");
    snprintf(m1.receiver, sizeof m1.receiver, "MURMANSK-LCU");
    m1.seq = 1;
    assert_int_equal(hl_msg_sign(&m1, id2.sign_sk), 0);
    assert_int_equal(hl_msg_verify(&m1, id.sign_pk), 0);
    /* the roster line parses, and its fingerprint is the certificate's */
    snprintf(path, sizeof path, "%s/roster.ini", kd);
    struct hl_roster r;
    assert_int_equal(hl_roster_load(path, &r, NULL), 0);
    assert_int_equal(r.n, 1);
    uint8_t fp[32];
    assert_int_equal(hl_cert_fingerprint_file(id2.tls_cert_path, fp), 0);
    assert_ptr_equal(hl_roster_find_fp(&r, fp), &r.c[0]);
    assert_memory_equal(r.c[0].sign_pk, id.sign_pk, 32);
    /* a world-readable secret key is refused, the TLS key as well as the
     * signing key; the check says what is wrong and how to fix it */
    snprintf(path, sizeof path, "%s/sign.key", kd);
    chmod(path, 0644);
    assert_int_equal(hl_identity_load(kd, &id2), CAIRN_E_STATE);
    char why[1024], want[512];
    assert_int_equal(hl_key_file_check(path, why, sizeof why), CAIRN_E_STATE);
    snprintf(want, sizeof want, "%s has mode 0644", path);
    assert_non_null(strstr(why, want));
    snprintf(want, sizeof want, "chmod 600 %s", path);
    assert_non_null(strstr(why, want));
    chmod(path, 0600);
    assert_int_equal(hl_identity_load(kd, &id2), 0);
    snprintf(path, sizeof path, "%s/tls.key", kd);
    chmod(path, 0666);
    assert_int_equal(hl_identity_load(kd, &id2), CAIRN_E_STATE);
    chmod(path, 0640);
    assert_int_equal(hl_key_file_check(path, why, sizeof why), CAIRN_E_STATE);
    assert_non_null(strstr(why, "mode 0640"));
    chmod(path, 0400);
    assert_int_equal(hl_key_file_check(path, why, sizeof why), 0);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* The fuzz corpus seeds: one valid message of every type (all fields),
 * a receipt and a countersigned checkpoint. Always built and checked; with
 * HL_WRITE_CORPUS=DIR in the environment also written there (that is how
 * tests/fuzz/corpus/hl_msg/ was made). */
static void write_seed(const char *dir, const char *name, const uint8_t *b, size_t n)
{
    if (!dir)
        return;
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(b, 1, n, fp), n);
    fclose(fp);
}

static void test_corpus_seeds(void **state)
{
    (void)state;
    const char *dir = getenv("HL_WRITE_CORPUS");
    struct fx f;
    assert_int_equal(fx_setup(&f), 0);
    for (int t = 1; t < HL_T__COUNT; t++) {
        assert_int_equal(fx_full_msg(&m1, (enum hl_type)t, "MOSCOW-CC", true, FX_T0), 0);
        snprintf(m1.sender, sizeof m1.sender, "WARSAW-CC");
        m1.seq = (uint64_t)t;
        m1.created_utc_ms = FX_T0;
        hl_msg_set_case(&m1, "WARSAW-CC/1");
        hl_msg_add_str(&m1, "text", "Free text / Свободный текст");
        assert_int_equal(hl_msg_sign(&m1, f.a.sign_sk), 0);
        int n = hl_msg_encode(&m1, buf1, sizeof buf1);
        assert_true(n > 0);
        assert_int_equal(hl_msg_decode(&m2, buf1, (size_t)n), 0);
        assert_int_equal(hl_msg_verify(&m2, f.a.sign_pk), 0);
        char name[64];
        snprintf(name, sizeof name, "msg_%s", hl_type_name((enum hl_type)t));
        write_seed(dir, name, buf1, (size_t)n);
    }
    struct hl_receipt r;
    memset(&r, 0, sizeof r);
    snprintf(r.from, sizeof r.from, "WARSAW-CC");
    snprintf(r.to, sizeof r.to, "MOSCOW-CC");
    r.seq = 1;
    r.stored_utc_ms = FX_T0;
    hl_receipt_sign(&r, f.b.sign_sk);
    int n = hl_receipt_encode(&r, buf1, sizeof buf1);
    assert_true(n > 0);
    write_seed(dir, "receipt", buf1, (size_t)n);
    struct hl_checkpoint c;
    memset(&c, 0, sizeof c);
    snprintf(c.from, sizeof c.from, "WARSAW-CC");
    snprintf(c.to, sizeof c.to, "MOSCOW-CC");
    snprintf(c.signer, sizeof c.signer, "WARSAW-CC");
    c.count = 10;
    c.made_utc_ms = FX_T0;
    hl_checkpoint_sign(&c, f.a.sign_sk);
    hl_checkpoint_countersign_raw(&c, "MOSCOW-CC", f.b.sign_sk);
    n = hl_checkpoint_encode(&c, buf1, sizeof buf1);
    assert_true(n > 0);
    write_seed(dir, "checkpoint", buf1, (size_t)n);
    fx_teardown(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_random),
        cmocka_unit_test(test_golden_vector),
        cmocka_unit_test(test_truncated_every_offset),
        cmocka_unit_test(test_noncanonical_refused),
        cmocka_unit_test(test_builder_replace_keeps_text_consistent),
        cmocka_unit_test(test_signature_any_byte_flip_refused),
        cmocka_unit_test(test_receipt_and_checkpoint_codec),
        cmocka_unit_test(test_catalogue_table),
        cmocka_unit_test(test_catalogue_check_fields),
        cmocka_unit_test(test_add_text),
        cmocka_unit_test(test_render_every_type),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_control_characters),
        cmocka_unit_test(test_escape),
        cmocka_unit_test(test_add_text_dates),
        cmocka_unit_test(test_roster_parse),
        cmocka_unit_test(test_identity_files),
        cmocka_unit_test(test_corpus_seeds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
