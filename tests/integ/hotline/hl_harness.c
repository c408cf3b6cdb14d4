/*
 * hl_harness.c — daemons on loopback for the hotline integration tests
 * (see hl_harness.h).
 */
#include "hl_harness.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/dbuf.h"
#include "hotline/audit.h"
#include "hotline/control.h"
#include "hotline/identity.h"
#include "hotline/journal.h"
#include "integ_proc.h"

int64_t hh_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void hh_sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

int hh_write_ini(struct harness *h, struct hnode *n)
{
    FILE *f = fopen(n->ini, "w");
    if (!f)
        return -1;
    fprintf(f,
            "[hotline]\nkeys = %s/keys\nroster = %s\njournal = %s\ncontrol = %s\n"
            "listen = 127.0.0.1:%d\n"
            "; fast timers for tests: heartbeats every 200 ms, reconnect 50 ms..1 s\n"
            "heartbeat_ms = 200\ndead_ms = 1500\nbackoff_min_ms = 50\nbackoff_max_ms = 1000\n"
            "checkpoint_ms = 500\ncase_check_ms = 200\n%s\n",
            n->dir, h->roster, n->journal, n->sock, n->port, n->extra_ini);
    return fclose(f) == 0 ? 0 : -1;
}

int hh_setup(struct harness *h, int count, const char *const *names)
{
    memset(h, 0, sizeof *h);
    snprintf(h->dir, sizeof h->dir, "/tmp/cairn-hl-XXXXXX");
    if (!mkdtemp(h->dir))
        return -1;
    snprintf(h->roster, sizeof h->roster, "%s/roster.ini", h->dir);
    FILE *r = fopen(h->roster, "w");
    if (!r)
        return -1;
    h->count = count;
    for (int i = 0; i < count; i++) {
        struct hnode *n = &h->n[i];
        char nm[64], hd[256];
        snprintf(nm, sizeof nm, "%s", names[i]);
        snprintf(hd, sizeof hd, "%s", h->dir);
        snprintf(n->name, sizeof n->name, "%s", nm);
        snprintf(n->dir, sizeof n->dir, "%s/%s", hd, nm);
        mkdir(n->dir, 0700);
        snprintf(n->ini, sizeof n->ini, "%s/%s/centre.ini", hd, nm);
        snprintf(n->sock, sizeof n->sock, "%s/%s/ctl.sock", hd, nm);
        snprintf(n->journal, sizeof n->journal, "%s/%s/journal.db", hd, nm);
        snprintf(n->log, sizeof n->log, "%s/%s.log", hd, nm);
        n->port = ip_free_port();
        char keys[600];
        snprintf(keys, sizeof keys, "%s/keys", n->dir);
        struct hl_identity id;
        if (hl_identity_create(keys, nm, i % 2 ? "RU" : "NATO", 30, &id) != 0) {
            fclose(r);
            return -1;
        }
        char addr[64], line[2048];
        snprintf(addr, sizeof addr, "127.0.0.1:%d", n->port);
        if (hl_identity_roster_line(&id, addr, line, sizeof line) < 0) {
            fclose(r);
            return -1;
        }
        hl_identity_wipe(&id);
        fprintf(r, "%s\n", line);
    }
    if (fclose(r) != 0)
        return -1;
    for (int i = 0; i < count; i++)
        if (hh_write_ini(h, &h->n[i]) != 0 || hh_init_journal(&h->n[i]) != 0)
            return -1;
    return 0;
}

int hh_init_journal(struct hnode *n)
{
    char out[256];
    return hh_cli(out, sizeof out, "hotline -c '%s' --init 2>>'%s'", n->ini, n->log) == 0 ? 0 : -1;
}

int hh_start(struct hnode *n)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int fd = open(n->log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            dup2(fd, 2);
            close(fd);
        }
        /* ASan: a SIGKILLed daemon leaks by design; do not fail on exit leaks. */
        setenv("ASAN_OPTIONS", "detect_leaks=0", 1);
        /* The daemon dies with the test: a test killed by ctest's timeout
         * (or crashing) must leave no daemon holding ports behind it. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() == 1)
            _exit(127); /* the test died before prctl took effect */
        execl(n->bin ? n->bin : CAIRN_BIN, "cairn", "hotline", "-c", n->ini, (char *)NULL);
        _exit(127);
    }
    n->pid = pid;
    int64_t t0 = hh_now_ms();
    while (hh_now_ms() - t0 < 20000) {
        struct hl_ctl c;
        if (hl_ctl_open(&c, n->sock) == 0) {
            hl_ctl_close(&c);
            return 0;
        }
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid) {
            fprintf(stderr, "daemon %s exited at start (status %d); see %s\n", n->name, st, n->log);
            n->pid = 0;
            return -1;
        }
        hh_sleep_ms(20);
    }
    fprintf(stderr, "daemon %s did not open its control socket\n", n->name);
    return -1;
}

int hh_stop(struct hnode *n, int sig)
{
    if (n->pid <= 0)
        return 0;
    kill(n->pid, sig);
    int st = 0;
    int64_t t0 = hh_now_ms();
    for (;;) {
        pid_t r = waitpid(n->pid, &st, WNOHANG);
        if (r == n->pid)
            break;
        if (hh_now_ms() - t0 > 15000) {
            kill(n->pid, SIGKILL);
            waitpid(n->pid, &st, 0);
            n->pid = 0;
            fprintf(stderr, "daemon %s did not stop on signal %d\n", n->name, sig);
            return -1;
        }
        hh_sleep_ms(10);
    }
    n->pid = 0;
    if (sig == SIGTERM && !(WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
        fprintf(stderr, "daemon %s stopped with status %d\n", n->name, st);
        return -1;
    }
    return 0;
}

json_t *hh_call(struct hnode *n, const char *fmt, ...)
{
    char req[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(req, sizeof req, fmt, ap);
    va_end(ap);
    struct hl_ctl c;
    if (hl_ctl_open(&c, n->sock) != 0)
        return NULL;
    struct dbuf resp;
    dbuf_init(&resp, HL_CTL_LINE_MAX);
    json_t *j = NULL;
    if (hl_ctl_call(&c, req, &resp) == 0)
        j = json_loadb(resp.p, resp.len, 0, NULL);
    hl_ctl_close(&c);
    dbuf_free(&resp);
    return j;
}

int hh_status(struct hnode *n, const char *peer, int64_t *sent, int64_t *delivered,
              int64_t *received, int *up)
{
    json_t *r = hh_call(n, "{\"op\":\"status\"}");
    int rc = -1;
    size_t i;
    json_t *p;
    if (r)
        json_array_foreach(json_object_get(r, "peers"), i, p)
        {
            if (strcmp(json_string_value(json_object_get(p, "name")), peer) != 0)
                continue;
            *sent = json_integer_value(json_object_get(p, "sent"));
            *delivered = json_integer_value(json_object_get(p, "delivered"));
            *received = json_integer_value(json_object_get(p, "received"));
            *up = json_is_true(json_object_get(p, "up"));
            rc = 0;
        }
    json_decref(r);
    return rc;
}

int64_t hh_metric(struct hnode *n, const char *name)
{
    json_t *r = hh_call(n, "{\"op\":\"metrics\"}");
    int64_t v = -1;
    const char *t = r ? json_string_value(json_object_get(r, "text")) : NULL;
    char key[128];
    snprintf(key, sizeof key, "\ncairn_hotline_%s ", name);
    const char *p = t ? strstr(t, key) : NULL;
    if (p)
        v = strtoll(p + strlen(key), NULL, 10);
    json_decref(r);
    return v;
}

int hh_clock_advance(struct hnode *n, int64_t ms)
{
    json_t *r = hh_call(n, "{\"op\":\"clock_advance\",\"ms\":%lld}", (long long)ms);
    int ok = r && json_is_true(json_object_get(r, "ok"));
    json_decref(r);
    return ok ? 0 : -1;
}

int hh_wait_synced(struct hnode *a, struct hnode *b, int timeout_ms)
{
    int64_t t0 = hh_now_ms();
    int64_t as = 0, ad = 0, ar = 0, bs = 0, bd = 0, br = 0;
    int au = 0, bu = 0;
    while (hh_now_ms() - t0 < timeout_ms) {
        if (hh_status(a, b->name, &as, &ad, &ar, &au) == 0 &&
            hh_status(b, a->name, &bs, &bd, &br, &bu) == 0 && as == ad && bs == bd && ar == bs &&
            br == as)
            return 0;
        hh_sleep_ms(100);
    }
    fprintf(stderr,
            "not synced after %d ms: %s sent %lld delivered %lld received %lld up %d; "
            "%s sent %lld delivered %lld received %lld up %d\n",
            timeout_ms, a->name, (long long)as, (long long)ad, (long long)ar, au, b->name,
            (long long)bs, (long long)bd, (long long)br, bu);
    return -1;
}

int hh_wait_up(struct hnode *a, struct hnode *b, int timeout_ms)
{
    int64_t t0 = hh_now_ms();
    while (hh_now_ms() - t0 < timeout_ms) {
        int64_t s, d, r;
        int au = 0, bu = 0;
        if (hh_status(a, b->name, &s, &d, &r, &au) == 0 &&
            hh_status(b, a->name, &s, &d, &r, &bu) == 0 && au && bu)
            return 0;
        hh_sleep_ms(50);
    }
    fprintf(stderr, "link %s-%s not up after %d ms\n", a->name, b->name, timeout_ms);
    return -1;
}

int hh_verify(struct harness *h, struct hnode *n)
{
    struct hl_roster roster;
    int line = 0;
    if (hl_roster_load(h->roster, &roster, &line) != 0)
        return -1;
    struct hl_audit_report rep;
    memset(&rep, 0, sizeof rep);
    int rc = hl_audit_verify(n->journal, &roster, &rep);
    if (rc != 0)
        fprintf(stderr, "audit of %s: %d: %s dir %d peer %s seq %llu: %s\n", n->name, rc, rep.table,
                rep.dir, rep.peer, (unsigned long long)rep.seq, rep.what);
    else
        fprintf(stderr, "audit of %s: ok (%llu messages, %llu receipts, %llu checkpoints)\n",
                n->name, (unsigned long long)rep.n_messages, (unsigned long long)rep.n_receipts,
                (unsigned long long)rep.n_checkpoints);
    return rc;
}

int hh_log_count(struct hnode *n, const char *s)
{
    FILE *f = fopen(n->log, "r");
    if (!f)
        return 0;
    char line[4096];
    int c = 0;
    while (fgets(line, sizeof line, f))
        if (strstr(line, s))
            c++;
    fclose(f);
    return c;
}

void hh_teardown(struct harness *h, int ok)
{
    for (int i = 0; i < h->count; i++)
        hh_stop(&h->n[i], SIGTERM);
    if (ok && !getenv("HL_KEEP")) {
        char cmd[400];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", h->dir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", h->dir);
    } else {
        fprintf(stderr, "test folder kept: %s\n", h->dir);
    }
}

static int head_of(struct harness *h, struct hnode *n, enum hl_dir dir, const char *peer,
                   uint64_t *count, uint8_t hash[HL_HASH_LEN])
{
    struct hl_identity id;
    struct hl_roster roster;
    char keys[600];
    int line = 0;
    snprintf(keys, sizeof keys, "%s/keys", n->dir);
    if (hl_identity_load(keys, &id) != 0 || hl_roster_load(h->roster, &roster, &line) != 0)
        return -1;
    struct hl_journal *j;
    int rc = hl_journal_open(n->journal, &id, &roster, &j);
    if (rc == 0) {
        rc = hl_journal_head(j, dir, peer, count, hash);
        hl_journal_close(j);
    }
    hl_identity_wipe(&id);
    return rc;
}

int hh_journal_received(struct harness *h, struct hnode *n, const char *peer, uint64_t *count)
{
    uint8_t hash[HL_HASH_LEN];
    return head_of(h, n, HL_DIR_IN, peer, count, hash) ? -1 : 0;
}

int hh_heads_match(struct harness *h, struct hnode *a, struct hnode *b, uint64_t *a_to_b,
                   uint64_t *b_to_a)
{
    uint64_t c1, c2, c3, c4;
    uint8_t h1[HL_HASH_LEN], h2[HL_HASH_LEN], h3[HL_HASH_LEN], h4[HL_HASH_LEN];
    if (head_of(h, a, HL_DIR_OUT, b->name, &c1, h1) || head_of(h, b, HL_DIR_IN, a->name, &c2, h2) ||
        head_of(h, b, HL_DIR_OUT, a->name, &c3, h3) || head_of(h, a, HL_DIR_IN, b->name, &c4, h4))
        return -1;
    *a_to_b = c1;
    *b_to_a = c3;
    if (c1 != c2 || memcmp(h1, h2, HL_HASH_LEN) || c3 != c4 || memcmp(h3, h4, HL_HASH_LEN)) {
        fprintf(stderr, "heads differ: %s->%s %llu vs %llu; %s->%s %llu vs %llu\n", a->name,
                b->name, (unsigned long long)c1, (unsigned long long)c2, b->name, a->name,
                (unsigned long long)c3, (unsigned long long)c4);
        return -1;
    }
    return 0;
}

int hh_cli(char *out, size_t cap, const char *fmt, ...)
{
    char args[2048], cmd[2600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof cmd, "ASAN_OPTIONS=detect_leaks=0 '%s' %s", CAIRN_BIN, args);
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    size_t n = fread(out, 1, cap - 1, p);
    out[n] = 0;
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}
