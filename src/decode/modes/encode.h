/*
 * encode.h — ADS-B extended squitter (DF17) encoders: the replies a 1090 MHz
 * transponder broadcasts, built bit by bit for simulators and tests.
 *
 * Key idea: each function fills one 14-byte DF17 reply (CA 5, the aircraft
 * address, the 56-bit ME field and the 24-bit parity) from engineering
 * units; modes_decode() reads every one back. Values are rounded to the
 * field's resolution and clamped to its range (a simulator must never put a
 * wrapped number on the air).
 *
 * References:
 *  - ICAO Doc 9871 (2nd ed., 2012) / RTCA DO-260B (2009) §2.2.3.2:
 *    identification (TC 1-4, §2.2.3.2.5), airborne position (TC 9-18,
 *    §2.2.3.2.3, 12-bit altitude with Q = 1 in 25 ft steps), airborne
 *    velocity subtype 1 (TC 19, §2.2.3.2.6.1), aircraft status subtype 1
 *    (TC 28, emergency state and Mode A code, §2.2.3.2.7.8).
 *  - Doc 9871 Appendix C.2.6: CPR encoding (modes_cpr_encode in modes.h).
 *  - ICAO Annex 10 Vol IV §3.1.2.3.3: parity (CRC-24, generator 0x1FFF409).
 *
 * Pure: no I/O, no allocation, no globals.
 */
#ifndef CAIRN_DECODE_MODES_ENCODE_H
#define CAIRN_DECODE_MODES_ENCODE_H

#include <stddef.h>
#include <stdint.h>

/* Write the 24-bit parity of a len-byte reply (7 or 14) into its last three
 * bytes, so that modes_crc() of the result is 0 (DF11 with II 0, DF17/18). */
void modes_enc_parity(uint8_t *msg, size_t len);

/* Squawk (12 bits, octal digits ABCD as A<<9|B<<6|C<<3|D) to the 13-bit
 * identity field C1 A1 C2 A2 C4 A4 X B1 D1 B2 D2 B4 D4: the inverse of
 * modes_id13_squawk(). */
unsigned modes_enc_id13(uint16_t squawk);

/* Identification, TC 4 (category set A) with category 0-7 (3 = large),
 * callsign of up to 8 of A-Z 0-9 and space. CAIRN_E_INVAL for another
 * character or a longer text, else 0. out: 14 bytes. */
int modes_enc_ident(uint32_t icao, unsigned category, const char *callsign, uint8_t out[14]);

/* Airborne position with barometric altitude: type code tc (9-18, the
 * position's quality), altitude rounded to 25 ft and clamped to
 * -1000..50175 ft, CPR format odd (1) or even (0). out: 14 bytes. */
void modes_enc_airpos(uint32_t icao, unsigned tc, double lat_deg, double lon_deg, double alt_ft,
                      int odd, uint8_t out[14]);

/* Airborne velocity, subtype 1 (ground speed): east/north components in
 * 1 kt steps (clamped to 1021 kt), barometric vertical rate in 64 ft/min
 * steps (clamped to 32,576 ft/min). out: 14 bytes. */
void modes_enc_velocity(uint32_t icao, double gs_kt, double track_deg, double vrate_fpm,
                        uint8_t out[14]);

/* Aircraft status, subtype 1: emergency (enum report_emergency, 0-7) and
 * the Mode A code. out: 14 bytes. */
void modes_enc_status(uint32_t icao, unsigned emergency, uint16_t squawk, uint8_t out[14]);

/* The emergency state a squawk implies: 7500 unlawful interference, 7600
 * radio failure, 7700 general emergency (enum report_emergency), else 0. */
unsigned modes_enc_squawk_emergency(uint16_t squawk);

#endif
