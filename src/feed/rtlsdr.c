/*
 * rtlsdr.c — live RTL-SDR input (see rtlsdr.h).
 *
 * Threads and the ring:
 *
 *   reader thread                      calling thread
 *   rtlsdr_read_async() ─► usb_cb() ─► ring[RING_SLOTS] ─► modes_demod_feed() ─► cb()
 *                          (copy or drop)   mutex + condvar
 *
 * Invariants: (1) only usb_cb() fills slots and only the caller empties
 * them, both under the mutex; (2) usb_cb() never waits: a full ring drops
 * the USB buffer and counts it; (3) the caller wakes at least every
 * WAIT_MS to look at the stop flag, then cancels the
 * reader with rtlsdr_cancel_async(), joins it and closes the device, in that
 * order, on every path after the device was opened.
 */
#include "feed/rtlsdr.h"

#include <errno.h>
#include <pthread.h>
#include <rtl-sdr.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/error.h"
#include "base/log.h"
#include "decode/modes/demod.h"

#define RTLSDR_FREQ_HZ 1090000000u /* Mode S downlink, Annex 10 Vol IV 3.1.2.1 */
/* Bytes per USB transfer: librtlsdr wants a multiple of 512; 256 KiB is
 * 55 ms at 2.4 MS/s, the size dump1090 uses (16 x 16384). */
#define USB_BUF_LEN (16u * 16384u)
/* Ring slots: 16 x 55 ms = 0.9 s of slack for a busy consumer, 4 MiB. */
#define RING_SLOTS 16
/* Longest sleep of the calling thread before it looks at the stop flags. */
#define WAIT_MS 100

struct ring {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    uint8_t *slot[RING_SLOTS];
    uint32_t len[RING_SLOTS];
    unsigned head, tail, count; /* head: next slot to fill; tail: next to empty */
    uint64_t dropped;           /* USB buffers lost because the ring was full */
    int ended;                  /* the reader thread has returned */
};

struct reader {
    rtlsdr_dev_t *dev;
    struct ring *ring;
    int rc; /* rtlsdr_read_async()'s result */
};

static void usb_cb(unsigned char *buf, uint32_t len, void *ctx)
{
    struct ring *r = ctx;
    pthread_mutex_lock(&r->mu);
    if (r->count == RING_SLOTS || len > USB_BUF_LEN) {
        r->dropped++;
    } else {
        memcpy(r->slot[r->head], buf, len);
        r->len[r->head] = len;
        r->head = (r->head + 1) % RING_SLOTS;
        r->count++;
        pthread_cond_signal(&r->cv);
    }
    pthread_mutex_unlock(&r->mu);
}

static void *reader_main(void *p)
{
    struct reader *rd = p;
    rd->rc = rtlsdr_read_async(rd->dev, usb_cb, rd->ring, 0, USB_BUF_LEN);
    pthread_mutex_lock(&rd->ring->mu);
    rd->ring->ended = 1;
    pthread_cond_signal(&rd->ring->cv);
    pthread_mutex_unlock(&rd->ring->mu);
    return NULL;
}

/* Index of the device named by spec (index or serial), or a negative code. */
static int find_device(const char *spec)
{
    int n = (int)rtlsdr_get_device_count();
    if (n <= 0) {
        log_err("rtlsdr", "no RTL-SDR device found");
        return CAIRN_E_NOTFOUND;
    }
    if (!spec || !*spec)
        return 0;
    size_t len = strlen(spec);
    /* Up to 3 digits is an index; anything else is a serial number (serials
     * are often 8 digits, "00000001"). */
    if (len <= 3 && strspn(spec, "0123456789") == len) {
        int idx = atoi(spec);
        if (idx >= n) {
            log_err("rtlsdr", "no RTL-SDR device with index %d (%d present)", idx, n);
            return CAIRN_E_NOTFOUND;
        }
        return idx;
    }
    int idx = rtlsdr_get_index_by_serial(spec);
    if (idx < 0) {
        log_err("rtlsdr", "no RTL-SDR device with serial \"%s\"", spec);
        return CAIRN_E_NOTFOUND;
    }
    return idx;
}

/* Nearest supported gain to gain_db, in tenths of dB, or a negative code. */
static int set_gain(rtlsdr_dev_t *dev, double gain_db)
{
    if (gain_db < 0) {
        if (rtlsdr_set_tuner_gain_mode(dev, 0) < 0)
            return CAIRN_E_IO;
        log_info("rtlsdr", "gain: automatic");
        return 0;
    }
    /* The R820T lists 29 gains; 64 covers every tuner librtlsdr knows. */
    int gains[64];
    int n = rtlsdr_get_tuner_gains(dev, NULL);
    if (n <= 0 || n > 64)
        return CAIRN_E_IO;
    n = rtlsdr_get_tuner_gains(dev, gains);
    int want = (int)(gain_db * 10.0 + 0.5), best = gains[0];
    for (int i = 1; i < n; i++)
        if (abs(gains[i] - want) < abs(best - want))
            best = gains[i];
    if (rtlsdr_set_tuner_gain_mode(dev, 1) < 0 || rtlsdr_set_tuner_gain(dev, best) < 0)
        return CAIRN_E_IO;
    log_info("rtlsdr", "gain: %.1f dB", best / 10.0);
    return 0;
}

static int configure(rtlsdr_dev_t *dev, const struct rtlsdr_opts *o, double rate_hz)
{
    if (rtlsdr_set_sample_rate(dev, (uint32_t)rate_hz) < 0) {
        log_err("rtlsdr", "cannot set sample rate %.0f Hz", rate_hz);
        return CAIRN_E_IO;
    }
    if (rtlsdr_set_center_freq(dev, RTLSDR_FREQ_HZ) < 0) {
        log_err("rtlsdr", "cannot tune to 1090 MHz");
        return CAIRN_E_IO;
    }
    if (o->ppm != 0 && rtlsdr_set_freq_correction(dev, o->ppm) < 0) {
        log_err("rtlsdr", "cannot set frequency correction %d ppm", o->ppm);
        return CAIRN_E_IO;
    }
    if (set_gain(dev, o->gain_db) < 0) {
        log_err("rtlsdr", "cannot set gain %.1f dB", o->gain_db);
        return CAIRN_E_IO;
    }
    if (rtlsdr_reset_buffer(dev) < 0) {
        log_err("rtlsdr", "cannot reset the USB buffer");
        return CAIRN_E_IO;
    }
    return 0;
}

/* The calling thread's loop: demodulate until stopped or the reader ends. */
static int consume(struct ring *r, struct modes_demod *d, uint8_t **spare,
                   int (*addr_known)(void *, uint32_t, double), iq_frame_cb cb, void *arg,
                   volatile int *stop)
{
    for (;;) {
        if (stop && *stop)
            return 0;
        pthread_mutex_lock(&r->mu);
        if (r->count == 0 && !r->ended) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += WAIT_MS * 1000000L;
            if (ts.tv_nsec >= 1000000000L) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&r->cv, &r->mu, &ts);
        }
        if (r->count > 0) {
            /* Swap the full slot with our spare buffer: no copy under lock. */
            uint8_t *full = r->slot[r->tail];
            uint32_t len = r->len[r->tail];
            r->slot[r->tail] = *spare;
            *spare = full;
            r->tail = (r->tail + 1) % RING_SLOTS;
            r->count--;
            pthread_mutex_unlock(&r->mu);
            modes_demod_feed(d, full, len, addr_known, cb, arg);
            continue;
        }
        int ended = r->ended;
        pthread_mutex_unlock(&r->mu);
        if (ended)
            return CAIRN_E_IO;
    }
}

int rtlsdr_run(const struct rtlsdr_opts *o, int (*addr_known)(void *, uint32_t, double),
               iq_frame_cb cb, void *arg, volatile int *stop)
{
    if (!o)
        return CAIRN_E_INVAL;
    double rate_hz = o->rate_hz > 0 ? o->rate_hz : 2.4e6;
    struct modes_demod *d = malloc(sizeof *d);
    if (!d)
        return CAIRN_E_NOMEM;
    int rc = modes_demod_init(d, rate_hz, MODES_DEMOD_UC8, 1);
    if (rc < 0) {
        log_err("rtlsdr", "unsupported sample rate %.0f Hz (2000000 or 2400000)", rate_hz);
        free(d);
        return rc;
    }
    int idx = find_device(o->device);
    if (idx < 0) {
        free(d);
        return idx;
    }
    rtlsdr_dev_t *dev = NULL;
    if (rtlsdr_open(&dev, (uint32_t)idx) < 0 || !dev) {
        log_err("rtlsdr", "cannot open device %d (%s): in use, or no permission", idx,
                rtlsdr_get_device_name((uint32_t)idx));
        free(d);
        return CAIRN_E_IO;
    }
    rc = configure(dev, o, rate_hz);
    struct ring r;
    memset(&r, 0, sizeof r);
    uint8_t *spare = NULL;
    int nslots = 0;
    if (rc == 0) {
        spare = malloc(USB_BUF_LEN);
        for (nslots = 0; nslots < RING_SLOTS; nslots++)
            if (!(r.slot[nslots] = malloc(USB_BUF_LEN)))
                break;
        if (!spare || nslots < RING_SLOTS)
            rc = CAIRN_E_NOMEM;
    }
    if (rc < 0) {
        rtlsdr_close(dev);
        for (int i = 0; i < nslots; i++)
            free(r.slot[i]);
        free(spare);
        free(d);
        return rc;
    }
    pthread_mutex_init(&r.mu, NULL);
    pthread_cond_init(&r.cv, NULL);

    struct reader rd = {.dev = dev, .ring = &r, .rc = 0};
    pthread_t th;
    if (pthread_create(&th, NULL, reader_main, &rd) != 0) {
        log_err("rtlsdr", "cannot start the reader thread");
        rc = CAIRN_E_NOMEM;
    } else {
        log_info("rtlsdr", "receiving at 1090 MHz, %.1f MS/s", rate_hz / 1e6);
        rc = consume(&r, d, &spare, addr_known, cb, arg, stop);
        if (rc < 0)
            log_err("rtlsdr", "the device stopped delivering samples (%d)", rd.rc);
        rtlsdr_cancel_async(dev);
        pthread_join(th, NULL);
    }
    rtlsdr_close(dev);
    log_info("rtlsdr", "%llu samples, %llu frames, %llu USB buffers dropped",
             (unsigned long long)d->st.samples, (unsigned long long)d->st.frames,
             (unsigned long long)r.dropped);
    pthread_cond_destroy(&r.cv);
    pthread_mutex_destroy(&r.mu);
    for (int i = 0; i < RING_SLOTS; i++)
        free(r.slot[i]);
    free(spare);
    free(d);
    return rc;
}
