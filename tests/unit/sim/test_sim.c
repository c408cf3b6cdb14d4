/*
 * test_sim.c — cairn sim's pieces, without files: the DF17 and AIS encoders
 * read back through cairn's own decoders (seeded random round trips, the
 * seed printed), the scenario parser's errors naming the field, and a small
 * scenario run in memory: every CAT048 plot converted back to ground range
 * and azimuth within the noise of the truth, primary-only plots for the
 * aircraft without transponder, missed replies at the configured rate, and
 * two runs with one seed giving the same bytes.
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

#include "base/error.h"
#include "decode/ais/ais.h"
#include "decode/ais/encode.h"
#include "decode/asterix/asterix.h"
#include "decode/modes/encode.h"
#include "decode/modes/modes.h"
#include "sim/geodesy.h"
#include "sim/rng.h"
#include "sim/scenario.h"
#include "sim/sim.h"

#define SEED 20261204u

static struct modes_ctx mctx;

static void decode14(const uint8_t f[14], double t_s, struct modes_msg *m)
{
    struct modes_frame fr;
    memset(&fr, 0, sizeof fr);
    memcpy(fr.data, f, 14);
    fr.len = 14;
    fr.t_s = t_s;
    assert_int_equal(modes_crc(f, 14), 0);
    assert_int_equal(modes_decode(&mctx, &fr, m), 0);
}

static void test_modes_roundtrip(void **state)
{
    (void)state;
    printf("seed %u\n", SEED);
    for (uint32_t i = 0; i < 2000; i++) {
        modes_ctx_init(&mctx, NULL);
        uint32_t icao = (uint32_t)(sim_rand(SEED, 1, i, 0) & 0xFFFFFF);
        if (!icao)
            icao = 1;
        double lat = -80 + 160 * sim_unif(SEED, 1, i, 1),
               lon = -180 + 360 * sim_unif(SEED, 1, i, 2);
        double alt = -1000 + 50000 * sim_unif(SEED, 1, i, 3);
        uint8_t f[14];
        struct modes_msg m;
        modes_enc_airpos(icao, 11, lat, lon, alt, 0, f);
        decode14(f, 10.0, &m);
        modes_enc_airpos(icao, 11, lat, lon, alt, 1, f);
        decode14(f, 10.5, &m);
        assert_true(m.has & MH_POS);
        double err = modes_dist_nm(lat, lon, m.lat_deg, m.lon_deg) * 1852;
        if (err > 6) /* 17-bit CPR: about 5.1 m of latitude per step at most */
            fail_msg("case %u: %.6f %.6f decoded %.6f %.6f (%.1f m)", i, lat, lon, m.lat_deg,
                     m.lon_deg, err);
        assert_true(fabs(m.alt_baro_ft - alt) <= 12.5 + 1e-9);
        double gs = 700 * sim_unif(SEED, 1, i, 4), trk = 360 * sim_unif(SEED, 1, i, 5);
        double vr = -6000 + 12000 * sim_unif(SEED, 1, i, 6);
        modes_enc_velocity(icao, gs, trk, vr, f);
        decode14(f, 11, &m);
        assert_true(m.has & MH_GS);
        assert_true(fabs(m.gs_kt - gs) < 1.0);
        if (gs > 20)
            assert_true(fabs(remainder(m.track_deg - trk, 360.0)) < 3.0);
        assert_true(fabs(m.vrate_fpm - vr) <= 32);
    }
    uint8_t f[14];
    struct modes_msg m;
    modes_ctx_init(&mctx, NULL);
    assert_int_equal(modes_enc_ident(0x4AC9E1, 3, "SAS681", f), 0);
    decode14(f, 1, &m);
    assert_string_equal(m.callsign, "SAS681");
    assert_int_equal(modes_enc_ident(0x4AC9E1, 3, "sas681", f), CAIRN_E_INVAL);
    assert_int_equal(modes_enc_ident(0x4AC9E1, 3, "TOOLONG99", f), CAIRN_E_INVAL);
    static const uint16_t codes[] = {07500, 07600, 07700, 01234};
    static const uint8_t emerg[] = {5, 4, 1, 0};
    for (size_t i = 0; i < 4; i++) {
        modes_enc_status(0x4AC9E1, modes_enc_squawk_emergency(codes[i]), codes[i], f);
        decode14(f, 2, &m);
        assert_true(m.has & MH_SQUAWK);
        assert_int_equal(m.squawk, codes[i]);
        assert_int_equal(modes_enc_squawk_emergency(codes[i]), emerg[i]);
        if (emerg[i]) {
            assert_true(m.has & MH_EMERGENCY);
            assert_int_equal(m.emergency, emerg[i]);
        }
    }
    for (unsigned sq = 0; sq < 4096; sq++)
        assert_int_equal(modes_id13_squawk(modes_enc_id13((uint16_t)sq)), sq);
}

static void test_ais_roundtrip(void **state)
{
    (void)state;
    static struct ais_ctx ctx;
    for (uint32_t i = 0; i < 2000; i++) {
        ais_ctx_init(&ctx);
        struct ais_enc_pos p;
        memset(&p, 0, sizeof p);
        p.type = i % 2 ? 18 : (uint8_t)(1 + i % 3);
        p.mmsi = 200000000 + i;
        p.lat_deg = -89 + 178 * sim_unif(SEED, 2, i, 0);
        p.lon_deg = -179 + 358 * sim_unif(SEED, 2, i, 1);
        p.sog_kn = 30 * sim_unif(SEED, 2, i, 2);
        p.cog_deg = 359.9 * sim_unif(SEED, 2, i, 3);
        p.heading_deg = (int)(i % 360);
        p.utc_second = i % 60;
        uint8_t bits[64];
        int nb = ais_enc_position(&p, bits, sizeof bits * 8);
        assert_int_equal(nb, 168);
        char text[AIS_ENC_VDM_MAX];
        int n = ais_enc_vdm(bits, (size_t)nb, 'A', 0, 1393851600 + i, text, sizeof text);
        assert_true(n > 0);
        struct ais_msg m;
        assert_int_equal(ais_decode_line(&ctx, text, (size_t)n, 0, &m), 1);
        assert_int_equal(m.type, p.type);
        assert_int_equal(m.mmsi, p.mmsi);
        assert_int_equal(m.t_ms, (1393851600 + (int64_t)i) * 1000);
        size_t lonpos = p.type == 18 ? 57 : 61, latpos = lonpos + 28;
        double lon = ais_msg_s(&m, lonpos, 28) / 600000.0,
               lat = ais_msg_s(&m, latpos, 27) / 600000.0;
        /* resolution 1/10000 minute: within half of it */
        assert_true(fabs(lat - p.lat_deg) <= 0.5 / 600000.0 + 1e-12);
        assert_true(fabs(lon - p.lon_deg) <= 0.5 / 600000.0 + 1e-12);
        assert_true(fabs(ais_msg_u(&m, lonpos - 11, 10) / 10.0 - p.sog_kn) <= 0.05 + 1e-9);
    }
    /* type 5: two sentences, reassembled */
    ais_ctx_init(&ctx);
    struct ais_enc_static s;
    memset(&s, 0, sizeof s);
    s.mmsi = 273354190;
    strcpy(s.callsign, "UBCD4");
    strcpy(s.shipname, "BALTIC TRADER");
    strcpy(s.destination, "KALININGRAD");
    s.ship_type = 70;
    uint8_t bits[64];
    int nb = ais_enc_static5(&s, bits, sizeof bits * 8);
    assert_int_equal(nb, 424);
    char text[AIS_ENC_VDM_MAX];
    int n = ais_enc_vdm(bits, (size_t)nb, 'B', 3, 1460462400, text, sizeof text);
    assert_true(n > 0);
    char *nl = strchr(text, '\n');
    assert_non_null(nl);
    struct ais_msg m;
    assert_int_equal(ais_decode_line(&ctx, text, (size_t)(nl + 1 - text), 0, &m), 0);
    assert_int_equal(ais_decode_line(&ctx, nl + 1, strlen(nl + 1), 0, &m), 1);
    assert_int_equal(m.type, 5);
    char name[32];
    ais_msg_text(&m, 112, 20, name, sizeof name);
    assert_string_equal(name, "BALTIC TRADER");
    assert_int_equal(ctx.stats.bad_checksum, 0);
}

/* ------------------------------------------------------------ scenarios */

static int parse_err(const char *json, char *err, size_t cap)
{
    struct sim_scenario sc;
    int rc = sim_scenario_parse(json, strlen(json), &sc, err, cap);
    if (!rc)
        sim_scenario_free(&sc);
    return rc;
}

#define HEAD "{\"name\":\"t\",\"start\":\"2014-03-03T13:00:00Z\",\"duration_s\":60,"

static void test_scenario_errors(void **state)
{
    (void)state;
    static const struct {
        const char *json, *want;
    } cases[] = {
        {"[1]", "scenario: must be a JSON object"},
        {"{", "not valid JSON"},
        {HEAD "\"movers\":[]}", "scenario.movers: missing"},
        {HEAD "\"bogus\":1,\"movers\":[]}", "scenario.bogus: unknown field"},
        {"{\"name\":\"t\",\"start\":\"2014-03-03 13:00\",\"duration_s\":6,\"movers\":[]}",
         "scenario.start: must be a whole second of UTC"},
        {HEAD
         "\"radars\":[{\"id\":\"r\",\"sac\":1,\"sic\":300,\"lat\":1,\"lon\":1,\"rotation_s\":4,"
         "\"psr_range_nm\":10}]}",
         "radars[0].sic: must be a number in 0..255"},
        {HEAD "\"movers\":[{\"id\":\"a\",\"kind\":\"aircraft\",\"lat\":95,\"lon\":0,\"gs_kt\":1,"
              "\"track_deg\":0}]}",
         "movers[0].lat: must be a number in -85..85"},
        {HEAD "\"movers\":[{\"id\":\"a\",\"kind\":\"aircraft\",\"lat\":5,\"lon\":0,\"gs_kt\":1,"
              "\"track_deg\":0,\"waypoints\":[{\"lat\":1}]}]}",
         "movers[0].waypoints[0].lon: missing"},
        {HEAD "\"movers\":[{\"id\":\"a\",\"kind\":\"aircraft\",\"lat\":5,\"lon\":0,\"gs_kt\":1,"
              "\"track_deg\":0,\"squawk\":\"7800\"}]}",
         "movers[0].squawk: character 2 not allowed"},
        {HEAD "\"movers\":[{\"id\":\"a\",\"kind\":\"vessel\",\"lat\":5,\"lon\":0,\"gs_kt\":1,"
              "\"track_deg\":0,\"icao\":\"ABCDEF\"}]}",
         "movers[0].icao: not allowed for a vessel"},
        {HEAD "\"movers\":[{\"id\":\"a\",\"kind\":\"aircraft\",\"lat\":5,\"lon\":0,\"gs_kt\":1,"
              "\"track_deg\":0,\"events\":[{\"t\":5}]}]}",
         "movers[0].events[0]: an event must change"},
        {HEAD "\"movers\":[{\"id\":\"a\",\"kind\":\"aircraft\",\"lat\":5,\"lon\":0,\"gs_kt\":1,"
              "\"track_deg\":0},{\"id\":\"a\",\"kind\":\"aircraft\",\"lat\":5,\"lon\":0,"
              "\"gs_kt\":1,\"track_deg\":0}]}",
         "movers[1].id: duplicate id"},
        {HEAD "\"movers\":[{\"id\":\"a\",\"kind\":\"aircraft\",\"lat\":5,\"lon\":0,\"gs_kt\":1,"
              "\"track_deg\":0,\"\\u001b[31m\":1}]}",
         "movers[0].?[31m: unknown field"},
        {HEAD "\"movers\":[{\"id\":\"a\",\"kind\":\"aircraft\",\"lat\":5,\"lon\":0,\"gs_kt\":1,"
              "\"track_deg\":0,\"adsb\":true}]}",
         "movers[0].adsb: ADS-B needs an icao address"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char err[256];
        int rc = parse_err(cases[i].json, err, sizeof err);
        if (rc != CAIRN_E_FORMAT || !strstr(err, cases[i].want))
            fail_msg("case %zu: rc %d, error \"%s\", wanted \"%s\"", i, rc, err, cases[i].want);
        for (const char *p = err; *p; p++)
            assert_true(*p >= 32 && *p < 127);
    }
    int64_t t;
    assert_int_equal(sim_parse_utc("2018-04-03T19:02:28Z", &t), 0);
    assert_int_equal(t, 1522782148000);
    assert_int_equal(sim_parse_utc("2018-04-03T19:02:28.136Z", &t), 0);
    assert_int_equal(t, 1522782148136);
    assert_int_equal(sim_parse_utc("2018-13-03T19:02:28Z", &t), CAIRN_E_FORMAT);
}

/* ----------------------------------------------------- in-memory runs */

static const char *RUN_JSON =
    HEAD "\"radars\":[{\"id\":\"r\",\"sac\":9,\"sic\":1,\"lat\":55.6,\"lon\":12.6,\"alt_m\":40,"
         "\"rotation_s\":4,\"psr_range_nm\":80,\"ssr_range_nm\":120,\"psr_pd\":1,\"ssr_miss\":0.2,"
         "\"range_sigma_m\":50,\"azimuth_sigma_deg\":0.08}],"
         "\"adsb_receivers\":[{\"id\":\"x\",\"lat\":55.6,\"lon\":12.6,\"range_nm\":200}],"
         "\"movers\":["
         "{\"id\":\"coop\",\"kind\":\"aircraft\",\"icao\":\"4AC9E1\",\"callsign\":\"SAS681\","
         "\"squawk\":\"4721\",\"lat\":55.62,\"lon\":12.7,\"alt_ft\":2000,\"gs_kt\":290,"
         "\"track_deg\":160,\"climb_fpm\":2500,\"waypoints\":[{\"lat\":55.0,\"lon\":13.3,"
         "\"alt_ft\":20000}]},"
         "{\"id\":\"dark\",\"kind\":\"aircraft\",\"transponder\":false,\"lat\":55.3,\"lon\":13.6,"
         "\"alt_ft\":14500,\"gs_kt\":300,\"track_deg\":270,\"turn_dps\":3,"
         "\"waypoints\":[{\"lat\":55.5,\"lon\":12.9},{\"lat\":55.2,\"lon\":12.5}]}]}";

struct cap {
    int64_t last_adsb_ms;
    struct sim_state st[8];
    uint64_t hash;
    unsigned plots[2], psr_only[2], plots_in_ssr[2];
    double max_rho_z, max_theta_z;
};

static void hash_add(struct cap *c, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        c->hash = (c->hash ^ b[i]) * 0x100000001B3ull; /* FNV-1a */
}

static int c_truth(void *user, int64_t t_ms, const struct sim_mover *m, const struct sim_state *s)
{
    struct cap *c = user;
    c->st[m->id[0] == 'c' ? 0 : 1] = *s;
    hash_add(c, &t_ms, sizeof t_ms);
    hash_add(c, &s->lat_deg, sizeof(double) * 3);
    return 0;
}

static double item(const struct ax_record *r, const char *id, const char *path)
{
    struct ax_leaf l;
    const struct ax_item *it = ax_record_item(r, id);
    assert_non_null(it);
    assert_int_equal(ax_item_field(it, path, &l), 1);
    return ax_leaf_value(&l);
}

static int c_radar(void *user, const struct sim_radar *r, const struct sim_radar_rec *rec)
{
    struct cap *c = user;
    hash_add(c, rec->rec, rec->len);
    hash_add(c, &rec->t_ms, sizeof rec->t_ms);
    const struct ax_category *cat =
        ax_category_find(rec->cat, AX_ED(rec->cat == 48 ? 1 : 1, rec->cat == 48 ? 31 : 29));
    assert_non_null(cat);
    struct ax_record ar;
    struct ax_error err;
    memset(&err, 0, sizeof err);
    assert_int_equal(ax_record_decode(cat, rec->rec, rec->len, &ar, &err), rec->len);
    if (rec->cat != 48)
        return 0;
    int who = rec->mover == 0 ? 0 : 1;
    const struct sim_state *st = &c->st[who];
    double dt = (double)(rec->t_ms % 1000) / 1000.0;
    double lat, lon, alt;
    sim_state_at(st, dt, &lat, &lon, &alt);
    double ground, az;
    sim_geod_inverse(r->lat_deg, r->lon_deg, lat, lon, &ground, &az);
    double re = sim_earth_radius_m(r->lat_deg);
    double rho_m = item(&ar, "040", "RHO") * SIM_NM_M, theta = item(&ar, "040", "THETA");
    double tod = item(&ar, "140", "140");
    assert_true(fabs(tod - (double)(rec->t_ms % 86400000) / 1000.0) <= 1.0 / 256 + 1e-9);
    /* back to ground range with the true altitude, as a tracker would with Mode C */
    double g = sim_ground_m(re, r->alt_m, alt * SIM_FT_M, rho_m);
    double zr = fabs(g - ground) / (r->range_sigma_m + 1852.0 / 512);
    double zt = fabs(remainder(theta - az, 360.0)) / (r->azimuth_sigma_deg + 360.0 / 131072);
    c->max_rho_z = fmax(c->max_rho_z, zr);
    c->max_theta_z = fmax(c->max_theta_z, zt);
    unsigned typ = (unsigned)item(&ar, "020", "TYP");
    c->plots[who]++;
    if (typ == 1)
        c->psr_only[who]++;
    else
        assert_true(ax_record_item(&ar, "220") != NULL && ax_record_item(&ar, "070") != NULL);
    if (rho_m / SIM_NM_M < r->ssr_range_nm - 1)
        c->plots_in_ssr[who]++;
    return 0;
}

static int c_adsb(void *user, const struct sim_mover *m, const struct sim_adsb *a)
{
    struct cap *c = user;
    (void)m;
    assert_true(a->t_ms >= c->last_adsb_ms); /* in time order, across steps too */
    c->last_adsb_ms = a->t_ms;
    hash_add(c, a->frame, 14);
    hash_add(c, &a->t_ms, sizeof a->t_ms);
    return 0;
}

static void run(const char *json, uint64_t seed, int steps, struct cap *c)
{
    struct sim_scenario sc;
    char err[256];
    int rc = sim_scenario_parse(json, strlen(json), &sc, err, sizeof err);
    if (rc)
        fail_msg("%s", err);
    memset(c, 0, sizeof *c);
    c->hash = 0xCBF29CE484222325ull;
    struct sim *s = sim_new(&sc, sc.start_ms, seed);
    assert_non_null(s);
    struct sim_sink sink = {c, c_truth, c_radar, c_adsb, NULL};
    for (int k = 0; k < steps; k++)
        assert_int_equal(sim_step(s, &sink), 0);
    sim_free(s);
    sim_scenario_free(&sc);
}

static void test_run_radar(void **state)
{
    (void)state;
    struct cap c;
    run(RUN_JSON, 7, 600, &c);
    printf("plots coop %u (psr-only %u) dark %u (psr-only %u); max |z| range %.2f azimuth %.2f\n",
           c.plots[0], c.psr_only[0], c.plots[1], c.psr_only[1], c.max_rho_z, c.max_theta_z);
    /* 600 s at 4 s per scan: one plot per scan (psr_pd 1) */
    assert_in_range(c.plots[0], 140, 151);
    assert_in_range(c.plots[1], 140, 151);
    assert_int_equal(c.psr_only[1], c.plots[1]); /* no transponder: primary only */
    /* missed replies at 20 %: binomial(~150, 0.2) is 30 +- 5; allow 4.5 sigma */
    assert_in_range(c.psr_only[0], 8, 53);
    assert_true(c.max_rho_z < 5.5);
    assert_true(c.max_theta_z < 5.5);
}

static void test_run_reproducible(void **state)
{
    (void)state;
    struct cap a, b, d;
    run(RUN_JSON, 42, 120, &a);
    run(RUN_JSON, 42, 120, &b);
    run(RUN_JSON, 43, 120, &d);
    assert_true(a.hash == b.hash);
    assert_true(a.hash != d.hash);
}

/* Ten aircraft squawking 7700 (TC 28 besides the usual squitters): the
 * squitters of all steps come out in time order. */
static void test_adsb_time_order(void **state)
{
    (void)state;
    char json[8192];
    size_t n = (size_t)snprintf(json, sizeof json, "%s",
                                HEAD "\"adsb_receivers\":[{\"id\":\"x\","
                                     "\"lat\":55,\"lon\":13,\"range_nm\":300}],\"movers\":[");
    for (int i = 0; i < 10; i++)
        n += (size_t)snprintf(json + n, sizeof json - n,
                              "%s{\"id\":\"e%d\",\"kind\":\"aircraft\",\"icao\":\"4B%04X\","
                              "\"squawk\":\"7700\",\"callsign\":\"EM%d\",\"lat\":55.%d,"
                              "\"lon\":13,\"alt_ft\":9000,\"gs_kt\":250,\"track_deg\":90}",
                              i ? "," : "", i, 0x1000 + i * 77, i, i);
    snprintf(json + n, sizeof json - n, "]}");
    struct cap c;
    run(json, 5, 20, &c);
    assert_true(c.last_adsb_ms > 0);
}

static void test_load_generate(void **state)
{
    (void)state;
    static const char *json =
        HEAD "\"load\":{\"lat_min\":45,\"lat_max\":55,\"lon_min\":0,\"lon_max\":20},"
             "\"adsb_receivers\":[{\"id\":\"x\",\"lat\":50,\"lon\":10,\"range_nm\":1000}]}";
    struct sim_scenario sc;
    char err[256];
    assert_int_equal(sim_scenario_parse(json, strlen(json), &sc, err, sizeof err), 0);
    assert_int_equal(sim_scenario_generate(&sc, 5000, 100, 1), 0);
    assert_int_equal(sc.n_movers, 5100);
    struct sim *s = sim_new(&sc, sc.start_ms, 1);
    struct cap c;
    memset(&c, 0, sizeof c);
    struct sim_sink sink = {&c, NULL, NULL, c_adsb, NULL};
    assert_int_equal(sim_step(s, &sink), 0);
    /* every aircraft: even, odd and velocity each second */
    assert_true(sim_stats(s)->adsb >= 15000);
    sim_free(s);
    sim_scenario_free(&sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_modes_roundtrip),  cmocka_unit_test(test_ais_roundtrip),
        cmocka_unit_test(test_scenario_errors),  cmocka_unit_test(test_run_radar),
        cmocka_unit_test(test_run_reproducible), cmocka_unit_test(test_adsb_time_order),
        cmocka_unit_test(test_load_generate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
