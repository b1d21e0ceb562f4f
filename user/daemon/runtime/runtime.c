// SPDX-License-Identifier: MIT
/* The runtime's life cycle and what moves it between applies: health
 * changes, `xlb drain|enable`, re-resolution of hostnames. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>

#include "lib/log.h"
#include "dp/maps.h"
#include "daemon/announce.h"
#include "daemon/announce_l2.h"
#include "daemon/backend.h"
#include "daemon/runtime/state.h"

static void rt_health_changed(struct health_member *hm, const struct health_change *c,
			      void *ctx);
static void rt_health_result(struct health_member *hm, const struct health_result *r,
			     void *ctx);

int runtime_new(const struct xlb_maps *maps, struct runtime **out)
{
	struct health_opts hopts = { .on_change = rt_health_changed,
				     .on_result = rt_health_result };
	struct runtime *rt = calloc(1, sizeof(*rt));
	int err;

	if (!rt)
		return -ENOMEM;
	rt->maps = maps;
	for (uint32_t i = 0; i < XLB_MAX_MEMBERS; i++)
		rt->free_ids[i] = i;
	rt->n_free = XLB_MAX_MEMBERS;
	hopts.ctx = rt;
	if (getrandom(&rt->sorry_secret, sizeof(rt->sorry_secret), 0) != sizeof(rt->sorry_secret))
		rt->sorry_secret = (uint32_t)time(NULL) ^ (uint32_t)getpid();
	rt->sorry_secret |= 1; /* never 0: 0 marks an unset page */
	err = rt_adopt_read(rt);
	if (!err)
		err = health_new(&hopts, &rt->health);
	if (!err)
		err = rt_announce_init(rt, NULL);
	if (err) {
		health_free(rt->health);
		free(rt->adopt_svc);
		free(rt->adopt_mbr);
		free(rt);
		return err;
	}
	*out = rt;
	return 0;
}

struct health *runtime_health(struct runtime *rt)
{
	return rt->health;
}

const struct xlb_config *runtime_config(const struct runtime *rt)
{
	return rt ? rt->cfg : NULL;
}

const struct runtime_stats *runtime_stats(const struct runtime *rt)
{
	return &rt->stats;
}

int rt_error(struct runtime *rt, int err, const char *fmt, ...)
{
	char what[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	rt->stats.errors++;
	rt->apply_errors++;
	return log_errno(err, "%s", what);
}

static void rt_health_result(struct health_member *hm, const struct health_result *r,
			     void *ctx)
{
	rt_member_info_publish(ctx, health_member_user(hm), false);
}

static void rt_health_changed(struct health_member *hm, const struct health_change *c,
			      void *ctx)
{
	struct runtime *rt = ctx;
	struct rt_member *m = health_member_user(hm);
	char line[512], addr[INET6_ADDRSTRLEN + 8];
	const struct log_field fields[] = {
		{ "service", m->svc->cfg->name },
		{ "member", m->name },
		{ "address", health_addr_str(health_member_addr(hm), addr, sizeof(addr)) },
		{ "state", xlb_health_str(c->to) },
		{ "previous_state", xlb_health_str(c->from) },
	};

	/* A member leaving UP is what an operator must see: a warning, so
	 * that 'journalctl -p warning' shows it. */
	health_format_change(line, sizeof(line), hm, c);
	log_fields(c->to == XLB_HEALTH_UP ? LOG_LVL_INFO : LOG_LVL_WARN, fields,
		   sizeof(fields) / sizeof(fields[0]), "%s", line);
	rt_member_info_publish(rt, m, true);
	if ((c->from == XLB_HEALTH_UP) != (c->to == XLB_HEALTH_UP)) {
		rt_service_publish(rt, m->svc);
		rt_announce_commit(rt);
	}
}

/* Re-applying the running configuration resolves every hostname again:
 * addresses that stay keep their health state, new ones join after their
 * first good check, vanished ones drain.  A failed resolution fails the
 * whole apply, so the last good set stays. */
int runtime_resolve(struct runtime *rt)
{
	bool any = false;
	int err;

	for (size_t i = 0; rt->cfg && i < rt->cfg->n_services; i++)
		for (size_t j = 0; j < rt->cfg->services[i].n_members; j++)
			any |= rt->cfg->services[i].members[j].is_hostname;
	if (!any)
		return 0;
	resolve_set_quiet(rt->resolve_failing);
	err = runtime_apply(rt, rt->cfg, false);
	resolve_set_quiet(false);
	if (err > 0)
		err = 0; /* in force; the errors are logged */
	if (err && !rt->resolve_failing)
		log_warn("re-resolving hostname members failed; keeping the last good "
			 "addresses and retrying every %s (quietly: -v shows each try)",
			 cfg_format_duration(rt->cfg->global.resolve_interval_ms,
					     (char[16]){ 0 }, 16));
	else if (!err && rt->resolve_failing)
		log_info("hostname members resolve again");
	rt->resolve_failing = err != 0;
	return err;
}

int runtime_sync_admin(struct runtime *rt)
{
	for (uint32_t id = 0; id < XLB_MAX_SERVICES; id++) {
		struct rt_service *s = rt->services[id];
		bool dirty = false;

		for (size_t i = 0; s && i < s->n_members; i++) {
			struct rt_member *m = s->members[i];
			bool drain = xlb_maps_mbr_admin_get(rt->maps, m->id) == XLB_ADMIN_DRAIN;

			if (drain == m->admin_drain)
				continue;
			m->admin_drain = drain;
			log_info("%s: member %s %s by the operator", s->cfg->name, m->name,
				 drain ? "drained (no new connections)" : "enabled");
			rt_member_publish(rt, m);
			dirty = true;
		}
		if (dirty)
			rt_service_publish(rt, s);
	}
	rt_announce_commit(rt);
	return 0;
}

void runtime_free(struct runtime *rt)
{
	if (!rt)
		return;
	for (uint32_t id = 0; id < XLB_MAX_SERVICES; id++)
		rt_service_free(rt, rt->services[id], false);
	free(rt->adopt_svc);
	free(rt->adopt_mbr);
	free(rt->dnat);
	health_free(rt->health);
	announce_free(rt->announce);
	announce_l2_free(rt->l2);
	config_free(rt->cfg);
	free(rt);
}
