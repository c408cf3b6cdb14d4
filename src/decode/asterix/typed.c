/*
 * typed.c — typed encoders for CAT048, CAT034, CAT062 and CAT065 records
 * (see typed.h for the items and editions).
 *
 * Each encoder appends its items in UAP order to a small record under
 * construction (struct rec): item bytes go to a local buffer and each item
 * is registered with its FRN in a struct ax_record, which ax_record_encode()
 * (encode.c) turns into FSPEC + items. Quantities are rounded to the nearest
 * LSB with range checks (q_unsigned, q_signed); angles wrap into [0, 360).
 *
 * The FRNs below are the positions in each category's UAP (the "uap" list of
 * the specification; a "-" counts as a position).
 */
#include "decode/asterix/typed.h"

#include <math.h>
#include <string.h>

#include "base/error.h"
#include "decode/asterix/encode.h"

struct rec {
    struct ax_record r;
    uint8_t body[AX_TYPED_MAX_RECORD];
    size_t len;
    int err;
};

static void rec_init(struct rec *rc)
{
    rc->r.cat = NULL;
    rc->r.p = NULL;
    rc->r.len = 0;
    rc->r.n_items = 0;
    rc->len = 0;
    rc->err = 0;
}

/* Start the item at FRN frn; items must come in ascending FRN order. */
static void rec_item(struct rec *rc, unsigned frn)
{
    if (rc->err)
        return;
    struct ax_item *it = &rc->r.items[rc->r.n_items++];
    it->desc = NULL;
    it->p = rc->body + rc->len;
    it->len = 0;
    it->frn = (uint8_t)frn;
}

/* Append nbytes (1..8) of v, big-endian, to the current item. */
static void put(struct rec *rc, unsigned nbytes, uint64_t v)
{
    if (rc->err)
        return;
    if (rc->len + nbytes > sizeof rc->body) {
        rc->err = CAIRN_E_FULL;
        return;
    }
    for (unsigned i = 0; i < nbytes; i++)
        rc->body[rc->len++] = (uint8_t)(v >> (8 * (nbytes - 1 - i)));
    rc->r.items[rc->r.n_items - 1].len = (uint16_t)(rc->r.items[rc->r.n_items - 1].len + nbytes);
}

static int rec_finish(struct rec *rc, uint8_t *out, size_t cap)
{
    if (rc->err)
        return rc->err;
    return ax_record_encode(&rc->r, out, cap);
}

/* Round v / lsb to an unsigned field of `bits` bits. */
static uint64_t q_unsigned(struct rec *rc, double v, double lsb, unsigned bits)
{
    double x = nearbyint(v / lsb);
    if (!(x >= 0.0) || x > (double)((1ull << bits) - 1)) { /* !(>=) also catches NaN */
        if (!rc->err)
            rc->err = CAIRN_E_RANGE;
        return 0;
    }
    return (uint64_t)x;
}

/* Round v / lsb to a two's complement field of `bits` bits. */
static uint64_t q_signed(struct rec *rc, double v, double lsb, unsigned bits)
{
    double x = nearbyint(v / lsb);
    double lim = (double)(1ull << (bits - 1));
    if (!(x >= -lim) || x > lim - 1.0) {
        if (!rc->err)
            rc->err = CAIRN_E_RANGE;
        return 0;
    }
    return (uint64_t)(int64_t)x & ((1ull << bits) - 1);
}

/* An angle in degrees to an unsigned field of `bits` bits covering 360 deg. */
static uint64_t q_angle(struct rec *rc, double deg, unsigned bits)
{
    if (!isfinite(deg)) {
        if (!rc->err)
            rc->err = CAIRN_E_RANGE;
        return 0;
    }
    double turns = deg / 360.0;
    turns -= floor(turns);
    uint64_t x = (uint64_t)nearbyint(turns * (double)(1ull << bits));
    return x & ((1ull << bits) - 1); /* 360 deg rounds to 0 */
}

/* Time of day, 1/128 s in 24 bits: [0, 86400) s; a time that rounds up to
 * midnight is 0 (the next day's first tick), anything else outside is an
 * error (a caller passing seconds of the epoch, not of the day). */
static uint64_t q_tod(struct rec *rc, double tod_s)
{
    const double day_ticks = 86400.0 * 128.0;
    double x = nearbyint(tod_s * 128.0);
    if (x == day_ticks)
        return 0;
    if (!(x >= 0.0) || x > day_ticks - 1.0) {
        if (!rc->err)
            rc->err = CAIRN_E_RANGE;
        return 0;
    }
    return (uint64_t)x;
}

/* A flag or small enumeration that must fit `bits` bits. */
static uint64_t q_code(struct rec *rc, unsigned v, unsigned bits)
{
    if (v >> bits) {
        if (!rc->err)
            rc->err = CAIRN_E_RANGE;
        return 0;
    }
    return v;
}

int ax_icao6_pack(const char *text, uint64_t *out48)
{
    uint64_t v = 0;
    size_t n = strlen(text);
    if (n > 8)
        return CAIRN_E_INVAL;
    for (size_t i = 0; i < 8; i++) {
        char ch = i < n ? text[i] : ' ';
        unsigned c;
        /* Annex 10 Vol IV table 3-9: A-Z are 1..26, space 32, 0-9 48..57. */
        if (ch >= 'A' && ch <= 'Z')
            c = (unsigned)(ch - 'A' + 1);
        else if (ch >= '0' && ch <= '9')
            c = (unsigned)(ch - '0' + 48);
        else if (ch == ' ')
            c = 32;
        else
            return CAIRN_E_INVAL;
        v = (v << 6) | c;
    }
    *out48 = v;
    return 0;
}

static void put_callsign(struct rec *rc, uint64_t prefix_byte, int with_prefix, const char *cs)
{
    uint64_t v;
    if (ax_icao6_pack(cs, &v) != 0) {
        if (!rc->err)
            rc->err = CAIRN_E_INVAL;
        return;
    }
    if (with_prefix)
        put(rc, 1, prefix_byte);
    put(rc, 6, v);
}

/* A Mode 3/A code given as an octal number (07700) must have 4 octal digits. */
static uint64_t q_mode3a(struct rec *rc, uint16_t code)
{
    return q_code(rc, code, 12);
}

/* ------------------------------------------------------------ CAT048 */

/* CAT048 UAP (editions 1.31, 1.32): FRN of each item. */
enum {
    F48_010 = 1,
    F48_140 = 2,
    F48_020 = 3,
    F48_040 = 4,
    F48_070 = 5,
    F48_090 = 6,
    F48_130 = 7,
    F48_220 = 8,
    F48_240 = 9,
    F48_161 = 11,
    F48_042 = 12,
    F48_200 = 13,
    F48_170 = 14,
};

/* Time of day: 1/128 s, 24 bits; one day is 86400 s. */
#define TOD_LSB_S (1.0 / 128.0)

int ax48_encode(const struct ax48_report *r, uint8_t *out, size_t cap)
{
    struct rec rc;
    rec_init(&rc);
    rec_item(&rc, F48_010);
    put(&rc, 1, r->sac);
    put(&rc, 1, r->sic);
    rec_item(&rc, F48_140);
    put(&rc, 3, q_tod(&rc, r->tod_s));
    rec_item(&rc, F48_020);
    {
        /* octet 1: TYP(3) SIM RDP SPI RAB FX; octet 2: TST ERR XPP ME MI FOEFRI(2) FX */
        uint64_t o1 = q_code(&rc, r->typ, 3) << 5 | q_code(&rc, r->sim, 1) << 4 |
                      q_code(&rc, r->spi, 1) << 2 | q_code(&rc, r->rab, 1) << 1;
        if (r->tst) {
            put(&rc, 1, o1 | 1u);
            put(&rc, 1, q_code(&rc, r->tst, 1) << 7);
        } else {
            put(&rc, 1, o1);
        }
    }
    if (r->has_polar) {
        rec_item(&rc, F48_040);
        /* RHO 1/256 NM, 16 bits (< 256 NM); THETA 360/2^16 deg */
        put(&rc, 2, q_unsigned(&rc, r->rho_nm, 1.0 / 256.0, 16));
        put(&rc, 2, q_angle(&rc, r->theta_deg, 16));
    }
    if (r->has_mode3a) {
        rec_item(&rc, F48_070);
        put(&rc, 2,
            q_code(&rc, r->mode3a_not_validated, 1) << 15 |
                q_code(&rc, r->mode3a_garbled, 1) << 14 | q_code(&rc, r->mode3a_local, 1) << 13 |
                q_mode3a(&rc, r->mode3a));
    }
    if (r->has_fl) {
        rec_item(&rc, F48_090);
        /* FL in 1/4 FL, 14 bits, two's complement (signed in edition 1.32;
         * 1.31 calls it unsigned, which agrees for every level >= 0) */
        put(&rc, 2,
            q_code(&rc, r->fl_not_validated, 1) << 15 | q_code(&rc, r->fl_garbled, 1) << 14 |
                q_signed(&rc, r->alt_fl, 0.25, 14));
    }
    if (r->has_psr_amplitude || r->has_psr_runlength) {
        rec_item(&rc, F48_130);
        /* compound: SRL SRR SAM PRL PAM RPD APD FX -> PRL is slot 4, PAM slot 5 */
        put(&rc, 1, (r->has_psr_runlength ? 0x10u : 0u) | (r->has_psr_amplitude ? 0x08u : 0u));
        if (r->has_psr_runlength)
            put(&rc, 1, q_unsigned(&rc, r->psr_runlength_deg, 360.0 / 8192.0, 8));
        if (r->has_psr_amplitude) {
            if (r->psr_amplitude_dbm < -128 || r->psr_amplitude_dbm > 127)
                rc.err = rc.err ? rc.err : CAIRN_E_RANGE;
            put(&rc, 1, (uint64_t)(uint8_t)(int8_t)r->psr_amplitude_dbm);
        }
    }
    if (r->has_address) {
        rec_item(&rc, F48_220);
        if (r->icao24 > 0xffffffu) /* 24-bit address */
            rc.err = rc.err ? rc.err : CAIRN_E_RANGE;
        put(&rc, 3, r->icao24 & 0xffffffu);
    }
    if (r->has_callsign) {
        rec_item(&rc, F48_240);
        put_callsign(&rc, 0, 0, r->callsign);
    }
    if (r->has_track_number) {
        rec_item(&rc, F48_161);
        put(&rc, 2, q_code(&rc, r->track_number, 12));
    }
    if (r->has_xy) {
        rec_item(&rc, F48_042);
        put(&rc, 2, q_signed(&rc, r->x_nm, 1.0 / 128.0, 16));
        put(&rc, 2, q_signed(&rc, r->y_nm, 1.0 / 128.0, 16));
    }
    if (r->has_velocity) {
        rec_item(&rc, F48_200);
        /* GSP 2^-14 NM/s: 1 kt = 1/3600 NM/s */
        put(&rc, 2, q_unsigned(&rc, r->gs_kt / 3600.0, 1.0 / 16384.0, 16));
        put(&rc, 2, q_angle(&rc, r->hdg_deg, 16));
    }
    if (r->has_track_status) {
        rec_item(&rc, F48_170);
        /* octet 1: CNF RAD(2) DOU MAH CDM(2) FX; octet 2: TRE GHO SUP TCC spare(3) FX */
        uint64_t o1 = q_code(&rc, r->tentative, 1) << 7 | q_code(&rc, r->rad, 2) << 5;
        if (r->end_of_track || r->ghost) {
            put(&rc, 1, o1 | 1u);
            put(&rc, 1, q_code(&rc, r->end_of_track, 1) << 7 | q_code(&rc, r->ghost, 1) << 6);
        } else {
            put(&rc, 1, o1);
        }
    }
    return rec_finish(&rc, out, cap);
}

/* ------------------------------------------------------------ CAT034 */

enum { F34_010 = 1, F34_000 = 2, F34_030 = 3, F34_020 = 4, F34_041 = 5, F34_050 = 6 };

int ax34_encode(const struct ax34_service *s, uint8_t *out, size_t cap)
{
    struct rec rc;
    rec_init(&rc);
    rec_item(&rc, F34_010);
    put(&rc, 1, s->sac);
    put(&rc, 1, s->sic);
    rec_item(&rc, F34_000);
    put(&rc, 1, s->type);
    rec_item(&rc, F34_030);
    put(&rc, 3, q_tod(&rc, s->tod_s));
    if (s->has_sector) {
        rec_item(&rc, F34_020);
        put(&rc, 1, q_angle(&rc, s->sector_deg, 8));
    }
    if (s->has_rotation) {
        rec_item(&rc, F34_041);
        put(&rc, 2, q_unsigned(&rc, s->rotation_period_s, TOD_LSB_S, 16));
    }
    if (s->has_status || s->has_psr_status) {
        rec_item(&rc, F34_050);
        /* compound: COM - - PSR SSR MDS FX -> COM slot 0, PSR slot 3 */
        put(&rc, 1, (s->has_status ? 0x80u : 0u) | (s->has_psr_status ? 0x10u : 0u));
        if (s->has_status)
            put(&rc, 1,
                q_code(&rc, s->nogo, 1) << 7 | q_code(&rc, s->rdpc, 1) << 6 |
                    q_code(&rc, s->rdpr, 1) << 5 | q_code(&rc, s->ovl_rdp, 1) << 4 |
                    q_code(&rc, s->ovl_xmt, 1) << 3 | q_code(&rc, s->msc, 1) << 2 |
                    q_code(&rc, s->tsv, 1) << 1);
        if (s->has_psr_status)
            put(&rc, 1,
                q_code(&rc, s->psr_ant, 1) << 7 | q_code(&rc, s->psr_chab, 2) << 5 |
                    q_code(&rc, s->psr_ovl, 1) << 4 | q_code(&rc, s->psr_msc, 1) << 3);
    }
    return rec_finish(&rc, out, cap);
}

/* ------------------------------------------------------------ CAT062 */

/* CAT062 UAP (editions 1.19, 1.21): FRN 2 is a "-". */
enum {
    F62_010 = 1,
    F62_015 = 3,
    F62_070 = 4,
    F62_105 = 5,
    F62_100 = 6,
    F62_185 = 7,
    F62_060 = 9,
    F62_245 = 10,
    F62_380 = 11,
    F62_040 = 12,
    F62_080 = 13,
    F62_290 = 14,
    F62_136 = 17,
    F62_130 = 18,
    F62_135 = 19,
    F62_220 = 20,
};

/* Latitude/longitude LSB of I062/105: 180/2^25 deg. */
#define WGS84_LSB_DEG (180.0 / 33554432.0)
/* I062/290 ages: 1/4 s in one octet. */
#define AGE_LSB_S 0.25

static void put_track_status(struct rec *rc, const struct ax62_track *t)
{
    uint64_t o[5];
    o[0] = q_code(rc, t->monosensor, 1) << 7 | q_code(rc, t->spi, 1) << 6 |
           q_code(rc, t->mrh, 1) << 5 | q_code(rc, t->src, 3) << 2 |
           q_code(rc, t->tentative, 1) << 1;
    o[1] = q_code(rc, t->sim, 1) << 7 | q_code(rc, t->end_of_track, 1) << 6 |
           q_code(rc, t->first_report, 1) << 5 | q_code(rc, t->fpl_correlated, 1) << 4 |
           q_code(rc, t->aff, 1) << 3 | q_code(rc, t->stp, 1) << 2 | q_code(rc, t->kos, 1) << 1;
    o[2] = q_code(rc, t->ama, 1) << 7 | q_code(rc, t->md4, 2) << 5 | q_code(rc, t->me, 1) << 4 |
           q_code(rc, t->mi, 1) << 3 | q_code(rc, t->md5, 2) << 1;
    o[3] = q_code(rc, t->coasting, 1) << 7 | q_code(rc, t->psr_stale, 1) << 6 |
           q_code(rc, t->ssr_stale, 1) << 5 | q_code(rc, t->mds_stale, 1) << 4 |
           q_code(rc, t->ads_stale, 1) << 3 | q_code(rc, t->suc, 1) << 2 |
           q_code(rc, t->aac, 1) << 1;
    o[4] = q_code(rc, t->sds, 2) << 6 | q_code(rc, t->ems, 3) << 3 | q_code(rc, t->pft, 1) << 2 |
           q_code(rc, t->fplt, 1) << 1;
    unsigned last = 0; /* the last octet with something to say */
    for (unsigned i = 0; i < 5; i++)
        if (o[i])
            last = i;
    for (unsigned i = 0; i <= last; i++)
        put(rc, 1, o[i] | (i < last ? 1u : 0u));
}

int ax62_encode(const struct ax62_track *t, uint8_t *out, size_t cap)
{
    struct rec rc;
    rec_init(&rc);
    rec_item(&rc, F62_010);
    put(&rc, 1, t->sac);
    put(&rc, 1, t->sic);
    if (t->has_service_id) {
        rec_item(&rc, F62_015);
        put(&rc, 1, t->service_id);
    }
    rec_item(&rc, F62_070);
    put(&rc, 3, q_tod(&rc, t->tot_s));
    if (t->has_wgs84) {
        rec_item(&rc, F62_105);
        if (!(t->lat_deg >= -90.0 && t->lat_deg <= 90.0) ||
            !(t->lon_deg >= -180.0 && t->lon_deg <= 180.0))
            rc.err = rc.err ? rc.err : CAIRN_E_RANGE;
        double lon = t->lon_deg >= 180.0 ? t->lon_deg - 360.0 : t->lon_deg; /* < 180 */
        put(&rc, 4, q_signed(&rc, t->lat_deg, WGS84_LSB_DEG, 32));
        put(&rc, 4, q_signed(&rc, lon, WGS84_LSB_DEG, 32));
    }
    if (t->has_xy) {
        rec_item(&rc, F62_100);
        put(&rc, 3, q_signed(&rc, t->x_m, 0.5, 24));
        put(&rc, 3, q_signed(&rc, t->y_m, 0.5, 24));
    }
    if (t->has_velocity) {
        rec_item(&rc, F62_185);
        put(&rc, 2, q_signed(&rc, t->vx_mps, 0.25, 16));
        put(&rc, 2, q_signed(&rc, t->vy_mps, 0.25, 16));
    }
    if (t->has_mode3a) {
        rec_item(&rc, F62_060);
        put(&rc, 2,
            q_code(&rc, t->mode3a_not_validated, 1) << 15 |
                q_code(&rc, t->mode3a_garbled, 1) << 14 | q_code(&rc, t->mode3a_changed, 1) << 13 |
                q_mode3a(&rc, t->mode3a));
    }
    if (t->has_callsign) {
        rec_item(&rc, F62_245);
        put_callsign(&rc, q_code(&rc, t->callsign_sti, 2) << 6, 1, t->callsign);
    }
    if (t->has_icao24) {
        rec_item(&rc, F62_380);
        /* compound: ADR is slot 0 (24-bit address) */
        if (t->icao24 > 0xffffffu)
            rc.err = rc.err ? rc.err : CAIRN_E_RANGE;
        put(&rc, 1, 0x80u);
        put(&rc, 3, t->icao24 & 0xffffffu);
    }
    rec_item(&rc, F62_040);
    put(&rc, 2, t->track_number);
    rec_item(&rc, F62_080);
    put_track_status(&rc, t);
    if (t->has_ages) {
        rec_item(&rc, F62_290);
        /* compound: TRK PSR SSR MDS ADS ES VDL FX, ... -> slots 0..3 */
        put(&rc, 1,
            (t->has_track_age ? 0x80u : 0u) | (t->has_psr_age ? 0x40u : 0u) |
                (t->has_ssr_age ? 0x20u : 0u) | (t->has_mds_age ? 0x10u : 0u));
        if (t->has_track_age)
            put(&rc, 1, q_unsigned(&rc, t->track_age_s, AGE_LSB_S, 8));
        if (t->has_psr_age)
            put(&rc, 1, q_unsigned(&rc, t->psr_age_s, AGE_LSB_S, 8));
        if (t->has_ssr_age)
            put(&rc, 1, q_unsigned(&rc, t->ssr_age_s, AGE_LSB_S, 8));
        if (t->has_mds_age)
            put(&rc, 1, q_unsigned(&rc, t->mds_age_s, AGE_LSB_S, 8));
    }
    if (t->has_fl) {
        rec_item(&rc, F62_136);
        put(&rc, 2, q_signed(&rc, t->alt_fl, 0.25, 16));
    }
    if (t->has_geo_alt) {
        rec_item(&rc, F62_130);
        put(&rc, 2, q_signed(&rc, t->alt_geo_ft, 6.25, 16));
    }
    if (t->has_baro_alt) {
        rec_item(&rc, F62_135);
        put(&rc, 2, q_code(&rc, t->baro_qnh, 1) << 15 | q_signed(&rc, t->alt_baro_fl, 0.25, 15));
    }
    if (t->has_vrate) {
        rec_item(&rc, F62_220);
        put(&rc, 2, q_signed(&rc, t->vrate_fpm, 6.25, 16));
    }
    return rec_finish(&rc, out, cap);
}

/* ------------------------------------------------------------ CAT065 */

enum { F65_010 = 1, F65_000 = 2, F65_015 = 3, F65_030 = 4, F65_020 = 5, F65_040 = 6, F65_050 = 7 };

int ax65_encode(const struct ax65_status *s, uint8_t *out, size_t cap)
{
    struct rec rc;
    rec_init(&rc);
    rec_item(&rc, F65_010);
    put(&rc, 1, s->sac);
    put(&rc, 1, s->sic);
    rec_item(&rc, F65_000);
    put(&rc, 1, s->type);
    rec_item(&rc, F65_015);
    put(&rc, 1, s->service_id);
    rec_item(&rc, F65_030);
    put(&rc, 3, q_tod(&rc, s->tod_s));
    if (s->has_batch) {
        rec_item(&rc, F65_020);
        put(&rc, 1, s->batch);
    }
    if (s->has_status) {
        rec_item(&rc, F65_040);
        /* NOGO(2) OVL TSV PSS(2) STTN spare */
        put(&rc, 1,
            q_code(&rc, s->nogo, 2) << 6 | q_code(&rc, s->ovl, 1) << 5 |
                q_code(&rc, s->tsv, 1) << 4 | q_code(&rc, s->pss, 2) << 2 |
                q_code(&rc, s->sttn, 1) << 1);
    }
    if (s->has_report) {
        rec_item(&rc, F65_050);
        put(&rc, 1, s->report);
    }
    return rec_finish(&rc, out, cap);
}

/* ------------------------------------------------------------ CAT004 */

/* CAT004 UAP (edition 1.12): FRN of each item. */
enum {
    F04_010 = 1,
    F04_000 = 2,
    F04_015 = 3,
    F04_020 = 4,
    F04_040 = 5,
    F04_045 = 6,
    F04_060 = 7,
    F04_030 = 8,
    F04_170 = 9,
    F04_120 = 10,
    F04_070 = 11,
    F04_076 = 12,
    F04_074 = 13,
    F04_075 = 14,
    F04_100 = 15,
    F04_035 = 16,
    F04_171 = 17,
};

/* I004/060 has 49 one-bit flags in 7 octets of 7 flags + FX. */
#define AX04_N_FUNCTIONS 49u

/* An ASCII text of n characters, space padded; only printable characters. */
static void put_ascii(struct rec *rc, const char *text, unsigned n)
{
    size_t len = strlen(text);
    if (len > n) {
        if (!rc->err)
            rc->err = CAIRN_E_INVAL;
        return;
    }
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++) {
        unsigned char ch = i < len ? (unsigned char)text[i] : ' ';
        if (ch < 0x20 || ch > 0x7e) {
            if (!rc->err)
                rc->err = CAIRN_E_INVAL;
            return;
        }
        v = v << 8 | ch;
    }
    put(rc, n, v);
}

static int ac_present(const struct ax04_aircraft *ac)
{
    return ac->has_ident || ac->has_mode3a || ac->has_position || ac->has_modes_id || ac->has_cfl;
}

/* I004/170 or /171: compound, subfields AI, M3, CPW, CP?, TT, DT, AC, MS,
 * FP, CF (FSPEC bits 1..10 in that order, FX after the 7th). */
static void put_aircraft(struct rec *rc, const struct ax04_aircraft *ac)
{
    unsigned fs1 = (unsigned)(ac->has_ident << 7 | ac->has_mode3a << 6 | ac->has_position << 5);
    unsigned fs2 = (unsigned)(ac->has_modes_id << 7 | ac->has_cfl << 5);
    if (fs2) {
        put(rc, 1, fs1 | 1u);
        put(rc, 1, fs2);
    } else {
        put(rc, 1, fs1);
    }
    if (ac->has_ident)
        put_ascii(rc, ac->ident, 7);
    if (ac->has_mode3a)
        put(rc, 2, q_mode3a(rc, ac->mode3a));
    if (ac->has_position) {
        if (!(fabs(ac->lat_deg) <= 90.0) || !(ac->lon_deg >= -180.0 && ac->lon_deg < 180.0)) {
            if (!rc->err)
                rc->err = CAIRN_E_RANGE;
            return;
        }
        put(rc, 4, q_signed(rc, ac->lat_deg, 180.0 / 33554432.0, 32));
        put(rc, 4, q_signed(rc, ac->lon_deg, 180.0 / 33554432.0, 32));
        if (!(ac->alt_ft >= -1500.0 && ac->alt_ft <= 150000.0) && !rc->err)
            rc->err = CAIRN_E_RANGE;
        put(rc, 2, q_signed(rc, ac->alt_ft, 25.0, 16));
    }
    if (ac->has_modes_id)
        put_ascii(rc, ac->modes_id, 6);
    if (ac->has_cfl)
        put(rc, 2, q_unsigned(rc, ac->cfl_fl, 0.25, 16));
}

int ax04_encode(const struct ax04_alert *a, uint8_t *out, size_t cap)
{
    struct rec rc;
    rec_init(&rc);
    rec_item(&rc, F04_010);
    put(&rc, 1, a->sac);
    put(&rc, 1, a->sic);
    rec_item(&rc, F04_000);
    put(&rc, 1, a->type);
    if (a->has_sdps) {
        rec_item(&rc, F04_015);
        put(&rc, 1, 1); /* one repetition */
        put(&rc, 1, a->sdps_sac);
        put(&rc, 1, a->sdps_sic);
    }
    rec_item(&rc, F04_020);
    put(&rc, 3, q_tod(&rc, a->tod_s));
    if (a->has_alert_id) {
        rec_item(&rc, F04_040);
        put(&rc, 2, a->alert_id);
    }
    if (a->has_status) {
        rec_item(&rc, F04_045);
        put(&rc, 1, q_code(&rc, a->status, 3) << 1); /* spare 4, STAT 3, spare 1 */
    }
    if (a->has_functions) {
        if (a->functions >> AX04_N_FUNCTIONS && !rc.err)
            rc.err = CAIRN_E_RANGE;
        /* octets up to the last one holding a set flag, at least one */
        unsigned last = 0;
        for (unsigned o = 0; o < 7; o++)
            if ((a->functions >> (7 * o)) & 0x7f)
                last = o;
        rec_item(&rc, F04_060);
        for (unsigned o = 0; o <= last; o++) {
            unsigned bits = 0;
            for (unsigned k = 0; k < 7; k++)
                if (a->functions >> (7 * o + k) & 1u)
                    bits |= 0x80u >> k;
            put(&rc, 1, bits | (o < last ? 1u : 0u));
        }
    }
    if (a->has_track1) {
        rec_item(&rc, F04_030);
        put(&rc, 2, a->track1);
    }
    if (ac_present(&a->ac1)) {
        rec_item(&rc, F04_170);
        put_aircraft(&rc, &a->ac1);
    }
    if (a->has_nature || a->has_class || a->has_probability || a->has_duration) {
        rec_item(&rc, F04_120);
        put(&rc, 1,
            (unsigned)(a->has_nature << 7 | a->has_class << 6 | a->has_probability << 5 |
                       a->has_duration << 4));
        if (a->has_nature)
            put(&rc, 1, q_code(&rc, a->nature, 7) << 1); /* first octet, FX 0 */
        if (a->has_class)
            put(&rc, 1,
                q_code(&rc, a->class_tid, 4) << 4 | q_code(&rc, a->class_cp, 3) << 1 |
                    q_code(&rc, a->class_high, 1));
        if (a->has_probability)
            put(&rc, 1, q_unsigned(&rc, a->probability_pct, 0.5, 8));
        if (a->has_duration)
            put(&rc, 3, q_unsigned(&rc, a->duration_s, 1.0 / 128.0, 24));
    }
    if (a->has_ttc || a->has_tca || a->has_chs || a->has_mhs || a->has_cvs || a->has_mvs) {
        rec_item(&rc, F04_070);
        put(&rc, 1,
            (unsigned)(a->has_ttc << 7 | a->has_tca << 6 | a->has_chs << 5 | a->has_mhs << 4 |
                       a->has_cvs << 3 | a->has_mvs << 2));
        if (a->has_ttc)
            put(&rc, 3, q_unsigned(&rc, a->ttc_s, 1.0 / 128.0, 24));
        if (a->has_tca)
            put(&rc, 3, q_unsigned(&rc, a->tca_s, 1.0 / 128.0, 24));
        if (a->has_chs)
            put(&rc, 3, q_unsigned(&rc, a->chs_m, 0.5, 24));
        if (a->has_mhs)
            put(&rc, 2, q_unsigned(&rc, a->mhs_m, 0.5, 16));
        if (a->has_cvs)
            put(&rc, 2, q_unsigned(&rc, a->cvs_ft, 25.0, 16));
        if (a->has_mvs)
            put(&rc, 2, q_unsigned(&rc, a->mvs_ft, 25.0, 16));
    }
    if (a->has_vdev) {
        rec_item(&rc, F04_076);
        put(&rc, 2, q_signed(&rc, a->vdev_ft, 25.0, 16));
    }
    if (a->has_ldev) {
        rec_item(&rc, F04_074);
        put(&rc, 2, q_signed(&rc, a->ldev_m, 32.0, 16));
    }
    if (a->has_tdev) {
        rec_item(&rc, F04_075);
        put(&rc, 3, q_signed(&rc, a->tdev_m, 0.5, 24));
    }
    if (a->has_area) {
        rec_item(&rc, F04_100);
        put(&rc, 1, 0x80); /* AN only */
        put_callsign(&rc, 0, 0, a->area);
    }
    if (a->has_track2) {
        rec_item(&rc, F04_035);
        put(&rc, 2, a->track2);
    }
    if (ac_present(&a->ac2)) {
        rec_item(&rc, F04_171);
        put_aircraft(&rc, &a->ac2);
    }
    return rec_finish(&rc, out, cap);
}
