/* SPDX-License-Identifier: MIT */
/* The data-plane tests' fixture.  The test process moves itself into a
 * private network namespace (unshare) with two veth pairs, addresses from
 * 198.18.0.0/15 and fd00::/8, static neighbours and forwarding on, so
 * bpf_fib_lookup inside BPF_PROG_TEST_RUN resolves real next hops; the
 * namespace disappears with the process.  Each test loads a fresh data
 * plane and publishes its services through user/maps.c.
 *
 *   client 198.18.0.10 / fd00::10 --[xc 02:..:01]  balancer  [xm 02:..:02]-- members
 *   VIPs 198.18.0.100-102, fd00::100           SNAT 198.18.1.1 / fd00:1::1
 *                                              members 198.18.1.11-13 / fd00:1::11-13 */
#ifndef XLB_TEST_DP_ENV_H
#define XLB_TEST_DP_ENV_H

#include <errno.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "dp/dataplane.h"
#include "lib/log.h"
#include "dp/maps.h"
#include "lib/abi_text.h"
#include "pkt.h"
#include "test.h"
#include "xlb/abi.h"
#include "xlb/flow_hash.h"
#include "xlb.skel.h"

#define MAC_BAL_C  "02:00:00:00:00:01"
#define MAC_BAL_M  "02:00:00:00:00:02"
#define MAC_CLIENT "02:00:00:00:00:10"
#define MAC_ROUTER "02:00:00:00:00:20" /* another host on the member side */

/* Service ids; members are 3 per service, ids 3*svc .. 3*svc+2. */
enum { SVC_TCP4, SVC_UDP4, SVC_TCP6, SVC_UDP6, SVC_EMPTY_REJECT, SVC_EMPTY_DROP, N_SVC };

#define TCP_MEMBER_PORT 8080
#define UDP_MEMBER_PORT 5353
#define NAT_PORT0       1024 /* first port toward each member */

struct env {
	struct xlb_dp dp;
	int if_client, if_member;
};

static const char *const env_member4[3] = { "198.18.1.11", "198.18.1.12", "198.18.1.13" };
static const char *const env_member6[3] = { "fd00:1::11", "fd00:1::12", "fd00:1::13" };
static const char *const env_member_mac[3] = { "02:00:00:00:01:11", "02:00:00:00:01:12",
					       "02:00:00:00:01:13" };

static inline int env_sh(const char *cmd)
{
	int rc = system(cmd);

	if (rc != 0) {
		printf("  setup command failed (%d): %s\n", rc, cmd);
		return -1;
	}
	return 0;
}

/* Runs the calling thread, and so the programs it runs, on CPU cpu only:
 * the data plane keeps per-CPU state.  -1 with errno if there is none. */
static inline int env_on_cpu(int cpu)
{
	cpu_set_t cpus;

	CPU_ZERO(&cpus);
	CPU_SET(cpu, &cpus);
	return sched_setaffinity(0, sizeof(cpus), &cpus);
}

/* Once per process: the namespace, the links, CPU 0 (so the block of NAT
 * ports the CPU takes, and with it every allocated port, is predictable). */
static inline int env_netns(void)
{
	static int state; /* 0 not yet, 1 ready, -1 failed */
	static const char *const cmds[] = {
		"ip link add xc type veth peer name xcp",
		"ip link add xm type veth peer name xmp",
		"ip link set xc address " MAC_BAL_C " up",
		"ip link set xm address " MAC_BAL_M " up",
		"ip link set xcp up",
		"ip link set xmp up",
		"ip addr add 198.18.0.1/24 dev xc",
		"ip addr add 198.18.1.1/24 dev xm",
		"ip -6 addr add fd00::1/64 dev xc nodad",
		"ip -6 addr add fd00:1::1/64 dev xm nodad",
		"ip neigh add 198.18.1.11 lladdr 02:00:00:00:01:11 dev xm nud permanent",
		"ip neigh add 198.18.1.12 lladdr 02:00:00:00:01:12 dev xm nud permanent",
		"ip neigh add 198.18.1.13 lladdr 02:00:00:00:01:13 dev xm nud permanent",
		"ip -6 neigh add fd00:1::11 lladdr 02:00:00:00:01:11 dev xm nud permanent",
		"ip -6 neigh add fd00:1::12 lladdr 02:00:00:00:01:12 dev xm nud permanent",
		"ip -6 neigh add fd00:1::13 lladdr 02:00:00:00:01:13 dev xm nud permanent",
		/* dnat replies find the client by the FIB (198.18.0.20 has no
		 * neighbour entry, on purpose). */
		"ip neigh add 198.18.0.10 lladdr " MAC_CLIENT " dev xc nud permanent",
		"ip -6 neigh add fd00::10 lladdr " MAC_CLIENT " dev xc nud permanent",
		"sysctl -qw net.ipv4.ip_forward=1",
		"sysctl -qw net.ipv6.conf.all.forwarding=1",
	};

	if (state)
		return state > 0 ? 0 : -1;
	state = -1;
	if (unshare(CLONE_NEWNET)) {
		printf("  unshare(CLONE_NEWNET): %s\n", strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (env_sh(cmds[i]))
			return -1;
	if (env_on_cpu(0)) {
		printf("  sched_setaffinity: %s\n", strerror(errno));
		return -1;
	}
	if (getenv("XLB_TEST_VERBOSE")) {
		log_set_level(LOG_LVL_LIBBPF);
		log_hook_libbpf();
	}
	state = 1;
	return 0;
}

static inline void env_svc_key(struct xlb_svc_key *k, const char *vip, uint16_t port, uint8_t proto)
{
	memset(k, 0, sizeof(*k));
	pkt_addr(vip, k->vip.bytes);
	k->family = strchr(vip, ':') ? XLB_FAMILY_IPV6 : XLB_FAMILY_IPV4;
	k->port = htons(port);
	k->proto = proto;
}

static inline void env_member(struct xlb_member *m, int family, int i, uint16_t port, uint32_t svc)
{
	memset(m, 0, sizeof(*m));
	pkt_addr(family == 4 ? env_member4[i] : env_member6[i], m->addr.bytes);
	pkt_addr(family == 4 ? "198.18.1.1" : "fd00:1::1", m->snat.bytes);
	m->family = family == 4 ? XLB_FAMILY_IPV4 : XLB_FAMILY_IPV6;
	m->port = htons(port);
	m->service_id = svc;
}

/* Publishes service svc_id with members from ids[] (all through maps.c). */
static inline int env_publish(struct env *e, uint32_t svc_id, const uint32_t *ids, uint32_t n)
{
	static const struct {
		const char *vip;
		uint16_t port;
		uint8_t proto, on_empty;
	} svcs[N_SVC] = {
		[SVC_TCP4] = { "198.18.0.100", 80, IPPROTO_TCP, XLB_ON_EMPTY_REJECT },
		[SVC_UDP4] = { "198.18.0.100", 53, IPPROTO_UDP, XLB_ON_EMPTY_REJECT },
		[SVC_TCP6] = { "fd00::100", 80, IPPROTO_TCP, XLB_ON_EMPTY_REJECT },
		[SVC_UDP6] = { "fd00::100", 53, IPPROTO_UDP, XLB_ON_EMPTY_REJECT },
		[SVC_EMPTY_REJECT] = { "198.18.0.101", 80, IPPROTO_TCP, XLB_ON_EMPTY_REJECT },
		[SVC_EMPTY_DROP] = { "198.18.0.102", 80, IPPROTO_TCP, XLB_ON_EMPTY_DROP },
	};
	struct xlb_service svc = { .id = svc_id, .on_empty = svcs[svc_id].on_empty };
	struct xlb_svc_key key;

	env_svc_key(&key, svcs[svc_id].vip, svcs[svc_id].port, svcs[svc_id].proto);
	return xlb_maps_service_publish(&e->dp.maps, &key, &svc, ids, n, NULL);
}

/* The dnat reply entries (xlb_dnat_rev) of SVC_TCP4's three members:
 * member:8080/tcp stands for 198.18.0.100:80. */
static inline int env_dnat_rev_publish(struct env *e)
{
	int err = 0;

	for (int i = 0; i < 3 && !err; i++) {
		struct xlb_dnat_rev_key k = { .port = htons(TCP_MEMBER_PORT), .proto = IPPROTO_TCP,
					      .family = XLB_FAMILY_IPV4 };
		struct xlb_dnat_rev v = { .vip_port = htons(80), .family = XLB_FAMILY_IPV4,
					  .service_id = SVC_TCP4, .member_id = SVC_TCP4 * 3 + (uint32_t)i };

		pkt_addr(env_member4[i], k.addr.bytes);
		pkt_addr("198.18.0.100", v.vip.bytes);
		err = xlb_maps_dnat_rev_set(&e->dp.maps, &k, &v);
	}
	return err;
}

/* XLB_TEST_HOOK=tc runs the packet tests through the tc ingress program
 * instead of XDP (tests/run.sh runs them both ways). */
static inline bool env_tc(void)
{
	const char *hook = getenv("XLB_TEST_HOOK");

	return hook && strcmp(hook, "tc") == 0;
}

static inline int env_open(struct env *e, const struct xlb_dp_opts *opts)
{
	struct xlb_dp_opts def;
	int err;

	memset(e, 0, sizeof(*e));
	if (env_netns())
		return 1;
	e->if_client = (int)if_nametoindex("xc");
	e->if_member = (int)if_nametoindex("xm");
	xlb_dp_opts_default(&def);
	def.flow_entries = 65536;
	if (opts)
		def = *opts;
	def.tc = def.tc || env_tc();
	err = xlb_dp_load(&e->dp, &def);
	if (err) {
		printf("  xlb_dp_load: %s\n", strerror(-err));
		return -1;
	}
	for (uint32_t s = 0; s < SVC_EMPTY_REJECT; s++) {
		int family = s == SVC_TCP6 || s == SVC_UDP6 ? 6 : 4;
		uint16_t port = s == SVC_UDP4 || s == SVC_UDP6 ? UDP_MEMBER_PORT : TCP_MEMBER_PORT;
		uint32_t ids[3];
		struct xlb_member m;

		for (int i = 0; i < 3; i++) {
			ids[i] = s * 3 + (uint32_t)i;
			env_member(&m, family, i, port, s);
			err = xlb_maps_member_set(&e->dp.maps, ids[i], &m);
			if (err)
				goto fail;
		}
		err = env_publish(e, s, ids, 3);
		if (err)
			goto fail;
	}
	err = env_publish(e, SVC_EMPTY_REJECT, NULL, 0);
	if (!err)
		err = env_publish(e, SVC_EMPTY_DROP, NULL, 0);
	if (err)
		goto fail;
	return 0;
fail:
	printf("  publishing the test services: %s\n", strerror(-err));
	xlb_dp_close(&e->dp);
	return -1;
}

static inline void env_close(struct env *e)
{
	xlb_dp_close(&e->dp);
}

/* A tc verdict as the XDP action the tests expect.  tc has one redirect
 * for both XDP_TX and XDP_REDIRECT; which one it is shows in the frame: a
 * packet forwarded to the other side leaves with that interface's MAC as
 * its source, anything else (an answer, or a flow back out the way it
 * came) goes out where it came in. */
static inline int env_tc_verdict(struct env *e, int ifindex, int tc_ret, const uint8_t *out, size_t out_len)
{
	uint8_t other[6];

	switch (tc_ret) {
	case TC_ACT_OK:
		return XDP_PASS;
	case TC_ACT_SHOT:
		return XDP_DROP;
	case TC_ACT_REDIRECT:
		pkt_mac(ifindex == e->if_client ? MAC_BAL_M : MAC_BAL_C, other);
		return out_len >= 12 && memcmp(out + 6, other, 6) == 0 ? XDP_REDIRECT : XDP_TX;
	}
	return 100 + tc_ret; /* no XDP action: fails every expectation */
}

/* One BPF_PROG_TEST_RUN as if the frame arrived on ifindex; returns the XDP
 * action (or its tc equivalent) or -errno. */
static inline int env_run(struct env *e, int ifindex, const uint8_t *in, size_t len, uint8_t *out,
		   size_t *out_len)
{
	struct xdp_md xctx = { .data_end = (__u32)len, .ingress_ifindex = (__u32)ifindex };
	struct __sk_buff sctx = { .ifindex = (__u32)ifindex, .ingress_ifindex = (__u32)ifindex };
	bool tc = env_tc();
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in, .data_size_in = (__u32)len,
		    .data_out = out, .data_size_out = PKT_MAX, .repeat = 1);
	int err;

	opts.ctx_in = tc ? (void *)&sctx : (void *)&xctx;
	opts.ctx_size_in = tc ? sizeof(sctx) : sizeof(xctx);
	err = bpf_prog_test_run_opts(tc ? xlb_dp_tc_prog_fd(&e->dp, false) : xlb_dp_prog_fd(&e->dp), &opts);
	if (err)
		return -errno;
	*out_len = opts.data_size_out;
	return tc ? env_tc_verdict(e, ifindex, (int)opts.retval, out, *out_len) : (int)opts.retval;
}

/* The verdict for the packet of d, arriving on ifindex. */
static inline int env_verdict(struct env *e, int ifindex, const struct pkt_desc *d)
{
	uint8_t ibuf[PKT_MAX], out[PKT_MAX];
	size_t len = pkt_build(d, ibuf, sizeof(ibuf)), olen = 0;

	return env_run(e, ifindex, ibuf, len, out, &olen);
}

static inline uint64_t env_reason(struct env *e, unsigned int reason)
{
	__u64 count[XLB_R_MAX];

	if (xlb_maps_reason_stats(&e->dp.maps, count))
		return ~0ULL;
	return count[reason];
}

static inline uint64_t env_event(struct env *e, unsigned int ev)
{
	__u64 count[XLB_EV_MAX];

	if (xlb_maps_event_stats(&e->dp.maps, count))
		return ~0ULL;
	return count[ev];
}

static inline uint32_t dp_full(struct env *e)
{
	struct xlb_dp_state st;

	if (xlb_maps_dp_state(&e->dp.maps, &st))
		return ~0U;
	return st.full;
}

/* No namespace (not root): skipped; a data plane that does not load or
 * publish: failed.  cleanup runs first on both paths (ENV_OPEN_OR). */
#define ENV_OPEN_OR(e, opts, cleanup)                                     \
	do {                                                              \
		int env_rc = env_open((e), (opts));                       \
		if (env_rc)                                               \
			cleanup;                                          \
		if (env_rc > 0)                                           \
			SKIP("no private network namespace (see above)"); \
		if (env_rc < 0) {                                         \
			xt_fail(__FILE__, __LINE__, "data plane setup failed"); \
			return;                                           \
		}                                                         \
	} while (0)
#define ENV_OPEN(e, opts) ENV_OPEN_OR(e, opts, (void)0)

/* Packets of the standard flows and their translations. */
/* A packet from the client to a VIP. */
static inline struct pkt_desc from_client(int family, uint8_t proto, uint16_t sport, uint8_t flags)
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
static inline struct pkt_desc to_member(const struct pkt_desc *in, int i, uint16_t nat_port)
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
static inline struct pkt_desc from_member(int family, uint8_t proto, int i, uint16_t nat_port, uint8_t flags)
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
static inline struct pkt_desc to_client(const struct pkt_desc *in, uint16_t client_port)
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

/* An answer built in XDP for in (RST, sorry responder): MACs, addresses and
 * ports swapped, a fresh IP header (TTL 64, id 0, DF), no payload yet. */
static inline struct pkt_desc answer_to(const struct pkt_desc *in)
{
	struct pkt_desc d = *in;

	memcpy(d.smac, in->dmac, 6);
	memcpy(d.dmac, in->smac, 6);
	memcpy(d.src, in->dst, 16);
	memcpy(d.dst, in->src, 16);
	d.sport = in->dport;
	d.dport = in->sport;
	d.ttl = 64;
	d.ip_id = 0;
	d.frag = in->family == 4 ? 0x4000 : 0;
	d.payload = NULL;
	d.payload_len = 0;
	return d;
}

/* The RST xlb sends for in (a packet to 198.18.0.100:80 from the client). */
static inline struct pkt_desc rst_for(const struct pkt_desc *in)
{
	struct pkt_desc d = answer_to(in);
	uint32_t seg = (uint32_t)in->payload_len + !!(in->tcp_flags & TCPF_SYN) +
		       !!(in->tcp_flags & TCPF_FIN);

	d.zero_window = true;
	if (in->tcp_flags & TCPF_ACK) {
		d.tcp_flags = TCPF_RST;
		d.seq = in->ack;
		d.ack = 0;
	} else {
		d.tcp_flags = TCPF_RST | TCPF_ACK;
		d.seq = 0;
		d.ack = in->seq + seg;
	}
	return d;
}

/* The ICMP port unreachable xlb sends for a UDP datagram in. */
static inline struct pkt_desc unreach_for(const struct pkt_desc *in, uint8_t *quoted)
{
	struct pkt_desc d;
	uint8_t frame[PKT_MAX];
	size_t l3 = in->vlan ? 18 : 14, n = (in->family == 4 ? 20 : 40) + 8;

	pkt_build(in, frame, sizeof(frame));
	memcpy(quoted, frame + l3, n);
	memset(&d, 0, sizeof(d));
	d.family = in->family;
	d.vlan = in->vlan;
	memcpy(d.smac, in->dmac, 6);
	memcpy(d.dmac, in->smac, 6);
	memcpy(d.src, in->dst, 16);
	memcpy(d.dst, in->src, 16);
	d.proto = in->family == 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	d.icmp_type = in->family == 4 ? 3 : 1;
	d.icmp_code = in->family == 4 ? 3 : 4;
	d.payload = quoted;
	d.payload_len = n;
	return d;
}

/* The IP packet (no Ethernet header) of d, cut to at most len bytes: what
 * an ICMP error quotes. */
static inline size_t quote(const struct pkt_desc *d, uint8_t *buf, size_t len)
{
	uint8_t frame[PKT_MAX];
	size_t n = pkt_build(d, frame, sizeof(frame)) - 14;

	if (n > len)
		n = len;
	memcpy(buf, frame + 14, n);
	return n;
}

/* The flow key of a packet as the data plane sees it. */
static inline void desc_flow_key(const struct pkt_desc *d, struct xlb_flow_key *k)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->src.bytes, d->src, d->family == 4 ? 4 : 16);
	memcpy(k->dst.bytes, d->dst, d->family == 4 ? 4 : 16);
	k->sport = htons(d->sport);
	k->dport = htons(d->dport);
	k->proto = d->proto;
	k->family = d->family == 4 ? XLB_FAMILY_IPV4 : XLB_FAMILY_IPV6;
}

/* Test helpers that look inside the connection tables (read only, except
 * flow_age, which stands in for the passing of time). */
static inline void flow_key(struct xlb_flow_key *k, int family, uint8_t proto, const char *src, uint16_t sport,
			    const char *dst, uint16_t dport)
{
	memset(k, 0, sizeof(*k));
	pkt_addr(src, k->src.bytes);
	pkt_addr(dst, k->dst.bytes);
	k->sport = htons(sport);
	k->dport = htons(dport);
	k->proto = proto;
	k->family = family == 4 ? XLB_FAMILY_IPV4 : XLB_FAMILY_IPV6;
}

/* An entry of xlb_flows (flow_get) or xlb_halfopen (halfopen_get). */
static inline int flow_get(struct env *e, const struct xlb_flow_key *k, struct xlb_flow *f)
{
	return bpf_map_lookup_elem(e->dp.maps.flows, k, f) ? -errno : 0;
}

static inline int halfopen_get(struct env *e, const struct xlb_flow_key *k, struct xlb_flow *f)
{
	return bpf_map_lookup_elem(e->dp.maps.halfopen, k, f) ? -errno : 0;
}

/* The forward entry of client 198.18.0.10:sport -> VIP:80 and its reply
 * entry from member i. */
static inline void tcp4_keys(struct xlb_flow_key *fwd, struct xlb_flow_key *rev, uint16_t sport, int i,
			     uint16_t nat_port)
{
	flow_key(fwd, 4, IPPROTO_TCP, "198.18.0.10", sport, "198.18.0.100", 80);
	flow_key(rev, 4, IPPROTO_TCP, env_member4[i], TCP_MEMBER_PORT, "198.18.1.1", nat_port);
}

/* Moves the entry of k back by seconds (negative: ahead), in xlb_flows if
 * it is there, else in xlb_halfopen. */
static inline int flow_age(struct env *e, const struct xlb_flow_key *k, int64_t seconds)
{
	int fd = e->dp.maps.flows;
	struct xlb_flow f;

	if (bpf_map_lookup_elem(fd, k, &f)) {
		fd = e->dp.maps.halfopen;
		if (bpf_map_lookup_elem(fd, k, &f))
			return -1;
	}
	f.last_seen_ns -= (uint64_t)(seconds * 1000000000LL);
	return bpf_map_update_elem(fd, k, &f, BPF_EXIST);
}

/* The count xlb_nat_held keeps for reply tuple rk, or -1. */
static inline int64_t held_get(struct env *e, const struct xlb_flow_key *rk)
{
	__u32 idx = xlb_nat_held_index(rk), n;

	if (bpf_map_lookup_elem(bpf_map__fd(e->dp.skel->maps.xlb_nat_held), &idx, &n))
		return -1;
	return n;
}

static inline int held_set(struct env *e, const struct xlb_flow_key *rk, __u32 n)
{
	__u32 idx = xlb_nat_held_index(rk);

	return bpf_map_update_elem(bpf_map__fd(e->dp.skel->maps.xlb_nat_held), &idx, &n, BPF_ANY) ? -errno : 0;
}

/* Whether every count of xlb_nat_held equals the reply entries of
 * xlb_flows on it (the tests never race two CPUs, so it is exact): all
 * XLB_NAT_HELD_BLOCKS x 65536 counts are read and compared with the
 * counts the entries give.  *replies: how many reply entries there are. */
static inline bool held_exact(struct env *e, uint32_t *replies)
{
	uint32_t total = XLB_NAT_HELD_BLOCKS * 65536, chunk = 65536, *want, *got;
	int fd = bpf_map__fd(e->dp.skel->maps.xlb_nat_held);
	struct xlb_flow_key k, next, *prev = NULL;
	struct xlb_flow f;
	bool ok = false;
	__u32 last = 0;

	*replies = 0;
	want = calloc(total, sizeof(*want));
	got = calloc(total, sizeof(*got));
	if (!want || !got)
		goto out;
	while (bpf_map_get_next_key(e->dp.maps.flows, prev, &next) == 0) {
		k = next;
		prev = &k;
		if (bpf_map_lookup_elem(e->dp.maps.flows, &k, &f) == 0 && f.dir == XLB_DIR_REPLY) {
			want[xlb_nat_held_index(&k)]++;
			(*replies)++;
		}
	}
	/* A batch starts after the key given (the last one read). */
	for (uint32_t at = 0; at < total; at += chunk) {
		__u32 n = chunk, keys[65536];
		LIBBPF_OPTS(bpf_map_batch_opts, opts);

		if (bpf_map_lookup_batch(fd, at ? &last : NULL, &last, keys, got + at, &n, &opts) &&
		    errno != ENOENT)
			goto out;
		if (n != chunk || last != at + chunk - 1) {
			xt_fail(__FILE__, __LINE__, "xlb_nat_held: %u counts read at %u", n, at);
			goto out;
		}
	}
	for (uint32_t i = 0; i < total; i++)
		if (got[i] != want[i]) {
			xt_fail(__FILE__, __LINE__, "xlb_nat_held[%u] = %u, xlb_flows holds %u reply entries there",
				i, got[i], want[i]);
			goto out;
		}
	ok = true;
out:
	free(want);
	free(got);
	return ok;
}

/* Fills xlb_flows with n established connections of other clients
 * (198.19.x.y), the first n_live of them live, the others stale. */
static inline int flows_fill(struct env *e, uint32_t n, uint32_t n_live)
{
	struct xlb_flow_key k;
	struct xlb_flow v;

	memset(&v, 0, sizeof(v));
	v.dir = XLB_DIR_FORWARD;
	v.state = XLB_FLOW_ESTABLISHED;
	v.family = XLB_FAMILY_IPV4;
	for (uint32_t i = 0; i < n; i++) {
		flow_key(&k, 4, IPPROTO_TCP, "198.19.0.0", (uint16_t)(1024 + i % 60000), "198.18.0.100", 80);
		k.src.bytes[2] = (uint8_t)(i / 60000);
		/* CLOCK_MONOTONIC runs ahead of the data plane's coarse clock by
		 * up to a tick: a second back is live for sure.  Stale: idle
		 * longer than the timeout (modulo 2^64, as the data plane
		 * computes it: a VM's clock may be younger than that). */
		v.last_seen_ns = xlb_census_now_ns() -
				 (i < n_live ? 1000000000ULL : (XLB_TIMEOUT_TCP_EST_DEFAULT + 1) * 1000000000ULL);
		if (bpf_map_update_elem(e->dp.maps.flows, &k, &v, BPF_NOEXIST))
			return -errno;
	}
	return 0;
}

/* Runs in on ifindex; checks the verdict, the exact output (want, or the
 * input unchanged when want is NULL) and, for a rewrite, every checksum. */
static inline bool expect(struct env *e, int ifindex, const struct pkt_desc *in, int want_ret,
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

#define CHECK_EQ(want, got)                                                                      \
	do {                                                                                     \
		unsigned long long w_ = (want), g_ = (got);                                      \
		if (w_ != g_) {                                                                  \
			xt_fail(__FILE__, __LINE__, "%s: expected %llu, got %llu", #got, w_, g_); \
			goto out;                                                                \
		}                                                                                \
	} while (0)

#endif
