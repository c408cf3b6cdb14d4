/*
 * typed.h — a typed ASTERIX encoder for the records cairn itself produces:
 * CAT048 monoradar target reports (its simulated radars, including
 * primary-only plots), CAT034 monoradar service messages (north marker,
 * sector crossing), CAT062 system tracks (the picture it shares with the
 * peer centre), CAT065 SDPS service status (its batch and status
 * messages) and CAT004 safety net messages (its alerts: STCA, APW, MSAW
 * style, and the alive message).
 *
 * Key idea: plain C structs in engineering units (the unit is in every field
 * name) → the exact octets of one record, without building a generic value
 * tree. Each record is written item by item with the layouts of the
 * editions named below, the FSPEC derived from the items present, and handed
 * to struct ax_block_writer (encode.h) to be put in data blocks. Values are
 * rounded to the nearest least significant bit; a value outside its field's
 * range gives CAIRN_E_RANGE (never a wrapped number on the wire).
 *
 * Item layouts are identical in the editions listed (the later editions only
 * add octets or items that these structs do not fill), so one encoder serves
 * both; tshark 4.0 decodes the first edition of each pair by default:
 *   CAT048 editions 1.31 and 1.32: I010, I140, I020, I040, I070, I090, I130,
 *          I220, I240, I161, I042, I200, I170
 *   CAT034 edition 1.29: I010, I000, I030, I020, I041, I050
 *   CAT062 editions 1.19 and 1.21: I010, I015, I070, I105, I100, I185, I060,
 *          I245, I380 (ADR), I040, I080, I290, I136, I130, I135, I220
 *   CAT065 edition 1.6 (same items as 1.5): I010, I000, I015, I030, I020,
 *          I040, I050
 *   CAT004 edition 1.12: I010, I000, I015, I020, I040, I045, I060, I030,
 *          I170, I120, I070, I076, I074, I075, I100, I035, I171
 * (EUROCONTROL ASTERIX Part 4 Category 048, Part 2b Category 034, Part 9
 * Category 062, Part 15 Category 065, Part 17 Category 004; item numbers as
 * in those documents.)
 *
 * Pure: no I/O, no allocation. Output is caller storage.
 */
#ifndef CAIRN_DECODE_ASTERIX_TYPED_H
#define CAIRN_DECODE_ASTERIX_TYPED_H

#include <stddef.h>
#include <stdint.h>

/* Largest record any of the encoders below writes (bytes), with margin. */
#define AX_TYPED_MAX_RECORD 256u

/* ---------------------------------------------------------------- CAT048 */

/* I048/020 TYP: what detected the target. */
enum ax48_typ {
    AX48_TYP_NONE = 0,          /* no detection */
    AX48_TYP_PSR = 1,           /* single PSR detection: a primary-only plot */
    AX48_TYP_SSR = 2,           /* single SSR detection */
    AX48_TYP_SSR_PSR = 3,       /* SSR + PSR */
    AX48_TYP_MODES_ALLCALL = 4, /* single Mode S all-call */
    AX48_TYP_MODES_ROLLCALL = 5,
    AX48_TYP_MODES_ALLCALL_PSR = 6,
    AX48_TYP_MODES_ROLLCALL_PSR = 7,
};

/* I048/170 RAD: which sensors maintain the track. */
enum ax48_rad {
    AX48_RAD_COMBINED = 0,
    AX48_RAD_PSR = 1, /* PSR track: a non-cooperative target */
    AX48_RAD_SSR = 2, /* SSR / Mode S track */
    AX48_RAD_INVALID = 3,
};

struct ax48_report {
    uint8_t sac, sic;      /* I010 (mandatory) */
    double tod_s;          /* I140 time of day, s since UTC midnight, 1/128 s */
    uint8_t typ;           /* I020 TYP (enum ax48_typ) (mandatory) */
    uint8_t sim, spi, rab; /* I020 flags: simulated, SPI, field monitor */
    uint8_t tst;           /* I020 extension: test target (adds the 2nd octet) */

    int has_polar;    /* I040 measured position, radar-centred */
    double rho_nm;    /* slant range, 1/256 NM, 0 <= rho < 256 */
    double theta_deg; /* azimuth from north, 360/2^16 deg, wraps at 360 */

    int has_mode3a;  /* I070 */
    uint16_t mode3a; /* code as an octal number: 07700 for 7700 */
    uint8_t mode3a_not_validated, mode3a_garbled, mode3a_local;

    int has_fl;    /* I090 */
    double alt_fl; /* flight level (hundreds of feet), 1/4 FL */
    uint8_t fl_not_validated, fl_garbled;

    int has_psr_amplitude;    /* I130 subfield PAM */
    int psr_amplitude_dbm;    /* -128..127 dBm */
    int has_psr_runlength;    /* I130 subfield PRL */
    double psr_runlength_deg; /* 360/2^13 deg, < 11.25 */

    int has_address;  /* I220 */
    uint32_t icao24;  /* 24-bit aircraft address */
    int has_callsign; /* I240 */
    char callsign[9]; /* up to 8 of A-Z 0-9 space, NUL-terminated */

    int has_track_number;  /* I161 */
    uint16_t track_number; /* 0..4095 */
    int has_xy;            /* I042 calculated position, radar-centred */
    double x_nm, y_nm;     /* east, north; 1/128 NM, -256..256 */
    int has_velocity;      /* I200 */
    double gs_kt;          /* ground speed, 2^-14 NM/s (0.22 kt) */
    double hdg_deg;        /* heading, 360/2^16 deg */
    int has_track_status;  /* I170 */
    uint8_t tentative;     /* CNF: 1 = tentative track */
    uint8_t rad;           /* enum ax48_rad */
    uint8_t end_of_track;  /* TRE (adds the 2nd octet) */
    uint8_t ghost;         /* GHO (adds the 2nd octet) */
};

/* Encode one CAT048 record into out[0..cap): bytes written (> 0),
 * CAIRN_E_RANGE (a value outside its field), CAIRN_E_FULL, CAIRN_E_INVAL
 * (e.g. a character not in the ICAO 6-bit set). */
int ax48_encode(const struct ax48_report *r, uint8_t *out, size_t cap);

/* ---------------------------------------------------------------- CAT034 */

enum ax34_type {
    AX34_NORTH_MARKER = 1,
    AX34_SECTOR_CROSSING = 2,
    AX34_GEO_FILTERING = 3,
    AX34_JAMMING_STROBE = 4,
};

struct ax34_service {
    uint8_t sac, sic;         /* I010 (mandatory) */
    uint8_t type;             /* I000 enum ax34_type (mandatory) */
    double tod_s;             /* I030 time of day, 1/128 s (mandatory) */
    int has_sector;           /* I020 (sector crossing) */
    double sector_deg;        /* azimuth of the sector's start, 360/2^8 deg */
    int has_rotation;         /* I041 */
    double rotation_period_s; /* antenna rotation period, 1/128 s */
    int has_status;           /* I050 common part (COM) */
    uint8_t nogo, rdpc, rdpr, ovl_rdp, ovl_xmt, msc, tsv;
    int has_psr_status; /* I050 PSR part */
    uint8_t psr_ant, psr_chab, psr_ovl, psr_msc;
};

int ax34_encode(const struct ax34_service *s, uint8_t *out, size_t cap);

/* ---------------------------------------------------------------- CAT062 */

/* I062/080 SDS: surveillance data status. */
enum ax62_sds {
    AX62_SDS_COMBINED = 0,
    AX62_SDS_COOPERATIVE = 1,
    AX62_SDS_NON_COOPERATIVE = 2, /* PSR-only: no transponder seen */
    AX62_SDS_UNDEFINED = 3,
};

/* I062/080 EMS: emergency status. */
enum ax62_ems {
    AX62_EMS_NONE = 0,
    AX62_EMS_GENERAL = 1,
    AX62_EMS_MEDICAL = 2,
    AX62_EMS_MINFUEL = 3,
    AX62_EMS_NORDO = 4,    /* no communications (7600) */
    AX62_EMS_UNLAWFUL = 5, /* unlawful interference (7500) */
    AX62_EMS_DOWNED = 6,
};

struct ax62_track {
    uint8_t sac, sic;   /* I010 (mandatory) */
    int has_service_id; /* I015 */
    uint8_t service_id;
    double tot_s;            /* I070 time of track information, 1/128 s (mandatory) */
    int has_wgs84;           /* I105 */
    double lat_deg, lon_deg; /* 180/2^25 deg */
    int has_xy;              /* I100, system-centred Cartesian */
    double x_m, y_m;         /* 0.5 m, +-4194 km */
    int has_velocity;        /* I185 */
    double vx_mps, vy_mps;   /* east, north; 0.25 m/s, -8192..8191.75 */
    int has_mode3a;          /* I060 */
    uint16_t mode3a;         /* octal number, e.g. 07700 */
    uint8_t mode3a_not_validated, mode3a_garbled, mode3a_changed;
    int has_callsign;     /* I245 */
    uint8_t callsign_sti; /* 0 downlinked, 1 not downlinked, 2 registration */
    char callsign[9];
    int has_icao24; /* I380 subfield ADR: the Mode S address */
    uint32_t icao24;
    uint16_t track_number; /* I040 (mandatory) */

    /* I080 track status (mandatory): octets are sent up to the last one
     * holding a non-zero value. */
    uint8_t monosensor, spi, mrh, src, tentative;                           /* octet 1 */
    uint8_t sim, end_of_track, first_report, fpl_correlated, aff, stp, kos; /* 2 */
    uint8_t ama, md4, me, mi, md5;                                          /* 3 */
    uint8_t coasting, psr_stale, ssr_stale, mds_stale, ads_stale, suc, aac; /* 4 */
    uint8_t sds, ems, pft, fplt; /* 5: enum ax62_sds/ems */

    int has_ages; /* I290: present ones of the four below, 1/4 s, <= 63.75 */
    int has_track_age, has_psr_age, has_ssr_age, has_mds_age;
    double track_age_s, psr_age_s, ssr_age_s, mds_age_s;
    int has_fl;         /* I136 measured flight level */
    double alt_fl;      /* 1/4 FL, -15..1500 */
    int has_geo_alt;    /* I130 */
    double alt_geo_ft;  /* 6.25 ft */
    int has_baro_alt;   /* I135 */
    double alt_baro_fl; /* 1/4 FL */
    uint8_t baro_qnh;   /* QNH correction applied */
    int has_vrate;      /* I220 */
    double vrate_fpm;   /* 6.25 ft/min */
};

int ax62_encode(const struct ax62_track *t, uint8_t *out, size_t cap);

/* ---------------------------------------------------------------- CAT065 */

enum ax65_type {
    AX65_SDPS_STATUS = 1,
    AX65_END_OF_BATCH = 2,
    AX65_SERVICE_STATUS = 3,
};

struct ax65_status {
    uint8_t sac, sic;   /* I010 (mandatory) */
    uint8_t type;       /* I000 enum ax65_type (mandatory) */
    uint8_t service_id; /* I015 (mandatory) */
    double tod_s;       /* I030 time of message, 1/128 s (mandatory) */
    int has_batch;      /* I020 */
    uint8_t batch;
    int has_status; /* I040 */
    uint8_t nogo;   /* 0 operational, 1 degraded, 2 not connected, 3 unknown */
    uint8_t ovl, tsv, pss, sttn;
    int has_report; /* I050 */
    uint8_t report; /* service status report code (1..16) */
};

int ax65_encode(const struct ax65_status *s, uint8_t *out, size_t cap);

/* ---------------------------------------------------------------- CAT004 */

/* I004/000 message types cairn sends (the edition defines 1..44, 97..99). */
enum ax04_type {
    AX04_ALIVE = 1, /* AM: the safety net server is up; carries I060 */
    AX04_MSAW = 4,  /* minimum safe altitude warning */
    AX04_APW = 5,   /* area proximity warning (a zone) */
    AX04_STCA = 7,  /* short term conflict alert (a pair) */
    AX04_EOC = 17,  /* end of conflict */
    AX04_NTCA = 19, /* near term conflict alert */
    AX04_AIW = 99,  /* airspace infringement warning */
};

/* I004/170 or /171: one aircraft of the alert (subfields optional). */
struct ax04_aircraft {
    int has_ident;    /* AI1/AI2: aircraft identifier, 7 ASCII characters */
    char ident[8];    /* shorter text is padded with spaces */
    int has_mode3a;   /* M31/M32 */
    uint16_t mode3a;  /* octal code as a number: 07700 */
    int has_position; /* CPW: predicted conflict position, WGS-84 */
    double lat_deg;   /* 180/2^25 deg */
    double lon_deg;   /* 180/2^25 deg */
    double alt_ft;    /* 25 ft, -1500 .. 150000 */
    int has_modes_id; /* MS1/MS2: identification downlinked by Mode S */
    char modes_id[7]; /* 6 ASCII characters */
    int has_cfl;      /* CF1/CF2: cleared flight level, 1/4 FL */
    double cfl_fl;
};

struct ax04_alert {
    uint8_t sac, sic; /* I010 the safety net server (mandatory) */
    uint8_t type;     /* I000 enum ax04_type (mandatory) */
    int has_sdps;     /* I015: the SDPS whose tracks were used (one) */
    uint8_t sdps_sac, sdps_sic;
    double tod_s;     /* I020 time of message, 1/128 s (mandatory) */
    int has_alert_id; /* I040 alert identifier (all but AM) */
    uint16_t alert_id;
    int has_status; /* I045 status of the alert, 0..7 */
    uint8_t status;
    int has_functions; /* I060 (AM): functions running, bit i = the i-th
                          flag of the item in the specification's order
                          (bit 0 MRVA, 1 RAMLD, ... 6 STCA, 7 APM, ...,
                          11 DG, 12 OF, 13 OL, 14 AIW, ... 48 ONGOING) */
    uint64_t functions;
    int has_track1; /* I030 track number of the (first) aircraft */
    uint16_t track1;
    int has_track2; /* I035 track number of the second aircraft */
    uint16_t track2;
    /* I070 conflict timing and separation: each subfield optional */
    int has_ttc, has_tca, has_chs, has_mhs, has_cvs, has_mvs;
    double ttc_s;  /* TC time to conflict, 1/128 s */
    double tca_s;  /* TCA time to closest approach, 1/128 s */
    double chs_m;  /* current horizontal separation, 0.5 m */
    double mhs_m;  /* estimated minimum horizontal separation, 0.5 m */
    double cvs_ft; /* current vertical separation, 25 ft */
    double mvs_ft; /* estimated minimum vertical separation, 25 ft */
    int has_vdev;  /* I076 vertical deviation, 25 ft, signed */
    double vdev_ft;
    int has_ldev; /* I074 longitudinal deviation, 32 m, signed */
    double ldev_m;
    int has_tdev; /* I075 transversal distance deviation, 0.5 m, signed */
    double tdev_m;
    int has_area; /* I100 AN: area name, ICAO 6-bit, up to 8 characters */
    char area[9];
    /* I120 conflict characteristics */
    int has_nature; /* CN first octet: bit 6 MAS, 5 CAS, 4 FLD, 3 FVD,
                       2 TYPE (major), 1 CROSS, 0 DIV */
    uint8_t nature;
    int has_class; /* CC: table id (4 bits), properties class (3), severity */
    uint8_t class_tid, class_cp, class_high;
    int has_probability; /* CP, 0.5 % */
    double probability_pct;
    int has_duration; /* CD conflict duration, 1/128 s */
    double duration_s;
    struct ax04_aircraft ac1, ac2; /* I170 (sent when any field is), I171 */
};

/* One CAT004 record; the same return values as the encoders above. */
int ax04_encode(const struct ax04_alert *a, uint8_t *out, size_t cap);

/* ---------------------------------------------------------------- helpers */

/* ICAO 6-bit character set (Annex 10 Vol IV 3.1.2.9.1.2): 8 characters of
 * text (A-Z, 0-9, space; shorter text is padded with spaces) to 48 bits.
 * CAIRN_E_INVAL on any other character or more than 8. */
int ax_icao6_pack(const char *text, uint64_t *out48);

#endif
