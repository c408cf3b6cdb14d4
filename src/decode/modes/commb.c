/*
 * commb.c — Comm-B replies (DF20/DF21 MB field): which register is it?
 *
 * Key idea: a Comm-B reply does not say which register (BDS) it carries —
 * the ground interrogator asked for it and knows. A passive receiver must
 * infer it. Each candidate register is tested for internal consistency:
 * fixed header bytes (BDS 1,0 / 2,0 / 3,0), reserved bits that must be zero,
 * status bits that must be set whenever their value bits are non-zero, and
 * physical plausibility (roll within ±50°, ground speed ≤ 600 kt, TAS ≤
 * 500 kt, |TAS - GS| ≤ 200 kt, IAS ≤ 500 kt, Mach ≤ 1, vertical rates ≤
 * 6000 ft/min, and for DF20 IAS and Mach agreeing within 20 kt at the
 * reply's own altitude). These are the rules of pyModeS bds.infer (v2),
 * re-derived from the register layouts. When several registers pass, BDS
 * 5,0 vs 6,0 is settled against the aircraft's ADS-B ground speed, track
 * and altitude from the context when known: 5,0 when its ground vector
 * matches the ADS-B one within 30 kt, 6,0 when 5,0 does not and the 6,0 air
 * vector (TAS from Mach or IAS at that altitude) is nearer; otherwise the
 * reply is reported as ambiguous with its candidates, never guessed.
 *
 * The meteorological registers 4,4 (routine air report) and 4,5 (hazard
 * report) are mostly status bits and small fields, so random 4,0/5,0/6,0
 * contents often pass their bit rules (pyModeS tests them only on request).
 * Here they are always candidates, with physics on top of the bit rules:
 * the average static pressure must be the ISA pressure of the reply's
 * pressure altitude (DF20's own, else the aircraft's last within 60 s)
 * within 25 hPa — pressure altitude IS static pressure read through the
 * ISA table, so only averaging and rounding separate them — and the static
 * air temperature within 40 °C of ISA at that altitude (the hottest and
 * coldest air aloft lies within about ±35 °C of ISA); without an altitude,
 * -80..+60 °C and at most 1100 hPa. A 4,5 microburst (light or worse)
 * above 10,000 ft, a radio height above 10,000 ft, a 4,4 wind above 250 kt
 * or a reserved 4,4 source are refused. A reply that still passes 4,4/4,5
 * and another register is ambiguous.
 *
 * References: ICAO Doc 9871 (2nd ed.) Appendix A, Tables A-2-16 (BDS 1,0),
 * A-2-23 (1,7), A-2-32 (2,0), A-2-48 (3,0), A-2-64 (4,0), A-2-80 (5,0),
 * A-2-96 (6,0), A-2-68 (4,4), A-2-69 (4,5); ISA atmosphere (ICAO Doc 7488) for Mach/CAS/TAS.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "decode/modes/modes.h"
#include "decode/modes/modes_int.h"

#define KT_MS         0.514444 /* m/s per kt */
#define FT_M          0.3048   /* m per ft */
#define MET_P_TOL_HPA 25.0     /* 4,4/4,5 static pressure vs ISA(pressure altitude) */
#define MET_T_TOL_C   40.0     /* 4,4/4,5 static air temperature vs ISA temperature */
#define MET_T_MIN_C   -80.0    /* coldest air aloft (pyModeS uses the same range) */
#define MET_T_MAX_C   60.0
#define MET_P_MAX_HPA 1100.0 /* above any sea-level pressure recorded (1084 hPa) */
#define MET_WIND_MAX_KT                                                                            \
    250 /* jet streams reach ~250 kt; pyModeS's bound                                              \
           too */
#define MET_RH_MAX_FT                                                                              \
    10000 /* radio altimeters measure up to 2,500-8,000 ft; a 4,5                                  \
             radio height above 10,000 ft is not one */
#define MET_MICROBURST_MAX_FT                                                                      \
    10000 /* a microburst is a downdraft that reaches the ground (Annex 3:                         \
             low-level wind shear): one reported above 10,000 ft is not */
#define BDS50_MATCH_KT                                                                             \
    30.0 /* BDS 5,0 ground vector vs ADS-B ground vector: the                                      \
            same quantity from IRS/GNSS, agreeing within a few                                     \
            kt; 30 kt leaves room for 60 s of manoeuvre */

/* status bit sb clear but value bits [msb, lsb] not all zero: inconsistent */
static int wrong_status(uint64_t mb, unsigned sb, unsigned msb, unsigned lsb)
{
    return me_bits(mb, sb, 1) == 0 && me_bits(mb, msb, lsb - msb + 1) != 0;
}

/* Signed field: sign bit then n value bits, two's complement over n+1 bits. */
static int signed_field(uint64_t mb, unsigned sign_bit, unsigned n)
{
    int v = (int)me_bits(mb, sign_bit + 1, n);
    if (me_bits(mb, sign_bit, 1))
        v -= 1 << n;
    return v;
}

/* ISA (troposphere lapse 6.5 K/km to 11 km, isothermal above). */
static void isa(double h_m, double *p, double *rho, double *t)
{
    double tt = 288.15 - 0.0065 * h_m;
    if (tt < 216.65)
        tt = 216.65;
    double rho_trop = 1.225 * pow(tt / 288.15, 4.256848030018761);
    double dh = h_m > 11000.0 ? h_m - 11000.0 : 0.0;
    *rho = rho_trop * exp(-dh / 6341.552161);
    *p = *rho * 287.05287 * tt;
    *t = tt;
}

/* ISA static pressure (Pa) every 1000 ft from -2000 to 70000 ft, from the
 * model above, for the hot-path IAS/Mach check (linear interpolation:
 * error < 0.1 %, far inside its 20-kt tolerance). */
static const double isa_p_tab[73] = {
    108867.2, 105041.3, 101325.0, 97715.9, 94211.6, 90809.8, 87508.2, 84304.4, 81196.3, 78181.6,
    75258.2,  72424.0,  69676.8,  67014.7, 64435.5, 61937.2, 59518.0, 57175.9, 54909.0, 52715.4,
    50593.3,  48541.0,  46556.6,  44638.4, 42784.7, 40993.8, 39264.1, 37594.0, 35981.9, 34426.3,
    32925.5,  31478.2,  30082.8,  28738.0, 27442.2, 26194.2, 24992.5, 23835.9, 22723.0, 21656.7,
    20640.4,  19671.8,  18748.7,  17868.9, 17030.3, 16231.1, 15469.5, 14743.5, 14051.7, 13392.3,
    12763.8,  12164.8,  11594.0,  11049.9, 10531.4, 10037.1, 9566.1,  9117.2,  8689.4,  8281.6,
    7893.0,   7522.6,   7169.6,   6833.1,  6512.5,  6206.8,  5915.6,  5638.0,  5373.4,  5121.2,
    4880.9,   4651.9,   4433.6,
};

static double isa_p_ft(double alt_ft)
{
    double x = (alt_ft + 2000.0) / 1000.0;
    if (x < 0)
        x = 0;
    if (x > 71.999)
        x = 71.999;
    int i = (int)x;
    double f = x - i;
    return isa_p_tab[i] * (1.0 - f) + isa_p_tab[i + 1] * f;
}

/* Impact pressure (Pa) of a calibrated airspeed (kt), subsonic:
 * qc = p0 ((1 + 0.2 (v/a0)^2)^3.5 - 1), with x^3.5 = x^3 sqrt(x). */
static double qc_of_cas_kt(double v_kt)
{
    if (v_kt <= 0)
        return 0;
    double r = v_kt / 661.4786; /* a0 = 340.294 m/s in kt */
    double x = 1.0 + 0.2 * r * r;
    return 101325.0 * (x * x * x * sqrt(x) - 1.0);
}

/* |IAS - CAS(Mach, altitude)| <= tol_kt, compared in impact pressure (the
 * map CAS -> qc is increasing), so no pow() on the hot path. */
static int ias_mach_agree(double ias_kt, double mach, double alt_ft, double tol_kt)
{
    double x = 1.0 + 0.2 * mach * mach;
    double qc = isa_p_ft(alt_ft) * (x * x * x * sqrt(x) - 1.0);
    return qc >= qc_of_cas_kt(ias_kt - tol_kt) && qc <= qc_of_cas_kt(ias_kt + tol_kt);
}

static double mach_to_tas_ms(double mach, double h_m)
{
    double p, rho, t;
    isa(h_m, &p, &rho, &t);
    return mach * sqrt(1.4 * 287.05287 * t);
}

static double cas_to_tas_ms(double cas, double h_m)
{
    double p, rho, t;
    isa(h_m, &p, &rho, &t);
    double q = 101325.0 * (pow(1.0 + 1.225 * cas * cas / (7.0 * 101325.0), 3.5) - 1.0);
    return sqrt(7.0 * p / rho * (pow(q / p + 1.0, 2.0 / 7.0) - 1.0));
}

static int is10(uint64_t mb)
{
    if (me_bits(mb, 1, 8) != 0x10 || me_bits(mb, 10, 5) != 0)
        return 0;
    unsigned ovc = me_bits(mb, 15, 1), sub = me_bits(mb, 17, 7);
    /* overlay capability implies a subnetwork version >= 5 and vice versa */
    if (ovc && sub < 5)
        return 0;
    if (!ovc && sub > 4)
        return 0;
    return 1;
}

static int is17(uint64_t mb)
{
    if (me_bits(mb, 29, 28) != 0)
        return 0;                  /* bits 29-56 reserved */
    return me_bits(mb, 7, 1) != 0; /* 2,0 (identification) is always supported */
}

static int is20(uint64_t mb)
{
    char cs[9];
    return me_bits(mb, 1, 8) == 0x20 && modes_callsign(mb, 9, cs) == 0;
}

static int is30(uint64_t mb)
{
    if (me_bits(mb, 1, 8) != 0x30)
        return 0;
    if (me_bits(mb, 29, 2) == 3)
        return 0; /* threat type 3 not assigned */
    if (me_bits(mb, 16, 7) >= 48)
        return 0; /* ARA values reserved for ACAS III */
    return 1;
}

static int is40(uint64_t mb)
{
    if (wrong_status(mb, 1, 2, 13) || wrong_status(mb, 14, 15, 26) ||
        wrong_status(mb, 27, 28, 39) || wrong_status(mb, 48, 49, 51) ||
        wrong_status(mb, 54, 55, 56))
        return 0;
    return me_bits(mb, 40, 8) == 0 && me_bits(mb, 52, 2) == 0; /* reserved */
}

static int is50(uint64_t mb)
{
    if (wrong_status(mb, 1, 3, 11) || wrong_status(mb, 12, 13, 23) ||
        wrong_status(mb, 24, 25, 34) || wrong_status(mb, 35, 36, 45) ||
        wrong_status(mb, 46, 47, 56))
        return 0;
    int have_gs = me_bits(mb, 24, 1), have_tas = me_bits(mb, 46, 1);
    /* roll beyond 50°: |v| * 45/256 > 50 <=> |v| > 284 */
    if (me_bits(mb, 1, 1) && abs(signed_field(mb, 2, 9)) > 284)
        return 0;
    unsigned gs = me_bits(mb, 25, 10) * 2, tas = me_bits(mb, 47, 10) * 2;
    if (have_gs && gs > 600)
        return 0;
    if (have_tas && tas > 500)
        return 0;
    if (have_gs && have_tas && (gs > tas ? gs - tas : tas - gs) > 200)
        return 0;
    return 1;
}

/* Vertical rate: sign + 9 bits, two's complement, 32 ft/min steps. All
 * ones is -32 ft/min by that arithmetic (pyModeS 2.21 agrees; older
 * versions mapped it to 0). */
static int vr60(uint64_t mb, unsigned sign_bit)
{
    return signed_field(mb, sign_bit, 9) * 32;
}

static int is60(uint64_t mb, int have_alt, int32_t alt_ft)
{
    if (wrong_status(mb, 1, 2, 12) || wrong_status(mb, 13, 14, 23) ||
        wrong_status(mb, 24, 25, 34) || wrong_status(mb, 35, 36, 45) ||
        wrong_status(mb, 46, 47, 56))
        return 0;
    int have_ias = me_bits(mb, 13, 1), have_mach = me_bits(mb, 24, 1);
    unsigned ias = me_bits(mb, 14, 10), mach_raw = me_bits(mb, 25, 10);
    if (have_ias && ias > 500)
        return 0;
    if (have_mach && mach_raw > 250) /* Mach = raw * 2.048/512 = raw * 0.004 > 1 */
        return 0;
    double mach = mach_raw * 2.048 / 512.0;
    if (me_bits(mb, 35, 1) && abs(vr60(mb, 36)) > 6000)
        return 0;
    if (me_bits(mb, 46, 1) && abs(vr60(mb, 47)) > 6000)
        return 0;
    if (have_ias && have_mach && have_alt && !ias_mach_agree(ias, mach, alt_ft, 20.0))
        return 0; /* IAS and Mach disagree by more than 20 kt at this altitude */
    return 1;
}

/* The pressure altitude the met checks compare against: DF20's own, else
 * the aircraft's last (<= 60 s old, trusted replies only), looked up only
 * when a reply gets that far (most never do). */
struct met_ref {
    int state; /* 0 not looked up yet, 1 have alt_ft, 2 none */
    int32_t alt_ft;
    struct modes_ctx *ctx;
    const struct modes_msg *m;
    int trusted;
};

static int met_ref_have(struct met_ref *ref)
{
    if (ref->state == 0) {
        ref->state = 2;
        const struct modes_ac *a =
            ref->trusted ? modes_ac_get(ref->ctx, ref->m->icao, ref->m->t_s, 0) : NULL;
        if (a && a->has_alt && fabs(ref->m->t_s - a->t_alt_s) <= 60.0) {
            ref->state = 1;
            ref->alt_ft = a->alt_baro_ft;
        }
    }
    return ref->state == 1;
}

/* static pressure p_hpa (status set) and temperature t_c plausible? */
static int met_plausible(int have_p, double p_hpa, int have_t, double t_c, struct met_ref *ref)
{
    if (have_t && (t_c < MET_T_MIN_C || t_c > MET_T_MAX_C))
        return 0;
    if (have_p && p_hpa > MET_P_MAX_HPA)
        return 0;
    if (!met_ref_have(ref))
        return 1;
    if (have_p && fabs(p_hpa - isa_p_ft(ref->alt_ft) / 100.0) > MET_P_TOL_HPA)
        return 0;
    if (have_t) {
        double t_isa = 15.0 - 0.0019812 * ref->alt_ft; /* 6.5 K/km */
        if (t_isa < -56.5)
            t_isa = -56.5; /* isothermal above 36,089 ft */
        if (fabs(t_c - t_isa) > MET_T_TOL_C)
            return 0;
    }
    return 1;
}

/* BDS 4,4 static air temperature: sign bit 24 and 10 bits, 0.25 °C (Doc
 * 9871 Table A-2-68; pyModeS also tries 0.125 °C, a reading of an older
 * table that this decoder does not take). */
static double sat44_c(uint64_t mb)
{
    return signed_field(mb, 24, 10) * 0.25;
}

/* BDS 4,5 static air temperature: sign bit 17 and 9 bits, 0.25 °C. */
static double sat45_c(uint64_t mb)
{
    return signed_field(mb, 17, 9) * 0.25;
}

static int is44(uint64_t mb, struct met_ref *ref)
{
    if (me_bits(mb, 1, 4) > 4)
        return 0; /* FOM/source 5-15 reserved */
    if (wrong_status(mb, 5, 6, 23) || wrong_status(mb, 35, 36, 46) ||
        wrong_status(mb, 47, 48, 49) || wrong_status(mb, 50, 51, 56))
        return 0;
    if (me_bits(mb, 5, 1) && me_bits(mb, 6, 9) > MET_WIND_MAX_KT)
        return 0;
    /* the temperature has no status bit: it is always there */
    return met_plausible(me_bits(mb, 35, 1), me_bits(mb, 36, 11), 1, sat44_c(mb), ref);
}

static int is45(uint64_t mb, struct met_ref *ref)
{
    if (me_bits(mb, 52, 5) != 0)
        return 0;                            /* reserved */
    for (unsigned sb = 1; sb <= 13; sb += 3) /* the five hazards: status + 2 bits */
        if (wrong_status(mb, sb, sb + 1, sb + 2))
            return 0;
    if (wrong_status(mb, 16, 17, 26) || wrong_status(mb, 27, 28, 38) ||
        wrong_status(mb, 39, 40, 51))
        return 0;
    if (me_bits(mb, 39, 1) && me_bits(mb, 40, 12) * 16u > MET_RH_MAX_FT)
        return 0;
    if (me_bits(mb, 7, 1) && me_bits(mb, 8, 2) != 0 && met_ref_have(ref) &&
        ref->alt_ft > MET_MICROBURST_MAX_FT)
        return 0;
    return met_plausible(me_bits(mb, 27, 1), me_bits(mb, 28, 11), me_bits(mb, 16, 1), sat45_c(mb),
                         ref);
}

/* BDS 5,0 vs 6,0 against a reference ground vector: 0x50, 0x60 or 0. */
static int pick_50_60(uint64_t mb, const struct modes_ac *ac)
{
    if (!me_bits(mb, 12, 1) || !me_bits(mb, 24, 1) || !me_bits(mb, 1, 1))
        return 0;
    if (!me_bits(mb, 13, 1) && !me_bits(mb, 24, 1))
        return 0;
    double k = M_PI / 180.0;
    double h_m = ac->alt_baro_ft * FT_M;
    double ref_x = ac->gs_kt * sin(ac->track_deg * k), ref_y = ac->gs_kt * cos(ac->track_deg * k);
    double trk50 = signed_field(mb, 13, 10) * 90.0 / 512.0;
    double gs50 = me_bits(mb, 25, 10) * 2.0;
    double d50 = hypot(gs50 * sin(trk50 * k) - ref_x, gs50 * cos(trk50 * k) - ref_y);
    double hdg60 = signed_field(mb, 2, 10) * 90.0 / 512.0;
    double d60 = 1e9;
    if (me_bits(mb, 24, 1)) {
        double tas = mach_to_tas_ms(me_bits(mb, 25, 10) * 2.048 / 512.0, h_m) / KT_MS;
        double d = hypot(tas * sin(hdg60 * k) - ref_x, tas * cos(hdg60 * k) - ref_y);
        d60 = d < d60 ? d : d60;
    }
    if (me_bits(mb, 13, 1)) {
        double tas = cas_to_tas_ms(me_bits(mb, 14, 10) * KT_MS, h_m) / KT_MS;
        double d = hypot(tas * sin(hdg60 * k) - ref_x, tas * cos(hdg60 * k) - ref_y);
        d60 = d < d60 ? d : d60;
    }
    /* 5,0 is a ground vector like the ADS-B one: it must match it closely.
     * 6,0 is an air vector (heading, airspeed) and differs by the wind, so
     * it wins only when 5,0 does not fit and it is the nearer reading. */
    if (d50 <= BDS50_MATCH_KT && d50 < d60)
        return 0x50;
    if (d50 > BDS50_MATCH_KT && d60 < d50)
        return 0x60;
    return 0;
}

static void fill(struct modes_msg *m, uint64_t mb, unsigned bds)
{
    switch (bds) {
    case 0x17:
        m->bds17_caps = me_bits(mb, 1, 28);
        m->has |= MH_BDS17;
        break;
    case 0x20:
        modes_callsign(mb, 9, m->callsign);
        m->has |= MH_CALLSIGN;
        break;
    case 0x30:
        modes_decode_ra(m, mb, 9);
        break;
    case 0x40:
        if (me_bits(mb, 1, 1)) {
            m->sel_alt_mcp_ft = (int32_t)me_bits(mb, 2, 12) * 16; /* 16-ft steps */
            m->has |= MH_SEL_ALT_MCP;
        }
        if (me_bits(mb, 14, 1)) {
            m->sel_alt_fms_ft = (int32_t)me_bits(mb, 15, 12) * 16;
            m->has |= MH_SEL_ALT_FMS;
        }
        if (me_bits(mb, 27, 1)) {
            m->baro_hpa = (float)(800.0 + me_bits(mb, 28, 12) * 0.1); /* 0.1-hPa steps */
            m->has |= MH_BARO_SET;
        }
        if (me_bits(mb, 48, 1)) {
            m->nav_modes = (uint8_t)((me_bits(mb, 49, 1) ? MODES_NAV_VNAV : 0) |
                                     (me_bits(mb, 50, 1) ? MODES_NAV_ALT_HOLD : 0) |
                                     (me_bits(mb, 51, 1) ? MODES_NAV_APPROACH : 0));
            m->has |= MH_NAV_MODES;
        }
        break;
    case 0x50:
        if (me_bits(mb, 1, 1)) {
            m->roll_deg = (float)(signed_field(mb, 2, 9) * 45.0 / 256.0);
            m->has |= MH_ROLL;
        }
        if (me_bits(mb, 12, 1)) {
            double trk = signed_field(mb, 13, 10) * 90.0 / 512.0;
            m->track_deg = (float)(trk < 0 ? trk + 360.0 : trk);
            m->has |= MH_TRACK;
        }
        if (me_bits(mb, 24, 1)) {
            m->gs_kt = (float)(me_bits(mb, 25, 10) * 2);
            m->has |= MH_GS;
        }
        if (me_bits(mb, 35, 1)) {
            m->track_rate_dps = (float)(signed_field(mb, 36, 9) * 8.0 / 256.0);
            m->has |= MH_TRACK_RATE;
        }
        if (me_bits(mb, 46, 1)) {
            m->tas_kt = (uint16_t)(me_bits(mb, 47, 10) * 2);
            m->has |= MH_TAS;
        }
        break;
    case 0x60:
        if (me_bits(mb, 1, 1)) {
            double h = signed_field(mb, 2, 10) * 90.0 / 512.0;
            m->heading_deg = (float)(h < 0 ? h + 360.0 : h);
            m->heading_true = 0; /* magnetic */
            m->has |= MH_HEADING;
        }
        if (me_bits(mb, 13, 1)) {
            m->ias_kt = (uint16_t)me_bits(mb, 14, 10);
            m->has |= MH_IAS;
        }
        if (me_bits(mb, 24, 1)) {
            m->mach = (float)(me_bits(mb, 25, 10) * 2.048 / 512.0);
            m->has |= MH_MACH;
        }
        if (me_bits(mb, 35, 1)) {
            m->vrate_fpm = vr60(mb, 36);
            m->vrate_geom = 0;
            m->has |= MH_VRATE;
        }
        if (me_bits(mb, 46, 1)) {
            m->vrate_inertial_fpm = vr60(mb, 47);
            m->has |= MH_VRATE_INERTIAL;
        }
        break;
    case 0x44: {
        struct modes_met *w = &m->met;
        w->fom = (uint8_t)me_bits(mb, 1, 4);
        w->has = MET_SAT;
        w->sat_c = (float)sat44_c(mb);
        if (me_bits(mb, 5, 1)) {
            w->wind_kt = (uint16_t)me_bits(mb, 6, 9);
            w->wind_dir_deg = (float)(me_bits(mb, 15, 9) * 180.0 / 256.0);
            w->has |= MET_WIND;
        }
        if (me_bits(mb, 35, 1)) {
            w->pressure_hpa = (uint16_t)me_bits(mb, 36, 11);
            w->has |= MET_PRESSURE;
        }
        if (me_bits(mb, 47, 1)) {
            w->turb = (uint8_t)me_bits(mb, 48, 2);
            w->has |= MET_TURB;
        }
        if (me_bits(mb, 50, 1)) {
            w->humidity_pct = (float)(me_bits(mb, 51, 6) * 100.0 / 64.0);
            w->has |= MET_HUMIDITY;
        }
        m->has |= MH_MET;
        break;
    }
    case 0x45: {
        struct modes_met *w = &m->met;
        static const uint16_t hz[5] = {MET_TURB, MET_WIND_SHEAR, MET_MICROBURST, MET_ICING,
                                       MET_WAKE};
        uint8_t *lv[5] = {&w->turb, &w->wind_shear, &w->microburst, &w->icing, &w->wake};
        for (unsigned i = 0; i < 5; i++) {
            if (me_bits(mb, 1 + 3 * i, 1)) {
                *lv[i] = (uint8_t)me_bits(mb, 2 + 3 * i, 2);
                w->has |= hz[i];
            }
        }
        if (me_bits(mb, 16, 1)) {
            w->sat_c = (float)sat45_c(mb);
            w->has |= MET_SAT;
        }
        if (me_bits(mb, 27, 1)) {
            w->pressure_hpa = (uint16_t)me_bits(mb, 28, 11);
            w->has |= MET_PRESSURE;
        }
        if (me_bits(mb, 39, 1)) {
            w->radio_height_ft = (uint16_t)(me_bits(mb, 40, 12) * 16);
            w->has |= MET_RADIO_HEIGHT;
        }
        m->has |= MH_MET;
        break;
    }
    default:
        break;
    }
}

void commb_decode(struct modes_ctx *ctx, struct modes_msg *m, int trusted)
{
    uint64_t mb = modes_me56(m->raw);
    m->has |= MH_BDS;
    if (mb == 0) {
        ctx->stats.bds_unknown++;
        return; /* empty reply: no register */
    }
    int have_alt = m->df == 20 && (m->has & MH_ALT_BARO);
    struct met_ref ref = {have_alt ? 1 : 0, m->alt_baro_ft, ctx, m, trusted};
    uint16_t c = 0;
    c |= is10(mb) ? MODES_BDS_CAND_10 : 0;
    c |= is17(mb) ? MODES_BDS_CAND_17 : 0;
    c |= is20(mb) ? MODES_BDS_CAND_20 : 0;
    c |= is30(mb) ? MODES_BDS_CAND_30 : 0;
    c |= is40(mb) ? MODES_BDS_CAND_40 : 0;
    c |= is50(mb) ? MODES_BDS_CAND_50 : 0;
    c |= is60(mb, have_alt, m->alt_baro_ft) ? MODES_BDS_CAND_60 : 0;
    c |= is44(mb, &ref) ? MODES_BDS_CAND_44 : 0;
    c |= is45(mb, &ref) ? MODES_BDS_CAND_45 : 0;
    m->bds_cands = c;
    static const uint8_t code[9] = {0x10, 0x17, 0x20, 0x30, 0x40, 0x50, 0x60, 0x44, 0x45};
    unsigned n = (unsigned)__builtin_popcount(c);
    unsigned bds = n ? code[__builtin_ctz(c)] : 0;
    if (n == 0) {
        ctx->stats.bds_unknown++;
        return;
    }
    if (n > 1) {
        bds = 0;
        if (c == (MODES_BDS_CAND_50 | MODES_BDS_CAND_60) && trusted) {
            const struct modes_ac *ac = modes_ac_get(ctx, m->icao, m->t_s, 0);
            if (ac && ac->has_vel && ac->has_alt && fabs(m->t_s - ac->t_vel_s) < 60.0)
                bds = (unsigned)pick_50_60(mb, ac);
        }
        if (!bds) {
            m->bds_ambiguous = 1;
            ctx->stats.bds_ambiguous++;
            return;
        }
    }
    ctx->stats.bds_inferred++;
    m->bds = (uint8_t)bds;
    fill(m, mb, bds);
}
