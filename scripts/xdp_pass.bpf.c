// SPDX-License-Identifier: GPL-2.0
/* XDP_PASS and nothing else.  The testbed attaches it to the veth peers of
 * the balancer's interfaces: a veth only receives frames that an XDP
 * program redirects (or XDP_TX-es) into it when its peer runs XDP too. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
