/*
 * adsb.c — the ADS-B extended squitter ME field (DF17, DF18 in ADS-B
 * format, DF19 AF 0): identification, surface and airborne position,
 * airborne velocity, aircraft status (emergency, TCAS RA), target state and
 * status, operational status; and the CPR position pipeline with its
 * plausibility checks.
 *
 * Key idea: the ME field is 56 bits whose first 5 bits (type code, TC) say
 * which layout the rest has. Everything here is a table of bit fields; the
 * only state is the aircraft's CPR halves and last position in the context:
 *
 *   position message ─► store even/odd half ─► other half within 10 s? ─► global
 *                                   │ no                                   │
 *                                   ▼                                      ▼
 *                 last position < 300 s old ─► local vs it     range / speed checks
 *                 else receiver (if max range ≤ half a zone) ─► local ─┘  (reject + count)
 *
 * NIC is derived from the TC and the NIC supplements (A and C from the
 * aircraft's operational status, B from the position message) the way
 * readsb does (DO-260B Table 2-14 / 2-70 / 2-71).
 *
 * References: RTCA DO-260B (2009) §2.2.3.2.3-2.2.3.2.7 (formats: TC 1-4
 * §2.2.3.2.5, TC 5-8 §2.2.3.2.4, TC 9-22 §2.2.3.2.3, TC 19 §2.2.3.2.6,
 * TC 28 §2.2.3.2.7.8, TC 29 §2.2.3.2.7.1, TC 31 §2.2.3.2.7.2), ICAO Doc 9871
 * (2nd ed.) Appendix C, Annex 10 Vol IV §4.3.8.4.2.2 (ACAS RA fields).
 */
#include <math.h>
#include <string.h>

#include "base/error.h"
#include "decode/modes/modes.h"
#include "decode/modes/modes_int.h"

#define CPR_PAIR_AIR_S  10.0 /* max gap of an even/odd pair, airborne (Doc 9871 C.2.6.10) */
#define CPR_PAIR_SURF_S 25.0 /* surface: slower movement, longer window (DO-260B A.1.7.7) */
#define LOCAL_AC_AIR_S                                                                             \
    300.0                     /* local vs last position: at 600 kt an aircraft moves               \
                                 50 NM in 300 s, well inside half a zone (~180 NM) */
#define LOCAL_AC_SURF_S 60.0  /* surface half zone is 45 NM; taxi speeds are low */
#define REF_SURF_S      600.0 /* last position still good to pick a surface quadrant */
#define HALF_ZONE_NM                                                                               \
    180.0                      /* half an airborne CPR zone: local decoding vs the                 \
                                  receiver is unambiguous only within this range */
#define HALF_ZONE_SURF_NM 45.0 /* the same for surface zones (a quarter of the size) */
#define SPEED_SLACK_NM                                                                             \
    1.0 /* added to max_speed*dt: CPR quantisation (5 m),                                          \
           1-s timestamp resolution (0.3 NM at 1000 kt) */
#define SPEED_RESET_FAILS                                                                          \
    4 /* after this many consecutive speed rejections a                                            \
         global position replaces the (probably wrong) last one */

/* DO-260B Table 2-14 etc., as readsb compute_nic(). */
static uint8_t adsb_nic(unsigned tc, unsigned version, unsigned nic_a, unsigned nic_b,
                        unsigned nic_c)
{
    switch (tc) {
    case 5:
    case 9:
    case 20:
        return 11;
    case 6:
    case 10:
    case 21:
        return 10;
    case 7:
        if (version == 2)
            return (nic_a && !nic_c) ? 9 : 8;
        if (version == 1)
            return nic_a ? 9 : 8;
        return 8;
    case 8:
        if (version == 2) {
            if (nic_a && nic_c)
                return 7;
            if (nic_a || nic_c)
                return 6;
        }
        return 0;
    case 11:
        if (version == 2)
            return (nic_a && nic_b) ? 9 : 8;
        if (version == 1)
            return nic_a ? 9 : 8;
        return 8;
    case 12:
        return 7;
    case 13:
        return 6;
    case 14:
        return 5;
    case 15:
        return 4;
    case 16:
        return (nic_a && nic_b) ? 3 : 2;
    case 17:
        return 1;
    default:
        return 0;
    }
}

/* Surface movement code to kt: the LOWER bound of each quantisation band
 * (DO-260B Table 2-13). 0 = no information (-1), 125-127 reserved (-1). */
static double surface_speed_kt(unsigned mov)
{
    if (mov == 0 || mov > 124)
        return -1.0;
    if (mov == 1)
        return 0.0; /* stopped, < 0.125 kt */
    if (mov == 2)
        return 0.125; /* 0.125 .. 0.25 kt */
    if (mov <= 8)
        return 0.25 + (mov - 3) * 0.125; /* 0.125-kt steps */
    if (mov <= 12)
        return 1.0 + (mov - 9) * 0.25; /* 0.25-kt steps */
    if (mov <= 38)
        return 2.0 + (mov - 13) * 0.5; /* 0.5-kt steps */
    if (mov <= 93)
        return 15.0 + (mov - 39) * 1.0; /* 1-kt steps */
    if (mov <= 108)
        return 70.0 + (mov - 94) * 2.0; /* 2-kt steps */
    if (mov <= 123)
        return 100.0 + (mov - 109) * 5.0; /* 5-kt steps */
    return 175.0;                         /* 124: 175 kt or more */
}

static int reject_speed(struct modes_ctx *ctx, struct modes_ac *ac, double lat, double lon,
                        double t_s, int global)
{
    if (!ac->has_pos || ctx->opts.max_speed_kt <= 0)
        return 0;
    double dt = fabs(t_s - ac->t_pos_s);
    double d = modes_dist_nm(ac->lat_deg, ac->lon_deg, lat, lon);
    if (d <= ctx->opts.max_speed_kt * dt / 3600.0 + SPEED_SLACK_NM) {
        ac->speed_fails = 0;
        return 0;
    }
    if (global && ++ac->speed_fails >= SPEED_RESET_FAILS) {
        ac->speed_fails = 0; /* the old fix was the odd one out */
        return 0;
    }
    return 1;
}

static void adsb_position(struct modes_ctx *ctx, struct modes_msg *m, struct modes_ac *ac)
{
    struct modes_stats *st = &ctx->stats;
    const struct modes_opts *o = &ctx->opts;
    if (!ac) /* untrusted message: never feeds or uses the CPR state */
        return;
    int odd = m->cpr_odd, surface = m->cpr_surface;
    double t = m->t_s;
    struct modes_cpr_half *me = &ac->cpr[odd], *other = &ac->cpr[!odd];
    me->lat17 = m->cpr_lat;
    me->lon17 = m->cpr_lon;
    me->t_s = t;
    me->valid = 1;
    me->surface = (uint8_t)surface;

    /* a reference for the surface quadrant / southern hemisphere */
    int have_ref = 0;
    double ref_lat = 0, ref_lon = 0;
    if (ac->has_pos && fabs(t - ac->t_pos_s) <= REF_SURF_S) {
        have_ref = 1;
        ref_lat = ac->lat_deg;
        ref_lon = ac->lon_deg;
    } else if (o->have_receiver) {
        have_ref = 1;
        ref_lat = o->rx_lat_deg;
        ref_lon = o->rx_lon_deg;
    }

    double lat = 0, lon = 0;
    int src = MODES_POS_NONE;
    double window = surface ? CPR_PAIR_SURF_S : CPR_PAIR_AIR_S;
    if (other->valid && other->surface == surface && fabs(t - other->t_s) <= window &&
        (!surface || have_ref)) {
        const struct modes_cpr_half *e = odd ? other : me, *d = odd ? me : other;
        if (modes_cpr_global(e->lat17, e->lon17, d->lat17, d->lon17, odd, surface, ref_lat, ref_lon,
                             &lat, &lon) == 0)
            src = MODES_POS_GLOBAL;
        else
            st->cpr_zone++;
    }
    if (src == MODES_POS_NONE) {
        double lim = surface ? LOCAL_AC_SURF_S : LOCAL_AC_AIR_S;
        if (ac->has_pos && ac->pos_surface == surface && fabs(t - ac->t_pos_s) <= lim) {
            if (modes_cpr_local(m->cpr_lat, m->cpr_lon, odd, surface, ac->lat_deg, ac->lon_deg,
                                &lat, &lon) == 0)
                src = MODES_POS_LOCAL_AC;
        } else if (o->have_receiver && o->max_range_nm > 0 &&
                   o->max_range_nm <= (surface ? HALF_ZONE_SURF_NM : HALF_ZONE_NM)) {
            if (modes_cpr_local(m->cpr_lat, m->cpr_lon, odd, surface, o->rx_lat_deg, o->rx_lon_deg,
                                &lat, &lon) == 0)
                src = MODES_POS_LOCAL_RX;
        }
    }
    if (src == MODES_POS_NONE) {
        st->cpr_fail++;
        return;
    }
    if (o->have_receiver && o->max_range_nm > 0 &&
        modes_dist_nm(o->rx_lat_deg, o->rx_lon_deg, lat, lon) > o->max_range_nm) {
        st->cpr_range++;
        st->cpr_fail++;
        return;
    }
    if (reject_speed(ctx, ac, lat, lon, t, src == MODES_POS_GLOBAL)) {
        st->cpr_speed++;
        st->cpr_fail++;
        return;
    }
    if (src == MODES_POS_GLOBAL)
        st->cpr_global++;
    else
        st->cpr_local++;
    m->lat_deg = lat;
    m->lon_deg = lon;
    m->pos_src = (uint8_t)src;
    m->pos_nac_p = ac->nac_p;
    m->has |= MH_POS;
    ac->lat_deg = lat;
    ac->lon_deg = lon;
    ac->t_pos_s = t;
    ac->has_pos = 1;
    ac->pos_surface = (uint8_t)surface;
}

static void adsb_ident(struct modes_msg *m, uint64_t me, unsigned tc)
{
    /* category set: TC 4 = A, 3 = B, 2 = C, 1 = D (DO-260B §2.2.3.2.5.2) */
    m->category = (uint8_t)((0xE - tc) << 4 | me_bits(me, 6, 3));
    m->has |= MH_CATEGORY;
    modes_callsign(me, 9, m->callsign);
    m->has |= MH_CALLSIGN;
}

static void adsb_velocity(struct modes_msg *m, uint64_t me)
{
    unsigned st = m->st;
    if (st < 1 || st > 4)
        return;
    m->nac_v = (uint8_t)me_bits(me, 11, 3);
    m->has |= MH_NAC_V;
    if (st <= 2) {
        /* ground speed: E-W and N-S components, value - 1 kt (x4 supersonic) */
        unsigned vew = me_bits(me, 15, 10), vns = me_bits(me, 26, 10);
        if (vew && vns) {
            double k = st == 2 ? 4.0 : 1.0;
            double ve = (vew - 1) * k * (me_bits(me, 14, 1) ? -1.0 : 1.0);
            double vn = (vns - 1) * k * (me_bits(me, 25, 1) ? -1.0 : 1.0);
            m->gs_kt = (float)sqrt(ve * ve + vn * vn);
            double trk = atan2(ve, vn) * 180.0 / M_PI;
            if (trk < 0)
                trk += 360.0;
            m->track_deg = (float)trk;
            m->has |= MH_GS | MH_TRACK;
        }
        m->supersonic = st == 2;
    } else {
        /* airspeed and heading (used when no GNSS velocity is available) */
        if (me_bits(me, 14, 1)) {
            m->heading_deg = (float)(me_bits(me, 15, 10) * 360.0 / 1024.0);
            m->heading_true = 0; /* magnetic unless TC31 HRD says true */
            m->has |= MH_HEADING;
        }
        unsigned as = me_bits(me, 26, 10);
        if (as) {
            unsigned v = (as - 1) * (st == 4 ? 4u : 1u);
            if (me_bits(me, 25, 1)) {
                m->tas_kt = (uint16_t)v;
                m->has |= MH_TAS;
            } else {
                m->ias_kt = (uint16_t)v;
                m->has |= MH_IAS;
            }
        }
        m->supersonic = st == 4;
    }
    unsigned vr = me_bits(me, 38, 9);
    if (vr) {
        m->vrate_fpm = (int32_t)(vr - 1) * 64 * (me_bits(me, 37, 1) ? -1 : 1);
        m->vrate_geom = me_bits(me, 36, 1) == 0; /* 0 = GNSS, 1 = baro */
        m->has |= MH_VRATE;
    }
    unsigned dalt = me_bits(me, 50, 7);
    if (dalt) {
        m->geom_minus_baro_ft = (int32_t)(dalt - 1) * 25 * (me_bits(me, 49, 1) ? -1 : 1);
        m->has |= MH_GEOM_DIFF;
    }
}

static void adsb_target_state(struct modes_msg *m, uint64_t me)
{
    if (m->st != 1)
        return; /* st 0 is the DO-260A (version 1) layout: not decoded */
    m->sil_per_sample = (uint8_t)me_bits(me, 8, 1);
    m->has |= MH_SIL_SUPP;
    unsigned alt = me_bits(me, 10, 11);
    if (alt) {
        int32_t ft = (int32_t)(alt - 1) * 32; /* 32-ft steps */
        if (me_bits(me, 9, 1)) {
            m->sel_alt_fms_ft = ft;
            m->has |= MH_SEL_ALT_FMS;
        } else {
            m->sel_alt_mcp_ft = ft;
            m->has |= MH_SEL_ALT_MCP;
        }
    }
    unsigned baro = me_bits(me, 21, 9);
    if (baro) {
        m->baro_hpa = (float)(800.0 + (baro - 1) * 0.8); /* 0.8-hPa steps from 800 */
        m->has |= MH_BARO_SET;
    }
    if (me_bits(me, 30, 1)) {
        m->sel_heading_deg = (float)(me_bits(me, 31, 9) * 180.0 / 256.0);
        m->has |= MH_SEL_HEADING;
    }
    m->nac_p = (uint8_t)me_bits(me, 40, 4);
    m->nic_baro = (uint8_t)me_bits(me, 44, 1);
    m->sil = (uint8_t)me_bits(me, 45, 2);
    m->has |= MH_NAC_P | MH_NIC_BARO | MH_SIL;
    if (me_bits(me, 47, 1)) {
        uint8_t n = 0;
        n |= me_bits(me, 48, 1) ? MODES_NAV_AUTOPILOT : 0;
        n |= me_bits(me, 49, 1) ? MODES_NAV_VNAV : 0;
        n |= me_bits(me, 50, 1) ? MODES_NAV_ALT_HOLD : 0;
        n |= me_bits(me, 52, 1) ? MODES_NAV_APPROACH : 0;
        n |= me_bits(me, 54, 1) ? MODES_NAV_LNAV : 0;
        m->nav_modes = n;
        m->has |= MH_NAV_MODES;
    }
    /* TCAS operational (bit 53) is reported even without the mode bits */
    if (me_bits(me, 53, 1))
        m->nav_modes |= MODES_NAV_TCAS;
}

static void adsb_opstatus(struct modes_msg *m, uint64_t me, struct modes_ac *ac)
{
    if (m->st > 1)
        return;
    m->version = (uint8_t)me_bits(me, 41, 3);
    m->has |= MH_VERSION;
    if (ac)
        ac->version = m->version;
    if (m->version == 0 || m->version > 2)
        return; /* version 0 has no accuracy fields here */
    m->nic_a = (uint8_t)me_bits(me, 44, 1);
    m->nac_p = (uint8_t)me_bits(me, 45, 4);
    m->sil = (uint8_t)me_bits(me, 51, 2);
    m->has |= MH_NAC_P | MH_SIL;
    if (m->st == 0) {
        m->gva = (uint8_t)me_bits(me, 49, 2);
        m->nic_baro = (uint8_t)me_bits(me, 53, 1);
        m->has |= MH_NIC_BARO | (m->version == 2 ? MH_GVA : 0);
    } else {
        m->nic_c = (uint8_t)me_bits(me, 20, 1); /* last bit of the surface CC */
    }
    if (m->version == 2) {
        m->sil_per_sample = (uint8_t)me_bits(me, 55, 1);
        m->has |= MH_SIL_SUPP;
    }
    if (ac) {
        ac->nic_a = m->nic_a;
        if (m->st == 1)
            ac->nic_c = m->nic_c;
    }
}

void adsb_decode(struct modes_ctx *ctx, struct modes_msg *m, int trusted)
{
    uint64_t me = modes_me56(m->raw);
    unsigned tc = me_bits(me, 1, 5);
    m->tc = (uint8_t)tc;
    m->has |= MH_ADSB;
    m->st = (uint8_t)me_bits(me, 6, 3);
    struct modes_ac *ac = NULL;
    if (trusted) {
        /* non-ICAO (anonymous / TIS-B) addresses get their own key space */
        uint32_t key = m->icao | (m->addr_src == MODES_ADDR_NON_ICAO ? 0x1000000u : 0u);
        ac = modes_ac_get(ctx, key, m->t_s, 1);
        ac->t_seen_s = m->t_s;
    }
    unsigned version = ac && ac->version != 0xFF ? ac->version : 0;

    if (tc == 0) {
        /* no position information; the altitude field may still be set
         * (DO-260B §2.2.3.2.3.1) */
        int32_t alt;
        if (modes_ac12_alt(me_bits(me, 9, 12), &alt) == 0) {
            m->alt_baro_ft = alt;
            m->has |= MH_ALT_BARO;
        }
    } else if (tc >= 1 && tc <= 4) {
        adsb_ident(m, me, tc);
    } else if (tc >= 5 && tc <= 8) {
        m->on_ground = 1;
        m->has |= MH_ON_GROUND;
        double gs = surface_speed_kt(me_bits(me, 6, 7));
        if (gs >= 0) {
            m->gs_kt = (float)gs;
            m->has |= MH_GS;
        }
        if (me_bits(me, 13, 1)) {
            m->track_deg = (float)(me_bits(me, 14, 7) * 360.0 / 128.0);
            m->has |= MH_TRACK;
        }
        m->cpr_odd = (uint8_t)me_bits(me, 22, 1);
        m->cpr_surface = 1;
        m->cpr_lat = me_bits(me, 23, 17);
        m->cpr_lon = me_bits(me, 40, 17);
        m->has |= MH_CPR;
        m->nic = adsb_nic(tc, version, ac ? ac->nic_a : 0, 0, ac ? ac->nic_c : 0);
        m->nuc_p = (uint8_t)(14 - tc); /* TC 5 = NUCp 9 ... TC 8 = 6 (DO-260 Table 2-5) */
        m->has |= MH_NIC | MH_NUC_P;
        adsb_position(ctx, m, ac);
    } else if ((tc >= 9 && tc <= 18) || (tc >= 20 && tc <= 22)) {
        m->ss = (uint8_t)me_bits(me, 6, 2);
        m->nic_b = (uint8_t)me_bits(me, 8, 1);
        m->has |= MH_SURV_STATUS;
        m->st = 0;
        int32_t alt;
        if (modes_ac12_alt(me_bits(me, 9, 12), &alt) == 0) {
            if (tc <= 18) {
                m->alt_baro_ft = alt;
                m->has |= MH_ALT_BARO;
            } else {
                /* GNSS height: DO-260B codes it like the baro field (25 ft,
                 * Q bit), as readsb reads it; pyModeS reads metres. */
                m->alt_geom_ft = alt;
                m->has |= MH_ALT_GEOM;
            }
        }
        m->cpr_odd = (uint8_t)me_bits(me, 22, 1);
        m->cpr_lat = me_bits(me, 23, 17);
        m->cpr_lon = me_bits(me, 40, 17);
        m->has |= MH_CPR;
        m->on_ground = 0;
        m->has |= MH_ON_GROUND;
        m->nic = adsb_nic(tc, version, ac ? ac->nic_a : 0, m->nic_b, 0);
        /* NUCp: TC 9 = 9 ... TC 18 = 0; TC 20 = 9, 21 = 8, 22 = 0 */
        m->nuc_p = (uint8_t)(tc <= 18 ? 18 - tc : (tc == 20 ? 9 : tc == 21 ? 8 : 0));
        m->has |= MH_NIC | MH_NUC_P;
        if (ac && (m->has & MH_ALT_BARO)) {
            ac->alt_baro_ft = m->alt_baro_ft;
            ac->t_alt_s = m->t_s;
            ac->has_alt = 1;
        }
        adsb_position(ctx, m, ac);
    } else if (tc == 19) {
        adsb_velocity(m, me);
        if (ac && (m->has & MH_GS)) {
            ac->gs_kt = m->gs_kt;
            ac->track_deg = m->track_deg;
            ac->t_vel_s = m->t_s;
            ac->has_vel = 1;
        }
    } else if (tc == 28) {
        if (m->st == 1) {
            /* emergency state 0-6 is enum report_emergency; 7 reserved */
            unsigned es = me_bits(me, 9, 3);
            if (es <= EMERG_DOWNED) {
                m->emergency = (uint8_t)es;
                m->has |= MH_EMERGENCY;
            }
            m->squawk = modes_id13_squawk(me_bits(me, 12, 13));
            m->has |= MH_SQUAWK;
        } else if (m->st == 2) {
            modes_decode_ra(m, me, 9);
        }
    } else if (tc == 29) {
        m->st = (uint8_t)me_bits(me, 6, 2);
        adsb_target_state(m, me);
    } else if (tc == 31) {
        adsb_opstatus(m, me, ac);
    }
    /* NACp comes in TC29/31, positions in TC5-22: keep the last one so a
     * position can say how accurate it is (modes_msg.pos_nac_p) */
    if (ac && (m->has & MH_NAC_P))
        ac->nac_p = m->nac_p;
}
