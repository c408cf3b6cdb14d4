/*
 * integ_http.h — the loopback HTTP client of the integration tests: one
 * request per connection to 127.0.0.1, the session token, the login, and
 * the event stream (/api/events) read event by event.
 *
 * Key idea: every call is bounded twice, in time (socket timeouts, an
 * explicit deadline for the stream) and in size (the reply and the stream
 * land in fixed buffers owned by the caller; what does not fit is cut, and
 * the stream fails the test rather than grow). Requests are HTTP/1.0 so a
 * reply ends when the server closes; the stream is HTTP/1.1 and its chunked
 * transfer coding is undone before the events are parsed (the W3C "Server-
 * Sent Events" format: `event:` and `data:` lines, a blank line ending each
 * event, `:` lines as comments — the server's heartbeat).
 *
 * A session is the bearer token of POST /api/login (docs/web.md), sent as
 * `Authorization: Bearer TOKEN`; NULL or "" sends none.
 *
 * The functions that take no deadline fail the running cmocka test on a
 * programmer's error only (a socket that cannot be made); a server that does
 * not answer is a -1 or NULL for the test to judge.
 */
#ifndef CAIRN_TESTS_INTEG_HTTP_H
#define CAIRN_TESTS_INTEG_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define IH_TIMEOUT_MS 10000     /* a request's send and each receive */
#define IH_REPLY_CAP  (1 << 21) /* a reply's body: the largest /api/tracks of the tests */
#define IH_SSE_CAP    (1 << 20) /* events received and not yet read; one event at most */

/* A reply: its status, and its body NUL-terminated (cut at IH_REPLY_CAP - 1). */
struct ih_reply {
    int status; /* 0 until a status line was read */
    size_t len;
    char body[IH_REPLY_CAP];
};

/* CLOCK_MONOTONIC in ms: the tests' deadlines. */
int64_t ih_now_ms(void);

/* A TCP socket connected to 127.0.0.1:port with send and receive timeouts
 * of IH_TIMEOUT_MS (close-on-exec: no child inherits it). -1 when the
 * connection is refused. */
int ih_connect(int port);

/* A TCP socket listening on 127.0.0.1 at a port the kernel picks, written
 * to *port (a sensor or peer played by the test). Fails the test when it
 * cannot be made. */
int ih_listen(uint16_t *port);

/* Send all of len bytes (EINTR resumed). 0, or -1 on an error or timeout. */
int ih_send_all(int fd, const void *p, size_t len);

/* One request on a fresh connection: method, path, the session token
 * (borrowed; NULL or "" for none) and a JSON body (NULL for none). The
 * reply lands in *r. The status, or -1 when nothing came back (refused,
 * no status line). */
int ih_request(struct ih_reply *r, int port, const char *method, const char *path,
               const char *token, const char *json);

/* r's body as JSON (a new reference); fails the test when it is not. */
json_t *ih_json(const struct ih_reply *r);

/* POST /api/login with user and password (as JSON strings, escaped). The
 * status; on 200 the token is copied into token (cap bytes; "" when the
 * reply has none), which may be NULL when the caller expects a refusal. */
int ih_login(struct ih_reply *r, int port, const char *user, const char *password, char *token,
             size_t cap);

/* ---------------------------------------------------------- the stream */

/* An open /api/events stream. Large: keep it static. */
struct ih_sse {
    int fd;
    char head[4096]; /* the reply's status line and headers, NUL-terminated */
    size_t head_len;
    int head_done, chunked, ended;
    char raw[1 << 16]; /* received, not yet de-chunked */
    size_t raw_len;
    size_t chunk_left;    /* bytes of the current chunk still to come */
    int chunk_crlf;       /* the CRLF after a chunk's data is due */
    char buf[IH_SSE_CAP]; /* the event stream itself, from the next unread event on */
    size_t len;
    char data[IH_SSE_CAP]; /* the data of the event ih_sse_next returned */
};

/* GET /api/events with the session token. 0, or -1 when the connection is
 * refused. */
int ih_sse_open(struct ih_sse *s, int port, const char *token);
/* The same at another path ("/api/events?form=moves"). */
int ih_sse_open_path(struct ih_sse *s, int port, const char *token, const char *path);

/* Read events until one named event (NULL: any) whose data holds the text
 * has (NULL: any) arrives, or until ms have passed; earlier events are
 * passed over. Its data (several data lines joined by "\n"), in s->data
 * until the next call; NULL at the deadline, at the end of the stream or
 * on an event larger than IH_SSE_CAP. s->head holds the reply's headers
 * once anything came. */
const char *ih_sse_next(struct ih_sse *s, const char *event, const char *has, int ms);

void ih_sse_close(struct ih_sse *s);

#endif
