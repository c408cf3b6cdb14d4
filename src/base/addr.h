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
#include <stdint.h>
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

/* ---- addresses in configuration files: names, wildcards, default ports
 *
 * addr_parse_spec reads what a configuration may say about an address,
 * strictly, and leaves the literal itself to addr_parse above (so cairn
 * keeps one reading of IPv4 and IPv6 literals):
 *
 *     192.0.2.7:30005        IPv4 (no leading zeros: "010" is 8 to inet_aton)
 *     [2001:db8::7]:30005    IPv6, always in brackets
 *     localhost:30005        127.0.0.1 (any letter case), no resolver
 *     radar1.example:30005   a DNS name, only with ADDR_NAME: is_name set,
 *                            resolved later (addr_resolve, or the caller's
 *                            asynchronous resolver)
 *     *:30005  or  :30005    the IPv4 wildcard 0.0.0.0, only with ADDR_WILDCARD
 *     192.0.2.7, [::1]       no port: only when the caller gives a default
 *
 * The port is 1-5 decimal digits, 1..65535 (0 only with ADDR_PORT_ZERO);
 * the text is printable ASCII without blanks, at most ADDR_SPEC_MAX bytes;
 * an IPv6 address without brackets ("::1:80" is an address, not ::1 port
 * 80) and zone indices ("%eth0": give the interface separately) are
 * refused. References: RFC 3986 3.2.2, RFC 1123 2.1 (labels of 1-63
 * letters, digits, hyphens; names of at most 253 characters).
 */
#define ADDR_SPEC_MAX 272 /* a 253-character name, ':' and 5 digits, with room */
#define ADDR_HOST_MAX 254 /* a DNS name of 253 characters and the NUL */

enum addr_flags {
    ADDR_NAME = 1u << 0,      /* DNS names are accepted (is_name, no address yet) */
    ADDR_WILDCARD = 1u << 1,  /* "*:port" and ":port" mean 0.0.0.0 (listeners) */
    ADDR_PORT_ZERO = 1u << 2, /* port 0 is accepted (the kernel chooses) */
};

struct addr_spec {
    char host[ADDR_HOST_MAX]; /* the host as written, brackets removed; "*" wildcard */
    uint16_t port;            /* host order */
    uint8_t is_name;          /* 1: a DNS name; a.len is 0 until addr_resolve */
    uint8_t is_wildcard;      /* 1: "*" or "" was written */
    struct cairn_addr a;      /* the address and port (numeric hosts, localhost) */
};

/*
 * Parse s (borrowed, NUL-terminated) into *out. default_port (0 = none) is
 * used when s has no port. flags: enum addr_flags. Returns 0;
 * CAIRN_E_INVAL (malformed: *why, when why is not NULL, gets a static
 * one-line reason), CAIRN_E_RANGE (a port outside 1..65535),
 * CAIRN_E_TOOBIG (longer than ADDR_SPEC_MAX). *out is zeroed on failure.
 * Never reads past the NUL, never resolves.
 */
int addr_parse_spec(const char *s, uint16_t default_port, unsigned flags, struct addr_spec *out,
                    const char **why);

/*
 * Make sure sp->a is set: nothing to do for numeric addresses; a name is
 * looked up with evutil_getaddrinfo (the system's resolver, which may
 * block: not inside an event loop that must stay responsive) and the
 * first IPv4 or IPv6 address of the socktype kept. 0 or CAIRN_E_NOTFOUND.
 */
int addr_resolve(struct addr_spec *sp, int socktype);

/* 1 when a is IPv4 224.0.0.0/4 or IPv6 ff00::/8. */
int addr_is_multicast(const struct cairn_addr *a);

#endif
