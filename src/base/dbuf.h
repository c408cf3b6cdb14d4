/*
 * dbuf.h — a growable byte buffer with a hard cap (curl's dynbuf habit).
 *
 * Every buffer in cairn that grows from outside input has a maximum size set
 * at init; an append past it fails with CAIRN_E_TOOBIG and leaves the buffer
 * as it was. The contents are always NUL-terminated (the NUL is not counted
 * in len) so text can be handed to C string functions.
 *
 * Ownership: the buffer owns its memory; dbuf_take() hands it to the caller,
 * who frees it with free(). dbuf_free() accepts a zeroed or freed buffer.
 */
#ifndef CAIRN_BASE_DBUF_H
#define CAIRN_BASE_DBUF_H

#include <stdarg.h>
#include <stddef.h>

struct dbuf {
    char *p;    /* contents, NUL-terminated; NULL until the first append */
    size_t len; /* bytes used, not counting the NUL */
    size_t cap; /* bytes allocated */
    size_t max; /* the most len may ever be */
};

/* Set up an empty buffer that may grow to max bytes. Allocates nothing. */
void dbuf_init(struct dbuf *b, size_t max);
/* Release the memory; the buffer is empty and may be used again. */
void dbuf_free(struct dbuf *b);
/* Forget the contents but keep the memory. */
void dbuf_reset(struct dbuf *b);
/* Append len bytes. 0, CAIRN_E_TOOBIG or CAIRN_E_NOMEM. */
int dbuf_add(struct dbuf *b, const void *data, size_t len);
/* Append a C string. */
int dbuf_adds(struct dbuf *b, const char *s);
/* Append one byte. */
int dbuf_addc(struct dbuf *b, char c);
/* Append printf-formatted text. */
int dbuf_addf(struct dbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int dbuf_vaddf(struct dbuf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Remove the first n bytes (n <= len), moving the rest to the front. */
void dbuf_consume(struct dbuf *b, size_t n);
/* Hand the contents to the caller (free() it); the buffer is left empty.
 * Returns NULL when nothing was ever appended. *len_out gets the length. */
char *dbuf_take(struct dbuf *b, size_t *len_out);

#endif
