/*
 * report.h (asterix) — decoded ASTERIX records as normalised observations
 * (decode/report.h) and scan events.
 *
 * Key idea: the generic decoder (asterix.h) gives each record as items over
 * the caller's bytes; this layer reads the few items a tracker needs, by
 * name, from whichever edition decoded the record, and turns them into one
 * struct report in the units and meanings of decode/report.h:
 *   CAT048  monoradar target reports: PSR-only, SSR, combined and Mode S
 *           plots (I048/020 TYP), position from I048/040 polar through the
 *           radar's site (geo_radar_plot) or from I048/042 Cartesian,
 *           with the line of sight's azimuth at the plot (geo_inverse);
 *   CAT001  the older monoradar plots and tracks (TYP, SSR/PSR bits);
 *   CAT062  system tracks with their status (I062/080) and accuracy (/500);
 *   CAT021  ADS-B reports, accuracy from NACp (I021/090);
 *   CAT034, CAT002  north markers and sector crossings, as scan events.
 * What a record does not say (where the radar is, its accuracy, which
 * height to assume for a primary-only plot) comes from a sensor table the
 * caller gives, keyed by SAC/SIC.
 *
 * Time: ASTERIX carries a time of day (s since UTC midnight); the date
 * comes from the caller, as a reference time near the record's (the pcap
 * packet's time, or a --date): the record is dated on the day that puts it
 * nearest the reference, so 23:59:59.9 with a reference at 00:00:01 the
 * next day is dated the day before (ax_tod_to_utc_ms). With a date only
 * (the UTC date of the recording's first record), ax_report_set_date starts
 * the reference at that date's noon and then follows the records, so a
 * recording that runs through midnight moves on to the next day (records
 * are taken to come in time order, within 12 h of the one before).
 *
 * References: EUROCONTROL ASTERIX Part 4 Cat 048 ed. 1.31/1.32, Part 2a
 * Cat 001 ed. 1.2, Part 9 Cat 062 ed. 1.19/1.21, Part 12 Cat 021 ed.
 * 2.6/2.7 (and 0.26/1.x where item names agree), Part 2b Cat 034 ed. 1.29,
 * Cat 002 ed. 1.0. RTCA DO-260B Table 2-70 (NACp to EPU).
 *
 * Pure: no I/O, no allocation, no clock. The caller owns every struct.
 */
#ifndef CAIRN_DECODE_ASTERIX_REPORT_H
#define CAIRN_DECODE_ASTERIX_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "decode/asterix/asterix.h"
#include "decode/report.h"
#include "geo/geo.h"

/* What the caller knows about one data source (a radar, an SDPS, an ADS-B
 * ground station), keyed by SAC/SIC. */
struct ax_sensor {
    uint8_t sac, sic;
    uint32_t id;             /* report.sensor_id */
    int has_site;            /* site is set: polar and Cartesian positions resolve */
    struct geo_frame site;   /* geo_frame_init(antenna lat, lon, height above ellipsoid) */
    float range_sigma_m;     /* radar range accuracy (1 sigma), 0 = unknown */
    float azimuth_sigma_deg; /* radar azimuth accuracy (1 sigma), 0 = unknown */
    int has_assumed_h;       /* assumed_h_m is stated */
    double assumed_h_m;      /* height above the ellipsoid assumed for plots
                                without Mode C (primary-only plots) */
};

/* Counters kept across calls (never reset by this layer). */
struct ax_report_stats {
    uint64_t reports;        /* reports produced */
    uint64_t scans;          /* scan events produced */
    uint64_t skipped;        /* records of other categories / kinds (CAT065, CAT063...) */
    uint64_t no_time;        /* no time of day (or outside 0..86400 s): dropped */
    uint64_t no_detection;   /* CAT048 TYP 0 / CAT001 no SSR nor PSR: dropped */
    uint64_t unknown_sensor; /* SAC/SIC not in the table: report without site data */
    uint64_t no_site;        /* polar or Cartesian position but no site: no lat/lon */
    uint64_t no_height;      /* polar plot without Mode C nor an assumed height */
    uint64_t bad_geometry;   /* polar plot that no triangle fits */
    uint64_t bad_value;      /* a value outside its range (latitude past 90, ...) */
};

struct ax_report_ctx {
    const struct ax_sensor *sensors; /* borrowed, n_sensors of them (may be NULL) */
    size_t n_sensors;
    int64_t ref_utc_ms; /* dating reference, see above; 0 = none: records
                           that need a date are dropped (no_time) */
    int follow;         /* move ref_utc_ms to each dated record (ax_report_set_date) */
    struct ax_report_stats st;
};

/* What a CAT034/CAT002 service message (I000) says about the scan. */
enum ax_scan_type {
    AX_SCAN_NORTH = 1,  /* north marker */
    AX_SCAN_SECTOR = 2, /* sector crossing */
    AX_SCAN_OTHER = 3,  /* any other service message */
};

/* A scan event: the radar's antenna passed north or a sector boundary. */
struct ax_scan_event {
    uint32_t sensor_id;
    int64_t t_ms;     /* UTC */
    uint8_t type;     /* enum ax_scan_type */
    uint8_t msg_type; /* I000 as sent */
    uint8_t has_sector, has_period;
    float sector_deg; /* azimuth of the sector crossed (I020) */
    float period_s;   /* antenna rotation period (I041) */
};

/* Start a context: sensors borrowed for the context's life, may be NULL. */
void ax_report_init(struct ax_report_ctx *c, const struct ax_sensor *sensors, size_t n_sensors);
/* Date records from a date only: date_utc_ms is any time on that UTC day. */
void ax_report_set_date(struct ax_report_ctx *c, int64_t date_utc_ms);

/*
 * The UTC time (ms since the epoch) of time of day tod_s (0 <= tod < 86400,
 * s since UTC midnight) on the day that puts it nearest ref_utc_ms (so
 * within 12 h of it). Leap seconds: a time of day of 86400.x (a leap
 * second) is accepted and lands on the next day's first second.
 * |ref_utc_ms| must be below 2^60 (ax_record_report checks it).
 */
int64_t ax_tod_to_utc_ms(double tod_s, int64_t ref_utc_ms);
/* The same for a truncated time of day (CAT001 I141: the time of day
 * modulo 2^16 / 128 = 512 s): the time congruent to it nearest ref. */
int64_t ax_ttod_to_utc_ms(double ttod_s, int64_t ref_utc_ms);

/* ax_record_report's results */
enum ax_report_out {
    AX_OUT_NONE = 0,   /* nothing for a tracker (or dropped: see the counters) */
    AX_OUT_REPORT = 1, /* *rep filled */
    AX_OUT_SCAN = 2,   /* *scan filled */
};

/*
 * One decoded record to a report or a scan event. Returns enum
 * ax_report_out; never fails on hostile input (what cannot be used is
 * left out of the report, or the record dropped, and counted).
 */
int ax_record_report(struct ax_report_ctx *c, const struct ax_record *r, struct report *rep,
                     struct ax_scan_event *scan);

/* NACp (0-11) to EPU, the 95 % horizontal accuracy bound in m (DO-260B
 * Table 2-70); 0 for 0 (unknown) and for values past 11. */
float ax_nacp_epu_m(unsigned nac_p);

#endif
