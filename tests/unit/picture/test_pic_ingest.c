/*
 * test_pic_ingest.c — pic_ingest and pic_track_next (picture/picture.h),
 * the tracker's part of a cycle between cycles that the centre's live
 * stream uses, on synthetic reports and a fake clock:
 *  - after pic_ingest the live table holds the reports given so far (a
 *    track's t_last_ms and n_updates move), while the snapshot
 *    (pic_tracks), the alerts and the cycle count stay those of the last
 *    pic_cycle: no tick, no rule;
 *  - two engines fed the same reports, one with pic_ingest calls between
 *    the reports, end every cycle with the same tracks (ids, status,
 *    updates, identity, position to the millimetre) and raise the same
 *    alerts through the callback (a primary-only aircraft: NO_TRANSPONDER;
 *    ADS-B aircraft with callsigns from identification reports);
 *  - pic_ingest on NULL is refused; with nothing pending it does nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "decode/report.h"
#include "geo/geo.h"
#include "picture/picture.h"

#define T0     1400000000000LL
#define RADAR  (114u << 8 | 21u)
#define N_AIR  3
#define CYCLES 90

static const char sensors[] = "[radar APP-NORTH]\nsac = 114\nsic = 21\nlat = 54.78\n"
                              "lon = 17.95\nalt_m = 60\nperiod_s = 4\n"
                              "[adsb RX-1]\nlat = 54.5\nlon = 18.5\n";

struct rec {
    unsigned n, open;
    uint8_t rules[64];
};

static void on_alert(void *arg, const struct pic *p, const struct det_alert *a)
{
    (void)p;
    struct rec *r = arg;
    if (r->n < sizeof r->rules)
        r->rules[r->n] = a->rule;
    r->n++;
    r->open += a->state == DET_ST_OPEN;
}

static struct pic *engine(struct rec *r)
{
    static struct pic_sensors s;
    char err[200];
    assert_int_equal(pic_sensors_parse(sensors, strlen(sensors), &s, err, sizeof err), 0);
    struct pic_config c;
    pic_config_default(&c);
    c.sensors = &s;
    c.trk.max_tracks = 256;
    c.on_alert = on_alert;
    c.arg = r;
    struct pic *p;
    assert_int_equal(pic_new(&c, &p), 0);
    return p;
}

/* The reports of second s, in time order: each ADS-B aircraft's position
 * at +100 + 200 i ms (its identification first, at the start), and every
 * 4 s the radar's primary-only plot of a fifth aircraft at +700 ms. */
static size_t reports_of(int s, uint32_t rx, struct report *out)
{
    size_t n = 0;
    const double v = 250 * 1852.0 / 3600.0;
    int64_t t = T0 + s * 1000LL;
    for (int i = 0; i < N_AIR; i++) {
        struct report *r = &out[n++];
        memset(r, 0, sizeof *r);
        r->sensor_id = rx;
        r->kind = REP_ADSB;
        r->sensor_kind = SENSOR_ADSB_RX;
        r->icao = 0x48AB10u + (uint32_t)i;
        if (s == 0) {
            r->t_ms = t;
            r->has = REP_HAS_ICAO | REP_HAS_CALLSIGN;
            memcpy(r->callsign, "LOT10", 5);
            r->callsign[5] = (char)('0' + i);
            r = &out[n++];
            *r = out[n - 2];
            memset(r->callsign, 0, sizeof r->callsign);
        }
        r->t_ms = t + 100 + 200 * i;
        r->has = REP_HAS_ICAO | REP_HAS_POS | REP_HAS_ALT_BARO;
        geo_direct(54.3 + 0.1 * i, 18.0, 90.0, v * (double)(r->t_ms - T0) / 1000.0, &r->lat_deg,
                   &r->lon_deg, NULL);
        r->alt_baro_ft = 12000 + 1000 * i;
    }
    if (s % 4 == 0) {
        struct report *r = &out[n++];
        memset(r, 0, sizeof *r);
        r->t_ms = t + 700;
        r->sensor_id = RADAR;
        r->kind = REP_PSR;
        r->sensor_kind = SENSOR_RADAR;
        r->plot_type = PLOT_PSR;
        r->has = REP_HAS_POS | REP_HAS_PLOT_TYPE | REP_HAS_POS_ACC;
        r->pos_acc_m = 250;
        geo_direct(54.9, 18.2, 180.0, v * (double)(r->t_ms - T0) / 1000.0, &r->lat_deg, &r->lon_deg,
                   NULL);
    }
    return n;
}

static const struct trk_track *live(const struct pic *p, uint32_t id)
{
    size_t cur = 0;
    const struct trk_track *t;
    while ((t = pic_track_next(p, &cur)) != NULL)
        if (t->id == id)
            return t;
    return NULL;
}

static void same_tracks(const struct pic *a, const struct pic *b)
{
    size_t na, nb;
    const struct trk_track *ta = pic_tracks(a, &na), *tb = pic_tracks(b, &nb);
    assert_int_equal(na, nb);
    for (size_t i = 0; i < na; i++) {
        assert_int_equal(ta[i].id, tb[i].id);
        assert_int_equal(ta[i].status, tb[i].status);
        assert_int_equal(ta[i].n_updates, tb[i].n_updates);
        assert_int_equal(ta[i].icao, tb[i].icao);
        assert_string_equal(ta[i].callsign, tb[i].callsign);
        assert_true(ta[i].t_last_ms == tb[i].t_last_ms);
        assert_true(fabs(ta[i].lat_deg - tb[i].lat_deg) < 1e-8);
        assert_true(fabs(ta[i].lon_deg - tb[i].lon_deg) < 1e-8);
    }
}

static void test_ingest_between_cycles(void **state)
{
    (void)state;
    struct rec ra = {0}, rb = {0};
    struct pic *a = engine(&ra), *b = engine(&rb);
    uint32_t rx = pic_sensors_first(pic_sensors(a), PIC_SENSOR_ADSB)->id;
    struct report r[16];
    unsigned checked = 0;
    for (int s = 0; s < CYCLES; s++) {
        int64_t t = T0 + s * 1000LL;
        assert_int_equal(pic_cycle(a, t), 0);
        assert_int_equal(pic_cycle(b, t), 0);
        same_tracks(a, b);
        assert_int_equal(ra.n, rb.n);
        assert_memory_equal(ra.rules, rb.rules, sizeof ra.rules);
        size_t n = reports_of(s, rx, r);
        for (size_t k = 0; k < n; k++) {
            assert_int_equal(pic_report(a, &r[k], r[k].t_ms), 0);
            assert_int_equal(pic_report(b, &r[k], r[k].t_ms), 0);
            if (!(r[k].has & REP_HAS_POS))
                continue;
            /* b: the tracker part now, as the centre's stream does */
            size_t n_snap;
            const struct trk_track *snap = pic_tracks(b, &n_snap);
            uint64_t cycles = pic_stats(b)->cycles;
            unsigned alerts = rb.n;
            assert_int_equal(pic_ingest(b, r[k].t_ms + 50), 0);
            assert_int_equal(pic_stats(b)->cycles, cycles);
            assert_int_equal(rb.n, alerts);
            size_t n_after;
            assert_ptr_equal(pic_tracks(b, &n_after), snap);
            assert_int_equal(n_after, n_snap);
            /* an ADS-B aircraft's track, once it has one, took the report */
            if (!(r[k].has & REP_HAS_ICAO) || s < 2)
                continue;
            size_t cur = 0;
            const struct trk_track *lt;
            while ((lt = pic_track_next(b, &cur)) != NULL && lt->icao != r[k].icao)
                ;
            assert_non_null(lt);
            assert_true(lt->t_last_ms == r[k].t_ms);
            for (size_t i = 0; i < n_snap; i++)
                if (snap[i].id == lt->id) {
                    assert_true(snap[i].t_last_ms < lt->t_last_ms);
                    assert_int_equal(snap[i].n_updates + 1, lt->n_updates);
                }
            assert_ptr_equal(live(b, lt->id), lt);
            checked++;
        }
    }
    assert_int_equal(pic_cycle(a, T0 + CYCLES * 1000LL), 0);
    assert_int_equal(pic_cycle(b, T0 + CYCLES * 1000LL), 0);
    same_tracks(a, b);
    assert_true(checked >= (CYCLES - 2) * N_AIR);
    /* the picture did what the cases are for: four tracks, callsigns,
     * NO_TRANSPONDER on the primary-only one */
    size_t n;
    const struct trk_track *t = pic_tracks(b, &n);
    assert_int_equal(n, N_AIR + 1);
    unsigned named = 0;
    for (size_t i = 0; i < n; i++)
        named += !strncmp(t[i].callsign, "LOT", 3);
    assert_int_equal(named, N_AIR);
    assert_true(rb.open >= 1);
    int no_xpdr = 0;
    for (unsigned i = 0; i < rb.n && i < sizeof rb.rules; i++)
        no_xpdr |= rb.rules[i] == DET_RULE_NO_TRANSPONDER;
    assert_true(no_xpdr);
    assert_int_equal(ra.n, rb.n);
    assert_int_equal(ra.open, rb.open);
    /* nothing pending: nothing done; NULL refused */
    uint64_t batches = pic_stats(b)->batches;
    assert_int_equal(pic_ingest(b, T0 + CYCLES * 1000LL), 0);
    assert_int_equal(pic_stats(b)->batches, batches);
    assert_int_equal(pic_ingest(NULL, T0), CAIRN_E_INVAL);
    pic_free(a);
    pic_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ingest_between_cycles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
