/*
 * source.c — report sources (source.h): each input's reading loop, its
 * decoder, its clock, and a queue of the reports of the last chunk read.
 *
 * The decoders push (callbacks per frame, message or record); the merge
 * above pulls (one report per call). The queue joins them: a refill reads
 * one chunk, decodes it whole into the queue, and the calls that follow
 * empty it. A chunk's reports are bounded by its size (a Beast frame is at
 * least 9 bytes, so 64 KiB make at most ~7,300 reports), so the queue
 * stays small.
 */
#include "feed/source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/dbuf.h"
#include "base/error.h"
#include "base/grow.h"
#include "decode/ais/ais.h"
#include "decode/ais/nmea.h"
#include "decode/asterix/asterix.h"
#include "decode/asterix/report.h"
#include "decode/modes/avr.h"
#include "decode/modes/beast.h"
#include "decode/modes/demod.h"
#include "decode/modes/modes.h"
#include "decode/modes/sbs.h"
#include "feed/pcap.h"

#define CHUNK_LEN    (64 * 1024)  /* bytes per read of a byte stream */
#define IQ_CHUNK_LEN (256 * 1024) /* bytes per read of IQ samples (54 ms at 2.4 MS/s) */

struct feed_src {
    struct feed_src_opts o;
    enum feed_fmt fmt;
    int fd;
    int eof;
    uint8_t *chunk;
    size_t chunk_cap;
    /* the queue */
    struct report *q;
    size_t q_cap, q_head, q_n;
    int q_err; /* the queue could not grow: reports lost (counted in no_report) */
    /* raw frames (opts.keep_frames): a second queue, in file order */
    struct feed_src_frame *fq;
    size_t fq_cap, fq_head, fq_n;
    /* Mode S */
    struct modes_ctx *modes;
    struct beast_parser bp;
    struct avr_parser ap;
    struct sbs_parser sp;
    struct modes_demod *demod;
    int anchored;
    int64_t t0_utc_ms; /* UTC of the relative clock's zero */
    /* AIS */
    struct ais_ctx *ais;
    /* ASTERIX */
    struct feed_pcap *pcap;
    struct ax_report_ctx axr;
    struct ax_editions eds;
    struct ax_record rec;
    struct dbuf raw; /* a raw file, read whole */
    size_t raw_off;  /* its next block */
    int raw_oradis;  /* it has an ORADIS header before every block */
    /* wire units (opts.units): the units of the last refill, their bytes,
     * and the bytes consumed since the last unit ended (a frame or line
     * cut by a chunk boundary) */
    struct unit_ent *uq;
    size_t uq_cap, uq_head, uq_n;
    uint8_t *ub;
    size_t ub_len, ub_cap;
    uint8_t *carry;
    size_t carry_len;
    int64_t u_last_t;
    int relative;
    struct feed_src_stats st;
    char err[256];
};

struct unit_ent {
    size_t off, len;
    int64_t t_ms;
};

/* A partial frame or line carried into the next chunk, at most: longer
 * runs without a frame or line end are garbage (dropped, counted bad). */
#define CARRY_MAX (64 * 1024)

static const char *const fmt_names[] = {"auto", "beast", "avr",     "sbs",
                                        "iq",   "nmea",  "asterix", "pcap"};

const char *feed_fmt_name(enum feed_fmt f)
{
    return (unsigned)f < sizeof fmt_names / sizeof fmt_names[0] ? fmt_names[f] : "?";
}

int feed_spec_parse(const char *spec, enum feed_fmt *fmt, const char **path)
{
    *fmt = FEED_AUTO;
    *path = spec;
    const char *colon = spec ? strchr(spec, ':') : NULL;
    if (colon) {
        size_t n = (size_t)(colon - spec);
        for (size_t i = 1; i < sizeof fmt_names / sizeof fmt_names[0]; i++)
            if (strlen(fmt_names[i]) == n && !memcmp(spec, fmt_names[i], n)) {
                *fmt = (enum feed_fmt)i;
                *path = colon + 1;
            }
    }
    return *path && **path ? 0 : CAIRN_E_INVAL;
}

int feed_fmt_relative(enum feed_fmt f)
{
    return f == FEED_BEAST || f == FEED_AVR || f == FEED_IQ;
}

int feed_fmt_modes(enum feed_fmt f)
{
    return f == FEED_BEAST || f == FEED_AVR || f == FEED_SBS || f == FEED_IQ;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

enum feed_fmt feed_fmt_of_name(const char *path)
{
    static const struct {
        const char *ext;
        enum feed_fmt f;
    } ext[] = {{".beast", FEED_BEAST}, {".avr", FEED_AVR},     {".sbs", FEED_SBS},
               {".nmea", FEED_NMEA},   {".ais", FEED_NMEA},    {".pcap", FEED_PCAP},
               {".pcapng", FEED_PCAP}, {".ast", FEED_ASTERIX}, {".iq", FEED_IQ},
               {".bin", FEED_IQ},      {".cu8", FEED_IQ},      {".cs16", FEED_IQ},
               {".sc16", FEED_IQ}};
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++)
        if (ends_with(path, ext[i].ext))
            return ext[i].f;
    return FEED_AUTO;
}

enum feed_fmt feed_fmt_of_bytes(const uint8_t *b, size_t n)
{
    static const uint8_t pcap_magic[][4] = {{0xd4, 0xc3, 0xb2, 0xa1},
                                            {0xa1, 0xb2, 0xc3, 0xd4},
                                            {0x4d, 0x3c, 0xb2, 0xa1},
                                            {0xa1, 0xb2, 0x3c, 0x4d},
                                            {0x0a, 0x0d, 0x0d, 0x0a}};
    for (size_t i = 0; n >= 4 && i < sizeof pcap_magic / sizeof pcap_magic[0]; i++)
        if (!memcmp(b, pcap_magic[i], 4))
            return FEED_PCAP;
    size_t i = 0;
    while (i < n && (b[i] == '\r' || b[i] == '\n' || b[i] == ' '))
        i++;
    if (i >= n)
        return FEED_AUTO;
    if (b[i] == BEAST_ESC)
        return FEED_BEAST;
    if (b[i] == '*' || b[i] == '@' || b[i] == '%' || b[i] == '<')
        return FEED_AVR;
    if (b[i] == '!' || b[i] == '\\' || b[i] == '$')
        return FEED_NMEA;
    if (n - i >= 4 &&
        (!memcmp(b + i, "MSG,", 4) || !memcmp(b + i, "AIR,", 4) || !memcmp(b + i, "STA,", 4) ||
         !memcmp(b + i, "SEL,", 4) || !memcmp(b + i, "ID,", 3) || !memcmp(b + i, "CLK,", 4)))
        return FEED_SBS;
    return FEED_AUTO;
}

static void set_err(char *err, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t cap, const char *fmt, ...)
{
    if (!err || !cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, cap, fmt, ap);
    va_end(ap);
}

/* ------------------------------------------------------------------ queue */

static void push(struct feed_src *s, const struct report *r)
{
    if (s->q_head + s->q_n >= s->q_cap) {
        if (s->q_head) { /* compact first */
            memmove(s->q, s->q + s->q_head, s->q_n * sizeof *s->q);
            s->q_head = 0;
        }
        if (GROW_ARRAY(&s->q, &s->q_cap, s->q_n + 1, 1024)) {
            s->q_err = 1;
            s->st.no_report++;
            return;
        }
    }
    s->q[s->q_head + s->q_n++] = *r;
    s->st.reports++;
}

/* ----------------------------------------------------------------- Mode S */

/* A frame whose CRC checked, as decoded (corrected bits applied), dated on
 * the input's UTC anchor; dropped (counted) when the queue cannot grow. */
static void push_frame(struct feed_src *s, const struct modes_frame *f, const struct modes_msg *m)
{
    if (s->fq_head + s->fq_n >= s->fq_cap) {
        if (s->fq_head) {
            memmove(s->fq, s->fq + s->fq_head, s->fq_n * sizeof *s->fq);
            s->fq_head = 0;
        }
        if (GROW_ARRAY(&s->fq, &s->fq_cap, s->fq_n + 1, 1024)) {
            s->st.frames_lost++;
            return;
        }
    }
    struct feed_src_frame *e = &s->fq[s->fq_head + s->fq_n++];
    e->f = *f;
    memcpy(e->f.data, m->raw, m->len);
    e->t_ms = s->t0_utc_ms + (int64_t)(f->t_s * 1000.0 + 0.5);
}

static void on_frame(const struct modes_frame *f, void *arg)
{
    struct feed_src *s = arg;
    s->st.units++;
    if (!f->len)
        return;
    if (s->fmt == FEED_AVR && !f->has_ts) {
        s->st.no_time++; /* a '*' line: no counter, no time */
        return;
    }
    if (!s->anchored) {
        /* beast/avr: the first frame is at start; iq: the first sample is */
        double first_s = s->fmt == FEED_IQ ? 0.0 : f->t_s;
        s->t0_utc_ms = s->o.start_utc_ms - (int64_t)(first_s * 1000.0 + 0.5);
        s->anchored = 1;
    }
    struct modes_msg m;
    if (modes_decode(s->modes, f, &m) != 0) {
        s->st.bad++;
        return;
    }
    if (s->o.keep_frames && m.crc_ok)
        push_frame(s, f, &m);
    struct report r;
    r.sensor_id = s->o.sensor_id;
    if (modes_msg_to_report(&m, s->t0_utc_ms, &r) != 0) {
        s->st.no_report++;
        return;
    }
    push(s, &r);
}

static int addr_known(void *arg, uint32_t icao, double t_s)
{
    const struct feed_src *s = arg;
    return modes_ctx_addr_known(s->modes, icao, t_s);
}

static void on_sbs(struct feed_src *s, const struct sbs_msg *m)
{
    s->st.units++;
    struct report r;
    r.sensor_id = s->o.sensor_id;
    if (sbs_msg_to_report(m, &r) != 0) {
        s->st.no_time++;
        return;
    }
    push(s, &r);
}

/* ------------------------------------------------------------------- AIS */

static void on_ais(void *user, const struct ais_msg *m)
{
    struct feed_src *s = user;
    s->st.units++;
    if (m->t_ms <= 0) {
        s->st.no_time++; /* no TAG block time */
        return;
    }
    struct report r;
    if (ais_msg_to_report(m, s->o.sensor_id, &r) != 0) {
        s->st.no_report++;
        return;
    }
    push(s, &r);
}

/* --------------------------------------------------------------- ASTERIX */

static void ax_blocks(struct feed_src *s, const uint8_t *p, size_t len)
{
    size_t off = 0;
    struct ax_block b;
    struct ax_error e;
    int rc;
    while ((rc = ax_block_next(p, len, &off, &b, &e, NULL)) == 1) {
        if (ax_block_open(&b, &s->eds, &e, NULL) < 0) {
            s->st.bad++;
            continue;
        }
        while ((rc = ax_block_record(&b, &s->rec, &e, NULL)) == 1) {
            s->st.units++;
            struct report r;
            struct ax_scan_event sc;
            memset(&r, 0, sizeof r);
            int out = ax_record_report(&s->axr, &s->rec, &r, &sc);
            if (out == AX_OUT_REPORT)
                push(s, &r);
            else if (out == AX_OUT_NONE)
                s->st.no_report++;
        }
        if (rc < 0)
            s->st.bad++;
    }
    if (rc < 0)
        s->st.bad++;
}

/* One datagram: plain blocks, or blocks behind ORADIS headers. */
static void ax_datagram(struct feed_src *s, const uint8_t *p, size_t len)
{
    if (ax_framing_guess(p, len) != AX_FRAMING_ORADIS) {
        ax_blocks(s, p, len);
        return;
    }
    size_t off = 0, blk_len;
    const uint8_t *blk;
    int rc;
    while ((rc = ax_oradis_next(p, len, &off, &blk, &blk_len)) == 1)
        ax_blocks(s, blk, blk_len);
    if (rc < 0)
        s->st.bad++;
}

/* ---------------------------------------------------------------- refill */

/* The next UDP payload of a pcap input, its bytes counted and its capture
 * time the ASTERIX reader's reference: 0, 1 at the end, CAIRN_E_IO. */
static int next_pcap(struct feed_src *s, struct pcap_udp *u)
{
    int rc = feed_pcap_next(s->pcap, u);
    if (rc < 0) {
        snprintf(s->err, sizeof s->err, "%s", feed_pcap_error(s->pcap));
        return CAIRN_E_IO;
    }
    if (rc == 0)
        return 1;
    s->st.bytes += u->len;
    s->axr.ref_utc_ms = (int64_t)(u->t_us / 1000);
    return 0;
}

/* The next data block of a raw ASTERIX file (s->raw, its framing decided
 * at open): 1 with its bytes in *blk, *blk_len (borrowed from s->raw) and
 * s->raw_off past it, 0 at the end. Both readings of the file, reports
 * (refill) and wire units (refill_units), walk it with this step, one block
 * at a time so that what they queue stays small.
 *
 * A plain block is as long as its LEN, or is all that is left when LEN
 * cannot be right (the decoder, or the sensor a replay sends it to, counts
 * the bad block). An ORADIS frame holds one block; a broken frame length
 * ends the file, counted bad (it cannot happen once the whole file was
 * found to be a chain of frames, but the walk does not rely on that). */
static int raw_next_block(struct feed_src *s, const uint8_t **blk, size_t *blk_len)
{
    const uint8_t *p = (const uint8_t *)s->raw.p;
    if (s->raw_off >= s->raw.len)
        return 0;
    if (s->raw_oradis) {
        int rc = ax_oradis_next(p, s->raw.len, &s->raw_off, blk, blk_len);
        if (rc < 0)
            s->st.bad++;
        return rc == 1;
    }
    size_t left = s->raw.len - s->raw_off;
    size_t blen = left >= 3 ? (size_t)p[s->raw_off + 1] << 8 | p[s->raw_off + 2] : left;
    *blk = p + s->raw_off;
    *blk_len = blen < 3 || blen > left ? left : blen;
    s->raw_off += *blk_len;
    return 1;
}

/* The next chunk of a byte-stream input into s->chunk: its length (0 at
 * the end, s->eof then set), or CAIRN_E_IO. */
static ssize_t read_chunk(struct feed_src *s)
{
    ssize_t got;
    do
        got = read(s->fd, s->chunk, s->chunk_cap);
    while (got < 0 && errno == EINTR);
    if (got < 0) {
        snprintf(s->err, sizeof s->err, "%s", strerror(errno));
        return CAIRN_E_IO;
    }
    s->st.bytes += (size_t)got;
    if (got == 0)
        s->eof = 1;
    return got;
}

/* What the stream parsers of s refused so far: lines that are no SBS or
 * AVR record, runs of bytes outside Beast framing, AIS sentences refused
 * (ais_stats_refused). A frame that decodes wrong is counted where it is
 * decoded (on_frame). */
static uint64_t parser_refused(const struct feed_src *s)
{
    switch (s->fmt) {
    case FEED_SBS:
        return s->sp.st.bad_lines;
    case FEED_AVR:
        return s->ap.st.bad_lines;
    case FEED_BEAST:
        return s->bp.st.resyncs;
    case FEED_NMEA:
        return s->ais ? ais_stats_refused(&s->ais->stats) : 0;
    default:
        return 0;
    }
}

/* Read and decode the next chunk. 0 (maybe nothing queued yet), 1 at the
 * end, CAIRN_E_IO. */
static int refill(struct feed_src *s)
{
    if (s->fmt == FEED_PCAP) {
        struct pcap_udp u;
        int rc = next_pcap(s, &u);
        if (rc != 0)
            return rc;
        ax_datagram(s, u.payload, u.len);
        s->st.no_site = s->axr.st.no_site;
        return 0;
    }
    if (s->fmt == FEED_ASTERIX) {
        const uint8_t *blk;
        size_t blen;
        if (!raw_next_block(s, &blk, &blen))
            return 1;
        ax_datagram(s, blk, blen);
        s->st.no_site = s->axr.st.no_site;
        return 0;
    }
    if (s->eof)
        return 1;
    ssize_t got = read_chunk(s);
    if (got < 0)
        return (int)got;
    size_t len = (size_t)got;
    /* the parsers count what they refuse: st.bad takes this chunk's share */
    uint64_t refused = parser_refused(s);
    switch (s->fmt) {
    case FEED_IQ:
        if (len)
            modes_demod_feed(s->demod, s->chunk, len, addr_known, on_frame, s);
        else
            modes_demod_flush(s->demod, addr_known, on_frame, s);
        break;
    case FEED_NMEA:
        if (len)
            ais_feed(s->ais, (const char *)s->chunk, len, 0, on_ais, s);
        else
            ais_flush(s->ais, 0, on_ais, s);
        break;
    case FEED_SBS: {
        struct sbs_msg m;
        size_t off = 0;
        ssize_t n;
        while (off < len && (n = sbs_parse(&s->sp, s->chunk + off, len - off, &m)) > 0) {
            off += (size_t)n;
            on_sbs(s, &m);
        }
        if (!len && sbs_finish(&s->sp, &m))
            on_sbs(s, &m);
        break;
    }
    default: { /* beast, avr */
        struct modes_frame f;
        size_t off = 0;
        ssize_t n;
        while (off < len) {
            n = s->fmt == FEED_AVR ? avr_parse(&s->ap, s->chunk + off, len - off, &f)
                                   : beast_parse(&s->bp, s->chunk + off, len - off, &f);
            if (n <= 0)
                break;
            off += (size_t)n;
            on_frame(&f, s);
        }
        if (!len && s->fmt == FEED_AVR && avr_finish(&s->ap, &f))
            on_frame(&f, s);
        break;
    }
    }
    s->st.bad += parser_refused(s) - refused;
    return 0;
}

int feed_src_next(struct feed_src *s, struct report *r)
{
    while (!s->q_n) {
        s->q_head = 0;
        int rc = refill(s);
        if (rc < 0)
            return rc;
        if (rc == 1 && !s->q_n)
            return 0;
    }
    *r = s->q[s->q_head++];
    s->q_n--;
    return 1;
}

/* ------------------------------------------------------------ wire units */

/* Append a unit made of a[0..alen) and b[0..blen) (either may be empty),
 * timed t (FEED_UNIT_NO_TIME: the unit before's). 0 or CAIRN_E_NOMEM. */
static int unit_add(struct feed_src *s, const uint8_t *a, size_t alen, const uint8_t *b,
                    size_t blen, int64_t t)
{
    size_t len = alen + blen;
    int rc = GROW_ARRAY(&s->ub, &s->ub_cap, s->ub_len + len, CHUNK_LEN);
    if (rc == 0)
        rc = GROW_ARRAY(&s->uq, &s->uq_cap, s->uq_n + 1, 1024);
    if (rc)
        return rc;
    if (alen)
        memcpy(s->ub + s->ub_len, a, alen);
    if (blen)
        memcpy(s->ub + s->ub_len + alen, b, blen);
    if (t == FEED_UNIT_NO_TIME)
        t = s->u_last_t;
    else
        s->u_last_t = t;
    s->uq[s->uq_n++] = (struct unit_ent){s->ub_len, len, t};
    s->ub_len += len;
    s->st.units++;
    return 0;
}

/* Keep p[0..n) for the next chunk's first unit (bounded: CARRY_MAX). */
static int carry_keep(struct feed_src *s, const uint8_t *p, size_t n)
{
    if (!s->carry && !(s->carry = malloc(CARRY_MAX)))
        return CAIRN_E_NOMEM;
    if (s->carry_len + n > CARRY_MAX) { /* no end in sight: garbage */
        s->st.bad++;
        s->carry_len = 0;
        if (n > CARRY_MAX)
            return 0;
    }
    memcpy(s->carry + s->carry_len, p, n);
    s->carry_len += n;
    return 0;
}

/* The time a text line says (SBS generated time, NMEA c:), or NO_TIME. */
static int64_t line_time(const struct feed_src *s, const uint8_t *p, size_t n)
{
    while (n && (p[n - 1] == '\n' || p[n - 1] == '\r'))
        n--;
    if (s->fmt == FEED_SBS) {
        struct sbs_msg m;
        if (sbs_parse_line((const char *)p, n, &m) == 1 && (m.has & SBS_HAS_TIME))
            return m.t_gen_ms;
        return FEED_UNIT_NO_TIME;
    }
    struct nmea_vdm v;
    if (nmea_parse_vdm((const char *)p, n, &v) == 0 && (v.tag.has & NMEA_TAG_TIME))
        return v.tag.time_ms;
    return FEED_UNIT_NO_TIME;
}

/* One chunk of a stream format (len 0: the end) into units. */
static int units_stream(struct feed_src *s, const uint8_t *p, size_t len)
{
    size_t off = 0, start = 0;
    int rc = 0;
    if (s->fmt == FEED_SBS || s->fmt == FEED_NMEA) {
        const uint8_t *nl;
        while (rc == 0 && (nl = memchr(p + off, '\n', len - off))) {
            off = (size_t)(nl - p) + 1;
            rc = unit_add(s, s->carry, s->carry_len, p + start, off - start, FEED_UNIT_NO_TIME);
            s->carry_len = 0;
            start = off;
            if (rc == 0) {
                struct unit_ent *e = &s->uq[s->uq_n - 1];
                int64_t t = line_time(s, s->ub + e->off, e->len);
                if (t != FEED_UNIT_NO_TIME)
                    e->t_ms = s->u_last_t = t;
            }
        }
        if (rc == 0 && !len && s->carry_len) { /* a last line without its end */
            rc = unit_add(s, s->carry, s->carry_len, (const uint8_t *)"\n", 1,
                          line_time(s, s->carry, s->carry_len));
            s->carry_len = 0;
        }
    } else { /* beast, avr: the parsers keep a cut frame; its bytes are carried */
        struct modes_frame f;
        ssize_t n;
        while (rc == 0 && off < len) {
            n = s->fmt == FEED_AVR ? avr_parse(&s->ap, p + off, len - off, &f)
                                   : beast_parse(&s->bp, p + off, len - off, &f);
            if (n <= 0)
                break;
            off += (size_t)n;
            int64_t t = FEED_UNIT_NO_TIME;
            if (f.has_ts) {
                if (!s->anchored) {
                    int64_t start_ms = s->o.has_start ? s->o.start_utc_ms : 0;
                    s->t0_utc_ms = start_ms - (int64_t)(f.t_s * 1000.0 + 0.5);
                    s->anchored = 1;
                }
                t = s->t0_utc_ms + (int64_t)(f.t_s * 1000.0 + 0.5);
            } else {
                s->st.no_time++;
            }
            rc = unit_add(s, s->carry, s->carry_len, p + start, off - start, t);
            s->carry_len = 0;
            start = off;
        }
        if (!len)
            s->carry_len = 0; /* a frame cut by the end of the file */
    }
    if (rc == 0 && start < len)
        rc = carry_keep(s, p + start, len - start);
    return rc;
}

/* ASTERIX blocks p[0..len) as one unit, timed by its first report. */
static int units_ax(struct feed_src *s, const uint8_t *p, size_t len, int64_t t)
{
    s->q_head = s->q_n = 0;
    ax_datagram(s, p, len);
    s->st.no_site = s->axr.st.no_site;
    if (t == FEED_UNIT_NO_TIME && s->q_n)
        t = s->q[0].t_ms;
    s->q_head = s->q_n = 0; /* the reports were only for their time */
    return unit_add(s, p, len, NULL, 0, t);
}

/* Read the next piece of the input into units. 0 (maybe none yet), 1 at
 * the end, or an error. */
static int refill_units(struct feed_src *s)
{
    s->uq_head = s->uq_n = 0;
    s->ub_len = 0;
    if (s->fmt == FEED_PCAP) {
        struct pcap_udp u;
        int rc = next_pcap(s, &u);
        if (rc != 0)
            return rc;
        return units_ax(s, u.payload, u.len, (int64_t)(u.t_us / 1000));
    }
    if (s->fmt == FEED_ASTERIX) {
        const uint8_t *blk;
        size_t blen;
        if (!raw_next_block(s, &blk, &blen))
            return 1;
        return units_ax(s, blk, blen, FEED_UNIT_NO_TIME);
    }
    if (s->eof)
        return 1;
    ssize_t got = read_chunk(s);
    if (got < 0)
        return (int)got;
    return units_stream(s, s->chunk, (size_t)got);
}

int feed_src_next_unit(struct feed_src *s, struct feed_src_unit *u)
{
    while (s->uq_head >= s->uq_n) {
        int rc = refill_units(s);
        if (rc < 0) {
            if (rc == CAIRN_E_NOMEM)
                snprintf(s->err, sizeof s->err, "out of memory");
            return rc;
        }
        if (rc == 1 && s->uq_head >= s->uq_n)
            return 0;
    }
    const struct unit_ent *e = &s->uq[s->uq_head++];
    u->p = s->ub + e->off;
    u->len = e->len;
    u->t_ms = e->t_ms;
    s->st.reports++;
    return 1;
}

int feed_src_relative(const struct feed_src *s)
{
    return s->relative;
}

/* ------------------------------------------------------------- open/close */

int feed_read_file(const char *path, struct dbuf *b)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f)
        return CAIRN_E_IO;
    char tmp[65536];
    size_t n;
    int rc = 0;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
        if ((rc = dbuf_add(b, tmp, n)) < 0)
            break;
    if (!rc && ferror(f))
        rc = CAIRN_E_IO;
    if (f != stdin)
        fclose(f);
    return rc;
}

int feed_src_open(const struct feed_src_opts *o, struct feed_src **out, char *err, size_t errcap)
{
    set_err(err, errcap, "%s", "");
    *out = NULL;
    if (!o || !o->path)
        return CAIRN_E_INVAL;
    struct feed_src *s = calloc(1, sizeof *s);
    if (!s) {
        set_err(err, errcap, "out of memory");
        return CAIRN_E_NOMEM;
    }
    s->o = *o;
    s->fd = -1;
    s->fmt = o->fmt != FEED_AUTO ? o->fmt : feed_fmt_of_name(o->path);
    int is_stdin = !strcmp(o->path, "-");
    int rc = 0;
    if (s->fmt != FEED_PCAP) {
        s->fd = is_stdin ? STDIN_FILENO : open(o->path, O_RDONLY);
        if (s->fd < 0) {
            int e = errno;
            set_err(err, errcap, "%s", strerror(e));
            free(s);
            return e == ENOENT ? CAIRN_E_NOTFOUND : CAIRN_E_IO;
        }
    }
    s->chunk_cap = s->fmt == FEED_IQ ? IQ_CHUNK_LEN : CHUNK_LEN;
    s->chunk = malloc(IQ_CHUNK_LEN);
    if (!s->chunk) {
        rc = CAIRN_E_NOMEM;
        goto fail;
    }
    if (s->fmt == FEED_AUTO) {
        /* the first bytes decide; they are decoded by the first refill */
        if (is_stdin) {
            set_err(err, errcap, "the format of standard input must be named (FORMAT:-)");
            rc = CAIRN_E_INVAL;
            goto fail;
        }
        uint8_t head[16];
        ssize_t n = pread(s->fd, head, sizeof head, 0);
        s->fmt = n > 0 ? feed_fmt_of_bytes(head, (size_t)n) : FEED_AUTO;
        if (s->fmt == FEED_AUTO) {
            set_err(err, errcap,
                    "format not recognised from the name or the first bytes: name it "
                    "(beast:, avr:, sbs:, iq:, nmea:, asterix:, pcap:)");
            rc = CAIRN_E_INVAL;
            goto fail;
        }
        s->chunk_cap = s->fmt == FEED_IQ ? IQ_CHUNK_LEN : CHUNK_LEN;
    }
    if (o->units && s->fmt == FEED_IQ) {
        set_err(err, errcap,
                "iq samples are no sensor's wire format: decode them first "
                "(cairn decode) or replay them into a centre of its own");
        rc = CAIRN_E_INVAL;
        goto fail;
    }
    s->u_last_t = FEED_UNIT_NO_TIME;
    s->relative = o->units && ((feed_fmt_relative(s->fmt) && !o->has_start) ||
                               (s->fmt == FEED_ASTERIX && !o->has_date));
    if (feed_fmt_relative(s->fmt) && !o->has_start && !o->units) {
        set_err(err, errcap, "%s has no absolute time: give --start UTC (the time of its first %s)",
                feed_fmt_name(s->fmt), s->fmt == FEED_IQ ? "sample" : "frame");
        rc = CAIRN_E_INVAL;
        goto fail;
    }
    if (s->fmt == FEED_ASTERIX && !o->has_date && !o->units) {
        set_err(err, errcap,
                "raw ASTERIX carries only times of day: give --date YYYY-MM-DD (or use a pcap)");
        rc = CAIRN_E_INVAL;
        goto fail;
    }
    if (feed_fmt_modes(s->fmt)) {
        struct modes_opts mo;
        modes_opts_default(&mo);
        mo.have_receiver = o->has_rx;
        mo.rx_lat_deg = o->rx_lat_deg;
        mo.rx_lon_deg = o->rx_lon_deg;
        s->modes = malloc(sizeof *s->modes);
        if (!s->modes) {
            rc = CAIRN_E_NOMEM;
            goto fail;
        }
        modes_ctx_init(s->modes, &mo);
        beast_parser_init(&s->bp);
        avr_parser_init(&s->ap);
        sbs_parser_init(&s->sp);
    }
    if (s->fmt == FEED_IQ) {
        double rate = o->iq_rate_hz > 0 ? o->iq_rate_hz : 2.4e6;
        s->demod = malloc(sizeof *s->demod);
        if (!s->demod) {
            rc = CAIRN_E_NOMEM;
            goto fail;
        }
        int sc16 = ends_with(o->path, ".cs16") || ends_with(o->path, ".sc16");
        if (modes_demod_init(s->demod, rate, sc16 ? MODES_DEMOD_SC16 : MODES_DEMOD_UC8, 1) < 0) {
            set_err(err, errcap, "unsupported IQ sample rate %.0f Hz (2000000 or 2400000)", rate);
            rc = CAIRN_E_INVAL;
            goto fail;
        }
    }
    if (s->fmt == FEED_NMEA) {
        s->ais = malloc(sizeof *s->ais);
        if (!s->ais) {
            rc = CAIRN_E_NOMEM;
            goto fail;
        }
        ais_ctx_init(s->ais);
    }
    if (s->fmt == FEED_PCAP || s->fmt == FEED_ASTERIX) {
        ax_editions_init(&s->eds);
        ax_report_init(&s->axr, o->radars, o->n_radars);
    }
    if (s->fmt == FEED_PCAP) {
        if (s->fd >= 0 && s->fd != STDIN_FILENO)
            close(s->fd);
        s->fd = -1;
        rc = feed_pcap_open(&s->pcap, o->path, err, errcap);
        if (rc < 0)
            goto fail;
    }
    if (s->fmt == FEED_ASTERIX) {
        ax_report_set_date(&s->axr, o->has_date ? o->date_utc_ms : 0);
        dbuf_init(&s->raw, FEED_AX_FILE_MAX);
        rc = feed_read_file(o->path, &s->raw);
        if (rc == CAIRN_E_TOOBIG)
            set_err(err, errcap, "larger than %zu MiB", FEED_AX_FILE_MAX >> 20);
        else if (rc < 0)
            set_err(err, errcap, "%s", rc == CAIRN_E_IO ? strerror(errno) : cairn_strerror(rc));
        if (rc < 0)
            goto fail;
        s->st.bytes = s->raw.len;
        s->raw_oradis =
            ax_framing_guess((const uint8_t *)s->raw.p, s->raw.len) == AX_FRAMING_ORADIS;
    }
    *out = s;
    return 0;
fail:
    if (rc == CAIRN_E_NOMEM)
        set_err(err, errcap, "out of memory");
    feed_src_close(s);
    return rc;
}

int feed_src_next_frame(struct feed_src *s, int64_t before_ms, struct feed_src_frame *out)
{
    if (!s->fq_n || s->fq[s->fq_head].t_ms >= before_ms)
        return 0;
    *out = s->fq[s->fq_head];
    s->fq_head++;
    if (!--s->fq_n)
        s->fq_head = 0;
    return 1;
}

enum feed_fmt feed_src_fmt(const struct feed_src *s)
{
    return s->fmt;
}

const struct feed_src_stats *feed_src_stats(const struct feed_src *s)
{
    return &s->st;
}

const char *feed_src_error(const struct feed_src *s)
{
    return s->err;
}

void feed_src_close(struct feed_src *s)
{
    if (!s)
        return;
    if (s->fd >= 0 && s->fd != STDIN_FILENO)
        close(s->fd);
    feed_pcap_close(s->pcap);
    dbuf_free(&s->raw);
    free(s->q);
    free(s->fq);
    free(s->uq);
    free(s->ub);
    free(s->carry);
    free(s->chunk);
    free(s->modes);
    free(s->demod);
    free(s->ais);
    free(s);
}
