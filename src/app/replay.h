/*
 * replay.h — a recording played into the centre's picture ([replay NAME]
 * sections, `cairn run`): one report source (feed/source.h) whose reports
 * are handed over when the picture's clock reaches their time, so that a
 * recording plays at its recorded pace, or speed times faster.
 *
 * The pace is the centre's (app/centre.c): the picture's clock runs at the
 * replays' speed from the earliest first report among them, and each step
 * of the picture asks every replay for the reports before the step's time
 * (app_replay_feed). Reading is synchronous on the loop: a feed_src reads
 * 64 KiB at a time, so one step costs at most a few chunks per replay.
 *
 * This is the replay inside a centre of its own (`cairn replay -c FILE
 * INPUT...`, [replay] sections); recordings sent into an already running
 * centre through its sensors' ports are app/replay_to.h's.
 */
#ifndef CAIRN_APP_REPLAY_H
#define CAIRN_APP_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "app/config.h"
#include "app/input.h"

struct ax_sensor;
struct pic;
struct app_replay;

/* What a replay hands on besides the picture (the centre's output ports,
 * app/output.h): each report it gives the picture, and the raw Mode S
 * frames of a beast, avr or iq recording (CRC checked, as decoded) dated
 * before the step's end. Any member may be NULL; the tap is copied. */
struct modes_frame;
struct report;
struct app_replay_tap {
    void (*report)(void *arg, const struct report *r);
    void (*frame)(void *arg, const struct modes_frame *f, int64_t t_ms);
    void *arg;
};

/*
 * Open the recording of rc (borrowed). ss: the centre's sensors, to which a
 * default receiver may be added (an input without one: as `cairn picture`
 * does); radars/n_radars: the ASTERIX table, borrowed for the replay's
 * life. 0 and *out, or the error with one line in err.
 */
int app_replay_open(const struct app_replay_config *rc, struct pic_sensors *ss,
                    const struct ax_sensor *radars, size_t n_radars, struct app_replay **out,
                    char *err, size_t errcap);
/* The same with a tap (borrowed for the call; NULL: none). */
int app_replay_open_tap(const struct app_replay_config *rc, struct pic_sensors *ss,
                        const struct ax_sensor *radars, size_t n_radars,
                        const struct app_replay_tap *tap, struct app_replay **out, char *err,
                        size_t errcap);
/* Time of the next report, or INT64_MAX at the end. */
int64_t app_replay_next_ms(const struct app_replay *r);
/* Hand p every report dated before before_ms, at most max of them (a step
 * never reads without bound), then the tap the frames dated before
 * before_ms. Returns how many reports. */
size_t app_replay_feed(struct app_replay *r, struct pic *p, int64_t before_ms, size_t max);
double app_replay_speed(const struct app_replay *r);
const char *app_replay_name(const struct app_replay *r);

/* Its app_input_ops ("replay"): health and free. */
extern const struct app_input_ops app_replay_ops;

#endif
