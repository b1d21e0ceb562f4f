// SPDX-License-Identifier: MIT
/* The schema walk from a YAML tree to struct xlb_config, both the seed's
 * one-service form and the `services:` list, with defaults.  Reading the
 * file is config_load.c; cross-field checks are config_check.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config/internal.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* ---- schema: the keys of each mapping ------------------------------------ */

enum { HK_TYPE, HK_PORT, HK_INTERVAL, HK_TIMEOUT, HK_RISE, HK_FALL, HK_PATH, HK_EXPECT, HK__N };
static const char *const hc_keys[HK__N] = {
	[HK_TYPE] = "type", [HK_PORT] = "port", [HK_INTERVAL] = "interval",
	[HK_TIMEOUT] = "timeout", [HK_RISE] = "rise", [HK_FALL] = "fall",
	[HK_PATH] = "path", [HK_EXPECT] = "expect",
};

enum { MK_ADDRESS, MK_PORT, MK_WEIGHT, MK_HEALTHCHECK, MK__N };
static const char *const member_keys[MK__N] = {
	[MK_ADDRESS] = "address", [MK_PORT] = "port", [MK_WEIGHT] = "weight",
	[MK_HEALTHCHECK] = "healthcheck",
};

enum { PK_MEMBERS, PK_HEALTHCHECK, PK__N };
static const char *const pool_keys[PK__N] = {
	[PK_MEMBERS] = "members", [PK_HEALTHCHECK] = "healthcheck",
};

enum { VK_IP, VK_PORT, VK_LISTENER_PORT, VK_POOL, VK__N };
static const char *const vip_keys[VK__N] = {
	[VK_IP] = "ip", [VK_PORT] = "port", [VK_LISTENER_PORT] = "listener_port",
	[VK_POOL] = "pool",
};

enum { EK_ADDRESS, EK_PORT, EK__N };
static const char *const endpoint_keys[EK__N] = {
	[EK_ADDRESS] = "address", [EK_PORT] = "port",
};

/* A service's keys.  The seed form writes one service at the top level,
 * named by `service:`, next to `global:`; a `services:` list holds items
 * named by `name:`. */
enum {
	SK_NAME, SK_VIP, SK_PROTOCOL, SK_SCHEDULER, SK_FORWARDING, SK_ON_EMPTY,
	SK_SORRY, SK_SNAT, SK_POOL, SK_MEMBERS, SK_HEALTHCHECK, SK_ANNOUNCE, SK_GLOBAL, SK_SERVICES,
	SK__N
};
#define SERVICE_KEYS                                                             \
	[SK_VIP] = "vip", [SK_PROTOCOL] = "protocol", [SK_SCHEDULER] = "scheduler", \
	[SK_FORWARDING] = "forwarding", [SK_ON_EMPTY] = "on_empty",                 \
	[SK_SORRY] = "sorry_address", [SK_SNAT] = "snat", [SK_POOL] = "pool",       \
	[SK_MEMBERS] = "members", [SK_HEALTHCHECK] = "healthcheck", [SK_ANNOUNCE] = "announce"
static const char *const seed_keys[SK__N] = {
	[SK_NAME] = "service", SERVICE_KEYS, [SK_GLOBAL] = "global", [SK_SERVICES] = "services",
};
static const char *const item_keys[SK__N] = {[SK_NAME] = "name", SERVICE_KEYS};

static const char *const protocol_names[] = {"tcp", "udp"};

/* Value ranges (documented in docs/config.md). */
#define HC_INTERVAL_MIN_MS 100u
#define HC_TIMEOUT_MIN_MS  10u
#define HOUR_MS            (3600u * 1000)

struct ctx {
	struct cfg_diag *d;
	struct xlb_config *cfg;
};

/* ---- health checks ------------------------------------------------------- */

static void parse_http_path(struct cfg_diag *d, const struct ynode *v, struct cfg_health *h)
{
	const char *s;

	if (cfg_want_string(d, v, "path", &s))
		return;
	if (s[0] != '/') {
		cfg_error_at(d, v->pos, "path: '%s' must start with '/'", s);
		return;
	}
	if (strlen(s) >= sizeof(h->path)) {
		cfg_error_at(d, v->pos, "path: %zu bytes long; at most %zu allowed", strlen(s),
			     sizeof(h->path) - 1);
		return;
	}
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p <= ' ' || *p == 0x7f) {
			cfg_error_at(d, v->pos, "path: '%s' holds a space or control character; "
				     "encode it as %%%02X", s, *p);
			return;
		}
	}
	strcpy(h->path, s);
}

/* Applies one `healthcheck:` node on top of h: a check type alone, or a
 * mapping of the settings to change. */
static void parse_health(struct cfg_diag *d, const struct ynode *v, struct cfg_health *h)
{
	const struct ynode *k[HK__N], *val[HK__N];
	unsigned type;
	uint32_t n;

	if (v->kind == YN_SCALAR && !ynode_is_null(v)) {
		if (!cfg_want_enum(d, v, "healthcheck", xlb_check_type_words, 3, &type))
			h->type = type;
		return;
	}
	if (cfg_want_kind(d, v, "healthcheck", YN_MAP))
		return;
	cfg_map_fields(d, v, "in healthcheck", hc_keys, HK__N, k, val);
	if (val[HK_TYPE] && !cfg_want_enum(d, val[HK_TYPE], "type", xlb_check_type_words, 3, &type))
		h->type = type;
	if (val[HK_PORT])
		cfg_want_port(d, val[HK_PORT], "port", &h->port);
	if (val[HK_INTERVAL])
		cfg_want_duration(d, val[HK_INTERVAL], "interval", HC_INTERVAL_MIN_MS, HOUR_MS,
				  &h->interval_ms);
	if (val[HK_TIMEOUT])
		cfg_want_duration(d, val[HK_TIMEOUT], "timeout", HC_TIMEOUT_MIN_MS, HOUR_MS,
				  &h->timeout_ms);
	if (val[HK_RISE] && !cfg_want_uint(d, val[HK_RISE], "rise", 1, CFG_HC_COUNT_MAX, &n))
		h->rise = n;
	if (val[HK_FALL] && !cfg_want_uint(d, val[HK_FALL], "fall", 1, CFG_HC_COUNT_MAX, &n))
		h->fall = n;
	if (val[HK_PATH])
		parse_http_path(d, val[HK_PATH], h);
	if (val[HK_EXPECT] && !cfg_want_uint(d, val[HK_EXPECT], "expect", 100, 599, &n))
		h->expect = (uint16_t)n;

	for (int i = HK_PATH; i <= HK_EXPECT; i++)
		if (k[i] && h->type != XLB_CHECK_HTTP)
			cfg_error_at(d, k[i]->pos, "'%s' only applies to http checks (this check "
				     "is %s); add 'type: http' or remove it", hc_keys[i],
				     xlb_check_type_str(h->type));
	/* Checked where either value is written, on the merged settings, so a
	 * member override is judged with what it inherits. */
	if ((val[HK_INTERVAL] || val[HK_TIMEOUT]) && h->type != XLB_CHECK_NONE &&
	    h->timeout_ms >= h->interval_ms) {
		char ti[16], iv[16];
		const struct ynode *at = val[HK_TIMEOUT] ? val[HK_TIMEOUT] : val[HK_INTERVAL];

		cfg_error_at(d, at->pos, "timeout %s must be shorter than interval %s, so that "
			     "a check ends before the next one starts",
			     cfg_format_duration(h->timeout_ms, ti, sizeof(ti)),
			     cfg_format_duration(h->interval_ms, iv, sizeof(iv)));
	}
}

static void health_defaults(struct cfg_health *h, uint8_t protocol)
{
	*h = (struct cfg_health){
		/* UDP has no handshake to probe: a UDP service is checked only
		 * when the file says how. */
		.type = protocol == IPPROTO_UDP ? XLB_CHECK_NONE : XLB_CHECK_TCP,
		.interval_ms = CFG_HC_INTERVAL_MS,
		.timeout_ms = CFG_HC_TIMEOUT_MS,
		.rise = CFG_HC_RISE,
		.fall = CFG_HC_FALL,
		.expect = CFG_HC_EXPECT,
		.path = "/",
	};
}

/* ---- members ------------------------------------------------------------- */

static void parse_member_address(struct cfg_diag *d, const struct ynode *v,
				 struct cfg_member *m)
{
	const char *s;

	m->addr_pos = v->pos;
	if (cfg_want_string(d, v, "address", &s))
		return;
	if (addr_looks_literal(s)) {
		cfg_want_ip(d, v, "address", &m->addr);
		return;
	}
	if (!hostname_valid(s)) {
		cfg_error_at(d, v->pos, "address: '%s' is neither an IP address nor a valid "
			     "hostname (letters, digits, '-' and '.', at most 253 characters)", s);
		return;
	}
	m->is_hostname = true;
	snprintf(m->host, sizeof(m->host), "%s", s);
}

static void parse_member(struct ctx *c, const struct ynode *key, const struct ynode *v,
			 const struct cfg_service *svc, struct cfg_member *m)
{
	const struct ynode *k[MK__N], *val[MK__N];
	uint32_t weight;
	unsigned typos;
	char where[XLB_NAME_MAX + 16];

	m->pos = key->pos;
	m->addr_pos = v->pos;
	m->weight = XLB_WEIGHT_DEFAULT;
	m->health = svc->health;
	cfg_want_name(c->d, key, "member name", m->name);

	if (v->kind == YN_SEQ && v->n == 2) {
		parse_member_address(c->d, v->kids[0], m);
		cfg_want_port(c->d, v->kids[1], "port", &m->port);
		return;
	}
	if (v->kind != YN_MAP) {
		cfg_error_at(c->d, v->pos, "member '%s': expected [address, port] or a mapping "
			     "with address, port and weight, got %s%s", m->name, ynode_kind_text(v),
			     v->kind == YN_SEQ ? " without exactly 2 items" : "");
		return;
	}
	snprintf(where, sizeof(where), "in member '%s'", m->name);
	typos = cfg_map_fields(c->d, v, where, member_keys, MK__N, k, val);
	if (val[MK_ADDRESS])
		parse_member_address(c->d, val[MK_ADDRESS], m);
	else if (!(typos & 1u << MK_ADDRESS))
		cfg_error_at(c->d, v->pos, "member '%s': missing required key 'address'", m->name);
	if (val[MK_PORT])
		cfg_want_port(c->d, val[MK_PORT], "port", &m->port);
	else if (!(typos & 1u << MK_PORT))
		cfg_error_at(c->d, v->pos, "member '%s': missing required key 'port'", m->name);
	if (val[MK_WEIGHT] &&
	    !cfg_want_uint(c->d, val[MK_WEIGHT], "weight", 0, XLB_WEIGHT_MAX, &weight))
		m->weight = (uint16_t)weight;
	if (val[MK_HEALTHCHECK]) {
		m->health_override = true;
		parse_health(c->d, val[MK_HEALTHCHECK], &m->health);
	}
}

static void parse_members(struct ctx *c, const struct ynode *v, struct cfg_service *svc)
{
	size_t n;

	svc->members_pos = v->pos;
	if (v->kind == YN_SEQ) {
		cfg_error_at(c->d, v->pos, "members: expected a mapping of 'name: [address, port]', "
			     "got a list; drop the '-' before each member");
		return;
	}
	if (cfg_want_kind(c->d, v, "members", YN_MAP))
		return;
	n = v->n / 2;
	if (n == 0) {
		cfg_error_at(c->d, v->pos, "members: the pool is empty; add at least one "
			     "'name: [address, port]'");
		return;
	}
	if (n > XLB_MAX_MEMBERS_PER_SERVICE) {
		cfg_error_at(c->d, v->kids[2 * XLB_MAX_MEMBERS_PER_SERVICE]->pos,
			     "members: more than %d members in one service (the data plane's "
			     "limit); split the service", XLB_MAX_MEMBERS_PER_SERVICE);
		n = XLB_MAX_MEMBERS_PER_SERVICE;
	}
	if (c->cfg->n_members + n > XLB_MAX_MEMBERS) {
		size_t room = XLB_MAX_MEMBERS - c->cfg->n_members;

		cfg_error_at(c->d, v->kids[2 * room]->pos,
			     "members: more than %d members over all services (the data plane's "
			     "limit)", XLB_MAX_MEMBERS);
		n = room;
	}
	svc->members = calloc(n ? n : 1, sizeof(*svc->members));
	if (!svc->members) {
		cfg_error_at(c->d, v->pos, "out of memory");
		return;
	}
	for (size_t i = 0; i < n; i++)
		parse_member(c, v->kids[2 * i], v->kids[2 * i + 1], svc, &svc->members[i]);
	svc->n_members = n;
	c->cfg->n_members += n;
}

/* ---- services ------------------------------------------------------------ */

/* members and healthcheck may be written at the service, in `pool:` or in
 * `vip: pool:` (the seed); each once. */
struct pool_src {
	const struct ynode *members_key, *members, *health_key, *health;
	bool members_typo; /* an unknown key was taken for 'members' */
};

static void pool_take(struct cfg_diag *d, const struct ynode **slot_key,
		      const struct ynode **slot, const struct ynode *key, const struct ynode *val)
{
	if (!key)
		return;
	if (*slot_key) {
		cfg_error_at(d, key->pos, "'%s' is given twice in this service (also at line %u); "
			     "give the pool once", key->str, (*slot_key)->pos.line);
		return;
	}
	*slot_key = key;
	*slot = val;
}

static void pool_from_map(struct cfg_diag *d, const struct ynode *v, struct pool_src *p)
{
	const struct ynode *k[PK__N], *val[PK__N];

	if (cfg_want_kind(d, v, "pool", YN_MAP))
		return;
	if (cfg_map_fields(d, v, "in pool", pool_keys, PK__N, k, val) & 1u << PK_MEMBERS)
		p->members_typo = true;
	pool_take(d, &p->members_key, &p->members, k[PK_MEMBERS], val[PK_MEMBERS]);
	pool_take(d, &p->health_key, &p->health, k[PK_HEALTHCHECK], val[PK_HEALTHCHECK]);
}

static void parse_endpoint(struct cfg_diag *d, const struct ynode *v, const char *key,
			   struct xlb_addr *addr, uint16_t *port)
{
	const struct ynode *k[EK__N], *val[EK__N];
	unsigned typos;

	if (v->kind == YN_SEQ && v->n == 2) {
		cfg_want_ip(d, v->kids[0], key, addr);
		cfg_want_port(d, v->kids[1], key, port);
		return;
	}
	if (v->kind != YN_MAP) {
		cfg_error_at(d, v->pos, "%s: expected [address, port] or a mapping with address "
			     "and port, got %s", key, ynode_kind_text(v));
		return;
	}
	typos = cfg_map_fields(d, v, "in sorry_address", endpoint_keys, EK__N, k, val);
	if (!val[EK_ADDRESS] || !val[EK_PORT]) {
		if (!typos)
			cfg_error_at(d, v->pos, "%s: missing required key '%s'", key,
				     val[EK_ADDRESS] ? "port" : "address");
		return;
	}
	cfg_want_ip(d, val[EK_ADDRESS], "address", addr);
	cfg_want_port(d, val[EK_PORT], "port", port);
}

static void parse_vip(struct cfg_diag *d, const struct ynode *v, struct cfg_service *svc,
		      struct pool_src *pool)
{
	const struct ynode *k[VK__N], *val[VK__N];
	const struct ynode *port;
	unsigned typos;

	svc->vip_pos = v->pos;
	if (cfg_want_kind(d, v, "vip", YN_MAP))
		return;
	typos = cfg_map_fields(d, v, "in vip", vip_keys, VK__N, k, val);
	if (val[VK_IP])
		cfg_want_ip(d, val[VK_IP], "ip", &svc->vip);
	else if (!(typos & 1u << VK_IP))
		cfg_error_at(d, v->pos, "vip: missing required key 'ip'");
	/* listener_port is the seed's spelling of port. */
	port = val[VK_PORT] ? val[VK_PORT] : val[VK_LISTENER_PORT];
	if (val[VK_PORT] && val[VK_LISTENER_PORT])
		cfg_error_at(d, k[VK_LISTENER_PORT]->pos, "vip: give either 'port' or "
			     "'listener_port' (the same setting), not both");
	else if (port)
		cfg_want_port(d, port, k[VK_PORT] ? "port" : "listener_port", &svc->port);
	else if (!(typos & (1u << VK_PORT | 1u << VK_LISTENER_PORT)))
		cfg_error_at(d, v->pos, "vip: missing required key 'port'");
	if (val[VK_POOL])
		pool_from_map(d, val[VK_POOL], pool);
}

static void snat_add(struct cfg_diag *d, const struct ynode *v, struct cfg_service *svc)
{
	struct xlb_addr a;
	char text[INET6_ADDRSTRLEN];

	if (cfg_want_ip(d, v, "snat", &a))
		return;
	for (size_t i = 0; i < svc->n_snat; i++) {
		if (addr_equal(&svc->snat[i], &a)) {
			cfg_error_at(d, v->pos, "snat: %s is listed twice (first at line %u); list "
				     "each address of the pool once",
				     addr_format(&a, text, sizeof(text)), svc->snat_addr_pos[i].line);
			return;
		}
	}
	svc->snat_addr_pos[svc->n_snat] = v->pos;
	svc->snat[svc->n_snat++] = a;
}

/* One address, or a list of them: a pool of source addresses. */
static void parse_snat(struct cfg_diag *d, const struct ynode *v, struct cfg_service *svc)
{
	size_t n;

	svc->has_snat = true;
	svc->snat_pos = v->pos;
	if (v->kind == YN_SCALAR && !ynode_is_null(v)) {
		snat_add(d, v, svc);
		return;
	}
	if (v->kind != YN_SEQ) {
		cfg_error_at(d, v->pos, "snat: expected an address or a list of addresses, got %s",
			     ynode_kind_text(v));
		return;
	}
	if (v->n == 0) {
		cfg_error_at(d, v->pos, "snat: the list is empty; give an address, or a list of "
			     "the addresses of the pool");
		return;
	}
	n = v->n;
	if (n > XLB_MAX_SNAT_ADDRS) {
		cfg_error_at(d, v->kids[XLB_MAX_SNAT_ADDRS]->pos, "snat: more than %d addresses in "
			     "one pool (the data plane's limit)", XLB_MAX_SNAT_ADDRS);
		n = XLB_MAX_SNAT_ADDRS;
	}
	for (size_t i = 0; i < n; i++)
		snat_add(d, v->kids[i], svc);
}

static void parse_enum_key(struct cfg_diag *d, const struct ynode *v, const char *key,
			   const char *const names[], size_t n, unsigned *out)
{
	unsigned idx;

	if (v && !cfg_want_enum(d, v, key, names, n, &idx))
		*out = idx;
}

/* k/val: the service mapping read against its keys (the top level for the
 * seed form, a list item otherwise). */
static void parse_service(struct ctx *c, const struct ynode *map, const char *const keys[],
			  const struct ynode *k[], const struct ynode *val[], unsigned typos,
			  struct cfg_service *svc)
{
	struct pool_src pool = {0};
	unsigned proto = 0, sched = 0, fwd = 0, on_empty = 0;

	svc->pos = map->pos;
	if (val[SK_NAME]) {
		svc->pos = val[SK_NAME]->pos;
		cfg_want_name(c->d, val[SK_NAME], keys[SK_NAME], svc->name);
	} else if (!(typos & 1u << SK_NAME)) {
		cfg_error_at(c->d, map->pos, "missing required key '%s' (the service's name)",
			     keys[SK_NAME]);
	}
	parse_enum_key(c->d, val[SK_PROTOCOL], "protocol", protocol_names, 2, &proto);
	svc->protocol = proto ? IPPROTO_UDP : IPPROTO_TCP;
	parse_enum_key(c->d, val[SK_SCHEDULER], "scheduler", xlb_sched_words, 3, &sched);
	parse_enum_key(c->d, val[SK_FORWARDING], "forwarding", xlb_fwd_words, 3, &fwd);
	parse_enum_key(c->d, val[SK_ON_EMPTY], "on_empty", xlb_on_empty_words, 3, &on_empty);
	svc->sched = sched;
	svc->fwd = fwd;
	svc->on_empty = on_empty;

	if (val[SK_VIP])
		parse_vip(c->d, val[SK_VIP], svc, &pool);
	else if (!(typos & 1u << SK_VIP))
		cfg_error_at(c->d, map->pos, "missing required key 'vip' (ip and port)");
	if (val[SK_SORRY]) {
		svc->has_sorry = true;
		svc->sorry_pos = val[SK_SORRY]->pos;
		parse_endpoint(c->d, val[SK_SORRY], "sorry_address", &svc->sorry_addr,
			       &svc->sorry_port);
	}
	if (val[SK_SNAT])
		parse_snat(c->d, val[SK_SNAT], svc);

	pool_take(c->d, &pool.members_key, &pool.members, k[SK_MEMBERS], val[SK_MEMBERS]);
	pool_take(c->d, &pool.health_key, &pool.health, k[SK_HEALTHCHECK], val[SK_HEALTHCHECK]);
	if (val[SK_POOL])
		pool_from_map(c->d, val[SK_POOL], &pool);
	health_defaults(&svc->health, svc->protocol);
	if (pool.health)
		parse_health(c->d, pool.health, &svc->health);
	if (pool.members)
		parse_members(c, pool.members, svc);
	else if (!pool.members_typo && !(typos & 1u << SK_MEMBERS))
		cfg_error_at(c->d, map->pos, "missing required key 'members' (in 'pool:' or "
			     "at the service)");
	cfg_parse_announce_service(c->d, k[SK_ANNOUNCE], val[SK_ANNOUNCE], &svc->announce);
	cfg_check_service(c->d, svc);
}

/* ---- the top level ---------------------------------------------------------- */

static int alloc_services(struct ctx *c, size_t n)
{
	c->cfg->services = calloc(n ? n : 1, sizeof(*c->cfg->services));
	if (!c->cfg->services)
		return -ENOMEM;
	c->cfg->n_services = n;
	return 0;
}

static int parse_service_list(struct ctx *c, const struct ynode *list)
{
	size_t n;
	int err;

	if (list->kind != YN_SEQ) {
		cfg_error_at(c->d, list->pos, "services: expected a list of services (each item "
			     "starting with '- name:'), got %s", ynode_kind_text(list));
		return 0;
	}
	n = list->n;
	if (n == 0) {
		cfg_error_at(c->d, list->pos, "services: the list is empty; add a service");
		return 0;
	}
	if (n > XLB_MAX_SERVICES) {
		cfg_error_at(c->d, list->kids[XLB_MAX_SERVICES]->pos, "services: more than %d "
			     "services (the data plane's limit)", XLB_MAX_SERVICES);
		n = XLB_MAX_SERVICES;
	}
	err = alloc_services(c, n);
	if (err)
		return err;
	for (size_t i = 0; i < n; i++) {
		const struct ynode *item = list->kids[i], *k[SK__N], *val[SK__N];
		unsigned typos;
		char where[48];

		if (cfg_want_kind(c->d, item, "services", YN_MAP))
			continue;
		snprintf(where, sizeof(where), "in service #%zu", i + 1);
		typos = cfg_map_fields(c->d, item, where, item_keys, SK__N, k, val);
		parse_service(c, item, item_keys, k, val, typos, &c->cfg->services[i]);
	}
	return 0;
}

static int parse_root(struct ctx *c, const struct ynode *root)
{
	const struct ynode *k[SK__N], *val[SK__N];
	unsigned typos;
	int err;

	if (root->kind != YN_MAP) {
		cfg_error_at(c->d, root->pos, "expected a mapping at the top of the file "
			     "('service:' for one service, or 'services:' for a list), got %s",
			     ynode_kind_text(root));
		return 0;
	}
	cfg_global_defaults(&c->cfg->global);
	typos = cfg_map_fields(c->d, root, "at the top level", seed_keys, SK__N, k, val);
	if (val[SK_GLOBAL])
		cfg_parse_global(c->d, val[SK_GLOBAL], &c->cfg->global);
	if (!val[SK_SERVICES]) {
		if (!val[SK_NAME] && !val[SK_VIP] && !typos) {
			cfg_error_at(c->d, root->pos, "no services: add 'services:' (a list) or "
				     "'service:' and 'vip:' (one service)");
			return 0;
		}
		err = alloc_services(c, 1);
		if (err)
			return err;
		parse_service(c, root, seed_keys, k, val, typos, &c->cfg->services[0]);
		return 0;
	}
	/* With a list, service settings at the top level would be ignored. */
	for (int i = 0; i < SK_GLOBAL; i++) {
		if (k[i])
			cfg_error_at(c->d, k[i]->pos, "'%s' belongs to a service: with 'services:', "
				     "write it inside a list item (or drop 'services:' for the "
				     "one-service form)", k[i]->str);
	}
	return parse_service_list(c, val[SK_SERVICES]);
}

int cfg_parse_tree(struct cfg_diag *d, const struct ynode *root, struct xlb_config *cfg)
{
	struct ctx c = {.d = d, .cfg = cfg};

	return parse_root(&c, root);
}
