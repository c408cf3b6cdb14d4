/*
 * test_tshark_links.c — ASTERIX in every link framing cairn reads from a
 * capture, and in every category it has a table for that tshark dissects,
 * decodes to the values tshark reads from the very same file.
 *
 * Seeded random records (tests/unit/asterix_enc/axgen.h: every item of the
 * UAP with probability 1/2, random values, random extents, repetitions and
 * compound subsets; RE and SP left out, their content is not comparable) of
 * each category in tshark 4.0.17's default edition are written one block per
 * frame into three self-made captures (libpcap's writer):
 *
 *   - Ethernet (DLT_EN10MB): IPv4/UDP; IPv4/UDP behind an 802.1Q tag;
 *     IEEE 802.3 + 802.2 LLC UI (no IP, DSAP/SSAP 0x54, padded to the 60-octet
 *     minimum, as older radar LANs send it); the same behind an 802.1Q tag;
 *     802.3 + LLC/SNAP + IPv4/UDP; and noise that must yield nothing: a
 *     spanning-tree BPDU, an LLC XID frame, an ARP request;
 *   - Linux cooked v1 (DLT_LINUX_SLL): IPv4/UDP and 802.2 LLC (ETH_P_802_2);
 *   - Linux cooked v2 (DLT_LINUX_SLL2): IPv4/UDP and 802.2 LLC.
 *
 * cairn reads each file through feed/pcap.h (refload.h's sample_load) and
 * decodes it; tshark reads it with `-V -O asterix` (UDP port 8600 is its
 * default; a two-line Lua script registers its ASTERIX dissector on LLC
 * SAP 0x54, as an operator would for such a LAN) and the two are compared
 * field by field (tests/vectors/asterix/tshark_v.h): same records in the same
 * order, same items, same fields, values within half an LSB. The counters of
 * the pcap feed are checked too (LLC delivered, other LLC frames, not IP).
 * The Ethernet capture also carries CAT004 alerts from the typed encoder
 * (typed.h ax04_encode), random STCA/APW/MSAW/... and alive messages.
 * Skips (exit 77) when tshark is not installed. CAIRN_SEED repeats a run;
 * CAIRN_KEEP=1 keeps the captures and tshark's text in /tmp.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../vectors/asterix/tshark_v.h"
#include "decode/asterix/typed.h"

#define AXGEN_PRINTABLE
#define POOL_N   4096
#define LEAVES_N 4096
#include "../../unit/asterix_enc/axgen.h"

#define rng rng_state

/* Records per category and capture: enough to meet most items several
 * times, small enough for tshark to finish in a few seconds. */
#define N_PER_CAT  24
#define LLC_SAP    0x54u
#define MAX_FRAMES 400

/* tshark 4.0.17's default editions (`tshark -G currentprefs`). */
static const struct {
    unsigned cat;
    const char *ed;
} CATS[] = {
    {4, "1.12"}, {8, "1.3"},  {10, "1.1"},  {19, "1.3"},  {20, "1.10"},
    {23, "1.3"}, {25, "1.5"}, {34, "1.29"}, {48, "1.31"},
};
#define N_CATS (sizeof CATS / sizeof CATS[0])

enum link {
    L_ETH_UDP,
    L_ETH_VLAN_UDP,
    L_ETH_LLC,
    L_ETH_VLAN_LLC,
    L_ETH_SNAP_UDP,
    L_SLL_UDP,
    L_SLL_LLC,
    L_SLL2_UDP,
    L_SLL2_LLC,
};

/* Items left out of the random records, where tshark 4.0.17's dissector
 * was generated from an older asterix-specs text than ours: */
static const struct {
    unsigned cat;
    const char *item;
} SKIP[] = {
    /* I020/030: "extended" WE octets there, "repetitive fx" here (the same
     * bytes for one code; tshark stops after a second one) */
    {20, "030"},
    /* I048/030: the same, and its element unnamed here, CODE there */
    {48, "030"},
    /* I048/020 third extent: ADSB/SCN/PAI are groups of EP and VAL here,
     * one value there */
    {48, "020"},
    /* I034/120 HGT: signed here (the EUROCONTROL text), unsigned there */
    {34, "120"},
    /* I004/170 and /171 CPW: ALT is 16 bits here (CPW 10 octets, as the
     * EUROCONTROL text), 32 there; the subfields after it shift */
    {4, "170/CPW"},
    {4, "171/CPW"},
    /* I008/110: repetitive FX-chained elements here, named DATA there */
    {8, "110"},
    /* I019/553: REFTR4 at bits 4/3 of the second octet here (as REFTR2 in
     * the first), one bit further there */
    {19, "553"},
};

static int skipped(unsigned cat, const struct ax_node *it)
{
    for (size_t i = 0; i < sizeof SKIP / sizeof SKIP[0]; i++)
        if (SKIP[i].cat == cat && !strcmp(SKIP[i].item, it->name))
            return 1;
    return 0;
}

/* leave out the compound subitems SKIP names as "ITEM/SUB" */
static void skip_subitems(unsigned cat, const struct ax_node *it, struct ax_val *v)
{
    if (it->kind != AX_COMPOUND || v->sub == NULL)
        return;
    for (size_t i = 0; i < sizeof SKIP / sizeof SKIP[0]; i++) {
        size_t il = strlen(it->name);
        if (SKIP[i].cat != cat || strncmp(SKIP[i].item, it->name, il) || SKIP[i].item[il] != '/')
            continue;
        for (unsigned k = 0; k < v->n_sub; k++)
            if (it->sub[k].name && !strcmp(it->sub[k].name, SKIP[i].item + il + 1))
                memset((struct ax_val *)&v->sub[k], 0, sizeof v->sub[k]);
    }
}

/* axgen_record's filters: no explicit items, none tshark cannot show */
static int links_leave_out(const struct ax_category *c, const struct ax_node *it)
{
    return it->kind == AX_EXPLICIT || skipped(c->cat, it);
}

static void links_trim(const struct ax_category *c, const struct ax_node *it, struct ax_val *v)
{
    skip_subitems(c->cat, it, v);
}

/* one random record of table c in a data block; 0 if it came out empty */
static size_t random_block(const struct ax_category *c, uint8_t *out, size_t cap)
{
    for (int attempt = 0; attempt < 50; attempt++) {
        static uint8_t items[16384];
        struct ax_record r;
        int got = axgen_record(c, &r, items, sizeof items, links_leave_out, links_trim);
        assert_true(got >= 0);
        if (got == 0)
            continue;
        uint8_t rec[1400];
        int rl = ax_record_encode(&r, rec, sizeof rec);
        if (rl <= 0 || (size_t)rl + 3 > cap || rl > 1400)
            continue;
        struct ax_block_writer w;
        ax_bw_init(&w, out, cap);
        if (ax_bw_add(&w, (uint8_t)c->cat, rec, (size_t)rl) != 0)
            continue;
        return ax_bw_finish(&w);
    }
    return 0;
}

static double urand(double lo, double hi)
{
    return lo + (hi - lo) * ((double)(rnd() >> 11) / 9007199254740992.0);
}

static void random_text(char *out, size_t n, const char *alphabet)
{
    size_t k = strlen(alphabet), len = 1 + rnd_below((unsigned)n);
    for (size_t i = 0; i < len; i++)
        out[i] = alphabet[rnd_below((unsigned)k)];
    out[len] = 0;
}

/* a random alert through the typed CAT004 encoder (typed.h), in a block;
 * CPW is left out (tshark reads its ALT as 32 bits, see SKIP) */
static size_t typed_alert_block(uint8_t *out, size_t cap)
{
    static const uint8_t types[] = {AX04_MSAW, AX04_APW, AX04_STCA, AX04_EOC,
                                    AX04_NTCA, AX04_AIW, AX04_ALIVE};
    struct ax04_alert a;
    memset(&a, 0, sizeof a);
    a.sac = (uint8_t)rnd(), a.sic = (uint8_t)rnd();
    a.type = types[rnd_below(sizeof types)];
    a.tod_s = urand(0, 86399);
    a.has_sdps = (int)rnd_below(2), a.sdps_sac = (uint8_t)rnd(), a.sdps_sic = (uint8_t)rnd();
    if (a.type == AX04_ALIVE) {
        a.has_functions = 1;
        a.functions = rnd() & ((1ull << 49) - 1);
    } else {
        a.has_alert_id = 1, a.alert_id = (uint16_t)rnd();
        a.has_status = (int)rnd_below(2), a.status = (uint8_t)rnd_below(8);
        a.has_track1 = 1, a.track1 = (uint16_t)rnd();
        a.has_track2 = a.type == AX04_STCA || a.type == AX04_NTCA;
        a.track2 = (uint16_t)rnd();
        a.has_ttc = (int)rnd_below(2), a.ttc_s = urand(0, 300);
        a.has_tca = (int)rnd_below(2), a.tca_s = urand(0, 300);
        a.has_chs = (int)rnd_below(2), a.chs_m = urand(0, 100000);
        a.has_mhs = (int)rnd_below(2), a.mhs_m = urand(0, 30000);
        a.has_cvs = (int)rnd_below(2), a.cvs_ft = urand(0, 10000);
        a.has_mvs = (int)rnd_below(2), a.mvs_ft = urand(0, 10000);
        a.has_vdev = (int)rnd_below(2), a.vdev_ft = urand(-5000, 5000);
        a.has_ldev = (int)rnd_below(2), a.ldev_m = urand(-50000, 50000);
        a.has_tdev = (int)rnd_below(2), a.tdev_m = urand(-50000, 50000);
        a.has_area = a.type == AX04_APW || a.type == AX04_AIW;
        random_text(a.area, 8, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
        a.has_nature = (int)rnd_below(2), a.nature = (uint8_t)rnd_below(128);
        a.has_class = (int)rnd_below(2), a.class_tid = (uint8_t)rnd_below(16);
        a.class_cp = (uint8_t)rnd_below(8), a.class_high = (uint8_t)rnd_below(2);
        a.has_probability = (int)rnd_below(2), a.probability_pct = urand(0, 100);
        a.has_duration = (int)rnd_below(2), a.duration_s = urand(0, 600);
        struct ax04_aircraft *acs[2] = {&a.ac1, &a.ac2};
        for (int i = 0; i < 2; i++) {
            struct ax04_aircraft *ac = acs[i];
            ac->has_ident = (int)rnd_below(2);
            random_text(ac->ident, 7, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
            ac->has_mode3a = (int)rnd_below(2), ac->mode3a = (uint16_t)rnd_below(4096);
            ac->has_modes_id = (int)rnd_below(2);
            random_text(ac->modes_id, 6, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
            ac->has_cfl = (int)rnd_below(2), ac->cfl_fl = urand(0, 600);
        }
    }
    uint8_t rec[AX_TYPED_MAX_RECORD];
    int n = ax04_encode(&a, rec, sizeof rec);
    assert_true(n > 0);
    struct ax_block_writer w;
    ax_bw_init(&w, out, cap);
    assert_int_equal(ax_bw_add(&w, 4, rec, (size_t)n), 0);
    return ax_bw_finish(&w);
}

static size_t put_ipv4_udp(uint8_t *p, const uint8_t *pay, size_t len)
{
    size_t ip_len = 20 + 8 + len;
    memset(p, 0, 28);
    p[0] = 0x45, p[2] = (uint8_t)(ip_len >> 8), p[3] = (uint8_t)ip_len, p[8] = 64, p[9] = 17;
    p[12] = 10, p[15] = 1, p[16] = 239, p[19] = 2;
    uint8_t *u = p + 20;
    u[0] = 0x9c, u[1] = 0x40, u[2] = 0x21, u[3] = 0x98; /* 40000 -> 8600 */
    u[4] = (uint8_t)((8 + len) >> 8), u[5] = (uint8_t)(8 + len);
    memcpy(u + 8, pay, len);
    return ip_len;
}

static size_t put_llc(uint8_t *p, unsigned dsap, unsigned ctrl, const uint8_t *pay, size_t len)
{
    p[0] = (uint8_t)dsap, p[1] = (uint8_t)dsap, p[2] = (uint8_t)ctrl;
    memcpy(p + 3, pay, len);
    return 3 + len;
}

static const uint8_t MAC[12] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x02,
                                0x02, 0x00, 0x00, 0x00, 0x00, 0x07};

/* an Ethernet frame: MACs, optional 802.1Q tag, type or 802.3 length,
 * padded to the 60-octet minimum */
static size_t eth_frame(uint8_t *f, int vlan, unsigned type, const uint8_t *body, size_t len)
{
    memcpy(f, MAC, 12);
    size_t off = 12;
    if (vlan) {
        f[off] = 0x81, f[off + 1] = 0x00, f[off + 2] = 0x00, f[off + 3] = 0x2a;
        off += 4;
    }
    unsigned tl = type ? type : (unsigned)len;
    f[off] = (uint8_t)(tl >> 8), f[off + 1] = (uint8_t)tl;
    off += 2;
    memcpy(f + off, body, len);
    off += len;
    if (off < 60) {
        memset(f + off, 0, 60 - off);
        off = 60;
    }
    return off;
}

static size_t sll_frame(uint8_t *f, int v2, unsigned proto, const uint8_t *body, size_t len)
{
    size_t hl = v2 ? 20 : 16;
    memset(f, 0, hl);
    if (v2) {
        f[0] = (uint8_t)(proto >> 8), f[1] = (uint8_t)proto;
        f[9] = 1;  /* ARPHRD_ETHER */
        f[10] = 0; /* to us */
        f[11] = 6;
        memcpy(f + 12, MAC + 6, 6);
    } else {
        f[1] = 0; /* to us */
        f[3] = 1; /* ARPHRD_ETHER */
        f[5] = 6;
        memcpy(f + 6, MAC + 6, 6);
        f[14] = (uint8_t)(proto >> 8), f[15] = (uint8_t)proto;
    }
    memcpy(f + hl, body, len);
    return hl + len;
}

static size_t make_frame(enum link l, uint8_t *f, const uint8_t *blk, size_t len)
{
    uint8_t body[2048];
    size_t n;
    switch (l) {
    case L_ETH_UDP:
    case L_ETH_VLAN_UDP:
        n = put_ipv4_udp(body, blk, len);
        return eth_frame(f, l == L_ETH_VLAN_UDP, 0x0800, body, n);
    case L_ETH_LLC:
    case L_ETH_VLAN_LLC:
        n = put_llc(body, LLC_SAP, 0x03, blk, len);
        return eth_frame(f, l == L_ETH_VLAN_LLC, 0, body, n);
    case L_ETH_SNAP_UDP:
        memcpy(body, "\xaa\xaa\x03\x00\x00\x00\x08\x00", 8);
        n = 8 + put_ipv4_udp(body + 8, blk, len);
        return eth_frame(f, 0, 0, body, n);
    case L_SLL_UDP:
    case L_SLL2_UDP:
        n = put_ipv4_udp(body, blk, len);
        return sll_frame(f, l == L_SLL2_UDP, 0x0800, body, n);
    case L_SLL_LLC:
    case L_SLL2_LLC:
        n = put_llc(body, LLC_SAP, 0x03, blk, len);
        return sll_frame(f, l == L_SLL2_LLC, 0x0004, body, n);
    }
    return 0;
}

static void dump(pcap_dumper_t *d, const uint8_t *f, size_t n, unsigned seq)
{
    struct pcap_pkthdr h;
    memset(&h, 0, sizeof h);
    h.ts.tv_sec = 1700000000 + seq;
    h.caplen = h.len = (bpf_u_int32)n;
    pcap_dump((u_char *)d, &h, f);
}

/* noise on an Ethernet LAN that carries no ASTERIX */
static void dump_noise(pcap_dumper_t *d, unsigned seq)
{
    uint8_t f[128], body[64];
    memset(body, 0, sizeof body);
    /* spanning tree configuration BPDU: LLC 42/42/03 */
    size_t n = put_llc(body, 0x42, 0x03, (const uint8_t *)"\x00\x00\x00\x00", 4);
    dump(d, f, eth_frame(f, 0, 0, body, n + 31), seq);
    /* LLC XID to our SAP */
    n = put_llc(body, LLC_SAP, 0xaf, (const uint8_t *)"\x81\x01\x00", 3);
    dump(d, f, eth_frame(f, 0, 0, body, n), seq);
    /* ARP request */
    memset(body, 0, 28);
    body[1] = 1, body[2] = 8, body[4] = 6, body[5] = 4, body[7] = 1;
    dump(d, f, eth_frame(f, 0, 0x0806, body, 28), seq);
}

struct capture {
    int dlt;
    const char *name;
    enum link links[5];
    unsigned n_links;
    int noise;
};

static const struct capture CAPS[] = {
    {1 /* DLT_EN10MB */,
     "ethernet",
     {L_ETH_UDP, L_ETH_VLAN_UDP, L_ETH_LLC, L_ETH_VLAN_LLC, L_ETH_SNAP_UDP},
     5,
     1},
    {113 /* DLT_LINUX_SLL */, "sll", {L_SLL_UDP, L_SLL_LLC}, 2, 0},
    {276 /* DLT_LINUX_SLL2 */, "sll2", {L_SLL2_UDP, L_SLL2_LLC}, 2, 0},
};

static void tshark_editions(struct ax_editions *e)
{
    ax_editions_init(e);
    for (size_t i = 0; i < N_CATS; i++) {
        char spec[16];
        snprintf(spec, sizeof spec, "%u=%s", CATS[i].cat, CATS[i].ed);
        if (ax_editions_set(e, spec) != 0)
            fail_msg("no table for CAT%03u edition %s", CATS[i].cat, CATS[i].ed);
    }
}

static struct cmp_tally TOTAL;
static size_t TOTAL_LLC;

static void run_capture(const struct capture *cp, const char *dir, const struct ax_editions *eds)
{
    char path[256], out[256], cmd[1024];
    snprintf(path, sizeof path, "%s/%s.pcap", dir, cp->name);
    snprintf(out, sizeof out, "%s/%s.V.txt", dir, cp->name);
    pcap_t *dead = pcap_open_dead(cp->dlt, 65535);
    assert_non_null(dead);
    pcap_dumper_t *d = pcap_dump_open(dead, path);
    assert_non_null(d);
    unsigned seq = 0, want_llc = 0, want_records = 0, noise = 0;
    unsigned per_cat[N_CATS] = {0}, typed = 0;
    static uint8_t blk[4096], frame[4096];
    for (unsigned k = 0; k < N_PER_CAT; k++) {
        for (size_t ci = 0; ci < N_CATS; ci++) {
            const struct ax_category *c = eds->chosen[CATS[ci].cat];
            size_t bl = random_block(c, blk, sizeof blk);
            if (bl == 0)
                continue;
            enum link l = cp->links[seq % cp->n_links];
            size_t fl = make_frame(l, frame, blk, bl);
            dump(d, frame, fl, seq++);
            want_llc += l == L_ETH_LLC || l == L_ETH_VLAN_LLC || l == L_SLL_LLC || l == L_SLL2_LLC;
            want_records++;
            per_cat[ci]++;
        }
        if (cp->noise) {
            dump_noise(d, seq++);
            noise++;
            /* and an alert from the typed CAT004 encoder, over LLC */
            size_t bl = typed_alert_block(blk, sizeof blk);
            dump(d, frame, make_frame(L_ETH_LLC, frame, blk, bl), seq++);
            want_llc++;
            want_records++;
            typed++;
        }
    }
    pcap_dump_close(d);
    pcap_close(dead);

    /* the same file through tshark */
    char lua[300];
    snprintf(lua, sizeof lua, "%s/llc.lua", dir);
    FILE *lf = fopen(lua, "w");
    assert_non_null(lf);
    fprintf(lf,
            "-- ASTERIX on 802.2 LLC SAP 0x%02x (radar LANs without IP)\n"
            "DissectorTable.get(\"llc.dsap\"):add(0x%02x, Dissector.get(\"asterix\"))\n",
            LLC_SAP, LLC_SAP);
    fclose(lf);
    snprintf(cmd, sizeof cmd, "tshark -n -r %s -X lua_script:%s -V -O asterix > %s 2>/dev/null",
             path, lua, out);
    assert_int_equal(system(cmd), 0);
    static struct trec t[MAX_FRAMES];
    size_t nt = tshark_parse(out, t, MAX_FRAMES);

    /* cairn through feed/pcap.h */
    static struct sample s;
    assert_int_equal(sample_load(path, &s), 0);
    struct ax_record *recs;
    struct ax_stats st = {0};
    size_t n = sample_decode(&s, eds, &recs, &st);
    struct feed_pcap *fp;
    char err[256];
    assert_int_equal(feed_pcap_open(&fp, path, err, sizeof err), 0);
    struct pcap_udp u;
    while (feed_pcap_next(fp, &u) == 1)
        ;
    const struct pcap_feed_stats *ps = feed_pcap_stats(fp);
    print_message("%-8s frames %llu: UDP %llu, LLC %llu, other LLC %llu, not IP %llu, "
                  "malformed %llu\n",
                  cp->name, (unsigned long long)ps->frames, (unsigned long long)ps->udp,
                  (unsigned long long)ps->llc, (unsigned long long)ps->llc_other,
                  (unsigned long long)ps->not_ip, (unsigned long long)ps->malformed);
    assert_int_equal(ps->llc, want_llc);
    assert_int_equal(ps->udp + ps->llc, want_records);
    assert_int_equal(ps->llc_other, 2 * noise);
    assert_int_equal(ps->not_ip, noise);
    assert_int_equal(ps->malformed, 0);
    feed_pcap_close(fp);

    struct cmp_tally ty = {0};
    size_t m = n < nt ? n : nt;
    for (size_t i = 0; i < m; i++)
        compare_record(&recs[i], &t[i], &ty, cp->name, i);
    ty.records = m;
    print_message("%-8s records ours %zu tshark %zu (of %u: random CAT", cp->name, n, nt,
                  want_records);
    for (size_t ci = 0; ci < N_CATS; ci++)
        print_message(" %03u:%u", CATS[ci].cat, per_cat[ci]);
    print_message(", typed CAT004 alerts %u); fields compared %zu, differ %zu, unmatched %zu, "
                  "items missing %zu\n",
                  typed, ty.compared, ty.mismatched, ty.unmatched, ty.items_missing);
    assert_int_equal(n, want_records);
    assert_int_equal(nt, want_records);
    TOTAL.records += ty.records;
    TOTAL.compared += ty.compared;
    TOTAL.mismatched += ty.mismatched;
    TOTAL.unmatched += ty.unmatched;
    TOTAL.items_missing += ty.items_missing;
    TOTAL_LLC += want_llc;
    free(recs);
    free(s.buf);
    if (getenv("CAIRN_KEEP")) /* keep the captures and tshark's text to look at */
        return;
    unlink(path);
    unlink(out);
    unlink(lua);
}

static void test_links_and_categories(void **state)
{
    (void)state;
    if (system("tshark -v >/dev/null 2>&1") != 0) {
        print_message("SKIP: tshark not installed (Debian package tshark)\n");
        TD_SKIP();
    }
    const char *env = getenv("CAIRN_SEED");
    uint64_t seed = env ? strtoull(env, NULL, 0) : (uint64_t)time(NULL) * 2246822519u + 7;
    print_message("seed %" PRIu64 " (repeat with CAIRN_SEED=%" PRIu64 ")\n", seed, seed);
    rng = seed ? seed : 1;
    struct ax_editions eds;
    tshark_editions(&eds);
    char dir[] = "/tmp/cairn-tshark-links-XXXXXX";
    assert_non_null(mkdtemp(dir));
    for (size_t i = 0; i < sizeof CAPS / sizeof CAPS[0]; i++)
        run_capture(&CAPS[i], dir, &eds);
    if (getenv("CAIRN_KEEP"))
        print_message("kept in %s\n", dir);
    else
        rmdir(dir);
    print_message("total: %zu records (%zu over LLC), %zu fields compared, %zu differ, "
                  "%zu unmatched, %zu items missing\n",
                  TOTAL.records, TOTAL_LLC, TOTAL.compared, TOTAL.mismatched, TOTAL.unmatched,
                  TOTAL.items_missing);
    assert_int_equal(TOTAL.mismatched, 0);
    assert_int_equal(TOTAL.unmatched, 0);
    assert_int_equal(TOTAL.items_missing, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_links_and_categories),
    };
    return td_exit(cmocka_run_group_tests(tests, NULL, NULL));
}
