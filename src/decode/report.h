/*
 * report.h — the one normalised observation every decoder produces.
 *
 * Mode S / ADS-B, AIS and ASTERIX decoders each have their own detailed
 * message structures; what the tracker consumes is this: one sensor's
 * statement about one target at one time. Fields are valid only when their
 * REP_HAS_* bit is set in `has`; units are in the names.
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
};

struct report {
    int64_t t_ms;        /* observation time, ms since the Unix epoch (UTC) */
    uint32_t sensor_id;  /* which receiver or radar (configuration's id) */
    enum report_kind kind;
    uint32_t has;        /* REP_HAS_* bits */
    uint32_t icao;       /* 24-bit ICAO aircraft address */
    uint16_t squawk;     /* Mode 3/A code, 12 bits, octal digits ABCD */
    char callsign[9];    /* NUL-terminated, trailing spaces removed */
    uint32_t mmsi;       /* AIS Maritime Mobile Service Identity */
    uint32_t track_no;   /* radar or system track number */
    double lat_deg, lon_deg; /* WGS-84 */
    float pos_acc_m;     /* horizontal position uncertainty (95 %), m */
    int32_t alt_baro_ft; /* pressure altitude, ft (1013.25 hPa) */
    int32_t alt_geom_ft; /* geometric (GNSS) height above the ellipsoid, ft */
    float gs_kt;         /* ground speed, kt */
    float track_deg;     /* track over ground, degrees true */
    float vrate_fpm;     /* vertical rate, ft/min, positive up */
    float heading_deg;   /* heading, degrees */
    uint8_t emergency;   /* enum report_emergency */
    uint8_t on_ground;   /* 1 when on the surface */
};

#endif
