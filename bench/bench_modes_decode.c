/*
 * bench_modes_decode.c — modes_decode alone: ns per message, no parsing, no
 * JSON, no I/O.
 *
 * The message mix is the pyModeS samples from the shared data when present
 * (2,000 DF17 of one aircraft: identification, airborne position with CPR
 * pairing, velocity; 10,000 DF20/DF21 Comm-B replies with address recovery
 * and register inference), else the worked examples below. Frames are
 * decoded round-robin through one context with a steadily advancing clock
 * (5,000 messages/s of air time), so CPR pairing and address expiry work as
 * on a live feed. Prints ns/message and messages/s of the best of 5 runs,
 * in thread CPU time (and wall time, which on a loaded machine is larger).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/hex.h"
#include "decode/modes/modes.h"

#ifndef CAIRN_SHARED_DATA
#define CAIRN_SHARED_DATA "../shared/data"
#endif

static const char *const builtin[] = {
    "8D406B902015A678D4D220AA4BDA",
    "8D40621D58C382D690C8AC2863A7",
    "8D40621D58C386435CC412692AD6",
    "8D485020994409940838175B284F",
    "8DA05F219B06B6AF189400CBC33F",
    "5D484FDEA248F5",
    "A0001839CA3800315800007448D9",
    "20001718029FCD",
    "2A00516D492B80",
    "8DA05629EA21485CBF3F8CADAEEB",
};

#define MAX_FRAMES 20000
static struct modes_frame frames[MAX_FRAMES];
static uint32_t addrs[MAX_FRAMES];
static int n_frames, n_addrs;
static struct modes_ctx ctx;

static void add_hex(const char *hex, uint32_t icao)
{
    size_t n = strlen(hex) / 2;
    if (n_frames >= MAX_FRAMES || (n != 7 && n != 14))
        return;
    struct modes_frame *f = &frames[n_frames];
    memset(f, 0, sizeof *f);
    if (hex_decode(hex, n, f->data) != 0)
        return;
    f->len = (uint8_t)n;
    n_frames++;
    if (icao)
        addrs[n_addrs++] = icao;
}

static int load_csv(const char *rel, int commb)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s",
             getenv("CAIRN_SHARED_DATA") ? getenv("CAIRN_SHARED_DATA") : CAIRN_SHARED_DATA, rel);
    FILE *fp = fopen(path, "r");
    if (!fp)
        return 0;
    char line[256];
    int n = 0;
    while (fgets(line, sizeof line, fp)) {
        char hex[40], icao[16];
        double t;
        char *p = line;
        if ((unsigned char)p[0] == 0xEF)
            p += 3; /* BOM */
        if (commb ? sscanf(p, "%lf,%15[0-9A-F],%39[0-9A-F]", &t, icao, hex) == 3
                  : sscanf(p, "%lf,\"%39[0-9A-F]\"", &t, hex) == 2) {
            add_hex(hex, commb ? (uint32_t)strtoul(icao, NULL, 16) : 0);
            n++;
        }
    }
    fclose(fp);
    return n;
}

static double now_s(clockid_t clk)
{
    struct timespec ts;
    clock_gettime(clk, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    long total = argc > 1 ? atol(argv[1]) : 20000000L;
    int from_data = load_csv("modes/pymodes_sample_data_adsb.csv", 0);
    from_data += load_csv("modes/pymodes_sample_data_commb_df20.csv", 1);
    from_data += load_csv("modes/pymodes_sample_data_commb_df21.csv", 1);
    if (!from_data)
        for (size_t i = 0; i < sizeof builtin / sizeof builtin[0]; i++)
            add_hex(builtin[i], 0);
    modes_ctx_init(&ctx, NULL);
    double best = 1e30, best_cpu = 1e30;
    uint64_t ok = 0, pos = 0;
    for (int run = 0; run < 5; run++) {
        modes_ctx_init(&ctx, NULL);
        ok = pos = 0;
        double t = 0.0;
        double t0 = now_s(CLOCK_MONOTONIC), c0 = now_s(CLOCK_THREAD_CPUTIME_ID);
        int k = 0, a = 0;
        for (long i = 0; i < total; i++) {
            struct modes_frame *f = &frames[k];
            f->t_s = t;
            t += 0.0002; /* 5,000 messages per second of air time */
            if (n_addrs && (i & 7) == 0) {
                /* the aircraft's squitters keep its address fresh, as on air */
                modes_ctx_addr_add(&ctx, addrs[a], t);
                if (++a == n_addrs)
                    a = 0;
            }
            struct modes_msg m;
            ok += modes_decode(&ctx, f, &m) == 0;
            pos += (m.has & MH_POS) != 0;
            if (++k == n_frames)
                k = 0;
        }
        double dt = now_s(CLOCK_MONOTONIC) - t0, dc = now_s(CLOCK_THREAD_CPUTIME_ID) - c0;
        if (dt < best)
            best = dt;
        if (dc < best_cpu)
            best_cpu = dc;
    }
    printf("bench_modes_decode: %d distinct frames (%s), %ld decodes per run, best of 5\n",
           n_frames, from_data ? "pyModeS samples" : "built-in examples", total);
    /* CPU time is the figure to quote on a shared machine: wall time
     * includes the time other processes held the core */
    printf("  modes_decode: %.1f ns/message CPU time (%.2f million messages/s per core); "
           "wall %.1f ns/message\n",
           best_cpu / (double)total * 1e9, (double)total / best_cpu / 1e6,
           best / (double)total * 1e9);
    printf("  accepted %llu, positions %llu in the last run\n", (unsigned long long)ok,
           (unsigned long long)pos);
    printf("  struct modes_ctx: %zu bytes, struct modes_msg: %zu bytes\n", sizeof ctx,
           sizeof(struct modes_msg));
    return 0;
}
