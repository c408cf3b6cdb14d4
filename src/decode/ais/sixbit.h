/*
 * sixbit.h — AIS payload armouring and six-bit text (ITU-R M.1371-5,
 * Annex 8, §3.3.7 table 47 for text; IEC 61162-1 / NMEA 0183 §8.3.x for the
 * "6-bit ASCII armouring" of !AIVDM payloads).
 *
 * Key idea: an AIVDM payload character carries 6 bits. Its value is the
 * character code minus 48, minus 8 more when that is above 39, so the
 * alphabet is '0'..'W' then '`'..'w'. Text fields inside the message use a
 * different 6-bit alphabet, '@'..'_' then ' '..'?', where '@' (0) pads.
 *
 * All functions are pure and bounded: callers pass capacities, nothing is
 * allocated, nothing is read past a length.
 */
#ifndef CAIRN_DECODE_AIS_SIXBIT_H
#define CAIRN_DECODE_AIS_SIXBIT_H

#include <stddef.h>
#include <stdint.h>

/* The 6-bit value of an armoured payload character, or -1 if c is not one. */
int ais_armour_value(unsigned char c);
/* The armoured character for v (0..63). */
char ais_armour_char(unsigned v);

/* De-armour n payload characters, appending 6 bits per character at bit
 * *nbits of bits (whose capacity is cap_bits). Bits from *nbits on must be
 * zero (a zeroed buffer, then only appends); those before are kept.
 * Returns 0, CAIRN_E_PAYLOAD for a character outside the alphabet (bits
 * already written are then garbage), or CAIRN_E_TOOBIG when the payload
 * would not fit (nothing is written). Nothing past cap_bits is written. */
int ais_dearmour(const char *s, size_t n, uint8_t *bits, size_t cap_bits, size_t *nbits);

/* Armour nbits of bits into out (cap bytes, NUL-terminated). *fill gets the
 * count of fill bits (0..5) added to reach a whole character. Returns the
 * characters written, or CAIRN_E_TOOBIG. */
int ais_armour(const uint8_t *bits, size_t nbits, char *out, size_t cap, unsigned *fill);

/* Unsigned and signed fields at bit pos of a payload buffer of cap_bits
 * bits. Reads past cap_bits give 0 bits, like gpsd's zero-padded buffer. */
uint32_t ais_bits_u(const uint8_t *bits, size_t cap_bits, size_t pos, unsigned n);
int32_t ais_bits_s(const uint8_t *bits, size_t cap_bits, size_t pos, unsigned n);
uint64_t ais_bits_u64(const uint8_t *bits, size_t cap_bits, size_t pos, unsigned n);

/* Decode nchars six-bit text characters at bit pos into out (outcap bytes,
 * always NUL-terminated). Decoding stops at the first '@' (the pad
 * character). With trim set, trailing spaces and '@' are removed. */
void ais_text(const uint8_t *bits, size_t cap_bits, size_t pos, unsigned nchars, char *out,
              size_t outcap, int trim);
/* Remove trailing spaces and '@' from s. */
void ais_text_trim(char *s);

#endif
