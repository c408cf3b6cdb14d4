/*
 * out.c — file writers for the simulator (formats in out.h, docs/sim.md).
 *
 * pcap: the classic libpcap file format (magic 0xa1b2c3d4, version 2.4,
 * microsecond times, link type 1 = Ethernet), written by hand: a 24-byte
 * file header, then per packet a 16-byte record header and the frame.
 * Each frame is Ethernet II (locally administered addresses 02:...), IPv4
 * (RFC 791, header checksum computed, DF set, TTL 64) from 10.<SAC>.<SIC>.1
 * to 232.1.1.<SIC> (multicast, as radar feeds are distributed), UDP (RFC
 * 768, checksum computed) from and to port SIM_ASTERIX_PORT, carrying one
 * ASTERIX data block (CAT, LEN, one record).
 */
#include "sim/out.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/dbuf.h"
#include "base/error.h"
#include "base/jsonw.h"
#include "decode/modes/avr.h"
#include "decode/modes/beast.h"

struct sim_out {
    FILE *pcap, *beast, *avr, *sbs, *ais, *truth;
    int err;
    uint64_t bytes;
    uint64_t counter0; /* Beast counter at start_ms */
    int64_t start_ms;
    uint16_t ip_id;
    struct dbuf jb;
};

static FILE *open_in(const char *dir, const char *name)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path) {
        errno = ENAMETOOLONG;
        return NULL;
    }
    return fopen(path, "wb");
}

static void wr(struct sim_out *o, FILE *f, const void *p, size_t n)
{
    if (fwrite(p, 1, n, f) != n)
        o->err = CAIRN_E_IO;
    o->bytes += n;
}

static void le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static void be16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* One's complement sum (RFC 1071) of n bytes, added to sum. */
static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)p[i] << 8 | p[i + 1];
    if (n & 1)
        sum += (uint32_t)p[n - 1] << 8;
    return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xFFFF) + (sum >> 16);
    return (uint16_t)~sum;
}

static int w_radar(void *user, const struct sim_radar *r, const struct sim_radar_rec *rec)
{
    struct sim_out *o = user;
    uint8_t f[14 + 20 + 8 + 3 + AX_TYPED_MAX_RECORD];
    size_t plen = 3 + rec->len, udp = 8 + plen, ip = 20 + udp, n = 14 + ip;
    /* Ethernet: multicast MAC of 232.1.1.SIC, source 02:00:00:00:SAC:SIC */
    static const uint8_t mc[6] = {0x01, 0x00, 0x5E, 0x01, 0x01, 0x00};
    memcpy(f, mc, 6);
    f[5] = r->sic & 0x7F;
    f[6] = 0x02;
    f[7] = f[8] = f[9] = 0;
    f[10] = r->sac;
    f[11] = r->sic;
    be16(f + 12, 0x0800);
    uint8_t *h = f + 14;
    h[0] = 0x45;
    h[1] = 0;
    be16(h + 2, (unsigned)ip);
    be16(h + 4, o->ip_id++);
    be16(h + 6, 0x4000); /* DF */
    h[8] = 64;
    h[9] = 17;
    h[10] = h[11] = 0;
    h[12] = 10, h[13] = r->sac, h[14] = r->sic, h[15] = 1;
    h[16] = 232, h[17] = 1, h[18] = 1, h[19] = r->sic;
    be16(h + 10, csum_fold(csum_add(0, h, 20)));
    uint8_t *u = h + 20;
    be16(u, SIM_ASTERIX_PORT);
    be16(u + 2, SIM_ASTERIX_PORT);
    be16(u + 4, (unsigned)udp);
    u[6] = u[7] = 0;
    u[8] = rec->cat;
    be16(u + 9, (unsigned)plen);
    memcpy(u + 11, rec->rec, rec->len);
    uint8_t pseudo[12];
    memcpy(pseudo, h + 12, 8);
    pseudo[8] = 0;
    pseudo[9] = 17;
    be16(pseudo + 10, (unsigned)udp);
    uint16_t c = csum_fold(csum_add(csum_add(0, pseudo, 12), u, udp));
    be16(u + 6, c ? c : 0xFFFF); /* 0 means "no checksum" (RFC 768) */
    uint8_t ph[16];
    le32(ph, (uint32_t)(rec->t_ms / 1000));
    le32(ph + 4, (uint32_t)(rec->t_ms % 1000) * 1000u);
    le32(ph + 8, (uint32_t)n);
    le32(ph + 12, (uint32_t)n);
    wr(o, o->pcap, ph, 16);
    wr(o, o->pcap, f, n);
    return 0;
}

void sim_utc_fmt(int64_t t_ms, char date[11], char tm_out[13])
{
    time_t t = (time_t)(t_ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    unsigned y = (unsigned)(tm.tm_year + 1900) % 10000u, ms = (unsigned)(t_ms % 1000);
    unsigned v[] = {y / 1000, y / 100 % 10, y / 10 % 10, y % 10};
    /* written digit by digit: fixed width whatever the compiler assumes */
    char *d = date;
    for (int i = 0; i < 4; i++)
        *d++ = (char)('0' + v[i]);
    *d++ = '/';
    *d++ = (char)('0' + (tm.tm_mon + 1) / 10);
    *d++ = (char)('0' + (tm.tm_mon + 1) % 10);
    *d++ = '/';
    *d++ = (char)('0' + tm.tm_mday / 10);
    *d++ = (char)('0' + tm.tm_mday % 10);
    *d = 0;
    char *p = tm_out;
    *p++ = (char)('0' + tm.tm_hour / 10);
    *p++ = (char)('0' + tm.tm_hour % 10);
    *p++ = ':';
    *p++ = (char)('0' + tm.tm_min / 10);
    *p++ = (char)('0' + tm.tm_min % 10);
    *p++ = ':';
    *p++ = (char)('0' + tm.tm_sec / 10 % 10);
    *p++ = (char)('0' + tm.tm_sec % 10);
    *p++ = '.';
    *p++ = (char)('0' + ms / 100);
    *p++ = (char)('0' + ms / 10 % 10);
    *p++ = (char)('0' + ms % 10);
    *p = 0;
}

static int w_adsb(void *user, const struct sim_mover *m, const struct sim_adsb *a)
{
    struct sim_out *o = user;
    struct modes_frame f;
    memset(&f, 0, sizeof f);
    memcpy(f.data, a->frame, 14);
    f.len = 14;
    f.kind = FRAME_MODES;
    f.has_ts = 1;
    f.signal = 0xA0;
    f.ts_12mhz = (o->counter0 + (uint64_t)(a->t_ms - o->start_ms) * 12000u) & 0xFFFFFFFFFFFFull;
    if (o->beast) {
        uint8_t b[BEAST_MAX_WIRE];
        int n = beast_encode(&f, b);
        if (n > 0)
            wr(o, o->beast, b, (size_t)n);
    }
    if (o->avr) {
        char line[AVR_MAX_LINE + 8];
        int n = avr_encode(&f, line, sizeof line);
        if (n > 0)
            wr(o, o->avr, line, (size_t)n);
    }
    if (o->sbs) {
        char d[11], t[13], line[256];
        sim_utc_fmt(a->t_ms, d, t);
        int n = 0;
        switch (a->tc) {
        case 4:
            n = snprintf(line, sizeof line, "MSG,1,1,1,%06X,1,%s,%s,%s,%s,%s,,,,,,,,,,,0\r\n",
                         m->icao, d, t, d, t, m->callsign);
            break;
        case 19:
            n = snprintf(line, sizeof line,
                         "MSG,4,1,1,%06X,1,%s,%s,%s,%s,,,%.0f,%.0f,,,%.0f,,,,,0\r\n", m->icao, d, t,
                         d, t, a->gs_kt, a->track_deg, a->vrate_fpm);
            break;
        case 28:
            n = snprintf(line, sizeof line,
                         "MSG,6,1,1,%06X,1,%s,%s,%s,%s,,,,,,,,%04o,%d,%d,0,0\r\n", m->icao, d, t, d,
                         t, a->squawk, a->emergency ? 1 : 0, a->emergency ? 1 : 0);
            break;
        default:
            n = snprintf(line, sizeof line,
                         "MSG,3,1,1,%06X,1,%s,%s,%s,%s,,%.0f,,,%.5f,%.5f,,,0,0,0,0\r\n", m->icao, d,
                         t, d, t, 25.0 * (double)(long)((a->alt_ft + 12.5) / 25.0), a->lat_deg,
                         a->lon_deg);
            break;
        }
        if (n > 0 && (size_t)n < sizeof line)
            wr(o, o->sbs, line, (size_t)n);
    }
    return 0;
}

static int w_ais(void *user, const struct sim_mover *m, const struct sim_ais *a)
{
    struct sim_out *o = user;
    (void)m;
    wr(o, o->ais, a->text, a->len);
    return 0;
}

static int w_truth(void *user, int64_t t_ms, const struct sim_mover *m, const struct sim_state *s)
{
    struct sim_out *o = user;
    struct jsonw w;
    dbuf_reset(&o->jb);
    jw_init(&w, &o->jb);
    jw_obj(&w);
    jw_kint(&w, "t", t_ms / 1000);
    jw_kstr(&w, "id", m->id);
    jw_kstr(&w, "kind", m->kind == SIM_AIRCRAFT ? "aircraft" : "vessel");
    jw_kfixed(&w, "lat", s->lat_deg, 7);
    jw_kfixed(&w, "lon", s->lon_deg, 7);
    jw_kfixed(&w, "alt_ft", s->alt_ft, 1);
    jw_kfixed(&w, "gs_kt", s->gs_kt, 2);
    jw_kfixed(&w, "track_deg", s->track_deg, 3);
    jw_kfixed(&w, "vrate_fpm", s->vrate_fpm, 0);
    char hex[8];
    jw_key(&w, "icao");
    if (m->has_icao) {
        snprintf(hex, sizeof hex, "%06X", m->icao);
        jw_str(&w, hex);
    } else {
        jw_null(&w);
    }
    jw_key(&w, "squawk");
    if (s->has_squawk && m->kind == SIM_AIRCRAFT) {
        snprintf(hex, sizeof hex, "%04o", s->squawk);
        jw_str(&w, hex);
    } else {
        jw_null(&w);
    }
    jw_key(&w, "callsign");
    if (m->kind == SIM_AIRCRAFT && m->callsign[0])
        jw_str(&w, m->callsign);
    else
        jw_null(&w);
    jw_key(&w, "mmsi");
    if (m->mmsi)
        jw_uint(&w, m->mmsi);
    else
        jw_null(&w);
    jw_kbool(&w, "transponder", m->kind == SIM_AIRCRAFT && s->transponder);
    jw_kbool(&w, "adsb", m->kind == SIM_AIRCRAFT && s->transponder && s->adsb);
    jw_kbool(&w, "ais", m->kind == SIM_VESSEL && s->ais);
    jw_end(&w);
    if (w.err || dbuf_addc(&o->jb, '\n'))
        return CAIRN_E_NOMEM;
    wr(o, o->truth, o->jb.p, o->jb.len);
    return 0;
}

struct sim_out *sim_out_open(const char *dir, unsigned formats, const struct sim_scenario *sc,
                             int64_t start_ms)
{
    struct sim_out *o = calloc(1, sizeof *o);
    if (!o)
        return NULL;
    dbuf_init(&o->jb, 4096);
    o->start_ms = start_ms;
    o->counter0 =
        sc->has_beast_counter ? sc->beast_counter_start : (uint64_t)(start_ms % 86400000) * 12000u;
    struct {
        unsigned bit;
        const char *name;
        FILE **f;
    } files[] = {
        {SIM_OUT_RADAR, "radar.pcap", &o->pcap}, {SIM_OUT_BEAST, "adsb.beast", &o->beast},
        {SIM_OUT_AVR, "adsb.avr", &o->avr},      {SIM_OUT_SBS, "adsb.sbs", &o->sbs},
        {SIM_OUT_AIS, "ais.nmea", &o->ais},      {SIM_OUT_TRUTH, "truth.jsonl", &o->truth},
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        if (!(formats & files[i].bit))
            continue;
        if (!(*files[i].f = open_in(dir, files[i].name))) {
            int e = errno;
            sim_out_close(o);
            errno = e;
            return NULL;
        }
        /* big buffers: the writers make many small writes */
        setvbuf(*files[i].f, NULL, _IOFBF, 1 << 16);
    }
    if (o->pcap) {
        uint8_t gh[24] = {0};
        le32(gh, 0xa1b2c3d4);
        gh[4] = 2; /* version 2.4, little-endian 16-bit fields */
        gh[6] = 4;
        le32(gh + 16, 65535); /* snaplen */
        le32(gh + 20, 1);     /* LINKTYPE_ETHERNET */
        wr(o, o->pcap, gh, sizeof gh);
    }
    return o;
}

void sim_out_sink(struct sim_out *o, struct sim_sink *sink)
{
    memset(sink, 0, sizeof *sink);
    sink->user = o;
    if (o->pcap)
        sink->radar = w_radar;
    if (o->beast || o->avr || o->sbs)
        sink->adsb = w_adsb;
    if (o->ais)
        sink->ais = w_ais;
    if (o->truth)
        sink->truth = w_truth;
}

uint64_t sim_out_bytes(const struct sim_out *o)
{
    return o->bytes;
}

int sim_out_close(struct sim_out *o)
{
    if (!o)
        return 0;
    int err = o->err;
    FILE *fs[] = {o->pcap, o->beast, o->avr, o->sbs, o->ais, o->truth};
    for (size_t i = 0; i < sizeof fs / sizeof fs[0]; i++)
        if (fs[i] && fclose(fs[i]) != 0)
            err = CAIRN_E_IO;
    dbuf_free(&o->jb);
    free(o);
    return err;
}
