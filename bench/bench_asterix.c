/*
 * bench_asterix.c — ASTERIX decoding speed: records per second on one core,
 * to the structured form (struct ax_record) and to JSON, beside the
 * reference decoders.
 *
 * Input: the sample recordings of ../shared/data/asterix (the UDP payloads of
 * cat_034_048.pcap and cat_062_065.pcap, and the raw cat062.ast, cat048.raw,
 * cat034.raw, cat21_re.ast), looped in memory. Without the shared data a
 * self-made CAT048 block stands in.
 *
 * References: CroatiaControl's `asterix` is not installed here; its figure
 * (about 34,000 records/s on this machine) is the one the issue measured and
 * is printed as such. tshark (Debian, installed) is timed for real: the same
 * payloads are written N times into a pcap (Ethernet/IPv4/UDP to port 8600,
 * Wireshark's ASTERIX port) and `tshark -r FILE -V` runs over it; its figure
 * includes its start-up, so the file is made large enough to dwarf that.
 */
#define _GNU_SOURCE
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "base/dbuf.h"
#include "base/jsonw.h"
#include "decode/asterix/asterix.h"
#include "feed/pcap.h"

#include "bench_util.h"

/* What the issue measured for CroatiaControl's decoder on this machine. */
#define CROATIA_RECORDS_PER_S 34000.0
/* JSON through the private writer json.c had before the one writer in
 * base/jsonw (commit f12828f), measured on this machine the same way
 * (thread CPU time, median of 5 runs interleaved with the one writer's;
 * callgrind: 23,800 instructions per record then, 19,500 now). Printed
 * beside today's figure: the one writer must not be slower. */
#define PRIVATE_WRITER_JSON_PER_S 552000.0
/* Seconds each of our measurements runs. */
#define RUN_SECONDS 2.0
/* Copies of the sample datagrams in tshark's input: ~16,000 records, so that
 * tshark's start-up (about a second) is a small part of its time. */
#define TSHARK_COPIES 100

struct dgram {
    const uint8_t *p;
    size_t len;
};

static uint8_t store[1 << 20];
static size_t store_len;
static struct dgram dg[8192];
static size_t n_dg;

static void add(const uint8_t *p, size_t len)
{
    if (store_len + len > sizeof store || n_dg == sizeof dg / sizeof dg[0])
        return;
    memcpy(store + store_len, p, len);
    dg[n_dg].p = store + store_len;
    dg[n_dg++].len = len;
    store_len += len;
}

static const char *shared(void)
{
    const char *s = getenv("CAIRN_SHARED_DATA");
    return s ? s : CAIRN_SHARED_DATA;
}

static void load_pcap(const char *rel)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/asterix/%s", shared(), rel);
    struct feed_pcap *f;
    char err[256];
    if (feed_pcap_open(&f, path, err, sizeof err) < 0)
        return;
    struct pcap_udp u;
    while (feed_pcap_next(f, &u) == 1)
        add(u.payload, u.len);
    feed_pcap_close(f);
}

static void load_raw(const char *rel)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/asterix/%s", shared(), rel);
    FILE *f = fopen(path, "rb");
    if (!f)
        return;
    static uint8_t buf[65536];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    add(buf, n);
}

/* One pass over all datagrams; returns records decoded. */
static size_t pass(struct dbuf *json, unsigned *sink)
{
    static struct ax_record r;
    size_t n = 0;
    for (size_t i = 0; i < n_dg; i++) {
        size_t off = 0;
        struct ax_block b;
        struct ax_error e;
        while (ax_block_next(dg[i].p, dg[i].len, &off, &b, &e, NULL) == 1) {
            if (ax_block_open(&b, NULL, &e, NULL) < 0)
                continue;
            while (ax_block_record(&b, &r, &e, NULL) == 1) {
                n++;
                *sink += r.n_items;
                if (json) {
                    struct jsonw w;
                    dbuf_reset(json);
                    jw_init(&w, json);
                    ax_json_record(&w, &r, 0);
                    *sink += (unsigned)json->len;
                }
            }
        }
    }
    return n;
}

static double measure(struct dbuf *json, size_t *records_out)
{
    unsigned sink = 0;
    size_t recs = 0;
    double t0 = bench_thread_cpu_s(), t;
    do {
        recs += pass(json, &sink);
        t = bench_thread_cpu_s();
    } while (t - t0 < RUN_SECONDS);
    if (sink == 42)
        printf(" "); /* keep the work observable */
    *records_out = recs;
    return (double)recs / (t - t0);
}

/* Write the datagrams TSHARK_COPIES times as Ethernet/IPv4/UDP frames. */
static int write_pcap(const char *path)
{
    pcap_t *pd = pcap_open_dead(DLT_EN10MB, 65535);
    if (!pd)
        return -1;
    pcap_dumper_t *d = pcap_dump_open(pd, path);
    if (!d) {
        pcap_close(pd);
        return -1;
    }
    static uint8_t fr[70000];
    for (int c = 0; c < TSHARK_COPIES; c++) {
        for (size_t i = 0; i < n_dg; i++) {
            size_t len = dg[i].len;
            if (len > 65000)
                continue;
            memset(fr, 0, 42);
            fr[12] = 0x08; /* IPv4 */
            uint8_t *ip = fr + 14;
            size_t ipl = 20 + 8 + len;
            ip[0] = 0x45;
            ip[2] = (uint8_t)(ipl >> 8), ip[3] = (uint8_t)ipl;
            ip[8] = 64, ip[9] = 17;
            ip[12] = 127, ip[15] = 1, ip[16] = 127, ip[19] = 1;
            uint8_t *udp = ip + 20;
            udp[0] = 0x9c, udp[1] = 0x40; /* 40000 */
            udp[2] = 0x21, udp[3] = 0x98; /* 8600 */
            udp[4] = (uint8_t)((len + 8) >> 8), udp[5] = (uint8_t)(len + 8);
            memcpy(udp + 8, dg[i].p, len);
            struct pcap_pkthdr h;
            memset(&h, 0, sizeof h);
            h.ts.tv_sec = 1700000000 + c;
            h.ts.tv_usec = (int)i;
            h.caplen = h.len = (bpf_u_int32)(14 + ipl);
            pcap_dump((u_char *)d, &h, fr);
        }
    }
    pcap_dump_close(d);
    pcap_close(pd);
    return 0;
}

int main(void)
{
    load_pcap("croatiacontrol/sample_data/cat_034_048.pcap");
    load_pcap("croatiacontrol/sample_data/cat_062_065.pcap");
    load_raw("asterix4py/cat062.ast");
    load_raw("croatiacontrol/sample_data/cat048.raw");
    load_raw("croatiacontrol/sample_data/cat034.raw");
    load_raw("croatiacontrol/sample_data/cat21_re.ast");
    if (n_dg == 0) {
        /* a self-made CAT048 block (see tests/unit/asterix) */
        static const uint8_t blk[] = {0x30, 0x00, 0x23, 0xF1, 0x21, 0x45, 0x04, 0x19, 0xC9,
                                      0x00, 0x3C, 0x00, 0xA1, 0x10, 0x01, 0x00, 0x40, 0x00,
                                      0x01, 0xC0, 0x78, 0x00, 0x31, 0xBC, 0x00, 0x00, 0x40,
                                      0x03, 0x22, 0x80, 0x03, 0xFD, 0x03, 0xAA, 0xBB};
        add(blk, sizeof blk);
        printf("shared data absent: using one self-made CAT048 block\n");
    }
    unsigned sink = 0;
    size_t per_pass = pass(NULL, &sink);
    printf("input: %zu datagrams, %zu bytes, %zu records per pass\n", n_dg, store_len, per_pass);

    size_t recs = 0;
    double struct_rate = getenv("CAIRN_BENCH_JSON_ONLY") ? 1 : measure(NULL, &recs);
    printf("cairn  decode to struct ax_record: %12.0f records/s (%zu records in %.0f s of CPU)\n",
           struct_rate, recs, RUN_SECONDS);
    struct dbuf json;
    dbuf_init(&json, 1 << 20);
    double json_rate = measure(&json, &recs);
    dbuf_free(&json);
    printf("cairn  decode + JSON:              %12.0f records/s\n", json_rate);
    printf("       before the one JSON writer (private writer, f12828f, measured here): "
           "%.0f records/s; now %.2fx that\n",
           PRIVATE_WRITER_JSON_PER_S, json_rate / PRIVATE_WRITER_JSON_PER_S);
    printf("croatiacontrol asterix (reference figure from the issue, not installed): %.0f "
           "records/s\n",
           CROATIA_RECORDS_PER_S);
    printf("ratio  cairn struct / croatia: %.1fx, cairn JSON / croatia: %.1fx\n",
           struct_rate / CROATIA_RECORDS_PER_S, json_rate / CROATIA_RECORDS_PER_S);

    char path[] = "/tmp/cairn_bench_asterix_XXXXXX";
    int fd = mkstemp(path);
    if (fd >= 0)
        close(fd); /* libpcap reopens it by name */
    if (fd < 0 || write_pcap(path) < 0) {
        printf("tshark: could not write the temporary pcap; skipped\n");
        if (fd >= 0)
            remove(path);
        return 0;
    }
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "tshark -r %s -V > /dev/null 2>&1", path);
    if (system("command -v tshark > /dev/null 2>&1") != 0) {
        printf("tshark: not installed; skipped\n");
    } else {
        double t0 = bench_now_s(), c0 = bench_children_cpu_s();
        int rc = system(cmd);
        double dt = bench_now_s() - t0, dc = bench_children_cpu_s() - c0;
        size_t tr = per_pass * TSHARK_COPIES;
        if (rc != 0 || dc <= 0) {
            printf("tshark: exited with status %d; skipped\n", rc);
        } else {
            /* CPU time, like ours: the machine is shared (wall time shown too) */
            double ts_rate = (double)tr / dc;
            printf("tshark -V (measured, %zu records, %.2f s CPU incl. start-up, %.2f s wall): "
                   "%12.0f records/s\n",
                   tr, dc, dt, ts_rate);
            printf("ratio  cairn struct / tshark: %.1fx, cairn JSON / tshark: %.1fx\n",
                   struct_rate / ts_rate, json_rate / ts_rate);
        }
    }
    remove(path);
    return 0;
}
