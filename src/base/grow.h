/*
 * grow.h — room for n elements in a heap array that doubles as it grows.
 *
 * Most of cairn's growing arrays keep a pointer, a count and a capacity and,
 * when the count reaches the capacity, double it (starting from a first
 * capacity chosen per array) and realloc. grow_array() is that step, once:
 * the doubling cannot wrap (neither the capacity nor the byte count), and a
 * failure leaves the array and its capacity as they were, so the caller may
 * go on using what it holds. Caps on what outside input may make an array
 * hold stay with the caller (dbuf.h for bytes, the *_MAX limits elsewhere).
 *
 * Doubling keeps the cost of n appends O(n) (each element is copied by
 * realloc at most about once on average).
 */
#ifndef CAIRN_BASE_GROW_H
#define CAIRN_BASE_GROW_H

#include <stddef.h>

/* Make the array *pp of *cap elements of sz bytes hold at least n elements.
 * pp is the address of the array's pointer (a T ** for any object type T,
 * passed as void *; the pointer may be NULL with *cap 0). When n > *cap the
 * capacity becomes the first of first, 2*first, 4*first, ... (or of *cap,
 * 2 * *cap, ... once the array exists) that is n or more, and the array is
 * realloc'ed to it, its contents kept; new elements are not initialised.
 * 0 (also when nothing had to be done), or CAIRN_E_NOMEM when that many
 * bytes cannot be counted in a size_t or realloc fails: *pp and *cap are
 * then unchanged. sz and first must not be 0. The caller owns the array and
 * frees it with free(). */
int grow_array(void *pp, size_t *cap, size_t n, size_t sz, size_t first);

/* grow_array() for a typed pointer: the element size is taken from the
 * pointer's type, and a pp that is not a T ** does not compile. */
#define GROW_ARRAY(pp, cap, n, first) grow_array((pp), (cap), (n), sizeof **(pp), (first))

#endif
