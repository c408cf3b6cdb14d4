/*
 * fuzz_truth.c — libFuzzer target for the truth reader: arbitrary bytes
 * into ev_truth_parse(). The error message must be printable ASCII. An
 * accepted truth is then evaluated for a few cycles (tracks placed on its
 * first movers, one of them offset, an alert on two of them) and both
 * writers run, so whatever the reader lets through is safe to evaluate.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/dbuf.h"
#include "base/jsonw.h"
#include "detect/detect.h"
#include "eval/eval.h"
#include "track/track.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ev_truth *t = NULL;
    char err[256];
    if (ev_truth_parse((const char *)data, size, &t, err, sizeof err) != 0) {
        for (const char *p = err; *p; p++)
            if (*p < 32 || *p > 126)
                abort();
        if (t)
            abort();
        return 0;
    }
    struct ev *e = NULL;
    if (ev_new(t, NULL, &e) != 0) {
        ev_truth_free(t);
        return 0;
    }
    struct trk_track tr[4];
    int64_t t0 = t->t_first_s * 1000;
    for (int k = 0; k < 5; k++) {
        int64_t now = t0 + k * 700;
        size_t n = 0;
        for (size_t i = 0; i < t->n_movers && n < 4; i++) {
            struct ev_sample s;
            if (!ev_truth_at(&t->movers[i], now, &s))
                continue;
            struct trk_track *x = &tr[n];
            memset(x, 0, sizeof *x);
            x->id = (uint32_t)(n + 1);
            x->status = TRK_ST_CONFIRMED;
            x->lat_deg = s.lat_deg + (n == 1 ? 0.001 : 0);
            x->lon_deg = s.lon_deg;
            x->t_state_ms = now - 300;
            x->vn_mps = 100;
            x->icao = t->movers[i].icao;
            x->ids = x->icao ? TRK_ID_ICAO : 0;
            x->last_src_ms[n % TRK_SOURCE_N] = now;
            n++;
        }
        ev_observe(e, tr, n, now);
        if (k == 1) {
            struct det_alert a;
            memset(&a, 0, sizeof a);
            a.id = 1;
            a.rule = DET_RULE_SEPARATION;
            a.state = DET_ST_OPEN;
            a.severity = DET_SEV_CAUTION;
            a.n_parties = 2;
            a.parties[0].track_id = 1;
            a.parties[1].track_id = 2;
            a.t_open_ms = a.t_change_ms = now;
            ev_alert(e, &a);
        }
    }
    struct dbuf b;
    dbuf_init(&b, 1 << 24);
    struct jsonw w;
    jw_init(&w, &b);
    ev_write_json(e, &w);
    dbuf_reset(&b);
    ev_write_text(e, &b);
    dbuf_free(&b);
    ev_free(e);
    ev_truth_free(t);
    return 0;
}
