/*
 * test_sim_stpetersburg.c — the stpetersburg-dark scenario against the real
 * St Petersburg Beast log (../shared/data/modes, SOURCES.md §4): the
 * simulated dark aircraft must fly inside the recording's time span and
 * among its real airliners (at every second of the truth, some real
 * aircraft has a decoded position within 60 NM and 10 s), the simulated
 * radar's plots (UTC time of day in I140) must fall inside that span, and
 * the scenario's Beast counter must mean the same UTC as the recording's.
 * Skips (exit 77) without the shared data. argv[1] is the cairn binary.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decode/asterix/asterix.h"
#include "decode/modes/beast.h"
#include "decode/modes/modes.h"
#include "feed/pcap.h"
#include "testdata.h"

#define BEAST_LOG "modes/beastblackbox_ulss7_1522782148.beast"
#define T0_UTC    1522782148.136 /* first frame, from the file name (SOURCES.md) */
#define MAX_POS   4000

static const char *cairn_bin;

static void test_dark_among_real(void **state)
{
    (void)state;
    if (!td_exists(BEAST_LOG)) {
        printf("SKIP: %s absent\n", td_path(BEAST_LOG));
        TD_SKIP();
    }
    char tmp[] = "/tmp/cairn_simspb.XXXXXX";
    assert_non_null(mkdtemp(tmp));
    char cmd[512];
    snprintf(cmd, sizeof cmd, "'%s' sim stpetersburg-dark --out %s --quiet", cairn_bin, tmp);
    assert_int_equal(system(cmd), 0);

    /* the real positions */
    FILE *f = fopen(td_path(BEAST_LOG), "rb");
    assert_non_null(f);
    static uint8_t buf[300000];
    size_t len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    static struct modes_ctx ctx;
    struct modes_opts o;
    modes_opts_default(&o);
    o.have_receiver = 1;
    o.rx_lat_deg = 59.9;
    o.rx_lon_deg = 30.3;
    modes_ctx_init(&ctx, &o);
    struct beast_parser bp;
    beast_parser_init(&bp);
    static double pt[MAX_POS], plat[MAX_POS], plon[MAX_POS];
    size_t np = 0, off = 0;
    uint64_t c_first = 0, c_last = 0;
    struct modes_frame fr;
    while (off < len) {
        ssize_t n = beast_parse(&bp, buf + off, len - off, &fr);
        assert_true(n > 0);
        off += (size_t)n;
        if (!fr.len)
            continue;
        if (!c_first)
            c_first = fr.ts_12mhz;
        c_last = fr.ts_12mhz;
        struct modes_msg m;
        if (modes_decode(&ctx, &fr, &m) == 0 && (m.has & MH_POS) && np < MAX_POS) {
            pt[np] = T0_UTC + (double)(fr.ts_12mhz - c_first) / 12e6;
            plat[np] = m.lat_deg;
            plon[np] = m.lon_deg;
            np++;
        }
    }
    double t_end = T0_UTC + (double)(c_last - c_first) / 12e6;
    printf("recording: %.3f .. %.3f UTC, %zu positions\n", T0_UTC, t_end, np);
    assert_true(np > 1000);

    /* the scenario's counter: counter_start + 12e6 * (t - start) */
    snprintf(cmd, sizeof cmd, "%s/scenarios/stpetersburg-dark.json", CAIRN_SOURCE_DIR);
    json_error_t je;
    json_t *sc = json_load_file(cmd, 0, &je);
    assert_non_null(sc);
    double c0 = (double)json_integer_value(json_object_get(sc, "beast_counter_start"));
    json_decref(sc);
    double start = 1522782148.0; /* the scenario's start, 19:02:28 UTC */
    assert_true(fabs((start + ((double)c_first - c0) / 12e6) - T0_UTC) < 1e-6);

    /* the truth of the dark aircraft */
    snprintf(cmd, sizeof cmd, "%s/truth.jsonl", tmp);
    f = fopen(cmd, "r");
    assert_non_null(f);
    char line[1024];
    unsigned secs = 0;
    double worst_nearest = 0;
    while (fgets(line, sizeof line, f)) {
        json_t *t = json_loads(line, 0, &je);
        assert_non_null(t);
        double ts = (double)json_integer_value(json_object_get(t, "t"));
        double lat = json_real_value(json_object_get(t, "lat"));
        double lon = json_real_value(json_object_get(t, "lon"));
        assert_false(json_is_true(json_object_get(t, "transponder")));
        json_decref(t);
        assert_true(ts >= floor(T0_UTC) && ts <= t_end);
        double nearest = 1e9;
        for (size_t i = 0; i < np; i++)
            if (fabs(pt[i] - ts) <= 10)
                nearest = fmin(nearest, modes_dist_nm(lat, lon, plat[i], plon[i]));
        worst_nearest = fmax(worst_nearest, nearest);
        secs++;
    }
    fclose(f);
    printf("dark aircraft: %u s of truth; nearest real aircraft always within %.1f NM\n", secs,
           worst_nearest);
    assert_true(secs >= 60);
    assert_true(worst_nearest < 60);

    /* radar plots inside the recording's span */
    snprintf(cmd, sizeof cmd, "%s/radar.pcap", tmp);
    struct feed_pcap *fp;
    char err[256];
    assert_int_equal(feed_pcap_open(&fp, cmd, err, sizeof err), 0);
    struct pcap_udp u;
    unsigned plots = 0;
    while (feed_pcap_next(fp, &u) == 1) {
        double t = (double)u.t_us / 1e6;
        assert_true(t >= floor(T0_UTC) && t <= t_end + 1);
        plots += u.payload[0] == 48;
    }
    feed_pcap_close(fp);
    printf("radar: %u primary plots of the dark aircraft\n", plots);
    assert_true(plots >= 10);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    assert_int_equal(system(cmd), 0);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    cairn_bin = argv[1];
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_dark_among_real)};
    return td_exit(cmocka_run_group_tests(tests, NULL, NULL));
}
