/*
 * pcap.h — UDP payloads out of pcap and pcapng capture files, read through
 * libpcap (which knows both formats; cairn parses no file format itself).
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
 * Ownership: feed_pcap_open() allocates a struct feed_pcap that
 * feed_pcap_close() frees (NULL accepted). The payload pointers of struct
 * pcap_udp borrow libpcap's buffer, valid until the next feed_pcap_next().
 */
#ifndef CAIRN_FEED_PCAP_H
#define CAIRN_FEED_PCAP_H

#include <stddef.h>
#include <stdint.h>

/* One UDP datagram found in a captured frame. */
struct pcap_udp {
    const uint8_t *payload; /* borrowed */
    size_t len;             /* payload bytes present in the capture */
    int cut;                /* 1 if the capture holds fewer bytes than UDP says */
    uint16_t sport, dport;
    int ipv6; /* 0: IPv4 addresses in src[0..3], dst[0..3] */
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
    uint64_t cut;       /* UDP payloads shorter in the capture than on the wire */
};

/*
 * Extract the UDP payload of one frame of link type `linktype` (a DLT_*
 * value as pcap_datalink() returns it). Returns 1 with *u filled (t_us left
 * as is), 0 when the frame carries no UDP (stats say why; stats may be
 * NULL), CAIRN_E_UNSUPPORTED for an unknown link type. Never reads past
 * frame[caplen).
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

/* The next UDP datagram: 1 with *u filled, 0 at the end of the file, or
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
