/* SPDX-License-Identifier: GPL-2.0 */
/* Host-local clients: cgroup socket hooks.  A connection opened on the
 * balancer host itself never crosses XDP (and a VIP such as 127.0.0.1:8080
 * is reachable from nowhere else), so it is balanced when the socket asks
 * for the VIP: connect() and sendmsg() get the next member from the same
 * service, slot and round-robin maps as XDP (a local client and a remote one
 * take turns in one order), and the socket talks to the member directly, no
 * packet rewritten.  getpeername() and recvmsg() show the VIP again.
 * Included by xlb.bpf.c after maps.h, config.h and schedule.h. */
#ifndef XLB_BPF_SOCK_H
#define XLB_BPF_SOCK_H

#include <linux/bpf.h>
#include <linux/errno.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>

#include "xlb/abi.h"
#include "consts.h"
#include "schedule.h"

/* The daemon's network namespace: only its sockets are balanced (a
 * container on the same host that happens to use a VIP's address keeps its
 * own meaning of it).  0: sockets of every namespace. */
const volatile __u64 cfg_sock_netns_cookie = 0;

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XLB_SOCK_ENTRIES);
	__type(key, struct xlb_sock_key);
	__type(value, struct xlb_sock_fwd);
} xlb_sock_fwd SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XLB_SOCK_ENTRIES);
	__type(key, struct xlb_sock_key);
	__type(value, struct xlb_sock_rev);
} xlb_sock_rev SEC(".maps");

/* The address a socket asks for (connect, sendmsg) or is shown (recvmsg,
 * getpeername).  The context allows 4-byte accesses only; user_port holds
 * the port in network order in its low 16 bits. */
static __always_inline void sock_addr_read(const struct bpf_sock_addr *ctx, __u8 family,
					   union xlb_ip *ip, __be16 *port)
{
	__builtin_memset(ip, 0, sizeof(*ip));
	if (family == XLB_FAMILY_IPV4) {
		ip->v4 = ctx->user_ip4;
	} else {
		ip->v6[0] = ctx->user_ip6[0];
		ip->v6[1] = ctx->user_ip6[1];
		ip->v6[2] = ctx->user_ip6[2];
		ip->v6[3] = ctx->user_ip6[3];
	}
	*port = (__be16)ctx->user_port;
}

static __always_inline void sock_addr_write(struct bpf_sock_addr *ctx, __u8 family,
					    const union xlb_ip *ip, __be16 port)
{
	if (family == XLB_FAMILY_IPV4) {
		ctx->user_ip4 = ip->v4;
	} else {
		ctx->user_ip6[0] = ip->v6[0];
		ctx->user_ip6[1] = ip->v6[1];
		ctx->user_ip6[2] = ip->v6[2];
		ctx->user_ip6[3] = ip->v6[3];
	}
	ctx->user_port = port;
}

static __always_inline void sock_count_new(__u32 svc_id, __u32 member_id)
{
	struct xlb_traffic_stats *s;

	s = bpf_map_lookup_elem(&xlb_svc_stats, &svc_id);
	if (s)
		s->new_flows++;
	s = bpf_map_lookup_elem(&xlb_mbr_stats, &member_id);
	if (s)
		s->new_flows++;
}

/* The member an unconnected UDP socket used for this VIP, while it still
 * serves the service and the socket sent within the UDP idle timeout. */
static __always_inline __u32 sock_sticky_member(const struct xlb_sock_key *fk,
						const struct xlb_service *svc, __u8 family, __u64 now)
{
	struct xlb_sock_fwd *f = bpf_map_lookup_elem(&xlb_sock_fwd, fk);
	struct xlb_member *m;
	__u32 id;

	if (!f || f->service_id != svc->id || now - f->last_seen_ns > cfg_timeout_udp_ns)
		return XLB_NO_MEMBER;
	id = f->member_id;
	m = bpf_map_lookup_elem(&xlb_members, &id);
	if (!m || m->family != family || m->service_id != svc->id)
		return XLB_NO_MEMBER;
	if (now - f->last_seen_ns > XLB_TOUCH_NS)
		f->last_seen_ns = now;
	return id;
}

/* So getpeername() and recvmsg() show the VIP, not where the socket was
 * sent.  Without it they would show the member: not worth failing the
 * connection for. */
static __always_inline void sock_remember_vip(__u64 cookie, const union xlb_ip *addr, __be16 port,
					      const struct xlb_svc_key *sk)
{
	struct xlb_sock_key rk;
	struct xlb_sock_rev rv;

	__builtin_memset(&rk, 0, sizeof(rk));
	rk.cookie = cookie;
	rk.addr = *addr;
	rk.port = port;
	rk.family = sk->family;
	__builtin_memset(&rv, 0, sizeof(rv));
	rv.vip = sk->vip;
	rv.port = sk->port;
	rv.family = sk->family;
	bpf_map_update_elem(&xlb_sock_rev, &rk, &rv, BPF_ANY);
}

/* A TCP connect to a service answered by the built-in page: to the
 * daemon's loopback listener for it; refused while there is none (no
 * daemon running). */
static __always_inline int sock_to_sorry_page(struct bpf_sock_addr *ctx, __u8 family,
					      const struct xlb_service *svc, const struct xlb_svc_key *sk,
					      __u64 cookie)
{
	__u32 id = svc->id;
	union xlb_ip lo;
	__be16 *port;

	port = bpf_map_lookup_elem(&xlb_sorry_port, &id);
	if (sk->proto != IPPROTO_TCP || !port || !*port) {
		bpf_set_retval(-ECONNREFUSED);
		return 0;
	}
	__builtin_memset(&lo, 0, sizeof(lo));
	if (family == XLB_FAMILY_IPV4)
		lo.v4 = bpf_htonl(0x7f000001); /* 127.0.0.1 */
	else
		lo.v6[3] = bpf_htonl(1); /* ::1 */
	sock_remember_vip(cookie, &lo, *port, sk);
	/* family, not sk->family: a constant for each hook, so the compiler
	 * keeps only the context fields that hook may write. */
	sock_addr_write(ctx, family, &lo, *port);
	return 1;
}

/* connect() (sticky 0: every connect is a new connection) and sendmsg() on
 * an unconnected UDP socket (sticky 1).  Returns the hook's verdict: 1 lets
 * the call go on (to the member, or untouched), 0 fails it with the error
 * set by bpf_set_retval (without one the kernel says EPERM). */
static __always_inline int sock_balance(struct bpf_sock_addr *ctx, __u8 family, int sticky)
{
	struct xlb_sock_key fk;
	struct xlb_sock_fwd fv;
	struct xlb_service *svc;
	struct xlb_member *m;
	struct xlb_svc_key sk;
	__u32 member_id = XLB_NO_MEMBER, proto = ctx->protocol;
	__u64 cookie, now;

	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return 1;
	__builtin_memset(&sk, 0, sizeof(sk));
	sock_addr_read(ctx, family, &sk.vip, &sk.port);
	sk.proto = (__u8)proto;
	sk.family = family;
	svc = bpf_map_lookup_elem(&xlb_services, &sk);
	if (!svc)
		return 1;
	if (cfg_sock_netns_cookie && bpf_get_netns_cookie(ctx) != cfg_sock_netns_cookie)
		return 1;

	cookie = bpf_get_socket_cookie(ctx);
	now = bpf_ktime_get_coarse_ns();
	__builtin_memset(&fk, 0, sizeof(fk));
	fk.cookie = cookie;
	fk.addr = sk.vip;
	fk.port = sk.port;
	fk.family = family;
	if (sticky)
		member_id = sock_sticky_member(&fk, svc, family, now);
	if (member_id != XLB_NO_MEMBER) {
		m = bpf_map_lookup_elem(&xlb_members, &member_id);
		if (!m)
			return 1;
		sock_addr_write(ctx, family, &m->addr, m->port);
		return 1;
	}

	/* Round-robin for every scheduler: a Maglev hash needs the source
	 * port, which connect() may not have chosen yet.  No member up: to the
	 * sorry address, or to the daemon's own sorry page on loopback (the
	 * XDP path builds the page for remote clients), else fail at once, as
	 * the RST or ICMP unreachable of the XDP path makes a remote client's
	 * call fail. */
	member_id = schedule_member(svc);
	if (member_id == XLB_NO_MEMBER && svc->on_empty == XLB_ON_EMPTY_SORRY) {
		if (svc->sorry_member == XLB_SORRY_BUILTIN)
			return sock_to_sorry_page(ctx, family, svc, &sk, cookie);
		member_id = svc->sorry_member;
	}
	if (member_id == XLB_NO_MEMBER) {
		bpf_set_retval(-ECONNREFUSED);
		return 0;
	}
	m = bpf_map_lookup_elem(&xlb_members, &member_id);
	if (!m || m->family != family) {
		bpf_set_retval(-ECONNREFUSED);
		return 0;
	}
	sock_remember_vip(cookie, &m->addr, m->port, &sk);
	if (sticky) {
		fv.service_id = svc->id;
		fv.member_id = member_id;
		fv.last_seen_ns = now;
		bpf_map_update_elem(&xlb_sock_fwd, &fk, &fv, BPF_ANY);
	}
	sock_addr_write(ctx, family, &m->addr, m->port);
	sock_count_new(svc->id, member_id);
	return 1;
}

/* getpeername() and recvmsg(): a member's address becomes the VIP again
 * for a socket that was sent to it.  These hooks must return 1. */
static __always_inline int sock_unbalance(struct bpf_sock_addr *ctx, __u8 family)
{
	struct xlb_sock_rev *rv;
	struct xlb_sock_key rk;

	__builtin_memset(&rk, 0, sizeof(rk));
	sock_addr_read(ctx, family, &rk.addr, &rk.port);
	rk.cookie = bpf_get_socket_cookie(ctx);
	rk.family = family;
	rv = bpf_map_lookup_elem(&xlb_sock_rev, &rk);
	if (rv)
		sock_addr_write(ctx, family, &rv->vip, rv->port);
	return 1;
}

/* One program per hook, each a call with its parameters. */
#define XLB_SOCK_HOOK(hook, fn, call)                 \
	SEC("cgroup/" hook)                           \
	int fn(struct bpf_sock_addr *ctx)             \
	{                                             \
		return call;                          \
	}

XLB_SOCK_HOOK("connect4", xlb_sock_connect4, sock_balance(ctx, XLB_FAMILY_IPV4, 0))
XLB_SOCK_HOOK("connect6", xlb_sock_connect6, sock_balance(ctx, XLB_FAMILY_IPV6, 0))
XLB_SOCK_HOOK("sendmsg4", xlb_sock_sendmsg4, sock_balance(ctx, XLB_FAMILY_IPV4, 1))
XLB_SOCK_HOOK("sendmsg6", xlb_sock_sendmsg6, sock_balance(ctx, XLB_FAMILY_IPV6, 1))
XLB_SOCK_HOOK("recvmsg4", xlb_sock_recvmsg4, sock_unbalance(ctx, XLB_FAMILY_IPV4))
XLB_SOCK_HOOK("recvmsg6", xlb_sock_recvmsg6, sock_unbalance(ctx, XLB_FAMILY_IPV6))
XLB_SOCK_HOOK("getpeername4", xlb_sock_peer4, sock_unbalance(ctx, XLB_FAMILY_IPV4))
XLB_SOCK_HOOK("getpeername6", xlb_sock_peer6, sock_unbalance(ctx, XLB_FAMILY_IPV6))

#endif
