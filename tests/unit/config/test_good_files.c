// SPDX-License-Identifier: MIT
/* Good configuration files: the seed file, the full example and the
 * defaults, asserted field by field. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "config/config.h"
#include "test.h"

/* Loads text that must be valid; prints the errors otherwise. */
static struct xlb_config *load_ok(const char *name, const char *text)
{
	struct xlb_config *cfg = NULL;
	struct cfg_diag d;

	cfg_diag_init(&d);
	if (config_load_buffer(name, text, strlen(text), &cfg, &d))
		cfg_diag_print(&d, stdout);
	cfg_diag_free(&d);
	return cfg;
}

static struct xlb_config *load_file_ok(const char *path)
{
	struct xlb_config *cfg = NULL;
	struct cfg_diag d;

	cfg_diag_init(&d);
	if (config_load_file(path, &cfg, &d))
		cfg_diag_print(&d, stdout);
	cfg_diag_free(&d);
	return cfg;
}

static const char *addr_text(const struct xlb_addr *a)
{
	static char buf[4][INET6_ADDRSTRLEN];
	static int next;

	next = (next + 1) % 4;
	return addr_format(a, buf[next], sizeof(buf[next]));
}

TEST(seed_file_is_accepted_with_its_values)
{
	struct xlb_config *cfg = load_file_ok("examples/observabilityplatforms.com.yaml");
	const struct cfg_service *s;

	ASSERT_TRUE(cfg);
	ASSERT_EQ(1, cfg->n_services);
	ASSERT_EQ(3, cfg->n_members);
	s = &cfg->services[0];
	ASSERT_STR_EQ("observabilityplatforms.com", s->name);
	ASSERT_STR_EQ("127.0.0.1", addr_text(&s->vip));
	ASSERT_EQ(8080, s->port);
	ASSERT_EQ(IPPROTO_TCP, s->protocol);
	ASSERT_EQ(XLB_SCHED_RR, s->sched);
	ASSERT_EQ(XLB_FWD_NAT, s->fwd);
	ASSERT_EQ(XLB_ON_EMPTY_REJECT, s->on_empty);
	ASSERT_EQ(false, s->has_sorry);
	ASSERT_EQ(false, s->has_snat);
	ASSERT_EQ(0, s->n_snat);
	ASSERT_EQ(XLB_CHECK_TCP, s->health.type);
	ASSERT_EQ(2, s->pos.line);
	ASSERT_EQ(10, s->pos.col);
	ASSERT_EQ(3, s->n_members);
	ASSERT_STR_EQ("newrelic.com", s->members[0].name);
	ASSERT_STR_EQ("142.251.33.110", addr_text(&s->members[0].addr));
	ASSERT_EQ(443, s->members[0].port);
	ASSERT_EQ(8, s->members[0].pos.line);
	ASSERT_EQ(7, s->members[0].pos.col);
	ASSERT_STR_EQ("splunk.com", s->members[1].name);
	ASSERT_STR_EQ("52.5.196.118", addr_text(&s->members[1].addr));
	ASSERT_EQ(443, s->members[1].port);
	ASSERT_STR_EQ("datadoghq.com", s->members[2].name);
	ASSERT_STR_EQ("52.84.169.4", addr_text(&s->members[2].addr));
	ASSERT_EQ(443, s->members[2].port);
	for (size_t i = 0; i < 3; i++) {
		ASSERT_EQ(false, s->members[i].is_hostname);
		ASSERT_EQ(1, s->members[i].weight);
		ASSERT_EQ(false, s->members[i].health_override);
		ASSERT_TRUE(cfg_health_equal(&s->health, &s->members[i].health));
	}
	config_free(cfg);
}

TEST(defaults_are_filled_in)
{
	struct xlb_config *cfg = load_ok("min.yaml", "service: s\n"
						     "vip: {ip: 198.18.0.1, port: 80}\n"
						     "members: {a: [198.18.1.1, 80]}\n");
	const struct cfg_global *g;
	const struct cfg_health *h;

	ASSERT_TRUE(cfg);
	g = &cfg->global;
	ASSERT_EQ(0, g->n_interfaces);
	ASSERT_EQ(XLB_FLOWS_DEFAULT, g->flow_table_size);
	ASSERT_EQ(0, g->half_open_table_size); /* the daemon sizes it (daemon/tables.h) */
	ASSERT_EQ(XLB_TIMEOUT_TCP_HALF_OPEN_DEFAULT * 1000, g->tcp_half_open_timeout_ms);
	ASSERT_EQ(3 * 3600 * 1000, g->tcp_idle_timeout_ms);
	ASSERT_EQ(10 * 1000, g->tcp_closing_timeout_ms);
	ASSERT_EQ(XLB_TIMEOUT_TCP_TIME_WAIT_DEFAULT * 1000, g->tcp_time_wait_ms);
	ASSERT_EQ(60 * 1000, g->udp_idle_timeout_ms);
	ASSERT_EQ(60 * 1000, g->resolve_interval_ms);
	h = &cfg->services[0].health;
	ASSERT_EQ(XLB_CHECK_TCP, h->type);
	ASSERT_EQ(0, h->port);
	ASSERT_EQ(2000, h->interval_ms);
	ASSERT_EQ(1000, h->timeout_ms);
	ASSERT_EQ(2, h->rise);
	ASSERT_EQ(3, h->fall);
	ASSERT_STR_EQ("/", h->path);
	ASSERT_EQ(200, h->expect);
	ASSERT_EQ(XLB_WEIGHT_DEFAULT, cfg->services[0].members[0].weight);
	config_free(cfg);
}

TEST(udp_service_is_not_checked_by_default)
{
	struct xlb_config *cfg = load_ok("udp.yaml", "service: dns\n"
						     "vip: {ip: 198.18.0.53, port: 53}\n"
						     "protocol: udp\n"
						     "members: {a: [198.18.1.1, 53]}\n");

	ASSERT_TRUE(cfg);
	ASSERT_EQ(IPPROTO_UDP, cfg->services[0].protocol);
	ASSERT_EQ(XLB_CHECK_NONE, cfg->services[0].health.type);
	config_free(cfg);
}

TEST(socket_lb_is_auto_by_default_and_on_for_a_loopback_vip)
{
	struct xlb_config *seed = load_file_ok("examples/observabilityplatforms.com.yaml");
	struct xlb_config *net = load_ok("net.yaml", "service: s\n"
						     "vip: {ip: 198.18.0.1, port: 80}\n"
						     "members: {a: [198.18.1.1, 80]}\n");
	struct xlb_config *v6 = load_ok("v6.yaml", "service: s\n"
						    "vip: {ip: '::1', port: 80}\n"
						    "members: {a: ['fd00::1', 80]}\n");

	ASSERT_TRUE(seed && net && v6);
	ASSERT_EQ(CFG_SOCKET_LB_AUTO, seed->global.socket_lb.enabled);
	ASSERT_TRUE(!seed->global.socket_lb.all_namespaces);
	ASSERT_STR_EQ("", seed->global.socket_lb.cgroup);
	ASSERT_TRUE(cfg_socket_lb_on(seed));
	ASSERT_TRUE(!cfg_socket_lb_on(net));
	ASSERT_TRUE(cfg_socket_lb_on(v6));
	config_free(seed);
	config_free(net);
	config_free(v6);
}

TEST(socket_lb_settings_and_the_short_form)
{
	struct xlb_config *cfg = load_ok("s.yaml", "global:\n"
						   "  socket_lb:\n"
						   "    enabled: true\n"
						   "    all_namespaces: true\n"
						   "    cgroup: /sys/fs/cgroup/lb-clients\n"
						   "service: s\n"
						   "vip: {ip: 198.18.0.1, port: 80}\n"
						   "members: {a: [198.18.1.1, 80]}\n");
	struct xlb_config *off = load_ok("o.yaml", "global: {socket_lb: false}\n"
						   "service: s\n"
						   "vip: {ip: 127.0.0.1, port: 80}\n"
						   "members: {a: [198.18.1.1, 80]}\n");

	ASSERT_TRUE(cfg && off);
	ASSERT_EQ(CFG_SOCKET_LB_ON, cfg->global.socket_lb.enabled);
	ASSERT_TRUE(cfg->global.socket_lb.all_namespaces);
	ASSERT_STR_EQ("/sys/fs/cgroup/lb-clients", cfg->global.socket_lb.cgroup);
	ASSERT_TRUE(cfg_socket_lb_on(cfg));
	ASSERT_EQ(CFG_SOCKET_LB_OFF, off->global.socket_lb.enabled);
	ASSERT_TRUE(!cfg_socket_lb_on(off));
	config_free(cfg);
	config_free(off);
}

TEST(full_example_global_settings)
{
	struct xlb_config *cfg = load_file_ok("examples/full.yaml");
	const struct cfg_global *g;

	ASSERT_TRUE(cfg);
	g = &cfg->global;
	ASSERT_EQ(2, g->n_interfaces);
	ASSERT_STR_EQ("eth0", g->interfaces[0]);
	ASSERT_STR_EQ("eth1", g->interfaces[1]);
	ASSERT_EQ(524288, g->flow_table_size);
	ASSERT_EQ(65536, g->half_open_table_size);
	ASSERT_EQ(5 * 1000, g->tcp_half_open_timeout_ms);
	ASSERT_EQ(4 * 3600 * 1000, g->tcp_idle_timeout_ms);
	ASSERT_EQ(15 * 1000, g->tcp_closing_timeout_ms);
	ASSERT_EQ(1000, g->tcp_time_wait_ms);
	ASSERT_EQ(2 * 60 * 1000, g->udp_idle_timeout_ms);
	ASSERT_EQ(30 * 1000, g->resolve_interval_ms);
	ASSERT_EQ(4, cfg->n_services);
	ASSERT_EQ(9, cfg->n_members);
	config_free(cfg);
}

TEST(full_example_nat_weighted_http_service)
{
	struct xlb_config *cfg = load_file_ok("examples/full.yaml");
	const struct cfg_service *s;
	const struct cfg_member *m;

	ASSERT_TRUE(cfg);
	s = &cfg->services[0];
	ASSERT_STR_EQ("web", s->name);
	ASSERT_STR_EQ("198.18.0.10", addr_text(&s->vip));
	ASSERT_EQ(80, s->port);
	ASSERT_EQ(IPPROTO_TCP, s->protocol);
	ASSERT_EQ(XLB_SCHED_WRR, s->sched);
	ASSERT_EQ(XLB_FWD_NAT, s->fwd);
	ASSERT_EQ(true, s->has_snat);
	ASSERT_EQ(2, s->n_snat);
	ASSERT_STR_EQ("198.18.0.2", addr_text(&s->snat[0]));
	ASSERT_STR_EQ("198.18.0.3", addr_text(&s->snat[1]));
	ASSERT_EQ(XLB_ON_EMPTY_SORRY, s->on_empty);
	ASSERT_EQ(true, s->has_sorry);
	ASSERT_STR_EQ("198.18.1.250", addr_text(&s->sorry_addr));
	ASSERT_EQ(8080, s->sorry_port);
	ASSERT_EQ(XLB_CHECK_HTTP, s->health.type);
	ASSERT_EQ(8081, s->health.port);
	ASSERT_EQ(5000, s->health.interval_ms);
	ASSERT_EQ(1500, s->health.timeout_ms);
	ASSERT_EQ(3, s->health.rise);
	ASSERT_EQ(2, s->health.fall);
	ASSERT_STR_EQ("/healthz", s->health.path);
	ASSERT_EQ(204, s->health.expect);
	ASSERT_EQ(4, s->n_members);

	m = &s->members[0];
	ASSERT_STR_EQ("web-1", m->name);
	ASSERT_STR_EQ("198.18.1.11", addr_text(&m->addr));
	ASSERT_EQ(8080, m->port);
	ASSERT_EQ(1, m->weight);
	m = &s->members[1];
	ASSERT_STR_EQ("web-2", m->name);
	ASSERT_STR_EQ("198.18.1.12", addr_text(&m->addr));
	ASSERT_EQ(3, m->weight);
	m = &s->members[2];
	ASSERT_STR_EQ("web-3", m->name);
	ASSERT_EQ(0, m->weight);
	ASSERT_TRUE(cfg_health_equal(&s->health, &m->health));

	/* The canary overrides three settings and inherits the rest. */
	m = &s->members[3];
	ASSERT_STR_EQ("web-canary", m->name);
	ASSERT_EQ(true, m->health_override);
	ASSERT_EQ(XLB_CHECK_HTTP, m->health.type);
	ASSERT_EQ(8081, m->health.port);
	ASSERT_STR_EQ("/healthz/canary", m->health.path);
	ASSERT_EQ(1000, m->health.interval_ms);
	ASSERT_EQ(500, m->health.timeout_ms);
	ASSERT_EQ(3, m->health.rise);
	ASSERT_EQ(2, m->health.fall);
	ASSERT_EQ(204, m->health.expect);
	config_free(cfg);
}

TEST(full_example_ipv6_maglev_hostname_service)
{
	struct xlb_config *cfg = load_file_ok("examples/full.yaml");
	const struct cfg_service *s;

	ASSERT_TRUE(cfg);
	s = &cfg->services[1];
	ASSERT_STR_EQ("api-v6", s->name);
	ASSERT_EQ(AF_INET6, s->vip.family);
	ASSERT_STR_EQ("fd00:18::10", addr_text(&s->vip));
	ASSERT_EQ(443, s->port);
	ASSERT_EQ(XLB_SCHED_MAGLEV, s->sched);
	ASSERT_EQ(XLB_FWD_DNAT, s->fwd);
	ASSERT_EQ(XLB_ON_EMPTY_DROP, s->on_empty);
	ASSERT_EQ(XLB_CHECK_TCP, s->health.type);
	ASSERT_EQ(2, s->n_members);
	ASSERT_STR_EQ("api-a", s->members[0].name);
	ASSERT_STR_EQ("fd00:18:1::11", addr_text(&s->members[0].addr));
	ASSERT_EQ(false, s->members[0].is_hostname);
	ASSERT_STR_EQ("api-b", s->members[1].name);
	ASSERT_EQ(true, s->members[1].is_hostname);
	ASSERT_STR_EQ("api-b.backend.test", s->members[1].host);
	ASSERT_EQ(2, s->members[1].weight);
	config_free(cfg);
}

TEST(full_example_udp_dsr_and_unchecked_services)
{
	struct xlb_config *cfg = load_file_ok("examples/full.yaml");
	const struct cfg_service *s;

	ASSERT_TRUE(cfg);
	s = &cfg->services[2];
	ASSERT_STR_EQ("dns", s->name);
	ASSERT_EQ(53, s->port);
	ASSERT_EQ(IPPROTO_UDP, s->protocol);
	ASSERT_EQ(XLB_FWD_DSR, s->fwd);
	ASSERT_EQ(XLB_ON_EMPTY_REJECT, s->on_empty);
	ASSERT_EQ(XLB_CHECK_TCP, s->health.type);
	ASSERT_EQ(10000, s->health.interval_ms);
	ASSERT_EQ(2000, s->health.timeout_ms);
	ASSERT_EQ(1, s->health.rise);
	ASSERT_EQ(5, s->health.fall);
	ASSERT_STR_EQ("198.18.2.2", addr_text(&s->members[1].addr));

	s = &cfg->services[3];
	ASSERT_STR_EQ("metrics", s->name);
	ASSERT_EQ(XLB_CHECK_NONE, s->health.type);
	ASSERT_EQ(XLB_ON_EMPTY_SORRY, s->on_empty);
	ASSERT_EQ(false, s->has_sorry);
	ASSERT_STR_EQ("collector", s->members[0].name);
	config_free(cfg);
}

TEST(pool_may_be_written_at_the_service_or_in_pool)
{
	struct xlb_config *cfg = load_ok("pool.yaml",
					 "services:\n"
					 "  - name: a\n"
					 "    vip: {ip: 198.18.0.1, port: 80, pool: {members: {m: [198.18.1.1, 80]}}}\n"
					 "  - name: b\n"
					 "    vip: {ip: 198.18.0.1, port: 81}\n"
					 "    pool: {members: {m: [198.18.1.1, 81]}, healthcheck: http}\n"
					 "  - name: c\n"
					 "    vip: {ip: 198.18.0.1, port: 82}\n"
					 "    members: {m: [198.18.1.1, 82]}\n");

	ASSERT_TRUE(cfg);
	ASSERT_EQ(3, cfg->n_services);
	ASSERT_EQ(XLB_CHECK_HTTP, cfg->services[1].health.type);
	for (size_t i = 0; i < 3; i++) {
		ASSERT_EQ(1, cfg->services[i].n_members);
		ASSERT_EQ(80 + i, cfg->services[i].members[0].port);
	}
	config_free(cfg);
}

TEST(values_accept_quotes_compound_durations_and_one_interface)
{
	struct xlb_config *cfg = load_ok("values.yaml",
					 "global: {interfaces: eth0, tcp_idle_timeout: 1h30m}\n"
					 "service: s\n"
					 "vip: {ip: '198.18.0.1', port: \"80\"}\n"
					 "healthcheck: {interval: 1m30s, timeout: 1500ms}\n"
					 "members:\n"
					 "  fqdn: [backend.example.test., 80]\n"
					 "  v4: {address: 198.18.1.1, port: '8080', weight: 0}\n");

	ASSERT_TRUE(cfg);
	ASSERT_EQ(1, cfg->global.n_interfaces);
	ASSERT_STR_EQ("eth0", cfg->global.interfaces[0]);
	ASSERT_EQ(90 * 60 * 1000, cfg->global.tcp_idle_timeout_ms);
	ASSERT_EQ(80, cfg->services[0].port);
	ASSERT_EQ(90000, cfg->services[0].health.interval_ms);
	ASSERT_EQ(1500, cfg->services[0].health.timeout_ms);
	ASSERT_EQ(true, cfg->services[0].members[0].is_hostname);
	ASSERT_STR_EQ("backend.example.test.", cfg->services[0].members[0].host);
	ASSERT_EQ(8080, cfg->services[0].members[1].port);
	ASSERT_EQ(0, cfg->services[0].members[1].weight);
	config_free(cfg);
}

TEST(crlf_line_endings_and_bom_are_accepted)
{
	struct xlb_config *cfg = load_ok("crlf.yaml", "\xef\xbb\xbfservice: s\r\n"
						      "vip: {ip: 198.18.0.1, port: 80}\r\n"
						      "members:\r\n"
						      "  a: [198.18.1.1, 80]\r\n");

	ASSERT_TRUE(cfg);
	ASSERT_EQ(4, cfg->services[0].members[0].pos.line);
	config_free(cfg);
}

TEST(same_vip_and_port_may_serve_tcp_and_udp)
{
	struct xlb_config *cfg = load_ok("tcpudp.yaml",
					 "services:\n"
					 "  - {name: dns-tcp, vip: {ip: 198.18.0.53, port: 53}, members: {a: [198.18.1.1, 53]}}\n"
					 "  - {name: dns-udp, protocol: udp, vip: {ip: 198.18.0.53, port: 53}, members: {a: [198.18.1.1, 53]}}\n");

	ASSERT_TRUE(cfg);
	ASSERT_EQ(2, cfg->n_services);
	config_free(cfg);
}

TEST(data_plane_limits_are_reachable)
{
	/* Exactly XLB_MAX_SERVICES services and XLB_MAX_MEMBERS_PER_SERVICE
	 * members in one: the limits are inclusive. */
	size_t cap = 4u << 20, len = 0;
	char *text = malloc(cap);
	struct xlb_config *cfg;

	ASSERT_TRUE(text);
	len += snprintf(text + len, cap - len, "services:\n");
	for (int i = 0; i < XLB_MAX_SERVICES; i++) {
		len += snprintf(text + len, cap - len,
				"  - name: s%d\n    vip: {ip: 198.18.0.1, port: %d}\n    members:\n",
				i, 1000 + i);
		for (int m = 0; m < (i == 0 ? XLB_MAX_MEMBERS_PER_SERVICE : 1); m++)
			len += snprintf(text + len, cap - len, "      m%d: [198.18.%d.%d, 80]\n", m,
					m / 256, m % 256 + 0);
	}
	cfg = load_ok("limits.yaml", text);
	free(text);
	ASSERT_TRUE(cfg);
	ASSERT_EQ(XLB_MAX_SERVICES, cfg->n_services);
	ASSERT_EQ(XLB_MAX_MEMBERS_PER_SERVICE, cfg->services[0].n_members);
	config_free(cfg);
}

TEST(snat_takes_one_address_or_a_pool_of_up_to_the_data_plane_limit)
{
	size_t cap = 64 + XLB_MAX_SNAT_ADDRS * 24, len = 0;
	char *text = malloc(cap + 256);
	struct xlb_config *one, *pool;

	ASSERT_TRUE(text);
	one = load_ok("one.yaml", "service: s\n"
				  "vip: {ip: 198.18.0.1, port: 80}\n"
				  "snat: 198.18.0.2\n"
				  "members: {a: [198.18.1.1, 80]}\n");
	len += snprintf(text + len, cap - len, "service: s\nvip: {ip: 198.18.0.1, port: 80}\nsnat: [");
	for (int i = 0; i < XLB_MAX_SNAT_ADDRS; i++)
		len += snprintf(text + len, cap - len, "%s198.18.9.%d", i ? ", " : "", i + 1);
	snprintf(text + len, cap + 256 - len, "]\nmembers: {a: [198.18.1.1, 80]}\n");
	pool = load_ok("pool.yaml", text);
	free(text);
	ASSERT_TRUE(one && pool);
	ASSERT_EQ(1, one->services[0].n_snat);
	ASSERT_STR_EQ("198.18.0.2", addr_text(&one->services[0].snat[0]));
	ASSERT_EQ(XLB_MAX_SNAT_ADDRS, pool->services[0].n_snat);
	ASSERT_STR_EQ("198.18.9.64", addr_text(&pool->services[0].snat[XLB_MAX_SNAT_ADDRS - 1]));
	config_free(one);
	config_free(pool);
}

TEST(services_share_snat_pools_and_addresses_within_the_limit)
{
	/* Two services with the same pool of 40 and a third with one of its
	 * addresses take 40 + 1 of the 64 entries (counted as the most they
	 * can take); a fourth pool of 23 makes 64. */
	size_t cap = 16384, len = 0;
	char *text = malloc(cap);
	struct xlb_config *cfg;

	ASSERT_TRUE(text);
	len += snprintf(text + len, cap - len, "services:\n");
	for (int s = 0; s < 4; s++) {
		int n = s < 2 ? 40 : s == 2 ? 1 : 23, base = s < 3 ? 1 : 100;

		len += snprintf(text + len, cap - len,
				"  - {name: s%d, vip: {ip: 198.18.0.1, port: %d}, members: {m: "
				"[198.18.1.1, 80]}, snat: [", s, 1000 + s);
		for (int i = 0; i < n; i++)
			len += snprintf(text + len, cap - len, "%s198.18.9.%d", i ? ", " : "", base + i);
		len += snprintf(text + len, cap - len, "]}\n");
	}
	cfg = load_ok("share.yaml", text);
	free(text);
	ASSERT_TRUE(cfg);
	ASSERT_EQ(40, cfg->services[1].n_snat);
	ASSERT_EQ(23, cfg->services[3].n_snat);
	config_free(cfg);
}

TEST(a_member_may_back_several_services_unless_two_are_dnat)
{
	/* The same member behind a nat, a dsr and a dnat service; and behind
	 * two dnat services on different ports or protocols. */
	struct xlb_config *cfg = load_ok("share.yaml",
		"services:\n"
		"  - {name: n, vip: {ip: 198.18.0.1, port: 80}, members: {m: [198.18.1.1, 80]}}\n"
		"  - {name: r, vip: {ip: 198.18.0.2, port: 80}, forwarding: dsr, "
		"members: {m: [198.18.1.1, 80]}}\n"
		"  - {name: d, vip: {ip: 198.18.0.3, port: 80}, forwarding: dnat, "
		"members: {m: [198.18.1.1, 80]}}\n"
		"  - {name: d2, vip: {ip: 198.18.0.3, port: 81}, forwarding: dnat, "
		"members: {m: [198.18.1.1, 81]}}\n"
		"  - {name: du, vip: {ip: 198.18.0.3, port: 80}, protocol: udp, forwarding: dnat, "
		"members: {m: [198.18.1.1, 80]}}\n");

	ASSERT_TRUE(cfg);
	ASSERT_EQ(5, cfg->n_services);
	config_free(cfg);
}

TEST(config_load_returns_einval_and_no_config_for_a_bad_file)
{
	struct xlb_config *cfg = (struct xlb_config *)1;
	struct cfg_diag d;
	int err;

	cfg_diag_init(&d);
	err = config_load_buffer("x.yaml", "service: [", 10, &cfg, &d);
	ASSERT_EQ(-EINVAL, err);
	ASSERT_TRUE(cfg == NULL);
	ASSERT_EQ(1, d.total);
	cfg_diag_free(&d);
}

/* ---- helpers the parser and the daemon share ------------------------------ */

TEST(durations_format_in_the_largest_exact_unit)
{
	char buf[16];

	ASSERT_STR_EQ("2s", cfg_format_duration(2000, buf, sizeof(buf)));
	ASSERT_STR_EQ("1500ms", cfg_format_duration(1500, buf, sizeof(buf)));
	ASSERT_STR_EQ("90s", cfg_format_duration(90000, buf, sizeof(buf)));
	ASSERT_STR_EQ("1m", cfg_format_duration(60000, buf, sizeof(buf)));
	ASSERT_STR_EQ("3h", cfg_format_duration(3 * 3600 * 1000, buf, sizeof(buf)));
	ASSERT_STR_EQ("0s", cfg_format_duration(0, buf, sizeof(buf)));
}

TEST(hostnames_follow_rfc1123)
{
	char long_label[80], long_name[300];

	ASSERT_EQ(true, hostname_valid("example.com"));
	ASSERT_EQ(true, hostname_valid("a-b.example.com."));
	ASSERT_EQ(true, hostname_valid("1password.com"));
	ASSERT_EQ(true, hostname_valid("localhost"));
	ASSERT_EQ(false, hostname_valid("-a.example.com"));
	ASSERT_EQ(false, hostname_valid("a-.example.com"));
	ASSERT_EQ(false, hostname_valid("a..example.com"));
	ASSERT_EQ(false, hostname_valid("a_b.example.com"));
	ASSERT_EQ(false, hostname_valid("10.0.0.256"));
	ASSERT_EQ(false, hostname_valid(""));
	ASSERT_EQ(false, hostname_valid("."));
	memset(long_label, 'a', 64);
	long_label[64] = '\0';
	ASSERT_EQ(false, hostname_valid(long_label));
	long_label[63] = '\0';
	ASSERT_EQ(true, hostname_valid(long_label));
	for (int i = 0; i < 4; i++)
		snprintf(long_name + i * 64, 65, "%.63s.", long_label);
	ASSERT_EQ(false, hostname_valid(long_name)); /* 256 characters */
}

TEST(addresses_format_with_brackets_for_ipv6_ports)
{
	struct xlb_addr a, b;
	char buf[XLB_ADDR_PORT_STRLEN];

	ASSERT_EQ(0, addr_parse("fd00::1", &a));
	ASSERT_STR_EQ("[fd00::1]:443", addr_format_port(&a, 443, buf, sizeof(buf)));
	ASSERT_EQ(0, addr_parse("198.18.0.1", &b));
	ASSERT_STR_EQ("198.18.0.1:80", addr_format_port(&b, 80, buf, sizeof(buf)));
	ASSERT_EQ(false, addr_equal(&a, &b));
	ASSERT_EQ(-EINVAL, addr_parse("198.18.0.1/24", &a));
	ASSERT_EQ(true, addr_is_unusable(&(struct xlb_addr){.family = AF_INET}));
}
