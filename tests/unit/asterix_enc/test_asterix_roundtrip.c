/*
 * test_asterix_roundtrip.c — the generic encoder against the decoder.
 *
 *  - random: for every category and edition cairn has tables for, records
 *    with random items (random subset of the UAP, every structure filled
 *    with random values: extended items cut at a random octet, 0..3
 *    repetitions, random compound subsets, RE/SP with content) are encoded
 *    value by value (ax_item_encode), put in FSPEC records and data blocks
 *    (ax_record_encode, ax_block_writer), decoded (ax_block_record), and
 *    must give back: the same FRNs and item bytes, the same leaf values in
 *    the same order (raw bits and scaled value), and byte-identical records
 *    when re-encoded both from the decoded structured form and from values
 *    re-read out of the bytes (ax_val_parse). The seed is printed;
 *    CAIRN_SEED=n repeats a run.
 *  - samples: every record of the reference recordings (raw files and the
 *    pcap files' UDP payloads from ../shared/data/asterix) re-encodes to its
 *    exact bytes.
 *  - hand vectors: FSPEC octets, FX chains, compound presence, explicit
 *    length, block LEN and the writer's limits.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/error.h"
#include "decode/asterix/asterix.h"
#include "decode/asterix/encode.h"
#include "feed/pcap.h"
#include "testdata.h"
#include "axgen.h"

/* Records generated per category edition: a few thousand in all, fast. */
#define RECORDS_PER_TABLE 400
#define POOL_N            4096
#define LEAVES_N          4096

/* ------------------------------------------------------------ walking back */

struct got {
    struct expect_leaf leaves[LEAVES_N];
    double values[LEAVES_N];
    const struct ax_node *nodes[LEAVES_N];
    size_t n;
};

static struct got GOT;

static void walk_cb(void *ctx, enum ax_walk_ev ev, const struct ax_node *node,
                    const struct ax_leaf *leaf)
{
    struct got *g = ctx;
    if ((ev != AX_WALK_LEAF && ev != AX_WALK_RAW) || g->n >= LEAVES_N)
        return;
    struct expect_leaf *e = &g->leaves[g->n];
    if (ev == AX_WALK_LEAF) {
        *e = (struct expect_leaf){ax_leaf_raw(leaf), NULL, 0};
        g->values[g->n] = ax_leaf_value(leaf);
    } else {
        *e = (struct expect_leaf){fnv(leaf->p, leaf->bits / 8), leaf->p, leaf->bits / 8};
        g->values[g->n] = 0;
    }
    g->nodes[g->n] = node;
    g->n++;
}

/* The value an element's raw bits stand for, computed independently. */
static double expected_value(const struct ax_node *n, uint64_t raw)
{
    unsigned bits = n->bits > 64 ? 64 : n->bits;
    switch ((enum ax_enc)n->enc) {
    case AX_ENC_SINT:
    case AX_ENC_SQUANT: {
        int64_t s = bits == 64
                        ? (int64_t)raw
                        : (int64_t)(raw ^ (1ull << (bits - 1))) - (int64_t)(1ull << (bits - 1));
        return n->enc == AX_ENC_SQUANT ? (double)s * n->lsb : (double)s;
    }
    case AX_ENC_UQUANT:
        return (double)raw * n->lsb;
    default:
        return (double)(int64_t)raw; /* as ax_leaf_value reads 64-bit raws */
    }
}

/* ------------------------------------------------------------ the round trip */

struct rt_stats {
    unsigned long records, items, leaves, blocks;
};

static void check_record_reencode(const struct ax_record *r)
{
    /* 1. from the structured form */
    uint8_t out[65536];
    int n = ax_record_encode(r, out, sizeof out);
    assert_int_equal(n, (int)r->len);
    assert_memory_equal(out, r->p, r->len);
    /* 2. from values re-read out of each item's bytes */
    static struct ax_val pool[POOL_N];
    for (unsigned i = 0; i < r->n_items; i++) {
        const struct ax_item *it = &r->items[i];
        size_t used = 0;
        int k = ax_val_parse(it->desc, it->p, it->len, pool, POOL_N, &used);
        assert_int_equal(k, it->len);
        uint8_t ib[65536];
        int m = ax_item_encode(&pool[0], ib, sizeof ib);
        if (m != it->len || memcmp(ib, it->p, it->len) != 0) {
            for (int j = 0; j < it->len; j++)
                print_message("%02x%s", it->p[j], j + 1 == it->len ? " in\n" : "");
            for (int j = 0; j < m; j++)
                print_message("%02x%s", ib[j], j + 1 == m ? " out\n" : "");
            fail_msg("CAT%03u %s item %s: re-encoded %d bytes differ from the %u read", r->cat->cat,
                     r->cat->edition_str, it->desc->name, m, it->len);
        }
    }
}

/* Set the UAP-selecting bit of an encoded item to `alt`, and the expected
 * value of the leaf that holds it (found by walking the item's leaves). */
struct sel_find {
    unsigned bit;        /* wanted bit offset in the item */
    const uint8_t *base; /* item start */
    size_t index;        /* leaf index that holds it, or SIZE_MAX */
    size_t n;
    unsigned leaf_bit, leaf_bits;
};

static void sel_cb(void *ctx, enum ax_walk_ev ev, const struct ax_node *node,
                   const struct ax_leaf *leaf)
{
    (void)node;
    struct sel_find *f = ctx;
    if (ev != AX_WALK_LEAF && ev != AX_WALK_RAW)
        return;
    if (ev == AX_WALK_LEAF) {
        unsigned start = (unsigned)(leaf->p - f->base) * 8u + leaf->bit;
        if (f->index == SIZE_MAX && f->bit >= start && f->bit < start + leaf->bits) {
            f->index = f->n;
            f->leaf_bit = f->bit - start;
            f->leaf_bits = leaf->bits;
        }
    }
    f->n++;
}

static void force_selector(const struct ax_category *c, int alt, uint8_t *item, size_t len,
                           size_t first_leaf)
{
    unsigned byte = c->sel_bit / 8u, mask = 0x80u >> (c->sel_bit % 8u);
    assert_true(byte < len);
    if (alt)
        item[byte] = (uint8_t)(item[byte] | mask);
    else
        item[byte] = (uint8_t)(item[byte] & ~mask);
    struct sel_find f = {.bit = c->sel_bit, .base = item, .index = SIZE_MAX};
    assert_int_equal(ax_walk(c->uap[c->sel_frn - 1], item, len, sel_cb, &f), 0);
    assert_true(f.index != SIZE_MAX && first_leaf + f.index < G.n_leaves);
    uint64_t m = 1ull << (f.leaf_bits - 1 - f.leaf_bit);
    uint64_t *raw = &G.leaves[first_leaf + f.index].raw;
    *raw = alt ? (*raw | m) : (*raw & ~m);
}

/* CAIRN_WRITE_CORPUS=dir: also write a few one-record datagrams per edition
 * as seeds for fuzz_asterix_roundtrip (how tests/fuzz/corpus/ was made). */
static void write_corpus(const struct ax_category *c, uint8_t (*recs)[1024], const size_t *lens,
                         unsigned n)
{
    const char *dir = getenv("CAIRN_WRITE_CORPUS");
    if (!dir)
        return;
    for (unsigned i = 0; i < n && i < 6; i++) {
        uint8_t dg[1100];
        struct ax_block_writer w;
        ax_bw_init(&w, dg, sizeof dg);
        if (ax_bw_add(&w, c->cat, recs[i], lens[i]) != 0)
            continue;
        size_t len = ax_bw_finish(&w);
        char path[4096];
        snprintf(path, sizeof path, "%s/gen-cat%03u-%s-%u.bin", dir, c->cat, c->edition_str, i);
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(dg, 1, len, f), len);
        fclose(f);
    }
}

static void roundtrip_table(const struct ax_category *c, struct rt_stats *st)
{
    static uint8_t dgram[65536];
    static uint8_t items_buf[65536];
    static uint8_t rec_bytes[RECORDS_PER_TABLE][1024];
    static size_t rec_len[RECORDS_PER_TABLE];
    static struct expect_leaf exp_leaves[RECORDS_PER_TABLE][256];
    static size_t exp_n[RECORDS_PER_TABLE];
    static int exp_frn[RECORDS_PER_TABLE][AX_MAX_FRN];
    static unsigned exp_items[RECORDS_PER_TABLE];

    struct ax_block_writer w;
    ax_bw_init(&w, dgram, sizeof dgram);
    unsigned n_rec = 0;
    while (n_rec < RECORDS_PER_TABLE) {
        G.used = 0;
        G.bytes_used = 0;
        G.n_leaves = 0;
        G.overflow = 0;
        struct ax_record r;
        memset(&r, 0, sizeof r);
        size_t ib = 0;
        int bad = 0;
        /* Two UAPs (CAT001 plot / track): pick one; the selecting item is
         * then always sent, with its selecting bit set to match. */
        int alt = c->uap_alt != NULL && rnd_below(2);
        const struct ax_node *const *uap = alt ? c->uap_alt : c->uap;
        unsigned n_uap = alt ? c->n_uap_alt : c->n_uap;
        /* each UAP item with probability 1/2 (all of them now and then) */
        int all = rnd_below(8) == 0;
        for (unsigned f = 1; f <= n_uap && !bad; f++) {
            const struct ax_node *it = uap[f - 1];
            int is_sel = c->uap_alt != NULL && f == c->sel_frn;
            if (!it || (!all && !is_sel && rnd_below(2)))
                continue;
            struct ax_val *root = gen_alloc(1);
            if (!root)
                break;
            size_t first_leaf = G.n_leaves;
            gen_node(it, root, 0);
            if (G.overflow)
                break;
            int k = ax_item_encode(root, items_buf + ib, sizeof items_buf - ib);
            if (k == CAIRN_E_RANGE) { /* an explicit item over 255 bytes: retry */
                bad = 1;
                break;
            }
            assert_true(k > 0);
            if (is_sel)
                force_selector(c, alt, items_buf + ib, (size_t)k, first_leaf);
            assert_int_equal(ax_record_add_at(&r, c, f, it, items_buf + ib, (uint16_t)k), 0);
            ib += (size_t)k;
        }
        if (bad || G.overflow || r.n_items == 0 || G.n_leaves > 256)
            continue;
        uint8_t rec[1024];
        int rl = ax_record_encode(&r, rec, sizeof rec);
        if (rl == CAIRN_E_FULL)
            continue;
        assert_true(rl > 0);
        if (ax_bw_add(&w, c->cat, rec, (size_t)rl) == CAIRN_E_FULL)
            break;
        memcpy(rec_bytes[n_rec], rec, (size_t)rl);
        rec_len[n_rec] = (size_t)rl;
        memcpy(exp_leaves[n_rec], G.leaves, G.n_leaves * sizeof G.leaves[0]);
        exp_n[n_rec] = G.n_leaves;
        exp_items[n_rec] = r.n_items;
        for (unsigned i = 0; i < r.n_items; i++)
            exp_frn[n_rec][i] = r.items[i].frn;
        n_rec++;
    }
    size_t total = ax_bw_finish(&w);
    assert_true(n_rec > 0);
    write_corpus(c, rec_bytes, rec_len, n_rec);

    /* decode everything back with this very edition */
    struct ax_editions eds;
    ax_editions_init(&eds);
    eds.chosen[c->cat] = c;
    size_t off = 0;
    struct ax_block b;
    struct ax_error err;
    unsigned k = 0;
    int rc;
    while ((rc = ax_block_next(dgram, total, &off, &b, &err, NULL)) == 1) {
        st->blocks++;
        assert_int_equal(ax_block_open(&b, &eds, &err, NULL), 0);
        assert_ptr_equal(b.tab, c);
        struct ax_record r;
        int rr;
        while ((rr = ax_block_record(&b, &r, &err, NULL)) == 1) {
            assert_true(k < n_rec);
            if (r.len != rec_len[k])
                fail_msg("%s record %u: decoded %zu bytes, encoded %zu", c->source, k, r.len,
                         rec_len[k]);
            assert_memory_equal(r.p, rec_bytes[k], r.len);
            assert_int_equal(r.n_items, exp_items[k]);
            GOT.n = 0;
            for (unsigned i = 0; i < r.n_items; i++) {
                assert_int_equal(r.items[i].frn, exp_frn[k][i]);
                assert_int_equal(
                    ax_walk(r.items[i].desc, r.items[i].p, r.items[i].len, walk_cb, &GOT), 0);
            }
            if (GOT.n != exp_n[k])
                fail_msg("%s %s record %u: %zu leaves decoded, %zu encoded", c->source,
                         c->edition_str, k, GOT.n, exp_n[k]);
            for (size_t i = 0; i < GOT.n; i++) {
                const struct expect_leaf *e = &exp_leaves[k][i], *g = &GOT.leaves[i];
                if (e->raw_bytes) {
                    assert_non_null(g->raw_bytes);
                    assert_int_equal(g->raw_len, e->raw_len);
                    assert_int_equal(g->raw, e->raw);
                    continue;
                }
                if (g->raw != e->raw)
                    fail_msg("%s record %u leaf %zu (%s): raw %" PRIu64 " != %" PRIu64, c->source,
                             k, i, GOT.nodes[i]->name ? GOT.nodes[i]->name : "?", g->raw, e->raw);
                double ev = expected_value(GOT.nodes[i], e->raw);
                if (!(GOT.values[i] == ev || (isnan(ev) && isnan(GOT.values[i]))))
                    fail_msg("%s leaf %s: value %g != %g", c->source, GOT.nodes[i]->name,
                             GOT.values[i], ev);
            }
            check_record_reencode(&r);
            st->records++;
            st->items += r.n_items;
            st->leaves += GOT.n;
            k++;
        }
        assert_int_equal(rr, 0);
    }
    assert_int_equal(rc, 0);
    assert_int_equal(k, n_rec);
}

static void test_random_roundtrip(void **state)
{
    (void)state;
    const char *env = getenv("CAIRN_SEED");
    uint64_t seed = env ? strtoull(env, NULL, 0) : (uint64_t)time(NULL) ^ (uint64_t)clock();
    if (seed == 0)
        seed = 1;
    print_message("seed %" PRIu64 " (repeat with CAIRN_SEED=%" PRIu64 ")\n", seed, seed);
    rng_state = seed;
    size_t n_tab = 0;
    const struct ax_category *const *all = ax_category_all(&n_tab);
    assert_true(n_tab >= 8);
    struct rt_stats total = {0};
    for (size_t i = 0; i < n_tab; i++) {
        struct rt_stats st = {0};
        roundtrip_table(all[i], &st);
        print_message("CAT%03u %-5s %5lu records %6lu items %7lu values %3lu blocks: ok\n",
                      all[i]->cat, all[i]->edition_str, st.records, st.items, st.leaves, st.blocks);
        total.records += st.records;
        total.items += st.items;
        total.leaves += st.leaves;
    }
    print_message("%zu editions, %lu records, %lu items, %lu values round-tripped\n", n_tab,
                  total.records, total.items, total.leaves);
}

/* ------------------------------------------------------------ samples */

static void reencode_file(const char *rel, const char *edition_spec, unsigned *n_records)
{
    size_t len = 0;
    unsigned char *buf = td_slurp(td_path(rel), &len);
    assert_non_null(buf);
    struct ax_editions eds;
    ax_editions_init(&eds);
    if (edition_spec)
        assert_int_equal(ax_editions_set(&eds, edition_spec), 0);
    size_t off = 0;
    struct ax_block b;
    struct ax_error err;
    while (ax_block_next(buf, len, &off, &b, &err, NULL) == 1) {
        if (ax_block_open(&b, &eds, &err, NULL) < 0)
            continue;
        struct ax_record r;
        while (ax_block_record(&b, &r, &err, NULL) == 1) {
            check_record_reencode(&r);
            (*n_records)++;
        }
    }
    free(buf);
}

static void reencode_blocks(const uint8_t *p, size_t len, const struct ax_editions *eds,
                            unsigned *n_records)
{
    size_t off = 0;
    struct ax_block b;
    struct ax_error err;
    while (ax_block_next(p, len, &off, &b, &err, NULL) == 1) {
        if (ax_block_open(&b, eds, &err, NULL) < 0)
            continue;
        struct ax_record r;
        while (ax_block_record(&b, &r, &err, NULL) == 1) {
            check_record_reencode(&r);
            (*n_records)++;
        }
    }
}

/* Every record in the UDP payloads of a pcap sample re-encodes exactly
 * (ORADIS-framed payloads, as in cat_001_002.pcap, block by block). */
static void reencode_pcap(const char *rel, unsigned *n_records)
{
    struct feed_pcap *f = NULL;
    char errbuf[256];
    assert_int_equal(feed_pcap_open(&f, td_path(rel), errbuf, sizeof errbuf), 0);
    struct pcap_udp u;
    struct ax_editions eds;
    ax_editions_init(&eds);
    while (feed_pcap_next(f, &u) == 1) {
        if (ax_framing_guess(u.payload, u.len) == AX_FRAMING_ORADIS) {
            size_t fo = 0;
            const uint8_t *blk;
            size_t blen;
            while (ax_oradis_next(u.payload, u.len, &fo, &blk, &blen) == 1)
                reencode_blocks(blk, blen, &eds, n_records);
        } else {
            reencode_blocks(u.payload, u.len, &eds, n_records);
        }
    }
    feed_pcap_close(f);
}

static void test_samples_reencode(void **state)
{
    (void)state;
    TD_REQUIRE("asterix/croatiacontrol/sample_data/cat062cat065.raw");
    static const struct {
        const char *file, *ed;
    } files[] = {
        {"asterix/croatiacontrol/sample_data/cat062cat065.raw", NULL},
        {"asterix/croatiacontrol/sample_data/cat048.raw", NULL},
        {"asterix/croatiacontrol/sample_data/cat034.raw", NULL},
        {"asterix/croatiacontrol/sample_data/cat21_re.ast", NULL},
        {"asterix/asterix4py/cat062.ast", NULL},
        {"asterix/asterix4py/cat062.ast", "62=1.19"},
    };
    unsigned n = 0;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        if (td_exists(files[i].file))
            reencode_file(files[i].file, files[i].ed, &n);
    /* 128 CAT048 reports and 34 CAT034 messages of two radars; the CAT062
     * block; the broken asterix.pcap, whose records that do decode; the
     * ORADIS-framed CAT001/CAT002 capture */
    static const char *const pcaps[] = {
        "asterix/croatiacontrol/sample_data/cat_034_048.pcap",
        "asterix/croatiacontrol/sample_data/cat_062_065.pcap",
        "asterix/croatiacontrol/sample_data/asterix.pcap",
        "asterix/croatiacontrol/sample_data/cat_001_002.pcap",
    };
    for (size_t i = 0; i < sizeof pcaps / sizeof pcaps[0]; i++)
        if (td_exists(pcaps[i]))
            reencode_pcap(pcaps[i], &n);
    print_message("%u sample records re-encoded byte for byte\n", n);
    assert_true(n >= 180);
}

/* ------------------------------------------------------------ hand vectors */

static const struct ax_node *item_of(unsigned cat, uint16_t ed, const char *id)
{
    const struct ax_category *c = ax_category_find(cat, ed);
    assert_non_null(c);
    const struct ax_node *n = ax_category_item(c, id);
    assert_non_null(n);
    return n;
}

static void test_fspec_and_block(void **state)
{
    (void)state;
    const struct ax_category *c = ax_category_find(48, AX_ED(1, 31));
    assert_non_null(c);
    /* I048/010 SAC 25 SIC 201 (FRN 1) and I048/161 track 5 (FRN 11): two
     * FSPEC octets 0x81 0x20 (FX, then FRN 11 = bit 4 of octet 2) */
    uint8_t i010[2] = {25, 201}, i161[2] = {0, 5};
    struct ax_record r;
    memset(&r, 0, sizeof r);
    assert_int_equal(ax_record_add(&r, c, ax_category_item(c, "161"), i161, 2), 0);
    assert_int_equal(ax_record_add(&r, c, ax_category_item(c, "010"), i010, 2), 0);
    assert_int_equal(ax_record_add(&r, c, ax_category_item(c, "010"), i010, 2), CAIRN_E_EXISTS);
    assert_int_equal(ax_record_encode(&r, (uint8_t[16]){0}, 16), CAIRN_E_INVAL); /* unsorted */
    ax_record_sort(&r);
    uint8_t out[16];
    assert_int_equal(ax_record_encode(&r, out, 5), CAIRN_E_FULL);
    assert_int_equal(ax_record_encode(&r, out, sizeof out), 6);
    const uint8_t want[6] = {0x81, 0x10, 25, 201, 0, 5};
    assert_memory_equal(out, want, 6);

    /* two CAT048 records and one CAT034 record: two blocks */
    uint8_t dg[64];
    struct ax_block_writer w;
    ax_bw_init(&w, dg, sizeof dg);
    assert_int_equal(ax_bw_add(&w, 48, out, 6), 0);
    assert_int_equal(ax_bw_add(&w, 48, out, 6), 0);
    assert_int_equal(ax_bw_add(&w, 34, out, 6), 0);
    assert_int_equal(ax_bw_finish(&w), 3 + 12 + 3 + 6);
    assert_int_equal(w.n_blocks, 2);
    const uint8_t hdr1[3] = {48, 0, 15}, hdr2[3] = {34, 0, 9};
    assert_memory_equal(dg, hdr1, 3);
    assert_memory_equal(dg + 15, hdr2, 3);
    /* full: nothing written, the datagram stays valid */
    uint8_t small[10];
    ax_bw_init(&w, small, sizeof small);
    assert_int_equal(ax_bw_add(&w, 48, out, 6), 0);
    assert_int_equal(ax_bw_add(&w, 48, out, 6), CAIRN_E_FULL);
    assert_int_equal(ax_bw_add(&w, 34, out, 6), CAIRN_E_FULL);
    assert_int_equal(ax_bw_finish(&w), 9);
    assert_int_equal(small[2], 9);
    assert_int_equal(w.n_blocks, 1);
}

/* Leaf values by name for building hand values of small items. */
static void test_structures(void **state)
{
    (void)state;
    uint8_t out[64];
    /* extended: I048/020 TYP=1 (PSR) alone is one octet 0x20; with TST the
     * first FX is set and a second octet follows */
    const struct ax_node *i020 = item_of(48, AX_ED(1, 31), "020");
    struct ax_val sub[32];
    memset(sub, 0, sizeof sub);
    sub[0] = (struct ax_val){.node = &i020->sub[0], .raw = 1};
    unsigned fx1 = 0;
    while (i020->sub[fx1].kind != AX_FX)
        fx1++;
    struct ax_val v = {.node = i020, .sub = sub, .n_sub = (uint16_t)fx1};
    assert_int_equal(ax_item_encode(&v, out, sizeof out), 1);
    assert_int_equal(out[0], 0x20);
    sub[fx1 + 1] = (struct ax_val){.node = &i020->sub[fx1 + 1], .raw = 1}; /* TST */
    unsigned fx2 = fx1 + 1;
    while (i020->sub[fx2].kind != AX_FX)
        fx2++;
    v.n_sub = (uint16_t)fx2;
    assert_int_equal(ax_item_encode(&v, out, sizeof out), 2);
    assert_int_equal(out[0], 0x21);
    assert_int_equal(out[1], 0x80);
    v.n_sub = (uint16_t)(fx1 + 2); /* not at an octet boundary */
    assert_int_equal(ax_item_encode(&v, out, sizeof out), CAIRN_E_INVAL);
    v.n_sub = (uint16_t)fx1;
    assert_int_equal(ax_item_encode(&v, out, 0), CAIRN_E_FULL);
    /* a value wider than its element */
    sub[0].raw = 8; /* TYP has 3 bits */
    assert_int_equal(ax_item_encode(&v, out, sizeof out), CAIRN_E_RANGE);

    /* compound: I062/290 with only PSR age (slot 1) = 0x40, then 1 octet;
     * a slot past 7 needs a second presence octet with FX set in the first */
    const struct ax_node *i290 = item_of(62, AX_ED(1, 19), "290");
    struct ax_val cs[16];
    memset(cs, 0, sizeof cs);
    cs[1] = (struct ax_val){.node = &i290->sub[1], .raw = 8}; /* 2 s */
    struct ax_val cv = {.node = i290, .sub = cs, .n_sub = i290->n_sub};
    assert_int_equal(ax_item_encode(&cv, out, sizeof out), 2);
    assert_int_equal(out[0], 0x40);
    assert_int_equal(out[1], 8);
    unsigned last = i290->n_sub - 1; /* MLT, in the second octet */
    assert_true(last >= 7);
    cs[last] = (struct ax_val){.node = &i290->sub[last], .raw = 3};
    assert_int_equal(ax_item_encode(&cv, out, sizeof out), 4);
    assert_int_equal(out[0], 0x41);
    assert_int_equal(out[1], (uint8_t)(0x80u >> (last - 7)));
    assert_int_equal(out[2], 8);
    assert_int_equal(out[3], 3);
    assert_int_equal(ax_item_encode(&cv, out, 3), CAIRN_E_FULL);

    /* explicit raw: SP of CAT048 with 3 content octets -> length 4 */
    const struct ax_node *sp = item_of(48, AX_ED(1, 31), "SP");
    const uint8_t content[3] = {1, 2, 3};
    struct ax_val spv = {.node = sp, .bytes = content, .len = 3};
    assert_int_equal(ax_item_encode(&spv, out, sizeof out), 4);
    const uint8_t want_sp[4] = {4, 1, 2, 3};
    assert_memory_equal(out, want_sp, 4);
    static uint8_t big[300];
    spv.bytes = big;
    spv.len = 255; /* 256 with the length octet */
    assert_int_equal(ax_item_encode(&spv, out, sizeof out), CAIRN_E_FULL);
    static uint8_t bigout[400];
    assert_int_equal(ax_item_encode(&spv, bigout, sizeof bigout), CAIRN_E_RANGE);
}

static void test_val_parse_keeps_spares(void **state)
{
    (void)state;
    /* I048/161: 4 spare bits + 12-bit track number; a sender that sets a
     * spare bit gets it back, and a value without the spare writes 0 */
    const struct ax_node *i161 = item_of(48, AX_ED(1, 31), "161");
    const uint8_t in[2] = {0x10, 0x05};
    struct ax_val pool[8];
    size_t used = 0;
    assert_int_equal(ax_val_parse(i161, in, 2, pool, 8, &used), 2);
    uint8_t out[4];
    assert_int_equal(ax_item_encode(&pool[0], out, sizeof out), 2);
    assert_memory_equal(out, in, 2);
    for (unsigned i = 0; i < pool[0].n_sub; i++)
        if (i161->sub[i].kind == AX_SPARE)
            ((struct ax_val *)pool[0].sub)[i].node = NULL;
    assert_int_equal(ax_item_encode(&pool[0], out, sizeof out), 2);
    assert_int_equal(out[0], 0x00);
    assert_int_equal(out[1], 0x05);
    assert_int_equal(ax_val_parse(i161, in, 1, pool, 8, &used), CAIRN_E_TRUNCATED);
    assert_int_equal(ax_val_parse(i161, in, 2, pool, 1, &used), CAIRN_E_FULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fspec_and_block),        cmocka_unit_test(test_structures),
        cmocka_unit_test(test_val_parse_keeps_spares), cmocka_unit_test(test_random_roundtrip),
        cmocka_unit_test(test_samples_reencode),
    };
    return td_exit(cmocka_run_group_tests(tests, NULL, NULL));
}
