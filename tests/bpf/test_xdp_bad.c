// SPDX-License-Identifier: MIT
/* Bad packets take no state: a source that cannot be a client, or an IPv4
 * header whose checksum is wrong, is dropped and counted before anything
 * creates an entry or answers, and a packet of an established connection
 * is not checked again. */
#include "dp_env.h"

#include <linux/bpf.h>

static const char *const bad4[] = {
	"0.0.0.0", "0.1.2.3", "127.0.0.1", "224.0.0.1", "239.255.255.250", "240.0.0.1",
	"255.255.255.255",
	"198.18.0.100", /* the VIP itself */
	"198.18.1.1",   /* the balancer's own (snat) address */
};
static const char *const bad6[] = {
	"::", "::1", "ff02::1", "ff05::1:3",
	"fd00::100", /* the VIP itself */
	"fd00:1::1", /* the balancer's own (snat) address */
};

TEST(syn_and_ack_from_a_source_that_cannot_be_a_client_are_dropped)
{
	size_t n4 = sizeof(bad4) / sizeof(bad4[0]), n6 = sizeof(bad6) / sizeof(bad6[0]);
	struct pkt_desc in;
	struct env e;

	ENV_OPEN(&e, NULL);
	for (size_t i = 0; i < n4; i++) {
		in = from_client(4, IPPROTO_TCP, 40000, TCPF_SYN);
		pkt_addr(bad4[i], in.src);
		EXPECT(&e, e.if_client, &in, XDP_DROP, NULL, bad4[i]);
		in.tcp_flags = TCPF_ACK; /* no RST for it either */
		EXPECT(&e, e.if_client, &in, XDP_DROP, NULL, bad4[i]);
		in = from_client(4, IPPROTO_UDP, 40000, 0);
		pkt_addr(bad4[i], in.src);
		EXPECT(&e, e.if_client, &in, XDP_DROP, NULL, bad4[i]);
	}
	for (size_t i = 0; i < n6; i++) {
		in = from_client(6, IPPROTO_TCP, 40000, TCPF_SYN);
		pkt_addr(bad6[i], in.src);
		EXPECT(&e, e.if_client, &in, XDP_DROP, NULL, bad6[i]);
	}
	CHECK_EQ(3 * n4 + n6, env_reason(&e, XLB_R_DROP_BAD_SOURCE));
	CHECK_EQ(0, env_event(&e, XLB_EV_HALF_OPEN_NEW));
	CHECK_EQ(0, env_reason(&e, XLB_R_TX_RST_NO_FLOW));
	/* Neighbours of those: clients. */
	in = from_client(4, IPPROTO_TCP, 40000, TCPF_SYN);
	pkt_addr("1.0.0.1", in.src);
	CHECK_EQ(XDP_REDIRECT, env_verdict(&e, e.if_client, &in));
out:
	env_close(&e);
}

/* The frame of in with its IPv4 header checksum off by one. */
static size_t bad_csum(const struct pkt_desc *in, uint8_t *buf)
{
	size_t len = pkt_build(in, buf, PKT_MAX);

	buf[14 + 11] ^= 1;
	return len;
}

TEST(syn_with_a_bad_ipv4_header_checksum_is_dropped_before_taking_state)
{
	uint8_t ibuf[PKT_MAX], out[PKT_MAX];
	struct pkt_desc in;
	struct env e;
	size_t len, olen = 0;

	ENV_OPEN(&e, NULL);
	in = from_client(4, IPPROTO_TCP, 40000, TCPF_SYN);
	len = bad_csum(&in, ibuf);
	CHECK_EQ(XDP_DROP, env_run(&e, e.if_client, ibuf, len, out, &olen));
	in = from_client(4, IPPROTO_UDP, 40000, 0);
	len = bad_csum(&in, ibuf);
	CHECK_EQ(XDP_DROP, env_run(&e, e.if_client, ibuf, len, out, &olen));
	CHECK_EQ(2, env_reason(&e, XLB_R_DROP_BAD_IP_CSUM));
	CHECK_EQ(0, env_event(&e, XLB_EV_HALF_OPEN_NEW));
out:
	env_close(&e);
}

/* The checks guard what creates state, not the established path. */
TEST(established_packets_are_not_checked_again)
{
	uint8_t ibuf[PKT_MAX], out[PKT_MAX];
	struct pkt_desc in, want;
	struct env e;
	size_t len, olen = 0;

	ENV_OPEN(&e, NULL);
	in = from_client(4, IPPROTO_TCP, 40000, TCPF_SYN);
	want = to_member(&in, 0, NAT_PORT0);
	EXPECT(&e, e.if_client, &in, XDP_REDIRECT, &want, "SYN");
	in.tcp_flags = TCPF_ACK;
	len = bad_csum(&in, ibuf);
	CHECK_EQ(XDP_REDIRECT, env_run(&e, e.if_client, ibuf, len, out, &olen));
	CHECK_EQ(0, env_reason(&e, XLB_R_DROP_BAD_IP_CSUM));
out:
	env_close(&e);
}
