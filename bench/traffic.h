/*
 * traffic.h — seeded synthetic traffic for the tracker and picture
 * benchmarks (bench_track, bench_picture).
 *
 * Aircraft fly straight at 120-260 m/s at flight levels 100-400 by the
 * semicircular rule (eastbound odd, westbound even thousands of feet) and
 * bounce off the edges of a box; vessels sail at 2-10 m/s in the same box.
 * The density is constant and about Europe's busiest: 10,000 aircraft per
 * 35 x 60 degrees at 30-65 N (20 W-40 E, about the size of European
 * airspace). Fewer aircraft get a narrower box, more a larger one (all
 * longitudes, reaching further south), so that the work per aircraft —
 * the traffic near it — is the same at every size, as it would be if the
 * picture grew by covering more sky. Packing 100,000 aircraft into
 * Europe's sky instead would put one within 5 NM of every aircraft, and
 * conflicts then grow with the square of the count whatever the code does. 90 % of the aircraft
 * carry a transponder and 89 % of those ADS-B. One second of traffic is: ADS-B from every ADS-B
 * aircraft, one radar plot per aircraft every 4 s (Mode S + PSR combined for cooperative aircraft,
 * primary only for the rest; one radar per 5 x 5 degree square), AIS every 10 s per vessel.
 */
#ifndef CAIRN_BENCH_TRAFFIC_H
#define CAIRN_BENCH_TRAFFIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "track/track.h"

#define TRAFFIC_T0_MS 1767225600000LL /* 2026-01-01T00:00:00Z */

struct tgt {
    double lat, lon, ve, vn;
    int32_t alt_ft;
    bool vessel, coop, adsb;
};

/* Reset the generator's seed (the same seed gives the same traffic). */
void traffic_seed(uint64_t seed);
double traffic_gauss(void);
/* n_air aircraft then n_sea vessels into g. */
void traffic_make(struct tgt *g, size_t n_air, size_t n_sea);
/* Move every target dt seconds. */
void traffic_move(struct tgt *g, size_t n, double dt);
/* Measurements of one target. */
void traffic_adsb(struct trk_meas *m, const struct tgt *p, size_t i, int64_t t);
void traffic_plot(struct trk_meas *m, const struct tgt *p, size_t i, int64_t t);
void traffic_ais(struct trk_meas *m, const struct tgt *p, size_t i, int64_t t);
/* Sort measurements by sensor (a radar's plots come together). */
void traffic_group(struct trk_meas *m, size_t n);
/* One second of traffic at s seconds after TRAFFIC_T0_MS into m (room for
 * 2 x (n_air + n_sea)); returns the count. Radar plots come grouped by
 * sensor, as a radar delivers them. */
size_t traffic_second(const struct tgt *g, size_t n_air, size_t n_sea, int64_t s,
                      struct trk_meas *m);
/* Radar sensor ids are 1 .. TRAFFIC_RADARS (each 5 x 5 degree square goes
 * to one of them); their period is 4 s. */
#define TRAFFIC_RADARS 64

#endif
