/* log.c — see log.h. */
#include "base/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int log_level = -1; /* -1: not yet read from the environment */
static int log_journal;

static void log_setup(void)
{
    const char *e = getenv("CAIRN_LOG");
    log_level = LOG_LVL_INFO;
    if (e) {
        if (!strcmp(e, "debug"))
            log_level = LOG_LVL_DEBUG;
        else if (!strcmp(e, "warn"))
            log_level = LOG_LVL_WARN;
        else if (!strcmp(e, "error"))
            log_level = LOG_LVL_ERR;
    }
    log_journal = getenv("JOURNAL_STREAM") != NULL;
}

void log_set_level(enum log_level lvl)
{
    if (log_level < 0)
        log_setup();
    log_level = (int)lvl;
}

enum log_level log_get_level(void)
{
    if (log_level < 0)
        log_setup();
    return (enum log_level)log_level;
}

void log_msg(enum log_level lvl, const char *module, const char *fmt, ...)
{
    if (log_level < 0)
        log_setup();
    if ((int)lvl > log_level)
        return;
    static const char *const names[8] = {"", "", "", "error", "warning", "", "info", "debug"};
    char line[1024];
    int n;
    if (log_journal)
        n = snprintf(line, sizeof line, "<%d>%s: ", (int)lvl, module);
    else
        n = snprintf(line, sizeof line, "cairn: %s %s: ", names[lvl & 7], module);
    if (n < 0 || (size_t)n > sizeof line - 64)
        return; /* module names are short static strings */
    char text[sizeof line];
    va_list ap;
    va_start(ap, fmt);
    int tn = vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (tn < 0)
        return;
    size_t tl = (size_t)tn < sizeof text ? (size_t)tn : sizeof text - 1;
    /* One event, one line, nothing a terminal would obey (see log.h). */
    log_escape(line + n, sizeof line - (size_t)n, text, tl, LOG_ESC_LINE | LOG_ESC_KEEP_BACKSLASH);
    fprintf(stderr, "%s\n", line);
}

/* ---- escaping (see log.h) ---- */

long log_utf8_at(const unsigned char *p, size_t len, size_t *n)
{
    unsigned c = p[0];
    *n = 1;
    if (c < 0x80)
        return (long)c;
    size_t k;
    unsigned long cp, min;
    if (c >= 0xC2 && c <= 0xDF)
        k = 1, cp = c & 0x1F, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF)
        k = 2, cp = c & 0x0F, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4)
        k = 3, cp = c & 0x07, min = 0x10000;
    else
        return -1;
    if (len <= k)
        return -1;
    for (size_t i = 1; i <= k; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return -1;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < min || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
        return -1;
    *n = k + 1;
    return (long)cp;
}

size_t log_escape_step(const char *s, size_t len, unsigned flags, char esc[12], size_t *adv)
{
    const unsigned char *p = (const unsigned char *)s;
    int json = (flags & LOG_ESC_JSON) != 0;
    int keep = !json && (flags & LOG_ESC_KEEP_NL);
    long cp = log_utf8_at(p, len, adv);
    if (cp < 0) {
        if (json) {
            memcpy(esc, "\\ufffd", 7);
            return 6;
        }
        return (size_t)snprintf(esc, 12, "\\x%02x", p[0]);
    }
    switch (cp) {
    case '\\':
        if (keep || (!json && (flags & LOG_ESC_KEEP_BACKSLASH)))
            return 0;
        memcpy(esc, "\\\\", 3);
        return 2;
    case '"':
        if (!json)
            return 0;
        memcpy(esc, "\\\"", 3);
        return 2;
    case '\n':
        if (keep)
            return 0;
        memcpy(esc, "\\n", 3);
        return 2;
    case '\t':
        if (keep)
            return 0;
        memcpy(esc, "\\t", 3);
        return 2;
    case '\r':
        memcpy(esc, "\\r", 3);
        return 2;
    default:
        break;
    }
    if (cp < 0x20 || cp == 0x7F)
        return (size_t)snprintf(esc, 12, json ? "\\u%04lx" : "\\x%02lx", (unsigned long)cp);
    if ((cp >= 0x80 && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
        (cp >= 0x2066 && cp <= 0x2069))
        return (size_t)snprintf(esc, 12, "\\u%04lx", (unsigned long)cp);
    return 0;
}

const char *log_escape(char *out, size_t cap, const char *s, size_t len, unsigned flags)
{
    size_t o = 0, i = 0;
    char esc[12];
    while (i < len) {
        size_t adv;
        size_t el = log_escape_step(s + i, len - i, flags, esc, &adv);
        const char *src = el ? esc : s + i;
        size_t n = el ? el : adv;
        if (o + n + 4 > cap) { /* room for "..." and the NUL */
            memcpy(out + o, "...", 3);
            o += 3;
            break;
        }
        memcpy(out + o, src, n);
        o += n;
        i += adv;
    }
    out[o] = 0;
    return out;
}
