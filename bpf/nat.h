/* SPDX-License-Identifier: GPL-2.0 */
/* Full NAT: the rewrite of addresses, ports and TTL with incremental
 * checksums, and the allocation of the source port toward a member. */
#ifndef XLB_BPF_NAT_H
#define XLB_BPF_NAT_H

#include "xlb/flow_hash.h"
#include "csum.h"
#include "flow.h"
#include "nat_held.h"
#include "parse.h"
#include "stats.h"

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
static __always_inline __u32 nat_cursor(const struct xlb_member *m, __u8 proto)
{
	__u32 h = 0;

	for (int i = 0; i < 4; i++) {
		h = xlb_hash_mix(h, m->snat.v6[i]);
		h = xlb_hash_mix(h, m->addr.v6[i]);
	}
	h = xlb_hash_mix(h, (__u32)m->port << 8 | proto);
	return h % XLB_MAX_MEMBERS;
}

/* Whether the reply tuple rk, held in xlb_flows by old, may be handed out
 * again: its connection is over (orphaned, and closed long enough). */
static __always_inline int nat_port_reusable(const struct xlb_flow *old, const struct xlb_flow_key *rk, __u64 now)
{
	return old->dir != XLB_DIR_REPLY || (!flow_guarded(old, now) && flow_reply_orphaned(old, rk, now, 0));
}

/* The source address of index ai of member m's snat pool. */
static __always_inline int nat_pool_addr(const struct xlb_member *m, __u32 ai, union xlb_ip *addr)
{
	struct xlb_snat_set *set;
	__u32 zero = 0, i;

	if (ai == 0) {
		*addr = m->snat;
		return 0;
	}
	set = bpf_map_lookup_elem(&xlb_snat, &zero);
	if (!set)
		return -1;
	i = (m->snat_first + ai) & (XLB_MAX_SNAT_ADDRS - 1);
	*addr = set->addr[i].addr;
	return 0;
}

/* Chooses the source address and port toward the member so that (snat,
 * port, member, member port, protocol) is unique: that tuple is the reply
 * entry's key.  Ports come from a per-CPU, per-backend cursor over the
 * member's pool (snat_n addresses x cfg_nat_ports).  A tuple is free when
 * xlb_flows holds no live connection on it (a closed or orphaned entry
 * there is deleted; xlb_nat_held says when there is none to look for) and
 * the reply entry goes into xlb_halfopen with
 * BPF_NOEXIST, which settles races between CPUs; a half-open entry whose
 * connection is gone, stale or promoted is taken over.  On success
 * fwd->nat_src and nat_sport are set and rev is in xlb_halfopen. */
static __always_inline int nat_alloc_port(struct xlb_flow *fwd, const struct xlb_flow *rev, __u8 proto,
					  const struct xlb_member *m, __u64 now)
{
	__u32 n = m->snat_n > 1 ? m->snat_n : 1, space = n * cfg_nat_ports, cursor = nat_cursor(m, proto);
	__u32 base = bpf_get_smp_processor_id() * cfg_nat_cpu_stride * n;
	struct xlb_nat_port_state *cur;
	struct xlb_flow_key rk;
	int reused = 0;

	cur = bpf_map_lookup_elem(&xlb_nat_port, &cursor);
	if (!cur || space == 0)
		return -1;
	flow_peer_key(fwd, proto, &rk);
	for (int i = 0; i < XLB_NAT_TRIES; i++) {
		__u32 idx = (base + cur->next++) % space, ai = idx / cfg_nat_ports, pi = idx - ai * cfg_nat_ports;
		struct xlb_flow *old;

		if (nat_pool_addr(m, ai, &rk.dst))
			return -1;
		rk.dport = bpf_htons(cfg_nat_port_min + pi + (pi >= cfg_nat_hole_start ? cfg_nat_hole_len : 0));
		old = nat_held_maybe(&rk) ? bpf_map_lookup_elem(&xlb_flows, &rk) : NULL;
		reused = old != NULL;
		if (old) {
			if (!nat_port_reusable(old, &rk, now))
				continue;
			if (old->dir == XLB_DIR_REPLY)
				nat_held_delete(&rk);
			else
				bpf_map_delete_elem(&xlb_flows, &rk);
		}
		if (bpf_map_update_elem(&xlb_halfopen, &rk, rev, BPF_NOEXIST) == 0)
			goto done;
		old = bpf_map_lookup_elem(&xlb_halfopen, &rk);
		reused = 1;
		if (old && (old->dir != XLB_DIR_REPLY || flow_reply_orphaned(old, &rk, now, 1)) &&
		    bpf_map_update_elem(&xlb_halfopen, &rk, rev, BPF_ANY) == 0)
			goto done;
	}
	return -1;
done:
	if (reused)
		stats_event(XLB_EV_NAT_PORT_REUSED);
	fwd->nat_src = rk.dst;
	fwd->nat_sport = rk.dport;
	return 0;
}

#endif
