/*
 * catalogue.h — the hotline message catalogue, as data.
 *
 * Key idea: one table (catalogue.c) says for every message type its fields
 * and their types, which are required, whether the type opens a case, which
 * reply type closes that case, the reply deadline, and an English and a
 * Russian template. Code never switches on a type: validation, case
 * handling and rendering all read the table. Unknown types and unknown
 * fields are refused.
 *
 * Reference: docs/hotline-messages.md; the types and deadlines are those of
 * ../shared/docs/domain.md §3 (Vienna Document 2011 ch. III for the 48-hour
 * explanation and meeting rules; INCSEA 1972 / DMA 1989 for notices at sea;
 * the NATO–Russia CAI procedures for renegade alerts and handovers).
 */
#ifndef CAIRN_HOTLINE_CATALOGUE_H
#define CAIRN_HOTLINE_CATALOGUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The types. The wire carries the name, never this number, so the order
 * here may change without breaking old journals. */
enum hl_type {
    HL_T_NONE = 0,
    HL_T_LINK_CHECK,
    HL_T_LINK_CHECK_REPLY,
    HL_T_TRACK_QUERY,
    HL_T_TRACK_REPLY,
    HL_T_RENEGADE_ALERT,
    HL_T_HANDOVER_REQUEST,
    HL_T_HANDOVER_ACCEPT,
    HL_T_INCIDENT_REPORT,
    HL_T_CLARIFICATION_REQUEST,
    HL_T_CLARIFICATION,
    HL_T_EXPLANATION_REQUEST,
    HL_T_EXPLANATION,
    HL_T_MEETING_REQUEST,
    HL_T_MEETING_RESPONSE,
    HL_T_ACTIVITY_NOTICE,
    HL_T_OBSERVER_INVITATION,
    HL_T_OBSERVER_RESPONSE,
    HL_T_ENTRY_NOTICE,
    HL_T_THREAT_ASSESSMENT,
    HL_T_FREE_TEXT,
    HL_T_OPERATOR_ACK,       /* a person at the receiving centre has read message ack_seq */
    HL_T_COMPLIANCE_SUMMARY, /* transponder reciprocity: flights in the agreed area
                                (app/compliance.h) */
    HL_T__COUNT
};

/* Semantic field types; INT, TIME and SEQ travel as HL_KIND_INT, the rest
 * as HL_KIND_STR (see msg.h). */
enum hl_ftype {
    HL_F_TEXT = 1, /* free UTF-8 text, <= HL_STR_MAX bytes */
    HL_F_INT,      /* signed 64-bit integer (counts: troops, tanks ...) */
    HL_F_TIME,     /* UTC ms since 1970 */
    HL_F_SEQ,      /* a sequence number of the peer's or our own message, >= 1 */
    HL_F_TRACK,    /* track reference: 1..32 of [A-Za-z0-9_.:/-], e.g. "T1234", "icao:4CA1F2" */
    HL_F_POS,      /* position "lat,lon" in decimal degrees WGS-84, e.g. "54.35,19.28" */
    HL_F_AREA,     /* polygon "lat,lon;lat,lon;lat,lon[;...]", 3..64 vertices */
    HL_F_ENUM,     /* one of the spec's enum values (e.g. renegade category) */
};

struct hl_field_spec {
    const char *name;
    enum hl_ftype type;
    bool required;
    const char *enums;    /* HL_F_ENUM: allowed values separated by '|', else NULL */
    const char *enums_ru; /* HL_F_ENUM: Russian display words, same order, or NULL (codes shown) */
    const char *label_en;
    const char *label_ru;
};

/* How the reply deadline of a case-opening type is set. */
enum hl_deadline_kind {
    HL_DL_NONE = 0, /* opens no case */
    HL_DL_FIXED,    /* base time + deadline_ms (configurable per journal) */
    HL_DL_FIELD,    /* the time in field deadline_field (e.g. OBSERVER_INVITATION reply_by) */
};

struct hl_type_spec {
    enum hl_type type;
    const char *name; /* wire name, e.g. "EXPLANATION_REQUEST" */
    const struct hl_field_spec *fields;
    size_t n_fields;
    enum hl_deadline_kind deadline_kind;
    enum hl_type reply;         /* the type that closes the case (HL_T_NONE: none) */
    int64_t deadline_ms;        /* HL_DL_FIXED default */
    const char *deadline_field; /* HL_DL_FIELD */
    int64_t min_notice_ms;      /* ACTIVITY_NOTICE: the least lead time; 0 = none */
    const char *title_en, *title_ru;
    /* Templates: text with {field} placeholders, replaced by the field's
     * rendered value ("—" when an optional field is absent). */
    const char *tmpl_en, *tmpl_ru;
};

enum hl_lang { HL_LANG_EN = 0, HL_LANG_RU = 1 };

/* Fields every type may carry in addition to its own (free text). */
extern const struct hl_field_spec hl_common_fields[];
extern const size_t hl_n_common_fields;

/* The spec of a type, or NULL for HL_T_NONE / out of range. Static data. */
const struct hl_type_spec *hl_catalogue_get(enum hl_type t);
/* Lookup by wire name (exact, len bytes, not NUL-terminated), HL_T_NONE if unknown. */
enum hl_type hl_catalogue_find(const char *name, size_t len);
/* The wire name of t, or "?" */
const char *hl_type_name(enum hl_type t);
/* The spec of one field of a type, or NULL. */
const struct hl_field_spec *hl_catalogue_field(const struct hl_type_spec *ts, const char *name);
/* "en"/"ru" -> lang. 0 or CAIRN_E_INVAL. */
int hl_lang_parse(const char *s, enum hl_lang *out);

struct hl_msg;
/* Check a message's fields against its type: every field known, of the
 * right kind and form, every required field present. 0, CAIRN_E_MSGTYPE or
 * CAIRN_E_FIELD; when bad_field is non-NULL it receives the name of the
 * offending (or missing required) field, a static or m-borrowed string. */
int hl_catalogue_check(const struct hl_msg *m, const char **bad_field);

#endif
