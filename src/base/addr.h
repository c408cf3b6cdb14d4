/*
 * addr.h — the one `host:port` parser of cairn (sensors, listeners, the
 * hotline's roster and listen addresses, the web server).
 *
 * Accepted forms (every other string is refused with a reason):
 *
 *     192.0.2.7:30005        IPv4, dotted quad (no leading zeros, no short forms)
 *     [2001:db8::7]:30005    IPv6, always in brackets when a port follows
 *     localhost:30005        127.0.0.1, without asking a resolver
 *     radar1.example:30005   a DNS name, only with ADDR_NAME (resolved later,
 *                            addr_resolve or the caller's asynchronous resolver)
 *     *:30005  or  :30005    the IPv4 wildcard 0.0.0.0, only with ADDR_WILDCARD
 *                            (for IPv6's, write [::]:30005)
 *     192.0.2.7, [::1]       no port: only when the caller gives a default port
 *
 * Key idea: the address itself is read by libevent's
 * evutil_parse_sockaddr_port (so cairn has one reading of IPv4 and IPv6
 * literals, the system's inet_pton), but only after a strict split of our
 * own, because evutil_parse_sockaddr_port reads the port with atoi ("80x"
 * would be port 80, "[::1]junk" an address without port). Here the port is
 * 1-5 decimal digits, 1..65535 (0 only with ADDR_PORT_ZERO, for listeners
 * that let the kernel choose), and the string is printable ASCII with no
 * blank, at most ADDR_STR_MAX bytes. An IPv6 address without brackets
 * ("::1:80" is a valid address, not ::1 port 80) is refused rather than
 * guessed at. IPv6 zone indices ("fe80::1%eth0") are refused: the
 * interface is a separate setting wherever one is needed.
 *
 * References: RFC 3986 section 3.2.2 (IP literals in brackets), RFC 1123
 * section 2.1 (host names: letters, digits, hyphens; labels of at most 63,
 * names of at most 253 characters), RFC 4291 section 2.2 (IPv6 text forms).
 *
 * No allocation, no global state; addr_resolve alone may block (on the
 * system's resolver) and is never called by addr_parse.
 */
#ifndef CAIRN_BASE_ADDR_H
#define CAIRN_BASE_ADDR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* Longest string accepted: a 253-character name, ':' and 5 digits, with room. */
#define ADDR_STR_MAX 272
/* Longest host kept (a DNS name of 253 characters, NUL). */
#define ADDR_HOST_MAX 254
/* Room for addr_format's output: "[" IPv6 (45) "]:" 5 digits, NUL. */
#define ADDR_FMT_MAX 56

enum addr_flags {
    ADDR_NAME = 1u << 0,      /* DNS names are accepted (is_name set, no sa yet) */
    ADDR_WILDCARD = 1u << 1,  /* "*:port" and ":port" mean 0.0.0.0 (listeners) */
    ADDR_PORT_ZERO = 1u << 2, /* port 0 is accepted (the kernel chooses) */
};

struct cairn_addr {
    char host[ADDR_HOST_MAX];   /* the host as written, brackets removed; "*" wildcard */
    uint16_t port;              /* host order */
    uint8_t is_name;            /* 1: a DNS name, sa not set until addr_resolve */
    uint8_t is_wildcard;        /* 1: "*" or "" was written */
    struct sockaddr_storage sa; /* the address and port (numeric hosts, localhost) */
    socklen_t sa_len;           /* 0 while a name is unresolved */
};

/*
 * Parse s (borrowed, NUL-terminated) into *out. default_port (0 = none)
 * is used when s has no port; without one, a missing port is an error.
 * flags are enum addr_flags. Returns 0; CAIRN_E_INVAL (malformed: *why, when
 * why is not NULL, gets a static one-line reason), CAIRN_E_RANGE (a port
 * outside 1..65535), CAIRN_E_TOOBIG (longer than ADDR_STR_MAX). *out is
 * zeroed on failure. Never reads past the NUL, never resolves.
 */
int addr_parse(const char *s, uint16_t default_port, unsigned flags, struct cairn_addr *out,
               const char **why);

/*
 * Make sure a->sa is set: nothing to do for numeric addresses; a name is
 * looked up with evutil_getaddrinfo (the system resolver, which may block:
 * not for use inside an event loop that must stay responsive) and the
 * first address of the given socktype (SOCK_STREAM, SOCK_DGRAM) kept.
 * Returns 0, CAIRN_E_NOTFOUND (the name does not resolve).
 */
int addr_resolve(struct cairn_addr *a, int socktype);

/* 1 when the (numeric) address is IPv4 224.0.0.0/4 or IPv6 ff00::/8. */
int addr_is_multicast(const struct cairn_addr *a);

/*
 * Write sa as "192.0.2.7:30005" or "[2001:db8::7]:30005" into out (cap
 * bytes, ADDR_FMT_MAX suffices; cut short and NUL-terminated otherwise).
 * Another family gives "?". Returns out.
 */
const char *addr_format(const struct sockaddr *sa, char *out, size_t cap);

#endif
