/*
 * encode.h — the ASTERIX encoder: values → data items → records → blocks.
 *
 * Key idea: the encoder is the decoder's structured form run backwards.
 * Three layers, each usable alone:
 *
 *   1. ax_item_encode(): a tree of values (struct ax_val) shaped like an
 *      item's descriptor tree (struct ax_node, asterix.h) becomes the item's
 *      bytes. Every structure kind is handled: elements and spares packed MSB
 *      first, groups, extended items (FX bits set by the encoder, octets up to
 *      the last one the caller supplies), repetitive items (a count octet or
 *      FX-chained), explicit items (length octet counting itself, content
 *      either described or raw, as the RE and SP fields), compound items
 *      (presence octets, FX-extended, as short as the present subitems allow).
 *   2. ax_record_encode(): a struct ax_record (items with FRN and raw bytes,
 *      exactly what ax_record_decode() produces) becomes FSPEC + items. The
 *      FSPEC has as few octets as the highest FRN needs (or as many as a
 *      decoded record had), so a record that was decoded re-encodes to the
 *      same bytes.
 *
 * Around them: ax_val_parse() reads an item's bytes into values (the
 * inverse of layer 1) and struct ax_builder makes value trees by field
 * name ("CAL/CAL", "RDS[1]/DOP") in the specification's units.
 *   3. struct ax_block_writer: records are appended to data blocks of their
 *      category, CAT and LEN written, a new block started when the category
 *      changes or LEN would pass 65535, all inside one caller buffer (a UDP
 *      datagram).
 *
 * Specification: EUROCONTROL ASTERIX Part 1 "Data Structure", edition 2.4,
 * section 4 (data block, record, FSPEC, FX, item structures); the per-category
 * layouts come from the generated tables (asterix.h).
 *
 * Pure: no I/O, no allocation; every output is caller storage with a capacity
 * that is checked (CAIRN_E_FULL when it does not fit). Values that do not fit
 * their field (more bits than the element has, a count above 255, an explicit
 * item over 255 bytes) give CAIRN_E_RANGE, never silent truncation.
 */
#ifndef CAIRN_DECODE_ASTERIX_ENCODE_H
#define CAIRN_DECODE_ASTERIX_ENCODE_H

#include <stddef.h>
#include <stdint.h>

#include "decode/asterix/asterix.h"

/* The most FSPEC octets a record can need (7 FRNs per octet). */
#define AX_MAX_FSPEC ((AX_MAX_FRN + 6) / 7)
/* A data block's LEN is 16 bits and counts the 3-octet header. */
#define AX_BLOCK_MAX 65535u
#define AX_BLOCK_HDR 3u

/*
 * A value shaped like a descriptor. The caller owns the whole tree (usually
 * on the stack or in an array); the encoder only reads it.
 *
 *   AX_ELEMENT   raw: the bits as sent (width node->bits <= 64); for wider
 *                elements (BDS registers, ICAO strings of 8 characters are
 *                48 bits and fit) `bytes` holds (bits+7)/8 octets, right
 *                aligned, and raw is ignored.
 *   AX_SPARE     written 0 unless a value with node set is given (raw),
 *                which keeps what a sender put there.
 *   AX_FX        no value (FX bits are set by the encoder).
 *   AX_GROUP     sub[i] is the value of node->sub[i] (n_sub == node->n_sub;
 *                entries for spares/FX may have node NULL).
 *   AX_EXTENDED  sub[i] for node->sub[i], but only the first n_sub children
 *                are sent: n_sub must end just before an AX_FX child or at
 *                the end; the encoder sets that FX to 0 and the earlier ones
 *                to 1. n_sub == 0 sends the first octet with all zeros.
 *   AX_REPETITIVE sub[0..n_sub) are the repetitions, each of node->sub[0].
 *   AX_EXPLICIT  bytes/len, when bytes is set, are the raw content; else
 *                with a described content (node->n_sub == 1) sub[0] is it.
 *   AX_COMPOUND  sub[i] for slot i; present when sub[i].node != NULL and i <
 *                n_sub. len, when more than the present slots need, is the
 *                number of presence octets to send (some senders end with an
 *                empty one; ax_val_parse keeps it so bytes re-encode as read).
 */
struct ax_val {
    const struct ax_node *node; /* the descriptor this value follows; NULL = absent */
    uint64_t raw;               /* AX_ELEMENT up to 64 bits */
    const uint8_t *bytes;       /* wide elements, raw explicit content; borrowed */
    uint16_t len;               /* bytes of `bytes` */
    uint16_t n_sub;
    const struct ax_val *sub; /* borrowed; see above */
};

/*
 * Encode one item instance from v (borrowed) into out[0..cap). Returns the
 * number of bytes written (> 0), CAIRN_E_FULL when cap is too small,
 * CAIRN_E_RANGE when a value does not fit its field, CAIRN_E_INVAL when the
 * value tree does not follow its descriptor.
 */
int ax_item_encode(const struct ax_val *v, uint8_t *out, size_t cap);

/*
 * Building a value tree by name, for items the typed API (typed.h) does not
 * cover. The builder hands out ax_val nodes from caller storage and fills
 * in the shape as fields are set:
 *
 *     struct ax_val pool[64];
 *     struct ax_builder b;
 *     ax_builder_init(&b, pool, 64);
 *     struct ax_val *v = ax_builder_item(&b, ax_category_item(c, "120"));
 *     ax_builder_set(&b, v, "CAL/CAL", -12.0);      // value in the spec's unit
 *     ax_builder_set(&b, v, "RDS[1]/DOP", 300.0);   // repetition 1 (0 made too)
 *     int n = ax_item_encode(v, out, sizeof out);
 *
 * A path is subitem names separated by '/', as in ax_item_field(); groups
 * without a name are looked through. Setting a field makes its compound
 * subitems present, extends an extended item to the octet holding it
 * (earlier octets are sent with zeros), and "NAME[i]" creates repetitions
 * 0..i of a repetitive subitem. A single-element item is addressed by its
 * own id ("140") or "". Elements never set are sent as zeros.
 */
struct ax_builder {
    struct ax_val *pool; /* borrowed: cap nodes */
    size_t cap, used;
};

void ax_builder_init(struct ax_builder *b, struct ax_val *pool, size_t cap);
/* An empty value for item desc (static table node). NULL when the pool is full. */
struct ax_val *ax_builder_item(struct ax_builder *b, const struct ax_node *desc);
/*
 * Set the element at path: the raw bits (set_raw), a value in the
 * specification's unit, rounded to the nearest LSB (set: quantities, plain
 * and signed integers, table codes), or text (set_str: ICAO 6-bit and ASCII
 * strings padded with spaces, octal codes as their digits, "7700").
 * 0; CAIRN_E_NOTFOUND (no such field), CAIRN_E_RANGE (does not fit),
 * CAIRN_E_INVAL (a character not in the set, a case element's value that
 * needs set_raw), CAIRN_E_FULL (pool).
 */
int ax_builder_set_raw(struct ax_builder *b, struct ax_val *item, const char *path, uint64_t raw);
int ax_builder_set(struct ax_builder *b, struct ax_val *item, const char *path, double value);
int ax_builder_set_str(struct ax_builder *b, struct ax_val *item, const char *path,
                       const char *text);

/*
 * The inverse of ax_item_encode(): read one instance of desc at p[0..len)
 * into a value tree built in pool[0..cap) (caller storage; pool[0] is the
 * root; the tree borrows p for wide elements and raw explicit content).
 * Non-zero spare bits are kept so that they re-encode as received. An
 * explicit item whose content its description reads exactly becomes a
 * described value, otherwise raw bytes. Returns the bytes read (> 0);
 * CAIRN_E_TRUNCATED, CAIRN_E_ITEM (structure broken) or CAIRN_E_FULL (pool
 * too small). *used (may be NULL) gets the pool entries used.
 */
int ax_val_parse(const struct ax_node *desc, const uint8_t *p, size_t len, struct ax_val *pool,
                 size_t cap, size_t *used);

/*
 * Encode a record: FSPEC from the items' FRNs, then the items' bytes in FRN
 * order. r->items must be in strictly ascending FRN order, each FRN between
 * 1 and AX_MAX_FRN (and, when r->cat is set, a slot of either UAP of that
 * category whose item is it->desc when it->desc is set). r->p/r->len are only
 * looked at when r->p is set (a decoded record): an FSPEC there with trailing
 * empty octets keeps them, so the record re-encodes to its bytes. Returns
 * bytes written, CAIRN_E_FULL, or CAIRN_E_INVAL.
 */
int ax_record_encode(const struct ax_record *r, uint8_t *out, size_t cap);

/*
 * Add one item to a record under construction: it->desc = item, FRN looked
 * up in c's UAP (then in its second UAP, for CAT001-like categories whose
 * record picks one by a bit of an early item: the caller sets that bit), p/len borrowed (they must
 * stay valid until the record is encoded). Items may be added in any order; ax_record_sort() puts
 * them in FRN order. CAIRN_E_NOTFOUND when the item has no FRN in c, CAIRN_E_EXISTS when that FRN
 * is already in r, CAIRN_E_FULL past AX_MAX_FRN items.
 */
int ax_record_add(struct ax_record *r, const struct ax_category *c, const struct ax_node *item,
                  const uint8_t *p, uint16_t len);
/* The same at a given FRN: for categories with two UAPs, where an item can
 * sit at different FRNs in each. CAIRN_E_NOTFOUND unless item is at frn in
 * one of c's UAPs. */
int ax_record_add_at(struct ax_record *r, const struct ax_category *c, unsigned frn,
                     const struct ax_node *item, const uint8_t *p, uint16_t len);
/* Order r->items by FRN (insertion sort; at most AX_MAX_FRN items). */
void ax_record_sort(struct ax_record *r);

/* Blocks in one buffer (e.g. one UDP datagram). */
struct ax_block_writer {
    uint8_t *buf;       /* borrowed: caller storage */
    size_t cap;         /* bytes of buf */
    size_t len;         /* bytes used, including the open block */
    size_t start;       /* offset of the open block's CAT octet */
    int open;           /* a block is open */
    uint8_t cat;        /* its category */
    unsigned n_records; /* records in the open block */
    unsigned n_blocks;  /* blocks started */
};

/* Start writing into buf[0..cap) (borrowed until the last call). */
void ax_bw_init(struct ax_block_writer *w, uint8_t *buf, size_t cap);

/*
 * Append one record of category cat (rec[0..len) is copied). Opens a new
 * block when none is open, the category differs, or the open block would
 * pass 65535 octets. Returns 0 or CAIRN_E_FULL (nothing written; the caller
 * sends what it has with ax_bw_finish() and starts again).
 */
int ax_bw_add(struct ax_block_writer *w, uint8_t cat, const uint8_t *rec, size_t len);

/*
 * Room for the next record of category cat, written in place to avoid a
 * copy: *avail gets the bytes the caller may write at the returned pointer
 * (NULL when even a new block header does not fit). Then call
 * ax_bw_commit() with the bytes actually written.
 */
uint8_t *ax_bw_reserve(struct ax_block_writer *w, uint8_t cat, size_t *avail);
int ax_bw_commit(struct ax_block_writer *w, size_t len);

/* Close the open block (write its LEN) and return the total bytes used. */
size_t ax_bw_finish(struct ax_block_writer *w);

#endif
