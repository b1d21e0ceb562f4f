// SPDX-License-Identifier: MIT
/* The running state told to the announce policy (daemon/announce.h): the
 * table and the link of each configuration, every service's serving
 * members as it is published, the services that go, and the up-delay
 * timer. */
#include <errno.h>
#include <string.h>

#include "lib/log.h"
#include "dp/maps.h"
#include "daemon/announce.h"
#include "daemon/announce_l2.h"
#include "daemon/runtime/state.h"

int rt_announce_init(struct runtime *rt, const struct announce_io *io)
{
	struct announce *a;
	int err = announce_new(io, &a);

	if (err)
		return err;
	announce_free(rt->announce);
	rt->announce = a;
	return rt->l2 ? 0 : announce_l2_new(rt->maps, NULL, &rt->l2);
}

int runtime_l2_sender(struct runtime *rt, const struct l2_sender *sender)
{
	struct announce_l2 *l;
	int err = announce_l2_new(rt->maps, sender, &l);

	if (err)
		return err;
	announce_l2_free(rt->l2);
	rt->l2 = l;
	return 0;
}

int runtime_l2_interfaces(struct runtime *rt, const struct l2_iface *ifaces, size_t n)
{
	int err = announce_l2_set_interfaces(rt->l2, ifaces, n);

	if (err)
		return log_errno(err, "cannot publish the interfaces' MACs (xlb_l2_ifaces)");
	return 0;
}

int runtime_announce_io(struct runtime *rt, const struct announce_io *io)
{
	return rt_announce_init(rt, io);
}

int runtime_announce_fd(const struct runtime *rt)
{
	return announce_fd(rt->announce);
}

/* The table an earlier run announced into (its pins say it): read first,
 * so that a restart with another table withdraws from the old one. */
static uint32_t adopted_table(const struct runtime *rt)
{
	for (uint32_t id = 0; rt->adopt_svc && id < XLB_MAX_SERVICES; id++)
		if (rt->adopt_svc[id].in_use && rt->adopt_svc[id].announce_table)
			return rt->adopt_svc[id].announce_table;
	return 0;
}

void rt_announce_config(struct runtime *rt, const struct xlb_config *cfg)
{
	uint32_t old = adopted_table(rt), table = cfg->global.announce.table;
	int err;

	if (!rt->cfg && old && old != table && (err = announce_set_table(rt->announce, old)))
		rt_error(rt, err, "table %u, the earlier run's announce table: its routes stay",
			 old);
	err = announce_set_table(rt->announce, table);
	if (err)
		rt_error(rt, err, "table %u, the announce table: routes already there are taken "
			 "for another program's", table);
	if (cfg->global.announce.l2)
		announce_l2_open_sender(rt->l2);
	/* The first apply without l2 takes back what an earlier run had the
	 * data plane answer. */
	else if (!rt->cfg && (err = announce_l2_withdraw_all(rt->l2)))
		rt_error(rt, err, "the VIPs answered on the link (xlb_l2_vips) stay");
	err = announce_set_link(rt->announce,
				cfg->global.announce.l2 ? announce_l2_link(rt->l2) : NULL);
	if (err)
		rt_error(rt, err, "the VIPs answered on the link (xlb_l2_vips)");
}

void rt_announce_service(struct runtime *rt, const struct rt_service *s,
			 struct xlb_svc_info *info, uint32_t serving)
{
	const struct cfg_service *c = s->cfg;
	const struct announce_params p = {
		/* A loopback VIP is reached from this host only. */
		.enabled = c->announce.enabled && !cfg_vip_is_local(c),
		.min_members = c->announce.min_members,
		.up_delay_ms = c->announce.up_delay_ms,
	};

	announce_service(rt->announce, s->id, c->name, &c->vip, &p, serving);
	announce_info(rt->announce, s->id, info);
}

void rt_announce_gone(struct runtime *rt, uint32_t id)
{
	announce_service_gone(rt->announce, id);
}

void rt_announce_commit(struct runtime *rt)
{
	unsigned failed = announce_commit(rt->announce);

	rt->stats.errors += failed;
	rt->apply_errors += failed;
}

/* An up-delay ended: the service's line in `xlb status` says so. */
static void info_refresh(uint32_t id, void *ctx)
{
	struct runtime *rt = ctx;
	struct xlb_svc_info info;
	int err;

	err = xlb_maps_svc_info_get(rt->maps, id, &info);
	if (!err) {
		announce_info(rt->announce, id, &info);
		err = xlb_maps_svc_info_set(rt->maps, id, &info);
	}
	if (err)
		rt_error(rt, err, "service id %u: cannot update its announce state", id);
}

void runtime_announce_tick(struct runtime *rt)
{
	announce_tick(rt->announce, info_refresh, rt);
	rt_announce_commit(rt);
}
