/* SPDX-License-Identifier: GPL-2.0 */
/* ICMP errors about a balanced flow, translated both ways so that path MTU
 * discovery and unreachable reports work through the NAT.  The quoted
 * packet is one xlb sent; its reverse tuple is the key of the entry that
 * translates packets of the error's direction, and the same formula serves
 * both directions:
 *   outer  src -> dst  becomes  f.nat_src -> f.nat_dst
 *   quoted src -> dst  becomes  f.nat_dst:f.nat_dport -> f.nat_src:f.nat_sport */
#ifndef XLB_BPF_ICMP_H
#define XLB_BPF_ICMP_H

#include "csum.h"
#include "dnat.h"
#include "flow.h"
#include "forward.h"
#include "nat.h"
#include "parse.h"
#include "stats.h"

/* The hook (hook_xdp.h or hook_tc.h) is included first by the program. */

static __always_inline int icmp_is_error(const struct xlb_pkt *p, __u8 type)
{
	if (p->family == XLB_FAMILY_IPV4)
		return type == XLB_ICMP_DEST_UNREACH || type == XLB_ICMP_TIME_EXCEEDED;
	return type == ICMPV6_DEST_UNREACH || type == ICMPV6_PKT_TOOBIG || type == ICMPV6_TIME_EXCEED;
}

/* An error about a packet a dnat member sent toward a client (the key is
 * its reply tuple, which has no entry): the reply rewrite from
 * xlb_dnat_rev, in the scratch entry. */
static __always_inline struct xlb_flow *icmp_dnat_reply(const struct xlb_flow_key *k)
{
	struct xlb_dnat_rev *rev = dnat_rev_lookup(&k->src, k->sport, k->proto, k->family);
	struct xlb_new_flow *nf;
	__u32 zero = 0;

	if (!rev)
		return NULL;
	nf = bpf_map_lookup_elem(&xlb_new_flow, &zero);
	if (!nf)
		return NULL;
	dnat_reply_entry(rev, &k->dst, k->dport, &nf->rev);
	return &nf->rev;
}

static __always_inline int icmp_translate(xlb_ctx *ctx, struct xlb_pkt *p)
{
	void *end, *l3;
	__u32 inner_off = p->l4_off + XLB_ICMP_HLEN;
	__u8 *icmp, *inner;
	__u64 addr_acc, port_acc, icmp_acc, outer_acc, uncovered = 0;
	union xlb_ip quoted_src;
	struct xlb_flow_key k;
	struct xlb_flow *f;
	__u16 *check, old, ihlen;
	__u32 *ports, new_ports;
	__u8 *l4;
	__u64 now;

	PKT_AT(icmp, ctx, p->l4_off, XLB_ICMP_HLEN, return XLB_VERDICT(XLB_PASS, XLB_R_PASS_ICMP));
	if (!icmp_is_error(p, icmp[0]))
		return XLB_VERDICT(XLB_PASS, XLB_R_PASS_ICMP);
	PKT_AT(inner, ctx, inner_off, sizeof(struct iphdr),
	       return XLB_VERDICT(XLB_PASS, XLB_R_PASS_ICMP_NO_FLOW));
	end = PKT_DATA_END(ctx);

	__builtin_memset(&k, 0, sizeof(k));
	__builtin_memset(&quoted_src, 0, sizeof(quoted_src));
	if (p->family == XLB_FAMILY_IPV4) {
		struct iphdr *iip = (void *)inner;

		if ((void *)(iip + 1) > end || iip->version != 4 || iip->ihl < 5 ||
		    (iip->frag_off & bpf_htons(XLB_IP_OFFSET)))
			return XLB_VERDICT(XLB_PASS, XLB_R_PASS_ICMP_NO_FLOW);
		ihlen = iip->ihl * 4;
		k.proto = iip->protocol;
		k.src.v4 = iip->daddr;
		k.dst.v4 = iip->saddr;
		quoted_src.v4 = iip->saddr;
	} else {
		struct ipv6hdr *iip6 = (void *)inner;

		if ((void *)(iip6 + 1) > end || iip6->version != 6)
			return XLB_VERDICT(XLB_PASS, XLB_R_PASS_ICMP_NO_FLOW);
		ihlen = sizeof(*iip6);
		k.proto = iip6->nexthdr;
		__builtin_memcpy(&k.src, &iip6->daddr, 16);
		__builtin_memcpy(&k.dst, &iip6->saddr, 16);
		__builtin_memcpy(&quoted_src, &iip6->saddr, 16);
	}
	if (k.proto != IPPROTO_TCP && k.proto != IPPROTO_UDP)
		return XLB_VERDICT(XLB_PASS, XLB_R_PASS_ICMP_NO_FLOW);
	/* At least the 8 bytes every ICMP error quotes: ports (and the UDP
	 * checksum). */
	PKT_AT(l4, ctx, inner_off + ihlen, 8, return XLB_VERDICT(XLB_PASS, XLB_R_PASS_ICMP_NO_FLOW));
	ports = (__u32 *)l4;
	k.sport = ((__be16 *)l4)[1];
	k.dport = ((__be16 *)l4)[0];
	k.family = p->family;
	/* The quoted packet must be one this host sent to the error's sender. */
	if (!addr_eq(&quoted_src, &p->key.dst))
		return XLB_VERDICT(XLB_PASS, XLB_R_PASS_ICMP_NO_FLOW);
	f = bpf_map_lookup_elem(&xlb_flows, &k);
	if (!f)
		f = bpf_map_lookup_elem(&xlb_halfopen, &k);
	if (!f)
		f = icmp_dnat_reply(&k);
	if (!f)
		return XLB_VERDICT(XLB_PASS, XLB_R_PASS_ICMP_NO_FLOW);
	if (p->ttl <= 1)
		return XLB_VERDICT(XLB_PASS, XLB_R_PASS_TTL_EXPIRED);
	now = bpf_ktime_get_coarse_ns();
	if (fwd_refresh(ctx, k.proto, f, now))
		return XLB_VERDICT(XLB_DROP, XLB_R_DROP_FIB);

	/* The quoted packet. */
	addr_acc = 0;
	if (nat_set_addrs(inner, end, p->family, &f->nat_dst, &f->nat_src, &addr_acc))
		return XLB_VERDICT(XLB_DROP, XLB_R_DROP_INTERNAL);
	if ((void *)(ports + 1) > end)
		return XLB_VERDICT(XLB_DROP, XLB_R_DROP_INTERNAL);
	new_ports = (__u32)f->nat_dport | ((__u32)f->nat_sport << 16);
	port_acc = csum_diff32(*ports, new_ports);
	*ports = new_ports;
	icmp_acc = addr_acc + port_acc;
	if (p->family == XLB_FAMILY_IPV4) {
		struct iphdr *iip = (void *)inner;

		if ((void *)(iip + 1) > end)
			return XLB_VERDICT(XLB_DROP, XLB_R_DROP_INTERNAL);
		old = iip->check;
		iip->check = csum_apply(old, addr_acc);
		icmp_acc += csum_diff16(old, iip->check);
	}
	check = NULL;
	if (k.proto == IPPROTO_UDP)
		check = (__u16 *)(l4 + 6);
	else if (l4 + 18 <= (__u8 *)end)
		check = (__u16 *)(l4 + 16);
	if (check) {
		PKT_AT(check, ctx, inner_off + ihlen + (k.proto == IPPROTO_UDP ? 6 : 16), 2,
		       return XLB_VERDICT(XLB_DROP, XLB_R_DROP_INTERNAL));
		old = *check;
		*check = k.proto == IPPROTO_UDP ? csum_apply_udp(old, addr_acc + port_acc)
						: csum_apply(old, addr_acc + port_acc);
		icmp_acc += csum_diff16(old, *check);
	}

	/* The outer header, then the ICMP checksum (ICMPv6 covers the outer
	 * addresses through its pseudo-header). */
	outer_acc = 0;
	PKT_AT(l3, ctx, p->l3_off, sizeof(struct iphdr), return XLB_VERDICT(XLB_DROP, XLB_R_DROP_INTERNAL));
	if (nat_outer(l3, end, p->family, &f->nat_src, &f->nat_dst, &outer_acc, &uncovered))
		return XLB_VERDICT(XLB_DROP, XLB_R_DROP_INTERNAL);
	PKT_AT(check, ctx, p->l4_off + 2, 2, return XLB_VERDICT(XLB_DROP, XLB_R_DROP_INTERNAL));
	if (p->family == XLB_FAMILY_IPV4)
		*check = csum_apply(*check, icmp_acc);
	else
		*check = csum_apply(*check, icmp_acc + outer_acc);
	if (uncovered)
		hook_csum_uncovered(ctx, uncovered);
	stats_traffic(f, p->len, 0);
	return XLB_VERDICT(fwd_transmit(ctx, p, f),
			   f->dir == XLB_DIR_FORWARD ? XLB_R_TX_ICMP_FORWARD : XLB_R_TX_ICMP_REPLY);
}

#endif
