/* hex.c — see hex.h. */
#include "base/hex.h"

#include "base/error.h"

int hex_decode(const char *s, size_t n, uint8_t *out)
{
    for (size_t i = 0; i < n; i++) {
        int hi = hex_digit((unsigned char)s[2 * i]);
        int lo = hi < 0 ? -1 : hex_digit((unsigned char)s[2 * i + 1]);
        if (lo < 0)
            return CAIRN_E_FORMAT;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

void hex_encode(const uint8_t *in, size_t n, char *out)
{
    static const char d[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = d[in[i] >> 4];
        out[2 * i + 1] = d[in[i] & 15];
    }
    out[2 * n] = '\0';
}
