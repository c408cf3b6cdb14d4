/*
 * files.c — zones and flight plans from files (files.h).
 */
#include "app/files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/dbuf.h"
#include "base/error.h"
#include "base/log.h"
#include "feed/source.h"
#include "geo/zones.h"
#include "track/fpl.h"

#define MOD "plans"

int app_read_file(const char *what, const char *path, size_t max, struct dbuf *b, char *err,
                  size_t cap)
{
    dbuf_init(b, max);
    int rc = feed_read_file(path, b);
    if (rc == 0)
        return 0;
    if (rc == CAIRN_E_TOOBIG)
        snprintf(err, cap, "%s %s: larger than %zu bytes", what, path, max);
    else if (rc == CAIRN_E_IO)
        snprintf(err, cap, "%s %s: %s", what, path, strerror(errno));
    else
        snprintf(err, cap, "%s %s: %s", what, path, cairn_strerror(rc));
    dbuf_free(b);
    return rc;
}

int app_load_zones(const char *path, struct geo_zones **out, char *err, size_t cap)
{
    struct dbuf b;
    int rc = app_read_file("zones file", path, GEO_ZONES_MAX_BYTES, &b, err, cap);
    if (rc != 0)
        return rc;
    char why[256];
    rc = geo_zones_parse(b.p, b.len, out, why, sizeof why);
    dbuf_free(&b);
    if (rc != 0)
        snprintf(err, cap, "zones file %s: %s", path, why);
    return rc;
}

/* The errors kept by one parse, as warnings (their texts are printable
 * ASCII: fpl.h). */
static void report(const char *what, const char *path, const struct fpl_errors *e)
{
    for (uint32_t i = 0; i < e->n; i++)
        log_warn(MOD, "%s %s: %s%s", what, path, e->e[i].warn ? "warning: " : "", e->e[i].text);
    if (e->lost)
        log_warn(MOD, "%s %s: %u more not shown", what, path, e->lost);
}

int app_load_plans(const char *path, const char *points_path, struct fpl_points **pts,
                   struct fpl_set **set, struct fpl_store **store, char *err, size_t cap)
{
    static struct fpl_errors errs; /* large: not on the stack */
    struct dbuf b;
    int rc;
    if (points_path) {
        if ((rc = app_read_file("points file", points_path, FPL_MAX_FILE_LEN, &b, err, cap)) != 0)
            return rc;
        memset(&errs, 0, sizeof errs);
        rc = fpl_points_parse(b.p, b.len, pts, &errs);
        dbuf_free(&b);
        report("points file", points_path, &errs);
        if (rc != 0) {
            snprintf(err, cap, "points file %s: %s", points_path, cairn_strerror(rc));
            return rc;
        }
    }
    if ((rc = app_read_file("plans file", path, FPL_MAX_FILE_LEN, &b, err, cap)) != 0)
        return rc;
    memset(&errs, 0, sizeof errs);
    rc = fpl_parse(b.p, b.len, *pts, set, &errs);
    dbuf_free(&b);
    report("plans file", path, &errs);
    if (rc == 0)
        rc = fpl_store_new(*set, NULL, store);
    if (rc != 0)
        snprintf(err, cap, "plans file %s: %s", path, cairn_strerror(rc));
    else
        log_info(MOD, "%s: %u flight plans kept, %u skipped", path, errs.ok, errs.bad);
    return rc;
}

int app_write_file(const char *path, const void *p, size_t len, unsigned mode)
{
    char tmp[4096 + 8];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
        errno = ENAMETOOLONG;
        return CAIRN_E_IO;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, (mode_t)mode);
    if (fd < 0)
        return CAIRN_E_IO;
    const char *c = p;
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, c + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    int ok = off == len && fsync(fd) == 0;
    int saved = errno;
    ok = close(fd) == 0 && ok;
    if (ok && rename(tmp, path) == 0)
        return 0;
    saved = errno ? errno : saved;
    unlink(tmp);
    errno = saved;
    return CAIRN_E_IO;
}
