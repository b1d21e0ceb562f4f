/* SPDX-License-Identifier: GPL-2.0 */
/* Full NAT: the rewrite of addresses, ports and TTL with incremental
 * checksums, and the allocation of the source port toward a member. */
#ifndef XLB_BPF_NAT_H
#define XLB_BPF_NAT_H

#include "xlb/flow_hash.h"
#include "csum.h"
#include "flow.h"
#include "parse.h"

/* The hook (hook_xdp.h or hook_tc.h) is included first by the program. */

/* Writes src/dst into an IPv4 or IPv6 header and adds the checksum
 * difference of the change to *acc.  The bounds are checked again here: the
 * verifier does not carry the parser's checks through p->family. */
static __always_inline int nat_set_addrs(void *l3, void *end, __u8 family, const union xlb_ip *src,
					 const union xlb_ip *dst, __u64 *acc)
{
	if (family == XLB_FAMILY_IPV4) {
		struct iphdr *ip = l3;

		if ((void *)(ip + 1) > end)
			return -1;
		*acc += csum_diff32(ip->saddr, src->v4) + csum_diff32(ip->daddr, dst->v4);
		ip->saddr = src->v4;
		ip->daddr = dst->v4;
	} else {
		struct ipv6hdr *ip6 = l3;

		if ((void *)(ip6 + 1) > end)
			return -1;
		*acc += csum_diff_addr(ip6->saddr.in6_u.u6_addr32, src->v6, 4) +
			csum_diff_addr(ip6->daddr.in6_u.u6_addr32, dst->v6, 4);
		__builtin_memcpy(&ip6->saddr, src, 16);
		__builtin_memcpy(&ip6->daddr, dst, 16);
	}
	return 0;
}

/* Rewrites the outer IP header to src -> dst and decrements the TTL or hop
 * limit (fixing the IPv4 header checksum); adds the address change to *acc
 * for the checksums that cover the pseudo-header, and to *uncovered the
 * change no checksum compensates: the IPv6 hop limit (hook_csum_uncovered). */
static __always_inline int nat_outer(void *l3, void *end, __u8 family, const union xlb_ip *src,
				     const union xlb_ip *dst, __u64 *acc, __u64 *uncovered)
{
	__u64 addr_acc = 0;
	__u16 *word, old;

	if (nat_set_addrs(l3, end, family, src, dst, &addr_acc))
		return -1;
	*acc += addr_acc;
	if (family == XLB_FAMILY_IPV4) {
		struct iphdr *ip = l3;

		if ((void *)(ip + 1) > end)
			return -1;
		/* The TTL shares a 16-bit word with the protocol. */
		word = (__u16 *)&ip->ttl;
		old = *word;
		ip->ttl--;
		ip->check = csum_apply(ip->check, addr_acc + csum_diff16(old, *word));
	} else {
		struct ipv6hdr *ip6 = l3;

		if ((void *)(ip6 + 1) > end)
			return -1;
		/* The hop limit shares a 16-bit word with the next header. */
		word = (__u16 *)&ip6->nexthdr;
		old = *word;
		ip6->hop_limit--;
		*uncovered += csum_diff16(old, *word);
	}
	return 0;
}

/* Rewrites a TCP/UDP packet to the flow's tuple and decrements its TTL. */
static __always_inline int nat_rewrite(xlb_ctx *ctx, struct xlb_pkt *p, const struct xlb_flow *f)
{
	__u64 addr_acc = 0, port_acc, uncovered = 0;
	__u32 *ports, new_ports;
	void *l3;

	PKT_AT(l3, ctx, p->l3_off, sizeof(struct iphdr), return -1);
	if (nat_outer(l3, PKT_DATA_END(ctx), p->family, &f->nat_src, &f->nat_dst, &addr_acc, &uncovered))
		return -1;
	/* Source and destination port: one 32-bit word at the start of both. */
	PKT_AT(ports, ctx, p->l4_off, sizeof(struct udphdr), return -1);
	new_ports = (__u32)f->nat_sport | ((__u32)f->nat_dport << 16);
	port_acc = csum_diff32(*ports, new_ports);
	*ports = new_ports;
	if (hook_l4_csum_update(ctx, p, addr_acc, port_acc))
		return -1;
	if (uncovered)
		hook_csum_uncovered(ctx, uncovered);
	return 0;
}

/* The backend's cursor (see xlb_nat_port in abi.h). */
static __always_inline __u32 nat_cursor(const struct xlb_flow *fwd, __u8 proto)
{
	__u32 h = 0;

	for (int i = 0; i < 4; i++) {
		h = xlb_hash_mix(h, fwd->nat_src.v6[i]);
		h = xlb_hash_mix(h, fwd->nat_dst.v6[i]);
	}
	h = xlb_hash_mix(h, (__u32)fwd->nat_dport << 8 | proto);
	return h % XLB_MAX_MEMBERS;
}

/* Chooses the source port toward the member so that (snat, port, member,
 * member port, protocol) is unique: the reply entry keyed by exactly that
 * tuple is inserted with BPF_NOEXIST, which settles races between CPUs.
 * Ports come from a per-CPU, per-member cursor; a taken port whose entry
 * is orphaned is reclaimed.  On success fwd->nat_sport is set and rev is in the table. */
static __always_inline int nat_alloc_port(struct xlb_flow *fwd, const struct xlb_flow *rev, __u8 proto,
					  __u64 now)
{
	__u32 range = cfg_nat_ports, cursor = nat_cursor(fwd, proto);
	__u32 base = bpf_get_smp_processor_id() * cfg_nat_cpu_stride;
	struct xlb_nat_port_state *cur;
	struct xlb_flow_key rk;

	cur = bpf_map_lookup_elem(&xlb_nat_port, &cursor);
	if (!cur)
		return -1;
	flow_peer_key(fwd, proto, &rk);
	for (int i = 0; i < XLB_NAT_TRIES; i++) {
		struct xlb_flow *old;
		__u32 idx = (base + cur->next++) % range;
		__u16 port = cfg_nat_port_min + idx + (idx >= cfg_nat_hole_start ? cfg_nat_hole_len : 0);

		rk.dport = bpf_htons(port);
		if (bpf_map_update_elem(&xlb_flows, &rk, rev, BPF_NOEXIST) == 0)
			goto done;
		old = bpf_map_lookup_elem(&xlb_flows, &rk);
		if (old && flow_reply_orphaned(old, &rk, now)) {
			bpf_map_delete_elem(&xlb_flows, &rk);
			if (bpf_map_update_elem(&xlb_flows, &rk, rev, BPF_NOEXIST) == 0)
				goto done;
		}
	}
	return -1;
done:
	fwd->nat_sport = rk.dport;
	return 0;
}

#endif
