/*
 * fuzz_asterix_roundtrip.c — whatever the ASTERIX decoder accepts, the
 * encoder gives back.
 *
 * The input is a datagram of data blocks. It is decoded twice, with the
 * latest and with the oldest edition cairn has of each category. For every
 * record the decoder accepts:
 *   1. ax_record_encode() of the decoded structured form reproduces the
 *      record's bytes exactly (FSPEC included);
 *   2. every item read into values (ax_val_parse) and encoded again
 *      (ax_item_encode) reproduces the item's bytes, or, when the sender
 *      used a non-canonical form the value tree cannot express (an FX bit
 *      set on the last octet an extended item has), a shorter-or-equal
 *      encoding that the decoder reads as the same leaf values and that is
 *      itself a fixed point of parse + encode.
 * Any other outcome aborts. Memory errors are caught by the sanitizers.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "decode/asterix/asterix.h"
#include "decode/asterix/encode.h"

#define POOL_N   16384
#define LEAVES_N 8192

static struct ax_val pool[POOL_N], pool2[POOL_N];
static uint8_t out[65536], out2[65536];

struct leaves {
    uint64_t raw[LEAVES_N];
    size_t n;
    int overflow;
};
static struct leaves la, lb;

static void collect(void *ctx, enum ax_walk_ev ev, const struct ax_node *node,
                    const struct ax_leaf *leaf)
{
    (void)node;
    struct leaves *l = ctx;
    if (ev != AX_WALK_LEAF && ev != AX_WALK_RAW)
        return;
    if (l->n >= LEAVES_N) {
        l->overflow = 1;
        return;
    }
    if (ev == AX_WALK_LEAF) {
        l->raw[l->n++] = ax_leaf_raw(leaf);
    } else { /* raw explicit content: its length and a checksum */
        uint64_t h = 0xcbf29ce484222325ull;
        for (unsigned i = 0; i < leaf->bits / 8; i++)
            h = (h ^ leaf->p[i]) * 0x100000001b3ull;
        l->raw[l->n++] = h ^ leaf->bits;
    }
}

static void die(const char *what, const struct ax_record *r, const struct ax_item *it)
{
    fprintf(stderr, "fuzz_asterix_roundtrip: %s (CAT%03u %s item %s)\n", what, r->cat->cat,
            r->cat->edition_str, it && it->desc->name ? it->desc->name : "-");
    abort();
}

static void check_item(const struct ax_record *r, const struct ax_item *it)
{
    size_t used = 0;
    int k = ax_val_parse(it->desc, it->p, it->len, pool, POOL_N, &used);
    if (k == CAIRN_E_FULL)
        return; /* a huge repetition: more values than this harness keeps */
    if (k != it->len)
        die("an item the decoder accepted does not read into values", r, it);
    int m = ax_item_encode(&pool[0], out, sizeof out);
    if (m <= 0)
        die("values read from an item do not encode", r, it);
    if (m == it->len && memcmp(out, it->p, (size_t)m) == 0)
        return;
    if (m > it->len)
        die("re-encoded item is longer than the original", r, it);
    /* non-canonical input: same leaves, and a fixed point from here on */
    if (ax_node_size(it->desc, out, (size_t)m) != m)
        die("re-encoded item does not measure as itself", r, it);
    la.n = lb.n = 0;
    la.overflow = lb.overflow = 0;
    if (ax_walk(it->desc, it->p, it->len, collect, &la) < 0 ||
        ax_walk(it->desc, out, (size_t)m, collect, &lb) < 0)
        die("walk failed", r, it);
    if (!la.overflow && !lb.overflow &&
        (la.n != lb.n || memcmp(la.raw, lb.raw, la.n * sizeof la.raw[0]) != 0))
        die("re-encoded item reads as different values", r, it);
    int k2 = ax_val_parse(it->desc, out, (size_t)m, pool2, POOL_N, &used);
    if (k2 != m)
        die("re-encoded item does not read back", r, it);
    int m2 = ax_item_encode(&pool2[0], out2, sizeof out2);
    if (m2 != m || memcmp(out, out2, (size_t)m) != 0)
        die("encoding is not a fixed point", r, it);
}

static void run(const uint8_t *data, size_t size, const struct ax_editions *eds)
{
    size_t off = 0;
    struct ax_block b;
    struct ax_error err;
    while (ax_block_next(data, size, &off, &b, &err, NULL) == 1) {
        if (ax_block_open(&b, eds, &err, NULL) < 0)
            continue;
        struct ax_record r;
        while (ax_block_record(&b, &r, &err, NULL) == 1) {
            int n = ax_record_encode(&r, out, sizeof out);
            if (n < 0 || (size_t)n != r.len || memcmp(out, r.p, r.len) != 0)
                die("record does not re-encode to its bytes", &r, NULL);
            for (unsigned i = 0; i < r.n_items; i++)
                check_item(&r, &r.items[i]);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct ax_editions latest, oldest;
    static int ready;
    if (!ready) {
        ax_editions_init(&latest);
        ax_editions_init(&oldest);
        size_t n = 0;
        const struct ax_category *const *all = ax_category_all(&n);
        for (size_t i = n; i-- > 0;) /* (cat, edition) order: the first wins */
            oldest.chosen[all[i]->cat] = all[i];
        ready = 1;
    }
    run(data, size, &latest);
    run(data, size, &oldest);
    return 0;
}
