// SPDX-License-Identifier: MIT
#include "daemon/publish.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dp/maps.h"
#include "lib/abi_text.h"
#include "daemon/maglev.h"
#include "daemon/slots.h"

uint32_t publish_weight(enum xlb_health_state state, bool drained, uint32_t weight)
{
	return state == XLB_HEALTH_UP && !drained ? weight : 0;
}

void publish_member_key(struct publish_member *pm, const char *name, const union xlb_ip *addr,
			__u8 family, uint16_t port)
{
	char text[48];

	maglev_key(pm->key, sizeof(pm->key), name, xlb_ip_str(addr, family, text, sizeof(text)),
		   port);
}

static int maglev_table_build(const struct publish_service *ps, uint32_t *table)
{
	struct maglev_member *mm = calloc(ps->n_members ? ps->n_members : 1, sizeof(*mm));
	int err;

	if (!mm)
		return -ENOMEM;
	for (size_t i = 0; i < ps->n_members; i++) {
		mm[i].key = ps->members[i].key;
		mm[i].id = ps->members[i].id;
		mm[i].weight = ps->members[i].weight;
	}
	err = maglev_build(mm, ps->n_members, table, XLB_MAGLEV_SIZE);
	free(mm);
	return err;
}

uint32_t publish_serving(const struct publish_service *ps)
{
	uint32_t n = 0;

	for (size_t i = 0; i < ps->n_members; i++)
		n += ps->members[i].weight != 0;
	return n;
}

int publish_service(const struct xlb_maps *m, struct publish_service *ps, uint32_t *n_slots)
{
	static struct slot_member sm[XLB_MAX_MEMBERS_PER_SERVICE];
	static uint32_t slots[XLB_MAX_SLOTS], table[XLB_MAGLEV_SIZE];
	const bool maglev = ps->value.scheduler == XLB_SCHED_MAGLEV;
	int n, err;

	if (ps->n_members > XLB_MAX_MEMBERS_PER_SERVICE)
		return -E2BIG;
	for (size_t i = 0; i < ps->n_members; i++) {
		sm[i].id = ps->members[i].id;
		sm[i].weight = ps->members[i].weight;
	}
	if (ps->value.scheduler == XLB_SCHED_WRR)
		n = slots_weighted(sm, ps->n_members, slots, XLB_MAX_SLOTS);
	else
		n = slots_round_robin(sm, ps->n_members, slots, XLB_MAX_SLOTS);
	if (n < 0)
		return n;
	if (maglev && (err = maglev_table_build(ps, table)))
		return err;
	err = xlb_maps_service_publish(m, &ps->key, &ps->value, slots, (__u32)n,
				       maglev ? table : NULL);
	if (err)
		return err;
	if (n_slots)
		*n_slots = (uint32_t)n;
	ps->info.n_members = (__u32)ps->n_members;
	ps->info.n_serving = n ? publish_serving(ps) : 0;
	return xlb_maps_svc_info_set(m, ps->value.id, &ps->info);
}

int publish_service_from_pins(const struct xlb_maps *m, uint32_t svc_id)
{
	static struct publish_member pm[XLB_MAX_MEMBERS_PER_SERVICE];
	static __u32 order[XLB_MAX_MEMBERS_PER_SERVICE];
	struct publish_service ps = { .members = pm };
	int err;

	err = xlb_maps_svc_info_get(m, svc_id, &ps.info);
	if (!err && !ps.info.in_use)
		err = -ENOENT;
	if (!err)
		err = xlb_maps_service_get(m, &ps.info.key, &ps.value);
	if (err)
		return err;
	ps.key = ps.info.key;
	for (__u32 id = 0; id < XLB_MAX_MEMBERS; id++) {
		struct xlb_mbr_info i;
		size_t j;

		if (xlb_maps_mbr_info_get(m, id, &i) || i.family == XLB_FAMILY_NONE ||
		    i.service_id != svc_id)
			continue;
		if (ps.n_members == XLB_MAX_MEMBERS_PER_SERVICE)
			return -E2BIG;
		/* Pool order, as the daemon publishes it. */
		for (j = ps.n_members; j > 0 && order[j - 1] > i.order; j--) {
			order[j] = order[j - 1];
			pm[j] = pm[j - 1];
		}
		order[j] = i.order;
		pm[j].id = id;
		pm[j].weight = publish_weight(i.state,
					      xlb_maps_mbr_admin_get(m, id) == XLB_ADMIN_DRAIN,
					      i.weight);
		publish_member_key(&pm[j], i.name, &i.addr, i.family, ntohs(i.port));
		ps.n_members++;
	}
	return publish_service(m, &ps, NULL);
}
