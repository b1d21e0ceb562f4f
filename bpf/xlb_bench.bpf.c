// SPDX-License-Identifier: GPL-2.0
/* The data plane built for `make bench-dataplane` only: the same program,
 * plus entries that first restore the input packet from a map.
 * BPF_PROG_TEST_RUN's repeat loop reuses one buffer, so a rewriting path
 * would otherwise see its own output from the second iteration on; the
 * restore makes every iteration take the path under test, and its cost is
 * measured by xlb_bench_floor and subtracted (tests/bench/).
 *
 * The references: xlb_bench_ref_lru and xlb_bench_ref_hash restore the
 * packet the same way, then do one insert of the packet's tuple into a
 * map of the kind, size and fill of xlb_halfopen and xlb_flows, and
 * nothing else: what a new flow cannot cost less than. */
#include "xlb.bpf.c"

#define XLB_BENCH_COPY 96 /* bytes restored: every header of the bench packets */

struct xlb_bench_pkt {
	__u32 vary;  /* 1: a new IPv4 client address and port every run */
	__u32 _pad;
	__u64 seq;
	__u8 data[XLB_BENCH_COPY];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xlb_bench_pkt);
} xlb_bench_pkt SEC(".maps");

static __always_inline void bench_restore(struct xdp_md *ctx)
{
	struct xlb_bench_pkt *b;
	__u16 *src, *check, word;
	__u32 zero = 0;
	__u8 *data;
	__u64 n;

	b = bpf_map_lookup_elem(&xlb_bench_pkt, &zero);
	if (!b)
		return;
	PKT_AT(data, ctx, 0, XLB_BENCH_COPY, return);
	__builtin_memcpy(data, b->data, XLB_BENCH_COPY);
	if (!b->vary)
		return;
	/* Untagged IPv4: source address bytes 2-3 (198.18.128.0 on, away
	 * from the fixture's addresses) and source port.  The IPv4 header
	 * checksum is updated (new flows check it); the TCP checksum goes
	 * stale, which the data plane does not check. */
	n = b->seq++;
	src = (__u16 *)(data + 14 + 14);
	check = (__u16 *)(data + 14 + 10);
	word = bpf_htons((__u16)(0x8000 | n / 60000));
	*check = csum_apply(*check, csum_diff16(*src, word));
	*src = word;
	*(__be16 *)(data + 14 + 20) = bpf_htons((__u16)(1024 + n % 60000));
}

SEC("xdp")
int xlb_bench_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp")
int xlb_bench_floor(struct xdp_md *ctx)
{
	bench_restore(ctx);
	return XDP_PASS;
}

SEC("xdp")
int xlb_bench_run(struct xdp_md *ctx)
{
	bench_restore(ctx);
	return xlb_run(ctx, 0);
}

/* The reference maps: max_entries set at load like the real tables. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XLB_FLOWS_DEFAULT / XLB_HALFOPEN_DIVISOR);
	__type(key, struct xlb_flow_key);
	__type(value, struct xlb_flow);
} xlb_bench_lru SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XLB_FLOWS_DEFAULT);
	__type(key, struct xlb_flow_key);
	__type(value, struct xlb_flow);
} xlb_bench_hash SEC(".maps");

/* Inserts that succeeded, the references' proof of path. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} xlb_bench_ref_ok SEC(".maps");

static __always_inline int bench_ref_insert(struct xdp_md *ctx, void *map)
{
	struct xlb_new_flow *nf;
	struct xlb_flow_key k;
	__u32 zero = 0;
	__u64 *ok;
	__u8 *ip;

	bench_restore(ctx);
	PKT_AT(ip, ctx, 14, 24, return XDP_ABORTED);
	nf = bpf_map_lookup_elem(&xlb_new_flow, &zero);
	ok = bpf_map_lookup_elem(&xlb_bench_ref_ok, &zero);
	if (!nf || !ok)
		return XDP_ABORTED;
	__builtin_memset(&k, 0, sizeof(k));
	__builtin_memcpy(&k.src, ip + 12, 4);
	__builtin_memcpy(&k.dst, ip + 16, 4);
	__builtin_memcpy(&k.sport, ip + 20, 4);
	k.proto = IPPROTO_TCP;
	k.family = XLB_FAMILY_IPV4;
	nf->fwd.last_seen_ns = k.sport;
	if (bpf_map_update_elem(map, &k, &nf->fwd, BPF_ANY))
		return XDP_DROP;
	(*ok)++;
	return XDP_PASS;
}

SEC("xdp")
int xlb_bench_ref_lru(struct xdp_md *ctx)
{
	return bench_ref_insert(ctx, &xlb_bench_lru);
}

SEC("xdp")
int xlb_bench_ref_hash(struct xdp_md *ctx)
{
	return bench_ref_insert(ctx, &xlb_bench_hash);
}
