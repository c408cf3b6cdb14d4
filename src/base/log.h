/*
 * log.h — logging to stderr, systemd-friendly.
 *
 * One line per event: "cairn: LEVEL module: text". The text is passed
 * through log_escape (below, keeping backslashes) whatever the caller
 * formatted, so no newline, CR, ESC or other control character reaches the
 * log: a caller that prints text from outside still escapes it itself
 * (LOG_ESC_LINE, backslashes included), so that it reads unambiguously.
 * When stderr is the
 * journal (JOURNAL_STREAM is set, see sd-daemon(3)) each line starts with
 * the syslog priority in angle brackets instead, so journald files it at the
 * right level. Messages below the threshold (default INFO; CAIRN_LOG=debug
 * in the environment or log_set_level()) are dropped cheaply.
 */
#ifndef CAIRN_BASE_LOG_H
#define CAIRN_BASE_LOG_H

#include <stddef.h>

enum log_level { LOG_LVL_ERR = 3, LOG_LVL_WARN = 4, LOG_LVL_INFO = 6, LOG_LVL_DEBUG = 7 };

void log_set_level(enum log_level lvl);
enum log_level log_get_level(void);
/* Log one line; module is a short static name such as "modes" or "hotline". */
void log_msg(enum log_level lvl, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define log_err(mod, ...)   log_msg(LOG_LVL_ERR, mod, __VA_ARGS__)
#define log_warn(mod, ...)  log_msg(LOG_LVL_WARN, mod, __VA_ARGS__)
#define log_info(mod, ...)  log_msg(LOG_LVL_INFO, mod, __VA_ARGS__)
#define log_debug(mod, ...) log_msg(LOG_LVL_DEBUG, mod, __VA_ARGS__)

/*
 * Escaping text that came from outside (a peer centre, a sensor, a file)
 * before it reaches a terminal, a log line or JSON. The one place that
 * decides what may pass: valid UTF-8 other than the characters below is
 * copied as it is; these are escaped so they are seen, never obeyed:
 *
 *   C0 controls (U+0000-U+001F) and DEL    \n \r \t, else \xNN
 *   C1 controls (U+0080-U+009F)            \u0085 ...
 *   bidirectional overrides and isolates   \u202e ... (U+202A-E, U+2066-9)
 *   bytes that are not valid UTF-8         \xNN
 *   backslash                              \\ (so an escape cannot be forged)
 *
 * Modes (flags; LOG_ESC_KEEP_BACKSLASH may be added to LOG_ESC_LINE: the
 * last pass log_msg makes over a whole line, whose parts from outside were
 * escaped already):
 *   LOG_ESC_LINE     one log line: everything above, LF and TAB included.
 *   LOG_ESC_KEEP_NL  text for a terminal: LF and TAB pass (a message's
 *                    free text has lines), backslash passes (harmless on a
 *                    screen); everything else as LOG_ESC_LINE.
 *   LOG_ESC_JSON     inside a JSON string: JSON's own escapes (\" \\ \n \r
 *                    \t \u00NN), C1, DEL and bidi as \uNNNN, invalid bytes as
 *                    \ufffd (JSON text must be UTF-8).
 */
enum { LOG_ESC_LINE = 0, LOG_ESC_KEEP_NL = 1, LOG_ESC_JSON = 2, LOG_ESC_KEEP_BACKSLASH = 4 };

/* The code point of the valid UTF-8 sequence at p[0..len) (len >= 1), its
 * length in *n; -1 (and *n = 1) when the bytes there are not valid UTF-8
 * (overlong forms, UTF-16 surrogates, past U+10FFFF, truncated). The one
 * UTF-8 decoder: the escaping below and the hotline's field checks use it. */
long log_utf8_at(const unsigned char *p, size_t len, size_t *n);

/* Look at the character at s[0..len) (len >= 1). When it may pass as it is,
 * return 0; else write its escape (NUL-terminated, < 12 bytes) into esc and
 * return the escape's length. Either way *adv gets the number of input bytes
 * that character takes. Never reads past len. */
size_t log_escape_step(const char *s, size_t len, unsigned flags, char esc[12], size_t *adv);
/* s[len] escaped into out[cap] (cap >= 4), NUL-terminated. Too long: cut at
 * a whole character or escape and ended with "...". Returns out, so it can
 * be an argument of log_warn() and friends. */
const char *log_escape(char *out, size_t cap, const char *s, size_t len, unsigned flags);

#endif
