/*
 * test_hl_frame.c — the hotline link framing (hotline/frame.h).
 *
 * A stream of frames is fed whole, byte by byte and at random split points
 * (all must agree), truncated at every offset (must ask for more), and the
 * link's own payloads make encode→decode round trips. The seed is printed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "base/error.h"
#include "hotline/frame.h"

static size_t put_frame(uint8_t *out, enum hl_frame_type t, const void *p, uint32_t n)
{
    hl_frame_put_header(out, t, n);
    memcpy(out + HL_FRAME_HDR_LEN, p, n);
    return HL_FRAME_HDR_LEN + n;
}

/* A stream of frames of every type and a few lengths. */
static size_t make_stream(uint8_t *buf, unsigned *nframes)
{
    size_t n = 0;
    static uint8_t big[4000];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)(i * 7u);
    *nframes = 0;
    for (unsigned t = HL_FT_MIN; t <= HL_FT_MAX; t++) {
        n += put_frame(buf + n, (enum hl_frame_type)t, big, (uint32_t)(t * 3u));
        (*nframes)++;
    }
    n += put_frame(buf + n, HL_FT_MSG, big, 0);
    n += put_frame(buf + n, HL_FT_MSG, big, sizeof big);
    *nframes += 2;
    return n;
}

/* Feed stream through a reassembly buffer in chunks given by next_chunk;
 * returns the frames seen, their types and lengths concatenated into sig. */
static unsigned feed(const uint8_t *s, size_t n, size_t (*chunk)(size_t pos), char *sig,
                     size_t sigcap)
{
    static uint8_t acc[1 << 16];
    size_t have = 0, pos = 0;
    unsigned frames = 0;
    sig[0] = 0;
    while (pos < n || have) {
        if (pos < n) {
            size_t c = chunk(pos);
            if (c > n - pos)
                c = n - pos;
            memcpy(acc + have, s + pos, c);
            have += c;
            pos += c;
        }
        for (;;) {
            struct hl_frame f;
            int rc = hl_frame_parse(acc, have, &f, NULL);
            if (rc == CAIRN_E_NEEDMORE)
                break;
            assert_true(rc > 0);
            char one[32];
            snprintf(one, sizeof one, "%u:%u;", f.type, f.len);
            strncat(sig, one, sigcap - strlen(sig) - 1);
            memmove(acc, acc + rc, have - (size_t)rc);
            have -= (size_t)rc;
            frames++;
        }
        if (pos >= n && have)
            fail_msg("left %zu bytes", have);
    }
    return frames;
}

static size_t chunk_all(size_t pos)
{
    (void)pos;
    return SIZE_MAX;
}
static size_t chunk_one(size_t pos)
{
    (void)pos;
    return 1;
}
static size_t chunk_rand(size_t pos)
{
    (void)pos;
    return 1 + (size_t)(rand() % 97);
}

static void test_stream_splits(void **state)
{
    (void)state;
    static uint8_t s[1 << 15];
    unsigned want;
    size_t n = make_stream(s, &want);
    char a[1024], b[1024], c[1024];
    assert_int_equal(feed(s, n, chunk_all, a, sizeof a), want);
    assert_int_equal(feed(s, n, chunk_one, b, sizeof b), want);
    assert_string_equal(a, b);
    unsigned seed = (unsigned)time(NULL);
    printf("seed %u\n", seed);
    srand(seed);
    for (int i = 0; i < 50; i++) {
        assert_int_equal(feed(s, n, chunk_rand, c, sizeof c), want);
        assert_string_equal(a, c);
    }
}

static void test_truncated_every_offset(void **state)
{
    (void)state;
    uint8_t s[64];
    size_t n = put_frame(s, HL_FT_RECEIPT, "abcdefghijklmnop", 16);
    for (size_t cut = 0; cut < n; cut++) {
        /* An exact-size heap copy so ASan sees a read past the cut. */
        uint8_t *p = malloc(cut ? cut : 1);
        memcpy(p, s, cut);
        struct hl_frame f;
        assert_int_equal(hl_frame_parse(p, cut, &f, NULL), CAIRN_E_NEEDMORE);
        free(p);
    }
    struct hl_frame f;
    assert_int_equal(hl_frame_parse(s, n, &f, NULL), (int)n);
    assert_int_equal(f.type, HL_FT_RECEIPT);
    assert_memory_equal(f.payload, "abcdefghijklmnop", 16);
}

static void test_oversized_and_bad_type(void **state)
{
    (void)state;
    struct hl_frame_stats st = {0};
    struct hl_frame f;
    uint8_t h[HL_FRAME_HDR_LEN];
    hl_frame_put_header(h, HL_FT_MSG, HL_FRAME_MAX_LEN + 1u);
    assert_int_equal(hl_frame_parse(h, sizeof h, &f, &st), CAIRN_E_TOOBIG);
    assert_int_equal(st.oversized, 1);
    /* Exactly the cap is allowed (and needs the payload). */
    hl_frame_put_header(h, HL_FT_MSG, HL_FRAME_MAX_LEN);
    assert_int_equal(hl_frame_parse(h, sizeof h, &f, &st), CAIRN_E_NEEDMORE);
    uint8_t bad[] = {0, 0, 0, 0, 0};
    assert_int_equal(hl_frame_parse(bad, 1, &f, &st), CAIRN_E_MSGTYPE);
    bad[0] = HL_FT_MAX + 1;
    assert_int_equal(hl_frame_parse(bad, sizeof bad, &f, &st), CAIRN_E_MSGTYPE);
    assert_int_equal(st.bad_type, 2);
    assert_int_equal(st.frames, 0);
}

static void test_hello_roundtrip(void **state)
{
    (void)state;
    struct hl_hello h = {.version = HL_PROTO_VERSION,
                         .rx_have = 41,
                         .tx_acked = 7,
                         .tx_head = 9,
                         .t_utc_ms = -5,
                         .window = 256,
                         .incarnation = 0x1122334455667788ull};
    strcpy(h.from, "warsaw");
    strcpy(h.to, "moscow");
    uint8_t buf[HL_HELLO_MAX_LEN];
    int n = hl_hello_encode(&h, buf, sizeof buf);
    assert_true(n > 0);
    struct hl_hello d;
    assert_int_equal(hl_hello_decode(buf, (size_t)n, &d), 0);
    assert_string_equal(d.from, "warsaw");
    assert_string_equal(d.to, "moscow");
    assert_true(d.rx_have == 41 && d.tx_acked == 7 && d.tx_head == 9 && d.t_utc_ms == -5);
    assert_int_equal(d.window, 256);
    assert_true(d.incarnation == 0x1122334455667788ull);
    for (int cut = 0; cut < n; cut++)
        assert_int_equal(hl_hello_decode(buf, (size_t)cut, &d), CAIRN_E_FORMAT);
    assert_int_equal(hl_hello_decode(buf, (size_t)n + 1, &d), CAIRN_E_FORMAT);
    /* Receipted more than sent: refused. */
    h.tx_acked = 10;
    n = hl_hello_encode(&h, buf, sizeof buf);
    assert_int_equal(hl_hello_decode(buf, (size_t)n, &d), CAIRN_E_FORMAT);
    h.from[0] = 0;
    assert_int_equal(hl_hello_encode(&h, buf, sizeof buf), CAIRN_E_INVAL);
}

static void test_heartbeat_error_roundtrip(void **state)
{
    (void)state;
    struct hl_heartbeat hb = {
        .nonce = 0x0102030405060708ull, .t_utc_ms = 1700000000000, .is_reply = 1};
    uint8_t buf[HL_ERROR_MAX_LEN];
    int n = hl_heartbeat_encode(&hb, buf, sizeof buf);
    assert_int_equal(n, HL_HEARTBEAT_LEN);
    struct hl_heartbeat hd;
    assert_int_equal(hl_heartbeat_decode(buf, (size_t)n, &hd), 0);
    assert_true(hd.nonce == hb.nonce && hd.t_utc_ms == hb.t_utc_ms && hd.is_reply == 1);
    buf[16] = 2;
    assert_int_equal(hl_heartbeat_decode(buf, (size_t)n, &hd), CAIRN_E_FORMAT);

    struct hl_error e = {.code = CAIRN_E_SIGNATURE, .seq = 12};
    strcpy(e.text, "bad signature");
    n = hl_error_encode(&e, buf, sizeof buf);
    assert_true(n > 0);
    struct hl_error ed;
    assert_int_equal(hl_error_decode(buf, (size_t)n, &ed), 0);
    assert_int_equal(ed.code, CAIRN_E_SIGNATURE);
    assert_true(ed.seq == 12);
    assert_string_equal(ed.text, "bad signature");
    for (int cut = 0; cut < n; cut++)
        assert_int_equal(hl_error_decode(buf, (size_t)cut, &ed), CAIRN_E_FORMAT);
    assert_string_equal(hl_frame_type_name(HL_FT_CHECKPOINT_SIG), "checkpoint_sig");
    assert_string_equal(hl_frame_type_name(99), "?");
}

/* PICTURE (L12): header round trip, every cut refused, the version
 * checked, and the tighter cap decided from the frame header alone. */
static void test_picture(void **state)
{
    (void)state;
    uint8_t buf[HL_PICTURE_HDR_LEN + 8];
    hl_picture_put_header(buf, 0x0102030405060708ull, -5);
    memcpy(buf + HL_PICTURE_HDR_LEN,
           "\x3e\x00\x08"
           "ABCDE",
           8);
    struct hl_picture p;
    assert_int_equal(hl_picture_decode(buf, sizeof buf, &p), 0);
    assert_true(p.seq == 0x0102030405060708ull);
    assert_true(p.t_utc_ms == -5);
    assert_ptr_equal(p.data, buf + HL_PICTURE_HDR_LEN);
    assert_int_equal(p.len, 8);
    for (size_t cut = 0; cut < HL_PICTURE_HDR_LEN; cut++)
        assert_int_equal(hl_picture_decode(buf, cut, &p), CAIRN_E_FORMAT);
    assert_int_equal(hl_picture_decode(buf, HL_PICTURE_HDR_LEN, &p), 0); /* empty picture */
    assert_int_equal(p.len, 0);
    buf[0] = 2;
    assert_int_equal(hl_picture_decode(buf, sizeof buf, &p), CAIRN_E_FORMAT);
    struct hl_frame_stats st = {0};
    struct hl_frame f;
    uint8_t h[HL_FRAME_HDR_LEN];
    hl_frame_put_header(h, HL_FT_PICTURE, HL_PICTURE_MAX_LEN + 1u);
    assert_int_equal(hl_frame_parse(h, sizeof h, &f, &st), CAIRN_E_TOOBIG);
    assert_int_equal(st.oversized, 1);
    hl_frame_put_header(h, HL_FT_PICTURE, HL_PICTURE_MAX_LEN);
    assert_int_equal(hl_frame_parse(h, sizeof h, &f, &st), CAIRN_E_NEEDMORE);
    assert_string_equal(hl_frame_type_name(HL_FT_PICTURE), "picture");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stream_splits),
        cmocka_unit_test(test_truncated_every_offset),
        cmocka_unit_test(test_oversized_and_bad_type),
        cmocka_unit_test(test_hello_roundtrip),
        cmocka_unit_test(test_heartbeat_error_roundtrip),
        cmocka_unit_test(test_picture),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
