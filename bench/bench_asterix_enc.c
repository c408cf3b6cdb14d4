/*
 * bench_asterix_enc.c — how fast cairn writes ASTERIX.
 *
 *   typed CAT062   ax62_encode() of full system tracks + ax_bw_add() into
 *                  1400-byte datagrams (the picture share's path)
 *   typed CAT048   ax48_encode() of Mode S target reports, same datagrams
 *   generic        every record of cat_034_048.pcap (if ../shared/data is
 *                  there) re-encoded from values: ax_val_parse() +
 *                  ax_item_encode() per item, ax_record_encode() per record
 *
 * Prints records per second for each; no thresholds (figures, not tests).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "decode/asterix/asterix.h"
#include "decode/asterix/encode.h"
#include "decode/asterix/typed.h"
#include "feed/pcap.h"

#include "bench_util.h"

/* Records per timed loop: about a second of work on this machine. */
#define N_TYPED        2000000
#define GENERIC_PASSES 2000

static volatile size_t sink;

static void bench_cat062(void)
{
    struct ax62_track t;
    memset(&t, 0, sizeof t);
    t.sac = 25;
    t.sic = 100;
    t.has_service_id = 1;
    t.service_id = 1;
    t.has_wgs84 = t.has_xy = t.has_velocity = t.has_mode3a = t.has_callsign = 1;
    t.has_fl = t.has_vrate = t.has_icao24 = 1;
    strcpy(t.callsign, "SAS681");
    t.mode3a = 01234;
    t.icao24 = 0x4ACA1B;
    uint8_t dg[1400], rec[AX_TYPED_MAX_RECORD];
    struct ax_block_writer w;
    ax_bw_init(&w, dg, sizeof dg);
    size_t bytes = 0;
    double t0 = bench_now_s();
    for (int i = 0; i < N_TYPED; i++) {
        t.tot_s = 43200.0 + i * 0.001;
        t.lat_deg = 55.6 + (i & 1023) * 1e-4;
        t.lon_deg = 12.6 + (i & 511) * 1e-4;
        t.x_m = i & 0xffff;
        t.y_m = -(i & 0xffff);
        t.vx_mps = 200.25;
        t.vy_mps = -12.5;
        t.alt_fl = 220;
        t.vrate_fpm = 1500;
        t.track_number = (uint16_t)i;
        int n = ax62_encode(&t, rec, sizeof rec);
        if (n < 0 || ax_bw_add(&w, 62, rec, (size_t)n) != 0) {
            bytes += ax_bw_finish(&w);
            ax_bw_init(&w, dg, sizeof dg);
            if (n < 0 || ax_bw_add(&w, 62, rec, (size_t)n) != 0)
                abort();
        }
    }
    bytes += ax_bw_finish(&w);
    double dt = bench_now_s() - t0;
    sink = bytes;
    printf("typed CAT062 encode+block: %d tracks in %.3f s = %.2f M records/s (%.0f MB/s)\n",
           N_TYPED, dt, N_TYPED / dt / 1e6, (double)bytes / dt / 1e6);
}

static void bench_cat048(void)
{
    struct ax48_report p;
    memset(&p, 0, sizeof p);
    p.sac = 25;
    p.sic = 201;
    p.typ = AX48_TYP_MODES_ROLLCALL_PSR;
    p.has_polar = p.has_mode3a = p.has_fl = p.has_address = p.has_callsign = 1;
    p.has_track_number = p.has_xy = p.has_velocity = p.has_track_status = 1;
    strcpy(p.callsign, "DLH65A");
    uint8_t dg[1400], rec[AX_TYPED_MAX_RECORD];
    struct ax_block_writer w;
    ax_bw_init(&w, dg, sizeof dg);
    size_t bytes = 0;
    double t0 = bench_now_s();
    for (int i = 0; i < N_TYPED; i++) {
        p.tod_s = 43200.0 + i * 0.001;
        p.rho_nm = 10 + (i & 127);
        p.theta_deg = (i & 4095) * 0.087;
        p.mode3a = (uint16_t)(i & 07777);
        p.alt_fl = 350;
        p.icao24 = (uint32_t)i & 0xffffff;
        p.track_number = (uint16_t)(i & 4095);
        p.x_nm = 12.5;
        p.y_nm = -40.25;
        p.gs_kt = 450;
        p.hdg_deg = 271;
        int n = ax48_encode(&p, rec, sizeof rec);
        if (n < 0 || ax_bw_add(&w, 48, rec, (size_t)n) != 0) {
            bytes += ax_bw_finish(&w);
            ax_bw_init(&w, dg, sizeof dg);
            if (n < 0 || ax_bw_add(&w, 48, rec, (size_t)n) != 0)
                abort();
        }
    }
    bytes += ax_bw_finish(&w);
    double dt = bench_now_s() - t0;
    sink = bytes;
    printf("typed CAT048 encode+block: %d reports in %.3f s = %.2f M records/s\n", N_TYPED, dt,
           N_TYPED / dt / 1e6);
}

/* Payloads of the sample pcap, kept in memory for the timed loop. */
static uint8_t payloads[1 << 16];
static size_t pay_off[512], pay_len[512];
static unsigned n_pay;

static void bench_generic(void)
{
    const char *root = getenv("CAIRN_SHARED_DATA");
    char path[4096];
    snprintf(path, sizeof path, "%s/asterix/croatiacontrol/sample_data/cat_034_048.pcap",
             root ? root : CAIRN_SHARED_DATA);
    struct feed_pcap *f = NULL;
    char err[256];
    if (feed_pcap_open(&f, path, err, sizeof err) != 0) {
        printf("generic re-encode: skipped (%s not found)\n", path);
        return;
    }
    struct pcap_udp u;
    size_t used = 0;
    while (feed_pcap_next(f, &u) == 1 && n_pay < 512 && used + u.len <= sizeof payloads) {
        memcpy(payloads + used, u.payload, u.len);
        pay_off[n_pay] = used;
        pay_len[n_pay++] = u.len;
        used += u.len;
    }
    feed_pcap_close(f);

    static struct ax_val pool[4096];
    uint8_t items[4096], out[4096];
    unsigned long records = 0;
    double t0 = bench_now_s();
    for (int pass = 0; pass < GENERIC_PASSES; pass++) {
        for (unsigned i = 0; i < n_pay; i++) {
            size_t off = 0;
            struct ax_block b;
            struct ax_error e;
            while (ax_block_next(payloads + pay_off[i], pay_len[i], &off, &b, &e, NULL) == 1) {
                if (ax_block_open(&b, NULL, &e, NULL) < 0)
                    continue;
                struct ax_record r;
                while (ax_block_record(&b, &r, &e, NULL) == 1) {
                    struct ax_record w = r;
                    size_t ib = 0;
                    for (unsigned k = 0; k < r.n_items; k++) {
                        if (ax_val_parse(r.items[k].desc, r.items[k].p, r.items[k].len, pool, 4096,
                                         NULL) < 0)
                            abort();
                        int m = ax_item_encode(&pool[0], items + ib, sizeof items - ib);
                        if (m < 0)
                            abort();
                        w.items[k].p = items + ib;
                        ib += (size_t)m;
                    }
                    int n = ax_record_encode(&w, out, sizeof out);
                    if (n != (int)r.len || memcmp(out, r.p, r.len) != 0)
                        abort();
                    records++;
                }
            }
        }
    }
    double dt = bench_now_s() - t0;
    printf("generic decode+values+re-encode (cat_034_048.pcap x %d): %lu records in %.3f s = "
           "%.2f M records/s\n",
           GENERIC_PASSES, records, dt, (double)records / dt / 1e6);
}

int main(void)
{
    bench_cat062();
    bench_cat048();
    bench_generic();
    return 0;
}
