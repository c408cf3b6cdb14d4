/*
 * test_ais_vectors.c — every AIS recording in ../shared/data/ais decoded and
 * compared, object by object (parsed JSON values, jansson), with gpsd's own
 * expected output: the regression .chk files of gpsd where they exist
 * (golden, compared strictly, legends included), and gpsdecode 3.22's output
 * (gpsdecode-3.22/X.ju.json and X.js.json) for every input X.
 *
 * Oracle quirks handled here, not in the decoder:
 *  - gpsd daemon .chk files echo each input line and repeat the last AIS
 *    report after later non-AIS sentences: an AIS object counts only as the
 *    first one after an echoed AIS sentence;
 *  - gpsd 3.22 words a few legends differently from gpsd's current files
 *    (epfd_text; status 3 "manoeuverability", 11/12/14 "Reserved"): for the
 *    3.22 oracle epfd_text is not compared and those status legends are
 *    accepted in either wording;
 *  - gpsd only decodes a line once its terminator arrives, so the decoder is
 *    fed without the final ais_flush() (three pyais files end without one);
 *  - scaled numbers are compared as numbers within 1e-6, and gpsd 3.22's
 *    unsigned wrap of negative IMO 289 water levels is not copied.
 * Skips (77) when the shared data is absent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/dbuf.h"
#include "base/jsonw.h"
#include "decode/ais/ais.h"
#include "testdata.h"

enum oracle { GOLD_DECODE, GOLD_DAEMON, G322 };

struct out {
    struct dbuf text;
    const char *device;
    unsigned flags;
};

static void collect(void *user, const struct ais_msg *m)
{
    struct out *o = user;
    struct jsonw w;
    size_t mark = o->text.len;
    jw_init(&w, &o->text);
    if (ais_msg_json(m, &w, o->device, o->flags) == 0)
        dbuf_addc(&o->text, '\n');
    else
        o->text.len = mark;
    assert_int_equal(w.err, 0);
}

/* Decode a whole file into JSON lines; stats returned through *st. */
static char *decode_file(const char *rel, unsigned flags, const char *device, struct ais_stats *st)
{
    size_t len;
    unsigned char *in = td_slurp(td_path(rel), &len);
    assert_non_null(in);
    struct ais_ctx *ctx = malloc(sizeof *ctx);
    assert_non_null(ctx);
    ais_ctx_init(ctx);
    struct out o = {.device = device, .flags = flags};
    dbuf_init(&o.text, 64u << 20);
    dbuf_adds(&o.text, "");
    ais_feed(ctx, (const char *)in, len, 0, collect, &o);
    if (st)
        *st = ctx->stats;
    free(ctx);
    free(in);
    size_t n;
    char *t = dbuf_take(&o.text, &n);
    return t;
}

#define MAX_OBJS 4096

/* Parse the AIS objects of an expected-output file. */
static size_t load_expected(const char *rel, enum oracle kind, json_t **objs)
{
    size_t len, n = 0;
    char *t = (char *)td_slurp(td_path(rel), &len);
    assert_non_null(t);
    int taken = 1, last_ais = 0;
    char *save = NULL;
    for (char *line = strtok_r(t, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (line[0] != '{') {
            /* An echoed input line (daemon output). */
            const char *p = line;
            while (*p == ' ')
                p++;
            last_ais = (*p == '!' || *p == '\\');
            taken = 0;
            continue;
        }
        if (strncmp(line, "{\"class\":\"AIS\"", 14) != 0)
            continue;
        if (kind == GOLD_DAEMON && (!last_ais || taken))
            continue;
        taken = 1;
        json_error_t err;
        json_t *o = json_loads(line, 0, &err);
        assert_non_null(o);
        assert_true(n < MAX_OBJS);
        objs[n++] = o;
    }
    free(t);
    return n;
}

static int legend_ok(const char *mine, const char *ref)
{
    if (!strcmp(mine, ref))
        return 1;
    if (!strcmp(ref, "Restricted manoeuverability"))
        return !strcmp(mine, "Restricted maneuverability");
    if (!strcmp(ref, "Reserved"))
        return !strcmp(mine, "Power-driven vessel towing astern") ||
               !strcmp(mine, "Power-driven vessel pushing ahead or towing alongside") ||
               !strcmp(mine, "AIS-SART is active");
    return 0;
}

/* In scaled output gpsd's number formatting varies ("0" or "26.0" for the
 * same %f field): numbers then compare by value, within 1e-6. */
static int numbers_by_value;

/* Values equal; numbers within 1e-6 when either is a real. */
static int value_equal(json_t *a, json_t *b, int loose_legends, const char *key)
{
    if (json_is_number(a) && json_is_number(b) &&
        (numbers_by_value || json_is_real(a) || json_is_real(b))) {
        if (!numbers_by_value && json_is_real(a) != json_is_real(b))
            return 0;
        /* gpsd 3.22 computes the IMO 289 water level (raw - 1000) / 100 in
         * unsigned arithmetic: levels below 0 m wrap to 42949672.x. */
        if (numbers_by_value && key && !strcmp(key, "waterlevel") &&
            json_number_value(b) > 42949672.0)
            return json_number_value(a) < 0;
        return fabs(json_number_value(a) - json_number_value(b)) <= 1e-6;
    }
    if (json_is_object(a) && json_is_object(b)) {
        if (json_object_size(a) != json_object_size(b))
            return 0;
        const char *k;
        json_t *va;
        json_object_foreach(a, k, va)
        {
            json_t *vb = json_object_get(b, k);
            if (!vb || !value_equal(va, vb, loose_legends, k))
                return 0;
        }
        return 1;
    }
    if (json_is_array(a) && json_is_array(b)) {
        if (json_array_size(a) != json_array_size(b))
            return 0;
        for (size_t i = 0; i < json_array_size(a); i++)
            if (!value_equal(json_array_get(a, i), json_array_get(b, i), loose_legends, NULL))
                return 0;
        return 1;
    }
    if (loose_legends && key && json_is_string(a) && json_is_string(b) &&
        (!strcmp(key, "status_text") || !strcmp(key, "status")))
        return legend_ok(json_string_value(a), json_string_value(b));
    return json_equal(a, b);
}

/* Compare one input against one oracle; prints the counts. */
static void check(const char *input, const char *expected, enum oracle kind, unsigned flags)
{
    if (!td_exists(input) || !td_exists(expected)) {
        print_message("SKIP: %s or %s not found (shared reference data absent)\n", input, expected);
        TD_SKIP();
    }
    const char *device = kind == GOLD_DAEMON ? NULL : "stdin";
    char *mine_text = decode_file(input, flags, device, NULL);
    json_t **ref = calloc(MAX_OBJS, sizeof *ref);
    json_t **mine = calloc(MAX_OBJS, sizeof *mine);
    assert_non_null(ref);
    assert_non_null(mine);
    size_t nref = load_expected(expected, kind, ref);
    size_t nmine = 0;
    char *save = NULL;
    for (char *line = strtok_r(mine_text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        json_error_t err;
        json_t *o = json_loads(line, 0, &err);
        assert_non_null(o);
        assert_true(nmine < MAX_OBJS);
        mine[nmine++] = o;
    }
    size_t match = 0, shown = 0;
    numbers_by_value = (flags & AIS_JSON_SCALED) != 0;
    for (size_t i = 0; i < nref && i < nmine; i++) {
        if (kind == G322) {
            json_object_del(ref[i], "epfd_text");
            json_object_del(mine[i], "epfd_text");
        }
        if (value_equal(mine[i], ref[i], kind == G322, NULL)) {
            match++;
        } else if (shown++ < 3) {
            char *a = json_dumps(mine[i], JSON_COMPACT), *b = json_dumps(ref[i], JSON_COMPACT);
            print_message("  #%zu mine: %s\n  #%zu ref:  %s\n", i, a, i, b);
            free(a);
            free(b);
        }
    }
    print_message("%-34s vs %-44s %s: %zu/%zu objects match (decoded %zu)\n", input, expected,
                  (flags & AIS_JSON_SCALED) ? "scaled" : "unscaled", match, nref, nmine);
    for (size_t i = 0; i < nref; i++)
        json_decref(ref[i]);
    for (size_t i = 0; i < nmine; i++)
        json_decref(mine[i]);
    free(ref);
    free(mine);
    free(mine_text);
    assert_int_equal(nmine, nref);
    assert_int_equal(match, nref);
}

/* The inputs and the 3.22 oracle name derived from them. */
static const char *const inputs[] = {
    "ais/gpsd/sample.aivdm",         "ais/gpsd/ais-18-27.log",
    "ais/gpsd/ais-nmea.log",         "ais/gpsd/ais-nmea-type6-fid55.log",
    "ais/gpsd/ais-raw-messages.log", "ais/gpsd/ais_unpack_sixbit.log",
    "ais/libais/typeexamples.nmea",  "ais/libais/test.aivdm",
    "ais/libais/tagblock.nmea",      "ais/pyais/nmea_data_sample.txt",
    "ais/pyais/mixed.txt",           "ais/pyais/messages.ais",
    "ais/pyais/ais_test_messages",   "ais/pyais/timestamped.ais",
};

static void oracle_322(const char *input, char *out, size_t cap, const char *suffix)
{
    /* ais/gpsd/x -> ais/gpsdecode-3.22/gpsd_x.ju.json */
    const char *rest = input + 4;
    const char *slash = strchr(rest, '/');
    snprintf(out, cap, "ais/gpsdecode-3.22/%.*s_%s%s", (int)(slash - rest), rest, slash + 1,
             suffix);
}

static void test_gold_sample(void **state)
{
    (void)state;
    check("ais/gpsd/sample.aivdm", "ais/gpsd/sample.aivdm.ju.chk", GOLD_DECODE, 0);
}

static void test_gold_daemon(void **state)
{
    (void)state;
    static const char *const logs[] = {"ais-18-27.log", "ais-nmea.log", "ais-nmea-type6-fid55.log",
                                       "ais-raw-messages.log", "ais_unpack_sixbit.log"};
    for (size_t i = 0; i < sizeof logs / sizeof logs[0]; i++) {
        char in[256], ex[256];
        snprintf(in, sizeof in, "ais/gpsd/%s", logs[i]);
        snprintf(ex, sizeof ex, "ais/gpsd/%s.chk", logs[i]);
        check(in, ex, GOLD_DAEMON, 0);
    }
}

static void test_gpsdecode322_unscaled(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        char ex[256];
        oracle_322(inputs[i], ex, sizeof ex, ".ju.json");
        check(inputs[i], ex, G322, 0);
    }
}

static void test_gpsdecode322_scaled(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        char ex[256];
        oracle_322(inputs[i], ex, sizeof ex, ".js.json");
        check(inputs[i], ex, G322, AIS_JSON_SCALED);
    }
}

/* Count the lines of a gpsdecode .stderr file containing needle. */
static uint64_t count_in(const char *rel, const char *needle)
{
    size_t len;
    char *t = (char *)td_slurp(td_path(rel), &len);
    assert_non_null(t);
    uint64_t n = 0;
    for (char *p = t; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    free(t);
    return n;
}

/* The malformed lines of the samples are counted errors, never a crash,
 * and the counts agree with what gpsdecode 3.22 complained about. */
static void test_counted_errors(void **state)
{
    (void)state;
    TD_REQUIRE("ais/gpsdecode-3.22/pyais_nmea_data_sample.txt.stderr");
    struct ais_stats st;
    free(decode_file("ais/pyais/nmea_data_sample.txt", 0, NULL, &st));
    uint64_t unparsed = count_in("ais/gpsdecode-3.22/pyais_nmea_data_sample.txt.stderr",
                                 "Unparsed AIVDM message type");
    print_message("nmea_data_sample: %llu bad type (gpsdecode %llu), %llu fragment order, "
                  "%llu bad length\n",
                  (unsigned long long)st.bad_type, (unsigned long long)unparsed,
                  (unsigned long long)st.frag_order, (unsigned long long)st.bad_length);
    assert_int_equal(st.bad_type, unparsed);
    assert_true(st.frag_order > 0);

    /* The 156-bit type 1 comes without a checksum: gpsd took the sentence
     * and rejected its length; cairn refuses a '!' sentence without one. */
    free(decode_file("ais/pyais/mixed.txt", 0, NULL, &st));
    assert_int_equal(st.bad_format, 1);
    assert_true(st.bad_tag > 0); /* "*A" is not a TAG block checksum */

    free(decode_file("ais/libais/test.aivdm", 0, NULL, &st));
    uint64_t bad_len = count_in("ais/gpsdecode-3.22/libais_test.aivdm.stderr", "size");
    uint64_t bad_type = count_in("ais/gpsdecode-3.22/libais_test.aivdm.stderr", "Unparsed");
    print_message("test.aivdm: %llu bad length (gpsdecode %llu), %llu bad type (gpsdecode %llu)\n",
                  (unsigned long long)st.bad_length, (unsigned long long)bad_len,
                  (unsigned long long)st.bad_type, (unsigned long long)bad_type);
    /* gpsdecode logs only some length errors at its error level. */
    assert_true(st.bad_length >= bad_len);
    assert_int_equal(st.bad_type, bad_type);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gold_sample),           cmocka_unit_test(test_gold_daemon),
        cmocka_unit_test(test_gpsdecode322_unscaled), cmocka_unit_test(test_gpsdecode322_scaled),
        cmocka_unit_test(test_counted_errors),
    };
    return td_exit(cmocka_run_group_tests(tests, NULL, NULL));
}
