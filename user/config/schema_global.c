// SPDX-License-Identifier: MIT
/* The schema of `global:`: interfaces, the connection tables' sizes and
 * timeouts, socket_lb, metrics, and their defaults (announce: is
 * schema_announce.c's). */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "config/internal.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

enum {
	GK_INTERFACES, GK_FLOWS, GK_HALF_OPEN, GK_TCP_HALF_OPEN, GK_TCP_IDLE, GK_TCP_CLOSING,
	GK_TCP_TIME_WAIT, GK_UDP_IDLE, GK_RESOLVE, GK_SOCKET_LB, GK_ANNOUNCE, GK_METRICS, GK__N
};
static const char *const global_keys[GK__N] = {
	[GK_INTERFACES] = "interfaces", [GK_FLOWS] = "flow_table_size",
	[GK_HALF_OPEN] = "half_open_table_size", [GK_TCP_HALF_OPEN] = "tcp_half_open_timeout",
	[GK_TCP_IDLE] = "tcp_idle_timeout", [GK_TCP_CLOSING] = "tcp_closing_timeout",
	[GK_TCP_TIME_WAIT] = "tcp_time_wait", [GK_UDP_IDLE] = "udp_idle_timeout",
	[GK_RESOLVE] = "resolve_interval", [GK_SOCKET_LB] = "socket_lb",
	[GK_ANNOUNCE] = "announce", [GK_METRICS] = "metrics",
};

enum { LK_ENABLED, LK_ALL_NS, LK_CGROUP, LK__N };
static const char *const socket_lb_keys[LK__N] = {
	[LK_ENABLED] = "enabled", [LK_ALL_NS] = "all_namespaces", [LK_CGROUP] = "cgroup",
};
/* In the order of enum cfg_socket_lb. */
const char *const cfg_socket_lb_words[3] = {
	[CFG_SOCKET_LB_AUTO] = "auto", [CFG_SOCKET_LB_ON] = "true", [CFG_SOCKET_LB_OFF] = "false"};
static const char *const bool_names[] = {"false", "true"};

enum { MK_LISTEN, MK__N };
static const char *const metrics_keys[MK__N] = { [MK_LISTEN] = "listen" };

/* Value ranges (documented in docs/config.md). */
#define HOUR_MS          (3600u * 1000)
#define TIME_WAIT_MIN_MS 100u

static void parse_interface(struct cfg_diag *d, const struct ynode *v, struct cfg_global *g)
{
	const char *s;

	if (cfg_want_string(d, v, "interfaces", &s))
		return;
	if (strlen(s) >= IFNAMSIZ || strcmp(s, ".") == 0 || strcmp(s, "..") == 0 ||
	    strpbrk(s, "/: \t")) {
		cfg_error_at(d, v->pos, "interfaces: '%s' is not an interface name (at most %d "
			     "characters, no '/', ':' or spaces)", s, IFNAMSIZ - 1);
		return;
	}
	for (size_t i = 0; i < g->n_interfaces; i++) {
		if (strcmp(g->interfaces[i], s) == 0) {
			cfg_error_at(d, v->pos, "interfaces: '%s' is listed twice", s);
			return;
		}
	}
	if (g->n_interfaces == XLB_MAX_INTERFACES) {
		cfg_error_at(d, v->pos, "interfaces: more than %d interfaces", XLB_MAX_INTERFACES);
		return;
	}
	strcpy(g->interfaces[g->n_interfaces++], s);
}

static bool path_has_dotdot(const char *s)
{
	for (const char *p = s; (p = strstr(p, "..")); p += 2)
		if ((p == s || p[-1] == '/') && (p[2] == '/' || p[2] == '\0'))
			return true;
	return false;
}

static void parse_cgroup(struct cfg_diag *d, const struct ynode *v, struct cfg_socket_lb_opts *o)
{
	const char *s;

	if (cfg_want_string(d, v, "cgroup", &s))
		return;
	if (s[0] != '/') {
		cfg_error_at(d, v->pos, "cgroup: '%s' is not an absolute path; give the cgroup v2 "
			     "directory whose processes are balanced, or leave it out for the "
			     "root of the cgroup v2 mount", s);
		return;
	}
	if (strlen(s) >= sizeof(o->cgroup)) {
		cfg_error_at(d, v->pos, "cgroup: %zu bytes long; at most %zu allowed", strlen(s),
			     sizeof(o->cgroup) - 1);
		return;
	}
	if (path_has_dotdot(s)) {
		cfg_error_at(d, v->pos, "cgroup: '%s' holds '..'; write the path without it", s);
		return;
	}
	strcpy(o->cgroup, s);
}

/* `socket_lb: true` alone, or a mapping of enabled, all_namespaces, cgroup. */
static void parse_socket_lb(struct cfg_diag *d, const struct ynode *v, struct cfg_socket_lb_opts *o)
{
	const struct ynode *k[LK__N], *val[LK__N];
	unsigned u;

	if (v->kind == YN_SCALAR && !ynode_is_null(v)) {
		if (!cfg_want_enum(d, v, "socket_lb", cfg_socket_lb_words, N_ELEMS(cfg_socket_lb_words), &u))
			o->enabled = (enum cfg_socket_lb)u;
		return;
	}
	if (cfg_want_kind(d, v, "socket_lb", YN_MAP))
		return;
	cfg_map_fields(d, v, "in socket_lb", socket_lb_keys, LK__N, k, val);
	if (val[LK_ENABLED] &&
	    !cfg_want_enum(d, val[LK_ENABLED], "enabled", cfg_socket_lb_words, N_ELEMS(cfg_socket_lb_words), &u))
		o->enabled = (enum cfg_socket_lb)u;
	if (val[LK_ALL_NS] &&
	    !cfg_want_enum(d, val[LK_ALL_NS], "all_namespaces", bool_names, N_ELEMS(bool_names), &u))
		o->all_namespaces = u;
	if (val[LK_CGROUP])
		parse_cgroup(d, val[LK_CGROUP], o);
}

/* "ADDR:PORT" with an IPv4 ADDR, "[ADDR]:PORT" with an IPv6 one. */
static void parse_listen(struct cfg_diag *d, const struct ynode *v, struct cfg_metrics *m)
{
	char addr[INET6_ADDRSTRLEN + 2];
	const char *s, *colon, *port;
	struct ynode pv;
	size_t alen;

	if (v->kind == YN_SEQ) {
		cfg_error_at(d, v->pos, "listen: an IPv6 address in brackets must be quoted in "
			     "YAML: listen: \"[::1]:9100\"");
		return;
	}
	if (cfg_want_string(d, v, "listen", &s))
		return;
	if (s[0] == '[') {
		const char *end = strchr(s, ']');

		colon = end && end[1] == ':' ? end + 1 : NULL;
		alen = end ? (size_t)(end - s - 1) : 0;
		s++;
	} else {
		colon = strrchr(s, ':');
		alen = colon ? (size_t)(colon - s) : 0;
		if (colon && memchr(s, ':', alen)) {
			cfg_error_at(d, v->pos, "listen: '%s': write an IPv6 address in brackets, "
				     "then the port: \"[::1]:9100\"", s);
			return;
		}
	}
	if (!colon || !alen || alen >= sizeof(addr)) {
		cfg_error_at(d, v->pos, "listen: '%s' is not ADDR:PORT; expected e.g. "
			     "127.0.0.1:9100, 0.0.0.0:9100 or \"[::1]:9100\"", v->str);
		return;
	}
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	if (addr_parse(addr, &m->addr) ||
	    (addr_is_unusable(&m->addr) && !addr_is_unspecified(&m->addr))) {
		cfg_error_at(d, v->pos, "listen: '%s' is not an IPv4 or IPv6 unicast address "
			     "(0.0.0.0 or [::] listen on every address)", addr);
		return;
	}
	port = colon + 1;
	pv = *v;
	pv.str = port;
	pv.len = strlen(port);
	if (cfg_want_port(d, &pv, "listen port", &m->port))
		return;
	m->enabled = true;
}

/* `metrics: {listen: ADDR:PORT}`. */
static void parse_metrics(struct cfg_diag *d, const struct ynode *key, const struct ynode *v,
			  struct cfg_metrics *m)
{
	const struct ynode *k[MK__N], *val[MK__N];
	unsigned typos;

	m->pos = key->pos;
	if (cfg_want_kind(d, v, "metrics", YN_MAP))
		return;
	typos = cfg_map_fields(d, v, "in metrics", metrics_keys, MK__N, k, val);
	if (val[MK_LISTEN])
		parse_listen(d, val[MK_LISTEN], m);
	else if (!typos)
		cfg_error_at(d, v->pos, "metrics: give 'listen: ADDR:PORT', where the daemon "
			     "serves Prometheus metrics (e.g. 127.0.0.1:9100), or leave "
			     "'metrics:' out");
}

bool cfg_vip_is_local(const struct cfg_service *svc)
{
	const struct xlb_addr *a = &svc->vip;

	if (a->family == AF_INET)
		return (ntohl(a->v4.s_addr) >> 24) == 127;
	return a->family == AF_INET6 && IN6_IS_ADDR_LOOPBACK(&a->v6);
}

bool cfg_socket_lb_on(const struct xlb_config *cfg)
{
	if (cfg->global.socket_lb.enabled != CFG_SOCKET_LB_AUTO)
		return cfg->global.socket_lb.enabled == CFG_SOCKET_LB_ON;
	for (size_t i = 0; i < cfg->n_services; i++)
		if (cfg_vip_is_local(&cfg->services[i]))
			return true;
	return false;
}

/* 0 asks for the default size; anything else must be a size the data
 * plane takes. */
static void parse_half_open_size(struct cfg_diag *d, const struct ynode *v, struct cfg_global *g)
{
	uint32_t n;

	if (cfg_want_uint(d, v, "half_open_table_size", 0, XLB_HALFOPEN_MAX, &n))
		return;
	if (n && n < XLB_HALFOPEN_MIN) {
		cfg_error_at(d, v->pos, "half_open_table_size: %u is out of range; expected %u-%u, "
			     "or 0 for the default (flow_table_size / %u, at most the NAT ports of "
			     "a nat member)", n, XLB_HALFOPEN_MIN, XLB_HALFOPEN_MAX,
			     XLB_HALFOPEN_DIVISOR);
		return;
	}
	g->half_open_table_size = n;
}

void cfg_parse_global(struct cfg_diag *d, const struct ynode *v, struct cfg_global *g)
{
	const struct ynode *k[GK__N], *val[GK__N];
	const struct ynode *ifs;

	if (cfg_want_kind(d, v, "global", YN_MAP))
		return;
	cfg_map_fields(d, v, "in global", global_keys, GK__N, k, val);
	ifs = val[GK_INTERFACES];
	if (ifs && ifs->kind == YN_SEQ)
		for (size_t i = 0; i < ifs->n; i++)
			parse_interface(d, ifs->kids[i], g);
	else if (ifs)
		parse_interface(d, ifs, g); /* one name needs no list */
	if (val[GK_FLOWS])
		cfg_want_uint(d, val[GK_FLOWS], "flow_table_size", XLB_FLOWS_MIN, XLB_FLOWS_MAX,
			      &g->flow_table_size);
	if (val[GK_HALF_OPEN])
		parse_half_open_size(d, val[GK_HALF_OPEN], g);
	if (val[GK_TCP_HALF_OPEN])
		cfg_want_duration(d, val[GK_TCP_HALF_OPEN], "tcp_half_open_timeout", 1000, HOUR_MS,
				  &g->tcp_half_open_timeout_ms);
	if (val[GK_TCP_IDLE])
		cfg_want_duration(d, val[GK_TCP_IDLE], "tcp_idle_timeout", 1000, 24 * HOUR_MS,
				  &g->tcp_idle_timeout_ms);
	if (val[GK_TCP_CLOSING])
		cfg_want_duration(d, val[GK_TCP_CLOSING], "tcp_closing_timeout", 1000, HOUR_MS,
				  &g->tcp_closing_timeout_ms);
	if (val[GK_TCP_TIME_WAIT])
		cfg_want_duration(d, val[GK_TCP_TIME_WAIT], "tcp_time_wait", TIME_WAIT_MIN_MS, HOUR_MS,
				  &g->tcp_time_wait_ms);
	if (val[GK_UDP_IDLE])
		cfg_want_duration(d, val[GK_UDP_IDLE], "udp_idle_timeout", 1000, 24 * HOUR_MS,
				  &g->udp_idle_timeout_ms);
	if (val[GK_RESOLVE])
		cfg_want_duration(d, val[GK_RESOLVE], "resolve_interval", 1000, 24 * HOUR_MS,
				  &g->resolve_interval_ms);
	if (val[GK_SOCKET_LB])
		parse_socket_lb(d, val[GK_SOCKET_LB], &g->socket_lb);
	if (val[GK_ANNOUNCE])
		cfg_parse_announce_global(d, k[GK_ANNOUNCE], val[GK_ANNOUNCE], &g->announce);
	if (val[GK_METRICS])
		parse_metrics(d, k[GK_METRICS], val[GK_METRICS], &g->metrics);
}

void cfg_global_defaults(struct cfg_global *g)
{
	*g = (struct cfg_global){
		.flow_table_size = XLB_FLOWS_DEFAULT,
		.tcp_half_open_timeout_ms = CFG_TCP_HALF_OPEN_MS,
		.tcp_idle_timeout_ms = CFG_TCP_IDLE_MS,
		.tcp_closing_timeout_ms = CFG_TCP_CLOSING_MS,
		.tcp_time_wait_ms = CFG_TCP_TIME_WAIT_MS,
		.udp_idle_timeout_ms = CFG_UDP_IDLE_MS,
		.resolve_interval_ms = CFG_RESOLVE_MS,
	};
}
