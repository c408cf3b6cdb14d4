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

/*
 * A small JSON writer into a stack buffer flushed to the jsonw's dbuf in
 * large chunks: the per-token calls of jsonw (one dbuf_add each) were most of
 * the cost of a record's JSON. Same output rules as jsonw: commas by nesting,
 * RFC 8259 escapes. The record as a whole is one value of the caller's jsonw
 * (its comma is written through jw_raw before the first byte).
 */
#define JO_MAX_DEPTH 32

struct jo {
    struct dbuf *out;
    size_t n;
    int depth;
    int after_key;
    int err;
    const char *item;        /* the item being written, for out_of_range */
    unsigned n_bad;          /* out-of-range values in the record */
    const char *bad_item[8]; /* the first few: item id and leaf name */
    const char *bad_name[8];
    uint8_t first[JO_MAX_DEPTH];
    uint8_t is_obj[JO_MAX_DEPTH];
    char buf[8192];
};

static void jo_flush(struct jo *o)
{
    if (o->n && !o->err) {
        int rc = dbuf_add(o->out, o->buf, o->n);
        if (rc)
            o->err = rc;
    }
    o->n = 0;
}

static void jo_put(struct jo *o, const char *s, size_t n)
{
    if (n > sizeof o->buf - o->n) {
        jo_flush(o);
        if (n > sizeof o->buf) {
            if (!o->err) {
                int rc = dbuf_add(o->out, s, n);
                if (rc)
                    o->err = rc;
            }
            return;
        }
    }
    memcpy(o->buf + o->n, s, n);
    o->n += n;
}

static void jo_putc(struct jo *o, char c)
{
    if (o->n == sizeof o->buf)
        jo_flush(o);
    o->buf[o->n++] = c;
}

static void jo_sep(struct jo *o)
{
    if (o->after_key) {
        o->after_key = 0;
        return;
    }
    if (o->depth > 0) {
        if (!o->first[o->depth - 1])
            jo_putc(o, ',');
        o->first[o->depth - 1] = 0;
    }
}

static void jo_open(struct jo *o, char c, int is_obj)
{
    jo_sep(o);
    if (o->depth >= JO_MAX_DEPTH) {
        o->err = CAIRN_E_FULL;
        return;
    }
    jo_putc(o, c);
    o->first[o->depth] = 1;
    o->is_obj[o->depth] = (uint8_t)is_obj;
    o->depth++;
}

static void jo_obj(struct jo *o)
{
    jo_open(o, '{', 1);
}

static void jo_arr(struct jo *o)
{
    jo_open(o, '[', 0);
}

static void jo_end(struct jo *o)
{
    if (o->depth <= 0) {
        o->err = CAIRN_E_STATE;
        return;
    }
    o->depth--;
    jo_putc(o, o->is_obj[o->depth] ? '}' : ']');
}

static void jo_escaped(struct jo *o, const char *s, size_t n)
{
    static const char hx[] = "0123456789abcdef";
    jo_putc(o, '"');
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        jo_put(o, s + run, i - run);
        run = i + 1;
        if (c == '"' || c == '\\') {
            jo_putc(o, '\\');
            jo_putc(o, (char)c);
        } else {
            char esc[6] = {'\\', 'u', '0', '0', hx[c >> 4], hx[c & 15]};
            jo_put(o, esc, sizeof esc);
        }
    }
    jo_put(o, s + run, n - run);
    jo_putc(o, '"');
}

/* Keys are the specification's names (letters, digits, '_' — the
 * generator's NAME pattern has no quote or backslash) and need no escaping. */
static void jo_key(struct jo *o, const char *key)
{
    jo_sep(o);
    size_t n = strlen(key);
    if (o->n + n + 3 > sizeof o->buf)
        jo_flush(o);
    if (n + 3 > sizeof o->buf) {
        jo_escaped(o, key, n);
        jo_putc(o, ':');
    } else {
        char *d = o->buf + o->n;
        d[0] = '"';
        memcpy(d + 1, key, n);
        d[n + 1] = '"';
        d[n + 2] = ':';
        o->n += n + 3;
    }
    o->after_key = 1;
}

static void jo_strn(struct jo *o, const char *s, size_t n)
{
    jo_sep(o);
    jo_escaped(o, s, n);
}

static void jo_raw(struct jo *o, const char *s, size_t n)
{
    jo_sep(o);
    jo_put(o, s, n);
}

static void jo_null(struct jo *o)
{
    jo_raw(o, "null", 4);
}

static void jo_kstr(struct jo *o, const char *key, const char *s)
{
    jo_key(o, key);
    jo_strn(o, s, strlen(s));
}

static const char hexd[] = "0123456789ABCDEF";

/* Bytes as an upper-case hex string value. */
static void json_hex_bytes(struct jo *w, const uint8_t *p, size_t n)
{
    char buf[2 * 256 + 1];
    if (n > 256)
        n = 256; /* an explicit field holds at most 254 bytes */
    for (size_t i = 0; i < n; i++) {
        buf[2 * i] = hexd[p[i] >> 4];
        buf[2 * i + 1] = hexd[p[i] & 15];
    }
    jo_strn(w, buf, 2 * n);
}

/* Bits [bit, bit+bits) of p as hex, right-aligned in whole nibbles. */
static void json_hex_bits(struct jo *w, const uint8_t *p, unsigned bit, unsigned bits)
{
    char buf[64];
    unsigned nib = (bits + 3) / 4, n = 0;
    unsigned lead = nib * 4 - bits; /* zero bits in front of the first nibble */
    for (unsigned i = 0; i < nib && n < sizeof buf - 1; i++) {
        unsigned v = 0;
        for (unsigned j = 0; j < 4; j++) {
            unsigned k = i * 4 + j;
            unsigned b = 0;
            if (k >= lead) {
                size_t pos = bit + (k - lead);
                b = (p[pos >> 3] >> (7 - (pos & 7))) & 1u;
            }
            v = (v << 1) | b;
        }
        buf[n++] = hexd[v];
    }
    jo_strn(w, buf, n);
}

/*
 * Numbers without printf: glibc formats doubles with multi-precision
 * arithmetic (~1 us each), which made JSON 50x slower than decoding. Integers
 * go through a plain itoa; a quantity is printed with 15 significant digits
 * (what %.15g gives, without its exponent form), trailing zeros trimmed —
 * far finer than half an LSB of any ASTERIX quantity.
 */
static size_t fmt_u64(char *out, uint64_t v)
{
    char tmp[24];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    return n;
}

static size_t fmt_i64(char *out, int64_t v)
{
    if (v < 0) {
        out[0] = '-';
        return 1 + fmt_u64(out + 1, (uint64_t)0 - (uint64_t)v);
    }
    return fmt_u64(out, (uint64_t)v);
}

static void json_int(struct jo *w, int64_t v)
{
    char buf[24];
    jo_raw(w, buf, fmt_i64(buf, v));
}

static void json_uint(struct jo *w, uint64_t v)
{
    char buf[24];
    jo_raw(w, buf, fmt_u64(buf, v));
}

static void json_double(struct jo *w, double v)
{
    /* 1e15: the most a double carries in 15 significant digits exactly */
    double a = v < 0 ? -v : v;
    if (!(a < 1e15)) {
        /* huge or not finite: printf's care is worth it */
        char big[40];
        if (v != v || a == 1.0 / 0.0) {
            jo_null(w);
            return;
        }
        int k = snprintf(big, sizeof big, "%.15g", v);
        jo_raw(w, big, (size_t)(k > 0 ? k : 0));
        return;
    }
    char buf[48];
    size_t n = 0;
    if (v < 0)
        buf[n++] = '-';
    uint64_t ip = (uint64_t)a;
    if ((double)ip == a) {
        n += fmt_u64(buf + n, ip);
        jo_raw(w, buf, n);
        return;
    }
    int int_digits = 0;
    for (uint64_t t = ip; t; t /= 10)
        int_digits++;
    int dec = 15 - int_digits; /* fraction digits for 15 significant digits */
    uint64_t scale = 1;
    for (int i = 0; i < dec; i++)
        scale *= 10;
    uint64_t scaled = (uint64_t)(a * (double)scale + 0.5);
    uint64_t whole = scaled / scale, frac = scaled % scale;
    n += fmt_u64(buf + n, whole);
    if (frac) {
        char fd[20];
        for (int i = dec - 1; i >= 0; i--) {
            fd[i] = (char)('0' + frac % 10);
            frac /= 10;
        }
        int last = dec - 1;
        while (last > 0 && fd[last] == '0')
            last--;
        buf[n++] = '.';
        memcpy(buf + n, fd, (size_t)last + 1);
        n += (size_t)last + 1;
    }
    jo_raw(w, buf, n);
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
            jo_strn(w, s, (size_t)n);
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
            jo_key(w, n->name ? n->name : "value");
            json_leaf(w, c.elem, c.p, c.bit, flags);
        } else if (n->kind == AX_GROUP) {
            if (n->name) {
                jo_key(w, n->name);
                jo_obj(w);
            }
            rc = json_members(w, &c, flags, depth + 1);
            if (n->name)
                jo_end(w);
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
        jo_obj(w);
        rc = json_members(w, s, flags, depth);
        jo_end(w);
        break;
    case AX_REPETITIVE:
        jo_arr(w);
        rc = ax_iter_init(&it, n, s->p, s->len, 0, depth);
        while (rc == 0 && (rc = ax_iter_next(&it, &c)) == 1)
            rc = json_value(w, &c, flags, depth + 1);
        jo_end(w);
        break;
    case AX_EXPLICIT:
        rc = ax_iter_init(&it, n, s->p, s->len, 0, depth);
        while (rc == 0 && (rc = ax_iter_next(&it, &c)) == 1)
            rc = json_value(w, &c, flags, depth + 1);
        break;
    case AX_COMPOUND:
        jo_obj(w);
        rc = ax_iter_init(&it, n, s->p, s->len, 0, depth);
        while (rc == 0 && (rc = ax_iter_next(&it, &c)) == 1) {
            jo_key(w, c.node->name ? c.node->name : "?");
            rc = json_value(w, &c, flags, depth + 1);
        }
        jo_end(w);
        break;
    default:
        jo_null(w);
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
    struct jo o; /* the writer and its buffer live on the stack */
    struct jo *w = &o;
    o.n = 0;
    o.depth = 0;
    o.after_key = 0;
    o.err = 0;
    o.n_bad = 0;
    o.item = NULL;
    jw_raw(jw, "", 0); /* the comma before this value, in the caller's writer */
    if (jw->err)
        return;
    o.out = jw->out;
    jo_obj(w);
    jo_key(w, "cat");
    json_uint(w, r->cat->cat);
    jo_kstr(w, "ed", r->cat->edition_str);
    jo_key(w, "len");
    json_uint(w, r->len);
    if (tod_s >= 0) {
        jo_key(w, "rec_tod_s");
        json_double(w, tod_s);
    }
    if (flags & AX_JSON_HEX) {
        jo_key(w, "hex");
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
            jo_key(w, id);
        } else {
            key[0] = 'I';
            memcpy(key + 1, id, nl);
            key[1 + nl] = '\0';
            jo_key(w, key);
        }
        /* measured first, so that a broken item is a null, not half an object
         * (a decoded record's items are whole) */
        int k = ax_node_size(it->desc, it->p, it->len);
        if (k < 0) {
            jo_null(w);
            continue;
        }
        struct ax_sub root;
        ax_sub_root(&root, it->desc, it->p, (size_t)k);
        (void)json_value(w, &root, flags, 0);
    }
    if (o.n_bad) {
        /* "I105/LAT": item and field the specification's range excludes */
        jo_key(w, "out_of_range");
        jo_arr(w);
        unsigned shown = o.n_bad < 8 ? o.n_bad : 8;
        for (unsigned i = 0; i < shown; i++) {
            char path[48];
            const char *it_id = o.bad_item[i] ? o.bad_item[i] : "?";
            const char *nm = o.bad_name[i] ? o.bad_name[i] : "?";
            int digit = it_id[0] >= '0' && it_id[0] <= '9';
            int k = strcmp(it_id, nm)
                        ? snprintf(path, sizeof path, "%s%s/%s", digit ? "I" : "", it_id, nm)
                        : snprintf(path, sizeof path, "%s%s", digit ? "I" : "", it_id);
            jo_strn(w, path, (size_t)(k < 0 ? 0 : k < (int)sizeof path ? k : (int)sizeof path - 1));
        }
        jo_end(w);
    }
    jo_end(w);
    jo_flush(w);
    if (o.err)
        jw->err = o.err;
}
