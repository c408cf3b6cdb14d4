/*
 * cat004.c — alerts as CAT004 records (cat004.h).
 */
#include "app/cat004.h"

#include <string.h>

#include "base/error.h"
#include "decode/asterix/typed.h"
#include "detect/detect.h"
#include "track/track.h"

/* The largest I070 MHS (16 bits of 0.5 m). */
#define MHS_MAX_M (65535 * 0.5)

static void party(struct ax04_aircraft *ac, const struct det_party *p)
{
    memset(ac, 0, sizeof *ac);
    if (p->callsign[0]) {
        /* AI: 7 characters of [A-Z0-9 ]; anything else is left out */
        size_t k = 0;
        for (size_t i = 0; p->callsign[i] && k < 7; i++) {
            char ch = p->callsign[i];
            if ((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == ' ')
                ac->ident[k++] = ch;
        }
        ac->ident[k] = 0;
        ac->has_ident = k > 0;
    }
    if (p->ids & TRK_ID_SQUAWK) {
        ac->has_mode3a = 1;
        ac->mode3a = p->squawk & 07777;
    }
}

static double value(const struct det_alert *a, const char *name, int *has)
{
    for (unsigned i = 0; i < a->n_values; i++)
        if (a->values[i].name && !strcmp(a->values[i].name, name)) {
            *has = a->values[i].v >= 0;
            return a->values[i].v;
        }
    *has = 0;
    return 0;
}

int app_cat004(const struct det_alert *a, uint8_t sac, uint8_t sic, int64_t now_ms, uint8_t *out,
               size_t cap)
{
    if (a->rule != DET_RULE_SEPARATION && a->rule != DET_RULE_ZONE)
        return 0;
    struct ax04_alert m;
    memset(&m, 0, sizeof m);
    m.sac = sac;
    m.sic = sic;
    int64_t day = now_ms % 86400000;
    m.tod_s = (double)(day < 0 ? day + 86400000 : day) / 1000.0;
    m.has_alert_id = 1;
    m.alert_id = (uint16_t)(a->id & 0xFFFF);
    if (a->state == DET_ST_CLEARED) {
        m.type = AX04_EOC;
    } else {
        m.type = a->rule == DET_RULE_SEPARATION ? AX04_STCA : AX04_APW;
        m.has_status = 1;
        m.status = a->state == DET_ST_OPEN ? 0 : 1;
    }
    if (a->n_parties >= 1) {
        m.has_track1 = 1;
        m.track1 = (uint16_t)(a->parties[0].track_id & 0xFFFF);
        party(&m.ac1, &a->parties[0]);
    }
    if (a->n_parties >= 2) {
        m.has_track2 = 1;
        m.track2 = (uint16_t)(a->parties[1].track_id & 0xFFFF);
        party(&m.ac2, &a->parties[1]);
    }
    if (a->rule == DET_RULE_SEPARATION && m.type == AX04_STCA) {
        int h;
        double v = value(a, "horiz_nm", &h);
        if ((m.has_chs = h))
            m.chs_m = v * 1852.0;
        /* MHS is 16 bits of 0.5 m: a predicted minimum beyond 32,767.5 m
         * (17.7 NM; separation_nm goes to 20) is left out, not the alert */
        v = value(a, "cpa_horiz_nm", &h);
        if ((m.has_mhs = h && a->hypothesis != NULL && v * 1852.0 <= MHS_MAX_M))
            m.mhs_m = v * 1852.0;
        v = value(a, "cpa_s", &h);
        if ((m.has_tca = h && a->hypothesis != NULL))
            m.tca_s = v;
        v = value(a, "vert_ft", &h);
        if ((m.has_cvs = h))
            m.cvs_ft = v;
        v = value(a, "cpa_vert_ft", &h);
        if ((m.has_mvs = h && a->hypothesis != NULL))
            m.mvs_ft = v;
    }
    /* one record in one data block (CAT, LEN, record), as a datagram
     * carries it (ASTERIX Part 1, section 4) */
    if (cap < 3)
        return CAIRN_E_FULL;
    int n = ax04_encode(&m, out + 3, cap - 3);
    if (n <= 0)
        return n < 0 ? n : CAIRN_E_FULL;
    out[0] = 4;
    out[1] = (uint8_t)((n + 3) >> 8);
    out[2] = (uint8_t)(n + 3);
    return n + 3;
}
