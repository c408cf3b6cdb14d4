/*
 * fuzz_demod.c — libFuzzer target for the demodulator (decode/modes/demod.h).
 *
 * The input is IQ samples: as UC8 at 2.0 and at 2.4 MS/s and as SC16 at
 * 2.4 MS/s, fed in two parts split at a point taken from the input, for one
 * of the three (picked by the input) repeated until more than two windows
 * of samples went through (so window shifts and the overlap are
 * exercised), then flushed. Every fifth address
 * counts as known, so the Address/Parity, DF11 IID and single-bit-fix paths
 * run too. Any crash, sanitizer report or out-of-bounds read is a bug;
 * frames must have a valid length.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "decode/modes/demod.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fuzz_known(void *arg, uint32_t icao, double t_s)
{
    (void)arg;
    (void)t_s;
    return icao % 5 == 0;
}

static void fuzz_frame(const struct modes_frame *f, void *arg)
{
    (void)arg;
    if (f->len != MODES_SHORT_LEN && f->len != MODES_LONG_LEN)
        abort();
    if (f->corrected > 1)
        abort();
}

/* Enough bytes to fill the window twice even as UC8. */
#define FUZZ_MIN_FEED (2u * 2u * (MODES_DEMOD_WINDOW + MODES_DEMOD_OVERLAP))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The demodulators and their tables are built once: init is costly. */
    static struct modes_demod *d[3];
    static const double rate[3] = {2.0e6, 2.4e6, 2.4e6};
    static const enum modes_demod_fmt fmt[3] = {MODES_DEMOD_UC8, MODES_DEMOD_UC8, MODES_DEMOD_SC16};
    for (int k = 0; k < 3; k++) {
        if (!d[k]) {
            d[k] = malloc(sizeof *d[k]);
            if (!d[k] || modes_demod_init(d[k], rate[k], fmt[k], 1) != 0)
                abort();
        }
        modes_demod_reset(d[k]);
        size_t split = size ? data[0] % (size + 1) : 0;
        modes_demod_feed(d[k], data, split, fuzz_known, fuzz_frame, NULL);
        modes_demod_feed(d[k], data + split, size - split, fuzz_known, fuzz_frame, NULL);
        /* one configuration per input, chosen by the input, also gets the
         * repetition (it costs most of the run time) */
        int repeat = size > 0 && k == (data[0] >> 1) % 3;
        for (size_t fed = size; repeat && fed < FUZZ_MIN_FEED; fed += size)
            modes_demod_feed(d[k], data, size, fuzz_known, fuzz_frame, NULL);
        modes_demod_flush(d[k], fuzz_known, fuzz_frame, NULL);
        if (d[k]->st.frames > d[k]->st.samples)
            abort();
    }
    return 0;
}
