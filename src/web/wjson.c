/*
 * wjson.c — the JSON web writes itself: tracks and alerts in the console's
 * format (/api/tracks, /api/alerts, and the same objects for SSE events via
 * web_json_track / web_json_alert), and readsb's aircraft.json and
 * receiver.json for tar1090 and other map front ends.
 *
 * readsb's format (readsb README-json.md, "aircraft.json"): "now" in
 * seconds since the epoch, "messages" a total, "aircraft" an array of
 * objects whose keys are omitted when unknown. Units as there: alt_baro
 * feet (or the string "ground"), gs knots, track degrees true (0-360),
 * baro_rate feet/minute, lat/lon decimal degrees, seen and seen_pos seconds
 * before "now", squawk 4 octal digits as a string, emergency one of none,
 * general, lifeguard, minfuel, nordo, unlawful, downed, reserved (DO-260B
 * 2.2.3.2.7.8.1.1), flight the callsign padded to 8 characters. A track
 * with no ICAO address gets readsb's non-ICAO form, "~" and six hex digits
 * (here the low 24 bits of the track id), and type tisb_trackfile ("a
 * non-ADS-B target using a track/file identifier, typically from primary
 * or Mode A/C radar"). Vessels are left out: the format is for aircraft.
 *
 * Text that came from outside (callsigns) is escaped by jsonw with
 * log_escape's JSON rule, so invalid UTF-8 or control bytes never reach a
 * client raw.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/error.h"
#include "base/log.h"
#include "detect/detect.h"
#include "track/track.h"
#include "web/web.h"
#include "web/wjson.h"

#define KT_PER_MPS (3600.0 / 1852.0)

/* A string from outside: jsonw escapes it by log_escape's JSON rule. */
static void put_text(struct jsonw *w, const char *key, const char *s, size_t n)
{
    jw_key(w, key);
    jw_strn(w, s, n);
}

static size_t cs_len(const char *cs)
{
    size_t n = strnlen(cs, 8);
    while (n > 0 && cs[n - 1] == ' ')
        n--;
    return n;
}

static const char *tri_name(unsigned v)
{
    return v == TRK_TRI_YES ? "yes" : v == TRK_TRI_NO ? "no" : "unknown";
}

static const char *emerg_name(unsigned e)
{
    static const char *const n[] = {"none",  "general",  "lifeguard", "minfuel",
                                    "nordo", "unlawful", "downed",    "reserved"};
    return e < 8 ? n[e] : "reserved";
}

static const char *status_name(unsigned s)
{
    static const char *const n[] = {"free", "tentative", "confirmed", "coasting", "deleted"};
    return s < 5 ? n[s] : "unknown";
}

static const char *kind_name(unsigned k)
{
    return k == TRK_KIND_AIRCRAFT ? "aircraft" : k == TRK_KIND_VESSEL ? "vessel" : "unknown";
}

static const char *const src_names[TRK_SOURCE_N] = {"psr",  "ssr", "modes", "adsb",
                                                    "mlat", "ais", "sdps",  "tisb"};

static double norm_deg(double d)
{
    d = fmod(d, 360.0);
    if (d < 0)
        d += 360.0;
    return d;
}

static void track_members(struct jsonw *w, const struct trk_track *t, int64_t now_ms)
{
    char tmp[16];
    jw_kuint(w, "id", t->id);
    jw_kstr(w, "status", status_name(t->status));
    jw_kstr(w, "kind", kind_name(t->kind));
    if (t->ids & TRK_ID_ICAO) {
        snprintf(tmp, sizeof tmp, "%06x", t->icao & 0xffffffu);
        jw_kstr(w, "icao", tmp);
    }
    if (t->ids & TRK_ID_CALLSIGN)
        put_text(w, "callsign", t->callsign, cs_len(t->callsign));
    if (t->ids & TRK_ID_SQUAWK) {
        snprintf(tmp, sizeof tmp, "%04o", t->squawk & 07777u);
        jw_kstr(w, "squawk", tmp);
    }
    if (t->ids & TRK_ID_MMSI)
        jw_kuint(w, "mmsi", t->mmsi);
    jw_kfixed(w, "lat", t->lat_deg, 6);
    jw_kfixed(w, "lon", t->lon_deg, 6);
    if (t->flags & TRK_F_ALT)
        jw_kint(w, "alt_ft", t->alt_ft);
    jw_kfixed(w, "gs_kt", t->gs_mps * KT_PER_MPS, 1);
    jw_kfixed(w, "track_deg", norm_deg(t->track_deg), 1);
    jw_kfixed(w, "vrate_fpm", t->vrate_fpm, 0);
    if (t->flags & TRK_F_SEL_ALT)
        jw_kint(w, "sel_alt_ft", t->sel_alt_ft);
    if (t->flags & TRK_F_PLAN_DEV)
        jw_kfixed(w, "plan_dev_m", t->plan_dev_m, 0);
    jw_kstr(w, "emergency", emerg_name(t->emergency));
    jw_kbool(w, "on_ground", t->on_ground != 0);
    jw_kstr(w, "transponder", tri_name(t->transponder));
    jw_kstr(w, "flight_plan", tri_name(t->flight_plan));
    jw_kstr(w, "radio", tri_name(t->radio));
    jw_key(w, "operator");
    jw_arr(w);
    if (t->op_flags & TRK_OP_IGNORES_ATC)
        jw_str(w, "ignores_atc");
    if (t->op_flags & TRK_OP_RESISTS)
        jw_str(w, "resists");
    if (t->op_flags & TRK_OP_XPDR_NOT_AS_TOLD)
        jw_str(w, "xpdr_not_as_told");
    if (t->op_flags & TRK_OP_CONFIRMED)
        jw_str(w, "confirmed_renegade");
    jw_end(w);
    jw_kbool(w, "manoeuvre", (t->flags & TRK_F_MANOEUVRE) != 0);
    jw_kfixed(w, "pos_sigma_m", t->pos_sigma_m, 0);
    jw_kint(w, "t_first_ms", t->t_first_ms);
    jw_kint(w, "t_last_ms", t->t_last_ms);
    jw_kfixed(w, "age_s", (double)(now_ms - t->t_last_ms) / 1000.0, 1);
    /* sources: name -> seconds since its last update */
    jw_key(w, "sources");
    jw_obj(w);
    for (int s = 0; s < TRK_SOURCE_N; s++)
        if (t->last_src_ms[s])
            jw_kfixed(w, src_names[s], (double)(now_ms - t->last_src_ms[s]) / 1000.0, 1);
    jw_end(w);
    jw_key(w, "sensors");
    jw_arr(w);
    unsigned ns = t->n_sensors <= TRK_MAX_SENSORS ? t->n_sensors : TRK_MAX_SENSORS;
    for (unsigned i = 0; i < ns; i++) {
        const struct trk_sensor_seen *s = &t->sensors[i];
        jw_obj(w);
        jw_kuint(w, "id", s->sensor_id);
        jw_kuint(w, "n", s->n);
        if (s->track_no)
            jw_kuint(w, "track_no", s->track_no);
        jw_kfixed(w, "age_s", (double)(now_ms - s->last_t_ms) / 1000.0, 1);
        jw_end(w);
    }
    jw_end(w);
}

void web_json_track(struct jsonw *w, const struct trk_track *t, int64_t now_ms)
{
    jw_obj(w);
    track_members(w, t, now_ms);
    jw_end(w);
}

void web_json_track_move(struct jsonw *w, const struct trk_track *t)
{
    /* the same numbers, rounded the same way, as track_members writes */
    jw_arr(w);
    jw_uint(w, t->id);
    jw_fixed(w, t->lat_deg, 6);
    jw_fixed(w, t->lon_deg, 6);
    if (t->flags & TRK_F_ALT)
        jw_int(w, t->alt_ft);
    else
        jw_null(w);
    jw_fixed(w, t->gs_mps * KT_PER_MPS, 1);
    jw_fixed(w, norm_deg(t->track_deg), 1);
    jw_fixed(w, t->vrate_fpm, 0);
    jw_int(w, t->t_last_ms);
    jw_end(w);
}

void web_json_track_extra(struct jsonw *w, const struct trk_track *t, int64_t now_ms,
                          void (*extra)(void *, const struct trk_track *, struct jsonw *),
                          void *arg)
{
    jw_obj(w);
    track_members(w, t, now_ms);
    if (extra) {
        int depth = w->depth;
        extra(arg, t, w);
        if (w->depth != depth && !w->err)
            w->err = CAIRN_E_STATE; /* the provider left a container open */
    }
    jw_end(w);
}

int web_json_tracks(struct dbuf *out, const struct web_tracks *tv,
                    void (*extra)(void *, const struct trk_track *, struct jsonw *), void *arg)
{
    struct jsonw w;
    jw_init(&w, out);
    jw_obj(&w);
    jw_kint(&w, "now_ms", tv->now_ms);
    jw_key(&w, "tracks");
    jw_arr(&w);
    for (size_t i = 0; i < tv->n && !w.err; i++) {
        const struct trk_track *t = &tv->v[i];
        if (t->status == TRK_ST_FREE)
            continue;
        jw_obj(&w);
        track_members(&w, t, tv->now_ms);
        if (extra) {
            int depth = w.depth;
            extra(arg, t, &w);
            if (w.depth != depth && !w.err)
                w.err = CAIRN_E_STATE; /* the provider left a container open */
        }
        jw_end(&w);
    }
    jw_end(&w);
    jw_end(&w);
    return w.err ? w.err : 0;
}

void web_json_alert(struct jsonw *w, const struct det_alert *a)
{
    web_json_alert_ack(w, a, NULL);
}

void web_json_alert_ack(struct jsonw *w, const struct det_alert *a, const struct web_ack *ack)
{
    char tmp[16];
    jw_obj(w);
    jw_kuint(w, "id", a->id);
    jw_kstr(w, "rule", det_rule_name(a->rule));
    jw_kstr(w, "severity", det_severity_name(a->severity));
    jw_kstr(w, "state", det_state_name(a->state));
    jw_kuint(w, "key", a->key);
    jw_key(w, "parties");
    jw_arr(w);
    unsigned np = a->n_parties <= 2 ? a->n_parties : 2;
    for (unsigned i = 0; i < np; i++) {
        const struct det_party *p = &a->parties[i];
        jw_obj(w);
        jw_kuint(w, "track_id", p->track_id);
        if (p->ids & TRK_ID_ICAO) {
            snprintf(tmp, sizeof tmp, "%06x", p->icao & 0xffffffu);
            jw_kstr(w, "icao", tmp);
        }
        if (p->ids & TRK_ID_CALLSIGN)
            put_text(w, "callsign", p->callsign, cs_len(p->callsign));
        if (p->ids & TRK_ID_SQUAWK) {
            snprintf(tmp, sizeof tmp, "%04o", p->squawk & 07777u);
            jw_kstr(w, "squawk", tmp);
        }
        if (p->ids & TRK_ID_MMSI)
            jw_kuint(w, "mmsi", p->mmsi);
        jw_end(w);
    }
    jw_end(w);
    jw_kfixed(w, "lat", a->lat_deg, 6);
    jw_kfixed(w, "lon", a->lon_deg, 6);
    jw_kint(w, "t_open_ms", a->t_open_ms);
    jw_kint(w, "t_seen_ms", a->t_seen_ms);
    jw_kint(w, "t_change_ms", a->t_change_ms);
    jw_key(w, "values");
    jw_obj(w);
    unsigned nv = a->n_values <= DET_MAX_VALUES ? a->n_values : DET_MAX_VALUES;
    for (unsigned i = 0; i < nv; i++)
        if (a->values[i].name)
            jw_knum(w, a->values[i].name, a->values[i].v, 6);
    jw_end(w);
    if (a->hypothesis)
        jw_kstr(w, "hypothesis", a->hypothesis);
    put_text(w, "text", a->text, strnlen(a->text, DET_TEXT_LEN));
    if (ack && ack->user[0]) {
        jw_key(w, "ack");
        jw_obj(w);
        put_text(w, "user", ack->user, strnlen(ack->user, WEB_ACK_USER_MAX));
        jw_kint(w, "t_ms", ack->t_ms);
        jw_end(w);
    }
    jw_end(w);
}

int web_json_alerts(struct dbuf *out, const struct web_alerts *av)
{
    struct jsonw w;
    jw_init(&w, out);
    jw_obj(&w);
    jw_key(&w, "alerts");
    jw_arr(&w);
    for (size_t i = 0; i < av->n && !w.err; i++)
        if (av->v[i].state != DET_ST_FREE)
            web_json_alert_ack(&w, &av->v[i], av->ack ? &av->ack[i] : NULL);
    jw_end(&w);
    jw_end(&w);
    return w.err ? w.err : 0;
}

/* readsb's "type": the best source of the current data. */
static const char *readsb_type(const struct trk_track *t, int64_t now_ms)
{
    /* readsb keeps an ADS-B position for 60 s before preferring others. */
    const int64_t fresh_ms = 60000;
    int64_t adsb = t->last_src_ms[TRK_SOURCE_ADSB], mlat = t->last_src_ms[TRK_SOURCE_MLAT];
    if (!(t->ids & TRK_ID_ICAO))
        return "tisb_trackfile";
    if (adsb && now_ms - adsb <= fresh_ms)
        return "adsb_icao";
    if (mlat && now_ms - mlat <= fresh_ms)
        return "mlat";
    return "tisb_icao";
}

int web_json_aircraft(struct dbuf *out, const struct web_tracks *tv)
{
    struct jsonw w;
    char tmp[16];
    jw_init(&w, out);
    jw_obj(&w);
    jw_kfixed(&w, "now", (double)tv->now_ms / 1000.0, 1);
    jw_kuint(&w, "messages", tv->messages);
    jw_key(&w, "aircraft");
    jw_arr(&w);
    for (size_t i = 0; i < tv->n && !w.err; i++) {
        const struct trk_track *t = &tv->v[i];
        if (t->status != TRK_ST_TENTATIVE && t->status != TRK_ST_CONFIRMED &&
            t->status != TRK_ST_COASTING)
            continue;
        if (t->kind == TRK_KIND_VESSEL)
            continue;
        jw_obj(&w);
        if (t->ids & TRK_ID_ICAO)
            snprintf(tmp, sizeof tmp, "%06x", t->icao & 0xffffffu);
        else
            snprintf(tmp, sizeof tmp, "~%06x", t->id & 0xffffffu);
        jw_kstr(&w, "hex", tmp);
        jw_kstr(&w, "type", readsb_type(t, tv->now_ms));
        if (t->ids & TRK_ID_CALLSIGN) {
            /* readsb pads the callsign to 8 characters with spaces */
            char cs[9];
            size_t n = cs_len(t->callsign);
            memcpy(cs, t->callsign, n);
            memset(cs + n, ' ', 8 - n);
            cs[8] = '\0';
            put_text(&w, "flight", cs, 8);
        }
        if (t->on_ground) {
            jw_kstr(&w, "alt_baro", "ground");
        } else if (t->flags & TRK_F_ALT) {
            jw_kint(&w, "alt_baro", t->alt_ft);
        }
        jw_kfixed(&w, "gs", t->gs_mps * KT_PER_MPS, 1);
        jw_kfixed(&w, "track", norm_deg(t->track_deg), 2);
        if (isfinite(t->vrate_fpm) && (t->flags & TRK_F_ALT))
            jw_kint(&w, "baro_rate", (int64_t)lround(t->vrate_fpm));
        if (t->ids & TRK_ID_SQUAWK) {
            snprintf(tmp, sizeof tmp, "%04o", t->squawk & 07777u);
            jw_kstr(&w, "squawk", tmp);
        }
        jw_kstr(&w, "emergency", emerg_name(t->emergency));
        if (t->flags & TRK_F_SEL_ALT)
            jw_kint(&w, "nav_altitude_mcp", t->sel_alt_ft);
        jw_kfixed(&w, "lat", t->lat_deg, 6);
        jw_kfixed(&w, "lon", t->lon_deg, 6);
        double seen = (double)(tv->now_ms - t->t_last_ms) / 1000.0;
        if (seen < 0)
            seen = 0;
        jw_kuint(&w, "messages", t->n_updates);
        jw_kfixed(&w, "seen_pos", seen, 1);
        jw_kfixed(&w, "seen", seen, 1);
        jw_key(&w, "mlat");
        jw_arr(&w);
        if (strcmp(readsb_type(t, tv->now_ms), "mlat") == 0) {
            jw_str(&w, "lat");
            jw_str(&w, "lon");
        }
        jw_end(&w);
        jw_key(&w, "tisb");
        jw_arr(&w);
        jw_end(&w);
        jw_end(&w);
    }
    jw_end(&w);
    jw_end(&w);
    return w.err ? w.err : 0;
}

int web_json_receiver(struct dbuf *out, double lat_deg, double lon_deg)
{
    struct jsonw w;
    jw_init(&w, out);
    jw_obj(&w);
    jw_kstr(&w, "version", "cairn");
    jw_kint(&w, "refresh", 1000);
    jw_kint(&w, "history", 0);
    if (isfinite(lat_deg) && isfinite(lon_deg)) {
        jw_kfixed(&w, "lat", lat_deg, 6);
        jw_kfixed(&w, "lon", lon_deg, 6);
    }
    jw_end(&w);
    return w.err ? w.err : 0;
}
