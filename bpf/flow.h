/* SPDX-License-Identifier: GPL-2.0 */
/* The connection tables (abi.h): xlb_flows, the preallocated hash of
 * connections the client has proven, and xlb_halfopen, the LRU of those it
 * has not yet.  An entry is "live" while its idle time is below its
 * state's timeout; a stale entry stays until the sweeper deletes it (or,
 * in xlb_halfopen, the LRU evicts it) or its tuple is scheduled anew. */
#ifndef XLB_BPF_FLOW_H
#define XLB_BPF_FLOW_H

#include "consts.h"
#include "parse.h"

static __always_inline __u64 flow_timeout_ns(const struct xlb_flow *f)
{
	switch (f->state) {
	case XLB_FLOW_SYN_SENT:
		return cfg_timeout_tcp_half_open_ns;
	case XLB_FLOW_ESTABLISHED:
		return cfg_timeout_tcp_est_ns;
	case XLB_FLOW_FIN:
		return cfg_timeout_tcp_fin_ns;
	case XLB_FLOW_RST:
		return cfg_timeout_tcp_rst_ns;
	case XLB_FLOW_CLOSED:
		/* A member that closed first holds TIME_WAIT on the NAT tuple:
		 * the reply entry keeps the port (nat_guard_ends says when it
		 * may go earlier).  A forward entry only waits for late
		 * segments, whoever closed first. */
		return f->dir == XLB_DIR_REPLY && (f->flags & XLB_FLOW_F_MEMBER_FIRST)
			       ? cfg_timeout_tcp_fin_ns
			       : cfg_timeout_tcp_time_wait_ns;
	}
	return cfg_timeout_udp_ns;
}

/* Signed: now may be older than last_seen, which another CPU wrote after
 * now was read (a sweep reads it once and runs for up to a few hundred
 * ms while packets go on touching their entries).  Unsigned, such an
 * entry was 584 years idle: the sweeper deleted established connections
 * under a SYN flood (whose churn makes a sweep long). */
static __always_inline int flow_live(const struct xlb_flow *f, __u64 now)
{
	return (__s64)(now - f->last_seen_ns) <= (__s64)flow_timeout_ns(f);
}

/* The key of the other direction's entry, from this entry's value alone. */
static __always_inline void flow_peer_key(const struct xlb_flow *f, __u8 proto, struct xlb_flow_key *k)
{
	__builtin_memset(k, 0, sizeof(*k));
	k->src = f->nat_dst;
	k->dst = f->nat_src;
	k->sport = f->nat_dport;
	k->dport = f->nat_sport;
	k->proto = proto;
	k->family = f->family;
}

static __always_inline int addr_eq(const union xlb_ip *a, const union xlb_ip *b)
{
	return a->v6[0] == b->v6[0] && a->v6[1] == b->v6[1] && a->v6[2] == b->v6[2] &&
	       a->v6[3] == b->v6[3];
}

/* The table an entry's peer is in: the entry's own. */
static __always_inline void *flow_table(int halfopen)
{
	return halfopen ? (void *)&xlb_halfopen : (void *)&xlb_flows;
}

/* How a TCP segment changes the connection's state (flags and state of
 * the entry it passes), or 0 when it does not: a FIN (per direction, and
 * who sent the first), a RST, or the last ACK (the first closer's ACK once
 * both FINs are seen). */
static __always_inline int flow_close_step(const struct xlb_flow *f, __u8 tcp_flags, int from_member,
					   __u8 *state, __u8 *flags)
{
	__u8 fin_mine = from_member ? XLB_FLOW_F_FIN_MEMBER : XLB_FLOW_F_FIN_CLIENT;
	__u8 both = XLB_FLOW_F_FIN_CLIENT | XLB_FLOW_F_FIN_MEMBER;
	int first_closer = !(f->flags & XLB_FLOW_F_MEMBER_FIRST) == !from_member;

	*state = f->state;
	*flags = f->flags;
	if (tcp_flags & XLB_TCP_RST) {
		if (f->state != XLB_FLOW_CLOSED)
			*state = XLB_FLOW_RST;
		return 1;
	}
	if (tcp_flags & XLB_TCP_FIN) {
		if (from_member && !(f->flags & XLB_FLOW_F_FIN_CLIENT))
			*flags |= XLB_FLOW_F_MEMBER_FIRST;
		*flags |= fin_mine;
		if (f->state < XLB_FLOW_FIN)
			*state = XLB_FLOW_FIN;
		return 1;
	}
	if (f->state == XLB_FLOW_FIN && (f->flags & both) == both && first_closer &&
	    (tcp_flags & (XLB_TCP_ACK | XLB_TCP_SYN)) == XLB_TCP_ACK) {
		*state = XLB_FLOW_CLOSED;
		return 1;
	}
	return 0;
}

/* Per-packet bookkeeping on the entry a packet passes: TCP state (a close
 * step recorded in both entries of a nat connection, so both get its
 * timeout) and the idle clock.  from_member: the packet comes from the
 * member (through a reply entry, or a dnat reply to the forward entry).
 * Returns the nat peer entry a close step was recorded in, else NULL. */
static __always_inline struct xlb_flow *flow_track(const struct xlb_pkt *p, struct xlb_flow *f, __u64 now,
						   int from_member, int halfopen)
{
	__u8 flags = p->tcp_flags, state, fflags;

	if (p->key.proto == IPPROTO_TCP) {
		if ((flags & (XLB_TCP_FIN | XLB_TCP_RST) || f->state == XLB_FLOW_FIN) &&
		    flow_close_step(f, flags, from_member, &state, &fflags)) {
			struct xlb_flow_key pk;
			struct xlb_flow *peer;

			f->state = state;
			f->flags = fflags;
			f->last_seen_ns = now;
			if (f->fwd != XLB_FWD_NAT)
				return NULL;
			flow_peer_key(f, p->key.proto, &pk);
			peer = bpf_map_lookup_elem(flow_table(halfopen), &pk);
			if (peer) {
				peer->state = state;
				peer->flags = fflags;
			}
			return peer;
		}
		if (f->state == XLB_FLOW_SYN_SENT && !(flags & XLB_TCP_SYN))
			f->state = XLB_FLOW_ESTABLISHED;
	}
	if (now - f->last_seen_ns > XLB_TOUCH_NS)
		f->last_seen_ns = now;
	return NULL;
}

/* TCP after a FIN or RST: closing, or closed and held a little while. */
static __always_inline int flow_closing(const struct xlb_flow *f)
{
	return f->state == XLB_FLOW_FIN || f->state == XLB_FLOW_RST || f->state == XLB_FLOW_CLOSED;
}

/* A closing or closed connection's reply entry keeps its tuple (its NAT
 * port) for its own state's timeout, whatever became of the forward entry:
 * late segments still find their way, and after a member-first close the
 * member's TIME_WAIT on the tuple is not met by a new connection. */
static __always_inline int flow_guarded(const struct xlb_flow *r, __u64 now)
{
	return flow_closing(r) && flow_live(r, now);
}

/* A reply entry (key rk) whose forward entry in the same table is gone,
 * stale, points elsewhere, or (half-open) was promoted: its NAT port may
 * be handed out again. */
static __always_inline int flow_reply_orphaned(const struct xlb_flow *rev, const struct xlb_flow_key *rk,
					       __u64 now, int halfopen)
{
	struct xlb_flow_key fk;
	struct xlb_flow *fwd;

	flow_peer_key(rev, rk->proto, &fk);
	fwd = bpf_map_lookup_elem(flow_table(halfopen), &fk);
	if (!fwd || fwd->dir != XLB_DIR_FORWARD || (fwd->flags & XLB_FLOW_F_PROMOTED))
		return 1;
	if (fwd->nat_sport != rk->dport || fwd->nat_dport != rk->sport ||
	    !addr_eq(&fwd->nat_dst, &rk->src) || !addr_eq(&fwd->nat_src, &rk->dst))
		return 1;
	return !flow_live(fwd, now);
}

#endif
