/*
 * test_asterix_typed.c — the typed encoders (typed.h) read back through the
 * generic decoder (asterix.h) in every edition they claim: fixed examples
 * (a primary-only plot, a Mode S report, a PSR-only coasting system track,
 * north marker and sector crossing, end of batch), range and character
 * errors, and seeded random structs whose decoded values must be within
 * half an LSB of what was encoded.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/error.h"
#include "decode/asterix/asterix.h"
#include "decode/asterix/encode.h"
#include "decode/asterix/typed.h"

#define RANDOM_N 1000

/* Decode one record of category cat / edition ed from rec[0..len). */
static void decode_one(unsigned cat, uint16_t ed, const uint8_t *rec, int len, struct ax_record *r)
{
    assert_true(len > 0);
    const struct ax_category *c = ax_category_find(cat, ed);
    assert_non_null(c);
    struct ax_error err;
    memset(&err, 0, sizeof err);
    int n = ax_record_decode(c, rec, (size_t)len, r, &err);
    if (n != len)
        fail_msg("CAT%03u ed %u.%u: decoded %d of %d bytes (%s at item %s)", cat, AX_ED_MAJOR(ed),
                 AX_ED_MINOR(ed), n, len, err.why ? err.why : "-", err.item ? err.item : "-");
}

static int has_item(const struct ax_record *r, const char *id)
{
    return ax_record_item(r, id) != NULL;
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

/* A field of an extended item that may end before it: absent reads 0. */
static double val_or0(const struct ax_record *r, const char *id, const char *path)
{
    const struct ax_item *it = ax_record_item(r, id);
    struct ax_leaf l;
    if (!it || ax_item_field(it, path, &l) != 1)
        return 0;
    return ax_leaf_value(&l);
}

static const char *str(const struct ax_record *r, const char *id, const char *path)
{
    static char buf[64];
    const struct ax_item *it = ax_record_item(r, id);
    if (!it)
        fail_msg("item %s absent", id);
    struct ax_leaf l;
    if (ax_item_field(it, path, &l) != 1)
        fail_msg("item %s has no %s", id, path);
    assert_true(ax_leaf_string(&l, buf, sizeof buf) >= 0);
    return buf;
}

static void near(double got, double want, double tol, const char *what)
{
    if (!(fabs(got - want) <= tol))
        fail_msg("%s: %.9g, want %.9g (+-%g)", what, got, want, tol);
}

static const uint16_t ED48[] = {AX_ED(1, 31), AX_ED(1, 32)};
static const uint16_t ED62[] = {AX_ED(1, 19), AX_ED(1, 21)};

static void test_cat048_primary_plot(void **state)
{
    (void)state;
    struct ax48_report p;
    memset(&p, 0, sizeof p);
    p.sac = 25;
    p.sic = 201;
    p.tod_s = 45296.5; /* 12:34:56.5 */
    p.typ = AX48_TYP_PSR;
    p.has_polar = 1;
    p.rho_nm = 87.25;
    p.theta_deg = 271.4;
    p.has_psr_amplitude = 1;
    p.psr_amplitude_dbm = -73;
    p.has_track_number = 1;
    p.track_number = 4095;
    p.has_xy = 1;
    p.x_nm = -87.2;
    p.y_nm = 2.1;
    p.has_velocity = 1;
    p.gs_kt = 420;
    p.hdg_deg = 93.0;
    p.has_track_status = 1;
    p.rad = AX48_RAD_PSR;
    uint8_t rec[AX_TYPED_MAX_RECORD];
    int n = ax48_encode(&p, rec, sizeof rec);
    for (size_t e = 0; e < 2; e++) {
        struct ax_record r;
        decode_one(48, ED48[e], rec, n, &r);
        assert_int_equal((int)val(&r, "020", "TYP"), 1);
        assert_false(has_item(&r, "070")); /* no SSR or Mode S items */
        assert_false(has_item(&r, "090"));
        assert_false(has_item(&r, "220"));
        assert_false(has_item(&r, "240"));
        assert_int_equal((int)val(&r, "010", "SAC"), 25);
        assert_int_equal((int)val(&r, "010", "SIC"), 201);
        near(val(&r, "140", "140"), 45296.5, 1.0 / 256, "ToD");
        near(val(&r, "040", "RHO"), 87.25, 1.0 / 512, "RHO");
        near(val(&r, "040", "THETA"), 271.4, 360.0 / 131072, "THETA");
        near(val(&r, "130", "PAM"), -73, 0, "PAM");
        near(val(&r, "161", "TRN"), 4095, 0, "TRN");
        near(val(&r, "042", "X"), -87.2, 1.0 / 256, "X");
        near(val(&r, "042", "Y"), 2.1, 1.0 / 256, "Y");
        near(val(&r, "200", "GSP") * 3600.0, 420, 3600.0 / 32768, "GSP");
        near(val(&r, "200", "HDG"), 93.0, 360.0 / 131072, "HDG");
        assert_int_equal((int)val(&r, "170", "RAD"), 1);
        assert_int_equal((int)val(&r, "170", "CNF"), 0);
    }
}

static void test_cat048_modes_report(void **state)
{
    (void)state;
    struct ax48_report p;
    memset(&p, 0, sizeof p);
    p.sac = 1;
    p.sic = 2;
    p.tod_s = 86399.9921875;
    p.typ = AX48_TYP_MODES_ROLLCALL_PSR;
    p.spi = 1;
    p.tst = 1;
    p.has_polar = 1;
    p.rho_nm = 255.99;
    p.theta_deg = 359.999; /* rounds to 360 = 0 */
    p.has_mode3a = 1;
    p.mode3a = 07700;
    p.has_fl = 1;
    p.alt_fl = 350.25;
    p.has_address = 1;
    p.icao24 = 0x3C6589;
    p.has_callsign = 1;
    strcpy(p.callsign, "DLH65A");
    p.has_track_status = 1;
    p.rad = AX48_RAD_SSR;
    p.tentative = 1;
    p.end_of_track = 1;
    uint8_t rec[AX_TYPED_MAX_RECORD];
    int n = ax48_encode(&p, rec, sizeof rec);
    for (size_t e = 0; e < 2; e++) {
        struct ax_record r;
        decode_one(48, ED48[e], rec, n, &r);
        assert_int_equal((int)val(&r, "020", "TYP"), 7);
        assert_int_equal((int)val(&r, "020", "SPI"), 1);
        assert_int_equal((int)val(&r, "020", "TST"), 1);
        near(val(&r, "040", "THETA"), 0, 0, "THETA wraps");
        assert_string_equal(str(&r, "070", "MODE3A"), "7700");
        near(val(&r, "090", "FL"), 350.25, 0, "FL");
        near(val(&r, "220", "220"), 0x3C6589, 0, "address");
        assert_string_equal(str(&r, "240", "240"), "DLH65A  ");
        assert_int_equal((int)val(&r, "170", "TRE"), 1);
        assert_int_equal((int)val(&r, "170", "CNF"), 1);
        near(val(&r, "140", "140"), 86399.9921875, 0, "ToD");
    }
}

static void base_track(struct ax62_track *t)
{
    memset(t, 0, sizeof *t);
    t->sac = 25;
    t->sic = 100;
    t->has_service_id = 1;
    t->service_id = 3;
    t->tot_s = 3600.25;
    t->has_wgs84 = 1;
    t->lat_deg = 59.80055;
    t->lon_deg = 30.26471;
    t->has_xy = 1;
    t->x_m = -12345.5;
    t->y_m = 67890.0;
    t->has_velocity = 1;
    t->vx_mps = 120.25;
    t->vy_mps = -80.5;
    t->track_number = 1234;
}

static void test_cat062_tracks(void **state)
{
    (void)state;
    struct ax62_track t;
    base_track(&t);
    t.has_mode3a = 1;
    t.mode3a = 01234;
    t.has_callsign = 1;
    strcpy(t.callsign, "RYR174C");
    t.has_fl = 1;
    t.alt_fl = 370;
    t.has_baro_alt = 1;
    t.alt_baro_fl = 369.75;
    t.has_geo_alt = 1;
    t.alt_geo_ft = 37512.5;
    t.has_vrate = 1;
    t.vrate_fpm = -1500;
    t.ems = AX62_EMS_NORDO;
    t.has_icao24 = 1;
    t.icao24 = 0x4CA7A8;
    uint8_t rec[AX_TYPED_MAX_RECORD];
    int n = ax62_encode(&t, rec, sizeof rec);
    for (size_t e = 0; e < 2; e++) {
        struct ax_record r;
        decode_one(62, ED62[e], rec, n, &r);
        near(val(&r, "105", "LAT"), 59.80055, 90.0 / (1 << 25), "LAT");
        near(val(&r, "105", "LON"), 30.26471, 90.0 / (1 << 25), "LON");
        near(val(&r, "100", "X"), -12345.5, 0, "X");
        near(val(&r, "100", "Y"), 67890, 0, "Y");
        near(val(&r, "185", "VX"), 120.25, 0, "VX");
        near(val(&r, "185", "VY"), -80.5, 0, "VY");
        assert_string_equal(str(&r, "060", "MODE3A"), "1234");
        assert_string_equal(str(&r, "245", "CHR"), "RYR174C ");
        near(val(&r, "040", "040"), 1234, 0, "track number");
        near(val(&r, "136", "136"), 370, 0, "FL");
        near(val(&r, "135", "CTB"), 369.75, 0, "CTB");
        near(val(&r, "130", "130"), 37512.5, 0, "geo alt");
        near(val(&r, "220", "220"), -1500, 0, "ROCD");
        near(val(&r, "070", "070"), 3600.25, 0, "ToT");
        assert_int_equal((int)val(&r, "080", "EMS"), 4);
        near(val(&r, "380", "ADR"), 0x4CA7A8, 0, "ADR");
        assert_int_equal((int)val(&r, "015", "015"), 3);
    }

    /* a PSR-only track, coasting: SDS non-cooperative, SSR/Mode S stale,
     * ages in I290; no Mode 3/A, callsign or flight level */
    base_track(&t);
    t.monosensor = 1;
    t.sds = AX62_SDS_NON_COOPERATIVE;
    t.coasting = 1;
    t.ssr_stale = 1;
    t.mds_stale = 1;
    t.ads_stale = 1;
    t.has_ages = 1;
    t.has_psr_age = 1;
    t.psr_age_s = 12.75;
    t.has_track_age = 1;
    t.track_age_s = 4;
    n = ax62_encode(&t, rec, sizeof rec);
    for (size_t e = 0; e < 2; e++) {
        struct ax_record r;
        decode_one(62, ED62[e], rec, n, &r);
        assert_false(has_item(&r, "060"));
        assert_false(has_item(&r, "245"));
        assert_false(has_item(&r, "136"));
        assert_int_equal((int)val(&r, "080", "SDS"), 2);
        assert_int_equal((int)val(&r, "080", "CST"), 1);
        assert_int_equal((int)val(&r, "080", "SSR"), 1);
        assert_int_equal((int)val(&r, "080", "MDS"), 1);
        assert_int_equal((int)val(&r, "080", "PSR"), 0);
        assert_int_equal((int)val(&r, "080", "MON"), 1);
        near(val(&r, "290", "PSR"), 12.75, 0, "PSR age");
        near(val(&r, "290", "TRK"), 4, 0, "track age");
    }
}

static void test_cat034_cat065(void **state)
{
    (void)state;
    uint8_t rec[AX_TYPED_MAX_RECORD];
    struct ax34_service s;
    memset(&s, 0, sizeof s);
    s.sac = 25;
    s.sic = 201;
    s.type = AX34_NORTH_MARKER;
    s.tod_s = 100.5;
    s.has_rotation = 1;
    s.rotation_period_s = 4.0;
    s.has_status = 1;
    s.tsv = 1;
    s.has_psr_status = 1;
    s.psr_chab = 3;
    struct ax_record r;
    decode_one(34, AX_ED(1, 29), rec, ax34_encode(&s, rec, sizeof rec), &r);
    assert_int_equal((int)val(&r, "000", "000"), 1);
    near(val(&r, "030", "030"), 100.5, 0, "ToD");
    near(val(&r, "041", "041"), 4.0, 0, "rotation");
    assert_int_equal((int)val(&r, "050", "COM/TSV"), 1);
    assert_int_equal((int)val(&r, "050", "PSR/CHAB"), 3);
    assert_false(has_item(&r, "020"));

    s.type = AX34_SECTOR_CROSSING;
    s.has_sector = 1;
    s.sector_deg = 45.0;
    s.has_status = s.has_psr_status = s.has_rotation = 0;
    decode_one(34, AX_ED(1, 29), rec, ax34_encode(&s, rec, sizeof rec), &r);
    assert_int_equal((int)val(&r, "000", "000"), 2);
    near(val(&r, "020", "020"), 45.0, 0, "sector");

    struct ax65_status st;
    memset(&st, 0, sizeof st);
    st.sac = 25;
    st.sic = 100;
    st.type = AX65_END_OF_BATCH;
    st.service_id = 3;
    st.tod_s = 3601.0;
    st.has_batch = 1;
    st.batch = 17;
    st.has_status = 1;
    st.nogo = 1;
    st.pss = 2;
    st.has_report = 1;
    st.report = 14;
    decode_one(65, AX_ED(1, 6), rec, ax65_encode(&st, rec, sizeof rec), &r);
    assert_int_equal((int)val(&r, "000", "000"), 2);
    assert_int_equal((int)val(&r, "015", "015"), 3);
    assert_int_equal((int)val(&r, "020", "020"), 17);
    near(val(&r, "030", "030"), 3601.0, 0, "ToM");
    assert_int_equal((int)val(&r, "040", "NOGO"), 1);
    assert_int_equal((int)val(&r, "040", "PSS"), 2);
    assert_int_equal((int)val(&r, "050", "050"), 14);
}

/* CAT004: an STCA pair with every item the encoder writes, an alive message
 * with its function flags, an APW with an area name; errors. Decoded back
 * through the generated 1.12 table. */
static void test_cat004_alerts(void **state)
{
    (void)state;
    uint8_t rec[AX_TYPED_MAX_RECORD];
    struct ax04_alert a;
    memset(&a, 0, sizeof a);
    a.sac = 25, a.sic = 50, a.type = AX04_STCA;
    a.has_sdps = 1, a.sdps_sac = 25, a.sdps_sic = 100;
    a.tod_s = 45000.25;
    a.has_alert_id = 1, a.alert_id = 4711;
    a.has_status = 1, a.status = 2;
    a.has_track1 = 1, a.track1 = 1234;
    a.has_track2 = 1, a.track2 = 4321;
    a.has_ttc = a.has_tca = a.has_chs = a.has_mhs = a.has_cvs = a.has_mvs = 1;
    a.ttc_s = 42.5, a.tca_s = 60.0078125, a.chs_m = 5556.5, a.mhs_m = 1852.0;
    a.cvs_ft = 500, a.mvs_ft = 300;
    a.has_nature = 1, a.nature = 0x24; /* CAS + TYPE major */
    a.has_class = 1, a.class_tid = 3, a.class_cp = 5, a.class_high = 1;
    a.has_probability = 1, a.probability_pct = 87.5;
    a.has_duration = 1, a.duration_s = 12.25;
    a.ac1.has_ident = 1;
    snprintf(a.ac1.ident, sizeof a.ac1.ident, "DLH65A");
    a.ac1.has_mode3a = 1, a.ac1.mode3a = 01000;
    a.ac1.has_position = 1, a.ac1.lat_deg = 48.25, a.ac1.lon_deg = 11.5, a.ac1.alt_ft = 33000;
    a.ac1.has_modes_id = 1;
    snprintf(a.ac1.modes_id, sizeof a.ac1.modes_id, "DLH65A");
    a.ac1.has_cfl = 1, a.ac1.cfl_fl = 330;
    a.ac2.has_ident = 1;
    snprintf(a.ac2.ident, sizeof a.ac2.ident, "AFR12");
    a.ac2.has_mode3a = 1, a.ac2.mode3a = 07777;
    struct ax_record r;
    decode_one(4, AX_ED(1, 12), rec, ax04_encode(&a, rec, sizeof rec), &r);
    assert_int_equal((int)val(&r, "000", "000"), 7);
    assert_int_equal((int)val(&r, "010", "SIC"), 50);
    assert_int_equal((int)val(&r, "015", "SIC"), 100);
    near(val(&r, "020", "020"), 45000.25, 1e-9, "I020");
    assert_int_equal((int)val(&r, "040", "040"), 4711);
    assert_int_equal((int)val(&r, "045", "STAT"), 2);
    assert_int_equal((int)val(&r, "030", "030"), 1234);
    assert_int_equal((int)val(&r, "035", "035"), 4321);
    near(val(&r, "070", "TC"), 42.5, 1e-9, "TC");
    near(val(&r, "070", "TCA"), 60.0078125, 1e-9, "TCA");
    near(val(&r, "070", "CHS"), 5556.5, 1e-9, "CHS");
    near(val(&r, "070", "MHS"), 1852.0, 1e-9, "MHS");
    near(val(&r, "070", "CVS"), 500, 1e-9, "CVS");
    near(val(&r, "070", "MVS"), 300, 1e-9, "MVS");
    assert_int_equal((int)val(&r, "120", "CN/CAS"), 1);
    assert_int_equal((int)val(&r, "120", "CN/TYPE"), 1);
    assert_int_equal((int)val(&r, "120", "CN/MAS"), 0);
    assert_int_equal((int)val(&r, "120", "CC/TID"), 3);
    assert_int_equal((int)val(&r, "120", "CC/CP"), 5);
    assert_int_equal((int)val(&r, "120", "CC/CS"), 1);
    /* "CP" names both CC/CP and the probability: read its octet (after the
     * compound's FSPEC, CN and CC), 87.5 % in 0.5 % */
    assert_int_equal(ax_record_item(&r, "120")->p[3], 175);
    near(val(&r, "120", "CD"), 12.25, 1e-9, "CD");
    assert_string_equal(str(&r, "170", "AI1"), "DLH65A "); /* space padded */
    assert_string_equal(str(&r, "170", "M31/MODE3A"), "1000");
    near(val(&r, "170", "CPW/LAT"), 48.25, 180.0 / 33554432.0, "LAT");
    near(val(&r, "170", "CPW/LON"), 11.5, 180.0 / 33554432.0, "LON");
    near(val(&r, "170", "CPW/ALT"), 33000, 1e-9, "ALT");
    assert_string_equal(str(&r, "170", "MS1"), "DLH65A");
    near(val(&r, "170", "CF1"), 330, 1e-9, "CF1");
    assert_string_equal(str(&r, "171", "AI2"), "AFR12  ");
    assert_string_equal(str(&r, "171", "M32/MODE3A"), "7777");
    assert_false(has_item(&r, "060"));
    assert_false(has_item(&r, "100"));

    /* alive message: functions STCA (bit 6), APM (bit 7), AIW (bit 14) */
    memset(&a, 0, sizeof a);
    a.sac = 25, a.sic = 50, a.type = AX04_ALIVE, a.tod_s = 1.0;
    a.has_functions = 1;
    a.functions = 1ull << 6 | 1ull << 7 | 1ull << 14;
    int n = ax04_encode(&a, rec, sizeof rec);
    decode_one(4, AX_ED(1, 12), rec, n, &r);
    assert_int_equal((int)val(&r, "060", "STCA"), 1);
    assert_int_equal((int)val(&r, "060", "APM"), 1);
    assert_int_equal((int)val(&r, "060", "AIW"), 1);
    assert_int_equal((int)val(&r, "060", "MSAW"), 0);
    assert_int_equal(ax_record_item(&r, "060")->len, 3); /* three octets, no more */

    /* APW: a zone by name */
    memset(&a, 0, sizeof a);
    a.sac = 25, a.sic = 50, a.type = AX04_APW, a.tod_s = 2.0;
    a.has_alert_id = 1, a.alert_id = 1;
    a.has_track1 = 1, a.track1 = 77;
    a.has_area = 1;
    snprintf(a.area, sizeof a.area, "EDR143");
    a.has_vdev = 1, a.vdev_ft = -1250;
    a.has_ldev = 1, a.ldev_m = -3200;
    a.has_tdev = 1, a.tdev_m = 812.5;
    decode_one(4, AX_ED(1, 12), rec, ax04_encode(&a, rec, sizeof rec), &r);
    assert_string_equal(str(&r, "100", "AN"), "EDR143  ");
    near(val(&r, "076", "076"), -1250, 1e-9, "I076");
    near(val(&r, "074", "074"), -3200, 1e-9, "I074");
    near(val(&r, "075", "075"), 812.5, 1e-9, "I075");

    /* errors: out of range, bad characters, too many function flags */
    a.vdev_ft = 1e9;
    assert_int_equal(ax04_encode(&a, rec, sizeof rec), CAIRN_E_RANGE);
    a.vdev_ft = 0;
    snprintf(a.area, sizeof a.area, "edr-1");
    assert_int_equal(ax04_encode(&a, rec, sizeof rec), CAIRN_E_INVAL);
    snprintf(a.area, sizeof a.area, "EDR143");
    a.ac1.has_ident = 1;
    snprintf(a.ac1.ident, sizeof a.ac1.ident, "AB\x01");
    assert_int_equal(ax04_encode(&a, rec, sizeof rec), CAIRN_E_INVAL);
    a.ac1.has_ident = 0;
    a.ac1.has_position = 1, a.ac1.lat_deg = 91;
    assert_int_equal(ax04_encode(&a, rec, sizeof rec), CAIRN_E_RANGE);
    a.ac1.has_position = 0;
    a.has_functions = 1, a.functions = 1ull << 49;
    assert_int_equal(ax04_encode(&a, rec, sizeof rec), CAIRN_E_RANGE);
    a.functions = 0;
    assert_true(ax04_encode(&a, rec, sizeof rec) > 0);
    assert_int_equal(ax04_encode(&a, rec, 4), CAIRN_E_FULL);
}

static void test_errors(void **state)
{
    (void)state;
    uint8_t rec[AX_TYPED_MAX_RECORD];
    struct ax62_track t;
    base_track(&t);
    t.lat_deg = 90.5;
    assert_int_equal(ax62_encode(&t, rec, sizeof rec), CAIRN_E_RANGE);
    base_track(&t);
    t.vx_mps = 9000; /* over 8191.75 m/s */
    assert_int_equal(ax62_encode(&t, rec, sizeof rec), CAIRN_E_RANGE);
    base_track(&t);
    t.has_callsign = 1;
    strcpy(t.callsign, "ryr1");
    assert_int_equal(ax62_encode(&t, rec, sizeof rec), CAIRN_E_INVAL);
    base_track(&t);
    t.has_mode3a = 1;
    t.mode3a = 010000; /* five octal digits */
    assert_int_equal(ax62_encode(&t, rec, sizeof rec), CAIRN_E_RANGE);
    base_track(&t);
    t.tot_s = NAN;
    assert_int_equal(ax62_encode(&t, rec, sizeof rec), CAIRN_E_RANGE);
    base_track(&t);
    t.tot_s = 86400.0 + 1.0; /* not a time of day */
    assert_int_equal(ax62_encode(&t, rec, sizeof rec), CAIRN_E_RANGE);
    t.tot_s = -0.5;
    assert_int_equal(ax62_encode(&t, rec, sizeof rec), CAIRN_E_RANGE);
    t.tot_s = 86399.999; /* rounds to midnight: the next day's 0 */
    struct ax_record r;
    decode_one(62, AX_ED(1, 19), rec, ax62_encode(&t, rec, sizeof rec), &r);
    near(val(&r, "070", "070"), 0, 0, "midnight");
    base_track(&t);
    assert_int_equal(ax62_encode(&t, rec, 10), CAIRN_E_FULL);
    assert_true(ax62_encode(&t, rec, sizeof rec) > 0);

    struct ax48_report p;
    memset(&p, 0, sizeof p);
    p.typ = 8;
    assert_int_equal(ax48_encode(&p, rec, sizeof rec), CAIRN_E_RANGE);
    p.typ = 1;
    p.has_track_number = 1;
    p.track_number = 4096;
    assert_int_equal(ax48_encode(&p, rec, sizeof rec), CAIRN_E_RANGE);
    p.track_number = 1;
    p.has_polar = 1;
    p.rho_nm = 256.0;
    assert_int_equal(ax48_encode(&p, rec, sizeof rec), CAIRN_E_RANGE);
    p.rho_nm = -1;
    assert_int_equal(ax48_encode(&p, rec, sizeof rec), CAIRN_E_RANGE);
    p.rho_nm = 1;
    p.has_address = 1;
    p.icao24 = 0x1000000;
    assert_int_equal(ax48_encode(&p, rec, sizeof rec), CAIRN_E_RANGE);

    uint64_t v;
    assert_int_equal(ax_icao6_pack("ABCDEFGHI", &v), CAIRN_E_INVAL);
    assert_int_equal(ax_icao6_pack("A-1", &v), CAIRN_E_INVAL);
    assert_int_equal(ax_icao6_pack("", &v), 0);
    assert_int_equal(v, 0x820820820820ull); /* eight spaces (32 = 0b100000) */
}

/* ------------------------------------------------------------ builder */

#define SETOK(expr) assert_int_equal((expr), 0)

/* The same CAT062 track built field by field through the generic builder
 * (names from the tables) and through the typed encoder: identical bytes. */
static void test_builder_equals_typed(void **state)
{
    (void)state;
    struct ax62_track t;
    base_track(&t);
    t.has_mode3a = 1;
    t.mode3a = 01234;
    t.has_callsign = 1;
    strcpy(t.callsign, "RYR174C");
    t.has_icao24 = 1;
    t.icao24 = 0x4CA7A8;
    t.sds = AX62_SDS_NON_COOPERATIVE;
    t.coasting = 1;
    t.has_ages = t.has_psr_age = 1;
    t.psr_age_s = 12.75;
    t.has_fl = 1;
    t.alt_fl = 370;
    t.has_baro_alt = 1;
    t.alt_baro_fl = 369.75;
    t.baro_qnh = 1;
    t.has_vrate = 1;
    t.vrate_fpm = -1500;
    uint8_t want[AX_TYPED_MAX_RECORD];
    int wn = ax62_encode(&t, want, sizeof want);
    assert_true(wn > 0);

    for (size_t e = 0; e < 2; e++) {
        const struct ax_category *c = ax_category_find(62, ED62[e]);
        static struct ax_val pool[512];
        struct ax_builder b;
        ax_builder_init(&b, pool, 512);
        struct ax_val *it[16];
        unsigned n = 0;
        const char *ids[] = {"010", "015", "070", "105", "100", "185", "060", "245",
                             "380", "040", "080", "290", "136", "135", "220"};
        for (; n < sizeof ids / sizeof ids[0]; n++) {
            it[n] = ax_builder_item(&b, ax_category_item(c, ids[n]));
            assert_non_null(it[n]);
        }
        SETOK(ax_builder_set(&b, it[0], "SAC", 25));
        SETOK(ax_builder_set(&b, it[0], "SIC", 100));
        SETOK(ax_builder_set(&b, it[1], "015", 3));
        SETOK(ax_builder_set(&b, it[2], "", 3600.25));
        SETOK(ax_builder_set(&b, it[3], "LAT", 59.80055));
        SETOK(ax_builder_set(&b, it[3], "LON", 30.26471));
        SETOK(ax_builder_set(&b, it[4], "X", -12345.5));
        SETOK(ax_builder_set(&b, it[4], "Y", 67890.0));
        SETOK(ax_builder_set(&b, it[5], "VX", 120.25));
        SETOK(ax_builder_set(&b, it[5], "VY", -80.5));
        SETOK(ax_builder_set_str(&b, it[6], "MODE3A", "1234"));
        SETOK(ax_builder_set_str(&b, it[7], "CHR", "RYR174C"));
        SETOK(ax_builder_set_raw(&b, it[8], "ADR", 0x4CA7A8));
        SETOK(ax_builder_set(&b, it[9], "040", 1234));
        SETOK(ax_builder_set(&b, it[10], "CST", 1));
        SETOK(ax_builder_set(&b, it[10], "SDS", 2));
        SETOK(ax_builder_set(&b, it[11], "PSR", 12.75));
        SETOK(ax_builder_set(&b, it[12], "136", 370));
        SETOK(ax_builder_set(&b, it[13], "QNH", 1));
        SETOK(ax_builder_set(&b, it[13], "CTB", 369.75));
        SETOK(ax_builder_set(&b, it[14], "220", -1500));
        static uint8_t bytes[1024];
        size_t off = 0;
        struct ax_record r;
        memset(&r, 0, sizeof r);
        for (unsigned i = 0; i < n; i++) {
            int k = ax_item_encode(it[i], bytes + off, sizeof bytes - off);
            assert_true(k > 0);
            SETOK(ax_record_add(&r, c, it[i]->node, bytes + off, (uint16_t)k));
            off += (size_t)k;
        }
        ax_record_sort(&r);
        uint8_t got[AX_TYPED_MAX_RECORD];
        int gn = ax_record_encode(&r, got, sizeof got);
        assert_int_equal(gn, wn);
        assert_memory_equal(got, want, (size_t)wn);
    }
}

static void test_builder_structures(void **state)
{
    (void)state;
    const struct ax_category *c = ax_category_find(48, AX_ED(1, 31));
    struct ax_val pool[64];
    struct ax_builder b;
    ax_builder_init(&b, pool, 64);
    /* I048/120: compound (CAL, RDS); RDS repetitive with a count octet */
    struct ax_val *v = ax_builder_item(&b, ax_category_item(c, "120"));
    SETOK(ax_builder_set(&b, v, "CAL/CAL", -12.0));
    SETOK(ax_builder_set(&b, v, "RDS[1]/DOP", 300.0));
    uint8_t out[64];
    int n = ax_item_encode(v, out, sizeof out);
    const uint8_t want[16] = {0xC0, 0x03, 0xF4, 2, 0, 0, 0, 0, 0, 0, 0x01, 0x2C, 0, 0, 0, 0};
    assert_int_equal(n, 16);
    assert_memory_equal(out, want, 16);
    /* and the decoder reads them back */
    struct ax_item item = {.desc = v->node, .p = out, .len = (uint16_t)n, .frn = 0};
    struct ax_leaf l;
    assert_int_equal(ax_item_field(&item, "CAL/CAL", &l), 1);
    assert_int_equal((int)ax_leaf_value(&l), -12);

    /* I048/020: setting an extension field sends the octets up to it */
    v = ax_builder_item(&b, ax_category_item(c, "020"));
    SETOK(ax_builder_set(&b, v, "TYP", 1));
    assert_int_equal(ax_item_encode(v, out, sizeof out), 1);
    assert_int_equal(out[0], 0x20);
    SETOK(ax_builder_set(&b, v, "ME", 1));
    assert_int_equal(ax_item_encode(v, out, sizeof out), 2);
    assert_int_equal(out[0], 0x21);
    assert_int_equal(out[1], 0x10);

    /* the RE field: explicit length, then the ref specification's compound */
    const struct ax_category *c62 = ax_category_find(62, AX_ED(1, 19));
    v = ax_builder_item(&b, ax_category_item(c62, "RE"));
    SETOK(ax_builder_set(&b, v, "STS/FDR", 1));
    n = ax_item_encode(v, out, sizeof out);
    assert_true(n >= 3);
    assert_int_equal(out[0], n); /* the length octet counts itself */
    item = (struct ax_item){.desc = v->node, .p = out, .len = (uint16_t)n, .frn = 0};
    assert_int_equal(ax_item_field(&item, "STS/FDR", &l), 1);
    assert_int_equal(ax_leaf_raw(&l), 1);

    /* errors */
    v = ax_builder_item(&b, ax_category_item(c, "040"));
    assert_int_equal(ax_builder_set(&b, v, "NOPE", 1), CAIRN_E_NOTFOUND);
    assert_int_equal(ax_builder_set(&b, v, "RHO", 256.0), CAIRN_E_RANGE);
    assert_int_equal(ax_builder_set(&b, v, "RHO", -1.0), CAIRN_E_RANGE);
    assert_int_equal(ax_builder_set(&b, v, "RHO", NAN), CAIRN_E_RANGE);
    assert_int_equal(ax_builder_set_str(&b, v, "RHO", "1"), CAIRN_E_INVAL);
    v = ax_builder_item(&b, ax_category_item(c, "070"));
    assert_int_equal(ax_builder_set_str(&b, v, "MODE3A", "7800"), CAIRN_E_INVAL);
    assert_int_equal(ax_builder_set_str(&b, v, "MODE3A", "77000"), CAIRN_E_RANGE);
    assert_int_equal(ax_builder_set(&b, v, "V", 0.5), CAIRN_E_RANGE);
    assert_int_equal(ax_builder_set(&b, v, "V", 2), CAIRN_E_RANGE);
    v = ax_builder_item(&b, ax_category_item(c, "240"));
    assert_int_equal(ax_builder_set_str(&b, v, "240", "abc"), CAIRN_E_INVAL);
    assert_int_equal(ax_builder_set_str(&b, v, "240", "ABCDEFGHI"), CAIRN_E_RANGE);
    SETOK(ax_builder_set_str(&b, v, "", "DLH65A"));
    assert_int_equal(ax_item_encode(v, out, sizeof out), 6);
    /* pool exhausted */
    struct ax_val tiny[2];
    ax_builder_init(&b, tiny, 2);
    v = ax_builder_item(&b, ax_category_item(c, "120"));
    assert_int_equal(ax_builder_set(&b, v, "CAL/CAL", 1.0), CAIRN_E_FULL);
}

/* ------------------------------------------------------------ random */

static uint64_t rng;
static uint64_t rnd(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545F4914F6CDD1Dull;
}
static double urand(double lo, double hi)
{
    return lo + (hi - lo) * ((double)(rnd() >> 11) / 9007199254740992.0);
}
static void rand_callsign(char *out)
{
    static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    unsigned n = 1 + (unsigned)(rnd() % 8);
    for (unsigned i = 0; i < n; i++)
        out[i] = set[rnd() % (sizeof set - 1)];
    out[n] = 0;
}

static void test_random_typed(void **state)
{
    (void)state;
    const char *env = getenv("CAIRN_SEED");
    uint64_t seed = env ? strtoull(env, NULL, 0) : (uint64_t)time(NULL) * 2654435761u;
    print_message("seed %" PRIu64 " (repeat with CAIRN_SEED=%" PRIu64 ")\n", seed, seed);
    rng = seed ? seed : 1;
    uint8_t rec[AX_TYPED_MAX_RECORD];
    char want[16];
    for (int i = 0; i < RANDOM_N; i++) {
        struct ax62_track t;
        memset(&t, 0, sizeof t);
        t.sac = (uint8_t)rnd();
        t.sic = (uint8_t)rnd();
        t.tot_s = urand(0, 86399);
        t.track_number = (uint16_t)rnd();
        t.has_wgs84 = 1;
        t.lat_deg = urand(-90, 90);
        t.lon_deg = urand(-180, 180);
        t.has_velocity = 1;
        t.vx_mps = urand(-8192, 8191.75);
        t.vy_mps = urand(-8192, 8191.75);
        t.has_mode3a = (int)(rnd() & 1);
        t.mode3a = (uint16_t)(rnd() & 07777);
        t.has_callsign = (int)(rnd() & 1);
        rand_callsign(t.callsign);
        t.has_fl = 1;
        t.alt_fl = urand(-15, 1500);
        t.sds = (uint8_t)(rnd() & 3);
        t.coasting = (uint8_t)(rnd() & 1);
        int n = ax62_encode(&t, rec, sizeof rec);
        struct ax_record r;
        decode_one(62, ED62[i & 1], rec, n, &r);
        near(val(&r, "105", "LAT"), t.lat_deg, 90.0 / (1 << 25) * 1.0001, "LAT");
        near(val(&r, "105", "LON"), t.lon_deg, 90.0 / (1 << 25) * 1.0001, "LON");
        near(val(&r, "185", "VX"), t.vx_mps, 0.125, "VX");
        near(val(&r, "185", "VY"), t.vy_mps, 0.125, "VY");
        near(val(&r, "070", "070"), t.tot_s, 1.0 / 256, "ToT");
        near(val(&r, "136", "136"), t.alt_fl, 0.125, "FL");
        near(val(&r, "040", "040"), t.track_number, 0, "TN");
        assert_int_equal((int)val_or0(&r, "080", "SDS"), t.sds);
        assert_int_equal((int)val_or0(&r, "080", "CST"), t.coasting);
        assert_int_equal(has_item(&r, "060"), t.has_mode3a);
        if (t.has_mode3a) {
            snprintf(want, sizeof want, "%04o", t.mode3a);
            assert_string_equal(str(&r, "060", "MODE3A"), want);
        }
        if (t.has_callsign) {
            snprintf(want, sizeof want, "%-8s", t.callsign);
            assert_string_equal(str(&r, "245", "CHR"), want);
        }

        struct ax48_report p;
        memset(&p, 0, sizeof p);
        p.typ = (uint8_t)(rnd() & 7);
        p.tod_s = urand(0, 86399);
        p.has_polar = 1;
        p.rho_nm = urand(0, 255.99);
        p.theta_deg = urand(0, 360);
        p.has_fl = 1;
        p.alt_fl = urand(0, 2000);
        p.has_xy = 1;
        p.x_nm = urand(-255, 255);
        p.y_nm = urand(-255, 255);
        p.has_velocity = 1;
        p.gs_kt = urand(0, 3000);
        p.hdg_deg = urand(0, 359.99);
        n = ax48_encode(&p, rec, sizeof rec);
        decode_one(48, ED48[i & 1], rec, n, &r);
        near(val(&r, "040", "RHO"), p.rho_nm, 1.0 / 512, "RHO");
        double th = val(&r, "040", "THETA");
        double dth = fabs(th - p.theta_deg);
        if (dth > 180)
            dth = 360 - dth;
        near(dth, 0, 360.0 / 131072 * 1.0001, "THETA");
        near(val(&r, "090", "FL"), p.alt_fl, 0.125, "FL");
        near(val(&r, "042", "X"), p.x_nm, 1.0 / 256, "X");
        near(val(&r, "200", "GSP") * 3600, p.gs_kt, 3600.0 / 32768 * 1.0001, "GSP");
        assert_int_equal((int)val(&r, "020", "TYP"), p.typ);
    }
    print_message("%d CAT062 tracks and %d CAT048 reports round-tripped\n", RANDOM_N, RANDOM_N);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cat048_primary_plot),  cmocka_unit_test(test_cat048_modes_report),
        cmocka_unit_test(test_cat062_tracks),        cmocka_unit_test(test_cat034_cat065),
        cmocka_unit_test(test_cat004_alerts),        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_builder_equals_typed), cmocka_unit_test(test_builder_structures),
        cmocka_unit_test(test_random_typed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
