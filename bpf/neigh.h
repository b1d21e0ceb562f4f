/* SPDX-License-Identifier: GPL-2.0 */
/* Answers on the link for served VIPs (global: announce: {l2: true}): an
 * ARP request (RFC 826) or an IPv6 neighbour solicitation (RFC 4861) for a
 * VIP in xlb_l2_vips, arriving untagged on an interface in xlb_l2_ifaces,
 * becomes its reply in place and goes back out of that interface with the
 * interface's MAC.  Everything else passes to the kernel untouched and is
 * counted under pass_arp or pass_nd: requests for other addresses,
 * replies, another host announcing a VIP (its sender address is the one
 * it asks for), frames with a VLAN tag, frames for another host's MAC,
 * what this host sends (tc egress).  The daemon keeps xlb_l2_vips to the
 * VIPs it announces (daemon/announce.c), so a VIP whose service has no
 * serving member is not answered.  Included by datapath.h after the hook. */
#ifndef XLB_BPF_NEIGH_H
#define XLB_BPF_NEIGH_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "csum.h"
#include "map_defs.h"
#include "parse.h"
#include "reject.h"
#include "stats.h"

/* ARP for IPv4 over Ethernet; the protocol addresses as bytes (they sit
 * at offsets 14 and 24 of the header, not aligned). */
struct xlb_arp {
	__be16 htype;
	__be16 ptype;
	__u8 hlen;
	__u8 plen;
	__be16 op;
	__u8 sha[ETH_ALEN];
	__u8 spa[4];
	__u8 tha[ETH_ALEN];
	__u8 tpa[4];
};

#define XLB_ARP_HRD_ETHER  1
#define XLB_ARP_OP_REQUEST 1
#define XLB_ARP_OP_REPLY   2

/* Neighbour discovery: a solicitation or an advertisement is the ICMPv6
 * header, 4 bytes (flags), the target address, then options of 8-byte
 * units: type, length in units, data. */
#define XLB_ND_NS           135
#define XLB_ND_NA           136
#define XLB_ND_HLEN         24
#define XLB_ND_OPT_SLLA     1 /* source link-layer address */
#define XLB_ND_OPT_TLLA     2 /* target link-layer address */
#define XLB_ND_NA_SOLICITED 0x40000000
#define XLB_ND_NA_OVERRIDE  0x20000000
/* A node accepts neighbour discovery only with this hop limit: proof that
 * the packet was sent on the link (RFC 4861 7.1). */
#define XLB_ND_HOP_LIMIT    255
/* Options of a solicitation looked at for the sender's address (a DAD
 * solicitation carries a nonce, RFC 7527). */
#define XLB_ND_OPTS_MAX     3
/* The advertisement: Ethernet, IPv6, the ND header, one TLLA option. */
#define XLB_NA_LEN (XLB_ND_HLEN + 8)
#define XLB_NA_FRAME_LEN (ETH_HLEN + sizeof(struct ipv6hdr) + XLB_NA_LEN)

#define NEIGH_PASS(reason) XLB_VERDICT(XLB_PASS, XLB_R_##reason)

/* The interface the frame came in on, when xlb answers there. */
static __always_inline const struct xlb_l2_iface *neigh_iface(xlb_ctx *ctx)
{
	__u32 ifindex = hook_ifindex(ctx);

	return bpf_map_lookup_elem(&xlb_l2_ifaces, &ifindex);
}

static __always_inline int neigh_served(const union xlb_ip *addr, __u8 family)
{
	struct xlb_l2_key k;

	__builtin_memset(&k, 0, sizeof(k));
	k.addr = *addr;
	k.family = family;
	return bpf_map_lookup_elem(&xlb_l2_vips, &k) != NULL;
}

/* A frame the kernel would take as well: broadcast, multicast, or to the
 * interface's own MAC (not one a promiscuous interface saw for another). */
static __always_inline int neigh_for_us(const __u8 *dst, const __u8 *mac)
{
	return (dst[0] & 1) || !((dst[0] ^ mac[0]) | (dst[1] ^ mac[1]) | (dst[2] ^ mac[2]) |
				 (dst[3] ^ mac[3]) | (dst[4] ^ mac[4]) | (dst[5] ^ mac[5]));
}

/* A frame parse_packet found no IP in (pass_not_ip).  An ARP request for a
 * served VIP becomes the reply: to the asker, from the interface's MAC.
 * A probe (sender address 0.0.0.0, RFC 5227) is answered the same way, as
 * Linux answers for its own addresses: the VIP is in use here. */
static __always_inline int neigh_arp(xlb_ctx *ctx, const struct xlb_pkt *p, int egress)
{
	const struct xlb_l2_iface *ifc;
	union xlb_ip tpa = {};
	__u8 sha[ETH_ALEN];
	struct xlb_arp *arp;
	struct ethhdr *eth;
	__be16 *type;
	__be32 spa;

	/* The type after the tag, if there is one (l3_off is 14 or 18). */
	PKT_AT(type, ctx, p->l3_off - 2, sizeof(*type), return NEIGH_PASS(PASS_NOT_IP));
	if (*type != bpf_htons(ETH_P_ARP))
		return NEIGH_PASS(PASS_NOT_IP);
	if (egress || p->l3_off != ETH_HLEN)
		return NEIGH_PASS(PASS_ARP);
	PKT_AT(arp, ctx, ETH_HLEN, sizeof(*arp), return NEIGH_PASS(PASS_MALFORMED));
	if (arp->htype != bpf_htons(XLB_ARP_HRD_ETHER) || arp->ptype != bpf_htons(ETH_P_IP) ||
	    arp->hlen != ETH_ALEN || arp->plen != 4 || arp->op != bpf_htons(XLB_ARP_OP_REQUEST))
		return NEIGH_PASS(PASS_ARP);
	__builtin_memcpy(&spa, arp->spa, 4);
	__builtin_memcpy(&tpa.v4, arp->tpa, 4);
	/* spa == tpa: a host announcing the address, not asking for it. */
	if (spa == tpa.v4 || !neigh_served(&tpa, XLB_FAMILY_IPV4))
		return NEIGH_PASS(PASS_ARP);
	ifc = neigh_iface(ctx);
	if (!ifc)
		return NEIGH_PASS(PASS_ARP);
	PKT_AT(eth, ctx, 0, ETH_HLEN + sizeof(*arp), return NEIGH_PASS(PASS_MALFORMED));
	arp = (void *)(eth + 1);
	if (!neigh_for_us(eth->h_dest, ifc->mac))
		return NEIGH_PASS(PASS_ARP);

	__builtin_memcpy(sha, arp->sha, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, sha, ETH_ALEN);
	__builtin_memcpy(eth->h_source, ifc->mac, ETH_ALEN);
	arp->op = bpf_htons(XLB_ARP_OP_REPLY);
	__builtin_memcpy(arp->tha, sha, ETH_ALEN);
	__builtin_memcpy(arp->tpa, &spa, 4);
	__builtin_memcpy(arp->sha, ifc->mac, ETH_ALEN);
	__builtin_memcpy(arp->spa, &tpa.v4, 4);
	return XLB_VERDICT(hook_bounce(ctx, p), XLB_R_TX_ARP_REPLY);
}

/* An ICMPv6 packet (parse_packet's ICMP case): a neighbour solicitation? */
static __always_inline int neigh_is_solicit(xlb_ctx *ctx, const struct xlb_pkt *p)
{
	__u8 *type;

	if (p->key.proto != IPPROTO_ICMPV6)
		return 0;
	PKT_AT(type, ctx, p->l4_off, 1, return 0);
	return *type == XLB_ND_NS;
}

/* dst is the solicited-node multicast address of target, ff02::1:ffXX:XXXX. */
static __always_inline int neigh_solicited_node(const union xlb_ip *dst, const union xlb_ip *target)
{
	return dst->v6[0] == bpf_htonl(0xff020000) && dst->v6[1] == 0 && dst->v6[2] == bpf_htonl(1) &&
	       dst->v6[3] == (bpf_htonl(0xff000000) | (target->v6[3] & bpf_htonl(0x00ffffff)));
}

/* A neighbour solicitation for a served VIP becomes the advertisement
 * (RFC 4861 7.2.4): from the VIP, the interface's MAC in a target
 * link-layer option, Override set.  To the asker (Solicited set), at the
 * MAC of its source link-layer option, else of its frame; a solicitation
 * from the unspecified address (duplicate address detection) is answered
 * to all nodes, ff02::1, so the address is seen in use.  The frame is
 * written anew from offset 0 at its fixed size. */
static __always_inline int neigh_ns(xlb_ctx *ctx, struct xlb_pkt *p)
{
	union xlb_ip target, dst;
	const struct xlb_l2_iface *ifc;
	__u8 dmac[ETH_ALEN], mac[ETH_ALEN], *nd, *opt;
	struct ipv6hdr *ip6;
	struct ethhdr *eth;
	__u32 off, end;
	int dad, slla = 0;
	__u64 sum;

	if (p->egress || p->l3_off != ETH_HLEN || p->ttl != XLB_ND_HOP_LIMIT)
		return NEIGH_PASS(PASS_ND);
	if (p->l4_len < XLB_ND_HLEN)
		return NEIGH_PASS(PASS_MALFORMED);
	PKT_AT(nd, ctx, p->l4_off, XLB_ND_HLEN, return NEIGH_PASS(PASS_MALFORMED));
	if (nd[1] != 0)
		return NEIGH_PASS(PASS_ND);
	__builtin_memcpy(&target, nd + 8, 16);
	if (!neigh_served(&target, XLB_FAMILY_IPV6))
		return NEIGH_PASS(PASS_ND);
	ifc = neigh_iface(ctx);
	if (!ifc)
		return NEIGH_PASS(PASS_ND);
	__builtin_memcpy(mac, ifc->mac, ETH_ALEN);
	PKT_AT(eth, ctx, 0, sizeof(*eth), return NEIGH_PASS(PASS_MALFORMED));
	if (!neigh_for_us(eth->h_dest, mac))
		return NEIGH_PASS(PASS_ND);
	__builtin_memcpy(dmac, eth->h_source, ETH_ALEN);

	/* Every option must have a length (7.1.1); the sender's link-layer
	 * address is where the answer goes. */
	off = p->l4_off + XLB_ND_HLEN;
	end = p->l4_off + p->l4_len;
	for (int i = 0; i < XLB_ND_OPTS_MAX; i++) {
		if (off >= end)
			break;
		PKT_AT(opt, ctx, off, 8, return NEIGH_PASS(PASS_MALFORMED));
		if (opt[1] == 0 || off + opt[1] * 8U > end)
			return NEIGH_PASS(PASS_MALFORMED);
		if (opt[0] == XLB_ND_OPT_SLLA && opt[1] == 1) {
			__builtin_memcpy(dmac, opt + 2, ETH_ALEN);
			slla = 1;
		}
		off += opt[1] * 8U;
	}

	dad = !(p->key.src.v6[0] | p->key.src.v6[1] | p->key.src.v6[2] | p->key.src.v6[3]);
	if (dad) {
		/* Valid only to the target's solicited-node address, without
		 * a source link-layer option (7.1.1). */
		if (slla || !neigh_solicited_node(&p->key.dst, &target))
			return NEIGH_PASS(PASS_ND);
		__builtin_memset(&dst, 0, sizeof(dst));
		dst.v6[0] = bpf_htonl(0xff020000);
		dst.v6[3] = bpf_htonl(1);
		dmac[0] = 0x33;
		dmac[1] = 0x33;
		dmac[2] = 0;
		dmac[3] = 0;
		dmac[4] = 0;
		dmac[5] = 1;
	} else {
		dst = p->key.src;
	}

	if (p->len != XLB_NA_FRAME_LEN && hook_answer_resize(ctx, p, XLB_NA_FRAME_LEN))
		return XLB_VERDICT(XLB_DROP, XLB_R_DROP_ADJUST);
	PKT_AT(eth, ctx, 0, XLB_NA_FRAME_LEN, return XLB_VERDICT(XLB_DROP, XLB_R_DROP_ADJUST));
	__builtin_memcpy(eth->h_dest, dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, mac, ETH_ALEN);
	eth->h_proto = bpf_htons(ETH_P_IPV6);
	ip6 = (void *)(eth + 1);
	*(__be32 *)ip6 = bpf_htonl(6 << 28);
	ip6->payload_len = bpf_htons(XLB_NA_LEN);
	ip6->nexthdr = IPPROTO_ICMPV6;
	ip6->hop_limit = XLB_ND_HOP_LIMIT;
	__builtin_memcpy(&ip6->saddr, &target, 16);
	__builtin_memcpy(&ip6->daddr, &dst, 16);
	nd = (void *)(ip6 + 1);
	nd[0] = XLB_ND_NA;
	nd[1] = 0;
	*(__u16 *)(nd + 2) = 0;
	*(__be32 *)(nd + 4) = bpf_htonl((dad ? 0 : XLB_ND_NA_SOLICITED) | XLB_ND_NA_OVERRIDE);
	__builtin_memcpy(nd + 8, &target, 16);
	nd[24] = XLB_ND_OPT_TLLA;
	nd[25] = 1;
	__builtin_memcpy(nd + 26, mac, ETH_ALEN);
	sum = csum_add_words((__u16 *)&ip6->saddr, 16);
	sum += bpf_htons(IPPROTO_ICMPV6) + bpf_htons(XLB_NA_LEN);
	sum += csum_add_words((__u16 *)nd, XLB_NA_LEN / 2);
	*(__u16 *)(nd + 2) = ~csum_fold(sum);
	return XLB_VERDICT(hook_bounce(ctx, p), XLB_R_TX_ND_ADVERT);
}

#endif
