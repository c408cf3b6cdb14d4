/*
 * adapter.c — a decoder's struct report (decode/report.h, docs/report.md)
 * as a tracker measurement (struct trk_meas). Kept small and literal: one
 * line per field, defaults named below.
 *
 * Radar plots: the report keeps the measured slant range and azimuth
 * (REP_HAS_POLAR) and their standard deviations from the sensor table
 * (REP_HAS_POLAR_ACC); they become the plot's polar covariance, its range
 * axis along the line of sight's azimuth at the plot (REP_HAS_LOS_AZ), not
 * the azimuth measured at the radar: the tracker's east/north is the
 * plot's, and the meridians converge by about dlon sin(lat) between the
 * two (6.5 deg at 250 NM east of a radar at 60 N, where the 650 m
 * cross-range error would otherwise put 75 m into a 60 m range axis). The slant
 * range stands in for the ground range in the cross-range term (slightly
 * larger: conservative). A plot without altitude (primary only) was placed
 * by the decoder at a height the sensor table assumes; the true height may
 * be anywhere from the surface to about 12 km, which moves the ground
 * range by (h^2 - h_assumed^2) / (2 rho). Taking h uniform on [0, H], the
 * standard deviation of h^2 / (2 rho) is 0.149 H^2 / rho: that is added to
 * the range noise (430 m at 50 km, 215 m at 100 km), capped at 5 km, and
 * stated apart as sigma_height_m (an offset common to the target's plots,
 * which the filter of a primary-only track leaves out: track.c, apply).
 *
 * trk_note_from_report: a report with an ICAO address and no position
 * (ADS-B identification, status, target state; Mode S replies) as a note
 * for trk_note: only the address, squawk, callsign, emergency and selected
 * altitude are filled.
 */
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "base/error.h"
#include "decode/report.h"
#include "track/track.h"

#define KT_TO_MPS (1852.0 / 3600.0)

/* The largest MMSI (nine digits); trk_ingest refuses larger ones and 0. */
#define MMSI_MAX 999999999u

/* 95 % horizontal bound -> 1 sigma per axis: a circular normal error has
 * 95 % of its mass within 2.45 sigma. */
#define P95_TO_SIGMA (1.0 / 2.45)

/* Defaults when the report states no accuracy, 1 sigma per axis, m.
 * ADS-B: NACp 8 (EPU < 93 m) is what most transponders announce, 93/2.45
 * rounded up to 50 m to leave room for latency. Radar plots without polar
 * data: 100 m, the cross-range error of 0.08 deg at about 40 NM. AIS
 * without the accuracy flag: plain GNSS, 25 m. Polar noise without the
 * sensor's figures: 60 m and 0.08 deg (surveillance.md). ADS-B velocity:
 * NACv 1 (< 10 m/s at 95 %) is 4 m/s. AIS speed over ground: 0.1 kt
 * steps, 1 m/s leaves room for COG noise. */
#define SIGMA_ADSB_M      50.0
#define SIGMA_RADAR_M     100.0
#define SIGMA_AIS_M       25.0
#define SIGMA_OTHER_M     100.0
#define SIGMA_RANGE_M     60.0
#define SIGMA_AZ_DEG      0.08
#define SIGMA_V_ADSB_MPS  4.0
#define SIGMA_V_AIS_MPS   1.0
#define SIGMA_V_OTHER_MPS 5.0

/* Heights a primary-only target may fly at, m (0 to FL390). */
#define PSR_HEIGHT_SPAN_M     12000.0
#define PSR_RANGE_EXTRA_MAX_M 5000.0

/* Sources of a radar plot from I048/020 TYP (plot_type). */
static uint8_t plot_sources(const struct report *r)
{
    bool icao = (r->has & REP_HAS_ICAO) != 0;
    uint8_t sec = TRK_SRC_BIT(icao ? TRK_SOURCE_MODES : TRK_SOURCE_SSR);
    uint8_t psr = TRK_SRC_BIT(TRK_SOURCE_PSR), modes = TRK_SRC_BIT(TRK_SOURCE_MODES);
    if (!(r->has & REP_HAS_PLOT_TYPE))
        return r->kind == REP_PSR ? psr : sec;
    switch (r->plot_type) {
    case PLOT_PSR:
        return psr;
    case PLOT_SSR:
        return sec;
    case PLOT_SSR_PSR:
        return sec | psr;
    case PLOT_MODES_ALLCALL:
    case PLOT_MODES_ROLLCALL:
        return modes;
    case PLOT_MODES_ALLCALL_PSR:
    case PLOT_MODES_ROLLCALL_PSR:
        return modes | psr;
    default:
        return r->kind == REP_PSR ? psr : sec;
    }
}

/* What a report says of who the target is and what it does, without its
 * position: squawk, callsign, emergency, selected altitude (both
 * trk_meas_from_report and trk_note_from_report take these). */
static void copy_identity(const struct report *r, struct trk_meas *m)
{
    if (r->has & REP_HAS_SQUAWK) {
        m->has |= TRK_M_SQUAWK;
        m->squawk = r->squawk;
    }
    if (r->has & REP_HAS_CALLSIGN) {
        m->has |= TRK_M_CALLSIGN;
        memcpy(m->callsign, r->callsign, sizeof m->callsign);
        m->callsign[8] = '\0';
    }
    if (r->has & REP_HAS_EMERGENCY) {
        m->has |= TRK_M_EMERG;
        m->emergency = r->emergency;
    }
    if (r->has & REP_HAS_SEL_ALT) {
        m->has |= TRK_M_SEL_ALT;
        m->sel_alt_ft = r->sel_alt_ft;
    }
}

int trk_meas_from_report(const struct report *r, struct trk_meas *m)
{
    memset(m, 0, sizeof *m);
    if (!(r->has & REP_HAS_POS))
        return CAIRN_E_INVAL;
    double sigma = SIGMA_OTHER_M, sigma_v = SIGMA_V_OTHER_MPS;
    switch (r->kind) {
    case REP_ADSB:
        /* TIS-B is a ground station's track of the aircraft, not the
         * aircraft's own transmission: its own source, which proves no
         * transponder (ADS-R relays the aircraft's own UAT ADS-B) */
        m->src_mask =
            TRK_SRC_BIT(r->derived == REP_DERIVED_TISB ? TRK_SOURCE_TISB : TRK_SOURCE_ADSB);
        m->kind = TRK_KIND_AIRCRAFT;
        sigma = r->derived == REP_DERIVED_TISB ? SIGMA_OTHER_M : SIGMA_ADSB_M;
        sigma_v = SIGMA_V_ADSB_MPS;
        break;
    case REP_MODES:
        /* a Mode S reply to a radar (with its plot type) or heard by a
         * receiver */
        m->src_mask =
            (r->has & REP_HAS_PLOT_TYPE) ? plot_sources(r) : TRK_SRC_BIT(TRK_SOURCE_MODES);
        m->kind = TRK_KIND_AIRCRAFT;
        sigma = SIGMA_RADAR_M;
        break;
    case REP_MODEAC:
        m->src_mask = TRK_SRC_BIT(TRK_SOURCE_SSR);
        m->kind = TRK_KIND_AIRCRAFT;
        sigma = SIGMA_RADAR_M;
        break;
    case REP_PSR:
    case REP_SSR:
        m->src_mask = plot_sources(r);
        /* a transponder answered: an aircraft; a primary echo: anything */
        m->kind = (m->src_mask & TRK_SRC_COOPERATIVE) ? TRK_KIND_AIRCRAFT : TRK_KIND_UNKNOWN;
        sigma = SIGMA_RADAR_M;
        break;
    case REP_SYSTRACK:
        m->src_mask = TRK_SRC_BIT(TRK_SOURCE_SDPS);
        m->kind = (r->has & REP_HAS_MMSI) ? TRK_KIND_VESSEL : TRK_KIND_AIRCRAFT;
        /* the other tracker says primary radar only (I062/080 SDS = 2): no
         * transponder behind it (T8 counts it), an aircraft or anything */
        if ((r->has & REP_HAS_TRK_STATUS) && (r->trk_status & TRK_NON_COOPERATIVE)) {
            m->src_mask = TRK_SRC_BIT(TRK_SOURCE_PSR);
            m->kind = TRK_KIND_UNKNOWN;
        }
        if ((r->has & REP_HAS_VEL_ACC) && isfinite(r->vel_sigma_mps) && r->vel_sigma_mps > 0.0f)
            sigma_v = r->vel_sigma_mps;
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
    if ((r->has & REP_HAS_POLAR) && (m->src_mask & TRK_SRC_RADAR) && isfinite(r->slant_range_m) &&
        r->slant_range_m > 0.0) {
        double sr = SIGMA_RANGE_M, sa = SIGMA_AZ_DEG;
        if ((r->has & REP_HAS_POLAR_ACC) && isfinite(r->range_sigma_m) && r->range_sigma_m > 0.0f &&
            isfinite(r->azimuth_sigma_deg) && r->azimuth_sigma_deg > 0.0f) {
            sr = r->range_sigma_m;
            sa = r->azimuth_sigma_deg;
        }
        if (!(r->has & REP_HAS_ALT_BARO)) {
            double extra = 0.149 * PSR_HEIGHT_SPAN_M * PSR_HEIGHT_SPAN_M / r->slant_range_m;
            m->sigma_height_m = fmin(extra, PSR_RANGE_EXTRA_MAX_M);
            sr = hypot(sr, m->sigma_height_m);
        }
        m->has |= TRK_M_POLAR;
        m->range_m = r->slant_range_m;
        /* the ellipse's range axis at the plot; a producer that does not
         * know the site leaves the measured azimuth, right near the radar */
        m->az_deg = (r->has & REP_HAS_LOS_AZ) ? r->los_azimuth_deg : r->azimuth_deg;
        m->sigma_range_m = sr;
        m->sigma_az_deg = sa;
    }
    if (r->has & REP_HAS_ICAO) {
        m->has |= TRK_M_ICAO;
        m->icao = r->icao;
    }
    copy_identity(r, m);
    /* MMSI 0 (a transponder never configured) and values past
     * 999,999,999 (the field has 30 bits) name no vessel: the position
     * stands without an identity (the tracker refuses such an MMSI, and
     * with it the whole measurement) */
    if ((r->has & REP_HAS_MMSI) && r->mmsi >= 1 && r->mmsi <= MMSI_MAX) {
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
    if (r->has & REP_HAS_GROUND) {
        m->has |= TRK_M_GROUND;
        m->on_ground = r->on_ground;
    }
    return 0;
}

int trk_note_from_report(const struct report *r, struct trk_meas *m)
{
    memset(m, 0, sizeof *m);
    if (!(r->has & REP_HAS_ICAO))
        return CAIRN_E_INVAL;
    switch (r->kind) {
    case REP_ADSB:
        m->src_mask = TRK_SRC_BIT(TRK_SOURCE_ADSB);
        break;
    case REP_MODES:
        m->src_mask = TRK_SRC_BIT(TRK_SOURCE_MODES);
        break;
    case REP_SSR:
        m->src_mask = plot_sources(r);
        break;
    case REP_SYSTRACK:
        m->src_mask = TRK_SRC_BIT(TRK_SOURCE_SDPS);
        break;
    default: /* AIS, primary plots, Mode A/C: no ICAO address to go by */
        return CAIRN_E_INVAL;
    }
    m->kind = TRK_KIND_AIRCRAFT;
    m->t_ms = r->t_ms;
    m->sensor_id = r->sensor_id;
    m->has = TRK_M_ICAO;
    m->icao = r->icao;
    copy_identity(r, m);
    return m->has == TRK_M_ICAO ? CAIRN_E_INVAL : 0;
}
