/*
 * test_modes_vectors.c — the Mode S decoder against data no one here wrote.
 *
 *  - core_vectors.csv (ours, always runs) and pymodes_vectors.csv (shared
 *    data): rows `hex[+hex],field,expected,where`; the `field` column picks
 *    the check, the expected column is parsed as written (numbers after
 *    keywords). Every row must be handled: an unknown field fails.
 *  - pymodes_sample_data_adsb.csv: 2,000 DF17 of 406B90 decoded in time order
 *    through one context; all CRC-valid; positions continuous.
 *  - pymodes_sample_data_commb_df20/21.csv: syndrome = icao column; address
 *    recovery with a context that knows those addresses.
 *  - pymodes_golden_v2.json: pyModeS 2.21's decode of 600 of those messages;
 *    every field both decoders give must agree (counts printed).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/hex.h"
#include "decode/modes/modes.h"
#include "testdata.h"

static struct modes_ctx ctx; /* ~150 KB: static, not on the stack */

static int frame_from_hex(const char *hex, size_t n, struct modes_frame *f, double t)
{
    memset(f, 0, sizeof *f);
    if (n % 2 || n / 2 > MODES_LONG_LEN || hex_decode(hex, n / 2, f->data) != 0)
        return -1;
    f->len = (uint8_t)(n / 2);
    f->kind = FRAME_MODES;
    f->t_s = t;
    return 0;
}

/* The number following keyword kw in s (or at s when kw is NULL). */
static double num_after(const char *s, const char *kw)
{
    const char *p = kw ? strstr(s, kw) : s;
    assert_non_null(p);
    if (kw)
        p += strlen(kw);
    while (*p && !(isdigit((unsigned char)*p) || *p == '-' || *p == '+' || *p == '.'))
        p++;
    char *end;
    double v = strtod(p, &end);
    assert_true(end != p);
    return v;
}

static void near(double got, double want, double tol, const char *what)
{
    if (fabs(got - want) > tol)
        fail_msg("%s: got %.6f want %.6f (tol %g)", what, got, want, tol);
}

/* Decode one hex message in a fresh context that accepts AP addresses. */
static int dec1(const char *hex, struct modes_msg *m, int fix)
{
    struct modes_opts o;
    modes_opts_default(&o);
    o.accept_unknown_addr = 1;
    o.fix_errors = fix;
    modes_ctx_init(&ctx, &o);
    struct modes_frame f;
    assert_int_equal(frame_from_hex(hex, strlen(hex), &f, 100.0), 0);
    return modes_decode(&ctx, &f, m);
}

/* Case-insensitive "contains". */
static int has(const char *s, const char *w)
{
    size_t n = strlen(w);
    for (; *s; s++)
        if (strncasecmp(s, w, n) == 0)
            return 1;
    return 0;
}

static int row_synthetic(const char *field)
{
    return has(field, "ZERO PARITY") || has(field, "CRC INVALID");
}

/* Rows that are not valid messages as they stand: the three marked
 * synthetic/edited ones, and the one with a single-bit error. */
static int row_not_real(const char *field)
{
    return row_synthetic(field) || has(field, "single-bit error");
}

/* Pair rows: "A+B": decode both through one context, in the order the row's
 * wording asks ("odd newer" = the odd one second), with a receiver at the
 * reference when one is given. */
static void check_pair(const char *hexes, const char *field, const char *exp)
{
    char a[64], b[64];
    const char *plus = strchr(hexes, '+');
    assert_non_null(plus);
    snprintf(a, sizeof a, "%.*s", (int)(plus - hexes), hexes);
    snprintf(b, sizeof b, "%s", plus + 1);
    struct modes_msg ma, mb;
    assert_int_equal(dec1(a, &ma, 1), 0);
    assert_int_equal(dec1(b, &mb, 1), 0);
    const char *even = ma.cpr_odd ? b : a, *odd = ma.cpr_odd ? a : b;
    assert_int_not_equal(ma.cpr_odd, mb.cpr_odd);
    int even_newer = has(field, "even newer");
    /* a surface row without its own reference continues the previous
     * row's (the pyModeS test it comes from uses one reference) */
    static double last_ref_lat, last_ref_lon;
    static int have_last_ref;
    struct modes_opts o;
    modes_opts_default(&o);
    o.max_range_nm = 0; /* the references here are only hemisphere/quadrant hints */
    const char *ref = strstr(field, "ref (");
    if (ref) {
        o.have_receiver = 1;
        o.rx_lat_deg = last_ref_lat = num_after(ref, "(");
        o.rx_lon_deg = last_ref_lon = num_after(strchr(ref, '(') + 1, " ");
        have_last_ref = 1;
    } else if (has(field, "surface") && have_last_ref) {
        o.have_receiver = 1;
        o.rx_lat_deg = last_ref_lat;
        o.rx_lon_deg = last_ref_lon;
    }
    modes_ctx_init(&ctx, &o);
    struct modes_frame f;
    struct modes_msg m;
    const char *first = even_newer ? odd : even, *second = even_newer ? even : odd;
    assert_int_equal(frame_from_hex(first, strlen(first), &f, 1000.0), 0);
    assert_int_equal(modes_decode(&ctx, &f, &m), 0);
    assert_int_equal(frame_from_hex(second, strlen(second), &f, 1001.0), 0);
    assert_int_equal(modes_decode(&ctx, &f, &m), 0);
    assert_true(m.has & MH_POS);
    assert_int_equal(m.pos_src, MODES_POS_GLOBAL);
    if (has(exp, "within")) {
        double tol = num_after(exp, "within");
        near(m.lat_deg, o.rx_lat_deg, tol, "lat");
        near(m.lon_deg, o.rx_lon_deg, tol, "lon");
        return;
    }
    double tol = strstr(exp, "+-") ? num_after(exp, "+-") : 1e-4;
    near(m.lat_deg, num_after(exp, "lat"), tol, "lat");
    near(m.lon_deg, num_after(exp, "lon"), tol, "lon");
}

static void check_row(const char *hex, const char *field, const char *exp)
{
    struct modes_msg m;
    if (strchr(hex, '+')) {
        check_pair(hex, field, exp);
        return;
    }
    int synthetic = row_synthetic(field);
    /* synthetic rows are not real messages: the decoder must refuse them
     * (CRC), and the fields are checked on the raw content */
    int rc = dec1(hex, &m, synthetic ? 0 : 1);
    if (synthetic)
        assert_int_equal(rc, CAIRN_E_CRC);
    else if (m.df == 22 || m.df == 23)
        assert_int_equal(rc, CAIRN_E_DF); /* military-use DF: CRC only */
    else
        assert_int_equal(rc, 0);

    if (!strcmp(field, "df/icao/tc")) {
        assert_int_equal(m.df, (int)num_after(exp, NULL));
        assert_int_equal(m.icao, strtoul(strchr(exp, '/') + 1, NULL, 16));
        assert_int_equal(m.tc, (int)num_after(strrchr(exp, '/') + 1, NULL));
    } else if (!strcmp(field, "callsign") || has(field, "BDS2.0 callsign")) {
        char want[16];
        sscanf(exp, "%15s", want);
        assert_true(m.has & MH_CALLSIGN);
        assert_string_equal(m.callsign, want);
    } else if (!strcmp(field, "category")) {
        assert_true(m.has & MH_CATEGORY);
        assert_int_equal(m.category & 7, (int)num_after(exp, NULL));
    } else if (has(field, "crc remainder") || !strcmp(field, "crc_remainder")) {
        assert_int_equal(m.syndrome, (uint32_t)num_after(exp, NULL));
        if (has(field, "single-bit")) { /* and the decoder repairs it */
            struct modes_msg m2;
            assert_int_equal(dec1(hex, &m2, 1), 0);
            assert_int_equal(m2.corrected_bits, 1);
        }
    } else if (!strcmp(field, "crc_parity_encode")) {
        uint8_t b[MODES_LONG_LEN];
        memcpy(b, m.raw, m.len);
        memset(b + m.len - 3, 0, 3); /* CRC of the data = syndrome with zero parity */
        assert_int_equal(modes_crc(b, m.len), (uint32_t)num_after(exp, NULL));
    } else if (!strcmp(field, "tc/altitude_ft")) {
        assert_int_equal(m.tc, (int)num_after(exp, NULL));
        assert_true(m.has & MH_ALT_BARO);
        assert_int_equal(m.alt_baro_ft, (int)num_after(strchr(exp, '/') + 1, NULL));
    } else if (!strcmp(field, "cpr_format")) {
        assert_int_equal(m.cpr_odd, (int)num_after(exp, NULL));
    } else if (!strcmp(field, "nuc_p")) {
        assert_true(m.has & MH_NUC_P);
        assert_int_equal(m.nuc_p, (int)num_after(exp, NULL));
    } else if (has(field, "local decode ref") || has(field, "surface,ref") ||
               (synthetic && has(field, "surface"))) {
        const char *src = strstr(field, "ref (") ? field : exp;
        const char *r = strstr(src, "ref (");
        assert_non_null(r);
        double rlat = num_after(r, "("), rlon = num_after(strchr(r, '(') + 1, " ");
        double lat, lon;
        assert_true(m.has & MH_CPR);
        assert_int_equal(
            modes_cpr_local(m.cpr_lat, m.cpr_lon, m.cpr_odd, m.cpr_surface, rlat, rlon, &lat, &lon),
            0);
        const char *e = strstr(exp, "->") ? strstr(exp, "->") : exp;
        near(lat, num_after(e, "lat"), 1e-4, "lat");
        near(lon, num_after(e, "lon"), 1e-4, "lon");
        if (has(exp, "GS")) {
            assert_true(m.has & MH_GS);
            near(m.gs_kt, num_after(exp, "GS"), 0.5, "gs");
            near(m.track_deg, num_after(exp, "trk"), 0.05, "trk");
        }
    } else if (!strcmp(field, "altitude_ft") || has(field, "DF4 altitude") ||
               has(field, "altitude code")) {
        assert_true(m.has & MH_ALT_BARO);
        assert_int_equal(m.alt_baro_ft, (int)num_after(exp, NULL));
    } else if (has(field, "velocity st1")) {
        assert_true(m.has & MH_GS);
        near(m.gs_kt, num_after(exp, "GS"), 0.5, "gs");
        near(m.track_deg, num_after(exp, "track"), 0.01, "track");
        assert_int_equal(m.vrate_fpm, (int)num_after(exp, "VR"));
        assert_int_equal(m.vrate_geom, has(exp, "GNSS"));
        assert_int_equal(m.geom_minus_baro_ft, (int)num_after(exp, "diff"));
    } else if (has(field, "velocity st3")) {
        if (has(exp, "TAS")) {
            assert_true(m.has & MH_TAS);
            assert_int_equal(m.tas_kt, (int)num_after(exp, "TAS"));
        } else {
            assert_true(m.has & MH_IAS);
            assert_int_equal(m.ias_kt, (int)num_after(exp, "IAS"));
        }
        assert_true(m.has & MH_HEADING);
        near(m.heading_deg, num_after(exp, "heading"), 0.01, "heading");
        assert_int_equal(m.vrate_fpm, (int)num_after(exp, "VR"));
    } else if (!strcmp(field, "vertical_rate")) {
        assert_true(m.has & MH_VRATE);
        assert_int_equal(m.vrate_fpm, (int)num_after(exp, NULL));
    } else if (!strcmp(field, "surface movement")) {
        if (has(exp, "None")) {
            assert_false(m.has & MH_GS);
        } else {
            assert_true(m.has & MH_GS);
            near(m.gs_kt, num_after(exp, NULL), 1e-6, "surface gs");
        }
    } else if (has(field, "BDS6.1")) {
        assert_int_equal(m.tc, (int)num_after(exp, "tc"));
        assert_int_equal(m.st, (int)num_after(exp, "st"));
        assert_int_equal(m.emergency, (int)num_after(exp, "emergency_state"));
        assert_true(m.has & MH_SQUAWK);
        char sq[8];
        snprintf(sq, sizeof sq, "%04o", m.squawk);
        char want[8];
        snprintf(want, sizeof want, "%04d", (int)num_after(exp, "squawk"));
        assert_string_equal(sq, want);
    } else if (has(field, "BDS6.2 target state")) {
        assert_true(m.has & MH_SEL_ALT_MCP);
        assert_int_equal(m.sel_alt_mcp_ft, (int)num_after(exp, "sel alt"));
        near(m.baro_hpa, num_after(exp, "QNH"), 0.05, "qnh");
        near(m.sel_heading_deg, num_after(exp, "sel hdg"), 0.05, "sel hdg");
        assert_int_equal(!!(m.nav_modes & MODES_NAV_AUTOPILOT), has(exp, "AP on"));
        assert_int_equal(!!(m.nav_modes & MODES_NAV_VNAV), has(exp, "VNAV on"));
        assert_int_equal(!!(m.nav_modes & MODES_NAV_ALT_HOLD), has(exp, "ALT HOLD on"));
        assert_int_equal(!!(m.nav_modes & MODES_NAV_APPROACH), has(exp, "APP on"));
        assert_int_equal(!!(m.nav_modes & MODES_NAV_TCAS), has(exp, "TCAS on"));
        assert_int_equal(!!(m.nav_modes & MODES_NAV_LNAV), has(exp, "LNAV on"));
    } else if (has(field, "BDS6.2 sel heading")) {
        /* one bit edited: raw content gives the edited heading; with
         * correction on, the decoder repairs the bit */
        near(m.sel_heading_deg, num_after(exp, NULL), 1e-4, "sel hdg (raw)");
        struct modes_msg m2;
        assert_int_equal(dec1(hex, &m2, 1), 0);
        assert_int_equal(m2.corrected_bits, 1);
        near(m2.sel_heading_deg, 66.796875, 1e-4, "sel hdg (corrected)");
    } else if (has(field, "DF4 UM/DR")) {
        assert_int_equal(m.um, (int)num_after(exp, "UM raw"));
        assert_int_equal(m.dr, (int)num_after(exp, "DR"));
        assert_int_equal(m.um >> 2, (int)num_after(exp, "IIS")); /* IIS = UM bits 1-4 */
        assert_int_equal(m.um & 3, (int)num_after(exp, "IDS"));
    } else if (has(field, "DF5 squawk") || has(field, "DF21 squawk")) {
        char sq[8], want[8];
        snprintf(sq, sizeof sq, "%04o", m.squawk);
        sscanf(exp, "%7s", want);
        assert_string_equal(sq, want);
        if (has(exp, "FS")) {
            assert_int_equal(m.fs, (int)num_after(exp, "FS"));
            assert_int_equal(m.dr, (int)num_after(exp, "DR"));
        }
    } else if (!strcmp(field, "DF11")) {
        assert_int_equal(m.icao, strtoul(strstr(exp, "icao ") + 5, NULL, 16));
        assert_int_equal(m.ca, (int)num_after(exp, "CA"));
        assert_int_equal(m.iid, 16 + (int)num_after(exp, "SI"));
    } else if (has(field, "DF20 address")) {
        assert_int_equal(m.icao, strtoul(exp, NULL, 16));
    } else if (has(field, "BDS4.0")) {
        assert_int_equal(m.bds, BDS_40);
        assert_int_equal(m.sel_alt_mcp_ft, (int)num_after(exp, "MCP"));
        assert_int_equal(m.sel_alt_fms_ft, (int)num_after(exp, "FMS"));
        near(m.baro_hpa, num_after(exp, "baro"), 0.05, "baro");
    } else if (has(field, "BDS5.0 roll")) {
        assert_int_equal(m.bds, BDS_50);
        near(m.roll_deg, num_after(exp, NULL), 0.05, "roll");
    } else if (has(field, "BDS5.0")) {
        assert_int_equal(m.bds, BDS_50);
        near(m.roll_deg, num_after(exp, "roll"), 0.05, "roll");
        near(m.track_deg, num_after(exp, "true track"), 0.001, "track");
        near(m.gs_kt, num_after(exp, "GS"), 0.5, "gs");
        near(m.track_rate_dps, num_after(exp, "track rate"), 0.001, "track rate");
        assert_int_equal(m.tas_kt, (int)num_after(exp, "TAS"));
    } else if (has(field, "BDS6.0")) {
        assert_int_equal(m.bds, BDS_60);
        near(m.heading_deg, num_after(exp, "mag hdg"), 0.001, "hdg");
        assert_int_equal(m.ias_kt, (int)num_after(exp, "IAS"));
        near(m.mach, num_after(exp, "Mach"), 0.001, "mach");
        assert_int_equal(m.vrate_fpm, (int)num_after(exp, "baro VR"));
        assert_int_equal(m.vrate_inertial_fpm, (int)num_after(exp, "inertial VR"));
    } else if (has(field, "BDS inference")) {
        int hi = 0, lo = 0;
        assert_int_equal(sscanf(strstr(exp, "BDS"), "BDS%d.%d", &hi, &lo), 2);
        assert_int_equal(m.bds, hi << 4 | lo); /* "BDS1.7" -> 0x17 */
    } else {
        fail_msg("unhandled vector field '%s'", field);
    }
}

/* Split a CSV line (no quoted commas in these files) into 4 fields. */
static int split4(char *line, char **f)
{
    int n = 0;
    f[n++] = line;
    for (char *p = line; *p && n < 4; p++)
        if (*p == ',') {
            *p = 0;
            f[n++] = p + 1;
        }
    return n;
}

static int run_vector_file(const char *path, int *n_synth)
{
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    char line[1024];
    int n = 0;
    *n_synth = 0;
    while (fgets(line, sizeof line, fp)) {
        line[strcspn(line, "\r\n")] = 0;
        char *f[4];
        if (!line[0] || !strncmp(line, "hex,", 4))
            continue;
        assert_int_equal(split4(line, f), 4);
        print_message("  %-60.60s %s\n", f[0], f[1]);
        check_row(f[0], f[1], f[2]);
        n++;
        *n_synth += row_not_real(f[1]);
    }
    fclose(fp);
    return n;
}

static void test_core_vectors(void **state)
{
    (void)state;
    int synth;
    int n = run_vector_file(CAIRN_SOURCE_DIR "/tests/vectors/modes/core_vectors.csv", &synth);
    print_message("core_vectors.csv: %d rows passed\n", n);
    assert_true(n >= 18);
}

static void test_pymodes_vectors(void **state)
{
    (void)state;
    TD_REQUIRE("modes/pymodes_vectors.csv");
    int synth;
    int n = run_vector_file(td_path("modes/pymodes_vectors.csv"), &synth);
    print_message("pymodes_vectors.csv: %d rows passed (%d not real: 3 synthetic/edited "
                  "refused by CRC, 1 single-bit error corrected)\n",
                  n, synth);
    assert_int_equal(synth, 4);
    assert_true(n >= 75);
}

/* ---- the 406B90 sample --------------------------------------------------- */

struct adsb_row {
    double t;
    char hex[29];
};

static struct adsb_row *load_adsb(size_t *n)
{
    size_t len;
    char *buf = (char *)td_slurp(td_path("modes/pymodes_sample_data_adsb.csv"), &len);
    assert_non_null(buf);
    struct adsb_row *rows = calloc(4000, sizeof *rows);
    size_t k = 0;
    for (char *line = strtok(buf, "\n"); line && k < 4000; line = strtok(NULL, "\n")) {
        char hex[64];
        double t;
        if (sscanf(line, "%lf,\"%28[0-9A-Fa-f]\"", &t, hex) == 2) {
            rows[k].t = t;
            memcpy(rows[k].hex, hex, 29);
            k++;
        }
    }
    free(buf);
    *n = k;
    return rows;
}

/* Golden comparisons: one counter pair per field. */
struct agree {
    const char *name;
    int agree, total;
};

static struct agree *agree_slot(struct agree *a, const char *name)
{
    for (int i = 0; i < 32; i++) {
        if (!a[i].name) {
            a[i].name = name;
            return &a[i];
        }
        if (!strcmp(a[i].name, name))
            return &a[i];
    }
    fail_msg("too many golden fields");
    return NULL;
}

static void agree_num(struct agree *a, const char *name, int have, double got, json_t *want,
                      double tol, const char *hex)
{
    if (!want)
        return;
    struct agree *s = agree_slot(a, name);
    s->total++;
    if (have && fabs(got - json_number_value(want)) <= tol)
        s->agree++;
    else
        print_message("  disagree %s %s: ours %s%.4f golden %.4f\n", hex, name,
                      have ? "" : "(absent) ", got, json_number_value(want));
}

static void compare_golden(struct agree *a, json_t *g, const struct modes_msg *m, const char *hex)
{
    uint64_t h = m->has;
    agree_num(a, "df", 1, m->df, json_object_get(g, "df"), 0, hex);
    json_t *icao = json_object_get(g, "icao");
    if (icao) {
        struct agree *s = agree_slot(a, "icao");
        s->total++;
        s->agree += strtoul(json_string_value(icao), NULL, 16) == m->icao;
    }
    agree_num(a, "typecode", (h & MH_ADSB) != 0, m->tc, json_object_get(g, "typecode"), 0, hex);
    agree_num(a, "altitude", (h & MH_ALT_BARO) != 0, m->alt_baro_ft, json_object_get(g, "altitude"),
              0, hex);
    agree_num(a, "cpr_format", (h & MH_CPR) != 0, m->cpr_odd, json_object_get(g, "cpr_format"), 0,
              hex);
    agree_num(a, "category", (h & MH_CATEGORY) != 0, m->category & 7,
              json_object_get(g, "category"), 0, hex);
    json_t *cs = json_object_get(g, "callsign");
    if (cs) {
        char want[16];
        snprintf(want, sizeof want, "%s", json_string_value(cs));
        for (int i = (int)strlen(want) - 1; i >= 0 && want[i] == '_'; i--)
            want[i] = 0; /* v2 pads with '_' */
        struct agree *s = agree_slot(a, "callsign");
        s->total++;
        s->agree += (h & MH_CALLSIGN) && !strcmp(m->callsign, want);
    }
    json_t *sq = json_object_get(g, "squawk");
    if (sq) {
        char got[8];
        snprintf(got, sizeof got, "%04o", m->squawk);
        struct agree *s = agree_slot(a, "squawk");
        s->total++;
        s->agree += (h & MH_SQUAWK) && !strcmp(got, json_string_value(sq));
    }
    /* pyModeS v2 truncates the ADS-B ground speed to an integer */
    agree_num(a, "groundspeed", (h & MH_GS) != 0, m->df == 17 ? floor(m->gs_kt) : m->gs_kt,
              json_object_get(g, "groundspeed"), 0.01, hex);
    agree_num(a, "track", (h & MH_TRACK) != 0, m->track_deg, json_object_get(g, "track"), 0.01,
              hex);
    agree_num(a, "vertical_rate", (h & MH_VRATE) != 0, m->vrate_fpm,
              json_object_get(g, "vertical_rate"), 0, hex);
    agree_num(a, "selected_altitude_mcp", (h & MH_SEL_ALT_MCP) != 0, m->sel_alt_mcp_ft,
              json_object_get(g, "selected_altitude_mcp"), 0, hex);
    agree_num(a, "selected_altitude_fms", (h & MH_SEL_ALT_FMS) != 0, m->sel_alt_fms_ft,
              json_object_get(g, "selected_altitude_fms"), 0, hex);
    agree_num(a, "baro_pressure_setting", (h & MH_BARO_SET) != 0, m->baro_hpa,
              json_object_get(g, "baro_pressure_setting"), 0.05, hex);
    agree_num(a, "roll", (h & MH_ROLL) != 0, m->roll_deg, json_object_get(g, "roll"), 0.001, hex);
    agree_num(a, "true_track", (h & MH_TRACK) != 0, m->track_deg, json_object_get(g, "true_track"),
              0.001, hex);
    agree_num(a, "track_rate", (h & MH_TRACK_RATE) != 0, m->track_rate_dps,
              json_object_get(g, "track_rate"), 0.001, hex);
    agree_num(a, "true_airspeed", (h & MH_TAS) != 0, m->tas_kt, json_object_get(g, "true_airspeed"),
              0, hex);
    agree_num(a, "magnetic_heading", (h & MH_HEADING) != 0, m->heading_deg,
              json_object_get(g, "magnetic_heading"), 0.001, hex);
    agree_num(a, "indicated_airspeed", (h & MH_IAS) != 0, m->ias_kt,
              json_object_get(g, "indicated_airspeed"), 0, hex);
    agree_num(a, "mach", (h & MH_MACH) != 0, m->mach, json_object_get(g, "mach"), 0.0005, hex);
    agree_num(a, "baro_vertical_rate", (h & MH_VRATE) != 0, m->vrate_fpm,
              json_object_get(g, "baro_vertical_rate"), 0, hex);
    agree_num(a, "inertial_vertical_rate", (h & MH_VRATE_INERTIAL) != 0, m->vrate_inertial_fpm,
              json_object_get(g, "inertial_vertical_rate"), 0, hex);
    if (m->df == 20 || m->df == 21) {
        /* bds: golden "BDS50,BDS60" etc. (pyModeS with its meteorological
         * registers on) versus our candidate set: 1,0 .. 6,0 exactly; 4,4
         * and 4,5 ours a subset of golden (cairn adds pressure, temperature
         * and microburst physics to pyModeS's bit rules) */
        json_t *b = json_object_get(g, "bds");
        uint16_t want = 0;
        if (b) {
            static const char *const nm[9] = {"BDS10", "BDS17", "BDS20", "BDS30", "BDS40",
                                              "BDS50", "BDS60", "BDS44", "BDS45"};
            for (int i = 0; i < 9; i++)
                if (strstr(json_string_value(b), nm[i]))
                    want |= (uint16_t)(1u << i);
        }
        const uint16_t met = MODES_BDS_CAND_44 | MODES_BDS_CAND_45;
        struct agree *s = agree_slot(a, "bds (candidates)");
        s->total++;
        if ((want & ~met) == (m->bds_cands & ~met) && (m->bds_cands & met & ~want) == 0)
            s->agree++;
        else
            print_message("  disagree %s bds: ours 0x%03x golden %s\n", hex, m->bds_cands,
                          b ? json_string_value(b) : "None");
        if (want & met) {
            struct agree *t = agree_slot(a, "bds 4,4/4,5 kept");
            t->total++;
            t->agree += (m->bds_cands & met) != 0;
        }
    }
}

static json_t *golden;
static json_t *golden_done; /* keys already compared: each message counts once */

static json_t *golden_get(const char *hex)
{
    char low[32];
    size_t i;
    for (i = 0; hex[i] && i < sizeof low - 1; i++)
        low[i] = (char)tolower((unsigned char)hex[i]);
    low[i] = 0;
    json_t *g = json_object_get(golden, low);
    if (!g || json_object_get(golden_done, low))
        return NULL;
    json_object_set_new(golden_done, low, json_true());
    return g;
}

static void load_golden(void)
{
    if (golden)
        return;
    json_error_t err;
    golden = json_load_file(td_path("modes/pymodes_golden_v2.json"), 0, &err);
    assert_non_null(golden);
    golden_done = json_object();
}

static struct agree agree_tab[32];
static int golden_seen;

static void test_sample_adsb(void **state)
{
    (void)state;
    TD_REQUIRE("modes/pymodes_sample_data_adsb.csv");
    TD_REQUIRE("modes/pymodes_golden_v2.json");
    load_golden();
    size_t n;
    struct adsb_row *rows = load_adsb(&n);
    assert_int_equal(n, 2000);
    modes_ctx_init(&ctx, NULL);
    int ok = 0, pos = 0, global = 0, golden_pos = 0, golden_pos_ok = 0;
    double plat = 0, plon = 0, pt = 0, max_kt = 0;
    for (size_t i = 0; i < n; i++) {
        struct modes_frame f;
        struct modes_msg m;
        assert_int_equal(frame_from_hex(rows[i].hex, 28, &f, rows[i].t), 0);
        int rc = modes_decode(&ctx, &f, &m);
        if (rc == 0 && m.crc_ok && m.corrected_bits == 0)
            ok++;
        if (m.has & MH_POS) {
            if (pos) {
                /* times have 1-s resolution and rows within one second
                 * are not in reception order (fixes 0.2 NM apart at 494 kt
                 * share a second): allow two extra seconds. A CPR error
                 * would be off by whole zones (hundreds of NM). */
                double kt = modes_dist_nm(plat, plon, m.lat_deg, m.lon_deg) /
                            (rows[i].t - pt + 2.0) * 3600.0;
                max_kt = kt > max_kt ? kt : max_kt;
            }
            pos++;
            global += m.pos_src == MODES_POS_GLOBAL;
            plat = m.lat_deg;
            plon = m.lon_deg;
            pt = rows[i].t;
        }
        json_t *g = golden_get(rows[i].hex);
        if (g) {
            golden_seen++;
            compare_golden(agree_tab, g, &m, rows[i].hex);
            json_t *glat = json_object_get(g, "lat"), *glon = json_object_get(g, "lon");
            if (glat && glon) {
                golden_pos++;
                golden_pos_ok += (m.has & MH_POS) &&
                                 fabs(m.lat_deg - json_number_value(glat)) < 1e-4 &&
                                 fabs(m.lon_deg - json_number_value(glon)) < 1e-4;
            }
        }
    }
    print_message("406B90: %d/2000 CRC-valid; %d positions (%d global), last %.5f %.5f; "
                  "max implied speed between fixes %.0f kt; golden positions %d/%d agree; "
                  "CPR fail %llu\n",
                  ok, pos, global, plat, plon, max_kt, golden_pos_ok, golden_pos,
                  (unsigned long long)ctx.stats.cpr_fail);
    assert_int_equal(ok, 2000);
    assert_int_equal(golden_pos_ok, golden_pos);
    assert_true(pos >= 930); /* 937 position messages (TC 11) */
    assert_true(max_kt < 700.0);
    free(rows);
}

static void commb_file(const char *rel, int df, int *n_rows, int *n_syn, int *n_rec)
{
    size_t len;
    char *buf = (char *)td_slurp(td_path(rel), &len);
    assert_non_null(buf);
    char *p = buf;
    if ((unsigned char)p[0] == 0xEF) /* UTF-8 BOM */
        p += 3;
    struct row {
        double t;
        uint32_t icao;
        char hex[29];
    } *rows = calloc(6000, sizeof *rows);
    int n = 0;
    for (char *line = strtok(p, "\n"); line && n < 6000; line = strtok(NULL, "\n")) {
        char icao[8], hex[32];
        if (sscanf(line, "%lf,%7[0-9A-Fa-f],%28[0-9A-Fa-f]", &rows[n].t, icao, hex) == 3) {
            rows[n].icao = (uint32_t)strtoul(icao, NULL, 16);
            memcpy(rows[n].hex, hex, 29);
            n++;
        }
    }
    /* A context that knows each row's address at the row's time, as a
     * receiver would from the aircraft's DF11/DF17 squitters (about one a
     * second; the files hold only the Comm-B replies). A row whose
     * syndrome is not that address must still be refused. */
    modes_ctx_init(&ctx, NULL);
    int syn = 0, rec = 0;
    for (int i = 0; i < n; i++) {
        struct modes_frame f;
        struct modes_msg m;
        modes_ctx_addr_add(&ctx, rows[i].icao, rows[i].t);
        assert_int_equal(frame_from_hex(rows[i].hex, 28, &f, rows[i].t), 0);
        int rc = modes_decode(&ctx, &f, &m);
        assert_int_equal(m.df, df);
        syn += m.syndrome == rows[i].icao;
        if (rc == 0 && m.crc_ok) {
            rec++;
            assert_int_equal(m.icao, rows[i].icao);
        } else {
            assert_int_equal(rc, CAIRN_E_CRC);
        }
        json_t *g = golden ? golden_get(rows[i].hex) : NULL;
        if (g) {
            golden_seen++;
            compare_golden(agree_tab, g, &m, rows[i].hex);
        }
    }
    *n_rows = n;
    *n_syn = syn;
    *n_rec = rec;
    free(rows);
    free(buf);
}

static void test_commb(void **state)
{
    (void)state;
    TD_REQUIRE("modes/pymodes_sample_data_commb_df20.csv");
    TD_REQUIRE("modes/pymodes_sample_data_commb_df21.csv");
    TD_REQUIRE("modes/pymodes_golden_v2.json");
    load_golden();
    int n, syn, rec;
    commb_file("modes/pymodes_sample_data_commb_df21.csv", 21, &n, &syn, &rec);
    print_message("DF21: %d rows, syndrome = icao %d, address recovered %d\n", n, syn, rec);
    assert_int_equal(n, 5000);
    assert_int_equal(syn, 5000);
    assert_int_equal(rec, 5000);
    commb_file("modes/pymodes_sample_data_commb_df20.csv", 20, &n, &syn, &rec);
    print_message("DF20: %d rows, syndrome = icao %d, address recovered %d\n", n, syn, rec);
    assert_int_equal(n, 5000);
    assert_int_equal(syn, 4997);
    assert_int_equal(rec, 4997);
}

/* Runs last: prints the golden agreement table gathered by the two above. */
static void test_golden_summary(void **state)
{
    (void)state;
    TD_REQUIRE("modes/pymodes_golden_v2.json");
    load_golden();
    print_message("golden: %d of %zu golden messages met in the CSVs\n", golden_seen,
                  json_object_size(golden));
    int bad = 0;
    for (int i = 0; i < 32 && agree_tab[i].name; i++) {
        print_message("  %-24s %4d / %4d agree\n", agree_tab[i].name, agree_tab[i].agree,
                      agree_tab[i].total);
        if (strcmp(agree_tab[i].name, "bds 4,4/4,5 kept") != 0) /* informational */
            bad += agree_tab[i].total - agree_tab[i].agree;
    }
    assert_int_equal(golden_seen, 600);
    assert_int_equal(bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_core_vectors),   cmocka_unit_test(test_pymodes_vectors),
        cmocka_unit_test(test_sample_adsb),    cmocka_unit_test(test_commb),
        cmocka_unit_test(test_golden_summary),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    json_decref(golden);
    json_decref(golden_done);
    return td_exit(rc);
}
