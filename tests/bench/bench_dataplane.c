// SPDX-License-Identifier: MIT
/* ns/packet of the XDP data plane, BPF_PROG_TEST_RUN's in-kernel repeat
 * loop, for: a packet not for any VIP; an established nat connection both
 * ways; a dnat reply (no state, FIB lookup); a new connection's SYN (its
 * half-open entries) and its promoting ACK (the insert into xlb_flows) in
 * nat, dnat and dsr; and, in the same run, the references: one insert into
 * a map of the kind, size and fill of xlb_halfopen (full) and of xlb_flows
 * (1,000,000 connections).  A trivial program gives the floor.
 *
 * Method (docs/benchmarks.md): each path runs in xlb_bench_run, which
 * restores the input packet from a map before the real program (the repeat
 * loop reuses one buffer); the restore alone (xlb_bench_floor) is measured
 * the same way and subtracted, then the trivial program's time is added:
 *   path = run(path) - floor_restore + floor_trivial.
 * Every run is proven: its reason (and event) counters grew by exactly the
 * repeat count, the references' successful inserts too.  A promoting ACK
 * run replays the tuples of the SYN run before it.  5 rounds, interleaved,
 * median. */
#include "../bpf/dp_env.h"

#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "dp/sweep.h"
#include "xlb_bench.skel.h"

#define RUNS        5
#define REPEAT      1000000
#define REPEAT_NEW  20000
#define PREFILL     1000000
#define FLOW_TABLE  (2 * 1024 * 1024)
#define HALF_OPEN   (FLOW_TABLE / XLB_HALFOPEN_DIVISOR)
#define N_MEMBERS   16

/* Service ids and VIPs (port 80) by forwarding mode. */
enum { SVC_NAT = 0, SVC_DNAT = 1, SVC_DSR = 2 };
static const char *const vip_of[] = { "198.18.0.100", "198.18.0.101", "198.18.0.102" };

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

enum prog { P_RUN, P_REF_LRU, P_REF_HASH };

struct path {
	const char *name;
	enum prog prog;
	int ifindex;
	int reason;  /* grows by the repeat count; -1: none (a reference) */
	int event;   /* likewise; -1: none */
	int vary;    /* a new client address and port every iteration */
	int replay;  /* the path whose tuples this one replays, or -1 */
	int ref;     /* the reference path it is compared with, or -1 */
	double target; /* its ratio to that reference, at most */
	uint32_t repeat;
	size_t len;
	uint8_t pkt[PKT_MAX];
	uint64_t seq_from; /* where its last run's tuples started */
	double raw[RUNS];
};

/* repeat runs of prog on pkt; ns per run as the kernel measured it. */
static int run_prog(int prog_fd, int ifindex, const uint8_t *pkt, size_t len, uint32_t repeat, double *ns)
{
	struct xdp_md ctx = { .data_end = (__u32)len, .ingress_ifindex = (__u32)ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = (__u32)len,
		    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .repeat = repeat);

	if (bpf_prog_test_run_opts(prog_fd, &opts))
		return -errno;
	*ns = opts.duration;
	return (int)opts.retval;
}

/* The next unused tuple of the vary sequence: no run meets a live
 * connection of an earlier one. */
static uint64_t vary_seq;

static int set_template(struct bench *b, const uint8_t *pkt, size_t len, int vary, uint64_t seq)
{
	struct bench_pkt_value v;
	__u32 zero = 0;

	memset(&v, 0, sizeof(v));
	if (len < sizeof(v.data))
		return -EINVAL;
	memcpy(v.data, pkt, sizeof(v.data));
	v.vary = (__u32)vary;
	v.seq = seq;
	return bpf_map_update_elem(bpf_map__fd(b->skel->maps.xlb_bench_pkt), &zero, &v, BPF_ANY);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(const double *v, int n)
{
	double s[RUNS];

	memcpy(s, v, sizeof(double) * (size_t)n);
	qsort(s, (size_t)n, sizeof(*s), cmp_double);
	return s[n / 2];
}

static int publish(struct bench *b, uint32_t svc_id, uint8_t fwd, const uint32_t *ids)
{
	struct xlb_service svc = { .id = svc_id, .forwarding = fwd };
	struct xlb_svc_key key;

	env_svc_key(&key, vip_of[svc_id], 80, IPPROTO_TCP);
	return xlb_maps_service_publish(&b->maps, &key, &svc, ids, N_MEMBERS, NULL);
}

static int setup(struct bench *b)
{
	uint32_t ids[N_MEMBERS], dnat_ids[N_MEMBERS];
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
	b->skel->rodata->cfg_flows_max = FLOW_TABLE;
	b->skel->rodata->cfg_halfopen_max = HALF_OPEN;
	err = bpf_map__set_max_entries(b->skel->maps.xlb_flows, FLOW_TABLE);
	if (!err)
		err = bpf_map__set_max_entries(b->skel->maps.xlb_bench_hash, FLOW_TABLE);
	if (!err)
		err = bpf_map__set_max_entries(b->skel->maps.xlb_halfopen, HALF_OPEN);
	if (!err)
		err = bpf_map__set_max_entries(b->skel->maps.xlb_bench_lru, HALF_OPEN);
	if (!err)
		err = xlb_bench__load(b->skel);
	if (!err)
		err = xlb_maps_from_object(&b->maps, b->skel->obj);
	if (err)
		return err;
	/* nat and dsr members listen on 8080, dnat members (other ids) on
	 * 8081, whose replies xlb_dnat_rev translates. */
	for (int i = 0; i < N_MEMBERS && !err; i++) {
		struct xlb_dnat_rev_key k = { .port = htons(8081), .proto = IPPROTO_TCP,
					      .family = XLB_FAMILY_IPV4 };
		struct xlb_dnat_rev v = { .vip_port = htons(80), .family = XLB_FAMILY_IPV4,
					  .service_id = SVC_DNAT, .member_id = (uint32_t)(N_MEMBERS + i) };
		struct xlb_member m;

		env_member(&m, 4, 0, TCP_MEMBER_PORT, SVC_NAT);
		m.addr.bytes[3] = (uint8_t)(11 + i);
		ids[i] = (uint32_t)i;
		err = xlb_maps_member_set(&b->maps, ids[i], &m);
		m.port = htons(8081);
		m.service_id = SVC_DNAT;
		dnat_ids[i] = (uint32_t)(N_MEMBERS + i);
		if (!err)
			err = xlb_maps_member_set(&b->maps, dnat_ids[i], &m);
		k.addr = m.addr;
		pkt_addr(vip_of[SVC_DNAT], v.vip.bytes);
		if (!err)
			err = xlb_maps_dnat_rev_set(&b->maps, &k, &v);
	}
	if (!err)
		err = publish(b, SVC_NAT, XLB_FWD_NAT, ids);
	if (!err)
		err = publish(b, SVC_DNAT, XLB_FWD_DNAT, dnat_ids);
	if (!err)
		err = publish(b, SVC_DSR, XLB_FWD_DSR, ids);
	return err;
}

/* n entries from first on into map fd: established connections of other
 * clients (198.19.0.0/16 and up), live unless stale. */
static int prefill(int fd, uint32_t first, uint32_t n, bool stale)
{
	enum { CHUNK = 10000 };
	static struct xlb_flow_key keys[CHUNK];
	static struct xlb_flow vals[CHUNK];
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	__u64 now = xlb_census_now_ns() - 1000000000ULL;

	for (uint32_t done = 0; done < n; done += CHUNK) {
		__u32 count = n - done < CHUNK ? n - done : CHUNK;

		for (uint32_t i = 0; i < count; i++) {
			uint32_t id = first + done + i;

			memset(&keys[i], 0, sizeof(keys[i]));
			memset(&vals[i], 0, sizeof(vals[i]));
			keys[i].src.bytes[0] = 198;
			keys[i].src.bytes[1] = (uint8_t)(19 + (id >> 24));
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
			vals[i].last_seen_ns = stale ? now - (XLB_TIMEOUT_TCP_EST_DEFAULT + 1) * 1000000000ULL : now;
		}
		if (bpf_map_update_batch(fd, keys, vals, &count, &opts))
			return -errno;
	}
	return 0;
}

static int ref_ok(struct bench *b, __u64 *sum)
{
	int ncpu = libbpf_num_possible_cpus();
	__u64 vals[1024];
	__u32 zero = 0;

	if (ncpu < 1 || ncpu > 1024)
		return -EINVAL;
	if (bpf_map_lookup_elem(bpf_map__fd(b->skel->maps.xlb_bench_ref_ok), &zero, vals))
		return -errno;
	*sum = 0;
	for (int c = 0; c < ncpu; c++)
		*sum += vals[c];
	return 0;
}

struct counters {
	__u64 reason[XLB_R_MAX], event[XLB_EV_MAX], ref;
};

static int counters_read(struct bench *b, struct counters *c)
{
	int err = xlb_maps_reason_stats(&b->maps, c->reason);

	if (!err)
		err = xlb_maps_event_stats(&b->maps, c->event);
	if (!err)
		err = ref_ok(b, &c->ref);
	return err;
}

static void counters_diff(const struct counters *x, const struct counters *y)
{
	for (unsigned int r = 0; r < XLB_R_MAX; r++)
		if (y->reason[r] != x->reason[r])
			fprintf(stderr, "  %s +%llu\n", xlb_reason_name(r),
				(unsigned long long)(y->reason[r] - x->reason[r]));
	for (unsigned int v = 0; v < XLB_EV_MAX; v++)
		if (y->event[v] != x->event[v])
			fprintf(stderr, "  %s +%llu\n", xlb_event_name(v),
				(unsigned long long)(y->event[v] - x->event[v]));
}

static int prog_fd(struct bench *b, enum prog p)
{
	switch (p) {
	case P_REF_LRU:
		return bpf_program__fd(b->skel->progs.xlb_bench_ref_lru);
	case P_REF_HASH:
		return bpf_program__fd(b->skel->progs.xlb_bench_ref_hash);
	default:
		return bpf_program__fd(b->skel->progs.xlb_bench_run);
	}
}

/* One run of path i (or, with fd >= 0, of that program on its packet,
 * unchecked: the floors). */
static int measure(struct bench *b, struct path *paths, int i, int fd, double *ns)
{
	struct path *p = &paths[i];
	struct counters before, after;
	uint64_t seq = p->replay >= 0 ? paths[p->replay].seq_from : vary_seq;
	bool check = fd < 0;
	int ret;

	if (set_template(b, p->pkt, p->len, p->vary, seq) || counters_read(b, &before))
		return -1;
	ret = run_prog(check ? prog_fd(b, p->prog) : fd, p->ifindex, p->pkt, p->len, p->repeat, ns);
	if (ret < 0 || counters_read(b, &after))
		return -1;
	if (!check)
		return 0;
	p->seq_from = seq;
	if (p->vary && p->replay < 0)
		vary_seq += p->repeat;
	if ((p->reason >= 0 && after.reason[p->reason] - before.reason[p->reason] != p->repeat) ||
	    (p->event >= 0 && after.event[p->event] - before.event[p->event] != p->repeat) ||
	    (p->prog != P_RUN && after.ref - before.ref != p->repeat)) {
		fprintf(stderr, "%s: the counters did not grow by %u in %u runs: not the path under test\n",
			p->name, p->repeat, p->repeat);
		counters_diff(&before, &after);
		return -1;
	}
	return 0;
}

/* A client packet of 102 bytes to svc (flags), or a member's to the
 * client. */
static size_t client_pkt(uint8_t *buf, uint32_t svc, uint16_t sport, uint16_t dport, uint8_t flags,
			 const char *src)
{
	struct pkt_desc d = from_client(4, IPPROTO_TCP, sport, flags);

	d.dport = dport;
	d.payload = (const uint8_t *)"................................................";
	d.payload_len = 48;
	pkt_addr(vip_of[svc], d.dst);
	if (src)
		pkt_addr(src, d.src);
	return pkt_build(&d, buf, PKT_MAX);
}

static size_t member_pkt(uint8_t *buf, uint16_t sport, uint16_t dport, const char *dst)
{
	struct pkt_desc d = from_member(4, IPPROTO_TCP, 0, dport, TCPF_ACK | TCPF_PSH);

	d.sport = sport;
	d.payload = (const uint8_t *)"................................................";
	d.payload_len = 48;
	if (dst)
		pkt_addr(dst, d.dst);
	return pkt_build(&d, buf, PKT_MAX);
}

enum {
	NOT_VIP, EST_FWD, EST_REPLY, DNAT_REPLY, REF_LRU, SYN_NAT, SYN_DNAT, SYN_DSR, REF_HASH,
	ACK_NAT, ACK_DNAT, ACK_DSR, N_PATHS
};

static struct path paths[N_PATHS];

static void paths_init(struct bench *b)
{
	static const struct {
		int id;
		const char *name;
		int ifindex_member, reason, event, vary, replay, ref;
		double target;
	} def[] = {
		{ NOT_VIP, "not for a VIP", 0, XLB_R_PASS_NOT_VIP, -1, 0, -1, -1, 0 },
		{ EST_FWD, "established, forward", 0, XLB_R_TX_FORWARD, -1, 0, -1, -1, 0 },
		{ EST_REPLY, "established, reply", 1, XLB_R_TX_REPLY, -1, 0, -1, -1, 0 },
		{ DNAT_REPLY, "dnat reply (FIB, no state)", 1, XLB_R_TX_REPLY, -1, 0, -1, -1, 0 },
		{ REF_LRU, "ref: LRU insert (full)", 0, -1, -1, 1, -1, -1, 0 },
		{ SYN_NAT, "SYN nat (2 half-open)", 0, XLB_R_TX_NEW_FLOW, XLB_EV_HALF_OPEN_NEW, 1, -1, REF_LRU, 2.5 },
		{ SYN_DNAT, "SYN dnat (1 half-open)", 0, XLB_R_TX_NEW_FLOW, XLB_EV_HALF_OPEN_NEW, 1, -1, REF_LRU, 1.5 },
		{ SYN_DSR, "SYN dsr (1 half-open)", 0, XLB_R_TX_NEW_FLOW, XLB_EV_HALF_OPEN_NEW, 1, -1, REF_LRU, 1.5 },
		{ REF_HASH, "ref: hash insert (1M+)", 0, -1, -1, 1, -1, -1, 0 },
		{ ACK_NAT, "ACK nat promotes (2)", 0, XLB_R_TX_FORWARD, XLB_EV_PROMOTED, 1, SYN_NAT, REF_HASH, 2.5 },
		{ ACK_DNAT, "ACK dnat promotes (1)", 0, XLB_R_TX_FORWARD, XLB_EV_PROMOTED, 1, SYN_DNAT, REF_HASH, 1.5 },
		{ ACK_DSR, "ACK dsr promotes (1)", 0, XLB_R_TX_FORWARD, XLB_EV_PROMOTED, 1, SYN_DSR, REF_HASH, 1.5 },
	};

	for (size_t i = 0; i < sizeof(def) / sizeof(def[0]); i++) {
		struct path *p = &paths[def[i].id];

		p->name = def[i].name;
		p->prog = def[i].id == REF_LRU ? P_REF_LRU : def[i].id == REF_HASH ? P_REF_HASH : P_RUN;
		p->ifindex = def[i].ifindex_member ? b->if_member : b->if_client;
		p->reason = def[i].reason;
		p->event = def[i].event;
		p->vary = def[i].vary;
		p->replay = def[i].replay;
		p->ref = def[i].ref;
		p->target = def[i].target;
		p->repeat = def[i].vary ? REPEAT_NEW : REPEAT;
	}
	paths[NOT_VIP].len = client_pkt(paths[NOT_VIP].pkt, SVC_NAT, 40000, 22, TCPF_SYN, NULL);
	paths[EST_FWD].len = client_pkt(paths[EST_FWD].pkt, SVC_NAT, 40000, 80, TCPF_ACK | TCPF_PSH, NULL);
	paths[EST_REPLY].len = member_pkt(paths[EST_REPLY].pkt, TCP_MEMBER_PORT, NAT_PORT0, NULL);
	paths[DNAT_REPLY].len = member_pkt(paths[DNAT_REPLY].pkt, 8081, 40000, "198.18.0.10");
	paths[REF_LRU].len = client_pkt(paths[REF_LRU].pkt, SVC_NAT, 1, 80, TCPF_SYN, "198.18.200.0");
	paths[REF_HASH].len = client_pkt(paths[REF_HASH].pkt, SVC_NAT, 1, 80, TCPF_SYN, "198.18.200.0");
	for (int i = 0; i < 3; i++) {
		paths[SYN_NAT + i].len = client_pkt(paths[SYN_NAT + i].pkt, (uint32_t)i, 1, 80, TCPF_SYN, "198.18.200.0");
		paths[ACK_NAT + i].len = client_pkt(paths[ACK_NAT + i].pkt, (uint32_t)i, 1, 80, TCPF_ACK, "198.18.200.0");
	}
}

/* The established connection of EST_FWD/EST_REPLY: its SYN and ACK. */
static int open_established(struct bench *b)
{
	uint8_t pkt[PKT_MAX];
	size_t len;
	double ns;

	len = client_pkt(pkt, SVC_NAT, 40000, 80, TCPF_SYN, NULL);
	if (set_template(b, pkt, len, 0, 0) ||
	    run_prog(prog_fd(b, P_RUN), b->if_client, pkt, len, 1, &ns) != XDP_REDIRECT)
		return -1;
	len = client_pkt(pkt, SVC_NAT, 40000, 80, TCPF_ACK, NULL);
	if (set_template(b, pkt, len, 0, 0) ||
	    run_prog(prog_fd(b, P_RUN), b->if_client, pkt, len, 1, &ns) != XDP_REDIRECT)
		return -1;
	return 0;
}

/* The softirqs CPU cpu has served so far (every row of /proc/softirqs,
 * its column), or -1. */
static long long softirqs_of(int cpu)
{
	char line[4096];
	long long sum = 0;
	FILE *f = fopen("/proc/softirqs", "r");

	if (!f)
		return -1;
	if (!fgets(line, sizeof(line), f)) { /* the header: CPU0 CPU1 ... */
		fclose(f);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *p = strchr(line, ':');
		long long v = 0;

		for (int i = 0; p && i <= cpu; i++)
			v = strtoll(p + 1, &p, 10);
		sum += v;
	}
	fclose(f);
	return sum;
}

static double mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Watches, from another CPU, when the sweeping CPU serves softirqs (its
 * packets and timers wait in between). */
#define WATCH_MAX 65536
struct softirq_watch {
	int cpu, watcher_cpu;
	volatile int stop;
	int n;
	double at_ms[WATCH_MAX]; /* when its softirq count was seen to grow */
};

static void *softirq_watch_run(void *arg)
{
	struct softirq_watch *w = arg;
	long long last = softirqs_of(w->cpu), n;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(w->watcher_cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
	while (!w->stop && w->n < WATCH_MAX) {
		n = softirqs_of(w->cpu);
		if (n != last) {
			last = n;
			w->at_ms[w->n++] = mono_ms();
		}
		usleep(100);
	}
	return NULL;
}

/* How many times the watched CPU was seen serving softirqs in (from, to). */
static int softirq_count_in(const struct softirq_watch *w, double from, double to)
{
	int n = 0;

	for (int i = 0; i < w->n; i++)
		n += w->at_ms[i] > from && w->at_ms[i] < to;
	return n;
}

/* The longest stretch of [from, to] in which the watched CPU served no
 * softirq. */
static double softirq_gap(const struct softirq_watch *w, double from, double to)
{
	double prev = from, longest = 0;

	for (int i = 0; i < w->n; i++) {
		if (w->at_ms[i] <= from)
			continue;
		if (w->at_ms[i] >= to)
			break;
		if (w->at_ms[i] - prev > longest)
			longest = w->at_ms[i] - prev;
		prev = w->at_ms[i];
	}
	return to - prev > longest ? to - prev : longest;
}

/* The sweep of what the benchmark left in both tables, for its duration,
 * run on CPU 0 while CPU 1 watches CPU 0's softirqs. */
static void sweep_report(struct bench *b)
{
	static struct softirq_watch w = { .cpu = 0, .watcher_cpu = 1 };
	double from, to, spin_from, spin_to;
	cpu_set_t set, old;
	struct xlb_census c;
	pthread_t th;
	int err, watched = 0;

	sched_getaffinity(0, sizeof(old), &old);
	if (sysconf(_SC_NPROCESSORS_ONLN) >= 2 && softirqs_of(0) >= 0) {
		CPU_ZERO(&set);
		CPU_SET(0, &set);
		watched = sched_setaffinity(0, sizeof(set), &set) == 0 &&
			  pthread_create(&th, NULL, softirq_watch_run, &w) == 0;
		usleep(20 * 1000); /* the watcher is running */
	}
	from = mono_ms();
	err = xlb_sweep_run(bpf_program__fd(b->skel->progs.xlb_sweep));
	to = mono_ms();
	/* The control: CPU 0 as busy for as long, in user space. */
	spin_from = mono_ms();
	while (watched && mono_ms() < spin_from + (to - from))
		;
	spin_to = mono_ms();
	if (watched) {
		w.stop = 1;
		pthread_join(th, NULL);
	}
	sched_setaffinity(0, sizeof(old), &old);
	if (!err)
		err = xlb_maps_census_read(&b->maps, &c, NULL, NULL);
	if (err) {
		printf("sweep: %s\n", strerror(-err));
		return;
	}
	printf("sweep of xlb_flows + xlb_halfopen, %u + %u entries (deleted %u + %u): %.1f ms\n", c.flows_entries + c.flows_expired,
	       c.halfopen_entries + c.halfopen_expired, c.flows_expired, c.halfopen_expired,
	       (double)c.duration_ns / 1e6);
	if (watched)
		printf("  on CPU 0, which meanwhile served softirqs %d times, with at most %.1f ms between;\n"
		       "  spinning in user space as long after: %d times, at most %.1f ms between\n"
		       "  (watched from CPU 1 in /proc/softirqs every 0.1 ms)\n",
		       softirq_count_in(&w, from, to), softirq_gap(&w, from, to),
		       softirq_count_in(&w, spin_from, spin_to), softirq_gap(&w, spin_from, spin_to));
	else
		printf("  softirqs of its CPU not watched: needs 2 CPUs and /proc/softirqs\n");
}

int main(void)
{
	double trivial[RUNS], restore[RUNS], ft, fr, v[N_PATHS];
	int pass_fd, floor_fd, err;
	time_t now = time(NULL);
	char date[32];
	struct bench b;

	memset(&b, 0, sizeof(b));
	err = setup(&b);
	if (err) {
		fprintf(stderr, "bench setup failed (%d); needs root\n", err);
		return 1;
	}
	pass_fd = bpf_program__fd(b.skel->progs.xlb_bench_pass);
	floor_fd = bpf_program__fd(b.skel->progs.xlb_bench_floor);
	paths_init(&b);
	if (open_established(&b)) {
		fprintf(stderr, "cannot open the benchmark's established connection\n");
		return 1;
	}
	/* xlb_flows and its reference: 1,000,000 connections; xlb_halfopen
	 * and its reference: full (a flood's steady state) of entries that
	 * live through the sweeps. */
	err = prefill(b.maps.flows, 0, PREFILL, false);
	if (!err)
		err = prefill(bpf_map__fd(b.skel->maps.xlb_bench_hash), 0, PREFILL, false);
	if (!err)
		err = prefill(b.maps.halfopen, PREFILL, HALF_OPEN, false);
	if (!err)
		err = prefill(bpf_map__fd(b.skel->maps.xlb_bench_lru), PREFILL, HALF_OPEN, true);
	if (err) {
		fprintf(stderr, "prefilling the tables: %s\n", strerror(-err));
		return 1;
	}

	/* Interleaved: every round measures everything once, each ACK run
	 * right after the SYN run whose tuples it promotes. */
	for (int r = 0; r < RUNS; r++) {
		/* As the daemon does every second: the promoted half-open
		 * duplicates of the round before go (unswept, they pile up
		 * and the LRU evicts fresh handshakes before them). */
		if (r && xlb_sweep_run(bpf_program__fd(b.skel->progs.xlb_sweep)))
			return 1;
		if (measure(&b, paths, NOT_VIP, pass_fd, &trivial[r]) < 0 ||
		    measure(&b, paths, NOT_VIP, floor_fd, &restore[r]) < 0)
			return 1;
		for (int i = 0; i < N_PATHS; i++) {
			int order[N_PATHS] = { NOT_VIP, EST_FWD, EST_REPLY, DNAT_REPLY, REF_LRU, REF_HASH,
					       SYN_NAT, ACK_NAT, SYN_DNAT, ACK_DNAT, SYN_DSR, ACK_DSR };

			if (measure(&b, paths, order[i], -1, &paths[order[i]].raw[r]) < 0)
				return 1;
		}
	}

	strftime(date, sizeof(date), "%Y-%m-%d", gmtime(&now));
	ft = median(trivial, RUNS);
	fr = median(restore, RUNS);
	for (int i = 0; i < N_PATHS; i++)
		v[i] = median(paths[i].raw, RUNS) - fr + ft;
	printf("xlb data plane, BPF_PROG_TEST_RUN repeat loop, %s, median of %d rounds\n", date, RUNS);
	printf("%-30s %8s %8s %8s %9s %7s\n", "path", "ns/pkt", "raw", "x floor", "x ref", "target");
	printf("%-30s %8.1f %8.1f %8s\n", "floor: XDP_PASS only", ft, ft, "1.0");
	printf("%-30s %8s %8.1f\n", "floor: restore + PASS", "-", fr);
	for (int i = 0; i < N_PATHS; i++) {
		const struct path *p = &paths[i];

		printf("%-30s %8.1f %8.1f %8.1f", p->name, v[i], median(p->raw, RUNS), v[i] / ft);
		if (p->ref >= 0)
			printf(" %9.2f %4.1f %s", v[i] / v[p->ref], p->target,
			       v[i] / v[p->ref] <= p->target ? "met" : "MISSED");
		printf("\n");
		/* A promoting ACK is also forwarded: what the promotion adds
		 * to an established packet, against the same reference. */
		if (p->replay >= 0) {
			double extra = v[i] - v[EST_FWD];

			printf("  %-28s %8.1f %8s %8s %9.2f %4.1f %s\n", "promotion alone (- forward)", extra,
			       "", "", extra / v[p->ref], p->target, extra / v[p->ref] <= p->target ? "met" : "MISSED");
		}
	}
	printf("ns/pkt = raw - restore floor + XDP_PASS floor.  Path proven: each run's reason and\n"
	       "event counters (the references: their inserts) grew by exactly its repeat count\n"
	       "(%u; new connections %u).  xlb_flows: %u entries, %u connections prefilled (%u more\n"
	       "after the promotions); xlb_halfopen: %u entries, full.\n",
	       REPEAT, REPEAT_NEW, FLOW_TABLE, PREFILL, RUNS * REPEAT_NEW * 4, HALF_OPEN);
	sweep_report(&b);
	xlb_bench__destroy(b.skel);
	return 0;
}
