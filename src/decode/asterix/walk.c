/*
 * walk.c — the one walker over ASTERIX item structures (see walk.h), and
 * what is built directly on it: measuring an item (ax_node_size), the value
 * walk (ax_walk) and finding a leaf by path (ax_item_field).
 *
 * Specification: EUROCONTROL ASTERIX Part 1 (Data Structure, ed. 2.4),
 * sec. 4.4 (data item structures: fixed, extended, repetitive, explicit,
 * compound) and sec. 4.4.5 (Reserved Expansion and Special Purpose fields,
 * explicit items whose content may have a description).
 *
 * Key idea: a record has no length field, so its end is only known by
 * measuring every item through its descriptor. The iterator is that
 * measurement made step by step: it checks each child against the bytes
 * before yielding it, and the measure of a node is simply running its
 * iterator to the end (with short cuts where the size is known at once:
 * fixed widths, explicit lengths, repetitions of a fixed-size child).
 * Nothing is allocated; the recursion is bounded by AX_MAX_DEPTH.
 */
#include "decode/asterix/walk.h"

#include <string.h>

#include "base/bits.h"
#include "base/error.h"
#include "decode/asterix/tables.h"

/* Octets of one FSPEC-like presence chain: 7 flags + FX. */
#define FLAGS_PER_OCTET 7u

const struct ax_node *ax_case_pick(const struct ax_node *group, const struct ax_node *el,
                                   const uint8_t *p, unsigned group_bit)
{
    const char *sel_name = strrchr(el->dep, '/');
    sel_name = sel_name ? sel_name + 1 : el->dep;
    unsigned bit = group_bit;
    uint64_t sel = 0;
    int found = 0;
    for (unsigned i = 0; group && i < group->n_sub; i++) {
        const struct ax_node *s = &group->sub[i];
        if (s->name && !strcmp(s->name, sel_name) && s->kind == AX_ELEMENT && s->bits <= 64) {
            sel = bits_get(p, (bit + s->bits + 7) / 8, bit, s->bits);
            found = 1;
            break;
        }
        bit += s->bits;
    }
    const struct ax_node *dflt = NULL;
    for (unsigned i = 0; i < el->n_sub; i++) {
        if (el->sub[i].sel == AX_SEL_DEFAULT)
            dflt = &el->sub[i];
        else if (found && el->sub[i].sel == sel)
            return &el->sub[i];
    }
    return dflt ? dflt : el;
}

/* ------------------------------------------------------------- iterator */

/* The size is known from init alone (no child needs measuring). */
#define END_UNKNOWN ((size_t)-1)

static int iter_fail(struct ax_iter *it, int code)
{
    it->err = code;
    it->done = 1;
    return code;
}

/* The iterator's two steps are inlined into ax_measure, the decoder's hot
 * path; ax_iter_init/ax_iter_next are their out-of-line forms. */
#define AX_INLINE static inline __attribute__((always_inline))

AX_INLINE int iter_init(struct ax_iter *it, const struct ax_node *n, const uint8_t *p, size_t len,
                        unsigned bit, int depth)
{
    it->n = n;
    it->p = p;
    it->len = len;
    it->pos = bit;
    it->end = END_UNKNOWN;
    it->count = 0;
    it->nfs = 0;
    it->clen = 0;
    it->i = 0;
    it->bit0 = bit;
    it->depth = depth;
    it->err = 0;
    it->done = 0;
    it->raw_sent = 0;
    if (depth > AX_MAX_DEPTH)
        return iter_fail(it, CAIRN_E_ITEM);
    switch (n->kind) {
    case AX_ELEMENT:
    case AX_SPARE:
    case AX_GROUP:
        if ((size_t)bit + n->bits > 8 * len)
            return iter_fail(it, CAIRN_E_TRUNCATED);
        it->end = ((size_t)bit + n->bits + 7) / 8;
        if (n->kind != AX_GROUP)
            it->done = 1;
        return 0;
    case AX_EXTENDED:
        return 0;
    case AX_REPETITIVE: {
        if (n->n_sub != 1 || bit != 0)
            return iter_fail(it, CAIRN_E_ITEM);
        const struct ax_node *c = &n->sub[0];
        if (n->rep_bytes == 0) {
            /* FX-chained: each repetition is c->bits + 1 FX bit, whole octets */
            unsigned unit_bits = (unsigned)c->bits + 1u;
            if (c->bits == 0 || unit_bits % 8)
                return iter_fail(it, CAIRN_E_ITEM);
            size_t unit = unit_bits / 8, off = 0;
            for (;;) {
                if (off + unit > len)
                    return iter_fail(it, CAIRN_E_TRUNCATED);
                off += unit;
                it->count++;
                if (!(p[off - 1] & 1u))
                    break;
            }
            it->end = off;
            return 0;
        }
        if (len < n->rep_bytes)
            return iter_fail(it, CAIRN_E_TRUNCATED);
        size_t count = 0;
        for (unsigned i = 0; i < n->rep_bytes; i++)
            count = (count << 8) | p[i];
        it->count = count;
        it->pos = n->rep_bytes;
        if (c->kind == AX_ELEMENT || c->kind == AX_GROUP) {
            size_t each = c->bits / 8u;
            if (c->bits % 8 || each == 0)
                return iter_fail(it, CAIRN_E_ITEM);
            if (count > (len - it->pos) / each)
                return iter_fail(it, CAIRN_E_TRUNCATED);
            it->end = it->pos + count * each;
        }
        return 0;
    }
    case AX_EXPLICIT:
        if (bit != 0)
            return iter_fail(it, CAIRN_E_ITEM);
        if (len < 1)
            return iter_fail(it, CAIRN_E_TRUNCATED);
        if (p[0] < 1)
            return iter_fail(it, CAIRN_E_ITEM); /* a length must count its own octet */
        if (p[0] > len)
            return iter_fail(it, CAIRN_E_TRUNCATED);
        it->end = p[0];
        it->clen = (size_t)p[0] - 1;
        return 0;
    case AX_COMPOUND: {
        if (bit != 0)
            return iter_fail(it, CAIRN_E_ITEM);
        size_t nfs = 0;
        do {
            if (nfs >= len)
                return iter_fail(it, CAIRN_E_TRUNCATED);
            nfs++;
        } while (p[nfs - 1] & 1u);
        it->nfs = nfs;
        it->pos = nfs;
        return 0;
    }
    default:
        return iter_fail(it, CAIRN_E_ITEM);
    }
}

/* A fixed child at bit `bit` of the iterator's bytes; parent for a case
 * element's selector is `sel_parent` starting at bit `sel_bit`. */
static void sub_fixed(struct ax_sub *s, const struct ax_iter *it, const struct ax_node *c,
                      unsigned idx, size_t bit, const struct ax_node *sel_parent, unsigned sel_bit)
{
    s->kind = AX_SUB_NODE;
    s->node = c;
    s->elem = (c->kind == AX_ELEMENT && c->enc == AX_ENC_CASE)
                  ? ax_case_pick(sel_parent, c, it->p, sel_bit)
                  : c;
    s->idx = idx;
    s->p = it->p;
    s->bit = (unsigned)bit;
    s->len = it->len;
}

/* A byte-aligned child at octet off, n octets. */
static void sub_bytes(struct ax_sub *s, const struct ax_iter *it, const struct ax_node *c,
                      unsigned idx, size_t off, size_t n)
{
    s->kind = AX_SUB_NODE;
    s->node = c;
    s->elem = (c->kind == AX_ELEMENT && c->enc == AX_ENC_CASE)
                  ? ax_case_pick(NULL, c, it->p + off, 0)
                  : c;
    s->idx = idx;
    s->p = it->p + off;
    s->bit = 0;
    s->len = n;
}

AX_INLINE int iter_next(struct ax_iter *it, struct ax_sub *s)
{
    if (it->done)
        return it->err;
    const struct ax_node *n = it->n;
    switch (n->kind) {
    case AX_GROUP:
        while (it->i < n->n_sub) {
            const struct ax_node *c = &n->sub[it->i];
            size_t bit = it->pos;
            unsigned idx = it->i++;
            it->pos += c->bits;
            if (it->pos > (size_t)it->bit0 + n->bits)
                return iter_fail(it, CAIRN_E_ITEM); /* children wider than the group */
            if (c->kind == AX_FX)
                continue;
            sub_fixed(s, it, c, idx, bit, n, it->bit0);
            return 1;
        }
        it->done = 1;
        return 0;
    case AX_EXTENDED:
        while (it->i < n->n_sub) {
            const struct ax_node *c = &n->sub[it->i];
            if (c->kind == AX_FX) {
                if (it->pos / 8 >= it->len)
                    return iter_fail(it, CAIRN_E_TRUNCATED);
                unsigned fx = (it->p[it->pos / 8] >> (7u - it->pos % 8)) & 1u;
                it->pos++;
                if (!fx) {
                    /* the children sent are sub[0..i): i stays on this FX */
                    it->end = it->pos / 8;
                    it->done = 1;
                    return 0;
                }
                it->i++;
                continue;
            }
            if ((it->pos + c->bits + 7) / 8 > it->len)
                return iter_fail(it, CAIRN_E_TRUNCATED);
            sub_fixed(s, it, c, it->i, it->pos, n, it->bit0);
            it->pos += c->bits;
            it->i++;
            return 1;
        }
        /* The last octet of some extended items has no FX bit. */
        it->end = (it->pos + 7) / 8;
        it->done = 1;
        if (it->end > it->len)
            return iter_fail(it, CAIRN_E_TRUNCATED);
        return 0;
    case AX_REPETITIVE: {
        const struct ax_node *c = &n->sub[0];
        if (it->i >= it->count) {
            if (it->end == END_UNKNOWN)
                it->end = it->pos;
            it->done = 1;
            return 0;
        }
        size_t size;
        if (n->rep_bytes == 0) {
            size = ((size_t)c->bits + 1) / 8;
        } else if (c->kind == AX_ELEMENT || c->kind == AX_GROUP) {
            size = c->bits / 8u;
        } else {
            int m = ax_measure(c, it->p + it->pos, it->len - it->pos, it->depth + 1);
            if (m < 0)
                return iter_fail(it, m);
            size = (size_t)m; /* not a fixed child: measured */
        }
        sub_bytes(s, it, c, it->i, it->pos, size);
        it->pos += size;
        it->i++;
        return 1;
    }
    case AX_EXPLICIT: {
        if (it->raw_sent) {
            it->done = 1;
            return 0;
        }
        it->raw_sent = 1;
        if (n->n_sub == 1 && it->clen > 0) {
            int m = ax_measure(&n->sub[0], it->p + 1, it->clen, it->depth + 1);
            if (m > 0) {
                sub_bytes(s, it, &n->sub[0], 0, 1, (size_t)m);
                return 1;
            }
        }
        s->kind = AX_SUB_RAW;
        s->node = n;
        s->elem = n;
        s->idx = 0;
        s->p = it->p + 1;
        s->bit = 0;
        s->len = it->clen;
        return 1;
    }
    case AX_COMPOUND:
        for (size_t i = it->i; i < it->nfs * FLAGS_PER_OCTET; i++) {
            if (!(it->p[i / FLAGS_PER_OCTET] & (0x80u >> (i % FLAGS_PER_OCTET))))
                continue;
            if (i >= n->n_sub || n->sub[i].kind == AX_ABSENT)
                return iter_fail(it, CAIRN_E_ITEM);
            const struct ax_node *c = &n->sub[i];
            int m = (c->kind == AX_ELEMENT || c->kind == AX_GROUP)
                        ? ax_size_fixed(c, it->len - it->pos)
                        : ax_measure(c, it->p + it->pos, it->len - it->pos, it->depth + 1);
            if (m < 0)
                return iter_fail(it, m);
            sub_bytes(s, it, c, (unsigned)i, it->pos, (size_t)m);
            it->pos += (size_t)m;
            it->i = (unsigned)i + 1;
            return 1;
        }
        it->i = (unsigned)(it->nfs * FLAGS_PER_OCTET);
        it->end = it->pos;
        it->done = 1;
        return 0;
    default:
        it->done = 1;
        return 0;
    }
}

int ax_iter_init(struct ax_iter *it, const struct ax_node *n, const uint8_t *p, size_t len,
                 unsigned bit, int depth)
{
    return iter_init(it, n, p, len, bit, depth);
}

int ax_iter_next(struct ax_iter *it, struct ax_sub *s)
{
    return iter_next(it, s);
}

size_t ax_iter_size(const struct ax_iter *it)
{
    return it->end == END_UNKNOWN ? 0 : it->end;
}

void ax_sub_root(struct ax_sub *s, const struct ax_node *desc, const uint8_t *p, size_t len)
{
    s->kind = AX_SUB_NODE;
    s->node = desc;
    s->elem = desc;
    s->idx = 0;
    s->p = p;
    s->bit = 0;
    s->len = len;
}

/* ------------------------------------------------------------- measuring */

int ax_measure(const struct ax_node *n, const uint8_t *p, size_t len, int depth)
{
    if (depth > AX_MAX_DEPTH)
        return CAIRN_E_ITEM;
    if (n->kind == AX_ELEMENT || n->kind == AX_GROUP)
        return ax_size_fixed(n, len);
    if (n->kind != AX_EXTENDED && n->kind != AX_REPETITIVE && n->kind != AX_EXPLICIT &&
        n->kind != AX_COMPOUND)
        return CAIRN_E_ITEM;
    struct ax_iter it;
    int rc = iter_init(&it, n, p, len, 0, depth);
    if (rc < 0)
        return rc;
    if (it.end == END_UNKNOWN) {
        struct ax_sub s;
        while ((rc = iter_next(&it, &s)) == 1)
            ;
        if (rc < 0)
            return rc;
    }
    return (int)it.end;
}

int ax_node_size(const struct ax_node *n, const uint8_t *p, size_t len)
{
    return ax_size(n, p, len);
}

/* ---------------------------------------------------------------- ax_walk */

struct walk {
    ax_walk_fn fn;
    void *ctx;
};

static int walk_sub(const struct walk *w, const struct ax_sub *s, int depth);

/* The children of one node, each walked. */
static int walk_children(const struct walk *w, const struct ax_sub *s, int depth)
{
    struct ax_iter it;
    int rc = ax_iter_init(&it, s->node, s->p, s->len, s->bit, depth);
    struct ax_sub c;
    while (rc == 0 && (rc = ax_iter_next(&it, &c)) == 1)
        rc = walk_sub(w, &c, depth + 1);
    return rc < 0 ? rc : 0;
}

static int walk_sub(const struct walk *w, const struct ax_sub *s, int depth)
{
    const struct ax_node *n = s->node;
    if (s->kind == AX_SUB_RAW) {
        struct ax_leaf l = {n, s->p, 0, (unsigned)s->len * 8u};
        w->fn(w->ctx, AX_WALK_RAW, n, &l);
        return 0;
    }
    switch (n->kind) {
    case AX_ELEMENT: {
        /* A case element reads as the alternative its selector picks; the
         * alternatives carry the element's name. */
        struct ax_leaf l = {s->elem, s->p + s->bit / 8, s->bit % 8, n->bits};
        w->fn(w->ctx, AX_WALK_LEAF, s->elem, &l);
        return 0;
    }
    case AX_SPARE:
        return 0;
    case AX_GROUP: {
        if (n->name)
            w->fn(w->ctx, AX_WALK_OPEN, n, NULL);
        int rc = walk_children(w, s, depth);
        if (n->name)
            w->fn(w->ctx, AX_WALK_CLOSE, n, NULL);
        return rc;
    }
    case AX_REPETITIVE: {
        w->fn(w->ctx, AX_WALK_REP_OPEN, n, NULL);
        struct ax_iter it;
        int rc = ax_iter_init(&it, n, s->p, s->len, 0, depth);
        struct ax_sub c;
        while (rc == 0 && (rc = ax_iter_next(&it, &c)) == 1) {
            w->fn(w->ctx, AX_WALK_OPEN, c.node, NULL);
            rc = walk_sub(w, &c, depth + 1);
            w->fn(w->ctx, AX_WALK_CLOSE, c.node, NULL);
        }
        w->fn(w->ctx, AX_WALK_REP_CLOSE, n, NULL);
        return rc < 0 ? rc : 0;
    }
    case AX_COMPOUND: {
        struct ax_iter it;
        int rc = ax_iter_init(&it, n, s->p, s->len, 0, depth);
        struct ax_sub c;
        while (rc == 0 && (rc = ax_iter_next(&it, &c)) == 1) {
            unsigned k = c.node->kind;
            int named = k == AX_EXTENDED || k == AX_COMPOUND || k == AX_EXPLICIT;
            if (named)
                w->fn(w->ctx, AX_WALK_OPEN, c.node, NULL);
            rc = walk_sub(w, &c, depth + 1);
            if (named)
                w->fn(w->ctx, AX_WALK_CLOSE, c.node, NULL);
        }
        return rc < 0 ? rc : 0;
    }
    default: /* extended, explicit: their children in order */
        return walk_children(w, s, depth);
    }
}

int ax_walk(const struct ax_node *desc, const uint8_t *p, size_t len, ax_walk_fn fn, void *ctx)
{
    /* Measure first: a broken item reports nothing, not half of itself. */
    int k = ax_node_size(desc, p, len);
    if (k < 0)
        return k;
    struct walk w = {fn, ctx};
    struct ax_sub root;
    ax_sub_root(&root, desc, p, (size_t)k);
    return walk_sub(&w, &root, 0);
}

/* ----------------------------------------------------- a leaf by its path */

struct find {
    const char *path;
    const char *parts[4];
    unsigned n_parts;
    const struct ax_node *stack[AX_MAX_DEPTH * 2];
    unsigned depth;
    int found;
    struct ax_leaf leaf;
};

static int find_match(struct find *f, const struct ax_node *leaf)
{
    /* The path's parts must be the last names on the stack + the leaf. */
    const char *names[AX_MAX_DEPTH * 2 + 1];
    unsigned n = 0;
    for (unsigned i = 0; i < f->depth; i++)
        if (f->stack[i]->name)
            names[n++] = f->stack[i]->name;
    names[n++] = leaf->name;
    if (n < f->n_parts)
        return 0;
    for (unsigned i = 0; i < f->n_parts; i++) {
        const char *want = f->parts[i];
        const char *have = names[n - f->n_parts + i];
        size_t wl = strcspn(want, "/");
        if (!have || strlen(have) != wl || strncmp(have, want, wl))
            return 0;
    }
    return 1;
}

static void find_cb(void *ctx, enum ax_walk_ev ev, const struct ax_node *node,
                    const struct ax_leaf *leaf)
{
    struct find *f = ctx;
    switch (ev) {
    case AX_WALK_OPEN:
    case AX_WALK_REP_OPEN:
        if (f->depth < sizeof f->stack / sizeof f->stack[0])
            f->stack[f->depth] = node;
        f->depth++;
        break;
    case AX_WALK_CLOSE:
    case AX_WALK_REP_CLOSE:
        f->depth--;
        break;
    case AX_WALK_LEAF:
        if (!f->found && node->name && f->depth <= sizeof f->stack / sizeof f->stack[0] &&
            find_match(f, node)) {
            f->found = 1;
            f->leaf = *leaf;
        }
        break;
    default:
        break;
    }
}

int ax_item_field(const struct ax_item *it, const char *path, struct ax_leaf *out)
{
    struct find f;
    memset(&f, 0, sizeof f);
    f.path = path;
    const char *s = path;
    while (f.n_parts < 4) {
        f.parts[f.n_parts++] = s;
        const char *slash = strchr(s, '/');
        if (!slash)
            break;
        s = slash + 1;
    }
    int rc = ax_walk(it->desc, it->p, it->len, find_cb, &f);
    if (rc < 0)
        return rc;
    if (f.found)
        *out = f.leaf;
    return f.found;
}
