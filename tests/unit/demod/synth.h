/*
 * synth.h — synthetic 1090 MHz IQ for the demodulator's tests and benchmark.
 *
 * Builds Mode S replies with valid parity (modes_crc from modes.h) and
 * pulse-position modulates them into UC8 or SC16 IQ at 2.0 or 2.4 MS/s:
 * each sample holds the fraction of its sample period covered by a pulse
 * (an integrate-and-dump receiver), times the amplitude, rotated by a random
 * carrier phase, plus Gaussian noise on I and Q. Reply starts are given in
 * microseconds, so every sub-sample phase occurs.
 *
 * References: ICAO Annex 10 Vol IV 3.1.2.1-3.1.2.2 (pulse positions).
 * Test-only code: a seeded xorshift generator, no global state.
 */
#ifndef CAIRN_TESTS_DEMOD_SYNTH_H
#define CAIRN_TESTS_DEMOD_SYNTH_H

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode/modes/modes.h"

struct synth_rng {
    uint64_t s;
};

static inline uint64_t synth_next(struct synth_rng *r)
{
    /* xorshift64*: fast, good enough for test signals */
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * 2685821657736338717ull;
}

/* Uniform in [0, 1). */
static inline double synth_uniform(struct synth_rng *r)
{
    return (double)(synth_next(r) >> 11) / 9007199254740992.0;
}

/* Standard normal (Box-Muller). */
static inline double synth_gauss(struct synth_rng *r)
{
    double u = synth_uniform(r), v = synth_uniform(r);
    if (u < 1e-300)
        u = 1e-300;
    return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

/* Fill the last 3 bytes of msg (len 7 or 14) so that its syndrome is
 * `syndrome` (0 for DF11/17/18, the address for Address/Parity formats). */
static inline void synth_set_parity(uint8_t *msg, size_t len, uint32_t syndrome)
{
    msg[len - 3] = msg[len - 2] = msg[len - 1] = 0;
    uint32_t p = modes_crc(msg, len) ^ syndrome;
    msg[len - 3] = (uint8_t)(p >> 16);
    msg[len - 2] = (uint8_t)(p >> 8);
    msg[len - 1] = (uint8_t)p;
}

/* A DF17 reply from icao with random ME field and valid parity. */
static inline void synth_df17(struct synth_rng *r, uint32_t icao, uint8_t msg[14])
{
    msg[0] = 17 << 3 | 5; /* DF17, CA 5 */
    msg[1] = (uint8_t)(icao >> 16);
    msg[2] = (uint8_t)(icao >> 8);
    msg[3] = (uint8_t)icao;
    for (int i = 4; i < 11; i++)
        msg[i] = (uint8_t)synth_next(r);
    synth_set_parity(msg, 14, 0);
}

/* Pulse-position envelope of one reply starting at start_us: 1 inside a
 * pulse, 0 outside; returns the covered fraction of [t0_us, t1_us). */
static inline double synth_cover(const uint8_t *msg, size_t len, double start_us, double t0_us,
                                 double t1_us)
{
    static const double pre_us[4] = {0.0, 1.0, 3.5, 4.5};
    double cov = 0;
    double lo_rel = t0_us - start_us, hi_rel = t1_us - start_us;
    if (hi_rel <= 0 || lo_rel >= 8.0 + (double)len * 8.0)
        return 0;
    for (int k = 0; k < 4; k++) {
        double a = pre_us[k], b = a + 0.5;
        double lo = a > lo_rel ? a : lo_rel, hi = b < hi_rel ? b : hi_rel;
        if (hi > lo)
            cov += hi - lo;
    }
    int first = (int)floor(lo_rel - 8.0);
    if (first < 0)
        first = 0;
    for (int i = first; i < (int)len * 8 && 8.0 + i <= hi_rel; i++) {
        int bit = msg[i >> 3] >> (7 - (i & 7)) & 1;
        double a = 8.0 + i + (bit ? 0.0 : 0.5), b = a + 0.5;
        double lo = a > lo_rel ? a : lo_rel, hi = b < hi_rel ? b : hi_rel;
        if (hi > lo)
            cov += hi - lo;
    }
    return cov / (t1_us - t0_us);
}

struct synth_msg {
    uint8_t data[14];
    size_t len;
    double start_us; /* time of the first preamble pulse's leading edge */
    double amp;      /* amplitude in 8-bit ADC units (0..127) */
};

/*
 * Write n_samples of IQ (fmt 0 = UC8, 1 = SC16) at rate_hz into out (2 or 4
 * bytes per sample; the caller sizes it), with the replies m[0..n_msg) and
 * noise of standard deviation sigma (8-bit units) on I and Q.
 */
static inline void synth_iq(struct synth_rng *r, double rate_hz, int fmt, const struct synth_msg *m,
                            size_t n_msg, double sigma, uint8_t *out, size_t n_samples)
{
    double dt_us = 1e6 / rate_hz;
    double *phase = calloc(n_msg ? n_msg : 1, sizeof *phase);
    for (size_t k = 0; k < n_msg; k++)
        phase[k] = 6.283185307179586 * synth_uniform(r);
    size_t next = 0; /* replies sorted by start time: first that may be active */
    for (size_t s = 0; s < n_samples; s++) {
        double t0 = (double)s * dt_us, t1 = t0 + dt_us;
        double i = sigma * synth_gauss(r), q = sigma * synth_gauss(r);
        while (next < n_msg && m[next].start_us + 8.0 + (double)m[next].len * 8.0 < t0)
            next++;
        for (size_t k = next; k < n_msg && m[k].start_us < t1; k++) {
            double c = synth_cover(m[k].data, m[k].len, m[k].start_us, t0, t1);
            i += m[k].amp * c * cos(phase[k]);
            q += m[k].amp * c * sin(phase[k]);
        }
        if (fmt == 0) {
            double vi = floor(127.4 + i + 0.5), vq = floor(127.4 + q + 0.5);
            out[2 * s] = (uint8_t)(vi < 0 ? 0 : vi > 255 ? 255 : vi);
            out[2 * s + 1] = (uint8_t)(vq < 0 ? 0 : vq > 255 ? 255 : vq);
        } else {
            double vi = floor(i * 256.0 + 0.5), vq = floor(q * 256.0 + 0.5);
            int32_t a = (int32_t)(vi < -32768 ? -32768 : vi > 32767 ? 32767 : vi);
            int32_t b = (int32_t)(vq < -32768 ? -32768 : vq > 32767 ? 32767 : vq);
            out[4 * s] = (uint8_t)(a & 0xFF);
            out[4 * s + 1] = (uint8_t)((a >> 8) & 0xFF);
            out[4 * s + 2] = (uint8_t)(b & 0xFF);
            out[4 * s + 3] = (uint8_t)((b >> 8) & 0xFF);
        }
    }
    free(phase);
}

#endif
