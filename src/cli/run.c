/*
 * run.c — `cairn run -c centre.ini`: the coordination centre as a daemon
 * (app/centre.h); `cairn replay -c centre.ini INPUT...`: the same with
 * recordings added as replays; `cairn replay --to HOST:PORT INPUT...` and
 * `cairn replay -c centre.ini --sensor NAME INPUT...`: recordings sent into
 * a running centre through a sensor's port (app/replay_to.h); `cairn
 * passwd USER`: one line of the accounts file.
 *
 * `cairn run` owns the process: one libevent event_base; SIGTERM and SIGINT
 * stop it cleanly (the loop ends, everything is freed, exit 0); SIGHUP
 * reloads the configuration (app_centre_reload: the [sensor] sections and
 * the accounts file; other changes need a restart); SIGPIPE is ignored (a client that vanishes
 * mid-reply must not kill the centre). Logs go to stderr (base/log.h),
 * which systemd's journal picks up. Exit status: 0 after a clean stop,
 * 1 when the centre could not start, 2 on a usage or configuration error.
 */
#include <errno.h>
#include <event2/event.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "app/centre.h"
#include "app/config.h"
#include "app/replay_to.h"
#include "base/dbuf.h"
#include "base/error.h"
#include "base/log.h"
#include "cli/cli.h"
#include "web/web.h"

static void run_usage(FILE *f)
{
    fprintf(f, "usage: cairn run -c FILE [--check]\n"
               "Runs the coordination centre described by FILE (INI; docs/centre.md): the\n"
               "picture on a fixed cycle, its inputs and replays, the HTTP API.\n\n"
               "  -c, --config FILE  the configuration\n"
               "  --check            read the configuration, say whether it is good, exit\n\n"
               "Signals: SIGTERM or SIGINT stop cleanly; SIGHUP reloads the configuration:\n"
               "[sensor] sections and the accounts file (other changes need a restart).\n");
}

struct runner {
    struct event_base *base;
    struct app_centre *centre;
};

static void on_stop(evutil_socket_t sig, short what, void *arg)
{
    (void)what;
    struct runner *r = arg;
    log_info("run", "signal %d: stopping", (int)sig);
    int ms = app_centre_shutdown(r->centre);
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    event_base_loopexit(r->base, &tv);
}

static void on_hup(evutil_socket_t sig, short what, void *arg)
{
    (void)sig;
    (void)what;
    struct runner *r = arg;
    log_info("run", "SIGHUP: reloading");
    (void)app_centre_reload(r->centre);
}

static int run_centre(const struct app_config *cfg);

int cli_run(int argc, char **argv)
{
    static const struct option lopts[] = {{"config", required_argument, NULL, 'c'},
                                          {"check", no_argument, NULL, 'k'},
                                          {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
    const char *path = NULL;
    int check = 0, ch;
    optind = 1;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "+c:h", lopts, NULL)) != -1) {
        switch (ch) {
        case 'c':
            path = optarg;
            break;
        case 'k':
            check = 1;
            break;
        case 'h':
            run_usage(stdout);
            return 0;
        default:
            fprintf(stderr, "cairn run: unknown option or missing value (see --help)\n");
            return 2;
        }
    }
    if (!path || optind != argc) {
        run_usage(stderr);
        return 2;
    }
    static struct app_config cfg;
    char err[512];
    int rc = app_config_load(path, &cfg, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "cairn run: %s\n", err);
        return 2;
    }
    if (check) {
        printf("cairn run: %s is good: %zu listen address(es), %zu sensor(s), %zu replay(s)\n",
               path, cfg.n_listen, cfg.sensors.n, cfg.n_replay);
        return 0;
    }
    return run_centre(&cfg);
}

/* The centre of cfg (borrowed) until a signal stops it: the exit status. */
static int run_centre(const struct app_config *cfg)
{
    int rc;
    signal(SIGPIPE, SIG_IGN);
    struct runner r = {0};
    r.base = event_base_new();
    if (!r.base) {
        log_err("run", "no event loop");
        return 1;
    }
    rc = app_centre_new(r.base, cfg, &r.centre);
    if (rc != 0) {
        event_base_free(r.base);
        return 1;
    }
    struct event *ev_term = evsignal_new(r.base, SIGTERM, on_stop, &r);
    struct event *ev_int = evsignal_new(r.base, SIGINT, on_stop, &r);
    struct event *ev_hup = evsignal_new(r.base, SIGHUP, on_hup, &r);
    if (!ev_term || !ev_int || !ev_hup || event_add(ev_term, NULL) || event_add(ev_int, NULL) ||
        event_add(ev_hup, NULL)) {
        log_err("run", "signal handlers could not be installed");
        rc = 1;
    } else {
        log_info("run", "centre %s up", cfg->name);
        if (event_base_dispatch(r.base) < 0) {
            log_err("run", "event loop failed");
            rc = 1;
        }
    }
    if (ev_term)
        event_free(ev_term);
    if (ev_int)
        event_free(ev_int);
    if (ev_hup)
        event_free(ev_hup);
    app_centre_free(r.centre);
    event_base_free(r.base);
    if (rc == 0)
        log_info("run", "stopped");
    return rc ? 1 : 0;
}

/* ------------------------------------------------------------- replay */

static void replay_usage(FILE *f, int full)
{
    fprintf(
        f,
        "usage: cairn replay --to HOST:PORT [--proto tcp|udp] [--speed X] [--keep-time] INPUT...\n"
        "       cairn replay -c FILE --sensor NAME [--speed X] [--keep-time] INPUT...\n"
        "       cairn replay -c FILE [--speed X] [NAME=]INPUT...\n");
    if (!full) {
        fprintf(f, "(see --help)\n");
        return;
    }
    fprintf(f, "INPUT is FORMAT:PATH or PATH as `cairn picture` takes them (beast, avr, sbs,\n"
               "nmea, asterix, pcap; docs/centre.md).\n\n"
               "Into a running centre (the first two forms): the recordings are sent to a\n"
               "sensor's own port, as a receiver or radar would send them, merged in time\n"
               "order and paced by their own times: Beast, AVR, SBS and NMEA over TCP (one\n"
               "connection); ASTERIX (asterix, pcap), or NMEA to a udp sensor, over UDP (a\n"
               "datagram per captured datagram, block or line). AIS TAG block times (c:)\n"
               "and ASTERIX times of day are re-stamped to the moment of sending, so the\n"
               "centre takes the tracks as live. At the end (or on SIGINT or SIGTERM) it\n"
               "prints what was sent.\n"
               "  --to HOST:PORT     the sensor's address (IPv4, [IPv6] or a name)\n"
               "  --proto tcp|udp    the transport (default: udp for ASTERIX, else tcp)\n"
               "  -c FILE --sensor NAME  take address, transport and format from the\n"
               "                     [sensor NAME] section (listen or udp) of the running\n"
               "                     centre's configuration FILE (a wildcard address: loopback)\n"
               "  --speed X          data seconds per wall second, 0.01 to 1000000, or max\n"
               "                     (as fast as the socket takes it); default 1\n"
               "  --keep-time        send the recorded bytes untouched (no re-stamping)\n\n"
               "A centre of its own (the last form): runs the centre described by FILE with\n"
               "these recordings as extra [replay] sections; NAME names the receiver ([adsb\n"
               "NAME] or [ais NAME]) its reports come from. Every replay of the centre then\n"
               "runs at speed X (0.01 to 1000; default: the file's, else 1), from the\n"
               "earliest report; stops on SIGTERM or SIGINT.\n\n"
               "Exit status: 0 all sent (or a clean stop of the own centre), 1 a failure\n"
               "(connection refused or lost, an input unreadable), 2 a usage error, 128+N\n"
               "stopped by signal N before the end.\n");
}

static volatile sig_atomic_t replay_stop;

static void on_replay_signal(int sig)
{
    replay_stop = sig;
}

/* The address, transport and format of [sensor NAME] in cfg, for sending
 * to it from this host. 0, or 2 with the message printed. */
static int sensor_target(const struct app_config *cfg, const char *name,
                         struct app_replay_to_opts *o)
{
    const struct sensor_config *sc = NULL;
    for (size_t i = 0; i < cfg->n_sensor; i++)
        if (!strcmp(cfg->sensor[i].name, name))
            sc = &cfg->sensor[i];
    if (!sc) {
        fprintf(stderr, "cairn replay: no [sensor %s] in the configuration\n", name);
        return 2;
    }
    static const enum feed_fmt fmts[] = {[SENSOR_FMT_BEAST] = FEED_BEAST,
                                         [SENSOR_FMT_AVR] = FEED_AVR,
                                         [SENSOR_FMT_SBS] = FEED_SBS,
                                         [SENSOR_FMT_NMEA] = FEED_NMEA,
                                         [SENSOR_FMT_ASTERIX] = FEED_ASTERIX};
    if ((unsigned)sc->format >= sizeof fmts / sizeof fmts[0] || fmts[sc->format] == FEED_AUTO) {
        fprintf(stderr, "cairn replay: [sensor %s] reads %s, not a network format\n", name,
                sensor_format_name(sc->format));
        return 2;
    }
    if (sc->transport != SENSOR_TR_LISTEN && sc->transport != SENSOR_TR_UDP) {
        fprintf(stderr,
                "cairn replay: [sensor %s] %ss %s itself; only a sensor that listens (listen, "
                "udp) can be sent to\n",
                name, sensor_transport_name(sc->transport), sc->address);
        return 2;
    }
    struct addr_spec sp;
    const char *why = NULL;
    if (sensor_config_address(sc, &sp, &why) != 0) {
        fprintf(stderr, "cairn replay: [sensor %s] address: %s\n", name, why ? why : "bad");
        return 2;
    }
    if (sp.port == 0) {
        fprintf(stderr,
                "cairn replay: [sensor %s] listens on port 0 (the kernel's choice): give --to "
                "HOST:PORT with the port /api/sensors shows (local_port)\n",
                name);
        return 2;
    }
    o->to = sp.a;
    /* a wildcard is every address of this host: loopback is one of them */
    struct sockaddr_storage *ss = &o->to.ss;
    if (ss->ss_family == AF_INET) {
        struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
        if (a4->sin_addr.s_addr == htonl(INADDR_ANY))
            a4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    } else if (ss->ss_family == AF_INET6) {
        struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
        if (IN6_IS_ADDR_UNSPECIFIED(&a6->sin6_addr))
            a6->sin6_addr = in6addr_loopback;
    }
    o->proto = sc->transport == SENSOR_TR_UDP ? APP_REPLAY_UDP : APP_REPLAY_TCP;
    o->want = fmts[sc->format];
    return 0;
}

/* Send the inputs into a running centre (replay_to.h): the exit status. */
static int replay_send(struct app_replay_to_opts *o, char *const *inputs, size_t n)
{
    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_replay_signal; /* no SA_RESTART: blocking calls return */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    replay_stop = 0;
    o->stop = &replay_stop;
    struct app_replay_to_stats st;
    char err[512];
    int rc = app_replay_to_run(o, inputs, n, &st, err, sizeof err);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    char to[ADDR_TEXT_LEN];
    addr_format((const struct sockaddr *)&o->to.ss, to, sizeof to);
    double wall_s = (double)st.wall_ms / 1000.0, data_s = (double)st.data_ms / 1000.0;
    char pace[64] = "at once";
    if (st.wall_ms > 0)
        snprintf(pace, sizeof pace, "x%.2f, %.0f units/s", data_s / wall_s,
                 (double)st.units / wall_s);
    if (rc == 0 || st.units > 0) /* a failure before the first unit: its message alone */
        printf("cairn replay: %s %" PRIu64 " units (%" PRIu64 " bytes, %" PRIu64
               " re-stamped) to %s in %.2f s: %.2f s of recording, %s\n",
               st.stopped ? "stopped after"
               : rc       ? "failed after"
                          : "sent",
               st.units, st.bytes, st.restamped, to, wall_s, data_s, pace);
    fflush(stdout);
    if (rc != 0) {
        fprintf(stderr, "cairn replay: %s\n", err);
        return rc == CAIRN_E_INVAL && st.units == 0 ? 2 : 1;
    }
    return st.stopped ? 128 + (int)replay_stop : 0;
}

int cli_replay(int argc, char **argv)
{
    static const struct option lopts[] = {
        {"config", required_argument, NULL, 'c'}, {"speed", required_argument, NULL, 's'},
        {"to", required_argument, NULL, 't'},     {"proto", required_argument, NULL, 'p'},
        {"sensor", required_argument, NULL, 'n'}, {"keep-time", no_argument, NULL, 'k'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
    const char *path = NULL, *to = NULL, *sensor = NULL;
    double speed = -1;
    int ch, keep = 0, max = 0;
    enum app_replay_proto proto = 0;
    optind = 1;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "+c:h", lopts, NULL)) != -1) {
        switch (ch) {
        case 'c':
            path = optarg;
            break;
        case 's': {
            char *end;
            if (!strcmp(optarg, "max")) {
                max = 1;
                speed = 0;
                break;
            }
            speed = strtod(optarg, &end);
            if (end == optarg || *end || !(speed >= 0.01 && speed <= 1e6)) {
                fprintf(stderr, "cairn replay: --speed wants 0.01 to 1000000, or max\n");
                return 2;
            }
            break;
        }
        case 't':
            to = optarg;
            break;
        case 'p':
            if (!strcmp(optarg, "tcp"))
                proto = APP_REPLAY_TCP;
            else if (!strcmp(optarg, "udp"))
                proto = APP_REPLAY_UDP;
            else {
                fprintf(stderr, "cairn replay: --proto wants tcp or udp\n");
                return 2;
            }
            break;
        case 'n':
            sensor = optarg;
            break;
        case 'k':
            keep = 1;
            break;
        case 'h':
            replay_usage(stdout, 1);
            return 0;
        default:
            fprintf(stderr, "cairn replay: unknown option or missing value (see --help)\n");
            return 2;
        }
    }
    if (optind >= argc || (!path && !to) || (to && (path || sensor)) || (sensor && !path) ||
        (!to && !sensor && (proto || keep || max))) {
        replay_usage(stderr, 0);
        return 2;
    }
    if (to || sensor) {
        struct app_replay_to_opts o;
        memset(&o, 0, sizeof o);
        o.speed = speed < 0 ? 1.0 : speed;
        o.keep_time = keep;
        if (to) {
            struct addr_spec sp;
            const char *why = NULL;
            if (addr_parse_spec(to, 0, ADDR_NAME, &sp, &why) != 0) {
                fprintf(stderr, "cairn replay: --to %s: %s\n", to, why ? why : "bad address");
                return 2;
            }
            if (addr_resolve(&sp, proto == APP_REPLAY_UDP ? SOCK_DGRAM : SOCK_STREAM) != 0) {
                fprintf(stderr, "cairn replay: --to %s: name not found\n", to);
                return 1;
            }
            o.to = sp.a;
            o.proto = proto;
        } else {
            static struct app_config cfg;
            char err[512];
            if (app_config_load(path, &cfg, err, sizeof err) != 0) {
                fprintf(stderr, "cairn replay: %s\n", err);
                return 2;
            }
            int rc = sensor_target(&cfg, sensor, &o);
            if (rc)
                return rc;
            if (proto && proto != o.proto) {
                fprintf(stderr, "cairn replay: [sensor %s] takes %s\n", sensor,
                        o.proto == APP_REPLAY_UDP ? "udp" : "tcp");
                return 2;
            }
        }
        return replay_send(&o, argv + optind, (size_t)(argc - optind));
    }
    if (speed == 0 || speed > 1000) {
        fprintf(stderr, "cairn replay: --speed wants 0.01 to 1000 for a centre of its own\n");
        return 2;
    }
    static struct app_config cfg;
    char err[512];
    if (app_config_load(path, &cfg, err, sizeof err) != 0) {
        fprintf(stderr, "cairn replay: %s\n", err);
        return 2;
    }
    for (int i = optind; i < argc; i++) {
        if (cfg.n_replay >= APP_MAX_REPLAYS) {
            fprintf(stderr, "cairn replay: more than %d replays\n", APP_MAX_REPLAYS);
            return 2;
        }
        struct app_replay_config *r = &cfg.replay[cfg.n_replay];
        memset(r, 0, sizeof *r);
        const char *spec = argv[i], *eq = strchr(spec, '='), *colon = strchr(spec, ':');
        if (eq && (!colon || eq < colon)) {
            size_t n = (size_t)(eq - spec);
            const struct pic_sensor *s = NULL;
            if (n > 0 && n < sizeof r->sensor) {
                memcpy(r->sensor, spec, n);
                r->sensor[n] = 0;
                s = pic_sensors_by_name(&cfg.sensors, r->sensor);
            }
            if (!s || s->type == PIC_SENSOR_RADAR) {
                fprintf(stderr, "cairn replay: %s: no [adsb] or [ais] receiver of that name\n",
                        argv[i]);
                return 2;
            }
            spec = eq + 1;
        }
        if (!*spec || strlen(spec) >= sizeof r->input) {
            fprintf(stderr, "cairn replay: %s: no input, or too long\n", argv[i]);
            return 2;
        }
        snprintf(r->input, sizeof r->input, "%s", spec);
        snprintf(r->name, sizeof r->name, "replay-%zu", cfg.n_replay + 1);
        r->speed = cfg.n_replay ? cfg.replay[0].speed : 1.0;
        cfg.n_replay++;
    }
    if (speed > 0)
        for (size_t i = 0; i < cfg.n_replay; i++)
            cfg.replay[i].speed = speed;
    return run_centre(&cfg);
}

/* ------------------------------------------------------------- passwd */

/* One line from f into buf (without its end), 1; 0 at EOF or too long. */
static int read_line(FILE *f, char *buf, size_t cap)
{
    if (!fgets(buf, (int)cap, f))
        return 0;
    size_t n = strlen(buf);
    if (n && buf[n - 1] == '\n')
        buf[--n] = 0;
    else if (!feof(f))
        return 0; /* longer than cap */
    if (n && buf[n - 1] == '\r')
        buf[--n] = 0;
    return 1;
}

/* Read a password from the terminal without echo. 1 or 0. */
static int read_tty(const char *prompt, char *buf, size_t cap)
{
    struct termios old, quiet;
    if (tcgetattr(STDIN_FILENO, &old) != 0)
        return 0;
    quiet = old;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    fputs(prompt, stderr);
    fflush(stderr);
    if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) != 0)
        return 0;
    int ok = read_line(stdin, buf, cap);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
    fputc('\n', stderr);
    return ok;
}

int cli_passwd(int argc, char **argv)
{
    static const struct option lopts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int ch;
    optind = 1;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "+h", lopts, NULL)) != -1) {
        if (ch == 'h') {
            printf("usage: cairn passwd USER\n"
                   "Reads a password (8 to 1024 bytes) from the terminal without echo, twice,\n"
                   "or one line of standard input, and prints the accounts file's line for\n"
                   "USER (Argon2id): append it to the file named by [web] accounts (mode 0600),\n"
                   "then send the centre SIGHUP.\n");
            return 0;
        }
        fprintf(stderr, "cairn passwd: unknown option (see --help)\n");
        return 2;
    }
    if (optind + 1 != argc) {
        fprintf(stderr, "usage: cairn passwd USER\n");
        return 2;
    }
    const char *user = argv[optind];
    static char pw[1100], again[1100];
    int ok;
    if (isatty(STDIN_FILENO)) {
        ok = read_tty("password: ", pw, sizeof pw) && read_tty("again: ", again, sizeof again);
        if (ok && strcmp(pw, again)) {
            fprintf(stderr, "cairn passwd: the two passwords differ\n");
            ok = -1;
        }
    } else {
        ok = read_line(stdin, pw, sizeof pw);
    }
    memset(again, 0, sizeof again);
    if (ok == 0)
        fprintf(stderr, "cairn passwd: no password read (one line, at most 1024 bytes)\n");
    int status = 1;
    if (ok == 1) {
        struct dbuf out;
        dbuf_init(&out, 4096);
        int rc = web_passwd_line(user, pw, &out);
        if (rc == CAIRN_E_INVAL) {
            fprintf(stderr, "cairn passwd: a user is 1 to 32 characters of [A-Za-z0-9._-], a "
                            "password 8 to 1024 bytes\n");
            status = 2;
        } else if (rc != 0) {
            fprintf(stderr, "cairn passwd: %s\n", cairn_strerror(rc));
        } else if (fwrite(out.p, 1, out.len, stdout) == out.len && fflush(stdout) == 0) {
            status = 0;
        }
        dbuf_free(&out);
    }
    memset(pw, 0, sizeof pw);
    return status;
}
