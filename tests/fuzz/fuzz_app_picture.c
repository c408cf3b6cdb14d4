/*
 * fuzz_app_picture.c — libFuzzer target for what a peer centre puts in a
 * PICTURE frame (hotline/frame.h, L12): the data blocks read by
 * app_c62_read (app/cat062.h) into reports, each checked against an
 * exchange area as app/peer.c does. Any bytes: counted, never a crash,
 * never more reports than records, every report with a position in range.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app/cat062.h"
#include "app/peer.h"
#include "decode/report.h"
#include "geo/zones.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct geo_zones *area;

static int on_report(void *arg, struct report *r)
{
    if (!(r->has & REP_HAS_POS) || !(fabs(r->lat_deg) <= 90.0) || !(fabs(r->lon_deg) <= 180.0))
        abort();
    (void)app_area_contains(area, r->lat_deg, r->lon_deg);
    (*(size_t *)arg)++;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!area) {
        static const char js[] =
            "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
            "\"properties\":{\"name\":\"x\",\"kind\":\"boundary\"},\"geometry\":{\"type\":"
            "\"Polygon\",\"coordinates\":[[[12,55],[14,55],[14,56],[12,56],[12,55]]]}}]}";
        if (geo_zones_parse(js, strlen(js), &area, NULL, 0) != 0)
            abort();
    }
    struct app_c62_read_stats st;
    memset(&st, 0, sizeof st);
    size_t n = 0;
    size_t got = app_c62_read(data, size, INT64_C(1393851767000), 2000, on_report, &n, &st);
    if (got != n || got != st.tracks || st.records > 2000 || got > st.records)
        abort();
    return 0;
}
