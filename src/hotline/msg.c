/*
 * msg.c — hotline messages: building, the canonical encoding, hash and
 * Ed25519 signature; receipts and checkpoints. See msg.h for the wire form
 * and docs/hotline-messages.md for the rationale.
 *
 * The decoder is written against hostile bytes: a cursor (struct rd) that
 * never reads past its end, every length checked against its cap before it
 * is used, and canonical-form rules (sorted unique field names, valid
 * UTF-8 without NUL, no trailing bytes) enforced so that one message has
 * one encoding.
 */
#include "hotline/msg.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/error.h"
#include "base/log.h"

/* Domain-separation prefixes: a signature over one kind of object can never
 * be passed off as a signature over another. The NUL is part of each. */
static const char CTX_MSG[] = "cairn-hl-msg-v1";
static const char CTX_RCPT[] = "cairn-hl-rcpt-v1";
static const char CTX_CKPT[] = "cairn-hl-ckpt-v1";

/* ---- UTF-8 ---------------------------------------------------------------- */

bool hl_utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, n;
    while (i < len) {
        long cp = log_utf8_at(p + i, len - i, &n);
        if (cp <= 0)
            return false; /* invalid, or NUL */
        i += n;
    }
    return true;
}

bool hl_text_ok(const char *s, size_t len, bool free_text)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, n;
    while (i < len) {
        long cp = log_utf8_at(p + i, len - i, &n);
        if (cp < 0)
            return false;
        if (cp < 0x20 && !(free_text && (cp == '\t' || cp == '\n')))
            return false; /* C0, NUL included */
        if (cp >= 0x7F && cp <= 0x9F)
            return false; /* DEL and C1 */
        if ((cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069))
            return false; /* bidi embeddings, overrides and isolates */
        i += n;
    }
    return true;
}

int hl_msg_check_text(const struct hl_msg *m, const char **bad)
{
    if (!hl_text_ok(m->case_id, strlen(m->case_id), false)) {
        if (bad)
            *bad = "case";
        return CAIRN_E_FIELD;
    }
    const struct hl_type_spec *ts = hl_catalogue_get(m->type);
    for (int i = 0; i < m->n_fields; i++) {
        const struct hl_field *f = &m->fields[i];
        if (f->kind != HL_KIND_STR)
            continue;
        const struct hl_field_spec *fs = ts ? hl_catalogue_field(ts, f->name) : NULL;
        bool free_text = !fs || fs->type == HL_F_TEXT;
        if (!hl_text_ok(hl_field_str(m, f), f->s_len, free_text)) {
            if (bad)
                *bad = f->name;
            return CAIRN_E_FIELD;
        }
    }
    return 0;
}

/* ---- building ------------------------------------------------------------- */

void hl_msg_init(struct hl_msg *m, enum hl_type type)
{
    memset(m, 0, sizeof *m);
    m->type = type;
}

static int set_name(char *dst, size_t max, const char *src)
{
    size_t n = strlen(src);
    if (n > max)
        return CAIRN_E_TOOBIG;
    if (!hl_text_ok(src, n, false))
        return CAIRN_E_FORMAT; /* invalid UTF-8 or a control character */
    memcpy(dst, src, n + 1);
    return 0;
}

int hl_msg_set_receiver(struct hl_msg *m, const char *receiver)
{
    return set_name(m->receiver, HL_NAME_MAX, receiver);
}

int hl_msg_set_case(struct hl_msg *m, const char *case_id)
{
    return set_name(m->case_id, HL_CASE_MAX, case_id);
}

/* Index of the field called name, or -(insertion point)-1. */
static int field_find(const struct hl_msg *m, const char *name, size_t nlen)
{
    int lo = 0, hi = m->n_fields;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        const char *fn = m->fields[mid].name;
        size_t fl = strlen(fn);
        size_t k = fl < nlen ? fl : nlen;
        int c = memcmp(fn, name, k);
        if (c == 0)
            c = fl < nlen ? -1 : (fl > nlen ? 1 : 0);
        if (c == 0)
            return mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -lo - 1;
}

static bool fname_ok(const char *name, size_t n)
{
    if (n == 0 || n > HL_FNAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
    }
    return true;
}

/* Find or make the slot for a field; returns its index or a negative code. */
static int field_slot(struct hl_msg *m, const char *name, size_t nlen)
{
    if (!fname_ok(name, nlen))
        return CAIRN_E_FIELD;
    int at = field_find(m, name, nlen);
    if (at >= 0)
        return at;
    if (m->n_fields >= HL_FIELDS_MAX)
        return CAIRN_E_FULL;
    int ins = -at - 1;
    memmove(&m->fields[ins + 1], &m->fields[ins],
            (size_t)(m->n_fields - ins) * sizeof m->fields[0]);
    memset(&m->fields[ins], 0, sizeof m->fields[0]);
    memcpy(m->fields[ins].name, name, nlen);
    m->fields[ins].name[nlen] = 0;
    m->n_fields++;
    return ins;
}

/* Rebuild text[] without the string of field `skip` (replaced values). */
static void text_compact(struct hl_msg *m, int skip)
{
    char tmp[HL_TEXT_MAX];
    uint32_t used = 0;
    for (int i = 0; i < m->n_fields; i++) {
        struct hl_field *f = &m->fields[i];
        if (f->kind != HL_KIND_STR || i == skip)
            continue;
        memcpy(tmp + used, m->text + f->s_off, f->s_len + 1);
        f->s_off = used;
        used += f->s_len + 1;
    }
    memcpy(m->text, tmp, used);
    m->text_len = used;
}

int hl_msg_add_int(struct hl_msg *m, const char *name, int64_t v)
{
    int at = field_slot(m, name, strlen(name));
    if (at < 0)
        return at;
    struct hl_field *f = &m->fields[at];
    if (f->kind == HL_KIND_STR)
        text_compact(m, at);
    f->kind = HL_KIND_INT;
    f->i = v;
    f->s_off = f->s_len = 0;
    return 0;
}

int hl_msg_add_strn(struct hl_msg *m, const char *name, const char *v, size_t len)
{
    if (len > HL_STR_MAX)
        return CAIRN_E_TOOBIG;
    /* Control characters are refused here, when a message is made: TAB and
     * LF may be in free text, and the other field types' forms
     * (catalogue.c) allow neither. */
    if (!hl_text_ok(v, len, true))
        return CAIRN_E_FIELD;
    size_t nlen = strlen(name);
    if (!fname_ok(name, nlen))
        return CAIRN_E_FIELD;
    int at = field_find(m, name, nlen);
    /* Room check before touching anything, counting the space a replaced
     * value would free. */
    size_t freed = (at >= 0 && m->fields[at].kind == HL_KIND_STR) ? m->fields[at].s_len + 1 : 0;
    if ((size_t)m->text_len - freed + len + 1 > HL_TEXT_MAX)
        return CAIRN_E_TOOBIG;
    at = field_slot(m, name, nlen);
    if (at < 0)
        return at;
    struct hl_field *f = &m->fields[at];
    if (f->kind == HL_KIND_STR)
        text_compact(m, at);
    f->kind = HL_KIND_STR;
    f->i = 0;
    f->s_off = m->text_len;
    f->s_len = (uint32_t)len;
    memcpy(m->text + m->text_len, v, len);
    m->text[m->text_len + len] = 0;
    m->text_len += (uint32_t)len + 1;
    return 0;
}

int hl_msg_add_str(struct hl_msg *m, const char *name, const char *v)
{
    return hl_msg_add_strn(m, name, v, strlen(v));
}

const struct hl_field *hl_msg_field(const struct hl_msg *m, const char *name)
{
    int at = field_find(m, name, strlen(name));
    return at >= 0 ? &m->fields[at] : NULL;
}

/* ---- writer ----------------------------------------------------------------- */

struct wr {
    uint8_t *p;
    size_t cap, len;
    int err;
};

static void w_bytes(struct wr *w, const void *d, size_t n)
{
    if (w->err)
        return;
    if (w->cap - w->len < n) {
        w->err = CAIRN_E_TOOBIG;
        return;
    }
    memcpy(w->p + w->len, d, n);
    w->len += n;
}

static void w_u8(struct wr *w, unsigned v)
{
    uint8_t b = (uint8_t)v;
    w_bytes(w, &b, 1);
}

static void w_u64(struct wr *w, uint64_t v)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (56 - 8 * i));
    w_bytes(w, b, 8);
}

static void w_str8(struct wr *w, const char *s)
{
    size_t n = strlen(s);
    if (n > 255) {
        w->err = CAIRN_E_TOOBIG;
        return;
    }
    w_u8(w, (unsigned)n);
    w_bytes(w, s, n);
}

int hl_msg_encode_body(const struct hl_msg *m, uint8_t *out, size_t cap)
{
    struct wr w = {out, cap, 0, 0};
    const char *tn = hl_type_name(m->type);
    if (!hl_catalogue_get(m->type))
        return CAIRN_E_MSGTYPE;
    w_bytes(&w, "CHM1", 4);
    w_str8(&w, m->sender);
    w_str8(&w, m->receiver);
    w_u64(&w, m->seq);
    w_bytes(&w, m->prev_hash, HL_HASH_LEN);
    w_u64(&w, (uint64_t)m->created_utc_ms);
    w_str8(&w, tn);
    w_str8(&w, m->case_id);
    w_u8(&w, m->n_fields);
    for (int i = 0; i < m->n_fields; i++) {
        const struct hl_field *f = &m->fields[i];
        w_str8(&w, f->name);
        w_u8(&w, f->kind);
        if (f->kind == HL_KIND_INT) {
            w_u64(&w, (uint64_t)f->i);
        } else {
            w_u8(&w, (f->s_len >> 8) & 0xFF);
            w_u8(&w, f->s_len & 0xFF);
            w_bytes(&w, m->text + f->s_off, f->s_len);
        }
    }
    return w.err ? w.err : (int)w.len;
}

int hl_msg_encode(const struct hl_msg *m, uint8_t *out, size_t cap)
{
    int n = hl_msg_encode_body(m, out, cap);
    if (n < 0)
        return n;
    if (cap - (size_t)n < HL_SIG_LEN)
        return CAIRN_E_TOOBIG;
    memcpy(out + n, m->sig, HL_SIG_LEN);
    return n + HL_SIG_LEN;
}

/* ---- reader ----------------------------------------------------------------- */

struct rd {
    const uint8_t *p;
    size_t len, pos;
    int err;
};

static const uint8_t *r_take(struct rd *r, size_t n)
{
    if (r->err)
        return NULL;
    if (r->len - r->pos < n) {
        r->err = CAIRN_E_TRUNCATED;
        return NULL;
    }
    const uint8_t *q = r->p + r->pos;
    r->pos += n;
    return q;
}

static unsigned r_u8(struct rd *r)
{
    const uint8_t *q = r_take(r, 1);
    return q ? q[0] : 0;
}

static uint64_t r_u64(struct rd *r)
{
    const uint8_t *q = r_take(r, 8);
    uint64_t v = 0;
    if (q)
        for (int i = 0; i < 8; i++)
            v = (v << 8) | q[i];
    return v;
}

/* A str8 into dst (cap max bytes + NUL): UTF-8, <= max, no control
 * character at all (these are names: centres, types, case ids; a name that
 * could move a cursor or end a log line is not a name). */
static void r_str8(struct rd *r, char *dst, size_t max)
{
    unsigned n = r_u8(r);
    const uint8_t *q = r_take(r, n);
    if (!q)
        return;
    if (n > max) {
        r->err = CAIRN_E_TOOBIG;
        return;
    }
    if (!hl_text_ok((const char *)q, n, false)) {
        r->err = CAIRN_E_FORMAT;
        return;
    }
    memcpy(dst, q, n);
    dst[n] = 0;
}

static void r_bytes(struct rd *r, uint8_t *dst, size_t n)
{
    const uint8_t *q = r_take(r, n);
    if (q)
        memcpy(dst, q, n);
}

/* Decode the body; returns its length or a negative code. */
static int msg_decode_body(struct hl_msg *m, const uint8_t *buf, size_t len)
{
    struct rd r = {buf, len, 0, 0};
    memset(m, 0, offsetof(struct hl_msg, text));
    m->text_len = 0;
    const uint8_t *magic = r_take(&r, 4);
    if (!magic)
        return r.err;
    if (memcmp(magic, "CHM1", 4) != 0)
        return CAIRN_E_FORMAT;
    r_str8(&r, m->sender, HL_NAME_MAX);
    r_str8(&r, m->receiver, HL_NAME_MAX);
    m->seq = r_u64(&r);
    r_bytes(&r, m->prev_hash, HL_HASH_LEN);
    m->created_utc_ms = (int64_t)r_u64(&r);
    char tname[HL_TYPE_MAX + 1] = "";
    r_str8(&r, tname, HL_TYPE_MAX);
    r_str8(&r, m->case_id, HL_CASE_MAX);
    unsigned nf = r_u8(&r);
    if (r.err)
        return r.err;
    if (m->sender[0] == 0 || m->receiver[0] == 0 || m->seq == 0)
        return CAIRN_E_FORMAT;
    if (nf > HL_FIELDS_MAX)
        return CAIRN_E_TOOBIG;
    for (unsigned i = 0; i < nf; i++) {
        struct hl_field *f = &m->fields[i];
        unsigned nl = r_u8(&r);
        const uint8_t *nm = r_take(&r, nl);
        if (!nm)
            return r.err;
        if (!fname_ok((const char *)nm, nl))
            return CAIRN_E_FORMAT;
        memcpy(f->name, nm, nl);
        f->name[nl] = 0;
        if (i > 0 && strcmp(m->fields[i - 1].name, f->name) >= 0)
            return CAIRN_E_FORMAT; /* not strictly ascending: not canonical */
        f->kind = (uint8_t)r_u8(&r);
        if (f->kind == HL_KIND_INT) {
            f->i = (int64_t)r_u64(&r);
        } else if (f->kind == HL_KIND_STR) {
            unsigned hi = r_u8(&r);
            unsigned lo = r_u8(&r);
            size_t sl = (size_t)hi << 8 | lo;
            const uint8_t *s = r_take(&r, sl);
            if (!s)
                return r.err;
            if (sl > HL_STR_MAX || m->text_len + sl + 1 > HL_TEXT_MAX)
                return CAIRN_E_TOOBIG;
            if (!hl_utf8_valid((const char *)s, sl))
                return CAIRN_E_FORMAT;
            f->s_off = m->text_len;
            f->s_len = (uint32_t)sl;
            memcpy(m->text + m->text_len, s, sl);
            m->text[m->text_len + sl] = 0;
            m->text_len += (uint32_t)sl + 1;
        } else {
            return r.err ? r.err : CAIRN_E_FORMAT;
        }
        if (r.err)
            return r.err;
        m->n_fields = (uint8_t)(i + 1);
    }
    /* The type last: form errors take precedence over an unknown type so the
     * counters say what really happened. */
    m->type = hl_catalogue_find(tname, strlen(tname));
    if (m->type == HL_T_NONE)
        return CAIRN_E_MSGTYPE;
    return (int)r.pos;
}

int hl_msg_decode(struct hl_msg *m, const uint8_t *buf, size_t len)
{
    if (len > HL_MSG_MAX_LEN)
        return CAIRN_E_TOOBIG;
    if (len < HL_SIG_LEN)
        return CAIRN_E_TRUNCATED;
    int n = msg_decode_body(m, buf, len - HL_SIG_LEN);
    if (n < 0)
        return n;
    if ((size_t)n != len - HL_SIG_LEN)
        return CAIRN_E_FORMAT; /* trailing bytes before the signature */
    memcpy(m->sig, buf + n, HL_SIG_LEN);
    return 0;
}

/* ---- hash and signature --------------------------------------------------- */

int hl_msg_hash(const struct hl_msg *m, uint8_t out[HL_HASH_LEN])
{
    uint8_t buf[HL_MSG_MAX_LEN];
    int n = hl_msg_encode_body(m, buf, sizeof buf);
    if (n < 0)
        return n;
    crypto_generichash(out, HL_HASH_LEN, buf, (size_t)n, NULL, 0);
    return 0;
}

/* sig over ctx (with its NUL) || data, using the sodium multi-part API
 * would need Ed25519ph; a prefix copy keeps plain Ed25519 (RFC 8032 pure). */
static int sign_ctx(const char *ctx, const uint8_t *data, size_t n, const uint8_t *sk, uint8_t *sig)
{
    size_t cl = strlen(ctx) + 1;
    uint8_t buf[HL_MSG_MAX_LEN + 32];
    if (n + cl > sizeof buf)
        return CAIRN_E_TOOBIG;
    memcpy(buf, ctx, cl);
    memcpy(buf + cl, data, n);
    crypto_sign_detached(sig, NULL, buf, n + cl, sk);
    return 0;
}

static int verify_ctx(const char *ctx, const uint8_t *data, size_t n, const uint8_t *pk,
                      const uint8_t *sig)
{
    size_t cl = strlen(ctx) + 1;
    uint8_t buf[HL_MSG_MAX_LEN + 32];
    if (n + cl > sizeof buf)
        return CAIRN_E_TOOBIG;
    memcpy(buf, ctx, cl);
    memcpy(buf + cl, data, n);
    return crypto_sign_verify_detached(sig, buf, n + cl, pk) == 0 ? 0 : CAIRN_E_SIGNATURE;
}

int hl_msg_sign(struct hl_msg *m, const uint8_t sk[HL_SK_LEN])
{
    uint8_t buf[HL_MSG_MAX_LEN];
    int n = hl_msg_encode_body(m, buf, sizeof buf);
    if (n < 0)
        return n;
    return sign_ctx(CTX_MSG, buf, (size_t)n, sk, m->sig);
}

int hl_msg_verify(const struct hl_msg *m, const uint8_t pk[HL_PK_LEN])
{
    uint8_t buf[HL_MSG_MAX_LEN];
    int n = hl_msg_encode_body(m, buf, sizeof buf);
    if (n < 0)
        return CAIRN_E_SIGNATURE;
    return verify_ctx(CTX_MSG, buf, (size_t)n, pk, m->sig);
}

void hl_msg_hash_raw(const uint8_t *raw, size_t len, uint8_t out[HL_HASH_LEN])
{
    crypto_generichash(out, HL_HASH_LEN, raw, len - HL_SIG_LEN, NULL, 0);
}

int hl_msg_verify_raw(const uint8_t *raw, size_t len, const uint8_t pk[HL_PK_LEN])
{
    if (len < HL_SIG_LEN)
        return CAIRN_E_SIGNATURE;
    return verify_ctx(CTX_MSG, raw, len - HL_SIG_LEN, pk, raw + len - HL_SIG_LEN);
}

/* ---- receipts --------------------------------------------------------------- */

static int rcpt_encode_unsigned(const struct hl_receipt *r, struct wr *w)
{
    w_bytes(w, "CHR1", 4);
    w_str8(w, r->from);
    w_str8(w, r->to);
    w_u64(w, r->seq);
    w_bytes(w, r->msg_hash, HL_HASH_LEN);
    w_u64(w, (uint64_t)r->stored_utc_ms);
    return w->err;
}

int hl_receipt_encode(const struct hl_receipt *r, uint8_t *out, size_t cap)
{
    struct wr w = {out, cap, 0, 0};
    rcpt_encode_unsigned(r, &w);
    w_bytes(&w, r->sig, HL_SIG_LEN);
    return w.err ? w.err : (int)w.len;
}

int hl_receipt_decode(struct hl_receipt *r, const uint8_t *buf, size_t len)
{
    struct rd d = {buf, len, 0, 0};
    memset(r, 0, sizeof *r);
    const uint8_t *magic = r_take(&d, 4);
    if (!magic)
        return d.err;
    if (memcmp(magic, "CHR1", 4) != 0)
        return CAIRN_E_FORMAT;
    r_str8(&d, r->from, HL_NAME_MAX);
    r_str8(&d, r->to, HL_NAME_MAX);
    r->seq = r_u64(&d);
    r_bytes(&d, r->msg_hash, HL_HASH_LEN);
    r->stored_utc_ms = (int64_t)r_u64(&d);
    r_bytes(&d, r->sig, HL_SIG_LEN);
    if (d.err)
        return d.err;
    if (d.pos != len || r->seq == 0 || !r->from[0] || !r->to[0])
        return CAIRN_E_FORMAT;
    return 0;
}

int hl_receipt_sign(struct hl_receipt *r, const uint8_t sk[HL_SK_LEN])
{
    uint8_t buf[HL_RECEIPT_LEN_MAX];
    struct wr w = {buf, sizeof buf, 0, 0};
    if (rcpt_encode_unsigned(r, &w))
        return w.err;
    return sign_ctx(CTX_RCPT, buf, w.len, sk, r->sig);
}

int hl_receipt_verify(const struct hl_receipt *r, const uint8_t pk[HL_PK_LEN])
{
    uint8_t buf[HL_RECEIPT_LEN_MAX];
    struct wr w = {buf, sizeof buf, 0, 0};
    if (rcpt_encode_unsigned(r, &w))
        return CAIRN_E_SIGNATURE;
    return verify_ctx(CTX_RCPT, buf, w.len, pk, r->sig);
}

/* ---- checkpoints ------------------------------------------------------------ */

static int ckpt_encode_signed_part(const struct hl_checkpoint *c, struct wr *w)
{
    w_bytes(w, "CHK1", 4);
    w_str8(w, c->from);
    w_str8(w, c->to);
    w_u64(w, c->count);
    w_bytes(w, c->head_hash, HL_HASH_LEN);
    w_u64(w, (uint64_t)c->made_utc_ms);
    w_str8(w, c->signer);
    return w->err;
}

int hl_checkpoint_encode(const struct hl_checkpoint *c, uint8_t *out, size_t cap)
{
    struct wr w = {out, cap, 0, 0};
    ckpt_encode_signed_part(c, &w);
    w_bytes(&w, c->sig, HL_SIG_LEN);
    w_str8(&w, c->countersigner);
    w_bytes(&w, c->countersig, HL_SIG_LEN);
    return w.err ? w.err : (int)w.len;
}

int hl_checkpoint_decode(struct hl_checkpoint *c, const uint8_t *buf, size_t len)
{
    struct rd d = {buf, len, 0, 0};
    memset(c, 0, sizeof *c);
    const uint8_t *magic = r_take(&d, 4);
    if (!magic)
        return d.err;
    if (memcmp(magic, "CHK1", 4) != 0)
        return CAIRN_E_FORMAT;
    r_str8(&d, c->from, HL_NAME_MAX);
    r_str8(&d, c->to, HL_NAME_MAX);
    c->count = r_u64(&d);
    r_bytes(&d, c->head_hash, HL_HASH_LEN);
    c->made_utc_ms = (int64_t)r_u64(&d);
    r_str8(&d, c->signer, HL_NAME_MAX);
    r_bytes(&d, c->sig, HL_SIG_LEN);
    r_str8(&d, c->countersigner, HL_NAME_MAX);
    r_bytes(&d, c->countersig, HL_SIG_LEN);
    if (d.err)
        return d.err;
    if (d.pos != len || c->count == 0 || !c->from[0] || !c->to[0] || !c->signer[0])
        return CAIRN_E_FORMAT;
    return 0;
}

int hl_checkpoint_sign(struct hl_checkpoint *c, const uint8_t sk[HL_SK_LEN])
{
    uint8_t buf[HL_CHECKPOINT_LEN_MAX];
    struct wr w = {buf, sizeof buf, 0, 0};
    if (ckpt_encode_signed_part(c, &w))
        return w.err;
    return sign_ctx(CTX_CKPT, buf, w.len, sk, c->sig);
}

int hl_checkpoint_countersign_raw(struct hl_checkpoint *c, const char *countersigner,
                                  const uint8_t sk[HL_SK_LEN])
{
    int rc = set_name(c->countersigner, HL_NAME_MAX, countersigner);
    if (rc)
        return rc;
    uint8_t buf[HL_CHECKPOINT_LEN_MAX];
    struct wr w = {buf, sizeof buf, 0, 0};
    if (ckpt_encode_signed_part(c, &w))
        return w.err;
    return sign_ctx(CTX_CKPT, buf, w.len, sk, c->countersig);
}

int hl_checkpoint_verify(const struct hl_checkpoint *c, const uint8_t signer_pk[HL_PK_LEN],
                         const uint8_t *countersigner_pk)
{
    uint8_t buf[HL_CHECKPOINT_LEN_MAX];
    struct wr w = {buf, sizeof buf, 0, 0};
    if (ckpt_encode_signed_part(c, &w))
        return CAIRN_E_SIGNATURE;
    if (verify_ctx(CTX_CKPT, buf, w.len, signer_pk, c->sig))
        return CAIRN_E_SIGNATURE;
    if (countersigner_pk) {
        if (!c->countersigner[0])
            return CAIRN_E_SIGNATURE;
        if (verify_ctx(CTX_CKPT, buf, w.len, countersigner_pk, c->countersig))
            return CAIRN_E_SIGNATURE;
    }
    return 0;
}
