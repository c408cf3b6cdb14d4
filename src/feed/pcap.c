/*
 * pcap.c — UDP payloads (and 802.2 LLC payloads) from pcap/pcapng files
 * through libpcap.
 *
 * Key idea: libpcap reads the file (both formats); this file only peels the
 * link, LLC, IP and UDP headers of each frame, bounds-checked against the
 * captured length. See pcap.h for the link types, IEEE 802.2 and the RFCs.
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "feed/pcap.h"

/* Link types by their numbers in the tcpdump.org registry, for those whose
 * DLT_ macro differs between systems or may be missing. */
#define LT_RAW_LINKTYPE 101 /* LINKTYPE_RAW as stored in files */
#define LT_IPV4         228
#define LT_IPV6         229
#define LT_SLL          113
#define LT_SLL2         276
#define LT_LOOP_OPENBSD 108

#define ETHERTYPE_IPV4 0x0800u
#define ETHERTYPE_IPV6 0x86ddu
#define ETHERTYPE_VLAN 0x8100u /* IEEE 802.1Q */
#define ETHERTYPE_QINQ 0x88a8u /* IEEE 802.1ad */
/* IEEE 802.3: a type/length field up to 1500 is a length, from 0x0600 on an
 * EtherType; values in between are neither. */
#define ETH_MAX_LEN     1500u
#define ETHERTYPE_MIN   0x0600u
#define SLL_PROTO_802_2 0x0004u /* Linux ETH_P_802_2: the frame starts at LLC */
#define LLC_HDR_LEN     3u      /* DSAP, SSAP, 1-octet (unnumbered) control */
#define LLC_UI          0x03u   /* unnumbered information, P/F bit clear */
#define LLC_SAP_SNAP    0xaau
#define SNAP_HDR_LEN    5u /* OUI (3) + EtherType (2), after the LLC header */
#define IPPROTO_UDP_NUM 17u
#define UDP_HDR_LEN     8u

struct feed_pcap {
    pcap_t *pc;
    int linktype;
    struct pcap_feed_stats stats;
    char err[PCAP_ERRBUF_SIZE];
};

static unsigned be16(const uint8_t *p)
{
    return ((unsigned)p[0] << 8) | p[1];
}

static int bump(uint64_t *counter)
{
    (*counter)++;
    return 0;
}

static int udp_from(const uint8_t *p, size_t len, struct pcap_udp *u, struct pcap_feed_stats *st)
{
    if (len < UDP_HDR_LEN)
        return bump(&st->malformed);
    u->sport = (uint16_t)be16(p);
    u->dport = (uint16_t)be16(p + 2);
    unsigned ulen = be16(p + 4);
    if (ulen < UDP_HDR_LEN)
        return bump(&st->malformed);
    size_t want = ulen - UDP_HDR_LEN;
    size_t have = len - UDP_HDR_LEN;
    u->payload = p + UDP_HDR_LEN;
    u->cut = have < want;
    u->len = have < want ? have : want;
    if (u->cut)
        st->cut++;
    st->udp++;
    return 1;
}

static int ipv4_from(const uint8_t *p, size_t len, struct pcap_udp *u, struct pcap_feed_stats *st)
{
    if (len < 20 || (p[0] >> 4) != 4)
        return bump(&st->malformed);
    size_t ihl = (size_t)(p[0] & 15u) * 4;
    size_t total = be16(p + 2);
    if (ihl < 20 || ihl > len || total < ihl)
        return bump(&st->malformed);
    /* Flags/fragment offset: MF set or an offset means a fragment. */
    unsigned frag = be16(p + 6);
    if (frag & 0x3fffu)
        return bump(&st->fragments);
    if (p[9] != IPPROTO_UDP_NUM)
        return bump(&st->not_udp);
    if (total < len)
        len = total; /* Ethernet padding after the IP datagram */
    u->ipv6 = 0;
    memset(u->src, 0, sizeof u->src);
    memset(u->dst, 0, sizeof u->dst);
    memcpy(u->src, p + 12, 4);
    memcpy(u->dst, p + 16, 4);
    return udp_from(p + ihl, len - ihl, u, st);
}

static int ipv6_from(const uint8_t *p, size_t len, struct pcap_udp *u, struct pcap_feed_stats *st)
{
    if (len < 40 || (p[0] >> 4) != 6)
        return bump(&st->malformed);
    size_t plen = be16(p + 4);
    unsigned next = p[6];
    memcpy(u->src, p + 8, 16);
    memcpy(u->dst, p + 24, 16);
    u->ipv6 = 1;
    size_t off = 40;
    if (40 + plen < len)
        len = 40 + plen;
    /* Extension headers: hop-by-hop (0), routing (43), destination (60) are
     * skipped by their length; fragment (44) is counted, not reassembled.
     * At most 8 of them: more is not a real packet. */
    for (int i = 0; i < 8; i++) {
        if (next == 0 || next == 43 || next == 60) {
            if (off + 8 > len)
                return bump(&st->malformed);
            next = p[off];
            off += ((size_t)p[off + 1] + 1) * 8;
            if (off > len)
                return bump(&st->malformed);
            continue;
        }
        if (next == 44)
            return bump(&st->fragments);
        break;
    }
    if (next != IPPROTO_UDP_NUM)
        return bump(&st->not_udp);
    return udp_from(p + off, len - off, u, st);
}

static int ip_by_ethertype(unsigned et, const uint8_t *p, size_t len, struct pcap_udp *u,
                           struct pcap_feed_stats *st)
{
    if (et == ETHERTYPE_IPV4)
        return ipv4_from(p, len, u, st);
    if (et == ETHERTYPE_IPV6)
        return ipv6_from(p, len, u, st);
    return bump(&st->not_ip);
}

/* SAPs of LLC users that are known not to be a surveillance feed: their
 * frames are counted, not delivered. */
static int llc_sap_foreign(unsigned sap)
{
    switch (sap & 0xfeu) { /* the low bit is I/G (DSAP) or C/R (SSAP) */
    case 0x42:             /* IEEE 802.1 bridge spanning tree */
    case 0xe0:             /* Novell IPX */
    case 0xf0:             /* NetBIOS */
    case 0xfe:             /* ISO network layer (CLNP, IS-IS, ES-IS) */
        return 1;
    default:
        return 0;
    }
}

/* An IEEE 802.2 LLC PDU: p[0..len) from the DSAP on, `wire` octets long on
 * the wire (the 802.3 length; SIZE_MAX when unknown, as in cooked captures). */
static int llc_from(const uint8_t *p, size_t len, size_t wire, const uint8_t *macs,
                    struct pcap_udp *u, struct pcap_feed_stats *st)
{
    int cut = 0;
    if (wire < len)
        len = wire; /* Ethernet padding after a short PDU */
    else if (wire != SIZE_MAX && wire > len)
        cut = 1;
    if (len < 2)
        return bump(&st->malformed);
    unsigned dsap = p[0], ssap = p[1];
    if (dsap == 0xff && ssap == 0xff)
        return bump(&st->llc_other); /* Novell "raw 802.3": IPX without LLC */
    if (len < LLC_HDR_LEN)
        return bump(&st->malformed);
    unsigned ctrl = p[2];
    if (dsap == LLC_SAP_SNAP && ssap == LLC_SAP_SNAP && ctrl == LLC_UI) {
        if (len < LLC_HDR_LEN + SNAP_HDR_LEN)
            return bump(&st->malformed);
        unsigned et = be16(p + 6);
        return ip_by_ethertype(et, p + 8, len - 8, u, st);
    }
    /* Only type 1 UI frames carry datagrams; the low two control bits 11
     * mark a 1-octet unnumbered control field, and the P/F bit (0x10) may be
     * set. I and S frames (type 2, 2-octet control), XID and TEST are not. */
    if ((ctrl & ~0x10u) != LLC_UI || llc_sap_foreign(dsap) || llc_sap_foreign(ssap))
        return bump(&st->llc_other);
    u->llc = 1;
    u->dsap = (uint8_t)dsap;
    u->ssap = (uint8_t)ssap;
    u->sport = u->dport = 0;
    u->ipv6 = 0;
    memset(u->src, 0, sizeof u->src);
    memset(u->dst, 0, sizeof u->dst);
    if (macs) {
        memcpy(u->dst, macs, 6);
        memcpy(u->src, macs + 6, 6);
    }
    u->payload = p + LLC_HDR_LEN;
    u->len = len - LLC_HDR_LEN;
    u->cut = cut;
    if (cut)
        st->cut++;
    st->llc++;
    return 1;
}

static int ip_by_version(const uint8_t *p, size_t len, struct pcap_udp *u,
                         struct pcap_feed_stats *st)
{
    if (len < 1)
        return bump(&st->malformed);
    if ((p[0] >> 4) == 4)
        return ipv4_from(p, len, u, st);
    if ((p[0] >> 4) == 6)
        return ipv6_from(p, len, u, st);
    return bump(&st->not_ip);
}

int pcap_udp_extract(int linktype, const uint8_t *frame, size_t caplen, struct pcap_udp *u,
                     struct pcap_feed_stats *stats)
{
    struct pcap_feed_stats dummy;
    struct pcap_feed_stats *st = stats ? stats : &dummy;
    const uint8_t *p = frame;
    size_t len = caplen;
    if (u)
        u->llc = 0;
    switch (linktype) {
    case DLT_EN10MB: {
        if (len < 14)
            return bump(&st->malformed);
        unsigned et = be16(p + 12);
        size_t off = 14;
        /* Up to two VLAN tags (802.1ad outer + 802.1Q inner). */
        for (int i = 0; i < 2 && (et == ETHERTYPE_VLAN || et == ETHERTYPE_QINQ); i++) {
            if (off + 4 > len)
                return bump(&st->malformed);
            et = be16(p + off + 2);
            off += 4;
        }
        if (et < ETHERTYPE_MIN) { /* IEEE 802.3 length, an LLC PDU follows */
            if (et > ETH_MAX_LEN)
                return bump(&st->malformed);
            return llc_from(p + off, len - off, et, p, u, st);
        }
        return ip_by_ethertype(et, p + off, len - off, u, st);
    }
    case LT_SLL: /* 16-byte header, protocol at offset 14 */
        if (len < 16)
            return bump(&st->malformed);
        if (be16(p + 14) == SLL_PROTO_802_2)
            return llc_from(p + 16, len - 16, SIZE_MAX, NULL, u, st);
        return ip_by_ethertype(be16(p + 14), p + 16, len - 16, u, st);
    case LT_SLL2: /* 20-byte header, protocol at offset 0 */
        if (len < 20)
            return bump(&st->malformed);
        if (be16(p) == SLL_PROTO_802_2)
            return llc_from(p + 20, len - 20, SIZE_MAX, NULL, u, st);
        return ip_by_ethertype(be16(p), p + 20, len - 20, u, st);
    case DLT_RAW:
    case LT_RAW_LINKTYPE:
    case LT_IPV4:
    case LT_IPV6:
        return ip_by_version(p, len, u, st);
    case DLT_NULL:
    case LT_LOOP_OPENBSD: /* 4-byte address family, any byte order: look at IP itself */
        if (len < 4)
            return bump(&st->malformed);
        return ip_by_version(p + 4, len - 4, u, st);
    default:
        return CAIRN_E_UNSUPPORTED;
    }
}

static int linktype_known(int lt)
{
    struct pcap_udp u;
    struct pcap_feed_stats st;
    memset(&st, 0, sizeof st);
    return pcap_udp_extract(lt, NULL, 0, &u, &st) != CAIRN_E_UNSUPPORTED;
}

int feed_pcap_open(struct feed_pcap **out, const char *path, char *errbuf, size_t errcap)
{
    struct feed_pcap *f = calloc(1, sizeof *f);
    if (!f) {
        snprintf(errbuf, errcap, "out of memory");
        return CAIRN_E_NOMEM;
    }
    f->pc = pcap_open_offline(path, f->err);
    if (!f->pc) {
        snprintf(errbuf, errcap, "%s", f->err);
        free(f);
        return CAIRN_E_IO;
    }
    f->linktype = pcap_datalink(f->pc);
    if (!linktype_known(f->linktype)) {
        const char *name = pcap_datalink_val_to_name(f->linktype);
        snprintf(errbuf, errcap,
                 "link type %d (%s) not supported (Ethernet, Linux cooked, raw IP, "
                 "loopback are)",
                 f->linktype, name ? name : "unknown");
        pcap_close(f->pc);
        free(f);
        return CAIRN_E_UNSUPPORTED;
    }
    *out = f;
    return 0;
}

int feed_pcap_next(struct feed_pcap *f, struct pcap_udp *u)
{
    for (;;) {
        struct pcap_pkthdr *h;
        const u_char *data;
        int rc = pcap_next_ex(f->pc, &h, &data);
        if (rc == PCAP_ERROR_BREAK)
            return 0;
        if (rc != 1) {
            snprintf(f->err, sizeof f->err, "%s", pcap_geterr(f->pc));
            return CAIRN_E_IO;
        }
        f->stats.frames++;
        int k = pcap_udp_extract(f->linktype, data, h->caplen, u, &f->stats);
        if (k == 1) {
            u->t_us = (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;
            return 1;
        }
    }
}

const struct pcap_feed_stats *feed_pcap_stats(const struct feed_pcap *f)
{
    return &f->stats;
}

const char *feed_pcap_error(const struct feed_pcap *f)
{
    return f->err;
}

int feed_pcap_linktype(const struct feed_pcap *f)
{
    return f->linktype;
}

void feed_pcap_close(struct feed_pcap *f)
{
    if (!f)
        return;
    pcap_close(f->pc);
    free(f);
}
