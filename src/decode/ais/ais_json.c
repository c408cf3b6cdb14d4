/*
 * ais_json.c — AIS messages as gpsd-style JSON, object for object what
 * `gpsdecode -u -j` (unscaled) or `gpsdecode -j` (scaled) prints.
 *
 * Key idea: gpsd's JSON is the de-facto convention for AIS (field names from
 * gpsd's AIVDM/AIVDO document, ITU-R M.1371-5 Annex 8 layouts). Unscaled
 * output gives each field's raw integer; scaled output converts units the way
 * gpsd does (1/10000 minute -> degrees, 1/10 knot -> knots, sentinels such as
 * "nan"). Each message type has one writer below, reading its fields straight
 * from the payload bits (bit offsets from M.1371 Annex 8 §3.3).
 *
 * Application payloads interpreted, as gpsd does: type 6 DAC 1 FID 12, 14,
 * 15, 16, 18, 20, 25, 28, 30, 32, DAC 200 FID 21, 22, 55, DAC 235/250 FID 10;
 * type 8 DAC 1 FID 11, 13, 15, 16, 17, 19, 27, 29, 31, DAC 200 FID 10, 23, 24,
 * 40. Where gpsd's own JSON for these is broken (a missing comma in FID 19,
 * misordered start time in FID 23, FID 19 positions always in degrees) the
 * output here is well-formed and follows the other messages' conventions;
 * none of these occur in the reference recordings. Legends use the wording of
 * gpsd's current regression files; gpsd 3.22 words some differently
 * (epfd_text for codes 9-15; status_text 3 "Restricted manoeuverability",
 * 11, 12 and 14 "Reserved").
 */
#include <stdio.h>
#include <string.h>

#include "base/error.h"
#include "base/jsonw.h"
#include "decode/ais/ais.h"
#include "decode/ais/sixbit.h"

/* Position units: 1/10000 minute (types 1-4, 9, 11, 18, 19, 21) and
 * 1/10 minute (types 17, 22, 23, 27), 1/1000 minute (IMO 236/289 payloads). */
#define LATLON_DIV     600000.0
#define LATLON10_DIV   600.0
#define LATLON1000_DIV 60000.0

/* Text buffers: the longest text field is a type 8/12/14 free text of at
 * most (1008 - 40) / 6 = 161 characters. */
#define TEXT_MAX 170

/* The object is written with the one JSON writer (base/jsonw), whose hot
 * calls are inline; the e_ and k helpers below only name its calls the way
 * this file's writers use them. */
struct jctx {
    struct jsonw *w;
    const struct ais_msg *m;
    int scaled;
};

/* Field reader inlined for speed: n (1..32) bits at pos, zero past the
 * payload buffer as ais_msg_u() gives. */
static inline uint32_t rd_u(const struct ais_msg *m, size_t pos, unsigned n)
{
    size_t byte = pos >> 3;
    if (byte + 8 > sizeof m->bits)
        return ais_msg_u(m, pos, n);
    const uint8_t *p = m->bits + byte;
    uint64_t v = (uint64_t)p[0] << 56 | (uint64_t)p[1] << 48 | (uint64_t)p[2] << 40 |
                 (uint64_t)p[3] << 32 | (uint64_t)p[4] << 24 | (uint64_t)p[5] << 16 |
                 (uint64_t)p[6] << 8 | (uint64_t)p[7];
    return (uint32_t)((v << (pos & 7)) >> (64 - n));
}

static inline int32_t rd_s(const struct ais_msg *m, size_t pos, unsigned n)
{
    uint32_t v = rd_u(m, pos, n);
    uint32_t sign = 1u << (n - 1);
    return (int32_t)(v ^ sign) - (int32_t)sign;
}

#define U(pos, n) rd_u(j->m, (pos), (n))
#define S(pos, n) rd_s(j->m, (pos), (n))

static inline __attribute__((always_inline)) void e_key(struct jctx *j, const char *key)
{
    jw_key(j->w, key);
}

/* An object or array as a value (after a key or inside an array). */
static inline __attribute__((always_inline)) void e_open(struct jctx *j, char c)
{
    if (c == '{')
        jw_obj(j->w);
    else
        jw_arr(j->w);
}

static inline __attribute__((always_inline)) void e_open_elem(struct jctx *j, char c)
{
    e_open(j, c);
}

static inline __attribute__((always_inline)) void e_close(struct jctx *j, char c)
{
    (void)c;
    jw_end(j->w);
}

static inline __attribute__((always_inline)) void e_uint(struct jctx *j, uint64_t v)
{
    jw_uint(j->w, v);
}

/* %.{dec}f, printf's digits (jw_fixed) */
static inline __attribute__((always_inline)) void e_fixed(struct jctx *j, double v, int dec)
{
    jw_fixed(j->w, v, dec);
}

/* A string: six-bit text holds '"' and '\\', TAG block text comes from
 * outside; jsonw escapes both by the one rule (log_escape_step). */
static inline __attribute__((always_inline)) void e_str(struct jctx *j, const char *s)
{
    jw_str(j->w, s);
}

/* Key and value in one write (jsonw's kv calls, the keys being literals). */
static inline __attribute__((always_inline)) void ku(struct jctx *j, const char *k, uint32_t v)
{
    jw_kuint(j->w, k, v);
}
static inline __attribute__((always_inline)) void ki(struct jctx *j, const char *k, int32_t v)
{
    jw_kint(j->w, k, v);
}
static inline __attribute__((always_inline)) void kb(struct jctx *j, const char *k, uint32_t v)
{
    jw_kbool(j->w, k, v != 0);
}
static inline __attribute__((always_inline)) void ks(struct jctx *j, const char *k, const char *s)
{
    e_key(j, k);
    e_str(j, s);
}
/* One of this file's legends (checked like any string). */
static inline __attribute__((always_inline)) void klegend(struct jctx *j, const char *k,
                                                          const char *s)
{
    e_key(j, k);
    e_str(j, s);
}

static inline __attribute__((always_inline)) void kf(struct jctx *j, const char *k, double v,
                                                     int dec)
{
    e_key(j, k);
    e_fixed(j, v, dec);
}

/* Six-bit text at pos, up to nchars, stopping at '@', trailing blanks
 * removed (inlined form of ais_text). */
static void text_at(const struct ais_msg *m, size_t pos, unsigned nchars, char *out, size_t cap)
{
    static const char alphabet[65] =
        "@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_ !\"#$%&'()*+,-./0123456789:;<=>?";
    if (nchars > cap - 1)
        nchars = (unsigned)(cap - 1);
    unsigned i;
    for (i = 0; i < nchars; i++) {
        char c = alphabet[rd_u(m, pos + 6 * (size_t)i, 6)];
        if (c == '@')
            break;
        out[i] = c;
    }
    while (i > 0 && (out[i - 1] == ' ' || out[i - 1] == '@'))
        i--;
    out[i] = 0;
}

/* Six-bit text, trimmed. */
static inline __attribute__((always_inline)) void ktext(struct jctx *j, const char *k, size_t pos,
                                                        unsigned nchars)
{
    char t[TEXT_MAX];
    text_at(j->m, pos, nchars, t, sizeof t);
    ks(j, k, t);
}

/* Text running to the end of the payload (gpsd's "endchars"). */
static inline __attribute__((always_inline)) void kendtext(struct jctx *j, const char *k,
                                                           size_t pos)
{
    char t[TEXT_MAX];
    t[0] = 0;
    if (j->m->nbits > pos)
        text_at(j->m, pos, (unsigned)((j->m->nbits - pos) / 6), t, sizeof t);
    ks(j, k, t);
}

/* Latitude or longitude, raw or in degrees with the given decimals. */
static inline __attribute__((always_inline)) void klatlon(struct jctx *j, const char *k, int32_t v,
                                                          double div, int dec)
{
    if (j->scaled)
        kf(j, k, (double)v / div, dec);
    else
        ki(j, k, v);
}

/* gpsd prints the area corners of types 22 and 23 as quoted strings. */
static void kcorner(struct jctx *j, const char *k, int32_t v)
{
    if (j->scaled) {
        char t[32];
        snprintf(t, sizeof t, "%.6f", v / LATLON10_DIV);
        ks(j, k, t);
    } else {
        ki(j, k, v);
    }
}

/* A raw integer, or raw * mul + add with dec decimals when scaled. */
static inline __attribute__((always_inline)) void kscale(struct jctx *j, const char *k, double raw,
                                                         double mul, double add, int dec)
{
    if (j->scaled)
        kf(j, k, raw * mul + add, dec);
    else
        ki(j, k, (int32_t)raw);
}

/* kscale for a field with an offset in raw units: (raw + off) * mul. */
static inline __attribute__((always_inline)) void
kscale_off(struct jctx *j, const char *k, uint32_t raw, int32_t off, double mul, int dec)
{
    if (j->scaled)
        kf(j, k, ((double)raw + off) * mul, dec);
    else
        ku(j, k, raw);
}

/* A coded field: its text when scaled (gpsd -j), its code when not (-u).
 * text must have an entry for every value the field's width can hold. */
static inline __attribute__((always_inline)) void kcode(struct jctx *j, const char *k, uint32_t v,
                                                        const char *const *text)
{
    if (j->scaled)
        ks(j, k, text[v]);
    else
        ku(j, k, v);
}

/* Two digits (values above 99 keep their digits, as %02u does). */
static char *dig2(char *p, unsigned v)
{
    if (v > 99) {
        char t[12];
        int i = (int)sizeof t;
        do {
            t[--i] = (char)('0' + v % 10);
            v /= 10;
        } while (v);
        memcpy(p, t + i, sizeof t - (size_t)i);
        return p + sizeof t - i;
    }
    p[0] = (char)('0' + v / 10);
    p[1] = (char)('0' + v % 10);
    return p + 2;
}

/* "MM-DDTHH:MMZ" as gpsd writes ETAs and similar times. */
static void keta(struct jctx *j, const char *k, unsigned mo, unsigned d, unsigned h, unsigned mi)
{
    char t[64], *p = t;
    p = dig2(p, mo);
    *p++ = '-';
    p = dig2(p, d);
    *p++ = 'T';
    p = dig2(p, h);
    *p++ = ':';
    p = dig2(p, mi);
    *p++ = 'Z';
    *p = 0;
    ks(j, k, t);
}

/* "bits:hex" for nbits of data at p (holding (nbits+7)/8 bytes). */
static void kdata_bytes(struct jctx *j, const uint8_t *p, size_t nbits)
{
    static const char hexd[] = "0123456789abcdef";
    char t[24 + 2 * (AIS_MAX_BITS / 8)];
    size_t nbytes = (nbits + 7) / 8;
    if (nbytes > AIS_MAX_BITS / 8)
        nbytes = AIS_MAX_BITS / 8; /* a payload holds no more */
    int n = snprintf(t, sizeof t, "%zu:", nbits);
    size_t k = n > 0 ? (size_t)n : 0;
    for (size_t i = 0; i < nbytes; i++) {
        t[k++] = hexd[p[i] >> 4];
        t[k++] = hexd[p[i] & 15];
    }
    e_key(j, "data");
    jw_strn(j->w, t, k);
}

/* Binary data starting at a byte boundary of the payload, unmasked (gpsd
 * prints the fill bits of the last byte for types 6 and 17). */
static void kdata_at(struct jctx *j, size_t start_bit, size_t nbits, int mask)
{
    uint8_t b[AIS_MAX_BITS / 8];
    size_t nbytes = (nbits + 7) / 8;
    size_t from = start_bit / 8;
    memset(b, 0, sizeof b);
    if (from < sizeof b)
        memcpy(b, j->m->bits + from, nbytes <= sizeof b - from ? nbytes : sizeof b - from);
    if (mask && (nbits & 7) && nbytes > 0)
        b[nbytes - 1] &= (uint8_t)(0xffu << (8 - (nbits & 7)));
    kdata_bytes(j, b, nbits);
}

static const char *const nav_status[16] = {
    "Under way using engine",
    "At anchor",
    "Not under command",
    "Restricted maneuverability",
    "Constrained by her draught",
    "Moored",
    "Aground",
    "Engaged in fishing",
    "Under way sailing",
    "Reserved for HSC",
    "Reserved for WIG",
    "Power-driven vessel towing astern",
    "Power-driven vessel pushing ahead or towing alongside",
    "Reserved",
    "AIS-SART is active",
    "Not defined",
};

static const char *epfd_text(unsigned v)
{
    /* M.1371-5 Annex 8 table 50 (type of position fixing device); the
     * wording is gpsd's current one (3.22 said "INVALID EPFD" for 9..15). */
    static const char *const t[16] = {
        "Undefined",
        "GPS",
        "GLONASS",
        "Combined GPS/GLONASS",
        "Loran-C",
        "Chayka",
        "Integrated navigation system",
        "Surveyed",
        "Galileo",
        "Reserved (9)",
        "Reserved (10)",
        "Reserved (11)",
        "Reserved (12)",
        "Reserved (13)",
        "Reserved (14)",
        "Internal GNSS",
    };
    return t[v & 15];
}

static const char *shiptype_text(unsigned v)
{
    /* ITU-R M.1371-5 Annex 8 table 53 (ship and cargo types); gpsd's wording. */
    static const char *const t[100] = {
        "Not available",
        "Reserved for future use",
        "Reserved for future use",
        "Reserved for future use",
        "Reserved for future use",
        "Reserved for future use",
        "Reserved for future use",
        "Reserved for future use",
        "Reserved for future use",
        "Reserved for future use",
        "Reserved for future use",
        "Reserved for future use",
        "Reserved for future use",
        "Reserved for future use",
        "Reserved for future use",
        "Reserved for future use",
        "Reserved for future use",
        "Reserved for future use",
        "Reserved for future use",
        "Reserved for future use",
        "Wing in ground (WIG) - all ships of this type",
        "Wing in ground (WIG) - Hazardous category A",
        "Wing in ground (WIG) - Hazardous category B",
        "Wing in ground (WIG) - Hazardous category C",
        "Wing in ground (WIG) - Hazardous category D",
        "Wing in ground (WIG) - Reserved for future use",
        "Wing in ground (WIG) - Reserved for future use",
        "Wing in ground (WIG) - Reserved for future use",
        "Wing in ground (WIG) - Reserved for future use",
        "Wing in ground (WIG) - Reserved for future use",
        "Fishing",
        "Towing",
        "Towing: length exceeds 200m or breadth exceeds 25m",
        "Dredging or underwater ops",
        "Diving ops",
        "Military ops",
        "Sailing",
        "Pleasure Craft",
        "Reserved",
        "Reserved",
        "High speed craft (HSC) - all ships of this type",
        "High speed craft (HSC) - Hazardous category A",
        "High speed craft (HSC) - Hazardous category B",
        "High speed craft (HSC) - Hazardous category C",
        "High speed craft (HSC) - Hazardous category D",
        "High speed craft (HSC) - Reserved for future use",
        "High speed craft (HSC) - Reserved for future use",
        "High speed craft (HSC) - Reserved for future use",
        "High speed craft (HSC) - Reserved for future use",
        "High speed craft (HSC) - No additional information",
        "Pilot Vessel",
        "Search and Rescue vessel",
        "Tug",
        "Port Tender",
        "Anti-pollution equipment",
        "Law Enforcement",
        "Spare - Local Vessel",
        "Spare - Local Vessel",
        "Medical Transport",
        "Ship according to RR Resolution No. 18",
        "Passenger - all ships of this type",
        "Passenger - Hazardous category A",
        "Passenger - Hazardous category B",
        "Passenger - Hazardous category C",
        "Passenger - Hazardous category D",
        "Passenger - Reserved for future use",
        "Passenger - Reserved for future use",
        "Passenger - Reserved for future use",
        "Passenger - Reserved for future use",
        "Passenger - No additional information",
        "Cargo - all ships of this type",
        "Cargo - Hazardous category A",
        "Cargo - Hazardous category B",
        "Cargo - Hazardous category C",
        "Cargo - Hazardous category D",
        "Cargo - Reserved for future use",
        "Cargo - Reserved for future use",
        "Cargo - Reserved for future use",
        "Cargo - Reserved for future use",
        "Cargo - No additional information",
        "Tanker - all ships of this type",
        "Tanker - Hazardous category A",
        "Tanker - Hazardous category B",
        "Tanker - Hazardous category C",
        "Tanker - Hazardous category D",
        "Tanker - Reserved for future use",
        "Tanker - Reserved for future use",
        "Tanker - Reserved for future use",
        "Tanker - Reserved for future use",
        "Tanker - No additional information",
        "Other Type - all ships of this type",
        "Other Type - Hazardous category A",
        "Other Type - Hazardous category B",
        "Other Type - Hazardous category C",
        "Other Type - Hazardous category D",
        "Other Type - Reserved for future use",
        "Other Type - Reserved for future use",
        "Other Type - Reserved for future use",
        "Other Type - Reserved for future use",
        "Other Type - no additional information",
    };
    return v < 100 ? t[v] : "INVALID SHIP TYPE";
}

static const char *stationtype_text(unsigned v)
{
    static const char *const t[16] = {
        "All types of mobiles",
        "Reserved for future use",
        "All types of Class B mobile stations",
        "SAR airborne mobile station",
        "Aid to Navigation station",
        "Class B shipborne mobile station",
        "Regional use and inland waterways",
        "Regional use and inland waterways",
        "Regional use and inland waterways",
        "Regional use and inland waterways",
        "Reserved for future use",
        "Reserved for future use",
        "Reserved for future use",
        "Reserved for future use",
        "Reserved for future use",
        "Reserved for future use",
    };
    return t[v & 15];
}

static const char *navaid_text(unsigned v)
{
    /* ITU-R M.1371-5 Annex 8 table 74 (type of aid to navigation). */
    static const char *const t[32] = {
        "Unspecified",
        "Reference point",
        "RACON",
        "Fixed offshore structure",
        "Spare, Reserved for future use.",
        "Light, without sectors",
        "Light, with sectors",
        "Leading Light Front",
        "Leading Light Rear",
        "Beacon, Cardinal N",
        "Beacon, Cardinal E",
        "Beacon, Cardinal S",
        "Beacon, Cardinal W",
        "Beacon, Port hand",
        "Beacon, Starboard hand",
        "Beacon, Preferred Channel port hand",
        "Beacon, Preferred Channel starboard hand",
        "Beacon, Isolated danger",
        "Beacon, Safe water",
        "Beacon, Special mark",
        "Cardinal Mark N",
        "Cardinal Mark E",
        "Cardinal Mark S",
        "Cardinal Mark W",
        "Port hand Mark",
        "Starboard hand Mark",
        "Preferred Channel Port hand",
        "Preferred Channel Starboard hand",
        "Isolated danger",
        "Safe Water",
        "Special Mark",
        "Light Vessel / LANBY / Rigs",
    };
    return t[v & 31];
}

/* IMO 236/289 met-hydro trend, precipitation and ice codes. */
static const char *const trends[4] = {"steady", "increasing", "decreasing", "N/A"};
static const char *const preciptypes[8] = {"reserved",  "rain", "thunderstorm", "freezing rain",
                                           "mixed/ice", "snow", "reserved",     "N/A"};
static const char *const ice_text[4] = {"no", "yes", "reserved", "N/A"};

/* ---- types 1-3: class A position report (M.1371 Annex 8 §3.3.1 table 45) */
static void t_position_a(struct jctx *j)
{
    unsigned status = U(38, 4);
    int32_t turn = S(42, 8);
    unsigned speed = U(50, 10);
    ku(j, "status", status);
    klegend(j, "status_text", nav_status[status]);
    if (!j->scaled) {
        ki(j, "turn", turn);
        ku(j, "speed", speed);
    } else {
        /* ROT_AIS = 4.733 sqrt(ROT deg/min); -128 no information,
         * +-127 turning faster than 5 deg/30 s without a turn indicator. */
        e_key(j, "turn");
        if (turn == -128)
            e_str(j, "nan");
        else if (turn == -127)
            e_str(j, "fastleft");
        else if (turn == 127)
            e_str(j, "fastright");
        else {
            double r = turn / 4.733;
            e_fixed(j, r * r, 0);
        }
        /* 1023: not available; 1022: 102.2 kt or more. */
        e_key(j, "speed");
        if (speed == 1023)
            e_str(j, "nan");
        else if (speed == 1022)
            e_str(j, "fast");
        else
            e_fixed(j, speed / 10.0, 1);
    }
    kb(j, "accuracy", U(60, 1));
    klatlon(j, "lon", S(61, 28), LATLON_DIV, 6);
    klatlon(j, "lat", S(89, 27), LATLON_DIV, 6);
    kscale(j, "course", U(116, 12), 0.1, 0, 1);
    ku(j, "heading", U(128, 9));
    ku(j, "second", U(137, 6));
    ku(j, "maneuver", U(143, 2));
    kb(j, "raim", U(148, 1));
    /* The radio status is 19 bits; short (163-bit) reports carry less. */
    size_t n = j->m->nbits;
    ku(j, "radio", n >= 168 ? U(149, 19) : U(149, (unsigned)(n - 149)));
}

/* ---- types 4 and 11: base station report, UTC/date response (§3.3.2) */
static void t_base(struct jctx *j)
{
    char t[64], *p = t;
    unsigned year = U(38, 14);
    p = dig2(p, year / 100); /* %04u: a year above 9999 keeps all its digits */
    p = dig2(p, year % 100);
    *p++ = '-';
    p = dig2(p, U(52, 4));
    *p++ = '-';
    p = dig2(p, U(56, 5));
    *p++ = 'T';
    p = dig2(p, U(61, 5));
    *p++ = ':';
    p = dig2(p, U(66, 6));
    *p++ = ':';
    p = dig2(p, U(72, 6));
    *p++ = 'Z';
    *p = 0;
    ks(j, "timestamp", t);
    kb(j, "accuracy", U(78, 1));
    klatlon(j, "lon", S(79, 28), LATLON_DIV, 6);
    klatlon(j, "lat", S(107, 27), LATLON_DIV, 6);
    ku(j, "epfd", U(134, 4));
    klegend(j, "epfd_text", epfd_text(U(134, 4)));
    kb(j, "raim", U(148, 1));
    ku(j, "radio", U(149, 19));
}

/* ---- type 5: static and voyage related data (§3.3.3) */
static void t_static(struct jctx *j)
{
    ku(j, "imo", U(40, 30));
    ku(j, "ais_version", U(38, 2));
    ktext(j, "callsign", 70, 7);
    ktext(j, "shipname", 112, 20);
    ku(j, "shiptype", U(232, 8));
    klegend(j, "shiptype_text", shiptype_text(U(232, 8)));
    ku(j, "to_bow", U(240, 9));
    ku(j, "to_stern", U(249, 9));
    ku(j, "to_port", U(258, 6));
    ku(j, "to_starboard", U(264, 6));
    ku(j, "epfd", U(270, 4));
    klegend(j, "epfd_text", epfd_text(U(270, 4)));
    keta(j, "eta", U(274, 4), U(278, 5), U(283, 5), U(288, 6));
    kscale(j, "draught", U(294, 8), 0.1, 0, 1);
    ktext(j, "destination", 302, 20);
    /* 420- and 422-bit reports (common in the wild) lack the DTE bit. */
    ku(j, "dte", j->m->nbits >= 423 ? U(422, 1) : 0);
}

/* Tidal window elements of IMO 236 (FID 14) and IMO 289 (FID 32). */
static void tidals(struct jctx *j, int imo289)
{
    const size_t base = 97;
    const size_t size = imo289 ? 88 : 93;
    e_key(j, "tidals");
    e_open(j, '[');
    /* gpsd decodes an element starting exactly at the end, too (zeros). */
    for (size_t a = base; a <= j->m->nbits; a += size) {
        e_open_elem(j, '{');
        int32_t lat, lon;
        size_t o;
        if (imo289) {
            lon = S(a, 25);
            lat = S(a + 25, 24);
            o = a + 49;
        } else {
            lat = S(a, 27);
            lon = S(a + 27, 28);
            o = a + 55;
        }
        klatlon(j, "lon", lon, LATLON1000_DIV, 4);
        klatlon(j, "lat", lat, LATLON1000_DIV, 4);
        ku(j, "from_hour", U(o, 5));
        ku(j, "from_min", U(o + 5, 6));
        ku(j, "to_hour", U(o + 11, 5));
        ku(j, "to_min", U(o + 16, 6));
        ku(j, "cdir", U(o + 22, 9));
        kscale(j, "cspeed", U(o + 31, imo289 ? 8 : 7), 0.1, 0, 1);
        e_close(j, '}');
    }
    e_close(j, ']');
}

/* "M-DTH:M" without padding, as gpsd writes Inland and berthing times. */
static void ktime_plain(struct jctx *j, const char *k, unsigned mo, unsigned d, unsigned h,
                        unsigned mi)
{
    char t[64];
    snprintf(t, sizeof t, "%u-%uT%u:%u", mo, d, h, mi);
    ks(j, k, t);
}

/* IMO 289 route types (route information, FID 27/28). */
static const char *route_type_text(unsigned v)
{
    static const char *const t[6] = {
        "Undefined (default)",           "Mandatory",      "Recommended", "Alternative",
        "Recommended route through ice", "Ship route plan"};
    if (v < 6)
        return t[v];
    return v == 31 ? "Cancel route identified by message linkage" : "Reserved for future use.";
}

/* IMO 289 route information: header at `at`, then waycount waypoints of
 * 55 bits (lon 28, lat 27 in 1/10000 minute). */
static void route_info(struct jctx *j, size_t at)
{
    unsigned rtype = U(at + 13, 5);
    ku(j, "linkage", U(at, 10));
    ku(j, "sender", U(at + 10, 3));
    ku(j, "rtype", rtype);
    klegend(j, "rtype_text", route_type_text(rtype));
    keta(j, "start", U(at + 18, 4), U(at + 22, 5), U(at + 27, 5), U(at + 32, 6));
    ku(j, "duration", U(at + 38, 18));
    unsigned waycount = U(at + 56, 5);
    e_key(j, "waypoints");
    e_open(j, '[');
    for (unsigned i = 0; i < waycount; i++) {
        size_t a = at + 61 + 55 * (size_t)i;
        e_open_elem(j, '{');
        klatlon(j, "lon", S(a, 28), LATLON_DIV, 6);
        klatlon(j, "lat", S(a + 28, 27), LATLON_DIV, 6);
        e_close(j, '}');
    }
    e_close(j, ']');
}

/* Inland AIS ETA/RTA header (DAC 200 FID 21/22): UN country and location
 * codes, fairway section, terminal, hectometre, then the time. */
static void inland_place(struct jctx *j)
{
    ktext(j, "country", 88, 2);
    ktext(j, "locode", 100, 3);
    ktext(j, "section", 118, 5);
    ktext(j, "terminal", 148, 5);
    ktext(j, "hectometre", 178, 5);
    ktime_plain(j, "eta", U(208, 4), U(212, 5), U(217, 5), U(222, 6));
}

/* Type 6 application payloads gpsd interprets; 0 when left as data. */
static int t6_structured(struct jctx *j, unsigned dac, unsigned fid)
{
    size_t n = j->m->nbits;
    if (dac == 200 && fid == 55 && n == 168) {
        /* Inland AIS: persons on board. */
        ku(j, "crew", U(88, 8));
        ku(j, "passengers", U(96, 13));
        ku(j, "personnel", U(109, 8));
        return 1;
    }
    if ((dac == 235 || dac == 250) && fid == 10 && n == 136) {
        /* GLA AtoN monitoring; analogue values in 0.05 V. */
        static const char *const racon[4] = {"No RACON installed", "RACON not monitored",
                                             "RACON operational", "RACON ERROR"};
        static const char *const light[4] = {"No light or no monitoring", "Light ON", "Light OFF",
                                             "Light ERROR"};
        kb(j, "off_pos", U(131, 1));
        kb(j, "alarm", U(122, 1));
        ku(j, "stat_ext", U(123, 8));
        kscale(j, "ana_int", U(88, 10), 0.05, 0, 2);
        kscale(j, "ana_ext1", U(98, 10), 0.05, 0, 2);
        kscale(j, "ana_ext2", U(108, 10), 0.05, 0, 2);
        ku(j, "racon", U(118, 2));
        ks(j, "racon_text", racon[U(118, 2)]);
        ku(j, "light", U(120, 2));
        ks(j, "light_text", light[U(120, 2)]);
        return 1;
    }
    if (dac == 200 && fid == 21 && n == 248) {
        /* Inland AIS: ETA at lock, bridge or terminal. */
        inland_place(j);
        ku(j, "tugs", U(228, 3));
        ku(j, "airdraught", U(231, 12));
        return 1;
    }
    if (dac == 200 && fid == 22 && n == 232) {
        /* Inland AIS: RTA at lock, bridge or terminal. */
        static const char *const rta[4] = {"Operational", "Limited operation", "Out of order",
                                           "N/A"};
        inland_place(j);
        ku(j, "status", U(228, 2));
        klegend(j, "status_text", rta[U(228, 2)]);
        return 1;
    }
    if (dac != 1)
        return 0;
    switch (fid) {
    case 15: /* IMO 236 extended ship static data: air draught, dm. gpsd reads
              * it at bit 56 (inside the header); done alike for parity. */
        ku(j, "airdraught", U(56, 11));
        return 1;
    case 16: /* persons on board: IMO 289 (136-bit payload) or IMO 236 */
        ku(j, "persons", n - 88 == 136 ? U(88, 13) : U(55, 13));
        return 1;
    case 20: { /* IMO 289 berthing data */
        static const char *const position[8] = {"Not available",
                                                "Port-side to",
                                                "Starboard-side to",
                                                "Mediterranean (end-on) mooring",
                                                "Mooring buoy",
                                                "Anchorage",
                                                "Reserved for future use",
                                                "Reserved for future use"};
        static const char *const services[26] = {
            "agent",       "fuel",           "chandler", "stevedore",  "electrical", "water",
            "customs",     "cartage",        "crane",    "lift",       "medical",    "navrepair",
            "provisions",  "shiprepair",     "surveyor", "steam",      "tugs",       "solidwaste",
            "liquidwaste", "hazardouswaste", "ballast",  "additional", "regional1",  "regional2",
            "future1",     "future2"};
        ku(j, "linkage", U(88, 10));
        ku(j, "berth_length", U(98, 9));
        ku(j, "position", U(115, 3));
        klegend(j, "position_text", position[U(115, 3)]);
        ktime_plain(j, "arrival", U(118, 4), U(122, 5), U(127, 5), U(132, 6));
        ku(j, "availability", U(138, 1));
        for (unsigned i = 0; i < 26; i++) /* 2-bit service status codes */
            ku(j, services[i], U(139 + 2 * (size_t)i, 2));
        ktext(j, "berth_name", 191, 20);
        klatlon(j, "berth_lon", S(311, 25), LATLON1000_DIV, 4);
        klatlon(j, "berth_lat", S(336, 24), LATLON1000_DIV, 4);
        kscale(j, "berth_depth", U(107, 8), 0.1, 0, 1);
        return 1;
    }
    case 25: /* IMO 289 dangerous cargo indication */
        ku(j, "unit", U(88, 2));
        ku(j, "amount", U(90, 10));
        e_key(j, "cargos");
        e_open(j, '[');
        for (size_t a = 100; a < n; a += 17) {
            e_open_elem(j, '{');
            ku(j, "code", U(a, 4));
            ku(j, "subtype", U(a + 4, 13));
            e_close(j, '}');
        }
        e_close(j, ']');
        return 1;
    case 28: /* IMO 289 route information, addressed */
        route_info(j, 88);
        return 1;
    case 12: /* IMO 236 dangerous cargo indication */
        ktext(j, "lastport", 88, 5);
        keta(j, "departure", U(118, 4), U(122, 5), U(127, 5), U(132, 6));
        ktext(j, "nextport", 138, 5);
        keta(j, "eta", U(168, 4), U(172, 5), U(177, 5), U(182, 6));
        ktext(j, "dangerous", 188, 20);
        ktext(j, "imdcat", 308, 4);
        ku(j, "unid", U(332, 13));
        ku(j, "amount", U(345, 10));
        ku(j, "unit", U(355, 2));
        return 1;
    case 14: /* IMO 236 tidal window */
    case 32: /* IMO 289 tidal window */
        ku(j, "month", U(88, 4));
        ku(j, "day", U(92, 5));
        tidals(j, fid == 32);
        return 1;
    case 18: /* IMO 289 clearance time to enter port */
        ku(j, "linkage", U(88, 10));
        keta(j, "arrival", U(98, 4), U(102, 5), U(107, 5), U(112, 6));
        ktext(j, "portname", 118, 20);
        ktext(j, "destination", 238, 5);
        klatlon(j, "lon", S(268, 25), LATLON1000_DIV, 4);
        klatlon(j, "lat", S(293, 24), LATLON1000_DIV, 4);
        return 1;
    case 30: /* IMO 289 text description, addressed */
        ku(j, "linkage", U(88, 10));
        kendtext(j, "text", 98);
        return 1;
    default:
        return 0;
    }
}

/* ---- type 6: addressed binary message (§3.3.4) */
static void t_addressed_binary(struct jctx *j)
{
    unsigned dac = U(72, 10), fid = U(82, 6);
    ku(j, "seqno", U(38, 2));
    ku(j, "dest_mmsi", U(40, 30));
    kb(j, "retransmit", U(70, 1));
    ku(j, "dac", dac);
    ku(j, "fid", fid);
    if (!t6_structured(j, dac, fid))
        kdata_at(j, 88, j->m->nbits - 88, 0);
}

static void met_hydro_imo236(struct jctx *j)
{
    char t[32];
    klatlon(j, "lat", S(56, 24), LATLON1000_DIV, 4);
    klatlon(j, "lon", S(80, 25), LATLON1000_DIV, 4);
    snprintf(t, sizeof t, "%02uT%02u:%02uZ", U(105, 5), U(110, 5), U(115, 6));
    ks(j, "timestamp", t);
    ku(j, "wspeed", U(121, 7));
    ku(j, "wgust", U(128, 7));
    ku(j, "wdir", U(135, 9));
    ku(j, "wgustdir", U(144, 9));
    ku(j, "humidity", U(164, 7));
    /* Air temperature 0.1 degC offset -60; dew point offset -20; pressure
     * hPa offset 800; water level 0.1 m offset -10; water temperature
     * 0.1 degC offset -10 (IMO SN/Circ.236 annex 2). */
    kscale(j, "airtemp", U(153, 11), 0.1, -60, 1);
    kscale(j, "dewpoint", U(171, 10), 0.1, -20, 1);
    kscale(j, "pressure", U(181, 9), 1, 800, 0);
    kcode(j, "pressuretend", U(190, 2), trends);
    kscale(j, "visibility", U(192, 8), 0.1, 0, 1);
    kscale(j, "waterlevel", U(200, 9), 0.1, -10, 1);
    kcode(j, "leveltrend", U(209, 2), trends);
    kscale(j, "cspeed", U(211, 8), 0.1, 0, 1);
    ku(j, "cdir", U(219, 9));
    kscale(j, "cspeed2", U(228, 8), 0.1, 0, 1);
    ku(j, "cdir2", U(236, 9));
    ku(j, "cdepth2", U(245, 5));
    kscale(j, "cspeed3", U(250, 8), 0.1, 0, 1);
    ku(j, "cdir3", U(258, 9));
    ku(j, "cdepth3", U(267, 5));
    kscale(j, "waveheight", U(272, 8), 0.1, 0, 1);
    ku(j, "waveperiod", U(280, 6));
    ku(j, "wavedir", U(286, 9));
    kscale(j, "swellheight", U(295, 8), 0.1, 0, 1);
    ku(j, "swellperiod", U(303, 6));
    ku(j, "swelldir", U(309, 9));
    ku(j, "seastate", U(318, 4));
    kscale(j, "watertemp", U(322, 10), 0.1, -10, 1);
    ku(j, "preciptype", U(332, 3));
    ks(j, "preciptype_text", preciptypes[U(332, 3)]);
    kscale(j, "salinity", U(335, 9), 0.1, 0, 1);
    ku(j, "ice", U(344, 2));
    ks(j, "ice_text", ice_text[U(344, 2)]);
}

static void met_hydro_imo289(struct jctx *j)
{
    char t[32];
    klatlon(j, "lat", S(81, 24), LATLON1000_DIV, 4);
    klatlon(j, "lon", S(56, 25), LATLON1000_DIV, 4);
    kb(j, "accuracy", U(105, 1));
    snprintf(t, sizeof t, "%02uT%02u:%02uZ", U(106, 5), U(111, 5), U(116, 6));
    ks(j, "timestamp", t);
    ku(j, "wspeed", U(122, 7));
    ku(j, "wgust", U(129, 7));
    ku(j, "wdir", U(136, 9));
    ku(j, "wgustdir", U(145, 9));
    ku(j, "humidity", U(165, 7));
    /* Temperatures are signed 0.1 degC; pressure hPa offset 799; water level
     * 0.01 m offset -10 m (IMO SN.1/Circ.289 annex, met/hydro message). */
    kscale(j, "airtemp", S(154, 11), 0.1, 0, 1);
    kscale(j, "dewpoint", S(172, 10), 0.1, 0, 1);
    kscale(j, "pressure", U(182, 9), 1, 799, 0);
    kcode(j, "pressuretend", U(191, 2), trends);
    kb(j, "visgreater", U(193, 1));
    kscale(j, "visibility", U(194, 7), 0.1, 0, 1);
    kscale_off(j, "waterlevel", U(201, 12), -1000, 0.01, 1);
    kcode(j, "leveltrend", U(213, 2), trends);
    kscale(j, "cspeed", U(215, 8), 0.1, 0, 1);
    ku(j, "cdir", U(223, 9));
    kscale(j, "cspeed2", U(232, 8), 0.1, 0, 1);
    ku(j, "cdir2", U(240, 9));
    ku(j, "cdepth2", U(249, 5));
    kscale(j, "cspeed3", U(254, 8), 0.1, 0, 1);
    ku(j, "cdir3", U(262, 9));
    ku(j, "cdepth3", U(271, 5));
    kscale(j, "waveheight", U(276, 8), 0.1, 0, 1);
    ku(j, "waveperiod", U(284, 6));
    ku(j, "wavedir", U(290, 9));
    kscale(j, "swellheight", U(299, 8), 0.1, 0, 1);
    ku(j, "swellperiod", U(307, 6));
    ku(j, "swelldir", U(313, 9));
    ku(j, "seastate", U(322, 4));
    kscale(j, "watertemp", S(326, 10), 0.1, 0, 1);
    kcode(j, "preciptype", U(336, 3), preciptypes);
    kscale(j, "salinity", U(339, 9), 0.1, 0, 1);
    kcode(j, "ice", U(348, 2), ice_text);
}

/* ERI ship types of Inland AIS (CCNR, ERI code list), as gpsd lists them:
 * a value matches either the ERI code or the AIS ship type beside it. */
static const char *eri_shiptype_text(unsigned v)
{
    static const struct {
        uint16_t code, ais;
        const char *text;
    } t[] = {
        {8000, 99, "Vessel, type unknown"},
        {8010, 79, "Motor freighter"},
        {8020, 89, "Motor tanker"},
        {8021, 80, "Motor tanker, liquid cargo, type N"},
        {8022, 80, "Motor tanker, liquid cargo, type C"},
        {8023, 89, "Motor tanker, dry cargo as if liquid (e.g. cement)"},
        {8030, 79, "Container vessel"},
        {8040, 80, "Gas tanker"},
        {8050, 79, "Motor freighter, tug"},
        {8060, 89, "Motor tanker, tug"},
        {8070, 79, "Motor freighter with one or more ships alongside"},
        {8080, 89, "Motor freighter with tanker"},
        {8090, 79, "Motor freighter pushing one or more freighters"},
        {8100, 89, "Motor freighter pushing at least one tank-ship"},
        {8110, 79, "Tug, freighter"},
        {8120, 89, "Tug, tanker"},
        {8130, 31, "Tug freighter, coupled"},
        {8140, 31, "Tug, freighter/tanker, coupled"},
        {8150, 99, "Freightbarge"},
        {8160, 99, "Tankbarge"},
        {8161, 90, "Tankbarge, liquid cargo, type N"},
        {8162, 90, "Tankbarge, liquid cargo, type C"},
        {8163, 99, "Tankbarge, dry cargo as if liquid (e.g. cement)"},
        {8170, 99, "Freightbarge with containers"},
        {8180, 90, "Tankbarge, gas"},
        {8210, 79, "Pushtow, one cargo barge"},
        {8220, 79, "Pushtow, two cargo barges"},
        {8230, 79, "Pushtow, three cargo barges"},
        {8240, 79, "Pushtow, four cargo barges"},
        {8250, 79, "Pushtow, five cargo barges"},
        {8260, 79, "Pushtow, six cargo barges"},
        {8270, 79, "Pushtow, seven cargo barges"},
        {8280, 79, "Pushtow, eigth cargo barges"},
        {8290, 79, "Pushtow, nine or more barges"},
        {8310, 80, "Pushtow, one tank/gas barge"},
        {8320, 80, "Pushtow, two barges at least one tanker or gas barge"},
        {8330, 80, "Pushtow, three barges at least one tanker or gas barge"},
        {8340, 80, "Pushtow, four barges at least one tanker or gas barge"},
        {8350, 80, "Pushtow, five barges at least one tanker or gas barge"},
        {8360, 80, "Pushtow, six barges at least one tanker or gas barge"},
        {8370, 80, "Pushtow, seven barges at least one tanker or gas barg"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (t[i].code == v || t[i].ais == v)
            return t[i].text;
    return "Illegal ship type value.";
}

/* Type 8 application payloads gpsd interprets; 0 when left as data. */
static int t8_structured(struct jctx *j, unsigned dac, unsigned fid)
{
    size_t n = j->m->nbits;
    if (dac == 1 && fid == 11) {
        met_hydro_imo236(j);
        return 1;
    }
    if (dac == 1 && fid == 31) {
        met_hydro_imo289(j);
        return 1;
    }
    if (dac == 1 && fid == 13) {
        /* IMO 236 fairway closed */
        char t[32];
        ktext(j, "reason", 56, 20);
        ktext(j, "closefrom", 176, 20);
        ktext(j, "closeto", 296, 20);
        ku(j, "radius", U(416, 10));
        ku(j, "extunit", U(426, 2));
        snprintf(t, sizeof t, "%02u-%02uT%02u:%02u", U(433, 4), U(428, 5), U(437, 5), U(442, 6));
        ks(j, "from", t);
        snprintf(t, sizeof t, "%02u-%02uT%02u:%02u", U(453, 4), U(448, 5), U(457, 5), U(462, 6));
        ks(j, "to", t);
        return 1;
    }
    if (dac == 1 && fid == 15) {
        /* IMO 236 extended ship and voyage data: air draught, dm */
        ku(j, "airdraught", U(56, 11));
        return 1;
    }
    if (dac == 1 && fid == 16 && (n - 56 == 136 || n - 56 == 72)) {
        /* persons on board: IMO 289 (136-bit payload) or IMO 236 (72) */
        ku(j, "persons", n - 56 == 136 ? U(88, 13) : U(55, 13));
        return 1;
    }
    if (dac == 1 && fid == 17) {
        /* IMO 289 VTS-generated/synthetic targets, 122 bits each */
        static const char *const idtypes[4] = {"mmsi", "imo", "callsign", "other"};
        e_key(j, "targets");
        e_open(j, '[');
        for (size_t a = 56; a <= n; a += 122) {
            unsigned idtype = U(a, 2);
            e_open_elem(j, '{');
            ku(j, "idtype", idtype);
            klegend(j, "idtype_text", idtypes[idtype]);
            if (idtype <= 1) {
                /* a 42-bit field; gpsd keeps its low 32 bits, as text */
                char t[16];
                uint32_t id = (uint32_t)((uint64_t)U(a + 2, 10) << 32 | U(a + 12, 32));
                snprintf(t, sizeof t, "%u", id);
                ks(j, idtypes[idtype], t);
            } else {
                ktext(j, idtypes[idtype], a + 2, 7);
            }
            klatlon(j, "lat", S(a + 48, 24), LATLON1000_DIV, 4);
            klatlon(j, "lon", S(a + 72, 25), LATLON1000_DIV, 4);
            ku(j, "course", U(a + 97, 9));
            ku(j, "second", U(a + 106, 6));
            ku(j, "speed", U(a + 112, 10));
            e_close(j, '}');
        }
        e_close(j, ']');
        return 1;
    }
    if (dac == 1 && fid == 19) {
        /* IMO 289 marine traffic signal */
        static const char *const signals[15] = {
            "N/A",
            "Serious emergency - stop or divert according to instructions.",
            "Vessels shall not proceed.",
            "Vessels may proceed. One way traffic.",
            "Vessels may proceed. Two way traffic.",
            "Vessels shall proceed on specific orders only.",
            "Vessels in main channel shall not proceed.",
            "Vessels in main channel shall proceed on specific orders only.",
            "Vessels in main channel shall proceed on specific orders only.",
            "I = \"in-bound\" only acceptable.",
            "O = \"out-bound\" only acceptable.",
            "F = both \"in- and out-bound\" acceptable.",
            "XI = Code will shift to \"I\" in due time.",
            "XO = Code will shift to \"O\" in due time.",
            "X = Vessels shall proceed only on direction.",
        };
        unsigned sig = U(237, 5), next = U(253, 5);
        ku(j, "linkage", U(56, 10));
        ktext(j, "station", 66, 20);
        klatlon(j, "lon", S(186, 25), LATLON1000_DIV, 4);
        klatlon(j, "lat", S(211, 24), LATLON1000_DIV, 4);
        ku(j, "status", U(235, 2));
        ku(j, "signal", sig);
        ks(j, "signal_text", sig < 15 ? signals[sig] : "INVALID SIGNAL TYPE");
        ku(j, "hour", U(242, 5));
        ku(j, "minute", U(247, 6));
        ku(j, "nextsignal", next);
        ks(j, "nextsignal_text", next < 15 ? signals[next] : "INVALID SIGNAL TYPE");
        return 1;
    }
    if (dac == 1 && fid == 27) {
        /* IMO 289 route information, broadcast */
        route_info(j, 56);
        return 1;
    }
    if (dac == 200 && fid == 23 && n == 256) {
        /* Inland AIS EMMA weather warning */
        static const char *const types[10] = {"Not Available",
                                              "Wind",
                                              "Rain",
                                              "Snow and ice",
                                              "Thunderstorm",
                                              "Fog",
                                              "Low temperature",
                                              "High temperature",
                                              "Flood",
                                              "Forest Fire"};
        static const char *const classes[3] = {"Slight", "Medium", "Strong"};
        static const char *const winds[9] = {"N/A",        "North",      "North East",
                                             "East",       "South East", "South",
                                             "South West", "West",       "North West"};
        char t[48];
        snprintf(t, sizeof t, "%4u-%02u-%02uT%02u:%02u", U(56, 8) + 2000, U(64, 4), U(68, 5),
                 U(90, 5), U(95, 6));
        ks(j, "start", t);
        snprintf(t, sizeof t, "%4u-%02u-%02uT%02u:%02u", U(73, 8) + 2000, U(81, 4), U(85, 5),
                 U(101, 5), U(106, 6));
        ks(j, "end", t);
        klatlon(j, "start_lon", S(112, 28), LATLON_DIV, 6);
        klatlon(j, "start_lat", S(140, 27), LATLON_DIV, 6);
        klatlon(j, "end_lon", S(167, 28), LATLON_DIV, 6);
        klatlon(j, "end_lat", S(195, 27), LATLON_DIV, 6);
        unsigned type = U(222, 4), cls = U(244, 2), wind = U(246, 4);
        ku(j, "type", type);
        klegend(j, "type_text", type < 10 ? types[type] : "INVALID EMMA TYPE");
        ki(j, "min", S(226, 9));
        ki(j, "max", S(235, 9));
        ku(j, "class", cls);
        klegend(j, "class_text", cls < 3 ? classes[cls] : "INVALID EMMA TYPE");
        ku(j, "wind", wind);
        klegend(j, "wind_text", wind < 9 ? winds[wind] : "INVALID EMMA WIND DIRECTION");
        return 1;
    }
    if (dac == 200 && fid == 24 && n == 168) {
        /* Inland AIS water levels: gauges of 25 bits (id 11, level 14 cm) */
        ktext(j, "country", 56, 2);
        e_key(j, "gauges");
        e_open(j, '[');
        for (size_t a = 68; a < n; a += 25) {
            e_open_elem(j, '{');
            ku(j, "id", U(a, 11));
            ki(j, "level", S(a + 11, 14));
            e_close(j, '}');
        }
        e_close(j, ']');
        return 1;
    }
    if (dac == 200 && fid == 40 && n == 168) {
        /* Inland AIS signal status */
        static const char *const dirs[5] = {"Unknown", "Upstream", "Downstream", "To left bank",
                                            "To right bank"};
        static const char *const lights[8] = {"Unknown",        "No light",        "White",
                                              "Yellow",         "Green",           "Red",
                                              "White flashing", "Yellow flashing."};
        unsigned dir = U(124, 3), status = U(127, 30);
        klatlon(j, "lon", S(56, 28), LATLON_DIV, 6);
        klatlon(j, "lat", S(84, 27), LATLON_DIV, 6);
        ku(j, "form", U(111, 4));
        ku(j, "facing", U(115, 9));
        ku(j, "direction", dir);
        klegend(j, "direction_text", dir < 5 ? dirs[dir] : "INVALID DIRECTION");
        ku(j, "status", status);
        klegend(j, "status_text", status < 8 ? lights[status] : "INVALID STATUS");
        return 1;
    }
    if (dac == 1 && fid == 29) {
        /* IMO 289 text description, broadcast */
        ku(j, "linkage", U(56, 10));
        kendtext(j, "text", 66);
        return 1;
    }
    /* Inland static and voyage data: only the exact 168-bit form, and a
     * hazard code in range, so other uses of the FID are not mistaken. */
    if (dac == 200 && fid == 10 && n == 168 && U(141, 3) <= 5) {
        static const char *const hazard[6] = {
            "0 blue cones/lights", "1 blue cone/light", "2 blue cones/lights",
            "3 blue cones/lights", "4 B-Flag",          "Unknown"};
        static const char *const loaded[4] = {"N/A (default)", "Unloaded", "Loaded",
                                              "INVALID LOAD STATUS"};
        ktext(j, "vin", 56, 8);
        ku(j, "length", U(104, 13));
        ku(j, "beam", U(117, 10));
        ku(j, "shiptype", U(127, 14));
        ks(j, "shiptype_text", eri_shiptype_text(U(127, 14)));
        ku(j, "hazard", U(141, 3));
        ks(j, "hazard_text", hazard[U(141, 3)]);
        ku(j, "draught", U(144, 11));
        ku(j, "loaded", U(155, 2));
        ks(j, "loaded_text", loaded[U(155, 2)]);
        kb(j, "speed_q", U(157, 1));
        kb(j, "course_q", U(158, 1));
        kb(j, "heading_q", U(159, 1));
        return 1;
    }
    return 0;
}

/* ---- type 8: binary broadcast message (§3.3.6) */
static void t_broadcast_binary(struct jctx *j)
{
    unsigned dac = U(40, 10), fid = U(50, 6);
    ku(j, "dac", dac);
    ku(j, "fid", fid);
    if (!t8_structured(j, dac, fid))
        kdata_at(j, 56, j->m->nbits - 56, 1);
}

/* ---- type 9: SAR aircraft position report (§3.3.8) */
static void t_sar(struct jctx *j)
{
    unsigned alt = U(38, 12), speed = U(50, 10);
    if (!j->scaled) {
        ku(j, "alt", alt);
        ku(j, "speed", speed);
    } else {
        /* Altitude m: 4095 not available, 4094 4094 m or higher; speed kt:
         * 1023 not available, 1022 1022 kt or more. */
        e_key(j, "alt");
        if (alt == 4095)
            e_str(j, "nan");
        else if (alt == 4094)
            e_str(j, "high");
        else
            e_uint(j, alt);
        e_key(j, "speed");
        if (speed == 1023)
            e_str(j, "nan");
        else if (speed == 1022)
            e_str(j, "fast");
        else
            e_uint(j, speed);
    }
    kb(j, "accuracy", U(60, 1));
    klatlon(j, "lon", S(61, 28), LATLON_DIV, 6);
    klatlon(j, "lat", S(89, 27), LATLON_DIV, 6);
    kscale(j, "course", U(116, 12), 0.1, 0, 1);
    ku(j, "second", U(128, 6));
    ku(j, "regional", U(134, 8));
    ku(j, "dte", U(142, 1));
    kb(j, "raim", U(147, 1));
    ku(j, "radio", U(148, 20));
}

/* ---- types 7 and 13: acknowledgements (§3.3.5, 3.3.10) */
static void t_ack(struct jctx *j)
{
    static const char *const k[4] = {"mmsi1", "mmsi2", "mmsi3", "mmsi4"};
    for (unsigned u = 0; u < 4; u++)
        ku(j, k[u], 40 + 32 * u < j->m->nbits ? U(40 + 32 * u, 30) : 0);
}

/* ---- type 15: interrogation (§3.3.12) */
static void t_interrogation(struct jctx *j)
{
    size_t n = j->m->nbits;
    ku(j, "mmsi1", U(40, 30));
    ku(j, "type1_1", U(70, 6));
    ku(j, "offset1_1", U(76, 12));
    ku(j, "type1_2", n > 90 ? U(90, 6) : 0);
    ku(j, "offset1_2", n > 90 ? U(96, 12) : 0);
    ku(j, "mmsi2", n > 110 ? U(110, 30) : 0);
    ku(j, "type2_1", n > 110 ? U(140, 6) : 0);
    ku(j, "offset2_1", n > 110 ? U(146, 12) : 0);
}

/* ---- type 16: assigned mode command (§3.3.13) */
static void t_assigned(struct jctx *j)
{
    int two = j->m->nbits >= 144;
    ku(j, "mmsi1", U(40, 30));
    ku(j, "offset1", U(70, 12));
    ku(j, "increment1", U(82, 10));
    ku(j, "mmsi2", two ? U(92, 30) : 0);
    ku(j, "offset2", two ? U(122, 12) : 0);
    ku(j, "increment2", two ? U(134, 10) : 0);
}

/* ---- type 18: class B position report (§3.3.14) */
static void t_position_b(struct jctx *j)
{
    ku(j, "reserved", U(38, 8));
    unsigned speed = U(46, 10);
    if (j->scaled && speed == 1023) {
        ks(j, "speed", "nan");
    } else {
        kscale(j, "speed", speed, 0.1, 0, 1);
    }
    kb(j, "accuracy", U(56, 1));
    klatlon(j, "lon", S(57, 28), LATLON_DIV, 6);
    klatlon(j, "lat", S(85, 27), LATLON_DIV, 6);
    kscale(j, "course", U(112, 12), 0.1, 0, 1);
    ku(j, "heading", U(124, 9));
    ku(j, "second", U(133, 6));
    ku(j, "regional", U(139, 2));
    kb(j, "cs", U(141, 1));
    kb(j, "display", U(142, 1));
    kb(j, "dsc", U(143, 1));
    kb(j, "band", U(144, 1));
    kb(j, "msg22", U(145, 1));
    kb(j, "raim", U(147, 1));
    ku(j, "radio", U(148, 20));
}

/* ---- type 19: extended class B position report (§3.3.15) */
static void t_position_b_ext(struct jctx *j)
{
    ku(j, "reserved", U(38, 8));
    unsigned speed = U(46, 10);
    if (j->scaled && speed == 1023)
        ks(j, "speed", "nan");
    else
        kscale(j, "speed", speed, 0.1, 0, 1);
    kb(j, "accuracy", U(56, 1));
    klatlon(j, "lon", S(57, 28), LATLON_DIV, 6);
    klatlon(j, "lat", S(85, 27), LATLON_DIV, 6);
    kscale(j, "course", U(112, 12), 0.1, 0, 1);
    ku(j, "heading", U(124, 9));
    ku(j, "second", U(133, 6));
    ku(j, "regional", U(139, 4));
    ktext(j, "shipname", 143, 20);
    ku(j, "shiptype", U(263, 8));
    klegend(j, "shiptype_text", shiptype_text(U(263, 8)));
    ku(j, "to_bow", U(271, 9));
    ku(j, "to_stern", U(280, 9));
    ku(j, "to_port", U(289, 6));
    ku(j, "to_starboard", U(295, 6));
    ku(j, "epfd", U(301, 4));
    klegend(j, "epfd_text", epfd_text(U(301, 4)));
    kb(j, "raim", U(305, 1));
    ku(j, "dte", U(306, 1));
    kb(j, "assigned", U(307, 1));
}

/* ---- type 20: data link management (§3.3.16) */
static void t_datalink(struct jctx *j)
{
    static const char *const k[4][4] = {
        {"offset1", "number1", "timeout1", "increment1"},
        {"offset2", "number2", "timeout2", "increment2"},
        {"offset3", "number3", "timeout3", "increment3"},
        {"offset4", "number4", "timeout4", "increment4"},
    };
    for (unsigned i = 0; i < 4; i++) {
        size_t a = 40 + 30 * (size_t)i;
        ku(j, k[i][0], U(a, 12));
        ku(j, k[i][1], U(a + 12, 4));
        ku(j, k[i][2], U(a + 16, 3));
        ku(j, k[i][3], U(a + 19, 11));
    }
}

/* ---- type 21: aid-to-navigation report (§3.3.17) */
static void t_aton(struct jctx *j)
{
    char name[35]; /* 20 characters and at most 14 of extension, as gpsd keeps */
    size_t n = j->m->nbits;
    ais_text(j->m->bits, AIS_MAX_BITS, 43, 20, name, 21, 0);
    /* A full 20-character name may continue in the extension field. */
    if (strlen(name) == 20 && n > 272)
        ais_text(j->m->bits, AIS_MAX_BITS, 272, (unsigned)((n - 272) / 6), name + 20,
                 sizeof name - 20, 1);
    ais_text_trim(name);
    ku(j, "aid_type", U(38, 5));
    ks(j, "aid_type_text", navaid_text(U(38, 5)));
    ks(j, "name", name);
    if (j->scaled) {
        klatlon(j, "lon", S(164, 28), LATLON_DIV, 6);
        klatlon(j, "lat", S(192, 27), LATLON_DIV, 6);
        kb(j, "accuracy", U(163, 1));
    } else {
        kb(j, "accuracy", U(163, 1));
        klatlon(j, "lon", S(164, 28), LATLON_DIV, 6);
        klatlon(j, "lat", S(192, 27), LATLON_DIV, 6);
    }
    ku(j, "to_bow", U(219, 9));
    ku(j, "to_stern", U(228, 9));
    ku(j, "to_port", U(237, 6));
    ku(j, "to_starboard", U(243, 6));
    ku(j, "epfd", U(249, 4));
    klegend(j, "epfd_text", epfd_text(U(249, 4)));
    ku(j, "second", U(253, 6));
    ku(j, "regional", U(260, 8));
    kb(j, "off_position", U(259, 1));
    kb(j, "raim", U(268, 1));
    kb(j, "virtual_aid", U(269, 1));
}

/* ---- type 22: channel management (§3.3.18) */
static void t_channel(struct jctx *j)
{
    unsigned addressed = U(139, 1);
    ku(j, "channel_a", U(40, 12));
    ku(j, "channel_b", U(52, 12));
    ku(j, "txrx", U(64, 4));
    kb(j, "power", U(68, 1));
    if (!addressed) {
        kcorner(j, "ne_lon", S(69, 18));
        kcorner(j, "ne_lat", S(87, 17));
        kcorner(j, "sw_lon", S(104, 18));
        kcorner(j, "sw_lat", S(122, 17));
    } else {
        ku(j, "dest1", U(69, 30));
        ku(j, "dest2", U(104, 30));
    }
    kb(j, "addressed", addressed);
    kb(j, "band_a", U(140, 1));
    kb(j, "band_b", U(141, 1));
    ku(j, "zonesize", U(142, 3));
}

/* ---- type 23: group assignment command (§3.3.19) */
static void t_group(struct jctx *j)
{
    kcorner(j, "ne_lon", S(40, 18));
    kcorner(j, "ne_lat", S(58, 17));
    kcorner(j, "sw_lon", S(75, 18));
    kcorner(j, "sw_lat", S(93, 17));
    ku(j, "stationtype", U(110, 4));
    ks(j, "stationtype_text", stationtype_text(U(110, 4)));
    ku(j, "shiptype", U(114, 8));
    klegend(j, "shiptype_text", shiptype_text(U(114, 8)));
    ku(j, "interval", U(146, 4));
    ku(j, "quiet", U(150, 4));
}

/* ---- type 24: class B static data report, parts A and B (§3.3.20) */
static void t_static_b(struct jctx *j)
{
    const struct ais_msg *m = j->m;
    ks(j, "shipname", m->shipname24);
    ku(j, "shiptype", U(40, 8));
    klegend(j, "shiptype_text", shiptype_text(U(40, 8)));
    /* M.1371-4 split the 7-character vendor id into a 3-character one, a
     * model and a serial; both readings are given, as gpsd does. */
    ktext(j, "vendorid", 48, 7);
    ku(j, "model", U(66, 4));
    ku(j, "serial", U(70, 20));
    ktext(j, "callsign", 90, 7);
    /* Auxiliary craft (MMSI 98XXXYYYY) give their mother ship instead. */
    if (m->mmsi / 10000000 == 98) {
        ku(j, "mothership_mmsi", U(132, 30));
    } else {
        ku(j, "to_bow", U(132, 9));
        ku(j, "to_stern", U(141, 9));
        ku(j, "to_port", U(150, 6));
        ku(j, "to_starboard", U(156, 6));
    }
}

/* ---- types 25 and 26: single- and multiple-slot binary messages (§3.3.21-22).
 * gpsd copies the bytes from bit 40 (+16 when structured), then drops the
 * 30-bit destination by shifting, so the shifted-in tail is zero. */
static void t_slot_binary(struct jctx *j, int multi)
{
    unsigned addressed = U(38, 1), structured = U(39, 1);
    size_t n = j->m->nbits;
    kb(j, "addressed", addressed);
    kb(j, "structured", structured);
    ku(j, "dest_mmsi", addressed ? U(40, 30) : 0);
    ku(j, "app_id", structured ? U(40 + 30 * addressed, 16) : 0);
    size_t count = n - (multi ? 60 : 40) - 16 * structured;
    size_t from = 5 + 2 * (size_t)structured;
    size_t nbytes = (count + 7) / 8;
    uint8_t b[AIS_MAX_BITS / 8 + 8];
    memset(b, 0, sizeof b);
    if (from + nbytes <= AIS_MAX_BITS / 8)
        memcpy(b, j->m->bits + from, nbytes);
    if (addressed) {
        /* shift left 30 bits */
        for (size_t i = 0; i + 4 < sizeof b; i++)
            b[i] = (uint8_t)((b[i + 3] << 6) | (b[i + 4] >> 2));
        count -= 30;
    }
    kdata_bytes(j, b, count);
    if (multi)
        ku(j, "radio", 0); /* gpsd does not decode it and prints 0 */
}

/* ---- type 27: long-range broadcast (§3.3.23) */
static void t_long_range(struct jctx *j)
{
    unsigned status = U(40, 4);
    /* gpsd gives the status as its text when scaled, the code otherwise. */
    if (j->scaled)
        ks(j, "status", nav_status[status]);
    else
        ku(j, "status", status);
    kb(j, "accuracy", U(38, 1));
    klatlon(j, "lon", S(44, 18), LATLON10_DIV, 1);
    klatlon(j, "lat", S(62, 17), LATLON10_DIV, 1);
    ku(j, "speed", U(79, 6));
    ku(j, "course", U(85, 9));
    kb(j, "raim", U(39, 1));
    kb(j, "gnss", U(94, 1));
}

int ais_msg_json(const struct ais_msg *msg, struct jsonw *w, const char *device, unsigned flags)
{
    /* gpsd reports a class B static report only once both parts are in. */
    if (msg->type == 24 && msg->part24 != AIS_24_AB)
        return CAIRN_E_NOTFOUND;
    struct jctx jc;
    struct jctx *j = &jc;
    j->w = w;
    j->m = msg;
    j->scaled = (flags & AIS_JSON_SCALED) != 0;
    e_open(j, '{');
    klegend(j, "class", "AIS");
    if (device)
        ks(j, "device", device);
    ku(j, "type", msg->type);
    ku(j, "repeat", msg->repeat);
    ku(j, "mmsi", msg->mmsi);
    kb(j, "scaled", j->scaled);
    switch (msg->type) {
    case 1:
    case 2:
    case 3:
        t_position_a(j);
        break;
    case 4:
    case 11:
        t_base(j);
        break;
    case 5:
        t_static(j);
        break;
    case 6:
        t_addressed_binary(j);
        break;
    case 7:
    case 13:
        t_ack(j);
        break;
    case 8:
        t_broadcast_binary(j);
        break;
    case 9:
        t_sar(j);
        break;
    case 10:
        ku(j, "dest_mmsi", U(40, 30));
        break;
    case 12:
        ku(j, "seqno", U(38, 2));
        ku(j, "dest_mmsi", U(40, 30));
        kb(j, "retransmit", U(70, 1));
        kendtext(j, "text", 72);
        break;
    case 14:
        kendtext(j, "text", 40);
        break;
    case 15:
        t_interrogation(j);
        break;
    case 16:
        t_assigned(j);
        break;
    case 17:
        klatlon(j, "lon", S(40, 18), LATLON10_DIV, 1);
        klatlon(j, "lat", S(58, 17), LATLON10_DIV, 1);
        kdata_at(j, 80, msg->nbits - 80, 0);
        break;
    case 18:
        t_position_b(j);
        break;
    case 19:
        t_position_b_ext(j);
        break;
    case 20:
        t_datalink(j);
        break;
    case 21:
        t_aton(j);
        break;
    case 22:
        t_channel(j);
        break;
    case 23:
        t_group(j);
        break;
    case 24:
        t_static_b(j);
        break;
    case 25:
        t_slot_binary(j, 0);
        break;
    case 26:
        t_slot_binary(j, 1);
        break;
    case 27:
        t_long_range(j);
        break;
    default:
        break;
    }
    if ((flags & AIS_JSON_TAGS) && msg->tag.has) {
        if (msg->tag.has & NMEA_TAG_SOURCE)
            ks(j, "tag_source", msg->tag.source);
        if (msg->tag.has & NMEA_TAG_TIME)
            kf(j, "tag_time", (double)msg->tag.time_ms / 1000.0, 3);
        if (msg->tag.has & NMEA_TAG_TEXT)
            ks(j, "tag_text", msg->tag.text);
    }
    e_close(j, '}');
    return w->err;
}
