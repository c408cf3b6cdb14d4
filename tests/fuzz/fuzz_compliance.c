/*
 * fuzz_compliance.c — libFuzzer target for what a peer's COMPLIANCE_SUMMARY
 * and ACTIVITY_NOTICE carry that the procedures parse beyond the hotline's
 * own checks (app/compliance.h's grammar, procedures.h's area): the input
 * is "COUNTS\nFLIGHTS\nAREA" (missing parts empty). An accepted summary is
 * written back with cpl_format and must parse again to the same counts and
 * flights; an accepted area has 3..PROC_AREA_MAX vertices in range.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app/compliance.h"
#include "app/procedures.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct cpl_summary a, b;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data, *end = s + size;
    const char *nl1 = memchr(s, '\n', size);
    const char *c_end = nl1 ? nl1 : end;
    const char *f = nl1 ? nl1 + 1 : end;
    const char *nl2 = memchr(f, '\n', (size_t)(end - f));
    const char *f_end = nl2 ? nl2 : end;
    const char *ar = nl2 ? nl2 + 1 : end;
    /* each part in a buffer of its own size: ASan sees any over-read */
    size_t cl = (size_t)(c_end - s), fl = (size_t)(f_end - f), al = (size_t)(end - ar);
    char *cb = malloc(cl + 1), *fb = malloc(fl + 1), *ab = malloc(al + 1);
    if (!cb || !fb || !ab)
        abort();
    memcpy(cb, s, cl);
    memcpy(fb, f, fl);
    memcpy(ab, ar, al);
    memset(&a, 0, sizeof a);
    if (cpl_parse(cb, cl, fl ? fb : NULL, fl, &a) == 0) {
        if (a.n_c == 0 || a.n_c > CPL_MAX_COUNTS || a.n_f > CPL_LIST_MAX)
            abort();
        struct dbuf c2, f2;
        dbuf_init(&c2, 1u << 16);
        dbuf_init(&f2, 1u << 16);
        if (cpl_format(&a, &c2, &f2) != 0)
            abort();
        memset(&b, 0, sizeof b);
        if (cpl_parse(c2.p, c2.len, f2.len ? f2.p : NULL, f2.len, &b) != 0 || b.n_c != a.n_c ||
            b.n_f != a.n_f)
            abort();
        for (size_t i = 0; i < a.n_c; i++)
            if (strcmp(a.c[i].party, b.c[i].party) || a.c[i].flights != b.c[i].flights ||
                a.c[i].xpdr != b.c[i].xpdr)
                abort();
        for (size_t i = 0; i < a.n_f; i++)
            if (a.f[i].xpdr != b.f[i].xpdr || a.f[i].icao != b.f[i].icao ||
                strcmp(a.f[i].callsign, b.f[i].callsign))
                abort();
        dbuf_free(&c2);
        dbuf_free(&f2);
    }
    double lat[PROC_AREA_MAX], lon[PROC_AREA_MAX];
    size_t n = 0;
    if (proc_area_parse(ab, al, lat, lon, &n) == 0) {
        if (n < 3 || n > PROC_AREA_MAX)
            abort();
        for (size_t i = 0; i < n; i++)
            if (!(lat[i] >= -90 && lat[i] <= 90 && lon[i] >= -180 && lon[i] <= 180))
                abort();
    }
    free(cb);
    free(fb);
    free(ab);
    return 0;
}
