/*
 * jsonw.h — the JSON writer: a small, fast writer into a struct dbuf.
 *
 * The one writer for every JSON cairn prints (decode output of Mode S, AIS
 * and ASTERIX, API bodies, the picture). It tracks nesting so commas and
 * colons come out right; keys and strings are escaped by the one rule for
 * outside text, log_escape_step (base/log.h): RFC 8259 escapes, and control
 * characters, DEL, C1, bidi overrides escaped and invalid UTF-8 replaced by
 * U+FFFD, so the output is always valid UTF-8 JSON. Nesting is capped at
 * JW_MAX_DEPTH; a write past the cap or past the buffer's max sets err, and
 * the caller checks it once.
 *
 *     struct jsonw w; jw_init(&w, &buf);
 *     jw_obj(&w); jw_key(&w, "df"); jw_int(&w, 17); jw_end(&w);
 *     // buf: {"df":17}
 */
#ifndef CAIRN_BASE_JSONW_H
#define CAIRN_BASE_JSONW_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/dbuf.h"
#include "base/error.h"

#define JW_MAX_DEPTH 32

struct jsonw {
    struct dbuf *out; /* borrowed */
    int depth;
    uint8_t first[JW_MAX_DEPTH]; /* 1 while the container at that depth is empty */
    uint8_t is_obj[JW_MAX_DEPTH];
    int after_key; /* a key was just written: the value needs no comma */
    int err;       /* first error (CAIRN_E_*), 0 while all is well */
};

void jw_init(struct jsonw *w, struct dbuf *out);
void jw_str(struct jsonw *w, const char *s);
void jw_strn(struct jsonw *w, const char *s, size_t n);
/* A number with a fixed count of decimals (trailing zeros kept). */
void jw_fixed(struct jsonw *w, double v, int decimals);
/* A number in %.*g form: the shortest of up to prec significant digits. */
void jw_num(struct jsonw *w, double v, int prec);
/* A number with 15 significant digits (what %.15g keeps) but never in
 * exponent form below 1e15, trailing zeros trimmed: 27354.6015625, 0.00001.
 * Written without printf (glibc's double formatting costs about 1 us). */
void jw_real(struct jsonw *w, double v);
/* Bytes as a string of upper-case hex digits. */
void jw_hex(struct jsonw *w, const uint8_t *p, size_t n);

/* Shorthands for a key and a value. */
void jw_kstr(struct jsonw *w, const char *key, const char *s);
void jw_kfixed(struct jsonw *w, const char *key, double v, int decimals);
void jw_knum(struct jsonw *w, const char *key, double v, int prec);

/*
 * The hot calls are inline: a decoder writing a record is a long run of
 * keys and small numbers, and a call per token was most of the cost of its
 * JSON (asterix and AIS each had a private writer for that reason). The
 * jw__ helpers are the writer's own.
 */
#define JW_INLINE static inline __attribute__((always_inline))
void jw__put_slow(struct jsonw *w, const char *s, size_t n);
void jw__key_slow(struct jsonw *w, const char *key, size_t n);
/* Decimal digits of v, right-aligned ending at end; returns the start. */
char *jw__fmt_u64(uint64_t v, char *end);
/* Decimal digits of v written at dst (room for 20); returns their count. */
size_t jw__u64_to(char *dst, uint64_t v);

/* Append n bytes: a memcpy while the buffer has room, dbuf_add otherwise. */
JW_INLINE void jw__put(struct jsonw *w, const char *s, size_t n)
{
    struct dbuf *b = w->out;
    if (b->p && b->len + n < b->cap && !w->err) {
        memcpy(b->p + b->len, s, n);
        b->len += n;
        b->p[b->len] = '\0';
        return;
    }
    jw__put_slow(w, s, n);
}

/* Before a value or key: the separating comma if needed. */
JW_INLINE void jw__sep(struct jsonw *w)
{
    if (w->after_key) {
        w->after_key = 0;
        return;
    }
    if (w->depth > 0) {
        if (!w->first[w->depth - 1])
            jw__put(w, ",", 1);
        w->first[w->depth - 1] = 0;
    }
}

JW_INLINE void jw__open(struct jsonw *w, char c, int is_obj)
{
    jw__sep(w);
    if (w->depth >= JW_MAX_DEPTH) {
        w->err = CAIRN_E_TOOBIG;
        return;
    }
    jw__put(w, &c, 1);
    w->first[w->depth] = 1;
    w->is_obj[w->depth] = (uint8_t)is_obj;
    w->depth++;
}

JW_INLINE void jw_obj(struct jsonw *w) /* { */
{
    jw__open(w, '{', 1);
}

JW_INLINE void jw_arr(struct jsonw *w) /* [ */
{
    jw__open(w, '[', 0);
}

JW_INLINE void jw_end(struct jsonw *w) /* } or ] */
{
    if (w->depth <= 0) {
        w->err = CAIRN_E_STATE;
        return;
    }
    w->depth--;
    jw__put(w, w->is_obj[w->depth] ? "}" : "]", 1);
}

/* A key, escaped like any string; a plain one ("df", "I010") is copied in
 * one piece. */
JW_INLINE void jw_key(struct jsonw *w, const char *key)
{
    size_t n = strlen(key);
    jw__sep(w);
    struct dbuf *b = w->out;
    /* A literal key (its length known when compiling) is the program's own
     * text and skips the scan; any other key is checked for plain text. */
    size_t i = 0;
    if (__builtin_constant_p(n))
        i = n;
    else
        while (i < n && (unsigned char)key[i] >= 0x20 && (unsigned char)key[i] < 0x7F &&
               key[i] != '"' && key[i] != '\\')
            i++;
    if (i == n && b->p && b->len + n + 3 < b->cap && !w->err) {
        char *d = b->p + b->len;
        d[0] = '"';
        memcpy(d + 1, key, n);
        d[n + 1] = '"';
        d[n + 2] = ':';
        b->len += n + 3;
        b->p[b->len] = '\0';
    } else {
        jw__key_slow(w, key, n);
    }
    w->after_key = 1;
}

JW_INLINE void jw_uint(struct jsonw *w, uint64_t v)
{
    jw__sep(w);
    struct dbuf *b = w->out;
    if (b->p && b->len + 21 < b->cap && !w->err) { /* 20 digits at most */
        b->len += jw__u64_to(b->p + b->len, v);
        b->p[b->len] = '\0';
        return;
    }
    char tmp[24];
    char *end = tmp + sizeof tmp;
    char *p = jw__fmt_u64(v, end);
    jw__put(w, p, (size_t)(end - p));
}

JW_INLINE void jw_int(struct jsonw *w, int64_t v)
{
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    jw__sep(w);
    struct dbuf *b = w->out;
    if (b->p && b->len + 22 < b->cap && !w->err) {
        if (v < 0)
            b->p[b->len++] = '-';
        b->len += jw__u64_to(b->p + b->len, mag);
        b->p[b->len] = '\0';
        return;
    }
    char tmp[24];
    char *end = tmp + sizeof tmp;
    char *p = jw__fmt_u64(mag, end);
    if (v < 0)
        *--p = '-';
    jw__put(w, p, (size_t)(end - p));
}

JW_INLINE void jw_bool(struct jsonw *w, int v)
{
    jw__sep(w);
    if (v)
        jw__put(w, "true", 4);
    else
        jw__put(w, "false", 5);
}

JW_INLINE void jw_null(struct jsonw *w)
{
    jw__sep(w);
    jw__put(w, "null", 4);
}

/* Insert pre-formatted JSON text as a value (the caller vouches for it). */
JW_INLINE void jw_raw(struct jsonw *w, const char *json, size_t n)
{
    jw__sep(w);
    jw__put(w, json, n);
}

JW_INLINE void jw_kint(struct jsonw *w, const char *key, int64_t v)
{
    jw_key(w, key);
    jw_int(w, v);
}

JW_INLINE void jw_kuint(struct jsonw *w, const char *key, uint64_t v)
{
    jw_key(w, key);
    jw_uint(w, v);
}

JW_INLINE void jw_kbool(struct jsonw *w, const char *key, int v)
{
    jw_key(w, key);
    jw_bool(w, v);
}

#endif
