/*
 * test_app_cat004.c — cairn's alerts as CAT004 records (app/cat004.h),
 * decoded back through the generated CAT004 1.12 table: a predicted
 * SEPARATION is an STCA with both tracks, the separations and the
 * identities; a ZONE entry an APW; a cleared alert an end of conflict with
 * the same identifier; rules CAT004 has no message for are not sent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "app/cat004.h"
#include "decode/asterix/asterix.h"
#include "decode/asterix/typed.h"
#include "detect/detect.h"
#include "track/track.h"

#define T0_MS INT64_C(1393851767000) /* 2014-03-03 13:02:47 UTC */

/* The data block in blk[0..len): CAT 4, LEN = len, one record. */
static void decode(const uint8_t *blk, int len, struct ax_record *r)
{
    assert_true(len > 3);
    assert_int_equal(blk[0], 4);
    assert_int_equal(blk[1] << 8 | blk[2], len);
    const uint8_t *rec = blk + 3;
    len -= 3;
    const struct ax_category *c = ax_category_find(4, AX_ED(1, 12));
    assert_non_null(c);
    struct ax_error err;
    memset(&err, 0, sizeof err);
    assert_int_equal(ax_record_decode(c, rec, (size_t)len, r, &err), len);
}

static double val(const struct ax_record *r, const char *id, const char *path)
{
    const struct ax_item *it = ax_record_item(r, id);
    if (!it)
        fail_msg("item %s absent", id);
    struct ax_leaf l;
    if (ax_item_field(it, path, &l) != 1)
        fail_msg("item %s has no %s", id, path);
    return ax_leaf_value(&l);
}

static struct det_alert separation(void)
{
    struct det_alert a;
    memset(&a, 0, sizeof a);
    a.id = 70002; /* beyond 16 bits: I040 carries it modulo 65536 */
    a.rule = DET_RULE_SEPARATION;
    a.severity = DET_SEV_CAUTION;
    a.state = DET_ST_OPEN;
    a.n_parties = 2;
    a.parties[0].track_id = 1;
    a.parties[0].ids = TRK_ID_ICAO | TRK_ID_SQUAWK | TRK_ID_CALLSIGN;
    a.parties[0].squawk = 04721;
    memcpy(a.parties[0].callsign, "SAS681", 7);
    a.parties[1].track_id = 2;
    a.n_values = 5;
    a.values[0] = (struct det_value){"horiz_nm", 17.75};
    a.values[1] = (struct det_value){"vert_ft", -1};
    a.values[2] = (struct det_value){"cpa_s", 119.5};
    a.values[3] = (struct det_value){"cpa_horiz_nm", 2.5};
    a.values[4] = (struct det_value){"cpa_vert_ft", -1};
    a.hypothesis = "straight";
    return a;
}

static void test_stca_and_end(void **state)
{
    (void)state;
    uint8_t rec[512];
    struct ax_record r;
    struct det_alert a = separation();
    int n = app_cat004(&a, 25, 90, T0_MS, rec, sizeof rec);
    decode(rec, n, &r);
    assert_int_equal((int)val(&r, "000", "000"), AX04_STCA);
    assert_int_equal((int)val(&r, "010", "SAC"), 25);
    assert_int_equal((int)val(&r, "010", "SIC"), 90);
    assert_true(fabs(val(&r, "020", "020") - (13 * 3600 + 2 * 60 + 47)) < 1e-6);
    assert_int_equal((int)val(&r, "040", "040"), 70002 % 65536);
    assert_int_equal((int)val(&r, "045", "STAT"), 0);
    assert_int_equal((int)val(&r, "030", "030"), 1);
    assert_int_equal((int)val(&r, "035", "035"), 2);
    assert_true(fabs(val(&r, "070", "CHS") - 17.75 * 1852.0) <= 0.5);
    assert_true(fabs(val(&r, "070", "MHS") - 2.5 * 1852.0) <= 0.5);
    assert_true(fabs(val(&r, "070", "TCA") - 119.5) <= 1.0 / 128);
    /* altitude unknown (primary-only party): no vertical separations */
    struct ax_leaf l;
    assert_int_not_equal(ax_item_field(ax_record_item(&r, "070"), "CVS", &l), 1);
    assert_non_null(ax_record_item(&r, "170"));
    /* updated, then cleared: status 1, then an end of conflict, same id */
    a.state = DET_ST_UPDATED;
    decode(rec, app_cat004(&a, 25, 90, T0_MS + 1000, rec, sizeof rec), &r);
    assert_int_equal((int)val(&r, "045", "STAT"), 1);
    a.state = DET_ST_CLEARED;
    decode(rec, app_cat004(&a, 25, 90, T0_MS + 2000, rec, sizeof rec), &r);
    assert_int_equal((int)val(&r, "000", "000"), AX04_EOC);
    assert_int_equal((int)val(&r, "040", "040"), 70002 % 65536);
}

static void test_zone_and_others(void **state)
{
    (void)state;
    uint8_t rec[512];
    struct ax_record r;
    struct det_alert a;
    memset(&a, 0, sizeof a);
    a.id = 9;
    a.rule = DET_RULE_ZONE;
    a.state = DET_ST_OPEN;
    a.n_parties = 1;
    a.parties[0].track_id = 3;
    a.parties[0].ids = TRK_ID_SQUAWK;
    a.parties[0].squawk = 06101;
    decode(rec, app_cat004(&a, 1, 2, T0_MS, rec, sizeof rec), &r);
    assert_int_equal((int)val(&r, "000", "000"), AX04_APW);
    assert_int_equal((int)val(&r, "030", "030"), 3);
    assert_null(ax_record_item(&r, "035"));
    /* no CAT004 message type: nothing */
    static const uint8_t none[] = {DET_RULE_EMERGENCY, DET_RULE_NO_TRANSPONDER, DET_RULE_RENEGADE,
                                   DET_RULE_AIS_GAP};
    for (size_t i = 0; i < sizeof none; i++) {
        a.rule = none[i];
        assert_int_equal(app_cat004(&a, 1, 2, T0_MS, rec, sizeof rec), 0);
    }
    /* a callsign with characters CAT004 cannot carry: they are left out */
    a.rule = DET_RULE_ZONE;
    a.parties[0].ids |= TRK_ID_CALLSIGN;
    memcpy(a.parties[0].callsign, "a\x1b[2J", 6);
    assert_true(app_cat004(&a, 1, 2, T0_MS, rec, sizeof rec) > 0);
    /* too small a buffer: the encoder's error, nothing written past it */
    assert_true(app_cat004(&a, 1, 2, T0_MS, rec, 4) < 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stca_and_end),
        cmocka_unit_test(test_zone_and_others),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
