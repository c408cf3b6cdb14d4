/*
 * acks.c — operators' acknowledgements of alerts (acks.h). A small array
 * searched linearly: it holds no more entries than alerts are listed.
 */
#include "app/acks.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "detect/detect.h"

void app_acks_init(struct app_acks *a)
{
    memset(a, 0, sizeof *a);
}

void app_acks_free(struct app_acks *a)
{
    free(a->v);
    memset(a, 0, sizeof *a);
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
    for (size_t i = 0; i < a->n; i++)
        if (a->v[i].id == id)
            return &a->v[i].ack;
    return NULL;
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
    if (a->n == a->cap) {
        size_t cap = a->cap ? 2 * a->cap : 16;
        struct app_ack_entry *v = realloc(a->v, cap * sizeof *v);
        if (!v)
            return CAIRN_E_NOMEM;
        a->v = v;
        a->cap = cap;
    }
    struct app_ack_entry *e = &a->v[a->n++];
    memset(e, 0, sizeof *e);
    e->id = id;
    memcpy(e->ack.user, user, ul);
    e->ack.t_ms = t_ms;
    return 1;
}

void app_acks_prune(struct app_acks *a, const struct det_alert *v, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < a->n; i++) {
        int found = 0;
        for (size_t j = 0; j < n && !found; j++)
            found = v[j].id == a->v[i].id && v[j].state != DET_ST_FREE;
        if (found)
            a->v[k++] = a->v[i];
    }
    a->n = k;
}
