/*
 * bits.h — reading and writing big-endian bit fields (MSB first), as Mode S,
 * AIS and ASTERIX all number their bits.
 *
 * bits_get() reads n (1..64) bits starting at bit pos (0 = the most
 * significant bit of p[0]). The caller guarantees pos + n <= 8 * len; it is
 * asserted in debug builds. struct bitr is the checked form for hostile
 * lengths: a read past the end returns 0 and sets overrun, which the caller
 * tests once at the end instead of after every field.
 */
#ifndef CAIRN_BASE_BITS_H
#define CAIRN_BASE_BITS_H

#include <assert.h>
#include <stddef.h>
#include <stdint.h>

static inline uint64_t bits_get(const uint8_t *p, size_t len, size_t pos, unsigned n)
{
    assert(n >= 1 && n <= 64 && pos + n <= 8 * len);
    (void)len;
    uint64_t v = 0;
    size_t byte = pos >> 3;
    unsigned off = (unsigned)(pos & 7);
    unsigned have = 8 - off;
    v = p[byte] & ((1u << have) - 1);
    if (have >= n)
        return v >> (have - n);
    n -= have;
    byte++;
    while (n >= 8) {
        v = (v << 8) | p[byte++];
        n -= 8;
    }
    if (n)
        v = (v << n) | (uint64_t)(p[byte] >> (8 - n));
    return v;
}

/* Sign-extend the low n bits of v. */
static inline int64_t bits_sext(uint64_t v, unsigned n)
{
    uint64_t m = 1ull << (n - 1);
    v &= (n == 64) ? ~0ull : ((1ull << n) - 1);
    return (int64_t)(v ^ m) - (int64_t)m;
}

struct bitr {
    const uint8_t *p;
    size_t nbits; /* bits available */
    size_t pos;   /* next bit to read */
    int overrun;  /* set once a read went past nbits */
};

static inline void bitr_init(struct bitr *r, const uint8_t *p, size_t nbits)
{
    r->p = p;
    r->nbits = nbits;
    r->pos = 0;
    r->overrun = 0;
}

static inline uint64_t bitr_get(struct bitr *r, unsigned n)
{
    if (n == 0 || n > 64 || r->pos + n > r->nbits) {
        r->overrun = 1;
        r->pos = r->nbits;
        return 0;
    }
    uint64_t v = bits_get(r->p, (r->nbits + 7) / 8, r->pos, n);
    r->pos += n;
    return v;
}

/* Write the low n bits of v at bit pos of p (which must hold them). */
static inline void bits_put(uint8_t *p, size_t pos, unsigned n, uint64_t v)
{
    for (unsigned i = 0; i < n; i++) {
        size_t b = pos + i;
        unsigned bit = (unsigned)((v >> (n - 1 - i)) & 1u);
        uint8_t mask = (uint8_t)(0x80u >> (b & 7));
        if (bit)
            p[b >> 3] |= mask;
        else
            p[b >> 3] &= (uint8_t)~mask;
    }
}

#endif
