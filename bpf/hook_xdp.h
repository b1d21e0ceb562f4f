/* SPDX-License-Identifier: GPL-2.0 */
/* The data path as an XDP program: what datapath.h needs from its hook.
 * hook_tc.h is the same interface for tc; a program includes one of the two
 * before datapath.h.  The XDP frame is always linear and carries no
 * checksum state, so most of these are plain. */
#ifndef XLB_BPF_HOOK_H
#define XLB_BPF_HOOK_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "csum.h"
#include "parse.h"

typedef struct xdp_md xlb_ctx;

#define XLB_PASS XDP_PASS
#define XLB_DROP XDP_DROP

/* The name of a global (not inlined) function of this hook's program:
 * both programs link into one object. */
#define XLB_HOOK_GLOBAL(name) name##_xdp

/* Whether the packet was handled by xlb already (tc: redirected to the
 * interface this program runs on); an XDP frame never is. */
static __always_inline int hook_seen_before(xlb_ctx *ctx)
{
	return 0;
}

/* Whether the frame carries a VLAN tag outside its data (an skb's
 * offloaded tag); an XDP frame's tag is in the frame, for the parser. */
static __always_inline int hook_vlan_tagged(xlb_ctx *ctx)
{
	return 0;
}

/* Makes the headers readable; an XDP frame already is. */
static __always_inline void hook_prepare(xlb_ctx *ctx)
{
}

/* The whole frame, for the IP length checks and the byte counters. */
static __always_inline __u32 hook_frame_len(xlb_ctx *ctx)
{
	return PKT_DATA_END(ctx) - PKT_DATA(ctx);
}

/* The interface the program runs on. */
static __always_inline __u32 hook_ifindex(xlb_ctx *ctx)
{
	return ctx->ingress_ifindex;
}

/* Where replies of a flow opened by this packet go back out: the interface
 * it came in on (0 would be: to the local stack, which only tc egress uses). */
static __always_inline __u32 hook_reply_ifindex(xlb_ctx *ctx, const struct xlb_pkt *p)
{
	return ctx->ingress_ifindex;
}

/* Sends the rewritten frame out of ifindex. */
static __always_inline int hook_send(xlb_ctx *ctx, const struct xlb_pkt *p, __u32 ifindex)
{
	if (ifindex == ctx->ingress_ifindex)
		return XDP_TX;
	return bpf_redirect(ifindex, 0);
}

/* Sends an answer back where its packet came from. */
static __always_inline int hook_bounce(xlb_ctx *ctx, const struct xlb_pkt *p)
{
	return XDP_TX;
}

/* Resizes an answer's frame from p->len to new_len bytes, keeping its
 * headers where they are: the room comes at the head when it grows (every
 * XDP frame has XDP_PACKET_HEADROOM in front, while the room after it
 * depends on the driver), so the caller writes the answer from offset 0. */
static __always_inline int hook_answer_resize(xlb_ctx *ctx, const struct xlb_pkt *p, __u32 new_len)
{
	int delta = (int)new_len - (int)p->len;

	return delta > 0 ? bpf_xdp_adjust_head(ctx, -delta) : bpf_xdp_adjust_tail(ctx, delta);
}

/* Makes grow bytes of room in front of the frame, then cuts or extends it
 * to new_len bytes. */
static __always_inline int hook_grow_head(xlb_ctx *ctx, const struct xlb_pkt *p, __u32 grow, __u32 new_len)
{
	if (bpf_xdp_adjust_head(ctx, -(int)grow))
		return -1;
	return bpf_xdp_adjust_tail(ctx, (int)new_len - (int)(p->len + grow));
}

/* The TCP/UDP checksum of a rewritten packet: the words summed in addr_acc
 * (addresses, covered through the pseudo-header) and port_acc (the ports)
 * changed.  An IPv4 UDP checksum of zero stays zero. */
static __always_inline int hook_l4_csum_update(xlb_ctx *ctx, const struct xlb_pkt *p, __u64 addr_acc,
					       __u64 port_acc)
{
	__u16 *check;

	if (p->key.proto == IPPROTO_TCP) {
		PKT_AT(check, ctx, p->l4_off + 16, 2, return -1);
		*check = csum_apply(*check, addr_acc + port_acc);
	} else {
		PKT_AT(check, ctx, p->l4_off + 6, 2, return -1);
		*check = csum_apply_udp(*check, addr_acc + port_acc);
	}
	return 0;
}

/* The TCP checksum of an answer built from scratch: the pseudo-header's
 * sum and the segment's (checksum field zero). */
static __always_inline int hook_l4_csum_set(xlb_ctx *ctx, __u32 check_off, __u64 pseudo_sum, __u64 l4_sum)
{
	__u16 *check;

	PKT_AT(check, ctx, check_off, 2, return -1);
	*check = ~csum_fold(pseudo_sum + l4_sum);
	return 0;
}

/* Bytes changed that no checksum in the packet compensates (the IPv6
 * addresses and hop limit); only an skb's receive checksum cares. */
static __always_inline void hook_csum_uncovered(xlb_ctx *ctx, __u64 acc)
{
}

#endif
