/*
 * test_demod.c — unit tests for the demodulator (decode/modes/demod.h) and
 * the IQ file / RTL-SDR feeds (feed/iq.h, feed/rtlsdr.h), on synthetic IQ
 * (synth.h): known replies modulated with noise and random sub-sample start
 * times at 2.0 and 2.4 MS/s, in UC8 and SC16, must come back exactly, in
 * order, at their times; any split of the input gives the same frames; the
 * CRC rules (Address/Parity, DF11 IID, single-bit fix) hold.
 *
 * The seed is printed; set CAIRN_TEST_SEED=N to replay a run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testdata.h"
#include <math.h>
#include <rtl-sdr.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/error.h"
#include "decode/modes/demod.h"
#include "decode/modes/modes.h"
#include "feed/iq.h"
#include "feed/rtlsdr.h"
#include "synth.h"

#define MAX_FRAMES 512

static uint64_t seed;

struct collect {
    struct modes_frame f[MAX_FRAMES];
    size_t n;
    uint32_t known[8]; /* addresses the "caller" knows */
    size_t n_known;
};

static void on_frame(const struct modes_frame *f, void *arg)
{
    struct collect *c = arg;
    if (c->n < MAX_FRAMES)
        c->f[c->n++] = *f;
}

static int is_known(void *arg, uint32_t icao, double t_s)
{
    struct collect *c = arg;
    (void)t_s;
    for (size_t i = 0; i < c->n_known; i++)
        if (c->known[i] == icao)
            return 1;
    return 0;
}

static struct modes_demod *new_demod(double rate, int fmt, int fix)
{
    struct modes_demod *d = malloc(sizeof *d);
    assert_non_null(d);
    assert_int_equal(modes_demod_init(d, rate, (enum modes_demod_fmt)fmt, fix), 0);
    return d;
}

/* Demodulate buf whole (one feed call) and flush. */
static void run_whole(struct modes_demod *d, const uint8_t *buf, size_t len, struct collect *c)
{
    modes_demod_feed(d, buf, len, is_known, on_frame, c);
    modes_demod_flush(d, is_known, on_frame, c);
}

/* n DF17 replies from distinct addresses, spaced 130-400 us apart (so they
 * never overlap: a long reply lasts 120 us) from first_us on. */
static size_t make_msgs(struct synth_rng *r, struct synth_msg *m, size_t n, double first_us,
                        double amp)
{
    double t = first_us;
    for (size_t k = 0; k < n; k++) {
        synth_df17(r, 0x400000u + (uint32_t)k * 0x111u, m[k].data);
        m[k].len = 14;
        m[k].start_us = t + synth_uniform(r); /* any sub-sample phase */
        m[k].amp = amp;
        t += 130.0 + 270.0 * synth_uniform(r);
    }
    return n;
}

/* The frames must be a subsequence of the sent replies (nothing false,
 * nothing twice, in order, each at its time to within one sample) holding
 * at least min_found of them. */
static void check_msgs(const struct collect *c, const struct synth_msg *m, size_t n, double rate,
                       size_t min_found)
{
    size_t k = 0;
    for (size_t i = 0; i < c->n; i++) {
        while (k < n && (c->f[i].len != m[k].len || memcmp(c->f[i].data, m[k].data, m[k].len)))
            k++;
        if (k == n) {
            print_message("frame %zu is not a reply that was sent (or is out of order)\n", i);
            fail();
        }
        assert_int_equal(c->f[i].corrected, 0);
        assert_int_equal(c->f[i].kind, FRAME_MODES);
        double err_s = fabs(c->f[i].t_s - m[k].start_us * 1e-6);
        if (err_s > 1.0 / rate) {
            print_message("reply %zu: t_s %.9f, sent at %.9f\n", k, c->f[i].t_s,
                          m[k].start_us * 1e-6);
            fail();
        }
        assert_true(c->f[i].signal > 0);
        k++;
    }
    if (c->n < min_found)
        print_message("found %zu of %zu replies, want at least %zu\n", c->n, n, min_found);
    assert_true(c->n >= min_found);
}

static void check_same_msgs(const struct collect *c, const struct synth_msg *m, size_t n,
                            double rate)
{
    check_msgs(c, m, n, rate, n);
}

/* Round trip at both rates and both formats, moderate noise. */
static void test_roundtrip(void **state)
{
    (void)state;
    static const double rates[2] = {2.0e6, 2.4e6};
    for (int ri = 0; ri < 2; ri++)
        for (int fmt = 0; fmt < 2; fmt++) {
            struct synth_rng r = {seed + (uint64_t)(ri * 2 + fmt)};
            struct synth_msg m[40];
            size_t n = make_msgs(&r, m, 40, 50.0, ri == 0 ? 50.0 : 40.0);
            size_t ns = (size_t)((m[n - 1].start_us + 200.0) * rates[ri] / 1e6);
            size_t ss = fmt ? 4 : 2;
            uint8_t *buf = malloc(ns * ss);
            assert_non_null(buf);
            synth_iq(&r, rates[ri], fmt, m, n, 3.0, buf, ns);
            struct modes_demod *d = new_demod(rates[ri], fmt, 1);
            struct collect *c = calloc(1, sizeof *c);
            run_whole(d, buf, ns * ss, c);
            print_message("rate %.1f MS/s %s: %zu of %zu replies\n", rates[ri] / 1e6,
                          fmt ? "sc16" : "uc8", c->n, n);
            /* 2.4 MS/s: every one. 2.0 MS/s: replies starting half a sample
             * off the grid lose most of their margin to the neighbouring
             * chips (docs/demod.md); 95% of them come back at this SNR. */
            check_msgs(c, m, n, rates[ri], ri == 1 ? n : n * 85 / 100);
            assert_int_equal(d->st.samples, ns);
            assert_int_equal(d->st.frames, c->n);
            free(c);
            free(d);
            free(buf);
        }
}

/* Feeding in blocks of random sizes (odd ones too, splitting samples) gives
 * exactly the frames of one call. */
static void test_random_splits(void **state)
{
    (void)state;
    for (int fmt = 0; fmt < 2; fmt++) {
        struct synth_rng r = {seed ^ 0x5151u ^ (uint64_t)fmt};
        struct synth_msg m[60];
        /* 60 replies over ~16 ms at 2.4 MS/s: crosses the window boundary
         * (32768 samples) at least once */
        size_t n = make_msgs(&r, m, 60, 10.0, 40.0);
        size_t ns = (size_t)((m[n - 1].start_us + 200.0) * 2.4);
        size_t ss = fmt ? 4 : 2;
        uint8_t *buf = malloc(ns * ss);
        synth_iq(&r, 2.4e6, fmt, m, n, 3.0, buf, ns);
        struct modes_demod *d = new_demod(2.4e6, fmt, 1);
        struct collect *whole = calloc(1, sizeof *whole), *split = calloc(1, sizeof *split);
        run_whole(d, buf, ns * ss, whole);
        check_msgs(whole, m, n, 2.4e6, n * 95 / 100);
        for (int round = 0; round < 3; round++) {
            assert_int_equal(modes_demod_init(d, 2.4e6, (enum modes_demod_fmt)fmt, 1), 0);
            split->n = 0;
            size_t off = 0;
            while (off < ns * ss) {
                /* round 0: 1..7 bytes, round 1: up to 5000, round 2: up to 200000 */
                size_t cap = round == 0 ? 7 : round == 1 ? 5000 : 200000;
                size_t k = 1 + (size_t)(synth_next(&r) % cap);
                if (k > ns * ss - off)
                    k = ns * ss - off;
                modes_demod_feed(d, buf + off, k, is_known, on_frame, split);
                off += k;
            }
            modes_demod_flush(d, is_known, on_frame, split);
            assert_int_equal(split->n, whole->n);
            for (size_t i = 0; i < whole->n; i++) {
                assert_memory_equal(split->f[i].data, whole->f[i].data, 14);
                assert_true(split->f[i].t_s == whole->f[i].t_s);
                assert_int_equal(split->f[i].signal, whole->f[i].signal);
            }
        }
        free(whole);
        free(split);
        free(d);
        free(buf);
    }
}

/* A reply at every offset around the first window boundary is found once. */
static void test_window_boundary(void **state)
{
    (void)state;
    struct synth_rng r = {seed ^ 0xb0u};
    const double rate = 2.4e6;
    size_t ns = MODES_DEMOD_WINDOW + 4000;
    uint8_t *buf = malloc(ns * 2);
    struct modes_demod *d = new_demod(rate, 0, 1);
    struct collect *c = calloc(1, sizeof *c);
    for (int off = -400; off <= 100; off += 7) {
        struct synth_msg m;
        synth_df17(&r, 0xabcdefu, m.data);
        m.len = 14;
        m.start_us = ((double)(MODES_DEMOD_WINDOW + off) + synth_uniform(&r)) / rate * 1e6;
        m.amp = 40.0;
        synth_iq(&r, rate, 0, &m, 1, 3.0, buf, ns);
        assert_int_equal(modes_demod_init(d, rate, MODES_DEMOD_UC8, 1), 0);
        c->n = 0;
        run_whole(d, buf, ns * 2, c);
        if (c->n != 1)
            print_message("reply at window offset %d: %zu frames\n", off, c->n);
        check_same_msgs(c, &m, 1, rate);
    }
    free(c);
    free(d);
    free(buf);
}

/* A reply that ends just before the last sample is found by the flush. */
static void test_flush_tail(void **state)
{
    (void)state;
    struct synth_rng r = {seed ^ 0xf1u};
    struct synth_msg m;
    synth_df17(&r, 0x123456u, m.data);
    m.len = 14;
    m.start_us = 1000.0 + synth_uniform(&r);
    m.amp = 40.0;
    size_t ns = (size_t)((m.start_us + 120.5) * 2.4);
    uint8_t *buf = malloc(ns * 2);
    synth_iq(&r, 2.4e6, 0, &m, 1, 3.0, buf, ns);
    struct modes_demod *d = new_demod(2.4e6, 0, 1);
    struct collect *c = calloc(1, sizeof *c);
    modes_demod_feed(d, buf, ns * 2, is_known, on_frame, c);
    assert_int_equal(c->n, 0); /* still held: the window is not full */
    assert_int_equal(modes_demod_flush(d, is_known, on_frame, c), 1);
    check_same_msgs(c, &m, 1, 2.4e6);
    free(c);
    free(d);
    free(buf);
}

/* Pure noise gives no reply — on this noise. The CRC lets a random long
 * reply through with probability 2^-24 per candidate it checks (about 150
 * per 0.44 s of noise here), so over many seeds a CRC-clean DF17/18/19
 * does come out of noise now and then (seed 1796425698 of the run seed
 * gave one: 9f62d3...): a real receiver's false decodes. The noise is
 * therefore fixed, not the run's random seed: the test checks that the
 * preamble and margin gates keep noise from reaching the CRC in bulk and
 * that nothing this noise makes passes, the same on every run. */
static void test_noise_only(void **state)
{
    (void)state;
    struct synth_rng r = {UINT64_C(0x5EED0009)};
    size_t ns = 1u << 20; /* 0.44 s at 2.4 MS/s */
    uint8_t *buf = malloc(ns * 2);
    synth_iq(&r, 2.4e6, 0, NULL, 0, 5.0, buf, ns);
    struct modes_demod *d = new_demod(2.4e6, 0, 1);
    struct collect *c = calloc(1, sizeof *c);
    run_whole(d, buf, ns * 2, c);
    print_message("noise: %llu preambles, %llu frames, %llu bad CRC, %llu unknown addresses\n",
                  (unsigned long long)d->st.preambles, (unsigned long long)d->st.frames,
                  (unsigned long long)d->st.bad_crc, (unsigned long long)d->st.unknown_addr);
    for (size_t i = 0; i < c->n; i++) {
        print_message("  frame from noise:");
        for (unsigned k = 0; k < c->f[i].len; k++)
            print_message(" %02x", c->f[i].data[k]);
        print_message(" (len %u, corrected %d)\n", (unsigned)c->f[i].len, (int)c->f[i].corrected);
    }
    assert_int_equal(c->n, 0);
    /* the gates: most preambles of noise never reach a CRC check */
    assert_true(d->st.bad_crc * 4 < d->st.preambles);
    free(c);
    free(d);
    free(buf);
}

/* One reply of the given bytes, demodulated with the given known list:
 * at a random sub-sample start and carrier phase, without noise. These
 * cases test which frames are accepted (address parity, interrogator
 * codes, bit fixes), not the bit error rate under noise (test_roundtrip
 * does that): with noise of 3 units a bit of a DF11's II field was now
 * and then read wrong at the worst phases (seeds 1796453756, 1796453850,
 * 1796453855 of 360), which gives another, equally valid interrogator
 * code that the overlaid parity cannot detect. */
static struct collect *demod_one(const uint8_t *msg, size_t len, const uint32_t *known,
                                 size_t n_known, int fix, struct modes_demod_stats *st)
{
    struct synth_rng r = {seed ^ 0x77u};
    struct synth_msg m;
    memcpy(m.data, msg, len);
    m.len = len;
    m.start_us = 100.0 + synth_uniform(&r);
    m.amp = 40.0;
    size_t ns = 2000;
    uint8_t *buf = malloc(ns * 2);
    synth_iq(&r, 2.4e6, 0, &m, 1, 0.0, buf, ns);
    struct modes_demod *d = new_demod(2.4e6, 0, fix);
    struct collect *c = calloc(1, sizeof *c);
    if (n_known)
        memcpy(c->known, known, n_known * sizeof *known);
    c->n_known = n_known;
    run_whole(d, buf, ns * 2, c);
    *st = d->st;
    free(d);
    free(buf);
    return c;
}

/* DF4/DF20: accepted only when the address in the parity is known. */
static void test_address_parity(void **state)
{
    (void)state;
    const uint32_t addr = 0x4d2023u;
    uint8_t df4[7] = {0x20, 0x00, 0x0d, 0x33};
    synth_set_parity(df4, 7, addr);
    uint8_t df20[14] = {0xa0, 0x00, 0x17, 0x18, 0x20, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66};
    synth_set_parity(df20, 14, addr);
    struct modes_demod_stats st;
    struct collect *c = demod_one(df4, 7, &addr, 1, 1, &st);
    assert_int_equal(c->n, 1);
    assert_memory_equal(c->f[0].data, df4, 7);
    assert_int_equal(c->f[0].len, 7);
    free(c);
    c = demod_one(df4, 7, NULL, 0, 1, &st);
    assert_int_equal(c->n, 0);
    assert_true(st.unknown_addr >= 1);
    free(c);
    c = demod_one(df20, 14, &addr, 1, 1, &st);
    assert_int_equal(c->n, 1);
    assert_memory_equal(c->f[0].data, df20, 14);
    free(c);
}

/* DF11 with an interrogator code in the parity: only from a known address. */
static void test_df11_iid(void **state)
{
    (void)state;
    const uint32_t addr = 0x4d2023u;
    uint8_t df11[7] = {0x5d, 0x4d, 0x20, 0x23};
    synth_set_parity(df11, 7, 0x15); /* II/SI code 0x15 */
    struct modes_demod_stats st;
    struct collect *c = demod_one(df11, 7, &addr, 1, 1, &st);
    assert_int_equal(c->n, 1);
    assert_memory_equal(c->f[0].data, df11, 7);
    free(c);
    c = demod_one(df11, 7, NULL, 0, 1, &st);
    assert_int_equal(c->n, 0);
    assert_true(st.bad_crc >= 1);
    free(c);
    synth_set_parity(df11, 7, 0); /* all-call reply, IID 0: always */
    c = demod_one(df11, 7, NULL, 0, 1, &st);
    assert_int_equal(c->n, 1);
    free(c);
}

/* One bit wrong in a DF17: fixed when asked and the address is known. */
static void test_single_bit_fix(void **state)
{
    (void)state;
    struct synth_rng r = {seed ^ 0xf00u};
    const uint32_t addr = 0x3c6586u;
    uint8_t good[14], bad[14];
    synth_df17(&r, addr, good);
    memcpy(bad, good, 14);
    int bit = 5 + (int)(synth_next(&r) % 107); /* any bit after the DF field */
    bad[bit >> 3] ^= (uint8_t)(0x80u >> (bit & 7));
    struct modes_demod_stats st;
    struct collect *c = demod_one(bad, 14, &addr, 1, 1, &st);
    assert_int_equal(c->n, 1);
    assert_memory_equal(c->f[0].data, good, 14);
    assert_int_equal(c->f[0].corrected, 1);
    assert_int_equal(st.corrected, 1);
    free(c);
    c = demod_one(bad, 14, &addr, 1, 0, &st); /* fix_errors off */
    assert_int_equal(c->n, 0);
    assert_true(st.bad_crc >= 1);
    free(c);
    c = demod_one(bad, 14, NULL, 0, 1, &st); /* address never seen clean */
    assert_int_equal(c->n, 0);
    free(c);
}

static void test_init_rejects(void **state)
{
    (void)state;
    struct modes_demod *d = malloc(sizeof *d);
    assert_int_equal(modes_demod_init(d, 3.0e6, MODES_DEMOD_UC8, 1), CAIRN_E_INVAL);
    assert_int_equal(modes_demod_init(d, 2.4e6, (enum modes_demod_fmt)7, 1), CAIRN_E_INVAL);
    assert_int_equal(modes_demod_init(d, 2.0e6, MODES_DEMOD_SC16, 0), 0);
    free(d);
}

/* ---- feed/iq.h ---------------------------------------------------------- */

static int write_temp(char *path, const uint8_t *buf, size_t len)
{
    strcpy(path, "/tmp/cairn_demod_XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    ssize_t w = write(fd, buf, len);
    close(fd);
    return w == (ssize_t)len ? 0 : -1;
}

static void test_iq_file(void **state)
{
    (void)state;
    for (int fmt = 0; fmt < 2; fmt++) {
        struct synth_rng r = {seed ^ 0x1f11u ^ (uint64_t)fmt};
        struct synth_msg m[30];
        size_t n = make_msgs(&r, m, 30, 20.0, 50.0);
        /* longer than one read block, so blocks are joined */
        size_t ns = 400000;
        size_t ss = fmt ? 4 : 2;
        uint8_t *buf = malloc(ns * ss);
        synth_iq(&r, 2.0e6, fmt, m, n, 3.0, buf, ns);
        char path[64];
        assert_int_equal(write_temp(path, buf, ns * ss), 0);
        struct collect *c = calloc(1, sizeof *c);
        struct iq_opts o = {.rate_hz = 2.0e6, .fmt = fmt ? IQ_SC16 : IQ_UC8, .fix_errors = 1};
        struct collect *c2 = calloc(1, sizeof *c2);
        struct iq_stats st, st2;
        int rc = iq_run_file(path, &o, is_known, on_frame, c, &st);
        /* the same through stdin ("-") */
        FILE *in = freopen(path, "rb", stdin);
        int rc2 = in ? iq_run_file("-", &o, is_known, on_frame, c2, &st2) : -1;
        unlink(path); /* before any check can end the test */
        assert_int_equal(rc, 0);
        check_msgs(c, m, n, 2.0e6, n * 85 / 100);
        size_t found = c->n;
        assert_int_equal(st.bytes, ns * ss);
        assert_int_equal(st.samples, ns);
        assert_int_equal(st.frames, found);
        assert_true(fabs(st.signal_s - (double)ns / 2.0e6) < 1e-9);
        assert_int_equal(rc2, 0);
        assert_int_equal(c2->n, found);
        check_msgs(c2, m, n, 2.0e6, found);
        assert_int_equal(st2.samples, ns);
        free(c2);
        free(c);
        free(buf);
    }
}

static void test_iq_errors(void **state)
{
    (void)state;
    struct iq_opts o = {.rate_hz = 2.4e6, .fmt = IQ_UC8, .fix_errors = 1};
    struct iq_stats st;
    assert_int_equal(iq_run_file("/nonexistent/cairn.iq", &o, NULL, NULL, NULL, &st),
                     CAIRN_E_NOTFOUND);
    o.rate_hz = 1.0e6;
    assert_int_equal(iq_run_file("/dev/null", &o, NULL, NULL, NULL, &st), CAIRN_E_INVAL);
    o.rate_hz = 2.4e6;
    assert_int_equal(iq_run_file("/dev/null", &o, NULL, NULL, NULL, &st), 0); /* empty */
    assert_int_equal(st.samples, 0);
    assert_int_equal(iq_run_file(NULL, &o, NULL, NULL, NULL, NULL), CAIRN_E_INVAL);
}

/* ---- feed/rtlsdr.h: only the paths that need no dongle ------------------ */

static void test_rtlsdr_no_device(void **state)
{
    (void)state;
    volatile int stop = 1; /* should a dongle be present, return at once */
    struct rtlsdr_opts o = {.device = NULL, .gain_db = -1, .ppm = 0, .rate_hz = 3.0e6};
    assert_int_equal(rtlsdr_run(&o, NULL, NULL, NULL, &stop), CAIRN_E_INVAL);
    if (rtlsdr_get_device_count() > 0) {
        print_message("an RTL-SDR is present: skipping the no-device checks\n");
        TD_SKIP();
    }
    o.rate_hz = 2.4e6;
    assert_int_equal(rtlsdr_run(&o, NULL, NULL, NULL, &stop), CAIRN_E_NOTFOUND);
    o.device = "1";
    assert_int_equal(rtlsdr_run(&o, NULL, NULL, NULL, &stop), CAIRN_E_NOTFOUND);
    o.device = "00000001"; /* a serial number */
    assert_int_equal(rtlsdr_run(&o, NULL, NULL, NULL, &stop), CAIRN_E_NOTFOUND);
    assert_int_equal(rtlsdr_run(NULL, NULL, NULL, NULL, &stop), CAIRN_E_INVAL);
}

int main(void)
{
    const char *env = getenv("CAIRN_TEST_SEED");
    seed = env ? strtoull(env, NULL, 0) : (uint64_t)time(NULL);
    if (seed == 0)
        seed = 1; /* xorshift needs a non-zero state */
    printf("test_demod: seed %llu (CAIRN_TEST_SEED=%llu to replay)\n", (unsigned long long)seed,
           (unsigned long long)seed);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip),       cmocka_unit_test(test_random_splits),
        cmocka_unit_test(test_window_boundary), cmocka_unit_test(test_flush_tail),
        cmocka_unit_test(test_noise_only),      cmocka_unit_test(test_address_parity),
        cmocka_unit_test(test_df11_iid),        cmocka_unit_test(test_single_bit_fix),
        cmocka_unit_test(test_init_rejects),    cmocka_unit_test(test_iq_file),
        cmocka_unit_test(test_iq_errors),       cmocka_unit_test(test_rtlsdr_no_device),
    };
    return td_exit(cmocka_run_group_tests(tests, NULL, NULL));
}
