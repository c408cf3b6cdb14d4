/*
 * msg.c — `cairn msg send|list|show|ack|status|metrics` and `cairn case
 * list`: operators' hotline commands, talking to a running `cairn hotline`
 * over its control socket (hotline/control.h; the socket path comes from
 * -c CENTRE.INI or --socket PATH).
 *
 * Output is text for people (--lang en|ru picks the rendering of message
 * bodies), or the daemon's JSON response as it came with --json.
 *
 * Every string in a response may hold what a peer centre wrote: it reaches
 * the terminal only through log_escape_step (base/log.h), so an ESC, CR or
 * bidi override from a peer is shown as an escape, never obeyed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/dbuf.h"
#include "base/error.h"
#include "base/jsonw.h"
#include "base/log.h"
#include "cli/cli.h"
#include "hotline/catalogue.h"
#include "hotline/control.h"
#include "hotline/daemon.h"

struct common {
    const char *socket;
    const char *ini;
    const char *lang;
    int json;
};

/* Take a common option at argv[*i]; 1 if it was one. */
static int common_opt(struct common *c, int argc, char **argv, int *i)
{
    const char *a = argv[*i];
    if (*i + 1 < argc && (!strcmp(a, "-c") || !strcmp(a, "--config"))) {
        c->ini = argv[++*i];
        return 1;
    }
    if (*i + 1 < argc && !strcmp(a, "--socket")) {
        c->socket = argv[++*i];
        return 1;
    }
    if (*i + 1 < argc && !strcmp(a, "--lang")) {
        c->lang = argv[++*i];
        return 1;
    }
    if (!strcmp(a, "--json")) {
        c->json = 1;
        return 1;
    }
    return 0;
}

static const char *js(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

/* Print s escaped (LOG_ESC_KEEP_NL: a message's lines stay lines). After
 * each newline that is not the last character, print indent. */
static void put_text(const char *s, const char *indent)
{
    size_t len = strlen(s), i = 0;
    char esc[12];
    while (i < len) {
        size_t adv, el = log_escape_step(s + i, len - i, LOG_ESC_KEEP_NL, esc, &adv);
        if (el)
            fwrite(esc, 1, el, stdout);
        else
            fwrite(s + i, 1, adv, stdout);
        if (indent && s[i] == '\n' && i + 1 < len)
            fputs(indent, stdout);
        i += adv;
    }
}

/* js() escaped for one line (LOG_ESC_LINE): names, case ids, error texts.
 * A ring of buffers, so one printf may take several; longer values are
 * cut (names are at most 64 bytes; 1 KiB holds any escaped). */
static const char *jse(json_t *o, const char *k)
{
    static char ring[8][1024];
    static unsigned next;
    char *b = ring[next++ % 8];
    const char *s = js(o, k);
    return log_escape(b, sizeof ring[0], s, strlen(s), LOG_ESC_LINE);
}

/* Send req, parse the response; prints errors. Returns the response (caller
 * json_decref) or NULL. raw gets the text when non-NULL. */
static json_t *call(const struct common *c, const char *req, struct dbuf *raw)
{
    static struct hl_daemon_config cfg;
    const char *path = c->socket;
    if (!path && c->ini) {
        if (hl_daemon_config_load(c->ini, &cfg) != 0)
            return NULL;
        path = cfg.control;
    }
    if (!path) {
        fprintf(stderr, "cairn: say which centre: -c CENTRE.INI or --socket PATH\n");
        return NULL;
    }
    struct hl_ctl ctl;
    if (hl_ctl_open(&ctl, path) != 0) {
        fprintf(stderr,
                "cairn: cannot reach the hotline daemon at %s (is 'cairn hotline' running?)\n",
                path);
        return NULL;
    }
    int rc = hl_ctl_call(&ctl, req, raw);
    hl_ctl_close(&ctl);
    if (rc != 0) {
        fprintf(stderr, "cairn: control socket: %s\n", cairn_strerror(rc));
        return NULL;
    }
    json_error_t e;
    json_t *resp = json_loadb(raw->p, raw->len, 0, &e);
    if (!resp) {
        fprintf(stderr, "cairn: malformed response from the daemon\n");
        return NULL;
    }
    if (!json_is_true(json_object_get(resp, "ok"))) {
        fprintf(stderr, "cairn: refused: %s: %s\n", jse(resp, "error"), jse(resp, "message"));
        json_decref(resp);
        return NULL;
    }
    return resp;
}

static void usage_msg(FILE *f)
{
    fprintf(
        f, "usage: cairn msg COMMAND (-c CENTRE.INI | --socket PATH) [--lang en|ru] [--json] ...\n"
           "  send --to CENTRE --type TYPE [--case ID] [--field NAME=VALUE]... [--count N]\n"
           "  list [--peer CENTRE] [--in|--out] [--type TYPE] [--case ID] [--unacked] [--limit N]\n"
           "       (the newest 100 unless --limit; --limit 0 lists all)\n"
           "  show --peer CENTRE (--in|--out) --seq N\n"
           "  ack --peer CENTRE --seq N [--operator NAME]\n"
           "  status | metrics\n"
           "  types [TYPE]   the message catalogue: types, fields, replies, deadlines\n"
           "                 (works without a running centre)\n"
           "Field values are text (each field once; no control characters but TAB and\n"
           "newline in free text); times are ISO 8601 UTC (2026-11-22T10:00:00Z).\n");
}

static const char *ftype_name(enum hl_ftype t)
{
    switch (t) {
    case HL_F_TEXT:
        return "text";
    case HL_F_INT:
        return "integer";
    case HL_F_TIME:
        return "time (ISO 8601 UTC)";
    case HL_F_SEQ:
        return "message number";
    case HL_F_TRACK:
        return "track (e.g. T1234, icao:4CA1F2)";
    case HL_F_POS:
        return "position lat,lon";
    case HL_F_AREA:
        return "area lat,lon;lat,lon;lat,lon...";
    case HL_F_ENUM:
        return "one of";
    }
    return "?";
}

/* A duration in the largest unit that divides it: "48 h", "10 min", "30 s". */
static void print_duration(int64_t ms)
{
    if (ms % 3600000 == 0)
        printf("%lld h", (long long)(ms / 3600000));
    else if (ms % 60000 == 0)
        printf("%lld min", (long long)(ms / 60000));
    else
        printf("%lld s", (long long)(ms / 1000));
}

/* `cairn msg types [TYPE] [--lang en|ru]`: the catalogue, read from the
 * table the centre itself enforces, so what it prints is what is accepted. */
static int msg_types(int argc, char **argv)
{
    const char *only = NULL;
    enum hl_lang lang = HL_LANG_EN;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--lang") && i + 1 < argc) {
            if (hl_lang_parse(argv[++i], &lang) < 0) {
                fprintf(stderr, "cairn msg types: --lang en|ru\n");
                return 2;
            }
        } else if (argv[i][0] != '-' && !only) {
            only = argv[i];
        } else {
            fprintf(stderr, "usage: cairn msg types [TYPE] [--lang en|ru]\n");
            return 2;
        }
    }
    if (only && hl_catalogue_find(only, strlen(only)) == HL_T_NONE) {
        fprintf(stderr, "cairn msg types: unknown type '%s'\n", only);
        return 1;
    }
    for (int t = HL_T_NONE + 1; t < HL_T__COUNT; t++) {
        const struct hl_type_spec *ts = hl_catalogue_get((enum hl_type)t);
        if (!ts || (only && strcmp(only, ts->name)))
            continue;
        printf("%-22s %s\n", ts->name, lang == HL_LANG_RU ? ts->title_ru : ts->title_en);
        if (ts->reply != HL_T_NONE) {
            printf("%-22s reply %s", "", hl_type_name(ts->reply));
            if (ts->deadline_kind == HL_DL_FIXED) {
                printf(" due within ");
                print_duration(ts->deadline_ms);
            } else if (ts->deadline_kind == HL_DL_FIELD) {
                printf(" due by the time in field '%s'", ts->deadline_field);
            }
            printf("\n");
        }
        if (ts->min_notice_ms) {
            printf("%-22s must arrive at least ", "");
            print_duration(ts->min_notice_ms);
            printf(" ahead\n");
        }
        if (!only)
            continue;
        for (size_t i = 0; i < ts->n_fields; i++) {
            const struct hl_field_spec *f = &ts->fields[i];
            printf("  %-20s %-8s %s%s%s  (%s)\n", f->name, f->required ? "required" : "optional",
                   ftype_name(f->type), f->enums ? " " : "", f->enums ? f->enums : "",
                   lang == HL_LANG_RU ? f->label_ru : f->label_en);
        }
        printf("  %-20s %-8s %s\n", "text", "optional", "text (free text, any type)");
    }
    if (!only)
        printf("\n'cairn msg types TYPE' lists a type's fields.\n");
    return 0;
}

/* Print a list response for people. */
static void print_messages(json_t *resp, int full)
{
    json_t *arr = json_object_get(resp, "messages");
    size_t i;
    json_t *m;
    json_array_foreach(arr, i, m)
    {
        const char *dir = js(m, "dir");
        printf("%s %s #%lld  %s  %s%s%s  %s%s\n", !strcmp(dir, "out") ? "->" : "<-", jse(m, "peer"),
               (long long)json_integer_value(json_object_get(m, "seq")), jse(m, "created"),
               jse(m, "type"), js(m, "case")[0] ? "  case " : "", jse(m, "case"),
               !strcmp(dir, "out")
                   ? (json_is_true(json_object_get(m, "delivered")) ? "delivered" : "NOT DELIVERED")
                   : "received",
               json_is_true(json_object_get(m, "acked")) ? ", read" : "");
        const char *text = js(m, "text");
        if (full) {
            put_text(text, NULL);
            putchar('\n');
        } else if (text[0]) {
            /* indent the body */
            printf("    ");
            put_text(text, "    ");
            if (text[strlen(text) - 1] != '\n')
                putchar('\n');
        }
    }
}

int cli_msg(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage_msg(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "types"))
        return msg_types(argc, argv);
    struct common c = {0};
    struct dbuf req, raw;
    dbuf_init(&req, 1u << 20);
    dbuf_init(&raw, HL_CTL_LINE_MAX);
    struct jsonw w;
    jw_init(&w, &req);
    jw_obj(&w);
    int status = 2, dir_set = 0, fields_open = 0, limit_set = 0;
    if (!strcmp(cmd, "send"))
        jw_kstr(&w, "op", "send");
    else if (!strcmp(cmd, "list") || !strcmp(cmd, "show") || !strcmp(cmd, "ack") ||
             !strcmp(cmd, "status") || !strcmp(cmd, "metrics"))
        jw_kstr(&w, "op", cmd);
    else {
        fprintf(stderr, "cairn msg: unknown command '%s'\n", cmd);
        usage_msg(stderr);
        goto out;
    }
    /* Fields are collected after the other keys (one object). */
    const char **fields = calloc((size_t)argc, sizeof *fields);
    size_t n_fields = 0;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (common_opt(&c, argc, argv, &i))
            continue;
        if (!strcmp(a, "--in") || !strcmp(a, "--out")) {
            jw_kstr(&w, "dir", a + 2);
            dir_set = 1;
        } else if (!strcmp(a, "--unacked"))
            jw_kbool(&w, "unacked", 1);
        else if (v && !strcmp(a, "--field")) {
            const char *eq = strchr(v, '=');
            if (!eq || eq == v) {
                fprintf(stderr, "cairn msg: --field wants NAME=VALUE, not '%s'\n", v);
                free(fields);
                goto out;
            }
            /* A field has one value: a second --field of the same name is
             * refused, never silently kept or dropped. */
            size_t nl = (size_t)(eq - v);
            for (size_t k = 0; k < n_fields; k++)
                if (!strncmp(fields[k], v, nl) && fields[k][nl] == '=') {
                    fprintf(stderr, "cairn msg: --field %.*s given twice (a field has one value)\n",
                            (int)nl, v);
                    free(fields);
                    goto out;
                }
            fields[n_fields++] = v;
            i++;
        } else if (v && (!strcmp(a, "--seq") || !strcmp(a, "--limit") || !strcmp(a, "--count"))) {
            char *end;
            long long n = strtoll(v, &end, 10);
            if (*end || n < 0) {
                fprintf(stderr, "cairn msg: %s wants a number\n", a);
                free(fields);
                goto out;
            }
            jw_kint(&w, a + 2, n);
            if (!strcmp(a, "--limit"))
                limit_set = 1;
            i++;
        } else if (v && (!strcmp(a, "--to") || !strcmp(a, "--type") || !strcmp(a, "--case") ||
                         !strcmp(a, "--peer") || !strcmp(a, "--operator"))) {
            jw_kstr(&w, a + 2, v);
            i++;
        } else {
            fprintf(stderr, "cairn msg %s: unexpected argument '%s'\n", cmd, a);
            free(fields);
            goto out;
        }
    }
    (void)dir_set;
    if (!strcmp(cmd, "list") && !limit_set)
        jw_kint(&w, "limit", 100); /* the newest 100 unless asked: a journal grows without end */
    if (c.lang)
        jw_kstr(&w, "lang", c.lang);
    if (n_fields) {
        jw_key(&w, "fields");
        jw_obj(&w);
        fields_open = 1;
        for (size_t k = 0; k < n_fields; k++) {
            const char *eq = strchr(fields[k], '=');
            char name[64];
            snprintf(name, sizeof name, "%.*s", (int)(eq - fields[k]), fields[k]);
            jw_kstr(&w, name, eq + 1);
        }
        jw_end(&w);
    }
    (void)fields_open;
    free(fields);
    jw_end(&w);
    if (w.err) {
        fprintf(stderr, "cairn msg: request too large\n");
        goto out;
    }
    json_t *resp = call(&c, req.p, &raw);
    status = 1;
    if (!resp)
        goto out;
    status = 0;
    if (c.json) {
        printf("%s\n", raw.p);
    } else if (!strcmp(cmd, "send")) {
        long long first = (long long)json_integer_value(json_object_get(resp, "seq"));
        long long last = (long long)json_integer_value(json_object_get(resp, "last"));
        if (first == last)
            printf("sent #%lld", first);
        else
            printf("sent #%lld..#%lld", first, last);
        if (js(resp, "case")[0])
            printf(" (case %s)", jse(resp, "case"));
        printf("\n");
    } else if (!strcmp(cmd, "list") || !strcmp(cmd, "show")) {
        print_messages(resp, !strcmp(cmd, "show"));
    } else if (!strcmp(cmd, "ack")) {
        printf("acknowledged; the peer is told by OPERATOR_ACK #%lld\n",
               (long long)json_integer_value(json_object_get(resp, "ack_seq")));
    } else if (!strcmp(cmd, "metrics")) {
        put_text(js(resp, "text"), NULL);
    } else { /* status */
        printf("centre %s (link port %lld), %s\n", jse(resp, "centre"),
               (long long)json_integer_value(json_object_get(resp, "port")), js(resp, "now"));
        size_t i;
        json_t *p;
        json_array_foreach(json_object_get(resp, "peers"), i, p)
        {
            printf("  %-16s %-5s sent %lld, delivered %lld, received %lld\n", jse(p, "name"),
                   json_is_true(json_object_get(p, "up")) ? "up" : "DOWN",
                   (long long)json_integer_value(json_object_get(p, "sent")),
                   (long long)json_integer_value(json_object_get(p, "delivered")),
                   (long long)json_integer_value(json_object_get(p, "received")));
        }
    }
    json_decref(resp);
out:
    dbuf_free(&req);
    dbuf_free(&raw);
    return status;
}

int cli_case(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "list") != 0) {
        fprintf(argc >= 2 && !strcmp(argv[1], "--help") ? stdout : stderr,
                "usage: cairn case list (-c CENTRE.INI | --socket PATH) "
                "[--state open|closed|overdue] [--json]\n");
        return argc >= 2 && !strcmp(argv[1], "--help") ? 0 : 2;
    }
    struct common c = {0};
    const char *state = NULL;
    for (int i = 2; i < argc; i++) {
        if (common_opt(&c, argc, argv, &i))
            continue;
        if (!strcmp(argv[i], "--state") && i + 1 < argc)
            state = argv[++i];
        else {
            fprintf(stderr, "cairn case list: unexpected argument '%s'\n", argv[i]);
            return 2;
        }
    }
    struct dbuf req, raw;
    dbuf_init(&req, 4096);
    dbuf_init(&raw, HL_CTL_LINE_MAX);
    struct jsonw w;
    jw_init(&w, &req);
    jw_obj(&w);
    jw_kstr(&w, "op", "cases");
    if (state)
        jw_kstr(&w, "state", state);
    jw_end(&w);
    json_t *resp = call(&c, req.p, &raw);
    int status = 1;
    if (resp) {
        status = 0;
        if (c.json)
            printf("%s\n", raw.p);
        else {
            int ru = c.lang && !strcmp(c.lang, "ru");
            size_t i;
            json_t *k;
            json_array_foreach(json_object_get(resp, "cases"), i, k)
            {
                const char *st = js(k, "state");
                const char *st_txt = st;
                if (ru)
                    st_txt = !strcmp(st, "open")      ? "открыто"
                             : !strcmp(st, "overdue") ? "ПРОСРОЧЕНО"
                                                      : "закрыто";
                int closed = !strcmp(st, "closed");
                const char *verb =
                    closed ? (ru ? "ответ" : "answered by") : (ru ? "ждёт" : "awaiting");
                printf("%-24s %-8s %-10s %s %s -> %s, %s %s%s\n", jse(k, "case"), jse(k, "peer"),
                       st_txt, jse(k, "type"), verb, jse(k, "reply"), ru ? "срок" : "due",
                       jse(k, "due"),
                       json_is_true(json_object_get(k, "late"))
                           ? (ru ? " (с опозданием)" : " (late)")
                           : "");
            }
        }
        json_decref(resp);
    }
    dbuf_free(&req);
    dbuf_free(&raw);
    return status;
}
