/*
 * render.h — a hotline message as text for people (English or Russian) and
 * as JSON for the API and CLI.
 *
 * Key idea: the catalogue's per-type templates ("{field}" placeholders) are
 * filled with the field values; times print as ISO 8601 UTC, enum values
 * and free text as they are (free text is never translated). The rendered
 * text is for reading only: the signature covers the fields (msg.h).
 */
#ifndef CAIRN_HOTLINE_RENDER_H
#define CAIRN_HOTLINE_RENDER_H

#include "base/dbuf.h"
#include "base/jsonw.h"
#include "hotline/catalogue.h"
#include "hotline/msg.h"

/* Append a header line (type title, sender -> receiver, seq, time, case)
 * and the filled template to out. 0 or CAIRN_E_TOOBIG/NOMEM. */
int hl_render(const struct hl_msg *m, enum hl_lang lang, struct dbuf *out);
/* Only the filled template (no header). */
int hl_render_body(const struct hl_msg *m, enum hl_lang lang, struct dbuf *out);
/* Append one field's value as text (times ISO 8601 UTC). */
int hl_render_value(const struct hl_msg *m, const struct hl_field *f, struct dbuf *out);
/* Write m as a JSON object: sender, receiver, seq, prev_hash (hex), created
 * (ISO) and created_ms, type, case, fields {name: value}, sig (hex). */
void hl_msg_json(const struct hl_msg *m, struct jsonw *w);

#endif
