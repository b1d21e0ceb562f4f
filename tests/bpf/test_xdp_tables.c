// SPDX-License-Identifier: MIT
/* The two connection tables, packet by packet: a handshake lives in
 * xlb_halfopen until the client proves itself, is then promoted into
 * xlb_flows; a full xlb_flows refuses new connections at once and raises
 * the full flag; a SYN flood only churns xlb_halfopen.  Exact output bytes,
 * reason and event counters asserted. */
#include "dp_env.h"

#include <linux/bpf.h>

TEST(tcp4_ack_promotes_the_half_open_connection_into_the_flow_table)
{
	struct pkt_desc syn, synack, ack, want;
	struct xlb_flow_key fk, rk;
	struct xlb_flow f, r;
	struct env e;

	ENV_OPEN(&e, NULL);
	syn = from_client(4, IPPROTO_TCP, 40000, TCPF_SYN);
	want = to_member(&syn, 0, NAT_PORT0);
	EXPECT(&e, e.if_client, &syn, XDP_REDIRECT, &want, "SYN");
	/* The SYN-ACK finds its reply entry in xlb_halfopen. */
	synack = from_member(4, IPPROTO_TCP, 0, NAT_PORT0, TCPF_SYN | TCPF_ACK);
	want = to_client(&synack, 40000);
	EXPECT(&e, e.if_member, &synack, XDP_REDIRECT, &want, "SYN-ACK");
	tcp4_keys(&fk, &rk, 40000, 0, NAT_PORT0);
	CHECK_EQ(-ENOENT, flow_get(&e, &fk, &f));

	ack = from_client(4, IPPROTO_TCP, 40000, TCPF_ACK);
	want = to_member(&ack, 0, NAT_PORT0);
	EXPECT(&e, e.if_client, &ack, XDP_REDIRECT, &want, "ACK");
	CHECK_EQ(0, flow_get(&e, &fk, &f));
	CHECK_EQ(0, flow_get(&e, &rk, &r));
	CHECK_EQ(XLB_FLOW_ESTABLISHED, f.state);
	CHECK_EQ(XLB_FLOW_ESTABLISHED, r.state);
	CHECK_EQ(XLB_DIR_FORWARD, f.dir);
	CHECK_EQ(XLB_DIR_REPLY, r.dir);
	CHECK_EQ(0, f.flags);
	CHECK_EQ(NAT_PORT0, ntohs(f.nat_sport));
	CHECK_EQ((uint32_t)e.if_client, r.tx_ifindex);
	/* The half-open copy stays, marked as a duplicate. */
	CHECK_EQ(0, halfopen_get(&e, &fk, &f));
	CHECK_EQ(XLB_FLOW_F_PROMOTED, f.flags);

	/* Established: both directions through xlb_flows. */
	EXPECT(&e, e.if_client, &ack, XDP_REDIRECT, &want, "second ACK");
	want = to_client(&synack, 40000);
	synack.tcp_flags = TCPF_ACK;
	want.tcp_flags = TCPF_ACK;
	EXPECT(&e, e.if_member, &synack, XDP_REDIRECT, &want, "reply");
	CHECK_EQ(1, env_event(&e, XLB_EV_HALF_OPEN_NEW));
	CHECK_EQ(1, env_event(&e, XLB_EV_PROMOTED));
	CHECK_EQ(1, env_reason(&e, XLB_R_TX_NEW_FLOW));
	CHECK_EQ(2, env_reason(&e, XLB_R_TX_FORWARD));
	CHECK_EQ(2, env_reason(&e, XLB_R_TX_REPLY));
out:
	env_close(&e);
}

TEST(udp4_second_datagram_promotes_and_the_first_is_answered_from_half_open)
{
	struct xlb_flow_key fk, rk;
	struct pkt_desc in, rep, want;
	struct xlb_flow f;
	struct env e;

	ENV_OPEN(&e, NULL);
	in = from_client(4, IPPROTO_UDP, 40000, 0);
	want = to_member(&in, 0, NAT_PORT0);
	EXPECT(&e, e.if_client, &in, XDP_REDIRECT, &want, "first datagram");
	rep = from_member(4, IPPROTO_UDP, 0, NAT_PORT0, 0);
	want = to_client(&rep, 40000);
	EXPECT(&e, e.if_member, &rep, XDP_REDIRECT, &want, "answer through the half-open entry");
	flow_key(&fk, 4, IPPROTO_UDP, "198.18.0.10", 40000, "198.18.0.100", 53);
	flow_key(&rk, 4, IPPROTO_UDP, env_member4[0], UDP_MEMBER_PORT, "198.18.1.1", NAT_PORT0);
	CHECK_EQ(-ENOENT, flow_get(&e, &fk, &f));
	CHECK_EQ(0, halfopen_get(&e, &fk, &f));
	CHECK_EQ(XLB_FLOW_UDP, f.state);

	want = to_member(&in, 0, NAT_PORT0);
	EXPECT(&e, e.if_client, &in, XDP_REDIRECT, &want, "second datagram");
	CHECK_EQ(0, flow_get(&e, &fk, &f));
	CHECK_EQ(XLB_FLOW_UDP, f.state);
	CHECK_EQ(0, flow_get(&e, &rk, &f));
	CHECK_EQ(XLB_DIR_REPLY, f.dir);
	CHECK_EQ(1, env_event(&e, XLB_EV_PROMOTED));
	CHECK_EQ(1, env_reason(&e, XLB_R_TX_NEW_FLOW));
out:
	env_close(&e);
}

static void full_opts(struct xlb_dp_opts *o, uint32_t rst_rate)
{
	xlb_dp_opts_default(o);
	o->flow_entries = XLB_FLOWS_MIN;
	o->rst_rate = rst_rate;
}

TEST(full_flow_table_refuses_the_promotion_with_a_rst_and_raises_the_flag)
{
	struct xlb_flow_key fk, rk;
	struct pkt_desc in, want;
	struct xlb_dp_opts o;
	struct xlb_flow f;
	struct env e;

	full_opts(&o, XLB_RST_RATE_DEFAULT);
	ENV_OPEN(&e, &o);
	CHECK_EQ(0, flows_fill(&e, XLB_FLOWS_MIN, XLB_FLOWS_MIN));
	in = from_client(4, IPPROTO_TCP, 40000, TCPF_SYN);
	want = to_member(&in, 0, NAT_PORT0);
	EXPECT(&e, e.if_client, &in, XDP_REDIRECT, &want, "SYN: half-open needs no room in xlb_flows");
	CHECK_EQ(0, dp_full(&e));

	in = from_client(4, IPPROTO_TCP, 40000, TCPF_ACK);
	want = rst_for(&in);
	EXPECT(&e, e.if_client, &in, XDP_TX, &want, "ACK: no room to promote, RST");
	CHECK_EQ(1, dp_full(&e));
	CHECK_EQ(1, env_event(&e, XLB_EV_TABLE_FULL));
	CHECK_EQ(1, env_event(&e, XLB_EV_FULL_EPISODES));
	CHECK_EQ(0, env_event(&e, XLB_EV_PROMOTED));
	/* Nothing of it went into xlb_flows (the reply entry is taken back). */
	tcp4_keys(&fk, &rk, 40000, 0, NAT_PORT0);
	CHECK_EQ(-ENOENT, flow_get(&e, &fk, &f));
	CHECK_EQ(-ENOENT, flow_get(&e, &rk, &f));

	/* While the flag is up, a SYN is refused at once: no half-open entry. */
	in = from_client(4, IPPROTO_TCP, 40001, TCPF_SYN);
	want = rst_for(&in);
	EXPECT(&e, e.if_client, &in, XDP_TX, &want, "SYN while full");
	flow_key(&fk, 4, IPPROTO_TCP, "198.18.0.10", 40001, "198.18.0.100", 80);
	CHECK_EQ(-ENOENT, halfopen_get(&e, &fk, &f));
	CHECK_EQ(2, env_reason(&e, XLB_R_TX_RST_TABLE_FULL));
	CHECK_EQ(1, env_event(&e, XLB_EV_HALF_OPEN_NEW));
	CHECK_EQ(1, env_event(&e, XLB_EV_FULL_EPISODES));
out:
	env_close(&e);
}

TEST(full_flow_table_refuses_udp_with_port_unreachable)
{
	uint8_t quoted[PKT_MAX];
	struct pkt_desc in, want;
	struct xlb_dp_opts o;
	struct env e;

	full_opts(&o, XLB_RST_RATE_DEFAULT);
	ENV_OPEN(&e, &o);
	CHECK_EQ(0, flows_fill(&e, XLB_FLOWS_MIN, XLB_FLOWS_MIN));
	in = from_client(4, IPPROTO_UDP, 40000, 0);
	want = to_member(&in, 0, NAT_PORT0);
	EXPECT(&e, e.if_client, &in, XDP_REDIRECT, &want, "first datagram");
	want = unreach_for(&in, quoted);
	EXPECT(&e, e.if_client, &in, XDP_TX, &want, "second datagram: no room to promote");
	in.sport = 40001;
	want = unreach_for(&in, quoted);
	EXPECT(&e, e.if_client, &in, XDP_TX, &want, "first datagram of another flow while full");
	CHECK_EQ(2, env_reason(&e, XLB_R_TX_UNREACH_TABLE_FULL));
	CHECK_EQ(1, dp_full(&e));
out:
	env_close(&e);
}

TEST(full_flow_table_drops_when_no_answer_may_be_sent)
{
	struct pkt_desc in, want;
	struct xlb_dp_opts o;
	struct env e;

	full_opts(&o, 0);
	ENV_OPEN(&e, &o);
	CHECK_EQ(0, flows_fill(&e, XLB_FLOWS_MIN, XLB_FLOWS_MIN));
	in = from_client(4, IPPROTO_TCP, 40000, TCPF_SYN);
	want = to_member(&in, 0, NAT_PORT0);
	EXPECT(&e, e.if_client, &in, XDP_REDIRECT, &want, "SYN");
	in.tcp_flags = TCPF_ACK;
	in.ack = 5000;
	EXPECT(&e, e.if_client, &in, XDP_DROP, NULL, "ACK, no RSTs allowed");
	in = from_client(6, IPPROTO_TCP, 40000, TCPF_SYN);
	EXPECT(&e, e.if_client, &in, XDP_DROP, NULL, "SYN while full, no RSTs allowed");
	CHECK_EQ(2, env_reason(&e, XLB_R_DROP_TABLE_FULL));
	CHECK_EQ(0, env_reason(&e, XLB_R_DROP_ANSWER_RATELIMIT));
out:
	env_close(&e);
}

/* n SYNs from clients 198.19.x.y (never answered) to VIP:80; the number
 * forwarded. */
static int syn_flood(struct env *e, int n)
{
	uint8_t in[PKT_MAX], out[PKT_MAX];
	int forwarded = 0;

	for (int i = 0; i < n; i++) {
		struct pkt_desc d = from_client(4, IPPROTO_TCP, (uint16_t)(1024 + i % 50000), TCPF_SYN);
		size_t len, olen = 0;

		pkt_addr("198.19.0.0", d.src);
		d.src[2] = (uint8_t)(i >> 8);
		d.src[3] = (uint8_t)i;
		len = pkt_build(&d, in, sizeof(in));
		forwarded += env_run(e, e->if_client, in, len, out, &olen) == XDP_REDIRECT;
	}
	return forwarded;
}

TEST(syn_flood_churns_half_open_and_leaves_the_established_connection_alone)
{
	static const uint32_t only_0[] = { 0 };
	struct pkt_desc in, want;
	struct xlb_dp_opts o;
	struct env e;

	/* 1024 half-open entries hold at most 512 nat handshakes; member 0
	 * has 768 ports: without the LRU giving the ports of evicted
	 * handshakes back, they would run out after 768 SYNs. */
	xlb_dp_opts_default(&o);
	o.flow_entries = 4096;
	o.half_open_entries = XLB_HALFOPEN_MIN;
	o.nat_port_min = 2000;
	o.nat_port_max = 2767;
	ENV_OPEN(&e, &o);
	CHECK(env_publish(&e, SVC_TCP4, only_0, 1) == 0);
	in = from_client(4, IPPROTO_TCP, 40000, TCPF_SYN);
	want = to_member(&in, 0, 2000);
	EXPECT(&e, e.if_client, &in, XDP_REDIRECT, &want, "SYN");
	in.tcp_flags = TCPF_ACK;
	in.ack = 5000;
	want = to_member(&in, 0, 2000);
	EXPECT(&e, e.if_client, &in, XDP_REDIRECT, &want, "ACK: promoted");

	CHECK_EQ(3000, syn_flood(&e, 3000));
	CHECK_EQ(0, env_reason(&e, XLB_R_DROP_NAT_PORTS));
	CHECK_EQ(3001, env_event(&e, XLB_EV_HALF_OPEN_NEW));

	/* The established connection, both ways. */
	in.tcp_flags = TCPF_ACK | TCPF_PSH;
	want = to_member(&in, 0, 2000);
	EXPECT(&e, e.if_client, &in, XDP_REDIRECT, &want, "data after the flood");
	in = from_member(4, IPPROTO_TCP, 0, 2000, TCPF_ACK);
	want = to_client(&in, 40000);
	EXPECT(&e, e.if_member, &in, XDP_REDIRECT, &want, "reply after the flood");
	CHECK_EQ(0, dp_full(&e));
out:
	env_close(&e);
}
