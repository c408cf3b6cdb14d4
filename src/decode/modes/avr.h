/*
 * avr.h — the AVR raw hex text format (TCP port 30002): parser and encoder.
 *
 * AVR is the text framing of the early AVR-based receivers that dump1090
 * and readsb still speak on their "raw" port. One reply per line:
 *
 *     *8d4840d6202cc371c32ce0576098;            no timestamp
 *     @0000a3c4e5f68d4840d6202cc371c32ce0576098; 12 hex digits of a 12 MHz
 *                                              counter, then the reply
 *     %0000a3c4e5f68d4840d6...;               the same as '@' (older mlat form)
 *     <0000a3c4e5f6c88d4840d6...;             counter, 2 hex digits of signal
 *                                              level, then the reply
 *
 * The reply is 4 (Mode A/C), 14 (56-bit) or 28 (112-bit) hex digits, either
 * case. Lines end at ';' and may be followed by CR, LF or both; a line that
 * ends at CR/LF without ';' is accepted too. Anything else is a bad line:
 * counted and skipped up to the next line end or start character.
 *
 * Key idea: like beast.h, a state machine that keeps the partial line in the
 * parser, so any split of the input gives the same frames; no I/O, no
 * allocation, no global state.
 *
 * References: the AVR format as documented with dump1090 (`--net-ro-port`,
 * "raw output"), and the mlat-client/readsb timestamped variants ('@', '<').
 */
#ifndef CAIRN_DECODE_MODES_AVR_H
#define CAIRN_DECODE_MODES_AVR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "decode/modes/frame.h"

/* Longest valid line: '<' + 12 timestamp + 2 signal + 28 data digits + ';'. */
#define AVR_MAX_LINE 44
#define AVR_CLOCK_HZ 12e6 /* the '@' / '<' counter runs at 12 MHz, as Beast's */

struct avr_stats {
    uint64_t bytes;     /* bytes fed */
    uint64_t frames;    /* frames returned */
    uint64_t modeac;    /* of which Mode A/C (4 hex digits) */
    uint64_t bad_lines; /* lines that were not a valid AVR reply (skipped) */
};

/* The parser's state: treat as opaque; zero it (or avr_parser_init) to start. */
struct avr_parser {
    uint8_t state;
    uint8_t n;               /* characters in line[] */
    char line[AVR_MAX_LINE]; /* the line so far, from its start character */
    struct avr_stats st;
};

void avr_parser_init(struct avr_parser *p);

/*
 * Feed up to len bytes of AVR text (buf borrowed). Same contract as
 * beast_parse(): n > 0 means a frame is in *out and ended at buf[n-1];
 * CAIRN_E_NEEDMORE means all len bytes were consumed without completing a
 * frame. Never anything else; bad lines are counted in p->st.
 */
ssize_t avr_parse(struct avr_parser *p, const uint8_t *buf, size_t len, struct modes_frame *out);

/*
 * At the end of the input: a pending line that never saw its ';' or line
 * end is parsed as if it had (files need not end in a newline). Returns 1
 * with a frame in *out, 0 when there was nothing (a bad leftover is counted).
 */
int avr_finish(struct avr_parser *p, struct modes_frame *out);

/*
 * Write f as one AVR line with its CR LF into out (cap bytes, NUL added):
 * '@' with the 12 MHz counter when f->has_ts, '*' otherwise. Returns the
 * characters written (without the NUL), or CAIRN_E_INVAL when f->len is not
 * 2, 7 or 14, CAIRN_E_FULL when cap is too small (AVR_MAX_LINE + 3 suffices).
 */
int avr_encode(const struct modes_frame *f, char *out, size_t cap);

#endif
