/*
 * input.h — what the centre knows of each of its inputs: a name, a kind and
 * its health, for /api/sensors and /metrics. Replays (app/replay.h) are
 * inputs today; the live sensors of feed/ (TCP/UDP Beast, AVR, SBS, NMEA,
 * ASTERIX) register the same way, with app_centre_add_input, and hand their
 * reports to app_centre_report.
 *
 * The centre owns nothing of an input but the registration: ops->free is
 * called by app_centre_free (after the loop stopped) for each input.
 */
#ifndef CAIRN_APP_INPUT_H
#define CAIRN_APP_INPUT_H

#include <stdint.h>

/* States an input reports (static strings; the console shows them). */
#define APP_IN_RUNNING    "running"    /* data flowing or expected */
#define APP_IN_CONNECTING "connecting" /* live input: dialling or waiting */
#define APP_IN_BACKOFF    "backoff"    /* live input: failed, retry pending */
#define APP_IN_ENDED      "ended"      /* a replay that reached its end */
#define APP_IN_FAILED     "failed"     /* gave up (a replay's read error) */

struct app_input_health {
    const char *state;        /* one of APP_IN_* */
    uint64_t reports;         /* reports handed to the picture */
    uint64_t bytes;           /* bytes read */
    uint64_t errors;          /* units refused, read errors, disconnections */
    int64_t last_data_utc_ms; /* time of the latest report (data time); 0: none yet */
    char detail[160];         /* the latest error in printable text, or "" */
};

struct app_input_ops {
    const char *kind; /* "replay", "beast-tcp", ... (static) */
    /* Fill *h (zeroed by the caller). Runs on the loop's thread. */
    void (*health)(void *obj, struct app_input_health *h);
    /* Release obj; may be NULL. */
    void (*free)(void *obj);
};

#endif
