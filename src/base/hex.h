/*
 * hex.h — hexadecimal text to bytes and back.
 */
#ifndef CAIRN_BASE_HEX_H
#define CAIRN_BASE_HEX_H

#include <stddef.h>
#include <stdint.h>

/* Value of one hex digit, or -1. */
static inline int hex_digit(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Decode exactly 2*n hex digits from s into out[n]. 0 or CAIRN_E_FORMAT. */
int hex_decode(const char *s, size_t n, uint8_t *out);
/* Write 2*n lowercase hex digits and a NUL into out (2*n+1 bytes). */
void hex_encode(const uint8_t *in, size_t n, char *out);

#endif
