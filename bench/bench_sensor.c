/*
 * bench_sensor.c — live sensors (feed/sensor.h): how many reports per
 * second one sensor turns out, on one core, from a real Beast recording
 * (../shared/data/modes, repeated to about 20 MiB; absent: the program
 * says so and exits 0).
 *
 *   1. in process: the bytes through sensor_feed in 64 KiB pieces (the
 *      decoding path alone: Beast parser, Mode S decoder, report);
 *   2. over loopback TCP: a server on the same event loop writes the
 *      bytes, a connect sensor with the default 64 KiB read watermark
 *      reads and decodes them (the path of a live receiver, sockets and
 *      libevent included; sender and receiver share the one core).
 *
 * Prints msgs/s and reports/s per wall second and per CPU second.
 */
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "bench_util.h"
#include "feed/sensor.h"

#define LOG_REL "modes/beastblackbox_ulss7_1522782148.beast"
#define TARGET  (20u << 20)

static uint64_t n_reports;

static void on_report(void *arg, const struct report *r)
{
    (void)arg;
    (void)r;
    n_reports++;
}

static uint8_t *load(size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", CAIRN_SHARED_DATA, LOG_REL);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    static uint8_t one[1 << 20];
    size_t n = fread(one, 1, sizeof one, f);
    fclose(f);
    if (n == 0)
        return NULL;
    size_t reps = TARGET / n + 1;
    uint8_t *buf = malloc(reps * n);
    if (!buf)
        return NULL;
    for (size_t i = 0; i < reps; i++)
        memcpy(buf + i * n, one, n);
    *len = reps * n;
    return buf;
}

static struct sensor *make(struct event_base *base, const char *key, const char *addr)
{
    struct sensor_config c;
    sensor_config_init(&c);
    strcpy(c.name, "bench");
    c.format = SENSOR_FMT_BEAST;
    c.seed = 1;
    if (sensor_config_set(&c, key, addr, NULL) != 0)
        return NULL;
    struct sensor *s = NULL;
    char err[200];
    if (sensor_new(base, &c, on_report, NULL, NULL, &s, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return NULL;
    }
    return s;
}

static void print_row(const char *what, const struct sensor_health *h, double wall, double cpu)
{
    printf("%-28s %8.1f MiB %10llu msgs %10llu reports  %6.2f s wall %6.2f s cpu  "
           "%9.0f reports/s wall %9.0f reports/s cpu\n",
           what, (double)h->bytes / (1 << 20), (unsigned long long)h->msgs,
           (unsigned long long)h->reports, wall, cpu, (double)h->reports / wall,
           (double)h->reports / cpu);
}

/* ---- over loopback */

struct srv {
    const uint8_t *buf;
    size_t len;
    struct bufferevent *peer;
};

static void srv_accept(struct evconnlistener *lis, evutil_socket_t fd, struct sockaddr *sa, int sl,
                       void *arg)
{
    (void)sa;
    (void)sl;
    struct srv *v = arg;
    v->peer = bufferevent_socket_new(evconnlistener_get_base(lis), fd, BEV_OPT_CLOSE_ON_FREE);
    /* by reference: the 20 MiB are not copied into the output buffer */
    evbuffer_add_reference(bufferevent_get_output(v->peer), v->buf, v->len, NULL, NULL);
    bufferevent_enable(v->peer, EV_WRITE);
}

struct watch {
    struct sensor *s;
    struct event_base *base;
    size_t want;
};

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct watch *w = arg;
    struct sensor_health h;
    sensor_health(w->s, &h);
    if (h.bytes >= w->want)
        event_base_loopbreak(w->base);
}

int main(void)
{
    size_t len = 0;
    uint8_t *buf = load(&len);
    if (!buf) {
        printf("bench_sensor: %s/%s not found; nothing measured\n", CAIRN_SHARED_DATA, LOG_REL);
        return 0;
    }
    struct event_base *base = event_base_new();

    /* 1. in process */
    struct sensor *s = make(base, "connect", "127.0.0.1:30005");
    double w0 = bench_now_s(), c0 = bench_cpu_s();
    for (size_t off = 0; off < len; off += 65536)
        sensor_feed(s, buf + off, len - off < 65536 ? len - off : 65536);
    struct sensor_health h;
    sensor_health(s, &h);
    print_row("sensor_feed (decode only)", &h, bench_now_s() - w0, bench_cpu_s() - c0);
    sensor_free(s);

    /* 2. over loopback TCP */
    struct srv v = {.buf = buf, .len = len};
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct evconnlistener *lis =
        evconnlistener_new_bind(base, srv_accept, &v, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, 4,
                                (struct sockaddr *)&sa, sizeof sa);
    socklen_t sl = sizeof sa;
    getsockname(evconnlistener_get_fd(lis), (struct sockaddr *)&sa, &sl);
    char addr[32];
    snprintf(addr, sizeof addr, "127.0.0.1:%u", ntohs(sa.sin_port));
    n_reports = 0;
    s = make(base, "connect", addr);
    struct watch wt = {.s = s, .base = base, .want = len};
    struct event *tick = event_new(base, -1, EV_PERSIST, on_tick, &wt);
    struct timeval tv = {0, 1000};
    event_add(tick, &tv);
    w0 = bench_now_s();
    c0 = bench_cpu_s();
    sensor_start(s);
    event_base_dispatch(base);
    sensor_health(s, &h);
    print_row("TCP loopback (one core)", &h, bench_now_s() - w0, bench_cpu_s() - c0);
    printf("%-28s %u bytes held at most (read watermark %u)\n", "", h.buffered_max,
           SENSOR_READ_BUFFER);
    event_free(tick);
    sensor_free(s);
    if (v.peer)
        bufferevent_free(v.peer);
    evconnlistener_free(lis);
    event_base_free(base);
    free(buf);
    return 0;
}
