// SPDX-License-Identifier: MIT
/* Malformed and unusual packets: each one must pass to the kernel exactly
 * as it came (or be dropped where that is the policy), counted under the
 * expected reason.  Truncation at every header, bad lengths, non-IP,
 * IPv6 extension headers and fragments. */
#include "dp_env.h"

enum base { B_TCP4, B_TCP6, B_UDP4, B_ICMP4_ERR };

struct malformed_case {
	const char *name;
	enum base base;
	void (*mutate)(uint8_t *f, size_t *len);
	unsigned int reason;
};

/* Offsets in an untagged frame. */
#define L3 14
#define L4_4 (L3 + 20)
#define L4_6 (L3 + 40)

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void cut_eth(uint8_t *f, size_t *len) { (void)f; *len = L3; }
static void cut_ip4(uint8_t *f, size_t *len) { (void)f; *len = L3 + 10; }
static void cut_after_ip4(uint8_t *f, size_t *len) { (void)f; *len = L4_4; }
static void cut_tcp4(uint8_t *f, size_t *len) { (void)f; *len = L4_4 + 10; }
static void cut_ip6(uint8_t *f, size_t *len) { (void)f; *len = L3 + 30; }
static void cut_tcp6(uint8_t *f, size_t *len) { (void)f; *len = L4_6 + 12; }
static void ihl_4(uint8_t *f, size_t *len) { (void)len; f[L3] = 0x44; }
static void ihl_15_short(uint8_t *f, size_t *len) { (void)len; f[L3] = 0x4f; }
static void ihl_over_total(uint8_t *f, size_t *len) { (void)len; f[L3] = 0x46; put16(f + L3 + 2, 22); }
static void total_over_frame(uint8_t *f, size_t *len) { (void)len; put16(f + L3 + 2, 1500); }
static void total_zero(uint8_t *f, size_t *len) { (void)len; put16(f + L3 + 2, 0); }
static void total_cuts_tcp(uint8_t *f, size_t *len) { (void)len; put16(f + L3 + 2, 30); }
static void version_6_in_ip4(uint8_t *f, size_t *len) { (void)len; f[L3] = 0x65; }
static void doff_4(uint8_t *f, size_t *len) { (void)len; f[L4_4 + 12] = 4 << 4; }
static void doff_15(uint8_t *f, size_t *len) { (void)len; f[L4_4 + 12] = 15 << 4; }
static void udp_len_big(uint8_t *f, size_t *len) { (void)len; put16(f + L4_4 + 4, 200); }
static void udp_len_small(uint8_t *f, size_t *len) { (void)len; put16(f + L4_4 + 4, 4); }
static void arp(uint8_t *f, size_t *len) { (void)len; put16(f + 12, 0x0806); }
static void lldp(uint8_t *f, size_t *len) { (void)len; put16(f + 12, 0x88cc); }
static void ip6_in_ip4_type(uint8_t *f, size_t *len) { (void)len; put16(f + 12, 0x86dd); }

static void vlan_cut(uint8_t *f, size_t *len)
{
	put16(f + 12, 0x8100);
	*len = 16;
}

/* Two tags (802.1ad outside, 802.1Q inside). */
static void qinq(uint8_t *f, size_t *len)
{
	memmove(f + 20, f + 12, *len - 12);
	put16(f + 12, 0x88a8);
	put16(f + 14, 10);
	put16(f + 16, 0x8100);
	put16(f + 18, 20);
	*len += 8;
}

static void ip6_plen_over_frame(uint8_t *f, size_t *len) { (void)len; put16(f + L3 + 4, 1000); }
static void ip6_version_4(uint8_t *f, size_t *len) { (void)len; f[L3] = 0x40; }

/* Inserts an 8-byte extension header of type nh before the TCP header. */
static void ip6_ext(uint8_t *f, size_t *len, uint8_t nh)
{
	memmove(f + L4_6 + 8, f + L4_6, *len - L4_6);
	memset(f + L4_6, 0, 8);
	f[L4_6] = f[L3 + 6]; /* next header: TCP */
	f[L3 + 6] = nh;
	put16(f + L3 + 4, (uint16_t)(((f[L3 + 4] << 8) | f[L3 + 5]) + 8));
	*len += 8;
}

static void ip6_hopopts(uint8_t *f, size_t *len) { ip6_ext(f, len, 0); }
static void ip6_routing(uint8_t *f, size_t *len) { ip6_ext(f, len, 43); }
static void ip6_fragment(uint8_t *f, size_t *len) { ip6_ext(f, len, 44); }
static void ip6_dstopts(uint8_t *f, size_t *len) { ip6_ext(f, len, 60); }
static void frag_first(uint8_t *f, size_t *len) { (void)len; put16(f + L3 + 6, 0x2000); }
static void frag_later(uint8_t *f, size_t *len) { (void)len; put16(f + L3 + 6, 0x00b9); }
static void frag_last(uint8_t *f, size_t *len) { (void)len; put16(f + L3 + 6, 0x0010); }
static void gre(uint8_t *f, size_t *len) { (void)len; f[L3 + 9] = 47; }
static void sctp(uint8_t *f, size_t *len) { (void)len; f[L3 + 9] = 132; }
static void icmp_cut(uint8_t *f, size_t *len) { (void)f; *len = L4_4 + 4; }
static void icmp_quote_cut(uint8_t *f, size_t *len)
{
	*len = L4_4 + 8 + 10;
	put16(f + L3 + 2, 20 + 8 + 10);
}
static void icmp_quote_ihl_3(uint8_t *f, size_t *len) { (void)len; f[L4_4 + 8] = 0x43; }
static void icmp_quote_gre(uint8_t *f, size_t *len) { (void)len; f[L4_4 + 8 + 9] = 47; }
static void icmp_quote_not_ours(uint8_t *f, size_t *len) { (void)len; f[L4_4 + 8 + 12] ^= 1; }
static void icmp_quote_later_frag(uint8_t *f, size_t *len) { (void)len; put16(f + L4_4 + 8 + 6, 0x0020); }
static void icmp_echo(uint8_t *f, size_t *len) { (void)len; f[L4_4] = 8; }

static const struct malformed_case cases[] = {
	{ "ethernet header only", B_TCP4, cut_eth, XLB_R_PASS_MALFORMED },
	{ "cut inside the IPv4 header", B_TCP4, cut_ip4, XLB_R_PASS_MALFORMED },
	{ "cut after the IPv4 header", B_TCP4, cut_after_ip4, XLB_R_PASS_MALFORMED },
	{ "cut inside the TCP header", B_TCP4, cut_tcp4, XLB_R_PASS_MALFORMED },
	{ "IHL 4", B_TCP4, ihl_4, XLB_R_PASS_MALFORMED },
	{ "IHL 15, no room for options", B_TCP4, ihl_15_short, XLB_R_PASS_MALFORMED },
	{ "IHL beyond total length", B_TCP4, ihl_over_total, XLB_R_PASS_MALFORMED },
	{ "total length beyond the frame", B_TCP4, total_over_frame, XLB_R_PASS_MALFORMED },
	{ "total length 0", B_TCP4, total_zero, XLB_R_PASS_MALFORMED },
	{ "total length cuts the TCP header", B_TCP4, total_cuts_tcp, XLB_R_PASS_MALFORMED },
	{ "version 6 under IPv4 ethertype", B_TCP4, version_6_in_ip4, XLB_R_PASS_MALFORMED },
	{ "TCP data offset 4", B_TCP4, doff_4, XLB_R_PASS_MALFORMED },
	{ "TCP data offset 15 beyond the packet", B_TCP4, doff_15, XLB_R_PASS_MALFORMED },
	{ "UDP length beyond the packet", B_UDP4, udp_len_big, XLB_R_PASS_MALFORMED },
	{ "UDP length below 8", B_UDP4, udp_len_small, XLB_R_PASS_MALFORMED },
	{ "ARP type over an IP header", B_TCP4, arp, XLB_R_PASS_ARP },
	{ "LLDP", B_TCP4, lldp, XLB_R_PASS_NOT_IP },
	{ "IPv4 bytes under IPv6 ethertype", B_TCP4, ip6_in_ip4_type, XLB_R_PASS_MALFORMED },
	{ "VLAN tag, then nothing", B_TCP4, vlan_cut, XLB_R_PASS_VLAN },
	{ "two VLAN tags", B_TCP4, qinq, XLB_R_PASS_VLAN },
	{ "cut inside the IPv6 header", B_TCP6, cut_ip6, XLB_R_PASS_MALFORMED },
	{ "cut inside the TCP header over IPv6", B_TCP6, cut_tcp6, XLB_R_PASS_MALFORMED },
	{ "IPv6 payload length beyond the frame", B_TCP6, ip6_plen_over_frame, XLB_R_PASS_MALFORMED },
	{ "version 4 under IPv6 ethertype", B_TCP6, ip6_version_4, XLB_R_PASS_MALFORMED },
	{ "IPv6 hop-by-hop options", B_TCP6, ip6_hopopts, XLB_R_PASS_IPV6_EXTHDR },
	{ "IPv6 routing header", B_TCP6, ip6_routing, XLB_R_PASS_IPV6_EXTHDR },
	{ "IPv6 fragment header", B_TCP6, ip6_fragment, XLB_R_PASS_IPV6_EXTHDR },
	{ "IPv6 destination options", B_TCP6, ip6_dstopts, XLB_R_PASS_IPV6_EXTHDR },
	{ "IPv4 first fragment to a VIP", B_TCP4, frag_first, XLB_R_PASS_FRAGMENT },
	{ "IPv4 middle fragment to a VIP", B_TCP4, frag_later, XLB_R_PASS_FRAGMENT },
	{ "IPv4 last fragment to a VIP", B_UDP4, frag_last, XLB_R_PASS_FRAGMENT },
	{ "GRE to a VIP", B_TCP4, gre, XLB_R_PASS_OTHER_PROTO },
	{ "SCTP to a VIP", B_TCP4, sctp, XLB_R_PASS_OTHER_PROTO },
	{ "ICMP header cut", B_ICMP4_ERR, icmp_cut, XLB_R_PASS_MALFORMED },
	{ "ICMP error, quote cut in its IP header", B_ICMP4_ERR, icmp_quote_cut, XLB_R_PASS_ICMP_NO_FLOW },
	{ "ICMP error, quoted IHL 3", B_ICMP4_ERR, icmp_quote_ihl_3, XLB_R_PASS_ICMP_NO_FLOW },
	{ "ICMP error, quoted GRE", B_ICMP4_ERR, icmp_quote_gre, XLB_R_PASS_ICMP_NO_FLOW },
	{ "ICMP error, quoted packet not from this host", B_ICMP4_ERR, icmp_quote_not_ours, XLB_R_PASS_ICMP_NO_FLOW },
	{ "ICMP error, quoted later fragment", B_ICMP4_ERR, icmp_quote_later_frag, XLB_R_PASS_ICMP_NO_FLOW },
	{ "ICMP echo request", B_ICMP4_ERR, icmp_echo, XLB_R_PASS_ICMP },
};

/* A valid packet of the kind the case starts from.  The ICMP error quotes a
 * packet xlb sent to a member, of a flow that exists. */
static size_t base_frame(struct env *e, enum base b, uint8_t *buf)
{
	struct pkt_desc d, sent;
	uint8_t frame[PKT_MAX], out[PKT_MAX];
	size_t n, olen;

	switch (b) {
	case B_TCP4:
		d = from_client(4, IPPROTO_TCP, 40000, TCPF_SYN);
		break;
	case B_TCP6:
		d = from_client(6, IPPROTO_TCP, 40000, TCPF_SYN);
		break;
	case B_UDP4:
		d = from_client(4, IPPROTO_UDP, 40000, 0);
		break;
	case B_ICMP4_ERR:
		d = from_client(4, IPPROTO_TCP, 39999, TCPF_SYN);
		n = pkt_build(&d, frame, sizeof(frame));
		if (env_run(e, e->if_client, frame, n, out, &olen) != XDP_REDIRECT)
			return 0;
		sent = to_member(&d, 0, NAT_PORT0);
		n = pkt_build(&sent, frame, sizeof(frame));
		memset(&d, 0, sizeof(d));
		d.family = 4;
		d.proto = IPPROTO_ICMP;
		d.icmp_type = 3;
		d.icmp_code = 4;
		d.icmp_rest = 1400;
		pkt_mac(MAC_ROUTER, d.smac);
		pkt_mac(MAC_BAL_M, d.dmac);
		pkt_addr("198.18.1.254", d.src);
		pkt_addr("198.18.1.1", d.dst);
		d.payload = frame + 14;
		d.payload_len = n - 14;
		break;
	}
	d.payload = d.payload ? d.payload : (const uint8_t *)"0123456789abcdef";
	d.payload_len = d.payload_len ? d.payload_len : 16;
	return pkt_build(&d, buf, PKT_MAX);
}

TEST(malformed_packets_pass_unchanged_with_their_reason)
{
	uint8_t in[PKT_MAX], out[PKT_MAX];
	struct env e;

	ENV_OPEN(&e, NULL);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct malformed_case *c = &cases[i];
		uint64_t before = env_reason(&e, c->reason);
		size_t len = base_frame(&e, c->base, in), olen = 0;
		int ret;

		if (!len) {
			xt_fail(__FILE__, __LINE__, "%s: cannot open the flow it quotes", c->name);
			goto out;
		}
		c->mutate(in, &len);
		ret = env_run(&e, e.if_client, in, len, out, &olen);
		/* The kernel's test run refuses an skb whose network header
		 * is cut short; the XDP run of this case covers the parser. */
		if (env_tc() && ret == -EINVAL) {
			printf("  %s: refused by the skb test run, checked under XDP only\n", c->name);
			continue;
		}
		if (ret != XDP_PASS) {
			xt_fail(__FILE__, __LINE__, "%s: expected XDP_PASS, got %d", c->name, ret);
			goto out;
		}
		if (olen != len || memcmp(in, out, len) != 0) {
			xt_fail(__FILE__, __LINE__, "%s: the packet was changed", c->name);
			xt_hexdump_diff(in, out, len < olen ? len : olen);
			goto out;
		}
		if (env_reason(&e, c->reason) != before + 1) {
			xt_fail(__FILE__, __LINE__, "%s: expected one more %s", c->name,
				xlb_reason_name(c->reason));
			goto out;
		}
	}
	printf("  %zu malformed packets\n", sizeof(cases) / sizeof(cases[0]));
out:
	env_close(&e);
}
