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

/* client -> member, member -> client, with the exact rewrite. */
static bool from_c(struct env *e, uint8_t flags, const char *what)
{
	struct pkt_desc in = from_client(4, IPPROTO_TCP, 40000, flags);
	struct pkt_desc want = to_member(&in, 0, PORT);

	return expect(e, e->if_client, &in, XDP_REDIRECT, &want, what);
}

static bool from_m(struct env *e, uint8_t flags, const char *what)
{
	struct pkt_desc in = from_member(4, IPPROTO_TCP, 0, PORT, flags);
	struct pkt_desc want = to_client(&in, 40000);

	return expect(e, e->if_member, &in, XDP_REDIRECT, &want, what);
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

static int age_both(struct env *e, uint64_t seconds)
{
	struct xlb_flow_key fk, rk;

	tcp4_keys(&fk, &rk, 40000, 0, PORT);
	return flow_age(e, &fk, seconds) || flow_age(e, &rk, seconds) ? -1 : 0;
}

/* A SYN of another client: forwarded with the port, or dropped for want
 * of one. */
static int other_syn(struct env *e)
{
	struct pkt_desc in = from_client(4, IPPROTO_TCP, 40000, TCPF_SYN);
	uint8_t ibuf[PKT_MAX], out[PKT_MAX];
	size_t len, olen = 0;

	in.src[3] = 11;
	len = pkt_build(&in, ibuf, sizeof(ibuf));
	return env_run(e, e->if_client, ibuf, len, out, &olen);
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
	CHECK_EQ(0, age_both(&e, XLB_TIMEOUT_TCP_FIN_DEFAULT));
	CHECK_EQ(XDP_REDIRECT, other_syn(&e));
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
