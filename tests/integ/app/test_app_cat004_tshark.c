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
 * 127.0.0.1) and dissected by Debian's tshark (CAT004 edition 1.12, its
 * default and the encoder's), both by tests/support/integ_tshark.h. Each
 * `tshark -T fields` value is compared with what the alert says, by the mapping
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

#include "integ_tshark.h"
#include "testdata.h"

#include <stdint.h>
#include <string.h>
#include <time.h>

#include "app/cat004.h"
#include "detect/detect.h"
#include "track/track.h"

/* Alerts per run: every combination many times over, small enough for
 * tshark to finish in about a second. */
#define N_ALERTS 400
/* The largest separation_nm the configuration accepts (app/config.c): the
 * detector reports predicted minima up to it. */
#define SEP_MAX_NM 20.0

static const char *const FIELDS[] = {
    "asterix.category",           "asterix.004_000_VALUE",     "asterix.004_010_SAC",
    "asterix.004_010_SIC",        "asterix.004_020_VALUE",     "asterix.004_040_VALUE",
    "asterix.004_045_STAT",       "asterix.004_030_VALUE",     "asterix.004_035_VALUE",
    "asterix.004_070_TCA_VALUE",  "asterix.004_070_CHS_VALUE", "asterix.004_070_MHS_VALUE",
    "asterix.004_070_CVS_VALUE",  "asterix.004_070_MVS_VALUE", "asterix.004_170_AI1_VALUE",
    "asterix.004_170_M31_MODE3A", "asterix.004_171_AI2_VALUE", "asterix.004_171_M32_MODE3A",
};
#define NF (sizeof FIELDS / sizeof FIELDS[0])
_Static_assert(NF <= TSH_MAX_FIELDS, "too many fields for integ_tshark");

static struct tsh_fields TABLE = {FIELDS, (unsigned)NF, {0}};
static struct tsh_expect EXP[N_ALERTS];

/* ------------------------------------------------------------ random alerts */

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
    p->track_id = (uint32_t)(tsh_rnd() % 200000); /* beyond 16 bits now and then */
    if (tsh_rnd() % 4) {
        p->ids |= TRK_ID_SQUAWK;
        p->squawk = (uint16_t)(tsh_rnd() & 07777);
    }
    if (tsh_rnd() % 4) {
        p->ids |= TRK_ID_CALLSIGN;
        /* as a track may carry it: letters and digits, up to 8 (an ADS-B
         * identification); now and then a character CAT004 cannot carry */
        tsh_callsign(p->callsign, 1, 8, 1);
    }
}

static void expect_party(struct tsh_expect *e, const struct det_party *p, int second)
{
    tsh_want_num(e, second ? "asterix.004_035_VALUE" : "asterix.004_030_VALUE",
                 (double)(p->track_id & 0xFFFF), 0);
    char cs[8];
    carried(p->callsign, cs);
    if (cs[0])
        tsh_want_str(e, second ? "asterix.004_171_AI2_VALUE" : "asterix.004_170_AI1_VALUE", cs);
    if (p->ids & TRK_ID_SQUAWK)
        tsh_want_octal(e, second ? "asterix.004_171_M32_MODE3A" : "asterix.004_170_M31_MODE3A",
                       p->squawk & 07777);
}

/* LSBs of CAT004 1.12 (half of each is the tolerance). */
#define TOD_LSB   (1.0 / 128) /* I020, I070 TCA */
#define SEP_H_LSB 0.5         /* I070 CHS, MHS (m) */
#define SEP_V_LSB 25.0        /* I070 CVS, MVS (ft) */
/* MHS is 16 bits of 0.5 m: a predicted minimum beyond 32,767.5 m (17.7 NM)
 * cannot be carried and is left out (the rest of the alert goes). */
#define MHS_MAX_M (65535 * SEP_H_LSB)

static void make_alert(struct det_alert *a, struct tsh_expect *e, uint8_t *sac, uint8_t *sic,
                       int64_t *now_ms)
{
    memset(a, 0, sizeof *a);
    tsh_expect_init(e, &TABLE);
    int sep = tsh_rnd() % 3 != 0;
    a->id = (uint32_t)tsh_rnd();
    a->rule = sep ? DET_RULE_SEPARATION : DET_RULE_ZONE;
    a->state = (uint8_t)(tsh_rnd() % 4 == 0 ? DET_ST_CLEARED
                         : tsh_rnd() % 2    ? DET_ST_OPEN
                                            : DET_ST_UPDATED);
    a->severity = (uint8_t)(sep ? tsh_rnd() % 3 + DET_SEV_CAUTION : DET_SEV_WARNING);
    a->n_parties = (uint8_t)(sep ? 2 : 1);
    for (unsigned i = 0; i < a->n_parties; i++)
        rand_party(&a->parties[i]);
    if (sep) {
        int predicted = tsh_rnd() % 3 != 0;
        int alt = tsh_rnd() % 4 != 0; /* both altitudes known */
        double horiz = tsh_rnd() % 16 == 0 ? 0.0 : tsh_urand(0, 3 * SEP_MAX_NM);
        double cpa_h = tsh_rnd() % 16 == 0 ? SEP_MAX_NM : tsh_urand(0, SEP_MAX_NM);
        a->n_values = 5;
        a->values[0] = (struct det_value){"horiz_nm", horiz};
        a->values[1] = (struct det_value){"vert_ft", alt ? tsh_urand(0, 45000) : -1.0};
        a->values[2] = (struct det_value){"cpa_s", predicted ? tsh_urand(0, 120) : 0.0};
        a->values[3] = (struct det_value){"cpa_horiz_nm", cpa_h};
        a->values[4] = (struct det_value){"cpa_vert_ft", alt ? tsh_urand(0, 4000) : -1.0};
        a->hypothesis = predicted ? (tsh_rnd() % 2 ? "straight" : "turning") : NULL;
    }
    *sac = (uint8_t)tsh_rnd();
    *sic = (uint8_t)tsh_rnd();
    /* any time of a day in 2014, the last second before midnight often */
    int64_t day0 = INT64_C(1393804800000) + (int64_t)(tsh_rnd() % 300) * 86400000;
    *now_ms = day0 + (tsh_rnd() % 8 == 0 ? 86399000 + (int64_t)(tsh_rnd() % 1000)
                                         : (int64_t)(tsh_rnd() % 86400000));

    /* what the alert means, by app/cat004.h's mapping */
    tsh_want_num(e, "asterix.category", 4, 0);
    int cleared = a->state == DET_ST_CLEARED;
    tsh_want_num(e, "asterix.004_000_VALUE", cleared ? 17 : sep ? 7 : 5, 0);
    tsh_want_num(e, "asterix.004_010_SAC", *sac, 0);
    tsh_want_num(e, "asterix.004_010_SIC", *sic, 0);
    tsh_want_num(e, "asterix.004_020_VALUE", (double)(*now_ms % 86400000) / 1000.0, TOD_LSB / 2);
    tsh_want_modulo(e, "asterix.004_020_VALUE", 86400.0); /* 23:59:59.999 rounds to 00:00:00 */
    tsh_want_num(e, "asterix.004_040_VALUE", (double)(a->id & 0xFFFF), 0);
    if (!cleared)
        tsh_want_num(e, "asterix.004_045_STAT", a->state == DET_ST_OPEN ? 0 : 1, 0);
    expect_party(e, &a->parties[0], 0);
    if (sep)
        expect_party(e, &a->parties[1], 1);
    if (sep && !cleared) {
        double horiz = a->values[0].v, vert = a->values[1].v, cpa_s = a->values[2].v;
        double cpa_h = a->values[3].v, cpa_v = a->values[4].v;
        tsh_want_num(e, "asterix.004_070_CHS_VALUE", horiz * 1852.0, SEP_H_LSB / 2);
        if (vert >= 0)
            tsh_want_num(e, "asterix.004_070_CVS_VALUE", vert, SEP_V_LSB / 2);
        if (a->hypothesis) {
            tsh_want_num(e, "asterix.004_070_TCA_VALUE", cpa_s, TOD_LSB / 2);
            if (cpa_h * 1852.0 <= MHS_MAX_M)
                tsh_want_num(e, "asterix.004_070_MHS_VALUE", cpa_h * 1852.0, SEP_H_LSB / 2);
            if (cpa_v >= 0)
                tsh_want_num(e, "asterix.004_070_MVS_VALUE", cpa_v, SEP_V_LSB / 2);
        }
    }
}

static void test_tshark_reads_cairn_alerts(void **state)
{
    (void)state;
    TSH_SKIP_WITHOUT_TSHARK();
    tsh_srand(tsh_seed((uint64_t)time(NULL) * 2654435761u));

    struct tsh_capture cap;
    tsh_capture_open(&cap, "alerts.pcap");
    unsigned n_frames = 0;
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
        tsh_capture_udp(&cap, dg, (size_t)n, now_ms);
        n_frames++;
        n_sep += a.rule == DET_RULE_SEPARATION;
        n_zone += a.rule == DET_RULE_ZONE;
        n_eoc += a.state == DET_ST_CLEARED;
    }
    tsh_capture_close(&cap);
    unsigned long total = tsh_compare(&TABLE, EXP, n_frames, &cap);
    print_message("tshark read %u CAT004 datagrams from app_cat004 (%u SEPARATION, %u ZONE, "
                  "%u of them cleared) to the alerts' values: %lu fields compared\n",
                  n_frames, n_sep, n_zone, n_eoc, total);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tshark_reads_cairn_alerts),
    };
    return td_exit(cmocka_run_group_tests(tests, NULL, NULL));
}
