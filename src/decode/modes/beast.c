/*
 * beast.c — Mode-S Beast binary stream parser and encoder (see beast.h).
 *
 * The state machine, one byte at a time:
 *
 *     IDLE --0x1A--> TYPE --'1'..'4'--> BODY <--> BODY_ESC (after a 0x1A)
 *       ^  (other: garbage)  |(0x1A or unknown: resync)   |
 *       |                    v                            | 0x1A 0x1A: one data byte
 *       +--------------------+                            | 0x1A X: frame truncated,
 *       +<-- body complete (frame returned or skipped)    |   X is the next TYPE byte
 *
 * Invariants: (1) have < need whenever state is BODY or BODY_ESC; (2) body[]
 * holds unescaped bytes only; (3) each byte of input is looked at exactly
 * once, so the work is linear and a split anywhere changes nothing.
 */
#include "decode/modes/beast.h"

#include <string.h>

#include "base/error.h"

enum beast_state { ST_IDLE = 0, ST_TYPE, ST_BODY, ST_BODY_ESC };

/* Body bytes (timestamp + signal + data) per frame type, 0 when unknown. */
static uint8_t body_len_of_type(uint8_t type)
{
    switch (type) {
    case '1':
        return BEAST_TS_LEN + 1 + MODEAC_LEN;
    case '2':
        return BEAST_TS_LEN + 1 + MODES_SHORT_LEN;
    case '3':
        return BEAST_TS_LEN + 1 + MODES_LONG_LEN;
    case '4':
        return BEAST_TS_LEN + 1 + 14; /* receiver status: 14 bytes, like a long frame */
    default:
        return 0;
    }
}

void beast_parser_init(struct beast_parser *p)
{
    memset(p, 0, sizeof *p);
}

static void note_garbage(struct beast_parser *p, uint64_t n)
{
    p->st.garbage += n;
    if (!p->in_garbage) {
        p->in_garbage = 1;
        p->st.resyncs++;
    }
}

/* A type byte after 0x1A: start a frame, or resynchronise. */
static void start_frame(struct beast_parser *p, uint8_t type)
{
    uint8_t need = body_len_of_type(type);
    if (need) {
        p->type = type;
        p->need = need;
        p->have = 0;
        p->state = ST_BODY;
        p->in_garbage = 0;
        return;
    }
    p->state = ST_IDLE;
    if (type == BEAST_ESC) {
        /* An escaped 0x1A seen out of sync: we are inside a frame we missed. */
        note_garbage(p, 2);
        return;
    }
    p->st.bad_type++;
    p->in_garbage = 0;
    note_garbage(p, 2);
}

/* Fill *out from an unescaped body of a '1', '2' or '3' frame; count it. */
static void build_frame(struct beast_parser *p, uint8_t type, const uint8_t *body, uint8_t need,
                        struct modes_frame *out)
{
    uint64_t ts = 0;
    for (int i = 0; i < BEAST_TS_LEN; i++)
        ts = (ts << 8) | body[i];
    uint8_t n = (uint8_t)(need - BEAST_TS_LEN - 1);
    memset(out, 0, sizeof *out);
    memcpy(out->data, body + BEAST_TS_LEN + 1, n);
    out->len = n;
    out->kind = type == '1' ? FRAME_MODEAC : FRAME_MODES;
    out->signal = body[BEAST_TS_LEN];
    out->ts_12mhz = ts;
    out->has_ts = ts != 0;
    out->t_s = (double)ts / BEAST_CLOCK_HZ;
    p->st.frames++;
    if (type == '1')
        p->st.modeac++;
    else if (type == '2')
        p->st.modes_short++;
    else
        p->st.modes_long++;
}

/* The body is complete: fill *out. Returns 1 when it is a frame to return. */
static int finish_frame(struct beast_parser *p, struct modes_frame *out)
{
    p->state = ST_IDLE;
    if (p->type == '4') {
        p->st.skipped++;
        return 0;
    }
    build_frame(p, p->type, p->body, p->need, out);
    return 1;
}

ssize_t beast_parse(struct beast_parser *p, const uint8_t *buf, size_t len, struct modes_frame *out)
{
    size_t i = 0;
    while (i < len) {
        /* Fast path: a whole frame in buf with no escaped byte is taken
         * directly, which is what the state machine would do byte by byte. */
        if (p->state == ST_IDLE && buf[i] == BEAST_ESC && len - i >= 2) {
            uint8_t type = buf[i + 1];
            uint8_t need = body_len_of_type(type);
            if (need && type != '4' && len - i - 2 >= need &&
                !memchr(buf + i + 2, BEAST_ESC, need)) {
                build_frame(p, type, buf + i + 2, need, out);
                p->in_garbage = 0;
                i += 2 + (size_t)need;
                p->st.bytes += i;
                return (ssize_t)i;
            }
        }
        uint8_t c = buf[i++];
        switch (p->state) {
        case ST_IDLE:
            if (c == BEAST_ESC) {
                p->state = ST_TYPE;
            } else {
                /* Fast skip over a run of garbage. */
                size_t j = i;
                while (j < len && buf[j] != BEAST_ESC)
                    j++;
                note_garbage(p, 1 + (j - i));
                i = j;
            }
            break;
        case ST_TYPE:
            start_frame(p, c);
            break;
        case ST_BODY:
            if (c == BEAST_ESC) {
                p->state = ST_BODY_ESC;
                break;
            }
            p->body[p->have++] = c;
            if (p->have == p->need && finish_frame(p, out)) {
                p->st.bytes += i;
                return (ssize_t)i;
            }
            break;
        case ST_BODY_ESC:
            if (c != BEAST_ESC) {
                /* 0x1A then a non-0x1A: a new frame began inside this one. */
                p->st.truncated++;
                p->st.resyncs++;
                start_frame(p, c);
                break;
            }
            p->state = ST_BODY;
            p->body[p->have++] = c;
            if (p->have == p->need && finish_frame(p, out)) {
                p->st.bytes += i;
                return (ssize_t)i;
            }
            break;
        default: /* a corrupted state struct: start over */
            p->state = ST_IDLE;
            break;
        }
    }
    p->st.bytes += len;
    return CAIRN_E_NEEDMORE;
}

static size_t put_escaped(uint8_t *out, size_t o, uint8_t b)
{
    out[o++] = b;
    if (b == BEAST_ESC)
        out[o++] = b;
    return o;
}

int beast_encode(const struct modes_frame *f, uint8_t *out)
{
    uint8_t type;
    switch (f->len) {
    case MODEAC_LEN:
        type = '1';
        break;
    case MODES_SHORT_LEN:
        type = '2';
        break;
    case MODES_LONG_LEN:
        type = '3';
        break;
    default:
        return CAIRN_E_INVAL;
    }
    size_t o = 0;
    out[o++] = BEAST_ESC;
    out[o++] = type;
    for (int i = BEAST_TS_LEN - 1; i >= 0; i--)
        o = put_escaped(out, o, (uint8_t)(f->ts_12mhz >> (8 * i)));
    o = put_escaped(out, o, f->signal);
    for (size_t i = 0; i < f->len; i++)
        o = put_escaped(out, o, f->data[i]);
    return (int)o;
}
