/*
 * bench_demod.c — demodulation speed, one core, against dump1090-mutability.
 *
 * Figures ("x real time" = seconds of signal demodulated per second):
 *   1. 2.4 MS/s UC8, modes1_resampled_2400k.bin held in memory, looped for
 *      BENCH_SECONDS of CPU time (a dense recording: bursts of replies, the
 *      quiet stretches cut out, so the worst case for the detector);
 *   2. 2.4 MS/s UC8, synthetic: Gaussian noise with 500 DF17 replies/s;
 *   3. 2.0 MS/s UC8, modes1.bin in memory, looped;
 *   4. side by side on the same ~100 MB file (modes1_resampled_2400k.bin
 *      concatenated, so process start-up is negligible): `cairn`'s IQ feed
 *      (iq_run_file, file reading included) and `dump1090-mutability
 *      --ifile FILE --quiet` (UC8 at 2.4 MS/s, its only rate), best of 3
 *      runs each, CPU seconds (user + sys) of each, and the ratio.
 * Rates are per CPU second (the machine is shared; wall figures beside
 * them). Peak RSS is printed at the end. No assertions: a benchmark.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "decode/modes/demod.h"
#include "feed/iq.h"
#include "synth.h"

#define BENCH_SECONDS  3.0
#define BIG_FILE_BYTES (100u * 1000u * 1000u)

static double now_s(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static const char *shared_path(const char *rel)
{
    static char buf[4096];
    const char *root = getenv("CAIRN_SHARED_DATA");
    snprintf(buf, sizeof buf, "%s/%s", root ? root : CAIRN_SHARED_DATA, rel);
    return buf;
}

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *p = malloc(n > 0 ? (size_t)n : 1);
    if (p && fread(p, 1, (size_t)n, f) != (size_t)n) {
        free(p);
        p = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return p;
}

static int known_4d2023(void *arg, uint32_t icao, double t_s)
{
    (void)arg;
    (void)t_s;
    return icao == 0x4d2023;
}

/* Loop buf through a demodulator for BENCH_SECONDS of CPU; print figures.
 * Returns the x real time per CPU second. */
static double bench_memory(const char *label, const uint8_t *buf, size_t len, double rate)
{
    struct modes_demod *d = malloc(sizeof *d);
    if (!d || modes_demod_init(d, rate, MODES_DEMOD_UC8, 1) != 0) {
        free(d);
        return 0;
    }
    double c0 = now_s(CLOCK_PROCESS_CPUTIME_ID), w0 = now_s(CLOCK_MONOTONIC), c1, w1;
    unsigned loops = 0;
    do {
        modes_demod_feed(d, buf, len, known_4d2023, NULL, NULL);
        loops++;
        c1 = now_s(CLOCK_PROCESS_CPUTIME_ID);
    } while (c1 - c0 < BENCH_SECONDS);
    modes_demod_flush(d, known_4d2023, NULL, NULL);
    w1 = now_s(CLOCK_MONOTONIC);
    double samples = (double)d->st.samples;
    double xrt = samples / rate / (c1 - c0);
    printf("%-44s %7.1f Msamples/s  %6.1f x real time per CPU s (%6.1f x per wall s), "
           "%u loops, %llu frames\n",
           label, samples / (c1 - c0) / 1e6, xrt, samples / rate / (w1 - w0), loops,
           (unsigned long long)d->st.frames);
    free(d);
    return xrt;
}

/* Run argv, return its CPU seconds (user + sys of the child) and wall. */
static int run_child(char *const argv[], double *cpu_s, double *wall_s)
{
    double w0 = now_s(CLOCK_MONOTONIC);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        execvp(argv[0], argv);
        _exit(127);
    }
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0)
        return -1;
    *wall_s = now_s(CLOCK_MONOTONIC) - w0;
    *cpu_s = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
             (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

struct count {
    unsigned long long n;
};

static void count_frame(const struct modes_frame *f, void *arg)
{
    (void)f;
    ((struct count *)arg)->n++;
}

static int known_count(void *arg, uint32_t icao, double t_s)
{
    (void)arg;
    return known_4d2023(NULL, icao, t_s);
}

static void bench_side_by_side(const uint8_t *src, size_t len)
{
    char path[] = "/tmp/cairn_bench_demod_XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) {
        printf("side by side: cannot create a temporary file: %s\n", strerror(errno));
        return;
    }
    size_t total = 0;
    while (total < BIG_FILE_BYTES) {
        ssize_t w = write(fd, src, len);
        if (w != (ssize_t)len) {
            printf("side by side: write failed\n");
            close(fd);
            unlink(path);
            return;
        }
        total += len;
    }
    close(fd);
    double signal_s = (double)total / 2.0 / 2.4e6;
    printf("side by side on %.1f MB of UC8 at 2.4 MS/s (%.1f s of signal), best of 3:\n",
           (double)total / 1e6, signal_s);

    double best_ours = 1e30, best_ours_wall = 1e30;
    unsigned long long frames = 0;
    for (int i = 0; i < 3; i++) {
        struct iq_opts o = {.rate_hz = 2.4e6, .fmt = IQ_UC8, .fix_errors = 1};
        struct count cnt = {0};
        double c0 = now_s(CLOCK_PROCESS_CPUTIME_ID), w0 = now_s(CLOCK_MONOTONIC);
        if (iq_run_file(path, &o, known_count, count_frame, &cnt, NULL) != 0)
            break;
        double c = now_s(CLOCK_PROCESS_CPUTIME_ID) - c0, w = now_s(CLOCK_MONOTONIC) - w0;
        if (c < best_ours)
            best_ours = c;
        if (w < best_ours_wall)
            best_ours_wall = w;
        frames = cnt.n;
    }
    printf("  cairn iq_run_file           %6.3f CPU s  %6.1f x real time per CPU s "
           "(%6.1f x per wall s), %llu frames\n",
           best_ours, signal_s / best_ours, signal_s / best_ours_wall, frames);

    char *argv[] = {"dump1090-mutability", "--ifile", path, "--quiet", NULL};
    double best_mut = 1e30, best_mut_wall = 1e30;
    int ok = 0;
    for (int i = 0; i < 3; i++) {
        double c, w;
        if (run_child(argv, &c, &w) != 0)
            break;
        ok = 1;
        if (c < best_mut)
            best_mut = c;
        if (w < best_mut_wall)
            best_mut_wall = w;
    }
    if (ok) {
        printf("  dump1090-mutability --ifile %6.3f CPU s  %6.1f x real time per CPU s "
               "(%6.1f x per wall s)\n",
               best_mut, signal_s / best_mut, signal_s / best_mut_wall);
        printf("  ratio cairn / dump1090-mutability: %.2f (CPU), %.2f (wall)\n",
               best_mut / best_ours, best_mut_wall / best_ours_wall);
    } else {
        printf("  dump1090-mutability: not installed or failed (apt-get install "
               "dump1090-mutability); no comparison\n");
    }
    unlink(path);
}

int main(void)
{
    size_t len24 = 0, len20 = 0;
    unsigned char *f24 = slurp(shared_path("modes/modes1_resampled_2400k.bin"), &len24);
    unsigned char *f20 = slurp(shared_path("modes/modes1.bin"), &len20);
    if (!f24 || !f20)
        printf("shared data absent (%s): the recording figures are skipped\n",
               shared_path("modes"));
    if (f24)
        bench_memory("2.4 MS/s modes1_resampled_2400k.bin (memory)", f24, len24, 2.4e6);

    /* Synthetic: 1 s of noise (sigma 4 in 8-bit units) with 500 replies. */
    {
        struct synth_rng r = {12345};
        enum { N_MSG = 500 };
        static struct synth_msg m[N_MSG];
        for (int k = 0; k < N_MSG; k++) {
            synth_df17(&r, 0x400000u + (uint32_t)k, m[k].data);
            m[k].len = 14;
            m[k].start_us = 1000.0 + k * 1990.0 + synth_uniform(&r);
            m[k].amp = 10.0 + 50.0 * synth_uniform(&r);
        }
        size_t ns = 2400000;
        uint8_t *buf = malloc(ns * 2);
        if (buf) {
            synth_iq(&r, 2.4e6, 0, m, N_MSG, 4.0, buf, ns);
            bench_memory("2.4 MS/s synthetic noise + 500 replies/s", buf, ns * 2, 2.4e6);
        }
        free(buf);
    }
    if (f20)
        bench_memory("2.0 MS/s modes1.bin (memory)", f20, len20, 2.0e6);
    if (f24)
        bench_side_by_side(f24, len24);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("peak RSS of this process: %ld KiB (the 100 MB file streams through a fixed "
           "window)\n",
           ru.ru_maxrss);
    free(f24);
    free(f20);
    return 0;
}
