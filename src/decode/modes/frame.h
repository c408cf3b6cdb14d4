/*
 * frame.h — one received 1090 MHz reply, before decoding.
 *
 * What every Mode S source hands to the decoder: the Beast/AVR/SBS stream
 * parsers (beast.h, avr.h) and the demodulator (demod.h) all produce a
 * struct modes_frame. Times are the source's own clock: the Beast 12 MHz
 * counter, the AVR '@' timestamp, or the sample index of an IQ recording,
 * converted to seconds in t_s (see each source for its epoch).
 */
#ifndef CAIRN_DECODE_MODES_FRAME_H
#define CAIRN_DECODE_MODES_FRAME_H

#include <stdint.h>

#define MODES_SHORT_LEN 7  /* 56-bit Mode S reply, bytes */
#define MODES_LONG_LEN  14 /* 112-bit Mode S reply, bytes */
#define MODEAC_LEN      2  /* Mode A/C reply as Beast carries it, bytes */

enum modes_frame_kind {
    FRAME_MODES = 0,  /* a Mode S reply of 7 or 14 bytes */
    FRAME_MODEAC = 1, /* a Mode A/C reply (Beast type '1'), 2 bytes */
};

struct modes_frame {
    uint8_t data[MODES_LONG_LEN];
    uint8_t len;       /* 2, 7 or 14 */
    uint8_t kind;      /* enum modes_frame_kind */
    uint8_t has_ts;    /* 1 when ts_12mhz is from the source */
    uint8_t signal;    /* RSSI as Beast carries it (0-255), 0 when unknown */
    uint8_t corrected; /* bits the demodulator already corrected (0 when none) */
    uint64_t ts_12mhz; /* the source's 12 MHz counter (Beast, AVR '@') */
    double t_s;        /* time in seconds on the source's clock */
};

#endif
