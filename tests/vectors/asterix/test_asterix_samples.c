/*
 * test_asterix_samples.c — every ASTERIX sample in ../shared/data/asterix
 * with cairn's default editions (the latest): how many records decode, how
 * many blocks are cut and why, including the broken asterix.pcap (which no
 * CAT062 edition reads; both reference decoders fail on it too) and the
 * ORADIS-framed cat_001_002.pcap. Each sample is also truncated at every
 * offset of every datagram: the decoder must never read past the cut
 * (AddressSanitizer) and every error it returns must be explained.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testdata.h"

#include "refload.h"

struct case_t {
    const char *sample;
    size_t records;       /* decoded in full */
    size_t errors;        /* blocks cut or skipped */
    const char *edition;  /* NULL: the defaults */
    size_t range_records; /* records with a value outside its spec range */
};

static const struct case_t cases[] = {
    {"croatiacontrol/sample_data/cat048.raw", 1, 0, NULL, 0},
    {"croatiacontrol/sample_data/cat034.raw", 1, 0, NULL, 0},
    {"croatiacontrol/sample_data/cat062cat065.raw", 3, 0, NULL, 0},
    {"croatiacontrol/sample_data/cat21_re.ast", 2, 0, NULL, 0},
    {"croatiacontrol/sample_data/cat_034_048.pcap", 162, 0, NULL, 0},
    {"croatiacontrol/sample_data/cat_062_065.pcap", 3, 0, NULL, 0},
    {"croatiacontrol/sample_data/cat_001_002.pcap", 8, 0, NULL, 0},
    /* Croatia "GPS" recording: 15 blocks with trailers, 18 records */
    {"croatiacontrol/sample_data/parsegps.gps", 18, 0, NULL, 0},
    /* CAT062 from SAC 25/SIC 100 that no edition reads (SOURCES.md): the
     * records before the first unreadable item decode, 72 blocks are cut
     * (17 by an FSPEC naming an undefined FRN, 55 by an item, mostly I390,
     * running past the block), and the next block starts clean. All 48
     * records that fit carry values the specification's ranges exclude
     * (latitudes past 90 degrees): flagged, not hidden. Zero octets ending
     * some blocks are padding, not records. */
    {"croatiacontrol/sample_data/asterix.pcap", 48, 72, NULL, 48},
    {"asterix4py/cat062.ast", 7, 0, NULL, 0},
    {"jasterix/cat001ed1.1.bin", 1, 0, NULL, 0},
    {"jasterix/cat002ed1.0.bin", 1, 0, NULL, 0},
    {"jasterix/cat021ed2.1.bin", 1, 0, NULL, 0},
    {"jasterix/cat034ed1.26.bin", 1, 0, NULL, 0},
    {"jasterix/cat048ed1.15.bin", 1, 0, NULL, 0},
    {"jasterix/cat048ed1.23.bin", 1, 0, NULL, 0},
    {"jasterix/cat062ed1.12.bin", 1, 0, NULL, 0},
    {"jasterix/cat062ed1.16.bin", 1, 0, NULL, 0},
    {"jasterix/cat063ed1.0.bin", 1, 0, NULL, 0},
    /* CAT021 0.26: one 33-octet record with the hand-made 0.26 table; the 2.x
     * tables (ours by default, and both reference decoders) split it into
     * two records of nonsense, which still fit the bytes */
    {"jasterix/cat021ed0.26.bin", 1, 0, "21=0.26", 0},
    {"jasterix/cat021ed0.26.bin", 2, 0, NULL, 1}, /* its latitude 215.97 is flagged */
    {"jasterix/cat065ed1.3.bin", 1, 0, NULL, 0},
    /* CAT004 1.4 and CAT020 1.5 samples read with the 1.12 and 1.10 tables
     * (the values are compared with tshark in test_asterix_tshark) */
    {"jasterix/cat004ed1.4.bin", 3, 0, NULL, 0},
    {"jasterix/cat020ed1.5.bin", 1, 0, NULL, 0},
    {"jasterix/cat010ed0.31.bin", 1, 0, NULL, 0},
    {"jasterix/cat019ed1.3.bin", 1, 0, NULL, 0},
    /* Sensis' CAT010 0.24 is no standard edition: with 1.1, I500 runs past
     * the block (Croatia's decoder stops at the same item) */
    {"jasterix/cat010ed0.24_sensis.bin", 0, 1, NULL, 0},
    /* categories cairn has no table for: counted, skipped */
    {"jasterix/cat030ed7.0.bin", 0, 1, NULL, 0},
    {"jasterix/cat247ed1.2.bin", 0, 1, NULL, 0},
    {"jasterix/cat252ed7.0.bin", 0, 1, NULL, 0},
};

/* Decode one datagram fully, checking that every error is explained. */
static void decode_checked(const uint8_t *p, size_t len, struct ax_stats *st)
{
    static struct ax_record r;
    size_t off = 0;
    struct ax_block b;
    struct ax_error e;
    int rc;
    while ((rc = ax_block_next(p, len, &off, &b, &e, st)) != 0) {
        if (rc < 0) {
            assert_non_null(e.why);
            break;
        }
        if (ax_block_open(&b, NULL, &e, st) < 0) {
            assert_int_equal(e.code, CAIRN_E_CATEGORY);
            continue;
        }
        while ((rc = ax_block_record(&b, &r, &e, st)) == 1)
            assert_true(r.p + r.len <= b.p + b.len);
        if (rc < 0) {
            assert_non_null(e.why);
            assert_true(e.offset < b.len);
        }
    }
}

static void test_samples(void **state)
{
    (void)state;
    TD_REQUIRE("asterix/croatiacontrol/sample_data/cat048.raw");
    size_t total = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct case_t *c = &cases[i];
        char rel[256];
        snprintf(rel, sizeof rel, "asterix/%s", c->sample);
        static struct sample s;
        assert_int_equal(sample_load(td_path(rel), &s), 0);
        struct ax_record *recs;
        struct ax_stats st = {0};
        struct ax_editions eds;
        ax_editions_init(&eds);
        if (c->edition)
            assert_int_equal(ax_editions_set(&eds, c->edition), 0);
        size_t n = sample_decode(&s, &eds, &recs, &st);
        if (c->edition && !strcmp(c->edition, "21=0.26")) {
            /* I170 "FM012", I020 21 (surface service vehicle), Lisbon */
            struct ax_leaf l;
            char cs[16];
            assert_int_equal(ax_item_field(ax_record_item(&recs[0], "170"), "170", &l), 1);
            assert_int_equal(ax_leaf_string(&l, cs, sizeof cs), 8);
            assert_string_equal(cs, "FM012   ");
            assert_int_equal(ax_item_field(ax_record_item(&recs[0], "020"), "020", &l), 1);
            assert_int_equal(ax_leaf_raw(&l), 21);
            assert_int_equal(ax_item_field(ax_record_item(&recs[0], "130"), "LAT", &l), 1);
            assert_float_equal(ax_leaf_value(&l), 38.7773, 1e-3);
        }
        size_t errs = st.err_block + st.err_category + st.err_fspec + st.err_item;
        size_t bad_range = 0;
        for (size_t k = 0; k < n; k++)
            bad_range += ax_record_range_errors(&recs[k]) > 0;
        print_message("%-37s %-8s %4zu datagrams %4llu blocks %4zu records %3zu errors "
                      "(%llu bad block, %llu category, %llu FSPEC, %llu item), %zu out of range, "
                      "%llu padded\n",
                      c->sample, c->edition ? c->edition : "default", s.n_dgram,
                      (unsigned long long)st.blocks, n, errs, (unsigned long long)st.err_block,
                      (unsigned long long)st.err_category, (unsigned long long)st.err_fspec,
                      (unsigned long long)st.err_item, bad_range, (unsigned long long)st.padding);
        assert_int_equal(n, c->records);
        assert_int_equal(errs, c->errors);
        assert_int_equal(bad_range, c->range_records);
        total += n;
        free(recs);

        /* every datagram cut at every length, in an exact-size buffer */
        for (size_t d = 0; d < s.n_dgram; d++) {
            for (size_t cut = 0; cut <= s.dg_len[d]; cut++) {
                uint8_t *p = malloc(cut ? cut : 1);
                memcpy(p, s.buf + s.dg_off[d], cut);
                struct ax_stats st2 = {0};
                decode_checked(p, cut, &st2);
                free(p);
            }
        }
        free(s.buf);
    }
    print_message("all samples: %zu records\n", total);
}

/* The GPS recording's records are byte for byte the ones Croatia's decoder
 * printed (its expected output parsegps.txt lists each record's hex), and
 * the block times agree with its "Timestamp" lines. */
static void test_gps_against_croatia(void **state)
{
    (void)state;
    TD_REQUIRE("asterix/croatiacontrol/sample_output/parsegps.txt");
    static struct sample s;
    assert_int_equal(sample_load(td_path("asterix/croatiacontrol/sample_data/parsegps.gps"), &s),
                     0);
    assert_int_equal(s.n_dgram, 15);
    struct ax_record *recs;
    struct ax_stats st = {0};
    size_t n = sample_decode(&s, NULL, &recs, &st);
    FILE *f = fopen(td_path("asterix/croatiacontrol/sample_output/parsegps.txt"), "r");
    assert_non_null(f);
    char line[4096];
    int want_record_hex = 0;
    size_t k = 0, n_times = 0;
    double times[64];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        if (!strncmp(line, "Data Record", 11))
            want_record_hex = 1;
        else if (!strncmp(line, "Timestamp: ", 11) && n_times < 64)
            times[n_times++] = strtod(line + 11, NULL);
        else if (want_record_hex && !strncmp(line, "HexData: ", 9)) {
            want_record_hex = 0;
            assert_true(k < n);
            const char *hx = line + 9;
            assert_int_equal(strlen(hx), 2 * recs[k].len);
            for (size_t i = 0; i < recs[k].len; i++) {
                unsigned b;
                assert_int_equal(sscanf(hx + 2 * i, "%2x", &b), 1);
                assert_int_equal(b, recs[k].p[i]);
            }
            k++;
        }
    }
    fclose(f);
    assert_int_equal(k, 18);
    assert_int_equal(k, n);
    assert_int_equal(n_times, 15);
    size_t off = 0, bl, t = 0;
    const uint8_t *blk;
    double tod;
    while (ax_gps_next(s.buf, s.len, &off, &blk, &bl, &tod) == 1) {
        assert_true(t < n_times);
        assert_float_equal(tod, times[t], 1e-6);
        t++;
    }
    assert_int_equal(t, 15);
    free(recs);
    free(s.buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_samples),
        cmocka_unit_test(test_gps_against_croatia),
    };
    return td_exit(cmocka_run_group_tests(tests, NULL, NULL));
}
