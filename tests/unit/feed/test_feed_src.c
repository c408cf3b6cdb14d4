/*
 * test_feed_src.c — report sources (feed/source.h) on small files written
 * here: INPUT specs, format detection by name and by first bytes, SBS and
 * NMEA times (generated field, TAG block c:), sentences that cannot be
 * placed in time counted and dropped, refusals (a relative clock without
 * start, raw ASTERIX without a date, a file of unknown format, a missing
 * file), and the Beast counter anchored by start (the St Petersburg log,
 * skipped without ../shared/data).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/dbuf.h"
#include "base/error.h"
#include "decode/report.h"
#include "feed/source.h"
#include "scratch.h"
#include "testdata.h"

static void test_spec(void **state)
{
    (void)state;
    enum feed_fmt f;
    const char *p;
    assert_int_equal(feed_spec_parse("beast:rx.bin", &f, &p), 0);
    assert_int_equal(f, FEED_BEAST);
    assert_string_equal(p, "rx.bin");
    assert_int_equal(feed_spec_parse("pcap:-", &f, &p), 0);
    assert_true(f == FEED_PCAP && !strcmp(p, "-"));
    assert_int_equal(feed_spec_parse("dir:with/colon", &f, &p), 0); /* no format: all path */
    assert_true(f == FEED_AUTO && !strcmp(p, "dir:with/colon"));
    assert_int_equal(feed_spec_parse("sbs:", &f, &p), CAIRN_E_INVAL);
    assert_int_equal(feed_spec_parse("", &f, &p), CAIRN_E_INVAL);
    assert_int_equal(feed_fmt_of_name("a.pcapng"), FEED_PCAP);
    assert_int_equal(feed_fmt_of_name("a.cs16"), FEED_IQ);
    assert_int_equal(feed_fmt_of_name("a.txt"), FEED_AUTO);
    static const uint8_t pcap[] = {0xd4, 0xc3, 0xb2, 0xa1, 2, 0};
    assert_int_equal(feed_fmt_of_bytes(pcap, sizeof pcap), FEED_PCAP);
    assert_int_equal(feed_fmt_of_bytes((const uint8_t *)"\n\x1a"
                                                        "3",
                                       3),
                     FEED_BEAST);
    assert_int_equal(feed_fmt_of_bytes((const uint8_t *)"@0123", 5), FEED_AVR);
    assert_int_equal(feed_fmt_of_bytes((const uint8_t *)"MSG,3", 5), FEED_SBS);
    assert_int_equal(feed_fmt_of_bytes((const uint8_t *)"\\c:1*00", 7), FEED_NMEA);
    assert_int_equal(feed_fmt_of_bytes((const uint8_t *)"hello", 5), FEED_AUTO);
    assert_int_equal(feed_fmt_of_bytes(NULL, 0), FEED_AUTO);
    assert_true(feed_fmt_relative(FEED_BEAST) && feed_fmt_relative(FEED_IQ) &&
                !feed_fmt_relative(FEED_SBS) && !feed_fmt_relative(FEED_PCAP));
}

/* Open path with these options; all reports into out (cap n). */
static size_t read_all(struct feed_src_opts *o, struct report *out, size_t n)
{
    struct feed_src *s;
    char err[256];
    int rc = feed_src_open(o, &s, err, sizeof err);
    if (rc != 0)
        fail_msg("%s: %s", o->path, err);
    size_t k = 0;
    struct report r;
    while ((rc = feed_src_next(s, &r)) == 1)
        if (k < n)
            out[k++] = r;
    assert_int_equal(rc, 0);
    feed_src_close(s);
    return k;
}

static void test_sbs(void **state)
{
    (void)state;
    static const char text[] =
        "MSG,3,1,1,4AC9E1,1,2014/03/03,13:00:01.500,2014/03/03,13:00:01.500,,2000,,,55.62,12.7,,,"
        "0,0,0,0\n"
        "garbage line\n"
        "MSG,1,1,1,4AC9E1,1,2014/03/03,13:00:02.000,2014/03/03,13:00:02.000,SAS681,,,,,,,,,,,\n";
    const char *path = scratch_write("x.sbs", text, sizeof text - 1);
    struct feed_src_opts o = {.path = path, .sensor_id = 77};
    struct report r[4];
    size_t n = read_all(&o, r, 4);
    assert_int_equal(n, 2);
    assert_int_equal(r[0].t_ms, 1393851601500LL);
    assert_int_equal(r[0].sensor_id, 77);
    assert_true((r[0].has & REP_HAS_POS) && (r[0].has & REP_HAS_ICAO) && r[0].icao == 0x4AC9E1);
    assert_int_equal(r[0].alt_baro_ft, 2000);
    assert_true((r[1].has & REP_HAS_CALLSIGN) && !strcmp(r[1].callsign, "SAS681"));
    assert_false(r[1].has & REP_HAS_POS);
}

static void test_nmea(void **state)
{
    (void)state;
    /* a type 1 position report (as cairn sim writes them) with and without
     * its TAG block */
    static const char text[] =
        "\\c:1460462401*5F\\!AIVDM,1,1,,B,144d=kPP2<1Gq1lOa9C4i3l20000,0*16\n"
        "!AIVDM,1,1,,B,144d=kPP2<1Gq1lOa9C4i3l20000,0*16\n";
    const char *path = scratch_write("x.nmea", text, sizeof text - 1);
    struct feed_src_opts o = {.path = path, .sensor_id = 5};
    struct feed_src *s;
    char err[256];
    assert_int_equal(feed_src_open(&o, &s, err, sizeof err), 0);
    struct report r;
    assert_int_equal(feed_src_next(s, &r), 1);
    assert_int_equal(r.t_ms, 1460462401000LL);
    assert_true((r.has & REP_HAS_MMSI) && (r.has & REP_HAS_POS) && r.sensor_id == 5);
    assert_int_equal(feed_src_next(s, &r), 0);
    const struct feed_src_stats *st = feed_src_stats(s);
    assert_int_equal(st->reports, 1);
    assert_int_equal(st->no_time, 1);
    assert_int_equal(feed_src_fmt(s), FEED_NMEA);
    feed_src_close(s);
}

static void refused(struct feed_src_opts *o, int rc, const char *needle)
{
    struct feed_src *s = (struct feed_src *)1;
    char err[256];
    assert_int_equal(feed_src_open(o, &s, err, sizeof err), rc);
    assert_null(s);
    if (!strstr(err, needle))
        fail_msg("'%s' lacks '%s'", err, needle);
}

static void test_refusals(void **state)
{
    (void)state;
    static const uint8_t beast[] = {0x1a, '3', 0, 0, 0, 0, 0, 1, 0xa0};
    struct feed_src_opts o = {.path = scratch_write("x.beast", beast, sizeof beast)};
    refused(&o, CAIRN_E_INVAL, "--start");
    o.path = scratch_write("x.bin", beast, sizeof beast);
    refused(&o, CAIRN_E_INVAL, "first sample");
    o.path = scratch_write("x.ast", "0", 1);
    refused(&o, CAIRN_E_INVAL, "--date");
    o.path = scratch_write("x.unknown", "hello\n", 6);
    refused(&o, CAIRN_E_INVAL, "format not recognised");
    o.path = "/nonexistent/x.sbs";
    refused(&o, CAIRN_E_NOTFOUND, "No such file");
    o.path = "-";
    refused(&o, CAIRN_E_INVAL, "standard input");
    /* found by its first bytes, then refused for its clock */
    o.path = scratch_write("noext", beast, sizeof beast);
    refused(&o, CAIRN_E_INVAL, "beast has no absolute time");
    feed_src_close(NULL);
}

static void test_beast_anchor(void **state)
{
    (void)state;
    const char *rel = "modes/beastblackbox_ulss7_1522782148.beast";
    if (!td_exists(rel)) {
        printf("SKIP: %s not found\n", td_path(rel));
        TD_SKIP();
    }
    const int64_t start = 1522782148136LL;
    struct feed_src_opts o = {.path = td_path(rel), .has_start = 1, .start_utc_ms = start};
    struct feed_src *s;
    char err[256];
    assert_int_equal(feed_src_open(&o, &s, err, sizeof err), 0);
    struct report r;
    int64_t first = 0, last = 0;
    size_t n = 0;
    while (feed_src_next(s, &r) == 1) {
        if (!first)
            first = r.t_ms;
        last = r.t_ms > last ? r.t_ms : last;
        n++;
    }
    const struct feed_src_stats *st = feed_src_stats(s);
    printf("%zu reports, %llu frames, first at +%lld ms, last at +%lld ms\n", n,
           (unsigned long long)st->units, (long long)(first - start), (long long)(last - start));
    /* 13,954 frames over 60.9 s (SOURCES.md); the first at start */
    assert_int_equal(st->units, 13954);
    assert_true(first - start >= 0 && first - start < 100);
    assert_true(last - start > 60000 && last - start < 61500);
    feed_src_close(s);
}

static void test_read_file(void **state)
{
    (void)state;
    const char *path = scratch_write("f.txt", "0123456789", 10);
    struct dbuf b;
    dbuf_init(&b, 5);
    assert_int_equal(feed_read_file(path, &b), CAIRN_E_TOOBIG);
    dbuf_free(&b);
    dbuf_init(&b, 100);
    assert_int_equal(feed_read_file(path, &b), 0);
    assert_int_equal(b.len, 10);
    dbuf_free(&b);
    assert_int_equal(feed_read_file("/nonexistent/f", &b), CAIRN_E_IO);
}

int main(void)
{
    if (scratch_open("cairn_feedsrc") != 0) {
        perror("mkdtemp");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spec),         cmocka_unit_test(test_sbs),
        cmocka_unit_test(test_nmea),         cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_beast_anchor), cmocka_unit_test(test_read_file),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    if (scratch_close() != 0)
        fprintf(stderr, "could not remove %s\n", scratch_dir);
    return td_exit(rc);
}
