// SPDX-License-Identifier: MIT
/* ns/packet of the XDP data plane, BPF_PROG_TEST_RUN's in-kernel repeat
 * loop, for: a packet not for any VIP, an established flow forward, an
 * established flow reply, a new flow inserted into a table holding
 * 1,000,000 entries; against a program that only returns XDP_PASS.
 *
 * Method (docs/benchmarks.md): each path runs in xlb_bench_run, which
 * restores the input packet from a map before the real program (the repeat
 * loop reuses one buffer); the restore alone (xlb_bench_floor) is measured
 * the same way and subtracted, then the trivial program's time is added:
 *   path = run(path) - floor_restore + floor_trivial.
 * Every run's reason counters must have grown by exactly the repeat count
 * under the path's expected reason.  5 runs, median, ratio to the floor. */
#include "../bpf/dp_env.h"

#include <time.h>

#include "xlb_bench.skel.h"

#define RUNS        5
#define REPEAT      1000000
#define REPEAT_NEW  100000
#define PREFILL     1000000
#define FLOW_TABLE  (2 * 1024 * 1024)
#define N_MEMBERS   16

struct bench {
	struct xlb_bench *skel;
	struct xlb_maps maps;
	int if_client, if_member;
};

struct bench_pkt_value {
	__u32 vary;
	__u32 _pad;
	__u64 seq;
	__u8 data[96];
};

/* repeat runs of prog on pkt; ns per run as the kernel measured it. */
static int run_prog(struct bench *b, int prog_fd, int ifindex, const uint8_t *pkt, size_t len,
		    uint32_t repeat, double *ns)
{
	struct xdp_md ctx = { .data_end = (__u32)len, .ingress_ifindex = (__u32)ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = (__u32)len,
		    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .repeat = repeat);

	(void)b;
	if (bpf_prog_test_run_opts(prog_fd, &opts))
		return -errno;
	*ns = opts.duration;
	return (int)opts.retval;
}

/* New-flow runs continue the tuple sequence, so no run meets a live flow
 * of an earlier one. */
static uint64_t vary_seq;

static int set_template(struct bench *b, const uint8_t *pkt, size_t len, int vary)
{
	struct bench_pkt_value v;
	__u32 zero = 0;

	memset(&v, 0, sizeof(v));
	if (len < sizeof(v.data))
		return -EINVAL;
	memcpy(v.data, pkt, sizeof(v.data));
	v.vary = (__u32)vary;
	v.seq = vary_seq;
	return bpf_map_update_elem(bpf_map__fd(b->skel->maps.xlb_bench_pkt), &zero, &v, BPF_ANY);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return v[n / 2];
}

static int setup(struct bench *b)
{
	struct xlb_svc_key key;
	struct xlb_service svc = { .id = SVC_TCP4 };
	uint32_t ids[N_MEMBERS];
	char cmd[160];
	int err;

	if (env_netns())
		return -1;
	b->if_client = (int)if_nametoindex("xc");
	b->if_member = (int)if_nametoindex("xm");
	for (int i = 3; i < N_MEMBERS; i++) {
		snprintf(cmd, sizeof(cmd),
			 "ip neigh add 198.18.1.%d lladdr 02:00:00:00:01:%02x dev xm nud permanent",
			 11 + i, 0x11 + i);
		if (env_sh(cmd))
			return -1;
	}
	b->skel = xlb_bench__open();
	if (!b->skel)
		return -errno;
	/* XLB_BENCH_TABLE=N: another table size (with XLB_BENCH_PREFILL=0, to
	 * see what the size of the table costs). */
	err = bpf_map__set_max_entries(b->skel->maps.xlb_flows,
				       getenv("XLB_BENCH_TABLE") ? (__u32)atoi(getenv("XLB_BENCH_TABLE")) : FLOW_TABLE);
	if (!err)
		err = xlb_bench__load(b->skel);
	if (!err)
		err = xlb_maps_from_object(&b->maps, b->skel->obj);
	if (err)
		return err;
	for (int i = 0; i < N_MEMBERS; i++) {
		struct xlb_member m;

		env_member(&m, 4, 0, TCP_MEMBER_PORT, SVC_TCP4);
		m.addr.bytes[3] = (uint8_t)(11 + i);
		ids[i] = (uint32_t)i;
		err = xlb_maps_member_set(&b->maps, ids[i], &m);
		if (err)
			return err;
	}
	env_svc_key(&key, "198.18.0.100", 80, IPPROTO_TCP);
	return xlb_maps_service_publish(&b->maps, &key, &svc, ids, N_MEMBERS, NULL);
}

/* 1,000,000 established flows of other clients (198.19.0.0/16 ports). */
static int prefill(struct bench *b)
{
	enum { CHUNK = 10000 };
	static struct xlb_flow_key keys[CHUNK];
	static struct xlb_flow vals[CHUNK];
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	uint32_t done = 0;

	while (done < PREFILL) {
		__u32 n = CHUNK;

		for (uint32_t i = 0; i < CHUNK; i++) {
			uint32_t id = done + i;

			memset(&keys[i], 0, sizeof(keys[i]));
			memset(&vals[i], 0, sizeof(vals[i]));
			keys[i].src.bytes[0] = 198;
			keys[i].src.bytes[1] = 19;
			keys[i].src.bytes[2] = (uint8_t)(id >> 16);
			keys[i].src.bytes[3] = (uint8_t)(id >> 8);
			keys[i].sport = htons((uint16_t)(1024 + (id & 0xff)));
			pkt_addr("198.18.0.100", keys[i].dst.bytes);
			keys[i].dport = htons(80);
			keys[i].proto = IPPROTO_TCP;
			keys[i].family = XLB_FAMILY_IPV4;
			vals[i].dir = XLB_DIR_FORWARD;
			vals[i].state = XLB_FLOW_ESTABLISHED;
			vals[i].family = XLB_FAMILY_IPV4;
		}
		if (bpf_map_update_batch(b->maps.flows, keys, vals, &n, &opts))
			return -errno;
		done += CHUNK;
	}
	return 0;
}

struct path {
	const char *name;
	int ifindex;
	unsigned int reason;
	int vary;
	uint32_t repeat;
	double target;
	size_t len;
	uint8_t pkt[PKT_MAX];
};

/* check: the program is xlb, whose counters must show the path. */
static int measure(struct bench *b, const struct path *p, int prog_fd, bool check, double *ns)
{
	__u64 before[XLB_R_MAX], after[XLB_R_MAX];
	int ret;

	if (set_template(b, p->pkt, p->len, p->vary) || xlb_maps_reason_stats(&b->maps, before))
		return -1;
	ret = run_prog(b, prog_fd, p->ifindex, p->pkt, p->len, p->repeat, ns);
	if (p->vary)
		vary_seq += p->repeat;
	if (ret < 0 || xlb_maps_reason_stats(&b->maps, after))
		return -1;
	if (check && after[p->reason] - before[p->reason] != p->repeat) {
		fprintf(stderr, "%s: %s grew by %llu in %u runs: not the path under test\n", p->name,
			xlb_reason_name(p->reason),
			(unsigned long long)(after[p->reason] - before[p->reason]), p->repeat);
		for (unsigned int r = 0; r < XLB_R_MAX; r++)
			if (after[r] != before[r])
				fprintf(stderr, "  %s +%llu\n", xlb_reason_name(r),
					(unsigned long long)(after[r] - before[r]));
		return -1;
	}
	return 0;
}

int main(void)
{
	static struct path paths[4];
	double trivial[RUNS], restore[RUNS], raw[4][RUNS];
	struct bench b;
	struct pkt_desc d;
	uint8_t syn[PKT_MAX];
	size_t syn_len;
	double ns;
	int err, run_fd, floor_fd, pass_fd;
	time_t now = time(NULL);
	char date[32];

	memset(&b, 0, sizeof(b));
	err = setup(&b);
	if (err) {
		fprintf(stderr, "bench setup failed (%d); needs root\n", err);
		return 1;
	}
	run_fd = bpf_program__fd(b.skel->progs.xlb_bench_run);
	floor_fd = bpf_program__fd(b.skel->progs.xlb_bench_floor);
	pass_fd = bpf_program__fd(b.skel->progs.xlb_bench_pass);

	/* The established flow: one SYN through the program. */
	d = from_client(4, IPPROTO_TCP, 40000, TCPF_SYN);
	d.payload = (const uint8_t *)"................................................";
	d.payload_len = 48;
	syn_len = pkt_build(&d, syn, PKT_MAX);
	if (set_template(&b, syn, syn_len, 0) ||
	    run_prog(&b, run_fd, b.if_client, syn, syn_len, 1, &ns) != XDP_REDIRECT) {
		fprintf(stderr, "cannot open the benchmark's flow\n");
		return 1;
	}

	paths[0] = (struct path){ .name = "not for a VIP", .ifindex = b.if_client, .reason = XLB_R_PASS_NOT_VIP, .vary = 0, .repeat = REPEAT, .target = 20 };
	d.dport = 22;
	paths[0].len = pkt_build(&d, paths[0].pkt, PKT_MAX);
	paths[1] = (struct path){ .name = "established, forward", .ifindex = b.if_client, .reason = XLB_R_TX_FORWARD, .vary = 0, .repeat = REPEAT, .target = 50 };
	d = from_client(4, IPPROTO_TCP, 40000, TCPF_ACK | TCPF_PSH);
	d.payload = (const uint8_t *)"................................................";
	d.payload_len = 48;
	paths[1].len = pkt_build(&d, paths[1].pkt, PKT_MAX);
	paths[2] = (struct path){ .name = "established, reply", .ifindex = b.if_member, .reason = XLB_R_TX_REPLY, .vary = 0, .repeat = REPEAT, .target = 50 };
	d = from_member(4, IPPROTO_TCP, 0, NAT_PORT0, TCPF_ACK | TCPF_PSH);
	d.payload = (const uint8_t *)"................................................";
	d.payload_len = 48;
	paths[2].len = pkt_build(&d, paths[2].pkt, PKT_MAX);
	paths[3] = (struct path){ .name = "new flow (1M in table)", .ifindex = b.if_client, .reason = XLB_R_TX_NEW_FLOW, .vary = 1, .repeat = REPEAT_NEW, .target = 150 };
	d = from_client(4, IPPROTO_TCP, 40000, TCPF_SYN);
	d.payload = (const uint8_t *)"................................................";
	d.payload_len = 48;
	pkt_addr("198.18.200.0", d.src);
	paths[3].len = pkt_build(&d, paths[3].pkt, PKT_MAX);

	/* XLB_BENCH_PREFILL=0: an empty table, to see what the fill costs. */
	err = getenv("XLB_BENCH_PREFILL") && atoi(getenv("XLB_BENCH_PREFILL")) == 0 ? 0 : prefill(&b);
	if (err) {
		fprintf(stderr, "prefilling the flow table: %s\n", strerror(-err));
		return 1;
	}

	/* Interleaved: every round measures everything once. */
	for (int r = 0; r < RUNS; r++) {
		if (measure(&b, &paths[0], pass_fd, false, &trivial[r]) < 0 ||
		    measure(&b, &paths[0], floor_fd, false, &restore[r]) < 0)
			return 1;
		for (int i = 0; i < 4; i++) {
			/* XLB_BENCH_ONLY=N: only path N (for profiling). */
			if (getenv("XLB_BENCH_ONLY") && atoi(getenv("XLB_BENCH_ONLY")) != i)
				continue;
			if (measure(&b, &paths[i], run_fd, true, &raw[i][r]) < 0)
				return 1;
		}
	}

	strftime(date, sizeof(date), "%Y-%m-%d", gmtime(&now));
	printf("xlb data plane, BPF_PROG_TEST_RUN repeat loop, %s, median of %d runs\n", date, RUNS);
	/* The targets were set on a machine whose floor was 5 ns: they are
	 * also checked as multiples of that floor. */
	printf("%-24s %8s %8s %8s %12s %14s\n", "path", "ns/pkt", "raw", "x floor", "target ns",
	       "target x floor");
	double ft = median(trivial, RUNS), fr = median(restore, RUNS);

	printf("%-24s %8.1f %8.1f %8s\n", "floor: XDP_PASS only", ft, ft, "1.0");
	printf("%-24s %8s %8.1f\n", "floor: restore + PASS", "-", fr);
	for (int i = 0; i < 4; i++) {
		double rm = median(raw[i], RUNS), v = rm - fr + ft;

		printf("%-24s %8.1f %8.1f %8.1f %5.0f %-6s %7.0f %-6s\n", paths[i].name, v, rm, v / ft,
		       paths[i].target, v <= paths[i].target ? "met" : "MISSED", paths[i].target / 5,
		       v / ft <= paths[i].target / 5 ? "met" : "MISSED");
	}
	printf("ns/pkt = raw - restore floor + XDP_PASS floor.  Path proven: each run's reason\n"
	       "counter grew by exactly its repeat count (%u; new flow %u, table prefilled with %u).\n",
	       REPEAT, REPEAT_NEW, PREFILL);
	xlb_bench__destroy(b.skel);
	return 0;
}
