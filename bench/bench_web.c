/*
 * bench_web.c — what the web layer costs the event loop: writing the
 * /api/tracks and /data/aircraft.json bodies for 1k, 10k and 50k tracks
 * (ms per body, MB/s), and one Argon2id password check at the parameters
 * web_passwd_line uses (done on web's worker thread, never on the loop).
 * Prints its figures; asserts nothing.
 */
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "base/dbuf.h"
#include "track/track.h"
#include "web/web.h"
#include "web/wjson.h"

static void fill(struct trk_track *v, size_t n, int64_t now)
{
    memset(v, 0, n * sizeof *v);
    for (size_t i = 0; i < n; i++) {
        struct trk_track *t = &v[i];
        t->id = (uint32_t)i + 1;
        t->status = TRK_ST_CONFIRMED;
        t->kind = TRK_KIND_AIRCRAFT;
        t->ids = TRK_ID_ICAO | TRK_ID_CALLSIGN | TRK_ID_SQUAWK;
        t->icao = 0x400000u + (uint32_t)i;
        snprintf(t->callsign, sizeof t->callsign, "CRN%05zu", i % 100000);
        t->squawk = (uint16_t)(i & 07777);
        t->flags = TRK_F_ALT;
        t->alt_ft = (int32_t)(1000 + i % 40000);
        t->lat_deg = 50.0 + (double)(i % 1000) * 0.01;
        t->lon_deg = 10.0 + (double)(i / 1000) * 0.01;
        t->gs_mps = 200;
        t->track_deg = (double)(i % 360);
        t->t_first_ms = now - 60000;
        t->t_last_ms = now - 1000;
        t->last_src_ms[TRK_SOURCE_ADSB] = now - 1000;
        t->n_sensors = 1;
        t->sensors[0].sensor_id = 1;
        t->sensors[0].n = 50;
        t->sensors[0].last_t_ms = now - 1000;
    }
}

int main(void)
{
    const size_t sizes[] = {1000, 10000, 50000};
    const int64_t now = 1700000000000LL;
    printf("web: JSON bodies (one core, best of 5)\n");
    for (size_t k = 0; k < 3; k++) {
        size_t n = sizes[k];
        struct trk_track *v = malloc(n * sizeof *v);
        fill(v, n, now);
        struct web_tracks tv = {v, n, now, 123456};
        for (int kind = 0; kind < 2; kind++) {
            double best = 1e9;
            size_t len = 0;
            for (int r = 0; r < 5; r++) {
                struct dbuf d;
                dbuf_init(&d, 1u << 30);
                double t0 = bench_now_s();
                if (kind == 0)
                    web_json_tracks(&d, &tv, NULL, NULL);
                else
                    web_json_aircraft(&d, &tv);
                double dt = bench_now_s() - t0;
                if (dt < best)
                    best = dt;
                len = d.len;
                dbuf_free(&d);
            }
            printf("  %-20s %6zu tracks: %7.2f ms, %6.2f MB, %5.0f MB/s\n",
                   kind == 0 ? "/api/tracks" : "/data/aircraft.json", n, best * 1e3,
                   (double)len / 1e6, (double)len / 1e6 / best);
        }
        free(v);
    }
    if (sodium_init() < 0)
        return 1;
    char h[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(h, "bench password", 14, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return 1;
    double lo = 1e9, hi = 0;
    for (int r = 0; r < 5; r++) {
        double t0 = bench_now_s();
        if (crypto_pwhash_str_verify(h, "bench password", 14) != 0)
            return 1;
        double dt = bench_now_s() - t0;
        lo = dt < lo ? dt : lo;
        hi = dt > hi ? dt : hi;
    }
    printf("web: Argon2id verify (ops 2, 64 MiB, worker thread): %.0f-%.0f ms\n", lo * 1e3,
           hi * 1e3);
    printf("peak RSS %ld KiB\n", bench_peak_rss_kb());
    return 0;
}
