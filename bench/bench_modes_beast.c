/*
 * bench_modes_beast.c — Mode S frame decoding from a Beast stream, and the
 * memory of `cairn decode` on a multi-gigabyte stream.
 *
 * Part 1 (in memory, one core): the St Petersburg Beast log (13,954 frames,
 * 227 KB; synthetic frames when ../shared/data is absent) is held in memory
 * and pushed through beast_parse() + modes_decode() pass after pass until
 * at least BENCH_MSGS messages (default 6 million) were decoded. Each pass
 * shifts the frames' clock by the log's length so time keeps running
 * forward, as in a long recording. Prints frames/s for parsing alone and
 * messages/s for parsing plus decoding (target: >= 5 M msg/s), best of three
 * rounds, by wall time and by process CPU time (a shared machine slows the
 * wall clock, not the CPU time of a single-threaded loop).
 *
 * Part 2 (streaming): the log repeated is written into a pipe read by the
 * release `cairn decode --format beast -` (output to /dev/null), the exact
 * chunked path of the CLI: BENCH_GB gigabytes (default 2) with --quiet
 * (parse, decode, count; no JSON), and BENCH_JSON_GB (default 0.1) with
 * the JSON Lines written (JSON formatting runs at about 0.5 M msg/s, so
 * gigabytes of it take minutes). Each peak RSS (wait4) is printed beside
 * that of a run on one copy of the log: flat memory means they are about
 * equal. CAIRN_BIN names the binary (default: ../cairn next to this
 * benchmark's folder).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "decode/modes/beast.h"
#include "decode/modes/modes.h"

#include "bench_util.h"

#define LOG_REL "modes/beastblackbox_ulss7_1522782148.beast"

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *p = n > 0 ? malloc((size_t)n) : NULL;
    if (p && fread(p, 1, (size_t)n, f) != (size_t)n) {
        free(p);
        p = NULL;
    }
    fclose(f);
    *len = p ? (size_t)n : 0;
    return p;
}

/* Without the shared data: 4,000 frames of a few aircraft, CRC-valid DF17
 * identification and DF11 all-call replies, Beast-encoded. */
static uint8_t *synthesise(size_t *len)
{
    size_t cap = 4000 * BEAST_MAX_WIRE, o = 0;
    uint8_t *p = malloc(cap);
    if (!p)
        return NULL;
    for (int i = 0; i < 4000; i++) {
        struct modes_frame f;
        memset(&f, 0, sizeof f);
        uint32_t icao = 0x400000u + (uint32_t)(i % 23);
        if (i % 2) {
            f.len = MODES_LONG_LEN;
            f.data[0] = 0x8d; /* DF17, CA 5 */
            f.data[4] = 0x20; /* TC4: identification */
            for (int k = 5; k < 11; k++)
                f.data[k] = (uint8_t)(0x10 + k + i % 7);
        } else {
            f.len = MODES_SHORT_LEN;
            f.data[0] = 0x5d; /* DF11, CA 5 */
        }
        f.data[1] = (uint8_t)(icao >> 16);
        f.data[2] = (uint8_t)(icao >> 8);
        f.data[3] = (uint8_t)icao;
        uint32_t crc = modes_crc(f.data, f.len);
        f.data[f.len - 3] ^= (uint8_t)(crc >> 16);
        f.data[f.len - 2] ^= (uint8_t)(crc >> 8);
        f.data[f.len - 1] ^= (uint8_t)crc;
        f.ts_12mhz = 1000000 + (uint64_t)i * 180000; /* 15 ms apart */
        f.signal = 40;
        o += (size_t)beast_encode(&f, p + o);
    }
    *len = o;
    return p;
}

/* ---- part 1 ---- */

static void bench_memory(const uint8_t *log, size_t len, uint64_t want_msgs)
{
    struct modes_ctx *ctx = malloc(sizeof *ctx);
    struct modes_opts o;
    modes_opts_default(&o);
    o.have_receiver = 1;
    o.rx_lat_deg = 59.9; /* St Petersburg */
    o.rx_lon_deg = 30.3;
    modes_ctx_init(ctx, &o);

    /* Frames per pass and the log's length on its own clock. */
    struct beast_parser p;
    beast_parser_init(&p);
    struct modes_frame f;
    size_t off = 0;
    ssize_t r;
    double t_min = 1e300, t_max = -1e300;
    while ((r = beast_parse(&p, log + off, len - off, &f)) > 0) {
        off += (size_t)r;
        if (f.t_s < t_min)
            t_min = f.t_s;
        if (f.t_s > t_max)
            t_max = f.t_s;
    }
    uint64_t per_pass = p.st.frames;
    if (!per_pass) {
        printf("  no frames in the input\n");
        free(ctx);
        return;
    }
    uint64_t passes = (want_msgs + per_pass - 1) / per_pass;
    double span_s = t_max - t_min + 1.0; /* shift per pass: the log's length + 1 s */
    uint64_t span_12 = (uint64_t)(span_s * BEAST_CLOCK_HZ);

    /* Parsing alone, then parsing and decoding; each ROUNDS times, best kept
     * (the machine is shared: the best round is the least disturbed). */
    enum { ROUNDS = 3 };
    uint64_t frames = 0, sum = 0, decoded = 0, ok = 0, positions = 0;
    double t_parse = 1e300, t_dec = 1e300, c_parse = 1e300, c_dec = 1e300;
    struct modes_msg m;
    for (int round = 0; round < ROUNDS; round++) {
        frames = 0;
        double t0 = bench_now_s(), c0 = bench_cpu_s();
        for (uint64_t k = 0; k < passes; k++) {
            beast_parser_init(&p);
            off = 0;
            while ((r = beast_parse(&p, log + off, len - off, &f)) > 0) {
                off += (size_t)r;
                sum += f.data[0]; /* keep the work observable */
            }
            frames += p.st.frames;
        }
        double tp = bench_now_s() - t0, cp = bench_cpu_s() - c0;

        modes_ctx_init(ctx, &o);
        decoded = ok = positions = 0;
        t0 = bench_now_s();
        c0 = bench_cpu_s();
        for (uint64_t k = 0; k < passes; k++) {
            beast_parser_init(&p);
            off = 0;
            while ((r = beast_parse(&p, log + off, len - off, &f)) > 0) {
                off += (size_t)r;
                f.t_s += (double)k * span_s;
                f.ts_12mhz += k * span_12;
                decoded++;
                if (modes_decode(ctx, &f, &m) == 0) {
                    ok++;
                    positions += (m.has & MH_POS) != 0;
                }
            }
        }
        double td = bench_now_s() - t0, cd = bench_cpu_s() - c0;
        printf("  round %d: parse %.2f M frames/s, parse+decode %.2f M msg/s (wall); "
               "%.2f M msg/s per CPU-second\n",
               round + 1, (double)frames / tp / 1e6, (double)decoded / td / 1e6,
               (double)decoded / cd / 1e6);
        t_parse = tp < t_parse ? tp : t_parse;
        t_dec = td < t_dec ? td : t_dec;
        c_parse = cp < c_parse ? cp : c_parse;
        c_dec = cd < c_dec ? cd : c_dec;
    }
    printf(
        "  input: %zu bytes, %llu frames per pass, %llu passes (clock shifted %.1f s per pass)\n",
        len, (unsigned long long)per_pass, (unsigned long long)passes, span_s);
    printf("  best of %d rounds:\n", ROUNDS);
    printf("  beast_parse alone      : %llu frames in %.3f s = %.2f M frames/s (%.0f MB/s)\n",
           (unsigned long long)frames, t_parse, (double)frames / t_parse / 1e6,
           (double)len * (double)passes / t_parse / 1e6);
    printf("  beast_parse+modes_decode: %llu messages in %.3f s = %.2f M msg/s on one core "
           "(target >= 5)\n",
           (unsigned long long)decoded, t_dec, (double)decoded / t_dec / 1e6);
    printf("    per CPU-second (process CPU time; less disturbed by a busy machine): parse %.2f M "
           "frames/s, "
           "parse+decode %.2f M msg/s\n",
           (double)frames / c_parse / 1e6, (double)decoded / c_dec / 1e6);
    printf("    %llu trusted, %llu with a position (checksum %llu)\n", (unsigned long long)ok,
           (unsigned long long)positions, (unsigned long long)(sum & 0xFF));
    printf("  peak RSS of this process: %ld KiB (the log, a %zu KiB decoder context)\n",
           bench_peak_rss_kb(), sizeof *ctx / 1024);
    free(ctx);
}

/* ---- part 2 ---- */

static int write_all(int fd, const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Feed `copies` copies of log into `cairn decode --format beast -`. */
static int run_cli(const char *bin, int quiet, const uint8_t *log, size_t len, uint64_t copies,
                   double *secs, long *rss_kb)
{
    int pfd[2];
    if (pipe(pfd) != 0)
        return -1;
    double t0 = bench_now_s();
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        dup2(pfd[0], STDIN_FILENO);
        close(pfd[0]);
        close(pfd[1]);
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0) {
            dup2(null, STDOUT_FILENO);
            dup2(null, STDERR_FILENO);
        }
        if (quiet)
            execl(bin, bin, "decode", "--quiet", "--format", "beast", "--receiver", "59.9,30.3",
                  "-", (char *)NULL);
        else
            execl(bin, bin, "decode", "--format", "beast", "--receiver", "59.9,30.3", "-",
                  (char *)NULL);
        _exit(127);
    }
    close(pfd[0]);
    signal(SIGPIPE, SIG_IGN);
    int rc = 0;
    for (uint64_t k = 0; k < copies && rc == 0; k++)
        rc = write_all(pfd[1], log, len);
    close(pfd[1]);
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) != pid)
        return -1;
    *secs = bench_now_s() - t0;
    *rss_kb = ru.ru_maxrss;
    if (rc != 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return -1;
    return 0;
}

static void bench_stream(const uint8_t *log, size_t len, uint64_t frames_per_copy, double gb,
                         double json_gb)
{
    char bin[PATH_MAX];
    const char *env = getenv("CAIRN_BIN");
    if (env) {
        snprintf(bin, sizeof bin, "%s", env);
    } else {
        ssize_t n = readlink("/proc/self/exe", bin, sizeof bin - 16);
        if (n <= 0)
            return;
        bin[n] = 0;
        char *slash = strrchr(bin, '/');
        if (!slash)
            return;
        strcpy(slash, "/../cairn");
    }
    if (access(bin, X_OK) != 0) {
        printf("  %s not found: build it (make) or set CAIRN_BIN\n", bin);
        return;
    }
    printf("  cairn decode --format beast - (%s; Beast piped in, output to /dev/null):\n", bin);
    const struct {
        int quiet;
        double gb;
        const char *what;
    } runs[] = {
        {0, 0, "JSON Lines"},
        {0, json_gb, "JSON Lines"},
        {1, 0, "--quiet"},
        {1, gb, "--quiet"},
    };
    long rss_small = 0;
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        uint64_t copies = runs[i].gb > 0 ? (uint64_t)(runs[i].gb * 1e9 / (double)len) + 1 : 1;
        if (runs[i].gb < 0)
            continue;
        double secs;
        long rss;
        if (run_cli(bin, runs[i].quiet, log, len, copies, &secs, &rss) != 0) {
            printf("    running %s failed\n", bin);
            return;
        }
        double bytes = (double)len * (double)copies;
        double msgs = (double)frames_per_copy * (double)copies;
        if (copies == 1)
            rss_small = rss;
        printf("    %-10s %8.1f MB in %7.2f s (%4.0f MB/s, %5.2f M msg/s), peak RSS %6ld KiB",
               runs[i].what, bytes / 1e6, secs, bytes / secs / 1e6, msgs / secs / 1e6, rss);
        if (copies > 1)
            printf("  -> %s: %.2fx the RSS of one copy for %.0fx the bytes",
                   rss <= rss_small * 5 / 4 ? "flat" : "GROWS", (double)rss / (double)rss_small,
                   (double)copies);
        printf("\n");
    }
}

int main(void)
{
    const char *root = getenv("CAIRN_SHARED_DATA");
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", root ? root : CAIRN_SHARED_DATA, LOG_REL);
    size_t len;
    uint8_t *log = slurp(path, &len);
    printf("bench_modes_beast: Mode S decoding from a Beast stream\n");
    if (log) {
        printf("  data: %s\n", path);
    } else {
        printf("  data: %s absent; synthetic DF11/DF17 frames instead\n", path);
        log = synthesise(&len);
        if (!log)
            return 1;
    }
    const char *e = getenv("BENCH_MSGS");
    uint64_t want = e ? strtoull(e, NULL, 10) : 6000000;
    bench_memory(log, len, want);

    struct beast_parser p;
    beast_parser_init(&p);
    struct modes_frame f;
    size_t off = 0;
    ssize_t r;
    while ((r = beast_parse(&p, log + off, len - off, &f)) > 0)
        off += (size_t)r;
    e = getenv("BENCH_GB");
    double gb = e ? strtod(e, NULL) : 2.0;
    e = getenv("BENCH_JSON_GB");
    double json_gb = e ? strtod(e, NULL) : 0.1;
    if (gb > 0)
        bench_stream(log, len, p.st.frames, gb, json_gb);
    free(log);
    return 0;
}
