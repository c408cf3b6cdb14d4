/*
 * test_feed_src.c — report sources (feed/source.h) on small files written
 * here: INPUT specs, format detection by name and by first bytes, SBS and
 * NMEA times (generated field, TAG block c:), sentences that cannot be
 * placed in time counted and dropped, refusals (a relative clock without
 * start, raw ASTERIX without a date, a file of unknown format, a missing
 * file), the Beast counter anchored by start (the St Petersburg log,
 * skipped without ../shared/data), and the walk of raw ASTERIX files: the
 * same blocks plain and behind ORADIS headers give the same reports and
 * the same wire units, a block whose LEN cannot be right is all the rest.
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
#include "decode/asterix/asterix.h"
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

/* Open path with these options; all reports into out (cap n), the
 * source's counters at the end into *st (may be NULL). */
static size_t read_all(struct feed_src_opts *o, struct report *out, size_t n,
                       struct feed_src_stats *st)
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
    if (st)
        *st = *feed_src_stats(s);
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
    struct feed_src_stats st;
    size_t n = read_all(&o, r, 4, &st);
    assert_int_equal(n, 2);
    /* the garbage line is refused and counted, not lost unseen */
    assert_int_equal(st.units, 2);
    assert_int_equal(st.bad, 1);
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
        "!AIVDM,1,1,,B,144d=kPP2<1Gq1lOa9C4i3l20000,0*16\n"
        "!AIVDM,1,1,,B,144d=kPP2<1Gq1lOa9C4i3l20000,0*17\n"; /* bad checksum */
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
    assert_int_equal(st->bad, 1);
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

/* ------------------------------------------------------- raw ASTERIX walk */

#define WALK_MAX 256

/* What a raw ASTERIX file gives: its reports, and its wire units. */
struct walk {
    struct report r[WALK_MAX];
    size_t n_r;
    struct feed_src_stats st_r;
    uint8_t ub[16384];
    size_t ub_len;
    size_t u_off[WALK_MAX], u_len[WALK_MAX];
    int64_t u_t[WALK_MAX];
    size_t n_u;
    struct feed_src_stats st_u;
};

static void walk_raw(const char *path, struct walk *w)
{
    memset(w, 0, sizeof *w);
    struct feed_src_opts o = {.fmt = FEED_ASTERIX,
                              .path = path,
                              .has_date = 1,
                              .date_utc_ms = 1393804800000LL}; /* 2014-03-03 */
    struct feed_src *s;
    char err[256];
    int rc = feed_src_open(&o, &s, err, sizeof err);
    if (rc != 0)
        fail_msg("%s: %s", path, err);
    while ((rc = feed_src_next(s, &w->r[w->n_r])) == 1)
        assert_true(++w->n_r < WALK_MAX);
    assert_int_equal(rc, 0);
    w->st_r = *feed_src_stats(s);
    feed_src_close(s);

    o.units = 1;
    rc = feed_src_open(&o, &s, err, sizeof err);
    if (rc != 0)
        fail_msg("%s: %s", path, err);
    struct feed_src_unit u;
    while ((rc = feed_src_next_unit(s, &u)) == 1) {
        assert_true(w->n_u < WALK_MAX && w->ub_len + u.len <= sizeof w->ub);
        memcpy(w->ub + w->ub_len, u.p, u.len);
        w->u_off[w->n_u] = w->ub_len;
        w->u_len[w->n_u] = u.len;
        w->u_t[w->n_u++] = u.t_ms;
        w->ub_len += u.len;
    }
    assert_int_equal(rc, 0);
    w->st_u = *feed_src_stats(s);
    feed_src_close(s);
}

static void same_stats(const struct feed_src_stats *a, const struct feed_src_stats *b)
{
    assert_int_equal(a->units, b->units);
    assert_int_equal(a->bad, b->bad);
    assert_int_equal(a->reports, b->reports);
    assert_int_equal(a->no_time, b->no_time);
    assert_int_equal(a->no_report, b->no_report);
    assert_int_equal(a->no_site, b->no_site);
}

/* The blocks b[0..len) as a raw file, then behind ORADIS headers (6
 * octets: the frame length, then a time the reader does not use): the
 * same reports, and the same units (each block one unit) and counters. */
static size_t same_plain_oradis(const uint8_t *b, size_t len, size_t n_blocks)
{
    static struct walk plain, orad;
    static uint8_t f[16384];
    size_t fl = 0;
    for (size_t off = 0; off < len;) {
        size_t bl = (size_t)b[off + 1] << 8 | b[off + 2];
        assert_true(bl >= 3 && bl <= len - off && fl + 6 + bl <= sizeof f);
        f[fl++] = (uint8_t)((bl + 6) >> 8);
        f[fl++] = (uint8_t)(bl + 6);
        memcpy(f + fl, "\x01\x02\x03\x04", 4);
        fl += 4;
        memcpy(f + fl, b + off, bl);
        fl += bl;
        off += bl;
    }
    assert_int_equal(ax_framing_guess(b, len), AX_FRAMING_PLAIN);
    assert_int_equal(ax_framing_guess(f, fl), AX_FRAMING_ORADIS);
    walk_raw(scratch_write("plain.ast", b, len), &plain);
    walk_raw(scratch_write("oradis.ast", f, fl), &orad);

    assert_int_equal(plain.n_u, n_blocks);
    assert_int_equal(orad.n_u, n_blocks);
    assert_int_equal(plain.ub_len, len);
    assert_memory_equal(plain.ub, b, len);
    assert_int_equal(orad.ub_len, len);
    assert_memory_equal(orad.ub, b, len);
    for (size_t i = 0; i < n_blocks; i++) {
        assert_int_equal(orad.u_off[i], plain.u_off[i]);
        assert_int_equal(orad.u_len[i], plain.u_len[i]);
        assert_int_equal(orad.u_t[i], plain.u_t[i]);
    }
    same_stats(&orad.st_u, &plain.st_u);

    assert_int_equal(orad.n_r, plain.n_r);
    for (size_t i = 0; i < plain.n_r; i++) {
        const struct report *x = &plain.r[i], *y = &orad.r[i];
        assert_int_equal(x->t_ms, y->t_ms);
        assert_int_equal(x->sensor_id, y->sensor_id);
        assert_int_equal(x->has, y->has);
        assert_int_equal(x->track_no, y->track_no);
        assert_true(x->lat_deg == y->lat_deg && x->lon_deg == y->lon_deg);
    }
    same_stats(&orad.st_r, &plain.st_r);
    assert_int_equal(orad.st_r.bytes, fl);
    assert_int_equal(plain.st_r.bytes, len);
    return plain.n_r;
}

static void test_ax_raw_walk(void **state)
{
    (void)state;
    /* two CAT048 blocks (I010, I140 the time of day, I020 a primary plot)
     * at 13:00:00 and 13:00:01.5, a CAT065 block */
    static const uint8_t b[] = {48, 0,    10, 0xE0, 1,    2,    0x5B, 0x68, 0x00, 0x20, 48, 0,
                                10, 0xE0, 1,  2,    0x5B, 0x68, 0xC0, 0x20, 65,   0,    3};
    assert_int_equal(same_plain_oradis(b, sizeof b, 3), 2);
    static struct walk w;
    walk_raw(scratch_write("b.ast", b, sizeof b), &w);
    assert_int_equal(w.u_t[0], 1393851600000LL); /* dated 2014-03-03 */
    assert_int_equal(w.u_t[1], 1393851601500LL);
    assert_int_equal(w.u_t[2], 1393851601500LL); /* no report: the time before */
    assert_int_equal(w.st_r.units, 2);
    assert_int_equal(w.st_r.bad, 0);

    /* a LEN past the end, then one below 3: each time the rest is one
     * block (one unit), which the decoder refuses and counts */
    static const uint8_t cut[] = {48, 0, 10, 0xE0, 1, 2, 0x5B, 0x68, 0x00, 0x20, 48, 0, 200, 0xE0};
    walk_raw(scratch_write("cut.ast", cut, sizeof cut), &w);
    assert_int_equal(w.n_u, 2);
    assert_int_equal(w.u_len[0], 10);
    assert_int_equal(w.u_len[1], 4);
    assert_int_equal(w.st_u.bad, 1);
    assert_int_equal(w.st_r.bad, 1);
    assert_int_equal(w.st_r.units, 1);
    static const uint8_t low[] = {48, 0, 2, 0xE0, 1, 2, 0x5B};
    walk_raw(scratch_write("low.ast", low, sizeof low), &w);
    assert_int_equal(w.n_u, 1);
    assert_int_equal(w.u_len[0], sizeof low);
    assert_int_equal(w.st_r.bad, 1);
    static const uint8_t two[] = {48, 0};
    walk_raw(scratch_write("two.ast", two, sizeof two), &w);
    assert_int_equal(w.n_u, 1);
    assert_int_equal(w.u_len[0], 2);
    walk_raw(scratch_write("empty.ast", "", 0), &w);
    assert_int_equal(w.n_u, 0);
    assert_int_equal(w.n_r, 0);
}

/* The raw samples of the CroatiaControl decoder, one after the other. */
static void test_ax_raw_samples(void **state)
{
    (void)state;
    static const char *const names[] = {"cat034.raw", "cat048.raw", "cat062cat065.raw"};
    static uint8_t all[4096];
    size_t len = 0, n_blocks = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char rel[128];
        snprintf(rel, sizeof rel, "asterix/croatiacontrol/sample_data/%s", names[i]);
        TD_REQUIRE(rel);
        size_t n;
        unsigned char *p = td_slurp(td_path(rel), &n);
        assert_non_null(p);
        assert_true(len + n <= sizeof all);
        memcpy(all + len, p, n);
        free(p);
        for (size_t off = len; off < len + n; off += (size_t)all[off + 1] << 8 | all[off + 2])
            n_blocks++;
        len += n;
    }
    assert_true(same_plain_oradis(all, len, n_blocks) > 0);
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
        cmocka_unit_test(test_ax_raw_walk),  cmocka_unit_test(test_ax_raw_samples),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    if (scratch_close() != 0)
        fprintf(stderr, "could not remove %s\n", scratch_dir);
    return td_exit(rc);
}
