/*
 * render.c — hotline messages as English or Russian text, and as JSON.
 * See render.h.
 *
 * Key idea: a template is plain UTF-8 with {name} placeholders; the
 * renderer copies it, replacing each placeholder by the field's value in
 * the reader's form (times ISO 8601 UTC, enum codes translated when the
 * catalogue gives Russian words, absent optional fields as "—"). A
 * placeholder naming no field of the type renders as "{name}" unchanged,
 * which the catalogue test catches.
 */
#include "hotline/render.h"

#include <stdio.h>
#include <string.h>

#include "base/clock.h"
#include "base/error.h"
#include "base/hex.h"

static const char ABSENT[] = "—";

/* Append the i-th '|'-separated item of list. */
static int add_item(struct dbuf *out, const char *list, int idx)
{
    const char *p = list;
    for (int k = 0; k < idx; k++) {
        p = strchr(p, '|');
        if (!p)
            return CAIRN_E_NOTFOUND;
        p++;
    }
    const char *e = strchr(p, '|');
    return dbuf_add(out, p, e ? (size_t)(e - p) : strlen(p));
}

/* Index of value v in list, or -1. */
static int item_index(const char *list, const char *v, size_t n)
{
    const char *p = list;
    for (int idx = 0;; idx++) {
        const char *e = strchr(p, '|');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l == n && !memcmp(p, v, n))
            return idx;
        if (!e)
            return -1;
        p = e + 1;
    }
}

int hl_render_value(const struct hl_msg *m, const struct hl_field *f, struct dbuf *out)
{
    const struct hl_type_spec *ts = hl_catalogue_get(m->type);
    const struct hl_field_spec *fs = ts ? hl_catalogue_field(ts, f->name) : NULL;
    if (f->kind == HL_KIND_STR)
        return dbuf_add(out, hl_field_str(m, f), f->s_len);
    if (fs && fs->type == HL_F_TIME) {
        char iso[40];
        clock_iso8601(f->i, iso, sizeof iso);
        return dbuf_adds(out, iso);
    }
    return dbuf_addf(out, "%lld", (long long)f->i);
}

static int render_field(const struct hl_msg *m, const struct hl_type_spec *ts, const char *name,
                        size_t nlen, enum hl_lang lang, struct dbuf *out)
{
    char key[HL_FNAME_MAX + 1];
    if (nlen > HL_FNAME_MAX)
        goto literal;
    memcpy(key, name, nlen);
    key[nlen] = 0;
    const struct hl_field_spec *fs = hl_catalogue_field(ts, key);
    if (!fs)
        goto literal;
    const struct hl_field *f = hl_msg_field(m, key);
    if (!f)
        return dbuf_adds(out, ABSENT);
    if (fs->type == HL_F_ENUM && lang == HL_LANG_RU && fs->enums_ru && f->kind == HL_KIND_STR) {
        int idx = item_index(fs->enums, hl_field_str(m, f), f->s_len);
        if (idx >= 0)
            return add_item(out, fs->enums_ru, idx);
    }
    return hl_render_value(m, f, out);
literal:
    return dbuf_addf(out, "{%.*s}", (int)nlen, name);
}

int hl_render_body(const struct hl_msg *m, enum hl_lang lang, struct dbuf *out)
{
    const struct hl_type_spec *ts = hl_catalogue_get(m->type);
    if (!ts)
        return CAIRN_E_MSGTYPE;
    const char *p = lang == HL_LANG_RU ? ts->tmpl_ru : ts->tmpl_en;
    int rc = 0;
    while (*p && rc == 0) {
        const char *open = strchr(p, '{');
        if (!open)
            return dbuf_adds(out, p);
        const char *close = strchr(open, '}');
        if (!close)
            return dbuf_adds(out, p);
        rc = dbuf_add(out, p, (size_t)(open - p));
        if (rc == 0)
            rc = render_field(m, ts, open + 1, (size_t)(close - open - 1), lang, out);
        p = close + 1;
    }
    if (rc == 0) {
        const struct hl_field *t = hl_msg_field(m, "text");
        if (t && t->kind == HL_KIND_STR && t->s_len)
            rc = dbuf_addf(out, "\n%s: %s", lang == HL_LANG_RU ? "Текст" : "Text",
                           hl_field_str(m, t));
    }
    return rc;
}

int hl_render(const struct hl_msg *m, enum hl_lang lang, struct dbuf *out)
{
    const struct hl_type_spec *ts = hl_catalogue_get(m->type);
    if (!ts)
        return CAIRN_E_MSGTYPE;
    char iso[40];
    clock_iso8601(m->created_utc_ms, iso, sizeof iso);
    int rc;
    if (lang == HL_LANG_RU)
        rc = dbuf_addf(out, "%s — от %s для %s, № %llu, %s%s%s\n", ts->title_ru, m->sender,
                       m->receiver, (unsigned long long)m->seq, iso, m->case_id[0] ? ", дело " : "",
                       m->case_id);
    else
        rc = dbuf_addf(out, "%s — from %s to %s, no. %llu, %s%s%s\n", ts->title_en, m->sender,
                       m->receiver, (unsigned long long)m->seq, iso, m->case_id[0] ? ", case " : "",
                       m->case_id);
    if (rc == 0)
        rc = hl_render_body(m, lang, out);
    return rc;
}

void hl_msg_json(const struct hl_msg *m, struct jsonw *w)
{
    char hex[2 * HL_SIG_LEN + 1], iso[40];
    jw_obj(w);
    jw_kstr(w, "sender", m->sender);
    jw_kstr(w, "receiver", m->receiver);
    jw_kuint(w, "seq", m->seq);
    hex_encode(m->prev_hash, HL_HASH_LEN, hex);
    jw_kstr(w, "prev_hash", hex);
    clock_iso8601(m->created_utc_ms, iso, sizeof iso);
    jw_kstr(w, "created", iso);
    jw_kint(w, "created_ms", m->created_utc_ms);
    jw_kstr(w, "type", hl_type_name(m->type));
    jw_kstr(w, "case", m->case_id);
    jw_key(w, "fields");
    jw_obj(w);
    for (int i = 0; i < m->n_fields; i++) {
        const struct hl_field *f = &m->fields[i];
        if (f->kind == HL_KIND_STR) {
            jw_key(w, f->name);
            jw_strn(w, hl_field_str(m, f), f->s_len);
        } else {
            jw_kint(w, f->name, f->i);
        }
    }
    jw_end(w);
    hex_encode(m->sig, HL_SIG_LEN, hex);
    jw_kstr(w, "sig", hex);
    jw_end(w);
}
