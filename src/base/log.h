/*
 * log.h — logging to stderr, systemd-friendly.
 *
 * One line per event: "cairn: LEVEL module: text". When stderr is the
 * journal (JOURNAL_STREAM is set, see sd-daemon(3)) each line starts with
 * the syslog priority in angle brackets instead, so journald files it at the
 * right level. Messages below the threshold (default INFO; CAIRN_LOG=debug
 * in the environment or log_set_level()) are dropped cheaply.
 */
#ifndef CAIRN_BASE_LOG_H
#define CAIRN_BASE_LOG_H

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

#endif
