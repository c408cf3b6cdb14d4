/*
 * catalogue.c — the hotline message catalogue as one table, and the field
 * checks it drives. See catalogue.h.
 *
 * Source of the types and deadlines: ../shared/docs/domain.md §3. Where the
 * domain says "minutes" or "immediate", the number here is our design
 * choice (commented) and a journal may override it
 * (hl_journal_set_deadline). The Russian wording follows the official
 * Russian text of the Vienna Document 2011 where it has a term ("необычная
 * военная деятельность", "наблюдатели"), and plain operational Russian
 * otherwise.
 */
#include "hotline/catalogue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/error.h"
#include "hotline/msg.h"

#define MIN_MS  (60 * 1000LL)
#define HOUR_MS (60 * MIN_MS)
#define DAY_MS  (24 * HOUR_MS)

#define REQ   true
#define OPT   false
#define NF(a) (sizeof(a) / sizeof((a)[0]))

const struct hl_field_spec hl_common_fields[] = {
    {"text", HL_F_TEXT, OPT, NULL, NULL, "Text", "Текст"},
};
const size_t hl_n_common_fields = NF(hl_common_fields);

static const struct hl_field_spec f_link_check[] = {
    {"nonce", HL_F_TEXT, OPT, NULL, NULL, "Check id", "Номер проверки"},
};
static const struct hl_field_spec f_link_check_reply[] = {
    {"operator", HL_F_TEXT, REQ, NULL, NULL, "Operator", "Оператор"},
};
static const struct hl_field_spec f_track_query[] = {
    {"observed", HL_F_TIME, OPT, NULL, NULL, "Observed", "Время наблюдения"},
    {"position", HL_F_POS, OPT, NULL, NULL, "Position", "Координаты"},
    {"question", HL_F_TEXT, OPT, NULL, NULL, "Question", "Вопрос"},
    {"track", HL_F_TRACK, REQ, NULL, NULL, "Track", "Трек"},
};
static const struct hl_field_spec f_track_reply[] = {
    {"identity", HL_F_TEXT, OPT, NULL, NULL, "Identity", "Принадлежность"},
    {"intent", HL_F_TEXT, OPT, NULL, NULL, "Intentions", "Намерения"},
    {"track", HL_F_TRACK, REQ, NULL, NULL, "Track", "Трек"},
};
static const struct hl_field_spec f_renegade[] = {
    {"altitude_ft", HL_F_INT, OPT, NULL, NULL, "Altitude (ft)", "Высота (фт)"},
    {"callsign", HL_F_TEXT, OPT, NULL, NULL, "Callsign", "Позывной"},
    {"category", HL_F_ENUM, REQ, "COMLOSS|SUSPECTED|PROBABLE|CONFIRMED", NULL, "Category",
     "Категория"},
    {"heading_deg", HL_F_INT, OPT, NULL, NULL, "Heading (deg)", "Курс (град)"},
    {"observed", HL_F_TIME, REQ, NULL, NULL, "Observed", "Время наблюдения"},
    {"position", HL_F_POS, REQ, NULL, NULL, "Position", "Координаты"},
    {"squawk", HL_F_TEXT, OPT, NULL, NULL, "Squawk", "Код ответчика"},
    {"track", HL_F_TRACK, REQ, NULL, NULL, "Track", "Трек"},
};
static const struct hl_field_spec f_handover_req[] = {
    {"boundary_eta", HL_F_TIME, OPT, NULL, NULL, "At boundary", "Выход к границе"},
    {"escort", HL_F_TEXT, OPT, NULL, NULL, "Escort", "Сопровождение"},
    {"position", HL_F_POS, REQ, NULL, NULL, "Handover point", "Точка передачи"},
    {"track", HL_F_TRACK, REQ, NULL, NULL, "Track", "Трек"},
};
static const struct hl_field_spec f_handover_acc[] = {
    {"decision", HL_F_ENUM, REQ, "ACCEPTED|DECLINED", "ПРИНЯТА|ОТКЛОНЕНА", "Decision", "Решение"},
    {"track", HL_F_TRACK, REQ, NULL, NULL, "Track", "Трек"},
};
static const struct hl_field_spec f_incident[] = {
    {"description", HL_F_TEXT, OPT, NULL, NULL, "Description", "Описание"},
    {"kind", HL_F_ENUM, REQ, "NEAR_MISS|NO_TRANSPONDER|LOW_PASS_SHIP|DANGEROUS_APPROACH|OTHER",
     "опасное сближение|полёт без ответчика|пролёт на малой высоте над кораблём|"
     "опасное маневрирование|иное",
     "Kind", "Вид"},
    {"min_distance_m", HL_F_INT, OPT, NULL, NULL, "Closest distance (m)", "Мин. расстояние (м)"},
    {"occurred", HL_F_TIME, REQ, NULL, NULL, "Time", "Время"},
    {"position", HL_F_POS, REQ, NULL, NULL, "Position", "Координаты"},
    {"tracks", HL_F_TEXT, OPT, NULL, NULL, "Tracks", "Треки"},
};
static const struct hl_field_spec f_clar_req[] = {
    {"about_seq", HL_F_SEQ, REQ, NULL, NULL, "Report no.", "Донесение №"},
    {"question", HL_F_TEXT, REQ, NULL, NULL, "Question", "Вопрос"},
};
static const struct hl_field_spec f_answer[] = {
    {"answer", HL_F_TEXT, REQ, NULL, NULL, "Answer", "Ответ"},
};
static const struct hl_field_spec f_expl_req[] = {
    {"activity", HL_F_TEXT, REQ, NULL, NULL, "Activity", "Деятельность"},
    {"area", HL_F_AREA, OPT, NULL, NULL, "Area", "Район"},
    {"observed", HL_F_TIME, OPT, NULL, NULL, "Observed", "Время наблюдения"},
};
static const struct hl_field_spec f_meeting_req[] = {
    {"place", HL_F_TEXT, OPT, NULL, NULL, "Place", "Место"},
    {"proposed_time", HL_F_TIME, OPT, NULL, NULL, "Proposed time", "Предлагаемое время"},
    {"purpose", HL_F_TEXT, REQ, NULL, NULL, "Purpose", "Цель"},
};
static const struct hl_field_spec f_meeting_resp[] = {
    {"decision", HL_F_ENUM, REQ, "AGREED|DECLINED|COUNTER_PROPOSAL",
     "согласие|отказ|встречное предложение", "Decision", "Решение"},
    {"meeting_time", HL_F_TIME, OPT, NULL, NULL, "Time", "Время"},
    {"place", HL_F_TEXT, OPT, NULL, NULL, "Place", "Место"},
};
static const struct hl_field_spec f_activity[] = {
    {"area", HL_F_AREA, REQ, NULL, NULL, "Area", "Район"},
    {"description", HL_F_TEXT, OPT, NULL, NULL, "Description", "Описание"},
    {"end", HL_F_TIME, REQ, NULL, NULL, "End", "Окончание"},
    {"kind", HL_F_ENUM, REQ, "EXERCISE|HAZARDOUS_OPERATION|LASER_USE|MISSILE_FIRING|OTHER",
     "учение|опасная операция|применение лазера|ракетные стрельбы|иная деятельность", "Kind",
     "Вид"},
    {"start", HL_F_TIME, REQ, NULL, NULL, "Start", "Начало"},
    {"tanks", HL_F_INT, OPT, NULL, NULL, "Battle tanks", "Боевые танки"},
    {"troops", HL_F_INT, OPT, NULL, NULL, "Troops", "Личный состав"},
};
static const struct hl_field_spec f_obs_inv[] = {
    {"end", HL_F_TIME, REQ, NULL, NULL, "End", "Окончание"},
    {"exercise", HL_F_TEXT, REQ, NULL, NULL, "Exercise", "Учение"},
    {"place", HL_F_TEXT, OPT, NULL, NULL, "Arrival point", "Пункт прибытия"},
    {"reply_by", HL_F_TIME, REQ, NULL, NULL, "Reply by", "Ответить до"},
    {"start", HL_F_TIME, REQ, NULL, NULL, "Start", "Начало"},
};
static const struct hl_field_spec f_obs_resp[] = {
    {"decision", HL_F_ENUM, REQ, "ACCEPTED|DECLINED", "принято|отклонено", "Decision", "Решение"},
    {"observers", HL_F_INT, OPT, NULL, NULL, "Observers", "Число наблюдателей"},
};
static const struct hl_field_spec f_entry[] = {
    {"entered", HL_F_TIME, REQ, NULL, NULL, "Time of entry", "Время входа"},
    {"intentions", HL_F_TEXT, OPT, NULL, NULL, "Intentions", "Намерения"},
    {"position", HL_F_POS, REQ, NULL, NULL, "Position", "Координаты"},
    {"reason", HL_F_ENUM, REQ, "ACCIDENTAL|FORCE_MAJEURE", "случайный вход|форс-мажор", "Reason",
     "Причина"},
    {"unit", HL_F_TEXT, REQ, NULL, NULL, "Unit", "Подразделение"},
};
static const struct hl_field_spec f_threat[] = {
    {"area", HL_F_AREA, OPT, NULL, NULL, "Area", "Район"},
    {"assessment", HL_F_TEXT, REQ, NULL, NULL, "Assessment", "Оценка"},
    {"level", HL_F_ENUM, REQ, "LOW|MEDIUM|HIGH|CRITICAL", "низкий|средний|высокий|критический",
     "Level", "Уровень"},
    {"subject", HL_F_TEXT, REQ, NULL, NULL, "Subject", "Предмет"},
    {"valid_until", HL_F_TIME, OPT, NULL, NULL, "Valid until", "Действительна до"},
};
static const struct hl_field_spec f_free[] = {
    {"body", HL_F_TEXT, REQ, NULL, NULL, "Message", "Сообщение"},
    {"subject", HL_F_TEXT, OPT, NULL, NULL, "Subject", "Тема"},
};
static const struct hl_field_spec f_ack[] = {
    {"ack_seq", HL_F_SEQ, REQ, NULL, NULL, "Message no.", "Сообщение №"},
    {"operator", HL_F_TEXT, REQ, NULL, NULL, "Operator", "Оператор"},
};

/* COMPLIANCE_SUMMARY (the 2016 Baltic transponder proposal): counts and
 * flights travel as text in the grammar of app/compliance.h, which the
 * receiving centre parses and compares with its own picture. */
static const struct hl_field_spec f_compliance[] = {
    {"area", HL_F_TEXT, OPT, NULL, NULL, "Area", "Район"},
    {"counts", HL_F_TEXT, REQ, NULL, NULL, "Counts", "Итоги"},
    {"flights", HL_F_TEXT, OPT, NULL, NULL, "Flights", "Полёты"},
    {"omitted", HL_F_INT, OPT, NULL, NULL, "Flights not listed", "Не перечислено полётов"},
    {"period_end", HL_F_TIME, REQ, NULL, NULL, "Until", "По"},
    {"period_start", HL_F_TIME, REQ, NULL, NULL, "From", "С"},
};

#define T(e, fl) HL_T_##e, #e, fl, NF(fl)

/* The table. Columns: type, name, fields, deadline kind, reply type,
 * deadline, deadline field, least notice, titles, templates. */
static const struct hl_type_spec catalogue[HL_T__COUNT] = {
    [HL_T_LINK_CHECK] = {T(LINK_CHECK, f_link_check), HL_DL_FIXED, HL_T_LINK_CHECK_REPLY,
                         /* "minutes": 5 min is our default, configurable */
                         5 * MIN_MS, NULL, 0, "Link check", "Проверка связи",
                         "Link check {nonce}. Please confirm that a duty operator is on watch.",
                         "Проверка связи {nonce}. Просим подтвердить присутствие дежурного "
                         "оператора."},
    [HL_T_LINK_CHECK_REPLY] = {T(LINK_CHECK_REPLY, f_link_check_reply), HL_DL_NONE, HL_T_NONE, 0,
                               NULL, 0, "Link check reply", "Ответ на проверку связи",
                               "Link check answered by duty operator {operator}.",
                               "На проверку связи ответил дежурный оператор {operator}."},
    [HL_T_TRACK_QUERY] = {T(TRACK_QUERY, f_track_query), HL_DL_FIXED, HL_T_TRACK_REPLY,
                          1 * HOUR_MS, /* domain.md: 1 h, a design choice */
                          NULL, 0, "Track query", "Запрос по треку",
                          "Request for information on track {track}, observed at {observed} "
                          "near {position}. {question}",
                          "Запрос информации по треку {track}, наблюдавшемуся {observed} в "
                          "районе {position}. {question}"},
    [HL_T_TRACK_REPLY] = {T(TRACK_REPLY, f_track_reply), HL_DL_NONE, HL_T_NONE, 0, NULL, 0,
                          "Track reply", "Ответ по треку",
                          "Reply on track {track}: identified as {identity}; intentions: "
                          "{intent}.",
                          "Ответ по треку {track}: опознан как {identity}; намерения: {intent}."},
    [HL_T_RENEGADE_ALERT] = {T(RENEGADE_ALERT, f_renegade), HL_DL_FIXED, HL_T_OPERATOR_ACK,
                             /* "immediate acknowledgement": 2 min for a person to read it */
                             2 * MIN_MS, NULL, 0, "RENEGADE ALERT", "ОПОВЕЩЕНИЕ О РЕНЕГАТЕ",
                             "RENEGADE ALERT: track {track} (callsign {callsign}, squawk "
                             "{squawk}), category {category}, at {position}, altitude "
                             "{altitude_ft} ft, heading {heading_deg}°, observed {observed}. "
                             "Immediate acknowledgement required.",
                             "ОПОВЕЩЕНИЕ О РЕНЕГАТЕ: трек {track} (позывной {callsign}, код "
                             "ответчика {squawk}), категория {category}, координаты {position}, "
                             "высота {altitude_ft} фт, курс {heading_deg}°, время наблюдения "
                             "{observed}. Требуется немедленное подтверждение."},
    [HL_T_HANDOVER_REQUEST] = {T(HANDOVER_REQUEST, f_handover_req), HL_DL_FIXED,
                               HL_T_HANDOVER_ACCEPT,
                               /* "minutes": a renegade at 450 kt covers 75 NM in 10 min */
                               10 * MIN_MS, NULL, 0, "Handover request",
                               "Запрос на передачу ответственности",
                               "Request to hand over responsibility for track {track} at "
                               "{position}; expected at the boundary at {boundary_eta}; escort "
                               "{escort}.",
                               "Запрос на передачу ответственности за трек {track} в точке "
                               "{position}; ожидаемое время выхода к границе {boundary_eta}; "
                               "сопровождение {escort}."},
    [HL_T_HANDOVER_ACCEPT] = {T(HANDOVER_ACCEPT, f_handover_acc), HL_DL_NONE, HL_T_NONE, 0, NULL, 0,
                              "Handover response", "Ответ на запрос о передаче",
                              "Handover of track {track}: {decision}.",
                              "Передача ответственности за трек {track}: {decision}."},
    [HL_T_INCIDENT_REPORT] = {T(INCIDENT_REPORT, f_incident), HL_DL_NONE, HL_T_NONE, 0, NULL, 0,
                              "Incident report", "Донесение об инциденте",
                              "Report of a hazardous incident: {kind} at {occurred}, position "
                              "{position}; tracks {tracks}; closest distance {min_distance_m} "
                              "m. {description}",
                              "Донесение об опасном инциденте: {kind}, время {occurred}, "
                              "координаты {position}; треки {tracks}; минимальное расстояние "
                              "{min_distance_m} м. {description}"},
    [HL_T_CLARIFICATION_REQUEST] = {T(CLARIFICATION_REQUEST, f_clar_req), HL_DL_FIXED,
                                    HL_T_CLARIFICATION,
                                    24 * HOUR_MS, /* "without delay": 24 h, a design choice */
                                    NULL, 0, "Clarification request", "Запрос разъяснения",
                                    "Request for clarification of incident report no. "
                                    "{about_seq}: {question}",
                                    "Запрос разъяснения по донесению об инциденте № "
                                    "{about_seq}: {question}"},
    [HL_T_CLARIFICATION] = {T(CLARIFICATION, f_answer), HL_DL_NONE, HL_T_NONE, 0, NULL, 0,
                            "Clarification", "Разъяснение", "Clarification: {answer}",
                            "Разъяснение: {answer}"},
    [HL_T_EXPLANATION_REQUEST] = {T(EXPLANATION_REQUEST, f_expl_req), HL_DL_FIXED, HL_T_EXPLANATION,
                                  48 * HOUR_MS, /* Vienna Document 2011 §16.1.2: 48 h */
                                  NULL, 0, "Request for explanation", "Запрос объяснения",
                                  "Request for an explanation of unusual military activity "
                                  "(Vienna Document 2011, chapter III): {activity}; area {area}; "
                                  "observed {observed}. A reply is due within 48 hours.",
                                  "Запрос объяснения относительно необычной военной "
                                  "деятельности (Венский документ 2011 года, глава III): "
                                  "{activity}; район {area}; время наблюдения {observed}. Ответ "
                                  "ожидается в течение 48 часов."},
    [HL_T_EXPLANATION] = {T(EXPLANATION, f_answer), HL_DL_NONE, HL_T_NONE, 0, NULL, 0,
                          "Explanation", "Объяснение", "Explanation of the activity: {answer}",
                          "Объяснение относительно деятельности: {answer}"},
    [HL_T_MEETING_REQUEST] = {T(MEETING_REQUEST, f_meeting_req), HL_DL_FIXED, HL_T_MEETING_RESPONSE,
                              48 * HOUR_MS, /* Vienna Document 2011 §16.2: within 48 h */
                              NULL, 0, "Meeting request", "Просьба о встрече",
                              "Request for a meeting about the activity: {purpose}; proposed "
                              "place {place}, time {proposed_time}.",
                              "Просьба о проведении встречи по вопросу деятельности: {purpose}; "
                              "предлагаемое место {place}, время {proposed_time}."},
    [HL_T_MEETING_RESPONSE] = {T(MEETING_RESPONSE, f_meeting_resp), HL_DL_NONE, HL_T_NONE, 0, NULL,
                               0, "Meeting response", "Ответ на просьбу о встрече",
                               "Response to the meeting request: {decision}; place {place}, "
                               "time {meeting_time}.",
                               "Ответ на просьбу о встрече: {decision}; место {place}, время "
                               "{meeting_time}."},
    [HL_T_ACTIVITY_NOTICE] = {T(ACTIVITY_NOTICE, f_activity), HL_DL_NONE, HL_T_NONE, 0, NULL,
                              3 * DAY_MS, /* INCSEA: hazardous operations 3-5 days ahead */
                              "Activity notice", "Уведомление о деятельности",
                              "Notice of {kind} in area {area} from {start} to {end}; troops "
                              "{troops}, battle tanks {tanks}. {description}",
                              "Уведомление: {kind} в районе {area} с {start} по {end}; личный "
                              "состав {troops}, боевые танки {tanks}. {description}"},
    [HL_T_OBSERVER_INVITATION] = {T(OBSERVER_INVITATION, f_obs_inv), HL_DL_FIELD,
                                  HL_T_OBSERVER_RESPONSE, 0, "reply_by", 0, "Invitation to observe",
                                  "Приглашение наблюдателей",
                                  "Invitation to observe the exercise {exercise} from {start} to "
                                  "{end}; arrival point {place}. Please reply by {reply_by}.",
                                  "Приглашение направить наблюдателей на учение {exercise} с "
                                  "{start} по {end}; пункт прибытия {place}. Просим ответить до "
                                  "{reply_by}."},
    [HL_T_OBSERVER_RESPONSE] = {T(OBSERVER_RESPONSE, f_obs_resp), HL_DL_NONE, HL_T_NONE, 0, NULL, 0,
                                "Response to invitation", "Ответ на приглашение",
                                "Response to the invitation to observe: {decision}; observers "
                                "{observers}.",
                                "Ответ на приглашение наблюдателей: {decision}; число "
                                "наблюдателей {observers}."},
    [HL_T_ENTRY_NOTICE] = {T(ENTRY_NOTICE, f_entry), HL_DL_FIXED, HL_T_OPERATOR_ACK,
                           /* "immediate": 5 min for a person to acknowledge */
                           5 * MIN_MS, NULL, 0, "Entry notice", "Уведомление о входе",
                           "Notice of entry into your territory (reason: {reason}): {unit}, at "
                           "{position} at {entered}. Intentions: {intentions}. The unit will "
                           "follow your instructions.",
                           "Уведомление о входе на вашу территорию (причина: {reason}): {unit}, "
                           "точка {position}, время {entered}. Намерения: {intentions}. Будем "
                           "выполнять ваши указания."},
    [HL_T_THREAT_ASSESSMENT] = {T(THREAT_ASSESSMENT, f_threat), HL_DL_NONE, HL_T_NONE, 0, NULL, 0,
                                "Threat assessment", "Оценка угрозы",
                                "Threat assessment: {subject}; level {level}; area {area}; valid "
                                "until {valid_until}. {assessment}",
                                "Оценка угрозы: {subject}; уровень {level}; район {area}; "
                                "действительна до {valid_until}. {assessment}"},
    [HL_T_FREE_TEXT] = {T(FREE_TEXT, f_free), HL_DL_NONE, HL_T_NONE, 0, NULL, 0, "Message",
                        "Сообщение", "Subject: {subject}\n{body}", "Тема: {subject}\n{body}"},
    [HL_T_OPERATOR_ACK] = {T(OPERATOR_ACK, f_ack), HL_DL_NONE, HL_T_NONE, 0, NULL, 0,
                           "Operator acknowledgement", "Подтверждение прочтения",
                           "Message no. {ack_seq} has been read by operator {operator}.",
                           "Сообщение № {ack_seq} прочитано оператором {operator}."},
    [HL_T_COMPLIANCE_SUMMARY] = {T(COMPLIANCE_SUMMARY, f_compliance), HL_DL_NONE, HL_T_NONE, 0,
                                 NULL, 0, "Transponder compliance summary",
                                 "Сводка о соблюдении режима ответчиков",
                                 "Transponder compliance summary, area {area}, from "
                                 "{period_start} to {period_end}. Per party: flights / "
                                 "transponder on / flight plan filed / radio contact: {counts}. "
                                 "Flights (party,identity,transponder,plan,radio): {flights}. "
                                 "Flights not listed: {omitted}.",
                                 "Сводка о соблюдении режима ответчиков, район {area}, с "
                                 "{period_start} по {period_end}. По сторонам: полёты / с "
                                 "включённым ответчиком / с планом полёта / с радиосвязью: "
                                 "{counts}. Полёты (сторона,опознавание,ответчик,план,связь): "
                                 "{flights}. Не перечислено полётов: {omitted}."},
};

const struct hl_type_spec *hl_catalogue_get(enum hl_type t)
{
    if ((int)t <= HL_T_NONE || (int)t >= HL_T__COUNT)
        return NULL;
    return &catalogue[t];
}

enum hl_type hl_catalogue_find(const char *name, size_t len)
{
    for (int t = 1; t < HL_T__COUNT; t++) {
        const char *n = catalogue[t].name;
        if (strlen(n) == len && memcmp(n, name, len) == 0)
            return (enum hl_type)t;
    }
    return HL_T_NONE;
}

const char *hl_type_name(enum hl_type t)
{
    const struct hl_type_spec *ts = hl_catalogue_get(t);
    return ts ? ts->name : "?";
}

const struct hl_field_spec *hl_catalogue_field(const struct hl_type_spec *ts, const char *name)
{
    for (size_t i = 0; i < ts->n_fields; i++)
        if (!strcmp(ts->fields[i].name, name))
            return &ts->fields[i];
    for (size_t i = 0; i < hl_n_common_fields; i++)
        if (!strcmp(hl_common_fields[i].name, name))
            return &hl_common_fields[i];
    return NULL;
}

int hl_lang_parse(const char *s, enum hl_lang *out)
{
    if (!strcmp(s, "en"))
        *out = HL_LANG_EN;
    else if (!strcmp(s, "ru"))
        *out = HL_LANG_RU;
    else
        return CAIRN_E_INVAL;
    return 0;
}

/* ---- value forms ----------------------------------------------------------- */

/* A decimal number "-?d+(.d+)?" at *p; advances *p. Strict: no exponent,
 * no spaces, no locale. At most 4 integer digits (degrees never need more,
 * and the cap keeps the arithmetic exact) and 9 decimals (1e-9 deg is
 * about 0.1 mm: anything finer is noise or an attack on the parser). */
static bool parse_deg(const char **p, double *out)
{
    const char *s = *p;
    double sign = 1, v = 0, scale = 1;
    int nd = 0;
    if (*s == '-') {
        sign = -1;
        s++;
    }
    while (*s >= '0' && *s <= '9' && nd < 4) {
        v = v * 10 + (*s++ - '0');
        nd++;
    }
    if (nd == 0 || (*s >= '0' && *s <= '9'))
        return false;
    if (*s == '.') {
        s++;
        int nf = 0;
        while (*s >= '0' && *s <= '9' && nf < 9) {
            scale /= 10;
            v += (*s++ - '0') * scale;
            nf++;
        }
        if (nf == 0 || (*s >= '0' && *s <= '9'))
            return false;
    }
    *out = sign * v;
    *p = s;
    return true;
}

static bool parse_pos(const char **p)
{
    double lat, lon;
    if (!parse_deg(p, &lat) || **p != ',')
        return false;
    (*p)++;
    if (!parse_deg(p, &lon))
        return false;
    return lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180;
}

static bool pos_ok(const char *s)
{
    return parse_pos(&s) && *s == 0;
}

/* 3..64 vertices: a sea area or exercise box needs no more; the cap bounds work. */
static bool area_ok(const char *s)
{
    int n = 0;
    for (;;) {
        if (!parse_pos(&s))
            return false;
        n++;
        if (*s == 0)
            break;
        if (*s != ';' || n >= 64)
            return false;
        s++;
    }
    return n >= 3;
}

static bool track_ok(const char *s, size_t n)
{
    if (n == 0 || n > 32) /* 32: room for "icao:XXXXXX" or "mmsi:273123456" forms */
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == ':' || c == '/' || c == '-'))
            return false;
    }
    return true;
}

static bool enum_ok(const char *list, const char *v, size_t n)
{
    const char *p = list;
    while (*p) {
        const char *e = strchr(p, '|');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l == n && memcmp(p, v, n) == 0)
            return true;
        if (!e)
            break;
        p = e + 1;
    }
    return false;
}

/* Latest UTC ms we accept as a time: 9999-12-31T23:59:59.999Z. */
#define TIME_MAX_MS 253402300799999LL

static bool value_ok(const struct hl_field_spec *fs, const struct hl_msg *m,
                     const struct hl_field *f)
{
    switch (fs->type) {
    case HL_F_INT:
        return f->kind == HL_KIND_INT;
    case HL_F_TIME:
        return f->kind == HL_KIND_INT && f->i >= 0 && f->i <= TIME_MAX_MS;
    case HL_F_SEQ:
        return f->kind == HL_KIND_INT && f->i >= 1;
    case HL_F_TEXT:
        return f->kind == HL_KIND_STR && (!fs->required || f->s_len > 0);
    case HL_F_TRACK:
        return f->kind == HL_KIND_STR && track_ok(hl_field_str(m, f), f->s_len);
    case HL_F_POS:
        return f->kind == HL_KIND_STR && pos_ok(hl_field_str(m, f));
    case HL_F_AREA:
        return f->kind == HL_KIND_STR && area_ok(hl_field_str(m, f));
    case HL_F_ENUM:
        return f->kind == HL_KIND_STR && enum_ok(fs->enums, hl_field_str(m, f), f->s_len);
    }
    return false;
}

int hl_catalogue_check(const struct hl_msg *m, const char **bad_field)
{
    const struct hl_type_spec *ts = hl_catalogue_get(m->type);
    if (!ts)
        return CAIRN_E_MSGTYPE;
    /* Control characters first: from a peer they are refused before any
     * of their text reaches a log line (hl_text_ok). */
    int rc = hl_msg_check_text(m, bad_field);
    if (rc)
        return rc;
    for (int i = 0; i < m->n_fields; i++) {
        const struct hl_field *f = &m->fields[i];
        const struct hl_field_spec *fs = hl_catalogue_field(ts, f->name);
        if (!fs || !value_ok(fs, m, f)) {
            if (bad_field)
                *bad_field = f->name;
            return CAIRN_E_FIELD;
        }
    }
    for (size_t i = 0; i < ts->n_fields; i++) {
        if (ts->fields[i].required && !hl_msg_field(m, ts->fields[i].name)) {
            if (bad_field)
                *bad_field = ts->fields[i].name;
            return CAIRN_E_FIELD;
        }
    }
    return 0;
}

/* ---- fields from text -------------------------------------------------------- */

static bool parse_i64(const char *s, int64_t *out)
{
    if (!*s)
        return false;
    bool neg = *s == '-';
    if (neg)
        s++;
    if (!*s)
        return false;
    uint64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        unsigned d = (unsigned)(*s - '0');
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    if (neg ? v > (uint64_t)INT64_MAX + 1 : v > (uint64_t)INT64_MAX)
        return false;
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return true;
}

/* n decimal digits at s, exactly; -1 when one is not a digit. */
static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static bool leap_year(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* "YYYY-MM-DDTHH:MM:SS[.mmm]Z" -> UTC ms. Strict: fixed widths, no signs or
 * spaces, and the date and time must exist: 2026-02-30 and 24:00:00 are
 * refused, not normalised into another day (timegm would). Second 60 is
 * refused too: our times are POSIX (UTC without leap seconds). */
static bool parse_iso(const char *s, int64_t *out)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (strlen(s) < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
        s[16] != ':')
        return false;
    int Y = digits(s, 4), M = digits(s + 5, 2), D = digits(s + 8, 2);
    int h = digits(s + 11, 2), mi = digits(s + 14, 2), sec = digits(s + 17, 2);
    if (Y < 1970 || M < 1 || M > 12 || D < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 ||
        sec > 59)
        return false;
    int dim = mdays[M - 1] + (M == 2 && leap_year(Y));
    if (D > dim)
        return false;
    const char *p = s + 19;
    int ms = 0;
    if (*p == '.') {
        ms = digits(p + 1, 3);
        if (ms < 0)
            return false;
        p += 4;
    }
    if (strcmp(p, "Z") != 0)
        return false;
    struct tm tm = {0};
    tm.tm_year = Y - 1900;
    tm.tm_mon = M - 1;
    tm.tm_mday = D;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    time_t t = timegm(&tm);
    *out = (int64_t)t * 1000 + ms;
    return true;
}

int hl_msg_add_text(struct hl_msg *m, const char *name, const char *value)
{
    const struct hl_type_spec *ts = hl_catalogue_get(m->type);
    if (!ts)
        return CAIRN_E_MSGTYPE;
    const struct hl_field_spec *fs = hl_catalogue_field(ts, name);
    if (!fs)
        return CAIRN_E_FIELD;
    int64_t v;
    switch (fs->type) {
    case HL_F_INT:
    case HL_F_SEQ:
        if (!parse_i64(value, &v))
            return CAIRN_E_FIELD;
        return hl_msg_add_int(m, name, v);
    case HL_F_TIME:
        if (!parse_iso(value, &v) && !parse_i64(value, &v))
            return CAIRN_E_FIELD;
        return hl_msg_add_int(m, name, v);
    default:
        return hl_msg_add_str(m, name, value);
    }
}
