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
