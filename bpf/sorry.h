/* SPDX-License-Identifier: GPL-2.0 */
/* The built-in sorry responder of `on_empty: sorry` without a
 * sorry_address: a TCP endpoint of its own in XDP that answers every
 * connection with the service's 503 page and closes.  Stateless, like SYN
 * cookies: the SYN-ACK's sequence number is a keyed hash of the tuple, and a
 * later segment is ours only when it acknowledges that number; everything
 * else gets the usual RST.
 *
 *   client SYN            -> SYN-ACK  seq C                (C = cookie)
 *   client data (request) -> page     seq C+1, ACK|PSH|FIN  (one segment)
 *   client FIN            -> ACK      seq = what it acknowledges
 *   client pure ACK       -> dropped
 *
 * Why not a socket in the daemon: a new connection NATed to a local socket
 * is dropped by the kernel as a martian when its source is the balancer's
 * own address (full NAT), and when the client's address is kept the local
 * socket's replies leave through the kernel with the socket's address, not
 * the VIP, and XDP never sees them to translate.  The page fits one segment
 * (XLB_SORRY_LEN bytes, which the request's frame can always grow to), so
 * nothing needs retransmitting state: a lost page is sent again for the
 * client's retransmitted request. */
#ifndef XLB_BPF_SORRY_H
#define XLB_BPF_SORRY_H

#include "xlb/flow_hash.h"
#include "reject.h"

#define XLB_SORRY_WINDOW 65535

static __always_inline __u32 sorry_cookie(const struct xlb_pkt *p, const struct xlb_sorry_page *page)
{
	return xlb_flow_hash(&p->key) ^ page->secret;
}

/* A SYN to a service without members: the SYN-ACK. */
static __always_inline int sorry_syn(xlb_ctx *ctx, struct xlb_pkt *p, const struct xlb_service *svc,
				     __u64 now)
{
	struct xlb_sorry_page *page;
	struct tcphdr *tcp;
	__u32 id = svc->id;

	page = bpf_map_lookup_elem(&xlb_sorry, &id);
	if (!page || p->key.proto != IPPROTO_TCP || !page->secret ||
	    (p->family == XLB_FAMILY_IPV4 && p->l3_hlen != sizeof(struct iphdr)))
		return XLB_VERDICT(XLB_DROP, XLB_R_DROP_NO_MEMBER);
	if (!answer_allowed(now))
		return XLB_VERDICT(XLB_DROP, XLB_R_DROP_ANSWER_RATELIMIT);
	PKT_AT(tcp, ctx, p->l4_off, sizeof(*tcp), return XLB_VERDICT(XLB_DROP, XLB_R_DROP_INTERNAL));
	return tcp_answer(ctx, p, bpf_htonl(sorry_cookie(p, page)), bpf_htonl(bpf_ntohl(tcp->seq) + 1),
			  XLB_TCP_SYN | XLB_TCP_ACK, bpf_htons(XLB_SORRY_WINDOW), NULL, XLB_R_TX_SORRY);
}

/* A segment without a flow to a service answered by the responder: ours
 * when it acknowledges our SYN-ACK (C+1) or our page (C+2+len); otherwise
 * the RST any stray segment gets. */
static __always_inline int sorry_segment(xlb_ctx *ctx, struct xlb_pkt *p, const struct xlb_service *svc,
					 __u64 now)
{
	__u32 id = svc->id, c, ack, seq, seg_len;
	struct xlb_sorry_page *page;
	__u8 flags = p->tcp_flags;
	struct tcphdr *tcp;

	page = bpf_map_lookup_elem(&xlb_sorry, &id);
	if (!page || !page->secret || !(flags & XLB_TCP_ACK) || (flags & (XLB_TCP_SYN | XLB_TCP_RST)) ||
	    (p->family == XLB_FAMILY_IPV4 && p->l3_hlen != sizeof(struct iphdr)))
		return rst_reply(ctx, p, now, XLB_R_TX_RST_NO_FLOW);
	PKT_AT(tcp, ctx, p->l4_off, sizeof(*tcp), return XLB_VERDICT(XLB_DROP, XLB_R_DROP_INTERNAL));
	c = sorry_cookie(p, page);
	ack = bpf_ntohl(tcp->ack_seq);
	seq = bpf_ntohl(tcp->seq);
	seg_len = p->l4_len - tcp->doff * 4;
	if (ack != c + 1 && ack != c + 2 + XLB_SORRY_LEN)
		return rst_reply(ctx, p, now, XLB_R_TX_RST_NO_FLOW);
	if (!answer_allowed(now))
		return XLB_VERDICT(XLB_DROP, XLB_R_DROP_ANSWER_RATELIMIT);
	if (ack == c + 1 && seg_len)
		/* The request: the whole answer, and our FIN with it. */
		return tcp_answer(ctx, p, bpf_htonl(c + 1), bpf_htonl(seq + seg_len + !!(flags & XLB_TCP_FIN)),
				  XLB_TCP_ACK | XLB_TCP_PSH | XLB_TCP_FIN, bpf_htons(XLB_SORRY_WINDOW), page,
				  XLB_R_TX_SORRY);
	if (flags & XLB_TCP_FIN)
		/* The client closes: acknowledge (and close too if the page
		 * was never asked for). */
		return tcp_answer(ctx, p, bpf_htonl(ack), bpf_htonl(seq + seg_len + 1),
				  ack == c + 1 ? XLB_TCP_ACK | XLB_TCP_FIN : XLB_TCP_ACK,
				  bpf_htons(XLB_SORRY_WINDOW), NULL, XLB_R_TX_SORRY);
	return XLB_VERDICT(XLB_DROP, XLB_R_DROP_SORRY_ACK);
}

#endif
