/* jsonw.c — see jsonw.h. Numbers that are not finite are written as null. */
#include "base/jsonw.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/error.h"
#include "base/log.h"

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

size_t jw__u64_to(char *dst, uint64_t v)
{
    /* the digit count first, then the digits in place from the right */
    size_t nd = 1;
    for (uint64_t t = v; t >= 10; t /= 10)
        nd++;
    jw__fmt_u64(v, dst + nd);
    return nd;
}

#define put     jw__put
#define sep     jw__sep
#define fmt_u64 jw__fmt_u64

char *jw__fmt_u64(uint64_t v, char *end)
{
    /* two digits per division, from a table of "00".."99" */
    static const char d2[201] =
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
        "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
        "8081828384858687888990919293949596979899";
    char *p = end;
    while (v >= 100) {
        unsigned r = (unsigned)(v % 100);
        v /= 100;
        *--p = d2[2 * r + 1];
        *--p = d2[2 * r];
    }
    if (v >= 10) {
        *--p = d2[2 * v + 1];
        *--p = d2[2 * v];
    } else {
        *--p = (char)('0' + v);
    }
    return p;
}

/* Plain printable ASCII runs are copied as they are; every other
 * character goes through log_escape_step (base/log.h), the one rule for
 * text from outside: control characters, DEL, C1, bidi overrides escaped,
 * invalid UTF-8 replaced by U+FFFD so the output is always valid JSON. */
static void put_escaped(struct jsonw *w, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && (unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7F && s[i] != '"' &&
           s[i] != '\\')
        i++;
    struct dbuf *b = w->out;
    if (i == n && b->p && b->len + n + 2 < b->cap && !w->err) {
        /* plain text (most strings): quoted in one copy */
        char *d = b->p + b->len;
        d[0] = '"';
        memcpy(d + 1, s, n);
        d[n + 1] = '"';
        b->len += n + 2;
        b->p[b->len] = '\0';
        return;
    }
    put(w, "\"", 1);
    size_t run = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
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

void jw__key_slow(struct jsonw *w, const char *key, size_t n)
{
    put_escaped(w, key, n);
    put(w, ":", 1);
}

void jw_strn(struct jsonw *w, const char *s, size_t n)
{
    sep(w);
    put_escaped(w, s, n);
}

void jw_str(struct jsonw *w, const char *s)
{
    jw_strn(w, s, strlen(s));
}

/* Powers of ten for the fast fixed-point path. */
static const double pow10_tab[10] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};

void jw_fixed(struct jsonw *w, double v, int decimals)
{
    if (!isfinite(v)) {
        jw_null(w);
        return;
    }
    char tmp[64];
    /* Fast path, identical to printf("%.*f"): scale to an integer and round.
     * Taken only while the scaled value is below 1e9 (its rounding error,
     * about 1e-7, is then far below the 1e-6 margin) and not within 1e-6 of
     * a half, where printf's exact-binary rounding could decide otherwise. */
    if (decimals >= 0 && decimals <= 9) {
        double s = fabs(v) * pow10_tab[decimals];
        double fl = floor(s);
        double frac = s - fl;
        if (s < 1e9 && fabs(frac - 0.5) > 1e-6) {
            uint64_t q = (uint64_t)fl + (frac > 0.5 ? 1u : 0u);
            char *end = tmp + sizeof tmp;
            char *p = end;
            for (int i = 0; i < decimals; i++) {
                *--p = (char)('0' + q % 10);
                q /= 10;
            }
            if (decimals > 0)
                *--p = '.';
            p = fmt_u64(q, p);
            if (signbit(v)) /* printf writes the sign of -0.001 as "-0.00" too */
                *--p = '-';
            sep(w);
            put(w, p, (size_t)(end - p));
            return;
        }
    }
    int n = snprintf(tmp, sizeof tmp, "%.*f", decimals, v);
    sep(w);
    put(w, tmp, (size_t)n);
}

void jw_num(struct jsonw *w, double v, int prec)
{
    if (!isfinite(v)) {
        jw_null(w);
        return;
    }
    char tmp[64];
    int n = snprintf(tmp, sizeof tmp, "%.*g", prec, v);
    sep(w);
    put(w, tmp, (size_t)n);
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
    char buf[48];
    size_t n = 0;
    if (v < 0)
        buf[n++] = '-';
    uint64_t ip = (uint64_t)a;
    char tmp[24];
    char *end = tmp + sizeof tmp;
    if ((double)ip == a) {
        char *p = fmt_u64(ip, end);
        memcpy(buf + n, p, (size_t)(end - p));
        jw_raw(w, buf, n + (size_t)(end - p));
        return;
    }
    int int_digits = 0;
    for (uint64_t t = ip; t; t /= 10)
        int_digits++;
    int dec = 15 - int_digits; /* fraction digits for 15 significant digits */
    uint64_t scale = 1;
    for (int i = 0; i < dec; i++)
        scale *= 10;
    uint64_t scaled = (uint64_t)(a * (double)scale + 0.5);
    uint64_t whole = scaled / scale, frac = scaled % scale;
    char *p = fmt_u64(whole, end);
    memcpy(buf + n, p, (size_t)(end - p));
    n += (size_t)(end - p);
    if (frac) {
        char fd[20];
        for (int i = dec - 1; i >= 0; i--) {
            fd[i] = (char)('0' + frac % 10);
            frac /= 10;
        }
        int last = dec - 1;
        while (last > 0 && fd[last] == '0')
            last--;
        buf[n++] = '.';
        memcpy(buf + n, fd, (size_t)last + 1);
        n += (size_t)last + 1;
    }
    jw_raw(w, buf, n);
}

void jw_hex(struct jsonw *w, const uint8_t *p, size_t n)
{
    static const char hexd[] = "0123456789ABCDEF";
    char buf[258];
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
}
