/*
 * compliance.c — the compliance ledger, summaries and their comparison
 * (compliance.h has the grammar and the rules).
 */
#include "app/compliance.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "geo/zones.h"
#include "track/track.h"

#define DAY_MS 86400000LL

static int64_t day_of(int64_t ms)
{
    return ms >= 0 ? ms / DAY_MS : -((-ms + DAY_MS - 1) / DAY_MS);
}

/* ---------------------------------------------------------------- parties */

static int party_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* 1..6 hex digits at *p (advanced). */
static int parse_hex24(const char **p, uint32_t *out)
{
    uint32_t v = 0;
    int n = 0;
    while (hexval(**p) >= 0 && n < 6) {
        v = v << 4 | (uint32_t)hexval(**p);
        (*p)++;
        n++;
    }
    if (n == 0 || hexval(**p) >= 0)
        return -1;
    *out = v;
    return 0;
}

int cpl_parties_parse(const char *s, struct cpl_parties *out, char *err, size_t cap)
{
    memset(out, 0, sizeof *out);
    const char *p = s;
    while (*p == ' ')
        p++;
    if (!*p)
        return 0;
    for (;;) {
        if (out->n >= CPL_MAX_PARTIES) {
            snprintf(err, cap, "compliance_parties: at most %d parties", CPL_MAX_PARTIES);
            return CAIRN_E_FORMAT;
        }
        struct cpl_party *pt = &out->v[out->n];
        size_t k = 0;
        while (party_char(*p) && k < CPL_PARTY_LEN - 1)
            pt->name[k++] = *p++;
        pt->name[k] = 0;
        if (!k || party_char(*p) || *p != '=' || !strcmp(pt->name, "OTHER") ||
            !strcmp(pt->name, "UNKNOWN")) {
            snprintf(err, cap,
                     "compliance_parties wants NAME=LO-HI,... (NAME 1 to %d of [A-Za-z0-9_-], "
                     "not OTHER or UNKNOWN; LO, HI hex ICAO addresses)",
                     CPL_PARTY_LEN - 1);
            return CAIRN_E_FORMAT;
        }
        p++;
        if (parse_hex24(&p, &pt->lo) != 0 || *p++ != '-' || parse_hex24(&p, &pt->hi) != 0 ||
            pt->lo > pt->hi) {
            snprintf(err, cap, "compliance_parties: %s wants LO-HI, hex, LO <= HI", pt->name);
            return CAIRN_E_FORMAT;
        }
        out->n++;
        while (*p == ' ')
            p++;
        if (!*p)
            return 0;
        if (*p++ != ',') {
            snprintf(err, cap, "compliance_parties: ranges are separated by commas");
            return CAIRN_E_FORMAT;
        }
        while (*p == ' ')
            p++;
    }
}

const char *cpl_party_of(const struct cpl_parties *pp, int has_icao, uint32_t icao)
{
    if (!has_icao)
        return "UNKNOWN";
    for (size_t i = 0; pp && i < pp->n; i++)
        if (icao >= pp->v[i].lo && icao <= pp->v[i].hi)
            return pp->v[i].name;
    return "OTHER";
}

/* ----------------------------------------------------------------- ledger */

int cpl_ledger_init(struct cpl_ledger *l, size_t cap)
{
    memset(l, 0, sizeof *l);
    if (cap == 0 || cap > CPL_LEDGER_MAX)
        cap = CPL_LEDGER_MAX;
    l->n_slot = 1;
    while (l->n_slot < 2 * cap)
        l->n_slot <<= 1;
    l->v = calloc(cap, sizeof *l->v);
    l->slot = calloc(l->n_slot, sizeof *l->slot);
    if (!l->v || !l->slot) {
        cpl_ledger_fini(l);
        return CAIRN_E_NOMEM;
    }
    l->cap = cap;
    l->day = INT64_MIN;
    return 0;
}

void cpl_ledger_fini(struct cpl_ledger *l)
{
    free(l->v);
    free(l->slot);
    memset(l, 0, sizeof *l);
}

static size_t slot_of(const struct cpl_ledger *l, uint32_t id)
{
    size_t h = (size_t)(id * 2654435761u) & (l->n_slot - 1);
    while (l->slot[h] && l->v[l->slot[h] - 1].track_id != id)
        h = (h + 1) & (l->n_slot - 1);
    return h;
}

static void rehash(struct cpl_ledger *l)
{
    memset(l->slot, 0, l->n_slot * sizeof *l->slot);
    for (size_t i = 0; i < l->n; i++) /* later flights of a track win */
        if (!l->v[i].orphan)
            l->slot[slot_of(l, l->v[i].track_id)] = (uint32_t)(i + 1);
}

static void prune(struct cpl_ledger *l, int64_t now_ms)
{
    size_t k = 0;
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i].last_ms >= now_ms - CPL_PRUNE_MS)
            l->v[k++] = l->v[i];
    l->n = k;
    rehash(l);
}

static int in_area(const struct geo_zones *area, double lat, double lon)
{
    for (size_t z = 0; z < area->n; z++) {
        int inside = 0;
        double d;
        if (!geo_zone_bbox_near(&area->z[z], lat, lon, 0))
            continue;
        if (geo_zone_locate(&area->z[z], lat, lon, &inside, &d) == 0 && inside)
            return 1;
    }
    return 0;
}

static void copy_callsign(char out[9], const char *cs)
{
    size_t k = 0;
    for (size_t i = 0; i < 8 && cs[i]; i++) {
        char c = cs[i];
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
            out[k++] = c;
    }
    out[k] = 0;
}

/* The newest orphan flight of day (read from a saved ledger) with tr's ICAO
 * address, or without one its callsign; NULL if none. */
static struct cpl_flight *adopt(struct cpl_ledger *l, const struct trk_track *tr, int64_t day)
{
    char cs[9] = "";
    if (tr->ids & TRK_ID_CALLSIGN)
        copy_callsign(cs, tr->callsign);
    int by_icao = (tr->ids & TRK_ID_ICAO) != 0;
    if (!by_icao && !cs[0])
        return NULL;
    struct cpl_flight *best = NULL;
    for (size_t i = 0; i < l->n; i++) {
        struct cpl_flight *o = &l->v[i];
        if (!o->orphan || day_of(o->first_ms) != day)
            continue;
        int same = by_icao ? o->has_icao && o->icao == (tr->icao & 0xffffffu)
                           : !o->has_icao && !strcmp(o->callsign, cs);
        if (same && (!best || o->last_ms > best->last_ms))
            best = o;
    }
    return best;
}

void cpl_ledger_feed(struct cpl_ledger *l, const struct geo_zones *area,
                     const struct cpl_parties *pp, const struct trk_track *t, size_t n,
                     int64_t now_ms)
{
    if (!area || !l->v)
        return;
    int64_t day = day_of(now_ms);
    if (day != l->day) {
        l->day = day;
        prune(l, now_ms);
    }
    for (size_t i = 0; i < n; i++) {
        const struct trk_track *tr = &t[i];
        if ((tr->status != TRK_ST_CONFIRMED && tr->status != TRK_ST_COASTING) ||
            tr->kind == TRK_KIND_VESSEL)
            continue;
        if (!in_area(area, tr->lat_deg, tr->lon_deg))
            continue;
        size_t h = slot_of(l, tr->id);
        struct cpl_flight *f = l->slot[h] ? &l->v[l->slot[h] - 1] : NULL;
        if (f && day_of(f->first_ms) != day)
            f = NULL; /* a new day: a new flight of the same track */
        if (!f && (f = adopt(l, tr, day))) {
            f->orphan = 0;
            f->track_id = tr->id;
            l->slot[h] = (uint32_t)(f - l->v + 1);
        }
        if (!f) {
            if (l->n >= l->cap) {
                l->dropped++;
                continue;
            }
            f = &l->v[l->n];
            memset(f, 0, sizeof *f);
            f->track_id = tr->id;
            f->first_ms = now_ms;
            f->xpdr = f->plan = f->radio = 'U';
            l->slot[h] = (uint32_t)(++l->n);
        }
        f->last_ms = now_ms;
        f->has_icao = (tr->ids & TRK_ID_ICAO) != 0;
        f->icao = tr->icao & 0xffffffu;
        if (tr->ids & TRK_ID_CALLSIGN)
            copy_callsign(f->callsign, tr->callsign);
        snprintf(f->party, sizeof f->party, "%s", cpl_party_of(pp, f->has_icao, f->icao));
        if (tr->transponder == TRK_TRI_YES)
            f->seen_on = 1;
        else if (tr->transponder == TRK_TRI_NO)
            f->seen_dark = 1;
        f->xpdr = f->seen_dark ? 'N' : f->seen_on ? 'Y' : 'U';
        if (tr->flight_plan != TRK_TRI_UNKNOWN)
            f->plan = tr->flight_plan == TRK_TRI_YES ? 'Y' : 'N';
        if (tr->radio != TRK_TRI_UNKNOWN)
            f->radio = tr->radio == TRK_TRI_YES ? 'Y' : 'N';
    }
}

/* --------------------------------------------------------------- summary */

static struct cpl_count *count_for(struct cpl_summary *s, const char *party)
{
    for (size_t i = 0; i < s->n_c; i++)
        if (!strcmp(s->c[i].party, party))
            return &s->c[i];
    if (s->n_c >= CPL_MAX_COUNTS)
        return NULL;
    struct cpl_count *c = &s->c[s->n_c++];
    memset(c, 0, sizeof *c);
    snprintf(c->party, sizeof c->party, "%s", party);
    return c;
}

static int overlaps(const struct cpl_flight *f, int64_t from_ms, int64_t until_ms)
{
    return f->last_ms >= from_ms && f->first_ms < until_ms;
}

void cpl_summarise(const struct cpl_ledger *l, const struct cpl_parties *pp, int64_t from_ms,
                   int64_t until_ms, struct cpl_summary *out)
{
    memset(out, 0, sizeof *out);
    out->from_ms = from_ms;
    out->until_ms = until_ms;
    for (size_t i = 0; pp && i < pp->n; i++)
        count_for(out, pp->v[i].name);
    for (size_t i = 0; i < l->n; i++) {
        const struct cpl_flight *f = &l->v[i];
        if (!overlaps(f, from_ms, until_ms))
            continue;
        struct cpl_count *c = count_for(out, f->party);
        if (c) {
            c->flights++;
            c->xpdr += f->xpdr == 'Y';
            c->plan += f->plan == 'Y';
            c->radio += f->radio == 'Y';
        }
        if (out->n_f < CPL_LIST_MAX)
            out->f[out->n_f++] = *f;
        else
            out->omitted++;
    }
}

static void ident(const struct cpl_flight *f, char *out, size_t cap)
{
    if (f->has_icao)
        snprintf(out, cap, "icao:%06" PRIx32, f->icao);
    else if (f->callsign[0])
        snprintf(out, cap, "%s", f->callsign);
    else
        snprintf(out, cap, "T%" PRIu32, f->track_id);
}

int cpl_format(const struct cpl_summary *s, struct dbuf *counts, struct dbuf *flights)
{
    int rc = 0;
    for (size_t i = 0; i < s->n_c && !rc; i++)
        rc = dbuf_addf(counts, "%s%s=%lld/%lld/%lld/%lld", i ? ";" : "", s->c[i].party,
                       (long long)s->c[i].flights, (long long)s->c[i].xpdr, (long long)s->c[i].plan,
                       (long long)s->c[i].radio);
    for (size_t i = 0; i < s->n_f && !rc; i++) {
        char id[24];
        ident(&s->f[i], id, sizeof id);
        rc = dbuf_addf(flights, "%s%s,%s,%c,%c,%c", i ? ";" : "", s->f[i].party, id, s->f[i].xpdr,
                       s->f[i].plan, s->f[i].radio);
    }
    return rc ? CAIRN_E_NOMEM : 0;
}

/* ----------------------------------------------------------------- parser */

struct cur {
    const char *p, *end;
};

static int at(const struct cur *c, char ch)
{
    return c->p < c->end && *c->p == ch;
}

static int take_party(struct cur *c, char out[CPL_PARTY_LEN])
{
    size_t k = 0;
    while (c->p < c->end && party_char(*c->p)) {
        if (k >= CPL_PARTY_LEN - 1)
            return -1;
        out[k++] = *c->p++;
    }
    out[k] = 0;
    return k ? 0 : -1;
}

static int take_num(struct cur *c, int64_t *out)
{
    int64_t v = 0;
    int n = 0;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
        if (++n > 9)
            return -1;
        v = v * 10 + (*c->p++ - '0');
    }
    if (!n)
        return -1;
    *out = v;
    return 0;
}

static int take_tri(struct cur *c, char *out)
{
    if (c->p >= c->end || (*c->p != 'Y' && *c->p != 'N' && *c->p != 'U'))
        return -1;
    *out = *c->p++;
    return 0;
}

static int take_ident(struct cur *c, struct cpl_flight *f)
{
    size_t left = (size_t)(c->end - c->p);
    if (left >= 5 && !memcmp(c->p, "icao:", 5)) {
        c->p += 5;
        uint32_t v = 0;
        for (int i = 0; i < 6; i++) {
            if (c->p >= c->end || hexval(*c->p) < 0)
                return -1;
            v = v << 4 | (uint32_t)hexval(*c->p++);
        }
        f->has_icao = 1;
        f->icao = v;
        return 0;
    }
    size_t k = 0;
    char buf[12];
    while (c->p < c->end && ((*c->p >= 'A' && *c->p <= 'Z') || (*c->p >= '0' && *c->p <= '9'))) {
        if (k >= 11)
            return -1;
        buf[k++] = *c->p++;
    }
    buf[k] = 0;
    if (!k)
        return -1;
    if (buf[0] == 'T' && k >= 2 && strspn(buf + 1, "0123456789") == k - 1) {
        f->track_id = (uint32_t)strtoul(buf + 1, NULL, 10); /* the sender's: never matched */
        return 0;
    }
    if (k > 8)
        return -1;
    memcpy(f->callsign, buf, k + 1);
    return 0;
}

int cpl_parse(const char *counts, size_t clen, const char *flights, size_t flen,
              struct cpl_summary *out)
{
    out->n_c = out->n_f = 0;
    struct cur c = {counts, counts + clen};
    for (;;) {
        if (out->n_c >= CPL_MAX_COUNTS)
            return CAIRN_E_FORMAT;
        struct cpl_count *k = &out->c[out->n_c];
        memset(k, 0, sizeof *k);
        if (take_party(&c, k->party) || !at(&c, '=') || (c.p++, take_num(&c, &k->flights)) ||
            !at(&c, '/') || (c.p++, take_num(&c, &k->xpdr)) || !at(&c, '/') ||
            (c.p++, take_num(&c, &k->plan)) || !at(&c, '/') || (c.p++, take_num(&c, &k->radio)))
            return CAIRN_E_FORMAT;
        if (k->xpdr > k->flights || k->plan > k->flights || k->radio > k->flights)
            return CAIRN_E_FORMAT;
        for (size_t i = 0; i < out->n_c; i++)
            if (!strcmp(out->c[i].party, k->party))
                return CAIRN_E_FORMAT; /* a party twice */
        out->n_c++;
        if (c.p == c.end)
            break;
        if (!at(&c, ';'))
            return CAIRN_E_FORMAT;
        c.p++;
    }
    if (!flights || flen == 0)
        return 0;
    c.p = flights;
    c.end = flights + flen;
    for (;;) {
        if (out->n_f >= CPL_LIST_MAX)
            return CAIRN_E_FORMAT;
        struct cpl_flight *f = &out->f[out->n_f];
        memset(f, 0, sizeof *f);
        if (take_party(&c, f->party) || !at(&c, ',') || (c.p++, take_ident(&c, f)) ||
            !at(&c, ',') || (c.p++, take_tri(&c, &f->xpdr)) || !at(&c, ',') ||
            (c.p++, take_tri(&c, &f->plan)) || !at(&c, ',') || (c.p++, take_tri(&c, &f->radio)))
            return CAIRN_E_FORMAT;
        out->n_f++;
        if (c.p == c.end)
            return 0;
        if (!at(&c, ';'))
            return CAIRN_E_FORMAT;
        c.p++;
    }
}

/* ------------------------------------------------------------- comparison */

static const struct cpl_count *find_count(const struct cpl_summary *s, const char *party)
{
    for (size_t i = 0; i < s->n_c; i++)
        if (!strcmp(s->c[i].party, party))
            return &s->c[i];
    return NULL;
}

static const struct cpl_flight *find_ours(const struct cpl_ledger *l, const struct cpl_flight *f,
                                          int64_t from_ms, int64_t until_ms)
{
    if (!f->has_icao && !f->callsign[0])
        return NULL;
    for (size_t i = 0; i < l->n; i++) {
        const struct cpl_flight *o = &l->v[i];
        if (!overlaps(o, from_ms, until_ms))
            continue;
        if (f->has_icao ? (o->has_icao && o->icao == f->icao) : !strcmp(o->callsign, f->callsign))
            return o;
    }
    return NULL;
}

size_t cpl_compare(const struct cpl_ledger *l, const struct cpl_parties *pp, const char *peer,
                   const struct cpl_summary *theirs, char (*out)[CPL_DISC_LEN], size_t cap)
{
    struct cpl_summary *ours = malloc(sizeof *ours);
    if (!ours)
        return 0;
    cpl_summarise(l, pp, theirs->from_ms, theirs->until_ms, ours);
    size_t n = 0;
    static const struct cpl_count zero;
    /* every party either side counts */
    for (int side = 0; side < 2; side++) {
        const struct cpl_summary *a = side ? ours : theirs;
        for (size_t i = 0; i < a->n_c && n < cap; i++) {
            const char *party = a->c[i].party;
            if (side && find_count(theirs, party))
                continue; /* seen from the peer's side already */
            const struct cpl_count *tc = find_count(theirs, party), *oc = find_count(ours, party);
            if (!tc)
                tc = &zero;
            if (!oc)
                oc = &zero;
            if (tc->flights == oc->flights && tc->xpdr == oc->xpdr)
                continue;
            snprintf(out[n++], CPL_DISC_LEN,
                     "Compliance: %s counts %lld flight(s) of party %s in the area, %lld with "
                     "transponder on; we saw %lld, %lld with transponder on.",
                     peer, (long long)tc->flights, party, (long long)tc->xpdr,
                     (long long)oc->flights, (long long)oc->xpdr);
        }
    }
    for (size_t i = 0; i < theirs->n_f && n < cap; i++) {
        const struct cpl_flight *f = &theirs->f[i];
        if (f->xpdr == 'U')
            continue;
        const struct cpl_flight *o = find_ours(l, f, theirs->from_ms, theirs->until_ms);
        if (!o || o->xpdr == 'U' || o->xpdr == f->xpdr)
            continue;
        char id[24];
        ident(f, id, sizeof id);
        snprintf(out[n++], CPL_DISC_LEN,
                 "Compliance: %s reports flight %s with transponder %s; we saw it %s (track %u).",
                 peer, id, f->xpdr == 'Y' ? "on" : "off",
                 o->xpdr == 'Y' ? "with transponder" : "without transponder", o->track_id);
    }
    free(ours);
    return n;
}

/* ------------------------------------------------------ the saved ledger */

#define LEDGER_HEADER "cairn-compliance-ledger 1"

int cpl_ledger_write(const struct cpl_ledger *l, struct dbuf *out)
{
    int rc = dbuf_adds(out, LEDGER_HEADER "\n");
    for (size_t i = 0; i < l->n && rc >= 0; i++) {
        const struct cpl_flight *f = &l->v[i];
        char icao[8] = "-";
        if (f->has_icao)
            snprintf(icao, sizeof icao, "%06" PRIx32, f->icao & 0xffffffu);
        rc = dbuf_addf(out, "%" PRIu32 " %" PRId64 " %" PRId64 " %s %s %d %d %c %c\n", f->track_id,
                       f->first_ms, f->last_ms, icao, f->callsign[0] ? f->callsign : "-",
                       f->seen_on ? 1 : 0, f->seen_dark ? 1 : 0, f->plan, f->radio);
    }
    return rc < 0 ? CAIRN_E_NOMEM : 0;
}

/* A run of 1..max digits at *p (before end) into *v; 0 or -1. */
static int rd_num(const char **p, const char *end, size_t max, int64_t *v)
{
    const char *s = *p;
    int64_t x = 0;
    size_t k = 0;
    while (s < end && *s >= '0' && *s <= '9' && k < max) {
        x = x * 10 + (*s++ - '0');
        k++;
    }
    if (k == 0 || (s < end && *s >= '0' && *s <= '9'))
        return -1;
    *v = x;
    *p = s;
    return 0;
}

/* One token of 1..max bytes up to a space or end, copied to out. */
static int rd_tok(const char **p, const char *end, size_t max, char *out)
{
    const char *s = *p;
    size_t k = 0;
    while (s < end && *s != ' ') {
        if (k >= max)
            return -1;
        out[k++] = *s++;
    }
    out[k] = 0;
    *p = s;
    return k ? 0 : -1;
}

static int rd_sp(const char **p, const char *end)
{
    if (*p >= end || **p != ' ')
        return -1;
    (*p)++;
    return 0;
}

/* One flight line [s, end) into f; 0 or -1. */
static int rd_flight(const char *s, const char *end, struct cpl_flight *f)
{
    int64_t id, first, last;
    char icao[8], cs[10], on[3], dark[3], plan[3], radio[3];
    memset(f, 0, sizeof *f);
    if (rd_num(&s, end, 10, &id) || id > UINT32_MAX || rd_sp(&s, end) ||
        rd_num(&s, end, 15, &first) || rd_sp(&s, end) || rd_num(&s, end, 15, &last) ||
        last < first || rd_sp(&s, end) || rd_tok(&s, end, 6, icao) || rd_sp(&s, end) ||
        rd_tok(&s, end, 8, cs) || rd_sp(&s, end) || rd_tok(&s, end, 1, on) || rd_sp(&s, end) ||
        rd_tok(&s, end, 1, dark) || rd_sp(&s, end) || rd_tok(&s, end, 1, plan) || rd_sp(&s, end) ||
        rd_tok(&s, end, 1, radio) || s != end)
        return -1;
    if (strcmp(icao, "-") != 0) {
        const char *q = icao;
        uint32_t a;
        if (strlen(icao) != 6 || parse_hex24(&q, &a) != 0 || *q)
            return -1;
        f->has_icao = 1;
        f->icao = a;
    }
    if (strcmp(cs, "-") != 0) {
        for (const char *c = cs; *c; c++)
            if (!((*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9')))
                return -1;
        memcpy(f->callsign, cs, strlen(cs) + 1);
    }
    if ((on[0] != '0' && on[0] != '1') || (dark[0] != '0' && dark[0] != '1') ||
        !strchr("YNU", plan[0]) || !strchr("YNU", radio[0]))
        return -1;
    f->track_id = (uint32_t)id;
    f->first_ms = first;
    f->last_ms = last;
    f->seen_on = on[0] == '1';
    f->seen_dark = dark[0] == '1';
    f->xpdr = f->seen_dark ? 'N' : f->seen_on ? 'Y' : 'U';
    f->plan = plan[0];
    f->radio = radio[0];
    f->orphan = 1;
    return 0;
}

int cpl_ledger_read(struct cpl_ledger *l, const struct cpl_parties *pp, const char *text,
                    size_t len, int64_t now_ms, size_t *bad)
{
    *bad = 0;
    const char *s = text, *end = text + len;
    const char *nl = memchr(s, '\n', len);
    size_t hl = strlen(LEDGER_HEADER);
    if (!nl || (size_t)(nl - s) != hl || memcmp(s, LEDGER_HEADER, hl) != 0)
        return CAIRN_E_FORMAT;
    for (s = nl + 1; s < end;) {
        nl = memchr(s, '\n', (size_t)(end - s));
        const char *e = nl ? nl : end;
        struct cpl_flight f;
        if (e == s) {
            /* an empty line: nothing */
        } else if (rd_flight(s, e, &f) != 0) {
            (*bad)++;
        } else if (now_ms == INT64_MIN || f.last_ms >= now_ms - CPL_PRUNE_MS) {
            if (l->n >= l->cap) {
                l->dropped++;
            } else {
                snprintf(f.party, sizeof f.party, "%s", cpl_party_of(pp, f.has_icao, f.icao));
                l->v[l->n++] = f;
            }
        }
        s = nl ? nl + 1 : end;
    }
    rehash(l);
    return 0;
}
