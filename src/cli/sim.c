/*
 * sim.c — `cairn sim`: run a scenario and write its feeds and truth into a
 * folder (src/sim/sim.h, src/sim/out.h; docs/sim.md is the manual).
 *
 * A scenario is a file path (contains '/' or ends in .json) or a name
 * looked up as NAME.json in, in order: $CAIRN_SCENARIOS, the folder set at
 * build time (CAIRN_SCENARIO_DIR, the source tree's scenarios/), then
 * scenarios/ and ../share/cairn/scenarios/ beside the binary.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/error.h"
#include "cli/cli.h"
#include "sim/out.h"
#include "sim/scenario.h"
#include "sim/sim.h"

#ifndef CAIRN_SCENARIO_DIR
#define CAIRN_SCENARIO_DIR "scenarios"
#endif

/* A scenario file is read whole; 64 MB is far beyond any hand-written one. */
#define SCENARIO_MAX_BYTES (64u << 20)

static void usage(FILE *f)
{
    fprintf(f, "usage: cairn sim SCENARIO --out DIR [--seed N] [--start UTC] [--duration S]\n"
               "                 [--aircraft N] [--vessels M] [--formats LIST] [--quiet]\n"
               "       cairn sim --list\n\n"
               "SCENARIO is a .json file or the name of a shipped one (malmo-2014,\n"
               "vigilant-skies-2011, baltic-sea, stpetersburg-dark, load).\n"
               "  --out DIR       folder for radar.pcap adsb.beast adsb.avr adsb.sbs ais.nmea\n"
               "                  truth.jsonl (created if missing)\n"
               "  --seed N        random seed (default 1); same seed, same bytes\n"
               "  --start UTC     override the start, e.g. 2014-03-03T13:00:00Z\n"
               "  --duration S    override the duration in seconds\n"
               "  --aircraft N, --vessels M   movers of a scenario with a load section\n"
               "  --formats LIST  comma list of radar,beast,avr,sbs,ais,truth (default all)\n"
               "  --quiet         no summary on standard error\n");
}

/* Directories searched for NAME.json, in order (see the file comment). */
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
    char *buf = malloc(SCENARIO_MAX_BYTES + 1);
    size_t n = buf ? fread(buf, 1, SCENARIO_MAX_BYTES + 1, f) : 0;
    int bad = !buf || ferror(f) || n > SCENARIO_MAX_BYTES;
    fclose(f);
    if (bad) {
        free(buf);
        errno = buf ? EFBIG : ENOMEM;
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

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void list_scenarios(void)
{
    static const char *const shipped[] = {"malmo-2014", "vigilant-skies-2011", "baltic-sea",
                                          "stpetersburg-dark", "load"};
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
                                         {"list", no_argument, NULL, 'l'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *out_dir = NULL, *start_s = NULL;
    uint64_t seed = 1, duration = 0, n_air = 0, n_sea = 0;
    int have_air = 0, have_sea = 0, quiet = 0, c;
    unsigned formats = SIM_OUT_ALL;
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
    } else if (!valid_name(arg) || find_scenario(arg, path, sizeof path)) {
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
    if (start_s && sim_parse_utc(start_s, &start_ms)) {
        fprintf(stderr, "cairn sim: --start needs UTC like 2014-03-03T13:00:00Z\n");
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
    double t0 = now_s();
    int64_t steps = (int64_t)dur;
    for (int64_t k = 0; k < steps; k++) {
        if ((rc = sim_step(s, &sink))) {
            fprintf(stderr, "cairn sim: step %" PRId64 " failed: %s\n", k, cairn_strerror(rc));
            goto done;
        }
    }
    uint64_t bytes = sim_out_bytes(o);
    rc = sim_out_close(o);
    o = NULL;
    if (rc) {
        fprintf(stderr, "cairn sim: writing the outputs failed (disk full?)\n");
        goto done;
    }
    double el = now_s() - t0;
    const struct sim_stats *st = sim_stats(s);
    if (!quiet)
        fprintf(stderr,
                "cairn sim: %s, seed %" PRIu64 ", %" PRId64 " s simulated, %zu movers\n"
                "  radar plots %" PRIu64 " (primary-only %" PRIu64
                ", of which missed replies %" PRIu64 "), CAT034 %" PRIu64 "\n"
                "  ADS-B squitters %" PRIu64 ", AIS messages %" PRIu64 ", truth lines %" PRIu64
                ", %.1f MB written\n"
                "  %.3f s wall: %.0f aircraft-seconds/s, %.0f mover-seconds/s\n",
                sc->name, seed, steps, sc->n_movers, st->plots, st->plots_psr_only,
                st->plots_missed_reply, st->cat034, st->adsb, st->ais, st->truth,
                (double)bytes / 1e6, el, el > 0 ? (double)st->aircraft_seconds / el : 0,
                el > 0 ? (double)st->mover_seconds / el : 0);
    status = 0;
done:
    sim_free(s);
    sim_out_close(o);
    sim_scenario_free(sc);
    free(sc);
    return status;
}
