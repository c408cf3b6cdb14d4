/*
 * fuzz_hl_frame.c — libFuzzer target for the hotline link framing and the
 * payloads carried in frames.
 *
 * The input is a byte stream as a peer might send it: frames are parsed one
 * after another, each payload goes to its decoder (HELLO, HEARTBEAT, ERROR,
 * and the journal's message/receipt decoders for MSG and RECEIPT). Whatever
 * decodes must re-encode to the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "hotline/frame.h"
#include "hotline/msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct hl_frame_stats st = {0};
    size_t pos = 0;
    while (pos < size) {
        struct hl_frame f;
        int rc = hl_frame_parse(data + pos, size - pos, &f, &st);
        if (rc <= 0)
            break;
        pos += (size_t)rc;
        uint8_t re[HL_HELLO_MAX_LEN > HL_ERROR_MAX_LEN ? HL_HELLO_MAX_LEN : HL_ERROR_MAX_LEN];
        switch (f.type) {
        case HL_FT_HELLO: {
            struct hl_hello h;
            if (hl_hello_decode(f.payload, f.len, &h) == 0) {
                int n = hl_hello_encode(&h, re, sizeof re);
                if (n != (int)f.len || memcmp(re, f.payload, f.len) != 0)
                    abort();
            }
            break;
        }
        case HL_FT_HEARTBEAT: {
            struct hl_heartbeat h;
            if (hl_heartbeat_decode(f.payload, f.len, &h) == 0) {
                int n = hl_heartbeat_encode(&h, re, sizeof re);
                if (n != (int)f.len || memcmp(re, f.payload, f.len) != 0)
                    abort();
            }
            break;
        }
        case HL_FT_ERROR: {
            struct hl_error e;
            if (hl_error_decode(f.payload, f.len, &e) == 0) {
                int n = hl_error_encode(&e, re, sizeof re);
                if (n != (int)f.len || memcmp(re, f.payload, f.len) != 0)
                    abort();
            }
            break;
        }
        case HL_FT_MSG: {
            /* The journal's decoder on hostile bytes; what decodes must
             * re-encode to the same bytes (one encoding per message). */
            static struct hl_msg m;
            static uint8_t buf[HL_MSG_MAX_LEN];
            if (hl_msg_decode(&m, f.payload, f.len) == 0) {
                int n = hl_msg_encode(&m, buf, sizeof buf);
                if (n != (int)f.len || memcmp(buf, f.payload, f.len) != 0)
                    abort();
            }
            break;
        }
        case HL_FT_RECEIPT: {
            struct hl_receipt r;
            uint8_t buf[HL_RECEIPT_LEN_MAX];
            if (hl_receipt_decode(&r, f.payload, f.len) == 0) {
                int n = hl_receipt_encode(&r, buf, sizeof buf);
                if (n != (int)f.len || memcmp(buf, f.payload, f.len) != 0)
                    abort();
            }
            break;
        }
        case HL_FT_PICTURE: {
            /* the header; the data blocks are the application's
             * (fuzz_app_picture) */
            struct hl_picture pic;
            if (hl_picture_decode(f.payload, f.len, &pic) == 0) {
                uint8_t h[HL_PICTURE_HDR_LEN];
                hl_picture_put_header(h, pic.seq, pic.t_utc_ms);
                if (memcmp(h, f.payload, sizeof h) != 0 || pic.data != f.payload + sizeof h ||
                    pic.len != f.len - sizeof h)
                    abort();
            }
            break;
        }
        default: { /* CHECKPOINT, CHECKPOINT_SIG */
            struct hl_checkpoint k;
            uint8_t buf[HL_CHECKPOINT_LEN_MAX];
            if (hl_checkpoint_decode(&k, f.payload, f.len) == 0) {
                int n = hl_checkpoint_encode(&k, buf, sizeof buf);
                if (n != (int)f.len || memcmp(buf, f.payload, f.len) != 0)
                    abort();
            }
            break;
        }
        }
    }
    return 0;
}
