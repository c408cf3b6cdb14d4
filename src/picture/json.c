/*
 * json.c — the picture's JSON objects (docs/picture.md): an alert as it
 * changes and a track as it stands. One writer for `cairn picture` today
 * and the daemon's live outputs later.
 *
 * Every string that came from outside (callsigns) is cut to printable
 * ASCII first: jsonw passes bytes >= 0x80 through as UTF-8, and a
 * callsign is never anything but A-Z, 0-9 and blanks when it is honest.
 * Unknown values are null, so every object of a type has the same keys.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "base/jsonw.h"
#include "picture/picture.h"

const char *pic_kind_name(unsigned kind)
{
    switch (kind) {
    case TRK_KIND_AIRCRAFT:
        return "aircraft";
    case TRK_KIND_VESSEL:
        return "vessel";
    default:
        return "unknown";
    }
}

const char *pic_tri_name(unsigned tri)
{
    switch (tri) {
    case TRK_TRI_YES:
        return "yes";
    case TRK_TRI_NO:
        return "no";
    default:
        return "unknown";
    }
}

static const char *status_name(unsigned st)
{
    switch (st) {
    case TRK_ST_TENTATIVE:
        return "tentative";
    case TRK_ST_CONFIRMED:
        return "confirmed";
    case TRK_ST_COASTING:
        return "coasting";
    case TRK_ST_DELETED:
        return "deleted";
    default:
        return "free";
    }
}

/* s (at most n bytes, may lack its NUL) as a JSON string of printable
 * ASCII; trailing blanks dropped. */
static void safe_str(struct jsonw *w, const char *key, const char *s, size_t n)
{
    char buf[DET_TEXT_LEN]; /* the longest member written: an alert's text */
    size_t k = 0;
    for (size_t i = 0; i < n && s[i] && k + 1 < sizeof buf; i++)
        buf[k++] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
    while (k && buf[k - 1] == ' ')
        k--;
    buf[k] = 0;
    jw_key(w, key);
    if (k)
        jw_str(w, buf);
    else
        jw_null(w);
}

static void lower_str(struct jsonw *w, const char *key, const char *s)
{
    char buf[32];
    size_t k = 0;
    for (; s[k] && k + 1 < sizeof buf; k++)
        buf[k] = (char)tolower((unsigned char)s[k]);
    buf[k] = 0;
    jw_kstr(w, key, buf);
}

/* The identity members shared by alerts' tracks and tracks. */
static void identity(struct jsonw *w, unsigned ids, uint32_t icao, uint32_t mmsi, uint16_t squawk,
                     const char *callsign)
{
    char b[16];
    jw_key(w, "icao");
    if (ids & TRK_ID_ICAO) {
        snprintf(b, sizeof b, "%06x", (unsigned)(icao & 0xFFFFFFu));
        jw_str(w, b);
    } else {
        jw_null(w);
    }
    jw_key(w, "mmsi");
    if (ids & TRK_ID_MMSI)
        jw_uint(w, mmsi);
    else
        jw_null(w);
    jw_key(w, "squawk");
    if (ids & TRK_ID_SQUAWK) {
        snprintf(b, sizeof b, "%04o", (unsigned)(squawk & 07777));
        jw_str(w, b);
    } else {
        jw_null(w);
    }
    if (ids & TRK_ID_CALLSIGN)
        safe_str(w, "callsign", callsign, 9);
    else {
        jw_key(w, "callsign");
        jw_null(w);
    }
}

void pic_alert_json(struct jsonw *w, const struct det_alert *a)
{
    jw_obj(w);
    jw_kstr(w, "type", "alert");
    jw_kuint(w, "id", a->id);
    jw_kstr(w, "rule", det_rule_name(a->rule));
    lower_str(w, "state", det_state_name(a->state));
    lower_str(w, "severity", det_severity_name(a->severity));
    jw_kfixed(w, "t", (double)a->t_change_ms / 1000.0, 3);
    jw_key(w, "tracks");
    jw_arr(w);
    for (unsigned i = 0; i < a->n_parties && i < 2; i++) {
        const struct det_party *pt = &a->parties[i];
        jw_obj(w);
        jw_kuint(w, "id", pt->track_id);
        jw_kstr(w, "kind", pic_kind_name(pt->kind));
        identity(w, pt->ids, pt->icao, pt->mmsi, pt->squawk, pt->callsign);
        jw_end(w);
    }
    jw_end(w);
    jw_kfixed(w, "lat", a->lat_deg, 5);
    jw_kfixed(w, "lon", a->lon_deg, 5);
    safe_str(w, "text", a->text, sizeof a->text);
    jw_key(w, "values");
    jw_obj(w);
    for (unsigned i = 0; i < a->n_values && i < DET_MAX_VALUES; i++)
        if (a->values[i].name)
            jw_knum(w, a->values[i].name, a->values[i].v, 6);
    jw_end(w);
    jw_key(w, "hypothesis");
    if (a->hypothesis)
        jw_str(w, a->hypothesis);
    else
        jw_null(w);
    jw_end(w);
}

void pic_track_json(struct jsonw *w, const struct pic *p, const struct trk_track *t)
{
    static const char *const src_names[TRK_SOURCE_N] = {"psr",  "ssr", "modes", "adsb",
                                                        "mlat", "ais", "sdps",  "tisb"};
    jw_obj(w);
    jw_kstr(w, "type", "track");
    jw_kuint(w, "id", t->id);
    jw_kstr(w, "kind", pic_kind_name(t->kind));
    jw_kstr(w, "status", status_name(t->status));
    identity(w, t->ids, t->icao, t->mmsi, t->squawk, t->callsign);
    jw_kfixed(w, "first_t", (double)t->t_first_ms / 1000.0, 3);
    jw_kfixed(w, "last_t", (double)t->t_last_ms / 1000.0, 3);
    jw_kfixed(w, "lat", t->lat_deg, 5);
    jw_kfixed(w, "lon", t->lon_deg, 5);
    jw_key(w, "alt_ft");
    if (t->flags & TRK_F_ALT)
        jw_int(w, t->alt_ft);
    else
        jw_null(w);
    jw_kfixed(w, "gs_kt", t->gs_mps * 3600.0 / 1852.0, 1);
    jw_kfixed(w, "track_deg", t->track_deg, 1);
    jw_kuint(w, "updates", t->n_updates);
    jw_key(w, "sources");
    jw_arr(w);
    for (unsigned i = 0; i < t->n_sensors && i < TRK_MAX_SENSORS; i++) {
        const struct trk_sensor_seen *s = &t->sensors[i];
        char name[PIC_NAME_MAX + 16];
        pic_sensor_name(p, s->sensor_id, name, sizeof name);
        jw_obj(w);
        jw_kstr(w, "sensor", name);
        jw_key(w, "detected_by");
        jw_arr(w);
        for (unsigned k = 0; k < TRK_SOURCE_N; k++)
            if (s->src_mask & TRK_SRC_BIT(k))
                jw_str(w, src_names[k]);
        jw_end(w);
        jw_kuint(w, "updates", s->n);
        jw_kfixed(w, "last_t", (double)s->last_t_ms / 1000.0, 3);
        jw_end(w);
    }
    jw_end(w);
    jw_key(w, "compliance");
    jw_obj(w);
    jw_kstr(w, "transponder", pic_tri_name(t->transponder));
    jw_kstr(w, "flight_plan", pic_tri_name(t->flight_plan));
    jw_kstr(w, "radio", pic_tri_name(t->radio));
    jw_end(w);
    jw_end(w);
}
