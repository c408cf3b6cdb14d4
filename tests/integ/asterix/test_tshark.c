/*
 * test_tshark.c — what cairn's typed encoder sends, Wireshark reads the same.
 *
 * Seeded random CAT062 system tracks (with and without Mode 3/A, callsign
 * and flight level, PSR-only ones), CAT048 target reports (primary-only
 * plots and Mode S reports), CAT034 north markers / sector crossings and
 * CAT065 end-of-batch messages are encoded (typed.h), one record per UDP
 * datagram to port 8600, written to a pcap file with libpcap (LINKTYPE_RAW,
 * IPv4/UDP from 127.0.0.1), and decoded by Debian's tshark (its ASTERIX
 * dissector defaults: CAT048 1.31, CAT062 1.19, CAT034 1.29, CAT065 1.5).
 * `tshark -T fields` output is parsed and compared field by field with the
 * values put in: within half an LSB for quantities, exactly for codes,
 * octal Mode 3/A codes and callsigns; fields the record does not carry must
 * be empty (a primary-only plot has no Mode 3/A, no flight level, no
 * address). Skips (exit 77) when tshark is not installed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testdata.h"

#include <inttypes.h>
#include <math.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "decode/asterix/encode.h"
#include "decode/asterix/typed.h"

#define POOL_N   4096
#define LEAVES_N 4096
#include "../../unit/asterix_enc/axgen.h"

/* Datagrams of each category per run: enough to cover the value ranges,
 * small enough for tshark to finish in about a second. */
#define N_EACH 150

enum kind { K_NONE, K_NUM, K_OCTAL, K_STR };

/* The tshark fields compared, in the order of the -e options. */
static const char *const FIELDS[] = {
    "asterix.category",
    /* CAT062 */
    "asterix.062_010_SAC",
    "asterix.062_010_SIC",
    "asterix.062_040_VALUE",
    "asterix.062_070_VALUE",
    "asterix.062_105_LAT",
    "asterix.062_105_LON",
    "asterix.062_100_X",
    "asterix.062_100_Y",
    "asterix.062_185_VX",
    "asterix.062_185_VY",
    "asterix.062_060_MODE3A",
    "asterix.062_245_CHR",
    "asterix.062_136_VALUE",
    "asterix.062_080_CNF",
    "asterix.062_080_CST",
    "asterix.062_080_SDS",
    "asterix.062_220_VALUE",
    "asterix.062_290_PSR_VALUE",
    "asterix.062_380_ADR_VALUE",
    /* CAT048 */
    "asterix.048_010_SAC",
    "asterix.048_010_SIC",
    "asterix.048_140_VALUE",
    "asterix.048_020_TYP",
    "asterix.048_040_RHO",
    "asterix.048_040_THETA",
    "asterix.048_070_MODE3A",
    "asterix.048_090_FL",
    "asterix.048_220_VALUE",
    "asterix.048_240_VALUE",
    "asterix.048_161_TRN",
    "asterix.048_042_X",
    "asterix.048_042_Y",
    "asterix.048_200_GSP",
    "asterix.048_200_HDG",
    "asterix.048_170_RAD",
    /* CAT034 */
    "asterix.034_000_VALUE",
    "asterix.034_030_VALUE",
    "asterix.034_020_VALUE",
    "asterix.034_041_VALUE",
    /* CAT065 */
    "asterix.065_000_VALUE",
    "asterix.065_015_VALUE",
    "asterix.065_030_VALUE",
    "asterix.065_020_VALUE",
};
#define NF (sizeof FIELDS / sizeof FIELDS[0])

struct expect {
    uint8_t kind[NF];
    double num[NF];
    double tol[NF];
    double scale[NF]; /* tshark value * scale is compared (GSP NM/s -> kt) */
    char str[NF][12];
};

static struct expect EXP[4 * N_EACH];
static unsigned n_frames;
static unsigned long n_compared[NF];

static unsigned field(const char *name)
{
    for (unsigned i = 0; i < NF; i++)
        if (!strcmp(FIELDS[i], name))
            return i;
    fail_msg("no field %s", name);
    return 0;
}

static void want_num(struct expect *e, const char *name, double v, double tol)
{
    unsigned i = field(name);
    e->kind[i] = K_NUM;
    e->num[i] = v;
    e->tol[i] = tol + 1e-9 * fabs(v); /* tshark prints 15 significant digits */
    e->scale[i] = 1.0;
}

static void want_octal(struct expect *e, const char *name, unsigned code)
{
    unsigned i = field(name);
    e->kind[i] = K_OCTAL;
    e->num[i] = code;
}

static void want_str(struct expect *e, const char *name, const char *s)
{
    unsigned i = field(name);
    e->kind[i] = K_STR;
    snprintf(e->str[i], sizeof e->str[i], "%s", s);
}

/* ------------------------------------------------------------ random input */

#define rng rng_state /* axgen.h's generator, one stream for the whole file */
static double urand(double lo, double hi)
{
    return lo + (hi - lo) * ((double)(rnd() >> 11) / 9007199254740992.0);
}
static void rand_callsign(char *out)
{
    static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    unsigned n = 3 + (unsigned)(rnd() % 6);
    for (unsigned i = 0; i < n; i++)
        out[i] = set[rnd() % (sizeof set - 1)];
    out[n] = 0;
}

/* LSBs, for the tolerances (half of each). */
#define TOD_LSB    (1.0 / 128)
#define LATLON_LSB (180.0 / 33554432.0)

static int make_cat062(struct expect *e, uint8_t *rec, size_t cap)
{
    struct ax62_track t;
    memset(&t, 0, sizeof t);
    t.sac = (uint8_t)rnd();
    t.sic = (uint8_t)rnd();
    t.tot_s = urand(0, 86399);
    t.track_number = (uint16_t)rnd();
    t.has_wgs84 = 1;
    t.lat_deg = urand(-90, 90);
    t.lon_deg = urand(-180, 179.9999);
    t.has_xy = 1;
    t.x_m = urand(-4e6, 4e6);
    t.y_m = urand(-4e6, 4e6);
    t.has_velocity = 1;
    t.vx_mps = urand(-600, 600);
    t.vy_mps = urand(-600, 600);
    int psr_only = (rnd() % 4) == 0;
    if (psr_only) {
        t.sds = AX62_SDS_NON_COOPERATIVE;
        t.coasting = (uint8_t)(rnd() & 1);
        t.ssr_stale = t.mds_stale = t.ads_stale = 1;
        t.has_ages = t.has_psr_age = 1;
        t.psr_age_s = urand(0, 63.75);
    } else {
        t.has_mode3a = 1;
        t.mode3a = (uint16_t)(rnd() & 07777);
        t.has_callsign = (int)(rnd() & 1);
        rand_callsign(t.callsign);
        t.has_icao24 = (int)(rnd() & 1);
        t.icao24 = (uint32_t)(rnd() & 0xffffff);
        t.has_fl = 1;
        t.alt_fl = urand(-15, 600);
        t.has_vrate = 1;
        t.vrate_fpm = urand(-6000, 6000);
        t.tentative = (uint8_t)(rnd() & 1);
    }
    int n = ax62_encode(&t, rec, cap);
    assert_true(n > 0);
    want_num(e, "asterix.category", 62, 0);
    want_num(e, "asterix.062_010_SAC", t.sac, 0);
    want_num(e, "asterix.062_010_SIC", t.sic, 0);
    want_num(e, "asterix.062_040_VALUE", t.track_number, 0);
    want_num(e, "asterix.062_070_VALUE", t.tot_s, TOD_LSB / 2);
    want_num(e, "asterix.062_105_LAT", t.lat_deg, LATLON_LSB / 2);
    want_num(e, "asterix.062_105_LON", t.lon_deg, LATLON_LSB / 2);
    want_num(e, "asterix.062_100_X", t.x_m, 0.25);
    want_num(e, "asterix.062_100_Y", t.y_m, 0.25);
    want_num(e, "asterix.062_185_VX", t.vx_mps, 0.125);
    want_num(e, "asterix.062_185_VY", t.vy_mps, 0.125);
    want_num(e, "asterix.062_080_CNF", t.tentative, 0);
    if (psr_only) {
        want_num(e, "asterix.062_080_SDS", 2, 0);
        want_num(e, "asterix.062_080_CST", t.coasting, 0);
        want_num(e, "asterix.062_290_PSR_VALUE", t.psr_age_s, 0.125);
    } else {
        want_octal(e, "asterix.062_060_MODE3A", t.mode3a);
        if (t.has_callsign)
            want_str(e, "asterix.062_245_CHR", t.callsign);
        if (t.has_icao24)
            want_num(e, "asterix.062_380_ADR_VALUE", t.icao24, 0);
        want_num(e, "asterix.062_136_VALUE", t.alt_fl, 0.125);
        want_num(e, "asterix.062_220_VALUE", t.vrate_fpm, 6.25 / 2);
    }
    return n;
}

static int make_cat048(struct expect *e, uint8_t *rec, size_t cap)
{
    struct ax48_report p;
    memset(&p, 0, sizeof p);
    p.sac = (uint8_t)rnd();
    p.sic = (uint8_t)rnd();
    p.tod_s = urand(0, 86399);
    p.has_polar = 1;
    p.rho_nm = urand(0.5, 255.9);
    p.theta_deg = urand(0, 359.99);
    p.has_track_number = 1;
    p.track_number = (uint16_t)(rnd() & 4095);
    p.has_xy = 1;
    p.x_nm = urand(-255, 255);
    p.y_nm = urand(-255, 255);
    p.has_velocity = 1;
    p.gs_kt = urand(0, 900);
    p.hdg_deg = urand(0, 359.99);
    p.has_track_status = 1;
    int primary = (rnd() % 3) == 0;
    if (primary) {
        p.typ = AX48_TYP_PSR;
        p.rad = AX48_RAD_PSR;
        p.has_psr_amplitude = 1;
        p.psr_amplitude_dbm = -(int)(rnd() % 100);
    } else {
        p.typ = AX48_TYP_MODES_ROLLCALL_PSR;
        p.rad = AX48_RAD_COMBINED;
        p.has_mode3a = 1;
        p.mode3a = (uint16_t)(rnd() & 07777);
        p.has_fl = 1;
        p.alt_fl = urand(0, 600);
        p.has_address = 1;
        p.icao24 = (uint32_t)(rnd() & 0xffffff);
        p.has_callsign = 1;
        rand_callsign(p.callsign);
    }
    int n = ax48_encode(&p, rec, cap);
    assert_true(n > 0);
    want_num(e, "asterix.category", 48, 0);
    want_num(e, "asterix.048_010_SAC", p.sac, 0);
    want_num(e, "asterix.048_010_SIC", p.sic, 0);
    want_num(e, "asterix.048_140_VALUE", p.tod_s, TOD_LSB / 2);
    want_num(e, "asterix.048_020_TYP", p.typ, 0);
    want_num(e, "asterix.048_040_RHO", p.rho_nm, 1.0 / 512);
    want_num(e, "asterix.048_040_THETA", p.theta_deg, 360.0 / 131072);
    want_num(e, "asterix.048_161_TRN", p.track_number, 0);
    want_num(e, "asterix.048_042_X", p.x_nm, 1.0 / 256);
    want_num(e, "asterix.048_042_Y", p.y_nm, 1.0 / 256);
    want_num(e, "asterix.048_200_GSP", p.gs_kt, 3600.0 / 32768);
    e->scale[field("asterix.048_200_GSP")] = 3600.0; /* NM/s on the wire */
    want_num(e, "asterix.048_200_HDG", p.hdg_deg, 360.0 / 131072);
    want_num(e, "asterix.048_170_RAD", p.rad, 0);
    if (!primary) {
        want_octal(e, "asterix.048_070_MODE3A", p.mode3a);
        want_num(e, "asterix.048_090_FL", p.alt_fl, 0.125);
        want_num(e, "asterix.048_220_VALUE", p.icao24, 0);
        want_str(e, "asterix.048_240_VALUE", p.callsign);
    }
    return n;
}

static int make_cat034(struct expect *e, uint8_t *rec, size_t cap, unsigned i)
{
    struct ax34_service s;
    memset(&s, 0, sizeof s);
    s.sac = 25;
    s.sic = 201;
    s.tod_s = urand(0, 86399);
    s.type = (i & 1) ? AX34_SECTOR_CROSSING : AX34_NORTH_MARKER;
    if (s.type == AX34_SECTOR_CROSSING) {
        s.has_sector = 1;
        s.sector_deg = (double)(rnd() % 256) * 360.0 / 256;
    } else {
        s.has_rotation = 1;
        s.rotation_period_s = urand(1, 12);
    }
    int n = ax34_encode(&s, rec, cap);
    assert_true(n > 0);
    want_num(e, "asterix.category", 34, 0);
    want_num(e, "asterix.034_000_VALUE", s.type, 0);
    want_num(e, "asterix.034_030_VALUE", s.tod_s, TOD_LSB / 2);
    if (s.has_sector)
        want_num(e, "asterix.034_020_VALUE", s.sector_deg, 0);
    else
        want_num(e, "asterix.034_041_VALUE", s.rotation_period_s, TOD_LSB / 2);
    return n;
}

static int make_cat065(struct expect *e, uint8_t *rec, size_t cap)
{
    struct ax65_status s;
    memset(&s, 0, sizeof s);
    s.sac = 25;
    s.sic = 100;
    s.type = AX65_END_OF_BATCH;
    s.service_id = (uint8_t)rnd();
    s.tod_s = urand(0, 86399);
    s.has_batch = 1;
    s.batch = (uint8_t)rnd();
    int n = ax65_encode(&s, rec, cap);
    assert_true(n > 0);
    want_num(e, "asterix.category", 65, 0);
    want_num(e, "asterix.065_000_VALUE", s.type, 0);
    want_num(e, "asterix.065_015_VALUE", s.service_id, 0);
    want_num(e, "asterix.065_030_VALUE", s.tod_s, TOD_LSB / 2);
    want_num(e, "asterix.065_020_VALUE", s.batch, 0);
    return n;
}

/* ------------------------------------------------------------ pcap */

/* One IPv4/UDP datagram 127.0.0.1:40000 -> 127.0.0.1:8600 around payload. */
static void dump_udp(pcap_dumper_t *d, const uint8_t *payload, size_t len, unsigned seq)
{
    uint8_t pkt[2048];
    size_t ip_len = 20 + 8 + len;
    assert_true(ip_len <= sizeof pkt);
    memset(pkt, 0, 28);
    pkt[0] = 0x45; /* IPv4, 5 words of header */
    pkt[2] = (uint8_t)(ip_len >> 8);
    pkt[3] = (uint8_t)ip_len;
    pkt[8] = 64; /* TTL */
    pkt[9] = 17; /* UDP */
    const uint8_t lo[4] = {127, 0, 0, 1};
    memcpy(pkt + 12, lo, 4);
    memcpy(pkt + 16, lo, 4);
    uint32_t sum = 0;
    for (int i = 0; i < 20; i += 2)
        sum += (uint32_t)(pkt[i] << 8 | pkt[i + 1]);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    pkt[10] = (uint8_t)(~sum >> 8);
    pkt[11] = (uint8_t)~sum;
    pkt[20] = 40000 >> 8;
    pkt[21] = 40000 & 0xff;
    pkt[22] = 8600 >> 8;
    pkt[23] = 8600 & 0xff;
    pkt[24] = (uint8_t)((8 + len) >> 8);
    pkt[25] = (uint8_t)(8 + len); /* UDP checksum 0: none (allowed in IPv4) */
    memcpy(pkt + 28, payload, len);
    struct pcap_pkthdr h;
    memset(&h, 0, sizeof h);
    h.ts.tv_sec = 1700000000 + seq;
    h.caplen = h.len = (bpf_u_int32)ip_len;
    pcap_dump((u_char *)d, &h, pkt);
}

/* Run tshark (cmd), then remove the capture and its folder whatever the
 * outcome, so a failed comparison leaves nothing behind in /tmp. Returns the
 * whole output (malloc'ed, NUL-terminated; the caller frees it). */
static char *tshark_output(const char *cmd, const char *path, const char *dir, int *status)
{
    FILE *p = popen(cmd, "r");
    char *buf = calloc(1, 1);
    size_t len = 0;
    *status = -1;
    if (p != NULL && buf != NULL) {
        static char chunk[65536];
        size_t n;
        while ((n = fread(chunk, 1, sizeof chunk, p)) > 0) {
            char *nb = realloc(buf, len + n + 1);
            if (nb == NULL)
                break;
            buf = nb;
            memcpy(buf + len, chunk, n);
            len += n;
            buf[len] = 0;
        }
    }
    if (p != NULL)
        *status = pclose(p);
    unlink(path);
    rmdir(dir);
    assert_non_null(buf);
    return buf;
}

/* ------------------------------------------------------------ comparing */

static void compare_line(char *line)
{
    char *cols[NF + 1];
    unsigned nc = 0;
    char *s = line;
    for (;;) {
        cols[nc++] = s;
        char *tab = strchr(s, '\t');
        if (!tab || nc == NF + 1)
            break;
        *tab = 0;
        s = tab + 1;
    }
    s[strcspn(s, "\r\n")] = 0;
    assert_int_equal(nc, NF + 1);
    unsigned frame = (unsigned)strtoul(cols[0], NULL, 10);
    assert_true(frame >= 1 && frame <= n_frames);
    const struct expect *e = &EXP[frame - 1];
    for (unsigned i = 0; i < NF; i++) {
        const char *got = cols[i + 1];
        switch (e->kind[i]) {
        case K_NONE:
            if (got[0])
                fail_msg("frame %u: %s is \"%s\", want absent", frame, FIELDS[i], got);
            continue;
        case K_NUM: {
            char *end;
            double v = strtod(got, &end); /* also reads tshark's 0x.. hex */
            if (!got[0] || *end)
                fail_msg("frame %u: %s is \"%s\", want %.9g", frame, FIELDS[i], got, e->num[i]);
            v *= e->scale[i];
            if (!(fabs(v - e->num[i]) <= e->tol[i]))
                fail_msg("frame %u: %s is %s (%.9g), want %.9g +- %g", frame, FIELDS[i], got, v,
                         e->num[i], e->tol[i]);
            break;
        }
        case K_OCTAL: {
            char *end;
            /* tshark 4.0 prints the 12 code bits as a decimal integer
             * (06210 shows as 3208); other decoders print octal digits */
            unsigned long v = strtoul(got, &end, 10);
            if (!got[0] || *end || v != (unsigned long)e->num[i])
                fail_msg("frame %u: %s is \"%s\", want %04o", frame, FIELDS[i], got,
                         (unsigned)e->num[i]);
            break;
        }
        case K_STR: {
            size_t n = strlen(got);
            while (n > 0 && got[n - 1] == ' ')
                n--;
            if (n != strlen(e->str[i]) || strncmp(got, e->str[i], n))
                fail_msg("frame %u: %s is \"%s\", want \"%s\"", frame, FIELDS[i], got, e->str[i]);
            break;
        }
        }
        n_compared[i]++;
    }
}

static void test_tshark_agrees(void **state)
{
    (void)state;
    if (system("tshark -v >/dev/null 2>&1") != 0) {
        print_message("SKIP: tshark not installed (Debian package tshark)\n");
        TD_SKIP();
    }
    const char *env = getenv("CAIRN_SEED");
    uint64_t seed = env ? strtoull(env, NULL, 0) : (uint64_t)time(NULL) * 2654435761u;
    print_message("seed %" PRIu64 " (repeat with CAIRN_SEED=%" PRIu64 ")\n", seed, seed);
    rng = seed ? seed : 1;

    char dir[] = "/tmp/cairn-tshark-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[sizeof dir + 32];
    snprintf(path, sizeof path, "%s/typed.pcap", dir);
    pcap_t *dead = pcap_open_dead(DLT_RAW, 65535);
    assert_non_null(dead);
    pcap_dumper_t *d = pcap_dump_open(dead, path);
    assert_non_null(d);

    memset(EXP, 0, sizeof EXP);
    n_frames = 0;
    for (unsigned i = 0; i < 4 * N_EACH; i++) {
        uint8_t rec[AX_TYPED_MAX_RECORD], dg[256];
        struct expect *e = &EXP[n_frames];
        int n, cat;
        switch (i % 4) {
        case 0:
            n = make_cat062(e, rec, sizeof rec);
            cat = 62;
            break;
        case 1:
            n = make_cat048(e, rec, sizeof rec);
            cat = 48;
            break;
        case 2:
            n = make_cat034(e, rec, sizeof rec, i / 4);
            cat = 34;
            break;
        default:
            n = make_cat065(e, rec, sizeof rec);
            cat = 65;
            break;
        }
        struct ax_block_writer w;
        ax_bw_init(&w, dg, sizeof dg);
        assert_int_equal(ax_bw_add(&w, (uint8_t)cat, rec, (size_t)n), 0);
        size_t len = ax_bw_finish(&w);
        dump_udp(d, dg, len, n_frames);
        n_frames++;
    }
    pcap_dump_close(d);
    pcap_close(dead);

    char cmd[8192];
    int off = snprintf(cmd, sizeof cmd,
                       "tshark -n -r %s -d udp.port==8600,asterix -T fields -E separator=/t "
                       "-E occurrence=f -e frame.number",
                       path);
    for (unsigned i = 0; i < NF; i++)
        off += snprintf(cmd + off, sizeof cmd - (size_t)off, " -e %s", FIELDS[i]);
    snprintf(cmd + off, sizeof cmd - (size_t)off, " 2>/dev/null");
    int st;
    char *outp = tshark_output(cmd, path, dir, &st);
    assert_int_equal(st, 0);
    unsigned lines = 0;
    memset(n_compared, 0, sizeof n_compared);
    char *save = NULL;
    for (char *ln = strtok_r(outp, "\n", &save); ln; ln = strtok_r(NULL, "\n", &save)) {
        compare_line(ln);
        lines++;
    }
    free(outp);
    assert_int_equal(lines, n_frames);
    unsigned long total = 0;
    for (unsigned i = 0; i < NF; i++) {
        if (n_compared[i] == 0)
            fail_msg("field %s never compared", FIELDS[i]);
        total += n_compared[i];
    }
    print_message("tshark agreed on %u datagrams (%d each of CAT062/048/034/065), "
                  "%lu field values compared\n",
                  lines, N_EACH, total);
}

/* Split a tshark aggregated field "a,b,c" in place; returns the count. */
static unsigned split_commas(char *s, char **parts, unsigned max)
{
    unsigned n = 0;
    while (n < max) {
        parts[n++] = s;
        char *c = strchr(s, ',');
        if (!c)
            break;
        *c = 0;
        s = c + 1;
    }
    return n;
}

/* One datagram the way a picture share sends it: a CAT062 block of many
 * tracks, then a CAT065 end-of-batch block. */
#define BATCH_N 40

static void test_tshark_batch(void **state)
{
    (void)state;
    if (system("tshark -v >/dev/null 2>&1") != 0) {
        print_message("SKIP: tshark not installed (Debian package tshark)\n");
        TD_SKIP();
    }
    rng = 12345;
    struct ax62_track t[BATCH_N];
    static uint8_t dg[8192];
    struct ax_block_writer w;
    ax_bw_init(&w, dg, sizeof dg);
    for (unsigned i = 0; i < BATCH_N; i++) {
        memset(&t[i], 0, sizeof t[i]);
        t[i].sac = 25;
        t[i].sic = 100;
        t[i].tot_s = 43200 + i;
        t[i].track_number = (uint16_t)(1000 + 7 * i);
        t[i].has_wgs84 = 1;
        t[i].lat_deg = urand(54, 60);
        t[i].lon_deg = urand(19, 31);
        t[i].has_callsign = 1;
        rand_callsign(t[i].callsign);
        uint8_t rec[AX_TYPED_MAX_RECORD];
        int n = ax62_encode(&t[i], rec, sizeof rec);
        assert_true(n > 0);
        assert_int_equal(ax_bw_add(&w, 62, rec, (size_t)n), 0);
    }
    struct ax65_status eob = {.sac = 25, .sic = 100, .type = AX65_END_OF_BATCH, .tod_s = 43240};
    uint8_t rec[AX_TYPED_MAX_RECORD];
    int n = ax65_encode(&eob, rec, sizeof rec);
    assert_int_equal(ax_bw_add(&w, 65, rec, (size_t)n), 0);
    size_t len = ax_bw_finish(&w);
    assert_int_equal(w.n_blocks, 2);

    char dir[] = "/tmp/cairn-tshark-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[sizeof dir + 32];
    snprintf(path, sizeof path, "%s/batch.pcap", dir);
    pcap_t *dead = pcap_open_dead(DLT_RAW, 65535);
    pcap_dumper_t *d = pcap_dump_open(dead, path);
    assert_non_null(d);
    dump_udp(d, dg, len, 0);
    pcap_dump_close(d);
    pcap_close(dead);
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "tshark -n -r %s -T fields -E separator=/t -E occurrence=a -E aggregator=, "
             "-e asterix.category -e asterix.062_040_VALUE -e asterix.062_105_LAT "
             "-e asterix.062_105_LON -e asterix.062_245_CHR -e asterix.065_000_VALUE 2>/dev/null",
             path);
    int st;
    char *outp = tshark_output(cmd, path, dir, &st);
    assert_int_equal(st, 0);
    static char line[65536];
    snprintf(line, sizeof line, "%s", outp);
    free(outp);
    line[strcspn(line, "\r\n")] = 0;
    char *cols[6];
    char *s = line;
    for (unsigned i = 0; i < 6; i++) {
        cols[i] = s;
        char *tab = strchr(s, '\t');
        if (i < 5) {
            assert_non_null(tab);
            *tab = 0;
            s = tab + 1;
        }
    }
    assert_string_equal(cols[0], "62,65");
    assert_string_equal(cols[5], "2");
    char *tn[BATCH_N + 1], *lat[BATCH_N + 1], *lon[BATCH_N + 1], *cs[BATCH_N + 1];
    assert_int_equal(split_commas(cols[1], tn, BATCH_N + 1), BATCH_N);
    assert_int_equal(split_commas(cols[2], lat, BATCH_N + 1), BATCH_N);
    assert_int_equal(split_commas(cols[3], lon, BATCH_N + 1), BATCH_N);
    assert_int_equal(split_commas(cols[4], cs, BATCH_N + 1), BATCH_N);
    for (unsigned i = 0; i < BATCH_N; i++) {
        assert_int_equal(strtol(tn[i], NULL, 0), t[i].track_number);
        if (fabs(strtod(lat[i], NULL) - t[i].lat_deg) > LATLON_LSB / 2 + 1e-9 ||
            fabs(strtod(lon[i], NULL) - t[i].lon_deg) > LATLON_LSB / 2 + 1e-9)
            fail_msg("track %u: tshark %s,%s, want %.9f,%.9f", i, lat[i], lon[i], t[i].lat_deg,
                     t[i].lon_deg);
        size_t k = strlen(cs[i]);
        while (k > 0 && cs[i][k - 1] == ' ')
            k--;
        assert_int_equal(k, strlen(t[i].callsign));
        assert_memory_equal(cs[i], t[i].callsign, k);
    }
    print_message("tshark read one datagram of %u CAT062 tracks + CAT065 end of batch (%zu "
                  "bytes) in order\n",
                  BATCH_N, len);
}

/* ------------------------------------------------------------ generic */

/* Random records of every structure kind from the generic encoder, in the
 * editions tshark 4.0 decodes by default: tshark must find the same number
 * of records in each datagram, the same items in them (a wrong length for
 * any structure would shift every item after it), and nothing malformed. */
#define GEN_DATAGRAMS 60
#define GEN_RECORDS   3

struct gen_cat {
    unsigned cat;
    uint16_t ed;
};
static const struct gen_cat GEN_CATS[] = {
    {21, AX_ED(2, 6)}, {34, AX_ED(1, 29)}, {48, AX_ED(1, 31)}, {62, AX_ED(1, 19)}};
#define N_GEN_CATS     (sizeof GEN_CATS / sizeof GEN_CATS[0])
#define GEN_MAX_FIELDS 256

static char gen_fields[GEN_MAX_FIELDS][24];
static const struct ax_node *gen_field_item[GEN_MAX_FIELDS];
static unsigned n_gen_fields;
static uint8_t gen_expect[N_GEN_CATS * GEN_DATAGRAMS][GEN_MAX_FIELDS];

/* Items tshark 4.0.17 cannot dissect although the bytes follow the
 * specification: I062/510 (repetitive, FX-chained 23-bit groups) is shown
 * as a malformed packet even for one well-formed repetition (found by this
 * test, item by item); cairn's own decoder and the random round trip cover it. */
static int tshark_cannot(const struct ax_category *c, const struct ax_node *it)
{
    return c->cat == 62 && !strcmp(it->name, "510");
}

static int gen_record(const struct ax_category *c, uint8_t *out, size_t cap, uint8_t *counts)
{
    static uint8_t items_buf[8192];
    for (;;) {
        G.used = G.bytes_used = G.n_leaves = 0;
        G.overflow = 0;
        struct ax_record r;
        memset(&r, 0, sizeof r);
        size_t ib = 0;
        int bad = 0;
        for (unsigned f = 1; f <= c->n_uap && !bad; f++) {
            const struct ax_node *it = c->uap[f - 1];
            if (!it || tshark_cannot(c, it) || rnd_below(2))
                continue;
            struct ax_val *root = gen_alloc(1);
            if (!root)
                break;
            gen_node(it, root, 0);
            if (G.overflow)
                break;
            int k = ax_item_encode(root, items_buf + ib, sizeof items_buf - ib);
            if (k <= 0) {
                bad = 1;
                break;
            }
            assert_int_equal(ax_record_add_at(&r, c, f, it, items_buf + ib, (uint16_t)k), 0);
            ib += (size_t)k;
        }
        if (bad || G.overflow || r.n_items == 0)
            continue;
        int n = ax_record_encode(&r, out, cap);
        if (n <= 0)
            continue;
        for (unsigned i = 0; i < r.n_items; i++)
            for (unsigned k = 0; k < n_gen_fields; k++)
                if (gen_field_item[k] == r.items[i].desc)
                    counts[k]++;
        return n;
    }
}

static void test_tshark_generic_structures(void **state)
{
    (void)state;
    if (system("tshark -v >/dev/null 2>&1") != 0) {
        print_message("SKIP: tshark not installed (Debian package tshark)\n");
        TD_SKIP();
    }
    const char *env = getenv("CAIRN_SEED");
    uint64_t seed = env ? strtoull(env, NULL, 0) : (uint64_t)time(NULL) * 40503u + 1;
    print_message("seed %" PRIu64 " (repeat with CAIRN_SEED=%" PRIu64 ")\n", seed, seed);
    rng = seed ? seed : 1;

    n_gen_fields = 0;
    for (unsigned g = 0; g < N_GEN_CATS; g++) {
        const struct ax_category *c = ax_category_find(GEN_CATS[g].cat, GEN_CATS[g].ed);
        assert_non_null(c);
        for (unsigned f = 0; f < c->n_uap; f++) {
            if (!c->uap[f])
                continue;
            assert_true(n_gen_fields < GEN_MAX_FIELDS);
            snprintf(gen_fields[n_gen_fields], sizeof gen_fields[0], "asterix.%03u_%s", c->cat,
                     c->uap[f]->name);
            gen_field_item[n_gen_fields++] = c->uap[f];
        }
    }

    char dir[] = "/tmp/cairn-tshark-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[sizeof dir + 32];
    snprintf(path, sizeof path, "%s/generic.pcap", dir);
    pcap_t *dead = pcap_open_dead(DLT_RAW, 65535);
    pcap_dumper_t *d = pcap_dump_open(dead, path);
    assert_non_null(d);
    memset(gen_expect, 0, sizeof gen_expect);
    unsigned frames = 0;
    for (unsigned g = 0; g < N_GEN_CATS; g++) {
        const struct ax_category *c = ax_category_find(GEN_CATS[g].cat, GEN_CATS[g].ed);
        for (unsigned i = 0; i < GEN_DATAGRAMS; i++) {
            static uint8_t dg[4096], rec[1400];
            struct ax_block_writer w;
            ax_bw_init(&w, dg, sizeof dg);
            for (unsigned k = 0; k < GEN_RECORDS; k++) {
                uint8_t counts[GEN_MAX_FIELDS] = {0};
                int n;
                do {
                    memset(counts, 0, sizeof counts);
                    n = gen_record(c, rec, sizeof rec, counts);
                } while (n > (int)(sizeof dg - w.len - 3)); /* keep it in one datagram */
                assert_int_equal(ax_bw_add(&w, c->cat, rec, (size_t)n), 0);
                for (unsigned f = 0; f < n_gen_fields; f++)
                    gen_expect[frames][f] = (uint8_t)(gen_expect[frames][f] + counts[f]);
            }
            size_t len = ax_bw_finish(&w);
            assert_true(len <= 2048 - 28);
            dump_udp(d, dg, len, frames);
            frames++;
        }
    }
    pcap_dump_close(d);
    pcap_close(dead);

    static char cmd[16384];
    int off = snprintf(cmd, sizeof cmd,
                       "tshark -n -r %s -d udp.port==8600,asterix -T fields -E separator=/t "
                       "-E occurrence=a -E aggregator=, -e frame.number -e asterix.message "
                       "-e _ws.malformed -e _ws.expert",
                       path);
    for (unsigned i = 0; i < n_gen_fields; i++)
        off += snprintf(cmd + off, sizeof cmd - (size_t)off, " -e %s", gen_fields[i]);
    snprintf(cmd + off, sizeof cmd - (size_t)off, " 2>/dev/null");
    int st;
    char *outp = tshark_output(cmd, path, dir, &st);
    assert_int_equal(st, 0);
    unsigned lines = 0;
    unsigned long items = 0;
    char *save = NULL;
    for (char *line = strtok_r(outp, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        line[strcspn(line, "\r")] = 0;
        char *cols[GEN_MAX_FIELDS + 4];
        unsigned nc = 0;
        char *s = line;
        for (;;) {
            cols[nc++] = s;
            char *tab = strchr(s, '\t');
            if (!tab || nc == n_gen_fields + 4)
                break;
            *tab = 0;
            s = tab + 1;
        }
        assert_int_equal(nc, n_gen_fields + 4);
        unsigned fr = (unsigned)strtoul(cols[0], NULL, 10);
        assert_true(fr >= 1 && fr <= frames);
        unsigned g = (fr - 1) / GEN_DATAGRAMS;
        unsigned recs = cols[1][0] ? 1 : 0;
        for (const char *q = cols[1]; *q; q++)
            recs += *q == ',';
        /* expert warnings are allowed (random ASCII strings hold NULs:
         * "Trailing stray characters"); errors are not */
        if (recs != GEN_RECORDS || cols[2][0] || strstr(cols[3], "(Error/"))
            fail_msg("frame %u (CAT%03u): tshark saw %u records (want %u), malformed \"%s\", "
                     "expert \"%s\"",
                     fr, GEN_CATS[g].cat, recs, GEN_RECORDS, cols[2], cols[3]);
        for (unsigned f = 0; f < n_gen_fields; f++) {
            /* tshark shows a repetitive item once per repetition: its
             * presence is checked through the record count only */
            if (gen_field_item[f]->kind == AX_REPETITIVE)
                continue;
            unsigned cnt = cols[f + 4][0] ? 1 : 0;
            for (const char *q = cols[f + 4]; *q; q++)
                cnt += *q == ',';
            if (cnt != gen_expect[fr - 1][f])
                fail_msg("frame %u: %s %u times, want %u", fr, gen_fields[f], cnt,
                         gen_expect[fr - 1][f]);
            items += cnt;
        }
        lines++;
    }
    free(outp);
    assert_int_equal(lines, frames);
    print_message("tshark found the same %u records and %lu items in %u generic datagrams "
                  "(CAT021 2.6, CAT034 1.29, CAT048 1.31, CAT062 1.19)\n",
                  frames * GEN_RECORDS, items, frames);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tshark_agrees),
        cmocka_unit_test(test_tshark_batch),
        cmocka_unit_test(test_tshark_generic_structures),
    };
    return td_exit(cmocka_run_group_tests(tests, NULL, NULL));
}
