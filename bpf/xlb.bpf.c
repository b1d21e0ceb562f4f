// SPDX-License-Identifier: GPL-2.0
/* The xlb data plane's XDP program, the sweeper of its connection tables,
 * and the socket hooks for clients on this host.  The data path itself is datapath.h, shared with the tc
 * programs of xlb-tc.bpf.c, which the build links into the same object:
 * one set of maps serves every hook. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "hook_xdp.h"
#include "datapath.h"
#include "sock.h"
#include "sweep.h"

SEC("xdp")
int xlb_xdp(struct xdp_md *ctx)
{
	return xlb_run(ctx, 0);
}

char LICENSE[] SEC("license") = "GPL";
