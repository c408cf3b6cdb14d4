/*
 * procedures.h — the centre's procedures wired to the hotline: alerts
 * drafted into messages, renegade alerts sent to the peers automatically,
 * activity notices turned into zones and judged against the Vienna
 * Document and INCSEA lead times and thresholds, and the transponder
 * compliance summaries (app/compliance.h). The [procedures] section of
 * docs/centre.md is the reference; ../shared/docs/domain.md §1-3 the source
 * of the procedures and numbers.
 *
 * Alert -> message (proc_draft_type, proc_draft_fields: pure). The alert's
 * rule chooses the type: RENEGADE a RENEGADE_ALERT; SEPARATION,
 * NO_TRANSPONDER, TRANSPONDER_OFF, LOW_PASS, SEA_CPA, EMERGENCY an
 * INCIDENT_REPORT; the others (ZONE, AIS_GAP, ...) a TRACK_QUERY. The
 * fields come from the alert (time, position, the parties' identities, its
 * sentence and values) and, when the track is still in the picture, from
 * the track (altitude, heading). A draft is kept by the centre until sent
 * or deleted, in a file beside the journal (JOURNAL.drafts, JSON, written to
 * a temporary file and renamed: a crash leaves the old or the new file).
 *
 * Renegade notification (CAI procedure: the centre informs its national
 * authorities and, at the same time, the other party's centre). In the
 * cycle a RENEGADE alert reaches renegade_min (default SUSPECTED: COMLOSS
 * alone is a radio failure, which the agreements do not treat as a
 * renegade), the centre sends a RENEGADE_ALERT to every peer of
 * renegade_notify — in the alert callback, the same one that publishes the
 * alert to the operators. Once per alert episode (OPEN .. CLEARED): a later
 * change of category is for the operators to send.
 *
 * Notices become zones. An ACTIVITY_NOTICE sent or received becomes a zone
 * of kind "exercise" named "NOTICE SENDER#SEQ", active from its start to
 * its end, added after the [picture] zones (the ZONE rule's keys hold
 * zone indexes, so earlier zones never move). Its lead time is the time
 * from when it was stored (received, or sent) to its start. Which rule:
 *   - a notice declaring ground forces (troops or tanks above 0) is a
 *     military activity on land: Vienna Document 2011, 42 days;
 *   - any other (naval, air, hazardous operations, firings, lasers): the
 *     INCSEA agreement's 3 days. (cairn has no land/sea map; the
 *     declaration decides.)
 * Flags (proc_notice_judge: pure):
 *   late          the lead time is below the rule's;
 *   notification  troops >= 9,000 or battle tanks >= 250 (Vienna Document
 *                 notification thresholds) and no notice of the same sender
 *                 for an overlapping period arrived 42 days ahead;
 *   observers     troops >= 13,000 and no OBSERVER_INVITATION of the same
 *                 sender for an overlapping period (cleared when one comes).
 * Each flag is an alert (rule NOTICE, WARNING) and shows on the message in
 * /api/messages ("flags"). At start the journal's notices and invitations
 * are replayed, so the zones and flags come back.
 *
 * Compliance: app/compliance.h; the summary of the previous UTC day goes to
 * every peer at compliance_time, and on demand (POST /api/compliance).
 * A received summary is compared with the ledger; each discrepancy is an
 * alert (rule COMPLIANCE, CAUTION).
 *
 * Procedure alerts are det_alert records (rule DET_RULE_NOTICE or
 * DET_RULE_COMPLIANCE) with ids from PROC_ALERT_ID0 up, listed after the
 * picture's in /api/alerts and published as "alert" events; at most
 * PROC_MAX_ALERTS (the oldest go first).
 *
 * Threads: the centre's loop only.
 */
#ifndef CAIRN_APP_PROCEDURES_H
#define CAIRN_APP_PROCEDURES_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/dbuf.h"
#include "hotline/catalogue.h"
#include "web/web.h"

struct det_alert;
struct trk_track;
struct hl_msg;
struct pic;
struct hl_daemon_ctx;
struct geo_zones;

#define PROC_MAX_PEERS   8
#define PROC_NAME_MAX    65
#define PROC_PATH_MAX    512
#define PROC_MAX_NOTICES 64 /* notice zones (more are refused, counted) */
#define PROC_MAX_INVITES 64
#define PROC_MAX_ALERTS  256
#define PROC_MAX_DRAFTS  256
#define PROC_ALERT_ID0   0x40000000u /* the detector's ids count from 1 */

#define PROC_DAY_MS         86400000LL
#define PROC_LEAD_LAND_MS   (42 * PROC_DAY_MS) /* Vienna Document 2011 §38: 42 days */
#define PROC_LEAD_SEA_MS    (3 * PROC_DAY_MS)  /* INCSEA 1972: 3 to 5 days */
#define PROC_TROOPS_NOTIFY  9000               /* Vienna Document 2011 §38.1 */
#define PROC_TANKS_NOTIFY   250
#define PROC_TROOPS_OBSERVE 13000 /* Vienna Document 2011 §47.4 */

struct proc_config {
    char renegade_notify[PROC_MAX_PEERS][PROC_NAME_MAX];
    size_t n_renegade_notify;
    int renegade_min;                    /* 1 COMLOSS .. 4 CONFIRMED; default 2 SUSPECTED */
    char compliance_area[PROC_PATH_MAX]; /* GeoJSON zones; "" none */
    int compliance_time_min;             /* minutes after 00:00 UTC; -1 none */
    char compliance_parties[512];        /* cpl_parties_parse */
    char drafts[PROC_PATH_MAX];          /* "" the journal's path + ".drafts" */
};

void proc_config_default(struct proc_config *pc);

/* One key of [procedures] other than the paths (compliance_area, drafts:
 * config.c makes them absolute). 0, 1 unknown key, or CAIRN_E_FORMAT with
 * the reason in err. */
int proc_config_key(struct proc_config *pc, const char *k, const char *v, char *err, size_t cap);

/* ------------------------------------------------------------- pure parts */

/* The message type an alert drafts into by default. */
enum hl_type proc_draft_type(const struct det_alert *a);

/* The draft's fields (as the hotline's "send" takes them: strings and
 * integers) for alert a as type t (RENEGADE_ALERT, INCIDENT_REPORT or
 * TRACK_QUERY; CAIRN_E_MSGTYPE otherwise) into the object fields. tr: the
 * alert's first track as the picture has it now, or NULL. 0 or an error. */
int proc_draft_fields(const struct det_alert *a, const struct trk_track *tr, enum hl_type t,
                      json_t *fields);

enum {
    PROC_F_LATE = 1u << 0,
    PROC_F_NOTIFICATION = 1u << 1,
    PROC_F_OBSERVERS = 1u << 2,
    PROC_F_BAD_AREA = 1u << 3, /* the area makes no valid polygon: no zone */
};

#define PROC_AREA_MAX 64

struct proc_notice {
    char sender[PROC_NAME_MAX]; /* the notifying centre */
    char peer[PROC_NAME_MAX];   /* the journal's peer of the message */
    int dir;                    /* HL_DIR_OUT / HL_DIR_IN */
    uint64_t seq;
    int64_t t_ms; /* stored (received or sent) */
    int64_t start_ms, end_ms;
    char kind[24];
    int64_t troops, tanks; /* -1: not declared */
    double lat[PROC_AREA_MAX], lon[PROC_AREA_MAX];
    size_t n_area;
    unsigned flags;
    int64_t lead_ms, required_ms;
    int zone; /* 1: in the zone set */
};

struct proc_invite {
    char sender[PROC_NAME_MAX];
    int64_t start_ms, end_ms;
};

/* An ACTIVITY_NOTICE (m, borrowed) into *out: dir, peer, seq, t_ms as the
 * journal has them; sender its sender. 0, or CAIRN_E_FORMAT (a field
 * missing or malformed: the hotline checked them, so only a bug or a
 * changed catalogue gets here). */
int proc_notice_parse(const struct hl_msg *m, int dir, const char *peer, uint64_t seq, int64_t t_ms,
                      struct proc_notice *out);

/* Parse an HL_F_AREA value "lat,lon;lat,lon;..." (hostile: a peer's),
 * len bytes, into lat/lon (3..PROC_AREA_MAX vertices). 0 or CAIRN_E_FORMAT. */
int proc_area_parse(const char *s, size_t len, double *lat, double *lon, size_t *n);

/* Set n's lead time, rule and flags against the earlier notices (for the
 * matching 42-day notice) and the invitations known. */
void proc_notice_judge(struct proc_notice *n, const struct proc_notice *earlier, size_t n_earlier,
                       const struct proc_invite *inv, size_t n_inv);

/* ------------------------------------------------------------ the service */

struct proc;

/* What the procedures need from the centre, borrowed for proc's life. */
struct proc_env {
    struct pic *pic;
    struct hl_daemon_ctx *hl; /* set by proc_start; NULL: no hotline (drafts only kept) */
    const char *zones_file;   /* [picture] zones, "" none */
    const char *journal;      /* the hotline journal's path (drafts beside it) */
    /* publish an alert to the operators (SSE), may be NULL */
    void (*publish)(void *arg, const struct det_alert *a);
    void *arg;
};

/* 0 and *out, or an error with one line in err (a zones file, the area
 * file, the parties, the drafts file). */
int proc_new(const struct proc_config *pc, const struct proc_env *env, struct proc **out, char *err,
             size_t cap);
void proc_free(struct proc *p);

/* After the hotline started (hl, kept; NULL: none): our name, the peers,
 * and the journal's notices replayed. */
void proc_start(struct proc *p, struct hl_daemon_ctx *hl, int64_t now_ms);

/* The hotline's on_message hook (hl_daemon_config.on_message). */
void proc_on_message(void *arg, int dir, const char *peer, uint64_t seq, int64_t t_ms,
                     const struct hl_msg *m);

/* Every picture alert change, from the picture's callback. */
void proc_on_alert(struct proc *p, const struct det_alert *a);

/* Every cycle, after pic_cycle: the ledger, the daily summaries, zones. */
void proc_cycle(struct proc *p, const struct trk_track *t, size_t n, int64_t now_ms);

/* The procedure alerts (not FREE), borrowed until the next call. */
const struct det_alert *proc_alerts(const struct proc *p, size_t *n);

/* The web's topics and actions the procedures answer; 0 when not theirs
 * (the caller answers), else an HTTP status or a negative CAIRN_E_*. */
int proc_get(struct proc *p, enum web_topic t, const struct web_req *rq, struct dbuf *out);
int proc_action(struct proc *p, enum web_action a, const struct web_req *rq, const json_t *body,
                struct dbuf *out);

/* The message list in out (the hotline's reply to "list") with each
 * notice's flags added. */
void proc_decorate_list(struct proc *p, struct dbuf *out);

/* Counters for /metrics. */
struct proc_stats {
    uint64_t drafts_saved, renegade_sent, renegade_errors, notices, notices_late, notices_refused,
        summaries_sent, summaries_received, summaries_bad, discrepancies;
};
const struct proc_stats *proc_stats(const struct proc *p);

#endif
