/*
 * integ_http.c — the loopback HTTP client of the integration tests (see
 * integ_http.h).
 */
#define _GNU_SOURCE /* memmem */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "integ_http.h"

int64_t ih_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int ih_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    struct timeval tv = {IH_TIMEOUT_MS / 1000, (IH_TIMEOUT_MS % 1000) * 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (port <= 0 || port > 65535 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

int ih_listen(uint16_t *port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sa = {.sin_family = AF_INET};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t sl = sizeof sa;
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(listen(fd, 4), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
    *port = ntohs(sa.sin_port);
    return fd;
}

int ih_send_all(int fd, const void *p, size_t len)
{
    const char *b = p;
    size_t off = 0;
    while (off < len) {
        ssize_t w = send(fd, b + off, len - off, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        off += (size_t)w;
    }
    return 0;
}

/* The request line and headers of a request into req (cap bytes); its length. */
static size_t request_head(char *req, size_t cap, const char *method, const char *path,
                           const char *proto, const char *token, const char *json)
{
    int n = snprintf(req, cap, "%s %s %s\r\nHost: 127.0.0.1\r\n", method, path, proto);
    if (n > 0 && (size_t)n < cap && token && token[0])
        n += snprintf(req + n, cap - (size_t)n, "Authorization: Bearer %s\r\n", token);
    if (n > 0 && (size_t)n < cap && json)
        n += snprintf(req + n, cap - (size_t)n,
                      "Content-Type: application/json\r\nContent-Length: %zu\r\n", strlen(json));
    if (n > 0 && (size_t)n < cap)
        n += snprintf(req + n, cap - (size_t)n, "\r\n");
    if (n <= 0 || (size_t)n >= cap)
        fail_msg("request head for %s longer than %zu bytes", path, cap);
    return (size_t)n;
}

int ih_request(struct ih_reply *r, int port, const char *method, const char *path,
               const char *token, const char *json)
{
    r->status = 0;
    r->len = 0;
    r->body[0] = 0;
    int fd = ih_connect(port);
    if (fd < 0)
        return -1;
    char head[4096];
    size_t n = request_head(head, sizeof head, method, path, "HTTP/1.0", token, json);
    if (ih_send_all(fd, head, n) != 0 || (json && ih_send_all(fd, json, strlen(json)) != 0)) {
        close(fd);
        return -1;
    }
    /* The head, then the body over the same buffer: the reply ends at close. */
    size_t got = 0;
    char *end = NULL;
    for (;;) {
        ssize_t k = recv(fd, r->body + got, sizeof r->body - 1 - got, 0);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        got += (size_t)k;
        r->body[got] = 0;
        if (!end && (end = strstr(r->body, "\r\n\r\n")) != NULL) {
            if (sscanf(r->body, "HTTP/1.%*d %d", &r->status) != 1)
                break;
            end += 4;
            got -= (size_t)(end - r->body);
            memmove(r->body, end, got);
            r->body[got] = 0;
        }
        if (got == sizeof r->body - 1)
            break; /* cut: the caller sees a body that does not parse */
    }
    close(fd);
    if (!end && sscanf(r->body, "HTTP/1.%*d %d", &r->status) != 1)
        r->status = 0;
    if (!end) { /* a head that never ended: no body */
        got = 0;
        r->body[0] = 0;
    }
    r->len = got;
    r->body[got] = 0;
    return r->status > 0 ? r->status : -1;
}

json_t *ih_json(const struct ih_reply *r)
{
    json_error_t e;
    json_t *j = json_loadb(r->body, r->len, 0, &e);
    if (!j)
        fail_msg("not JSON (%s): %.200s", e.text, r->body);
    return j;
}

int ih_login(struct ih_reply *r, int port, const char *user, const char *password, char *token,
             size_t cap)
{
    if (token && cap)
        token[0] = 0;
    json_t *req = json_pack("{s:s, s:s}", "user", user, "password", password);
    assert_non_null(req);
    char *text = json_dumps(req, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(req);
    assert_non_null(text);
    int st = ih_request(r, port, "POST", "/api/login", NULL, text);
    free(text);
    if (st == 200 && token && cap) {
        json_t *j = json_loadb(r->body, r->len, 0, NULL);
        const char *t = json_string_value(json_object_get(j, "token"));
        snprintf(token, cap, "%s", t ? t : "");
        json_decref(j);
    }
    return st;
}

/* ---------------------------------------------------------- the stream */

int ih_sse_open(struct ih_sse *s, int port, const char *token)
{
    return ih_sse_open_path(s, port, token, "/api/events");
}

int ih_sse_open_path(struct ih_sse *s, int port, const char *token, const char *path)
{
    s->head_len = s->raw_len = s->len = s->chunk_left = 0;
    s->head_done = s->chunked = s->ended = s->chunk_crlf = 0;
    s->head[0] = s->buf[0] = s->data[0] = 0;
    s->fd = ih_connect(port);
    if (s->fd < 0)
        return -1;
    char req[4096];
    size_t n = request_head(req, sizeof req, "GET", path, "HTTP/1.1", token, NULL);
    if (ih_send_all(s->fd, req, n) != 0) {
        ih_sse_close(s);
        return -1;
    }
    return 0;
}

void ih_sse_close(struct ih_sse *s)
{
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
}

/* Move what raw holds into head, then (de-chunked) into buf. 0, or -1 when
 * the stream is malformed or an event would not fit. */
static int sse_decode(struct ih_sse *s)
{
    size_t i = 0;
    if (!s->head_done) {
        char *end = memmem(s->raw, s->raw_len, "\r\n\r\n", 4);
        size_t take = end ? (size_t)(end - s->raw) + 4 : s->raw_len;
        if (take > sizeof s->head - 1 - s->head_len)
            return -1;
        memcpy(s->head + s->head_len, s->raw, take);
        s->head_len += take;
        s->head[s->head_len] = 0;
        i = take;
        if (end) {
            s->head_done = 1;
            for (char *h = s->head; (h = strchr(h, '\n')) != NULL;)
                if (!strncasecmp(++h, "Transfer-Encoding:", 18) && strstr(h, "chunked"))
                    s->chunked = 1;
        }
    }
    while (s->head_done && i < s->raw_len && !s->ended) {
        size_t avail = s->raw_len - i, take;
        if (s->chunked && s->chunk_crlf) {
            if (avail < 2)
                break;
            if (memcmp(s->raw + i, "\r\n", 2) != 0)
                return -1;
            i += 2;
            s->chunk_crlf = 0;
            continue;
        }
        if (s->chunked && !s->chunk_left) { /* a chunk-size line */
            char *eol = memmem(s->raw + i, avail, "\r\n", 2);
            if (!eol)
                break;
            char *stop;
            unsigned long n = strtoul(s->raw + i, &stop, 16);
            if (stop == s->raw + i)
                return -1;
            i = (size_t)(eol - s->raw) + 2;
            if (n == 0)
                s->ended = 1;
            s->chunk_left = n;
            continue;
        }
        take = s->chunked && s->chunk_left < avail ? s->chunk_left : avail;
        if (take > sizeof s->buf - 1 - s->len)
            return -1;
        memcpy(s->buf + s->len, s->raw + i, take);
        s->len += take;
        s->buf[s->len] = 0;
        i += take;
        if (s->chunked) {
            s->chunk_left -= take;
            s->chunk_crlf = s->chunk_left == 0;
        }
    }
    memmove(s->raw, s->raw + i, s->raw_len - i);
    s->raw_len -= i;
    return 0;
}

/* The first whole event in buf: its name and data into name/s->data, and
 * it is dropped from buf. 1, or 0 when no whole event is there yet. */
static int sse_take(struct ih_sse *s, char *name, size_t name_cap)
{
    char *end = strstr(s->buf, "\n\n");
    if (!end)
        return 0;
    *end = 0;
    snprintf(name, name_cap, "message"); /* the format's default */
    size_t dlen = 0;
    s->data[0] = 0;
    for (char *line = s->buf, *next; line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = 0;
        char *colon = strchr(line, ':');
        if (!line[0] || line == colon)
            continue; /* a comment (the heartbeat) */
        char *value = colon ? colon + 1 + (colon[1] == ' ') : line + strlen(line);
        if (colon)
            *colon = 0;
        if (!strcmp(line, "event")) {
            snprintf(name, name_cap, "%s", value);
        } else if (!strcmp(line, "data")) {
            size_t vl = strlen(value);
            if (dlen + 1 + vl >= sizeof s->data)
                vl = sizeof s->data - 2 - dlen; /* cannot happen: data is within buf */
            if (dlen)
                s->data[dlen++] = '\n';
            memcpy(s->data + dlen, value, vl);
            dlen += vl;
            s->data[dlen] = 0;
        }
    }
    size_t used = (size_t)(end - s->buf) + 2;
    memmove(s->buf, s->buf + used, s->len - used + 1);
    s->len -= used;
    return 1;
}

const char *ih_sse_next(struct ih_sse *s, const char *event, const char *has, int ms)
{
    int64_t deadline = ih_now_ms() + ms;
    for (;;) {
        char name[64];
        while (sse_take(s, name, sizeof name))
            if ((!event || !strcmp(name, event)) && (!has || strstr(s->data, has)))
                return s->data;
        int64_t left = deadline - ih_now_ms();
        if (s->fd < 0 || s->ended || left <= 0 || s->raw_len == sizeof s->raw)
            return NULL;
        struct pollfd p = {s->fd, POLLIN, 0};
        int pr = poll(&p, 1, left > 200 ? 200 : (int)left);
        if (pr < 0 && errno != EINTR)
            return NULL;
        if (pr <= 0)
            continue;
        ssize_t k = recv(s->fd, s->raw + s->raw_len, sizeof s->raw - s->raw_len, 0);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            ih_sse_close(s);
            continue; /* the events already received are still read */
        }
        s->raw_len += (size_t)k;
        if (sse_decode(s) != 0) {
            print_error("/api/events: malformed, or an event over %d bytes\n", IH_SSE_CAP);
            ih_sse_close(s);
            return NULL;
        }
    }
}
