/*
 * nmea_tcp.h — live NMEA 0183 input over TCP: a client connection to an AIS
 * receiver or dispatcher (AIS-catcher, rtl_ais, aisdispatcher, a shore
 * station's "NMEA over IP" server; port 10110 by custom).
 *
 * Key idea: the feed moves bytes only. Splitting them into sentences,
 * checksums and fragments is ais_feed()'s job (decode/ais/ais.h), which takes
 * any split of the stream. The socket is non-blocking once connected; the
 * connection itself is attempted with a bounded timeout so a dead receiver
 * cannot hang the caller. Reconnection policy belongs to the caller.
 *
 * References: POSIX connect(2) on a non-blocking socket and poll(2);
 * getaddrinfo(3). UDP input of NMEA uses feed/udp.h unchanged.
 *
 * Ownership: struct nmea_tcp is caller storage; nmea_tcp_open() fills it and
 * owns the socket until nmea_tcp_close(). No allocation.
 */
#ifndef CAIRN_FEED_NMEA_TCP_H
#define CAIRN_FEED_NMEA_TCP_H

#include <stddef.h>
#include <stdint.h>

/* The customary port of NMEA 0183 over IP. */
#define NMEA_TCP_PORT 10110u

struct nmea_tcp_stats {
    uint64_t reads; /* reads that returned data */
    uint64_t bytes; /* bytes delivered */
};

struct nmea_tcp {
    int fd; /* -1 when closed */
    struct nmea_tcp_stats stats;
};

/* Connect to host:port (host a name or numeric IPv4/IPv6 address,
 * borrowed), waiting at most timeout_ms. Returns 0, CAIRN_E_INVAL for a
 * host that does not resolve, CAIRN_E_TIMEOUT, or CAIRN_E_IO (refused,
 * unreachable; errno kept). */
int nmea_tcp_open(struct nmea_tcp *t, const char *host, uint16_t port, int timeout_ms);

/* Read what is waiting into buf (cap bytes, borrowed). Returns the byte
 * count (> 0), CAIRN_E_NEEDMORE when nothing is waiting, CAIRN_E_CLOSED when
 * the peer closed the connection, CAIRN_E_IO on a socket error. */
int nmea_tcp_read(struct nmea_tcp *t, char *buf, size_t cap);

/* The socket, for poll() or an event loop. */
int nmea_tcp_fd(const struct nmea_tcp *t);

/* Close; safe on a feed that failed to open or is already closed. */
void nmea_tcp_close(struct nmea_tcp *t);

#endif
