/*
 * addr.c — `host:port` parsing; see addr.h for the accepted forms.
 *
 * The split (brackets, the one colon, the port digits) is ours and strict;
 * the address literal is read by evutil_parse_sockaddr_port, given only the
 * host part (so its lenient atoi port reading never sees our input).
 */
#include "base/addr.h"

#include <event2/util.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/error.h"

/* RFC 1123 2.1: a label has 1..63 letters, digits and hyphens, not at
 * either end; a name at most 253 characters (one trailing dot allowed).
 * A name whose last label is all digits would be a mistyped IPv4 address
 * ("10.0.0.256"), not a name: refused. */
static int valid_hostname(const char *h, size_t n)
{
    if (n && h[n - 1] == '.')
        n--;
    if (n == 0 || n > 253)
        return 0;
    size_t lab = 0;
    int lab_digits = 1;
    for (size_t i = 0; i <= n; i++) {
        char c = i < n ? h[i] : '.';
        if (c == '.') {
            if (lab == 0 || lab > 63 || h[i - 1] == '-')
                return 0;
            if (i == n && lab_digits)
                return 0;
            lab = 0;
            lab_digits = 1;
            continue;
        }
        int alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        int digit = c >= '0' && c <= '9';
        if (!alpha && !digit && c != '-')
            return 0;
        if (c == '-' && lab == 0)
            return 0;
        if (!digit)
            lab_digits = 0;
        lab++;
    }
    return 1;
}

/* 1 when a number of a dotted quad starts with 0 and has more digits:
 * "010" is 8 to inet_aton and 10 to some inet_pton, so it is refused. */
static int leading_zero(const char *h)
{
    for (const char *p = h; *p; p++)
        if (*p == '0' && (p == h || p[-1] == '.') && p[1] >= '0' && p[1] <= '9')
            return 1;
    return 0;
}

static void set_port(struct cairn_addr *a)
{
    if (a->sa.ss_family == AF_INET)
        ((struct sockaddr_in *)&a->sa)->sin_port = htons(a->port);
    else if (a->sa.ss_family == AF_INET6)
        ((struct sockaddr_in6 *)&a->sa)->sin6_port = htons(a->port);
}

/* The host part alone through libevent: 0 and the family, or -1. */
static int literal(const char *text, struct cairn_addr *a)
{
    int sl = (int)sizeof a->sa;
    memset(&a->sa, 0, sizeof a->sa);
    if (evutil_parse_sockaddr_port(text, (struct sockaddr *)&a->sa, &sl) != 0)
        return -1;
    a->sa_len = (socklen_t)sl;
    return a->sa.ss_family;
}

int addr_parse(const char *s, uint16_t default_port, unsigned flags, struct cairn_addr *out,
               const char **why)
{
    const char *w = NULL;
    int rc = CAIRN_E_INVAL;
    memset(out, 0, sizeof *out);
    if (!s) {
        w = "no address";
        goto fail;
    }
    size_t len = strnlen(s, ADDR_STR_MAX + 1);
    if (len > ADDR_STR_MAX) {
        rc = CAIRN_E_TOOBIG;
        w = "address longer than 272 characters";
        goto fail;
    }
    if (len == 0) {
        w = "empty address";
        goto fail;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c >= 0x7f) {
            w = "address contains a blank, a control character or a non-ASCII byte";
            goto fail;
        }
    }

    const char *host, *port = NULL;
    size_t hlen;
    int bracket = 0;
    if (s[0] == '[') {
        const char *rb = memchr(s, ']', len);
        if (!rb) {
            w = "'[' without ']'";
            goto fail;
        }
        host = s + 1;
        hlen = (size_t)(rb - host);
        bracket = 1;
        if (rb[1] == ':')
            port = rb + 2;
        else if (rb[1] != '\0') {
            w = "after ']' only ':port' may follow";
            goto fail;
        }
    } else {
        const char *c1 = strchr(s, ':');
        if (c1 && strchr(c1 + 1, ':')) {
            w = "an IPv6 address goes in brackets: [2001:db8::1]:port";
            goto fail;
        }
        host = s;
        hlen = c1 ? (size_t)(c1 - s) : len;
        if (c1)
            port = c1 + 1;
    }
    if (memchr(host, '[', hlen) || memchr(host, ']', hlen)) {
        w = "stray bracket in the host";
        goto fail;
    }
    if (hlen >= ADDR_HOST_MAX) {
        w = "host longer than 253 characters";
        goto fail;
    }

    /* the port: 1-5 decimal digits, nothing else */
    if (port) {
        size_t pl = strlen(port);
        if (pl == 0 || pl > 5 || strspn(port, "0123456789") != pl) {
            w = "the port is not a number of 1 to 5 digits";
            goto fail;
        }
        unsigned long v = 0;
        for (size_t i = 0; i < pl; i++)
            v = v * 10 + (unsigned long)(port[i] - '0');
        if (v > 65535 || (v == 0 && !(flags & ADDR_PORT_ZERO))) {
            rc = CAIRN_E_RANGE;
            w = "the port is outside 1..65535";
            goto fail;
        }
        out->port = (uint16_t)v;
    } else if (default_port) {
        out->port = default_port;
    } else {
        w = "no port (write host:port, or [IPv6]:port)";
        goto fail;
    }

    memcpy(out->host, host, hlen);
    out->host[hlen] = '\0';
    if (!bracket && (hlen == 0 || (hlen == 1 && host[0] == '*'))) {
        if (!(flags & ADDR_WILDCARD)) {
            w = "no host";
            goto fail;
        }
        struct sockaddr_in *sin = (struct sockaddr_in *)&out->sa;
        sin->sin_family = AF_INET;
        sin->sin_addr.s_addr = htonl(INADDR_ANY);
        out->sa_len = sizeof *sin;
        out->is_wildcard = 1;
        strcpy(out->host, "*");
    } else if (bracket) {
        if (memchr(host, '%', hlen)) {
            w = "IPv6 zone indices (%...) are not supported; give the interface separately";
            goto fail;
        }
        char buf[ADDR_HOST_MAX + 2];
        snprintf(buf, sizeof buf, "[%s]", out->host);
        if (hlen == 0 || literal(buf, out) != AF_INET6) {
            w = "not an IPv6 address between the brackets";
            goto fail;
        }
    } else if (strcasecmp(out->host, "localhost") == 0) {
        struct sockaddr_in *sin = (struct sockaddr_in *)&out->sa;
        sin->sin_family = AF_INET;
        sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        out->sa_len = sizeof *sin;
    } else if (strspn(out->host, "0123456789.") == hlen) {
        if (leading_zero(out->host) || literal(out->host, out) != AF_INET) {
            w = "not an IPv4 address (four decimal numbers 0-255, no leading zeros)";
            goto fail;
        }
    } else if (valid_hostname(out->host, hlen)) {
        if (!(flags & ADDR_NAME)) {
            w = "a host name where only a numeric address or localhost is accepted";
            goto fail;
        }
        out->is_name = 1;
        memset(&out->sa, 0, sizeof out->sa);
        out->sa_len = 0;
    } else {
        w = "not an IPv4 address, a bracketed IPv6 address or a host name";
        goto fail;
    }
    set_port(out);
    if (why)
        *why = NULL;
    return 0;
fail:
    memset(out, 0, sizeof *out);
    if (why)
        *why = w;
    return rc;
}

int addr_resolve(struct cairn_addr *a, int socktype)
{
    if (!a->is_name)
        return a->sa_len ? 0 : CAIRN_E_INVAL;
    char svc[8];
    snprintf(svc, sizeof svc, "%u", a->port);
    struct evutil_addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = socktype;
    hints.ai_flags = EVUTIL_AI_ADDRCONFIG;
    if (evutil_getaddrinfo(a->host, svc, &hints, &res) != 0 || !res)
        return CAIRN_E_NOTFOUND;
    int rc = CAIRN_E_NOTFOUND;
    for (struct evutil_addrinfo *ai = res; ai; ai = ai->ai_next) {
        if ((ai->ai_family == AF_INET || ai->ai_family == AF_INET6) &&
            ai->ai_addrlen <= sizeof a->sa) {
            memset(&a->sa, 0, sizeof a->sa);
            memcpy(&a->sa, ai->ai_addr, ai->ai_addrlen);
            a->sa_len = (socklen_t)ai->ai_addrlen;
            rc = 0;
            break;
        }
    }
    evutil_freeaddrinfo(res);
    return rc;
}

int addr_is_multicast(const struct cairn_addr *a)
{
    if (a->sa.ss_family == AF_INET) {
        uint32_t v = ntohl(((const struct sockaddr_in *)&a->sa)->sin_addr.s_addr);
        return (v >> 28) == 0xE;
    }
    if (a->sa.ss_family == AF_INET6)
        return ((const struct sockaddr_in6 *)&a->sa)->sin6_addr.s6_addr[0] == 0xFF;
    return 0;
}

const char *addr_format(const struct sockaddr *sa, char *out, size_t cap)
{
    char ip[INET6_ADDRSTRLEN];
    if (cap == 0)
        return out;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
        if (!evutil_inet_ntop(AF_INET, &sin->sin_addr, ip, sizeof ip))
            snprintf(ip, sizeof ip, "?");
        snprintf(out, cap, "%s:%u", ip, ntohs(sin->sin_port));
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;
        if (!evutil_inet_ntop(AF_INET6, &sin6->sin6_addr, ip, sizeof ip))
            snprintf(ip, sizeof ip, "?");
        snprintf(out, cap, "[%s]:%u", ip, ntohs(sin6->sin6_port));
    } else {
        snprintf(out, cap, "?");
    }
    return out;
}
