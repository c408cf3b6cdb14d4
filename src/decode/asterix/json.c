/*
 * json.c — one ASTERIX record as a JSON object.
 *
 * Key idea: the JSON mirrors the specification's tree. Item ids become keys
 * "I010"; a fixed group, an extended item and a compound become objects
 * keyed by the spec's sub-field names; repetitions become arrays; an item
 * that is a single element is the value itself ("I140":27354.6015625).
 * Quantities are scaled to the unit the specification states (NM, °, ft,
 * FL, s, kt, m/s ...) unless AX_JSON_RAW; tables and integers are integers;
 * strings (ICAO 6-bit, ASCII, octal Mode 3/A codes) are strings; raw fields
 * wider than 32 bits, Comm-B registers and explicit fields without a
 * description are hex strings. Spare bits and FX bits are not printed.
 * The structure is followed through the one walker (walk.h) and written
 * with the one JSON writer (base/jsonw): this file only decides shapes.
 *
 * Specification: EUROCONTROL ASTERIX Part 1 (item structures) and the
 * category specifications named in each table's `source`.
 */
#include <stdio.h>
#include <string.h>

#include "base/dbuf.h"
#include "base/error.h"
#include "base/jsonw.h"
#include "decode/asterix/asterix.h"
#include "decode/asterix/tables.h"
#include "decode/asterix/walk.h"

/* The record's writer (base/jsonw) and what the leaves found out of range:
 * listed after the items as "out_of_range". */
struct jo {
    struct jsonw *w;
    const char *item;        /* the item being written */
    unsigned n_bad;          /* out-of-range values in the record */
    const char *bad_item[8]; /* the first few: item id and leaf name */
    const char *bad_name[8];
};

static const char hexd[] = "0123456789ABCDEF";

/* Bytes as an upper-case hex string value. */
static void json_hex_bytes(struct jo *w, const uint8_t *p, size_t n)
{
    if (n > 256)
        n = 256; /* an explicit field holds at most 254 bytes */
    jw_hex(w->w, p, n);
}

/* n (1..4) bits of p at bit position pos. */
static unsigned bits_at(const uint8_t *p, size_t pos, unsigned n)
{
    unsigned off = (unsigned)(pos & 7), v = p[pos >> 3];
    if (off + n > 8) /* the bits run into the next byte, which holds some of them */
        v = v << 8 | p[(pos >> 3) + 1];
    else
        off += 8;
    return (v >> (16 - off - n)) & ((1u << n) - 1);
}

/* Bits [bit, bit+bits) of p as hex, right-aligned in whole nibbles (zero
 * bits in front of the first): a string value of hex digits, which need no
 * escaping. */
static void json_hex_bits(struct jo *w, const uint8_t *p, unsigned bit, unsigned bits)
{
    char buf[66];
    unsigned nib = (bits + 3) / 4;
    unsigned lead = nib * 4 - bits; /* zero bits in front of the first nibble */
    if (nib > 63)
        nib = 63;
    size_t pos = bit, n = 0;
    buf[n++] = '"';
    for (unsigned i = 0; i < nib; i++) {
        unsigned take = i == 0 ? 4 - lead : 4;
        buf[n++] = hexd[bits_at(p, pos, take)];
        pos += take;
    }
    buf[n++] = '"';
    jw_raw(w->w, buf, n);
}

/* Numbers: integers as they are, quantities with 15 significant digits
 * (jw_real: far finer than half an LSB of any ASTERIX quantity). */
static void json_int(struct jo *w, int64_t v)
{
    jw_int(w->w, v);
}

static void json_uint(struct jo *w, uint64_t v)
{
    jw_uint(w->w, v);
}

static void json_double(struct jo *w, double v)
{
    jw_real(w->w, v);
}

static void json_leaf(struct jo *w, const struct ax_node *e, const uint8_t *p, unsigned bit,
                      unsigned flags)
{
    struct ax_leaf l = {e, p + bit / 8, bit % 8, e->bits};
    if (e->range && !ax_leaf_in_range(&l)) {
        if (w->n_bad < sizeof w->bad_item / sizeof w->bad_item[0]) {
            w->bad_item[w->n_bad] = w->item;
            w->bad_name[w->n_bad] = e->name;
        }
        w->n_bad++;
    }
    switch (e->enc) {
    case AX_ENC_ICAO6:
    case AX_ENC_ASCII:
    case AX_ENC_OCTAL: {
        char s[64];
        int n = ax_leaf_string(&l, s, sizeof s);
        if (n >= 0)
            jw_strn(w->w, s, (size_t)n);
        else
            json_hex_bits(w, l.p, l.bit, l.bits);
        break;
    }
    case AX_ENC_BDS:
        json_hex_bits(w, l.p, l.bit, l.bits);
        break;
    case AX_ENC_UQUANT:
    case AX_ENC_SQUANT:
        if (flags & AX_JSON_RAW)
            json_int(w, ax_leaf_int(&l));
        else
            json_double(w, ax_leaf_value(&l));
        break;
    case AX_ENC_SINT:
        json_int(w, ax_leaf_int(&l));
        break;
    default:
        if (e->bits > 32)
            json_hex_bits(w, l.p, l.bit, l.bits);
        else
            json_uint(w, ax_leaf_raw(&l));
        break;
    }
}

static int json_value(struct jo *w, const struct ax_sub *s, unsigned flags, int depth);

/* The children of a group or an extended item as key/value pairs: elements
 * by name, named groups as objects, unnamed groups looked through, spares
 * not at all. */
static int json_members(struct jo *w, const struct ax_sub *s, unsigned flags, int depth)
{
    struct ax_iter it;
    int rc = ax_iter_init(&it, s->node, s->p, s->len, s->bit, depth);
    struct ax_sub c;
    while (rc == 0 && (rc = ax_iter_next(&it, &c)) == 1) {
        const struct ax_node *n = c.node;
        rc = 0;
        if (n->kind == AX_ELEMENT) {
            jw_key(w->w, n->name ? n->name : "value");
            json_leaf(w, c.elem, c.p, c.bit, flags);
        } else if (n->kind == AX_GROUP) {
            if (n->name) {
                jw_key(w->w, n->name);
                jw_obj(w->w);
            }
            rc = json_members(w, &c, flags, depth + 1);
            if (n->name)
                jw_end(w->w);
        }
    }
    return rc < 0 ? rc : 0;
}

/* One node as a JSON value: an element's value, an object for groups,
 * extended and compound items, an array of repetitions, the content of an
 * explicit item (as its description reads it, or hex). */
static int json_value(struct jo *w, const struct ax_sub *s, unsigned flags, int depth)
{
    const struct ax_node *n = s->node;
    if (s->kind == AX_SUB_RAW) {
        json_hex_bytes(w, s->p, s->len);
        return 0;
    }
    struct ax_iter it;
    struct ax_sub c;
    int rc = 0;
    switch (n->kind) {
    case AX_ELEMENT:
        json_leaf(w, s->elem, s->p, s->bit, flags);
        break;
    case AX_GROUP:
    case AX_EXTENDED:
        jw_obj(w->w);
        rc = json_members(w, s, flags, depth);
        jw_end(w->w);
        break;
    case AX_REPETITIVE:
        jw_arr(w->w);
        rc = ax_iter_init(&it, n, s->p, s->len, 0, depth);
        while (rc == 0 && (rc = ax_iter_next(&it, &c)) == 1)
            rc = json_value(w, &c, flags, depth + 1);
        jw_end(w->w);
        break;
    case AX_EXPLICIT:
        rc = ax_iter_init(&it, n, s->p, s->len, 0, depth);
        while (rc == 0 && (rc = ax_iter_next(&it, &c)) == 1)
            rc = json_value(w, &c, flags, depth + 1);
        break;
    case AX_COMPOUND:
        jw_obj(w->w);
        rc = ax_iter_init(&it, n, s->p, s->len, 0, depth);
        while (rc == 0 && (rc = ax_iter_next(&it, &c)) == 1) {
            jw_key(w->w, c.node->name ? c.node->name : "?");
            rc = json_value(w, &c, flags, depth + 1);
        }
        jw_end(w->w);
        break;
    default:
        jw_null(w->w);
        break;
    }
    return rc < 0 ? rc : 0;
}

void ax_json_record(struct jsonw *jw, const struct ax_record *r, unsigned flags)
{
    ax_json_record_at(jw, r, flags, -1.0);
}

void ax_json_record_at(struct jsonw *jw, const struct ax_record *r, unsigned flags, double tod_s)
{
    struct jo o;
    struct jo *w = &o;
    o.w = jw;
    o.n_bad = 0;
    o.item = NULL;
    jw_obj(w->w);
    jw_key(w->w, "cat");
    json_uint(w, r->cat->cat);
    jw_kstr(w->w, "ed", r->cat->edition_str);
    jw_key(w->w, "len");
    json_uint(w, r->len);
    if (tod_s >= 0) {
        jw_key(w->w, "rec_tod_s");
        json_double(w, tod_s);
    }
    if (flags & AX_JSON_HEX) {
        jw_key(w->w, "hex");
        json_hex_bytes(w, r->p, r->len > 256 ? 256 : r->len);
    }
    for (unsigned i = 0; i < r->n_items; i++) {
        const struct ax_item *it = &r->items[i];
        /* "I010" for numbered items; "RE" and "SP" as they are. */
        const char *id = it->desc->name;
        w->item = id;
        char key[8];
        size_t nl = strlen(id);
        if (nl > sizeof key - 2 || id[0] < '0' || id[0] > '9') {
            jw_key(w->w, id);
        } else {
            key[0] = 'I';
            memcpy(key + 1, id, nl);
            key[1 + nl] = '\0';
            jw_key(w->w, key);
        }
        /* measured first, so that a broken item is a null, not half an object
         * (a decoded record's items are whole) */
        int k = ax_node_size(it->desc, it->p, it->len);
        if (k < 0) {
            jw_null(w->w);
            continue;
        }
        struct ax_sub root;
        ax_sub_root(&root, it->desc, it->p, (size_t)k);
        (void)json_value(w, &root, flags, 0);
    }
    if (o.n_bad) {
        /* "I105/LAT": item and field the specification's range excludes */
        jw_key(w->w, "out_of_range");
        jw_arr(w->w);
        unsigned shown = o.n_bad < 8 ? o.n_bad : 8;
        for (unsigned i = 0; i < shown; i++) {
            char path[48];
            const char *it_id = o.bad_item[i] ? o.bad_item[i] : "?";
            const char *nm = o.bad_name[i] ? o.bad_name[i] : "?";
            int digit = it_id[0] >= '0' && it_id[0] <= '9';
            int k = strcmp(it_id, nm)
                        ? snprintf(path, sizeof path, "%s%s/%s", digit ? "I" : "", it_id, nm)
                        : snprintf(path, sizeof path, "%s%s", digit ? "I" : "", it_id);
            jw_strn(w->w, path,
                    (size_t)(k < 0                  ? 0
                             : k < (int)sizeof path ? k
                                                    : (int)sizeof path - 1));
        }
        jw_end(w->w);
    }
    jw_end(w->w);
}
