/*
 * files.h — the picture's reference files read from disk, for `cairn run`
 * and `cairn picture` alike: GeoJSON zones (geo/zones.h) and ICAO flight
 * plans with their points file (track/fpl.h). The parsers are pure; this
 * is the I/O around them and the one place their errors are worded.
 *
 * Every file is hostile input: read whole within its parser's cap, parsed
 * by the module that checks it. A bad flight plan is skipped and logged
 * (the others are kept: fpl.h); a bad zones file is refused whole.
 */
#ifndef CAIRN_APP_FILES_H
#define CAIRN_APP_FILES_H

#include <stddef.h>

struct geo_zones;
struct fpl_points;
struct fpl_set;
struct fpl_store;

struct dbuf;

/* Read the whole file at path (at most max bytes; "-": standard input)
 * into *b (initialised here; dbuf_free it on success). 0, or an error with
 * "WHAT PATH: why" in err[0..cap) and nothing to free. */
int app_read_file(const char *what, const char *path, size_t max, struct dbuf *b, char *err,
                  size_t cap);

/* Write len bytes at p to path atomically: a temporary file beside it
 * (path + ".tmp", created with mode), flushed to disk (fsync), then renamed
 * over path, so a reader or a crash never sees half of it. 0, or
 * CAIRN_E_IO (errno kept; the temporary removed). */
int app_write_file(const char *path, const void *p, size_t len, unsigned mode);

/* 0 and *out (geo_zones_free), or an error with one line of printable text
 * in err[0..cap) naming the file. */
int app_load_zones(const char *path, struct geo_zones **out, char *err, size_t cap);

/* The plans file (and, when points_path is not NULL, the points file its
 * routes name) into *pts, *set and a store matched to tracks every cycle
 * (*store, for pic_set_plans). Skipped messages and points are logged
 * (warnings, module "plans"). 0, or an error as above; what was made is
 * left in the out-pointers for the caller to free on both paths. */
int app_load_plans(const char *path, const char *points_path, struct fpl_points **pts,
                   struct fpl_set **set, struct fpl_store **store, char *err, size_t cap);

#endif
