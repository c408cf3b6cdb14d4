/*
 * bench_util.h — clocks and memory figures shared by the benchmarks.
 *
 * The machine is shared, so benchmarks print rates per CPU second beside
 * wall-clock rates; reference tools run as child processes are timed by
 * their CPU time as well.
 */
#ifndef CAIRN_BENCH_UTIL_H
#define CAIRN_BENCH_UTIL_H

#include <sys/resource.h>
#include <time.h>

static inline double bench_ts_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Wall-clock seconds (monotonic). */
static inline double bench_now_s(void)
{
    return bench_ts_s(CLOCK_MONOTONIC);
}

/* CPU seconds of this process (all threads). */
static inline double bench_cpu_s(void)
{
    return bench_ts_s(CLOCK_PROCESS_CPUTIME_ID);
}

/* CPU seconds of the calling thread. */
static inline double bench_thread_cpu_s(void)
{
    return bench_ts_s(CLOCK_THREAD_CPUTIME_ID);
}

/* CPU seconds (user + system) of the finished, waited-for children. */
static inline double bench_children_cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
}

/* Minor page faults of the calling thread so far (-1 when unknown). */
static inline long bench_thread_minflt(void)
{
#ifdef RUSAGE_THREAD
    struct rusage ru;
    return getrusage(RUSAGE_THREAD, &ru) == 0 ? ru.ru_minflt : -1;
#else
    return -1;
#endif
}

/* Peak resident set size of this process, KiB (-1 when unknown). */
static inline long bench_peak_rss_kb(void)
{
    struct rusage ru;
    return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : -1;
}

#endif
