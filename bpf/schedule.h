/* SPDX-License-Identifier: GPL-2.0 */
/* Picking a member for a new connection: the next slot of the service's
 * live slot table, from one counter per service shared by all CPUs. */
#ifndef XLB_BPF_SCHEDULE_H
#define XLB_BPF_SCHEDULE_H

#include "xlb/abi.h"
#include "xlb/flow_hash.h"
#include "parse.h"

#define XLB_NO_MEMBER 0xffffffffU

/* Maglev: the flow's own hash picks the entry, so every packet of a flow,
 * on any node with the same configuration, finds the same member. */
static __always_inline __u32 schedule_maglev(const struct xlb_service *svc, const struct xlb_pkt *p)
{
	__u32 table = svc->maglev * 2 + (svc->generation & 1), entry;
	struct xlb_maglev_table *t;

	t = bpf_map_lookup_elem(&xlb_maglev, &table);
	if (!t)
		return XLB_NO_MEMBER;
	entry = xlb_flow_hash(&p->key) % XLB_MAGLEV_SIZE;
	/* Keep the bound check the compiler would drop as redundant. */
	asm volatile("" : "+r"(entry));
	if (entry >= XLB_MAGLEV_SIZE)
		return XLB_NO_MEMBER;
	return t->member[entry];
}

/* The member id for the next connection, or XLB_NO_MEMBER when the live
 * table is empty. */
static __always_inline __u32 schedule_member(const struct xlb_service *svc)
{
	__u32 svc_id = svc->id, table = svc_id * 2 + (svc->generation & 1);
	struct xlb_slot_table *st;
	struct xlb_rr_state *rr;
	__u32 count, slot;
	__u64 n;

	st = bpf_map_lookup_elem(&xlb_slots, &table);
	rr = bpf_map_lookup_elem(&xlb_rr, &svc_id);
	if (!st || !rr)
		return XLB_NO_MEMBER;
	count = st->count;
	if (count == 0 || count > XLB_MAX_SLOTS)
		return XLB_NO_MEMBER;
	n = __sync_fetch_and_add(&rr->next, 1);
	slot = n % count;
	/* The compiler knows slot < count <= XLB_MAX_SLOTS and would drop the
	 * mask the verifier needs to see. */
	asm volatile("" : "+r"(slot));
	return st->member[slot & (XLB_MAX_SLOTS - 1)];
}

/* A packet's member: Maglev services hash the flow (the slot table still
 * says whether the service has any member), the others take the next slot. */
static __always_inline __u32 schedule_packet(const struct xlb_service *svc, const struct xlb_pkt *p)
{
	__u32 table = svc->id * 2 + (svc->generation & 1);
	struct xlb_slot_table *st;

	if (svc->scheduler != XLB_SCHED_MAGLEV)
		return schedule_member(svc);
	st = bpf_map_lookup_elem(&xlb_slots, &table);
	if (!st || st->count == 0)
		return XLB_NO_MEMBER;
	return schedule_maglev(svc, p);
}

/* What schedule_packet took for member_id goes back: the connection it
 * was taken for turned out to be one the service already has.  A
 * round-robin slot is the only thing taken (Maglev hashes, an empty pool
 * takes nothing).  Another CPU may have taken the next slot meanwhile;
 * the count of slots taken stays the count of connections, so each member
 * still gets its share. */
static __always_inline void schedule_give_back(const struct xlb_service *svc, __u32 member_id)
{
	__u32 svc_id = svc->id;
	struct xlb_rr_state *rr;

	if (member_id == XLB_NO_MEMBER || svc->scheduler == XLB_SCHED_MAGLEV)
		return;
	rr = bpf_map_lookup_elem(&xlb_rr, &svc_id);
	if (rr)
		__sync_fetch_and_add(&rr->next, -1);
}

#endif
