/*
 * sensors.c — the sensors file (picture.h, docs/picture.md): INI text read
 * through inih (Debian libinih), checked as hostile input.
 *
 * inih is driven through ini_parse_stream with a reader of our own over the
 * caller's buffer rather than ini_parse_string: the reader counts lines (so
 * every error names its line, which inih's handler is not told in the
 * Debian build), refuses NUL and control bytes and over-long lines before
 * inih sees them (inih would cut a long line and read its tail as a line of
 * its own), and strips leading blanks (inih would take an indented line as
 * the continuation of the previous value). The handler takes one key at a
 * time, refuses what it does not know and remembers the first error; the
 * checks that need a whole section (required keys) run when the section
 * ends. Nothing here allocates; no global of inih's is changed.
 */
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "decode/asterix/report.h"
#include "geo/geo.h"
#include "picture/picture.h"

/* Defaults for what a radar section may leave out (docs/picture.md). The
 * accuracies are the tracker's own defaults (track/adapter.c); 3,000 m
 * (about FL100) is the height assumed for a primary-only plot: the ground
 * range taken from a slant range of 50 km is then off by at most ~90 m for
 * a target anywhere between the surface and FL200. */
#define DEF_RANGE_SIGMA_M     60.0
#define DEF_AZIMUTH_SIGMA_DEG 0.08
#define DEF_ASSUMED_ALT_M     3000.0

/* What a section has been given. */
enum {
    K_SAC = 1u << 0,
    K_SIC = 1u << 1,
    K_LAT = 1u << 2,
    K_LON = 1u << 3,
    K_ALT = 1u << 4,
    K_PERIOD = 1u << 5,
    K_RSIG = 1u << 6,
    K_ASIG = 1u << 7,
    K_ASSUMED = 1u << 8,
};

struct key_def {
    const char *name;
    unsigned bit;
    unsigned types; /* 1u << enum pic_sensor_type */
    double lo, hi;  /* accepted range, inclusive */
};

#define T_RADAR (1u << PIC_SENSOR_RADAR)
#define T_RX    ((1u << PIC_SENSOR_ADSB) | (1u << PIC_SENSOR_AIS))
#define T_ALL   (T_RADAR | T_RX)

/* Ranges: heights from the Dead Sea shore to above the highest summit for
 * a site; a rotation period from 0.5 s (fast approach radars turn in 1 s)
 * to 60 s; accuracies from the best monoradars to useless. */
static const struct key_def keys[] = {
    {"sac", K_SAC, T_RADAR, 0, 255},
    {"sic", K_SIC, T_RADAR, 0, 255},
    {"lat", K_LAT, T_ALL, -90, 90},
    {"lon", K_LON, T_ALL, -180, 180},
    {"alt_m", K_ALT, T_ALL, -500, 9000},
    {"period_s", K_PERIOD, T_RADAR, 0.5, 60},
    {"range_sigma_m", K_RSIG, T_RADAR, 1, 5000},
    {"azimuth_sigma_deg", K_ASIG, T_RADAR, 0.001, 5},
    {"assumed_alt_m", K_ASSUMED, T_RADAR, -500, 25000},
};

struct parse {
    struct pic_sensors *out;
    const char *p, *end; /* what the reader has not given yet */
    unsigned line;       /* the line the reader gave last (1-based) */
    int rc;              /* first error, 0 while none */
    char *err;
    size_t errcap;
    char section[PIC_INI_LINE + 1]; /* the section inih reported last */
    unsigned hdr_pending;           /* line of a header no key has followed yet */
    unsigned cur_line;              /* line of the current sensor's header */
    unsigned given;                 /* K_* of the current sensor */
    struct pic_sensor *cur;         /* NULL before the first section */
};

static void fail(struct parse *ps, int rc, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void fail(struct parse *ps, int rc, unsigned line, const char *fmt, ...)
{
    if (ps->rc)
        return;
    ps->rc = rc;
    if (!ps->err || !ps->errcap)
        return;
    int n = snprintf(ps->err, ps->errcap, "line %u: ", line);
    if (n < 0 || (size_t)n >= ps->errcap)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ps->err + n, ps->errcap - (size_t)n, fmt, ap);
    va_end(ap);
}

/* A copy of text from the file fit to quote in a message: printable ASCII
 * only (others become '?'), at most 40 characters. */
static const char *quote(const char *s, char *buf, size_t cap)
{
    size_t i = 0;
    for (; s[i] && i + 1 < cap && i < 40; i++)
        buf[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
    buf[i] = 0;
    return buf;
}

static uint32_t fnv1a24(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++) {
        h ^= (uint8_t)*s;
        h *= 16777619u;
    }
    return (h ^ (h >> 24)) & 0xFFFFFFu; /* xor-folded to 24 bits */
}

static int name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= PIC_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
            return 0;
    return 1;
}

static const struct pic_sensor *find_name(const struct pic_sensors *s, const char *name,
                                          const struct pic_sensor *skip)
{
    for (size_t i = 0; i < s->n; i++)
        if (&s->s[i] != skip && !strcmp(s->s[i].name, name))
            return &s->s[i];
    return NULL;
}

/* The current section is over: required keys, ids unique. */
static void section_end(struct parse *ps)
{
    struct pic_sensor *c = ps->cur;
    if (!c || ps->rc)
        return;
    unsigned g = ps->given;
    if ((g & (K_LAT | K_LON)) && (g & (K_LAT | K_LON)) != (K_LAT | K_LON)) {
        fail(ps, CAIRN_E_FORMAT, ps->cur_line, "[%s]: lat and lon go together", ps->section);
        return;
    }
    c->has_pos = (g & K_LAT) != 0;
    if (c->type == PIC_SENSOR_RADAR) {
        static const struct {
            unsigned bit;
            const char *name;
        } req[] = {
            {K_SAC, "sac"}, {K_SIC, "sic"}, {K_LAT, "lat"}, {K_LON, "lon"}, {K_PERIOD, "period_s"}};
        for (size_t i = 0; i < sizeof req / sizeof req[0]; i++)
            if (!(g & req[i].bit)) {
                fail(ps, CAIRN_E_FORMAT, ps->cur_line, "[%s]: %s is required for a radar",
                     ps->section, req[i].name);
                return;
            }
        c->id = (uint32_t)c->sac << 8 | c->sic;
    } else {
        c->id = (c->type == PIC_SENSOR_ADSB ? PIC_ID_ADSB : PIC_ID_AIS) | fnv1a24(c->name);
    }
    const struct pic_sensors *s = ps->out;
    for (size_t i = 0; i < s->n; i++) {
        const struct pic_sensor *o = &s->s[i];
        if (o == c || o->id != c->id)
            continue;
        if (c->type == PIC_SENSOR_RADAR)
            fail(ps, CAIRN_E_FORMAT, ps->cur_line, "[%s]: SAC %u / SIC %u is already radar %s",
                 ps->section, c->sac, c->sic, o->name);
        else
            fail(ps, CAIRN_E_FORMAT, ps->cur_line,
                 "[%s]: its name hashes to the id of %s: rename one", ps->section, o->name);
        return;
    }
}

/* A new section header, as inih reports it ("radar APP-NORTH"). */
static void section_begin(struct parse *ps, const char *section)
{
    section_end(ps);
    if (ps->rc)
        return;
    snprintf(ps->section, sizeof ps->section, "%s", section);
    ps->cur_line = ps->hdr_pending;
    ps->hdr_pending = 0;
    ps->given = 0;
    ps->cur = NULL;
    char q[48];
    const char *sp = strchr(section, ' ');
    size_t tlen = sp ? (size_t)(sp - section) : strlen(section);
    uint8_t type = 0;
    if (tlen == 5 && !memcmp(section, "radar", 5))
        type = PIC_SENSOR_RADAR;
    else if (tlen == 4 && !memcmp(section, "adsb", 4))
        type = PIC_SENSOR_ADSB;
    else if (tlen == 3 && !memcmp(section, "ais", 3))
        type = PIC_SENSOR_AIS;
    if (!type) {
        fail(ps, CAIRN_E_FORMAT, ps->cur_line,
             "unknown section [%s] (radar NAME, adsb NAME or ais NAME)",
             quote(section, q, sizeof q));
        return;
    }
    const char *name = sp ? sp + 1 : "";
    while (*name == ' ')
        name++;
    if (!name_ok(name)) {
        fail(ps, CAIRN_E_FORMAT, ps->cur_line,
             "[%s]: a sensor name is 1 to %d of A-Z a-z 0-9 . _ -", quote(section, q, sizeof q),
             PIC_NAME_MAX - 1);
        return;
    }
    if (find_name(ps->out, name, NULL)) {
        fail(ps, CAIRN_E_FORMAT, ps->cur_line, "sensor %s is named twice", name);
        return;
    }
    if (ps->out->n >= PIC_MAX_SENSORS) {
        fail(ps, CAIRN_E_TOOBIG, ps->cur_line, "more than %d sensors", PIC_MAX_SENSORS);
        return;
    }
    struct pic_sensor *c = &ps->out->s[ps->out->n++];
    memset(c, 0, sizeof *c);
    snprintf(c->name, sizeof c->name, "%s", name);
    c->type = type;
    c->range_sigma_m = DEF_RANGE_SIGMA_M;
    c->azimuth_sigma_deg = DEF_AZIMUTH_SIGMA_DEG;
    c->assumed_alt_m = DEF_ASSUMED_ALT_M;
    ps->cur = c;
}

/* A number, whole value only: no trailing text, finite. */
static int parse_num(const char *v, double *out)
{
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    if (end == v || errno == ERANGE || !isfinite(x))
        return -1;
    while (*end == ' ' || *end == '\t')
        end++;
    if (*end)
        return -1;
    *out = x;
    return 0;
}

static int on_key(void *user, const char *section, const char *name, const char *value)
{
    struct parse *ps = user;
    if (ps->rc)
        return 0;
    if (!ps->hdr_pending && !ps->cur) {
        fail(ps, CAIRN_E_FORMAT, ps->line, "a key before the first [section]");
        return 0;
    }
    if (ps->hdr_pending)
        section_begin(ps, section);
    if (ps->rc)
        return 0;
    struct pic_sensor *c = ps->cur;
    char q[48];
    const struct key_def *k = NULL;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (!strcmp(keys[i].name, name))
            k = &keys[i];
    if (!k || !(k->types & (1u << c->type))) {
        fail(ps, CAIRN_E_FORMAT, ps->line, "[%s]: unknown key '%s'", ps->section,
             quote(name, q, sizeof q));
        return 0;
    }
    if (ps->given & k->bit) {
        fail(ps, CAIRN_E_FORMAT, ps->line, "[%s]: %s given twice", ps->section, k->name);
        return 0;
    }
    double x;
    if (parse_num(value, &x) != 0) {
        fail(ps, CAIRN_E_FORMAT, ps->line, "[%s]: %s wants a number, not '%s'", ps->section,
             k->name, quote(value, q, sizeof q));
        return 0;
    }
    if (x < k->lo || x > k->hi || ((k->bit & (K_SAC | K_SIC)) && x != floor(x))) {
        fail(ps, CAIRN_E_RANGE, ps->line, "[%s]: %s = %s is outside %g..%g%s", ps->section, k->name,
             quote(value, q, sizeof q), k->lo, k->hi,
             (k->bit & (K_SAC | K_SIC)) ? " (a whole number)" : "");
        return 0;
    }
    ps->given |= k->bit;
    switch (k->bit) {
    case K_SAC:
        c->sac = (uint8_t)x;
        break;
    case K_SIC:
        c->sic = (uint8_t)x;
        break;
    case K_LAT:
        c->lat_deg = x;
        break;
    case K_LON:
        c->lon_deg = x;
        break;
    case K_ALT:
        c->alt_m = x;
        break;
    case K_PERIOD:
        c->period_s = x;
        break;
    case K_RSIG:
        c->range_sigma_m = x;
        break;
    case K_ASIG:
        c->azimuth_sigma_deg = x;
        break;
    default:
        c->assumed_alt_m = x;
        break;
    }
    return 1;
}

/* inih's reader: the next line of the buffer into str[0..num), checked. */
static char *next_line(char *str, int num, void *stream)
{
    struct parse *ps = stream;
    if (ps->rc || ps->p >= ps->end)
        return NULL;
    const char *nl = memchr(ps->p, '\n', (size_t)(ps->end - ps->p));
    const char *stop = nl ? nl : ps->end;
    ps->line++;
    const char *s = ps->p;
    ps->p = nl ? nl + 1 : ps->end;
    size_t n = (size_t)(stop - s);
    if (n && s[n - 1] == '\r')
        n--;
    if (ps->line == 1 && n >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3)) { /* a UTF-8 BOM */
        s += 3;
        n -= 3;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if ((ch < 0x20 && ch != '\t') || ch == 0x7f) {
            fail(ps, CAIRN_E_FORMAT, ps->line, "control character 0x%02x", ch);
            return NULL;
        }
    }
    if (n > PIC_INI_LINE || (size_t)num < PIC_INI_LINE + 3) {
        fail(ps, CAIRN_E_TOOBIG, ps->line, "longer than %d characters", PIC_INI_LINE);
        return NULL;
    }
    while (n && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    if (n && *s == '[') {
        /* inih reports a section only with its first key: a header that
         * another header follows had none */
        if (ps->hdr_pending) {
            fail(ps, CAIRN_E_FORMAT, ps->hdr_pending, "a section with no keys");
            return NULL;
        }
        if (!memchr(s, ']', n)) {
            fail(ps, CAIRN_E_FORMAT, ps->line, "a section header without its ']'");
            return NULL;
        }
        ps->hdr_pending = ps->line;
    }
    memcpy(str, s, n);
    str[n] = '\n';
    str[n + 1] = 0;
    return str;
}

int pic_sensors_parse(const char *buf, size_t len, struct pic_sensors *out, char *err,
                      size_t errcap)
{
    if (err && errcap)
        err[0] = 0;
    if (!out || (!buf && len))
        return CAIRN_E_INVAL;
    memset(out, 0, sizeof *out);
    struct parse ps;
    memset(&ps, 0, sizeof ps);
    ps.out = out;
    ps.p = buf;
    ps.end = buf + len;
    ps.err = err;
    ps.errcap = errcap;
    if (len > PIC_INI_MAX) {
        fail(&ps, CAIRN_E_TOOBIG, 1, "the file is larger than %d bytes", PIC_INI_MAX);
        return ps.rc;
    }
    int r = ini_parse_stream(next_line, &ps, on_key, &ps);
    if (!ps.rc && r > 0)
        fail(&ps, CAIRN_E_FORMAT, (unsigned)r,
             "not a [section] header nor a key = value line (or a section header not closed)");
    else if (!ps.rc && r < 0)
        fail(&ps, CAIRN_E_NOMEM, 1, "inih could not allocate");
    if (!ps.rc && ps.hdr_pending)
        fail(&ps, CAIRN_E_FORMAT, ps.hdr_pending, "a section with no keys");
    section_end(&ps);
    if (ps.rc)
        memset(out, 0, sizeof *out);
    return ps.rc;
}

const struct pic_sensor *pic_sensors_find(const struct pic_sensors *s, uint32_t id)
{
    for (size_t i = 0; s && i < s->n; i++)
        if (s->s[i].id == id)
            return &s->s[i];
    return NULL;
}

const struct pic_sensor *pic_sensors_first(const struct pic_sensors *s, uint8_t type)
{
    for (size_t i = 0; s && i < s->n; i++)
        if (s->s[i].type == type)
            return &s->s[i];
    return NULL;
}

const struct pic_sensor *pic_sensors_by_name(const struct pic_sensors *s, const char *name)
{
    return s && name ? find_name(s, name, NULL) : NULL;
}

int pic_sensors_add(struct pic_sensors *s, uint8_t type, const char *name)
{
    if (!s || !name || !name_ok(name) || (type != PIC_SENSOR_ADSB && type != PIC_SENSOR_AIS))
        return CAIRN_E_INVAL;
    if (find_name(s, name, NULL))
        return CAIRN_E_EXISTS;
    uint32_t id = (type == PIC_SENSOR_ADSB ? PIC_ID_ADSB : PIC_ID_AIS) | fnv1a24(name);
    if (pic_sensors_find(s, id))
        return CAIRN_E_EXISTS;
    if (s->n >= PIC_MAX_SENSORS)
        return CAIRN_E_FULL;
    struct pic_sensor *c = &s->s[s->n++];
    memset(c, 0, sizeof *c);
    snprintf(c->name, sizeof c->name, "%s", name);
    c->type = type;
    c->id = id;
    return 0;
}

size_t pic_sensors_ax_table(const struct pic_sensors *s, struct ax_sensor *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; s && i < s->n; i++) {
        const struct pic_sensor *c = &s->s[i];
        if (c->type != PIC_SENSOR_RADAR)
            continue;
        if (n < cap) {
            struct ax_sensor *a = &out[n];
            memset(a, 0, sizeof *a);
            a->sac = c->sac;
            a->sic = c->sic;
            a->id = c->id;
            a->has_site = 1;
            struct geo_llh o = {c->lat_deg, c->lon_deg, c->alt_m};
            geo_frame_init(&a->site, &o);
            a->range_sigma_m = (float)c->range_sigma_m;
            a->azimuth_sigma_deg = (float)c->azimuth_sigma_deg;
            a->has_assumed_h = 1;
            a->assumed_h_m = c->assumed_alt_m;
        }
        n++;
    }
    return n;
}

double pic_sensors_lon_ref(const struct pic_sensors *s)
{
    /* The mean of the longitudes as unit vectors (the circular mean): 170 E
     * and 170 W give 180, where their arithmetic mean gives 0. */
    const double k = 3.14159265358979323846 / 180.0;
    double sx = 0.0, sy = 0.0;
    size_t n = 0;
    for (size_t i = 0; s && i < s->n; i++) {
        const struct pic_sensor *c = &s->s[i];
        if (!c->has_pos)
            continue;
        sx += cos(c->lon_deg * k);
        sy += sin(c->lon_deg * k);
        n++;
    }
    /* none, or spread round the globe so evenly that their vectors cancel
     * (a mean that says nothing): no shift */
    if (n == 0 || hypot(sx, sy) < 1e-6 * (double)n)
        return 0.0;
    double m = round(atan2(sy, sx) / k);
    return m <= -180.0 ? m + 360.0 : m;
}
