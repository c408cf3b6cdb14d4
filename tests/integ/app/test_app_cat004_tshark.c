/*
 * test_app_cat004_tshark.c — the CAT004 alerts `cairn run` sends
 * ([cat004] udp = ...), read by Wireshark to the values cairn meant.
 *
 * Seeded random SEPARATION and ZONE alerts (open, updated and cleared; one
 * or two parties with and without callsign and Mode 3/A; separations over
 * the whole range the detector can report, separation_nm being at most
 * 20 NM) go through the app's own encoder, app_cat004() (app/cat004.h), one
 * data block per UDP datagram to port 8600 as the centre sends them. The
 * datagrams are written to a pcap file (LINKTYPE_RAW, IPv4/UDP on
 * 127.0.0.1, by the small writer below) and dissected by Debian's tshark
 * (CAT004 edition 1.12, its default and the encoder's). Each `tshark -T
 * fields` value is compared with what the alert says, by the mapping
 * documented in app/cat004.h — not with what the encoder was handed:
 * message type, SAC/SIC, time of day, alert id, status, track numbers,
 * current and predicted separations and time to closest approach within
 * half an LSB, callsigns (the characters CAT004 can carry) and Mode 3/A
 * codes exactly; items the alert has no value for must be absent. Skips
 * (exit 77) when tshark is not installed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testdata.h"

#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app/cat004.h"
#include "detect/detect.h"
#include "track/track.h"

/* Alerts per run: every combination many times over, small enough for
 * tshark to finish in about a second. */
#define N_ALERTS 400
/* The largest separation_nm the configuration accepts (app/config.c): the
 * detector reports predicted minima up to it. */
#define SEP_MAX_NM 20.0

enum kind { K_NONE, K_NUM, K_STR };

static const char *const FIELDS[] = {
    "asterix.category",           "asterix.004_000_VALUE",     "asterix.004_010_SAC",
    "asterix.004_010_SIC",        "asterix.004_020_VALUE",     "asterix.004_040_VALUE",
    "asterix.004_045_STAT",       "asterix.004_030_VALUE",     "asterix.004_035_VALUE",
    "asterix.004_070_TCA_VALUE",  "asterix.004_070_CHS_VALUE", "asterix.004_070_MHS_VALUE",
    "asterix.004_070_CVS_VALUE",  "asterix.004_070_MVS_VALUE", "asterix.004_170_AI1_VALUE",
    "asterix.004_170_M31_MODE3A", "asterix.004_171_AI2_VALUE", "asterix.004_171_M32_MODE3A",
};
#define NF (sizeof FIELDS / sizeof FIELDS[0])

struct expect {
    uint8_t kind[NF];
    double num[NF];
    double tol[NF];
    double mod[NF]; /* > 0: compared modulo this (time of day) */
    char str[NF][12];
};

static struct expect EXP[N_ALERTS];
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
}

static void want_str(struct expect *e, const char *name, const char *s)
{
    unsigned i = field(name);
    e->kind[i] = K_STR;
    snprintf(e->str[i], sizeof e->str[i], "%s", s);
}

/* ------------------------------------------------------------ random alerts */

static uint64_t rng = 1;
static uint64_t rnd(void) /* xorshift64* */
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 2685821657736338717ull;
}
static double urand(double lo, double hi)
{
    return lo + (hi - lo) * ((double)(rnd() >> 11) / 9007199254740992.0);
}

/* A callsign as a track may carry it: letters and digits, up to 8 (an
 * ADS-B identification); now and then a character CAT004 cannot carry. */
static void rand_callsign(char *out)
{
    static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    unsigned n = 1 + (unsigned)(rnd() % 8);
    for (unsigned i = 0; i < n; i++)
        out[i] = set[rnd() % (sizeof set - 1)];
    if (rnd() % 8 == 0)
        out[rnd() % n] = "-a*"[rnd() % 3];
    out[n] = 0;
}

/* The identity CAT004 carries for a callsign (app/cat004.h: AI, seven
 * characters of [A-Z0-9 ], anything else left out). */
static void carried(const char *cs, char *out)
{
    size_t k = 0;
    for (size_t i = 0; cs[i] && k < 7; i++)
        if ((cs[i] >= 'A' && cs[i] <= 'Z') || (cs[i] >= '0' && cs[i] <= '9') || cs[i] == ' ')
            out[k++] = cs[i];
    out[k] = 0;
}

static void rand_party(struct det_party *p)
{
    memset(p, 0, sizeof *p);
    p->track_id = (uint32_t)(rnd() % 200000); /* beyond 16 bits now and then */
    if (rnd() % 4) {
        p->ids |= TRK_ID_SQUAWK;
        p->squawk = (uint16_t)(rnd() & 07777);
    }
    if (rnd() % 4) {
        p->ids |= TRK_ID_CALLSIGN;
        rand_callsign(p->callsign);
    }
}

static void expect_party(struct expect *e, const struct det_party *p, int second)
{
    want_num(e, second ? "asterix.004_035_VALUE" : "asterix.004_030_VALUE",
             (double)(p->track_id & 0xFFFF), 0);
    char cs[8];
    carried(p->callsign, cs);
    if (cs[0])
        want_str(e, second ? "asterix.004_171_AI2_VALUE" : "asterix.004_170_AI1_VALUE", cs);
    /* tshark 4.0 prints the 12 code bits as a decimal integer */
    if (p->ids & TRK_ID_SQUAWK)
        want_num(e, second ? "asterix.004_171_M32_MODE3A" : "asterix.004_170_M31_MODE3A",
                 (double)(p->squawk & 07777), 0);
}

/* LSBs of CAT004 1.12 (half of each is the tolerance). */
#define TOD_LSB   (1.0 / 128) /* I020, I070 TCA */
#define SEP_H_LSB 0.5         /* I070 CHS, MHS (m) */
#define SEP_V_LSB 25.0        /* I070 CVS, MVS (ft) */
/* MHS is 16 bits of 0.5 m: a predicted minimum beyond 32,767.5 m (17.7 NM)
 * cannot be carried and is left out (the rest of the alert goes). */
#define MHS_MAX_M (65535 * SEP_H_LSB)

static void make_alert(struct det_alert *a, struct expect *e, uint8_t *sac, uint8_t *sic,
                       int64_t *now_ms)
{
    memset(a, 0, sizeof *a);
    memset(e, 0, sizeof *e);
    int sep = rnd() % 3 != 0;
    a->id = (uint32_t)rnd();
    a->rule = sep ? DET_RULE_SEPARATION : DET_RULE_ZONE;
    a->state = (uint8_t)(rnd() % 4 == 0 ? DET_ST_CLEARED
                         : rnd() % 2    ? DET_ST_OPEN
                                        : DET_ST_UPDATED);
    a->severity = (uint8_t)(sep ? rnd() % 3 + DET_SEV_CAUTION : DET_SEV_WARNING);
    a->n_parties = (uint8_t)(sep ? 2 : 1);
    for (unsigned i = 0; i < a->n_parties; i++)
        rand_party(&a->parties[i]);
    if (sep) {
        int predicted = rnd() % 3 != 0;
        int alt = rnd() % 4 != 0; /* both altitudes known */
        double horiz = rnd() % 16 == 0 ? 0.0 : urand(0, 3 * SEP_MAX_NM);
        double cpa_h = rnd() % 16 == 0 ? SEP_MAX_NM : urand(0, SEP_MAX_NM);
        a->n_values = 5;
        a->values[0] = (struct det_value){"horiz_nm", horiz};
        a->values[1] = (struct det_value){"vert_ft", alt ? urand(0, 45000) : -1.0};
        a->values[2] = (struct det_value){"cpa_s", predicted ? urand(0, 120) : 0.0};
        a->values[3] = (struct det_value){"cpa_horiz_nm", cpa_h};
        a->values[4] = (struct det_value){"cpa_vert_ft", alt ? urand(0, 4000) : -1.0};
        a->hypothesis = predicted ? (rnd() % 2 ? "straight" : "turning") : NULL;
    }
    *sac = (uint8_t)rnd();
    *sic = (uint8_t)rnd();
    /* any time of a day in 2014, the last second before midnight often */
    int64_t day0 = INT64_C(1393804800000) + (int64_t)(rnd() % 300) * 86400000;
    *now_ms =
        day0 + (rnd() % 8 == 0 ? 86399000 + (int64_t)(rnd() % 1000) : (int64_t)(rnd() % 86400000));

    /* what the alert means, by app/cat004.h's mapping */
    want_num(e, "asterix.category", 4, 0);
    int cleared = a->state == DET_ST_CLEARED;
    want_num(e, "asterix.004_000_VALUE", cleared ? 17 : sep ? 7 : 5, 0);
    want_num(e, "asterix.004_010_SAC", *sac, 0);
    want_num(e, "asterix.004_010_SIC", *sic, 0);
    unsigned tod = field("asterix.004_020_VALUE");
    want_num(e, FIELDS[tod], (double)(*now_ms % 86400000) / 1000.0, TOD_LSB / 2);
    e->mod[tod] = 86400.0; /* 23:59:59.999 rounds to 00:00:00 */
    want_num(e, "asterix.004_040_VALUE", (double)(a->id & 0xFFFF), 0);
    if (!cleared)
        want_num(e, "asterix.004_045_STAT", a->state == DET_ST_OPEN ? 0 : 1, 0);
    expect_party(e, &a->parties[0], 0);
    if (sep)
        expect_party(e, &a->parties[1], 1);
    if (sep && !cleared) {
        double horiz = a->values[0].v, vert = a->values[1].v, cpa_s = a->values[2].v;
        double cpa_h = a->values[3].v, cpa_v = a->values[4].v;
        want_num(e, "asterix.004_070_CHS_VALUE", horiz * 1852.0, SEP_H_LSB / 2);
        if (vert >= 0)
            want_num(e, "asterix.004_070_CVS_VALUE", vert, SEP_V_LSB / 2);
        if (a->hypothesis) {
            want_num(e, "asterix.004_070_TCA_VALUE", cpa_s, TOD_LSB / 2);
            if (cpa_h * 1852.0 <= MHS_MAX_M)
                want_num(e, "asterix.004_070_MHS_VALUE", cpa_h * 1852.0, SEP_H_LSB / 2);
            if (cpa_v >= 0)
                want_num(e, "asterix.004_070_MVS_VALUE", cpa_v, SEP_V_LSB / 2);
        }
    }
}

/* ------------------------------------------------------------ pcap */

/* A pcap file (the classic format: a 24-byte header, then a 16-byte header
 * per packet, in this machine's byte order, which the magic tells), packets
 * as raw IPv4 (LINKTYPE_RAW, 101). */
static void pcap_begin(FILE *f)
{
    const uint32_t magic = 0xa1b2c3d4u, snaplen = 65535, linktype = 101;
    const uint16_t major = 2, minor = 4;
    const int32_t zone = 0;
    const uint32_t sigfigs = 0;
    assert_int_equal(fwrite(&magic, 4, 1, f), 1);
    assert_int_equal(fwrite(&major, 2, 1, f), 1);
    assert_int_equal(fwrite(&minor, 2, 1, f), 1);
    assert_int_equal(fwrite(&zone, 4, 1, f), 1);
    assert_int_equal(fwrite(&sigfigs, 4, 1, f), 1);
    assert_int_equal(fwrite(&snaplen, 4, 1, f), 1);
    assert_int_equal(fwrite(&linktype, 4, 1, f), 1);
}

/* One IPv4/UDP datagram 127.0.0.1:40000 -> 127.0.0.1:8600 around payload. */
static void pcap_udp(FILE *f, const uint8_t *payload, size_t len, int64_t t_ms)
{
    uint8_t pkt[1024];
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
    uint32_t hdr[4] = {(uint32_t)(t_ms / 1000), (uint32_t)(t_ms % 1000) * 1000u, (uint32_t)ip_len,
                       (uint32_t)ip_len};
    assert_int_equal(fwrite(hdr, sizeof hdr, 1, f), 1);
    assert_int_equal(fwrite(pkt, ip_len, 1, f), 1);
}

/* ------------------------------------------------------------ tshark */

/* Run cmd; its whole output (malloc'ed, NUL-terminated). */
static char *run(const char *cmd, int *status)
{
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char *buf = calloc(1, 1);
    assert_non_null(buf);
    size_t len = 0;
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, p)) > 0) {
        char *nb = realloc(buf, len + n + 1);
        assert_non_null(nb);
        buf = nb;
        memcpy(buf + len, chunk, n);
        len += n;
        buf[len] = 0;
    }
    *status = pclose(p);
    return buf;
}

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
    if (nc != NF + 1)
        fail_msg("tshark printed \"%.200s\", not %u tab-separated fields", line, (unsigned)NF + 1);
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
            double v = strtod(got, &end);
            if (!got[0] || *end)
                fail_msg("frame %u: %s is \"%s\", want %.9g", frame, FIELDS[i], got, e->num[i]);
            double d = fabs(v - e->num[i]);
            if (e->mod[i] > 0)
                d = fmin(d, e->mod[i] - d);
            if (!(d <= e->tol[i]))
                fail_msg("frame %u: %s is %s, want %.9g +- %g", frame, FIELDS[i], got, e->num[i],
                         e->tol[i]);
            break;
        }
        case K_STR: {
            size_t n = strlen(got);
            while (n > 0 && got[n - 1] == ' ') /* AI is padded with spaces */
                n--;
            if (n != strlen(e->str[i]) || strncmp(got, e->str[i], n))
                fail_msg("frame %u: %s is \"%s\", want \"%s\"", frame, FIELDS[i], got, e->str[i]);
            break;
        }
        }
        n_compared[i]++;
    }
}

static void test_tshark_reads_cairn_alerts(void **state)
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

    char dir[] = "/tmp/cairn-cat004-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[sizeof dir + 32];
    snprintf(path, sizeof path, "%s/alerts.pcap", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    pcap_begin(f);
    n_frames = 0;
    unsigned n_sep = 0, n_zone = 0, n_eoc = 0;
    for (unsigned i = 0; i < N_ALERTS; i++) {
        struct det_alert a;
        uint8_t sac, sic, dg[512];
        int64_t now_ms;
        make_alert(&a, &EXP[n_frames], &sac, &sic, &now_ms);
        int n = app_cat004(&a, sac, sic, now_ms, dg, sizeof dg);
        if (n <= 0)
            fail_msg("alert %u (rule %u, state %u): app_cat004 returned %d, the alert is "
                     "not sent",
                     i, a.rule, a.state, n);
        pcap_udp(f, dg, (size_t)n, now_ms);
        n_frames++;
        n_sep += a.rule == DET_RULE_SEPARATION;
        n_zone += a.rule == DET_RULE_ZONE;
        n_eoc += a.state == DET_ST_CLEARED;
    }
    assert_int_equal(fclose(f), 0);

    char cmd[4096];
    int off = snprintf(cmd, sizeof cmd,
                       "tshark -n -r %s -d udp.port==8600,asterix -T fields -E separator=/t -E "
                       "occurrence=f -e frame.number",
                       path);
    for (unsigned i = 0; i < NF; i++)
        off += snprintf(cmd + off, sizeof cmd - (size_t)off, " -e %s", FIELDS[i]);
    snprintf(cmd + off, sizeof cmd - (size_t)off, " 2>/dev/null");
    int st;
    char *out = run(cmd, &st);
    unlink(path);
    rmdir(dir);
    if (st != 0)
        fail_msg("tshark failed (status %d): %.500s", st, out);
    unsigned lines = 0;
    memset(n_compared, 0, sizeof n_compared);
    char *save = NULL;
    for (char *ln = strtok_r(out, "\n", &save); ln; ln = strtok_r(NULL, "\n", &save)) {
        compare_line(ln);
        lines++;
    }
    free(out);
    assert_int_equal(lines, n_frames);
    unsigned long total = 0;
    for (unsigned i = 0; i < NF; i++) {
        if (n_compared[i] == 0)
            fail_msg("field %s never compared", FIELDS[i]);
        total += n_compared[i];
    }
    print_message("tshark read %u CAT004 datagrams from app_cat004 (%u SEPARATION, %u ZONE, "
                  "%u of them cleared) to the alerts' values: %lu fields compared\n",
                  lines, n_sep, n_zone, n_eoc, total);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tshark_reads_cairn_alerts),
    };
    return td_exit(cmocka_run_group_tests(tests, NULL, NULL));
}
