/*
 * decode.c — ASTERIX data blocks, records and items (the structure, not the
 * meaning): splitting a datagram into blocks, a block into records by the
 * FSPEC and the category's UAP, each data item measured by its structure
 * (ax_node_size, walk.c) so the next one can be found; reading leaves.
 *
 * Specification: EUROCONTROL ASTERIX Part 1 (Data Structure, ed. 2.4),
 * sec. 4.2 (data block), 4.3 (record, FSPEC and FX), 4.4 (data item
 * structures: fixed, extended, repetitive, explicit, compound) and the
 * Reserved Expansion / Special Purpose fields (sec. 4.4.5).
 *
 * Key idea: a record has no length field, so its end is only known by
 * measuring every item through its descriptor (ax_node_size). The first item
 * that does not fit — runs past the block, names an FRN the UAP lacks, sets a
 * compound bit with no definition — ends the block: anything after it would
 * be read at the wrong offset. Everything is bounds-checked against the
 * block's LEN; nothing is allocated.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bits.h"
#include "base/error.h"
#include "decode/asterix/asterix.h"
#include "decode/asterix/tables.h"
#include "decode/asterix/walk.h"

/* ---------------------------------------------------------------- tables */

const struct ax_category *ax_category_find(unsigned cat, uint16_t edition)
{
    const struct ax_category *best = NULL;
    for (size_t i = 0; i < ax_n_tables; i++) {
        const struct ax_category *c = ax_tables[i];
        if (c->cat != cat)
            continue;
        if (edition == 0) {
            if (!best || c->edition > best->edition)
                best = c;
        } else if (c->edition == edition) {
            return c;
        }
    }
    return best;
}

const struct ax_category *const *ax_category_all(size_t *n)
{
    *n = ax_n_tables;
    return ax_tables;
}

int ax_edition_parse(const char *s, uint16_t *edition)
{
    char *end;
    long major = strtol(s, &end, 10);
    if (end == s || *end != '.' || major < 0 || major > 255)
        return CAIRN_E_INVAL;
    const char *m = end + 1;
    long minor = strtol(m, &end, 10);
    if (end == m || *end != '\0' || minor < 0 || minor > 255)
        return CAIRN_E_INVAL;
    *edition = AX_ED(major, minor);
    return 0;
}

const struct ax_node *ax_category_item(const struct ax_category *c, const char *id)
{
    for (unsigned i = 0; i < c->n_items; i++)
        if (!strcmp(c->items[i].name, id))
            return &c->items[i];
    return NULL;
}

unsigned ax_category_frn(const struct ax_category *c, const struct ax_node *item)
{
    for (unsigned i = 0; i < c->n_uap; i++)
        if (c->uap[i] == item)
            return i + 1;
    return 0;
}

void ax_editions_init(struct ax_editions *e)
{
    memset(e, 0, sizeof *e);
}

int ax_editions_set(struct ax_editions *e, const char *spec)
{
    const char *s = spec;
    if (!strncmp(s, "CAT", 3) || !strncmp(s, "cat", 3))
        s += 3;
    char *end;
    long cat = strtol(s, &end, 10);
    if (end == s || *end != '=' || cat < 0 || cat > 255)
        return CAIRN_E_INVAL;
    uint16_t ed;
    if (ax_edition_parse(end + 1, &ed) < 0)
        return CAIRN_E_INVAL;
    const struct ax_category *c = ax_category_find((unsigned)cat, ed);
    if (!c)
        return CAIRN_E_NOTFOUND;
    e->chosen[cat] = c;
    return 0;
}

/* --------------------------------------------------------------- records */

static void err_set(struct ax_error *err, int code, size_t offset, const char *item,
                    const char *why)
{
    if (!err)
        return;
    err->code = code;
    err->offset = offset;
    err->item = item;
    err->why = why;
}

int ax_record_decode(const struct ax_category *c, const uint8_t *p, size_t len, struct ax_record *r,
                     struct ax_error *err)
{
    r->cat = c;
    r->p = p;
    r->n_items = 0;
    if (len > 65535)
        len = 65535; /* cannot happen inside a block: LEN is 16 bits */
    size_t nfs = 0;
    do {
        if (nfs >= len) {
            err_set(err, CAIRN_E_TRUNCATED, len, NULL, "FSPEC runs past the block end");
            return CAIRN_E_TRUNCATED;
        }
        nfs++;
        if (nfs * 7 > AX_MAX_FRN + 6 && (p[nfs - 1] & 1u)) {
            err_set(err, CAIRN_E_FORMAT, nfs - 1, NULL, "FSPEC longer than any UAP");
            return CAIRN_E_FORMAT;
        }
    } while (p[nfs - 1] & 1u);
    if (nfs == 1 && p[0] == 0) {
        err_set(err, CAIRN_E_FORMAT, 0, NULL, "record with an empty FSPEC (no items)");
        return CAIRN_E_FORMAT;
    }
    size_t off = nfs;
    const struct ax_node *const *uap = c->uap;
    size_t n_uap = c->n_uap;
    if (c->uap_alt) {
        /* Two UAPs (CAT001 plot/track): measure the items before the
         * selecting one with the first UAP (both agree there), then read
         * the selecting bit. Absent selector: the first UAP. */
        size_t o = nfs;
        for (size_t i = 0; i + 1 < c->sel_frn && o <= len; i++) {
            if (!(p[i / 7] & (0x80u >> (i % 7))) || !c->uap[i])
                continue;
            int k = ax_size(c->uap[i], p + o, len - o);
            if (k <= 0) {
                o = len + 1;
                break;
            }
            o += (size_t)k;
        }
        size_t s_i = (size_t)c->sel_frn - 1;
        size_t byte = o + c->sel_bit / 8u;
        if (s_i < nfs * 7 && (p[s_i / 7] & (0x80u >> (s_i % 7))) && byte < len &&
            ((p[byte] >> (7 - c->sel_bit % 8u)) & 1u)) {
            uap = c->uap_alt;
            n_uap = c->n_uap_alt;
        }
    }
    for (size_t i = 0; i < nfs * 7; i++) {
        if (!(p[i / 7] & (0x80u >> (i % 7))))
            continue;
        const struct ax_node *it = i < n_uap ? uap[i] : NULL;
        if (!it) {
            err_set(err, CAIRN_E_ITEM, i / 7, NULL,
                    "FSPEC sets an FRN that this edition's UAP does not define");
            return CAIRN_E_ITEM;
        }
        int k = ax_size(it, p + off, len - off);
        if (k <= 0) {
            int code = k < 0 ? k : CAIRN_E_ITEM;
            err_set(err, code, off, it->name,
                    code == CAIRN_E_TRUNCATED
                        ? "item runs past the block end (wrong edition or corrupt record)"
                        : "item breaks its structure in this edition (undefined compound "
                          "subfield or bad length)");
            return code;
        }
        struct ax_item *x = &r->items[r->n_items++];
        x->desc = it;
        x->p = p + off;
        x->len = (uint16_t)k;
        x->frn = (uint8_t)(i + 1);
        off += (size_t)k;
    }
    r->len = off;
    return (int)off;
}

const struct ax_item *ax_record_item(const struct ax_record *r, const char *id)
{
    for (unsigned i = 0; i < r->n_items; i++)
        if (!strcmp(r->items[i].desc->name, id))
            return &r->items[i];
    return NULL;
}

/* -------------------------------------------------------------- framings */

static size_t be16(const uint8_t *p)
{
    return ((size_t)p[0] << 8) | p[1];
}

/* Is p[0..len) exactly a chain of whole data blocks? */
static int chain_plain(const uint8_t *p, size_t len)
{
    size_t off = 0;
    while (off < len) {
        if (len - off < 3 || be16(p + off + 1) < 3 || be16(p + off + 1) > len - off)
            return 0;
        off += be16(p + off + 1);
    }
    return len > 0;
}

/* Is p[0..len) exactly a chain of ORADIS frames, each one data block? */
static int chain_oradis(const uint8_t *p, size_t len)
{
    size_t off = 0;
    while (off < len) {
        if (len - off < AX_ORADIS_HDR + 3)
            return 0;
        size_t fl = be16(p + off);
        if (fl < AX_ORADIS_HDR + 3 || fl > len - off ||
            be16(p + off + AX_ORADIS_HDR + 1) != fl - AX_ORADIS_HDR)
            return 0;
        off += fl;
    }
    return len > 0;
}

enum ax_framing ax_framing_guess(const uint8_t *p, size_t len)
{
    return (!chain_plain(p, len) && chain_oradis(p, len)) ? AX_FRAMING_ORADIS : AX_FRAMING_PLAIN;
}

int ax_oradis_next(const uint8_t *p, size_t len, size_t *off, const uint8_t **blk, size_t *blk_len)
{
    if (*off >= len)
        return 0;
    size_t rest = len - *off;
    size_t fl = rest >= 2 ? be16(p + *off) : 0;
    if (rest < AX_ORADIS_HDR || fl < AX_ORADIS_HDR || fl > rest) {
        *off = len;
        return CAIRN_E_FORMAT;
    }
    *blk = p + *off + AX_ORADIS_HDR;
    *blk_len = fl - AX_ORADIS_HDR;
    *off += fl;
    return 1;
}

int ax_gps_detect(const uint8_t *p, size_t len)
{
    /* 16 octets of the fill are enough to tell it from a data block (whose
     * first octet would be category 205 with a LEN of 0xCDCD) */
    if (len < AX_GPS_HDR + 3)
        return 0;
    for (size_t i = 0; i < 16; i++)
        if (p[i] != 0xCD)
            return 0;
    return 1;
}

int ax_gps_next(const uint8_t *p, size_t len, size_t *off, const uint8_t **blk, size_t *blk_len,
                double *tod_s)
{
    if (*off < AX_GPS_HDR)
        *off = AX_GPS_HDR;
    if (*off >= len)
        return 0;
    size_t rest = len - *off;
    size_t bl = rest >= 3 ? be16(p + *off + 1) : 0;
    if (rest < 3 || bl < 3 || bl > rest) {
        *off = len;
        return CAIRN_E_FORMAT;
    }
    *blk = p + *off;
    *blk_len = bl;
    *tod_s = -1;
    if (rest >= bl + AX_GPS_TRAILER) {
        const uint8_t *t = p + *off + bl;
        /* octets 6..8 of the trailer: time of day, 1/128 s */
        *tod_s = (double)(((uint32_t)t[6] << 16) | ((uint32_t)t[7] << 8) | t[8]) / 128.0;
        *off += bl + AX_GPS_TRAILER;
    } else {
        *off = len; /* the last block without its trailer */
    }
    return 1;
}

/* Do p[0..len) hold exactly a chain of data blocks (at least one)? */
static int exact_blocks(const uint8_t *p, size_t len)
{
    size_t off = 0;
    while (off < len) {
        if (len - off < 3)
            return 0;
        size_t bl = be16(p + off + 1);
        if (bl < 3 || bl > len - off)
            return 0;
        off += bl;
    }
    return len > 0;
}

int ax_final_detect(const uint8_t *p, size_t len)
{
    if (len < AX_FINAL_HDR + 3 + AX_FINAL_PAD || exact_blocks(p, len))
        return 0;
    size_t n = be16(p);
    if (n < AX_FINAL_HDR + 3 + AX_FINAL_PAD || n > len)
        return 0;
    for (size_t i = n - AX_FINAL_PAD; i < n; i++)
        if (p[i] != 0xA5)
            return 0;
    return exact_blocks(p + AX_FINAL_HDR, n - AX_FINAL_HDR - AX_FINAL_PAD);
}

int ax_final_next(const uint8_t *p, size_t len, size_t *off, const uint8_t **data, size_t *data_len,
                  double *tod_s)
{
    if (*off >= len)
        return 0;
    size_t rest = len - *off;
    const uint8_t *r = p + *off;
    size_t n = rest >= 2 ? be16(r) : 0;
    if (rest < AX_FINAL_HDR + AX_FINAL_PAD || n < AX_FINAL_HDR + AX_FINAL_PAD || n > rest) {
        *off = len;
        return CAIRN_E_FORMAT;
    }
    /* octets 5..7: time of day in hundredths of a second */
    uint32_t t = (uint32_t)r[5] << 16 | (uint32_t)r[6] << 8 | r[7];
    *tod_s = (double)t / 100.0;
    *data = r + AX_FINAL_HDR;
    *data_len = n - AX_FINAL_HDR - AX_FINAL_PAD;
    *off += n;
    return 1;
}

/* The FCS-16 of ISO/IEC 13239 (RFC 1662 section C.2), bit by bit: the
 * recordings are small and this keeps no table. */
uint16_t ax_fcs16(uint16_t fcs, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        fcs ^= p[i];
        for (int b = 0; b < 8; b++)
            fcs = (uint16_t)((fcs & 1u) ? (fcs >> 1) ^ 0x8408u : fcs >> 1);
    }
    return fcs;
}

#define HDLC_ADDR     0x01u
#define HDLC_UI       0x03u
#define HDLC_FCS_INIT 0xFFFFu
#define HDLC_FCS_GOOD 0xF0B8u

/* A good frame starting at p[0]: its length (address to FCS), or 0. The FCS
 * is run block by block, so each candidate end costs two octets more. */
static size_t hdlc_frame_at(const uint8_t *p, size_t len)
{
    if (len < 2 + 3 + 2 || p[0] != HDLC_ADDR || p[1] != HDLC_UI)
        return 0;
    if (len > AX_HDLC_MAX)
        len = AX_HDLC_MAX;
    uint16_t fcs = ax_fcs16(HDLC_FCS_INIT, p, 2);
    size_t j = 2;
    while (j + 3 <= len) {
        size_t bl = be16(p + j + 1);
        if (bl < 3 || bl > len - j)
            return 0;
        fcs = ax_fcs16(fcs, p + j, bl);
        j += bl;
        if (j + 2 > len)
            return 0;
        if (ax_fcs16(fcs, p + j, 2) == HDLC_FCS_GOOD)
            return j + 2;
    }
    return 0;
}

/* How far into a file a first good frame is looked for: a recording may
 * start in the middle of a frame. */
#define HDLC_DETECT_WINDOW 64

int ax_hdlc_detect(const uint8_t *p, size_t len)
{
    if (exact_blocks(p, len))
        return 0; /* a plain file of blocks, whatever its first octets */
    for (size_t i = 0; i < HDLC_DETECT_WINDOW && i < len; i++)
        if (hdlc_frame_at(p + i, len - i))
            return 1;
    return 0;
}

int ax_hdlc_next(const uint8_t *p, size_t len, size_t *off, const uint8_t **data, size_t *data_len,
                 size_t *skipped)
{
    for (size_t i = *off; i < len; i++) {
        size_t n = hdlc_frame_at(p + i, len - i);
        if (n) {
            *skipped += i - *off;
            *data = p + i + 2;
            *data_len = n - 4;
            *off = i + n;
            return 1;
        }
    }
    if (*off < len)
        *skipped += len - *off;
    *off = len;
    return 0;
}

/* ---------------------------------------------------------------- blocks */

int ax_block_next(const uint8_t *buf, size_t len, size_t *off, struct ax_block *b,
                  struct ax_error *err, struct ax_stats *stats)
{
    if (err)
        memset(err, 0, sizeof *err);
    if (*off >= len)
        return 0;
    size_t rest = len - *off;
    const uint8_t *p = buf + *off;
    if (rest < 3) {
        if (err)
            err->cat = p[0];
        err_set(err, CAIRN_E_TRUNCATED, *off, NULL, "data block header cut short");
        if (stats)
            stats->err_block++;
        *off = len;
        return CAIRN_E_TRUNCATED;
    }
    size_t blen = ((size_t)p[1] << 8) | p[2];
    if (err)
        err->cat = p[0];
    if (blen < 3) {
        err_set(err, CAIRN_E_FORMAT, *off, NULL, "data block LEN below 3");
        if (stats)
            stats->err_block++;
        *off = len;
        return CAIRN_E_FORMAT;
    }
    if (blen > rest) {
        err_set(err, CAIRN_E_TRUNCATED, *off, NULL, "data block LEN past the end of the input");
        if (stats)
            stats->err_block++;
        *off = len;
        return CAIRN_E_TRUNCATED;
    }
    b->p = p;
    b->len = blen;
    b->cat = p[0];
    b->tab = NULL;
    b->off = 3;
    b->n_records = 0;
    *off += blen;
    if (stats)
        stats->blocks++;
    return 1;
}

int ax_block_open(struct ax_block *b, const struct ax_editions *eds, struct ax_error *err,
                  struct ax_stats *stats)
{
    const struct ax_category *c = eds ? eds->chosen[b->cat] : NULL;
    if (!c)
        c = ax_category_find(b->cat, 0);
    b->tab = c;
    if (err) {
        memset(err, 0, sizeof *err);
        err->cat = b->cat;
    }
    if (!c) {
        err_set(err, CAIRN_E_CATEGORY, 0, NULL, "no table for this category");
        if (stats)
            stats->err_category++;
        b->off = b->len;
        return CAIRN_E_CATEGORY;
    }
    if (err)
        err->edition = c->edition;
    return 0;
}

int ax_block_record(struct ax_block *b, struct ax_record *r, struct ax_error *err,
                    struct ax_stats *stats)
{
    if (!b->tab || b->off >= b->len)
        return 0;
    if (b->p[b->off] == 0) {
        /* An FSPEC of 0 names no item: not a record. Zero octets up to the
         * end of the block are padding some senders add; anything else after
         * it is an error like any other. */
        size_t i = b->off;
        while (i < b->len && b->p[i] == 0)
            i++;
        if (i == b->len) {
            b->off = b->len;
            if (stats)
                stats->padding++;
            return 0;
        }
    }
    int k = ax_record_decode(b->tab, b->p + b->off, b->len - b->off, r, err);
    if (k < 0) {
        if (err) {
            err->offset += b->off;
            err->cat = b->cat;
            err->edition = b->tab->edition;
            err->record = b->n_records;
        }
        if (stats) {
            if (k == CAIRN_E_FORMAT || (err && !err->item))
                stats->err_fspec++;
            else
                stats->err_item++;
            stats->blocks_cut++;
        }
        b->off = b->len;
        return k;
    }
    b->off += (size_t)k;
    b->n_records++;
    if (stats) {
        stats->records++;
        stats->items += r->n_items;
    }
    return 1;
}

/* ----------------------------------------------------------------- values */

uint64_t ax_leaf_raw(const struct ax_leaf *l)
{
    unsigned bits = l->bits, bit = l->bit;
    if (bits > 64) {
        bit += bits - 64;
        bits = 64;
    }
    if (bits == 0)
        return 0;
    /* bit + bits is within the item, which ax_walk bounds-checked. */
    return bits_get(l->p, (bit + bits + 7) / 8, bit, bits);
}

int64_t ax_leaf_int(const struct ax_leaf *l)
{
    uint64_t v = ax_leaf_raw(l);
    if ((l->node->enc == AX_ENC_SINT || l->node->enc == AX_ENC_SQUANT) && l->bits <= 64)
        return bits_sext(v, l->bits);
    return (int64_t)v;
}

double ax_leaf_value(const struct ax_leaf *l)
{
    int64_t v = ax_leaf_int(l);
    if (l->node->enc == AX_ENC_UQUANT || l->node->enc == AX_ENC_SQUANT)
        return (double)v * l->node->lsb;
    return (double)v;
}

int ax_leaf_in_range(const struct ax_leaf *l)
{
    unsigned r = l->node->range;
    if (!r || l->bits > 64)
        return 1;
    double v = ax_leaf_value(l);
    /* half an LSB of slack: a bound like 255/4 is itself a coded value */
    double slack =
        (l->node->enc == AX_ENC_UQUANT || l->node->enc == AX_ENC_SQUANT) ? l->node->lsb / 2 : 0;
    if ((r & AX_RANGE_MIN) && v < l->node->min - slack)
        return 0;
    if ((r & AX_RANGE_MIN_EXCL) && v <= l->node->min - slack)
        return 0;
    if ((r & AX_RANGE_MAX) && v > l->node->max + slack)
        return 0;
    if ((r & AX_RANGE_MAX_EXCL) && v >= l->node->max + slack)
        return 0;
    return 1;
}

static void range_cb(void *ctx, enum ax_walk_ev ev, const struct ax_node *node,
                     const struct ax_leaf *leaf)
{
    unsigned *n = ctx;
    (void)node;
    if (ev == AX_WALK_LEAF && !ax_leaf_in_range(leaf))
        (*n)++;
}

unsigned ax_record_range_errors(const struct ax_record *r)
{
    unsigned n = 0;
    for (unsigned i = 0; i < r->n_items; i++)
        (void)ax_walk(r->items[i].desc, r->items[i].p, r->items[i].len, range_cb, &n);
    return n;
}

/* ICAO Annex 10 Vol IV, 3.1.2.9.1.2: the 6-bit character set. Codes the
 * annex leaves undefined (0, 27-31, 33-47, 58-63) read as spaces, as
 * Wireshark and most decoders print them (an all-zero callsign is blank). */
static const char icao6[] = " ABCDEFGHIJKLMNOPQRSTUVWXYZ                     0123456789      ";

int ax_leaf_string(const struct ax_leaf *l, char *out, size_t cap)
{
    unsigned per = l->node->enc == AX_ENC_ICAO6 ? 6u : l->node->enc == AX_ENC_ASCII ? 8u : 3u;
    unsigned n = l->bits / per;
    if (cap < (size_t)n + 1)
        return CAIRN_E_FULL;
    unsigned k = 0;
    for (unsigned i = 0; i < n; i++) {
        unsigned v = (unsigned)bits_get(l->p, (l->bit + l->bits + 7) / 8, l->bit + i * per, per);
        if (per == 6)
            out[k++] = icao6[v];
        else if (per == 3)
            out[k++] = (char)('0' + v);
        else if (v != 0) /* NUL is padding in 8-bit text fields */
            out[k++] = (v >= 0x20 && v < 0x7f) ? (char)v : '?';
    }
    out[k] = '\0';
    return (int)k;
}
