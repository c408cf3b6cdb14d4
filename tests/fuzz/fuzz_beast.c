/*
 * fuzz_beast.c — libFuzzer target for the Beast binary stream parser.
 *
 * The input is a byte stream as a receiver's port 30005 might send it. It is
 * parsed whole and again split at a point the input chooses; both must give
 * the same frames (the parser is resumable), every frame must have a valid
 * length and kind, and every frame must re-encode to Beast and parse back
 * to itself.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "decode/modes/beast.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Parse data in two pieces (cut at split); frames into out[], count returned. */
static size_t parse_all(const uint8_t *data, size_t size, size_t split, struct modes_frame *out,
                        struct beast_stats *st)
{
    struct beast_parser p;
    beast_parser_init(&p);
    size_t n = 0;
    const uint8_t *piece[2] = {data, data + split};
    size_t plen[2] = {split, size - split};
    for (int k = 0; k < 2; k++) {
        size_t off = 0;
        ssize_t r;
        while ((r = beast_parse(&p, piece[k] + off, plen[k] - off, &out[n])) != CAIRN_E_NEEDMORE) {
            if (r <= 0 || (size_t)r > plen[k] - off)
                abort();
            off += (size_t)r;
            n++;
        }
    }
    *st = p.st;
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A frame takes at least 11 bytes on the wire: a generous bound. */
    size_t cap = size / 2 + 2;
    struct modes_frame *a = malloc(cap * sizeof *a), *b = malloc(cap * sizeof *b);
    if (!a || !b)
        abort();
    size_t split = size ? (size_t)data[0] * size / 256 : 0;
    struct beast_stats sa, sb;
    size_t na = parse_all(data, size, size, a, &sa);
    size_t nb = parse_all(data, size, split, b, &sb);
    if (na != nb || memcmp(a, b, na * sizeof *a) != 0 || memcmp(&sa, &sb, sizeof sa) != 0)
        abort();
    if (sa.bytes != size || sa.frames != na)
        abort();
    for (size_t i = 0; i < na; i++) {
        if (a[i].len != MODEAC_LEN && a[i].len != MODES_SHORT_LEN && a[i].len != MODES_LONG_LEN)
            abort();
        if ((a[i].kind == FRAME_MODEAC) != (a[i].len == MODEAC_LEN))
            abort();
        uint8_t w[BEAST_MAX_WIRE];
        int n = beast_encode(&a[i], w);
        if (n <= 0 || n > BEAST_MAX_WIRE)
            abort();
        struct beast_parser p;
        beast_parser_init(&p);
        struct modes_frame f;
        if (beast_parse(&p, w, (size_t)n, &f) != n || memcmp(&f, &a[i], sizeof f) != 0)
            abort();
    }
    free(a);
    free(b);
    return 0;
}
