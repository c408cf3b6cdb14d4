/*
 * report.c — ASTERIX records to struct report and scan events (see
 * report.h for the contract, the time dating and the references).
 *
 * Every value is read by item number and element name through
 * ax_item_field, so the same code reads every edition whose names agree;
 * an item or element an edition lacks is simply absent from the report.
 * Validity bits: a Mode 3/A code or flight level flagged garbled (G = 1)
 * is left out; one flagged "not validated" (V = 1) is kept (a tracker
 * weighs it; the code is usually right).
 */
#include <math.h>
#include <string.h>

#include "base/error.h"
#include "decode/asterix/report.h"

#define DAY_MS      86400000LL
#define REF_MAX_MS  (1LL << 60) /* see date_tod */
#define TTOD_MS     512000LL    /* CAT001 I141: 16 bits of 1/128 s wrap every 512 s */
#define FT_PER_FL   100.0
#define KT_PER_NM_S 3600.0 /* NM/s to kt */
/* 95 % radius of a circular normal error from its 1-sigma per axis:
 * sqrt(-2 ln 0.05) = 2.4477 (Rayleigh distribution). */
#define SIGMA_TO_R95 2.4477f

void ax_report_init(struct ax_report_ctx *c, const struct ax_sensor *sensors, size_t n_sensors)
{
    memset(c, 0, sizeof *c);
    c->sensors = sensors;
    c->n_sensors = sensors ? n_sensors : 0;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

void ax_report_set_date(struct ax_report_ctx *c, int64_t date_utc_ms)
{
    c->ref_utc_ms = floor_div(date_utc_ms, DAY_MS) * DAY_MS + DAY_MS / 2;
    c->follow = 1;
}

int64_t ax_tod_to_utc_ms(double tod_s, int64_t ref_utc_ms)
{
    int64_t tod_ms = (int64_t)llround(tod_s * 1000.0);
    int64_t best = 0, best_d = INT64_MAX;
    int64_t day = floor_div(ref_utc_ms, DAY_MS);
    for (int64_t k = day - 1; k <= day + 1; k++) {
        int64_t t = k * DAY_MS + tod_ms;
        int64_t d = t > ref_utc_ms ? t - ref_utc_ms : ref_utc_ms - t;
        if (d < best_d) {
            best_d = d;
            best = t;
        }
    }
    return best;
}

int64_t ax_ttod_to_utc_ms(double ttod_s, int64_t ref_utc_ms)
{
    int64_t ttod_ms = (int64_t)llround(ttod_s * 1000.0);
    int64_t ref_tod = ref_utc_ms - floor_div(ref_utc_ms, DAY_MS) * DAY_MS;
    /* the offset from ref to the nearest time of day congruent to ttod */
    int64_t d = (ttod_ms - ref_tod) % TTOD_MS;
    if (d < 0)
        d += TTOD_MS;
    if (d > TTOD_MS / 2)
        d -= TTOD_MS;
    return ref_utc_ms + d;
}

float ax_nacp_epu_m(unsigned nac_p)
{
    /* DO-260B Table 2-70: EPU < 10 NM, 4 NM, 2 NM, 1 NM, 0.5 NM, 0.3 NM,
     * 0.1 NM, 0.05 NM, 30 m, 10 m, 3 m for NACp 1..11 */
    static const float epu[12] = {0.0f,   18520.0f, 7408.0f, 3704.0f, 1852.0f, 926.0f,
                                  555.6f, 185.2f,   92.6f,   30.0f,   10.0f,   3.0f};
    return nac_p < 12 ? epu[nac_p] : 0.0f;
}

/* ------------------------------------------------------------ reading */

static int leaf(const struct ax_record *r, const char *item, const char *path, struct ax_leaf *l)
{
    const struct ax_item *it = ax_record_item(r, item);
    if (!it)
        return 0;
    return ax_item_field(it, path ? path : item, l) == 1;
}

static int val(const struct ax_record *r, const char *item, const char *path, double *v)
{
    struct ax_leaf l;
    if (!leaf(r, item, path, &l))
        return 0;
    *v = ax_leaf_value(&l);
    return isfinite(*v);
}

static int raw(const struct ax_record *r, const char *item, const char *path, uint64_t *v)
{
    struct ax_leaf l;
    if (!leaf(r, item, path, &l))
        return 0;
    *v = ax_leaf_raw(&l);
    return 1;
}

/* A flag bit: 1 only when present and set. */
static int flag(const struct ax_record *r, const char *item, const char *path)
{
    uint64_t v;
    return raw(r, item, path, &v) && v != 0;
}

static void set_callsign(struct report *rep, const struct ax_record *r, const char *item,
                         const char *path)
{
    struct ax_leaf l;
    char s[32];
    if (!leaf(r, item, path, &l) || ax_leaf_string(&l, s, sizeof s) < 0)
        return;
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == ' ')
        n--;
    if (n == 0 || n >= sizeof rep->callsign)
        return;
    for (size_t i = 0; i < n; i++) /* the ICAO 6-bit set decodes to A-Z 0-9 space */
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') || s[i] == ' '))
            return;
    memcpy(rep->callsign, s, n);
    rep->callsign[n] = '\0';
    rep->has |= REP_HAS_CALLSIGN;
}

static void set_pos(struct ax_report_ctx *c, struct report *rep, double lat, double lon)
{
    if (!isfinite(lat) || !isfinite(lon) || fabs(lat) > 90.0 || fabs(lon) > 180.0) {
        c->st.bad_value++;
        return;
    }
    rep->lat_deg = lat;
    rep->lon_deg = lon;
    rep->has |= REP_HAS_POS;
}

/* Mode 3/A: the 12 bits of the octal code are the report's squawk as is
 * (A << 9 | B << 6 | C << 3 | D). */
static void set_squawk(struct report *rep, const struct ax_record *r, const char *item)
{
    uint64_t code;
    if (flag(r, item, "G") || !raw(r, item, "MODE3A", &code))
        return;
    rep->squawk = (uint16_t)(code & 07777);
    rep->has |= REP_HAS_SQUAWK;
}

static void set_fl(struct report *rep, double fl)
{
    rep->alt_baro_ft = (int32_t)lround(fl * FT_PER_FL);
    rep->has |= REP_HAS_ALT_BARO;
}

static void set_velocity_polar(struct report *rep, const struct ax_record *r, const char *item)
{
    double gsp, hdg;
    if (val(r, item, "GSP", &gsp) && val(r, item, "HDG", &hdg)) {
        rep->gs_kt = (float)(gsp * KT_PER_NM_S);
        rep->track_deg = (float)hdg;
        rep->has |= REP_HAS_GS | REP_HAS_TRACK;
    }
}

static const struct ax_sensor *find_sensor(struct ax_report_ctx *c, const struct ax_record *r,
                                           uint32_t *id)
{
    uint64_t sac = 0, sic = 0;
    (void)raw(r, "010", "SAC", &sac);
    (void)raw(r, "010", "SIC", &sic);
    *id = (uint32_t)(sac << 8 | sic);
    for (size_t i = 0; i < c->n_sensors; i++)
        if (c->sensors[i].sac == sac && c->sensors[i].sic == sic) {
            *id = c->sensors[i].id;
            return &c->sensors[i];
        }
    c->st.unknown_sensor++;
    return NULL;
}

/* Date a time of day; 0 when there is no reference or the value is out of
 * range. */
static int date_tod(struct ax_report_ctx *c, double tod_s, int truncated, int64_t *t_ms)
{
    /* a reference from a hostile capture file may be anything: past
     * +-2^60 ms (36 million years) the day arithmetic could overflow */
    if (!c->ref_utc_ms || c->ref_utc_ms > REF_MAX_MS || c->ref_utc_ms < -REF_MAX_MS ||
        !isfinite(tod_s) || tod_s < 0 || tod_s > 86401.0)
        return 0;
    *t_ms = truncated ? ax_ttod_to_utc_ms(tod_s, c->ref_utc_ms)
                      : ax_tod_to_utc_ms(tod_s, c->ref_utc_ms);
    if (c->follow)
        c->ref_utc_ms = *t_ms;
    return 1;
}

static int date_item(struct ax_report_ctx *c, const struct ax_record *r, const char *item,
                     int truncated, int64_t *t_ms)
{
    double tod;
    return val(r, item, NULL, &tod) && date_tod(c, tod, truncated, t_ms);
}

/* A point at (x east, y north) m on the ground from a site: the geodesic
 * along atan2(x, y) for hypot(x, y) metres (radar and system Cartesian
 * positions are ground-plane projections centred on the site). */
static void set_pos_xy(struct ax_report_ctx *c, struct report *rep, const struct ax_sensor *s,
                       double x_m, double y_m)
{
    if (!s || !s->has_site) {
        c->st.no_site++;
        return;
    }
    if (!isfinite(x_m) || !isfinite(y_m)) {
        c->st.bad_value++;
        return;
    }
    double lat, lon;
    geo_direct(s->site.origin.lat_deg, s->site.origin.lon_deg, atan2(x_m, y_m) * 180.0 / M_PI,
               hypot(x_m, y_m), &lat, &lon, NULL);
    set_pos(c, rep, lat, lon);
}

/* A polar plot: keep the measurement, and place it when the site and a
 * height are known. */
static void set_polar(struct ax_report_ctx *c, struct report *rep, const struct ax_sensor *s,
                      double rho_nm, double theta_deg)
{
    rep->slant_range_m = rho_nm * GEO_M_PER_NM;
    rep->azimuth_deg = (float)theta_deg;
    rep->has |= REP_HAS_POLAR;
    if (s && s->range_sigma_m > 0 && s->azimuth_sigma_deg > 0) {
        rep->range_sigma_m = s->range_sigma_m;
        rep->azimuth_sigma_deg = s->azimuth_sigma_deg;
        rep->has |= REP_HAS_POLAR_ACC;
    }
    if (!s || !s->has_site) {
        c->st.no_site++;
        return;
    }
    double h;
    if (rep->has & REP_HAS_ALT_BARO)
        h = rep->alt_baro_ft * GEO_M_PER_FT; /* pressure altitude taken as height */
    else if (s->has_assumed_h)
        h = s->assumed_h_m;
    else {
        c->st.no_height++;
        return;
    }
    struct geo_llh p;
    if (geo_radar_plot(&s->site, rep->slant_range_m, theta_deg, h, &p, NULL) < 0) {
        c->st.bad_geometry++;
        return;
    }
    set_pos(c, rep, p.lat_deg, p.lon_deg);
    if ((rep->has & REP_HAS_POS) && (rep->has & REP_HAS_POLAR_ACC)) {
        double cross = rep->slant_range_m * rep->azimuth_sigma_deg * M_PI / 180.0;
        double sig = cross > rep->range_sigma_m ? cross : rep->range_sigma_m;
        rep->pos_acc_m = (float)(SIGMA_TO_R95 * sig);
        rep->has |= REP_HAS_POS_ACC;
    }
}

/* ------------------------------------------------------------ categories */

/* A monoradar plot's position, CAT048 and CAT001 alike: from the measured
 * polar position (I040: slant range in NM, azimuth), else from the
 * Cartesian one (I042, NM), through the sensor's site. */
static void set_plot_position(struct ax_report_ctx *c, struct report *rep,
                              const struct ax_record *r, const struct ax_sensor *s)
{
    double rho, theta, x, y;
    if (val(r, "040", "RHO", &rho) && val(r, "040", "THETA", &theta))
        set_polar(c, rep, s, rho, theta);
    if (!(rep->has & REP_HAS_POS) && val(r, "042", "X", &x) && val(r, "042", "Y", &y))
        set_pos_xy(c, rep, s, x * GEO_M_PER_NM, y * GEO_M_PER_NM);
    /* where the plot's error ellipse points: along the geodesic from the
     * site as it arrives at the plot (its azimuth at the site is theta) */
    if ((rep->has & REP_HAS_POLAR) && (rep->has & REP_HAS_POS) && s && s->has_site) {
        double az2;
        geo_inverse(s->site.origin.lat_deg, s->site.origin.lon_deg, rep->lat_deg, rep->lon_deg,
                    NULL, NULL, &az2);
        if (isfinite(az2)) {
            rep->los_azimuth_deg = (float)(az2 < 0.0 ? az2 + 360.0 : az2);
            rep->has |= REP_HAS_LOS_AZ;
        }
    }
}

static int cat048(struct ax_report_ctx *c, const struct ax_record *r, struct report *rep)
{
    uint32_t id;
    const struct ax_sensor *s = find_sensor(c, r, &id);
    uint64_t typ;
    if (!raw(r, "020", "TYP", &typ) || typ == 0) {
        c->st.no_detection++;
        return AX_OUT_NONE;
    }
    if (!date_item(c, r, "140", 0, &rep->t_ms)) {
        c->st.no_time++;
        return AX_OUT_NONE;
    }
    rep->sensor_id = id;
    rep->sensor_kind = SENSOR_RADAR;
    rep->kind = typ == PLOT_PSR ? REP_PSR : REP_SSR;
    rep->plot_type = (uint8_t)typ;
    rep->has |= REP_HAS_PLOT_TYPE;
    set_squawk(rep, r, "070");
    double fl;
    if (!flag(r, "090", "G") && val(r, "090", "FL", &fl))
        set_fl(rep, fl);
    uint64_t u;
    if (raw(r, "220", NULL, &u) || raw(r, "220", "ADR", &u)) {
        rep->icao = (uint32_t)(u & 0xFFFFFFu);
        rep->has |= REP_HAS_ICAO;
    }
    set_callsign(rep, r, "240", NULL);
    if (raw(r, "161", "TRN", &u)) {
        rep->track_no = (uint32_t)u;
        rep->has |= REP_HAS_TRACKNO;
    }
    set_velocity_polar(rep, r, "200");
    set_plot_position(c, rep, r, s);
    return AX_OUT_REPORT;
}

static int cat001(struct ax_report_ctx *c, const struct ax_record *r, struct report *rep)
{
    uint32_t id;
    const struct ax_sensor *s = find_sensor(c, r, &id);
    uint64_t sp, typ = 0;
    /* SSRPSR: 0 no detection, 1 sole primary, 2 sole secondary, 3 both */
    if (!raw(r, "020", "SSRPSR", &sp) || sp == 0) {
        c->st.no_detection++;
        return AX_OUT_NONE;
    }
    if (!date_item(c, r, "141", 1, &rep->t_ms)) {
        c->st.no_time++;
        return AX_OUT_NONE;
    }
    (void)raw(r, "020", "TYP", &typ); /* 0 plot, 1 track */
    rep->sensor_id = id;
    rep->sensor_kind = SENSOR_RADAR;
    rep->kind = sp == 1 ? REP_PSR : REP_SSR;
    rep->plot_type = (uint8_t)(sp == 1 ? PLOT_PSR : sp == 2 ? PLOT_SSR : PLOT_SSR_PSR);
    rep->has |= REP_HAS_PLOT_TYPE;
    set_squawk(rep, r, "070");
    double fl;
    if (!flag(r, "090", "G") && val(r, "090", "HGT", &fl))
        set_fl(rep, fl);
    uint64_t u;
    if (typ == 1 && (raw(r, "161", NULL, &u) || raw(r, "161", "TPN", &u))) {
        rep->track_no = (uint32_t)u;
        rep->has |= REP_HAS_TRACKNO;
    }
    set_velocity_polar(rep, r, "200");
    set_plot_position(c, rep, r, s);
    return AX_OUT_REPORT;
}

static void trk_status062(struct report *rep, const struct ax_record *r)
{
    if (!ax_record_item(r, "080"))
        return;
    uint16_t st = 0;
    st |= flag(r, "080", "CNF") ? TRK_TENTATIVE : 0;
    st |= flag(r, "080", "MON") ? TRK_MONOSENSOR : 0;
    st |= flag(r, "080", "SPI") ? TRK_SPI : 0;
    st |= flag(r, "080", "SIM") ? TRK_SIMULATED : 0;
    st |= flag(r, "080", "TSE") ? TRK_END : 0;
    uint64_t v;
    if (raw(r, "080", "CST", &v)) { /* octet 4 present */
        st |= v ? TRK_COASTING : 0;
        st |= TRK_SOURCES_KNOWN;
        st |= flag(r, "080", "PSR") ? 0 : TRK_SRC_PSR;
        st |= flag(r, "080", "SSR") ? 0 : TRK_SRC_SSR;
        st |= flag(r, "080", "MDS") ? 0 : TRK_SRC_MODES;
        st |= flag(r, "080", "ADS") ? 0 : TRK_SRC_ADSB;
    }
    if (raw(r, "080", "SDS", &v))
        st |= v == 1 ? TRK_COOPERATIVE : v == 2 ? TRK_NON_COOPERATIVE : 0;
    if (raw(r, "080", "EMS", &v) && v <= EMERG_DOWNED) {
        rep->emergency = (uint8_t)v; /* I062/080 EMS uses enum report_emergency's codes */
        rep->has |= REP_HAS_EMERGENCY;
    }
    rep->trk_status = st;
    rep->has |= REP_HAS_TRK_STATUS;
}

static int cat062(struct ax_report_ctx *c, const struct ax_record *r, struct report *rep)
{
    uint32_t id;
    const struct ax_sensor *s = find_sensor(c, r, &id);
    if (!date_item(c, r, "070", 0, &rep->t_ms)) {
        c->st.no_time++;
        return AX_OUT_NONE;
    }
    rep->sensor_id = id;
    rep->sensor_kind = SENSOR_SDPS;
    rep->kind = REP_SYSTRACK;
    uint64_t u;
    if (raw(r, "040", NULL, &u)) {
        rep->track_no = (uint32_t)u;
        rep->has |= REP_HAS_TRACKNO;
    }
    double a, b;
    if (val(r, "105", "LAT", &a) && val(r, "105", "LON", &b))
        set_pos(c, rep, a, b);
    else if (val(r, "100", "X", &a) && val(r, "100", "Y", &b))
        set_pos_xy(c, rep, s, a, b); /* the SDPS's plane, centred on its site */
    set_squawk(rep, r, "060");
    set_callsign(rep, r, "245", "CHR");
    if (!(rep->has & REP_HAS_CALLSIGN))
        set_callsign(rep, r, "380", "ID");
    if (raw(r, "380", "ADR", &u)) {
        rep->icao = (uint32_t)(u & 0xFFFFFFu);
        rep->has |= REP_HAS_ICAO;
    }
    if (val(r, "136", NULL, &a))
        set_fl(rep, a);
    if (val(r, "185", "VX", &a) && val(r, "185", "VY", &b)) {
        double tr = atan2(a, b) * 180.0 / M_PI;
        rep->gs_kt = (float)(hypot(a, b) * 3600.0 / GEO_M_PER_NM);
        rep->track_deg = (float)(tr < 0 ? tr + 360.0 : tr);
        rep->has |= REP_HAS_GS | REP_HAS_TRACK;
    }
    if (val(r, "220", NULL, &a)) {
        rep->vrate_fpm = (float)a;
        rep->has |= REP_HAS_VRATE;
    }
    trk_status062(rep, r);
    /* I062/500: standard deviations; APC per Cartesian axis, APW in deg */
    if (val(r, "500", "APC/X", &a) && val(r, "500", "APC/Y", &b)) {
        rep->pos_acc_m = SIGMA_TO_R95 * (float)(a > b ? a : b);
        rep->has |= REP_HAS_POS_ACC;
    } else if (val(r, "500", "APW/LAT", &a) && val(r, "500", "APW/LON", &b) &&
               (rep->has & REP_HAS_POS)) {
        double sn = a * M_PI / 180.0 * GEO_WGS84_A;
        double se = b * M_PI / 180.0 * GEO_WGS84_A * cos(rep->lat_deg * M_PI / 180.0);
        rep->pos_acc_m = SIGMA_TO_R95 * (float)(sn > se ? sn : se);
        rep->has |= REP_HAS_POS_ACC;
    }
    if (val(r, "500", "ATV/X", &a) && val(r, "500", "ATV/Y", &b)) {
        rep->vel_sigma_mps = (float)(a > b ? a : b);
        rep->has |= REP_HAS_VEL_ACC;
    }
    return AX_OUT_REPORT;
}

static int cat021(struct ax_report_ctx *c, const struct ax_record *r, struct report *rep)
{
    uint32_t id;
    (void)find_sensor(c, r, &id);
    /* the time that goes with the position first */
    static const char *const times[] = {"073", "071", "075", "077", "030"};
    int dated = 0;
    for (size_t i = 0; i < sizeof times / sizeof times[0] && !dated; i++)
        dated = date_item(c, r, times[i], 0, &rep->t_ms);
    if (!dated) {
        c->st.no_time++;
        return AX_OUT_NONE;
    }
    rep->sensor_id = id;
    rep->sensor_kind = SENSOR_ADSB_GS;
    rep->kind = REP_ADSB;
    uint64_t u;
    if (raw(r, "080", NULL, &u)) {
        rep->icao = (uint32_t)(u & 0xFFFFFFu);
        rep->has |= REP_HAS_ICAO;
    }
    if (raw(r, "161", "TRNUM", &u) || raw(r, "161", NULL, &u)) {
        rep->track_no = (uint32_t)u;
        rep->has |= REP_HAS_TRACKNO;
    }
    double a, b;
    if (val(r, "131", "LAT", &a) && val(r, "131", "LON", &b))
        set_pos(c, rep, a, b);
    else if (val(r, "130", "LAT", &a) && val(r, "130", "LON", &b))
        set_pos(c, rep, a, b);
    if ((rep->has & REP_HAS_POS) && raw(r, "090", "NACP", &u) && u > 0 && u < 12) {
        rep->pos_acc_m = ax_nacp_epu_m((unsigned)u);
        rep->has |= REP_HAS_POS_ACC;
    }
    set_squawk(rep, r, "070");
    set_callsign(rep, r, "170", NULL);
    if (val(r, "145", NULL, &a))
        set_fl(rep, a);
    if (val(r, "140", NULL, &a)) {
        rep->alt_geom_ft = (int32_t)lround(a);
        rep->has |= REP_HAS_ALT_GEOM;
    }
    if (val(r, "155", "BVR", &a) || val(r, "155", NULL, &a) || val(r, "157", "GVR", &a) ||
        val(r, "157", NULL, &a)) {
        rep->vrate_fpm = (float)a;
        rep->has |= REP_HAS_VRATE;
    }
    if (val(r, "160", "GS", &a) && val(r, "160", "TA", &b)) {
        rep->gs_kt = (float)(a * KT_PER_NM_S);
        rep->track_deg = (float)b;
        rep->has |= REP_HAS_GS | REP_HAS_TRACK;
    }
    if (raw(r, "040", "GBS", &u)) {
        rep->on_ground = u != 0;
        rep->has |= REP_HAS_GROUND;
    }
    if (raw(r, "200", "PS", &u) && u <= EMERG_DOWNED) {
        rep->emergency = (uint8_t)u; /* I021/200 PS uses enum report_emergency's codes */
        rep->has |= REP_HAS_EMERGENCY;
    }
    return AX_OUT_REPORT;
}

/* CAT034 and CAT002: I000 message type, I030 time, I020 sector, I041
 * rotation period. Type 1 is the north marker and 2 a sector crossing in
 * both categories. */
static int scan_event(struct ax_report_ctx *c, const struct ax_record *r, struct ax_scan_event *ev)
{
    memset(ev, 0, sizeof *ev);
    (void)find_sensor(c, r, &ev->sensor_id);
    uint64_t typ;
    if (!raw(r, "000", NULL, &typ)) {
        c->st.skipped++;
        return AX_OUT_NONE;
    }
    if (!date_item(c, r, "030", 0, &ev->t_ms)) {
        c->st.no_time++;
        return AX_OUT_NONE;
    }
    ev->msg_type = (uint8_t)typ;
    ev->type = typ == 1 ? AX_SCAN_NORTH : typ == 2 ? AX_SCAN_SECTOR : AX_SCAN_OTHER;
    double v;
    if (val(r, "020", NULL, &v)) {
        ev->sector_deg = (float)v;
        ev->has_sector = 1;
    }
    if (val(r, "041", NULL, &v)) {
        ev->period_s = (float)v;
        ev->has_period = 1;
    }
    c->st.scans++;
    return AX_OUT_SCAN;
}

int ax_record_report(struct ax_report_ctx *c, const struct ax_record *r, struct report *rep,
                     struct ax_scan_event *scan)
{
    if (!r->cat) {
        c->st.skipped++;
        return AX_OUT_NONE;
    }
    memset(rep, 0, sizeof *rep);
    int out;
    switch (r->cat->cat) {
    case 48:
        out = cat048(c, r, rep);
        break;
    case 1:
        out = cat001(c, r, rep);
        break;
    case 62:
        out = cat062(c, r, rep);
        break;
    case 21:
        out = cat021(c, r, rep);
        break;
    case 34:
    case 2:
        return scan_event(c, r, scan);
    default:
        c->st.skipped++;
        return AX_OUT_NONE;
    }
    if (out == AX_OUT_REPORT)
        c->st.reports++;
    return out;
}
