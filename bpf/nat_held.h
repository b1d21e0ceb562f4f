/* SPDX-License-Identifier: GPL-2.0 */
/* Which NAT ports xlb_flows holds, without looking in xlb_flows.
 *
 * A new nat connection must not take a port whose reply tuple (member,
 * member port, snat address, port, protocol) an established or closing
 * connection still holds in xlb_flows.  Asking xlb_flows costs a lookup
 * that misses, almost always, in a table of millions of buckets: a cold
 * bucket and element, about 450 ns (docs/benchmarks.md).  xlb_nat_held
 * counts instead, for every reply tuple's block (a hash of everything but
 * the port) and port, the reply entries of xlb_flows on it: one counter,
 * one cache line, and a zero means the port is not held there, so the
 * lookup is skipped.  Tuples that share a block share counters: a count
 * above zero only means "look".
 *
 * The invariant: a counter is never below the number of reply entries of
 * xlb_flows on it.  So it goes up before a reply entry is inserted and
 * down after one is deleted (or its insert failed); every insert and
 * delete of a reply entry in xlb_flows goes through here. */
#ifndef XLB_BPF_NAT_HELD_H
#define XLB_BPF_NAT_HELD_H

#include <linux/errno.h>

#include "xlb/flow_hash.h"
#include "map_defs.h"

static __always_inline __u32 *nat_held_counter(const struct xlb_flow_key *rk)
{
	__u32 idx = xlb_nat_held_index(rk);

	return bpf_map_lookup_elem(&xlb_nat_held, &idx);
}

/* Whether xlb_flows may hold a reply entry of tuple rk. */
static __always_inline int nat_held_maybe(const struct xlb_flow_key *rk)
{
	__u32 *n = nat_held_counter(rk);

	return !n || *n != 0;
}

static __always_inline void nat_held_get(const struct xlb_flow_key *rk)
{
	__u32 *n = nat_held_counter(rk);

	if (n)
		__sync_fetch_and_add(n, 1);
}

static __always_inline void nat_held_put(const struct xlb_flow_key *rk)
{
	__u32 *n = nat_held_counter(rk);

	if (n)
		__sync_fetch_and_add(n, -1);
}

/* Deletes the reply entry of tuple rk from xlb_flows: 0 if it was there. */
static __always_inline int nat_held_delete(const struct xlb_flow_key *rk)
{
	if (bpf_map_delete_elem(&xlb_flows, rk))
		return -1;
	nat_held_put(rk);
	return 0;
}

/* Inserts reply entry rev of tuple rk into xlb_flows, replacing the one
 * there (the port was free when the connection took it, so that one is
 * over, or another CPU has just promoted the same connection): 0 or the
 * insert's error. */
static __always_inline int nat_held_insert(const struct xlb_flow_key *rk, const struct xlb_flow *rev)
{
	/* An int: see promote() in datapath.h on Linux 6.1's map results. */
	int err;

	nat_held_get(rk);
	err = bpf_map_update_elem(&xlb_flows, rk, rev, BPF_NOEXIST);
	if (err == -EEXIST) {
		nat_held_delete(rk);
		err = bpf_map_update_elem(&xlb_flows, rk, rev, BPF_NOEXIST);
	}
	if (err)
		nat_held_put(rk);
	/* Still there: another CPU's promotion of the same connection. */
	return err == -EEXIST ? 0 : err;
}

#endif
