/*
 * integ_proc.c — the daemons of the integration tests (see integ_proc.h).
 */
#define _GNU_SOURCE /* pipe2, nftw's FTW_PHYS */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "integ_http.h"
#include "integ_proc.h"

static struct ip_proc *procs[IP_MAX_PROC]; /* the children started and not reaped */

static void forget(struct ip_proc *p)
{
    for (size_t i = 0; i < IP_MAX_PROC; i++)
        if (procs[i] == p)
            procs[i] = NULL;
}

/* 1 when p was started and is not reaped yet (a zeroed struct is not). */
static int started(const struct ip_proc *p)
{
    for (size_t i = 0; i < IP_MAX_PROC; i++)
        if (procs[i] == p)
            return 1;
    return 0;
}

void ip_spawn(struct ip_proc *p, char *const argv[], unsigned flags)
{
    ip_kill(p); /* a child a failed test left in it */
    int fds[2];
    assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
    pid_t parent = getpid();
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], STDERR_FILENO);
        if (flags & IP_STDOUT)
            dup2(fds[1], STDOUT_FILENO);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127); /* the test died before prctl took effect */
        execv(argv[0], argv);
        _exit(127);
    }
    close(fds[1]);
    p->pid = pid;
    p->fd = fds[0];
    p->len = 0;
    p->log[0] = 0;
    size_t i = 0;
    while (i < IP_MAX_PROC && procs[i])
        i++;
    assert_true(i < IP_MAX_PROC);
    procs[i] = p;
}

/* Append what p's pipe holds now; at its end, close it. */
static void take(struct ip_proc *p)
{
    char b[4096];
    ssize_t n = read(p->fd, b, sizeof b);
    if (n < 0 && errno == EINTR)
        return;
    if (n <= 0) {
        close(p->fd);
        p->fd = -1;
        return;
    }
    size_t k = (size_t)n;
    if (k > sizeof p->log - 1 - p->len)
        k = sizeof p->log - 1 - p->len;
    memcpy(p->log + p->len, b, k);
    p->len += k;
    p->log[p->len] = 0;
}

void ip_drain(int ms)
{
    struct pollfd pf[IP_MAX_PROC];
    struct ip_proc *who[IP_MAX_PROC];
    nfds_t n = 0;
    for (size_t i = 0; i < IP_MAX_PROC; i++)
        if (procs[i] && procs[i]->fd >= 0) {
            pf[n] = (struct pollfd){procs[i]->fd, POLLIN, 0};
            who[n++] = procs[i];
        }
    if (poll(n ? pf : NULL, n, ms) <= 0)
        return;
    for (nfds_t i = 0; i < n; i++)
        if (pf[i].revents)
            take(who[i]);
}

int ip_wait_log(struct ip_proc *p, const char *s, size_t from, int ms)
{
    int64_t end = ih_now_ms() + ms;
    while (!strstr(p->log + from, s)) {
        if (p->fd < 0 || ih_now_ms() > end)
            return 0;
        ip_drain(100);
    }
    return 1;
}

int ip_reap(struct ip_proc *p, int ms)
{
    if (!started(p))
        return -1;
    int64_t end = ih_now_ms() + ms;
    while (p->fd >= 0 && ih_now_ms() < end)
        ip_drain(100);
    int st = 0;
    pid_t w;
    while ((w = waitpid(p->pid, &st, WNOHANG)) == 0 && ih_now_ms() < end)
        ip_drain(20); /* its pipe is closed: a bounded pause for the exit */
    int rc;
    if (w == p->pid) {
        rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    } else {
        kill(p->pid, SIGKILL);
        waitpid(p->pid, NULL, 0);
        rc = -1;
    }
    if (p->fd >= 0)
        close(p->fd);
    p->fd = -1;
    p->pid = -1;
    forget(p);
    return rc;
}

void ip_kill(struct ip_proc *p)
{
    if (!started(p))
        return; /* never started (its fields may be zero), or reaped */
    if (p->pid > 0) {
        kill(p->pid, SIGCONT); /* a stopped child dies as well, but reaps sooner awake */
        kill(p->pid, SIGKILL);
        waitpid(p->pid, NULL, 0);
    }
    if (p->fd >= 0)
        close(p->fd);
    p->fd = -1;
    p->pid = -1;
    forget(p);
}

int ip_web_port(const struct ip_proc *p)
{
    static const char key[] = "web: listening on ";
    const char *l = strstr(p->log, key);
    const char *q = l ? strstr(l, "(port ") : NULL;
    int port = q ? atoi(q + 6) : 0;
    return port > 0 && port < 65536 ? port : 0;
}

int ip_port_file(const char *path)
{
    FILE *f = fopen(path, "r");
    int port = 0;
    if (f && fscanf(f, "%d", &port) != 1)
        port = 0;
    if (f)
        fclose(f);
    return port > 0 && port < 65536 ? port : 0;
}

int ip_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sin = {.sin_family = AF_INET};
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sin;
    if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof sin) != 0 ||
        getsockname(fd, (struct sockaddr *)&sin, &len) != 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    close(fd);
    return ntohs(sin.sin_port);
}

void ip_write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

int ip_scratch(char *dir, size_t cap, const char *name)
{
    int n = snprintf(dir, cap, "/tmp/cairn-%s-XXXXXX", name);
    return n > 0 && (size_t)n < cap && mkdtemp(dir) ? 0 : -1;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

int ip_scratch_remove(const char *dir)
{
    if (!dir[0])
        return 0;
    return nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS) == 0 ? 0 : -1;
}

int ip_account(const char *bin, const char *dir, const char *user, const char *password)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/accounts", dir);
    int in[2];
    if (pipe2(in, O_CLOEXEC) != 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0) {
        close(in[0]);
        close(in[1]);
        return -1;
    }
    if (pid == 0) {
        int out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (out < 0 || dup2(in[0], STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0)
            _exit(127);
        execl(bin, bin, "passwd", user, (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    char line[256];
    int n = snprintf(line, sizeof line, "%s\n", password);
    int ok = n > 0 && (size_t)n < sizeof line && write(in[1], line, (size_t)n) == n;
    close(in[1]);
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return ok && WIFEXITED(st) && WEXITSTATUS(st) == 0 && chmod(path, 0600) == 0 ? 0 : -1;
}

int ip_sh(const char *fmt, ...)
{
    static char cmd[1 << 16];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    if (n <= 0 || (size_t)n >= sizeof cmd)
        return -1;
    int st = system(cmd);
    return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}
