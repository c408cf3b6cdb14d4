/*
 * jsonw.h — a small, fast JSON writer into a struct dbuf.
 *
 * Used for every JSON cairn prints (decode output, API bodies). It tracks
 * nesting so commas and colons come out right; keys and strings are escaped
 * per RFC 8259 (control characters as \u00XX, bytes >= 0x80 passed through,
 * the caller supplies UTF-8). Nesting is capped at JW_MAX_DEPTH; a write past
 * the cap or past the buffer's max sets err, and the caller checks it once.
 *
 *     struct jsonw w; jw_init(&w, &buf);
 *     jw_obj(&w); jw_key(&w, "df"); jw_int(&w, 17); jw_end(&w);
 *     // buf: {"df":17}
 */
#ifndef CAIRN_BASE_JSONW_H
#define CAIRN_BASE_JSONW_H

#include <stddef.h>
#include <stdint.h>

#include "base/dbuf.h"

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
void jw_obj(struct jsonw *w); /* { */
void jw_arr(struct jsonw *w); /* [ */
void jw_end(struct jsonw *w); /* } or ] */
void jw_key(struct jsonw *w, const char *key);
void jw_str(struct jsonw *w, const char *s);
void jw_strn(struct jsonw *w, const char *s, size_t n);
void jw_int(struct jsonw *w, int64_t v);
void jw_uint(struct jsonw *w, uint64_t v);
/* A number with a fixed count of decimals (trailing zeros kept). */
void jw_fixed(struct jsonw *w, double v, int decimals);
/* A number in %.*g form: the shortest of up to prec significant digits. */
void jw_num(struct jsonw *w, double v, int prec);
void jw_bool(struct jsonw *w, int v);
void jw_null(struct jsonw *w);
/* Insert pre-formatted JSON text as a value (the caller vouches for it). */
void jw_raw(struct jsonw *w, const char *json, size_t n);

/* Shorthands for a key and a value. */
void jw_kstr(struct jsonw *w, const char *key, const char *s);
void jw_kint(struct jsonw *w, const char *key, int64_t v);
void jw_kuint(struct jsonw *w, const char *key, uint64_t v);
void jw_kfixed(struct jsonw *w, const char *key, double v, int decimals);
void jw_knum(struct jsonw *w, const char *key, double v, int prec);
void jw_kbool(struct jsonw *w, const char *key, int v);

#endif
