/*
 * test_asterix_decode.c — the ASTERIX tables, block/record/item decoder,
 * value accessors and JSON writer on self-made records (always run), and the
 * pcap layer peeling on self-made frames.
 *
 * The hand-made CAT048 record exercises every item structure: fixed (010,
 * 040, 140), extended (020, two octets), repetitive by count (250),
 * repetitive by FX (030), compound (120) and explicit (SP); its bytes are
 * worked out in the comments from EUROCONTROL CAT048 ed. 1.31/1.32.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/dbuf.h"
#include "base/error.h"
#include "base/jsonw.h"
#include "decode/asterix/asterix.h"
#include "feed/pcap.h"

/* CAT048 block with one record:
 * FSPEC F1 21 45 04: FRN 1-4 (010 140 020 040), 10 (250), 16 (030), 20 (120), 27 (SP)
 * 010  19 C9           SAC 25, SIC 201
 * 140  00 3C 00        15360 / 128 s = 120 s
 * 020  A1 10           TYP 5, FX; ME 1, no FX
 * 040  01 00 40 00     RHO 256/256 = 1 NM, THETA 0x4000 * 360/65536 = 90 deg
 * 250  01 C0..00 40    one BDS register: MBDATA C0780031BC0000, BDS1 4, BDS2 0
 * 030  03 22           codes 1 (FX) and 17
 * 120  80 03 FD        CAL present: D 0, CAL -3 m/s
 * SP   03 AA BB        two bytes */
static const uint8_t blk48[] = {
    0x30, 0x00, 0x23, 0xF1, 0x21, 0x45, 0x04, 0x19, 0xC9, 0x00, 0x3C, 0x00,
    0xA1, 0x10, 0x01, 0x00, 0x40, 0x00, 0x01, 0xC0, 0x78, 0x00, 0x31, 0xBC,
    0x00, 0x00, 0x40, 0x03, 0x22, 0x80, 0x03, 0xFD, 0x03, 0xAA, 0xBB,
};

static const char blk48_json[] =
    "{\"cat\":48,\"ed\":\"1.32\",\"len\":32,\"I010\":{\"SAC\":25,\"SIC\":201},\"I140\":120,"
    "\"I020\":{\"TYP\":5,\"SIM\":0,\"RDP\":0,\"SPI\":0,\"RAB\":0,\"TST\":0,\"ERR\":0,\"XPP\":0,"
    "\"ME\":1,\"MI\":0,\"FOEFRI\":0},\"I040\":{\"RHO\":1,\"THETA\":90},"
    "\"I250\":[{\"MBDATA\":\"C0780031BC0000\",\"BDS1\":4,\"BDS2\":0}],\"I030\":[1,17],"
    "\"I120\":{\"CAL\":{\"D\":0,\"CAL\":-3}},\"SP\":\"AABB\"}";

/* Structural invariants of one descriptor (recursive). */
static void check_node(const struct ax_node *n, int top)
{
    switch (n->kind) {
    case AX_ELEMENT:
        assert_true(n->bits > 0);
        if (top)
            assert_int_equal(n->bits % 8, 0);
        if (n->enc == AX_ENC_CASE) {
            assert_non_null(n->dep);
            assert_true(n->n_sub >= 1);
        }
        if (n->enc == AX_ENC_UQUANT || n->enc == AX_ENC_SQUANT) {
            assert_true(n->lsb > 0);
            assert_non_null(n->unit);
        }
        break;
    case AX_GROUP: {
        unsigned sum = 0;
        for (unsigned i = 0; i < n->n_sub; i++) {
            check_node(&n->sub[i], 0);
            sum += n->sub[i].bits;
        }
        assert_int_equal(sum, n->bits);
        if (top)
            assert_int_equal(n->bits % 8, 0);
        break;
    }
    case AX_EXTENDED: {
        unsigned seg = 0;
        for (unsigned i = 0; i < n->n_sub; i++) {
            seg += n->sub[i].bits;
            if (n->sub[i].kind == AX_FX) {
                assert_int_equal(seg % 8, 0); /* every octet closes on its FX bit */
                seg = 0;
            } else {
                check_node(&n->sub[i], 0);
            }
        }
        assert_int_equal(seg % 8, 0);
        break;
    }
    case AX_REPETITIVE:
        assert_int_equal(n->n_sub, 1);
        if (n->rep_bytes == 0)
            assert_int_equal((n->sub[0].bits + 1) % 8, 0);
        check_node(&n->sub[0], n->rep_bytes != 0);
        break;
    case AX_EXPLICIT:
        if (n->n_sub)
            check_node(&n->sub[0], 1);
        break;
    case AX_COMPOUND:
        assert_true(n->n_sub > 0);
        for (unsigned i = 0; i < n->n_sub; i++)
            if (n->sub[i].kind != AX_ABSENT) {
                assert_non_null(n->sub[i].name);
                check_node(&n->sub[i], 1);
            }
        break;
    case AX_SPARE:
        assert_null(n->name);
        assert_true(n->bits > 0);
        break;
    default:
        fail_msg("unexpected node kind %u", n->kind);
    }
}

static void test_tables(void **state)
{
    (void)state;
    size_t n;
    const struct ax_category *const *all = ax_category_all(&n);
    assert_true(n >= 11);
    for (size_t i = 0; i < n; i++) {
        const struct ax_category *c = all[i];
        assert_true(c->n_uap > 0 && c->n_uap <= AX_MAX_FRN);
        for (unsigned f = 0; f < c->n_uap; f++) {
            if (!c->uap[f])
                continue;
            assert_true(c->uap[f] >= c->items && c->uap[f] < c->items + c->n_items);
            assert_int_equal(ax_category_frn(c, c->uap[f]), f + 1);
        }
        for (unsigned f = 0; c->uap_alt && f < c->n_uap_alt; f++)
            if (c->uap_alt[f])
                assert_true(c->uap_alt[f] >= c->items && c->uap_alt[f] < c->items + c->n_items);
        if (c->uap_alt)
            for (unsigned f = 0; f < c->sel_frn; f++)
                assert_ptr_equal(c->uap[f], c->uap_alt[f]);
        for (unsigned k = 0; k < c->n_items; k++)
            check_node(&c->items[k], 1);
        assert_ptr_equal(ax_category_find(c->cat, c->edition), c);
    }
    assert_int_equal(ax_category_find(48, 0)->edition, AX_ED(1, 32));
    assert_int_equal(ax_category_find(62, 0)->edition, AX_ED(1, 21));
    assert_int_equal(ax_category_find(21, 0)->edition, AX_ED(2, 7));
    assert_null(ax_category_find(48, AX_ED(1, 99)));
    assert_null(ax_category_find(7, 0));
    const struct ax_category *c48 = ax_category_find(48, AX_ED(1, 31));
    assert_non_null(c48);
    assert_string_equal(ax_category_item(c48, "010")->title, "Data Source Identifier");
    assert_int_equal(ax_category_frn(c48, ax_category_item(c48, "RE")), 28);
}

static void test_editions(void **state)
{
    (void)state;
    uint16_t ed;
    assert_int_equal(ax_edition_parse("1.31", &ed), 0);
    assert_int_equal(ed, AX_ED(1, 31));
    assert_int_equal(ax_edition_parse("1", &ed), CAIRN_E_INVAL);
    assert_int_equal(ax_edition_parse("1.x", &ed), CAIRN_E_INVAL);
    assert_int_equal(ax_edition_parse("1.300", &ed), CAIRN_E_INVAL);
    struct ax_editions e;
    ax_editions_init(&e);
    assert_int_equal(ax_editions_set(&e, "48=1.31"), 0);
    assert_int_equal(ax_editions_set(&e, "CAT062=1.19"), 0);
    assert_int_equal(ax_editions_set(&e, "48=9.9"), CAIRN_E_NOTFOUND);
    assert_int_equal(ax_editions_set(&e, "48:1.31"), CAIRN_E_INVAL);
    assert_int_equal(ax_editions_set(&e, "999=1.1"), CAIRN_E_INVAL);
    assert_int_equal(e.chosen[48]->edition, AX_ED(1, 31));
    assert_int_equal(e.chosen[62]->edition, AX_ED(1, 19));
}

static void test_record_structures(void **state)
{
    (void)state;
    struct ax_block b;
    struct ax_error e;
    struct ax_stats st = {0};
    struct ax_record r;
    size_t off = 0;
    assert_int_equal(ax_block_next(blk48, sizeof blk48, &off, &b, &e, &st), 1);
    assert_int_equal(b.cat, 48);
    assert_int_equal(b.len, sizeof blk48);
    assert_int_equal(ax_block_open(&b, NULL, &e, &st), 0);
    assert_int_equal(ax_block_record(&b, &r, &e, &st), 1);
    assert_int_equal(ax_block_record(&b, &r, &e, &st), 0);
    /* r still holds the first record: the end-of-block call leaves it alone */
    assert_int_equal(r.n_items, 8);
    assert_int_equal(r.len, 32);
    static const char *const ids[] = {"010", "140", "020", "040", "250", "030", "120", "SP"};
    static const uint8_t frns[] = {1, 2, 3, 4, 10, 16, 20, 27};
    static const uint16_t lens[] = {2, 3, 2, 4, 9, 2, 3, 3};
    for (unsigned i = 0; i < 8; i++) {
        assert_string_equal(r.items[i].desc->name, ids[i]);
        assert_int_equal(r.items[i].frn, frns[i]);
        assert_int_equal(r.items[i].len, lens[i]);
    }
    assert_int_equal(st.blocks, 1);
    assert_int_equal(st.records, 1);
    assert_int_equal(st.items, 8);

    struct ax_leaf l;
    assert_int_equal(ax_item_field(ax_record_item(&r, "010"), "SIC", &l), 1);
    assert_int_equal(ax_leaf_raw(&l), 201);
    assert_int_equal(ax_item_field(ax_record_item(&r, "040"), "THETA", &l), 1);
    assert_float_equal(ax_leaf_value(&l), 90.0, 1e-9);
    assert_string_equal(l.node->unit, "°");
    assert_int_equal(ax_item_field(ax_record_item(&r, "140"), "140", &l), 1);
    assert_float_equal(ax_leaf_value(&l), 120.0, 1e-9);
    assert_int_equal(ax_item_field(ax_record_item(&r, "020"), "ME", &l), 1);
    assert_int_equal(ax_leaf_raw(&l), 1);
    /* the third octet of 020 is absent (FX = 0 in the second) */
    assert_int_equal(ax_item_field(ax_record_item(&r, "020"), "ADSB/EP", &l), 0);
    assert_int_equal(ax_item_field(ax_record_item(&r, "120"), "CAL/CAL", &l), 1);
    assert_int_equal(ax_leaf_int(&l), -3);
    assert_int_equal(ax_item_field(ax_record_item(&r, "120"), "RDS/DOP", &l), 0);
    assert_int_equal(ax_item_field(ax_record_item(&r, "250"), "BDS1", &l), 1);
    assert_int_equal(ax_leaf_raw(&l), 4);
    assert_null(ax_record_item(&r, "220"));
}

static void test_json(void **state)
{
    (void)state;
    struct ax_record r;
    struct ax_error e;
    const struct ax_category *c = ax_category_find(48, 0);
    assert_int_equal(ax_record_decode(c, blk48 + 3, sizeof blk48 - 3, &r, &e), 32);
    struct dbuf out;
    dbuf_init(&out, 1 << 16);
    struct jsonw w;
    jw_init(&w, &out);
    ax_json_record(&w, &r, 0);
    assert_int_equal(w.err, 0);
    assert_string_equal(out.p, blk48_json);
    dbuf_reset(&out);
    jw_init(&w, &out);
    ax_json_record(&w, &r, AX_JSON_RAW);
    assert_non_null(strstr(out.p, "\"I140\":15360"));
    assert_non_null(strstr(out.p, "\"RHO\":256"));
    dbuf_free(&out);
}

/* Cut the block at every length: the header LEN is patched to match, so the
 * decoder sees a well-formed block whose last record is cut short. It must
 * report a truncation (or no record), never read past the cut (ASan). */
static void test_truncation(void **state)
{
    (void)state;
    for (size_t cut = 0; cut < sizeof blk48; cut++) {
        uint8_t *p = malloc(cut ? cut : 1);
        memcpy(p, blk48, cut);
        if (cut >= 3) {
            p[1] = (uint8_t)(cut >> 8);
            p[2] = (uint8_t)cut;
        }
        size_t off = 0;
        struct ax_block b;
        struct ax_error e;
        struct ax_record r;
        struct ax_stats st = {0};
        int rc = ax_block_next(p, cut, &off, &b, &e, &st);
        if (cut == 0) {
            assert_int_equal(rc, 0);
        } else if (cut < 3) {
            assert_int_equal(rc, CAIRN_E_TRUNCATED);
        } else {
            assert_int_equal(rc, 1);
            assert_int_equal(ax_block_open(&b, NULL, &e, &st), 0);
            rc = ax_block_record(&b, &r, &e, &st);
            if (cut == 3)
                assert_int_equal(rc, 0);
            else
                assert_true(rc < 0);
            if (rc < 0) {
                assert_non_null(e.why);
                assert_int_equal(st.blocks_cut, 1);
                assert_int_equal(ax_block_record(&b, &r, &e, &st), 0);
            }
        }
        free(p);
    }
}

static void test_bad_blocks_then_good(void **state)
{
    (void)state;
    /* block 1: CAT048 whose FSPEC names FRN 7 (130, compound) with a presence
     * bit for an undefined subfield; block 2: the good block. */
    uint8_t buf[64];
    size_t n = 0;
    const uint8_t bad[] = {0x30, 0x00, 0x06, 0x02, 0x01, 0x80 /* slot 7: past SRL..APD */};
    memcpy(buf, bad, sizeof bad);
    n += sizeof bad;
    memcpy(buf + n, blk48, sizeof blk48);
    n += sizeof blk48;
    struct ax_block b;
    struct ax_error e;
    struct ax_record r;
    struct ax_stats st = {0};
    size_t off = 0;
    assert_int_equal(ax_block_next(buf, n, &off, &b, &e, &st), 1);
    assert_int_equal(ax_block_open(&b, NULL, &e, &st), 0);
    int rc = ax_block_record(&b, &r, &e, &st);
    assert_true(rc < 0);
    assert_int_equal(e.cat, 48);
    assert_int_equal(st.blocks_cut, 1);
    assert_int_equal(ax_block_next(buf, n, &off, &b, &e, &st), 1);
    assert_int_equal(ax_block_open(&b, NULL, &e, &st), 0);
    assert_int_equal(ax_block_record(&b, &r, &e, &st), 1);
    assert_int_equal(r.n_items, 8);

    /* FSPEC naming a UAP slot marked "-" (CAT062 FRN 2) */
    const uint8_t spare_frn[] = {0x3E, 0x00, 0x06, 0x40, 0x00, 0x00};
    off = 0;
    assert_int_equal(ax_block_next(spare_frn, sizeof spare_frn, &off, &b, &e, &st), 1);
    assert_int_equal(ax_block_open(&b, NULL, &e, &st), 0);
    assert_int_equal(ax_block_record(&b, &r, &e, &st), CAIRN_E_ITEM);
    assert_non_null(strstr(e.why, "UAP"));

    /* LEN < 3, LEN past the end, an unknown category */
    const uint8_t short_len[] = {0x30, 0x00, 0x02, 0x00};
    off = 0;
    assert_int_equal(ax_block_next(short_len, sizeof short_len, &off, &b, &e, &st), CAIRN_E_FORMAT);
    assert_int_equal(off, sizeof short_len);
    const uint8_t long_len[] = {0x30, 0x00, 0x09, 0x00};
    off = 0;
    assert_int_equal(ax_block_next(long_len, sizeof long_len, &off, &b, &e, &st),
                     CAIRN_E_TRUNCATED);
    const uint8_t cat7[] = {0x07, 0x00, 0x04, 0x00};
    off = 0;
    assert_int_equal(ax_block_next(cat7, sizeof cat7, &off, &b, &e, &st), 1);
    assert_int_equal(ax_block_open(&b, NULL, &e, &st), CAIRN_E_CATEGORY);
    assert_int_equal(ax_block_record(&b, &r, &e, &st), 0);
    assert_int_equal(st.err_category, 1);
    assert_int_equal(st.err_block, 2);

    /* zero padding after the last record ends the block quietly; an empty
     * FSPEC followed by anything else is an error */
    uint8_t pad[sizeof blk48 + 4];
    memcpy(pad, blk48, sizeof blk48);
    memset(pad + sizeof blk48, 0, 4);
    pad[2] = (uint8_t)sizeof pad;
    off = 0;
    uint64_t padding = st.padding;
    assert_int_equal(ax_block_next(pad, sizeof pad, &off, &b, &e, &st), 1);
    assert_int_equal(ax_block_open(&b, NULL, &e, &st), 0);
    assert_int_equal(ax_block_record(&b, &r, &e, &st), 1);
    assert_int_equal(ax_block_record(&b, &r, &e, &st), 0);
    assert_int_equal(st.padding, padding + 1);
    pad[sizeof pad - 1] = 0x80;
    off = 0;
    assert_int_equal(ax_block_next(pad, sizeof pad, &off, &b, &e, &st), 1);
    assert_int_equal(ax_block_open(&b, NULL, &e, &st), 0);
    assert_int_equal(ax_block_record(&b, &r, &e, &st), 1);
    assert_int_equal(ax_block_record(&b, &r, &e, &st), CAIRN_E_FORMAT);
    assert_non_null(strstr(e.why, "empty FSPEC"));

    /* an explicit item whose length octet is 0 breaks the record */
    const uint8_t re0[] = {0x30, 0x00, 0x09, 0x01, 0x01, 0x01, 0x01, 0x04 /* FRN 27 SP */, 0x00};
    off = 0;
    assert_int_equal(ax_block_next(re0, sizeof re0, &off, &b, &e, &st), 1);
    assert_int_equal(ax_block_open(&b, NULL, &e, &st), 0);
    assert_int_equal(ax_block_record(&b, &r, &e, &st), CAIRN_E_ITEM);
}

/* A CAT021 2.6 group whose AS field changes meaning with IM (a case element). */
static void test_case_element(void **state)
{
    (void)state;
    const struct ax_category *c = ax_category_find(21, AX_ED(2, 6));
    const struct ax_node *i150 = ax_category_item(c, "150");
    assert_non_null(i150);
    const uint8_t ias[] = {0x00, 0x40};  /* IM 0: 64 * 2^-14 NM/s */
    const uint8_t mach[] = {0x83, 0x20}; /* IM 1: 800 * 0.001 Mach */
    struct ax_item it = {i150, ias, 2, 0};
    struct ax_leaf l;
    assert_int_equal(ax_item_field(&it, "AS", &l), 1);
    assert_string_equal(l.node->unit, "NM/s");
    assert_float_equal(ax_leaf_value(&l), 64.0 / 16384.0, 1e-12);
    it.p = mach;
    assert_int_equal(ax_item_field(&it, "AS", &l), 1);
    assert_string_equal(l.node->unit, "Mach");
    assert_float_equal(ax_leaf_value(&l), 0.8, 1e-12);
}

/* CAT001 picks its UAP per record by I001/020 TYP: FRN 3 is I001/040 in a
 * plot and I001/161 in a track. */
static void test_two_uaps(void **state)
{
    (void)state;
    const struct ax_category *c = ax_category_find(1, 0);
    assert_non_null(c);
    assert_non_null(c->uap_alt);
    struct ax_record r;
    struct ax_error e;
    /* FSPEC E0: FRN 1-3; 010 = 00 01; 020 = 20 (plot, SSR); 040 = 4 bytes */
    const uint8_t plot[] = {0xE0, 0x00, 0x01, 0x20, 0x3F, 0xB8, 0xB6, 0x7B};
    assert_int_equal(ax_record_decode(c, plot, sizeof plot, &r, &e), 8);
    assert_string_equal(r.items[2].desc->name, "040");
    /* 020 = A0 (track): FRN 3 is the 2-byte track number */
    const uint8_t track[] = {0xE0, 0x19, 0xC9, 0xA0, 0x0E, 0xB2};
    assert_int_equal(ax_record_decode(c, track, sizeof track, &r, &e), 6);
    assert_string_equal(r.items[2].desc->name, "161");
    struct ax_leaf l;
    assert_int_equal(ax_item_field(&r.items[2], "161", &l), 1);
    assert_int_equal(ax_leaf_raw(&l), 3762);
}

/* Strings: ICAO 6-bit callsign, octal Mode 3/A. */
static void test_strings(void **state)
{
    (void)state;
    const struct ax_category *c = ax_category_find(48, 0);
    /* "DLH65A  " in 6-bit: D=4 L=12 H=8 6=54 5=53 A=1 sp=32 sp=32 */
    const uint8_t id[] = {0x10, 0xC2, 0x36, 0xD4, 0x18, 0x20};
    struct ax_item it = {ax_category_item(c, "240"), id, 6, 0};
    struct ax_leaf l;
    char s[16];
    assert_int_equal(ax_item_field(&it, "240", &l), 1);
    assert_int_equal(ax_leaf_string(&l, s, sizeof s), 8);
    assert_string_equal(s, "DLH65A  ");
    assert_int_equal(ax_leaf_string(&l, s, 4), CAIRN_E_FULL);
    const uint8_t m3a[] = {0x02, 0x00}; /* code 1000 octal */
    struct ax_item it2 = {ax_category_item(c, "070"), m3a, 2, 0};
    assert_int_equal(ax_item_field(&it2, "MODE3A", &l), 1);
    assert_int_equal(ax_leaf_string(&l, s, sizeof s), 4);
    assert_string_equal(s, "1000");
}

/* pcap layers: Ethernet + 802.1Q + IPv4 + UDP, Linux cooked, raw IPv6. */
static void test_pcap_layers(void **state)
{
    (void)state;
    uint8_t f[128];
    memset(f, 0, sizeof f);
    /* Ethernet: dst, src, 8100 VLAN tag, 0800 */
    f[12] = 0x81, f[13] = 0x00, f[16] = 0x08, f[17] = 0x00;
    uint8_t *ip = f + 18;
    ip[0] = 0x45, ip[2] = 0, ip[3] = 20 + 8 + 4, ip[8] = 64, ip[9] = 17;
    ip[12] = 10, ip[15] = 1, ip[16] = 239, ip[19] = 2;
    uint8_t *udp = ip + 20;
    udp[0] = 0x9c, udp[1] = 0x40, udp[2] = 0x21, udp[3] = 0x98, udp[5] = 12;
    memcpy(udp + 8, "\x30\x00\x04\x00", 4);
    size_t flen = 18 + 20 + 8 + 4 + 6; /* 6 bytes of Ethernet padding */
    struct pcap_udp u;
    struct pcap_feed_stats st = {0};
    assert_int_equal(pcap_udp_extract(1 /* DLT_EN10MB */, f, flen, &u, &st), 1);
    assert_int_equal(u.len, 4);
    assert_int_equal(u.dport, 8600);
    assert_int_equal(u.sport, 40000);
    assert_int_equal(u.src[0], 10);
    assert_memory_equal(u.payload, "\x30\x00\x04\x00", 4);
    /* cut captures never read beyond caplen */
    for (size_t cut = 0; cut < flen; cut++) {
        uint8_t *p = malloc(cut ? cut : 1);
        memcpy(p, f, cut);
        int rc = pcap_udp_extract(1, p, cut, &u, &st);
        assert_true(rc == 0 || (rc == 1 && u.cut && u.len < 4) || (rc == 1 && cut >= 50));
        free(p);
    }
    /* a fragment (MF set) is counted, not delivered */
    ip[6] = 0x20;
    uint64_t frags = st.fragments;
    assert_int_equal(pcap_udp_extract(1, f, flen, &u, &st), 0);
    assert_int_equal(st.fragments, frags + 1);
    ip[6] = 0;

    /* Linux cooked v1: 16-byte header, protocol at 14 */
    uint8_t sll[128];
    memset(sll, 0, sizeof sll);
    sll[14] = 0x08;
    memcpy(sll + 16, ip, 32);
    assert_int_equal(pcap_udp_extract(113, sll, 16 + 32, &u, &st), 1);
    assert_int_equal(u.len, 4);

    /* raw IPv6 + UDP */
    uint8_t v6[64];
    memset(v6, 0, sizeof v6);
    v6[0] = 0x60, v6[5] = 12, v6[6] = 17, v6[7] = 64;
    v6[23] = 1, v6[39] = 1;
    uint8_t *u6 = v6 + 40;
    u6[2] = 0x21, u6[3] = 0x98, u6[5] = 12;
    memcpy(u6 + 8, "\x3e\x00\x04\x00", 4);
    assert_int_equal(pcap_udp_extract(12 /* DLT_RAW */, v6, 52, &u, &st), 1);
    assert_int_equal(u.ipv6, 1);
    assert_int_equal(u.len, 4);
    assert_int_equal(u.payload[0], 0x3e);
    /* TCP over IPv6 is not UDP */
    v6[6] = 6;
    assert_int_equal(pcap_udp_extract(12, v6, 52, &u, &st), 0);
    assert_int_equal(pcap_udp_extract(9999, v6, 52, &u, &st), CAIRN_E_UNSUPPORTED);
}

/* Link layers beyond the basic ones: 802.1ad + 802.1Q, Linux cooked v2,
 * and IEEE 802.3 frames with an 802.2 LLC header (no IP): UI payloads are
 * delivered with `llc` set and end at the 802.3 length (padding dropped);
 * SNAP goes on to IP; other LLC users and non-UI frames are counted. */
static void test_pcap_llc_and_tags(void **state)
{
    (void)state;
    static const uint8_t blk[] = {0x30, 0x00, 0x06, 0x80, 0x19, 0xc9}; /* CAT048, I010 */
    struct pcap_udp u;
    struct pcap_feed_stats st = {0};

    /* 802.3 + LLC UI, DSAP/SSAP 0x54, padded to the 60-octet minimum */
    uint8_t f[64];
    memset(f, 0xee, sizeof f);
    memcpy(f, "\x01\x02\x03\x04\x05\x06\x0a\x0b\x0c\x0d\x0e\x0f", 12);
    f[12] = 0, f[13] = 3 + sizeof blk;
    f[14] = 0x54, f[15] = 0x54, f[16] = 0x03;
    memcpy(f + 17, blk, sizeof blk);
    assert_int_equal(pcap_udp_extract(1, f, 60, &u, &st), 1);
    assert_int_equal(u.llc, 1);
    assert_int_equal(u.dsap, 0x54);
    assert_int_equal(u.ssap, 0x54);
    assert_int_equal(u.len, sizeof blk);
    assert_int_equal(u.cut, 0);
    assert_int_equal(u.sport, 0);
    assert_int_equal(u.src[0], 0x0a);
    assert_int_equal(u.dst[5], 0x06);
    assert_memory_equal(u.payload, blk, sizeof blk);
    assert_int_equal(st.llc, 1);
    assert_int_equal(st.udp, 0);
    /* the P/F bit set is still UI */
    f[16] = 0x13;
    assert_int_equal(pcap_udp_extract(1, f, 60, &u, &st), 1);
    f[16] = 0x03;
    /* captured shorter than the 802.3 length: delivered, flagged cut */
    assert_int_equal(pcap_udp_extract(1, f, 20, &u, &st), 1);
    assert_int_equal(u.cut, 1);
    assert_int_equal(u.len, 3);
    /* truncated at every offset: never a read past caplen */
    for (size_t cut = 0; cut < 60; cut++) {
        uint8_t *p = malloc(cut ? cut : 1);
        memcpy(p, f, cut);
        int rc = pcap_udp_extract(1, p, cut, &u, &st);
        assert_true(rc == 0 || (rc == 1 && u.llc && u.len + 17 <= cut));
        free(p);
    }
    uint64_t other = st.llc_other, mal = st.malformed;
    /* spanning tree BPDU (SAP 0x42), XID (0xAF), an I frame (low bit 0) */
    f[14] = 0x42, f[15] = 0x42;
    assert_int_equal(pcap_udp_extract(1, f, 60, &u, &st), 0);
    f[14] = 0x54, f[15] = 0x54, f[16] = 0xaf;
    assert_int_equal(pcap_udp_extract(1, f, 60, &u, &st), 0);
    f[16] = 0x00;
    assert_int_equal(pcap_udp_extract(1, f, 60, &u, &st), 0);
    /* Novell raw 802.3 */
    f[14] = 0xff, f[15] = 0xff;
    assert_int_equal(pcap_udp_extract(1, f, 60, &u, &st), 0);
    assert_int_equal(st.llc_other, other + 4);
    /* a type/length of 1501..1535 is neither */
    f[12] = 0x05, f[13] = 0xdd;
    assert_int_equal(pcap_udp_extract(1, f, 60, &u, &st), 0);
    assert_int_equal(st.malformed, mal + 1);

    /* 802.3 + LLC/SNAP + IPv4/UDP, behind 802.1ad and 802.1Q tags */
    uint8_t g[128];
    memset(g, 0, sizeof g);
    g[12] = 0x88, g[13] = 0xa8, g[16] = 0x81, g[17] = 0x00;
    size_t ipl = 20 + 8 + sizeof blk;
    g[20] = 0, g[21] = (uint8_t)(8 + ipl);
    memcpy(g + 22, "\xaa\xaa\x03\x00\x00\x00\x08\x00", 8);
    uint8_t *ip = g + 30;
    ip[0] = 0x45, ip[3] = (uint8_t)ipl, ip[9] = 17, ip[12] = 10, ip[15] = 7;
    uint8_t *ud = ip + 20;
    ud[2] = 0x21, ud[3] = 0x98, ud[5] = (uint8_t)(8 + sizeof blk);
    memcpy(ud + 8, blk, sizeof blk);
    uint64_t udp0 = st.udp;
    assert_int_equal(pcap_udp_extract(1, g, 30 + ipl, &u, &st), 1);
    assert_int_equal(u.llc, 0);
    assert_int_equal(u.dport, 8600);
    assert_int_equal(u.src[3], 7);
    assert_memory_equal(u.payload, blk, sizeof blk);
    assert_int_equal(st.udp, udp0 + 1);
    /* the same IPv4/UDP with an EtherType after the two tags */
    g[20] = 0x08, g[21] = 0x00;
    memmove(g + 22, ip, ipl);
    assert_int_equal(pcap_udp_extract(1, g, 22 + ipl, &u, &st), 1);
    assert_memory_equal(u.payload, blk, sizeof blk);

    /* Linux cooked v2: protocol at 0, 20-octet header; and with LLC */
    uint8_t c[128];
    memset(c, 0, sizeof c);
    c[0] = 0x08;
    memcpy(c + 20, g + 22, ipl);
    assert_int_equal(pcap_udp_extract(276, c, 20 + ipl, &u, &st), 1);
    assert_int_equal(u.dport, 8600);
    assert_memory_equal(u.payload, blk, sizeof blk);
    c[0] = 0x00, c[1] = 0x04;
    c[20] = 0x54, c[21] = 0x54, c[22] = 0x03;
    memcpy(c + 23, blk, sizeof blk);
    assert_int_equal(pcap_udp_extract(276, c, 23 + sizeof blk, &u, &st), 1);
    assert_int_equal(u.llc, 1);
    assert_int_equal(u.len, sizeof blk);
    /* Linux cooked v1 with LLC */
    uint8_t c1[64];
    memset(c1, 0, sizeof c1);
    c1[15] = 0x04;
    memcpy(c1 + 16, c + 20, 3 + sizeof blk);
    assert_int_equal(pcap_udp_extract(113, c1, 19 + sizeof blk, &u, &st), 1);
    assert_int_equal(u.llc, 1);
    assert_memory_equal(u.payload, blk, sizeof blk);
    /* an LLC frame then a UDP one with the same struct: llc is cleared */
    assert_int_equal(pcap_udp_extract(276, c, 20, &u, &st), 0);
    c[0] = 0x08, c[1] = 0;
    memcpy(c + 20, g + 22, ipl);
    assert_int_equal(pcap_udp_extract(276, c, 20 + ipl, &u, &st), 1);
    assert_int_equal(u.llc, 0);
}

/* A self-made HDLC frame: 01 03, the blocks, FCS-16 complemented, least
 * significant octet first. Returns its length. */
static size_t make_hdlc(uint8_t *out, const uint8_t *blocks, size_t n)
{
    out[0] = 0x01, out[1] = 0x03;
    memcpy(out + 2, blocks, n);
    uint16_t fcs = (uint16_t)~ax_fcs16(0xFFFF, out, n + 2);
    out[n + 2] = (uint8_t)(fcs & 0xff);
    out[n + 3] = (uint8_t)(fcs >> 8);
    return n + 4;
}

static size_t make_final(uint8_t *out, const uint8_t *blocks, size_t n, uint32_t t_cs)
{
    size_t len = AX_FINAL_HDR + n + AX_FINAL_PAD;
    out[0] = (uint8_t)(len >> 8), out[1] = (uint8_t)len;
    out[2] = 1, out[3] = 2, out[4] = 3; /* board, line, day */
    out[5] = (uint8_t)(t_cs >> 16), out[6] = (uint8_t)(t_cs >> 8), out[7] = (uint8_t)t_cs;
    memcpy(out + AX_FINAL_HDR, blocks, n);
    memset(out + AX_FINAL_HDR + n, 0xA5, AX_FINAL_PAD);
    return len;
}

/* Croatia Control's FINAL recordings: records with length, time (0.01 s)
 * and 0xA5 padding; every cut of the file ends in an explained error or at
 * a record boundary, never a read past it. */
static void test_final_framing(void **state)
{
    (void)state;
    static const uint8_t b1[] = {0x30, 0x00, 0x06, 0x80, 0x19, 0xc9};
    static const uint8_t b2[] = {0x22, 0x00, 0x05, 0x80, 0x00, 0x30, 0x00, 0x06, 0x80, 0x19, 0xca};
    uint8_t f[128];
    size_t n = make_final(f, b1, sizeof b1, 4529650);
    n += make_final(f + n, b2, sizeof b2, 4529700);
    assert_true(ax_final_detect(f, n));
    assert_false(ax_final_detect(b1, sizeof b1)); /* a plain block file */
    size_t off = 0, dl;
    const uint8_t *d;
    double tod;
    assert_int_equal(ax_final_next(f, n, &off, &d, &dl, &tod), 1);
    assert_int_equal(dl, sizeof b1);
    assert_memory_equal(d, b1, sizeof b1);
    assert_true(tod == 45296.5);
    assert_int_equal(ax_final_next(f, n, &off, &d, &dl, &tod), 1);
    assert_int_equal(dl, sizeof b2);
    assert_true(tod == 45297.0);
    assert_int_equal(ax_final_next(f, n, &off, &d, &dl, &tod), 0);
    /* truncated at every offset */
    for (size_t cut = 0; cut < n; cut++) {
        uint8_t *p = malloc(cut ? cut : 1);
        memcpy(p, f, cut);
        off = 0;
        int rc, recs = 0;
        while ((rc = ax_final_next(p, cut, &off, &d, &dl, &tod)) == 1) {
            assert_true(d >= p && d + dl <= p + cut);
            recs++;
        }
        assert_true(rc == 0 || rc == CAIRN_E_FORMAT);
        assert_int_equal(off, cut);
        assert_int_equal(rc == 0, cut == 0 || cut == 18 || cut == n);
        free(p);
    }
    /* a length below header + padding */
    f[0] = 0, f[1] = 11;
    off = 0;
    assert_int_equal(ax_final_next(f, n, &off, &d, &dl, &tod), CAIRN_E_FORMAT);
    assert_false(ax_final_detect(f, n));
}

/* HDLC recordings: frames found by their FCS, noise and damaged frames
 * skipped and counted; the check value of the FCS (RFC 1662 / CRC-16/X-25:
 * "123456789" gives 0x906E once complemented). */
static void test_hdlc_framing(void **state)
{
    (void)state;
    assert_int_equal((uint16_t)~ax_fcs16(0xFFFF, (const uint8_t *)"123456789", 9), 0x906E);
    static const uint8_t b1[] = {0x30, 0x00, 0x06, 0x80, 0x19, 0xc9};
    static const uint8_t b2[] = {0x22, 0x00, 0x05, 0x80, 0x00, 0x30, 0x00, 0x06, 0x80, 0x19, 0xca};
    uint8_t f[256];
    size_t n = 0;
    f[n++] = 0x55; /* noise, and a frame start that is none */
    f[n++] = 0x01;
    f[n++] = 0x03;
    size_t f1 = n;
    n += make_hdlc(f + n, b1, sizeof b1);
    memset(f + n, 0, 3);
    n += 3;
    size_t f2 = n;
    n += make_hdlc(f + n, b2, sizeof b2);
    size_t f3 = n; /* a damaged frame: one FCS bit flipped */
    n += make_hdlc(f + n, b1, sizeof b1);
    f[n - 1] ^= 0x10;
    size_t f4 = n;
    n += make_hdlc(f + n, b1, sizeof b1);
    assert_true(ax_hdlc_detect(f, n));
    assert_false(ax_hdlc_detect(b2, sizeof b2));
    size_t off = 0, dl, skipped = 0;
    const uint8_t *d;
    assert_int_equal(ax_hdlc_next(f, n, &off, &d, &dl, &skipped), 1);
    assert_ptr_equal(d, f + f1 + 2);
    assert_int_equal(dl, sizeof b1);
    assert_int_equal(skipped, 3);
    assert_int_equal(ax_hdlc_next(f, n, &off, &d, &dl, &skipped), 1);
    assert_ptr_equal(d, f + f2 + 2);
    assert_int_equal(dl, sizeof b2); /* two blocks in one frame */
    assert_int_equal(skipped, 6);
    assert_int_equal(ax_hdlc_next(f, n, &off, &d, &dl, &skipped), 1);
    assert_ptr_equal(d, f + f4 + 2);
    assert_int_equal(skipped, 6 + (f4 - f3));
    assert_int_equal(ax_hdlc_next(f, n, &off, &d, &dl, &skipped), 0);
    assert_int_equal(off, n);
    /* truncated at every offset: frames inside the cut only, and every
     * octet is either in a frame or counted as skipped */
    for (size_t cut = 0; cut <= n; cut++) {
        uint8_t *p = malloc(cut ? cut : 1);
        memcpy(p, f, cut);
        off = 0;
        skipped = 0;
        size_t in_frames = 0;
        while (ax_hdlc_next(p, cut, &off, &d, &dl, &skipped) == 1) {
            assert_true(d >= p + 2 && d + dl + 2 <= p + cut);
            in_frames += dl + 4;
        }
        assert_int_equal(in_frames + skipped, cut);
        free(p);
    }
}

/* The specification's ranges: CAT062 I105 LAT ">= -90 <= 90". */
static void test_ranges(void **state)
{
    (void)state;
    const struct ax_category *c = ax_category_find(62, 0);
    const struct ax_node *i105 = ax_category_item(c, "105");
    /* LAT 0x10000000 * 180/2^25 = 1440 deg: outside; LON 0 */
    const uint8_t bad[] = {0x10, 0, 0, 0, 0, 0, 0, 0};
    const uint8_t good[] = {0x01, 0, 0, 0, 0, 0, 0, 0}; /* 90 deg exactly */
    struct ax_item it = {i105, bad, 8, 5};
    struct ax_leaf l;
    assert_int_equal(ax_item_field(&it, "LAT", &l), 1);
    assert_true(l.node->range & AX_RANGE_MAX);
    assert_int_equal(ax_leaf_in_range(&l), 0);
    it.p = good;
    assert_int_equal(ax_item_field(&it, "LAT", &l), 1);
    assert_int_equal(ax_leaf_in_range(&l), 1);
    /* a record with it: one bad leaf, listed in the JSON */
    const uint8_t rec[] = {0x88, 0x19, 0x64, 0x10, 0, 0, 0, 0, 0, 0, 0};
    struct ax_record r;
    struct ax_error e;
    assert_int_equal(ax_record_decode(c, rec, sizeof rec, &r, &e), (int)sizeof rec);
    assert_int_equal(ax_record_range_errors(&r), 1);
    struct dbuf out;
    dbuf_init(&out, 1 << 16);
    struct jsonw w;
    jw_init(&w, &out);
    ax_json_record(&w, &r, 0);
    assert_non_null(strstr(out.p, ",\"out_of_range\":[\"I105/LAT\"]}"));
    dbuf_free(&out);
}

static void put32le(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16),
    p[3] = (uint8_t)(v >> 24);
}

/* A pcapng file (section header, interface description, one enhanced packet
 * block carrying Ethernet/IPv4/UDP/ASTERIX) read through libpcap. */
static void test_pcapng_file(void **state)
{
    (void)state;
    uint8_t f[256];
    size_t n = 0;
    memset(f, 0, sizeof f);
    /* SHB: type, length 28, byte-order magic, version 1.0, section length -1 */
    put32le(f + n, 0x0A0D0D0A), put32le(f + n + 4, 28), put32le(f + n + 8, 0x1A2B3C4D);
    f[n + 12] = 1;
    memset(f + n + 16, 0xff, 8);
    put32le(f + n + 24, 28);
    n += 28;
    /* IDB: link type 1 (Ethernet), snaplen 65535 */
    put32le(f + n, 1), put32le(f + n + 4, 20), f[n + 8] = 1, put32le(f + n + 12, 65535);
    put32le(f + n + 16, 20);
    n += 20;
    /* EPB with a 50-byte frame (padded to 52) */
    uint8_t fr[50];
    memset(fr, 0, sizeof fr);
    fr[12] = 0x08;
    uint8_t *ip = fr + 14;
    ip[0] = 0x45, ip[3] = 20 + 8 + 8, ip[8] = 64, ip[9] = 17;
    uint8_t *udp = ip + 20;
    udp[2] = 0x21, udp[3] = 0x98, udp[5] = 16;
    memcpy(udp + 8, "\x22\x00\x08\x80\x19\x0e\x00\x00", 8); /* CAT034, 010 */
    uint32_t blen = 32 + 52;
    put32le(f + n, 6), put32le(f + n + 4, blen), put32le(f + n + 20, 50), put32le(f + n + 24, 50);
    memcpy(f + n + 28, fr, 50);
    put32le(f + n + 28 + 52, blen);
    n += blen;
    char path[] = "/tmp/cairn_test_pcapng_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *fp = fdopen(fd, "wb");
    assert_int_equal(fwrite(f, 1, n, fp), n);
    fclose(fp);
    struct feed_pcap *fe;
    char err[256];
    assert_int_equal(feed_pcap_open(&fe, path, err, sizeof err), 0);
    struct pcap_udp u;
    assert_int_equal(feed_pcap_next(fe, &u), 1);
    assert_int_equal(u.len, 8);
    assert_int_equal(u.dport, 8600);
    assert_int_equal(u.payload[0], 0x22);
    assert_int_equal(feed_pcap_next(fe, &u), 0);
    assert_int_equal(feed_pcap_stats(fe)->udp, 1);
    feed_pcap_close(fe);
    remove(path);
    /* not a capture at all */
    assert_true(feed_pcap_open(&fe, "/nonexistent/x.pcap", err, sizeof err) < 0);
    assert_true(strlen(err) > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tables),
        cmocka_unit_test(test_editions),
        cmocka_unit_test(test_record_structures),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_bad_blocks_then_good),
        cmocka_unit_test(test_case_element),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_two_uaps),
        cmocka_unit_test(test_pcap_layers),
        cmocka_unit_test(test_pcap_llc_and_tags),
        cmocka_unit_test(test_final_framing),
        cmocka_unit_test(test_hdlc_framing),
        cmocka_unit_test(test_pcapng_file),
        cmocka_unit_test(test_ranges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
