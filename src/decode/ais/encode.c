/*
 * encode.c — AIS payload and sentence encoders (layouts and references in
 * encode.h).
 */
#include "decode/ais/encode.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/error.h"
#include "decode/ais/nmea.h"
#include "decode/ais/sixbit.h"

struct bitw {
    uint8_t *bits;
    size_t cap, n;
};

static void put(struct bitw *w, uint64_t v, unsigned nb)
{
    for (unsigned i = 0; i < nb; i++, w->n++) {
        if (w->n >= w->cap)
            continue; /* callers check capacity first; never write past it */
        if (v >> (nb - 1 - i) & 1u)
            w->bits[w->n / 8] |= (uint8_t)(0x80u >> (w->n % 8));
    }
}

static void put_s(struct bitw *w, int64_t v, unsigned nb)
{
    put(w, (uint64_t)v & ((1ull << nb) - 1), nb);
}

/* Six-bit text (M.1371 Annex 8 Table 47): '@' 0 .. '_' 31, ' ' 32 .. '?' 63;
 * padded with '@' to nchars. */
static void put_text(struct bitw *w, const char *s, unsigned nchars)
{
    size_t n = strlen(s);
    for (unsigned i = 0; i < nchars; i++) {
        unsigned c = i < n ? (unsigned char)s[i] : '@';
        if (c >= 'a' && c <= 'z')
            c -= 32;
        if (c < 32 || c > 95)
            c = '?';
        put(w, c >= 64 ? c - 64 : c, 6);
    }
}

/* Position in 1/10000 minute; "not available" 181° / 91° when out of range. */
static int64_t ll(double deg, double max, double na)
{
    if (!(fabs(deg) <= max))
        deg = na;
    return (int64_t)floor(deg * 600000.0 + 0.5);
}

int ais_enc_position(const struct ais_enc_pos *p, uint8_t *bits, size_t cap_bits)
{
    if (cap_bits < 168)
        return CAIRN_E_TOOBIG;
    if (p->mmsi >= (1u << 30) || !(p->type == 1 || p->type == 2 || p->type == 3 || p->type == 18))
        return CAIRN_E_INVAL;
    memset(bits, 0, (cap_bits + 7) / 8);
    struct bitw w = {bits, cap_bits, 0};
    unsigned sog = 1023, cog = 3600;
    if (p->sog_kn >= 0)
        sog = p->sog_kn >= 102.2 ? 1022 : (unsigned)floor(p->sog_kn * 10 + 0.5);
    if (p->cog_deg >= 0 && p->cog_deg < 360) {
        cog = (unsigned)floor(p->cog_deg * 10 + 0.5);
        if (cog >= 3600)
            cog = 0;
    }
    unsigned hdg = p->heading_deg >= 0 && p->heading_deg < 360 ? (unsigned)p->heading_deg : 511;
    unsigned sec = p->utc_second <= 60 ? p->utc_second : 60;
    put(&w, p->type, 6);
    put(&w, 0, 2); /* repeat */
    put(&w, p->mmsi, 30);
    if (p->type == 18) {
        put(&w, 0, 8); /* regional reserved */
    } else {
        put(&w, p->nav_status & 15u, 4);
        put_s(&w, -128, 8); /* rate of turn: not available */
    }
    put(&w, sog, 10);
    put(&w, 0, 1); /* position accuracy: > 10 m */
    put_s(&w, ll(p->lon_deg, 180, 181), 28);
    put_s(&w, ll(p->lat_deg, 90, 91), 27);
    put(&w, cog, 12);
    put(&w, hdg, 9);
    put(&w, sec, 6);
    if (p->type == 18) {
        put(&w, 0, 2); /* regional reserved */
        put(&w, 1, 1); /* CS unit: class B "CS" (carrier sense) */
        put(&w, 0, 4); /* display, DSC, band, message 22 flags */
        put(&w, 0, 1); /* autonomous mode */
        put(&w, 0, 1); /* RAIM */
        put(&w, 1, 1); /* communication state selector: ITDMA */
        put(&w, 0, 19);
    } else {
        put(&w, 0, 2);  /* special manoeuvre: not available */
        put(&w, 0, 3);  /* spare */
        put(&w, 0, 1);  /* RAIM */
        put(&w, 0, 19); /* SOTDMA communication state */
    }
    return (int)w.n;
}

int ais_enc_static5(const struct ais_enc_static *s, uint8_t *bits, size_t cap_bits)
{
    if (cap_bits < 424)
        return CAIRN_E_TOOBIG;
    if (s->mmsi >= (1u << 30) || s->imo >= (1u << 30))
        return CAIRN_E_INVAL;
    memset(bits, 0, (cap_bits + 7) / 8);
    struct bitw w = {bits, cap_bits, 0};
    put(&w, 5, 6);
    put(&w, 0, 2);
    put(&w, s->mmsi, 30);
    put(&w, 0, 2); /* AIS version: M.1371-1 */
    put(&w, s->imo, 30);
    put_text(&w, s->callsign, 7);
    put_text(&w, s->shipname, 20);
    put(&w, s->ship_type, 8);
    put(&w, s->to_bow_m > 511 ? 511 : s->to_bow_m, 9);
    put(&w, s->to_stern_m > 511 ? 511 : s->to_stern_m, 9);
    put(&w, s->to_port_m > 63 ? 63 : s->to_port_m, 6);
    put(&w, s->to_starboard_m > 63 ? 63 : s->to_starboard_m, 6);
    put(&w, 1, 4);  /* EPFD: GPS */
    put(&w, 0, 4);  /* ETA month: not available */
    put(&w, 0, 5);  /* day */
    put(&w, 24, 5); /* hour: not available */
    put(&w, 60, 6); /* minute: not available */
    double d = floor(s->draught_m * 10 + 0.5);
    put(&w, d < 0 ? 0 : d > 255 ? 255 : (unsigned)d, 8);
    put_text(&w, s->destination, 20);
    put(&w, 0, 1); /* DTE: available */
    put(&w, 0, 1); /* spare */
    return (int)w.n;
}

int ais_enc_vdm(const uint8_t *bits, size_t nbits, char channel, unsigned seq_id,
                int64_t tag_unix_s, char *out, size_t cap)
{
    char pay[AIS_ENC_CHARS * 9 + 8];
    unsigned fill = 0;
    if (nbits > AIS_ENC_CHARS * 9 * 6)
        return CAIRN_E_TOOBIG;
    int nc = ais_armour(bits, nbits, pay, sizeof pay, &fill);
    if (nc < 0)
        return nc;
    unsigned nsent = nc == 0 ? 1 : (unsigned)(nc + AIS_ENC_CHARS - 1) / AIS_ENC_CHARS;
    size_t off = 0;
    for (unsigned k = 0; k < nsent; k++) {
        char body[128];
        int pos = k * AIS_ENC_CHARS;
        int len = nc - pos < AIS_ENC_CHARS ? nc - pos : AIS_ENC_CHARS;
        char seq[4] = "";
        if (nsent > 1)
            snprintf(seq, sizeof seq, "%u", seq_id % 10);
        int bn = snprintf(body, sizeof body, "AIVDM,%u,%u,%s,%c,%.*s,%u", nsent, k + 1, seq,
                          channel, len, pay + pos, k + 1 == nsent ? fill : 0);
        if (bn < 0 || (size_t)bn >= sizeof body)
            return CAIRN_E_FULL;
        int n;
        if (tag_unix_s >= 0) {
            char tag[32];
            int tn = snprintf(tag, sizeof tag, "c:%" PRId64, tag_unix_s);
            n = snprintf(out + off, cap - off, "\\%s*%02X\\!%s*%02X\r\n", tag,
                         nmea_checksum(tag, (size_t)tn), body, nmea_checksum(body, (size_t)bn));
        } else {
            n = snprintf(out + off, cap - off, "!%s*%02X\r\n", body,
                         nmea_checksum(body, (size_t)bn));
        }
        if (n < 0 || (size_t)n >= cap - off)
            return CAIRN_E_FULL;
        off += (size_t)n;
    }
    return (int)off;
}
