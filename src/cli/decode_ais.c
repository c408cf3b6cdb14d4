/*
 * decode_ais.c — `cairn decode --format nmea`: AIS sentences to gpsd-style
 * JSON Lines, one object per decoded message, like `gpsdecode -j`
 * (`--unscaled`: like `gpsdecode -u -j`).
 *
 * Each file gets a fresh decoder context (fragments do not carry over from
 * one file to the next); the error counters add up over all files and
 * `--stats` prints them on standard error at the end.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/dbuf.h"
#include "base/jsonw.h"
#include "cli/cli.h"
#include "decode/ais/ais.h"

struct out {
    struct dbuf buf;
    const char *device;
    unsigned flags;
    FILE *fp;
    int err;
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
            "\"bad_payload\":%llu,\"frag_order\":%llu,\"frag_timeout\":%llu,"
            "\"frag_evicted\":%llu,\"bad_length\":%llu,\"bad_type\":%llu,\"long_line\":%llu}\n",
            (unsigned long long)s->lines, (unsigned long long)s->sentences,
            (unsigned long long)s->messages, (unsigned long long)s->other_lines,
            (unsigned long long)s->bad_checksum, (unsigned long long)s->bad_format,
            (unsigned long long)s->bad_tag, (unsigned long long)s->bad_payload,
            (unsigned long long)s->frag_order, (unsigned long long)s->frag_timeout,
            (unsigned long long)s->frag_evicted, (unsigned long long)s->bad_length,
            (unsigned long long)s->bad_type, (unsigned long long)s->long_line);
}

static void usage(void)
{
    printf("usage: cairn decode --format nmea [--unscaled] [--stats] [--tags] "
           "[--device NAME] FILE...\n"
           "Decodes AIS NMEA sentences (!AIVDM/!AIVDO, any talker; TAG blocks,\n"
           "receiver prefixes and suffixes tolerated) to gpsd-style JSON, one object\n"
           "per message. '-' reads standard input.\n"
           "  --unscaled     raw integer fields, like gpsdecode -u -j\n"
           "  --stats        print the counted errors on standard error at the end\n"
           "  --tags         add tag_source/tag_time/tag_text from NMEA 4.0 TAG blocks\n"
           "  --device NAME  the \"device\" field (default: the file name, or stdin)\n");
}

int cli_decode_ais(int argc, char **argv)
{
    struct out o = {.flags = AIS_JSON_SCALED, .fp = stdout};
    int stats = 0, nfiles = 0, rc = 0;
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
        if (!strcmp(a, "--device") || !strcmp(a, "--format")) {
            i++;
            continue;
        }
        if (a[0] == '-' && a[1] != 0)
            continue;
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
