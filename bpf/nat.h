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

/* The backend's index into xlb_nat_port and xlb_nat_block (abi.h). */
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

#define XLB_TCPOPT_EOL	      0
#define XLB_TCPOPT_NOP	      1
#define XLB_TCPOPT_TIMESTAMP  8
#define XLB_TCPOLEN_TIMESTAMP 10

/* Reads the sequence number, data length and TSval of the TCP segment at
 * l4_off (l4_len bytes) into s; returns s->ts.  A global function: the
 * verifier checks it once, where inlined its walk of the options would be
 * checked again on every path of nat_alloc_port's tries, past the limit. */
__attribute__((noinline)) int XLB_HOOK_GLOBAL(xlb_nat_seg_read)(xlb_ctx *ctx, __u32 l4_off, __u32 l4_len, struct nat_seg *s)
{
	__u32 off = l4_off + sizeof(struct tcphdr), end;
	struct tcphdr *th;
	__u8 *o;

	if (!s)
		return -1;
	s->ts = -1;
	PKT_AT(th, ctx, l4_off, sizeof(*th), return -1);
	s->seq = bpf_ntohl(th->seq);
	end = (((__u8 *)th)[12] >> 4) * 4;
	s->data = l4_len - end;
	end += l4_off;
	s->ts = 0;
	/* One path through each turn (a NOP is an option of length 1), so
	 * that the verifier walks the loop once, not each way through it. */
	for (int i = 0; i < 40 && off + 1 < end; i++) {
		__u32 len;

		PKT_AT(o, ctx, off, 2, return 0);
		len = o[0] == XLB_TCPOPT_NOP ? 1 : o[1];
		/* A length of 1 is malformed: stepped over like a NOP. */
		if (o[0] == XLB_TCPOPT_EOL || len == 0)
			return 0;
		if (o[0] == XLB_TCPOPT_TIMESTAMP) {
			if (o[1] != XLB_TCPOLEN_TIMESTAMP || off + XLB_TCPOLEN_TIMESTAMP > end)
				return 0;
			PKT_AT(o, ctx, off, XLB_TCPOLEN_TIMESTAMP, return 0);
			s->tsval = (__u32)o[2] << 24 | (__u32)o[3] << 16 | (__u32)o[4] << 8 | o[5];
			s->ts = 1;
			return 1;
		}
		off += len;
	}
	return 0;
}

static __always_inline void nat_seg_read(xlb_ctx *ctx, const struct xlb_pkt *p, struct nat_seg *s)
{
	XLB_HOOK_GLOBAL(xlb_nat_seg_read)(ctx, p->l4_off, p->l4_len, s);
}

/* The client's FIN (p) passed a forward entry and closed reply entry peer
 * as well: peer keeps what the member's TIME_WAIT will hold if the member
 * closed first (the sequence number after the FIN, the FIN's TSval), for
 * nat_tw_accepts.  A retransmitted FIN writes it again, as the member's
 * TIME_WAIT takes its newer TSval. */
static __always_inline void nat_note_client_fin(xlb_ctx *ctx, const struct xlb_pkt *p, struct xlb_flow *peer)
{
	struct nat_seg s;

	if (!peer || peer->dir != XLB_DIR_REPLY || !(p->tcp_flags & XLB_TCP_FIN))
		return;
	nat_seg_read(ctx, p, &s);
	if (s.ts < 0)
		return;
	peer->tw_rcv_nxt = s.seq + s.data + 1;
	peer->tw_ts_recent = s.tsval;
	peer->tw = s.ts ? XLB_TW_TS : XLB_TW_SEQ;
}

/* Whether a member in TIME_WAIT on old's tuple takes SYN s as a new
 * connection: with timestamps on both connections, a TSval newer than the
 * last it saw (RFC 6191); else a sequence number beyond the old
 * connection's (RFC 1122 4.2.2.13).  Linux accepts either
 * (tcp_timewait_state_process), as the BSDs do; requiring the one that
 * applies satisfies all of them. */
static __always_inline int nat_tw_accepts(const struct xlb_flow *old, const struct nat_seg *s)
{
	if (old->tw == XLB_TW_TS && s->ts == 1)
		return (__s32)(s->tsval - old->tw_ts_recent) > 0;
	return old->tw != XLB_TW_NONE && (__s32)(s->seq - old->tw_rcv_nxt) > 0;
}

/* Whether a closed connection's guard may end early for the SYN of s: the
 * member closed first, so it holds TIME_WAIT on the tuple (60 s on Linux)
 * and takes the SYN anyway (nat_tw_accepts).  With timestamps on both
 * connections that is at once, as the member's own TIME_WAIT does (RFC
 * 6191): the new connection starts above every TSval the old one sent, so
 * the member's PAWS drops the old one's late segments.  Else only after
 * tcp_time_wait since the last ACK, as after a client-first close, for
 * late segments.  XLB_NAT_NEED_SYN: that depends on the SYN's fields, not
 * read yet. */
static __always_inline int nat_guard_ends(const struct nat_search *s, const struct xlb_flow *old)
{
	int waited = (__s64)(s->now - old->last_seen_ns) > (__s64)cfg_timeout_tcp_time_wait_ns;

	if (old->state != XLB_FLOW_CLOSED || !(old->flags & XLB_FLOW_F_MEMBER_FIRST) ||
	    old->tw == XLB_TW_NONE || (!waited && old->tw != XLB_TW_TS))
		return 0;
	if (s->syn.ts == XLB_NAT_SEG_UNREAD)
		return XLB_NAT_NEED_SYN;
	if (s->syn.ts < 0 || (!waited && s->syn.ts != 1))
		return 0;
	return nat_tw_accepts(old, &s->syn);
}

/* Whether the reply tuple rk, held in xlb_flows by old, may be handed out
 * again to the connection s opens: its connection is over (orphaned, and
 * closed long enough, or its member takes the SYN: nat_guard_ends). */
static __always_inline int nat_port_reusable(const struct nat_search *s, const struct xlb_flow *old,
					     const struct xlb_flow_key *rk)
{
	if (old->dir != XLB_DIR_REPLY)
		return 1;
	if (flow_guarded(old, s->now))
		return nat_guard_ends(s, old);
	return flow_reply_orphaned(old, rk, s->now, 0);
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

/* Chooses the source address and port toward member s->member_id so that
 * (snat, port, member, member port, protocol) is unique: that tuple is the
 * reply entry's key.  Ports come from the backend's walk of the member's
 * pool (snat_n addresses x cfg_nat_ports), shared by the CPUs a block of
 * XLB_NAT_BLOCK positions at a time (xlb_nat_port, xlb_nat_block).  A tuple is free
 * when xlb_flows holds no live connection on it (a closed or orphaned
 * entry there is deleted; xlb_nat_held says when there is none to look
 * for) and the reply entry (xlb_new_flow's rev) goes into xlb_halfopen
 * with BPF_NOEXIST, which settles races between CPUs; a half-open entry
 * whose connection is gone, stale or promoted is taken over.  Takes its
 * input from xlb_new_flow's search (no pointer arguments, no locals the
 * caller's frame must leave room for: both frames share the verifier's
 * 512 bytes); 0: search.rk is the tuple and the reply entry is in
 * xlb_halfopen; XLB_NAT_NEED_SYN: call again with search.syn read (the
 * reader, a global function too, called from here would add a third
 * frame past the limit); the second call has its own XLB_NAT_TRIES.
 *
 * A global function: the verifier checks its XLB_NAT_TRIES tries once,
 * where inlined they would be checked again on every path to a new flow.
 * Many tries matter after member-first closes: a port its member holds in
 * TIME_WAIT takes a given SYN about half the time (nat_guard_ends). */
__attribute__((noinline)) int XLB_HOOK_GLOBAL(xlb_nat_search)(void)
{
	struct xlb_nat_port_state *cur;
	__u64 *walk;
	struct xlb_new_flow *nf;
	struct nat_search *s;
	struct xlb_flow_key *rk;
	struct xlb_member *m;
	__u32 zero = 0, n, space, cursor;
	int reused = 0;

	nf = bpf_map_lookup_elem(&xlb_new_flow, &zero);
	if (!nf)
		return -1;
	s = &nf->search;
	rk = &s->rk;
	m = bpf_map_lookup_elem(&xlb_members, &s->member_id);
	if (!m)
		return -1;
	n = m->snat_n > 1 ? m->snat_n : 1;
	space = n * cfg_nat_ports;
	cursor = nat_cursor(m, rk->proto);
	cur = bpf_map_lookup_elem(&xlb_nat_port, &cursor);
	walk = bpf_map_lookup_elem(&xlb_nat_block, &cursor);
	if (!cur || !walk || space == 0)
		return -1;
	for (int i = 0; i < XLB_NAT_TRIES; i++) {
		__u32 idx, ai, pi;
		struct xlb_flow *old;

		if (s->again) {
			idx = (s->again - 1) % space;
			s->again = 0;
		} else {
			if (cur->next % XLB_NAT_BLOCK == 0)
				cur->next = __sync_fetch_and_add(walk, XLB_NAT_BLOCK);
			idx = cur->next++ % space;
		}
		ai = idx / cfg_nat_ports;
		pi = idx - ai * cfg_nat_ports;

		if (nat_pool_addr(m, ai, &rk->dst))
			return -1;
		rk->dport = bpf_htons(cfg_nat_port_min + pi + (pi >= cfg_nat_hole_start ? cfg_nat_hole_len : 0));
		old = nat_held_maybe(rk) ? bpf_map_lookup_elem(&xlb_flows, rk) : NULL;
		reused = old != NULL;
		if (old) {
			int ok = nat_port_reusable(s, old, rk);

			if (ok == XLB_NAT_NEED_SYN) {
				s->again = idx + 1; /* this port again, with the SYN read */
				return XLB_NAT_NEED_SYN;
			}
			if (!ok)
				continue;
			if (old->dir == XLB_DIR_REPLY)
				nat_held_delete(rk);
			else
				bpf_map_delete_elem(&xlb_flows, rk);
		}
		if (bpf_map_update_elem(&xlb_halfopen, rk, &nf->rev, BPF_NOEXIST) == 0)
			goto done;
		old = bpf_map_lookup_elem(&xlb_halfopen, rk);
		reused = 1;
		if (old && (old->dir != XLB_DIR_REPLY || flow_reply_orphaned(old, rk, s->now, 1)) &&
		    bpf_map_update_elem(&xlb_halfopen, rk, &nf->rev, BPF_ANY) == 0)
			goto done;
	}
	return -1;
done:
	if (reused)
		stats_event(XLB_EV_NAT_PORT_REUSED);
	return 0;
}

/* The NAT source address and port of the new flow nf->fwd (to its
 * member), for the SYN p, with its reply entry (nf->rev, built) in
 * xlb_halfopen: xlb_nat_search. */
static __always_inline int nat_alloc_port(xlb_ctx *ctx, const struct xlb_pkt *p, struct xlb_new_flow *nf,
					  __u64 now)
{
	struct nat_search *s = &nf->search;
	struct xlb_flow *fwd = &nf->fwd;
	int err;

	flow_peer_key(fwd, p->key.proto, &s->rk);
	s->now = now;
	s->member_id = fwd->member_id;
	s->syn.ts = XLB_NAT_SEG_UNREAD;
	s->again = 0;
	err = XLB_HOOK_GLOBAL(xlb_nat_search)();
	if (err == XLB_NAT_NEED_SYN) {
		s->syn.ts = -1;
		if ((p->tcp_flags & (XLB_TCP_SYN | XLB_TCP_ACK)) == XLB_TCP_SYN)
			nat_seg_read(ctx, p, &s->syn);
		err = XLB_HOOK_GLOBAL(xlb_nat_search)();
	}
	if (err)
		return -1;
	fwd->nat_src = s->rk.dst;
	fwd->nat_sport = s->rk.dport;
	return 0;
}

#endif
