// SPDX-License-Identifier: MIT
#include "daemon/runtime.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"
#include "dp/maps.h"
#include "daemon/backend.h"
#include "daemon/slots.h"
#include "daemon/maglev.h"
#include "daemon/sorry_page.h"
#include "daemon/onlink.h"

_Static_assert(XLB_NAME_MAX + INET6_ADDRSTRLEN <= XLB_INFO_NAME_MAX,
	       "a hostname member's backend name fits the info map");

/* One backend: a member of the file, or one address of a hostname member
 * ("newrelic.com#142.251.33.110"). */
struct rt_member {
	struct rt_service *svc;
	char name[XLB_INFO_NAME_MAX]; /* XLB_NAME_MAX + "#" + an IPv6 address */
	const struct cfg_member *cfg; /* in the running config */
	struct xlb_addr addr;
	struct xlb_addr snat;
	uint16_t port;
	uint16_t weight;
	uint32_t id;
	uint32_t order; /* position in the service's pool */
	struct health_member *hm;
	bool admin_drain;
	/* Found in the pins of an earlier run: keep its id and start in the
	 * health state it had there. */
	bool adopted;
	enum xlb_health_state initial;
	/* Prepared by a reload: the running member this one continues, and
	 * its place in the old pool (taken from there on commit). */
	struct rt_member *carries;
	size_t carries_at;
};

struct rt_service {
	const struct cfg_service *cfg; /* in the running config */
	uint32_t id;
	uint32_t maglev; /* maglev services: its table pair in xlb_maglev */
	/* on_empty sorry with a sorry_address: a member of its own, never in
	 * the slot table and not health-checked (UINT32_MAX: none). */
	uint32_t sorry_id;
	struct xlb_addr sorry_snat;
	struct rt_member **members;
	size_t n_members;
};

struct runtime {
	bool resolve_failing; /* the last re-resolution failed (said once) */
	const struct xlb_maps *maps;
	struct health *health;
	struct xlb_config *cfg;
	struct rt_service *services[XLB_MAX_SERVICES]; /* by id */
	/* Free member ids, oldest first: an id is reused as late as possible,
	 * so counters of a removed member are not mixed with a new one's. */
	uint32_t free_ids[XLB_MAX_MEMBERS];
	size_t free_head, n_free;
	bool member_used[XLB_MAX_MEMBERS];
	/* What the pins said at start, until the first apply has taken what
	 * it continues (NULL afterwards). */
	struct xlb_svc_info *adopt_svc;
	struct xlb_mbr_info *adopt_mbr;
	uint32_t sorry_secret; /* keys the built-in responder's SYN-ACK cookies */
};

static void rt_health_changed(struct health_member *hm, const struct health_change *c,
			      void *ctx);
static void rt_health_result(struct health_member *hm, const struct health_result *r,
			     void *ctx);
static int adopt_read(struct runtime *rt);
static void member_info_publish(struct runtime *rt, const struct rt_member *m, bool changed);

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
	err = adopt_read(rt);
	if (!err)
		err = health_new(&hopts, &rt->health);
	if (err) {
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

static int member_id_alloc(struct runtime *rt, uint32_t *id)
{
	if (!rt->n_free)
		return -ENOSPC;
	*id = rt->free_ids[rt->free_head];
	rt->free_head = (rt->free_head + 1) % XLB_MAX_MEMBERS;
	rt->n_free--;
	rt->member_used[*id] = true;
	return 0;
}

static void member_id_free(struct runtime *rt, uint32_t id)
{
	if (!rt->member_used[id])
		return;
	rt->member_used[id] = false;
	rt->free_ids[(rt->free_head + rt->n_free) % XLB_MAX_MEMBERS] = id;
	rt->n_free++;
}

static int service_id_alloc(struct runtime *rt, struct rt_service *const *taken,
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
static void member_ids_rebuild(struct runtime *rt)
{
	rt->free_head = 0;
	rt->n_free = 0;
	for (uint32_t i = 0; i < XLB_MAX_MEMBERS; i++)
		if (!rt->member_used[i])
			rt->free_ids[rt->n_free++] = i;
}

/* Reads the names, ids and health of an earlier run from the pins.  Their
 * ids stay reserved until the first apply has matched them. */
static int adopt_read(struct runtime *rt)
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
	member_ids_rebuild(rt);
	if (n_svc)
		log_info("adopting the data plane of an earlier run: %zu service%s, %zu member%s",
			 n_svc, n_svc == 1 ? "" : "s", n_mbr, n_mbr == 1 ? "" : "s");
	return 0;
}

/* ---- conversions to the ABI ------------------------------------------- */

static void abi_addr(const struct xlb_addr *a, union xlb_ip *out, __u8 *family)
{
	memset(out, 0, sizeof(*out));
	if (a->family == AF_INET) {
		out->v4 = a->v4.s_addr;
		*family = XLB_FAMILY_IPV4;
	} else {
		memcpy(out->bytes, &a->v6, 16);
		*family = XLB_FAMILY_IPV6;
	}
}

static void svc_key(const struct cfg_service *s, struct xlb_svc_key *k)
{
	memset(k, 0, sizeof(*k));
	abi_addr(&s->vip, &k->vip, &k->family);
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

/* The address the kernel would send from to reach the member: connecting
 * a UDP socket routes it without sending anything. */
static int route_source(const struct xlb_addr *dst, uint16_t port, struct xlb_addr *src)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, err = 0;

	len = addr_to_sockaddr(dst, port, &ss);
	fd = socket(dst->family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&ss, len) ||
	    getsockname(fd, (struct sockaddr *)&ss, &len)) {
		err = -errno;
		goto out;
	}
	src->family = dst->family;
	if (dst->family == AF_INET)
		src->v4 = ((struct sockaddr_in *)&ss)->sin_addr;
	else
		src->v6 = ((struct sockaddr_in6 *)&ss)->sin6_addr;
out:
	close(fd);
	return err;
}

/* ---- publishing ---------------------------------------------------------- */

static bool member_serving(const struct rt_member *m)
{
	return m->hm && health_member_serving(m->hm) && !m->admin_drain;
}

static int service_info_publish(struct runtime *rt, const struct rt_service *s,
				const struct xlb_svc_key *key, const struct xlb_service *val,
				uint32_t n_slots)
{
	struct xlb_svc_info info;
	uint32_t serving = 0;

	for (size_t i = 0; i < s->n_members; i++)
		serving += member_serving(s->members[i]) && s->members[i]->weight;
	memset(&info, 0, sizeof(info));
	snprintf(info.name, sizeof(info.name), "%s", s->cfg->name);
	info.key = *key;
	info.in_use = 1;
	info.scheduler = val->scheduler;
	info.forwarding = val->forwarding;
	info.on_empty = val->on_empty;
	info.n_members = (uint32_t)s->n_members;
	info.n_serving = n_slots ? serving : 0;
	return xlb_maps_svc_info_set(rt->maps, s->id, &info);
}

/* The service's Maglev table from its serving members, written into the
 * copy of its table pair that the publish that follows makes live. */
static int maglev_stage(struct runtime *rt, const struct rt_service *s,
			const struct xlb_svc_key *key)
{
	static uint32_t table[XLB_MAGLEV_SIZE];
	struct maglev_member *mm = calloc(s->n_members ? s->n_members : 1, sizeof(*mm));
	char (*keys)[XLB_INFO_NAME_MAX + INET6_ADDRSTRLEN + 8];
	char addr[INET6_ADDRSTRLEN];
	int err = -ENOMEM;

	keys = calloc(s->n_members ? s->n_members : 1, sizeof(*keys));
	if (!mm || !keys)
		goto out;
	for (size_t i = 0; i < s->n_members; i++) {
		const struct rt_member *m = s->members[i];

		maglev_key(keys[i], sizeof(keys[i]), m->name, addr_format(&m->addr, addr, sizeof(addr)),
			   m->port);
		mm[i].key = keys[i];
		mm[i].id = m->id;
		mm[i].weight = member_serving(m) ? m->weight : 0;
	}
	err = maglev_build(mm, s->n_members, table, XLB_MAGLEV_SIZE);
	if (!err)
		err = xlb_maps_maglev_stage(rt->maps, key, s->maglev, table);
	if (err)
		log_err("%s: cannot publish the maglev table: %s", s->cfg->name, strerror(-err));
out:
	free(keys);
	free(mm);
	return err;
}

/* on_empty sorry: the sorry_address as a member of its own, or the page
 * of the built-in responder. */
static int sorry_publish(struct runtime *rt, const struct rt_service *s)
{
	struct xlb_sorry_page page;
	struct xlb_member v;
	__u8 family;
	int err;

	if (s->sorry_id != UINT32_MAX) {
		memset(&v, 0, sizeof(v));
		abi_addr(&s->cfg->sorry_addr, &v.addr, &v.family);
		abi_addr(&s->sorry_snat, &v.snat, &family);
		v.port = htons(s->cfg->sorry_port);
		v.service_id = s->id;
		err = xlb_maps_member_set(rt->maps, s->sorry_id, &v);
		if (!err && s->cfg->fwd == XLB_FWD_DNAT)
			err = xlb_maps_reply_port_mark(rt->maps, s->cfg->sorry_port, s->cfg->protocol);
	} else {
		err = sorry_page_build(s->cfg->name, rt->sorry_secret, &page);
		if (!err)
			err = xlb_maps_sorry_set(rt->maps, s->id, &page);
	}
	if (err)
		log_err("%s: cannot publish the sorry answer: %s", s->cfg->name, strerror(-err));
	return err;
}

static int service_publish(struct runtime *rt, struct rt_service *s)
{
	struct slot_member sm[XLB_MAX_MEMBERS_PER_SERVICE];
	static uint32_t slots[XLB_MAX_SLOTS];
	struct xlb_svc_key key;
	struct xlb_service val;
	int n, err;

	for (size_t i = 0; i < s->n_members; i++) {
		sm[i].id = s->members[i]->id;
		sm[i].weight = member_serving(s->members[i]) ? s->members[i]->weight : 0;
	}
	if (s->cfg->sched == XLB_SCHED_WRR)
		n = slots_weighted(sm, s->n_members, slots, XLB_MAX_SLOTS);
	else
		n = slots_round_robin(sm, s->n_members, slots, XLB_MAX_SLOTS);
	if (n < 0) {
		log_err("%s: cannot build the slot table: %s", s->cfg->name, strerror(-n));
		return n;
	}
	svc_key(s->cfg, &key);
	svc_value(s, &val);
	if (s->cfg->sched == XLB_SCHED_MAGLEV && (err = maglev_stage(rt, s, &key)))
		return err;
	if (s->cfg->on_empty == XLB_ON_EMPTY_SORRY && (err = sorry_publish(rt, s)))
		return err;
	err = xlb_maps_service_publish(rt->maps, &key, &val, slots, (__u32)n);
	if (err) {
		log_err("%s: cannot publish the service: %s", s->cfg->name, strerror(-err));
		return err;
	}
	log_debug("%s: published %d slot%s", s->cfg->name, n, n == 1 ? "" : "s");
	return service_info_publish(rt, s, &key, &val, (uint32_t)n);
}

static int member_publish(struct runtime *rt, const struct rt_member *m)
{
	struct xlb_member v;
	__u8 snat_family;
	int err;

	memset(&v, 0, sizeof(v));
	abi_addr(&m->addr, &v.addr, &v.family);
	abi_addr(&m->snat, &v.snat, &snat_family);
	v.port = htons(m->port);
	v.service_id = m->svc->id;
	v.flags = m->admin_drain ? XLB_MEMBER_F_DRAINING : 0;
	err = xlb_maps_member_set(rt->maps, m->id, &v);
	if (!err && m->svc->cfg->fwd == XLB_FWD_DNAT)
		err = xlb_maps_reply_port_mark(rt->maps, m->port, m->svc->cfg->protocol);
	if (err) {
		log_err("%s: member %s: cannot publish: %s", m->svc->cfg->name, m->name,
			strerror(-err));
		return err;
	}
	member_info_publish(rt, m, false);
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
static void member_info_publish(struct runtime *rt, const struct rt_member *m, bool changed)
{
	struct xlb_mbr_info info, old;
	struct health_status st = { 0 };

	memset(&info, 0, sizeof(info));
	snprintf(info.name, sizeof(info.name), "%s", m->name);
	abi_addr(&m->addr, &info.addr, &info.family);
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
	xlb_maps_mbr_info_set(rt->maps, m->id, &info);
}

static void rt_health_result(struct health_member *hm, const struct health_result *r,
			     void *ctx)
{
	member_info_publish(ctx, health_member_user(hm), false);
}

static void rt_health_changed(struct health_member *hm, const struct health_change *c,
			      void *ctx)
{
	struct runtime *rt = ctx;
	struct rt_member *m = health_member_user(hm);
	char line[512];

	health_format_change(line, sizeof(line), hm, c);
	if (c->to == XLB_HEALTH_UP)
		log_info("%s", line);
	else
		log_warn("%s", line);
	member_info_publish(rt, m, true);
	if ((c->from == XLB_HEALTH_UP) != (c->to == XLB_HEALTH_UP))
		service_publish(rt, m->svc);
}

/* ---- building a new state from a configuration -------------------------- */

static void member_free(struct runtime *rt, struct rt_member *m, bool release)
{
	if (!m)
		return;
	if (release) {
		if (m->hm)
			health_remove(m->hm);
		member_id_free(rt, m->id);
	}
	free(m);
}

static void service_free(struct runtime *rt, struct rt_service *s, bool release)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_members; i++)
		member_free(rt, s->members[i], release);
	if (release && s->sorry_id != UINT32_MAX) {
		xlb_maps_member_clear(rt->maps, s->sorry_id);
		member_id_free(rt, s->sorry_id);
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

/* A service of the earlier run's pins with the same name and VIP: its id,
 * or -1. */
static int adopted_service_id(const struct runtime *rt, const struct cfg_service *c,
			      struct rt_service *const *taken)
{
	struct xlb_svc_key key;

	if (!rt->adopt_svc)
		return -1;
	svc_key(c, &key);
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
static void adopt_member(struct runtime *rt, struct rt_member *m)
{
	union xlb_ip addr;
	__u8 family;

	if (!rt->adopt_mbr)
		return;
	abi_addr(&m->addr, &addr, &family);
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

/* The balancer's source toward one address of a member; an unroutable
 * member is an error that names it. */
static int member_route(const struct cfg_service *c, const struct cfg_member *cm,
			const struct xlb_addr *addr, struct xlb_addr *src)
{
	char name[XLB_INFO_NAME_MAX], text[XLB_ADDR_PORT_STRLEN];
	int err = route_source(addr, cm->port, src);

	if (err) {
		backend_name(cm, addr, name, sizeof(name));
		log_err("%s: member %s %s: no route from this host (%s); add a route or fix "
			"the address",
			c->name, name, addr_format_port(addr, cm->port, text, sizeof(text)),
			strerror(-err));
	}
	return err;
}

/* dsr rewrites only the destination MAC: a member must be on a link of
 * this host, or its frames would go to a router.  What the member must do
 * itself (the VIP on loopback, arp_ignore/arp_announce) cannot be seen from
 * here; the log says where it is written. */
static void dsr_warn(const struct cfg_service *c, const struct rt_member *m)
{
	char ifname[IF_NAMESIZE], text[XLB_ADDR_PORT_STRLEN];

	if (addr_on_link(&m->addr, ifname))
		return;
	log_warn("%s: member %s %s is in no subnet of this host's interfaces: forwarding dsr "
		 "only rewrites the destination MAC, so the member must share an L2 segment "
		 "with xlb (docs/operations.md)",
		 c->name, m->name, addr_format_port(&m->addr, m->port, text, sizeof(text)));
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
	svc_key(c, &key);
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
		err = route_source(&c->sorry_addr, c->sorry_port, &s->sorry_snat);
		if (err) {
			log_err("%s: sorry_address: no route from this host (%s)", c->name,
				strerror(-err));
			goto fail;
		}
		if (c->has_snat)
			s->sorry_snat = c->snat;
	}
	if (old)
		s->id = old->id;
	else if ((adopted = adopted_service_id(rt, c, taken)) >= 0)
		s->id = (uint32_t)adopted;
	else if ((err = service_id_alloc(rt, taken, &s->id)))
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
			if (c->has_snat)
				m->snat = c->snat;
			else if ((err = member_route(c, cm, &m->addr, &m->snat)))
				goto fail;
			prev = find_member(old, m->name, &m->addr, m->port, &m->carries_at);
			if (!prev && c->fwd == XLB_FWD_DSR)
				dsr_warn(c, m);
			if (prev) {
				m->id = prev->id;
				m->carries = prev;
				m->admin_drain = prev->admin_drain;
			} else {
				m->id = UINT32_MAX; /* allocated on commit */
				if (adopted >= 0)
					adopt_member(rt, m);
			}
		}
	}
	*out = s;
	*old_out = old;
	return 0;
fail:
	service_free(rt, s, false);
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
		err = member_id_alloc(rt, &m->id);
		if (err)
			return err;
		xlb_maps_mbr_admin_set(rt->maps, m->id, XLB_ADMIN_ENABLED);
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

static bool key_in_use(struct rt_service *const *services, const struct xlb_svc_key *key);

/* After the first apply: what the earlier run had and this configuration
 * does not continue leaves the maps (its flows go on, as on a reload). */
static void adopt_release(struct runtime *rt)
{
	struct xlb_svc_info empty_svc;
	struct xlb_mbr_info empty_mbr;

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
		xlb_maps_member_clear(rt->maps, id);
		xlb_maps_mbr_info_set(rt->maps, id, &empty_mbr);
		rt->member_used[id] = false;
	}
	for (uint32_t id = 0; id < XLB_MAX_SERVICES; id++) {
		if (!rt->adopt_svc[id].in_use || rt->services[id])
			continue;
		if (!key_in_use(rt->services, &rt->adopt_svc[id].key))
			xlb_maps_service_delete(rt->maps, &rt->adopt_svc[id].key);
		xlb_maps_svc_info_set(rt->maps, id, &empty_svc);
	}
	member_ids_rebuild(rt);
	free(rt->adopt_svc);
	free(rt->adopt_mbr);
	rt->adopt_svc = NULL;
	rt->adopt_mbr = NULL;
}

static bool key_in_use(struct rt_service *const *services, const struct xlb_svc_key *key)
{
	for (uint32_t id = 0; id < XLB_MAX_SERVICES; id++) {
		struct xlb_svc_key k;

		if (!services[id])
			continue;
		svc_key(services[id]->cfg, &k);
		if (memcmp(&k, key, sizeof(k)) == 0)
			return true;
	}
	return false;
}

int runtime_preflight(const struct xlb_config *cfg)
{
	struct xlb_addr addrs[64], src;
	int err = 0;

	for (size_t i = 0; i < cfg->n_services; i++) {
		const struct cfg_service *c = &cfg->services[i];
		int e = 0;

		for (size_t j = 0; j < c->n_members; j++) {
			size_t n;

			e = resolve_member(c, &c->members[j], addrs, 64, &n);
			for (size_t k = 0; !e && !c->has_snat && k < n; k++)
				e = member_route(c, &c->members[j], &addrs[k], &src);
			if (e)
				err = e;
			e = 0;
		}
	}
	return err;
}

int runtime_apply(struct runtime *rt, struct xlb_config *cfg, bool reload)
{
	struct rt_service *next[XLB_MAX_SERVICES] = { 0 };
	struct rt_service *prev[XLB_MAX_SERVICES] = { 0 };
	struct xlb_config *old_cfg = rt->cfg;
	int err = 0;

	if (cfg->n_services > XLB_MAX_SERVICES)
		return -E2BIG;
	/* 1. Prepare: resolve, route, match; nothing running is touched. */
	for (size_t i = 0; i < cfg->n_services; i++) {
		struct rt_service *s, *old;

		err = build_service(rt, &cfg->services[i], next, &s, &old);
		if (err)
			goto fail;
		next[s->id] = s;
		prev[s->id] = old;
	}

	/* 2. Commit.  Carried-over members keep their structure, id and
	 * health state; new ones start PENDING. */
	for (uint32_t id = 0; id < XLB_MAX_SERVICES; id++) {
		struct rt_service *s = next[id];

		for (size_t i = 0; s && i < s->n_members; i++) {
			struct rt_member *m = s->members[i], *was = m->carries;

			if (was) {
				prev[id]->members[m->carries_at] = NULL;
				s->members[i] = member_carry(m, was);
				if (reload && was->admin_drain) {
					xlb_maps_mbr_admin_set(rt->maps, was->id, XLB_ADMIN_ENABLED);
					log_info("%s: member %s: drain lifted by the reload",
						 s->cfg->name, was->name);
					was->admin_drain = false;
				}
				continue;
			}
			err = member_start(rt, m, s->cfg);
			if (err)
				log_err("%s: member %s: cannot start health checks: %s",
					s->cfg->name, m->name, strerror(-err));
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
		} else if ((err = member_id_alloc(rt, &s->sorry_id))) {
			log_err("%s: no member id left for the sorry_address", s->cfg->name);
			s->sorry_id = UINT32_MAX;
		}
	}
	/* Members first, so a slot table never names a member not yet set. */
	for (uint32_t id = 0; id < XLB_MAX_SERVICES; id++) {
		for (size_t i = 0; next[id] && i < next[id]->n_members; i++)
			member_publish(rt, next[id]->members[i]);
		if (next[id])
			service_publish(rt, next[id]);
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

			svc_key(old->cfg, &key);
			if (!key_in_use(next, &key))
				xlb_maps_service_delete(rt->maps, &key);
			xlb_maps_svc_info_set(rt->maps, id, &(struct xlb_svc_info){ 0 });
			log_info("%s: service removed", old->cfg->name);
		}
		for (size_t i = 0; i < old->n_members; i++) {
			struct rt_member *m = old->members[i];

			if (!m)
				continue;
			log_info("%s: member %s removed; its connections drain", old->cfg->name,
				 m->name);
			xlb_maps_member_clear(rt->maps, m->id);
			xlb_maps_mbr_info_set(rt->maps, m->id, &(struct xlb_mbr_info){ 0 });
		}
		service_free(rt, old, true);
		rt->services[id] = NULL;
	}
	for (uint32_t id = 0; id < XLB_MAX_SERVICES; id++)
		rt->services[id] = next[id];
	adopt_release(rt);
	rt->cfg = cfg;
	if (old_cfg != cfg)
		config_free(old_cfg);
	return 0;
fail:
	for (uint32_t id = 0; id < XLB_MAX_SERVICES; id++)
		service_free(rt, next[id], false);
	return err;
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
			member_publish(rt, m);
			dirty = true;
		}
		if (dirty)
			service_publish(rt, s);
	}
	return 0;
}

void runtime_free(struct runtime *rt)
{
	if (!rt)
		return;
	for (uint32_t id = 0; id < XLB_MAX_SERVICES; id++)
		service_free(rt, rt->services[id], false);
	free(rt->adopt_svc);
	free(rt->adopt_mbr);
	health_free(rt->health);
	config_free(rt->cfg);
	free(rt);
}
