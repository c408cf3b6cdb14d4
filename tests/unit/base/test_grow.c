/* test_grow.c — unit tests for base/grow.h: the doubling, contents kept,
 * overflow refused before any allocation, and a failed realloc leaving the
 * array as it was. Linked with -Wl,--wrap=realloc: the wrapper counts the
 * calls, records the size asked for, and fails on demand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/grow.h"

static bool fail_next; /* the next realloc returns NULL */
static long n_realloc;
static size_t last_size;

void *__real_realloc(void *p, size_t n);
void *__wrap_realloc(void *p, size_t n);

void *__wrap_realloc(void *p, size_t n)
{
    n_realloc++;
    last_size = n;
    if (fail_next) {
        fail_next = false;
        return NULL;
    }
    return __real_realloc(p, n);
}

static void reset(void)
{
    fail_next = false;
    n_realloc = 0;
    last_size = 0;
}

static void test_grow_doubles(void **state)
{
    (void)state;
    reset();
    int *v = NULL;
    size_t cap = 0;
    assert_int_equal(GROW_ARRAY(&v, &cap, 0, 16), 0); /* nothing asked */
    assert_null(v);
    assert_int_equal(n_realloc, 0);
    assert_int_equal(GROW_ARRAY(&v, &cap, 1, 16), 0); /* the first capacity */
    assert_non_null(v);
    assert_int_equal(cap, 16);
    assert_int_equal(last_size, 16 * sizeof(int));
    assert_int_equal(GROW_ARRAY(&v, &cap, 16, 16), 0); /* room already */
    assert_int_equal(n_realloc, 1);
    assert_int_equal(GROW_ARRAY(&v, &cap, 17, 16), 0); /* one doubling */
    assert_int_equal(cap, 32);
    assert_int_equal(GROW_ARRAY(&v, &cap, 100, 16), 0); /* doubled to fit */
    assert_int_equal(cap, 128);
    assert_int_equal(n_realloc, 3);
    free(v);

    /* a first capacity below n: doubled from it */
    uint8_t *b = NULL;
    size_t bcap = 0;
    assert_int_equal(GROW_ARRAY(&b, &bcap, 1000, 64), 0);
    assert_int_equal(bcap, 1024);
    assert_int_equal(last_size, 1024);
    free(b);

    /* the element size comes from the pointer's type */
    struct {
        double a, b, c;
    } *s = NULL;
    size_t scap = 0;
    assert_int_equal(GROW_ARRAY(&s, &scap, 3, 4), 0);
    assert_int_equal(last_size, 4 * 3 * sizeof(double));
    free(s);

    /* an untyped array (void *) names its element size */
    void *u = NULL;
    size_t ucap = 0;
    assert_int_equal(grow_array(&u, &ucap, 5, 12, 4), 0);
    assert_int_equal(ucap, 8);
    assert_int_equal(last_size, 96);
    free(u);
}

static void test_grow_keeps_contents(void **state)
{
    (void)state;
    reset();
    uint32_t *v = NULL;
    size_t cap = 0, n = 0;
    for (uint32_t i = 0; i < 5000; i++) {
        assert_int_equal(GROW_ARRAY(&v, &cap, n + 1, 16), 0);
        v[n++] = i * 2654435761u;
    }
    assert_int_equal(cap, 8192); /* 16 doubled nine times */
    assert_int_equal(n_realloc, 10);
    for (uint32_t i = 0; i < 5000; i++)
        assert_int_equal(v[i], i * 2654435761u);
    free(v);
}

/* An int array holding n values (100, 101, ...) at capacity n. */
static int *filled(size_t n, size_t *cap)
{
    int *v = NULL;
    *cap = 0;
    assert_int_equal(GROW_ARRAY(&v, cap, n, n), 0);
    for (size_t i = 0; i < n; i++)
        v[i] = 100 + (int)i;
    return v;
}

/* A growth of *v (n values from filled()) to want that must fail and leave
 * the array as it was: the same pointer, capacity and values. */
static void refused_kept(int **v, size_t *cap, size_t want, size_t n)
{
    int *was = *v;
    assert_int_equal(GROW_ARRAY(v, cap, want, 8), CAIRN_E_NOMEM);
    assert_ptr_equal(*v, was);
    assert_int_equal(*cap, n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal((*v)[i], 100 + (int)i);
}

static void test_grow_refuses_overflow(void **state)
{
    (void)state;
    reset();
    /* the capacity itself would wrap while doubling */
    char *c = NULL;
    size_t ccap = 0;
    assert_int_equal(GROW_ARRAY(&c, &ccap, SIZE_MAX, 16), CAIRN_E_NOMEM);
    assert_null(c);
    assert_int_equal(ccap, 0);
    /* the capacity fits but its bytes do not */
    uint64_t *w = NULL;
    size_t wcap = 0;
    assert_int_equal(GROW_ARRAY(&w, &wcap, SIZE_MAX / 8 + 1, 16), CAIRN_E_NOMEM);
    assert_null(w);
    assert_int_equal(wcap, 0);
    assert_int_equal(n_realloc, 0); /* refused before asking */
    /* an existing array is left as it was */
    size_t cap;
    int *v = filled(4, &cap);
    refused_kept(&v, &cap, SIZE_MAX / 2, 4);
    refused_kept(&v, &cap, SIZE_MAX, 4);
    assert_int_equal(n_realloc, 1);
    free(v);
}

static void test_grow_alloc_failure(void **state)
{
    (void)state;
    reset();
    int *v = NULL;
    size_t cap = 0;
    fail_next = true; /* the first allocation fails: still nothing */
    assert_int_equal(GROW_ARRAY(&v, &cap, 1, 8), CAIRN_E_NOMEM);
    assert_null(v);
    assert_int_equal(cap, 0);
    v = filled(8, &cap);
    fail_next = true; /* a growth fails: the old array is whole and ours */
    refused_kept(&v, &cap, 9, 8);
    assert_int_equal(GROW_ARRAY(&v, &cap, 9, 8), 0); /* and may grow later */
    assert_int_equal(cap, 16);
    for (int i = 0; i < 8; i++)
        assert_int_equal(v[i], 100 + i);
    free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grow_doubles),
        cmocka_unit_test(test_grow_keeps_contents),
        cmocka_unit_test(test_grow_refuses_overflow),
        cmocka_unit_test(test_grow_alloc_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
