/*
 * decode_modes.c — `cairn decode` for 1090 MHz inputs: Beast, AVR, SBS
 * recordings or feeds (files or standard input), IQ sample files and a live
 * RTL-SDR, to JSON Lines on standard output.
 *
 * Key idea: input is read in fixed 64 KiB chunks and pushed through a
 * resumable stream parser (decode/modes/beast.h, avr.h, sbs.h), each frame
 * is decoded with one long-lived decoder context (decode/modes/modes.h) and
 * written as one JSON object per line into a bounded output buffer. Nothing
 * grows with the input: a multi-gigabyte recording runs in the same memory
 * as a small one (the aircraft summary table has a fixed cap).
 *
 * Output contract:
 *  - stdout: one JSON object per message, nothing else. For Beast/AVR/IQ the
 *    decoder's object (t, raw, df, icao, crc_ok, ...; see modes.h) plus
 *    "signal" when the source gave one. For SBS, which carries no raw reply,
 *    the decoded fields of the line (no "raw"). `t` is seconds on the
 *    recording's clock: the Beast/AVR 12 MHz counter / 12e6, the IQ sample
 *    index / rate, and for SBS the Unix time of the "generated" field.
 *  - stderr: --stats totals and the --aircraft summary, as text tables, so
 *    that stdout stays a plain stream of messages for jq and friends.
 *  - exit status: 0, 1 when a file could not be read (the others are still
 *    decoded) or output failed, 2 on a usage error. Bad bytes are counted,
 *    never fatal.
 *
 * Several files are decoded in order through one decoder context, as if
 * they were concatenated (`cat a b | cairn decode -` gives the same).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/dbuf.h"
#include "base/error.h"
#include "base/hex.h"
#include "base/jsonw.h"
#include "cli/cli.h"
#include "decode/modes/avr.h"
#include "decode/modes/beast.h"
#include "decode/modes/modes.h"
#include "decode/modes/sbs.h"
#include "feed/iq.h"
#include "feed/rtlsdr.h"
#include "feed/source.h"

#define CHUNK_LEN (64 * 1024)   /* bytes read per read(2) */
#define OUT_FLUSH (64 * 1024)   /* flush JSON output past this many bytes */
#define OUT_MAX   (1024 * 1024) /* output buffer cap: a flush is always due long before */
#define AC_CAP                                                                                     \
    16384 /* aircraft in the summary (power of two); a                                             \
             recording of a busy region over a day sees                                            \
             a few thousand */

/* The first five are feed/source.h's (fmt_of_feed relies on it). */
enum fmt {
    FMT_AUTO = FEED_AUTO,
    FMT_BEAST = FEED_BEAST,
    FMT_AVR = FEED_AVR,
    FMT_SBS = FEED_SBS,
    FMT_IQ = FEED_IQ,
    FMT_RTLSDR = FEED_IQ + 1
};

static const char *const fmt_names[] = {"auto", "beast", "avr", "sbs", "iq", "rtlsdr"};

struct opts {
    enum fmt fmt;
    double rate_hz;
    int iq_sc16;    /* 1: sc16, 0: uc8 */
    int iq_fmt_set; /* --iq-format given (else .cs16/.sc16 names mean sc16) */
    int have_rx;
    double rx_lat_deg, rx_lon_deg;
    double max_range_nm; /* < 0: the decoder's default */
    int fix_errors;
    int stats, aircraft, all, quiet;
    const char *device;
    double gain_db;
    int ppm;
};

/* One aircraft in the --aircraft summary. */
struct ac_sum {
    uint32_t icao; /* | AC_USED */
    char callsign[9];
    uint8_t has_pos, has_alt, has_squawk;
    uint16_t squawk;
    uint64_t msgs, positions;
    double first_t, last_t, pos_t;
    double lat_deg, lon_deg;
    int32_t alt_ft;
};
#define AC_USED 0x80000000u

struct run {
    const struct opts *o;
    struct modes_ctx *ctx;
    struct dbuf out;
    int out_err;
    int add_signal; /* -1 until the first object shows whether the decoder writes "signal" */
    struct ac_sum *ac;
    size_t n_ac;
    uint64_t ac_dropped;
    /* totals */
    uint64_t written, rejected, positions;
    uint64_t rej_crc, rej_df, rej_len, rej_other;
    struct beast_stats beast;
    struct avr_stats avr;
    struct sbs_stats sbs;
    uint64_t bytes_in;
    struct iq_stats iq;
    int have_iq;
};

static void usage(FILE *f, enum fmt fmt)
{
    fprintf(f, "usage: cairn decode [--format beast|avr|sbs|iq|rtlsdr] [options] FILE...\n"
               "Decodes 1090 MHz Mode S / ADS-B to JSON Lines on stdout, one object per\n"
               "message ('-' reads stdin). Without --format, the file name or its first\n"
               "bytes decide (0x1A: beast, '*'/'@': avr, 'MSG,': sbs, .bin/.iq/.cu8/.cs16: iq).\n\n"
               "common options:\n"
               "  --receiver LAT,LON  receiver position (degrees): reference for local CPR\n"
               "                      decoding and the range check\n"
               "  --max-range NM      reject positions farther from the receiver (default 300)\n"
               "  --no-fix            no single-bit error correction\n"
               "  --all               also print messages that failed CRC/address checks\n"
               "                      (crc_ok false)\n"
               "  --stats             totals on stderr at the end\n"
               "  --quiet             decode but print no messages (with --stats/--aircraft:\n"
               "                      summarise a large recording quickly)\n"
               "  --aircraft          one summary line per aircraft on stderr at the end\n");
    if (fmt == FMT_BEAST || fmt == FMT_AUTO)
        fprintf(
            f, "\nbeast: Beast binary (port 30005; 0x1A framing, 12 MHz timestamps).\n"
               "  t = 12 MHz counter / 12e6. e.g. nc HOST 30005 | cairn decode --format beast -\n");
    if (fmt == FMT_AVR || fmt == FMT_AUTO)
        fprintf(f, "\navr: AVR raw hex lines (port 30002): *HEX; @TSHEX; %%TSHEX; <TSSIGHEX;\n"
                   "  t = 12 MHz counter / 12e6 for '@' lines, 0 for '*' lines.\n");
    if (fmt == FMT_SBS || fmt == FMT_AUTO)
        fprintf(f, "\nsbs: BaseStation CSV (port 30003). No raw message: the decoded fields\n"
                   "  are printed as given; t = Unix time of the 'generated' field.\n");
    if (fmt == FMT_IQ || fmt == FMT_AUTO)
        fprintf(f, "\niq: raw samples from an RTL-SDR or SDR recording.\n"
                   "  --rate HZ           2.0e6 or 2.4e6 (default 2.4e6)\n"
                   "  --iq-format F       uc8 (unsigned 8-bit I/Q, default) or sc16\n"
                   "                      (signed 16-bit little-endian I/Q)\n"
                   "  t = sample index / rate.\n");
    if (fmt == FMT_RTLSDR || fmt == FMT_AUTO)
        fprintf(f, "\nrtlsdr: a live RTL-SDR dongle (until Ctrl-C).\n"
                   "  --device N|SERIAL   dongle index or serial (default 0)\n"
                   "  --gain DB           tuner gain in dB (default: automatic)\n"
                   "  --ppm N             frequency correction\n"
                   "  --rate HZ           2.0e6 or 2.4e6 (default 2.4e6)\n");
}

static enum fmt fmt_parse(const char *s)
{
    for (size_t i = 1; i < sizeof fmt_names / sizeof fmt_names[0]; i++)
        if (!strcmp(s, fmt_names[i]))
            return (enum fmt)i;
    return FMT_AUTO;
}

static int parse_double_arg(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end)
        return -1;
    *out = v;
    return 0;
}

/* "LAT,LON" in degrees. 0 or -1. */
static int parse_latlon(const char *s, double *lat, double *lon)
{
    char *end;
    errno = 0;
    *lat = strtod(s, &end);
    if (end == s || *end != ',')
        return -1;
    const char *s2 = end + 1;
    *lon = strtod(s2, &end);
    if (errno || end == s2 || *end)
        return -1;
    return *lat >= -90 && *lat <= 90 && *lon >= -180 && *lon <= 180 ? 0 : -1;
}

/* ---- output ---- */

static void out_flush(struct run *r)
{
    if (r->out.len == 0)
        return;
    if (!r->out_err && fwrite(r->out.p, 1, r->out.len, stdout) != r->out.len)
        r->out_err = 1;
    dbuf_reset(&r->out);
}

static void out_end_line(struct run *r)
{
    dbuf_addc(&r->out, '\n');
    if (r->out.len >= OUT_FLUSH)
        out_flush(r);
}

static const char *emergency_name(unsigned e)
{
    /* enum report_emergency, and the JSON names the issue asks for */
    static const char *const names[] = {"none",  "general",  "lifeguard", "minfuel",
                                        "nordo", "unlawful", "downed"};
    return e < sizeof names / sizeof names[0] ? names[e] : "none";
}

/* ---- the aircraft summary (open addressing, linear probing, fixed cap) ---- */

static struct ac_sum *ac_get(struct run *r, uint32_t icao, double t)
{
    if (!r->ac)
        return NULL;
    uint32_t h = (icao * 2654435761u) >> 18; /* Knuth's multiplicative hash, 14 bits */
    for (size_t i = 0; i < AC_CAP; i++) {
        struct ac_sum *a = &r->ac[(h + i) & (AC_CAP - 1)];
        if (a->icao == (icao | AC_USED))
            return a;
        if (!a->icao) {
            if (r->n_ac >= AC_CAP * 3 / 4) { /* keep probes short: 75 % load at most */
                r->ac_dropped++;
                return NULL;
            }
            memset(a, 0, sizeof *a);
            a->icao = icao | AC_USED;
            a->first_t = t;
            r->n_ac++;
            return a;
        }
    }
    return NULL;
}

static void ac_note_msg(struct run *r, const struct modes_msg *m)
{
    struct ac_sum *a = ac_get(r, m->icao, m->t_s);
    if (!a)
        return;
    a->msgs++;
    a->last_t = m->t_s;
    if (m->has & MH_CALLSIGN)
        memcpy(a->callsign, m->callsign, sizeof a->callsign);
    if (m->has & MH_ALT_BARO) {
        a->alt_ft = m->alt_baro_ft;
        a->has_alt = 1;
    }
    if (m->has & MH_SQUAWK) {
        a->squawk = m->squawk;
        a->has_squawk = 1;
    }
    if (m->has & MH_POS) {
        a->positions++;
        a->has_pos = 1;
        a->lat_deg = m->lat_deg;
        a->lon_deg = m->lon_deg;
        a->pos_t = m->t_s;
    }
}

static void ac_note_sbs(struct run *r, const struct sbs_msg *m, double t)
{
    struct ac_sum *a = ac_get(r, m->icao, t);
    if (!a)
        return;
    a->msgs++;
    a->last_t = t;
    if (m->has & SBS_HAS_CALLSIGN)
        memcpy(a->callsign, m->callsign, sizeof a->callsign);
    if (m->has & SBS_HAS_ALT) {
        a->alt_ft = m->alt_ft;
        a->has_alt = 1;
    }
    if (m->has & SBS_HAS_SQUAWK) {
        a->squawk = m->squawk;
        a->has_squawk = 1;
    }
    if (m->has & SBS_HAS_POS) {
        a->positions++;
        a->has_pos = 1;
        a->lat_deg = m->lat_deg;
        a->lon_deg = m->lon_deg;
        a->pos_t = t;
    }
}

static int ac_cmp_first(const void *x, const void *y)
{
    const struct ac_sum *a = x, *b = y;
    if (a->first_t != b->first_t)
        return a->first_t < b->first_t ? -1 : 1;
    return a->icao < b->icao ? -1 : a->icao > b->icao;
}

static void ac_print(struct run *r)
{
    size_t n = 0;
    struct ac_sum *list = r->n_ac ? malloc(r->n_ac * sizeof *list) : NULL;
    if (r->n_ac && !list) {
        fprintf(stderr, "cairn decode: out of memory for the aircraft summary\n");
        return;
    }
    for (size_t i = 0; r->ac && i < AC_CAP; i++)
        if (r->ac[i].icao)
            list[n++] = r->ac[i];
    qsort(list, n, sizeof *list, ac_cmp_first);
    fprintf(stderr, "\n%zu aircraft:\n", n);
    fprintf(stderr, "icao    callsign  squawk   msgs   pos  first_t         last_t          "
                    "last position          alt_ft\n");
    for (size_t i = 0; i < n; i++) {
        const struct ac_sum *a = &list[i];
        char sq[8] = "-", pos[40] = "-", alt[16] = "-";
        if (a->has_squawk)
            snprintf(sq, sizeof sq, "%04o", (unsigned)a->squawk);
        if (a->has_pos)
            snprintf(pos, sizeof pos, "%.5f,%.5f", a->lat_deg, a->lon_deg);
        if (a->has_alt)
            snprintf(alt, sizeof alt, "%d", (int)a->alt_ft);
        fprintf(stderr, "%06x  %-8s  %-6s %6llu %5llu  %-14.3f  %-14.3f  %-21s  %s\n",
                (unsigned)(a->icao & 0xFFFFFF), a->callsign[0] ? a->callsign : "-", sq,
                (unsigned long long)a->msgs, (unsigned long long)a->positions, a->first_t,
                a->last_t, pos, alt);
    }
    if (r->ac_dropped)
        fprintf(stderr, "(%llu messages of aircraft beyond the summary's cap of %d not counted)\n",
                (unsigned long long)r->ac_dropped, AC_CAP * 3 / 4);
    free(list);
}

/* ---- per message ---- */

/* One message as a JSON line. 0, or -1 when the object could not be written. */
static int emit_msg(struct run *r, const struct modes_msg *m, const struct modes_frame *f)
{
    size_t start = r->out.len;
    struct jsonw w;
    jw_init(&w, &r->out);
    modes_msg_json(m, &w);
    if (w.err || r->out.len <= start || r->out.p[r->out.len - 1] != '}') {
        r->out.len = start; /* drop a broken object rather than print half of it */
        if (r->out.p)
            r->out.p[start] = 0;
        r->rej_other++;
        return -1;
    }
    if (r->add_signal < 0) {
        /* Does the decoder's object carry "signal" itself? Decided once. */
        r->add_signal = strstr(r->out.p + start, "\"signal\":") == NULL;
    }
    if (r->add_signal && f->signal && r->out.len - start > 2) {
        r->out.len--; /* reopen the object: drop its '}' */
        dbuf_addf(&r->out, ",\"signal\":%u}", (unsigned)f->signal);
    }
    out_end_line(r);
    return 0;
}

static void handle_frame(const struct modes_frame *f, void *arg)
{
    struct run *r = arg;
    struct modes_msg m;
    int rc = modes_decode(r->ctx, f, &m);
    if (rc != 0) {
        r->rejected++;
        if (rc == CAIRN_E_CRC)
            r->rej_crc++;
        else if (rc == CAIRN_E_DF)
            r->rej_df++;
        else if (rc == CAIRN_E_TRUNCATED || rc == CAIRN_E_INVAL)
            r->rej_len++;
        else
            r->rej_other++;
        if (!r->o->all)
            return;
    }
    if (!r->o->quiet && emit_msg(r, &m, f) != 0)
        return;
    r->written++;
    if (rc == 0 && (m.has & MH_POS))
        r->positions++;
    if (rc == 0 && (m.has & MH_ICAO) && r->o->aircraft)
        ac_note_msg(r, &m);
}

static void emit_sbs(struct run *r, const struct sbs_msg *m, double t)
{
    struct jsonw w;
    jw_init(&w, &r->out);
    jw_obj(&w);
    if (m->has & SBS_HAS_TIME)
        jw_kfixed(&w, "t", t, 3);
    jw_kint(&w, "sbs_type", m->tx_type);
    char icao[8];
    snprintf(icao, sizeof icao, "%06x", (unsigned)m->icao);
    jw_kstr(&w, "icao", icao);
    if (m->non_icao)
        jw_kbool(&w, "non_icao", 1);
    if (m->has & SBS_HAS_CALLSIGN)
        jw_kstr(&w, "callsign", m->callsign);
    if (m->has & SBS_HAS_ALT)
        jw_kint(&w, "alt_baro_ft", m->alt_ft);
    if (m->has & SBS_HAS_POS) {
        /* BaseStation writes 5 decimals (about 1 m); print what was given. */
        jw_kfixed(&w, "lat", m->lat_deg, 5);
        jw_kfixed(&w, "lon", m->lon_deg, 5);
    }
    if (m->has & SBS_HAS_GS)
        jw_knum(&w, "gs_kt", m->gs_kt, 6);
    if (m->has & SBS_HAS_TRACK)
        jw_knum(&w, "track_deg", m->track_deg, 6);
    if (m->has & SBS_HAS_VRATE)
        jw_kint(&w, "vrate_fpm", m->vrate_fpm);
    if (m->has & SBS_HAS_SQUAWK) {
        char sq[8];
        snprintf(sq, sizeof sq, "%04o", (unsigned)m->squawk);
        jw_kstr(&w, "squawk", sq);
    }
    if (m->has & SBS_HAS_EMERGENCY)
        jw_kstr(&w, "emergency", emergency_name(sbs_msg_emergency(m)));
    if (m->has & SBS_HAS_ALERT)
        jw_kbool(&w, "alert", m->alert);
    if (m->has & SBS_HAS_SPI)
        jw_kbool(&w, "spi", m->spi);
    if (m->has & SBS_HAS_GROUND)
        jw_kbool(&w, "on_ground", m->on_ground);
    jw_end(&w);
    out_end_line(r);
}

static void handle_sbs(struct run *r, const struct sbs_msg *m)
{
    double t = (double)m->t_gen_ms / 1000.0;
    if (!r->o->quiet)
        emit_sbs(r, m, t);
    r->written++;
    if (m->has & SBS_HAS_POS)
        r->positions++;
    if (r->o->aircraft)
        ac_note_sbs(r, m, t);
}

/* ---- inputs ---- */

/* Set by SIGINT/SIGTERM: finish the current chunk, print totals, exit. An int
 * rather than sig_atomic_t because rtlsdr_run() polls a volatile int (the
 * same type on every POSIX system cairn targets). */
static volatile int stop_flag;

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

/* A feed format as this command's: the 1090 MHz ones have the same
 * values (enum fmt); the others are not this command's: auto. */
static enum fmt fmt_of_feed(enum feed_fmt f)
{
    return feed_fmt_modes(f) ? (enum fmt)f : FMT_AUTO;
}

static enum fmt fmt_of_name(const char *path)
{
    return fmt_of_feed(feed_fmt_of_name(path));
}

/* Beast unless the first bytes say AVR or SBS (a live feed may start
 * anywhere). */
static enum fmt fmt_of_bytes(const uint8_t *b, size_t n)
{
    enum fmt f = fmt_of_feed(feed_fmt_of_bytes(b, n));
    return f == FMT_AUTO ? FMT_BEAST : f;
}

static void add_beast(struct beast_stats *t, const struct beast_stats *s)
{
    t->bytes += s->bytes;
    t->frames += s->frames;
    t->modeac += s->modeac;
    t->modes_short += s->modes_short;
    t->modes_long += s->modes_long;
    t->skipped += s->skipped;
    t->bad_type += s->bad_type;
    t->truncated += s->truncated;
    t->garbage += s->garbage;
    t->resyncs += s->resyncs;
}

/* Decode one byte-stream file (Beast, AVR or SBS). 0, or 1 when unreadable. */
static int run_stream(struct run *r, const char *path, enum fmt fmt, uint8_t *chunk)
{
    int fd = strcmp(path, "-") ? open(path, O_RDONLY) : STDIN_FILENO;
    if (fd < 0) {
        fprintf(stderr, "cairn decode: %s: %s\n", path, strerror(errno));
        return 1;
    }
    struct beast_parser bp;
    struct avr_parser ap;
    struct sbs_parser sp;
    beast_parser_init(&bp);
    avr_parser_init(&ap);
    sbs_parser_init(&sp);
    int rc = 0, first = 1;
    for (;;) {
        ssize_t got = read(fd, chunk, CHUNK_LEN);
        if (got < 0 && errno == EINTR && !stop_flag)
            continue;
        if (got < 0 && errno == EINTR)
            break; /* Ctrl-C while waiting on a live feed: finish with the totals */
        if (got < 0) {
            fprintf(stderr, "cairn decode: %s: %s\n", path, strerror(errno));
            rc = 1;
            break;
        }
        if (got == 0)
            break;
        if (first && fmt == FMT_AUTO)
            fmt = fmt_of_bytes(chunk, (size_t)got);
        first = 0;
        r->bytes_in += (uint64_t)got;
        size_t off = 0, len = (size_t)got;
        ssize_t n;
        if (fmt == FMT_SBS) {
            struct sbs_msg m;
            while ((n = sbs_parse(&sp, chunk + off, len - off, &m)) > 0) {
                off += (size_t)n;
                handle_sbs(r, &m);
            }
        } else {
            struct modes_frame f;
            for (;;) {
                n = fmt == FMT_AVR ? avr_parse(&ap, chunk + off, len - off, &f)
                                   : beast_parse(&bp, chunk + off, len - off, &f);
                if (n <= 0)
                    break;
                off += (size_t)n;
                handle_frame(&f, r);
            }
        }
        if (r->out_err || stop_flag)
            break;
    }
    if (fmt == FMT_SBS) {
        struct sbs_msg m;
        if (sbs_finish(&sp, &m))
            handle_sbs(r, &m);
    } else if (fmt == FMT_AVR) {
        struct modes_frame f;
        if (avr_finish(&ap, &f))
            handle_frame(&f, r);
    }
    add_beast(&r->beast, &bp.st);
    r->avr.bytes += ap.st.bytes;
    r->avr.frames += ap.st.frames;
    r->avr.modeac += ap.st.modeac;
    r->avr.bad_lines += ap.st.bad_lines;
    r->sbs.bytes += sp.st.bytes;
    r->sbs.msgs += sp.st.msgs;
    r->sbs.other += sp.st.other;
    r->sbs.bad_lines += sp.st.bad_lines;
    if (fd != STDIN_FILENO)
        close(fd);
    return rc;
}

static int addr_known_cb(void *arg, uint32_t icao, double t_s)
{
    const struct run *r = arg;
    return modes_ctx_addr_known(r->ctx, icao, t_s);
}

static void add_iq(struct iq_stats *t, const struct iq_stats *s)
{
    t->bytes += s->bytes;
    t->samples += s->samples;
    t->frames += s->frames;
    t->corrected += s->corrected;
    t->preambles += s->preambles;
    t->bad_crc += s->bad_crc;
    t->unknown_addr += s->unknown_addr;
    t->signal_s += s->signal_s;
}

/* Demodulate one IQ file. 0, or 1 when it could not be read. */
static int run_iq(struct run *r, const char *path)
{
    struct iq_opts io = {.rate_hz = r->o->rate_hz, .fmt = IQ_UC8, .fix_errors = r->o->fix_errors};
    if (r->o->iq_fmt_set ? r->o->iq_sc16 : (ends_with(path, ".cs16") || ends_with(path, ".sc16")))
        io.fmt = IQ_SC16;
    struct iq_stats st;
    memset(&st, 0, sizeof st);
    int rc = iq_run_file(path, &io, addr_known_cb, handle_frame, r, &st);
    add_iq(&r->iq, &st);
    r->have_iq = 1;
    r->bytes_in += st.bytes;
    if (rc != 0) {
        /* iq_run_file has logged the system's reason; name the file once more. */
        fprintf(stderr, "cairn decode: %s: %s\n", path, cairn_strerror(rc));
        return 1;
    }
    return 0;
}

static int run_rtlsdr(struct run *r)
{
    struct rtlsdr_opts ro = {.device = r->o->device,
                             .gain_db = r->o->gain_db,
                             .ppm = r->o->ppm,
                             .rate_hz = r->o->rate_hz};
    int rc = rtlsdr_run(&ro, addr_known_cb, handle_frame, r, &stop_flag);
    if (rc != 0) {
        fprintf(stderr, "cairn decode: RTL-SDR %s: %s\n", r->o->device, cairn_strerror(rc));
        return 1;
    }
    return 0;
}

/* ---- totals ---- */

static void print_stats(const struct run *r, double secs)
{
    const struct modes_stats *s = &r->ctx->stats;
    fprintf(stderr, "\ncairn decode: totals\n");
    fprintf(stderr, "  input        %llu bytes\n", (unsigned long long)r->bytes_in);
    if (r->beast.bytes)
        fprintf(stderr,
                "  beast        %llu frames (%llu Mode A/C, %llu short, %llu long), %llu status "
                "skipped; %llu garbage bytes, %llu resyncs, %llu truncated, %llu bad types\n",
                (unsigned long long)r->beast.frames, (unsigned long long)r->beast.modeac,
                (unsigned long long)r->beast.modes_short, (unsigned long long)r->beast.modes_long,
                (unsigned long long)r->beast.skipped, (unsigned long long)r->beast.garbage,
                (unsigned long long)r->beast.resyncs, (unsigned long long)r->beast.truncated,
                (unsigned long long)r->beast.bad_type);
    if (r->avr.bytes)
        fprintf(stderr, "  avr          %llu frames (%llu Mode A/C), %llu bad lines\n",
                (unsigned long long)r->avr.frames, (unsigned long long)r->avr.modeac,
                (unsigned long long)r->avr.bad_lines);
    if (r->have_iq)
        fprintf(stderr,
                "  iq           %llu samples (%.3f s of signal), %llu preambles, %llu frames "
                "(%llu corrected), %llu bad CRC, %llu unknown addresses\n",
                (unsigned long long)r->iq.samples, r->iq.signal_s,
                (unsigned long long)r->iq.preambles, (unsigned long long)r->iq.frames,
                (unsigned long long)r->iq.corrected, (unsigned long long)r->iq.bad_crc,
                (unsigned long long)r->iq.unknown_addr);
    if (r->sbs.bytes)
        fprintf(stderr, "  sbs          %llu MSG lines, %llu other records, %llu bad lines\n",
                (unsigned long long)r->sbs.msgs, (unsigned long long)r->sbs.other,
                (unsigned long long)r->sbs.bad_lines);
    fprintf(stderr, "  %s %llu messages, %llu with a position\n",
            r->o->quiet ? "decoded     " : "written     ", (unsigned long long)r->written,
            (unsigned long long)r->positions);
    if (s->frames) {
        fprintf(stderr,
                "  rejected     %llu (CRC or unknown address %llu, undefined DF %llu, "
                "bad length %llu, other %llu)%s\n",
                (unsigned long long)r->rejected, (unsigned long long)r->rej_crc,
                (unsigned long long)r->rej_df, (unsigned long long)r->rej_len,
                (unsigned long long)r->rej_other, r->o->all ? "" : ", not printed (--all)");
        fprintf(stderr, "  by DF       ");
        for (int df = 0; df < 32; df++)
            if (s->df[df])
                fprintf(stderr, " DF%d %llu", df, (unsigned long long)s->df[df]);
        fprintf(stderr, "; Mode A/C %llu\n", (unsigned long long)s->modeac);
        fprintf(stderr,
                "  checks       %llu corrected (1 bit), %llu CRC failed, %llu addresses "
                "recovered, %llu unknown\n",
                (unsigned long long)s->corrected, (unsigned long long)s->crc_fail,
                (unsigned long long)s->addr_recovered, (unsigned long long)s->addr_unknown);
        fprintf(stderr,
                "  CPR          %llu global, %llu local, %llu unresolved; rejected %llu out of "
                "range, %llu too fast, %llu zone mismatch\n",
                (unsigned long long)s->cpr_global, (unsigned long long)s->cpr_local,
                (unsigned long long)s->cpr_fail, (unsigned long long)s->cpr_range,
                (unsigned long long)s->cpr_speed, (unsigned long long)s->cpr_zone);
        fprintf(stderr, "  Comm-B       %llu inferred, %llu ambiguous, %llu unknown\n",
                (unsigned long long)s->bds_inferred, (unsigned long long)s->bds_ambiguous,
                (unsigned long long)s->bds_unknown);
    }
    if (r->o->aircraft)
        fprintf(stderr, "  aircraft     %zu\n", r->n_ac);
    struct rusage ru;
    long rss_kb = getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : -1;
    uint64_t msgs = s->frames + r->sbs.msgs;
    fprintf(stderr, "  time         %.3f s (%.0f messages/s), peak RSS %ld KiB\n", secs,
            secs > 0 ? (double)msgs / secs : 0.0, rss_kb);
}

/* ---- main ---- */

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

int cli_decode_modes(int argc, char **argv)
{
    struct opts o = {.fmt = FMT_AUTO,
                     .rate_hz = 2.4e6,
                     .max_range_nm = -1,
                     .fix_errors = 1,
                     .device = "0",
                     .gain_db = -1};
    int help = 0;
    const char **files = calloc((size_t)argc, sizeof *files);
    size_t n_files = 0;
    if (!files)
        return 1;
    int status = 2;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        int takes = 1; /* the option consumes argv[i+1] */
        if (!strcmp(a, "--format") && v) {
            o.fmt = fmt_parse(v);
            if (o.fmt == FMT_AUTO) {
                fprintf(stderr, "cairn decode: unknown Mode S format '%s'\n", v);
                goto out;
            }
        } else if (!strncmp(a, "--format=", 9)) {
            o.fmt = fmt_parse(a + 9);
            takes = 0;
            if (o.fmt == FMT_AUTO) {
                fprintf(stderr, "cairn decode: unknown Mode S format '%s'\n", a + 9);
                goto out;
            }
        } else if (!strcmp(a, "--rate") && v) {
            if (parse_double_arg(v, &o.rate_hz) || (o.rate_hz != 2.0e6 && o.rate_hz != 2.4e6)) {
                fprintf(stderr, "cairn decode: --rate must be 2.0e6 or 2.4e6\n");
                goto out;
            }
        } else if (!strcmp(a, "--iq-format") && v) {
            if (strcmp(v, "uc8") && strcmp(v, "sc16")) {
                fprintf(stderr, "cairn decode: --iq-format must be uc8 or sc16\n");
                goto out;
            }
            o.iq_sc16 = !strcmp(v, "sc16");
            o.iq_fmt_set = 1;
        } else if (!strcmp(a, "--receiver") && v) {
            if (parse_latlon(v, &o.rx_lat_deg, &o.rx_lon_deg) != 0) {
                fprintf(stderr, "cairn decode: --receiver wants LAT,LON in degrees, "
                                "e.g. 59.9,30.3\n");
                goto out;
            }
            o.have_rx = 1;
        } else if (!strcmp(a, "--max-range") && v) {
            if (parse_double_arg(v, &o.max_range_nm) || o.max_range_nm < 0) {
                fprintf(stderr, "cairn decode: --max-range wants nautical miles\n");
                goto out;
            }
        } else if (!strcmp(a, "--device") && v) {
            o.device = v;
        } else if (!strcmp(a, "--gain") && v) {
            if (parse_double_arg(v, &o.gain_db)) {
                fprintf(stderr, "cairn decode: --gain wants dB\n");
                goto out;
            }
        } else if (!strcmp(a, "--ppm") && v) {
            double p;
            if (parse_double_arg(v, &p) || p < -1000 || p > 1000) {
                fprintf(stderr, "cairn decode: --ppm wants an integer\n");
                goto out;
            }
            o.ppm = (int)p;
        } else {
            takes = 0;
            if (!strcmp(a, "--no-fix"))
                o.fix_errors = 0;
            else if (!strcmp(a, "--stats"))
                o.stats = 1;
            else if (!strcmp(a, "--aircraft"))
                o.aircraft = 1;
            else if (!strcmp(a, "--all"))
                o.all = 1;
            else if (!strcmp(a, "--quiet"))
                o.quiet = 1;
            else if (!strcmp(a, "--help") || !strcmp(a, "-h"))
                help = 1;
            else if (a[0] == '-' && a[1]) {
                fprintf(stderr, "cairn decode: unknown option '%s' (see --help)\n", a);
                goto out;
            } else
                files[n_files++] = a;
        }
        i += takes;
    }
    if (help) {
        usage(stdout, o.fmt);
        status = 0;
        goto out;
    }
    if (!n_files && o.fmt != FMT_RTLSDR) {
        usage(stderr, o.fmt);
        goto out;
    }

    struct modes_opts mo;
    modes_opts_default(&mo);
    mo.fix_errors = o.fix_errors;
    mo.have_receiver = o.have_rx;
    mo.rx_lat_deg = o.rx_lat_deg;
    mo.rx_lon_deg = o.rx_lon_deg;
    if (o.max_range_nm >= 0)
        mo.max_range_nm = o.max_range_nm;

    struct run r;
    memset(&r, 0, sizeof r);
    r.o = &o;
    r.add_signal = -1;
    r.ctx = malloc(sizeof *r.ctx);
    uint8_t *chunk = malloc(CHUNK_LEN);
    if (o.aircraft)
        r.ac = calloc(AC_CAP, sizeof *r.ac);
    if (!r.ctx || !chunk || (o.aircraft && !r.ac)) {
        fprintf(stderr, "cairn decode: out of memory\n");
        free(r.ctx);
        free(chunk);
        free(r.ac);
        status = 1;
        goto out;
    }
    modes_ctx_init(r.ctx, &mo);
    dbuf_init(&r.out, OUT_MAX);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    int64_t t0 = clock_mono_ns();
    status = 0;
    if (o.fmt == FMT_RTLSDR) {
        status |= run_rtlsdr(&r);
    } else {
        for (size_t i = 0; i < n_files && !stop_flag && !r.out_err; i++) {
            enum fmt fmt = o.fmt != FMT_AUTO ? o.fmt : fmt_of_name(files[i]);
            if (fmt == FMT_IQ)
                status |= run_iq(&r, files[i]);
            else
                status |= run_stream(&r, files[i], fmt, chunk);
        }
    }
    out_flush(&r);
    if (fflush(stdout) != 0)
        r.out_err = 1;
    if (r.out_err) {
        fprintf(stderr, "cairn decode: writing the output failed: %s\n", strerror(errno));
        status = 1;
    }
    double secs = (double)(clock_mono_ns() - t0) / 1e9;
    if (o.stats)
        print_stats(&r, secs);
    if (o.aircraft)
        ac_print(&r);
    dbuf_free(&r.out);
    free(r.ac);
    free(r.ctx);
    free(chunk);
out:
    free(files);
    return status;
}
