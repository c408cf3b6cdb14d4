/*
 * fuzz_pcap_frame.c — libFuzzer target over the capture frame peeler
 * (feed/pcap.h pcap_udp_extract): Ethernet with VLAN tags and 802.3 + LLC
 * (with and without SNAP), Linux cooked v1/v2 (IP and LLC), raw IP and
 * loopback; a delivered payload is decoded as ASTERIX data blocks.
 *
 * Input: one octet choosing the link type, then the captured frame. A
 * delivered payload must lie inside the frame, an LLC one must carry its
 * flag and no ports, and exactly one counter moves per frame.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode/asterix/asterix.h"
#include "feed/pcap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int LINKTYPES[] = {
    1 /* EN10MB */, 113 /* SLL */, 276 /* SLL2 */, 12 /* RAW */, 101, 228, 229, 0 /* NULL */, 108};

static uint64_t counted(const struct pcap_feed_stats *s)
{
    return s->udp + s->llc + s->llc_other + s->not_ip + s->not_udp + s->fragments + s->malformed;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int lt = LINKTYPES[data[0] % (sizeof LINKTYPES / sizeof LINKTYPES[0])];
    /* a copy of exactly the frame's size, so a read past it is caught */
    size_t n = size - 1;
    uint8_t *frame = malloc(n ? n : 1);
    if (!frame)
        return 0;
    memcpy(frame, data + 1, n);
    struct pcap_feed_stats st;
    memset(&st, 0, sizeof st);
    struct pcap_udp u;
    memset(&u, 0, sizeof u);
    int rc = pcap_udp_extract(lt, frame, n, &u, &st);
    if (counted(&st) != 1)
        abort();
    if (rc == 1) {
        if (u.payload < frame || u.payload + u.len > frame + n)
            abort();
        if (u.llc && (u.sport || u.dport || st.llc != 1))
            abort();
        if (!u.llc && st.udp != 1)
            abort();
        struct ax_editions eds;
        ax_editions_init(&eds);
        size_t off = 0;
        struct ax_block b;
        struct ax_error e;
        struct ax_record r;
        int k;
        while ((k = ax_block_next(u.payload, u.len, &off, &b, &e, NULL)) == 1) {
            if (ax_block_open(&b, &eds, &e, NULL) < 0)
                continue;
            while (ax_block_record(&b, &r, &e, NULL) == 1)
                ;
        }
    } else if (rc != 0) {
        abort();
    }
    free(frame);
    return 0;
}
