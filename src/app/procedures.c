/*
 * procedures.c — the centre's procedures (procedures.h has the rules and
 * the numbers with their sources).
 *
 * Layout: the [procedures] keys; the pure parts (drafting, notices); the
 * service: procedure alerts, drafts and their file, notices and zones,
 * renegade notification, compliance, and the web's topics and actions.
 */
#include "app/procedures.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/compliance.h"
#include "app/files.h"
#include "base/clock.h"
#include "base/error.h"
#include "base/jsonw.h"
#include "base/log.h"
#include "detect/detect.h"
#include "geo/zones.h"
#include "hotline/daemon.h"
#include "hotline/journal.h"
#include "hotline/msg.h"
#include "picture/picture.h"
#include "track/track.h"

#define MOD "procedures"

/* A draft as written is at most DRAFT_MAX_BYTES (a request body is 64 KiB;
 * escapes can grow it), so the file of PROC_MAX_DRAFTS of them stays under
 * DRAFTS_MAX_BYTES and always reads back. */
#define DRAFT_MAX_BYTES  (96u << 10)
#define DRAFTS_MAX_BYTES (32u << 20)

static const char *const cat_names[] = {"", "COMLOSS", "SUSPECTED", "PROBABLE", "CONFIRMED"};

/* ------------------------------------------------------------- the keys */

void proc_config_default(struct proc_config *pc)
{
    memset(pc, 0, sizeof *pc);
    pc->renegade_min = 2;
    pc->compliance_time_min = -1;
}

static int peer_name_ok(const char *s, size_t n)
{
    if (n == 0 || n >= PROC_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

int proc_config_key(struct proc_config *pc, const char *k, const char *v, char *err, size_t cap)
{
    if (!strcmp(k, "renegade_notify")) {
        pc->n_renegade_notify = 0;
        const char *p = v;
        while (*p) {
            while (*p == ' ' || *p == ',')
                p++;
            if (!*p)
                break;
            size_t n = strcspn(p, ", ");
            if (!peer_name_ok(p, n) || pc->n_renegade_notify >= PROC_MAX_PEERS) {
                snprintf(err, cap,
                         "renegade_notify wants up to %d peer names (roster names, "
                         "[A-Za-z0-9._-]) separated by commas",
                         PROC_MAX_PEERS);
                return CAIRN_E_FORMAT;
            }
            memcpy(pc->renegade_notify[pc->n_renegade_notify], p, n);
            pc->renegade_notify[pc->n_renegade_notify++][n] = 0;
            p += n;
        }
        return 0;
    }
    if (!strcmp(k, "renegade_min")) {
        for (int i = 1; i <= 4; i++)
            if (!strcmp(v, cat_names[i])) {
                pc->renegade_min = i;
                return 0;
            }
        snprintf(err, cap, "renegade_min wants COMLOSS, SUSPECTED, PROBABLE or CONFIRMED");
        return CAIRN_E_FORMAT;
    }
    if (!strcmp(k, "compliance_time")) {
        if (strlen(v) != 5 || v[2] != ':' || v[0] < '0' || v[0] > '2' || v[1] < '0' || v[1] > '9' ||
            v[3] < '0' || v[3] > '5' || v[4] < '0' || v[4] > '9' ||
            (v[0] - '0') * 10 + (v[1] - '0') > 23) {
            snprintf(err, cap, "compliance_time wants HH:MM (UTC)");
            return CAIRN_E_FORMAT;
        }
        pc->compliance_time_min =
            ((v[0] - '0') * 10 + (v[1] - '0')) * 60 + (v[3] - '0') * 10 + (v[4] - '0');
        return 0;
    }
    if (!strcmp(k, "compliance_parties")) {
        struct cpl_parties pp;
        if (strlen(v) >= sizeof pc->compliance_parties) {
            snprintf(err, cap, "compliance_parties: too long");
            return CAIRN_E_FORMAT;
        }
        int rc = cpl_parties_parse(v, &pp, err, cap);
        if (rc)
            return rc;
        snprintf(pc->compliance_parties, sizeof pc->compliance_parties, "%s", v);
        return 0;
    }
    return 1;
}

/* ---------------------------------------------------------- pure: drafts */

enum hl_type proc_draft_type(const struct det_alert *a)
{
    switch (a->rule) {
    case DET_RULE_RENEGADE:
        return HL_T_RENEGADE_ALERT;
    case DET_RULE_SEPARATION:
    case DET_RULE_NO_TRANSPONDER:
    case DET_RULE_TRANSPONDER_OFF:
    case DET_RULE_LOW_PASS:
    case DET_RULE_SEA_CPA:
    case DET_RULE_EMERGENCY:
        return HL_T_INCIDENT_REPORT;
    default:
        return HL_T_TRACK_QUERY;
    }
}

static double value_of(const struct det_alert *a, const char *name, double dflt)
{
    for (unsigned i = 0; i < a->n_values && i < DET_MAX_VALUES; i++)
        if (a->values[i].name && !strcmp(a->values[i].name, name))
            return a->values[i].v;
    return dflt;
}

/* A callsign as the catalogue's text may carry it: [A-Z0-9] only (what came
 * from the air is never copied raw into a signed message). */
static void clean_callsign(const char *cs, char out[9])
{
    size_t k = 0;
    for (size_t i = 0; i < 8 && cs[i]; i++)
        if ((cs[i] >= 'A' && cs[i] <= 'Z') || (cs[i] >= '0' && cs[i] <= '9'))
            out[k++] = cs[i];
    out[k] = 0;
}

static void party_text(const struct det_party *p, char *out, size_t cap)
{
    int n = snprintf(out, cap, "T%u", p->track_id);
    char cs[9];
    clean_callsign(p->callsign, cs);
    if ((p->ids & TRK_ID_CALLSIGN) && cs[0] && n > 0 && (size_t)n < cap)
        n += snprintf(out + n, cap - (size_t)n, " %s", cs);
    if ((p->ids & TRK_ID_ICAO) && n > 0 && (size_t)n < cap)
        n += snprintf(out + n, cap - (size_t)n, " icao:%06x", p->icao & 0xffffffu);
    if ((p->ids & TRK_ID_SQUAWK) && n > 0 && (size_t)n < cap)
        n += snprintf(out + n, cap - (size_t)n, " squawk %04o", p->squawk & 07777u);
    if ((p->ids & TRK_ID_MMSI) && n > 0 && (size_t)n < cap)
        snprintf(out + n, cap - (size_t)n, " mmsi:%u", p->mmsi);
}

/* The alert's sentence as message text: printable ASCII (det_textf's),
 * checked again here. */
static void alert_sentence(const struct det_alert *a, char *out, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < DET_TEXT_LEN && a->text[i] && k + 1 < cap; i++)
        out[k++] = a->text[i] >= 0x20 && a->text[i] < 0x7f ? a->text[i] : '?';
    out[k] = 0;
}

static int set_str(json_t *o, const char *k, const char *v)
{
    return json_object_set_new(o, k, json_string(v)) ? CAIRN_E_NOMEM : 0;
}

static int set_int(json_t *o, const char *k, int64_t v)
{
    return json_object_set_new(o, k, json_integer(v)) ? CAIRN_E_NOMEM : 0;
}

int proc_draft_fields(const struct det_alert *a, const struct trk_track *tr, enum hl_type t,
                      json_t *fields)
{
    char pos[64], txt[DET_TEXT_LEN + 256], who[160];
    int rc = 0;
    if (!isfinite(a->lat_deg) || !isfinite(a->lon_deg))
        pos[0] = 0;
    else
        snprintf(pos, sizeof pos, "%.6f,%.6f", a->lat_deg, a->lon_deg);
    alert_sentence(a, txt, sizeof txt);
    char track[16];
    snprintf(track, sizeof track, "T%u", a->n_parties ? a->parties[0].track_id : 0u);
    switch (t) {
    case HL_T_RENEGADE_ALERT: {
        int cat = (int)value_of(a, "category", 2);
        if (cat < 1 || cat > 4)
            cat = 2;
        rc |= set_str(fields, "category", cat_names[cat]);
        rc |= set_int(fields, "observed", a->t_seen_ms);
        if (pos[0])
            rc |= set_str(fields, "position", pos);
        rc |= set_str(fields, "track", track);
        if (a->n_parties) {
            const struct det_party *p = &a->parties[0];
            char cs[9];
            clean_callsign(p->callsign, cs);
            if ((p->ids & TRK_ID_CALLSIGN) && cs[0])
                rc |= set_str(fields, "callsign", cs);
            if (p->ids & TRK_ID_SQUAWK) {
                char sq[8];
                snprintf(sq, sizeof sq, "%04o", p->squawk & 07777u);
                rc |= set_str(fields, "squawk", sq);
            }
        }
        if (tr && (tr->flags & TRK_F_ALT))
            rc |= set_int(fields, "altitude_ft", tr->alt_ft);
        if (tr && isfinite(tr->track_deg))
            rc |= set_int(fields, "heading_deg", (int64_t)lround(tr->track_deg) % 360);
        rc |= set_str(fields, "text", txt);
        break;
    }
    case HL_T_INCIDENT_REPORT: {
        const char *kind = "OTHER";
        if (a->rule == DET_RULE_SEPARATION)
            kind = a->severity >= DET_SEV_ALERT ? "NEAR_MISS" : "DANGEROUS_APPROACH";
        else if (a->rule == DET_RULE_NO_TRANSPONDER || a->rule == DET_RULE_TRANSPONDER_OFF)
            kind = "NO_TRANSPONDER";
        else if (a->rule == DET_RULE_LOW_PASS)
            kind = "LOW_PASS_SHIP";
        else if (a->rule == DET_RULE_SEA_CPA)
            kind = "DANGEROUS_APPROACH";
        rc |= set_str(fields, "kind", kind);
        rc |= set_int(fields, "occurred", a->t_open_ms);
        if (pos[0])
            rc |= set_str(fields, "position", pos);
        size_t k = 0;
        who[0] = 0;
        for (unsigned i = 0; i < a->n_parties && i < 2; i++) {
            char one[80];
            party_text(&a->parties[i], one, sizeof one);
            int w = snprintf(who + k, sizeof who - k, "%s%s", i ? "; " : "", one);
            if (w > 0 && (size_t)w < sizeof who - k)
                k += (size_t)w;
        }
        if (who[0])
            rc |= set_str(fields, "tracks", who);
        double d = value_of(a, "h_m", NAN);
        if (isnan(d))
            d = value_of(a, "distance_m", NAN);
        if (isfinite(d) && d >= 0)
            rc |= set_int(fields, "min_distance_m", (int64_t)lround(d));
        rc |= set_str(fields, "description", txt);
        break;
    }
    case HL_T_TRACK_QUERY: {
        rc |= set_str(fields, "track", track);
        rc |= set_int(fields, "observed", a->t_seen_ms);
        if (pos[0])
            rc |= set_str(fields, "position", pos);
        if (a->n_parties) {
            party_text(&a->parties[0], who, sizeof who);
            char q[sizeof txt + sizeof who + 64];
            snprintf(q, sizeof q, "%s (%s) Please identify it and state its intentions.", txt, who);
            rc |= set_str(fields, "question", q);
        } else {
            rc |= set_str(fields, "question", txt);
        }
        break;
    }
    default:
        return CAIRN_E_MSGTYPE;
    }
    return rc ? CAIRN_E_NOMEM : 0;
}

/* --------------------------------------------------------- pure: notices */

/* A decimal number as the catalogue's HL_F_POS takes it, at most len bytes. */
static int parse_dec(const char **p, const char *end, double *out)
{
    const char *s = *p;
    double sign = 1, v = 0, scale = 1;
    int nd = 0;
    if (s < end && *s == '-') {
        sign = -1;
        s++;
    }
    while (s < end && *s >= '0' && *s <= '9' && nd < 4) {
        v = v * 10 + (*s++ - '0');
        nd++;
    }
    if (nd == 0 || (s < end && *s >= '0' && *s <= '9'))
        return -1;
    if (s < end && *s == '.') {
        s++;
        int nf = 0;
        while (s < end && *s >= '0' && *s <= '9' && nf < 9) {
            scale /= 10;
            v += (*s++ - '0') * scale;
            nf++;
        }
        if (nf == 0 || (s < end && *s >= '0' && *s <= '9'))
            return -1;
    }
    *out = sign * v;
    *p = s;
    return 0;
}

int proc_area_parse(const char *s, size_t len, double *lat, double *lon, size_t *n)
{
    const char *p = s, *end = s + len;
    *n = 0;
    for (;;) {
        double la, lo;
        if (*n >= PROC_AREA_MAX || parse_dec(&p, end, &la) || p >= end || *p != ',')
            return CAIRN_E_FORMAT;
        p++;
        if (parse_dec(&p, end, &lo) || la < -90 || la > 90 || lo < -180 || lo > 180)
            return CAIRN_E_FORMAT;
        lat[*n] = la;
        lon[*n] = lo;
        (*n)++;
        if (p == end)
            break;
        if (*p != ';')
            return CAIRN_E_FORMAT;
        p++;
    }
    /* a closed ring given with its first vertex repeated: drop the repeat */
    if (*n > 3 && lat[*n - 1] == lat[0] && lon[*n - 1] == lon[0])
        (*n)--;
    return *n >= 3 ? 0 : CAIRN_E_FORMAT;
}

static int field_int(const struct hl_msg *m, const char *name, int64_t *out)
{
    const struct hl_field *f = hl_msg_field(m, name);
    if (!f || f->kind != HL_KIND_INT)
        return -1;
    *out = f->i;
    return 0;
}

int proc_notice_parse(const struct hl_msg *m, int dir, const char *peer, uint64_t seq, int64_t t_ms,
                      struct proc_notice *out)
{
    memset(out, 0, sizeof *out);
    if (m->type != HL_T_ACTIVITY_NOTICE)
        return CAIRN_E_FORMAT;
    snprintf(out->sender, sizeof out->sender, "%s", m->sender);
    snprintf(out->peer, sizeof out->peer, "%s", peer);
    out->dir = dir;
    out->seq = seq;
    out->t_ms = t_ms;
    const struct hl_field *area = hl_msg_field(m, "area"), *kind = hl_msg_field(m, "kind");
    if (field_int(m, "start", &out->start_ms) || field_int(m, "end", &out->end_ms) || !area ||
        area->kind != HL_KIND_STR || !kind || kind->kind != HL_KIND_STR ||
        kind->s_len >= sizeof out->kind)
        return CAIRN_E_FORMAT;
    memcpy(out->kind, hl_field_str(m, kind), kind->s_len);
    out->kind[kind->s_len] = 0;
    if (field_int(m, "troops", &out->troops))
        out->troops = -1;
    if (field_int(m, "tanks", &out->tanks))
        out->tanks = -1;
    if (proc_area_parse(hl_field_str(m, area), area->s_len, out->lat, out->lon, &out->n_area))
        out->flags |= PROC_F_BAD_AREA;
    return 0;
}

static int periods_overlap(int64_t a0, int64_t a1, int64_t b0, int64_t b1)
{
    return a0 <= b1 && b0 <= a1;
}

void proc_notice_judge(struct proc_notice *n, const struct proc_notice *earlier, size_t n_earlier,
                       const struct proc_invite *inv, size_t n_inv)
{
    n->flags &= PROC_F_BAD_AREA;
    int land = n->troops > 0 || n->tanks > 0;
    n->required_ms = land ? PROC_LEAD_LAND_MS : PROC_LEAD_SEA_MS;
    n->lead_ms = n->start_ms - n->t_ms;
    if (n->lead_ms < n->required_ms)
        n->flags |= PROC_F_LATE;
    if (n->troops >= PROC_TROOPS_NOTIFY || n->tanks >= PROC_TANKS_NOTIFY) {
        int notified = n->lead_ms >= PROC_LEAD_LAND_MS;
        for (size_t i = 0; i < n_earlier && !notified; i++) {
            const struct proc_notice *e = &earlier[i];
            if (e != n && !strcmp(e->sender, n->sender) &&
                periods_overlap(e->start_ms, e->end_ms, n->start_ms, n->end_ms) &&
                e->start_ms - e->t_ms >= PROC_LEAD_LAND_MS)
                notified = 1;
        }
        if (!notified)
            n->flags |= PROC_F_NOTIFICATION;
    }
    if (n->troops >= PROC_TROOPS_OBSERVE) {
        int invited = 0;
        for (size_t i = 0; i < n_inv && !invited; i++)
            invited = !strcmp(inv[i].sender, n->sender) &&
                      periods_overlap(inv[i].start_ms, inv[i].end_ms, n->start_ms, n->end_ms);
        if (!invited)
            n->flags |= PROC_F_OBSERVERS;
    }
}

/* ---------------------------------------------------------- the service */

struct renegade_sent {
    uint32_t alert_id; /* 0: free */
};

struct proc {
    struct proc_config cfg;
    struct proc_env env;
    char self[PROC_NAME_MAX];
    char peers[PROC_MAX_PEERS][PROC_NAME_MAX];
    size_t n_peers;
    struct proc_stats st;
    /* alerts */
    struct det_alert alerts[PROC_MAX_ALERTS];
    size_t n_alerts;
    uint32_t next_alert;
    /* drafts */
    char drafts_path[PROC_PATH_MAX + 16];
    json_t *drafts; /* array of draft objects */
    int64_t next_draft;
    /* notices and zones */
    struct proc_notice notices[PROC_MAX_NOTICES];
    size_t n_notices;
    struct proc_invite invites[PROC_MAX_INVITES];
    size_t n_invites;
    json_t *base_fc;         /* the [picture] zones file, parsed, or NULL */
    struct geo_zones *zones; /* given to the picture */
    int zones_dirty;
    /* renegade */
    uint32_t renegade_done[PROC_MAX_ALERTS];
    size_t n_renegade_done;
    /* compliance */
    struct geo_zones *area;
    char area_name[64];
    struct cpl_parties parties;
    struct cpl_ledger ledger;
    char ledger_path[PROC_PATH_MAX + 16];
    int64_t ledger_saved_ms;  /* data time of the last save */
    int64_t last_summary_day; /* the UTC day whose summary went out */
    int64_t now_ms;
    int replaying;              /* proc_start: the journal's messages again */
    struct cpl_summary scratch; /* large */
};

/* ---- procedure alerts ---- */

static struct det_alert *alert_raise(struct proc *p, uint8_t rule, uint8_t sev, uint64_t key,
                                     double lat, double lon, int64_t t_ms, const char *text)
{
    /* the same (rule, key) still open: updated, not raised twice */
    for (size_t i = 0; i < p->n_alerts; i++) {
        struct det_alert *a = &p->alerts[i];
        if (a->rule == rule && a->key == key && a->state != DET_ST_CLEARED) {
            if (strncmp(a->text, text, DET_TEXT_LEN - 1) == 0)
                return a;
            a->state = DET_ST_UPDATED;
            a->t_seen_ms = a->t_change_ms = t_ms;
            snprintf(a->text, sizeof a->text, "%s", text);
            if (p->env.publish)
                p->env.publish(p->env.arg, a);
            return a;
        }
    }
    if (p->n_alerts == PROC_MAX_ALERTS) { /* the oldest goes */
        memmove(&p->alerts[0], &p->alerts[1], (PROC_MAX_ALERTS - 1) * sizeof p->alerts[0]);
        p->n_alerts--;
    }
    struct det_alert *a = &p->alerts[p->n_alerts++];
    memset(a, 0, sizeof *a);
    a->id = PROC_ALERT_ID0 + p->next_alert++;
    a->rule = rule;
    a->severity = sev;
    a->state = DET_ST_OPEN;
    a->key = key;
    a->lat_deg = lat;
    a->lon_deg = lon;
    a->t_open_ms = a->t_seen_ms = a->t_change_ms = t_ms;
    /* printable ASCII only, as det_textf's */
    size_t k = 0;
    for (size_t i = 0; text[i] && k + 1 < sizeof a->text; i++)
        a->text[k++] = text[i] >= 0x20 && text[i] < 0x7f ? text[i] : '?';
    a->text[k] = 0;
    if (p->env.publish)
        p->env.publish(p->env.arg, a);
    return a;
}

static void alert_clear(struct proc *p, uint8_t rule, uint64_t key, int64_t t_ms)
{
    for (size_t i = 0; i < p->n_alerts; i++) {
        struct det_alert *a = &p->alerts[i];
        if (a->rule == rule && a->key == key && a->state != DET_ST_CLEARED) {
            a->state = DET_ST_CLEARED;
            a->t_change_ms = t_ms;
            if (p->env.publish)
                p->env.publish(p->env.arg, a);
        }
    }
}

const struct det_alert *proc_alerts(const struct proc *p, size_t *n)
{
    *n = p->n_alerts;
    return p->alerts;
}

const struct proc_stats *proc_stats(const struct proc *p)
{
    return &p->st;
}

/* ---- the hotline ---- */

/* One control request (taken); the reply in out; 0 when {"ok":true}. */
static int hl_call(struct proc *p, json_t *req, struct dbuf *out)
{
    if (!req)
        return CAIRN_E_NOMEM;
    if (!p->env.hl) {
        json_decref(req);
        dbuf_adds(out, "{\"ok\":false,\"error\":\"STATE\",\"message\":\"no hotline\"}");
        return CAIRN_E_STATE;
    }
    char *txt = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    if (!txt)
        return CAIRN_E_NOMEM;
    int bad = hl_daemon_request(p->env.hl, txt, strlen(txt), out);
    free(txt);
    return bad ? CAIRN_E_INVAL : 0;
}

/* Send one message; the hotline's reply appended to out. fields borrowed. */
static int send_one(struct proc *p, const char *to, const char *type, json_t *fields,
                    const char *cas, struct dbuf *out)
{
    json_t *req = json_pack("{s:s, s:s, s:s, s:O}", "op", "send", "to", to, "type", type, "fields",
                            fields ? fields : json_object());
    if (req && cas)
        json_object_set_new(req, "case", json_string(cas));
    return hl_call(p, req, out);
}

static int is_peer(const struct proc *p, const char *name)
{
    for (size_t i = 0; i < p->n_peers; i++)
        if (!strcmp(p->peers[i], name))
            return 1;
    return 0;
}

/* ---- the compliance ledger across restarts (compliance.h) ---- */

#define LEDGER_SAVE_MS   60000 /* data time between saves; a kill -9 loses at most this */
#define LEDGER_MAX_BYTES (CPL_LEDGER_MAX * 64 + 64)

/* The ledger to ledger_path, atomically, 0600. */
static void ledger_save(struct proc *p)
{
    struct dbuf b;
    dbuf_init(&b, LEDGER_MAX_BYTES);
    int rc = cpl_ledger_write(&p->ledger, &b);
    if (!rc)
        rc = app_write_file(p->ledger_path, b.p ? b.p : "", b.len, 0600);
    if (rc)
        log_err(MOD, "compliance ledger not saved to %s: %s", p->ledger_path,
                rc == CAIRN_E_IO ? strerror(errno) : cairn_strerror(rc));
    dbuf_free(&b);
}

/* The ledger of an earlier run, if any, into p->ledger; a damaged file is
 * kept aside as .bad and the centre starts with an empty ledger. */
static void ledger_load(struct proc *p)
{
    if (access(p->ledger_path, F_OK) != 0)
        return;
    struct dbuf b;
    char err[PROC_PATH_MAX + 256];
    size_t bad = 0;
    int rc =
        app_read_file("compliance ledger", p->ledger_path, LEDGER_MAX_BYTES, &b, err, sizeof err);
    if (rc == 0) {
        rc = cpl_ledger_read(&p->ledger, &p->parties, b.p ? b.p : "", b.len, INT64_MIN, &bad);
        dbuf_free(&b);
        snprintf(err, sizeof err, "compliance ledger %s: not a ledger file", p->ledger_path);
    }
    if (rc) {
        log_warn(MOD, "%s: starting with an empty ledger (the file kept aside as .bad)", err);
        char aside[sizeof p->ledger_path + 8];
        snprintf(aside, sizeof aside, "%s.bad", p->ledger_path);
        rename(p->ledger_path, aside);
        return;
    }
    if (bad)
        log_warn(MOD, "compliance ledger %s: %zu damaged line(s) skipped", p->ledger_path, bad);
    log_info(MOD, "%zu flight(s) from the compliance ledger %s", p->ledger.n, p->ledger_path);
}

/* ---- drafts ---- */

static int drafts_write(struct proc *p)
{
    json_t *doc =
        json_pack("{s:I, s:O}", "next_id", (json_int_t)p->next_draft, "drafts", p->drafts);
    /* 0600: drafts are the centre's business, as the journal is */
    char *txt = doc ? json_dumps(doc, JSON_INDENT(1)) : NULL;
    json_decref(doc);
    if (!txt)
        return CAIRN_E_NOMEM;
    int rc = app_write_file(p->drafts_path, txt, strlen(txt), 0600);
    free(txt);
    if (rc)
        log_err(MOD, "drafts not saved to %s: %s", p->drafts_path, strerror(errno));
    return rc;
}

/* A draft's members from a client (or the file): type a catalogue name,
 * to a peer name or a list of them, fields an object of strings and
 * integers within the hotline's caps. NULL when good, else why. */
static const char *draft_check(const json_t *d)
{
    const char *type = json_string_value(json_object_get(d, "type"));
    if (!type || hl_catalogue_find(type, strlen(type)) == HL_T_NONE)
        return "type wants a message type of the catalogue";
    json_t *to = json_object_get(d, "to");
    if (to) {
        if (!json_is_array(to) || json_array_size(to) > PROC_MAX_PEERS)
            return "to wants a list of up to 8 peer names";
        size_t i;
        json_t *v;
        json_array_foreach(to, i, v)
        {
            const char *s = json_string_value(v);
            if (!s || !peer_name_ok(s, strlen(s)))
                return "to wants peer names";
        }
    }
    json_t *f = json_object_get(d, "fields");
    if (f) {
        if (!json_is_object(f) || json_object_size(f) > HL_FIELDS_MAX)
            return "fields wants an object of at most 32 fields";
        const char *k;
        json_t *v;
        json_object_foreach(f, k, v)
        {
            if (strlen(k) > HL_FNAME_MAX)
                return "a field name is at most 32 bytes";
            if (json_is_string(v) ? json_string_length(v) > HL_STR_MAX : !json_is_integer(v))
                return "field values are strings (at most 4096 bytes) or integers";
        }
    }
    const char *cas = json_string_value(json_object_get(d, "case"));
    if (json_object_get(d, "case") && (!cas || strlen(cas) > HL_CASE_MAX))
        return "case wants a case id";
    char *txt = json_dumps(d, JSON_COMPACT);
    size_t len = txt ? strlen(txt) : SIZE_MAX;
    free(txt);
    if (len > DRAFT_MAX_BYTES)
        return "the draft is too large";
    return NULL;
}

static void drafts_load(struct proc *p)
{
    p->drafts = json_array();
    p->next_draft = 1;
    if (access(p->drafts_path, F_OK) != 0)
        return;
    struct dbuf b;
    char err[256];
    if (app_read_file("drafts", p->drafts_path, DRAFTS_MAX_BYTES, &b, err, sizeof err) != 0) {
        log_warn(MOD, "%s: starting without drafts (the file kept aside as .bad)", err);
        char bad[sizeof p->drafts_path + 8];
        snprintf(bad, sizeof bad, "%s.bad", p->drafts_path);
        rename(p->drafts_path, bad);
        return;
    }
    json_error_t je;
    json_t *doc = json_loadb(b.p ? b.p : "", b.len, 0, &je);
    dbuf_free(&b);
    json_t *arr = json_object_get(doc, "drafts");
    json_int_t next = json_integer_value(json_object_get(doc, "next_id"));
    if (!json_is_array(arr) || next < 1) {
        log_warn(MOD, "drafts %s: not a drafts file (kept aside as .bad)", p->drafts_path);
        char bad[sizeof p->drafts_path + 8];
        snprintf(bad, sizeof bad, "%s.bad", p->drafts_path);
        rename(p->drafts_path, bad);
        json_decref(doc);
        return;
    }
    p->next_draft = next;
    size_t i;
    json_t *d;
    json_array_foreach(arr, i, d)
    {
        json_int_t id = json_integer_value(json_object_get(d, "id"));
        if (id < 1 || id >= next || draft_check(d) ||
            json_array_size(p->drafts) >= PROC_MAX_DRAFTS) {
            log_warn(MOD, "drafts %s: entry %zu dropped", p->drafts_path, i);
            continue;
        }
        json_array_append(p->drafts, d);
    }
    json_decref(doc);
    log_info(MOD, "%zu draft(s) from %s", json_array_size(p->drafts), p->drafts_path);
}

static json_t *draft_find(struct proc *p, const char *sid, size_t *idx)
{
    if (!sid)
        return NULL;
    char *end;
    long long id = strtoll(sid, &end, 10);
    if (*end || id < 1)
        return NULL;
    size_t i;
    json_t *d;
    json_array_foreach(p->drafts, i, d)
    {
        if (json_integer_value(json_object_get(d, "id")) == id) {
            if (idx)
                *idx = i;
            return d;
        }
    }
    return NULL;
}

static void iso_now(struct proc *p, char *out, size_t cap)
{
    clock_iso8601(p->now_ms ? p->now_ms : clock_now_ms(&cairn_clock_real), out, (unsigned)cap);
}

/* A new draft from a checked object (its members copied). */
static json_t *draft_add(struct proc *p, const json_t *src, const char *user)
{
    if (json_array_size(p->drafts) >= PROC_MAX_DRAFTS)
        return NULL;
    json_t *d = json_deep_copy(src);
    if (!d)
        return NULL;
    char iso[40];
    iso_now(p, iso, sizeof iso);
    json_object_set_new(d, "id", json_integer(p->next_draft++));
    if (!json_object_get(d, "fields"))
        json_object_set_new(d, "fields", json_object());
    if (!json_object_get(d, "to")) {
        json_t *to = json_array();
        for (size_t i = 0; i < p->n_peers; i++)
            json_array_append_new(to, json_string(p->peers[i]));
        json_object_set_new(d, "to", to);
    }
    json_object_set_new(d, "created", json_string(iso));
    json_object_set_new(d, "updated", json_string(iso));
    json_object_set_new(d, "by", json_string(user ? user : "api"));
    json_array_append_new(p->drafts, d);
    p->st.drafts_saved++;
    return d;
}

/* Only these members of a client's draft are taken. */
static json_t *draft_members(const json_t *body)
{
    json_t *o = json_object();
    static const char *const keep[] = {"type", "to", "fields", "case", "alert"};
    for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++) {
        json_t *v = json_object_get(body, keep[i]);
        if (v)
            json_object_set(o, keep[i], v);
    }
    /* "to" may be one name */
    json_t *to = json_object_get(o, "to");
    if (json_is_string(to))
        json_object_set_new(o, "to", json_pack("[O]", to));
    return o;
}

static int reply_error(struct dbuf *out, int status, const char *why)
{
    struct jsonw w;
    jw_init(&w, out);
    jw_obj(&w);
    jw_kstr(&w, "error", why);
    jw_end(&w);
    return status;
}

static int reply_json(struct dbuf *out, const json_t *j, int status)
{
    char *s = json_dumps(j, JSON_COMPACT);
    if (!s)
        return CAIRN_E_NOMEM;
    dbuf_adds(out, s);
    free(s);
    return status;
}

static const struct det_alert *find_alert(struct proc *p, const char *sid, struct det_alert *copy)
{
    if (!sid)
        return NULL;
    char *end;
    unsigned long long id = strtoull(sid, &end, 10);
    if (*end || !*sid || id == 0 || id > UINT32_MAX)
        return NULL;
    size_t cur = 0;
    const struct det_alert *a;
    while ((a = pic_alert_next(p->env.pic, &cur)) != NULL)
        if (a->id == id) {
            *copy = *a;
            return copy;
        }
    for (size_t i = 0; i < p->n_alerts; i++)
        if (p->alerts[i].id == id) {
            *copy = p->alerts[i];
            return copy;
        }
    return NULL;
}

static int act_alert_draft(struct proc *p, const struct web_req *rq, const json_t *body,
                           struct dbuf *out)
{
    struct det_alert a;
    if (!find_alert(p, rq->id, &a))
        return reply_error(out, 404, "no such alert");
    enum hl_type t = proc_draft_type(&a);
    const char *ts = json_string_value(json_object_get(body, "type"));
    if (ts) {
        t = hl_catalogue_find(ts, strlen(ts));
        if (t != HL_T_RENEGADE_ALERT && t != HL_T_INCIDENT_REPORT && t != HL_T_TRACK_QUERY)
            return reply_error(out, 400,
                               "type wants RENEGADE_ALERT, INCIDENT_REPORT or TRACK_QUERY");
    }
    const struct trk_track *tr =
        a.n_parties ? pic_track_by_id(p->env.pic, a.parties[0].track_id) : NULL;
    json_t *d = json_object();
    json_t *fields = json_object();
    int rc = proc_draft_fields(&a, tr, t, fields);
    json_object_set_new(d, "type", json_string(hl_type_name(t)));
    json_object_set_new(d, "fields", fields);
    json_object_set_new(d, "alert", json_integer(a.id));
    json_t *to = json_object_get(body, "to");
    if (json_is_string(to))
        json_object_set_new(d, "to", json_pack("[O]", to));
    else if (to)
        json_object_set(d, "to", to);
    const char *why = rc ? "out of memory" : draft_check(d);
    if (why) {
        json_decref(d);
        return reply_error(out, rc ? 500 : 400, why);
    }
    json_t *nd = draft_add(p, d, rq->user);
    json_decref(d);
    if (!nd)
        return reply_error(out, 409, "too many drafts: send or delete some");
    drafts_write(p);
    log_info(MOD, "alert %u drafted as %s, draft %lld (operator %s)", a.id, hl_type_name(t),
             (long long)json_integer_value(json_object_get(nd, "id")), rq->user ? rq->user : "?");
    return reply_json(out, nd, 201);
}

/* Send one message (type, fields, case from src) to each name of to; the
 * results into the reply. Returns how many failed. */
static size_t send_many(struct proc *p, const json_t *src, const json_t *to, json_t *sent,
                        json_t *failed)
{
    const char *type = json_string_value(json_object_get(src, "type"));
    json_t *fields = json_object_get(src, "fields");
    const char *cas = json_string_value(json_object_get(src, "case"));
    size_t i, bad = 0;
    json_t *v;
    json_array_foreach(to, i, v)
    {
        const char *name = json_string_value(v);
        struct dbuf r;
        dbuf_init(&r, 1u << 16);
        int rc = send_one(p, name, type, fields, cas, &r);
        json_t *rj = json_loadb(r.p ? r.p : "", r.len, 0, NULL);
        dbuf_free(&r);
        if (rc == 0 && rj) {
            json_t *row =
                json_pack("{s:s, s:O, s:O}", "to", name, "seq", json_object_get(rj, "seq"), "case",
                          json_object_get(rj, "case"));
            json_array_append_new(sent, row);
        } else {
            bad++;
            json_t *row = json_pack("{s:s}", "to", name);
            if (rj) {
                json_object_set(row, "error", json_object_get(rj, "error"));
                json_object_set(row, "message", json_object_get(rj, "message"));
            }
            json_array_append_new(failed, row);
        }
        json_decref(rj);
    }
    return bad;
}

/* POST /api/messages with a draft id or a list of peers (one peer: the
 * caller forwards it to the hotline as before). */
static int act_send(struct proc *p, const struct web_req *rq, const json_t *body, struct dbuf *out)
{
    json_t *did = json_object_get(body, "draft");
    const json_t *src = body;
    json_t *to = json_object_get(body, "to");
    size_t idx = 0;
    json_t *d = NULL;
    char sid[32];
    if (did) {
        if (json_is_integer(did))
            snprintf(sid, sizeof sid, "%lld", (long long)json_integer_value(did));
        else if (json_is_string(did))
            snprintf(sid, sizeof sid, "%s", json_string_value(did));
        else
            sid[0] = 0;
        d = draft_find(p, sid, &idx);
        if (!d)
            return reply_error(out, 404, "no such draft");
        src = d;
        if (!to)
            to = json_object_get(d, "to");
    } else if (!json_is_array(to)) {
        return 0; /* one peer: the hotline's own send */
    }
    const char *why = draft_check(src);
    json_t *names = json_is_string(to) ? json_pack("[O]", to) : json_incref(to);
    if (!why && (!json_is_array(names) || json_array_size(names) == 0 ||
                 json_array_size(names) > PROC_MAX_PEERS))
        why = "to wants one to 8 peer names";
    size_t i;
    json_t *v;
    json_array_foreach(names, i, v)
    {
        const char *n = json_string_value(v);
        if (!why && (!n || !peer_name_ok(n, strlen(n))))
            why = "to wants peer names";
    }
    if (why) {
        json_decref(names);
        return reply_error(out, 400, why);
    }
    to = names;
    json_t *sent = json_array(), *failed = json_array();
    size_t bad = send_many(p, src, to, sent, failed);
    json_t *r = json_pack("{s:b, s:O, s:O}", "ok", bad == 0, "sent", sent, "failed", failed);
    if (d && bad > 0 && json_array_size(sent) > 0) {
        /* the draft stays for the peers it did not reach, only */
        json_t *left = json_array();
        json_array_foreach(failed, i, v) json_array_append(left, json_object_get(v, "to"));
        json_object_set_new(d, "to", left);
        drafts_write(p);
    }
    json_decref(sent);
    json_decref(failed);
    if (d && bad == 0) {
        log_info(MOD, "draft %s sent to %zu peer(s) (operator %s)", sid, json_array_size(to),
                 rq->user ? rq->user : "?");
        json_array_remove(p->drafts, idx);
        drafts_write(p);
    }
    int st = reply_json(out, r, bad == 0 ? 200 : json_array_size(sent) ? 207 : 400);
    json_decref(r);
    json_decref(names);
    return st;
}

static int act_draft_save(struct proc *p, const struct web_req *rq, const json_t *body,
                          struct dbuf *out, int edit)
{
    if (!json_is_object(body))
        return reply_error(out, 400, "body wants a draft {type, to, fields}");
    json_t *m = draft_members(body);
    size_t idx = 0;
    json_t *old = NULL;
    if (edit) {
        old = draft_find(p, rq->id, &idx);
        if (!old) {
            json_decref(m);
            return reply_error(out, 404, "no such draft");
        }
        /* members not given stay as they were */
        const char *k;
        json_t *v;
        json_object_foreach(old, k, v)
        {
            if (!json_object_get(m, k))
                json_object_set(m, k, v);
        }
    }
    const char *why = draft_check(m);
    if (why) {
        json_decref(m);
        return reply_error(out, 400, why);
    }
    json_t *d;
    if (edit) {
        char iso[40];
        iso_now(p, iso, sizeof iso);
        json_object_set_new(m, "updated", json_string(iso));
        json_array_set(p->drafts, idx, m);
        d = m;
    } else {
        d = draft_add(p, m, rq->user);
        if (!d) {
            json_decref(m);
            return reply_error(out, 409, "too many drafts: send or delete some");
        }
    }
    int st = reply_json(out, d, edit ? 200 : 201);
    json_decref(m);
    drafts_write(p);
    return st;
}

/* ---- notices and zones ---- */

static int rebuild_zones(struct proc *p)
{
    json_t *fc = p->base_fc ? json_deep_copy(p->base_fc)
                            : json_pack("{s:s, s:[]}", "type", "FeatureCollection", "features");
    json_t *feats = json_object_get(fc, "features");
    if (!json_is_array(feats)) {
        json_decref(fc);
        return CAIRN_E_NOMEM;
    }
    for (size_t i = 0; i < p->n_notices; i++) {
        struct proc_notice *n = &p->notices[i];
        if (!n->zone)
            continue;
        json_t *ring = json_array();
        for (size_t k = 0; k <= n->n_area; k++) {
            size_t j = k % n->n_area;
            json_array_append_new(ring, json_pack("[f, f]", n->lon[j], n->lat[j]));
        }
        char name[GEO_ZONE_NAME_LEN], from[40], until[40];
        snprintf(name, sizeof name, "NOTICE %.40s#%llu", n->sender, (unsigned long long)n->seq);
        clock_iso8601(n->start_ms, from, sizeof from);
        clock_iso8601(n->end_ms, until, sizeof until);
        json_array_append_new(feats, json_pack("{s:s, s:{s:s, s:s, s:s, s:s}, s:{s:s, s:[o]}}",
                                               "type", "Feature", "properties", "name", name,
                                               "kind", "exercise", "from", from, "until", until,
                                               "geometry", "type", "Polygon", "coordinates", ring));
    }
    char *txt = json_dumps(fc, JSON_COMPACT);
    json_decref(fc);
    if (!txt)
        return CAIRN_E_NOMEM;
    struct geo_zones *z = NULL;
    char err[256];
    int rc = geo_zones_parse(txt, strlen(txt), &z, err, sizeof err);
    free(txt);
    if (rc != 0) {
        log_err(MOD, "notice zones not rebuilt: %s", err);
        return rc;
    }
    pic_set_zones(p->env.pic, z);
    geo_zones_free(p->zones);
    p->zones = z;
    return 0;
}

/* A notice's area as a zone alone: refused polygons (self-intersecting...)
 * stay out of the set, which must stay valid. */
static int area_valid(const struct proc_notice *n)
{
    char buf[4096];
    size_t k = (size_t)snprintf(buf, sizeof buf,
                                "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":"
                                "\"Feature\",\"properties\":{\"name\":\"x\",\"kind\":\"exercise\"},"
                                "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[");
    for (size_t i = 0; i <= n->n_area && k < sizeof buf; i++) {
        size_t j = i % n->n_area;
        k += (size_t)snprintf(buf + k, sizeof buf - k, "%s[%.9f,%.9f]", i ? "," : "", n->lon[j],
                              n->lat[j]);
    }
    if (k >= sizeof buf - 8)
        return 0;
    k += (size_t)snprintf(buf + k, sizeof buf - k, "]]}}]}");
    struct geo_zones *z = NULL;
    char err[128];
    int rc = geo_zones_parse(buf, k, &z, err, sizeof err);
    geo_zones_free(z);
    return rc == 0;
}

static uint64_t notice_key(const struct proc_notice *n, unsigned flag)
{
    /* FNV-1a of the peer, the direction, the seq and the flag */
    uint64_t h = 1469598103934665603ull;
    for (const char *s = n->peer; *s; s++)
        h = (h ^ (uint8_t)*s) * 1099511628211ull;
    h = (h ^ (uint64_t)n->dir) * 1099511628211ull;
    h = (h ^ n->seq) * 1099511628211ull;
    /* 52 bits: a JSON number any client reads exactly */
    return ((h ^ flag) * 1099511628211ull) & ((1ull << 52) - 1);
}

static void notice_centroid(const struct proc_notice *n, double *lat, double *lon)
{
    *lat = *lon = NAN;
    if (!n->n_area)
        return;
    double a = 0, b = 0;
    for (size_t i = 0; i < n->n_area; i++) {
        a += n->lat[i];
        b += n->lon[i];
    }
    *lat = a / (double)n->n_area;
    *lon = b / (double)n->n_area;
}

/* The alerts of a notice's flags: raised for the flags set, cleared for the
 * others. */
static void notice_alerts(struct proc *p, const struct proc_notice *n)
{
    double lat, lon;
    notice_centroid(n, &lat, &lon);
    char txt[DET_TEXT_LEN];
    const char *who = n->dir == HL_DIR_IN ? "from" : "to";
    if (n->flags & PROC_F_LATE) {
        snprintf(txt, sizeof txt,
                 "Late notice: ACTIVITY_NOTICE %s %.40s no. %llu (%s) came %.1f days before its "
                 "start; %s requires %lld days.",
                 who, n->peer, (unsigned long long)n->seq, n->kind,
                 (double)n->lead_ms / (double)PROC_DAY_MS,
                 n->required_ms == PROC_LEAD_LAND_MS ? "the Vienna Document" : "INCSEA",
                 (long long)(n->required_ms / PROC_DAY_MS));
        alert_raise(p, DET_RULE_NOTICE, DET_SEV_WARNING, notice_key(n, PROC_F_LATE), lat, lon,
                    p->now_ms, txt);
    } else {
        alert_clear(p, DET_RULE_NOTICE, notice_key(n, PROC_F_LATE), p->now_ms);
    }
    if (n->flags & PROC_F_NOTIFICATION) {
        snprintf(txt, sizeof txt,
                 "Not notified: ACTIVITY_NOTICE %s %.40s no. %llu declares %lld troops, %lld "
                 "tanks (Vienna Document: 9,000 / 250) without a notice 42 days ahead.",
                 who, n->peer, (unsigned long long)n->seq, (long long)n->troops,
                 (long long)n->tanks);
        alert_raise(p, DET_RULE_NOTICE, DET_SEV_WARNING, notice_key(n, PROC_F_NOTIFICATION), lat,
                    lon, p->now_ms, txt);
    } else {
        alert_clear(p, DET_RULE_NOTICE, notice_key(n, PROC_F_NOTIFICATION), p->now_ms);
    }
    if (n->flags & PROC_F_OBSERVERS) {
        snprintf(txt, sizeof txt,
                 "No observers invited: ACTIVITY_NOTICE %s %.40s no. %llu declares %lld troops "
                 "(Vienna Document: observers from 13,000) and no OBSERVER_INVITATION.",
                 who, n->peer, (unsigned long long)n->seq, (long long)n->troops);
        alert_raise(p, DET_RULE_NOTICE, DET_SEV_WARNING, notice_key(n, PROC_F_OBSERVERS), lat, lon,
                    p->now_ms, txt);
    } else {
        alert_clear(p, DET_RULE_NOTICE, notice_key(n, PROC_F_OBSERVERS), p->now_ms);
    }
}

static void on_notice(struct proc *p, int dir, const char *peer, uint64_t seq, int64_t t_ms,
                      const struct hl_msg *m)
{
    p->st.notices++;
    if (p->n_notices >= PROC_MAX_NOTICES) {
        p->st.notices_refused++;
        log_warn(MOD, "ACTIVITY_NOTICE %s %s no. %llu: %d notices already, not made a zone",
                 dir == HL_DIR_IN ? "from" : "to", peer, (unsigned long long)seq, PROC_MAX_NOTICES);
        return;
    }
    struct proc_notice *n = &p->notices[p->n_notices];
    if (proc_notice_parse(m, dir, peer, seq, t_ms, n) != 0) {
        p->st.notices_refused++;
        return;
    }
    p->n_notices++;
    proc_notice_judge(n, p->notices, p->n_notices - 1, p->invites, p->n_invites);
    if (!(n->flags & PROC_F_BAD_AREA) && !area_valid(n))
        n->flags |= PROC_F_BAD_AREA;
    n->zone = !(n->flags & PROC_F_BAD_AREA);
    if (n->flags & PROC_F_LATE)
        p->st.notices_late++;
    log_info(MOD, "ACTIVITY_NOTICE %s %s no. %llu: %s, lead %.1f days (needs %lld)%s%s%s%s",
             dir == HL_DIR_IN ? "from" : "to", peer, (unsigned long long)seq, n->kind,
             (double)n->lead_ms / (double)PROC_DAY_MS, (long long)(n->required_ms / PROC_DAY_MS),
             n->flags & PROC_F_LATE ? ", late" : "",
             n->flags & PROC_F_NOTIFICATION ? ", notification threshold" : "",
             n->flags & PROC_F_OBSERVERS ? ", observers threshold" : "",
             n->flags & PROC_F_BAD_AREA ? ", area not a valid polygon: no zone" : "");
    notice_alerts(p, n);
    if (n->zone)
        p->zones_dirty = 1;
}

static void on_invite(struct proc *p, const struct hl_msg *m)
{
    int64_t s, e;
    if (field_int(m, "start", &s) || field_int(m, "end", &e))
        return;
    if (p->n_invites >= PROC_MAX_INVITES) /* the oldest goes */
        memmove(&p->invites[0], &p->invites[1], (PROC_MAX_INVITES - 1) * sizeof p->invites[0]);
    else
        p->n_invites++;
    struct proc_invite *v = &p->invites[p->n_invites - 1];
    snprintf(v->sender, sizeof v->sender, "%s", m->sender);
    v->start_ms = s;
    v->end_ms = e;
    /* the observers' flag of this sender's notices may clear */
    for (size_t i = 0; i < p->n_notices; i++) {
        struct proc_notice *n = &p->notices[i];
        if (!(n->flags & PROC_F_OBSERVERS) || strcmp(n->sender, v->sender))
            continue;
        proc_notice_judge(n, p->notices, i, p->invites, p->n_invites);
        notice_alerts(p, n);
    }
}

/* ---- compliance ---- */

static int send_summary(struct proc *p, const char *to, int64_t from_ms, int64_t until_ms,
                        json_t *result)
{
    cpl_summarise(&p->ledger, &p->parties, from_ms, until_ms, &p->scratch);
    struct dbuf counts, flights;
    dbuf_init(&counts, 4096);
    dbuf_init(&flights, HL_STR_MAX);
    int rc = cpl_format(&p->scratch, &counts, &flights);
    if (rc == 0 && flights.len > HL_STR_MAX) { /* cut at a whole flight */
        size_t k = HL_STR_MAX;
        while (k > 0 && flights.p[k] != ';')
            k--;
        int64_t cut = 0;
        for (size_t i = k; i < flights.len; i++)
            cut += flights.p[i] == ';';
        flights.len = k;
        flights.p[k] = 0;
        p->scratch.omitted += cut;
    }
    json_t *fields = json_object();
    json_object_set_new(fields, "period_start", json_integer(from_ms));
    json_object_set_new(fields, "period_end", json_integer(until_ms));
    json_object_set_new(fields, "counts", json_string(counts.p ? counts.p : ""));
    if (flights.len)
        json_object_set_new(fields, "flights", json_string(flights.p));
    json_object_set_new(fields, "omitted", json_integer(p->scratch.omitted));
    if (p->area_name[0])
        json_object_set_new(fields, "area", json_string(p->area_name));
    dbuf_free(&counts);
    dbuf_free(&flights);
    struct dbuf r;
    dbuf_init(&r, 1u << 16);
    if (rc == 0)
        rc = send_one(p, to, "COMPLIANCE_SUMMARY", fields, NULL, &r);
    json_decref(fields);
    json_t *rj = json_loadb(r.p ? r.p : "", r.len, 0, NULL);
    dbuf_free(&r);
    if (result) {
        json_t *row = json_pack("{s:s, s:b}", "to", to, "ok", rc == 0);
        if (rj)
            json_object_set(row, rc == 0 ? "seq" : "message",
                            json_object_get(rj, rc == 0 ? "seq" : "message"));
        json_array_append_new(result, row);
    }
    json_decref(rj);
    if (rc == 0)
        p->st.summaries_sent++;
    else
        log_warn(MOD, "COMPLIANCE_SUMMARY to %s not sent: %s", to, cairn_strerror(rc));
    return rc;
}

static void on_summary(struct proc *p, const char *peer, uint64_t seq, const struct hl_msg *m)
{
    p->st.summaries_received++;
    const struct hl_field *c = hl_msg_field(m, "counts"), *f = hl_msg_field(m, "flights");
    struct cpl_summary *s = &p->scratch;
    memset(s, 0, sizeof *s);
    if (!c || c->kind != HL_KIND_STR || field_int(m, "period_start", &s->from_ms) ||
        field_int(m, "period_end", &s->until_ms) || (f && f->kind != HL_KIND_STR) ||
        cpl_parse(hl_field_str(m, c), c->s_len, f ? hl_field_str(m, f) : NULL, f ? f->s_len : 0,
                  s) != 0) {
        p->st.summaries_bad++;
        log_warn(MOD, "COMPLIANCE_SUMMARY from %s no. %llu: not in the summary's grammar", peer,
                 (unsigned long long)seq);
        return;
    }
    char(*disc)[CPL_DISC_LEN] = calloc(CPL_MAX_DISC, CPL_DISC_LEN);
    if (!disc)
        return;
    size_t n = cpl_compare(&p->ledger, &p->parties, peer, s, disc, CPL_MAX_DISC);
    for (size_t i = 0; i < n; i++) {
        uint64_t key = ((uint64_t)seq << 8) ^ i;
        for (const char *q = peer; *q; q++)
            key = (key ^ (uint8_t)*q) * 1099511628211ull;
        key &= (1ull << 52) - 1; /* a JSON number any client reads exactly */
        alert_raise(p, DET_RULE_COMPLIANCE, DET_SEV_CAUTION, key, NAN, NAN, p->now_ms, disc[i]);
    }
    p->st.discrepancies += n;
    log_info(MOD, "COMPLIANCE_SUMMARY from %s no. %llu: %zu discrepanc%s with our picture", peer,
             (unsigned long long)seq, n, n == 1 ? "y" : "ies");
    free(disc);
}

void proc_on_message(void *arg, int dir, const char *peer, uint64_t seq, int64_t t_ms,
                     const struct hl_msg *m)
{
    struct proc *p = arg;
    if (m->type == HL_T_ACTIVITY_NOTICE)
        on_notice(p, dir, peer, seq, t_ms, m);
    else if (m->type == HL_T_OBSERVER_INVITATION)
        on_invite(p, m);
    else if (m->type == HL_T_COMPLIANCE_SUMMARY && dir == HL_DIR_IN && !p->replaying)
        on_summary(p, peer, seq, m);
    else if (m->type == HL_T_COMPLIANCE_SUMMARY && dir == HL_DIR_OUT && p->replaying) {
        /* a daily summary already sent (a whole UTC day): not again today */
        int64_t s0, s1;
        if (!field_int(m, "period_start", &s0) && !field_int(m, "period_end", &s1) &&
            s0 % PROC_DAY_MS == 0 && s1 == s0 + PROC_DAY_MS &&
            s1 / PROC_DAY_MS > p->last_summary_day)
            p->last_summary_day = s1 / PROC_DAY_MS;
    }
    if (p->zones_dirty && !p->replaying) {
        rebuild_zones(p);
        p->zones_dirty = 0;
    }
}

/* ---- renegade notification ---- */

void proc_on_alert(struct proc *p, const struct det_alert *a)
{
    if (a->rule != DET_RULE_RENEGADE)
        return;
    size_t k;
    for (k = 0; k < p->n_renegade_done; k++)
        if (p->renegade_done[k] == a->id)
            break;
    int done = k < p->n_renegade_done;
    if (a->state == DET_ST_CLEARED) { /* the episode ends */
        if (done)
            p->renegade_done[k] = p->renegade_done[--p->n_renegade_done];
        return;
    }
    int cat = (int)value_of(a, "category", 0);
    if (done || cat < p->cfg.renegade_min || !p->cfg.n_renegade_notify)
        return;
    if (p->n_renegade_done == PROC_MAX_ALERTS) /* forget the oldest episode */
        memmove(&p->renegade_done[0], &p->renegade_done[1],
                (PROC_MAX_ALERTS - 1) * sizeof p->renegade_done[0]);
    else
        p->n_renegade_done++;
    p->renegade_done[p->n_renegade_done - 1] = a->id;
    const struct trk_track *tr =
        a->n_parties ? pic_track_by_id(p->env.pic, a->parties[0].track_id) : NULL;
    json_t *fields = json_object();
    if (proc_draft_fields(a, tr, HL_T_RENEGADE_ALERT, fields) != 0) {
        json_decref(fields);
        p->st.renegade_errors++;
        return;
    }
    for (size_t i = 0; i < p->cfg.n_renegade_notify; i++) {
        const char *to = p->cfg.renegade_notify[i];
        struct dbuf r;
        dbuf_init(&r, 1u << 16);
        int rc = send_one(p, to, "RENEGADE_ALERT", fields, NULL, &r);
        if (rc == 0) {
            p->st.renegade_sent++;
            log_warn(MOD, "alert %u: RENEGADE %s sent to %s with the operators' alert (CAI)", a->id,
                     cat_names[cat], to);
        } else {
            p->st.renegade_errors++;
            log_err(MOD, "alert %u: RENEGADE_ALERT to %s not sent: %.200s", a->id, to,
                    r.p ? r.p : "");
        }
        dbuf_free(&r);
    }
    json_decref(fields);
}

/* ---- every cycle ---- */

void proc_cycle(struct proc *p, const struct trk_track *t, size_t n, int64_t now_ms)
{
    p->now_ms = now_ms;
    if (p->area) {
        cpl_ledger_feed(&p->ledger, p->area, &p->parties, t, n, now_ms);
        if (p->ledger.n && now_ms - p->ledger_saved_ms >= LEDGER_SAVE_MS) {
            ledger_save(p);
            p->ledger_saved_ms = now_ms;
        }
    }
    if (p->zones_dirty) {
        rebuild_zones(p);
        p->zones_dirty = 0;
    }
    /* the daily summary: yesterday's, at compliance_time, once a day */
    if (p->cfg.compliance_time_min < 0 || !p->env.hl || !p->area)
        return;
    int64_t day = now_ms / PROC_DAY_MS;
    int64_t due = day * PROC_DAY_MS + (int64_t)p->cfg.compliance_time_min * 60000;
    if (now_ms < due || p->last_summary_day == day)
        return;
    p->last_summary_day = day;
    for (size_t i = 0; i < p->n_peers; i++)
        send_summary(p, p->peers[i], (day - 1) * PROC_DAY_MS, day * PROC_DAY_MS, NULL);
}

/* ---- the web ---- */

static void zone_json(json_t *arr, const struct geo_zone *z, const struct proc *p)
{
    json_t *o = json_pack("{s:s, s:s}", "name", z->name, "kind", geo_zone_kind_name(z->kind));
    char iso[40];
    if (z->from_ms != INT64_MIN) {
        clock_iso8601(z->from_ms, iso, sizeof iso);
        json_object_set_new(o, "from", json_string(iso));
    }
    if (z->until_ms != INT64_MAX) {
        clock_iso8601(z->until_ms, iso, sizeof iso);
        json_object_set_new(o, "until", json_string(iso));
    }
    json_object_set_new(o, "active", json_boolean(geo_zone_active(z, p->now_ms)));
    json_object_set_new(o, "bbox",
                        json_pack("[f, f, f, f]", z->lat_min, z->lon_min, z->lat_max, z->lon_max));
    json_array_append_new(arr, o);
}

static json_t *notice_json(const struct proc_notice *n)
{
    json_t *flags = json_array();
    if (n->flags & PROC_F_LATE)
        json_array_append_new(flags, json_string("late"));
    if (n->flags & PROC_F_NOTIFICATION)
        json_array_append_new(flags, json_string("notification_threshold"));
    if (n->flags & PROC_F_OBSERVERS)
        json_array_append_new(flags, json_string("observers_threshold"));
    if (n->flags & PROC_F_BAD_AREA)
        json_array_append_new(flags, json_string("bad_area"));
    json_t *area = json_array();
    for (size_t i = 0; i < n->n_area; i++)
        json_array_append_new(area, json_pack("[f, f]", n->lat[i], n->lon[i]));
    char name[GEO_ZONE_NAME_LEN];
    snprintf(name, sizeof name, "NOTICE %.40s#%llu", n->sender, (unsigned long long)n->seq);
    return json_pack("{s:s, s:s, s:s, s:I, s:s, s:o, s:f, s:I, s:s*, s:o}", "peer", n->peer, "dir",
                     n->dir == HL_DIR_IN ? "in" : "out", "sender", n->sender, "seq",
                     (json_int_t)n->seq, "kind", n->kind, "flags", flags, "lead_days",
                     (double)n->lead_ms / (double)PROC_DAY_MS, "required_days",
                     (json_int_t)(n->required_ms / PROC_DAY_MS), "zone", n->zone ? name : NULL,
                     "area", area);
}

static int get_zones(struct proc *p, struct dbuf *out)
{
    json_t *zs = json_array(), *ns = json_array();
    for (size_t i = 0; p->zones && i < p->zones->n; i++)
        zone_json(zs, &p->zones->z[i], p);
    for (size_t i = 0; i < p->n_notices; i++)
        json_array_append_new(ns, notice_json(&p->notices[i]));
    json_t *r = json_pack("{s:o, s:o}", "zones", zs, "notices", ns);
    int st = reply_json(out, r, 200);
    json_decref(r);
    return st;
}

static int get_compliance(struct proc *p, struct dbuf *out)
{
    int64_t day = p->now_ms / PROC_DAY_MS;
    cpl_summarise(&p->ledger, &p->parties, day * PROC_DAY_MS, p->now_ms + 1, &p->scratch);
    json_t *counts = json_array(), *flights = json_array();
    for (size_t i = 0; i < p->scratch.n_c; i++) {
        const struct cpl_count *c = &p->scratch.c[i];
        json_array_append_new(
            counts, json_pack("{s:s, s:I, s:I, s:I, s:I}", "party", c->party, "flights",
                              (json_int_t)c->flights, "transponder", (json_int_t)c->xpdr,
                              "flight_plan", (json_int_t)c->plan, "radio", (json_int_t)c->radio));
    }
    for (size_t i = 0; i < p->scratch.n_f; i++) {
        const struct cpl_flight *f = &p->scratch.f[i];
        char tri[4] = {f->xpdr, f->plan, f->radio, 0};
        json_t *o = json_pack("{s:I, s:s, s:s}", "track_id", (json_int_t)f->track_id, "party",
                              f->party, "triple", tri);
        if (f->has_icao) {
            char h[8];
            snprintf(h, sizeof h, "%06x", f->icao);
            json_object_set_new(o, "icao", json_string(h));
        }
        if (f->callsign[0])
            json_object_set_new(o, "callsign", json_string(f->callsign));
        json_array_append_new(flights, o);
    }
    json_t *r = json_pack("{s:b, s:s, s:I, s:o, s:o, s:I, s:I}", "area", p->area != NULL, "name",
                          p->area_name, "day_start_ms", (json_int_t)(day * PROC_DAY_MS), "counts",
                          counts, "flights", flights, "omitted", (json_int_t)p->scratch.omitted,
                          "ledger_dropped", (json_int_t)p->ledger.dropped);
    int st = reply_json(out, r, 200);
    json_decref(r);
    return st;
}

static int parse_time(const json_t *v, int64_t *out)
{
    if (json_is_integer(v)) {
        *out = json_integer_value(v);
        return *out >= 0 ? 0 : -1;
    }
    const char *s = json_string_value(v);
    if (!s)
        return -1;
    struct hl_msg m; /* the catalogue's strict ISO reader, through a scratch message */
    hl_msg_init(&m, HL_T_COMPLIANCE_SUMMARY);
    if (hl_msg_add_text(&m, "period_start", s) != 0)
        return -1;
    *out = hl_msg_field(&m, "period_start")->i;
    return 0;
}

static int act_compliance(struct proc *p, const json_t *body, struct dbuf *out)
{
    if (!p->env.hl)
        return reply_error(out, 409, "no hotline");
    int64_t day = p->now_ms / PROC_DAY_MS;
    int64_t from = day * PROC_DAY_MS, until = p->now_ms;
    json_t *f = json_object_get(body, "from"), *u = json_object_get(body, "until");
    if ((f && parse_time(f, &from)) || (u && parse_time(u, &until)) || until <= from)
        return reply_error(out, 400, "from, until want UTC times (ISO 8601 or ms), from < until");
    json_t *to = json_object_get(body, "to");
    json_t *names = json_array();
    if (json_is_string(to))
        json_array_append(names, to);
    else if (json_is_array(to))
        json_array_extend(names, to);
    else
        for (size_t i = 0; i < p->n_peers; i++)
            json_array_append_new(names, json_string(p->peers[i]));
    size_t i;
    json_t *v;
    json_array_foreach(names, i, v)
    {
        const char *s = json_string_value(v);
        if (!s || !is_peer(p, s) || i >= PROC_MAX_PEERS) {
            json_decref(names);
            return reply_error(out, 400, "to wants peer names of the roster");
        }
    }
    json_t *res = json_array();
    size_t bad = 0;
    json_array_foreach(names, i, v) bad +=
        send_summary(p, json_string_value(v), from, until, res) != 0;
    json_decref(names);
    json_t *r = json_pack("{s:b, s:o}", "ok", bad == 0, "sent", res);
    int st = reply_json(out, r, bad ? 400 : 200);
    json_decref(r);
    return st;
}

int proc_get(struct proc *p, enum web_topic t, const struct web_req *rq, struct dbuf *out)
{
    switch (t) {
    case WEB_GET_DRAFTS: {
        json_t *r = json_pack("{s:O}", "drafts", p->drafts);
        int st = reply_json(out, r, 200);
        json_decref(r);
        return st;
    }
    case WEB_GET_DRAFT: {
        json_t *d = draft_find(p, rq->id, NULL);
        return d ? reply_json(out, d, 200) : reply_error(out, 404, "no such draft");
    }
    case WEB_GET_ZONES:
        return get_zones(p, out);
    case WEB_GET_COMPLIANCE:
        return get_compliance(p, out);
    default:
        return 0;
    }
}

int proc_action(struct proc *p, enum web_action a, const struct web_req *rq, const json_t *body,
                struct dbuf *out)
{
    switch (a) {
    case WEB_ACT_ALERT_DRAFT:
        return act_alert_draft(p, rq, body, out);
    case WEB_ACT_DRAFT_SAVE:
        return act_draft_save(p, rq, body, out, 0);
    case WEB_ACT_DRAFT_EDIT:
        return act_draft_save(p, rq, body, out, 1);
    case WEB_ACT_DRAFT_DELETE: {
        size_t idx;
        if (!draft_find(p, rq->id, &idx))
            return reply_error(out, 404, "no such draft");
        json_array_remove(p->drafts, idx);
        drafts_write(p);
        dbuf_adds(out, "{\"ok\":true}");
        return 200;
    }
    case WEB_ACT_MSG_SEND:
        return body ? act_send(p, rq, body, out) : 0;
    case WEB_ACT_COMPLIANCE_SEND:
        return act_compliance(p, body, out);
    default:
        return 0;
    }
}

void proc_decorate_list(struct proc *p, struct dbuf *out)
{
    if (!out->len)
        return;
    json_t *j = json_loadb(out->p, out->len, 0, NULL);
    json_t *msgs = json_object_get(j, "messages");
    if (!json_is_array(msgs)) {
        json_decref(j);
        return;
    }
    size_t i;
    json_t *m;
    int changed = 0;
    json_array_foreach(msgs, i, m)
    {
        const char *type = json_string_value(json_object_get(m, "type"));
        if (!type || strcmp(type, "ACTIVITY_NOTICE"))
            continue;
        const char *peer = json_string_value(json_object_get(m, "peer"));
        const char *dir = json_string_value(json_object_get(m, "dir"));
        json_int_t seq = json_integer_value(json_object_get(m, "seq"));
        if (!peer || !dir)
            continue;
        int d = !strcmp(dir, "in") ? HL_DIR_IN : HL_DIR_OUT;
        for (size_t k = 0; k < p->n_notices; k++) {
            const struct proc_notice *n = &p->notices[k];
            if (n->dir != d || n->seq != (uint64_t)seq || strcmp(n->peer, peer))
                continue;
            json_t *nj = notice_json(n);
            json_object_set(m, "flags", json_object_get(nj, "flags"));
            json_object_set(m, "lead_days", json_object_get(nj, "lead_days"));
            json_object_set(m, "required_days", json_object_get(nj, "required_days"));
            json_object_set(m, "zone", json_object_get(nj, "zone"));
            json_decref(nj);
            changed = 1;
            break;
        }
    }
    if (changed) {
        char *s = json_dumps(j, JSON_COMPACT);
        if (s) {
            dbuf_reset(out);
            dbuf_adds(out, s);
            free(s);
        }
    }
    json_decref(j);
}

/* ---- life ---- */

int proc_new(const struct proc_config *pc, const struct proc_env *env, struct proc **out, char *err,
             size_t cap)
{
    *out = NULL;
    struct proc *p = calloc(1, sizeof *p);
    if (!p)
        return CAIRN_E_NOMEM;
    p->cfg = *pc;
    p->env = *env;
    p->last_summary_day = -1;
    int rc = cpl_parties_parse(pc->compliance_parties, &p->parties, err, cap);
    if (rc)
        goto fail;
    if (env->zones_file && env->zones_file[0]) {
        struct dbuf b;
        if ((rc = app_read_file("zones", env->zones_file, GEO_ZONES_MAX_BYTES, &b, err, cap)))
            goto fail;
        p->base_fc = json_loadb(b.p ? b.p : "", b.len, 0, NULL);
        dbuf_free(&b);
        if (!json_is_object(p->base_fc) ||
            !json_is_array(json_object_get(p->base_fc, "features"))) {
            snprintf(err, cap, "zones %s: not a FeatureCollection", env->zones_file);
            rc = CAIRN_E_FORMAT;
            goto fail;
        }
    }
    if (pc->compliance_area[0]) {
        if ((rc = app_load_zones(pc->compliance_area, &p->area, err, cap)))
            goto fail;
        if (p->area->n)
            snprintf(p->area_name, sizeof p->area_name, "%s", p->area->z[0].name);
        if ((rc = cpl_ledger_init(&p->ledger, CPL_LEDGER_MAX))) {
            snprintf(err, cap, "compliance ledger: %s", cairn_strerror(rc));
            goto fail;
        }
    }
    if (pc->drafts[0])
        snprintf(p->drafts_path, sizeof p->drafts_path, "%s", pc->drafts);
    else if (env->journal && env->journal[0])
        snprintf(p->drafts_path, sizeof p->drafts_path, "%s.drafts", env->journal);
    else
        snprintf(p->drafts_path, sizeof p->drafts_path, "cairn.drafts");
    drafts_load(p);
    if (p->area) {
        if (env->journal && env->journal[0])
            snprintf(p->ledger_path, sizeof p->ledger_path, "%s.compliance", env->journal);
        else
            snprintf(p->ledger_path, sizeof p->ledger_path, "cairn.compliance");
        ledger_load(p); /* pruned by the data clock, at the first cycle */
    }
    *out = p;
    return 0;
fail:
    proc_free(p);
    return rc;
}

void proc_free(struct proc *p)
{
    if (!p)
        return;
    if (p->area && p->ledger.n && p->ledger_path[0])
        ledger_save(p); /* a clean stop or a reload: nothing of the day lost */
    json_decref(p->drafts);
    json_decref(p->base_fc);
    geo_zones_free(p->zones);
    geo_zones_free(p->area);
    cpl_ledger_fini(&p->ledger);
    free(p);
}

void proc_start(struct proc *p, struct hl_daemon_ctx *hl, int64_t now_ms)
{
    p->now_ms = now_ms;
    p->env.hl = hl;
    if (!p->env.hl)
        return;
    struct dbuf r;
    dbuf_init(&r, 1u << 16);
    if (hl_call(p, json_pack("{s:s}", "op", "status"), &r) == 0) {
        json_t *j = json_loadb(r.p, r.len, 0, NULL);
        snprintf(p->self, sizeof p->self, "%s",
                 json_string_value(json_object_get(j, "centre"))
                     ? json_string_value(json_object_get(j, "centre"))
                     : "");
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(j, "peers"), i, v)
        {
            const char *name = json_string_value(json_object_get(v, "name"));
            if (name && p->n_peers < PROC_MAX_PEERS && strlen(name) < PROC_NAME_MAX)
                snprintf(p->peers[p->n_peers++], PROC_NAME_MAX, "%s", name);
        }
        json_decref(j);
    }
    dbuf_free(&r);
    for (size_t i = 0; i < p->cfg.n_renegade_notify; i++)
        if (!is_peer(p, p->cfg.renegade_notify[i]))
            log_warn(MOD, "renegade_notify: %s is not a peer of the roster (sends will fail)",
                     p->cfg.renegade_notify[i]);
    /* the notices already in the journal become zones again (invitations
     * first: they clear the observers' flag) */
    p->replaying = 1;
    int ni = hl_daemon_replay(p->env.hl, HL_T_OBSERVER_INVITATION);
    int nn = hl_daemon_replay(p->env.hl, HL_T_ACTIVITY_NOTICE);
    if (p->area && p->cfg.compliance_time_min >= 0)
        hl_daemon_replay(p->env.hl, HL_T_COMPLIANCE_SUMMARY);
    p->replaying = 0;
    if (ni > 0 || nn > 0)
        log_info(MOD, "from the journal: %d activity notice(s), %d invitation(s)", nn, ni);
    if (p->zones_dirty) {
        rebuild_zones(p);
        p->zones_dirty = 0;
    }
}
