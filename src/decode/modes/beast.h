/*
 * beast.h — the Mode-S Beast binary stream (TCP port 30005): parser and encoder.
 *
 * Beast is the binary framing that the Mode-S Beast receiver introduced and
 * that dump1090, readsb and their derivatives speak on port 30005. Each frame:
 *
 *     0x1A  TYPE  TS[6]  SIG  DATA[n]
 *
 *     TYPE '1' (0x31) Mode A/C reply, n = 2
 *          '2' (0x32) short Mode S reply, n = 7
 *          '3' (0x33) long Mode S reply, n = 14
 *          '4' (0x34) receiver status, n = 14 (skipped and counted)
 *     TS   48-bit big-endian count of a free-running 12 MHz clock (MLAT
 *          timestamp; 0 when the receiver has none)
 *     SIG  signal level, 0-255
 *
 * Any 0x1A byte inside TS, SIG or DATA is sent twice ("escaped"); the type
 * byte never is. A 0x1A followed by anything but 0x1A therefore always
 * starts a new frame, which is how the parser resynchronises: a frame cut
 * short by a new 0x1A is dropped and counted, bytes outside frames are
 * skipped and counted, an unknown type byte is counted and scanning goes on.
 *
 * Key idea: the parser is a byte-at-a-time state machine that keeps the
 * partial frame in struct beast_parser, so input may be split anywhere (a
 * TCP read, a file chunk, one byte at a time) and every split gives the same
 * frames. It reads no file, allocates nothing and has no global state
 * (the picohttpparser habit), so one parser per connection is all it needs.
 *
 * References: the Mode-S Beast documentation (binary output format, as
 * carried by dump1090 `--net-bo-port`); the 12 MHz clock is the receiver's,
 * not UTC, so t_s is seconds on that clock (see frame.h). The GPS-time
 * variant of the timestamp (Radarcape) is not interpreted.
 */
#ifndef CAIRN_DECODE_MODES_BEAST_H
#define CAIRN_DECODE_MODES_BEAST_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "decode/modes/frame.h"

#define BEAST_ESC      0x1A /* frame start, and the escape byte inside frames */
#define BEAST_TS_LEN   6    /* 48-bit 12 MHz counter, bytes */
#define BEAST_MAX_BODY 21   /* TS + SIG + 14 data bytes: the longest body */
#define BEAST_CLOCK_HZ 12e6 /* the Beast timestamp counts at 12 MHz */
/* Worst case on the wire: 0x1A TYPE and every body byte escaped. */
#define BEAST_MAX_WIRE (2 + 2 * BEAST_MAX_BODY)

/* Counters, only ever incremented by the parser; the caller may reset them. */
struct beast_stats {
    uint64_t bytes;       /* bytes fed to the parser */
    uint64_t frames;      /* frames returned (all kinds) */
    uint64_t modeac;      /* of which Mode A/C ('1') */
    uint64_t modes_short; /* of which 7-byte Mode S ('2') */
    uint64_t modes_long;  /* of which 14-byte Mode S ('3') */
    uint64_t skipped;     /* well-formed frames of other types ('4' status), dropped */
    uint64_t bad_type;    /* 0x1A followed by an unknown type byte */
    uint64_t truncated;   /* frames cut short by the start of another frame */
    uint64_t garbage;     /* bytes outside any frame, skipped while resynchronising */
    uint64_t resyncs;     /* times the parser lost the framing (each run of garbage,
                             each bad type, each truncated frame counts once) */
};

/* The parser's state: treat as opaque; zero it (or beast_parser_init) to start. */
struct beast_parser {
    uint8_t state;      /* internal: where in a frame the next byte lands */
    uint8_t type;       /* type byte of the frame being read */
    uint8_t need;       /* body bytes the frame type needs */
    uint8_t have;       /* body bytes read so far */
    uint8_t in_garbage; /* 1 while skipping bytes outside frames */
    uint8_t body[BEAST_MAX_BODY];
    struct beast_stats st;
};

/* Start (or restart) a parser: no partial frame, counters zeroed. */
void beast_parser_init(struct beast_parser *p);

/*
 * Feed up to len bytes of a Beast stream (buf is borrowed, read only within
 * len). Returns:
 *   n > 0             one frame completed: it is in *out, and it ended at
 *                     buf[n-1]; call again with buf + n, len - n for the rest.
 *   CAIRN_E_NEEDMORE  all len bytes were consumed (any partial frame is kept
 *                     in *p) and no frame completed; feed the next bytes.
 * Never anything else: bad bytes are skipped and counted in p->st. Only
 * Mode S ('2', '3') and Mode A/C ('1') frames are returned; out->t_s is
 * ts_12mhz / 12e6 and out->has_ts is 1 unless the counter is 0.
 */
ssize_t beast_parse(struct beast_parser *p, const uint8_t *buf, size_t len,
                    struct modes_frame *out);

/*
 * Encode one frame as Beast, escaping 0x1A bytes. f->len must be 2, 7 or 14
 * (the type follows from it); out must hold BEAST_MAX_WIRE bytes. Returns the
 * bytes written, or CAIRN_E_INVAL for another length. Uses f->ts_12mhz (low
 * 48 bits) and f->signal.
 */
int beast_encode(const struct modes_frame *f, uint8_t *out);

#endif
