/*
 * test_replay_to.c — the pure parts of `cairn replay --to` (app/replay_to.h)
 * and the wire units it reads (feed/source.h, opts.units), on files written
 * here:
 *   - a Beast file of 30,000 frames (> 64 KiB, so frames are cut by the
 *     reader's chunks, with 0x1A escapes inside): the units put back
 *     together are the file, byte for byte; one unit per frame; times from
 *     the 12 MHz counter, relative without a start;
 *   - SBS and NMEA lines: one unit per line, the time of the line, lines
 *     without a time take the one before, a last line without its end;
 *   - iq refused in unit mode;
 *   - NMEA c: re-stamped (seconds and milliseconds), the TAG block's
 *     checksum right (parsed back by the AIS decoder), lines without c:
 *     untouched;
 *   - ASTERIX times of day shifted in CAT048 I140 (across midnight) and
 *     CAT001 I141 (modulo 512 s), other categories untouched; a raw
 *     ASTERIX file cut into blocks timed by their records (relative);
 *   - the merge (app_replay_to_run at --speed max into a sink thread on
 *     loopback, no waiting): two SBS recordings interleaved in time order,
 *     lines without time first, every byte once; a refused connection and
 *     a missing input reported, nothing sent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "app/replay_to.h"
#include "base/error.h"
#include "decode/ais/nmea.h"
#include "decode/modes/beast.h"
#include "decode/modes/frame.h"
#include "feed/source.h"
#include "scratch.h"

static struct feed_src *open_units(const char *spec)
{
    struct feed_src_opts o;
    memset(&o, 0, sizeof o);
    assert_int_equal(feed_spec_parse(spec, &o.fmt, &o.path), 0);
    o.units = 1;
    struct feed_src *s;
    char err[256];
    int rc = feed_src_open(&o, &s, err, sizeof err);
    if (rc != 0)
        fail_msg("%s: %s", spec, err);
    return s;
}

#define N_FRAMES 30000

static void test_beast_units(void **state)
{
    (void)state;
    size_t cap = (size_t)N_FRAMES * 40, len = 0;
    uint8_t *file = malloc(cap);
    assert_non_null(file);
    struct modes_frame f;
    memset(&f, 0, sizeof f);
    for (int i = 0; i < N_FRAMES; i++) {
        f.len = 14;
        f.signal = (uint8_t)i;
        f.ts_12mhz = 1000000 + (uint64_t)i * 12000; /* 1 ms apart */
        f.has_ts = 1;
        for (int k = 0; k < 14; k++)
            f.data[k] = (uint8_t)(i * 7 + k * 13); /* 0x1A now and then: escaped */
        int w = beast_encode(&f, file + len);
        assert_true(w > 0);
        len += (size_t)w;
    }
    assert_true(len > 3 * 65536);
    const char *path = scratch_write("u.beast", file, len);
    char spec[160];
    snprintf(spec, sizeof spec, "beast:%s", path);
    struct feed_src *s = open_units(spec);
    assert_true(feed_src_relative(s));
    struct feed_src_unit u;
    size_t off = 0, n = 0;
    int64_t last = -1;
    while (feed_src_next_unit(s, &u) == 1) {
        assert_true(off + u.len <= len);
        assert_memory_equal(u.p, file + off, u.len);
        off += u.len;
        assert_int_equal(u.t_ms, (int64_t)n); /* relative: ms from the first frame */
        assert_true(u.t_ms > last);
        last = u.t_ms;
        n++;
    }
    assert_int_equal(off, len);
    assert_int_equal(n, N_FRAMES);
    feed_src_close(s);
    free(file);
}

static void test_line_units(void **state)
{
    (void)state;
    static const char sbs[] =
        "MSG,3,1,1,4AC9E1,1,2014/03/03,13:00:01.500,2014/03/03,13:00:01.500,,2000,,,55.62,12.7,,,"
        "0,0,0,0\n"
        "garbage line\n"
        "MSG,1,1,1,4AC9E1,1,2014/03/03,13:00:02.000,2014/03/03,13:00:02.000,SAS681,,,,,,,,,,,";
    char spec[160];
    snprintf(spec, sizeof spec, "sbs:%s", scratch_write("u.sbs", sbs, sizeof sbs - 1));
    struct feed_src *s = open_units(spec);
    assert_false(feed_src_relative(s));
    struct feed_src_unit u;
    int64_t want[] = {1393851601500LL, 1393851601500LL, 1393851602000LL};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(feed_src_next_unit(s, &u), 1);
        assert_int_equal(u.t_ms, want[i]);
        assert_int_equal(u.p[u.len - 1], '\n'); /* the last one given its end */
    }
    assert_int_equal(feed_src_next_unit(s, &u), 0);
    feed_src_close(s);

    static const char nmea[] =
        "!AIVDM,1,1,,B,144d=kPP2<1Gq1lOa9C4i3l20000,0*16\n"
        "\\c:1460462401*5F\\!AIVDM,1,1,,B,144d=kPP2<1Gq1lOa9C4i3l20000,0*16\n"
        "!AIVDM,1,1,,B,144d=kPP2<1Gq1lOa9C4i3l20000,0*16\n";
    snprintf(spec, sizeof spec, "nmea:%s", scratch_write("u.nmea", nmea, sizeof nmea - 1));
    s = open_units(spec);
    assert_int_equal(feed_src_next_unit(s, &u), 1);
    assert_true(u.t_ms == FEED_UNIT_NO_TIME); /* before any dated line */
    assert_int_equal(feed_src_next_unit(s, &u), 1);
    assert_int_equal(u.t_ms, 1460462401000LL);
    assert_int_equal(feed_src_next_unit(s, &u), 1);
    assert_int_equal(u.t_ms, 1460462401000LL); /* the one before's */
    assert_int_equal(feed_src_next_unit(s, &u), 0);
    feed_src_close(s);

    /* iq is no wire format */
    struct feed_src_opts o;
    memset(&o, 0, sizeof o);
    o.fmt = FEED_IQ;
    o.path = scratch_write("u.iq", "\x7f\x7f", 2);
    o.units = 1;
    char err[256];
    assert_int_equal(feed_src_open(&o, &s, err, sizeof err), CAIRN_E_INVAL);
    assert_non_null(strstr(err, "iq"));
}

static void test_restamp_nmea(void **state)
{
    (void)state;
    static const char line[] =
        "\\s:rx1,c:1460462401*7A\\!AIVDM,1,1,,B,144d=kPP2<1Gq1lOa9C4i3l20000,"
        "0*16\r\n";
    /* the source's checksum as written above may be anything: the output's
     * is what must hold */
    char out[256];
    const int64_t now = 1796475609344LL;
    size_t n = app_replay_restamp_nmea(line, sizeof line - 1, now, out, sizeof out);
    assert_true(n > 0);
    struct nmea_vdm v;
    assert_int_equal(nmea_parse_vdm(out, n, &v), 0);
    assert_false(v.tag_error);
    assert_true(v.tag.has & NMEA_TAG_TIME);
    assert_int_equal(v.tag.time_ms, now / 1000 * 1000); /* seconds, as recorded */
    assert_string_equal(v.tag.source, "rx1");
    assert_memory_equal(out + n - 2, "\r\n", 2);
    /* milliseconds stay milliseconds */
    static const char ms[] =
        "\\c:1460462401123*00\\!AIVDM,1,1,,B,144d=kPP2<1Gq1lOa9C4i3l20000,0*16\n";
    n = app_replay_restamp_nmea(ms, sizeof ms - 1, now, out, sizeof out);
    assert_true(n > 0);
    assert_int_equal(nmea_parse_vdm(out, n, &v), 0);
    assert_false(v.tag_error);
    assert_int_equal(v.tag.time_ms, now);
    /* no c:, no TAG block, no room: left as they are */
    static const char noc[] = "\\s:rx1*00\\!AIVDM,1,1,,B,144d=kPP2<1Gq1lOa9C4i3l20000,0*16\n";
    assert_int_equal(app_replay_restamp_nmea(noc, sizeof noc - 1, now, out, sizeof out), 0);
    static const char bare[] = "!AIVDM,1,1,,B,144d=kPP2<1Gq1lOa9C4i3l20000,0*16\n";
    assert_int_equal(app_replay_restamp_nmea(bare, sizeof bare - 1, now, out, sizeof out), 0);
    assert_int_equal(app_replay_restamp_nmea(line, sizeof line - 1, now, out, 20), 0);
    /* cut lines never read past their end */
    for (size_t k = 0; k < sizeof line - 1; k++) {
        char *cut = malloc(k ? k : 1);
        memcpy(cut, line, k);
        (void)app_replay_restamp_nmea(cut, k, now, out, sizeof out);
        free(cut);
    }
}

static uint32_t tod3(const uint8_t *p)
{
    return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

static void test_restamp_ax(void **state)
{
    (void)state;
    /* CAT048: FSPEC 0xC0 = I010 (SAC/SIC) and I140 (time of day), twice */
    const uint32_t t = 86399 * 128 + 64; /* 23:59:59.5 */
    uint8_t b[] = {48,   0, 15, 0xC0, 1, 2,  (uint8_t)(t >> 16), (uint8_t)(t >> 8), (uint8_t)t,
                   0xC0, 1, 2,  0,    0, 128};
    assert_int_equal(app_replay_restamp_ax(b, sizeof b, 1000), 2);
    assert_int_equal(tod3(b + 6), 64); /* 00:00:00.5 the next day */
    assert_int_equal(tod3(b + 12), 256);
    assert_int_equal(app_replay_restamp_ax(b, sizeof b, -1000 - 86400000LL * 3), 2);
    assert_int_equal(tod3(b + 6), t);
    /* CAT001 I141 (FRN 7 of the plot UAP, which I020 TYP = 0 selects): FSPEC
     * 0xC2 = I010, I020, I141 */
    uint8_t c[] = {1, 0, 9, 0xC2, 1, 2, 0x00, 0xFF, 0xC0};
    assert_int_equal(app_replay_restamp_ax(c, sizeof c, 1000), 1);
    assert_int_equal(c[7] << 8 | c[8], (0xFFC0 + 128) % 65536);
    /* a category without a time of day, a broken block: untouched */
    uint8_t d[] = {65, 0, 3};
    assert_int_equal(app_replay_restamp_ax(d, sizeof d, 1000), 0);
    uint8_t e[] = {48, 0, 200, 0xC0};
    assert_int_equal(app_replay_restamp_ax(e, sizeof e, 1000), 0);
    assert_int_equal(e[3], 0xC0);
}

static void test_ax_units(void **state)
{
    (void)state;
    /* two CAT048 blocks (FSPEC 0xE0: I010, I140 the time of day, I020 with
     * TYP 1, a primary plot) at 13:00:00 and 13:00:01.5, and a CAT065 block
     * (no report: the time before) */
    uint8_t f[] = {48, 0, 10, 0xE0, 1, 2, 0x5B, 0x68, 0x00, 0x20, /* 46800 s * 128 */
                   48, 0, 10, 0xE0, 1, 2, 0x5B, 0x68, 0xC0, 0x20, 65, 0, 3};
    char spec[160];
    snprintf(spec, sizeof spec, "asterix:%s", scratch_write("u.ast", f, sizeof f));
    struct feed_src *s = open_units(spec);
    assert_true(feed_src_relative(s)); /* no date */
    struct feed_src_unit u;
    int64_t want[] = {46800000, 46801500, 46801500};
    size_t lens[] = {10, 10, 3};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(feed_src_next_unit(s, &u), 1);
        assert_int_equal(u.len, lens[i]);
        assert_int_equal(u.t_ms, want[i]);
    }
    assert_int_equal(feed_src_next_unit(s, &u), 0);
    feed_src_close(s);
}

struct sink {
    int ls;
    char got[4096];
    size_t len;
};

static void *sink_run(void *arg)
{
    struct sink *k = arg;
    int c = accept(k->ls, NULL, NULL);
    ssize_t g;
    while (c >= 0 && (g = read(c, k->got + k->len, sizeof k->got - 1 - k->len)) > 0)
        k->len += (size_t)g;
    if (c >= 0)
        close(c);
    k->got[k->len] = 0;
    return NULL;
}

static void test_merge(void **state)
{
    (void)state;
    /* two receivers' SBS lines, times interleaved; a line without time
     * opens the second */
    static const char a[] =
        "MSG,3,1,1,AAAAAA,1,2014/03/03,13:00:01.000,2014/03/03,13:00:01.000,,1,,,55,12,,,0,0,0,0\n"
        "MSG,3,1,1,AAAAAA,1,2014/03/03,13:00:03.000,2014/03/03,13:00:03.000,,3,,,55,12,,,0,0,0,0\n";
    static const char b[] =
        "STA,x\n"
        "MSG,3,1,1,BBBBBB,1,2014/03/03,13:00:02.000,2014/03/03,13:00:02.000,,2,,,55,12,,,0,0,0,0\n"
        "MSG,3,1,1,BBBBBB,1,2014/03/03,13:00:04.000,2014/03/03,13:00:04.000,,4,,,55,12,,,0,0,0,0\n";
    char pa[160], pb[160];
    snprintf(pa, sizeof pa, "sbs:%s", scratch_write("a.sbs", a, sizeof a - 1));
    snprintf(pb, sizeof pb, "sbs:%s", scratch_write("b.sbs", b, sizeof b - 1));
    static struct sink k;
    memset(&k, 0, sizeof k);
    k.ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t sl = sizeof sa;
    assert_int_equal(bind(k.ls, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(listen(k.ls, 1), 0);
    assert_int_equal(getsockname(k.ls, (struct sockaddr *)&sa, &sl), 0);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, sink_run, &k), 0);
    struct app_replay_to_opts o;
    memset(&o, 0, sizeof o);
    o.to.len = sizeof sa;
    memcpy(&o.to.ss, &sa, sizeof sa);
    o.speed = 0; /* max: no waiting */
    struct app_replay_to_stats st;
    char err[256];
    char *inputs[] = {pa, pb};
    assert_int_equal(app_replay_to_run(&o, inputs, 2, &st, err, sizeof err), 0);
    pthread_join(th, NULL);
    assert_int_equal(st.units, 5);
    assert_int_equal(st.no_time, 1);
    assert_int_equal(st.bytes, sizeof a - 1 + sizeof b - 1);
    assert_int_equal(st.data_ms, 3000);
    assert_int_equal(k.len, st.bytes);
    /* the order: STA, then the altitudes 1, 2, 3, 4 */
    const char *p = k.got;
    assert_int_equal(strncmp(p, "STA,x\n", 6), 0);
    for (int alt = 1; alt <= 4; alt++) {
        char needle[24];
        snprintf(needle, sizeof needle, ",,%d,", alt);
        const char *q = strstr(p, needle);
        if (!q)
            fail_msg("altitude %d not after the one before in: %s", alt, k.got);
        p = q;
    }
    /* the same sink port, now closed: refused; a missing input: nothing sent */
    close(k.ls);
    assert_int_equal(app_replay_to_run(&o, inputs, 2, &st, err, sizeof err), CAIRN_E_CLOSED);
    assert_non_null(strstr(err, "cannot connect"));
    assert_int_equal(st.units, 0);
    char *missing[] = {pa, "sbs:/nonexistent/x.sbs"};
    assert_int_equal(app_replay_to_run(&o, missing, 2, &st, err, sizeof err), CAIRN_E_IO);
    assert_non_null(strstr(err, "/nonexistent/x.sbs"));
    assert_int_equal(st.units, 0);
}

static int setup(void **state)
{
    (void)state;
    return scratch_open("cairn-replay-to");
}

static int teardown(void **state)
{
    (void)state;
    return scratch_close();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_beast_units),  cmocka_unit_test(test_line_units),
        cmocka_unit_test(test_restamp_nmea), cmocka_unit_test(test_restamp_ax),
        cmocka_unit_test(test_ax_units),     cmocka_unit_test(test_merge),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
