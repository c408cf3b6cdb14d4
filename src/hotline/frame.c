/*
 * frame.c — hotline link framing and the link's own payloads (HELLO,
 * HEARTBEAT, ERROR). Pure: no I/O, no allocation, no clock.
 *
 * Specification: docs/hotline-link.md, "Frames" and "Payloads". All integers
 * are big-endian; strings are a length byte (or two) then UTF-8 bytes with no
 * terminator. Every decoder checks each length against what remains before
 * reading, and refuses trailing bytes, so one frame has one meaning.
 */
#include "hotline/frame.h"

#include <string.h>

#include "base/error.h"
#include "hotline/msg.h"

/* ---- a checked big-endian reader and a bounded writer ---- */

struct rd {
    const uint8_t *p;
    size_t len, pos;
    int bad;
};

static uint64_t rd_uint(struct rd *r, unsigned nbytes)
{
    uint64_t v = 0;
    if (r->bad || r->len - r->pos < nbytes) {
        r->bad = 1;
        return 0;
    }
    for (unsigned i = 0; i < nbytes; i++)
        v = (v << 8) | r->p[r->pos++];
    return v;
}

/* Read a string of n bytes into out (cap includes the NUL). Refuses NULs. */
static void rd_str(struct rd *r, size_t n, char *out, size_t cap)
{
    if (r->bad || n >= cap || r->len - r->pos < n) {
        r->bad = 1;
        return;
    }
    if (memchr(r->p + r->pos, 0, n) != NULL) {
        r->bad = 1;
        return;
    }
    memcpy(out, r->p + r->pos, n);
    out[n] = 0;
    r->pos += n;
}

struct wr {
    uint8_t *p;
    size_t cap, pos;
    int bad;
};

static void wr_uint(struct wr *w, uint64_t v, unsigned nbytes)
{
    if (w->bad || w->cap - w->pos < nbytes) {
        w->bad = 1;
        return;
    }
    for (unsigned i = 0; i < nbytes; i++)
        w->p[w->pos++] = (uint8_t)(v >> (8u * (nbytes - 1u - i)));
}

static void wr_bytes(struct wr *w, const void *s, size_t n)
{
    if (w->bad || w->cap - w->pos < n) {
        w->bad = 1;
        return;
    }
    memcpy(w->p + w->pos, s, n);
    w->pos += n;
}

/* ---- frames ---- */

int hl_frame_parse(const uint8_t *p, size_t len, struct hl_frame *out, struct hl_frame_stats *st)
{
    if (len < 1)
        return CAIRN_E_NEEDMORE;
    uint8_t type = p[0];
    if (type < HL_FT_MIN || type > HL_FT_MAX) {
        if (st)
            st->bad_type++;
        return CAIRN_E_MSGTYPE;
    }
    if (len < HL_FRAME_HDR_LEN)
        return CAIRN_E_NEEDMORE;
    uint32_t plen = (uint32_t)p[1] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 8 | p[4];
    if (plen > HL_FRAME_MAX_LEN || (type == HL_FT_PICTURE && plen > HL_PICTURE_MAX_LEN)) {
        if (st)
            st->oversized++;
        return CAIRN_E_TOOBIG;
    }
    if (len - HL_FRAME_HDR_LEN < plen)
        return CAIRN_E_NEEDMORE;
    out->type = type;
    out->len = plen;
    out->payload = p + HL_FRAME_HDR_LEN;
    if (st)
        st->frames++;
    return (int)(HL_FRAME_HDR_LEN + plen);
}

void hl_frame_put_header(uint8_t hdr[HL_FRAME_HDR_LEN], enum hl_frame_type type, uint32_t len)
{
    hdr[0] = (uint8_t)type;
    hdr[1] = (uint8_t)(len >> 24);
    hdr[2] = (uint8_t)(len >> 16);
    hdr[3] = (uint8_t)(len >> 8);
    hdr[4] = (uint8_t)len;
}

const char *hl_frame_type_name(unsigned type)
{
    static const char *const names[] = {
        "?",          "hello",          "msg",   "receipt", "heartbeat",
        "checkpoint", "checkpoint_sig", "error", "picture"};
    return type < sizeof names / sizeof names[0] ? names[type] : "?";
}

/* ---- HELLO ---- */

static int name_ok(const char *s)
{
    size_t n = strlen(s);
    return n > 0 && n <= HL_NAME_MAX;
}

int hl_hello_encode(const struct hl_hello *h, uint8_t *out, size_t cap)
{
    if (!name_ok(h->from) || !name_ok(h->to))
        return CAIRN_E_INVAL;
    struct wr w = {out, cap, 0, 0};
    wr_uint(&w, h->version, 4);
    size_t nf = strlen(h->from), nt = strlen(h->to);
    wr_uint(&w, nf, 1);
    wr_bytes(&w, h->from, nf);
    wr_uint(&w, nt, 1);
    wr_bytes(&w, h->to, nt);
    wr_uint(&w, h->rx_have, 8);
    wr_uint(&w, h->tx_acked, 8);
    wr_uint(&w, h->tx_head, 8);
    wr_uint(&w, (uint64_t)h->t_utc_ms, 8);
    wr_uint(&w, h->window, 4);
    wr_uint(&w, h->incarnation, 8);
    return w.bad ? CAIRN_E_FULL : (int)w.pos;
}

int hl_hello_decode(const uint8_t *p, size_t len, struct hl_hello *h)
{
    struct rd r = {p, len, 0, 0};
    memset(h, 0, sizeof *h);
    h->version = (uint32_t)rd_uint(&r, 4);
    rd_str(&r, (size_t)rd_uint(&r, 1), h->from, sizeof h->from);
    rd_str(&r, (size_t)rd_uint(&r, 1), h->to, sizeof h->to);
    h->rx_have = rd_uint(&r, 8);
    h->tx_acked = rd_uint(&r, 8);
    h->tx_head = rd_uint(&r, 8);
    h->t_utc_ms = (int64_t)rd_uint(&r, 8);
    h->window = (uint32_t)rd_uint(&r, 4);
    h->incarnation = rd_uint(&r, 8);
    if (r.bad || r.pos != len || h->version != HL_PROTO_VERSION || !h->from[0] || !h->to[0])
        return CAIRN_E_FORMAT;
    /* Centre names are logged: one with a control character (a newline
     * forging a log line, an ESC, a bidi override) or invalid UTF-8 is no
     * name (hl_text_ok). */
    if (!hl_text_ok(h->from, strlen(h->from), false) || !hl_text_ok(h->to, strlen(h->to), false))
        return CAIRN_E_FORMAT;
    /* A peer cannot have receipted more than it sent. */
    if (h->tx_acked > h->tx_head)
        return CAIRN_E_FORMAT;
    return 0;
}

/* ---- HEARTBEAT ---- */

int hl_heartbeat_encode(const struct hl_heartbeat *h, uint8_t *out, size_t cap)
{
    struct wr w = {out, cap, 0, 0};
    wr_uint(&w, h->nonce, 8);
    wr_uint(&w, (uint64_t)h->t_utc_ms, 8);
    wr_uint(&w, h->is_reply ? 1u : 0u, 1);
    return w.bad ? CAIRN_E_FULL : (int)w.pos;
}

int hl_heartbeat_decode(const uint8_t *p, size_t len, struct hl_heartbeat *h)
{
    struct rd r = {p, len, 0, 0};
    h->nonce = rd_uint(&r, 8);
    h->t_utc_ms = (int64_t)rd_uint(&r, 8);
    uint64_t rep = rd_uint(&r, 1);
    if (r.bad || r.pos != len || rep > 1)
        return CAIRN_E_FORMAT;
    h->is_reply = (uint8_t)rep;
    return 0;
}

/* ---- ERROR ---- */

int hl_error_encode(const struct hl_error *e, uint8_t *out, size_t cap)
{
    size_t n = strnlen(e->text, HL_ERROR_TEXT_MAX);
    struct wr w = {out, cap, 0, 0};
    wr_uint(&w, (uint32_t)e->code, 4);
    wr_uint(&w, e->seq, 8);
    wr_uint(&w, n, 2);
    wr_bytes(&w, e->text, n);
    return w.bad ? CAIRN_E_FULL : (int)w.pos;
}

int hl_error_decode(const uint8_t *p, size_t len, struct hl_error *e)
{
    struct rd r = {p, len, 0, 0};
    memset(e, 0, sizeof *e);
    e->code = (int32_t)(uint32_t)rd_uint(&r, 4);
    e->seq = rd_uint(&r, 8);
    rd_str(&r, (size_t)rd_uint(&r, 2), e->text, sizeof e->text);
    if (r.bad || r.pos != len || e->code > 0)
        return CAIRN_E_FORMAT;
    return 0;
}

/* ---- PICTURE ---- */

void hl_picture_put_header(uint8_t hdr[HL_PICTURE_HDR_LEN], uint64_t seq, int64_t t_utc_ms)
{
    struct wr w = {hdr, HL_PICTURE_HDR_LEN, 0, 0};
    wr_uint(&w, HL_PICTURE_VERSION, 1);
    wr_uint(&w, seq, 8);
    wr_uint(&w, (uint64_t)t_utc_ms, 8);
}

int hl_picture_decode(const uint8_t *p, size_t len, struct hl_picture *out)
{
    if (len < HL_PICTURE_HDR_LEN || len > HL_PICTURE_MAX_LEN)
        return CAIRN_E_FORMAT;
    struct rd r = {p, len, 0, 0};
    if (rd_uint(&r, 1) != HL_PICTURE_VERSION)
        return CAIRN_E_FORMAT;
    out->seq = rd_uint(&r, 8);
    out->t_utc_ms = (int64_t)rd_uint(&r, 8);
    out->data = p + HL_PICTURE_HDR_LEN;
    out->len = len - HL_PICTURE_HDR_LEN;
    return r.bad ? CAIRN_E_FORMAT : 0;
}
