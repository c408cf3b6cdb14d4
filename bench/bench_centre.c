/*
 * bench_centre.c — the daemon under load: the real `cairn run` fed mixed
 * live input at a set rate, its cycle, its sensor-to-API latency and its
 * live event stream with many clients, printed beside the targets of
 * issue 9 ("Performance").
 *
 * What runs. The bench starts `cairn run` (the release binary next to it:
 * build/cairn) on 127.0.0.1 with eight live sensors it feeds:
 *   adsb0-5  Beast over TCP from six receivers in two rows of three, each
 *            frame to every receiver within 280 NM (the centre dials the
 *            bench: `connect`),
 *   radar    ASTERIX CAT048 plots over UDP (one record per datagram),
 *   ais      AIS NMEA over UDP (TAG-block time),
 * made by the simulator (sim/, scenario `load` over 47-53 N 4-16 E: N
 * aircraft and N/20 vessels straight and level, all with ADS-B, one radar),
 * N chosen for the rate asked (a trial run measures the reports per
 * aircraft: about 3.2 Beast frames a second times the receivers that hear
 * it), generated before the run and sent at the simulated pace:
 * the scenario starts when the sending does, so every time in the data is
 * the wall clock's. The ASTERIX and AIS times are the data's; Beast frames
 * are dated on reception.
 *
 * Phases (after a warm-up in which the tracks form):
 *   A  the load, one SSE client (the probe reader);
 *   B  the load and --sse more clients reading /api/events as fast as
 *      they can (the cycle must not slow down for them). Their bytes are
 *      discarded in the kernel (recv with MSG_TRUNC: counted, not copied
 *      to the bench), as if the clients were other machines: copying
 *      50 x 10 MB/s on the same two cores as the daemon starved it (since
 *      5 December 2026; before, they were read into a buffer).
 *   C  the same number of clients, probe included, on the lean form
 *      (/api/events?form=moves: full objects for new tracks, changes of
 *      their slow members and the 30 s refresh, move rows for the rest),
 *      after a second of load with B's clients still in (so that B's last
 *      samples arrive) and B's clients closed; measured from a second
 *      after they came (their first flush has every track in full).
 * In each: reports the centre took per second (cairn_reports_total), the
 * cycle lateness (its histogram's p99 bucket and the largest), the
 * longest firing (cairn_cycle_work_max_seconds), overruns, the daemon's
 * CPU (utime + stime from /proc per wall second: 1.0 = one core busy),
 * SSE events and clients dropped for a full buffer.
 *
 * Latency: 64 probe aircraft (ICAO C0FF00..C0FF3F) fly among the load,
 * sending a position every 0.2 s; every 0.5-0.9 s (random) a probe sends a
 * new callsign (QX and 6 digits, the sample number) then a position: about
 * 90 samples a second, some 900 a phase, so the p99 is a percentile and not
 * the largest of ~100 samples. The sample is the time from that write to
 * the moment the probe SSE client reads a "tracks" event with that
 * callsign: Beast over TCP, decoding, the tracker (the identity is noted on
 * the track at once, the position through pic_ingest), the next flush of
 * the stream (every stream_ms, or after the cycle's step), the event's
 * JSON, SSE. A phase's percentiles are over the samples written in it,
 * wherever they arrived (phase A's are counted at the end of phase B, so
 * the ones in flight when A ended count too); a sample not seen a second
 * after it was written is counted as lost. The probe client has a reader thread of its own: reading
 * the other clients' megabytes in the same thread delayed the probe's reads (a measurement
 * artefact, removed on 5 December 2026 together with the move from 16 probes every 1.1-1.9 s to the
 * 64 above).
 *
 * usage: bench_centre [--rate N] [--seconds S] [--sse N] [--cycle-ms C]
 *                     [--cairn PATH]
 * defaults: 100000 reports/s, 10 s per phase, 50 SSE clients, 1000 ms.
 *
 * The machine is shared: the bench's own sending and reading run on the
 * same cores as the daemon; the CPU figures say who used what. With
 * BENCH_DUMP=1 in the environment the probe client's event stream is
 * copied to standard error and the probes' aircraft.json entries printed.
 */
#define _GNU_SOURCE /* memmem */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"
#include "decode/modes/beast.h"
#include "decode/modes/encode.h"
#include "decode/modes/frame.h"
#include "sim/scenario.h"
#include "sim/sim.h"

#define N_PROBES   64
#define MAX_SSE    200
#define MAX_SAMPLE 100000

/* ------------------------------------------------------------ options */

static long opt_rate = 100000;
static int opt_seconds = 10, opt_sse = 50, opt_cycle = 1000;
static int opt_stream = -1; /* [web] stream_ms; -1: not written (the centre's default) */
static char opt_stream_text[16];
static char opt_cairn[1024];

/* ------------------------------------------------------------ clocks */

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static double mono_s(void)
{
    return bench_now_s();
}

/* ------------------------------------------------------------ the data */

/* Beast frames go to every one of six receivers (two rows of three over
 * the area, 47-53 N 4-16 E) within RX_RANGE_NM of the aircraft: most
 * aircraft are heard by several, as a centre's receivers overlap, and the
 * picture fuses them. The decoder refuses positions beyond 300 NM of a
 * receiver. ASTERIX and AIS go to one UDP port each. */
#define N_RX        6
#define RX_RANGE_NM 280.0
enum { EV_BEAST = 0, EV_ASTERIX = N_RX, EV_AIS, EV_KINDS };
static const double rx_pos[N_RX][2] = {{49, 6}, {49, 10}, {49, 14}, {51, 6}, {51, 10}, {51, 14}};

struct ev {
    int64_t t_ms;
    uint32_t off, seq;
    uint16_t len;
    uint8_t kind;
};

static uint8_t *blob;
static size_t blob_len, blob_cap;
static struct ev *evs;
static size_t n_ev, ev_cap;
static uint64_t n_kind[EV_KINDS];

static void put(int kind, int64_t t_ms, const void *p, size_t len)
{
    if (blob_len + len > blob_cap) {
        blob_cap = blob_cap ? 2 * blob_cap : (64u << 20);
        blob = realloc(blob, blob_cap);
    }
    if (n_ev == ev_cap) {
        ev_cap = ev_cap ? 2 * ev_cap : (1u << 20);
        evs = realloc(evs, ev_cap * sizeof *evs);
    }
    if (!blob || !evs) {
        fprintf(stderr, "bench_centre: out of memory\n");
        exit(1);
    }
    memcpy(blob + blob_len, p, len);
    evs[n_ev] = (struct ev){t_ms, (uint32_t)blob_len, (uint32_t)n_ev, (uint16_t)len, (uint8_t)kind};
    n_ev++;
    n_kind[kind]++;
    blob_len += len;
}

static int s_adsb(void *user, const struct sim_mover *m, const struct sim_adsb *a)
{
    (void)user;
    (void)m;
    struct modes_frame f;
    memset(&f, 0, sizeof f);
    memcpy(f.data, a->frame, 14);
    f.len = 14;
    f.has_ts = 1;
    f.ts_12mhz = (uint64_t)(a->t_ms % 86400000) * 12000u;
    f.signal = 80;
    uint8_t w[BEAST_MAX_WIRE];
    int n = beast_encode(&f, w);
    for (int q = 0; q < N_RX && n > 0; q++) {
        double dy = (a->lat_deg - rx_pos[q][0]) * 60.0;
        double dx = (a->lon_deg - rx_pos[q][1]) * 60.0 * cos(a->lat_deg * M_PI / 180.0);
        if (dx * dx + dy * dy < RX_RANGE_NM * RX_RANGE_NM)
            put(EV_BEAST + q, a->t_ms, w, (size_t)n);
    }
    return 0;
}

static int s_radar(void *user, const struct sim_radar *r, const struct sim_radar_rec *rec)
{
    (void)user;
    (void)r;
    uint8_t d[3 + 256];
    size_t n = 3 + rec->len;
    d[0] = rec->cat;
    d[1] = (uint8_t)(n >> 8);
    d[2] = (uint8_t)n;
    memcpy(d + 3, rec->rec, rec->len);
    put(EV_ASTERIX, rec->t_ms, d, n);
    return 0;
}

static int s_ais(void *user, const struct sim_mover *m, const struct sim_ais *a)
{
    (void)user;
    (void)m;
    put(EV_AIS, a->t_ms, a->text, a->len);
    return 0;
}

static uint64_t count_beast(const uint64_t *k)
{
    uint64_t n = 0;
    for (int q = 0; q < N_RX; q++)
        n += k[EV_BEAST + q];
    return n;
}

static uint64_t count_all(const uint64_t *k)
{
    return count_beast(k) + k[EV_ASTERIX] + k[EV_AIS];
}

static int ev_cmp(const void *a, const void *b)
{
    const struct ev *x = a, *y = b;
    if (x->t_ms != y->t_ms)
        return x->t_ms < y->t_ms ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    static char buf[1 << 16];
    *len = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[*len] = 0;
    return buf;
}

/* The load scenario with n aircraft, secs seconds from start_ms. */
static struct sim_scenario sc;
static int generate(size_t n_air, int secs, int64_t start_ms)
{
    size_t len;
    char *json = slurp(CAIRN_SOURCE_DIR "/scenarios/load.json", &len);
    char err[256];
    if (!json || sim_scenario_parse(json, len, &sc, err, sizeof err) != 0) {
        fprintf(stderr, "bench_centre: scenarios/load.json: %s\n", json ? err : "unreadable");
        return -1;
    }
    sc.load_lat_min = 47, sc.load_lat_max = 53, sc.load_lon_min = 4, sc.load_lon_max = 16;
    if (sim_scenario_generate(&sc, n_air, n_air / 20, 42) != 0)
        return -1;
    sc.start_ms = start_ms;
    struct sim *s = sim_new(&sc, start_ms, 42);
    if (!s)
        return -1;
    struct sim_sink sink = {NULL, NULL, s_radar, s_adsb, s_ais};
    for (int k = 0; k < secs; k++)
        if (sim_step(s, &sink) != 0)
            return -1;
    sim_free(s);
    qsort(evs, n_ev, sizeof *evs, ev_cmp);
    return 0;
}

/* ------------------------------------------------------------ the daemon */

static char dir[64];
static pid_t child = -1;
static int err_fd = -1;
static char logbuf[1 << 16];
static size_t log_len;
static int web_port;
static char token[160];

static void drain_log(int ms)
{
    struct pollfd p = {err_fd, POLLIN, 0};
    while (err_fd >= 0 && poll(&p, 1, ms) == 1) {
        char b[4096];
        ssize_t n = read(err_fd, b, sizeof b);
        if (n <= 0) {
            close(err_fd);
            err_fd = -1;
            return;
        }
        size_t k = (size_t)n;
        if (log_len + k < sizeof logbuf - 1) {
            memcpy(logbuf + log_len, b, k);
            log_len += k;
            logbuf[log_len] = 0;
        }
        ms = 0;
    }
}

static int tcp_connect(uint16_t port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

/* One request, the whole reply into out (cap); the status or -1. */
static int http(const char *method, const char *path, const char *body, char *out, size_t cap)
{
    int fd = tcp_connect((uint16_t)web_port);
    if (fd < 0)
        return -1;
    char req[1024];
    int n = snprintf(req, sizeof req, "%s %s HTTP/1.0\r\nHost: 127.0.0.1\r\n", method, path);
    if (token[0])
        n += snprintf(req + n, sizeof req - (size_t)n, "Authorization: Bearer %s\r\n", token);
    if (body)
        n += snprintf(req + n, sizeof req - (size_t)n,
                      "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
                      strlen(body), body);
    else
        n += snprintf(req + n, sizeof req - (size_t)n, "\r\n");
    if (write(fd, req, (size_t)n) != n) {
        close(fd);
        return -1;
    }
    size_t got = 0;
    ssize_t k;
    while (got < cap - 1 && (k = read(fd, out + got, cap - 1 - got)) > 0)
        got += (size_t)k;
    out[got] = 0;
    close(fd);
    int st = -1;
    return sscanf(out, "HTTP/1.%*d %d", &st) == 1 ? st : -1;
}

static uint16_t free_udp_port(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t sl = sizeof a;
    bind(fd, (struct sockaddr *)&a, sizeof a);
    getsockname(fd, (struct sockaddr *)&a, &sl);
    close(fd);
    return ntohs(a.sin_port);
}

/* ------------------------------------------------------------ metrics */

struct snap {
    double t, cpu_s; /* mono time, the daemon's CPU seconds */
    double reports, late, unusable, cycles, overruns, lat_count, work_max, lat_max;
    double lat_bucket[9];
    double in_adsb, in_radar, in_ais;
    double sse_events, sse_dropped, sse_clients, sse_tracks, stream_work_max;
    double lean_objects, lean_rows; /* in the lean form's events */
    double confirmed, tentative, coasting;
};
static const double lat_le[9] = {0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5, 1.0};

static double metric(const char *m, const char *name)
{
    size_t nl = strlen(name);
    for (const char *p = m; (p = strstr(p, name)) != NULL; p += nl) {
        if ((p == m || p[-1] == '\n') && p[nl] == ' ')
            return atof(p + nl + 1);
    }
    return NAN;
}

static double daemon_cpu_s(void)
{
    char path[64], b[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)child);
    FILE *f = fopen(path, "r");
    if (!f)
        return NAN;
    size_t n = fread(b, 1, sizeof b - 1, f);
    fclose(f);
    b[n] = 0;
    char *p = strrchr(b, ')');
    unsigned long ut = 0, st = 0;
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
        return NAN;
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static char mbuf[1 << 20];
static void take(struct snap *s)
{
    s->t = mono_s();
    s->cpu_s = daemon_cpu_s();
    if (http("GET", "/metrics", NULL, mbuf, sizeof mbuf) != 200) {
        fprintf(stderr, "bench_centre: /metrics failed\n");
        return;
    }
    s->reports = metric(mbuf, "cairn_reports_total");
    s->late = metric(mbuf, "cairn_reports_late_total");
    s->unusable = metric(mbuf, "cairn_reports_unusable_total");
    s->cycles = metric(mbuf, "cairn_cycles_total");
    s->overruns = metric(mbuf, "cairn_cycle_overruns_total");
    s->lat_count = metric(mbuf, "cairn_cycle_lateness_seconds_count");
    s->work_max = metric(mbuf, "cairn_cycle_work_max_seconds");
    s->lat_max = metric(mbuf, "cairn_cycle_lateness_max_seconds");
    for (int i = 0; i < 9; i++) {
        char k[96];
        snprintf(k, sizeof k, "cairn_cycle_lateness_seconds_bucket{le=\"%g\"}", lat_le[i]);
        s->lat_bucket[i] = metric(mbuf, k);
    }
    s->in_adsb = 0;
    for (int q = 0; q < N_RX; q++) {
        char k[96];
        snprintf(k, sizeof k, "cairn_input_reports_total{input=\"adsb%d\",kind=\"sensor\"}", q);
        s->in_adsb += metric(mbuf, k);
    }
    s->in_radar = metric(mbuf, "cairn_input_reports_total{input=\"radar\",kind=\"sensor\"}");
    s->in_ais = metric(mbuf, "cairn_input_reports_total{input=\"ais\",kind=\"sensor\"}");
    s->sse_events = metric(mbuf, "cairn_web_sse_events_total");
    s->sse_dropped = metric(mbuf, "cairn_web_sse_dropped_total");
    s->sse_clients = metric(mbuf, "cairn_web_sse_clients");
    s->sse_tracks = metric(mbuf, "cairn_sse_tracks_total");
    s->lean_objects = metric(mbuf, "cairn_sse_moves_objects_total");
    s->lean_rows = metric(mbuf, "cairn_sse_moves_rows_total");
    s->stream_work_max = metric(mbuf, "cairn_stream_work_max_seconds");
    s->confirmed = metric(mbuf, "cairn_tracks{status=\"confirmed\"}");
    s->tentative = metric(mbuf, "cairn_tracks{status=\"tentative\"}");
    s->coasting = metric(mbuf, "cairn_tracks{status=\"coasting\"}");
}

/* ------------------------------------------------------------ SSE readers */

static int sse_fd[MAX_SSE + 1];
static int n_sse; /* sse_fd[0] is the probe reader */
static volatile int stop_readers;
static uint64_t sse_bytes[MAX_SSE + 1];
static double sent_at[MAX_SAMPLE]; /* probe sample -> mono time written */
static double lat_ms[MAX_SAMPLE];  /* probe sample -> its latency, once seen */
static size_t n_samples;
static uint8_t seen[MAX_SAMPLE];
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

/* A client of /api/events; lean: of its lean form (?form=moves). */
static int sse_open(int lean)
{
    int fd = tcp_connect((uint16_t)web_port);
    if (fd < 0)
        return -1;
    char req[512];
    int n = snprintf(req, sizeof req,
                     "GET /api/events%s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     "Authorization: Bearer %s\r\nAccept: text/event-stream\r\n\r\n",
                     lean ? "?form=moves" : "", token);
    if (write(fd, req, (size_t)n) != n) {
        close(fd);
        return -1;
    }
    int rcv = 1 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof rcv);
    fcntl(fd, F_SETFL, O_NONBLOCK);
    return fd;
}

/* The probe reader: `"callsign":"QX123456"` inside a "tracks" event of
 * the stream (the event line seen last says which event a data line is
 * of). */
static char tail[32];
static int in_tracks;
static void scan_probe(const char *p, size_t n, double now)
{
    static char b[(1 << 18) + 64];
    size_t tl = strlen(tail);
    memcpy(b, tail, tl);
    memcpy(b + tl, p, n);
    size_t bl = tl + n;
    b[bl] = 0;
    static const char key[] = "\"callsign\":\"QX", evk[] = "\nevent: ";
    char *q = b;
    for (;;) {
        char *k = memmem(q, bl - (size_t)(q - b), key, sizeof key - 1);
        char *e = memmem(q, bl - (size_t)(q - b), evk, sizeof evk - 1);
        if (e && (!k || e < k)) { /* an event line first: whose data follows */
            e += sizeof evk - 1;
            if ((size_t)(e - b) + 7 > bl)
                break;
            in_tracks = !memcmp(e, "tracks\n", 7);
            q = e;
            continue;
        }
        if (!k)
            break;
        q = k + sizeof key - 1;
        if ((size_t)(q - b) + 6 > bl)
            break;
        if (!in_tracks)
            continue;
        char num[7];
        memcpy(num, q, 6);
        num[6] = 0;
        long v = strtol(num, NULL, 10);
        pthread_mutex_lock(&mu);
        if (v >= 0 && (size_t)v < n_samples && !seen[v]) {
            seen[v] = 1;
            lat_ms[v] = (now - sent_at[v]) * 1000.0;
        }
        pthread_mutex_unlock(&mu);
    }
    size_t keep = bl < 24 ? bl : 24;
    memcpy(tail, b + bl - keep, keep);
    tail[keep] = 0;
}

/* Two reader threads: the probe reader alone (arg 0), so its samples do
 * not wait while one thread reads the other clients' megabytes, and the
 * other clients (arg 1), read as fast as that thread can. */
static void *readers(void *arg)
{
    int probe = arg == NULL;
    char *buf = malloc(1 << 18);
    struct pollfd p[MAX_SSE + 1];
    while (buf && !stop_readers) {
        int n = __atomic_load_n(&n_sse, __ATOMIC_ACQUIRE), lo = probe ? 0 : 1;
        if (probe && n > 1)
            n = 1;
        if (n <= lo) {
            struct timespec ts = {0, 10000000};
            nanosleep(&ts, NULL);
            continue;
        }
        for (int i = lo; i < n; i++)
            p[i - lo] = (struct pollfd){sse_fd[i], POLLIN, 0};
        if (poll(p, (nfds_t)(n - lo), 50) <= 0)
            continue;
        for (int i = lo; i < n; i++) {
            if (!(p[i - lo].revents & (POLLIN | POLLHUP | POLLERR)) || sse_fd[i] < 0)
                continue;
            ssize_t k;
            /* the other clients' bytes are discarded in the kernel
             * (MSG_TRUNC on TCP: counted, not copied), as if they were
             * read on other machines: copying 50 x 10 MB/s on the
             * daemon's own two cores starved it and made every client
             * fall behind */
            while ((k = recv(sse_fd[i], buf, 1 << 18, probe ? 0 : MSG_TRUNC)) > 0) {
                __atomic_fetch_add(&sse_bytes[i], (uint64_t)k, __ATOMIC_RELAXED);
                if (i == 0) {
                    scan_probe(buf, (size_t)k, mono_s());
                    if (getenv("BENCH_DUMP"))
                        fwrite(buf, 1, (size_t)k, stderr);
                }
            }
            if (k == 0) { /* dropped by the centre */
                close(sse_fd[i]);
                sse_fd[i] = -1;
            }
        }
    }
    free(buf);
    return NULL;
}

/* ------------------------------------------------------------ probes */

struct probe {
    uint32_t icao;
    double lat, lon;
    double next_id_s; /* when it sends its next callsign */
    double next_pos_s;
    double last_pos_s; /* 0: none sent yet */
    int odd;
};
static struct probe probes[N_PROBES];
static uint64_t rng = 0x2545F4914F6CDD1Dull;

static double unif(void)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (double)(rng >> 11) / 9007199254740992.0;
}

static void beast_of(const uint8_t d[14], uint8_t *out, size_t *n)
{
    struct modes_frame f;
    memset(&f, 0, sizeof f);
    memcpy(f.data, d, 14);
    f.len = 14;
    f.has_ts = 1;
    f.ts_12mhz = (uint64_t)(wall_ms() % 86400000) * 12000u;
    f.signal = 90;
    *n += (size_t)beast_encode(&f, out + *n);
}

/* The probes' frames due by now into out; their sample times noted. */
static size_t probe_frames(double now, uint8_t *out, int measuring)
{
    size_t n = 0;
    uint8_t d[14];
    for (int i = 0; i < N_PROBES; i++) {
        struct probe *p = &probes[i];
        int ident = measuring && now >= p->next_id_s && n_samples < MAX_SAMPLE;
        if (ident) {
            char cs[9];
            snprintf(cs, sizeof cs, "QX%06zu", n_samples);
            modes_enc_ident(p->icao, 3, cs, d);
            beast_of(d, out, &n);
            sent_at[n_samples++] = now;
            p->next_id_s = now + 0.5 + 0.4 * unif();
        }
        if (ident || now >= p->next_pos_s) {
            /* 250 kt east: 0.0018 degrees of longitude a second at 50 N */
            if (p->last_pos_s > 0)
                p->lon += 0.0018 * (now - p->last_pos_s);
            p->last_pos_s = now;
            modes_enc_airpos(p->icao, 11, p->lat, p->lon, 31000, p->odd, d);
            p->odd ^= 1;
            beast_of(d, out, &n);
            modes_enc_velocity(p->icao, 250, 90, 0, d);
            beast_of(d, out, &n);
            p->next_pos_s = now + 0.2;
        }
    }
    return n;
}

/* ------------------------------------------------------------ sending */

static int beast_fd[N_RX], udp_fd = -1;
static struct sockaddr_in ast_to, ais_to;
static size_t ev_next;
static uint64_t sent_kind[EV_KINDS];

static void write_all(int fd, const uint8_t *p, size_t n)
{
    size_t off = 0;
    while (off < n) { /* blocking: a full socket means the centre is behind */
        ssize_t w = write(fd, p + off, n - off);
        if (w <= 0) {
            if (errno == EINTR)
                continue;
            perror("bench_centre: beast write");
            exit(1);
        }
        off += (size_t)w;
    }
}

/* Send every event due by the data clock (wall UTC ms), Beast coalesced
 * per receiver. The probes fly in the first receiver's quarter. */
static void send_due(int64_t now_ms, double now_s, int measuring)
{
    static uint8_t out[N_RX][1 << 19];
    size_t n[N_RX] = {0};
    n[0] = probe_frames(now_s, out[0], measuring);
    while (ev_next < n_ev && evs[ev_next].t_ms <= now_ms) {
        const struct ev *e = &evs[ev_next++];
        sent_kind[e->kind]++;
        if (e->kind < EV_ASTERIX) {
            unsigned q = e->kind;
            if (n[q] + e->len > sizeof out[q]) {
                write_all(beast_fd[q], out[q], n[q]);
                n[q] = 0;
            }
            memcpy(out[q] + n[q], blob + e->off, e->len);
            n[q] += e->len;
        } else {
            const struct sockaddr_in *to = e->kind == EV_ASTERIX ? &ast_to : &ais_to;
            (void)sendto(udp_fd, blob + e->off, e->len, 0, (const struct sockaddr *)to, sizeof *to);
        }
    }
    for (int q = 0; q < N_RX; q++)
        write_all(beast_fd[q], out[q], n[q]);
}

/* Run the load from the data clock's now until end_ms. */
static void run_until(int64_t end_ms, int measuring)
{
    for (;;) {
        int64_t now = wall_ms();
        send_due(now, mono_s(), measuring);
        if (now >= end_ms)
            break;
        struct timespec ts = {0, 2000000}; /* 2 ms slices */
        nanosleep(&ts, NULL);
        drain_log(0);
    }
}

/* ------------------------------------------------------------ report */

static double p99_bucket(const struct snap *a, const struct snap *b)
{
    double count = b->lat_count - a->lat_count;
    if (!(count > 0))
        return NAN;
    for (int i = 0; i < 9; i++)
        if (b->lat_bucket[i] - a->lat_bucket[i] >= 0.99 * count)
            return lat_le[i] * 1000.0;
    return INFINITY;
}

static int dcmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(double *v, size_t n, double q)
{
    if (!n)
        return NAN;
    size_t i = (size_t)ceil(q * (double)n) - 1;
    return v[i < n ? i : n - 1];
}

/* One phase's figures, for the table at the end. */
struct result {
    const char *name;
    const char *form; /* of the clients' stream */
    int clients;
    double rps, lat_p99_ms, overruns, cpu, events_s, tracks_s, mb_s_each, dropped;
    double p50, p99, max;
    size_t samples, lost;
    int measured; /* latency measured (a probe reader was in) */
    double lean_objects_s, lean_rows_s;
};
static struct result res[4];
static int n_res;

static struct result *print_phase(const char *name, const struct snap *a, const struct snap *b,
                                  int clients, const char *form)
{
    double dt = b->t - a->t;
    double rps = (b->reports - a->reports) / dt;
    struct result *r = &res[n_res++];
    *r = (struct result){name,
                         form,
                         clients,
                         rps,
                         p99_bucket(a, b),
                         b->overruns - a->overruns,
                         (b->cpu_s - a->cpu_s) / dt,
                         (b->sse_events - a->sse_events) / dt,
                         (b->sse_tracks - a->sse_tracks) / dt,
                         0,
                         b->sse_dropped - a->sse_dropped,
                         NAN,
                         NAN,
                         NAN,
                         0,
                         0,
                         0,
                         (b->lean_objects - a->lean_objects) / dt,
                         (b->lean_rows - a->lean_rows) / dt};
    printf("\n-- phase %s: %.1f s, %d SSE client(s), %s form\n", name, dt, clients, form);
    printf("  %-38s %12s   %s\n", "figure", "measured", "target");
    printf("  %-38s %12.0f   >= %ld (offered %.0f)\n", "reports/s taken by the picture", rps,
           opt_rate,
           ((double)(b->in_adsb - a->in_adsb) + (b->in_radar - a->in_radar) +
            (b->in_ais - a->in_ais)) /
               dt);
    printf("  %-38s %12.0f / %.0f / %.0f\n", "  of which adsb / radar / ais per s",
           (b->in_adsb - a->in_adsb) / dt, (b->in_radar - a->in_radar) / dt,
           (b->in_ais - a->in_ais) / dt);
    printf("  %-38s %12.0f / %.0f / %.0f\n", "tracks confirmed / tentative / coasting",
           b->confirmed, b->tentative, b->coasting);
    printf("  %-38s %12.0f\n", "reports late or unusable",
           (b->late - a->late) + (b->unusable - a->unusable));
    printf("  %-38s %9s%.0f ms   on time (< cycle %d ms)\n", "cycle lateness p99 (bucket)",
           "<= ", r->lat_p99_ms, opt_cycle);
    printf("  %-38s %9.1f ms\n", "cycle lateness max (since start)", b->lat_max * 1000.0);
    printf("  %-38s %9.1f ms\n", "longest firing (since start)", b->work_max * 1000.0);
    printf("  %-38s %9.1f ms\n", "longest stream firing (since start)",
           b->stream_work_max * 1000.0);
    printf("  %-38s %12.0f   0\n", "cycle overruns", r->overruns);
    printf("  %-38s %12.2f   <= 1 core\n", "daemon CPU, cores", r->cpu);
    printf("  %-38s %12.0f   (%.0f tracks/s in them)\n", "SSE events published/s", r->events_s,
           r->tracks_s);
    if (r->lean_objects_s + r->lean_rows_s > 0)
        printf("  %-38s %12.0f / %.0f\n", "lean form: full objects / rows per s", r->lean_objects_s,
               r->lean_rows_s);
    printf("  %-38s %12.0f   0\n", "SSE clients dropped (full buffer)", r->dropped);
    printf("  %-38s %12.0f\n", "SSE clients at the end", b->sse_clients);
    return r;
}

static void print_latency(const char *phase, struct result *r, size_t from_sample, size_t to_sample)
{
    static double v[MAX_SAMPLE];
    size_t n = 0, lost = 0, pending = 0;
    double now = mono_s();
    /* the samples written in this phase, wherever they arrived: a sample
     * not seen a second after it was written is lost; a younger one is
     * still on its way (the phase ended under it) and counted apart */
    pthread_mutex_lock(&mu);
    for (size_t k = from_sample; k < to_sample; k++) {
        if (seen[k])
            v[n++] = lat_ms[k];
        else if (now - sent_at[k] > 1.0)
            lost++;
        else
            pending++;
    }
    pthread_mutex_unlock(&mu);
    qsort(v, n, sizeof *v, dcmp);
    char what[64];
    snprintf(what, sizeof what, "phase %s: sensor-to-API latency p99", phase);
    printf("  %-38s %9.0f ms   (p50 %.0f, p90 %.0f, max %.0f; %zu samples, %zu not seen"
           ", %zu in flight at the end)\n",
           what, pct(v, n, 0.99), pct(v, n, 0.5), pct(v, n, 0.9), n ? v[n - 1] : NAN, n, lost,
           pending);
    printf("  %-38s %12s   <= 100 ms\n", "", "");
    r->measured = 1;
    r->p50 = pct(v, n, 0.5);
    r->p99 = pct(v, n, 0.99);
    r->max = n ? v[n - 1] : NAN;
    r->samples = n;
    r->lost = lost;
}

/* The phases side by side. */
static void print_table(void)
{
    printf("\n-- side by side (stream_ms %s, cycle %d ms, %ld reports/s offered)\n",
           opt_stream < 0 ? "default" : opt_stream_text, opt_cycle, opt_rate);
    printf("  %-34s", "phase");
    for (int i = 0; i < n_res; i++)
        printf(" %16s", res[i].name);
    printf("\n  %-34s", "SSE clients");
    for (int i = 0; i < n_res; i++)
        printf(" %16d", res[i].clients);
    printf("\n  %-34s", "their form");
    for (int i = 0; i < n_res; i++)
        printf(" %16s", res[i].form);
    printf("\n  %-34s", "reports/s taken");
    for (int i = 0; i < n_res; i++)
        printf(" %16.0f", res[i].rps);
    printf("\n  %-34s", "cycle lateness p99 (bucket), ms");
    for (int i = 0; i < n_res; i++)
        printf(" %13s%3.0f", "<= ", res[i].lat_p99_ms);
    printf("\n  %-34s", "cycle overruns");
    for (int i = 0; i < n_res; i++)
        printf(" %16.0f", res[i].overruns);
    printf("\n  %-34s", "daemon CPU, cores");
    for (int i = 0; i < n_res; i++)
        printf(" %16.2f", res[i].cpu);
    printf("\n  %-34s", "latency p50 / p99 / max, ms");
    for (int i = 0; i < n_res; i++) {
        char t[40] = "-";
        if (res[i].measured)
            snprintf(t, sizeof t, "%.0f / %.0f / %.0f", res[i].p50, res[i].p99, res[i].max);
        printf(" %16s", t);
    }
    printf("\n  %-34s", "latency samples (not seen)");
    for (int i = 0; i < n_res; i++) {
        char t[40] = "-";
        if (res[i].measured)
            snprintf(t, sizeof t, "%zu (%zu)", res[i].samples, res[i].lost);
        printf(" %16s", t);
    }
    printf("\n  %-34s", "SSE events/s (tracks/s in them)");
    for (int i = 0; i < n_res; i++) {
        char t[40];
        snprintf(t, sizeof t, "%.0f (%.0f)", res[i].events_s, res[i].tracks_s);
        printf(" %16s", t);
    }
    printf("\n  %-34s", "lean: full objects / rows per s");
    for (int i = 0; i < n_res; i++) {
        char t[40] = "-";
        if (res[i].lean_objects_s + res[i].lean_rows_s > 0)
            snprintf(t, sizeof t, "%.0f / %.0f", res[i].lean_objects_s, res[i].lean_rows_s);
        printf(" %16s", t);
    }
    printf("\n  %-34s", "MB/s read by each client");
    for (int i = 0; i < n_res; i++)
        printf(" %16.3f", res[i].mb_s_each);
    printf("\n  %-34s", "SSE clients dropped");
    for (int i = 0; i < n_res; i++)
        printf(" %16.0f", res[i].dropped);
    printf("\n");
}

/* ------------------------------------------------------------ main */

static void cleanup(void)
{
    if (child > 0) {
        kill(child, SIGTERM);
        for (int i = 0; i < 100 && waitpid(child, NULL, WNOHANG) == 0; i++) {
            struct timespec ts = {0, 50000000};
            nanosleep(&ts, NULL);
        }
        kill(child, SIGKILL);
        waitpid(child, NULL, 0);
        child = -1;
    }
    if (dir[0]) {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
        if (system(cmd) != 0)
            fprintf(stderr, "bench_centre: could not remove %s\n", dir);
    }
}

int main(int argc, char **argv)
{
    static const struct option lo[] = {
        {"rate", 1, 0, 'r'},  {"seconds", 1, 0, 's'},   {"sse", 1, 0, 'e'}, {"cycle-ms", 1, 0, 'c'},
        {"cairn", 1, 0, 'b'}, {"stream-ms", 1, 0, 'm'}, {0, 0, 0, 0}};
    int o;
    while ((o = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        switch (o) {
        case 'r':
            opt_rate = atol(optarg);
            break;
        case 's':
            opt_seconds = atoi(optarg);
            break;
        case 'e':
            opt_sse = atoi(optarg);
            break;
        case 'c':
            opt_cycle = atoi(optarg);
            break;
        case 'b':
            snprintf(opt_cairn, sizeof opt_cairn, "%s", optarg);
            break;
        case 'm':
            opt_stream = atoi(optarg);
            snprintf(opt_stream_text, sizeof opt_stream_text, "%d", opt_stream);
            break;
        default:
            fprintf(stderr, "usage: bench_centre [--rate N] [--seconds S] [--sse N] "
                            "[--cycle-ms C] [--stream-ms M] [--cairn PATH]\n");
            return 2;
        }
    }
    if (opt_rate < 1000 || opt_seconds < 2 || opt_sse < 0 || opt_sse > MAX_SSE || opt_cycle < 20 ||
        opt_cycle > 10000 || opt_stream > 10000 ||
        (opt_stream != -1 && opt_stream != 0 && opt_stream < 10)) {
        fprintf(stderr,
                "bench_centre: rate >= 1000, seconds >= 2, sse 0-%d, cycle 20-10000, "
                "stream 0 or 10-10000\n",
                MAX_SSE);
        return 2;
    }
    if (!opt_cairn[0]) { /* build/release/bench/bench_centre -> build/release/cairn */
        char self[900];
        ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
        if (n <= 0)
            return 2;
        self[n] = 0;
        char *slash = strrchr(self, '/');
        if (slash)
            *slash = 0;
        snprintf(opt_cairn, sizeof opt_cairn, "%s/../cairn", self);
    }
    if (access(opt_cairn, X_OK) != 0) {
        printf("bench_centre: no cairn binary at %s: skipped\n", opt_cairn);
        return 0;
    }
    signal(SIGPIPE, SIG_IGN);
    atexit(cleanup);

    /* the data: warm-up + two phases, starting when the sending will. A
     * two-second trial with 2,000 aircraft says how many reports an
     * aircraft makes (its ADS-B heard by several receivers, the radar, the
     * vessels' AIS) and how long making the data takes. */
    /* + 1 s between B and C, + 1 s of C before it is measured */
    int warm = 8, total = warm + 4 * opt_seconds + 3;
    double g0 = mono_s();
    int64_t start = wall_ms();
    start = start - start % 1000 + 1000;
    if (generate(2000, 2, start) != 0)
        return 1;
    double per_air = (double)count_all(n_kind) / 2.0 / 2000.0;
    size_t n_air = (size_t)((double)opt_rate / per_air);
    double gen_s = (mono_s() - g0) / 2.0 * (double)n_air / 2000.0 * total * 1.3 + 8.0;
    sim_scenario_free(&sc);
    free(blob);
    free(evs);
    blob = NULL, evs = NULL;
    blob_len = blob_cap = n_ev = ev_cap = 0;
    memset(n_kind, 0, sizeof n_kind);
    start = wall_ms() + (int64_t)(gen_s * 1000.0);
    start = start - start % 1000 + 1000;
    printf("bench_centre: %zu aircraft, %zu vessels, %d s of data (%.0f s to make it)...\n", n_air,
           n_air / 10, total, gen_s - 8.0);
    fflush(stdout);
    if (generate(n_air, total, start) != 0)
        return 1;
    printf("  %llu Beast frames, %llu ASTERIX records, %llu AIS messages: %.0f reports/s "
           "offered (%.0f MB)\n",
           (unsigned long long)count_beast(n_kind), (unsigned long long)n_kind[EV_ASTERIX],
           (unsigned long long)n_kind[EV_AIS], (double)count_all(n_kind) / total,
           (double)blob_len / 1e6);

    /* the daemon */
    snprintf(dir, sizeof dir, "/tmp/cairn-bench-XXXXXX");
    if (!mkdtemp(dir))
        return 1;
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "printf 'bench-password\\n' | '%s' passwd bench > %s/accounts && chmod 600 "
             "%s/accounts",
             opt_cairn, dir, dir);
    if (system(cmd) != 0)
        return 1;
    int lis[N_RX];
    uint16_t lport[N_RX];
    for (int q = 0; q < N_RX; q++) {
        lis[q] = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in la = {.sin_family = AF_INET};
        la.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t sl = sizeof la;
        if (bind(lis[q], (struct sockaddr *)&la, sizeof la) || listen(lis[q], 1) ||
            getsockname(lis[q], (struct sockaddr *)&la, &sl))
            return 1;
        lport[q] = ntohs(la.sin_port);
    }
    uint16_t p_ast = free_udp_port(), p_ais = free_udp_port();
    const struct sim_radar *rd = &sc.radars[0];
    char conf[4096], path[256], stream_line[40] = "";
    if (opt_stream >= 0)
        snprintf(stream_line, sizeof stream_line, "stream_ms = %d\n", opt_stream);
    int cn = snprintf(conf, sizeof conf,
                      "[web]\nlisten = 127.0.0.1:0\naccounts = accounts\n%s"
                      "[picture]\ncycle_ms = %d\n"
                      "[radar centre]\nsac = %u\nsic = %u\nlat = %.4f\nlon = %.4f\nalt_m = %.0f\n"
                      "period_s = %.0f\nrange_sigma_m = %.0f\nazimuth_sigma_deg = %.3f\n"
                      "[ais sea]\nlat = 50\nlon = 10\n"
                      "[sensor radar]\nformat = asterix\nudp = 127.0.0.1:%u\n"
                      "[sensor ais]\nformat = nmea\nudp = 127.0.0.1:%u\nreceiver = sea\n",
                      stream_line, opt_cycle, rd->sac, rd->sic, rd->lat_deg, rd->lon_deg, rd->alt_m,
                      rd->rotation_s, rd->range_sigma_m, rd->azimuth_sigma_deg, p_ast, p_ais);
    for (int q = 0; q < N_RX; q++)
        cn += snprintf(conf + cn, sizeof conf - (size_t)cn,
                       "[adsb rx%d]\nlat = %.1f\nlon = %.1f\n"
                       "[sensor adsb%d]\nformat = beast\nconnect = 127.0.0.1:%u\nreceiver = rx%d\n"
                       "read_buffer = 1048576\n",
                       q, rx_pos[q][0], rx_pos[q][1], q, lport[q], q);
    snprintf(path, sizeof path, "%s/centre.ini", dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return 1;
    fputs(conf, f);
    fclose(f);
    int pp[2];
    if (pipe(pp) != 0)
        return 1;
    double cpu_before = bench_children_cpu_s(), t_spawn = mono_s();
    child = fork();
    if (child == 0) {
        dup2(pp[1], 2);
        close(pp[0]);
        close(pp[1]);
        for (int q = 0; q < N_RX; q++)
            close(lis[q]);
        execl(opt_cairn, opt_cairn, "run", "-c", path, (char *)NULL);
        _exit(127);
    }
    close(pp[1]);
    err_fd = pp[0];
    double t_up = mono_s() + 30;
    while (!strstr(logbuf, "centre cairn up") && mono_s() < t_up && err_fd >= 0)
        drain_log(100);
    const char *wp = strstr(logbuf, "web: listening on 127.0.0.1:0 (port ");
    if (!wp) {
        fprintf(stderr, "bench_centre: the centre did not start:\n%s\n", logbuf);
        return 1;
    }
    web_port = atoi(strstr(wp, "(port ") + 6);
    int sb = 4 << 20;
    for (int q = 0; q < N_RX; q++) {
        struct pollfd pl = {lis[q], POLLIN, 0};
        if (poll(&pl, 1, 15000) != 1 || (beast_fd[q] = accept(lis[q], NULL, NULL)) < 0) {
            fprintf(stderr, "bench_centre: the centre did not dial Beast feed %d\n%s\n", q, logbuf);
            return 1;
        }
        setsockopt(beast_fd[q], SOL_SOCKET, SO_SNDBUF, &sb, sizeof sb);
    }
    udp_fd = socket(AF_INET, SOCK_DGRAM, 0);
    setsockopt(udp_fd, SOL_SOCKET, SO_SNDBUF, &sb, sizeof sb);
    ast_to = ais_to = (struct sockaddr_in){.sin_family = AF_INET};
    ast_to.sin_addr.s_addr = ais_to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ast_to.sin_port = htons(p_ast);
    ais_to.sin_port = htons(p_ais);
    static char reply[1 << 16];
    if (http("POST", "/api/login", "{\"user\":\"bench\",\"password\":\"bench-password\"}", reply,
             sizeof reply) != 200) {
        fprintf(stderr, "bench_centre: login refused\n");
        return 1;
    }
    const char *tk = strstr(reply, "\"token\":\"");
    if (!tk)
        return 1;
    tk += 9;
    size_t tl = strcspn(tk, "\"");
    snprintf(token, sizeof token, "%.*s", (int)tl, tk);
    for (int i = 0; i < N_PROBES; i++)
        probes[i] = (struct probe){0xC0FF00u + (uint32_t)i, 46.0 + 0.08 * i, 4.0, 0, 0, 0, 0};

    /* wait for the data's start, then warm up */
    while (wall_ms() < start) {
        struct timespec ts = {0, 5000000};
        nanosleep(&ts, NULL);
        drain_log(0);
    }
    if (wall_ms() > start + 500)
        printf("  (the data started %lld ms late: generation was slower than planned)\n",
               (long long)(wall_ms() - start));
    printf("  daemon pid %d, cycle %d ms; warm-up %d s...\n", (int)child, opt_cycle, warm);
    fflush(stdout);
    pthread_t th, th_probe;
    pthread_create(&th_probe, NULL, readers, NULL);
    pthread_create(&th, NULL, readers, (void *)1);
    run_until(start + warm * 1000, 0);

    /* phase 0: nobody reads /api/events */
    struct snap a, b, c, d;
    take(&a);
    run_until(start + (warm + opt_seconds) * 1000, 0);
    take(&b);
    print_phase("0", &a, &b, 0, "-");

    /* phase A: the probe reader alone (its first flush: every track) */
    sse_fd[0] = sse_open(0);
    __atomic_store_n(&n_sse, 1, __ATOMIC_RELEASE);
    size_t s0 = n_samples;
    run_until(start + (warm + 2 * opt_seconds) * 1000, 1);
    take(&c);
    struct result *ra = print_phase("A", &b, &c, 1, "full");
    if (getenv("BENCH_DUMP") && http("GET", "/data/aircraft.json", NULL, mbuf, sizeof mbuf) > 0) {
        const char *q = strstr(mbuf, "c0ff0");
        fprintf(stderr, "\nPROBE in aircraft.json: %.400s\n", q ? q - 10 : "none");
    }
    ra->mb_s_each = (double)sse_bytes[0] / (c.t - b.t) / 1e6;
    size_t s1 = n_samples; /* phase A's samples: printed after phase B, when all had time */

    /* phase B: the probe and --sse more */
    for (int i = 0; i < opt_sse; i++) {
        int fd = sse_open(0);
        if (fd < 0)
            break;
        sse_fd[n_sse] = fd;
        __atomic_store_n(&n_sse, n_sse + 1, __ATOMIC_RELEASE);
    }
    take(&c); /* phase B from here: the clients are in */
    size_t s2 = n_samples;
    uint64_t bytes0[MAX_SSE + 1];
    for (int i = 0; i < n_sse; i++)
        bytes0[i] = __atomic_load_n(&sse_bytes[i], __ATOMIC_RELAXED);
    run_until(start + (warm + 3 * opt_seconds) * 1000, 1);
    take(&d);
    struct result *rb = print_phase("B", &c, &d, n_sse, "full");
    uint64_t sse_total = 0;
    int alive = 0;
    for (int i = 0; i < n_sse; i++) {
        sse_total += __atomic_load_n(&sse_bytes[i], __ATOMIC_RELAXED) - bytes0[i];
        alive += sse_fd[i] >= 0;
    }
    rb->mb_s_each = (double)sse_total / n_sse / (d.t - c.t) / 1e6;
    printf("  %-38s %12.2f MB/s each (%d of %d still connected)\n", "SSE read by the clients",
           rb->mb_s_each, alive, n_sse);
    size_t s3 = n_samples;
    /* a second of load with B's clients still in: B's last samples arrive */
    run_until(start + (warm + 3 * opt_seconds + 1) * 1000, 1);

    /* phase C: as many clients, the probe first, on the lean form. The
     * readers leave the old ones (they take n_sse again each round, at
     * most 50 ms apart) before those are closed. */
    int n_b = n_sse;
    __atomic_store_n(&n_sse, 0, __ATOMIC_RELEASE);
    run_until(wall_ms() + 200, 1);
    for (int i = 0; i < n_b; i++) {
        if (sse_fd[i] >= 0)
            close(sse_fd[i]);
        sse_fd[i] = -1;
        __atomic_store_n(&sse_bytes[i], 0, __ATOMIC_RELAXED);
    }
    tail[0] = 0;
    in_tracks = 0;
    struct snap e, g;
    int n_c = 0;
    for (int i = 0; i < n_b; i++) {
        int fd = sse_open(1);
        if (fd < 0)
            break;
        sse_fd[n_c++] = fd;
    }
    __atomic_store_n(&n_sse, n_c, __ATOMIC_RELEASE);
    /* measured from a second on: the first lean flush sends every track
     * in full (none went out in this form before), as phase A's first
     * flush did in the default form, but phase B's clients joined a
     * stream already running */
    run_until(start + (warm + 3 * opt_seconds + 2) * 1000, 1);
    take(&e);
    for (int i = 0; i < n_c; i++)
        bytes0[i] = __atomic_load_n(&sse_bytes[i], __ATOMIC_RELAXED);
    size_t s4 = n_samples;
    run_until(start + (warm + 4 * opt_seconds + 2) * 1000, 1);
    take(&g);
    struct result *rc = print_phase("C", &e, &g, n_c, "moves");
    /* the probe samples of phases B and C that had time to arrive */
    double t_end = mono_s() + 2.0;
    while (mono_s() < t_end) {
        struct timespec ts = {0, 20000000};
        nanosleep(&ts, NULL);
    }
    print_latency("A", ra, s0, s1);
    print_latency("B", rb, s2, s3);
    print_latency("C", rc, s4, n_samples);
    sse_total = 0;
    alive = 0;
    for (int i = 0; i < n_c; i++) {
        sse_total += __atomic_load_n(&sse_bytes[i], __ATOMIC_RELAXED) - bytes0[i];
        alive += sse_fd[i] >= 0;
    }
    rc->mb_s_each = n_c ? (double)sse_total / n_c / (g.t - e.t) / 1e6 : 0;
    printf("  %-38s %12.3f MB/s each (%d of %d still connected; full form in B: %.2f)\n",
           "SSE read by the lean clients", rc->mb_s_each, alive, n_c, rb->mb_s_each);
    print_table();
    printf("  sent: %llu Beast frames, %llu ASTERIX, %llu AIS; machine load average: ",
           (unsigned long long)count_beast(sent_kind), (unsigned long long)sent_kind[EV_ASTERIX],
           (unsigned long long)sent_kind[EV_AIS]);
    FILE *la_f = fopen("/proc/loadavg", "r");
    char lavg[64] = "?";
    if (la_f && fgets(lavg, sizeof lavg, la_f))
        lavg[strcspn(lavg, "\n")] = 0;
    if (la_f)
        fclose(la_f);
    printf("%s on %ld cores\n", lavg, sysconf(_SC_NPROCESSORS_ONLN));
    stop_readers = 1;
    pthread_join(th, NULL);
    pthread_join(th_probe, NULL);
    /* the daemon's own CPU over its whole life, from the kernel's account
     * of the reaped child: a check on the /proc figures above */
    kill(child, SIGTERM);
    waitpid(child, NULL, 0);
    child = -1;
    double life = mono_s() - t_spawn, cpu = bench_children_cpu_s() - cpu_before;
    printf("  daemon over its life: %.1f CPU s in %.1f s (%.2f cores)\n", cpu, life, cpu / life);
    return 0;
}
