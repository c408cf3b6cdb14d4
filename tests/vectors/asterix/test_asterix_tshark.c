/*
 * test_asterix_tshark.c — every record of the ASTERIX samples decodes to the
 * values Wireshark's dissector printed (tshark 4.0.17 `-V`, generated in
 * ../shared/data/asterix/generated-tshark-4.0.17/, see SOURCES.md there).
 *
 * tshark's dissector is generated from the same asterix-specs as our tables,
 * so sub-field names agree. We decode with the editions tshark 4.0.17 uses by
 * default (CAT021 2.6, CAT034 1.29, CAT048 1.31, CAT062 1.19; for CAT065 it
 * has 1.5 and we have 1.6, which only adds values to tables; CAT063 1.7), and
 * compare field by field: same item, same sub-field name (in order), value
 * within half an LSB; strings and hex fields exactly. Records align by order.
 *
 * How the -V text is read: "Asterix message, #NN" starts a record; an
 * indent-8 line "NNN, Title" starts an item; a line with ": " is a field —
 * bit fields "..01 .... = NAME, Title: text (V)", others "NAME, Title[,
 * [unit]]: V" or, for an item or compound subitem that is one element,
 * "Title[, [unit]]: V" (no name: the enclosing subitem's name is used).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testdata.h"

#include "tshark_v.h"

#define TS_DIR "asterix/generated-tshark-4.0.17/"

struct case_t {
    const char *sample; /* under asterix/ */
    const char *tshark; /* file name in TS_DIR */
    size_t want_records;
};

static const struct case_t cases[] = {
    {"croatiacontrol/sample_data/cat048.raw", "cat048.raw.tshark.V.txt", 1},
    {"croatiacontrol/sample_data/cat034.raw", "cat034.raw.tshark.V.txt", 1},
    {"croatiacontrol/sample_data/cat062cat065.raw", "cat062cat065.raw.tshark.V.txt", 3},
    {"croatiacontrol/sample_data/cat21_re.ast", "cat21_re.ast.tshark.V.txt", 2},
    {"croatiacontrol/sample_data/cat_034_048.pcap", "cat_034_048.pcap.tshark.V.txt", 162},
    {"croatiacontrol/sample_data/cat_062_065.pcap", "cat_062_065.pcap.tshark.V.txt", 3},
    {"asterix4py/cat062.ast", "cat062.ast.tshark.V.txt", 7},
    {"jasterix/cat021ed2.1.bin", "cat021ed2.1.bin.tshark.V.txt", 1},
    {"jasterix/cat034ed1.26.bin", "cat034ed1.26.bin.tshark.V.txt", 1},
    {"jasterix/cat048ed1.15.bin", "cat048ed1.15.bin.tshark.V.txt", 1},
    {"jasterix/cat048ed1.23.bin", "cat048ed1.23.bin.tshark.V.txt", 1},
    {"jasterix/cat062ed1.12.bin", "cat062ed1.12.bin.tshark.V.txt", 1},
    {"jasterix/cat063ed1.0.bin", "cat063ed1.0.bin.tshark.V.txt", 1},
    {"jasterix/cat065ed1.3.bin", "cat065ed1.3.bin.tshark.V.txt", 1},
    {"jasterix/cat001ed1.1.bin", "cat001ed1.1.bin.tshark.V.txt", 1},
    {"jasterix/cat002ed1.0.bin", "cat002ed1.0.bin.tshark.V.txt", 1},
    {"jasterix/cat004ed1.4.bin", "cat004ed1.4.bin.tshark.V.txt", 3},
    {"jasterix/cat020ed1.5.bin", "cat020ed1.5.bin.tshark.V.txt", 1},
    {"jasterix/cat010ed0.31.bin", "cat010ed0.31.bin.tshark.V.txt", 1},
    {"jasterix/cat019ed1.3.bin", "cat019ed1.3.bin.tshark.V.txt", 1},
};

static void tshark_editions(struct ax_editions *e)
{
    ax_editions_init(e);
    assert_int_equal(ax_editions_set(e, "21=2.6"), 0);
    assert_int_equal(ax_editions_set(e, "34=1.29"), 0);
    assert_int_equal(ax_editions_set(e, "48=1.31"), 0);
    assert_int_equal(ax_editions_set(e, "62=1.19"), 0);
}

static void run_case(const struct case_t *c, struct cmp_tally *all)
{
    char rel[256], trel[256];
    snprintf(rel, sizeof rel, "asterix/%s", c->sample);
    snprintf(trel, sizeof trel, TS_DIR "%s", c->tshark);
    static struct sample s;
    assert_int_equal(sample_load(td_path(rel), &s), 0);
    struct ax_editions eds;
    tshark_editions(&eds);
    struct ax_record *recs;
    struct ax_stats st = {0};
    size_t n = sample_decode(&s, &eds, &recs, &st);
    static struct trec t[400];
    size_t nt = tshark_parse(td_path(trel), t, 400);
    struct cmp_tally ty = {0};
    size_t m = n < nt ? n : nt;
    for (size_t i = 0; i < m; i++)
        compare_record(&recs[i], &t[i], &ty, c->sample, i);
    ty.records = m;
    print_message("tshark %-45s records ours %zu tshark %zu; fields compared %zu, "
                  "differ %zu, unmatched %zu, items missing %zu\n",
                  c->sample, n, nt, ty.compared, ty.mismatched, ty.unmatched, ty.items_missing);
    assert_int_equal(n, c->want_records);
    assert_int_equal(nt, c->want_records);
    all->records += ty.records;
    all->compared += ty.compared;
    all->mismatched += ty.mismatched;
    all->unmatched += ty.unmatched;
    all->items_missing += ty.items_missing;
    free(recs);
    free(s.buf);
}

static void test_tshark_all(void **state)
{
    (void)state;
    TD_REQUIRE(TS_DIR "cat048.raw.tshark.V.txt");
    struct cmp_tally all = {0};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        run_case(&cases[i], &all);
    print_message("tshark total: %zu records, %zu fields compared, %zu differ, %zu unmatched, "
                  "%zu items missing\n",
                  all.records, all.compared, all.mismatched, all.unmatched, all.items_missing);
    assert_true(all.compared > 5000);
    assert_int_equal(all.mismatched, 0);
    assert_int_equal(all.unmatched, 0);
    assert_int_equal(all.items_missing, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tshark_all),
    };
    return td_exit(cmocka_run_group_tests(tests, NULL, NULL));
}
