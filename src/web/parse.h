/*
 * parse.h — the pure part of the request path: routes, query strings,
 * cookies, the Authorization header, the login body, CIDR allow-lists and
 * static file names. No I/O; every function takes hostile bytes with their
 * length and never reads past it (tests/fuzz/fuzz_http.c). Internal to
 * src/web.
 *
 * References: RFC 3986 (URI syntax, percent-encoding), RFC 6265 section
 * 4.2 (Cookie header), RFC 6750 section 2.1 (Bearer tokens), RFC 9110
 * (HTTP semantics), RFC 4632 (CIDR).
 */
#ifndef CAIRN_WEB_PARSE_H
#define CAIRN_WEB_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "web/web.h"

struct sockaddr;

enum web_route_id {
    WEB_R_NONE = 0, /* no such route: 404 */
    WEB_R_LOGIN,    /* POST /api/login */
    WEB_R_LOGOUT,   /* POST /api/logout */
    WEB_R_ME,       /* GET /api/me */
    WEB_R_TRACKS,   /* GET /api/tracks */
    WEB_R_TRACK,    /* GET /api/tracks/ID */
    WEB_R_TRACK_RADIO,
    WEB_R_ALERTS,
    WEB_R_ALERT_ACK,
    WEB_R_ALERT_DRAFT,
    WEB_R_CASES,
    WEB_R_MESSAGES, /* GET list, POST send */
    WEB_R_MESSAGE,  /* GET /api/messages/ID */
    WEB_R_MESSAGE_ACK,
    WEB_R_DRAFTS, /* GET list, POST save */
    WEB_R_SENSORS,
    WEB_R_LINK,
    WEB_R_EVENTS,   /* GET /api/events (SSE) */
    WEB_R_AIRCRAFT, /* GET /data/aircraft.json */
    WEB_R_RECEIVER, /* GET /data/receiver.json */
    WEB_R_METRICS,
    WEB_R_HEALTHZ,
    WEB_R_STATIC, /* anything else outside /api and /data: a file */
    /* the procedures (app/procedures.h) */
    WEB_R_DRAFT,        /* GET one draft, POST edit: /api/messages/drafts/ID */
    WEB_R_DRAFT_DELETE, /* POST /api/messages/drafts/ID/delete */
    WEB_R_ZONES,        /* GET /api/zones */
    WEB_R_COMPLIANCE,   /* GET the ledger today, POST send summaries */
    /* POST /api/tracks/ID/release */
    WEB_R_TRACK_RELEASE,
};

#define WEB_ID_MAX   64
#define WEB_PATH_MAX 1024

struct web_route {
    enum web_route_id id;
    char arg[WEB_ID_MAX + 1]; /* the ID segment, decoded ("" when none) */
    char file[WEB_PATH_MAX];  /* WEB_R_STATIC: the relative file name, decoded */
};

/*
 * Match a request path (raw, percent-encoded, without query) of len bytes.
 * 0 and *out (id WEB_R_NONE for an unknown /api or /data path), or
 * CAIRN_E_FORMAT (not starting with '/', bad percent-encoding, a decoded
 * segment with '/', '\', NUL or a control byte, "." or ".." or a name
 * starting with '.', an ID outside [A-Za-z0-9._:~-]{1,64}), CAIRN_E_TOOBIG
 * (longer than WEB_PATH_MAX or more than 32 segments).
 * "/" and names ending in "/" get "index.html".
 */
int web_route_parse(const char *path, size_t len, struct web_route *out);

/* 1 when the method may be used on the route (GET or HEAD for reads, POST
 * for actions); post: 1 for POST, 0 for GET/HEAD. */
int web_route_allows(enum web_route_id r, int post);

/*
 * Split a raw query string ("a=1&b=x%20y", '+' is a space) into at most
 * cap pairs, decoding into scratch (scratch_cap >= 2 * len + 2 bytes: a
 * key without '=' takes two terminating NULs). Empty
 * pieces are skipped; a key without '=' has the value "". Returns the
 * number of pairs, CAIRN_E_FORMAT (bad escape, decoded NUL or control
 * byte), CAIRN_E_TOOBIG (more than cap pairs, scratch too small).
 */
int web_query_parse(const char *q, size_t len, char *scratch, size_t scratch_cap, struct web_kv *kv,
                    size_t cap);

/*
 * The form of /api/events a query asks for (kv, n: web_query_parse's
 * pairs): no "form" key, WEB_FORM_FULL; "form=moves", WEB_FORM_MOVES.
 * CAIRN_E_FORMAT for any other value, or for "form" given twice (400).
 * Other keys are ignored, as on the other routes.
 */
int web_events_form(const struct web_kv *kv, size_t n, enum web_form *out);

/* The value of the cookie "cairn_session" in a Cookie header of len bytes,
 * when it is 64 hex digits: copied to out (65 bytes), 0. CAIRN_E_NOTFOUND
 * otherwise (absent or malformed). */
int web_cookie_token(const char *hdr, size_t len, char out[65]);

/* "Bearer TOKEN" (scheme case-insensitive, RFC 6750) with TOKEN 64 hex
 * digits: copied to out, 0. CAIRN_E_NOTFOUND otherwise. */
int web_bearer_token(const char *hdr, size_t len, char out[65]);

/*
 * The login body {"user":"...","password":"..."} (other members ignored,
 * duplicates refused). 0 with user (valid name, 33 bytes) and password
 * (1..1024 bytes without NUL, NUL-terminated, pw_cap >= 1025), else
 * CAIRN_E_FORMAT.
 */
int web_login_parse(const char *body, size_t len, char user[33], char *password, size_t pw_cap);

/* An IPv4 or IPv6 network. */
struct web_cidr {
    int family; /* AF_INET or AF_INET6 */
    uint8_t addr[16];
    unsigned bits;
};

/* "127.0.0.0/8", "::1/128", "10.1.2.3" (a host). 0 or CAIRN_E_FORMAT
 * (host bits set beyond the prefix are cleared, not refused). */
int web_cidr_parse(const char *s, struct web_cidr *out);
/* 1 when sa (AF_INET or AF_INET6; an IPv4-mapped IPv6 address counts as
 * IPv4) lies in c. */
int web_cidr_match(const struct web_cidr *c, const struct sockaddr *sa);

/* The Content-Type for a file name by its extension (application/octet-
 * stream when unknown). */
const char *web_content_type(const char *name);

#endif
