/*
 * auth.h — login sessions and the login rate limit, pure: no I/O, no
 * threads; time comes from an injected clock (base/clock.h), so tests run
 * on a fake one. Internal to src/web (web.c and the tests).
 *
 * A session is a random 256-bit token (64 hex characters) bound to one
 * operator. The same token is the cookie "cairn_session" and the bearer
 * token of the API; it is compared in constant time (sodium_memcmp).
 *
 * Session lifecycle (one slot of the table):
 *
 *           web_sess_create                web_sess_check (valid: t_used = now)
 *   FREE ──────────────────► LIVE ◄────────┘
 *    ▲                        │
 *    │                        │ web_sess_end (logout), web_sess_end_user
 *    │                        │ (account removed), or found expired by
 *    └────────────────────────┘ web_sess_check / web_sess_purge
 *
 *   expired: now - t_used_ms >= idle_ms  or  now - t_login_ms >= max_ms
 *
 * Invariants (web_sess_verify checks S1-S4):
 *   S1  A LIVE slot has a token of 64 lowercase hex digits and a user name
 *       that passes web_user_ok; a FREE slot is all zero.
 *   S2  No two LIVE slots hold the same token.
 *   S3  t_login_ms <= t_used_ms for a LIVE slot.
 *   S4  live == the number of LIVE slots <= cap.
 *   S5  An expired session is never returned by web_sess_check: it is
 *       ended there (and counted in expired) instead.
 *
 * The rate limit: a table of keys ("a:ADDRESS", "u:USER") with the failures
 * counted in a window. When a key reaches max_fail failures within window_ms
 * it is blocked for block_ms; web_limit_check answers how long to wait. A
 * full table forgets the least recently touched key that is not blocked
 * (if all are blocked, the least recently touched one).
 */
#ifndef CAIRN_WEB_AUTH_H
#define CAIRN_WEB_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "base/clock.h"

#define WEB_TOKEN_LEN 64 /* hex digits: 32 random bytes */
#define WEB_USER_MAX  32

/* 1 when s[0..len) is a valid user name: 1..32 of [A-Za-z0-9._-]. */
int web_user_ok(const char *s, size_t len);

struct web_sess {
    char token[WEB_TOKEN_LEN + 1]; /* "" when FREE */
    char user[WEB_USER_MAX + 1];
    int64_t t_login_ms, t_used_ms;
};

struct web_sessions {
    struct web_sess *v;
    size_t cap, live;
    int64_t idle_ms, max_ms;
    const struct cairn_clock *clock; /* borrowed */
    uint64_t expired;                /* sessions ended by expiry */
};

/* 0, CAIRN_E_INVAL (cap 0, limits <= 0), CAIRN_E_NOMEM. */
int web_sess_init(struct web_sessions *s, size_t cap, int64_t idle_ms, int64_t max_ms,
                  const struct cairn_clock *clock);
void web_sess_fini(struct web_sessions *s);
/* A new session for user (valid name): its token into token_out. Expired
 * sessions are purged first; CAIRN_E_FULL when all slots are live. */
int web_sess_create(struct web_sessions *s, const char *user, char token_out[WEB_TOKEN_LEN + 1]);
/* The live session with this token (any bytes, any length), touched (its
 * idle time starts again); NULL when none or expired (then ended). The
 * pointer is valid until the next call that changes the table. */
const struct web_sess *web_sess_check(struct web_sessions *s, const char *token, size_t len);
/* The same without touching it (the idle time goes on). */
const struct web_sess *web_sess_peek(struct web_sessions *s, const char *token, size_t len);
/* End the session with this token: 0 or CAIRN_E_NOTFOUND. */
int web_sess_end(struct web_sessions *s, const char *token, size_t len);
/* End every session of user; returns how many. */
size_t web_sess_end_user(struct web_sessions *s, const char *user);
/* End the expired sessions; returns how many. */
size_t web_sess_purge(struct web_sessions *s);
/* Milliseconds until the session expires (> 0). */
int64_t web_sess_remaining_ms(const struct web_sessions *s, const struct web_sess *e);
/* S1-S4: 0 or CAIRN_E_STATE. */
int web_sess_verify(const struct web_sessions *s);

#define WEB_LIMIT_KEY 72

struct web_limit_entry {
    char key[WEB_LIMIT_KEY]; /* "" when unused */
    unsigned fails;
    int64_t t_first_ms;      /* first failure of the window */
    int64_t t_last_ms;       /* last touched */
    int64_t t_blocked_until; /* 0: not blocked */
};

struct web_limiter {
    struct web_limit_entry *v;
    size_t cap;
    unsigned max_fail;
    int64_t window_ms, block_ms;
};

/* 0, CAIRN_E_INVAL, CAIRN_E_NOMEM. */
int web_limit_init(struct web_limiter *l, size_t cap, unsigned max_fail, int64_t window_ms,
                   int64_t block_ms);
void web_limit_fini(struct web_limiter *l);
/* 0 when key may try now, else the milliseconds to wait (> 0). Keys longer
 * than WEB_LIMIT_KEY - 1 are cut (the callers' keys fit). */
int64_t web_limit_check(struct web_limiter *l, const char *key, int64_t now_ms);
/* Count a failure of key; returns the wait now due (0 when not blocked). */
int64_t web_limit_fail(struct web_limiter *l, const char *key, int64_t now_ms);
/* Forget key's failures (a successful login). */
void web_limit_ok(struct web_limiter *l, const char *key);

#endif
