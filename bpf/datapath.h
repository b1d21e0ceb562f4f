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
#include <bpf/bpf_helpers.h>

#include "map_defs.h"
#include "consts.h"
#include "parse.h"
#include "csum.h"
#include "stats.h"
#include "flow.h"
#include "schedule.h"
#include "nat.h"
#include "forward.h"
#include "reject.h"
#include "icmp.h"
#include "sorry.h"
#include "neigh.h"

static __always_inline int is_snat_addr(const struct xlb_pkt *p)
{
	__u32 zero = 0;
	struct xlb_snat_set *set = bpf_map_lookup_elem(&xlb_snat, &zero);

	if (!set)
		return 0;
	for (int i = 0; i < XLB_MAX_SNAT_ADDRS; i++) {
		if (i >= set->count)
			break;
		if (set->addr[i].family == p->family && addr_eq(&set->addr[i].addr, &p->key.dst))
			return 1;
	}
	return 0;
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

/* dnat keeps the client's tuple, so the reply entry's key (member ->
 * client) is fixed: inserted unless a live flow holds it (the same client
 * port to two VIPs of one member); an orphaned entry is replaced. */
static __always_inline int dnat_insert_reply(const struct xlb_flow *fwd, const struct xlb_flow *rev, __u8 proto,
					     __u64 now)
{
	struct xlb_flow_key rk;
	struct xlb_flow *cur;

	flow_peer_key(fwd, proto, &rk);
	if (bpf_map_update_elem(&xlb_flows, &rk, rev, BPF_NOEXIST) == 0)
		return 0;
	cur = bpf_map_lookup_elem(&xlb_flows, &rk);
	if (cur && !flow_reply_orphaned(cur, &rk, now))
		return -1;
	return bpf_map_update_elem(&xlb_flows, &rk, rev, BPF_ANY) ? -1 : 0;
}

/* A connection-opening packet without a live flow: pick a member, allocate
 * the NAT port, insert both entries, rewrite and send.  old is the stale or
 * closed entry of the same tuple, if any.  rederive: a mid-connection
 * packet of a Maglev service that keeps the client's tuple (dnat, dsr),
 * whose member the hash finds again (this node lost the flow, or another
 * node had it). */
static __always_inline int new_flow(xlb_ctx *ctx, struct xlb_pkt *p, const struct xlb_service *svc,
				    const struct xlb_flow *old, __u64 now, int rederive)
{
	struct xlb_flow *fwd, *rev;
	struct xlb_new_flow *nf;
	struct xlb_member *m;
	struct ethhdr *eth;
	__u32 member_id, zero = 0;

	member_id = schedule_packet(svc, p);
	if (member_id == XLB_NO_MEMBER && rederive)
		return rst_reply(ctx, p, now, XLB_R_TX_RST_NO_FLOW);
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
	if (fwd_resolve(ctx, p->key.proto, fwd, now))
		return XLB_VERDICT(XLB_DROP, XLB_R_DROP_FIB);

	__builtin_memset(rev, 0, sizeof(*rev));
	rev->nat_src = p->key.dst;
	rev->nat_dst = p->key.src;
	rev->nat_sport = p->key.dport;
	rev->nat_dport = p->key.sport;
	rev->service_id = svc->id;
	rev->member_id = member_id;
	rev->state = fwd->state;
	rev->dir = XLB_DIR_REPLY;
	rev->family = p->family;
	rev->nh_fixed = 1;
	rev->fwd = svc->forwarding;
	rev->tx_ifindex = hook_reply_ifindex(ctx, p);
	PKT_AT(eth, ctx, 0, sizeof(*eth), return XLB_VERDICT(XLB_DROP, XLB_R_DROP_INTERNAL));
	__builtin_memcpy(rev->tx_dmac, eth->h_source, ETH_ALEN);
	__builtin_memcpy(rev->tx_smac, eth->h_dest, ETH_ALEN);
	rev->created_ns = now;
	rev->last_seen_ns = now;

	if (old) {
		struct xlb_flow_key ork;

		flow_peer_key(old, p->key.proto, &ork);
		bpf_map_delete_elem(&xlb_flows, &ork);
	}
	/* Replies: nat allocates the source port with its reply entry, dnat
	 * inserts the reply entry of the client's own tuple, dsr has none. */
	if (svc->forwarding == XLB_FWD_NAT) {
		if (nat_alloc_port(fwd, rev, p->key.proto, now))
			return XLB_VERDICT(XLB_DROP, XLB_R_DROP_NAT_PORTS);
	} else if (svc->forwarding == XLB_FWD_DNAT) {
		if (dnat_insert_reply(fwd, rev, p->key.proto, now))
			return XLB_VERDICT(XLB_DROP, XLB_R_DROP_FLOW_INSERT);
	}
	if (bpf_map_update_elem(&xlb_flows, &p->key, fwd, BPF_ANY)) {
		struct xlb_flow_key rk;

		flow_peer_key(fwd, p->key.proto, &rk);
		if (svc->forwarding != XLB_FWD_DSR)
			bpf_map_delete_elem(&xlb_flows, &rk);
		return XLB_VERDICT(XLB_DROP, XLB_R_DROP_FLOW_INSERT);
	}
	if (fwd->fwd != XLB_FWD_DSR && nat_rewrite(ctx, p, fwd))
		return XLB_VERDICT(XLB_DROP, XLB_R_DROP_INTERNAL);
	stats_traffic(fwd, p->len, 1);
	return XLB_VERDICT(fwd_transmit(ctx, p, fwd), rederive ? XLB_R_TX_REDERIVED : XLB_R_TX_NEW_FLOW);
}

/* to_service() found no service: the packet is not for a VIP. */
#define XLB_NOT_SERVICE (-1)

/* A packet to a service port.  The flow comes first: a packet of a live
 * connection needs nothing else (and keeps flowing after its service is
 * removed, like the flows of a removed member); only a packet without a
 * live flow looks up the service. */
static __always_inline int to_service(xlb_ctx *ctx, struct xlb_pkt *p)
{
	__u64 now = bpf_ktime_get_coarse_ns();
	int opens = p->key.proto == IPPROTO_UDP || tcp_opens(p);
	struct xlb_service *svc;
	struct xlb_svc_key sk;
	struct xlb_flow *f;

	f = bpf_map_lookup_elem(&xlb_flows, &p->key);
	if (f && f->dir != XLB_DIR_FORWARD)
		f = NULL;
	/* A SYN on a live tuple: a retransmission while the connection opens
	 * or is open keeps its member; after FIN/RST the tuple is reused. */
	if (f && flow_live(f, now) && !(tcp_opens(p) && f->state >= XLB_FLOW_FIN)) {
		if (p->ttl <= 1)
			return XLB_VERDICT(XLB_PASS, XLB_R_PASS_TTL_EXPIRED);
		flow_track(p, f, now);
		if (fwd_refresh(ctx, p->key.proto, f, now))
			return XLB_VERDICT(XLB_DROP, XLB_R_DROP_FIB);
		if (f->fwd != XLB_FWD_DSR && nat_rewrite(ctx, p, f))
			return XLB_VERDICT(XLB_DROP, XLB_R_DROP_INTERNAL);
		stats_traffic(f, p->len, 0);
		return XLB_VERDICT(fwd_transmit(ctx, p, f), XLB_R_TX_FORWARD);
	}

	sk.vip = p->key.dst;
	sk.port = p->key.dport;
	sk.proto = p->key.proto;
	sk.family = p->family;
	svc = bpf_map_lookup_elem(&xlb_services, &sk);
	if (!svc)
		return XLB_NOT_SERVICE;
	if (p->ttl <= 1)
		return XLB_VERDICT(XLB_PASS, XLB_R_PASS_TTL_EXPIRED);
	/* f, if any, is stale or closed: its tuple is scheduled anew. */
	if (opens)
		return new_flow(ctx, p, svc, f, now, 0);
	if (svc->scheduler == XLB_SCHED_MAGLEV && svc->forwarding != XLB_FWD_NAT &&
	    !(p->tcp_flags & XLB_TCP_RST))
		return new_flow(ctx, p, svc, f, now, 1);
	if (svc->on_empty == XLB_ON_EMPTY_SORRY && svc->sorry_member == XLB_SORRY_BUILTIN)
		return sorry_segment(ctx, p, svc, now);
	return rst_reply(ctx, p, now, XLB_R_TX_RST_NO_FLOW);
}

/* A member's reply: translated back to VIP -> client. */
static __always_inline int reply(xlb_ctx *ctx, struct xlb_pkt *p, struct xlb_flow *f)
{
	/* The kernel would take it as its own: it cannot send time exceeded. */
	if (p->ttl <= 1)
		return XLB_VERDICT(XLB_DROP, XLB_R_DROP_TTL_REPLY);
	flow_track(p, f, bpf_ktime_get_coarse_ns());
	if (nat_rewrite(ctx, p, f))
		return XLB_VERDICT(XLB_DROP, XLB_R_DROP_INTERNAL);
	stats_traffic(f, p->len, 0);
	return XLB_VERDICT(fwd_transmit(ctx, p, f), XLB_R_TX_REPLY);
}

/* Member -> balancer's own address: a reply if a reply entry matches,
 * else the kernel's own traffic (health checks). */
static __always_inline int from_member(xlb_ctx *ctx, struct xlb_pkt *p)
{
	struct xlb_flow *f = bpf_map_lookup_elem(&xlb_flows, &p->key);

	if (!f || f->dir != XLB_DIR_REPLY)
		return XLB_VERDICT(XLB_PASS, XLB_R_PASS_LOCAL);
	return reply(ctx, p, f);
}

/* From a port a dnat member listens on: a reply to a client if a reply
 * entry matches (dnat keeps the client's address, so replies are not to
 * one of the balancer's own). */
static __always_inline int from_dnat_member(xlb_ctx *ctx, struct xlb_pkt *p)
{
	__u32 sport = bpf_ntohs(p->key.sport);
	struct xlb_flow *f;
	__u8 *flags;

	flags = bpf_map_lookup_elem(&xlb_svc_ports, &sport);
	if (!flags || !(*flags & (p->key.proto == IPPROTO_TCP ? XLB_PORT_TCP_REPLY : XLB_PORT_UDP_REPLY)))
		return XLB_NOT_SERVICE;
	f = bpf_map_lookup_elem(&xlb_flows, &p->key);
	if (!f || f->dir != XLB_DIR_REPLY)
		return XLB_NOT_SERVICE;
	return reply(ctx, p, f);
}

static __always_inline int xlb_process(xlb_ctx *ctx, int egress)
{
	struct xlb_pkt p;
	__u8 *port_flags;
	__u32 dport;
	int reason, v;

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
	v = from_dnat_member(ctx, &p);
	if (v != XLB_NOT_SERVICE)
		return v;
	/* Replies come to a NAT port of one of the balancer's addresses. */
	if (dport >= cfg_nat_port_min && dport <= cfg_nat_port_max && is_snat_addr(&p))
		return from_member(ctx, &p);
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
