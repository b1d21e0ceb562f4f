// SPDX-License-Identifier: MIT
/* Answers on the link (bpf/neigh.h, global: announce: {l2: true}): an ARP
 * request or a neighbour solicitation for a served VIP becomes its reply,
 * byte for byte, sent back out of the interface it came in on with that
 * interface's MAC; the advertisement's ICMPv6 checksum is recomputed in
 * full by tests/lib/pkt.c.  Everything else passes exactly as it came,
 * counted under pass_arp, pass_nd or pass_malformed.  The VIPs and the
 * client interface's MAC are published through user/dp/maps.c, as the
 * daemon does. */
#include "dp_env.h"

#include <arpa/inet.h>

#define VIP4      "198.18.0.100"
#define VIP6      "fd00::100"
#define CLIENT4   "198.18.0.10"
#define CLIENT6   "fd00::10"
#define UNSERVED4 "198.18.0.101" /* a VIP of the fixture, not in xlb_l2_vips */
#define UNSERVED6 "fd00::101"
#define SNODE6    "ff02::1:ff00:100" /* VIP6's solicited-node address */
#define MAC_BCAST "ff:ff:ff:ff:ff:ff"
#define MAC_SNODE "33:33:ff:00:01:00"

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static bool l2_vip(struct env *e, const char *vip, bool on)
{
	union xlb_ip ip;

	memset(&ip, 0, sizeof(ip));
	pkt_addr(vip, ip.bytes);
	return xlb_maps_l2_vip_set(&e->dp.maps, &ip, strchr(vip, ':') ? XLB_FAMILY_IPV6 : XLB_FAMILY_IPV4,
				   on) == 0;
}

/* The fixture with VIP4 and VIP6 served on the link and xlb answering on
 * the client interface (not on the member one). */
static bool l2_setup(struct env *e)
{
	struct xlb_l2_iface ifc;
	__u32 ifindex = (__u32)e->if_client;

	memset(&ifc, 0, sizeof(ifc));
	pkt_mac(MAC_BAL_C, ifc.mac);
	return l2_vip(e, VIP4, true) && l2_vip(e, VIP6, true) &&
	       xlb_maps_l2_ifaces_set(&e->dp.maps, &ifindex, &ifc, 1) == 0;
}

#define L2_OPEN(e)                                                          \
	do {                                                                \
		ENV_OPEN(e, NULL);                                          \
		if (!l2_setup(e)) {                                         \
			xt_fail(__FILE__, __LINE__, "publishing the l2 maps failed"); \
			goto out;                                           \
		}                                                           \
	} while (0)

/* ---- ARP -------------------------------------------------------------- */

struct arp_desc {
	const char *eth_dst, *eth_src;
	uint16_t op;
	const char *sha, *spa, *tha, *tpa;
	uint16_t vlan;   /* a tag in front of the type */
	size_t pad;      /* zero bytes after the ARP header (a wire pads to 60) */
};

/* An Ethernet/IPv4 ARP frame, built here from RFC 826 (not by the code
 * under test); returns its length. */
static size_t arp_build(const struct arp_desc *d, uint8_t *f)
{
	size_t off = 12;
	uint8_t ip[16];

	memset(f, 0, 64);
	pkt_mac(d->eth_dst, f);
	pkt_mac(d->eth_src, f + 6);
	if (d->vlan) {
		put16(f + 12, 0x8100);
		put16(f + 14, d->vlan);
		off = 16;
	}
	put16(f + off, 0x0806);
	off += 2;
	put16(f + off, 1);
	put16(f + off + 2, 0x0800);
	f[off + 4] = 6;
	f[off + 5] = 4;
	put16(f + off + 6, d->op);
	pkt_mac(d->sha, f + off + 8);
	pkt_addr(d->spa, ip);
	memcpy(f + off + 14, ip, 4);
	pkt_mac(d->tha, f + off + 18);
	pkt_addr(d->tpa, ip);
	memcpy(f + off + 24, ip, 4);
	return off + 28 + d->pad;
}

/* The client asks who has tpa. */
static struct arp_desc arp_request(const char *tpa)
{
	return (struct arp_desc){ .eth_dst = MAC_BCAST, .eth_src = MAC_CLIENT, .op = 1,
				  .sha = MAC_CLIENT, .spa = CLIENT4, .tha = "00:00:00:00:00:00",
				  .tpa = tpa };
}

/* Runs frame in on ifindex: verdict and bytes out (want, or in unchanged). */
static bool expect_frame(struct env *e, int ifindex, const uint8_t *in, size_t ilen, int want_ret,
			 const uint8_t *want, size_t wlen, const char *what)
{
	uint8_t out[PKT_MAX];
	size_t olen = 0;
	int ret;

	if (!want) {
		want = in;
		wlen = ilen;
	}
	ret = env_run(e, ifindex, in, ilen, out, &olen);
	if (ret != want_ret) {
		xt_fail(__FILE__, __LINE__, "%s: verdict expected %d, got %d", what, want_ret, ret);
		return false;
	}
	if (olen != wlen || memcmp(want, out, wlen)) {
		xt_fail(__FILE__, __LINE__, "%s: output differs (length expected %zu, got %zu)", what,
			wlen, olen);
		xt_hexdump_diff(want, out, olen < wlen ? olen : wlen);
		return false;
	}
	return true;
}

static bool expect_arp(struct env *e, int ifindex, const struct arp_desc *in, int want_ret,
		       const struct arp_desc *want, const char *what)
{
	uint8_t ibuf[64], wbuf[64];
	size_t ilen = arp_build(in, ibuf), wlen = want ? arp_build(want, wbuf) : 0;

	return expect_frame(e, ifindex, ibuf, ilen, want_ret, want ? wbuf : NULL, wlen, what);
}

#define EXPECT_ARP(...)                       \
	do {                                  \
		if (!expect_arp(__VA_ARGS__)) \
			goto out;             \
	} while (0)

TEST(arp_request_for_a_served_vip_is_answered_from_the_interface_mac)
{
	struct arp_desc in = arp_request(VIP4), want;
	struct env e;

	L2_OPEN(&e);
	want = (struct arp_desc){ .eth_dst = MAC_CLIENT, .eth_src = MAC_BAL_C, .op = 2,
				  .sha = MAC_BAL_C, .spa = VIP4, .tha = MAC_CLIENT, .tpa = CLIENT4 };
	EXPECT_ARP(&e, e.if_client, &in, XDP_TX, &want, "request");
	/* Padded as on a wire: the padding stays, the length too. */
	in.pad = 18;
	want.pad = 18;
	EXPECT_ARP(&e, e.if_client, &in, XDP_TX, &want, "request padded to 60 bytes");
	/* A unicast request (a neighbour confirming its entry). */
	in.eth_dst = MAC_BAL_C;
	EXPECT_ARP(&e, e.if_client, &in, XDP_TX, &want, "unicast request");
	CHECK(env_reason(&e, XLB_R_TX_ARP_REPLY) == 3);
	CHECK(env_reason(&e, XLB_R_PASS_ARP) == 0);
out:
	env_close(&e);
}

TEST(arp_probe_for_a_served_vip_is_answered_so_the_prober_sees_it_in_use)
{
	struct arp_desc in = arp_request(VIP4), want;
	struct env e;

	L2_OPEN(&e);
	in.spa = "0.0.0.0"; /* RFC 5227 probe */
	want = (struct arp_desc){ .eth_dst = MAC_CLIENT, .eth_src = MAC_BAL_C, .op = 2,
				  .sha = MAC_BAL_C, .spa = VIP4, .tha = MAC_CLIENT, .tpa = "0.0.0.0" };
	EXPECT_ARP(&e, e.if_client, &in, XDP_TX, &want, "probe");
	CHECK(env_reason(&e, XLB_R_TX_ARP_REPLY) == 1);
out:
	env_close(&e);
}

TEST(arp_not_for_a_served_vip_passes_untouched)
{
	struct arp_desc in;
	struct env e;

	L2_OPEN(&e);
	in = arp_request(UNSERVED4);
	EXPECT_ARP(&e, e.if_client, &in, XDP_PASS, NULL, "a VIP not served on the link");
	in = arp_request("198.18.0.1");
	EXPECT_ARP(&e, e.if_client, &in, XDP_PASS, NULL, "the balancer's own address");
	in = arp_request(VIP4);
	EXPECT_ARP(&e, e.if_member, &in, XDP_PASS, NULL, "an interface xlb does not answer on");
	in.vlan = 10;
	EXPECT_ARP(&e, e.if_client, &in, XDP_PASS, NULL, "a request with a VLAN tag");
	in = arp_request(VIP4);
	in.spa = VIP4; /* another host announcing the VIP */
	EXPECT_ARP(&e, e.if_client, &in, XDP_PASS, NULL, "a gratuitous ARP of another host");
	in = arp_request(VIP4);
	in.op = 2;
	EXPECT_ARP(&e, e.if_client, &in, XDP_PASS, NULL, "a reply");
	in = arp_request(VIP4);
	in.eth_dst = MAC_ROUTER;
	EXPECT_ARP(&e, e.if_client, &in, XDP_PASS, NULL, "a unicast request to another host");
	/* A tagged frame is the VLAN's, counted as such before any parsing. */
	CHECK(env_reason(&e, XLB_R_PASS_ARP) == 6);
	CHECK(env_reason(&e, XLB_R_PASS_VLAN) == 1);
	CHECK(env_reason(&e, XLB_R_TX_ARP_REPLY) == 0);
out:
	env_close(&e);
}

TEST(arp_for_a_vip_withdrawn_from_the_link_passes)
{
	struct arp_desc in = arp_request(VIP4);
	struct env e;

	L2_OPEN(&e);
	CHECK(l2_vip(&e, VIP4, false));
	EXPECT_ARP(&e, e.if_client, &in, XDP_PASS, NULL, "withdrawn VIP");
	CHECK(env_reason(&e, XLB_R_PASS_ARP) == 1);
out:
	env_close(&e);
}

TEST(malformed_arp_passes_untouched)
{
	struct arp_desc req = arp_request(VIP4);
	uint8_t f[64];
	size_t len;
	struct env e;

	L2_OPEN(&e);
	len = arp_build(&req, f);
	if (!expect_frame(&e, e.if_client, f, 14 + 20, XDP_PASS, NULL, 0, "cut after 20 bytes"))
		goto out;
	put16(f + 14, 6); /* IEEE 802 hardware */
	if (!expect_frame(&e, e.if_client, f, len, XDP_PASS, NULL, 0, "hardware type 6"))
		goto out;
	len = arp_build(&req, f);
	f[18] = 8; /* hardware address length */
	if (!expect_frame(&e, e.if_client, f, len, XDP_PASS, NULL, 0, "hardware length 8"))
		goto out;
	len = arp_build(&req, f);
	put16(f + 16, 0x86dd); /* protocol type */
	if (!expect_frame(&e, e.if_client, f, len, XDP_PASS, NULL, 0, "protocol IPv6"))
		goto out;
	CHECK(env_reason(&e, XLB_R_PASS_MALFORMED) == 1);
	CHECK(env_reason(&e, XLB_R_PASS_ARP) == 3);
out:
	env_close(&e);
}

/* ---- neighbour discovery ---------------------------------------------- */

#define OPT_SLLA  1
#define OPT_TLLA  2
#define OPT_NONCE 14

/* ND body after the 8-byte ICMPv6 header: target, then options. */
struct nd_body {
	uint8_t b[64];
	size_t len;
};

static void nd_target(struct nd_body *nd, const char *target)
{
	pkt_addr(target, nd->b);
	nd->len = 16;
}

/* A link-layer address option (type, one unit, MAC) or a nonce. */
static void nd_opt(struct nd_body *nd, uint8_t type, const char *mac)
{
	uint8_t *o = nd->b + nd->len;

	memset(o, 0, 8);
	o[0] = type;
	o[1] = 1;
	if (mac)
		pkt_mac(mac, o + 2);
	else
		memcpy(o + 2, "\x01\x02\x03\x04\x05\x06", 6);
	nd->len += 8;
}

/* The client's solicitation for target: to its solicited-node address,
 * from the client's address, with its link-layer address. */
static struct pkt_desc ns_from_client(struct nd_body *nd, const char *target)
{
	struct pkt_desc d = { .family = 6, .proto = IPPROTO_ICMPV6, .ttl = 255, .icmp_type = 135 };

	pkt_mac(MAC_CLIENT, d.smac);
	pkt_mac(MAC_SNODE, d.dmac);
	pkt_addr(CLIENT6, d.src);
	pkt_addr(SNODE6, d.dst);
	nd_target(nd, target);
	nd_opt(nd, OPT_SLLA, MAC_CLIENT);
	d.payload = nd->b;
	d.payload_len = nd->len;
	return d;
}

/* The advertisement for VIP6 xlb must send: to dst at dmac, flags. */
static struct pkt_desc na_to(struct nd_body *nd, const char *dmac, const char *dst, uint32_t flags)
{
	struct pkt_desc d = { .family = 6, .proto = IPPROTO_ICMPV6, .ttl = 255, .icmp_type = 136,
			      .icmp_rest = flags };

	pkt_mac(dmac, d.dmac);
	pkt_mac(MAC_BAL_C, d.smac);
	pkt_addr(VIP6, d.src);
	pkt_addr(dst, d.dst);
	nd_target(nd, VIP6);
	nd_opt(nd, OPT_TLLA, MAC_BAL_C);
	d.payload = nd->b;
	d.payload_len = nd->len;
	return d;
}

#define NA_SOLICITED 0x40000000u
#define NA_OVERRIDE  0x20000000u

TEST(solicitation_for_a_served_vip_gets_an_advertisement_with_the_interface_mac)
{
	struct nd_body nin, nwant;
	struct pkt_desc in, want;
	struct env e;

	L2_OPEN(&e);
	in = ns_from_client(&nin, VIP6);
	want = na_to(&nwant, MAC_CLIENT, CLIENT6, NA_SOLICITED | NA_OVERRIDE);
	EXPECT(&e, e.if_client, &in, XDP_TX, &want, "solicitation");
	/* The source link-layer option, not the frame's source, is where
	 * the answer goes. */
	pkt_mac(MAC_ROUTER, in.smac);
	EXPECT(&e, e.if_client, &in, XDP_TX, &want, "from another MAC than its option");
	CHECK(env_reason(&e, XLB_R_TX_ND_ADVERT) == 2);
out:
	env_close(&e);
}

TEST(unicast_solicitation_without_options_is_answered_to_the_frame_source)
{
	struct nd_body nin, nwant;
	struct pkt_desc in, want;
	struct env e;

	L2_OPEN(&e);
	/* Neighbour unreachability detection: to the VIP itself, no option
	 * (the frame is 8 bytes shorter than the answer). */
	in = ns_from_client(&nin, VIP6);
	nin.len = 16;
	in.payload_len = 16;
	pkt_mac(MAC_BAL_C, in.dmac);
	pkt_addr(VIP6, in.dst);
	want = na_to(&nwant, MAC_CLIENT, CLIENT6, NA_SOLICITED | NA_OVERRIDE);
	EXPECT(&e, e.if_client, &in, XDP_TX, &want, "NUD solicitation");
	CHECK(env_reason(&e, XLB_R_TX_ND_ADVERT) == 1);
out:
	env_close(&e);
}

TEST(duplicate_address_detection_is_answered_to_all_nodes)
{
	struct nd_body nin, nwant;
	struct pkt_desc in, want;
	struct env e;

	L2_OPEN(&e);
	in = ns_from_client(&nin, VIP6);
	memset(in.src, 0, 16); /* :: */
	nin.len = 16;
	nd_opt(&nin, OPT_NONCE, NULL); /* Linux's DAD carries a nonce */
	in.payload_len = nin.len;
	want = na_to(&nwant, "33:33:00:00:00:01", "ff02::1", NA_OVERRIDE);
	EXPECT(&e, e.if_client, &in, XDP_TX, &want, "DAD with a nonce");
	nin.len = 16;
	in.payload_len = 16;
	EXPECT(&e, e.if_client, &in, XDP_TX, &want, "DAD without options");
	CHECK(env_reason(&e, XLB_R_TX_ND_ADVERT) == 2);
out:
	env_close(&e);
}

TEST(solicitations_not_to_answer_pass_untouched)
{
	struct nd_body nin;
	struct pkt_desc in;
	struct env e;

	L2_OPEN(&e);
	in = ns_from_client(&nin, UNSERVED6);
	EXPECT(&e, e.if_client, &in, XDP_PASS, NULL, "a VIP not served on the link");
	in = ns_from_client(&nin, "fd00::1");
	EXPECT(&e, e.if_client, &in, XDP_PASS, NULL, "the balancer's own address");
	in = ns_from_client(&nin, VIP6);
	EXPECT(&e, e.if_member, &in, XDP_PASS, NULL, "an interface xlb does not answer on");
	in.vlan = 10;
	EXPECT(&e, e.if_client, &in, XDP_PASS, NULL, "with a VLAN tag");
	in = ns_from_client(&nin, VIP6);
	in.ttl = 64;
	EXPECT(&e, e.if_client, &in, XDP_PASS, NULL, "hop limit 64 (not from the link)");
	in = ns_from_client(&nin, VIP6);
	in.icmp_code = 1;
	EXPECT(&e, e.if_client, &in, XDP_PASS, NULL, "code 1");
	in = ns_from_client(&nin, VIP6);
	pkt_mac(MAC_ROUTER, in.dmac);
	EXPECT(&e, e.if_client, &in, XDP_PASS, NULL, "unicast to another host's MAC");
	/* DAD must go to the solicited-node address, without SLLA. */
	in = ns_from_client(&nin, VIP6);
	memset(in.src, 0, 16);
	EXPECT(&e, e.if_client, &in, XDP_PASS, NULL, "DAD with a source link-layer option");
	nin.len = 16;
	in.payload_len = 16;
	pkt_addr("ff02::1", in.dst);
	EXPECT(&e, e.if_client, &in, XDP_PASS, NULL, "DAD to all nodes");
	CHECK(env_reason(&e, XLB_R_PASS_ND) == 8);
	CHECK(env_reason(&e, XLB_R_PASS_VLAN) == 1);
	CHECK(env_reason(&e, XLB_R_TX_ND_ADVERT) == 0);
out:
	env_close(&e);
}

TEST(malformed_solicitations_pass_untouched)
{
	struct nd_body nin;
	struct pkt_desc in;
	struct env e;

	L2_OPEN(&e);
	in = ns_from_client(&nin, VIP6);
	nin.b[16 + 1] = 0; /* an option of length 0 */
	EXPECT(&e, e.if_client, &in, XDP_PASS, NULL, "option length 0");
	in = ns_from_client(&nin, VIP6);
	nin.b[16 + 1] = 2; /* 16 bytes, but 8 are there */
	EXPECT(&e, e.if_client, &in, XDP_PASS, NULL, "option past the end");
	in = ns_from_client(&nin, VIP6);
	in.payload_len = 8; /* 16 bytes of ND header in all */
	EXPECT(&e, e.if_client, &in, XDP_PASS, NULL, "shorter than its header");
	CHECK(env_reason(&e, XLB_R_PASS_MALFORMED) == 3);
	CHECK(env_reason(&e, XLB_R_TX_ND_ADVERT) == 0);
out:
	env_close(&e);
}

TEST(other_icmpv6_to_a_served_vip_is_not_taken_for_neighbour_discovery)
{
	struct nd_body nin;
	struct pkt_desc in;
	struct env e;

	L2_OPEN(&e);
	in = ns_from_client(&nin, VIP6);
	in.icmp_type = 136; /* an advertisement of another host */
	EXPECT(&e, e.if_client, &in, XDP_PASS, NULL, "advertisement");
	in.icmp_type = 128; /* echo request */
	pkt_addr(VIP6, in.dst);
	EXPECT(&e, e.if_client, &in, XDP_PASS, NULL, "echo request");
	CHECK(env_reason(&e, XLB_R_PASS_ICMP) == 2);
	CHECK(env_reason(&e, XLB_R_PASS_ND) == 0);
out:
	env_close(&e);
}
