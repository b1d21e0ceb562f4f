// SPDX-License-Identifier: MIT
/* Member and service ids: a member id is reused as late as possible, so
 * the counters of a removed member are not mixed with a new one's. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "dp/maps.h"
#include "daemon/runtime/state.h"

int rt_member_id_alloc(struct runtime *rt, uint32_t *id)
{
	if (!rt->n_free)
		return -ENOSPC;
	*id = rt->free_ids[rt->free_head];
	rt->free_head = (rt->free_head + 1) % XLB_MAX_MEMBERS;
	rt->n_free--;
	rt->member_used[*id] = true;
	return 0;
}

void rt_member_id_free(struct runtime *rt, uint32_t id)
{
	if (id >= XLB_MAX_MEMBERS || !rt->member_used[id])
		return;
	rt->member_used[id] = false;
	rt->free_ids[(rt->free_head + rt->n_free) % XLB_MAX_MEMBERS] = id;
	rt->n_free++;
}

int rt_service_id_alloc(struct runtime *rt, struct rt_service *const *taken,
			    uint32_t *id)
{
	for (uint32_t i = 0; i < XLB_MAX_SERVICES; i++) {
		if (!rt->services[i] && !taken[i]) {
			*id = i;
			return 0;
		}
	}
	return -ENOSPC;
}

/* The free list again from member_used, lowest id first. */
void rt_member_ids_rebuild(struct runtime *rt)
{
	rt->free_head = 0;
	rt->n_free = 0;
	for (uint32_t i = 0; i < XLB_MAX_MEMBERS; i++)
		if (!rt->member_used[i])
			rt->free_ids[rt->n_free++] = i;
}
