/*
 * truth.c — the reader of `cairn sim`'s truth.jsonl (docs/sim.md "Truth",
 * written by w_truth in src/sim/out.c) and the interpolation of a mover's
 * state between its whole-second samples.
 *
 * The file is hostile: every line is bounded (EV_TRUTH_MAX_LINE), parsed by
 * jansson on its own, and each value checked for type and range; the first
 * problem stops the parse with "line N: what is wrong". Text from the file
 * (jansson's message quoting the input, an id) goes through clean(), which
 * keeps printable ASCII only, so nothing hostile reaches a terminal.
 * Movers are found by id through an open-addressing hash table.
 */
#include "eval/eval.h"

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/grow.h"

/* Times accepted: 1970 .. 2200, whole UTC seconds. */
#define T_MAX_S 7258118400LL

/* Copy s (at most 80 bytes of it) with anything but printable ASCII, '\\'
 * and '"' replaced by '?'. */
static void clean(char *out, size_t cap, const char *s)
{
    size_t i = 0;
    for (; s && *s && i + 1 < cap && i < 80; s++, i++) {
        unsigned char c = (unsigned char)*s;
        out[i] = (c >= 32 && c < 127 && c != '\\' && c != '"') ? (char)c : '?';
    }
    if (cap)
        out[i < cap ? i : cap - 1] = 0;
}

__attribute__((format(printf, 5, 6))) static int fail(char *err, size_t cap, int code, size_t line,
                                                      const char *fmt, ...)
{
    if (!err || !cap)
        return code;
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (line)
        snprintf(err, cap, "line %zu: %s", line, msg);
    else
        snprintf(err, cap, "%s", msg);
    return code;
}

/* ------------------------------------------------------------- mover index */

struct idx {
    uint32_t *slot; /* mover index + 1, 0 = empty */
    size_t mask;
};

static uint64_t hash_id(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static int idx_grow(struct idx *ix, const struct ev_truth *t)
{
    size_t ncap = ix->slot ? (ix->mask + 1) * 2 : 64;
    uint32_t *ns = calloc(ncap, sizeof *ns);
    if (!ns)
        return CAIRN_E_NOMEM;
    for (size_t i = 0; i < t->n_movers; i++) {
        size_t h = (size_t)hash_id(t->movers[i].id) & (ncap - 1);
        while (ns[h])
            h = (h + 1) & (ncap - 1);
        ns[h] = (uint32_t)(i + 1);
    }
    free(ix->slot);
    ix->slot = ns;
    ix->mask = ncap - 1;
    return 0;
}

/* The mover with this id, created when new. NULL: out of memory. *made set
 * when created. */
static struct ev_mover *mover_get(struct ev_truth *t, struct idx *ix, const char *id, int *made,
                                  int *err)
{
    *made = 0;
    size_t h = (size_t)hash_id(id) & ix->mask;
    while (ix->slot[h]) {
        struct ev_mover *m = &t->movers[ix->slot[h] - 1];
        if (!strcmp(m->id, id))
            return m;
        h = (h + 1) & ix->mask;
    }
    if (t->n_movers >= EV_TRUTH_MAX_MOVERS) {
        *err = CAIRN_E_TOOBIG;
        return NULL;
    }
    if (GROW_ARRAY(&t->movers, &t->movers_cap, t->n_movers + 1, 16)) {
        *err = CAIRN_E_NOMEM;
        return NULL;
    }
    struct ev_mover *m = &t->movers[t->n_movers];
    memset(m, 0, sizeof *m);
    snprintf(m->id, sizeof m->id, "%s", id);
    t->n_movers++;
    if (t->n_movers * 2 > ix->mask + 1) {
        if (idx_grow(ix, t)) {
            t->n_movers--;
            *err = CAIRN_E_NOMEM;
            return NULL;
        }
    } else {
        ix->slot[h] = (uint32_t)t->n_movers;
    }
    *made = 1;
    return m;
}

/* ------------------------------------------------------------------ fields */

static int get_num(json_t *o, const char *key, int required, double lo, double hi, double *out,
                   char *err, size_t cap, size_t line)
{
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v)) {
        if (required)
            return fail(err, cap, CAIRN_E_FORMAT, line, "%s: missing", key);
        *out = 0;
        return 0;
    }
    if (!json_is_number(v))
        return fail(err, cap, CAIRN_E_FORMAT, line, "%s: must be a number", key);
    double d = json_number_value(v);
    if (!isfinite(d) || d < lo || d > hi)
        return fail(err, cap, CAIRN_E_FORMAT, line, "%s: must be a number in %g..%g", key, lo, hi);
    *out = d;
    return 0;
}

static int get_bool(json_t *o, const char *key, int *out, char *err, size_t cap, size_t line)
{
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v)) {
        *out = 0;
        return 0;
    }
    if (!json_is_boolean(v))
        return fail(err, cap, CAIRN_E_FORMAT, line, "%s: must be true or false", key);
    *out = json_is_true(v);
    return 0;
}

/* A string of 1..maxlen characters, each accepted by ok(); NULL when null
 * or absent. */
static int get_str(json_t *o, const char *key, size_t maxlen, int (*ok)(int c), const char **out,
                   char *err, size_t cap, size_t line)
{
    json_t *v = json_object_get(o, key);
    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v))
        return fail(err, cap, CAIRN_E_FORMAT, line, "%s: must be a string or null", key);
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (n == 0 || n > maxlen || strlen(s) != n)
        return fail(err, cap, CAIRN_E_FORMAT, line, "%s: must have 1..%zu characters", key, maxlen);
    for (size_t i = 0; i < n; i++)
        if (!ok((unsigned char)s[i]))
            return fail(err, cap, CAIRN_E_FORMAT, line, "%s: character not allowed", key);
    *out = s;
    return 0;
}

static int ok_id(int c)
{
    return c > 32 && c < 127 && c != '"' && c != '\\';
}
static int ok_hex(int c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
}
static int ok_oct(int c)
{
    return c >= '0' && c <= '7';
}
static int ok_callsign(int c)
{
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ' ';
}

/* ------------------------------------------------------------------- lines */

struct pstate {
    struct ev_truth *t;
    struct idx ix;
    char *err;
    size_t cap;
};

static int parse_line(struct pstate *ps, const char *line, size_t n, size_t lineno)
{
    char *err = ps->err;
    size_t cap = ps->cap;
    json_error_t je;
    json_t *o = json_loadb(line, n, JSON_REJECT_DUPLICATES, &je);
    if (!o) {
        char msg[100];
        clean(msg, sizeof msg, je.text);
        return fail(err, cap, CAIRN_E_FORMAT, lineno, "not JSON: %s", msg);
    }
    int rc = 0;
    if (!json_is_object(o)) {
        rc = fail(err, cap, CAIRN_E_FORMAT, lineno, "not a JSON object");
        goto out;
    }
    json_t *jt = json_object_get(o, "t");
    if (!jt) {
        rc = fail(err, cap, CAIRN_E_FORMAT, lineno, "t: missing");
        goto out;
    }
    if (!json_is_integer(jt) || json_integer_value(jt) < 0 || json_integer_value(jt) > T_MAX_S) {
        rc = fail(err, cap, CAIRN_E_FORMAT, lineno, "t: must be whole UTC seconds in 0..%lld",
                  (long long)T_MAX_S);
        goto out;
    }
    int64_t t_s = (int64_t)json_integer_value(jt);
    const char *id, *kind, *icao, *squawk, *callsign;
    if ((rc = get_str(o, "id", EV_TRUTH_ID_LEN - 1, ok_id, &id, err, cap, lineno)))
        goto out;
    if (!id) {
        rc = fail(err, cap, CAIRN_E_FORMAT, lineno, "id: missing");
        goto out;
    }
    json_t *jk = json_object_get(o, "kind");
    kind = json_string_value(jk);
    if (!kind || (strcmp(kind, "aircraft") && strcmp(kind, "vessel"))) {
        rc = fail(err, cap, CAIRN_E_FORMAT, lineno, "kind: must be \"aircraft\" or \"vessel\"");
        goto out;
    }
    uint8_t k = !strcmp(kind, "vessel") ? EV_VESSEL : EV_AIRCRAFT;
    double lat, lon, alt, gs, trk, vr, mmsi_d = 0;
    if ((rc = get_num(o, "lat", 1, -90, 90, &lat, err, cap, lineno)) ||
        (rc = get_num(o, "lon", 1, -180, 180, &lon, err, cap, lineno)) ||
        (rc = get_num(o, "alt_ft", 0, -2000, 200000, &alt, err, cap, lineno)) ||
        (rc = get_num(o, "gs_kt", 0, 0, 5000, &gs, err, cap, lineno)) ||
        (rc = get_num(o, "track_deg", 0, 0, 360, &trk, err, cap, lineno)) ||
        (rc = get_num(o, "vrate_fpm", 0, -100000, 100000, &vr, err, cap, lineno)))
        goto out;
    if ((rc = get_str(o, "icao", 6, ok_hex, &icao, err, cap, lineno)) ||
        (rc = get_str(o, "squawk", 4, ok_oct, &squawk, err, cap, lineno)) ||
        (rc = get_str(o, "callsign", 8, ok_callsign, &callsign, err, cap, lineno)))
        goto out;
    if ((icao && strlen(icao) != 6) || (squawk && strlen(squawk) != 4)) {
        rc = fail(err, cap, CAIRN_E_FORMAT, lineno,
                  icao && strlen(icao) != 6 ? "icao: must be 6 hex digits"
                                            : "squawk: must be 4 octal digits");
        goto out;
    }
    json_t *jm = json_object_get(o, "mmsi");
    if (jm && !json_is_null(jm)) {
        if (!json_is_integer(jm) || json_integer_value(jm) < 1 ||
            json_integer_value(jm) > 999999999) {
            rc = fail(err, cap, CAIRN_E_FORMAT, lineno, "mmsi: must be an integer in 1..999999999");
            goto out;
        }
        mmsi_d = (double)json_integer_value(jm);
    }
    int xpdr, adsb, ais;
    if ((rc = get_bool(o, "transponder", &xpdr, err, cap, lineno)) ||
        (rc = get_bool(o, "adsb", &adsb, err, cap, lineno)) ||
        (rc = get_bool(o, "ais", &ais, err, cap, lineno)))
        goto out;

    uint32_t icao_v = icao ? (uint32_t)strtoul(icao, NULL, 16) : 0;
    uint32_t mmsi_v = (uint32_t)mmsi_d;
    int made = 0, merr = 0;
    struct ev_mover *m = mover_get(ps->t, &ps->ix, id, &made, &merr);
    if (!m) {
        rc = merr == CAIRN_E_TOOBIG ? fail(err, cap, CAIRN_E_TOOBIG, lineno, "more than %d movers",
                                           EV_TRUTH_MAX_MOVERS)
                                    : fail(err, cap, CAIRN_E_NOMEM, lineno, "out of memory");
        goto out;
    }
    char cid[EV_TRUTH_ID_LEN];
    clean(cid, sizeof cid, id);
    if (made) {
        m->kind = k;
        m->icao = icao_v;
        m->mmsi = mmsi_v;
        snprintf(m->callsign, sizeof m->callsign, "%s", callsign ? callsign : "");
    } else {
        if (m->kind != k || m->icao != icao_v || m->mmsi != mmsi_v) {
            rc = fail(err, cap, CAIRN_E_FORMAT, lineno,
                      "mover %s: kind, icao or mmsi differs from its first line", cid);
            goto out;
        }
        if (!m->callsign[0] && callsign)
            snprintf(m->callsign, sizeof m->callsign, "%s", callsign);
        if (t_s <= m->s[m->n - 1].t_s) {
            rc = fail(err, cap, CAIRN_E_FORMAT, lineno, "mover %s: t not after its previous line",
                      cid);
            goto out;
        }
    }
    if (ps->t->n_samples >= EV_TRUTH_MAX_SAMPLES) {
        rc = fail(err, cap, CAIRN_E_TOOBIG, lineno, "more than %d samples", EV_TRUTH_MAX_SAMPLES);
        goto out;
    }
    if (GROW_ARRAY(&m->s, &m->cap, m->n + 1, 64)) {
        rc = fail(err, cap, CAIRN_E_NOMEM, lineno, "out of memory");
        goto out;
    }
    struct ev_sample *s = &m->s[m->n++];
    memset(s, 0, sizeof *s);
    s->t_s = t_s;
    s->lat_deg = lat;
    s->lon_deg = lon;
    s->alt_ft = (float)alt;
    s->gs_kt = (float)gs;
    s->track_deg = (float)trk;
    s->vrate_fpm = (float)vr;
    if (squawk) {
        s->squawk = (uint16_t)strtoul(squawk, NULL, 8);
        s->flags |= EV_S_SQUAWK;
    }
    /* as w_truth writes them: ADS-B needs the transponder; a vessel has none */
    if (k == EV_AIRCRAFT && xpdr)
        s->flags |= EV_S_TRANSPONDER;
    if (k == EV_AIRCRAFT && xpdr && adsb)
        s->flags |= EV_S_ADSB;
    if (k == EV_VESSEL && ais)
        s->flags |= EV_S_AIS;
    ps->t->n_samples++;
    if (ps->t->n_samples == 1 || t_s < ps->t->t_first_s)
        ps->t->t_first_s = t_s;
    if (ps->t->n_samples == 1 || t_s > ps->t->t_last_s)
        ps->t->t_last_s = t_s;
out:
    json_decref(o);
    return rc;
}

int ev_truth_parse(const char *buf, size_t len, struct ev_truth **out, char *err, size_t errcap)
{
    if (err && errcap)
        err[0] = 0;
    if (!out || (!buf && len))
        return fail(err, errcap, CAIRN_E_INVAL, 0, "no input");
    *out = NULL;
    struct ev_truth *t = calloc(1, sizeof *t);
    if (!t)
        return fail(err, errcap, CAIRN_E_NOMEM, 0, "out of memory");
    struct pstate ps = {t, {NULL, 0}, err, errcap};
    int rc = idx_grow(&ps.ix, t);
    if (rc) {
        free(t);
        return fail(err, errcap, CAIRN_E_NOMEM, 0, "out of memory");
    }
    size_t lineno = 0;
    const char *p = buf, *end = buf + len;
    while (p < end) {
        lineno++;
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (n > EV_TRUTH_MAX_LINE) {
            rc = fail(err, errcap, CAIRN_E_TOOBIG, lineno, "longer than %d bytes",
                      EV_TRUTH_MAX_LINE);
            break;
        }
        size_t m = n;
        if (m && p[m - 1] == '\r')
            m--;
        size_t k = 0;
        while (k < m && (p[k] == ' ' || p[k] == '\t'))
            k++;
        if (k < m && (rc = parse_line(&ps, p, m, lineno)))
            break;
        p += n + (nl ? 1 : 0);
    }
    free(ps.ix.slot);
    if (rc) {
        ev_truth_free(t);
        return rc;
    }
    *out = t;
    return 0;
}

void ev_truth_free(struct ev_truth *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n_movers; i++)
        free(t->movers[i].s);
    free(t->movers);
    free(t);
}

/* ----------------------------------------------------------- interpolation */

/* WGS-84 radii of curvature (m) at a latitude: meridian M, prime vertical N. */
static void radii(double lat_deg, double *m, double *n)
{
    const double a = 6378137.0, e2 = 6.69437999014e-3;
    double s = sin(lat_deg * M_PI / 180.0);
    double w = sqrt(1.0 - e2 * s * s);
    *m = a * (1.0 - e2) / (w * w * w);
    *n = a / w;
}

int ev_truth_at(const struct ev_mover *m, int64_t t_ms, struct ev_sample *out)
{
    if (!m->n || t_ms < m->s[0].t_s * 1000 || t_ms >= (m->s[m->n - 1].t_s + 1) * 1000)
        return 0;
    /* the last sample at or before t_ms */
    size_t lo = 0, hi = m->n;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->s[mid].t_s * 1000 <= t_ms)
            lo = mid;
        else
            hi = mid;
    }
    const struct ev_sample *a = &m->s[lo];
    *out = *a;
    int64_t dt_ms = t_ms - a->t_s * 1000;
    if (dt_ms == 0)
        return 1;
    if (dt_ms >= 1000)
        return 0; /* a gap in the truth: the mover is absent between its samples */
    double f = (double)dt_ms / 1000.0;
    if (lo + 1 < m->n && m->s[lo + 1].t_s == a->t_s + 1) {
        const struct ev_sample *b = &m->s[lo + 1];
        double dlon = b->lon_deg - a->lon_deg;
        if (dlon > 180)
            dlon -= 360;
        else if (dlon < -180)
            dlon += 360;
        out->lat_deg = a->lat_deg + f * (b->lat_deg - a->lat_deg);
        out->lon_deg = a->lon_deg + f * dlon;
        out->alt_ft = (float)(a->alt_ft + f * (b->alt_ft - a->alt_ft));
    } else {
        /* the mover's last second: speed, track and rate are held through it */
        double rm, rn, tr = a->track_deg * M_PI / 180.0;
        double d = a->gs_kt * 1852.0 / 3600.0 * f;
        radii(a->lat_deg, &rm, &rn);
        double c = cos(a->lat_deg * M_PI / 180.0);
        out->lat_deg = a->lat_deg + d * cos(tr) / rm * 180.0 / M_PI;
        out->lon_deg = a->lon_deg + (c > 1e-6 ? d * sin(tr) / (rn * c) * 180.0 / M_PI : 0.0);
        out->alt_ft = (float)(a->alt_ft + a->vrate_fpm * f / 60.0);
    }
    if (out->lon_deg > 180)
        out->lon_deg -= 360;
    else if (out->lon_deg <= -180)
        out->lon_deg += 360;
    if (out->lat_deg > 90)
        out->lat_deg = 90;
    else if (out->lat_deg < -90)
        out->lat_deg = -90;
    return 1;
}
