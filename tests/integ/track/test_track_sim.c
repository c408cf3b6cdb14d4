/*
 * test_track_sim.c — the pieces fit: `cairn sim malmo-2014` writes radar.pcap
 * and adsb.beast, cairn's own decoders turn them into struct report (CAT048
 * through feed/pcap and the ASTERIX report layer with the scenario's radar
 * sites; Beast through modes with the counter's UTC anchor, docs/sim.md),
 * trk_meas_from_report makes tracker measurements, the tracker takes them in
 * time order, and the picture is compared with truth.jsonl:
 *
 *  - one track per aircraft: every measurement of SAS681 (ADS-B, Mode S
 *    plots, its few primary-only plots) lands in ONE track that holds both
 *    ADS-B and radar sources; the Il-20 (no transponder) is ONE primary-only
 *    track; no track takes measurements of both (no identity swap, though
 *    they pass 90 m apart at 13:05);
 *  - horizontal position RMS of each track's estimate (at every update, from
 *    its 5th update on) against the truth: <= 50 m for the ADS-B-fed track,
 *    <= 200 m for the radar-only one. The figures are printed.
 *
 * argv[1] is the cairn binary. Bounded: a few seconds of work.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/error.h"
#include "decode/asterix/asterix.h"
#include "decode/asterix/report.h"
#include "decode/modes/beast.h"
#include "decode/modes/modes.h"
#include "decode/report.h"
#include "feed/pcap.h"
#include "geo/geo.h"
#include "track/track.h"

static const char *cairn_bin;
static char tmp[64];

/* ---------------------------------------------------------------- truth */

#define N_AC  2
#define MAX_T 4000

enum { K_SAS = 0, K_IL = 1 };
static const char *const ac_id[N_AC] = {"SAS681", "IL20"};

struct tpos {
    int have;
    double lat, lon;
};

static int64_t t0_s;             /* first truth second (UTC) */
static struct tpos *truth[N_AC]; /* [t - t0_s] */
static uint32_t sas_icao;

static void truth_load(const char *dir)
{
    char path[256];
    snprintf(path, sizeof path, "%s/truth.jsonl", dir);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    for (int k = 0; k < N_AC; k++) {
        truth[k] = calloc(MAX_T, sizeof(struct tpos));
        assert_non_null(truth[k]);
    }
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        json_error_t e;
        json_t *o = json_loads(line, 0, &e);
        assert_non_null(o);
        int64_t t = json_integer_value(json_object_get(o, "t"));
        const char *id = json_string_value(json_object_get(o, "id"));
        assert_non_null(id);
        if (!t0_s)
            t0_s = t;
        for (int k = 0; k < N_AC; k++) {
            if (strcmp(id, ac_id[k]))
                continue;
            int64_t i = t - t0_s;
            assert_true(i >= 0 && i < MAX_T);
            truth[k][i].have = 1;
            truth[k][i].lat = json_real_value(json_object_get(o, "lat"));
            truth[k][i].lon = json_real_value(json_object_get(o, "lon"));
            const char *hex = json_string_value(json_object_get(o, "icao"));
            if (k == K_SAS && hex)
                sas_icao = (uint32_t)strtoul(hex, NULL, 16);
        }
        json_decref(o);
    }
    fclose(f);
    assert_true(sas_icao != 0);
}

/* Truth of aircraft k at UTC t_ms, linear between whole seconds. */
static int truth_at(int k, int64_t t_ms, double *lat, double *lon)
{
    double x = (double)t_ms / 1000.0 - (double)t0_s;
    int64_t i = (int64_t)floor(x);
    if (i < 0 || i + 1 >= MAX_T || !truth[k][i].have || !truth[k][i + 1].have)
        return 0;
    double f = x - (double)i;
    *lat = truth[k][i].lat + f * (truth[k][i + 1].lat - truth[k][i].lat);
    *lon = truth[k][i].lon + f * (truth[k][i + 1].lon - truth[k][i].lon);
    return 1;
}

/* --------------------------------------------------------- measurements */

#define SENSOR_ADSB 100u
#define MAX_MEAS    40000

struct item {
    struct trk_meas m;
    int k; /* truth aircraft, -1 when a primary plot cannot be told apart */
};

static struct item *items;
static size_t n_items;

static void add(const struct report *r, int k)
{
    assert_true(n_items < MAX_MEAS);
    struct item *it = &items[n_items];
    if (trk_meas_from_report(r, &it->m) != 0)
        return;
    it->k = k;
    n_items++;
}

/* Which aircraft a plot without address belongs to: the nearer truth, when
 * the other is more than 2 km farther (else -1: not attributed). */
static int attribute(const struct report *r)
{
    double d[N_AC];
    for (int k = 0; k < N_AC; k++) {
        double la, lo;
        d[k] = truth_at(k, r->t_ms, &la, &lo) ? geo_distance_m(la, lo, r->lat_deg, r->lon_deg)
                                              : INFINITY;
    }
    if (d[K_SAS] + 2000 < d[K_IL])
        return K_SAS;
    if (d[K_IL] + 2000 < d[K_SAS])
        return K_IL;
    return -1;
}

/* The sensor table: the scenario's radars (malmo-2014.json), with the
 * height assumed for primary-only plots: 4,400 m (the Il-20's 14,500 ft). */
static struct ax_sensor sensors[2];

static void sensors_init(void)
{
    static const struct {
        uint8_t sic;
        double lat, lon, alt_m, sr, sa;
    } rd[] = {{1, 55.6297, 12.6447, 40, 40, 0.08}, {2, 55.5363, 13.3762, 60, 60, 0.08}};
    static const uint8_t sac[] = {9, 11};
    for (size_t i = 0; i < 2; i++) {
        struct ax_sensor *s = &sensors[i];
        memset(s, 0, sizeof *s);
        s->sac = sac[i];
        s->sic = rd[i].sic;
        s->id = (uint32_t)(i + 1);
        s->has_site = 1;
        struct geo_llh o = {rd[i].lat, rd[i].lon, rd[i].alt_m};
        geo_frame_init(&s->site, &o);
        s->range_sigma_m = (float)rd[i].sr;
        s->azimuth_sigma_deg = (float)rd[i].sa;
        s->has_assumed_h = 1;
        s->assumed_h_m = 4400;
    }
}

static size_t n_radar_reports, n_adsb_reports;

static void read_radar(const char *dir)
{
    char path[256], err[256];
    snprintf(path, sizeof path, "%s/radar.pcap", dir);
    struct feed_pcap *fp;
    if (feed_pcap_open(&fp, path, err, sizeof err) != 0)
        fail_msg("%s: %s", path, err);
    struct ax_report_ctx ctx;
    ax_report_init(&ctx, sensors, 2);
    struct ax_editions eds;
    ax_editions_init(&eds);
    struct pcap_udp u;
    while (feed_pcap_next(fp, &u) == 1) {
        ctx.ref_utc_ms = (int64_t)(u.t_us / 1000);
        size_t off = 0;
        struct ax_block b;
        struct ax_error e;
        while (ax_block_next(u.payload, u.len, &off, &b, &e, NULL) == 1) {
            assert_int_equal(ax_block_open(&b, &eds, &e, NULL), 0);
            struct ax_record rec;
            int rc;
            while ((rc = ax_block_record(&b, &rec, &e, NULL)) == 1) {
                struct report r;
                struct ax_scan_event sc;
                memset(&r, 0, sizeof r);
                if (ax_record_report(&ctx, &rec, &r, &sc) != AX_OUT_REPORT)
                    continue;
                assert_true(r.has & REP_HAS_POS);
                n_radar_reports++;
                int k = (r.has & REP_HAS_ICAO) ? (r.icao == sas_icao ? K_SAS : -2) : attribute(&r);
                assert_true(k != -2);
                add(&r, k);
            }
            assert_int_equal(rc, 0);
        }
    }
    feed_pcap_close(fp);
    printf("ASTERIX report layer: %llu reports, %llu scan events, dropped: no_time %llu, "
           "no_detection %llu, unknown_sensor %llu, no_site %llu, no_height %llu, "
           "bad_geometry %llu, bad_value %llu\n",
           (unsigned long long)ctx.st.reports, (unsigned long long)ctx.st.scans,
           (unsigned long long)ctx.st.no_time, (unsigned long long)ctx.st.no_detection,
           (unsigned long long)ctx.st.unknown_sensor, (unsigned long long)ctx.st.no_site,
           (unsigned long long)ctx.st.no_height, (unsigned long long)ctx.st.bad_geometry,
           (unsigned long long)ctx.st.bad_value);
    assert_int_equal(ctx.st.no_time + ctx.st.no_detection + ctx.st.unknown_sensor + ctx.st.no_site +
                         ctx.st.no_height + ctx.st.bad_geometry + ctx.st.bad_value,
                     0);
}

static void read_adsb(const char *dir)
{
    char path[256];
    snprintf(path, sizeof path, "%s/adsb.beast", dir);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static uint8_t buf[1 << 22];
    size_t len = fread(buf, 1, sizeof buf, f);
    assert_true(len > 0 && len < sizeof buf);
    fclose(f);
    /* the counter runs at 12 MHz from UTC midnight of the start (the
     * scenario sets no beast_counter_start): t0 is that midnight */
    int64_t t0_utc_ms = (t0_s - t0_s % 86400) * 1000;
    static struct modes_ctx ctx;
    modes_ctx_init(&ctx, NULL);
    struct beast_parser bp;
    beast_parser_init(&bp);
    size_t off = 0;
    while (off < len) {
        struct modes_frame fr;
        ssize_t n = beast_parse(&bp, buf + off, len - off, &fr);
        assert_true(n > 0);
        off += (size_t)n;
        if (!fr.len)
            continue;
        struct modes_msg m;
        if (modes_decode(&ctx, &fr, &m) != 0)
            continue;
        struct report r;
        memset(&r, 0, sizeof r);
        r.sensor_id = SENSOR_ADSB;
        if (modes_msg_to_report(&m, t0_utc_ms, &r) != 0 || !(r.has & REP_HAS_POS))
            continue;
        assert_true(r.icao == sas_icao);
        n_adsb_reports++;
        add(&r, K_SAS);
    }
}

static int by_time(const void *a, const void *b)
{
    const struct item *x = a, *y = b;
    if (x->m.t_ms != y->m.t_ms)
        return x->m.t_ms < y->m.t_ms ? -1 : 1;
    /* a stable order for equal times: by sensor, then by position in the
     * array (the decoders' order) */
    if (x->m.sensor_id != y->m.sensor_id)
        return x->m.sensor_id < y->m.sensor_id ? -1 : 1;
    return x < y ? -1 : x > y;
}

/* ------------------------------------------------------------------ test */

#define MAX_TRK 64

static void test_malmo_picture(void **state)
{
    (void)state;
    char cmd[512], dir[128];
    snprintf(dir, sizeof dir, "%s/m", tmp);
    /* seed 1 unless TRK_SIM_SEED says otherwise (to try others by hand) */
    const char *env = getenv("TRK_SIM_SEED");
    unsigned long seed = env ? strtoul(env, NULL, 10) : 1;
    printf("seed %lu\n", seed);
    snprintf(cmd, sizeof cmd, "'%s' sim malmo-2014 --out %s --quiet --seed %lu", cairn_bin, dir,
             seed);
    int rc = system(cmd);
    if (rc != 0)
        fail_msg("'%s' exited with %d", cmd, rc);
    truth_load(dir);
    sensors_init();
    items = calloc(MAX_MEAS, sizeof *items);
    assert_non_null(items);
    read_radar(dir);
    read_adsb(dir);
    qsort(items, n_items, sizeof *items, by_time);

    struct trk_table *t;
    assert_int_equal(trk_new(NULL, &t), 0);
    assert_int_equal(trk_sensor_set(t, 1, 4000), 0);  /* kastrup-app, rotation 4 s */
    assert_int_equal(trk_sensor_set(t, 2, 10000), 0); /* malmo-er, rotation 10 s */

    /* per track id: measurements of each aircraft, updates, error sums */
    static struct {
        uint32_t id;
        unsigned n_of[N_AC];
        unsigned n_amb; /* primary plots with both aircraft within 2 km */
        unsigned upd;
        unsigned n_err;
        double sum_e2, worst;
    } tk[MAX_TRK];
    size_t n_tk = 0;
    int64_t next_tick = items[0].m.t_ms;
    unsigned unassigned = 0;
    for (size_t i = 0; i < n_items; i++) {
        const struct trk_meas *m = &items[i].m;
        while (m->t_ms >= next_tick) {
            trk_tick(t, next_tick);
            next_tick += 1000;
        }
        uint32_t id = 0;
        (void)trk_ingest(t, m, 1, m->t_ms, &id);
        if (!id) {
            unassigned++;
            continue;
        }
        size_t j = 0;
        while (j < n_tk && tk[j].id != id)
            j++;
        if (j == n_tk) {
            assert_true(n_tk < MAX_TRK);
            memset(&tk[j], 0, sizeof tk[j]);
            tk[j].id = id;
            n_tk++;
        }
        if (items[i].k >= 0)
            tk[j].n_of[items[i].k]++;
        else
            tk[j].n_amb++;
        tk[j].upd++;
        const struct trk_track *tr = trk_get(t, id);
        assert_non_null(tr);
        /* the estimate against the truth of the aircraft the track follows
         * (the one most of its measurements so far came from) */
        int k = tk[j].n_of[K_SAS] >= tk[j].n_of[K_IL] ? K_SAS : K_IL;
        double la, lo;
        if (tk[j].upd >= 5 && truth_at(k, tr->t_state_ms, &la, &lo)) {
            double e = geo_distance_m(la, lo, tr->lat_deg, tr->lon_deg);
            tk[j].sum_e2 += e * e;
            tk[j].worst = fmax(tk[j].worst, e);
            tk[j].n_err++;
        }
    }
    assert_int_equal(trk_check(t), 0);

    printf("measurements: %zu (radar reports %zu, ADS-B positions %zu), unassigned %u\n", n_items,
           n_radar_reports, n_adsb_reports, unassigned);
    int trk_of[N_AC] = {-1, -1};
    unsigned tracks_of[N_AC] = {0, 0};
    for (size_t j = 0; j < n_tk; j++) {
        const struct trk_track *tr = trk_get(t, tk[j].id);
        double rms = tk[j].n_err ? sqrt(tk[j].sum_e2 / tk[j].n_err) : NAN;
        printf("track %u: %u updates (SAS681 %u, IL20 %u, either %u), sources%s%s%s%s, "
               "RMS %.1f m over %u, worst %.1f m\n",
               tk[j].id, tk[j].upd, tk[j].n_of[K_SAS], tk[j].n_of[K_IL], tk[j].n_amb,
               tr && tr->last_src_ms[TRK_SOURCE_ADSB] ? " ADS-B" : "",
               tr && tr->last_src_ms[TRK_SOURCE_MODES] ? " Mode-S" : "",
               tr && tr->last_src_ms[TRK_SOURCE_SSR] ? " SSR" : "",
               tr && tr->last_src_ms[TRK_SOURCE_PSR] ? " PSR" : "", rms, tk[j].n_err, tk[j].worst);
        /* no identity swap: no track took plots of both aircraft */
        assert_true(tk[j].n_of[K_SAS] == 0 || tk[j].n_of[K_IL] == 0);
        for (int k = 0; k < N_AC; k++)
            if (tk[j].n_of[k]) {
                tracks_of[k]++;
                trk_of[k] = (int)j;
            }
    }
    /* one track per aircraft */
    assert_int_equal(tracks_of[K_SAS], 1);
    assert_int_equal(tracks_of[K_IL], 1);
    assert_int_equal(n_tk, 2);
    const struct trk_track *sas = trk_get(t, tk[trk_of[K_SAS]].id);
    const struct trk_track *il = trk_get(t, tk[trk_of[K_IL]].id);
    assert_non_null(sas);
    assert_non_null(il);
    /* the airliner fused from ADS-B and radar */
    assert_true(sas->last_src_ms[TRK_SOURCE_ADSB] != 0);
    assert_true(sas->last_src_ms[TRK_SOURCE_MODES] != 0);
    assert_true(sas->icao == sas_icao);
    /* the Il-20 primary only */
    assert_true(il->last_src_ms[TRK_SOURCE_PSR] != 0);
    assert_true(il->last_src_ms[TRK_SOURCE_ADSB] == 0 && il->last_src_ms[TRK_SOURCE_MODES] == 0 &&
                il->last_src_ms[TRK_SOURCE_SSR] == 0);
    assert_true(!(il->ids & TRK_ID_ICAO));
    double rms_sas = sqrt(tk[trk_of[K_SAS]].sum_e2 / tk[trk_of[K_SAS]].n_err);
    double rms_il = sqrt(tk[trk_of[K_IL]].sum_e2 / tk[trk_of[K_IL]].n_err);
    printf("RMS: SAS681 (ADS-B + radar) %.1f m, IL20 (primary only) %.1f m\n", rms_sas, rms_il);
    assert_true(rms_sas <= 50);
    assert_true(rms_il <= 200);
    trk_free(t);
    free(items);
    for (int k = 0; k < N_AC; k++)
        free(truth[k]);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s CAIRN_BINARY\n", argv[0]);
        return 2;
    }
    cairn_bin = argv[1];
    snprintf(tmp, sizeof tmp, "/tmp/cairn_trksim_XXXXXX");
    if (!mkdtemp(tmp)) {
        perror("mkdtemp");
        return 1;
    }
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_malmo_picture)};
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmp);
    return rc;
}
