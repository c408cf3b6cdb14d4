/*
 * walk.h — the one walker over ASTERIX item structures (inside the module).
 *
 * Key idea: the rules of EUROCONTROL ASTERIX Part 1 (ed. 2.4, sec. 4.4) for
 * fixed, extended, repetitive, explicit and compound items live in one
 * iterator, ax_iter: given a node and its bytes, it yields the node's
 * present children one at a time, each with its position (octet and bit)
 * and, for byte-aligned children, its measured length. Every bounds and
 * structure check is made here, before a child is yielded: whatever a
 * consumer receives lies inside the bytes it passed in. The consumers —
 * measuring (ax_node_size), ax_walk and ax_item_field, the JSON writer
 * (json.c) and the parse into values (ax_val_parse, encode.c) — only recurse
 * and do their own job on each child.
 *
 * What is yielded, per kind of the parent:
 *   AX_GROUP      every child in order (spares included, FX bits skipped),
 *                 at its bit offset
 *   AX_EXTENDED   the children of the octets sent (up to the first FX = 0),
 *                 spares included, FX bits skipped
 *   AX_REPETITIVE sub[0] once per repetition (idx = repetition number); for
 *                 an FX-chained one each copy is its octets minus the FX bit
 *   AX_EXPLICIT   sub[0] over the content when a description reads it
 *                 (AX_SUB_NODE), otherwise the content as raw bytes
 *                 (AX_SUB_RAW, node = the explicit node itself)
 *   AX_COMPOUND   each present slot (idx = slot) in order
 *   AX_ELEMENT, AX_SPARE: nothing
 */
#ifndef CAIRN_DECODE_ASTERIX_WALK_H
#define CAIRN_DECODE_ASTERIX_WALK_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "decode/asterix/asterix.h"

/* The deepest nesting any specification uses is 6 levels below the item,
 * groups counted (RE -> compound -> compound -> repetitive -> group ->
 * group); a table deeper than 12 is a generator bug, and hostile bytes
 * cannot make the recursion deeper than the tables are. */
#define AX_MAX_DEPTH 12

enum ax_sub_kind {
    AX_SUB_NODE, /* a child following its descriptor */
    AX_SUB_RAW,  /* explicit content no description reads: p[0..len) */
};

/* One child as the iterator yields it. */
struct ax_sub {
    uint8_t kind;               /* enum ax_sub_kind */
    const struct ax_node *node; /* its descriptor as declared */
    const struct ax_node *elem; /* AX_ELEMENT: the element to read it as (a
                                   case element's alternative); else node */
    unsigned idx;               /* index in the parent's sub[] (compound slot),
                                   or the repetition number */
    const uint8_t *p;           /* base: the child's bits start at bit `bit` of p */
    unsigned bit;               /* 0 for byte-aligned children */
    size_t len;                 /* bytes from p: byte-aligned children, their
                                   measured size; fixed ones, what holds them */
};

/* Iteration over one node's children. Fields other than those marked are
 * the iterator's own. */
struct ax_iter {
    const struct ax_node *n;
    const uint8_t *p;
    size_t len;
    size_t pos;    /* next child: bit offset (fixed, extended) or octet offset */
    size_t end;    /* octets used from p once known (see ax_iter_size) */
    size_t count;  /* public: AX_REPETITIVE, the number of repetitions */
    size_t nfs;    /* public: AX_COMPOUND, presence octets */
    size_t clen;   /* public: AX_EXPLICIT, octets of content */
    unsigned i;    /* next child; public after the end for AX_EXTENDED: the
                      children sent are sub[0..i) */
    unsigned bit0; /* the node's first bit within p[0] (fixed nodes) */
    int depth;
    int err; /* public: why ax_iter_next returned < 0 */
    uint8_t done;
    uint8_t raw_sent;
};

/*
 * Start iterating node n whose bits start at bit `bit` of p[0..len)
 * (bit is 0 except for a fixed node inside a group or an extended item).
 * Checks what can be checked before the first child: fixed widths, the
 * explicit length octet, the compound presence octets, the repetition count
 * against the bytes left. 0, or CAIRN_E_TRUNCATED / CAIRN_E_ITEM.
 */
int ax_iter_init(struct ax_iter *it, const struct ax_node *n, const uint8_t *p, size_t len,
                 unsigned bit, int depth);
/* The next child into *s: 1, 0 after the last one, or a negative code
 * (the child would run past len or break the structure). */
int ax_iter_next(struct ax_iter *it, struct ax_sub *s);
/* After ax_iter_next returned 0: the node's size in octets from p (for a
 * fixed node at bit > 0, the octets up to its last bit). */
size_t ax_iter_size(const struct ax_iter *it);

/* The size in octets of one instance of a byte-aligned node at p[0..len):
 * ax_node_size with a depth, for the consumers' recursion. */
int ax_measure(const struct ax_node *n, const uint8_t *p, size_t len, int depth);

/* The size of a fixed node (element, group) standing alone: a whole number
 * of octets, inside len. */
static inline int ax_size_fixed(const struct ax_node *n, size_t len)
{
    if (n->bits == 0 || n->bits % 8)
        return CAIRN_E_ITEM;
    return (size_t)(n->bits / 8) <= len ? (int)(n->bits / 8) : CAIRN_E_TRUNCATED;
}

/* ax_node_size, with the fixed sizes (most items) inline. */
static inline int ax_size(const struct ax_node *n, const uint8_t *p, size_t len)
{
    /* Item sizes are reported as int: cap what we look at well below INT_MAX
     * (a block holds at most 65535 bytes anyway). */
    if (len > 65535)
        len = 65535;
    if (n->kind == AX_ELEMENT || n->kind == AX_GROUP)
        return ax_size_fixed(n, len);
    return ax_measure(n, p, len, 0);
}

/* The child at the root of an item: desc over p[0..len) as a sub. */
void ax_sub_root(struct ax_sub *s, const struct ax_node *desc, const uint8_t *p, size_t len);

#endif
