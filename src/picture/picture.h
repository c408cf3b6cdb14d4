/*
 * picture.h — the picture engine: reports from every sensor in, one track
 * picture and its alerts out. `cairn picture` (cli/picture.c) drives it from
 * files today; the centre's daemon will drive it from live feeds.
 *
 * Key ideas:
 *  - The sensors file (pic_sensors_parse) names each radar and receiver and
 *    says what a record does not: where a radar stands, how fast it turns,
 *    how precise it is, which height to assume for a primary-only plot.
 *    Every configured sensor gets a sensor id that depends only on what the
 *    file says of it (a radar: SAC << 8 | SIC, the ASTERIX layer's own
 *    default; a receiver: its kind and a hash of its name), so ids are the
 *    same from run to run and whatever the order of the sections.
 *  - pic_report() takes one decoded report (decode/report.h) at a time and
 *    batches the measurements of one sensor taken close together (a sector
 *    of one radar scan, one second of one receiver) into one trk_ingest()
 *    call, so that plots without identity are assigned together (global
 *    nearest neighbour) rather than first come, first served.
 *  - Reports without a position still say something: a callsign (ADS-B
 *    identification), a squawk or an emergency (ADS-B status), a ship's
 *    name. The engine keeps the latest of these per ICAO address (a fixed
 *    table) and completes the position reports of that address, so the
 *    tracks and the alerts carry them.
 *  - pic_cycle() runs once a second of data time: trk_tick(), a snapshot of
 *    the table, det_evaluate() on the snapshot; alert changes reach the
 *    caller's callback during the call.
 *  - Pure: no I/O, no clock (time comes in `now_ms`), every allocation in
 *    pic_new().
 *
 * Where the modules being written now plug in (each a few lines, no option
 * for them exists yet): zones — det_set_zones(pic's detector) after
 * pic_new; flight plans — fpl_apply(set, table, now) in pic_cycle between
 * trk_tick and the snapshot; evaluation against truth — called with the
 * snapshot at the end of pic_cycle and from the alert trampoline
 * (picture.c, on_change). docs/picture.md has the order of a cycle.
 *
 * Threads: one engine, one thread at a time; other threads read copies.
 */
#ifndef CAIRN_PICTURE_PICTURE_H
#define CAIRN_PICTURE_PICTURE_H

#include <stddef.h>
#include <stdint.h>

#include "detect/detect.h"
#include "track/track.h"

struct report;
struct ax_sensor;
struct jsonw;

/* ------------------------------------------------------------ sensors */

#define PIC_NAME_MAX    32          /* sensor name, NUL included */
#define PIC_MAX_SENSORS 64          /* sections in a sensors file (trk_sensor_set's cap) */
#define PIC_INI_MAX     (64 * 1024) /* bytes in a sensors file */
#define PIC_INI_LINE    160         /* characters in one line, end of line excluded */

enum pic_sensor_type {
    PIC_SENSOR_RADAR = 1, /* [radar NAME]: a monoradar, PSR and/or SSR (ASTERIX) */
    PIC_SENSOR_ADSB = 2,  /* [adsb NAME]: a 1090 MHz receiver (Beast, AVR, SBS, IQ) */
    PIC_SENSOR_AIS = 3,   /* [ais NAME]: an AIS receiver (NMEA) */
};

/* Sensor ids of receivers: kind in the top byte, 24 bits of the name's
 * FNV-1a hash below; radars use SAC << 8 | SIC (below 2^16). */
#define PIC_ID_ADSB 0x02000000u
#define PIC_ID_AIS  0x03000000u

struct pic_sensor {
    char name[PIC_NAME_MAX]; /* [A-Za-z0-9._-]+ */
    uint8_t type;            /* enum pic_sensor_type */
    uint32_t id;             /* report.sensor_id */
    uint8_t sac, sic;        /* radar */
    int has_pos;             /* lat/lon/alt_m given (required for a radar) */
    double lat_deg, lon_deg, alt_m;
    double period_s;          /* radar rotation period (required for a radar) */
    double range_sigma_m;     /* radar range accuracy, 1 sigma (default 60 m) */
    double azimuth_sigma_deg; /* radar azimuth accuracy, 1 sigma (default 0.08 deg) */
    double assumed_alt_m;     /* height assumed for plots without Mode C (default 3000 m) */
};

struct pic_sensors {
    size_t n;
    struct pic_sensor s[PIC_MAX_SENSORS];
};

/*
 * Parse a sensors file held in buf[0..len) (hostile bytes: any content,
 * not NUL-terminated) into *out. Sections `[radar NAME]`, `[adsb NAME]`,
 * `[ais NAME]`; keys (docs/picture.md):
 *   radar: sac, sic, lat, lon, period_s (required), alt_m, range_sigma_m,
 *          azimuth_sigma_deg, assumed_alt_m (optional)
 *   adsb, ais: lat, lon, alt_m (optional; lat and lon together)
 * Unknown sections and keys, a key given twice, a value out of its range,
 * a missing required key, two radars with one SAC/SIC, two sensors of one
 * name or id, lines longer than PIC_INI_LINE, control characters, more
 * than PIC_MAX_SENSORS sections or PIC_INI_MAX bytes are refused.
 * 0, or CAIRN_E_FORMAT / CAIRN_E_RANGE / CAIRN_E_TOOBIG with one line of
 * printable ASCII in err[0..errcap) naming the line ("line 7: ...").
 */
int pic_sensors_parse(const char *buf, size_t len, struct pic_sensors *out, char *err,
                      size_t errcap);

/* The sensor with this id, or NULL. */
const struct pic_sensor *pic_sensors_find(const struct pic_sensors *s, uint32_t id);
/* The first sensor of this type (the default for an input), or NULL. */
const struct pic_sensor *pic_sensors_first(const struct pic_sensors *s, uint8_t type);
/* The sensor of this name, or NULL. */
const struct pic_sensor *pic_sensors_by_name(const struct pic_sensors *s, const char *name);
/* Add a receiver of this type and name without position (an input with no
 * configured receiver): 0, CAIRN_E_FULL, CAIRN_E_EXISTS, CAIRN_E_INVAL. */
int pic_sensors_add(struct pic_sensors *s, uint8_t type, const char *name);
/* The ASTERIX report layer's table (decode/asterix/report.h) of the radars:
 * sites, accuracies, assumed heights. Fills up to cap entries of out;
 * returns how many radars there are. */
size_t pic_sensors_ax_table(const struct pic_sensors *s, struct ax_sensor *out, size_t cap);
/* The reference meridian for the detector (det_config.lon_ref_deg) of a
 * picture made by these sensors: the circular mean of the longitudes of
 * the sensors with a position, rounded to a whole degree, in (-180, 180];
 * 0 when none has one (or when they cancel out). Traffic within +-170
 * degrees of it is then seen whole by the pair rules, across 180 too
 * (docs/detect.md). */
double pic_sensors_lon_ref(const struct pic_sensors *s);

/* ------------------------------------------------------------- engine */

struct pic;

/* Called once per alert change (det_change_fn's contract): a borrowed for
 * the call; p may be read (pic_track_by_id) but not fed. */
typedef void (*pic_alert_fn)(void *arg, const struct pic *p, const struct det_alert *a);

struct pic_config {
    const struct pic_sensors *sensors; /* copied; NULL: none configured */
    struct trk_config trk;
    struct det_config det; /* det.max_tracks is set to trk.max_tracks */
    int64_t batch_ms;      /* a batch spans at most this long (receivers) */
    size_t max_batch;      /* measurements per batch */
    size_t id_cache;       /* identities remembered (power of two) */
    int64_t id_keep_ms;    /* an identity not refreshed this long is forgotten */
    pic_alert_fn on_alert; /* may be NULL */
    void *arg;
};

/* Defaults: trk_config_default, det_config_default, batch 1 s (a radar's
 * batch: 1/8 of its period, at most 1 s), 256 measurements, 16384
 * identities kept 10 min. */
void pic_config_default(struct pic_config *c);

struct pic_sensor_stats {
    uint32_t id;
    uint64_t reports;  /* reports of this sensor given to pic_report */
    uint64_t used;     /* of which became measurements */
    int64_t last_t_ms; /* latest report time */
};

struct pic_stats {
    uint64_t reports;    /* pic_report calls */
    uint64_t no_pos;     /* reports without a position (identities kept, no measurement) */
    uint64_t unusable;   /* reports trk_meas_from_report refused otherwise */
    uint64_t completed;  /* position reports completed from remembered identities */
    uint64_t batches;    /* trk_ingest calls */
    uint64_t meas;       /* measurements given to trk_ingest */
    uint64_t rejected;   /* of which used by no track (trk_ingest's 0 ids) */
    uint64_t late;       /* reports older than the last cycle: given to the tracker anyway */
    uint64_t cycles;     /* pic_cycle calls that ran */
    uint64_t id_dropped; /* identities not remembered: table full */
    size_t n_sensors;    /* entries in sensors[] */
    struct pic_sensor_stats sensors[PIC_MAX_SENSORS + 16];
    uint64_t other_sensors; /* reports of sensors beyond the table above */
};

/* 0 and *out (pic_free), CAIRN_E_INVAL (cfg NULL or values), CAIRN_E_NOMEM,
 * or the tracker's error for a radar's period. */
int pic_new(const struct pic_config *cfg, struct pic **out);
/* Accepts NULL. */
void pic_free(struct pic *p);

/*
 * One report (borrowed) at now_ms. Its sensor_id says which sensor made
 * it. Returns 0 (used, batched or remembered), CAIRN_E_INVAL (nothing a
 * tracker can use: counted), or the tracker's error for a batch it had to
 * flush (the other measurements are used all the same).
 */
int pic_report(struct pic *p, const struct report *r, int64_t now_ms);

/*
 * One cycle at now_ms: the pending batch is ingested, the table aged
 * (trk_tick), copied (the snapshot) and every rule evaluated on the copy;
 * alert changes go to the callback. 0, or det_evaluate's error
 * (CAIRN_E_RANGE: now before the previous cycle, nothing done).
 */
int pic_cycle(struct pic *p, int64_t now_ms);

/* Zones for the ZONE and AIS_GAP rules (geo/zones.h; borrowed while set,
 * NULL: none): det_set_zones. */
struct geo_zones;
void pic_set_zones(struct pic *p, const struct geo_zones *zones);

/* Flight plans matched to the tracks every cycle (track/fpl.h; borrowed
 * while set, NULL: none): the flight-plan member of the compliance triple
 * and the deviation from the route, which RENEGADE reads. */
struct fpl_store;
void pic_set_plans(struct pic *p, struct fpl_store *plans);

/* Called at the end of every cycle with its snapshot (borrowed for the
 * call): the evaluation against truth (eval/eval.h) watches here. */
typedef void (*pic_cycle_fn)(void *arg, const struct pic *p, const struct trk_track *tracks,
                             size_t n, int64_t now_ms);
void pic_set_observer(struct pic *p, pic_cycle_fn fn, void *arg);

/* Operator radio contact, the third member of a track's compliance triple
 * (enum trk_tri), set through the API (app/): the track's flight-plan member
 * is kept. Seen in pic_tracks from the next cycle. 0, CAIRN_E_NOTFOUND (no
 * such live track), CAIRN_E_INVAL. */
int pic_set_radio(struct pic *p, uint32_t id, uint8_t radio);

/* ------------------------------------------------------ read-only views */

/* The snapshot of the last pic_cycle (all tracks not FREE, DELETED ones
 * once): *n of them. Borrowed until the next pic_cycle. */
const struct trk_track *pic_tracks(const struct pic *p, size_t *n);
/* The track with this id in the table now, or NULL (trk_get: borrowed
 * until the next pic_report or pic_cycle). */
const struct trk_track *pic_track_by_id(const struct pic *p, uint32_t id);
/* Alerts that are not FREE: *cursor = 0 first, NULL at the end. */
const struct det_alert *pic_alert_next(const struct pic *p, size_t *cursor);
const struct pic_stats *pic_stats(const struct pic *p);
const struct trk_stats *pic_trk_stats(const struct pic *p);
const struct det_stats *pic_det_stats(const struct pic *p);
/* The sensors the engine knows (its copy). */
const struct pic_sensors *pic_sensors(const struct pic *p);
/* A sensor's name into out[0..cap): the configured name, else
 * "radar-SAC-SIC" for an unconfigured radar id, else "sensor-%08x". */
void pic_sensor_name(const struct pic *p, uint32_t id, char *out, size_t cap);
/* Trail of a track of the live table (trk_trail). */
size_t pic_trail(const struct pic *p, uint32_t id, struct trk_point *out, size_t cap);

/* ---------------------------------------------------------------- JSON */

/* Names: "aircraft", "vessel", "unknown"; "yes", "no", "unknown". */
const char *pic_kind_name(unsigned kind);
const char *pic_tri_name(unsigned tri);

/* {"type":"alert",...} of docs/picture.md into w (no newline). Identities
 * and kinds come from the alert (as they were when it last changed, so a
 * cleared alert of a deleted track still names its kind). */
void pic_alert_json(struct jsonw *w, const struct det_alert *a);
/* {"type":"track",...} of docs/picture.md into w (no newline). */
void pic_track_json(struct jsonw *w, const struct pic *p, const struct trk_track *t);

/* ------------------------------------------------------- between cycles */

/*
 * The tracker's part of a cycle, between cycles (the centre's live stream,
 * app/centre.c): the pending batch goes to trk_ingest now, with end_ms as
 * the tracker's now (the engine's now only moves forward), so the tracks
 * take every report given so far. Nothing else: no trk_tick, no flight
 * plans, no snapshot, no rule, so pic_tracks and the alerts stay those of
 * the last pic_cycle, and the next pic_cycle runs every step as before
 * (its batch is then whatever came after this call). The only difference
 * it makes is where a batch ends: plots of one radar sector split by this
 * call are assigned in two parts. `cairn picture` never calls it.
 * 0, CAIRN_E_INVAL (p NULL), or the tracker's error as pic_report's.
 */
int pic_ingest(struct pic *p, int64_t end_ms);

/* The live table, not the snapshot (trk_next): *cursor = 0 first; the
 * next track that is not FREE (DELETED ones until the next cycle's
 * trk_tick), or NULL at the end. Borrowed until the next pic_report,
 * pic_ingest or pic_cycle. */
const struct trk_track *pic_track_next(const struct pic *p, size_t *cursor);

#endif
