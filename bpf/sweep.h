/* SPDX-License-Identifier: GPL-2.0 */
/* The sweeper: a hash map never evicts, so the entries of xlb_flows leave
 * only when this program deletes them; it also deletes the stale,
 * orphaned and promoted entries of xlb_halfopen (which the LRU would
 * otherwise keep until it needs the room), writes the census of both
 * tables and takes the full flag down when there is room again.
 *
 * A syscall program: user space runs it with BPF_PROG_TEST_RUN
 * (user/dp/sweep.c), the daemon once a second, `xlb status` from the pins.
 * Not XDP: an XDP test run keeps bottom halves off for the whole run, and
 * a sweep of a million entries takes hundreds of ms, during which its CPU
 * would serve no softirq (no packet, no timer).  A syscall program runs in
 * the caller's process context with them on: the packet path may
 * interrupt it between any two instructions, which is why the event
 * counters it shares with the packet path go up atomically here.
 * bpf_for_each_map_elem takes an RCU read lock per bucket, as the packet
 * path holds one.
 *
 * Deleting the element being visited is allowed; a preallocated element
 * may be reused by another CPU at once, so an insert racing with the
 * sweep can make it skip or repeat a few entries of a bucket: the next
 * sweep counts them right.  The callbacks are the only functions here not
 * inlined: the kernel calls them. */
#ifndef XLB_BPF_SWEEP_H
#define XLB_BPF_SWEEP_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "map_defs.h"
#include "consts.h"
#include "flow.h"
#include "nat_held.h"
#include "stats.h"

/* What the program returns to BPF_PROG_TEST_RUN (user/dp/sweep.c). */
#define XLB_SWEEP_DONE 0
#define XLB_SWEEP_BUSY 1

struct sweep_ctx {
	__u64 now;
	__u32 gen;  /* this sweep's number, low 32 bits (xlb_census_count.gen) */
	__u32 copy; /* the census copy written */
	__u32 kept; /* entries left in the table being swept */
	__u32 expired;
	struct xlb_census_count total;
};

/* The counters of struct xlb_census_count, by their place after gen. */
enum census_field {
	CENSUS_ESTABLISHED = 1,
	CENSUS_CLOSING,
	CENSUS_HALF_OPEN,
	CENSUS_UDP,
	CENSUS_NAT_PORTS,
};

static __always_inline void census_bump_one(void *map, __u32 idx, __u32 gen, int field)
{
	struct xlb_census_count *cnt = bpf_map_lookup_elem(map, &idx);

	if (!cnt)
		return;
	if (cnt->gen != gen) {
		__builtin_memset(cnt, 0, sizeof(*cnt));
		cnt->gen = gen;
	}
	((__u32 *)cnt)[field]++;
}

static __always_inline void census_bump(struct sweep_ctx *c, const struct xlb_flow *f, int field)
{
	((__u32 *)&c->total)[field]++;
	if (f->member_id < XLB_MAX_MEMBERS)
		census_bump_one(&xlb_census_mbr, c->copy * XLB_MAX_MEMBERS + f->member_id, c->gen, field);
	if (f->service_id < XLB_MAX_SERVICES)
		census_bump_one(&xlb_census_svc, c->copy * XLB_MAX_SERVICES + f->service_id, c->gen, field);
}

/* Deletes the reply entry of forward entry f (key k) from table map,
 * unless its port went to another connection meanwhile. */
static __always_inline void sweep_reply_of(void *map, const struct xlb_flow *f, const struct xlb_flow_key *k,
					   struct sweep_ctx *c)
{
	struct xlb_flow_key rk;
	struct xlb_flow *r;

	if (f->fwd != XLB_FWD_NAT)
		return;
	flow_peer_key(f, k->proto, &rk);
	r = bpf_map_lookup_elem(map, &rk);
	if (r && r->dir == XLB_DIR_REPLY && r->nat_dport == k->sport && addr_eq(&r->nat_dst, &k->src) &&
	    bpf_map_delete_elem(map, &rk) == 0)
		c->expired++;
}

/* xlb_halfopen: promoted duplicates and expired handshakes go with their
 * reply entries; a reply entry whose handshake is gone goes too (its NAT
 * port is free).  The rest is counted: half-open connections, the ports
 * they hold. */
static long sweep_halfopen_entry(void *map, const struct xlb_flow_key *key, struct xlb_flow *f,
				 struct sweep_ctx *c)
{
	struct xlb_flow_key k = *key;

	if (f->dir == XLB_DIR_FORWARD) {
		if (!(f->flags & XLB_FLOW_F_PROMOTED) && flow_live(f, c->now)) {
			census_bump(c, f, CENSUS_HALF_OPEN);
			c->kept++;
			return 0;
		}
		if (!(f->flags & XLB_FLOW_F_PROMOTED))
			stats_event_atomic(XLB_EV_HALF_OPEN_EXPIRED);
		sweep_reply_of(&xlb_halfopen, f, &k, c);
		if (bpf_map_delete_elem(&xlb_halfopen, &k) == 0)
			c->expired++;
		return 0;
	}
	if (flow_reply_orphaned(f, &k, c->now, 1)) {
		if (bpf_map_delete_elem(&xlb_halfopen, &k) == 0)
			c->expired++;
		return 0;
	}
	census_bump(c, f, CENSUS_NAT_PORTS);
	c->kept++;
	return 0;
}

/* xlb_flows: a stale forward entry goes (its connection has ended); a
 * reply entry goes once it is orphaned and its closing guard is over
 * (flow_guarded).  The rest is counted by state, and the NAT ports held. */
static long sweep_flows_entry(void *map, const struct xlb_flow_key *key, struct xlb_flow *f, struct sweep_ctx *c)
{
	struct xlb_flow_key k = *key;

	if (f->dir == XLB_DIR_FORWARD) {
		if (!flow_live(f, c->now)) {
			stats_event_atomic(XLB_EV_FLOWS_EXPIRED);
			if (bpf_map_delete_elem(&xlb_flows, &k) == 0)
				c->expired++;
			return 0;
		}
		if (f->state == XLB_FLOW_UDP)
			census_bump(c, f, CENSUS_UDP);
		else if (flow_closing(f))
			census_bump(c, f, CENSUS_CLOSING);
		else
			census_bump(c, f, CENSUS_ESTABLISHED);
		c->kept++;
		return 0;
	}
	if (!flow_guarded(f, c->now) && flow_reply_orphaned(f, &k, c->now, 0)) {
		if (nat_held_delete(&k) == 0)
			c->expired++;
		return 0;
	}
	if (f->fwd == XLB_FWD_NAT)
		census_bump(c, f, CENSUS_NAT_PORTS);
	c->kept++;
	return 0;
}

SEC("syscall")
int xlb_sweep(void *ctx)
{
	struct sweep_ctx c;
	struct xlb_dp_state *st;
	struct xlb_census *out;
	__u32 zero = 0, ho_kept, ho_expired;
	__u64 start = bpf_ktime_get_ns(), gen, end;

	st = bpf_map_lookup_elem(&xlb_dp_state, &zero);
	if (!st)
		return XLB_SWEEP_BUSY;
	if (__sync_val_compare_and_swap(&st->sweeping, 0, 1) != 0)
		return XLB_SWEEP_BUSY;
	gen = st->census_gen + 1;
	__builtin_memset(&c, 0, sizeof(c));
	/* The precise clock: a syscall program has no coarse one.  The data
	 * plane's coarse stamps are never ahead of it, so an entry may look
	 * at most a tick older here, against timeouts of seconds. */
	c.now = bpf_ktime_get_ns();
	c.gen = (__u32)gen;
	c.copy = (__u32)(gen & 1);
	c.total.gen = c.gen;

	/* Half-open first: the duplicates it deletes are not counted twice. */
	bpf_for_each_map_elem(&xlb_halfopen, sweep_halfopen_entry, &c, 0);
	ho_kept = c.kept;
	ho_expired = c.expired;
	c.kept = 0;
	c.expired = 0;
	bpf_for_each_map_elem(&xlb_flows, sweep_flows_entry, &c, 0);

	out = bpf_map_lookup_elem(&xlb_census, &c.copy);
	if (out) {
		out->gen = gen;
		end = bpf_ktime_get_ns();
		out->swept_ns = end;
		out->duration_ns = end - start;
		out->flows_entries = c.kept;
		out->flows_max = cfg_flows_max;
		out->halfopen_entries = ho_kept;
		out->halfopen_max = cfg_halfopen_max;
		out->flows_expired = c.expired;
		out->halfopen_expired = ho_expired;
		out->total = c.total;
	}
	/* The copy is complete: readers take it from now on. */
	st->census_gen = gen;
	if (st->full && (__u64)c.kept * 100 <= (__u64)cfg_flows_max * XLB_FULL_CLEAR_PERCENT)
		st->full = 0;
	stats_event_atomic(XLB_EV_SWEEPS);
	st->sweeping = 0;
	return XLB_SWEEP_DONE;
}

#endif
