/*
 * addr.c — host:port parsing and printing (addr.h).
 */
#include "base/addr.h"

#include <arpa/inet.h>
#include <event2/util.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/error.h"

int addr_parse(const char *s, struct cairn_addr *a)
{
    memset(a, 0, sizeof *a);
    if (!s)
        return CAIRN_E_INVAL;
    size_t n = strnlen(s, ADDR_MAX + 1);
    if (n == 0 || n > ADDR_MAX)
        return CAIRN_E_INVAL;
    /* a port is required: the text after the last ':' (after ']' for
     * IPv6) must be 1-5 digits */
    const char *colon = strrchr(s, ':');
    const char *close = strrchr(s, ']');
    if (!colon || (close && colon < close) || colon[1] == 0 || strlen(colon + 1) > 5)
        return CAIRN_E_INVAL;
    for (const char *p = colon + 1; *p; p++)
        if (*p < '0' || *p > '9')
            return CAIRN_E_INVAL;
    if (s[0] != '[' && memchr(s, ':', (size_t)(colon - s)))
        return CAIRN_E_INVAL; /* a bare IPv6 address: brackets are required */
    int is_localhost = colon - s == 9 && !strncmp(s, "localhost", 9);
    for (const char *p = s; p < colon && !is_localhost; p++)
        if (!strchr("0123456789abcdefABCDEF.:[]", *p))
            return CAIRN_E_INVAL; /* names, blanks, zone ids, control bytes */
    /* libevent refuses port 0, which listeners use to let the kernel pick:
     * parse the host with port 1 and set the port after */
    unsigned long port = strtoul(colon + 1, NULL, 10);
    if (port > 65535)
        return CAIRN_E_INVAL;
    char buf[ADDR_MAX + 16];
    if (is_localhost)
        snprintf(buf, sizeof buf, "127.0.0.1:1");
    else
        snprintf(buf, sizeof buf, "%.*s:1", (int)(colon - s), s);
    int len = (int)sizeof a->ss;
    if (evutil_parse_sockaddr_port(buf, (struct sockaddr *)&a->ss, &len) != 0)
        return CAIRN_E_INVAL;
    if (a->ss.ss_family == AF_INET)
        a->len = sizeof(struct sockaddr_in);
    else if (a->ss.ss_family == AF_INET6)
        a->len = sizeof(struct sockaddr_in6);
    else
        return CAIRN_E_INVAL;
    if (a->ss.ss_family == AF_INET)
        ((struct sockaddr_in *)(void *)&a->ss)->sin_port = htons((uint16_t)port);
    else
        ((struct sockaddr_in6 *)(void *)&a->ss)->sin6_port = htons((uint16_t)port);
    return 0;
}

unsigned addr_port(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET)
        return ntohs(((const struct sockaddr_in *)(const void *)sa)->sin_port);
    if (sa->sa_family == AF_INET6)
        return ntohs(((const struct sockaddr_in6 *)(const void *)sa)->sin6_port);
    return 0;
}

char *addr_format(const struct sockaddr *sa, char *out, size_t cap)
{
    char ip[INET6_ADDRSTRLEN] = "?";
    if (cap == 0)
        return out;
    if (sa->sa_family == AF_INET) {
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, ip,
                  sizeof ip);
        snprintf(out, cap, "%s:%u", ip, addr_port(sa));
    } else if (sa->sa_family == AF_INET6) {
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, ip,
                  sizeof ip);
        snprintf(out, cap, "[%s]:%u", ip, addr_port(sa));
    } else {
        snprintf(out, cap, "?");
    }
    return out;
}

/* ---- addr_parse_spec: the strict split; literals go to addr_parse */

/* RFC 1123 2.1: labels of 1..63 letters, digits and hyphens, not at
 * either end; at most 253 characters (a trailing dot allowed). A last
 * label of digits only would be a mistyped IPv4 address, not a name. */
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
        if ((!alpha && !digit && c != '-') || (c == '-' && lab == 0))
            return 0;
        if (!digit)
            lab_digits = 0;
        lab++;
    }
    return 1;
}

/* 1 when a number of a dotted quad has a leading zero ("010"). */
static int leading_zero(const char *h)
{
    for (const char *p = h; *p; p++)
        if (*p == '0' && (p == h || p[-1] == '.') && p[1] >= '0' && p[1] <= '9')
            return 1;
    return 0;
}

int addr_parse_spec(const char *s, uint16_t default_port, unsigned flags, struct addr_spec *out,
                    const char **why)
{
    const char *w = NULL;
    int rc = CAIRN_E_INVAL;
    memset(out, 0, sizeof *out);
    if (!s) {
        w = "no address";
        goto fail;
    }
    size_t len = strnlen(s, ADDR_SPEC_MAX + 1);
    if (len > ADDR_SPEC_MAX) {
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
        if (rb[1] == ':') {
            port = rb + 2;
        } else if (rb[1] != '\0') {
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

    char lit[ADDR_MAX + 1];
    if (!bracket && (hlen == 0 || (hlen == 1 && host[0] == '*'))) {
        if (!(flags & ADDR_WILDCARD)) {
            w = "no host";
            goto fail;
        }
        out->is_wildcard = 1;
        strcpy(out->host, "*");
        snprintf(lit, sizeof lit, "0.0.0.0:%u", out->port);
    } else if (bracket) {
        if (memchr(host, '%', hlen)) {
            w = "IPv6 zone indices (%...) are not supported; give the interface separately";
            goto fail;
        }
        if (hlen == 0 || hlen > 45) {
            w = "not an IPv6 address between the brackets";
            goto fail;
        }
        snprintf(lit, sizeof lit, "[%.45s]:%u", out->host, out->port);
    } else if (strcasecmp(out->host, "localhost") == 0) {
        snprintf(lit, sizeof lit, "localhost:%u", out->port);
    } else if (strspn(out->host, "0123456789.") == hlen) {
        if (hlen > 15 || leading_zero(out->host)) {
            w = "not an IPv4 address (four decimal numbers 0-255, no leading zeros)";
            goto fail;
        }
        snprintf(lit, sizeof lit, "%.15s:%u", out->host, out->port);
    } else if (valid_hostname(out->host, hlen)) {
        if (!(flags & ADDR_NAME)) {
            w = "a host name where only a numeric address or localhost is accepted";
            goto fail;
        }
        out->is_name = 1;
        if (why)
            *why = NULL;
        return 0;
    } else {
        w = "not an IPv4 address, a bracketed IPv6 address or a host name";
        goto fail;
    }
    /* the literal: addr_parse, the one reader of IPv4 and IPv6 text */
    if (addr_parse(lit, &out->a) != 0) {
        w = bracket ? "not an IPv6 address between the brackets"
                    : "not an IPv4 address (four decimal numbers 0-255, no leading zeros)";
        goto fail;
    }
    if (bracket && out->a.ss.ss_family != AF_INET6) {
        w = "not an IPv6 address between the brackets";
        goto fail;
    }
    if (why)
        *why = NULL;
    return 0;
fail:
    memset(out, 0, sizeof *out);
    if (why)
        *why = w;
    return rc;
}

int addr_resolve(struct addr_spec *sp, int socktype)
{
    if (!sp->is_name)
        return sp->a.len ? 0 : CAIRN_E_INVAL;
    char svc[8];
    snprintf(svc, sizeof svc, "%u", sp->port);
    struct evutil_addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = socktype;
    hints.ai_flags = EVUTIL_AI_ADDRCONFIG;
    if (evutil_getaddrinfo(sp->host, svc, &hints, &res) != 0 || !res)
        return CAIRN_E_NOTFOUND;
    int rc = CAIRN_E_NOTFOUND;
    for (struct evutil_addrinfo *ai = res; ai; ai = ai->ai_next) {
        if ((ai->ai_family == AF_INET || ai->ai_family == AF_INET6) &&
            ai->ai_addrlen <= sizeof sp->a.ss) {
            memset(&sp->a, 0, sizeof sp->a);
            memcpy(&sp->a.ss, ai->ai_addr, ai->ai_addrlen);
            sp->a.len = (socklen_t)ai->ai_addrlen;
            rc = 0;
            break;
        }
    }
    evutil_freeaddrinfo(res);
    return rc;
}

int addr_is_multicast(const struct cairn_addr *a)
{
    if (a->ss.ss_family == AF_INET) {
        uint32_t v = ntohl(((const struct sockaddr_in *)(const void *)&a->ss)->sin_addr.s_addr);
        return (v >> 28) == 0xE;
    }
    if (a->ss.ss_family == AF_INET6)
        return ((const struct sockaddr_in6 *)(const void *)&a->ss)->sin6_addr.s6_addr[0] == 0xFF;
    return 0;
}
