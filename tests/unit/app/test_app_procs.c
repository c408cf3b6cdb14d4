/*
 * test_app_procs.c — the procedures' pure parts on a fake clock (times are
 * given, never read): alerts drafted into messages that pass the hotline's
 * catalogue; notices' lead times (Vienna Document 42 days, INCSEA 3 days)
 * and the 9,000 / 250 / 13,000 thresholds with and without the matching
 * notice or invitation; areas from hostile text, whole and truncated at
 * every offset; the compliance ledger over cycles and days, its summary
 * written and read back, and the comparison with a peer's summary; the
 * [procedures] keys.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "app/compliance.h"
#include "app/procedures.h"
#include "base/error.h"
#include "detect/detect.h"
#include "geo/zones.h"
#include "hotline/catalogue.h"
#include "hotline/journal.h"
#include "hotline/msg.h"
#include "picture/picture.h"
#include "track/track.h"

#include <stdio.h>
#include <unistd.h>

#define T0_MS INT64_C(1459468800000) /* 2016-04-01 00:00:00 UTC */
#define DAY   PROC_DAY_MS

/* The fields a draft holds, as the hotline's send would take them, pass
 * the catalogue. */
static void assert_sendable(enum hl_type t, json_t *fields)
{
    static struct hl_msg m;
    hl_msg_init(&m, t);
    const char *k;
    json_t *v;
    json_object_foreach(fields, k, v)
    {
        char num[32];
        const char *txt = json_string_value(v);
        if (!txt) {
            snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
            txt = num;
        }
        assert_int_equal(hl_msg_add_text(&m, k, txt), 0);
    }
    const char *bad = NULL;
    int rc = hl_catalogue_check(&m, &bad);
    if (rc)
        fail_msg("field %s", bad ? bad : "?");
}

static void party(struct det_party *p, uint32_t id, const char *cs, uint32_t icao)
{
    memset(p, 0, sizeof *p);
    p->track_id = id;
    if (cs) {
        p->ids |= TRK_ID_CALLSIGN;
        snprintf(p->callsign, sizeof p->callsign, "%s", cs);
    }
    if (icao) {
        p->ids |= TRK_ID_ICAO;
        p->icao = icao;
    }
}

static void test_draft_incident(void **state)
{
    (void)state;
    struct det_alert a;
    memset(&a, 0, sizeof a);
    a.id = 7;
    a.rule = DET_RULE_SEPARATION;
    a.severity = DET_SEV_ALERT;
    a.lat_deg = 55.52;
    a.lon_deg = 12.81;
    a.t_open_ms = T0_MS + 1000;
    a.t_seen_ms = T0_MS + 5000;
    a.n_parties = 2;
    party(&a.parties[0], 12, "SAS681", 0x4ca1f2);
    party(&a.parties[1], 13, "R\x1b[2J\"U", 0); /* hostile bytes from the air */
    a.n_values = 1;
    a.values[0].name = "h_m";
    a.values[0].v = 92.4;
    snprintf(a.text, sizeof a.text, "Near miss: SAS681 and T13, 92 m.");
    assert_int_equal(proc_draft_type(&a), HL_T_INCIDENT_REPORT);
    json_t *f = json_object();
    assert_int_equal(proc_draft_fields(&a, NULL, HL_T_INCIDENT_REPORT, f), 0);
    assert_string_equal(json_string_value(json_object_get(f, "kind")), "NEAR_MISS");
    assert_int_equal(json_integer_value(json_object_get(f, "occurred")), T0_MS + 1000);
    assert_string_equal(json_string_value(json_object_get(f, "position")), "55.520000,12.810000");
    assert_int_equal(json_integer_value(json_object_get(f, "min_distance_m")), 92);
    const char *tracks = json_string_value(json_object_get(f, "tracks"));
    assert_string_equal(tracks, "T12 SAS681 icao:4ca1f2; T13 R2JU"); /* [A-Z0-9] kept */
    assert_sendable(HL_T_INCIDENT_REPORT, f);
    json_decref(f);
    /* a lesser severity is a dangerous approach */
    a.severity = DET_SEV_WARNING;
    f = json_object();
    assert_int_equal(proc_draft_fields(&a, NULL, HL_T_INCIDENT_REPORT, f), 0);
    assert_string_equal(json_string_value(json_object_get(f, "kind")), "DANGEROUS_APPROACH");
    json_decref(f);
    /* NO_TRANSPONDER, and a TRACK_QUERY asked of the same alert */
    a.rule = DET_RULE_NO_TRANSPONDER;
    a.n_parties = 1;
    a.n_values = 0;
    f = json_object();
    assert_int_equal(proc_draft_fields(&a, NULL, HL_T_INCIDENT_REPORT, f), 0);
    assert_string_equal(json_string_value(json_object_get(f, "kind")), "NO_TRANSPONDER");
    assert_null(json_object_get(f, "min_distance_m"));
    json_decref(f);
    f = json_object();
    assert_int_equal(proc_draft_fields(&a, NULL, HL_T_TRACK_QUERY, f), 0);
    assert_string_equal(json_string_value(json_object_get(f, "track")), "T12");
    assert_non_null(strstr(json_string_value(json_object_get(f, "question")), "SAS681"));
    assert_sendable(HL_T_TRACK_QUERY, f);
    json_decref(f);
    /* other types are not drafted from alerts */
    f = json_object();
    assert_int_equal(proc_draft_fields(&a, NULL, HL_T_FREE_TEXT, f), CAIRN_E_MSGTYPE);
    json_decref(f);
    a.rule = DET_RULE_ZONE;
    assert_int_equal(proc_draft_type(&a), HL_T_TRACK_QUERY);
}

static void test_draft_renegade(void **state)
{
    (void)state;
    struct det_alert a;
    memset(&a, 0, sizeof a);
    a.rule = DET_RULE_RENEGADE;
    a.severity = DET_SEV_ALERT;
    a.lat_deg = 54.1;
    a.lon_deg = 19.0;
    a.t_seen_ms = T0_MS;
    a.n_parties = 1;
    party(&a.parties[0], 40, "LOT3923", 0x48ae21);
    a.parties[0].ids |= TRK_ID_SQUAWK;
    a.parties[0].squawk = 07600;
    a.n_values = 1;
    a.values[0].name = "category";
    a.values[0].v = 3;
    struct trk_track t;
    memset(&t, 0, sizeof t);
    t.id = 40;
    t.flags = TRK_F_ALT;
    t.alt_ft = 31000;
    t.track_deg = 359.7;
    assert_int_equal(proc_draft_type(&a), HL_T_RENEGADE_ALERT);
    json_t *f = json_object();
    assert_int_equal(proc_draft_fields(&a, &t, HL_T_RENEGADE_ALERT, f), 0);
    assert_string_equal(json_string_value(json_object_get(f, "category")), "PROBABLE");
    assert_string_equal(json_string_value(json_object_get(f, "squawk")), "7600");
    assert_string_equal(json_string_value(json_object_get(f, "callsign")), "LOT3923");
    assert_int_equal(json_integer_value(json_object_get(f, "altitude_ft")), 31000);
    assert_int_equal(json_integer_value(json_object_get(f, "heading_deg")), 0);
    assert_int_equal(json_integer_value(json_object_get(f, "observed")), T0_MS);
    assert_sendable(HL_T_RENEGADE_ALERT, f);
    json_decref(f);
}

/* An ACTIVITY_NOTICE as the journal hands it over. */
static void notice(struct proc_notice *n, const char *sender, int64_t t_ms, int64_t start_ms,
                   int64_t end_ms, int64_t troops, int64_t tanks)
{
    static struct hl_msg m;
    hl_msg_init(&m, HL_T_ACTIVITY_NOTICE);
    snprintf(m.sender, sizeof m.sender, "%s", sender);
    assert_int_equal(hl_msg_add_str(&m, "area", "54.5,18.5;54.5,19.5;55,19.5;55,18.5;54.5,18.5"),
                     0);
    assert_int_equal(hl_msg_add_int(&m, "start", start_ms), 0);
    assert_int_equal(hl_msg_add_int(&m, "end", end_ms), 0);
    assert_int_equal(hl_msg_add_str(&m, "kind", troops > 0 ? "EXERCISE" : "MISSILE_FIRING"), 0);
    if (troops >= 0)
        assert_int_equal(hl_msg_add_int(&m, "troops", troops), 0);
    if (tanks >= 0)
        assert_int_equal(hl_msg_add_int(&m, "tanks", tanks), 0);
    assert_int_equal(hl_catalogue_check(&m, NULL), 0);
    assert_int_equal(proc_notice_parse(&m, HL_DIR_IN, sender, 3, t_ms, n), 0);
}

static void test_notice_lead(void **state)
{
    (void)state;
    struct proc_notice n;
    /* land forces: 42 days */
    notice(&n, "MOSCOW-CC", T0_MS, T0_MS + 41 * DAY, T0_MS + 45 * DAY, 3000, -1);
    assert_int_equal(n.n_area, 4); /* the closing vertex dropped */
    assert_false(n.flags & PROC_F_BAD_AREA);
    proc_notice_judge(&n, NULL, 0, NULL, 0);
    assert_int_equal(n.required_ms, PROC_LEAD_LAND_MS);
    assert_int_equal(n.lead_ms, 41 * DAY);
    assert_int_equal(n.flags, PROC_F_LATE);
    notice(&n, "MOSCOW-CC", T0_MS, T0_MS + 42 * DAY, T0_MS + 45 * DAY, 3000, -1);
    proc_notice_judge(&n, NULL, 0, NULL, 0);
    assert_int_equal(n.flags, 0);
    /* no ground forces: INCSEA's 3 days */
    notice(&n, "MOSCOW-CC", T0_MS, T0_MS + 3 * DAY - 1, T0_MS + 4 * DAY, -1, -1);
    proc_notice_judge(&n, NULL, 0, NULL, 0);
    assert_int_equal(n.required_ms, PROC_LEAD_SEA_MS);
    assert_int_equal(n.flags, PROC_F_LATE);
    notice(&n, "MOSCOW-CC", T0_MS, T0_MS + 3 * DAY, T0_MS + 4 * DAY, -1, -1);
    proc_notice_judge(&n, NULL, 0, NULL, 0);
    assert_int_equal(n.flags, 0);
    /* tanks alone make it a land activity */
    notice(&n, "MOSCOW-CC", T0_MS, T0_MS + 10 * DAY, T0_MS + 11 * DAY, -1, 40);
    proc_notice_judge(&n, NULL, 0, NULL, 0);
    assert_int_equal(n.required_ms, PROC_LEAD_LAND_MS);
    assert_int_equal(n.flags, PROC_F_LATE);
}

static void test_notice_thresholds(void **state)
{
    (void)state;
    struct proc_notice v[3];
    /* 9,000 troops, 10 days ahead: late and not notified */
    notice(&v[0], "MOSCOW-CC", T0_MS, T0_MS + 10 * DAY, T0_MS + 14 * DAY, 9000, 100);
    proc_notice_judge(&v[0], NULL, 0, NULL, 0);
    assert_int_equal(v[0].flags, PROC_F_LATE | PROC_F_NOTIFICATION);
    /* 8,999 troops and 249 tanks: late only */
    notice(&v[0], "MOSCOW-CC", T0_MS, T0_MS + 10 * DAY, T0_MS + 14 * DAY, 8999, 249);
    proc_notice_judge(&v[0], NULL, 0, NULL, 0);
    assert_int_equal(v[0].flags, PROC_F_LATE);
    /* 250 tanks reach the threshold */
    notice(&v[0], "MOSCOW-CC", T0_MS, T0_MS + 10 * DAY, T0_MS + 14 * DAY, 100, 250);
    proc_notice_judge(&v[0], NULL, 0, NULL, 0);
    assert_int_equal(v[0].flags, PROC_F_LATE | PROC_F_NOTIFICATION);
    /* an update, late, of an exercise notified 42 days ahead: late, but
     * notified (the matching notice) */
    notice(&v[0], "MOSCOW-CC", T0_MS, T0_MS + 50 * DAY, T0_MS + 54 * DAY, 10000, -1);
    proc_notice_judge(&v[0], NULL, 0, NULL, 0);
    assert_int_equal(v[0].flags, 0);
    notice(&v[1], "MOSCOW-CC", T0_MS + 45 * DAY, T0_MS + 50 * DAY, T0_MS + 55 * DAY, 11000, -1);
    proc_notice_judge(&v[1], v, 1, NULL, 0);
    assert_int_equal(v[1].flags, PROC_F_LATE);
    /* ... the matching notice must be the same sender's */
    notice(&v[2], "MINSK-CC", T0_MS + 45 * DAY, T0_MS + 50 * DAY, T0_MS + 55 * DAY, 11000, -1);
    proc_notice_judge(&v[2], v, 2, NULL, 0);
    assert_int_equal(v[2].flags, PROC_F_LATE | PROC_F_NOTIFICATION);
    /* 13,000: observers, unless invited for an overlapping period */
    notice(&v[0], "MOSCOW-CC", T0_MS, T0_MS + 60 * DAY, T0_MS + 66 * DAY, 13000, -1);
    proc_notice_judge(&v[0], NULL, 0, NULL, 0);
    assert_int_equal(v[0].flags, PROC_F_OBSERVERS);
    struct proc_invite inv[2] = {{"MINSK-CC", T0_MS + 60 * DAY, T0_MS + 66 * DAY},
                                 {"MOSCOW-CC", T0_MS + 70 * DAY, T0_MS + 71 * DAY}};
    proc_notice_judge(&v[0], NULL, 0, inv, 2);
    assert_int_equal(v[0].flags, PROC_F_OBSERVERS);
    inv[1].start_ms = T0_MS + 65 * DAY;
    proc_notice_judge(&v[0], NULL, 0, inv, 2);
    assert_int_equal(v[0].flags, 0);
    /* 12,999 (Kavkaz-2016 declared 12,500): no observers due */
    notice(&v[0], "MOSCOW-CC", T0_MS, T0_MS + 60 * DAY, T0_MS + 66 * DAY, 12999, -1);
    proc_notice_judge(&v[0], NULL, 0, NULL, 0);
    assert_int_equal(v[0].flags, 0);
}

static void test_area_parse(void **state)
{
    (void)state;
    double lat[PROC_AREA_MAX], lon[PROC_AREA_MAX];
    size_t n;
    const char *good = "54.5,18.5;-54.25,-179.999999999;55,19.5";
    assert_int_equal(proc_area_parse(good, strlen(good), lat, lon, &n), 0);
    assert_int_equal(n, 3);
    assert_true(fabs(lon[1] + 179.999999999) < 1e-12);
    static const char *const bad[] = {
        "",
        "54,18;55,19",
        "91,0;0,0;1,1",
        "0,181;0,0;1,1",
        "0,0;1,1;2",
        "0,0;1,1;2,2;",
        "0,0;1,1;2,2 ",
        "0,0;1,1;+2,2",
        "0,0;1,1;2.,2",
        "00000,0;1,1;2,2",
        "0,0;1,1;2,2.0000000001",
        "1e1,0;1,1;2,2",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (proc_area_parse(bad[i], strlen(bad[i]), lat, lon, &n) != CAIRN_E_FORMAT)
            fail_msg("accepted '%s'", bad[i]);
    /* 64 vertices, not 65 */
    char big[2048];
    size_t k = 0;
    for (int i = 0; i < 65; i++)
        k += (size_t)snprintf(big + k, sizeof big - k, "%s%d,%d", i ? ";" : "", i % 80, i);
    assert_int_equal(proc_area_parse(big, k, lat, lon, &n), CAIRN_E_FORMAT);
    size_t k64 = (size_t)(strrchr(big, ';') - big);
    assert_int_equal(proc_area_parse(big, k64, lat, lon, &n), 0);
    assert_int_equal(n, 64);
    /* truncated at every offset, each a copy of its own size (ASan) */
    for (size_t len = 0; len <= strlen(good); len++) {
        char *c = malloc(len ? len : 1);
        memcpy(c, good, len);
        int rc = proc_area_parse(c, len, lat, lon, &n);
        assert_true(rc == 0 || rc == CAIRN_E_FORMAT);
        if (rc == 0)
            assert_true(n >= 3);
        free(c);
    }
}

/* -------------------------------------------------------------- compliance */

static struct geo_zones *area(void)
{
    static const char txt[] =
        "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{"
        "\"name\":\"baltic\",\"kind\":\"caution\"},\"geometry\":{\"type\":\"Polygon\","
        "\"coordinates\":[[[18,54],[21,54],[21,56],[18,56],[18,54]]]}}]}";
    struct geo_zones *z = NULL;
    char err[128];
    assert_int_equal(geo_zones_parse(txt, strlen(txt), &z, err, sizeof err), 0);
    return z;
}

static void track(struct trk_track *t, uint32_t id, double lat, double lon, uint32_t icao,
                  const char *cs, uint8_t xpdr)
{
    memset(t, 0, sizeof *t);
    t->id = id;
    t->status = TRK_ST_CONFIRMED;
    t->kind = TRK_KIND_AIRCRAFT;
    t->lat_deg = lat;
    t->lon_deg = lon;
    if (icao) {
        t->ids |= TRK_ID_ICAO;
        t->icao = icao;
    }
    if (cs) {
        t->ids |= TRK_ID_CALLSIGN;
        snprintf(t->callsign, sizeof t->callsign, "%s", cs);
    }
    t->transponder = xpdr;
}

static void test_ledger(void **state)
{
    (void)state;
    struct geo_zones *z = area();
    struct cpl_parties pp;
    char err[200];
    assert_int_equal(cpl_parties_parse("RU=100000-1FFFFF, PL=488000-48FFFF", &pp, err, sizeof err),
                     0);
    assert_int_equal(pp.n, 2);
    struct cpl_ledger l;
    assert_int_equal(cpl_ledger_init(&l, 16), 0);
    struct trk_track t[4];
    /* an Il-20 (RU) seen first with its transponder, then dark; a LOT
     * flight (PL); a primary-only track; a vessel; one outside the area */
    track(&t[0], 1, 55.0, 19.0, 0x150001, "RFF9101", TRK_TRI_YES);
    track(&t[1], 2, 54.5, 18.5, 0x48ae21, "LOT3923", TRK_TRI_YES);
    t[1].radio = TRK_TRI_YES;
    t[1].flight_plan = TRK_TRI_YES;
    track(&t[2], 3, 55.5, 20.0, 0, NULL, TRK_TRI_NO);
    track(&t[3], 4, 57.0, 19.0, 0x48ae22, "LOT1", TRK_TRI_YES);
    int64_t now = T0_MS + 10 * 3600000LL; /* a fake clock: 10:00 UTC */
    for (int i = 0; i < 60; i++, now += 1000) {
        if (i == 30)
            t[0].transponder = TRK_TRI_NO; /* switched off over the sea */
        cpl_ledger_feed(&l, z, &pp, t, 4, now);
    }
    assert_int_equal(l.n, 3);
    struct cpl_summary *s = calloc(1, sizeof *s);
    cpl_summarise(&l, &pp, T0_MS, T0_MS + DAY, s);
    assert_int_equal(s->n_c, 3); /* RU, PL, UNKNOWN */
    assert_string_equal(s->c[0].party, "RU");
    assert_int_equal(s->c[0].flights, 1);
    assert_int_equal(s->c[0].xpdr, 0);
    assert_string_equal(s->c[1].party, "PL");
    assert_int_equal(s->c[1].xpdr, 1);
    assert_int_equal(s->c[1].plan, 1);
    assert_int_equal(s->c[1].radio, 1);
    assert_string_equal(s->c[2].party, "UNKNOWN");
    /* written and read back */
    struct dbuf c, f;
    dbuf_init(&c, 4096);
    dbuf_init(&f, 4096);
    assert_int_equal(cpl_format(s, &c, &f), 0);
    assert_string_equal(c.p, "RU=1/0/0/0;PL=1/1/1/1;UNKNOWN=1/0/0/0");
    assert_string_equal(f.p, "RU,icao:150001,N,U,U;PL,icao:48ae21,Y,Y,Y;UNKNOWN,T3,N,U,U");
    struct cpl_summary *r = calloc(1, sizeof *r);
    assert_int_equal(cpl_parse(c.p, c.len, f.p, f.len, r), 0);
    r->from_ms = T0_MS;
    r->until_ms = T0_MS + DAY;
    /* our own summary agrees with our ledger */
    char disc[CPL_MAX_DISC][CPL_DISC_LEN];
    assert_int_equal(cpl_compare(&l, &pp, "MOSCOW-CC", r, disc, CPL_MAX_DISC), 0);
    /* the peer says the Il-20 flew with its transponder on, and counts one
     * more PL flight */
    const char *pc = "RU=1/1/0/0;PL=2/2/0/0";
    const char *pf = "RU,icao:150001,Y,N,N";
    assert_int_equal(cpl_parse(pc, strlen(pc), pf, strlen(pf), r), 0);
    size_t n = cpl_compare(&l, &pp, "MOSCOW-CC", r, disc, CPL_MAX_DISC);
    assert_int_equal(n, 4); /* RU counts, PL counts, UNKNOWN not counted by the peer, the Il-20 */
    assert_non_null(strstr(disc[0], "party RU"));
    assert_non_null(strstr(disc[1], "party PL"));
    assert_non_null(strstr(disc[2], "party UNKNOWN"));
    assert_non_null(strstr(disc[3], "icao:150001 with transponder on; we saw it without"));
    /* a period before our flights: nothing of ours to compare */
    r->from_ms = T0_MS - DAY;
    r->until_ms = T0_MS;
    assert_int_equal(cpl_parse("RU=0/0/0/0", 10, NULL, 0, r), 0);
    assert_int_equal(cpl_compare(&l, &pp, "MOSCOW-CC", r, disc, CPL_MAX_DISC), 0);
    /* the next day: the same track is a new flight; two days on, pruned */
    cpl_ledger_feed(&l, z, &pp, t, 1, T0_MS + DAY + 1000);
    assert_int_equal(l.n, 4);
    cpl_ledger_feed(&l, z, &pp, t, 1, T0_MS + 4 * DAY);
    assert_int_equal(l.n, 1);
    /* the cap: later flights counted as dropped */
    for (uint32_t i = 0; i < 20; i++) {
        track(&t[1], 100 + i, 55, 19, 0, NULL, TRK_TRI_YES);
        cpl_ledger_feed(&l, z, &pp, &t[1], 1, T0_MS + 4 * DAY + 1000);
    }
    assert_int_equal(l.n, 16);
    assert_int_equal(l.dropped, 5);
    dbuf_free(&c);
    dbuf_free(&f);
    free(s);
    free(r);
    cpl_ledger_fini(&l);
    geo_zones_free(z);
}

/* The ledger across a restart: written, read back as orphans, continued
 * by the same aircraft's new track, never counted twice. */
static void test_ledger_saved(void **state)
{
    (void)state;
    struct geo_zones *z = area();
    struct cpl_parties pp;
    char err[200];
    assert_int_equal(cpl_parties_parse("RU=100000-1FFFFF", &pp, err, sizeof err), 0);
    struct cpl_ledger l;
    assert_int_equal(cpl_ledger_init(&l, 16), 0);
    struct trk_track t[3];
    track(&t[0], 1, 55.0, 19.0, 0x150001, "RFF9101", TRK_TRI_NO);
    track(&t[1], 2, 54.5, 18.5, 0, "SAS123", TRK_TRI_YES);
    t[1].radio = TRK_TRI_YES;
    track(&t[2], 3, 55.5, 20.0, 0, NULL, TRK_TRI_NO);
    int64_t now = T0_MS + 10 * 3600000LL;
    for (int i = 0; i < 10; i++, now += 1000)
        cpl_ledger_feed(&l, z, &pp, t, 3, now);
    struct dbuf b;
    dbuf_init(&b, 1 << 20);
    assert_int_equal(cpl_ledger_write(&l, &b), 0);
    /* the restart */
    struct cpl_ledger r;
    assert_int_equal(cpl_ledger_init(&r, 16), 0);
    size_t bad = 9;
    assert_int_equal(cpl_ledger_read(&r, &pp, b.p, b.len, INT64_MIN, &bad), 0);
    assert_int_equal(bad, 0);
    assert_int_equal(r.n, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_true(r.v[i].orphan);
        assert_int_equal(r.v[i].first_ms, l.v[i].first_ms);
        assert_int_equal(r.v[i].last_ms, l.v[i].last_ms);
        assert_int_equal(r.v[i].xpdr, l.v[i].xpdr);
        assert_int_equal(r.v[i].radio, l.v[i].radio);
        assert_string_equal(r.v[i].party, l.v[i].party);
        assert_string_equal(r.v[i].callsign, l.v[i].callsign);
    }
    /* written again: the same text */
    struct dbuf b2;
    dbuf_init(&b2, 1 << 20);
    assert_int_equal(cpl_ledger_write(&r, &b2), 0);
    assert_string_equal(b.p, b2.p);
    /* after the restart the tracks have new ids: the Il-20 (by address)
     * and the SAS flight (by callsign) continue their flights; the track
     * without identity starts a new one */
    t[0].id = 101;
    t[1].id = 102;
    t[2].id = 103;
    t[0].transponder = TRK_TRI_YES;
    cpl_ledger_feed(&r, z, &pp, t, 3, now + 60000);
    assert_int_equal(r.n, 4);
    assert_false(r.v[0].orphan);
    assert_int_equal(r.v[0].track_id, 101);
    assert_int_equal(r.v[0].first_ms, l.v[0].first_ms);
    assert_int_equal(r.v[0].last_ms, now + 60000);
    assert_int_equal(r.v[0].xpdr, 'N'); /* seen dark before the restart */
    assert_int_equal(r.v[1].track_id, 102);
    assert_true(r.v[2].orphan);
    assert_int_equal(r.v[3].track_id, 103);
    struct cpl_summary *s = calloc(1, sizeof *s);
    cpl_summarise(&r, &pp, T0_MS, T0_MS + DAY, s);
    assert_string_equal(s->c[0].party, "RU");
    assert_int_equal(s->c[0].flights, 1);
    /* a later day does not continue an orphan of an earlier one */
    struct cpl_ledger r2;
    assert_int_equal(cpl_ledger_init(&r2, 16), 0);
    assert_int_equal(cpl_ledger_read(&r2, &pp, b.p, b.len, INT64_MIN, &bad), 0);
    cpl_ledger_feed(&r2, z, &pp, t, 1, T0_MS + DAY + 1000);
    assert_int_equal(r2.n, 4);
    assert_true(r2.v[0].orphan);
    /* hostile files: a wrong header is refused; damaged lines skipped */
    struct cpl_ledger h;
    assert_int_equal(cpl_ledger_init(&h, 4), 0);
    assert_int_equal(cpl_ledger_read(&h, &pp, "cairn-ledger 2\n", 15, INT64_MIN, &bad),
                     CAIRN_E_FORMAT);
    assert_int_equal(cpl_ledger_read(&h, &pp, "", 0, INT64_MIN, &bad), CAIRN_E_FORMAT);
    static const char hostile[] = "cairn-compliance-ledger 1\n"
                                  "1 2 3 150001 RFF1 0 1 U U\n"   /* good */
                                  "1 3 2 150001 RFF1 0 1 U U\n"   /* last before first */
                                  "1 2 3 15000G RFF1 0 1 U U\n"   /* not hex */
                                  "1 2 3 - rff1 0 1 U U\n"        /* lower case */
                                  "1 2 3 - RFF1 2 1 U U\n"        /* not 0/1 */
                                  "1 2 3 - RFF1 0 1 U Q\n"        /* not Y/N/U */
                                  "1 2 3 - RFF1 0 1 U U \n"       /* trailing space */
                                  "99999999999 2 3 - - 0 1 U U\n" /* id too large */
                                  "1 2 3 - ABCDEFGHI 0 1 U U\n"   /* callsign too long */
                                  "1  2 3 - - 0 1 U U\n"
                                  "\x01\xff\n"
                                  "\n"
                                  "7 2 3 - - 1 0 Y N"; /* good, no final newline */
    assert_int_equal(cpl_ledger_read(&h, &pp, hostile, sizeof hostile - 1, INT64_MIN, &bad), 0);
    assert_int_equal(h.n, 2);
    assert_int_equal(bad, 10);
    assert_string_equal(h.v[0].party, "RU");
    assert_int_equal(h.v[1].plan, 'Y');
    /* pruned by now_ms; the cap counts as dropped */
    struct cpl_ledger c1;
    assert_int_equal(cpl_ledger_init(&c1, 1), 0);
    assert_int_equal(cpl_ledger_read(&c1, &pp, hostile, sizeof hostile - 1, INT64_MIN, &bad), 0);
    assert_int_equal(c1.n, 1);
    assert_int_equal(c1.dropped, 1);
    struct cpl_ledger c2;
    assert_int_equal(cpl_ledger_init(&c2, 4), 0);
    assert_int_equal(
        cpl_ledger_read(&c2, &pp, hostile, sizeof hostile - 1, 3 + CPL_PRUNE_MS + 1, &bad), 0);
    assert_int_equal(c2.n, 0);
    cpl_ledger_fini(&c1);
    cpl_ledger_fini(&c2);
    cpl_ledger_fini(&h);
    cpl_ledger_fini(&r2);
    free(s);
    dbuf_free(&b);
    dbuf_free(&b2);
    cpl_ledger_fini(&r);
    cpl_ledger_fini(&l);
    geo_zones_free(z);
}

static void test_summary_parse_hostile(void **state)
{
    (void)state;
    struct cpl_summary *s = calloc(1, sizeof *s);
    static const char *const bad[][2] = {
        {"", NULL},
        {"RU=1/1/1", NULL},
        {"RU=1/2/0/0", NULL}, /* more transponders than flights */
        {"RU=1/1/1/1;RU=1/1/1/1", NULL},
        {"RU=1/1/1/1;", NULL},
        {"R U=1/1/1/1", NULL},
        {"ABCDEFGHIJKLMNOP=1/1/1/1", NULL},
        {"RU=1000000000/0/0/0", NULL},
        {"RU=-1/0/0/0", NULL},
        {"RU=1/1/1/1", "RU,icao:15000,Y,Y,Y"},
        {"RU=1/1/1/1", "RU,icao:150001,Y,Y"},
        {"RU=1/1/1/1", "RU,icao:150001,Y,Y,X"},
        {"RU=1/1/1/1", "RU,ABCDEFGHI,Y,Y,Y"},
        {"RU=1/1/1/1", "RU,abc,Y,Y,Y"},
        {"RU=1/1/1/1", "RU,T1,Y,Y,Y;"},
        {"RU=1/1/1/1", "RU,T1,Y,Y,Y\n"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *c = bad[i][0], *f = bad[i][1];
        if (cpl_parse(c, strlen(c), f, f ? strlen(f) : 0, s) != CAIRN_E_FORMAT)
            fail_msg("accepted '%s' '%s'", c, f ? f : "");
    }
    /* more than CPL_LIST_MAX flights */
    struct dbuf f;
    dbuf_init(&f, 1u << 16);
    for (int i = 0; i <= CPL_LIST_MAX; i++)
        dbuf_addf(&f, "%sRU,T%d,Y,Y,Y", i ? ";" : "", i);
    assert_int_equal(cpl_parse("RU=1/1/1/1", 10, f.p, f.len, s), CAIRN_E_FORMAT);
    /* truncated at every offset: no over-read (a copy of its own size) */
    const char *gc = "RU=2/1/0/1;OTHER=1/1/1/0", *gf = "RU,icao:15a2b3,Y,N,U;OTHER,SAS681,Y,Y,N";
    for (size_t len = 0; len <= strlen(gf); len++) {
        char *cp = malloc(len ? len : 1);
        memcpy(cp, gf, len);
        int rc = cpl_parse(gc, strlen(gc), cp, len, s);
        assert_true(rc == 0 || rc == CAIRN_E_FORMAT);
        free(cp);
    }
    for (size_t len = 0; len <= strlen(gc); len++) {
        char *cp = malloc(len ? len : 1);
        memcpy(cp, gc, len);
        int rc = cpl_parse(cp, len, NULL, 0, s);
        assert_true(rc == 0 || rc == CAIRN_E_FORMAT);
        free(cp);
    }
    dbuf_free(&f);
    free(s);
}

static void test_config_keys(void **state)
{
    (void)state;
    struct proc_config pc;
    char err[200];
    proc_config_default(&pc);
    assert_int_equal(pc.renegade_min, 2);
    assert_int_equal(pc.compliance_time_min, -1);
    assert_int_equal(proc_config_key(&pc, "renegade_notify", "MOSCOW-CC, MINSK-CC", err, 200), 0);
    assert_int_equal(pc.n_renegade_notify, 2);
    assert_string_equal(pc.renegade_notify[1], "MINSK-CC");
    assert_int_equal(proc_config_key(&pc, "renegade_notify", "BAD NAME!", err, 200),
                     CAIRN_E_FORMAT);
    assert_int_equal(proc_config_key(&pc, "renegade_min", "CONFIRMED", err, 200), 0);
    assert_int_equal(pc.renegade_min, 4);
    assert_int_equal(proc_config_key(&pc, "renegade_min", "HIGH", err, 200), CAIRN_E_FORMAT);
    assert_int_equal(proc_config_key(&pc, "compliance_time", "06:30", err, 200), 0);
    assert_int_equal(pc.compliance_time_min, 390);
    static const char *const bad_t[] = {"24:00", "6:30", "06:60", "06:3a", "", "06:30 "};
    for (size_t i = 0; i < sizeof bad_t / sizeof bad_t[0]; i++)
        assert_int_equal(proc_config_key(&pc, "compliance_time", bad_t[i], err, 200),
                         CAIRN_E_FORMAT);
    assert_int_equal(proc_config_key(&pc, "compliance_parties", "RU=100000-1FFFFF", err, 200), 0);
    static const char *const bad_p[] = {"RU",        "RU=1-",         "RU=2-1",
                                        "OTHER=1-2", "RU=1-2;PL=3-4", "RU=1234567-1234568"};
    for (size_t i = 0; i < sizeof bad_p / sizeof bad_p[0]; i++)
        assert_int_equal(proc_config_key(&pc, "compliance_parties", bad_p[i], err, 200),
                         CAIRN_E_FORMAT);
    assert_int_equal(proc_config_key(&pc, "nope", "1", err, 200), 1);
}

/* The service without a hotline: renegade notification once per episode
 * (each attempt fails and is counted: there is no hotline to send with),
 * from renegade_min only; drafts saved, edited, kept in their file across
 * a new service, deleted. */
static void test_service(void **state)
{
    (void)state;
    struct pic_config pcfg;
    pic_config_default(&pcfg);
    struct pic *pic;
    assert_int_equal(pic_new(&pcfg, &pic), 0);
    char dir[] = "/tmp/cairn-procs-unit-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char journal[128];
    snprintf(journal, sizeof journal, "%s/j.db", dir);
    struct proc_config pc;
    proc_config_default(&pc);
    char err[256];
    assert_int_equal(proc_config_key(&pc, "renegade_notify", "MOSCOW-CC,MINSK-CC", err, 256), 0);
    struct proc_env env = {.pic = pic, .journal = journal};
    struct proc *p;
    assert_int_equal(proc_new(&pc, &env, &p, err, sizeof err), 0);
    proc_start(p, NULL, T0_MS);
    struct det_alert a;
    memset(&a, 0, sizeof a);
    a.id = 5;
    a.rule = DET_RULE_RENEGADE;
    a.state = DET_ST_OPEN;
    a.n_values = 1;
    a.values[0].name = "category";
    a.values[0].v = 1; /* COMLOSS: under SUSPECTED */
    proc_on_alert(p, &a);
    assert_int_equal(proc_stats(p)->renegade_errors, 0);
    a.state = DET_ST_UPDATED;
    a.values[0].v = 2; /* SUSPECTED: both peers, once */
    proc_on_alert(p, &a);
    assert_int_equal(proc_stats(p)->renegade_errors, 2);
    a.values[0].v = 3;
    proc_on_alert(p, &a);
    proc_on_alert(p, &a);
    assert_int_equal(proc_stats(p)->renegade_errors, 2);
    a.state = DET_ST_CLEARED;
    proc_on_alert(p, &a);
    a.id = 6; /* a new episode */
    a.state = DET_ST_OPEN;
    proc_on_alert(p, &a);
    assert_int_equal(proc_stats(p)->renegade_errors, 4);
    a.rule = DET_RULE_ZONE; /* other rules: never */
    a.id = 7;
    proc_on_alert(p, &a);
    assert_int_equal(proc_stats(p)->renegade_errors, 4);

    /* drafts */
    struct dbuf out;
    dbuf_init(&out, 1u << 20);
    struct web_req rq = {.user = "duty"};
    json_t *body = json_pack("{s:s, s:s, s:{s:s}}", "type", "FREE_TEXT", "to", "MOSCOW-CC",
                             "fields", "body", "first");
    assert_int_equal(proc_action(p, WEB_ACT_DRAFT_SAVE, &rq, body, &out), 201);
    json_decref(body);
    assert_non_null(strstr(out.p, "\"id\":1"));
    assert_non_null(strstr(out.p, "\"by\":\"duty\""));
    dbuf_reset(&out);
    body = json_pack("{s:s}", "type", "NOPE");
    assert_int_equal(proc_action(p, WEB_ACT_DRAFT_SAVE, &rq, body, &out), 400);
    json_decref(body);
    dbuf_reset(&out);
    body = json_pack("{s:[s, s]}", "to", "MOSCOW-CC", "bad name");
    rq.id = "1";
    assert_int_equal(proc_action(p, WEB_ACT_DRAFT_EDIT, &rq, body, &out), 400);
    json_decref(body);
    dbuf_reset(&out);
    body = json_pack("{s:{s:s}}", "fields", "body", "second");
    assert_int_equal(proc_action(p, WEB_ACT_DRAFT_EDIT, &rq, body, &out), 200);
    json_decref(body);
    proc_free(p);
    /* a new service reads the file */
    assert_int_equal(proc_new(&pc, &env, &p, err, sizeof err), 0);
    dbuf_reset(&out);
    assert_int_equal(proc_get(p, WEB_GET_DRAFT, &rq, &out), 200);
    assert_non_null(strstr(out.p, "second"));
    assert_non_null(strstr(out.p, "MOSCOW-CC"));
    dbuf_reset(&out);
    rq.id = "2";
    assert_int_equal(proc_get(p, WEB_GET_DRAFT, &rq, &out), 404);
    dbuf_reset(&out);
    rq.id = "1";
    assert_int_equal(proc_action(p, WEB_ACT_DRAFT_DELETE, &rq, NULL, &out), 200);
    dbuf_reset(&out);
    assert_int_equal(proc_get(p, WEB_GET_DRAFTS, &rq, &out), 200);
    assert_string_equal(out.p, "{\"drafts\":[]}");
    /* ids are not reused after a delete */
    dbuf_reset(&out);
    body = json_pack("{s:s}", "type", "FREE_TEXT");
    assert_int_equal(proc_action(p, WEB_ACT_DRAFT_SAVE, &rq, body, &out), 201);
    assert_non_null(strstr(out.p, "\"id\":2"));
    json_decref(body);
    proc_free(p);
    /* a damaged file: set aside, the service starts without drafts */
    char path[160];
    snprintf(path, sizeof path, "%s.drafts", journal);
    FILE *f = fopen(path, "w");
    fputs("{\"drafts\": [", f);
    fclose(f);
    assert_int_equal(proc_new(&pc, &env, &p, err, sizeof err), 0);
    dbuf_reset(&out);
    assert_int_equal(proc_get(p, WEB_GET_DRAFTS, &rq, &out), 200);
    assert_string_equal(out.p, "{\"drafts\":[]}");
    proc_free(p);
    char bad[200];
    snprintf(bad, sizeof bad, "%s.bad", path);
    assert_int_equal(access(bad, F_OK), 0);
    unlink(bad);
    unlink(path);
    rmdir(dir);
    dbuf_free(&out);
    pic_free(pic);
}

/* Notices through the service on a fake clock: the zone in the picture's
 * set with its period, the flags as alerts, an invitation clearing the
 * observers' alert. */
static int zone_active(struct proc *p, const char *name)
{
    struct dbuf out;
    dbuf_init(&out, 1u << 20);
    struct web_req rq = {0};
    assert_int_equal(proc_get(p, WEB_GET_ZONES, &rq, &out), 200);
    json_t *j = json_loads(out.p, 0, NULL);
    dbuf_free(&out);
    int r = -1;
    size_t i;
    json_t *z;
    json_array_foreach(json_object_get(j, "zones"), i, z)
    {
        if (!strcmp(json_string_value(json_object_get(z, "name")), name)) {
            assert_string_equal(json_string_value(json_object_get(z, "kind")), "exercise");
            r = json_is_true(json_object_get(z, "active"));
        }
    }
    json_decref(j);
    return r;
}

static size_t open_alerts(struct proc *p, unsigned rule)
{
    size_t n, k = 0;
    const struct det_alert *a = proc_alerts(p, &n);
    for (size_t i = 0; i < n; i++)
        k += a[i].rule == rule && a[i].state != DET_ST_CLEARED;
    return k;
}

static void test_service_notices(void **state)
{
    (void)state;
    struct pic_config pcfg;
    pic_config_default(&pcfg);
    struct pic *pic;
    assert_int_equal(pic_new(&pcfg, &pic), 0);
    char dir[] = "/tmp/cairn-procs-unit-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char journal[128], err[256];
    snprintf(journal, sizeof journal, "%s/j.db", dir);
    struct proc_config pc;
    proc_config_default(&pc);
    struct proc_env env = {.pic = pic, .journal = journal};
    struct proc *p;
    assert_int_equal(proc_new(&pc, &env, &p, err, sizeof err), 0);
    proc_start(p, NULL, T0_MS);
    /* received 5 days ahead: 14,000 troops */
    static struct hl_msg m;
    hl_msg_init(&m, HL_T_ACTIVITY_NOTICE);
    snprintf(m.sender, sizeof m.sender, "MOSCOW-CC");
    assert_int_equal(hl_msg_add_str(&m, "area", "54.5,18.5;54.5,19.5;55,19.5;55,18.5"), 0);
    assert_int_equal(hl_msg_add_int(&m, "start", T0_MS + 5 * DAY), 0);
    assert_int_equal(hl_msg_add_int(&m, "end", T0_MS + 8 * DAY), 0);
    assert_int_equal(hl_msg_add_str(&m, "kind", "EXERCISE"), 0);
    assert_int_equal(hl_msg_add_int(&m, "troops", 14000), 0);
    proc_on_message(p, HL_DIR_IN, "MOSCOW-CC", 3, T0_MS, &m);
    assert_int_equal(proc_stats(p)->notices, 1);
    assert_int_equal(proc_stats(p)->notices_late, 1);
    assert_int_equal(open_alerts(p, DET_RULE_NOTICE), 3); /* late, notification, observers */
    proc_cycle(p, NULL, 0, T0_MS + 1000);
    assert_int_equal(zone_active(p, "NOTICE MOSCOW-CC#3"), 0); /* not yet */
    proc_cycle(p, NULL, 0, T0_MS + 6 * DAY);
    assert_int_equal(zone_active(p, "NOTICE MOSCOW-CC#3"), 1);
    proc_cycle(p, NULL, 0, T0_MS + 9 * DAY);
    assert_int_equal(zone_active(p, "NOTICE MOSCOW-CC#3"), 0); /* over */
    /* the invitation comes: the observers' alert clears */
    hl_msg_init(&m, HL_T_OBSERVER_INVITATION);
    snprintf(m.sender, sizeof m.sender, "MOSCOW-CC");
    assert_int_equal(hl_msg_add_int(&m, "start", T0_MS + 5 * DAY), 0);
    assert_int_equal(hl_msg_add_int(&m, "end", T0_MS + 8 * DAY), 0);
    assert_int_equal(hl_msg_add_int(&m, "reply_by", T0_MS + 4 * DAY), 0);
    assert_int_equal(hl_msg_add_str(&m, "exercise", "ZAPAD"), 0);
    proc_on_message(p, HL_DIR_IN, "MOSCOW-CC", 4, T0_MS + DAY, &m);
    assert_int_equal(open_alerts(p, DET_RULE_NOTICE), 2);
    /* a notice whose area crosses itself: flagged, no zone */
    hl_msg_init(&m, HL_T_ACTIVITY_NOTICE);
    snprintf(m.sender, sizeof m.sender, "MOSCOW-CC");
    assert_int_equal(hl_msg_add_str(&m, "area", "54,18;55,19;54,19;55,18"), 0);
    assert_int_equal(hl_msg_add_int(&m, "start", T0_MS + 10 * DAY), 0);
    assert_int_equal(hl_msg_add_int(&m, "end", T0_MS + 11 * DAY), 0);
    assert_int_equal(hl_msg_add_str(&m, "kind", "MISSILE_FIRING"), 0);
    proc_on_message(p, HL_DIR_IN, "MOSCOW-CC", 5, T0_MS, &m);
    assert_int_equal(zone_active(p, "NOTICE MOSCOW-CC#5"), -1);
    assert_int_equal(zone_active(p, "NOTICE MOSCOW-CC#3"), 0);
    proc_free(p);
    pic_free(pic);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_draft_incident),  cmocka_unit_test(test_draft_renegade),
        cmocka_unit_test(test_notice_lead),     cmocka_unit_test(test_notice_thresholds),
        cmocka_unit_test(test_area_parse),      cmocka_unit_test(test_ledger),
        cmocka_unit_test(test_ledger_saved),    cmocka_unit_test(test_summary_parse_hostile),
        cmocka_unit_test(test_config_keys),     cmocka_unit_test(test_service),
        cmocka_unit_test(test_service_notices),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
