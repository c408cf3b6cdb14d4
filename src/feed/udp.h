/*
 * udp.h — live UDP input: one non-blocking IPv4 datagram socket, optionally
 * joined to a multicast group on a chosen interface.
 *
 * Key idea: radars and surveillance data processors send ASTERIX as one or
 * more whole data blocks per UDP datagram, usually to a multicast group on a
 * dedicated interface (EUROCONTROL ASTERIX Part 1, section 4 "data block";
 * the customary port is 8600). The feed only receives datagrams: it never
 * blocks, never delivers a datagram larger than its bound (such a datagram is
 * dropped and counted, because a cut-off ASTERIX block cannot be decoded), and
 * with `check_asterix` set it verifies that the datagram is a whole number of
 * blocks (CAT, LEN with LEN >= 3 and the LENs summing to the datagram size),
 * counting datagrams whose last block is cut short as truncated. Decoding is
 * the caller's business.
 *
 * References: POSIX recvmsg(2) MSG_TRUNC; Linux ip(7) IP_ADD_MEMBERSHIP with
 * struct ip_mreqn (interface by index); RFC 1112 (IPv4 multicast).
 *
 * Ownership: struct udp_feed is caller storage; udp_feed_open() fills it and
 * owns the socket until udp_feed_close(). No allocation.
 */
#ifndef CAIRN_FEED_UDP_H
#define CAIRN_FEED_UDP_H

#include <stddef.h>
#include <stdint.h>

/* The customary ASTERIX UDP port (Wireshark's default for its dissector). */
#define UDP_FEED_ASTERIX_PORT 8600u
/* Largest IPv4 UDP payload: 65535 - 20 (IP header) - 8 (UDP header). */
#define UDP_FEED_MAX_DATAGRAM 65507u
/* Default bound: ASTERIX senders keep datagrams within an Ethernet MTU or a
 * few fragments; 8 KiB covers every recording we have with a wide margin. */
#define UDP_FEED_DEFAULT_DATAGRAM 8192u

struct udp_feed_config {
    /* Local address to bind, dotted IPv4; NULL or "" = INADDR_ANY. With a
     * multicast group, binding the group address itself filters out other
     * groups on the same port (Linux); NULL binds the wildcard. Borrowed. */
    const char *bind_addr;
    uint16_t port; /* 0 = UDP_FEED_ASTERIX_PORT; use udp_feed_port() after */
    int ephemeral; /* 1 = let the kernel choose the port (tests) */
    /* Multicast group to join, dotted IPv4 (224.0.0.0/4); NULL = none. */
    const char *group;
    /* Interface to join on: a name ("eth1", "lo") or an IPv4 address of the
     * interface; NULL = the kernel's choice (routing table). */
    const char *iface;
    size_t max_datagram; /* bound in bytes; 0 = UDP_FEED_DEFAULT_DATAGRAM */
    int check_asterix;   /* 1 = verify block framing and count errors */
    int rcvbuf_bytes;    /* SO_RCVBUF request; 0 = leave the default */
};

struct udp_feed_stats {
    uint64_t datagrams; /* delivered to the caller */
    uint64_t bytes;     /* bytes delivered */
    uint64_t oversize;  /* dropped: larger than max_datagram */
    uint64_t truncated; /* delivered, but the last ASTERIX block is cut short */
    uint64_t malformed; /* delivered, but a block LEN < 3 or bytes left over */
    uint64_t empty;     /* zero-length datagrams (dropped) */
    uint64_t errors;    /* recvmsg failures other than "would block" */
};

struct udp_feed {
    int fd;
    uint16_t port; /* bound port, host order */
    size_t max_datagram;
    int check_asterix;
    struct udp_feed_stats stats;
};

/* Why a datagram is or is not a whole number of ASTERIX blocks. */
enum udp_asterix_framing {
    UDP_ASTERIX_OK = 0,
    UDP_ASTERIX_TRUNCATED, /* a block's LEN runs past the end */
    UDP_ASTERIX_MALFORMED  /* LEN < 3, or fewer than 3 bytes left for a header */
};

/*
 * Open the socket described by cfg (borrowed): non-blocking, SO_REUSEADDR
 * (several processes may listen to one multicast group), bound, group
 * joined. Returns 0, CAIRN_E_INVAL for a bad address, group or interface
 * name, CAIRN_E_IO when a system call fails (errno left as it was).
 */
int udp_feed_open(struct udp_feed *f, const struct udp_feed_config *cfg);

/* Close the socket; safe on a feed that failed to open or is closed. */
void udp_feed_close(struct udp_feed *f);

/* The socket, for an event loop to watch for readability. */
int udp_feed_fd(const struct udp_feed *f);
/* The bound port (host order), useful with cfg->ephemeral. */
uint16_t udp_feed_port(const struct udp_feed *f);

/*
 * Receive one datagram into buf (cap bytes, borrowed; cap must be at least
 * the feed's max_datagram + 1 so oversize datagrams can be seen). Returns its
 * length (> 0); CAIRN_E_NEEDMORE when nothing is waiting; CAIRN_E_TOOBIG
 * when the datagram exceeded max_datagram (dropped, counted); CAIRN_E_IO on a
 * socket error (counted). With check_asterix, a badly framed datagram is
 * still returned (the decoder reports precisely what is wrong) and counted.
 * from_ipv4/from_port (host order) receive the sender when not NULL.
 */
int udp_feed_recv(struct udp_feed *f, uint8_t *buf, size_t cap, uint32_t *from_ipv4,
                  uint16_t *from_port);

/* Called by udp_feed_drain() for each datagram; data is valid only during
 * the call. Return nonzero to stop draining. */
typedef int (*udp_feed_cb)(void *ctx, const uint8_t *data, size_t len);

/*
 * Read until the socket would block or max_n datagrams were delivered,
 * calling cb for each (buf/cap as for udp_feed_recv). Returns the number
 * delivered (>= 0) or CAIRN_E_IO. Oversize datagrams are skipped, counted.
 */
int udp_feed_drain(struct udp_feed *f, uint8_t *buf, size_t cap, unsigned max_n, udp_feed_cb cb,
                   void *ctx);

/* Classify the framing of an ASTERIX datagram (pure; used by the feed). */
enum udp_asterix_framing udp_asterix_check(const uint8_t *p, size_t len);

#endif
