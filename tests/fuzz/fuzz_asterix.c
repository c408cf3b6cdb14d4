/*
 * fuzz_asterix.c — libFuzzer target over the ASTERIX block/record decoder,
 * the value walker and the JSON writer, for every category and edition.
 *
 * The input is a datagram (a chain of data blocks). Each block is decoded
 * with every edition cairn has for its category (so one input exercises all
 * editions), each record is walked leaf by leaf, written as JSON (scaled and
 * raw) and searched by path. Nothing may crash or read out of bounds, and
 * the decoder's invariants are checked: a record's items lie inside the
 * record, in ascending FRN order, and a record never extends past its block.
 * The ORADIS, GPS, FINAL and HDLC framing walkers run over the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/dbuf.h"
#include "base/jsonw.h"
#include "decode/asterix/asterix.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void leaf_cb(void *ctx, enum ax_walk_ev ev, const struct ax_node *node,
                    const struct ax_leaf *leaf)
{
    uint64_t *acc = ctx;
    (void)node;
    if (ev == AX_WALK_LEAF) {
        char s[128];
        *acc += ax_leaf_raw(leaf);
        *acc += (uint64_t)ax_leaf_int(leaf);
        if (leaf->node->enc == AX_ENC_ICAO6 || leaf->node->enc == AX_ENC_ASCII ||
            leaf->node->enc == AX_ENC_OCTAL)
            (void)ax_leaf_string(leaf, s, sizeof s);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct ax_record r;
    struct dbuf out;
    dbuf_init(&out, (size_t)1 << 20);
    size_t n_tab;
    const struct ax_category *const *all = ax_category_all(&n_tab);
    struct ax_stats st;
    memset(&st, 0, sizeof st);
    size_t off = 0;
    struct ax_block b;
    struct ax_error e;
    uint64_t acc = 0;
    while (ax_block_next(data, size, &off, &b, &e, &st) == 1) {
        for (size_t t = 0; t < n_tab; t++) {
            if (all[t]->cat != b.cat)
                continue;
            struct ax_editions eds;
            ax_editions_init(&eds);
            eds.chosen[b.cat] = all[t];
            struct ax_block bb = b;
            if (ax_block_open(&bb, &eds, &e, &st) < 0)
                abort();
            int rc;
            while ((rc = ax_block_record(&bb, &r, &e, &st)) == 1) {
                if (r.p < bb.p || r.p + r.len > bb.p + bb.len)
                    abort();
                unsigned last_frn = 0;
                for (unsigned i = 0; i < r.n_items; i++) {
                    const struct ax_item *it = &r.items[i];
                    if (it->p < r.p || it->p + it->len > r.p + r.len || it->frn <= last_frn)
                        abort();
                    last_frn = it->frn;
                    if (ax_walk(it->desc, it->p, it->len, leaf_cb, &acc) < 0)
                        abort(); /* an accepted item must walk */
                    struct ax_leaf l;
                    (void)ax_item_field(it, "SAC", &l);
                    (void)ax_item_field(it, "CAL/D", &l);
                }
                struct jsonw w;
                dbuf_reset(&out);
                jw_init(&w, &out);
                ax_json_record(&w, &r, 0);
                jw_init(&w, &out);
                ax_json_record(&w, &r, AX_JSON_RAW | AX_JSON_HEX);
            }
            if (rc < 0 && (e.code == 0 || e.why == NULL))
                abort(); /* every error is explained */
        }
    }
    /* the recording framings over the same bytes: never past the input */
    const uint8_t *blk;
    size_t bl;
    double tod;
    if (ax_framing_guess(data, size) == AX_FRAMING_ORADIS) {
        off = 0;
        while (ax_oradis_next(data, size, &off, &blk, &bl) == 1)
            if (blk < data || blk + bl > data + size)
                abort();
    }
    off = 0;
    while (ax_gps_next(data, size, &off, &blk, &bl, &tod) == 1)
        if (blk < data || blk + bl > data + size)
            abort();
    off = 0;
    while (ax_final_next(data, size, &off, &blk, &bl, &tod) == 1)
        if (blk < data || blk + bl > data + size || !(tod >= 0))
            abort();
    (void)ax_final_detect(data, size);
    /* HDLC: every octet is in a good frame or counted as skipped */
    size_t skipped = 0, framed = 0;
    off = 0;
    while (ax_hdlc_next(data, size, &off, &blk, &bl, &skipped) == 1) {
        if (blk < data + 2 || blk + bl + 2 > data + size)
            abort();
        framed += bl + 4;
    }
    if (framed + skipped != size)
        abort();
    (void)ax_hdlc_detect(data, size);
    dbuf_free(&out);
    (void)acc;
    return 0;
}
