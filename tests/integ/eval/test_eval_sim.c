/*
 * test_eval_sim.c — the evaluator on real `cairn sim` truth: the shipped
 * scenarios' truth.jsonl files read by ev_truth_parse, their movers and
 * switches as the scenarios describe them, the truth's own conflicts
 * (malmo-2014: SAS681 and the dark Il-20 pass about 90 m apart around
 * 13:05:00 UTC, judged horizontally since the Il-20 has no transponder),
 * and a "tracker" that reports the truth itself scoring perfectly with an
 * alert 90 s before the loss of separation.
 * argv[1] is the cairn binary. Bounded: a few seconds of work.
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

#include "base/dbuf.h"
#include "base/jsonw.h"
#include "detect/detect.h"
#include "eval/eval.h"
#include "track/track.h"

static const char *cairn_bin;
static char tmp[64];

/* Run cairn sim and read its truth.jsonl. */
static struct ev_truth *sim_truth(const char *scenario, const char *extra)
{
    char cmd[1024], path[256];
    snprintf(cmd, sizeof cmd, "'%s' sim %s --out %s/%s --formats truth --quiet %s", cairn_bin,
             scenario, tmp, scenario, extra);
    int rc = system(cmd);
    if (rc != 0)
        fail_msg("'%s' exited with %d", cmd, rc);
    snprintf(path, sizeof path, "%s/%s/truth.jsonl", tmp, scenario);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    struct dbuf b;
    dbuf_init(&b, 256 << 20);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        assert_int_equal(dbuf_add(&b, chunk, n), 0);
    fclose(f);
    struct ev_truth *t = NULL;
    char err[256];
    rc = ev_truth_parse(b.p, b.len, &t, err, sizeof err);
    if (rc)
        fail_msg("%s: %s", path, err);
    dbuf_free(&b);
    return t;
}

static const struct ev_mover *mover(const struct ev_truth *t, const char *id)
{
    for (size_t i = 0; i < t->n_movers; i++)
        if (!strcmp(t->movers[i].id, id))
            return &t->movers[i];
    fail_msg("no mover %s", id);
    return NULL;
}

/* 2014-03-03T13:00:00Z */
#define MALMO_T0 1393851600LL

static void test_malmo(void **state)
{
    (void)state;
    struct ev_truth *t = sim_truth("malmo-2014", "");
    assert_int_equal(t->n_movers, 2);
    assert_int_equal(t->t_first_s, MALMO_T0);
    assert_int_equal(t->t_last_s, MALMO_T0 + 599);
    const struct ev_mover *sas = mover(t, "SAS681"), *il20 = mover(t, "IL20");
    assert_int_equal(sas->kind, EV_AIRCRAFT);
    assert_int_equal(sas->icao, 0x4AC9E1);
    assert_string_equal(sas->callsign, "SAS681");
    assert_int_equal(sas->n, 600);
    assert_true(sas->s[0].flags & EV_S_TRANSPONDER);
    assert_true(sas->s[0].flags & EV_S_ADSB);
    assert_int_equal(sas->s[0].squawk, 04721);
    assert_int_equal(il20->icao, 0);
    assert_false(il20->s[300].flags & (EV_S_TRANSPONDER | EV_S_ADSB | EV_S_SQUAWK));

    /* a "tracker" that reports the truth: SAS681 by ADS-B with its address,
     * the Il-20 by primary radar; an alert 90 s before the loss */
    struct ev_config cfg;
    ev_config_default(&cfg);
    struct ev *e = NULL;
    assert_int_equal(ev_new(t, &cfg, &e), 0);
    /* find the loss from the evaluator's own conflict list */
    struct dbuf b;
    dbuf_init(&b, 1 << 22);
    struct jsonw w;
    jw_init(&w, &b);
    assert_int_equal(ev_write_json(e, &w), 0);
    json_error_t je;
    json_t *o = json_loads(b.p, 0, &je);
    assert_non_null(o);
    json_t *cl = json_object_get(json_object_get(o, "conflicts"), "list");
    assert_int_equal(json_array_size(cl), 1);
    json_t *c = json_array_get(cl, 0);
    assert_string_equal(json_string_value(json_object_get(c, "a")), "SAS681");
    assert_string_equal(json_string_value(json_object_get(c, "b")), "IL20");
    assert_true(json_is_true(json_object_get(c, "horizontal_only")));
    assert_true(json_is_true(json_object_get(c, "near_miss")));
    int64_t t_loss = json_integer_value(json_object_get(c, "t_loss"));
    int64_t t_cpa = json_integer_value(json_object_get(c, "t_cpa"));
    double min_h = json_number_value(json_object_get(c, "min_h_m"));
    printf("malmo-2014: loss at +%lld s, closest %.0f m at +%lld s\n",
           (long long)(t_loss - MALMO_T0), min_h, (long long)(t_cpa - MALMO_T0));
    assert_true(llabs(t_cpa - (MALMO_T0 + 300)) <= 2);
    assert_true(min_h < 200);
    assert_true(t_loss < t_cpa - 30);
    json_decref(o);

    int64_t open_s = t_loss - 90;
    for (int64_t s = t->t_first_s; s <= t->t_last_s; s++) {
        struct trk_track tr[2];
        memset(tr, 0, sizeof tr);
        size_t n = 0;
        for (size_t i = 0; i < 2; i++) {
            struct ev_sample x;
            if (!ev_truth_at(&t->movers[i], s * 1000, &x))
                continue;
            struct trk_track *k = &tr[n++];
            k->id = (uint32_t)(10 + i);
            k->status = TRK_ST_CONFIRMED;
            k->t_state_ms = s * 1000;
            k->lat_deg = x.lat_deg;
            k->lon_deg = x.lon_deg;
            double v = x.gs_kt * 1852.0 / 3600.0, a = x.track_deg * M_PI / 180.0;
            k->ve_mps = v * sin(a);
            k->vn_mps = v * cos(a);
            if (t->movers[i].icao) {
                k->ids = TRK_ID_ICAO;
                k->icao = t->movers[i].icao;
                k->kind = TRK_KIND_AIRCRAFT;
                k->last_src_ms[TRK_SOURCE_ADSB] = s * 1000;
            } else {
                k->last_src_ms[TRK_SOURCE_PSR] = s * 1000;
            }
        }
        assert_int_equal(ev_observe(e, tr, n, s * 1000), 0);
        if (s == open_s) {
            struct det_alert a;
            memset(&a, 0, sizeof a);
            a.id = 1;
            a.rule = DET_RULE_SEPARATION;
            a.severity = DET_SEV_CAUTION;
            a.state = DET_ST_OPEN;
            a.n_parties = 2;
            a.parties[0].track_id = 10;
            a.parties[1].track_id = 11;
            a.t_open_ms = a.t_change_ms = s * 1000;
            ev_alert(e, &a);
        }
    }
    struct ev_summary sum;
    ev_summary(e, &sum);
    assert_true(sum.pos_all.max_m < 0.5);
    assert_true(sum.completeness == 1.0);
    assert_int_equal(sum.extra_cycles + sum.false_cycles + sum.breaks + sum.swaps, 0);
    assert_int_equal(sum.conflicts, 1);
    assert_int_equal(sum.conflicts_warned, 1);
    assert_int_equal(sum.min_warning_ms, 90000);
    assert_int_equal(sum.nuisance, 0);
    assert_true(sum.pass);
    dbuf_reset(&b);
    assert_int_equal(ev_write_text(e, &b), 0);
    printf("%s", b.p);
    dbuf_free(&b);
    ev_free(e);
    ev_truth_free(t);
}

static void test_other_scenarios(void **state)
{
    (void)state;
    /* baltic-sea: vessels with MMSI; the cargo ship switches AIS off at 900 s */
    struct ev_truth *t = sim_truth("baltic-sea", "--duration 1000");
    const struct ev_mover *cargo = mover(t, "CARGO");
    assert_int_equal(cargo->kind, EV_VESSEL);
    assert_int_equal(cargo->mmsi, 273354190);
    assert_true(cargo->s[0].flags & EV_S_AIS);
    assert_false(cargo->s[cargo->n - 1].flags & EV_S_AIS);
    ev_truth_free(t);
    /* vigilant-skies-2011: the renegade squawks 7600 after 900 s */
    t = sim_truth("vigilant-skies-2011", "--duration 1000");
    int nordo = 0;
    for (size_t i = 0; i < t->n_movers; i++) {
        const struct ev_mover *m = &t->movers[i];
        for (size_t k = 0; k < m->n; k++)
            if ((m->s[k].flags & EV_S_SQUAWK) && m->s[k].squawk == 07600)
                nordo = 1;
    }
    assert_true(nordo);
    struct ev *e = NULL;
    assert_int_equal(ev_new(t, NULL, &e), 0);
    ev_free(e);
    ev_truth_free(t);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s CAIRN_BINARY\n", argv[0]);
        return 2;
    }
    cairn_bin = argv[1];
    snprintf(tmp, sizeof tmp, "/tmp/cairn_evaltest.XXXXXX");
    if (!mkdtemp(tmp))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_malmo),
        cmocka_unit_test(test_other_scenarios),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmp);
    return rc;
}
