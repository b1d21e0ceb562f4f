// SPDX-License-Identifier: MIT
/* The XDP program packet by packet: exact output bytes and verdicts for
 * every kind of packet the data plane rewrites, round-robin order, member
 * removal, and the counters.  Every rewritten packet's checksums are also
 * recomputed in full by tests/lib/pkt.c. */
#include "dp_env.h"

#include <linux/bpf.h>

/* A packet from the client to a VIP. */
static struct pkt_desc from_client(int family, uint8_t proto, uint16_t sport, uint8_t flags)
{
	struct pkt_desc d = { .family = family, .proto = proto, .sport = sport,
			      .dport = proto == IPPROTO_UDP ? 53 : 80, .tcp_flags = flags,
			      .seq = 1000, .ack = flags & TCPF_ACK ? 5000 : 0, .ip_id = 0x1234 };

	pkt_mac(MAC_CLIENT, d.smac);
	pkt_mac(MAC_BAL_C, d.dmac);
	pkt_addr(family == 4 ? "198.18.0.10" : "fd00::10", d.src);
	pkt_addr(family == 4 ? "198.18.0.100" : "fd00::100", d.dst);
	return d;
}

/* What the client's packet looks like on its way to member i. */
static struct pkt_desc to_member(const struct pkt_desc *in, int i, uint16_t nat_port)
{
	struct pkt_desc d = *in;

	pkt_mac(MAC_BAL_M, d.smac);
	pkt_mac(env_member_mac[i], d.dmac);
	pkt_addr(in->family == 4 ? "198.18.1.1" : "fd00:1::1", d.src);
	pkt_addr(in->family == 4 ? env_member4[i] : env_member6[i], d.dst);
	d.sport = nat_port;
	d.dport = in->proto == IPPROTO_UDP ? UDP_MEMBER_PORT : TCP_MEMBER_PORT;
	d.ttl = (in->ttl ? in->ttl : 64) - 1;
	return d;
}

/* A packet from member i to the balancer's NAT port. */
static struct pkt_desc from_member(int family, uint8_t proto, int i, uint16_t nat_port, uint8_t flags)
{
	struct pkt_desc d = { .family = family, .proto = proto, .dport = nat_port,
			      .sport = proto == IPPROTO_UDP ? UDP_MEMBER_PORT : TCP_MEMBER_PORT,
			      .tcp_flags = flags, .seq = 5000, .ack = 1001, .ip_id = 0x4321 };

	pkt_mac(env_member_mac[i], d.smac);
	pkt_mac(MAC_BAL_M, d.dmac);
	pkt_addr(family == 4 ? env_member4[i] : env_member6[i], d.src);
	pkt_addr(family == 4 ? "198.18.1.1" : "fd00:1::1", d.dst);
	return d;
}

/* What a member's reply looks like on its way back to the client. */
static struct pkt_desc to_client(const struct pkt_desc *in, uint16_t client_port)
{
	struct pkt_desc d = *in;

	pkt_mac(MAC_BAL_C, d.smac);
	pkt_mac(MAC_CLIENT, d.dmac);
	pkt_addr(in->family == 4 ? "198.18.0.100" : "fd00::100", d.src);
	pkt_addr(in->family == 4 ? "198.18.0.10" : "fd00::10", d.dst);
	d.sport = in->proto == IPPROTO_UDP ? 53 : 80;
	d.dport = client_port;
	d.ttl = (in->ttl ? in->ttl : 64) - 1;
	return d;
}

/* Runs in on ifindex; checks the verdict, the exact output (want, or the
 * input unchanged when want is NULL) and, for a rewrite, every checksum. */
static bool expect(struct env *e, int ifindex, const struct pkt_desc *in, int want_ret,
		   const struct pkt_desc *want, const char *what)
{
	uint8_t ibuf[PKT_MAX], wbuf[PKT_MAX], out[PKT_MAX];
	size_t ilen = pkt_build(in, ibuf, sizeof(ibuf)), wlen = ilen, olen = 0;
	const char *why;
	int ret;

	if (want)
		wlen = pkt_build(want, wbuf, sizeof(wbuf));
	else
		memcpy(wbuf, ibuf, ilen);
	ret = env_run(e, ifindex, ibuf, ilen, out, &olen);
	if (ret != want_ret) {
		xt_fail(__FILE__, __LINE__, "%s: verdict expected %d, got %d", what, want_ret, ret);
		return false;
	}
	if (olen != wlen) {
		xt_fail(__FILE__, __LINE__, "%s: length expected %zu, got %zu", what, wlen, olen);
		xt_hexdump_diff(wbuf, out, olen < wlen ? olen : wlen);
		return false;
	}
	if (memcmp(wbuf, out, wlen) != 0) {
		xt_fail(__FILE__, __LINE__, "%s: output differs", what);
		xt_hexdump_diff(wbuf, out, wlen);
		return false;
	}
	if (want && !pkt_csums_ok(out, olen, &why)) {
		xt_fail(__FILE__, __LINE__, "%s: %s wrong by full recomputation", what, why);
		return false;
	}
	return true;
}

#define EXPECT(...)                          \
	do {                                 \
		if (!expect(__VA_ARGS__))    \
			goto out;            \
	} while (0)

#define CHECK(cond)                                                        \
	do {                                                               \
		if (!(cond)) {                                             \
			xt_fail(__FILE__, __LINE__, "expected true: %s", #cond); \
			goto out;                                          \
		}                                                          \
	} while (0)

TEST(tcp4_syn_goes_to_first_member_with_full_nat)
{
	struct env e;
	struct pkt_desc in, want;

	ENV_OPEN(&e, NULL);
	in = from_client(4, IPPROTO_TCP, 40000, TCPF_SYN);
	want = to_member(&in, 0, NAT_PORT0);
	EXPECT(&e, e.if_client, &in, XDP_REDIRECT, &want, "SYN");
	CHECK(env_reason(&e, XLB_R_TX_NEW_FLOW) == 1);
out:
	env_close(&e);
}

TEST(tcp4_handshake_data_and_reply_follow_the_flow)
{
	struct pkt_desc syn, synack, ack, data, want;
	struct env e;

	ENV_OPEN(&e, NULL);
	syn = from_client(4, IPPROTO_TCP, 40000, TCPF_SYN);
	want = to_member(&syn, 0, NAT_PORT0);
	EXPECT(&e, e.if_client, &syn, XDP_REDIRECT, &want, "SYN");

	synack = from_member(4, IPPROTO_TCP, 0, NAT_PORT0, TCPF_SYN | TCPF_ACK);
	want = to_client(&synack, 40000);
	EXPECT(&e, e.if_member, &synack, XDP_REDIRECT, &want, "SYN-ACK");

	ack = from_client(4, IPPROTO_TCP, 40000, TCPF_ACK);
	want = to_member(&ack, 0, NAT_PORT0);
	EXPECT(&e, e.if_client, &ack, XDP_REDIRECT, &want, "ACK");

	data = from_client(4, IPPROTO_TCP, 40000, TCPF_ACK | TCPF_PSH);
	data.payload = (const uint8_t *)"GET / HTTP/1.0\r\n\r\n";
	data.payload_len = 18;
	want = to_member(&data, 0, NAT_PORT0);
	EXPECT(&e, e.if_client, &data, XDP_REDIRECT, &want, "data");

	data = from_member(4, IPPROTO_TCP, 0, NAT_PORT0, TCPF_ACK | TCPF_PSH);
	data.payload = (const uint8_t *)"HTTP/1.0 200 OK\r\n\r\n";
	data.payload_len = 19;
	want = to_client(&data, 40000);
	EXPECT(&e, e.if_member, &data, XDP_REDIRECT, &want, "reply data");

	CHECK(env_reason(&e, XLB_R_TX_NEW_FLOW) == 1);
	CHECK(env_reason(&e, XLB_R_TX_FORWARD) == 2);
	CHECK(env_reason(&e, XLB_R_TX_REPLY) == 2);
out:
	env_close(&e);
}
