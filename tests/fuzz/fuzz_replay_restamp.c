/*
 * fuzz_replay_restamp.c — libFuzzer target for the replay client's
 * re-stamping (app/replay_to.h): arbitrary bytes as an NMEA line (TAG block
 * c: rewritten into a bounded buffer, then parsed back by the AIS framing
 * when it was rewritten) and as ASTERIX blocks (times of day shifted in
 * place, plain and ORADIS framing), with a shift taken from the input.
 * Replayed in every test run over the nmea and asterix corpora.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app/replay_to.h"
#include "decode/ais/nmea.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char out[1024];
    int64_t now = 1796475609344LL + (size ? (int64_t)data[0] * 777777 : 0);
    size_t n = app_replay_restamp_nmea((const char *)data, size, now, out, sizeof out);
    if (n) {
        struct nmea_vdm v;
        (void)nmea_parse_vdm(out, n, &v);
    }
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy)
        return 0;
    if (size)
        memcpy(copy, data, size);
    (void)app_replay_restamp_ax(copy, size, now - 1460462400000LL);
    free(copy);
    return 0;
}
