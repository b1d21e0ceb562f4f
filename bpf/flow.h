/* SPDX-License-Identifier: GPL-2.0 */
/* The flow table: one LRU entry per direction of a connection.  An entry
 * is "live" while its idle time is below its state's timeout; a stale entry
 * stays until the LRU evicts it or its tuple is scheduled anew. */
#ifndef XLB_BPF_FLOW_H
#define XLB_BPF_FLOW_H

#include "consts.h"
#include "parse.h"

static __always_inline __u64 flow_timeout_ns(__u8 state)
{
	switch (state) {
	case XLB_FLOW_SYN_SENT:
		return cfg_timeout_tcp_half_open_ns;
	case XLB_FLOW_ESTABLISHED:
		return cfg_timeout_tcp_est_ns;
	case XLB_FLOW_FIN:
		return cfg_timeout_tcp_fin_ns;
	case XLB_FLOW_RST:
		return cfg_timeout_tcp_rst_ns;
	}
	return cfg_timeout_udp_ns;
}

static __always_inline int flow_live(const struct xlb_flow *f, __u64 now)
{
	return now - f->last_seen_ns <= flow_timeout_ns(f->state);
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

/* Per-packet bookkeeping: TCP state (FIN/RST recorded in both directions'
 * entries, so both get the short timeout) and the idle clock. */
static __always_inline void flow_track(const struct xlb_pkt *p, struct xlb_flow *f, __u64 now)
{
	__u8 flags = p->tcp_flags;

	if (p->key.proto == IPPROTO_TCP) {
		if (flags & (XLB_TCP_FIN | XLB_TCP_RST)) {
			__u8 st = flags & XLB_TCP_RST ? XLB_FLOW_RST : XLB_FLOW_FIN;
			struct xlb_flow_key pk;
			struct xlb_flow *peer;

			if (f->state < st)
				f->state = st;
			flow_peer_key(f, p->key.proto, &pk);
			peer = bpf_map_lookup_elem(&xlb_flows, &pk);
			if (peer && peer->state < st)
				peer->state = st;
			f->last_seen_ns = now;
			return;
		}
		if (f->state == XLB_FLOW_SYN_SENT && !(flags & XLB_TCP_SYN))
			f->state = XLB_FLOW_ESTABLISHED;
	}
	if (now - f->last_seen_ns > XLB_TOUCH_NS)
		f->last_seen_ns = now;
}

/* A reply entry whose forward entry is gone, stale or points elsewhere: its
 * NAT tuple may be handed out again. */
static __always_inline int flow_reply_orphaned(const struct xlb_flow *rev, const struct xlb_flow_key *rk,
					       __u64 now)
{
	struct xlb_flow_key fk;
	struct xlb_flow *fwd;

	flow_peer_key(rev, rk->proto, &fk);
	fwd = bpf_map_lookup_elem(&xlb_flows, &fk);
	if (!fwd || fwd->dir != XLB_DIR_FORWARD)
		return 1;
	if (fwd->nat_sport != rk->dport || fwd->nat_dport != rk->sport ||
	    !addr_eq(&fwd->nat_dst, &rk->src) || !addr_eq(&fwd->nat_src, &rk->dst))
		return 1;
	return !flow_live(fwd, now);
}

#endif
