/*
 * fpl.c — the readers of fpl.h: ICAO FPL messages and the points file.
 *
 * References: ICAO Doc 4444 PANS-ATM, 16th edition (2016), Appendix 2
 * (flight plan items 7, 8, 9, 10, 13, 15, 16, 18) and Appendix 3 (ATS
 * messages: "(" message type "-" fields ")" , field types 3, 7, 8, 9, 10,
 * 13, 15, 16, 18, 19; the character set A-Z 0-9 and ( ) - / . , ? : ' = +
 * and space; lines may break anywhere a space may stand).
 *
 * How a file is read:
 *  1. The buffer is scanned once. Bytes outside "(...)" (AFTN headers,
 *     blank lines) are skipped; inside, every byte must be of the ATS
 *     character set (lower case is folded, CR LF TAB count as spaces), no
 *     line may pass FPL_MAX_LINE and no message FPL_MAX_MSG_LEN. A
 *     message that breaks a rule is skipped to its ')' (or to the next '('
 *     when ')' is missing), with one error.
 *  2. A message's text is copied, normalised, into a bounded buffer and
 *     cut at '-' into fields; the first is the message type (field 3),
 *     then 7, 8, 9, 10, 13, 15, 16 and optionally 18 and 19.
 *  3. Each field has its own parser below; the first error skips the
 *     message. Unresolved route points are warnings: the plan is kept
 *     without FPL_P_ROUTE_OK.
 */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/grow.h"
#include "geo/geo.h"
#include "track/fpl.h"

/* ---------------------------------------------------------------- errors */

/* Copy at most 24 bytes of hostile text into out, printable ASCII only
 * ('?' for the rest), with "..." when cut: what an error may quote. */
static void quote(char *out, size_t cap, const char *s, size_t n)
{
    size_t k = 0, lim = n > 24 ? 24 : n;
    for (size_t i = 0; i < lim && k + 4 < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        out[k++] = (c >= 32 && c < 127 && c != '"' && c != '\\') ? (char)c : '?';
    }
    if (n > lim && k + 4 < cap) {
        memcpy(out + k, "...", 3);
        k += 3;
    }
    out[k] = '\0';
}

#if defined(__GNUC__)
__attribute__((format(printf, 7, 8)))
#endif
static void
err_add(struct fpl_errors *e, uint32_t msg, uint32_t line, unsigned field, int warn, int code,
        const char *fmt, ...)
{
    if (!e)
        return;
    if (e->n >= FPL_ERRORS_KEPT) {
        e->lost++;
        return;
    }
    struct fpl_error *x = &e->e[e->n++];
    x->msg = msg;
    x->line = line;
    x->field = (uint8_t)field;
    x->warn = (uint8_t)warn;
    x->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(x->text, sizeof x->text, fmt, ap);
    va_end(ap);
    for (char *p = x->text; *p; p++) /* the format's own text is ASCII; belt and braces */
        if ((unsigned char)*p < 32 || (unsigned char)*p > 126)
            *p = '?';
}

/* ---------------------------------------------------------------- points */

struct fpl_pnt {
    char name[FPL_MAX_NAME + 1];
    double lat_deg, lon_deg;
};

struct fpl_points {
    size_t n;
    struct fpl_pnt *p; /* sorted by name */
};

/* By name only: repeated names are resolved after sorting (the first
 * given wins), so qsort's instability does not matter. */
static int pnt_cmp(const void *a, const void *b)
{
    const struct fpl_pnt *x = a, *y = b;
    return strcmp(x->name, y->name);
}

/* Parse a decimal number from s[0..n): optional sign, digits, optional '.'
 * and digits; at most 20 characters. 0 or -1. */
static int parse_decimal(const char *s, size_t n, double *out)
{
    if (n == 0 || n > 20)
        return -1;
    char tmp[24];
    size_t digits = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9')
            digits++;
        else if (!((c == '-' || c == '+') && i == 0) && c != '.')
            return -1;
    }
    size_t dots = 0;
    for (size_t i = 0; i < n; i++)
        dots += s[i] == '.';
    if (!digits || dots > 1)
        return -1;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    char *end = NULL;
    double v = strtod(tmp, &end);
    if (end != tmp + n || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

static bool is_name_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

int fpl_points_parse(const char *buf, size_t len, struct fpl_points **out, struct fpl_errors *errs)
{
    *out = NULL;
    if (len > FPL_MAX_FILE_LEN) {
        err_add(errs, 0, 0, 0, 0, CAIRN_E_TOOBIG, "points file of %zu bytes: more than %u", len,
                (unsigned)FPL_MAX_FILE_LEN);
        return CAIRN_E_TOOBIG;
    }
    /* count lines for the allocation (bounded by FPL_MAX_POINTS) */
    size_t lines = 1;
    for (size_t i = 0; i < len; i++)
        lines += buf[i] == '\n';
    size_t cap = lines < FPL_MAX_POINTS ? lines : FPL_MAX_POINTS;
    struct fpl_points *pts = calloc(1, sizeof *pts);
    if (!pts)
        return CAIRN_E_NOMEM;
    pts->p = calloc(cap ? cap : 1, sizeof *pts->p);
    if (!pts->p) {
        free(pts);
        return CAIRN_E_NOMEM;
    }
    uint32_t line = 0;
    size_t i = 0;
    while (i < len) {
        line++;
        size_t s = i;
        while (i < len && buf[i] != '\n')
            i++;
        size_t e = i; /* line is buf[s..e) */
        if (i < len)
            i++;
        if (e - s > FPL_MAX_LINE) {
            if (errs)
                errs->long_lines++, errs->msgs++, errs->bad++;
            err_add(errs, 0, line, 0, 0, CAIRN_E_TOOBIG, "points line %u longer than %u bytes",
                    line, (unsigned)FPL_MAX_LINE);
            continue;
        }
        const char *hash = memchr(buf + s, '#', e - s);
        if (hash)
            e = (size_t)(hash - buf);
        /* split into up to 4 words */
        const char *w[4];
        size_t wl[4], nw = 0;
        bool bad_byte = false;
        for (size_t k = s; k < e;) {
            unsigned char c = (unsigned char)buf[k];
            if (c == ' ' || c == '\t' || c == '\r') {
                k++;
                continue;
            }
            size_t ws = k;
            while (k < e && buf[k] != ' ' && buf[k] != '\t' && buf[k] != '\r') {
                unsigned char d = (unsigned char)buf[k];
                if (d < 33 || d > 126)
                    bad_byte = true;
                k++;
            }
            if (nw < 4) {
                w[nw] = buf + ws;
                wl[nw] = k - ws;
            }
            nw++;
        }
        if (nw == 0 && !bad_byte)
            continue; /* blank or comment */
        if (errs)
            errs->msgs++;
        char q[32];
        if (bad_byte || nw != 3) {
            if (errs)
                errs->bad++;
            quote(q, sizeof q, buf + s, e - s);
            err_add(errs, 0, line, 0, 0, CAIRN_E_FORMAT,
                    "points line %u: want NAME LAT LON, got \"%s\"", line, q);
            continue;
        }
        struct fpl_pnt p;
        memset(&p, 0, sizeof p);
        bool ok = wl[0] >= 1 && wl[0] <= FPL_MAX_NAME;
        for (size_t k = 0; ok && k < wl[0]; k++) {
            char c = (char)toupper((unsigned char)w[0][k]);
            ok = is_name_char(c);
            p.name[k] = c;
        }
        if (!ok) {
            if (errs)
                errs->bad++;
            quote(q, sizeof q, w[0], wl[0]);
            err_add(errs, 0, line, 0, 0, CAIRN_E_FORMAT,
                    "points line %u: name \"%s\" is not 1-%u of A-Z 0-9", line, q,
                    (unsigned)FPL_MAX_NAME);
            continue;
        }
        if (parse_decimal(w[1], wl[1], &p.lat_deg) || parse_decimal(w[2], wl[2], &p.lon_deg) ||
            fabs(p.lat_deg) > 90.0 || fabs(p.lon_deg) > 180.0) {
            if (errs)
                errs->bad++;
            err_add(errs, 0, line, 0, 0, CAIRN_E_RANGE,
                    "points line %u: latitude/longitude not decimal degrees within +-90/+-180",
                    line);
            continue;
        }
        if (pts->n >= cap) {
            if (errs)
                errs->over_limit++, errs->bad++;
            err_add(errs, 0, line, 0, 0, CAIRN_E_FULL, "points line %u: more than %u points", line,
                    (unsigned)FPL_MAX_POINTS);
            break;
        }
        pts->p[pts->n++] = p;
        if (errs)
            errs->ok++;
    }
    /* Sort by name, then drop repeated names keeping the first given (each
     * point is tagged with its line order). */
    if (pts->n > 1) {
        size_t n = pts->n;
        struct tagged {
            struct fpl_pnt p;
            size_t ord;
        } *t = malloc(n * sizeof *t);
        if (!t) {
            fpl_points_free(pts);
            return CAIRN_E_NOMEM;
        }
        for (size_t k = 0; k < n; k++)
            t[k].p = pts->p[k], t[k].ord = k;
        qsort(t, n, sizeof *t, pnt_cmp); /* pnt_cmp reads the leading struct fpl_pnt */
        size_t m = 0;
        for (size_t k = 0; k < n;) {
            size_t j = k, best = k;
            while (j < n && strcmp(t[j].p.name, t[k].p.name) == 0) {
                if (t[j].ord < t[best].ord)
                    best = j;
                j++;
            }
            if (j - k > 1) {
                if (errs)
                    errs->warnings += (uint32_t)(j - k - 1);
                err_add(errs, 0, 0, 0, 1, CAIRN_E_EXISTS,
                        "point %s given %zu times: the first one is kept", t[k].p.name, j - k);
            }
            pts->p[m++] = t[best].p;
            k = j;
        }
        pts->n = m;
        free(t);
    }
    *out = pts;
    return 0;
}

void fpl_points_free(struct fpl_points *p)
{
    if (!p)
        return;
    free(p->p);
    free(p);
}

size_t fpl_points_count(const struct fpl_points *p)
{
    return p ? p->n : 0;
}

int fpl_points_find(const struct fpl_points *p, const char *name, size_t name_len, double *lat_deg,
                    double *lon_deg)
{
    if (!p || name_len == 0 || name_len > FPL_MAX_NAME)
        return CAIRN_E_NOTFOUND;
    char key[FPL_MAX_NAME + 1];
    memcpy(key, name, name_len);
    key[name_len] = '\0';
    size_t lo = 0, hi = p->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(p->p[mid].name, key);
        if (c == 0) {
            *lat_deg = p->p[mid].lat_deg;
            *lon_deg = p->p[mid].lon_deg;
            return 0;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return CAIRN_E_NOTFOUND;
}

/* ------------------------------------------------------------ messages */

/* What one message's parse works on. */
struct mctx {
    struct fpl_errors *errs;
    const struct fpl_points *pts;
    uint32_t msg, line;
    unsigned field; /* the field being parsed, for errors */
    struct fpl_plan *p;
    struct fpl_rpt route[FPL_MAX_ROUTE_PTS];
    size_t n_route;
    bool route_ok;
    bool has_f18;
    char f18[FPL_MAX_F18]; /* field 18, copied to the plan when it is kept */
};

/* An error in the current field: the message is skipped. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int
bad(struct mctx *c, int code, const char *fmt, ...)
{
    char text[FPL_ERROR_TEXT];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (c->errs && c->field < 20)
        c->errs->by_field[c->field]++;
    err_add(c->errs, c->msg, c->line, c->field, 0, code, "message %u (line %u) field %u: %s",
            c->msg, c->line, c->field, text);
    return code;
}

/* A warning naming a token: the message is kept. */
static void warn(struct mctx *c, const char *what, const char *tok, size_t n)
{
    char q[32];
    quote(q, sizeof q, tok, n);
    err_add(c->errs, c->msg, c->line, c->field, 1, CAIRN_E_NOTFOUND,
            "message %u (line %u) field %u: %s %s not in the points file: no deviation for "
            "this plan",
            c->msg, c->line, c->field, what, q);
}

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return n > 0;
}

static bool all_letters(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < 'A' || s[i] > 'Z')
            return false;
    return n > 0;
}

static bool all_alnum(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_name_char(s[i]))
            return false;
    return n > 0;
}

static unsigned num(const char *s, size_t n)
{
    unsigned v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (unsigned)(s[i] - '0');
    return v;
}

/* Trim spaces at both ends of s[0..*n). */
static const char *trim(const char *s, size_t *n)
{
    while (*n && s[0] == ' ')
        s++, (*n)--;
    while (*n && s[*n - 1] == ' ')
        (*n)--;
    return s;
}

/* Next space-separated token of s[*i..n): 1 and [*ts, *tl), or 0. */
static int next_tok(const char *s, size_t n, size_t *i, const char **ts, size_t *tl)
{
    while (*i < n && s[*i] == ' ')
        (*i)++;
    if (*i >= n)
        return 0;
    size_t b = *i;
    while (*i < n && s[*i] != ' ')
        (*i)++;
    *ts = s + b;
    *tl = *i - b;
    return 1;
}

/* Field 7: aircraft identification (1-7 of A-Z 0-9) and optionally "/A"
 * and the SSR mode A code (4 octal digits). */
static int f7(struct mctx *c, const char *s, size_t n)
{
    c->field = 7;
    s = trim(s, &n);
    const char *slash = memchr(s, '/', n);
    size_t il = slash ? (size_t)(slash - s) : n;
    char q[32];
    if (il < 1 || il > 7 || !all_alnum(s, il)) {
        quote(q, sizeof q, s, il);
        return bad(c, CAIRN_E_FORMAT, "aircraft identification \"%s\" is not 1-7 of A-Z 0-9", q);
    }
    memcpy(c->p->ident, s, il);
    c->p->ident[il] = '\0';
    if (slash) {
        const char *m = slash + 1;
        size_t ml = n - il - 1;
        if (ml != 5 || m[0] != 'A') {
            quote(q, sizeof q, m, ml);
            return bad(c, CAIRN_E_FORMAT, "SSR mode and code \"%s\" is not A and 4 digits", q);
        }
        uint16_t code = 0;
        for (int k = 1; k < 5; k++) {
            if (m[k] < '0' || m[k] > '7') {
                quote(q, sizeof q, m, ml);
                return bad(c, CAIRN_E_FORMAT, "SSR code \"%s\" has a digit that is not octal", q);
            }
            code = (uint16_t)(code << 3 | (uint16_t)(m[k] - '0'));
        }
        c->p->ssr = code;
        c->p->flags |= FPL_P_SSR;
    }
    return 0;
}

/* Field 8: flight rules (I V Y Z) and type of flight (S N G M X), the
 * latter optional. */
static int f8(struct mctx *c, const char *s, size_t n)
{
    c->field = 8;
    s = trim(s, &n);
    if (n < 1 || n > 2 || !strchr("IVYZ", s[0]) || (n == 2 && !strchr("SNGMX", s[1])))
        return bad(c, CAIRN_E_FORMAT, "flight rules and type of flight: want [IVYZ][SNGMX]");
    c->p->rules = s[0];
    c->p->type = n == 2 ? s[1] : ' ';
    return 0;
}

/* Field 9: optional number (1-2 digits), type of aircraft (2-4 of A-Z
 * 0-9, ZZZZ when none), '/', wake turbulence category (L M H J). */
static int f9(struct mctx *c, const char *s, size_t n)
{
    c->field = 9;
    s = trim(s, &n);
    if (n < 4 || s[n - 2] != '/' || !strchr("LMHJ", s[n - 1]) || s[n - 1] == '\0')
        return bad(c, CAIRN_E_FORMAT, "want [number]TYPE/wake, wake one of L M H J");
    size_t tl = n - 2, k = 0;
    while (k < tl && k < 2 && s[k] >= '0' && s[k] <= '9')
        k++;
    if (tl - k < 2 || tl - k > 4 || !all_alnum(s + k, tl - k) || !all_letters(s + k, 1))
        return bad(c, CAIRN_E_FORMAT, "type of aircraft is not 2-4 of A-Z 0-9");
    memcpy(c->p->actype, s + k, tl - k);
    c->p->actype[tl - k] = '\0';
    c->p->wake = s[n - 1];
    return 0;
}

/* Field 10: equipment "10a/10b", checked loosely: letters and digits
 * either side of one '/', 10a not empty (N when none). */
static int f10(struct mctx *c, const char *s, size_t n)
{
    c->field = 10;
    s = trim(s, &n);
    const char *slash = memchr(s, '/', n);
    size_t al = slash ? (size_t)(slash - s) : n;
    size_t bl = slash ? n - al - 1 : 0;
    if (!slash || al < 1 || al > 64 || bl > 64 || !all_alnum(s, al) ||
        (bl && !all_alnum(slash + 1, bl)))
        return bad(c, CAIRN_E_FORMAT, "equipment: want 1-64 of A-Z 0-9, '/', 0-64 of A-Z 0-9");
    return 0;
}

/* Aerodrome (4 letters) and time HHMM, as fields 13 and 16 start. */
static int aerodrome_time(struct mctx *c, const char *s, size_t n, char *ad, uint16_t *min,
                          bool duration)
{
    char q[32];
    if (n != 8 || !all_letters(s, 4) || !all_digits(s + 4, 4)) {
        quote(q, sizeof q, s, n);
        return bad(c, CAIRN_E_FORMAT, "\"%s\" is not an aerodrome (4 letters) and HHMM", q);
    }
    unsigned hh = num(s + 4, 2), mm = num(s + 6, 2);
    /* an EOBT is a time of day; a total EET may pass 24 h (up to 99:59) */
    if (mm > 59 || (!duration && hh > 23)) {
        quote(q, sizeof q, s + 4, 4);
        return bad(c, CAIRN_E_RANGE, "time \"%s\" is not a valid HHMM", q);
    }
    memcpy(ad, s, 4);
    ad[4] = '\0';
    *min = (uint16_t)(hh * 60 + mm);
    return 0;
}

static int f13(struct mctx *c, const char *s, size_t n)
{
    c->field = 13;
    s = trim(s, &n);
    return aerodrome_time(c, s, n, c->p->dep, &c->p->eobt_min, false);
}

/* Field 16: destination and total EET, then up to two alternates. */
static int f16(struct mctx *c, const char *s, size_t n)
{
    c->field = 16;
    size_t i = 0, tl = 0;
    const char *t = NULL;
    if (!next_tok(s, n, &i, &t, &tl))
        return bad(c, CAIRN_E_FORMAT, "empty: want destination and total EET");
    int r = aerodrome_time(c, t, tl, c->p->dest, &c->p->eet_min, true);
    if (r)
        return r;
    for (int k = 0; next_tok(s, n, &i, &t, &tl); k++) {
        if (k >= 2)
            return bad(c, CAIRN_E_FORMAT, "more than two alternate aerodromes");
        if (tl != 4 || !all_letters(t, 4)) {
            char q[32];
            quote(q, sizeof q, t, tl);
            return bad(c, CAIRN_E_FORMAT, "alternate \"%s\" is not 4 letters", q);
        }
        memcpy(c->p->altn[k], t, 4);
        c->p->altn[k][4] = '\0';
    }
    return 0;
}

/* ------------------------------------------------------------- field 15 */

/* Cruising speed: N + 4 digits (kt), K + 4 digits (km/h), M + 3 digits
 * (Mach x 100). Returns its length (5 or 4) or 0. */
static size_t speed_len(const char *s, size_t n)
{
    if (n >= 5 && (s[0] == 'N' || s[0] == 'K') && all_digits(s + 1, 4))
        return 5;
    if (n >= 4 && s[0] == 'M' && all_digits(s + 1, 3))
        return 4;
    return 0;
}

/* Cruising level: F + 3 digits (flight level), S + 4 (standard metric
 * level, tens of metres), A + 3 (altitude, hundreds of feet), M + 4
 * (altitude, tens of metres), or VFR. Its length or 0. */
static size_t level_len(const char *s, size_t n)
{
    if (n >= 4 && (s[0] == 'F' || s[0] == 'A') && all_digits(s + 1, 3))
        return 4;
    if (n >= 5 && (s[0] == 'S' || s[0] == 'M') && all_digits(s + 1, 4))
        return 5;
    if (n >= 3 && memcmp(s, "VFR", 3) == 0)
        return 3;
    return 0;
}

/* Speed immediately followed by level, exactly n bytes. */
static bool speed_level(const char *s, size_t n)
{
    size_t a = speed_len(s, n);
    return a && a < n && level_len(s + a, n - a) == n - a;
}

/* Coordinates: "DDNDDDE" (7) or "DDMMNDDDMME" (11). 1 and the position,
 * or 0. */
static int coords(const char *s, size_t n, double *lat, double *lon)
{
    double la, lo;
    char ns, ew;
    if (n == 7 && all_digits(s, 2) && all_digits(s + 3, 3)) {
        la = num(s, 2);
        ns = s[2];
        lo = num(s + 3, 3);
        ew = s[6];
    } else if (n == 11 && all_digits(s, 4) && all_digits(s + 5, 5)) {
        unsigned lam = num(s + 2, 2), lom = num(s + 8, 2);
        if (lam > 59 || lom > 59)
            return 0;
        la = num(s, 2) + lam / 60.0;
        ns = s[4];
        lo = num(s + 5, 3) + lom / 60.0;
        ew = s[10];
    } else {
        return 0;
    }
    if ((ns != 'N' && ns != 'S') || (ew != 'E' && ew != 'W') || la > 90.0 || lo > 180.0)
        return 0;
    *lat = ns == 'S' ? -la : la;
    *lon = ew == 'W' ? -lo : lo;
    return 1;
}

/* A route designator (ATS route, SID, STAR): 2-7 of A-Z 0-9 with at least
 * one digit and starting with a letter (UL620, M985, ODN1A), the shape
 * that tells it from a named point (letters only). */
static bool route_designator(const char *s, size_t n)
{
    if (n < 2 || n > 7 || !all_alnum(s, n) || !all_letters(s, 1))
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] >= '0' && s[i] <= '9')
            return true;
    return false;
}

/* Place a significant point. 1 placed, 0 not a point's shape, -1 a
 * point's shape that cannot be placed (unknown name). */
static int place_point(struct mctx *c, const char *s, size_t n, double *lat, double *lon)
{
    if (coords(s, n, lat, lon))
        return 1;
    if (n <= FPL_MAX_NAME && all_alnum(s, n) && fpl_points_find(c->pts, s, n, lat, lon) == 0)
        return 1;
    /* bearing and distance: a point (coded designator or coordinates)
     * followed by 3 digits of bearing (degrees) and 3 of distance (NM) */
    if (n >= 8 && all_digits(s + n - 6, 6)) {
        unsigned brg = num(s + n - 6, 3), dist = num(s + n - 3, 3);
        double la, lo;
        size_t pl = n - 6;
        int base = 0;
        if (coords(s, pl, &la, &lo))
            base = 1;
        else if (pl >= 2 && pl <= 5 && all_letters(s, pl))
            base = fpl_points_find(c->pts, s, pl, &la, &lo) == 0 ? 1 : -1;
        if (base && brg <= 360) {
            if (base < 0)
                return -1;
            /* Doc 4444 gives the bearing in degrees magnetic; with no
             * magnetic model here it is taken as true (docs/flightplan.md:
             * a few degrees of error, 3.5 NM at 40 NM for 5 deg) */
            geo_direct(la, lo, (double)brg, dist * GEO_M_PER_NM, lat, lon, NULL);
            return 1;
        }
    }
    if (n >= 2 && n <= 5 && all_letters(s, n))
        return -1; /* a named point or navaid not in the points file */
    return 0;
}

static int add_point(struct mctx *c, const char *name, size_t nl, double lat, double lon)
{
    if (c->n_route >= FPL_MAX_ROUTE_PTS)
        return bad(c, CAIRN_E_FULL, "route of more than %u points", (unsigned)FPL_MAX_ROUTE_PTS);
    struct fpl_rpt *r = &c->route[c->n_route++];
    r->lat_deg = lat;
    r->lon_deg = lon;
    size_t k = nl < sizeof r->name - 1 ? nl : sizeof r->name - 1;
    memcpy(r->name, name, k);
    r->name[k] = '\0';
    return 0;
}

/* Departure or destination aerodrome as a route point (ZZZZ, AFIL: none). */
static void aerodrome_point(struct mctx *c, const char *ad)
{
    double la, lo;
    if (!strcmp(ad, "ZZZZ") || !strcmp(ad, "AFIL")) {
        if (!strcmp(ad, "ZZZZ"))
            c->route_ok = false; /* its place is in DEP/ or DEST/ text: not read */
        return;
    }
    if (fpl_points_find(c->pts, ad, 4, &la, &lo) == 0) {
        (void)add_point(c, ad, 4, la, lo); /* room is kept for it, see f15 */
        return;
    }
    c->route_ok = false;
    warn(c, "aerodrome", ad, 4);
    if (c->errs)
        c->errs->warnings++;
}

/*
 * Field 15: "speedlevel route...", route elements separated by spaces:
 * DCT; an ATS route, SID or STAR designator; a significant point,
 * optionally followed by "/speedlevel" (a change of speed or level); VFR,
 * IFR, OAT, GAT (changes of rules or of traffic: no position); "C/point/
 * speed level level" or "C/point/speed level PLUS" (cruise climb); T (the
 * route is truncated: what follows is unknown). Points are placed in order;
 * designators between them are straight legs.
 */
static int f15(struct mctx *c, const char *s, size_t n)
{
    c->field = 15;
    size_t i = 0, tl = 0;
    const char *t = NULL;
    char q[32];
    if (!next_tok(s, n, &i, &t, &tl) || !speed_level(t, tl)) {
        quote(q, sizeof q, t ? t : "", t ? tl : 0);
        return bad(c, CAIRN_E_FORMAT, "\"%s\" is not a cruising speed and level (e.g. N0450F350)",
                   q);
    }
    size_t sl = speed_len(t, tl);
    memcpy(c->p->speed, t, sl);
    c->p->speed[sl] = '\0';
    memcpy(c->p->level, t + sl, tl - sl);
    c->p->level[tl - sl] = '\0';
    while (next_tok(s, n, &i, &t, &tl)) {
        /* keep one slot for the destination aerodrome */
        if (c->n_route + 1 >= FPL_MAX_ROUTE_PTS)
            return bad(c, CAIRN_E_FULL, "route of more than %u points",
                       (unsigned)FPL_MAX_ROUTE_PTS);
        if ((tl == 3 && (!memcmp(t, "DCT", 3) || !memcmp(t, "VFR", 3) || !memcmp(t, "IFR", 3) ||
                         !memcmp(t, "OAT", 3) || !memcmp(t, "GAT", 3)))) {
            continue;
        }
        if (tl == 1 && t[0] == 'T') {
            /* truncated route: the rest of the way is unknown */
            c->route_ok = false;
            break;
        }
        const char *ps = t;
        size_t pl = tl;
        if (tl > 2 && t[0] == 'C' && t[1] == '/') {
            /* cruise climb: C/point/speed level (level or PLUS) */
            ps = t + 2;
            const char *sl2 = memchr(ps, '/', tl - 2);
            if (!sl2)
                return bad(c, CAIRN_E_FORMAT, "cruise climb without '/speed levels'");
            pl = (size_t)(sl2 - ps);
            const char *v = sl2 + 1;
            size_t vl = tl - 2 - pl - 1;
            size_t a = speed_len(v, vl), b = a ? level_len(v + a, vl - a) : 0;
            size_t rest = vl - a - b;
            bool to_ok =
                (rest == 4 && (!memcmp(v + a + b, "PLUS", 4) || level_len(v + a + b, 4) == 4)) ||
                (rest == 5 && level_len(v + a + b, 5) == 5);
            if (!a || !b || !to_ok)
                return bad(c, CAIRN_E_FORMAT, "cruise climb speed and levels not understood");
        } else {
            const char *sl2 = memchr(t, '/', tl);
            if (sl2) {
                pl = (size_t)(sl2 - t);
                if (!speed_level(sl2 + 1, tl - pl - 1)) {
                    quote(q, sizeof q, t, tl);
                    return bad(c, CAIRN_E_FORMAT,
                               "change of speed/level \"%s\" not point/speedlevel", q);
                }
            }
        }
        double la = 0, lo = 0;
        int r = pl ? place_point(c, ps, pl, &la, &lo) : 0;
        if (r == 1) {
            if (add_point(c, ps, pl, la, lo))
                return CAIRN_E_FULL;
            continue;
        }
        if (r == -1) {
            if (c->errs)
                c->errs->warnings++;
            warn(c, "point", ps, pl);
            c->route_ok = false;
            continue;
        }
        if (pl == tl && route_designator(t, tl)) {
            continue;
        }
        quote(q, sizeof q, t, tl);
        return bad(c, CAIRN_E_FORMAT, "route element \"%s\" not understood", q);
    }
    return 0;
}

/* ------------------------------------------------------------- field 18 */

static int64_t days_from_civil(int y, unsigned m, unsigned d)
{
    /* proleptic Gregorian calendar, March-based years (eras of 400 years) */
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int64_t)era * 146097 + (int64_t)doe - 719468;
}

/* Field 18: "0", or indicators "XXX/text" (2-4 letters and '/' at the
 * start of a word begin each). DOF/YYMMDD and CODE/ (6 hex digits) are
 * read; everything is kept raw in f18. */
static int f18(struct mctx *c, const char *s, size_t n)
{
    c->field = 18;
    s = trim(s, &n);
    size_t keep = n < FPL_MAX_F18 - 1 ? n : FPL_MAX_F18 - 1;
    memcpy(c->f18, s, keep);
    c->f18[keep] = '\0';
    c->has_f18 = true;
    if (n == 1 && s[0] == '0')
        return 0;
    size_t i = 0, tl = 0;
    const char *t = NULL;
    bool first = true, seen_dof = false, seen_code = false;
    char q[32];
    while (next_tok(s, n, &i, &t, &tl)) {
        const char *sl = memchr(t, '/', tl);
        size_t il = sl ? (size_t)(sl - t) : 0;
        bool ind = sl && il >= 2 && il <= 4 && all_letters(t, il);
        if (first && !ind) {
            quote(q, sizeof q, t, tl);
            return bad(c, CAIRN_E_FORMAT, "\"%s\" is not 0 nor an indicator such as DOF/", q);
        }
        first = false;
        if (!ind)
            continue; /* more words of the previous indicator's text */
        const char *v = sl + 1;
        size_t vl = tl - il - 1;
        if (il == 3 && !memcmp(t, "DOF", 3)) {
            if (seen_dof)
                return bad(c, CAIRN_E_FORMAT, "DOF/ given twice");
            seen_dof = true;
            if (vl != 6 || !all_digits(v, 6))
                return bad(c, CAIRN_E_FORMAT, "DOF/ is not YYMMDD");
            unsigned yy = num(v, 2), mm = num(v + 2, 2), dd = num(v + 4, 2);
            if (mm < 1 || mm > 12 || dd < 1)
                return bad(c, CAIRN_E_RANGE, "DOF/ month %u or day %u out of range", mm, dd);
            static const unsigned mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
            int year = 2000 + (int)yy; /* two-digit years: 2000-2099 */
            bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
            if (dd > mdays[mm - 1] || (mm == 2 && dd == 29 && !leap))
                return bad(c, CAIRN_E_RANGE, "DOF/ day %u does not exist in month %u", dd, mm);
            c->p->eobt_ms = (days_from_civil(year, mm, dd) * 1440 + c->p->eobt_min) * 60000;
            c->p->flags |= FPL_P_DOF;
        } else if (il == 4 && !memcmp(t, "CODE", 4)) {
            if (seen_code)
                return bad(c, CAIRN_E_FORMAT, "CODE/ given twice");
            seen_code = true;
            uint32_t a = 0;
            bool ok = vl == 6;
            for (size_t k = 0; ok && k < 6; k++) {
                char h = v[k];
                ok = (h >= '0' && h <= '9') || (h >= 'A' && h <= 'F');
                a = a << 4 | (uint32_t)(h <= '9' ? h - '0' : h - 'A' + 10);
            }
            /* all zeros and all ones are not assignable addresses (Annex 10 Vol III) */
            if (!ok || a == 0 || a == 0xFFFFFF)
                return bad(c, CAIRN_E_FORMAT, "CODE/ is not a 24-bit address in 6 hex digits");
            c->p->icao = a;
            c->p->flags |= FPL_P_ICAO;
        }
    }
    return 0;
}

/* ------------------------------------------------------------ a message */

/* Parse one normalised message text m[0..n) (between the parentheses) into
 * c->p. 0 or the error (already reported). */
static int parse_message(struct mctx *c, const char *m, size_t n)
{
    const char *f[12];
    size_t fl[12], nf = 0;
    size_t b = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || m[i] == '-') {
            if (nf >= 12) {
                c->field = 0;
                return bad(c, CAIRN_E_FORMAT, "more than 11 fields");
            }
            f[nf] = m + b;
            fl[nf++] = i - b;
            b = i + 1;
        }
    }
    /* field 3: FPL, optionally with message numbers "FPL/A001B002" */
    c->field = 3;
    size_t tl = fl[0];
    const char *ty = trim(f[0], &tl);
    if (tl < 3 || memcmp(ty, "FPL", 3) != 0 || (tl > 3 && ty[3] != '/')) {
        if (c->errs)
            c->errs->not_fpl++;
        char q[32];
        quote(q, sizeof q, ty, tl);
        return bad(c, CAIRN_E_UNSUPPORTED, "message type \"%s\" is not FPL", q);
    }
    if (nf < 8) {
        c->field = 0;
        return bad(c, CAIRN_E_TRUNCATED,
                   "%zu fields after the type, want at least 7 (7 8 9 10 13 15 16)", nf - 1);
    }
    int r;
    if ((r = f7(c, f[1], fl[1])) || (r = f8(c, f[2], fl[2])) || (r = f9(c, f[3], fl[3])) ||
        (r = f10(c, f[4], fl[4])) || (r = f13(c, f[5], fl[5])) || (r = f16(c, f[7], fl[7])))
        return r;
    if (nf >= 9 && (r = f18(c, f[8], fl[8])))
        return r;
    if (nf > 10) {
        c->field = 0;
        return bad(c, CAIRN_E_FORMAT, "%zu fields, at most 9 after the type (up to 19)", nf - 1);
    }
    /* field 19 (supplementary information) is not used; it is not checked */
    /* route: departure, field 15, destination */
    c->route_ok = true;
    c->n_route = 0;
    c->field = 13;
    aerodrome_point(c, c->p->dep);
    if ((r = f15(c, f[6], fl[6])))
        return r;
    c->field = 16;
    aerodrome_point(c, c->p->dest);
    if (c->n_route == 0)
        c->route_ok = false;
    return 0;
}

/* The ATS message character set (Doc 4444 Appendix 3, 1.2), after case
 * folding; '(' and ')' delimit messages and are handled by the scanner. */
static bool ats_char(unsigned char ch)
{
    return (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == ' ' || ch == '-' ||
           ch == '/' || ch == '.' || ch == ',' || ch == '?' || ch == ':' || ch == '\'' ||
           ch == '=' || ch == '+';
}

struct fpl_build {
    struct fpl_plan *plans;
    size_t n, cap;
};

static int keep_plan(struct fpl_build *b, const struct mctx *c)
{
    int rc = GROW_ARRAY(&b->plans, &b->cap, b->n + 1, 16);
    if (rc)
        return rc;
    struct fpl_plan *p = &b->plans[b->n];
    *p = *c->p;
    p->pts = NULL;
    p->n_pts = 0;
    if (c->n_route) {
        p->pts = malloc(c->n_route * sizeof *p->pts);
        if (!p->pts)
            return CAIRN_E_NOMEM;
        memcpy(p->pts, c->route, c->n_route * sizeof *p->pts);
        p->n_pts = c->n_route;
    }
    p->f18 = NULL;
    if (c->has_f18) {
        size_t l = strlen(c->f18);
        p->f18 = malloc(l + 1);
        if (!p->f18) {
            free(p->pts);
            return CAIRN_E_NOMEM;
        }
        memcpy(p->f18, c->f18, l + 1);
    }
    if (c->route_ok)
        p->flags |= FPL_P_ROUTE_OK;
    b->n++;
    return 0;
}

void fpl_set_free(struct fpl_set *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++) {
        free(s->plans[i].pts);
        free(s->plans[i].f18);
    }
    free(s->plans);
    free(s);
}

int fpl_parse(const char *buf, size_t len, const struct fpl_points *pts, struct fpl_set **out,
              struct fpl_errors *errs)
{
    *out = NULL;
    if (len > FPL_MAX_FILE_LEN) {
        err_add(errs, 0, 0, 0, 0, CAIRN_E_TOOBIG, "FPL file of %zu bytes: more than %u", len,
                (unsigned)FPL_MAX_FILE_LEN);
        return CAIRN_E_TOOBIG;
    }
    struct mctx *c = calloc(1, sizeof *c);
    char *text = malloc(FPL_MAX_MSG_LEN);
    struct fpl_plan *plan = calloc(1, sizeof *plan);
    struct fpl_build b = {0};
    int rc = 0;
    if (!c || !text || !plan) {
        rc = CAIRN_E_NOMEM;
        goto done;
    }
    c->errs = errs;
    c->pts = pts;
    uint32_t line = 1, msgno = 0;
    size_t col = 0; /* bytes on the current line so far */
    bool long_line = false;
    size_t i = 0;
    while (i < len) {
        /* outside a message: find '(' */
        unsigned char ch = (unsigned char)buf[i++];
        if (ch == '\n') {
            line++, col = 0, long_line = false;
            continue;
        }
        if (++col > FPL_MAX_LINE && !long_line) {
            long_line = true;
            if (errs)
                errs->long_lines++;
            err_add(errs, 0, line, 0, 0, CAIRN_E_TOOBIG, "line %u longer than %u bytes", line,
                    (unsigned)FPL_MAX_LINE);
        }
        if (ch != '(')
            continue;
        /* a message: copy to ')' */
        msgno++;
        uint32_t mline = line;
        if (errs)
            errs->msgs++;
        size_t tn = 0;
        int why = 0; /* 1 bad byte, 2 too long, 3 long line, 4 unterminated, 5 nested '(' */
        unsigned char badc = 0;
        bool closed = false;
        while (i < len) {
            unsigned char d = (unsigned char)buf[i];
            if (d == '(') {
                if (!why)
                    why = 5; /* the next message starts here: leave '(' to the scanner */
                break;
            }
            i++;
            if (d == ')') {
                closed = true;
                break;
            }
            if (d == '\n') {
                line++, col = 0, long_line = false;
                d = ' ';
            } else if (++col > FPL_MAX_LINE && !long_line) {
                long_line = true;
                if (errs)
                    errs->long_lines++;
                if (!why)
                    why = 3;
            }
            if (d == '\r' || d == '\t')
                d = ' ';
            if (d >= 'a' && d <= 'z')
                d = (unsigned char)(d - 'a' + 'A');
            if (!ats_char(d)) {
                if (!why)
                    why = 1, badc = d;
                continue;
            }
            if (tn >= FPL_MAX_MSG_LEN) {
                if (!why)
                    why = 2;
                continue;
            }
            text[tn++] = (char)d;
        }
        if (!closed && !why)
            why = 4;
        if (msgno > FPL_MAX_MSGS) {
            if (errs)
                errs->over_limit++, errs->bad++;
            if (msgno == FPL_MAX_MSGS + 1)
                err_add(errs, msgno, mline, 0, 0, CAIRN_E_FULL,
                        "more than %u messages: the rest are skipped", (unsigned)FPL_MAX_MSGS);
            continue;
        }
        if (why) {
            if (errs)
                errs->bad++;
            char tx[64];
            switch (why) {
            case 1:
                snprintf(tx, sizeof tx, "byte 0x%02x is not of the ATS character set", badc);
                break;
            case 2:
                snprintf(tx, sizeof tx, "longer than %u bytes", (unsigned)FPL_MAX_MSG_LEN);
                break;
            case 3:
                snprintf(tx, sizeof tx, "a line longer than %u bytes", (unsigned)FPL_MAX_LINE);
                break;
            case 4:
                snprintf(tx, sizeof tx, "no ')' before the end of the file");
                break;
            default:
                snprintf(tx, sizeof tx, "'(' before its ')'");
                break;
            }
            err_add(errs, msgno, mline, 0, 0, why == 4 ? CAIRN_E_TRUNCATED : CAIRN_E_FORMAT,
                    "message %u (line %u): %s; skipped", msgno, mline, tx);
            continue;
        }
        memset(plan, 0, sizeof *plan);
        plan->msg = msgno;
        plan->line = mline;
        c->p = plan;
        c->msg = msgno;
        c->line = mline;
        c->field = 0;
        c->has_f18 = false;
        if (parse_message(c, text, tn)) {
            if (errs)
                errs->bad++;
            continue;
        }
        if ((rc = keep_plan(&b, c)) != 0)
            goto done;
        if (errs)
            errs->ok++;
    }
    struct fpl_set *set = calloc(1, sizeof *set);
    if (!set) {
        rc = CAIRN_E_NOMEM;
        goto done;
    }
    set->n = b.n;
    set->plans = b.plans;
    b.plans = NULL;
    b.n = 0;
    *out = set;
done:
    for (size_t k = 0; k < b.n; k++) {
        free(b.plans[k].pts);
        free(b.plans[k].f18);
    }
    free(b.plans);
    free(plan);
    free(text);
    free(c);
    return rc;
}
