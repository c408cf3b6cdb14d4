/*
 * fuzz_sbs.c — libFuzzer target for the BaseStation (SBS) CSV parser.
 *
 * The input is text as a receiver's port 30003 might send it. It is parsed
 * whole and again split at a point the input chooses; both must give the
 * same messages and counters, and every message's fields must be within
 * the ranges the parser promises.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "decode/modes/sbs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t parse_all(const uint8_t *data, size_t size, size_t split, struct sbs_msg *out,
                        struct sbs_stats *st)
{
    struct sbs_parser p;
    sbs_parser_init(&p);
    size_t n = 0;
    const uint8_t *piece[2] = {data, data + split};
    size_t plen[2] = {split, size - split};
    for (int k = 0; k < 2; k++) {
        size_t off = 0;
        ssize_t r;
        while ((r = sbs_parse(&p, piece[k] + off, plen[k] - off, &out[n])) != CAIRN_E_NEEDMORE) {
            if (r <= 0 || (size_t)r > plen[k] - off)
                abort();
            off += (size_t)r;
            n++;
        }
    }
    n += (size_t)sbs_finish(&p, &out[n]);
    *st = p.st;
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t cap = size / 8 + 2; /* "MSG,1,,,1\n" is the shortest: a generous bound */
    struct sbs_msg *a = malloc(cap * sizeof *a), *b = malloc(cap * sizeof *b);
    if (!a || !b)
        abort();
    size_t split = size ? (size_t)data[0] * size / 256 : 0;
    struct sbs_stats sa, sb;
    size_t na = parse_all(data, size, size, a, &sa);
    size_t nb = parse_all(data, size, split, b, &sb);
    if (na != nb || memcmp(a, b, na * sizeof *a) != 0 || memcmp(&sa, &sb, sizeof sa) != 0)
        abort();
    for (size_t i = 0; i < na; i++) {
        const struct sbs_msg *m = &a[i];
        if (m->tx_type < 1 || m->tx_type > 8 || m->icao > 0xFFFFFF)
            abort();
        if ((m->has & SBS_HAS_POS) && (!(fabs(m->lat_deg) <= 90) || !(fabs(m->lon_deg) <= 180)))
            abort();
        if (memchr(m->callsign, 0, sizeof m->callsign) == NULL)
            abort();
    }
    free(a);
    free(b);
    return 0;
}
