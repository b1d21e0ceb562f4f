/* SPDX-License-Identifier: GPL-2.0 */
/* dnat replies without per-flow state.  A member (address, port,
 * protocol) backs at most one dnat service, so xlb_dnat_rev maps it to the
 * VIP and port it stands for: a reply member:port -> client:port leaves as
 * VIP:port -> client:port, its next hop from bpf_fib_lookup toward the
 * client.  Any node can translate it, whichever node saw the connection
 * open (ECMP), and a new dnat connection costs one insert, not two. */
#ifndef XLB_BPF_DNAT_H
#define XLB_BPF_DNAT_H

#include "flow.h"
#include "parse.h"

/* The reply rewrite of a packet from member (addr, port) to client
 * (addr, port), built into f (scratch, never a table's entry). */
static __always_inline void dnat_reply_entry(const struct xlb_dnat_rev *rev, const union xlb_ip *client,
					     __be16 client_port, struct xlb_flow *f)
{
	__builtin_memset(f, 0, sizeof(*f));
	f->nat_src = rev->vip;
	f->nat_sport = rev->vip_port;
	f->nat_dst = *client;
	f->nat_dport = client_port;
	f->service_id = rev->service_id;
	f->member_id = rev->member_id;
	f->dir = XLB_DIR_REPLY;
	f->family = rev->family;
	f->fwd = XLB_FWD_DNAT;
}

static __always_inline struct xlb_dnat_rev *dnat_rev_lookup(const union xlb_ip *member, __be16 port, __u8 proto,
							     __u8 family)
{
	struct xlb_dnat_rev_key k;

	__builtin_memset(&k, 0, sizeof(k));
	k.addr = *member;
	k.port = port;
	k.proto = proto;
	k.family = family;
	return bpf_map_lookup_elem(&xlb_dnat_rev, &k);
}

/* The forward entry of the connection a reply from member (rev) to
 * p's destination belongs to, in xlb_flows or else xlb_halfopen (*halfopen
 * says which); NULL when there is none. */
static __always_inline struct xlb_flow *dnat_fwd_entry(const struct xlb_pkt *p, const struct xlb_dnat_rev *rev,
						       int *halfopen)
{
	struct xlb_flow_key fk;
	struct xlb_flow *f;

	__builtin_memset(&fk, 0, sizeof(fk));
	fk.src = p->key.dst;
	fk.dst = rev->vip;
	fk.sport = p->key.dport;
	fk.dport = rev->vip_port;
	fk.proto = p->key.proto;
	fk.family = p->family;
	*halfopen = 0;
	f = bpf_map_lookup_elem(&xlb_flows, &fk);
	if (f)
		return f;
	*halfopen = 1;
	return bpf_map_lookup_elem(&xlb_halfopen, &fk);
}

#endif
