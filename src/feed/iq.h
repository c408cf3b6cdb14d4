/*
 * iq.h — IQ sample files (or stdin) through the 1090 MHz demodulator.
 *
 * Key idea: the file is read in fixed-size blocks and each block is handed
 * to the demodulator (decode/modes/demod.h), which keeps only a fixed
 * window of magnitudes; memory stays flat (about 0.6 MiB) whatever the size
 * of the recording, and stdin works as well as a file.
 *
 * Formats: IQ_UC8 = interleaved unsigned 8-bit I,Q as an RTL-SDR delivers
 * them (rtl_sdr, dump1090 --ifile), zero at 127.4; IQ_SC16 = interleaved
 * little-endian signed 16-bit I,Q. Rates: 2.0 or 2.4 MS/s. Frame times t_s
 * are the sample index divided by the rate (the recording's own clock).
 */
#ifndef CAIRN_FEED_IQ_H
#define CAIRN_FEED_IQ_H

#include <stdint.h>

#include "decode/modes/frame.h"

enum iq_format { IQ_UC8, IQ_SC16 };

struct iq_opts {
    double rate_hz; /* 2.0e6 or 2.4e6 */
    enum iq_format fmt;
    int fix_errors; /* fix single-bit errors in DF17/18 */
};

/* Totals of one run (the demodulator's counters, see demod.h). */
struct iq_stats {
    uint64_t bytes;        /* bytes read */
    uint64_t samples;      /* complex samples demodulated */
    uint64_t frames;       /* replies delivered */
    uint64_t corrected;    /* of which with one bit fixed */
    uint64_t preambles;    /* positions that passed the preamble test */
    uint64_t bad_crc;      /* decodes rejected by the CRC rules */
    uint64_t unknown_addr; /* Address/Parity replies from unknown addresses */
    double signal_s;       /* samples / rate: seconds of signal read */
};

typedef void (*iq_frame_cb)(const struct modes_frame *f, void *arg);

/*
 * Demodulate the IQ file at path ("-" = stdin) with options o (borrowed).
 * Each reply goes to cb(frame, arg) (frame borrowed for the call);
 * addr_known(arg, icao, t_s) (may be NULL) says whether the caller has seen
 * icao recently, for Address/Parity replies and corrected squitters. st
 * (may be NULL) receives the totals, also on error.
 * Returns 0 at end of file; CAIRN_E_INVAL for a bad rate or format;
 * CAIRN_E_NOTFOUND / CAIRN_E_IO when the file cannot be opened / read
 * (logged with the system's reason); CAIRN_E_NOMEM.
 */
int iq_run_file(const char *path, const struct iq_opts *o,
                int (*addr_known)(void *arg, uint32_t icao, double t_s), iq_frame_cb cb, void *arg,
                struct iq_stats *st);

/* The same, and stop early (returning 0, as at the end of the file) once
 * *stop is non-zero; it is looked at before every block of 256 KiB (about
 * 50 ms of samples). For a worker thread that another thread may stop
 * (feed/sensor.c); stop may be NULL. */
int iq_run_file_until(const char *path, const struct iq_opts *o,
                      int (*addr_known)(void *arg, uint32_t icao, double t_s), iq_frame_cb cb,
                      void *arg, struct iq_stats *st, volatile int *stop);

#endif
