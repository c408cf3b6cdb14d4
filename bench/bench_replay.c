/*
 * bench_replay.c — the replay client's top rate (`cairn replay --to`,
 * app/replay_to.h): how many units per second it reads, merges, re-stamps
 * and writes into a socket when nothing holds it back, beside the raw
 * throughput of the same bytes through the same socket (what `cat FILE |
 * nc HOST PORT` does: 64 KiB reads and writes, no parsing).
 *
 * Recordings are made here, so the program runs anywhere (in /tmp, removed
 * at the end): a Beast file of 3,000,000 frames (about 70 MB: 14-byte
 * frames, escapes, a 1 ms counter step) and an AIS file of 1,500,000 lines
 * with TAG blocks (about 100 MB; c: re-stamped on every line). The sink
 * is a thread that accepts one loopback TCP connection and discards what
 * it reads; sender and sink share the machine's cores.
 *
 * Cases: the Beast file at --speed max (no pacing), at --speed 1000000 (the
 * pacing path: every unit is due at once, the clock is read for each), the
 * AIS file at max with re-stamping; then the raw copy of each file. Prints
 * units/s, MB/s, wall and CPU seconds, and the load average.
 */
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "app/replay_to.h"
#include "bench_util.h"
#include "decode/modes/beast.h"
#include "decode/modes/frame.h"

#define N_BEAST 3000000
#define N_AIS   1500000

static char dir[64];

struct sink {
    int ls;
    uint16_t port;
    uint64_t bytes;
};

static void *sink_run(void *arg)
{
    struct sink *k = arg;
    int c = accept(k->ls, NULL, NULL);
    if (c < 0)
        return NULL;
    static char buf[1 << 16];
    ssize_t g;
    while ((g = read(c, buf, sizeof buf)) > 0)
        k->bytes += (uint64_t)g;
    close(c);
    return NULL;
}

/* A sink listening on 127.0.0.1 at a kernel port, its thread started. */
static int sink_start(struct sink *k, pthread_t *th)
{
    memset(k, 0, sizeof *k);
    k->ls = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    if (k->ls < 0 || bind(k->ls, (struct sockaddr *)&a, sizeof a) || listen(k->ls, 1) ||
        getsockname(k->ls, (struct sockaddr *)&a, &al))
        return -1;
    k->port = ntohs(a.sin_port);
    return pthread_create(th, NULL, sink_run, k);
}

static void load_line(const char *what)
{
    double l[3] = {0};
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        if (fscanf(f, "%lf %lf %lf", &l[0], &l[1], &l[2]) != 3)
            l[0] = -1;
        fclose(f);
    }
    printf("  (%s; load average %.2f %.2f %.2f)\n", what, l[0], l[1], l[2]);
}

static void replay_case(const char *name, const char *spec, double speed, uint64_t want_units)
{
    struct sink k;
    pthread_t th;
    if (sink_start(&k, &th) != 0) {
        fprintf(stderr, "bench_replay: no sink\n");
        exit(1);
    }
    struct app_replay_to_opts o;
    memset(&o, 0, sizeof o);
    char to[32];
    snprintf(to, sizeof to, "127.0.0.1:%u", k.port);
    addr_parse(to, &o.to);
    o.proto = APP_REPLAY_TCP;
    o.speed = speed;
    struct app_replay_to_stats st;
    char err[256];
    char *inputs[] = {(char *)spec};
    double w0 = bench_now_s(), c0 = bench_cpu_s();
    int rc = app_replay_to_run(&o, inputs, 1, &st, err, sizeof err);
    double c1 = bench_cpu_s();
    pthread_join(th, NULL);
    double w1 = bench_now_s();
    close(k.ls);
    if (rc != 0 || st.units != want_units || k.bytes != st.bytes) {
        fprintf(stderr, "bench_replay: %s: rc %d, %llu units, %s\n", name, rc,
                (unsigned long long)st.units, err);
        exit(1);
    }
    double wall = w1 - w0;
    printf("%-34s %9.0f units/s %7.1f MB/s  wall %.2f s  cpu %.2f s (sender and sink)  %llu "
           "re-stamped\n",
           name, (double)st.units / wall, (double)st.bytes / wall / 1e6, wall, c1 - c0,
           (unsigned long long)st.restamped);
}

/* `cat FILE | nc`: 64 KiB reads written whole. */
static void raw_case(const char *name, const char *path, uint64_t units)
{
    struct sink k;
    pthread_t th;
    if (sink_start(&k, &th) != 0)
        exit(1);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
                            .sin_port = htons(k.port)};
    double w0 = bench_now_s(), c0 = bench_cpu_s();
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0)
        exit(1);
    FILE *f = fopen(path, "rb");
    static char buf[1 << 16];
    size_t n;
    while (f && (n = fread(buf, 1, sizeof buf, f)) > 0)
        for (size_t off = 0; off < n;) {
            ssize_t w = write(fd, buf + off, n - off);
            if (w <= 0)
                exit(1);
            off += (size_t)w;
        }
    if (f)
        fclose(f);
    close(fd);
    double c1 = bench_cpu_s();
    pthread_join(th, NULL);
    double w1 = bench_now_s();
    close(k.ls);
    double wall = w1 - w0;
    printf("%-34s %9.0f units/s %7.1f MB/s  wall %.2f s  cpu %.2f s (sender and sink)\n", name,
           (double)units / wall, (double)k.bytes / wall / 1e6, wall, c1 - c0);
}

static void write_beast(const char *path)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        exit(1);
    struct modes_frame fr;
    memset(&fr, 0, sizeof fr);
    uint8_t out[64];
    for (int i = 0; i < N_BEAST; i++) {
        fr.len = 14;
        fr.signal = (uint8_t)i;
        fr.ts_12mhz = 1000000 + (uint64_t)i * 12000;
        fr.has_ts = 1;
        for (int b = 0; b < 14; b++)
            fr.data[b] = (uint8_t)(i * 7 + b * 13);
        int w = beast_encode(&fr, out);
        if (w <= 0 || fwrite(out, 1, (size_t)w, f) != (size_t)w)
            exit(1);
    }
    fclose(f);
}

static void write_ais(const char *path)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        exit(1);
    for (int i = 0; i < N_AIS; i++) /* 20 lines a second, as a busy coast station */
        fprintf(f, "\\c:%d*00\\!AIVDM,1,1,,B,144d=kPP2<1Gq1lOa9C4i3l20000,0*16\n",
                1460462400 + i / 20);
    fclose(f);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/cairn-bench-replay-XXXXXX");
    if (!mkdtemp(dir))
        return 1;
    char beast[128], ais[128], spec_b[160], spec_a[160];
    snprintf(beast, sizeof beast, "%s/b.beast", dir);
    snprintf(ais, sizeof ais, "%s/a.nmea", dir);
    snprintf(spec_b, sizeof spec_b, "beast:%s", beast);
    snprintf(spec_a, sizeof spec_a, "nmea:%s", ais);
    write_beast(beast);
    write_ais(ais);
    printf("bench_replay: the replay client into a loopback TCP sink\n");
    replay_case("beast --speed max", spec_b, 0, N_BEAST);
    replay_case("beast --speed 1000000 (paced path)", spec_b, 1e6, N_BEAST);
    raw_case("beast raw copy (cat | nc)", beast, N_BEAST);
    replay_case("nmea --speed max, c: re-stamped", spec_a, 0, N_AIS);
    raw_case("nmea raw copy (cat | nc)", ais, N_AIS);
    load_line("shared machine: compare within one run");
    unlink(beast);
    unlink(ais);
    rmdir(dir);
    return 0;
}
