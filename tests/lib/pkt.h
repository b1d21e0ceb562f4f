/* SPDX-License-Identifier: MIT */
/* Packet builder for the data-plane tests, and an independent checksum
 * verifier: every checksum recomputed in full from the bytes, sharing no
 * code with the incremental updates in bpf/csum.h. */
#ifndef XLB_TEST_PKT_H
#define XLB_TEST_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PKT_MAX 2048

struct pkt_desc {
	uint8_t smac[6], dmac[6];
	uint16_t vlan;        /* 0: untagged; else the 802.1Q TCI */
	int family;           /* 4 or 6 */
	uint8_t src[16], dst[16];
	uint8_t ttl;          /* 0 means 64 */
	const uint8_t *ip_opts; /* IPv4 options, a multiple of 4 bytes */
	size_t ip_opts_len;
	uint16_t ip_id;
	uint16_t frag;        /* IPv4 flags + fragment offset, host order */
	uint8_t proto;        /* IPPROTO_TCP, _UDP, _ICMP, _ICMPV6 */
	uint16_t sport, dport;
	uint8_t tcp_flags;
	uint32_t seq, ack;
	const uint8_t *tcp_opts; /* TCP options, a multiple of 4 bytes */
	size_t tcp_opts_len;
	bool zero_window;     /* TCP window 0 (else 65535) */
	bool udp_no_csum;     /* IPv4 UDP with checksum 0 */
	uint8_t icmp_type, icmp_code;
	uint32_t icmp_rest;   /* the ICMP header's last 4 bytes (e.g. the MTU) */
	const uint8_t *payload; /* after the L4 header; for ICMP the quoted packet */
	size_t payload_len;
};

#define TCPF_FIN 0x01
#define TCPF_SYN 0x02
#define TCPF_RST 0x04
#define TCPF_PSH 0x08
#define TCPF_ACK 0x10

/* Builds the frame with every checksum computed; returns its length. */
size_t pkt_build(const struct pkt_desc *d, uint8_t *buf, size_t cap);
/* Parses a textual IPv4/IPv6 address into 16 bytes (IPv4 in the first 4);
 * aborts on a typo, since that is a bug in the test. */
void pkt_addr(const char *text, uint8_t out[16]);
void pkt_mac(const char *text, uint8_t out[6]);

/* Recomputes every checksum of an Ethernet frame in full (IPv4 header,
 * TCP/UDP/ICMP/ICMPv6, an ICMP error's quoted IPv4 header).  Returns true
 * when all are valid; otherwise *why names the first bad one. */
bool pkt_csums_ok(const uint8_t *frame, size_t len, const char **why);

/* The 5-tuple of a frame, for invariant checks: false if not TCP/UDP/IP. */
struct pkt_tuple {
	int family;
	uint8_t src[16], dst[16];
	uint16_t sport, dport; /* host order */
	uint8_t proto;
	uint8_t tcp_flags;
};
bool pkt_tuple(const uint8_t *frame, size_t len, struct pkt_tuple *t);

#endif
