/*
 * peer.c — the shared picture: release policy, pictures out, pictures in
 * (peer.h).
 */
#include "app/peer.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/cat062.h"
#include "app/files.h"
#include "base/dbuf.h"
#include "base/error.h"
#include "base/jsonw.h"
#include "base/log.h"
#include "decode/asterix/encode.h"
#include "decode/asterix/typed.h"
#include "decode/report.h"
#include "geo/zones.h"
#include "hotline/daemon.h"
#include "hotline/frame.h"
#include "hotline/identity.h"
#include "hotline/link.h"
#include "track/track.h"
#include "web/web.h"

#define MOD "peers"

/* ------------------------------------------------------------ the policy */

static const char *const class_names[APP_CLASS_N] = {"civil", "military", "no_transponder",
                                                     "vessel", "unknown"};

const char *app_class_name(unsigned c)
{
    return c < APP_CLASS_N ? class_names[c] : "?";
}

const char *app_verdict_name(unsigned v)
{
    static const char *const names[APP_V_N] = {"released", "status", "origin", "area", "class"};
    return v < APP_V_N ? names[v] : "?";
}

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* Exactly six hex digits at s: the address, or -1. */
static int64_t hex6(const char *s, size_t n)
{
    if (n != 6)
        return -1;
    int64_t v = 0;
    for (size_t i = 0; i < 6; i++) {
        int d = hexval(s[i]);
        if (d < 0)
            return -1;
        v = v << 4 | d;
    }
    return v;
}

/* "A" and exactly four octal digits at s: the Mode 3/A code, or -1. */
static int mode_a(const char *s, size_t n)
{
    if (n != 5 || s[0] != 'A')
        return -1;
    int v = 0;
    for (size_t i = 1; i < 5; i++) {
        if (s[i] < '0' || s[i] > '7')
            return -1;
        v = v << 3 | (s[i] - '0');
    }
    return v;
}

static int is_sep(char ch)
{
    return ch == ',' || ch == ' ' || ch == '\t';
}

/* The next item of a list at *s (separated by commas, spaces or tabs):
 * its start in *b and its length, *s past it; 0 at the end. */
static size_t next_item(const char **s, const char **b)
{
    const char *p = *s;
    while (*p && is_sep(*p))
        p++;
    *b = p;
    while (*p && !is_sep(*p))
        p++;
    *s = p;
    return (size_t)(p - *b);
}

int app_military_parse(const char *list, struct app_military *m, const char **why)
{
    const char *s = list;
    int items = 0;
    const char *b;
    for (size_t n; (n = next_item(&s, &b)) > 0;) {
        items++;
        if (n >= 2 && b[n - 1] == '*') {
            if (n - 1 > 7) {
                *why = "a callsign prefix is 1 to 7 of A-Z 0-9, then *";
                return CAIRN_E_FORMAT;
            }
            for (size_t i = 0; i + 1 < n; i++)
                if (!((b[i] >= 'A' && b[i] <= 'Z') || (b[i] >= '0' && b[i] <= '9'))) {
                    *why = "a callsign prefix is 1 to 7 of A-Z 0-9, then *";
                    return CAIRN_E_FORMAT;
                }
            if (m->n_prefixes >= APP_MIL_MAX) {
                *why = "too many callsign prefixes";
                return CAIRN_E_FULL;
            }
            memcpy(m->prefix[m->n_prefixes], b, n - 1);
            m->prefix[m->n_prefixes][n - 1] = 0;
            m->n_prefixes++;
            continue;
        }
        if (b[0] == 'A' && (n == 5 || (n == 11 && b[5] == '-'))) {
            int clo = mode_a(b, 5), chi = n == 11 ? mode_a(b + 6, 5) : clo;
            if (clo >= 0 && chi >= 0) {
                if (clo > chi) {
                    *why = "a Mode 3/A range is Aoooo-Aoooo, low first";
                    return CAIRN_E_FORMAT;
                }
                if (m->n_codes >= APP_MIL_MAX) {
                    *why = "too many Mode 3/A ranges";
                    return CAIRN_E_FULL;
                }
                m->code_lo[m->n_codes] = (uint16_t)clo;
                m->code_hi[m->n_codes] = (uint16_t)chi;
                m->n_codes++;
                continue;
            } /* else perhaps an address such as A12345 */
        }
        int64_t lo, hi;
        if (n == 13 && b[6] == '-') {
            lo = hex6(b, 6);
            hi = hex6(b + 7, 6);
        } else {
            lo = hi = hex6(b, n);
        }
        if (lo < 0 || hi < 0 || lo > hi) {
            *why = "an item is HHHHHH, HHHHHH-HHHHHH (ICAO addresses, hex, low first), "
                   "PREFIX* (callsigns) or Aoooo, Aoooo-Aoooo (Mode 3/A codes, octal)";
            return CAIRN_E_FORMAT;
        }
        if (m->n_ranges >= APP_MIL_MAX) {
            *why = "too many address ranges";
            return CAIRN_E_FULL;
        }
        m->lo[m->n_ranges] = (uint32_t)lo;
        m->hi[m->n_ranges] = (uint32_t)hi;
        m->n_ranges++;
    }
    if (!items) {
        *why = "an empty list";
        return CAIRN_E_FORMAT;
    }
    return 0;
}

int app_military_match(const struct app_military *m, const struct trk_track *t)
{
    if (!m)
        return 0;
    if (t->ids & TRK_ID_ICAO)
        for (size_t i = 0; i < m->n_ranges; i++)
            if (t->icao >= m->lo[i] && t->icao <= m->hi[i])
                return 1;
    if (t->ids & TRK_ID_CALLSIGN)
        for (size_t i = 0; i < m->n_prefixes; i++) {
            size_t k = strlen(m->prefix[i]);
            if (strncmp(t->callsign, m->prefix[i], k) == 0)
                return 1;
        }
    if (t->ids & TRK_ID_SQUAWK)
        for (size_t i = 0; i < m->n_codes; i++)
            if (t->squawk >= m->code_lo[i] && t->squawk <= m->code_hi[i])
                return 1;
    return 0;
}

int app_release_parse(const char *list, uint32_t *mask, const char **why)
{
    uint32_t v = 0;
    const char *s = list;
    int items = 0, none = 0;
    const char *b;
    for (size_t n; (n = next_item(&s, &b)) > 0;) {
        items++;
        if (n == 4 && !strncmp(b, "none", 4)) {
            none = 1;
            continue;
        }
        if (n == 3 && !strncmp(b, "all", 3)) {
            v |= APP_CLASS_BIT(APP_CLASS_N) - 1u;
            continue;
        }
        unsigned c = 0;
        while (c < APP_CLASS_N && !(strlen(class_names[c]) == n && !strncmp(b, class_names[c], n)))
            c++;
        if (c == APP_CLASS_N) {
            *why = "release lists classes: civil, military, no_transponder, vessel, unknown "
                   "(or all, or none)";
            return CAIRN_E_FORMAT;
        }
        v |= APP_CLASS_BIT(c);
    }
    if (!items || (none && (v || items > 1))) {
        *why = "release is a list of classes, or none alone";
        return CAIRN_E_FORMAT;
    }
    *mask = v;
    return 0;
}

/* Whether any source that needs a transponder (or AIS) ever fed t. */
static bool coop_seen(const struct trk_track *t)
{
    for (int s = 0; s < TRK_SOURCE_N; s++)
        if ((TRK_SRC_BIT(s) & TRK_SRC_COOPERATIVE) && t->last_src_ms[s] > 0)
            return true;
    return false;
}

enum app_class app_class_of(const struct trk_track *t, const struct app_military *m)
{
    if (app_military_match(m, t))
        return APP_CLASS_MILITARY;
    if (t->kind == TRK_KIND_VESSEL || (t->ids & TRK_ID_MMSI))
        return APP_CLASS_VESSEL;
    if (t->transponder == TRK_TRI_NO)
        return APP_CLASS_NO_TRANSPONDER;
    if (t->transponder == TRK_TRI_YES || (t->ids & (TRK_ID_ICAO | TRK_ID_SQUAWK)) ||
        (t->kind == TRK_KIND_AIRCRAFT && coop_seen(t)))
        return APP_CLASS_CIVIL;
    /* an aircraft known by its speed alone (primary plots, docs/tracker.md)
     * whose transponder is not yet judged: unknown until it is */
    return APP_CLASS_UNKNOWN;
}

/* FNV-1a, xor-folded to 24 bits (as the picture's receiver ids). */
uint32_t app_peer_sensor_id(const char *name)
{
    uint32_t h = 2166136261u;
    for (; *name; name++) {
        h ^= (uint8_t)*name;
        h *= 16777619u;
    }
    return APP_ID_PEER | ((h ^ (h >> 24)) & 0xFFFFFFu);
}

int app_origin_own(const struct trk_track *t, int64_t now_ms, uint32_t *peer_id)
{
    int64_t last_peer = INT64_MIN;
    uint32_t pid = 0;
    int any_peer = 0;
    for (unsigned i = 0; i < t->n_sensors && i < TRK_MAX_SENSORS; i++) {
        const struct trk_sensor_seen *s = &t->sensors[i];
        if (!app_is_peer_sensor(s->sensor_id)) {
            if (s->last_t_ms >= now_ms - APP_OWN_FRESH_MS)
                return 1;
            continue;
        }
        any_peer = 1;
        if (s->last_t_ms > last_peer) {
            last_peer = s->last_t_ms;
            pid = s->sensor_id;
        }
    }
    if (peer_id)
        *peer_id = pid;
    /* no peer ever fed it: ours, however old its data (a vessel at anchor
     * reports every 3 min) */
    return !any_peer;
}

int app_area_contains(const struct geo_zones *area, double lat_deg, double lon_deg)
{
    if (!area)
        return 0;
    for (size_t i = 0; i < area->n; i++) {
        int inside = 0;
        double d;
        if (geo_zone_locate(&area->z[i], lat_deg, lon_deg, &inside, &d) == 0 && inside)
            return 1;
    }
    return 0;
}

enum app_verdict app_release_verdict(const struct app_policy *pol, const struct trk_track *t,
                                     int op_released, int64_t now_ms)
{
    if (t->status != TRK_ST_CONFIRMED && t->status != TRK_ST_COASTING)
        return APP_V_STATUS;
    if (!app_origin_own(t, now_ms, NULL))
        return APP_V_ORIGIN;
    double qlat, qlon;
    app_c62_quantise(t->lat_deg, t->lon_deg, &qlat, &qlon);
    if (!app_area_contains(pol->area, qlat, qlon))
        return APP_V_AREA;
    if (!op_released && !(pol->release & APP_CLASS_BIT(app_class_of(t, pol->mil))))
        return APP_V_CLASS;
    return APP_V_RELEASE;
}

/* ------------------------------------------------------------- runtime */

struct peer {
    struct app_peer_config cfg;
    char party[HL_PARTY_MAX + 1]; /* the roster's: whose tracks these are */
    uint32_t sensor_id;
    struct geo_zones *area;
    FILE *record;
    uint64_t record_bytes;
    int record_full;
    int64_t next_mono_ms; /* next picture due (monotonic) */
    uint64_t seq;
    /* out */
    uint64_t pictures_sent, pictures_skipped, tracks_sent, tracks_cut;
    uint64_t withheld[APP_V_N];
    uint64_t send_errors;
    /* in */
    uint64_t pictures_received, records_received, tracks_received;
    uint64_t refused_garbage, refused_area, refused_stale;
    uint64_t refused_flood;  /* pictures closer than APP_PEER_MIN_GAP_MS: dropped whole */
    int64_t last_rx_mono_ms; /* 0: never */
    uint64_t last_rx_tracks;
};

struct released {
    uint32_t id;
    uint32_t peers; /* bit i: peer i */
};

struct app_peers {
    struct peer p[APP_MAX_PEERS];
    size_t n;
    struct app_military mil;
    uint8_t sac, sic;
    struct hl_daemon_ctx *hl;
    struct released rel[APP_MAX_RELEASED];
    size_t n_rel;
    uint8_t *buf; /* one picture's data blocks */
    size_t cap;
    uint8_t batch;
    struct dbuf line; /* one record line */
};

int app_peers_new(const struct app_peers_config *cfg, struct hl_daemon_ctx *hl,
                  struct app_peers **out, char *err, size_t errcap)
{
    *out = NULL;
    struct app_peers *ps = calloc(1, sizeof *ps);
    if (!ps) {
        snprintf(err, errcap, "out of memory");
        return CAIRN_E_NOMEM;
    }
    ps->hl = hl;
    if (cfg->mil)
        ps->mil = *cfg->mil;
    ps->sac = cfg->sac;
    ps->sic = cfg->sic;
    ps->cap = HL_PICTURE_MAX_LEN - HL_PICTURE_HDR_LEN;
    dbuf_init(&ps->line, 4096);
    int rc = 0;
    if (cfg->n && !hl) {
        snprintf(err, errcap, "[peer %s] needs the hotline: a [hotline] section",
                 cfg->peer[0].name);
        rc = CAIRN_E_INVAL;
        goto fail;
    }
    if (cfg->n > APP_MAX_PEERS) {
        snprintf(err, errcap, "more than %d peers", APP_MAX_PEERS);
        rc = CAIRN_E_FULL;
        goto fail;
    }
    if (cfg->n && !(ps->buf = malloc(ps->cap))) {
        snprintf(err, errcap, "out of memory");
        rc = CAIRN_E_NOMEM;
        goto fail;
    }
    for (size_t i = 0; i < cfg->n; i++) {
        struct peer *p = &ps->p[ps->n++];
        p->cfg = cfg->peer[i];
        p->sensor_id = app_peer_sensor_id(p->cfg.name);
        const struct hl_roster *ro = hl_daemon_roster(hl);
        const struct hl_centre *rc_ = hl_roster_find(ro, p->cfg.name);
        if (!rc_ || !strcmp(p->cfg.name, hl_daemon_name(hl))) {
            snprintf(err, errcap, "[peer %s]: not a peer centre of the hotline's roster",
                     p->cfg.name);
            rc = CAIRN_E_ROSTER;
            goto fail;
        }
        snprintf(p->party, sizeof p->party, "%s", rc_->party);
        for (size_t k = 0; k + 1 < ps->n; k++)
            if (ps->p[k].sensor_id == p->sensor_id) {
                snprintf(err, errcap, "[peer %s] and [peer %s]: rename one (their ids collide)",
                         ps->p[k].cfg.name, p->cfg.name);
                rc = CAIRN_E_EXISTS;
                goto fail;
            }
        char zerr[512];
        if ((rc = app_load_zones(p->cfg.area, &p->area, zerr, sizeof zerr)) != 0) {
            snprintf(err, errcap, "[peer %s] area: %s", p->cfg.name, zerr);
            goto fail;
        }
        if (p->area->n == 0) {
            snprintf(err, errcap, "[peer %s] area: no polygon in the file", p->cfg.name);
            rc = CAIRN_E_FORMAT;
            goto fail;
        }
        if (p->cfg.record[0]) {
            p->record = fopen(p->cfg.record, "ae");
            if (!p->record) {
                char esc[APP_PEER_PATH_MAX * 4 + 4];
                log_escape(esc, sizeof esc, p->cfg.record, strlen(p->cfg.record), LOG_ESC_LINE);
                snprintf(err, errcap, "[peer %s] record %.300s: %s", p->cfg.name, esc,
                         strerror(errno));
                rc = CAIRN_E_IO;
                goto fail;
            }
        }
        char rel[128] = "";
        for (unsigned c = 0; c < APP_CLASS_N; c++)
            if (p->cfg.release & APP_CLASS_BIT(c)) {
                size_t k = strlen(rel);
                snprintf(rel + k, sizeof rel - k, "%s%s", k ? "," : "", class_names[c]);
            }
        log_info(MOD, "peer %s: %zu area polygon(s), releases %s, every %lld ms%s", p->cfg.name,
                 p->area->n, rel[0] ? rel : "nothing", (long long)p->cfg.interval_ms,
                 p->record ? ", received records audited" : "");
    }
    *out = ps;
    return 0;
fail:
    app_peers_free(ps);
    return rc;
}

void app_peers_free(struct app_peers *ps)
{
    if (!ps)
        return;
    for (size_t i = 0; i < ps->n; i++) {
        geo_zones_free(ps->p[i].area);
        if (ps->p[i].record)
            fclose(ps->p[i].record);
    }
    free(ps->buf);
    dbuf_free(&ps->line);
    free(ps);
}

static int peer_index(const struct app_peers *ps, const char *name)
{
    for (size_t i = 0; i < ps->n; i++)
        if (!strcmp(ps->p[i].cfg.name, name))
            return (int)i;
    return -1;
}

static int op_released(const struct app_peers *ps, uint32_t id, size_t peer)
{
    for (size_t i = 0; i < ps->n_rel; i++)
        if (ps->rel[i].id == id)
            return (ps->rel[i].peers >> peer) & 1u;
    return 0;
}

/* One peer's picture: the released tracks as CAT062 records, then CAT065
 * end of batch, in one PICTURE frame. */
static void send_picture(struct app_peers *ps, size_t idx, const struct trk_track *t, size_t n,
                         int64_t now_ms)
{
    struct peer *p = &ps->p[idx];
    struct hl_link *link = hl_daemon_link(ps->hl);
    if (!hl_link_is_up(link, p->cfg.name)) {
        p->pictures_skipped++;
        return;
    }
    struct app_policy pol = {p->area, p->cfg.release, &ps->mil};
    struct ax_block_writer w;
    ax_bw_init(&w, ps->buf, ps->cap - 32); /* room kept for the end of batch */
    uint8_t rec[AX_TYPED_MAX_RECORD];
    uint64_t sent = 0;
    for (size_t i = 0; i < n; i++) {
        enum app_verdict v =
            app_release_verdict(&pol, &t[i], op_released(ps, t[i].id, idx), now_ms);
        if (v == APP_V_STATUS)
            continue;
        if (v != APP_V_RELEASE) {
            p->withheld[v]++;
            continue;
        }
        int k = app_c62_record(&t[i], ps->sac, ps->sic, rec, sizeof rec);
        if (k <= 0) {
            p->send_errors++;
            continue;
        }
        if (ax_bw_add(&w, 62, rec, (size_t)k) != 0) {
            p->tracks_cut++; /* the picture is full: the rest waits for a bigger cap */
            continue;
        }
        sent++;
    }
    w.cap = ps->cap;
    (void)app_c65_end_of_batch(&w, ps->sac, ps->sic, ps->batch++, now_ms);
    size_t len = ax_bw_finish(&w);
    int rc = hl_link_send_picture(link, p->cfg.name, ++p->seq, now_ms, ps->buf, len);
    if (rc == 0) {
        p->pictures_sent++;
        p->tracks_sent += sent;
    } else {
        p->pictures_skipped++;
        if (rc != CAIRN_E_FULL && rc != CAIRN_E_STATE)
            p->send_errors++;
    }
}

void app_peers_tick(struct app_peers *ps, const struct trk_track *tracks, size_t n,
                    int64_t pic_now_ms, int64_t mono_ms)
{
    if (!ps)
        return;
    for (size_t i = 0; i < ps->n; i++) {
        struct peer *p = &ps->p[i];
        if (mono_ms < p->next_mono_ms)
            continue;
        /* on schedule, but never two pictures closer than half an interval
         * (a late loop catching up): the receiver drops a flood */
        int64_t next = p->next_mono_ms + p->cfg.interval_ms;
        if (!p->next_mono_ms || next <= mono_ms)
            next = mono_ms + p->cfg.interval_ms;
        if (next < mono_ms + p->cfg.interval_ms / 2)
            next = mono_ms + p->cfg.interval_ms / 2;
        p->next_mono_ms = next;
        send_picture(ps, i, tracks, n, pic_now_ms);
    }
}

struct rx_ctx {
    struct app_peers *ps;
    struct peer *p;
    const struct hl_picture *pic;
    int64_t rx_now_ms;
    app_peer_report_fn fn;
    void *arg;
    uint64_t tracks;
};

static void hexs(char *out, uint32_t v)
{
    snprintf(out, 8, "%06x", v & 0xFFFFFFu);
}

/* One line of the peer's audit file: what it sent, as decoded. */
static void record_line(struct rx_ctx *x, const struct report *r, int64_t tx_t_ms, int inside,
                        const char *verdict)
{
    struct peer *p = x->p;
    if (!p->record || p->record_full)
        return;
    struct dbuf *b = &x->ps->line;
    dbuf_reset(b);
    struct jsonw w;
    jw_init(&w, b);
    jw_obj(&w);
    jw_kstr(&w, "peer", p->cfg.name);
    jw_kuint(&w, "seq", x->pic->seq);
    jw_kint(&w, "picture_ms", x->pic->t_utc_ms);
    jw_kint(&w, "t_ms", tx_t_ms);
    if (r->has & REP_HAS_TRACKNO)
        jw_kuint(&w, "track", r->track_no);
    /* 17 significant digits: the very double decoded, so an auditor's own
     * area test sees what ours saw */
    jw_knum(&w, "lat", r->lat_deg, 17);
    jw_knum(&w, "lon", r->lon_deg, 17);
    char s[16];
    if (r->has & REP_HAS_ICAO) {
        hexs(s, r->icao);
        jw_kstr(&w, "icao", s);
    }
    if (r->has & REP_HAS_CALLSIGN)
        jw_kstr(&w, "callsign", r->callsign);
    if (r->has & REP_HAS_SQUAWK) {
        snprintf(s, sizeof s, "%04o", r->squawk & 07777u);
        jw_kstr(&w, "squawk", s);
    }
    if (r->has & REP_HAS_ALT_BARO)
        jw_kint(&w, "alt_ft", r->alt_baro_ft);
    const char *sds = (r->trk_status & TRK_NON_COOPERATIVE) ? "non_cooperative"
                      : (r->trk_status & TRK_COOPERATIVE)   ? "cooperative"
                                                            : "combined";
    jw_kstr(&w, "sds", sds);
    jw_kbool(&w, "inside", inside);
    jw_kstr(&w, "taken", verdict);
    jw_end(&w);
    if (w.err)
        return;
    dbuf_add(b, "\n", 1);
    if (p->record_bytes + b->len > APP_RECORD_MAX_BYTES) {
        p->record_full = 1;
        log_warn(MOD, "peer %s: record file full (%u MiB): no more lines", p->cfg.name,
                 APP_RECORD_MAX_BYTES >> 20);
        return;
    }
    if (fwrite(b->p, 1, b->len, p->record) == b->len)
        p->record_bytes += b->len;
}

static int on_rx_report(void *arg, struct report *r)
{
    struct rx_ctx *x = arg;
    struct peer *p = x->p;
    p->records_received++;
    int inside = app_area_contains(p->area, r->lat_deg, r->lon_deg);
    int64_t tx_t = r->t_ms;
    int64_t age = x->pic->t_utc_ms - r->t_ms;
    const char *verdict = "picture";
    if (!inside) {
        p->refused_area++; /* the peer broke the agreed area: seen, not used */
        verdict = "outside_area";
    } else if (age > APP_PEER_AGE_PAST_MS || age < -APP_PEER_AGE_FUTURE_MS) {
        p->refused_stale++;
        verdict = "stale";
    }
    record_line(x, r, tx_t, inside, verdict);
    if (strcmp(verdict, "picture") != 0)
        return 0;
    /* its age at the sender, kept on our clock */
    r->t_ms = x->rx_now_ms - age;
    r->sensor_id = p->sensor_id;
    r->sensor_kind = SENSOR_SDPS;
    r->kind = REP_SYSTRACK;
    x->tracks++;
    p->tracks_received++;
    x->fn(x->arg, r);
    return 0;
}

void app_peers_on_picture(struct app_peers *ps, const char *peer, const struct hl_picture *pic,
                          int64_t rx_now_ms, int64_t mono_ms, app_peer_report_fn fn, void *arg)
{
    if (!ps)
        return;
    int i = peer_index(ps, peer);
    if (i < 0) {
        /* a roster centre we share nothing with: the link counted it */
        return;
    }
    struct peer *p = &ps->p[i];
    if (p->last_rx_mono_ms && mono_ms - p->last_rx_mono_ms < APP_PEER_MIN_GAP_MS) {
        p->refused_flood++; /* a peer may not make us decode without pause */
        return;
    }
    p->pictures_received++;
    p->last_rx_mono_ms = mono_ms;
    struct rx_ctx x = {ps, p, pic, rx_now_ms, fn, arg, 0};
    struct app_c62_read_stats st;
    memset(&st, 0, sizeof st);
    app_c62_read(pic->data, pic->len, pic->t_utc_ms, APP_PEER_MAX_RECORDS, on_rx_report, &x, &st);
    p->refused_garbage += st.bad_blocks + st.bad_records;
    p->last_rx_tracks = x.tracks;
    if (p->record && !p->record_full)
        fflush(p->record);
}

int app_peers_sensor_name(const struct app_peers *ps, uint32_t id, char *out, size_t cap)
{
    if (!ps || !app_is_peer_sensor(id))
        return -1;
    for (size_t i = 0; i < ps->n; i++)
        if (ps->p[i].sensor_id == id) {
            snprintf(out, cap, "peer:%s", ps->p[i].cfg.name);
            return 0;
        }
    return -1;
}

void app_peers_track_json(const struct app_peers *ps, const struct trk_track *t, int64_t now_ms,
                          struct jsonw *w)
{
    uint32_t pid = 0;
    char origin[APP_PEER_NAME_MAX + 8] = "own";
    if (!app_origin_own(t, now_ms, &pid) &&
        (!ps || app_peers_sensor_name(ps, pid, origin, sizeof origin) != 0))
        snprintf(origin, sizeof origin, "peer");
    jw_kstr(w, "origin", origin);
    for (size_t i = 0; ps && pid && origin[0] == 'p' && i < ps->n; i++)
        if (ps->p[i].sensor_id == pid && ps->p[i].party[0])
            jw_kstr(w, "party", ps->p[i].party); /* that party's track */
    enum app_class c = app_class_of(t, ps ? &ps->mil : NULL);
    jw_kstr(w, "class", app_class_name(c));
    jw_kbool(w, "military", c == APP_CLASS_MILITARY);
    /* the peers that fed it (fused: own and theirs) */
    int any = 0;
    for (unsigned i = 0; ps && i < t->n_sensors && i < TRK_MAX_SENSORS; i++) {
        char name[APP_PEER_NAME_MAX + 8];
        if (app_peers_sensor_name(ps, t->sensors[i].sensor_id, name, sizeof name) != 0)
            continue;
        if (!any++) {
            jw_key(w, "peers");
            jw_arr(w);
        }
        jw_str(w, name + 5);
    }
    if (any)
        jw_end(w);
    for (size_t i = 0; ps && i < ps->n_rel; i++)
        if (ps->rel[i].id == t->id) {
            jw_key(w, "releasable");
            jw_arr(w);
            for (size_t k = 0; k < ps->n; k++)
                if ((ps->rel[i].peers >> k) & 1u)
                    jw_str(w, ps->p[k].cfg.name);
            jw_end(w);
        }
}

int app_peers_release(struct app_peers *ps, uint32_t id, int on, const char *const *names, size_t n)
{
    uint32_t mask = 0;
    for (size_t i = 0; i < n; i++) {
        int k = peer_index(ps, names[i]);
        if (k < 0)
            return CAIRN_E_NOTFOUND;
        mask |= 1u << k;
    }
    if (n == 0)
        mask = ps->n >= 32 ? 0xFFFFFFFFu : (1u << ps->n) - 1u;
    for (size_t i = 0; i < ps->n_rel; i++)
        if (ps->rel[i].id == id) {
            if (on)
                ps->rel[i].peers = mask;
            else
                ps->rel[i] = ps->rel[--ps->n_rel];
            return 0;
        }
    if (!on)
        return 0;
    if (ps->n_rel >= APP_MAX_RELEASED)
        return CAIRN_E_FULL;
    ps->rel[ps->n_rel].id = id;
    ps->rel[ps->n_rel].peers = mask;
    ps->n_rel++;
    return 0;
}

void app_peers_gc(struct app_peers *ps, const struct trk_track *tracks, size_t n)
{
    if (!ps)
        return;
    for (size_t i = 0; i < ps->n_rel;) {
        int live = 0;
        for (size_t k = 0; k < n && !live; k++)
            live = tracks[k].id == ps->rel[i].id && tracks[k].status != TRK_ST_DELETED;
        if (live)
            i++;
        else
            ps->rel[i] = ps->rel[--ps->n_rel];
    }
}

void app_peers_link_json(const struct app_peers *ps, json_t *status, int64_t mono_ms)
{
    json_t *arr = json_object_get(status, "peers");
    if (!ps || !json_is_array(arr))
        return;
    size_t i;
    json_t *o;
    json_array_foreach(arr, i, o)
    {
        const char *name = json_string_value(json_object_get(o, "name"));
        int k = name ? peer_index(ps, name) : -1;
        if (k < 0)
            continue;
        const struct peer *p = &ps->p[k];
        json_t *pic = json_object();
        if (!pic)
            return;
        json_object_set_new(pic, "interval_s", json_real((double)p->cfg.interval_ms / 1e3));
        json_t *rel = json_array();
        for (unsigned c = 0; c < APP_CLASS_N; c++)
            if (p->cfg.release & APP_CLASS_BIT(c))
                json_array_append_new(rel, json_string(class_names[c]));
        json_object_set_new(pic, "release", rel);
        json_object_set_new(pic, "pictures_sent", json_integer((json_int_t)p->pictures_sent));
        json_object_set_new(pic, "pictures_skipped", json_integer((json_int_t)p->pictures_skipped));
        json_object_set_new(pic, "tracks_sent", json_integer((json_int_t)p->tracks_sent));
        json_t *wh = json_object();
        for (unsigned v = APP_V_ORIGIN; v < APP_V_N; v++)
            json_object_set_new(wh, app_verdict_name(v), json_integer((json_int_t)p->withheld[v]));
        json_object_set_new(wh, "size", json_integer((json_int_t)p->tracks_cut));
        json_object_set_new(pic, "tracks_withheld", wh);
        json_object_set_new(pic, "pictures_received",
                            json_integer((json_int_t)p->pictures_received));
        json_object_set_new(pic, "tracks_received", json_integer((json_int_t)p->tracks_received));
        if (p->last_rx_mono_ms)
            json_object_set_new(pic, "last_picture_age_s",
                                json_real((double)(mono_ms - p->last_rx_mono_ms) / 1e3));
        else
            json_object_set_new(pic, "last_picture_age_s", json_null());
        json_object_set_new(pic, "last_picture_tracks",
                            json_integer((json_int_t)p->last_rx_tracks));
        json_t *rf = json_object();
        json_object_set_new(rf, "garbage", json_integer((json_int_t)p->refused_garbage));
        json_object_set_new(rf, "outside_area", json_integer((json_int_t)p->refused_area));
        json_object_set_new(rf, "stale", json_integer((json_int_t)p->refused_stale));
        json_object_set_new(pic, "pictures_refused_flood",
                            json_integer((json_int_t)p->refused_flood));
        json_object_set_new(pic, "records_refused", rf);
        json_object_set_new(o, "picture", pic);
    }
}

void app_peers_metrics(const struct app_peers *ps, struct dbuf *o, int64_t mono_ms)
{
    if (!ps || !ps->n)
        return;
    char lab[128];
    struct {
        const char *name, *type, *help;
    } m[] = {
        {"cairn_peer_up", "gauge", "1 while the peer's hotline session is up"},
        {"cairn_peer_pictures_sent_total", "counter", "pictures sent to the peer"},
        {"cairn_peer_pictures_skipped_total", "counter",
         "pictures due but not sent (session down, or its output full)"},
        {"cairn_peer_tracks_sent_total", "counter", "track records sent to the peer"},
        {"cairn_peer_tracks_withheld_total", "counter",
         "tracks kept back by the release policy, by reason"},
        {"cairn_peer_pictures_received_total", "counter", "pictures taken from the peer"},
        {"cairn_peer_pictures_flood_total", "counter",
         "pictures dropped: closer than 200 ms to the one before"},
        {"cairn_peer_tracks_received_total", "counter",
         "records of the peer's given to the picture"},
        {"cairn_peer_records_refused_total", "counter",
         "records of the peer's not used, by reason (garbage, outside_area, stale)"},
        {"cairn_peer_last_picture_age_seconds", "gauge",
         "since the peer's last picture (-1: none yet)"},
    };
    struct hl_link *link = hl_daemon_link(ps->hl);
    for (size_t k = 0; k < sizeof m / sizeof m[0]; k++) {
        web_metric_head(o, m[k].name, m[k].type, m[k].help);
        for (size_t i = 0; i < ps->n; i++) {
            const struct peer *p = &ps->p[i];
            /* names are [A-Za-z0-9._-] (config.c): safe in a label */
            snprintf(lab, sizeof lab, "peer=\"%s\"", p->cfg.name);
            switch (k) {
            case 0:
                web_metric_sample(o, m[k].name, lab, hl_link_is_up(link, p->cfg.name));
                break;
            case 1:
                web_metric_sample(o, m[k].name, lab, (double)p->pictures_sent);
                break;
            case 2:
                web_metric_sample(o, m[k].name, lab, (double)p->pictures_skipped);
                break;
            case 3:
                web_metric_sample(o, m[k].name, lab, (double)p->tracks_sent);
                break;
            case 4:
                for (unsigned v = APP_V_ORIGIN; v <= APP_V_N; v++) {
                    snprintf(lab, sizeof lab, "peer=\"%s\",reason=\"%s\"", p->cfg.name,
                             v == APP_V_N ? "size" : app_verdict_name(v));
                    web_metric_sample(o, m[k].name, lab,
                                      (double)(v == APP_V_N ? p->tracks_cut : p->withheld[v]));
                }
                break;
            case 5:
                web_metric_sample(o, m[k].name, lab, (double)p->pictures_received);
                break;
            case 6:
                web_metric_sample(o, m[k].name, lab, (double)p->refused_flood);
                break;
            case 7:
                web_metric_sample(o, m[k].name, lab, (double)p->tracks_received);
                break;
            case 8: {
                const char *rs[3] = {"garbage", "outside_area", "stale"};
                uint64_t rv[3] = {p->refused_garbage, p->refused_area, p->refused_stale};
                for (int r = 0; r < 3; r++) {
                    snprintf(lab, sizeof lab, "peer=\"%s\",reason=\"%s\"", p->cfg.name, rs[r]);
                    web_metric_sample(o, m[k].name, lab, (double)rv[r]);
                }
                break;
            }
            default:
                web_metric_sample(o, m[k].name, lab,
                                  p->last_rx_mono_ms ? (double)(mono_ms - p->last_rx_mono_ms) / 1e3
                                                     : -1.0);
                break;
            }
        }
    }
}
