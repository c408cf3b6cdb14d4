/*
 * fuzz_cpl_ledger.c — libFuzzer target for the saved compliance ledger
 * (app/compliance.h: cpl_ledger_read), a file the centre reads back at
 * start and that may have been damaged or edited. An accepted file is
 * written back with cpl_ledger_write and must read again to the same
 * flights, with no damaged line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app/compliance.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct cpl_parties pp;
    static int pp_ready;
    if (!pp_ready) {
        char err[128];
        if (cpl_parties_parse("RU=100000-1FFFFF,PL=488000-48FFFF", &pp, err, sizeof err) != 0)
            abort();
        pp_ready = 1;
    }
    /* a copy of its own size: ASan sees any over-read */
    char *in = malloc(size ? size : 1);
    if (!in)
        abort();
    memcpy(in, data, size);
    struct cpl_ledger a, b;
    if (cpl_ledger_init(&a, 64) != 0 || cpl_ledger_init(&b, 64) != 0)
        abort();
    size_t bad = 0;
    if (cpl_ledger_read(&a, &pp, in, size, INT64_MIN, &bad) == 0) {
        if (a.n > a.cap)
            abort();
        struct dbuf t;
        dbuf_init(&t, 1u << 20);
        if (cpl_ledger_write(&a, &t) != 0)
            abort();
        if (cpl_ledger_read(&b, &pp, t.p, t.len, INT64_MIN, &bad) != 0 || bad != 0 || b.n != a.n)
            abort();
        for (size_t i = 0; i < a.n; i++) {
            const struct cpl_flight *x = &a.v[i], *y = &b.v[i];
            if (x->track_id != y->track_id || x->first_ms != y->first_ms ||
                x->last_ms != y->last_ms || x->has_icao != y->has_icao || x->icao != y->icao ||
                strcmp(x->callsign, y->callsign) || strcmp(x->party, y->party) ||
                x->xpdr != y->xpdr || x->plan != y->plan || x->radio != y->radio)
                abort();
        }
        dbuf_free(&t);
    }
    cpl_ledger_fini(&a);
    cpl_ledger_fini(&b);
    free(in);
    return 0;
}
