/*
 * report.h — the one normalised observation every decoder produces.
 *
 * Mode S / ADS-B, AIS and ASTERIX decoders each have their own detailed
 * message structures; what the tracker consumes is this: one sensor's
 * statement about one target at one time. Fields are valid only when their
 * REP_HAS_* bit is set in `has`; units are in the names.
 *
 * One meaning per field, whatever the decoder:
 *  - t_ms is UTC (ms since the Unix epoch). Inputs on a clock of their own
 *    (a Beast receiver's 12 MHz counter, a file's relative seconds) are
 *    anchored by the caller: modes_msg_to_report takes the UTC time of the
 *    source clock's zero. ASTERIX times of day are dated by a caller-given
 *    reference (ax_tod_to_utc_ms in decode/asterix/report.h).
 *  - pos_acc_m is an accuracy: the 95 % bound on the horizontal position
 *    error (ADS-B NACp's EPU; 2.45 sigma of a circular error from an
 *    ASTERIX standard deviation), never an integrity bound (NIC's Rc).
 *  - lat/lon are WGS-84; a radar plot's position is computed from its
 *    measured slant range and azimuth (both kept) through the sensor's site.
 * The producers: modes/json.c (modes_msg_to_report), ais/ais_report.c
 * (ais_msg_to_report), asterix/report.c (ax_record_report).
 */
#ifndef CAIRN_DECODE_REPORT_H
#define CAIRN_DECODE_REPORT_H

#include <stdint.h>

enum report_kind {
    REP_ADSB = 1,     /* ADS-B extended squitter (DF17/18, and DF19 where public) */
    REP_MODES = 2,    /* Mode S surveillance / Comm-B reply */
    REP_MODEAC = 3,   /* Mode A or C reply */
    REP_PSR = 4,      /* primary radar plot: no transponder information */
    REP_SSR = 5,      /* secondary radar plot (Mode A/C or Mode S, possibly combined) */
    REP_SYSTRACK = 6, /* a system track from another tracker (CAT062) */
    REP_AIS = 7,      /* AIS position or static report */
};

/* A report a ground station relays rather than the target itself sends
 * (Mode S: DF18 TIS-B and ADS-R). The picture treats these as their own
 * source kind: TIS-B positions come from the station's radar or MLAT
 * tracks, ADS-R from a UAT target's own broadcast. */
enum report_derived {
    REP_DERIVED_NONE = 0,
    REP_DERIVED_TISB = 1, /* TIS-B: the station's surveillance track of the target */
    REP_DERIVED_ADSR = 2, /* ADS-R: the target's ADS-B on another link, rebroadcast */
};

/* What kind of sensor made the observation. */
enum report_sensor_kind {
    SENSOR_UNKNOWN = 0,
    SENSOR_ADSB_RX = 1, /* a 1090 MHz receiver (Mode S / ADS-B) */
    SENSOR_RADAR = 2,   /* a monoradar (CAT048, CAT001, CAT034), PSR and/or SSR */
    SENSOR_ADSB_GS = 3, /* an ADS-B ground station (CAT021) */
    SENSOR_SDPS = 4,    /* a surveillance data processing system (CAT062 tracks) */
    SENSOR_AIS_RX = 5,  /* an AIS receiver or network */
};

/* What detected a radar plot: the values of I048/020 TYP. CAT001's
 * SSR/PSR bits map to PLOT_PSR, PLOT_SSR or PLOT_SSR_PSR. */
enum report_plot_type {
    PLOT_NONE = 0,
    PLOT_PSR = 1,                /* primary only: no transponder information */
    PLOT_SSR = 2,                /* secondary only (Mode A/C) */
    PLOT_SSR_PSR = 3,            /* combined */
    PLOT_MODES_ALLCALL = 4,      /* Mode S all-call */
    PLOT_MODES_ROLLCALL = 5,     /* Mode S roll-call */
    PLOT_MODES_ALLCALL_PSR = 6,  /* Mode S all-call + PSR */
    PLOT_MODES_ROLLCALL_PSR = 7, /* Mode S roll-call + PSR */
};

/* System track status (I062/080), in report.trk_status. */
enum report_trk_status {
    TRK_TENTATIVE = 1u << 0,  /* CNF: not (yet) confirmed */
    TRK_COASTING = 1u << 1,   /* CST: extrapolated, no fresh detection */
    TRK_MONOSENSOR = 1u << 2, /* MON: one sensor only */
    TRK_END = 1u << 3,        /* TSE: last report of this track */
    TRK_SIMULATED = 1u << 4,  /* SIM */
    TRK_SPI = 1u << 5,        /* SPI: special position identification */
    /* Which kinds of sensor updated the track recently (I062/080 octet 4:
     * a source whose "age higher than threshold" bit is clear). Only valid
     * when TRK_SOURCES_KNOWN is set (octet 4 present). */
    TRK_SOURCES_KNOWN = 1u << 6,
    TRK_SRC_PSR = 1u << 7,
    TRK_SRC_SSR = 1u << 8,
    TRK_SRC_MODES = 1u << 9,
    TRK_SRC_ADSB = 1u << 10,
    /* I062/080 SDS (octet 5), when present */
    TRK_COOPERATIVE = 1u << 11,     /* SDS 1: cooperative targets only */
    TRK_NON_COOPERATIVE = 1u << 12, /* SDS 2: non-cooperative only (PSR) */
};

enum report_emergency {
    EMERG_NONE = 0,
    EMERG_GENERAL = 1,   /* 7700 */
    EMERG_LIFEGUARD = 2, /* medical */
    EMERG_MINFUEL = 3,
    EMERG_NORDO = 4,    /* 7600, radio failure */
    EMERG_UNLAWFUL = 5, /* 7500, unlawful interference */
    EMERG_DOWNED = 6,
};

enum report_has {
    REP_HAS_ICAO = 1u << 0,
    REP_HAS_SQUAWK = 1u << 1,
    REP_HAS_CALLSIGN = 1u << 2,
    REP_HAS_MMSI = 1u << 3,
    REP_HAS_TRACKNO = 1u << 4,
    REP_HAS_POS = 1u << 5,
    REP_HAS_ALT_BARO = 1u << 6,
    REP_HAS_ALT_GEOM = 1u << 7,
    REP_HAS_GS = 1u << 8,
    REP_HAS_TRACK = 1u << 9,
    REP_HAS_VRATE = 1u << 10,
    REP_HAS_HEADING = 1u << 11,
    REP_HAS_EMERGENCY = 1u << 12,
    REP_HAS_GROUND = 1u << 13,
    REP_HAS_POS_ACC = 1u << 14,
    REP_HAS_POLAR = 1u << 15,      /* slant_range_m, azimuth_deg (measured) */
    REP_HAS_POLAR_ACC = 1u << 16,  /* range_sigma_m, azimuth_sigma_deg */
    REP_HAS_PLOT_TYPE = 1u << 17,  /* plot_type */
    REP_HAS_TRK_STATUS = 1u << 18, /* trk_status */
    REP_HAS_NAV_STATUS = 1u << 19, /* nav_status (AIS) */
    REP_HAS_SHIP_TYPE = 1u << 20,  /* ship_type (AIS) */
    REP_HAS_DIMS = 1u << 21,       /* dim_* (AIS) */
    REP_HAS_VEL_ACC = 1u << 22,    /* vel_sigma_mps */
    REP_HAS_SEL_ALT = 1u << 23,    /* sel_alt_ft */
    REP_HAS_LOS_AZ = 1u << 24,     /* los_azimuth_deg (with REP_HAS_POLAR and REP_HAS_POS) */
};

struct report {
    int64_t t_ms;       /* observation time, ms since the Unix epoch (UTC) */
    uint32_t sensor_id; /* which receiver or radar (configuration's id; ASTERIX:
                           SAC << 8 | SIC unless the caller's table says) */
    enum report_kind kind;
    uint8_t sensor_kind;     /* enum report_sensor_kind */
    uint8_t plot_type;       /* enum report_plot_type (REP_HAS_PLOT_TYPE) */
    uint32_t has;            /* REP_HAS_* bits */
    uint32_t icao;           /* 24-bit ICAO aircraft address */
    uint16_t squawk;         /* Mode 3/A code, 12 bits, octal digits ABCD */
    char callsign[9];        /* NUL-terminated, trailing spaces removed */
    uint32_t mmsi;           /* AIS Maritime Mobile Service Identity */
    uint32_t track_no;       /* radar or system track number */
    double lat_deg, lon_deg; /* WGS-84 */
    float pos_acc_m;         /* horizontal position uncertainty (95 %), m */
    int32_t alt_baro_ft;     /* pressure altitude, ft (1013.25 hPa) */
    int32_t alt_geom_ft;     /* geometric (GNSS) height above the ellipsoid, ft */
    float gs_kt;             /* ground speed, kt */
    float track_deg;         /* track over ground, degrees true */
    float vrate_fpm;         /* vertical rate, ft/min, positive up */
    float heading_deg;       /* heading, degrees */
    uint8_t emergency;       /* enum report_emergency */
    uint8_t on_ground;       /* 1 when on the surface */
    int32_t sel_alt_ft;      /* selected altitude, ft: the level the aircraft's autopilot
                                (MCP/FCU) or FMS will level off at (REP_HAS_SEL_ALT) */
    uint8_t derived;         /* enum report_derived (always valid; 0 = first-hand) */
    uint8_t addr_non_icao;   /* 1: icao holds a 24-bit address that is not an ICAO
                                aircraft address (anonymous, ground vehicle, TIS-B
                                track file); REP_HAS_ICAO is then clear */

    /* Radar plots: the measurement itself, so a tracker can weigh it in
     * polar coordinates (REP_HAS_POLAR, REP_HAS_POLAR_ACC). */
    double slant_range_m;    /* measured slant range, m */
    float azimuth_deg;       /* measured azimuth from true north, 0..360 */
    float range_sigma_m;     /* standard deviation of the range, m */
    float azimuth_sigma_deg; /* standard deviation of the azimuth, deg */
    /* The line of sight's azimuth at the plot: the geodesic from the site
     * to the plot arrives on this bearing (true north, 0..360, pointing
     * away from the radar). It differs from azimuth_deg by the convergence
     * of the meridians between the two (about dlon sin(lat): 6.5 deg for a
     * plot 250 NM east of a radar at 60 N); the range error lies along it
     * in the plot's own east/north frame (REP_HAS_LOS_AZ). */
    float los_azimuth_deg;

    /* System tracks (REP_HAS_TRK_STATUS, REP_HAS_VEL_ACC). */
    uint16_t trk_status; /* enum report_trk_status bits */
    float vel_sigma_mps; /* standard deviation of each velocity component, m/s */

    /* AIS (ITU-R M.1371-5): navigational status (0-14, messages 1-3),
     * ship and cargo type (1-99, messages 5, 19, 24B), and the reference
     * point's distances to bow, stern, port and starboard, m (511 / 63
     * mean "that much or more", as sent). */
    uint8_t nav_status;
    uint8_t ship_type;
    uint16_t dim_bow_m, dim_stern_m;
    uint8_t dim_port_m, dim_stbd_m;
};

#endif
