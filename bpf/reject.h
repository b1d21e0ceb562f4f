/* SPDX-License-Identifier: GPL-2.0 */
/* Answers built in the data path, so a client fails fast instead of retransmitting:
 * a TCP RST for a packet to a VIP without a flow (or a SYN to a service
 * without members), an ICMP port unreachable for a UDP datagram to a
 * service without members.  One per-CPU token bucket limits both, so
 * spoofed packets cannot make xlb a reflector. */
#ifndef XLB_BPF_REJECT_H
#define XLB_BPF_REJECT_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "consts.h"
#include "csum.h"
#include "parse.h"
#include "stats.h"

/* The hook (hook_xdp.h or hook_tc.h) is included first by the program. */

/* A token bucket of cfg_rst_rate tokens per second, burst one second. */
static __always_inline int answer_allowed(__u64 now)
{
	struct xlb_rst_bucket *b;
	__u32 zero = 0;
	__u64 elapsed, add;

	b = bpf_map_lookup_elem(&xlb_rst_rate, &zero);
	if (!b || cfg_rst_rate == 0)
		return 0;
	elapsed = now - b->last_ns;
	if (elapsed > XLB_NS_PER_SEC)
		elapsed = XLB_NS_PER_SEC;
	add = elapsed * cfg_rst_rate / XLB_NS_PER_SEC;
	if (add) {
		b->tokens += add;
		if (b->tokens > cfg_rst_rate)
			b->tokens = cfg_rst_rate;
		b->last_ns = now;
	}
	if (b->tokens == 0)
		return 0;
	b->tokens--;
	return 1;
}

static __always_inline __u64 csum_add_words(const __u16 *w, int n)
{
	__u64 sum = 0;

	for (int i = 0; i < n; i++)
		sum += w[i];
	return sum;
}

/* Turns the TCP segment into an answer from the VIP: a fresh header
 * without options, addresses and ports swapped, the given sequence numbers,
 * flags and window, followed by the page when there is one (the built-in
 * sorry responder); back where it came from.  Everything the new header
 * needs is read first, so the hook may resize the frame as suits it
 * (hook_answer_resize) and the answer is written from offset 0. */
static __always_inline int tcp_answer(xlb_ctx *ctx, struct xlb_pkt *p, __be32 seq, __be32 ack_seq,
				      __u8 flags, __be16 window, const struct xlb_sorry_page *page, int reason)
{
	__u32 l3_off = p->l3_off, new_len, plen = page ? XLB_SORRY_LEN : 0;
	__u8 family = p->family, src_mac[ETH_ALEN], dst_mac[ETH_ALEN], l2_rest[6];
	void *data, *data_end;
	struct tcphdr *tcp;
	struct ethhdr *eth;
	__u64 pseudo, sum;

	/* The Ethernet addresses, and the VLAN tag and type (l3_off is 14 or 18). */
	PKT_AT(eth, ctx, 0, sizeof(*eth) + 4, return XLB_VERDICT(XLB_DROP, XLB_R_DROP_INTERNAL));
	__builtin_memcpy(src_mac, eth->h_source, ETH_ALEN);
	__builtin_memcpy(dst_mac, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(l2_rest, (__u8 *)eth + 12, 6);

	new_len = l3_off + (family == XLB_FAMILY_IPV4 ? sizeof(struct iphdr) : sizeof(struct ipv6hdr)) +
		  sizeof(struct tcphdr) + plen;
	if (hook_answer_resize(ctx, p, new_len))
		return XLB_VERDICT(XLB_DROP, XLB_R_DROP_ADJUST);
	data = PKT_DATA(ctx);
	data_end = PKT_DATA_END(ctx);
	eth = data;
	if ((void *)eth + 18 > data_end)
		return XLB_VERDICT(XLB_DROP, XLB_R_DROP_ADJUST);
	__builtin_memcpy(eth->h_dest, src_mac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, dst_mac, ETH_ALEN);
	__builtin_memcpy((__u8 *)eth + 12, l2_rest, 6);

	l3_off &= 0x1f;
	if (family == XLB_FAMILY_IPV4) {
		struct iphdr *ip = data + l3_off;

		if ((void *)(ip + 1) + sizeof(*tcp) > data_end)
			return XLB_VERDICT(XLB_DROP, XLB_R_DROP_ADJUST);
		tcp = (void *)(ip + 1);
		*(__u8 *)ip = 0x45;
		ip->tos = 0;
		ip->tot_len = bpf_htons(sizeof(*ip) + sizeof(*tcp) + plen);
		ip->id = 0;
		ip->frag_off = bpf_htons(0x4000); /* DF */
		ip->ttl = 64;
		ip->protocol = IPPROTO_TCP;
		ip->saddr = p->key.dst.v4;
		ip->daddr = p->key.src.v4;
		ip->check = 0;
		ip->check = ~csum_fold(csum_add_words((__u16 *)ip, sizeof(*ip) / 2));
		pseudo = csum_add_words((__u16 *)&ip->saddr, 4);
	} else {
		struct ipv6hdr *ip6 = data + l3_off;

		if ((void *)(ip6 + 1) + sizeof(*tcp) > data_end)
			return XLB_VERDICT(XLB_DROP, XLB_R_DROP_ADJUST);
		tcp = (void *)(ip6 + 1);
		*(__be32 *)ip6 = bpf_htonl(6 << 28);
		ip6->payload_len = bpf_htons(sizeof(*tcp) + plen);
		ip6->nexthdr = IPPROTO_TCP;
		ip6->hop_limit = 64;
		__builtin_memcpy(&ip6->saddr, &p->key.dst, 16);
		__builtin_memcpy(&ip6->daddr, &p->key.src, 16);
		pseudo = csum_add_words((__u16 *)&ip6->saddr, 16);
	}

	tcp->source = p->key.dport;
	tcp->dest = p->key.sport;
	tcp->seq = seq;
	tcp->ack_seq = ack_seq;
	((__u8 *)tcp)[12] = 5 << 4;
	((__u8 *)tcp)[13] = flags;
	tcp->window = window;
	tcp->urg_ptr = 0;
	tcp->check = 0;
	pseudo += bpf_htons(IPPROTO_TCP) + bpf_htons(sizeof(*tcp) + plen);
	sum = csum_add_words((__u16 *)tcp, sizeof(*tcp) / 2);
	if (page) {
		__u8 *payload = (__u8 *)(tcp + 1);

		if (payload + XLB_SORRY_LEN > (__u8 *)data_end)
			return XLB_VERDICT(XLB_DROP, XLB_R_DROP_ADJUST);
		__builtin_memcpy(payload, page->text, XLB_SORRY_LEN);
		sum += page->csum;
	}
	if (hook_l4_csum_set(ctx, (void *)&tcp->check - data, pseudo, sum))
		return XLB_VERDICT(XLB_DROP, XLB_R_DROP_INTERNAL);
	return XLB_VERDICT(hook_bounce(ctx, p), reason);
}

/* Turns the packet into the RST answering it (RFC 9293 3.10.7.1): header
 * only, addresses and ports swapped, back out the interface it came in. */
static __always_inline int rst_reply(xlb_ctx *ctx, struct xlb_pkt *p, __u64 now, int reason)
{
	__u32 seq, ack_seq, seg_len, hlen = p->l3_hlen;
	__u8 flags = p->tcp_flags, family = p->family;
	struct tcphdr *tcp;

	if (p->key.proto != IPPROTO_TCP || (flags & XLB_TCP_RST))
		return XLB_VERDICT(XLB_DROP, XLB_R_DROP_NO_FLOW);
	/* Options would be reflected as they are: do not answer those. */
	if (family == XLB_FAMILY_IPV4 && hlen != sizeof(struct iphdr))
		return XLB_VERDICT(XLB_DROP, XLB_R_DROP_NO_FLOW);
	if (!answer_allowed(now))
		return XLB_VERDICT(XLB_DROP, XLB_R_DROP_ANSWER_RATELIMIT);

	PKT_AT(tcp, ctx, p->l4_off, sizeof(*tcp), return XLB_VERDICT(XLB_DROP, XLB_R_DROP_INTERNAL));
	seg_len = p->l4_len - tcp->doff * 4;
	if (flags & XLB_TCP_ACK) {
		seq = tcp->ack_seq;
		ack_seq = 0;
		flags = XLB_TCP_RST;
	} else {
		seq = 0;
		ack_seq = bpf_htonl(bpf_ntohl(tcp->seq) + seg_len + !!(flags & XLB_TCP_SYN) +
				    !!(flags & XLB_TCP_FIN));
		flags = XLB_TCP_RST | XLB_TCP_ACK;
	}
	return tcp_answer(ctx, p, seq, ack_seq, flags, 0, NULL, reason);
}

/* ICMPv6 destination unreachable / port unreachable, ICMP type 3 code 3. */
#define XLB_ICMP_PORT_UNREACH   3
#define XLB_ICMPV6_PORT_UNREACH 4

/* Bytes of the datagram an ICMP port unreachable quotes: its IP header
 * (without options) and the UDP header. */
#define XLB_QUOTE4 (sizeof(struct iphdr) + sizeof(struct udphdr))
#define XLB_QUOTE6 (sizeof(struct ipv6hdr) + sizeof(struct udphdr))

/* Turns a UDP datagram into the ICMP port unreachable answering it: room
 * for a new IP and ICMP header is made in front (the datagram's own headers
 * stay where they are and become the quote), the rest is cut, and the
 * answer goes back where the datagram came from. */
static __always_inline int icmp_unreach_reply(xlb_ctx *ctx, struct xlb_pkt *p, __u64 now, int reason)
{
	__u32 l3_off = p->l3_off & 0x1f, family = p->family, grow, new_len, i;
	__u8 *data, *end, *icmp, mac[ETH_ALEN];
	__u64 sum = 0;

	if (family == XLB_FAMILY_IPV4 && p->l3_hlen != sizeof(struct iphdr))
		return XLB_VERDICT(XLB_DROP, XLB_R_DROP_NO_MEMBER);
	if (!answer_allowed(now))
		return XLB_VERDICT(XLB_DROP, XLB_R_DROP_ANSWER_RATELIMIT);
	grow = family == XLB_FAMILY_IPV4 ? sizeof(struct iphdr) + XLB_ICMP_HLEN
					 : sizeof(struct ipv6hdr) + XLB_ICMP_HLEN;
	new_len = l3_off + grow + (family == XLB_FAMILY_IPV4 ? XLB_QUOTE4 : XLB_QUOTE6);
	if (hook_grow_head(ctx, p, grow, new_len))
		return XLB_VERDICT(XLB_DROP, XLB_R_DROP_ADJUST);
	data = PKT_DATA(ctx);
	end = PKT_DATA_END(ctx);
	/* The Ethernet header (and tag) moves to the front, addresses swapped. */
	if (data + grow + 18 > end)
		return XLB_VERDICT(XLB_DROP, XLB_R_DROP_ADJUST);
	for (i = 0; i < 18; i++)
		if (i < l3_off)
			data[i] = data[grow + i];
	__builtin_memcpy(mac, data, ETH_ALEN);
	__builtin_memcpy(data, data + ETH_ALEN, ETH_ALEN);
	__builtin_memcpy(data + ETH_ALEN, mac, ETH_ALEN);

	if (family == XLB_FAMILY_IPV4) {
		struct iphdr *ip, *quoted;

		PKT_AT(ip, ctx, l3_off, sizeof(*ip) + XLB_ICMP_HLEN + XLB_QUOTE4,
		       return XLB_VERDICT(XLB_DROP, XLB_R_DROP_ADJUST));
		icmp = (__u8 *)(ip + 1);
		quoted = (void *)(icmp + XLB_ICMP_HLEN);
		__builtin_memset(ip, 0, sizeof(*ip) + XLB_ICMP_HLEN);
		ip->version = 4;
		ip->ihl = 5;
		ip->tot_len = bpf_htons(sizeof(*ip) + XLB_ICMP_HLEN + XLB_QUOTE4);
		ip->ttl = 64;
		ip->protocol = IPPROTO_ICMP;
		ip->saddr = quoted->daddr;
		ip->daddr = quoted->saddr;
		ip->check = ~csum_fold(csum_add_words((__u16 *)ip, sizeof(*ip) / 2));
		icmp[0] = XLB_ICMP_DEST_UNREACH;
		icmp[1] = XLB_ICMP_PORT_UNREACH;
		sum = csum_add_words((__u16 *)icmp, (XLB_ICMP_HLEN + XLB_QUOTE4) / 2);
	} else {
		struct ipv6hdr *ip6, *quoted;

		PKT_AT(ip6, ctx, l3_off, sizeof(*ip6) + XLB_ICMP_HLEN + XLB_QUOTE6,
		       return XLB_VERDICT(XLB_DROP, XLB_R_DROP_ADJUST));
		icmp = (__u8 *)(ip6 + 1);
		quoted = (void *)(icmp + XLB_ICMP_HLEN);
		__builtin_memset(ip6, 0, sizeof(*ip6) + XLB_ICMP_HLEN);
		*(__be32 *)ip6 = bpf_htonl(6 << 28);
		ip6->payload_len = bpf_htons(XLB_ICMP_HLEN + XLB_QUOTE6);
		ip6->nexthdr = IPPROTO_ICMPV6;
		ip6->hop_limit = 64;
		ip6->saddr = quoted->daddr;
		ip6->daddr = quoted->saddr;
		icmp[0] = ICMPV6_DEST_UNREACH;
		icmp[1] = XLB_ICMPV6_PORT_UNREACH;
		sum = csum_add_words((__u16 *)&ip6->saddr, 16);
		sum += bpf_htons(IPPROTO_ICMPV6) + bpf_htons(XLB_ICMP_HLEN + XLB_QUOTE6);
		sum += csum_add_words((__u16 *)icmp, (XLB_ICMP_HLEN + XLB_QUOTE6) / 2);
	}
	*(__u16 *)(icmp + 2) = ~csum_fold(sum);
	return XLB_VERDICT(hook_bounce(ctx, p), reason);
}

#endif
