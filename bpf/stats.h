/* SPDX-License-Identifier: GPL-2.0 */
/* Per-CPU counters: one reason per packet, traffic per service and member. */
#ifndef XLB_BPF_STATS_H
#define XLB_BPF_STATS_H

#include "xlb/abi.h"

/* A verdict carries the XDP action and the reason it is counted under, so
 * that the program has one exit that records both. */
#define XLB_VERDICT(action, reason) (((reason) << 8) | (action))
#define XLB_VERDICT_ACTION(v)       ((v) & 0xff)
#define XLB_VERDICT_REASON(v)       ((v) >> 8)

static __always_inline void stats_reason(__u32 reason)
{
	__u32 zero = 0;
	struct xlb_reason_stats *s = bpf_map_lookup_elem(&xlb_stats, &zero);

	if (s && reason < XLB_R_MAX)
		s->count[reason]++;
}

/* This CPU's counter of event, or NULL. */
static __always_inline __u64 *stats_event_counter(__u32 event)
{
	__u32 zero = 0;
	struct xlb_event_stats *s = bpf_map_lookup_elem(&xlb_events, &zero);

	return s && event < XLB_EV_MAX ? &s->count[event] : NULL;
}

static __always_inline void stats_event(__u32 event)
{
	__u64 *n = stats_event_counter(event);

	if (n)
		(*n)++;
}

/* The same, atomically: for the sweeper, which the packet path may
 * interrupt on the same CPU (bpf/sweep.h). */
static __always_inline void stats_event_atomic(__u32 event)
{
	__u64 *n = stats_event_counter(event);

	if (n)
		__sync_fetch_and_add(n, 1);
}

static __always_inline void stats_traffic_one(void *map, __u32 id, __u32 bytes, int reply, int new_flow)
{
	struct xlb_traffic_stats *s = bpf_map_lookup_elem(map, &id);

	if (!s)
		return;
	if (reply) {
		s->reply_packets++;
		s->reply_bytes += bytes;
	} else {
		s->fwd_packets++;
		s->fwd_bytes += bytes;
	}
	s->new_flows += new_flow;
}

static __always_inline void stats_traffic(const struct xlb_flow *f, __u32 bytes, int new_flow)
{
	int reply = f->dir == XLB_DIR_REPLY;

	stats_traffic_one(&xlb_svc_stats, f->service_id, bytes, reply, new_flow);
	stats_traffic_one(&xlb_mbr_stats, f->member_id, bytes, reply, new_flow);
}

#endif
