/*
 * compliance.h — transponder reciprocity: the per-day ledger of the flights
 * a centre sees in the agreed area with their compliance triples, the
 * COMPLIANCE_SUMMARY a centre sends its peers from it, and the comparison a
 * receiving centre makes between a peer's summary and its own ledger.
 *
 * Background (../shared/docs/domain.md §1, "The Baltic transponder
 * question"): in 2016 Russia offered to fly military aircraft over the
 * Baltic with transponders on if NATO did the same. Such an arrangement
 * needs both sides to see the same facts: per flight, the three facts of an
 * intercept report (transponder on? flight plan filed? radio contact with
 * ATC?), which cairn keeps on every track (trk_track.transponder,
 * flight_plan, radio).
 *
 * The ledger: every picture cycle, each aircraft track inside the agreed
 * area (a GeoJSON zone set, [procedures] compliance_area) is one flight of
 * the UTC day it was first seen there; a flight records when it was first
 * and last seen in the area and its triple over that time:
 *   transponder  N if it was ever seen there without one (trk transponder
 *                NO: primary radar only), else Y if seen with one, else U;
 *   flight plan  the last known value (Y/N), else U;
 *   radio        the last known value (Y/N: the operator's, POST
 *                /api/tracks/ID/radio), else U.
 * The party of a flight is the first [procedures] compliance_parties range
 * holding its ICAO address (ICAO Annex 10 vol. III: the 24-bit addresses
 * are allocated to states in blocks), "OTHER" for an address in none,
 * "UNKNOWN" without an address. Caps: CPL_LEDGER_MAX flights (later ones
 * counted in `dropped`); flights whose last sighting is older than two days
 * are pruned at each new day.
 *
 * The summary's text (fields "counts" and "flights" of COMPLIANCE_SUMMARY,
 * hotline/catalogue.c), a grammar this file writes and parses:
 *   counts  = count *(";" count)       at most CPL_MAX_COUNTS
 *   count   = party "=" n "/" n "/" n "/" n   flights / transponder on /
 *                                       flight plan / radio contact
 *   flights = flight *(";" flight)     at most CPL_LIST_MAX (the rest in
 *                                       the field "omitted")
 *   flight  = party "," ident "," tri "," tri "," tri
 *   party   = 1*15 of [A-Za-z0-9_-]
 *   ident   = "icao:" 6 hex digits | 1*8 of [A-Z0-9] (a callsign) |
 *             "T" 1*10 digits (a track of the sender's: never matched)
 *   tri     = "Y" | "N" | "U"
 *   n       = 1*9 digits
 * The parser takes hostile text (a peer's): it checks every byte, never
 * reads past the lengths given, and fails with CAIRN_E_FORMAT.
 *
 * The comparison (cpl_compare): over the peer's period, a discrepancy for
 *  - each party whose flight count or transponder-on count differs between
 *    the peer's counts and our ledger's;
 *  - each flight the peer lists by ICAO address or callsign that we also
 *    saw in the area, with a transponder fact (Y/N) other than ours.
 * At most CPL_MAX_DISC; each is one printable ASCII sentence.
 *
 * Pure: no I/O, no clock (times come in), allocation only in
 * cpl_ledger_init.
 */
#ifndef CAIRN_APP_COMPLIANCE_H
#define CAIRN_APP_COMPLIANCE_H

#include <stddef.h>
#include <stdint.h>

#include "base/dbuf.h"

struct geo_zones;
struct trk_track;

#define CPL_PARTY_LEN   16
#define CPL_MAX_PARTIES 8
#define CPL_MAX_COUNTS  (CPL_MAX_PARTIES + 2) /* + OTHER, UNKNOWN */
#define CPL_LIST_MAX    100  /* flights listed: ~30 bytes each within HL_STR_MAX (4 KiB) */
#define CPL_LEDGER_MAX  8192 /* flights in the ledger (two days of a busy area) */
#define CPL_MAX_DISC    16
#define CPL_DISC_LEN    200
#define CPL_PRUNE_MS    (2 * 86400000LL)
#define CPL_COUNT_MAX   999999999LL

struct cpl_party {
    char name[CPL_PARTY_LEN];
    uint32_t lo, hi; /* ICAO address range, inclusive */
};

struct cpl_parties {
    struct cpl_party v[CPL_MAX_PARTIES];
    size_t n;
};

/* "NAME=LO-HI,NAME=LO-HI" (hex ICAO addresses, e.g. "RU=100000-1FFFFF,
 * PL=488000-48FFFF"); "" gives no party (every flight OTHER or UNKNOWN).
 * 0, or CAIRN_E_FORMAT with one line in err. */
int cpl_parties_parse(const char *s, struct cpl_parties *out, char *err, size_t cap);

/* The party name of an ICAO address (has_icao 0: "UNKNOWN"). Static or
 * pp-borrowed. */
const char *cpl_party_of(const struct cpl_parties *pp, int has_icao, uint32_t icao);

/* One flight: the ledger's, or one listed in a summary. */
struct cpl_flight {
    uint32_t track_id;
    int has_icao;
    uint32_t icao;
    char callsign[9]; /* [A-Z0-9], NUL-terminated; "" when unknown */
    char party[CPL_PARTY_LEN];
    int64_t first_ms, last_ms;
    char xpdr, plan, radio; /* 'Y', 'N', 'U' */
    uint8_t seen_on, seen_dark;
    uint8_t orphan; /* read from a saved ledger: no live track yet */
};

struct cpl_ledger {
    struct cpl_flight *v;
    size_t n, cap;
    uint32_t *slot; /* open addressing: track id -> index + 1 of its newest flight */
    size_t n_slot;
    int64_t day; /* UTC day (ms / 86400000) of the last feed */
    uint64_t dropped;
};

int cpl_ledger_init(struct cpl_ledger *l, size_t cap);
void cpl_ledger_fini(struct cpl_ledger *l);

/* One cycle: the tracks (borrowed) in the area (borrowed; NULL: no area,
 * nothing recorded) at now_ms. */
void cpl_ledger_feed(struct cpl_ledger *l, const struct geo_zones *area,
                     const struct cpl_parties *pp, const struct trk_track *t, size_t n,
                     int64_t now_ms);

/*
 * The ledger kept across restarts (a file beside the journal, written by
 * the procedures every minute and at a clean stop), a text this file writes
 * and reads:
 *   file   = "cairn-compliance-ledger 1" LF *(flight LF)
 *   flight = track SP first SP last SP icao SP callsign SP on SP dark SP
 *            plan SP radio
 *   track  = 1*10 digits        the track id it had (identity "T..." only)
 *   first, last = 1*15 digits   ms UTC, first <= last
 *   icao   = 6 hex digits | "-"
 *   callsign = 1*8 of [A-Z0-9] | "-"
 *   on, dark = "0" | "1"        seen with / without a transponder
 *   plan, radio = "Y" | "N" | "U"
 * A flight read back is an orphan until a track with the same ICAO
 * address (or, without one, the same callsign) is seen in the area the
 * same UTC day: that track continues it, so a restart does not count an
 * aircraft twice. A track without either identity starts a new flight.
 * The party is recomputed from the configuration, not read.
 */
/* Append the ledger's text to out: 0 or CAIRN_E_NOMEM. */
int cpl_ledger_write(const struct cpl_ledger *l, struct dbuf *out);
/* Read a saved ledger (hostile: a file may be damaged) into l, which is
 * empty; flights whose last sighting is older than CPL_PRUNE_MS before
 * now_ms are left out (now_ms INT64_MIN: none; the next feed prunes). 0 (lines that are not flights
 * are skipped and counted in *bad), or CAIRN_E_FORMAT when the first line is not the header. */
int cpl_ledger_read(struct cpl_ledger *l, const struct cpl_parties *pp, const char *text,
                    size_t len, int64_t now_ms, size_t *bad);

struct cpl_count {
    char party[CPL_PARTY_LEN];
    int64_t flights, xpdr, plan, radio;
};

struct cpl_summary {
    int64_t from_ms, until_ms;
    struct cpl_count c[CPL_MAX_COUNTS];
    size_t n_c;
    struct cpl_flight f[CPL_LIST_MAX];
    size_t n_f;
    int64_t omitted;
};

/* Our summary over [from, until): every configured party (zeros too), then
 * OTHER and UNKNOWN when they have flights; the first CPL_LIST_MAX flights
 * listed. */
void cpl_summarise(const struct cpl_ledger *l, const struct cpl_parties *pp, int64_t from_ms,
                   int64_t until_ms, struct cpl_summary *out);

/* The summary's "counts" and "flights" texts (appended). 0 or
 * CAIRN_E_NOMEM. */
int cpl_format(const struct cpl_summary *s, struct dbuf *counts, struct dbuf *flights);

/* A peer's texts (borrowed, lengths given; flights may be NULL) into *out
 * (period left as is). 0 or CAIRN_E_FORMAT. */
int cpl_parse(const char *counts, size_t clen, const char *flights, size_t flen,
              struct cpl_summary *out);

/* The discrepancies between a peer's summary and our ledger over the
 * peer's period, as sentences into out[0..cap); returns how many. */
size_t cpl_compare(const struct cpl_ledger *l, const struct cpl_parties *pp, const char *peer,
                   const struct cpl_summary *theirs, char (*out)[CPL_DISC_LEN], size_t cap);

#endif
