// SPDX-License-Identifier: MIT
/* TCP close tracking and the NAT port: a FIN is recorded per direction in
 * both entries, with who closed first; both FINs and the first closer's
 * last ACK make the connection CLOSED.  Its port is handed out again after
 * tcp_time_wait when the client closed first, after tcp_closing_timeout
 * when the member did (it holds TIME_WAIT on the tuple).  One member, one
 * NAT port (2000), so a second connection shows whether the port is free. */
#include "dp_env.h"

#include <linux/bpf.h>

#include "dp/sweep.h"

#define PORT 2000

static const uint32_t only_0[] = { 0 };

/* The fixture with member 0 only behind VIP:80 and NAT port PORT only. */
static void one_port(struct xlb_dp_opts *o)
{
	xlb_dp_opts_default(o);
	o->flow_entries = 4096;
	o->nat_port_min = PORT;
	o->nat_port_max = PORT;
}

#define OPEN_ONE_PORT(e, o)                                              \
	do {                                                             \
		one_port(o);                                             \
		ENV_OPEN(e, o);                                          \
		CHECK(env_publish(e, SVC_TCP4, only_0, 1) == 0);         \
	} while (0)

/* One connection: the client's port and the NAT port toward member 0. */
struct conn {
	uint16_t cport, nport;
};

static const struct conn c0 = { 40000, PORT };

/* client -> member, member -> client, with the exact rewrite. */
static bool conn_from_c(struct env *e, struct conn c, uint8_t flags, const char *what)
{
	struct pkt_desc in = from_client(4, IPPROTO_TCP, c.cport, flags);
	struct pkt_desc want = to_member(&in, 0, c.nport);

	return expect(e, e->if_client, &in, XDP_REDIRECT, &want, what);
}

static bool conn_from_m(struct env *e, struct conn c, uint8_t flags, const char *what)
{
	struct pkt_desc in = from_member(4, IPPROTO_TCP, 0, c.nport, flags);
	struct pkt_desc want = to_client(&in, c.cport);

	return expect(e, e->if_member, &in, XDP_REDIRECT, &want, what);
}

static bool from_c(struct env *e, uint8_t flags, const char *what)
{
	return conn_from_c(e, c0, flags, what);
}

static bool from_m(struct env *e, uint8_t flags, const char *what)
{
	return conn_from_m(e, c0, flags, what);
}

/* Both entries of the connection: state and flags. */
static bool both(struct env *e, uint8_t state, uint8_t flags)
{
	struct xlb_flow_key fk, rk;
	struct xlb_flow f, r;

	tcp4_keys(&fk, &rk, 40000, 0, PORT);
	if (flow_get(e, &fk, &f) || flow_get(e, &rk, &r)) {
		xt_fail(__FILE__, __LINE__, "the connection's entries are not in xlb_flows");
		return false;
	}
	if (f.state != state || r.state != state || f.flags != flags || r.flags != flags) {
		xt_fail(__FILE__, __LINE__, "state/flags: expected %u/%#x in both, got %u/%#x and %u/%#x",
			state, flags, f.state, f.flags, r.state, r.flags);
		return false;
	}
	return true;
}

static int conn_age(struct env *e, struct conn c, uint64_t seconds)
{
	struct xlb_flow_key fk, rk;

	tcp4_keys(&fk, &rk, c.cport, 0, c.nport);
	return flow_age(e, &fk, seconds) || flow_age(e, &rk, seconds) ? -1 : 0;
}

static int age_both(struct env *e, uint64_t seconds)
{
	return conn_age(e, c0, seconds);
}

/* Linux's SYN options with TSval tsval (MSS, SACK permitted, timestamp,
 * NOP, window scale: the timestamp is not the first option). */
static void opts_syn(uint8_t o[20], uint32_t tsval)
{
	const uint8_t opts[] = { 2, 4, 5, 180, 4, 2, 8, 10, tsval >> 24, tsval >> 16, tsval >> 8, tsval,
				 0, 0, 0, 0, 1, 3, 3, 7 };

	memcpy(o, opts, sizeof(opts));
}

/* The SYN of another client (198.18.0.11:40000) with sequence number seq
 * and, when tsval is not negative, opts_syn's options. */
static struct pkt_desc other_syn_desc(uint32_t seq, int64_t tsval, uint8_t opts[20])
{
	struct pkt_desc in = from_client(4, IPPROTO_TCP, 40000, TCPF_SYN);

	in.src[3] = 11;
	in.seq = seq;
	if (tsval >= 0) {
		opts_syn(opts, (uint32_t)tsval);
		in.tcp_opts = opts;
		in.tcp_opts_len = 20;
	}
	return in;
}

/* other_syn_desc's SYN: forwarded with the port, or dropped for want of
 * one. */
static int other_syn_seq(struct env *e, uint32_t seq, int64_t tsval)
{
	uint8_t opts[20];
	struct pkt_desc in = other_syn_desc(seq, tsval, opts);

	return env_verdict(e, e->if_client, &in);
}

/* The connection's client FIN again, with no expectation of the result. */
static int late_client_fin(struct env *e)
{
	struct pkt_desc in = from_client(4, IPPROTO_TCP, c0.cport, TCPF_FIN | TCPF_ACK);

	return env_verdict(e, e->if_client, &in);
}

/* A SYN of another client: forwarded with the port, or dropped for want
 * of one. */
static int other_syn(struct env *e)
{
	return other_syn_seq(e, 0, -1);
}

/* A client segment with TCP options opts (and data) and sequence number
 * seq, through the connection's forward entry with the exact rewrite. */
static bool conn_from_c_seg(struct env *e, struct conn c, uint8_t flags, uint32_t seq, const uint8_t *opts,
			    size_t opts_len, size_t data, const char *what)
{
	static const uint8_t bytes[64];
	struct pkt_desc in = from_client(4, IPPROTO_TCP, c.cport, flags);
	struct pkt_desc want;

	in.seq = seq;
	in.tcp_opts = opts;
	in.tcp_opts_len = opts_len;
	in.payload = bytes;
	in.payload_len = data;
	want = to_member(&in, 0, c.nport);
	return expect(e, e->if_client, &in, XDP_REDIRECT, &want, what);
}

static bool from_c_seg(struct env *e, uint8_t flags, uint32_t seq, const uint8_t *opts, size_t opts_len,
		       size_t data, const char *what)
{
	return conn_from_c_seg(e, c0, flags, seq, opts, opts_len, data, what);
}

/* NOP, NOP, timestamp (TSval tsval, TSecr 1): a FIN's options on Linux. */
static void opts_ts(uint8_t o[12], uint32_t tsval)
{
	const uint8_t head[] = { 1, 1, 8, 10, tsval >> 24, tsval >> 16, tsval >> 8, tsval, 0, 0, 0, 1 };

	memcpy(o, head, sizeof(head));
}

/* Opens the connection and closes it member first: the member's FIN, the
 * client's FIN (sequence number fin_seq after data bytes of data, options
 * fin_opts), the client's ACK, the member's last ACK. */
static bool conn_close_member_first(struct env *e, struct conn c, uint32_t fin_seq, const uint8_t *fin_opts,
				    size_t fin_opts_len, size_t data)
{
	return conn_from_c(e, c, TCPF_SYN, "SYN") && conn_from_c(e, c, TCPF_ACK, "ACK") &&
	       conn_from_m(e, c, TCPF_FIN | TCPF_ACK, "member FIN") &&
	       conn_from_c_seg(e, c, TCPF_FIN | TCPF_ACK | (data ? TCPF_PSH : 0), fin_seq, fin_opts, fin_opts_len,
			       data, "client FIN") &&
	       conn_from_c(e, c, TCPF_ACK, "client ACK") && conn_from_m(e, c, TCPF_ACK, "member's last ACK");
}

static bool close_member_first(struct env *e, uint32_t fin_seq, const uint8_t *fin_opts, size_t fin_opts_len,
			       size_t data)
{
	return conn_close_member_first(e, c0, fin_seq, fin_opts, fin_opts_len, data);
}

/* The reply entry of the connection. */
static bool reply_entry(struct env *e, struct xlb_flow *r)
{
	struct xlb_flow_key fk, rk;

	tcp4_keys(&fk, &rk, 40000, 0, PORT);
	if (flow_get(e, &rk, r)) {
		xt_fail(__FILE__, __LINE__, "the reply entry is not in xlb_flows");
		return false;
	}
	return true;
}

/* The count in xlb_nat_held of the connection's reply tuple, or -1. */
static int64_t held(struct env *e)
{
	struct xlb_flow_key fk, rk;

	tcp4_keys(&fk, &rk, 40000, 0, PORT);
	return held_get(e, &rk);
}

TEST(client_first_close_frees_the_port_after_tcp_time_wait)
{
	struct xlb_dp_opts o;
	struct env e;

	OPEN_ONE_PORT(&e, &o);
	if (!from_c(&e, TCPF_SYN, "SYN") || !from_c(&e, TCPF_ACK, "ACK"))
		goto out;
	CHECK(both(&e, XLB_FLOW_ESTABLISHED, 0));
	if (!from_c(&e, TCPF_FIN | TCPF_ACK, "client FIN"))
		goto out;
	CHECK(both(&e, XLB_FLOW_FIN, XLB_FLOW_F_FIN_CLIENT));
	/* The member's ACK of it changes nothing; its FIN does. */
	if (!from_m(&e, TCPF_ACK, "member ACK") || !from_m(&e, TCPF_FIN | TCPF_ACK, "member FIN"))
		goto out;
	CHECK(both(&e, XLB_FLOW_FIN, XLB_FLOW_F_FIN_CLIENT | XLB_FLOW_F_FIN_MEMBER));
	if (!from_c(&e, TCPF_ACK, "client's last ACK"))
		goto out;
	CHECK(both(&e, XLB_FLOW_CLOSED, XLB_FLOW_F_FIN_CLIENT | XLB_FLOW_F_FIN_MEMBER));
	/* Late segments within tcp_time_wait still pass, and hold the port. */
	if (!from_m(&e, TCPF_FIN | TCPF_ACK, "member FIN retransmitted"))
		goto out;
	CHECK_EQ(XDP_DROP, other_syn(&e));
	CHECK_EQ(1, env_reason(&e, XLB_R_DROP_NAT_PORTS));
	CHECK_EQ(0, age_both(&e, XLB_TIMEOUT_TCP_TIME_WAIT_DEFAULT + 1));
	CHECK_EQ(XDP_REDIRECT, other_syn(&e));
	CHECK_EQ(1, env_event(&e, XLB_EV_NAT_PORT_REUSED));
out:
	env_close(&e);
}

TEST(member_first_close_keeps_the_port_for_the_closing_timeout)
{
	uint8_t both_fins = XLB_FLOW_F_FIN_CLIENT | XLB_FLOW_F_FIN_MEMBER;
	struct xlb_dp_opts o;
	struct env e;

	OPEN_ONE_PORT(&e, &o);
	if (!from_c(&e, TCPF_SYN, "SYN") || !from_c(&e, TCPF_ACK, "ACK"))
		goto out;
	if (!from_m(&e, TCPF_FIN | TCPF_ACK, "member FIN"))
		goto out;
	CHECK(both(&e, XLB_FLOW_FIN, XLB_FLOW_F_FIN_MEMBER | XLB_FLOW_F_MEMBER_FIRST));
	if (!from_c(&e, TCPF_FIN | TCPF_ACK, "client FIN"))
		goto out;
	/* The client's ACK is not the last one: the member closed first. */
	if (!from_c(&e, TCPF_ACK, "client ACK"))
		goto out;
	CHECK(both(&e, XLB_FLOW_FIN, both_fins | XLB_FLOW_F_MEMBER_FIRST));
	if (!from_m(&e, TCPF_ACK, "member's last ACK"))
		goto out;
	CHECK(both(&e, XLB_FLOW_CLOSED, both_fins | XLB_FLOW_F_MEMBER_FIRST));
	CHECK_EQ(0, age_both(&e, XLB_TIMEOUT_TCP_TIME_WAIT_DEFAULT + 1));
	CHECK_EQ(XDP_DROP, other_syn(&e));
	/* The forward entry waits only for late segments, as after a
	 * client-first close: a client FIN sent again now gets a RST. */
	CHECK_EQ(XDP_TX, late_client_fin(&e));
	CHECK_EQ(1, env_reason(&e, XLB_R_TX_RST_NO_FLOW));
	CHECK_EQ(XDP_DROP, other_syn(&e));
	CHECK_EQ(0, age_both(&e, XLB_TIMEOUT_TCP_FIN_DEFAULT));
	CHECK_EQ(XDP_REDIRECT, other_syn(&e));
out:
	env_close(&e);
}

/* After a member-first close the port goes early to a SYN the member's
 * TIME_WAIT takes: with timestamps on both, a TSval newer than the client
 * FIN's, whatever the sequence number, and at once (RFC 6191: the
 * member's PAWS drops the old connection's late segments).  A SYN without
 * a timestamp waits tcp_time_wait for late segments, then the sequence
 * number decides. */
TEST(member_first_close_frees_the_port_at_once_for_a_syn_with_a_newer_timestamp)
{
	struct xlb_dp_opts o;
	struct xlb_flow r;
	uint8_t ts[12];
	struct env e;

	OPEN_ONE_PORT(&e, &o);
	opts_ts(ts, 5000);
	if (!close_member_first(&e, 1000, ts, sizeof(ts), 0) || !reply_entry(&e, &r))
		goto out;
	CHECK_EQ(XLB_FLOW_CLOSED, r.state);
	CHECK_EQ(XLB_TW_TS, r.tw);
	CHECK_EQ(1001, r.tw_rcv_nxt);
	CHECK_EQ(5000, r.tw_ts_recent);
	/* An older or equal TSval: PAWS would drop it, the sequence number
	 * beyond the old connection's does not help. */
	CHECK_EQ(XDP_DROP, other_syn_seq(&e, 5000, 4999));
	CHECK_EQ(XDP_DROP, other_syn_seq(&e, 5000, 5000));
	/* No timestamp: nothing drops the late segments but the guard. */
	CHECK_EQ(XDP_DROP, other_syn_seq(&e, 5000, -1));
	CHECK_EQ(0, env_event(&e, XLB_EV_NAT_PORT_REUSED));
	CHECK_EQ(XDP_REDIRECT, other_syn_seq(&e, 10, 5001));
	CHECK_EQ(1, env_event(&e, XLB_EV_NAT_PORT_REUSED));
	env_close(&e);

	OPEN_ONE_PORT(&e, &o);
	opts_ts(ts, 5000);
	if (!close_member_first(&e, 1000, ts, sizeof(ts), 0))
		goto out;
	CHECK_EQ(0, age_both(&e, XLB_TIMEOUT_TCP_TIME_WAIT_DEFAULT + 1));
	CHECK_EQ(XDP_DROP, other_syn_seq(&e, 5000, 4999));
	CHECK_EQ(XDP_REDIRECT, other_syn_seq(&e, 5000, -1));
out:
	env_close(&e);
}

/* Without timestamps the sequence number decides: beyond the client's
 * FIN (after its data).  A SYN with a timestamp is judged the same when
 * the old connection had none; a retransmitted FIN records its TSval. */
TEST(member_first_close_frees_the_port_early_for_a_syn_beyond_the_old_sequence)
{
	struct xlb_dp_opts o;
	struct xlb_flow r;
	uint8_t ts[12];
	struct env e;

	OPEN_ONE_PORT(&e, &o);
	if (!close_member_first(&e, 0xfffffff0u, NULL, 0, 10) || !reply_entry(&e, &r))
		goto out;
	CHECK_EQ(XLB_TW_SEQ, r.tw);
	CHECK_EQ(0xfffffffbu, r.tw_rcv_nxt);
	CHECK_EQ(0, age_both(&e, XLB_TIMEOUT_TCP_TIME_WAIT_DEFAULT + 1));
	CHECK_EQ(XDP_DROP, other_syn_seq(&e, 0xfffffffbu, -1));
	CHECK_EQ(XDP_DROP, other_syn_seq(&e, 0xfffffffau, 7));
	/* Beyond, across the wrap of the sequence space. */
	CHECK_EQ(XDP_REDIRECT, other_syn_seq(&e, 3, 7));
	env_close(&e);

	OPEN_ONE_PORT(&e, &o);
	opts_ts(ts, 100);
	if (!close_member_first(&e, 1000, ts, sizeof(ts), 0))
		goto out;
	opts_ts(ts, 200);
	if (!from_c_seg(&e, TCPF_FIN | TCPF_ACK, 1000, ts, sizeof(ts), 0, "client FIN retransmitted") ||
	    !reply_entry(&e, &r))
		goto out;
	CHECK_EQ(200, r.tw_ts_recent);
	CHECK_EQ(0, age_both(&e, XLB_TIMEOUT_TCP_TIME_WAIT_DEFAULT + 1));
	CHECK_EQ(XDP_DROP, other_syn_seq(&e, 5000, 150));
	/* A SYN without a timestamp: the sequence number decides. */
	CHECK_EQ(XDP_DROP, other_syn_seq(&e, 1001, -1));
	CHECK_EQ(XDP_REDIRECT, other_syn_seq(&e, 1002, -1));
out:
	env_close(&e);
}

/* After member-first closes a SYN takes a held port about half the time
 * (TSvals are random per connection), so the search goes on past the
 * ports that refuse it: twelve ports, the first eleven held by closes
 * whose TIME_WAIT would refuse the SYN (their TSval is newer), the last
 * by one that takes it.  The SYN's options are read once, at the first
 * port that needs them, which is tried again with them. */
TEST(port_search_goes_past_ports_whose_time_wait_refuses_the_syn)
{
	struct xlb_dp_opts o;
	uint8_t ts[12], opts[20];
	struct pkt_desc in, want;
	struct env e;
	int n = 12;

	one_port(&o);
	o.nat_port_max = PORT + n - 1;
	ENV_OPEN(&e, &o);
	CHECK(env_publish(&e, SVC_TCP4, only_0, 1) == 0);
	for (int i = 0; i < n; i++) {
		struct conn c = { (uint16_t)(41000 + i), (uint16_t)(PORT + i) };

		opts_ts(ts, i < n - 1 ? 9000 : 100);
		if (!conn_close_member_first(&e, c, 1000, ts, sizeof(ts), 0))
			goto out;
		CHECK_EQ(0, conn_age(&e, c, XLB_TIMEOUT_TCP_TIME_WAIT_DEFAULT + 1));
	}
	in = other_syn_desc(5000, 5000, opts);
	want = to_member(&in, 0, PORT + n - 1);
	CHECK(expect(&e, e.if_client, &in, XDP_REDIRECT, &want, "SYN through the last port"));
	/* The walk goes on from the first port, which takes a newer TSval:
	 * it is the port that needed the options, tried again. */
	in = other_syn_desc(5000, 9001, opts);
	in.sport = 40001;
	want = to_member(&in, 0, PORT);
	CHECK(expect(&e, e.if_client, &in, XDP_REDIRECT, &want, "SYN through the first port"));
	CHECK_EQ(2, env_event(&e, XLB_EV_NAT_PORT_REUSED));
	CHECK_EQ(0, env_reason(&e, XLB_R_DROP_NAT_PORTS));
out:
	env_close(&e);
}

TEST(rst_closes_both_entries)
{
	struct xlb_dp_opts o;
	struct env e;

	OPEN_ONE_PORT(&e, &o);
	if (!from_c(&e, TCPF_SYN, "SYN") || !from_c(&e, TCPF_ACK, "ACK"))
		goto out;
	if (!from_m(&e, TCPF_RST | TCPF_ACK, "member RST"))
		goto out;
	CHECK(both(&e, XLB_FLOW_RST, 0));
	CHECK_EQ(0, age_both(&e, XLB_TIMEOUT_TCP_RST_DEFAULT + 1));
	CHECK_EQ(XDP_REDIRECT, other_syn(&e));
out:
	env_close(&e);
}

/* xlb_nat_held counts the reply entries of xlb_flows on the port: none
 * for a handshake (xlb_halfopen), one once promoted, none again when the
 * sweeper deletes it; while it counts one, the port is looked up and
 * refused to another connection. */
TEST(held_port_counter_follows_the_reply_entry_in_the_flow_table)
{
	struct xlb_dp_opts o;
	struct env e;

	OPEN_ONE_PORT(&e, &o);
	CHECK_EQ(0, held(&e));
	if (!from_c(&e, TCPF_SYN, "SYN"))
		goto out;
	CHECK_EQ(0, held(&e));
	if (!from_c(&e, TCPF_ACK, "ACK"))
		goto out;
	CHECK_EQ(1, held(&e));
	/* The handshake's copy goes with the sweep: only xlb_flows holds it. */
	CHECK_EQ(0, xlb_sweep_run(xlb_dp_sweep_prog_fd(&e.dp)));
	CHECK_EQ(XDP_DROP, other_syn(&e));
	CHECK_EQ(1, env_reason(&e, XLB_R_DROP_NAT_PORTS));
	CHECK_EQ(1, held(&e));
	if (!from_m(&e, TCPF_RST | TCPF_ACK, "member RST"))
		goto out;
	CHECK_EQ(0, age_both(&e, XLB_TIMEOUT_TCP_RST_DEFAULT + 1));
	CHECK_EQ(0, xlb_sweep_run(xlb_dp_sweep_prog_fd(&e.dp)));
	CHECK_EQ(0, held(&e));
	CHECK_EQ(XDP_REDIRECT, other_syn(&e));
out:
	env_close(&e);
}

/* A count above the entries there only costs a lookup: the free port is
 * handed out, and the count of its promotion adds to it. */
TEST(held_port_counter_above_the_entries_still_finds_the_port_free)
{
	struct xlb_dp_opts o;
	struct env e;

	struct xlb_flow_key fk, rk;

	OPEN_ONE_PORT(&e, &o);
	tcp4_keys(&fk, &rk, 40000, 0, PORT);
	CHECK_EQ(0, held_set(&e, &rk, 5));
	if (!from_c(&e, TCPF_SYN, "SYN") || !from_c(&e, TCPF_ACK, "ACK"))
		goto out;
	CHECK_EQ(6, held(&e));
	CHECK(both(&e, XLB_FLOW_ESTABLISHED, 0));
out:
	env_close(&e);
}

/* A SYN-ACK looks in xlb_halfopen first; one the member retransmits
 * after the promotion, once the sweep took the half-open copies, is
 * translated from xlb_flows. */
TEST(syn_ack_after_the_promotion_and_the_sweep_is_still_translated)
{
	struct xlb_dp_opts o;
	struct env e;

	OPEN_ONE_PORT(&e, &o);
	if (!from_c(&e, TCPF_SYN, "SYN") || !from_m(&e, TCPF_SYN | TCPF_ACK, "SYN-ACK") ||
	    !from_c(&e, TCPF_ACK, "ACK"))
		goto out;
	CHECK_EQ(0, xlb_sweep_run(xlb_dp_sweep_prog_fd(&e.dp)));
	CHECK(from_m(&e, TCPF_SYN | TCPF_ACK, "SYN-ACK retransmitted"));
	CHECK(both(&e, XLB_FLOW_ESTABLISHED, 0));
out:
	env_close(&e);
}
