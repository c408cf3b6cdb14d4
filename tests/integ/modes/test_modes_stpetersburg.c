/*
 * test_modes_stpetersburg.c — the St Petersburg proof, through the library
 * and through `cairn decode`.
 *
 * The Beast log (61 s of real traffic, 13,954 frames) is decoded with the
 * receiver at 59.9 N 30.3 E as the only reference for local CPR decoding and
 * the range check. Then:
 *  - every one of the 11 aircraft of beastblackbox_ulss7_ICAOs.txt is seen,
 *    and no other address is trusted;
 *  - every position the independent decoder printed in the BaseStation file
 *    (1,456 lines; the log holds each burst twice, so does that file) has a
 *    decoded position of the same aircraft at the same time within 10 m, and
 *    every decoded position agrees with the BaseStation one at its time
 *    within 10 m (or, where BaseStation has none at that instant, lies on
 *    that aircraft's BaseStation track: within 10 m + 350 m/s times the gap);
 *  - no position lies outside 59.37-60.94 N, 30.45-37.20 E (SOURCES.md's
 *    box, rounded outwards) or beyond 250 NM of the receiver.
 * Times: the log's first frame is 2018-04-03 19:02:28.136 UTC (its file
 * name) and the BaseStation times are that plus the 12 MHz counter's
 * progress, so t_utc = 1522782148.136 + (t_s - t_s of the first frame).
 *
 * The CLI part runs the cairn binary (argv[1]) on the same file, on the
 * same bytes through stdin, and on pyModeS's 2,000 ADS-B messages written
 * as AVR text (all 2,000 must come out CRC-clean).
 *
 * Every file the test writes is in its own scratch folder (mkdtemp),
 * removed at the end whatever happened; every run of the binary has its
 * exit status checked (no shell pipeline hides a decoder that did not
 * run) and, when it failed, what it wrote on stderr is shown.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "integ_proc.h"

#include "base/error.h"
#include "decode/modes/beast.h"
#include "decode/modes/modes.h"
#include "decode/modes/sbs.h"
#include "testdata.h"

#define BEAST_LOG   "modes/beastblackbox_ulss7_1522782148.beast"
#define SBS_LOG     "modes/beastblackbox_ulss7_1522782148_decoded_sbs.txt"
#define ICAO_LIST   "modes/beastblackbox_ulss7_ICAOs.txt"
#define PYMODES_CSV "modes/pymodes_sample_data_adsb.csv"

#define T0_UTC  1522782148.136 /* the log's first frame, UTC seconds (file name) */
#define RX_LAT  59.9           /* the receiver, roughly: St Petersburg */
#define RX_LON  30.3
#define MAX_POS 8000

static const char *cairn_bin;
static struct stat bin_st; /* the binary as the test began */
static char tmp[64];       /* the scratch folder */

/* "" or why a run of the binary may have failed: the file was replaced
 * while the test ran (a build relinking it in this tree makes it
 * unexecutable for a while: the shell then says "Permission denied" or
 * "Text file busy" and exits 126). */
static const char *bin_changed(void)
{
    struct stat st;
    if (stat(cairn_bin, &st) != 0)
        return " (the binary is gone: a build in this tree?)";
    if (st.st_ino != bin_st.st_ino || st.st_mtim.tv_sec != bin_st.st_mtim.tv_sec ||
        st.st_mtim.tv_nsec != bin_st.st_mtim.tv_nsec)
        return " (the binary was replaced while the test ran: a build in this tree?)";
    return "";
}

struct pos {
    uint32_t icao;
    double t; /* UTC seconds */
    double lat, lon;
};

struct icao_set {
    uint32_t a[64];
    size_t n;
};

static void set_add(struct icao_set *s, uint32_t icao)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->a[i] == icao)
            return;
    assert_true(s->n < 64);
    s->a[s->n++] = icao;
}

static int set_has(const struct icao_set *s, uint32_t icao)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->a[i] == icao)
            return 1;
    return 0;
}

static double dist_m(double lat1, double lon1, double lat2, double lon2)
{
    const double r = 6371008.8, d2r = M_PI / 180; /* mean Earth radius, m */
    double dlat = (lat2 - lat1) * d2r, dlon = (lon2 - lon1) * d2r;
    double a = sin(dlat / 2) * sin(dlat / 2) +
               cos(lat1 * d2r) * cos(lat2 * d2r) * sin(dlon / 2) * sin(dlon / 2);
    return 2 * r * asin(sqrt(a));
}

static void load_icaos(struct icao_set *s)
{
    size_t len;
    char *txt = (char *)td_slurp(td_path(ICAO_LIST), &len);
    assert_non_null(txt);
    s->n = 0;
    for (char *tok = strtok(txt, " \r\n"); tok; tok = strtok(NULL, " \r\n")) {
        char *end;
        unsigned long v = strtoul(tok, &end, 16);
        if (*end == 0 && strlen(tok) == 6)
            set_add(s, (uint32_t)v);
    }
    free(txt);
    assert_int_equal(s->n, 11);
}

static size_t load_sbs(struct pos *p, size_t cap)
{
    size_t len;
    uint8_t *txt = td_slurp(td_path(SBS_LOG), &len);
    assert_non_null(txt);
    struct sbs_parser sp;
    sbs_parser_init(&sp);
    struct sbs_msg m;
    size_t off = 0, n = 0;
    ssize_t r;
    while ((r = sbs_parse(&sp, txt + off, len - off, &m)) > 0) {
        off += (size_t)r;
        if (m.has & SBS_HAS_POS) {
            assert_true(n < cap);
            p[n++] = (struct pos){m.icao, (double)m.t_gen_ms / 1000.0, m.lat_deg, m.lon_deg};
        }
    }
    free(txt);
    return n;
}

/* The proof proper, on positions from either path. */
static void check_positions(const struct pos *dec, size_t n_dec, const struct icao_set *seen)
{
    struct icao_set want;
    load_icaos(&want);
    for (size_t i = 0; i < want.n; i++)
        if (!set_has(seen, want.a[i]))
            fail_msg("aircraft %06x not decoded", (unsigned)want.a[i]);
    for (size_t i = 0; i < seen->n; i++)
        if (!set_has(&want, seen->a[i]))
            fail_msg("address %06x decoded but not in the reference list", (unsigned)seen->a[i]);

    struct pos *sbs = malloc(MAX_POS * sizeof *sbs);
    size_t n_sbs = load_sbs(sbs, MAX_POS);
    assert_int_equal(n_sbs, 1456);
    print_message("decoded positions: %zu (BaseStation: %zu)\n", n_dec, n_sbs);
    assert_true(n_dec >= 1456);

    /* Plausibility against the receiver only. */
    for (size_t i = 0; i < n_dec; i++) {
        const struct pos *d = &dec[i];
        if (d->lat < 59.37 || d->lat > 60.94 || d->lon < 30.45 || d->lon > 37.20 ||
            dist_m(d->lat, d->lon, RX_LAT, RX_LON) > 250 * 1852.0)
            fail_msg("%06x at t=%.3f: %.5f,%.5f is outside the plausible range", (unsigned)d->icao,
                     d->t, d->lat, d->lon);
    }
    /* Every BaseStation position has a decoded twin within 10 m. */
    double worst = 0;
    for (size_t i = 0; i < n_sbs; i++) {
        const struct pos *s = &sbs[i];
        double best = INFINITY;
        for (size_t j = 0; j < n_dec; j++)
            if (dec[j].icao == s->icao && fabs(dec[j].t - s->t) <= 0.002) /* ms printing */
                best = fmin(best, dist_m(s->lat, s->lon, dec[j].lat, dec[j].lon));
        if (!(best <= 10.0))
            fail_msg("BaseStation position %06x t=%.3f %.5f,%.5f: nearest decoded twin %.1f m",
                     (unsigned)s->icao, s->t, s->lat, s->lon, best);
        worst = fmax(worst, best);
    }
    /* Every decoded position agrees with BaseStation at its time, or lies on its track. */
    size_t twins = 0, extra = 0;
    for (size_t j = 0; j < n_dec; j++) {
        const struct pos *d = &dec[j];
        double best_same = INFINITY, best_track = INFINITY;
        for (size_t i = 0; i < n_sbs; i++) {
            if (sbs[i].icao != d->icao)
                continue;
            double dm = dist_m(d->lat, d->lon, sbs[i].lat, sbs[i].lon);
            double dt = fabs(sbs[i].t - d->t);
            if (dt <= 0.002)
                best_same = fmin(best_same, dm);
            /* 350 m/s: faster than any airliner in this recording (~280 m/s). */
            best_track = fmin(best_track, dm - 350.0 * dt);
        }
        if (best_same <= 10.0) {
            twins++;
        } else if (isinf(best_same) && best_track <= 10.0) {
            extra++;
        } else {
            fail_msg("decoded %06x t=%.3f %.5f,%.5f disagrees with BaseStation (%.1f m at the "
                     "same time, %.1f m off its track)",
                     (unsigned)d->icao, d->t, d->lat, d->lon, best_same, best_track);
        }
    }
    print_message("every BaseStation position matched within %.2f m; decoded: %zu twins, %zu "
                  "more on the same tracks\n",
                  worst, twins, extra);
    free(sbs);
}

/* ---- the library path ---- */

static void test_library(void **state)
{
    (void)state;
    TD_REQUIRE(BEAST_LOG);
    TD_REQUIRE(SBS_LOG);
    size_t len;
    uint8_t *data = td_slurp(td_path(BEAST_LOG), &len);
    assert_non_null(data);
    struct modes_opts o;
    modes_opts_default(&o);
    o.have_receiver = 1;
    o.rx_lat_deg = RX_LAT;
    o.rx_lon_deg = RX_LON;
    struct modes_ctx *ctx = malloc(sizeof *ctx);
    modes_ctx_init(ctx, &o);
    struct beast_parser p;
    beast_parser_init(&p);
    struct pos *dec = malloc(MAX_POS * sizeof *dec);
    struct icao_set seen = {.n = 0};
    size_t n_dec = 0, off = 0, n_ok = 0;
    double t_first = -1;
    struct modes_frame f;
    ssize_t r;
    while ((r = beast_parse(&p, data + off, len - off, &f)) > 0) {
        off += (size_t)r;
        if (t_first < 0)
            t_first = f.t_s;
        struct modes_msg m;
        if (modes_decode(ctx, &f, &m) != 0)
            continue;
        n_ok++;
        if (m.has & MH_ICAO)
            set_add(&seen, m.icao);
        if (m.has & MH_POS) {
            assert_true(n_dec < MAX_POS);
            dec[n_dec++] = (struct pos){m.icao, T0_UTC + (m.t_s - t_first), m.lat_deg, m.lon_deg};
        }
    }
    print_message("library: %zu of %llu frames decoded\n", n_ok, (unsigned long long)p.st.frames);
    check_positions(dec, n_dec, &seen);
    free(dec);
    free(ctx);
    free(data);
}

/* ---- the CLI path ---- */

struct cli_out {
    struct pos *pos;
    size_t n_pos, n_lines, n_crc_ok;
    struct icao_set seen;
    double t_first;
    int status;
};

/* Fail unless a run of the binary exited with want. */
static void want_status(int got, int want, const char *what)
{
    if (got != want)
        fail_msg("%s: exit status %d, not %d%s", what, got, want, bin_changed());
}

/* Run a shell command (the cairn binary inside it), parse its JSON Lines. */
static void run_cli(const char *cmd, struct cli_out *c)
{
    FILE *f = popen(cmd, "r");
    assert_non_null(f);
    char line[8192];
    c->n_pos = c->n_lines = c->n_crc_ok = 0;
    c->seen.n = 0;
    c->t_first = -1;
    while (fgets(line, sizeof line, f)) {
        json_error_t err;
        json_t *o = json_loads(line, 0, &err);
        if (!o)
            fail_msg("not JSON: %s (%s)", line, err.text);
        c->n_lines++;
        double t = json_number_value(json_object_get(o, "t"));
        if (c->t_first < 0)
            c->t_first = t;
        int ok = json_is_true(json_object_get(o, "crc_ok"));
        c->n_crc_ok += ok;
        const char *icao = json_string_value(json_object_get(o, "icao"));
        uint32_t a = icao ? (uint32_t)strtoul(icao, NULL, 16) : 0;
        if (ok && icao)
            set_add(&c->seen, a);
        json_t *lat = json_object_get(o, "lat"), *lon = json_object_get(o, "lon");
        if (ok && lat && lon && c->pos) {
            assert_true(c->n_pos < MAX_POS);
            c->pos[c->n_pos++] = (struct pos){a, t, json_number_value(lat), json_number_value(lon)};
        }
        json_decref(o);
    }
    int st = pclose(f);
    c->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The contents of path (malloc'ed, NUL-terminated; "" when unreadable). */
static char *slurp_text(const char *path)
{
    size_t len;
    char *t = (char *)td_slurp(path, &len);
    return t ? t : strdup("");
}

/* Run the shell command cmd (its last command the binary) with its
 * stderr into tmp/NAME.err; fail the test, with what it said, unless it
 * exits 0. */
static void run_ok(const char *name, const char *cmd)
{
    char err[128];
    snprintf(err, sizeof err, "%s/%s.err", tmp, name);
    int st = ip_sh("%s 2>'%s'", cmd, err);
    if (st != 0) {
        char *text = slurp_text(err);
        fail_msg("%s: exit status %d%s: %s\nits stderr: %.2000s", name, st, bin_changed(), cmd,
                 text);
    }
}

/* The --aircraft table of tmp/NAME.err, columns icao, callsign, squawk,
 * pos, last position, alt_ft (not msgs and times: SBS has no Mode A/C or
 * Comm-B), one line each, sorted, into out; the number of aircraft. */
static size_t aircraft_rows(const char *name, char *out, size_t cap)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s.err", tmp, name);
    char *text = slurp_text(path);
    char *rows[64];
    size_t n = 0;
    char *lines, *words;
    for (char *l = strtok_r(text, "\n", &lines); l; l = strtok_r(NULL, "\n", &lines)) {
        char *f[10];
        size_t nf = 0;
        for (char *w = strtok_r(l, " ", &words); w && nf < 10; w = strtok_r(NULL, " ", &words))
            f[nf++] = w;
        if (nf != 9 || strlen(f[0]) != 6 || !strcmp(f[0], "icao"))
            continue;
        assert_true(n < 64);
        rows[n] = malloc(256);
        assert_non_null(rows[n]);
        snprintf(rows[n], 256, "%s %s %s %s %s %s", f[0], f[1], f[2], f[4], f[7], f[8]);
        n++;
    }
    qsort(rows, n, sizeof rows[0], cmp_str);
    out[0] = 0;
    for (size_t i = 0; i < n; i++) {
        strncat(out, rows[i], cap - strlen(out) - 2);
        strcat(out, "\n");
        free(rows[i]);
    }
    free(text);
    return n;
}

static void test_cli_beast(void **state)
{
    (void)state;
    TD_REQUIRE(BEAST_LOG);
    TD_REQUIRE(SBS_LOG);
    /* td_path's buffer is shared: each path in its own */
    char beast[4096], sbs[4096];
    snprintf(beast, sizeof beast, "%s", td_path(BEAST_LOG));
    snprintf(sbs, sizeof sbs, "%s", td_path(SBS_LOG));
    char cmd[32768];
    struct cli_out c = {.pos = malloc(MAX_POS * sizeof(struct pos))};
    snprintf(cmd, sizeof cmd, "'%s' decode --format beast --receiver %.1f,%.1f '%s'", cairn_bin,
             RX_LAT, RX_LON, beast);
    run_cli(cmd, &c);
    want_status(c.status, 0, cmd);
    print_message("cli: %zu lines, %zu crc_ok, %zu positions\n", c.n_lines, c.n_crc_ok, c.n_pos);
    /* Rebase t to UTC from the log's first frame. */
    size_t len;
    uint8_t *data = td_slurp(beast, &len);
    assert_non_null(data);
    struct beast_parser p;
    beast_parser_init(&p);
    struct modes_frame first;
    assert_true(beast_parse(&p, data, len, &first) > 0);
    free(data);
    for (size_t i = 0; i < c.n_pos; i++)
        c.pos[i].t = T0_UTC + (c.pos[i].t - first.t_s);
    check_positions(c.pos, c.n_pos, &c.seen);

    /* The same bytes through stdin, in a pipe: the same output. */
    char out1[128], out2[128];
    snprintf(out1, sizeof out1, "%s/a.jsonl", tmp);
    snprintf(out2, sizeof out2, "%s/b.jsonl", tmp);
    snprintf(cmd, sizeof cmd, "'%s' decode --format beast --receiver 59.9,30.3 '%s' > '%s'",
             cairn_bin, beast, out1);
    run_ok("file", cmd);
    snprintf(cmd, sizeof cmd, "cat '%s' | '%s' decode --format beast --receiver 59.9,30.3 - > '%s'",
             beast, cairn_bin, out2);
    run_ok("stdin", cmd);
    char *t1 = slurp_text(out1), *t2 = slurp_text(out2);
    assert_true(strlen(t1) > 0);
    assert_true(strcmp(t1, t2) == 0);
    free(t1);
    free(t2);

    /* --aircraft on the Beast log and on the BaseStation file: the same 11
     * aircraft with the same callsign, squawk, position count, last position
     * and altitude (message counts differ: SBS has no Mode A/C or Comm-B). */
    static char rows_beast[8192], rows_sbs[8192];
    snprintf(cmd, sizeof cmd,
             "'%s' decode --quiet --aircraft --format beast --receiver 59.9,30.3 '%s' >/dev/null",
             cairn_bin, beast);
    run_ok("ac-beast", cmd);
    snprintf(cmd, sizeof cmd, "'%s' decode --quiet --aircraft '%s' >/dev/null", cairn_bin, sbs);
    run_ok("ac-sbs", cmd);
    assert_int_equal(aircraft_rows("ac-beast", rows_beast, sizeof rows_beast), 11);
    assert_int_equal(aircraft_rows("ac-sbs", rows_sbs, sizeof rows_sbs), 11);
    assert_string_equal(rows_beast, rows_sbs);

    /* The BaseStation file through the CLI: 8,622 messages, 1,456 positions. */
    struct cli_out s = {.pos = malloc(MAX_POS * sizeof(struct pos))};
    snprintf(cmd, sizeof cmd, "'%s' decode --format sbs '%s'", cairn_bin, sbs);
    run_cli(cmd, &s);
    want_status(s.status, 0, cmd);
    assert_int_equal(s.n_lines, 8622);
    free(s.pos);
    free(c.pos);
}

static void test_cli_pymodes_avr(void **state)
{
    (void)state;
    TD_REQUIRE(PYMODES_CSV);
    size_t len;
    char *csv = (char *)td_slurp(td_path(PYMODES_CSV), &len);
    assert_non_null(csv);
    char avr[256];
    snprintf(avr, sizeof avr, "%s/pymodes.avr", tmp);
    FILE *f = fopen(avr, "w");
    assert_non_null(f);
    size_t rows = 0;
    /* rows: unix_time,"hex28","icao",typecode */
    for (char *l = strtok(csv, "\r\n"); l; l = strtok(NULL, "\r\n")) {
        char *q = strchr(l, '"');
        if (!q || strlen(q) < 30 || q[29] != '"')
            continue;
        fprintf(f, "*%.28s;\n", q + 1);
        rows++;
    }
    fclose(f);
    free(csv);
    assert_int_equal(rows, 2000);
    char cmd[32768];
    snprintf(cmd, sizeof cmd, "'%s' decode --format avr '%s'", cairn_bin, avr);
    struct cli_out c = {.pos = NULL};
    run_cli(cmd, &c);
    unlink(avr);
    want_status(c.status, 0, cmd);
    assert_int_equal(c.n_lines, 2000);
    assert_int_equal(c.n_crc_ok, 2000);
    assert_int_equal(c.seen.n, 1);
    assert_int_equal(c.seen.a[0], 0x406B90);
}

/* Unreadable files fail the exit status but do not stop the others; garbage is not fatal. */
static void test_cli_errors(void **state)
{
    (void)state;
    char junk[256], cmd[32768];
    snprintf(junk, sizeof junk, "%s/junk.beast", tmp);
    FILE *f = fopen(junk, "wb");
    assert_non_null(f);
    for (int i = 0; i < 100000; i++)
        fputc((i * 7919) % 251 == 0 ? 0x1A : (i * 31) & 0xFF, f);
    /* one good Mode A/C frame at the end */
    static const uint8_t ac[] = {0x1A, '1', 0, 0, 0, 0, 0, 1, 9, 0x12, 0x34};
    fwrite(ac, 1, sizeof ac, f);
    fclose(f);
    struct cli_out c = {.pos = NULL};
    snprintf(cmd, sizeof cmd, "'%s' decode --format beast '%s' 2>/dev/null", cairn_bin, junk);
    run_cli(cmd, &c);
    want_status(c.status, 0, cmd);
    assert_true(c.n_lines >= 1);
    snprintf(cmd, sizeof cmd, "'%s' decode --format beast /nonexistent/x.beast '%s' 2>/dev/null",
             cairn_bin, junk);
    run_cli(cmd, &c);
    want_status(c.status, 1, cmd);
    assert_true(c.n_lines >= 1);
    snprintf(cmd, sizeof cmd, "'%s' decode --format bogus x >/dev/null 2>&1", cairn_bin);
    want_status(ip_sh("%s", cmd), 2, cmd);
    snprintf(cmd, sizeof cmd, "'%s' decode --format sbs --help | grep -q BaseStation", cairn_bin);
    want_status(ip_sh("%s", cmd), 0, cmd);
    unlink(junk);
}

static int group_setup(void **state)
{
    (void)state;
    return ip_scratch(tmp, sizeof tmp, "stp");
}

static int group_teardown(void **state)
{
    (void)state;
    return ip_scratch_remove(tmp);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s PATH_TO_CAIRN\n", argv[0]);
        return 2;
    }
    cairn_bin = argv[1];
    if (stat(cairn_bin, &bin_st) != 0) {
        fprintf(stderr, "%s: %s: %s\n", argv[0], cairn_bin, strerror(errno));
        return 2;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_library),
        cmocka_unit_test(test_cli_beast),
        cmocka_unit_test(test_cli_pymodes_avr),
        cmocka_unit_test(test_cli_errors),
    };
    return td_exit(cmocka_run_group_tests(tests, group_setup, group_teardown));
}
