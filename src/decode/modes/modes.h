/*
 * modes.h — the Mode S / ADS-B decoder: CRC-24, downlink formats, ADS-B
 * extended squitter, CPR positions, Comm-B register inference.
 *
 * Key idea: decoding is a pure function of (context, frame). The context is a
 * fixed-size, caller-allocated struct (no allocation inside) holding what the
 * decoder must remember between messages: addresses recently seen in
 * CRC-clean replies (for address/parity recovery), each aircraft's CPR
 * state and last position (for global/local CPR and plausibility checks),
 * and counters. Time is only ever the frames' own t_s, so a replay at any
 * pace gives the same answers.
 *
 * References:
 *  - ICAO Annex 10 Vol IV (5th ed., 2014) §3.1.2: Mode S formats, CRC
 *    (generator 0x1FFF409), AP/PI fields, Gillham (Mode C) altitude code.
 *  - ICAO Doc 9871 (2nd ed., 2012) / RTCA DO-260B (2009) §2.2.3.2: ADS-B
 *    message formats (type codes, version 0/1/2 differences), Appendix C.2.6
 *    CPR encoding/decoding, and the Comm-B (BDS) register layouts;
 *    DO-260B §2.2.17 (TIS-B, ADS-R: DF18 CF and IMF); DO-260A for the
 *    version-1 target state layout and the TIS-B coarse format (also Doc
 *    9871 Appendix B).
 *
 * Threading: a context is used by one thread at a time; distinct contexts are
 * independent. Nothing here keeps mutable globals.
 */
#ifndef CAIRN_DECODE_MODES_MODES_H
#define CAIRN_DECODE_MODES_MODES_H

#include <stddef.h>
#include <stdint.h>

#include "base/jsonw.h"
#include "decode/modes/frame.h"
#include "decode/report.h"

/* ------------------------------------------------------------------------ */
/* CRC and lengths                                                          */
/* ------------------------------------------------------------------------ */

/*
 * CRC-24 syndrome of a Mode S reply of len bytes (7 or 14; any len >= 4 is
 * accepted): the CRC over all but the last 24 bits, XOR the last 24 bits.
 * 0 for a valid DF17/18 or DF11 with IID 0; the II/SI code for other DF11s;
 * the aircraft address for DF0/4/5/16/20/21 (address/parity field).
 * Table-driven, byte at a time. msg is borrowed.
 */
uint32_t modes_crc(const uint8_t *msg, size_t len);

/*
 * If syndrome is the syndrome of a single flipped bit of a len-byte reply
 * (len 7 or 14), flip that bit in msg back and return its index (0 = MSB of
 * msg[0]); otherwise leave msg unchanged and return -1. The caller decides
 * whether the correction is safe for its DF (see modes_decode).
 */
int modes_fix_single_bit(uint8_t *msg, size_t len, uint32_t syndrome);

/* Length in bytes of a reply with this downlink format: 7 (DF < 16) or 14
 * (DF 16..23, and DF >= 24 whose first two bits are 11). */
int modes_df_len(unsigned df);

/* ------------------------------------------------------------------------ */
/* Options and context                                                      */
/* ------------------------------------------------------------------------ */

struct modes_opts {
    int fix_errors;    /* 1 (default): correct one bit in DF11/17/18 */
    int have_receiver; /* 1 when rx_lat_deg/rx_lon_deg are the receiver's */
    double rx_lat_deg, rx_lon_deg;
    double max_range_nm;     /* positions beyond this from the receiver are
                                rejected; default 300 NM (0 = no check) */
    double max_speed_kt;     /* a position implying more than this from the
                                aircraft's last one is rejected; default 2000 kt
                                (about Mach 3: nothing civil or military that
                                squits goes faster); 0 = no check */
    double addr_ttl_s;       /* how long a CRC-clean address stays "known";
                                default 60 s, as dump1090/readsb */
    int accept_unknown_addr; /* 1: DF0/4/5/16/20/21 whose AP address is not
                                known still decode with return 0 (crc_ok 0);
                                default 0 (they return CAIRN_E_CRC) */
};

/* Fill o with the defaults above (no receiver). */
void modes_opts_default(struct modes_opts *o);

/* Why counters: `cairn decode --stats` and the metrics page print them. */
struct modes_stats {
    uint64_t frames;         /* modes_decode calls */
    uint64_t df[32];         /* accepted messages per DF (Mode A/C not here) */
    uint64_t modeac;         /* Mode A/C replies decoded */
    uint64_t bad_len;        /* length does not match the DF, or bad kind */
    uint64_t bad_df;         /* DF 1-3, 6-10, 12-15, 22, 23 */
    uint64_t crc_fail;       /* DF11/17/18 CRC failed (after correction) */
    uint64_t corrected;      /* single-bit errors corrected */
    uint64_t addr_recovered; /* AP/PI replies matched a known address */
    uint64_t addr_unknown;   /* AP/PI replies whose address is not known */
    uint64_t cpr_global;     /* positions from an even/odd pair */
    uint64_t cpr_local;      /* positions from a reference */
    uint64_t cpr_fail;       /* position messages that gave no position */
    uint64_t cpr_range;      /* rejected: beyond max_range_nm of receiver */
    uint64_t cpr_speed;      /* rejected: implied speed > max_speed_kt */
    uint64_t cpr_zone;       /* rejected: even/odd pair in different zones */
    uint64_t bds_inferred;   /* Comm-B replies with exactly one register */
    uint64_t bds_ambiguous;  /* Comm-B replies with several candidates */
    uint64_t bds_unknown;    /* Comm-B replies with none */
    uint64_t ac_evicted;     /* aircraft slots reused while still fresh */
    uint64_t tisb_mgmt;      /* DF18 CF 4: TIS-B/ADS-R management (no aircraft) */
};

/* Address table: open addressing, linear probing over a window of
 * MODES_ADDR_PROBE slots; entries expire after addr_ttl_s. */
/* 2^14 slots: a busy site sees ~1,000 aircraft within a minute, but a
 * feed that merges many receivers (a network's Beast output, the centre's
 * overlapping receivers) carries several thousand; at 4,096 slots such a
 * feed filled the probe windows and fresh entries were evicted. */
#define MODES_ADDR_BITS  14
#define MODES_ADDR_CAP   (1u << MODES_ADDR_BITS) /* slots */
#define MODES_ADDR_PROBE 16                      /* slots searched per lookup */

struct modes_addr_slot {
    uint32_t icao; /* 24-bit address | MODES_SLOT_USED */
    uint32_t pad_;
    double t_s; /* last time seen CRC-clean */
};
#define MODES_SLOT_USED 0x80000000u

/* Per-aircraft state for CPR and Comm-B disambiguation. */
/* 2^14 slots (about 2 MB): a busy receiver hears a few thousand aircraft,
 * a merged feed several thousand more. At 4,096 slots, 4,000 aircraft on
 * one feed (bench_centre's first receiver at 100,000 reports/s) evicted
 * ~10,000 live entries a second, each losing its CPR pair and last
 * position (the bench's probe aircraft lost one position in six). */
#define MODES_AC_BITS  14
#define MODES_AC_CAP   (1u << MODES_AC_BITS)
#define MODES_AC_PROBE 16

struct modes_cpr_half {
    uint32_t lat17, lon17; /* raw 17-bit CPR fields */
    double t_s;            /* message time */
    uint8_t valid;
    uint8_t surface; /* 1 for a surface position (TC5-8) */
};

struct modes_ac {
    uint32_t icao; /* 24-bit address | MODES_SLOT_USED */
    uint8_t has_pos, has_alt, has_vel;
    uint8_t pos_surface;          /* the last position was a surface one */
    uint8_t version;              /* ADS-B version from TC31; 0xFF unknown */
    uint8_t hrd;                  /* TC31 HRD: 0 unknown, 1 true, 2 magnetic north */
    uint8_t nic_a, nic_c;         /* NIC supplements from TC31 */
    uint8_t nac_p;                /* last NACp (TC29/31); 0 = unknown */
    uint8_t speed_fails;          /* consecutive positions rejected for speed */
    double t_seen_s;              /* last message of any kind */
    struct modes_cpr_half cpr[2]; /* [0] even, [1] odd */
    double lat_deg, lon_deg;      /* last accepted position (has_pos) */
    double t_pos_s;
    int32_t alt_baro_ft; /* last altitude, ADS-B or Mode S (has_alt) */
    double t_alt_s;
    float gs_kt, track_deg; /* last ground speed / track (has_vel) */
    double t_vel_s;
};

struct modes_ctx {
    struct modes_opts opts;
    struct modes_stats stats;
    struct modes_addr_slot addr[MODES_ADDR_CAP];
    struct modes_ac ac[MODES_AC_CAP];
};

/* Reset ctx (all tables empty, counters zero) with options o (borrowed,
 * copied; NULL = modes_opts_default). */
void modes_ctx_init(struct modes_ctx *ctx, const struct modes_opts *o);

/* 1 if icao was seen in a CRC-clean DF11/17/18 within addr_ttl_s before t_s
 * (or at/after t_s), else 0. Used for address/parity recovery and by the
 * demodulator to accept short replies. */
int modes_ctx_addr_known(const struct modes_ctx *ctx, uint32_t icao, double t_s);

/* Mark icao as seen CRC-clean at t_s (modes_decode does this itself for
 * DF11/17/18; exposed for tests and for sources that vouch for an address). */
void modes_ctx_addr_add(struct modes_ctx *ctx, uint32_t icao, double t_s);

/* ------------------------------------------------------------------------ */
/* The decoded message                                                      */
/* ------------------------------------------------------------------------ */

/* Which fields of struct modes_msg are valid (bits of modes_msg.has). */
#define MH_ICAO           (1ull << 0)
#define MH_ALT_BARO       (1ull << 1) /* alt_baro_ft */
#define MH_ALT_GEOM       (1ull << 2) /* alt_geom_ft */
#define MH_SQUAWK         (1ull << 3)
#define MH_CALLSIGN       (1ull << 4)
#define MH_CATEGORY       (1ull << 5)
#define MH_POS            (1ull << 6) /* lat_deg, lon_deg resolved and plausible */
#define MH_CPR            (1ull << 7) /* cpr_lat/cpr_lon/cpr_odd (raw) */
#define MH_GS             (1ull << 8)
#define MH_TRACK          (1ull << 9)
#define MH_VRATE          (1ull << 10) /* vrate_fpm (baro or GNSS, see vrate_geom) */
#define MH_TAS            (1ull << 11)
#define MH_IAS            (1ull << 12)
#define MH_MACH           (1ull << 13)
#define MH_HEADING        (1ull << 14) /* heading_deg (magnetic or true, heading_true) */
#define MH_EMERGENCY      (1ull << 15)
#define MH_NIC            (1ull << 16)
#define MH_NAC_P          (1ull << 17)
#define MH_SIL            (1ull << 18)
#define MH_VERSION        (1ull << 19)
#define MH_GEOM_DIFF      (1ull << 20) /* geom_minus_baro_ft */
#define MH_ON_GROUND      (1ull << 21) /* on_ground is known */
#define MH_SEL_ALT_MCP    (1ull << 22)
#define MH_SEL_ALT_FMS    (1ull << 23)
#define MH_BARO_SET       (1ull << 24) /* baro_hpa */
#define MH_SEL_HEADING    (1ull << 25)
#define MH_NAV_MODES      (1ull << 26) /* nav_modes */
#define MH_ROLL           (1ull << 27)
#define MH_TRACK_RATE     (1ull << 28)
#define MH_VRATE_INERTIAL (1ull << 29)
#define MH_TCAS_RA        (1ull << 30) /* ara, rac, rat, mte, tti, tid... */
#define MH_BDS            (1ull << 31) /* bds / bds_ambiguous */
#define MH_MODEA          (1ull << 32) /* Mode A/C reply: squawk (and maybe alt) */
#define MH_NAC_V          (1ull << 33)
#define MH_BDS17          (1ull << 34) /* bds17_caps */
#define MH_FLIGHT_STATUS  (1ull << 35) /* fs, alert, spi (DF4/5/20/21) */
#define MH_IID            (1ull << 36) /* DF11 interrogator code */
#define MH_SURV_STATUS    (1ull << 37) /* ss: TC9-18/20-22 surveillance status */
#define MH_SIL_SUPP       (1ull << 38) /* sil_per_sample */
#define MH_GVA            (1ull << 39)
#define MH_SDA            (1ull << 40)
#define MH_NIC_BARO       (1ull << 41)
#define MH_MODEC_ALT      (1ull << 42) /* modec_alt_ft: a Mode A/C reply read as Mode C */
#define MH_ADSB           (1ull << 43) /* the ME field was decoded as ADS-B (tc, st valid) */
#define MH_NUC_P          (1ull << 44) /* nuc_p: version-0 position quality from the TC */
#define MH_TSS1           (1ull << 45) /* tss1: TC29 subtype 0 (DO-260A, version 1) fields */
#define MH_COARSE         (1ull << 46) /* DF18 CF 3 TIS-B coarse: svid; cpr_lat/lon are 12-bit */
#define MH_MET            (1ull << 47) /* met: BDS 4,4 / 4,5 fields (met.has says which) */
#define MH_HRD            (1ull << 48) /* hrd_magnetic, tah_heading (TC31 versions 1-2) */

enum modes_addr_src {
    MODES_ADDR_NONE = 0,       /* no address (Mode A/C, DF24 unrecovered) */
    MODES_ADDR_AA = 1,         /* from the AA field of DF11/17/18 (CRC clean) */
    MODES_ADDR_AP = 2,         /* the AP syndrome matched a known address */
    MODES_ADDR_AP_UNKNOWN = 3, /* the AP syndrome, not known (untrusted) */
    MODES_ADDR_NON_ICAO = 4,   /* DF18 CF 1, 5, CF 2/3/6 with IMF 1, CF 4/7: not an
                                  ICAO address (readsb writes these with a '~') */
};

/* What sent a DF17/18 and what its AA field is (DF18 CF and the IMF bit,
 * DO-260B §2.2.3.1 Table 2-9, §2.2.17.2; readsb's names in JSON). */
enum modes_addr_type {
    MODES_AT_MODES = 0,      /* DF17, DF11, AP replies: the aircraft's ICAO address */
    MODES_AT_ADSB_NT = 1,    /* DF18 CF 0: non-transponder ADS-B, ICAO address */
    MODES_AT_ADSB_OTHER = 2, /* DF18 CF 1: anonymous, ground vehicle or obstruction */
    MODES_AT_TISB_ICAO = 3,  /* DF18 CF 2/3 IMF 0: TIS-B of an ICAO-addressed target */
    MODES_AT_TISB_OTHER = 4, /* DF18 CF 2/3 IMF 1 (track file number), CF 5 */
    MODES_AT_ADSR_ICAO = 5,  /* DF18 CF 6 IMF 0: ADS-R rebroadcast, ICAO address */
    MODES_AT_ADSR_OTHER = 6, /* DF18 CF 6 IMF 1: ADS-R of a non-ICAO address */
    MODES_AT_TISB_MGMT = 7,  /* DF18 CF 4: TIS-B/ADS-R management: about the
                                ground service, not an aircraft (AA and ME
                                are not defined by DO-260B; kept raw) */
    MODES_AT_RESERVED = 8,   /* DF18 CF 7: reserved, not decoded */
};

/* Ground-derived reports (modes_msg.derived): a ground station relays a
 * target it tracks (TIS-B, from radar or multilateration) or heard on
 * another link (ADS-R, from UAT). */
enum modes_derived {
    MODES_DERIVED_NONE = 0,
    MODES_DERIVED_TISB = 1,
    MODES_DERIVED_ADSR = 2,
};

/* TC29 subtype 0, the DO-260A (version 1) target state layout
 * (DO-260A §2.2.3.2.7.1; Doc 9871 2nd ed. §B.2.3.9). Raw codes: */
struct modes_tss1 {
    uint8_t vert_src;               /* 0 none, 1 MCP/FCU selected, 2 holding altitude, 3 FMS/RNAV */
    uint8_t alt_type;               /* 0 flight level (pressure altitude), 1 MSL (baro corrected) */
    uint8_t alt_cap;                /* 0 holding only, 1 holding or MCP, 2 holding, MCP or FMS */
    uint8_t vert_mode;              /* 0 unknown, 1 acquiring, 2 capturing or maintaining */
    uint8_t horiz_src;              /* 0 none, 1 MCP/FCU selected, 2 holding heading/track, 3 FMS */
    uint8_t horiz_mode;             /* as vert_mode */
    uint8_t is_track;               /* 1: sel_heading_deg is a target track angle, 0 a heading */
    uint8_t tcas_not_op, ra_active; /* capability/mode codes (ME bits 52, 53) */
    int32_t target_alt_ft;          /* valid when vert_src != 0 (else 0) */
};

/* BDS 4,4 / 4,5 meteorological fields: bits of modes_met.has */
enum modes_met_has {
    MET_WIND = 1 << 0,         /* wind_kt, wind_dir_deg (4,4) */
    MET_SAT = 1 << 1,          /* sat_c */
    MET_PRESSURE = 1 << 2,     /* pressure_hpa: average static pressure */
    MET_TURB = 1 << 3,         /* turb */
    MET_HUMIDITY = 1 << 4,     /* humidity_pct (4,4) */
    MET_WIND_SHEAR = 1 << 5,   /* (4,5) */
    MET_MICROBURST = 1 << 6,   /* (4,5) */
    MET_ICING = 1 << 7,        /* (4,5) */
    MET_WAKE = 1 << 8,         /* (4,5) */
    MET_RADIO_HEIGHT = 1 << 9, /* radio_height_ft (4,5) */
};

/* Hazard levels of 4,4/4,5: 0 nil, 1 light, 2 moderate, 3 severe. */
struct modes_met {
    uint16_t has; /* enum modes_met_has */
    uint8_t fom;  /* 4,4 figure of merit / source: 0 invalid, 1 INS, 2 GNSS,
                     3 DME/DME, 4 VOR/DME */
    uint8_t turb, wind_shear, microburst, icing, wake;
    uint16_t wind_kt;         /* 0-250 (checked) */
    uint16_t pressure_hpa;    /* 0-2047 as sent; checked against the altitude */
    uint16_t radio_height_ft; /* 16-ft steps */
    float wind_dir_deg;       /* true, 180/256-degree steps */
    float sat_c;              /* 0.25 °C steps */
    float humidity_pct;       /* 100/64 % steps */
};

enum modes_pos_src {
    MODES_POS_NONE = 0,
    MODES_POS_GLOBAL = 1,   /* even/odd pair within 10 s */
    MODES_POS_LOCAL_AC = 2, /* relative to the aircraft's last position */
    MODES_POS_LOCAL_RX = 3, /* relative to the receiver */
};

/* Navigation modes (TC29 v2), bits of modes_msg.nav_modes */
enum modes_nav {
    MODES_NAV_AUTOPILOT = 1 << 0,
    MODES_NAV_VNAV = 1 << 1,
    MODES_NAV_ALT_HOLD = 1 << 2,
    MODES_NAV_APPROACH = 1 << 3,
    MODES_NAV_LNAV = 1 << 4,
    MODES_NAV_TCAS = 1 << 5, /* TCAS/ACAS operational */
};

/* Comm-B registers as 8-bit BDS codes (0x50 = BDS 5,0); bits of
 * modes_msg.bds_cands are 1 << modes_bds_bit(). */
enum modes_bds {
    BDS_NONE = 0,
    BDS_10 = 0x10, /* data link capability */
    BDS_17 = 0x17, /* common usage GICB capability */
    BDS_20 = 0x20, /* aircraft identification */
    BDS_30 = 0x30, /* ACAS active resolution advisory */
    BDS_40 = 0x40, /* selected vertical intention */
    BDS_50 = 0x50, /* track and turn */
    BDS_60 = 0x60, /* heading and speed */
    BDS_44 = 0x44, /* meteorological routine air report (MRAR) */
    BDS_45 = 0x45, /* meteorological hazard report (MHR) */
};
#define MODES_BDS_CAND_10 (1u << 0)
#define MODES_BDS_CAND_17 (1u << 1)
#define MODES_BDS_CAND_20 (1u << 2)
#define MODES_BDS_CAND_30 (1u << 3)
#define MODES_BDS_CAND_40 (1u << 4)
#define MODES_BDS_CAND_50 (1u << 5)
#define MODES_BDS_CAND_60 (1u << 6)
#define MODES_BDS_CAND_44 (1u << 7)
#define MODES_BDS_CAND_45 (1u << 8)

/*
 * One decoded reply. Only fields whose MH_* bit is set in `has` are valid;
 * the header fields (t_s .. corrected_bits) always are. Fixed size, no
 * pointers: safe to copy.
 */
struct modes_msg {
    double t_s;                  /* the frame's t_s */
    uint64_t has;                /* MH_* bits */
    uint8_t raw[MODES_LONG_LEN]; /* after correction */
    uint8_t len;                 /* 2 (Mode A/C), 7 or 14 */
    uint8_t kind;                /* enum modes_frame_kind */
    uint8_t df;                  /* downlink format (DF>=24 reported as 24) */
    uint8_t crc_ok;              /* 1: CRC clean / corrected / AP address known */
    uint8_t corrected_bits;      /* by us plus the demodulator's */
    uint8_t addr_src;            /* enum modes_addr_src */
    uint8_t addr_type;           /* enum modes_addr_type */
    uint8_t derived;             /* enum modes_derived: TIS-B / ADS-R */
    uint8_t signal;              /* from the frame */
    uint32_t syndrome;           /* CRC syndrome as received (before correction) */
    uint32_t icao;               /* 24-bit address (MH_ICAO) */

    /* Mode S header fields */
    uint8_t ca;         /* DF11/17 capability, DF18 CF, DF19 AF */
    uint8_t fs;         /* DF4/5/20/21 flight status */
    uint8_t dr, um;     /* downlink request, utility message */
    uint8_t iid;        /* DF11 interrogator identifier: II 0-15, or 16 + SI */
    uint8_t military;   /* DF19 */
    uint8_t on_ground;  /* MH_ON_GROUND */
    uint8_t alert, spi; /* from FS (MH_FLIGHT_STATUS) */

    /* ADS-B */
    uint8_t tc, st;             /* type code (0 when not ADS-B), subtype */
    uint8_t version;            /* MH_VERSION (TC31) */
    uint8_t category;           /* MH_CATEGORY: (set A-D as 0xA..0xD) << 4 | 0-7 */
    char callsign[9];           /* MH_CALLSIGN, NUL-terminated, no trailing spaces */
    int32_t alt_baro_ft;        /* MH_ALT_BARO */
    int32_t alt_geom_ft;        /* MH_ALT_GEOM */
    int32_t geom_minus_baro_ft; /* MH_GEOM_DIFF */
    double lat_deg, lon_deg;    /* MH_POS */
    uint8_t pos_src;            /* enum modes_pos_src */
    uint8_t pos_nac_p;          /* with MH_POS: the aircraft's last NACp (TC29/31),
                                   0 = unknown; not written in JSON */
    uint8_t cpr_odd;            /* MH_CPR */
    uint8_t cpr_surface;
    uint8_t ss; /* surveillance status (MH_SURV_STATUS) */
    uint32_t cpr_lat, cpr_lon;
    float gs_kt;          /* MH_GS (surface: lower bound of the movement band) */
    float track_deg;      /* MH_TRACK, true */
    float heading_deg;    /* MH_HEADING */
    uint8_t heading_true; /* 1 when heading_deg is true, 0 magnetic */
    uint8_t hrd_known;    /* 1 when heading_true / sel_heading_true come from the
                             aircraft's TC31 HRD, 0 when assumed (magnetic) */
    uint8_t hrd_magnetic; /* MH_HRD: TC31 HRD bit (1 magnetic north, 0 true) */
    uint8_t tah_heading;  /* MH_HRD, TC31 surface: 1 heading, 0 track in TC5-8 */
    uint8_t svid;         /* MH_COARSE: TIS-B service volume ID */
    uint8_t vrate_geom;   /* 1 when vrate_fpm is GNSS, 0 baro */
    uint8_t supersonic;
    int32_t vrate_fpm;                      /* MH_VRATE */
    int32_t vrate_inertial_fpm;             /* MH_VRATE_INERTIAL (BDS6,0) */
    uint16_t tas_kt, ias_kt;                /* MH_TAS, MH_IAS */
    float mach;                             /* MH_MACH */
    uint16_t squawk;                        /* MH_SQUAWK: 12 bits, octal digits ABCD */
    int32_t modec_alt_ft;                   /* MH_MODEC_ALT: a Mode A/C reply is either a
                                               Mode A code or a Mode C altitude; Beast does not
                                               say which, so both readings are given */
    uint8_t emergency;                      /* MH_EMERGENCY: enum report_emergency */
    uint8_t nic;                            /* MH_NIC */
    uint8_t nuc_p;                          /* MH_NUC_P (DO-260 version 0 meaning of the TC) */
    uint8_t nic_a, nic_b, nic_c;            /* NIC supplements as received */
    uint8_t nac_p, nac_v;                   /* MH_NAC_P, MH_NAC_V */
    uint8_t sil;                            /* MH_SIL */
    uint8_t sil_per_sample;                 /* MH_SIL_SUPP */
    uint8_t gva, sda;                       /* MH_GVA, MH_SDA */
    uint8_t nic_baro;                       /* MH_NIC_BARO */
    uint8_t nav_modes;                      /* MH_NAV_MODES: enum modes_nav bits */
    int32_t sel_alt_mcp_ft, sel_alt_fms_ft; /* MH_SEL_ALT_MCP/FMS */
    float baro_hpa;                         /* MH_BARO_SET */
    float sel_heading_deg;                  /* MH_SEL_HEADING */
    uint8_t sel_heading_true;               /* as heading_true (TC31 HRD) */

    /* TCAS resolution advisory (TC28 st2 and BDS3,0), MH_TCAS_RA */
    uint16_t ara; /* 14 bits */
    uint8_t rac, rat, mte, tti;
    uint32_t tid; /* threat address (tti 1) or encoded position */

    /* Comm-B */
    uint8_t bds; /* MH_BDS: enum modes_bds, 0 when ambiguous */
    uint8_t bds_ambiguous;
    uint16_t bds_cands;   /* MODES_BDS_CAND_* of every plausible register */
    float roll_deg;       /* MH_ROLL */
    float track_rate_dps; /* MH_TRACK_RATE */
    uint32_t bds17_caps;  /* MH_BDS17: the 28 capability bits (MB bits 1-28) */
    /* ADS-B TC29 v1 or Comm-B 4,4/4,5, never both: they share storage so
     * the message stays small (modes_decode clears it for every frame) */
    union {
        struct modes_tss1 tss1; /* MH_TSS1 */
        struct modes_met met;   /* MH_MET */
    };
};

/*
 * Decode one frame (borrowed) into out (caller's storage, fully
 * overwritten), updating ctx (addresses, CPR state, counters).
 *
 * Returns 0 when the message is trustworthy: CRC clean or corrected
 * (DF11/17/18), its AP address known (DF0/4/5/16/20/21/24), or a Mode A/C
 * reply. Otherwise a negative code, with out still filled as far as the
 * frame allows so a caller may show it (crc_ok 0):
 *   CAIRN_E_INVAL      bad kind or length not 2/7/14
 *   CAIRN_E_TRUNCATED  shorter than its DF needs (e.g. DF17 in 7 bytes)
 *   CAIRN_E_FORMAT     longer than its DF needs (e.g. DF11 in 14 bytes)
 *   CAIRN_E_DF         a DF that is not defined (1-3, 6-10, 12-15, 22, 23)
 *   CAIRN_E_CRC        CRC failed, or the AP address is not known
 * Position, altitude and speed are only taken into ctx from messages that
 * return 0. A position that cannot be resolved or is implausible leaves
 * MH_POS clear and bumps a counter; it does not change the return value.
 */
int modes_decode(struct modes_ctx *ctx, const struct modes_frame *f, struct modes_msg *out);

/*
 * Write m as ONE JSON object into w: t, raw, df, icao, crc_ok,
 * corrected_bits, tc, and every decoded field with units in its name
 * (callsign, category, alt_baro_ft, alt_geom_ft, lat, lon, gs_kt, track_deg,
 * vrate_fpm, tas_kt, ias_kt, mach, heading_deg, squawk, emergency, nic,
 * nac_p, sil, version, bds, cpr_format/cpr_odd, military, addr_type,
 * derived, the TC29 v1 and BDS 4,4/4,5 fields, ...; docs/modes.md).
 * Errors are reported in w->err.
 */
void modes_msg_json(const struct modes_msg *m, struct jsonw *w);

/*
 * Fill r (caller's, overwritten except sensor_id) from m.
 * t_ms = t0_utc_ms + m->t_s * 1000: t0_utc_ms is the UTC time (ms since the
 * epoch) of the source clock's zero — 0 for sources whose t_s is already
 * Unix time (SBS, pcap, the caller's wall clock), the UTC time at which a
 * relative clock (Beast's 12 MHz counter, an IQ file's sample count) read
 * zero otherwise; the caller knows which (frame.h, each source's header).
 * pos_acc_m is the EPU of the aircraft's last NACp (DO-260B Table 2-70),
 * only when the aircraft has announced one; the NIC (an integrity bound)
 * is not an accuracy and is not used.
 * derived is m's (TIS-B / ADS-R relays, enum report_derived); a non-ICAO
 * address (anonymous, TIS-B track file) is left in icao with
 * addr_non_icao set and REP_HAS_ICAO clear, so it is never matched against
 * a real aircraft's ICAO address.
 * Returns 0, or CAIRN_E_INVAL when m carries nothing a tracker can use
 * (no address and no Mode A/C code, or a TIS-B/ADS-R management message,
 * DF18 CF 4, which describes the ground service and no aircraft).
 */
int modes_msg_to_report(const struct modes_msg *m, int64_t t0_utc_ms, struct report *r);

/* Names used in JSON: "general", "none", ... (enum report_emergency). */
const char *modes_emergency_name(unsigned emergency);

/* ------------------------------------------------------------------------ */
/* Building blocks, exposed for tests and other decoders (ASTERIX CAT021)   */
/* ------------------------------------------------------------------------ */

/* 13-bit AC altitude code (DF0/4/16/20, M and Q bits in place) to ft;
 * CAIRN_E_RANGE when invalid or unavailable. */
int modes_ac13_alt(unsigned ac13, int32_t *alt_ft);
/* 12-bit ADS-B altitude field (Q bit at 0x010) to ft; CAIRN_E_RANGE. */
int modes_ac12_alt(unsigned ac12, int32_t *alt_ft);
/* Gillham (Mode C) altitude from a 13-bit field laid out as in DF4/DF20
 * (C1 A1 C2 A2 C4 A4 M B1 Q B2 D2 B4 D4, M and Q ignored; D1 absent), to ft
 * in 100-ft steps; CAIRN_E_RANGE when the code is illegal. */
int modes_gillham_alt(unsigned ac13, int32_t *alt_ft);
/* 13-bit identity field (C1 A1 C2 A2 C4 A4 X B1 D1 B2 D2 B4 D4) to squawk
 * (octal digits ABCD packed as 0xABCD-like 12 bits: A<<9|B<<6|C<<3|D). */
uint16_t modes_id13_squawk(unsigned id13);

/* CPR (Doc 9871 C.2.6). nbits 17 airborne, surface uses 17 with a 90° range.
 * Global: even (lat0,lon0) and odd (lat1,lon1) raw fields; odd_newer selects
 * which one's longitude zone is used. 0 or CAIRN_E_CPR (zone mismatch). */
int modes_cpr_global(uint32_t lat0, uint32_t lon0, uint32_t lat1, uint32_t lon1, int odd_newer,
                     int surface, double ref_lat_deg, double ref_lon_deg, double *lat_deg,
                     double *lon_deg);
/* Local: one message relative to a reference within half a zone. */
int modes_cpr_local(uint32_t lat, uint32_t lon, int odd, int surface, double ref_lat_deg,
                    double ref_lon_deg, double *lat_deg, double *lon_deg);
/* Encode (for tests and simulators): lat/lon to 17-bit CPR fields. */
void modes_cpr_encode(double lat_deg, double lon_deg, int odd, int surface, uint32_t *lat17,
                      uint32_t *lon17);
/* Number of longitude zones at a latitude (NL, Doc 9871 C.2.6.2). */
int modes_cpr_nl(double lat_deg);

/* Distance in NM on the WGS-84 ellipsoid (geo_short_distance_m: the
 * geodesic, or within 1e-4 of it below 50 km). */
double modes_dist_nm(double lat1_deg, double lon1_deg, double lat2_deg, double lon2_deg);

#endif
