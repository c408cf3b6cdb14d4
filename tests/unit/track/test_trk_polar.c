/*
 * test_trk_polar.c — a long-range radar plot's error ellipse points along
 * the line of sight as it arrives at the plot, not along the azimuth the
 * radar measured: far from the radar the plot's north is not the radar's
 * (the meridians converge by about dlon sin(lat), 6.5 deg for a plot 250 NM
 * east of a radar at 60 N).
 *
 * Every plot goes the whole way: a CAT048 record from cairn's typed
 * encoder, the ASTERIX report layer with a sensor table (geo_radar_plot
 * places it, REP_HAS_LOS_AZ), trk_meas_from_report, then the tracker.
 * Compiles track.c itself for prepare() (the covariance it makes) and the
 * filter's state (nothing of cairn_track's track.o is linked beside it).
 *
 *  - test_range_axis: plots at 250 NM, FL300, from a radar at 60 N, in
 *    eight directions: the covariance's range axis (its small eigenvalue's
 *    direction) within 0.1 deg of the geodesic's azimuth at the plot and of
 *    the direction a 100 m longer range moves the plot (the Jacobian, from
 *    geo_radar_plot). The old code rotated by the measured azimuth: 6.5 deg
 *    off at 90 and 270.
 *  - test_nees_long_range: a target flying east from 230 to 250 NM east of
 *    that radar at 230 m/s, SSR plots every 5 s with 60 m / 0.08 deg of
 *    noise, 100 runs, seeded: the mean NEES of the filter's position after
 *    each update from the fourth (2 degrees of freedom: 2 when the stated
 *    covariance is true). Measured: 3.08 with the measured azimuth, 1.66
 *    with the line of sight's azimuth at the plot (below 2: on a straight
 *    leg the IMM's turn models make its covariance a little wide).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "../../../src/track/track.c"
#include "decode/asterix/report.h"
#include "decode/asterix/typed.h"
#include "geo/geo.h"
#include "trk_sim.h"

#define SITE_LAT  60.0
#define SITE_LON  10.0
#define SITE_H_M  100.0
#define SIGMA_R_M 60.0
#define SIGMA_AZ  0.08
#define FL        300.0
#define DAY_MS    1796342400000LL /* 2026-12-04 00:00:00 UTC */

static struct ax_sensor radar;

static void radar_init(void)
{
    memset(&radar, 0, sizeof radar);
    radar.sac = 1;
    radar.sic = 2;
    radar.id = 12;
    radar.has_site = 1;
    struct geo_llh s = {SITE_LAT, SITE_LON, SITE_H_M};
    geo_frame_init(&radar.site, &s);
    radar.range_sigma_m = (float)SIGMA_R_M;
    radar.azimuth_sigma_deg = (float)SIGMA_AZ;
}

/* An SSR plot with Mode C at (rho, theta) and time of day tod_s through
 * the encoder, the decoder and the adapter. */
static void plot(double rho_m, double theta_deg, double tod_s, struct report *rep,
                 struct trk_meas *m)
{
    struct ax48_report in;
    memset(&in, 0, sizeof in);
    in.sac = 1;
    in.sic = 2;
    in.tod_s = tod_s;
    in.typ = AX48_TYP_SSR;
    in.has_polar = 1;
    in.rho_nm = rho_m / GEO_M_PER_NM;
    in.theta_deg = theta_deg;
    in.has_mode3a = 1;
    in.mode3a = 01234;
    in.has_fl = 1;
    in.alt_fl = FL;
    uint8_t buf[AX_TYPED_MAX_RECORD];
    int n = ax48_encode(&in, buf, sizeof buf);
    assert_true(n > 0);
    struct ax_record r;
    struct ax_error e;
    assert_int_equal(ax_record_decode(ax_category_find(48, 0), buf, (size_t)n, &r, &e), n);
    struct ax_report_ctx c;
    ax_report_init(&c, &radar, 1);
    c.ref_utc_ms = DAY_MS + (int64_t)(tod_s * 1000.0);
    struct ax_scan_event ev;
    assert_int_equal(ax_record_report(&c, &r, rep, &ev), AX_OUT_REPORT);
    assert_true(rep->has & REP_HAS_POS);
    assert_int_equal(trk_meas_from_report(rep, m), 0);
    assert_true(m->has & TRK_M_POLAR);
}

/* |a - b| modulo 180 deg (an axis has no sign) */
static double axis_diff(double a, double b)
{
    return fabs(remainder(a - b, 180.0));
}

static void test_range_axis(void **state)
{
    (void)state;
    radar_init();
    struct trk_config cfg;
    trk_config_default(&cfg);
    cfg.max_tracks = 4;
    struct trk_table *t = NULL;
    assert_int_equal(trk_new(&cfg, &t), 0);
    const double rho = 250.0 * GEO_M_PER_NM, h = FL * 100.0 * GEO_M_PER_FT;
    for (int k = 0; k < 8; k++) {
        double theta = 45.0 * k + 0.5; /* off the grid of the axes */
        struct report rep;
        struct trk_meas m;
        plot(rho, theta, 43200.0, &rep, &m);
        struct mwork w;
        memset(&w, 0, sizeof w);
        assert_int_equal(prepare(t, &m, m.t_ms, &w), 0);
        /* R = l1 u u' + l2 v v', u at azimuth a (east sin a, north cos a):
         * R00 - R11 = (l2 - l1) cos 2a, 2 R01 = (l1 - l2) sin 2a */
        double a = 0.5 * atan2(-2.0 * w.R[1], w.R[0] - w.R[3]) / DEG2RAD;
        /* the range axis is the thin one: 60 m against 650 m across */
        double l_range = w.R[0] * sin(a * DEG2RAD) * sin(a * DEG2RAD) +
                         w.R[3] * cos(a * DEG2RAD) * cos(a * DEG2RAD) +
                         2.0 * w.R[1] * sin(a * DEG2RAD) * cos(a * DEG2RAD);
        assert_true(sqrt(l_range) < 70.0);
        double geod_az;
        geo_inverse(SITE_LAT, SITE_LON, rep.lat_deg, rep.lon_deg, NULL, NULL, &geod_az);
        /* the Jacobian: where 100 m more range puts the plot */
        struct geo_llh p0, p1;
        double th = rep.azimuth_deg;
        assert_int_equal(geo_radar_plot(&radar.site, rep.slant_range_m, th, h, &p0, NULL), 0);
        assert_int_equal(geo_radar_plot(&radar.site, rep.slant_range_m + 100.0, th, h, &p1, NULL),
                         0);
        double jac_az;
        geo_inverse(p0.lat_deg, p0.lon_deg, p1.lat_deg, p1.lon_deg, NULL, &jac_az, NULL);
        printf("# theta %6.1f: range axis %7.3f, geodesic at the plot %7.3f, "
               "Jacobian %7.3f (deg, modulo 180)\n",
               theta, fmod(a + 360.0, 180.0), fmod(geod_az + 360.0, 180.0),
               fmod(jac_az + 360.0, 180.0));
        assert_true(axis_diff(a, geod_az) < 0.1);
        assert_true(axis_diff(a, jac_az) < 0.1);
    }
    trk_free(t);
}

/* x' [a b; b c]^-1 x */
static double nees(double a, double b, double c, double x, double y)
{
    return (c * x * x - 2.0 * b * x * y + a * y * y) / (a * c - b * b);
}

static void test_nees_long_range(void **state)
{
    (void)state;
    radar_init();
    const double h = FL * 100.0 * GEO_M_PER_FT, v_mps = 230.0, scan_s = 5.0;
    const int n_scans = (int)(20.0 * GEO_M_PER_NM / v_mps / scan_s); /* 230 -> 250 NM */
    /* the start, 230 NM east along the ground */
    double lat0, lon0, az0;
    geo_direct(SITE_LAT, SITE_LON, 90.0, 230.0 * GEO_M_PER_NM, &lat0, &lon0, &az0);
    double sum = 0.0;
    int n = 0;
    for (int run = 0; run < 100; run++) {
        struct sim_rng rng = {0x9017A2u + (uint64_t)run};
        struct trk_config cfg;
        trk_config_default(&cfg);
        cfg.max_tracks = 4;
        cfg.trail_len = 0;
        struct trk_table *t = NULL;
        assert_int_equal(trk_new(&cfg, &t), 0);
        assert_int_equal(trk_sensor_set(t, radar.id, (int32_t)(scan_s * 1000.0)), 0);
        for (int k = 0; k <= n_scans; k++) {
            double tod = 43200.0 + scan_s * k;
            struct geo_llh truth = {0.0, 0.0, h};
            geo_direct(lat0, lon0, az0, v_mps * scan_s * k, &truth.lat_deg, &truth.lon_deg, NULL);
            double rho, theta;
            geo_radar_measure(&radar.site, &truth, &rho, &theta);
            rho += SIGMA_R_M * sim_gauss(&rng);
            theta += SIGMA_AZ * sim_gauss(&rng);
            struct report rep;
            struct trk_meas m;
            plot(rho, theta, tod, &rep, &m);
            assert_int_equal(trk_ingest(t, &m, 1, m.t_ms, NULL), 0);
            assert_int_equal(trk_count(t), 1);
            size_t cur = 0;
            const struct trk_track *trk = trk_next(t, &cur);
            assert_non_null(trk);
            assert_int_equal(trk->n_updates, (uint32_t)k + 1);
            if (k < 3)
                continue;
            const struct slot *p = (const struct slot *)trk;
            double z[2];
            to_plane(p, truth.lat_deg, truth.lon_deg, z);
            const double *P = p->f.Pc;
            sum += nees(P[TRK_IMM_LT(0, 0)], P[TRK_IMM_LT(1, 0)], P[TRK_IMM_LT(1, 1)],
                        p->f.xc[0] - z[0], p->f.xc[1] - z[1]);
            n++;
        }
        assert_int_equal(trk_check(t), 0);
        trk_free(t);
    }
    double mean = sum / n;
    printf("# %d updates, mean NEES of position %.2f\n", n, mean);
    /* above 2 when the ellipse is turned (3.08 before); the IMM's turn
     * models make it a little conservative on a straight leg */
    assert_true(mean > 1.3 && mean < 2.3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_range_axis),
        cmocka_unit_test(test_nees_long_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
