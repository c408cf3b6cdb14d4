/*
 * control.c — client of the hotline daemon's control socket (control.h).
 * Blocking I/O: used by command-line tools and tests, never by the daemon.
 */
#include "hotline/control.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/error.h"

int hl_ctl_open(struct hl_ctl *c, const char *path)
{
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    c->fd = -1;
    if (strlen(path) >= sizeof sun.sun_path)
        return CAIRN_E_INVAL;
    strcpy(sun.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return CAIRN_E_IO;
    if (connect(fd, (struct sockaddr *)&sun, sizeof sun) != 0) {
        close(fd);
        return CAIRN_E_IO;
    }
    c->fd = fd;
    return 0;
}

void hl_ctl_close(struct hl_ctl *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return CAIRN_E_IO;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int hl_ctl_call(struct hl_ctl *c, const char *request, struct dbuf *resp)
{
    if (write_all(c->fd, request, strlen(request)) != 0 || write_all(c->fd, "\n", 1) != 0)
        return CAIRN_E_IO;
    dbuf_reset(resp);
    char buf[65536];
    for (;;) {
        ssize_t n = read(c->fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return CAIRN_E_IO;
        if (n == 0)
            return CAIRN_E_CLOSED;
        char *nl = memchr(buf, '\n', (size_t)n);
        size_t take = nl ? (size_t)(nl - buf) : (size_t)n;
        if (dbuf_add(resp, buf, take) != 0)
            return CAIRN_E_TOOBIG;
        if (nl)
            return 0; /* one request, one line: nothing follows until we ask */
    }
}
