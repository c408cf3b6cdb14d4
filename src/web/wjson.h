/*
 * wjson.h — the whole bodies web writes from the provider's arrays
 * (wjson.c has the formats and readsb's references). Internal to src/web.
 * Each appends one JSON value to out: 0, or the writer's error
 * (CAIRN_E_TOOBIG past the buffer's cap, CAIRN_E_NOMEM).
 */
#ifndef CAIRN_WEB_WJSON_H
#define CAIRN_WEB_WJSON_H

#include "base/dbuf.h"
#include "base/jsonw.h"
#include "web/web.h"

/* {"now_ms":..,"tracks":[...]}; extra (may be NULL) adds members to each. */
int web_json_tracks(struct dbuf *out, const struct web_tracks *tv,
                    void (*extra)(void *, const struct trk_track *, struct jsonw *), void *arg);
/* {"alerts":[...]} */
int web_json_alerts(struct dbuf *out, const struct web_alerts *av);
/* readsb's aircraft.json */
int web_json_aircraft(struct dbuf *out, const struct web_tracks *tv);
/* readsb's receiver.json (lat/lon left out when NaN) */
int web_json_receiver(struct dbuf *out, double lat_deg, double lon_deg);

#endif
