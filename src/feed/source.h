/*
 * source.h — report sources: one recorded input (a file or standard input)
 * read as a stream of normalised reports (decode/report.h) with UTC times,
 * one report per call, so that several inputs can be merged in time order.
 *
 * An input is named `FORMAT:PATH` or just PATH, whose format is found from
 * its name (.beast .avr .sbs .nmea/.ais .pcap/.pcapng .ast .iq/.bin/.cu8
 * /.cs16/.sc16) or else its first bytes (pcap magic, 0x1A, '*' or '@',
 * "MSG,", '!' or '\' or '$'). Formats and their clocks:
 *   beast, avr  Mode S frames with a 12 MHz counter: relative, anchored by
 *               start_utc_ms = the UTC time of the input's first frame
 *               (AVR lines without a counter cannot be placed: counted)
 *   iq          raw samples: relative, start_utc_ms = UTC of the first
 *               sample
 *   sbs         BaseStation lines: UTC from the "generated" field
 *   nmea        AIS with TAG blocks: UTC from c: (sentences without one
 *               cannot be placed: counted)
 *   pcap        ASTERIX in UDP (or LLC, or ORADIS in UDP): times of day
 *               dated by each packet's capture time
 *   asterix     a raw file of data blocks: times of day dated from
 *               date_utc_ms (a UTC day), following the records through
 *               midnight (ax_report_set_date)
 * A relative input without start, or raw ASTERIX without a date, is
 * refused by feed_src_open with a message that says which option to give.
 *
 * Reading: each input is read in chunks (64 KiB; 256 KiB of IQ; a pcap
 * packet); a chunk's reports wait in a queue that the next calls empty.
 * Memory stays flat whatever the length of the recording; raw ASTERIX
 * files are read whole (bounded by FEED_AX_FILE_MAX).
 *
 * With opts.units the same readers cut the input into wire units (frames,
 * lines, datagrams with their recorded times) instead of reports: see
 * feed_src_next_unit below (for `cairn replay --to`, app/replay_to.h).
 *
 * Ownership: feed_src_open allocates what feed_src_close frees. The radar
 * table in the options is borrowed for the source's life.
 */
#ifndef CAIRN_FEED_SOURCE_H
#define CAIRN_FEED_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "decode/modes/frame.h"
#include "decode/report.h"

struct ax_sensor;

#define FEED_AX_FILE_MAX ((size_t)256 * 1024 * 1024)

enum feed_fmt {
    FEED_AUTO = 0,
    FEED_BEAST,
    FEED_AVR,
    FEED_SBS,
    FEED_IQ,
    FEED_NMEA,
    FEED_ASTERIX,
    FEED_PCAP,
};

/* "beast", ... ("auto" for FEED_AUTO). */
const char *feed_fmt_name(enum feed_fmt f);
/* Split "FORMAT:PATH": *fmt and *path (pointing into spec). A spec whose
 * part before the first ':' is no format name is all path (FEED_AUTO).
 * 0 or CAIRN_E_INVAL (empty path). */
int feed_spec_parse(const char *spec, enum feed_fmt *fmt, const char **path);
/* The format a file name says (by extension), or FEED_AUTO. */
enum feed_fmt feed_fmt_of_name(const char *path);
/* The format the first bytes say (pcap magic; 0x1A: beast; '*' '@' '%' '<':
 * avr; "MSG," and the other BaseStation records: sbs; '!' '\\' '$': nmea),
 * or FEED_AUTO. */
enum feed_fmt feed_fmt_of_bytes(const uint8_t *b, size_t n);
/* Append the whole file at path ("-": standard input) to b (whose cap
 * bounds it). 0, CAIRN_E_IO (errno says why), CAIRN_E_TOOBIG, CAIRN_E_NOMEM. */
struct dbuf;
int feed_read_file(const char *path, struct dbuf *b);
/* 1 when the format's clock is relative (needs a start). */
int feed_fmt_relative(enum feed_fmt f);
/* 1 for the 1090 MHz formats (beast, avr, sbs, iq). */
int feed_fmt_modes(enum feed_fmt f);

struct feed_src_opts {
    enum feed_fmt fmt;  /* FEED_AUTO: by name, then by first bytes */
    const char *path;   /* "-": standard input */
    uint32_t sensor_id; /* report.sensor_id of Mode S and AIS reports */
    int has_start;
    int64_t start_utc_ms; /* beast/avr: first frame; iq: first sample */
    int has_date;
    int64_t date_utc_ms;            /* raw ASTERIX: any time of the recording's first UTC day */
    const struct ax_sensor *radars; /* ASTERIX sensor table (may be NULL) */
    size_t n_radars;
    int has_rx; /* 1090 MHz receiver position: local CPR, range check */
    double rx_lat_deg, rx_lon_deg;
    double iq_rate_hz; /* 0: 2.4e6 */
    int keep_frames;   /* 1: queue raw frames too (feed_src_next_frame) */
    int units;         /* 1: wire units (feed_src_next_unit), not reports */
};

struct feed_src_stats {
    uint64_t bytes;       /* input bytes read */
    uint64_t units;       /* frames, lines, sentences or records decoded */
    uint64_t bad;         /* units the decoder refused (CRC, syntax, items) */
    uint64_t reports;     /* reports delivered */
    uint64_t no_time;     /* units that could not be placed in UTC */
    uint64_t no_report;   /* decoded units that say nothing for a tracker */
    uint64_t no_site;     /* ASTERIX positions (polar or Cartesian) of radars without a site */
    uint64_t frames_lost; /* raw frames the frame queue could not hold (out of memory) */
};

struct feed_src;

/*
 * Open an input. The format is settled here (reading the first bytes when
 * needed). 0 and *out, or CAIRN_E_INVAL (a relative clock without start,
 * raw ASTERIX without a date), CAIRN_E_IO / CAIRN_E_NOTFOUND,
 * CAIRN_E_TOOBIG, CAIRN_E_NOMEM, with one line in err[0..errcap).
 */
int feed_src_open(const struct feed_src_opts *o, struct feed_src **out, char *err, size_t errcap);
/* The next report into *r: 1, 0 at the end, or CAIRN_E_IO (message:
 * feed_src_error). */
int feed_src_next(struct feed_src *s, struct report *r);
enum feed_fmt feed_src_fmt(const struct feed_src *s);
const struct feed_src_stats *feed_src_stats(const struct feed_src *s);
const char *feed_src_error(const struct feed_src *s);
/* Accepts NULL. */
void feed_src_close(struct feed_src *s);

/*
 * Raw Mode S frames, for inputs that pass them on (the centre's Beast and
 * AVR output ports, app/output.h). With opts.keep_frames, every beast, avr or
 * iq frame whose CRC checked (clean, corrected, or an AP address known) is
 * also queued, as decoded (corrected bits applied; ts_12mhz and signal as
 * the input gave them), with its UTC time on the input's anchor. The frame
 * queue fills as chunks are read for feed_src_next, in file order, and is
 * emptied by feed_src_next_frame: a caller that keeps frames must take
 * them, or the queue grows with the recording. Other formats have no
 * frames.
 */
struct feed_src_frame {
    struct modes_frame f;
    int64_t t_ms; /* UTC */
};
/* The oldest queued frame dated before before_ms into *out: 1, or 0 when
 * there is none (yet). */
int feed_src_next_frame(struct feed_src *s, int64_t before_ms, struct feed_src_frame *out);

/*
 * Wire units, for sending a recording to a live sensor (app/replay_to.h):
 * with opts.units, the input is cut into the pieces a live sensor of its
 * format receives (feed/sensor.h), each with the time the recording gives
 * it, and feed_src_next is not used. A unit is:
 *   beast, avr  the bytes of one frame as recorded (escapes, and any bytes
 *               the parser skipped before it, included); its time from the
 *               12 MHz counter on the input's anchor
 *   sbs, nmea   one line with its end; its time: SBS "generated" date and
 *               time, the TAG block's c: (a last line without an end gets
 *               "\n")
 *   pcap        one UDP payload (a datagram); its time: the capture time
 *   asterix     one data block; its time: its first record's, as dated for
 *               reports (a file with ORADIS headers: one unit per block)
 *   iq          refused (samples are no sensor's wire format)
 * A unit without a time of its own (a frame without counter, a line
 * without time, a north marker) takes the time of the unit before it, or
 * FEED_UNIT_NO_TIME before the first dated one. A relative input (beast,
 * avr without start; raw ASTERIX without date) is not refused in this mode:
 * its times count from 0 at its first frame (asterix: from the UTC day
 * 1970-01-01), and feed_src_relative says so.
 */
#define FEED_UNIT_NO_TIME INT64_MIN
struct feed_src_unit {
    const uint8_t *p; /* borrowed until the next call or close */
    size_t len;
    int64_t t_ms; /* UTC ms (or relative), FEED_UNIT_NO_TIME */
};
/* The next unit: 1, 0 at the end, CAIRN_E_IO (feed_src_error), CAIRN_E_NOMEM. */
int feed_src_next_unit(struct feed_src *s, struct feed_src_unit *u);
/* 1 when the unit times are not anchored in UTC (see above). */
int feed_src_relative(const struct feed_src *s);

#endif
