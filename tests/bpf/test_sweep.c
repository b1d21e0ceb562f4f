// SPDX-License-Identifier: MIT
/* The sweeper (bpf/sweep.h, user/dp/sweep.c): it deletes what has expired
 * in both connection tables, counts the rest into the census (totals, per
 * member, per service; double-buffered), and takes the full flag down when
 * there is room again.  Connections are opened with real packets; the
 * passing of time is stood in for by moving last_seen back. */
#include "dp_env.h"

#include <linux/bpf.h>
#include <unistd.h>

#include "dp/sweep.h"

static int sweep(struct env *e)
{
	return xlb_sweep_run(xlb_dp_sweep_prog_fd(&e->dp));
}

/* Sends in and expects it forwarded (XDP_REDIRECT); the exact bytes of
 * these paths are the other files' business. */
static bool pass(struct env *e, int ifindex, const struct pkt_desc *in)
{
	int ret = env_verdict(e, ifindex, in);

	if (ret != XDP_REDIRECT)
		xt_fail(__FILE__, __LINE__, "packet from port %u: verdict %d, expected %d", in->sport, ret,
			XDP_REDIRECT);
	return ret == XDP_REDIRECT;
}

/* A TCP connection from client port sport: SYN, and with `promote` the
 * ACK; member round-robin. */
static bool tcp_open(struct env *e, uint16_t sport, bool promote)
{
	struct pkt_desc in = from_client(4, IPPROTO_TCP, sport, TCPF_SYN);

	if (!pass(e, e->if_client, &in))
		return false;
	in.tcp_flags = TCPF_ACK;
	in.ack = 5000;
	return !promote || pass(e, e->if_client, &in);
}

static int census(struct env *e, struct xlb_census *c, struct xlb_census_count *mbr)
{
	return xlb_maps_census_read(&e->dp.maps, c, mbr, NULL);
}

static struct xlb_census_count mbr[XLB_MAX_MEMBERS];

/* A packet on another CPU touches an entry after the sweep read its
 * clock (a sweep of big tables runs for a few hundred ms): last_seen is
 * then ahead of the sweep's now, and the entry is live, not expired. */
TEST(sweep_keeps_an_entry_touched_after_the_sweep_read_its_clock)
{
	struct xlb_flow_key fk, rk;
	struct pkt_desc in;
	struct xlb_census c;
	struct xlb_flow f;
	struct env e;

	ENV_OPEN(&e, NULL);
	CHECK(tcp_open(&e, 40000, true));
	tcp4_keys(&fk, &rk, 40000, 0, NAT_PORT0);
	CHECK_EQ(0, flow_age(&e, &fk, -1));
	CHECK_EQ(0, flow_age(&e, &rk, -1));
	CHECK_EQ(0, sweep(&e));
	CHECK_EQ(0, census(&e, &c, NULL));
	CHECK_EQ(1, c.total.established);
	CHECK_EQ(2, c.flows_entries);
	CHECK_EQ(0, c.flows_expired);
	CHECK_EQ(0, flow_get(&e, &fk, &f));
	CHECK_EQ(0, flow_get(&e, &rk, &f));
	/* And the packet path carries it (no RST for a missing flow). */
	in = from_client(4, IPPROTO_TCP, 40000, TCPF_ACK | TCPF_PSH);
	in.ack = 5000;
	CHECK(pass(&e, e.if_client, &in));
	CHECK_EQ(0, env_reason(&e, XLB_R_TX_RST_NO_FLOW));
	CHECK_EQ(2, env_reason(&e, XLB_R_TX_FORWARD)); /* the promoting ACK, this one */
out:
	env_close(&e);
}

TEST(sweep_deletes_what_expired_and_counts_the_rest_by_state)
{
	struct xlb_flow_key fk, rk;
	struct pkt_desc in;
	struct xlb_census c;
	struct xlb_flow f;
	struct env e;

	ENV_OPEN(&e, NULL);
	CHECK_EQ(-ENODATA, census(&e, &c, NULL));
	/* Round-robin over members 0, 1, 2, 0, 1 (NAT ports: 1024 on each,
	 * then 1025). */
	CHECK(tcp_open(&e, 40000, true));  /* member 0: established */
	CHECK(tcp_open(&e, 40001, false)); /* member 1: half-open */
	CHECK(tcp_open(&e, 40002, true));  /* member 2: closing */
	in = from_client(4, IPPROTO_TCP, 40002, TCPF_FIN | TCPF_ACK);
	CHECK(pass(&e, e.if_client, &in));
	CHECK(tcp_open(&e, 40003, false)); /* member 0: half-open, expired */
	CHECK(tcp_open(&e, 40004, true));  /* member 1: established, expired */
	flow_key(&fk, 4, IPPROTO_TCP, "198.18.0.10", 40003, "198.18.0.100", 80);
	CHECK_EQ(0, flow_age(&e, &fk, XLB_TIMEOUT_TCP_HALF_OPEN_DEFAULT + 1));
	tcp4_keys(&fk, &rk, 40004, 1, NAT_PORT0 + 1);
	CHECK_EQ(0, flow_age(&e, &fk, XLB_TIMEOUT_TCP_EST_DEFAULT + 1));
	in = from_client(4, IPPROTO_UDP, 40005, 0); /* member 0 of the UDP service */
	CHECK(pass(&e, e.if_client, &in));
	CHECK(pass(&e, e.if_client, &in));

	CHECK_EQ(0, sweep(&e));
	CHECK_EQ(0, census(&e, &c, mbr));
	CHECK_EQ(1, c.gen);
	CHECK_EQ(1, c.total.established);
	CHECK_EQ(1, c.total.half_open);
	CHECK_EQ(1, c.total.closing);
	CHECK_EQ(1, c.total.udp);
	/* Reply entries of the live ones: established, half-open, closing, udp. */
	CHECK_EQ(4, c.total.nat_ports);
	CHECK_EQ(6, c.flows_entries); /* 3 connections x 2 */
	CHECK_EQ(2, c.halfopen_entries);
	CHECK_EQ(2, c.flows_expired);
	/* 4 promoted duplicates x 2, the expired handshake's 2 entries. */
	CHECK_EQ(10, c.halfopen_expired);
	CHECK_EQ(65536, c.flows_max);
	CHECK_EQ(65536 / XLB_HALFOPEN_DIVISOR, c.halfopen_max);
	CHECK_EQ(1, mbr[0].established);
	CHECK_EQ(0, mbr[0].half_open);
	CHECK_EQ(1, mbr[1].half_open);
	CHECK_EQ(0, mbr[1].established);
	CHECK_EQ(1, mbr[2].closing);
	CHECK_EQ(1, mbr[SVC_UDP4 * 3].udp);
	CHECK_EQ(1, mbr[0].nat_ports);
	CHECK_EQ(1, mbr[1].nat_ports);
	/* What expired is gone from both tables. */
	CHECK_EQ(-ENOENT, flow_get(&e, &fk, &f));
	CHECK_EQ(-ENOENT, flow_get(&e, &rk, &f));
	flow_key(&fk, 4, IPPROTO_TCP, "198.18.0.10", 40003, "198.18.0.100", 80);
	CHECK_EQ(-ENOENT, halfopen_get(&e, &fk, &f));
	CHECK_EQ(1, env_event(&e, XLB_EV_FLOWS_EXPIRED));
	CHECK_EQ(1, env_event(&e, XLB_EV_HALF_OPEN_EXPIRED));
	CHECK_EQ(1, env_event(&e, XLB_EV_SWEEPS));
	/* Every handshake is accounted for: none was evicted. */
	{
		__u64 ev[XLB_EV_MAX];

		CHECK_EQ(0, xlb_maps_event_stats(&e.dp.maps, ev));
		CHECK_EQ(6, ev[XLB_EV_HALF_OPEN_NEW]);
		CHECK_EQ(0, xlb_census_half_open_evicted(&c, ev));
	}
out:
	env_close(&e);
}

TEST(census_counts_only_what_the_last_sweep_wrote)
{
	struct xlb_flow_key fk, rk;
	struct xlb_census c;
	struct env e;

	ENV_OPEN(&e, NULL);
	CHECK(tcp_open(&e, 40000, true));
	CHECK_EQ(0, sweep(&e)); /* copy 1: member 0 established */
	CHECK_EQ(0, census(&e, &c, mbr));
	CHECK_EQ(1, mbr[0].established);
	tcp4_keys(&fk, &rk, 40000, 0, NAT_PORT0);
	CHECK_EQ(0, flow_age(&e, &fk, XLB_TIMEOUT_TCP_EST_DEFAULT + 1));
	CHECK_EQ(0, sweep(&e)); /* copy 0: nothing */
	CHECK_EQ(0, sweep(&e)); /* copy 1 again: member 0's old count is void */
	CHECK_EQ(0, census(&e, &c, mbr));
	CHECK_EQ(3, c.gen);
	CHECK_EQ(0, c.total.established);
	CHECK_EQ(0, mbr[0].established);
	CHECK_EQ(0, mbr[0].nat_ports);
	CHECK_EQ(0, c.flows_entries);
out:
	env_close(&e);
}

TEST(sweep_takes_the_full_flag_down_only_below_the_mark)
{
	struct xlb_dp_opts o;
	struct xlb_dp_state st;
	struct pkt_desc in;
	struct xlb_census c;
	struct xlb_flow_key k;
	struct env e;
	uint32_t n_live = XLB_FLOWS_MIN * XLB_FULL_CLEAR_PERCENT / 100 + 1;

	xlb_dp_opts_default(&o);
	o.flow_entries = XLB_FLOWS_MIN;
	ENV_OPEN(&e, &o);
	/* Full: live connections above the mark, stale ones for the rest. */
	CHECK_EQ(0, flows_fill(&e, XLB_FLOWS_MIN, n_live));
	CHECK(tcp_open(&e, 40000, false));
	in = from_client(4, IPPROTO_TCP, 40000, TCPF_ACK);
	CHECK_EQ(XDP_TX, env_verdict(&e, e.if_client, &in)); /* no room: RST */
	CHECK_EQ(0, xlb_maps_dp_state(&e.dp.maps, &st));
	CHECK_EQ(1, st.full);
	/* The stale ones go, the live ones stay above 95%: still full. */
	CHECK_EQ(0, sweep(&e));
	CHECK_EQ(0, census(&e, &c, NULL));
	CHECK_EQ(n_live, c.flows_entries);
	CHECK_EQ(XLB_FLOWS_MIN - n_live, c.flows_expired);
	CHECK_EQ(0, xlb_maps_dp_state(&e.dp.maps, &st));
	CHECK_EQ(1, st.full);
	/* One more leaves: room again. */
	flow_key(&k, 4, IPPROTO_TCP, "198.19.0.0", 1024, "198.18.0.100", 80);
	CHECK_EQ(0, bpf_map_delete_elem(e.dp.maps.flows, &k) ? -errno : 0);
	CHECK_EQ(0, sweep(&e));
	CHECK_EQ(0, census(&e, &c, NULL));
	CHECK_EQ(n_live - 1, c.flows_entries);
	CHECK_EQ(0, xlb_maps_dp_state(&e.dp.maps, &st));
	CHECK_EQ(0, st.full);
	CHECK(tcp_open(&e, 40001, true));
out:
	env_close(&e);
}

TEST(second_sweep_while_one_runs_returns_busy)
{
	struct xlb_dp_state st;
	struct env e;
	__u32 zero = 0;

	ENV_OPEN(&e, NULL);
	CHECK_EQ(0, xlb_maps_dp_state(&e.dp.maps, &st));
	st.sweeping = 1;
	CHECK_EQ(0, bpf_map_update_elem(e.dp.maps.dp_state, &zero, &st, BPF_ANY));
	CHECK_EQ(-EBUSY, sweep(&e));
	st.sweeping = 0;
	CHECK_EQ(0, bpf_map_update_elem(e.dp.maps.dp_state, &zero, &st, BPF_ANY));
	CHECK_EQ(0, sweep(&e));
	CHECK_EQ(0, xlb_maps_dp_state(&e.dp.maps, &st));
	CHECK_EQ(1, st.census_gen);
	CHECK_EQ(0, st.sweeping);
out:
	env_close(&e);
}

/* An XDP program that returns action: what an older xlb pinned as its
 * sweeper returned, XDP_PASS when done and XDP_DROP when busy. */
static int xdp_returning(int action)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = action },
		{ .code = BPF_JMP | BPF_EXIT },
	};

	return bpf_prog_load(BPF_PROG_TYPE_XDP, "old_sweep", "GPL", insns, 2, NULL);
}

/* `xlb status` between an upgrade and the daemon's restart finds the
 * sweeper the older xlb pinned, an XDP program, and still runs it. */
TEST(sweeper_pinned_by_an_older_xlb_still_runs)
{
	int pass = xdp_returning(XDP_PASS), drop = xdp_returning(XDP_DROP);

	CHECK(pass >= 0);
	CHECK(drop >= 0);
	CHECK_EQ(0, xlb_sweep_run(pass));
	CHECK_EQ(-EBUSY, xlb_sweep_run(drop));
out:
	if (pass >= 0)
		close(pass);
	if (drop >= 0)
		close(drop);
}
