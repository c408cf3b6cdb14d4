/*
 * failalloc.h — an allocator that fails on demand, for allocation-failure
 * loops (Lua's ltests.c manner): the test binary is linked with
 * -Wl,--wrap=malloc,--wrap=calloc, and allocation number fail_at (counted
 * from 1 in n_alloc) returns NULL; hit says it happened. A loop raises
 * fail_at from 1 until a run completes without hitting it, checking at
 * each step that the failure was reported cleanly and nothing leaked.
 *
 * Include it in exactly one file of a test program (it defines the
 * wrappers).
 */
#ifndef CAIRN_TESTS_FAILALLOC_H
#define CAIRN_TESTS_FAILALLOC_H

#include <stdbool.h>
#include <stddef.h>

static long fail_at = -1; /* allocation number that fails; -1 = never */
static long n_alloc;
static bool hit;

static bool should_fail(void)
{
    n_alloc++;
    if (fail_at >= 0 && n_alloc == fail_at) {
        hit = true;
        return true;
    }
    return false;
}

void *__real_malloc(size_t n);
void *__real_calloc(size_t k, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t k, size_t n);

void *__wrap_malloc(size_t n)
{
    return should_fail() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t k, size_t n)
{
    return should_fail() ? NULL : __real_calloc(k, n);
}

#endif
