/*
 * iq.c — IQ files through the demodulator (see iq.h).
 *
 * Reads blocks of IQ_BLOCK bytes with fread() and feeds them whole to
 * modes_demod_feed(); the demodulator copes with a sample split between
 * blocks. The demodulator state (about 340 KiB) and the block are the only
 * allocations, made once per run.
 */
#include "feed/iq.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/log.h"
#include "decode/modes/demod.h"

/* Bytes read per fread(): 256 KiB = 54 ms of UC8 at 2.4 MS/s; large enough
 * that the system call cost vanishes, small enough to stay in cache. */
#define IQ_BLOCK (256u * 1024u)

static void copy_stats(struct iq_stats *st, const struct modes_demod *d, uint64_t bytes)
{
    if (!st)
        return;
    st->bytes = bytes;
    st->samples = d->st.samples;
    st->frames = d->st.frames;
    st->corrected = d->st.corrected;
    st->preambles = d->st.preambles;
    st->bad_crc = d->st.bad_crc;
    st->unknown_addr = d->st.unknown_addr;
    st->signal_s = d->rate_hz > 0 ? (double)d->st.samples / d->rate_hz : 0;
}

int iq_run_file(const char *path, const struct iq_opts *o,
                int (*addr_known)(void *arg, uint32_t icao, double t_s), iq_frame_cb cb, void *arg,
                struct iq_stats *st)
{
    return iq_run_file_until(path, o, addr_known, cb, arg, st, NULL);
}

int iq_run_file_until(const char *path, const struct iq_opts *o,
                      int (*addr_known)(void *arg, uint32_t icao, double t_s), iq_frame_cb cb,
                      void *arg, struct iq_stats *st, volatile int *stop)
{
    if (st)
        memset(st, 0, sizeof *st);
    if (!path || !o || (o->fmt != IQ_UC8 && o->fmt != IQ_SC16))
        return CAIRN_E_INVAL;
    struct modes_demod *d = malloc(sizeof *d);
    uint8_t *buf = malloc(IQ_BLOCK);
    if (!d || !buf) {
        free(d);
        free(buf);
        return CAIRN_E_NOMEM;
    }
    int rc = modes_demod_init(d, o->rate_hz, o->fmt == IQ_UC8 ? MODES_DEMOD_UC8 : MODES_DEMOD_SC16,
                              o->fix_errors);
    if (rc < 0) {
        log_err("iq", "unsupported sample rate %.0f Hz (2000000 or 2400000)", o->rate_hz);
        free(d);
        free(buf);
        return rc;
    }
    int is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f) {
        int e = errno;
        log_err("iq", "%s: %s", path, strerror(e));
        free(d);
        free(buf);
        return e == ENOENT ? CAIRN_E_NOTFOUND : CAIRN_E_IO;
    }
    uint64_t bytes = 0;
    size_t n;
    while ((!stop || !*stop) && (n = fread(buf, 1, IQ_BLOCK, f)) > 0) {
        bytes += n;
        modes_demod_feed(d, buf, n, addr_known, cb, arg);
    }
    if (ferror(f)) {
        log_err("iq", "%s: read error after %llu bytes", is_stdin ? "stdin" : path,
                (unsigned long long)bytes);
        rc = CAIRN_E_IO;
    } else if (!stop || !*stop) {
        modes_demod_flush(d, addr_known, cb, arg);
    }
    copy_stats(st, d, bytes);
    if (!is_stdin)
        fclose(f);
    free(d);
    free(buf);
    return rc;
}
