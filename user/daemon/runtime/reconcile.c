// SPDX-License-Identifier: MIT
/* A configuration made the running state: prepare everything that can
 * fail without touching what runs, then commit.  After the point of no
 * return every failure is reported through rt_error, never dropped. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "lib/log.h"
#include "dp/maps.h"
#include "daemon/backend.h"
#include "daemon/runtime/state.h"

static void member_free(struct runtime *rt, struct rt_member *m, bool release)
{
	if (!m)
		return;
	if (release) {
		if (m->hm)
			health_remove(m->hm);
		rt_member_id_free(rt, m->id);
	}
	free(m);
}

void rt_service_free(struct runtime *rt, struct rt_service *s, bool release)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_members; i++)
		member_free(rt, s->members[i], release);
	if (release && s->sorry_id != UINT32_MAX) {
		int err = xlb_maps_member_clear(rt->maps, s->sorry_id);

		if (err)
			rt_error(rt, err, "%s: cannot clear its sorry_address", s->cfg->name);
		rt_member_id_free(rt, s->sorry_id);
	}
	free(s->members);
	free(s);
}

static struct rt_member *find_member(const struct rt_service *old, const char *name,
				     const struct xlb_addr *addr, uint16_t port, size_t *at)
{
	for (size_t i = 0; old && i < old->n_members; i++) {
		struct rt_member *m = old->members[i];

		if (m && strcmp(m->name, name) == 0 && addr_equal(&m->addr, addr) &&
		    m->port == port) {
			*at = i;
			return m;
		}
	}
	return NULL;
}

static struct rt_service *find_service(struct runtime *rt, const struct cfg_service *c)
{
	for (uint32_t i = 0; i < XLB_MAX_SERVICES; i++) {
		struct rt_service *s = rt->services[i];

		if (s && strcmp(s->cfg->name, c->name) == 0 && addr_equal(&s->cfg->vip, &c->vip) &&
		    s->cfg->port == c->port && s->cfg->protocol == c->protocol)
			return s;
	}
	return NULL;
}

/* A maglev service keeps its table pair across reloads and restarts (an
 * adopted service reads it from its pinned value); a new one takes the
 * lowest pair no other maglev service holds.  The config validator keeps
 * their number within XLB_MAX_MAGLEV_SERVICES. */
static int maglev_slot(struct runtime *rt, const struct cfg_service *c,
		       const struct rt_service *old, int adopted,
		       struct rt_service *const *taken, uint32_t *out)
{
	bool used[XLB_MAX_MAGLEV_SERVICES] = { false };
	struct xlb_svc_key key;
	struct xlb_service cur;

	if (old && old->cfg->sched == XLB_SCHED_MAGLEV) {
		*out = old->maglev;
		return 0;
	}
	rt_svc_key(c, &key);
	if (adopted >= 0 && !xlb_maps_service_get(rt->maps, &key, &cur) &&
	    cur.scheduler == XLB_SCHED_MAGLEV && cur.maglev < XLB_MAX_MAGLEV_SERVICES) {
		*out = cur.maglev;
		return 0;
	}
	for (uint32_t id = 0; id < XLB_MAX_SERVICES; id++) {
		const struct rt_service *a = rt->services[id], *b = taken[id];

		if (a && a->cfg->sched == XLB_SCHED_MAGLEV && a != old)
			used[a->maglev] = true;
		if (b && b->cfg->sched == XLB_SCHED_MAGLEV)
			used[b->maglev] = true;
	}
	for (uint32_t i = 0; i < XLB_MAX_MAGLEV_SERVICES; i++) {
		if (!used[i]) {
			*out = i;
			return 0;
		}
	}
	log_err("%s: more than %d maglev services", c->name, XLB_MAX_MAGLEV_SERVICES);
	return -ENOSPC;
}

/* Pairs each new backend with the running one it continues (same service,
 * name, address and port), or prepares a new one.  Nothing outside the new
 * structures is changed here, so a failure leaves the running state whole. */
static int build_service(struct runtime *rt, const struct cfg_service *c,
			 struct rt_service *const *taken, struct rt_service **out,
			 struct rt_service **old_out)
{
	struct rt_service *old = find_service(rt, c), *s;
	struct xlb_addr addrs[64];
	int err = 0, adopted = -1;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->cfg = c;
	s->sorry_id = UINT32_MAX;
	if (c->on_empty == XLB_ON_EMPTY_SORRY && c->has_sorry) {
		err = rt_route_source(&c->sorry_addr, c->sorry_port, &s->sorry_snat);
		if (err) {
			log_err("%s: sorry_address: no route from this host (%s)", c->name,
				strerror(-err));
			goto fail;
		}
		if (c->n_snat)
			s->sorry_snat = c->snat[0];
	}
	if (old)
		s->id = old->id;
	else if ((adopted = rt_adopted_service_id(rt, c, taken)) >= 0)
		s->id = (uint32_t)adopted;
	else if ((err = rt_service_id_alloc(rt, taken, &s->id)))
		goto fail;
	if (c->sched == XLB_SCHED_MAGLEV && (err = maglev_slot(rt, c, old, adopted, taken, &s->maglev)))
		goto fail;
	for (size_t i = 0; i < c->n_members; i++) {
		const struct cfg_member *cm = &c->members[i];
		size_t n;

		err = resolve_member(c, cm, addrs, 64, &n);
		if (err)
			goto fail;
		for (size_t j = 0; j < n; j++) {
			struct rt_member *m = calloc(1, sizeof(*m)), **grown, *prev;

			if (!m) {
				err = -ENOMEM;
				goto fail;
			}
			grown = realloc(s->members, (s->n_members + 1) * sizeof(*grown));
			if (!grown) {
				free(m);
				err = -ENOMEM;
				goto fail;
			}
			s->members = grown;
			s->members[s->n_members++] = m;
			m->svc = s;
			m->cfg = cm;
			m->order = (uint32_t)(s->n_members - 1);
			m->addr = addrs[j];
			m->port = cm->port;
			m->weight = cm->weight;
			backend_name(cm, &addrs[j], m->name, sizeof(m->name));
			if (c->n_snat)
				m->snat = c->snat[0];
			else if ((err = rt_member_route(c, cm, &m->addr, &m->snat)))
				goto fail;
			prev = find_member(old, m->name, &m->addr, m->port, &m->carries_at);
			if (!prev && c->fwd == XLB_FWD_DSR)
				rt_dsr_warn(c, m);
			if (prev) {
				m->id = prev->id;
				m->carries = prev;
				m->admin_drain = prev->admin_drain;
			} else {
				m->id = UINT32_MAX; /* allocated on commit */
				if (adopted >= 0)
					rt_adopt_member(rt, m);
			}
		}
	}
	*out = s;
	*old_out = old;
	return 0;
fail:
	rt_service_free(rt, s, false);
	return err;
}

static int member_start(struct runtime *rt, struct rt_member *m, const struct cfg_service *c)
{
	struct health_member_spec spec = { 0 };
	struct sockaddr_storage ss;
	socklen_t len;
	char host[XLB_HOSTNAME_MAX];
	int err;

	if (!m->adopted) {
		err = rt_member_id_alloc(rt, &m->id);
		if (err)
			return err;
		err = xlb_maps_mbr_admin_set(rt->maps, m->id, XLB_ADMIN_ENABLED);
		if (err)
			return err;
	}
	len = addr_to_sockaddr(&m->addr, m->port, &ss);
	backend_host(m->cfg, &m->addr, host, sizeof(host));
	spec.service = c->name;
	spec.name = m->name;
	spec.addr = (struct sockaddr *)&ss;
	spec.addrlen = len;
	spec.user = m;
	spec.initial = m->adopted ? m->initial : XLB_HEALTH_PENDING;
	backend_health_params(&m->cfg->health, host, &spec.params);
	return health_add(rt->health, &spec, &m->hm);
}

/* A carried-over member: the running structure (which the health engine
 * knows by its cookie) takes the new settings and replaces the prepared
 * one. */
static struct rt_member *member_carry(struct rt_member *fresh, struct rt_member *was)
{
	struct health_params p;
	char host[XLB_HOSTNAME_MAX];

	was->svc = fresh->svc;
	was->cfg = fresh->cfg;
	was->weight = fresh->weight;
	was->snat = fresh->snat;
	was->order = fresh->order;
	backend_host(was->cfg, &was->addr, host, sizeof(host));
	backend_health_params(&was->cfg->health, host, &p);
	health_update(was->hm, &p);
	free(fresh);
	return was;
}

int runtime_apply(struct runtime *rt, struct xlb_config *cfg, bool reload)
{
	struct rt_service *next[XLB_MAX_SERVICES] = { 0 };
	struct rt_service *prev[XLB_MAX_SERVICES] = { 0 };
	struct xlb_config *old_cfg = rt->cfg;
	int err = 0;

	if (cfg->n_services > XLB_MAX_SERVICES)
		return -E2BIG;
	rt->apply_errors = 0;
	/* 1. Prepare: resolve, route, match; nothing running is touched. */
	for (size_t i = 0; i < cfg->n_services; i++) {
		struct rt_service *s, *old;

		err = build_service(rt, &cfg->services[i], next, &s, &old);
		if (err)
			goto fail;
		next[s->id] = s;
		prev[s->id] = old;
	}
	err = rt_dnat_check(next);
	if (err)
		goto fail;
	rt->apply_seq++;

	/* 2. Commit.  Carried-over members keep their structure, id and
	 * health state; new ones start PENDING. */
	rt_announce_config(rt, cfg);
	for (uint32_t id = 0; id < XLB_MAX_SERVICES; id++) {
		struct rt_service *s = next[id];

		for (size_t i = 0; s && i < s->n_members; i++) {
			struct rt_member *m = s->members[i], *was = m->carries;

			if (was) {
				prev[id]->members[m->carries_at] = NULL;
				s->members[i] = member_carry(m, was);
				if (reload && was->admin_drain) {
					err = xlb_maps_mbr_admin_set(rt->maps, was->id,
								     XLB_ADMIN_ENABLED);
					if (err)
						rt_error(rt, err, "%s: member %s: cannot lift its drain",
							 s->cfg->name, was->name);
					else
						log_info("%s: member %s: drain lifted by the reload",
							 s->cfg->name, was->name);
					was->admin_drain = err != 0;
				}
				continue;
			}
			err = member_start(rt, m, s->cfg);
			if (err)
				rt_error(rt, err, "%s: member %s: cannot start health checks (it gets "
					 "no traffic)", s->cfg->name, m->name);
		}
	}
	/* A sorry_address keeps its member id (and so its flows) across a
	 * reload that keeps it. */
	for (uint32_t id = 0; id < XLB_MAX_SERVICES; id++) {
		struct rt_service *s = next[id], *old = prev[id];

		if (!s || s->sorry_snat.family == 0)
			continue;
		if (old && old->sorry_id != UINT32_MAX &&
		    addr_equal(&old->cfg->sorry_addr, &s->cfg->sorry_addr) &&
		    old->cfg->sorry_port == s->cfg->sorry_port) {
			s->sorry_id = old->sorry_id;
			old->sorry_id = UINT32_MAX;
		} else if ((err = rt_member_id_alloc(rt, &s->sorry_id))) {
			rt_error(rt, err, "%s: no member id left for the sorry_address",
				 s->cfg->name);
			s->sorry_id = UINT32_MAX;
		}
	}
	/* Members first, so a slot table never names a member not yet set.  A
	 * member that could not start has no id and stays out. */
	for (uint32_t id = 0; id < XLB_MAX_SERVICES; id++) {
		if (!next[id])
			continue;
		rt_snat_pool_publish(rt, next[id]);
		for (size_t i = 0; i < next[id]->n_members; i++)
			if (next[id]->members[i]->hm)
				rt_member_publish(rt, next[id]->members[i]);
		rt_sorry_publish(rt, next[id]);
		rt_service_publish(rt, next[id]);
	}
	/* Gone services leave the data plane (unless a renamed one took their
	 * VIP); gone members left their slot table above and stop being
	 * checked.  Flows hold the rewritten addresses themselves, so the
	 * connections of a gone member go on until they end. */
	for (uint32_t id = 0; id < XLB_MAX_SERVICES; id++) {
		struct rt_service *old = rt->services[id];

		if (!old)
			continue;
		if (!next[id]) {
			struct xlb_svc_key key;

			rt_svc_key(old->cfg, &key);
			err = rt_key_in_use(next, &key) ? 0 : xlb_maps_service_delete(rt->maps, &key);
			if (!err)
				err = xlb_maps_svc_info_set(rt->maps, id, &(struct xlb_svc_info){ 0 });
			if (err)
				rt_error(rt, err, "%s: cannot remove the service", old->cfg->name);
			else
				log_info("%s: service removed", old->cfg->name);
		}
		for (size_t i = 0; i < old->n_members; i++) {
			struct rt_member *m = old->members[i];

			if (!m)
				continue;
			err = m->hm ? xlb_maps_member_clear(rt->maps, m->id) : 0;
			if (!err && m->hm)
				err = xlb_maps_mbr_info_set(rt->maps, m->id, &(struct xlb_mbr_info){ 0 });
			if (err)
				rt_error(rt, err, "%s: member %s: cannot remove it", old->cfg->name,
					 m->name);
			else
				log_info("%s: member %s removed; its connections drain",
					 old->cfg->name, m->name);
		}
		if (!next[id])
			rt_announce_gone(rt, id);
		rt_service_free(rt, old, true);
		rt->services[id] = NULL;
	}
	for (uint32_t id = 0; id < XLB_MAX_SERVICES; id++)
		rt->services[id] = next[id];
	rt_adopt_release(rt);
	rt_announce_commit(rt);
	rt_dnat_settle(rt);
	rt->cfg = cfg;
	if (old_cfg != cfg)
		config_free(old_cfg);
	rt->stats.applies++;
	if (rt->apply_errors) {
		rt->stats.applies_partial++;
		log_err("the configuration is in force with %u error%s (above): fix the cause "
			"and reload",
			rt->apply_errors, rt->apply_errors == 1 ? "" : "s");
	}
	return (int)rt->apply_errors;
fail:
	for (uint32_t id = 0; id < XLB_MAX_SERVICES; id++)
		rt_service_free(rt, next[id], false);
	return err;
}
