/*
 * json.c — a decoded Mode S message as one JSON object, and as the
 * normalised struct report the tracker consumes.
 *
 * Key idea: the JSON names are the contract with `cairn decode` users
 * (issue 2): units in the names, a field only when its MH_* bit says it was
 * decoded, lowercase hex for raw and icao, squawk as four octal digits.
 * Written with jsonw (no printf on the hot path except numbers).
 */
#include <math.h>
#include <string.h>

#include "base/error.h"
#include "base/hex.h"
#include "decode/modes/modes.h"

const char *modes_emergency_name(unsigned e)
{
    static const char *const names[] = {"none",  "general",  "lifeguard", "minfuel",
                                        "nordo", "unlawful", "downed"};
    return e < sizeof names / sizeof names[0] ? names[e] : "unknown";
}

static const char *bds_name(unsigned bds)
{
    switch (bds) {
    case 0x10:
        return "1,0";
    case 0x17:
        return "1,7";
    case 0x20:
        return "2,0";
    case 0x30:
        return "3,0";
    case 0x40:
        return "4,0";
    case 0x50:
        return "5,0";
    case 0x60:
        return "6,0";
    case 0x44:
        return "4,4";
    case 0x45:
        return "4,5";
    default:
        return "none";
    }
}

static void put_icao(struct jsonw *w, const char *key, uint32_t icao)
{
    static const char hx[] = "0123456789abcdef";
    char s[7];
    for (int i = 0; i < 6; i++)
        s[i] = hx[(icao >> (20 - 4 * i)) & 15u];
    s[6] = 0;
    jw_kstr(w, key, s);
}

/* enum modes_addr_type in readsb's words (its aircraft "type") */
static const char *addr_type_name(unsigned t)
{
    static const char *const names[] = {"mode_s",     "adsb_icao_nt", "adsb_other",
                                        "tisb_icao",  "tisb_other",   "adsr_icao",
                                        "adsr_other", "tisb_mgmt",    "reserved"};
    return t < sizeof names / sizeof names[0] ? names[t] : "unknown";
}

/* TC29 v1 target state (tss1) and BDS 4,4/4,5 (met): the rarer fields */
static void put_tss1(struct jsonw *w, const struct modes_tss1 *t)
{
    static const char *const src[4] = {"none", "mcp", "holding", "fms"};
    static const char *const mode[4] = {"unknown", "acquiring", "maintaining", "reserved"};
    if (t->vert_src) {
        jw_kint(w, "target_alt_ft", t->target_alt_ft);
        jw_kstr(w, "target_alt_src", src[t->vert_src & 3u]);
        jw_kstr(w, "target_alt_type", t->alt_type ? "msl" : "flight_level");
    }
    jw_kint(w, "target_alt_cap", t->alt_cap);
    jw_kstr(w, "vertical_mode", mode[t->vert_mode & 3u]);
    if (t->horiz_src) {
        jw_kstr(w, "target_heading_src", src[t->horiz_src & 3u]);
        jw_kstr(w, "sel_heading_type", t->is_track ? "track" : "heading");
    }
    jw_kstr(w, "horizontal_mode", mode[t->horiz_mode & 3u]);
    jw_kbool(w, "tcas_operational", !t->tcas_not_op);
    jw_kbool(w, "tcas_ra_active", t->ra_active);
}

static void put_met(struct jsonw *w, const struct modes_met *x, unsigned bds)
{
    static const char *const lvl[4] = {"nil", "light", "moderate", "severe"};
    static const char *const fom[5] = {"invalid", "ins", "gnss", "dme_dme", "vor_dme"};
    if (bds == 0x44)
        jw_kstr(w, "met_source", fom[x->fom <= 4 ? x->fom : 0]);
    if (x->has & MET_WIND) {
        jw_kint(w, "wind_kt", x->wind_kt);
        jw_kfixed(w, "wind_dir_deg", x->wind_dir_deg, 2);
    }
    if (x->has & MET_SAT)
        jw_kfixed(w, "sat_c", x->sat_c, 2);
    if (x->has & MET_PRESSURE)
        jw_kint(w, "static_pressure_hpa", x->pressure_hpa);
    if (x->has & MET_HUMIDITY)
        jw_kfixed(w, "humidity_pct", x->humidity_pct, 1);
    if (x->has & MET_RADIO_HEIGHT)
        jw_kint(w, "radio_height_ft", x->radio_height_ft);
    static const char *const hz[5] = {"turbulence", "wind_shear", "microburst", "icing",
                                      "wake_vortex"};
    static const uint16_t bit[5] = {MET_TURB, MET_WIND_SHEAR, MET_MICROBURST, MET_ICING, MET_WAKE};
    const uint8_t v[5] = {x->turb, x->wind_shear, x->microburst, x->icing, x->wake};
    for (unsigned i = 0; i < 5; i++)
        if (x->has & bit[i])
            jw_kstr(w, hz[i], lvl[v[i] & 3u]);
}

static void put_squawk(struct jsonw *w, uint16_t sq)
{
    char s[5] = {(char)('0' + (sq >> 9 & 7)), (char)('0' + (sq >> 6 & 7)),
                 (char)('0' + (sq >> 3 & 7)), (char)('0' + (sq & 7)), 0};
    jw_kstr(w, "squawk", s);
}

void modes_msg_json(const struct modes_msg *m, struct jsonw *w)
{
    uint64_t h = m->has;
    char raw[2 * MODES_LONG_LEN + 1];
    hex_encode(m->raw, m->len <= MODES_LONG_LEN ? m->len : MODES_LONG_LEN, raw);

    jw_obj(w);
    jw_kfixed(w, "t", m->t_s, 6);
    jw_kstr(w, "raw", raw);
    if (m->kind == FRAME_MODEAC) {
        jw_kbool(w, "modeac", 1);
    } else {
        jw_kint(w, "df", m->df);
        if (h & MH_ICAO)
            put_icao(w, "icao", m->icao);
    }
    jw_kbool(w, "crc_ok", m->crc_ok);
    jw_kint(w, "corrected_bits", m->corrected_bits);
    if (m->addr_src == MODES_ADDR_NON_ICAO)
        jw_kbool(w, "non_icao", 1);
    if (m->df == 18)
        jw_kstr(w, "addr_type", addr_type_name(m->addr_type));
    if (m->derived)
        jw_kstr(w, "derived", m->derived == MODES_DERIVED_TISB ? "tisb" : "adsr");
    if (h & MH_COARSE) {
        jw_kbool(w, "tisb_coarse", 1);
        jw_kint(w, "svid", m->svid);
    }
    if (m->military)
        jw_kbool(w, "military", 1);
    if (h & MH_ADSB) {
        jw_kint(w, "tc", m->tc);
        jw_kint(w, "st", m->st);
    }
    if (h & MH_IID) {
        char s[5];
        unsigned v = m->iid < 16 ? m->iid : m->iid - 16u;
        s[0] = m->iid < 16 ? 'I' : 'S';
        s[1] = 'I';
        s[2] = (char)(v >= 10 ? '0' + v / 10 : '0' + v);
        s[3] = v >= 10 ? (char)('0' + v % 10) : 0;
        s[4] = 0;
        jw_kstr(w, "iid", s);
    }
    if (h & MH_FLIGHT_STATUS) {
        jw_kint(w, "fs", m->fs);
        jw_kint(w, "dr", m->dr);
        jw_kint(w, "um", m->um);
        if (m->alert)
            jw_kbool(w, "alert", 1);
        if (m->spi)
            jw_kbool(w, "spi", 1);
    } else if ((h & MH_MODEA) && m->spi) {
        jw_kbool(w, "spi", 1);
    }
    if (h & MH_ON_GROUND)
        jw_kbool(w, "on_ground", m->on_ground);
    if (h & MH_CALLSIGN)
        jw_kstr(w, "callsign", m->callsign);
    if (h & MH_CATEGORY) {
        static const char hx[] = "0123456789ABCDEF";
        char s[3] = {hx[m->category >> 4], hx[m->category & 15u], 0};
        jw_kstr(w, "category", s);
    }
    if (h & MH_SQUAWK)
        put_squawk(w, m->squawk);
    if (h & MH_MODEC_ALT)
        jw_kint(w, "modec_alt_ft", m->modec_alt_ft);
    if (h & MH_EMERGENCY)
        jw_kstr(w, "emergency", modes_emergency_name(m->emergency));
    if (h & MH_ALT_BARO)
        jw_kint(w, "alt_baro_ft", m->alt_baro_ft);
    if (h & MH_ALT_GEOM)
        jw_kint(w, "alt_geom_ft", m->alt_geom_ft);
    if (h & MH_GEOM_DIFF)
        jw_kint(w, "geom_minus_baro_ft", m->geom_minus_baro_ft);
    if (h & MH_CPR) {
        jw_kint(w, "cpr_format", m->cpr_odd);
        jw_kint(w, "cpr_lat", m->cpr_lat);
        jw_kint(w, "cpr_lon", m->cpr_lon);
        if (m->cpr_surface)
            jw_kbool(w, "cpr_surface", 1);
    }
    if (h & MH_POS) {
        static const char *const src[] = {"none", "global", "local_aircraft", "local_receiver"};
        jw_kfixed(w, "lat", m->lat_deg, 6);
        jw_kfixed(w, "lon", m->lon_deg, 6);
        jw_kstr(w, "pos_src", src[m->pos_src & 3u]);
    }
    if (h & MH_GS)
        jw_kfixed(w, "gs_kt", m->gs_kt, 1);
    if (h & MH_TRACK)
        jw_kfixed(w, "track_deg", m->track_deg, 2);
    if (h & MH_VRATE) {
        jw_kint(w, "vrate_fpm", m->vrate_fpm);
        jw_kstr(w, "vrate_src", m->vrate_geom ? "gnss" : "baro");
    }
    if (h & MH_VRATE_INERTIAL)
        jw_kint(w, "vrate_inertial_fpm", m->vrate_inertial_fpm);
    if (h & MH_TAS)
        jw_kint(w, "tas_kt", m->tas_kt);
    if (h & MH_IAS)
        jw_kint(w, "ias_kt", m->ias_kt);
    if (h & MH_MACH)
        jw_kfixed(w, "mach", m->mach, 3);
    if (h & MH_HEADING) {
        jw_kfixed(w, "heading_deg", m->heading_deg, 2);
        jw_kstr(w, "heading_ref", m->heading_true ? "true" : "magnetic");
    }
    if (m->supersonic)
        jw_kbool(w, "supersonic", 1);
    if (h & MH_ROLL)
        jw_kfixed(w, "roll_deg", m->roll_deg, 2);
    if (h & MH_TRACK_RATE)
        jw_kfixed(w, "track_rate_dps", m->track_rate_dps, 3);
    if (h & MH_SEL_ALT_MCP)
        jw_kint(w, "sel_alt_mcp_ft", m->sel_alt_mcp_ft);
    if (h & MH_SEL_ALT_FMS)
        jw_kint(w, "sel_alt_fms_ft", m->sel_alt_fms_ft);
    if (h & MH_BARO_SET)
        jw_kfixed(w, "baro_hpa", m->baro_hpa, 1);
    if (h & MH_SEL_HEADING) {
        jw_kfixed(w, "sel_heading_deg", m->sel_heading_deg, 2);
        jw_kstr(w, "sel_heading_ref", m->sel_heading_true ? "true" : "magnetic");
    }
    if (h & MH_TSS1)
        put_tss1(w, &m->tss1);
    if (h & MH_HRD) {
        jw_kstr(w, "hrd", m->hrd_magnetic ? "magnetic" : "true");
        if (m->st == 1)
            jw_kstr(w, "tah", m->tah_heading ? "heading" : "track");
    }
    if ((h & MH_NAV_MODES) || (m->nav_modes & MODES_NAV_TCAS)) {
        static const char *const nav[] = {"autopilot", "vnav", "alt_hold",
                                          "approach",  "lnav", "tcas"};
        jw_key(w, "nav_modes");
        jw_arr(w);
        for (unsigned i = 0; i < 6; i++)
            if (m->nav_modes & (1u << i))
                jw_str(w, nav[i]);
        jw_end(w);
    }
    if (h & MH_NIC)
        jw_kint(w, "nic", m->nic);
    if (h & MH_NAC_P)
        jw_kint(w, "nac_p", m->nac_p);
    if (h & MH_NAC_V)
        jw_kint(w, "nac_v", m->nac_v);
    if (h & MH_SIL)
        jw_kint(w, "sil", m->sil);
    if (h & MH_SIL_SUPP)
        jw_kstr(w, "sil_type", m->sil_per_sample ? "per_sample" : "per_hour");
    if (h & MH_NIC_BARO)
        jw_kint(w, "nic_baro", m->nic_baro);
    if (h & MH_GVA)
        jw_kint(w, "gva", m->gva);
    if (h & MH_VERSION)
        jw_kint(w, "version", m->version);
    if (h & MH_TCAS_RA) {
        jw_key(w, "tcas_ra");
        jw_obj(w);
        jw_kint(w, "ara", m->ara);
        jw_kint(w, "rac", m->rac);
        jw_kint(w, "rat", m->rat);
        jw_kint(w, "mte", m->mte);
        jw_kint(w, "tti", m->tti);
        if (m->tti == 1) /* the threat's address: the first 24 of the 26 bits */
            put_icao(w, "tid", (m->tid >> 2) & 0xFFFFFFu);
        else
            jw_kint(w, "tid", m->tid);
        jw_end(w);
    }
    if (h & MH_BDS) {
        if (m->bds_ambiguous) {
            static const char *const cand[] = {"1,0", "1,7", "2,0", "3,0", "4,0",
                                               "5,0", "6,0", "4,4", "4,5"};
            jw_kstr(w, "bds", "ambiguous");
            jw_key(w, "bds_cands");
            jw_arr(w);
            for (unsigned i = 0; i < 9; i++)
                if (m->bds_cands & (1u << i))
                    jw_str(w, cand[i]);
            jw_end(w);
        } else {
            jw_kstr(w, "bds", bds_name(m->bds));
        }
    }
    if (h & MH_BDS17)
        jw_kuint(w, "bds17_caps", m->bds17_caps);
    if (h & MH_MET)
        put_met(w, &m->met, m->bds);
    jw_end(w);
}

/* NACp to the estimated position uncertainty EPU, m: the 95 % bound on
 * the horizontal position error (DO-260B Table 2-70; 0 = unknown). This is
 * an accuracy. NIC's containment radius Rc is an integrity bound (the
 * error exceeds it with probability below 1e-7 per hour), tens of times
 * larger than the accuracy, and is not what struct report.pos_acc_m means. */
static float nacp_epu_m(unsigned nac_p)
{
    static const float epu[12] = {0.0f,   18520.0f, 7408.0f, 3704.0f, 1852.0f, 926.0f,
                                  555.6f, 185.2f,   92.6f,   30.0f,   10.0f,   3.0f};
    return nac_p < 12 ? epu[nac_p] : 0.0f;
}

int modes_msg_to_report(const struct modes_msg *m, int64_t t0_utc_ms, struct report *r)
{
    uint32_t sensor = r->sensor_id;
    memset(r, 0, sizeof *r);
    r->sensor_id = sensor;
    r->sensor_kind = SENSOR_ADSB_RX;
    r->t_ms = t0_utc_ms + (int64_t)llround(m->t_s * 1000.0);
    uint64_t h = m->has;
    if (m->kind == FRAME_MODEAC) {
        r->kind = REP_MODEAC;
    } else {
        if (!(h & MH_ICAO))
            return CAIRN_E_INVAL;
        /* DF18 CF 4: its AA field is management data, not an address */
        if (m->addr_type == MODES_AT_TISB_MGMT)
            return CAIRN_E_INVAL;
        r->kind = (h & (MH_ADSB | MH_COARSE)) ? REP_ADSB : REP_MODES;
        r->icao = m->icao;
        /* a non-ICAO address (anonymous, TIS-B track file) is kept but
         * not offered as an ICAO address: it could equal a real one */
        if (m->addr_src == MODES_ADDR_NON_ICAO)
            r->addr_non_icao = 1;
        else
            r->has |= REP_HAS_ICAO;
        r->derived = m->derived; /* enum modes_derived = enum report_derived */
    }
    if (h & MH_SQUAWK) {
        r->squawk = m->squawk;
        r->has |= REP_HAS_SQUAWK;
    }
    if (h & MH_CALLSIGN) {
        memcpy(r->callsign, m->callsign, sizeof r->callsign);
        r->has |= REP_HAS_CALLSIGN;
    }
    if (h & MH_POS) {
        r->lat_deg = m->lat_deg;
        r->lon_deg = m->lon_deg;
        r->has |= REP_HAS_POS;
        if (m->pos_nac_p > 0 && m->pos_nac_p < 12) {
            r->pos_acc_m = nacp_epu_m(m->pos_nac_p);
            r->has |= REP_HAS_POS_ACC;
        }
    }
    if (h & MH_ALT_BARO) {
        r->alt_baro_ft = m->alt_baro_ft;
        r->has |= REP_HAS_ALT_BARO;
    }
    if (h & MH_ALT_GEOM) {
        r->alt_geom_ft = m->alt_geom_ft;
        r->has |= REP_HAS_ALT_GEOM;
    }
    if (h & MH_GS) {
        r->gs_kt = m->gs_kt;
        r->has |= REP_HAS_GS;
    }
    if (h & MH_TRACK) {
        r->track_deg = m->track_deg;
        r->has |= REP_HAS_TRACK;
    }
    if (h & MH_VRATE) {
        r->vrate_fpm = (float)m->vrate_fpm;
        r->has |= REP_HAS_VRATE;
    }
    if (h & MH_HEADING) {
        r->heading_deg = m->heading_deg;
        r->has |= REP_HAS_HEADING;
    }
    if (h & MH_EMERGENCY) {
        r->emergency = m->emergency;
        r->has |= REP_HAS_EMERGENCY;
    }
    if (h & MH_ON_GROUND) {
        r->on_ground = m->on_ground;
        r->has |= REP_HAS_GROUND;
    }
    /* Selected altitude (ADS-B target state TC29, Comm-B BDS 4,0). The
     * MCP/FCU value is what the autopilot captures; the FMS value is a
     * constraint of the flight plan, used only when the MCP one is absent. */
    if (h & (MH_SEL_ALT_MCP | MH_SEL_ALT_FMS)) {
        r->sel_alt_ft = (h & MH_SEL_ALT_MCP) ? m->sel_alt_mcp_ft : m->sel_alt_fms_ft;
        r->has |= REP_HAS_SEL_ALT;
    }
    return 0;
}
