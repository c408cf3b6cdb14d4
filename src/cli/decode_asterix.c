/*
 * decode_asterix.c — `cairn decode --format asterix|pcap`: ASTERIX recordings
 * to JSON Lines, one object per record (decode/asterix/json.c).
 *
 * Inputs: raw files of concatenated data blocks ("-" = standard input),
 * pcap/pcapng captures through libpcap (feed/pcap.h: the UDP payloads, or the
 * LLC payloads of 802.3 frames without IP, each one or more data blocks), and live UDP
 * (feed/udp.h): `--udp [ADDR:]PORT` listens on a port (ASTERIX's customary 8600 by default),
 * joining a multicast group when ADDR is one, on the interface named by --iface; it runs until
 * interrupted, or for --count datagrams / --seconds seconds. Framings seen in recordings:
 *   - ORADIS (a 6-octet header before each block: 2-octet length counting the
 *     header, 4 octets of time), as in Croatia Control's cat_001_002.pcap:
 *     detected per datagram (--framing auto, the default) or forced
 *     (--framing oradis); --framing none turns detection off.
 *   - Croatia Control's recording files, detected (--framing auto) or forced:
 *     "GPS" (0xCD-filled 2200-octet header, a 10-octet trailer after each
 *     block carrying its time; ax_gps_next), "FINAL" (an 8-octet header with
 *     length and time before each group of blocks, 4 octets of 0xA5 after;
 *     ax_final_next) and HDLC (frames 0x01 0x03 blocks FCS-16; ax_hdlc_next).
 *     The time a framing gives becomes the records' "rec_tod_s".
 * Errors (bad block LEN, unknown category, an item the chosen edition cannot
 * parse) are explained on standard error and counted; the rest of the input
 * is still decoded. Exit status: 0, 1 when a file could not be read, 2 usage.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/dbuf.h"
#include "base/error.h"
#include "base/jsonw.h"
#include "cli/cli.h"
#include "decode/asterix/asterix.h"
#include "base/clock.h"
#include "feed/pcap.h"
#include "feed/source.h"
#include "feed/udp.h"

/* Raw inputs are read whole; recordings used with this tool are far below
 * this bound (the largest sample is 12 KB), and a block never spans files. */
#define RAW_FILE_MAX ((size_t)512 * 1024 * 1024)
/* Explained errors printed per file before they are only counted. */
#define MAX_ERR_LINES 20

enum framing { FR_AUTO, FR_NONE, FR_ORADIS, FR_GPS, FR_FINAL, FR_HDLC };

struct opts {
    struct ax_editions eds;
    unsigned json_flags;
    enum framing framing;
    int force_pcap; /* 1 pcap, 0 raw, -1 by name/magic */
    int stats;
    const char *udp;         /* --udp [ADDR:]PORT, NULL for files */
    const char *iface;       /* --iface for a multicast group */
    unsigned long udp_count; /* stop after this many datagrams (0: never) */
    double udp_seconds;      /* stop after this long (0: never) */
};

struct run {
    const struct opts *o;
    const char *file;
    struct ax_stats st;
    unsigned long datagrams;
    unsigned long oradis;
    unsigned long frames; /* GPS blocks, FINAL records or HDLC frames read */
    size_t hdlc_skipped;  /* octets between good HDLC frames */
    const char *framing;  /* the recording framing found, or NULL */
    unsigned long err_lines;
    unsigned long range_records; /* records with a value outside its spec range */
    struct dbuf out;
    struct ax_record rec;
};

static void usage(FILE *f)
{
    fprintf(f, "usage: cairn decode --format asterix|pcap [--edition CAT=X.Y]... [--raw] [--hex]\n"
               "                    [--framing auto|none|oradis|gps|final|hdlc] [--stats] FILE...\n"
               "       cairn decode --format asterix --udp [ADDR:]PORT [--iface IF]\n"
               "                    [--count N] [--seconds S] [options as above]\n"
               "Prints one JSON object per ASTERIX record. --edition picks the edition of a\n"
               "category (default: the latest cairn knows); --raw prints quantities unscaled;\n"
               "--hex adds each record's bytes; --stats prints counts to standard error.\n"
               "--framing picks a recording's framing (auto: detected; gps, final and hdlc\n"
               "are Croatia Control's recording formats; their time is printed as rec_tod_s).\n"
               "--udp listens for live datagrams (a multicast ADDR is joined on --iface);\n"
               "it stops on Ctrl-C, after --count datagrams or after --seconds.\n"
               "Tables:");
    size_t n;
    const struct ax_category *const *all = ax_category_all(&n);
    for (size_t i = 0; i < n; i++)
        fprintf(f, " %03u/%s", all[i]->cat, all[i]->edition_str);
    fprintf(f, "\n");
}

static void report_err(struct run *r, unsigned long dgram, const struct ax_error *e)
{
    if (r->err_lines++ >= MAX_ERR_LINES)
        return;
    fprintf(stderr, "cairn decode: %s: datagram %lu: CAT%03u", r->file, dgram, e->cat);
    if (e->edition)
        fprintf(stderr, " ed %u.%u", AX_ED_MAJOR(e->edition), AX_ED_MINOR(e->edition));
    if (e->code != CAIRN_E_CATEGORY)
        fprintf(stderr, " record %u at block offset %zu", e->record, e->offset);
    if (e->item)
        fprintf(stderr, " item %s", e->item);
    fprintf(stderr, ": %s (%s); rest of block skipped\n", e->why ? e->why : "",
            cairn_strerror(e->code));
    if (r->err_lines == MAX_ERR_LINES)
        fprintf(stderr, "cairn decode: %s: further errors only counted\n", r->file);
}

static void flush_out(struct run *r)
{
    if (r->out.len) {
        fwrite(r->out.p, 1, r->out.len, stdout);
        dbuf_reset(&r->out);
    }
}

/* One chain of data blocks (a datagram or a whole raw file); tod_s >= 0 is
 * the time of day the recording gives them. */
static void decode_blocks(struct run *r, const uint8_t *p, size_t len, unsigned long dgram,
                          double tod_s)
{
    size_t off = 0;
    struct ax_block b;
    struct ax_error e;
    int rc;
    while ((rc = ax_block_next(p, len, &off, &b, &e, &r->st)) != 0) {
        if (rc < 0) {
            report_err(r, dgram, &e);
            break;
        }
        if (ax_block_open(&b, &r->o->eds, &e, &r->st) < 0) {
            report_err(r, dgram, &e);
            continue;
        }
        while ((rc = ax_block_record(&b, &r->rec, &e, &r->st)) == 1) {
            if (ax_record_range_errors(&r->rec))
                r->range_records++;
            struct jsonw w;
            jw_init(&w, &r->out);
            ax_json_record_at(&w, &r->rec, r->o->json_flags, tod_s);
            dbuf_addc(&r->out, '\n');
            if (r->out.len > 60000)
                flush_out(r);
        }
        if (rc < 0)
            report_err(r, dgram, &e);
    }
    flush_out(r);
}

static void decode_datagram(struct run *r, const uint8_t *p, size_t len, unsigned long dgram)
{
    enum framing fr = r->o->framing;
    if (fr != FR_ORADIS)
        fr = fr == FR_AUTO && ax_framing_guess(p, len) == AX_FRAMING_ORADIS ? FR_ORADIS : FR_NONE;
    if (fr == FR_NONE) {
        decode_blocks(r, p, len, dgram, -1.0);
        return;
    }
    r->oradis++;
    size_t off = 0;
    const uint8_t *blk;
    size_t blk_len;
    int rc;
    while ((rc = ax_oradis_next(p, len, &off, &blk, &blk_len)) == 1)
        decode_blocks(r, blk, blk_len, dgram, -1.0);
    if (rc < 0) {
        struct ax_error e = {CAIRN_E_FORMAT, 0, 0, off, 0, NULL, "bad ORADIS frame length"};
        report_err(r, dgram, &e);
        r->st.err_block++;
    }
}

static int ends_with(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && !strcmp(s + n - m, suf);
}

static int decode_pcap(struct run *r)
{
    struct feed_pcap *f;
    char err[512];
    if (feed_pcap_open(&f, r->file, err, sizeof err) < 0) {
        fprintf(stderr, "cairn decode: %s: %s\n", r->file, err);
        return 1;
    }
    struct pcap_udp u;
    int rc;
    while ((rc = feed_pcap_next(f, &u)) == 1) {
        r->datagrams++;
        decode_datagram(r, u.payload, u.len, r->datagrams);
    }
    const struct pcap_feed_stats *ps = feed_pcap_stats(f);
    if (r->o->stats || rc < 0)
        fprintf(stderr,
                "cairn decode: %s: %llu frames, %llu UDP, %llu LLC, %llu not IP, %llu not UDP, "
                "%llu other LLC, %llu fragments, %llu malformed, %llu cut\n",
                r->file, (unsigned long long)ps->frames, (unsigned long long)ps->udp,
                (unsigned long long)ps->llc, (unsigned long long)ps->not_ip,
                (unsigned long long)ps->not_udp, (unsigned long long)ps->llc_other,
                (unsigned long long)ps->fragments, (unsigned long long)ps->malformed,
                (unsigned long long)ps->cut);
    if (rc < 0)
        fprintf(stderr, "cairn decode: %s: %s\n", r->file, feed_pcap_error(f));
    feed_pcap_close(f);
    return rc < 0 ? 1 : 0;
}

static void print_summary(const struct run *r)
{
    const struct ax_stats *s = &r->st;
    if (r->framing && (r->o->stats || r->hdlc_skipped))
        fprintf(stderr, "cairn decode: %s: %s recording, %lu %s, %zu octets skipped%s\n", r->file,
                r->framing, r->frames, r->framing[0] == 'H' ? "good frames" : "records",
                r->hdlc_skipped, r->hdlc_skipped ? " (noise, or frames cut or damaged)" : "");
    uint64_t errs = s->err_block + s->err_category + s->err_fspec + s->err_item;
    if (r->o->stats || errs || r->range_records)
        fprintf(stderr,
                "cairn decode: %s: %lu datagrams (%lu ORADIS), %llu blocks, %llu records, "
                "%llu errors (%llu bad block, %llu unknown category, %llu FSPEC, %llu item); "
                "%llu blocks zero-padded; "
                "%lu records with values outside the specification's range%s\n",
                r->file, r->datagrams, r->oradis, (unsigned long long)s->blocks,
                (unsigned long long)s->records, (unsigned long long)errs,
                (unsigned long long)s->err_block, (unsigned long long)s->err_category,
                (unsigned long long)s->err_fspec, (unsigned long long)s->err_item,
                (unsigned long long)s->padding, r->range_records,
                r->range_records ? " (wrong --edition, or a corrupt feed?)" : "");
}

static void recording_error(struct run *r, size_t off, const char *why)
{
    struct ax_error e = {CAIRN_E_FORMAT, 0, 0, off, 0, NULL, why};
    report_err(r, r->datagrams, &e);
    r->st.err_block++;
}

/* A recording file in one of Croatia Control's framings: each GPS block,
 * FINAL record or HDLC frame is one "datagram" of blocks. */
static void decode_recording(struct run *r, enum framing fr, const uint8_t *p, size_t len)
{
    size_t off = 0, bl;
    const uint8_t *blk;
    double tod;
    int rc;
    switch (fr) {
    case FR_GPS:
        r->framing = "GPS";
        while ((rc = ax_gps_next(p, len, &off, &blk, &bl, &tod)) == 1) {
            r->frames++;
            decode_blocks(r, blk, bl, ++r->datagrams, tod);
        }
        if (rc < 0)
            recording_error(r, off, "GPS recording: a block runs past the end of the file");
        break;
    case FR_FINAL:
        r->framing = "FINAL";
        while ((rc = ax_final_next(p, len, &off, &blk, &bl, &tod)) == 1) {
            r->frames++;
            decode_blocks(r, blk, bl, ++r->datagrams, tod);
        }
        if (rc < 0)
            recording_error(r, off,
                            "FINAL recording: a record length below 12 octets or past the end "
                            "of the file");
        break;
    case FR_HDLC:
        r->framing = "HDLC";
        while (ax_hdlc_next(p, len, &off, &blk, &bl, &r->hdlc_skipped) == 1) {
            r->frames++;
            decode_blocks(r, blk, bl, ++r->datagrams, -1.0);
        }
        break;
    default:
        break;
    }
}

static int decode_file(struct run *r)
{
    int pcap = r->o->force_pcap;
    struct dbuf in;
    dbuf_init(&in, RAW_FILE_MAX);
    if (pcap != 1) {
        int rc = feed_read_file(r->file, &in);
        if (rc < 0) {
            fprintf(stderr, "cairn decode: %s: %s\n", r->file, cairn_strerror(rc));
            dbuf_free(&in);
            return 1;
        }
        if (pcap == -1)
            pcap = feed_fmt_of_bytes((const uint8_t *)in.p, in.len) == FEED_PCAP ||
                   ends_with(r->file, ".pcap") || ends_with(r->file, ".pcapng");
    }
    int ret = 0;
    const uint8_t *p = (const uint8_t *)in.p;
    enum framing fr = r->o->framing;
    if (!pcap && fr == FR_AUTO) {
        if (ax_gps_detect(p, in.len))
            fr = FR_GPS;
        else if (ax_final_detect(p, in.len))
            fr = FR_FINAL;
        else if (ax_hdlc_detect(p, in.len))
            fr = FR_HDLC;
    }
    if (pcap)
        ret = decode_pcap(r);
    else if (fr == FR_GPS || fr == FR_FINAL || fr == FR_HDLC)
        decode_recording(r, fr, p, in.len);
    else {
        r->datagrams++;
        decode_datagram(r, p, in.len, 1);
    }
    dbuf_free(&in);
    print_summary(r);
    return ret;
}

static volatile sig_atomic_t udp_stop;

static void on_sigint(int sig)
{
    (void)sig;
    udp_stop = 1;
}

static int udp_datagram(void *ctx, const uint8_t *data, size_t len)
{
    struct run *r = ctx;
    r->datagrams++;
    decode_datagram(r, data, len, r->datagrams);
    fflush(stdout);
    return 0;
}

/* Live UDP: "PORT", "ADDR:PORT" (ADDR a multicast group to join, or a local
 * address to bind). Runs until SIGINT/SIGTERM, --count or --seconds. */
static int decode_udp(struct run *r)
{
    const struct opts *o = r->o;
    char addr[64] = "";
    const char *colon = strrchr(o->udp, ':');
    const char *port_s = colon ? colon + 1 : o->udp;
    if (colon) {
        size_t n = (size_t)(colon - o->udp);
        if (n >= sizeof addr) {
            fprintf(stderr, "cairn decode: --udp %s: address too long\n", o->udp);
            return 2;
        }
        memcpy(addr, o->udp, n);
        addr[n] = '\0';
    }
    char *end;
    long port = strtol(port_s, &end, 10);
    if (*port_s == '\0' || *end != '\0' || port < 1 || port > 65535) {
        fprintf(stderr, "cairn decode: --udp %s: expected [ADDR:]PORT\n", o->udp);
        return 2;
    }
    unsigned first_octet = (unsigned)atoi(addr);
    int multicast = addr[0] && first_octet >= 224 && first_octet <= 239;
    struct udp_feed_config cfg = {0};
    cfg.port = (uint16_t)port;
    cfg.group = multicast ? addr : NULL;
    cfg.bind_addr = addr[0] ? addr : NULL; /* a group address filters other groups */
    cfg.iface = o->iface;
    cfg.max_datagram = UDP_FEED_MAX_DATAGRAM;
    cfg.check_asterix = 1;
    struct udp_feed f;
    if (udp_feed_open(&f, &cfg) < 0) {
        fprintf(stderr, "cairn decode: --udp %s: cannot listen: %s\n", o->udp, strerror(errno));
        return 1;
    }
    fprintf(stderr, "cairn decode: listening on UDP %s%s port %u%s%s\n", multicast ? "group " : "",
            addr[0] ? addr : "any address", (unsigned)udp_feed_port(&f), o->iface ? " on " : "",
            o->iface ? o->iface : "");
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    static uint8_t buf[UDP_FEED_MAX_DATAGRAM + 1];
    int64_t t_end = o->udp_seconds > 0 ? clock_mono_ns() + (int64_t)(o->udp_seconds * 1e9) : 0;
    int ret = 0;
    while (!udp_stop) {
        if (o->udp_count && r->datagrams >= o->udp_count)
            break;
        int wait_ms = 500;
        if (t_end) {
            int64_t left = t_end - clock_mono_ns();
            if (left <= 0)
                break;
            if (left / 1000000 < wait_ms)
                wait_ms = (int)(left / 1000000) + 1;
        }
        struct pollfd pfd = {udp_feed_fd(&f), POLLIN, 0};
        if (poll(&pfd, 1, wait_ms) <= 0)
            continue; /* timeout, or EINTR from a signal: the loop decides */
        unsigned max_n = 64;
        if (o->udp_count && o->udp_count - r->datagrams < max_n)
            max_n = (unsigned)(o->udp_count - r->datagrams);
        if (udp_feed_drain(&f, buf, sizeof buf, max_n, udp_datagram, r) < 0) {
            fprintf(stderr, "cairn decode: --udp: receive failed: %s\n", strerror(errno));
            ret = 1;
            break;
        }
    }
    const struct udp_feed_stats *us = &f.stats;
    fprintf(stderr,
            "cairn decode: UDP: %llu datagrams, %llu bytes, %llu oversize, %llu truncated, "
            "%llu malformed, %llu empty, %llu receive errors\n",
            (unsigned long long)us->datagrams, (unsigned long long)us->bytes,
            (unsigned long long)us->oversize, (unsigned long long)us->truncated,
            (unsigned long long)us->malformed, (unsigned long long)us->empty,
            (unsigned long long)us->errors);
    udp_feed_close(&f);
    print_summary(r);
    return ret;
}

int cli_decode_asterix(int argc, char **argv)
{
    struct opts o;
    memset(&o, 0, sizeof o);
    ax_editions_init(&o.eds);
    o.force_pcap = -1;
    int n_files = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = (i + 1 < argc) ? argv[i + 1] : NULL;
        if (!strcmp(a, "--format") && val) {
            if (!strcmp(val, "pcap"))
                o.force_pcap = 1;
            else if (!strcmp(val, "asterix"))
                o.force_pcap = -1; /* raw, or pcap by magic */
            else if (!strcmp(val, "final") || !strcmp(val, "hdlc") || !strcmp(val, "gps")) {
                o.force_pcap = 0; /* the same as --format asterix --framing VAL */
                o.framing = val[0] == 'f' ? FR_FINAL : val[0] == 'h' ? FR_HDLC : FR_GPS;
            } else {
                fprintf(stderr,
                        "cairn decode: format '%s' is not supported for ASTERIX; use asterix "
                        "(raw blocks or a recording, see --framing) or pcap\n",
                        val);
                return 2;
            }
            i++;
        } else if (!strncmp(a, "--format=", 9)) {
            o.force_pcap = !strcmp(a + 9, "pcap") ? 1 : -1;
        } else if (!strcmp(a, "--edition") && val) {
            int rc = ax_editions_set(&o.eds, val);
            if (rc < 0) {
                fprintf(stderr, "cairn decode: --edition %s: %s\n", val,
                        rc == CAIRN_E_NOTFOUND ? "no table for that category and edition"
                                               : "expected CAT=X.Y, e.g. 48=1.31");
                usage(stderr);
                return 2;
            }
            i++;
        } else if (!strcmp(a, "--framing") && val) {
            if (!strcmp(val, "auto"))
                o.framing = FR_AUTO;
            else if (!strcmp(val, "none"))
                o.framing = FR_NONE;
            else if (!strcmp(val, "oradis"))
                o.framing = FR_ORADIS;
            else if (!strcmp(val, "gps"))
                o.framing = FR_GPS;
            else if (!strcmp(val, "final"))
                o.framing = FR_FINAL;
            else if (!strcmp(val, "hdlc"))
                o.framing = FR_HDLC;
            else {
                fprintf(stderr, "cairn decode: --framing auto|none|oradis|gps|final|hdlc\n");
                return 2;
            }
            i++;
        } else if (!strcmp(a, "--udp") && val) {
            o.udp = val;
            i++;
        } else if (!strcmp(a, "--iface") && val) {
            o.iface = val;
            i++;
        } else if (!strcmp(a, "--count") && val) {
            o.udp_count = strtoul(val, NULL, 10);
            i++;
        } else if (!strcmp(a, "--seconds") && val) {
            o.udp_seconds = strtod(val, NULL);
            i++;
        } else if (!strcmp(a, "--raw")) {
            o.json_flags |= AX_JSON_RAW;
        } else if (!strcmp(a, "--hex")) {
            o.json_flags |= AX_JSON_HEX;
        } else if (!strcmp(a, "--stats")) {
            o.stats = 1;
        } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "cairn decode: unknown option %s\n", a);
            usage(stderr);
            return 2;
        } else {
            n_files++;
        }
    }
    if (o.udp) {
        if (n_files) {
            fprintf(stderr, "cairn decode: --udp takes no files\n");
            return 2;
        }
        struct run *r = calloc(1, sizeof *r);
        if (!r) {
            fprintf(stderr, "cairn decode: out of memory\n");
            return 1;
        }
        r->o = &o;
        r->file = "udp";
        dbuf_init(&r->out, (size_t)1 << 20);
        int rc = decode_udp(r);
        dbuf_free(&r->out);
        free(r);
        return rc;
    }
    if (!n_files) {
        usage(stderr);
        return 2;
    }
    int ret = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--format") || !strcmp(a, "--edition") || !strcmp(a, "--framing") ||
            !strcmp(a, "--udp") || !strcmp(a, "--iface") || !strcmp(a, "--count") ||
            !strcmp(a, "--seconds")) {
            i++;
            continue;
        }
        if (a[0] == '-' && a[1] != '\0')
            continue;
        struct run *r = calloc(1, sizeof *r);
        if (!r) {
            fprintf(stderr, "cairn decode: out of memory\n");
            return 1;
        }
        r->o = &o;
        r->file = a;
        dbuf_init(&r->out, (size_t)1 << 20);
        if (decode_file(r))
            ret = 1;
        dbuf_free(&r->out);
        free(r);
    }
    fflush(stdout);
    return ret;
}
