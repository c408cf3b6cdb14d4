/*
 * control.h — the client side of the hotline daemon's control socket.
 *
 * Protocol: a UNIX stream socket; the client writes one JSON object and a
 * newline, the daemon answers one JSON object and a newline; repeat or
 * close. Every response has "ok" (true/false); a failure has "error" (the
 * CAIRN_E_* name) and "message". Operations are listed in
 * docs/hotline-link.md, "Control socket".
 */
#ifndef CAIRN_HOTLINE_CONTROL_H
#define CAIRN_HOTLINE_CONTROL_H

#include <stddef.h>

#include "base/dbuf.h"

/* Largest request or response line, bytes: a list of many messages with
 * their rendered texts fits. */
#define HL_CTL_LINE_MAX (16u << 20)

struct hl_ctl {
    int fd;
};

/* Connect to the socket at path. 0, CAIRN_E_IO (logged by the caller). */
int hl_ctl_open(struct hl_ctl *c, const char *path);
void hl_ctl_close(struct hl_ctl *c);
/* Send request (one JSON object, no newline) and read the response line
 * into resp (its NUL-terminated text, no newline). 0, CAIRN_E_IO,
 * CAIRN_E_CLOSED, CAIRN_E_TOOBIG. */
int hl_ctl_call(struct hl_ctl *c, const char *request, struct dbuf *resp);

#endif
