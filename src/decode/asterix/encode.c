/*
 * encode.c — the ASTERIX encoder (see encode.h for the three layers).
 *
 * Items are written MSB first with a bounded bit writer. Every structure kind
 * of EUROCONTROL ASTERIX Part 1 (ed. 2.4, sec. 4.3 to 4.7) maps to one case
 * of enc_node():
 *
 *   element / spare   bits, spares as zeros
 *   group             children in order
 *   extended          octets of children, each closed by FX: 1 when another
 *                     octet follows, 0 on the last one sent
 *   repetitive        REP octet(s) then the copies, or copies of 7 bits each
 *                     closed by an FX bit
 *   explicit          LEN octet (counts itself) then the content
 *   compound          presence octets (7 slots each, FX-chained, as few as
 *                     the highest present slot needs) then the present subitems
 *
 * The FSPEC of a record follows the compound rule with FRN f in octet
 * (f - 1) / 7, bit 8 - (f - 1) % 7 (bit 8 = MSB).
 */
#include "decode/asterix/encode.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/bits.h"
#include "base/error.h"
#include "decode/asterix/walk.h"

/* Octets of one FSPEC or compound presence chain: 7 flags + FX. */
#define FLAGS_PER_OCTET 7u
/* The explicit length octet and the repetition count are single octets. */
#define OCTET_MAX 255u

struct wr {
    uint8_t *p;
    size_t cap_bits;
    size_t pos; /* next bit */
};

static int wr_bits(struct wr *w, unsigned n, uint64_t v)
{
    if (n == 0)
        return 0;
    if (w->pos + n > w->cap_bits)
        return CAIRN_E_FULL;
    /* a byte (or the part of one) at a time; bits_put() goes bit by bit */
    size_t pos = w->pos;
    w->pos += n;
    while (n > 0) {
        unsigned room = 8u - (unsigned)(pos & 7u);
        unsigned k = n < room ? n : room;
        unsigned shift = room - k;
        unsigned mask = ((1u << k) - 1u) << shift;
        unsigned bits = (unsigned)((v >> (n - k)) & ((1u << k) - 1u)) << shift;
        w->p[pos >> 3] = (uint8_t)((w->p[pos >> 3] & ~mask) | bits);
        pos += k;
        n -= k;
    }
    return 0;
}

static int wr_zeros(struct wr *w, unsigned n)
{
    while (n > 0) {
        unsigned k = n > 64 ? 64 : n;
        int rc = wr_bits(w, k, 0);
        if (rc)
            return rc;
        n -= k;
    }
    return 0;
}

static int enc_node(struct wr *w, const struct ax_node *n, const struct ax_val *v);

static int enc_element(struct wr *w, const struct ax_node *n, const struct ax_val *v)
{
    unsigned bits = n->bits;
    if (bits == 0)
        return CAIRN_E_INVAL;
    if (v == NULL || v->node == NULL)
        return wr_zeros(w, bits);
    if (bits <= 64 && v->bytes == NULL) {
        if (bits < 64 && (v->raw >> bits) != 0)
            return CAIRN_E_RANGE;
        return wr_bits(w, bits, v->raw);
    }
    /* Wide (or byte-supplied) element: right-aligned octets. */
    size_t need = ((size_t)bits + 7) / 8;
    if (v->bytes == NULL || v->len != need)
        return CAIRN_E_INVAL;
    unsigned head = bits - 8u * (unsigned)(need - 1); /* bits taken from bytes[0] */
    if (head < 8 && (v->bytes[0] >> head) != 0)
        return CAIRN_E_RANGE;
    int rc = wr_bits(w, head, v->bytes[0]);
    for (size_t i = 1; rc == 0 && i < need; i++)
        rc = wr_bits(w, 8, v->bytes[i]);
    return rc;
}

static const struct ax_val *child(const struct ax_val *v, unsigned i)
{
    return (v != NULL && i < v->n_sub && v->sub != NULL) ? &v->sub[i] : NULL;
}

static int enc_extended(struct wr *w, const struct ax_node *n, const struct ax_val *v)
{
    unsigned count = v ? v->n_sub : 0;
    if (count == 0) { /* the first octet: up to the first FX */
        while (count < n->n_sub && n->sub[count].kind != AX_FX)
            count++;
    }
    if (count > n->n_sub)
        return CAIRN_E_INVAL;
    for (unsigned i = 0; i < n->n_sub; i++) {
        const struct ax_node *c = &n->sub[i];
        if (c->kind == AX_FX) {
            int more = i < count && i + 1 < n->n_sub;
            int rc = wr_bits(w, 1, more ? 1u : 0u);
            if (rc || !more)
                return rc;
            continue;
        }
        if (i >= count)
            return CAIRN_E_INVAL; /* n_sub does not end at an octet boundary */
        int rc = enc_node(w, c, child(v, i));
        if (rc)
            return rc;
    }
    return 0;
}

static int enc_repetitive(struct wr *w, const struct ax_node *n, const struct ax_val *v)
{
    if (n->n_sub != 1)
        return CAIRN_E_INVAL;
    unsigned reps = v ? v->n_sub : 0;
    if (n->rep_bytes > 0) {
        unsigned rb = n->rep_bytes;
        if (rb < sizeof(unsigned) && (reps >> (8 * rb)) != 0)
            return CAIRN_E_RANGE;
        int rc = wr_bits(w, 8 * rb, reps);
        for (unsigned i = 0; rc == 0 && i < reps; i++)
            rc = enc_node(w, &n->sub[0], &v->sub[i]);
        return rc;
    }
    /* FX-chained: at least one copy, each followed by its FX bit. */
    if (reps == 0)
        return CAIRN_E_INVAL;
    for (unsigned i = 0; i < reps; i++) {
        int rc = enc_node(w, &n->sub[0], &v->sub[i]);
        if (rc == 0)
            rc = wr_bits(w, 1, i + 1 < reps ? 1u : 0u);
        if (rc)
            return rc;
    }
    return 0;
}

static int enc_explicit(struct wr *w, const struct ax_node *n, const struct ax_val *v)
{
    if (w->pos % 8 != 0)
        return CAIRN_E_INVAL;
    size_t start = w->pos;
    int rc = wr_bits(w, 8, 0); /* length, patched below */
    if (rc)
        return rc;
    if (v != NULL && v->bytes != NULL) {
        /* raw content, also for a described one that did not parse */
        for (size_t i = 0; rc == 0 && i < v->len; i++)
            rc = wr_bits(w, 8, v->bytes[i]);
    } else if (n->n_sub == 1) {
        rc = enc_node(w, &n->sub[0], child(v, 0));
    } else if (v != NULL && v->len > 0) {
        return CAIRN_E_INVAL;
    }
    if (rc)
        return rc;
    if (w->pos % 8 != 0)
        return CAIRN_E_INVAL;
    size_t len = (w->pos - start) / 8;
    if (len > OCTET_MAX)
        return CAIRN_E_RANGE;
    bits_put(w->p, start, 8, len);
    return 0;
}

static int enc_compound(struct wr *w, const struct ax_node *n, const struct ax_val *v)
{
    unsigned slots = v ? v->n_sub : 0;
    if (slots > n->n_sub)
        return CAIRN_E_INVAL;
    int highest = -1;
    for (unsigned i = 0; i < slots; i++) {
        if (v->sub[i].node == NULL)
            continue;
        if (n->sub[i].kind == AX_ABSENT)
            return CAIRN_E_INVAL;
        highest = (int)i;
    }
    unsigned octets = highest < 0 ? 1u : (unsigned)highest / FLAGS_PER_OCTET + 1u;
    if (v != NULL && v->len > octets) /* a sender's trailing empty octets */
        octets = v->len;
    for (unsigned o = 0; o < octets; o++) {
        for (unsigned b = 0; b < FLAGS_PER_OCTET; b++) {
            unsigned i = o * FLAGS_PER_OCTET + b;
            unsigned bit = (i < slots && v->sub[i].node != NULL) ? 1u : 0u;
            int rc = wr_bits(w, 1, bit);
            if (rc)
                return rc;
        }
        int rc = wr_bits(w, 1, o + 1 < octets ? 1u : 0u);
        if (rc)
            return rc;
    }
    for (unsigned i = 0; i < slots; i++) {
        if (v->sub[i].node == NULL)
            continue;
        int rc = enc_node(w, &n->sub[i], &v->sub[i]);
        if (rc)
            return rc;
    }
    return 0;
}

static int enc_node(struct wr *w, const struct ax_node *n, const struct ax_val *v)
{
    switch ((enum ax_kind)n->kind) {
    case AX_ELEMENT:
        return enc_element(w, n, v);
    case AX_SPARE:
        /* zeros, unless the caller keeps what a sender put there */
        if (v != NULL && v->node != NULL && n->bits <= 64)
            return enc_element(w, n, v);
        return wr_zeros(w, n->bits);
    case AX_GROUP:
        for (unsigned i = 0; i < n->n_sub; i++) {
            const struct ax_node *c = &n->sub[i];
            int rc = c->kind == AX_FX ? wr_bits(w, 1, 0) : enc_node(w, c, child(v, i));
            if (rc)
                return rc;
        }
        return 0;
    case AX_EXTENDED:
        return enc_extended(w, n, v);
    case AX_REPETITIVE:
        return enc_repetitive(w, n, v);
    case AX_EXPLICIT:
        return enc_explicit(w, n, v);
    case AX_COMPOUND:
        return enc_compound(w, n, v);
    case AX_FX:
    case AX_ABSENT:
        break;
    }
    return CAIRN_E_INVAL;
}

int ax_item_encode(const struct ax_val *v, uint8_t *out, size_t cap)
{
    if (v == NULL || v->node == NULL)
        return CAIRN_E_INVAL;
    struct wr w = {.p = out, .cap_bits = 8 * cap, .pos = 0};
    int rc = enc_node(&w, v->node, v);
    if (rc)
        return rc;
    if (w.pos == 0 || w.pos % 8 != 0)
        return CAIRN_E_INVAL; /* an item is a whole number of octets */
    if (w.pos / 8 > (size_t)INT32_MAX)
        return CAIRN_E_RANGE;
    return (int)(w.pos / 8);
}

/* Is FRN frn a slot of c (of either UAP, for categories with two) holding
 * desc (any item when desc is NULL)? The decoder picks the UAP per record
 * (CAT001 plot or track); which one a record uses is in its own bytes. */
static int uap_has(const struct ax_category *c, unsigned frn, const struct ax_node *desc)
{
    const struct ax_node *a = frn <= c->n_uap ? c->uap[frn - 1] : NULL;
    const struct ax_node *b =
        c->uap_alt != NULL && frn <= c->n_uap_alt ? c->uap_alt[frn - 1] : NULL;
    if (desc == NULL)
        return a != NULL || b != NULL;
    return a == desc || b == desc;
}

int ax_record_encode(const struct ax_record *r, uint8_t *out, size_t cap)
{
    /* A record without items is meaningless, except as a decoded one that a
     * sender really sent (FSPEC octets all zero): that one is reproduced. */
    if ((r->n_items == 0 && r->p == NULL) || r->n_items > AX_MAX_FRN)
        return CAIRN_E_INVAL;
    unsigned prev = 0;
    size_t body = 0;
    for (unsigned i = 0; i < r->n_items; i++) {
        const struct ax_item *it = &r->items[i];
        if (it->frn <= prev || it->frn > AX_MAX_FRN || (it->len > 0 && it->p == NULL))
            return CAIRN_E_INVAL;
        if (r->cat != NULL && !uap_has(r->cat, it->frn, it->desc))
            return CAIRN_E_INVAL;
        prev = it->frn;
        body += it->len;
    }
    size_t fspec = prev == 0 ? 1 : (prev - 1) / FLAGS_PER_OCTET + 1;
    if (r->p != NULL) { /* a decoded record: keep its FSPEC's trailing empty octets */
        size_t had = 0;
        while (had < r->len && had < AX_MAX_FSPEC && (r->p[had] & 1u))
            had++;
        if (had < r->len)
            had++;
        if (had > fspec)
            fspec = had;
    }
    if (fspec + body > cap)
        return CAIRN_E_FULL;
    if (fspec + body > (size_t)INT32_MAX)
        return CAIRN_E_RANGE;
    memset(out, 0, fspec);
    for (unsigned i = 0; i < r->n_items; i++) {
        unsigned k = r->items[i].frn - 1u;
        out[k / FLAGS_PER_OCTET] |= (uint8_t)(0x80u >> (k % FLAGS_PER_OCTET));
    }
    for (size_t o = 0; o + 1 < fspec; o++)
        out[o] |= 0x01u; /* FX: another FSPEC octet follows */
    size_t off = fspec;
    for (unsigned i = 0; i < r->n_items; i++) {
        if (r->items[i].len)
            memcpy(out + off, r->items[i].p, r->items[i].len);
        off += r->items[i].len;
    }
    return (int)off;
}

int ax_record_add(struct ax_record *r, const struct ax_category *c, const struct ax_node *item,
                  const uint8_t *p, uint16_t len)
{
    unsigned frn = ax_category_frn(c, item);
    for (unsigned i = 0; frn == 0 && c->uap_alt != NULL && i < c->n_uap_alt; i++)
        if (c->uap_alt[i] == item)
            frn = i + 1; /* an item only the second UAP has */
    if (frn == 0)
        return CAIRN_E_NOTFOUND;
    return ax_record_add_at(r, c, frn, item, p, len);
}

int ax_record_add_at(struct ax_record *r, const struct ax_category *c, unsigned frn,
                     const struct ax_node *item, const uint8_t *p, uint16_t len)
{
    if (frn == 0 || frn > AX_MAX_FRN || !uap_has(c, frn, item))
        return CAIRN_E_NOTFOUND;
    for (unsigned i = 0; i < r->n_items; i++)
        if (r->items[i].frn == frn)
            return CAIRN_E_EXISTS;
    if (r->n_items >= AX_MAX_FRN)
        return CAIRN_E_FULL;
    struct ax_item *it = &r->items[r->n_items++];
    it->desc = item;
    it->p = p;
    it->len = len;
    it->frn = (uint8_t)frn;
    r->cat = c;
    return 0;
}

void ax_record_sort(struct ax_record *r)
{
    for (unsigned i = 1; i < r->n_items; i++) {
        struct ax_item t = r->items[i];
        unsigned j = i;
        while (j > 0 && r->items[j - 1].frn > t.frn) {
            r->items[j] = r->items[j - 1];
            j--;
        }
        r->items[j] = t;
    }
}

void ax_bw_init(struct ax_block_writer *w, uint8_t *buf, size_t cap)
{
    memset(w, 0, sizeof *w);
    w->buf = buf;
    w->cap = cap;
}

static void bw_close(struct ax_block_writer *w)
{
    if (!w->open)
        return;
    if (w->n_records == 0) { /* an empty block is dropped, not sent */
        w->len = w->start;
        w->n_blocks--;
    } else {
        size_t blen = w->len - w->start;
        w->buf[w->start + 1] = (uint8_t)(blen >> 8);
        w->buf[w->start + 2] = (uint8_t)(blen & 0xffu);
    }
    w->open = 0;
}

uint8_t *ax_bw_reserve(struct ax_block_writer *w, uint8_t cat, size_t *avail)
{
    if (w->open && (w->cat != cat || w->len - w->start >= AX_BLOCK_MAX))
        bw_close(w);
    if (!w->open) {
        if (w->cap - w->len < AX_BLOCK_HDR + 1) {
            *avail = 0;
            return NULL;
        }
        w->start = w->len;
        w->buf[w->len] = cat;
        w->buf[w->len + 1] = 0;
        w->buf[w->len + 2] = 0;
        w->len += AX_BLOCK_HDR;
        w->open = 1;
        w->cat = cat;
        w->n_records = 0;
        w->n_blocks++;
    }
    size_t room = w->cap - w->len;
    size_t block_room = AX_BLOCK_MAX - (w->len - w->start);
    *avail = room < block_room ? room : block_room;
    return w->buf + w->len;
}

int ax_bw_commit(struct ax_block_writer *w, size_t len)
{
    if (!w->open || len > w->cap - w->len || len + (w->len - w->start) > AX_BLOCK_MAX)
        return CAIRN_E_INVAL;
    if (len == 0)
        return 0;
    w->len += len;
    w->n_records++;
    return 0;
}

int ax_bw_add(struct ax_block_writer *w, uint8_t cat, const uint8_t *rec, size_t len)
{
    if (len == 0 || len > AX_BLOCK_MAX - AX_BLOCK_HDR)
        return CAIRN_E_INVAL;
    /* A record that does not fit the open block's LEN goes to a new block. */
    if (w->open && w->cat == cat && len > AX_BLOCK_MAX - (w->len - w->start))
        bw_close(w);
    int was_open = w->open && w->cat == cat;
    size_t avail = 0;
    uint8_t *p = ax_bw_reserve(w, cat, &avail);
    if (p == NULL || avail < len) {
        if (p != NULL && !was_open)
            bw_close(w); /* drop the header just written */
        return CAIRN_E_FULL;
    }
    memcpy(p, rec, len);
    return ax_bw_commit(w, len);
}

size_t ax_bw_finish(struct ax_block_writer *w)
{
    bw_close(w);
    return w->len;
}

/* ------------------------------------------------------------ bytes → values */

struct rd {
    struct ax_val *pool;
    size_t cap, used;
};

/* Deeper than any specification nests (item → compound → repetitive →
 * group); a guard against a malformed table, not against input. */
#define PARSE_MAX_DEPTH 12

static struct ax_val *rd_alloc(struct rd *r, size_t n)
{
    if (n > r->cap - r->used)
        return NULL;
    struct ax_val *v = r->pool + r->used;
    memset(v, 0, n * sizeof *v);
    r->used += n;
    return v;
}

/*
 * One node (as the walker yields it, walk.h) into v. The walker has checked
 * the structure and the bounds; this only builds the value tree. The pool
 * gets one array per structured node: n_sub entries (one per descriptor
 * child, FX and spares included) or one per repetition.
 */
static int parse_sub(struct rd *r, const struct ax_sub *s, struct ax_val *v, int depth)
{
    const struct ax_node *n = s->node;
    v->node = n;
    if (depth > PARSE_MAX_DEPTH)
        return CAIRN_E_ITEM;
    if (n->kind == AX_ELEMENT || n->kind == AX_SPARE) {
        if (n->bits <= 64) {
            v->raw = bits_get(s->p, s->len, s->bit, n->bits);
            if (n->kind == AX_SPARE && v->raw == 0)
                v->node = NULL; /* a zero spare needs no value */
            return 0;
        }
        if (n->kind == AX_ELEMENT && n->bits % 8 == 0) {
            if (s->bit % 8 != 0)
                return CAIRN_E_TRUNCATED; /* wide elements are whole octets */
            v->len = (uint16_t)(n->bits / 8);
            v->bytes = s->p + s->bit / 8;
            return 0;
        }
        return CAIRN_E_UNSUPPORTED;
    }
    struct ax_iter it;
    int rc = ax_iter_init(&it, n, s->p, s->len, s->bit, depth);
    if (rc)
        return rc;
    struct ax_sub c;
    if (n->kind == AX_EXPLICIT) {
        /* described only when the description reads the content exactly;
         * else raw, so that the bytes re-encode as received */
        v->bytes = s->p + 1;
        v->len = (uint16_t)it.clen;
        rc = ax_iter_next(&it, &c);
        if (rc < 0)
            return rc;
        if (rc == 1 && c.kind == AX_SUB_NODE && c.len == it.clen) {
            size_t mark = r->used;
            struct ax_val *cv = rd_alloc(r, 1);
            if (cv != NULL && parse_sub(r, &c, cv, depth + 1) == 0) {
                v->sub = cv;
                v->n_sub = 1;
                v->bytes = NULL;
                v->len = 0;
            } else {
                r->used = mark;
            }
        }
        return 0;
    }
    size_t n_vals = n->n_sub;
    if (n->kind == AX_REPETITIVE) {
        if (it.count > 0xffffu)
            return CAIRN_E_TRUNCATED;
        n_vals = it.count;
    }
    struct ax_val *subs = rd_alloc(r, n_vals ? n_vals : 1);
    if (subs == NULL)
        return CAIRN_E_FULL;
    v->sub = subs;
    v->n_sub = (uint16_t)n_vals;
    if (n->kind == AX_COMPOUND)
        v->len = (uint16_t)it.nfs; /* re-encode as many presence octets */
    while ((rc = ax_iter_next(&it, &c)) == 1) {
        rc = parse_sub(r, &c, &subs[c.idx], depth + 1);
        if (rc)
            return rc;
    }
    if (rc < 0)
        return rc;
    if (n->kind == AX_EXTENDED)
        v->n_sub = (uint16_t)it.i; /* the children of the octets sent */
    return 0;
}

int ax_val_parse(const struct ax_node *desc, const uint8_t *p, size_t len, struct ax_val *pool,
                 size_t cap, size_t *used)
{
    if (cap == 0)
        return CAIRN_E_FULL;
    struct rd r = {.pool = pool, .cap = cap, .used = 0};
    struct ax_val *root = rd_alloc(&r, 1);
    int k = ax_node_size(desc, p, len);
    int rc = k;
    if (k >= 0) {
        struct ax_sub s;
        ax_sub_root(&s, desc, p, (size_t)k);
        rc = parse_sub(&r, &s, root, 0);
    }
    if (used)
        *used = r.used;
    if (rc < 0)
        return rc;
    return k;
}

/* ------------------------------------------------------------ builder */

/* Path components are short names ("CAL", "RDS[12]"). */
#define NAME_MAX_LEN 32
/* Repetitions one path may ask for: a count octet allows 255. */
#define REP_MAX 255u

void ax_builder_init(struct ax_builder *b, struct ax_val *pool, size_t cap)
{
    b->pool = pool;
    b->cap = cap;
    b->used = 0;
}

/* The builder's nodes come from its own pool, which it may change; the
 * public struct lends children as const for every other user. */
static struct ax_val *msub(struct ax_val *v, unsigned j)
{
    return (struct ax_val *)&v->sub[j];
}

static struct ax_val *b_alloc(struct ax_builder *b, size_t n)
{
    if (n == 0)
        n = 1;
    if (n > b->cap - b->used)
        return NULL;
    struct ax_val *v = b->pool + b->used;
    memset(v, 0, n * sizeof *v);
    b->used += n;
    return v;
}

struct ax_val *ax_builder_item(struct ax_builder *b, const struct ax_node *desc)
{
    struct ax_val *v = b_alloc(b, 1);
    if (v)
        v->node = desc;
    return v;
}

/* Give v (following n) its array of children, one per descriptor child. */
static int b_children(struct ax_builder *b, struct ax_val *v, const struct ax_node *n)
{
    v->node = n;
    if (v->sub != NULL)
        return 0;
    struct ax_val *c = b_alloc(b, n->n_sub);
    if (c == NULL)
        return CAIRN_E_FULL;
    v->sub = c;
    if (n->kind == AX_GROUP || n->kind == AX_COMPOUND)
        v->n_sub = n->n_sub;
    return 0;
}

/* Make child j of an extended item part of what is sent: n_sub runs to
 * the FX after j (or to the end). */
static void b_extend(struct ax_val *v, const struct ax_node *n, unsigned j)
{
    unsigned upto = j + 1;
    while (upto < n->n_sub && n->sub[upto].kind != AX_FX)
        upto++;
    if (upto > v->n_sub)
        v->n_sub = (uint16_t)upto;
}

/* Repetitions 0..idx of repetitive value v (node n) exist. */
static int b_reps(struct ax_builder *b, struct ax_val *v, const struct ax_node *n, unsigned idx)
{
    v->node = n;
    if (idx < v->n_sub)
        return 0;
    if (idx >= REP_MAX)
        return CAIRN_E_RANGE;
    struct ax_val *c = b_alloc(b, idx + 1);
    if (c == NULL)
        return CAIRN_E_FULL;
    if (v->n_sub)
        memcpy(c, v->sub, v->n_sub * sizeof *c);
    v->sub = c;
    v->n_sub = (uint16_t)(idx + 1);
    return 0;
}

struct comp {
    char name[NAME_MAX_LEN];
    unsigned idx;
    int has_idx;
};

static int parse_comp(const char **path, struct comp *c)
{
    const char *s = *path;
    size_t n = strcspn(s, "/[");
    if (n == 0 || n >= sizeof c->name)
        return CAIRN_E_NOTFOUND;
    memcpy(c->name, s, n);
    c->name[n] = 0;
    s += n;
    c->idx = 0;
    c->has_idx = 0;
    if (*s == '[') {
        char *end;
        unsigned long i = strtoul(s + 1, &end, 10);
        if (end == s + 1 || *end != ']' || i >= REP_MAX)
            return CAIRN_E_NOTFOUND;
        c->idx = (unsigned)i;
        c->has_idx = 1;
        s = end + 1;
    }
    if (*s == '/')
        s++;
    else if (*s != 0)
        return CAIRN_E_NOTFOUND;
    *path = s;
    return 0;
}

static int b_resolve(struct ax_builder *b, const struct ax_node *n, struct ax_val *v,
                     const char *path, int depth, struct ax_val **leaf);

/* Step into child j of n (value v), making it present; then resolve the
 * rest of the path below it. `c` is the component that named it (NULL when
 * looking through an unnamed child). */
static int b_enter(struct ax_builder *b, const struct ax_node *n, struct ax_val *v, unsigned j,
                   const struct comp *c, const char *rest, int depth, struct ax_val **leaf)
{
    int rc = b_children(b, v, n);
    if (rc)
        return rc;
    if (n->kind == AX_EXTENDED)
        b_extend(v, n, j);
    const struct ax_node *ch = &n->sub[j];
    struct ax_val *cv = msub(v, j);
    cv->node = ch; /* a compound subitem becomes present */
    if (c != NULL && c->has_idx && ch->kind != AX_REPETITIVE)
        return CAIRN_E_NOTFOUND;
    return b_resolve(b, ch, cv, rest, depth + 1, leaf);
}

/* Find the path below n (value v): the element it names, in *leaf. */
static int b_resolve(struct ax_builder *b, const struct ax_node *n, struct ax_val *v,
                     const char *path, int depth, struct ax_val **leaf)
{
    if (depth > PARSE_MAX_DEPTH)
        return CAIRN_E_NOTFOUND;
    if (n->kind == AX_REPETITIVE) {
        /* reached through "NAME[i]"; the index was checked by the caller */
        return CAIRN_E_NOTFOUND;
    }
    if (n->kind == AX_EXPLICIT) {
        if (n->n_sub != 1)
            return CAIRN_E_NOTFOUND;
        int rc = b_children(b, v, n);
        if (rc)
            return rc;
        v->n_sub = 1;
        msub(v, 0)->node = &n->sub[0];
        return b_resolve(b, &n->sub[0], msub(v, 0), path, depth + 1, leaf);
    }
    if (*path == 0) {
        if (n->kind != AX_ELEMENT)
            return CAIRN_E_NOTFOUND;
        v->node = n;
        *leaf = v;
        return 0;
    }
    if (n->kind == AX_ELEMENT)
        return CAIRN_E_NOTFOUND;
    struct comp c;
    const char *rest = path;
    if (parse_comp(&rest, &c) != 0)
        return CAIRN_E_NOTFOUND;
    /* a named child first, then unnamed groups looked through */
    for (unsigned j = 0; j < n->n_sub; j++) {
        const struct ax_node *ch = &n->sub[j];
        if (ch->name == NULL || strcmp(ch->name, c.name) != 0)
            continue;
        if (ch->kind == AX_REPETITIVE) {
            int rc = b_children(b, v, n);
            if (rc)
                return rc;
            if (n->kind == AX_EXTENDED)
                b_extend(v, n, j);
            struct ax_val *rv = msub(v, j);
            rc = b_reps(b, rv, ch, c.idx);
            if (rc)
                return rc;
            struct ax_val *inst = msub(rv, c.idx);
            inst->node = &ch->sub[0];
            if (ch->sub[0].kind == AX_ELEMENT && *rest == 0) {
                *leaf = inst;
                return 0;
            }
            if (ch->sub[0].name != NULL && ch->sub[0].kind != AX_ELEMENT &&
                strncmp(rest, ch->sub[0].name, strlen(ch->sub[0].name)) == 0) {
                /* the repeated group named in the path as well */
                const char *r2 = rest;
                struct comp c2;
                if (parse_comp(&r2, &c2) == 0 && !strcmp(c2.name, ch->sub[0].name))
                    rest = r2;
            }
            return b_resolve(b, &ch->sub[0], inst, rest, depth + 1, leaf);
        }
        return b_enter(b, n, v, j, &c, rest, depth, leaf);
    }
    int rc = b_children(b, v, n);
    if (rc)
        return rc;
    for (unsigned j = 0; j < n->n_sub; j++) {
        const struct ax_node *ch = &n->sub[j];
        if (ch->name != NULL || ch->kind != AX_GROUP)
            continue;
        /* look through: only keep what was made when the path resolves */
        size_t mark = b->used;
        struct ax_val saved = v->sub[j];
        uint16_t saved_n = v->n_sub;
        rc = b_enter(b, n, v, j, NULL, path, depth, leaf);
        if (rc == 0)
            return 0;
        *msub(v, j) = saved;
        v->n_sub = saved_n;
        b->used = mark;
        if (rc != CAIRN_E_NOTFOUND)
            return rc;
    }
    return CAIRN_E_NOTFOUND;
}

static int b_find(struct ax_builder *b, struct ax_val *item, const char *path, struct ax_val **leaf)
{
    const struct ax_node *n = item->node;
    if (n == NULL)
        return CAIRN_E_INVAL;
    if (n->kind == AX_ELEMENT && (path[0] == 0 || (n->name && !strcmp(path, n->name)))) {
        *leaf = item;
        return 0;
    }
    return b_resolve(b, n, item, path, 0, leaf);
}

int ax_builder_set_raw(struct ax_builder *b, struct ax_val *item, const char *path, uint64_t raw)
{
    struct ax_val *l;
    int rc = b_find(b, item, path, &l);
    if (rc)
        return rc;
    unsigned bits = l->node->bits;
    if (bits > 64)
        return CAIRN_E_UNSUPPORTED;
    if (bits < 64 && (raw >> bits) != 0)
        return CAIRN_E_RANGE;
    l->raw = raw;
    l->bytes = NULL;
    l->len = 0;
    return 0;
}

int ax_builder_set(struct ax_builder *b, struct ax_val *item, const char *path, double value)
{
    struct ax_val *l;
    int rc = b_find(b, item, path, &l);
    if (rc)
        return rc;
    const struct ax_node *n = l->node;
    unsigned bits = n->bits;
    if (bits > 63 || !isfinite(value))
        return bits > 63 ? CAIRN_E_UNSUPPORTED : CAIRN_E_RANGE;
    int is_signed = n->enc == AX_ENC_SINT || n->enc == AX_ENC_SQUANT;
    double x;
    switch ((enum ax_enc)n->enc) {
    case AX_ENC_UQUANT:
    case AX_ENC_SQUANT:
        if (!(n->lsb > 0))
            return CAIRN_E_INVAL;
        x = nearbyint(value / n->lsb);
        break;
    case AX_ENC_RAW:
    case AX_ENC_TABLE:
    case AX_ENC_UINT:
    case AX_ENC_SINT:
        x = value;
        if (x != nearbyint(x))
            return CAIRN_E_RANGE; /* an integer field takes integers */
        break;
    default:
        return CAIRN_E_INVAL; /* strings: set_str; case elements: set_raw */
    }
    double hi = is_signed ? (double)(1ull << (bits - 1)) - 1.0 : (double)(1ull << bits) - 1.0;
    double lo = is_signed ? -(double)(1ull << (bits - 1)) : 0.0;
    if (x < lo || x > hi)
        return CAIRN_E_RANGE;
    l->raw = (uint64_t)(int64_t)x & ((1ull << bits) - 1);
    l->bytes = NULL;
    l->len = 0;
    return 0;
}

int ax_builder_set_str(struct ax_builder *b, struct ax_val *item, const char *path,
                       const char *text)
{
    struct ax_val *l;
    int rc = b_find(b, item, path, &l);
    if (rc)
        return rc;
    const struct ax_node *n = l->node;
    unsigned bits = n->bits;
    size_t len = strlen(text);
    uint64_t v = 0;
    if (bits > 64)
        return CAIRN_E_UNSUPPORTED;
    switch ((enum ax_enc)n->enc) {
    case AX_ENC_ICAO6:
    case AX_ENC_ASCII: {
        unsigned w = n->enc == AX_ENC_ICAO6 ? 6u : 8u, chars = bits / w;
        if (len > chars)
            return CAIRN_E_RANGE;
        for (unsigned i = 0; i < chars; i++) {
            unsigned ch = i < len ? (unsigned char)text[i] : ' ';
            unsigned code;
            if (w == 8) {
                code = ch;
            } else if (ch >= 'A' && ch <= 'Z') {
                code = ch - 'A' + 1; /* Annex 10 Vol IV table 3-9 */
            } else if (ch >= '0' && ch <= '9') {
                code = ch - '0' + 48;
            } else if (ch == ' ') {
                code = 32;
            } else {
                return CAIRN_E_INVAL;
            }
            v = (v << w) | code;
        }
        v <<= bits - chars * w; /* a width not a multiple of the character */
        break;
    }
    case AX_ENC_OCTAL: {
        unsigned digits = bits / 3;
        if (len == 0 || len > digits)
            return CAIRN_E_RANGE;
        for (size_t i = 0; i < len; i++) {
            if (text[i] < '0' || text[i] > '7')
                return CAIRN_E_INVAL;
            v = (v << 3) | (unsigned)(text[i] - '0');
        }
        break;
    }
    default:
        return CAIRN_E_INVAL;
    }
    l->raw = v;
    l->bytes = NULL;
    l->len = 0;
    return 0;
}
