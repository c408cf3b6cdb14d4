/*
 * ais.c — AIS sentences to messages: fragment reassembly, payload checks,
 * type 24 pairing and the line stream parser. See ais.h.
 *
 * References: IEC 61162-1 Ed. 5 §8 (VDM/VDO: fragment count, number,
 * sequential message id, channel, fill bits); ITU-R M.1371-5 Annex 8 §3
 * (message types and their lengths).
 *
 * Reassembly. A message longer than one sentence arrives as sentences
 * 1..n sharing a sequential message id (0..9) on one channel. The pending
 * table is keyed by (channel, id); sentences may arrive in any order and
 * are joined in number order once all are in. Invariants:
 *   1. an entry is used iff at least one of its sentences is stored;
 *   2. a sentence number is stored at most once per entry (a second copy is
 *      a duplicate: counted, dropped) — except sentence 1, whose return
 *      means the id was reused for a new message: the old one is dropped;
 *   3. an entry older than AIS_FRAG_TIMEOUT_MS is dropped before any lookup;
 *   4. when the table is full the oldest entry makes room.
 * Fill bits are removed after each sentence, as gpsd does, so a sentence
 * with fill bits in the middle of a message shifts what follows.
 */
#include "decode/ais/ais.h"

#include <string.h>

#include "base/error.h"
#include "decode/ais/sixbit.h"

uint64_t ais_stats_refused(const struct ais_stats *s)
{
    return s->bad_checksum + s->bad_format + s->bad_payload + s->frag_order + s->frag_timeout +
           s->frag_evicted + s->bad_length + s->bad_type + s->long_line;
}

void ais_ctx_init(struct ais_ctx *ctx)
{
    memset(ctx, 0, sizeof *ctx);
}

uint32_t ais_msg_u(const struct ais_msg *m, size_t pos, unsigned n)
{
    return ais_bits_u(m->bits, AIS_MAX_BITS, pos, n);
}

int32_t ais_msg_s(const struct ais_msg *m, size_t pos, unsigned n)
{
    return ais_bits_s(m->bits, AIS_MAX_BITS, pos, n);
}

void ais_msg_text(const struct ais_msg *m, size_t pos, unsigned nchars, char *out, size_t cap)
{
    ais_text(m->bits, AIS_MAX_BITS, pos, nchars, out, cap, 1);
}

/* Allowed payload lengths per type (gpsd's checks, which follow M.1371's
 * message lengths with the tolerances real transmitters need). */
static int length_ok(unsigned type, size_t nbits, const struct ais_msg *m)
{
    switch (type) {
    case 1:
    case 2:
    case 3:
        /* 168 nominal; 163..204 seen in the wild (USCG class A notes). */
        return nbits >= 163 && nbits <= 204;
    case 4:
    case 11:
    case 9:
    case 18:
    case 22:
        return nbits >= 168;
    case 5:
        /* 424 nominal; many transmitters send 420 or 422. */
        return nbits >= 420;
    case 6:
        return nbits >= 88 && nbits <= 1008;
    case 7:
    case 13:
        return nbits >= 72 && nbits <= 168;
    case 8:
        return nbits >= 56 && nbits <= 1008;
    case 10:
        return nbits >= 72;
    case 12:
        return nbits >= 72 && nbits <= 1008;
    case 14:
        return nbits >= 40 && nbits <= 960;
    case 15:
        return nbits >= 88 && nbits <= 168;
    case 16:
        return nbits >= 96 && nbits <= 168;
    case 17:
        return nbits >= 80 && nbits <= 816;
    case 19:
        return nbits >= 312;
    case 20:
        return nbits >= 72 && nbits <= 186;
    case 21:
        return nbits >= 272 && nbits <= 368;
    case 23:
        return nbits >= 160;
    case 24:
        switch (ais_msg_u(m, 38, 2)) {
        case 0:
            return nbits >= 160 && nbits <= 168;
        case 1:
            return nbits >= 168;
        default:
            return 0;
        }
    case 25: {
        if (nbits < 40 || nbits > 168)
            return 0;
        unsigned addressed = ais_msg_u(m, 38, 1), structured = ais_msg_u(m, 39, 1);
        return nbits >= 40 + 16 * structured + 30 * addressed;
    }
    case 26: {
        if (nbits < 60 || nbits > 1004)
            return 0;
        unsigned addressed = ais_msg_u(m, 38, 1), structured = ais_msg_u(m, 39, 1);
        return nbits >= 40 + 16 * structured + 30 * addressed + 20;
    }
    case 27:
        /* 96 nominal; 168 (a full slot) seen in the wild. */
        return nbits == 96 || nbits == 168;
    default:
        return -1;
    }
}

/* The payload is in out->bits/nbits; check it and fill the header. */
static int finish(struct ais_ctx *ctx, struct ais_msg *out)
{
    out->type = (uint8_t)ais_msg_u(out, 0, 6);
    out->repeat = (uint8_t)ais_msg_u(out, 6, 2);
    out->mmsi = ais_msg_u(out, 8, 30);
    out->part24 = 0;
    out->shipname24[0] = 0;
    int ok = length_ok(out->type, out->nbits, out);
    if (ok < 0) {
        ctx->stats.bad_type++;
        return CAIRN_E_PAYLOAD;
    }
    if (!ok) {
        ctx->stats.bad_length++;
        return CAIRN_E_PAYLOAD;
    }
    if (out->type == 24) {
        if (ais_msg_u(out, 38, 2) == 0) {
            /* Part A: keep the name for the part B that follows. */
            struct ais_t24a *q = &ctx->t24[ctx->t24_next];
            q->mmsi = out->mmsi;
            ais_msg_text(out, 40, 20, q->shipname, sizeof q->shipname);
            ctx->t24_next = (ctx->t24_next + 1) % AIS_T24_QUEUE;
            out->part24 = AIS_24_A;
        } else {
            out->part24 = AIS_24_B;
            for (unsigned i = 0; i < AIS_T24_QUEUE; i++) {
                if (ctx->t24[i].mmsi == out->mmsi && out->mmsi != 0) {
                    memcpy(out->shipname24, ctx->t24[i].shipname, sizeof out->shipname24);
                    ctx->t24[i].mmsi = 0; /* a repeated part B must not match again */
                    out->part24 = AIS_24_AB;
                    break;
                }
            }
        }
    }
    ctx->stats.messages++;
    return 0;
}

int ais_msg_decode(struct ais_ctx *ctx, const uint8_t *bits, size_t nbits, struct ais_msg *out)
{
    if (nbits > AIS_MAX_BITS) {
        ctx->stats.bad_payload++;
        return CAIRN_E_PAYLOAD;
    }
    if (bits != out->bits) {
        memset(out->bits, 0, sizeof out->bits);
        memcpy(out->bits, bits, (nbits + 7) / 8);
    }
    out->nbits = (uint16_t)nbits;
    return finish(ctx, out);
}

/* Remove fill bits after a sentence: they stay in the buffer (gpsd prints
 * them in unmasked binary data) unless another sentence follows. */
static void drop_fill(struct ais_msg *out, size_t *nbits, unsigned fill, int more)
{
    size_t n = *nbits >= fill ? *nbits - fill : 0;
    if (more) {
        for (size_t p = n; p < *nbits; p++)
            out->bits[p >> 3] &= (uint8_t) ~(0x80u >> (p & 7));
    }
    *nbits = n;
}

static void pending_drop(struct ais_pending *p)
{
    p->used = 0;
    p->have = 0;
}

static struct ais_pending *pending_find(struct ais_ctx *ctx, char channel, int8_t seq)
{
    for (unsigned i = 0; i < AIS_MAX_PENDING; i++) {
        struct ais_pending *p = &ctx->pending[i];
        if (p->used && p->channel == channel && p->seq == seq)
            return p;
    }
    return NULL;
}

static struct ais_pending *pending_new(struct ais_ctx *ctx)
{
    struct ais_pending *oldest = &ctx->pending[0];
    for (unsigned i = 0; i < AIS_MAX_PENDING; i++) {
        struct ais_pending *p = &ctx->pending[i];
        if (!p->used)
            return p;
        if (p->order < oldest->order)
            oldest = p;
    }
    ctx->stats.frag_evicted++;
    pending_drop(oldest);
    return oldest;
}

static void expire(struct ais_ctx *ctx, int64_t now_ms)
{
    for (unsigned i = 0; i < AIS_MAX_PENDING; i++) {
        struct ais_pending *p = &ctx->pending[i];
        if (p->used &&
            (now_ms - p->t_ms > AIS_FRAG_TIMEOUT_MS || now_ms < p->t_ms - AIS_FRAG_TIMEOUT_MS)) {
            ctx->stats.frag_timeout++;
            pending_drop(p);
        }
    }
}

static void msg_start(struct ais_msg *out, const struct nmea_vdm *v, int64_t t_ms)
{
    memset(out->bits, 0, sizeof out->bits);
    out->channel = v->channel;
    out->own = v->own;
    memcpy(out->talker, v->talker, sizeof out->talker);
    out->t_ms = t_ms;
    out->tag = v->tag;
}

static int single(struct ais_ctx *ctx, const struct nmea_vdm *v, int64_t t_ms, struct ais_msg *out)
{
    msg_start(out, v, t_ms);
    size_t nbits = 0;
    int rc = ais_dearmour(v->payload, v->payload_len, out->bits, AIS_MAX_BITS, &nbits);
    if (rc) {
        ctx->stats.bad_payload++;
        return rc;
    }
    drop_fill(out, &nbits, v->fill, 0);
    out->nbits = (uint16_t)nbits;
    rc = finish(ctx, out);
    return rc ? rc : 1;
}

static int fragment(struct ais_ctx *ctx, const struct nmea_vdm *v, int64_t now_ms, int64_t t_ms,
                    struct ais_msg *out)
{
    if (v->payload_len > AIS_FRAG_MAX_CHARS) {
        ctx->stats.bad_payload++;
        return CAIRN_E_PAYLOAD;
    }
    for (size_t i = 0; i < v->payload_len; i++) {
        if (ais_armour_value((unsigned char)v->payload[i]) < 0) {
            ctx->stats.bad_payload++;
            return CAIRN_E_PAYLOAD;
        }
    }
    expire(ctx, now_ms);
    unsigned k = (unsigned)v->frag - 1;
    struct ais_pending *p = pending_find(ctx, v->channel, v->seq);
    if (p && (p->nfrags != v->nfrags || (k == 0 && (p->have & 1u)))) {
        /* The id was reused for a new message: the old one is lost. */
        ctx->stats.frag_order++;
        pending_drop(p);
        p = NULL;
    }
    if (p && (p->have & (1u << k))) {
        ctx->stats.frag_order++;
        return CAIRN_E_FRAGMENT;
    }
    if (!p) {
        p = pending_new(ctx);
        p->used = 1;
        p->nfrags = v->nfrags;
        p->channel = v->channel;
        p->seq = v->seq;
        p->have = 0;
        p->t_ms = now_ms;
        p->order = ++ctx->order;
        memset(&p->tag, 0, sizeof p->tag);
    }
    if (k == 0 || !(p->tag.has & NMEA_TAG_TIME)) {
        p->tag = v->tag;
        memcpy(p->talker, v->talker, sizeof p->talker);
        p->own = v->own;
    }
    memcpy(p->payload[k], v->payload, v->payload_len);
    p->len[k] = (uint8_t)v->payload_len;
    p->fill[k] = v->fill;
    p->have |= (uint16_t)(1u << k);
    if (p->have != (1u << p->nfrags) - 1)
        return 0;

    /* All sentences are in: join them in number order. */
    struct nmea_vdm first = *v;
    first.tag = p->tag;
    memcpy(first.talker, p->talker, sizeof first.talker);
    first.own = p->own;
    msg_start(out, &first, (p->tag.has & NMEA_TAG_TIME) ? p->tag.time_ms : t_ms);
    size_t nbits = 0;
    int rc = 0;
    for (unsigned i = 0; i < p->nfrags && !rc; i++) {
        rc = ais_dearmour(p->payload[i], p->len[i], out->bits, AIS_MAX_BITS, &nbits);
        if (!rc)
            drop_fill(out, &nbits, p->fill[i], i + 1 < p->nfrags);
    }
    pending_drop(p);
    if (rc) {
        ctx->stats.bad_payload++;
        return rc;
    }
    out->nbits = (uint16_t)nbits;
    rc = finish(ctx, out);
    return rc ? rc : 1;
}

int ais_decode_line(struct ais_ctx *ctx, const char *line, size_t len, int64_t now_ms,
                    struct ais_msg *out)
{
    struct nmea_vdm v;
    int rc = nmea_parse_vdm(line, len, &v);
    switch (rc) {
    case 0:
        break;
    case CAIRN_E_NOTFOUND:
        ctx->stats.other_lines++;
        return 0;
    case CAIRN_E_CHECKSUM:
        ctx->stats.bad_checksum++;
        return rc;
    default:
        ctx->stats.bad_format++;
        return rc;
    }
    ctx->stats.sentences++;
    if (v.tag_error)
        ctx->stats.bad_tag++;
    if (v.extra_fields)
        ctx->stats.extra_fields++;
    /* The message is dated by its TAG block when it has one; fragment
     * timeouts always run on the caller's clock, as TAG times come from
     * the sender and may be late, missing or out of order. */
    int64_t t_ms = (v.tag.has & NMEA_TAG_TIME) ? v.tag.time_ms : now_ms;
    if (v.nfrags == 1)
        return single(ctx, &v, t_ms, out);
    return fragment(ctx, &v, now_ms, t_ms, out);
}

static size_t one_line(struct ais_ctx *ctx, const char *p, size_t n, int64_t now_ms,
                       ais_msg_cb on_msg, void *user)
{
    /* One message buffer per call; it is large, so not on a small stack
     * twice: callers do not recurse. */
    struct ais_msg m;
    if (n == 0)
        return 0;
    ctx->stats.lines++;
    if (ais_decode_line(ctx, p, n, now_ms, &m) == 1) {
        if (on_msg)
            on_msg(user, &m);
        return 1;
    }
    return 0;
}

size_t ais_feed(struct ais_ctx *ctx, const char *data, size_t len, int64_t now_ms,
                ais_msg_cb on_msg, void *user)
{
    size_t delivered = 0;
    size_t i = 0;
    while (i < len) {
        /* Find the end of the current line: LF, CR or CRLF (memchr is
         * vectorised; the CR of a CRLF ends the line, the LF an empty one). */
        const char *lf = memchr(data + i, '\n', len - i);
        size_t j = lf ? (size_t)(lf - data) : len;
        const char *cr = memchr(data + i, '\r', j - i);
        if (cr)
            j = (size_t)(cr - data);
        if (j == len) {
            /* No terminator: keep the piece for the next call. */
            size_t n = len - i;
            if (ctx->line_overflow || ctx->line_len + n > sizeof ctx->line) {
                if (!ctx->line_overflow)
                    ctx->stats.long_line++;
                ctx->line_overflow = 1;
                ctx->line_len = 0;
            } else {
                memcpy(ctx->line + ctx->line_len, data + i, n);
                ctx->line_len += n;
            }
            break;
        }
        if (ctx->line_overflow) {
            ctx->line_overflow = 0;
        } else if (ctx->line_len == 0) {
            delivered += one_line(ctx, data + i, j - i, now_ms, on_msg, user);
        } else if (ctx->line_len + (j - i) > sizeof ctx->line) {
            ctx->stats.long_line++;
        } else {
            memcpy(ctx->line + ctx->line_len, data + i, j - i);
            delivered += one_line(ctx, ctx->line, ctx->line_len + (j - i), now_ms, on_msg, user);
        }
        ctx->line_len = 0;
        i = j + 1;
    }
    return delivered;
}

size_t ais_flush(struct ais_ctx *ctx, int64_t now_ms, ais_msg_cb on_msg, void *user)
{
    size_t n = 0;
    if (!ctx->line_overflow && ctx->line_len > 0)
        n = one_line(ctx, ctx->line, ctx->line_len, now_ms, on_msg, user);
    ctx->line_len = 0;
    ctx->line_overflow = 0;
    return n;
}
