/*
 * test_hl_link.c — two links in one process and one event loop, on
 * 127.0.0.1: the simultaneous-connect tie-break, restarts, and delivery.
 *
 * Both centres listen and dial with a 1 ms backoff, so their connections
 * cross at every start. 20 rounds, alternately restarting one side and
 * both: each time each side ends with exactly one session and it is the
 * same TCP connection seen from both ends (one side's outbound is the
 * other's inbound); after a start of both, when both saw the crossing, it
 * is the one dialled by the centre whose name sorts first (L1). Messages
 * appended on both sides before every restart are all delivered, once, and
 * on_delivered reports each exactly once.
 *
 * Cumulative receipts: a burst of 200 messages is answered with fewer
 * receipts than messages (one per group-commit batch), every one of them
 * is at the receiver once, each is reported delivered once, the receipts
 * the sender stored all cover messages the receiver holds, and both
 * journals pass the audit.
 *
 * Admission on a fake clock (A2-A6): with a budget of 4 and a handshake
 * deadline of 500 ms, six connections that start a TLS record and stall
 * are all admitted (pacing lets 2 in per 10 ms of the fake clock), the two
 * oldest are evicted for the newer ones, the four left are closed when the
 * clock passes the deadline, heartbeats and timeouts move only when the
 * test moves the clock, and then the real peer connects. No sleeps: time
 * is the fake clock; the loop is run only to carry the bytes.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <event2/event.h>
#include <sqlite3.h>

#include "base/error.h"
#include "base/log.h"
#include "hotline/audit.h"
#include "hotline/identity.h"
#include "hotline/journal.h"
#include "hotline/link.h"

struct side {
    const char *name;
    char dir[300];
    struct hl_identity id;
    struct hl_journal *j;
    struct hl_link *link;
    char listen[64];
    uint64_t delivered;
};

static struct event_base *BASE;
static struct hl_roster ROSTER;
static struct side S[2] = {{.name = "ALPHA-CC"}, {.name = "BRAVO-CC"}};
static char ROOT[256];

static void on_delivered(void *arg, const char *peer, uint64_t seq)
{
    (void)peer;
    (void)seq;
    ((struct side *)arg)->delivered++;
}

static void link_up(struct side *s)
{
    struct hl_link_config lc = {.self = &s->id,
                                .roster = &ROSTER,
                                .journal = s->j,
                                .listen = s->listen,
                                .heartbeat_ms = 100,
                                .backoff_min_ms = 1,
                                .backoff_max_ms = 20,
                                .checkpoint_ms = -1,
                                .hooks = {.on_delivered = on_delivered, .arg = s}};
    assert_int_equal(hl_link_new(BASE, &lc, &s->link), 0);
}

/* Run the loop until both sides have a session (<= 10 s). */
static int wait_up(void)
{
    for (int i = 0; i < 10000; i++) {
        if (hl_link_is_up(S[0].link, S[1].name) && hl_link_is_up(S[1].link, S[0].name))
            return 0;
        struct timeval tv = {0, 1000};
        event_base_loopexit(BASE, &tv);
        event_base_dispatch(BASE);
    }
    return -1;
}

static void spin_ms(int ms)
{
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    event_base_loopexit(BASE, &tv);
    event_base_dispatch(BASE);
}

static void append(struct side *from, struct side *to, int n)
{
    for (int i = 0; i < n; i++) {
        static struct hl_msg m;
        hl_msg_init(&m, HL_T_FREE_TEXT);
        hl_msg_set_receiver(&m, to->name);
        hl_msg_add_str(&m, "body", "tie-break test");
        hl_link_flush(from->link);
        assert_true(hl_journal_append_outgoing(from->j, &m, 1795000000000) > 0);
    }
    hl_link_kick(from->link, to->name);
}

static void test_tie_break_and_restarts(void **state)
{
    (void)state;
    link_up(&S[0]);
    link_up(&S[1]);
    int races = 0, fresh = 1;
    for (int round = 0; round < 20; round++) {
        uint64_t r0 = hl_link_stats(S[0].link)->races_resolved;
        uint64_t r1 = hl_link_stats(S[1].link)->races_resolved;
        assert_int_equal(wait_up(), 0);
        spin_ms(50); /* let a crossing second connection finish its HELLO */
        /* L1: both ends keep the same connection. While a crossing one is
         * still in its handshake on one end (a loaded machine can stretch
         * that beyond the 50 ms above) the two ends may briefly hold
         * different ones; they must agree within the handshake deadline. */
        int a_out = -1, b_out = -1, waited = 0;
        for (; waited < 3000; waited++) {
            a_out = hl_link_session_outbound(S[0].link, S[1].name);
            b_out = hl_link_session_outbound(S[1].link, S[0].name);
            if (a_out >= 0 && b_out >= 0 && a_out != b_out)
                break;
            spin_ms(1);
        }
        if (waited)
            fprintf(stderr, "start %2d: the ends agreed %d ms after the first look\n", round + 1,
                    waited);
        assert_true(a_out >= 0 && b_out >= 0);
        assert_int_not_equal(a_out, b_out); /* the same connection from both ends */
        uint64_t d0 = hl_link_stats(S[0].link)->races_resolved - r0;
        uint64_t d1 = hl_link_stats(S[1].link)->races_resolved - r1;
        fprintf(stderr,
                "start %2d: session dialled by %s, crossing connections resolved %llu/%llu\n",
                round + 1, a_out ? S[0].name : S[1].name, (unsigned long long)d0,
                (unsigned long long)d1);
        /* After a start of both (no stale connection anywhere), when both ends
         * saw the two connections cross, ALPHA's (sorts first) won. After a
         * restart of one side the survivor may still hold the old session
         * when the new one arrives; then only consistency is required. */
        if (d0 && d1 && fresh) {
            races++;
            assert_int_equal(a_out, 1);
        }
        /* Messages in flight both ways, then restart: even rounds one side,
         * odd rounds both at once. */
        struct side *v = &S[round % 2], *o = &S[1 - round % 2];
        append(o, v, 20);
        append(v, o, 20);
        spin_ms(round % 5);
        fresh = round % 2 == 1;
        hl_link_free(v->link);
        if (fresh)
            hl_link_free(o->link);
        link_up(v);
        if (fresh)
            link_up(o);
    }
    fprintf(stderr, "crossing connections on both ends after a fresh start: %d of 10\n", races);
    assert_int_equal(wait_up(), 0);
    /* Everything appended is delivered. */
    for (int i = 0; i < 5000; i++) {
        uint64_t d0, d1;
        hl_journal_delivered_upto(S[0].j, S[1].name, &d0);
        hl_journal_delivered_upto(S[1].j, S[0].name, &d1);
        if (d0 == 400 && d1 == 400)
            break;
        spin_ms(2);
    }
    for (int k = 0; k < 2; k++) {
        uint64_t d, h_in, h_out;
        uint8_t hash[HL_HASH_LEN];
        hl_link_flush(S[k].link);
        hl_journal_delivered_upto(S[k].j, S[1 - k].name, &d);
        hl_journal_head(S[k].j, HL_DIR_OUT, S[1 - k].name, &h_out, hash);
        hl_journal_head(S[k].j, HL_DIR_IN, S[1 - k].name, &h_in, hash);
        assert_int_equal(h_out, 400);
        assert_int_equal(d, 400);
        assert_int_equal(h_in, 400);
        /* once each, though receipts are cumulative and sessions restarted */
        assert_int_equal(S[k].delivered, 400);
    }
}

/* Rows of table `receipts` for direction dir with seq in (lo, hi]. */
static int64_t count_receipts(struct side *s, int dir, uint64_t lo, uint64_t hi)
{
    sqlite3_stmt *st;
    int64_t n = -1;
    if (sqlite3_prepare_v2(hl_journal_db(s->j),
                           "SELECT COUNT(*) FROM receipts WHERE dir=? AND seq>? AND seq<=?", -1,
                           &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int(st, 1, dir);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)lo);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)hi);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

static void test_cumulative_receipts(void **state)
{
    (void)state;
    struct side *a = &S[0], *b = &S[1];
    assert_int_equal(wait_up(), 0);
    uint64_t base, d = 0;
    hl_link_flush(a->link);
    hl_journal_delivered_upto(a->j, b->name, &base);
    uint64_t hook0 = a->delivered;
    uint64_t sent0 = hl_link_stats(b->link)->receipts_sent;
    uint64_t got0 = hl_link_stats(a->link)->receipts_received;
    append(a, b, 200);
    for (int i = 0; i < 5000 && d < base + 200; i++) {
        spin_ms(2);
        hl_journal_delivered_upto(a->j, b->name, &d);
    }
    hl_link_flush(a->link);
    hl_link_flush(b->link);
    hl_journal_delivered_upto(a->j, b->name, &d);
    assert_int_equal(d, base + 200);
    uint64_t h_in, h_out;
    uint8_t hash_in[HL_HASH_LEN], hash_out[HL_HASH_LEN];
    hl_journal_head(b->j, HL_DIR_IN, a->name, &h_in, hash_in);
    hl_journal_head(a->j, HL_DIR_OUT, b->name, &h_out, hash_out);
    assert_int_equal(h_in, base + 200); /* all there, none twice (J1: seqs 1..head) */
    assert_int_equal(h_out, base + 200);
    assert_memory_equal(hash_in, hash_out, HL_HASH_LEN);
    assert_int_equal(a->delivered - hook0, 200); /* each reported once */
    uint64_t sent = hl_link_stats(b->link)->receipts_sent - sent0;
    uint64_t got = hl_link_stats(a->link)->receipts_received - got0;
    int64_t stored_b = count_receipts(b, HL_DIR_IN, base, base + 200);
    int64_t stored_a = count_receipts(a, HL_DIR_OUT, base, base + 200);
    fprintf(stderr,
            "200 messages: %llu receipts sent, %llu stored by the sender (%lld rows), "
            "%lld signed by the receiver\n",
            (unsigned long long)sent, (unsigned long long)got, (long long)stored_a,
            (long long)stored_b);
    /* One receipt per batch, not per message; the last one names the head. */
    assert_true(sent >= 1 && sent < 200);
    assert_true(got >= 1 && got <= sent);
    assert_true(stored_a >= 1 && stored_a < 200);
    assert_true(stored_b >= 1 && stored_b < 200);
    assert_int_equal(count_receipts(a, HL_DIR_OUT, base + 199, base + 200), 1);
    /* Every stored receipt verifies and names a message both ends hold with
     * the same hash (J5), every message's chain and signature hold (J1-J3). */
    for (int k = 0; k < 2; k++) {
        char jp[400];
        struct hl_audit_report rep;
        snprintf(jp, sizeof jp, "%s/journal.db", S[k].dir);
        assert_int_equal(hl_audit_verify(jp, &ROSTER, &rep), 0);
    }
}

/* A port nobody listens on now (the kernel's choice for port 0). */
static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t l = sizeof sin;
    int port = -1;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&sin, sizeof sin) == 0 &&
        getsockname(fd, (struct sockaddr *)&sin, &l) == 0)
        port = ntohs(sin.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

static int setup(void **state)
{
    (void)state;
    signal(SIGPIPE, SIG_IGN); /* as the daemon does: a peer gone mid-write is an error, not death */
    if (!getenv("CAIRN_LOG"))
        log_set_level(LOG_LVL_WARN);
    snprintf(ROOT, sizeof ROOT, "/tmp/cairn-hl-link-XXXXXX");
    if (!mkdtemp(ROOT))
        return -1;
    char rpath[400];
    snprintf(rpath, sizeof rpath, "%s/roster.ini", ROOT);
    FILE *rf = fopen(rpath, "w");
    for (int i = 0; i < 2; i++) {
        struct side *s = &S[i];
        snprintf(s->dir, sizeof s->dir, "%s/%s", ROOT, s->name);
        if (hl_identity_create(s->dir, s->name, i ? "RU" : "NATO", 2, &s->id) != 0)
            return -1;
        snprintf(s->listen, sizeof s->listen, "127.0.0.1:%d", free_port());
        char line[2048];
        hl_identity_roster_line(&s->id, s->listen, line, sizeof line);
        fprintf(rf, "%s\n", line);
    }
    fclose(rf);
    int line;
    if (hl_roster_load(rpath, &ROSTER, &line) != 0)
        return -1;
    BASE = event_base_new();
    for (int i = 0; i < 2; i++) {
        char jp[400];
        snprintf(jp, sizeof jp, "%s/journal.db", S[i].dir);
        if (hl_journal_open(jp, &S[i].id, &ROSTER, &S[i].j) != 0)
            return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    for (int i = 0; i < 2; i++) {
        hl_link_free(S[i].link);
        hl_journal_close(S[i].j);
        hl_identity_wipe(&S[i].id);
    }
    if (BASE)
        event_base_free(BASE);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", ROOT);
    return system(cmd) == 0 ? 0 : -1;
}

/* A connection to port that sends the first 3 bytes of a TLS record
 * header and stalls (non-blocking, so the test can look for EOF). */
static int stalled_tls(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sin = {.sin_family = AF_INET,
                              .sin_port = htons((uint16_t)port),
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(connect(fd, (struct sockaddr *)&sin, sizeof sin), 0);
    const uint8_t hdr[3] = {0x16, 0x03, 0x01};
    assert_int_equal(write(fd, hdr, sizeof hdr), 3);
    fcntl(fd, F_SETFL, O_NONBLOCK);
    return fd;
}

/* 1 when the link closed fd (EOF or reset), 0 while it is open. */
static int closed_by_link(int fd)
{
    char b[64];
    ssize_t n = read(fd, b, sizeof b);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

static void test_admission_fake_clock(void **state)
{
    (void)state;
    struct side *a = &S[0], *b = &S[1];
    hl_link_free(a->link);
    hl_link_free(b->link);
    a->link = b->link = NULL;
    static struct cairn_clock fake; /* outlives the test: the link is freed in teardown */
    clock_fake_init(&fake, 5000000);
    struct hl_link_config lc = {.self = &a->id,
                                .roster = &ROSTER,
                                .journal = a->j,
                                .mono = &fake,
                                .listen = a->listen,
                                .heartbeat_ms = 100,
                                .dead_ms = 400,
                                .handshake_ms = 500,
                                .unauth_max = 4,
                                .unauth_per_source = 4,
                                .backoff_min_ms = 1000,
                                .backoff_max_ms = 1000,
                                .checkpoint_ms = -1};
    assert_int_equal(hl_link_new(BASE, &lc, &a->link), 0);
    const struct hl_link_stats *st = hl_link_stats(a->link);
    int port = hl_link_listen_port(a->link);
    int fds[6];
    for (int i = 0; i < 6; i++) {
        fds[i] = stalled_tls(port);
        /* pacing: at most 2 accepts per 10 ms of the link's clock */
        for (int k = 0; k < 50 && st->accepts < (uint64_t)i + 1; k++) {
            clock_advance(&fake, 10);
            hl_link_tick(a->link);
            spin_ms(1);
        }
        assert_int_equal(st->accepts, (uint64_t)i + 1);
    }
    spin_ms(5);
    /* A4 (per address, here equal to the budget): the two oldest went. */
    assert_int_equal(st->accepts_refused, 2);
    assert_int_equal(st->source_limited, 2);
    assert_true(closed_by_link(fds[0]) && closed_by_link(fds[1]));
    for (int i = 2; i < 6; i++)
        assert_false(closed_by_link(fds[i]));
    /* A2: nothing happens until the link's clock passes the deadline. */
    hl_link_tick(a->link);
    spin_ms(2);
    assert_int_equal(st->handshake_timeouts, 0);
    clock_advance(&fake, 501); /* past the deadline of the newest */
    hl_link_tick(a->link);
    spin_ms(5);
    assert_int_equal(st->handshake_timeouts, 4);
    for (int i = 2; i < 6; i++)
        assert_true(closed_by_link(fds[i]));
    for (int i = 0; i < 6; i++)
        close(fds[i]);
    /* The counters are exposed. */
    struct dbuf m;
    dbuf_init(&m, 1 << 20);
    assert_int_equal(hl_link_metrics(a->link, &m), 0);
    assert_non_null(strstr(m.p, "cairn_hotline_handshake_timeouts_total 4\n"));
    assert_non_null(strstr(m.p, "cairn_hotline_source_limited_total 2\n"));
    assert_non_null(strstr(m.p, "cairn_hotline_unauth_connections 0\n"));
    dbuf_free(&m);
    /* The real peer (real clock) connects; its dials reach a (paced by
     * a's fake clock, so the test keeps it moving) and the session opens;
     * heartbeats then go only as the fake clock moves. */
    link_up(b);
    int up = 0;
    for (int i = 0; i < 5000 && !up; i++) {
        clock_advance(&fake, 10);
        hl_link_tick(a->link);
        spin_ms(1);
        up = hl_link_is_up(a->link, b->name) && hl_link_is_up(b->link, a->name);
    }
    assert_true(up);
    /* Silence on a's clock beyond dead_ms: a declares b dead at once
     * (b itself is alive and heartbeating on the real clock, so give a
     * no chance to read in between: advance and tick without the loop). */
    uint64_t dead0 = st->dead_peers;
    clock_advance(&fake, 401);
    hl_link_tick(a->link);
    assert_int_equal(st->dead_peers, dead0 + 1);
    assert_false(hl_link_is_up(a->link, b->name));
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_tie_break_and_restarts),
                                       cmocka_unit_test(test_cumulative_receipts),
                                       cmocka_unit_test(test_admission_fake_clock)};
    return cmocka_run_group_tests(tests, setup, teardown);
}
