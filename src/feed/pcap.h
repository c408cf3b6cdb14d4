/*
 * pcap.h — UDP payloads (and LLC payloads) out of pcap and pcapng capture
 * files, read through libpcap (which knows both formats; cairn parses no file
 * format itself).
 *
 * Key idea: a capture of ASTERIX (or any UDP feed) is frames of some link
 * type carrying IPv4 or IPv6 carrying UDP; the decoder wants only the UDP
 * payloads. pcap_udp_extract() peels the layers of one captured frame — a
 * pure function, tested without files — and struct feed_pcap loops it over a
 * file, counting what it had to skip and why.
 *
 * Link types (tcpdump.org link-layer header types): DLT_EN10MB Ethernet
 * (with 802.1Q/802.1ad VLAN tags), DLT_LINUX_SLL and DLT_LINUX_SLL2 (Linux
 * "cooked" capture), DLT_RAW / LINKTYPE_IPV4 / LINKTYPE_IPV6 (bare IP),
 * DLT_NULL / DLT_LOOP (BSD loopback). Network layers: IPv4 (RFC 791; later
 * fragments skipped and counted, no reassembly), IPv6 (RFC 8200; hop-by-hop,
 * routing and destination options headers skipped; fragments counted), UDP
 * (RFC 768; the payload ends at the UDP length or the captured bytes,
 * whichever is shorter, and a cut payload is flagged).
 *
 * IEEE 802.3 frames with an LLC header (IEEE 802.2): an Ethernet type/length
 * field below 0x0600 is a length (at most 1500; 1501..1535 is no valid value
 * and counted malformed), followed by DSAP, SSAP and a control field. Older
 * radar LANs carry ASTERIX directly in LLC type 1 unnumbered-information
 * (UI, control 0x03) frames, without IP or UDP: the LLC payload (after the
 * 3-octet header, ending at the 802.3 length, so Ethernet padding is not
 * taken) is delivered as the datagram with `llc` set. SNAP (DSAP = SSAP =
 * 0xAA) carries an EtherType and goes on to IP as usual. Frames of other LLC
 * users — spanning tree (SAP 0x42), OSI (0xFE), IPX (0xE0), NetBIOS (0xF0),
 * Novell raw 802.3 (0xFF) — and LLC frames other than UI (XID, TEST, type 2
 * I/S frames) carry no datagram and are counted in `llc_other`. Linux cooked
 * captures whose protocol is ETH_P_802_2 (0x0004) start at the LLC header
 * and are read the same way.
 *
 * Ownership: feed_pcap_open() allocates a struct feed_pcap that
 * feed_pcap_close() frees (NULL accepted). The payload pointers of struct
 * pcap_udp borrow libpcap's buffer, valid until the next feed_pcap_next().
 */
#ifndef CAIRN_FEED_PCAP_H
#define CAIRN_FEED_PCAP_H

#include <stddef.h>
#include <stdint.h>

/* One UDP datagram (or LLC payload) found in a captured frame. */
struct pcap_udp {
    const uint8_t *payload; /* borrowed */
    size_t len;             /* payload bytes present in the capture */
    int cut;                /* 1 if the capture holds fewer bytes than UDP (or 802.3) says */
    uint16_t sport, dport;  /* 0 for an LLC payload */
    int ipv6;               /* 0: IPv4 addresses in src[0..3], dst[0..3] */
    int llc;                /* 1: an 802.2 LLC UI payload, no IP/UDP: src/dst hold the
                               MAC addresses in [0..5] (zero for a cooked capture) */
    uint8_t dsap, ssap;     /* LLC service access points when llc is 1 */
    uint8_t src[16], dst[16];
    uint64_t t_us; /* capture time, microseconds since the epoch */
};

/* Why a frame yielded no UDP payload. */
struct pcap_feed_stats {
    uint64_t frames;    /* frames read */
    uint64_t udp;       /* UDP payloads delivered */
    uint64_t not_ip;    /* link payload is not IPv4/IPv6 (ARP, LLDP, ...) */
    uint64_t not_udp;   /* IP but not UDP (TCP, ICMP, ...) */
    uint64_t fragments; /* IP fragments (not reassembled) */
    uint64_t malformed; /* headers cut short or inconsistent */
    uint64_t cut;       /* UDP/LLC payloads shorter in the capture than on the wire */
    uint64_t llc;       /* LLC UI payloads delivered (802.3 frames without IP) */
    uint64_t llc_other; /* LLC frames of other protocols (STP, OSI, IPX ...) or not UI */
};

/*
 * Extract the UDP payload (or LLC UI payload, u->llc = 1) of one frame of
 * link type `linktype` (a DLT_* value as pcap_datalink() returns it).
 * Returns 1 with *u filled (t_us left as is), 0 when the frame carries no
 * datagram (stats say why; stats may be NULL), CAIRN_E_UNSUPPORTED for an
 * unknown link type. Never reads past frame[caplen).
 */
int pcap_udp_extract(int linktype, const uint8_t *frame, size_t caplen, struct pcap_udp *u,
                     struct pcap_feed_stats *stats);

struct feed_pcap;

/*
 * Open a pcap or pcapng file ("-" = standard input). 0 and *out set, or
 * CAIRN_E_IO / CAIRN_E_UNSUPPORTED (link type) with a message in
 * errbuf[0..errcap).
 */
int feed_pcap_open(struct feed_pcap **out, const char *path, char *errbuf, size_t errcap);

/* The next UDP datagram or LLC payload: 1 with *u filled, 0 at the end of the file, or
 * CAIRN_E_IO (a read error; the message from feed_pcap_error()). */
int feed_pcap_next(struct feed_pcap *f, struct pcap_udp *u);

/* The counters so far (borrowed, valid until close). */
const struct pcap_feed_stats *feed_pcap_stats(const struct feed_pcap *f);
/* libpcap's last error text (borrowed). */
const char *feed_pcap_error(const struct feed_pcap *f);
/* The file's link type (DLT_*). */
int feed_pcap_linktype(const struct feed_pcap *f);

void feed_pcap_close(struct feed_pcap *f);

#endif
