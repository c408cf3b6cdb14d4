/*
 * sixbit.c — AIS payload armouring and six-bit text; see sixbit.h.
 * Reference: ITU-R M.1371-5 Annex 8 §3.3.7 (text table), IEC 61162-1
 * (payload armouring).
 */
#include "decode/ais/sixbit.h"

#include <string.h>

#include "base/error.h"

/* Armoured character -> 6-bit value, -1 outside the alphabet. */
static const int8_t armour_tab[256] = {
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23,
    24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, -1, -1, -1, -1, -1, -1, -1, -1,
    40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
};

int ais_armour_value(unsigned char c)
{
    /* '0'(48)..'W'(87) carry 0..39, '`'(96)..'w'(119) carry 40..63. */
    return armour_tab[c];
}

char ais_armour_char(unsigned v)
{
    v &= 63;
    return (char)(v < 40 ? v + 48 : v + 56);
}

int ais_dearmour(const char *s, size_t n, uint8_t *bits, size_t cap_bits, size_t *nbits)
{
    size_t pos = *nbits;
    if (pos > cap_bits || n > (cap_bits - pos) / 6)
        return CAIRN_E_TOOBIG;
    /* Shift 6 bits at a time into an accumulator primed with the bits
     * already in the partial byte at pos, and store whole bytes. */
    size_t byte = pos >> 3;
    unsigned nacc = (unsigned)(pos & 7);
    uint32_t acc = nacc ? (uint32_t)(bits[byte] >> (8 - nacc)) : 0;
    for (size_t i = 0; i < n; i++) {
        int v = armour_tab[(unsigned char)s[i]];
        if (v < 0)
            return CAIRN_E_PAYLOAD; /* what was written is garbage: drop it */
        acc = (acc << 6) | (uint32_t)v;
        nacc += 6;
        if (nacc >= 8) {
            nacc -= 8;
            bits[byte++] = (uint8_t)(acc >> nacc);
        }
    }
    if (nacc)
        bits[byte] = (uint8_t)(acc << (8 - nacc));
    *nbits = pos + 6 * n;
    return 0;
}

int ais_armour(const uint8_t *bits, size_t nbits, char *out, size_t cap, unsigned *fill)
{
    size_t nchars = (nbits + 5) / 6;
    if (nchars + 1 > cap)
        return CAIRN_E_TOOBIG;
    for (size_t i = 0; i < nchars; i++) {
        size_t pos = 6 * i;
        unsigned v = 0;
        for (unsigned b = 0; b < 6; b++) {
            size_t p = pos + b;
            unsigned bit = p < nbits ? (unsigned)(bits[p >> 3] >> (7 - (p & 7))) & 1u : 0u;
            v = (v << 1) | bit;
        }
        out[i] = ais_armour_char(v);
    }
    out[nchars] = 0;
    *fill = (unsigned)(6 * nchars - nbits);
    return (int)nchars;
}

uint64_t ais_bits_u64(const uint8_t *bits, size_t cap_bits, size_t pos, unsigned n)
{
    uint64_t v = 0;
    /* Fast path: whole bytes available. */
    if (pos + n <= cap_bits) {
        size_t byte = pos >> 3;
        unsigned off = (unsigned)(pos & 7);
        unsigned need = off + n; /* bits to fetch from byte on */
        unsigned nbytes = (need + 7) / 8;
        for (unsigned i = 0; i < nbytes; i++)
            v = (v << 8) | bits[byte + i];
        v >>= nbytes * 8 - need;
        if (n < 64)
            v &= (1ull << n) - 1;
        return v;
    }
    for (unsigned i = 0; i < n; i++) {
        size_t p = pos + i;
        unsigned bit = p < cap_bits ? (unsigned)(bits[p >> 3] >> (7 - (p & 7))) & 1u : 0u;
        v = (v << 1) | bit;
    }
    return v;
}

uint32_t ais_bits_u(const uint8_t *bits, size_t cap_bits, size_t pos, unsigned n)
{
    return (uint32_t)ais_bits_u64(bits, cap_bits, pos, n);
}

int32_t ais_bits_s(const uint8_t *bits, size_t cap_bits, size_t pos, unsigned n)
{
    uint32_t v = ais_bits_u(bits, cap_bits, pos, n);
    uint32_t m = 1u << (n - 1);
    return (int32_t)(v ^ m) - (int32_t)m;
}

void ais_text_trim(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '@'))
        s[--n] = 0;
}

void ais_text(const uint8_t *bits, size_t cap_bits, size_t pos, unsigned nchars, char *out,
              size_t outcap, int trim)
{
    /* ITU-R M.1371 table 47: values 0..31 are '@'..'_', 32..63 are ' '..'?'. */
    static const char alphabet[65] =
        "@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_ !\"#$%&'()*+,-./0123456789:;<=>?";
    if (outcap == 0)
        return;
    if (nchars > outcap - 1)
        nchars = (unsigned)(outcap - 1);
    unsigned i;
    for (i = 0; i < nchars; i++) {
        char c = alphabet[ais_bits_u(bits, cap_bits, pos + 6 * (size_t)i, 6)];
        if (c == '@')
            break;
        out[i] = c;
    }
    out[i] = 0;
    if (trim)
        ais_text_trim(out);
}
