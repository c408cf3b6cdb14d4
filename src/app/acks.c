/*
 * acks.c — operators' acknowledgements of alerts (acks.h). Small arrays
 * searched linearly: the live entries are no more than the alerts listed,
 * the ended ones a fixed ring.
 */
#include "app/acks.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/grow.h"
#include "detect/detect.h"

void app_acks_init(struct app_acks *a)
{
    memset(a, 0, sizeof *a);
}

void app_acks_free(struct app_acks *a)
{
    free(a->v);
    free(a->seen);
    memset(a, 0, sizeof *a);
}

/* The ring entry of id, whatever its age, or NULL. */
static struct app_ack_ended *ended_find(const struct app_acks *a, uint32_t id)
{
    for (size_t i = 0; i < a->n_ended; i++) {
        const struct app_ack_ended *e = &a->ended[(a->ended_first + i) % APP_ACKS_ENDED_N];
        if (e->alert.id == id)
            return (struct app_ack_ended *)e;
    }
    return NULL;
}

static const struct web_ack *live_get(const struct app_acks *a, uint32_t id)
{
    for (size_t i = 0; i < a->n; i++)
        if (a->v[i].id == id)
            return &a->v[i].ack;
    return NULL;
}

static int user_ok(const char *u, size_t n)
{
    if (n < 1 || n > WEB_ACK_USER_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char ch = u[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '.' || ch == '_' || ch == '-'))
            return 0;
    }
    return 1;
}

const struct web_ack *app_acks_get(const struct app_acks *a, uint32_t id)
{
    const struct web_ack *k = live_get(a, id);
    if (k)
        return k;
    const struct app_ack_ended *e = ended_find(a, id);
    return e && e->ack.user[0] ? &e->ack : NULL;
}

int app_acks_set(struct app_acks *a, uint32_t id, const char *user, int64_t t_ms)
{
    if (!user || !*user)
        user = "api";
    size_t ul = strnlen(user, WEB_ACK_USER_MAX + 1);
    if (!user_ok(user, ul))
        return CAIRN_E_INVAL;
    if (app_acks_get(a, id))
        return 0; /* invariant 2 */
    struct app_ack_ended *gone = ended_find(a, id);
    if (gone) {
        memset(&gone->ack, 0, sizeof gone->ack);
        memcpy(gone->ack.user, user, ul);
        gone->ack.t_ms = t_ms;
        return 1;
    }
    int rc = GROW_ARRAY(&a->v, &a->cap, a->n + 1, 16);
    if (rc)
        return rc;
    struct app_ack_entry *e = &a->v[a->n++];
    memset(e, 0, sizeof *e);
    e->id = id;
    memcpy(e->ack.user, user, ul);
    e->ack.t_ms = t_ms;
    return 1;
}

static int listed(const struct det_alert *v, size_t n, uint32_t id)
{
    for (size_t j = 0; j < n; j++)
        if (v[j].id == id && v[j].state != DET_ST_FREE)
            return 1;
    return 0;
}

/* Put alert (as last listed) into the ring, the oldest out when full. */
static void ended_push(struct app_acks *a, const struct det_alert *alert, int64_t now_ms)
{
    struct app_ack_ended *e;
    if (a->n_ended == APP_ACKS_ENDED_N) {
        e = &a->ended[a->ended_first];
        a->ended_first = (a->ended_first + 1) % APP_ACKS_ENDED_N;
    } else {
        e = &a->ended[(a->ended_first + a->n_ended++) % APP_ACKS_ENDED_N];
    }
    memset(e, 0, sizeof *e);
    e->alert = *alert;
    e->alert.state = DET_ST_CLEARED;
    const struct web_ack *k = live_get(a, alert->id);
    if (k)
        e->ack = *k;
    e->t_end_ms = now_ms;
}

/* Drop the ring entries whose id is listed again (invariant 3), and those
 * too old to be acknowledged (invariant 4). */
static void ended_keep(struct app_acks *a, const struct det_alert *v, size_t n, int64_t now_ms)
{
    size_t k = 0;
    for (size_t i = 0; i < a->n_ended; i++) {
        const struct app_ack_ended *e = &a->ended[(a->ended_first + i) % APP_ACKS_ENDED_N];
        if (!listed(v, n, e->alert.id) && now_ms - e->t_end_ms <= APP_ACKS_ENDED_MS)
            a->ended[(a->ended_first + k++) % APP_ACKS_ENDED_N] = *e;
    }
    a->n_ended = k;
}

int app_acks_sync(struct app_acks *a, const struct det_alert *v, size_t n, int64_t now_ms)
{
    /* the previous list's alerts gone from this one: ended (with their acks) */
    for (size_t i = 0; i < a->n_seen; i++)
        if (!listed(v, n, a->seen[i].id) && !ended_find(a, a->seen[i].id))
            ended_push(a, &a->seen[i], now_ms);
    ended_keep(a, v, n, now_ms);
    /* live acknowledgements: those of listed alerts only */
    size_t k = 0;
    for (size_t i = 0; i < a->n; i++)
        if (listed(v, n, a->v[i].id))
            a->v[k++] = a->v[i];
    a->n = k;
    /* this list, for the next call */
    int rc = 0;
    if (n > a->cap_seen) {
        struct det_alert *s = realloc(a->seen, n * sizeof *s);
        if (s) {
            a->seen = s;
            a->cap_seen = n;
        } else {
            rc = CAIRN_E_NOMEM;
        }
    }
    a->n_seen = 0;
    for (size_t i = 0; i < n && a->n_seen < a->cap_seen; i++)
        if (v[i].state != DET_ST_FREE)
            a->seen[a->n_seen++] = v[i];
    return rc;
}

const struct det_alert *app_acks_ended(const struct app_acks *a, uint32_t id, int64_t now_ms)
{
    const struct app_ack_ended *e = ended_find(a, id);
    if (!e || now_ms - e->t_end_ms > APP_ACKS_ENDED_MS)
        return NULL;
    return &e->alert;
}
