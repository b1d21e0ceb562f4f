/* SPDX-License-Identifier: GPL-2.0 */
/* The data path as a tc (clsact) program: the interface of hook_xdp.h for
 * an skb.  Three things differ from XDP:
 *   - an skb may be non-linear (GRO, TSO): the headers are pulled into its
 *     linear part first, and lengths come from skb->len, not data_end;
 *   - an skb carries checksum state the program cannot read (ip_summed):
 *     CHECKSUM_PARTIAL keeps only the pseudo-header sum in the TCP/UDP
 *     checksum field, CHECKSUM_COMPLETE keeps the sum of the packet in
 *     skb->csum.  The kernel's checksum helpers act on each state as it
 *     needs, so every checksum a rewrite changes goes through them;
 *   - at egress (p->egress) the packet comes from this host's own stack:
 *     answers and replies go back up to it instead of out of a wire. */
#ifndef XLB_BPF_HOOK_H
#define XLB_BPF_HOOK_H

#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#include "csum.h"
#include "parse.h"

typedef struct __sk_buff xlb_ctx;

#define XLB_PASS TC_ACT_OK
#define XLB_DROP TC_ACT_SHOT

/* The name of a global (not inlined) function of this hook's program:
 * both programs link into one object. */
#define XLB_HOOK_GLOBAL(name) name##_tc

/* Headers xlb reads: up to the quoted transport header of an ICMP error
 * behind a VLAN tag and IPv4 options on both IP headers. */
#define XLB_TC_PULL_LEN 192

/* skb->mark at the context pointer plus its offset, as the verifier wants
 * it (see PKT_CTX_LOAD). */
static __always_inline __u32 skb_mark(xlb_ctx *ctx)
{
	return (__u32)(long)PKT_CTX_LOAD(ctx, mark);
}

static __always_inline void skb_mark_set(xlb_ctx *ctx, __u32 mark)
{
	asm volatile("*(u32 *)(%0 + %1) = %2"
		     :
		     : "r"(ctx), "i"(__builtin_offsetof(struct __sk_buff, mark)), "r"(mark)
		     : "memory");
}

/* XLB_TC_MARK (abi.h) marks a packet xlb redirects, when it had no mark:
 * the program on the interface it then passes through (egress after a
 * redirect, ingress after a bounce) lets it go on untouched and uncounted,
 * and clears it. */
static __always_inline int hook_seen_before(xlb_ctx *ctx)
{
	if (skb_mark(ctx) != XLB_TC_MARK)
		return 0;
	skb_mark_set(ctx, 0);
	return 1;
}

static __always_inline long hook_redirect(xlb_ctx *ctx, __u32 ifindex, __u64 flags)
{
	if (skb_mark(ctx) == 0)
		skb_mark_set(ctx, XLB_TC_MARK);
	return bpf_redirect(ifindex, flags);
}

/* A tag the driver or the stack took out of the frame (VLAN offload) is
 * in the skb; the parser sees an untagged frame. */
static __always_inline int hook_vlan_tagged(xlb_ctx *ctx)
{
	return ctx->vlan_present;
}

static __always_inline void hook_prepare(xlb_ctx *ctx)
{
	__u32 want = ctx->len < XLB_TC_PULL_LEN ? ctx->len : XLB_TC_PULL_LEN;

	/* A failed pull leaves the headers short: the parser passes the
	 * packet as malformed. */
	if (PKT_DATA(ctx) + want > PKT_DATA_END(ctx))
		bpf_skb_pull_data(ctx, want);
}

static __always_inline __u32 hook_frame_len(xlb_ctx *ctx)
{
	return ctx->len;
}

static __always_inline __u32 hook_ifindex(xlb_ctx *ctx)
{
	return ctx->ifindex;
}

/* A flow opened at egress came from this host: its replies go up the
 * stack (ifindex 0). */
static __always_inline __u32 hook_reply_ifindex(xlb_ctx *ctx, const struct xlb_pkt *p)
{
	return p->egress ? 0 : ctx->ifindex;
}

static __always_inline int hook_send(xlb_ctx *ctx, const struct xlb_pkt *p, __u32 ifindex)
{
	if (ifindex == 0 || (p->egress && ifindex == ctx->ifindex))
		return TC_ACT_OK;
	return hook_redirect(ctx, ifindex, 0);
}

/* At ingress out of the same interface; at egress back in through it to
 * the local socket that sent the packet. */
static __always_inline int hook_bounce(xlb_ctx *ctx, const struct xlb_pkt *p)
{
	return hook_redirect(ctx, ctx->ifindex, p->egress ? BPF_F_INGRESS : 0);
}

/* Resizes at the tail: the TCP header stays where the skb's checksum
 * offload (CHECKSUM_PARTIAL) expects it, and the linear part is pulled to
 * the new length so the answer can be written directly. */
static __always_inline int hook_answer_resize(xlb_ctx *ctx, const struct xlb_pkt *p, __u32 new_len)
{
	if (bpf_skb_change_tail(ctx, new_len, 0))
		return -1;
	return bpf_skb_pull_data(ctx, new_len) ? -1 : 0;
}

static __always_inline int hook_grow_head(xlb_ctx *ctx, const struct xlb_pkt *p, __u32 grow, __u32 new_len)
{
	if (bpf_skb_change_head(ctx, grow, 0))
		return -1;
	if (bpf_skb_change_tail(ctx, new_len, 0))
		return -1;
	return bpf_skb_pull_data(ctx, new_len) ? -1 : 0;
}

/* A 64-bit accumulator as the 32-bit sum the helpers take. */
static __always_inline __u32 csum_wsum(__u64 acc)
{
	acc = (acc & 0xffffffff) + (acc >> 32);
	return (__u32)((acc & 0xffffffff) + (acc >> 32));
}

/* The address part as a pseudo-header change (applied to a PARTIAL
 * checksum, and to skb->csum of a COMPLETE one), the port part as a change
 * of the covered bytes (which a PARTIAL checksum does not hold yet).  The
 * helper takes a pseudo-header change as compensated inside the IP header,
 * as IPv4's header checksum does; IPv6 has none, so its address change is
 * added back to skb->csum. */
static __always_inline int hook_l4_csum_update(xlb_ctx *ctx, const struct xlb_pkt *p, __u64 addr_acc,
					       __u64 port_acc)
{
	__u32 off = p->l4_off + (p->key.proto == IPPROTO_TCP ? 16 : 6);
	__u64 flags = p->key.proto == IPPROTO_UDP ? BPF_F_MARK_MANGLED_0 : 0;

	if (bpf_l4_csum_replace(ctx, off, 0, csum_wsum(addr_acc), flags | BPF_F_PSEUDO_HDR))
		return -1;
	if (bpf_l4_csum_replace(ctx, off, 0, csum_wsum(port_acc), flags))
		return -1;
	if (p->family == XLB_FAMILY_IPV6)
		bpf_csum_update(ctx, csum_wsum(addr_acc));
	return 0;
}

/* The field gets the pseudo-header sum, which is what a PARTIAL checksum
 * holds; the segment's part is then applied as a change of covered bytes,
 * which the helper leaves out for PARTIAL and otherwise turns the field
 * into the full checksum: ~fold(~pseudo + d) = ~fold(pseudo + l4) for
 * d = 2 * pseudo + l4 in one's-complement arithmetic. */
static __always_inline int hook_l4_csum_set(xlb_ctx *ctx, __u32 check_off, __u64 pseudo_sum, __u64 l4_sum)
{
	__u16 *check, pseudo = csum_fold(pseudo_sum);

	PKT_AT(check, ctx, check_off, 2, return -1);
	*check = pseudo;
	return bpf_l4_csum_replace(ctx, check_off, 0, csum_wsum(2 * (__u64)pseudo + l4_sum), 0) ? -1 : 0;
}

/* skb->csum of a COMPLETE checksum covers every byte from the IP header
 * on; other states ignore this. */
static __always_inline void hook_csum_uncovered(xlb_ctx *ctx, __u64 acc)
{
	bpf_csum_update(ctx, csum_wsum(acc));
}

#endif
