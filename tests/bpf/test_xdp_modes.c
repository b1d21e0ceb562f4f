// SPDX-License-Identifier: MIT
/* The data plane's other schedulers, forwarding modes and no-member
 * answers, packet in, exact packet out: Maglev picks the member the
 * table built in user space names for the flow's hash. */
#include <arpa/inet.h>

#include "dp_env.h"
#include "daemon/maglev.h"
#include "daemon/sorry_page.h"
#include "xlb/flow_hash.h"

static uint32_t maglev_table[XLB_MAGLEV_SIZE];

/* Re-publishes service svc_id (members 3*svc_id..+2) with another
 * scheduler or forwarding mode, staging a Maglev table for it. */
static int republish(struct env *e, uint32_t svc_id, const char *vip, uint16_t port, uint8_t proto,
		     uint8_t sched, uint8_t fwd)
{
	struct xlb_service svc = { .id = svc_id, .scheduler = sched, .forwarding = fwd,
				   .sorry_member = XLB_SORRY_BUILTIN };
	struct maglev_member mm[3] = {
		{ "m0|a|1", svc_id * 3, 1 }, { "m1|b|1", svc_id * 3 + 1, 1 }, { "m2|c|1", svc_id * 3 + 2, 1 },
	};
	uint32_t ids[3] = { svc_id * 3, svc_id * 3 + 1, svc_id * 3 + 2 };
	struct xlb_svc_key key;
	int err;

	env_svc_key(&key, vip, port, proto);
	if (sched == XLB_SCHED_MAGLEV) {
		err = maglev_build(mm, 3, maglev_table, XLB_MAGLEV_SIZE);
		if (err)
			return err;
	}
	return xlb_maps_service_publish(&e->dp.maps, &key, &svc, ids, 3,
					sched == XLB_SCHED_MAGLEV ? maglev_table : NULL);
}

/* The member index (0..2) the Maglev table gives the client's flow. */
static int maglev_pick(const struct pkt_desc *d, uint32_t svc_id)
{
	struct xlb_flow_key k;

	desc_flow_key(d, &k);
	return (int)(maglev_table[xlb_flow_hash(&k) % XLB_MAGLEV_SIZE] - svc_id * 3);
}

TEST(maglev_sends_each_new_flow_to_the_member_of_its_hash)
{
	uint16_t next_port[3] = { NAT_PORT0, NAT_PORT0, NAT_PORT0 };
	int seen[3] = { 0 };
	struct pkt_desc syn, want;
	struct env e;

	ENV_OPEN(&e, NULL);
	CHECK(republish(&e, SVC_TCP4, "198.18.0.100", 80, IPPROTO_TCP, XLB_SCHED_MAGLEV,
			XLB_FWD_NAT) == 0);
	for (uint16_t sport = 40000; sport < 40024; sport++) {
		int i;

		syn = from_client(4, IPPROTO_TCP, sport, TCPF_SYN);
		i = maglev_pick(&syn, SVC_TCP4);
		CHECK(i >= 0 && i < 3);
		want = to_member(&syn, i, next_port[i]++);
		EXPECT(&e, e.if_client, &syn, XDP_REDIRECT, &want, "SYN");
		seen[i]++;
	}
	/* 24 flows over three equal shares: each member gets some. */
	CHECK(seen[0] && seen[1] && seen[2]);
	CHECK(env_reason(&e, XLB_R_TX_NEW_FLOW) == 24);
out:
	env_close(&e);
}

/* The answer the built-in responder sends for in: from the VIP, header
 * without options, window 65535, then payload (the page) if any. */
static struct pkt_desc answer_for(const struct pkt_desc *in, uint32_t seq, uint32_t ack, uint8_t flags,
				  const uint8_t *payload, size_t payload_len)
{
	struct pkt_desc d = answer_to(in);

	d.tcp_flags = flags;
	d.seq = seq;
	d.ack = ack;
	d.payload = payload;
	d.payload_len = payload_len;
	return d;
}

static int publish_sorry(struct env *e, uint32_t svc_id, const char *vip, struct xlb_sorry_page *page)
{
	struct xlb_service svc = { .id = svc_id, .on_empty = XLB_ON_EMPTY_SORRY,
				   .sorry_member = XLB_SORRY_BUILTIN };
	struct xlb_svc_key key;
	int err;

	env_svc_key(&key, vip, 80, IPPROTO_TCP);
	err = sorry_page_build("web", 0x5eed1234, page);
	if (!err)
		err = xlb_maps_sorry_set(&e->dp.maps, svc_id, page);
	if (!err)
		err = xlb_maps_service_publish(&e->dp.maps, &key, &svc, NULL, 0, NULL);
	return err;
}

static uint32_t cookie_of(const struct pkt_desc *d, uint32_t secret)
{
	struct xlb_flow_key k;

	desc_flow_key(d, &k);
	return xlb_flow_hash(&k) ^ secret;
}

TEST(sorry_builtin_answers_syn_request_and_fin_with_the_503_page)
{
	static const char req[] = "GET / HTTP/1.0\r\n\r\n";
	struct xlb_sorry_page page;
	struct pkt_desc in, want;
	uint32_t c;
	struct env e;

	ENV_OPEN(&e, NULL);
	CHECK(publish_sorry(&e, SVC_EMPTY_REJECT, "198.18.0.101", &page) == 0);
	CHECK(memcmp(page.text, "HTTP/1.0 503 Service Unavailable\r\n", 34) == 0);
	CHECK(memmem(page.text, XLB_SORRY_LEN, "No member of web is available.", 30) != NULL);

	in = from_client(4, IPPROTO_TCP, 41000, TCPF_SYN);
	pkt_addr("198.18.0.101", in.dst);
	c = cookie_of(&in, 0x5eed1234);
	want = answer_for(&in, c, 1001, TCPF_SYN | TCPF_ACK, NULL, 0);
	EXPECT(&e, e.if_client, &in, XDP_TX, &want, "SYN-ACK");

	/* The handshake's ACK: nothing to answer. */
	in.tcp_flags = TCPF_ACK;
	in.seq = 1001;
	in.ack = c + 1;
	EXPECT(&e, e.if_client, &in, XDP_DROP, NULL, "pure ACK");

	in.tcp_flags = TCPF_ACK | TCPF_PSH;
	in.payload = (const uint8_t *)req;
	in.payload_len = sizeof(req) - 1;
	want = answer_for(&in, c + 1, 1001 + (uint32_t)in.payload_len,
			  TCPF_ACK | TCPF_PSH | TCPF_FIN, page.text, XLB_SORRY_LEN);
	EXPECT(&e, e.if_client, &in, XDP_TX, &want, "request -> page");

	in.tcp_flags = TCPF_ACK | TCPF_FIN;
	in.seq = 1001 + (uint32_t)in.payload_len;
	in.ack = c + 2 + XLB_SORRY_LEN;
	in.payload = NULL;
	in.payload_len = 0;
	want = answer_for(&in, c + 2 + XLB_SORRY_LEN, in.seq + 1, TCPF_ACK, NULL, 0);
	EXPECT(&e, e.if_client, &in, XDP_TX, &want, "FIN -> ACK");

	/* A segment that does not acknowledge a cookie is a stray: RST. */
	in.tcp_flags = TCPF_ACK;
	in.ack = c + 77;
	want = answer_for(&in, c + 77, 0, TCPF_RST, NULL, 0);
	want.zero_window = true;
	EXPECT(&e, e.if_client, &in, XDP_TX, &want, "stray ACK -> RST");

	CHECK(env_reason(&e, XLB_R_TX_SORRY) == 3);
	CHECK(env_reason(&e, XLB_R_DROP_SORRY_ACK) == 1);
	CHECK(env_reason(&e, XLB_R_TX_RST_NO_FLOW) == 1);
out:
	env_close(&e);
}

/* A sorry_address is a member of its own: NATed to like any member. */
TEST(sorry_address_gets_new_flows_like_a_member)
{
	struct xlb_service svc = { .id = SVC_EMPTY_REJECT, .on_empty = XLB_ON_EMPTY_SORRY,
				   .sorry_member = 40 };
	struct pkt_desc syn, want;
	struct xlb_svc_key key;
	struct xlb_member m;
	struct env e;

	ENV_OPEN(&e, NULL);
	env_member(&m, 4, 2, TCP_MEMBER_PORT, SVC_EMPTY_REJECT);
	CHECK(xlb_maps_member_set(&e.dp.maps, 40, &m) == 0);
	env_svc_key(&key, "198.18.0.101", 80, IPPROTO_TCP);
	CHECK(xlb_maps_service_publish(&e.dp.maps, &key, &svc, NULL, 0, NULL) == 0);
	syn = from_client(4, IPPROTO_TCP, 41000, TCPF_SYN);
	pkt_addr("198.18.0.101", syn.dst);
	want = to_member(&syn, 2, NAT_PORT0);
	EXPECT(&e, e.if_client, &syn, XDP_REDIRECT, &want, "SYN to the sorry address");
	CHECK(env_reason(&e, XLB_R_TX_NEW_FLOW) == 1);
out:
	env_close(&e);
}

/* dnat: what the client's packet looks like toward member i (its source
 * kept), and what member i's reply looks like toward the client. */
static struct pkt_desc dnat_to_member(const struct pkt_desc *in, int i)
{
	struct pkt_desc d = to_member(in, i, in->sport);

	memcpy(d.src, in->src, 16);
	return d;
}

/* dnat on SVC_TCP4, its members' replies translated by xlb_dnat_rev. */
static int dnat_publish(struct env *e, uint8_t sched)
{
	int err = republish(e, SVC_TCP4, "198.18.0.100", 80, IPPROTO_TCP, sched, XLB_FWD_DNAT);

	return err ? err : env_dnat_rev_publish(e);
}

/* member i's packet to the client 198.18.0.10:40000 (dnat keeps it). */
static struct pkt_desc dnat_from_member(int i, uint8_t flags)
{
	struct pkt_desc d = from_member(4, IPPROTO_TCP, i, 40000, flags);

	pkt_addr("198.18.0.10", d.dst);
	return d;
}

TEST(dnat_keeps_the_client_address_and_translates_replies_back)
{
	struct xlb_flow_key fk, rk;
	struct pkt_desc syn, rep, want;
	struct xlb_flow f;
	struct env e;

	ENV_OPEN(&e, NULL);
	CHECK(dnat_publish(&e, XLB_SCHED_RR) == 0);
	syn = from_client(4, IPPROTO_TCP, 40000, TCPF_SYN);
	want = dnat_to_member(&syn, 0);
	EXPECT(&e, e.if_client, &syn, XDP_REDIRECT, &want, "SYN");
	/* One entry, the forward one: replies take none. */
	flow_key(&fk, 4, IPPROTO_TCP, "198.18.0.10", 40000, "198.18.0.100", 80);
	flow_key(&rk, 4, IPPROTO_TCP, env_member4[0], TCP_MEMBER_PORT, "198.18.0.10", 40000);
	CHECK_EQ(0, halfopen_get(&e, &fk, &f));
	CHECK_EQ(-ENOENT, halfopen_get(&e, &rk, &f));

	/* member 0 answers the client itself (its default route is xlb) */
	rep = dnat_from_member(0, TCPF_SYN | TCPF_ACK);
	want = to_client(&rep, 40000);
	EXPECT(&e, e.if_member, &rep, XDP_REDIRECT, &want, "SYN-ACK");

	syn = from_client(4, IPPROTO_TCP, 40000, TCPF_ACK);
	want = dnat_to_member(&syn, 0);
	EXPECT(&e, e.if_client, &syn, XDP_REDIRECT, &want, "ACK");
	CHECK_EQ(0, flow_get(&e, &fk, &f));
	CHECK_EQ(-ENOENT, flow_get(&e, &rk, &f));
	CHECK_EQ(1, env_reason(&e, XLB_R_TX_NEW_FLOW));
	CHECK_EQ(1, env_reason(&e, XLB_R_TX_REPLY));
	CHECK_EQ(1, env_reason(&e, XLB_R_TX_FORWARD));
out:
	env_close(&e);
}

/* Another node opened the connection (ECMP), or this one restarted: the
 * reply is translated all the same. */
TEST(dnat_reply_is_translated_without_any_flow)
{
	struct xlb_traffic_stats st;
	struct pkt_desc rep, want;
	struct env e;

	ENV_OPEN(&e, NULL);
	CHECK(dnat_publish(&e, XLB_SCHED_RR) == 0);
	rep = dnat_from_member(2, TCPF_ACK | TCPF_PSH);
	rep.payload = (const uint8_t *)"HTTP/1.0 200 OK\r\n\r\n";
	rep.payload_len = 19;
	want = to_client(&rep, 40000);
	EXPECT(&e, e.if_member, &rep, XDP_REDIRECT, &want, "reply without a flow");
	CHECK_EQ(0, xlb_maps_member_stats(&e.dp.maps, SVC_TCP4 * 3 + 2, &st));
	CHECK_EQ(1, st.reply_packets);
	/* A member port nobody backs in dnat: not a reply. */
	rep.sport = 9999;
	EXPECT(&e, e.if_member, &rep, XDP_PASS, NULL, "from another port");
	CHECK_EQ(1, env_reason(&e, XLB_R_PASS_NOT_VIP));
out:
	env_close(&e);
}

TEST(dnat_reply_to_a_client_without_neighbour_goes_to_the_kernel_rewritten)
{
	struct pkt_desc rep, want;
	struct env e;

	ENV_OPEN(&e, NULL);
	CHECK(dnat_publish(&e, XLB_SCHED_RR) == 0);
	rep = dnat_from_member(0, TCPF_ACK);
	pkt_addr("198.18.0.20", rep.dst);
	want = to_client(&rep, 40000);
	pkt_addr("198.18.0.20", want.dst);
	memcpy(want.smac, rep.smac, 6);
	memcpy(want.dmac, rep.dmac, 6);
	EXPECT(&e, e.if_member, &rep, XDP_PASS, &want, "reply, no neighbour");
	CHECK_EQ(1, env_reason(&e, XLB_R_PASS_REPLY_NO_NEIGH));
out:
	env_close(&e);
}

/* This host's own connections to a dnat member (health checks, clients
 * the socket hooks sent straight to it) come from one of its addresses:
 * the member-side one (also the snat address) or any other, here the
 * client side's.  Their packets from the member's port are no replies to
 * a client: up the stack untouched, whatever port (ephemeral or not). */
TEST(dnat_member_answering_this_hosts_own_connection_passes_untouched)
{
	static const struct {
		const char *dst;
		uint16_t dport;
	} own[] = { { "198.18.1.1", 45000 }, { "198.18.1.1", 2000 }, { "198.18.0.1", 45001 } };
	struct pkt_desc rep, want;
	struct env e;

	ENV_OPEN(&e, NULL);
	CHECK(dnat_publish(&e, XLB_SCHED_RR) == 0);
	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++) {
		rep = from_member(4, IPPROTO_TCP, 0, own[i].dport, TCPF_SYN | TCPF_ACK);
		pkt_addr(own[i].dst, rep.dst);
		EXPECT(&e, e.if_member, &rep, XDP_PASS, NULL, own[i].dst);
		rep.tcp_flags = TCPF_FIN | TCPF_ACK;
		EXPECT(&e, e.if_member, &rep, XDP_PASS, NULL, "its FIN");
	}
	CHECK_EQ(6, env_reason(&e, XLB_R_PASS_LOCAL));
	CHECK_EQ(0, env_reason(&e, XLB_R_TX_REPLY));
	/* A client elsewhere still gets its reply translated. */
	rep = dnat_from_member(0, TCPF_SYN | TCPF_ACK);
	want = to_client(&rep, 40000);
	EXPECT(&e, e.if_member, &rep, XDP_REDIRECT, &want, "a client's SYN-ACK");
	CHECK_EQ(1, env_reason(&e, XLB_R_TX_REPLY));
out:
	env_close(&e);
}

/* The members of SVC_TCP4 also back a nat service (on 198.18.0.103):
 * their nat replies still go back through the NAT. */
TEST(nat_reply_of_a_member_that_also_backs_dnat_is_translated_by_the_nat)
{
	uint32_t ids[3] = { 0, 1, 2 };
	struct xlb_svc_key key;
	struct pkt_desc in, want;
	struct env e;

	ENV_OPEN(&e, NULL);
	CHECK(dnat_publish(&e, XLB_SCHED_RR) == 0);
	env_svc_key(&key, "198.18.0.103", 80, IPPROTO_TCP);
	CHECK(xlb_maps_service_publish(&e.dp.maps, &key, &(struct xlb_service){ .id = N_SVC }, ids, 3,
				       NULL) == 0);
	in = from_client(4, IPPROTO_TCP, 40000, TCPF_SYN);
	pkt_addr("198.18.0.103", in.dst);
	want = to_member(&in, 0, NAT_PORT0);
	EXPECT(&e, e.if_client, &in, XDP_REDIRECT, &want, "SYN to the nat service");
	in = from_member(4, IPPROTO_TCP, 0, NAT_PORT0, TCPF_SYN | TCPF_ACK);
	want = to_client(&in, 40000);
	pkt_addr("198.18.0.103", want.src);
	EXPECT(&e, e.if_member, &in, XDP_REDIRECT, &want, "its SYN-ACK");
out:
	env_close(&e);
}

TEST(dnat_member_fin_is_recorded_in_the_forward_entry)
{
	struct pkt_desc in, want;
	struct xlb_flow_key fk;
	struct xlb_flow f;
	struct env e;

	ENV_OPEN(&e, NULL);
	CHECK(dnat_publish(&e, XLB_SCHED_RR) == 0);
	in = from_client(4, IPPROTO_TCP, 40000, TCPF_SYN);
	want = dnat_to_member(&in, 0);
	EXPECT(&e, e.if_client, &in, XDP_REDIRECT, &want, "SYN");
	in.tcp_flags = TCPF_ACK;
	want = dnat_to_member(&in, 0);
	EXPECT(&e, e.if_client, &in, XDP_REDIRECT, &want, "ACK");
	in = dnat_from_member(0, TCPF_FIN | TCPF_ACK);
	want = to_client(&in, 40000);
	EXPECT(&e, e.if_member, &in, XDP_REDIRECT, &want, "member FIN");
	flow_key(&fk, 4, IPPROTO_TCP, "198.18.0.10", 40000, "198.18.0.100", 80);
	CHECK_EQ(0, flow_get(&e, &fk, &f));
	CHECK_EQ(XLB_FLOW_FIN, f.state);
	CHECK_EQ(XLB_FLOW_F_FIN_MEMBER | XLB_FLOW_F_MEMBER_FIRST, f.flags);
out:
	env_close(&e);
}

/* A router next to the members reports a packet xlb sent to member 0 of
 * a dnat connection (addressed to the client, whose address dnat kept):
 * the client gets it about its own packet, from the VIP. */
TEST(dnat_icmp_error_from_the_member_side_reaches_the_client)
{
	uint8_t qin[PKT_MAX], qwant[PKT_MAX];
	struct pkt_desc orig, sent, in, want;
	struct env e;

	ENV_OPEN(&e, NULL);
	CHECK(dnat_publish(&e, XLB_SCHED_RR) == 0);
	orig = from_client(4, IPPROTO_TCP, 40000, TCPF_ACK | TCPF_PSH);
	orig.ttl = 63;
	sent = dnat_to_member(&orig, 0);
	sent.ttl = 63;
	memset(&in, 0, sizeof(in));
	in.family = 4;
	in.proto = IPPROTO_ICMP;
	in.icmp_type = 3;
	in.icmp_code = 4;
	in.icmp_rest = 1400;
	in.payload = qin;
	in.payload_len = quote(&sent, qin, 512);
	pkt_mac(MAC_ROUTER, in.smac);
	pkt_mac(MAC_BAL_M, in.dmac);
	pkt_addr("198.18.1.254", in.src);
	pkt_addr("198.18.0.10", in.dst);
	want = in;
	want.ttl = 63;
	want.payload = qwant;
	want.payload_len = quote(&orig, qwant, 512);
	pkt_mac(MAC_BAL_C, want.smac);
	pkt_mac(MAC_CLIENT, want.dmac);
	pkt_addr("198.18.0.100", want.src);
	EXPECT(&e, e.if_member, &in, XDP_REDIRECT, &want, "frag needed about a dnat packet");
	CHECK_EQ(1, env_reason(&e, XLB_R_TX_ICMP_REPLY));
out:
	env_close(&e);
}

TEST(dsr_changes_only_the_destination_mac)
{
	struct pkt_desc in, want;
	struct xlb_traffic_stats st;
	struct env e;

	ENV_OPEN(&e, NULL);
	CHECK(republish(&e, SVC_TCP4, "198.18.0.100", 80, IPPROTO_TCP, XLB_SCHED_RR, XLB_FWD_DSR) == 0);
	in = from_client(4, IPPROTO_TCP, 40000, TCPF_SYN);
	want = in;
	pkt_mac(MAC_BAL_M, want.smac);
	pkt_mac(env_member_mac[0], want.dmac);
	EXPECT(&e, e.if_client, &in, XDP_REDIRECT, &want, "SYN");
	in = from_client(4, IPPROTO_TCP, 40000, TCPF_ACK | TCPF_PSH);
	in.payload = (const uint8_t *)"GET / HTTP/1.0\r\n\r\n";
	in.payload_len = 18;
	want = in;
	pkt_mac(MAC_BAL_M, want.smac);
	pkt_mac(env_member_mac[0], want.dmac);
	EXPECT(&e, e.if_client, &in, XDP_REDIRECT, &want, "data");
	/* No reply entry: the member answers the client directly. */
	CHECK(xlb_maps_service_stats(&e.dp.maps, SVC_TCP4, &st) == 0);
	CHECK(st.fwd_packets == 2 && st.reply_packets == 0 && st.new_flows == 1);
out:
	env_close(&e);
}

/* A mid-connection packet of a maglev service that keeps the client's
 * tuple goes to the member of its hash (another node had its flow). */
TEST(maglev_dnat_rederives_a_mid_connection_packet_without_flow)
{
	struct pkt_desc in, want;
	struct env e;
	int i;

	ENV_OPEN(&e, NULL);
	CHECK(republish(&e, SVC_TCP4, "198.18.0.100", 80, IPPROTO_TCP, XLB_SCHED_MAGLEV, XLB_FWD_DNAT) == 0);
	in = from_client(4, IPPROTO_TCP, 40123, TCPF_ACK | TCPF_PSH);
	in.payload = (const uint8_t *)"more";
	in.payload_len = 4;
	i = maglev_pick(&in, SVC_TCP4);
	CHECK(i >= 0 && i < 3);
	want = dnat_to_member(&in, i);
	EXPECT(&e, e.if_client, &in, XDP_REDIRECT, &want, "rederived");
	CHECK(env_reason(&e, XLB_R_TX_REDERIVED) == 1);
	CHECK(env_reason(&e, XLB_R_TX_RST_NO_FLOW) == 0);
	/* the next packet finds the flow the first one made */
	EXPECT(&e, e.if_client, &in, XDP_REDIRECT, &want, "forwarded");
	CHECK(env_reason(&e, XLB_R_TX_FORWARD) == 1);
out:
	env_close(&e);
}

/* One backend in two services (or a sorry_address that is another
 * service's member): both member ids walk one NAT port cursor, so the
 * second service does not run into the ports the first one holds. */
TEST(nat_backend_shared_by_two_services_shares_its_port_space)
{
	struct xlb_service svc = { .id = SVC_EMPTY_REJECT };
	uint32_t one = 0, shared = 40;
	struct pkt_desc syn, want;
	struct xlb_svc_key key;
	struct xlb_member m;
	struct env e;

	ENV_OPEN(&e, NULL);
	env_svc_key(&key, "198.18.0.100", 80, IPPROTO_TCP);
	CHECK(xlb_maps_service_publish(&e.dp.maps, &key, &(struct xlb_service){ .id = SVC_TCP4 }, &one,
				       1, NULL) == 0);
	for (uint16_t i = 0; i < 10; i++) {
		syn = from_client(4, IPPROTO_TCP, 40000 + i, TCPF_SYN);
		want = to_member(&syn, 0, NAT_PORT0 + i);
		EXPECT(&e, e.if_client, &syn, XDP_REDIRECT, &want, "SYN to the first service");
	}
	env_member(&m, 4, 0, TCP_MEMBER_PORT, SVC_EMPTY_REJECT);
	CHECK(xlb_maps_member_set(&e.dp.maps, shared, &m) == 0);
	env_svc_key(&key, "198.18.0.101", 80, IPPROTO_TCP);
	CHECK(xlb_maps_service_publish(&e.dp.maps, &key, &svc, &shared, 1, NULL) == 0);
	syn = from_client(4, IPPROTO_TCP, 41000, TCPF_SYN);
	pkt_addr("198.18.0.101", syn.dst);
	want = to_member(&syn, 0, NAT_PORT0 + 10);
	EXPECT(&e, e.if_client, &syn, XDP_REDIRECT, &want, "SYN to the second service");
	CHECK(env_reason(&e, XLB_R_DROP_NAT_PORTS) == 0);
out:
	env_close(&e);
}

TEST(sorry_builtin_and_dsr_over_ipv6)
{
	static const char req[] = "GET / HTTP/1.0\r\n\r\n";
	struct xlb_sorry_page page;
	struct pkt_desc in, want;
	uint32_t c;
	struct env e;

	ENV_OPEN(&e, NULL);
	CHECK(publish_sorry(&e, SVC_TCP6, "fd00::100", &page) == 0);
	in = from_client(6, IPPROTO_TCP, 41000, TCPF_SYN);
	c = cookie_of(&in, 0x5eed1234);
	want = answer_for(&in, c, 1001, TCPF_SYN | TCPF_ACK, NULL, 0);
	EXPECT(&e, e.if_client, &in, XDP_TX, &want, "SYN-ACK");
	in.tcp_flags = TCPF_ACK | TCPF_PSH;
	in.seq = 1001;
	in.ack = c + 1;
	in.payload = (const uint8_t *)req;
	in.payload_len = sizeof(req) - 1;
	want = answer_for(&in, c + 1, 1001 + (uint32_t)in.payload_len,
			  TCPF_ACK | TCPF_PSH | TCPF_FIN, page.text, XLB_SORRY_LEN);
	EXPECT(&e, e.if_client, &in, XDP_TX, &want, "request -> page");

	CHECK(republish(&e, SVC_TCP6, "fd00::100", 80, IPPROTO_TCP, XLB_SCHED_RR, XLB_FWD_DSR) == 0);
	in = from_client(6, IPPROTO_TCP, 41001, TCPF_SYN);
	want = in;
	pkt_mac(MAC_BAL_M, want.smac);
	pkt_mac(env_member_mac[0], want.dmac);
	EXPECT(&e, e.if_client, &in, XDP_REDIRECT, &want, "dsr SYN");
out:
	env_close(&e);
}
