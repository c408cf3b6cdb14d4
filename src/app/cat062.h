/*
 * cat062.h — the centre's tracks as ASTERIX CAT062 system tracks, and a
 * peer's CAT062 picture read back into reports: the one encoder for the
 * pictures sent to peers over the hotline (app/peer.h) and for the
 * [cat062] UDP output, and the one reader of what a peer sends.
 *
 * Mapping of a track (track/track.h) to a record (EUROCONTROL ASTERIX Part 9,
 * Category 062, editions 1.19/1.21; the typed encoder decode/asterix/typed.h):
 *   I010 SAC/SIC         the centre's ([cat062] sac, sic)
 *   I015 service id      1
 *   I070 time of track   t_state_ms as UTC time of day (1/128 s)
 *   I105 WGS-84 position lat/lon at t_state_ms, 180/2^25 deg
 *                        (app_c62_quantise: what the receiver reads)
 *   I185 velocity        east/north, 0.25 m/s
 *   I060 Mode 3/A        the squawk, when known
 *   I245 callsign        when known (A-Z 0-9 space; other characters dropped)
 *   I380 ADR             the ICAO address, when known
 *   I040 track number    the track id modulo 65536
 *   I080 status          CNF (tentative), CST (coasting), MON (one sensor),
 *                        SDS cooperative (transponder seen) or
 *                        non-cooperative (primary only: the transponder
 *                        verdict, else the sources so far), EMS emergency
 *   I136 measured FL     pressure altitude / 100, when known
 *   I220 rate of climb   when the altitude is known
 * A vessel's MMSI has no CAT062 item and is not carried (its name is, as
 * the callsign, when known). A batch ends with a CAT065 end-of-batch record
 * (I000 = 2, Part 15, Category 065, edition 1.6).
 *
 * Reading: data blocks → records (decode/asterix/asterix.h) → reports
 * (decode/asterix/report.h, CAT062 → REP_SYSTRACK). Every byte is the
 * peer's: a bad block or record is counted and skipped, never trusted.
 *
 * Pure: no I/O, no allocation.
 */
#ifndef CAIRN_APP_CAT062_H
#define CAIRN_APP_CAT062_H

#include <stddef.h>
#include <stdint.h>

struct trk_track;
struct report;
struct ax_block_writer;

#define APP_C62_SERVICE 1 /* I015 / CAT065 I015: the one service a centre offers */

/* The position a record carries for (lat, lon): each rounded to the I105
 * LSB as the encoder rounds it, so the receiver decodes exactly these
 * values (the release area is checked on them, app/peer.h). */
void app_c62_quantise(double lat_deg, double lon_deg, double *qlat_deg, double *qlon_deg);

/* One CAT062 record for track t (borrowed) of SDPS sac/sic into
 * out[0..cap): its length (> 0), or CAIRN_E_INVAL (no usable position),
 * CAIRN_E_RANGE (a value the item cannot hold), CAIRN_E_FULL. */
int app_c62_record(const struct trk_track *t, uint8_t sac, uint8_t sic, uint8_t *out, size_t cap);

/* Append a CAT065 end-of-batch record (batch number, time of day of
 * now_ms) to w: 0 or CAIRN_E_FULL. */
int app_c65_end_of_batch(struct ax_block_writer *w, uint8_t sac, uint8_t sic, uint8_t batch,
                         int64_t now_ms);

/* What app_c62_read found. */
struct app_c62_read_stats {
    uint64_t records;     /* records decoded (any category) */
    uint64_t tracks;      /* CAT062 records that became reports */
    uint64_t end_batch;   /* CAT065 records */
    uint64_t bad_blocks;  /* blocks with a bad LEN or of a category not CAT062/065 */
    uint64_t bad_records; /* records that did not decode, or CAT062 without time or position */
};

/* A report read from the picture: borrowed for the call. Return nonzero to
 * stop reading. */
typedef int (*app_c62_fn)(void *arg, struct report *rep);

/*
 * Read the data blocks in p[0..len) (hostile bytes): each CAT062 record
 * with a time and a position becomes a report (dated on the day nearest
 * ref_utc_ms) handed to fn; CAT065 is counted; anything else is counted
 * as bad and skipped. At most max_records records are read. Adds to *st.
 * Returns the reports handed to fn.
 */
size_t app_c62_read(const uint8_t *p, size_t len, int64_t ref_utc_ms, size_t max_records,
                    app_c62_fn fn, void *arg, struct app_c62_read_stats *st);

#endif
