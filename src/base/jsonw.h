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
 * the caller checks it once. The dbuf is up to date (length, NUL) after
 * every call, so a caller may mix jw_ calls and dbuf_ calls on it.
 *
 *     struct jsonw w; jw_init(&w, &buf);
 *     jw_obj(&w); jw_key(&w, "df"); jw_int(&w, 17); jw_end(&w);
 *     // buf: {"df":17}
 *
 * How it is fast (a decoder's record is a long run of short keys and small
 * numbers, so the cost per token is what counts):
 *   - each token asks once whether the buffer has room for all it may write
 *     (comma, quotes, key, at most 20 digits, the NUL) and then writes in
 *     place; only when it has not does it go through dbuf_add (jw__*_slow);
 *   - the comma is stored unconditionally and kept by advancing the cursor
 *     by the `comma` flag, so there is no branch for it;
 *   - a key known when compiling ("df") is the program's own text and is
 *     copied as a constant (it must be plain; debug builds assert it); any
 *     other key is copied and checked in one pass, four bytes a round,
 *     against a 256-entry table of the bytes that pass as they are
 *     (jw__plain); a string is checked eight bytes at a time by word
 *     arithmetic while it is copied. The first byte that does not pass
 *     (quote, backslash, control, DEL, any byte >= 0x80, a C string's NUL)
 *     ends the pass, and a token that is not plain throughout is written
 *     again by the escaping path (log_escape_step for each such character);
 *   - a literal key and its value are one write (jw_kint, jw_kuint,
 *     jw_kbool);
 *   - integers are written two digits at a time from a "00".."99" table, the
 *     digit count found from the bit length, never by printf.
 */
#ifndef CAIRN_BASE_JSONW_H
#define CAIRN_BASE_JSONW_H

#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/dbuf.h"
#include "base/error.h"

#define JW_MAX_DEPTH 32

struct jsonw {
    struct dbuf *out; /* borrowed */
    int depth;
    int comma; /* 1 when the next key or value needs a comma before it */
    int err;   /* first error (CAIRN_E_*), 0 while all is well */
    uint8_t is_obj[JW_MAX_DEPTH];
};

void jw_init(struct jsonw *w, struct dbuf *out);
/* A string (NUL-terminated, or n bytes), escaped. */
void jw_str(struct jsonw *w, const char *s);
void jw_strn(struct jsonw *w, const char *s, size_t n);
/* A number with a fixed count of decimals (trailing zeros kept), printf's
 * "%.*f" digits. */
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
 * The hot calls are inline. The jw__ names are the writer's own.
 */
#define JW_INLINE static inline __attribute__((always_inline))

/* 1 for the bytes a JSON string holds as they are: printable ASCII but the
 * quote and the backslash. */
extern const uint8_t jw__plain[256];
/* "00" "01" .. "99" */
extern const char jw__d2[200];
extern const uint32_t jw__pow10_32[10];

void jw__put_slow(struct jsonw *w, const char *s, size_t n);
void jw__key_var(struct jsonw *w, const char *key);
void jw__uint_slow(struct jsonw *w, uint64_t v, int neg);
/* Decimal digits of v, right-aligned ending at end; returns the start. */
char *jw__fmt_u64(uint64_t v, char *end);

/*
 * A fast-path write: the buffer and where the write starts, held in locals
 * (a byte written through a char pointer may alias any field, so values
 * read back from *w or *out after it would be loaded again).
 */
struct jw__span {
    struct dbuf *b;
    size_t len; /* b->len when the write began */
    char *d;    /* b->p + len */
};

/* Whether the buffer has room for n more bytes and the NUL after them and
 * no error came before; the caller writes at s->d when it has, and takes
 * its slow path when not (s->d is then NULL). A dbuf without memory has cap 0 and never has
 * room; one with memory has len < cap. */
JW_INLINE int jw__begin(struct jsonw *w, size_t n, struct jw__span *s)
{
    struct dbuf *b = w->out;
    size_t len = b->len;
    s->b = b;
    s->len = len;
    /* b->p + len only when there is memory: a fresh dbuf's p is NULL, and
     * NULL + 0 is undefined (clang's UBSan reports it) */
    int room = n < b->cap - len && !w->err;
    s->d = room ? b->p + len : NULL;
    return __builtin_expect(room, 1) != 0;
}

/* The bytes up to end are written: count them and end the string. */
JW_INLINE void jw__end(const struct jw__span *s, char *end)
{
    *end = '\0';
    s->b->len = s->len + (size_t)(end - s->d);
}

/* The comma if one is due, at d (which has room for it); returns where the
 * token itself goes. The comma is stored either way and kept by moving on. */
JW_INLINE char *jw__comma(const struct jsonw *w, char *d)
{
    int c = w->comma;
    *d = ',';
    return d + c;
}

/* After a value: inside a container the next one needs a comma. */
JW_INLINE void jw__after_value(struct jsonw *w)
{
    w->comma = w->depth > 0;
}

/* Append n bytes. */
JW_INLINE void jw__put(struct jsonw *w, const char *s, size_t n)
{
    struct jw__span sp;
    if (jw__begin(w, n, &sp)) {
        memcpy(sp.d, s, n);
        jw__end(&sp, sp.d + n);
        return;
    }
    jw__put_slow(w, s, n);
}

/* Before a value or key on a slow path: the separating comma if due. */
JW_INLINE void jw__sep(struct jsonw *w)
{
    if (w->comma)
        jw__put(w, ",", 1);
}

/* Decimal digits of v written at d; returns their count (1..10). The count
 * from the bit length: t = floor(bits * log10(2)) is the count or one less. */
JW_INLINE size_t jw__u32_to(char *d, uint32_t v)
{
    uint32_t t = ((uint32_t)(32 - __builtin_clz(v | 1)) * 1233u) >> 12;
    size_t n = t + ((v | 1) >= jw__pow10_32[t]);
    char *p = d + n;
    while (v >= 100) {
        uint32_t r = v % 100;
        v /= 100;
        p -= 2;
        memcpy(p, jw__d2 + 2 * r, 2);
    }
    if (v >= 10)
        memcpy(p - 2, jw__d2 + 2 * v, 2);
    else
        p[-1] = (char)('0' + v);
    return n;
}

/* Decimal digits of v written at d (room for 20); returns their count. */
JW_INLINE size_t jw__u64_to(char *d, uint64_t v)
{
    if (v <= UINT32_MAX)
        return jw__u32_to(d, (uint32_t)v);
    char tmp[24];
    char *end = tmp + sizeof tmp;
    char *p = jw__fmt_u64(v, end);
    memcpy(d, p, (size_t)(end - p));
    return (size_t)(end - p);
}

/* Whether s[0..n) is plain throughout. */
JW_INLINE int jw__all_plain(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!jw__plain[(unsigned char)s[i]])
            return 0;
    return 1;
}

/* A literal key (its length known when compiling) at d: the program's own
 * text, copied as a constant, unchecked (it must be plain: asserted in
 * debug builds, where every test runs). Returns the end. */
JW_INLINE char *jw__lit_key(char *d, const char *key, size_t n)
{
    assert(jw__all_plain(key, n));
    d[0] = '"';
    memcpy(d + 1, key, n);
    d[n + 1] = '"';
    d[n + 2] = ':';
    return d + n + 3;
}

/* -v or v at d; returns the end. */
JW_INLINE char *jw__int_at(char *d, int64_t v)
{
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    *d = '-';
    d += v < 0;
    return d + jw__u64_to(d, mag);
}

JW_INLINE void jw__open(struct jsonw *w, char c, int is_obj)
{
    struct jw__span sp;
    int depth = w->depth;
    if (depth >= JW_MAX_DEPTH) {
        jw__sep(w);
        w->err = CAIRN_E_TOOBIG;
        return;
    }
    if (jw__begin(w, 2, &sp)) {
        char *d = jw__comma(w, sp.d);
        *d = c;
        jw__end(&sp, d + 1);
    } else {
        jw__sep(w);
        jw__put_slow(w, &c, 1);
    }
    w->is_obj[depth] = (uint8_t)is_obj;
    w->depth = depth + 1;
    w->comma = 0;
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
    struct jw__span sp;
    int depth = w->depth;
    if (depth <= 0) {
        w->err = CAIRN_E_STATE;
        return;
    }
    depth--;
    char c = w->is_obj[depth] ? '}' : ']';
    w->depth = depth;
    w->comma = depth > 0;
    if (jw__begin(w, 1, &sp)) {
        *sp.d = c;
        jw__end(&sp, sp.d + 1);
    } else {
        jw__put_slow(w, &c, 1);
    }
}

/* A key, escaped like any string. A literal key is copied as a constant
 * (jw__lit_key); any other is checked as it is copied (jw__key_var). */
JW_INLINE void jw_key(struct jsonw *w, const char *key)
{
    if (__builtin_constant_p(strlen(key))) {
        size_t n = strlen(key);
        struct jw__span sp;
        if (jw__begin(w, n + 4, &sp)) {
            char *d = jw__comma(w, sp.d);
            w->comma = 0;
            jw__end(&sp, jw__lit_key(d, key, n));
            return;
        }
    }
    jw__key_var(w, key);
}

JW_INLINE void jw_uint(struct jsonw *w, uint64_t v)
{
    struct jw__span sp;
    if (jw__begin(w, 21, &sp)) { /* the comma and 20 digits at most */
        char *d = jw__comma(w, sp.d);
        jw__after_value(w);
        jw__end(&sp, d + jw__u64_to(d, v));
        return;
    }
    jw__uint_slow(w, v, 0);
}

JW_INLINE void jw_int(struct jsonw *w, int64_t v)
{
    struct jw__span sp;
    if (jw__begin(w, 22, &sp)) {
        char *d = jw__comma(w, sp.d);
        jw__after_value(w);
        jw__end(&sp, jw__int_at(d, v));
        return;
    }
    jw__uint_slow(w, v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v, v < 0);
}

/* Pre-formatted JSON text as a value (the caller vouches for it). */
JW_INLINE void jw_raw(struct jsonw *w, const char *json, size_t n)
{
    struct jw__span sp;
    if (jw__begin(w, n + 1, &sp)) {
        char *d = jw__comma(w, sp.d);
        jw__after_value(w);
        memcpy(d, json, n);
        jw__end(&sp, d + n);
        return;
    }
    jw__sep(w);
    jw__put_slow(w, json, n);
    jw__after_value(w);
}

JW_INLINE void jw_bool(struct jsonw *w, int v)
{
    if (v)
        jw_raw(w, "true", 4);
    else
        jw_raw(w, "false", 5);
}

JW_INLINE void jw_null(struct jsonw *w)
{
    jw_raw(w, "null", 4);
}

/* Key and value in one write when the key is a literal. */
JW_INLINE void jw_kint(struct jsonw *w, const char *key, int64_t v)
{
    if (__builtin_constant_p(strlen(key))) {
        size_t n = strlen(key);
        struct jw__span sp;
        if (jw__begin(w, n + 4 + 21, &sp)) {
            char *d = jw__lit_key(jw__comma(w, sp.d), key, n);
            jw__after_value(w);
            jw__end(&sp, jw__int_at(d, v));
            return;
        }
    }
    jw_key(w, key);
    jw_int(w, v);
}

JW_INLINE void jw_kuint(struct jsonw *w, const char *key, uint64_t v)
{
    if (__builtin_constant_p(strlen(key))) {
        size_t n = strlen(key);
        struct jw__span sp;
        if (jw__begin(w, n + 4 + 20, &sp)) {
            char *d = jw__lit_key(jw__comma(w, sp.d), key, n);
            jw__after_value(w);
            jw__end(&sp, d + jw__u64_to(d, v));
            return;
        }
    }
    jw_key(w, key);
    jw_uint(w, v);
}

JW_INLINE void jw_kbool(struct jsonw *w, const char *key, int v)
{
    if (__builtin_constant_p(strlen(key))) {
        size_t n = strlen(key);
        struct jw__span sp;
        if (jw__begin(w, n + 4 + 5, &sp)) {
            char *d = jw__lit_key(jw__comma(w, sp.d), key, n);
            jw__after_value(w);
            /* "true" or "false": both stored, the length picks */
            memcpy(d, v ? "true" : "false", 5);
            jw__end(&sp, d + (v ? 4 : 5));
            return;
        }
    }
    jw_key(w, key);
    jw_bool(w, v);
}

#endif
