// SPDX-License-Identifier: MIT
/* The XDP program packet by packet: exact output bytes and verdicts for
 * every kind of packet the data plane rewrites, round-robin order, member
 * removal, and the counters.  Every rewritten packet's checksums are also
 * recomputed in full by tests/lib/pkt.c. */
#include "dp_env.h"

#include <linux/bpf.h>
#include <unistd.h>

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

TEST(tcp4_syn_creates_half_open_entries_only)
{
	struct xlb_flow_key fk, rk;
	struct pkt_desc syn, want;
	struct xlb_flow f, r;
	struct env e;

	ENV_OPEN(&e, NULL);
	syn = from_client(4, IPPROTO_TCP, 40000, TCPF_SYN);
	want = to_member(&syn, 0, NAT_PORT0);
	EXPECT(&e, e.if_client, &syn, XDP_REDIRECT, &want, "SYN");
	tcp4_keys(&fk, &rk, 40000, 0, NAT_PORT0);
	CHECK(flow_get(&e, &fk, &f) == -ENOENT && flow_get(&e, &rk, &r) == -ENOENT);
	CHECK(halfopen_get(&e, &fk, &f) == 0);
	CHECK(halfopen_get(&e, &rk, &r) == 0);
	CHECK(f.dir == XLB_DIR_FORWARD && r.dir == XLB_DIR_REPLY);
	CHECK(f.state == XLB_FLOW_SYN_SENT && r.state == XLB_FLOW_SYN_SENT);
	CHECK(f.member_id == 0 && r.member_id == 0 && f.service_id == SVC_TCP4);
	CHECK(f.tx_ifindex == (uint32_t)e.if_member && f.nh_fixed == 0);
	CHECK(r.tx_ifindex == (uint32_t)e.if_client && r.nh_fixed == 1);
	CHECK(ntohs(f.nat_sport) == NAT_PORT0 && ntohs(r.nat_dport) == 40000);
out:
	env_close(&e);
}

static bool open_flow(struct env *e, uint16_t sport, int member, uint16_t nat_port)
{
	struct pkt_desc syn = from_client(4, IPPROTO_TCP, sport, TCPF_SYN);
	struct pkt_desc want = to_member(&syn, member, nat_port);

	return expect(e, e->if_client, &syn, XDP_REDIRECT, &want, "SYN");
}

TEST(tcp4_fin_and_rst_mark_both_directions)
{
	struct xlb_flow_key fk, rk;
	struct pkt_desc in, want;
	struct xlb_flow f, r;
	struct env e;

	ENV_OPEN(&e, NULL);
	if (!open_flow(&e, 40000, 0, NAT_PORT0))
		goto out;
	in = from_client(4, IPPROTO_TCP, 40000, TCPF_ACK);
	want = to_member(&in, 0, NAT_PORT0);
	EXPECT(&e, e.if_client, &in, XDP_REDIRECT, &want, "ACK");
	tcp4_keys(&fk, &rk, 40000, 0, NAT_PORT0);
	CHECK(flow_get(&e, &fk, &f) == 0 && f.state == XLB_FLOW_ESTABLISHED);

	in = from_member(4, IPPROTO_TCP, 0, NAT_PORT0, TCPF_FIN | TCPF_ACK);
	want = to_client(&in, 40000);
	EXPECT(&e, e.if_member, &in, XDP_REDIRECT, &want, "FIN from member");
	CHECK(flow_get(&e, &fk, &f) == 0 && f.state == XLB_FLOW_FIN);
	CHECK(flow_get(&e, &rk, &r) == 0 && r.state == XLB_FLOW_FIN);

	in = from_client(4, IPPROTO_TCP, 40000, TCPF_RST | TCPF_ACK);
	want = to_member(&in, 0, NAT_PORT0);
	EXPECT(&e, e.if_client, &in, XDP_REDIRECT, &want, "RST from client");
	CHECK(flow_get(&e, &fk, &f) == 0 && f.state == XLB_FLOW_RST);
	CHECK(flow_get(&e, &rk, &r) == 0 && r.state == XLB_FLOW_RST);
out:
	env_close(&e);
}

TEST(tcp4_retransmitted_syn_keeps_its_member_and_port)
{
	struct env e;
	struct xlb_flow_key fk, rk;
	struct xlb_flow f;

	ENV_OPEN(&e, NULL);
	if (!open_flow(&e, 40000, 0, NAT_PORT0) || !open_flow(&e, 40000, 0, NAT_PORT0))
		goto out;
	/* The retransmission is found by its half-open insert, after its
	 * member and port were taken: both went back, the port's reply entry
	 * with it (member 1's walk moved on).  The next connection gets the
	 * slot: member 1. */
	tcp4_keys(&fk, &rk, 40000, 1, NAT_PORT0);
	CHECK(halfopen_get(&e, &rk, &f) == -ENOENT);
	tcp4_keys(&fk, &rk, 40000, 0, NAT_PORT0);
	CHECK(halfopen_get(&e, &rk, &f) == 0 && f.dir == XLB_DIR_REPLY);
	CHECK(halfopen_get(&e, &fk, &f) == 0 && f.member_id == 0 && f.nat_sport == htons(NAT_PORT0));
	if (!open_flow(&e, 40001, 1, NAT_PORT0 + 1))
		goto out;
	CHECK(env_reason(&e, XLB_R_TX_NEW_FLOW) == 2);
	CHECK(env_reason(&e, XLB_R_TX_FORWARD) == 1);
	CHECK(env_event(&e, XLB_EV_HALF_OPEN_NEW) == 2);
out:
	env_close(&e);
}

/* A SYN takes no lookup before its insert: where it opens nothing (here
 * an empty pool), the retransmission of a live connection's SYN is looked
 * for, and goes where the first went. */
TEST(tcp4_retransmitted_syn_reaches_its_member_after_the_pool_empties)
{
	struct pkt_desc in, want;
	struct env e;

	ENV_OPEN(&e, NULL);
	if (!open_flow(&e, 40000, 0, NAT_PORT0))
		goto out;
	CHECK_EQ(0, env_publish(&e, SVC_TCP4, NULL, 0));
	if (!open_flow(&e, 40000, 0, NAT_PORT0))
		goto out;
	in = from_client(4, IPPROTO_TCP, 40001, TCPF_SYN);
	want = rst_for(&in);
	EXPECT(&e, e.if_client, &in, XDP_TX, &want, "a new SYN: refused, the pool is empty");
	CHECK(env_reason(&e, XLB_R_TX_FORWARD) == 1);
	CHECK(env_reason(&e, XLB_R_TX_RST_NO_MEMBER) == 1);
	CHECK(env_event(&e, XLB_EV_HALF_OPEN_NEW) == 1);
out:
	env_close(&e);
}

TEST(tcp4_syn_reusing_a_closed_tuple_is_scheduled_anew)
{
	struct xlb_flow_key fk, rk_old, rk_new;
	struct pkt_desc in, want;
	struct xlb_flow f;
	struct env e;

	ENV_OPEN(&e, NULL);
	if (!open_flow(&e, 40000, 0, NAT_PORT0))
		goto out;
	in = from_client(4, IPPROTO_TCP, 40000, TCPF_RST | TCPF_ACK);
	want = to_member(&in, 0, NAT_PORT0);
	EXPECT(&e, e.if_client, &in, XDP_REDIRECT, &want, "RST");
	if (!open_flow(&e, 40000, 1, NAT_PORT0))
		goto out;
	tcp4_keys(&fk, &rk_old, 40000, 0, NAT_PORT0);
	tcp4_keys(&fk, &rk_new, 40000, 1, NAT_PORT0);
	CHECK(halfopen_get(&e, &rk_old, &f) == -ENOENT);
	CHECK(halfopen_get(&e, &rk_new, &f) == 0 && f.state == XLB_FLOW_SYN_SENT);
	CHECK(halfopen_get(&e, &fk, &f) == 0 && f.member_id == 1);
out:
	env_close(&e);
}

TEST(tcp4_syn_reusing_a_long_idle_tuple_is_scheduled_anew)
{
	struct xlb_flow_key fk, rk;
	struct pkt_desc in, want;
	struct env e;

	ENV_OPEN(&e, NULL);
	if (!open_flow(&e, 40000, 0, NAT_PORT0))
		goto out;
	in = from_client(4, IPPROTO_TCP, 40000, TCPF_ACK);
	want = to_member(&in, 0, NAT_PORT0);
	EXPECT(&e, e.if_client, &in, XDP_REDIRECT, &want, "ACK");
	tcp4_keys(&fk, &rk, 40000, 0, NAT_PORT0);
	CHECK(flow_age(&e, &fk, XLB_TIMEOUT_TCP_EST_DEFAULT + 1) == 0);
	if (!open_flow(&e, 40000, 1, NAT_PORT0))
		goto out;
out:
	env_close(&e);
}

TEST(tcp4_packet_of_an_expired_flow_is_reset)
{
	struct xlb_flow_key fk, rk;
	struct pkt_desc in, want;
	struct env e;

	ENV_OPEN(&e, NULL);
	if (!open_flow(&e, 40000, 0, NAT_PORT0))
		goto out;
	tcp4_keys(&fk, &rk, 40000, 0, NAT_PORT0);
	CHECK(flow_age(&e, &fk, XLB_TIMEOUT_TCP_HALF_OPEN_DEFAULT + 1) == 0);
	in = from_client(4, IPPROTO_TCP, 40000, TCPF_ACK);
	want = from_client(4, IPPROTO_TCP, 40000, 0);
	pkt_mac(MAC_BAL_C, want.smac);
	pkt_mac(MAC_CLIENT, want.dmac);
	pkt_addr("198.18.0.100", want.src);
	pkt_addr("198.18.0.10", want.dst);
	want.sport = 80;
	want.dport = 40000;
	want.tcp_flags = TCPF_RST;
	want.seq = 5000;
	want.ack = 0;
	want.ip_id = 0;
	want.frag = 0x4000;
	want.zero_window = true;
	EXPECT(&e, e.if_client, &in, XDP_TX, &want, "ACK of an expired flow");
	CHECK(env_reason(&e, XLB_R_TX_RST_NO_FLOW) == 1);
out:
	env_close(&e);
}

TEST(tcp_data_without_flow_is_answered_with_rst_v4_and_v6)
{
	struct pkt_desc in, want;
	struct env e;

	ENV_OPEN(&e, NULL);
	in = from_client(4, IPPROTO_TCP, 40000, TCPF_ACK | TCPF_PSH);
	in.payload = (const uint8_t *)"some data that gets cut";
	in.payload_len = 23;
	want = rst_for(&in);
	EXPECT(&e, e.if_client, &in, XDP_TX, &want, "v4 data without flow");
	in = from_client(6, IPPROTO_TCP, 40000, TCPF_ACK);
	want = rst_for(&in);
	EXPECT(&e, e.if_client, &in, XDP_TX, &want, "v6 ACK without flow");
	/* An RST is never answered. */
	in = from_client(4, IPPROTO_TCP, 40000, TCPF_RST);
	EXPECT(&e, e.if_client, &in, XDP_DROP, NULL, "RST without flow");
	CHECK(env_reason(&e, XLB_R_TX_RST_NO_FLOW) == 2);
	CHECK(env_reason(&e, XLB_R_DROP_NO_FLOW) == 1);
out:
	env_close(&e);
}

TEST(syn_to_service_without_members_is_reset_or_dropped_by_policy)
{
	struct pkt_desc in, want;
	struct env e;

	ENV_OPEN(&e, NULL);
	in = from_client(4, IPPROTO_TCP, 40000, TCPF_SYN);
	pkt_addr("198.18.0.101", in.dst);
	want = rst_for(&in);
	EXPECT(&e, e.if_client, &in, XDP_TX, &want, "SYN, on_empty reject");
	pkt_addr("198.18.0.102", in.dst);
	EXPECT(&e, e.if_client, &in, XDP_DROP, NULL, "SYN, on_empty drop");
	CHECK(env_reason(&e, XLB_R_TX_RST_NO_MEMBER) == 1);
	CHECK(env_reason(&e, XLB_R_DROP_NO_MEMBER) == 1);
out:
	env_close(&e);
}

TEST(udp_to_service_without_members_gets_port_unreachable)
{
	struct xlb_service svc = { .id = N_SVC, .on_empty = XLB_ON_EMPTY_REJECT };
	uint8_t quoted[PKT_MAX];
	struct xlb_svc_key key;
	struct pkt_desc in, want;
	struct env e;

	ENV_OPEN(&e, NULL);
	env_svc_key(&key, "198.18.0.101", 53, IPPROTO_UDP);
	CHECK(xlb_maps_service_publish(&e.dp.maps, &key, &svc, NULL, 0, NULL) == 0);
	env_svc_key(&key, "fd00::101", 53, IPPROTO_UDP);
	svc.id = N_SVC + 1;
	CHECK(xlb_maps_service_publish(&e.dp.maps, &key, &svc, NULL, 0, NULL) == 0);

	in = from_client(4, IPPROTO_UDP, 40000, 0);
	pkt_addr("198.18.0.101", in.dst);
	in.payload = (const uint8_t *)"a query that is not quoted";
	in.payload_len = 26;
	want = unreach_for(&in, quoted);
	EXPECT(&e, e.if_client, &in, XDP_TX, &want, "IPv4 datagram");
	in = from_client(6, IPPROTO_UDP, 40000, 0);
	pkt_addr("fd00::101", in.dst);
	want = unreach_for(&in, quoted);
	EXPECT(&e, e.if_client, &in, XDP_TX, &want, "IPv6 datagram");
	CHECK(env_reason(&e, XLB_R_TX_UNREACH_NO_MEMBER) == 2);
	/* on_empty: drop */
	svc.on_empty = XLB_ON_EMPTY_DROP;
	CHECK(xlb_maps_service_publish(&e.dp.maps, &key, &svc, NULL, 0, NULL) == 0);
	EXPECT(&e, e.if_client, &in, XDP_DROP, NULL, "IPv6 datagram, on_empty drop");
out:
	env_close(&e);
}

TEST(rsts_are_rate_limited)
{
	struct xlb_dp_opts o;
	struct pkt_desc in, want;
	struct env e;

	xlb_dp_opts_default(&o);
	o.flow_entries = 4096;
	o.rst_rate = 2;
	ENV_OPEN(&e, &o);
	in = from_client(4, IPPROTO_TCP, 40000, TCPF_ACK);
	want = rst_for(&in);
	EXPECT(&e, e.if_client, &in, XDP_TX, &want, "first");
	EXPECT(&e, e.if_client, &in, XDP_TX, &want, "second");
	EXPECT(&e, e.if_client, &in, XDP_DROP, NULL, "third, over the rate");
	CHECK(env_reason(&e, XLB_R_DROP_ANSWER_RATELIMIT) == 1);
out:
	env_close(&e);
}

TEST(udp4_first_packet_opens_later_follow_and_replies_return)
{
	struct pkt_desc in, want;
	struct env e;

	ENV_OPEN(&e, NULL);
	in = from_client(4, IPPROTO_UDP, 40000, 0);
	in.payload = (const uint8_t *)"query";
	in.payload_len = 5;
	want = to_member(&in, 0, NAT_PORT0);
	EXPECT(&e, e.if_client, &in, XDP_REDIRECT, &want, "first datagram");
	EXPECT(&e, e.if_client, &in, XDP_REDIRECT, &want, "second datagram");
	in = from_member(4, IPPROTO_UDP, 0, NAT_PORT0, 0);
	in.payload = (const uint8_t *)"answer";
	in.payload_len = 6;
	want = to_client(&in, 40000);
	EXPECT(&e, e.if_member, &in, XDP_REDIRECT, &want, "reply");
	CHECK(env_reason(&e, XLB_R_TX_NEW_FLOW) == 1);
out:
	env_close(&e);
}

TEST(udp4_zero_checksum_stays_zero)
{
	struct pkt_desc in, want;
	struct env e;

	ENV_OPEN(&e, NULL);
	in = from_client(4, IPPROTO_UDP, 40000, 0);
	in.udp_no_csum = true;
	want = to_member(&in, 0, NAT_PORT0);
	EXPECT(&e, e.if_client, &in, XDP_REDIRECT, &want, "datagram without checksum");
	in = from_member(4, IPPROTO_UDP, 0, NAT_PORT0, 0);
	in.udp_no_csum = true;
	want = to_client(&in, 40000);
	EXPECT(&e, e.if_member, &in, XDP_REDIRECT, &want, "reply without checksum");
out:
	env_close(&e);
}

TEST(udp4_idle_flow_is_scheduled_anew)
{
	struct xlb_flow_key fk;
	struct pkt_desc in, want;
	struct env e;

	ENV_OPEN(&e, NULL);
	in = from_client(4, IPPROTO_UDP, 40000, 0);
	want = to_member(&in, 0, NAT_PORT0);
	EXPECT(&e, e.if_client, &in, XDP_REDIRECT, &want, "first");
	flow_key(&fk, 4, IPPROTO_UDP, "198.18.0.10", 40000, "198.18.0.100", 53);
	CHECK(flow_age(&e, &fk, XLB_TIMEOUT_UDP_DEFAULT + 1) == 0);
	want = to_member(&in, 1, NAT_PORT0);
	EXPECT(&e, e.if_client, &in, XDP_REDIRECT, &want, "after the idle timeout");
out:
	env_close(&e);
}

TEST(tcp6_handshake_and_reply)
{
	struct pkt_desc in, want;
	struct env e;

	ENV_OPEN(&e, NULL);
	in = from_client(6, IPPROTO_TCP, 40000, TCPF_SYN);
	want = to_member(&in, 0, NAT_PORT0);
	EXPECT(&e, e.if_client, &in, XDP_REDIRECT, &want, "SYN");
	in = from_member(6, IPPROTO_TCP, 0, NAT_PORT0, TCPF_SYN | TCPF_ACK);
	want = to_client(&in, 40000);
	EXPECT(&e, e.if_member, &in, XDP_REDIRECT, &want, "SYN-ACK");
	in = from_client(6, IPPROTO_TCP, 40000, TCPF_ACK | TCPF_PSH);
	in.payload = (const uint8_t *)"hello";
	in.payload_len = 5;
	want = to_member(&in, 0, NAT_PORT0);
	EXPECT(&e, e.if_client, &in, XDP_REDIRECT, &want, "data");
out:
	env_close(&e);
}

TEST(udp6_first_packet_and_reply)
{
	struct pkt_desc in, want;
	struct env e;

	ENV_OPEN(&e, NULL);
	in = from_client(6, IPPROTO_UDP, 40000, 0);
	in.payload = (const uint8_t *)"q6";
	in.payload_len = 2;
	want = to_member(&in, 0, NAT_PORT0);
	EXPECT(&e, e.if_client, &in, XDP_REDIRECT, &want, "datagram");
	in = from_member(6, IPPROTO_UDP, 0, NAT_PORT0, 0);
	want = to_client(&in, 40000);
	EXPECT(&e, e.if_member, &in, XDP_REDIRECT, &want, "reply");
out:
	env_close(&e);
}

/* A tagged frame is balanced only where xlb runs on its VLAN's own
 * interface: on this one it goes to the kernel untouched, never tagged
 * into the member segment. */
TEST(vlan_tagged_frames_pass_untouched_and_take_no_state)
{
	struct pkt_desc in;
	struct env e;

	ENV_OPEN(&e, NULL);
	in = from_client(4, IPPROTO_TCP, 40000, TCPF_SYN);
	in.vlan = 100;
	EXPECT(&e, e.if_client, &in, XDP_PASS, NULL, "tagged SYN");
	in = from_client(6, IPPROTO_UDP, 40000, 0);
	in.vlan = 100;
	EXPECT(&e, e.if_client, &in, XDP_PASS, NULL, "tagged IPv6 datagram");
	/* An untagged flow's tagged reply is not translated either. */
	if (!open_flow(&e, 40000, 0, NAT_PORT0))
		goto out;
	in = from_member(4, IPPROTO_TCP, 0, NAT_PORT0, TCPF_SYN | TCPF_ACK);
	in.vlan = 100;
	EXPECT(&e, e.if_member, &in, XDP_PASS, NULL, "tagged SYN-ACK");
	CHECK_EQ(3, env_reason(&e, XLB_R_PASS_VLAN));
	CHECK_EQ(1, env_reason(&e, XLB_R_TX_NEW_FLOW));
out:
	env_close(&e);
}

TEST(ipv4_options_are_carried_through)
{
	static const uint8_t opts[8] = { 0x94, 0x04, 0x00, 0x00, /* router alert */
					 0x01, 0x01, 0x01, 0x00 }; /* NOPs, EOL */
	struct pkt_desc in, want;
	struct env e;

	ENV_OPEN(&e, NULL);
	in = from_client(4, IPPROTO_TCP, 40000, TCPF_SYN);
	in.ip_opts = opts;
	in.ip_opts_len = sizeof(opts);
	want = to_member(&in, 0, NAT_PORT0);
	EXPECT(&e, e.if_client, &in, XDP_REDIRECT, &want, "SYN with options");
out:
	env_close(&e);
}

TEST(ttl_1_to_a_vip_goes_to_the_kernel_and_reply_is_dropped)
{
	struct pkt_desc in;
	struct env e;

	ENV_OPEN(&e, NULL);
	in = from_client(4, IPPROTO_TCP, 40000, TCPF_SYN);
	in.ttl = 1;
	EXPECT(&e, e.if_client, &in, XDP_PASS, NULL, "SYN with TTL 1");
	CHECK(env_reason(&e, XLB_R_PASS_TTL_EXPIRED) == 1);
	if (!open_flow(&e, 40000, 0, NAT_PORT0))
		goto out;
	in = from_member(4, IPPROTO_TCP, 0, NAT_PORT0, TCPF_ACK);
	in.ttl = 1;
	EXPECT(&e, e.if_member, &in, XDP_DROP, NULL, "reply with TTL 1");
	CHECK(env_reason(&e, XLB_R_DROP_TTL_REPLY) == 1);
	in = from_client(6, IPPROTO_TCP, 40000, TCPF_SYN);
	in.ttl = 1;
	EXPECT(&e, e.if_client, &in, XDP_PASS, NULL, "IPv6 SYN with hop limit 1");
out:
	env_close(&e);
}

TEST(traffic_not_for_a_vip_passes_untouched)
{
	struct pkt_desc in;
	struct env e;

	ENV_OPEN(&e, NULL);
	in = from_client(4, IPPROTO_TCP, 40000, TCPF_SYN);
	in.dport = 22;
	EXPECT(&e, e.if_client, &in, XDP_PASS, NULL, "VIP, other port");
	pkt_addr("198.18.0.1", in.dst);
	in.dport = 80;
	EXPECT(&e, e.if_client, &in, XDP_PASS, NULL, "balancer's own address");
	in = from_client(4, IPPROTO_UDP, 40000, 0);
	in.dport = 80;
	EXPECT(&e, e.if_client, &in, XDP_PASS, NULL, "VIP, TCP port over UDP");
	/* The balancer's own connections to members (health checks), from
	 * the kernel's ephemeral ports, or a NAT port without a flow. */
	in = from_member(4, IPPROTO_TCP, 0, 45000, TCPF_SYN | TCPF_ACK);
	EXPECT(&e, e.if_member, &in, XDP_PASS, NULL, "reply to the kernel's own socket");
	in = from_member(4, IPPROTO_TCP, 0, 2000, TCPF_ACK);
	EXPECT(&e, e.if_member, &in, XDP_PASS, NULL, "NAT port without a flow");
	CHECK(env_reason(&e, XLB_R_PASS_NOT_VIP) == 4);
	CHECK(env_reason(&e, XLB_R_PASS_LOCAL) == 1);
out:
	env_close(&e);
}

/* An ICMP error about a packet of the flow 198.18.0.10:40000 -> VIP:80 on
 * member 0 (or its IPv6 twin), and what xlb must make of it.  From the
 * member side: a router next to the members reports a packet xlb sent to
 * member 0, and the client must get the report about its own packet.  From
 * the client side: the client reports a reply xlb sent it, and member 0
 * must get the report about its own reply. */
struct icmp_case {
	int family;
	bool from_member_side;
	size_t quote_len;
	uint8_t type, code;
	uint32_t rest;
};

static void icmp_case_build(const struct icmp_case *c, struct pkt_desc *in, uint8_t *qin,
			    struct pkt_desc *want, uint8_t *qwant)
{
	int v4 = c->family == 4;
	struct pkt_desc sent, orig;

	if (c->from_member_side) {
		orig = from_client(c->family, IPPROTO_TCP, 40000, TCPF_ACK | TCPF_PSH);
		orig.ttl = 63; /* the quoted copy went out decremented */
		sent = to_member(&orig, 0, NAT_PORT0);
	} else {
		orig = from_member(c->family, IPPROTO_TCP, 0, NAT_PORT0, TCPF_ACK);
		orig.ttl = 63;
		sent = to_client(&orig, 40000);
	}
	sent.ttl = 63;

	memset(in, 0, sizeof(*in));
	in->family = c->family;
	in->proto = v4 ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	in->icmp_type = c->type;
	in->icmp_code = c->code;
	in->icmp_rest = c->rest;
	in->payload = qin;
	in->payload_len = quote(&sent, qin, c->quote_len);
	*want = *in;
	want->ttl = 63;
	want->payload = qwant;
	want->payload_len = quote(&orig, qwant, c->quote_len);
	if (c->from_member_side) {
		pkt_mac(MAC_ROUTER, in->smac);
		pkt_mac(MAC_BAL_M, in->dmac);
		pkt_addr(v4 ? "198.18.1.254" : "fd00:1::fe", in->src);
		pkt_addr(v4 ? "198.18.1.1" : "fd00:1::1", in->dst);
		pkt_mac(MAC_BAL_C, want->smac);
		pkt_mac(MAC_CLIENT, want->dmac);
		pkt_addr(v4 ? "198.18.0.100" : "fd00::100", want->src);
		pkt_addr(v4 ? "198.18.0.10" : "fd00::10", want->dst);
	} else {
		pkt_mac(MAC_CLIENT, in->smac);
		pkt_mac(MAC_BAL_C, in->dmac);
		pkt_addr(v4 ? "198.18.0.10" : "fd00::10", in->src);
		pkt_addr(v4 ? "198.18.0.100" : "fd00::100", in->dst);
		pkt_mac(MAC_BAL_M, want->smac);
		pkt_mac(env_member_mac[0], want->dmac);
		pkt_addr(v4 ? "198.18.1.1" : "fd00:1::1", want->src);
		pkt_addr(v4 ? env_member4[0] : env_member6[0], want->dst);
	}
}

static bool open_flow_family(struct env *e, int family)
{
	struct pkt_desc syn = from_client(family, IPPROTO_TCP, 40000, TCPF_SYN);
	struct pkt_desc want = to_member(&syn, 0, NAT_PORT0);

	return expect(e, e->if_client, &syn, XDP_REDIRECT, &want, "SYN");
}

TEST(icmp4_frag_needed_from_member_side_reaches_the_client)
{
	uint8_t qin[PKT_MAX], qwant[PKT_MAX];
	struct pkt_desc in, want;
	struct env e;

	ENV_OPEN(&e, NULL);
	if (!open_flow_family(&e, 4))
		goto out;
	/* RFC 792 quoting: IP header + 8 bytes. */
	icmp_case_build(&(struct icmp_case){ 4, true, 28, 3, 4, 1400 }, &in, qin, &want, qwant);
	EXPECT(&e, e.if_member, &in, XDP_REDIRECT, &want, "frag needed, 8 bytes quoted");
	/* RFC 1812 quoting: as much as fits, the quoted TCP checksum too. */
	icmp_case_build(&(struct icmp_case){ 4, true, 512, 3, 4, 1400 }, &in, qin, &want, qwant);
	EXPECT(&e, e.if_member, &in, XDP_REDIRECT, &want, "frag needed, all quoted");
	CHECK(env_reason(&e, XLB_R_TX_ICMP_REPLY) == 2);
out:
	env_close(&e);
}

TEST(icmp4_unreachable_from_client_side_reaches_the_member)
{
	uint8_t qin[PKT_MAX], qwant[PKT_MAX];
	struct pkt_desc in, want;
	struct env e;

	ENV_OPEN(&e, NULL);
	if (!open_flow_family(&e, 4))
		goto out;
	icmp_case_build(&(struct icmp_case){ 4, false, 512, 3, 3, 0 }, &in, qin, &want, qwant);
	EXPECT(&e, e.if_client, &in, XDP_REDIRECT, &want, "port unreachable from the client");
	CHECK(env_reason(&e, XLB_R_TX_ICMP_FORWARD) == 1);
out:
	env_close(&e);
}

TEST(icmp6_packet_too_big_from_member_side_reaches_the_client)
{
	uint8_t qin[PKT_MAX], qwant[PKT_MAX];
	struct pkt_desc in, want;
	struct env e;

	ENV_OPEN(&e, NULL);
	if (!open_flow_family(&e, 6))
		goto out;
	icmp_case_build(&(struct icmp_case){ 6, true, 512, 2, 0, 1280 }, &in, qin, &want, qwant);
	EXPECT(&e, e.if_member, &in, XDP_REDIRECT, &want, "packet too big");
out:
	env_close(&e);
}

TEST(icmp6_unreachable_from_client_side_reaches_the_member)
{
	uint8_t qin[PKT_MAX], qwant[PKT_MAX];
	struct pkt_desc in, want;
	struct env e;

	ENV_OPEN(&e, NULL);
	if (!open_flow_family(&e, 6))
		goto out;
	icmp_case_build(&(struct icmp_case){ 6, false, 48, 1, 4, 0 }, &in, qin, &want, qwant);
	EXPECT(&e, e.if_client, &in, XDP_REDIRECT, &want, "port unreachable from the client");
out:
	env_close(&e);
}

TEST(icmp_not_about_a_flow_passes_untouched)
{
	uint8_t qin[PKT_MAX], qwant[PKT_MAX];
	struct pkt_desc in, want;
	struct env e;

	ENV_OPEN(&e, NULL);
	/* No flow yet. */
	icmp_case_build(&(struct icmp_case){ 4, true, 28, 3, 4, 1400 }, &in, qin, &want, qwant);
	EXPECT(&e, e.if_member, &in, XDP_PASS, NULL, "frag needed without a flow");
	/* Echo request to the VIP. */
	memset(&in, 0, sizeof(in));
	in = from_client(4, IPPROTO_ICMP, 0, 0);
	in.icmp_type = 8;
	EXPECT(&e, e.if_client, &in, XDP_PASS, NULL, "echo request");
	CHECK(env_reason(&e, XLB_R_PASS_ICMP_NO_FLOW) == 1);
	CHECK(env_reason(&e, XLB_R_PASS_ICMP) == 1);
out:
	env_close(&e);
}

TEST(round_robin_is_exact_over_30_connections)
{
	uint8_t ibuf[PKT_MAX], out[PKT_MAX];
	struct pkt_tuple t;
	struct env e;
	size_t olen = 0;

	ENV_OPEN(&e, NULL);
	for (int c = 0; c < 30; c++) {
		struct pkt_desc syn = from_client(4, IPPROTO_TCP, (uint16_t)(41000 + c), TCPF_SYN);
		size_t ilen = pkt_build(&syn, ibuf, sizeof(ibuf));
		uint8_t want[16];

		CHECK(env_run(&e, e.if_client, ibuf, ilen, out, &olen) == XDP_REDIRECT);
		CHECK(pkt_tuple(out, olen, &t));
		pkt_addr(env_member4[c % 3], want);
		if (memcmp(t.dst, want, 4) != 0) {
			xt_fail(__FILE__, __LINE__, "connection %d: expected member %d (%s)", c, c % 3,
				env_member4[c % 3]);
			goto out;
		}
	}
	CHECK(env_reason(&e, XLB_R_TX_NEW_FLOW) == 30);
out:
	env_close(&e);
}

TEST(removed_member_keeps_its_flows_and_gets_no_new_ones)
{
	static const uint32_t without_1[] = { 0, 2 };
	struct pkt_desc in, want;
	struct env e;

	ENV_OPEN(&e, NULL);
	for (int i = 0; i < 3; i++)
		if (!open_flow(&e, (uint16_t)(40000 + i), i, NAT_PORT0))
			goto out;
	CHECK(env_publish(&e, SVC_TCP4, without_1, 2) == 0);
	/* The flow on member 1 goes on. */
	in = from_client(4, IPPROTO_TCP, 40001, TCPF_ACK);
	want = to_member(&in, 1, NAT_PORT0);
	EXPECT(&e, e.if_client, &in, XDP_REDIRECT, &want, "existing flow of member 1");
	in = from_member(4, IPPROTO_TCP, 1, NAT_PORT0, TCPF_ACK);
	want = to_client(&in, 40001);
	EXPECT(&e, e.if_member, &in, XDP_REDIRECT, &want, "its reply");
	/* New connections: 3 so far, the counter goes on over 2 slots; each
	 * member's ports are allocated in order. */
	for (int c = 0; c < 4; c++) {
		int member = (3 + c) % 2 == 0 ? 0 : 2;

		if (!open_flow(&e, (uint16_t)(40100 + c), member, (uint16_t)(NAT_PORT0 + 1 + c / 2)))
			goto out;
	}
out:
	env_close(&e);
}

TEST(removed_service_keeps_its_flows_and_takes_no_new_ones)
{
	struct xlb_svc_key key;
	struct pkt_desc in, want;
	struct env e;

	ENV_OPEN(&e, NULL);
	if (!open_flow(&e, 40000, 0, NAT_PORT0))
		goto out;
	env_svc_key(&key, "198.18.0.100", 80, IPPROTO_TCP);
	CHECK(xlb_maps_service_delete(&e.dp.maps, &key) == 0);
	in = from_client(4, IPPROTO_TCP, 40000, TCPF_ACK);
	want = to_member(&in, 0, NAT_PORT0);
	EXPECT(&e, e.if_client, &in, XDP_REDIRECT, &want, "packet of an existing flow");
	in = from_client(4, IPPROTO_TCP, 40001, TCPF_SYN);
	EXPECT(&e, e.if_client, &in, XDP_PASS, NULL, "SYN after the service left");
	CHECK(env_reason(&e, XLB_R_PASS_NOT_VIP) == 1);
out:
	env_close(&e);
}

TEST(nat_ports_stay_unique_and_orphans_are_reclaimed)
{
	static const uint32_t only_0[] = { 0 };
	struct xlb_flow_key fk;
	struct xlb_dp_opts o;
	struct pkt_desc in, want;
	struct env e;

	xlb_dp_opts_default(&o);
	o.flow_entries = 4096;
	o.nat_port_min = 2000;
	o.nat_port_max = 2001;
	ENV_OPEN(&e, &o);
	CHECK(env_publish(&e, SVC_TCP4, only_0, 1) == 0);
	for (int c = 0; c < 2; c++) {
		in = from_client(4, IPPROTO_TCP, 40000, TCPF_SYN);
		in.src[3] = (uint8_t)(10 + c);
		want = to_member(&in, 0, (uint16_t)(2000 + c));
		EXPECT(&e, e.if_client, &in, XDP_REDIRECT, &want, "SYN");
	}
	/* Both tuples toward member 0 are in use. */
	in.src[3] = 12;
	EXPECT(&e, e.if_client, &in, XDP_DROP, NULL, "SYN with no port left");
	CHECK(env_reason(&e, XLB_R_DROP_NAT_PORTS) == 1);
	/* The first client's flow goes stale: its port can be reused. */
	flow_key(&fk, 4, IPPROTO_TCP, "198.18.0.10", 40000, "198.18.0.100", 80);
	CHECK(flow_age(&e, &fk, XLB_TIMEOUT_TCP_HALF_OPEN_DEFAULT + 1) == 0);
	want = to_member(&in, 0, 2000);
	EXPECT(&e, e.if_client, &in, XDP_REDIRECT, &want, "SYN reusing an orphaned port");
out:
	env_close(&e);
}

/* A SYN from the client's port sport, run on CPU cpu, through nat_port. */
static bool syn_on_cpu(struct env *e, int cpu, uint16_t sport, uint16_t nat_port)
{
	if (env_on_cpu(cpu)) {
		xt_fail(__FILE__, __LINE__, "CPU %d: %s", cpu, strerror(errno));
		return false;
	}
	return open_flow(e, sport, 0, nat_port);
}

/* One walk of a backend's ports for all CPUs, taken XLB_NAT_BLOCK (64)
 * positions at a time: a CPU takes ports from its own block, and the next
 * block after every block taken so far, so CPUs that see new flows at
 * different rates never walk into the ports another just took. */
TEST(nat_port_walk_is_shared_by_the_cpus_a_block_at_a_time)
{
	static const uint32_t only_0[] = { 0 };
	struct xlb_dp_opts o;
	uint16_t sport = 40000;
	struct env e;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2 || env_on_cpu(1))
		SKIP("needs two online CPUs (CPU 1 for the second walker)");
	env_on_cpu(0);
	xlb_dp_opts_default(&o);
	o.flow_entries = 4096;
	ENV_OPEN(&e, &o);
	CHECK(env_publish(&e, SVC_TCP4, only_0, 1) == 0);
	/* CPU 0 takes the first block, CPU 1 the second. */
	for (int i = 0; i < 3; i++)
		CHECK(syn_on_cpu(&e, 0, sport++, NAT_PORT0 + i));
	CHECK(syn_on_cpu(&e, 1, sport++, NAT_PORT0 + 64));
	/* CPU 0 uses its block up, then takes the third. */
	for (int i = 3; i < 64; i++)
		CHECK(syn_on_cpu(&e, 0, sport++, (uint16_t)(NAT_PORT0 + i)));
	CHECK(syn_on_cpu(&e, 0, sport++, NAT_PORT0 + 128));
	CHECK(syn_on_cpu(&e, 1, sport++, NAT_PORT0 + 65));
	CHECK_EQ(0, env_reason(&e, XLB_R_DROP_NAT_PORTS));
out:
	env_on_cpu(0);
	env_close(&e);
}

TEST(member_without_route_drops_before_rewriting)
{
	static const uint32_t only_40[] = { 40 };
	struct xlb_member m;
	struct pkt_desc in;
	struct env e;

	ENV_OPEN(&e, NULL);
	env_member(&m, 4, 0, TCP_MEMBER_PORT, SVC_TCP4);
	pkt_addr("198.18.7.7", m.addr.bytes); /* no route in the namespace */
	CHECK(xlb_maps_member_set(&e.dp.maps, 40, &m) == 0);
	CHECK(env_publish(&e, SVC_TCP4, only_40, 1) == 0);
	in = from_client(4, IPPROTO_TCP, 40000, TCPF_SYN);
	EXPECT(&e, e.if_client, &in, XDP_DROP, NULL, "SYN toward an unroutable member");
	CHECK(env_reason(&e, XLB_R_DROP_FIB) == 1);
out:
	env_close(&e);
}

TEST(counters_per_service_and_member)
{
	struct xlb_traffic_stats s;
	struct pkt_desc in, want;
	uint8_t buf[PKT_MAX];
	size_t fwd_len, rep_len;
	struct env e;

	ENV_OPEN(&e, NULL);
	in = from_client(4, IPPROTO_TCP, 40000, TCPF_SYN);
	fwd_len = pkt_build(&in, buf, sizeof(buf));
	want = to_member(&in, 0, NAT_PORT0);
	EXPECT(&e, e.if_client, &in, XDP_REDIRECT, &want, "SYN");
	in = from_member(4, IPPROTO_TCP, 0, NAT_PORT0, TCPF_SYN | TCPF_ACK);
	rep_len = pkt_build(&in, buf, sizeof(buf));
	want = to_client(&in, 40000);
	EXPECT(&e, e.if_member, &in, XDP_REDIRECT, &want, "SYN-ACK");
	CHECK(xlb_maps_service_stats(&e.dp.maps, SVC_TCP4, &s) == 0);
	CHECK(s.fwd_packets == 1 && s.fwd_bytes == fwd_len && s.new_flows == 1);
	CHECK(s.reply_packets == 1 && s.reply_bytes == rep_len);
	CHECK(xlb_maps_member_stats(&e.dp.maps, 0, &s) == 0);
	CHECK(s.fwd_packets == 1 && s.reply_packets == 1 && s.new_flows == 1);
	CHECK(xlb_maps_member_stats(&e.dp.maps, 1, &s) == 0);
	CHECK(s.fwd_packets == 0 && s.new_flows == 0);
out:
	env_close(&e);
}

TEST(service_ports_are_marked_and_cleared_with_their_services)
{
	struct xlb_svc_key k80, k53;
	__u32 port;
	__u8 flags;
	struct env e;

	ENV_OPEN(&e, NULL);
	env_svc_key(&k80, "198.18.0.100", 80, IPPROTO_TCP);
	env_svc_key(&k53, "198.18.0.100", 53, IPPROTO_UDP);
	port = 80;
	CHECK(bpf_map_lookup_elem(e.dp.maps.svc_ports, &port, &flags) == 0 && flags == XLB_PORT_TCP);
	port = 53;
	CHECK(bpf_map_lookup_elem(e.dp.maps.svc_ports, &port, &flags) == 0 && flags == XLB_PORT_UDP);
	/* Port 80 is still used by the IPv6 and the empty services. */
	CHECK(xlb_maps_service_delete(&e.dp.maps, &k80) == 0);
	port = 80;
	CHECK(bpf_map_lookup_elem(e.dp.maps.svc_ports, &port, &flags) == 0 && flags == XLB_PORT_TCP);
	CHECK(xlb_maps_service_delete(&e.dp.maps, &k53) == 0);
	env_svc_key(&k53, "fd00::100", 53, IPPROTO_UDP);
	CHECK(xlb_maps_service_delete(&e.dp.maps, &k53) == 0);
	port = 53;
	CHECK(bpf_map_lookup_elem(e.dp.maps.svc_ports, &port, &flags) == 0 && flags == 0);
out:
	env_close(&e);
}

TEST(every_reason_has_a_distinct_name)
{
	for (unsigned int r = 0; r < XLB_R_MAX; r++) {
		ASSERT_TRUE(xlb_reason_name(r) != NULL);
		for (unsigned int q = 0; q < r; q++)
			ASSERT_TRUE(strcmp(xlb_reason_name(r), xlb_reason_name(q)) != 0);
	}
	ASSERT_STR_EQ("tx_new_flow", xlb_reason_name(XLB_R_TX_NEW_FLOW));
	ASSERT_STR_EQ("?", xlb_reason_name(XLB_R_MAX));
}

TEST(loaded_data_plane_carries_its_abi_version)
{
	struct xlb_meta meta;
	__u32 zero = 0;
	struct env e;

	ENV_OPEN(&e, NULL);
	CHECK(bpf_map_lookup_elem(e.dp.maps.meta, &zero, &meta) == 0);
	CHECK(meta.abi_version == XLB_ABI_VERSION);
	CHECK(xlb_maps_check_abi(&e.dp.maps) == 0);
out:
	env_close(&e);
}
