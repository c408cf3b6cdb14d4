/*
 * hl_nospace_vfs.c — a full disk on demand, for the integration tests'
 * daemon binary only (cairn_hl); see hl_nospace_vfs.h.
 *
 * Key idea: an SQLite VFS that wraps the default one (SQLite "The OS
 * Interface Object", sqlite3_vfs / sqlite3_io_methods, version 3) and
 * passes every call through, except xWrite: while the flag file
 * "<database>.nospace" exists, a write that would make a file longer fails
 * with SQLITE_FULL, which is what a full file system does (blocks already
 * allocated may still be rewritten). The database, its -wal and -journal
 * take the flag of the database they belong to. The test creates and
 * removes the flag; the check is made at each write, so the fault starts
 * and ends exactly when the test says, with no control request in the
 * production daemon.
 */
#include "hl_nospace_vfs.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

struct nsfile {
    sqlite3_file base;  /* our methods */
    char flag[640];     /* "" when the file has no name (temporary files) */
    sqlite3_file *real; /* the wrapped VFS's file, allocated right after this struct */
};

static sqlite3_vfs ns_vfs;
static sqlite3_vfs *ns_real;

static int ns_full(const struct nsfile *f, sqlite3_int64 end)
{
    if (!f->flag[0] || access(f->flag, F_OK) != 0)
        return 0;
    sqlite3_int64 size = 0;
    if (f->real->pMethods->xFileSize(f->real, &size) != SQLITE_OK)
        return 1;
    return end > size;
}

static int ns_close(sqlite3_file *p)
{
    struct nsfile *f = (struct nsfile *)p;
    return f->real->pMethods->xClose(f->real);
}

static int ns_read(sqlite3_file *p, void *buf, int n, sqlite3_int64 off)
{
    struct nsfile *f = (struct nsfile *)p;
    return f->real->pMethods->xRead(f->real, buf, n, off);
}

static int ns_write(sqlite3_file *p, const void *buf, int n, sqlite3_int64 off)
{
    struct nsfile *f = (struct nsfile *)p;
    if (ns_full(f, off + n))
        return SQLITE_FULL;
    return f->real->pMethods->xWrite(f->real, buf, n, off);
}

static int ns_truncate(sqlite3_file *p, sqlite3_int64 size)
{
    struct nsfile *f = (struct nsfile *)p;
    return f->real->pMethods->xTruncate(f->real, size);
}

static int ns_sync(sqlite3_file *p, int flags)
{
    struct nsfile *f = (struct nsfile *)p;
    return f->real->pMethods->xSync(f->real, flags);
}

static int ns_size(sqlite3_file *p, sqlite3_int64 *size)
{
    struct nsfile *f = (struct nsfile *)p;
    return f->real->pMethods->xFileSize(f->real, size);
}

static int ns_lock(sqlite3_file *p, int l)
{
    struct nsfile *f = (struct nsfile *)p;
    return f->real->pMethods->xLock(f->real, l);
}

static int ns_unlock(sqlite3_file *p, int l)
{
    struct nsfile *f = (struct nsfile *)p;
    return f->real->pMethods->xUnlock(f->real, l);
}

static int ns_reserved(sqlite3_file *p, int *out)
{
    struct nsfile *f = (struct nsfile *)p;
    return f->real->pMethods->xCheckReservedLock(f->real, out);
}

static int ns_fctl(sqlite3_file *p, int op, void *arg)
{
    struct nsfile *f = (struct nsfile *)p;
    return f->real->pMethods->xFileControl(f->real, op, arg);
}

static int ns_sector(sqlite3_file *p)
{
    struct nsfile *f = (struct nsfile *)p;
    return f->real->pMethods->xSectorSize(f->real);
}

static int ns_devchar(sqlite3_file *p)
{
    struct nsfile *f = (struct nsfile *)p;
    return f->real->pMethods->xDeviceCharacteristics(f->real);
}

static int ns_shm_map(sqlite3_file *p, int pg, int pgsz, int extend, void volatile **out)
{
    struct nsfile *f = (struct nsfile *)p;
    return f->real->pMethods->xShmMap(f->real, pg, pgsz, extend, out);
}

static int ns_shm_lock(sqlite3_file *p, int off, int n, int flags)
{
    struct nsfile *f = (struct nsfile *)p;
    return f->real->pMethods->xShmLock(f->real, off, n, flags);
}

static void ns_shm_barrier(sqlite3_file *p)
{
    struct nsfile *f = (struct nsfile *)p;
    f->real->pMethods->xShmBarrier(f->real);
}

static int ns_shm_unmap(sqlite3_file *p, int del)
{
    struct nsfile *f = (struct nsfile *)p;
    return f->real->pMethods->xShmUnmap(f->real, del);
}

static int ns_fetch(sqlite3_file *p, sqlite3_int64 off, int n, void **out)
{
    struct nsfile *f = (struct nsfile *)p;
    return f->real->pMethods->xFetch(f->real, off, n, out);
}

static int ns_unfetch(sqlite3_file *p, sqlite3_int64 off, void *ptr)
{
    struct nsfile *f = (struct nsfile *)p;
    return f->real->pMethods->xUnfetch(f->real, off, ptr);
}

static const sqlite3_io_methods ns_methods = {
    3,           ns_close,       ns_read,      ns_write, ns_truncate, ns_sync,    ns_size,
    ns_lock,     ns_unlock,      ns_reserved,  ns_fctl,  ns_sector,   ns_devchar, ns_shm_map,
    ns_shm_lock, ns_shm_barrier, ns_shm_unmap, ns_fetch, ns_unfetch,
};

/* "<db>.nospace" for the database file and its -wal / -journal. */
static void flag_path(char *out, size_t cap, const char *name)
{
    size_t n = strlen(name);
    static const char *const sfx[] = {"-wal", "-journal"};
    for (size_t i = 0; i < sizeof sfx / sizeof sfx[0]; i++) {
        size_t k = strlen(sfx[i]);
        if (n > k && !strcmp(name + n - k, sfx[i])) {
            n -= k;
            break;
        }
    }
    if (snprintf(out, cap, "%.*s.nospace", (int)n, name) >= (int)cap)
        out[0] = 0; /* too long a path: no fault for it */
}

static int ns_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *p, int flags, int *oflags)
{
    (void)vfs;
    struct nsfile *f = (struct nsfile *)p;
    f->base.pMethods = NULL;
    f->real = (sqlite3_file *)(f + 1);
    f->flag[0] = 0;
    if (name)
        flag_path(f->flag, sizeof f->flag, name);
    int rc = ns_real->xOpen(ns_real, name, f->real, flags, oflags);
    if (rc == SQLITE_OK && f->real->pMethods)
        f->base.pMethods = &ns_methods;
    return rc;
}

int hl_nospace_vfs_register(void)
{
    ns_real = sqlite3_vfs_find(NULL);
    if (!ns_real || ns_real->iVersion < 3)
        return -1;
    ns_vfs = *ns_real;
    ns_vfs.zName = "cairn-test-nospace";
    ns_vfs.szOsFile = (int)sizeof(struct nsfile) + ns_real->szOsFile;
    ns_vfs.pAppData = NULL;
    ns_vfs.xOpen = ns_open;
    ns_vfs.pNext = NULL;
    return sqlite3_vfs_register(&ns_vfs, 1) == SQLITE_OK ? 0 : -1;
}
