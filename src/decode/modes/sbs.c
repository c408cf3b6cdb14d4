/*
 * sbs.c — BaseStation CSV line parser (see sbs.h).
 *
 * The stream part only cuts lines (LF-terminated, over-long lines skipped
 * up to their LF); sbs_parse_line() splits a line at commas and checks and
 * converts each field it knows. A field that is present but malformed makes
 * the whole line bad: a feed that garbles one field cannot be trusted for
 * the others.
 */
#include "decode/modes/sbs.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/hex.h"
#include "decode/report.h"

#define SBS_FIELDS 22 /* fields of a full MSG line (f0..f21) */
#define NUM_MAX    31 /* longest numeric field we accept, characters */

struct field {
    const char *s;
    size_t n;
};

void sbs_parser_init(struct sbs_parser *p)
{
    memset(p, 0, sizeof *p);
}

/* Copy a field into a NUL-terminated buffer; 0, or -1 when empty or too long. */
static int field_cstr(struct field f, char *buf)
{
    if (f.n == 0 || f.n > NUM_MAX)
        return -1;
    memcpy(buf, f.s, f.n);
    buf[f.n] = 0;
    return 0;
}

static int parse_double(struct field f, double *out)
{
    char buf[NUM_MAX + 1];
    if (field_cstr(f, buf) != 0)
        return -1;
    char *end;
    double v = strtod(buf, &end);
    if (end != buf + f.n || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

static int parse_long(struct field f, long lo, long hi, long *out)
{
    char buf[NUM_MAX + 1];
    if (field_cstr(f, buf) != 0)
        return -1;
    char *end;
    long v = strtol(buf, &end, 10);
    if (end != buf + f.n || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* A fixed-width run of decimal digits at s. */
static int digits(const char *s, size_t n, int *out)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil algorithm; eras of 400 years, March-based years). */
static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* "2018/04/03" and "19:02:28.136" (fraction optional, up to 3 digits) → Unix ms. */
static int parse_time(struct field date, struct field tod, int64_t *out_ms)
{
    int y, mo, d, h, mi, s, frac = 0;
    if (date.n != 10 || date.s[4] != '/' || date.s[7] != '/')
        return -1;
    if (digits(date.s, 4, &y) || digits(date.s + 5, 2, &mo) || digits(date.s + 8, 2, &d))
        return -1;
    if (tod.n < 8 || tod.s[2] != ':' || tod.s[5] != ':')
        return -1;
    if (digits(tod.s, 2, &h) || digits(tod.s + 3, 2, &mi) || digits(tod.s + 6, 2, &s))
        return -1;
    if (tod.n > 8) {
        size_t fn = tod.n - 9;
        if (tod.s[8] != '.' || fn < 1 || fn > 3 || digits(tod.s + 9, fn, &frac))
            return -1;
        for (size_t i = fn; i < 3; i++)
            frac *= 10;
    }
    /* 60 s allows a leap second. */
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
        return -1;
    *out_ms = ((days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * 60000 + (int64_t)s * 1000 + frac;
    return 0;
}

/* 0 false, -1 or 1 true (BaseStation writes -1), empty absent. */
static int parse_flag(struct field f, uint32_t bit, uint32_t *has, uint8_t *out)
{
    if (f.n == 0)
        return 0;
    if (f.n == 1 && f.s[0] == '0')
        *out = 0;
    else if ((f.n == 1 && f.s[0] == '1') || (f.n == 2 && f.s[0] == '-' && f.s[1] == '1'))
        *out = 1;
    else
        return -1;
    *has |= bit;
    return 0;
}

static int field_is(struct field f, const char *s)
{
    return f.n == strlen(s) && !memcmp(f.s, s, f.n);
}

static int parse_msg(const struct field *fl, struct sbs_msg *m)
{
    long v;
    /* f1: transmission type */
    if (parse_long(fl[1], 1, 8, &v) != 0)
        return -1;
    m->tx_type = (uint8_t)v;
    /* f4: address, 1-6 hex digits, optionally '~'-prefixed */
    struct field a = fl[4];
    if (a.n && a.s[0] == '~') {
        m->non_icao = 1;
        a.s++;
        a.n--;
    }
    if (a.n < 1 || a.n > 6)
        return -1;
    for (size_t i = 0; i < a.n; i++) {
        int dgt = hex_digit((unsigned char)a.s[i]);
        if (dgt < 0)
            return -1;
        m->icao = (m->icao << 4) | (uint32_t)dgt;
    }
    /* f6, f7: generated date and time (optional) */
    if (fl[6].n || fl[7].n) {
        if (parse_time(fl[6], fl[7], &m->t_gen_ms) != 0)
            return -1;
        m->has |= SBS_HAS_TIME;
    }
    /* f10: callsign, up to 8 characters, trailing blanks dropped */
    struct field cs = fl[10];
    while (cs.n && cs.s[cs.n - 1] == ' ')
        cs.n--;
    if (cs.n) {
        if (cs.n > 8)
            return -1;
        for (size_t i = 0; i < cs.n; i++)
            if ((unsigned char)cs.s[i] < 0x20 || (unsigned char)cs.s[i] > 0x7e)
                return -1;
        memcpy(m->callsign, cs.s, cs.n);
        m->callsign[cs.n] = 0;
        m->has |= SBS_HAS_CALLSIGN;
    }
    /* f11: altitude, ft (-1,500 to 130,000 covers every Mode S code) */
    if (fl[11].n) {
        if (parse_long(fl[11], -2000, 200000, &v) != 0)
            return -1;
        m->alt_ft = (int32_t)v;
        m->has |= SBS_HAS_ALT;
    }
    double d;
    /* f12: ground speed, kt (DO-260B tops out at 1,023 kt; allow supersonic 4,096) */
    if (fl[12].n) {
        if (parse_double(fl[12], &d) != 0 || d < 0 || d > 4096)
            return -1;
        m->gs_kt = (float)d;
        m->has |= SBS_HAS_GS;
    }
    /* f13: track, degrees (some writers use -180..180) */
    if (fl[13].n) {
        if (parse_double(fl[13], &d) != 0 || d < -360 || d > 360)
            return -1;
        m->track_deg = (float)d;
        m->has |= SBS_HAS_TRACK;
    }
    /* f14, f15: position, both or neither */
    if (fl[14].n || fl[15].n) {
        if (parse_double(fl[14], &m->lat_deg) != 0 || parse_double(fl[15], &m->lon_deg) != 0)
            return -1;
        if (fabs(m->lat_deg) > 90 || fabs(m->lon_deg) > 180)
            return -1;
        m->has |= SBS_HAS_POS;
    }
    /* f16: vertical rate, ft/min (the ADS-B field saturates at 32,608) */
    if (fl[16].n) {
        if (parse_long(fl[16], -65536, 65536, &v) != 0)
            return -1;
        m->vrate_fpm = (int32_t)v;
        m->has |= SBS_HAS_VRATE;
    }
    /* f17: squawk, 1-4 octal digits */
    if (fl[17].n) {
        if (fl[17].n > 4)
            return -1;
        unsigned sq = 0;
        for (size_t i = 0; i < fl[17].n; i++) {
            char c = fl[17].s[i];
            if (c < '0' || c > '7')
                return -1;
            sq = sq * 8 + (unsigned)(c - '0');
        }
        m->squawk = (uint16_t)sq;
        m->has |= SBS_HAS_SQUAWK;
    }
    if (parse_flag(fl[18], SBS_HAS_ALERT, &m->has, &m->alert) ||
        parse_flag(fl[19], SBS_HAS_EMERGENCY, &m->has, &m->emergency) ||
        parse_flag(fl[20], SBS_HAS_SPI, &m->has, &m->spi) ||
        parse_flag(fl[21], SBS_HAS_GROUND, &m->has, &m->on_ground))
        return -1;
    return 0;
}

int sbs_parse_line(const char *line, size_t n, struct sbs_msg *out)
{
    if (n && line[n - 1] == '\r')
        n--;
    struct field fl[SBS_FIELDS];
    memset(fl, 0, sizeof fl);
    size_t nf = 0, start = 0;
    for (size_t i = 0; i <= n && nf < SBS_FIELDS; i++) {
        if (i == n || line[i] == ',') {
            fl[nf].s = line + start;
            fl[nf].n = i - start;
            nf++;
            start = i + 1;
        }
    }
    /* Missing trailing fields stay empty (fl[k].s NULL, n 0); extra ones are ignored. */
    for (size_t k = nf; k < SBS_FIELDS; k++)
        fl[k].s = line + n;
    static const char *const others[] = {"SEL", "ID", "AIR", "STA", "CLK"};
    if (!field_is(fl[0], "MSG")) {
        for (size_t k = 0; k < sizeof others / sizeof others[0]; k++)
            if (nf >= 2 && field_is(fl[0], others[k]))
                return 0;
        return CAIRN_E_FORMAT;
    }
    /* At least through the address and the generation time. */
    if (nf < 5)
        return CAIRN_E_FORMAT;
    memset(out, 0, sizeof *out);
    if (parse_msg(fl, out) != 0)
        return CAIRN_E_FORMAT;
    return 1;
}

/* Classify a complete line; 1 with *out filled for a MSG. */
static int end_line(struct sbs_parser *p, struct sbs_msg *out)
{
    size_t n = p->n;
    p->n = 0;
    if (n && p->line[n - 1] == '\r')
        n--;
    if (n == 0)
        return 0; /* blank line */
    int rc = sbs_parse_line(p->line, n, out);
    if (rc == 1)
        p->st.msgs++;
    else if (rc == 0)
        p->st.other++;
    else
        p->st.bad_lines++;
    return rc == 1;
}

ssize_t sbs_parse(struct sbs_parser *p, const uint8_t *buf, size_t len, struct sbs_msg *out)
{
    size_t i = 0;
    while (i < len) {
        const uint8_t *nl = memchr(buf + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - buf) : len;
        size_t chunk = end - i;
        if (!p->skipping) {
            if (p->n + chunk > SBS_MAX_LINE) {
                p->st.bad_lines++;
                p->skipping = 1;
                p->n = 0;
            } else {
                memcpy(p->line + p->n, buf + i, chunk);
                p->n = (uint16_t)(p->n + chunk);
            }
        }
        if (!nl) {
            i = len;
            break;
        }
        i = end + 1;
        if (p->skipping) {
            p->skipping = 0;
            p->n = 0;
            continue;
        }
        if (end_line(p, out)) {
            p->st.bytes += i;
            return (ssize_t)i;
        }
    }
    p->st.bytes += len;
    return CAIRN_E_NEEDMORE;
}

int sbs_finish(struct sbs_parser *p, struct sbs_msg *out)
{
    if (p->skipping) {
        p->skipping = 0;
        p->n = 0;
        return 0;
    }
    return end_line(p, out);
}

unsigned sbs_msg_emergency(const struct sbs_msg *m)
{
    if (!(m->has & SBS_HAS_EMERGENCY) || !m->emergency)
        return EMERG_NONE;
    if ((m->has & SBS_HAS_SQUAWK) && m->squawk == 07500)
        return EMERG_UNLAWFUL;
    if ((m->has & SBS_HAS_SQUAWK) && m->squawk == 07600)
        return EMERG_NORDO;
    return EMERG_GENERAL;
}

int sbs_msg_to_report(const struct sbs_msg *m, struct report *r)
{
    uint32_t sensor = r->sensor_id;
    memset(r, 0, sizeof *r);
    r->sensor_id = sensor;
    if (!(m->has & SBS_HAS_TIME) || (m->non_icao && !(m->has & SBS_HAS_POS)))
        return CAIRN_E_INVAL;
    r->t_ms = m->t_gen_ms;
    r->sensor_kind = SENSOR_ADSB_RX;
    r->kind = m->tx_type >= 1 && m->tx_type <= 4 ? REP_ADSB : REP_MODES;
    if (!m->non_icao) {
        r->icao = m->icao & 0xFFFFFFu;
        r->has |= REP_HAS_ICAO;
    }
    if (m->has & SBS_HAS_CALLSIGN) {
        memcpy(r->callsign, m->callsign, sizeof r->callsign);
        r->callsign[sizeof r->callsign - 1] = 0;
        r->has |= REP_HAS_CALLSIGN;
    }
    if (m->has & SBS_HAS_ALT) {
        r->alt_baro_ft = m->alt_ft;
        r->has |= REP_HAS_ALT_BARO;
    }
    if (m->has & SBS_HAS_POS) {
        r->lat_deg = m->lat_deg;
        r->lon_deg = m->lon_deg;
        r->has |= REP_HAS_POS;
    }
    if (m->has & SBS_HAS_GS) {
        r->gs_kt = m->gs_kt;
        r->has |= REP_HAS_GS;
    }
    if (m->has & SBS_HAS_TRACK) {
        r->track_deg = m->track_deg;
        r->has |= REP_HAS_TRACK;
    }
    if (m->has & SBS_HAS_VRATE) {
        r->vrate_fpm = (float)m->vrate_fpm;
        r->has |= REP_HAS_VRATE;
    }
    if (m->has & SBS_HAS_SQUAWK) {
        r->squawk = m->squawk;
        r->has |= REP_HAS_SQUAWK;
    }
    if (m->has & SBS_HAS_EMERGENCY) {
        r->emergency = (uint8_t)sbs_msg_emergency(m);
        r->has |= REP_HAS_EMERGENCY;
    }
    if (m->has & SBS_HAS_GROUND) {
        r->on_ground = m->on_ground;
        r->has |= REP_HAS_GROUND;
    }
    return 0;
}
