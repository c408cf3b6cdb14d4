/*
 * encode.c — DF17 extended squitter encoders (see encode.h for the layouts'
 * references). Each ME field is assembled in a 64-bit integer, most
 * significant bit first, then copied into bytes 4..10 of the reply.
 */
#include "decode/modes/encode.h"

#include <math.h>
#include <string.h>

#include "base/error.h"
#include "decode/modes/modes.h"

#define DF17_CA 5u /* capability 5: level 2+ transponder, airborne */

/* Bytes 0-3 (DF, CA, address) and the ME field, then the parity. */
static void df17(uint32_t icao, uint64_t me56, uint8_t out[14])
{
    out[0] = (uint8_t)(17u << 3 | DF17_CA);
    out[1] = (uint8_t)(icao >> 16);
    out[2] = (uint8_t)(icao >> 8);
    out[3] = (uint8_t)icao;
    for (int i = 0; i < 7; i++)
        out[4 + i] = (uint8_t)(me56 >> (48 - 8 * i));
    modes_enc_parity(out, 14);
}

void modes_enc_parity(uint8_t *msg, size_t len)
{
    msg[len - 3] = msg[len - 2] = msg[len - 1] = 0;
    uint32_t crc = modes_crc(msg, len); /* CRC of the rest XOR 0 */
    msg[len - 3] = (uint8_t)(crc >> 16);
    msg[len - 2] = (uint8_t)(crc >> 8);
    msg[len - 1] = (uint8_t)crc;
}

unsigned modes_enc_id13(uint16_t sq)
{
    unsigned a = sq >> 9 & 7u, b = sq >> 6 & 7u, c = sq >> 3 & 7u, d = sq & 7u;
    /* bit 12 .. bit 0: C1 A1 C2 A2 C4 A4 X B1 D1 B2 D2 B4 D4 */
    return (c & 1u) << 12 | (a & 1u) << 11 | (c >> 1 & 1u) << 10 | (a >> 1 & 1u) << 9 |
           (c >> 2 & 1u) << 8 | (a >> 2 & 1u) << 7 | (b & 1u) << 5 | (d & 1u) << 4 |
           (b >> 1 & 1u) << 3 | (d >> 1 & 1u) << 2 | (b >> 2 & 1u) << 1 | (d >> 2 & 1u);
}

/* ICAO 6-bit character set (Annex 10 Vol IV §3.1.2.9.1.2): A-Z 1-26,
 * space 32, 0-9 48-57. */
static int icao6(char ch)
{
    if (ch >= 'A' && ch <= 'Z')
        return ch - 'A' + 1;
    if (ch >= '0' && ch <= '9')
        return ch;
    if (ch == ' ')
        return 32;
    return -1;
}

int modes_enc_ident(uint32_t icao, unsigned category, const char *callsign, uint8_t out[14])
{
    size_t n = strlen(callsign);
    if (n > 8 || category > 7)
        return CAIRN_E_INVAL;
    uint64_t me = (uint64_t)4 << 51 | (uint64_t)category << 48;
    for (size_t i = 0; i < 8; i++) {
        int v = i < n ? icao6(callsign[i]) : 32;
        if (v < 0)
            return CAIRN_E_INVAL;
        me |= (uint64_t)v << (42 - 6 * i);
    }
    df17(icao, me, out);
    return 0;
}

void modes_enc_airpos(uint32_t icao, unsigned tc, double lat_deg, double lon_deg, double alt_ft,
                      int odd, uint8_t out[14])
{
    if (tc < 9 || tc > 18)
        tc = 11;
    /* Q = 1: N = (alt + 1000) / 25 in 11 bits around the Q bit (0x010). */
    double nd = floor((alt_ft + 1000.0) / 25.0 + 0.5);
    if (nd < 0)
        nd = 0;
    if (nd > 2047)
        nd = 2047;
    unsigned n = (unsigned)nd;
    unsigned ac12 = (n & 0x7F0u) << 1 | 0x010u | (n & 0x00Fu);
    uint32_t lat17, lon17;
    modes_cpr_encode(lat_deg, lon_deg, odd, 0, &lat17, &lon17);
    /* TC(5) SS(2) SAF(1) ALT(12) T(1) F(1) LAT(17) LON(17) */
    uint64_t me = (uint64_t)tc << 51 | (uint64_t)ac12 << 36 | (uint64_t)(odd ? 1 : 0) << 34 |
                  (uint64_t)lat17 << 17 | lon17;
    df17(icao, me, out);
}

/* |v| + 1 in a field of `max` (0 = no information), clamped. */
static unsigned speed_field(double v, unsigned max)
{
    double r = floor(fabs(v) + 0.5) + 1;
    return r > max ? max : (unsigned)r;
}

void modes_enc_velocity(uint32_t icao, double gs_kt, double track_deg, double vrate_fpm,
                        uint8_t out[14])
{
    const double k = M_PI / 180.0;
    double ve = gs_kt * sin(track_deg * k), vn = gs_kt * cos(track_deg * k);
    unsigned sew = ve < 0, sns = vn < 0;
    unsigned vew = speed_field(ve, 1022), vns = speed_field(vn, 1022);
    unsigned svr = vrate_fpm < 0;
    double vr = floor(fabs(vrate_fpm) / 64.0 + 0.5) + 1;
    unsigned vrf = vr > 511 ? 511 : (unsigned)vr;
    /* TC(5) ST(3) IC(1) IFR(1) NUCv(3) Sew(1) Vew(10) Sns(1) Vns(10)
     * VrSrc(1) Svr(1) VR(9) res(2) SDif(1) dAlt(7); VrSrc 1 = baro */
    uint64_t me = (uint64_t)19 << 51 | (uint64_t)1 << 48 | (uint64_t)sew << 42 |
                  (uint64_t)vew << 32 | (uint64_t)sns << 31 | (uint64_t)vns << 21 |
                  (uint64_t)1 << 20 | (uint64_t)svr << 19 | (uint64_t)vrf << 10;
    df17(icao, me, out);
}

void modes_enc_status(uint32_t icao, unsigned emergency, uint16_t squawk, uint8_t out[14])
{
    /* TC(5) ST(3) emergency(3) Mode A(13) reserved(32) */
    uint64_t me = (uint64_t)28 << 51 | (uint64_t)1 << 48 | (uint64_t)(emergency & 7u) << 45 |
                  (uint64_t)modes_enc_id13(squawk) << 32;
    df17(icao, me, out);
}

unsigned modes_enc_squawk_emergency(uint16_t squawk)
{
    switch (squawk) {
    case 07500:
        return 5; /* EMERG_UNLAWFUL */
    case 07600:
        return 4; /* EMERG_NORDO */
    case 07700:
        return 1; /* EMERG_GENERAL */
    default:
        return 0;
    }
}
