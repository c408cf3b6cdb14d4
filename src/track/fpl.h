/*
 * fpl.h — flight plans: a reader for files of ICAO FPL messages, a reader
 * for the points file that names their significant points, and a plan
 * store that matches plans to tracks and says how far each matched
 * aircraft is from its planned route.
 *
 * Key ideas (docs/flightplan.md has the long version):
 *  - fpl_parse reads ICAO ATS messages of type FPL as PANS-ATM defines
 *    them (ICAO Doc 4444, 16th edition, Appendix 2 "Flight plan" for the
 *    items and Appendix 3 "ATS messages" for the message and field
 *    syntax): "(FPL-7-8-9-10-13-15-16-18[-19])", fields separated by '-',
 *    free line breaks. Fields 7 (identification, SSR code), 13 (departure,
 *    EOBT), 15 (speed, level, route), 16 (destination, total EET,
 *    alternates) and 18 (DOF/, CODE/; the rest kept raw) are parsed;
 *    8, 9, 10 are checked for shape only. Every message is checked alone:
 *    a bad one is skipped with an error naming its number, line and field;
 *    the others are kept.
 *  - The route is a polyline: departure aerodrome, every significant point
 *    of field 15 (coordinates, named points and navaids from the points
 *    file, bearing/distance points), destination aerodrome. An ATS route
 *    (airway), SID or STAR between two points is taken as a straight leg
 *    (geodesic) between them: the airway's own points are not known here.
 *    A route with a point that cannot be placed is kept for matching but
 *    marked incomplete (FPL_P_ROUTE_OK clear): no deviation is computed
 *    from it, so that a missing point never looks like a deviation.
 *  - fpl_store indexes plans by ICAO address (field 18 CODE/), aircraft
 *    identification (field 7) and SSR code (field 7), in that order of
 *    priority, and fpl_apply sets, for every live aircraft track, the
 *    flight-plan member of the compliance triple and the deviation from
 *    the route (trk_set_compliance, trk_set_plan_dev).
 *  - Pure: no I/O, no clock. fpl_parse, fpl_points_parse and fpl_store_new
 *    allocate (at load time); fpl_apply allocates nothing.
 *
 * Every byte given to the parsers is hostile: they never read past len,
 * bound every count (FPL_MAX_*), and every error text they write is
 * printable ASCII with quoted input cut short.
 */
#ifndef CAIRN_TRACK_FPL_H
#define CAIRN_TRACK_FPL_H

#include <stddef.h>
#include <stdint.h>

struct trk_table;

/* Limits (why: docs/flightplan.md). Input beyond them is an error. */
#define FPL_MAX_FILE_LEN  (64u << 20) /* bytes per FPL file or points file */
#define FPL_MAX_MSGS      100000      /* messages per file */
#define FPL_MAX_MSG_LEN   16384       /* bytes between '(' and ')' */
#define FPL_MAX_LINE      4096        /* bytes per line */
#define FPL_MAX_ROUTE_PTS 512         /* points per route, aerodromes included */
#define FPL_MAX_POINTS    1000000     /* lines of a points file */
#define FPL_MAX_NAME      12          /* characters of a point name */
#define FPL_MAX_F18       1024        /* bytes of field 18 kept raw */
#define FPL_MAX_SAME_KEY  64          /* plans indexed per address, identification, SSR code */
#define FPL_ERRORS_KEPT   32          /* error texts kept per parse */
#define FPL_ERROR_TEXT    128         /* bytes per error text, NUL included */

/* ---------------------------------------------------------------- errors */

/* One error (or warning) met while parsing. */
struct fpl_error {
    uint32_t msg;  /* message number in the file, from 1 (0: outside a message / points file) */
    uint32_t line; /* line of the file, from 1 */
    uint8_t field; /* ICAO field number (3, 7..19), 0 when not in a field */
    uint8_t warn;  /* 1: warning, the message was kept */
    int code;      /* CAIRN_E_* */
    char text[FPL_ERROR_TEXT]; /* printable ASCII */
};

/* Counters and the first FPL_ERRORS_KEPT errors of one parse. Zero it
 * before the call (or keep adding across calls). */
struct fpl_errors {
    uint32_t msgs;         /* messages (or point lines) seen */
    uint32_t ok;           /* kept */
    uint32_t bad;          /* skipped */
    uint32_t warnings;     /* warnings: unresolved points, repeated point names */
    uint32_t not_fpl;      /* messages of other types (CHG, DLA...): skipped */
    uint32_t over_limit;   /* messages or points beyond FPL_MAX_MSGS / FPL_MAX_POINTS */
    uint32_t long_lines;   /* lines longer than FPL_MAX_LINE */
    uint32_t by_field[20]; /* skipped messages by the field at fault (index = field number) */
    uint32_t n;            /* errors kept in e[] */
    uint32_t lost;         /* errors not kept (e[] full) */
    struct fpl_error e[FPL_ERRORS_KEPT];
};

/* ---------------------------------------------------------------- points */

struct fpl_points; /* opaque: a sorted, immutable name -> position table */

/*
 * Read a points file (buf borrowed, len bytes, no NUL needed): one point a
 * line, "NAME LAT LON" with LAT and LON in decimal degrees (north and east
 * positive), separated by spaces or tabs; '#' starts a comment; blank
 * lines allowed. NAME is 1..FPL_MAX_NAME of A-Z 0-9 (lower case folded).
 * A bad line is skipped (error in errs); a repeated name keeps the first
 * (warning). Returns 0 and *out (free with fpl_points_free; even when some
 * lines were bad), CAIRN_E_TOOBIG (file over FPL_MAX_FILE_LEN),
 * CAIRN_E_NOMEM. errs may be NULL.
 */
int fpl_points_parse(const char *buf, size_t len, struct fpl_points **out, struct fpl_errors *errs);
void fpl_points_free(struct fpl_points *p);
size_t fpl_points_count(const struct fpl_points *p);
/* Look a name up (name borrowed, name_len bytes, upper case). 0 and the
 * position, or CAIRN_E_NOTFOUND. p may be NULL (nothing found). */
int fpl_points_find(const struct fpl_points *p, const char *name, size_t name_len, double *lat_deg,
                    double *lon_deg);

/* ----------------------------------------------------------------- plans */

/* A point of the planned route. */
struct fpl_rpt {
    double lat_deg, lon_deg;
    char name[FPL_MAX_NAME + 8]; /* as written: "EKCH", "5530N01300E", "DUB180040" */
};

/* fpl_plan.flags */
enum fpl_plan_flags {
    FPL_P_SSR = 1u << 0,      /* ssr is known (field 7 "/A" code) */
    FPL_P_ICAO = 1u << 1,     /* icao is known (field 18 CODE/) */
    FPL_P_DOF = 1u << 2,      /* date of flight known (field 18 DOF/): eobt_ms is absolute */
    FPL_P_ROUTE_OK = 1u << 3, /* every route element placed: deviation may be computed */
};

/* One flight plan, as filed. Read-only for users of a struct fpl_set. */
struct fpl_plan {
    uint32_t msg;            /* message number in its file (for messages to humans) */
    uint32_t line;           /* line where the message starts */
    uint8_t flags;           /* FPL_P_* */
    char ident[8];           /* field 7 aircraft identification, 1..7 characters */
    uint16_t ssr;            /* field 7 SSR Mode A code (12 bits, octal digits) */
    uint32_t icao;           /* field 18 CODE/: 24-bit aircraft address */
    char rules, type;        /* field 8: flight rules (I V Y Z), type of flight (or ' ') */
    char actype[5];          /* field 9: type of aircraft (ZZZZ when not designated) */
    char wake;               /* field 9: wake turbulence category */
    char dep[5], dest[5];    /* fields 13, 16: aerodromes (ZZZZ, AFIL as written) */
    char altn[2][5];         /* field 16: alternates ("" when none) */
    uint16_t eobt_min;       /* field 13: EOBT, minutes after midnight UTC */
    uint16_t eet_min;        /* field 16: total estimated elapsed time, minutes */
    int64_t eobt_ms;         /* EOBT on DOF, UTC ms (FPL_P_DOF), else 0 */
    char speed[6], level[6]; /* field 15: initial "N0450", "F350" */
    size_t n_pts;            /* route points (FPL_P_ROUTE_OK: all of them) */
    struct fpl_rpt *pts;     /* owned by the set */
    char *f18;               /* field 18 as written (cut at FPL_MAX_F18 - 1 bytes), owned by
                                the set; NULL when absent */
};

/* The plans of one file. */
struct fpl_set {
    size_t n;
    struct fpl_plan *plans;
};

/*
 * Parse a file of FPL messages (buf borrowed, len bytes). pts (borrowed,
 * may be NULL) places named points and aerodromes; it is needed only
 * during the call. Text outside "(...)" (AFTN headers) is ignored.
 * Returns 0 and *out (free with fpl_set_free), possibly with no plan, when
 * the file could be read, whatever its bad messages (see errs);
 * CAIRN_E_TOOBIG (len over FPL_MAX_FILE_LEN), CAIRN_E_NOMEM. errs (may be
 * NULL) receives counters and the first errors.
 */
int fpl_parse(const char *buf, size_t len, const struct fpl_points *pts, struct fpl_set **out,
              struct fpl_errors *errs);
void fpl_set_free(struct fpl_set *s);

/*
 * The window in which a plan is active, UTC ms, for the day that makes it
 * active at now_ms (a plan without DOF/ is taken as filed for the day of
 * its next EOBT, so it is tried on the days around now): from EOBT -
 * early_ms to EOBT + total EET + late_ms. 1 and *from, *to when active at
 * now_ms, else 0.
 */
int fpl_plan_active(const struct fpl_plan *p, int64_t now_ms, int64_t early_ms, int64_t late_ms,
                    int64_t *from_ms, int64_t *to_ms);

/* ----------------------------------------------------------------- store */

struct fpl_config {
    int64_t early_ms; /* active this long before EOBT (default 15 min) */
    int64_t late_ms;  /* and this long after EOBT + total EET (default 60 min) */
};
void fpl_config_default(struct fpl_config *c);

struct fpl_stats {
    uint64_t cycles;                    /* fpl_apply calls */
    uint64_t by_icao, by_ident, by_ssr; /* matches in the last cycle, by key */
    uint64_t no_plan;        /* identified aircraft tracks without an active plan, last cycle */
    uint64_t unidentified;   /* aircraft tracks left UNKNOWN (no identity), last cycle */
    uint64_t ambiguous;      /* tracks with several active plans on their best key, last cycle */
    uint64_t ssr_ambiguous;  /* of which by SSR code: left unmatched */
    uint64_t ident_mismatch; /* matched by ICAO address, callsign differs from the plan's */
    uint64_t no_route;       /* matched plans without a complete route (no deviation) */
    uint64_t unindexed;      /* at fpl_store_new: plans left out of a key's index, the key
                                being filed more than FPL_MAX_SAME_KEY times */
};

struct fpl_store;

/*
 * Build a store over set (borrowed: it must outlive the store; not changed)
 * with cfg (copied; NULL: defaults). Allocates the indexes and each leg's
 * precomputed geometry. 0 and *out (free with fpl_store_free),
 * CAIRN_E_INVAL (bad config), CAIRN_E_NOMEM.
 */
int fpl_store_new(const struct fpl_set *set, const struct fpl_config *cfg, struct fpl_store **out);
void fpl_store_free(struct fpl_store *s);

/*
 * One cycle: for every live aircraft track of t (kind AIRCRAFT, or UNKNOWN
 * with an identity), find the active plan (at now_ms) that matches it, by
 * the first key that gives one: ICAO address, then aircraft identification
 * = callsign, then SSR code = squawk (discrete codes only, and only plans
 * no ICAO/identification match took this cycle). Matched: flight_plan =
 * YES and plan_dev_m = geodesic distance to the nearest leg of the route
 * (cleared when the route is incomplete). Identified but unmatched:
 * flight_plan = NO, deviation cleared. No identity (primary-only): left as
 * it is (UNKNOWN). Vessels are not touched. The radio member is kept.
 * No allocation. Returns the number of tracks matched.
 */
size_t fpl_apply(struct fpl_store *s, struct trk_table *t, int64_t now_ms);

const struct fpl_stats *fpl_store_stats(const struct fpl_store *s);

/*
 * Geodesic distance (m) from a point to a plan's route (the nearest leg),
 * as fpl_apply computes it; NaN when the plan has no complete route or
 * fewer than one point. For tests and explanations.
 */
double fpl_route_distance_m(const struct fpl_plan *p, double lat_deg, double lon_deg);

#endif
