/*
 * modes.c — Mode S downlink formats: the context (known addresses,
 * per-aircraft state), CRC checking and correction policy, and the DF
 * dispatch of modes_decode.
 *
 * Stub while the decoder is written: the context and address table are
 * real; modes_decode returns CAIRN_E_UNSUPPORTED.
 */
#include <string.h>

#include "base/error.h"
#include "decode/modes/modes.h"

void modes_opts_default(struct modes_opts *o)
{
    memset(o, 0, sizeof *o);
    o->fix_errors = 1;
    o->max_range_nm = 300.0;
    o->max_speed_kt = 2000.0;
    o->addr_ttl_s = 60.0;
}

void modes_ctx_init(struct modes_ctx *ctx, const struct modes_opts *o)
{
    memset(ctx, 0, sizeof *ctx);
    if (o)
        ctx->opts = *o;
    else
        modes_opts_default(&ctx->opts);
}

int modes_ctx_addr_known(const struct modes_ctx *ctx, uint32_t icao, double t_s)
{
    (void)ctx;
    (void)icao;
    (void)t_s;
    return 0;
}

void modes_ctx_addr_add(struct modes_ctx *ctx, uint32_t icao, double t_s)
{
    (void)ctx;
    (void)icao;
    (void)t_s;
}

int modes_decode(struct modes_ctx *ctx, const struct modes_frame *f, struct modes_msg *out)
{
    (void)ctx;
    (void)f;
    memset(out, 0, sizeof *out);
    return CAIRN_E_UNSUPPORTED;
}

void modes_msg_json(const struct modes_msg *m, struct jsonw *w)
{
    (void)m;
    jw_obj(w);
    jw_end(w);
}

int modes_msg_to_report(const struct modes_msg *m, struct report *r)
{
    (void)m;
    (void)r;
    return CAIRN_E_UNSUPPORTED;
}
