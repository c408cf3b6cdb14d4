/*
 * auth.c — login sessions and the login rate limit (auth.h has the state
 * machine, the invariants S1-S5 and the rate limit's rules).
 *
 * Tables are small (hundreds of slots) and scanned linearly: a login or a
 * request touches a few hundred bytes per slot at most, and no pointer
 * structure can go wrong under hostile input.
 */
#include "web/auth.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/hex.h"

int web_user_ok(const char *s, size_t len)
{
    if (len == 0 || len > WEB_USER_MAX)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

int web_sess_init(struct web_sessions *s, size_t cap, int64_t idle_ms, int64_t max_ms,
                  const struct cairn_clock *clock)
{
    memset(s, 0, sizeof *s);
    if (cap == 0 || idle_ms <= 0 || max_ms <= 0 || !clock)
        return CAIRN_E_INVAL;
    s->v = calloc(cap, sizeof *s->v);
    if (!s->v)
        return CAIRN_E_NOMEM;
    s->cap = cap;
    s->idle_ms = idle_ms;
    s->max_ms = max_ms;
    s->clock = clock;
    return 0;
}

void web_sess_fini(struct web_sessions *s)
{
    if (s->v)
        sodium_memzero(s->v, s->cap * sizeof *s->v);
    free(s->v);
    memset(s, 0, sizeof *s);
}

static void sess_clear(struct web_sessions *s, struct web_sess *e)
{
    sodium_memzero(e, sizeof *e);
    s->live--;
}

static int sess_expired(const struct web_sessions *s, const struct web_sess *e, int64_t now)
{
    return now - e->t_used_ms >= s->idle_ms || now - e->t_login_ms >= s->max_ms;
}

size_t web_sess_purge(struct web_sessions *s)
{
    int64_t now = clock_now_ms(s->clock);
    size_t n = 0;
    for (size_t i = 0; i < s->cap; i++) {
        struct web_sess *e = &s->v[i];
        if (e->token[0] && sess_expired(s, e, now)) {
            sess_clear(s, e);
            s->expired++;
            n++;
        }
    }
    return n;
}

int web_sess_create(struct web_sessions *s, const char *user, char token_out[WEB_TOKEN_LEN + 1])
{
    if (!web_user_ok(user, strlen(user)))
        return CAIRN_E_INVAL;
    web_sess_purge(s);
    struct web_sess *slot = NULL;
    for (size_t i = 0; i < s->cap && !slot; i++)
        if (!s->v[i].token[0])
            slot = &s->v[i];
    if (!slot)
        return CAIRN_E_FULL;
    uint8_t raw[WEB_TOKEN_LEN / 2];
    randombytes_buf(raw, sizeof raw);
    hex_encode(raw, sizeof raw, slot->token);
    sodium_memzero(raw, sizeof raw);
    memcpy(slot->user, user, strlen(user) + 1);
    slot->t_login_ms = slot->t_used_ms = clock_now_ms(s->clock);
    s->live++;
    memcpy(token_out, slot->token, WEB_TOKEN_LEN + 1);
    return 0;
}

/* The live slot holding token, or NULL. Every live slot is compared, in
 * constant time, so the time taken says nothing about the token. */
static struct web_sess *sess_find(struct web_sessions *s, const char *token, size_t len)
{
    if (len != WEB_TOKEN_LEN)
        return NULL;
    struct web_sess *found = NULL;
    for (size_t i = 0; i < s->cap; i++) {
        struct web_sess *e = &s->v[i];
        if (e->token[0] && sodium_memcmp(e->token, token, WEB_TOKEN_LEN) == 0)
            found = e;
    }
    return found;
}

static struct web_sess *sess_lookup(struct web_sessions *s, const char *token, size_t len,
                                    int touch)
{
    struct web_sess *e = sess_find(s, token, len);
    if (!e)
        return NULL;
    int64_t now = clock_now_ms(s->clock);
    if (sess_expired(s, e, now)) {
        sess_clear(s, e); /* S5 */
        s->expired++;
        return NULL;
    }
    if (touch && now > e->t_used_ms)
        e->t_used_ms = now;
    return e;
}

const struct web_sess *web_sess_check(struct web_sessions *s, const char *token, size_t len)
{
    return sess_lookup(s, token, len, 1);
}

const struct web_sess *web_sess_peek(struct web_sessions *s, const char *token, size_t len)
{
    return sess_lookup(s, token, len, 0);
}

int web_sess_end(struct web_sessions *s, const char *token, size_t len)
{
    struct web_sess *e = sess_find(s, token, len);
    if (!e)
        return CAIRN_E_NOTFOUND;
    sess_clear(s, e);
    return 0;
}

size_t web_sess_end_user(struct web_sessions *s, const char *user)
{
    size_t n = 0;
    for (size_t i = 0; i < s->cap; i++) {
        struct web_sess *e = &s->v[i];
        if (e->token[0] && strcmp(e->user, user) == 0) {
            sess_clear(s, e);
            n++;
        }
    }
    return n;
}

int64_t web_sess_remaining_ms(const struct web_sessions *s, const struct web_sess *e)
{
    int64_t now = clock_now_ms(s->clock);
    int64_t a = e->t_used_ms + s->idle_ms - now;
    int64_t b = e->t_login_ms + s->max_ms - now;
    int64_t r = a < b ? a : b;
    return r > 0 ? r : 1;
}

int web_sess_verify(const struct web_sessions *s)
{
    size_t live = 0;
    for (size_t i = 0; i < s->cap; i++) {
        const struct web_sess *e = &s->v[i];
        if (!e->token[0]) {
            static const struct web_sess zero;
            if (memcmp(e, &zero, sizeof zero) != 0)
                return CAIRN_E_STATE; /* S1 */
            continue;
        }
        live++;
        if (strlen(e->token) != WEB_TOKEN_LEN)
            return CAIRN_E_STATE; /* S1 */
        for (size_t k = 0; k < WEB_TOKEN_LEN; k++) {
            char c = e->token[k];
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
                return CAIRN_E_STATE; /* S1 */
        }
        if (!web_user_ok(e->user, strlen(e->user)))
            return CAIRN_E_STATE; /* S1 */
        if (e->t_login_ms > e->t_used_ms)
            return CAIRN_E_STATE; /* S3 */
        for (size_t j = i + 1; j < s->cap; j++)
            if (s->v[j].token[0] && strcmp(s->v[j].token, e->token) == 0)
                return CAIRN_E_STATE; /* S2 */
    }
    if (live != s->live || live > s->cap)
        return CAIRN_E_STATE; /* S4 */
    return 0;
}

/* ------------------------------------------------------------ rate limit */

int web_limit_init(struct web_limiter *l, size_t cap, unsigned max_fail, int64_t window_ms,
                   int64_t block_ms)
{
    memset(l, 0, sizeof *l);
    if (cap == 0 || max_fail == 0 || window_ms <= 0 || block_ms <= 0)
        return CAIRN_E_INVAL;
    l->v = calloc(cap, sizeof *l->v);
    if (!l->v)
        return CAIRN_E_NOMEM;
    l->cap = cap;
    l->max_fail = max_fail;
    l->window_ms = window_ms;
    l->block_ms = block_ms;
    return 0;
}

void web_limit_fini(struct web_limiter *l)
{
    free(l->v);
    memset(l, 0, sizeof *l);
}

static struct web_limit_entry *limit_find(struct web_limiter *l, const char *key)
{
    for (size_t i = 0; i < l->cap; i++)
        if (l->v[i].key[0] && strncmp(l->v[i].key, key, WEB_LIMIT_KEY - 1) == 0)
            return &l->v[i];
    return NULL;
}

int64_t web_limit_check(struct web_limiter *l, const char *key, int64_t now_ms)
{
    struct web_limit_entry *e = limit_find(l, key);
    if (!e || !e->t_blocked_until)
        return 0;
    if (now_ms >= e->t_blocked_until) {
        /* The block is over: a fresh window. */
        e->t_blocked_until = 0;
        e->fails = 0;
        return 0;
    }
    return e->t_blocked_until - now_ms;
}

int64_t web_limit_fail(struct web_limiter *l, const char *key, int64_t now_ms)
{
    struct web_limit_entry *e = limit_find(l, key);
    if (!e) {
        /* A free slot, else the least recently touched unblocked key, else
         * the least recently touched key. */
        struct web_limit_entry *old = NULL, *oldb = NULL;
        for (size_t i = 0; i < l->cap; i++) {
            struct web_limit_entry *c = &l->v[i];
            if (!c->key[0]) {
                e = c;
                break;
            }
            int blocked = c->t_blocked_until > now_ms;
            if (!blocked && (!old || c->t_last_ms < old->t_last_ms))
                old = c;
            if (!oldb || c->t_last_ms < oldb->t_last_ms)
                oldb = c;
        }
        if (!e)
            e = old ? old : oldb;
        memset(e, 0, sizeof *e);
        size_t n = strlen(key);
        if (n > WEB_LIMIT_KEY - 1)
            n = WEB_LIMIT_KEY - 1;
        memcpy(e->key, key, n);
        e->key[n] = '\0';
    }
    if (e->t_blocked_until && now_ms >= e->t_blocked_until) {
        e->t_blocked_until = 0;
        e->fails = 0;
    }
    if (e->fails == 0 || now_ms - e->t_first_ms >= l->window_ms) {
        e->fails = 0;
        e->t_first_ms = now_ms;
    }
    e->fails++;
    e->t_last_ms = now_ms;
    if (e->fails >= l->max_fail && !e->t_blocked_until)
        e->t_blocked_until = now_ms + l->block_ms;
    return e->t_blocked_until ? e->t_blocked_until - now_ms : 0;
}

void web_limit_ok(struct web_limiter *l, const char *key)
{
    struct web_limit_entry *e = limit_find(l, key);
    if (e)
        memset(e, 0, sizeof *e);
}
