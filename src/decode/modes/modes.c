/*
 * modes.c — Mode S downlink formats: the decoder's context (recently seen
 * addresses, per-aircraft state), the CRC acceptance policy of each DF, and
 * the fields of the surveillance and all-call replies.
 *
 * Key idea: what the last 24 bits prove depends on the DF.
 *  - DF17/18 (and DF19): parity is the plain CRC, so a zero syndrome proves
 *    the message and its address. One flipped bit gives a known syndrome and
 *    can be corrected (not in the DF field: a wrong DF means a wrong length).
 *  - DF11: the CRC XOR the interrogator code (7 bits): a syndrome < 0x80 is
 *    valid. Correction assumes IID 0 and is only kept when the corrected
 *    address is already known — a wrong guess would invent an aircraft.
 *  - DF0/4/5/16/20/21/24: the CRC XOR the address (AP). The syndrome IS the
 *    address; it is trusted only when that address was recently seen in a
 *    CRC-clean DF11/17/18 (address/parity recovery, as receivers do).
 * Only uncorrected, full-24-bit-checked replies (DF11 IID 0, DF17, DF18 with
 * an ICAO address) teach the context a new address.
 *
 * References: ICAO Annex 10 Vol IV (5th ed., 2014) §3.1.2.3 (formats,
 * parity), §3.1.2.6 (surveillance replies: VS, FS, DR, UM, AC, ID),
 * §3.1.2.5.2.2 (DF11 PI with II/SI codes); Doc 9871 §A.2 for DF18 CF.
 */
#include <string.h>

#include "base/bits.h"
#include "base/error.h"
#include "decode/modes/modes.h"
#include "decode/modes/modes_int.h"

#define AC_TTL_S                                                                                   \
    600.0 /* an aircraft slot unused this long may be reused:                                      \
             older CPR and position state is useless anyway */

void modes_opts_default(struct modes_opts *o)
{
    memset(o, 0, sizeof *o);
    o->fix_errors = 1;
    o->max_range_nm = 300.0;
    o->max_speed_kt = 2000.0;
    o->addr_ttl_s = 60.0;
}

void modes_ctx_init(struct modes_ctx *ctx, const struct modes_opts *o)
{
    memset(ctx, 0, sizeof *ctx);
    if (o)
        ctx->opts = *o;
    else
        modes_opts_default(&ctx->opts);
}

/* Fibonacci hashing of a 24-bit address to `bits` bits. */
static unsigned addr_hash(uint32_t icao, unsigned bits)
{
    return (unsigned)((icao * 2654435761u) >> (32 - bits));
}

static int addr_fresh(const struct modes_ctx *ctx, double t_slot, double t_s)
{
    double d = t_s - t_slot;
    return d <= ctx->opts.addr_ttl_s && d >= -ctx->opts.addr_ttl_s;
}

int modes_ctx_addr_known(const struct modes_ctx *ctx, uint32_t icao, double t_s)
{
    uint32_t key = (icao & 0xFFFFFFu) | MODES_SLOT_USED;
    unsigned h = addr_hash(icao & 0xFFFFFFu, MODES_ADDR_BITS);
    for (unsigned i = 0; i < MODES_ADDR_PROBE; i++) {
        const struct modes_addr_slot *s = &ctx->addr[(h + i) & (MODES_ADDR_CAP - 1)];
        if (s->icao == key)
            return addr_fresh(ctx, s->t_s, t_s);
        if (!s->icao)
            return 0;
    }
    return 0;
}

void modes_ctx_addr_add(struct modes_ctx *ctx, uint32_t icao, double t_s)
{
    uint32_t key = (icao & 0xFFFFFFu) | MODES_SLOT_USED;
    unsigned h = addr_hash(icao & 0xFFFFFFu, MODES_ADDR_BITS);
    struct modes_addr_slot *free_slot = NULL, *oldest = NULL;
    for (unsigned i = 0; i < MODES_ADDR_PROBE; i++) {
        struct modes_addr_slot *s = &ctx->addr[(h + i) & (MODES_ADDR_CAP - 1)];
        if (s->icao == key) {
            if (t_s > s->t_s)
                s->t_s = t_s;
            return;
        }
        if (!s->icao) {
            if (!free_slot)
                free_slot = s;
            break; /* nothing beyond an empty slot */
        }
        if (!free_slot && !addr_fresh(ctx, s->t_s, t_s))
            free_slot = s;
        if (!oldest || s->t_s < oldest->t_s)
            oldest = s;
    }
    /* An expired slot is reused in place; the key cannot be further along
     * because lookups stop at the first match and inserts take the first
     * free slot, so a key lives at most once in its window. */
    if (!free_slot)
        free_slot = oldest;
    free_slot->icao = key;
    free_slot->t_s = t_s;
}

struct modes_ac *modes_ac_get(struct modes_ctx *ctx, uint32_t icao, double t_s, int create)
{
    /* 25-bit key: bit 24 marks non-ICAO (anonymous, TIS-B) addresses */
    uint32_t key = (icao & 0x1FFFFFFu) | MODES_SLOT_USED;
    unsigned h = addr_hash(icao & 0x1FFFFFFu, MODES_AC_BITS);
    struct modes_ac *free_slot = NULL, *oldest = NULL;
    for (unsigned i = 0; i < MODES_AC_PROBE; i++) {
        struct modes_ac *a = &ctx->ac[(h + i) & (MODES_AC_CAP - 1)];
        if (a->icao == key)
            return a;
        if (!a->icao) {
            if (!free_slot)
                free_slot = a;
            break;
        }
        double age = t_s - a->t_seen_s;
        if (!free_slot && (age > AC_TTL_S || age < -AC_TTL_S))
            free_slot = a;
        if (!oldest || a->t_seen_s < oldest->t_seen_s)
            oldest = a;
    }
    if (!create)
        return NULL;
    if (!free_slot) {
        free_slot = oldest;
        ctx->stats.ac_evicted++;
    }
    memset(free_slot, 0, sizeof *free_slot);
    free_slot->icao = key;
    free_slot->version = 0xFF;
    free_slot->t_seen_s = t_s;
    return free_slot;
}

/* ---- altitude and identity codes ---------------------------------------- */

/* Gillham (Mode C) from the octal digits A B C D of a reply, each digit
 * X4 X2 X1; D1 (the LSB of D) is never used for altitude (Annex 10 Vol IV
 * §3.1.1.7.12.2.3). 500-ft steps are the Gray code D2 D4 A1 A2 A4 B1 B2 B4,
 * 100-ft steps the code C1 C2 C4 (1..5), reflected when the 500-ft count is
 * odd. Result in ft, or CAIRN_E_RANGE. */
static int gillham_digits(unsigned a, unsigned b, unsigned c, unsigned d, int32_t *alt_ft)
{
    if (d & 1u)
        return CAIRN_E_RANGE;
    unsigned g = ((d >> 1) & 1u) << 7 | ((d >> 2) & 1u) << 6 | (a & 1u) << 5 |
                 ((a >> 1) & 1u) << 4 | ((a >> 2) & 1u) << 3 | (b & 1u) << 2 |
                 ((b >> 1) & 1u) << 1 | ((b >> 2) & 1u);
    unsigned n500 = g;
    for (unsigned s = 1; s < 8; s <<= 1)
        n500 ^= n500 >> s; /* Gray to binary */
    /* C1 C2 C4 -> 1..5; 0 marks the three illegal codes (000, 101, 111) */
    static const uint8_t c_tab[8] = {0, 1, 3, 2, 5, 0, 4, 0};
    unsigned cg = (c & 1u) << 2 | ((c >> 1) & 1u) << 1 | ((c >> 2) & 1u);
    unsigned n100 = c_tab[cg];
    if (!n100)
        return CAIRN_E_RANGE;
    if (n500 & 1u)
        n100 = 6 - n100;
    *alt_ft = (int32_t)(n500 * 500u + n100 * 100u) - 1300;
    return 0;
}

uint16_t modes_id13_squawk(unsigned id)
{
    /* C1 A1 C2 A2 C4 A4 X B1 D1 B2 D2 B4 D4 (Annex 10 §3.1.2.6.7.1) */
    unsigned a = (id >> 11 & 1u) | (id >> 9 & 1u) << 1 | (id >> 7 & 1u) << 2;
    unsigned b = (id >> 5 & 1u) | (id >> 3 & 1u) << 1 | (id >> 1 & 1u) << 2;
    unsigned c = (id >> 12 & 1u) | (id >> 10 & 1u) << 1 | (id >> 8 & 1u) << 2;
    unsigned d = (id >> 4 & 1u) | (id >> 2 & 1u) << 1 | (id & 1u) << 2;
    return (uint16_t)(a << 9 | b << 6 | c << 3 | d);
}

int modes_gillham_alt(unsigned ac13, int32_t *alt_ft)
{
    uint16_t sq = modes_id13_squawk(ac13 & ~0x40u);
    return gillham_digits(sq >> 9 & 7u, sq >> 6 & 7u, sq >> 3 & 7u, sq & 7u, alt_ft);
}

int modes_ac13_alt(unsigned ac13, int32_t *alt_ft)
{
    ac13 &= 0x1FFFu;
    if (ac13 == 0)
        return CAIRN_E_RANGE; /* all zero: altitude not available */
    if (ac13 & 0x40u)
        return CAIRN_E_RANGE; /* M bit: metric altitude, not in use; not decoded */
    if (ac13 & 0x10u) {
        /* Q = 1: 11-bit binary count of 25 ft from -1000 ft */
        unsigned n = (ac13 & 0x1F80u) >> 2 | (ac13 & 0x20u) >> 1 | (ac13 & 0x0Fu);
        *alt_ft = (int32_t)n * 25 - 1000;
        return 0;
    }
    return modes_gillham_alt(ac13, alt_ft);
}

int modes_ac12_alt(unsigned ac12, int32_t *alt_ft)
{
    ac12 &= 0xFFFu;
    if (ac12 == 0)
        return CAIRN_E_RANGE;
    if (ac12 & 0x10u) {
        unsigned n = (ac12 & 0xFE0u) >> 1 | (ac12 & 0x0Fu);
        *alt_ft = (int32_t)n * 25 - 1000;
        return 0;
    }
    /* re-insert the M bit position (0) to reuse the 13-bit layout */
    return modes_gillham_alt((ac12 & 0xFC0u) << 1 | (ac12 & 0x3Fu), alt_ft);
}

/* ---- shared helpers ----------------------------------------------------- */

int modes_callsign(uint64_t me, unsigned first, char out[9])
{
    /* ICAO 6-bit alphabet (Annex 10 Vol IV Table 3-9): 1-26 letters,
     * 32 space, 48-57 digits; the rest is not assigned ('#'). */
    static const char cs_tab[65] =
        "#ABCDEFGHIJKLMNOPQRSTUVWXYZ##### ###############0123456789######";
    int bad = 0;
    for (unsigned i = 0; i < 8; i++) {
        char c = cs_tab[me_bits(me, first + 6 * i, 6)];
        bad += c == '#';
        out[i] = c;
    }
    int n = 8;
    while (n > 0 && out[n - 1] == ' ')
        n--;
    out[n] = 0;
    return bad;
}

void modes_decode_ra(struct modes_msg *m, uint64_t me, unsigned first)
{
    /* ARA 14, RAC 4, RAT 1, MTE 1, TTI 2, TID 26 (Annex 10 Vol IV
     * §4.3.8.4.2.2; the same layout in BDS 3,0 and ADS-B TC28 st 2) */
    m->ara = (uint16_t)me_bits(me, first, 14);
    m->rac = (uint8_t)me_bits(me, first + 14, 4);
    m->rat = (uint8_t)me_bits(me, first + 18, 1);
    m->mte = (uint8_t)me_bits(me, first + 19, 1);
    m->tti = (uint8_t)me_bits(me, first + 20, 2);
    m->tid = me_bits(me, first + 22, 26);
    m->has |= MH_TCAS_RA;
}

/* Field of the whole reply, bits numbered 1.. as in Annex 10. */
static unsigned fld(const struct modes_msg *m, unsigned first, unsigned n)
{
    return (unsigned)bits_get(m->raw, m->len, first - 1, n);
}

/* ---- per-DF decoding ---------------------------------------------------- */

static void note_alt(struct modes_ctx *ctx, const struct modes_msg *m, int trusted)
{
    if (!trusted || !(m->has & MH_ALT_BARO))
        return;
    struct modes_ac *a = modes_ac_get(ctx, m->icao, m->t_s, 1);
    a->t_seen_s = m->t_s;
    a->alt_baro_ft = m->alt_baro_ft;
    a->t_alt_s = m->t_s;
    a->has_alt = 1;
}

static void decode_fs(struct modes_msg *m)
{
    /* FS: 0 airborne, 1 ground, 2 alert airborne, 3 alert ground,
     * 4 alert + SPI, 5 SPI, 6-7 reserved (Annex 10 §3.1.2.6.5.1) */
    m->fs = (uint8_t)fld(m, 6, 3);
    m->dr = (uint8_t)fld(m, 9, 5);
    m->um = (uint8_t)fld(m, 14, 6);
    m->alert = m->fs >= 2 && m->fs <= 4;
    m->spi = m->fs == 4 || m->fs == 5;
    m->has |= MH_FLIGHT_STATUS;
    if (m->fs <= 3) {
        m->on_ground = m->fs & 1u;
        m->has |= MH_ON_GROUND;
    }
}

static void decode_ac13(struct modes_msg *m)
{
    int32_t alt;
    if (modes_ac13_alt(fld(m, 20, 13), &alt) == 0) {
        m->alt_baro_ft = alt;
        m->has |= MH_ALT_BARO;
    }
}

static void decode_squawk13(struct modes_msg *m)
{
    m->squawk = modes_id13_squawk(fld(m, 20, 13));
    m->has |= MH_SQUAWK;
    switch (m->squawk) {
    case 07500:
        m->emergency = EMERG_UNLAWFUL;
        m->has |= MH_EMERGENCY;
        break;
    case 07600:
        m->emergency = EMERG_NORDO;
        m->has |= MH_EMERGENCY;
        break;
    case 07700:
        m->emergency = EMERG_GENERAL;
        m->has |= MH_EMERGENCY;
        break;
    default:
        break;
    }
}

static void decode_modeac(struct modes_ctx *ctx, const struct modes_frame *f, struct modes_msg *m)
{
    /* Beast carries the reply as 0xABCD-style nibbles (X4 X2 X1 per octal
     * digit) with the SPI pulse at 0x0080, as dump1090 writes it. */
    unsigned v = (unsigned)f->data[0] << 8 | f->data[1];
    unsigned a = v >> 12 & 7u, b = v >> 8 & 7u, c = v >> 4 & 7u, d = v & 7u;
    memcpy(m->raw, f->data, 2);
    m->len = 2;
    m->squawk = (uint16_t)(a << 9 | b << 6 | c << 3 | d);
    m->spi = (v & 0x80u) != 0;
    m->has |= MH_SQUAWK | MH_MODEA;
    int32_t alt;
    if (gillham_digits(a, b, c, d, &alt) == 0) {
        m->modec_alt_ft = alt;
        m->has |= MH_MODEC_ALT;
    }
    m->crc_ok = 1; /* Mode A/C has no parity: nothing to check */
    ctx->stats.modeac++;
}

/* DF11 / DF17 / DF18 correction: returns 1 if fixed. */
static int try_fix(struct modes_ctx *ctx, struct modes_msg *m, uint32_t syn, int need_known)
{
    if (!ctx->opts.fix_errors)
        return 0;
    uint8_t tmp[MODES_LONG_LEN];
    memcpy(tmp, m->raw, m->len);
    int bit = modes_fix_single_bit(tmp, m->len, syn);
    if (bit < 5) /* -1, or inside the DF field: the length would be wrong */
        return 0;
    if (need_known) {
        uint32_t aa = (uint32_t)tmp[1] << 16 | (uint32_t)tmp[2] << 8 | tmp[3];
        if (!modes_ctx_addr_known(ctx, aa, m->t_s))
            return 0;
    }
    memcpy(m->raw, tmp, m->len);
    m->corrected_bits++;
    ctx->stats.corrected++;
    return 1;
}

static int decode_modes(struct modes_ctx *ctx, const struct modes_frame *f, struct modes_msg *m)
{
    struct modes_stats *st = &ctx->stats;
    memcpy(m->raw, f->data, f->len);
    m->len = f->len;
    unsigned df = m->raw[0] >> 3;
    if (df >= 24)
        df = 24; /* the Comm-D family: first two bits 11 */
    m->df = (uint8_t)df;
    m->syndrome = modes_crc(m->raw, m->len); /* reported even for DFs we refuse */
    int need = modes_df_len(df);
    if (f->len != need) {
        st->bad_len++;
        return f->len < need ? CAIRN_E_TRUNCATED : CAIRN_E_FORMAT;
    }
    switch (df) {
    case 0:
    case 4:
    case 5:
    case 11:
    case 16:
    case 17:
    case 18:
    case 19:
    case 20:
    case 21:
    case 24:
        break;
    default:
        st->bad_df++;
        return CAIRN_E_DF;
    }

    uint32_t syn = m->syndrome;
    int rc = 0;
    uint32_t aa = (uint32_t)m->raw[1] << 16 | (uint32_t)m->raw[2] << 8 | m->raw[3];

    switch (df) {
    case 11: {
        m->ca = m->raw[0] & 7u;
        if (syn >= 0x80 && try_fix(ctx, m, syn, 1)) {
            syn = 0;
            aa = (uint32_t)m->raw[1] << 16 | (uint32_t)m->raw[2] << 8 | m->raw[3];
        }
        /* PI = CRC ^ (CL << 4 | IC): CL 0 = II code, CL 1..4 = SI 0..63 */
        unsigned cl = syn >> 4, ic = syn & 15u;
        if (syn < 0x80 && cl <= 4) {
            m->crc_ok = 1;
            m->iid = (uint8_t)(cl == 0 ? ic : 16u + 16u * (cl - 1) + ic);
            m->has |= MH_IID;
            if (syn == 0 && m->corrected_bits == 0 && f->corrected == 0)
                modes_ctx_addr_add(ctx, aa, m->t_s);
        } else {
            st->crc_fail++;
            rc = CAIRN_E_CRC;
        }
        m->icao = aa;
        m->addr_src = MODES_ADDR_AA;
        m->has |= MH_ICAO;
        if (m->ca == 4 || m->ca == 5) { /* CA 4 on ground, 5 airborne */
            m->on_ground = m->ca == 4;
            m->has |= MH_ON_GROUND;
        }
        break;
    }
    case 17:
    case 18:
    case 19: {
        m->ca = m->raw[0] & 7u;
        if (syn != 0 && df != 19 && try_fix(ctx, m, syn, 0)) {
            syn = 0;
            aa = (uint32_t)m->raw[1] << 16 | (uint32_t)m->raw[2] << 8 | m->raw[3];
        }
        m->icao = aa;
        m->has |= MH_ICAO;
        /* DF17/19 and DF18 CF 0 carry the aircraft's own 24-bit ICAO
         * address. CF 2/3 (TIS-B) and 6 (ADS-R) carry an ICAO address
         * unless their IMF bit says otherwise (adsb.c reads it: its place
         * depends on the type code); CF 1, 4, 5 and 7 never do (DO-260B
         * §2.2.3.1 Table 2-9, Doc 9871 §A.2.5). */
        m->addr_src = MODES_ADDR_AA;
        if (df == 18) {
            static const uint8_t at[8] = {
                MODES_AT_ADSB_NT,   MODES_AT_ADSB_OTHER, MODES_AT_TISB_ICAO, MODES_AT_TISB_ICAO,
                MODES_AT_TISB_MGMT, MODES_AT_TISB_OTHER, MODES_AT_ADSR_ICAO, MODES_AT_RESERVED};
            static const uint8_t dv[8] = {0,
                                          0,
                                          MODES_DERIVED_TISB,
                                          MODES_DERIVED_TISB,
                                          0,
                                          MODES_DERIVED_TISB,
                                          MODES_DERIVED_ADSR,
                                          0};
            m->addr_type = at[m->ca];
            m->derived = dv[m->ca];
            if (m->ca == 1 || m->ca == 4 || m->ca == 5 || m->ca == 7)
                m->addr_src = MODES_ADDR_NON_ICAO;
        }
        if (df == 19)
            m->military = 1;
        if (syn == 0) {
            m->crc_ok = 1;
            if (df == 18 && m->ca == 4)
                st->tisb_mgmt++;
            /* only the aircraft's own squitter proves its address: a
             * TIS-B or ADS-R relay speaks for someone else */
            if ((df == 17 || (df == 18 && m->ca == 0)) && m->corrected_bits == 0)
                modes_ctx_addr_add(ctx, aa, m->t_s);
        } else {
            st->crc_fail++;
            rc = CAIRN_E_CRC;
        }
        if (df == 17) {
            if (m->ca == 4 || m->ca == 5) {
                m->on_ground = m->ca == 4;
                m->has |= MH_ON_GROUND;
            }
        }
        break;
    }
    default: /* AP: the syndrome is the address */
        m->icao = syn;
        m->has |= MH_ICAO;
        if (modes_ctx_addr_known(ctx, syn, m->t_s)) {
            m->crc_ok = 1;
            m->addr_src = MODES_ADDR_AP;
            st->addr_recovered++;
        } else {
            m->addr_src = MODES_ADDR_AP_UNKNOWN;
            st->addr_unknown++;
            if (!ctx->opts.accept_unknown_addr)
                rc = CAIRN_E_CRC;
        }
        break;
    }

    int trusted = rc == 0 && m->crc_ok;

    switch (df) {
    case 0:
    case 16:
        /* VS (bit 6): 1 = on ground; SL 9-11, RI 14-17, AC 20-32 */
        m->on_ground = (uint8_t)fld(m, 6, 1);
        m->has |= MH_ON_GROUND;
        decode_ac13(m);
        if (df == 16 && m->raw[4] == 0x30) /* MV carrying an ACAS RA (VDS 3,0) */
            modes_decode_ra(m, modes_me56(m->raw), 9);
        note_alt(ctx, m, trusted);
        break;
    case 4:
    case 20:
        decode_fs(m);
        decode_ac13(m);
        note_alt(ctx, m, trusted);
        if (df == 20)
            commb_decode(ctx, m, trusted);
        break;
    case 5:
    case 21:
        decode_fs(m);
        decode_squawk13(m);
        if (df == 21)
            commb_decode(ctx, m, trusted);
        break;
    case 17:
    case 18:
        /* CF 0/1/2/5/6: the ADS-B ME layouts (fine TIS-B and ADS-R reuse
         * them); CF 3: the TIS-B coarse layout. CF 4 carries TIS-B/ADS-R
         * management messages (DO-260B §2.2.17.2 Table 2-9; Doc 9871 ed. 2
         * §A.2.5): they describe the coverage and availability of the
         * ground service, not an aircraft, and the MOPS leave the layout of
         * their AA and ME fields undefined, so they are kept raw (JSON
         * "raw", addr_type "tisb_mgmt"), counted, and never become a
         * report; CF 7 is reserved */
        if (df == 18 && m->ca == 3)
            adsb_decode_coarse(ctx, m, trusted);
        else if (df == 17 || m->ca == 0 || m->ca == 1 || m->ca == 2 || m->ca == 5 || m->ca == 6)
            adsb_decode(ctx, m, trusted);
        break;
    case 19:
        if (m->ca == 0) /* AF 0: ADS-B format; other AFs are reserved */
            adsb_decode(ctx, m, trusted);
        break;
    default:
        break;
    }
    if (rc == 0)
        st->df[df]++;
    return rc;
}

int modes_decode(struct modes_ctx *ctx, const struct modes_frame *f, struct modes_msg *m)
{
    memset(m, 0, sizeof *m);
    ctx->stats.frames++;
    m->t_s = f->t_s;
    m->kind = f->kind;
    m->signal = f->signal;
    m->corrected_bits = f->corrected;
    if (f->kind == FRAME_MODEAC) {
        if (f->len != MODEAC_LEN) {
            ctx->stats.bad_len++;
            return CAIRN_E_INVAL;
        }
        decode_modeac(ctx, f, m);
        return 0;
    }
    if (f->kind != FRAME_MODES || (f->len != MODES_SHORT_LEN && f->len != MODES_LONG_LEN)) {
        ctx->stats.bad_len++;
        return CAIRN_E_INVAL;
    }
    return decode_modes(ctx, f, m);
}
