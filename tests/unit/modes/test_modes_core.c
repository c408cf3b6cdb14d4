/*
 * test_modes_core.c — unit tests of the Mode S decoder core that need no
 * shared data: CRC against a bitwise reference, single-bit correction at
 * every position, DF acceptance policy, address recovery and expiry,
 * altitude/identity codes (Q bit and Gillham, checked against a second
 * formulation over all 4096 codes), CPR encode→decode round trips (seeded,
 * seed printed), range and impossible-speed rejection, surface decoding,
 * ADS-B messages built here field by field, Comm-B 5,0/6,0 disambiguation,
 * JSON and report output.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/bits.h"
#include "base/dbuf.h"
#include "base/error.h"
#include "base/hex.h"
#include "base/jsonw.h"
#include "decode/modes/modes.h"

static struct modes_ctx ctx; /* large: static */
static unsigned seed;

/* xorshift32: reproducible from the printed seed */
static uint32_t rnd_state;
static uint32_t rnd(void)
{
    uint32_t x = rnd_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rnd_state = x;
}
static double rndu(void)
{
    return rnd() / 4294967296.0;
}

/* Bitwise CRC-24 long division (Annex 10 §3.1.2.3.3), the reference. */
static uint32_t crc_bitwise(const uint8_t *msg, size_t len)
{
    uint32_t r = 0;
    size_t nbits = 8 * (len - 3);
    for (size_t i = 0; i < nbits; i++) {
        uint32_t in = (msg[i / 8] >> (7 - i % 8)) & 1u;
        uint32_t top = ((r >> 23) & 1u) ^ in;
        r = (r << 1) & 0xFFFFFFu;
        if (top)
            r ^= 0xFFF409u;
    }
    return r ^ ((uint32_t)msg[len - 3] << 16 | (uint32_t)msg[len - 2] << 8 | msg[len - 1]);
}

static void frame_hex(struct modes_frame *f, const char *hex, double t)
{
    memset(f, 0, sizeof *f);
    size_t n = strlen(hex) / 2;
    assert_int_equal(hex_decode(hex, n, f->data), 0);
    f->len = (uint8_t)n;
    f->t_s = t;
}

static void frame_bytes(struct modes_frame *f, const uint8_t *b, size_t n, double t)
{
    memset(f, 0, sizeof *f);
    memcpy(f->data, b, n);
    f->len = (uint8_t)n;
    f->t_s = t;
}

/* Build a valid extended squitter: DF, CA, address, 56-bit ME, parity. */
static void make_es(uint8_t out[14], unsigned df, unsigned ca, uint32_t icao, uint64_t me)
{
    out[0] = (uint8_t)(df << 3 | ca);
    out[1] = (uint8_t)(icao >> 16);
    out[2] = (uint8_t)(icao >> 8);
    out[3] = (uint8_t)icao;
    for (int i = 0; i < 7; i++)
        out[4 + i] = (uint8_t)(me >> (48 - 8 * i));
    out[11] = out[12] = out[13] = 0;
    uint32_t p = modes_crc(out, 14);
    out[11] = (uint8_t)(p >> 16);
    out[12] = (uint8_t)(p >> 8);
    out[13] = (uint8_t)p;
}

/* Put n bits of v at ME bits first.. (1-based) of a 56-bit ME. */
static uint64_t me_put(uint64_t me, unsigned first, unsigned n, uint64_t v)
{
    unsigned shift = 57 - first - n;
    uint64_t mask = ((1ull << n) - 1) << shift;
    return (me & ~mask) | ((v << shift) & mask);
}

static int decode_es(uint64_t me, unsigned df, unsigned ca, uint32_t icao, double t,
                     struct modes_msg *m)
{
    uint8_t b[14];
    struct modes_frame f;
    make_es(b, df, ca, icao, me);
    frame_bytes(&f, b, 14, t);
    return modes_decode(&ctx, &f, m);
}

/* ---- CRC ------------------------------------------------------------------ */

static void test_crc_vs_bitwise(void **state)
{
    (void)state;
    rnd_state = seed | 1u;
    uint8_t b[14];
    for (int k = 0; k < 20000; k++) {
        for (int i = 0; i < 14; i++)
            b[i] = (uint8_t)rnd();
        assert_int_equal(modes_crc(b, 14), crc_bitwise(b, 14));
        assert_int_equal(modes_crc(b, 7), crc_bitwise(b, 7));
    }
    uint8_t ezy[14];
    assert_int_equal(hex_decode("8D406B902015A678D4D220AA4BDA", 14, ezy), 0);
    assert_int_equal(modes_crc(ezy, 14), 0);
    assert_int_equal(modes_df_len(0), 7);
    assert_int_equal(modes_df_len(11), 7);
    assert_int_equal(modes_df_len(15), 7);
    assert_int_equal(modes_df_len(16), 14);
    assert_int_equal(modes_df_len(17), 14);
    assert_int_equal(modes_df_len(24), 14);
    assert_int_equal(modes_df_len(31), 14);
}

static void test_fix_every_bit_df17(void **state)
{
    (void)state;
    uint8_t good[14];
    assert_int_equal(hex_decode("8D406B902015A678D4D220AA4BDA", 14, good), 0);
    int fixed = 0;
    for (int bit = 0; bit < 112; bit++) {
        uint8_t b[14];
        memcpy(b, good, 14);
        b[bit / 8] ^= (uint8_t)(0x80u >> (bit % 8));
        uint32_t syn = modes_crc(b, 14);
        assert_int_not_equal(syn, 0);
        uint8_t c[14];
        memcpy(c, b, 14);
        assert_int_equal(modes_fix_single_bit(c, 14, syn), bit);
        assert_memory_equal(c, good, 14);

        /* through the decoder: corrected unless the bit is in the DF field */
        modes_ctx_init(&ctx, NULL);
        struct modes_frame f;
        struct modes_msg m;
        frame_bytes(&f, b, 14, 1.0);
        int rc = modes_decode(&ctx, &f, &m);
        if (bit >= 5) {
            assert_int_equal(rc, 0);
            assert_int_equal(m.corrected_bits, 1);
            assert_memory_equal(m.raw, good, 14);
            assert_string_equal(m.callsign, "EZY85MH");
            /* a corrected message does not teach the context its address */
            assert_false(modes_ctx_addr_known(&ctx, 0x406B90, 1.0));
            fixed++;
        } else {
            assert_int_not_equal(rc, 0);
        }
    }
    assert_int_equal(fixed, 107);

    /* switched off: the same error is a CRC failure */
    struct modes_opts o;
    modes_opts_default(&o);
    o.fix_errors = 0;
    modes_ctx_init(&ctx, &o);
    uint8_t b[14];
    memcpy(b, good, 14);
    b[6] ^= 0x10;
    struct modes_frame f;
    struct modes_msg m;
    frame_bytes(&f, b, 14, 1.0);
    assert_int_equal(modes_decode(&ctx, &f, &m), CAIRN_E_CRC);
    assert_int_equal(m.corrected_bits, 0);
    assert_int_equal(ctx.stats.crc_fail, 1);
    /* two flipped bits are not a single-bit syndrome */
    b[9] ^= 0x01;
    uint8_t c[14];
    memcpy(c, b, 14);
    int r2 = modes_fix_single_bit(c, 14, modes_crc(b, 14));
    if (r2 >= 0) /* a 2-bit error can alias a 1-bit syndrome; then it must be another bit */
        assert_memory_not_equal(c, good, 14);
}

static void test_fix_df11(void **state)
{
    (void)state;
    /* 5D484FDEA248F5 is DF11 with SI 6; with parity ^ 0x16 it is IID 0 */
    uint8_t si6[7], iid0[7];
    assert_int_equal(hex_decode("5D484FDEA248F5", 7, si6), 0);
    memcpy(iid0, si6, 7);
    iid0[6] ^= 0x16;
    assert_int_equal(modes_crc(iid0, 7), 0);
    for (int bit = 0; bit < 56; bit++) {
        uint8_t b[7];
        memcpy(b, iid0, 7);
        b[bit / 8] ^= (uint8_t)(0x80u >> (bit % 8));
        uint8_t c[7];
        memcpy(c, b, 7);
        assert_int_equal(modes_fix_single_bit(c, 7, modes_crc(b, 7)), bit);
        assert_memory_equal(c, iid0, 7);

        struct modes_frame f;
        struct modes_msg m;
        frame_bytes(&f, b, 7, 10.0);
        /* unknown address: DF11 correction is refused (it could invent one) */
        modes_ctx_init(&ctx, NULL);
        int rc = modes_decode(&ctx, &f, &m);
        if (bit >= 5 && (modes_crc(b, 7) >= 0x80))
            assert_int_equal(rc, CAIRN_E_CRC);
        /* known address: corrected */
        modes_ctx_init(&ctx, NULL);
        modes_ctx_addr_add(&ctx, 0x484FDE, 9.0);
        rc = modes_decode(&ctx, &f, &m);
        if (bit >= 5 && bit < 32) {
            if (modes_crc(b, 7) < 0x80) {
                /* the error landed on a valid II/SI code: indistinguishable */
                assert_int_equal(rc, 0);
            } else {
                assert_int_equal(rc, 0);
                assert_int_equal(m.corrected_bits, 1);
                assert_memory_equal(m.raw, iid0, 7);
            }
        }
    }
    /* a DF11 with a non-zero IID and a bit error is never "corrected" into
     * an IID-0 message with different content */
    int wrong = 0, refused = 0;
    for (int bit = 5; bit < 56; bit++) {
        uint8_t b[7];
        memcpy(b, si6, 7);
        b[bit / 8] ^= (uint8_t)(0x80u >> (bit % 8));
        modes_ctx_init(&ctx, NULL);
        modes_ctx_addr_add(&ctx, 0x484FDE, 9.0);
        struct modes_frame f;
        struct modes_msg m;
        frame_bytes(&f, b, 7, 10.0);
        int rc = modes_decode(&ctx, &f, &m);
        if (rc == 0 && memcmp(m.raw, si6, 7) != 0 && m.corrected_bits)
            wrong++;
        refused += rc == CAIRN_E_CRC;
    }
    print_message("DF11 SI6 + one bit error: %d refused, %d wrongly corrected\n", refused, wrong);
    assert_int_equal(wrong, 0);
}

/* ---- DF policy, address recovery ------------------------------------------ */

static void test_lengths_and_dfs(void **state)
{
    (void)state;
    modes_ctx_init(&ctx, NULL);
    struct modes_frame f;
    struct modes_msg m;
    frame_hex(&f, "8D406B902015A6", 1.0); /* DF17 in 7 bytes */
    assert_int_equal(modes_decode(&ctx, &f, &m), CAIRN_E_TRUNCATED);
    frame_hex(&f, "5D484FDEA248F500000000000000", 1.0); /* DF11 in 14 bytes */
    assert_int_equal(modes_decode(&ctx, &f, &m), CAIRN_E_FORMAT);
    frame_hex(&f, "08000000000000", 1.0); /* DF1 */
    assert_int_equal(modes_decode(&ctx, &f, &m), CAIRN_E_DF);
    frame_hex(&f, "B0001718C65632B0A82040715B65", 1.0); /* DF22 */
    assert_int_equal(modes_decode(&ctx, &f, &m), CAIRN_E_DF);
    frame_hex(&f, "8D406B", 1.0);
    assert_int_equal(modes_decode(&ctx, &f, &m), CAIRN_E_INVAL);
    frame_hex(&f, "8D406B902015A678D4D220AA4BDA", 1.0);
    f.kind = 7;
    assert_int_equal(modes_decode(&ctx, &f, &m), CAIRN_E_INVAL);
    assert_int_equal(ctx.stats.bad_len, 4);
    assert_int_equal(ctx.stats.bad_df, 2);
    assert_int_equal(ctx.stats.frames, 6);
}

static void test_addr_recovery(void **state)
{
    (void)state;
    modes_ctx_init(&ctx, NULL);
    struct modes_frame f;
    struct modes_msg m;
    /* DF20 of 400940 (AP = CRC ^ address) */
    frame_hex(&f, "A0001839CA3800315800007448D9", 100.0);
    assert_int_equal(modes_decode(&ctx, &f, &m), CAIRN_E_CRC);
    assert_int_equal(m.crc_ok, 0);
    assert_int_equal(m.icao, 0x400940);
    assert_int_equal(m.addr_src, MODES_ADDR_AP_UNKNOWN);
    /* the aircraft's DF17 teaches the address */
    struct modes_msg e;
    uint64_t me = me_put(0, 1, 5, 4); /* TC4 identification, callsign spaces... */
    me = me_put(me, 9, 6, 1);         /* 'A' */
    assert_int_equal(decode_es(me, 17, 5, 0x400940, 90.0, &e), 0);
    assert_true(modes_ctx_addr_known(&ctx, 0x400940, 100.0));
    assert_int_equal(modes_decode(&ctx, &f, &m), 0);
    assert_int_equal(m.crc_ok, 1);
    assert_int_equal(m.addr_src, MODES_ADDR_AP);
    assert_true(m.has & MH_ALT_BARO);
    /* 60 s after the last squitter it is forgotten */
    f.t_s = 151.0;
    assert_int_equal(modes_decode(&ctx, &f, &m), CAIRN_E_CRC);
    assert_int_equal(ctx.stats.addr_recovered, 1);
    assert_int_equal(ctx.stats.addr_unknown, 2);
    /* accept_unknown_addr: decoded, but still crc_ok 0 */
    struct modes_opts o;
    modes_opts_default(&o);
    o.accept_unknown_addr = 1;
    modes_ctx_init(&ctx, &o);
    assert_int_equal(modes_decode(&ctx, &f, &m), 0);
    assert_int_equal(m.crc_ok, 0);
}

static void test_addr_table_full(void **state)
{
    (void)state;
    modes_ctx_init(&ctx, NULL);
    /* far more addresses than slots, all within the TTL: the table evicts
     * the oldest of a probe window and never grows */
    for (uint32_t i = 0; i < 20000; i++)
        modes_ctx_addr_add(&ctx, (i * 7919u) & 0xFFFFFFu, 1000.0 + i * 0.001);
    int recent = 0;
    for (uint32_t i = 19900; i < 20000; i++)
        recent += modes_ctx_addr_known(&ctx, (i * 7919u) & 0xFFFFFFu, 1020.0);
    print_message("last 100 of 20000 addresses still known: %d\n", recent);
    assert_true(recent >= 95);
    assert_false(modes_ctx_addr_known(&ctx, 0xABCDEF, 1020.0));
    /* and aircraft slots: more aircraft than MODES_AC_CAP */
    struct modes_msg m;
    for (uint32_t i = 0; i < 3 * MODES_AC_CAP; i++) {
        uint64_t me = me_put(0, 1, 5, 11);
        me = me_put(me, 9, 12, 0xC90);
        assert_int_equal(decode_es(me, 17, 5, 0x100000 + i, 2000.0 + i * 0.01, &m), 0);
    }
    assert_true(ctx.stats.ac_evicted > 0);
}

/* ---- altitude and identity codes ----------------------------------------- */

/* dump1090-style Gillham decode on a 0xABCD-nibble code: a second, XOR-mask
 * formulation of the same table, to cross-check ours. */
static int gillham_ref(unsigned a, unsigned b, unsigned c, unsigned d, int *alt)
{
    unsigned v = a << 12 | b << 8 | c << 4 | d;
    if ((v & 0x0001u) || (v & 0x0070u) == 0)
        return -1;
    unsigned one = 0, five = 0;
    if (v & 0x0010u)
        one ^= 7; /* C1 */
    if (v & 0x0020u)
        one ^= 3; /* C2 */
    if (v & 0x0040u)
        one ^= 1; /* C4 */
    if ((one & 5u) == 5u)
        one ^= 2;
    if (one > 5)
        return -1;
    if (v & 0x0002u)
        five ^= 0xFF; /* D2 */
    if (v & 0x0004u)
        five ^= 0x7F; /* D4 */
    if (v & 0x1000u)
        five ^= 0x3F; /* A1 */
    if (v & 0x2000u)
        five ^= 0x1F; /* A2 */
    if (v & 0x4000u)
        five ^= 0x0F; /* A4 */
    if (v & 0x0100u)
        five ^= 0x07; /* B1 */
    if (v & 0x0200u)
        five ^= 0x03; /* B2 */
    if (v & 0x0400u)
        five ^= 0x01; /* B4 */
    if (five & 1u)
        one = 6 - one;
    *alt = (int)(five * 5 + one) * 100 - 1300;
    return 0;
}

/* squawk digits to the 13-bit identity field (C1 A1 C2 A2 C4 A4 X B1 D1 B2 D2 B4 D4) */
static unsigned id13_from_digits(unsigned a, unsigned b, unsigned c, unsigned d)
{
    return (c & 1u) << 12 | (a & 1u) << 11 | (c >> 1 & 1u) << 10 | (a >> 1 & 1u) << 9 |
           (c >> 2 & 1u) << 8 | (a >> 2 & 1u) << 7 | (b & 1u) << 5 | (d & 1u) << 4 |
           (b >> 1 & 1u) << 3 | (d >> 1 & 1u) << 2 | (b >> 2 & 1u) << 1 | (d >> 2 & 1u);
}

static void test_gillham_all_codes(void **state)
{
    (void)state;
    int valid = 0;
    int seen[1300] = {0};
    for (unsigned code = 0; code < 4096; code++) {
        unsigned a = code >> 9 & 7u, b = code >> 6 & 7u, c = code >> 3 & 7u, d = code & 7u;
        unsigned id13 = id13_from_digits(a, b, c, d);
        assert_int_equal(modes_id13_squawk(id13), code); /* identity round trip */
        int ref;
        int32_t ours;
        int r1 = gillham_ref(a, b, c, d, &ref);
        int r2 = modes_gillham_alt(id13, &ours);
        assert_int_equal(r1 == 0, r2 == 0);
        if (r1 == 0) {
            assert_int_equal(ours, ref);
            assert_true(ours >= -1200 && ours <= 126700 && ours % 100 == 0);
            seen[(ours + 1200) / 100]++;
            valid++;
            /* the same code through the 13-bit AC field (Q = 0, M = 0) */
            if (!(id13 & 0x50u)) {
                int32_t alt2;
                assert_int_equal(modes_ac13_alt(id13, &alt2), 0);
                assert_int_equal(alt2, ours);
            }
        }
    }
    /* every 100-ft level from -1200 to 126700 appears exactly once */
    for (int i = 0; i <= 1279; i++)
        assert_int_equal(seen[i], 1);
    print_message("Gillham: %d valid codes of 4096\n", valid);
    assert_int_equal(valid, 1280);
}

static void test_q_bit_altitudes(void **state)
{
    (void)state;
    int32_t alt;
    /* AC12 with Q = 1: n * 25 - 1000 */
    for (int ft = -1000; ft <= 50175; ft += 25) {
        unsigned n = (unsigned)(ft + 1000) / 25;
        unsigned ac12 = (n & 0x7F0u) << 1 | 0x10u | (n & 0x0Fu);
        assert_int_equal(modes_ac12_alt(ac12, &alt), 0);
        assert_int_equal(alt, ft);
        /* AC13: M bit (0x40) and Q bit (0x10) interleaved */
        unsigned ac13 = (n & 0x7E0u) << 2 | (n & 0x10u) << 1 | 0x10u | (n & 0x0Fu);
        assert_int_equal(modes_ac13_alt(ac13, &alt), 0);
        assert_int_equal(alt, ft);
    }
    assert_int_equal(modes_ac12_alt(0, &alt), CAIRN_E_RANGE);
    assert_int_equal(modes_ac13_alt(0, &alt), CAIRN_E_RANGE);
    assert_int_equal(modes_ac13_alt(0x40u | 0x123u, &alt), CAIRN_E_RANGE); /* metric */
    /* the ADS-B field is the 13-bit one without M: 0xC90 (Q = 1) is 39000 ft */
    assert_int_equal(modes_ac12_alt(0xC90, &alt), 0);
    assert_int_equal(alt, 39000);
}

static void test_modeac(void **state)
{
    (void)state;
    modes_ctx_init(&ctx, NULL);
    struct modes_frame f;
    struct modes_msg m;
    memset(&f, 0, sizeof f);
    f.kind = FRAME_MODEAC;
    f.len = 2;
    f.data[0] = 0x77; /* 7700 as Beast nibbles */
    f.data[1] = 0x00;
    assert_int_equal(modes_decode(&ctx, &f, &m), 0);
    assert_int_equal(m.squawk, 07700);
    assert_true(m.has & MH_SQUAWK);
    /* a Mode C reply of 10000 ft: C=2?: compute from our Gillham encoder
     * by search, then read it back */
    for (unsigned code = 0; code < 4096; code++) {
        unsigned a = code >> 9 & 7u, b = code >> 6 & 7u, c = code >> 3 & 7u, d = code & 7u;
        int ref;
        if (gillham_ref(a, b, c, d, &ref) == 0 && ref == 10000) {
            f.data[0] = (uint8_t)(a << 4 | b);
            f.data[1] = (uint8_t)(c << 4 | d);
            assert_int_equal(modes_decode(&ctx, &f, &m), 0);
            assert_true(m.has & MH_MODEC_ALT);
            assert_int_equal(m.modec_alt_ft, 10000);
        }
    }
    f.len = 7;
    assert_int_equal(modes_decode(&ctx, &f, &m), CAIRN_E_INVAL);
    assert_int_equal(ctx.stats.modeac, 2);
}

/* ---- CPR ------------------------------------------------------------------ */

static void test_cpr_roundtrip(void **state)
{
    (void)state;
    rnd_state = seed | 1u;
    int n = 0, zone = 0;
    double worst_air = 0, worst_surf = 0;
    for (int k = 0; k < 100000; k++) {
        double lat = rndu() * 174.0 - 87.0; /* keep clear of the poles' single zone */
        double lon = rndu() * 360.0 - 180.0;
        uint32_t la0, lo0, la1, lo1;
        modes_cpr_encode(lat, lon, 0, 0, &la0, &lo0);
        modes_cpr_encode(lat, lon, 1, 0, &la1, &lo1);
        double dlat, dlon;
        for (int odd = 0; odd < 2; odd++) {
            int rc = modes_cpr_global(la0, lo0, la1, lo1, odd, 0, 0, 0, &dlat, &dlon);
            if (rc) { /* even and odd straddle an NL boundary */
                zone++;
                continue;
            }
            double d = modes_dist_nm(lat, lon, dlat, dlon) * 1852.0;
            worst_air = d > worst_air ? d : worst_air;
            n++;
        }
        /* local against a reference up to ~100 NM away */
        double rlat = lat + (rndu() - 0.5) * 3.0, rlon = lon + (rndu() - 0.5) * 3.0;
        if (rlat > 87.0 || rlat < -87.0)
            continue;
        int odd = (int)(rnd() & 1u);
        assert_int_equal(
            modes_cpr_local(odd ? la1 : la0, odd ? lo1 : lo0, odd, 0, rlat, rlon, &dlat, &dlon), 0);
        double d = modes_dist_nm(lat, lon, dlat, dlon) * 1852.0;
        if (d > worst_air)
            worst_air = d;
        /* surface: reference within 30 NM */
        uint32_t sa0, so0, sa1, so1;
        modes_cpr_encode(lat, lon, 0, 1, &sa0, &so0);
        modes_cpr_encode(lat, lon, 1, 1, &sa1, &so1);
        double slat = lat + (rndu() - 0.5) * 0.8, slon = lon + (rndu() - 0.5) * 0.8;
        if (modes_cpr_global(sa0, so0, sa1, so1, odd, 1, slat, slon, &dlat, &dlon) == 0) {
            d = modes_dist_nm(lat, lon, dlat, dlon) * 1852.0;
            worst_surf = d > worst_surf ? d : worst_surf;
        }
        assert_int_equal(
            modes_cpr_local(odd ? sa1 : sa0, odd ? so1 : so0, odd, 1, slat, slon, &dlat, &dlon), 0);
        d = modes_dist_nm(lat, lon, dlat, dlon) * 1852.0;
        worst_surf = d > worst_surf ? d : worst_surf;
    }
    print_message("CPR round trip (seed %u): %d global decodes, %d refused for zone "
                  "mismatch, worst error airborne %.2f m, surface %.2f m\n",
                  seed, n, zone, worst_air, worst_surf);
    /* half an LSB in each axis: 2.6 m of latitude, and of longitude up to
     * 8 m near 87° where odd messages have a single 360° zone */
    assert_true(worst_air < 10.0);
    assert_true(worst_surf < 3.0); /* a quarter of that, with margin */
    assert_true(zone < 100000 / 50);
    assert_int_equal(modes_cpr_nl(0.0), 59);
    assert_int_equal(modes_cpr_nl(87.0), 1);
    assert_int_equal(modes_cpr_nl(-86.9), 2);
    assert_int_equal(modes_cpr_nl(52.2572), 36);
}

static uint64_t me_airpos(double lat, double lon, int odd, int alt_ft)
{
    uint32_t la, lo;
    modes_cpr_encode(lat, lon, odd, 0, &la, &lo);
    unsigned n = (unsigned)(alt_ft + 1000) / 25;
    uint64_t me = me_put(0, 1, 5, 11);
    me = me_put(me, 9, 12, (n & 0x7F0u) << 1 | 0x10u | (n & 0x0Fu));
    me = me_put(me, 22, 1, (unsigned)odd);
    me = me_put(me, 23, 17, la);
    return me_put(me, 40, 17, lo);
}

/* Feed an even/odd pair at t, t+0.5 and return the second message. */
static int pair_at(uint32_t icao, double lat, double lon, double t, struct modes_msg *m)
{
    struct modes_msg m0;
    assert_int_equal(decode_es(me_airpos(lat, lon, 0, 35000), 17, 5, icao, t, &m0), 0);
    return decode_es(me_airpos(lat, lon, 1, 35000), 17, 5, icao, t + 0.5, m);
}

static void test_speed_rejection(void **state)
{
    (void)state;
    modes_ctx_init(&ctx, NULL);
    struct modes_msg m;
    assert_int_equal(pair_at(0x3C0001, 50.0, 8.0, 100.0, &m), 0);
    assert_true(m.has & MH_POS);
    assert_int_equal(m.pos_src, MODES_POS_GLOBAL);
    assert_true(fabs(m.lat_deg - 50.0) < 1e-4 && fabs(m.lon_deg - 8.0) < 1e-4);
    /* 60 NM (1° of latitude) away 10 s later: 21,600 kt -> rejected */
    pair_at(0x3C0001, 51.0, 8.0, 110.0, &m);
    assert_false(m.has & MH_POS);
    assert_true(ctx.stats.cpr_speed >= 1);
    /* a local decode against the last position is fine when it is near */
    struct modes_msg l;
    assert_int_equal(decode_es(me_airpos(50.01, 8.0, 0, 35000), 17, 5, 0x3C0001, 200.0, &l), 0);
    assert_true(l.has & MH_POS);
    assert_true(fabs(l.lat_deg - 50.01) < 1e-4);
    /* after enough consecutive global rejections the new track wins */
    int got = 0;
    for (int i = 0; i < 6 && !got; i++) {
        pair_at(0x3C0001, 52.0, 8.0, 210.0 + i, &m);
        got = (m.has & MH_POS) != 0;
    }
    assert_true(got);
    assert_true(fabs(m.lat_deg - 52.0) < 1e-4);
    /* the same flight replayed as a burst with its own timestamps: no
     * speed failures (the decoder only looks at t_s) */
    modes_ctx_init(&ctx, NULL);
    int fails = 0;
    for (int i = 0; i < 200; i++) {
        double lat = 50.0 + i * 0.0023; /* 500 kt northbound, 2 messages/s */
        uint64_t me = me_airpos(lat, 8.0, i & 1, 35000);
        decode_es(me, 17, 5, 0x3C0002, 1000.0 + i * 0.5, &m);
        fails += i > 0 && !(m.has & MH_POS);
    }
    assert_int_equal(fails, 0);
    assert_int_equal(ctx.stats.cpr_speed, 0);
}

static void test_range_rejection(void **state)
{
    (void)state;
    struct modes_opts o;
    modes_opts_default(&o);
    o.have_receiver = 1;
    o.rx_lat_deg = 59.9;
    o.rx_lon_deg = 30.3;
    o.max_range_nm = 300.0;
    modes_ctx_init(&ctx, &o);
    struct modes_msg m;
    pair_at(0x155001, 60.5, 31.0, 10.0, &m); /* ~40 NM */
    assert_true(m.has & MH_POS);
    pair_at(0x155002, 66.9, 30.3, 10.0, &m); /* 420 NM */
    assert_false(m.has & MH_POS);
    assert_int_equal(ctx.stats.cpr_range, 1);
    /* with a range within half a zone, one message decodes against the receiver */
    o.max_range_nm = 150.0;
    modes_ctx_init(&ctx, &o);
    assert_int_equal(decode_es(me_airpos(60.2, 29.5, 1, 10000), 17, 5, 0x155003, 5.0, &m), 0);
    assert_true(m.has & MH_POS);
    assert_int_equal(m.pos_src, MODES_POS_LOCAL_RX);
    assert_true(fabs(m.lat_deg - 60.2) < 1e-4 && fabs(m.lon_deg - 29.5) < 1e-4);
    /* an even/odd pair more than 10 s apart is not combined */
    o.max_range_nm = 300.0;
    modes_ctx_init(&ctx, &o);
    decode_es(me_airpos(60.2, 29.5, 0, 10000), 17, 5, 0x155004, 5.0, &m);
    decode_es(me_airpos(60.2, 29.5, 1, 10000), 17, 5, 0x155004, 15.5, &m);
    assert_false(m.has & MH_POS);
}

static void test_surface(void **state)
{
    (void)state;
    struct modes_opts o;
    modes_opts_default(&o);
    o.have_receiver = 1;
    o.rx_lat_deg = -33.95; /* a southern-hemisphere airport */
    o.rx_lon_deg = 151.18;
    modes_ctx_init(&ctx, &o);
    double lat = -33.9461, lon = 151.1772;
    struct modes_msg m;
    for (int odd = 0; odd < 2; odd++) {
        uint32_t la, lo;
        modes_cpr_encode(lat, lon, odd, 1, &la, &lo);
        uint64_t me = me_put(0, 1, 5, 7);
        me = me_put(me, 6, 7, 39); /* movement 39: 15 kt */
        me = me_put(me, 13, 1, 1);
        me = me_put(me, 14, 7, 32); /* track 90° */
        me = me_put(me, 22, 1, (unsigned)odd);
        me = me_put(me, 23, 17, la);
        me = me_put(me, 40, 17, lo);
        assert_int_equal(decode_es(me, 17, 4, 0x7C0001, 50.0 + odd, &m), 0);
    }
    assert_true(m.has & MH_POS);
    assert_true(m.on_ground);
    assert_true(fabs(m.lat_deg - lat) < 2e-5 && fabs(m.lon_deg - lon) < 2e-5);
    assert_true(fabs(m.gs_kt - 15.0f) < 1e-6 && fabs(m.track_deg - 90.0f) < 1e-6);
    assert_int_equal(m.nic, 8); /* TC 7, version 0 */
    /* surface speed table: non-decreasing lower bounds, the band edges */
    modes_ctx_init(&ctx, &o);
    float prev = -1.0f;
    for (unsigned mov = 1; mov <= 124; mov++) {
        uint64_t me = me_put(me_put(0, 1, 5, 8), 6, 7, mov);
        decode_es(me, 17, 4, 0x7C0002, 1.0, &m);
        assert_true(m.has & MH_GS);
        assert_true(m.gs_kt > prev);
        prev = m.gs_kt;
    }
    for (unsigned mov = 0; mov < 128; mov += 125) {
        decode_es(me_put(me_put(0, 1, 5, 8), 6, 7, mov), 17, 4, 0x7C0002, 1.0, &m);
        assert_false(m.has & MH_GS); /* 0 and 125: no information / reserved */
    }
}

/* ---- ADS-B messages built field by field --------------------------------- */

static void test_adsb_messages(void **state)
{
    (void)state;
    modes_ctx_init(&ctx, NULL);
    struct modes_msg m;
    /* TC31 v2 operational status: NIC-A 1, NACp 10, SIL 3, GVA 2 */
    uint64_t me = me_put(0, 1, 5, 31);
    me = me_put(me, 41, 3, 2);
    me = me_put(me, 44, 1, 1);
    me = me_put(me, 45, 4, 10);
    me = me_put(me, 49, 2, 2);
    me = me_put(me, 51, 2, 3);
    me = me_put(me, 55, 1, 1);
    assert_int_equal(decode_es(me, 17, 5, 0x4CA123, 1.0, &m), 0);
    assert_int_equal(m.version, 2);
    assert_int_equal(m.nac_p, 10);
    assert_int_equal(m.sil, 3);
    assert_int_equal(m.gva, 2);
    assert_int_equal(m.sil_per_sample, 1);
    /* TC11 then gives NIC 9 with NIC-B set (v2: A and B), 8 without */
    me = me_put(me_airpos(53.0, -6.0, 0, 20000), 8, 1, 1);
    decode_es(me, 17, 5, 0x4CA123, 2.0, &m);
    assert_int_equal(m.nic, 9);
    decode_es(me_airpos(53.0, -6.0, 1, 20000), 17, 5, 0x4CA123, 2.5, &m);
    assert_int_equal(m.nic, 8);
    assert_true(m.has & MH_POS);
    /* TC28 st2: TCAS RA with a threat address */
    me = me_put(0, 1, 5, 28);
    me = me_put(me, 6, 3, 2);
    me = me_put(me, 9, 14, 0x2A5A);
    me = me_put(me, 23, 4, 0x5);
    me = me_put(me, 27, 1, 1);
    me = me_put(me, 29, 2, 1);
    me = me_put(me, 31, 26, 0xABCDEF);
    decode_es(me, 17, 5, 0x4CA123, 3.0, &m);
    assert_true(m.has & MH_TCAS_RA);
    assert_int_equal(m.ara, 0x2A5A);
    assert_int_equal(m.rac, 5);
    assert_int_equal(m.rat, 1);
    assert_int_equal(m.tti, 1);
    assert_int_equal(m.tid, 0xABCDEF);
    {
        struct dbuf b;
        dbuf_init(&b, 4096);
        struct jsonw w;
        jw_init(&w, &b);
        modes_msg_json(&m, &w);
        /* TTI 1: the threat address is the first 24 of the 26 TID bits */
        assert_non_null(strstr(b.p, "\"tid\":\"2af37b\""));
        dbuf_free(&b);
    }
    /* TC0: no position, but an altitude */
    me = me_put(me_put(0, 1, 5, 0), 9, 12, 0xC90);
    decode_es(me, 17, 5, 0x4CA123, 3.5, &m);
    assert_true(m.has & MH_ALT_BARO);
    assert_int_equal(m.alt_baro_ft, 39000);
    assert_false(m.has & MH_CPR);
    /* TC28 st1 emergency 7500 / unlawful */
    me = me_put(me_put(me_put(0, 1, 5, 28), 6, 3, 1), 9, 3, 5);
    me = me_put(me, 12, 13, id13_from_digits(7, 5, 0, 0));
    decode_es(me, 17, 5, 0x4CA123, 4.0, &m);
    assert_int_equal(m.emergency, EMERG_UNLAWFUL);
    assert_int_equal(m.squawk, 07500);
    /* supersonic ground speed (st 2): 4-kt units; airspeed st 4 */
    me = me_put(me_put(0, 1, 5, 19), 6, 3, 2);
    me = me_put(me, 15, 10, 301); /* east 1200 kt */
    me = me_put(me, 26, 10, 1);   /* north 0 */
    decode_es(me, 17, 5, 0x4CA123, 5.0, &m);
    assert_true(m.supersonic);
    assert_true(fabs(m.gs_kt - 1200.0f) < 1e-3 && fabs(m.track_deg - 90.0f) < 1e-3);
    me = me_put(me_put(0, 1, 5, 19), 6, 3, 4);
    me = me_put(me, 14, 1, 1);
    me = me_put(me, 15, 10, 512); /* 180° */
    me = me_put(me, 25, 1, 0);    /* IAS */
    me = me_put(me, 26, 10, 201); /* 800 kt */
    decode_es(me, 17, 5, 0x4CA123, 6.0, &m);
    assert_int_equal(m.ias_kt, 800);
    assert_true(fabs(m.heading_deg - 180.0f) < 1e-3);
    /* GNSS-altitude position TC20 */
    me = me_put(me_airpos(53.0, -6.0, 0, 20000), 1, 5, 20);
    decode_es(me, 17, 5, 0x4CA123, 7.0, &m);
    assert_true(m.has & MH_ALT_GEOM);
    assert_false(m.has & MH_ALT_BARO);
    assert_int_equal(m.alt_geom_ft, 20000);
    assert_int_equal(m.nic, 11);
    /* DF19 AF0: military extended squitter with an ADS-B payload */
    me = me_put(0, 1, 5, 4);
    for (unsigned i = 0; i < 8; i++)
        me = me_put(me, 9 + 6 * i, 6, i == 0 ? 13 : 32); /* "M" and spaces */
    assert_int_equal(decode_es(me, 19, 0, 0x43C001, 8.0, &m), 0);
    assert_int_equal(m.military, 1);
    assert_string_equal(m.callsign, "M");
    /* DF18 CF1: non-ICAO address, decoded but kept apart */
    assert_int_equal(decode_es(me, 18, 1, 0x43C001, 9.0, &m), 0);
    assert_int_equal(m.addr_src, MODES_ADDR_NON_ICAO);
    assert_string_equal(m.callsign, "M");
    /* DF18 CF3 (coarse TIS-B): not ADS-B format, read as the coarse layout */
    assert_int_equal(decode_es(me, 18, 3, 0x43C001, 9.0, &m), 0);
    assert_false(m.has & MH_ADSB);
    assert_true(m.has & MH_COARSE);
}

static void json_of(const struct modes_msg *m, char *out, size_t cap)
{
    struct dbuf b;
    dbuf_init(&b, 1 << 16);
    struct jsonw w;
    jw_init(&w, &b);
    modes_msg_json(m, &w);
    assert_int_equal(w.err, 0);
    snprintf(out, cap, "%s", b.p);
    dbuf_free(&b);
}

/* ---- TIS-B and ADS-R (DF18 CF 1-6) ------------------------------------------- */

/* 12-bit airborne CPR encoding (Nb = 12) as a TIS-B ground station does
 * it: YZ = floor(2^12 MOD(lat, Dlat) / Dlat + 1/2) mod 2^12. */
static void cpr12_encode(double lat, double lon, int odd, uint32_t *yz, uint32_t *xz)
{
    double dlat = 360.0 / (60 - odd);
    double r = lat - dlat * floor(lat / dlat);
    *yz = (uint32_t)floor(4096.0 * r / dlat + 0.5) & 0xFFFu;
    double rlat = dlat * ((*yz) / 4096.0 + floor(lat / dlat));
    int nl = modes_cpr_nl(rlat) - odd;
    double dlon = 360.0 / (nl > 0 ? nl : 1);
    double q = lon - dlon * floor(lon / dlon);
    *xz = (uint32_t)floor(4096.0 * q / dlon + 0.5) & 0xFFFu;
}

/* ME of a coarse TIS-B message (DO-260A §2.2.17.3.5) */
static uint64_t me_coarse(double lat, double lon, int odd, unsigned imf, unsigned svid, int alt_ft,
                          unsigned trk_code, unsigned gs_code)
{
    uint32_t yz, xz;
    cpr12_encode(lat, lon, odd, &yz, &xz);
    unsigned n = (unsigned)(alt_ft + 1000) / 25;
    uint64_t me = me_put(0, 1, 1, imf);
    me = me_put(me, 2, 2, 2); /* surveillance status: temporary alert */
    me = me_put(me, 4, 4, svid);
    me = me_put(me, 8, 12, (n & 0x7F0u) << 1 | 0x10u | (n & 0x0Fu));
    me = me_put(me, 20, 1, 1);
    me = me_put(me, 21, 5, trk_code);
    me = me_put(me, 26, 6, gs_code);
    me = me_put(me, 32, 1, (unsigned)odd);
    me = me_put(me, 33, 12, yz);
    return me_put(me, 45, 12, xz);
}

static void test_tisb_fine(void **state)
{
    (void)state;
    modes_ctx_init(&ctx, NULL);
    struct modes_msg m;
    struct report r;
    /* CF 2, IMF 0 (ME bit 8 of an airborne position): a TIS-B track of an
     * ICAO-addressed aircraft; NIC-B is not read from the IMF bit */
    uint64_t pos = me_put(me_airpos(51.5, -0.5, 0, 3000), 1, 5, 11);
    assert_int_equal(decode_es(pos, 18, 2, 0x400ABC, 10.0, &m), 0);
    assert_int_equal(m.addr_src, MODES_ADDR_AA);
    assert_int_equal(m.addr_type, MODES_AT_TISB_ICAO);
    assert_int_equal(m.derived, MODES_DERIVED_TISB);
    assert_int_equal(m.nic_b, 0);
    /* a relay never vouches for the address (no address recovery) */
    assert_false(modes_ctx_addr_known(&ctx, 0x400ABC, 10.0));
    assert_int_equal(modes_msg_to_report(&m, 0, &r), 0);
    assert_true(r.has & REP_HAS_ICAO);
    assert_int_equal(r.derived, REP_DERIVED_TISB);
    assert_int_equal(r.addr_non_icao, 0);
    /* IMF 1: a TIS-B track file number, not an ICAO address; its CPR state
     * is kept apart from the ICAO address with the same 24 bits */
    uint64_t p1 = me_put(me_airpos(51.5, -0.5, 1, 3000), 8, 1, 1);
    assert_int_equal(decode_es(me_put(pos, 8, 1, 1), 18, 2, 0x400ABC, 11.0, &m), 0);
    assert_int_equal(decode_es(p1, 18, 2, 0x400ABC, 11.5, &m), 0);
    assert_int_equal(m.addr_src, MODES_ADDR_NON_ICAO);
    assert_int_equal(m.addr_type, MODES_AT_TISB_OTHER);
    assert_true(m.has & MH_POS);
    assert_true(fabs(m.lat_deg - 51.5) < 1e-4 && fabs(m.lon_deg + 0.5) < 1e-4);
    assert_int_equal(m.nic, 8); /* TC 11, no NIC-B */
    assert_int_equal(modes_msg_to_report(&m, 0, &r), 0);
    assert_false(r.has & REP_HAS_ICAO); /* not offered as an ICAO address */
    assert_int_equal(r.addr_non_icao, 1);
    assert_int_equal(r.icao, 0x400ABC);
    assert_true(r.has & REP_HAS_POS);
    /* CF 6, ADS-R: IMF in velocity bit 9 */
    uint64_t vel = me_put(me_put(0, 1, 5, 19), 6, 3, 1);
    vel = me_put(vel, 15, 10, 101); /* east 100 kt */
    vel = me_put(vel, 26, 10, 1);
    assert_int_equal(decode_es(vel, 18, 6, 0xA12345, 12.0, &m), 0);
    assert_int_equal(m.addr_type, MODES_AT_ADSR_ICAO);
    assert_int_equal(m.derived, MODES_DERIVED_ADSR);
    assert_int_equal(decode_es(me_put(vel, 9, 1, 1), 18, 6, 0xA12345, 12.5, &m), 0);
    assert_int_equal(m.addr_type, MODES_AT_ADSR_OTHER);
    assert_int_equal(m.addr_src, MODES_ADDR_NON_ICAO);
    assert_true(fabs(m.gs_kt - 100.0f) < 1e-3);
    assert_int_equal(modes_msg_to_report(&m, 0, &r), 0);
    assert_int_equal(r.derived, REP_DERIVED_ADSR);
    /* CF 0: non-transponder ADS-B, first-hand, teaches the address */
    assert_int_equal(decode_es(vel, 18, 0, 0xA22222, 13.0, &m), 0);
    assert_int_equal(m.addr_type, MODES_AT_ADSB_NT);
    assert_int_equal(m.derived, MODES_DERIVED_NONE);
    assert_true(modes_ctx_addr_known(&ctx, 0xA22222, 13.0));
    /* CF 4 (management) and 7 (reserved): not decoded, non-ICAO; a
     * management message is counted and never becomes a report (its AA
     * field is not an aircraft's address) */
    char js[2048];
    uint64_t mgmt0 = ctx.stats.tisb_mgmt;
    assert_int_equal(decode_es(vel, 18, 4, 0xA33333, 14.0, &m), 0);
    assert_false(m.has & (MH_ADSB | MH_GS));
    assert_int_equal(m.addr_type, MODES_AT_TISB_MGMT);
    assert_int_equal(m.addr_src, MODES_ADDR_NON_ICAO);
    assert_int_equal(ctx.stats.tisb_mgmt, mgmt0 + 1);
    assert_int_equal(modes_msg_to_report(&m, 0, &r), CAIRN_E_INVAL);
    json_of(&m, js, sizeof js);
    assert_non_null(strstr(js, "\"addr_type\":\"tisb_mgmt\""));
    assert_non_null(strstr(js, "\"raw\":\"94a33333"));
    assert_null(strstr(js, "\"lat\""));
    assert_int_equal(decode_es(vel, 18, 7, 0xA33333, 14.0, &m), 0);
    assert_int_equal(m.addr_type, MODES_AT_RESERVED);
    assert_int_equal(m.addr_src, MODES_ADDR_NON_ICAO);
    json_of(&m, js, sizeof js);
    assert_non_null(strstr(js, "\"non_icao\":true,\"addr_type\":\"reserved\""));
}

/* Real DF18 CF 5 TIS-B airborne positions (a ground station near San Jose,
 * received by a readsb user, who posted readsb's decode): address 2B06E5
 * "TIS-B, other addressing scheme", 1500 ft, NIC 6, CPR 29311/9681 even
 * decoded (locally) to 37.34175 -121.98745, and 16194/53395 odd to
 * 37.36404 -122.02927. */
static void test_tisb_real(void **state)
{
    (void)state;
    struct modes_opts o;
    modes_opts_default(&o);
    o.have_receiver = 1;
    o.rx_lat_deg = 37.4;
    o.rx_lon_deg = -122.0;
    o.max_range_nm = 150.0; /* within half a zone: local decoding vs the receiver */
    struct {
        const char *hex;
        unsigned odd, lat, lon;
        double want_lat, want_lon;
    } v[2] = {{"952b06e5680d40e4fe25d176a835", 0, 29311, 9681, 37.34175, -121.98745},
              {"952b06e5680d447e84d0933a4153", 1, 16194, 53395, 37.36404, -122.02927}};
    for (int i = 0; i < 2; i++) {
        modes_ctx_init(&ctx, &o);
        struct modes_frame f;
        struct modes_msg m;
        frame_hex(&f, v[i].hex, 100.0);
        assert_int_equal(modes_decode(&ctx, &f, &m), 0);
        assert_int_equal(m.df, 18);
        assert_int_equal(m.ca, 5);
        assert_int_equal(m.icao, 0x2B06E5);
        assert_int_equal(m.addr_type, MODES_AT_TISB_OTHER);
        assert_int_equal(m.derived, MODES_DERIVED_TISB);
        assert_int_equal(m.tc, 13);
        assert_int_equal(m.alt_baro_ft, 1500);
        assert_int_equal(m.nic, 6);
        assert_int_equal(m.cpr_odd, v[i].odd);
        assert_int_equal(m.cpr_lat, v[i].lat);
        assert_int_equal(m.cpr_lon, v[i].lon);
        assert_true(m.has & MH_POS);
        assert_int_equal(m.pos_src, MODES_POS_LOCAL_RX);
        assert_true(fabs(m.lat_deg - v[i].want_lat) < 0.6e-5);
        assert_true(fabs(m.lon_deg - v[i].want_lon) < 0.6e-5);
        char js[2048];
        json_of(&m, js, sizeof js);
        assert_non_null(strstr(js, "\"icao\":\"2b06e5\""));
        assert_non_null(strstr(js, "\"non_icao\":true,\"addr_type\":\"tisb_other\","
                                   "\"derived\":\"tisb\""));
    }
}

static void test_tisb_coarse(void **state)
{
    (void)state;
    modes_ctx_init(&ctx, NULL);
    struct modes_msg m;
    /* an even/odd coarse pair: global decoding to the 12-bit grid (Dlat/4096:
     * 0.0015° of latitude, ~165 m; the longitude cell is smaller here) */
    const double lat = 40.6413, lon = -73.7781;
    assert_int_equal(
        decode_es(me_coarse(lat, lon, 0, 0, 9, 4500, 8, 10), 18, 3, 0xC0FFEE, 50.0, &m), 0);
    assert_true(m.has & MH_COARSE);
    assert_false(m.has & MH_POS);
    assert_int_equal(
        decode_es(me_coarse(lat, lon, 1, 0, 9, 4500, 8, 10), 18, 3, 0xC0FFEE, 52.0, &m), 0);
    assert_int_equal(m.addr_type, MODES_AT_TISB_ICAO);
    assert_int_equal(m.addr_src, MODES_ADDR_AA);
    assert_int_equal(m.derived, MODES_DERIVED_TISB);
    assert_int_equal(m.svid, 9);
    assert_int_equal(m.ss, 2);
    assert_int_equal(m.alt_baro_ft, 4500);
    assert_true(fabs(m.track_deg - 90.0f) < 1e-3);        /* 8 x 11.25° */
    assert_true(fabs(m.gs_kt - (16.0f + 8 * 32)) < 1e-3); /* code 10: 272-304 kt */
    assert_int_equal(m.cpr_odd, 1);
    assert_true(m.cpr_lat < 4096 && m.cpr_lon < 4096);
    assert_true(m.has & MH_POS);
    assert_int_equal(m.pos_src, MODES_POS_GLOBAL);
    print_message("coarse pair: %.5f %.5f (%.0f m off)\n", m.lat_deg, m.lon_deg,
                  modes_dist_nm(lat, lon, m.lat_deg, m.lon_deg) * 1852.0);
    assert_true(modes_dist_nm(lat, lon, m.lat_deg, m.lon_deg) * 1852.0 < 150.0);
    struct report r;
    assert_int_equal(modes_msg_to_report(&m, 0, &r), 0);
    assert_int_equal(r.kind, REP_ADSB);
    assert_int_equal(r.derived, REP_DERIVED_TISB);
    assert_true(r.has & REP_HAS_POS);
    assert_true(r.has & REP_HAS_ICAO);
    /* then one coarse message decodes locally against that position */
    assert_int_equal(
        decode_es(me_coarse(lat + 0.01, lon, 0, 0, 9, 4500, 8, 10), 18, 3, 0xC0FFEE, 70.0, &m), 0);
    assert_int_equal(m.pos_src, MODES_POS_LOCAL_AC);
    assert_true(fabs(m.lat_deg - (lat + 0.01)) < 0.002);
    /* IMF (ME bit 1) set: a track file number; speed codes 0, 1 and 63 */
    assert_int_equal(decode_es(me_coarse(lat, lon, 0, 1, 3, 4500, 8, 0), 18, 3, 0xC0FFEE, 60.0, &m),
                     0);
    assert_int_equal(m.addr_type, MODES_AT_TISB_OTHER);
    assert_false(m.has & MH_GS);
    decode_es(me_coarse(lat, lon, 0, 1, 3, 4500, 8, 1), 18, 3, 0xC0FFEE, 61.0, &m);
    assert_true((m.has & MH_GS) && m.gs_kt == 0.0f);
    decode_es(me_coarse(lat, lon, 0, 1, 3, 4500, 8, 63), 18, 3, 0xC0FFEE, 62.0, &m);
    assert_true(fabs(m.gs_kt - 1968.0f) < 1e-3);
    char js[2048];
    json_of(&m, js, sizeof js);
    assert_non_null(strstr(js, "\"addr_type\":\"tisb_other\",\"derived\":\"tisb\","
                               "\"tisb_coarse\":true,\"svid\":3"));
}

/* ---- TC29 version 1 and the TC31 heading reference ------------------------- */

static void test_tss_v1_and_hrd(void **state)
{
    (void)state;
    modes_ctx_init(&ctx, NULL);
    struct modes_msg m;
    char js[4096];
    /* Doc 9871 §B.2.3.9 layout, the values of twuillemin/modes' worked
     * example re-encoded field by field: FMS vertical data, MSL, capability
     * 2, capturing; 67300 ft; FMS horizontal data, track 359°, capturing;
     * NACp 10, NIC baro 1, SIL 3; TCAS not operational, RA active; downed */
    uint64_t me = me_put(0, 1, 5, 29);
    me = me_put(me, 8, 2, 3);
    me = me_put(me, 10, 1, 1);
    me = me_put(me, 12, 2, 2);
    me = me_put(me, 14, 2, 2);
    me = me_put(me, 16, 10, 683); /* 683 * 100 - 1000 = 67300 ft */
    me = me_put(me, 26, 2, 3);
    me = me_put(me, 28, 9, 359);
    me = me_put(me, 37, 1, 1);
    me = me_put(me, 38, 2, 2);
    me = me_put(me, 40, 4, 10);
    me = me_put(me, 44, 1, 1);
    me = me_put(me, 45, 2, 3);
    me = me_put(me, 52, 2, 3);
    me = me_put(me, 54, 3, 6);
    assert_int_equal(me, 0xE9D555F67D5C1Eull); /* the example's seven bytes */
    assert_int_equal(decode_es(me, 17, 5, 0x3C4D5E, 1.0, &m), 0);
    assert_int_equal(m.st, 0);
    assert_true(m.has & MH_TSS1);
    assert_int_equal(m.tss1.vert_src, 3);
    assert_int_equal(m.tss1.alt_type, 1);
    assert_int_equal(m.tss1.alt_cap, 2);
    assert_int_equal(m.tss1.vert_mode, 2);
    assert_int_equal(m.tss1.target_alt_ft, 67300);
    assert_true(m.has & MH_SEL_ALT_FMS);
    assert_int_equal(m.sel_alt_fms_ft, 67300);
    assert_false(m.has & MH_SEL_ALT_MCP);
    assert_int_equal(m.tss1.horiz_src, 3);
    assert_int_equal(m.tss1.is_track, 1);
    assert_int_equal(m.tss1.horiz_mode, 2);
    assert_true((m.has & MH_SEL_HEADING) && m.sel_heading_deg == 359.0f);
    assert_int_equal(m.sel_heading_true, 0); /* no TC31 yet: assumed magnetic */
    assert_int_equal(m.hrd_known, 0);
    assert_int_equal(m.nac_p, 10);
    assert_int_equal(m.nic_baro, 1);
    assert_int_equal(m.sil, 3);
    assert_int_equal(m.tss1.tcas_not_op, 1);
    assert_int_equal(m.tss1.ra_active, 1);
    assert_int_equal(m.emergency, EMERG_DOWNED);
    json_of(&m, js, sizeof js);
    assert_non_null(strstr(js, "\"sel_alt_fms_ft\":67300,\"sel_heading_deg\":359.00,"
                               "\"sel_heading_ref\":\"magnetic\",\"target_alt_ft\":67300,"
                               "\"target_alt_src\":\"fms\",\"target_alt_type\":\"msl\","
                               "\"target_alt_cap\":2,\"vertical_mode\":\"maintaining\","
                               "\"target_heading_src\":\"fms\",\"sel_heading_type\":\"track\","
                               "\"horizontal_mode\":\"maintaining\",\"tcas_operational\":false,"
                               "\"tcas_ra_active\":true"));
    /* invalid codes: altitude 1011+, heading 360+: no target */
    uint64_t bad = me_put(me_put(me, 16, 10, 1011), 28, 9, 360);
    decode_es(bad, 17, 5, 0x3C4D5E, 1.5, &m);
    assert_false(m.has & (MH_SEL_ALT_FMS | MH_SEL_HEADING));
    assert_int_equal(m.tss1.vert_src, 0);
    /* backward-compatibility flag set: an unknown layout, not read */
    decode_es(me_put(me, 11, 1, 1), 17, 5, 0x3C4D5E, 1.6, &m);
    assert_false(m.has & MH_TSS1);
    /* TC31 version 1, airborne, HRD = true north */
    uint64_t op = me_put(me_put(0, 1, 5, 31), 41, 3, 1);
    op = me_put(op, 45, 4, 9);
    assert_int_equal(decode_es(op, 17, 5, 0x3C4D5E, 2.0, &m), 0);
    assert_true(m.has & MH_HRD);
    assert_int_equal(m.hrd_magnetic, 0);
    json_of(&m, js, sizeof js);
    assert_non_null(strstr(js, "\"hrd\":\"true\""));
    decode_es(me, 17, 5, 0x3C4D5E, 3.0, &m);
    assert_int_equal(m.sel_heading_true, 1);
    assert_int_equal(m.hrd_known, 1);
    /* airspeed-and-heading velocity (st 3) follows the same HRD */
    uint64_t vel = me_put(me_put(0, 1, 5, 19), 6, 3, 3);
    vel = me_put(vel, 14, 1, 1);
    vel = me_put(vel, 15, 10, 256); /* 90° */
    vel = me_put(vel, 26, 10, 251);
    decode_es(vel, 17, 5, 0x3C4D5E, 4.0, &m);
    assert_true((m.has & MH_HEADING) && m.heading_true == 1);
    json_of(&m, js, sizeof js);
    assert_non_null(strstr(js, "\"heading_deg\":90.00,\"heading_ref\":\"true\""));
    /* version 2 surface TC31 with HRD magnetic and TAH heading */
    op = me_put(me_put(me_put(0, 1, 5, 31), 6, 3, 1), 41, 3, 2);
    op = me_put(op, 53, 1, 1);
    op = me_put(op, 54, 1, 1);
    decode_es(op, 17, 5, 0x3C4D5E, 5.0, &m);
    assert_int_equal(m.hrd_magnetic, 1);
    assert_int_equal(m.tah_heading, 1);
    json_of(&m, js, sizeof js);
    assert_non_null(strstr(js, "\"hrd\":\"magnetic\",\"tah\":\"heading\""));
    decode_es(vel, 17, 5, 0x3C4D5E, 6.0, &m);
    assert_int_equal(m.heading_true, 0);
    /* TC29 v2 (subtype 1) selected heading also follows HRD */
    uint64_t v2 = me_put(me_put(0, 1, 5, 29), 6, 2, 1);
    v2 = me_put(v2, 30, 1, 1);
    v2 = me_put(v2, 31, 9, 128); /* 90° */
    decode_es(v2, 17, 5, 0x3C4D5E, 7.0, &m);
    assert_true((m.has & MH_SEL_HEADING) && m.sel_heading_true == 0 && m.hrd_known);
    /* an aircraft that never sent TC31: headings assumed magnetic */
    decode_es(vel, 17, 5, 0x3C4D5F, 8.0, &m);
    assert_int_equal(m.heading_true, 0);
    assert_int_equal(m.hrd_known, 0);
}

/* ---- Comm-B disambiguation ----------------------------------------------- */

static void test_commb_50_60(void **state)
{
    (void)state;
    /* golden: a00006b68af9b718e3c474a87b83, 484F07, "BDS50,BDS60" */
    const char *hex = "A00006B68AF9B718E3C474A87B83";
    modes_ctx_init(&ctx, NULL);
    modes_ctx_addr_add(&ctx, 0x484F07, 100.0);
    struct modes_frame f;
    struct modes_msg m;
    frame_hex(&f, hex, 100.0);
    assert_int_equal(modes_decode(&ctx, &f, &m), 0);
    assert_true(m.bds_ambiguous);
    assert_int_equal(m.bds_cands, MODES_BDS_CAND_50 | MODES_BDS_CAND_60);
    assert_int_equal(ctx.stats.bds_ambiguous, 1);
    /* the BDS 5,0 reading of it */
    uint64_t mb = 0;
    for (int i = 0; i < 7; i++)
        mb = mb << 8 | f.data[4 + i];
    int t = (int)((mb >> (57 - 14 - 10)) & 0x3FF);
    if ((mb >> (57 - 13 - 1)) & 1)
        t -= 1024;
    double trk50 = t * 90.0 / 512.0, gs50 = (double)((mb >> (57 - 25 - 10)) & 0x3FF) * 2.0;
    if (trk50 < 0)
        trk50 += 360.0;
    print_message("as BDS 5,0: track %.1f gs %.0f\n", trk50, gs50);
    /* ADS-B velocity and altitude of the same aircraft matching 5,0 */
    double ve = gs50 * sin(trk50 * M_PI / 180.0), vn = gs50 * cos(trk50 * M_PI / 180.0);
    uint64_t me = me_put(me_put(0, 1, 5, 19), 6, 3, 1);
    me = me_put(me, 14, 1, ve < 0);
    me = me_put(me, 15, 10, (uint64_t)(fabs(ve) + 1.5));
    me = me_put(me, 25, 1, vn < 0);
    me = me_put(me, 26, 10, (uint64_t)(fabs(vn) + 1.5));
    struct modes_msg v;
    assert_int_equal(decode_es(me, 17, 5, 0x484F07, 99.0, &v), 0);
    assert_int_equal(decode_es(me_airpos(52.0, 4.0, 0, 9950), 17, 5, 0x484F07, 99.5, &v), 0);
    assert_int_equal(modes_decode(&ctx, &f, &m), 0);
    assert_false(m.bds_ambiguous);
    assert_int_equal(m.bds, BDS_50);
    /* and a reference 90° off points to 6,0 or stays ambiguous, never 5,0 */
    me = me_put(me_put(0, 1, 5, 19), 6, 3, 1);
    me = me_put(me, 14, 1, vn > 0);
    me = me_put(me, 15, 10, (uint64_t)(fabs(vn) + 1.5));
    me = me_put(me, 25, 1, ve < 0);
    me = me_put(me, 26, 10, (uint64_t)(fabs(ve) + 1.5));
    decode_es(me, 17, 5, 0x484F07, 100.5, &v);
    assert_int_equal(modes_decode(&ctx, &f, &m), 0);
    assert_int_not_equal(m.bds, BDS_50);
}

/* ---- Comm-B meteorological registers (BDS 4,4 / 4,5) ----------------------- */

/* A DF20 (altitude ac13) or DF21 reply carrying mb, parity = CRC ^ icao. */
static void make_commb(struct modes_frame *f, unsigned df, unsigned field13, uint64_t mb,
                       uint32_t icao, double t)
{
    uint8_t b[14];
    b[0] = (uint8_t)(df << 3);
    b[1] = 0;
    b[2] = (uint8_t)(field13 >> 8 & 0x1Fu);
    b[3] = (uint8_t)field13;
    for (int i = 0; i < 7; i++)
        b[4 + i] = (uint8_t)(mb >> (48 - 8 * i));
    b[11] = b[12] = b[13] = 0;
    uint32_t p = modes_crc(b, 14) ^ icao;
    b[11] = (uint8_t)(p >> 16);
    b[12] = (uint8_t)(p >> 8);
    b[13] = (uint8_t)p;
    frame_bytes(f, b, 14, t);
}

/* 13-bit AC field with Q = 1 for an altitude in 25-ft steps */
static unsigned ac13_q(int alt_ft)
{
    unsigned n = (unsigned)(alt_ft + 1000) / 25;
    return (n & 0x7E0u) << 2 | (n & 0x10u) << 1 | 0x10u | (n & 0x0Fu);
}

static void test_commb_met(void **state)
{
    (void)state;
    modes_ctx_init(&ctx, NULL);
    modes_ctx_addr_add(&ctx, 0x4840D6, 1.0);
    struct modes_frame f;
    struct modes_msg m;
    char js[4096];
    int32_t alt;
    assert_int_equal(modes_ac13_alt(ac13_q(30000), &alt), 0);
    assert_int_equal(alt, 30000);
    /* BDS 4,4 (Doc 9871 Table A-2-68): GNSS; wind 45 kt from 270°; SAT
     * -40.25 °C; 301 hPa (ISA at 30,000 ft: 300.9); light turbulence;
     * humidity 50 % */
    uint64_t mb = me_put(0, 1, 4, 2);
    mb = me_put(mb, 5, 1, 1);
    mb = me_put(mb, 6, 9, 45);
    mb = me_put(mb, 15, 9, 384);         /* 384 * 180/256 = 270° */
    mb = me_put(mb, 24, 11, 2048 - 161); /* -161 * 0.25 */
    mb = me_put(mb, 35, 1, 1);
    mb = me_put(mb, 36, 11, 301);
    mb = me_put(mb, 47, 1, 1);
    mb = me_put(mb, 48, 2, 1);
    mb = me_put(mb, 50, 1, 1);
    mb = me_put(mb, 51, 6, 32);
    make_commb(&f, 20, ac13_q(30000), mb, 0x4840D6, 2.0);
    assert_int_equal(modes_decode(&ctx, &f, &m), 0);
    print_message("4,4 candidates 0x%03x\n", m.bds_cands);
    assert_int_equal(m.bds, BDS_44);
    assert_true(m.has & MH_MET);
    assert_int_equal(m.met.fom, 2);
    assert_int_equal(m.met.wind_kt, 45);
    assert_true(fabs(m.met.wind_dir_deg - 270.0f) < 1e-3);
    assert_true(fabs(m.met.sat_c + 40.25f) < 1e-3);
    assert_int_equal(m.met.pressure_hpa, 301);
    assert_int_equal(m.met.turb, 1);
    assert_true(fabs(m.met.humidity_pct - 50.0f) < 1e-3);
    json_of(&m, js, sizeof js);
    assert_non_null(strstr(js, "\"bds\":\"4,4\",\"met_source\":\"gnss\",\"wind_kt\":45,"
                               "\"wind_dir_deg\":270.00,\"sat_c\":-40.25,"
                               "\"static_pressure_hpa\":301,\"humidity_pct\":50.0,"
                               "\"turbulence\":\"light\""));
    /* the same register at 10,000 ft: its pressure is not that altitude's */
    make_commb(&f, 20, ac13_q(10000), mb, 0x4840D6, 3.0);
    modes_decode(&ctx, &f, &m);
    assert_false(m.bds_cands & MODES_BDS_CAND_44);
    /* reserved source code, and wind above 250 kt: not 4,4 */
    make_commb(&f, 20, ac13_q(30000), me_put(mb, 1, 4, 5), 0x4840D6, 4.0);
    modes_decode(&ctx, &f, &m);
    assert_false(m.bds_cands & MODES_BDS_CAND_44);
    make_commb(&f, 20, ac13_q(30000), me_put(mb, 6, 9, 300), 0x4840D6, 5.0);
    modes_decode(&ctx, &f, &m);
    assert_false(m.bds_cands & MODES_BDS_CAND_44);

    /* BDS 4,5 (Table A-2-69) at 10,000 ft: moderate turbulence, light
     * icing, SAT -10.5 °C, 697 hPa (ISA 696.8), radio height 2000 ft */
    mb = me_put(0, 1, 1, 1);
    mb = me_put(mb, 2, 2, 2);
    mb = me_put(mb, 10, 1, 1);
    mb = me_put(mb, 11, 2, 1);
    mb = me_put(mb, 16, 1, 1);
    mb = me_put(mb, 17, 10, 1024 - 42); /* -42 * 0.25 */
    mb = me_put(mb, 27, 1, 1);
    mb = me_put(mb, 28, 11, 697);
    mb = me_put(mb, 39, 1, 1);
    mb = me_put(mb, 40, 12, 125); /* 125 * 16 ft */
    make_commb(&f, 20, ac13_q(10000), mb, 0x4840D6, 6.0);
    assert_int_equal(modes_decode(&ctx, &f, &m), 0);
    print_message("4,5 candidates 0x%03x\n", m.bds_cands);
    assert_int_equal(m.bds, BDS_45);
    assert_int_equal(m.met.has, MET_TURB | MET_ICING | MET_SAT | MET_PRESSURE | MET_RADIO_HEIGHT);
    assert_int_equal(m.met.turb, 2);
    assert_int_equal(m.met.icing, 1);
    assert_true(fabs(m.met.sat_c + 10.5f) < 1e-3);
    assert_int_equal(m.met.pressure_hpa, 697);
    assert_int_equal(m.met.radio_height_ft, 2000);
    json_of(&m, js, sizeof js);
    assert_non_null(strstr(js, "\"bds\":\"4,5\",\"sat_c\":-10.50,\"static_pressure_hpa\":697,"
                               "\"radio_height_ft\":2000,\"turbulence\":\"moderate\","
                               "\"icing\":\"light\""));
    /* a SAT 60 °C off ISA, a radio height of 16,000 ft, a reserved bit */
    make_commb(&f, 20, ac13_q(10000), me_put(mb, 17, 10, 200), 0x4840D6, 7.0);
    modes_decode(&ctx, &f, &m);
    assert_false(m.bds_cands & MODES_BDS_CAND_45);
    make_commb(&f, 20, ac13_q(10000), me_put(mb, 40, 12, 1000), 0x4840D6, 8.0);
    modes_decode(&ctx, &f, &m);
    assert_false(m.bds_cands & MODES_BDS_CAND_45);
    make_commb(&f, 20, ac13_q(10000), me_put(mb, 56, 1, 1), 0x4840D6, 9.0);
    modes_decode(&ctx, &f, &m);
    assert_false(m.bds_cands & MODES_BDS_CAND_45);

    /* pyModeS sample A8001A06B2C80030A40000D3A847 (DF21): a 4,0 reply whose
     * bits also pass 4,5's (light turbulence, light microburst...). With no
     * altitude known it is ambiguous; once the aircraft's ADS-B says FL370,
     * a microburst up there is no 4,5 and 4,0 stands. */
    frame_hex(&f, "A8001A06B2C80030A40000D3A847", 20.0);
    uint32_t icao = modes_crc(f.data, 14);
    modes_ctx_addr_add(&ctx, icao, 20.0);
    assert_int_equal(modes_decode(&ctx, &f, &m), 0);
    assert_true(m.bds_ambiguous);
    assert_int_equal(m.bds_cands, MODES_BDS_CAND_40 | MODES_BDS_CAND_45);
    json_of(&m, js, sizeof js);
    assert_non_null(strstr(js, "\"bds\":\"ambiguous\",\"bds_cands\":[\"4,0\",\"4,5\"]"));
    assert_int_equal(decode_es(me_airpos(52.0, 4.0, 0, 37000), 17, 5, icao, 21.0, &m), 0);
    frame_hex(&f, "A8001A06B2C80030A40000D3A847", 22.0);
    assert_int_equal(modes_decode(&ctx, &f, &m), 0);
    assert_int_equal(m.bds, BDS_40);
    assert_int_equal(m.bds_cands, MODES_BDS_CAND_40);
}

/* ---- output --------------------------------------------------------------- */

static void test_json_and_report(void **state)
{
    (void)state;
    modes_ctx_init(&ctx, NULL);
    struct modes_frame f;
    struct modes_msg m;
    char js[2048];
    frame_hex(&f, "8D406B902015A678D4D220AA4BDA", 12.5);
    assert_int_equal(modes_decode(&ctx, &f, &m), 0);
    json_of(&m, js, sizeof js);
    assert_string_equal(js, "{\"t\":12.500000,\"raw\":\"8d406b902015a678d4d220aa4bda\",\"df\":17,"
                            "\"icao\":\"406b90\",\"crc_ok\":true,\"corrected_bits\":0,\"tc\":4,"
                            "\"st\":0,\"on_ground\":false,\"callsign\":\"EZY85MH\","
                            "\"category\":\"A0\"}");
    /* position pair: lat/lon with 6 decimals */
    frame_hex(&f, "8D40621D58C386435CC412692AD6", 20.0);
    modes_decode(&ctx, &f, &m);
    frame_hex(&f, "8D40621D58C382D690C8AC2863A7", 21.0);
    assert_int_equal(modes_decode(&ctx, &f, &m), 0);
    json_of(&m, js, sizeof js);
    assert_non_null(strstr(js, "\"lat\":52.257202,\"lon\":3.919373"));
    assert_non_null(strstr(js, "\"alt_baro_ft\":38000"));
    struct report r;
    r.sensor_id = 7;
    assert_int_equal(modes_msg_to_report(&m, 0, &r), 0);
    assert_int_equal(r.sensor_id, 7);
    assert_int_equal(r.kind, REP_ADSB);
    assert_int_equal(r.icao, 0x40621D);
    assert_true(r.has & REP_HAS_POS);
    assert_true(r.has & REP_HAS_ALT_BARO);
    assert_int_equal(r.t_ms, 21000);
    /* squawk as four octal digits, emergency name */
    struct modes_opts o;
    modes_opts_default(&o);
    o.accept_unknown_addr = 1;
    modes_ctx_init(&ctx, &o);
    frame_hex(&f, "2A00516D492B80", 1.0);
    modes_decode(&ctx, &f, &m);
    json_of(&m, js, sizeof js);
    assert_non_null(strstr(js, "\"squawk\":\"0356\""));
    assert_non_null(strstr(js, "\"crc_ok\":false"));
    frame_hex(&f, "8DA2C1B6E112B600000000760759", 1.0);
    modes_decode(&ctx, &f, &m);
    json_of(&m, js, sizeof js);
    assert_non_null(strstr(js, "\"squawk\":\"6513\",\"emergency\":\"none\""));
    assert_string_equal(modes_emergency_name(EMERG_UNLAWFUL), "unlawful");
    assert_string_equal(modes_emergency_name(EMERG_DOWNED), "downed");
    assert_string_equal(modes_emergency_name(99), "unknown");
    /* every message decodes to JSON that a parser would accept: balanced */
    frame_hex(&f, "A00006B68AF9B718E3C474A87B83", 1.0);
    modes_decode(&ctx, &f, &m);
    json_of(&m, js, sizeof js);
    assert_non_null(strstr(js, "\"bds\":\"ambiguous\",\"bds_cands\":[\"5,0\",\"6,0\"]"));
}

int main(void)
{
    const char *s = getenv("CAIRN_TEST_SEED");
    seed = s ? (unsigned)strtoul(s, NULL, 10) : (unsigned)time(NULL);
    printf("test_modes_core seed %u (set CAIRN_TEST_SEED to repeat)\n", seed);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc_vs_bitwise),
        cmocka_unit_test(test_fix_every_bit_df17),
        cmocka_unit_test(test_fix_df11),
        cmocka_unit_test(test_lengths_and_dfs),
        cmocka_unit_test(test_addr_recovery),
        cmocka_unit_test(test_addr_table_full),
        cmocka_unit_test(test_gillham_all_codes),
        cmocka_unit_test(test_q_bit_altitudes),
        cmocka_unit_test(test_modeac),
        cmocka_unit_test(test_cpr_roundtrip),
        cmocka_unit_test(test_speed_rejection),
        cmocka_unit_test(test_range_rejection),
        cmocka_unit_test(test_surface),
        cmocka_unit_test(test_adsb_messages),
        cmocka_unit_test(test_tisb_fine),
        cmocka_unit_test(test_tisb_real),
        cmocka_unit_test(test_tisb_coarse),
        cmocka_unit_test(test_tss_v1_and_hrd),
        cmocka_unit_test(test_commb_50_60),
        cmocka_unit_test(test_commb_met),
        cmocka_unit_test(test_json_and_report),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
