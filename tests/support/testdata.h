/*
 * testdata.h — finding the shared reference data from a test.
 *
 * The recordings live in ../shared/data beside the checkout; a fresh clone
 * has no such folder, so tests that need it skip with a clear message (exit
 * code 77, which ctest reports as skipped) rather than fail.
 */
#ifndef CAIRN_TESTS_TESTDATA_H
#define CAIRN_TESTS_TESTDATA_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

/* Full path of a file under the shared data folder, in a static buffer. */
static inline const char *td_path(const char *rel)
{
    static char buf[4096];
    const char *root = getenv("CAIRN_SHARED_DATA");
    snprintf(buf, sizeof buf, "%s/%s", root ? root : CAIRN_SHARED_DATA, rel);
    return buf;
}

static inline int td_exists(const char *rel)
{
    struct stat st;
    return stat(td_path(rel), &st) == 0;
}

/* In a cmocka test: skip this test when the file is absent. */
#define TD_REQUIRE(rel)                                                                            \
    do {                                                                                           \
        if (!td_exists(rel)) {                                                                     \
            print_message("SKIP: %s not found (shared reference data absent)\n", td_path(rel));  \
            skip();                                                                                \
        }                                                                                          \
    } while (0)

/* Read a whole file into a malloc'ed buffer (NUL-terminated). NULL on error. */
static inline unsigned char *td_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *p = malloc((size_t)n + 1);
    if (p && fread(p, 1, (size_t)n, f) != (size_t)n) {
        free(p);
        p = NULL;
    }
    fclose(f);
    if (p) {
        p[n] = 0;
        *len = (size_t)n;
    }
    return p;
}

#endif
