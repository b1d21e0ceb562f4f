/* SPDX-License-Identifier: GPL-2.0 */
/* The data path, shared by the XDP program (xlb.bpf.c) and the tc programs
 * (xlb-tc.bpf.c): packets to a VIP are balanced per connection, replies
 * from members are translated back, ICMP errors about balanced flows are
 * translated both ways, ARP and neighbour solicitations for served VIPs
 * are answered (neigh.h), everything else passes untouched.  The including
 * program first includes its hook (hook_xdp.h or hook_tc.h), which supplies
 * the context type, the actions and whatever touches the context.
 * docs/design.md describes the policies. */
#ifndef XLB_BPF_DATAPATH_H
#define XLB_BPF_DATAPATH_H

#ifndef XLB_BPF_HOOK_H
#error "include hook_xdp.h or hook_tc.h before datapath.h"
#endif

#include <linux/bpf.h>
#include <linux/errno.h>
#include <bpf/bpf_helpers.h>

#include "map_defs.h"
#include "consts.h"
#include "parse.h"
#include "csum.h"
#include "stats.h"
#include "flow.h"
#include "schedule.h"
#include "nat.h"
#include "dnat.h"
#include "forward.h"
#include "reject.h"
#include "icmp.h"
#include "sorry.h"
#include "neigh.h"

/* Whether a is one of the balancer's own (snat) addresses. */
static __always_inline int is_snat_addr(__u8 family, const union xlb_ip *a)
{
	__u32 zero = 0;
	struct xlb_snat_set *set = bpf_map_lookup_elem(&xlb_snat, &zero);

	if (!set)
		return 0;
	for (int i = 0; i < XLB_MAX_SNAT_ADDRS; i++) {
		if (i >= set->count)
			break;
		if (set->addr[i].family == family && addr_eq(&set->addr[i].addr, a))
			return 1;
	}
	return 0;
}

/* A source no client can have: IPv4 0/8, 127/8, 224/4 (multicast) and
 * 240/4 (255.255.255.255 too); IPv6 ::, ::1, ff00::/8; the VIP itself; the
 * balancer's own addresses.  Nothing is answered to it nor kept for it. */
static __always_inline int source_bad(const struct xlb_pkt *p)
{
	const union xlb_ip *s = &p->key.src;

	if (p->family == XLB_FAMILY_IPV4) {
		if (s->bytes[0] == 0 || s->bytes[0] == 127 || s->bytes[0] >= 224)
			return 1;
	} else {
		if (s->bytes[0] == 0xff)
			return 1;
		if (!s->v6[0] && !s->v6[1] && !s->v6[2] && (!s->v6[3] || s->v6[3] == bpf_htonl(1)))
			return 1;
	}
	return addr_eq(s, &p->key.dst) || is_snat_addr(p->family, s);
}

/* The IPv4 header checksum, summed in full (options too). */
static __always_inline int ip4_csum_ok(xlb_ctx *ctx, const struct xlb_pkt *p)
{
	__u32 words = p->l3_hlen / 2;
	__u64 sum = 0;

	for (__u32 i = 0; i < 30; i++) {
		__u16 *w;

		if (i >= words)
			break;
		PKT_AT(w, ctx, p->l3_off + i * 2, 2, return 0);
		sum += *w;
	}
	return csum_fold(sum) == 0xffff;
}

static __always_inline int tcp_opens(const struct xlb_pkt *p)
{
	return p->key.proto == IPPROTO_TCP &&
	       (p->tcp_flags & (XLB_TCP_SYN | XLB_TCP_ACK | XLB_TCP_RST)) == XLB_TCP_SYN;
}

static __always_inline int no_member(xlb_ctx *ctx, struct xlb_pkt *p, const struct xlb_service *svc,
				     __u64 now)
{
	if (svc->on_empty != XLB_ON_EMPTY_REJECT)
		return XLB_VERDICT(XLB_DROP, XLB_R_DROP_NO_MEMBER);
	if (p->key.proto == IPPROTO_TCP)
		return rst_reply(ctx, p, now, XLB_R_TX_RST_NO_MEMBER);
	return icmp_unreach_reply(ctx, p, now, XLB_R_TX_UNREACH_NO_MEMBER);
}

/* xlb_flows is full: the new connection is refused at once, with the
 * answers of on_empty reject when they may be sent. */
static __always_inline int refuse_full(xlb_ctx *ctx, struct xlb_pkt *p, __u64 now)
{
	int v = p->key.proto == IPPROTO_TCP ? rst_reply(ctx, p, now, XLB_R_TX_RST_TABLE_FULL)
					    : icmp_unreach_reply(ctx, p, now, XLB_R_TX_UNREACH_TABLE_FULL);

	if (XLB_VERDICT_ACTION(v) == XLB_DROP)
		return XLB_VERDICT(XLB_DROP, XLB_R_DROP_TABLE_FULL);
	return v;
}

/* An insert into xlb_flows failed for want of room: the flag goes up (the
 * sweeper takes it down when there is room again) and stays up while new
 * connections are refused at their first packet. */
static __always_inline void full_flag_raise(__u64 now)
{
	struct xlb_dp_state *st;
	__u32 zero = 0;

	stats_event(XLB_EV_TABLE_FULL);
	st = bpf_map_lookup_elem(&xlb_dp_state, &zero);
	if (!st || st->full)
		return;
	if (__sync_val_compare_and_swap(&st->full, 0, 1) == 0) {
		st->full_since_ns = now;
		stats_event(XLB_EV_FULL_EPISODES);
	}
}

static __always_inline int full_flag_up(void)
{
	struct xlb_dp_state *st;
	__u32 zero = 0;

	st = bpf_map_lookup_elem(&xlb_dp_state, &zero);
	return st && st->full;
}

/* The reply entry of the connection fwd, from the client's packet: back to
 * the client the way that packet came (its interface and previous hop). */
static __always_inline int reply_entry_build(xlb_ctx *ctx, const struct xlb_pkt *p, const struct xlb_flow *fwd,
					     struct xlb_flow *rev, __u64 now)
{
	struct ethhdr *eth;

	__builtin_memset(rev, 0, sizeof(*rev));
	rev->nat_src = p->key.dst;
	rev->nat_dst = p->key.src;
	rev->nat_sport = p->key.dport;
	rev->nat_dport = p->key.sport;
	rev->service_id = fwd->service_id;
	rev->member_id = fwd->member_id;
	rev->state = fwd->state;
	rev->flags = fwd->flags;
	rev->dir = XLB_DIR_REPLY;
	rev->family = p->family;
	rev->nh_fixed = 1;
	rev->fwd = fwd->fwd;
	rev->tx_ifindex = hook_reply_ifindex(ctx, p);
	PKT_AT(eth, ctx, 0, sizeof(*eth), return -1);
	__builtin_memcpy(rev->tx_dmac, eth->h_source, ETH_ALEN);
	__builtin_memcpy(rev->tx_smac, eth->h_dest, ETH_ALEN);
	rev->created_ns = fwd->created_ns;
	rev->last_seen_ns = now;
	return 0;
}

/* Rewrites a client's packet to forward entry f and sends it. */
static __always_inline int forward_send(xlb_ctx *ctx, struct xlb_pkt *p, struct xlb_flow *f, __u64 now)
{
	if (fwd_refresh(ctx, p->key.proto, f, now))
		return XLB_VERDICT(XLB_DROP, XLB_R_DROP_FIB);
	if (f->fwd != XLB_FWD_DSR && nat_rewrite(ctx, p, f))
		return XLB_VERDICT(XLB_DROP, XLB_R_DROP_INTERNAL);
	stats_traffic(f, p->len, 0);
	return XLB_VERDICT(fwd_transmit(ctx, p, f), XLB_R_TX_FORWARD);
}

/* A packet through a forward entry (of either table). */
static __always_inline int forward(xlb_ctx *ctx, struct xlb_pkt *p, struct xlb_flow *f, __u64 now, int halfopen)
{
	if (p->ttl <= 1)
		return XLB_VERDICT(XLB_PASS, XLB_R_PASS_TTL_EXPIRED);
	nat_note_client_fin(ctx, p, flow_track(p, f, now, 0, halfopen));
	return forward_send(ctx, p, f, now);
}

/* Deletes the reply entry of forward entry f (of tuple key) from its
 * table, unless its port went to another connection meanwhile, or the
 * guard of a connection that closed in xlb_flows holds it (flow_guarded;
 * a half-open connection leaves no TIME_WAIT behind). */
static __always_inline void reply_forget(int halfopen, const struct xlb_flow *f, const struct xlb_flow_key *key,
					 __u64 now)
{
	struct xlb_flow_key rk;
	struct xlb_flow *r;

	if (f->fwd != XLB_FWD_NAT)
		return;
	flow_peer_key(f, key->proto, &rk);
	r = bpf_map_lookup_elem(flow_table(halfopen), &rk);
	if (!r || r->dir != XLB_DIR_REPLY || r->nat_dport != key->sport || !addr_eq(&r->nat_dst, &key->src))
		return;
	if (halfopen)
		bpf_map_delete_elem(&xlb_halfopen, &rk);
	else if (!flow_guarded(r, now))
		nat_held_delete(&rk);
}

/* The tuple of half-open connection h has an entry in xlb_flows: another
 * CPU promoted h a moment ago (the same rewrite: -EEXIST, this packet goes
 * on with the half-open copy), or it is an older connection's, which the
 * new one replaces (its reply entry goes unless its port went elsewhere or
 * its closing guard holds it). */
static __always_inline int promote_over(const struct xlb_pkt *p, struct xlb_flow *h, __u64 now)
{
	struct xlb_flow *old = bpf_map_lookup_elem(&xlb_flows, &p->key);

	if (!old)
		return bpf_map_update_elem(&xlb_flows, &p->key, h, BPF_NOEXIST);
	if (old->member_id == h->member_id && old->nat_sport == h->nat_sport &&
	    addr_eq(&old->nat_src, &h->nat_src) && old->created_ns == h->created_ns)
		return -EEXIST;
	reply_forget(0, old, &p->key, now);
	return bpf_map_update_elem(&xlb_flows, &p->key, h, BPF_ANY);
}

/* The client proved it is there (its ACK without SYN, its second
 * datagram): the half-open connection h moves into xlb_flows, for nat the
 * reply entry first (built from this packet: its way back), so that the
 * forward entry is never there without it; dnat and dsr have none.  The half-open entries stay, marked as
 * duplicates: a delete would cost the hot path another map operation. */
static __always_inline int promote(xlb_ctx *ctx, struct xlb_pkt *p, struct xlb_flow *h, __u64 now)
{
	struct xlb_flow_key rk;
	struct xlb_new_flow *nf;
	__u32 zero = 0;
	/* An int: Linux 6.1 calls the map's update directly, and its int
	 * result comes back with the upper 32 bits of the register zero, not
	 * sign-extended (a long would never equal -EEXIST there). */
	int err;

	if (p->ttl <= 1)
		return XLB_VERDICT(XLB_PASS, XLB_R_PASS_TTL_EXPIRED);
	flow_track(p, h, now, 0, 1);
	h->last_seen_ns = now;
	if (h->fwd == XLB_FWD_NAT) {
		nf = bpf_map_lookup_elem(&xlb_new_flow, &zero);
		if (!nf || reply_entry_build(ctx, p, h, &nf->rev, now))
			return XLB_VERDICT(XLB_DROP, XLB_R_DROP_INTERNAL);
		flow_peer_key(h, p->key.proto, &rk);
		if (nat_held_insert(&rk, &nf->rev)) {
			full_flag_raise(now);
			return refuse_full(ctx, p, now);
		}
	}
	err = bpf_map_update_elem(&xlb_flows, &p->key, h, BPF_NOEXIST);
	if (err == -EEXIST)
		err = promote_over(p, h, now);
	if (err && err != -EEXIST) {
		if (h->fwd == XLB_FWD_NAT)
			nat_held_delete(&rk);
		full_flag_raise(now);
		return refuse_full(ctx, p, now);
	}
	h->flags |= XLB_FLOW_F_PROMOTED;
	if (!err)
		stats_event(XLB_EV_PROMOTED);
	return forward_send(ctx, p, h, now);
}

/* Whether a packet through a live half-open entry proves the client: TCP
 * an ACK without SYN or RST, UDP any (the flow's second datagram). */
static __always_inline int promotes(const struct xlb_pkt *p)
{
	return p->key.proto == IPPROTO_UDP ||
	       (p->tcp_flags & (XLB_TCP_SYN | XLB_TCP_ACK | XLB_TCP_RST)) == XLB_TCP_ACK;
}

/* Whether entry f of the packet's tuple carries it: a live forward entry,
 * unless the packet is a SYN on a closing or closed connection (the
 * tuple is reused) or f is a promoted half-open duplicate. */
static __always_inline int carries(const struct xlb_pkt *p, const struct xlb_flow *f, __u64 now)
{
	return f && f->dir == XLB_DIR_FORWARD && !(f->flags & XLB_FLOW_F_PROMOTED) && flow_live(f, now) &&
	       !(tcp_opens(p) && flow_closing(f));
}

/* new_flow_open's result for a retransmitted SYN: xlb_halfopen has its
 * connection, which new_flow forwards it through (one place, so that the
 * verifier walks that path once). */
#define XLB_NF_RESENT (-1)

/* Whether a SYN that came without a lookup in xlb_halfopen (lazy, from
 * to_service) retransmits the SYN of a live half-open connection there.
 * Asked only where the SYN opens nothing (a full table, no member, no
 * route, no NAT port; halfopen_insert finds it otherwise): a
 * retransmitted SYN goes where the first went, so that a connection the
 * balancer took stays its member's even when the table fills, the pool
 * empties or the NAT ports run out meanwhile. */
static __always_inline int syn_resent(const struct xlb_pkt *p, __u64 now, int lazy)
{
	return lazy && carries(p, bpf_map_lookup_elem(&xlb_halfopen, &p->key), now);
}

/* The half-open entry of a new connection.  A SYN came without a lookup
 * in xlb_halfopen (lazy, to_service): its entry goes in only where none
 * is.  One there is a retransmitted SYN's live connection (XLB_NF_RESENT;
 * the NAT port just taken, rk, goes back), or an older connection's,
 * stale, closing or a promoted duplicate, which this one replaces: its
 * reply entry goes, unless the port search just took that very tuple
 * over. */
static __always_inline int halfopen_insert(struct xlb_pkt *p, struct xlb_flow *fwd, const struct xlb_flow_key *rk,
					   __u64 now, int lazy)
{
	struct xlb_flow *h;
	/* An int: see promote() on Linux 6.1's map results. */
	int err;

	err = bpf_map_update_elem(&xlb_halfopen, &p->key, fwd, lazy ? BPF_NOEXIST : BPF_ANY);
	if (err != -EEXIST)
		return err;
	h = bpf_map_lookup_elem(&xlb_halfopen, &p->key);
	if (carries(p, h, now)) {
		if (fwd->fwd == XLB_FWD_NAT)
			bpf_map_delete_elem(&xlb_halfopen, rk);
		return XLB_NF_RESENT;
	}
	if (h && h->dir == XLB_DIR_FORWARD) {
		if (!(h->flags & XLB_FLOW_F_PROMOTED))
			stats_event(XLB_EV_HALF_OPEN_EXPIRED);
		if (h->member_id != fwd->member_id || h->nat_sport != fwd->nat_sport ||
		    !addr_eq(&h->nat_src, &fwd->nat_src))
			reply_forget(1, h, &p->key, now);
	}
	return bpf_map_update_elem(&xlb_halfopen, &p->key, fwd, BPF_ANY);
}

/* A connection-opening packet without a live entry: pick a member,
 * allocate the NAT port, insert the half-open entries, rewrite and send
 * (XLB_NF_RESENT: none of that, the packet untouched).  old: a stale or
 * closed entry of the same tuple in xlb_flows; stale: one in
 * xlb_halfopen.  lazy: a SYN, for which xlb_halfopen was not looked up
 * (stale is NULL).  rederive: a mid-connection packet of a Maglev service
 * that keeps the client's tuple (dnat, dsr), whose member the hash finds
 * again (this node lost the flow, or another node had it). */
static __always_inline int new_flow_open(xlb_ctx *ctx, struct xlb_pkt *p, const struct xlb_service *svc,
					 const struct xlb_flow *old, const struct xlb_flow *stale, __u64 now,
					 int lazy, int rederive)
{
	struct xlb_flow *fwd, *rev;
	struct xlb_new_flow *nf;
	struct xlb_member *m;
	__u32 member_id, scheduled, zero = 0;
	int err;

	if (full_flag_up())
		return syn_resent(p, now, lazy) ? XLB_NF_RESENT : refuse_full(ctx, p, now);
	member_id = schedule_packet(svc, p);
	if (member_id == XLB_NO_MEMBER && rederive)
		return rst_reply(ctx, p, now, XLB_R_TX_RST_NO_FLOW);
	scheduled = member_id; /* before a sorry member stands in */
	if (member_id == XLB_NO_MEMBER && syn_resent(p, now, lazy))
		return XLB_NF_RESENT;
	if (member_id == XLB_NO_MEMBER && svc->on_empty == XLB_ON_EMPTY_SORRY) {
		if (svc->sorry_member == XLB_SORRY_BUILTIN)
			return sorry_syn(ctx, p, svc, now);
		member_id = svc->sorry_member; /* NATed to like a member */
	}
	if (member_id == XLB_NO_MEMBER)
		return no_member(ctx, p, svc, now);
	m = bpf_map_lookup_elem(&xlb_members, &member_id);
	if (!m || m->family != p->family)
		return XLB_VERDICT(XLB_DROP, XLB_R_DROP_BAD_MEMBER);

	nf = bpf_map_lookup_elem(&xlb_new_flow, &zero);
	if (!nf)
		return XLB_VERDICT(XLB_DROP, XLB_R_DROP_INTERNAL);
	fwd = &nf->fwd;
	rev = &nf->rev;
	__builtin_memset(fwd, 0, sizeof(*fwd));
	if (svc->forwarding == XLB_FWD_NAT) {
		fwd->nat_src = m->snat;
	} else {
		fwd->nat_src = p->key.src;
		fwd->nat_sport = p->key.sport;
	}
	fwd->nat_dst = m->addr;
	fwd->nat_dport = m->port;
	fwd->service_id = svc->id;
	fwd->member_id = member_id;
	fwd->state = p->key.proto == IPPROTO_UDP ? XLB_FLOW_UDP
		    : rederive			   ? XLB_FLOW_ESTABLISHED
						   : XLB_FLOW_SYN_SENT;
	fwd->dir = XLB_DIR_FORWARD;
	fwd->fwd = svc->forwarding;
	fwd->family = p->family;
	fwd->created_ns = now;
	fwd->last_seen_ns = now;
	/* Resolve before touching the packet: a failure leaves it unchanged. */
	if (fwd_member(ctx, p->key.proto, fwd, member_id, now))
		return syn_resent(p, now, lazy) ? XLB_NF_RESENT : XLB_VERDICT(XLB_DROP, XLB_R_DROP_FIB);
	if (svc->forwarding == XLB_FWD_NAT && reply_entry_build(ctx, p, fwd, rev, now))
		return XLB_VERDICT(XLB_DROP, XLB_R_DROP_INTERNAL);

	/* The tuple's old connection is over (stale or closed): its entries
	 * go now, so that the new one's promotion finds the key free and
	 * its NAT port is free at once. */
	if (old) {
		reply_forget(0, old, &p->key, now);
		bpf_map_delete_elem(&xlb_flows, &p->key);
	}
	if (stale) {
		if (!(stale->flags & XLB_FLOW_F_PROMOTED))
			stats_event(XLB_EV_HALF_OPEN_EXPIRED);
		reply_forget(1, stale, &p->key, now);
	}
	/* Replies: nat allocates the source port with its reply entry; dnat
	 * replies need none (xlb_dnat_rev), dsr replies bypass xlb. */
	if (svc->forwarding == XLB_FWD_NAT && nat_alloc_port(ctx, p, nf, now))
		return syn_resent(p, now, lazy) ? XLB_NF_RESENT : XLB_VERDICT(XLB_DROP, XLB_R_DROP_NAT_PORTS);
	err = halfopen_insert(p, fwd, &nf->search.rk, now, lazy);
	if (err == XLB_NF_RESENT) {
		schedule_give_back(svc, scheduled);
		return err;
	}
	if (err) {
		if (svc->forwarding == XLB_FWD_NAT)
			bpf_map_delete_elem(&xlb_halfopen, &nf->search.rk);
		return XLB_VERDICT(XLB_DROP, XLB_R_DROP_FLOW_INSERT);
	}
	stats_event(XLB_EV_HALF_OPEN_NEW);
	if (fwd->fwd != XLB_FWD_DSR && nat_rewrite(ctx, p, fwd))
		return XLB_VERDICT(XLB_DROP, XLB_R_DROP_INTERNAL);
	stats_traffic(fwd, p->len, 1);
	return XLB_VERDICT(fwd_transmit(ctx, p, fwd), rederive ? XLB_R_TX_REDERIVED : XLB_R_TX_NEW_FLOW);
}

/* new_flow_open; a retransmitted SYN goes through its connection's
 * half-open entry (gone since: dropped, the client sends it again). */
static __always_inline int new_flow(xlb_ctx *ctx, struct xlb_pkt *p, const struct xlb_service *svc,
				    const struct xlb_flow *old, const struct xlb_flow *stale, __u64 now,
				    int lazy, int rederive)
{
	int v = new_flow_open(ctx, p, svc, old, stale, now, lazy, rederive);
	struct xlb_flow *h;

	if (v != XLB_NF_RESENT)
		return v;
	h = bpf_map_lookup_elem(&xlb_halfopen, &p->key);
	if (!carries(p, h, now))
		return XLB_VERDICT(XLB_DROP, XLB_R_DROP_FLOW_INSERT);
	return forward(ctx, p, h, now, 1);
}

/* to_service() found no service: the packet is not for a VIP. */
#define XLB_NOT_SERVICE (-1)

/* A packet to a service port.  The connection table comes first: a packet
 * of an established connection needs nothing else (and keeps flowing after
 * its service is removed, like the connections of a removed member); then
 * the half-open table (a retransmitted SYN, or the packet that promotes
 * the connection); only a packet of neither looks up the service. */
static __always_inline int to_service(xlb_ctx *ctx, struct xlb_pkt *p)
{
	__u64 now = bpf_ktime_get_coarse_ns();
	int opens = p->key.proto == IPPROTO_UDP || tcp_opens(p), fc;
	struct xlb_flow *f, *h;
	struct xlb_service *svc;
	struct xlb_svc_key sk;

	/* A SYN is never carried by xlb_flows (a connection there is past
	 * its handshake): it spares the lookup, and a tuple's old entry there
	 * is dealt with when the new connection is promoted. */
	f = tcp_opens(p) ? NULL : bpf_map_lookup_elem(&xlb_flows, &p->key);
	fc = carries(p, f, now);
	if (fc && !flow_closing(f))
		return forward(ctx, p, f, now, 0);
	/* A closing connection's tuple may have been opened anew since: a
	 * half-open connection that is not a promoted duplicate is newer than
	 * what xlb_flows holds, and takes its packets.  A SYN spares this
	 * lookup too, a cold one in a table of up to millions: a retransmitted
	 * SYN is found by its insert (new_flow), as a live connection's SYN
	 * is no more than the retransmission of the one that opened it. */
	h = tcp_opens(p) ? NULL : bpf_map_lookup_elem(&xlb_halfopen, &p->key);
	if (carries(p, h, now))
		return promotes(p) ? promote(ctx, p, h, now) : forward(ctx, p, h, now, 1);
	if (fc)
		return forward(ctx, p, f, now, 0);

	sk.vip = p->key.dst;
	sk.port = p->key.dport;
	sk.proto = p->key.proto;
	sk.family = p->family;
	svc = bpf_map_lookup_elem(&xlb_services, &sk);
	if (!svc)
		return XLB_NOT_SERVICE;
	if (p->ttl <= 1)
		return XLB_VERDICT(XLB_PASS, XLB_R_PASS_TTL_EXPIRED);
	/* Bad packets take no state and get no answer (this host's own, at
	 * tc egress, are not checked). */
	if (!p->egress) {
		if (source_bad(p))
			return XLB_VERDICT(XLB_DROP, XLB_R_DROP_BAD_SOURCE);
		if (p->family == XLB_FAMILY_IPV4 && !ip4_csum_ok(ctx, p))
			return XLB_VERDICT(XLB_DROP, XLB_R_DROP_BAD_IP_CSUM);
	}
	/* f and h, if any, are stale, closed or duplicates: the tuple is
	 * scheduled anew. */
	if (f && f->dir != XLB_DIR_FORWARD)
		f = NULL;
	if (h && h->dir != XLB_DIR_FORWARD)
		h = NULL;
	if (opens)
		return new_flow(ctx, p, svc, f, h, now, tcp_opens(p), 0);
	if (svc->scheduler == XLB_SCHED_MAGLEV && svc->forwarding != XLB_FWD_NAT &&
	    !(p->tcp_flags & XLB_TCP_RST))
		return new_flow(ctx, p, svc, f, h, now, 0, 1);
	if (svc->on_empty == XLB_ON_EMPTY_SORRY && svc->sorry_member == XLB_SORRY_BUILTIN)
		return sorry_segment(ctx, p, svc, now);
	return rst_reply(ctx, p, now, XLB_R_TX_RST_NO_FLOW);
}

/* A member's reply: translated back to VIP -> client. */
static __always_inline int reply(xlb_ctx *ctx, struct xlb_pkt *p, struct xlb_flow *f, int halfopen)
{
	/* The kernel would take it as its own: it cannot send time exceeded. */
	if (p->ttl <= 1)
		return XLB_VERDICT(XLB_DROP, XLB_R_DROP_TTL_REPLY);
	flow_track(p, f, bpf_ktime_get_coarse_ns(), 1, halfopen);
	if (nat_rewrite(ctx, p, f))
		return XLB_VERDICT(XLB_DROP, XLB_R_DROP_INTERNAL);
	stats_traffic(f, p->len, 0);
	return XLB_VERDICT(fwd_transmit(ctx, p, f), XLB_R_TX_REPLY);
}

/* The reply entry of the packet's tuple: xlb_flows first, then
 * xlb_halfopen (the answers to a UDP flow's first datagram).  A SYN-ACK
 * answers a handshake: xlb_halfopen first, which spares it a lookup that
 * misses in xlb_flows (only a SYN-ACK retransmitted after the promotion
 * finds its entry there alone; the half-open copy, if still there, is the
 * same connection's or a newer one's on the port). */
static __always_inline int reply_lookup(xlb_ctx *ctx, struct xlb_pkt *p)
{
	int synack = p->key.proto == IPPROTO_TCP && (p->tcp_flags & XLB_TCP_SYN);
	struct xlb_flow *f;

	if (synack) {
		f = bpf_map_lookup_elem(&xlb_halfopen, &p->key);
		if (f && f->dir == XLB_DIR_REPLY)
			return reply(ctx, p, f, 1);
	}
	f = bpf_map_lookup_elem(&xlb_flows, &p->key);
	if (f && f->dir == XLB_DIR_REPLY)
		return reply(ctx, p, f, 0);
	if (synack)
		return XLB_NOT_SERVICE;
	f = bpf_map_lookup_elem(&xlb_halfopen, &p->key);
	if (f && f->dir == XLB_DIR_REPLY)
		return reply(ctx, p, f, 1);
	return XLB_NOT_SERVICE;
}

/* Member -> balancer's own address: a reply if a reply entry matches,
 * else the kernel's own traffic (health checks). */
static __always_inline int from_member(xlb_ctx *ctx, struct xlb_pkt *p)
{
	int v = reply_lookup(ctx, p);

	return v == XLB_NOT_SERVICE ? XLB_VERDICT(XLB_PASS, XLB_R_PASS_LOCAL) : v;
}

/* A dnat member's reply, translated without state (bpf/dnat.h): the next
 * hop toward the client from the FIB.  Without a neighbour entry for it the
 * rewritten packet goes to the kernel, which forwards it and resolves the
 * neighbour for the next ones (the VIP is not one of its addresses).
 *
 * A destination the FIB calls this host's own (any of its addresses: the
 * snat addresses, the member-side interface's, the client side's) is no
 * client of a VIP: it is this host talking to the member directly (health
 * checks, clients the socket hooks sent there), and the packet goes up the
 * stack untouched.  The one exception is a connection this host opened to
 * the VIP through tc egress: it has a forward entry, and its replies are
 * translated and handed to the local stack. */
static __always_inline int dnat_reply(xlb_ctx *ctx, struct xlb_pkt *p, const struct xlb_dnat_rev *rev)
{
	__u64 now = bpf_ktime_get_coarse_ns();
	struct xlb_flow *f, *fwd = NULL;
	struct xlb_new_flow *nf;
	int rc, halfopen = 0;
	__u32 zero = 0;

	nf = bpf_map_lookup_elem(&xlb_new_flow, &zero);
	if (!nf)
		return XLB_VERDICT(XLB_DROP, XLB_R_DROP_INTERNAL);
	f = &nf->rev;
	dnat_reply_entry(rev, &p->key.dst, p->key.dport, f);
	rc = fwd_fib(ctx, p->key.proto, f, now);
	if (rc == BPF_FIB_LKUP_RET_NOT_FWDED) {
		fwd = dnat_fwd_entry(p, rev, &halfopen);
		if (!fwd)
			return XLB_VERDICT(XLB_PASS, XLB_R_PASS_LOCAL);
	} else if (rc != BPF_FIB_LKUP_RET_SUCCESS && rc != BPF_FIB_LKUP_RET_NO_NEIGH) {
		return XLB_VERDICT(XLB_DROP, XLB_R_DROP_FIB);
	}
	if (p->ttl <= 1)
		return XLB_VERDICT(XLB_DROP, XLB_R_DROP_TTL_REPLY);
	if (p->key.proto == IPPROTO_TCP && (p->tcp_flags & (XLB_TCP_FIN | XLB_TCP_RST))) {
		if (!fwd)
			fwd = dnat_fwd_entry(p, rev, &halfopen);
		if (fwd)
			flow_track(p, fwd, now, 1, halfopen);
	}
	if (nat_rewrite(ctx, p, f))
		return XLB_VERDICT(XLB_DROP, XLB_R_DROP_INTERNAL);
	stats_traffic(f, p->len, 0);
	if (rc == BPF_FIB_LKUP_RET_NO_NEIGH)
		return XLB_VERDICT(XLB_PASS, XLB_R_PASS_REPLY_NO_NEIGH);
	if (rc == BPF_FIB_LKUP_RET_NOT_FWDED)
		return XLB_VERDICT(XLB_PASS, XLB_R_TX_REPLY);
	return XLB_VERDICT(fwd_transmit(ctx, p, f), XLB_R_TX_REPLY);
}

/* From a port a dnat member listens on (the cheap pre-filter): a reply to
 * a client when the member backs a dnat service. */
static __always_inline int from_dnat_member(xlb_ctx *ctx, struct xlb_pkt *p)
{
	__u32 sport = bpf_ntohs(p->key.sport);
	struct xlb_dnat_rev *rev;
	__u8 *flags;

	flags = bpf_map_lookup_elem(&xlb_svc_ports, &sport);
	if (!flags || !(*flags & (p->key.proto == IPPROTO_TCP ? XLB_PORT_TCP_REPLY : XLB_PORT_UDP_REPLY)))
		return XLB_NOT_SERVICE;
	rev = dnat_rev_lookup(&p->key.src, p->key.sport, p->key.proto, p->family);
	if (!rev)
		return XLB_NOT_SERVICE;
	return dnat_reply(ctx, p, rev);
}

static __always_inline int xlb_process(xlb_ctx *ctx, int egress)
{
	struct xlb_pkt p;
	__u8 *port_flags;
	__u32 dport;
	int reason, v;

	if (hook_vlan_tagged(ctx))
		return XLB_VERDICT(XLB_PASS, XLB_R_PASS_VLAN);
	hook_prepare(ctx);
	reason = parse_packet(PKT_DATA(ctx), PKT_DATA_END(ctx), hook_frame_len(ctx), &p);
	/* ARP and neighbour solicitation for served VIPs: answered (neigh.h). */
	if (reason == XLB_R_PASS_NOT_IP)
		return neigh_arp(ctx, &p, egress);
	if (reason != XLB_PARSE_OK)
		return XLB_VERDICT(XLB_PASS, reason);
	p.egress = egress;
	if (p.key.proto == IPPROTO_ICMP || p.key.proto == IPPROTO_ICMPV6)
		return neigh_is_solicit(ctx, &p) ? neigh_ns(ctx, &p) : icmp_translate(ctx, &p);

	/* Most traffic on a host is for no service: an array lookup (inlined
	 * by the verifier) on the port decides that without hashing. */
	dport = bpf_ntohs(p.key.dport);
	port_flags = bpf_map_lookup_elem(&xlb_svc_ports, &dport);
	if (port_flags && (*port_flags & (p.key.proto == IPPROTO_TCP ? XLB_PORT_TCP : XLB_PORT_UDP))) {
		v = to_service(ctx, &p);
		if (v != XLB_NOT_SERVICE)
			return v;
	}
	/* nat replies come to a NAT port of one of the balancer's addresses,
	 * dnat replies to a client: a member that backs a service of each
	 * sends both, told apart by where they go. */
	if (dport >= cfg_nat_port_min && dport <= cfg_nat_port_max &&
	    !(dport >= cfg_nat_hole_min && dport <= cfg_nat_hole_max) && is_snat_addr(p.family, &p.key.dst))
		return from_member(ctx, &p);
	v = from_dnat_member(ctx, &p);
	if (v != XLB_NOT_SERVICE)
		return v;
	return XLB_VERDICT(XLB_PASS, XLB_R_PASS_NOT_VIP);
}

/* The one exit: count the reason, return the action.  egress: the hook
 * sees packets this host sends (tc egress), not packets it receives. */
static __always_inline int xlb_run(xlb_ctx *ctx, int egress)
{
	int v;

	/* Counted where it was handled. */
	if (hook_seen_before(ctx))
		return XLB_PASS;
	v = xlb_process(ctx, egress);

	stats_reason(XLB_VERDICT_REASON(v));
	return XLB_VERDICT_ACTION(v);
}

#endif
