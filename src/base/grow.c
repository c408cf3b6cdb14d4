/* grow.c — see grow.h. */
#include "base/grow.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"

int grow_array(void *pp, size_t *cap, size_t n, size_t sz, size_t first)
{
    assert(pp && cap && sz && first);
    if (n <= *cap)
        return 0;
    size_t ncap = *cap ? *cap : first;
    while (ncap < n) {
        if (ncap > SIZE_MAX / 2)
            return CAIRN_E_NOMEM;
        ncap *= 2;
    }
    if (ncap > SIZE_MAX / sz)
        return CAIRN_E_NOMEM;
    /* the caller's pointer is read and written as bytes: a T * and a void *
     * are alike in memory, and no T * lvalue is accessed as a void * */
    void *p;
    memcpy(&p, pp, sizeof p);
    void *np = realloc(p, ncap * sz);
    if (!np)
        return CAIRN_E_NOMEM;
    memcpy(pp, &np, sizeof np);
    *cap = ncap;
    return 0;
}
