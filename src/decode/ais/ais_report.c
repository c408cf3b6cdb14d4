/*
 * ais_report.c — AIS messages as normalised observations (decode/report.h).
 *
 * Position units and "not available" values from ITU-R M.1371-5 Annex 8:
 * longitude 181 deg and latitude 91 deg mean no position; speed 1023 (1/10 kt
 * or kt for type 9), course 3600 (1/10 deg), heading 511, altitude 4095 m.
 * Type 9 comes from a search-and-rescue aircraft: its altitude is a GNSS
 * altitude in metres (M.1371 table 48), so the report carries alt_geom_ft.
 * Navigational status (message 1-3, 15 = not defined), ship and cargo type
 * (message 5, 19, 24 part B; 0 = not available) and the dimensions of the
 * ship from its reference point (all four 0 = not available; 511 m and
 * 63 m mean "that much or more") are copied as sent (M.1371-5 Table 50,
 * Table 53 and Fig. 42). t_ms is already UTC: the TAG block time or the
 * caller's now (struct ais_msg).
 */
#include <string.h>

#include "base/error.h"
#include "decode/ais/ais.h"

#define M_TO_FT 3.280839895 /* 1 ft = 0.3048 m exactly */

/* Position in 1/10000 minute (div 600000) or 1/10 minute (div 600). */
static void set_pos(struct report *r, int32_t lon, int32_t lat, double div)
{
    if (lon == (int32_t)(181 * div) || lat == (int32_t)(91 * div))
        return;
    double lo = lon / div, la = lat / div;
    if (lo < -180 || lo > 180 || la < -90 || la > 90)
        return;
    r->lon_deg = lo;
    r->lat_deg = la;
    r->has |= REP_HAS_POS;
}

static void set_acc(struct report *r, unsigned accuracy)
{
    /* Position accuracy flag: 1 = better than 10 m, 0 = worse. */
    if (accuracy && (r->has & REP_HAS_POS)) {
        r->pos_acc_m = 10.0f;
        r->has |= REP_HAS_POS_ACC;
    }
}

static void set_motion(struct report *r, unsigned speed_dkt, unsigned course_ddeg, unsigned heading)
{
    if (speed_dkt != 1023) {
        r->gs_kt = (float)speed_dkt / 10.0f;
        r->has |= REP_HAS_GS;
    }
    if (course_ddeg < 3600) {
        r->track_deg = (float)course_ddeg / 10.0f;
        r->has |= REP_HAS_TRACK;
    }
    if (heading < 360) {
        r->heading_deg = (float)heading;
        r->has |= REP_HAS_HEADING;
    }
}

/* Ship type at type_pos (8 bits), dimensions at dim_pos (9, 9, 6, 6 bits). */
static void set_static(struct report *r, const struct ais_msg *m, size_t type_pos, size_t dim_pos)
{
    unsigned type = ais_msg_u(m, type_pos, 8);
    if (type != 0) {
        r->ship_type = (uint8_t)type;
        r->has |= REP_HAS_SHIP_TYPE;
    }
    size_t d = dim_pos; /* bow 9, stern 9, port 6, starboard 6 bits */
    unsigned bow = ais_msg_u(m, d, 9), stern = ais_msg_u(m, d + 9, 9);
    unsigned port = ais_msg_u(m, d + 18, 6), stbd = ais_msg_u(m, d + 24, 6);
    if (bow | stern | port | stbd) {
        r->dim_bow_m = (uint16_t)bow;
        r->dim_stern_m = (uint16_t)stern;
        r->dim_port_m = (uint8_t)port;
        r->dim_stbd_m = (uint8_t)stbd;
        r->has |= REP_HAS_DIMS;
    }
}

static void set_callsign(struct report *r, const struct ais_msg *m, size_t pos)
{
    char cs[8];
    ais_msg_text(m, pos, 7, cs, sizeof cs);
    if (cs[0]) {
        memcpy(r->callsign, cs, sizeof cs);
        r->has |= REP_HAS_CALLSIGN;
    }
}

int ais_msg_to_report(const struct ais_msg *m, uint32_t sensor_id, struct report *r)
{
    memset(r, 0, sizeof *r);
    r->t_ms = m->t_ms;
    r->sensor_id = sensor_id;
    r->kind = REP_AIS;
    r->sensor_kind = SENSOR_AIS_RX;
    r->mmsi = m->mmsi;
    r->has = REP_HAS_MMSI;
    switch (m->type) {
    case 1:
    case 2:
    case 3:
        set_pos(r, ais_msg_s(m, 61, 28), ais_msg_s(m, 89, 27), 600000.0);
        set_acc(r, ais_msg_u(m, 60, 1));
        set_motion(r, ais_msg_u(m, 50, 10), ais_msg_u(m, 116, 12), ais_msg_u(m, 128, 9));
        if (ais_msg_u(m, 38, 4) != 15) {
            r->nav_status = (uint8_t)ais_msg_u(m, 38, 4);
            r->has |= REP_HAS_NAV_STATUS;
        }
        break;
    case 4:
    case 11:
        set_pos(r, ais_msg_s(m, 79, 28), ais_msg_s(m, 107, 27), 600000.0);
        set_acc(r, ais_msg_u(m, 78, 1));
        break;
    case 5:
        set_callsign(r, m, 70);
        set_static(r, m, 232, 240);
        break;
    case 9: {
        set_pos(r, ais_msg_s(m, 61, 28), ais_msg_s(m, 89, 27), 600000.0);
        set_acc(r, ais_msg_u(m, 60, 1));
        unsigned speed = ais_msg_u(m, 50, 10); /* whole knots for SAR aircraft */
        set_motion(r, speed == 1023 ? 1023 : speed * 10, ais_msg_u(m, 116, 12), 511);
        unsigned alt_m = ais_msg_u(m, 38, 12);
        if (alt_m != 4095) {
            r->alt_geom_ft = (int32_t)(alt_m * M_TO_FT + 0.5);
            r->has |= REP_HAS_ALT_GEOM;
        }
        break;
    }
    case 18:
    case 19:
        set_pos(r, ais_msg_s(m, 57, 28), ais_msg_s(m, 85, 27), 600000.0);
        set_acc(r, ais_msg_u(m, 56, 1));
        set_motion(r, ais_msg_u(m, 46, 10), ais_msg_u(m, 112, 12), ais_msg_u(m, 124, 9));
        if (m->type == 19)
            set_static(r, m, 263, 271);
        break;
    case 21:
        set_pos(r, ais_msg_s(m, 164, 28), ais_msg_s(m, 192, 27), 600000.0);
        set_acc(r, ais_msg_u(m, 163, 1));
        break;
    case 24:
        if (m->part24 != AIS_24_A) {
            set_callsign(r, m, 90);
            set_static(r, m, 40, 132); /* vendor id and callsign between */
            /* an auxiliary craft (MMSI 98MIDxxxx) sends its mother ship's
             * MMSI where the dimensions would be */
            if (m->mmsi / 10000000u == 98u) {
                r->has &= ~(uint32_t)REP_HAS_DIMS;
                r->dim_bow_m = r->dim_stern_m = 0;
                r->dim_port_m = r->dim_stbd_m = 0;
            }
        }
        break;
    case 27: {
        set_pos(r, ais_msg_s(m, 44, 18), ais_msg_s(m, 62, 17), 600.0);
        set_acc(r, ais_msg_u(m, 38, 1));
        unsigned speed = ais_msg_u(m, 79, 6), course = ais_msg_u(m, 85, 9);
        /* Speed in knots (63 = not available), course in degrees (511). */
        set_motion(r, speed == 63 ? 1023 : speed * 10, course == 511 ? 3600 : course * 10, 511);
        break;
    }
    default:
        return CAIRN_E_NOTFOUND;
    }
    return 0;
}
