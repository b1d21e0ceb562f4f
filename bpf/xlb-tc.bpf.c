// SPDX-License-Identifier: GPL-2.0
/* The data path from tc (clsact), for interfaces where XDP cannot serve:
 * the same code as the XDP program through hook_tc.h.  Ingress sees what
 * arrives, like XDP; egress sees what this host itself sends, so a VIP
 * routed out of the interface is balanced for local clients too (when the
 * socket hooks are off).  Linked with xlb.bpf.c into one object, sharing
 * its maps and load-time values. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "hook_tc.h"
#include "datapath.h"

SEC("tc")
int xlb_tc_ingress(struct __sk_buff *skb)
{
	return xlb_run(skb, 0);
}

SEC("tc")
int xlb_tc_egress(struct __sk_buff *skb)
{
	return xlb_run(skb, 1);
}
