/*
 * fuzz_nmea.c — libFuzzer target for AIS NMEA framing: arbitrary bytes into
 * the line stream parser (TAG blocks, checksums, fragment reassembly), every
 * message out as scaled and unscaled JSON and as a report. The input is fed
 * in two pieces split at its first byte's value, so resumption is fuzzed too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/dbuf.h"
#include "base/jsonw.h"
#include "decode/ais/ais.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_msg(void *user, const struct ais_msg *m)
{
    struct dbuf *b = user;
    struct jsonw w;
    struct report r;
    dbuf_reset(b);
    jw_init(&w, b);
    (void)ais_msg_json(m, &w, "fuzz", AIS_JSON_SCALED | AIS_JSON_TAGS);
    jw_init(&w, b);
    (void)ais_msg_json(m, &w, NULL, 0);
    (void)ais_msg_to_report(m, 1, &r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct ais_ctx ctx; /* large: not on the stack */
    struct dbuf b;
    dbuf_init(&b, 1 << 20);
    ais_ctx_init(&ctx);
    size_t cut = size ? data[0] % (size + 1) : 0;
    /* A clock that moves with the input, so timeouts are exercised. */
    int64_t now = size ? (int64_t)data[size - 1] * 1000 : 0;
    ais_feed(&ctx, (const char *)data, cut, 0, on_msg, &b);
    ais_feed(&ctx, (const char *)data + cut, size - cut, now, on_msg, &b);
    ais_flush(&ctx, now, on_msg, &b);
    dbuf_free(&b);
    return 0;
}
