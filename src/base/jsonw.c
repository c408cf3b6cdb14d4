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

static void put_slow(struct jsonw *w, const char *s, size_t n)
{
    if (w->err)
        return;
    int rc = dbuf_add(w->out, s, n);
    if (rc)
        w->err = rc;
}

/* Append n bytes: a memcpy while the buffer has room (the common case),
 * dbuf_add (growth, cap) otherwise. */
static inline void put(struct jsonw *w, const char *s, size_t n)
{
    struct dbuf *b = w->out;
    if (b->p && b->len + n < b->cap && !w->err) {
        memcpy(b->p + b->len, s, n);
        b->len += n;
        b->p[b->len] = '\0';
        return;
    }
    put_slow(w, s, n);
}

/* Decimal digits of v, right-aligned ending at end; returns the start. */
static char *fmt_u64(uint64_t v, char *end)
{
    char *p = end;
    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return p;
}

/* Before a value or key: the separating comma if needed. */
static void sep(struct jsonw *w)
{
    if (w->after_key) {
        w->after_key = 0;
        return;
    }
    if (w->depth > 0) {
        if (!w->first[w->depth - 1])
            put(w, ",", 1);
        w->first[w->depth - 1] = 0;
    }
}

static void open_c(struct jsonw *w, char c, int is_obj)
{
    sep(w);
    if (w->depth >= JW_MAX_DEPTH) {
        w->err = CAIRN_E_TOOBIG;
        return;
    }
    put(w, &c, 1);
    w->first[w->depth] = 1;
    w->is_obj[w->depth] = (uint8_t)is_obj;
    w->depth++;
}

void jw_obj(struct jsonw *w)
{
    open_c(w, '{', 1);
}

void jw_arr(struct jsonw *w)
{
    open_c(w, '[', 0);
}

void jw_end(struct jsonw *w)
{
    if (w->depth <= 0) {
        w->err = CAIRN_E_STATE;
        return;
    }
    w->depth--;
    put(w, w->is_obj[w->depth] ? "}" : "]", 1);
}

/* Plain printable ASCII runs are copied as they are; every other
 * character goes through log_escape_step (base/log.h), the one rule for
 * text from outside: control characters, DEL, C1, bidi overrides escaped,
 * invalid UTF-8 replaced by U+FFFD so the output is always valid JSON. */
static void put_escaped(struct jsonw *w, const char *s, size_t n)
{
    put(w, "\"", 1);
    size_t run = 0, i = 0;
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

void jw_key(struct jsonw *w, const char *key)
{
    sep(w);
    put_escaped(w, key, strlen(key));
    put(w, ":", 1);
    w->after_key = 1;
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

void jw_int(struct jsonw *w, int64_t v)
{
    char tmp[24];
    char *end = tmp + sizeof tmp;
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    char *p = fmt_u64(mag, end);
    if (v < 0)
        *--p = '-';
    sep(w);
    put(w, p, (size_t)(end - p));
}

void jw_uint(struct jsonw *w, uint64_t v)
{
    char tmp[24];
    char *end = tmp + sizeof tmp;
    char *p = fmt_u64(v, end);
    sep(w);
    put(w, p, (size_t)(end - p));
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

void jw_bool(struct jsonw *w, int v)
{
    sep(w);
    if (v)
        put(w, "true", 4);
    else
        put(w, "false", 5);
}

void jw_null(struct jsonw *w)
{
    sep(w);
    put(w, "null", 4);
}

void jw_raw(struct jsonw *w, const char *json, size_t n)
{
    sep(w);
    put(w, json, n);
}

void jw_kstr(struct jsonw *w, const char *key, const char *s)
{
    jw_key(w, key);
    jw_str(w, s);
}

void jw_kint(struct jsonw *w, const char *key, int64_t v)
{
    jw_key(w, key);
    jw_int(w, v);
}

void jw_kuint(struct jsonw *w, const char *key, uint64_t v)
{
    jw_key(w, key);
    jw_uint(w, v);
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

void jw_kbool(struct jsonw *w, const char *key, int v)
{
    jw_key(w, key);
    jw_bool(w, v);
}
