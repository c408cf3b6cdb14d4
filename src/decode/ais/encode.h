/*
 * encode.h — AIS encoders: position reports (types 1-3 class A, 18 class B)
 * and static and voyage data (type 5) as payload bits, and payloads as
 * !AIVDM sentences with an optional NMEA 4.10 TAG block time.
 *
 * Key idea: the message is assembled field by field in a bit vector with
 * the layout of ITU-R M.1371-5 Annex 8 §3.1 (types 1-3), §3.18 (type 18) and
 * §3.3 (type 5); ais_enc_vdm() armours it (six-bit, sixbit.h), splits it
 * into sentences of at most AIS_ENC_CHARS payload characters (so that a
 * sentence stays within NMEA 0183's 82 characters), each with its checksum,
 * and prefixes each with `\c:UNIXTIME*hh\` when a time is given.
 * Values are rounded to the field's resolution (position 1/10000 minute,
 * speed 0.1 kn, course 0.1°) and out-of-range ones are sent as "not
 * available" (the standard's default values), never wrapped.
 *
 * Pure: no I/O, no allocation. ais_decode_line() reads everything back.
 */
#ifndef CAIRN_DECODE_AIS_ENCODE_H
#define CAIRN_DECODE_AIS_ENCODE_H

#include <stddef.h>
#include <stdint.h>

/* Payload characters per sentence: 60 keeps `!AIVDM,n,k,s,c,<60>,f*hh` under
 * 82 characters, as M.1371 receivers do (Annex 8 / IEC 61162-1). */
#define AIS_ENC_CHARS 60
/* Longest output of ais_enc_vdm for a type 5 (2 sentences with tags). */
#define AIS_ENC_VDM_MAX 512

/* Dynamic data for types 1-3 and 18. */
struct ais_enc_pos {
    uint8_t type;       /* 1, 2, 3 (class A) or 18 (class B) */
    uint32_t mmsi;      /* 30 bits */
    uint8_t nav_status; /* 0-15 (class A): 0 under way using engine, 15 n/a */
    double lat_deg, lon_deg;
    double sog_kn;       /* < 0: not available */
    double cog_deg;      /* < 0: not available */
    int heading_deg;     /* 0-359, or 511 not available */
    unsigned utc_second; /* 0-59, 60 not available */
};

/* Static and voyage data, type 5 (strings of 6-bit characters: upper case,
 * digits, space and a few signs; lower case is raised, others become '?'). */
struct ais_enc_static {
    uint32_t mmsi;
    uint32_t imo;
    char callsign[8];  /* up to 7 characters */
    char shipname[21]; /* up to 20 */
    uint8_t ship_type; /* 0-99 (35 military, 70 cargo, 80 tanker) */
    uint16_t to_bow_m, to_stern_m;
    uint8_t to_port_m, to_starboard_m;
    double draught_m;     /* 0.1 m */
    char destination[21]; /* up to 20 */
};

/* Payload bits: fill bits (cap_bits must be >= 168 / 424) zeroed first.
 * Return the number of bits (168, 424) or CAIRN_E_INVAL (bad type, MMSI
 * beyond 30 bits), CAIRN_E_TOOBIG. */
int ais_enc_position(const struct ais_enc_pos *p, uint8_t *bits, size_t cap_bits);
int ais_enc_static5(const struct ais_enc_static *s, uint8_t *bits, size_t cap_bits);

/*
 * nbits of bits as one or more !AIVDM sentences, each ended by CR LF, into
 * out (cap bytes, NUL added): channel 'A' or 'B'; seq_id 0-9 for a
 * multi-sentence message (ignored for one sentence); tag_unix_s >= 0 adds a
 * TAG block `\c:<seconds>*hh\` before every sentence. Returns the bytes
 * written or CAIRN_E_FULL / CAIRN_E_TOOBIG (more than 9 sentences).
 */
int ais_enc_vdm(const uint8_t *bits, size_t nbits, char channel, unsigned seq_id,
                int64_t tag_unix_s, char *out, size_t cap);

#endif
