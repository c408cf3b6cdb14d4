/*
 * test_ais.c — self-made AIS vectors that always run: armouring and six-bit
 * text round trips (seeded, seed printed), hand-made type 1, 5 and 9
 * sentences with computed checksums, TAG blocks, fragments in order, out of
 * order, duplicated, timed out and evicted, checksum errors, and the stream
 * parser fed whole, byte by byte, at random split points and truncated at
 * every offset.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "base/bits.h"
#include "base/dbuf.h"
#include "base/error.h"
#include "base/jsonw.h"
#include "decode/ais/ais.h"
#include "decode/ais/nmea.h"
#include "decode/ais/sixbit.h"

static unsigned seed;

/* xorshift32: reproducible from the printed seed. */
static uint32_t rnd(void)
{
    seed ^= seed << 13;
    seed ^= seed >> 17;
    seed ^= seed << 5;
    return seed;
}

/* ---- building sentences ------------------------------------------------ */

struct payload {
    uint8_t bits[AIS_MAX_BITS / 8];
    size_t nbits;
};

static void put(struct payload *p, size_t pos, unsigned n, uint64_t v)
{
    bits_put(p->bits, pos, n, v);
    if (pos + n > p->nbits)
        p->nbits = pos + n;
}

/* Six-bit text of M.1371 table 47, padded with '@'. */
static void put_text(struct payload *p, size_t pos, unsigned nchars, const char *s)
{
    for (unsigned i = 0; i < nchars; i++) {
        unsigned c = i < strlen(s) ? (unsigned char)s[i] : '@';
        unsigned v = c >= 64 ? c - 64 : c; /* '@'..'_' -> 0..31, ' '..'?' -> 32..63 */
        put(p, pos + 6 * (size_t)i, 6, v);
    }
}

/* Split the payload into nfrag sentences (lines end with CRLF). */
static void make_lines(const struct payload *p, unsigned nfrag, int seq, char channel,
                       struct dbuf *out)
{
    char arm[AIS_MAX_BITS / 6 + 2];
    unsigned fill;
    int n = ais_armour(p->bits, p->nbits, arm, sizeof arm, &fill);
    assert_true(n > 0);
    size_t per = ((size_t)n + nfrag - 1) / nfrag;
    for (unsigned k = 0; k < nfrag; k++) {
        size_t from = k * per,
               len = from >= (size_t)n ? 0 : ((size_t)n - from < per ? (size_t)n - from : per);
        char body[256];
        char seqs[12] = "";
        if (seq >= 0)
            snprintf(seqs, sizeof seqs, "%d", seq);
        snprintf(body, sizeof body, "AIVDM,%u,%u,%s,%c,%.*s,%u", nfrag, k + 1, seqs, channel,
                 (int)len, arm + from, k + 1 == nfrag ? fill : 0);
        dbuf_addf(out, "!%s*%02X\r\n", body, nmea_checksum(body, strlen(body)));
    }
}

/* A type 1 report: MMSI 273123456 (Russia), moored in Kaliningrad. */
static void type1(struct payload *p, uint32_t mmsi)
{
    memset(p, 0, sizeof *p);
    put(p, 0, 6, 1);
    put(p, 6, 2, 0);
    put(p, 8, 30, mmsi);
    put(p, 38, 4, 5);                       /* moored */
    put(p, 42, 8, (uint64_t)(uint8_t)-128); /* no turn information */
    put(p, 50, 10, 123);                    /* 12.3 kt */
    put(p, 60, 1, 1);
    put(p, 61, 28, (uint64_t)(int64_t)(20.5 * 600000) & 0xfffffff);
    put(p, 89, 27, (uint64_t)(int64_t)(54.7 * 600000) & 0x7ffffff);
    put(p, 116, 12, 2245); /* 224.5 deg */
    put(p, 128, 9, 225);
    put(p, 137, 6, 33);
    put(p, 149, 19, 34017);
    p->nbits = 168;
}

static void type5(struct payload *p, uint32_t mmsi)
{
    memset(p, 0, sizeof *p);
    put(p, 0, 6, 5);
    put(p, 8, 30, mmsi);
    put(p, 38, 2, 1);
    put(p, 40, 30, 9134270);
    put_text(p, 70, 7, "UBCD7");
    put_text(p, 112, 20, "CAIRN TEST SHIP");
    put(p, 232, 8, 70);
    put(p, 240, 9, 225);
    put(p, 249, 9, 70);
    put(p, 258, 6, 1);
    put(p, 264, 6, 31);
    put(p, 270, 4, 1);
    put(p, 274, 4, 5);
    put(p, 278, 5, 15);
    put(p, 283, 5, 14);
    put(p, 288, 6, 0);
    put(p, 294, 8, 122);
    put_text(p, 302, 20, "KALININGRAD");
    p->nbits = 424;
}

/* ---- helpers ----------------------------------------------------------- */

static struct ais_ctx *new_ctx(void)
{
    struct ais_ctx *c = malloc(sizeof *c);
    assert_non_null(c);
    ais_ctx_init(c);
    return c;
}

static int decode(struct ais_ctx *c, const char *line, int64_t now, struct ais_msg *m)
{
    return ais_decode_line(c, line, strlen(line), now, m);
}

static char *json_of(const struct ais_msg *m, unsigned flags)
{
    struct dbuf b;
    struct jsonw w;
    dbuf_init(&b, 1 << 16);
    jw_init(&w, &b);
    assert_int_equal(ais_msg_json(m, &w, NULL, flags), 0);
    assert_int_equal(w.err, 0);
    size_t n;
    return dbuf_take(&b, &n);
}

/* ---- tests ------------------------------------------------------------- */

static void test_armour_roundtrip(void **state)
{
    (void)state;
    for (int iter = 0; iter < 2000; iter++) {
        struct payload p;
        memset(&p, 0, sizeof p);
        p.nbits = rnd() % 1009;
        for (size_t i = 0; i < (p.nbits + 7) / 8; i++)
            p.bits[i] = (uint8_t)rnd();
        if (p.nbits & 7)
            p.bits[p.nbits / 8] &= (uint8_t)(0xff << (8 - (p.nbits & 7)));
        char arm[400];
        unsigned fill;
        int n = ais_armour(p.bits, p.nbits, arm, sizeof arm, &fill);
        assert_true(n >= 0);
        assert_true(fill < 6);
        uint8_t back[AIS_MAX_BITS / 8];
        memset(back, 0, sizeof back);
        size_t nb = 0;
        assert_int_equal(ais_dearmour(arm, (size_t)n, back, AIS_MAX_BITS, &nb), 0);
        assert_int_equal(nb - fill, p.nbits);
        assert_memory_equal(back, p.bits, (p.nbits + 7) / 8);
    }
    /* Every character of the alphabet maps back to itself. */
    for (unsigned v = 0; v < 64; v++)
        assert_int_equal(ais_armour_value((unsigned char)ais_armour_char(v)), (int)v);
    assert_int_equal(ais_armour_value('X'), -1); /* 88: between the two ranges */
    assert_int_equal(ais_armour_value('x'), -1);
    uint8_t b[4] = {0};
    size_t nb = 0;
    assert_int_equal(ais_dearmour("0X", 2, b, 32, &nb), CAIRN_E_PAYLOAD);
    nb = 0;
    assert_int_equal(ais_dearmour("000000", 6, b, 32, &nb), CAIRN_E_TOOBIG);
}

static void test_sixbit_text(void **state)
{
    (void)state;
    struct payload p;
    memset(&p, 0, sizeof p);
    put_text(&p, 10, 20, "HELLO, WORLD 1-2/3? ");
    char t[32];
    ais_text(p.bits, AIS_MAX_BITS, 10, 20, t, sizeof t, 1);
    assert_string_equal(t, "HELLO, WORLD 1-2/3?");
    ais_text(p.bits, AIS_MAX_BITS, 10, 20, t, 6, 1); /* capacity wins */
    assert_string_equal(t, "HELLO");
    memset(&p, 0, sizeof p);
    put_text(&p, 0, 7, "AB@CD");
    ais_text(p.bits, AIS_MAX_BITS, 0, 7, t, sizeof t, 1);
    assert_string_equal(t, "AB"); /* '@' ends the text */
    /* Reads past the buffer give zero bits, never a crash. */
    assert_int_equal(ais_bits_u(p.bits, 16, 10, 12), ais_bits_u(p.bits, 16, 10, 6) << 6);
}

static void test_type1_handmade(void **state)
{
    (void)state;
    struct payload p;
    type1(&p, 273123456);
    struct dbuf lines;
    dbuf_init(&lines, 4096);
    make_lines(&p, 1, -1, 'A', &lines);
    print_message("type 1: %s", lines.p);
    struct ais_ctx *c = new_ctx();
    struct ais_msg m;
    assert_int_equal(decode(c, lines.p, 0, &m), 1);
    assert_int_equal(m.type, 1);
    assert_int_equal(m.mmsi, 273123456);
    assert_int_equal(m.nbits, 168);
    char *j = json_of(&m, 0);
    assert_non_null(strstr(j, "\"status\":5,\"status_text\":\"Moored\",\"turn\":-128,\"speed\":123,"
                              "\"accuracy\":true,\"lon\":12300000,\"lat\":32820000,\"course\":2245,"
                              "\"heading\":225,\"second\":33"));
    free(j);
    j = json_of(&m, AIS_JSON_SCALED);
    assert_non_null(strstr(j, "\"turn\":\"nan\",\"speed\":12.3,"));
    assert_non_null(strstr(j, "\"lon\":20.500000,\"lat\":54.700000,\"course\":224.5"));
    free(j);
    struct report r;
    assert_int_equal(ais_msg_to_report(&m, 7, &r), 0);
    assert_int_equal(r.kind, REP_AIS);
    assert_int_equal(r.mmsi, 273123456);
    assert_true(r.has & REP_HAS_POS);
    assert_float_equal(r.lat_deg, 54.7, 1e-9);
    assert_float_equal(r.lon_deg, 20.5, 1e-9);
    assert_float_equal(r.gs_kt, 12.3, 1e-4);
    assert_float_equal(r.track_deg, 224.5, 1e-4);

    /* Garbage before '!', receiver suffix after the checksum, other talker. */
    char line[512];
    snprintf(line, sizeof line, "2026-11-22 03:00:00 junk%.*s,d-109,S2105,r003669946",
             (int)strcspn(lines.p, "\r"), lines.p);
    assert_int_equal(decode(c, line, 0, &m), 1);
    assert_int_equal(m.mmsi, 273123456);

    /* A wrong checksum is a counted error. */
    char bad[256];
    snprintf(bad, sizeof bad, "%s", lines.p);
    char *star = strchr(bad, '*');
    star[1] = star[1] == '0' ? '1' : '0';
    assert_int_equal(decode(c, bad, 0, &m), CAIRN_E_CHECKSUM);
    assert_int_equal(c->stats.bad_checksum, 1);
    /* Malformed: no checksum, bad counts, bad fill. */
    assert_int_equal(decode(c, "!AIVDM,1,1,,A,15N4cJ005Jrek0H@9nDW5608EP,013", 0, &m),
                     CAIRN_E_FORMAT);
    const char *badcount = "AIVDM,1,2,,A,1,0";
    snprintf(bad, sizeof bad, "!%s*%02X", badcount, nmea_checksum(badcount, strlen(badcount)));
    assert_int_equal(decode(c, bad, 0, &m), CAIRN_E_FORMAT);
    assert_int_equal(c->stats.bad_format, 2);
    /* Not AIS at all: consumed quietly. */
    assert_int_equal(decode(c, "$GPGGA,184353.07,1929.045,S,02410.506,E,1,04*6D", 0, &m), 0);
    assert_int_equal(decode(c, "# !AIVDM,1,1,,A,15N4cJ005Jrek0H@9nDW5608EP,0*00", 0, &m), 0);
    dbuf_free(&lines);
    free(c);
}

static void test_tag_block(void **state)
{
    (void)state;
    struct payload p;
    type1(&p, 273000001);
    struct dbuf lines;
    dbuf_init(&lines, 4096);
    make_lines(&p, 1, -1, 'B', &lines);
    const char *tag = "s:CAIRN-RX1,c:1764000000,T:2025-11-24 16.00.00";
    char line[512];
    snprintf(line, sizeof line, "\\%s*%02X\\%s", tag, nmea_checksum(tag, strlen(tag)), lines.p);
    struct ais_ctx *c = new_ctx();
    struct ais_msg m;
    assert_int_equal(decode(c, line, 42, &m), 1);
    assert_true(m.tag.has & NMEA_TAG_SOURCE);
    assert_string_equal(m.tag.source, "CAIRN-RX1");
    assert_int_equal(m.t_ms, 1764000000000LL);
    char *j = json_of(&m, AIS_JSON_TAGS);
    assert_non_null(strstr(j, "\"tag_source\":\"CAIRN-RX1\",\"tag_time\":1764000000.000"));
    free(j);
    /* A bad TAG checksum: the tag is ignored (counted), the sentence kept. */
    snprintf(line, sizeof line, "\\%s*00\\%s", tag, lines.p);
    assert_int_equal(decode(c, line, 42, &m), 1);
    assert_int_equal(m.tag.has, 0);
    assert_int_equal(m.t_ms, 42);
    assert_int_equal(c->stats.bad_tag, 1);
    /* g: groups parse. */
    struct nmea_tag t;
    const char *g = "g:2-3-1234,n:17";
    char body[64];
    snprintf(body, sizeof body, "%s*%02X", g, nmea_checksum(g, strlen(g)));
    assert_int_equal(nmea_parse_tag(body, strlen(body), &t), 0);
    assert_int_equal(t.group_part, 2);
    assert_int_equal(t.group_total, 3);
    assert_int_equal(t.group_id, 1234);
    assert_int_equal(t.line_no, 17);
    dbuf_free(&lines);
    free(c);
}

/* The lines of a two-sentence type 5, split into separate strings. */
static void two_frags(uint32_t mmsi, int seq, char ch, char f1[128], char f2[128])
{
    struct payload p;
    type5(&p, mmsi);
    struct dbuf lines;
    dbuf_init(&lines, 4096);
    make_lines(&p, 2, seq, ch, &lines);
    char *nl = strchr(lines.p, '\n');
    snprintf(f1, 128, "%.*s", (int)(nl - lines.p + 1), lines.p);
    snprintf(f2, 128, "%s", nl + 1);
    dbuf_free(&lines);
}

static void test_type5_fragments(void **state)
{
    (void)state;
    char a[128], b[128];
    two_frags(273555000, 3, 'A', a, b);
    print_message("type 5:\n%s%s", a, b);
    struct ais_ctx *c = new_ctx();
    struct ais_msg m;

    /* In order. */
    assert_int_equal(decode(c, a, 0, &m), 0);
    assert_int_equal(decode(c, b, 0, &m), 1);
    assert_int_equal(m.type, 5);
    assert_int_equal(m.nbits, 424);
    char *j = json_of(&m, 0);
    assert_non_null(strstr(j, "\"imo\":9134270,\"ais_version\":1,\"callsign\":\"UBCD7\","
                              "\"shipname\":\"CAIRN TEST SHIP\",\"shiptype\":70"));
    assert_non_null(strstr(j, "\"eta\":\"05-15T14:00Z\",\"draught\":122,"
                              "\"destination\":\"KALININGRAD\",\"dte\":0"));
    free(j);
    struct report r;
    assert_int_equal(ais_msg_to_report(&m, 1, &r), 0);
    assert_string_equal(r.callsign, "UBCD7");

    /* Out of order: 2 then 1. */
    assert_int_equal(decode(c, b, 0, &m), 0);
    assert_int_equal(decode(c, a, 0, &m), 1);
    assert_int_equal(m.mmsi, 273555000);

    /* Duplicate sentence 2: dropped and counted, the message completes once. */
    uint64_t before = c->stats.frag_order;
    assert_int_equal(decode(c, b, 0, &m), 0);
    assert_int_equal(decode(c, b, 0, &m), CAIRN_E_FRAGMENT);
    assert_int_equal(c->stats.frag_order, before + 1);
    assert_int_equal(decode(c, a, 0, &m), 1);

    /* Interleaved on two ids and two channels. */
    char a2[128], b2[128], a3[128], b3[128];
    two_frags(273555001, 4, 'A', a2, b2);
    two_frags(273555002, 4, 'B', a3, b3);
    assert_int_equal(decode(c, a2, 0, &m), 0);
    assert_int_equal(decode(c, a3, 0, &m), 0);
    assert_int_equal(decode(c, a, 0, &m), 0);
    assert_int_equal(decode(c, b3, 0, &m), 1);
    assert_int_equal(m.mmsi, 273555002);
    assert_int_equal(decode(c, b, 0, &m), 1);
    assert_int_equal(m.mmsi, 273555000);
    assert_int_equal(decode(c, b2, 0, &m), 1);
    assert_int_equal(m.mmsi, 273555001);

    /* Timeout: sentence 2 after AIS_FRAG_TIMEOUT_MS on the caller's clock. */
    assert_int_equal(decode(c, a, 1000, &m), 0);
    assert_int_equal(decode(c, b, 1000 + AIS_FRAG_TIMEOUT_MS + 1, &m), 0);
    assert_int_equal(c->stats.frag_timeout, 1);
    /* ... and the lone sentence 2 left behind expires too. */
    assert_int_equal(decode(c, a, 100000, &m), 0);
    assert_int_equal(c->stats.frag_timeout, 2);
    assert_int_equal(decode(c, b, 100001, &m), 1);

    /* The table is capped: the oldest pending message makes room. */
    for (int i = 0; i <= AIS_MAX_PENDING; i++) {
        char x[128], y[128];
        two_frags(273600000 + (uint32_t)i, i % 10, (char)('A' + i / 10), x, y);
        assert_int_equal(decode(c, x, 200000, &m), 0);
    }
    assert_int_equal(c->stats.frag_evicted, 1);
    free(c);
}

static void test_type24_pairing_and_type9(void **state)
{
    (void)state;
    struct ais_ctx *c = new_ctx();
    struct ais_msg m;
    struct payload a, b;
    memset(&a, 0, sizeof a);
    put(&a, 0, 6, 24);
    put(&a, 8, 30, 273777000);
    put_text(&a, 40, 20, "NEVA");
    a.nbits = 160;
    memset(&b, 0, sizeof b);
    put(&b, 0, 6, 24);
    put(&b, 8, 30, 273777000);
    put(&b, 38, 2, 1);
    put(&b, 40, 8, 37);
    put_text(&b, 90, 7, "UAAA");
    put(&b, 132, 9, 10);
    b.nbits = 168;
    assert_int_equal(ais_msg_decode(c, b.bits, b.nbits, &m), 0);
    assert_int_equal(m.part24, AIS_24_B);
    struct jsonw w;
    struct dbuf d;
    dbuf_init(&d, 4096);
    jw_init(&w, &d);
    assert_int_equal(ais_msg_json(&m, &w, NULL, 0), CAIRN_E_NOTFOUND); /* gpsd prints none */
    assert_int_equal(ais_msg_decode(c, a.bits, a.nbits, &m), 0);
    assert_int_equal(m.part24, AIS_24_A);
    assert_int_equal(ais_msg_decode(c, b.bits, b.nbits, &m), 0);
    assert_int_equal(m.part24, AIS_24_AB);
    char *j = json_of(&m, 0);
    assert_non_null(strstr(j, "\"shipname\":\"NEVA\",\"shiptype\":37"));
    free(j);
    dbuf_free(&d);

    /* Type 9, a SAR aircraft at 1500 m: an air report with altitude. */
    struct payload s;
    memset(&s, 0, sizeof s);
    put(&s, 0, 6, 9);
    put(&s, 8, 30, 111273001);
    put(&s, 38, 12, 1500);
    put(&s, 50, 10, 140);
    put(&s, 61, 28, (uint64_t)(int64_t)(21.0 * 600000) & 0xfffffff);
    put(&s, 89, 27, (uint64_t)(int64_t)(55.0 * 600000) & 0x7ffffff);
    put(&s, 116, 12, 900);
    s.nbits = 168;
    assert_int_equal(ais_msg_decode(c, s.bits, s.nbits, &m), 0);
    struct report r;
    assert_int_equal(ais_msg_to_report(&m, 3, &r), 0);
    assert_true(r.has & REP_HAS_ALT_GEOM);
    assert_int_equal(r.alt_geom_ft, 4921); /* 1500 m */
    assert_float_equal(r.gs_kt, 140, 1e-6);
    assert_float_equal(r.lat_deg, 55.0, 1e-9);
    assert_int_equal(r.sensor_id, 3);

    /* Lengths and types gpsd refuses are refused and counted. */
    s.nbits = 100;
    assert_int_equal(ais_msg_decode(c, s.bits, s.nbits, &m), CAIRN_E_PAYLOAD);
    assert_int_equal(c->stats.bad_length, 1);
    put(&s, 0, 6, 0);
    s.nbits = 168;
    assert_int_equal(ais_msg_decode(c, s.bits, s.nbits, &m), CAIRN_E_PAYLOAD);
    assert_int_equal(c->stats.bad_type, 1);
    free(c);
}

/* Every application payload gpsd interprets comes out as well-formed JSON
 * with its characteristic key, scaled and unscaled, for random contents. */
static void test_application_payloads(void **state)
{
    (void)state;
    static const struct {
        unsigned type, dac, fid, nbits;
        const char *key;
    } cases[] = {
        {6, 1, 12, 360, "dangerous"},
        {6, 1, 14, 376, "tidals"},
        {6, 1, 15, 100, "airdraught"},
        {6, 1, 16, 224, "persons"},
        {6, 1, 18, 360, "portname"},
        {6, 1, 20, 360, "berth_name"},
        {6, 1, 25, 300, "cargos"},
        {6, 1, 28, 400, "waypoints"},
        {6, 1, 30, 200, "text"},
        {6, 1, 32, 361, "tidals"},
        {6, 200, 21, 248, "locode"},
        {6, 200, 22, 232, "status_text"},
        {6, 200, 55, 168, "crew"},
        {6, 235, 10, 136, "racon"},
        {8, 1, 11, 352, "ice_text"},
        {8, 1, 13, 472, "closeto"},
        {8, 1, 15, 72, "airdraught"},
        {8, 1, 16, 192, "persons"},
        {8, 1, 17, 300, "targets"},
        {8, 1, 19, 360, "signal_text"},
        {8, 1, 27, 400, "waypoints"},
        {8, 1, 29, 200, "text"},
        {8, 1, 31, 360, "visgreater"},
        {8, 200, 10, 168, "vin"},
        {8, 200, 23, 256, "wind_text"},
        {8, 200, 24, 168, "gauges"},
        {8, 200, 40, 168, "direction_text"},
    };
    struct ais_ctx *c = new_ctx();
    struct ais_msg m;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (int iter = 0; iter < 20; iter++) {
            struct payload p;
            memset(&p, 0, sizeof p);
            for (size_t k = 0; k < (cases[i].nbits + 7) / 8; k++)
                p.bits[k] = (uint8_t)rnd();
            p.nbits = cases[i].nbits;
            if (p.nbits & 7)
                p.bits[p.nbits / 8] &= (uint8_t)(0xff << (8 - (p.nbits & 7)));
            put(&p, 0, 6, cases[i].type);
            size_t at = cases[i].type == 6 ? 72 : 40;
            put(&p, at, 10, cases[i].dac);
            put(&p, at + 10, 6, cases[i].fid);
            if (cases[i].type == 8 && cases[i].dac == 200 && cases[i].fid == 10)
                put(&p, 141, 3, 2); /* a hazard code in range */
            assert_int_equal(ais_msg_decode(c, p.bits, p.nbits, &m), 0);
            for (unsigned flags = 0; flags <= AIS_JSON_SCALED; flags += AIS_JSON_SCALED) {
                char *j = json_of(&m, flags);
                json_error_t err;
                json_t *o = json_loads(j, 0, &err);
                if (!o)
                    print_message("bad JSON (%s): %s\n", err.text, j);
                assert_non_null(o);
                if (!json_object_get(o, cases[i].key))
                    print_message("no %s in %s\n", cases[i].key, j);
                assert_non_null(json_object_get(o, cases[i].key));
                assert_null(json_object_get(o, "data"));
                json_decref(o);
                free(j);
            }
        }
    }
    free(c);
}

/* ---- the stream parser ------------------------------------------------- */

struct collect {
    struct dbuf out;
};

static void on_msg(void *user, const struct ais_msg *m)
{
    struct collect *k = user;
    struct jsonw w;
    jw_init(&w, &k->out);
    if (ais_msg_json(m, &w, NULL, 0) == 0)
        dbuf_addc(&k->out, '\n');
}

/* A self-made recording: comments, GNSS lines, single and multi-sentence
 * messages on both channels, a TAG block, a bad checksum, CRLF and LF. */
static void make_recording(struct dbuf *rec)
{
    struct payload p;
    dbuf_adds(rec, "# cairn self-made AIS recording\n$GPGGA,1,2,3*00\n\n");
    for (int i = 0; i < 40; i++) {
        type1(&p, 273100000 + (uint32_t)i);
        make_lines(&p, 1, -1, i & 1 ? 'B' : 'A', rec);
        type5(&p, 273200000 + (uint32_t)i);
        make_lines(&p, 2 + (unsigned)(i % 3), i % 10, i & 2 ? 'B' : 'A', rec);
        if (i % 7 == 0)
            dbuf_adds(rec, "!AIVDM,1,1,,A,15N4cJ005Jrek0H@9nDW5608EP,0*FF\n");
        if (i % 5 == 0)
            dbuf_adds(rec, "garbage line\r\n");
    }
}

static char *run_stream(const char *data, size_t len, const size_t *cuts, size_t ncuts, int flush)
{
    struct ais_ctx *c = new_ctx();
    struct collect k;
    dbuf_init(&k.out, 1 << 24);
    dbuf_adds(&k.out, "");
    size_t at = 0;
    for (size_t i = 0; i <= ncuts; i++) {
        size_t end = i < ncuts ? cuts[i] : len;
        ais_feed(c, data + at, end - at, 0, on_msg, &k);
        at = end;
    }
    if (flush)
        ais_flush(c, 0, on_msg, &k);
    free(c);
    size_t n;
    return dbuf_take(&k.out, &n);
}

static void test_stream_splits(void **state)
{
    (void)state;
    struct dbuf rec;
    dbuf_init(&rec, 1 << 20);
    make_recording(&rec);
    const char *d = rec.p;
    size_t len = rec.len;
    char *whole = run_stream(d, len, NULL, 0, 1);
    size_t nobj = 0;
    for (const char *q = whole; (q = strchr(q, '\n')) != NULL; q++)
        nobj++;
    assert_int_equal(nobj, 80);

    /* Byte by byte. */
    size_t *cuts = malloc(len * sizeof *cuts);
    assert_non_null(cuts);
    for (size_t i = 0; i < len; i++)
        cuts[i] = i;
    char *bb = run_stream(d, len, cuts, len, 1);
    assert_string_equal(bb, whole);
    free(bb);

    /* Random split points. */
    for (int iter = 0; iter < 50; iter++) {
        size_t n = 1 + rnd() % 40;
        for (size_t i = 0; i < n; i++)
            cuts[i] = rnd() % (len + 1);
        for (size_t i = 1; i < n; i++) /* insertion sort */
            for (size_t j = i; j > 0 && cuts[j - 1] > cuts[j]; j--) {
                size_t t = cuts[j];
                cuts[j] = cuts[j - 1];
                cuts[j - 1] = t;
            }
        char *rs = run_stream(d, len, cuts, n, 1);
        assert_string_equal(rs, whole);
        free(rs);
    }

    /* Truncated at every offset: what comes out is a prefix of the whole. */
    for (size_t cut = 0; cut <= len; cut++) {
        char *t = run_stream(d, cut, NULL, 0, cut % 2);
        assert_true(strncmp(whole, t, strlen(t)) == 0);
        free(t);
    }

    /* A line longer than the buffer is dropped and counted, then all is well. */
    struct ais_ctx *c = new_ctx();
    char *big = malloc(AIS_LINE_MAX * 3);
    assert_non_null(big);
    memset(big, 'x', AIS_LINE_MAX * 3);
    ais_feed(c, big, AIS_LINE_MAX * 3, 0, NULL, NULL);
    ais_feed(c, "\n", 1, 0, NULL, NULL);
    assert_int_equal(c->stats.long_line, 1);
    assert_int_equal(ais_feed(c, d, len, 0, NULL, NULL) + ais_flush(c, 0, NULL, NULL), 80);
    free(big);
    free(c);
    free(cuts);
    free(whole);
    dbuf_free(&rec);
}

int main(void)
{
    const char *env = getenv("CAIRN_SEED");
    seed = env ? (unsigned)strtoul(env, NULL, 10) : (unsigned)time(NULL);
    if (seed == 0)
        seed = 1;
    printf("test_ais: seed %u (CAIRN_SEED=%u to repeat)\n", seed, seed);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_armour_roundtrip),
        cmocka_unit_test(test_sixbit_text),
        cmocka_unit_test(test_type1_handmade),
        cmocka_unit_test(test_tag_block),
        cmocka_unit_test(test_type5_fragments),
        cmocka_unit_test(test_type24_pairing_and_type9),
        cmocka_unit_test(test_application_payloads),
        cmocka_unit_test(test_stream_splits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
