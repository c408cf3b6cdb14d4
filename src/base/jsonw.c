/* jsonw.c — see jsonw.h. Numbers that are not finite are written as null. */
#include "base/jsonw.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/error.h"
#include "base/log.h"

/* Printable ASCII but '"' (0x22) and '\\' (0x5C). The rest (controls, DEL,
 * and every byte >= 0x80, whose UTF-8 is checked) is left to
 * log_escape_step. The test checks the table against that rule. */
const uint8_t jw__plain[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x00 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x10 */
    1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x20 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x30 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x40 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, /* 0x50 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x60 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, /* 0x70 */
    /* 0x80-0xFF: 0 */
};

const char jw__d2[200] = {
    '0', '0', '0', '1', '0', '2', '0', '3', '0', '4', '0', '5', '0', '6', '0', '7', '0', '8', '0',
    '9', '1', '0', '1', '1', '1', '2', '1', '3', '1', '4', '1', '5', '1', '6', '1', '7', '1', '8',
    '1', '9', '2', '0', '2', '1', '2', '2', '2', '3', '2', '4', '2', '5', '2', '6', '2', '7', '2',
    '8', '2', '9', '3', '0', '3', '1', '3', '2', '3', '3', '3', '4', '3', '5', '3', '6', '3', '7',
    '3', '8', '3', '9', '4', '0', '4', '1', '4', '2', '4', '3', '4', '4', '4', '5', '4', '6', '4',
    '7', '4', '8', '4', '9', '5', '0', '5', '1', '5', '2', '5', '3', '5', '4', '5', '5', '5', '6',
    '5', '7', '5', '8', '5', '9', '6', '0', '6', '1', '6', '2', '6', '3', '6', '4', '6', '5', '6',
    '6', '6', '7', '6', '8', '6', '9', '7', '0', '7', '1', '7', '2', '7', '3', '7', '4', '7', '5',
    '7', '6', '7', '7', '7', '8', '7', '9', '8', '0', '8', '1', '8', '2', '8', '3', '8', '4', '8',
    '5', '8', '6', '8', '7', '8', '8', '8', '9', '9', '0', '9', '1', '9', '2', '9', '3', '9', '4',
    '9', '5', '9', '6', '9', '7', '9', '8', '9', '9'};

const uint32_t jw__pow10_32[10] = {1u,      10u,      100u,      1000u,      10000u,
                                   100000u, 1000000u, 10000000u, 100000000u, 1000000000u};

static const uint64_t pow10_64[16] = {1ull,
                                      10ull,
                                      100ull,
                                      1000ull,
                                      10000ull,
                                      100000ull,
                                      1000000ull,
                                      10000000ull,
                                      100000000ull,
                                      1000000000ull,
                                      10000000000ull,
                                      100000000000ull,
                                      1000000000000ull,
                                      10000000000000ull,
                                      100000000000000ull,
                                      1000000000000000ull};

void jw_init(struct jsonw *w, struct dbuf *out)
{
    memset(w, 0, sizeof *w);
    w->out = out;
}

void jw__put_slow(struct jsonw *w, const char *s, size_t n)
{
    if (w->err)
        return;
    int rc = dbuf_add(w->out, s, n);
    if (rc)
        w->err = rc;
}

#define put     jw__put
#define sep     jw__sep
#define fmt_u64 jw__fmt_u64

char *jw__fmt_u64(uint64_t v, char *end)
{
    /* two digits per division */
    char *p = end;
    while (v >= 100) {
        unsigned r = (unsigned)(v % 100);
        v /= 100;
        p -= 2;
        memcpy(p, jw__d2 + 2 * r, 2);
    }
    if (v >= 10) {
        p -= 2;
        memcpy(p, jw__d2 + 2 * v, 2);
    } else {
        *--p = (char)('0' + v);
    }
    return p;
}

/* A value on the slow path: comma, the bytes, through dbuf_add. */
static void value_slow(struct jsonw *w, const char *s, size_t n)
{
    sep(w);
    jw__put_slow(w, s, n);
    jw__after_value(w);
}

void jw__uint_slow(struct jsonw *w, uint64_t v, int neg)
{
    char tmp[24];
    char *end = tmp + sizeof tmp;
    char *p = fmt_u64(v, end);
    if (neg)
        *--p = '-';
    value_slow(w, p, (size_t)(end - p));
}

/* The escaping path: plain runs copied as they are, every other character
 * through log_escape_step (base/log.h), the one rule for text from outside:
 * control characters, DEL, C1, bidi overrides escaped, invalid UTF-8
 * replaced by U+FFFD so the output is always valid JSON. */
static void put_escaped(struct jsonw *w, const char *s, size_t n)
{
    put(w, "\"", 1);
    size_t i = 0, run = 0;
    while (i < n) {
        if (jw__plain[(unsigned char)s[i]]) {
            i++;
            continue;
        }
        char esc[12];
        size_t adv;
        size_t el = log_escape_step(s + i, n - i, LOG_ESC_JSON, esc, &adv);
        if (el) {
            put(w, s + run, i - run);
            put(w, esc, el);
            run = i + adv;
        }
        i += adv;
    }
    put(w, s + run, n - run);
    put(w, "\"", 1);
}

/*
 * The fused paths below copy a key or string into the buffer while checking
 * each byte against jw__plain, bounded by the buffer's room. A byte that is
 * not plain ends the pass: the NUL of a C string means done; anything else
 * (or the end of the room) means the bytes written so far are dropped (the
 * NUL put back at len) and the escaping path writes the whole token.
 */
void jw__key_var(struct jsonw *w, const char *key)
{
    struct jw__span sp;
    if (jw__begin(w, 4, &sp)) {
        char *d = sp.d;
        char *lim = sp.b->p + sp.b->cap - 3; /* '"', ':' and the NUL after the key */
        char *o = jw__comma(w, d);
        *o++ = '"';
        const unsigned char *s = (const unsigned char *)key;
        /* Four bytes a round while there is room for four, each stored
         * before it is checked (the room is there to be overwritten). */
        for (;;) {
            if (lim - o < 4) {
                while (o < lim && jw__plain[*s])
                    *o++ = (char)*s++;
                break;
            }
            unsigned c = s[0];
            o[0] = (char)c;
            if (!jw__plain[c])
                break;
            c = s[1];
            o[1] = (char)c;
            if (!jw__plain[c]) {
                o += 1, s += 1;
                break;
            }
            c = s[2];
            o[2] = (char)c;
            if (!jw__plain[c]) {
                o += 2, s += 2;
                break;
            }
            c = s[3];
            o[3] = (char)c;
            if (!jw__plain[c]) {
                o += 3, s += 3;
                break;
            }
            o += 4, s += 4;
        }
        if (*s == 0) {
            o[0] = '"';
            o[1] = ':';
            jw__end(&sp, o + 2);
            w->comma = 0;
            return;
        }
        *d = '\0';
    }
    sep(w);
    put_escaped(w, key, strlen(key));
    put(w, ":", 1);
    w->comma = 0;
}

/* Nonzero when one of the 8 bytes of x is not plain (below 0x20, '"', '\\',
 * 0x7F or above): the "has a byte less than / more than / equal to" word
 * tests (exact as a yes/no for the whole word, which is all that is asked). */
static inline uint64_t word_not_plain(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    uint64_t q = x ^ (ones * '"'), bs = x ^ (ones * '\\');
    uint64_t below = (x - ones * 0x20) & ~x; /* a byte < 0x20 */
    uint64_t above = (x + ones) | x;         /* a byte > 0x7E */
    uint64_t quote = (q - ones) & ~q;        /* a byte == '"' */
    uint64_t bslash = (bs - ones) & ~bs;     /* a byte == '\\' */
    return (below | above | quote | bslash) & high;
}

/* s[0..n) quoted at o, which has room for n + 2; 1 when every byte was
 * plain (the string is then written), 0 otherwise. Eight bytes at a time,
 * the last word overlapping the one before; shorter strings byte by byte. */
static inline int copy_plain(char *o, const char *s, size_t n)
{
    *o++ = '"';
    if (n >= 8) {
        uint64_t bad = 0, x;
        size_t i = 0;
        for (; i + 8 <= n; i += 8) {
            memcpy(&x, s + i, 8);
            bad |= word_not_plain(x);
            memcpy(o + i, &x, 8);
        }
        if (i < n) {
            memcpy(&x, s + n - 8, 8);
            bad |= word_not_plain(x);
            memcpy(o + n - 8, &x, 8);
        }
        if (bad)
            return 0;
    } else {
        for (size_t i = 0; i < n; i++) {
            if (!jw__plain[(unsigned char)s[i]])
                return 0;
            o[i] = s[i];
        }
    }
    o[n] = '"';
    return 1;
}

void jw_strn(struct jsonw *w, const char *s, size_t n)
{
    struct jw__span sp;
    if (jw__begin(w, n + 3, &sp)) { /* comma, quotes */
        char *o = jw__comma(w, sp.d);
        if (copy_plain(o, s, n)) {
            jw__end(&sp, o + n + 2);
            jw__after_value(w);
            return;
        }
        *sp.d = '\0';
    }
    sep(w);
    put_escaped(w, s, n);
    jw__after_value(w);
}

void jw_str(struct jsonw *w, const char *s)
{
    jw_strn(w, s, strlen(s));
}

/* Powers of ten for the fast fixed-point path. */
static const double pow10_tab[10] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};

/* q / 10^dec with dec decimals at o ('-' first when neg); returns the end. */
static char *fmt_fixed(char *o, uint32_t q, int dec, int neg)
{
    uint32_t scale = jw__pow10_32[dec];
    uint32_t ip = q / scale, fp = q - ip * scale;
    *o = '-';
    o += neg;
    o += jw__u32_to(o, ip);
    if (dec > 0) {
        *o = '.';
        char *e = o + 1 + dec, *p = e;
        int k = dec;
        for (; k >= 2; k -= 2) {
            uint32_t r = fp % 100;
            fp /= 100;
            p -= 2;
            memcpy(p, jw__d2 + 2 * r, 2);
        }
        if (k)
            p[-1] = (char)('0' + fp);
        o = e;
    }
    return o;
}

void jw_fixed(struct jsonw *w, double v, int decimals)
{
    if (!isfinite(v)) {
        jw_null(w);
        return;
    }
    /* Fast path, identical to printf("%.*f"): scale to an integer and round.
     * Taken only while the scaled value is below 1e9 (its rounding error,
     * about 1e-7, is then far below the 1e-6 margin) and not within 1e-6 of
     * a half, where printf's exact-binary rounding could decide otherwise.
     * Below 1e9 the integer part fits 32 bits: no floor(), no 64-bit
     * division. */
    if (decimals >= 0 && decimals <= 9) {
        double s = fabs(v) * pow10_tab[decimals];
        if (s < 1e9) {
            uint32_t fl = (uint32_t)s; /* floor: s >= 0 */
            double frac = s - (double)fl;
            if (fabs(frac - 0.5) > 1e-6) {
                uint32_t q = fl + (frac > 0.5 ? 1u : 0u); /* at most 1e9 */
                /* printf writes the sign of -0.001 as "-0.00" too */
                int neg = signbit(v) != 0;
                struct jw__span sp;
                if (jw__begin(w, 32, &sp)) { /* comma, '-', 10 + 1 + 9 */
                    char *d = jw__comma(w, sp.d);
                    jw__end(&sp, fmt_fixed(d, q, decimals, neg));
                    jw__after_value(w);
                    return;
                }
                char tmp[32];
                value_slow(w, tmp, (size_t)(fmt_fixed(tmp, q, decimals, neg) - tmp));
                return;
            }
        }
    }
    char tmp[64];
    int n = snprintf(tmp, sizeof tmp, "%.*f", decimals, v);
    jw_raw(w, tmp, (size_t)(n > 0 ? n : 0));
}

void jw_num(struct jsonw *w, double v, int prec)
{
    if (!isfinite(v)) {
        jw_null(w);
        return;
    }
    char tmp[64];
    int n = snprintf(tmp, sizeof tmp, "%.*g", prec, v);
    jw_raw(w, tmp, (size_t)(n > 0 ? n : 0));
}

void jw_kstr(struct jsonw *w, const char *key, const char *s)
{
    jw_key(w, key);
    jw_str(w, s);
}

void jw_kfixed(struct jsonw *w, const char *key, double v, int decimals)
{
    jw_key(w, key);
    jw_fixed(w, v, decimals);
}

void jw_knum(struct jsonw *w, const char *key, double v, int prec)
{
    jw_key(w, key);
    jw_num(w, v, prec);
}

/* Digits of v (1..16, v < 1e16), as jw__u32_to counts them. */
static int digits_u64(uint64_t v)
{
    if (v <= UINT32_MAX) {
        uint32_t x = (uint32_t)v;
        uint32_t t = ((uint32_t)(32 - __builtin_clz(x | 1)) * 1233u) >> 12;
        return (int)(t + ((x | 1) >= jw__pow10_32[t]));
    }
    int n = 10;
    while (n < 16 && v >= pow10_64[n])
        n++;
    return n;
}

/* v (|v| < 1e15) as jw_real writes it, at o; returns the end. */
static char *fmt_real(char *o, double v)
{
    double a = v < 0 ? -v : v;
    *o = '-';
    o += v < 0;
    uint64_t ip = (uint64_t)a;
    if ((double)ip == a)
        return o + jw__u64_to(o, ip);
    int int_digits = ip ? digits_u64(ip) : 0;
    int dec = 15 - int_digits; /* fraction digits for 15 significant digits */
    uint64_t scale = pow10_64[dec];
    uint64_t scaled = (uint64_t)(a * (double)scale + 0.5);
    uint64_t whole = scaled / scale, frac = scaled % scale;
    o += jw__u64_to(o, whole);
    if (frac) {
        while (frac % 10 == 0) { /* trailing zeros trimmed */
            frac /= 10;
            dec--;
        }
        *o = '.';
        char *e = o + 1 + dec, *p = e;
        int k = dec;
        for (; k >= 2; k -= 2) {
            unsigned r = (unsigned)(frac % 100);
            frac /= 100;
            p -= 2;
            memcpy(p, jw__d2 + 2 * r, 2);
        }
        if (k)
            p[-1] = (char)('0' + frac);
        o = e;
    }
    return o;
}

void jw_real(struct jsonw *w, double v)
{
    /* 1e15: the most a double carries in 15 significant digits exactly */
    double a = v < 0 ? -v : v;
    if (!(a < 1e15)) {
        /* huge or not finite: printf's care is worth it */
        if (!isfinite(v)) {
            jw_null(w);
            return;
        }
        char big[40];
        int k = snprintf(big, sizeof big, "%.15g", v);
        jw_raw(w, big, (size_t)(k > 0 ? k : 0));
        return;
    }
    struct jw__span sp;
    if (jw__begin(w, 40, &sp)) { /* comma, '-', 16 digits, '.', 15 digits */
        char *d = jw__comma(w, sp.d);
        jw__end(&sp, fmt_real(d, v));
        jw__after_value(w);
        return;
    }
    char tmp[40];
    value_slow(w, tmp, (size_t)(fmt_real(tmp, v) - tmp));
}

void jw_hex(struct jsonw *w, const uint8_t *p, size_t n)
{
    static const char hexd[] = "0123456789ABCDEF";
    struct jw__span sp;
    if (n <= 4096 && jw__begin(w, 2 * n + 3, &sp)) { /* comma, quotes */
        char *d = jw__comma(w, sp.d);
        *d++ = '"';
        for (size_t i = 0; i < n; i++) {
            d[2 * i] = hexd[p[i] >> 4];
            d[2 * i + 1] = hexd[p[i] & 15];
        }
        d[2 * n] = '"';
        jw__end(&sp, d + 2 * n + 1);
        jw__after_value(w);
        return;
    }
    char buf[256];
    sep(w);
    put(w, "\"", 1);
    while (n > 0) {
        size_t k = n < 128 ? n : 128;
        for (size_t i = 0; i < k; i++) {
            buf[2 * i] = hexd[p[i] >> 4];
            buf[2 * i + 1] = hexd[p[i] & 15];
        }
        put(w, buf, 2 * k);
        p += k;
        n -= k;
    }
    put(w, "\"", 1);
    jw__after_value(w);
}
