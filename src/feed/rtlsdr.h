/*
 * rtlsdr.h — a live RTL-SDR dongle through the 1090 MHz demodulator.
 *
 * Key idea: librtlsdr's asynchronous reader runs in its own thread and only
 * copies each USB buffer into a bounded ring; the calling thread takes
 * buffers from the ring and demodulates them (decode/modes/demod.h), so the
 * frame callback runs in the caller's thread and a slow consumer loses whole
 * buffers (counted and logged) instead of stalling the USB transfers.
 *
 * The tuner is set to 1090 MHz, the sample rate to rate_hz (2.0 or 2.4
 * MS/s, unsigned 8-bit IQ), the gain to the supported value nearest gain_db
 * (or the tuner's automatic gain when gain_db < 0) and the frequency
 * correction to ppm. Reference: librtlsdr's rtl-sdr.h (osmocom).
 */
#ifndef CAIRN_FEED_RTLSDR_H
#define CAIRN_FEED_RTLSDR_H

#include <stdint.h>

#include "feed/iq.h"

struct rtlsdr_opts {
    const char *device; /* index ("0") or serial number; NULL = index 0. Borrowed. */
    double gain_db;     /* < 0 = automatic gain */
    int ppm;            /* frequency correction, parts per million */
    double rate_hz;     /* 2.0e6 or 2.4e6; 0 = 2.4e6 */
};

/*
 * Receive and demodulate until *stop becomes non-zero (stop may be NULL:
 * then only a device failure ends it) or the device fails. The library
 * installs no signal handler: the program that owns the process (cli/,
 * app/) sets *stop from its own, and the loop looks at it at least every
 * 100 ms. Frames go to cb(frame, arg) in the calling thread;
 * addr_known(arg, ...) as for iq_run_file (may be NULL). Single-bit
 * correction is on. Frame times t_s are seconds since the first sample.
 * Returns 0 after a requested stop; CAIRN_E_NOTFOUND when no dongle (or no
 * dongle with that index or serial) is present; CAIRN_E_INVAL for a bad
 * rate; CAIRN_E_IO when the device cannot be opened or configured or stops
 * delivering; CAIRN_E_NOMEM. Every failure is logged once, with its cause.
 */
int rtlsdr_run(const struct rtlsdr_opts *o, int (*addr_known)(void *, uint32_t, double),
               iq_frame_cb cb, void *arg, volatile int *stop);

#endif
