/*
 * fuzz_zones.c — libFuzzer target for the zone loader: arbitrary bytes into
 * geo_zones_parse(). A refused file must leave a printable ASCII message
 * and no set; an accepted one is queried (containment, boundary distance,
 * first crossing, activity) at points taken from the zone's own box, so
 * whatever the loader lets through is also safe to use.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "geo/zones.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[256];
    struct geo_zones *zs = NULL;
    int rc = geo_zones_parse((const char *)data, size, &zs, err, sizeof err);
    if (rc != 0) {
        if (zs || !err[0])
            abort();
        for (const char *p = err; *p; p++)
            if (*p < 32 || *p > 126)
                abort();
        return 0;
    }
    for (size_t i = 0; i < zs->n; i++) {
        const struct geo_zone *z = &zs->z[i];
        if (z->kind >= GEO_ZONE_KIND_N || !z->applies || z->n_rings == 0 || !z->name[0] ||
            strlen(z->name) >= GEO_ZONE_NAME_LEN || !(z->lat_min <= z->lat_max))
            abort();
        double la[3] = {z->lat_min, (z->lat_min + z->lat_max) / 2, z->lat_max + 0.01};
        double lo[3] = {z->lon_min - 0.01, (z->lon_min + z->lon_max) / 2, z->lon_max};
        for (int a = 0; a < 3; a++) {
            int in;
            double d;
            if (geo_zone_locate(z, la[a], lo[a], &in, &d) == 0 &&
                (!(d >= 0) || (in != 0 && in != 1)))
                abort();
            struct geo_zone_xy p, q;
            geo_zone_project(z, la[a], lo[a], &p);
            geo_zone_project(z, la[2 - a], lo[(a + 1) % 3], &q);
            double s = geo_zone_first_crossing_xy(z, &p, &q);
            if (!(s == -1.0 || (s > 0 && s <= 1.0)))
                abort();
        }
        (void)geo_zone_active(z, 0);
        (void)geo_zone_bbox_near(z, 0, 0, 1000);
    }
    geo_zones_free(zs);
    return 0;
}
