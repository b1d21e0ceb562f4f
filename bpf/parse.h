/* SPDX-License-Identifier: GPL-2.0 */
/* Header parsing with a bounds-checked cursor: untagged Ethernet, IPv4
 * (options allowed), IPv6 without extension headers, then TCP, UDP or
 * ICMP/ICMPv6.  The parser only reads.  A VLAN-tagged frame (802.1Q,
 * 802.1ad) passes untouched: xlb balances a VLAN where it runs on that
 * VLAN's own interface, and never sends a tagged frame into another
 * segment. */
#ifndef XLB_BPF_PARSE_H
#define XLB_BPF_PARSE_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/icmpv6.h>
#include <bpf/bpf_endian.h>

#include "xlb/abi.h"

/* linux/icmp.h pulls in libc's socket headers: the few ICMP constants. */
#define XLB_ICMP_DEST_UNREACH  3
#define XLB_ICMP_TIME_EXCEEDED 11
#define XLB_ICMP_HLEN          8 /* type, code, checksum, 4 bytes rest */

#define XLB_IP_MF     0x2000
#define XLB_IP_OFFSET 0x1fff

#define XLB_TCP_FIN 0x01
#define XLB_TCP_SYN 0x02
#define XLB_TCP_RST 0x04
#define XLB_TCP_PSH 0x08
#define XLB_TCP_ACK 0x10

/* What the rest of the program knows about a packet.  Headers are kept as
 * offsets, not pointers: every user re-derives its pointer with pkt_at(),
 * whose bounds check the verifier sees right where the access is (it does
 * not carry the parser's checks through a stored family or across a helper
 * that may move the packet). */
struct xlb_pkt {
	__u32 len;         /* frame length, for byte counters */
	__u16 l3_off;      /* 14: after the Ethernet header */
	__u16 l4_off;
	__u16 l4_len;      /* bytes from l4 to the end of the IP payload */
	__u8 family;       /* enum xlb_family */
	__u8 ttl;          /* TTL or hop limit */
	__u8 tcp_flags;
	__u8 l3_hlen;      /* IP header length incl. options */
	__u8 egress;       /* seen by tc egress: sent by this host */
	__u8 _pad;
	struct xlb_flow_key key;
};

/* Headers xlb reads lie in the first XLB_HDR_OFF_MAX bytes of a frame. */
#define XLB_HDR_OFF_MAX 255

/* The packet bounds, loaded straight from the context: the verifier
 * accepts a context field only at the context pointer plus a constant, and
 * left to itself the compiler may keep &ctx->data_end (an __sk_buff's is at
 * offset 80) in a register and load through that. */
#define PKT_CTX_LOAD(ctx, field)                                                          \
	({                                                                                  \
		__u64 pcl_v_;                                                               \
		asm volatile("%0 = *(u32 *)(%1 + %2)"                                       \
			     : "=r"(pcl_v_)                                                   \
			     : "r"(ctx), "i"(__builtin_offsetof(typeof(*(ctx)), field)));     \
		(void *)(long)pcl_v_;                                                       \
	})
#define PKT_DATA(ctx)     PKT_CTX_LOAD(ctx, data)
#define PKT_DATA_END(ctx) PKT_CTX_LOAD(ctx, data_end)

/* Points ptr at size bytes at offset off of the frame, or runs fail (a
 * return).  A macro, not a function returning NULL: the compiler would
 * merge the NULL into a select and the verifier lose the bounds. */
#define PKT_AT(ptr, ctx, off, size, fail)                                 \
	do {                                                              \
		void *pa_data_ = PKT_DATA(ctx), *pa_end_ = PKT_DATA_END(ctx); \
		__u32 pa_off_ = (off);                                    \
		if (pa_off_ > XLB_HDR_OFF_MAX)                            \
			fail;                                             \
		/* Hide the check from the compiler so the mask stays, on \
		 * the very register the verifier then adds. */          \
		asm volatile("" : "+r"(pa_off_));                         \
		ptr = pa_data_ + (pa_off_ & XLB_HDR_OFF_MAX);             \
		if ((void *)(ptr) + (size) > pa_end_)                     \
			fail;                                             \
	} while (0)

/* A 16-bit length field in host order, with a range the verifier knows:
 * before Linux 6.2 the verifier does not track values through a byte swap,
 * and the mask would otherwise be optimized away. */
static __always_inline __u32 be16_len(__be16 v)
{
	__u32 x = bpf_ntohs(v);

	asm volatile("" : "+r"(x));
	return x & 0xffff;
}

/* IPv6 extension headers: such packets pass untouched (docs/design.md). */
static __always_inline int ipv6_is_exthdr(__u8 nh)
{
	switch (nh) {
	case IPPROTO_HOPOPTS:
	case IPPROTO_ROUTING:
	case IPPROTO_FRAGMENT:
	case IPPROTO_DSTOPTS:
	case IPPROTO_AH:
	case IPPROTO_ESP:
	case IPPROTO_MH:
		return 1;
	}
	return 0;
}

/* parse_packet's result when p describes a TCP, UDP or ICMP packet over
 * IPv4/IPv6 whose headers are all inside the frame; otherwise it returns the
 * reason (enum xlb_reason) to let the packet pass.  Headers are read
 * between data and data_end; the IP lengths are checked against frame_len,
 * the whole packet (an skb's payload may lie beyond data_end). */
#define XLB_PARSE_OK XLB_R_MAX

static __always_inline int parse_packet(void *data, void *data_end, __u32 frame_len, struct xlb_pkt *p)
{
	struct ethhdr *eth = data;
	__u16 off = sizeof(*eth);
	__u32 l4_len;
	__be16 proto;
	__u8 l4proto;
	void *l4;

	if ((void *)(eth + 1) > data_end)
		return XLB_R_PASS_MALFORMED;
	proto = eth->h_proto;
	if (proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD))
		return XLB_R_PASS_VLAN;

	__builtin_memset(&p->key, 0, sizeof(p->key));
	p->l3_off = off;
	p->len = frame_len;
	p->egress = 0;
	p->tcp_flags = 0;

	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = data + off;
		__u32 hlen, tot;

		if ((void *)(ip + 1) > data_end)
			return XLB_R_PASS_MALFORMED;
		hlen = ip->ihl * 4;
		tot = be16_len(ip->tot_len);
		if (ip->version != 4 || hlen < sizeof(*ip) || tot < hlen || off + tot > frame_len)
			return XLB_R_PASS_MALFORMED;
		if (ip->frag_off & bpf_htons(XLB_IP_MF | XLB_IP_OFFSET))
			return XLB_R_PASS_FRAGMENT;
		l4proto = ip->protocol;
		l4 = (void *)ip + hlen;
		l4_len = tot - hlen;
		p->family = XLB_FAMILY_IPV4;
		p->ttl = ip->ttl;
		p->l3_hlen = hlen;
		p->key.src.v4 = ip->saddr;
		p->key.dst.v4 = ip->daddr;
		if (l4proto == IPPROTO_ICMP)
			goto icmp;
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = data + off;

		if ((void *)(ip6 + 1) > data_end)
			return XLB_R_PASS_MALFORMED;
		l4_len = be16_len(ip6->payload_len);
		if (ip6->version != 6 || off + sizeof(*ip6) + l4_len > frame_len)
			return XLB_R_PASS_MALFORMED;
		l4proto = ip6->nexthdr;
		if (ipv6_is_exthdr(l4proto))
			return XLB_R_PASS_IPV6_EXTHDR;
		l4 = ip6 + 1;
		p->family = XLB_FAMILY_IPV6;
		p->ttl = ip6->hop_limit;
		p->l3_hlen = sizeof(*ip6);
		__builtin_memcpy(&p->key.src, &ip6->saddr, 16);
		__builtin_memcpy(&p->key.dst, &ip6->daddr, 16);
		if (l4proto == IPPROTO_ICMPV6)
			goto icmp;
	} else {
		return XLB_R_PASS_NOT_IP;
	}

	p->key.family = p->family;
	p->key.proto = l4proto;
	p->l4_off = l4 - data;
	p->l4_len = l4_len;
	if (l4proto == IPPROTO_TCP) {
		struct tcphdr *tcp = l4;

		if ((void *)(tcp + 1) > data_end || tcp->doff < 5 || l4_len < tcp->doff * 4U)
			return XLB_R_PASS_MALFORMED;
		p->tcp_flags = ((__u8 *)tcp)[13];
		p->key.sport = tcp->source;
		p->key.dport = tcp->dest;
		return XLB_PARSE_OK;
	}
	if (l4proto == IPPROTO_UDP) {
		struct udphdr *udp = l4;

		if ((void *)(udp + 1) > data_end || l4_len < sizeof(*udp) ||
		    bpf_ntohs(udp->len) != l4_len)
			return XLB_R_PASS_MALFORMED;
		p->key.sport = udp->source;
		p->key.dport = udp->dest;
		return XLB_PARSE_OK;
	}
	return XLB_R_PASS_OTHER_PROTO;

icmp:
	p->key.family = p->family;
	p->key.proto = l4proto;
	p->l4_off = l4 - data;
	p->l4_len = l4_len;
	if (l4 + XLB_ICMP_HLEN > data_end || l4_len < XLB_ICMP_HLEN)
		return XLB_R_PASS_MALFORMED;
	return XLB_PARSE_OK;
}

#endif
