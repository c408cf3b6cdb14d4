/*
 * adapter.c — a decoder's struct report (decode/report.h) as a tracker
 * measurement (struct trk_meas). Kept small and literal: one line per
 * field, defaults named below.
 */
#include <math.h>
#include <string.h>

#include "base/error.h"
#include "decode/report.h"
#include "track/track.h"

#define KT_TO_MPS (1852.0 / 3600.0)

/* 95 % horizontal bound -> 1 sigma per axis: a circular normal error has
 * 95 % of its mass within 2.45 sigma. */
#define P95_TO_SIGMA (1.0 / 2.45)

/* Defaults when the report states no accuracy, 1 sigma per axis, m.
 * ADS-B: NACp 8 (EPU < 93 m) is what most transponders announce, 93/2.45
 * rounded up to 50 m to leave room for latency. Radar plots carry no polar
 * noise in this report version: 100 m is the cross-range error of 0.08 deg
 * at about 40 NM, a mid-range figure. AIS without the accuracy flag: plain
 * GNSS, 25 m. ADS-B velocity: NACv 1 (< 10 m/s at 95 %) is 4 m/s. AIS
 * speed over ground: 0.1 kt steps, 1 m/s leaves room for COG noise. */
#define SIGMA_ADSB_M      50.0
#define SIGMA_RADAR_M     100.0
#define SIGMA_AIS_M       25.0
#define SIGMA_OTHER_M     100.0
#define SIGMA_V_ADSB_MPS  4.0
#define SIGMA_V_AIS_MPS   1.0
#define SIGMA_V_OTHER_MPS 5.0

int trk_meas_from_report(const struct report *r, struct trk_meas *m)
{
    memset(m, 0, sizeof *m);
    if (!(r->has & REP_HAS_POS))
        return CAIRN_E_INVAL;
    double sigma = SIGMA_OTHER_M, sigma_v = SIGMA_V_OTHER_MPS;
    switch (r->kind) {
    case REP_ADSB:
        m->src_mask = TRK_SRC_BIT(TRK_SOURCE_ADSB);
        m->kind = TRK_KIND_AIRCRAFT;
        sigma = SIGMA_ADSB_M;
        sigma_v = SIGMA_V_ADSB_MPS;
        break;
    case REP_MODES:
        m->src_mask = TRK_SRC_BIT(TRK_SOURCE_MODES);
        m->kind = TRK_KIND_AIRCRAFT;
        sigma = SIGMA_RADAR_M;
        break;
    case REP_MODEAC:
        m->src_mask = TRK_SRC_BIT(TRK_SOURCE_SSR);
        m->kind = TRK_KIND_AIRCRAFT;
        sigma = SIGMA_RADAR_M;
        break;
    case REP_PSR:
        m->src_mask = TRK_SRC_BIT(TRK_SOURCE_PSR);
        m->kind = TRK_KIND_UNKNOWN;
        sigma = SIGMA_RADAR_M;
        break;
    case REP_SSR:
        m->src_mask = TRK_SRC_BIT((r->has & REP_HAS_ICAO) ? TRK_SOURCE_MODES : TRK_SOURCE_SSR);
        m->kind = TRK_KIND_AIRCRAFT;
        sigma = SIGMA_RADAR_M;
        break;
    case REP_SYSTRACK:
        m->src_mask = TRK_SRC_BIT(TRK_SOURCE_SDPS);
        m->kind = (r->has & REP_HAS_MMSI) ? TRK_KIND_VESSEL : TRK_KIND_AIRCRAFT;
        break;
    case REP_AIS:
        m->src_mask = TRK_SRC_BIT(TRK_SOURCE_AIS);
        m->kind = TRK_KIND_VESSEL;
        sigma = SIGMA_AIS_M;
        sigma_v = SIGMA_V_AIS_MPS;
        break;
    default:
        return CAIRN_E_INVAL;
    }
    if ((r->has & REP_HAS_POS_ACC) && isfinite(r->pos_acc_m) && r->pos_acc_m > 0.0f)
        sigma = fmax((double)r->pos_acc_m * P95_TO_SIGMA, 3.0);
    m->t_ms = r->t_ms;
    m->sensor_id = r->sensor_id;
    m->lat_deg = r->lat_deg;
    m->lon_deg = r->lon_deg;
    m->sigma_m = sigma;
    if (r->has & REP_HAS_ICAO) {
        m->has |= TRK_M_ICAO;
        m->icao = r->icao;
    }
    if (r->has & REP_HAS_SQUAWK) {
        m->has |= TRK_M_SQUAWK;
        m->squawk = r->squawk;
    }
    if (r->has & REP_HAS_CALLSIGN) {
        m->has |= TRK_M_CALLSIGN;
        memcpy(m->callsign, r->callsign, sizeof m->callsign);
        m->callsign[8] = '\0';
    }
    if (r->has & REP_HAS_MMSI) {
        m->has |= TRK_M_MMSI;
        m->mmsi = r->mmsi;
    }
    if (r->has & REP_HAS_TRACKNO) {
        m->has |= TRK_M_TRACKNO;
        m->track_no = r->track_no;
    }
    if (r->has & REP_HAS_ALT_BARO) {
        m->has |= TRK_M_ALT;
        m->alt_ft = r->alt_baro_ft;
    }
    if ((r->has & REP_HAS_GS) && (r->has & REP_HAS_TRACK)) {
        double gs = (double)r->gs_kt * KT_TO_MPS, trk = (double)r->track_deg * (M_PI / 180.0);
        m->has |= TRK_M_VEL;
        m->ve_mps = gs * sin(trk);
        m->vn_mps = gs * cos(trk);
        m->sigma_v_mps = sigma_v;
    }
    if (r->has & REP_HAS_VRATE) {
        m->has |= TRK_M_VRATE;
        m->vrate_fpm = r->vrate_fpm;
    }
    if (r->has & REP_HAS_EMERGENCY) {
        m->has |= TRK_M_EMERG;
        m->emergency = r->emergency;
    }
    if (r->has & REP_HAS_GROUND) {
        m->has |= TRK_M_GROUND;
        m->on_ground = r->on_ground;
    }
    return 0;
}
