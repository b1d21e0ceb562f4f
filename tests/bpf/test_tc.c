// SPDX-License-Identifier: MIT
/* What only the tc programs do (the packet tests run through tc as well,
 * tests/run.sh): the mark on a redirected packet and the next hook's pass
 * of it, and egress, where a connection this host opens to a VIP is
 * balanced and its replies go up the local stack. */
#include "dp_env.h"

#include <linux/bpf.h>
#include <linux/pkt_cls.h>

/* One skb test run of the tc program (ingress or egress) on ifindex with
 * mark; the verdict (TC_ACT_*), the frame and the mark after it. */
static int tc_run(struct env *e, bool egress, int ifindex, __u32 mark, const uint8_t *in, size_t len,
		  uint8_t *out, size_t *out_len, __u32 *mark_out)
{
	struct __sk_buff ctx = { .ifindex = (__u32)ifindex, .mark = mark }, ctx_out;
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in, .data_size_in = (__u32)len, .data_out = out,
		    .data_size_out = PKT_MAX, .ctx_in = &ctx, .ctx_size_in = sizeof(ctx),
		    .ctx_out = &ctx_out, .ctx_size_out = sizeof(ctx_out), .repeat = 1);

	if (!egress)
		ctx.ingress_ifindex = (__u32)ifindex;
	if (bpf_prog_test_run_opts(xlb_dp_tc_prog_fd(&e->dp, egress), &opts))
		return -errno;
	*out_len = opts.data_size_out;
	*mark_out = ctx_out.mark;
	return (int)opts.retval;
}

/* The defaults of env_open, with the tc programs loaded. */
static const struct xlb_dp_opts *tc_opts(void)
{
	static struct xlb_dp_opts o;

	xlb_dp_opts_default(&o);
	o.flow_entries = 65536;
	o.tc = true;
	return &o;
}

static uint64_t reasons_total(struct env *e)
{
	uint64_t sum = 0;

	for (unsigned int r = 0; r < XLB_R_MAX; r++)
		sum += env_reason(e, r);
	return sum;
}

TEST(redirected_packet_is_marked_and_the_next_hook_passes_it_once)
{
	uint8_t in[PKT_MAX], out[PKT_MAX], out2[PKT_MAX];
	size_t len, olen = 0, olen2 = 0;
	struct pkt_desc syn;
	__u32 mark = 0;
	uint64_t before;
	struct env e;

	ENV_OPEN(&e, tc_opts());
	syn = from_client(4, IPPROTO_TCP, 40000, TCPF_SYN);
	len = pkt_build(&syn, in, sizeof(in));
	CHECK(tc_run(&e, false, e.if_client, 0, in, len, out, &olen, &mark) == TC_ACT_REDIRECT);
	CHECK(mark == XLB_TC_MARK);

	/* On the member side's egress, where the redirect sends it: passed
	 * as it is, not counted again, the mark taken off. */
	before = reasons_total(&e);
	CHECK(tc_run(&e, true, e.if_member, mark, out, olen, out2, &olen2, &mark) == TC_ACT_OK);
	CHECK(olen2 == olen && memcmp(out, out2, olen) == 0);
	CHECK(mark == 0);
	CHECK(reasons_total(&e) == before);
out:
	env_close(&e);
}

TEST(a_packet_marked_by_someone_else_keeps_its_mark)
{
	uint8_t in[PKT_MAX], out[PKT_MAX];
	size_t len, olen = 0;
	struct pkt_desc syn;
	__u32 mark = 0;
	struct env e;

	ENV_OPEN(&e, tc_opts());
	syn = from_client(4, IPPROTO_TCP, 40001, TCPF_SYN);
	len = pkt_build(&syn, in, sizeof(in));
	CHECK(tc_run(&e, false, e.if_client, 7, in, len, out, &olen, &mark) == TC_ACT_REDIRECT);
	CHECK(mark == 7);
out:
	env_close(&e);
}

/* The local stack's SYN from port sport: from lb's own client-side
 * address, to the VIP's next hop. */
static struct pkt_desc local_syn(uint16_t sport)
{
	struct pkt_desc syn = from_client(4, IPPROTO_TCP, sport, TCPF_SYN);

	pkt_addr("198.18.0.1", syn.src);
	pkt_mac(MAC_BAL_C, syn.smac);
	pkt_mac(MAC_CLIENT, syn.dmac);
	return syn;
}

/* A SYN this host sends to the VIP out of the client-side interface is
 * balanced at egress like one arriving there; the member's SYN-ACK is
 * translated back and handed to the local stack (TC_ACT_OK), not sent out. */
TEST(egress_balances_a_local_connection_and_hands_replies_to_the_stack)
{
	struct pkt_desc syn, want, synack;
	uint8_t in[PKT_MAX], out[PKT_MAX], wbuf[PKT_MAX];
	size_t len, olen = 0, wlen;
	const char *why;
	__u32 mark = 0;
	struct env e;

	ENV_OPEN(&e, tc_opts());
	syn = local_syn(40002);
	len = pkt_build(&syn, in, sizeof(in));
	CHECK(tc_run(&e, true, e.if_client, 0, in, len, out, &olen, &mark) == TC_ACT_REDIRECT);
	want = to_member(&syn, 0, NAT_PORT0);
	wlen = pkt_build(&want, wbuf, sizeof(wbuf));
	CHECK(olen == wlen && memcmp(out, wbuf, wlen) == 0);
	CHECK(env_reason(&e, XLB_R_TX_NEW_FLOW) == 1);

	synack = from_member(4, IPPROTO_TCP, 0, NAT_PORT0, TCPF_SYN | TCPF_ACK);
	len = pkt_build(&synack, in, sizeof(in));
	CHECK(tc_run(&e, false, e.if_member, 0, in, len, out, &olen, &mark) == TC_ACT_OK);
	CHECK(mark == 0); /* not redirected: nothing to mark */
	want = to_client(&synack, 40002);
	pkt_addr("198.18.0.1", want.dst);
	/* Up the stack the Ethernet header no longer matters: compare from
	 * the IP header on, where the translation is. */
	wlen = pkt_build(&want, wbuf, sizeof(wbuf));
	CHECK(olen == wlen && memcmp(out + 14, wbuf + 14, wlen - 14) == 0);
	CHECK(pkt_csums_ok(out, olen, &why));
	CHECK(env_reason(&e, XLB_R_TX_REPLY) == 1);
out:
	env_close(&e);
}

/* dnat: a connection this host opens to the VIP through tc egress keeps
 * its source; the member's SYN-ACK comes to one of this host's addresses,
 * and because the connection has an entry it is translated back to the
 * VIP and handed to the stack.  The same member answering a connection
 * this host opened to it directly (a health check) passes untouched. */
TEST(egress_dnat_connection_gets_its_replies_translated_and_a_direct_one_not)
{
	uint32_t ids[3] = { SVC_TCP4 * 3, SVC_TCP4 * 3 + 1, SVC_TCP4 * 3 + 2 };
	struct xlb_service svc = { .id = SVC_TCP4, .forwarding = XLB_FWD_DNAT };
	uint8_t in[PKT_MAX], out[PKT_MAX], wbuf[PKT_MAX];
	struct pkt_desc syn, want, synack;
	size_t len, olen = 0, wlen;
	struct xlb_svc_key key;
	const char *why;
	__u32 mark = 0;
	struct env e;

	ENV_OPEN(&e, tc_opts());
	env_svc_key(&key, "198.18.0.100", 80, IPPROTO_TCP);
	CHECK(xlb_maps_service_publish(&e.dp.maps, &key, &svc, ids, 3, NULL) == 0);
	CHECK(env_dnat_rev_publish(&e) == 0);
	syn = local_syn(40004);
	len = pkt_build(&syn, in, sizeof(in));
	CHECK(tc_run(&e, true, e.if_client, 0, in, len, out, &olen, &mark) == TC_ACT_REDIRECT);
	want = to_member(&syn, 0, 40004);
	pkt_addr("198.18.0.1", want.src);
	wlen = pkt_build(&want, wbuf, sizeof(wbuf));
	CHECK(olen == wlen && memcmp(out, wbuf, wlen) == 0);

	synack = from_member(4, IPPROTO_TCP, 0, 40004, TCPF_SYN | TCPF_ACK);
	pkt_addr("198.18.0.1", synack.dst);
	len = pkt_build(&synack, in, sizeof(in));
	CHECK(tc_run(&e, false, e.if_member, 0, in, len, out, &olen, &mark) == TC_ACT_OK);
	want = to_client(&synack, 40004);
	pkt_addr("198.18.0.1", want.dst);
	wlen = pkt_build(&want, wbuf, sizeof(wbuf));
	CHECK(olen == wlen && memcmp(out + 14, wbuf + 14, wlen - 14) == 0);
	CHECK(pkt_csums_ok(out, olen, &why));
	CHECK(env_reason(&e, XLB_R_TX_REPLY) == 1);

	/* Another port of this host: a connection not opened to the VIP. */
	synack.dport = 40005;
	len = pkt_build(&synack, in, sizeof(in));
	CHECK(tc_run(&e, false, e.if_member, 0, in, len, out, &olen, &mark) == TC_ACT_OK);
	CHECK(olen == len && memcmp(out, in, len) == 0);
	CHECK(env_reason(&e, XLB_R_PASS_LOCAL) == 1);
	CHECK(env_reason(&e, XLB_R_TX_REPLY) == 1);
out:
	env_close(&e);
}

/* No member: the RST answering a local SYN goes back in through the
 * interface to the local socket (bpf_redirect with BPF_F_INGRESS). */
TEST(egress_answers_a_local_syn_without_members_back_into_the_stack)
{
	uint8_t in[PKT_MAX], out[PKT_MAX];
	size_t len, olen = 0;
	struct pkt_desc syn;
	const char *why;
	__u32 mark = 0;
	struct env e;

	ENV_OPEN(&e, tc_opts());
	syn = from_client(4, IPPROTO_TCP, 40003, TCPF_SYN);
	pkt_addr("198.18.0.1", syn.src);
	pkt_addr("198.18.0.101", syn.dst); /* SVC_EMPTY_REJECT */
	len = pkt_build(&syn, in, sizeof(in));
	CHECK(tc_run(&e, true, e.if_client, 0, in, len, out, &olen, &mark) == TC_ACT_REDIRECT);
	CHECK(mark == XLB_TC_MARK);
	CHECK(olen == 54 && (out[47] & 0x04) && pkt_csums_ok(out, olen, &why));
	CHECK(env_reason(&e, XLB_R_TX_RST_NO_MEMBER) == 1);
out:
	env_close(&e);
}
