/*
 * test_sim_cli.c — `cairn sim` end to end: the files it writes for shipped
 * scenarios, decoded with cairn's own decoders and compared with its truth.
 *
 *  - reproducible: two runs with one seed give identical bytes in all six
 *    files; another seed changes the radar noise;
 *  - ADS-B (malmo-2014): every Beast frame CRC-clean, every CPR position
 *    within 10 m of the truth at the frame's time (UTC = midnight + counter
 *    / 12 MHz), AVR carrying the same frames and counters, SBS positions
 *    within 2 m (5 decimals) at their UTC time;
 *  - radar (malmo-2014): every datagram to UDP 8600 at the plot time,
 *    I140 within 1/128 s of it, each plot converted back (ground range from
 *    slant range with the true altitude, azimuth) within 6 sigma of the
 *    truth; the Il-20 (no transponder) only in primary-only plots, the
 *    airliner in Mode S plots with a few missed replies; tshark (if
 *    installed) reads every packet as ASTERIX without a malformed one;
 *  - AIS (baltic-sea): checksums and TAG times good, positions within half
 *    of 1/10,000 minute of the truth at the TAG time, type 5 reassembled,
 *    nothing from the cargo ship after it switched AIS off (t = 900 s);
 *  - vigilant-skies-2011: the renegade's ADS-B carries 7600 / NORDO (TC 28)
 *    after t = 900 s;
 *  - stream-style: adsb.beast, adsb.avr, adsb.sbs and ais.nmea fed to their
 *    parsers whole, byte by byte and at random splits (seed printed) give
 *    the same messages;
 *  - live (loopback): --tcp-beast 0 and --udp-asterix at 30 times real time
 *    deliver exactly the bytes of adsb.beast and the datagrams of
 *    radar.pcap, in order (socket timeouts bound the test).
 * argv[1] is the cairn binary. Bounded: a few seconds of work.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/error.h"
#include "decode/ais/ais.h"
#include "decode/asterix/asterix.h"
#include "decode/modes/avr.h"
#include "decode/modes/beast.h"
#include "decode/modes/modes.h"
#include "decode/modes/sbs.h"
#include "feed/pcap.h"
#include "sim/geodesy.h"
#include "testdata.h"

static const char *cairn_bin;
static char tmp[64];

/* ---------------------------------------------------------------- truth */

#define MAX_IDS 16
#define MAX_T   5000

struct tpos {
    int have;
    double lat, lon, alt;
};

struct truth {
    int64_t t0;
    int n;
    char id[MAX_IDS][32];
    uint32_t icao[MAX_IDS];
    uint32_t mmsi[MAX_IDS];
    struct tpos *p[MAX_IDS]; /* [t - t0] */
};

static void truth_load(struct truth *tr, const char *dir)
{
    char path[256];
    snprintf(path, sizeof path, "%s/truth.jsonl", dir);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    memset(tr, 0, sizeof *tr);
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        json_error_t e;
        json_t *o = json_loads(line, 0, &e);
        assert_non_null(o);
        int64_t t = json_integer_value(json_object_get(o, "t"));
        const char *id = json_string_value(json_object_get(o, "id"));
        assert_non_null(id);
        if (!tr->t0)
            tr->t0 = t;
        int k = 0;
        while (k < tr->n && strcmp(tr->id[k], id))
            k++;
        if (k == tr->n) {
            assert_true(tr->n < MAX_IDS);
            snprintf(tr->id[k], sizeof tr->id[k], "%s", id);
            tr->p[k] = calloc(MAX_T, sizeof(struct tpos));
            const char *hex = json_string_value(json_object_get(o, "icao"));
            tr->icao[k] = hex ? (uint32_t)strtoul(hex, NULL, 16) : 0;
            json_t *mm = json_object_get(o, "mmsi");
            tr->mmsi[k] = json_is_integer(mm) ? (uint32_t)json_integer_value(mm) : 0;
            tr->n++;
        }
        int64_t i = t - tr->t0;
        assert_true(i >= 0 && i < MAX_T);
        tr->p[k][i].have = 1;
        tr->p[k][i].lat = json_real_value(json_object_get(o, "lat"));
        tr->p[k][i].lon = json_real_value(json_object_get(o, "lon"));
        tr->p[k][i].alt = json_number_value(json_object_get(o, "alt_ft"));
        json_decref(o);
    }
    fclose(f);
}

static void truth_free(struct truth *tr)
{
    for (int k = 0; k < tr->n; k++)
        free(tr->p[k]);
}

/* Truth of mover k at UTC time t (s): linear between whole seconds. */
static int truth_at(const struct truth *tr, int k, double t, double *lat, double *lon, double *alt)
{
    double x = t - (double)tr->t0;
    int64_t i = (int64_t)floor(x);
    if (i < 0 || i + 1 >= MAX_T || !tr->p[k][i].have)
        return 0;
    double f = x - (double)i;
    const struct tpos *a = &tr->p[k][i], *b = &tr->p[k][i + 1];
    if (!b->have) {
        if (f > 0)
            return 0; /* after the last second of truth: nothing to compare with */
        b = a;
    }
    *lat = a->lat + f * (b->lat - a->lat);
    *lon = a->lon + f * (b->lon - a->lon);
    *alt = a->alt + f * (b->alt - a->alt);
    return 1;
}

static int by_icao(const struct truth *tr, uint32_t icao)
{
    for (int k = 0; k < tr->n; k++)
        if (tr->icao[k] == icao)
            return k;
    return -1;
}

/* ---------------------------------------------------------------- files */

static uint8_t *slurp(const char *dir, const char *name, size_t *len)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *p = malloc((size_t)n + 1);
    assert_non_null(p);
    assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
    p[n] = 0;
    fclose(f);
    *len = (size_t)n;
    return p;
}

static void run_sim(const char *scenario, const char *sub, const char *extra)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "'%s' sim %s --out %s/%s --quiet %s", cairn_bin, scenario, tmp, sub,
             extra);
    int rc = system(cmd);
    if (rc != 0)
        fail_msg("'%s' exited with %d", cmd, rc);
}

static void dir_of(char *out, size_t cap, const char *sub)
{
    snprintf(out, cap, "%s/%s", tmp, sub);
}

/* ------------------------------------------------------------------ tests */

static void test_reproducible(void **state)
{
    (void)state;
    run_sim("malmo-2014", "m1", "--seed 7 --duration 300");
    run_sim("malmo-2014", "m2", "--seed 7 --duration 300");
    run_sim("malmo-2014", "m3", "--seed 8 --duration 300");
    static const char *files[] = {"radar.pcap", "adsb.beast", "adsb.avr",
                                  "adsb.sbs",   "ais.nmea",   "truth.jsonl"};
    char d1[128], d2[128], d3[128];
    dir_of(d1, sizeof d1, "m1");
    dir_of(d2, sizeof d2, "m2");
    dir_of(d3, sizeof d3, "m3");
    for (size_t i = 0; i < 6; i++) {
        size_t n1, n2;
        uint8_t *a = slurp(d1, files[i], &n1), *b = slurp(d2, files[i], &n2);
        assert_int_equal(n1, n2);
        assert_memory_equal(a, b, n1);
        free(a);
        free(b);
    }
    size_t n1, n3;
    uint8_t *a = slurp(d1, "radar.pcap", &n1), *c = slurp(d3, "radar.pcap", &n3);
    assert_true(n1 != n3 || memcmp(a, c, n1) != 0);
    free(a);
    free(c);
}

static void test_adsb(void **state)
{
    (void)state;
    char d[128];
    dir_of(d, sizeof d, "m1");
    struct truth tr;
    truth_load(&tr, d);
    double midnight = (double)(tr.t0 - tr.t0 % 86400);
    size_t len, alen;
    uint8_t *buf = slurp(d, "adsb.beast", &len), *abuf = slurp(d, "adsb.avr", &alen);
    static struct modes_ctx ctx;
    modes_ctx_init(&ctx, NULL);
    struct beast_parser bp;
    struct avr_parser ap;
    beast_parser_init(&bp);
    avr_parser_init(&ap);
    size_t off = 0, aoff = 0, frames = 0, pos = 0;
    double worst = 0;
    struct modes_frame f, af;
    while (off < len) {
        ssize_t n = beast_parse(&bp, buf + off, len - off, &f);
        assert_true(n > 0);
        off += (size_t)n;
        if (!f.len)
            continue;
        /* the same frame in the AVR file */
        for (;;) {
            ssize_t an = avr_parse(&ap, abuf + aoff, alen - aoff, &af);
            assert_true(an > 0);
            aoff += (size_t)an;
            if (af.len)
                break;
        }
        assert_int_equal(af.len, f.len);
        assert_memory_equal(af.data, f.data, f.len);
        assert_true(af.ts_12mhz == f.ts_12mhz);
        frames++;
        struct modes_msg m;
        assert_int_equal(modes_crc(f.data, 14), 0);
        assert_int_equal(modes_decode(&ctx, &f, &m), 0);
        if (!(m.has & MH_POS))
            continue;
        int k = by_icao(&tr, m.icao);
        assert_true(k >= 0);
        double t = midnight + (double)f.ts_12mhz / 12e6, lat, lon, alt;
        if (!truth_at(&tr, k, t, &lat, &lon, &alt))
            continue; /* after the last second of truth */
        double e = modes_dist_nm(lat, lon, m.lat_deg, m.lon_deg) * 1852;
        worst = fmax(worst, e);
        if (fabs(m.alt_baro_ft - alt) > 12.5 + 1e-6)
            fail_msg("t %.3f: altitude %d, truth %.1f", t, m.alt_baro_ft, alt);
        pos++;
    }
    printf("ADS-B: %zu frames, %zu positions, worst CPR error %.2f m\n", frames, pos, worst);
    assert_true(pos > 400);
    assert_true(worst < 10);
    free(buf);
    free(abuf);

    /* SBS */
    buf = slurp(d, "adsb.sbs", &len);
    struct sbs_parser sp;
    sbs_parser_init(&sp);
    off = 0;
    size_t n3 = 0;
    worst = 0;
    struct sbs_msg sm;
    while (off < len) {
        ssize_t n = sbs_parse(&sp, buf + off, len - off, &sm);
        assert_true(n > 0);
        off += (size_t)n;
        if (!sm.tx_type || !(sm.has & SBS_HAS_POS))
            continue;
        assert_true(sm.has & SBS_HAS_TIME);
        int k = by_icao(&tr, sm.icao);
        double lat, lon, alt;
        if (!truth_at(&tr, k, (double)sm.t_gen_ms / 1000.0, &lat, &lon, &alt))
            continue;
        worst = fmax(worst, modes_dist_nm(lat, lon, sm.lat_deg, sm.lon_deg) * 1852);
        memset(&sm, 0, sizeof sm);
        n3++;
    }
    printf("SBS: %zu positions, worst %.2f m\n", n3, worst);
    assert_true(n3 > 400 && worst < 2);
    assert_int_equal(sp.st.bad_lines, 0);
    free(buf);
    truth_free(&tr);
}

static double leaf(const struct ax_record *r, const char *id, const char *path)
{
    struct ax_leaf l;
    const struct ax_item *it = ax_record_item(r, id);
    if (!it || ax_item_field(it, path, &l) != 1)
        fail_msg("CAT%03u I%s %s absent", r->cat ? r->cat->cat : 0, id, path);
    return ax_leaf_value(&l);
}

static void test_radar(void **state)
{
    (void)state;
    char d[128], path[160];
    dir_of(d, sizeof d, "m1");
    struct truth tr;
    truth_load(&tr, d);
    /* the scenario's radars, by SIC (malmo-2014.json) */
    static const struct {
        uint8_t sic;
        double lat, lon, alt_m, sr, sa;
    } radars[] = {{1, 55.6297, 12.6447, 40, 40, 0.08}, {2, 55.5363, 13.3762, 60, 60, 0.08}};
    snprintf(path, sizeof path, "%s/radar.pcap", d);
    struct feed_pcap *fp;
    char err[256];
    if (feed_pcap_open(&fp, path, err, sizeof err) != 0)
        fail_msg("%s: %s", path, err);
    struct pcap_udp u;
    int k_sas = -1, k_il = -1;
    for (int k = 0; k < tr.n; k++) {
        if (!strcmp(tr.id[k], "SAS681"))
            k_sas = k;
        if (!strcmp(tr.id[k], "IL20"))
            k_il = k;
    }
    assert_true(k_sas >= 0 && k_il >= 0);
    unsigned plots = 0, nm = 0, sas = 0, sas_psr = 0, il = 0;
    double zmax_r = 0, zmax_a = 0;
    const struct ax_category *c48 = ax_category_find(48, AX_ED(1, 31));
    const struct ax_category *c34 = ax_category_find(34, AX_ED(1, 29));
    uint64_t prev_us = 0;
    while (feed_pcap_next(fp, &u) == 1) {
        assert_int_equal(u.dport, 8600);
        assert_true(u.t_us >= prev_us); /* in time order */
        prev_us = u.t_us;
        assert_true(u.len >= 3 && (size_t)(u.payload[1] << 8 | u.payload[2]) == u.len);
        struct ax_record r;
        struct ax_error e;
        memset(&e, 0, sizeof e);
        const struct ax_category *c = u.payload[0] == 48 ? c48 : c34;
        assert_int_equal(ax_record_decode(c, u.payload + 3, u.len - 3, &r, &e), (int)u.len - 3);
        double t = (double)u.t_us / 1e6;
        double tod =
            leaf(&r, u.payload[0] == 48 ? "140" : "030", u.payload[0] == 48 ? "140" : "030");
        assert_true(fabs(tod - fmod(t, 86400.0)) <= 1.0 / 256 + 1e-6);
        if (u.payload[0] == 34) {
            nm++;
            continue;
        }
        plots++;
        unsigned sic = (unsigned)leaf(&r, "010", "SIC");
        size_t ri = sic == 1 ? 0 : 1;
        int typ = (int)leaf(&r, "020", "TYP");
        double rho = leaf(&r, "040", "RHO") * SIM_NM_M, th = leaf(&r, "040", "THETA");
        int k;
        if (ax_record_item(&r, "220")) {
            assert_int_equal((uint32_t)leaf(&r, "220", "220"), tr.icao[k_sas]);
            k = k_sas;
        } else {
            /* primary only: the nearer of the two in azimuth */
            double la, lo, al, g, a1, a2;
            truth_at(&tr, k_sas, t, &la, &lo, &al);
            sim_geod_inverse(radars[ri].lat, radars[ri].lon, la, lo, &g, &a1);
            truth_at(&tr, k_il, t, &la, &lo, &al);
            sim_geod_inverse(radars[ri].lat, radars[ri].lon, la, lo, &g, &a2);
            k = fabs(remainder(th - a1, 360)) < fabs(remainder(th - a2, 360)) ? k_sas : k_il;
            assert_int_equal(typ, 1);
        }
        double la, lo, al, g, az;
        if (!truth_at(&tr, k, t, &la, &lo, &al))
            continue;
        sim_geod_inverse(radars[ri].lat, radars[ri].lon, la, lo, &g, &az);
        double re = sim_earth_radius_m(radars[ri].lat);
        double gm = sim_ground_m(re, radars[ri].alt_m, al * SIM_FT_M, rho);
        zmax_r = fmax(zmax_r, fabs(gm - g) / (radars[ri].sr + 4));
        zmax_a = fmax(zmax_a, fabs(remainder(th - az, 360)) / (radars[ri].sa + 0.003));
        if (k == k_sas) {
            sas++;
            sas_psr += typ == 1;
        } else {
            il++;
        }
    }
    feed_pcap_close(fp);
    printf("radar: %u plots (SAS681 %u, of which primary-only %u; Il-20 %u), %u CAT034, "
           "max |z| range %.2f azimuth %.2f\n",
           plots, sas, sas_psr, il, nm, zmax_r, zmax_a);
    assert_true(il > 50);
    assert_true(sas > 50);
    assert_true(sas_psr < sas / 4); /* ssr_miss 2 % (a few) */
    assert_true(zmax_r < 6 && zmax_a < 6);
    assert_true(nm > 100);
    truth_free(&tr);
}

/* Wireshark's dissector reads every packet of radar.pcap as ASTERIX CAT048
 * or CAT034, none malformed (the files of test_reproducible). */
static void test_tshark(void **state)
{
    (void)state;
    char d[128], path[160];
    dir_of(d, sizeof d, "m1");
    snprintf(path, sizeof path, "%s/radar.pcap", d);
    if (access("/usr/bin/tshark", X_OK) != 0) {
        printf("SKIP: tshark not installed\n");
        TD_SKIP();
    }
    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "tshark -r %s -d udp.port==8600,asterix -T fields -e asterix.category 2>/dev/null | "
             "grep -c -v -x -E '48|34'",
             path);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char out[64] = "";
    assert_non_null(fgets(out, sizeof out, p));
    pclose(p);
    assert_int_equal(atoi(out), 0); /* every packet is CAT048 or CAT034 */
    snprintf(cmd, sizeof cmd,
             "tshark -r %s -d udp.port==8600,asterix 2>/dev/null | grep -c -i malformed", path);
    p = popen(cmd, "r");
    assert_non_null(p);
    assert_non_null(fgets(out, sizeof out, p));
    pclose(p);
    assert_int_equal(atoi(out), 0);
}

struct ais_chk {
    int64_t prev_ms;
    struct truth *tr;
    unsigned pos, t5, cargo_late;
    double worst;
};

static void on_ais(void *user, const struct ais_msg *m)
{
    struct ais_chk *c = user;
    int k = -1;
    for (int i = 0; i < c->tr->n; i++)
        if (c->tr->mmsi[i] == m->mmsi)
            k = i;
    assert_true(k >= 0);
    assert_true(m->t_ms >= c->prev_ms); /* in time order */
    c->prev_ms = m->t_ms;
    if (!strcmp(c->tr->id[k], "CARGO") && m->t_ms / 1000 >= c->tr->t0 + 900)
        c->cargo_late++;
    if (m->type == 5) {
        c->t5++;
        return;
    }
    size_t lonpos = m->type == 18 ? 57 : 61;
    double lon = ais_msg_s(m, lonpos, 28) / 600000.0,
           lat = ais_msg_s(m, lonpos + 28, 27) / 600000.0;
    double la, lo, al;
    assert_true(m->t_ms % 1000 == 0);
    assert_true(truth_at(c->tr, k, (double)m->t_ms / 1000.0, &la, &lo, &al));
    if (fabs(la - lat) > 0.5 / 600000 + 0.6e-7 || fabs(lo - lon) > 0.5 / 600000 + 0.6e-7)
        fail_msg("%s at %lld: %.7f %.7f, truth %.7f %.7f", c->tr->id[k], (long long)m->t_ms, lat,
                 lon, la, lo);
    c->pos++;
}

static void test_ais(void **state)
{
    (void)state;
    run_sim("baltic-sea", "b", "--seed 3 --duration 1500");
    char d[128];
    dir_of(d, sizeof d, "b");
    struct truth tr;
    truth_load(&tr, d);
    size_t len;
    uint8_t *buf = slurp(d, "ais.nmea", &len);
    static struct ais_ctx ctx;
    ais_ctx_init(&ctx);
    struct ais_chk c = {0, &tr, 0, 0, 0, 0};
    ais_feed(&ctx, (const char *)buf, len, 0, on_ais, &c);
    ais_flush(&ctx, 0, on_ais, &c);
    printf("AIS: %u positions, %u type 5, %" PRIu64 " bad checksums\n", c.pos, c.t5,
           ctx.stats.bad_checksum);
    assert_true(c.pos > 100 && c.t5 >= 2);
    assert_int_equal(ctx.stats.bad_checksum + ctx.stats.bad_format + ctx.stats.bad_tag, 0);
    assert_int_equal(c.cargo_late, 0);
    free(buf);
    truth_free(&tr);
}

static void test_vigilant_nordo(void **state)
{
    (void)state;
    run_sim("vigilant-skies-2011", "v", "--duration 1200 --formats beast,truth");
    char d[128];
    dir_of(d, sizeof d, "v");
    size_t len;
    uint8_t *buf = slurp(d, "adsb.beast", &len);
    static struct modes_ctx ctx;
    modes_ctx_init(&ctx, NULL);
    struct beast_parser bp;
    beast_parser_init(&bp);
    size_t off = 0;
    unsigned nordo = 0, early = 0;
    uint64_t prev = 0;
    struct modes_frame f;
    /* start 09:00:00 UTC: 7600 from 09:15:00 = 32400 + 900 s of day */
    while (off < len) {
        ssize_t n = beast_parse(&bp, buf + off, len - off, &f);
        assert_true(n > 0);
        off += (size_t)n;
        if (!f.len)
            continue;
        assert_true(f.ts_12mhz >= prev); /* in time order */
        prev = f.ts_12mhz;
        struct modes_msg m;
        assert_int_equal(modes_decode(&ctx, &f, &m), 0);
        if (m.tc == 28 && (m.has & MH_EMERGENCY) && m.emergency == 4 && m.squawk == 07600) {
            nordo++;
            if ((double)f.ts_12mhz / 12e6 < 33300)
                early++;
        }
    }
    printf("NORDO squitters: %u\n", nordo);
    assert_true(nordo > 200);
    assert_int_equal(early, 0);
    free(buf);
}

/* ------------------------------------------------- stream-style feeding */

#define SPLIT_SEED 4242u

struct dig {
    uint64_t h;
    size_t n;
};

static void dig_add(struct dig *d, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        d->h = (d->h ^ b[i]) * 0x100000001B3ull;
}

/* Next chunk length: mode 0 whole, 1 one byte, 2 random 1..97 bytes. */
static size_t chunk(int mode, uint64_t *rng, size_t left)
{
    if (mode == 0)
        return left;
    if (mode == 1)
        return 1;
    *rng = *rng * 6364136223846793005ull + 1442695040888963407ull;
    size_t c = 1 + (size_t)(*rng >> 33) % 97;
    return c < left ? c : left;
}

enum fmt { F_BEAST, F_AVR, F_SBS };

static struct dig feed_modes(enum fmt fmt, const uint8_t *buf, size_t len, int mode)
{
    struct dig d = {0xCBF29CE484222325ull, 0};
    struct beast_parser bp;
    struct avr_parser ap;
    struct sbs_parser sp;
    beast_parser_init(&bp);
    avr_parser_init(&ap);
    sbs_parser_init(&sp);
    uint64_t rng = SPLIT_SEED;
    size_t off = 0;
    while (off < len) {
        size_t c = chunk(mode, &rng, len - off), used = 0;
        while (used < c) {
            struct modes_frame f;
            struct sbs_msg m;
            memset(&m, 0, sizeof m);
            ssize_t n = fmt == F_BEAST ? beast_parse(&bp, buf + off + used, c - used, &f)
                        : fmt == F_AVR ? avr_parse(&ap, buf + off + used, c - used, &f)
                                       : sbs_parse(&sp, buf + off + used, c - used, &m);
            if (n == CAIRN_E_NEEDMORE)
                break;
            assert_true(n > 0);
            used += (size_t)n;
            if (fmt == F_SBS) {
                dig_add(&d, &m.icao, sizeof m.icao);
                dig_add(&d, &m.tx_type, 1);
                dig_add(&d, &m.t_gen_ms, sizeof m.t_gen_ms);
                dig_add(&d, &m.lat_deg, sizeof m.lat_deg);
            } else {
                dig_add(&d, f.data, f.len);
                dig_add(&d, &f.ts_12mhz, sizeof f.ts_12mhz);
            }
            d.n++;
        }
        off += c;
    }
    return d;
}

static void on_ais_dig(void *user, const struct ais_msg *m)
{
    struct dig *d = user;
    dig_add(d, &m->mmsi, sizeof m->mmsi);
    dig_add(d, &m->t_ms, sizeof m->t_ms);
    dig_add(d, m->bits, (m->nbits + 7u) / 8u);
    d->n++;
}

static struct dig feed_ais(const uint8_t *buf, size_t len, int mode)
{
    static struct ais_ctx ctx;
    ais_ctx_init(&ctx);
    struct dig d = {0xCBF29CE484222325ull, 0};
    uint64_t rng = SPLIT_SEED;
    for (size_t off = 0; off < len;) {
        size_t c = chunk(mode, &rng, len - off);
        ais_feed(&ctx, (const char *)buf + off, c, 0, on_ais_dig, &d);
        off += c;
    }
    ais_flush(&ctx, 0, on_ais_dig, &d);
    assert_int_equal(ctx.stats.bad_checksum + ctx.stats.bad_format, 0);
    return d;
}

static void test_stream_splits(void **state)
{
    (void)state;
    printf("split seed %u\n", SPLIT_SEED);
    char d[128];
    dir_of(d, sizeof d, "m1");
    static const char *names[] = {"adsb.beast", "adsb.avr", "adsb.sbs"};
    for (int f = 0; f < 3; f++) {
        size_t len;
        uint8_t *buf = slurp(d, names[f], &len);
        struct dig w = feed_modes((enum fmt)f, buf, len, 0);
        struct dig b = feed_modes((enum fmt)f, buf, len, 1);
        struct dig r = feed_modes((enum fmt)f, buf, len, 2);
        printf("%s: %zu messages whole, %zu byte by byte, %zu at random splits\n", names[f], w.n,
               b.n, r.n);
        assert_true(w.n > 100);
        assert_true(w.n == b.n && w.n == r.n && w.h == b.h && w.h == r.h);
        free(buf);
    }
    dir_of(d, sizeof d, "b");
    size_t len;
    uint8_t *buf = slurp(d, "ais.nmea", &len);
    struct dig w = feed_ais(buf, len, 0), b = feed_ais(buf, len, 1), r = feed_ais(buf, len, 2);
    printf("ais.nmea: %zu messages whole, %zu byte by byte, %zu at random splits\n", w.n, b.n, r.n);
    assert_true(w.n > 100);
    assert_true(w.n == b.n && w.n == r.n && w.h == b.h && w.h == r.h);
    free(buf);
}

static void test_live(void **state)
{
    (void)state;
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    assert_true(u >= 0);
    int big = 4 << 20;
    setsockopt(u, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t sl = sizeof sa;
    assert_int_equal(bind(u, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(getsockname(u, (struct sockaddr *)&sa, &sl), 0);
    char port[16], out[128];
    snprintf(port, sizeof port, "%u", ntohs(sa.sin_port));
    snprintf(out, sizeof out, "%s/live", tmp);
    int pfd[2];
    assert_int_equal(pipe(pfd), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(pfd[1], 1);
        close(pfd[0]);
        execl(cairn_bin, cairn_bin, "sim", "malmo-2014", "--out", out, "--duration", "30",
              "--quiet", "--speed", "30", "--tcp-beast", "0", "--udp-asterix", port, (char *)NULL);
        _exit(127);
    }
    close(pfd[1]);
    FILE *pf = fdopen(pfd[0], "r");
    char line[64] = "";
    assert_non_null(fgets(line, sizeof line, pf));
    unsigned bport = 0;
    assert_int_equal(sscanf(line, "beast 127.0.0.1:%u", &bport), 1);
    int t = socket(AF_INET, SOCK_STREAM, 0);
    struct timeval tv = {30, 0};
    setsockopt(t, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sa.sin_port = htons((uint16_t)bport);
    assert_int_equal(connect(t, (struct sockaddr *)&sa, sizeof sa), 0);
    size_t cap = 1 << 20, got = 0;
    uint8_t *bytes = malloc(cap);
    for (;;) {
        ssize_t n = recv(t, bytes + got, cap - got, 0);
        if (n <= 0)
            break;
        got += (size_t)n;
        assert_true(got < cap);
    }
    close(t);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    fclose(pf);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    size_t flen;
    uint8_t *file = slurp(out, "adsb.beast", &flen);
    printf("live: %zu Beast bytes (file %zu)\n", got, flen);
    assert_int_equal(got, flen);
    assert_memory_equal(bytes, file, flen);
    free(bytes);
    free(file);
    /* the datagrams, in order, against radar.pcap */
    char path[192];
    snprintf(path, sizeof path, "%s/radar.pcap", out);
    struct feed_pcap *fp;
    char err[256];
    assert_int_equal(feed_pcap_open(&fp, path, err, sizeof err), 0);
    struct pcap_udp pu;
    struct timeval tv0 = {0, 200000};
    setsockopt(u, SOL_SOCKET, SO_RCVTIMEO, &tv0, sizeof tv0);
    unsigned n = 0;
    while (feed_pcap_next(fp, &pu) == 1) {
        uint8_t d[512];
        ssize_t r = recv(u, d, sizeof d, 0);
        assert_int_equal(r, (ssize_t)pu.len);
        assert_memory_equal(d, pu.payload, pu.len);
        n++;
    }
    feed_pcap_close(fp);
    close(u);
    printf("live: %u ASTERIX datagrams\n", n);
    assert_true(n > 100);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s CAIRN_BINARY\n", argv[0]);
        return 2;
    }
    cairn_bin = argv[1];
    snprintf(tmp, sizeof tmp, "/tmp/cairn_simtest.XXXXXX");
    if (!mkdtemp(tmp))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reproducible),  cmocka_unit_test(test_adsb),
        cmocka_unit_test(test_radar),         cmocka_unit_test(test_tshark),
        cmocka_unit_test(test_ais),           cmocka_unit_test(test_vigilant_nordo),
        cmocka_unit_test(test_stream_splits), cmocka_unit_test(test_live),
    };
    int rc = td_exit(cmocka_run_group_tests(tests, NULL, NULL));
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmp);
    return rc;
}
