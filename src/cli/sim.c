/*
 * sim.c — `cairn sim`: run a scenario and write its feeds and truth into a
 * folder (src/sim/sim.h, src/sim/out.h; docs/sim.md is the manual).
 *
 * A scenario is a file path (contains '/' or ends in .json) or a name
 * looked up as NAME.json in, in order: $CAIRN_SCENARIOS, the folder set at
 * build time (CAIRN_SCENARIO_DIR, the source tree's scenarios/), then
 * scenarios/ and ../share/cairn/scenarios/ beside the binary.
 *
 * Live outputs (loopback only, 127.0.0.1): --udp-asterix PORT sends each
 * ASTERIX data block of radar.pcap as one datagram, --udp-ais PORT each AIS
 * message (its sentences) as one datagram, --tcp-beast PORT (0: any free
 * port, printed on standard output as "beast 127.0.0.1:PORT") serves the
 * Beast stream to up to LIVE_MAX_CLIENTS clients and waits up to
 * LIVE_WAIT_S for the first one before the simulation starts. With any live
 * output the run is paced: a report at scenario time t leaves at wall-clock
 * start + t / --speed (default 1). The files are written as well.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <time.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/error.h"
#include "cli/cli.h"
#include "decode/modes/beast.h"
#include "sim/out.h"
#include "sim/scenario.h"
#include "sim/sim.h"

#ifndef CAIRN_SCENARIO_DIR
#define CAIRN_SCENARIO_DIR "scenarios"
#endif

#define LIVE_MAX_CLIENTS 8  /* Beast clients served at once */
#define LIVE_WAIT_S      10 /* seconds to wait for the first Beast client */

/* A scenario file (a regular file) is read whole; 64 MB is far beyond any
 * hand-written one. */
#define SCENARIO_MAX_BYTES (64u << 20)

static void usage(FILE *f)
{
    fprintf(
        f, "usage: cairn sim SCENARIO --out DIR [--seed N] [--start UTC] [--duration S]\n"
           "                 [--aircraft N] [--vessels M] [--formats LIST] [--quiet]\n"
           "                 [--udp-asterix PORT] [--udp-ais PORT] [--tcp-beast PORT] [--speed X]\n"
           "       cairn sim --list\n\n"
           "SCENARIO is a .json file or the name of a shipped one (malmo-2014,\n"
           "vigilant-skies-2011, baltic-sea, bering-strait, stpetersburg-dark, load).\n"
           "  --out DIR       folder for radar.pcap adsb.beast adsb.avr adsb.sbs ais.nmea\n"
           "                  truth.jsonl (created if missing)\n"
           "  --seed N        random seed (default 1); same seed, same bytes\n"
           "  --start UTC     override the start, e.g. 2014-03-03T13:00:00Z\n"
           "  --duration S    override the duration in seconds\n"
           "  --aircraft N, --vessels M   movers of a scenario with a load section\n"
           "  --formats LIST  comma list of radar,beast,avr,sbs,ais,truth (default all)\n"
           "  --quiet         no summary on standard error\n"
           "  --udp-asterix PORT, --udp-ais PORT   also send to 127.0.0.1:PORT (UDP)\n"
           "  --tcp-beast PORT  also serve Beast on 127.0.0.1:PORT (0: any free port,\n"
           "                  printed); waits up to 10 s for the first client\n"
           "  --speed X       with live outputs: X times real time (default 1, 0: no pacing)\n");
}

/* Directories searched for NAME.json, in order (see the file comment). */
static int find_scenario(const char *name, char *path, size_t cap);
static int valid_name(const char *s);

int cli_scenario_path(const char *arg, char *path, size_t cap)
{
    size_t alen = strlen(arg);
    if (strchr(arg, '/') || (alen > 5 && !strcmp(arg + alen - 5, ".json"))) {
        if (snprintf(path, cap, "%s", arg) >= (int)cap)
            return CAIRN_E_INVAL;
        return 0;
    }
    if (!valid_name(arg))
        return CAIRN_E_INVAL;
    return find_scenario(arg, path, cap);
}

static int find_scenario(const char *name, char *path, size_t cap)
{
    char exe[PATH_MAX], dirs[4][PATH_MAX];
    size_t nd = 0;
    const char *env = getenv("CAIRN_SCENARIOS");
    if (env && *env)
        snprintf(dirs[nd++], PATH_MAX, "%s", env);
    snprintf(dirs[nd++], PATH_MAX, "%s", CAIRN_SCENARIO_DIR);
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = 0;
            snprintf(dirs[nd++], PATH_MAX, "%.*s/scenarios", PATH_MAX - 16, exe);
            snprintf(dirs[nd++], PATH_MAX, "%.*s/../share/cairn/scenarios", PATH_MAX - 32, exe);
        }
    }
    for (size_t i = 0; i < nd; i++) {
        struct stat sb;
        if (snprintf(path, cap, "%s/%s.json", dirs[i], name) < (int)cap && stat(path, &sb) == 0)
            return 0;
    }
    return CAIRN_E_NOTFOUND;
}

static int valid_name(const char *s)
{
    if (!*s || strlen(s) > 64)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '-' || *s == '_'))
            return 0;
    return 1;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct stat sb;
    int e = 0;
    if (fstat(fileno(f), &sb) != 0)
        e = errno;
    else if (!S_ISREG(sb.st_mode))
        e = EISDIR; /* a folder, a pipe, a device: not a scenario file */
    else if (sb.st_size > SCENARIO_MAX_BYTES)
        e = EFBIG;
    if (e) {
        fclose(f);
        errno = e;
        return NULL;
    }
    size_t want = (size_t)sb.st_size;
    char *buf = malloc(want + 1);
    size_t n = buf ? fread(buf, 1, want + 1, f) : 0;
    int bad = !buf || ferror(f) || n != want; /* changed while read: refuse */
    fclose(f);
    if (bad) {
        free(buf);
        errno = buf ? EIO : ENOMEM;
        return NULL;
    }
    *len = n;
    return buf;
}

static int parse_formats(const char *s, unsigned *out)
{
    static const struct {
        const char *name;
        unsigned bit;
    } names[] = {{"radar", SIM_OUT_RADAR}, {"beast", SIM_OUT_BEAST}, {"avr", SIM_OUT_AVR},
                 {"sbs", SIM_OUT_SBS},     {"ais", SIM_OUT_AIS},     {"truth", SIM_OUT_TRUTH},
                 {"all", SIM_OUT_ALL}};
    *out = 0;
    while (*s) {
        size_t n = strcspn(s, ",");
        int ok = 0;
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
            if (strlen(names[i].name) == n && !strncmp(names[i].name, s, n)) {
                *out |= names[i].bit;
                ok = 1;
            }
        if (!ok)
            return CAIRN_E_INVAL;
        s += n;
        if (*s == ',')
            s++;
    }
    return *out ? 0 : CAIRN_E_INVAL;
}

static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    char *end;
    errno = 0;
    if (!*s || *s == '-')
        return CAIRN_E_INVAL;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v > max)
        return CAIRN_E_INVAL;
    *out = v;
    return 0;
}

static double now_s(void);

/* ------------------------------------------------------------ live outputs */

struct live {
    struct sim_sink file; /* the file writers, called first */
    int udp_fd;
    struct sockaddr_in ax_to, ais_to;
    int has_ax, has_ais;
    int lst_fd;
    int clients[LIVE_MAX_CLIENTS];
    size_t n_clients;
    double speed, wall0;
    int64_t start_ms;
    uint64_t counter0;
};

/* Sleep until the report at t_ms is due. */
static void live_pace(struct live *lv, int64_t t_ms)
{
    if (lv->speed <= 0)
        return;
    double due = lv->wall0 + (double)(t_ms - lv->start_ms) / 1000.0 / lv->speed;
    double d = due - now_s();
    if (d > 0) {
        struct timespec ts = {(time_t)d, (long)((d - floor(d)) * 1e9)};
        nanosleep(&ts, NULL);
    }
}

static void live_accept(struct live *lv)
{
    for (;;) {
        int fd = accept(lv->lst_fd, NULL, NULL);
        if (fd < 0)
            return;
        if (lv->n_clients == LIVE_MAX_CLIENTS) {
            close(fd);
            continue;
        }
        lv->clients[lv->n_clients++] = fd;
    }
}

static int l_truth(void *user, int64_t t_ms, const struct sim_mover *m, const struct sim_state *st)
{
    struct live *lv = user;
    return lv->file.truth ? lv->file.truth(lv->file.user, t_ms, m, st) : 0;
}

static int l_radar(void *user, const struct sim_radar *r, const struct sim_radar_rec *rec)
{
    struct live *lv = user;
    int rc = lv->file.radar ? lv->file.radar(lv->file.user, r, rec) : 0;
    if (rc || !lv->has_ax)
        return rc;
    live_pace(lv, rec->t_ms);
    uint8_t blk[3 + AX_TYPED_MAX_RECORD];
    blk[0] = rec->cat;
    blk[1] = (uint8_t)((3 + rec->len) >> 8);
    blk[2] = (uint8_t)(3 + rec->len);
    memcpy(blk + 3, rec->rec, rec->len);
    /* UDP to loopback: a lost datagram is the receiver's business */
    (void)sendto(lv->udp_fd, blk, 3u + rec->len, 0, (struct sockaddr *)&lv->ax_to,
                 sizeof lv->ax_to);
    return 0;
}

static int l_adsb(void *user, const struct sim_mover *m, const struct sim_adsb *a)
{
    struct live *lv = user;
    int rc = lv->file.adsb ? lv->file.adsb(lv->file.user, m, a) : 0;
    if (rc || lv->lst_fd < 0)
        return rc;
    live_pace(lv, a->t_ms);
    live_accept(lv);
    struct modes_frame f;
    memset(&f, 0, sizeof f);
    memcpy(f.data, a->frame, 14);
    f.len = 14;
    f.has_ts = 1;
    f.signal = 0xA0;
    f.ts_12mhz = (lv->counter0 + (uint64_t)(a->t_ms - lv->start_ms) * 12000u) & 0xFFFFFFFFFFFFull;
    uint8_t b[BEAST_MAX_WIRE];
    int n = beast_encode(&f, b);
    for (size_t i = 0; n > 0 && i < lv->n_clients;) {
        if (send(lv->clients[i], b, (size_t)n, MSG_NOSIGNAL) != n) {
            close(lv->clients[i]); /* gone or too slow: dropped */
            lv->clients[i] = lv->clients[--lv->n_clients];
            continue;
        }
        i++;
    }
    return 0;
}

static int l_ais(void *user, const struct sim_mover *m, const struct sim_ais *a)
{
    struct live *lv = user;
    int rc = lv->file.ais ? lv->file.ais(lv->file.user, m, a) : 0;
    if (rc || !lv->has_ais)
        return rc;
    live_pace(lv, a->t_ms);
    (void)sendto(lv->udp_fd, a->text, a->len, 0, (struct sockaddr *)&lv->ais_to, sizeof lv->ais_to);
    return 0;
}

static void loopback(struct sockaddr_in *sa, uint16_t port)
{
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_port = htons(port);
    sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
}

/* Open what was asked for; 0 or -1 with a message printed. */
static int live_open(struct live *lv, long ax_port, long ais_port, long beast_port)
{
    lv->udp_fd = lv->lst_fd = -1;
    if (ax_port >= 0 || ais_port >= 0) {
        lv->udp_fd = socket(AF_INET, SOCK_DGRAM, 0);
        if (lv->udp_fd < 0) {
            fprintf(stderr, "cairn sim: socket: %s\n", strerror(errno));
            return -1;
        }
        lv->has_ax = ax_port >= 0;
        lv->has_ais = ais_port >= 0;
        loopback(&lv->ax_to, (uint16_t)(ax_port > 0 ? ax_port : 0));
        loopback(&lv->ais_to, (uint16_t)(ais_port > 0 ? ais_port : 0));
    }
    if (beast_port >= 0) {
        struct sockaddr_in sa;
        socklen_t sl = sizeof sa;
        int one = 1;
        loopback(&sa, (uint16_t)beast_port);
        lv->lst_fd = socket(AF_INET, SOCK_STREAM, 0);
        if (lv->lst_fd < 0 || setsockopt(lv->lst_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) ||
            bind(lv->lst_fd, (struct sockaddr *)&sa, sizeof sa) || listen(lv->lst_fd, 8) ||
            getsockname(lv->lst_fd, (struct sockaddr *)&sa, &sl)) {
            fprintf(stderr, "cairn sim: cannot listen on 127.0.0.1:%ld: %s\n", beast_port,
                    strerror(errno));
            return -1;
        }
        printf("beast 127.0.0.1:%u\n", ntohs(sa.sin_port));
        fflush(stdout);
        /* wait for the first client, then never block on accept again */
        fd_set rd;
        FD_ZERO(&rd);
        FD_SET(lv->lst_fd, &rd);
        struct timeval tv = {LIVE_WAIT_S, 0};
        if (select(lv->lst_fd + 1, &rd, NULL, NULL, &tv) <= 0)
            fprintf(stderr, "cairn sim: no Beast client within %d s; going on\n", LIVE_WAIT_S);
        fcntl(lv->lst_fd, F_SETFL, fcntl(lv->lst_fd, F_GETFL) | O_NONBLOCK);
        live_accept(lv);
    }
    return 0;
}

static void live_close(struct live *lv)
{
    for (size_t i = 0; i < lv->n_clients; i++)
        close(lv->clients[i]);
    if (lv->lst_fd >= 0)
        close(lv->lst_fd);
    if (lv->udp_fd >= 0)
        close(lv->udp_fd);
}

static int parse_port(const char *s, long *out)
{
    uint64_t v;
    if (parse_u64(s, 65535, &v))
        return CAIRN_E_INVAL;
    *out = (long)v;
    return 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time of this process: the speed figure that does not depend on what
 * else the machine runs. */
static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void list_scenarios(void)
{
    static const char *const shipped[] = {"malmo-2014",    "vigilant-skies-2011", "baltic-sea",
                                          "bering-strait", "stpetersburg-dark",   "load"};
    char path[PATH_MAX];
    for (size_t i = 0; i < sizeof shipped / sizeof shipped[0]; i++)
        printf("%-22s %s\n", shipped[i],
               find_scenario(shipped[i], path, sizeof path) ? "(not found)" : path);
}

int cli_sim(int argc, char **argv)
{
    static const struct option opts[] = {{"out", required_argument, NULL, 'o'},
                                         {"seed", required_argument, NULL, 's'},
                                         {"start", required_argument, NULL, 't'},
                                         {"duration", required_argument, NULL, 'd'},
                                         {"aircraft", required_argument, NULL, 'a'},
                                         {"vessels", required_argument, NULL, 'v'},
                                         {"formats", required_argument, NULL, 'f'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"udp-asterix", required_argument, NULL, 'X'},
                                         {"udp-ais", required_argument, NULL, 'I'},
                                         {"tcp-beast", required_argument, NULL, 'B'},
                                         {"speed", required_argument, NULL, 'S'},
                                         {"list", no_argument, NULL, 'l'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *out_dir = NULL, *start_s = NULL;
    uint64_t seed = 1, duration = 0, n_air = 0, n_sea = 0;
    int have_air = 0, have_sea = 0, quiet = 0, c;
    unsigned formats = SIM_OUT_ALL;
    long ax_port = -1, ais_port = -1, beast_port = -1;
    double speed = 1;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:s:t:d:a:v:f:qlh", opts, NULL)) != -1) {
        switch (c) {
        case 'o':
            out_dir = optarg;
            break;
        case 's':
            if (parse_u64(optarg, UINT64_MAX, &seed)) {
                fprintf(stderr, "cairn sim: --seed needs a whole number\n");
                return 2;
            }
            break;
        case 't':
            start_s = optarg;
            break;
        case 'd':
            if (parse_u64(optarg, SIM_MAX_DURATION_S, &duration) || duration == 0) {
                fprintf(stderr, "cairn sim: --duration needs 1..%d seconds\n", SIM_MAX_DURATION_S);
                return 2;
            }
            break;
        case 'a':
        case 'v':
            if (parse_u64(optarg, SIM_MAX_MOVERS, c == 'a' ? &n_air : &n_sea)) {
                fprintf(stderr, "cairn sim: --%s needs 0..%d\n", c == 'a' ? "aircraft" : "vessels",
                        SIM_MAX_MOVERS);
                return 2;
            }
            *(c == 'a' ? &have_air : &have_sea) = 1;
            break;
        case 'f':
            if (parse_formats(optarg, &formats)) {
                fprintf(stderr, "cairn sim: --formats takes radar,beast,avr,sbs,ais,truth\n");
                return 2;
            }
            break;
        case 'q':
            quiet = 1;
            break;
        case 'X':
        case 'I':
        case 'B':
            if (parse_port(optarg, c == 'X'   ? &ax_port
                                   : c == 'I' ? &ais_port
                                              : &beast_port) ||
                (c != 'B' && (c == 'X' ? ax_port : ais_port) == 0)) {
                fprintf(stderr, "cairn sim: a port is 1..65535 (--tcp-beast also 0: any)\n");
                return 2;
            }
            break;
        case 'S': {
            char *end;
            speed = strtod(optarg, &end);
            if (*end || !(speed >= 0 && speed <= 1e6)) {
                fprintf(stderr, "cairn sim: --speed needs 0..1e6 (0: no pacing)\n");
                return 2;
            }
            break;
        }
        case 'l':
            list_scenarios();
            return 0;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind != argc - 1 || !out_dir) {
        usage(stderr);
        return 2;
    }
    const char *arg = argv[optind];
    char path[PATH_MAX];
    size_t alen = strlen(arg);
    if (strchr(arg, '/') || (alen > 5 && !strcmp(arg + alen - 5, ".json"))) {
        snprintf(path, sizeof path, "%s", arg);
    } else if (cli_scenario_path(arg, path, sizeof path)) {
        fprintf(stderr, "cairn sim: no scenario by that name (cairn sim --list shows them)\n");
        return 1;
    }
    size_t len = 0;
    char *json = read_file(path, &len);
    if (!json) {
        fprintf(stderr, "cairn sim: cannot read the scenario file: %s\n", strerror(errno));
        return 1;
    }
    struct sim_scenario *sc = calloc(1, sizeof *sc);
    char err[256];
    int rc = sc ? sim_scenario_parse(json, len, sc, err, sizeof err) : CAIRN_E_NOMEM;
    free(json);
    if (rc) {
        fprintf(stderr, "cairn sim: bad scenario: %s\n", sc ? err : "out of memory");
        free(sc);
        return 1;
    }
    int status = 1;
    struct sim *s = NULL;
    struct sim_out *o = NULL;
    if (sc->has_load) {
        if (sim_scenario_generate(sc, have_air ? n_air : sc->load_aircraft,
                                  have_sea ? n_sea : sc->load_vessels, seed)) {
            fprintf(stderr, "cairn sim: cannot make that many movers (at most %d)\n",
                    SIM_MAX_MOVERS);
            goto done;
        }
    } else if (have_air || have_sea) {
        fprintf(stderr, "cairn sim: --aircraft/--vessels need a scenario with a load section\n");
        status = 2;
        goto done;
    }
    int64_t start_ms = sc->start_ms;
    if (start_s && (sim_parse_utc(start_s, &start_ms) || start_ms % 1000)) {
        fprintf(stderr, "cairn sim: --start needs a whole second of UTC like "
                        "2014-03-03T13:00:00Z\n");
        status = 2;
        goto done;
    }
    double dur = duration ? (double)duration : sc->duration_s;
    if (mkdir(out_dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "cairn sim: cannot create the output folder: %s\n", strerror(errno));
        goto done;
    }
    o = sim_out_open(out_dir, formats, sc, start_ms);
    s = o ? sim_new(sc, start_ms, seed) : NULL;
    if (!o || !s) {
        fprintf(stderr, "cairn sim: cannot open the outputs: %s\n", strerror(errno));
        goto done;
    }
    struct sim_sink sink;
    sim_out_sink(o, &sink);
    struct live lv;
    memset(&lv, 0, sizeof lv);
    int live = ax_port >= 0 || ais_port >= 0 || beast_port >= 0;
    if (live) {
        lv.file = sink;
        lv.speed = speed;
        lv.start_ms = start_ms;
        lv.counter0 = sc->has_beast_counter ? sc->beast_counter_start
                                            : (uint64_t)(start_ms % 86400000) * 12000u;
        if (live_open(&lv, ax_port, ais_port, beast_port)) {
            live_close(&lv);
            goto done;
        }
        struct sim_sink ls = {&lv, sink.truth ? l_truth : NULL, l_radar, l_adsb, l_ais};
        sink = ls;
        lv.wall0 = now_s();
    }
    double t0 = now_s(), c0 = cpu_s();
    int64_t steps = (int64_t)dur;
    for (int64_t k = 0; k < steps; k++) {
        if ((rc = sim_step(s, &sink))) {
            fprintf(stderr, "cairn sim: step %" PRId64 " failed: %s\n", k, cairn_strerror(rc));
            if (live)
                live_close(&lv);
            goto done;
        }
    }
    if (live)
        live_close(&lv);
    uint64_t bytes = sim_out_bytes(o);
    rc = sim_out_close(o);
    o = NULL;
    if (rc) {
        fprintf(stderr, "cairn sim: writing the outputs failed (disk full?)\n");
        goto done;
    }
    double el = now_s() - t0, cpu = cpu_s() - c0;
    const struct sim_stats *st = sim_stats(s);
    if (!quiet)
        fprintf(stderr,
                "cairn sim: %s, seed %" PRIu64 ", %" PRId64 " s simulated, %zu movers\n"
                "  radar plots %" PRIu64 " (primary-only %" PRIu64
                ", of which missed replies %" PRIu64 "), CAT034 %" PRIu64 "\n"
                "  ADS-B squitters %" PRIu64 ", AIS messages %" PRIu64 ", truth lines %" PRIu64
                ", %.1f MB written\n"
                "  %.3f s wall: %.0f aircraft-seconds/s, %.0f mover-seconds/s; "
                "%.3f s CPU: %.0f aircraft-seconds/s\n",
                sc->name, seed, steps, sc->n_movers, st->plots, st->plots_psr_only,
                st->plots_missed_reply, st->cat034, st->adsb, st->ais, st->truth,
                (double)bytes / 1e6, el, el > 0 ? (double)st->aircraft_seconds / el : 0,
                el > 0 ? (double)st->mover_seconds / el : 0, cpu,
                cpu > 0 ? (double)st->aircraft_seconds / cpu : 0);
    status = 0;
done:
    sim_free(s);
    sim_out_close(o);
    sim_scenario_free(sc);
    free(sc);
    return status;
}
