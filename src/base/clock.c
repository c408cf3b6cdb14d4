/* clock.c — see clock.h. */
#include "base/clock.h"

#include <stdio.h>
#include <time.h>

static int64_t real_now(const struct cairn_clock *c)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + c->skew_ms;
}

static int64_t fake_now(const struct cairn_clock *c)
{
    return c->fake_ms;
}

static int64_t mono_now(const struct cairn_clock *c)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + c->skew_ms;
}

const struct cairn_clock cairn_clock_real = {real_now, 0, 0};
const struct cairn_clock cairn_clock_mono = {mono_now, 0, 0};

void clock_fake_init(struct cairn_clock *c, int64_t t_ms)
{
    c->now_ms = fake_now;
    c->fake_ms = t_ms;
    c->skew_ms = 0;
}

void clock_skewed_init(struct cairn_clock *c, int64_t skew_ms)
{
    c->now_ms = real_now;
    c->fake_ms = 0;
    c->skew_ms = skew_ms;
}

void clock_advance(struct cairn_clock *c, int64_t ms)
{
    if (c->now_ms == fake_now)
        c->fake_ms += ms;
    else
        c->skew_ms += ms;
}

int64_t clock_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void clock_iso8601(int64_t t_ms, char *out, unsigned out_len)
{
    time_t s = (time_t)(t_ms >= 0 ? t_ms / 1000 : (t_ms - 999) / 1000);
    int ms = (int)(t_ms - (int64_t)s * 1000);
    struct tm tm;
    gmtime_r(&s, &tm);
    snprintf(out, out_len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
}
