/*
 * addr.h — the one parser of `host:port` for everything cairn listens on
 * or connects to: hotline peers and listeners, sensors, the HTTP server.
 *
 * Accepted: an IPv4 address with a port (`192.0.2.7:30005`), an IPv6
 * address in brackets with a port (`[2001:db8::7]:8600`, `[::1]:7443`),
 * and `localhost:PORT` (taken as 127.0.0.1: no name service is asked, so
 * a configuration never depends on DNS or on /etc/hosts). Port 0 is
 * accepted where the caller lets the kernel pick (listeners). Anything
 * else — names, IPv6 zone ids (`%eth0`), blanks, a missing or non-numeric
 * port, trailing bytes, text longer than ADDR_MAX — is CAIRN_E_INVAL. The parsing itself is
 * libevent's evutil_parse_sockaddr_port (RFC 3986 section 3.2.2 brackets for IPv6); this module
 * adds the port rules and the printing.
 */
#ifndef CAIRN_BASE_ADDR_H
#define CAIRN_BASE_ADDR_H

#include <stddef.h>
#include <sys/socket.h>

/* Longest accepted text (an IPv6 address with brackets and port is 47). */
#define ADDR_MAX 64
/* Room for addr_format's output. */
#define ADDR_TEXT_LEN 56

struct cairn_addr {
    struct sockaddr_storage ss;
    socklen_t len; /* of the sockaddr_in or sockaddr_in6 inside ss */
};

/* Parse s (NUL-terminated, borrowed) into *a. 0 or CAIRN_E_INVAL. */
int addr_parse(const char *s, struct cairn_addr *a);

/* Print a socket address as `1.2.3.4:5` or `[::1]:5` into out (at least
 * ADDR_TEXT_LEN bytes); "?" for another family. Returns out. */
char *addr_format(const struct sockaddr *sa, char *out, size_t cap);

/* The port of an AF_INET or AF_INET6 address (host order), 0 otherwise. */
unsigned addr_port(const struct sockaddr *sa);

#endif
