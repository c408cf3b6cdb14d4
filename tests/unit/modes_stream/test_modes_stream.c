/*
 * test_modes_stream.c — the Beast, AVR and SBS stream parsers.
 *
 * Every parser is fed the same input whole, one byte at a time and at
 * random split points, each piece in an exact-size heap copy (so ASan sees
 * a read past a piece); all must give the same items. Every prefix of the
 * input must give a prefix of those items and ask for more, and feeding the
 * rest afterwards must give them all. Self-made vectors (random frames
 * encoded to Beast with 0x1A escaping and to AVR, seed printed; set
 * CAIRN_SEED to replay one) always run; the St Petersburg recording and its
 * BaseStation decode run when ../shared/data is there.
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

#include "base/error.h"
#include "decode/modes/avr.h"
#include "decode/modes/beast.h"
#include "decode/modes/sbs.h"
#include "testdata.h"

#define BEAST_LOG "modes/beastblackbox_ulss7_1522782148.beast"
#define SBS_LOG   "modes/beastblackbox_ulss7_1522782148_decoded_sbs.txt"

/* ---- a small deterministic PRNG (xorshift64*), seed printed ---- */

static uint64_t rng_state;

static uint64_t rng_next(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Dull;
}

static uint64_t rng_seed(void)
{
    const char *e = getenv("CAIRN_SEED");
    uint64_t seed = e ? strtoull(e, NULL, 0) : (uint64_t)time(NULL) * 2654435761u;
    if (!seed)
        seed = 1;
    rng_state = seed;
    return seed;
}

/* ---- a generic view of the three parsers ---- */

struct pdef {
    size_t item_size;
    void (*init)(void *p);
    ssize_t (*parse)(void *p, const uint8_t *b, size_t n, void *out);
    int (*finish)(void *p, void *out); /* NULL: nothing pending at the end */
};

static void w_beast_init(void *p)
{
    beast_parser_init(p);
}
static ssize_t w_beast_parse(void *p, const uint8_t *b, size_t n, void *out)
{
    return beast_parse(p, b, n, out);
}
static void w_avr_init(void *p)
{
    avr_parser_init(p);
}
static ssize_t w_avr_parse(void *p, const uint8_t *b, size_t n, void *out)
{
    return avr_parse(p, b, n, out);
}
static int w_avr_finish(void *p, void *out)
{
    return avr_finish(p, out);
}
static void w_sbs_init(void *p)
{
    sbs_parser_init(p);
}
static ssize_t w_sbs_parse(void *p, const uint8_t *b, size_t n, void *out)
{
    return sbs_parse(p, b, n, out);
}
static int w_sbs_finish(void *p, void *out)
{
    return sbs_finish(p, out);
}

static const struct pdef P_BEAST = {sizeof(struct modes_frame), w_beast_init, w_beast_parse, NULL};
static const struct pdef P_AVR = {sizeof(struct modes_frame), w_avr_init, w_avr_parse,
                                  w_avr_finish};
static const struct pdef P_SBS = {sizeof(struct sbs_msg), w_sbs_init, w_sbs_parse, w_sbs_finish};

/* Parser state big enough for any of the three. */
union pstate {
    struct beast_parser b;
    struct avr_parser a;
    struct sbs_parser s;
};

struct sink {
    uint8_t *items;
    size_t n, cap;
};

/* Feed one piece (copied to an exact-size heap block); append items. */
static void feed_piece(const struct pdef *d, void *p, const uint8_t *data, size_t len,
                       struct sink *k)
{
    uint8_t *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    memcpy(copy, data, len);
    size_t off = 0;
    for (;;) {
        assert_true(k->n < k->cap);
        ssize_t r = d->parse(p, copy + off, len - off, k->items + k->n * d->item_size);
        if (r == CAIRN_E_NEEDMORE)
            break;
        assert_true(r > 0);
        assert_true((size_t)r <= len - off);
        off += (size_t)r;
        k->n++;
    }
    free(copy);
}

enum split { SPLIT_WHOLE, SPLIT_BYTE, SPLIT_RANDOM };

static size_t run(const struct pdef *d, const uint8_t *data, size_t len, enum split how,
                  struct sink *k, int finish)
{
    union pstate p;
    d->init(&p);
    k->n = 0;
    size_t off = 0;
    while (off < len) {
        size_t piece = len - off;
        if (how == SPLIT_BYTE)
            piece = 1;
        else if (how == SPLIT_RANDOM)
            piece = 1 + (size_t)(rng_next() % 97); /* up to a few frames per piece */
        if (piece > len - off)
            piece = len - off;
        feed_piece(d, &p, data + off, piece, k);
        off += piece;
    }
    if (finish && d->finish) {
        assert_true(k->n < k->cap);
        if (d->finish(&p, k->items + k->n * d->item_size))
            k->n++;
    }
    return k->n;
}

/* Whole, byte by byte and random splits agree; the items go to *ref. */
static void check_splits(const struct pdef *d, const uint8_t *data, size_t len, struct sink *ref)
{
    run(d, data, len, SPLIT_WHOLE, ref, 1);
    struct sink k = {malloc(ref->cap * d->item_size), 0, ref->cap};
    assert_non_null(k.items);
    for (int how = SPLIT_BYTE; how <= SPLIT_RANDOM; how++) {
        for (int rep = 0; rep < (how == SPLIT_RANDOM ? 5 : 1); rep++) {
            run(d, data, len, (enum split)how, &k, 1);
            assert_int_equal(k.n, ref->n);
            assert_memory_equal(k.items, ref->items, ref->n * d->item_size);
        }
    }
    free(k.items);
}

/* Every prefix gives a prefix of the items, then the rest gives them all. */
static void check_truncations(const struct pdef *d, const uint8_t *data, size_t len,
                              const struct sink *ref, size_t max_prefix)
{
    struct sink k = {malloc(ref->cap * d->item_size), 0, ref->cap};
    assert_non_null(k.items);
    if (max_prefix > len)
        max_prefix = len;
    for (size_t cut = 0; cut <= max_prefix; cut++) {
        union pstate p;
        d->init(&p);
        k.n = 0;
        feed_piece(d, &p, data, cut, &k);
        assert_true(k.n <= ref->n);
        assert_memory_equal(k.items, ref->items, k.n * d->item_size);
        feed_piece(d, &p, data + cut, len - cut, &k);
        if (d->finish && d->finish(&p, k.items + k.n * d->item_size))
            k.n++;
        assert_int_equal(k.n, ref->n);
        assert_memory_equal(k.items, ref->items, ref->n * d->item_size);
    }
    free(k.items);
}

/* ---- self-made frames ---- */

#define N_GEN 300

static void gen_frame(struct modes_frame *f)
{
    static const uint8_t lens[3] = {MODEAC_LEN, MODES_SHORT_LEN, MODES_LONG_LEN};
    memset(f, 0, sizeof *f);
    f->len = lens[rng_next() % 3];
    f->kind = f->len == MODEAC_LEN ? FRAME_MODEAC : FRAME_MODES;
    for (size_t i = 0; i < f->len; i++) {
        /* One byte in four is 0x1A so escaping is exercised hard. */
        f->data[i] = rng_next() % 4 == 0 ? BEAST_ESC : (uint8_t)rng_next();
    }
    uint64_t r = rng_next();
    if (r % 5 == 0)
        f->ts_12mhz = 0; /* no timestamp */
    else if (r % 5 == 1)
        f->ts_12mhz = 0x1A1A1A1A1A1Aull; /* every timestamp byte escaped */
    else
        f->ts_12mhz = rng_next() & 0xFFFFFFFFFFFFull;
    f->has_ts = f->ts_12mhz != 0;
    f->t_s = (double)f->ts_12mhz / 12e6;
    f->signal = rng_next() % 3 == 0 ? BEAST_ESC : (uint8_t)rng_next();
}

static void test_beast_roundtrip(void **state)
{
    (void)state;
    uint64_t seed = rng_seed();
    print_message("seed %llu (CAIRN_SEED=%llu to replay)\n", (unsigned long long)seed,
                  (unsigned long long)seed);
    struct modes_frame fr[N_GEN];
    uint8_t *wire = malloc(N_GEN * BEAST_MAX_WIRE);
    assert_non_null(wire);
    size_t len = 0;
    for (int i = 0; i < N_GEN; i++) {
        gen_frame(&fr[i]);
        int n = beast_encode(&fr[i], wire + len);
        assert_true(n >= 2 + BEAST_TS_LEN + 1 + fr[i].len);
        len += (size_t)n;
    }
    struct sink ref = {malloc((N_GEN + 1) * sizeof(struct modes_frame)), 0, N_GEN + 1};
    check_splits(&P_BEAST, wire, len, &ref);
    assert_int_equal(ref.n, N_GEN);
    assert_memory_equal(ref.items, fr, sizeof fr);
    check_truncations(&P_BEAST, wire, len, &ref, len);

    /* Counters: nothing lost, nothing skipped. */
    struct beast_parser p;
    beast_parser_init(&p);
    struct modes_frame f;
    size_t off = 0;
    ssize_t r;
    while ((r = beast_parse(&p, wire + off, len - off, &f)) > 0)
        off += (size_t)r;
    assert_int_equal(p.st.frames, N_GEN);
    assert_int_equal(p.st.bytes, len);
    assert_int_equal(p.st.garbage + p.st.resyncs + p.st.truncated + p.st.bad_type, 0);
    assert_int_equal(beast_encode(&(struct modes_frame){.len = 5}, wire), CAIRN_E_INVAL);
    free(ref.items);
    free(wire);
}

/* Escape example worked by hand: signal 0x1A and a 0x1A data byte. */
static void test_beast_escape_vector(void **state)
{
    (void)state;
    static const uint8_t wire[] = {0x1A, '2',  0x08, 0x3E, 0x27, 0xB6, 0xCB, 0x6A, 0x1A,
                                   0x1A, 0x00, 0xA1, 0x84, 0x1A, 0x1A, 0xC3, 0xB3, 0x1D};
    struct beast_parser p;
    beast_parser_init(&p);
    struct modes_frame f;
    assert_int_equal(beast_parse(&p, wire, sizeof wire - 1, &f), CAIRN_E_NEEDMORE);
    assert_int_equal(beast_parse(&p, wire + sizeof wire - 1, 1, &f), 1);
    static const uint8_t want[7] = {0x00, 0xA1, 0x84, 0x1A, 0xC3, 0xB3, 0x1D};
    assert_int_equal(f.len, 7);
    assert_memory_equal(f.data, want, 7);
    assert_int_equal(f.signal, 0x1A);
    assert_int_equal(f.ts_12mhz, 0x083E27B6CB6Aull);
    assert_true(f.has_ts);
    uint8_t back[BEAST_MAX_WIRE];
    assert_int_equal(beast_encode(&f, back), (int)sizeof wire);
    assert_memory_equal(back, wire, sizeof wire);
}

/* Garbage, unknown types, truncated frames and status frames are counted and skipped. */
static void test_beast_resync(void **state)
{
    (void)state;
    static const uint8_t body[7] = {0x5d, 0x4c, 0xaa, 0xae, 0x1a, 0x5c, 0x50};
    struct modes_frame a;
    memset(&a, 0, sizeof a); /* padding too: frames are compared with memcmp */
    a.len = 7;
    a.kind = FRAME_MODES;
    a.ts_12mhz = 12000000;
    a.has_ts = 1;
    a.t_s = 1.0;
    a.signal = 9;
    memcpy(a.data, body, 7);
    uint8_t enc[BEAST_MAX_WIRE];
    int n = beast_encode(&a, enc);
    uint8_t s[256];
    size_t len = 0;
    memcpy(s + len, "hello", 5); /* garbage before the first frame */
    len += 5;
    memcpy(s + len, enc, (size_t)n); /* frame 1 */
    len += (size_t)n;
    s[len++] = 0x1A; /* an unknown type */
    s[len++] = 'x';
    memcpy(s + len, enc, 6); /* a frame cut short... */
    len += 6;
    memcpy(s + len, enc, (size_t)n); /* ...by frame 2 */
    len += (size_t)n;
    s[len++] = 0x1A; /* a status frame, skipped */
    s[len++] = '4';
    memset(s + len, 0x11, 21);
    len += 21;
    s[len++] = 0x1A; /* an escaped 0x1A out of sync */
    s[len++] = 0x1A;
    s[len++] = 0x55;
    memcpy(s + len, enc, (size_t)n); /* frame 3 */
    len += (size_t)n;
    struct sink ref = {malloc(8 * sizeof(struct modes_frame)), 0, 8};
    check_splits(&P_BEAST, s, len, &ref);
    assert_int_equal(ref.n, 3);
    for (int i = 0; i < 3; i++)
        assert_memory_equal(ref.items + i * sizeof a, &a, sizeof a);
    check_truncations(&P_BEAST, s, len, &ref, len);

    struct beast_parser p;
    beast_parser_init(&p);
    struct modes_frame f;
    size_t off = 0;
    ssize_t r;
    while ((r = beast_parse(&p, s + off, len - off, &f)) > 0)
        off += (size_t)r;
    assert_int_equal(p.st.frames, 3);
    assert_int_equal(p.st.skipped, 1);
    assert_int_equal(p.st.bad_type, 1);
    assert_int_equal(p.st.truncated, 1);
    assert_int_equal(p.st.bytes, len);
    /* "hello", the bad type pair, then 0x1A 0x1A 0x55. */
    assert_int_equal(p.st.garbage, 5 + 2 + 3);
    free(ref.items);
}

/* Pure noise never produces a frame that is not there, and never crashes. */
static void test_beast_noise(void **state)
{
    (void)state;
    uint64_t seed = rng_seed();
    print_message("seed %llu\n", (unsigned long long)seed);
    enum { LEN = 20000 };
    uint8_t *noise = malloc(LEN);
    for (size_t i = 0; i < LEN; i++)
        noise[i] = rng_next() % 8 == 0 ? BEAST_ESC : (uint8_t)rng_next();
    struct sink ref = {malloc(LEN * sizeof(struct modes_frame)), 0, LEN};
    check_splits(&P_BEAST, noise, LEN, &ref);
    check_truncations(&P_BEAST, noise, LEN, &ref, 300);
    free(ref.items);
    free(noise);
}

static void test_beast_real(void **state)
{
    (void)state;
    TD_REQUIRE(BEAST_LOG);
    size_t len;
    uint8_t *data = td_slurp(td_path(BEAST_LOG), &len);
    assert_non_null(data);
    struct sink ref = {malloc(20000 * sizeof(struct modes_frame)), 0, 20000};
    uint64_t seed = rng_seed();
    print_message("seed %llu\n", (unsigned long long)seed);
    check_splits(&P_BEAST, data, len, &ref);
    /* SOURCES.md: 13,954 frames: 5,026 Mode A/C, 4,942 short, 3,986 long. */
    assert_int_equal(ref.n, 13954);
    size_t nac = 0, ns = 0, nl = 0;
    const struct modes_frame *fr = (const struct modes_frame *)ref.items;
    for (size_t i = 0; i < ref.n; i++) {
        nac += fr[i].len == MODEAC_LEN && fr[i].kind == FRAME_MODEAC;
        ns += fr[i].len == MODES_SHORT_LEN;
        nl += fr[i].len == MODES_LONG_LEN;
        assert_true(fr[i].has_ts);
    }
    assert_int_equal(nac, 5026);
    assert_int_equal(ns, 4942);
    assert_int_equal(nl, 3986);
    /* The first frame: *5f4001594b0fbb; at counter 0x030bf18cc2ab. */
    static const uint8_t first[7] = {0x5f, 0x40, 0x01, 0x59, 0x4b, 0x0f, 0xbb};
    assert_memory_equal(fr[0].data, first, 7);
    assert_int_equal(fr[0].ts_12mhz, 0x030bf18cc2abull);
    /* Truncated at each of the first 4 KB's offsets: compare with the frames
     * the 4 KB prefix holds. */
    struct sink ref4 = {malloc(400 * sizeof(struct modes_frame)), 0, 400};
    run(&P_BEAST, data, 4096, SPLIT_WHOLE, &ref4, 1);
    assert_memory_equal(ref4.items, ref.items, ref4.n * sizeof(struct modes_frame));
    check_truncations(&P_BEAST, data, 4096, &ref4, 4096);

    /* Re-encoding every frame gives back the recording byte for byte. */
    uint8_t *back = malloc(len);
    size_t o = 0;
    for (size_t i = 0; i < ref.n; i++) {
        uint8_t w[BEAST_MAX_WIRE];
        int n = beast_encode(&fr[i], w);
        assert_true(n > 0 && o + (size_t)n <= len);
        memcpy(back + o, w, (size_t)n);
        o += (size_t)n;
    }
    assert_int_equal(o, len);
    assert_memory_equal(back, data, len);

    /* The same frames as AVR text parse back equal (but for the signal,
     * which '@' lines do not carry). */
    char *avr = malloc(ref.n * (AVR_MAX_LINE + 3));
    size_t alen = 0;
    for (size_t i = 0; i < ref.n; i++) {
        int n = avr_encode(&fr[i], avr + alen, AVR_MAX_LINE + 3);
        assert_true(n > 0);
        alen += (size_t)n;
    }
    struct sink a = {malloc(20000 * sizeof(struct modes_frame)), 0, 20000};
    run(&P_AVR, (const uint8_t *)avr, alen, SPLIT_RANDOM, &a, 1);
    assert_int_equal(a.n, ref.n);
    struct modes_frame *af = (struct modes_frame *)a.items;
    for (size_t i = 0; i < ref.n; i++) {
        struct modes_frame want;
        memcpy(&want, &fr[i], sizeof want);
        want.signal = 0;
        assert_memory_equal(&af[i], &want, sizeof want);
    }
    free(a.items);
    free(avr);
    free(back);
    free(ref4.items);
    free(ref.items);
    free(data);
}

/* ---- AVR ---- */

static void test_avr_roundtrip(void **state)
{
    (void)state;
    uint64_t seed = rng_seed();
    print_message("seed %llu (CAIRN_SEED=%llu to replay)\n", (unsigned long long)seed,
                  (unsigned long long)seed);
    struct modes_frame fr[N_GEN];
    char *text = malloc(N_GEN * (AVR_MAX_LINE + 3));
    size_t len = 0;
    for (int i = 0; i < N_GEN; i++) {
        gen_frame(&fr[i]);
        fr[i].signal = 0; /* not carried by '@' / '*' lines */
        int n = avr_encode(&fr[i], text + len, AVR_MAX_LINE + 3);
        assert_true(n > 0);
        len += (size_t)n;
    }
    struct sink ref = {malloc((N_GEN + 1) * sizeof(struct modes_frame)), 0, N_GEN + 1};
    check_splits(&P_AVR, (const uint8_t *)text, len, &ref);
    assert_int_equal(ref.n, N_GEN);
    assert_memory_equal(ref.items, fr, sizeof fr);
    check_truncations(&P_AVR, (const uint8_t *)text, len, &ref, len);
    char small[8];
    assert_int_equal(avr_encode(&fr[0], small, sizeof small), CAIRN_E_FULL);
    assert_int_equal(avr_encode(&(struct modes_frame){.len = 3}, text, 64), CAIRN_E_INVAL);
    free(ref.items);
    free(text);
}

static void test_avr_variants(void **state)
{
    (void)state;
    static const char text[] =
        "*8D4840D6202CC371C32CE0576098;\r\n"                   /* 1: upper case, CRLF */
        "@0000a3c4e5f65d4840d6ab9c27;\n"                       /* 2: '@' short */
        "%0000a3c4e5f75d4840d6ab9c27;\n"                       /* 3: '%' like '@' */
        "<0000a3c4e5f8c85d4840d6ab9c27;\n"                     /* 4: '<' with signal 0xc8 */
        "*0a1b;\n"                                             /* 5: Mode A/C */
        "\n\r\n  \t\n"                                         /* blanks: ignored */
        "hello world\n"                                        /* bad line */
        "*8d4840d6202cc371c32ce05760;\n"                       /* bad: 26 digits */
        "*8d4840d6202cc371c32ce057609g;\n"                     /* bad: not hex */
        "*8d4840d6202cc371c32c*5d4840d6ab9c27;\n"              /* bad (cut short) then 6 */
        "@0000a3c4;\n"                                         /* bad: short timestamp */
        "*8d4840d6202cc371c32ce057609800000000000000000000;\n" /* bad: over-long */
        "*5d4840d6ab9c27\n"                                    /* 7: no ';' */
        "junk*5d4840d6ab9c27;"                                 /* bad junk, then 8 */
        "*5d4840d6ab9c27";                                     /* 9: at the end, via finish */
    struct sink ref = {malloc(32 * sizeof(struct modes_frame)), 0, 32};
    check_splits(&P_AVR, (const uint8_t *)text, sizeof text - 1, &ref);
    check_truncations(&P_AVR, (const uint8_t *)text, sizeof text - 1, &ref, sizeof text);
    assert_int_equal(ref.n, 9);
    const struct modes_frame *f = (const struct modes_frame *)ref.items;
    assert_int_equal(f[0].len, 14);
    assert_int_equal(f[0].data[0], 0x8d);
    assert_int_equal(f[0].has_ts, 0);
    assert_int_equal(f[1].len, 7);
    assert_int_equal(f[1].ts_12mhz, 0xa3c4e5f6ull);
    assert_true(f[1].has_ts);
    assert_true(f[1].t_s > 228.96 && f[1].t_s < 228.97); /* 0xa3c4e5f6 / 12 MHz */
    assert_int_equal(f[2].ts_12mhz, 0xa3c4e5f7ull);
    assert_int_equal(f[3].ts_12mhz, 0xa3c4e5f8ull);
    assert_int_equal(f[3].signal, 0xc8);
    assert_int_equal(f[4].kind, FRAME_MODEAC);
    assert_int_equal(f[4].len, 2);
    assert_int_equal(f[4].data[1], 0x1b);
    for (int i = 5; i < 9; i++)
        assert_memory_equal(f[i].data, f[1].data, 7);

    struct avr_parser p;
    avr_parser_init(&p);
    struct modes_frame fr;
    size_t off = 0;
    ssize_t r;
    while ((r = avr_parse(&p, (const uint8_t *)text + off, sizeof text - 1 - off, &fr)) > 0)
        off += (size_t)r;
    assert_int_equal(avr_finish(&p, &fr), 1);
    assert_int_equal(p.st.frames, 9);
    assert_int_equal(p.st.modeac, 1);
    assert_int_equal(p.st.bad_lines, 7);
    assert_int_equal(p.st.bytes, sizeof text - 1);
    assert_int_equal(avr_finish(&p, &fr), 0);
    free(ref.items);
}

/* ---- SBS ---- */

static void test_sbs_fields(void **state)
{
    (void)state;
    struct sbs_msg m;
    const char *l = "MSG,3,1,1,400159,1,2018/04/03,19:03:29.021,2018/04/10,21:24:39.724,,2625,"
                    ",,59.74472,30.57192,,,,,,0";
    assert_int_equal(sbs_parse_line(l, strlen(l), &m), 1);
    assert_int_equal(m.tx_type, 3);
    assert_int_equal(m.icao, 0x400159);
    assert_int_equal(m.has, SBS_HAS_ALT | SBS_HAS_POS | SBS_HAS_GROUND | SBS_HAS_TIME);
    assert_int_equal(m.alt_ft, 2625);
    assert_true(m.lat_deg == 59.74472 && m.lon_deg == 30.57192);
    assert_int_equal(m.on_ground, 0);
    /* 2018-04-03 19:03:29.021 UTC = 1522782209.021 s */
    assert_int_equal(m.t_gen_ms, 1522782209021ll);

    l = "MSG,1,1,1,~A1B2C3,1,2020/02/29,00:00:00,2020/02/29,00:00:00,AFL030  ,,,,,,,,,,,";
    assert_int_equal(sbs_parse_line(l, strlen(l), &m), 1);
    assert_int_equal(m.non_icao, 1);
    assert_int_equal(m.icao, 0xA1B2C3);
    assert_string_equal(m.callsign, "AFL030");
    assert_int_equal(m.t_gen_ms, 1582934400000ll); /* 2020-02-29T00:00:00Z */

    l = "MSG,4,1,1,42460C,1,2018/04/03,19:02:28.336,2018/04/10,21:24:39.437,,,418.5,170,,,-640,"
        "7700,-1,-1,1,-1\r";
    assert_int_equal(sbs_parse_line(l, strlen(l), &m), 1);
    assert_true(m.gs_kt == 418.5f && m.track_deg == 170.0f);
    assert_int_equal(m.vrate_fpm, -640);
    assert_int_equal(m.squawk, 07700);
    assert_true(m.alert && m.emergency && m.spi && m.on_ground);

    /* Short lines: missing trailing fields are empty. */
    l = "MSG,8,1,1,4CAAAE,1,2018/04/03,19:02:28.406";
    assert_int_equal(sbs_parse_line(l, strlen(l), &m), 1);
    assert_int_equal(m.has, SBS_HAS_TIME);

    /* Other records, and rejects. */
    l = "AIR,,333,1,4CAAAE,,,,,";
    assert_int_equal(sbs_parse_line(l, strlen(l), &m), 0);
    static const char *const bad[] = {
        "Total processed 13954 messages",
        "MSG,9,1,1,400159,1,2018/04/03,19:03:29.021,,,,,,,,,,,,,,",         /* type 9 */
        "MSG,3,1,1,40015G,1,2018/04/03,19:03:29.021,,,,,,,,,,,,,,",         /* address */
        "MSG,3,1,1,400159,1,2018/04/03,19:03:29.021,,,,,,,95.0,30.0,,,,,,", /* lat */
        "MSG,3,1,1,400159,1,2018/04/03,19:03:29.021,,,,,,,59.0,,,,,,,",     /* lon missing */
        "MSG,3,1,1,400159,1,2018/13/03,19:03:29.021,,,,,,,,,,,,,,",         /* month */
        "MSG,3,1,1,400159,1,2018/04/03,19:03:29.0211,,,,,,,,,,,,,,",        /* fraction */
        "MSG,3,1,1,400159,1,2018/04/03,19:03:29,,,,abc,,,,,,,,,,",          /* altitude */
        "MSG,6,1,1,400159,1,2018/04/03,19:03:29,,,,,,,,,,7780,,,,",         /* squawk 8 */
        "MSG,6,1,1,400159,1,2018/04/03,19:03:29,,,,,,,,,,,2,,,",            /* flag 2 */
        "MSG,1,1,1,400159,1,2018/04/03,19:03:29,,,ABCDEFGHI,,,,,,,,,,,",    /* callsign */
        "MSG,1,1,1",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = sbs_parse_line(bad[i], strlen(bad[i]), &m);
        if (rc != CAIRN_E_FORMAT)
            fail_msg("accepted: %s", bad[i]);
    }
}

static void test_sbs_stream(void **state)
{
    (void)state;
    static const char text[] =
        "MSG,8,1,1,400159,1,2018/04/03,19:02:28.136,2018/04/10,21:24:39.436,,,,,,,,,,,,\n"
        "\r\n"
        "STA,,5,179,400AE7,10103,2008/11/28,14:58:51.153,2008/11/28,14:58:51.153,RM\r\n"
        "MSG,3,1,1,400159,1,2018/04/03,19:03:29.021,2018/04/10,21:24:39.724,,2625,,,59.74472,"
        "30.57192,,,,,,0\r\n"
        "Total processed 13954 messages\n"
        "MSG,5,1,1,400159,1,2018/04/03,19:02:28.345,2018/04/10,21:24:39.437,,2675,,,,,,,0,,0,";
    struct sink ref = {malloc(8 * sizeof(struct sbs_msg)), 0, 8};
    check_splits(&P_SBS, (const uint8_t *)text, sizeof text - 1, &ref);
    check_truncations(&P_SBS, (const uint8_t *)text, sizeof text - 1, &ref, sizeof text);
    assert_int_equal(ref.n, 3);
    const struct sbs_msg *m = (const struct sbs_msg *)ref.items;
    assert_int_equal(m[1].tx_type, 3);
    assert_int_equal(m[2].tx_type, 5);
    assert_int_equal(m[2].alt_ft, 2675);

    /* An over-long line is skipped whole, up to its LF. */
    size_t n = SBS_MAX_LINE * 3;
    char *big = malloc(n + 200);
    memset(big, 'x', n);
    const char *tail = "\nMSG,8,1,1,400159,1,2018/04/03,19:02:28.136,,,,,,,,,,,,,,\n";
    memcpy(big + n, tail, strlen(tail));
    n += strlen(tail);
    check_splits(&P_SBS, (const uint8_t *)big, n, &ref);
    assert_int_equal(ref.n, 1);
    struct sbs_parser p;
    sbs_parser_init(&p);
    struct sbs_msg msg;
    assert_true(sbs_parse(&p, (const uint8_t *)big, n, &msg) > 0);
    assert_int_equal(p.st.bad_lines, 1);
    free(big);
    free(ref.items);
}

static void test_sbs_real(void **state)
{
    (void)state;
    TD_REQUIRE(SBS_LOG);
    size_t len;
    uint8_t *data = td_slurp(td_path(SBS_LOG), &len);
    assert_non_null(data);
    uint64_t seed = rng_seed();
    print_message("seed %llu\n", (unsigned long long)seed);
    struct sink ref = {malloc(9000 * sizeof(struct sbs_msg)), 0, 9000};
    check_splits(&P_SBS, data, len, &ref);
    /* SOURCES.md: 8,622 MSG lines, then a trailer that is skipped. */
    assert_int_equal(ref.n, 8622);
    size_t pos = 0;
    const struct sbs_msg *m = (const struct sbs_msg *)ref.items;
    for (size_t i = 0; i < ref.n; i++)
        if (m[i].has & SBS_HAS_POS) {
            pos++;
            /* SOURCES.md's 59.38-60.93 N, 30.46-37.19 E, rounded outwards */
            assert_true(m[i].lat_deg >= 59.37 && m[i].lat_deg <= 60.94);
            assert_true(m[i].lon_deg >= 30.45 && m[i].lon_deg <= 37.20);
        }
    assert_int_equal(pos, 1456);
    struct sbs_parser p;
    sbs_parser_init(&p);
    struct sbs_msg msg;
    size_t off = 0;
    ssize_t r;
    while ((r = sbs_parse(&p, data + off, len - off, &msg)) > 0)
        off += (size_t)r;
    sbs_finish(&p, &msg);
    /* "Total processed 13954 messages" and the "WARNING! ..." line (the
     * trailer's third line is blank and ignored). */
    assert_int_equal(p.st.bad_lines, 2);
    assert_int_equal(p.st.msgs, 8622);
    free(ref.items);
    free(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_beast_escape_vector), cmocka_unit_test(test_beast_roundtrip),
        cmocka_unit_test(test_beast_resync),        cmocka_unit_test(test_beast_noise),
        cmocka_unit_test(test_beast_real),          cmocka_unit_test(test_avr_roundtrip),
        cmocka_unit_test(test_avr_variants),        cmocka_unit_test(test_sbs_fields),
        cmocka_unit_test(test_sbs_stream),          cmocka_unit_test(test_sbs_real),
    };
    return td_exit(cmocka_run_group_tests(tests, NULL, NULL));
}
