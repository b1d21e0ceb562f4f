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

/* A data plane whose xlb_flows is full (of established connections). */
#define ENV_OPEN_FULL(e, o)                                                   \
	do {                                                                  \
		full_opts((o), XLB_RST_RATE_DEFAULT);                         \
		ENV_OPEN((e), (o));                                           \
		CHECK_EQ(0, flows_fill((e), XLB_FLOWS_MIN, XLB_FLOWS_MIN));   \
	} while (0)

/* A SYN into a data plane whose xlb_flows is full: half-open needs no
 * room there. */
static bool full_syn(struct env *e, uint16_t sport, int member)
{
	struct pkt_desc in = from_client(4, IPPROTO_TCP, sport, TCPF_SYN);
	struct pkt_desc want = to_member(&in, member, NAT_PORT0);

	return expect(e, e->if_client, &in, XDP_REDIRECT, &want, "SYN into a full xlb_flows");
}

/* Its ACK: no room to promote, a RST, and the flag goes up. */
static bool full_ack_refused(struct env *e, uint16_t sport)
{
	struct pkt_desc in = from_client(4, IPPROTO_TCP, sport, TCPF_ACK);
	struct pkt_desc want = rst_for(&in);

	return expect(e, e->if_client, &in, XDP_TX, &want, "ACK: no room to promote, RST") && dp_full(e) == 1;
}

TEST(full_flow_table_refuses_the_promotion_with_a_rst_and_raises_the_flag)
{
	struct xlb_flow_key fk, rk;
	struct pkt_desc in, want;
	struct xlb_dp_opts o;
	struct xlb_flow f;
	struct env e;

	ENV_OPEN_FULL(&e, &o);
	CHECK(full_syn(&e, 40000, 0));
	CHECK_EQ(0, dp_full(&e));
	CHECK(full_ack_refused(&e, 40000));
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

/* The flag refuses new connections, not the retransmitted SYN of one
 * already half-open: it goes where the first SYN went. */
TEST(full_flow_table_lets_a_retransmitted_syn_through_to_its_member)
{
	struct pkt_desc in, want;
	struct xlb_dp_opts o;
	struct env e;

	ENV_OPEN_FULL(&e, &o);
	CHECK(full_syn(&e, 40000, 0));
	CHECK(full_syn(&e, 40001, 1));
	CHECK(full_ack_refused(&e, 40000));
	/* 40001's SYN again, while full. */
	CHECK(full_syn(&e, 40001, 1));
	in = from_client(4, IPPROTO_TCP, 40002, TCPF_SYN);
	want = rst_for(&in);
	EXPECT(&e, e.if_client, &in, XDP_TX, &want, "SYN 40002 while full");
	CHECK_EQ(1, env_reason(&e, XLB_R_TX_FORWARD));
	CHECK_EQ(2, env_reason(&e, XLB_R_TX_RST_TABLE_FULL));
	CHECK_EQ(2, env_event(&e, XLB_EV_HALF_OPEN_NEW));
out:
	env_close(&e);
}

TEST(full_flow_table_refuses_udp_with_port_unreachable)
{
	uint8_t quoted[PKT_MAX];
	struct pkt_desc in, want;
	struct xlb_dp_opts o;
	struct env e;

	ENV_OPEN_FULL(&e, &o);
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

/* snat as a pool: a member's port space is its addresses times the ports,
 * walked by one cursor; replies to any of them are translated. */
TEST(snat_pool_multiplies_the_port_space_of_a_member)
{
	union xlb_ip pool[2];
	struct xlb_dp_opts o;
	struct xlb_member m;
	struct pkt_desc in, want;
	uint32_t id = 0;
	struct env e;

	xlb_dp_opts_default(&o);
	o.flow_entries = 4096;
	o.nat_port_min = 2000;
	o.nat_port_max = 2000;
	ENV_OPEN(&e, &o);
	memset(pool, 0, sizeof(pool));
	pkt_addr("198.18.1.1", pool[0].bytes);
	pkt_addr("198.18.1.2", pool[1].bytes);
	env_member(&m, 4, 0, TCP_MEMBER_PORT, SVC_TCP4);
	CHECK_EQ(0, xlb_maps_snat_pool_add(&e.dp.maps, pool, 2, XLB_FAMILY_IPV4, &m.snat_first));
	m.snat_n = 2;
	CHECK_EQ(0, xlb_maps_member_set(&e.dp.maps, id, &m));
	CHECK_EQ(0, env_publish(&e, SVC_TCP4, &id, 1));
	for (int c = 0; c < 2; c++) {
		in = from_client(4, IPPROTO_TCP, (uint16_t)(40000 + c), TCPF_SYN);
		want = to_member(&in, 0, 2000);
		want.src[3] = (uint8_t)(1 + c);
		EXPECT(&e, e.if_client, &in, XDP_REDIRECT, &want, "SYN");
	}
	in = from_client(4, IPPROTO_TCP, 40002, TCPF_SYN);
	EXPECT(&e, e.if_client, &in, XDP_DROP, NULL, "SYN, pool exhausted");
	CHECK_EQ(1, env_reason(&e, XLB_R_DROP_NAT_PORTS));
	in = from_member(4, IPPROTO_TCP, 0, 2000, TCPF_SYN | TCPF_ACK);
	pkt_addr("198.18.1.2", in.dst);
	want = to_client(&in, 40001);
	EXPECT(&e, e.if_member, &in, XDP_REDIRECT, &want, "SYN-ACK to the second address");
out:
	env_close(&e);
}

TEST(snat_pool_reuses_an_identical_run)
{
	union xlb_ip pool[2], one;
	__u16 first = 99;
	struct env e;

	ENV_OPEN(&e, NULL);
	memset(pool, 0, sizeof(pool));
	memset(&one, 0, sizeof(one));
	pkt_addr("198.18.1.1", pool[0].bytes); /* in the set already, alone */
	pkt_addr("198.18.1.3", pool[1].bytes);
	pkt_addr("198.18.1.3", one.bytes);
	CHECK_EQ(0, xlb_maps_snat_pool_add(&e.dp.maps, pool, 2, XLB_FAMILY_IPV4, &first));
	CHECK_EQ(2, first); /* after 198.18.1.1 and fd00:1::1 of the fixture */
	CHECK_EQ(0, xlb_maps_snat_pool_add(&e.dp.maps, pool, 2, XLB_FAMILY_IPV4, &first));
	CHECK_EQ(2, first);
	CHECK_EQ(0, xlb_maps_snat_pool_add(&e.dp.maps, &one, 1, XLB_FAMILY_IPV4, &first));
	CHECK_EQ(3, first);
	CHECK_EQ(-EINVAL, xlb_maps_snat_pool_add(&e.dp.maps, pool, 0, XLB_FAMILY_IPV4, &first));
out:
	env_close(&e);
}

/* A SYN never looks at xlb_flows: a tuple whose old connection is there
 * (here reset) opens a half-open connection, and its promotion replaces
 * the old entry; the old reply entry keeps its port for the reset guard. */
TEST(promotion_replaces_the_old_connection_of_a_reused_tuple)
{
	struct xlb_flow_key fk, rk_old, rk_new;
	struct pkt_desc in, want;
	struct xlb_flow f;
	struct env e;

	ENV_OPEN(&e, NULL);
	in = from_client(4, IPPROTO_TCP, 40000, TCPF_SYN);
	want = to_member(&in, 0, NAT_PORT0);
	EXPECT(&e, e.if_client, &in, XDP_REDIRECT, &want, "SYN");
	in.tcp_flags = TCPF_ACK;
	want = to_member(&in, 0, NAT_PORT0);
	EXPECT(&e, e.if_client, &in, XDP_REDIRECT, &want, "ACK");
	in.tcp_flags = TCPF_RST | TCPF_ACK;
	want = to_member(&in, 0, NAT_PORT0);
	EXPECT(&e, e.if_client, &in, XDP_REDIRECT, &want, "RST");

	in.tcp_flags = TCPF_SYN;
	want = to_member(&in, 1, NAT_PORT0);
	EXPECT(&e, e.if_client, &in, XDP_REDIRECT, &want, "SYN on the tuple again");
	tcp4_keys(&fk, &rk_old, 40000, 0, NAT_PORT0);
	tcp4_keys(&fk, &rk_new, 40000, 1, NAT_PORT0);
	CHECK_EQ(0, flow_get(&e, &fk, &f));
	CHECK_EQ(XLB_FLOW_RST, f.state);
	CHECK_EQ(0, halfopen_get(&e, &fk, &f));
	CHECK_EQ(1, f.member_id);
	CHECK_EQ(XLB_FLOW_SYN_SENT, f.state);
	CHECK_EQ(0, f.flags);
	in.tcp_flags = TCPF_ACK;
	want = to_member(&in, 1, NAT_PORT0);
	if (!expect(&e, e.if_client, &in, XDP_REDIRECT, &want, "its ACK")) {
		for (unsigned int r = 0; r < XLB_R_MAX; r++)
			if (env_reason(&e, r))
				printf("  %s %llu\n", xlb_reason_name(r), (unsigned long long)env_reason(&e, r));
		for (unsigned int v = 0; v < XLB_EV_MAX; v++)
			printf("  %s %llu\n", xlb_event_name(v), (unsigned long long)env_event(&e, v));
		goto out;
	}
	CHECK_EQ(0, flow_get(&e, &fk, &f));
	CHECK_EQ(1, f.member_id);
	CHECK_EQ(XLB_FLOW_ESTABLISHED, f.state);
	CHECK_EQ(0, flow_get(&e, &rk_new, &f));
	CHECK_EQ(0, flow_get(&e, &rk_old, &f));
	CHECK_EQ(XLB_FLOW_RST, f.state);
	CHECK_EQ(2, env_event(&e, XLB_EV_PROMOTED));
out:
	env_close(&e);
}
