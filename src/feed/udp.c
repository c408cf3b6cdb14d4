/*
 * udp.c — live UDP input (ASTERIX over IPv4 unicast or multicast).
 *
 * See udp.h for the contract. Oversize datagrams are detected with
 * recvmsg(2)'s MSG_TRUNC flag: the caller's buffer is one byte larger than
 * the bound, so a datagram of exactly the bound fits and anything larger is
 * flagged by the kernel (or fills the extra byte) and dropped.
 */
#include "feed/udp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "base/error.h"

/* The ASTERIX data block header: CAT (1 byte) + LEN (2 bytes, big-endian,
 * counting the header itself). EUROCONTROL ASTERIX Part 1, 4.1. */
#define ASTERIX_BLOCK_HDR 3u

enum udp_asterix_framing udp_asterix_check(const uint8_t *p, size_t len)
{
    size_t off = 0;
    while (off < len) {
        if (len - off < ASTERIX_BLOCK_HDR)
            return UDP_ASTERIX_MALFORMED;
        size_t blen = ((size_t)p[off + 1] << 8) | p[off + 2];
        if (blen < ASTERIX_BLOCK_HDR)
            return UDP_ASTERIX_MALFORMED;
        if (blen > len - off)
            return UDP_ASTERIX_TRUNCATED;
        off += blen;
    }
    return UDP_ASTERIX_OK;
}

static int parse_ipv4(const char *s, struct in_addr *out)
{
    return inet_pton(AF_INET, s, out) == 1 ? 0 : CAIRN_E_INVAL;
}

static int join_group(int fd, const struct udp_feed_config *cfg)
{
    struct ip_mreqn mr;
    memset(&mr, 0, sizeof mr);
    if (parse_ipv4(cfg->group, &mr.imr_multiaddr) != 0 ||
        !IN_MULTICAST(ntohl(mr.imr_multiaddr.s_addr)))
        return CAIRN_E_INVAL;
    if (cfg->iface && cfg->iface[0]) {
        struct in_addr a;
        if (parse_ipv4(cfg->iface, &a) == 0) {
            mr.imr_address = a;
        } else {
            unsigned idx = if_nametoindex(cfg->iface);
            if (idx == 0)
                return CAIRN_E_INVAL;
            mr.imr_ifindex = (int)idx;
        }
    }
    if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof mr) != 0)
        return CAIRN_E_IO;
#ifdef IP_MULTICAST_ALL
    /* Linux otherwise delivers to a wildcard-bound socket the datagrams of
     * every group any process joined on this port (ip(7)): two radars on
     * two groups, one port, would mix. Only our own group, then. */
    int zero = 0;
    if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_ALL, &zero, sizeof zero) != 0)
        return CAIRN_E_IO;
#endif
    return 0;
}

int udp_feed_open(struct udp_feed *f, const struct udp_feed_config *cfg)
{
    memset(f, 0, sizeof *f);
    f->fd = -1;
    f->max_datagram = cfg->max_datagram ? cfg->max_datagram : UDP_FEED_DEFAULT_DATAGRAM;
    if (f->max_datagram > UDP_FEED_MAX_DATAGRAM)
        return CAIRN_E_INVAL;
    f->check_asterix = cfg->check_asterix;

    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_ANY);
    if (cfg->bind_addr && cfg->bind_addr[0] && parse_ipv4(cfg->bind_addr, &sa.sin_addr) != 0)
        return CAIRN_E_INVAL;
    uint16_t port = cfg->ephemeral ? 0 : (cfg->port ? cfg->port : (uint16_t)UDP_FEED_ASTERIX_PORT);
    sa.sin_port = htons(port);

    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return CAIRN_E_IO;
    int one = 1;
    int rc = CAIRN_E_IO;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0)
        goto fail;
    if (cfg->rcvbuf_bytes > 0 &&
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &cfg->rcvbuf_bytes, sizeof cfg->rcvbuf_bytes) != 0)
        goto fail;
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0)
        goto fail;
    if (cfg->group && cfg->group[0]) {
        rc = join_group(fd, cfg);
        if (rc != 0)
            goto fail;
    }
    socklen_t sl = sizeof sa;
    if (getsockname(fd, (struct sockaddr *)&sa, &sl) != 0) {
        rc = CAIRN_E_IO;
        goto fail;
    }
    f->port = ntohs(sa.sin_port);
    f->fd = fd;
    return 0;
fail : {
    int e = errno;
    close(fd);
    errno = e;
    return rc;
}
}

void udp_feed_close(struct udp_feed *f)
{
    if (f->fd >= 0)
        close(f->fd);
    f->fd = -1;
}

int udp_feed_fd(const struct udp_feed *f)
{
    return f->fd;
}

uint16_t udp_feed_port(const struct udp_feed *f)
{
    return f->port;
}

int udp_feed_recv(struct udp_feed *f, uint8_t *buf, size_t cap, uint32_t *from_ipv4,
                  uint16_t *from_port)
{
    if (f->fd < 0 || cap < f->max_datagram + 1)
        return CAIRN_E_INVAL;
    for (;;) {
        struct sockaddr_in src;
        struct iovec iov = {.iov_base = buf, .iov_len = f->max_datagram + 1};
        struct msghdr mh;
        memset(&mh, 0, sizeof mh);
        mh.msg_name = &src;
        mh.msg_namelen = sizeof src;
        mh.msg_iov = &iov;
        mh.msg_iovlen = 1;
        ssize_t n = recvmsg(f->fd, &mh, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return CAIRN_E_NEEDMORE;
            f->stats.errors++;
            return CAIRN_E_IO;
        }
        if ((mh.msg_flags & MSG_TRUNC) || (size_t)n > f->max_datagram) {
            f->stats.oversize++;
            return CAIRN_E_TOOBIG;
        }
        if (n == 0) {
            f->stats.empty++;
            continue;
        }
        if (f->check_asterix) {
            enum udp_asterix_framing fr = udp_asterix_check(buf, (size_t)n);
            if (fr == UDP_ASTERIX_TRUNCATED)
                f->stats.truncated++;
            else if (fr == UDP_ASTERIX_MALFORMED)
                f->stats.malformed++;
        }
        f->stats.datagrams++;
        f->stats.bytes += (uint64_t)n;
        if (from_ipv4)
            *from_ipv4 = ntohl(src.sin_addr.s_addr);
        if (from_port)
            *from_port = ntohs(src.sin_port);
        return (int)n;
    }
}

int udp_feed_drain(struct udp_feed *f, uint8_t *buf, size_t cap, unsigned max_n, udp_feed_cb cb,
                   void *ctx)
{
    unsigned got = 0;
    while (got < max_n) {
        int n = udp_feed_recv(f, buf, cap, NULL, NULL);
        if (n == CAIRN_E_NEEDMORE)
            break;
        if (n == CAIRN_E_TOOBIG)
            continue;
        if (n < 0)
            return n;
        got++;
        if (cb && cb(ctx, buf, (size_t)n))
            break;
    }
    return (int)got;
}
