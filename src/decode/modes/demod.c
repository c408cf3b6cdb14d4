/*
 * demod.c — the 1090 MHz demodulator (see demod.h for the signal, the key
 * idea and the acceptance rules; docs/demod.md for measurements).
 *
 * The steps (samples are appended to the window by modes_demod_feed; each
 * full window is one round):
 *   1. magnitudes from a table over the (I, Q) byte pair, and in the same
 *      pass the prefix sums cum[] (scaled by `weight`, so the fractional
 *      chip ends stay integers);
 *   2. a noise floor: the lower-eighth quantile of the mean magnitude of 64
 *      slices of the window (a quiet stretch of 0.2 ms exists in almost any
 *      real window; the quantile ignores slices full of replies);
 *   3. the gate, on single samples: a bitmap of samples above 1.5 x the
 *      floor gives, 64 start positions at a time, those whose four preamble
 *      pulses each have a loud sample; the weakest of those must stand
 *      above the 8 quiet samples of the preamble (gate_quiet_ok);
 *   4. for each sub-sample phase, the chip integrals of the 16 preamble
 *      chips: the pulse chips must stand above the quiet ones (1.5 x) and
 *      above the floor (1.75 x); the three best phases are sliced, bits
 *      decided by chip1 > chip0 after taking out the spill of the previous
 *      chip (decision feedback over a model of how samples straddle chips,
 *      slice_bits), with a reslice that also takes out the next chip when
 *      the CRC fails; the first 8 bits must be clear-cut before the rest is
 *      sliced;
 *   5. the CRC rules (accept); the best decode wins (no correction beats a
 *      corrected one, then the larger sum of |chip1 - chip0| margins); it is
 *      delivered and scanning resumes after its end, so the same reply is
 *      never reported twice from neighbouring offsets or phases.
 *
 * References: ICAO Annex 10 Vol IV 3.1.2.1 (pulse shapes, 0.5 us chips),
 * 3.1.2.2 (the preamble), 3.1.2.3.3 (parity); the CRC and single-bit
 * correction are modes.h's.
 */
#include "decode/modes/demod.h"

#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "base/error.h"
#include "decode/modes/modes.h"

/* Chips of the preamble that carry a pulse: 0-0.5, 1.0-1.5, 3.5-4.0 and
 * 4.5-5.0 us (Annex 10 Vol IV 3.1.2.2), in 0.5 us chips. */
static const uint8_t preamble_pulse_chip[4] = {0, 2, 7, 9};
#define PREAMBLE_CHIPS 16 /* 8 us of preamble before the first data bit */

/* The preamble's mean pulse magnitude must reach this many times the noise
 * floor (in 1/4 units: 7/4 = 1.75, 4.9 dB). The weakest accepted reply of
 * the reference recordings measures 2.7 (chip-smeared at 2.0 MS/s, where a
 * half-sample phase halves it, so not higher); in Gaussian noise this
 * rejects 4 in 5 of the preambles that pass the shape tests, each of which
 * would cost a slice. 2.0 (8/4) loses synthetic replies at 2.0 MS/s. */
#ifndef PULSE_FLOOR_Q4
#define PULSE_FLOOR_Q4 7u
#endif

/* Gate factors on single samples (see gate_quiet_ok), in tenths: the
 * weakest pulse sample over the mean of the 8 quiet samples (1.5) and over
 * their maximum (0.8). Every reply of the reference recordings and of the
 * synthetic tests passes; 1.8 starts losing weak ones. 1.5 instead of 1.2
 * halves the candidates that reach the phase search on modes1. */
#ifndef QMEAN_Q10
#define QMEAN_Q10 15u
#endif
#ifndef QMAX_Q10
#define QMAX_Q10 8u
#endif

/* Sub-sample phases tried at 2.0 MS/s (8 measured no better on synthetic
 * replies than 4). */
#ifndef RATE20_PHASES
#define RATE20_PHASES 4
#endif

/* Extra slicing passes after a failed CRC (reslice_bits), with the next
 * chip's spill taken out too. At 2.0 MS/s that spill is as large as the bit
 * at half-sample phases: three passes recover 8% more synthetic replies (a
 * fourth and fifth, 0.5%). At 2.4 MS/s one pass recovers 12% more of the
 * weak ones (amplitude 25, noise sigma 4: 162 -> 185 of 200); more, none. */
#ifndef ISI_PASSES_20
#define ISI_PASSES_20 3
#endif
#ifndef ISI_PASSES_24
#define ISI_PASSES_24 1
#endif

/* Only decodes whose mean bit margin is at least RESLICE_Q10 / 10 of the
 * preamble's pulse-over-quiet level are resliced: that keeps every
 * synthetic reply the passes recover and skips most of the garbage, which
 * would otherwise cost 40% of the speed on modes1. */
#ifndef RESLICE_Q10
#define RESLICE_Q10 6
#endif

/* Magnitude scale: full-scale 8-bit amplitude (about 181 for a corner of
 * the IQ square) times 360 stays below 65535. */
#define MAG_SCALE 360u

/* The pulse chips must average more than this many times the quiet chips'
 * mean (in 1/4 units: 6/4 = 1.5, 3.5 dB, as low as the dump1090 family
 * goes): 2.0 already loses replies of the dump1090_rs recordings. */
#ifndef PREAMBLE_SNR_Q4
#define PREAMBLE_SNR_Q4 6u
#endif
/* Gate on single samples: the louder of each pulse's two samples above the
 * floor by this factor (in 1/4 units: 6/4 = 1.5; Rayleigh noise exceeds
 * 1.5x its mean 17% of the time, so pure noise passes the four pulses about
 * 1% of the time). */
#ifndef GATE_FLOOR_Q4
#define GATE_FLOOR_Q4 6u
#endif

#define MAX2(a, b) ((a) > (b) ? (a) : (b))
#define MIN2(a, b) ((a) < (b) ? (a) : (b))

static uint32_t isqrt64(uint64_t x)
{
    uint64_t r = 0, bit = (uint64_t)1 << 62;
    while (bit > x)
        bit >>= 2;
    while (bit) {
        if (x >= r + bit) {
            x -= r + bit;
            r = (r >> 1) + bit;
        } else {
            r >>= 1;
        }
        bit >>= 2;
    }
    return (uint32_t)r;
}

/* Overlap, in 1/weight sample units, of sample s with chip interval [a, b)
 * (also in 1/weight units). */
static uint32_t overlap_w(uint32_t s, uint32_t w, uint32_t a, uint32_t b)
{
    uint32_t lo = s * w > a ? s * w : a;
    uint32_t hi = (s + 1) * w < b ? (s + 1) * w : b;
    return hi > lo ? hi - lo : 0;
}

static void setup_gate(struct modes_demod *d, uint32_t chip_w)
{
    uint32_t w = d->weight;
    /* Per pulse: the pair of neighbouring samples (s, s + 1) whose larger
     * overlap with the pulse is largest in the worst phase; the gate then
     * takes the larger of the two magnitudes. One sample is not enough at
     * 2.4 MS/s: a 1.2-sample pulse can cover as little as 0.4 of any one
     * fixed sample. */
    for (int k = 0; k < 4; k++) {
        uint32_t best = 0, best_s = 0;
        for (uint32_t s = 0; s < 16; s++) {
            uint32_t worst = w;
            for (uint32_t p = 0; p < d->n_phase; p++) {
                uint32_t a = preamble_pulse_chip[k] * chip_w + p;
                uint32_t o0 = overlap_w(s, w, a, a + chip_w);
                uint32_t o1 = overlap_w(s + 1, w, a, a + chip_w);
                uint32_t o = o0 > o1 ? o0 : o1;
                if (o < worst)
                    worst = o;
            }
            if (worst > best) {
                best = worst;
                best_s = s;
            }
        }
        d->gate_pulse[k] = (uint8_t)best_s;
    }
    /* Quiet samples: no overlap with any pulse at any phase, inside the
     * preamble (after the second pulse), up to MODES_DEMOD_GATE_QUIET. */
    unsigned nq = 0;
    for (uint32_t s = 0; s < 24 && nq < MODES_DEMOD_GATE_QUIET; s++) {
        int quiet = (s + 1) * w <= PREAMBLE_CHIPS * chip_w;
        for (int k = 0; k < 4 && quiet; k++)
            for (uint32_t p = 0; p < d->n_phase; p++) {
                uint32_t a = preamble_pulse_chip[k] * chip_w + p;
                if (overlap_w(s, w, a, a + chip_w))
                    quiet = 0;
            }
        if (quiet && s * w >= 3 * chip_w)
            d->gate_quiet[nq++] = (uint8_t)s;
    }
    d->n_quiet = (uint8_t)nq; /* 8 at both rates */
}

/* Index of the (I, Q) byte pair in mag_tab: the two bytes read as one
 * native uint16, so the hot loop needs a single load per sample. */
static inline uint32_t tab_index(uint32_t i, uint32_t q)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return i << 8 | q;
#else
    return i | q << 8;
#endif
}

/* Overlap of sample s with chip a (a may be -1) at phase p, 1/weight units. */
static int32_t chip_ov(uint32_t w, uint32_t chip_w, unsigned p, int a, int s)
{
    if (s < 0)
        return 0;
    int32_t lo = a * (int32_t)chip_w + (int32_t)p, hi = lo + (int32_t)chip_w;
    int32_t slo = s * (int32_t)w, shi = slo + (int32_t)w;
    int32_t o = (hi < shi ? hi : shi) - (lo > slo ? lo : slo);
    return o > 0 ? o : 0;
}

/* The sampling model of slice_bits(): for each phase and bit, the response
 * G = sum over samples k of (w[k][a] - w[k][a+1]) w[k][b] of the bit's
 * decision (chips a, a+1) to the chip b = a-1 before it and b = a+2 after
 * it (w: overlap of sample and chip); and the preamble score's response to
 * (H - L) / 2. */
static void setup_isi(struct modes_demod *d, uint32_t chip_w)
{
    const uint32_t w = d->weight;
    for (unsigned p = 0; p < d->n_phase; p++) {
        for (int i = 0; i < MODES_LONG_LEN * 8; i++) {
            int a = PREAMBLE_CHIPS + 2 * i;
            int s_lo = (a * (int)chip_w + (int)p) / (int)w;
            int s_hi = ((a + 2) * (int)chip_w + (int)p - 1) / (int)w;
            int32_t gp = 0, gn = 0;
            for (int s = s_lo; s <= s_hi; s++) {
                int32_t g = chip_ov(w, chip_w, p, a, s) - chip_ov(w, chip_w, p, a + 1, s);
                gp += g * chip_ov(w, chip_w, p, a - 1, s);
                gn += g * chip_ov(w, chip_w, p, a + 2, s);
            }
            d->isi_prev[p][i] = (int16_t)gp;
            d->isi_next[p][i] = (int16_t)gn;
        }
        /* 3 x score = sum_k h3_k s_k, h3 = 3 x pulse overlap - quiet overlap;
         * chips 0..15 as sent, chip -1 quiet, data chips at mid-level. */
        int64_t k3 = 0;
        int s_hi = (PREAMBLE_CHIPS * (int)chip_w + (int)p - 1) / (int)w;
        for (int s = 0; s <= s_hi; s++) {
            int32_t h3 = 0, resp = -chip_ov(w, chip_w, p, -1, s);
            for (int a = 0; a < PREAMBLE_CHIPS; a++) {
                int pulse = a == 0 || a == 2 || a == 7 || a == 9;
                int32_t o = chip_ov(w, chip_w, p, a, s);
                h3 += pulse ? 3 * o : -o;
                resp += pulse ? o : -o;
            }
            k3 += (int64_t)h3 * resp;
        }
        d->pulse_k3[p] = (int32_t)k3;
    }
}

int modes_demod_init(struct modes_demod *d, double rate_hz, enum modes_demod_fmt fmt,
                     int fix_errors)
{
    uint32_t chip_w; /* chip length in 1/weight sample units */
    memset(d, 0, offsetof(struct modes_demod, mag_tab));
    if (fmt != MODES_DEMOD_UC8 && fmt != MODES_DEMOD_SC16)
        return CAIRN_E_INVAL;
    if (rate_hz > 1.999e6 && rate_hz < 2.001e6) {
        /* 1 sample per chip; try quarter-sample phases. */
        d->weight = RATE20_PHASES;
        chip_w = RATE20_PHASES;
        d->isi_passes = ISI_PASSES_20;
    } else if (rate_hz > 2.399e6 && rate_hz < 2.401e6) {
        /* 1.2 samples per chip = 6/5; fifth-sample phases make every chip
         * boundary land on a multiple of 1/5 sample. */
        d->weight = 5;
        chip_w = 6;
        d->isi_passes = ISI_PASSES_24;
    } else {
        return CAIRN_E_INVAL;
    }
    d->rate_hz = rate_hz;
    d->chip_w = (uint8_t)chip_w;
    d->fmt = (uint8_t)fmt;
    d->fix_errors = fix_errors ? 1 : 0;
    d->n_phase = (uint8_t)d->weight;
    for (uint32_t p = 0; p < d->n_phase; p++)
        for (uint32_t k = 0; k < MODES_DEMOD_BOUNDS; k++) {
            uint32_t t = k * chip_w + p;
            d->boff[p][k] = (uint16_t)(t / d->weight);
            d->bfrac[p][k] = (uint16_t)(t % d->weight);
        }
    setup_gate(d, chip_w);
    setup_isi(d, chip_w);
    d->cum[0] = 0;
    /* Magnitude tables. UC8: zero at 127.4 (the RTL-SDR's ADC midpoint), in
     * tenths to keep integers. SC16: reduced to its top 8 bits by the
     * caller of the table (see sample_mag()), zero at 0. */
    for (uint32_t i = 0; i < 256; i++)
        for (uint32_t q = 0; q < 256; q++) {
            uint64_t e;
            if (fmt == MODES_DEMOD_UC8) {
                int64_t di = (int64_t)i * 10 - 1274, dq = (int64_t)q * 10 - 1274;
                e = (uint64_t)(di * di + dq * dq) * (MAG_SCALE * MAG_SCALE / 100);
            } else {
                int64_t di = (int64_t)i - 128, dq = (int64_t)q - 128;
                e = (uint64_t)(di * di + dq * dq) * (MAG_SCALE * MAG_SCALE);
            }
            uint32_t m = isqrt64(e);
            d->mag_tab[tab_index(i, q)] = (uint16_t)(m > 65535 ? 65535 : m);
        }
    return 0;
}

void modes_demod_reset(struct modes_demod *d)
{
    d->n_pend = 0;
    d->noise = 0;
    d->base = 0;
    d->scan_pos = 0;
    d->n_mag = 0;
    d->cum[0] = 0;
    memset(&d->st, 0, sizeof d->st);
}

/* ---- CRC rules ------------------------------------------------------------ */

static int df_bytes(unsigned df)
{
    switch (df) {
    case 0:
    case 4:
    case 5:
    case 11:
        return MODES_SHORT_LEN;
    case 16:
    case 17:
    case 18:
    case 19:
    case 20:
    case 21:
    case 24:
        return MODES_LONG_LEN;
    default:
        return 0; /* DF1-3, 6-10, 12-15, 22, 23: not replies we accept */
    }
}

static unsigned msg_df(const uint8_t *msg)
{
    unsigned df = msg[0] >> 3;
    return df >= 24 ? 24 : df; /* DF24 is "11" followed by anything */
}

static uint32_t msg_aa(const uint8_t *msg)
{
    return (uint32_t)msg[1] << 16 | (uint32_t)msg[2] << 8 | msg[3];
}

/* Apply the acceptance rules to msg (len bytes, may be fixed in place).
 * Returns -1 to reject, else the number of bits corrected (0 or 1). */
static int accept(struct modes_demod *d, uint8_t *msg, int len, size_t j, modes_addr_known_fn known,
                  void *arg)
{
    double t_s = (double)(d->base + j) / d->rate_hz;
    unsigned df = msg_df(msg);
    uint32_t syn = modes_crc(msg, (size_t)len);
    switch (df) {
    case 11:
        if (syn == 0)
            return 0;
        /* Interrogator-identifier-coded parity: the syndrome holds only the
         * II/SI code (Doc 9871, DF11 PI field). */
        if ((syn & ~0x7Fu) == 0 && known && known(arg, msg_aa(msg), t_s))
            return 0;
        break;
    case 17:
    case 18:
        if (syn == 0)
            return 0;
        if (d->fix_errors) {
            uint8_t tmp[MODES_LONG_LEN];
            memcpy(tmp, msg, (size_t)len);
            int bit = modes_fix_single_bit(tmp, (size_t)len, syn);
            /* A fix in the DF field would make it another reply; and a fixed
             * reply from an address never seen in a clean one is more
             * likely noise than an aircraft (measured: docs/demod.md). */
            if (bit >= 5 && modes_crc(tmp, (size_t)len) == 0 && known &&
                known(arg, msg_aa(tmp), t_s)) {
                memcpy(msg, tmp, (size_t)len);
                return 1;
            }
        }
        break;
    case 19:
        if (syn == 0)
            return 0;
        break;
    default:
        /* Address/Parity: the syndrome is the transponder's address. */
        if (known && known(arg, syn, t_s))
            return 0;
        d->st.unknown_addr++;
        return -1;
    }
    d->st.bad_crc++;
    return -1;
}

/* ---- slicing -------------------------------------------------------------- */

/* Value of the weighted prefix sum at chip boundary k of phase p, for a
 * candidate starting at window index j. */
#define BOUND(d, j, p, k)                                                                          \
    ((d)->cum[(j) + (d)->boff[p][k]] + (uint32_t)(d)->bfrac[p][k] * (d)->mag[(j) + (d)->boff[p][k]])

/* Slice nbits data bits (from bit `from`) of the candidate at j, phase p,
 * into msg (which must be zeroed for those bits). Returns the sum of the
 * bit margins |chip1 - chip0|.
 *
 * Intersymbol interference: a sample that straddles a chip boundary carries
 * some of the neighbouring chip, so the chip integrals of bit i also see
 * the chip before it (the second chip of bit i-1) and the chip after it
 * (the first chip of bit i+1); at 2.0 MS/s with a half-sample phase that
 * spill is as large as the bit itself, at 2.4 MS/s it can eat 70% of the
 * margin of a 0-0-0 run. Modelling every sample as the overlap-weighted sum
 * of the chips it covers, each chip at mid +- (H-L)/2, the spill of the
 * previous chip into bit i's decision is (H-L)/2 x isi_prev[p][i] / weight
 * (setup_isi); isi_q8 = (H-L)/2 / weight in Q8, from the preamble. The
 * previous chip is known from the previous decision (decision feedback) and
 * its spill is taken out. The next chip is not known yet and counts as
 * mid-level; when the CRC then fails, reslice_bits() passes again with the
 * next chip from the previous pass's bits (see ISI_PASSES). */
static uint64_t slice_bits(const struct modes_demod *d, size_t j, unsigned p, uint8_t *msg,
                           int from, int nbits, int64_t isi_q8)
{
    uint64_t margin = 0;
    unsigned k = PREAMBLE_CHIPS + 2u * (unsigned)from;
    uint32_t s0 = BOUND(d, j, p, k);
    /* all-ones when the chip before bit `from` is high: the preamble's
     * last chip is quiet; else the second chip of bit from-1 (high for 0) */
    int32_t prev_hi = from == 0 ? 0 : (msg[(from - 1) >> 3] >> (7 - ((from - 1) & 7)) & 1) - 1;
    const int16_t *gp = d->isi_prev[p];
    for (int i = from; i < from + nbits; i++, k += 2) {
        uint32_t s1 = BOUND(d, j, p, k + 1);
        uint32_t s2 = BOUND(d, j, p, k + 2);
        int32_t diff = (int32_t)(s1 - s0) - (int32_t)(s2 - s1); /* chip1 - chip0 */
        /* minus the spill: +c when the previous chip was high, -c if low */
        int32_t c = (int32_t)((isi_q8 * gp[i]) >> 8);
        int32_t lo = ~prev_hi; /* all-ones when low */
        diff -= (c ^ lo) - lo;
        /* Branch-free: the bits of noise are unpredictable, and a
         * mispredicted branch per bit would cost more than the rest. */
        int32_t one = diff > 0;
        msg[i >> 3] = (uint8_t)(msg[i >> 3] | (uint32_t)one << (7 - (i & 7)));
        int32_t sign = diff >> 31;
        margin += (uint32_t)((diff ^ sign) - sign);
        prev_hi = one - 1; /* a 1 ends low (0), a 0 ends high (all-ones) */
        s0 = s2;
    }
    return margin;
}

/* A later pass of slice_bits(): the whole reply again, now also taking out
 * the spill of the next chip, read from the previous pass's bits (guess). */
static uint64_t reslice_bits(const struct modes_demod *d, size_t j, unsigned p, uint8_t *msg,
                             int nbits, int64_t isi_q8, const uint8_t *guess)
{
    uint64_t margin = 0;
    unsigned k = PREAMBLE_CHIPS;
    uint32_t s0 = BOUND(d, j, p, k);
    int32_t prev_hi = -1; /* +1 high, -1 low: the preamble ends quiet */
    const int16_t *gp = d->isi_prev[p], *gn = d->isi_next[p];
    for (int i = 0; i < nbits; i++, k += 2) {
        uint32_t s1 = BOUND(d, j, p, k + 1);
        uint32_t s2 = BOUND(d, j, p, k + 2);
        int32_t diff = (int32_t)(s1 - s0) - (int32_t)(s2 - s1);
        /* the next chip: first chip of bit i+1 (high for a 1); quiet after
         * the last bit */
        int32_t next_hi =
            i + 1 < nbits ? 2 * (guess[(i + 1) >> 3] >> (7 - ((i + 1) & 7)) & 1) - 1 : -1;
        diff -= (int32_t)((isi_q8 * (prev_hi * gp[i] + next_hi * gn[i])) >> 8);
        int32_t one = diff > 0;
        msg[i >> 3] = (uint8_t)(msg[i >> 3] | (uint32_t)one << (7 - (i & 7)));
        int32_t sign = diff >> 31;
        margin += (uint32_t)((diff ^ sign) - sign);
        prev_hi = 1 - 2 * one;
        s0 = s2;
    }
    return margin;
}

/* Preamble quality at phase p: 0 when it fails, else pulse energy minus the
 * quiet energy scaled to the same number of chips (a larger value is a
 * better-aligned, stronger preamble). */
static uint32_t preamble_score(const struct modes_demod *d, size_t j, unsigned p)
{
    uint32_t start = BOUND(d, j, p, 0);
    uint32_t total = BOUND(d, j, p, PREAMBLE_CHIPS) - start;
    uint32_t pulse = 0, pmin = UINT32_MAX;
    for (int k = 0; k < 4; k++) {
        unsigned c = preamble_pulse_chip[k];
        uint32_t e = BOUND(d, j, p, c + 1) - BOUND(d, j, p, c);
        pulse += e;
        if (e < pmin)
            pmin = e;
    }
    uint32_t quiet = total - pulse; /* 12 chips */
    /* mean pulse magnitude (pulse / (4 chips x chip_w)) over the floor */
    if ((uint64_t)pulse * 4 <= (uint64_t)d->noise * PULSE_FLOOR_Q4 * 4 * d->chip_w)
        return 0;
    /* mean pulse > SNR x mean quiet: pulse/4 > snr/4 * quiet/12 */
    if ((uint64_t)pulse * 12 * 4 <= (uint64_t)quiet * 4 * PREAMBLE_SNR_Q4)
        return 0;
    /* every pulse above the mean quiet chip */
    if ((uint64_t)pmin * 12 <= quiet)
        return 0;
    return pulse - quiet / 3;
}

/* Phases sliced per candidate, best preamble score first. The winning
 * phase is the best or second best in 99% of the replies of the reference
 * recordings; a third try costs little and catches most of the rest. */
#ifndef PHASE_TRIES
#define PHASE_TRIES 3
#endif

#ifndef MARGIN_Q10
#define MARGIN_Q10 8
#endif

struct cand {
    uint8_t msg[MODES_LONG_LEN];
    int len;
    int corrected;
    uint64_t margin;
    unsigned phase;
};

/* Try the candidate at window index j. On success fills *best and returns 1. */
static int try_candidate(struct modes_demod *d, size_t j, modes_addr_known_fn known, void *arg,
                         struct cand *best)
{
    uint32_t score[MODES_DEMOD_MAX_PHASE];
    int found = 0;
    for (unsigned p = 0; p < d->n_phase; p++)
        score[p] = preamble_score(d, j, p);
    for (unsigned tries = 0; tries < PHASE_TRIES; tries++) {
        /* best remaining phase */
        unsigned p = 0;
        uint32_t s = 0;
        for (unsigned q = 0; q < d->n_phase; q++)
            if (score[q] > s) {
                s = score[q];
                p = q;
            }
        if (s == 0)
            break;
        score[p] = 0;
        if (!found)
            d->st.preambles++;
        struct cand c;
        memset(c.msg, 0, sizeof c.msg);
        c.phase = p;
        /* (H - L) / 2 / weight in Q8 from the preamble score: s is the
         * model's pulse_k3[p] / 3 x (H - L) / 2 / weight (setup_isi). */
        int64_t isi_q8 = d->pulse_k3[p] > 0 ? ((int64_t)s * 3 * 256) / d->pulse_k3[p] : 0;
        c.margin = slice_bits(d, j, p, c.msg, 0, 8, isi_q8);
        c.len = df_bytes(msg_df(c.msg));
        if (c.len == 0)
            continue;
        /* The first 8 bits must be as clear-cut as a reply's: their mean
         * margin at least 0.4 x the preamble's pulse-over-quiet level (the
         * weakest accepted reply of the reference recordings measures 0.54;
         * starts inside another reply's data measure far less). */
        if (c.margin * 10 <= (uint64_t)s * MARGIN_Q10)
            continue;
        c.margin += slice_bits(d, j, p, c.msg, 8, c.len * 8 - 8, isi_q8);
        c.corrected = accept(d, c.msg, c.len, j, known, arg);
        /* Reslice only what looks like a reply: mean bit margin at least
         * RESLICE_Q10 / 10 of the preamble's pulse-over-quiet level s / 4. */
        int worth = c.margin * 4 * 10 >= (uint64_t)s * (uint64_t)c.len * 8 * RESLICE_Q10;
        for (int pass = 0; c.corrected < 0 && worth && pass < d->isi_passes; pass++) {
            uint8_t prev[MODES_LONG_LEN];
            memcpy(prev, c.msg, sizeof prev);
            memset(c.msg, 0, sizeof c.msg);
            c.margin = reslice_bits(d, j, p, c.msg, c.len * 8, isi_q8, prev);
            if (df_bytes(msg_df(c.msg)) != c.len || !memcmp(prev, c.msg, sizeof prev))
                break; /* another length now, or nothing changed: give up */
            c.corrected = accept(d, c.msg, c.len, j, known, arg);
        }
        if (c.corrected < 0)
            continue;
        if (!found || c.corrected < best->corrected ||
            (c.corrected == best->corrected && c.margin > best->margin)) {
            *best = c;
            found = 1;
        }
        /* A clean decode at the best-aligned phase: the other phases could
         * only repeat it (the CRC admits one message). */
        if (c.corrected == 0)
            break;
    }
    return found;
}

static void deliver(struct modes_demod *d, size_t j, const struct cand *c, modes_demod_frame_fn cb,
                    void *arg)
{
    struct modes_frame f;
    memset(&f, 0, sizeof f);
    memcpy(f.data, c->msg, (size_t)c->len);
    f.len = (uint8_t)c->len;
    f.kind = FRAME_MODES;
    f.corrected = (uint8_t)c->corrected;
    f.t_s = ((double)(d->base + j) + (double)c->phase / d->weight) / d->rate_hz;
    /* Signal: the mean magnitude of the stronger chip of each bit, as a
     * fraction of full scale, in 0..255. The margins sum |e1 - e0| ~ the
     * pulse energy when the other chip is quiet. */
    uint32_t span_w =
        (uint32_t)(d->boff[0][PREAMBLE_CHIPS + 1] * d->weight + d->bfrac[0][PREAMBLE_CHIPS + 1]) -
        (uint32_t)(d->boff[0][PREAMBLE_CHIPS] * d->weight +
                   d->bfrac[0][PREAMBLE_CHIPS]); /* one chip, weight units */
    uint64_t mean = c->margin / ((uint64_t)c->len * 8 * span_w);
    uint64_t sig = mean * 255 / (181u * MAG_SCALE / 2); /* half full scale -> 255 */
    f.signal = (uint8_t)(sig > 255 ? 255 : sig);
    d->st.frames++;
    if (c->corrected)
        d->st.corrected++;
    if (cb)
        cb(&f, arg);
}

/* Noise floor of the window: see the file comment (step 2). */
static uint32_t window_noise(const struct modes_demod *d, size_t n)
{
    enum { SLICES = 64 };
    uint32_t m[SLICES];
    size_t w = n / SLICES;
    if (w == 0)
        return d->noise;
    for (size_t i = 0; i < SLICES; i++) {
        uint32_t e = (d->cum[(i + 1) * w] - d->cum[i * w]) / d->weight;
        m[i] = (uint32_t)(e / w);
    }
    /* insertion sort of 64 values: negligible beside the window's work */
    for (size_t i = 1; i < SLICES; i++) {
        uint32_t v = m[i];
        size_t k = i;
        while (k > 0 && m[k - 1] > v) {
            m[k] = m[k - 1];
            k--;
        }
        m[k] = v;
    }
    return m[SLICES / 8];
}

/* 64 bits of the bitmap hi[] starting at bit s (hi has a zero word past
 * the last one used). */
static inline uint64_t bits_at(const uint64_t *hi, size_t s)
{
    size_t w = s >> 6;
    unsigned o = (unsigned)(s & 63);
    return o ? (hi[w] >> o) | (hi[w + 1] << (64 - o)) : hi[w];
}

/* The rest of the gate (step 3) at window index j, after the bitmap said
 * every pulse pair has a sample above the floor. */
static int gate_quiet_ok(const struct modes_demod *d, size_t j)
{
    const uint16_t *m = d->mag + j;
    /* Quick reject with the second pulse alone (>= the weakest): inside the
     * data of a reply most starts fail here, before the other pulses are
     * even read. */
    unsigned g = d->gate_pulse[1];
    uint32_t p1 = MAX2(m[g], m[g + 1]);
    if (p1 * 10 <= (uint32_t)m[d->gate_quiet[0]] * QMAX_Q10 ||
        p1 * 10 <= (uint32_t)m[d->gate_quiet[d->n_quiet - 1]] * QMAX_Q10)
        return 0;
    uint32_t pmin = p1;
    for (int k = 0; k < 4; k += k == 0 ? 2 : 1) {
        g = d->gate_pulse[k];
        uint32_t v = MAX2(m[g], m[g + 1]);
        pmin = MIN2(pmin, v);
    }
    /* The weakest pulse must stand above the quiet samples: above
     * QMAX_Q10 / 10 x each of them (tested one by one: inside the data of
     * a reply, where PPM never leaves 2 us without a pulse, the first loud
     * one ends it) and above QMEAN_Q10 / 10 x their mean. */
    uint32_t qsum = 0;
    for (unsigned k = 0; k < d->n_quiet; k++) {
        uint32_t v = m[d->gate_quiet[k]];
        if (pmin * 10 <= v * QMAX_Q10)
            return 0;
        qsum += v;
    }
    return pmin * 10 * d->n_quiet > qsum * QMEAN_Q10;
}

/* Examine candidate starts [scan_pos, base + limit) of the window. */
static size_t run_round(struct modes_demod *d, size_t limit, modes_addr_known_fn known,
                        modes_demod_frame_fn cb, void *arg)
{
    size_t n = d->n_mag;
    size_t emitted = 0;
    d->noise = window_noise(d, n);
    const uint32_t thr = d->noise * GATE_FLOOR_Q4 / 4;
    /* Step 3a: one bit per sample, set when the sample is above the floor;
     * then 64 candidate starts at a time, a start surviving when each of
     * its four pulse pairs has a bit set. No branch per sample. */
    size_t nw = (n + 63) / 64;
    size_t w = 0;
#ifdef __SSE2__
    /* 16 samples per step: saturating subtract leaves non-zero exactly
     * where a sample exceeds the floor. */
    const __m128i vthr = _mm_set1_epi16((short)(thr > 65535 ? 65535 : thr));
    const __m128i zero = _mm_setzero_si128();
    for (; w < n / 64; w++) {
        uint64_t b = 0;
        for (unsigned k = 0; k < 64; k += 16) {
            const __m128i *p = (const __m128i *)(const void *)(d->mag + w * 64 + k);
            __m128i a = _mm_cmpeq_epi16(_mm_subs_epu16(_mm_loadu_si128(p), vthr), zero);
            __m128i c = _mm_cmpeq_epi16(_mm_subs_epu16(_mm_loadu_si128(p + 1), vthr), zero);
            uint32_t low = (uint32_t)_mm_movemask_epi8(_mm_packs_epi16(a, c));
            b |= (uint64_t)(~low & 0xFFFFu) << k;
        }
        d->hi[w] = b;
    }
#endif
    for (; w < nw; w++) {
        uint64_t b = 0;
        const uint16_t *p = d->mag + w * 64;
        size_t cnt = n - w * 64 < 64 ? n - w * 64 : 64;
        for (size_t k = 0; k < cnt; k++)
            b |= (uint64_t)(p[k] > thr) << k;
        d->hi[w] = b;
    }
    d->hi[nw] = 0;
    d->hi[nw + 1] = 0;
    const unsigned g0 = d->gate_pulse[0], g1 = d->gate_pulse[1], g2 = d->gate_pulse[2],
                   g3 = d->gate_pulse[3];
    size_t next = d->scan_pos > d->base ? (size_t)(d->scan_pos - d->base) : 0;
    for (size_t j0 = next & ~(size_t)63; j0 < limit; j0 += 64) {
        if (next >= j0 + 64) /* inside a reply found in an earlier word */
            continue;
        uint64_t cand = (bits_at(d->hi, j0 + g0) | bits_at(d->hi, j0 + g0 + 1)) &
                        (bits_at(d->hi, j0 + g1) | bits_at(d->hi, j0 + g1 + 1)) &
                        (bits_at(d->hi, j0 + g2) | bits_at(d->hi, j0 + g2 + 1)) &
                        (bits_at(d->hi, j0 + g3) | bits_at(d->hi, j0 + g3 + 1));
        if (limit - j0 < 64)
            cand &= ((uint64_t)1 << (limit - j0)) - 1;
        if (next > j0)
            cand &= ~(uint64_t)0 << (next - j0);
        while (cand) {
            size_t j = j0 + (size_t)__builtin_ctzll(cand);
            cand &= cand - 1;
            if (j < next || !gate_quiet_ok(d, j))
                continue;
            struct cand c;
            if (!try_candidate(d, j, known, arg, &c))
                continue;
            deliver(d, j, &c, cb, arg);
            emitted++;
            /* Step 5: resume after the reply's last chip. */
            next = j + d->boff[c.phase][PREAMBLE_CHIPS + 16u * (unsigned)c.len];
        }
    }
    if (next < limit)
        next = limit;
    if (d->base + next > d->scan_pos)
        d->scan_pos = d->base + next;
    return emitted;
}

/* Drop all but the last MODES_DEMOD_OVERLAP samples of the window. */
static void shift_window(struct modes_demod *d)
{
    size_t drop = d->n_mag - MODES_DEMOD_OVERLAP;
    memmove(d->mag, d->mag + drop, MODES_DEMOD_OVERLAP * sizeof d->mag[0]);
    memmove(d->cum, d->cum + drop, (MODES_DEMOD_OVERLAP + 1) * sizeof d->cum[0]);
    d->base += drop;
    d->n_mag = MODES_DEMOD_OVERLAP;
}

/* Examine the full window and keep its last MODES_DEMOD_OVERLAP samples. */
static size_t run_window(struct modes_demod *d, modes_addr_known_fn known, modes_demod_frame_fn cb,
                         void *arg)
{
    size_t emitted = run_round(d, d->n_mag - MODES_DEMOD_OVERLAP, known, cb, arg);
    shift_window(d);
    return emitted;
}

static inline uint16_t sample_mag(const struct modes_demod *d, const uint8_t *s)
{
    if (d->fmt == MODES_DEMOD_UC8)
        return d->mag_tab[tab_index(s[0], s[1])];
    /* SC16: keep the top 8 bits of each component, rounded: RTL-SDR data
     * carried as SC16 loses nothing, 12-bit sources keep 48 dB of range. */
    int32_t i = (int16_t)(s[0] | s[1] << 8), q = (int16_t)(s[2] | s[3] << 8);
    i = (i + 128) >> 8;
    q = (q + 128) >> 8;
    if (i > 127)
        i = 127;
    if (q > 127)
        q = 127;
    return d->mag_tab[tab_index((uint32_t)(i + 128), (uint32_t)(q + 128))];
}

/* Append one magnitude and its prefix sum. */
static inline void push_mag(struct modes_demod *d, uint16_t v)
{
    d->mag[d->n_mag] = v;
    d->cum[d->n_mag + 1] = d->cum[d->n_mag] + d->weight * v;
    d->n_mag++;
}

size_t modes_demod_feed(struct modes_demod *d, const uint8_t *iq, size_t len,
                        modes_addr_known_fn known, modes_demod_frame_fn cb, void *arg)
{
    const size_t ss = d->fmt == MODES_DEMOD_UC8 ? 2 : 4; /* bytes per complex sample */
    const size_t cap = MODES_DEMOD_WINDOW + MODES_DEMOD_OVERLAP;
    size_t emitted = 0;
    /* Complete a sample split across calls. */
    while (d->n_pend > 0 && len > 0) {
        d->pend[d->n_pend++] = *iq++;
        len--;
        if (d->n_pend == ss) {
            push_mag(d, sample_mag(d, d->pend));
            d->st.samples++;
            d->n_pend = 0;
            if (d->n_mag == cap)
                emitted += run_window(d, known, cb, arg);
        }
    }
    while (len >= ss) {
        size_t room = cap - d->n_mag;
        size_t n = len / ss < room ? len / ss : room;
        uint16_t *out = d->mag + d->n_mag;
        uint32_t *cum = d->cum + d->n_mag + 1;
        uint32_t c = d->cum[d->n_mag];
        const uint32_t w = d->weight;
        /* Magnitudes and their running sum in one pass (step 1). */
        if (d->fmt == MODES_DEMOD_UC8) {
            for (size_t i = 0; i < n; i++) {
                uint16_t pair; /* the (I, Q) bytes as one table index */
                memcpy(&pair, iq + 2 * i, sizeof pair);
                uint16_t v = d->mag_tab[pair];
                out[i] = v;
                c += w * v;
                cum[i] = c;
            }
        } else {
            for (size_t i = 0; i < n; i++) {
                uint16_t v = sample_mag(d, iq + 4 * i);
                out[i] = v;
                c += w * v;
                cum[i] = c;
            }
        }
        d->n_mag += n;
        d->st.samples += n;
        iq += n * ss;
        len -= n * ss;
        if (d->n_mag == cap)
            emitted += run_window(d, known, cb, arg);
    }
    while (len > 0) {
        d->pend[d->n_pend++] = *iq++;
        len--;
    }
    return emitted;
}

size_t modes_demod_flush(struct modes_demod *d, modes_addr_known_fn known, modes_demod_frame_fn cb,
                         void *arg)
{
    const size_t cap = MODES_DEMOD_WINDOW + MODES_DEMOD_OVERLAP;
    size_t emitted = 0;
    d->n_pend = 0; /* a partial sample at the end of the stream is dropped */
    for (size_t i = 0; i < MODES_DEMOD_OVERLAP; i++) {
        push_mag(d, 0);
        if (d->n_mag == cap)
            emitted += run_window(d, known, cb, arg);
    }
    /* Examine what is left up to the overlap, without waiting for a full
     * window: the positions beyond it see only the appended silence. */
    if (d->n_mag > MODES_DEMOD_OVERLAP) {
        emitted += run_round(d, d->n_mag - MODES_DEMOD_OVERLAP, known, cb, arg);
        shift_window(d);
    }
    return emitted;
}
