/* log.c — see log.h. */
#include "base/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int log_level = -1; /* -1: not yet read from the environment */
static int log_journal;

static void log_setup(void)
{
    const char *e = getenv("CAIRN_LOG");
    log_level = LOG_LVL_INFO;
    if (e) {
        if (!strcmp(e, "debug"))
            log_level = LOG_LVL_DEBUG;
        else if (!strcmp(e, "warn"))
            log_level = LOG_LVL_WARN;
        else if (!strcmp(e, "error"))
            log_level = LOG_LVL_ERR;
    }
    log_journal = getenv("JOURNAL_STREAM") != NULL;
}

void log_set_level(enum log_level lvl)
{
    if (log_level < 0)
        log_setup();
    log_level = (int)lvl;
}

enum log_level log_get_level(void)
{
    if (log_level < 0)
        log_setup();
    return (enum log_level)log_level;
}

void log_msg(enum log_level lvl, const char *module, const char *fmt, ...)
{
    if (log_level < 0)
        log_setup();
    if ((int)lvl > log_level)
        return;
    static const char *const names[8] = {"", "", "", "error", "warning", "", "info", "debug"};
    char line[1024];
    int n;
    if (log_journal)
        n = snprintf(line, sizeof line, "<%d>%s: ", (int)lvl, module);
    else
        n = snprintf(line, sizeof line, "cairn: %s %s: ", names[lvl & 7], module);
    if (n < 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s\n", line);
}
