/* dbuf.c — see dbuf.h. Growth doubles, bounded by max. */
#include "base/dbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"

void dbuf_init(struct dbuf *b, size_t max)
{
    b->p = NULL;
    b->len = b->cap = 0;
    b->max = max;
}

void dbuf_free(struct dbuf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

void dbuf_reset(struct dbuf *b)
{
    b->len = 0;
    if (b->p)
        b->p[0] = '\0';
}

static int dbuf_reserve(struct dbuf *b, size_t extra)
{
    if (extra > b->max - b->len)
        return CAIRN_E_TOOBIG;
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    size_t ncap = b->cap ? b->cap : 64;
    while (ncap < need)
        ncap *= 2;
    if (ncap > b->max + 1)
        ncap = b->max + 1;
    char *np = realloc(b->p, ncap);
    if (!np)
        return CAIRN_E_NOMEM;
    b->p = np;
    b->cap = ncap;
    return 0;
}

int dbuf_add(struct dbuf *b, const void *data, size_t len)
{
    int rc = dbuf_reserve(b, len);
    if (rc)
        return rc;
    if (len)
        memcpy(b->p + b->len, data, len);
    b->len += len;
    b->p[b->len] = '\0';
    return 0;
}

int dbuf_adds(struct dbuf *b, const char *s)
{
    return dbuf_add(b, s, strlen(s));
}

int dbuf_addc(struct dbuf *b, char c)
{
    if (b->len + 1 < b->cap) { /* fast path: room for the byte and the NUL */
        b->p[b->len++] = c;
        b->p[b->len] = '\0';
        return 0;
    }
    return dbuf_add(b, &c, 1);
}

int dbuf_vaddf(struct dbuf *b, const char *fmt, va_list ap)
{
    char tmp[256];
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return CAIRN_E_FORMAT;
    if ((size_t)n < sizeof tmp)
        return dbuf_add(b, tmp, (size_t)n);
    int rc = dbuf_reserve(b, (size_t)n);
    if (rc)
        return rc;
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int dbuf_addf(struct dbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = dbuf_vaddf(b, fmt, ap);
    va_end(ap);
    return rc;
}

void dbuf_consume(struct dbuf *b, size_t n)
{
    if (n >= b->len) {
        dbuf_reset(b);
        return;
    }
    memmove(b->p, b->p + n, b->len - n);
    b->len -= n;
    b->p[b->len] = '\0';
}

char *dbuf_take(struct dbuf *b, size_t *len_out)
{
    char *p = b->p;
    if (len_out)
        *len_out = b->len;
    b->p = NULL;
    b->len = b->cap = 0;
    return p;
}
