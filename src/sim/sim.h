/*
 * sim.h — the scenario simulator behind `cairn sim`: movers flown second by
 * second, and what the sensors of the scenario would report about them,
 * encoded in the real formats (ASTERIX CAT048/CAT034, ADS-B DF17, AIS
 * NMEA), with the ground truth beside them. docs/sim.md is the reference.
 *
 * Key idea: time advances in whole steps of one second. During a step
 * [k, k+1) a mover's ground speed, track, vertical rate and switches are
 * constant: it moves along the WGS-84 geodesic that starts at its position
 * at k with azimuth track_deg (geodesy.h), and its altitude changes
 * linearly. Its controls (turn towards the next waypoint at its turn rate,
 * speed and altitude towards their targets) are updated at each whole
 * second. So the truth sampled at whole seconds fully describes the path,
 * and any sensor report at a time t inside a step is computed exactly from
 * the state at floor(t). The reports of one step are sorted by time (ties
 * by sensor and mover) before they are handed to the sink, so every output
 * is in time order.
 *
 * Randomness (radar noise, detections, missed replies, message phases) is
 * drawn with rng.h from (seed, sensor, mover, time): a run is a pure
 * function of the scenario, the seed, the start and the duration.
 *
 * Ownership: sim_new() copies nothing from the scenario, which must outlive
 * the struct sim; sim_free() accepts NULL.
 */
#ifndef CAIRN_SIM_SIM_H
#define CAIRN_SIM_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "decode/asterix/typed.h"
#include "sim/scenario.h"

/* An aircraft slower than this is on the ground: no airborne ADS-B, no
 * radar plot (surface movements are outside the simulator's scope). */
#define SIM_GROUND_KT 30.0

/* The state of one mover at a whole second (valid for the following step). */
struct sim_state {
    uint8_t active; /* within [start_s, end_s) */
    uint8_t done;   /* ended; stays inactive */
    uint8_t transponder, adsb, ais;
    uint16_t squawk;
    int has_squawk;
    double lat_deg, lon_deg, alt_ft;
    double gs_kt, track_deg, vrate_fpm;
    /* controls */
    size_t wp; /* next waypoint index; n_wp when none left */
    size_t ev; /* next event index */
    double tgt_alt_ft, tgt_gs_kt;
};

/* One ADS-B transmission heard by at least one receiver. */
struct sim_adsb {
    int64_t t_ms;
    uint32_t mover;
    uint8_t tc; /* 4 ident, 11 position, 19 velocity, 28 status */
    uint8_t frame[14];
    double lat_deg, lon_deg, alt_ft; /* at t_ms (the encoded values) */
    double gs_kt, track_deg, vrate_fpm;
    uint16_t squawk;
    uint8_t emergency;
};

/* One ASTERIX record (CAT048 plot or CAT034 service message). */
struct sim_radar_rec {
    int64_t t_ms;
    uint32_t radar;
    uint32_t mover; /* UINT32_MAX for CAT034 */
    uint8_t cat;    /* 48 or 34 */
    uint8_t len;
    uint8_t rec[AX_TYPED_MAX_RECORD];
};

/* One AIS message as sentences (one or two lines, CR LF ended). */
struct sim_ais {
    int64_t t_ms;
    uint32_t mover;
    uint8_t type;
    uint16_t len;
    char text[400];
};

/* Where the outputs go. Every callback may be NULL (that output is not
 * made); a callback returning non-zero stops sim_step() with that code. */
struct sim_sink {
    void *user;
    int (*truth)(void *user, int64_t t_ms, const struct sim_mover *m, const struct sim_state *s);
    int (*radar)(void *user, const struct sim_radar *r, const struct sim_radar_rec *rec);
    int (*adsb)(void *user, const struct sim_mover *m, const struct sim_adsb *a);
    int (*ais)(void *user, const struct sim_mover *m, const struct sim_ais *a);
};

struct sim_stats {
    uint64_t steps, truth, plots, plots_psr_only, plots_missed_reply, cat034, adsb, ais;
    uint64_t mover_seconds, aircraft_seconds;
};

struct sim;

/* A simulator for scenario sc (borrowed; must outlive it) from start_ms
 * (UTC ms since the epoch) with seed. NULL when out of memory. */
struct sim *sim_new(const struct sim_scenario *sc, int64_t start_ms, uint64_t seed);
void sim_free(struct sim *s);

/* Run step k (seconds from the start): truth at k, every report in
 * [k, k+1), then move to k+1. Steps must be run in order 0, 1, 2...
 * Returns 0, a sink's non-zero code, or CAIRN_E_NOMEM. */
int sim_step(struct sim *s, const struct sim_sink *sink);

/* Counters so far (borrowed). */
const struct sim_stats *sim_stats(const struct sim *s);

/* Position of a mover in state st after dt_s (0 <= dt_s <= 1) seconds of
 * its current step: the model every output uses. */
void sim_state_at(const struct sim_state *st, double dt_s, double *lat_deg, double *lon_deg,
                  double *alt_ft);

#endif
