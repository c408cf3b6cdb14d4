/*
 * daemon.c — `cairn hotline`: the link, the journal, case deadlines and the
 * control socket on one libevent loop (daemon.h).
 *
 * Control socket requests (one JSON object per line; see
 * docs/hotline-link.md "Control socket" for every field):
 *   send, list, show, ack, cases, status, metrics; then the embedding
 *   program's extra ops, if it gave any (daemon.h; the cairn binary gives
 *   none, the tests' binary gives clock_advance).
 *
 * Files: the program that runs the daemon sets the umask to 077 before it
 * (cli/hotline.c, for `--init` too; cli/keygen.c), so the journal, its -wal
 * and -shm (SQLite gives them the journal's mode), the alerts file and any
 * folder made are their user's only (0600 / 0700); a library does not
 * change process state. Secret keys of another mode or owner stop the
 * daemon (hl_key_file_check).
 */
#include "hotline/daemon.h"

#include <errno.h>
#include <ini.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <jansson.h>

#include "base/clock.h"
#include "base/error.h"
#include "base/jsonw.h"
#include "base/log.h"
#include "hotline/cases.h"
#include "hotline/control.h"
#include "hotline/identity.h"
#include "hotline/journal.h"
#include "hotline/link.h"
#include "hotline/render.h"

#define MOD "hotline"

/* Messages appended per transaction by a "send" with a count: one fsync
 * per batch instead of one per message (group commit on the sender side). */
#define SEND_BATCH 256
/* The most messages one "send" may ask for (test and drill loads). */
#define SEND_COUNT_MAX 1000000

/* ---- configuration ---- */

struct cfg_ctx {
    struct hl_daemon_config *cfg;
    char dir[HL_PATH_MAX];
    int bad_line;
    int n_keys;
};

static void set_path(char *dst, const char *dir, const char *v)
{
    if (v[0] == '/' || !dir[0])
        snprintf(dst, HL_PATH_MAX, "%s", v);
    else if (snprintf(dst, HL_PATH_MAX, "%s/%s", dir, v) >= HL_PATH_MAX)
        dst[0] = 0; /* too long: reported as missing */
}

static int parse_i64(const char *v, int64_t *out)
{
    char *end;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (errno || end == v || *end)
        return -1;
    *out = x;
    return 0;
}

static int cfg_handler(void *user, const char *section, const char *name, const char *value)
{
    struct cfg_ctx *cx = user;
    int lineno = ++cx->n_keys; /* inih here does not pass line numbers: count keys */
    struct hl_daemon_config *c = cx->cfg;
    if (strcmp(section, "hotline") != 0 && strcmp(section, "centre") != 0)
        return 1; /* other sections belong to the rest of the centre's configuration */
    struct {
        const char *k;
        char *path;
    } paths[] = {{"keys", c->keys},
                 {"roster", c->roster},
                 {"journal", c->journal},
                 {"control", c->control},
                 {"alerts", c->alerts}};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
        if (!strcmp(name, paths[i].k)) {
            set_path(paths[i].path, cx->dir, value);
            return 1;
        }
    if (!strcmp(name, "listen")) {
        snprintf(c->listen, sizeof c->listen, "%s", value);
        return 1;
    }
    struct {
        const char *k;
        int64_t *v;
    } nums[] = {{"heartbeat_ms", &c->heartbeat_ms},
                {"dead_ms", &c->dead_ms},
                {"backoff_min_ms", &c->backoff_min_ms},
                {"backoff_max_ms", &c->backoff_max_ms},
                {"checkpoint_ms", &c->checkpoint_ms},
                {"checkpoint_every", &c->checkpoint_every},
                {"window", &c->window},
                {"case_check_ms", &c->case_check_ms},
                {"link_check_interval_s", &c->link_check_interval_s},
                {"link_check_deadline_s", &c->link_check_deadline_s},
                {"explanation_deadline_s", &c->explanation_deadline_s},
                {"handshake_ms", &c->handshake_ms},
                {"unauth_max", &c->unauth_max},
                {"unauth_per_source", &c->unauth_per_source},
                {"clock_skew_ms", &c->clock_skew_ms}};
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++)
        if (!strcmp(name, nums[i].k)) {
            if (parse_i64(value, nums[i].v) != 0) {
                log_err(MOD, "key %d: %s is not a number: '%s'", lineno, name, value);
                cx->bad_line = lineno;
                return 0;
            }
            return 1;
        }
    if (!strcmp(name, "name")) {
        snprintf(c->name, sizeof c->name, "%s", value);
        return 1;
    }
    if (!strcmp(name, "party"))
        return 1; /* the identity's own file says it */
    if (!strcmp(section, "centre") && !strcmp(name, "military"))
        return 1; /* the centre's (app/config.c) */
    log_err(MOD, "key %d: unknown key '%s'", lineno, name);
    cx->bad_line = lineno;
    return 0;
}

int hl_daemon_config_load(const char *path, struct hl_daemon_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->case_check_ms = 10000; /* deadlines are hours; 10 s is prompt enough */
    struct cfg_ctx cx = {cfg, "", 0, 0};
    const char *slash = strrchr(path, '/');
    if (slash)
        snprintf(cx.dir, sizeof cx.dir, "%.*s", (int)(slash - path), path);
    int rc = ini_parse(path, cfg_handler, &cx);
    if (rc < 0) {
        log_err(MOD, "cannot read %s", path);
        return CAIRN_E_IO;
    }
    if (rc > 0 || cx.bad_line) {
        if (rc > 0)
            log_err(MOD, "%s: error on line %d", path, rc);
        return CAIRN_E_FORMAT;
    }
    if (!cfg->keys[0] || !cfg->roster[0] || !cfg->journal[0]) {
        log_err(MOD, "%s: keys, roster and journal are required in [hotline]", path);
        return CAIRN_E_FORMAT;
    }
    if (!cfg->control[0])
        snprintf(cfg->control, sizeof cfg->control, "%.*s.sock", HL_PATH_MAX - 8, cfg->journal);
    if (!cfg->alerts[0])
        snprintf(cfg->alerts, sizeof cfg->alerts, "%.*s.alerts", HL_PATH_MAX - 8, cfg->journal);
    return 0;
}

/* ---- the daemon ---- */

struct hl_daemon_ctx {
    struct event_base *base;
    const struct hl_daemon_config *cfg;
    struct hl_identity id;
    struct hl_roster roster;
    struct cairn_clock clock;
    struct hl_journal *j;
    struct hl_link *link;
    struct evconnlistener *ctl;
    struct event *ev_term, *ev_int, *ev_cases, *ev_lc;
    int64_t lc_next_ms; /* when the next periodic LINK_CHECK is due (d_now) */
    FILE *alerts;
    uint64_t alerts_written;
    uint64_t ctl_requests, ctl_errors;
    struct hl_msg msg; /* scratch for send (large) */
};

static int64_t d_now(const struct hl_daemon_ctx *d)
{
    return clock_now_ms(&d->clock);
}

/* An alert record (one JSON object per line in the alerts file): begin it
 * with its kind and time, add fields, end it. 0 when there is no alerts
 * file (nothing to write). */
static int alert_begin(struct hl_daemon_ctx *d, const char *kind, struct dbuf *b, struct jsonw *w)
{
    if (!d->alerts)
        return 0;
    dbuf_init(b, 4096);
    jw_init(w, b);
    char iso[32];
    clock_iso8601(d_now(d), iso, sizeof iso);
    jw_obj(w);
    jw_kstr(w, "alert", kind);
    jw_kstr(w, "time", iso);
    return 1;
}

static void alert_end(struct hl_daemon_ctx *d, struct dbuf *b, struct jsonw *w)
{
    jw_end(w);
    if (!w->err) {
        fprintf(d->alerts, "%s\n", b->p);
        fflush(d->alerts);
        d->alerts_written++;
    }
    dbuf_free(b);
}

static void on_escalate(void *arg, const struct hl_case *c)
{
    struct hl_daemon_ctx *d = arg;
    struct dbuf b;
    struct jsonw w;
    if (!alert_begin(d, "hotline_case_overdue", &b, &w))
        return;
    char due[32];
    clock_iso8601(c->due_utc_ms, due, sizeof due);
    jw_kstr(&w, "case", c->case_id);
    jw_kstr(&w, "peer", c->peer);
    jw_kstr(&w, "type", hl_type_name(c->type));
    jw_kstr(&w, "waiting_for", hl_type_name(c->reply));
    jw_kstr(&w, "owed_by", c->opened_dir == HL_DIR_OUT ? c->peer : d->id.name);
    jw_kstr(&w, "due", due);
    alert_end(d, &b, &w);
}

/* L11: a journal lost messages it had stored: one alert record, as for an
 * overdue case, naming the lost range and whether the link heals it. */
/* A peer's PICTURE (link.h, L12): the embedding centre's, if it wants it. */
static void on_picture(void *arg, const char *peer, const struct hl_picture *pic)
{
    struct hl_daemon_ctx *d = arg;
    if (d->cfg->on_picture)
        d->cfg->on_picture(d->cfg->picture_arg, peer, pic);
}

static void on_lost(void *arg, const char *peer, const char *who_lost, const char *from,
                    const char *to, uint64_t first, uint64_t last, int healed)
{
    struct hl_daemon_ctx *d = arg;
    struct dbuf b;
    struct jsonw w;
    if (!alert_begin(d, "hotline_journal_lost_messages", &b, &w))
        return;
    jw_kstr(&w, "peer", peer);
    jw_kstr(&w, "lost_by", who_lost);
    jw_kstr(&w, "from", from);
    jw_kstr(&w, "to", to);
    jw_kuint(&w, "first_seq", first);
    jw_kuint(&w, "last_seq", last);
    jw_kstr(&w, "action",
            healed ? "resent by the sender from its journal"
                   : "none possible: the sender lacks them");
    alert_end(d, &b, &w);
}

static void on_received(void *arg, const char *peer, const struct hl_msg *m)
{
    struct hl_daemon_ctx *d = arg;
    if (d->cfg->on_message)
        d->cfg->on_message(d->cfg->on_message_arg, HL_DIR_IN, peer, m->seq, d_now(d), m);
}

static void cases_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct hl_daemon_ctx *d = arg;
    hl_link_flush(d->link);
    int rc = hl_cases_check(d->j, d_now(d));
    if (rc < 0)
        log_warn(MOD, "deadline check failed: %s", cairn_strerror(rc));
}

static void link_check_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct hl_daemon_ctx *d = arg;
    hl_link_flush(d->link);
    d->lc_next_ms = d_now(d) + d->cfg->link_check_interval_s * 1000;
    for (size_t i = 0; i < d->roster.n; i++) {
        const struct hl_centre *c = &d->roster.c[i];
        if (!strcmp(c->name, d->id.name))
            continue;
        hl_msg_init(&d->msg, HL_T_LINK_CHECK);
        hl_msg_set_receiver(&d->msg, c->name);
        int64_t seq = hl_journal_append_outgoing(d->j, &d->msg, d_now(d));
        if (seq < 0)
            log_warn(MOD, "LINK_CHECK to %s not sent: %s", c->name, cairn_strerror((int)seq));
        else
            hl_link_kick(d->link, c->name);
    }
}

static void stop_cb(evutil_socket_t sig, short what, void *arg)
{
    (void)what;
    struct hl_daemon_ctx *d = arg;
    log_info(MOD, "signal %d: stopping", (int)sig);
    /* A shutdown checkpoint (J6): 300 ms for the countersignatures to come
     * back over loopback or a LAN; if they do not, the next session open
     * sends it again. */
    hl_link_checkpoint(d->link);
    struct timeval tv = {0, 300000};
    event_base_loopexit(d->base, &tv);
}

/* ---- control requests ---- */

static void reply_err(struct jsonw *w, int err, const char *msg)
{
    jw_obj(w);
    jw_kbool(w, "ok", 0);
    jw_kstr(w, "error", cairn_errname(err));
    jw_kstr(w, "message", msg ? msg : cairn_strerror(err));
    jw_end(w);
}

static const char *jstr(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static int64_t jint(json_t *o, const char *k, int64_t dflt)
{
    json_t *v = json_object_get(o, k);
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : dflt;
}

static enum hl_lang jlang(json_t *o)
{
    enum hl_lang lang = HL_LANG_EN;
    const char *s = jstr(o, "lang");
    if (s)
        hl_lang_parse(s, &lang);
    return lang;
}

static void op_send(struct hl_daemon_ctx *d, json_t *req, struct jsonw *w)
{
    const char *to = jstr(req, "to"), *type = jstr(req, "type"), *cas = jstr(req, "case");
    json_t *fields = json_object_get(req, "fields");
    int64_t count = jint(req, "count", 1);
    if (!to || !type || count < 1 || count > SEND_COUNT_MAX ||
        (fields && !json_is_object(fields))) {
        reply_err(w, CAIRN_E_INVAL, "send needs to, type, fields {k: v} and 1 <= count");
        return;
    }
    enum hl_type t = hl_catalogue_find(type, strlen(type));
    if (t == HL_T_NONE) {
        reply_err(w, CAIRN_E_MSGTYPE, "unknown message type");
        return;
    }
    int64_t first = 0, last = 0;
    int rc = 0;
    char case_out[HL_CASE_MAX + 1] = "";
    for (int64_t i = 0; i < count && rc >= 0; i++) {
        if (count > 1 && i % SEND_BATCH == 0 && (rc = hl_journal_begin(d->j)) != 0)
            break;
        hl_msg_init(&d->msg, t);
        rc = hl_msg_set_receiver(&d->msg, to);
        if (rc == 0 && cas)
            rc = hl_msg_set_case(&d->msg, cas);
        const char *k;
        json_t *v;
        if (fields)
            json_object_foreach(fields, k, v)
            {
                if (rc != 0)
                    break;
                char num[32];
                const char *txt = NULL;
                if (json_is_string(v))
                    txt = json_string_value(v);
                else if (json_is_integer(v)) {
                    snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
                    txt = num;
                } else
                    rc = CAIRN_E_FIELD;
                if (txt)
                    rc = hl_msg_add_text(&d->msg, k, txt);
                if (rc != 0) {
                    char why[256], kk[96];
                    log_escape(kk, sizeof kk, k, strlen(k), LOG_ESC_LINE);
                    const struct hl_field_spec *fs = hl_catalogue_field(hl_catalogue_get(t), k);
                    if (txt && !hl_text_ok(txt, strlen(txt), true))
                        snprintf(why, sizeof why,
                                 "field '%s': invalid UTF-8, or a control character (other than "
                                 "TAB, LF) or bidi override in the value",
                                 kk);
                    else if (fs && fs->type == HL_F_TIME)
                        snprintf(why, sizeof why,
                                 "field '%s': not a UTC date and time that exists, as "
                                 "YYYY-MM-DDTHH:MM:SS[.mmm]Z (or ms since 1970)",
                                 kk);
                    else
                        snprintf(why, sizeof why, "field '%s': %s", kk, cairn_strerror(rc));
                    if (hl_journal_in_batch(d->j))
                        hl_journal_rollback(d->j);
                    reply_err(w, rc, why);
                    return;
                }
            }
        int64_t seq = rc == 0 ? hl_journal_append_outgoing(d->j, &d->msg, d_now(d)) : rc;
        if (seq < 0) {
            rc = (int)seq;
            break;
        }
        if (!first)
            first = seq;
        last = seq;
        snprintf(case_out, sizeof case_out, "%s", d->msg.case_id);
        if (hl_journal_in_batch(d->j) && (i % SEND_BATCH == SEND_BATCH - 1 || i == count - 1))
            rc = hl_journal_commit(d->j);
    }
    if (rc < 0) {
        if (hl_journal_in_batch(d->j))
            hl_journal_rollback(d->j);
        const char *bad = NULL;
        if (rc == CAIRN_E_FIELD && hl_catalogue_check(&d->msg, &bad) != 0 && bad) {
            char why[128];
            snprintf(why, sizeof why, "field '%s' missing or invalid", bad);
            reply_err(w, rc, why);
        } else
            reply_err(w, rc, NULL);
        return;
    }
    if (count == 1 && d->cfg->on_message)
        d->cfg->on_message(d->cfg->on_message_arg, HL_DIR_OUT, to, (uint64_t)first, d_now(d),
                           &d->msg);
    hl_link_kick(d->link, to);
    jw_obj(w);
    jw_kbool(w, "ok", 1);
    jw_kint(w, "seq", first);
    jw_kint(w, "last", last);
    jw_kstr(w, "case", case_out);
    jw_end(w);
}

struct list_ctx {
    struct jsonw *w;
    enum hl_lang lang;
    int full;
    struct dbuf tmp;
};

static int list_row(void *arg, const struct hl_msg_row *r)
{
    struct list_ctx *lc = arg;
    struct jsonw *w = lc->w;
    char iso[32];
    jw_obj(w);
    jw_kstr(w, "dir", r->dir == HL_DIR_OUT ? "out" : "in");
    jw_kstr(w, "peer", r->peer);
    jw_kuint(w, "seq", r->seq);
    jw_kstr(w, "type", hl_type_name(r->m->type));
    jw_kstr(w, "case", r->m->case_id);
    clock_iso8601(r->created_utc_ms, iso, sizeof iso);
    jw_kstr(w, "created", iso);
    clock_iso8601(r->stored_utc_ms, iso, sizeof iso);
    jw_kstr(w, "stored", iso);
    jw_kbool(w, "delivered", r->delivered);
    jw_kbool(w, "acked", r->acked);
    if (r->ack_by)
        jw_kstr(w, "ack_by", r->ack_by);
    dbuf_reset(&lc->tmp);
    if ((lc->full ? hl_render(r->m, lc->lang, &lc->tmp)
                  : hl_render_body(r->m, lc->lang, &lc->tmp)) == 0)
        jw_kstr(w, "text", lc->tmp.p ? lc->tmp.p : "");
    if (lc->full) {
        jw_key(w, "message");
        hl_msg_json(r->m, w);
    }
    jw_end(w);
    return 0;
}

static int parse_dir(json_t *req)
{
    const char *s = jstr(req, "dir");
    if (!s)
        return -1;
    return !strcmp(s, "out") ? HL_DIR_OUT : !strcmp(s, "in") ? HL_DIR_IN : -1;
}

static void op_list(struct hl_daemon_ctx *d, json_t *req, struct jsonw *w, int show)
{
    struct hl_msg_filter f = {.dir = parse_dir(req)};
    f.peer = jstr(req, "peer");
    f.case_id = jstr(req, "case");
    const char *type = jstr(req, "type");
    if (type && (f.type = hl_catalogue_find(type, strlen(type))) == HL_T_NONE) {
        reply_err(w, CAIRN_E_MSGTYPE, "unknown message type");
        return;
    }
    f.unacked_only = json_is_true(json_object_get(req, "unacked"));
    int64_t lim = jint(req, "limit", 0);
    f.limit = lim > 0 ? (size_t)lim : 0;
    if (show) {
        int64_t seq = jint(req, "seq", 0);
        if (seq <= 0 || !f.peer || f.dir < 0) {
            reply_err(w, CAIRN_E_INVAL, "show needs peer, dir (in|out) and seq");
            return;
        }
        f.seq = (uint64_t)seq;
    }
    struct list_ctx lc = {w, jlang(req), show, {0}};
    dbuf_init(&lc.tmp, 1u << 20);
    jw_obj(w);
    jw_kbool(w, "ok", 1);
    jw_key(w, "messages");
    jw_arr(w);
    int rc = hl_journal_list(d->j, &f, list_row, &lc);
    jw_end(w);
    jw_kint(w, "count", rc);
    jw_end(w);
    dbuf_free(&lc.tmp);
    if (rc < 0 || (show && rc == 0)) {
        dbuf_reset(w->out);
        jw_init(w, w->out);
        reply_err(w, rc < 0 ? rc : CAIRN_E_NOTFOUND, NULL);
    }
}

static void op_ack(struct hl_daemon_ctx *d, json_t *req, struct jsonw *w)
{
    const char *peer = jstr(req, "peer"), *op = jstr(req, "operator");
    int64_t seq = jint(req, "seq", 0);
    if (!peer || seq <= 0) {
        reply_err(w, CAIRN_E_INVAL, "ack needs peer and seq");
        return;
    }
    int64_t rc = hl_journal_ack_operator(d->j, peer, (uint64_t)seq, op ? op : "operator", d_now(d));
    if (rc < 0) {
        reply_err(w, (int)rc, NULL);
        return;
    }
    hl_link_kick(d->link, peer);
    jw_obj(w);
    jw_kbool(w, "ok", 1);
    jw_kint(w, "ack_seq", rc);
    jw_end(w);
}

static int case_row(void *arg, const struct hl_case *c)
{
    struct jsonw *w = arg;
    char iso[32];
    jw_obj(w);
    jw_kstr(w, "case", c->case_id);
    jw_kstr(w, "peer", c->peer);
    jw_kstr(w, "opened_by", c->opened_dir == HL_DIR_OUT ? "us" : "peer");
    jw_kuint(w, "open_seq", c->open_seq);
    jw_kstr(w, "type", hl_type_name(c->type));
    jw_kstr(w, "reply", hl_type_name(c->reply));
    clock_iso8601(c->opened_utc_ms, iso, sizeof iso);
    jw_kstr(w, "opened", iso);
    clock_iso8601(c->due_utc_ms, iso, sizeof iso);
    jw_kstr(w, "due", iso);
    jw_kint(w, "due_ms", c->due_utc_ms);
    jw_kstr(w, "state", hl_case_state_name(c->state));
    jw_kbool(w, "late", c->late);
    if (c->closed_seq)
        jw_kuint(w, "closed_seq", c->closed_seq);
    jw_end(w);
    return 0;
}

static void op_cases(struct hl_daemon_ctx *d, json_t *req, struct jsonw *w)
{
    const char *s = jstr(req, "state");
    int state = -1;
    if (s && !strcmp(s, "open"))
        state = HL_CASE_OPEN;
    else if (s && !strcmp(s, "closed"))
        state = HL_CASE_CLOSED;
    else if (s && !strcmp(s, "overdue"))
        state = HL_CASE_OVERDUE;
    /* Check deadlines first so the list is current. */
    hl_cases_check(d->j, d_now(d));
    jw_obj(w);
    jw_kbool(w, "ok", 1);
    jw_key(w, "cases");
    jw_arr(w);
    int rc = hl_cases_list(d->j, state, case_row, w);
    jw_end(w);
    jw_kint(w, "count", rc);
    jw_end(w);
}

static void op_status(struct hl_daemon_ctx *d, struct jsonw *w)
{
    jw_obj(w);
    jw_kbool(w, "ok", 1);
    jw_kstr(w, "centre", d->id.name);
    jw_kint(w, "port", hl_link_listen_port(d->link));
    char iso[32];
    clock_iso8601(d_now(d), iso, sizeof iso);
    jw_kstr(w, "now", iso);
    jw_key(w, "peers");
    jw_arr(w);
    for (size_t i = 0; i < d->roster.n; i++) {
        const char *p = d->roster.c[i].name;
        if (!strcmp(p, d->id.name))
            continue;
        uint64_t out_head = 0, in_head = 0, deliv = 0;
        uint8_t h[HL_HASH_LEN];
        hl_journal_head(d->j, HL_DIR_OUT, p, &out_head, h);
        hl_journal_head(d->j, HL_DIR_IN, p, &in_head, h);
        hl_journal_delivered_upto(d->j, p, &deliv);
        jw_obj(w);
        jw_kstr(w, "name", p);
        jw_kbool(w, "up", hl_link_is_up(d->link, p));
        jw_kuint(w, "sent", out_head);
        jw_kuint(w, "delivered", deliv);
        jw_kuint(w, "received", in_head);
        jw_end(w);
    }
    jw_end(w);
    jw_end(w);
}

static void op_metrics(struct hl_daemon_ctx *d, struct jsonw *w)
{
    struct dbuf m;
    dbuf_init(&m, 1u << 20);
    hl_link_metrics(d->link, &m);
    const struct hl_journal_stats *s = hl_journal_stats(d->j);
    struct {
        const char *n;
        uint64_t v;
    } js[] = {{"journal_sent_total", s->sent},
              {"journal_accepted_total", s->accepted},
              {"journal_duplicates_total", s->duplicates},
              {"journal_receipts_stored_total", s->receipts_stored},
              {"journal_rej_format_total", s->rej_format},
              {"journal_rej_signature_total", s->rej_signature},
              {"journal_rej_replay_total", s->rej_replay},
              {"journal_rej_sequence_total", s->rej_sequence},
              {"journal_rej_chain_total", s->rej_chain},
              {"journal_rej_roster_total", s->rej_roster},
              {"journal_rej_msgtype_total", s->rej_msgtype},
              {"journal_rej_field_total", s->rej_field},
              {"journal_rej_receipt_total", s->rej_receipt},
              {"journal_nospace_total", s->nospace},
              {"journal_db_errors_total", s->db_errors},
              {"cases_opened_total", s->cases_opened},
              {"cases_closed_total", s->cases_closed},
              {"cases_overdue_total", s->cases_overdue},
              {"alerts_written_total", d->alerts_written},
              {"control_requests_total", d->ctl_requests},
              {"control_errors_total", d->ctl_errors}};
    for (size_t i = 0; i < sizeof js / sizeof js[0]; i++)
        dbuf_addf(&m, "# TYPE cairn_hotline_%s counter\ncairn_hotline_%s %llu\n", js[i].n, js[i].n,
                  (unsigned long long)js[i].v);
    jw_obj(w);
    jw_kbool(w, "ok", 1);
    jw_kstr(w, "text", m.p ? m.p : "");
    jw_end(w);
    dbuf_free(&m);
}

int64_t hl_daemon_now_ms(const struct hl_daemon_ctx *d)
{
    return d_now(d);
}

static int replay_row(void *arg, const struct hl_msg_row *r)
{
    struct hl_daemon_ctx *d = arg;
    d->cfg->on_message(d->cfg->on_message_arg, (int)r->dir, r->peer, r->seq, r->stored_utc_ms,
                       r->m);
    return 0;
}

int hl_daemon_replay(struct hl_daemon_ctx *d, int t)
{
    if (!d->cfg->on_message)
        return 0;
    struct hl_msg_filter f = {.dir = -1, .type = (enum hl_type)t};
    return hl_journal_list(d->j, &f, replay_row, d);
}

int hl_daemon_clock_advance(struct hl_daemon_ctx *d, int64_t ms)
{
    if (ms < 0 || ms > 366LL * 24 * 3600 * 1000)
        return CAIRN_E_INVAL;
    clock_advance(&d->clock, ms);
    log_warn(MOD, "clock moved forward by %lld ms (an extra op of the embedding program)",
             (long long)ms);
    if (d->ev_lc && d_now(d) >= d->lc_next_ms)
        link_check_cb(-1, EV_TIMEOUT, d);
    cases_cb(-1, EV_TIMEOUT, d);
    return 0;
}

/* An op of cfg->extra_ops (daemon.h): reply {"ok": true, ...its keys} or
 * the error it returns. 0, or -1 when no such extra op exists. */
static int run_extra_op(struct hl_daemon_ctx *d, const char *op, json_t *req, struct jsonw *w)
{
    const struct hl_daemon_op *x = d->cfg->extra_ops;
    while (x && x->name && strcmp(x->name, op) != 0)
        x++;
    if (!x || !x->name)
        return -1;
    const char *why = NULL;
    jw_obj(w);
    jw_kbool(w, "ok", 1);
    int rc = x->run(d, req, w, &why);
    if (rc < 0) {
        dbuf_reset(w->out);
        jw_init(w, w->out);
        reply_err(w, rc, why);
        return 0;
    }
    jw_end(w);
    return 0;
}

static void handle_request(struct hl_daemon_ctx *d, const char *line, size_t len, struct dbuf *out)
{
    struct jsonw w;
    jw_init(&w, out);
    d->ctl_requests++;
    hl_link_flush(d->link); /* what the operator sees or adds is committed */
    json_error_t jerr;
    json_t *req = json_loadb(line, len, 0, &jerr);
    const char *op = req ? jstr(req, "op") : NULL;
    if (!req && json_error_code(&jerr) == json_error_invalid_utf8) {
        char why[160];
        snprintf(why, sizeof why,
                 "the request is not valid UTF-8 near byte %d (a request is JSON, and JSON "
                 "text is UTF-8)",
                 jerr.position);
        reply_err(&w, CAIRN_E_FORMAT, why);
    } else if (!req) {
        char why[240], txt[200];
        snprintf(why, sizeof why, "the request is not JSON (byte %d: %s)", jerr.position,
                 log_escape(txt, sizeof txt, jerr.text, strlen(jerr.text), LOG_ESC_LINE));
        reply_err(&w, CAIRN_E_FORMAT, why);
    } else if (!json_is_object(req) || !op)
        reply_err(&w, CAIRN_E_FORMAT, "a request is one JSON object with \"op\"");
    else if (!strcmp(op, "send"))
        op_send(d, req, &w);
    else if (!strcmp(op, "list"))
        op_list(d, req, &w, 0);
    else if (!strcmp(op, "show"))
        op_list(d, req, &w, 1);
    else if (!strcmp(op, "ack"))
        op_ack(d, req, &w);
    else if (!strcmp(op, "cases"))
        op_cases(d, req, &w);
    else if (!strcmp(op, "status"))
        op_status(d, &w);
    else if (!strcmp(op, "metrics"))
        op_metrics(d, &w);
    else if (run_extra_op(d, op, req, &w) != 0)
        reply_err(&w, CAIRN_E_UNSUPPORTED, "unknown op");
    json_decref(req);
    if (w.err) {
        dbuf_reset(out);
        jw_init(&w, out);
        reply_err(&w, CAIRN_E_TOOBIG, "response too large");
    }
    if (out->len > 7 && !memcmp(out->p, "{\"ok\":f", 7))
        d->ctl_errors++;
}

static void ctl_read_cb(struct bufferevent *bev, void *arg)
{
    struct hl_daemon_ctx *d = arg;
    struct evbuffer *in = bufferevent_get_input(bev);
    for (;;) {
        size_t n;
        char *line = evbuffer_readln(in, &n, EVBUFFER_EOL_LF);
        if (!line) {
            if (evbuffer_get_length(in) > HL_CTL_LINE_MAX) {
                log_warn(MOD, "control request longer than %u bytes: closing", HL_CTL_LINE_MAX);
                bufferevent_free(bev);
            }
            return;
        }
        struct dbuf out;
        dbuf_init(&out, HL_CTL_LINE_MAX);
        handle_request(d, line, n, &out);
        free(line);
        evbuffer_add(bufferevent_get_output(bev), out.p, out.len);
        evbuffer_add(bufferevent_get_output(bev), "\n", 1);
        dbuf_free(&out);
    }
}

static void ctl_event_cb(struct bufferevent *bev, short what, void *arg)
{
    (void)arg;
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
        bufferevent_free(bev);
}

static void ctl_accept_cb(struct evconnlistener *lis, evutil_socket_t fd, struct sockaddr *sa,
                          int salen, void *arg)
{
    (void)lis;
    (void)sa;
    (void)salen;
    struct hl_daemon_ctx *d = arg;
    struct bufferevent *bev = bufferevent_socket_new(d->base, fd, BEV_OPT_CLOSE_ON_FREE);
    if (!bev) {
        evutil_closesocket(fd);
        return;
    }
    bufferevent_setcb(bev, ctl_read_cb, NULL, ctl_event_cb, d);
    bufferevent_enable(bev, EV_READ | EV_WRITE);
}

static int ctl_listen(struct hl_daemon_ctx *d)
{
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    const char *path = d->cfg->control;
    if (strlen(path) >= sizeof sun.sun_path) {
        log_err(MOD, "control socket path too long: %s", path);
        return CAIRN_E_INVAL;
    }
    strcpy(sun.sun_path, path);
    unlink(path); /* a stale socket of a previous run */
    mode_t old = umask(0077);
    d->ctl = evconnlistener_new_bind(d->base, ctl_accept_cb, d, LEV_OPT_CLOSE_ON_FREE, 16,
                                     (struct sockaddr *)&sun, sizeof sun);
    umask(old);
    if (!d->ctl) {
        log_err(MOD, "cannot listen on control socket %s: %s", path, strerror(errno));
        return CAIRN_E_IO;
    }
    return 0;
}

static void daemon_fini(struct hl_daemon_ctx *d)
{
    if (d->link)
        hl_link_flush(d->link); /* what was read is kept; its receipts go out no more */
    hl_link_free(d->link);
    if (d->ctl) {
        evconnlistener_free(d->ctl);
        unlink(d->cfg->control);
    }
    struct event *evs[] = {d->ev_term, d->ev_int, d->ev_cases, d->ev_lc};
    for (size_t i = 0; i < sizeof evs / sizeof evs[0]; i++)
        if (evs[i])
            event_free(evs[i]);
    hl_journal_close(d->j);
    if (d->alerts)
        fclose(d->alerts);
    hl_identity_wipe(&d->id);
    /* the event base is the caller's (hl_daemon_run's own, or the centre's) */
}

int hl_daemon_init_journal(const struct hl_daemon_config *cfg)
{
    struct hl_identity id;
    static struct hl_roster roster;
    int line = 0;
    int rc = hl_identity_load(cfg->keys, &id);
    if (rc != 0) {
        log_err(MOD, "cannot load identity from %s: %s", cfg->keys, cairn_strerror(rc));
        return rc;
    }
    if ((rc = hl_roster_load(cfg->roster, &roster, &line)) != 0) {
        log_err(MOD, "cannot load roster %s (line %d): %s", cfg->roster, line, cairn_strerror(rc));
        hl_identity_wipe(&id);
        return rc;
    }
    struct hl_journal *j = NULL;
    rc = hl_journal_open_ex(cfg->journal, &id, &roster, HL_JOURNAL_MUST_CREATE, &j);
    if (rc == CAIRN_E_EXISTS)
        log_err(MOD, "journal %s already exists: it is never re-created", cfg->journal);
    else if (rc != 0)
        log_err(MOD, "cannot create journal %s: %s", cfg->journal, cairn_strerror(rc));
    else
        log_info(MOD, "journal %s created for centre %s", cfg->journal, id.name);
    hl_journal_close(j);
    hl_identity_wipe(&id);
    return rc;
}

int hl_daemon_start(struct event_base *base, const struct hl_daemon_config *cfg,
                    struct hl_daemon_ctx **out)
{
    *out = NULL;
    struct hl_daemon_ctx *d = calloc(1, sizeof *d);
    if (!d)
        return CAIRN_E_NOMEM;
    d->cfg = cfg;
    d->base = base;
    int line = 0, rc;
    static const char *const secrets[] = {"sign.key", "tls.key"};
    for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++) {
        char path[HL_PATH_MAX + 16], why[3 * HL_PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", cfg->keys, secrets[i]);
        if ((rc = hl_key_file_check(path, why, sizeof why)) != 0) {
            log_err(MOD, "refusing to start: %s", why);
            goto out;
        }
    }
    if ((rc = hl_identity_load(cfg->keys, &d->id)) != 0) {
        log_err(MOD, "cannot load identity from %s: %s", cfg->keys, cairn_strerror(rc));
        goto out;
    }
    if (cfg->name[0] && strcmp(cfg->name, d->id.name) != 0) {
        log_err(MOD, "the configuration names centre %s but the keys in %s are %s's", cfg->name,
                cfg->keys, d->id.name);
        rc = CAIRN_E_STATE;
        goto out;
    }
    if ((rc = hl_roster_load(cfg->roster, &d->roster, &line)) != 0) {
        log_err(MOD, "cannot load roster %s (line %d): %s", cfg->roster, line, cairn_strerror(rc));
        goto out;
    }
    const struct hl_centre *me = hl_roster_find(&d->roster, d->id.name);
    if (!me) {
        log_err(MOD, "centre %s is not on its own roster %s", d->id.name, cfg->roster);
        rc = CAIRN_E_ROSTER;
        goto out;
    }
    clock_skewed_init(&d->clock, cfg->clock_skew_ms);
    if (cfg->clock_skew_ms)
        log_warn(MOD, "clock skewed by %lld ms (test knob)", (long long)cfg->clock_skew_ms);
    if ((rc = hl_journal_open_ex(cfg->journal, &d->id, &d->roster, 0, &d->j)) != 0) {
        if (rc == CAIRN_E_NOTFOUND)
            log_err(MOD,
                    "journal %s is missing or empty, but centre %s's identity exists: a lost "
                    "journal is not replaced by an empty one. Restore it from a copy (the peers "
                    "resend what it lacks), or, for a new centre, create it once with "
                    "'cairn hotline -c INI --init'",
                    cfg->journal, d->id.name);
        else
            log_err(MOD, "cannot open journal %s: %s", cfg->journal, cairn_strerror(rc));
        goto out;
    }
    if (cfg->link_check_deadline_s > 0)
        hl_journal_set_deadline(d->j, HL_T_LINK_CHECK, cfg->link_check_deadline_s * 1000);
    if (cfg->explanation_deadline_s > 0) {
        hl_journal_set_deadline(d->j, HL_T_EXPLANATION_REQUEST, cfg->explanation_deadline_s * 1000);
        log_warn(MOD, "EXPLANATION_REQUEST deadline set to %lld s (not the 48 h)",
                 (long long)cfg->explanation_deadline_s);
    }
    d->alerts = fopen(cfg->alerts, "a");
    if (!d->alerts)
        log_warn(MOD, "cannot open alerts file %s: %s", cfg->alerts, strerror(errno));
    hl_cases_set_escalation(d->j, on_escalate, d);
    struct hl_link_config lc = {
        .self = &d->id,
        .roster = &d->roster,
        .journal = d->j,
        .clock = &d->clock,
        .listen = cfg->listen[0] ? cfg->listen : me->address,
        .heartbeat_ms = cfg->heartbeat_ms,
        .dead_ms = cfg->dead_ms,
        .backoff_min_ms = cfg->backoff_min_ms,
        .backoff_max_ms = cfg->backoff_max_ms,
        .checkpoint_ms = cfg->checkpoint_ms,
        .checkpoint_every = cfg->checkpoint_every > 0 ? (uint64_t)cfg->checkpoint_every : 0,
        .window = cfg->window > 0 ? (uint32_t)cfg->window : 0,
        .hooks = {.on_lost = on_lost,
                  .on_received = on_received,
                  .arg = d,
                  .on_picture = on_picture},
        .handshake_ms = cfg->handshake_ms,
        .unauth_max = cfg->unauth_max > 0 ? (uint32_t)cfg->unauth_max : 0,
        .unauth_per_source = cfg->unauth_per_source > 0 ? (uint32_t)cfg->unauth_per_source : 0,
    };
    if ((rc = hl_link_new(d->base, &lc, &d->link)) != 0)
        goto out;
    if ((rc = ctl_listen(d)) != 0)
        goto out;
    d->ev_cases = event_new(d->base, -1, EV_PERSIST, cases_cb, d);
    if (!d->ev_cases) {
        rc = CAIRN_E_NOMEM;
        goto out;
    }
    struct timeval tv = {cfg->case_check_ms / 1000, (cfg->case_check_ms % 1000) * 1000};
    event_add(d->ev_cases, &tv);
    if (cfg->link_check_interval_s > 0) {
        d->ev_lc = event_new(d->base, -1, EV_PERSIST, link_check_cb, d);
        if (!d->ev_lc) {
            rc = CAIRN_E_NOMEM;
            goto out;
        }
        d->lc_next_ms = d_now(d) + cfg->link_check_interval_s * 1000;
        struct timeval lt = {cfg->link_check_interval_s, 0};
        event_add(d->ev_lc, &lt);
    }
    log_info(MOD, "centre %s up: journal %s, control %s", d->id.name, cfg->journal, cfg->control);
    *out = d;
    return 0;
out:
    daemon_fini(d);
    free(d);
    return rc;
}

struct hl_link *hl_daemon_link(struct hl_daemon_ctx *d)
{
    return d->link;
}

const struct hl_roster *hl_daemon_roster(const struct hl_daemon_ctx *d)
{
    return &d->roster;
}

const char *hl_daemon_name(const struct hl_daemon_ctx *d)
{
    return d->id.name;
}

void hl_daemon_shutdown(struct hl_daemon_ctx *d)
{
    if (d && d->link)
        hl_link_checkpoint(d->link);
}

void hl_daemon_stop(struct hl_daemon_ctx *d)
{
    if (!d)
        return;
    log_info(MOD, "centre %s stopped", d->id.name);
    daemon_fini(d);
    free(d);
}

int hl_daemon_request(struct hl_daemon_ctx *d, const char *json, size_t len, struct dbuf *out)
{
    handle_request(d, json, len, out);
    return out->len > 7 && !memcmp(out->p, "{\"ok\":f", 7) ? 1 : 0;
}

int hl_daemon_run(const struct hl_daemon_config *cfg)
{
    signal(SIGPIPE, SIG_IGN);
    struct event_base *base = event_base_new();
    if (!base)
        return CAIRN_E_NOMEM;
    struct hl_daemon_ctx *d;
    int rc = hl_daemon_start(base, cfg, &d);
    if (rc != 0) {
        event_base_free(base);
        return rc;
    }
    d->ev_term = evsignal_new(base, SIGTERM, stop_cb, d);
    d->ev_int = evsignal_new(base, SIGINT, stop_cb, d);
    if (!d->ev_term || !d->ev_int) {
        hl_daemon_stop(d);
        event_base_free(base);
        return CAIRN_E_NOMEM;
    }
    event_add(d->ev_term, NULL);
    event_add(d->ev_int, NULL);
    event_base_dispatch(base);
    hl_daemon_stop(d);
    event_base_free(base);
    return 0;
}
