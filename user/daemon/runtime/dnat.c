// SPDX-License-Identifier: MIT
/* The dnat reply map (xlb_dnat_rev): a dnat member's replies are turned
 * back into the VIP's by their source (address, port, protocol) alone, on
 * any node.  An entry is written whenever its member is published and
 * replaced when its key goes to another service.  A member that leaves
 * (removed, its service gone or no longer dnat) keeps its entry while its
 * connections go on: the entry is retired, and deleted once a census
 * taken after the retirement counts no connection of that member id. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "lib/log.h"
#include "dp/maps.h"
#include "daemon/runtime/state.h"

void rt_dnat_key(const struct xlb_addr *addr, uint16_t port, uint8_t proto,
		 struct xlb_dnat_rev_key *k)
{
	memset(k, 0, sizeof(*k));
	addr_to_abi(addr, &k->addr, &k->family);
	k->port = htons(port);
	k->proto = proto;
}

static struct rt_dnat *dnat_find(struct runtime *rt, const struct xlb_dnat_rev_key *k)
{
	for (size_t i = 0; i < rt->n_dnat; i++)
		if (memcmp(&rt->dnat[i].key, k, sizeof(*k)) == 0)
			return &rt->dnat[i];
	return NULL;
}

static struct rt_dnat *dnat_add(struct runtime *rt, const struct xlb_dnat_rev_key *k)
{
	struct rt_dnat *d = dnat_find(rt, k);

	if (d)
		return d;
	if (rt->n_dnat == rt->cap_dnat) {
		size_t cap = rt->cap_dnat ? rt->cap_dnat * 2 : 16;
		struct rt_dnat *grown = realloc(rt->dnat, cap * sizeof(*grown));

		if (!grown)
			return NULL;
		rt->dnat = grown;
		rt->cap_dnat = cap;
	}
	d = &rt->dnat[rt->n_dnat++];
	memset(d, 0, sizeof(*d));
	d->key = *k;
	return d;
}

int rt_dnat_publish(struct runtime *rt, const struct rt_service *s, uint32_t member_id,
		    const struct xlb_addr *addr, uint16_t port)
{
	struct xlb_dnat_rev_key k;
	struct xlb_dnat_rev v;
	struct rt_dnat *d;
	int err;

	rt_dnat_key(addr, port, s->cfg->protocol, &k);
	memset(&v, 0, sizeof(v));
	addr_to_abi(&s->cfg->vip, &v.vip, &v.family);
	v.vip_port = htons(s->cfg->port);
	v.service_id = s->id;
	v.member_id = member_id;
	d = dnat_add(rt, &k);
	if (!d)
		return -ENOMEM;
	err = xlb_maps_dnat_rev_set(rt->maps, &k, &v);
	if (err)
		return err;
	d->member_id = member_id;
	d->service_id = s->id;
	d->apply = rt->apply_seq;
	d->retired = false;
	return 0;
}

bool rt_dnat_published(struct runtime *rt, const struct xlb_dnat_rev_key *k)
{
	const struct rt_dnat *d = dnat_find(rt, k);

	return d && !d->retired;
}

void rt_dnat_retire(struct runtime *rt, const struct xlb_dnat_rev_key *k, uint32_t member_id)
{
	struct xlb_dp_state st = { 0 };
	struct rt_dnat *d = dnat_add(rt, k);

	if (!d) {
		rt_error(rt, -ENOMEM, "cannot keep track of a dnat reply entry; it stays until "
			 "'xlb stop'");
		return;
	}
	/* A sweep under way may have counted before the member left: the
	 * census that may delete the entry is one whose sweep began after. */
	xlb_maps_dp_state(rt->maps, &st);
	d->member_id = member_id;
	d->retired = true;
	d->retired_gen = st.census_gen;
}

/* After an apply: the entries it did not publish again are retired. */
void rt_dnat_settle(struct runtime *rt)
{
	for (size_t i = 0; i < rt->n_dnat; i++) {
		struct rt_dnat *d = &rt->dnat[i];

		if (!d->retired && d->apply != rt->apply_seq)
			rt_dnat_retire(rt, &d->key, d->member_id);
	}
}

bool runtime_dnat_waiting(const struct runtime *rt)
{
	for (size_t i = 0; i < rt->n_dnat; i++)
		if (rt->dnat[i].retired)
			return true;
	return false;
}

static bool member_idle(const struct xlb_census_count *c)
{
	return !c->established && !c->closing && !c->half_open && !c->udp && !c->nat_ports;
}

size_t runtime_census(struct runtime *rt, const struct xlb_census *c,
		      const struct xlb_census_count *mbr)
{
	size_t deleted = 0;

	for (size_t i = 0; i < rt->n_dnat;) {
		struct rt_dnat *d = &rt->dnat[i];
		char text[XLB_ADDR_PORT_STRLEN];
		int err;

		if (!d->retired || c->gen < d->retired_gen + 2 || d->member_id >= XLB_MAX_MEMBERS ||
		    !member_idle(&mbr[d->member_id])) {
			i++;
			continue;
		}
		err = xlb_maps_dnat_rev_delete(rt->maps, &d->key);
		if (err && err != -ENOENT) {
			rt_error(rt, err, "cannot delete the dnat reply entry of %s/%s",
				 xlb_ip_port_str(&d->key.addr, d->key.family, d->key.port, text,
						 sizeof(text)),
				 xlb_proto_str(d->key.proto));
			i++;
			continue;
		}
		log_debug("dnat replies from %s/%s: entry deleted (its connections have ended)",
			  xlb_ip_port_str(&d->key.addr, d->key.family, d->key.port, text, sizeof(text)),
			  xlb_proto_str(d->key.proto));
		rt->dnat[i] = rt->dnat[--rt->n_dnat];
		deleted++;
	}
	return deleted;
}

/* Before a commit: two dnat services must not claim one reply source (a
 * hostname member may resolve to another service's member).  keys holds
 * (key, service) pairs, sorted here. */
struct dnat_claim {
	struct xlb_dnat_rev_key key;
	const struct rt_service *svc;
	const char *member; /* NULL: the service's sorry_address */
};

static int claim_cmp(const void *pa, const void *pb)
{
	const struct dnat_claim *a = pa, *b = pb;

	return memcmp(&a->key, &b->key, sizeof(a->key));
}

static size_t claims_of(const struct rt_service *s, struct dnat_claim *out)
{
	size_t n = 0;

	if (s->cfg->fwd != XLB_FWD_DNAT)
		return 0;
	for (size_t i = 0; i < s->n_members; i++) {
		rt_dnat_key(&s->members[i]->addr, s->members[i]->port, s->cfg->protocol, &out[n].key);
		out[n].svc = s;
		out[n++].member = s->members[i]->name;
	}
	if (s->cfg->on_empty == XLB_ON_EMPTY_SORRY && s->cfg->has_sorry) {
		rt_dnat_key(&s->cfg->sorry_addr, s->cfg->sorry_port, s->cfg->protocol, &out[n].key);
		out[n].svc = s;
		out[n++].member = NULL; /* the sorry_address */
	}
	return n;
}

int rt_dnat_check(struct rt_service *const *next)
{
	struct dnat_claim *c;
	size_t n = 0, cap = 0;
	int err = 0;

	for (uint32_t id = 0; id < XLB_MAX_SERVICES; id++)
		if (next[id] && next[id]->cfg->fwd == XLB_FWD_DNAT)
			cap += next[id]->n_members + 1;
	if (!cap)
		return 0;
	c = calloc(cap, sizeof(*c));
	if (!c)
		return -ENOMEM;
	for (uint32_t id = 0; id < XLB_MAX_SERVICES; id++)
		if (next[id])
			n += claims_of(next[id], c + n);
	qsort(c, n, sizeof(*c), claim_cmp);
	for (size_t i = 1; i < n; i++) {
		char text[XLB_ADDR_PORT_STRLEN];

		if (claim_cmp(&c[i - 1], &c[i]) || c[i - 1].svc == c[i].svc)
			continue;
		log_err("%s: %s%s (%s/%s) is also %s%s of dnat service %s: dnat translates replies "
			"by their source alone, so it can lead back to one service only; give one "
			"of them another port, or use 'forwarding: nat' for one service",
			c[i].svc->cfg->name, c[i].member ? "member " : "sorry_address",
			c[i].member ? c[i].member : "",
			xlb_ip_port_str(&c[i].key.addr, c[i].key.family, c[i].key.port, text, sizeof(text)),
			xlb_proto_str(c[i].key.proto), c[i - 1].member ? "member " : "the sorry_address",
			c[i - 1].member ? c[i - 1].member : "", c[i - 1].svc->cfg->name);
		err = -EADDRINUSE;
	}
	free(c);
	return err;
}
