/*
 * parse.c — routes, query strings, cookies, bearer tokens, the login body,
 * CIDR lists and content types (parse.h). Everything here reads only the
 * bytes it is given and writes only into caller-sized buffers; it is what
 * tests/fuzz/fuzz_http.c exercises.
 */
#include "web/parse.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "base/error.h"
#include "base/hex.h"
#include "web/auth.h"

#define MAX_SEGS 32

/* Percent-decode src[0..n) into dst (cap bytes, NUL-terminated). plus:
 * '+' means a space (query strings). Refuses NUL and control bytes after
 * decoding. Returns the decoded length or an error. */
static int pct_decode(const char *src, size_t n, char *dst, size_t cap, int plus)
{
    size_t o = 0;
    if (cap == 0)
        return CAIRN_E_TOOBIG;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)src[i];
        if (c == '%') {
            if (i + 2 >= n)
                return CAIRN_E_FORMAT;
            int h = hex_digit(src[i + 1]), l = hex_digit(src[i + 2]);
            if (h < 0 || l < 0)
                return CAIRN_E_FORMAT;
            c = (unsigned char)(h * 16 + l);
            i += 2;
        } else if (c == '+' && plus) {
            c = ' ';
        }
        if (c < 0x20 || c == 0x7f)
            return CAIRN_E_FORMAT;
        if (o + 1 >= cap)
            return CAIRN_E_TOOBIG;
        dst[o++] = (char)c;
    }
    dst[o] = '\0';
    return (int)o;
}

static int id_ok(const char *s, size_t n)
{
    if (n == 0 || n > WEB_ID_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == ':' || c == '~' || c == '-'))
            return 0;
    }
    return 1;
}

/* A decoded file-name segment that may be served: not empty, not starting
 * with '.', printable, no '/' or '\'. */
static int file_seg_ok(const char *s, size_t n)
{
    if (n == 0 || s[0] == '.')
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '/' || c == '\\' || c < 0x20 || c == 0x7f)
            return 0;
    }
    return 1;
}

struct seg {
    char s[WEB_PATH_MAX];
    size_t n;
};

struct route_def {
    const char *pat[5]; /* "*" is the ID */
    int nseg;
    enum web_route_id id;
};

static const struct route_def routes[] = {
    {{"api", "login"}, 2, WEB_R_LOGIN},
    {{"api", "logout"}, 2, WEB_R_LOGOUT},
    {{"api", "me"}, 2, WEB_R_ME},
    {{"api", "tracks"}, 2, WEB_R_TRACKS},
    {{"api", "tracks", "*"}, 3, WEB_R_TRACK},
    {{"api", "tracks", "*", "radio"}, 4, WEB_R_TRACK_RADIO},
    {{"api", "tracks", "*", "release"}, 4, WEB_R_TRACK_RELEASE},
    {{"api", "alerts"}, 2, WEB_R_ALERTS},
    {{"api", "alerts", "*", "ack"}, 4, WEB_R_ALERT_ACK},
    {{"api", "alerts", "*", "draft"}, 4, WEB_R_ALERT_DRAFT},
    {{"api", "cases"}, 2, WEB_R_CASES},
    {{"api", "messages"}, 2, WEB_R_MESSAGES},
    {{"api", "messages", "drafts"}, 3, WEB_R_DRAFTS},
    {{"api", "messages", "drafts", "*"}, 4, WEB_R_DRAFT},
    {{"api", "messages", "drafts", "*", "delete"}, 5, WEB_R_DRAFT_DELETE},
    {{"api", "zones"}, 2, WEB_R_ZONES},
    {{"api", "compliance"}, 2, WEB_R_COMPLIANCE},
    {{"api", "messages", "*"}, 3, WEB_R_MESSAGE},
    {{"api", "messages", "*", "ack"}, 4, WEB_R_MESSAGE_ACK},
    {{"api", "sensors"}, 2, WEB_R_SENSORS},
    {{"api", "link"}, 2, WEB_R_LINK},
    {{"api", "events"}, 2, WEB_R_EVENTS},
    {{"data", "aircraft.json"}, 2, WEB_R_AIRCRAFT},
    {{"data", "receiver.json"}, 2, WEB_R_RECEIVER},
    {{"metrics"}, 1, WEB_R_METRICS},
    {{"healthz"}, 1, WEB_R_HEALTHZ},
};

int web_route_parse(const char *path, size_t len, struct web_route *out)
{
    memset(out, 0, sizeof *out);
    if (len == 0 || path[0] != '/')
        return CAIRN_E_FORMAT;
    if (len >= WEB_PATH_MAX)
        return CAIRN_E_TOOBIG;
    /* Split on '/' (raw), decode each segment. The last empty segment of
     * a path ending in '/' stands for the folder's index.html. */
    static _Thread_local struct seg segs[MAX_SEGS];
    int nseg = 0, dir = 0;
    size_t i = 1;
    while (i <= len) {
        size_t j = i;
        while (j < len && path[j] != '/')
            j++;
        if (j == i) {
            if (j == len) {
                dir = 1;
                break;
            }
            return CAIRN_E_FORMAT; /* "//" */
        }
        if (nseg == MAX_SEGS)
            return CAIRN_E_TOOBIG;
        int r = pct_decode(path + i, j - i, segs[nseg].s, sizeof segs[nseg].s, 0);
        if (r < 0)
            return r;
        segs[nseg].n = (size_t)r;
        if (memchr(segs[nseg].s, '/', segs[nseg].n) || memchr(segs[nseg].s, '\\', segs[nseg].n))
            return CAIRN_E_FORMAT;
        if (segs[nseg].s[0] == '.') /* ".", "..", hidden files */
            return CAIRN_E_FORMAT;
        nseg++;
        i = j + 1;
    }
    if (nseg > 0 && (strcmp(segs[0].s, "api") == 0 || strcmp(segs[0].s, "data") == 0 ||
                     strcmp(segs[0].s, "metrics") == 0 || strcmp(segs[0].s, "healthz") == 0)) {
        if (dir && nseg > 1)
            return 0; /* "/api/tracks/": no such route */
        for (size_t k = 0; k < sizeof routes / sizeof routes[0]; k++) {
            const struct route_def *d = &routes[k];
            if (d->nseg != nseg)
                continue;
            int ok = 1;
            const char *arg = NULL;
            size_t argn = 0;
            for (int s = 0; s < nseg && ok; s++) {
                if (strcmp(d->pat[s], "*") == 0) {
                    arg = segs[s].s;
                    argn = segs[s].n;
                } else if (strcmp(d->pat[s], segs[s].s) != 0) {
                    ok = 0;
                }
            }
            if (!ok)
                continue;
            if (arg) {
                if (!id_ok(arg, argn))
                    return CAIRN_E_FORMAT;
                memcpy(out->arg, arg, argn + 1);
            }
            out->id = d->id;
            return 0;
        }
        return 0; /* WEB_R_NONE */
    }
    /* A static file: the decoded segments joined. */
    size_t o = 0;
    for (int s = 0; s < nseg; s++) {
        if (!file_seg_ok(segs[s].s, segs[s].n))
            return CAIRN_E_FORMAT;
        if (o + segs[s].n + 2 >= sizeof out->file)
            return CAIRN_E_TOOBIG;
        if (o)
            out->file[o++] = '/';
        memcpy(out->file + o, segs[s].s, segs[s].n);
        o += segs[s].n;
    }
    if (nseg == 0 || dir) {
        static const char idx[] = "index.html";
        if (o + sizeof idx + 1 >= sizeof out->file)
            return CAIRN_E_TOOBIG;
        if (o)
            out->file[o++] = '/';
        memcpy(out->file + o, idx, sizeof idx);
        o += sizeof idx - 1;
    }
    out->file[o] = '\0';
    out->id = WEB_R_STATIC;
    return 0;
}

int web_route_allows(enum web_route_id r, int post)
{
    switch (r) {
    case WEB_R_LOGIN:
    case WEB_R_LOGOUT:
    case WEB_R_TRACK_RADIO:
    case WEB_R_TRACK_RELEASE:
    case WEB_R_ALERT_ACK:
    case WEB_R_ALERT_DRAFT:
    case WEB_R_MESSAGE_ACK:
    case WEB_R_DRAFT_DELETE:
        return post;
    case WEB_R_MESSAGES:
    case WEB_R_DRAFTS:
    case WEB_R_DRAFT:
    case WEB_R_COMPLIANCE:
        return 1;
    case WEB_R_NONE:
        return 1; /* answered 404 whatever the method */
    default:
        return !post;
    }
}

int web_query_parse(const char *q, size_t len, char *scratch, size_t scratch_cap, struct web_kv *kv,
                    size_t cap)
{
    if (scratch_cap < 2 * len + 2)
        return CAIRN_E_TOOBIG;
    size_t n = 0, o = 0, i = 0;
    while (i < len) {
        size_t j = i;
        while (j < len && q[j] != '&')
            j++;
        if (j > i) {
            if (n == cap)
                return CAIRN_E_TOOBIG;
            const char *eq = memchr(q + i, '=', j - i);
            size_t klen = eq ? (size_t)(eq - (q + i)) : j - i;
            int r = pct_decode(q + i, klen, scratch + o, scratch_cap - o, 1);
            if (r < 0)
                return r;
            kv[n].key = scratch + o;
            o += (size_t)r + 1;
            if (eq) {
                r = pct_decode(eq + 1, j - i - klen - 1, scratch + o, scratch_cap - o, 1);
                if (r < 0)
                    return r;
            } else {
                if (o >= scratch_cap)
                    return CAIRN_E_TOOBIG;
                scratch[o] = '\0';
                r = 0;
            }
            kv[n].val = scratch + o;
            o += (size_t)r + 1;
            n++;
        }
        i = j + 1;
    }
    return (int)n;
}

int web_events_form(const struct web_kv *kv, size_t n, enum web_form *out)
{
    int seen = 0;
    *out = WEB_FORM_FULL;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(kv[i].key, "form") != 0)
            continue;
        if (seen++ || strcmp(kv[i].val, "moves") != 0)
            return CAIRN_E_FORMAT;
        *out = WEB_FORM_MOVES;
    }
    return 0;
}

static int hex64_ok(const char *s, size_t n)
{
    if (n != WEB_TOKEN_LEN)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (hex_digit(s[i]) < 0)
            return 0;
    return 1;
}

int web_cookie_token(const char *hdr, size_t len, char out[65])
{
    static const char name[] = "cairn_session";
    size_t i = 0;
    while (i < len) {
        while (i < len && (hdr[i] == ' ' || hdr[i] == '\t'))
            i++;
        size_t j = i;
        while (j < len && hdr[j] != ';')
            j++;
        /* pair hdr[i..j) */
        const char *eq = memchr(hdr + i, '=', j - i);
        if (eq) {
            size_t kn = (size_t)(eq - (hdr + i));
            while (kn > 0 && (hdr[i + kn - 1] == ' ' || hdr[i + kn - 1] == '\t'))
                kn--;
            const char *v = eq + 1;
            size_t vn = (size_t)((hdr + j) - v);
            while (vn > 0 && (*v == ' ' || *v == '\t')) {
                v++;
                vn--;
            }
            while (vn > 0 && (v[vn - 1] == ' ' || v[vn - 1] == '\t'))
                vn--;
            if (vn >= 2 && v[0] == '"' && v[vn - 1] == '"') {
                v++;
                vn -= 2;
            }
            if (kn == sizeof name - 1 && memcmp(hdr + i, name, kn) == 0 && hex64_ok(v, vn)) {
                memcpy(out, v, vn);
                out[vn] = '\0';
                return 0;
            }
        }
        i = j + 1;
    }
    return CAIRN_E_NOTFOUND;
}

int web_bearer_token(const char *hdr, size_t len, char out[65])
{
    if (len < 7 || strncasecmp(hdr, "bearer ", 7) != 0)
        return CAIRN_E_NOTFOUND;
    size_t i = 7;
    while (i < len && hdr[i] == ' ')
        i++;
    size_t n = len - i;
    while (n > 0 && (hdr[i + n - 1] == ' ' || hdr[i + n - 1] == '\t'))
        n--;
    if (!hex64_ok(hdr + i, n))
        return CAIRN_E_NOTFOUND;
    memcpy(out, hdr + i, n);
    out[n] = '\0';
    return 0;
}

int web_login_parse(const char *body, size_t len, char user[33], char *password, size_t pw_cap)
{
    user[0] = '\0';
    if (pw_cap)
        password[0] = '\0';
    json_error_t jerr;
    json_t *j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!j)
        return CAIRN_E_FORMAT;
    int rc = CAIRN_E_FORMAT;
    json_t *u = json_object_get(j, "user"), *p = json_object_get(j, "password");
    if (json_is_object(j) && json_is_string(u) && json_is_string(p)) {
        const char *us = json_string_value(u), *ps = json_string_value(p);
        size_t un = json_string_length(u), pn = json_string_length(p);
        if (strlen(us) == un && web_user_ok(us, un) && strlen(ps) == pn && pn >= 1 && pn <= 1024 &&
            pn < pw_cap) {
            memcpy(user, us, un + 1);
            memcpy(password, ps, pn + 1);
            rc = 0;
        }
    }
    json_decref(j);
    return rc;
}

int web_cidr_parse(const char *s, struct web_cidr *out)
{
    memset(out, 0, sizeof *out);
    char buf[64];
    size_t n = strlen(s);
    if (n == 0 || n >= sizeof buf)
        return CAIRN_E_FORMAT;
    memcpy(buf, s, n + 1);
    char *slash = strchr(buf, '/');
    long bits = -1;
    if (slash) {
        *slash = '\0';
        const char *b = slash + 1;
        if (!*b || strlen(b) > 3)
            return CAIRN_E_FORMAT;
        bits = 0;
        for (; *b; b++) {
            if (*b < '0' || *b > '9')
                return CAIRN_E_FORMAT;
            bits = bits * 10 + (*b - '0');
        }
    }
    if (inet_pton(AF_INET, buf, out->addr) == 1) {
        out->family = AF_INET;
        if (bits < 0)
            bits = 32;
        if (bits > 32)
            return CAIRN_E_FORMAT;
    } else if (inet_pton(AF_INET6, buf, out->addr) == 1) {
        out->family = AF_INET6;
        if (bits < 0)
            bits = 128;
        if (bits > 128)
            return CAIRN_E_FORMAT;
    } else {
        return CAIRN_E_FORMAT;
    }
    out->bits = (unsigned)bits;
    /* clear host bits */
    size_t total = out->family == AF_INET ? 4 : 16;
    for (size_t k = 0; k < total; k++) {
        unsigned lo = (unsigned)k * 8;
        if (lo >= out->bits)
            out->addr[k] = 0;
        else if (lo + 8 > out->bits)
            out->addr[k] &= (uint8_t)(0xffu << (8 - (out->bits - lo)));
    }
    return 0;
}

static int prefix_eq(const uint8_t *a, const uint8_t *b, unsigned bits)
{
    unsigned full = bits / 8, rest = bits % 8;
    if (memcmp(a, b, full) != 0)
        return 0;
    if (rest) {
        uint8_t m = (uint8_t)(0xffu << (8 - rest));
        if ((a[full] & m) != (b[full] & m))
            return 0;
    }
    return 1;
}

int web_cidr_match(const struct web_cidr *c, const struct sockaddr *sa)
{
    uint8_t a[16];
    int fam;
    if (sa->sa_family == AF_INET) {
        memcpy(a, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
        fam = AF_INET;
    } else if (sa->sa_family == AF_INET6) {
        const struct in6_addr *in6 = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
        if (IN6_IS_ADDR_V4MAPPED(in6)) {
            memcpy(a, in6->s6_addr + 12, 4);
            fam = AF_INET;
        } else {
            memcpy(a, in6->s6_addr, 16);
            fam = AF_INET6;
        }
    } else {
        return 0;
    }
    return fam == c->family && prefix_eq(a, c->addr, c->bits);
}

const char *web_content_type(const char *name)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json"},
        {".map", "application/json"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".ico", "image/vnd.microsoft.icon"},
        {".woff2", "font/woff2"},
        {".woff", "font/woff"},
        {".wasm", "application/wasm"},
        {".txt", "text/plain; charset=utf-8"},
        {".mp3", "audio/mpeg"},
        {".ogg", "audio/ogg"},
        {".wav", "audio/wav"},
        {".webmanifest", "application/manifest+json"},
    };
    const char *dot = strrchr(name, '.');
    const char *slash = strrchr(name, '/');
    if (dot && (!slash || dot > slash))
        for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
            if (strcasecmp(dot, types[i].ext) == 0)
                return types[i].type;
    return "application/octet-stream";
}
