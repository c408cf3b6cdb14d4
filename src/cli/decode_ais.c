/*
 * decode_ais.c — `cairn decode --format nmea`: AIS sentences to gpsd-style
 * JSON Lines, one object per decoded message, like `gpsdecode -j`
 * (`--unscaled`: like `gpsdecode -u -j`).
 *
 * Each file gets a fresh decoder context (fragments do not carry over from
 * one file to the next); the error counters add up over all files and
 * `--stats` prints them on standard error at the end.
 *
 * Live inputs: `tcp:HOST:PORT` connects to a receiver or dispatcher (NMEA
 * over IP, feed/nmea_tcp.h) and `udp:[ADDR:]PORT` listens for datagrams of
 * sentences (feed/udp.h; ADDR a multicast group joins it, another address
 * binds it). Live decoding runs until the peer closes, --count messages were
 * printed, or SIGINT/SIGTERM; the wall clock dates messages without a TAG
 * block time and runs the fragment timeouts.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/dbuf.h"
#include "base/error.h"
#include "base/jsonw.h"
#include "cli/cli.h"
#include "decode/ais/ais.h"
#include "feed/nmea_tcp.h"
#include "feed/udp.h"

struct out {
    struct dbuf buf;
    const char *device;
    unsigned flags;
    FILE *fp;
    int err;
    unsigned long printed;
};

static void on_msg(void *user, const struct ais_msg *m)
{
    struct out *o = user;
    struct jsonw w;
    dbuf_reset(&o->buf);
    jw_init(&w, &o->buf);
    if (ais_msg_json(m, &w, o->device, o->flags) != 0)
        return;
    dbuf_addc(&o->buf, '\n');
    if (!w.err && fwrite(o->buf.p, 1, o->buf.len, o->fp) != o->buf.len)
        o->err = 1;
    o->printed++;
}

static volatile sig_atomic_t stop_live;

static void on_signal(int sig)
{
    (void)sig;
    stop_live = 1;
}

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Split "host:port" (the last ':' separates, so "[::1]:10110" works with
 * the brackets removed) into host and port. */
static int split_hostport(const char *spec, char *host, size_t cap, uint16_t *port)
{
    const char *c = strrchr(spec, ':');
    char *end;
    unsigned long p = strtoul(c ? c + 1 : spec, &end, 10);
    if (*end || p == 0 || p > 65535)
        return -1;
    *port = (uint16_t)p;
    host[0] = 0;
    if (c) {
        const char *h = spec;
        size_t n = (size_t)(c - spec);
        if (n >= 2 && h[0] == '[' && h[n - 1] == ']') {
            h++;
            n -= 2;
        }
        if (n >= cap)
            return -1;
        memcpy(host, h, n);
        host[n] = 0;
    }
    return 0;
}

/* Decode a live input until it ends, count messages are printed or a
 * signal arrives. Returns the exit status. */
static int live(const char *spec, struct out *o, struct ais_ctx *ctx, unsigned long count,
                char *chunk, size_t cap)
{
    int is_tcp = !strncmp(spec, "tcp:", 4);
    char host[256];
    uint16_t port;
    if (split_hostport(spec + 4, host, sizeof host, &port) != 0 || (is_tcp && !host[0])) {
        fprintf(stderr, "cairn decode: bad live input '%s' (tcp:HOST:PORT or udp:[ADDR:]PORT)\n",
                spec);
        return 2;
    }
    struct nmea_tcp tcp = {.fd = -1};
    struct udp_feed udp = {.fd = -1};
    int fd;
    if (is_tcp) {
        /* A receiver that does not answer within 5 s is reported as down. */
        int rc = nmea_tcp_open(&tcp, host, port, 5000);
        if (rc) {
            fprintf(stderr, "cairn decode: %s: %s (%s)\n", spec, cairn_strerror(rc),
                    strerror(errno));
            return 1;
        }
        fd = nmea_tcp_fd(&tcp);
    } else {
        unsigned first = (unsigned)atoi(host);
        int multicast = host[0] && first >= 224 && first <= 239;
        struct udp_feed_config cfg = {.port = port,
                                      .bind_addr = host[0] && !multicast ? host : NULL,
                                      .group = multicast ? host : NULL};
        int rc = udp_feed_open(&udp, &cfg);
        if (rc) {
            fprintf(stderr, "cairn decode: %s: %s (%s)\n", spec, cairn_strerror(rc),
                    strerror(errno));
            return 1;
        }
        fd = udp_feed_fd(&udp);
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    int status = 0;
    while (!stop_live && (count == 0 || o->printed < count)) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int n = poll(&p, 1, 1000);
        if (n < 0 && errno != EINTR) {
            status = 1;
            break;
        }
        if (n <= 0)
            continue;
        int got;
        if (is_tcp) {
            got = nmea_tcp_read(&tcp, chunk, cap);
            if (got == CAIRN_E_CLOSED) {
                /* The source closed: its last line may lack a terminator. */
                ais_flush(ctx, wall_ms(), on_msg, o);
                fflush(o->fp);
                break;
            }
        } else {
            got = udp_feed_recv(&udp, (uint8_t *)chunk, cap, NULL, NULL);
        }
        if (got == CAIRN_E_NEEDMORE || got == CAIRN_E_TOOBIG)
            continue;
        if (got < 0) {
            fprintf(stderr, "cairn decode: %s: %s\n", spec, cairn_strerror(got));
            status = 1;
            break;
        }
        ais_feed(ctx, chunk, (size_t)got, wall_ms(), on_msg, o);
        /* A datagram holds whole sentences, the last one maybe unterminated. */
        if (!is_tcp && chunk[got - 1] != '\n')
            ais_feed(ctx, "\n", 1, wall_ms(), on_msg, o);
        fflush(o->fp);
    }
    nmea_tcp_close(&tcp);
    udp_feed_close(&udp);
    return status;
}

static void add_stats(struct ais_stats *sum, const struct ais_stats *s)
{
    sum->lines += s->lines;
    sum->sentences += s->sentences;
    sum->messages += s->messages;
    sum->other_lines += s->other_lines;
    sum->bad_checksum += s->bad_checksum;
    sum->bad_format += s->bad_format;
    sum->bad_tag += s->bad_tag;
    sum->extra_fields += s->extra_fields;
    sum->bad_payload += s->bad_payload;
    sum->frag_order += s->frag_order;
    sum->frag_timeout += s->frag_timeout;
    sum->frag_evicted += s->frag_evicted;
    sum->bad_length += s->bad_length;
    sum->bad_type += s->bad_type;
    sum->long_line += s->long_line;
}

static void print_stats(const struct ais_stats *s)
{
    fprintf(stderr,
            "{\"class\":\"STATS\",\"lines\":%llu,\"sentences\":%llu,\"messages\":%llu,"
            "\"other_lines\":%llu,\"bad_checksum\":%llu,\"bad_format\":%llu,\"bad_tag\":%llu,"
            "\"extra_fields\":%llu,"
            "\"bad_payload\":%llu,\"frag_order\":%llu,\"frag_timeout\":%llu,"
            "\"frag_evicted\":%llu,\"bad_length\":%llu,\"bad_type\":%llu,\"long_line\":%llu}\n",
            (unsigned long long)s->lines, (unsigned long long)s->sentences,
            (unsigned long long)s->messages, (unsigned long long)s->other_lines,
            (unsigned long long)s->bad_checksum, (unsigned long long)s->bad_format,
            (unsigned long long)s->bad_tag, (unsigned long long)s->extra_fields,
            (unsigned long long)s->bad_payload, (unsigned long long)s->frag_order,
            (unsigned long long)s->frag_timeout, (unsigned long long)s->frag_evicted,
            (unsigned long long)s->bad_length, (unsigned long long)s->bad_type,
            (unsigned long long)s->long_line);
}

static void usage(void)
{
    printf("usage: cairn decode --format nmea [--unscaled] [--stats] [--tags] "
           "[--device NAME] [--count N] FILE...\n"
           "Decodes AIS NMEA sentences (!AIVDM/!AIVDO, any talker; TAG blocks,\n"
           "receiver prefixes and suffixes tolerated) to gpsd-style JSON, one object\n"
           "per message. '-' reads standard input; tcp:HOST:PORT connects to a receiver\n"
           "(NMEA over IP), udp:[ADDR:]PORT listens for datagrams (ADDR: a multicast group\n"
           "to join or a local address to bind).\n"
           "  --unscaled     raw integer fields, like gpsdecode -u -j\n"
           "  --stats        print the counted errors on standard error at the end\n"
           "  --tags         add tag_source/tag_time/tag_text from NMEA 4.0 TAG blocks\n"
           "  --device NAME  the \"device\" field (default: the file name, or stdin)\n"
           "  --count N      live inputs: stop after N messages\n");
}

int cli_decode_ais(int argc, char **argv)
{
    struct out o = {.flags = AIS_JSON_SCALED, .fp = stdout};
    int stats = 0, nfiles = 0, rc = 0;
    unsigned long count = 0;
    const char *device = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--unscaled") || !strcmp(argv[i], "-u"))
            o.flags &= ~(unsigned)AIS_JSON_SCALED;
        else if (!strcmp(argv[i], "--stats"))
            stats = 1;
        else if (!strcmp(argv[i], "--tags"))
            o.flags |= AIS_JSON_TAGS;
        else if (!strcmp(argv[i], "--device") && i + 1 < argc)
            device = argv[++i];
        else if (!strcmp(argv[i], "--count") && i + 1 < argc)
            count = strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--format") && i + 1 < argc)
            i++;
        else if (!strncmp(argv[i], "--format=", 9))
            continue;
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage();
            return 0;
        } else if (argv[i][0] == '-' && argv[i][1] != 0) {
            fprintf(stderr, "cairn decode: unknown option '%s' for nmea\n", argv[i]);
            return 2;
        } else
            nfiles++;
    }
    if (nfiles == 0) {
        usage();
        return 2;
    }
    struct ais_ctx *ctx = malloc(sizeof *ctx);
    char *chunk = malloc(1 << 16);
    if (!ctx || !chunk) {
        free(ctx);
        free(chunk);
        fprintf(stderr, "cairn decode: out of memory\n");
        return 1;
    }
    dbuf_init(&o.buf, 1 << 16);
    struct ais_stats sum;
    memset(&sum, 0, sizeof sum);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--device") || !strcmp(a, "--format") || !strcmp(a, "--count")) {
            i++;
            continue;
        }
        if (a[0] == '-' && a[1] != 0)
            continue;
        if (!strncmp(a, "tcp:", 4) || !strncmp(a, "udp:", 4)) {
            o.device = device ? device : a;
            ais_ctx_init(ctx);
            int lrc = live(a, &o, ctx, count, chunk, 1 << 16);
            if (lrc)
                rc = lrc;
            add_stats(&sum, &ctx->stats);
            continue;
        }
        int is_stdin = !strcmp(a, "-");
        FILE *f = is_stdin ? stdin : fopen(a, "rb");
        if (!f) {
            fprintf(stderr, "cairn decode: %s: %s\n", a, strerror(errno));
            rc = 1;
            continue;
        }
        o.device = device ? device : is_stdin ? "stdin" : a;
        ais_ctx_init(ctx);
        size_t n;
        /* No clock: fragment timeouts follow TAG block times only. */
        while ((n = fread(chunk, 1, 1 << 16, f)) > 0)
            ais_feed(ctx, chunk, n, 0, on_msg, &o);
        ais_flush(ctx, 0, on_msg, &o);
        if (ferror(f)) {
            fprintf(stderr, "cairn decode: %s: read error\n", a);
            rc = 1;
        }
        if (!is_stdin)
            fclose(f);
        add_stats(&sum, &ctx->stats);
    }
    if (fflush(stdout) != 0 || o.err)
        rc = 1;
    if (stats)
        print_stats(&sum);
    dbuf_free(&o.buf);
    free(ctx);
    free(chunk);
    return rc;
}
