/*
 * demod.h — the 1090 MHz demodulator: IQ samples in, CRC-checked Mode S
 * replies (struct modes_frame) out.
 *
 * A Mode S reply is pulse-position modulated on 1090 MHz: a 8 us preamble
 * (four 0.5 us pulses starting at 0, 1.0, 3.5 and 4.5 us) followed by 56 or
 * 112 bits of 1 us each, a '1' being energy in the first half-microsecond
 * ("chip") and a '0' energy in the second (ICAO Annex 10 Vol IV, 3.1.2.2;
 * ICAO Doc 9871). The receiver sees the envelope of that signal as the
 * magnitude of complex baseband samples at 2.0 or 2.4 MS/s.
 *
 * Key idea: every chip is a time interval [t, t + 0.5 us). The energy in a
 * chip is the integral of the magnitude over that interval, treating each
 * sample as constant over its own sample period; with a running prefix sum of
 * the magnitudes, any such integral with fractional ends costs two table
 * reads. That is the matched filter for a rectangular pulse, and it makes the
 * 2.0 MS/s case (1 sample per chip) and the 2.4 MS/s case (1.2 samples per
 * chip) the same code: a candidate reply start is tried at several
 * sub-sample phase offsets, each phase slices the bits by comparing the two
 * chips of every bit, and the best-scoring decode that passes the CRC rules
 * wins. See docs/demod.md for the detection steps and measured results.
 *
 * Acceptance (what makes a decode a reply rather than noise), by downlink
 * format (ICAO Doc 9871 / Annex 10 Vol IV 3.1.2.3.3 parity):
 *   DF11            syndrome 0, or an interrogator-coded syndrome (low 7
 *                   bits only) when the address is known
 *   DF17, DF18      syndrome 0, or one bit fixed (outside the DF field) when
 *                   fix_errors is set and the address is known
 *   DF19            syndrome 0
 *   DF0/4/5/16/20/21/24  the syndrome is the address (Address/Parity): only
 *                   when the caller knows that address (addr_known)
 *
 * Streaming: the demodulator keeps a fixed-size window of magnitudes. Input of
 * any block size is appended; each time the window is full it is examined up
 * to an overlap of one longest reply, which is then kept for the next round,
 * so replies crossing a block boundary are found and the result does not
 * depend on how the caller splits its input. No I/O, no allocation, no
 * global state: struct modes_demod is caller storage (about 340 KiB, so put
 * it on the heap or in static storage, not on a small stack).
 */
#ifndef CAIRN_DECODE_MODES_DEMOD_H
#define CAIRN_DECODE_MODES_DEMOD_H

#include <stddef.h>
#include <stdint.h>

#include "decode/modes/frame.h"

/* Samples examined per round (13.7 ms at 2.4 MS/s): big enough that the
 * overlap copy is negligible, small enough to stay in L2 cache. */
#define MODES_DEMOD_WINDOW 32768
/* Samples carried over between rounds: one longest reply at 2.4 MS/s is
 * (16 preamble + 224 data chips) x 1.2 = 288 samples; plus the gate's
 * look-ahead and one sample of phase, rounded up. */
#define MODES_DEMOD_OVERLAP 320
/* Chip boundaries of a long reply: 16 preamble + 224 data chips, + 1. */
#define MODES_DEMOD_BOUNDS 241
/* Quiet samples of the preamble the gate looks at. */
#define MODES_DEMOD_GATE_QUIET 8
/* Sub-sample phases per candidate, at most: 5 at 2.4 MS/s (1/5 sample), 4 at
 * 2.0 MS/s (1/4 sample); room for 8. */
#define MODES_DEMOD_MAX_PHASE 8

enum modes_demod_fmt {
    MODES_DEMOD_UC8 = 0,  /* unsigned 8-bit I,Q pairs, zero at 127.4 (RTL-SDR) */
    MODES_DEMOD_SC16 = 1, /* little-endian signed 16-bit I,Q pairs */
};

/* Counters, only ever incremented; the caller may read or reset them. */
struct modes_demod_stats {
    uint64_t samples;      /* complex samples fed */
    uint64_t preambles;    /* positions that passed the preamble test */
    uint64_t frames;       /* replies accepted and delivered */
    uint64_t corrected;    /* of which with one bit fixed */
    uint64_t bad_crc;      /* decodes of a known DF rejected by the CRC rules */
    uint64_t unknown_addr; /* Address/Parity replies from addresses not known */
};

/* Does the caller know this ICAO address (seen recently in a CRC-checked
 * reply)? arg is the caller's; t_s the reply's time. Return non-zero if so. */
typedef int (*modes_addr_known_fn)(void *arg, uint32_t icao, double t_s);
/* A reply: f is borrowed for the duration of the call only. */
typedef void (*modes_demod_frame_fn)(const struct modes_frame *f, void *arg);

/* The demodulator's state. Fill it with modes_demod_init(); fields are
 * internal except st. */
struct modes_demod {
    double rate_hz;
    uint8_t fmt;        /* enum modes_demod_fmt */
    uint8_t fix_errors; /* 1: fix one bit in DF17/18 */
    uint8_t n_phase;    /* sub-sample phases tried per candidate */
    uint8_t n_pend;     /* bytes of a partial IQ sample held between calls */
    uint8_t pend[4];
    uint32_t weight; /* fixed-point scale of the fractional chip ends */
    uint8_t chip_w;  /* chip length, 1/weight samples */
    /* Chip boundary k of phase p lies weight-ths into sample boff[p][k]
     * after the candidate start: at boff + bfrac / weight. */
    uint16_t boff[MODES_DEMOD_MAX_PHASE][MODES_DEMOD_BOUNDS];
    uint16_t bfrac[MODES_DEMOD_MAX_PHASE][MODES_DEMOD_BOUNDS];
    /* The preamble gate: per pulse, the first of two neighbouring samples
     * one of which overlaps that pulse well at every phase; and samples
     * that are quiet at every phase. */
    uint8_t gate_pulse[4];
    uint8_t gate_quiet[MODES_DEMOD_GATE_QUIET];
    uint8_t n_quiet;
    /* Intersymbol interference model (see slice_bits in demod.c): per
     * phase and data bit, the spill of the chip before / after the bit. */
    int16_t isi_prev[MODES_DEMOD_MAX_PHASE][MODES_LONG_LEN * 8];
    int16_t isi_next[MODES_DEMOD_MAX_PHASE][MODES_LONG_LEN * 8];
    uint8_t isi_passes;                      /* reslicing passes after a failed CRC */
    int32_t pulse_k3[MODES_DEMOD_MAX_PHASE]; /* preamble score per (H-L)/2 */
    uint32_t noise;                          /* noise floor: mean magnitude of quiet stretches */
    uint64_t base;                           /* absolute sample index of mag[0] */
    uint64_t scan_pos;                       /* absolute index of the next candidate start to
                                                examine (past the end of an accepted reply) */
    size_t n_mag;                            /* samples in mag[] */
    struct modes_demod_stats st;
    /* Magnitude of each possible (I, Q) byte pair, 0..65535. */
    uint16_t mag_tab[65536];
    uint16_t mag[MODES_DEMOD_WINDOW + MODES_DEMOD_OVERLAP];
    /* cum[i+1] - cum[i] = weight * mag[i]: a running sum since the start of
     * the stream, modulo 2^32. Only differences over one reply's span are
     * used, and those stay far below 2^32, so wrap-around is harmless. */
    uint32_t cum[MODES_DEMOD_WINDOW + MODES_DEMOD_OVERLAP + 1];
    /* One bit per sample of the window: above the noise gate or not. */
    uint64_t hi[(MODES_DEMOD_WINDOW + MODES_DEMOD_OVERLAP + 63) / 64 + 2];
};

/*
 * Prepare d for a stream at rate_hz (2.0e6 or 2.4e6) in sample format fmt.
 * fix_errors: fix single-bit errors in DF17/18. Returns 0, or CAIRN_E_INVAL
 * for another rate or format (d is then unusable).
 */
int modes_demod_init(struct modes_demod *d, double rate_hz, enum modes_demod_fmt fmt,
                     int fix_errors);

/*
 * Start a new stream with the same rate, format and options (cheaper than
 * modes_demod_init, which also builds the tables): no samples held, sample
 * clock and counters back at zero.
 */
void modes_demod_reset(struct modes_demod *d);

/*
 * Feed len bytes of IQ samples (borrowed; any length, a sample may be split
 * across calls). Every reply found is passed to cb (which may be NULL);
 * known (may be NULL: no address is known) answers Address/Parity checks.
 * Returns the number of replies delivered by this call.
 */
size_t modes_demod_feed(struct modes_demod *d, const uint8_t *iq, size_t len,
                        modes_addr_known_fn known, modes_demod_frame_fn cb, void *arg);

/*
 * End of stream: append one overlap of silence (zero magnitude) and examine
 * every candidate still held, so a reply ending with the last sample is
 * found. Feeding again afterwards continues the stream after that silence.
 * Returns the number of replies delivered.
 */
size_t modes_demod_flush(struct modes_demod *d, modes_addr_known_fn known, modes_demod_frame_fn cb,
                         void *arg);

#endif
