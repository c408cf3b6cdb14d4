/*
 * scenario.h — a simulation scenario: sensors (radars, ADS-B and AIS
 * receivers) and movers (aircraft, vessels) on timed waypoints, read from
 * JSON (docs/sim.md "Scenario files" is the reference for every field).
 *
 * Key idea: the file is hostile input. sim_scenario_parse() checks every
 * field's type and range, rejects unknown keys, and on the first problem
 * returns CAIRN_E_FORMAT with a message naming the field by its path
 * (`movers[2].waypoints[0].lat: must be a number in -90..90`). A parsed
 * scenario is plain data with fixed caps; nothing in it points into the
 * JSON text.
 *
 * Ownership: sim_scenario_parse() allocates *out's arrays;
 * sim_scenario_free() frees them (NULL accepted).
 */
#ifndef CAIRN_SIM_SCENARIO_H
#define CAIRN_SIM_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

/* Caps on hostile input. 200,000 movers lets `load` reach 100k aircraft
 * plus vessels; 64 sensors of each kind and 256 waypoints/events per mover
 * are far beyond any hand-written scenario. */
#define SIM_MAX_MOVERS     200000
#define SIM_MAX_SENSORS    64
#define SIM_MAX_WAYPOINTS  256
#define SIM_MAX_EVENTS     256
#define SIM_MAX_DURATION_S (7 * 86400) /* one week of simulated time */
#define SIM_ID_LEN         32

struct sim_radar {
    char id[SIM_ID_LEN];
    uint8_t sac, sic;
    double lat_deg, lon_deg, alt_m;    /* antenna position; height above sea */
    double rotation_s;                 /* antenna period, 1..60 s */
    double psr_range_nm, ssr_range_nm; /* coverage; 0 = that part absent */
    double psr_pd;                     /* primary detection probability per scan */
    double ssr_miss;                   /* probability a transponder reply is missed */
    double range_sigma_m;              /* 1-sigma noise on slant range */
    double azimuth_sigma_deg;          /* 1-sigma noise on azimuth */
    double start_azimuth_deg;          /* beam azimuth at the scenario start */
};

struct sim_receiver {
    char id[SIM_ID_LEN];
    double lat_deg, lon_deg;
    double range_nm; /* hears movers within this distance */
};

struct sim_waypoint {
    double lat_deg, lon_deg;
    int has_alt, has_gs, has_t, has_vrate;
    double alt_ft;    /* climb or descend to this */
    double gs_kt;     /* accelerate or slow to this */
    double t_s;       /* arrive at this time: sets the leg's speed */
    double vrate_fpm; /* climb/descent rate for this leg (magnitude) */
};

/* A switch at time t_s (applied at the first whole second >= t_s). */
struct sim_event {
    double t_s;
    int has_squawk, has_transponder, has_adsb, has_ais;
    uint16_t squawk; /* 12 bits, octal digits */
    uint8_t transponder, adsb, ais;
};

enum sim_kind { SIM_AIRCRAFT = 1, SIM_VESSEL = 2 };

struct sim_mover {
    char id[SIM_ID_LEN];
    uint8_t kind; /* enum sim_kind */
    /* identity */
    int has_icao;
    uint32_t icao;
    int has_squawk;
    uint16_t squawk;
    char callsign[9]; /* aircraft: flight id (ADS-B, CAT048); vessel: radio call sign */
    uint32_t mmsi;    /* 0: none */
    char shipname[21];
    uint8_t ship_type;              /* AIS type 5 code (vessels) */
    uint8_t ais_class;              /* 'A' or 'B' */
    uint8_t transponder, adsb, ais; /* initial switches */
    /* start state */
    double start_s, end_s; /* active in [start_s, end_s); end_s < 0: to the end */
    double lat_deg, lon_deg, alt_ft, gs_kt, track_deg;
    /* performance */
    double climb_fpm;  /* default vertical rate, magnitude */
    double turn_dps;   /* turn rate */
    double accel_kt_s; /* speed change rate */
    int loop;          /* after the last waypoint, start again at the first */
    size_t n_wp, n_ev;
    struct sim_waypoint *wp;
    struct sim_event *ev;
};

struct sim_scenario {
    char name[64];
    int64_t start_ms; /* UTC, ms since the Unix epoch */
    double duration_s;
    size_t n_radars, n_adsb, n_ais, n_movers;
    struct sim_radar radars[SIM_MAX_SENSORS];
    struct sim_receiver adsb[SIM_MAX_SENSORS];
    struct sim_receiver ais[SIM_MAX_SENSORS];
    uint64_t beast_counter_start; /* 12 MHz counter at start; see docs/sim.md */
    int has_beast_counter;
    struct sim_mover *movers; /* n_movers, allocated */
    /* `load` generator (movers made by sim_scenario_generate) */
    int has_load;
    double load_lat_min, load_lat_max, load_lon_min, load_lon_max;
    size_t load_aircraft, load_vessels;
};

/* Parse len bytes of JSON (borrowed) into *out (zeroed first). Returns 0,
 * or CAIRN_E_FORMAT / CAIRN_E_NOMEM with a message naming the field in
 * err[0..errcap). On failure *out holds nothing to free. */
int sim_scenario_parse(const char *json, size_t len, struct sim_scenario *out, char *err,
                       size_t errcap);

/* Free what parse allocated; s itself is the caller's. */
void sim_scenario_free(struct sim_scenario *s);

/* For a scenario with a "load" section: replace the movers by n_aircraft
 * aircraft and n_vessels vessels spread over its area, drawn from seed
 * (positions, tracks, speeds, levels, addresses). 0 or CAIRN_E_NOMEM,
 * CAIRN_E_INVAL (no load section, or more than SIM_MAX_MOVERS). */
int sim_scenario_generate(struct sim_scenario *s, size_t n_aircraft, size_t n_vessels,
                          uint64_t seed);

/* "2014-03-03T13:05:00Z" (optional fraction, 'Z' required) to ms since the
 * epoch; CAIRN_E_FORMAT. */
int sim_parse_utc(const char *s, int64_t *t_ms);

#endif
