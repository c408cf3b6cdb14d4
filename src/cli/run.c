/*
 * run.c — `cairn run -c centre.ini`: the coordination centre as a daemon
 * (app/centre.h); `cairn replay -c centre.ini INPUT...`: the same with
 * recordings added as replays; `cairn passwd USER`: one line of the
 * accounts file.
 *
 * `cairn run` owns the process: one libevent event_base; SIGTERM and SIGINT
 * stop it cleanly (the loop ends, everything is freed, exit 0); SIGHUP
 * re-reads the web accounts; SIGPIPE is ignored (a client that vanishes
 * mid-reply must not kill the centre). Logs go to stderr (base/log.h),
 * which systemd's journal picks up. Exit status: 0 after a clean stop,
 * 1 when the centre could not start, 2 on a usage or configuration error.
 */
#include <errno.h>
#include <event2/event.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "app/centre.h"
#include "app/config.h"
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
               "Signals: SIGTERM or SIGINT stop cleanly; SIGHUP re-reads the accounts file.\n");
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

static void replay_usage(FILE *f)
{
    fprintf(f, "usage: cairn replay -c FILE [--speed X] [NAME=]INPUT...\n"
               "Runs the centre described by FILE with these recordings as extra [replay]\n"
               "sections (docs/centre.md): INPUT is FORMAT:PATH or PATH as `cairn picture`\n"
               "takes them; NAME names the receiver ([adsb NAME] or [ais NAME]) its reports\n"
               "come from. Every replay of the centre then runs at speed X (default: the\n"
               "file's, else 1), from the earliest report; stops on SIGTERM or SIGINT.\n\n"
               "  -c, --config FILE  the centre's configuration\n"
               "  --speed X          data seconds per wall second, 0.01 to 1000\n");
}

int cli_replay(int argc, char **argv)
{
    static const struct option lopts[] = {{"config", required_argument, NULL, 'c'},
                                          {"speed", required_argument, NULL, 's'},
                                          {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
    const char *path = NULL;
    double speed = 0;
    int ch;
    optind = 1;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "+c:h", lopts, NULL)) != -1) {
        switch (ch) {
        case 'c':
            path = optarg;
            break;
        case 's': {
            char *end;
            speed = strtod(optarg, &end);
            if (end == optarg || *end || !(speed >= 0.01 && speed <= 1000)) {
                fprintf(stderr, "cairn replay: --speed wants 0.01 to 1000\n");
                return 2;
            }
            break;
        }
        case 'h':
            replay_usage(stdout);
            return 0;
        default:
            fprintf(stderr, "cairn replay: unknown option or missing value (see --help)\n");
            return 2;
        }
    }
    if (!path || optind >= argc) {
        replay_usage(stderr);
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
