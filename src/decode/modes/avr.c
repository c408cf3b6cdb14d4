/*
 * avr.c — AVR raw hex parser and encoder (see avr.h).
 *
 * States: IDLE (between lines: CR, LF, blanks skipped), LINE (collecting
 * characters after a start character '*', '@', '%' or '<'), SKIP (inside a
 * bad line, until a line end or a start character). A line is parsed when
 * its ';' (or a bare line end) arrives; a start character inside a line
 * means the line was cut short: it is counted bad and a new one begins.
 */
#include "decode/modes/avr.h"

#include <stdio.h>
#include <string.h>

#include "base/error.h"
#include "base/hex.h"

enum avr_state { ST_IDLE = 0, ST_LINE, ST_SKIP };

#define TS_DIGITS  12 /* 48-bit counter, hex digits */
#define SIG_DIGITS 2  /* signal level byte, hex digits */

void avr_parser_init(struct avr_parser *p)
{
    memset(p, 0, sizeof *p);
}

static int is_start(uint8_t c)
{
    return c == '*' || c == '@' || c == '%' || c == '<';
}

static int is_eol(uint8_t c)
{
    return c == '\n' || c == '\r';
}

static int is_blank(uint8_t c)
{
    return is_eol(c) || c == ' ' || c == '\t';
}

/* Parse line[0..n) (start character first, no ';'). 1 with *out filled, 0 if bad. */
static int parse_line(const char *line, size_t n, struct modes_frame *out)
{
    size_t off = 1;
    uint64_t ts = 0;
    uint8_t signal = 0;
    int has_ts = 0;
    if (line[0] != '*') {
        if (n < off + TS_DIGITS)
            return 0;
        for (size_t i = 0; i < TS_DIGITS; i++) {
            int d = hex_digit((unsigned char)line[off + i]);
            if (d < 0)
                return 0;
            ts = (ts << 4) | (uint64_t)d;
        }
        off += TS_DIGITS;
        has_ts = ts != 0;
        if (line[0] == '<') {
            uint8_t sig[1];
            if (n < off + SIG_DIGITS || hex_decode(line + off, 1, sig) != 0)
                return 0;
            signal = sig[0];
            off += SIG_DIGITS;
        }
    }
    size_t digits = n - off;
    if (digits != 2 * MODEAC_LEN && digits != 2 * MODES_SHORT_LEN && digits != 2 * MODES_LONG_LEN)
        return 0;
    memset(out, 0, sizeof *out);
    if (hex_decode(line + off, digits / 2, out->data) != 0)
        return 0;
    out->len = (uint8_t)(digits / 2);
    out->kind = out->len == MODEAC_LEN ? FRAME_MODEAC : FRAME_MODES;
    out->signal = signal;
    out->has_ts = (uint8_t)has_ts;
    out->ts_12mhz = ts;
    out->t_s = (double)ts / AVR_CLOCK_HZ;
    return 1;
}

/* The line is complete: 1 with a frame in *out, 0 when it was bad (counted). */
static int end_line(struct avr_parser *p, struct modes_frame *out)
{
    p->state = ST_IDLE;
    if (!parse_line(p->line, p->n, out)) {
        p->st.bad_lines++;
        return 0;
    }
    p->st.frames++;
    if (out->kind == FRAME_MODEAC)
        p->st.modeac++;
    return 1;
}

static void begin_line(struct avr_parser *p, uint8_t c)
{
    p->state = ST_LINE;
    p->line[0] = (char)c;
    p->n = 1;
}

ssize_t avr_parse(struct avr_parser *p, const uint8_t *buf, size_t len, struct modes_frame *out)
{
    size_t i = 0;
    while (i < len) {
        uint8_t c = buf[i++];
        switch (p->state) {
        case ST_LINE:
            if (c == ';' || is_eol(c)) {
                if (end_line(p, out)) {
                    p->st.bytes += i;
                    return (ssize_t)i;
                }
            } else if (is_start(c)) {
                p->st.bad_lines++; /* cut short by the next line */
                begin_line(p, c);
            } else if (hex_digit(c) < 0 || p->n >= AVR_MAX_LINE) {
                p->st.bad_lines++;
                p->state = ST_SKIP;
            } else {
                p->line[p->n++] = (char)c;
            }
            break;
        case ST_SKIP:
            if (is_eol(c))
                p->state = ST_IDLE;
            else if (is_start(c))
                begin_line(p, c);
            break;
        default: /* ST_IDLE, or a corrupted state: start over */
            if (is_start(c)) {
                begin_line(p, c);
            } else if (!is_blank(c)) {
                p->st.bad_lines++;
                p->state = ST_SKIP;
            } else {
                p->state = ST_IDLE;
            }
            break;
        }
    }
    p->st.bytes += len;
    return CAIRN_E_NEEDMORE;
}

int avr_finish(struct avr_parser *p, struct modes_frame *out)
{
    if (p->state != ST_LINE) {
        p->state = ST_IDLE;
        return 0;
    }
    return end_line(p, out);
}

int avr_encode(const struct modes_frame *f, char *out, size_t cap)
{
    if (f->len != MODEAC_LEN && f->len != MODES_SHORT_LEN && f->len != MODES_LONG_LEN)
        return CAIRN_E_INVAL;
    char hex[2 * MODES_LONG_LEN + 1];
    hex_encode(f->data, f->len, hex);
    int n;
    if (f->has_ts)
        n = snprintf(out, cap, "@%012llx%s;\r\n",
                     (unsigned long long)(f->ts_12mhz & 0xFFFFFFFFFFFFull), hex);
    else
        n = snprintf(out, cap, "*%s;\r\n", hex);
    if (n < 0 || (size_t)n >= cap)
        return CAIRN_E_FULL;
    return n;
}
