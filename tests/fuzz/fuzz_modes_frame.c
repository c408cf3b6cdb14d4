/*
 * fuzz_modes_frame.c — libFuzzer target over modes_decode.
 *
 * The input is a sequence of records: a control byte, then the frame's
 * bytes. Control bits 0-1 pick the frame: 0 = 7-byte Mode S, 1 = 14-byte,
 * 2 = Mode A/C (2 bytes), 3 = a Mode S frame of length (bits 2-5) 0..15,
 * which exercises the length checks. Bits 2-7 also move the frame time by
 * -8..+7.75 s, so CPR pairing, speed checks and address expiry see times
 * going forwards and backwards. The first byte sets the options. A record
 * cut short by the end of the input is dropped: only whole frames are
 * decoded, and only the bytes given are copied (the rest of the frame
 * buffer is zero, as a source would leave it).
 * Every decoded message is also written as JSON and converted to a report,
 * and a few invariants of the decoded fields are checked (a trap is a find).
 */
#include <stdint.h>
#include <string.h>

#include "base/dbuf.h"
#include "base/jsonw.h"
#include "decode/modes/modes.h"

static struct modes_ctx ctx;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    struct modes_opts o;
    modes_opts_default(&o);
    o.fix_errors = data[0] & 1;
    o.accept_unknown_addr = (data[0] >> 1) & 1;
    if (data[0] & 4) {
        o.have_receiver = 1;
        o.rx_lat_deg = 52.3;
        o.rx_lon_deg = 4.0;
        o.max_range_nm = (data[0] & 8) ? 150.0 : 300.0;
    }
    modes_ctx_init(&ctx, &o);
    struct dbuf b;
    dbuf_init(&b, 1 << 14);
    double t = 1000.0;
    size_t i = 1;
    while (i < size) {
        uint8_t c = data[i++];
        struct modes_frame f;
        memset(&f, 0, sizeof f);
        size_t len;
        switch (c & 3u) {
        case 0:
            len = MODES_SHORT_LEN;
            break;
        case 1:
            len = MODES_LONG_LEN;
            break;
        case 2:
            len = MODEAC_LEN;
            f.kind = FRAME_MODEAC;
            break;
        default:
            len = (c >> 2) & 15u;
            break;
        }
        if (len > size - i)
            break;
        if (len > MODES_LONG_LEN)
            len = MODES_LONG_LEN;
        memcpy(f.data, data + i, len);
        i += len;
        f.len = (uint8_t)len;
        t += ((int)(c >> 2) - 32) * 0.25;
        f.t_s = t;
        struct modes_msg m;
        modes_decode(&ctx, &f, &m);
        struct jsonw w;
        dbuf_reset(&b);
        jw_init(&w, &b);
        modes_msg_json(&m, &w);
        struct report r;
        memset(&r, 0, sizeof r);
        modes_msg_to_report(&m, 0, &r);
        /* issue 11 invariants: a non-ICAO address is never offered as
         * an ICAO one; coarse CPR fields are 12 bits; checked ranges hold */
        if (r.addr_non_icao && (r.has & REP_HAS_ICAO))
            __builtin_trap();
        /* a TIS-B/ADS-R management message (DF18 CF 4) is no aircraft */
        memset(&r, 0, sizeof r);
        if (m.addr_type == MODES_AT_TISB_MGMT && modes_msg_to_report(&m, 0, &r) == 0)
            __builtin_trap();
        if ((m.has & MH_COARSE) && (m.cpr_lat > 0xFFF || m.cpr_lon > 0xFFF))
            __builtin_trap();
        if ((m.has & MH_MET) && (m.met.has & MET_WIND) && m.met.wind_kt > 250)
            __builtin_trap();
        if ((m.has & MH_MET) && (m.met.has & MET_SAT) && (m.met.sat_c < -80 || m.met.sat_c > 60))
            __builtin_trap();
        if ((m.has & MH_TSS1) && (m.has & MH_SEL_HEADING) && m.sel_heading_deg > 359.0f)
            __builtin_trap();
    }
    dbuf_free(&b);
    return 0;
}
