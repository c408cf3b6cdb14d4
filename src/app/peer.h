/*
 * peer.h — the shared picture: what this centre sends each peer centre of
 * its hotline roster, under that peer's release policy, and what it takes
 * from them.
 *
 * Key ideas:
 *  - Each `[peer NAME]` section (NAME a centre of the roster) gives the
 *    pair's exchange area (GeoJSON polygons, geo/zones.h) and the release
 *    policy: the track classes that may leave for that peer. Every
 *    interval_s, while the peer's hotline session is up, the tracks the
 *    policy releases go to it as one CAT062 picture (app/cat062.h) in a
 *    PICTURE frame of the link (hotline/link.h L12: not journaled,
 *    superseding, no receipt).
 *  - Classes (app_class_of), first match wins:
 *      military        [centre] military names it (ICAO address ranges,
 *                      callsign prefixes): one's own military
 *      vessel          an AIS (or otherwise marine) track
 *      no_transponder  primary radar only: the transponder is off or absent
 *      civil           an aircraft with a transponder seen
 *      unknown         the rest (no identity, nothing known of it; an
 *                      aircraft known by its speed alone, from primary
 *                      plots, until its transponder is judged)
 *    Unless `release` says otherwise only civil leaves. An operator can
 *    mark one track releasable (POST /api/tracks/ID/release): it then
 *    leaves whatever its class — still only inside the area.
 *  - Only what one's own sensors see leaves (app_origin_own): a track no
 *    own sensor updated in the last APP_OWN_FRESH_MS is the peer's
 *    information (origin "peer:NAME") and is never passed on to anyone, so
 *    a centre never forwards one party's picture to another.
 *  - The area is checked on the position as the record carries it
 *    (app_c62_quantise), so what the receiver decodes is inside too.
 *  - A received picture is read record by record (hostile bytes: counted,
 *    skipped); each record is checked against the receiver's copy of the
 *    area (outside: counted, dropped: a peer breaking the agreement is
 *    seen), re-dated onto the receiver's picture clock (its age at the
 *    sender, relative to the PICTURE's t_utc_ms, kept: clocks and replays
 *    may differ between centres), written to the peer's `record` audit file
 *    when there is one, and given to the picture as a report of the peer's
 *    own sensor (app_peer_sensor_id, named "peer:NAME"). The tracker fuses
 *    it with one's own track of the same ICAO address, or by gating; a
 *    track seen only by the peer is deleted by the tracker's ordinary
 *    timeout once the peer's pictures stop.
 *
 * The policy functions (class, origin, verdict, military list) are pure
 * and unit-tested (test_app_peer); app_peers_* do the I/O of the centre's
 * loop (link, record files).
 */
#ifndef CAIRN_APP_PEER_H
#define CAIRN_APP_PEER_H

#include <stddef.h>
#include <stdint.h>

struct trk_track;
struct report;
struct geo_zones;
struct hl_picture;
struct hl_daemon_ctx;
struct jsonw;
struct dbuf;

#define APP_MAX_PEERS          16
#define APP_PEER_PATH_MAX      512
#define APP_PEER_NAME_MAX      32           /* as PIC_NAME_MAX */
#define APP_MIL_MAX            64           /* ranges, and prefixes, in [centre] military */
#define APP_MAX_RELEASED       256          /* tracks marked releasable at once */
#define APP_OWN_FRESH_MS       60000        /* own sensors' data this recent: an own track */
#define APP_PEER_INTERVAL_MS   4000         /* interval_s default */
#define APP_ID_PEER            0x05000000u  /* sensor ids of peers: this | FNV-1a 24 bits */
#define APP_PEER_MAX_RECORDS   20000u       /* records read from one picture */
#define APP_RECORD_MAX_BYTES   (256u << 20) /* a record (audit) file stops growing here */
#define APP_PEER_AGE_PAST_MS   60000        /* a received track older than this: stale */
#define APP_PEER_AGE_FUTURE_MS 5000         /* ... or this far ahead of its picture */
/* Pictures from one peer closer than this are dropped whole (counted): the
 * fastest interval_s is 1 s, so 200 ms only stops a peer flooding us with
 * pictures to decode. */
#define APP_PEER_MIN_GAP_MS 200

enum app_class {
    APP_CLASS_CIVIL = 0,
    APP_CLASS_MILITARY = 1,
    APP_CLASS_NO_TRANSPONDER = 2,
    APP_CLASS_VESSEL = 3,
    APP_CLASS_UNKNOWN = 4,
    APP_CLASS_N = 5,
};
#define APP_CLASS_BIT(c) (1u << (c))

/* "civil", "military", "no_transponder", "vessel", "unknown". */
const char *app_class_name(unsigned c);

/* [centre] military: one's own military aircraft. */
struct app_military {
    size_t n_ranges;
    uint32_t lo[APP_MIL_MAX], hi[APP_MIL_MAX]; /* ICAO addresses, inclusive */
    size_t n_prefixes;
    char prefix[APP_MIL_MAX][8]; /* callsign prefixes, 1..7 of [A-Z0-9] */
    size_t n_codes;
    uint16_t code_lo[APP_MIL_MAX], code_hi[APP_MIL_MAX]; /* Mode 3/A codes, inclusive */
};

/*
 * Parse a military list: items separated by commas and/or spaces, each
 *   HHHHHH-HHHHHH  a range of ICAO addresses (hex, inclusive, lo <= hi)
 *   HHHHHH         one address
 *   PREFIX*        callsigns beginning with PREFIX (1..7 of A-Z 0-9)
 *   Aoooo[-Aoooo]  a Mode 3/A code or an inclusive range of codes (four
 *                  octal digits each): the code blocks a state assigns to
 *                  its military (ICAO Doc 4444 §8.5; national allocation),
 *                  for aircraft seen only through Mode A/C, as older
 *                  military transponders and radar-only fusion give them
 * Items add to *m (so the key may repeat). 0, or CAIRN_E_FORMAT /
 * CAIRN_E_FULL with a static reason in *why.
 */
int app_military_parse(const char *list, struct app_military *m, const char **why);
/* 1 when t's ICAO address, callsign or Mode 3/A code is in m. */
int app_military_match(const struct app_military *m, const struct trk_track *t);

/* A release list ("civil, no_transponder"; "none" for nothing; "all" for
 * every class) into class bits. 0 or CAIRN_E_FORMAT (*why: static). */
int app_release_parse(const char *list, uint32_t *mask, const char **why);

/* The track's class (above); m may be NULL. */
enum app_class app_class_of(const struct trk_track *t, const struct app_military *m);

/* The sensor id under which peer NAME's tracks enter the picture. */
uint32_t app_peer_sensor_id(const char *name);
static inline int app_is_peer_sensor(uint32_t id)
{
    return (id & 0xFF000000u) == APP_ID_PEER;
}

/* 1 when an own sensor (not a peer's) updated t within APP_OWN_FRESH_MS
 * of now_ms; else 0 and *peer_id (may be NULL) the peer sensor that
 * updated it last. */
int app_origin_own(const struct trk_track *t, int64_t now_ms, uint32_t *peer_id);

/* What the policy says of one track for one peer. */
enum app_verdict {
    APP_V_RELEASE = 0,
    APP_V_STATUS = 1, /* tentative or deleted: not a track to share yet */
    APP_V_ORIGIN = 2, /* not seen by own sensors: the peers' information */
    APP_V_AREA = 3,   /* outside the exchange area */
    APP_V_CLASS = 4,  /* its class is not released, and no operator released it */
    APP_V_N = 5,
};
const char *app_verdict_name(unsigned v);

struct app_policy {
    const struct geo_zones *area;   /* borrowed; NULL or empty: nothing is inside */
    uint32_t release;               /* APP_CLASS_BIT()s */
    const struct app_military *mil; /* borrowed; may be NULL */
};

/* 1 when (lat, lon) is inside any polygon of area. */
int app_area_contains(const struct geo_zones *area, double lat_deg, double lon_deg);

/* The verdict for t at now_ms; op_released: an operator marked it
 * releasable to this peer. The area is checked on the quantised position. */
enum app_verdict app_release_verdict(const struct app_policy *pol, const struct trk_track *t,
                                     int op_released, int64_t now_ms);

/* ------------------------------------------------ configuration and I/O */

struct app_peer_config {
    char name[APP_PEER_NAME_MAX];   /* a centre of the hotline roster */
    char area[APP_PEER_PATH_MAX];   /* GeoJSON file (required) */
    char record[APP_PEER_PATH_MAX]; /* audit file of what the peer sent, or "" */
    uint32_t release;               /* APP_CLASS_BIT()s; default civil */
    int64_t interval_ms;            /* default APP_PEER_INTERVAL_MS */
    int line;                       /* of the section header */
};

struct app_peers;

/* What app_peers_new needs from the configuration. */
struct app_peers_config {
    const struct app_peer_config *peer; /* n of them */
    size_t n;
    const struct app_military *mil; /* copied */
    uint8_t sac, sic;               /* the pictures' SDPS identity */
};

/*
 * Load every peer's area, open the record files (append), and check the
 * names against the hotline's roster (hl may be NULL only when n = 0).
 * 0 and *out, or an error with one printable line in err.
 */
int app_peers_new(const struct app_peers_config *cfg, struct hl_daemon_ctx *hl,
                  struct app_peers **out, char *err, size_t errcap);
void app_peers_free(struct app_peers *ps);

/* The peers' pictures that are due at mono_ms: each built from the
 * picture's snapshot (tracks[0..n), borrowed) at pic_now_ms and sent. */
void app_peers_tick(struct app_peers *ps, const struct trk_track *tracks, size_t n,
                    int64_t pic_now_ms, int64_t mono_ms);

/* A report for the picture (borrowed for the call). */
typedef void (*app_peer_report_fn)(void *arg, const struct report *r);

/* A PICTURE from peer (the link's hook): read, checked, recorded and
 * handed to fn, dated on the receiver's picture clock rx_now_ms. */
void app_peers_on_picture(struct app_peers *ps, const char *peer, const struct hl_picture *pic,
                          int64_t rx_now_ms, int64_t mono_ms, app_peer_report_fn fn, void *arg);

/* The name of a peer sensor id ("peer:NAME") into out; 0, or -1 when id is
 * not a configured peer's. */
int app_peers_sensor_name(const struct app_peers *ps, uint32_t id, char *out, size_t cap);

/* Members of t's object in /api/tracks: "origin" ("own" or "peer:NAME"),
 * "class", "military", and "releasable" when an operator marked it. */
void app_peers_track_json(const struct app_peers *ps, const struct trk_track *t, int64_t now_ms,
                          struct jsonw *w);

/* Mark track id releasable (on = 1) to the peers named in names[0..n)
 * (n = 0: every peer), or withdraw the mark (on = 0). 0, CAIRN_E_NOTFOUND
 * (a name is not a configured peer), CAIRN_E_FULL (APP_MAX_RELEASED). */
int app_peers_release(struct app_peers *ps, uint32_t id, int on, const char *const *names,
                      size_t n);
/* Forget the marks of tracks no longer in tracks[0..n). */
void app_peers_gc(struct app_peers *ps, const struct trk_track *tracks, size_t n);

/* Per peer, for /api/link: {"picture": {...}} members are added to each
 * object of the status's "peers" array whose "name" is a configured peer
 * (status: a jansson object, borrowed). */
struct json_t;
void app_peers_link_json(const struct app_peers *ps, struct json_t *status, int64_t mono_ms);

/* cairn_peer_* metrics. */
void app_peers_metrics(const struct app_peers *ps, struct dbuf *o, int64_t mono_ms);

#endif
