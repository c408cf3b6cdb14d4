/*
 * sensor.h — live sensors on a libevent event_base: one object per input
 * (a Beast/AVR/SBS receiver, an AIS NMEA feed, an ASTERIX radar), which
 * connects, listens or receives, decodes with cairn's decoders into
 * struct report (decode/report.h), hands each report to a callback, keeps
 * its health, and retries with backoff when it fails. One sensor never
 * takes the process down: every failure becomes a state, a counter and a
 * line of (escaped) error text.
 *
 * Formats and transports (docs/sensors.md has the configuration keys):
 *
 *   format    decoder (decode/...)                   connect listen udp
 *   beast     modes/beast.h -> modes_decode -> report   yes    yes    -
 *   avr       modes/avr.h   -> modes_decode -> report   yes    yes    -
 *   sbs       modes/sbs.h (BaseStation lines)           yes    yes    -
 *   nmea      ais/ais.h ais_feed (AIS VDM/VDO)          yes    yes    yes
 *   asterix   asterix blocks -> ax_record_report        -      -      yes
 *   iq        feed/iq.h (file of samples) -> demodulator, in a worker thread
 *   rtlsdr    feed/rtlsdr.h (a dongle) -> demodulator, in a worker thread
 *
 * connect = TCP client to a receiver's output port (readsb 30005/30002/
 * 30003, AIS-catcher, a dispatcher); listen = TCP server that feeders push
 * to (readsb's --net-connector ...,beast_out style, `socat`), up to
 * max_clients at once; udp = datagrams to a local address or a multicast
 * group (IPv4 IP_ADD_MEMBERSHIP, IPv6 IPV6_JOIN_GROUP), optionally on one
 * interface. iq and rtlsdr run the blocking loops of feed/iq.h and
 * feed/rtlsdr.h in a worker thread of the sensor's own that demodulates and
 * decodes (its own Mode S context: nothing is shared between threads but a
 * bounded queue of reports, SENSOR_WORKER_QUEUE, and a pipe that wakes the
 * loop); the reports are handed to the callback from the loop's thread.
 * A full queue drops reports (counted in `dropped`): the loop is late, the
 * dongle's USB transfers must not wait.
 *
 * Time (report.t_ms, UTC): the reception time on the config's UTC clock,
 * except where the format carries an absolute time: ASTERIX times of day are
 * dated with the reception time as the reference (ax_tod_to_utc_ms), AIS
 * TAG block times (c:) are kept, and an IQ file's samples are dated from
 * the UTC time the file was opened plus their sample time (read at the
 * recorded pace unless iq_fast is set). Beast/AVR 12 MHz counters are relative to
 * a receiver's power-on and SBS "generated" times are local time in
 * dump1090, so neither is used.
 *
 * States (enum sensor_state) and who moves between them:
 *
 *                 sensor_start
 *     STOPPED ───────────────────► CONNECTING ──connected──► CONNECTED
 *        ▲                          │  ▲                         │
 *        │ sensor_stop              │  │ retry timer /           │ EOF, error,
 *        │ (from any state)   fail  ▼  │ sensor_retry_now        ▼ idle timeout
 *        │                         RETRYING ◄────────────────────┘
 *        │                          │  ▲ bind/join fails
 *        │  attempts > max_retries  ▼  │
 *        │                         FAILED     LISTENING (listen, udp) ──┘
 *
 *   transition                         function
 *   STOPPED -> CONNECTING | LISTENING   sensor_start -> sensor_open_
 *   CONNECTING -> CONNECTED             on_event (BEV_EVENT_CONNECTED)
 *   CONNECTING | CONNECTED -> RETRYING  on_event (EOF, ERROR, TIMEOUT), fail_
 *   STOPPED -> RETRYING (bind fails)    sensor_open_ -> fail_
 *   RETRYING -> CONNECTING | LISTENING  on_retry (timer), sensor_retry_now
 *   RETRYING -> FAILED                  fail_ (max_retries reached)
 *   FAILED -> CONNECTING | LISTENING    sensor_retry_now
 *   STOPPED -> CONNECTED (iq, rtlsdr)   sensor_start -> worker_start
 *   CONNECTED -> RETRYING (device lost) on_worker (the worker ended with an error)
 *   CONNECTED -> STOPPED (end of file)  on_worker (iq: the file is done)
 *   any -> STOPPED                      sensor_stop, sensor_free
 *
 * Invariants:
 *   S1  CONNECTING and CONNECTED hold exactly one client bufferevent (iq
 *       and rtlsdr: CONNECTED holds exactly one running worker thread);
 *       LISTENING holds exactly one listener or UDP socket (plus up to
 *       max_clients accepted connections); RETRYING, FAILED and STOPPED
 *       hold no socket at all.
 *   S2  The retry timer is pending if and only if the state is RETRYING.
 *   S3  The report callback runs only from the event loop, for bytes that
 *       arrived in CONNECTED or LISTENING, and never after sensor_stop or
 *       sensor_free returned. It must not call sensor_stop, sensor_free or
 *       sensor_retry_now on its own sensor (asserted).
 *   S4  Memory is bounded whatever the peer sends: a TCP input buffer holds
 *       at most read_buffer bytes (libevent's read high-watermark: reading
 *       stops until the decoder drained it), a stream parser holds one
 *       line or frame, a datagram is at most max_datagram bytes (larger
 *       ones are dropped and counted), accepted clients are at most
 *       max_clients (more are closed at once and counted).
 *   S5  The n-th consecutive retry waits sensor_backoff_ms(min, max, n):
 *       between half and all of min(max, min * 2^n), uniformly (equal
 *       jitter, so sensors that failed together do not return together).
 *       n goes back to 0 when a connection (or socket) delivers a decoded
 *       message, not when it merely opens: a peer that accepts and closes
 *       at once keeps backing off.
 *   S6  Hostile bytes never stop a sensor: what does not decode is skipped
 *       and counted in decode_errors; only the transport's failure changes
 *       the state.
 *
 * Clocks: report times come from cfg.utc; the message rate and the retry
 * bookkeeping in the health come from cfg.mono (both settable fakes in
 * tests); the waits themselves are libevent timers.
 *
 * Ownership: sensor_new copies the configuration (the ASTERIX radar table
 * and the DNS base are borrowed and must outlive the sensor); sensor_free
 * releases everything. A sensor is used from its event_base's thread only.
 */
#ifndef CAIRN_FEED_SENSOR_H
#define CAIRN_FEED_SENSOR_H

#include <stddef.h>
#include <stdint.h>

#include "base/addr.h"
#include "base/clock.h"
#include "decode/report.h"

struct event_base;
struct evdns_base;
struct ax_sensor;
struct sensor;

enum sensor_format {
    SENSOR_FMT_NONE = 0,
    SENSOR_FMT_BEAST,
    SENSOR_FMT_AVR,
    SENSOR_FMT_SBS,
    SENSOR_FMT_NMEA, /* AIS NMEA 0183 (!AIVDM, !AIVDO, with or without TAG blocks) */
    SENSOR_FMT_ASTERIX,
    SENSOR_FMT_IQ,     /* a file of 1090 MHz samples (UC8 or SC16) */
    SENSOR_FMT_RTLSDR, /* an RTL-SDR dongle */
};

enum sensor_transport {
    SENSOR_TR_NONE = 0,
    SENSOR_TR_CONNECT, /* TCP client */
    SENSOR_TR_LISTEN,  /* TCP server for pushing feeders */
    SENSOR_TR_UDP,     /* UDP unicast or multicast */
    SENSOR_TR_FILE,    /* iq: a file (address holds its path) */
    SENSOR_TR_DEVICE,  /* rtlsdr: a dongle (address holds its index or serial) */
};

enum sensor_state {
    SENSOR_ST_STOPPED = 0,
    SENSOR_ST_CONNECTING,
    SENSOR_ST_CONNECTED,
    SENSOR_ST_LISTENING,
    SENSOR_ST_RETRYING,
    SENSOR_ST_FAILED,
};

#define SENSOR_NAME_MAX  64  /* bytes with the NUL */
#define SENSOR_IFACE_MAX 16  /* IF_NAMESIZE */
#define SENSOR_ERR_MAX   160 /* last_error, escaped, with the NUL */

/* Defaults (sensor_config_init), each with its reason. */
#define SENSOR_RETRY_MIN_MS       1000u  /* a receiver restarting takes seconds */
#define SENSOR_RETRY_MAX_MS       60000u /* a dead sensor is tried once a minute */
#define SENSOR_CONNECT_TIMEOUT_MS 10000u /* a SYN lost three times on a WAN; beyond, retry */
#define SENSOR_MAX_CLIENTS        8u     /* feeders pushing to one port (readsb allows many) */
#define SENSOR_READ_BUFFER        65536u /* TCP input held at most: ~1 s of a busy Beast feed */
#define SENSOR_MAX_DATAGRAM       65535u /* the largest UDP payload (IPv6 jumbograms aside) */
#define SENSOR_WORKER_QUEUE       8192u  /* worker to loop: ~1 s of the busiest dongle */
#define SENSOR_RATE_WINDOW_S                                                                       \
    10 /* msgs/s averaged over 10 s: steady on a display,                                          \
          yet a dead feed shows 0 within 10 s */

struct sensor_config {
    char name[SENSOR_NAME_MAX]; /* the [sensor NAME] section's name */
    enum sensor_format format;
    enum sensor_transport transport;
    char address[ADDR_SPEC_MAX + 1]; /* host:port (addr.h); udp: bind or group address;
                                       file: its path; device: index or serial */
    char iface[SENSOR_IFACE_MAX];    /* udp multicast: interface name; "" = the kernel's choice */
    uint32_t sensor_id;              /* report.sensor_id (ASTERIX: from the radar table) */
    int has_rx;                      /* a 1090 MHz receiver's position is known: */
    double rx_lat_deg, rx_lon_deg;   /* local CPR decoding and the range check */
    uint8_t rx_given;                /* sensor_config_set: 1 lat given, 2 lon given */
    const struct ax_sensor *radars;  /* ASTERIX: SAC/SIC table, borrowed; may be NULL */
    size_t n_radars;
    uint32_t retry_min_ms, retry_max_ms; /* backoff bounds (S5) */
    uint32_t max_retries;                /* consecutive failures before FAILED; 0 = never */
    uint32_t connect_timeout_ms;         /* connect: give up after this */
    uint32_t idle_timeout_ms;            /* TCP: no byte for this long = dead; 0 = off */
    uint32_t max_clients;                /* listen: connections at once */
    uint32_t read_buffer;                /* TCP: input bytes held at most (S4) */
    uint32_t max_datagram;               /* udp: larger datagrams are dropped */
    double gain_db;                      /* rtlsdr: tuner gain; < 0 = automatic (default) */
    int32_t ppm;                         /* rtlsdr: frequency correction */
    double iq_rate_hz;                   /* iq, rtlsdr: 2.0e6 or 2.4e6 (default) */
    uint8_t iq_sc16;                     /* iq: samples are SC16 (default UC8) */
    uint8_t iq_fast;                /* iq: read as fast as possible, not at the recorded pace */
    const struct cairn_clock *utc;  /* report times; NULL = cairn_clock_real */
    const struct cairn_clock *mono; /* rate, retry times; NULL = cairn_clock_mono */
    uint64_t seed;                  /* jitter; 0 = from libevent's secure RNG */
    struct evdns_base *dns;         /* names: asynchronous resolver (borrowed);
                                       NULL = the system's, which blocks */
};

/* Every field to its default (the SENSOR_* values above; no format, no
 * transport, empty name and address). */
void sensor_config_init(struct sensor_config *c);

/*
 * Set one configuration key from text, as an INI handler for a
 * `[sensor NAME]` section would (key and value borrowed; value from a file
 * is hostile). Keys: format, connect, listen, udp, file, device (these six
 * set the transport and address), interface, id, lat, lon, retry_min_ms,
 * retry_max_ms, max_retries, connect_timeout_ms, idle_timeout_ms,
 * max_clients, read_buffer, max_datagram, gain (dB or "auto"), ppm,
 * iq_rate (2000000 or 2400000), iq_format (uc8 or sc16), iq_fast (0 or 1). Returns 0;
 * CAIRN_E_NOTFOUND for an unknown key; CAIRN_E_INVAL or CAIRN_E_RANGE for a bad value, with a
 * static reason in *why (may be NULL).
 */
int sensor_config_set(struct sensor_config *c, const char *key, const char *value,
                      const char **why);

/*
 * Check a whole configuration: a name, a format, a transport the format
 * can use, an address that parses for it (names only for connect;
 * wildcards only for listen and udp; a multicast group only for udp), sane
 * bounds. 0 or CAIRN_E_INVAL with a static reason in *why.
 */
int sensor_config_check(const struct sensor_config *c, const char **why);

/* The address a checked configuration uses, as sensor_config_check reads
 * it (the format's default port filled in; a wildcard as written), into
 * *out: for a client that sends to a listening sensor (app/replay_to.h).
 * 0, or CAIRN_E_INVAL with a static reason in *why (may be NULL). iq and
 * rtlsdr have no address (*out zeroed). */
int sensor_config_address(const struct sensor_config *c, struct addr_spec *out, const char **why);

/* The report callback: r is borrowed for the call. */
typedef void (*sensor_report_cb)(void *arg, const struct report *r);
/* Optional: called after every state change (s borrowed). */
typedef void (*sensor_state_cb)(void *arg, struct sensor *s, enum sensor_state st);

/* Optional: each raw Mode S or Mode A/C frame of a beast or avr stream
 * whose CRC checked (modes_decode accepted it and crc_ok: clean, corrected,
 * or an AP address known), as decoded — corrected bits applied, the
 * source's 12 MHz counter and signal level kept — with its reception time
 * t_ms (UTC, as the report's). f is borrowed for the call; the same rules
 * as the report callback (S3). For the centre's Beast and AVR output ports
 * (app/output.h). iq and rtlsdr frames come through the worker's queue
 * with the reports (dated as the reports are: the file's clock, or the
 * reception time); for those the callback must be set before sensor_start
 * (the worker reads the setting when it starts). */
struct modes_frame;
typedef void (*sensor_frame_cb)(void *arg, const struct modes_frame *f, int64_t t_ms);

/*
 * Create a sensor on base (borrowed, must outlive it) from cfg (copied, see
 * Ownership). It is STOPPED: nothing happens before sensor_start. Returns 0
 * and *out; CAIRN_E_INVAL (sensor_config_check failed: its reason is in
 * err) or CAIRN_E_NOMEM; err (errcap bytes, may be NULL) gets one line.
 */
int sensor_new(struct event_base *base, const struct sensor_config *cfg, sensor_report_cb on_report,
               sensor_state_cb on_state, void *arg, struct sensor **out, char *err, size_t errcap);

/* Pass raw frames to cb (NULL: stop); arg is given back. Before or after
 * sensor_start (iq, rtlsdr: before). */
void sensor_set_frame_cb(struct sensor *s, sensor_frame_cb cb, void *arg);

/* Begin: connect, listen or open the UDP socket. A failure to do so now is
 * not an error of this call: the sensor goes to RETRYING (S5). No-op
 * unless STOPPED. */
void sensor_start(struct sensor *s);
/* Close every socket, cancel the retry: STOPPED. Counters are kept. */
void sensor_stop(struct sensor *s);
/* RETRYING or FAILED: try again now (attempt count kept); otherwise no-op. */
void sensor_retry_now(struct sensor *s);
/* Stop and release; accepts NULL. */
void sensor_free(struct sensor *s);

/*
 * Hand bytes to the sensor's decoder as if they had arrived (stream
 * formats: one more piece of the stream, any split; udp formats: one
 * datagram), with the reception time of now; ignored by iq and rtlsdr. Reports go to the callback
 * before this returns. For tests and for replaying captures into a running
 * sensor; p borrowed.
 */
void sensor_feed(struct sensor *s, const void *p, size_t len);

struct sensor_health {
    enum sensor_state state;
    int64_t state_since_ms;          /* mono clock: when the state was entered */
    int64_t last_data_ms;            /* UTC: last byte received (0 = never) */
    uint64_t bytes;                  /* received */
    uint64_t msgs;                   /* frames, lines, sentences or records decoded */
    uint64_t reports;                /* handed to the callback */
    uint64_t no_report;              /* decoded, but nothing for a tracker */
    uint64_t decode_errors;          /* framing errors and messages refused (S6) */
    uint64_t dropped;                /* oversize datagrams; reports a full worker queue lost */
    uint64_t connects;               /* connections made (connect) or accepted (listen) */
    uint64_t disconnects;            /* connections lost after they were made */
    uint64_t retries;                /* reconnect attempts (retry timer or retry_now) */
    uint64_t refused;                /* listen: clients closed because max_clients were in */
    uint32_t clients;                /* listen: connections now */
    uint32_t attempt;                /* consecutive failures so far (S5) */
    int64_t retry_in_ms;             /* RETRYING: time left before the next attempt */
    double rate_msgs_s;              /* msgs over the last SENSOR_RATE_WINDOW_S seconds / window */
    uint32_t buffered_max;           /* most TCP input bytes ever held at once (S4) */
    uint16_t local_port;             /* listen/udp: the bound port (useful with port 0) */
    char last_error[SENSOR_ERR_MAX]; /* printable, escaped; "" = none yet */
};

/* A snapshot of the sensor's health into *h. */
void sensor_health(const struct sensor *s, struct sensor_health *h);

struct jsonw;
/*
 * The health as ONE JSON object into w (for /api/sensors): "name",
 * "format", "transport", "address", "state", "state_for_ms" (time in the
 * state), "last_data_utc_ms" (null = never), every counter of struct
 * sensor_health under its own name, "rate_msgs_s" and "last_error". Text
 * from the configuration and the error are escaped (log_escape) before
 * they are written. Errors are reported in w->err.
 */
void sensor_health_json(const struct sensor *s, struct jsonw *w);
/* The configuration as copied (name, format, address...). */
const struct sensor_config *sensor_config(const struct sensor *s);
enum sensor_state sensor_state(const struct sensor *s);

/* "beast", "avr", "sbs", "nmea", "asterix", "iq", "rtlsdr"; "?" otherwise. */
const char *sensor_format_name(enum sensor_format f);
/* "connect", "listen", "udp", "file", "device"; "?" otherwise. */
const char *sensor_transport_name(enum sensor_transport t);
/* "stopped", "connecting", "connected", "listening", "retrying", "failed". */
const char *sensor_state_name(enum sensor_state st);
/* The format named s ("ais" is accepted for nmea), or SENSOR_FMT_NONE. */
enum sensor_format sensor_format_parse(const char *s);

/* ---- the pure parts, exposed for tests -------------------------------- */

/* S5: the wait before retry number attempt (0-based), in ms, using and
 * advancing the xorshift state *rng (never 0). Always >= 1. */
uint32_t sensor_backoff_ms(uint32_t min_ms, uint32_t max_ms, unsigned attempt, uint64_t *rng);

/* Messages per second over a sliding window of one-second slots. */
struct sensor_rate {
    int64_t sec[SENSOR_RATE_WINDOW_S];
    uint64_t n[SENSOR_RATE_WINDOW_S];
};
void sensor_rate_add(struct sensor_rate *r, int64_t now_ms, uint64_t n);
double sensor_rate_get(const struct sensor_rate *r, int64_t now_ms);

#endif
