/*
 * demod.c — the 1090 MHz demodulator (see demod.h for the signal, the key
 * idea and the acceptance rules; docs/demod.md for measurements).
 *
 * The steps for each round over the window of magnitudes:
 *   1. prefix sums cum[] of the magnitudes (scaled by `weight`, so the
 *      fractional chip ends stay integers);
 *   2. a noise floor: the lower-eighth quantile of the mean magnitude of 64
 *      slices of the window (a quiet stretch of 0.2 ms exists in almost any
 *      real window; the quantile ignores slices full of replies);
 *   3. for every start position, a cheap gate on single samples (every
 *      preamble pulse above the floor and above the quiet samples), then,
 *      for each sub-sample phase, the chip integrals of the 16 preamble
 *      chips: the four pulse chips must stand clearly above the twelve quiet
 *      ones;
 *   4. for each phase that passed, slice the bits, apply the CRC rules, and
 *      keep the best decode (no correction beats a corrected one, then the
 *      larger sum of |chip1 - chip0| margins);
 *   5. deliver it and resume scanning after its end, so the same reply is
 *      never reported twice from neighbouring offsets or phases.
 *
 * References: ICAO Annex 10 Vol IV 3.1.2.1 (pulse shapes, 0.5 us chips),
 * 3.1.2.2 (the preamble), 3.1.2.3.3 (parity); the CRC and single-bit
 * correction are modes.h's.
 */
#include "decode/modes/demod.h"

#include <string.h>

#include "base/error.h"
#include "decode/modes/modes.h"

/* Chips of the preamble that carry a pulse: 0-0.5, 1.0-1.5, 3.5-4.0 and
 * 4.5-5.0 us (Annex 10 Vol IV 3.1.2.2), in 0.5 us chips. */
static const uint8_t preamble_pulse_chip[4] = {0, 2, 7, 9};
#define PREAMBLE_CHIPS 16 /* 8 us of preamble before the first data bit */

/* Magnitude scale: full-scale 8-bit amplitude (about 181 for a corner of
 * the IQ square) times 360 stays below 65535. */
#define MAG_SCALE 360u

/* The pulse chips must average more than this many times the quiet chips'
 * mean (in 1/4 units: 6/4 = 1.5, 3.5 dB, as low as the dump1090 family
 * goes): 2.0 already loses replies of the dump1090_rs recordings. */
#ifndef PREAMBLE_SNR_Q4
#define PREAMBLE_SNR_Q4 6u
#endif
/* Gate on single samples: each pulse sample above the floor by this factor
 * (in 1/4 units: 6/4 = 1.5; Rayleigh noise exceeds 1.5x its mean 17% of the
 * time, so four such tests pass pure noise well under 0.1% of the time). */
#ifndef GATE_FLOOR_Q4
#define GATE_FLOOR_Q4 6u
#endif

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
     * preamble; keep the first four found after the second pulse. */
    int nq = 0;
    for (uint32_t s = 0; s < 20 && nq < 4; s++) {
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
    while (nq < 4) /* cannot happen at 2.0/2.4 MS/s; keep the array full */
        d->gate_quiet[nq++] = d->gate_quiet[0];
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
        d->weight = 4;
        chip_w = 4;
    } else if (rate_hz > 2.399e6 && rate_hz < 2.401e6) {
        /* 1.2 samples per chip = 6/5; fifth-sample phases make every chip
         * boundary land on a multiple of 1/5 sample. */
        d->weight = 5;
        chip_w = 6;
    } else {
        return CAIRN_E_INVAL;
    }
    d->rate_hz = rate_hz;
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
    /* Magnitude tables. UC8: zero at 127.4 (the RTL-SDR's ADC midpoint), in
     * tenths to keep integers. SC16: reduced to its top 8 bits by the
     * caller of the table (see convert()), zero at 0. */
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
            d->mag_tab[i | q << 8] = (uint16_t)(m > 65535 ? 65535 : m);
        }
    return 0;
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
static int accept(struct modes_demod *d, uint8_t *msg, int len, double t_s,
                  modes_addr_known_fn known, void *arg)
{
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
 * bit margins |chip1 - chip0|. */
static uint64_t slice_bits(const struct modes_demod *d, size_t j, unsigned p, uint8_t *msg,
                           int from, int nbits)
{
    uint64_t margin = 0;
    unsigned k = PREAMBLE_CHIPS + 2u * (unsigned)from;
    uint32_t s0 = BOUND(d, j, p, k);
    for (int i = from; i < from + nbits; i++, k += 2) {
        uint32_t s1 = BOUND(d, j, p, k + 1);
        uint32_t s2 = BOUND(d, j, p, k + 2);
        int32_t e1 = (int32_t)(s1 - s0), e0 = (int32_t)(s2 - s1);
        if (e1 > e0) {
            msg[i >> 3] |= (uint8_t)(0x80u >> (i & 7));
            margin += (uint32_t)(e1 - e0);
        } else {
            margin += (uint32_t)(e0 - e1);
        }
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
    /* mean pulse > SNR x mean quiet: pulse/4 > snr/4 * quiet/12 */
    if ((uint64_t)pulse * 12 * 4 <= (uint64_t)quiet * 4 * PREAMBLE_SNR_Q4)
        return 0;
    /* every pulse above the mean quiet chip */
    if ((uint64_t)pmin * 12 <= quiet)
        return 0;
    return pulse - quiet / 3;
}

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
    double t_s = (double)(d->base + j) / d->rate_hz;
    for (unsigned p = 0; p < d->n_phase; p++)
        score[p] = preamble_score(d, j, p);
    for (;;) {
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
        c.margin = slice_bits(d, j, p, c.msg, 0, 8);
        c.len = df_bytes(msg_df(c.msg));
        if (c.len == 0)
            continue;
        c.margin += slice_bits(d, j, p, c.msg, 8, c.len * 8 - 8);
        c.corrected = accept(d, c.msg, c.len, t_s, known, arg);
        if (c.corrected < 0)
            continue;
        if (!found || c.corrected < best->corrected ||
            (c.corrected == best->corrected && c.margin > best->margin)) {
            *best = c;
            found = 1;
        }
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
    uint32_t span_w = (uint32_t)(d->boff[0][PREAMBLE_CHIPS + 1] * d->weight +
                                 d->bfrac[0][PREAMBLE_CHIPS + 1]) -
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

#define MAX2(a, b) ((a) > (b) ? (a) : (b))
#define MIN2(a, b) ((a) < (b) ? (a) : (b))

/* Examine candidate starts [scan_pos, base + limit) of the window. */
static size_t run_round(struct modes_demod *d, size_t limit, modes_addr_known_fn known,
                        modes_demod_frame_fn cb, void *arg)
{
    size_t n = d->n_mag;
    size_t emitted = 0;
    uint32_t w = d->weight;
    d->cum[0] = 0;
    for (size_t i = 0; i < n; i++)
        d->cum[i + 1] = d->cum[i] + w * d->mag[i];
    d->noise = window_noise(d, n);
    uint32_t thr = d->noise * GATE_FLOOR_Q4 / 4;
    const uint16_t *m = d->mag;
    const unsigned g0 = d->gate_pulse[0], g1 = d->gate_pulse[1], g2 = d->gate_pulse[2],
                   g3 = d->gate_pulse[3];
    const unsigned q0 = d->gate_quiet[0], q1 = d->gate_quiet[1], q2 = d->gate_quiet[2],
                   q3 = d->gate_quiet[3];
    size_t j = d->scan_pos > d->base ? (size_t)(d->scan_pos - d->base) : 0;
    for (; j < limit; j++) {
        /* Step 3, gate: cheapest tests first; most noise fails the first. */
        uint32_t p1 = MAX2(m[j + g1], m[j + g1 + 1]);
        if (p1 <= thr)
            continue;
        uint32_t p0 = MAX2(m[j + g0], m[j + g0 + 1]);
        uint32_t p2 = MAX2(m[j + g2], m[j + g2 + 1]);
        uint32_t p3 = MAX2(m[j + g3], m[j + g3 + 1]);
        uint32_t pmin = MIN2(MIN2(p0, p1), MIN2(p2, p3));
        if (pmin <= thr)
            continue;
        /* weakest pulse sample above the mean of the quiet samples */
        if (pmin * 4 <= (uint32_t)m[j + q0] + m[j + q1] + m[j + q2] + m[j + q3])
            continue;
        struct cand c;
        if (!try_candidate(d, j, known, arg, &c))
            continue;
        deliver(d, j, &c, cb, arg);
        emitted++;
        /* Step 5: resume after the reply's last chip. */
        j += d->boff[c.phase][PREAMBLE_CHIPS + 16u * (unsigned)c.len] - 1;
    }
    if (d->base + j > d->scan_pos)
        d->scan_pos = d->base + j;
    return emitted;
}

/* Examine the full window and keep its last MODES_DEMOD_OVERLAP samples. */
static size_t run_window(struct modes_demod *d, modes_addr_known_fn known, modes_demod_frame_fn cb,
                         void *arg)
{
    size_t limit = d->n_mag - MODES_DEMOD_OVERLAP;
    size_t emitted = run_round(d, limit, known, cb, arg);
    memmove(d->mag, d->mag + limit, MODES_DEMOD_OVERLAP * sizeof d->mag[0]);
    d->base += limit;
    d->n_mag = MODES_DEMOD_OVERLAP;
    return emitted;
}

static inline uint16_t sample_mag(const struct modes_demod *d, const uint8_t *s)
{
    if (d->fmt == MODES_DEMOD_UC8)
        return d->mag_tab[s[0] | s[1] << 8];
    /* SC16: keep the top 8 bits of each component, rounded: RTL-SDR data
     * carried as SC16 loses nothing, 12-bit sources keep 48 dB of range. */
    int32_t i = (int16_t)(s[0] | s[1] << 8), q = (int16_t)(s[2] | s[3] << 8);
    i = (i + 128) >> 8;
    q = (q + 128) >> 8;
    if (i > 127)
        i = 127;
    if (q > 127)
        q = 127;
    return d->mag_tab[(uint32_t)(i + 128) | (uint32_t)(q + 128) << 8];
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
            d->mag[d->n_mag++] = sample_mag(d, d->pend);
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
        if (d->fmt == MODES_DEMOD_UC8) {
            for (size_t i = 0; i < n; i++)
                out[i] = d->mag_tab[iq[2 * i] | iq[2 * i + 1] << 8];
        } else {
            for (size_t i = 0; i < n; i++)
                out[i] = sample_mag(d, iq + 4 * i);
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

size_t modes_demod_flush(struct modes_demod *d, modes_addr_known_fn known,
                         modes_demod_frame_fn cb, void *arg)
{
    const size_t cap = MODES_DEMOD_WINDOW + MODES_DEMOD_OVERLAP;
    size_t emitted = 0;
    size_t silence = MODES_DEMOD_OVERLAP;
    d->n_pend = 0; /* a partial sample at the end of the stream is dropped */
    while (silence > 0) {
        size_t room = cap - d->n_mag;
        size_t n = silence < room ? silence : room;
        memset(d->mag + d->n_mag, 0, n * sizeof d->mag[0]);
        d->n_mag += n;
        silence -= n;
        if (d->n_mag == cap)
            emitted += run_window(d, known, cb, arg);
    }
    /* Examine what is left up to the overlap, without waiting for a full
     * window: the positions beyond it see only the appended silence. */
    if (d->n_mag > MODES_DEMOD_OVERLAP) {
        size_t limit = d->n_mag - MODES_DEMOD_OVERLAP;
        emitted += run_round(d, limit, known, cb, arg);
        memmove(d->mag, d->mag + limit, MODES_DEMOD_OVERLAP * sizeof d->mag[0]);
        d->base += limit;
        d->n_mag = MODES_DEMOD_OVERLAP;
    }
    return emitted;
}
