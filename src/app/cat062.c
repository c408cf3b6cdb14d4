/*
 * cat062.c — tracks as CAT062 records, and a peer's CAT062 read back
 * (cat062.h).
 */
#include "app/cat062.h"

#include <math.h>
#include <string.h>

#include "base/error.h"
#include "decode/asterix/asterix.h"
#include "decode/asterix/encode.h"
#include "decode/asterix/report.h"
#include "decode/asterix/typed.h"
#include "track/track.h"

/* I062/105's LSB: 180/2^25 deg, exact in binary (45/2^23), so a value
 * rounded to it here is the value the decoder computes from the raw. */
#define LSB_105_DEG (180.0 / 33554432.0)

void app_c62_quantise(double lat_deg, double lon_deg, double *qlat_deg, double *qlon_deg)
{
    double lon = lon_deg >= 180.0 ? lon_deg - 360.0 : lon_deg; /* as ax62_encode */
    *qlat_deg = nearbyint(lat_deg / LSB_105_DEG) * LSB_105_DEG;
    *qlon_deg = nearbyint(lon / LSB_105_DEG) * LSB_105_DEG;
}

static double tod_s(int64_t t_ms)
{
    int64_t day = t_ms % 86400000;
    if (day < 0)
        day += 86400000;
    return (double)day / 1000.0;
}

int app_c62_record(const struct trk_track *t, uint8_t sac, uint8_t sic, uint8_t *out, size_t cap)
{
    if (!isfinite(t->lat_deg) || !isfinite(t->lon_deg) || fabs(t->lat_deg) > 90.0 ||
        fabs(t->lon_deg) > 180.0)
        return CAIRN_E_INVAL;
    struct ax62_track r;
    memset(&r, 0, sizeof r);
    r.sac = sac;
    r.sic = sic;
    r.has_service_id = 1;
    r.service_id = APP_C62_SERVICE;
    r.tot_s = tod_s(t->t_state_ms);
    if (r.tot_s >= 86400.0 - 1.0 / 256.0) /* would round up to 86400: the LSB's last value */
        r.tot_s = 86400.0 - 1.0 / 128.0;
    r.has_wgs84 = 1;
    app_c62_quantise(t->lat_deg, t->lon_deg, &r.lat_deg, &r.lon_deg);
    /* I185 holds -8192..8191.75 m/s: anything faster is not an aircraft */
    if (isfinite(t->ve_mps) && isfinite(t->vn_mps) && fabs(t->ve_mps) < 8000.0 &&
        fabs(t->vn_mps) < 8000.0) {
        r.has_velocity = 1;
        r.vx_mps = t->ve_mps;
        r.vy_mps = t->vn_mps;
    }
    if (t->ids & TRK_ID_SQUAWK) {
        r.has_mode3a = 1;
        r.mode3a = t->squawk & 07777;
    }
    if (t->ids & TRK_ID_CALLSIGN) {
        size_t k = 0;
        for (size_t i = 0; i < sizeof t->callsign && t->callsign[i] && k < 8; i++) {
            char ch = t->callsign[i];
            if ((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == ' ')
                r.callsign[k++] = ch;
        }
        r.callsign[k] = 0;
        r.has_callsign = k > 0;
    }
    if (t->ids & TRK_ID_ICAO) {
        r.has_icao24 = 1;
        r.icao24 = t->icao & 0xFFFFFFu;
    }
    r.track_number = (uint16_t)(t->id & 0xFFFFu);
    r.monosensor = t->n_sensors == 1;
    r.tentative = t->status == TRK_ST_TENTATIVE;
    r.coasting = t->status == TRK_ST_COASTING;
    /* SDS: the transponder verdict, else what fed the track so far (a
     * primary-only track is non-cooperative before the verdict too, so the
     * receiver never takes it for a transponder) */
    int coop = 0;
    for (int k = 0; k < TRK_SOURCE_N; k++)
        if ((TRK_SRC_COOPERATIVE & TRK_SRC_BIT(k)) && t->last_src_ms[k])
            coop = 1;
    int psr = t->last_src_ms[TRK_SOURCE_PSR] != 0;
    r.sds = t->transponder == TRK_TRI_YES  ? AX62_SDS_COOPERATIVE
            : t->transponder == TRK_TRI_NO ? AX62_SDS_NON_COOPERATIVE
            : coop                         ? AX62_SDS_COOPERATIVE
            : psr                          ? AX62_SDS_NON_COOPERATIVE
                                           : AX62_SDS_COMBINED;
    if (t->emergency <= AX62_EMS_DOWNED)
        r.ems = t->emergency;
    if ((t->flags & TRK_F_ALT) && t->alt_ft >= -1500 && t->alt_ft <= 150000) {
        r.has_fl = 1;
        r.alt_fl = t->alt_ft / 100.0;
        if (isfinite(t->vrate_fpm) && fabs(t->vrate_fpm) < 200000.0) {
            r.has_vrate = 1;
            r.vrate_fpm = t->vrate_fpm;
        }
    }
    return ax62_encode(&r, out, cap);
}

int app_c65_end_of_batch(struct ax_block_writer *w, uint8_t sac, uint8_t sic, uint8_t batch,
                         int64_t now_ms)
{
    struct ax65_status s;
    memset(&s, 0, sizeof s);
    s.sac = sac;
    s.sic = sic;
    s.type = AX65_END_OF_BATCH;
    s.service_id = APP_C62_SERVICE;
    s.tod_s = tod_s(now_ms);
    if (s.tod_s >= 86400.0 - 1.0 / 256.0)
        s.tod_s = 86400.0 - 1.0 / 128.0;
    s.has_batch = 1;
    s.batch = batch;
    uint8_t rec[AX_TYPED_MAX_RECORD];
    int n = ax65_encode(&s, rec, sizeof rec);
    if (n <= 0)
        return n < 0 ? n : CAIRN_E_FULL;
    return ax_bw_add(w, 65, rec, (size_t)n);
}

size_t app_c62_read(const uint8_t *p, size_t len, int64_t ref_utc_ms, size_t max_records,
                    app_c62_fn fn, void *arg, struct app_c62_read_stats *st)
{
    struct ax_report_ctx axr;
    ax_report_init(&axr, NULL, 0);
    axr.ref_utc_ms = ref_utc_ms;
    size_t off = 0, n_out = 0, n_rec = 0;
    struct ax_block b;
    struct ax_error e;
    static struct ax_record r; /* large; the loop's thread only */
    int rc;
    while (n_rec < max_records && (rc = ax_block_next(p, len, &off, &b, &e, NULL)) != 0) {
        if (rc < 0) { /* a bad LEN: no way to resynchronise */
            st->bad_blocks++;
            break;
        }
        if ((b.cat != 62 && b.cat != 65) || ax_block_open(&b, NULL, &e, NULL) < 0) {
            st->bad_blocks++;
            continue;
        }
        while (n_rec < max_records && (rc = ax_block_record(&b, &r, &e, NULL)) == 1) {
            n_rec++;
            st->records++;
            if (b.cat == 65) {
                st->end_batch++;
                continue;
            }
            struct report rep;
            struct ax_scan_event scan;
            memset(&rep, 0, sizeof rep);
            if (ax_record_report(&axr, &r, &rep, &scan) != AX_OUT_REPORT ||
                !(rep.has & REP_HAS_POS)) {
                st->bad_records++;
                continue;
            }
            st->tracks++;
            n_out++;
            if (fn(arg, &rep))
                return n_out;
        }
        if (rc < 0)
            st->bad_records++;
    }
    return n_out;
}
