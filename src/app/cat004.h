/*
 * cat004.h — cairn's alerts as ASTERIX CAT004 safety-net messages, the
 * format in which air traffic systems exchange short-term conflict and
 * area proximity alerts (EUROCONTROL ASTERIX Part 17, Category 004,
 * edition 1.12; the typed encoder is decode/asterix/typed.h ax04_encode).
 *
 * Mapping (one record per alert change):
 *   SEPARATION (and its NEAR_MISS severity)  STCA (7), both tracks (I030,
 *                       I035), I070 time to closest approach, current and
 *                       estimated minimum horizontal/vertical separation,
 *                       I170/I171 identities (callsign, Mode 3/A); a
 *                       predicted minimum beyond what MHS carries
 *                       (32,767.5 m, 17.7 NM) is left out, the alert sent
 *   ZONE               APW (5), the track (I030), I170
 *   CLEARED            EOC (17) with the same alert identifier
 * I040 is the alert id modulo 65536; I045 status 0 (open) or 1 (updated);
 * I020 the UTC time of day of the change. Other rules (EMERGENCY,
 * NO_TRANSPONDER, RENEGADE, ...) have no CAT004 message type and are not
 * sent. Pure: no I/O.
 */
#ifndef CAIRN_APP_CAT004_H
#define CAIRN_APP_CAT004_H

#include <stddef.h>
#include <stdint.h>

struct det_alert;

/* Encode the data block (CAT 4, LEN, one record) for alert a (borrowed) of
 * safety-net server SAC/SIC at now_ms (UTC) into out[0..cap): what one UDP
 * datagram carries. Returns its length (> 0), 0 for an alert of a rule
 * CAT004 has no message for, or a negative CAIRN_E_* (from the encoder, or
 * CAIRN_E_FULL when cap is too small). */
int app_cat004(const struct det_alert *a, uint8_t sac, uint8_t sic, int64_t now_ms, uint8_t *out,
               size_t cap);

#endif
