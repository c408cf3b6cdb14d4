/*
 * scratch.h — a unit test's scratch folder for the files it writes.
 *
 * scratch_open() makes a fresh folder under /tmp (mkdtemp), scratch_write()
 * puts a file of given bytes in it and returns its path (valid until the
 * next call), scratch_close() removes the folder with everything in it.
 * One folder per test program; for cmocka tests (scratch_write asserts).
 */
#ifndef CAIRN_TESTS_SCRATCH_H
#define CAIRN_TESTS_SCRATCH_H

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char scratch_dir[64];

/* 0, or -1 (errno set by mkdtemp). */
static inline int scratch_open(const char *prefix)
{
    snprintf(scratch_dir, sizeof scratch_dir, "/tmp/%s-XXXXXX", prefix);
    return mkdtemp(scratch_dir) ? 0 : -1;
}

static inline const char *scratch_write(const char *name, const void *data, size_t len)
{
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", scratch_dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    return path;
}

/* Remove the folder and the files in it (the tests make no subfolders):
 * 0, or -1. */
static inline int scratch_close(void)
{
    DIR *d = opendir(scratch_dir);
    if (!d)
        return -1;
    struct dirent *e;
    char path[320];
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(path, sizeof path, "%s/%s", scratch_dir, e->d_name);
        unlink(path);
    }
    closedir(d);
    return rmdir(scratch_dir);
}

#endif
