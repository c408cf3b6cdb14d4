/*
 * bench_hotline.c — durable, signed, receipted hotline messages over
 * loopback TLS 1.3, journals with synchronous=FULL.
 *
 * Two centres in one process, each on its own thread with its own event
 * loop, journal (SQLite WAL, synchronous=FULL) and link. Centre A's driver
 * appends FREE_TEXT messages (signed, hash-chained, committed = sent); the
 * link carries them to B, which stores them in group-committed batches and
 * returns signed receipts that A stores (= delivered).
 *
 *   1. Sustained rate: 20,000 messages appended as fast as the window of
 *      undelivered messages allows; messages/s from first append to last
 *      receipt stored. (Target of issue 3: >= 5,000/s.)
 *   2. Latency: 1,000 messages/s paced for 5 s; send (before the append)
 *      to receipt (after it is committed at A), p50/p99/max.
 *      (Target: p99 <= 20 ms.)
 *   3. The disk's fsync latency: 300 × (write 4 KiB + fdatasync) in the
 *      journals' folder, printed beside the figures since every figure
 *      above is bounded by it.
 *
 * Usage: bench_hotline [N_SUSTAINED] [SECONDS_PACED] [DIR]
 * (DIR defaults to a fresh folder under /tmp; it is removed at the end.)
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/thread.h>
#include <sodium.h>
#include <sys/resource.h>

#include "base/clock.h"
#include "base/error.h"
#include "base/log.h"
#include "hotline/identity.h"
#include "hotline/journal.h"
#include "hotline/link.h"

#define WINDOW_UNDELIVERED 8192 /* the driver keeps at most this many unreceipted */
#define BATCH_MAX          256  /* appends per transaction in the sustained phase */

struct centre {
    const char *name;
    char dir[512];
    struct hl_identity id;
    struct hl_journal *j;
    struct event_base *base;
    struct hl_link *link;
    pthread_t th;
};

static struct hl_roster ROSTER;
static struct centre A = {.name = "BENCH-A"}, B = {.name = "BENCH-B"};

/* Driver state, touched only on A's thread. */
static struct {
    int phase;          /* 1 sustained, 2 paced */
    uint64_t target;    /* messages to send in this phase */
    uint64_t appended;  /* in this phase */
    uint64_t delivered; /* in this phase */
    uint64_t first_seq; /* seq of the phase's first message */
    int64_t t0_ns, t_end_ns;
    int64_t *sent_ns; /* per message of the paced phase */
    int64_t *lat_ns;
    size_t n_lat;
    struct event *tick;
    struct hl_msg msg;
} D;

static int append_one(void)
{
    hl_msg_init(&D.msg, HL_T_FREE_TEXT);
    hl_msg_set_receiver(&D.msg, B.name);
    hl_msg_add_str(&D.msg, "body",
                   "Benchmark message: a paragraph of the size an operator "
                   "would type into the hotline, signed and receipted.");
    int64_t seq = hl_journal_append_outgoing(A.j, &D.msg, clock_now_ms(&cairn_clock_real));
    if (seq < 0) {
        fprintf(stderr, "append: %s\n", cairn_strerror((int)seq));
        exit(1);
    }
    if (!D.first_seq)
        D.first_seq = (uint64_t)seq;
    return 0;
}

static void on_delivered(void *arg, const char *peer, uint64_t seq)
{
    (void)arg;
    (void)peer;
    if (!D.first_seq || seq < D.first_seq)
        return;
    uint64_t i = seq - D.first_seq;
    if (D.phase == 2 && i < D.target)
        D.lat_ns[D.n_lat++] = clock_mono_ns() - D.sent_ns[i];
    D.delivered++;
    if (D.delivered == D.target) {
        D.t_end_ns = clock_mono_ns();
        event_base_loopbreak(A.base);
    }
}

static void tick_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
    if (D.appended >= D.target)
        return;
    uint64_t want;
    if (D.phase == 1) {
        uint64_t inflight = D.appended - D.delivered;
        want = inflight >= WINDOW_UNDELIVERED ? 0 : WINDOW_UNDELIVERED - inflight;
        if (want > BATCH_MAX)
            want = BATCH_MAX;
    } else {
        /* 1 message per ms since the phase started: paced, not bursty. */
        int64_t due = (clock_mono_ns() - D.t0_ns) / 1000000 + 1;
        want = (uint64_t)due > D.appended ? (uint64_t)due - D.appended : 0;
    }
    if (want > D.target - D.appended)
        want = D.target - D.appended;
    if (!want)
        return;
    /* Appends join the link's open batch: one fsync per loop turn covers
     * them and the receipts read in that turn (group commit both ways). */
    int rc = hl_link_batch(A.link);
    if (rc != 0) {
        fprintf(stderr, "batch: %s\n", cairn_strerror(rc));
        exit(1);
    }
    for (uint64_t k = 0; k < want; k++) {
        if (D.phase == 2)
            D.sent_ns[D.appended + k] = clock_mono_ns();
        append_one();
    }
    D.appended += want;
}

static void *run_b(void *arg)
{
    (void)arg;
    event_base_dispatch(B.base);
    return NULL;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static void make_centre(struct centre *c, const char *root, int port, FILE *roster)
{
    snprintf(c->dir, sizeof c->dir, "%s/%s", root, c->name);
    if (hl_identity_create(c->dir, c->name, c == &A ? "NATO" : "RU", 2, &c->id) != 0) {
        fprintf(stderr, "keygen failed for %s\n", c->name);
        exit(1);
    }
    char addr[64], line[2048];
    snprintf(addr, sizeof addr, "127.0.0.1:%d", port);
    hl_identity_roster_line(&c->id, addr, line, sizeof line);
    fprintf(roster, "%s\n", line);
}

static void open_centre(struct centre *c, int port)
{
    char path[600], listen[64];
    snprintf(path, sizeof path, "%s/journal.db", c->dir);
    if (hl_journal_open(path, &c->id, &ROSTER, &c->j) != 0) {
        fprintf(stderr, "journal open failed\n");
        exit(1);
    }
    c->base = event_base_new();
    snprintf(listen, sizeof listen, "127.0.0.1:%d", port);
    struct hl_link_config lc = {.self = &c->id,
                                .roster = &ROSTER,
                                .journal = c->j,
                                .listen = listen,
                                .checkpoint_ms = -1,
                                .heartbeat_ms = 1000};
    if (c == &A)
        lc.hooks.on_delivered = on_delivered;
    if (hl_link_new(c->base, &lc, &c->link) != 0) {
        fprintf(stderr, "link failed\n");
        exit(1);
    }
}

static void fsync_latency(const char *dir, double *p50_ms, double *p99_ms)
{
    enum { N = 300 };
    char path[600];
    snprintf(path, sizeof path, "%s/fsync.probe", dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    static char block[4096];
    memset(block, 0x5a, sizeof block);
    int64_t t[N];
    for (int i = 0; i < N; i++) {
        int64_t t0 = clock_mono_ns();
        if (pwrite(fd, block, sizeof block, (off_t)(i % 64) * 4096) != (ssize_t)sizeof block ||
            fdatasync(fd) != 0) {
            perror("fsync probe");
            exit(1);
        }
        t[i] = clock_mono_ns() - t0;
    }
    close(fd);
    unlink(path);
    qsort(t, N, sizeof t[0], cmp_i64);
    *p50_ms = (double)t[N / 2] / 1e6;
    *p99_ms = (double)t[N * 99 / 100] / 1e6;
}

static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static void run_phase(int phase, uint64_t n)
{
    D.appended = D.delivered = D.first_seq = 0;
    D.n_lat = 0;
    D.t_end_ns = 0;
    D.phase = phase;
    D.target = n;
    D.t0_ns = clock_mono_ns();
    event_base_dispatch(A.base);
}

int main(int argc, char **argv)
{
    uint64_t n_sustained = argc > 1 ? strtoull(argv[1], NULL, 10) : 20000;
    int paced_s = argc > 2 ? atoi(argv[2]) : 5;
    char root[512];
    if (argc > 3)
        snprintf(root, sizeof root, "%s", argv[3]);
    else
        snprintf(root, sizeof root, "/tmp/cairn-bench-hl-XXXXXX");
    if (argc <= 3 && !mkdtemp(root)) {
        perror("mkdtemp");
        return 1;
    }
    mkdir(root, 0700);
    log_set_level(LOG_LVL_WARN);
    signal(SIGPIPE, SIG_IGN); /* required by the link (link.h) */
    /* Two loops on two threads; only the final loopexit crosses threads. */
    evthread_use_pthreads();
    if (sodium_init() < 0)
        return 1;
    int pa = 20000 + (int)(getpid() % 20000), pb = pa + 1;
    char rpath[600];
    snprintf(rpath, sizeof rpath, "%s/roster.ini", root);
    FILE *rf = fopen(rpath, "w");
    make_centre(&A, root, pa, rf);
    make_centre(&B, root, pb, rf);
    fclose(rf);
    int line;
    if (hl_roster_load(rpath, &ROSTER, &line) != 0) {
        fprintf(stderr, "roster\n");
        return 1;
    }
    open_centre(&A, pa);
    open_centre(&B, pb);
    pthread_create(&B.th, NULL, run_b, NULL);
    D.tick = event_new(A.base, -1, EV_PERSIST, tick_cb, NULL);
    struct timeval ms1 = {0, 1000};
    event_add(D.tick, &ms1);
    /* Wait for the session. */
    int64_t t0 = clock_mono_ns();
    while (!hl_link_is_up(A.link, B.name) && clock_mono_ns() - t0 < 10000000000LL) {
        event_base_loop(A.base, EVLOOP_NONBLOCK);
        usleep(1000);
    }
    if (!hl_link_is_up(A.link, B.name)) {
        fprintf(stderr, "no session\n");
        return 1;
    }

    double cpu0 = cpu_s();
    run_phase(1, n_sustained);
    double secs = (double)(D.t_end_ns - D.t0_ns) / 1e9;
    double cpu1 = cpu_s() - cpu0;
    double rate = (double)n_sustained / secs;

    uint64_t n_paced = (uint64_t)paced_s * 1000;
    D.sent_ns = calloc(n_paced, sizeof *D.sent_ns);
    D.lat_ns = calloc(n_paced, sizeof *D.lat_ns);
    run_phase(2, n_paced);
    qsort(D.lat_ns, D.n_lat, sizeof D.lat_ns[0], cmp_i64);
    double p50 = (double)D.lat_ns[D.n_lat / 2] / 1e6;
    double p90 = (double)D.lat_ns[D.n_lat * 90 / 100] / 1e6;
    double p99 = (double)D.lat_ns[D.n_lat * 99 / 100] / 1e6;
    double pmax = (double)D.lat_ns[D.n_lat - 1] / 1e6;

    double f50, f99;
    fsync_latency(A.dir, &f50, &f99);
    const struct hl_link_stats *sa = hl_link_stats(A.link);
    printf("hotline over loopback TLS 1.3, journals WAL + synchronous=FULL, Ed25519 signed, "
           "receipted\n");
    printf("  sustained:  %llu messages in %.2f s = %.0f msgs/s (target >= 5000); process CPU "
           "%.1f s = %.0f us per message (both centres)\n",
           (unsigned long long)n_sustained, secs, rate, cpu1, cpu1 / (double)n_sustained * 1e6);
    printf("  paced 1000 msgs/s for %d s: send-to-receipt p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, "
           "max %.2f ms (target p99 <= 20 ms)\n",
           paced_s, p50, p90, p99, pmax);
    printf("  disk fsync (4 KiB write + fdatasync, %s): p50 %.2f ms, p99 %.2f ms\n", root, f50,
           f99);
    printf("  A: %llu MSG frames sent, %llu receipts stored, %llu group commits (receipt side)\n",
           (unsigned long long)sa->msgs_sent, (unsigned long long)sa->receipts_received,
           (unsigned long long)sa->batches);
    const struct hl_link_stats *sb = hl_link_stats(B.link);
    double la[3] = {0, 0, 0};
    FILE *lf = fopen("/proc/loadavg", "r");
    if (lf) {
        if (fscanf(lf, "%lf %lf %lf", &la[0], &la[1], &la[2]) != 3)
            la[0] = -1;
        fclose(lf);
    }
    printf("  machine: %ld cores, load average %.2f (others' work shares these cores)\n",
           sysconf(_SC_NPROCESSORS_ONLN), la[0]);
    printf("  B: %llu messages stored in %llu group commits (%.1f per fsync)\n",
           (unsigned long long)sb->msgs_received, (unsigned long long)sb->batches,
           sb->batches ? (double)sb->msgs_received / (double)sb->batches : 0.0);

    event_base_loopexit(B.base, NULL);
    pthread_join(B.th, NULL);
    event_free(D.tick);
    hl_link_free(A.link);
    hl_link_free(B.link);
    hl_journal_close(A.j);
    hl_journal_close(B.j);
    event_base_free(A.base);
    event_base_free(B.base);
    if (argc <= 3) {
        char cmd[600];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", root);
    }
    return 0;
}
