/*
 * clock.h — the time source, injectable so tests run on a fake clock.
 *
 * Pure modules (decoders, tracker, rules) never read a clock: they are given
 * `now`. Modules that must ask (the hotline's deadlines, the link's
 * heartbeats) take a struct cairn_clock, which is the real UTC clock in the
 * product and a settable fake in tests.
 */
#ifndef CAIRN_BASE_CLOCK_H
#define CAIRN_BASE_CLOCK_H

#include <stdint.h>

struct cairn_clock {
    /* UTC in milliseconds since the Unix epoch. */
    int64_t (*now_ms)(const struct cairn_clock *c);
    int64_t fake_ms; /* the time of a fake clock */
    int64_t skew_ms; /* added to the real clock (tests of clock skew) */
};

/* The system's UTC clock (CLOCK_REALTIME) plus skew_ms. */
extern const struct cairn_clock cairn_clock_real;
/* The system's monotonic clock (CLOCK_MONOTONIC) in ms plus skew_ms: for
 * durations and deadlines (heartbeats, timeouts, backoff), which must not
 * jump with the UTC clock. Its origin is arbitrary (boot). A fake clock
 * (clock_fake_init) stands in for it in tests. */
extern const struct cairn_clock cairn_clock_mono;
/* Initialise a fake clock that reads t_ms until changed. */
void clock_fake_init(struct cairn_clock *c, int64_t t_ms);
/* Initialise a real clock shifted by skew_ms. */
void clock_skewed_init(struct cairn_clock *c, int64_t skew_ms);
/* Move c forward by ms (backward if negative): a fake clock's time, or a
 * real clock's skew. Tests use it to make time pass without sleeping. */
void clock_advance(struct cairn_clock *c, int64_t ms);

static inline int64_t clock_now_ms(const struct cairn_clock *c)
{
    return c->now_ms(c);
}

/* A monotonic clock in nanoseconds, for measuring durations (benchmarks). */
int64_t clock_mono_ns(void);

/* Format t_ms as ISO 8601 UTC "YYYY-MM-DDTHH:MM:SS.mmmZ" into out (>= 25 bytes). */
void clock_iso8601(int64_t t_ms, char *out, unsigned out_len);

#endif
