/*
 * modes_int.h — private glue between the Mode S decoder's files (modes.c,
 * adsb.c, commb.c, cpr.c, json.c). Not part of the public API.
 */
#ifndef CAIRN_DECODE_MODES_MODES_INT_H
#define CAIRN_DECODE_MODES_MODES_INT_H

#include <stdint.h>

#include "decode/modes/modes.h"

/* The 56-bit ME / MB field of a long reply (bits 33-88) as an integer. */
static inline uint64_t modes_me56(const uint8_t *msg)
{
    return (uint64_t)msg[4] << 48 | (uint64_t)msg[5] << 40 | (uint64_t)msg[6] << 32 |
           (uint64_t)msg[7] << 24 | (uint64_t)msg[8] << 16 | (uint64_t)msg[9] << 8 | msg[10];
}

/* Bits [first, first+n) of a 56-bit field numbered 1..56 as in the
 * specifications' tables (bit 1 = MSB). */
static inline uint32_t me_bits(uint64_t me, unsigned first, unsigned n)
{
    return (uint32_t)((me >> (57u - first - n)) & ((1ull << n) - 1));
}

/* Per-aircraft state: find (or, when create, make) the slot of icao (24
 * bits, | 0x1000000 for a non-ICAO address).
 * NULL when not found (create 0). Never fails with create 1 (evicts). */
struct modes_ac *modes_ac_get(struct modes_ctx *ctx, uint32_t icao, double t_s, int create);

/* 8 characters of the 6-bit ICAO alphabet from bit `first` (1-based) of a
 * 56-bit field; returns the count of characters outside the alphabet.
 * out gets 9 bytes, trailing spaces removed. */
int modes_callsign(uint64_t me, unsigned first, char out[9]);

/* ADS-B ME field of DF17/18/19 into m (ctx updated only when trusted). */
void adsb_decode(struct modes_ctx *ctx, struct modes_msg *m, int trusted);

/* DF18 CF 3: the TIS-B coarse airborne position layout. */
void adsb_decode_coarse(struct modes_ctx *ctx, struct modes_msg *m, int trusted);

/* Comm-B MB field of DF20/21 into m. */
void commb_decode(struct modes_ctx *ctx, struct modes_msg *m, int trusted);

/* ACAS RA fields from a 56-bit field whose ARA starts at bit `first`. */
void modes_decode_ra(struct modes_msg *m, uint64_t me, unsigned first);

#endif
