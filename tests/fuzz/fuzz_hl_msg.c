/*
 * fuzz_hl_msg.c — libFuzzer target over the hotline's canonical decoders:
 * messages, receipts and checkpoints from hostile bytes (src/hotline/msg.c).
 *
 * Properties checked beyond "no crash, no overread":
 *   - canonical: whatever decodes re-encodes to exactly the input bytes;
 *   - a decoded message can be checked against the catalogue and rendered
 *     in both languages without error other than a refusal code.
 * The corpus (tests/fuzz/corpus/hl_msg/) holds valid messages of several
 * types, a receipt and a checkpoint, made by the unit-test fixtures' keys.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/dbuf.h"
#include "hotline/catalogue.h"
#include "hotline/msg.h"
#include "hotline/render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct hl_msg m;
static uint8_t out[HL_MSG_MAX_LEN];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (hl_msg_decode(&m, data, size) == 0) {
        int n = hl_msg_encode(&m, out, sizeof out);
        if (n < 0 || (size_t)n != size || memcmp(out, data, size) != 0)
            abort(); /* two encodings of one message: not canonical */
        (void)hl_catalogue_check(&m, NULL);
        struct dbuf d;
        dbuf_init(&d, 1 << 20);
        if (hl_render(&m, HL_LANG_EN, &d) != 0 || hl_render(&m, HL_LANG_RU, &d) != 0)
            abort();
        dbuf_free(&d);
    }
    struct hl_receipt r;
    if (hl_receipt_decode(&r, data, size) == 0) {
        uint8_t rb[HL_RECEIPT_LEN_MAX];
        int n = hl_receipt_encode(&r, rb, sizeof rb);
        if (n < 0 || (size_t)n != size || memcmp(rb, data, size) != 0)
            abort();
    }
    struct hl_checkpoint c;
    if (hl_checkpoint_decode(&c, data, size) == 0) {
        uint8_t cb[HL_CHECKPOINT_LEN_MAX];
        int n = hl_checkpoint_encode(&c, cb, sizeof cb);
        if (n < 0 || (size_t)n != size || memcmp(cb, data, size) != 0)
            abort();
    }
    return 0;
}
