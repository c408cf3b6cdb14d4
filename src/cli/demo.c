/*
 * demo.c — `cairn demo`: two coordination centres of one CAI pair on
 * loopback, a NATO-side centre (WARSAW-CC) and a Russian-side centre
 * (KALININGRAD-CC), watching the same sky and joined by the hotline.
 *
 * What it makes, in a scratch folder (docs/demo.md has the manual):
 *  - for each centre: a fresh identity (hotline/identity.h, as `cairn
 *    keygen` makes it), an accounts file with a generated password
 *    (web_passwd_line, Argon2id), its journal (hl_daemon_init_journal, as
 *    `cairn hotline --init`), and centre.ini; one roster of the two;
 *  - the feeds: `cairn sim` (cli_sim, in this process) of the shipped
 *    Baltic scenarios, vigilant-skies-2011 (the renegade exercise between
 *    Poland and Kaliningrad) and baltic-sea (a no-transponder aircraft over
 *    a warship, a ship going dark off Kaliningrad), each side seeing them
 *    through its own sensors (the scenario's radars and receivers of its
 *    side; Russian ones added where the scenario has none), repeated back to
 *    back from now for --hours hours of data; with the reference data
 *    (--data, default ../shared/data when present) the Russian side also
 *    replays the real St Petersburg Beast recording and the simulated
 *    Pulkovo radar's dark aircraft of stpetersburg-dark.
 *
 * Why two child processes (`cairn run -c centre.ini` each, this binary
 * through /proc/self/exe) rather than two centres on one loop: each centre
 * is then exactly what an operator runs — its own process, signals, logs,
 * journal and control socket, and a centre that fails cannot take the other
 * down — and the hotline between them crosses a real process boundary, as
 * it does between two countries. The parent only prepares, watches and
 * stops. The children are in a process group of their own (a Ctrl-C on the
 * terminal reaches the parent only, which stops them in order) and get
 * SIGTERM if the parent dies (PR_SET_PDEATHSIG).
 *
 * Invariants (the parent keeps them):
 *   D1  every child started is reaped before cli_demo returns: SIGTERM,
 *       then up to DEMO_STOP_MS for it to end, then SIGKILL and wait.
 *   D2  the scratch folder is removed at exit unless --keep: the whole of
 *       it when the demo made it, else only what the demo put in it.
 *   D3  the console lines and the ports file are written only once both
 *       centres listen (their port files exist); the ports file is written
 *       whole (a temporary name, then rename), so a reader never sees half.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <netinet/in.h>
#include <signal.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "app/config.h"
#include "base/dbuf.h"
#include "base/error.h"
#include "cli/cli.h"
#include "hotline/daemon.h"
#include "hotline/identity.h"
#include "web/web.h"

#define DEMO_UP_MS       60000 /* both centres listening within this, or the demo fails */
#define DEMO_STOP_MS     10000 /* a centre's clean stop (the hotline's checkpoint: 300 ms) */
#define DEMO_PW_LEN      16
#define DEMO_USER        "duty"
#define DEMO_RECORDING   "modes/beastblackbox_ulss7_1522782148.beast"
#define DEMO_REC_START   "2018-04-03T19:02:28.136Z" /* its first frame (docs/sim.md) */
#define DEMO_MAX_EMIT    32                         /* sensor sections per centre */
#define DEMO_LINE_MAX    190                        /* the centre's INI refuses lines > 200 */
#define DEMO_SIDES       2
#define DEMO_INTERRUPTED 1 /* prepare(): a stop was asked for (errors are negative) */

/* One scenario as one side sees it: the shipped scenario with its sensor
 * lists replaced (NULL: kept as shipped). */
struct demo_view {
    const char *scenario;
    const char *radars, *adsb, *ais; /* JSON arrays */
    const char *formats;             /* cairn sim --formats */
    int once;                        /* simulated once, not for --hours */
};

struct demo_side {
    const char *name, *party, *dir; /* dir: its folder in the scratch folder */
    const char *military;           /* its [centre] military list */
    const struct demo_view *views;
    size_t n_views;
    /* filled as it is prepared and run */
    char password[DEMO_PW_LEN + 1];
    int web_port, link_port;
    pid_t pid;
    int status;        /* its wait status once reaped */
    int web_port_seen; /* its port file was read: it is up */
    int reaped;
};

#define RU_RADAR_BALTIYSK                                                                          \
    "[{\"id\":\"baltiysk\",\"sac\":70,\"sic\":2,\"lat\":54.65,\"lon\":19.91,\"alt_m\":50,"         \
    "\"rotation_s\":10,\"psr_range_nm\":120,\"ssr_range_nm\":200,\"psr_pd\":0.9,"                  \
    "\"ssr_miss\":0.02,\"range_sigma_m\":60,\"azimuth_sigma_deg\":0.08}]"
#define RU_ADSB "[{\"id\":\"kaliningrad-rx\",\"lat\":54.72,\"lon\":20.5,\"range_nm\":200}]"
#define RU_AIS  "[{\"id\":\"baltiysk-ais\",\"lat\":54.65,\"lon\":19.91,\"range_nm\":80}]"

/* The Polish side: the scenarios' own Polish sensors. */
static const struct demo_view nato_views[] = {
    {"vigilant-skies-2011",
     "[{\"id\":\"pl-warsaw\",\"sac\":25,\"sic\":1,\"lat\":52.17,\"lon\":20.97,\"alt_m\":110,"
     "\"rotation_s\":10,\"psr_range_nm\":80,\"ssr_range_nm\":200,\"psr_pd\":0.9,"
     "\"ssr_miss\":0.02,\"range_sigma_m\":60,\"azimuth_sigma_deg\":0.08},"
     "{\"id\":\"pl-gdansk\",\"sac\":25,\"sic\":2,\"lat\":54.38,\"lon\":18.47,\"alt_m\":60,"
     "\"rotation_s\":10,\"psr_range_nm\":80,\"ssr_range_nm\":200,\"psr_pd\":0.9,"
     "\"ssr_miss\":0.02,\"range_sigma_m\":60,\"azimuth_sigma_deg\":0.08}]",
     NULL, NULL, "radar,sbs", 0},
    {"baltic-sea", NULL, NULL, NULL, "radar,sbs,ais", 0},
};
/* The Russian side: Kaliningrad's radar of vigilant-skies-2011, and a
 * radar, ADS-B and AIS receivers of its own at Baltiysk and Kaliningrad. */
static const struct demo_view ru_views[] = {
    {"vigilant-skies-2011",
     "[{\"id\":\"ru-kaliningrad\",\"sac\":70,\"sic\":1,\"lat\":54.89,\"lon\":20.59,\"alt_m\":40,"
     "\"rotation_s\":10,\"psr_range_nm\":80,\"ssr_range_nm\":200,\"psr_pd\":0.9,"
     "\"ssr_miss\":0.02,\"range_sigma_m\":60,\"azimuth_sigma_deg\":0.08}]",
     RU_ADSB, "[]", "radar,sbs", 0},
    {"baltic-sea", RU_RADAR_BALTIYSK, RU_ADSB, RU_AIS, "radar,sbs,ais", 0},
};
/* With the reference data: the dark aircraft near St Petersburg, seen by
 * the simulated Pulkovo radar, among the recording's real airliners. */
static const struct demo_view spb_view = {"stpetersburg-dark", NULL, "[]", "[]", "radar", 1};

struct demo {
    char dir[160];
    int made_dir; /* the demo created dir (D2) */
    int keep, verbose;
    int port_base; /* 0: ephemeral */
    double speed;
    int hours;
    long deadline_s;
    char data[PATH_MAX]; /* "" none */
    char ui[PATH_MAX];   /* "" none */
    const char *ports_file;
    char self[PATH_MAX];
    int64_t t0_s; /* the data's start: now */
    char t0[32];  /* ISO 8601 */
    struct demo_side side[DEMO_SIDES];
};

static volatile sig_atomic_t got_signal;

/* ------------------------------------------------------------ helpers */

/* out = a "/" b, or "" and CAIRN_E_RANGE when it does not fit (by hand:
 * snprintf here draws -Wformat-truncation at -O2, checked or not). */
static int path_join(char *out, size_t cap, const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    if (na + 1 + nb >= cap) {
        if (cap)
            out[0] = 0;
        return CAIRN_E_RANGE;
    }
    memmove(out, a, na);
    out[na] = '/';
    memcpy(out + na + 1, b, nb + 1);
    return 0;
}

static int write_text(const char *path, const char *text, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) {
        fprintf(stderr, "cairn demo: %s: %s\n", path, strerror(errno));
        return CAIRN_E_IO;
    }
    size_t n = strlen(text), off = 0;
    while (off < n) {
        ssize_t k = write(fd, text + off, n - off);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            fprintf(stderr, "cairn demo: %s: %s\n", path, strerror(errno));
            close(fd);
            return CAIRN_E_IO;
        }
        off += (size_t)k;
    }
    if (close(fd) != 0) {
        fprintf(stderr, "cairn demo: %s: %s\n", path, strerror(errno));
        return CAIRN_E_IO;
    }
    return 0;
}

/* Append the file at src to out, skipping its first skip bytes. */
static int append_file(FILE *out, const char *src, long skip)
{
    FILE *in = fopen(src, "rb");
    if (!in)
        return CAIRN_E_IO;
    if (skip && fseek(in, skip, SEEK_SET) != 0) {
        fclose(in);
        return CAIRN_E_IO;
    }
    char buf[65536];
    size_t n;
    int rc = 0;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, n, out) != n) {
            rc = CAIRN_E_IO;
            break;
        }
    if (ferror(in))
        rc = CAIRN_E_IO;
    fclose(in);
    return rc;
}

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    int rc = flag == FTW_DP ? rmdir(path) : unlink(path);
    if (rc != 0 && errno != ENOENT)
        fprintf(stderr, "cairn demo: cannot remove %s: %s\n", path, strerror(errno));
    return 0;
}

/* Remove the tree at path (it may be absent). */
static void rm_tree(const char *path)
{
    nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* 1 when port can be bound on 127.0.0.1 now. */
static int port_free(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return 0;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int ok = bind(fd, (struct sockaddr *)&a, sizeof a) == 0;
    close(fd);
    return ok;
}

/*
 * A hotline port for --port 0. The roster must name it before the centres
 * start, so it cannot be the kernel's pick at bind time (as the web ports
 * are). It is a free port chosen at random *below* the kernel's ephemeral
 * range (net.ipv4.ip_local_port_range): the kernel never hands those out
 * to other programs' port-0 binds and outgoing connections, so the port
 * stays ours between this check and the centre's bind unless some program
 * asks for that very port.
 */
static int free_port(void)
{
    int lo = 32768, hi = 60999;
    FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
    if (f) {
        if (fscanf(f, "%d %d", &lo, &hi) != 2 || lo < 2048 || lo > 65535)
            lo = 32768;
        fclose(f);
    }
    int first = lo > 12000 ? lo - 12000 : 1024;
    if (first < 1024)
        first = 1024;
    for (int tries = 0; tries < 200 && lo - first > 0; tries++) {
        int port = first + (int)randombytes_uniform((uint32_t)(lo - first));
        if (port_free(port))
            return port;
    }
    return -1;
}

/* A password of DEMO_PW_LEN letters and digits (no look-alikes). */
static void make_password(char out[DEMO_PW_LEN + 1])
{
    static const char alphabet[] = "abcdefghjkmnpqrstuvwxyz23456789"; /* 31 */
    for (int i = 0; i < DEMO_PW_LEN; i++)
        out[i] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
    out[DEMO_PW_LEN] = 0;
}

static void iso_utc(int64_t t_s, char *out, size_t cap)
{
    time_t t = (time_t)t_s;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ------------------------------------------------------------- feeds */

/* The scenario of v as side sees it, written as JSON to path. */
static int write_view(const struct demo_view *v, const char *path)
{
    char src[PATH_MAX];
    if (cli_scenario_path(v->scenario, src, sizeof src) != 0) {
        fprintf(stderr, "cairn demo: scenario %s not found\n", v->scenario);
        return CAIRN_E_NOTFOUND;
    }
    json_error_t e;
    json_t *s = json_load_file(src, 0, &e);
    if (!json_is_object(s)) {
        fprintf(stderr, "cairn demo: %s: %s\n", src, e.text);
        json_decref(s);
        return CAIRN_E_FORMAT;
    }
    const char *keys[] = {"radars", "adsb_receivers", "ais_receivers"};
    const char *vals[] = {v->radars, v->adsb, v->ais};
    int rc = 0;
    for (int i = 0; i < 3 && !rc; i++) {
        if (!vals[i])
            continue;
        json_t *a = json_loads(vals[i], 0, &e);
        if (!json_is_array(a) || json_object_set_new(s, keys[i], a) != 0)
            rc = CAIRN_E_FORMAT; /* a table above is wrong: a bug */
    }
    if (!rc && json_dump_file(s, path, JSON_INDENT(1)) != 0)
        rc = CAIRN_E_IO;
    json_decref(s);
    return rc;
}

static double num(const json_t *o, const char *k, double def)
{
    const json_t *v = json_object_get(o, k);
    return json_is_number(v) ? json_number_value(v) : def;
}

/* The sensor sections of the view at path, appended to ini (names already
 * emitted are skipped: two scenarios may share a receiver). */
static int sensor_sections(const char *path, struct dbuf *ini, char emitted[][PIC_NAME_MAX],
                           size_t *n_emitted)
{
    json_error_t e;
    json_t *s = json_load_file(path, 0, &e);
    if (!s)
        return CAIRN_E_FORMAT;
    const char *keys[] = {"radars", "adsb_receivers", "ais_receivers"};
    const char *kinds[] = {"radar", "adsb", "ais"};
    int rc = 0;
    for (int k = 0; k < 3 && !rc; k++) {
        size_t i;
        json_t *r;
        json_array_foreach(json_object_get(s, keys[k]), i, r)
        {
            const char *id = json_string_value(json_object_get(r, "id"));
            if (!id || strlen(id) >= PIC_NAME_MAX) {
                rc = CAIRN_E_FORMAT;
                break;
            }
            int seen = 0;
            for (size_t j = 0; j < *n_emitted; j++)
                seen |= !strcmp(emitted[j], id);
            if (seen)
                continue;
            if (*n_emitted >= DEMO_MAX_EMIT) {
                rc = CAIRN_E_FULL;
                break;
            }
            snprintf(emitted[(*n_emitted)++], PIC_NAME_MAX, "%s", id);
            dbuf_addf(ini, "[%s %s]\nlat = %.5f\nlon = %.5f\n", kinds[k], id, num(r, "lat", 0),
                      num(r, "lon", 0));
            if (k == 0)
                dbuf_addf(ini,
                          "sac = %d\nsic = %d\nalt_m = %.0f\nperiod_s = %.1f\n"
                          "range_sigma_m = %.0f\nazimuth_sigma_deg = %.3f\n",
                          (int)num(r, "sac", 0), (int)num(r, "sic", 0), num(r, "alt_m", 0),
                          num(r, "rotation_s", 10), num(r, "range_sigma_m", 60),
                          num(r, "azimuth_sigma_deg", 0.08));
        }
    }
    json_decref(s);
    return rc;
}

/* Simulate view (written at vpath) back to back from d->t0 for d->hours
 * hours into out/radar.pcap, adsb.sbs, ais.nmea (the repetitions
 * concatenated: they follow each other in time). */
static int simulate(const struct demo *d, const char *vpath, const struct demo_view *v,
                    const char *out)
{
    json_error_t e;
    json_t *s = json_load_file(vpath, 0, &e);
    double dur = s ? num(s, "duration_s", 600) : 0;
    json_decref(s);
    if (!(dur >= 10))
        return CAIRN_E_FORMAT;
    int reps = v->once ? 1 : (int)ceil(d->hours * 3600.0 / dur);
    if (reps < 1)
        reps = 1;
    if (mkdir(out, 0700) != 0 && errno != EEXIST)
        return CAIRN_E_IO;
    const char *files[] = {"radar.pcap", "adsb.sbs", "ais.nmea"};
    const long header[] = {24, 0, 0}; /* a pcap file's global header, once */
    FILE *f[3];
    char path[PATH_MAX];
    for (int i = 0; i < 3; i++) {
        path_join(path, sizeof path, out, files[i]);
        f[i] = fopen(path, "wb");
    }
    int rc = f[0] && f[1] && f[2] ? 0 : CAIRN_E_IO;
    char tmp[PATH_MAX];
    path_join(tmp, sizeof tmp, out, "rep");
    for (int k = 0; k < reps && !rc; k++) {
        char start[32], seed[16];
        iso_utc(d->t0_s + (int64_t)k * (int64_t)dur, start, sizeof start);
        snprintf(seed, sizeof seed, "%d", k + 1);
        /* options first, the scenario last: getopt keeps the ordering of
         * its first use in the process (ours: "+"), so it must not be
         * asked to permute */
        char *argv[] = {"sim",         "--out", tmp,         "--start",          start,
                        "--seed",      seed,    "--formats", (char *)v->formats, "--quiet",
                        (char *)vpath, NULL};
        if (cli_sim(11, argv) != 0) {
            fprintf(stderr, "cairn demo: cairn sim %s failed\n", v->scenario);
            rc = CAIRN_E_IO;
            break;
        }
        for (int i = 0; i < 3 && !rc; i++) {
            path_join(path, sizeof path, tmp, files[i]);
            if (file_size(path) > 0)
                rc = append_file(f[i], path, k ? header[i] : 0);
        }
        rm_tree(tmp);
    }
    for (int i = 0; i < 3; i++)
        if (f[i] && fclose(f[i]) != 0)
            rc = CAIRN_E_IO;
    return rc;
}

/* The [replay] sections for the files in out that hold something. */
static void replay_sections(const struct demo *d, struct dbuf *ini, const char *tag,
                            const char *out, const char *vpath)
{
    json_error_t e;
    json_t *s = json_load_file(vpath, 0, &e);
    const char *adsb = json_string_value(
        json_object_get(json_array_get(json_object_get(s, "adsb_receivers"), 0), "id"));
    const char *ais = json_string_value(
        json_object_get(json_array_get(json_object_get(s, "ais_receivers"), 0), "id"));
    char path[PATH_MAX];
    path_join(path, sizeof path, out, "radar.pcap");
    if (file_size(path) > 24)
        dbuf_addf(ini, "[replay %s-radar]\ninput = pcap:%s\nspeed = %g\n", tag, path, d->speed);
    path_join(path, sizeof path, out, "adsb.sbs");
    if (adsb && file_size(path) > 0)
        dbuf_addf(ini, "[replay %s-adsb]\ninput = sbs:%s\nsensor = %s\nspeed = %g\n", tag, path,
                  adsb, d->speed);
    path_join(path, sizeof path, out, "ais.nmea");
    if (ais && file_size(path) > 0)
        dbuf_addf(ini, "[replay %s-ais]\ninput = nmea:%s\nsensor = %s\nspeed = %g\n", tag, path,
                  ais, d->speed);
    json_decref(s);
}

/* ------------------------------------------------------------- set-up */

/* Keys, roster line, password and accounts of side s; the roster line is
 * appended to roster. */
static int prepare_identity(struct demo *d, struct demo_side *s, struct dbuf *roster)
{
    char sdir[PATH_MAX], path[PATH_MAX];
    if (path_join(sdir, sizeof sdir, d->dir, s->dir) || mkdir(sdir, 0700) != 0) {
        fprintf(stderr, "cairn demo: cannot create %s/%s: %s\n", d->dir, s->dir, strerror(errno));
        return CAIRN_E_IO;
    }
    path_join(path, sizeof path, sdir, "keys");
    struct hl_identity id;
    int rc = hl_identity_create(path, s->name, s->party, 30, &id);
    if (rc) {
        fprintf(stderr, "cairn demo: keys for %s: %s\n", s->name, cairn_strerror(rc));
        return rc;
    }
    char addr[32], line[1024];
    snprintf(addr, sizeof addr, "127.0.0.1:%d", s->link_port);
    rc = hl_identity_roster_line(&id, addr, line, sizeof line);
    hl_identity_wipe(&id);
    if (rc)
        return rc;
    dbuf_addf(roster, "%s", line);
    make_password(s->password);
    struct dbuf acc;
    dbuf_init(&acc, 1024);
    rc = web_passwd_line(DEMO_USER, s->password, &acc);
    if (rc == 0 && dbuf_addc(&acc, 0) == 0) {
        path_join(path, sizeof path, sdir, "accounts");
        rc = write_text(path, acc.p, 0600);
    }
    dbuf_free(&acc);
    return rc;
}

/* The pair's exchange area (geo/zones.h GeoJSON): the southern Baltic
 * between the Polish coast, Kaliningrad and Lithuania, where both sides'
 * sensors look; for the [peer] sections and the compliance summaries. */
static const char exchange_area[] =
    "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":"
    "{\"name\":\"CAI exchange area, southern Baltic (demo)\",\"kind\":\"boundary\"},"
    "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[14.0,53.5],[23.5,53.5],[23.5,"
    "57.0],[14.0,57.0],[14.0,53.5]]]}}]}\n";

/*
 * The shared picture and the procedures, for side s towards the other
 * centre (docs/centre.md has the keys):
 *
 *   [peer OTHER]   the exchange area written beside the roster, released
 *                  classes (never one's own military), a picture every 4 s
 *   [procedures]   renegade alerts notified to the other centre at once,
 *                  the compliance summaries over the same area
 */
static void demo_peer_sections(const struct demo *d, const struct demo_side *s, struct dbuf *ini)
{
    const char *other = d->side[0].name == s->name ? d->side[1].name : d->side[0].name;
    dbuf_addf(ini,
              "[peer %s]\narea = ../exchange-area.geojson\n"
              "release = civil,no_transponder,vessel,unknown\ninterval_s = 4\n",
              other);
    dbuf_addf(ini,
              "[procedures]\nrenegade_notify = %s\n"
              "compliance_area = ../exchange-area.geojson\n",
              other);
}

/* The feeds and centre.ini of side s; its journal. */
static int prepare_centre(struct demo *d, struct demo_side *s)
{
    char sdir[PATH_MAX], path[PATH_MAX], vpath[PATH_MAX], out[PATH_MAX];
    path_join(sdir, sizeof sdir, d->dir, s->dir);
    struct dbuf ini, sensors, replays;
    dbuf_init(&ini, 65536);
    dbuf_init(&sensors, 32768);
    dbuf_init(&replays, 32768);
    static char emitted[DEMO_MAX_EMIT][PIC_NAME_MAX];
    size_t n_emitted = 0;
    int rc = 0;
    char zones[PATH_MAX] = "";
    for (size_t i = 0; i <= s->n_views && !rc; i++) {
        const struct demo_view *v = i < s->n_views ? &s->views[i] : NULL;
        if (!v) { /* the recording's companion, on the Russian side */
            if (!d->data[0] || strcmp(s->party, "RU"))
                break;
            v = &spb_view;
        }
        char name[64];
        snprintf(name, sizeof name, "%s.json", v->scenario);
        path_join(vpath, sizeof vpath, sdir, name);
        path_join(out, sizeof out, sdir, v->scenario);
        rc = write_view(v, vpath);
        if (!rc)
            rc = simulate(d, vpath, v, out);
        if (!rc)
            rc = sensor_sections(vpath, &sensors, emitted, &n_emitted);
        if (!rc)
            replay_sections(d, &replays, v->scenario, out, vpath);
        if (!rc && !zones[0]) {
            char sc[PATH_MAX];
            if (cli_scenario_path(v->scenario, sc, sizeof sc) == 0) {
                char *slash = strrchr(sc, '/');
                if (slash)
                    *slash = 0;
                path_join(zones, sizeof zones, slash ? sc : ".", "baltic-zones.geojson");
                if (file_size(zones) <= 0)
                    zones[0] = 0;
            }
        }
    }
    if (!rc && d->data[0] && !strcmp(s->party, "RU")) {
        /* the real recording, placed at the demo's start */
        char rec[PATH_MAX];
        path_join(rec, sizeof rec, d->data, DEMO_RECORDING);
        dbuf_addf(&sensors, "[adsb spb-rx]\nlat = 59.95\nlon = 30.35\n");
        dbuf_addf(&replays,
                  "[replay spb-recording]\ninput = beast:%s\nsensor = spb-rx\nstart = %s\n"
                  "speed = %g\n",
                  rec, d->t0, d->speed);
    }
    if (rc) {
        fprintf(stderr, "cairn demo: the feeds of %s: %s\n", s->name, cairn_strerror(rc));
        goto out;
    }
    dbuf_addf(&ini,
              "; %s (%s) of the cairn demo, made by `cairn demo` on %s\n"
              "[centre]\nname = %s\nparty = %s\n"
              "; its fighters' Mode 3/A codes (a block the demo assigns to its military)\n"
              "military = %s\n"
              "[web]\nlisten = 127.0.0.1:%d\naccounts = accounts\nport_file = web.port\n",
              s->name, s->party, d->t0, s->name, s->party, s->military,
              d->port_base ? s->web_port : 0);
    if (d->ui[0])
        dbuf_addf(&ini, "static_dir = %s\n", d->ui);
    dbuf_addf(&ini, "[picture]\ncycle_ms = 1000\n");
    if (zones[0])
        dbuf_addf(&ini, "zones = %s\n", zones);
    dbuf_addf(&ini,
              "[hotline]\nkeys = keys\nroster = ../roster.ini\njournal = journal.db\n"
              "listen = 127.0.0.1:%d\ncase_check_ms = 1000\n",
              s->link_port);
    if (d->deadline_s > 0 && !strcmp(s->party, "NATO"))
        dbuf_addf(&ini, "explanation_deadline_s = %ld\n", d->deadline_s);
    dbuf_addf(&ini, "; the sensors of its side (cairn sim's scenarios, docs/demo.md)\n");
    dbuf_add(&ini, sensors.p, sensors.len);
    dbuf_add(&ini, replays.p, replays.len);
    demo_peer_sections(d, s, &ini);
    dbuf_addc(&ini, 0);
    /* The INI reader refuses lines over 200 bytes: say which, plainly. */
    for (const char *p = ini.p; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        if (n > DEMO_LINE_MAX) {
            fprintf(stderr, "cairn demo: a path is too long for the centre's configuration: %.*s\n",
                    (int)n, p);
            rc = CAIRN_E_RANGE;
            goto out;
        }
        p += n + (nl != NULL);
    }
    path_join(path, sizeof path, sdir, "centre.ini");
    if ((rc = write_text(path, ini.p, 0600)) != 0)
        goto out;
    /* read back as `cairn run` will, and the journal created from it */
    static struct app_config cfg;
    char err[512];
    if ((rc = app_config_load(path, &cfg, err, sizeof err)) != 0) {
        fprintf(stderr, "cairn demo: the generated %s: %s\n", path, err);
        goto out;
    }
    if ((rc = hl_daemon_init_journal(&cfg.hotline)) != 0)
        fprintf(stderr, "cairn demo: the journal of %s: %s\n", s->name, cairn_strerror(rc));
out:
    dbuf_free(&ini);
    dbuf_free(&sensors);
    dbuf_free(&replays);
    return rc;
}

/* A SIGINT, SIGTERM or SIGHUP pending (they are blocked: cli_demo). */
static int stop_requested(void)
{
    sigset_t p;
    return sigpending(&p) == 0 &&
           (sigismember(&p, SIGINT) || sigismember(&p, SIGTERM) || sigismember(&p, SIGHUP));
}

static int prepare(struct demo *d)
{
    int rc = 0;
    for (int i = 0; i < DEMO_SIDES; i++) {
        struct demo_side *s = &d->side[i];
        if (d->port_base) {
            s->web_port = d->port_base + i;
            s->link_port = d->port_base + DEMO_SIDES + i;
        } else {
            s->web_port = 0;
            do /* the two must differ */
                s->link_port = free_port();
            while (i > 0 && s->link_port == d->side[0].link_port);
            if (s->link_port <= 0) {
                fprintf(stderr, "cairn demo: no free port for the hotline\n");
                return CAIRN_E_IO;
            }
        }
    }
    struct dbuf roster;
    dbuf_init(&roster, 4096);
    for (int i = 0; i < DEMO_SIDES && !rc; i++)
        rc = prepare_identity(d, &d->side[i], &roster);
    char path[PATH_MAX];
    if (!rc && dbuf_addc(&roster, 0) == 0 &&
        path_join(path, sizeof path, d->dir, "roster.ini") == 0)
        rc = write_text(path, roster.p, 0600);
    if (!rc && path_join(path, sizeof path, d->dir, "exchange-area.geojson") == 0)
        rc = write_text(path, exchange_area, 0600);
    dbuf_free(&roster);
    for (int i = 0; i < DEMO_SIDES && !rc; i++) {
        if (stop_requested()) /* preparing takes seconds: a Ctrl-C need not wait */
            return DEMO_INTERRUPTED;
        rc = prepare_centre(d, &d->side[i]);
    }
    return rc;
}

/* ------------------------------------------------------------ children */

static int start_centre(struct demo *d, struct demo_side *s, const sigset_t *old_mask)
{
    char sdir[PATH_MAX], ini[PATH_MAX], log[PATH_MAX];
    path_join(sdir, sizeof sdir, d->dir, s->dir);
    path_join(ini, sizeof ini, sdir, "centre.ini");
    path_join(log, sizeof log, sdir, "centre.log");
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "cairn demo: fork: %s\n", strerror(errno));
        return CAIRN_E_IO;
    }
    if (pid == 0) {
        setpgid(0, 0); /* the terminal's Ctrl-C reaches the parent only */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent)
            _exit(1);
        int null = open("/dev/null", O_RDONLY);
        if (null >= 0) {
            dup2(null, STDIN_FILENO);
            close(null);
        }
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (fd >= 0) {
            dup2(fd, STDOUT_FILENO);
            if (!d->verbose)
                dup2(fd, STDERR_FILENO);
            close(fd);
        }
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGCHLD, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        sigprocmask(SIG_SETMASK, old_mask, NULL);
        char *argv[] = {"cairn", "run", "-c", ini, NULL};
        execv(d->self, argv);
        _exit(127);
    }
    setpgid(pid, pid); /* both sides, so there is no window */
    s->pid = pid;
    return 0;
}

/* Reap whichever children have ended (no wait). */
static void reap_ended(struct demo *d)
{
    for (int i = 0; i < DEMO_SIDES; i++) {
        struct demo_side *s = &d->side[i];
        if (s->pid > 0 && !s->reaped && waitpid(s->pid, &s->status, WNOHANG) == s->pid)
            s->reaped = 1;
    }
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for a signal in set for up to ms; the signal, or 0. */
static int wait_signal(const sigset_t *set, int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    int sig = sigtimedwait(set, NULL, &ts);
    return sig > 0 ? sig : 0;
}

/* D1: SIGTERM to every child still running, wait, then SIGKILL. */
static void stop_centres(struct demo *d, const sigset_t *set)
{
    for (int i = 0; i < DEMO_SIDES; i++) {
        struct demo_side *s = &d->side[i];
        if (s->pid > 0 && !s->reaped)
            kill(s->pid, SIGTERM);
    }
    int64_t end = mono_ms() + DEMO_STOP_MS;
    for (;;) {
        reap_ended(d);
        int running = 0;
        for (int i = 0; i < DEMO_SIDES; i++)
            running += d->side[i].pid > 0 && !d->side[i].reaped;
        if (!running)
            return;
        int64_t left = end - mono_ms();
        if (left <= 0)
            break;
        (void)wait_signal(set, left > 200 ? 200 : (int)left);
    }
    for (int i = 0; i < DEMO_SIDES; i++) {
        struct demo_side *s = &d->side[i];
        if (s->pid > 0 && !s->reaped) {
            fprintf(stderr, "cairn demo: %s did not stop within %d ms: killed\n", s->name,
                    DEMO_STOP_MS);
            kill(s->pid, SIGKILL);
            if (waitpid(s->pid, &s->status, 0) == s->pid)
                s->reaped = 1;
        }
    }
}

/* The last lines of side s's log, to say why it failed. */
static void show_log_tail(const struct demo *d, const struct demo_side *s)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s/centre.log", d->dir, s->dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    static char buf[4096];
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, n > (long)sizeof buf - 1 ? n - (long)sizeof buf + 1 : 0, SEEK_SET);
    size_t k = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[k] = 0;
    fprintf(stderr, "cairn demo: the end of %s's log (%s):\n", s->name, path);
    for (size_t i = 0; i < k; i++) /* the log is the centre's: printable already, but be sure */
        if ((unsigned char)buf[i] < 0x20 && buf[i] != '\n')
            buf[i] = '?';
    fputs(buf, stderr);
}

/* The port in side s's port file, 0 while it is not there. */
static int read_port(const struct demo *d, const struct demo_side *s)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s/web.port", d->dir, s->dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    int port = 0;
    if (fscanf(f, "%d", &port) != 1 || port <= 0 || port > 65535)
        port = 0;
    fclose(f);
    return port;
}

/* D3: the ports file, whole or not at all. */
static int write_ports_file(const struct demo *d)
{
    json_t *o = json_object(), *cs = json_array();
    json_object_set_new(o, "dir", json_string(d->dir));
    json_object_set_new(o, "pid", json_integer(getpid()));
    json_object_set_new(o, "speed", json_real(d->speed));
    json_object_set_new(o, "start", json_string(d->t0));
    json_object_set_new(o, "recording", json_boolean(d->data[0] != 0));
    for (int i = 0; i < DEMO_SIDES; i++) {
        const struct demo_side *s = &d->side[i];
        char url[64], p[PATH_MAX];
        snprintf(url, sizeof url, "http://127.0.0.1:%d", s->web_port);
        json_t *c = json_object();
        json_object_set_new(c, "name", json_string(s->name));
        json_object_set_new(c, "party", json_string(s->party));
        json_object_set_new(c, "url", json_string(url));
        json_object_set_new(c, "port", json_integer(s->web_port));
        json_object_set_new(c, "user", json_string(DEMO_USER));
        json_object_set_new(c, "password", json_string(s->password));
        json_object_set_new(c, "link_port", json_integer(s->link_port));
        json_object_set_new(c, "pid", json_integer(s->pid));
        snprintf(p, sizeof p, "%s/%s/centre.ini", d->dir, s->dir);
        json_object_set_new(c, "config", json_string(p));
        snprintf(p, sizeof p, "%s/%s/centre.log", d->dir, s->dir);
        json_object_set_new(c, "log", json_string(p));
        json_object_set_new(c, "explanation_deadline_s",
                            json_integer(d->deadline_s > 0 && !strcmp(s->party, "NATO")
                                             ? d->deadline_s
                                             : 48 * 3600));
        json_array_append_new(cs, c);
    }
    json_object_set_new(o, "centres", cs);
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s.tmp", d->ports_file);
    int rc = json_dump_file(o, tmp, JSON_INDENT(1)) == 0 && rename(tmp, d->ports_file) == 0
                 ? 0
                 : CAIRN_E_IO;
    json_decref(o);
    if (rc) {
        fprintf(stderr, "cairn demo: cannot write %s: %s\n", d->ports_file, strerror(errno));
        unlink(tmp);
    }
    return rc;
}

/* ---------------------------------------------------------------- run */

static void demo_usage(FILE *f)
{
    fprintf(f, "usage: cairn demo [--dir DIR] [--keep] [--port-base N | --port 0] [--speed X]\n"
               "                  [--hours H] [--data DIR | --no-data] [--ui DIR | --no-ui]\n"
               "                  [--ports-file FILE] [--deadline-s N] [--verbose]\n"
               "Runs two coordination centres of one CAI pair on 127.0.0.1, WARSAW-CC (NATO)\n"
               "and KALININGRAD-CC (RU), each a `cairn run` of its own, fed by the shipped\n"
               "Baltic scenarios (and the St Petersburg recording when the reference data is\n"
               "there), their hotlines joined; prints each console's address and login:\n"
               "  console: http://127.0.0.1:PORT user NAME password PASSWORD\n"
               "and runs until Ctrl-C or SIGTERM, which stop both centres (docs/demo.md).\n\n"
               "  --dir DIR        the scratch folder (absent or empty; default: a new one in\n"
               "                   $TMPDIR or /tmp), removed at exit unless --keep\n"
               "  --keep           leave the scratch folder (keys, journals, logs, feeds)\n"
               "  --port-base N    web ports N, N+1, hotline ports N+2, N+3 (default 8080)\n"
               "  --port 0         free ports, chosen at start (printed, and in --ports-file)\n"
               "  --speed X        data seconds per wall second, 0.01 to 100 (default 1)\n"
               "  --hours H        hours of simulated traffic, 1 to 24 (default 4)\n"
               "  --data DIR       the reference data (default ../shared/data when present)\n"
               "  --no-data        simulated traffic only\n"
               "  --ui DIR         the console's files (default ui/dist when present)\n"
               "  --no-ui          serve no console files (the API only)\n"
               "  --ports-file F   once both centres listen, write F: JSON with each centre's\n"
               "                   name, party, url, port, user, password, pid, config, log\n"
               "  --deadline-s N   WARSAW-CC's EXPLANATION_REQUEST cases are due in N s\n"
               "                   instead of 48 h (for tests; KALININGRAD-CC keeps 48 h)\n"
               "  --verbose        the centres' logs on standard error too\n"
               "Exit status: 0 after a clean stop, 1 when a centre failed, 2 on a usage error.\n");
}

static int parse_opts(struct demo *d, int argc, char **argv)
{
    static const struct option lopts[] = {{"dir", required_argument, NULL, 'd'},
                                          {"keep", no_argument, NULL, 'k'},
                                          {"port-base", required_argument, NULL, 'p'},
                                          {"port", required_argument, NULL, 'P'},
                                          {"speed", required_argument, NULL, 's'},
                                          {"hours", required_argument, NULL, 'H'},
                                          {"data", required_argument, NULL, 'D'},
                                          {"no-data", no_argument, NULL, 'n'},
                                          {"ui", required_argument, NULL, 'u'},
                                          {"no-ui", no_argument, NULL, 'U'},
                                          {"ports-file", required_argument, NULL, 'f'},
                                          {"deadline-s", required_argument, NULL, 't'},
                                          {"verbose", no_argument, NULL, 'v'},
                                          {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
    int ch, no_data = 0, no_ui = 0;
    const char *data = NULL, *ui = NULL;
    optind = 1;
    opterr = 0;
    d->port_base = 8080;
    d->speed = 1;
    d->hours = 4;
    while ((ch = getopt_long(argc, argv, "+hv", lopts, NULL)) != -1) {
        char *end = NULL;
        long v;
        switch (ch) {
        case 'd':
            if (strlen(optarg) >= 128) {
                fprintf(stderr, "cairn demo: --dir: at most 127 bytes\n");
                return 2;
            }
            snprintf(d->dir, sizeof d->dir, "%s", optarg);
            break;
        case 'k':
            d->keep = 1;
            break;
        case 'p':
        case 'P':
            v = strtol(optarg, &end, 10);
            if (end == optarg || *end || (ch == 'P' && v != 0) ||
                (ch == 'p' && v != 0 && (v < 1024 || v > 65535 - 3))) {
                fprintf(stderr, "cairn demo: --port-base wants 1024 to 65532 (or --port 0)\n");
                return 2;
            }
            d->port_base = (int)v;
            break;
        case 's':
            d->speed = strtod(optarg, &end);
            if (end == optarg || *end || !(d->speed >= 0.01 && d->speed <= 100)) {
                fprintf(stderr, "cairn demo: --speed wants 0.01 to 100\n");
                return 2;
            }
            break;
        case 'H':
            v = strtol(optarg, &end, 10);
            if (end == optarg || *end || v < 1 || v > 24) {
                fprintf(stderr, "cairn demo: --hours wants 1 to 24\n");
                return 2;
            }
            d->hours = (int)v;
            break;
        case 'D':
            data = optarg;
            break;
        case 'n':
            no_data = 1;
            break;
        case 'u':
            ui = optarg;
            break;
        case 'U':
            no_ui = 1;
            break;
        case 'f':
            d->ports_file = optarg;
            break;
        case 't':
            v = strtol(optarg, &end, 10);
            if (end == optarg || *end || v < 1 || v > 48 * 3600) {
                fprintf(stderr, "cairn demo: --deadline-s wants 1 to 172800\n");
                return 2;
            }
            d->deadline_s = v;
            break;
        case 'v':
            d->verbose = 1;
            break;
        case 'h':
            demo_usage(stdout);
            return 0;
        default:
            fprintf(stderr, "cairn demo: unknown option or missing value (see --help)\n");
            return 2;
        }
    }
    if (optind != argc) {
        demo_usage(stderr);
        return 2;
    }
    /* the reference data: given (it must be there), or ../shared/data if it is */
    if (!no_data) {
        const char *cand = data ? data : "../shared/data";
        char rec[PATH_MAX];
        snprintf(rec, sizeof rec, "%s/%s", cand, DEMO_RECORDING);
        if (file_size(rec) > 0 && realpath(cand, d->data)) {
            ;
        } else if (data) {
            fprintf(stderr, "cairn demo: --data %s: no %s there\n", data, DEMO_RECORDING);
            return 2;
        } else {
            d->data[0] = 0;
        }
    }
    if (!no_ui) {
        const char *cand = ui ? ui : "ui/dist";
        char index[PATH_MAX];
        snprintf(index, sizeof index, "%s/index.html", cand);
        if (file_size(index) > 0 && realpath(cand, d->ui)) {
            ;
        } else if (ui) {
            fprintf(stderr, "cairn demo: --ui %s: no index.html there\n", ui);
            return 2;
        } else {
            d->ui[0] = 0;
        }
    }
    return -1; /* go on */
}

/* The scratch folder: --dir (absent or empty) or a new one. */
static int make_dir(struct demo *d)
{
    if (!d->dir[0]) {
        const char *t = getenv("TMPDIR");
        if (!t || !*t || strlen(t) > 100)
            t = "/tmp";
        snprintf(d->dir, sizeof d->dir, "%s/cairn-demo-XXXXXX", t);
        if (!mkdtemp(d->dir)) {
            fprintf(stderr, "cairn demo: cannot make a folder in %s: %s\n", t, strerror(errno));
            return CAIRN_E_IO;
        }
        d->made_dir = 1;
    } else if (mkdir(d->dir, 0700) == 0) {
        d->made_dir = 1;
    } else if (errno == EEXIST) {
        char probe[PATH_MAX];
        int empty = 1;
        for (int i = 0; i < DEMO_SIDES; i++) {
            path_join(probe, sizeof probe, d->dir, d->side[i].dir);
            if (access(probe, F_OK) == 0)
                empty = 0;
        }
        path_join(probe, sizeof probe, d->dir, "roster.ini");
        if (access(probe, F_OK) == 0)
            empty = 0;
        path_join(probe, sizeof probe, d->dir, "exchange-area.geojson");
        if (access(probe, F_OK) == 0)
            empty = 0;
        if (!empty) {
            fprintf(stderr, "cairn demo: %s holds an earlier demo: remove it or name another\n",
                    d->dir);
            return CAIRN_E_EXISTS;
        }
    } else {
        fprintf(stderr, "cairn demo: cannot create %s: %s\n", d->dir, strerror(errno));
        return CAIRN_E_IO;
    }
    char abs[PATH_MAX];
    if (!realpath(d->dir, abs) || strlen(abs) >= 128) {
        fprintf(stderr, "cairn demo: %s: unusable (its full path must be under 128 bytes)\n",
                d->dir);
        if (d->made_dir)
            rmdir(d->dir);
        return CAIRN_E_RANGE;
    }
    memcpy(d->dir, abs, strlen(abs) + 1); /* under 128 bytes: checked above */
    return 0;
}

/* D2 */
static void clean_dir(const struct demo *d)
{
    if (d->keep) {
        fprintf(stderr, "cairn demo: kept %s\n", d->dir);
        return;
    }
    if (d->made_dir) {
        rm_tree(d->dir);
        return;
    }
    char p[PATH_MAX];
    for (int i = 0; i < DEMO_SIDES; i++) {
        path_join(p, sizeof p, d->dir, d->side[i].dir);
        rm_tree(p);
    }
    path_join(p, sizeof p, d->dir, "roster.ini");
    unlink(p);
    path_join(p, sizeof p, d->dir, "exchange-area.geojson");
    unlink(p);
}

int cli_demo(int argc, char **argv)
{
    static struct demo d;
    memset(&d, 0, sizeof d);
    d.side[0] = (struct demo_side){.name = "WARSAW-CC",
                                   .party = "NATO",
                                   .dir = "warsaw",
                                   /* the Polish fighters of vigilant-skies (0401) */
                                   .military = "A0401-A0407",
                                   .views = nato_views,
                                   .n_views = sizeof nato_views / sizeof nato_views[0]};
    d.side[1] = (struct demo_side){.name = "KALININGRAD-CC",
                                   .party = "RU",
                                   .dir = "kaliningrad",
                                   /* the Russian fighters of vigilant-skies (6101) */
                                   .military = "A6101-A6107",
                                   .views = ru_views,
                                   .n_views = sizeof ru_views / sizeof ru_views[0]};
    int rc = parse_opts(&d, argc, argv);
    if (rc >= 0)
        return rc;
    if (sodium_init() < 0) {
        fprintf(stderr, "cairn demo: libsodium does not start\n");
        return 1;
    }
    ssize_t n = readlink("/proc/self/exe", d.self, sizeof d.self - 1);
    if (n <= 0) {
        fprintf(stderr, "cairn demo: cannot find its own binary: %s\n", strerror(errno));
        return 1;
    }
    d.self[n] = 0;
    d.t0_s = (int64_t)time(NULL);
    iso_utc(d.t0_s, d.t0, sizeof d.t0);
    signal(SIGPIPE, SIG_IGN);
    /* The signals the parent waits for are blocked from here on and taken
     * with sigtimedwait: no handler, no race between a check and a wait. */
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGCHLD);
    sigprocmask(SIG_BLOCK, &set, &old);
    umask(077);
    if (make_dir(&d) != 0) {
        sigprocmask(SIG_SETMASK, &old, NULL);
        return 1;
    }
    fprintf(stderr, "cairn demo: preparing two centres in %s (%d h of traffic from %s, x%g%s)\n",
            d.dir, d.hours, d.t0, d.speed, d.data[0] ? ", with the St Petersburg recording" : "");
    int status = 1, stopped_by_signal = 0;
    if ((rc = prepare(&d)) != 0) {
        if (rc == DEMO_INTERRUPTED) {
            fprintf(stderr, "cairn demo: stopped while preparing\n");
            status = 0;
        }
        goto out;
    }
    for (int i = 0; i < DEMO_SIDES; i++)
        if (start_centre(&d, &d.side[i], &old) != 0)
            goto stop;
    /* D3: both listening, or the demo fails with the failing one's log */
    int64_t end = mono_ms() + DEMO_UP_MS;
    for (;;) {
        int up = 0;
        for (int i = 0; i < DEMO_SIDES; i++) {
            int p = read_port(&d, &d.side[i]);
            if (p) {
                d.side[i].web_port = p;
                d.side[i].web_port_seen = 1;
                up++;
            }
        }
        if (up == DEMO_SIDES)
            break;
        reap_ended(&d);
        for (int i = 0; i < DEMO_SIDES; i++)
            if (d.side[i].reaped) {
                fprintf(stderr, "cairn demo: %s ended before it was up\n", d.side[i].name);
                show_log_tail(&d, &d.side[i]);
                if (d.port_base)
                    fprintf(stderr,
                            "cairn demo: if a port was in use (%d-%d): --port-base N picks "
                            "others, --port 0 free ones\n",
                            d.port_base, d.port_base + 2 * DEMO_SIDES - 1);
                goto stop;
            }
        if (mono_ms() > end) {
            fprintf(stderr, "cairn demo: the centres are not up after %d s\n", DEMO_UP_MS / 1000);
            goto stop;
        }
        int sig = wait_signal(&set, 100);
        if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP) {
            stopped_by_signal = 1;
            goto stop;
        }
    }
    if (d.ports_file && write_ports_file(&d) != 0)
        goto stop;
    for (int i = 0; i < DEMO_SIDES; i++) {
        const struct demo_side *s = &d.side[i];
        printf("%s (%s), hotline on 127.0.0.1:%d, log %s/%s/centre.log\n", s->name, s->party,
               s->link_port, d.dir, s->dir);
        printf("console: http://127.0.0.1:%d user %s password %s\n", s->web_port, DEMO_USER,
               s->password);
    }
    printf("cairn demo: running; Ctrl-C stops both centres\n");
    fflush(stdout);
    for (;;) {
        int sig = wait_signal(&set, 1000);
        if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP) {
            fprintf(stderr, "cairn demo: signal %d: stopping both centres\n", sig);
            stopped_by_signal = 1;
            break;
        }
        reap_ended(&d);
        int dead = -1;
        for (int i = 0; i < DEMO_SIDES; i++)
            if (d.side[i].reaped)
                dead = i;
        if (dead >= 0) {
            fprintf(stderr, "cairn demo: %s ended on its own: stopping the other\n",
                    d.side[dead].name);
            show_log_tail(&d, &d.side[dead]);
            break;
        }
    }
stop:
    stop_centres(&d, &set);
    if (stopped_by_signal) {
        status = 0;
        for (int i = 0; i < DEMO_SIDES; i++) {
            const struct demo_side *s = &d.side[i];
            /* a centre stopped before it was up may have had no handler yet */
            int clean =
                (WIFEXITED(s->status) && WEXITSTATUS(s->status) == 0) ||
                (!s->web_port_seen && WIFSIGNALED(s->status) && WTERMSIG(s->status) == SIGTERM);
            if (s->pid > 0 && !clean) {
                fprintf(stderr, "cairn demo: %s did not stop cleanly (status 0x%x)\n", s->name,
                        (unsigned)s->status);
                status = 1;
            }
        }
    }
out:
    if (d.ports_file && !d.keep)
        unlink(d.ports_file);
    clean_dir(&d);
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (status == 0)
        fprintf(stderr, "cairn demo: stopped\n");
    return status;
}
