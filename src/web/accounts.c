/*
 * accounts.c — the accounts file (accounts.h) and web_passwd_line (web.h).
 *
 * Passwords are hashed with libsodium's crypto_pwhash_str: Argon2id (RFC
 * 9106) with opslimit 2 and memlimit 64 MiB, libsodium's INTERACTIVE
 * level. Measured on this project's 2-core machine: one verification takes
 * 146-151 ms (docs/web.md), which is why web verifies on a worker thread
 * and never on the event loop.
 */
#include "web/accounts.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/error.h"
#include "base/grow.h"
#include "base/log.h"
#include "web/auth.h"
#include "web/web.h"

#define MAX_FILE (4u << 20) /* 4096 accounts of < 200 bytes fit in 1 MiB */

void web_accounts_free(struct web_accounts *a)
{
    if (a->v)
        sodium_memzero(a->v, a->n * sizeof *a->v);
    free(a->v);
    a->v = NULL;
    a->n = 0;
}

const struct web_account *web_accounts_find(const struct web_accounts *a, const char *user)
{
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->v[i].user, user) == 0)
            return &a->v[i];
    return NULL;
}

static int hash_ok(const char *h, size_t n)
{
    static const char pre[] = "$argon2id$";
    if (n < sizeof pre || n >= WEB_HASH_MAX || memcmp(h, pre, sizeof pre - 1) != 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (h[i] <= ' ' || h[i] > '~')
            return 0;
    return 1;
}

int web_accounts_parse(const char *text, size_t len, struct web_accounts *out)
{
    struct web_accounts a = {0};
    size_t cap = 0, line = 0, i = 0;
    int rc = 0;
    while (i < len && rc == 0) {
        size_t j = i;
        while (j < len && text[j] != '\n')
            j++;
        line++;
        const char *s = text + i;
        size_t n = j - i;
        i = j + 1;
        if (n == 0 || s[0] == '#')
            continue;
        const char *colon = memchr(s, ':', n);
        size_t un = colon ? (size_t)(colon - s) : 0;
        if (!colon || !web_user_ok(s, un) || !hash_ok(colon + 1, n - un - 1)) {
            log_err("web", "accounts line %zu: not NAME:$argon2id$... (cairn passwd makes one)",
                    line);
            rc = CAIRN_E_FORMAT;
            break;
        }
        for (size_t k = 0; k < a.n; k++)
            if (strlen(a.v[k].user) == un && memcmp(a.v[k].user, s, un) == 0) {
                log_err("web", "accounts line %zu: user listed twice", line);
                rc = CAIRN_E_FORMAT;
            }
        if (rc)
            break;
        if (a.n == WEB_MAX_ACCOUNTS) {
            rc = CAIRN_E_TOOBIG;
            break;
        }
        if ((rc = GROW_ARRAY(&a.v, &cap, a.n + 1, 16)) != 0)
            break;
        struct web_account *e = &a.v[a.n++];
        memset(e, 0, sizeof *e);
        memcpy(e->user, s, un);
        memcpy(e->hash, colon + 1, n - un - 1);
    }
    if (rc) {
        web_accounts_free(&a);
        return rc;
    }
    *out = a;
    return 0;
}

int web_accounts_load(const char *path, struct web_accounts *out)
{
    char esc[256];
    log_escape(esc, sizeof esc, path, strlen(path), LOG_ESC_LINE);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        log_err("web", "accounts %s: %s", esc, strerror(errno));
        return CAIRN_E_IO;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        log_err("web", "accounts %s: not a regular file", esc);
        close(fd);
        return CAIRN_E_IO;
    }
    if (st.st_mode & 077) {
        log_err("web", "accounts %s: readable or writable by others (run: chmod 600 %s)", esc, esc);
        close(fd);
        return CAIRN_E_IO;
    }
    if (st.st_size > (off_t)MAX_FILE) {
        close(fd);
        return CAIRN_E_TOOBIG;
    }
    size_t sz = (size_t)st.st_size;
    char *buf = malloc(sz + 1);
    if (!buf) {
        close(fd);
        return CAIRN_E_NOMEM;
    }
    size_t got = 0;
    while (got < sz) {
        ssize_t r = read(fd, buf + got, sz - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    int rc = web_accounts_parse(buf, got, out);
    sodium_memzero(buf, sz);
    free(buf);
    return rc;
}

int web_passwd_line(const char *user, const char *password, struct dbuf *out)
{
    size_t pn = strlen(password);
    if (!web_user_ok(user, strlen(user)) || pn < 8 || pn > 1024)
        return CAIRN_E_INVAL;
    if (sodium_init() < 0)
        return CAIRN_E_NOMEM;
    char hash[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(hash, password, pn, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return CAIRN_E_NOMEM; /* libsodium fails only when it cannot allocate */
    int rc = dbuf_addf(out, "%s:%s\n", user, hash);
    sodium_memzero(hash, sizeof hash);
    return rc;
}
