/*
 * bench_ais.c — AIS decoding speed: NMEA sentences to decoded messages, with
 * and without gpsd-style JSON, beside `gpsdecode -u -j` on the same input.
 *
 * Input: every recording of ../shared/data/ais concatenated (with their
 * comments, GNSS sentences and malformed lines, as receivers send them) and
 * repeated in memory to about 4 MB. Without the shared data a self-made
 * recording of type 1 and two-sentence type 5 messages stands in.
 *
 * "Reports" are the messages gpsd prints (one JSON object each); the decoder
 * also delivers the type 24 halves gpsd keeps quiet about, counted apart.
 * gpsdecode (Debian gpsd-clients, installed) reads the same bytes from a
 * temporary file; its time includes its start-up, which the size dwarfs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <unistd.h>

#include "base/dbuf.h"
#include "base/jsonw.h"
#include "decode/ais/ais.h"
#include "decode/ais/nmea.h"
#include "decode/ais/sixbit.h"

#include "bench_util.h"

/* Bytes of input built by repetition: large enough that gpsdecode's
 * start-up (a few ms) is noise, small enough to run in seconds. */
#define TARGET_BYTES (4u << 20)
/* JSON through the private writer ais_json.c had before the one writer in
 * base/jsonw (commit f12828f), reports per CPU second on this machine
 * (median of 5 runs interleaved with the one writer's; callgrind: 2,450
 * instructions per report then, 1,960 now). Printed beside today's
 * figures: the one writer must not be slower. */
#define PRIVATE_WRITER_U_PER_CPU_S 2380000.0
#define PRIVATE_WRITER_J_PER_CPU_S 2060000.0
/* Seconds each of our measurements runs. */
#define RUN_SECONDS 2.0

static const char *const files[] = {
    "ais/gpsd/sample.aivdm",         "ais/gpsd/ais-18-27.log",
    "ais/gpsd/ais-nmea.log",         "ais/gpsd/ais-nmea-type6-fid55.log",
    "ais/gpsd/ais-raw-messages.log", "ais/gpsd/ais_unpack_sixbit.log",
    "ais/libais/typeexamples.nmea",  "ais/libais/test.aivdm",
    "ais/libais/tagblock.nmea",      "ais/pyais/nmea_data_sample.txt",
    "ais/pyais/mixed.txt",           "ais/pyais/messages.ais",
    "ais/pyais/ais_test_messages",   "ais/pyais/timestamped.ais",
};

static int add_file(struct dbuf *b, const char *root, const char *rel)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        dbuf_add(b, chunk, n);
    fclose(f);
    if (b->len && b->p[b->len - 1] != '\n')
        dbuf_addc(b, '\n');
    return 0;
}

/* Self-made stand-in: armoured random payloads of types 1 and 5. */
static void make_sample(struct dbuf *b)
{
    unsigned s = 12345;
    for (int i = 0; i < 2000; i++) {
        uint8_t bits[64] = {0};
        size_t nbits = i % 4 ? 168 : 424;
        for (size_t k = 0; k < sizeof bits; k++) {
            s = s * 1103515245u + 12345u;
            bits[k] = (uint8_t)(s >> 16);
        }
        bits[0] = (uint8_t)((bits[0] & 3) | ((nbits == 168 ? 1 : 5) << 2));
        char arm[80];
        unsigned fill;
        int n = ais_armour(bits, nbits, arm, sizeof arm, &fill);
        int parts = nbits == 168 ? 1 : 2;
        for (int p = 0; p < parts; p++) {
            int from = p * 40, len = parts == 1 ? n : (p == 0 ? 40 : n - 40);
            char body[160];
            snprintf(body, sizeof body, "AIVDM,%d,%d,%s,A,%.*s,%u", parts, p + 1,
                     parts == 1 ? "" : "1", len, arm + from, p + 1 == parts ? fill : 0);
            dbuf_addf(b, "!%s*%02X\n", body, nmea_checksum(body, strlen(body)));
        }
    }
}

struct count {
    size_t msgs, printed;
    struct dbuf json;
    unsigned flags;
    int json_on;
};

static void on_msg(void *user, const struct ais_msg *m)
{
    struct count *c = user;
    c->msgs++;
    if (!c->json_on) {
        c->printed += !(m->type == 24 && m->part24 != AIS_24_AB);
        return;
    }
    struct jsonw w;
    dbuf_reset(&c->json);
    jw_init(&w, &c->json);
    if (ais_msg_json(m, &w, "stdin", c->flags) == 0)
        c->printed++;
}

/* Decode the buffer repeatedly for RUN_SECONDS; returns printed reports per
 * wall-clock second, and per CPU second in *per_cpu. */
static double run(const struct dbuf *in, struct ais_ctx *ctx, int json_on, unsigned flags,
                  size_t *per_pass, size_t *msgs_per_pass, double *per_cpu)
{
    struct count c = {.json_on = json_on, .flags = flags};
    dbuf_init(&c.json, 1 << 16);
    size_t passes = 0;
    double t0 = bench_now_s(), c0 = bench_cpu_s(), t;
    do {
        ais_ctx_init(ctx);
        ais_feed(ctx, in->p, in->len, 0, on_msg, &c);
        passes++;
        t = bench_now_s() - t0;
    } while (t < RUN_SECONDS);
    *per_cpu = (double)c.printed / (bench_cpu_s() - c0);
    *per_pass = c.printed / passes;
    *msgs_per_pass = c.msgs / passes;
    dbuf_free(&c.json);
    return (double)c.printed / t;
}

int main(void)
{
    const char *root = getenv("CAIRN_SHARED_DATA");
    if (!root)
        root = CAIRN_SHARED_DATA;
    struct dbuf one, in;
    dbuf_init(&one, 1u << 26);
    dbuf_init(&in, 1u << 26);
    size_t found = 0;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        found += add_file(&one, root, files[i]) == 0;
    if (found == 0) {
        printf("shared data absent (%s): using a self-made recording\n", root);
        make_sample(&one);
    } else {
        printf("input: %zu AIS recordings from %s (%zu bytes)\n", found, root, one.len);
    }
    while (in.len < TARGET_BYTES)
        dbuf_add(&in, one.p, one.len);

    struct ais_ctx *ctx = malloc(sizeof *ctx);
    if (!ctx)
        return 1;
    size_t per_pass, msgs;
    double cpu_dec, cpu_ju, cpu_js;
    double r_dec = run(&in, ctx, 0, 0, &per_pass, &msgs, &cpu_dec);
    size_t lines = (size_t)ctx->stats.lines;
    printf("input: %zu bytes, %zu lines, %zu messages decoded, %zu reports (gpsd prints)\n", in.len,
           lines, msgs, per_pass);
    printf("                           reports/s (wall)   reports/s (per CPU second)\n");
    printf("cairn decode only        : %12.0f       %12.0f\n", r_dec, cpu_dec);
    double r_ju = run(&in, ctx, 1, 0, &per_pass, &msgs, &cpu_ju);
    printf("cairn decode + JSON (-u) : %12.0f       %12.0f\n", r_ju, cpu_ju);
    double r_js = run(&in, ctx, 1, AIS_JSON_SCALED, &per_pass, &msgs, &cpu_js);
    printf("cairn decode + JSON (-j) : %12.0f       %12.0f\n", r_js, cpu_js);
    printf("before the one JSON writer (private writer, f12828f, per CPU second, measured here): "
           "-u %.0f, -j %.0f; now %.2fx and %.2fx\n",
           PRIVATE_WRITER_U_PER_CPU_S, PRIVATE_WRITER_J_PER_CPU_S,
           cpu_ju / PRIVATE_WRITER_U_PER_CPU_S, cpu_js / PRIVATE_WRITER_J_PER_CPU_S);

    /* gpsdecode -u -j on the same bytes. */
    char tmp[] = "/tmp/bench_ais_XXXXXX";
    int fd = mkstemp(tmp);
    if (fd < 0 || write(fd, in.p, in.len) != (ssize_t)in.len) {
        printf("gpsdecode: cannot write the temporary input\n");
        return 0;
    }
    close(fd);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "gpsdecode -u -j < %s > /dev/null 2>&1", tmp);
    double t0 = bench_now_s(), k0 = bench_children_cpu_s();
    int rc = system(cmd);
    double t = bench_now_s() - t0, k = bench_children_cpu_s() - k0;
    unlink(tmp);
    if (rc != 0) {
        printf("gpsdecode -u -j          : not available (exit %d); install gpsd-clients\n", rc);
    } else {
        double r_g = (double)per_pass / t, c_g = (double)per_pass / k;
        printf("gpsdecode -u -j          : %12.0f       %12.0f   (%.2f s wall, %.2f s CPU)\n", r_g,
               c_g, t, k);
        printf("ratio vs gpsdecode -u -j (wall): decode only %.1fx, with JSON (-u) %.1fx, "
               "with JSON (-j) %.1fx\n",
               r_dec / r_g, r_ju / r_g, r_js / r_g);
        printf("ratio vs gpsdecode -u -j (CPU) : decode only %.1fx, with JSON (-u) %.1fx, "
               "with JSON (-j) %.1fx\n",
               cpu_dec / c_g, cpu_ju / c_g, cpu_js / c_g);
    }
    free(ctx);
    dbuf_free(&one);
    dbuf_free(&in);
    return 0;
}
