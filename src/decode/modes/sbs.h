/*
 * sbs.h — BaseStation ("SBS", TCP port 30003) CSV lines: parser.
 *
 * The text feed of Kinetic's BaseStation, which dump1090 and readsb emit on
 * port 30003. Each line is one decoded message (there is no raw reply in it):
 *
 *   MSG,3,1,1,400159,1,2018/04/03,19:03:29.021,2018/04/10,21:24:39.724,,2625,,,59.74472,30.57192,,,,,,0
 *   f0  f1          f4   date+time generated   date+time logged      f10 ...
 *
 *   f0  record type: MSG (parsed); SEL, ID, AIR, STA, CLK (counted, skipped)
 *   f1  transmission type 1-8: 1 identification, 2 surface position,
 *       3 airborne position, 4 airborne velocity, 5 surveillance altitude,
 *       6 surveillance identity (squawk), 7 air-to-air, 8 all-call reply
 *   f4  ICAO address, hex ('~' first marks a non-ICAO address)
 *   f6..f9 date and time the message was generated / logged, UTC
 *   f10 callsign   f11 altitude, ft   f12 ground speed, kt   f13 track, deg
 *   f14 latitude   f15 longitude      f16 vertical rate, ft/min
 *   f17 squawk     f18 alert (squawk changed)   f19 emergency   f20 SPI
 *   f21 on ground  (flags: 0 false, -1 or 1 true, empty unknown)
 *
 * Fields may be empty; trailing ones may be missing. Lines end at LF (a CR
 * before it is dropped). Other lines (blank lines are ignored; trailers such
 * as "Total processed 13954 messages") are counted as bad and skipped.
 *
 * Key idea: as beast.h, a resumable state machine holding the partial line;
 * no I/O, no allocation, no globals. Numbers are parsed with the C library
 * in the "C" locale (the caller must not change LC_NUMERIC).
 *
 * Reference: the BaseStation socket data format as documented by Kinetic
 * Avionics and reproduced by dump1090 (`--net-sbs-port`); field numbering
 * above is ours, from 0.
 */
#ifndef CAIRN_DECODE_MODES_SBS_H
#define CAIRN_DECODE_MODES_SBS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Longest line kept; real lines are under 200 characters. Longer ones are bad. */
#define SBS_MAX_LINE 320

enum sbs_has {
    SBS_HAS_CALLSIGN = 1u << 0,
    SBS_HAS_ALT = 1u << 1,
    SBS_HAS_GS = 1u << 2,
    SBS_HAS_TRACK = 1u << 3,
    SBS_HAS_POS = 1u << 4, /* both lat and lon */
    SBS_HAS_VRATE = 1u << 5,
    SBS_HAS_SQUAWK = 1u << 6,
    SBS_HAS_ALERT = 1u << 7,
    SBS_HAS_EMERGENCY = 1u << 8,
    SBS_HAS_SPI = 1u << 9,
    SBS_HAS_GROUND = 1u << 10,
    SBS_HAS_TIME = 1u << 11, /* t_gen_ms is set */
};

/* One MSG line. Fields are valid only when their SBS_HAS_* bit is set. */
struct sbs_msg {
    uint8_t tx_type;  /* transmission type 1-8 */
    uint8_t non_icao; /* 1 when the address was marked '~' (TIS-B, anonymous) */
    uint32_t has;     /* SBS_HAS_* */
    uint32_t icao;    /* 24-bit address */
    int64_t t_gen_ms; /* date/time generated, ms since the Unix epoch, UTC */
    char callsign[9]; /* NUL-terminated, trailing blanks removed */
    int32_t alt_ft;   /* altitude as given (barometric in practice), ft */
    float gs_kt;      /* ground speed, kt */
    float track_deg;  /* track, degrees true */
    double lat_deg, lon_deg;
    int32_t vrate_fpm;                        /* vertical rate, ft/min, positive up */
    uint16_t squawk;                          /* Mode 3/A code as 12 bits (four octal digits) */
    uint8_t alert, emergency, spi, on_ground; /* flags, 0 or 1 */
};

struct sbs_stats {
    uint64_t bytes;     /* bytes fed */
    uint64_t msgs;      /* MSG lines returned */
    uint64_t other;     /* well-formed non-MSG records (SEL, ID, AIR, STA, CLK) */
    uint64_t bad_lines; /* lines that are not BaseStation records, or bad MSG fields */
};

/* The parser's state: treat as opaque; zero it (or sbs_parser_init) to start. */
struct sbs_parser {
    uint8_t skipping;        /* 1 inside an over-long line, until its LF */
    uint16_t n;              /* characters in line[] */
    char line[SBS_MAX_LINE]; /* the line so far */
    struct sbs_stats st;
};

void sbs_parser_init(struct sbs_parser *p);

/*
 * Feed up to len bytes (buf borrowed). n > 0: a MSG line ended at buf[n-1]
 * and is decoded in *out; CAIRN_E_NEEDMORE: all len bytes consumed, no MSG
 * line completed. Never anything else; bad lines are counted in p->st.
 */
ssize_t sbs_parse(struct sbs_parser *p, const uint8_t *buf, size_t len, struct sbs_msg *out);

/*
 * At the end of the input, parse a last line that had no LF. 1 with a
 * message in *out, 0 when there was none (a bad leftover is counted).
 */
int sbs_finish(struct sbs_parser *p, struct sbs_msg *out);

/*
 * Parse one line (no LF; a trailing CR is allowed) into *out. 1 for a MSG
 * record, 0 for another BaseStation record, CAIRN_E_FORMAT otherwise. Pure;
 * the parser uses it, and so can anyone holding whole lines.
 */
int sbs_parse_line(const char *line, size_t n, struct sbs_msg *out);

/* The emergency a MSG line states (enum report_emergency): the flag alone
 * does not say which; the squawk does for 7500 and 7600, else general.
 * EMERG_NONE when the flag is clear or absent. */
unsigned sbs_msg_emergency(const struct sbs_msg *m);

struct report;
/*
 * A MSG line as a normalised report (decode/report.h): kind REP_ADSB for
 * transmission types 1-4 (the squitters), REP_MODES for the others;
 * t_ms = the "generated" time (UTC). r->sensor_id is kept, the rest
 * overwritten. 0, or CAIRN_E_INVAL when the line has no time or is a
 * non-ICAO address ('~': TIS-B, anonymous) without a position.
 */
int sbs_msg_to_report(const struct sbs_msg *m, struct report *r);

#endif
