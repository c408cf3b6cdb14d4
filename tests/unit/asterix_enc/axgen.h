/*
 * axgen.h — random ASTERIX values for tests: a value tree (struct ax_val)
 * for any item descriptor, every structure kind filled with random values
 * (extended items cut at a random octet, 0..3 repetitions, random compound
 * subsets, RE and SP content), and the list of leaf values it holds in byte
 * order, to compare with what the decoder walks. One generator state per
 * test program (static); seed it by setting rng_state.
 */
#ifndef CAIRN_TESTS_AXGEN_H
#define CAIRN_TESTS_AXGEN_H

#include <stdint.h>
#include <string.h>

#include "decode/asterix/asterix.h"
#include "decode/asterix/encode.h"

#ifndef POOL_N
#define POOL_N 4096
#endif
#ifndef LEAVES_N
#define LEAVES_N 4096
#endif

static uint64_t rng_state;

static inline uint64_t rnd(void)
{
    /* xorshift64* (Vigna 2014): small, fast, good enough for test data */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Dull;
}

static inline unsigned rnd_below(unsigned n)
{
    return (unsigned)(rnd() % n);
}

#ifdef AXGEN_PRINTABLE
/* A printable ASCII character for a test that compares text with another
 * decoder's: ':' (a ": " inside a value looks like tshark's field separator)
 * and '\\' (escaped in tshark's text) are left out. */
static inline uint8_t axgen_printable(uint64_t r)
{
    uint8_t c = (uint8_t)(0x20u + r % 95u);
    return c == ':' || c == '\\' ? (uint8_t)'_' : c;
}
#endif

/* ------------------------------------------------------------ generator */

struct expect_leaf {
    uint64_t raw;             /* last 64 bits of the element */
    const uint8_t *raw_bytes; /* AX_WALK_RAW content, or NULL */
    unsigned raw_len;
};

struct gen {
    struct ax_val pool[POOL_N];
    size_t used;
    uint8_t bytes[65536];
    size_t bytes_used;
    struct expect_leaf leaves[LEAVES_N];
    size_t n_leaves;
    int overflow;
};

static struct gen G;

static inline struct ax_val *gen_alloc(size_t n)
{
    if (n == 0)
        n = 1;
    if (G.used + n > POOL_N) {
        G.overflow = 1;
        return NULL;
    }
    struct ax_val *v = &G.pool[G.used];
    memset(v, 0, n * sizeof *v);
    G.used += n;
    return v;
}

static inline uint8_t *gen_bytes(size_t n)
{
    if (G.bytes_used + n > sizeof G.bytes) {
        G.overflow = 1;
        return NULL;
    }
    uint8_t *p = &G.bytes[G.bytes_used];
    G.bytes_used += n;
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)rnd();
    return p;
}

/* FNV-1a: raw explicit content is compared by hash and length, because
 * the generator's byte pool is reused record after record. */
static inline uint64_t fnv(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

static inline void leaf_push(uint64_t raw, const uint8_t *rb, unsigned rlen)
{
    if (rb)
        raw = fnv(rb, rlen);
    if (G.n_leaves >= LEAVES_N) {
        G.overflow = 1;
        return;
    }
    G.leaves[G.n_leaves++] = (struct expect_leaf){raw, rb, rlen};
}

static inline void gen_node(const struct ax_node *n, struct ax_val *v, int depth);

static inline void gen_children(const struct ax_node *n, struct ax_val *v, unsigned upto, int depth)
{
    v->sub = gen_alloc(n->n_sub);
    if (!v->sub)
        return;
    v->n_sub = (uint16_t)upto;
    for (unsigned i = 0; i < upto; i++)
        gen_node(&n->sub[i], (struct ax_val *)&v->sub[i], depth + 1);
}

static inline void gen_node(const struct ax_node *n, struct ax_val *v, int depth)
{
    if (G.overflow)
        return;
    v->node = n;
    switch ((enum ax_kind)n->kind) {
    case AX_ELEMENT:
        if (n->bits <= 64) {
            v->raw = rnd() & (n->bits == 64 ? ~0ull : ((1ull << n->bits) - 1));
#ifdef AXGEN_PRINTABLE
            if (n->enc == AX_ENC_ASCII && n->bits % 8 == 0) {
                uint64_t r = 0;
                for (unsigned i = 0; i < n->bits / 8u; i++)
                    r = (r << 8) | axgen_printable(v->raw >> (8 * i) & 0xffu);
                v->raw = r;
            }
#endif
            leaf_push(v->raw, NULL, 0);
        } else {
            size_t nb = ((size_t)n->bits + 7) / 8;
            uint8_t *b = gen_bytes(nb);
            if (!b)
                return;
            unsigned head = n->bits - 8u * (unsigned)(nb - 1);
            if (head < 8)
                b[0] &= (uint8_t)((1u << head) - 1);
#ifdef AXGEN_PRINTABLE
            /* a test that compares text with another decoder: printable ASCII */
            if (n->enc == AX_ENC_ASCII && n->bits % 8 == 0)
                for (size_t i = 0; i < nb; i++)
                    b[i] = axgen_printable(b[i]);
#endif
            v->bytes = b;
            v->len = (uint16_t)nb;
            uint64_t last = 0;
            for (size_t i = nb - 8; i < nb; i++)
                last = (last << 8) | b[i];
            leaf_push(last, NULL, 0);
        }
        break;
    case AX_SPARE:
    case AX_FX:
    case AX_ABSENT:
        v->node = NULL;
        break;
    case AX_GROUP:
        gen_children(n, v, n->n_sub, depth);
        break;
    case AX_EXTENDED: {
        /* cut after a random octet: at an FX child, or send them all */
        unsigned cuts[64], n_cuts = 0;
        for (unsigned i = 0; i < n->n_sub && n_cuts < 63; i++)
            if (n->sub[i].kind == AX_FX)
                cuts[n_cuts++] = i;
        if (n_cuts == 0 || n->sub[n->n_sub - 1].kind != AX_FX)
            cuts[n_cuts++] = n->n_sub;
        unsigned upto = cuts[rnd_below(n_cuts)];
        gen_children(n, v, upto, depth);
        break;
    }
    case AX_REPETITIVE: {
        unsigned reps = depth > 4 ? 1 : rnd_below(4);
        if (n->rep_bytes == 0 && reps == 0)
            reps = 1; /* an FX chain has at least one copy */
        v->sub = gen_alloc(reps);
        if (!v->sub)
            return;
        v->n_sub = (uint16_t)reps;
        for (unsigned i = 0; i < reps; i++)
            gen_node(&n->sub[0], (struct ax_val *)&v->sub[i], depth + 1);
        break;
    }
    case AX_EXPLICIT:
        if (n->n_sub == 1) {
            v->sub = gen_alloc(1);
            if (!v->sub)
                return;
            v->n_sub = 1;
            gen_node(&n->sub[0], (struct ax_val *)&v->sub[0], depth + 1);
        } else {
            unsigned len = 1 + rnd_below(8);
            v->bytes = gen_bytes(len);
            v->len = (uint16_t)len;
            leaf_push(0, v->bytes, len);
        }
        break;
    case AX_COMPOUND: {
        v->sub = gen_alloc(n->n_sub);
        if (!v->sub)
            return;
        v->n_sub = n->n_sub;
        /* fewer subitems deeper down, so RE fields stay under 255 bytes */
        unsigned pct = depth == 0 ? 50 : 30;
        for (unsigned i = 0; i < n->n_sub; i++)
            if (n->sub[i].kind != AX_ABSENT && rnd_below(100) < pct)
                gen_node(&n->sub[i], (struct ax_val *)&v->sub[i], depth + 1);
        break;
    }
    }
}

/* One random record of table c into *r (cleared first; G is reset): each
 * item of the UAP with probability 1/2, except those leave_out names (NULL:
 * none); trim (NULL: none) may cut a generated value before it is encoded
 * into buf[0..cap), which the record's items then point into. Returns 1
 * with at least one item in *r; 0 when nothing was drawn, the generator ran
 * out of room or an item did not encode (draw again); -1 when
 * ax_record_add_at refused an item (a failure for the caller to assert). */
typedef int (*axgen_leave_out_fn)(const struct ax_category *c, const struct ax_node *it);
typedef void (*axgen_trim_fn)(const struct ax_category *c, const struct ax_node *it,
                              struct ax_val *v);

static inline int axgen_record(const struct ax_category *c, struct ax_record *r, uint8_t *buf,
                               size_t cap, axgen_leave_out_fn leave_out, axgen_trim_fn trim)
{
    G.used = G.bytes_used = G.n_leaves = 0;
    G.overflow = 0;
    memset(r, 0, sizeof *r);
    size_t ib = 0;
    for (unsigned f = 1; f <= c->n_uap; f++) {
        const struct ax_node *it = c->uap[f - 1];
        if (!it || (leave_out && leave_out(c, it)) || rnd_below(2))
            continue;
        struct ax_val *root = gen_alloc(1);
        if (!root)
            return 0;
        gen_node(it, root, 0);
        if (trim)
            trim(c, it, root);
        if (G.overflow)
            return 0;
        int k = ax_item_encode(root, buf + ib, cap - ib);
        if (k <= 0)
            return 0;
        if (ax_record_add_at(r, c, f, it, buf + ib, (uint16_t)k) != 0)
            return -1;
        ib += (size_t)k;
    }
    return r->n_items > 0;
}

#endif
