/* SPDX-License-Identifier: GPL-2.0 */
/* Where a rewritten packet leaves: a forward flow's next hop comes from
 * bpf_fib_lookup (kept in the flow, refreshed every XLB_NH_REFRESH_NS), a
 * reply goes back to the interface and previous hop its flow came from
 * (or, for a flow a local client opened through tc egress, up the stack). */
#ifndef XLB_BPF_FORWARD_H
#define XLB_BPF_FORWARD_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "consts.h"
#include "parse.h"

/* The hook (hook_xdp.h or hook_tc.h) is included first by the program. */

/* AF_INET/AF_INET6 as bpf_fib_lookup wants them (no libc headers here). */
#define XLB_AF_INET  2
#define XLB_AF_INET6 10

/* Resolves the next hop toward f->nat_dst (from f->nat_src) into f:
 * bpf_fib_lookup's result, BPF_FIB_LKUP_RET_SUCCESS when f has it. */
static __always_inline int fwd_fib(xlb_ctx *ctx, __u8 proto, struct xlb_flow *f, __u64 now)
{
	int rc;

	struct bpf_fib_lookup fib;

	__builtin_memset(&fib, 0, sizeof(fib));
	fib.l4_protocol = proto;
	fib.sport = f->nat_sport;
	fib.dport = f->nat_dport;
	fib.ifindex = hook_ifindex(ctx);
	if (f->family == XLB_FAMILY_IPV4) {
		fib.family = XLB_AF_INET;
		fib.ipv4_src = f->nat_src.v4;
		fib.ipv4_dst = f->nat_dst.v4;
	} else {
		fib.family = XLB_AF_INET6;
		__builtin_memcpy(fib.ipv6_src, &f->nat_src, 16);
		__builtin_memcpy(fib.ipv6_dst, &f->nat_dst, 16);
	}
	rc = bpf_fib_lookup(ctx, &fib, sizeof(fib), 0);
	if (rc != BPF_FIB_LKUP_RET_SUCCESS)
		return rc;
	f->tx_ifindex = fib.ifindex;
	__builtin_memcpy(f->tx_dmac, fib.dmac, ETH_ALEN);
	__builtin_memcpy(f->tx_smac, fib.smac, ETH_ALEN);
	f->nh_checked_ns = now;
	return rc;
}

/* The same, 0 on success. */
static __always_inline int fwd_resolve(xlb_ctx *ctx, __u8 proto, struct xlb_flow *f, __u64 now)
{
	return fwd_fib(ctx, proto, f, now) == BPF_FIB_LKUP_RET_SUCCESS ? 0 : -1;
}

static __always_inline int fwd_refresh(xlb_ctx *ctx, __u8 proto, struct xlb_flow *f, __u64 now)
{
	if (f->nh_fixed || now - f->nh_checked_ns <= XLB_NH_REFRESH_NS)
		return 0;
	return fwd_resolve(ctx, proto, f, now);
}

/* Sends the (already rewritten) packet to the flow's next hop. */
static __always_inline int fwd_transmit(xlb_ctx *ctx, const struct xlb_pkt *p, const struct xlb_flow *f)
{
	struct ethhdr *eth;

	if (f->tx_ifindex == 0)
		return hook_send(ctx, p, 0);
	PKT_AT(eth, ctx, 0, sizeof(*eth), return XLB_DROP);
	__builtin_memcpy(eth->h_dest, f->tx_dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, f->tx_smac, ETH_ALEN);
	return hook_send(ctx, p, f->tx_ifindex);
}

#endif
