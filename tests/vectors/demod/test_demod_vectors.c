/*
 * test_demod_vectors.c — the demodulator on real recordings (shared data),
 * through the IQ file feed (feed/iq.h), as `cairn decode --format iq` runs it.
 *
 *   modes1_resampled_2400k.bin  UC8 2.4 MS/s: at least 160 distinct replies,
 *                               Debian's dump1090-mutability's count
 *   modes1.bin                  UC8 2.0 MS/s: at least 111 distinct replies,
 *                               the original dump1090's count
 *   dump1090rs_test_*.iq        SC16 2.4 MS/s: exactly the distinct replies of
 *                               the .expected file beside this test
 *
 * Addresses are "known" (for Address/Parity replies and corrected squitters)
 * once seen in a clean DF11/17/18, as the decoder's context does. Every
 * test skips when the shared data is absent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "decode/modes/modes.h"
#include "feed/iq.h"
#include "testdata.h"

#define MAX_DISTINCT 1024

struct run {
    char hex[MAX_DISTINCT][29];
    size_t n_distinct;
    size_t n_frames;
    size_t n_long_df11;   /* a DF11 read as 112 bits: must never happen */
    size_t n_other_addr;  /* clean DF11/17/18 from an address not expected */
    uint32_t expect_addr; /* 0: any */
    uint32_t known[256];
    size_t n_known;
};

static int known_fn(void *arg, uint32_t icao, double t_s)
{
    struct run *r = arg;
    (void)t_s;
    for (size_t i = 0; i < r->n_known; i++)
        if (r->known[i] == icao)
            return 1;
    return 0;
}

static void frame_fn(const struct modes_frame *f, void *arg)
{
    struct run *r = arg;
    char hex[29];
    for (size_t i = 0; i < f->len; i++)
        snprintf(hex + 2 * i, 3, "%02x", f->data[i]);
    unsigned df = f->data[0] >> 3;
    r->n_frames++;
    if (df == 11 && f->len != MODES_SHORT_LEN)
        r->n_long_df11++;
    if ((df == 11 || df == 17 || df == 18) && modes_crc(f->data, f->len) == 0) {
        uint32_t aa = (uint32_t)f->data[1] << 16 | (uint32_t)f->data[2] << 8 | f->data[3];
        if (r->expect_addr && aa != r->expect_addr)
            r->n_other_addr++;
        if (!known_fn(r, aa, 0) && r->n_known < 256)
            r->known[r->n_known++] = aa;
    }
    for (size_t i = 0; i < r->n_distinct; i++)
        if (!strcmp(r->hex[i], hex))
            return;
    if (r->n_distinct < MAX_DISTINCT)
        strcpy(r->hex[r->n_distinct++], hex);
}

static struct run *run_file(const char *rel, double rate, enum iq_format fmt)
{
    struct run *r = calloc(1, sizeof *r);
    assert_non_null(r);
    struct iq_opts o = {.rate_hz = rate, .fmt = fmt, .fix_errors = 1};
    struct iq_stats st;
    assert_int_equal(iq_run_file(td_path(rel), &o, known_fn, frame_fn, r, &st), 0);
    print_message("%s: %llu samples, %llu preambles, %zu frames, %zu distinct, %llu corrected\n",
                  rel, (unsigned long long)st.samples, (unsigned long long)st.preambles,
                  r->n_frames, r->n_distinct, (unsigned long long)st.corrected);
    assert_int_equal(st.frames, r->n_frames);
    assert_int_equal(r->n_long_df11, 0);
    return r;
}

static void test_modes1_2400k(void **state)
{
    (void)state;
    TD_REQUIRE("modes/modes1_resampled_2400k.bin");
    struct run *r = run_file("modes/modes1_resampled_2400k.bin", 2.4e6, IQ_UC8);
    /* one aircraft, 4D2023: anything else would be a false decode */
    assert_int_equal(r->n_known, 1);
    assert_int_equal(r->known[0], 0x4d2023);
    assert_true(r->n_distinct >= 160); /* dump1090-mutability 1.15: 160 */
    free(r);
}

static void test_modes1_2000k(void **state)
{
    (void)state;
    TD_REQUIRE("modes/modes1.bin");
    struct run *r = run_file("modes/modes1.bin", 2.0e6, IQ_UC8);
    assert_int_equal(r->n_known, 1);
    assert_int_equal(r->known[0], 0x4d2023);
    assert_true(r->n_distinct >= 111); /* the original dump1090: 111 */
    free(r);
}

/* The distinct replies must be exactly the expected file's lines. */
static void check_expected_file(const char *name)
{
    char rel[128], exp_path[512];
    snprintf(rel, sizeof rel, "modes/%s.iq", name);
    if (!td_exists(rel)) {
        print_message("SKIP: %s not found (shared reference data absent)\n", td_path(rel));
        TD_SKIP();
    }
    struct run *r = run_file(rel, 2.4e6, IQ_SC16);
    snprintf(exp_path, sizeof exp_path, "%s/tests/vectors/demod/%s.expected", CAIRN_SOURCE_DIR,
             name);
    FILE *f = fopen(exp_path, "r");
    assert_non_null(f);
    char line[256];
    size_t n_exp = 0;
    int missing = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        if (!line[0] || line[0] == '#')
            continue;
        n_exp++;
        int found = 0;
        for (size_t i = 0; i < r->n_distinct; i++)
            found |= !strcmp(r->hex[i], line);
        if (!found) {
            print_message("missing: %s\n", line);
            missing++;
        }
    }
    fclose(f);
    for (size_t i = 0; i < r->n_distinct; i++)
        print_message("  found %s\n", r->hex[i]);
    assert_int_equal(missing, 0);
    assert_int_equal(r->n_distinct, n_exp); /* and nothing else */
    free(r);
}

static void test_rs_457780(void **state)
{
    (void)state;
    check_expected_file("dump1090rs_test_1641427457780");
}

static void test_rs_165033(void **state)
{
    (void)state;
    check_expected_file("dump1090rs_test_1641428165033");
}

static void test_rs_106243(void **state)
{
    (void)state;
    check_expected_file("dump1090rs_test_1641428106243");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_modes1_2400k), cmocka_unit_test(test_modes1_2000k),
        cmocka_unit_test(test_rs_457780),    cmocka_unit_test(test_rs_165033),
        cmocka_unit_test(test_rs_106243),
    };
    return td_exit(cmocka_run_group_tests(tests, NULL, NULL));
}
