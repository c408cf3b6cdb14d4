/*
 * scenario.c — strict JSON scenario reader (jansson) and the `load`
 * generator. Field reference: docs/sim.md "Scenario files".
 *
 * Every accessor takes the object, the key and the path of the object, and
 * on a problem writes "path.key: what is wrong" into the error buffer; the
 * first problem stops the parse. Text that came from the file (unknown key
 * names, jansson's message quoting the input) is passed through clean(),
 * which replaces anything but printable ASCII, so no byte of a hostile file
 * reaches a terminal unescaped.
 */
#include "sim/scenario.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/error.h"
#include "sim/rng.h"

struct pctx {
    char *err;
    size_t cap;
    int failed;
};

/* Copy s (at most 60 bytes of it) with anything but printable ASCII, '\\'
 * and '"' replaced by '?'. */
static void clean(char *out, size_t cap, const char *s)
{
    size_t i = 0;
    for (; s && *s && i + 1 < cap && i < 60; s++, i++) {
        unsigned char c = (unsigned char)*s;
        out[i] = (c >= 32 && c < 127 && c != '\\' && c != '"') ? (char)c : '?';
    }
    out[i] = 0;
}

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static int
fail(struct pctx *c, const char *path, const char *key, const char *fmt, ...)
{
    if (c->failed)
        return CAIRN_E_FORMAT;
    c->failed = 1;
    char msg[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (c->cap)
        snprintf(c->err, c->cap, "%s%s%s: %s", path, key && *key ? "." : "", key ? key : "", msg);
    return CAIRN_E_FORMAT;
}

/* Reject keys not in the NULL-terminated list. */
static int keys_only(struct pctx *c, json_t *o, const char *path, const char *const *allowed)
{
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        int ok = 0;
        for (const char *const *a = allowed; *a; a++)
            if (!strcmp(*a, k))
                ok = 1;
        if (!ok) {
            char kc[64];
            clean(kc, sizeof kc, k);
            return fail(c, path, kc, "unknown field");
        }
    }
    return 0;
}

/* A number in [min, max]; absent: *out = def, or an error when required. */
static int num(struct pctx *c, json_t *o, const char *path, const char *key, int required,
               double min, double max, double def, double *out)
{
    json_t *v = json_object_get(o, key);
    if (!v) {
        if (required)
            return fail(c, path, key, "missing (a number in %g..%g)", min, max);
        *out = def;
        return 0;
    }
    if (!json_is_number(v))
        return fail(c, path, key, "must be a number in %g..%g", min, max);
    double d = json_number_value(v);
    if (!isfinite(d) || d < min || d > max)
        return fail(c, path, key, "must be a number in %g..%g", min, max);
    *out = d;
    return 0;
}

static int has(json_t *o, const char *key)
{
    return json_object_get(o, key) != NULL;
}

static int boolean(struct pctx *c, json_t *o, const char *path, const char *key, int def,
                   uint8_t *out)
{
    json_t *v = json_object_get(o, key);
    if (!v) {
        *out = (uint8_t)def;
        return 0;
    }
    if (!json_is_boolean(v))
        return fail(c, path, key, "must be true or false");
    *out = json_is_true(v) ? 1 : 0;
    return 0;
}

/* A string of at most maxlen characters, each in `set` (NULL: printable
 * ASCII). Absent: "" (or an error when required). */
static int str(struct pctx *c, json_t *o, const char *path, const char *key, int required,
               size_t maxlen, const char *set, char *out)
{
    json_t *v = json_object_get(o, key);
    out[0] = 0;
    if (!v) {
        if (required)
            return fail(c, path, key, "missing (a string)");
        return 0;
    }
    if (!json_is_string(v))
        return fail(c, path, key, "must be a string");
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (n > maxlen)
        return fail(c, path, key, "longer than %zu characters", maxlen);
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (set ? !strchr(set, ch) || ch == 0 : (ch < 32 || ch > 126))
            return fail(c, path, key, "character %zu not allowed%s%s", i + 1,
                        set ? "; allowed: " : " (printable ASCII only)", set ? set : "");
    }
    memcpy(out, s, n);
    out[n] = 0;
    return 0;
}

#define UPPER_DIGITS_SPACE "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 "
#define ID_CHARS           "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."

static int squawk(struct pctx *c, json_t *o, const char *path, const char *key, int *has_out,
                  uint16_t *out)
{
    char s[8];
    if (!has(o, key)) {
        *has_out = 0;
        return 0;
    }
    if (str(c, o, path, key, 1, 4, "01234567", s) < 0)
        return CAIRN_E_FORMAT;
    if (strlen(s) != 4)
        return fail(c, path, key, "must be four octal digits, e.g. \"7600\"");
    *out = (uint16_t)strtoul(s, NULL, 8);
    *has_out = 1;
    return 0;
}

int sim_parse_utc(const char *s, int64_t *t_ms)
{
    int y, mo, d, h, mi;
    double sec;
    char z = 0;
    int n = 0;
    if (strlen(s) > 40 ||
        sscanf(s, "%4d-%2d-%2dT%2d:%2d:%lf%c%n", &y, &mo, &d, &h, &mi, &sec, &z, &n) != 7 ||
        z != 'Z' || s[n] != 0)
        return CAIRN_E_FORMAT;
    if (y < 1970 || y > 2200 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
        !(sec >= 0 && sec < 61))
        return CAIRN_E_FORMAT;
    /* days from civil (Howard Hinnant's algorithm, proleptic Gregorian) */
    int yy = y - (mo <= 2);
    int era = yy / 400;
    int yoe = yy - era * 400;
    int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = (int64_t)era * 146097 + doe - 719468;
    *t_ms = ((days * 24 + h) * 60 + mi) * 60000 + (int64_t)floor(sec * 1000 + 0.5);
    return 0;
}

static int parse_radar(struct pctx *c, json_t *o, const char *path, struct sim_radar *r)
{
    static const char *const k[] = {"id",
                                    "sac",
                                    "sic",
                                    "lat",
                                    "lon",
                                    "alt_m",
                                    "rotation_s",
                                    "psr_range_nm",
                                    "ssr_range_nm",
                                    "psr_pd",
                                    "ssr_miss",
                                    "range_sigma_m",
                                    "azimuth_sigma_deg",
                                    "start_azimuth_deg",
                                    NULL};
    if (!json_is_object(o))
        return fail(c, path, "", "must be an object");
    double sac, sic;
    if (keys_only(c, o, path, k) || str(c, o, path, "id", 1, SIM_ID_LEN - 1, ID_CHARS, r->id) ||
        num(c, o, path, "sac", 1, 0, 255, 0, &sac) || num(c, o, path, "sic", 1, 0, 255, 0, &sic) ||
        num(c, o, path, "lat", 1, -89, 89, 0, &r->lat_deg) ||
        num(c, o, path, "lon", 1, -180, 180, 0, &r->lon_deg) ||
        num(c, o, path, "alt_m", 0, -500, 9000, 0, &r->alt_m) ||
        num(c, o, path, "rotation_s", 1, 1, 60, 0, &r->rotation_s) ||
        num(c, o, path, "psr_range_nm", 0, 0, 255, 0, &r->psr_range_nm) ||
        num(c, o, path, "ssr_range_nm", 0, 0, 255, 0, &r->ssr_range_nm) ||
        num(c, o, path, "psr_pd", 0, 0, 1, 0.9, &r->psr_pd) ||
        num(c, o, path, "ssr_miss", 0, 0, 1, 0.01, &r->ssr_miss) ||
        num(c, o, path, "range_sigma_m", 0, 0, 2000, 50, &r->range_sigma_m) ||
        num(c, o, path, "azimuth_sigma_deg", 0, 0, 5, 0.08, &r->azimuth_sigma_deg) ||
        num(c, o, path, "start_azimuth_deg", 0, 0, 359.999, 0, &r->start_azimuth_deg))
        return CAIRN_E_FORMAT;
    if (r->psr_range_nm == 0 && r->ssr_range_nm == 0)
        return fail(c, path, "psr_range_nm", "a radar needs psr_range_nm or ssr_range_nm > 0");
    r->sac = (uint8_t)sac;
    r->sic = (uint8_t)sic;
    if (sac != floor(sac) || sic != floor(sic))
        return fail(c, path, "sac", "SAC and SIC must be whole numbers");
    return 0;
}

static int parse_receiver(struct pctx *c, json_t *o, const char *path, struct sim_receiver *r)
{
    static const char *const k[] = {"id", "lat", "lon", "range_nm", NULL};
    if (!json_is_object(o))
        return fail(c, path, "", "must be an object");
    if (keys_only(c, o, path, k) || str(c, o, path, "id", 1, SIM_ID_LEN - 1, ID_CHARS, r->id) ||
        num(c, o, path, "lat", 1, -89, 89, 0, &r->lat_deg) ||
        num(c, o, path, "lon", 1, -180, 180, 0, &r->lon_deg) ||
        num(c, o, path, "range_nm", 1, 0, 1000, 0, &r->range_nm))
        return CAIRN_E_FORMAT;
    return 0;
}

static int parse_waypoint(struct pctx *c, json_t *o, const char *path, int vessel,
                          struct sim_waypoint *w)
{
    static const char *const k[] = {"lat", "lon", "alt_ft", "gs_kt", "t", "vrate_fpm", NULL};
    if (!json_is_object(o))
        return fail(c, path, "", "must be an object");
    w->has_alt = has(o, "alt_ft");
    w->has_gs = has(o, "gs_kt");
    w->has_t = has(o, "t");
    w->has_vrate = has(o, "vrate_fpm");
    if (keys_only(c, o, path, k) || num(c, o, path, "lat", 1, -89, 89, 0, &w->lat_deg) ||
        num(c, o, path, "lon", 1, -180, 180, 0, &w->lon_deg) ||
        num(c, o, path, "alt_ft", 0, -1000, 60000, 0, &w->alt_ft) ||
        num(c, o, path, "gs_kt", 0, 0, vessel ? 60 : 1500, 0, &w->gs_kt) ||
        num(c, o, path, "t", 0, 0, SIM_MAX_DURATION_S, 0, &w->t_s) ||
        num(c, o, path, "vrate_fpm", 0, 1, 60000, 0, &w->vrate_fpm))
        return CAIRN_E_FORMAT;
    if (vessel && (w->has_alt || w->has_vrate))
        return fail(c, path, w->has_alt ? "alt_ft" : "vrate_fpm", "not allowed for a vessel");
    if (w->has_t && w->has_gs)
        return fail(c, path, "t", "give either t (arrival time) or gs_kt, not both");
    return 0;
}

static int parse_event(struct pctx *c, json_t *o, const char *path, int vessel, struct sim_event *e)
{
    static const char *const k[] = {"t", "squawk", "transponder", "adsb", "ais", NULL};
    if (!json_is_object(o))
        return fail(c, path, "", "must be an object");
    int sq = 0;
    if (keys_only(c, o, path, k) || num(c, o, path, "t", 1, 0, SIM_MAX_DURATION_S, 0, &e->t_s) ||
        squawk(c, o, path, "squawk", &sq, &e->squawk) ||
        boolean(c, o, path, "transponder", 0, &e->transponder) ||
        boolean(c, o, path, "adsb", 0, &e->adsb) || boolean(c, o, path, "ais", 0, &e->ais))
        return CAIRN_E_FORMAT;
    e->has_squawk = sq;
    e->has_transponder = has(o, "transponder");
    e->has_adsb = has(o, "adsb");
    e->has_ais = has(o, "ais");
    if (vessel && (e->has_squawk || e->has_transponder || e->has_adsb))
        return fail(c, path, "", "a vessel's events may only switch \"ais\"");
    if (!vessel && e->has_ais)
        return fail(c, path, "ais", "an aircraft has no AIS");
    if (!e->has_squawk && !e->has_transponder && !e->has_adsb && !e->has_ais)
        return fail(c, path, "", "an event must change squawk, transponder, adsb or ais");
    return 0;
}

static int parse_mover(struct pctx *c, json_t *o, const char *path, struct sim_mover *m)
{
    static const char *const k[] = {
        "id",         "kind",      "icao",        "squawk", "callsign",  "mmsi",      "shipname",
        "ship_type",  "ais_class", "transponder", "adsb",   "ais",       "start_s",   "end_s",
        "lat",        "lon",       "alt_ft",      "gs_kt",  "track_deg", "climb_fpm", "turn_dps",
        "accel_kt_s", "loop",      "waypoints",   "events", NULL};
    char kind[16], icao[8], cls[2];
    if (!json_is_object(o))
        return fail(c, path, "", "must be an object");
    if (keys_only(c, o, path, k) || str(c, o, path, "id", 1, SIM_ID_LEN - 1, ID_CHARS, m->id) ||
        str(c, o, path, "kind", 1, 15, NULL, kind))
        return CAIRN_E_FORMAT;
    if (!strcmp(kind, "aircraft"))
        m->kind = SIM_AIRCRAFT;
    else if (!strcmp(kind, "vessel"))
        m->kind = SIM_VESSEL;
    else
        return fail(c, path, "kind", "must be \"aircraft\" or \"vessel\"");
    int vessel = m->kind == SIM_VESSEL;
    static const char *const air_only[] = {"icao",   "squawk",    "transponder", "adsb",
                                           "alt_ft", "climb_fpm", NULL};
    static const char *const sea_only[] = {"mmsi",      "shipname", "ship_type",
                                           "ais_class", "ais",      NULL};
    for (const char *const *a = vessel ? air_only : sea_only; *a; a++)
        if (has(o, *a))
            return fail(c, path, *a, "not allowed for %s", vessel ? "a vessel" : "an aircraft");
    double mmsi = 0, st = 0, startdef = 0;
    if (str(c, o, path, "icao", 0, 6, "0123456789ABCDEFabcdef", icao) ||
        squawk(c, o, path, "squawk", &m->has_squawk, &m->squawk) ||
        str(c, o, path, "callsign", 0, vessel ? 7 : 8, UPPER_DIGITS_SPACE, m->callsign) ||
        num(c, o, path, "mmsi", 0, 0, 999999999, 0, &mmsi) ||
        str(c, o, path, "shipname", 0, 20, UPPER_DIGITS_SPACE "-.,'/", m->shipname) ||
        num(c, o, path, "ship_type", 0, 0, 99, vessel ? 70 : 0, &st) ||
        str(c, o, path, "ais_class", 0, 1, "AB", cls) ||
        boolean(c, o, path, "transponder", !vessel, &m->transponder) ||
        num(c, o, path, "start_s", 0, 0, SIM_MAX_DURATION_S, startdef, &m->start_s) ||
        num(c, o, path, "end_s", 0, 0, SIM_MAX_DURATION_S, -1, &m->end_s) ||
        num(c, o, path, "lat", 1, -85, 85, 0, &m->lat_deg) ||
        num(c, o, path, "lon", 1, -180, 180, 0, &m->lon_deg) ||
        num(c, o, path, "alt_ft", 0, -1000, 60000, 0, &m->alt_ft) ||
        num(c, o, path, "gs_kt", 1, 0, vessel ? 60 : 1500, 0, &m->gs_kt) ||
        num(c, o, path, "track_deg", 1, 0, 360, 0, &m->track_deg) ||
        num(c, o, path, "climb_fpm", 0, 1, 60000, 1500, &m->climb_fpm) ||
        num(c, o, path, "turn_dps", 0, 0.01, 30, vessel ? 1 : 3, &m->turn_dps) ||
        num(c, o, path, "accel_kt_s", 0, 0.01, 50, vessel ? 0.2 : 2, &m->accel_kt_s))
        return CAIRN_E_FORMAT;
    if (m->track_deg >= 360)
        m->track_deg -= 360;
    if (mmsi != floor(mmsi))
        return fail(c, path, "mmsi", "must be a whole number");
    m->mmsi = (uint32_t)mmsi;
    m->ship_type = (uint8_t)st;
    m->ais_class = cls[0] ? (uint8_t)cls[0] : 'A';
    if (icao[0]) {
        if (strlen(icao) != 6)
            return fail(c, path, "icao", "must be six hexadecimal digits");
        m->icao = (uint32_t)strtoul(icao, NULL, 16);
        m->has_icao = 1;
    }
    if (boolean(c, o, path, "adsb", m->has_icao, &m->adsb) ||
        boolean(c, o, path, "ais", vessel && m->mmsi != 0, &m->ais))
        return CAIRN_E_FORMAT;
    if (m->adsb && !m->has_icao)
        return fail(c, path, "adsb", "ADS-B needs an icao address");
    if (m->ais && !m->mmsi)
        return fail(c, path, "ais", "AIS needs an mmsi");
    if (m->end_s >= 0 && m->end_s <= m->start_s)
        return fail(c, path, "end_s", "must be after start_s");
    json_t *loop = json_object_get(o, "loop");
    if (loop && !json_is_boolean(loop))
        return fail(c, path, "loop", "must be true or false");
    m->loop = loop && json_is_true(loop);

    char sub[160];
    json_t *a = json_object_get(o, "waypoints");
    if (a) {
        if (!json_is_array(a) || json_array_size(a) > SIM_MAX_WAYPOINTS)
            return fail(c, path, "waypoints", "must be an array of at most %d waypoints",
                        SIM_MAX_WAYPOINTS);
        m->n_wp = json_array_size(a);
        if (m->n_wp && !(m->wp = calloc(m->n_wp, sizeof *m->wp)))
            return CAIRN_E_NOMEM;
        for (size_t i = 0; i < m->n_wp; i++) {
            snprintf(sub, sizeof sub, "%s.waypoints[%zu]", path, i);
            if (parse_waypoint(c, json_array_get(a, i), sub, vessel, &m->wp[i]))
                return CAIRN_E_FORMAT;
        }
    }
    if (m->loop && m->n_wp < 2)
        return fail(c, path, "loop", "needs at least two waypoints");
    a = json_object_get(o, "events");
    if (a) {
        if (!json_is_array(a) || json_array_size(a) > SIM_MAX_EVENTS)
            return fail(c, path, "events", "must be an array of at most %d events", SIM_MAX_EVENTS);
        m->n_ev = json_array_size(a);
        if (m->n_ev && !(m->ev = calloc(m->n_ev, sizeof *m->ev)))
            return CAIRN_E_NOMEM;
        for (size_t i = 0; i < m->n_ev; i++) {
            snprintf(sub, sizeof sub, "%s.events[%zu]", path, i);
            if (parse_event(c, json_array_get(a, i), sub, vessel, &m->ev[i]))
                return CAIRN_E_FORMAT;
            if (i > 0 && m->ev[i].t_s < m->ev[i - 1].t_s)
                return fail(c, sub, "t", "events must be in time order");
        }
    }
    return 0;
}

static int parse_sensors(struct pctx *c, json_t *root, const char *key, size_t *n, void *arr,
                         int radar)
{
    json_t *a = json_object_get(root, key);
    if (!a)
        return 0;
    if (!json_is_array(a) || json_array_size(a) > SIM_MAX_SENSORS)
        return fail(c, key, "", "must be an array of at most %d sensors", SIM_MAX_SENSORS);
    *n = json_array_size(a);
    char sub[64];
    for (size_t i = 0; i < *n; i++) {
        snprintf(sub, sizeof sub, "%s[%zu]", key, i);
        int rc = radar
                     ? parse_radar(c, json_array_get(a, i), sub, (struct sim_radar *)arr + i)
                     : parse_receiver(c, json_array_get(a, i), sub, (struct sim_receiver *)arr + i);
        if (rc)
            return rc;
    }
    return 0;
}

static int parse_root(struct pctx *c, json_t *root, struct sim_scenario *s)
{
    static const char *const k[] = {
        "name",          "description",         "start",  "duration_s", "radars", "adsb_receivers",
        "ais_receivers", "beast_counter_start", "movers", "load",       "notes",  NULL};
    char start[48];
    if (!json_is_object(root))
        return fail(c, "scenario", "", "must be a JSON object");
    char desc[2048];
    if (keys_only(c, root, "scenario", k) ||
        str(c, root, "scenario", "name", 1, sizeof s->name - 1, ID_CHARS, s->name) ||
        str(c, root, "scenario", "description", 0, sizeof desc - 1, NULL, desc) ||
        str(c, root, "scenario", "start", 1, sizeof start - 1, NULL, start) ||
        num(c, root, "scenario", "duration_s", 1, 1, SIM_MAX_DURATION_S, 0, &s->duration_s))
        return CAIRN_E_FORMAT;
    if (sim_parse_utc(start, &s->start_ms) || s->start_ms % 1000)
        return fail(c, "scenario", "start",
                    "must be a whole second of UTC as 2014-03-03T13:05:00Z");
    json_t *notes = json_object_get(root, "notes");
    if (notes && !json_is_array(notes) && !json_is_string(notes))
        return fail(c, "scenario", "notes", "must be a string or an array of strings");
    json_t *bc = json_object_get(root, "beast_counter_start");
    if (bc) {
        if (!json_is_integer(bc) || json_integer_value(bc) < 0 ||
            json_integer_value(bc) >= (json_int_t)1 << 48)
            return fail(c, "scenario", "beast_counter_start", "must be an integer in 0..2^48-1");
        s->beast_counter_start = (uint64_t)json_integer_value(bc);
        s->has_beast_counter = 1;
    }
    if (parse_sensors(c, root, "radars", &s->n_radars, s->radars, 1) ||
        parse_sensors(c, root, "adsb_receivers", &s->n_adsb, s->adsb, 0) ||
        parse_sensors(c, root, "ais_receivers", &s->n_ais, s->ais, 0))
        return CAIRN_E_FORMAT;
    json_t *load = json_object_get(root, "load");
    if (load) {
        static const char *const kl[] = {"lat_min",  "lat_max", "lon_min", "lon_max",
                                         "aircraft", "vessels", NULL};
        double na, nv;
        if (!json_is_object(load))
            return fail(c, "scenario", "load", "must be an object");
        if (keys_only(c, load, "load", kl) ||
            num(c, load, "load", "lat_min", 1, -80, 80, 0, &s->load_lat_min) ||
            num(c, load, "load", "lat_max", 1, -80, 80, 0, &s->load_lat_max) ||
            num(c, load, "load", "lon_min", 1, -180, 180, 0, &s->load_lon_min) ||
            num(c, load, "load", "lon_max", 1, -180, 180, 0, &s->load_lon_max) ||
            num(c, load, "load", "aircraft", 0, 0, SIM_MAX_MOVERS, 1000, &na) ||
            num(c, load, "load", "vessels", 0, 0, SIM_MAX_MOVERS, 100, &nv))
            return CAIRN_E_FORMAT;
        if (s->load_lat_min >= s->load_lat_max || s->load_lon_min >= s->load_lon_max)
            return fail(c, "load", "", "the area needs lat_min < lat_max and lon_min < lon_max");
        s->has_load = 1;
        s->load_aircraft = (size_t)na;
        s->load_vessels = (size_t)nv;
    }
    json_t *a = json_object_get(root, "movers");
    if (a) {
        if (!json_is_array(a) || json_array_size(a) > SIM_MAX_MOVERS)
            return fail(c, "scenario", "movers", "must be an array of at most %d movers",
                        SIM_MAX_MOVERS);
        s->n_movers = json_array_size(a);
        if (s->n_movers && !(s->movers = calloc(s->n_movers, sizeof *s->movers)))
            return CAIRN_E_NOMEM;
        char sub[64];
        for (size_t i = 0; i < s->n_movers; i++) {
            snprintf(sub, sizeof sub, "movers[%zu]", i);
            int rc = parse_mover(c, json_array_get(a, i), sub, &s->movers[i]);
            if (rc)
                return rc == CAIRN_E_NOMEM ? fail(c, sub, "", "out of memory"), CAIRN_E_NOMEM : rc;
            for (size_t j = 0; j < i; j++)
                if (!strcmp(s->movers[j].id, s->movers[i].id))
                    return fail(c, sub, "id", "duplicate id (also movers[%zu])", j);
        }
    }
    if (!s->n_movers && !s->has_load)
        return fail(c, "scenario", "movers", "missing (an array of movers, or a load section)");
    return 0;
}

int sim_scenario_parse(const char *json, size_t len, struct sim_scenario *out, char *err,
                       size_t errcap)
{
    struct pctx c = {err, errcap, 0};
    memset(out, 0, sizeof *out);
    if (errcap)
        err[0] = 0;
    json_error_t je;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        char t[64];
        clean(t, sizeof t, je.text);
        fail(&c, "scenario", "", "not valid JSON at line %d column %d: %s", je.line, je.column, t);
        return CAIRN_E_FORMAT;
    }
    int rc = parse_root(&c, root, out);
    json_decref(root);
    if (rc) {
        sim_scenario_free(out);
        return rc == CAIRN_E_NOMEM ? CAIRN_E_NOMEM : CAIRN_E_FORMAT;
    }
    return 0;
}

void sim_scenario_free(struct sim_scenario *s)
{
    if (!s)
        return;
    for (size_t i = 0; s->movers && i < s->n_movers; i++) {
        free(s->movers[i].wp);
        free(s->movers[i].ev);
    }
    free(s->movers);
    s->movers = NULL;
    s->n_movers = 0;
}

int sim_scenario_generate(struct sim_scenario *s, size_t n_aircraft, size_t n_vessels,
                          uint64_t seed)
{
    if (!s->has_load || n_aircraft + n_vessels > SIM_MAX_MOVERS || n_aircraft > 0xFFFFFF)
        return CAIRN_E_INVAL;
    size_t n = n_aircraft + n_vessels;
    struct sim_mover *mv = n ? calloc(n, sizeof *mv) : NULL;
    if (n && !mv)
        return CAIRN_E_NOMEM;
    sim_scenario_free(s);
    s->movers = mv;
    s->n_movers = n;
    const uint64_t S = 0x10AD; /* random stream of the generator */
    for (size_t i = 0; i < n; i++) {
        struct sim_mover *m = &mv[i];
        int air = i < n_aircraft;
        double u0 = sim_unif(seed, S, i, 0), u1 = sim_unif(seed, S, i, 1);
        double u2 = sim_unif(seed, S, i, 2), u3 = sim_unif(seed, S, i, 3);
        m->kind = air ? SIM_AIRCRAFT : SIM_VESSEL;
        m->lat_deg = s->load_lat_min + u0 * (s->load_lat_max - s->load_lat_min);
        m->lon_deg = s->load_lon_min + u1 * (s->load_lon_max - s->load_lon_min);
        m->track_deg = floor(u2 * 3600) / 10;
        m->end_s = -1;
        m->turn_dps = air ? 3 : 1;
        m->accel_kt_s = air ? 2 : 0.2;
        m->climb_fpm = 1500;
        if (air) {
            snprintf(m->id, sizeof m->id, "A%06zu", i);
            m->icao = 0x100000u + (uint32_t)i; /* distinct 24-bit addresses */
            m->has_icao = 1;
            m->squawk = (uint16_t)(01000 + i % 06000);
            m->has_squawk = 1;
            snprintf(m->callsign, sizeof m->callsign, "LD%06zu", i % 1000000);
            m->transponder = 1;
            m->adsb = 1;
            m->alt_ft = 1000 * floor(5 + u3 * 35); /* FL050-FL390 */
            m->gs_kt = 250 + floor(sim_unif(seed, S, i, 4) * 250);
        } else {
            size_t j = i - n_aircraft;
            snprintf(m->id, sizeof m->id, "V%06zu", j);
            m->mmsi = 230000000u + (uint32_t)j;
            m->ais = 1;
            m->ais_class = j % 4 == 3 ? 'B' : 'A';
            m->ship_type = 70;
            snprintf(m->shipname, sizeof m->shipname, "LOAD %06zu", j);
            snprintf(m->callsign, sizeof m->callsign, "L%06zu", j % 1000000);
            m->gs_kt = floor(u3 * 200) / 10;
        }
    }
    return 0;
}
