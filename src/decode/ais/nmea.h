/*
 * nmea.h — NMEA 0183 framing of AIS sentences: !--VDM / !--VDO with their
 * XOR checksum, and NMEA 4.0 TAG blocks (\s:source,c:unixtime*hh\).
 *
 * References: IEC 61162-1 Ed. 5 (NMEA 0183 v4.10) §7.3 (sentence, checksum),
 * §7.9 (TAG blocks: c: UNIX time, s: source, g: sentence grouping, n: line
 * count, t:/T: text); ITU-R M.1371-5 Annex 8 for what the payload carries.
 *
 * Key idea: one line holds at most one AIS sentence. What receivers put
 * around it is tolerated: bytes before the '!' (timestamps, garbage), a TAG
 * block, and receiver metadata after the checksum (",d-109,S2105,..."). The
 * parser borrows the line: the payload pointer points into it.
 */
#ifndef CAIRN_DECODE_AIS_NMEA_H
#define CAIRN_DECODE_AIS_NMEA_H

#include <stddef.h>
#include <stdint.h>

enum nmea_tag_has {
    NMEA_TAG_TIME = 1u << 0,   /* c: UNIX time */
    NMEA_TAG_SOURCE = 1u << 1, /* s: source / station id */
    NMEA_TAG_GROUP = 1u << 2,  /* g: sentence n of m of group id */
    NMEA_TAG_TEXT = 1u << 3,   /* T: (or t:) free text, often a readable time */
    NMEA_TAG_LINE = 1u << 4,   /* n: line count */
};

#define NMEA_TAG_STR_MAX 32 /* s: and T: values kept, longer ones are cut */

struct nmea_tag {
    unsigned has;                  /* NMEA_TAG_* */
    int64_t time_ms;               /* c:, converted to ms since the epoch */
    char source[NMEA_TAG_STR_MAX]; /* s: */
    char text[NMEA_TAG_STR_MAX];   /* T: or t: */
    uint32_t group_id;             /* g: part-total-id */
    uint8_t group_part, group_total;
    uint32_t line_no; /* n: */
};

struct nmea_vdm {
    char talker[3];      /* "AI", "BS", "AB", "SA", ... */
    uint8_t own;         /* 1 for VDO (own ship), 0 for VDM */
    uint8_t nfrags;      /* 1..9 */
    uint8_t frag;        /* 1..nfrags */
    int8_t seq;          /* sequential message id 0..9, -1 when empty */
    char channel;        /* 'A' or 'B' ('1'/'2' mapped), another letter, or 0 if empty */
    const char *payload; /* borrowed from the line, payload_len characters */
    size_t payload_len;
    uint8_t fill; /* fill bits 0..5 */
    struct nmea_tag tag;
    uint8_t tag_error;    /* 1 when a TAG block was present but malformed (ignored) */
    uint8_t extra_fields; /* fields after the fill bits (a multiplexer's own; ignored) */
};

/* XOR of n bytes (the NMEA checksum of what lies between '!' and '*'). */
uint8_t nmea_checksum(const char *p, size_t n);

/* Find and parse the AIS sentence in one line (len bytes, no NUL needed,
 * line terminators allowed). Returns 0 and fills *out; CAIRN_E_NOTFOUND when
 * the line carries no VDM/VDO sentence (blank, comment, GNSS sentence);
 * CAIRN_E_CHECKSUM when the checksum is wrong; CAIRN_E_FORMAT when the
 * sentence is malformed. out->payload points into line. */
int nmea_parse_vdm(const char *line, size_t len, struct nmea_vdm *out);

/* Parse the inside of a TAG block (between the backslashes, with its *hh).
 * Returns 0, CAIRN_E_CHECKSUM or CAIRN_E_FORMAT. */
int nmea_parse_tag(const char *p, size_t n, struct nmea_tag *tag);

#endif
