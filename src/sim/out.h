/*
 * out.h — the simulator's files: a struct sim_sink that writes each output
 * in its real format into a folder (docs/sim.md "Outputs"):
 *
 *   radar.pcap   ASTERIX CAT048 plots and CAT034 service messages, one
 *                record per UDP datagram (Ethernet / IPv4 / UDP to port
 *                8600), packet time = the plot's time (pcap 2.4, µs)
 *   adsb.beast   DF17 squitters as Beast binary, 12 MHz counter
 *   adsb.avr     the same as AVR text with the counter ('@' lines)
 *   adsb.sbs     the same as BaseStation MSG lines with UTC date/time
 *   ais.nmea     !AIVDM sentences with TAG block time \c:UNIXTIME*hh\
 *   truth.jsonl  every active mover's state every second
 *
 * The Beast/AVR counter is (scenario beast_counter_start, default: 12 MHz
 * ticks since UTC midnight of the start) + 12e6 * seconds since the start.
 *
 * Ownership: sim_out_open() allocates; sim_out_close() flushes, closes and
 * frees (NULL accepted) and reports the first write error.
 */
#ifndef CAIRN_SIM_OUT_H
#define CAIRN_SIM_OUT_H

#include <stdint.h>

#include "sim/sim.h"

enum sim_out_formats {
    SIM_OUT_RADAR = 1u << 0,
    SIM_OUT_BEAST = 1u << 1,
    SIM_OUT_AVR = 1u << 2,
    SIM_OUT_SBS = 1u << 3,
    SIM_OUT_AIS = 1u << 4,
    SIM_OUT_TRUTH = 1u << 5,
    SIM_OUT_ALL = 0x3Fu,
};

#define SIM_ASTERIX_PORT 8600 /* UDP destination port of radar.pcap */

struct sim_out;

/* Open the files of `formats` in dir (which must exist), truncating them.
 * start_ms is the scenario start (for the Beast counter). NULL on failure
 * with errno set. */
struct sim_out *sim_out_open(const char *dir, unsigned formats, const struct sim_scenario *sc,
                             int64_t start_ms);

/* The sink writing to o (callbacks for the formats opened). */
void sim_out_sink(struct sim_out *o, struct sim_sink *sink);

/* Close everything; 0 or CAIRN_E_IO (a write failed). */
int sim_out_close(struct sim_out *o);

/* Bytes written so far, all files together. */
uint64_t sim_out_bytes(const struct sim_out *o);

/* Unix time in ms to "YYYY/MM/DD" and "HH:MM:SS.mmm" (SBS). */
void sim_utc_fmt(int64_t t_ms, char date[11], char time[13]);

#endif
