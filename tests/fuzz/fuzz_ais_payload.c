/*
 * fuzz_ais_payload.c — libFuzzer target for the AIS message decoders:
 * arbitrary payload bits (the input bytes, the last byte's low 3 bits
 * trimming the length) through the length checks, type 24 pairing, the
 * gpsd JSON writers (scaled and unscaled) and the report conversion.
 */
#include <stdint.h>
#include <string.h>

#include "base/dbuf.h"
#include "base/jsonw.h"
#include "decode/ais/ais.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct ais_ctx ctx;
    static struct ais_msg m;
    uint8_t bits[AIS_MAX_BITS / 8];
    if (size > sizeof bits)
        size = sizeof bits;
    memset(bits, 0, sizeof bits);
    memcpy(bits, data, size);
    size_t nbits = size * 8;
    if (size)
        nbits -= data[size - 1] & 7;
    ais_ctx_init(&ctx);
    /* Twice, so a type 24 part B can meet the part A the first pass left. */
    for (int pass = 0; pass < 2; pass++) {
        if (ais_msg_decode(&ctx, bits, nbits, &m) != 0)
            return 0;
        struct dbuf b;
        struct jsonw w;
        struct report r;
        dbuf_init(&b, 1 << 20);
        jw_init(&w, &b);
        (void)ais_msg_json(&m, &w, "fuzz", AIS_JSON_SCALED);
        jw_init(&w, &b);
        (void)ais_msg_json(&m, &w, NULL, 0);
        (void)ais_msg_to_report(&m, 1, &r);
        dbuf_free(&b);
        if (m.type == 24 && (bits[4] & 0x0c) == 0)
            bits[4] |= 0x04; /* turn the part A into a part B for pass two */
    }
    return 0;
}
