/*
 * nmea_tcp.c — NMEA 0183 over TCP, client side; see nmea_tcp.h.
 */
#include "feed/nmea_tcp.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/error.h"

/* Connect one resolved address; 0, CAIRN_E_TIMEOUT or CAIRN_E_IO. */
static int try_connect(int fd, const struct addrinfo *ai, int timeout_ms)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
        return CAIRN_E_IO;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
        return 0;
    if (errno != EINPROGRESS)
        return CAIRN_E_IO;
    struct pollfd p = {.fd = fd, .events = POLLOUT};
    int n;
    do
        n = poll(&p, 1, timeout_ms);
    while (n < 0 && errno == EINTR);
    if (n == 0)
        return CAIRN_E_TIMEOUT;
    if (n < 0)
        return CAIRN_E_IO;
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
        return CAIRN_E_IO;
    if (err) {
        errno = err;
        return CAIRN_E_IO;
    }
    return 0;
}

int nmea_tcp_open(struct nmea_tcp *t, const char *host, uint16_t port, int timeout_ms)
{
    memset(t, 0, sizeof *t);
    t->fd = -1;
    char service[8];
    snprintf(service, sizeof service, "%u", port ? port : NMEA_TCP_PORT);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    if (getaddrinfo(host, service, &hints, &res) != 0 || !res)
        return CAIRN_E_INVAL;
    int rc = CAIRN_E_IO;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0)
            continue;
        rc = try_connect(fd, ai, timeout_ms);
        if (rc == 0) {
            t->fd = fd;
            break;
        }
        int saved = errno;
        close(fd);
        errno = saved;
    }
    freeaddrinfo(res);
    return rc;
}

int nmea_tcp_read(struct nmea_tcp *t, char *buf, size_t cap)
{
    if (t->fd < 0)
        return CAIRN_E_CLOSED;
    if (cap > (size_t)1 << 30) /* keep the count representable as int */
        cap = (size_t)1 << 30;
    ssize_t n;
    do
        n = recv(t->fd, buf, cap, 0);
    while (n < 0 && errno == EINTR);
    if (n > 0) {
        t->stats.reads++;
        t->stats.bytes += (uint64_t)n;
        return (int)n;
    }
    if (n == 0)
        return CAIRN_E_CLOSED;
    if (errno == EAGAIN || errno == EWOULDBLOCK)
        return CAIRN_E_NEEDMORE;
    return CAIRN_E_IO;
}

int nmea_tcp_fd(const struct nmea_tcp *t)
{
    return t->fd;
}

void nmea_tcp_close(struct nmea_tcp *t)
{
    if (t->fd >= 0)
        close(t->fd);
    t->fd = -1;
}
