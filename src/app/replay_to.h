/*
 * replay_to.h — recordings sent into a running centre (`cairn replay --to
 * HOST:PORT`, `cairn replay -c centre.ini --sensor NAME`): the client side
 * of a replay, which plays the part of a live receiver or radar.
 *
 * Key idea: the recording goes in through the centre's real sensor inputs
 * (the port a [sensor] section listens on: Beast, AVR, SBS or AIS NMEA over
 * TCP, AIS NMEA or ASTERIX over UDP), so the running centre decodes, dates,
 * counts and shows it exactly as it would a receiver's; nothing in the
 * centre knows it is a replay. The inputs are read by the report sources'
 * readers in wire-unit mode (feed/source.h, feed_src_next_unit): each unit
 * is a frame, a line or a datagram as recorded, with the recording's time.
 * Several inputs are merged in time order (the smallest next time first)
 * and each unit is sent when the wall clock reaches
 *     wall0 + (t_unit - t0) / speed
 * (t0: the first dated unit of all inputs; wall0: when it was sent), so a
 * recording plays at its own pace, or speed times faster; speed 0 sends as
 * fast as the socket takes it. Units due together are written together (one
 * TCP write of up to 64 KiB); a UDP unit is one datagram.
 *
 * Time: a live sensor dates a report on arrival, except where the format
 * carries an absolute time (feed/sensor.h): AIS TAG blocks (c:) are kept,
 * ASTERIX times of day are dated nearest the arrival. A recording's own
 * times are hours or years old, so the centre would take its tracks as
 * stale. The client therefore re-stamps those two to the moment of sending
 * (keep_time = 0, the default): a c: parameter becomes the send time (in the
 * recorded resolution, seconds or milliseconds; the TAG block's checksum
 * recomputed), and every ASTERIX time of day of a unit (the items listed in
 * replay_to.c's table, e.g. I048/140, I062/070, I021/073) is shifted by
 * (send time - the unit's recorded time), so the offsets inside a datagram
 * are kept. Beast, AVR and SBS need nothing: the centre dates them on
 * arrival (SBS date fields are ignored by its sensors). Re-stamping in the
 * client keeps the centre's sensors as they are for live data; keep_time = 1
 * sends the bytes untouched.
 *
 * Errors: a refused connection, a connection the centre closes, a datagram
 * refused (ICMP port unreachable on a connected UDP socket), an input that
 * cannot be read: the run stops with one line in err and the counts of what
 * was sent so far. A stop flag (set from a signal handler) ends the run at
 * the next unit or wait; blocking calls return on EINTR, so the handler must
 * be installed without SA_RESTART.
 */
#ifndef CAIRN_APP_REPLAY_TO_H
#define CAIRN_APP_REPLAY_TO_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "base/addr.h"
#include "feed/source.h"

#define APP_REPLAY_TO_MAX_INPUTS 64 /* recordings merged at once */

enum app_replay_proto { APP_REPLAY_TCP = 1, APP_REPLAY_UDP = 2 };

struct app_replay_to_opts {
    struct cairn_addr to;        /* the sensor's address */
    enum app_replay_proto proto; /* 0: UDP for ASTERIX inputs, TCP otherwise */
    enum feed_fmt want;          /* FEED_AUTO: any; else the sensor's format (pcap = asterix) */
    double speed;                /* data seconds per wall second; 0: as fast as possible */
    int keep_time;               /* 1: no re-stamping */
    volatile sig_atomic_t *stop; /* non-zero: stop (may be NULL) */
    uint32_t connect_timeout_ms; /* 0: 10 s */
};

struct app_replay_to_stats {
    uint64_t units;     /* frames, lines or datagrams sent */
    uint64_t bytes;     /* bytes sent */
    uint64_t restamped; /* units whose times were re-stamped */
    uint64_t no_time;   /* units sent before any dated one (at once) */
    int64_t wall_ms;    /* from the first unit sent to the last */
    int64_t data_ms;    /* recording time covered by the units sent */
    int stopped;        /* the stop flag ended the run */
};

/*
 * Send the recordings inputs[0..n) (FORMAT:PATH or PATH, borrowed) to
 * o->to. 0 when all was sent (or the stop flag ended it: st->stopped);
 * CAIRN_E_INVAL (an input of the wrong format, or none), CAIRN_E_IO (an
 * input unreadable), CAIRN_E_CLOSED (connection refused or lost), with one
 * line of printable text in err. *st holds what was sent in every case.
 */
int app_replay_to_run(const struct app_replay_to_opts *o, char *const *inputs, size_t n,
                      struct app_replay_to_stats *st, char *err, size_t errcap);

/*
 * The re-stamping, exposed for tests. Both are pure and bounded.
 *
 * app_replay_restamp_nmea: line[0..len) with a TAG block holding c: is
 * rewritten into out (cap bytes) with c: = now_ms (seconds when the
 * recorded value had at most 10 digits) and the block's checksum
 * recomputed. The new length, or 0 when the line has no c: (or out is too
 * small): then send the line as it is.
 *
 * app_replay_restamp_ax: every time of day in the ASTERIX blocks of
 * p[0..len) (plain or ORADIS-framed) shifted by shift_ms, modulo a day
 * (CAT001 I141 modulo 512 s), in place. The number of items changed.
 */
size_t app_replay_restamp_nmea(const char *line, size_t len, int64_t now_ms, char *out, size_t cap);
size_t app_replay_restamp_ax(uint8_t *p, size_t len, int64_t shift_ms);

#endif
