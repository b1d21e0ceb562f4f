// SPDX-License-Identifier: MIT
/* Restart adoption: a daemon that starts over the pins of an earlier run
 * takes over its ids, health states and drains, and what it does not
 * continue leaves the maps. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "lib/log.h"
#include "dp/maps.h"
#include "daemon/runtime/state.h"

/* Reads the names, ids and health of an earlier run from the pins.  Their
 * ids stay reserved until the first apply has matched them. */
int rt_adopt_read(struct runtime *rt)
{
	size_t n_svc = 0, n_mbr = 0;

	rt->adopt_svc = calloc(XLB_MAX_SERVICES, sizeof(*rt->adopt_svc));
	rt->adopt_mbr = calloc(XLB_MAX_MEMBERS, sizeof(*rt->adopt_mbr));
	if (!rt->adopt_svc || !rt->adopt_mbr)
		return -ENOMEM;
	for (uint32_t id = 0; id < XLB_MAX_SERVICES; id++)
		if (!xlb_maps_svc_info_get(rt->maps, id, &rt->adopt_svc[id]) &&
		    rt->adopt_svc[id].in_use)
			n_svc++;
	for (uint32_t id = 0; id < XLB_MAX_MEMBERS; id++) {
		if (xlb_maps_mbr_info_get(rt->maps, id, &rt->adopt_mbr[id]) ||
		    rt->adopt_mbr[id].family == XLB_FAMILY_NONE)
			continue;
		rt->member_used[id] = true;
		n_mbr++;
	}
	rt_member_ids_rebuild(rt);
	if (n_svc)
		log_info("adopting the data plane of an earlier run: %zu service%s, %zu member%s",
			 n_svc, n_svc == 1 ? "" : "s", n_mbr, n_mbr == 1 ? "" : "s");
	return 0;
}

/* A service of the earlier run's pins with the same name and VIP: its id,
 * or -1. */
int rt_adopted_service_id(const struct runtime *rt, const struct cfg_service *c,
			      struct rt_service *const *taken)
{
	struct xlb_svc_key key;

	if (!rt->adopt_svc)
		return -1;
	rt_svc_key(c, &key);
	for (uint32_t id = 0; id < XLB_MAX_SERVICES; id++) {
		const struct xlb_svc_info *i = &rt->adopt_svc[id];

		if (i->in_use && !rt->services[id] && !taken[id] &&
		    strncmp(i->name, c->name, sizeof(i->name)) == 0 &&
		    memcmp(&i->key, &key, sizeof(key)) == 0)
			return (int)id;
	}
	return -1;
}

/* A member of an adopted service with the same name, address and port. */
void rt_adopt_member(struct runtime *rt, struct rt_member *m)
{
	union xlb_ip addr;
	__u8 family;

	if (!rt->adopt_mbr)
		return;
	addr_to_abi(&m->addr, &addr, &family);
	for (uint32_t id = 0; id < XLB_MAX_MEMBERS; id++) {
		struct xlb_mbr_info *i = &rt->adopt_mbr[id];

		if (i->family != family || i->service_id != m->svc->id ||
		    ntohs(i->port) != m->port || memcmp(&i->addr, &addr, sizeof(addr)) ||
		    strncmp(i->name, m->name, sizeof(i->name)))
			continue;
		m->adopted = true;
		m->id = id;
		/* A state this version does not know starts as a new member. */
		m->initial = i->state < XLB_HEALTH_N ? i->state : XLB_HEALTH_PENDING;
		m->admin_drain = xlb_maps_mbr_admin_get(rt->maps, id) == XLB_ADMIN_DRAIN;
		i->family = XLB_FAMILY_NONE; /* taken */
		return;
	}
}

bool rt_key_in_use(struct rt_service *const *services, const struct xlb_svc_key *key)
{
	for (uint32_t id = 0; id < XLB_MAX_SERVICES; id++) {
		struct xlb_svc_key k;

		if (!services[id])
			continue;
		rt_svc_key(services[id]->cfg, &k);
		if (memcmp(&k, key, sizeof(k)) == 0)
			return true;
	}
	return false;
}

/* A dnat member of the earlier run that this configuration does not
 * continue: its reply entry stays while its connections go on, unless a
 * member of this configuration took its key. */
static void adopt_dnat_retire(struct runtime *rt, uint32_t id)
{
	const struct xlb_mbr_info *i = &rt->adopt_mbr[id];
	const struct xlb_svc_info *s;
	struct xlb_dnat_rev_key k;

	if (i->service_id >= XLB_MAX_SERVICES)
		return;
	s = &rt->adopt_svc[i->service_id];
	if (!s->in_use || s->forwarding != XLB_FWD_DNAT)
		return;
	memset(&k, 0, sizeof(k));
	k.addr = i->addr;
	k.family = i->family;
	k.port = i->port;
	k.proto = s->key.proto;
	if (!rt_dnat_published(rt, &k))
		rt_dnat_retire(rt, &k, id);
}

/* After the first apply: what the earlier run had and this configuration
 * does not continue leaves the maps (its flows go on, as on a reload). */
void rt_adopt_release(struct runtime *rt)
{
	struct xlb_svc_info empty_svc;
	struct xlb_mbr_info empty_mbr;
	int err;

	if (!rt->adopt_svc)
		return;
	memset(&empty_svc, 0, sizeof(empty_svc));
	memset(&empty_mbr, 0, sizeof(empty_mbr));
	for (uint32_t id = 0; id < XLB_MAX_MEMBERS; id++) {
		if (rt->adopt_mbr[id].family == XLB_FAMILY_NONE)
			continue;
		log_info("member %s of the earlier run is not in the configuration; its "
			 "connections drain",
			 rt->adopt_mbr[id].name);
		adopt_dnat_retire(rt, id);
		err = xlb_maps_member_clear(rt->maps, id);
		if (!err)
			err = xlb_maps_mbr_info_set(rt->maps, id, &empty_mbr);
		if (err)
			rt_error(rt, err, "member %s of the earlier run: cannot remove it",
				 rt->adopt_mbr[id].name);
		rt->member_used[id] = false;
	}
	for (uint32_t id = 0; id < XLB_MAX_SERVICES; id++) {
		if (!rt->adopt_svc[id].in_use || rt->services[id])
			continue;
		err = rt_key_in_use(rt->services, &rt->adopt_svc[id].key)
			      ? 0
			      : xlb_maps_service_delete(rt->maps, &rt->adopt_svc[id].key);
		if (!err)
			err = xlb_maps_svc_info_set(rt->maps, id, &empty_svc);
		if (err)
			rt_error(rt, err, "service %s of the earlier run: cannot remove it",
				 rt->adopt_svc[id].name);
	}
	rt_member_ids_rebuild(rt);
	free(rt->adopt_svc);
	free(rt->adopt_mbr);
	rt->adopt_svc = NULL;
	rt->adopt_mbr = NULL;
}
