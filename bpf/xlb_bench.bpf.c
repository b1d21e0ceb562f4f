// SPDX-License-Identifier: GPL-2.0
/* The data plane built for `make bench-dataplane` only: the same program,
 * plus entries that first restore the input packet from a map.
 * BPF_PROG_TEST_RUN's repeat loop reuses one buffer, so a rewriting path
 * would otherwise see its own output from the second iteration on; the
 * restore makes every iteration take the path under test, and its cost is
 * measured by xlb_bench_floor and subtracted (tests/bench/). */
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
	/* Untagged IPv4: source address bytes 2-3 and source port.  The
	 * checksums go stale, which the data plane does not check. */
	n = b->seq++;
	*(__be16 *)(data + 14 + 14) = bpf_htons((__u16)(n / 60000));
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
