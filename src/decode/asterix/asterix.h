/*
 * asterix.h — EUROCONTROL ASTERIX: category tables, the structured form of a
 * record, and the block/record decoder.
 *
 * Key idea: the tables are a tree of descriptors generated from the
 * machine-readable specifications (zoranbosnjak/asterix-specs, BSD-3-Clause;
 * tools/asterix_gen/). A decoded record is not a copy of values: it is the
 * list of its data items, each pointing at its raw bytes inside the caller's
 * buffer and at its descriptor (struct ax_node). Values are read from the
 * raw bytes through the descriptor tree on demand (ax_walk, ax_item_field),
 * and an encoder builds the same form in reverse: descriptor + raw bytes
 * per item, FSPEC from the items' FRNs.
 *
 * Layering (EUROCONTROL ASTERIX Part 1, "Data Structure", ed. 2.4, sec. 4):
 *   datagram  = data block*
 *   data block= CAT (1 octet) | LEN (2 octets, big-endian, counts CAT and LEN)
 *               | record*
 *   record    = FSPEC (octets, bit 8..2 = FRN presence, bit 1 = FX) | items
 *   data item = one of the structures in enum ax_kind
 *
 * Records carry no length of their own: an item the chosen edition cannot
 * parse makes the rest of its block unreadable, so the reader ends that
 * block with an explained error (struct ax_error) and the next block
 * starts clean.
 *
 * Pure: no I/O, no allocation, no global mutable state. The tables are
 * const data. Every length comes from outside and is checked.
 */
#ifndef CAIRN_DECODE_ASTERIX_ASTERIX_H
#define CAIRN_DECODE_ASTERIX_ASTERIX_H

#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------------ */
/* Tables: category -> edition -> UAP -> items -> descriptor tree       */
/* ------------------------------------------------------------------ */

/* Structure of a descriptor node (asterix-specs "variation"). */
enum ax_kind {
    AX_ELEMENT,    /* a leaf of `bits` bits, read per `enc` */
    AX_SPARE,      /* `bits` bits of padding, no name, should be 0 */
    AX_GROUP,      /* children one after another, `bits` = their total */
    AX_EXTENDED,   /* children in octets, each closed by an AX_FX child; the
                      item ends at the first FX = 0 (or after the last child) */
    AX_FX,         /* the 1-bit field-extension marker inside AX_EXTENDED */
    AX_REPETITIVE, /* rep_bytes > 0: a count of rep_bytes octets, then that many
                      copies of sub[0]; rep_bytes == 0: copies of sub[0]
                      (7 bits) each followed by an FX bit, until FX = 0 */
    AX_EXPLICIT,   /* 1-octet length (counting itself), then the content: raw
                      bytes, or sub[0] when n_sub == 1 (e.g. the RE compound) */
    AX_COMPOUND,   /* FSPEC-like presence octets (FX-extended), then the present
                      children in order; sub[i] of kind AX_ABSENT is an unused
                      slot. Slot i is bit i (0 = MSB of the first octet,
                      skipping FX bits). */
    AX_ABSENT,     /* an unused compound slot or UAP FRN ("-" in the spec) */
};

/* How an AX_ELEMENT's bits read. */
enum ax_enc {
    AX_ENC_RAW,    /* unsigned bits, no meaning attached (hex in JSON if > 32 bits) */
    AX_ENC_TABLE,  /* unsigned code from a table of meanings */
    AX_ENC_UINT,   /* unsigned integer */
    AX_ENC_SINT,   /* two's complement integer */
    AX_ENC_UQUANT, /* unsigned quantity: value = raw * lsb, in `unit` */
    AX_ENC_SQUANT, /* signed (two's complement) quantity: value = raw * lsb */
    AX_ENC_ICAO6,  /* string, ICAO 6-bit characters (Annex 10 Vol IV 3.1.2.9) */
    AX_ENC_ASCII,  /* string, 8-bit characters */
    AX_ENC_OCTAL,  /* string of octal digits, 3 bits each (Mode 1/2/3A codes) */
    AX_ENC_BDS,    /* 56 or 64 bits of a Mode S Comm-B register; `bds` names it
                      when fixed (0x30), 0 when the register number is the
                      last 8 bits of a 64-bit element */
    AX_ENC_CASE,   /* meaning depends on a sibling element: `dep` is the
                      spec's path ("150/IM"), the sibling is the one named by
                      its last part; sub[] are the alternatives (AX_ELEMENT
                      nodes of the same width) for sibling value `sel`, the
                      last one with sel == AX_SEL_DEFAULT for any other value */
};

#define AX_SEL_DEFAULT 0xffffu

/* One descriptor. A data item is the node at the root of its tree, named by
 * its item number ("010", "RE", "SP"). Names and titles are the
 * specification's; NULL name only for AX_SPARE, AX_FX and AX_ABSENT. */
struct ax_node {
    uint8_t kind;              /* enum ax_kind */
    uint8_t enc;               /* enum ax_enc (AX_ELEMENT only) */
    uint8_t rep_bytes;         /* AX_REPETITIVE: octets of the counter (0 = FX-chained) */
    uint8_t bds;               /* AX_ENC_BDS: register number (e.g. 0x30), 0 if carried */
    uint16_t bits;             /* AX_ELEMENT/AX_SPARE/AX_FX: width; AX_GROUP: total width;
                                  others: 0 (variable) */
    uint16_t n_sub;            /* children */
    uint16_t sel;              /* an AX_ENC_CASE alternative: the selector value */
    const char *name;          /* "SAC", "I010" style ids are built by the caller */
    const char *title;         /* "System Area Code"; "" when the spec gives none */
    const char *unit;          /* AX_ENC_*QUANT: "NM", "°", "ft", "s", ...; else NULL */
    double lsb;                /* AX_ENC_*QUANT: value of one unit of the raw integer */
    const char *dep;           /* AX_ENC_CASE: path of the selecting element; else NULL */
    const struct ax_node *sub; /* borrowed, static: n_sub children */
    /* The specification's range of the value (in `unit`, after scaling),
     * where it states one (">= -90 <= 90"): flags AX_RANGE_*. */
    uint8_t range;
    double min, max;
};

#define AX_RANGE_MIN      1u /* value >= min */
#define AX_RANGE_MIN_EXCL 2u /* value > min */
#define AX_RANGE_MAX      4u /* value <= max */
#define AX_RANGE_MAX_EXCL 8u /* value < max */

/* Pack an edition number: AX_ED(1, 31) for edition 1.31. */
#define AX_ED(major, minor) ((uint16_t)(((major) << 8) | (minor)))
#define AX_ED_MAJOR(ed)     ((unsigned)((ed) >> 8))
#define AX_ED_MINOR(ed)     ((unsigned)((ed)&0xffu))

/* The most FRNs a UAP may have here (CAT021 2.7 uses 56 in 8 FSPEC octets;
 * 7 FRNs per FSPEC octet). */
#define AX_MAX_FRN 70

/* One category in one edition. */
struct ax_category {
    uint8_t cat;                 /* 48 */
    uint16_t edition;            /* AX_ED(1, 31) */
    const char *edition_str;     /* "1.31" */
    const char *title;           /* "Monoradar Target Reports" */
    const char *source;          /* where the table came from ("cat048_cat-1.31.ast") */
    const struct ax_node *items; /* n_items data items, in spec order */
    uint16_t n_items;
    uint16_t n_uap;                   /* FRNs 1..n_uap */
    const struct ax_node *const *uap; /* uap[frn - 1]: the item, or NULL for "-" */
    /* A second UAP chosen per record by one bit of an item that both UAPs
     * place at the same early FRN (CAT001: I001/020 TYP, 0 plot, 1 track);
     * NULL for categories with one UAP. */
    const struct ax_node *const *uap_alt;
    uint16_t n_uap_alt;
    uint8_t sel_frn; /* FRN of the selecting item (1-based) */
    uint8_t sel_bit; /* the bit within that item (0 = MSB of its first octet) */
};

/*
 * The table for a category and edition; edition 0 means the latest edition
 * cairn knows. NULL when unknown. The returned table is static.
 */
const struct ax_category *ax_category_find(unsigned cat, uint16_t edition);
/* Every table cairn knows, in (cat, edition) order; *n gets the count. */
const struct ax_category *const *ax_category_all(size_t *n);
/* Parse "1.31" into AX_ED(1, 31). 0 and CAIRN_E_INVAL on a malformed text. */
int ax_edition_parse(const char *s, uint16_t *edition);
/* The item of a category with this number ("010", "RE"); NULL if none. */
const struct ax_node *ax_category_item(const struct ax_category *c, const char *id);
/* The FRN (1-based) of an item in the (first) UAP; 0 if it has none. */
unsigned ax_category_frn(const struct ax_category *c, const struct ax_node *item);

/* ------------------------------------------------------------------ */
/* The structured form of a record                                    */
/* ------------------------------------------------------------------ */

/* One data item of a record: its descriptor and its raw bytes (including
 * any length octet, repetition count or compound presence octets). */
struct ax_item {
    const struct ax_node *desc; /* borrowed from the static tables */
    const uint8_t *p;           /* borrowed: the caller's input buffer */
    uint16_t len;               /* bytes of the item */
    uint8_t frn;                /* its FRN in the UAP (1-based) */
};

/* A record: items in FSPEC order (ascending FRN). Fixed capacity, no
 * allocation: the caller owns the struct; the pointers borrow the input. */
struct ax_record {
    const struct ax_category *cat; /* the table it was decoded with */
    const uint8_t *p;              /* the record's bytes, FSPEC first */
    size_t len;                    /* bytes of the record */
    uint16_t n_items;
    struct ax_item items[AX_MAX_FRN];
};

/* Why a block could not be read to its end. */
struct ax_error {
    int code;         /* CAIRN_E_* (0 when no error) */
    uint8_t cat;      /* category of the block */
    uint16_t edition; /* edition used, 0 if none */
    size_t offset;    /* byte offset in the block where it went wrong */
    unsigned record;  /* 0-based record index within the block */
    const char *item; /* item id ("390"), or NULL */
    const char *why;  /* static explanation, e.g. "item runs past the block end" */
};

/* Counters a caller keeps across calls (never reset by the decoder). */
struct ax_stats {
    uint64_t blocks;       /* data blocks seen */
    uint64_t records;      /* records decoded in full */
    uint64_t items;        /* data items decoded */
    uint64_t err_block;    /* blocks with a bad LEN (short, too long, < 3) */
    uint64_t err_category; /* blocks of a category without a table (skipped) */
    uint64_t err_fspec;    /* FSPEC runs off the end or names an unknown FRN */
    uint64_t err_item;     /* an item runs past the block or breaks its structure */
    uint64_t blocks_cut;   /* blocks abandoned part-way because of one of these */
    uint64_t padding;      /* blocks ending in zero octets after their last record */
};

/* Which edition to use per category: chosen[cat] or, when NULL, the latest. */
struct ax_editions {
    const struct ax_category *chosen[256];
};

/* Start with the latest edition for every category. */
void ax_editions_init(struct ax_editions *e);
/* Choose an edition by text, "48=1.31" or "CAT048=1.31". 0, CAIRN_E_INVAL
 * (malformed) or CAIRN_E_NOTFOUND (no such table). */
int ax_editions_set(struct ax_editions *e, const char *spec);

/* ------------------------------------------------------------------ */
/* The decoder                                                        */
/* ------------------------------------------------------------------ */

/*
 * Reading records out of one data block.
 *
 *     struct ax_block b; struct ax_record r; struct ax_error err;
 *     size_t off = 0;
 *     while (ax_block_next(buf, len, &off, &b, &err, stats) == 1) {
 *         if (ax_block_open(&b, eds, &err, stats) < 0) { report err; continue; }
 *         int rc;
 *         while ((rc = ax_block_record(&b, &r, &err, stats)) == 1) use r;
 *         if (rc < 0) report err;  // the rest of this block is skipped
 *     }
 */
struct ax_block {
    const uint8_t *p; /* borrowed: the whole block, CAT and LEN first */
    size_t len;       /* LEN */
    uint8_t cat;
    const struct ax_category *tab; /* set by ax_block_open */
    size_t off;                    /* next record's offset in p */
    unsigned n_records;            /* records read so far */
};

/*
 * Take the next data block out of a datagram or file image buf[0..len) at
 * *off. Returns 1 and advances *off, 0 at the end, or a negative code
 * (CAIRN_E_FORMAT: LEN < 3; CAIRN_E_TRUNCATED: LEN past the end) with *err
 * explained and *off set to len: a bad LEN leaves no way to resynchronise.
 * stats may be NULL.
 */
int ax_block_next(const uint8_t *buf, size_t len, size_t *off, struct ax_block *b,
                  struct ax_error *err, struct ax_stats *stats);

/* Pick the table for the block's category (eds may be NULL: latest).
 * 0, or CAIRN_E_CATEGORY with *err explained. */
int ax_block_open(struct ax_block *b, const struct ax_editions *eds, struct ax_error *err,
                  struct ax_stats *stats);

/*
 * Decode the next record of an opened block into *r. Returns 1 with a record,
 * 0 at the end of the block, or a negative code (CAIRN_E_ITEM, CAIRN_E_FORMAT,
 * CAIRN_E_TRUNCATED) with *err explained; after an error the block is done
 * (further calls return 0).
 */
int ax_block_record(struct ax_block *b, struct ax_record *r, struct ax_error *err,
                    struct ax_stats *stats);

/*
 * Decode one record from p[0..len) with table c (the building block of
 * ax_block_record). Returns the record's length in bytes (> 0) or a negative
 * code with *err explained (err->offset relative to p).
 */
int ax_record_decode(const struct ax_category *c, const uint8_t *p, size_t len, struct ax_record *r,
                     struct ax_error *err);

/*
 * Length in bytes of one instance of descriptor n at p[0..len): the number
 * of bytes the item occupies. CAIRN_E_TRUNCATED when it runs past len,
 * CAIRN_E_ITEM when its structure is broken (e.g. an explicit length of 0,
 * a compound slot with no definition).
 */
int ax_node_size(const struct ax_node *n, const uint8_t *p, size_t len);

/* ------------------------------------------------------------------ */
/* Framings of recordings                                             */
/* ------------------------------------------------------------------ */

/* ORADIS framing (as in CroatiaControl's cat_001_002.pcap, their `-R`): each
 * data block is preceded by 6 octets — a 2-octet length counting these 6
 * octets and the block, then 4 octets of time — and the block's own LEN
 * equals that length minus 6. */
#define AX_ORADIS_HDR 6

enum ax_framing {
    AX_FRAMING_PLAIN,  /* concatenated data blocks */
    AX_FRAMING_ORADIS, /* ORADIS header before every block */
};

/* Guess the framing of one datagram: ORADIS when the bytes are not an exact
 * chain of data blocks but are an exact chain of ORADIS frames, each holding
 * one block; plain otherwise. */
enum ax_framing ax_framing_guess(const uint8_t *p, size_t len);

/* The next block of an ORADIS-framed datagram at *off: 1 with the block's
 * bytes in *blk (borrowed) and *blk_len, 0 at the end, CAIRN_E_FORMAT when a
 * frame length is broken (*off is then set to len). */
int ax_oradis_next(const uint8_t *p, size_t len, size_t *off, const uint8_t **blk, size_t *blk_len);

/*
 * Croatia Control's "GPS" recording files (their decoder's `-G`), as seen in
 * their sample parsegps.gps — the layout is not published, this is what the
 * sample shows: a 2200-octet header (filled with 0xCD), then each data block
 * followed by a 10-octet trailer whose octets 6..8 are the time of day in
 * 1/128 s. ax_gps_detect says whether a file looks like one;
 * ax_gps_next walks its blocks (*off = 0 to start), giving each block and its
 * time: 1, 0 at the end, CAIRN_E_FORMAT when a block runs past the file.
 */
#define AX_GPS_HDR     2200
#define AX_GPS_TRAILER 10
int ax_gps_detect(const uint8_t *p, size_t len);
int ax_gps_next(const uint8_t *p, size_t len, size_t *off, const uint8_t **blk, size_t *blk_len,
                double *tod_s);

/*
 * Croatia Control's "FINAL" recording files (their decoder's `-F`). Layout
 * as that decoder's sources describe it (no sample to check against): a
 * chain of records, each
 *   2 octets  record length, counting all of the record (header, data, pad)
 *   1 octet   board number
 *   1 octet   line number
 *   1 octet   recording day
 *   3 octets  time of day, 0.01 s
 *   n octets  one or more data blocks
 *   4 octets  padding, 0xA5 each
 * ax_final_next gives the data of the next record (*off = 0 to start) and
 * its time: 1, 0 at the end, CAIRN_E_FORMAT when a record length is below
 * the 12 octets of header and padding or runs past the file (*off is then
 * set to len: nothing marks where the next record starts). The padding is
 * not checked when reading. ax_final_detect says whether a file (that is
 * not simply a chain of data blocks) starts with a record whose padding is
 * 0xA5 x 4 and whose data is an exact chain of data blocks.
 */
#define AX_FINAL_HDR 8
#define AX_FINAL_PAD 4
int ax_final_detect(const uint8_t *p, size_t len);
int ax_final_next(const uint8_t *p, size_t len, size_t *off, const uint8_t **data, size_t *data_len,
                  double *tod_s);

/*
 * HDLC recordings of a serial ASTERIX line (Croatia Control's `-H`): the
 * frames as the line's HDLC controller delivers them, one after another,
 * without flags or bit stuffing: address 0x01, control 0x03 (UI), one or
 * more data blocks, and the 16-bit frame check sequence (ISO/IEC 13239, as
 * in RFC 1662: reflected polynomial 0x8408, initial 0xFFFF, sent
 * complemented and least significant octet first, so that the FCS run over
 * a whole good frame leaves 0xF0B8). Nothing gives a frame's length, so a
 * frame is found where the address and control octets start a chain of
 * data blocks after which the FCS checks; octets that start no such frame
 * (noise, a frame cut or damaged on the line) are skipped and counted in
 * *skipped. ax_hdlc_next gives the blocks of the next good frame (*off = 0
 * to start): 1, or 0 at the end. A frame holds at most AX_HDLC_MAX octets.
 * ax_hdlc_detect says whether a good frame starts in the first 64 octets
 * of a file that is not simply a chain of data blocks.
 */
#define AX_HDLC_MAX 8192
uint16_t ax_fcs16(uint16_t fcs, const uint8_t *p, size_t n);
int ax_hdlc_detect(const uint8_t *p, size_t len);
int ax_hdlc_next(const uint8_t *p, size_t len, size_t *off, const uint8_t **data, size_t *data_len,
                 size_t *skipped);

/* The item with this id ("040") in a record, or NULL. */
const struct ax_item *ax_record_item(const struct ax_record *r, const char *id);

/* ------------------------------------------------------------------ */
/* Reading values                                                     */
/* ------------------------------------------------------------------ */

/* A leaf reached by ax_walk: an element with its position in the item. */
struct ax_leaf {
    const struct ax_node *node; /* AX_ELEMENT (or AX_SPARE with AX_WALK_SPARE) */
    const uint8_t *p;           /* the octet holding the leaf's first bit */
    unsigned bit;               /* first bit within p[0] (0 = MSB) */
    unsigned bits;              /* width */
};

/* Walk events, in order of the item's bytes. */
enum ax_walk_ev {
    AX_WALK_LEAF,     /* an element: leaf valid */
    AX_WALK_OPEN,     /* entering a named group/compound/extended subitem: node */
    AX_WALK_CLOSE,    /* leaving it */
    AX_WALK_REP_OPEN, /* a repetitive node: node; then one AX_WALK_OPEN/CLOSE
                         pair (node = sub[0]) per repetition */
    AX_WALK_REP_CLOSE,
    AX_WALK_RAW, /* explicit content with no description: leaf.p, leaf.bits */
};

typedef void (*ax_walk_fn)(void *ctx, enum ax_walk_ev ev, const struct ax_node *node,
                           const struct ax_leaf *leaf);

/*
 * Walk the values of one item instance: desc at p[0..len) (an ax_item's desc,
 * p, len). Calls fn for every element, named group and repetition in byte
 * order; spares and FX bits are not reported. Returns 0 or a negative code if
 * the bytes do not fit the descriptor (they do for an item ax_record_decode
 * accepted).
 */
int ax_walk(const struct ax_node *desc, const uint8_t *p, size_t len, ax_walk_fn fn, void *ctx);

/* The raw unsigned bits of a leaf (up to 64; wider leaves give their last 64). */
uint64_t ax_leaf_raw(const struct ax_leaf *l);
/* The leaf's integer value: sign-extended for AX_ENC_SINT/AX_ENC_SQUANT. */
int64_t ax_leaf_int(const struct ax_leaf *l);
/* The value in the spec's unit (raw * lsb for quantities, else the integer). */
double ax_leaf_value(const struct ax_leaf *l);
/* 1 when the leaf's value is inside the range its specification states (or
 * it states none), 0 when outside: a time of day past 86400 s, a latitude
 * past 90°. Such values decode (the bytes fit) but usually mean a wrong
 * edition or a corrupt record. */
int ax_leaf_in_range(const struct ax_leaf *l);
/* How many leaves of a record are outside their specification's range. */
unsigned ax_record_range_errors(const struct ax_record *r);

/* A string leaf (ICAO6, ASCII, OCTAL) as text into out[0..cap), NUL-terminated,
 * trailing spaces kept. Returns its length or CAIRN_E_FULL. */
int ax_leaf_string(const struct ax_leaf *l, char *out, size_t cap);

/*
 * Find a leaf by path in one item: "SAC", or "CAL/D" through named
 * subitems (first repetition only). 1 when found (*out filled), 0 when the
 * item lacks it (e.g. an absent compound subitem or extension), negative on
 * broken bytes.
 */
int ax_item_field(const struct ax_item *it, const char *path, struct ax_leaf *out);

/* ------------------------------------------------------------------ */
/* JSON                                                               */
/* ------------------------------------------------------------------ */

struct jsonw;

enum ax_json_flags {
    AX_JSON_RAW = 1, /* integers as sent, not scaled */
    AX_JSON_HEX = 2, /* add "hex":"..." with the record's bytes */
};
/* Values outside their specification's range are listed at the end of the
 * record's object: "out_of_range":["I070","I105/LAT"] (absent when none). */

/*
 * Write one record as a JSON object:
 * {"cat":48,"ed":"1.31","len":45,"I010":{"SAC":25,"SIC":201},...}
 * Groups and compound subitems nest as objects, repetitions as arrays,
 * quantities in the spec's unit (unless AX_JSON_RAW), strings as strings,
 * raw fields wider than 32 bits as hex strings, RE/SP without a description
 * as hex strings.
 */
void ax_json_record(struct jsonw *w, const struct ax_record *r, unsigned flags);
/* The same, with "rec_tod_s": the time of day (s) a recording's framing
 * gives the record (GPS trailer, FINAL header), when tod_s >= 0. */
void ax_json_record_at(struct jsonw *w, const struct ax_record *r, unsigned flags, double tod_s);

#endif
