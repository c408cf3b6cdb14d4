/*
 * fuzz_avr.c — libFuzzer target for the AVR raw hex parser.
 *
 * The input is text as a receiver's port 30002 might send it. It is parsed
 * whole and again split at a point the input chooses; both must give the
 * same frames and counters. Every frame re-encodes to an AVR line that
 * parses back to itself (the signal level aside: '@' lines do not carry it).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "decode/modes/avr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t parse_all(const uint8_t *data, size_t size, size_t split, struct modes_frame *out,
                        struct avr_stats *st)
{
    struct avr_parser p;
    avr_parser_init(&p);
    size_t n = 0;
    const uint8_t *piece[2] = {data, data + split};
    size_t plen[2] = {split, size - split};
    for (int k = 0; k < 2; k++) {
        size_t off = 0;
        ssize_t r;
        while ((r = avr_parse(&p, piece[k] + off, plen[k] - off, &out[n])) != CAIRN_E_NEEDMORE) {
            if (r <= 0 || (size_t)r > plen[k] - off)
                abort();
            off += (size_t)r;
            n++;
        }
    }
    n += (size_t)avr_finish(&p, &out[n]);
    *st = p.st;
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t cap = size / 2 + 2; /* a frame needs at least 5 characters */
    struct modes_frame *a = malloc(cap * sizeof *a), *b = malloc(cap * sizeof *b);
    if (!a || !b)
        abort();
    size_t split = size ? (size_t)data[0] * size / 256 : 0;
    struct avr_stats sa, sb;
    size_t na = parse_all(data, size, size, a, &sa);
    size_t nb = parse_all(data, size, split, b, &sb);
    if (na != nb || memcmp(a, b, na * sizeof *a) != 0 || memcmp(&sa, &sb, sizeof sa) != 0)
        abort();
    for (size_t i = 0; i < na; i++) {
        char line[AVR_MAX_LINE + 3];
        int n = avr_encode(&a[i], line, sizeof line);
        if (n <= 0)
            abort();
        struct avr_parser p;
        avr_parser_init(&p);
        struct modes_frame f;
        if (avr_parse(&p, (const uint8_t *)line, (size_t)n, &f) <= 0)
            abort();
        a[i].signal = 0;
        if (memcmp(&f, &a[i], sizeof f) != 0)
            abort();
    }
    free(a);
    free(b);
    return 0;
}
