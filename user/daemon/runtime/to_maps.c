// SPDX-License-Identifier: MIT
/* The running state in the maps: members, services (through
 * daemon/publish.c, the one publish path) and the lines of `xlb status`. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>

#include "lib/log.h"
#include "dp/maps.h"
#include "daemon/publish.h"
#include "daemon/sorry_page.h"
#include "daemon/runtime/state.h"

void rt_svc_key(const struct cfg_service *s, struct xlb_svc_key *k)
{
	memset(k, 0, sizeof(*k));
	addr_to_abi(&s->vip, &k->vip, &k->family);
	k->port = htons(s->port);
	k->proto = s->protocol;
}

static void svc_value(const struct rt_service *s, struct xlb_service *v)
{
	memset(v, 0, sizeof(*v));
	v->id = s->id;
	v->scheduler = (__u8)s->cfg->sched;
	v->maglev = s->maglev;
	v->forwarding = (__u8)s->cfg->fwd;
	v->on_empty = (__u8)s->cfg->on_empty;
	v->sorry_member = s->sorry_id == UINT32_MAX ? XLB_SORRY_BUILTIN : s->sorry_id;
}

/* on_empty sorry: the sorry_address as a member of its own, or the page
 * of the built-in responder.  Written on apply, before the service. */
int rt_sorry_publish(struct runtime *rt, const struct rt_service *s)
{
	struct xlb_sorry_page page;
	struct xlb_member v;
	__u8 family;
	int err;

	if (s->cfg->on_empty != XLB_ON_EMPTY_SORRY)
		return 0;
	if (s->sorry_id != UINT32_MAX) {
		memset(&v, 0, sizeof(v));
		addr_to_abi(&s->cfg->sorry_addr, &v.addr, &v.family);
		addr_to_abi(&s->sorry_snat, &v.snat, &family);
		v.port = htons(s->cfg->sorry_port);
		v.service_id = s->id;
		err = xlb_maps_member_set(rt->maps, s->sorry_id, &v);
		if (!err && s->cfg->fwd == XLB_FWD_DNAT)
			err = rt_dnat_publish(rt, s, s->sorry_id, &s->cfg->sorry_addr, s->cfg->sorry_port);
	} else {
		err = sorry_page_build(s->cfg->name, rt->sorry_secret, &page);
		if (!err)
			err = xlb_maps_sorry_set(rt->maps, s->id, &page);
	}
	if (err)
		return rt_error(rt, err, "%s: cannot publish the sorry answer", s->cfg->name);
	return 0;
}


/* nat with an snat pool: the pool's run in xlb_snat, written once per
 * apply before the service's members (which point into it).  Without it
 * the members send from the pool's first address alone. */
int rt_snat_pool_publish(struct runtime *rt, struct rt_service *s)
{
	const struct cfg_service *c = s->cfg;
	union xlb_ip addrs[XLB_MAX_SNAT_ADDRS];
	char first[INET6_ADDRSTRLEN];
	__u8 family = 0;
	int err;

	s->snat_first = 0;
	s->snat_n = 0;
	if (c->fwd != XLB_FWD_NAT || c->n_snat < 2)
		return 0;
	for (size_t i = 0; i < c->n_snat; i++)
		addr_to_abi(&c->snat[i], &addrs[i], &family);
	err = xlb_maps_snat_pool_add(rt->maps, addrs, (__u32)c->n_snat, family, &s->snat_first);
	if (err)
		return rt_error(rt, err, "%s: cannot publish its snat pool of %zu addresses (the data "
				"plane holds %d over all pools until 'xlb stop'); its members send "
				"from %s alone",
				c->name, c->n_snat, XLB_MAX_SNAT_ADDRS,
				addr_format(&c->snat[0], first, sizeof(first)));
	s->snat_n = (uint16_t)c->n_snat;
	return 0;
}

int rt_service_publish(struct runtime *rt, struct rt_service *s)
{
	static struct publish_member pm[XLB_MAX_MEMBERS_PER_SERVICE];
	struct publish_service ps = { .members = pm, .n_members = s->n_members };
	uint32_t n;
	int err;

	for (size_t i = 0; i < s->n_members; i++) {
		const struct rt_member *m = s->members[i];
		union xlb_ip addr;
		__u8 family;

		pm[i].id = m->id;
		pm[i].weight = m->hm ? publish_weight(health_member_state(m->hm), m->admin_drain,
						      m->weight)
				     : 0;
		addr_to_abi(&m->addr, &addr, &family);
		publish_member_key(&pm[i], m->name, &addr, family, m->port);
	}
	rt_svc_key(s->cfg, &ps.key);
	svc_value(s, &ps.value);
	snprintf(ps.info.name, sizeof(ps.info.name), "%s", s->cfg->name);
	ps.info.key = ps.key;
	ps.info.in_use = 1;
	ps.info.scheduler = ps.value.scheduler;
	ps.info.forwarding = ps.value.forwarding;
	ps.info.on_empty = ps.value.on_empty;
	rt_announce_service(rt, s, &ps.info, publish_serving(&ps));
	err = publish_service(rt->maps, &ps, &n);
	if (err)
		return rt_error(rt, err, "%s: cannot publish the service", s->cfg->name);
	log_debug("%s: published %u slot%s", s->cfg->name, n, n == 1 ? "" : "s");
	return 0;
}

int rt_member_publish(struct runtime *rt, const struct rt_member *m)
{
	struct xlb_member v;
	__u8 snat_family;
	int err;

	memset(&v, 0, sizeof(v));
	addr_to_abi(&m->addr, &v.addr, &v.family);
	addr_to_abi(&m->snat, &v.snat, &snat_family);
	v.port = htons(m->port);
	v.service_id = m->svc->id;
	v.flags = m->admin_drain ? XLB_MEMBER_F_DRAINING : 0;
	v.snat_first = m->svc->snat_first;
	v.snat_n = m->svc->snat_n;
	err = xlb_maps_member_set(rt->maps, m->id, &v);
	if (!err && m->svc->cfg->fwd == XLB_FWD_DNAT)
		err = rt_dnat_publish(rt, m->svc, m->id, &m->addr, m->port);
	if (err)
		return rt_error(rt, err, "%s: member %s: cannot publish", m->svc->cfg->name,
				m->name);
	rt_member_info_publish(rt, m, false);
	return 0;
}

static uint64_t unix_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The member's line in `xlb status`: written on publish, after every check
 * and on every state change. */
void rt_member_info_publish(struct runtime *rt, const struct rt_member *m, bool changed)
{
	struct xlb_mbr_info info, old;
	struct health_status st = { 0 };
	int err;

	memset(&info, 0, sizeof(info));
	snprintf(info.name, sizeof(info.name), "%s", m->name);
	addr_to_abi(&m->addr, &info.addr, &info.family);
	info.port = htons(m->port);
	info.check_type = (__u8)m->cfg->health.type;
	info.weight = m->weight;
	info.service_id = m->svc->id;
	info.order = m->order;
	info.rise = m->cfg->health.rise;
	info.fall = m->cfg->health.fall;
	if (m->hm) {
		health_get(m->hm, &st);
		info.state = (__u8)st.state;
		info.latency_us = st.last.latency_us;
		info.ok_run = st.ok_run;
		info.fail_run = st.fail_run;
		if (st.last.reason != HEALTH_R_NONE) {
			health_result_str(&st.last, info.last_check, sizeof(info.last_check));
			info.last_check_unix_ms = unix_ms();
		}
	}
	if (!xlb_maps_mbr_info_get(rt->maps, m->id, &old) && old.family != XLB_FAMILY_NONE) {
		info.state_since_unix_ms = old.state_since_unix_ms;
		if (!info.last_check_unix_ms) {
			info.last_check_unix_ms = old.last_check_unix_ms;
			memcpy(info.last_check, old.last_check, sizeof(info.last_check));
		}
	}
	if (changed || !info.state_since_unix_ms)
		info.state_since_unix_ms = unix_ms();
	err = xlb_maps_mbr_info_set(rt->maps, m->id, &info);
	if (err)
		rt_error(rt, err, "%s: member %s: cannot write its status", m->svc->cfg->name,
			 m->name);
}
