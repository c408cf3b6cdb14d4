/*
 * output.h — the centre's output ports as readsb serves them: `[output
 * NAME]` sections, each a TCP listener that many clients may read (a
 * tar1090 or VRS, an mlat client, a second readsb, `nc`).
 *
 *   format  what a client reads                         readsb's port
 *   beast   Beast binary frames: 0x1A, type '1'/'2'/'3', 30005
 *           the 48-bit 12 MHz counter, the signal byte,
 *           the reply; 0x1A doubled inside (beast.h)
 *   avr     one reply a line, hex: `*8D4840D6...;` or,     30002
 *           with the source's 12 MHz counter,
 *           `@0000A3C4E5F68D4840D6...;`, LF-terminated
 *   sbs     BaseStation lines `MSG,T,1,1,ICAO,1,date,time, 30003
 *           date,time,callsign,alt,gs,track,lat,lon,vrate,
 *           squawk,alert,emergency,spi,ground` CR LF
 *
 * What goes out. beast and avr pass on the raw Mode S (and Mode A/C)
 * frames the centre's live Beast/AVR sensors and its Beast/AVR/IQ replays
 * received, each once, as decoded (a corrected bit is corrected, readsb's
 * default without --net-verbatim), with the source's 12 MHz counter and
 * signal level when the source gave them (0 otherwise, as readsb sends).
 * sbs writes one line per decoded Mode S message (a report, decode/
 * report.h, of kind REP_ADSB or REP_MODES with an ICAO address, from any
 * Mode S input: Beast, AVR, SBS, IQ), its type chosen as readsb does from
 * what the message says:
 *
 *   MSG,1  ADS-B identification (callsign)
 *   MSG,2  ADS-B surface position          MSG,3  ADS-B airborne position
 *   MSG,4  ADS-B airborne velocity
 *   MSG,5  surveillance altitude reply (DF4/20, and DF0/16, which a report
 *          does not tell apart from DF4: readsb's MSG,7 comes out as 5)
 *   MSG,6  surveillance identity reply (DF5/21)
 *   MSG,8  all-call reply (DF11): the address only
 *
 * Fields 7-8 are the message's time (UTC), 9-10 the time of writing;
 * readsb's field conventions (altitude baro, `%04o`-style squawk digits,
 * -1/0 flags; emergency from the 7500/7600/7700 squawks). Radar plots,
 * AIS and system tracks are not Mode S messages and do not go out.
 *
 * Clients and back-pressure. Nothing a client does slows the loop: a frame
 * is encoded once and appended to every client's queue (a bufferevent
 * written when its socket can take it). A client whose queue would exceed
 * max_queue bytes — it reads slower than the feed comes — is closed at
 * once and counted in `dropped` (readsb drops a client whose send queue
 * is full too). At most max_clients at once; more are closed on accept
 * (`refused`). What a client sends is read and thrown away. A port on
 * which nothing was written for heartbeat_s gets readsb's heartbeat (Beast:
 * a zero Mode A/C frame; AVR: `*0000;`; SBS: an empty line) so that a
 * client and the NAT between can tell a quiet sky from a dead link.
 *
 * Invariants:
 *   O1  Memory is bounded: per client at most max_queue bytes queued plus
 *       one frame; clients at most max_clients.
 *   O2  A client is in the list if and only if its bufferevent is open;
 *       it is freed on EOF, error, or drop, never twice.
 *   O3  app_output_frame / app_output_report never block and never call
 *       back into the caller.
 *
 * Threads: everything on the loop's thread.
 */
#ifndef CAIRN_APP_OUTPUT_H
#define CAIRN_APP_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

#include "base/addr.h"

struct event_base;
struct modes_frame;
struct report;
struct jsonw;
struct app_output;

#define APP_MAX_OUTPUTS 16
#define OUT_NAME_MAX    32 /* with the NUL, as the picture's names */

/* Defaults, each with its reason. */
#define OUT_MAX_CLIENTS 64u /* map front ends, mlat clients, a peer's readsb: tens */
#define OUT_MAX_QUEUE                                                                              \
    262144u                 /* bytes queued per client: ~11,000 Beast frames, a few                \
                               seconds of a busy receiver; a client further behind                 \
                               is not keeping up and only delays what it sees */
#define OUT_HEARTBEAT_S 60u /* readsb's net-heartbeat default */
#define OUT_SBS_LINE    256 /* the longest SBS line written (readsb's 200 and more) */

enum app_out_format {
    APP_OUT_NONE = 0,
    APP_OUT_BEAST,
    APP_OUT_AVR,
    APP_OUT_SBS,
};

struct app_output_config {
    char name[OUT_NAME_MAX];
    enum app_out_format format;
    char listen[ADDR_SPEC_MAX + 1]; /* HOST:PORT as given (addr.h: IPv4, [IPv6], *:PORT) */
    struct addr_spec addr;          /* parsed */
    uint32_t max_clients;           /* 1..1024 */
    uint32_t max_queue;             /* bytes queued per client, 4096..64 MiB */
    uint32_t heartbeat_s;           /* 0 = off, up to 3600 */
    int line;                       /* of the section header, for messages */
};

/* The defaults above; no format, no address. */
void app_output_config_init(struct app_output_config *c);
/* One key of an [output NAME] section: format (beast|avr|sbs), listen
 * (HOST:PORT; port 0: the kernel picks), max_clients, max_queue,
 * heartbeat_s. 0; CAIRN_E_NOTFOUND for an unknown key; CAIRN_E_INVAL with a
 * static reason in *why (may be NULL) for a bad or repeated value. */
int app_output_config_set(struct app_output_config *c, const char *key, const char *value,
                          const char **why);
/* A complete section: format and listen given. 0 or CAIRN_E_INVAL, *why. */
int app_output_config_check(const struct app_output_config *c, const char **why);
/* "beast", "avr", "sbs"; "?" otherwise. */
const char *app_output_format_name(enum app_out_format f);

/*
 * Open the port on base (borrowed, must outlive it) from cfg (copied):
 * bound and listening when this returns. 0 and *out, or CAIRN_E_IO (the
 * address cannot be bound: in use, not local) or CAIRN_E_NOMEM, with one
 * line in err.
 */
int app_output_new(struct event_base *base, const struct app_output_config *cfg,
                   struct app_output **out, char *err, size_t errcap);
/* Close every client and the listener. Accepts NULL. */
void app_output_free(struct app_output *o);

/* A raw frame (borrowed) to every client of a beast or avr port; t_ms its
 * reception time (unused by the encoders, kept for symmetry with the
 * report). Ignored by sbs ports. O3. */
void app_output_frame(struct app_output *o, const struct modes_frame *f, int64_t t_ms);
/* A decoded report (borrowed) to every client of an sbs port, as one MSG
 * line when it is a Mode S message (above); now_ms is the time of writing
 * (fields 9-10). Ignored by beast and avr ports. O3. */
void app_output_report(struct app_output *o, const struct report *r, int64_t now_ms);

enum app_out_format app_output_format(const struct app_output *o);
const char *app_output_name(const struct app_output *o);
/* The port bound (useful with port 0). */
uint16_t app_output_port(const struct app_output *o);

struct app_output_stats {
    uint32_t clients;  /* connected now */
    uint64_t accepted; /* connections accepted */
    uint64_t refused;  /* closed at once: max_clients were in */
    uint64_t dropped;  /* closed for reading too slowly (max_queue) */
    uint64_t closed;   /* ended by the client (EOF, error) */
    uint64_t messages; /* frames or lines written (once per port, not per client) */
    uint64_t skipped;  /* reports that are no SBS message; frames that do not encode */
    uint64_t bytes;    /* queued to clients, all clients together */
    uint64_t bytes_in; /* read from clients and thrown away */
    uint64_t heartbeats;
    uint32_t queued_max; /* most bytes ever queued for one client (O1) */
};
const struct app_output_stats *app_output_stats(const struct app_output *o);
/* The port as one JSON object (name, format, listen, port, and the stats
 * under their names) for /api/sensors. */
void app_output_json(const struct app_output *o, struct jsonw *w);

/* ---- the pure encoders, exposed for tests ----------------------------- */

/* One SBS line for r (CR LF, NUL added) into out (cap bytes, OUT_SBS_LINE
 * suffices); now_ms the time of writing. The characters written, 0 when r
 * is no Mode S message with an ICAO address, CAIRN_E_FULL when cap is too
 * small. */
int app_sbs_line(const struct report *r, int64_t now_ms, char *out, size_t cap);
/* The SBS message type (1-8) readsb would give r, or 0 for none. */
int app_sbs_type(const struct report *r);
/* One AVR line as readsb writes it (LF, NUL added): '@' and the 12 MHz
 * counter when f has one, '*' otherwise. Characters written, or
 * CAIRN_E_INVAL (f->len not 2, 7, 14), CAIRN_E_FULL (cap < 48). */
int app_avr_line(const struct modes_frame *f, char *out, size_t cap);

#endif
