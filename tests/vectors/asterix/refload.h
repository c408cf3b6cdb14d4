/*
 * refload.h — shared helpers of the ASTERIX reference tests: load a sample
 * (raw blocks or pcap), decode every record with chosen editions, and flatten
 * a decoded item into named leaves with their values.
 */
#ifndef CAIRN_TESTS_ASTERIX_REFLOAD_H
#define CAIRN_TESTS_ASTERIX_REFLOAD_H

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "decode/asterix/asterix.h"
#include "feed/pcap.h"
#include "testdata.h"

/* Datagrams of a sample, copied into one buffer. */
struct sample {
    uint8_t *buf;
    size_t len;
    size_t n_dgram;
    size_t dg_off[4096], dg_len[4096];
};

static inline int sample_load(const char *path, struct sample *s)
{
    memset(s, 0, sizeof *s);
    size_t n = strlen(path);
    if (n > 5 && !strcmp(path + n - 5, ".pcap")) {
        struct feed_pcap *f;
        char err[256];
        if (feed_pcap_open(&f, path, err, sizeof err) < 0)
            return -1;
        size_t cap = 1 << 20;
        s->buf = malloc(cap);
        struct pcap_udp u;
        while (feed_pcap_next(f, &u) == 1 && s->n_dgram < 4096) {
            if (s->len + u.len > cap)
                break;
            memcpy(s->buf + s->len, u.payload, u.len);
            s->dg_off[s->n_dgram] = s->len;
            s->dg_len[s->n_dgram++] = u.len;
            s->len += u.len;
        }
        feed_pcap_close(f);
        return 0;
    }
    s->buf = td_slurp(path, &s->len);
    if (!s->buf)
        return -1;
    if (ax_gps_detect(s->buf, s->len)) {
        /* Croatia "GPS" recording: one "datagram" per block */
        size_t off = 0, bl;
        const uint8_t *blk;
        double tod;
        while (s->n_dgram < 4096 && ax_gps_next(s->buf, s->len, &off, &blk, &bl, &tod) == 1) {
            s->dg_off[s->n_dgram] = (size_t)(blk - s->buf);
            s->dg_len[s->n_dgram++] = bl;
        }
        return 0;
    }
    s->n_dgram = 1;
    s->dg_off[0] = 0;
    s->dg_len[0] = s->len;
    return 0;
}

/* Decode every record of a sample; returns the count, records in *out
 * (malloc'ed, caller frees). Errors counted in *st. */
static inline size_t sample_decode(const struct sample *s, const struct ax_editions *eds,
                                   struct ax_record **out, struct ax_stats *st)
{
    size_t cap = 64, n = 0;
    struct ax_record *recs = malloc(cap * sizeof *recs);
    for (size_t d = 0; d < s->n_dgram; d++) {
        const uint8_t *dp = s->buf + s->dg_off[d];
        size_t dlen = s->dg_len[d], foff = 0;
        const uint8_t *p = dp;
        size_t plen = dlen;
        int oradis = ax_framing_guess(dp, dlen) == AX_FRAMING_ORADIS;
        for (;;) {
            if (oradis && ax_oradis_next(dp, dlen, &foff, &p, &plen) != 1)
                break;
            size_t off = 0;
            struct ax_block b;
            struct ax_error e;
            while (ax_block_next(p, plen, &off, &b, &e, st) == 1) {
                if (ax_block_open(&b, eds, &e, st) < 0)
                    continue;
                for (;;) {
                    if (n == cap) {
                        cap *= 2;
                        recs = realloc(recs, cap * sizeof *recs);
                    }
                    if (ax_block_record(&b, &recs[n], &e, st) != 1)
                        break;
                    n++;
                }
            }
            if (!oradis)
                break;
        }
    }
    *out = recs;
    return n;
}

/* One leaf of an item, flattened. */
struct leafv {
    char name[40];
    char parent[40];
    const struct ax_node *node;
    int is_str;
    double v;
    char s[80];
    int used;
};

struct leaves {
    struct leafv v[512];
    size_t n;
    const char *stack[32];
    int depth;
    const char *item;
};

static inline void leaf_hex(const struct ax_leaf *l, char *out, size_t cap)
{
    static const char hx[] = "0123456789abcdef";
    unsigned nib = (l->bits + 3) / 4, lead = nib * 4 - l->bits, k = 0;
    for (unsigned i = 0; i < nib && k + 1 < cap; i++) {
        unsigned v = 0;
        for (unsigned j = 0; j < 4; j++) {
            unsigned bit = i * 4 + j, b = 0;
            if (bit >= lead) {
                size_t pos = l->bit + (bit - lead);
                b = (l->p[pos >> 3] >> (7 - (pos & 7))) & 1u;
            }
            v = (v << 1) | b;
        }
        out[k++] = hx[v];
    }
    out[k] = 0;
}

static void leaves_cb(void *ctx, enum ax_walk_ev ev, const struct ax_node *node,
                      const struct ax_leaf *leaf)
{
    struct leaves *L = ctx;
    if (ev == AX_WALK_OPEN || ev == AX_WALK_REP_OPEN) {
        if (L->depth < 32)
            L->stack[L->depth] = node->name;
        L->depth++;
        return;
    }
    if (ev == AX_WALK_CLOSE || ev == AX_WALK_REP_CLOSE) {
        L->depth--;
        return;
    }
    if (L->n >= 512)
        return;
    struct leafv *v = &L->v[L->n++];
    memset(v, 0, sizeof *v);
    v->node = node;
    snprintf(v->name, sizeof v->name, "%s", node->name ? node->name : L->item);
    const char *par = L->item;
    for (int i = (L->depth < 32 ? L->depth : 32) - 1; i >= 0; i--)
        if (L->stack[i]) {
            par = L->stack[i];
            break;
        }
    snprintf(v->parent, sizeof v->parent, "%s", par);
    if (ev == AX_WALK_RAW) {
        v->is_str = 2;
        leaf_hex(leaf, v->s, sizeof v->s);
        return;
    }
    switch (node->enc) {
    case AX_ENC_ICAO6:
    case AX_ENC_ASCII:
    case AX_ENC_OCTAL:
        v->is_str = 1;
        if (ax_leaf_string(leaf, v->s, sizeof v->s) < 0)
            v->s[0] = 0;
        break;
    case AX_ENC_BDS:
        v->is_str = 2;
        leaf_hex(leaf, v->s, sizeof v->s);
        break;
    default:
        if (leaf->bits > 53) {
            v->is_str = 2;
            leaf_hex(leaf, v->s, sizeof v->s);
        } else {
            v->v = ax_leaf_value(leaf);
        }
    }
}

static inline void leaves_of(const struct ax_item *it, struct leaves *L)
{
    L->n = 0;
    L->depth = 0;
    L->item = it->desc->name;
    ax_walk(it->desc, it->p, it->len, leaves_cb, L);
}

/* Half an LSB of a leaf, the comparison tolerance (integers: 0.5). */
static inline double leaf_tol(const struct leafv *v)
{
    if (v->node && (v->node->enc == AX_ENC_UQUANT || v->node->enc == AX_ENC_SQUANT))
        return v->node->lsb / 2 + 1e-9;
    return 0.5;
}

/* Canonical text: lower case, surrounding blanks and leading zeros gone. */
static inline void canon(const char *in, char *out, size_t cap)
{
    while (*in == ' ')
        in++;
    if (in[0] == '0' && (in[1] == 'x' || in[1] == 'X'))
        in += 2;
    while (in[0] == '0' && in[1])
        in++;
    size_t n = 0;
    for (; *in && n + 1 < cap; in++)
        out[n++] = (char)tolower((unsigned char)*in);
    while (n && out[n - 1] == ' ')
        n--;
    out[n] = 0;
}

#endif
