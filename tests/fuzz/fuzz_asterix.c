/*
 * fuzz_asterix.c — libFuzzer target over the ASTERIX block/record decoder,
 * the value walker and the JSON writer, for every category and edition.
 *
 * The input is a datagram (a chain of data blocks). Each block is decoded
 * with every edition cairn has for its category (so one input exercises all
 * editions), each record is walked leaf by leaf, written as JSON (scaled and
 * raw) and searched by path. Nothing may crash or read out of bounds, and
 * the decoder's invariants are checked: a record's items lie inside the
 * record, in ascending FRN order, and a record never extends past its block.
 * The ORADIS, GPS, FINAL and HDLC framing walkers run over the same bytes.
 * Every record also goes through the report layer (decode/asterix/report.h)
 * with a radar site for its own SAC/SIC, so polar plots reach the geometry:
 * a report's position is finite and in range, its time within a day of
 * the reference, its callsign terminated.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/dbuf.h"
#include "base/jsonw.h"
#include "decode/asterix/asterix.h"
#include "decode/asterix/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void leaf_cb(void *ctx, enum ax_walk_ev ev, const struct ax_node *node,
                    const struct ax_leaf *leaf)
{
    uint64_t *acc = ctx;
    (void)node;
    if (ev == AX_WALK_LEAF) {
        char s[128];
        *acc += ax_leaf_raw(leaf);
        *acc += (uint64_t)ax_leaf_int(leaf);
        if (leaf->node->enc == AX_ENC_ICAO6 || leaf->node->enc == AX_ENC_ASCII ||
            leaf->node->enc == AX_ENC_OCTAL)
            (void)ax_leaf_string(leaf, s, sizeof s);
    }
}

#define REF_MS 1796342400000LL /* 2026-12-04 00:00:00 UTC */

static void check_report(const struct ax_record *r)
{
    struct ax_sensor s;
    memset(&s, 0, sizeof s);
    const struct ax_item *it = ax_record_item(r, "010");
    struct ax_leaf l;
    if (it && ax_item_field(it, "SAC", &l) == 1)
        s.sac = (uint8_t)ax_leaf_raw(&l);
    if (it && ax_item_field(it, "SIC", &l) == 1)
        s.sic = (uint8_t)ax_leaf_raw(&l);
    s.id = 1;
    s.has_site = 1;
    struct geo_llh site = {45.0, 16.0, 300.0};
    geo_frame_init(&s.site, &site);
    s.range_sigma_m = 50.0f;
    s.azimuth_sigma_deg = 0.05f;
    s.has_assumed_h = r->len & 1; /* both with and without an assumed height */
    s.assumed_h_m = 3000.0;
    struct ax_report_ctx c;
    ax_report_init(&c, &s, 1);
    c.ref_utc_ms = REF_MS;
    struct report rep;
    struct ax_scan_event ev;
    int out = ax_record_report(&c, r, &rep, &ev);
    if (out == AX_OUT_REPORT) {
        if ((rep.has & REP_HAS_POS) && !(isfinite(rep.lat_deg) && isfinite(rep.lon_deg) &&
                                         fabs(rep.lat_deg) <= 90 && fabs(rep.lon_deg) <= 180))
            abort();
        if (rep.t_ms < REF_MS - 86400000LL || rep.t_ms > REF_MS + 86400000LL)
            abort();
        if (memchr(rep.callsign, 0, sizeof rep.callsign) == NULL)
            abort();
    } else if (out == AX_OUT_SCAN) {
        if (ev.t_ms < REF_MS - 86400000LL || ev.t_ms > REF_MS + 86400000LL)
            abort();
    } else if (out != AX_OUT_NONE) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct ax_record r;
    struct dbuf out;
    dbuf_init(&out, (size_t)1 << 20);
    size_t n_tab;
    const struct ax_category *const *all = ax_category_all(&n_tab);
    struct ax_stats st;
    memset(&st, 0, sizeof st);
    size_t off = 0;
    struct ax_block b;
    struct ax_error e;
    uint64_t acc = 0;
    while (ax_block_next(data, size, &off, &b, &e, &st) == 1) {
        for (size_t t = 0; t < n_tab; t++) {
            if (all[t]->cat != b.cat)
                continue;
            struct ax_editions eds;
            ax_editions_init(&eds);
            eds.chosen[b.cat] = all[t];
            struct ax_block bb = b;
            if (ax_block_open(&bb, &eds, &e, &st) < 0)
                abort();
            int rc;
            while ((rc = ax_block_record(&bb, &r, &e, &st)) == 1) {
                if (r.p < bb.p || r.p + r.len > bb.p + bb.len)
                    abort();
                unsigned last_frn = 0;
                for (unsigned i = 0; i < r.n_items; i++) {
                    const struct ax_item *it = &r.items[i];
                    if (it->p < r.p || it->p + it->len > r.p + r.len || it->frn <= last_frn)
                        abort();
                    last_frn = it->frn;
                    if (ax_walk(it->desc, it->p, it->len, leaf_cb, &acc) < 0)
                        abort(); /* an accepted item must walk */
                    struct ax_leaf l;
                    (void)ax_item_field(it, "SAC", &l);
                    (void)ax_item_field(it, "CAL/D", &l);
                }
                check_report(&r);
                struct jsonw w;
                dbuf_reset(&out);
                jw_init(&w, &out);
                ax_json_record(&w, &r, 0);
                jw_init(&w, &out);
                ax_json_record(&w, &r, AX_JSON_RAW | AX_JSON_HEX);
            }
            if (rc < 0 && (e.code == 0 || e.why == NULL))
                abort(); /* every error is explained */
        }
    }
    /* the recording framings over the same bytes: never past the input */
    const uint8_t *blk;
    size_t bl;
    double tod;
    if (ax_framing_guess(data, size) == AX_FRAMING_ORADIS) {
        off = 0;
        while (ax_oradis_next(data, size, &off, &blk, &bl) == 1)
            if (blk < data || blk + bl > data + size)
                abort();
    }
    off = 0;
    while (ax_gps_next(data, size, &off, &blk, &bl, &tod) == 1)
        if (blk < data || blk + bl > data + size)
            abort();
    off = 0;
    while (ax_final_next(data, size, &off, &blk, &bl, &tod) == 1)
        if (blk < data || blk + bl > data + size || !(tod >= 0))
            abort();
    (void)ax_final_detect(data, size);
    /* HDLC: every octet is in a good frame or counted as skipped */
    size_t skipped = 0, framed = 0;
    off = 0;
    while (ax_hdlc_next(data, size, &off, &blk, &bl, &skipped) == 1) {
        if (blk < data + 2 || blk + bl + 2 > data + size)
            abort();
        framed += bl + 4;
    }
    if (framed + skipped != size)
        abort();
    (void)ax_hdlc_detect(data, size);
    dbuf_free(&out);
    (void)acc;
    return 0;
}
