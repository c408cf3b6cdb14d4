/*
 * testdata.h — finding the shared reference data from a test.
 *
 * The recordings live in ../shared/data beside the checkout; a fresh clone
 * has no such folder, so tests that need it skip with a clear message (exit
 * code 77, which ctest reports as skipped) rather than fail.
 *
 * cmocka's skip() ends a case as skipped, yet the program still exits 0 and
 * ctest would count it as passed. So every skip goes through TD_SKIP(),
 * which counts it, and main() returns td_exit(cmocka_run_group_tests(...)):
 * a failure stays a failure; otherwise any skipped case makes the whole
 * program exit 77 (SKIP_RETURN_CODE in cmake/cairn.cmake), and `make check`
 * lists the skipped programs with the SKIP: lines that say why.
 */
#ifndef CAIRN_TESTS_TESTDATA_H
#define CAIRN_TESTS_TESTDATA_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

/* Cases of this program skipped so far. */
static inline int *td_skip_counter(void)
{
    static int n;
    return &n;
}

/* Skip the running cmocka case (print a "SKIP: why" line first). */
#define TD_SKIP()                                                                                  \
    do {                                                                                           \
        (*td_skip_counter())++;                                                                    \
        skip();                                                                                    \
    } while (0)

/* main()'s exit status from cmocka's: failures first, then 77 if anything
 * was skipped, so that ctest shows the program as skipped, not passed. */
static inline int td_exit(int rc)
{
    if (rc != 0)
        return rc;
    if (*td_skip_counter() > 0) {
        fprintf(stderr, "%d case(s) skipped: reported to ctest as skipped (exit 77)\n",
                *td_skip_counter());
        return 77;
    }
    return 0;
}

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
            print_message("SKIP: %s not found (shared reference data absent)\n", td_path(rel));    \
            TD_SKIP();                                                                             \
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
