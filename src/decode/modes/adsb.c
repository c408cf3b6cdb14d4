/*
 * adsb.c — the ADS-B extended squitter ME field (DF17, DF18 in ADS-B
 * format, DF19 AF 0): identification, surface and airborne position,
 * airborne velocity, aircraft status (emergency, TCAS RA), target state and
 * status (versions 1 and 2), operational status (with the heading
 * reference HRD, applied to later headings); fine TIS-B and ADS-R (DF18 CF
 * 2/5/6, the same layouts with an IMF bit) and the TIS-B coarse format (CF
 * 3); and the CPR position pipeline with its plausibility checks.
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
 * (2nd ed.) Appendix C, Annex 10 Vol IV §4.3.8.4.2.2 (ACAS RA fields);
 * DO-260B §2.2.17 (TIS-B and ADS-R: DF18 CF, IMF), DO-260A §2.2.3.2.7.1
 * (TC29 version 1) and §2.2.17.3.5 (TIS-B coarse position).
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

/* lat17/lon17: the message's CPR fields as 17-bit values (a coarse TIS-B
 * message's 12-bit fields shifted left by 5: CPR decodes YZ / 2^Nb, so
 * YZ12 / 2^12 = (YZ12 << 5) / 2^17 exactly). */
static void adsb_position(struct modes_ctx *ctx, struct modes_msg *m, struct modes_ac *ac,
                          uint32_t lat17, uint32_t lon17)
{
    struct modes_stats *st = &ctx->stats;
    const struct modes_opts *o = &ctx->opts;
    if (!ac) /* untrusted message: never feeds or uses the CPR state */
        return;
    int odd = m->cpr_odd, surface = m->cpr_surface;
    double t = m->t_s;
    struct modes_cpr_half *me = &ac->cpr[odd], *other = &ac->cpr[!odd];
    me->lat17 = lat17;
    me->lon17 = lon17;
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
            if (modes_cpr_local(lat17, lon17, odd, surface, ac->lat_deg, ac->lon_deg, &lat, &lon) ==
                0)
                src = MODES_POS_LOCAL_AC;
        } else if (o->have_receiver && o->max_range_nm > 0 &&
                   o->max_range_nm <= (surface ? HALF_ZONE_SURF_NM : HALF_ZONE_NM)) {
            if (modes_cpr_local(lat17, lon17, odd, surface, o->rx_lat_deg, o->rx_lon_deg, &lat,
                                &lon) == 0)
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

/* The heading reference of the aircraft's last TC31 (HRD), if any: headings
 * are magnetic unless it said true north (DO-260B §2.2.3.2.7.2.13). */
static void apply_hrd(struct modes_msg *m, const struct modes_ac *ac, uint8_t *is_true)
{
    m->hrd_known = ac && ac->hrd != 0;
    *is_true = ac && ac->hrd == 1;
}

static void adsb_velocity(struct modes_msg *m, uint64_t me, const struct modes_ac *ac)
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
            apply_hrd(m, ac, &m->heading_true); /* magnetic unless TC31 HRD says true */
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

/*
 * TC29 subtype 0: the DO-260A (ADS-B version 1) layout (DO-260A
 * §2.2.3.2.7.1, Doc 9871 2nd ed. §B.2.3.9, Table B-2-98):
 *   8-9 vertical data source   10 altitude type   11 backward compatibility (0)
 *   12-13 altitude capability  14-15 vertical mode  16-25 target altitude
 *   26-27 horizontal data source  28-36 target heading/track  37 heading/track
 *   38-39 horizontal mode  40-43 NACp  44 NIC baro  45-46 SIL  47-51 reserved
 *   (51 is the IMF of TIS-B/ADS-R)  52 TCAS not operational  53 RA active
 *   54-56 emergency/priority status.
 * A version-1 aircraft sends only subtype 0 and a version-2 aircraft only
 * subtype 1, so the subtype says the layout; the TC31 version is not
 * needed (and a version-0 aircraft sends no TC29).
 */
static void adsb_target_state_v1(struct modes_msg *m, uint64_t me, const struct modes_ac *ac)
{
    if (me_bits(me, 11, 1))
        return; /* backward-compatibility flag set: a layout we do not know */
    struct modes_tss1 *t = &m->tss1;
    t->vert_src = (uint8_t)me_bits(me, 8, 2);
    t->alt_type = (uint8_t)me_bits(me, 10, 1);
    t->alt_cap = (uint8_t)me_bits(me, 12, 2);
    t->vert_mode = (uint8_t)me_bits(me, 14, 2);
    t->horiz_src = (uint8_t)me_bits(me, 26, 2);
    t->is_track = (uint8_t)me_bits(me, 37, 1);
    t->horiz_mode = (uint8_t)me_bits(me, 38, 2);
    t->tcas_not_op = (uint8_t)me_bits(me, 52, 1);
    t->ra_active = (uint8_t)me_bits(me, 53, 1);
    m->has |= MH_TSS1;
    /* target altitude: 100-ft steps from -1000 ft; 1011-1023 invalid */
    unsigned alt = me_bits(me, 16, 10);
    if (t->vert_src != 0 && alt <= 1010) {
        t->target_alt_ft = (int32_t)alt * 100 - 1000;
        if (t->vert_src == 1) {
            m->sel_alt_mcp_ft = t->target_alt_ft;
            m->has |= MH_SEL_ALT_MCP;
        } else if (t->vert_src == 3) {
            m->sel_alt_fms_ft = t->target_alt_ft;
            m->has |= MH_SEL_ALT_FMS;
        }
    } else {
        t->vert_src = 0; /* no usable vertical target */
    }
    /* target heading or track: whole degrees 0-359; 360-511 invalid */
    unsigned hdg = me_bits(me, 28, 9);
    if (t->horiz_src != 0 && hdg <= 359) {
        m->sel_heading_deg = (float)hdg;
        apply_hrd(m, ac, &m->sel_heading_true);
        m->has |= MH_SEL_HEADING;
    } else {
        t->horiz_src = 0;
    }
    m->nac_p = (uint8_t)me_bits(me, 40, 4);
    m->nic_baro = (uint8_t)me_bits(me, 44, 1);
    m->sil = (uint8_t)me_bits(me, 45, 2);
    m->has |= MH_NAC_P | MH_NIC_BARO | MH_SIL;
    unsigned es = me_bits(me, 54, 3); /* as TC28: enum report_emergency, 7 reserved */
    if (es <= EMERG_DOWNED) {
        m->emergency = (uint8_t)es;
        m->has |= MH_EMERGENCY;
    }
}

static void adsb_target_state(struct modes_msg *m, uint64_t me, const struct modes_ac *ac)
{
    if (m->st == 0) {
        adsb_target_state_v1(m, me, ac);
        return;
    }
    if (m->st != 1)
        return; /* subtypes 2-3 reserved */
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
        apply_hrd(m, ac, &m->sel_heading_true);
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
    /* HRD (bit 54): 0 true north, 1 magnetic north, for the headings of
     * TC19 st 3/4 and TC29; surface TAH (bit 53): 1 the TC5-8 "track"
     * field is a heading (DO-260B §2.2.3.2.7.2.12-13) */
    m->hrd_magnetic = (uint8_t)me_bits(me, 54, 1);
    m->tah_heading = m->st == 1 ? (uint8_t)me_bits(me, 53, 1) : 0;
    m->has |= MH_HRD;
    if (ac) {
        ac->hrd = m->hrd_magnetic ? 2 : 1;
        ac->nic_a = m->nic_a;
        if (m->st == 1)
            ac->nic_c = m->nic_c;
    }
}

/* ME bit carrying the IMF of a fine TIS-B (CF 2) or ADS-R (CF 6) message
 * for each type code, 0 where there is none (identification: the address
 * is taken as ICAO). The bits that ADS-B uses for NIC-B / reserved
 * (DO-260B §2.2.17.3.2 Figures 2-29..2-33; readsb reads the same). */
static unsigned imf_bit(unsigned tc, unsigned st)
{
    if (tc == 0 || (tc >= 9 && tc <= 18) || (tc >= 20 && tc <= 22))
        return 8;
    if (tc >= 5 && tc <= 8)
        return 21;
    if (tc == 19)
        return 9;
    if (tc == 28)
        return st == 1 ? 56 : 0;
    if (tc == 29)
        return 51;
    if (tc == 31)
        return 56;
    return 0;
}

/* Set the address type of a DF18 CF 2/3/6 message from its IMF bit. */
static void apply_imf(struct modes_msg *m, unsigned imf)
{
    if (!imf)
        return;
    m->addr_src = MODES_ADDR_NON_ICAO;
    m->addr_type = m->ca == 6 ? MODES_AT_ADSR_OTHER : MODES_AT_TISB_OTHER;
}

/* Per-aircraft state for a trusted message; non-ICAO (anonymous, TIS-B
 * track file) addresses get their own key space. */
static struct modes_ac *adsb_ac(struct modes_ctx *ctx, const struct modes_msg *m, int trusted)
{
    if (!trusted)
        return NULL;
    uint32_t key = m->icao | (m->addr_src == MODES_ADDR_NON_ICAO ? 0x1000000u : 0u);
    struct modes_ac *ac = modes_ac_get(ctx, key, m->t_s, 1);
    ac->t_seen_s = m->t_s;
    return ac;
}

/* TIS-B coarse ground speed code (6 bits) to kt: the LOWER bound of its
 * band, as surface_speed_kt: 1 below 16 kt (0), n = 2..62 from 16 + (n-2)
 * 32 kt, 63 at least 1968 kt; 0 no information (-1) (DO-260A §2.2.17.3.5.7
 * Table 2-111). */
static double coarse_speed_kt(unsigned code)
{
    if (code == 0)
        return -1.0;
    if (code == 1)
        return 0.0;
    return 16.0 + (code - 2) * 32.0;
}

/*
 * DF18 CF 3, the TIS-B coarse airborne position and velocity (DO-260A
 * §2.2.17.3.5, Figure 2-31; ED-102A the same; dropped from DO-260B, which
 * keeps CF 3 for it). It has no type code:
 *   1 IMF  2-3 surveillance status  4-7 service volume ID (SVID)
 *   8-19 pressure altitude (as the 12-bit AC field)  20 ground track valid
 *   21-25 ground track (11.25° steps)  26-31 ground speed  32 CPR odd
 *   33-44 CPR latitude  45-56 CPR longitude (12 bits each, Nb = 12)
 * The position runs through the same CPR pipeline as the fine messages:
 * 12-bit fields are 17-bit fields with five zero bits below.
 */
void adsb_decode_coarse(struct modes_ctx *ctx, struct modes_msg *m, int trusted)
{
    uint64_t me = modes_me56(m->raw);
    apply_imf(m, me_bits(me, 1, 1));
    struct modes_ac *ac = adsb_ac(ctx, m, trusted);
    m->ss = (uint8_t)me_bits(me, 2, 2);
    m->svid = (uint8_t)me_bits(me, 4, 4);
    m->has |= MH_SURV_STATUS | MH_COARSE;
    int32_t alt;
    if (modes_ac12_alt(me_bits(me, 8, 12), &alt) == 0) {
        m->alt_baro_ft = alt;
        m->has |= MH_ALT_BARO;
        if (ac) {
            ac->alt_baro_ft = alt;
            ac->t_alt_s = m->t_s;
            ac->has_alt = 1;
        }
    }
    if (me_bits(me, 20, 1)) {
        m->track_deg = (float)(me_bits(me, 21, 5) * 11.25);
        m->has |= MH_TRACK;
    }
    double gs = coarse_speed_kt(me_bits(me, 26, 6));
    if (gs >= 0) {
        m->gs_kt = (float)gs;
        m->has |= MH_GS;
    }
    m->on_ground = 0; /* an airborne position format */
    m->has |= MH_ON_GROUND;
    m->cpr_odd = (uint8_t)me_bits(me, 32, 1);
    m->cpr_lat = me_bits(me, 33, 12);
    m->cpr_lon = me_bits(me, 45, 12);
    m->has |= MH_CPR;
    adsb_position(ctx, m, ac, m->cpr_lat << 5, m->cpr_lon << 5);
}

void adsb_decode(struct modes_ctx *ctx, struct modes_msg *m, int trusted)
{
    uint64_t me = modes_me56(m->raw);
    unsigned tc = me_bits(me, 1, 5);
    m->tc = (uint8_t)tc;
    m->has |= MH_ADSB;
    m->st = (uint8_t)me_bits(me, 6, 3);
    unsigned imf = 0; /* the ME bit that is IMF here, or 0 */
    if (m->df == 18 && (m->ca == 2 || m->ca == 6)) {
        imf = imf_bit(tc, m->st);
        if (imf)
            apply_imf(m, me_bits(me, imf, 1));
    }
    struct modes_ac *ac = adsb_ac(ctx, m, trusted);
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
        adsb_position(ctx, m, ac, m->cpr_lat, m->cpr_lon);
    } else if ((tc >= 9 && tc <= 18) || (tc >= 20 && tc <= 22)) {
        m->ss = (uint8_t)me_bits(me, 6, 2);
        /* bit 8 is NIC-B, but the IMF in fine TIS-B and ADS-R */
        m->nic_b = m->derived ? 0 : (uint8_t)me_bits(me, 8, 1);
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
        adsb_position(ctx, m, ac, m->cpr_lat, m->cpr_lon);
    } else if (tc == 19) {
        adsb_velocity(m, me, ac);
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
        adsb_target_state(m, me, ac);
    } else if (tc == 31) {
        adsb_opstatus(m, me, ac);
    }
    /* NACp comes in TC29/31, positions in TC5-22: keep the last one so a
     * position can say how accurate it is (modes_msg.pos_nac_p) */
    if (ac && (m->has & MH_NAC_P))
        ac->nac_p = m->nac_p;
}
