/*
 * config.h — the centre's configuration file (`cairn run -c centre.ini`):
 * one INI file (inih) read into one plain structure, every key checked.
 *
 * Sections and keys (docs/centre.md has the whole table):
 *   [centre]  name, party
 *   [web]     listen (repeatable), accounts, static_dir, tls_cert, tls_key,
 *             allow (repeatable), port_file, stream_ms
 *   [picture] cycle_ms, sensors (a sensors file), separation_nm, zones
 *             (GeoJSON), plans (ICAO FPL), points (the plans' named points)
 *   [radar NAME] [adsb NAME] [ais NAME]  inline sensors (docs/picture.md),
 *             read by pic_sensors_parse itself so their rules are the same
 *   [replay NAME]  input (FORMAT:PATH), sensor, speed, start, date
 *   [cat004]  udp (HOST:PORT), sac, sic: alerts out as ASTERIX CAT004
 *   [cat062]  udp (HOST:PORT, IPv4/IPv6, multicast), sac, sic, interval_s:
 *             the whole picture out as CAT062 system tracks; sac/sic are
 *             also those of the pictures sent to peers (default 0/0)
 *   [peer NAME]  area (GeoJSON, required), release (classes: civil,
 *             military, no_transponder, vessel, unknown, all, none; default
 *             civil), interval_s (default 4), record (audit file of what
 *             the peer sent): the shared picture with roster centre NAME
 *             (app/peer.h); needs [hotline]
 *   [centre] military = LIST  own military aircraft: ICAO address ranges
 *             HHHHHH-HHHHHH, addresses HHHHHH, callsign prefixes PREFIX*
 *             (repeatable); they never leave unless released
 *   [sensor NAME]  a live input: feed/sensor.h's keys (format, connect,
 *             listen, udp, file, device, ...) and receiver
 *   [output NAME]  format (beast|avr|sbs), listen (HOST:PORT), max_clients,
 *             max_queue, heartbeat_s: readsb-style output ports (app/output.h)
 *   [hotline] the embedded hotline: its keys are hotline/daemon.h's, read by
 *             hl_daemon_config_load from the same file (which also reads
 *             [centre] name: it must then be the keys' centre)
 *
 * The file is hostile: an unknown section or key, a key given twice where
 * it cannot repeat, a value out of range, a line longer than inih's 200
 * bytes or a control byte is refused with its line number ("line 7: ...").
 * Relative paths are taken relative to the file's folder.
 */
#ifndef CAIRN_APP_CONFIG_H
#define CAIRN_APP_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "app/output.h"
#include "app/peer.h"
#include "base/addr.h"
#include "app/procedures.h"
#include "feed/sensor.h"
#include "hotline/daemon.h"
#include "picture/picture.h"
#include "web/web.h"

#define APP_PATH_MAX    512
#define APP_MAX_REPLAYS 16
#define APP_MAX_SENSORS 32
#define APP_CONFIG_MAX  (256 * 1024) /* bytes in the file */
#define APP_CYCLE_MIN   20           /* ms: the loop must keep time for the web */
#define APP_CYCLE_MAX   10000        /* ms */
#define APP_STREAM_MIN  10           /* ms: [web] stream_ms, when not 0 */
#define APP_STREAM_MAX  10000        /* ms */

struct app_replay_config {
    char name[PIC_NAME_MAX];
    char input[APP_PATH_MAX];  /* FORMAT:PATH or PATH (feed/source.h), made absolute */
    char sensor[PIC_NAME_MAX]; /* a receiver of the sensors; "" the first of its kind */
    double speed;              /* data seconds per wall second (default 1) */
    int has_start;
    int64_t start_utc_ms; /* beast/avr/iq: the time of the first frame */
    int has_date;
    int64_t date_utc_ms; /* raw ASTERIX: its UTC day */
    int line;            /* of the section header, for messages */
};

struct app_config {
    char path[APP_PATH_MAX]; /* the file app_config_load read (absolute when it could
                                resolve it): SIGHUP reads it again; "" from app_config_parse */
    char name[64];           /* [centre] name: in logs and /api/sensors; default "cairn" */
    char party[64];          /* [centre] party: a label; default "" */
    char listen[WEB_MAX_LISTEN][ADDR_MAX];
    size_t n_listen;
    char accounts[APP_PATH_MAX];
    char static_dir[APP_PATH_MAX];
    char tls_cert[APP_PATH_MAX], tls_key[APP_PATH_MAX];
    char allow[WEB_MAX_ALLOW][64];
    size_t n_allow;
    char port_file[APP_PATH_MAX]; /* the bound ports, one a line, once listening */
    int64_t stream_ms;            /* [web] stream_ms: default 50; 0: after each cycle only */
    int64_t cycle_ms;             /* [picture] cycle_ms: default 1000 */
    double separation_nm;         /* [picture] separation_nm: 0 the detector's default */
    char sensors_file[APP_PATH_MAX];
    char zones_file[APP_PATH_MAX];  /* [picture] zones: GeoJSON (geo/zones.h) */
    char plans_file[APP_PATH_MAX];  /* [picture] plans: ICAO FPL messages (track/fpl.h) */
    char points_file[APP_PATH_MAX]; /* [picture] points: the plans' named points */
    struct pic_sensors sensors;     /* from sensors_file or the inline sections */
    struct app_replay_config replay[APP_MAX_REPLAYS];
    size_t n_replay;
    /* [sensor NAME]: live inputs (feed/sensor.h; docs/sensors.md has the
     * keys), plus `receiver = NAME`, the [adsb]/[ais] section whose id and
     * site its reports carry */
    struct sensor_config sensor[APP_MAX_SENSORS];
    char sensor_rx[APP_MAX_SENSORS][PIC_NAME_MAX];
    int sensor_line[APP_MAX_SENSORS];
    size_t n_sensor;
    int has_cat004;                 /* [cat004] udp given: alerts out as CAT004 */
    struct cairn_addr cat004;       /* [cat004] udp: where the records go */
    uint8_t cat004_sac, cat004_sic; /* [cat004] sac, sic: this safety-net server */
    int has_hotline;                /* a [hotline] section: filled by app_config_load only */
    struct hl_daemon_config hotline;
    /* [output NAME]: readsb-style output ports (app/output.h) */
    struct app_output_config output[APP_MAX_OUTPUTS];
    size_t n_output;
    int has_procs;            /* a [procedures] section */
    struct proc_config procs; /* [procedures] (app/procedures.h; defaults without one) */
    /* [peer NAME]: the shared picture with a roster centre (app/peer.h) */
    struct app_peer_config peer[APP_MAX_PEERS];
    size_t n_peer;
    struct app_military military; /* [centre] military (repeatable) */
    /* [cat062]: the CAT062 identity (peers' pictures too) and UDP output */
    int has_cat062;           /* udp given: the whole picture out on UDP */
    struct cairn_addr cat062; /* [cat062] udp */
    uint8_t cat062_sac, cat062_sic;
    int64_t cat062_interval_ms; /* [cat062] interval_s (default 1 s) */
};

/*
 * Read the file at path into *c (defaults for what it omits; c->path the
 * file's absolute path, or path as given when it cannot be resolved). 0, or
 * CAIRN_E_IO (the file or the sensors file cannot be read), CAIRN_E_FORMAT
 * or CAIRN_E_RANGE with one line of printable text in err[0..errcap)
 * naming the line: "centre.ini line 7: unknown key 'listne' in [web]".
 */
int app_config_load(const char *path, struct app_config *c, char *err, size_t errcap);

/* The same for a configuration held in text[0..len) whose relative paths
 * are relative to dir; name is the file's name for messages. */
int app_config_parse(const char *text, size_t len, const char *dir, const char *name,
                     struct app_config *c, char *err, size_t errcap);

#endif
