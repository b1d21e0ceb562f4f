// SPDX-License-Identifier: MIT
/* xlb check FILE [--json]: validate a configuration and print the plan xlb
 * would apply, with every default filled in. */
#include "cmd/check.h"

#include <errno.h>
#include <string.h>

#include "cmd/opts.h"
#include "lib/abi_text.h"
#include "lib/json.h"

/* ---- text ------------------------------------------------------------------ */

static const char *plural(size_t n)
{
	return n == 1 ? "" : "s";
}

/* "http GET /health -> 200, every 2s, timeout 1s, rise 2, fall 3".
 * member_port: the port a check without its own port goes to (0: say so). */
static const char *health_text(const struct cfg_health *h, uint16_t member_port, char *buf,
			       size_t len)
{
	char iv[16], to[16], port[24] = "";
	int n = 0;

	if (h->type == XLB_CHECK_NONE) {
		snprintf(buf, len, "none (members count as up)");
		return buf;
	}
	if (h->port)
		snprintf(port, sizeof(port), " on port %u", h->port);
	else if (!member_port)
		snprintf(port, sizeof(port), " on the member port");
	n = snprintf(buf, len, "%s%s", xlb_check_type_str(h->type), port);
	if (h->type == XLB_CHECK_HTTP && n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, " GET %s -> %u", h->path, h->expect);
	if (n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, ", every %s, timeout %s, rise %u, fall %u",
			 cfg_format_duration(h->interval_ms, iv, sizeof(iv)),
			 cfg_format_duration(h->timeout_ms, to, sizeof(to)), h->rise, h->fall);
	return buf;
}

static const char *member_address(const struct cfg_member *m, char *buf, size_t len)
{
	if (m->is_hostname)
		snprintf(buf, len, "%s (DNS)", m->host);
	else
		addr_format(&m->addr, buf, len);
	return buf;
}

static const char *socket_lb_text(const struct xlb_config *cfg, char *buf, size_t len)
{
	const struct cfg_socket_lb_opts *o = &cfg->global.socket_lb;
	bool on = cfg_socket_lb_on(cfg);

	if (!on) {
		snprintf(buf, len, "%s", o->enabled == CFG_SOCKET_LB_AUTO
						 ? "auto: off (no VIP on loopback)"
						 : "off");
		return buf;
	}
	snprintf(buf, len, "%s, sockets of %s, at %s",
		 o->enabled == CFG_SOCKET_LB_AUTO ? "auto: on (a VIP on loopback)" : "on",
		 o->all_namespaces ? "every network namespace" : "the daemon's network namespace",
		 o->cgroup[0] ? o->cgroup : "the cgroup v2 root");
	return buf;
}

/* ---- announce: shown only when the file has it ------------------------------ */

static void print_global_announce(const struct cfg_announce_global *a, FILE *out)
{
	if (a->table)
		fprintf(out, "  %-22s table %u (a route per served VIP, protocol 248)\n", "announce",
			a->table);
	if (a->l2)
		fprintf(out, "  %-22s l2 (ARP and neighbour solicitation answered for served VIPs)\n",
			a->table ? "" : "announce");
}

static void print_service_announce(const struct xlb_config *cfg, const struct cfg_service *svc,
				   FILE *out)
{
	char t[16];

	if (!cfg->global.announce.table && !cfg->global.announce.l2)
		return;
	if (!svc->announce.enabled || cfg_vip_is_local(svc)) {
		fprintf(out, "  %-11s off%s\n", "announce",
			svc->announce.enabled ? " (a loopback VIP)" : "");
		return;
	}
	fprintf(out, "  %-11s with %u serving member%s or more", "announce",
		svc->announce.min_members, plural(svc->announce.min_members));
	if (svc->announce.up_delay_ms)
		fprintf(out, ", after %s of it (up_delay)",
			cfg_format_duration(svc->announce.up_delay_ms, t, sizeof(t)));
	fprintf(out, "\n");
}

static void json_announce_global(struct json_writer *w, const struct cfg_announce_global *a)
{
	json_key(w, "announce");
	json_object_begin(w);
	json_key(w, "table");
	if (a->table)
		json_uint(w, a->table);
	else
		json_null(w);
	json_kv_bool(w, "l2", a->l2);
	json_object_end(w);
}

static void json_announce_service(struct json_writer *w, const struct cfg_service *svc)
{
	json_key(w, "announce");
	json_object_begin(w);
	json_kv_bool(w, "enabled", svc->announce.enabled && !cfg_vip_is_local(svc));
	json_kv_uint(w, "min_members", svc->announce.min_members);
	json_kv_uint(w, "up_delay_ms", svc->announce.up_delay_ms);
	json_object_end(w);
}

static const char *half_open_text(const struct tables_plan *p, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%u", p->half_open_entries);

	if (n < 0 || (size_t)n >= len)
		return buf;
	if (p->half_open_default && p->half_open_entries < p->flow_entries / XLB_HALFOPEN_DIVISOR)
		snprintf(buf + n, len - (size_t)n, " (default: the NAT ports of a nat member, "
			 "under flow_table_size / %u)", XLB_HALFOPEN_DIVISOR);
	else if (p->half_open_default && p->flow_entries / XLB_HALFOPEN_DIVISOR < XLB_HALFOPEN_MIN)
		snprintf(buf + n, len - (size_t)n, " (default: the smallest size; flow_table_size / "
			 "%u is less)", XLB_HALFOPEN_DIVISOR);
	else if (p->half_open_default)
		snprintf(buf + n, len - (size_t)n, " (default: flow_table_size / %u)",
			 XLB_HALFOPEN_DIVISOR);
	else if (p->half_open_above_ports)
		snprintf(buf + n, len - (size_t)n, " (above the %llu NAT ports of a nat member: "
			 "a flood aimed at it can hold more than half of them)",
			 (unsigned long long)p->nat_ports);
	return buf;
}

/* The kernel memory both tables take from the start, and whether this
 * host could give it now (`xlb run` here refuses what it cannot). */
static const char *table_memory_text(const struct tables_plan *p, char *buf, size_t len)
{
	char need[32], usable[32];
	int n;

	n = snprintf(buf, len, "%s (%llu entries of %u bytes, taken at start)",
		     xlb_bytes_str(p->bytes, need, sizeof(need)),
		     (unsigned long long)p->flow_entries + p->half_open_entries, XLB_FLOW_ENTRY_BYTES);
	if (!p->fits && n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, "; more than this host can give now (%s, three "
			 "quarters of MemAvailable): 'xlb run' here refuses it",
			 xlb_bytes_str(p->usable, usable, sizeof(usable)));
	return buf;
}

static void print_global(const struct xlb_config *cfg, const struct tables_plan *p, FILE *out)
{
	const struct cfg_global *g = &cfg->global;
	const struct {
		const char *key;
		uint32_t ms;
	} durations[] = {
		{ "tcp_half_open_timeout", g->tcp_half_open_timeout_ms },
		{ "tcp_idle_timeout", g->tcp_idle_timeout_ms },
		{ "tcp_closing_timeout", g->tcp_closing_timeout_ms },
		{ "tcp_time_wait", g->tcp_time_wait_ms },
		{ "udp_idle_timeout", g->udp_idle_timeout_ms },
		{ "resolve_interval", g->resolve_interval_ms },
	};
	char sl[CFG_CGROUP_PATH_MAX + 128], text[256];
	char t[16];

	fprintf(out, "global\n  %-22s ", "interfaces");
	if (!g->n_interfaces)
		fprintf(out, "(none: give them with 'xlb run -i IFACE')");
	for (size_t i = 0; i < g->n_interfaces; i++)
		fprintf(out, "%s%s", i ? ", " : "", g->interfaces[i]);
	fprintf(out, "\n  %-22s %u\n", "flow_table_size", g->flow_table_size);
	fprintf(out, "  %-22s %s\n", "half_open_table_size", half_open_text(p, text, sizeof(text)));
	for (size_t i = 0; i < sizeof(durations) / sizeof(durations[0]); i++)
		fprintf(out, "  %-22s %s\n", durations[i].key,
			cfg_format_duration(durations[i].ms, t, sizeof(t)));
	fprintf(out, "  %-22s %s\n", "socket_lb", socket_lb_text(cfg, sl, sizeof(sl)));
	fprintf(out, "  %-22s %s\n", "table memory", table_memory_text(p, text, sizeof(text)));
	print_global_announce(&g->announce, out);
	if (g->metrics.enabled)
		fprintf(out, "  %-22s http://%s/metrics\n", "metrics",
			addr_format_port(&g->metrics.addr, g->metrics.port, text, sizeof(text)));
}

static void print_members(const struct cfg_service *svc, FILE *out)
{
	int name_w = 4, addr_w = 7;
	char addr[XLB_HOSTNAME_MAX + 8], health[CFG_HTTP_PATH_MAX + 128];

	for (size_t i = 0; i < svc->n_members; i++) {
		int nl = (int)strlen(svc->members[i].name);
		int al = (int)strlen(member_address(&svc->members[i], addr, sizeof(addr)));

		name_w = nl > name_w ? nl : name_w;
		addr_w = al > addr_w ? al : addr_w;
	}
	fprintf(out, "    %-*s  %-*s  %5s  %6s  %s\n", name_w, "NAME", addr_w, "ADDRESS",
		"PORT", "WEIGHT", "HEALTH");
	for (size_t i = 0; i < svc->n_members; i++) {
		const struct cfg_member *m = &svc->members[i];
		const char *h = cfg_health_equal(&m->health, &svc->health)
					? "as service"
					: health_text(&m->health, m->port, health, sizeof(health));

		fprintf(out, "    %-*s  %-*s  %5u  %6u  %s%s\n", name_w, m->name, addr_w,
			member_address(m, addr, sizeof(addr)), m->port, m->weight, h,
			m->weight ? "" : " (drained: weight 0)");
	}
}

/* ", source 198.18.0.2 (36280 NAT ports per member)", a pool's addresses
 * after "source pool". */
static void print_nat_source(const struct cfg_service *svc, const struct tables_host *h, FILE *out)
{
	char a[INET6_ADDRSTRLEN];

	if (!svc->n_snat)
		fprintf(out, ", source the outgoing interface's address");
	for (size_t i = 0; i < svc->n_snat; i++)
		fprintf(out, "%s%s", i ? ", " : svc->n_snat > 1 ? ", source pool " : ", source ",
			addr_format(&svc->snat[i], a, sizeof(a)));
	fprintf(out, " (%llu NAT ports per member)",
		(unsigned long long)h->nat_ports * (svc->n_snat ? svc->n_snat : 1));
}

static void print_service(const struct xlb_config *cfg, const struct cfg_service *svc,
			  const struct tables_host *h, FILE *out)
{
	char vip[XLB_ADDR_PORT_STRLEN], a[XLB_ADDR_PORT_STRLEN], health[CFG_HTTP_PATH_MAX + 128];

	fprintf(out, "\nservice %s  %s/%s\n", svc->name,
		addr_format_port(&svc->vip, svc->port, vip, sizeof(vip)),
		xlb_proto_str(svc->protocol));
	fprintf(out, "  %-11s %s\n", "scheduler", xlb_sched_str(svc->sched));
	fprintf(out, "  %-11s %s", "forwarding", xlb_fwd_str(svc->fwd));
	if (svc->fwd == XLB_FWD_NAT)
		print_nat_source(svc, h, out);
	fprintf(out, "\n  %-11s %s", "on_empty", xlb_on_empty_str(svc->on_empty));
	if (svc->on_empty == XLB_ON_EMPTY_SORRY)
		fprintf(out, " -> %s", svc->has_sorry ? addr_format_port(&svc->sorry_addr,
									 svc->sorry_port, a, sizeof(a))
						      : "xlb's HTTP 503 page");
	fprintf(out, "\n  %-11s %s\n", "health", health_text(&svc->health, 0, health, sizeof(health)));
	print_service_announce(cfg, svc, out);
	fprintf(out, "  members (%zu)\n", svc->n_members);
	print_members(svc, out);
}

void check_print_plan(const struct xlb_config *cfg, const struct tables_host *h, FILE *out)
{
	struct tables_plan p;

	tables_plan(cfg, h, &p);
	fprintf(out, "%s: valid, %zu service%s, %zu member%s\n\n", cfg->source, cfg->n_services,
		plural(cfg->n_services), cfg->n_members, plural(cfg->n_members));
	print_global(cfg, &p, out);
	for (size_t i = 0; i < cfg->n_services; i++)
		print_service(cfg, &cfg->services[i], h, out);
}

/* ---- JSON ------------------------------------------------------------------ */

static void json_address(struct json_writer *w, const char *key, const struct xlb_addr *a)
{
	char text[INET6_ADDRSTRLEN];

	json_kv_string(w, key, addr_format(a, text, sizeof(text)));
}

/* member_port: the effective check port when the check has none of its own
 * (0 at the service level: written as null, "each member's port"). */
static void json_health(struct json_writer *w, const struct cfg_health *h, uint16_t member_port)
{
	uint16_t port = h->port ? h->port : member_port;

	json_key(w, "health");
	json_object_begin(w);
	json_kv_string(w, "type", xlb_check_type_str(h->type));
	json_key(w, "port");
	if (port)
		json_uint(w, port);
	else
		json_null(w);
	json_kv_uint(w, "interval_ms", h->interval_ms);
	json_kv_uint(w, "timeout_ms", h->timeout_ms);
	json_kv_uint(w, "rise", h->rise);
	json_kv_uint(w, "fall", h->fall);
	if (h->type == XLB_CHECK_HTTP) {
		json_kv_string(w, "path", h->path);
		json_kv_uint(w, "expect", h->expect);
	}
	json_object_end(w);
}

static void json_position(struct json_writer *w, struct cfg_pos pos)
{
	json_kv_uint(w, "line", pos.line);
	json_kv_uint(w, "column", pos.col);
}

static void json_member(struct json_writer *w, const struct cfg_member *m)
{
	json_object_begin(w);
	json_kv_string(w, "name", m->name);
	if (m->is_hostname)
		json_kv_string(w, "address", m->host);
	else
		json_address(w, "address", &m->addr);
	json_kv_bool(w, "hostname", m->is_hostname);
	json_kv_uint(w, "port", m->port);
	json_kv_uint(w, "weight", m->weight);
	json_health(w, &m->health, m->port);
	json_position(w, m->pos);
	json_object_end(w);
}

static void json_service(struct json_writer *w, const struct cfg_service *svc,
			 const struct tables_host *h)
{
	char a[INET6_ADDRSTRLEN];

	json_object_begin(w);
	json_kv_string(w, "name", svc->name);
	json_address(w, "vip", &svc->vip);
	json_kv_uint(w, "port", svc->port);
	json_kv_string(w, "protocol", xlb_proto_str(svc->protocol));
	json_kv_string(w, "scheduler", xlb_sched_str(svc->sched));
	json_kv_string(w, "forwarding", xlb_fwd_str(svc->fwd));
	json_kv_string(w, "on_empty", xlb_on_empty_str(svc->on_empty));
	json_key(w, "sorry_address");
	if (svc->has_sorry) {
		json_object_begin(w);
		json_address(w, "address", &svc->sorry_addr);
		json_kv_uint(w, "port", svc->sorry_port);
		json_object_end(w);
	} else {
		json_null(w);
	}
	json_key(w, "snat");
	if (svc->n_snat) {
		json_array_begin(w);
		for (size_t i = 0; i < svc->n_snat; i++)
			json_string(w, addr_format(&svc->snat[i], a, sizeof(a)));
		json_array_end(w);
	} else {
		json_null(w);
	}
	if (svc->fwd == XLB_FWD_NAT)
		json_kv_uint(w, "nat_ports_per_member",
			     (uint64_t)h->nat_ports * (svc->n_snat ? svc->n_snat : 1));
	json_health(w, &svc->health, 0);
	json_position(w, svc->pos);
	json_key(w, "members");
	json_array_begin(w);
	for (size_t i = 0; i < svc->n_members; i++)
		json_member(w, &svc->members[i]);
	json_array_end(w);
	json_announce_service(w, svc);
	json_object_end(w);
}

static void json_tables(struct json_writer *w, const struct tables_plan *p)
{
	json_key(w, "tables");
	json_object_begin(w);
	json_kv_uint(w, "flow_entries", p->flow_entries);
	json_kv_uint(w, "half_open_entries", p->half_open_entries);
	json_kv_uint(w, "bytes_per_entry", XLB_FLOW_ENTRY_BYTES);
	json_kv_uint(w, "bytes", p->bytes);
	json_kv_uint(w, "nat_ports", p->nat_ports);
	json_kv_bool(w, "fits_this_host", p->fits);
	json_object_end(w);
}

void check_print_json(const struct xlb_config *cfg, const struct tables_host *h, FILE *out)
{
	const struct cfg_global *g = &cfg->global;
	struct json_writer w;
	struct tables_plan p;

	tables_plan(cfg, h, &p);
	json_init(&w, out, true);
	json_object_begin(&w);
	json_kv_string(&w, "file", cfg->source);
	json_kv_bool(&w, "valid", true);
	json_key(&w, "global");
	json_object_begin(&w);
	json_key(&w, "interfaces");
	json_array_begin(&w);
	for (size_t i = 0; i < g->n_interfaces; i++)
		json_string(&w, g->interfaces[i]);
	json_array_end(&w);
	json_kv_uint(&w, "flow_table_size", g->flow_table_size);
	json_kv_uint(&w, "half_open_table_size", p.half_open_entries);
	json_kv_bool(&w, "half_open_table_size_default", p.half_open_default);
	json_kv_uint(&w, "tcp_half_open_timeout_ms", g->tcp_half_open_timeout_ms);
	json_kv_uint(&w, "tcp_idle_timeout_ms", g->tcp_idle_timeout_ms);
	json_kv_uint(&w, "tcp_closing_timeout_ms", g->tcp_closing_timeout_ms);
	json_kv_uint(&w, "tcp_time_wait_ms", g->tcp_time_wait_ms);
	json_kv_uint(&w, "udp_idle_timeout_ms", g->udp_idle_timeout_ms);
	json_kv_uint(&w, "resolve_interval_ms", g->resolve_interval_ms);
	json_key(&w, "socket_lb");
	json_object_begin(&w);
	json_kv_string(&w, "enabled", cfg_socket_lb_words[g->socket_lb.enabled]);
	json_kv_bool(&w, "active", cfg_socket_lb_on(cfg));
	json_kv_bool(&w, "all_namespaces", g->socket_lb.all_namespaces);
	json_key(&w, "cgroup");
	if (g->socket_lb.cgroup[0])
		json_string(&w, g->socket_lb.cgroup);
	else
		json_null(&w);
	json_object_end(&w);
	json_tables(&w, &p);
	json_announce_global(&w, &g->announce);
	json_key(&w, "metrics");
	if (g->metrics.enabled) {
		char listen[XLB_ADDR_PORT_STRLEN];

		json_object_begin(&w);
		json_kv_string(&w, "listen", addr_format_port(&g->metrics.addr, g->metrics.port, listen,
							      sizeof(listen)));
		json_object_end(&w);
	} else {
		json_null(&w);
	}
	json_object_end(&w);
	json_key(&w, "services");
	json_array_begin(&w);
	for (size_t i = 0; i < cfg->n_services; i++)
		json_service(&w, &cfg->services[i], h);
	json_array_end(&w);
	json_object_end(&w);
	json_finish(&w);
}

void check_print_errors_json(const struct cfg_diag *d, FILE *out)
{
	struct json_writer w;

	json_init(&w, out, true);
	json_object_begin(&w);
	json_kv_string(&w, "file", d->file ? d->file : "");
	json_kv_bool(&w, "valid", false);
	json_kv_uint(&w, "error_count", d->total);
	json_key(&w, "errors");
	json_array_begin(&w);
	for (size_t i = 0; i < d->n; i++) {
		json_object_begin(&w);
		json_position(&w, d->errors[i].pos);
		json_kv_string(&w, "message", d->errors[i].msg);
		json_object_end(&w);
	}
	json_array_end(&w);
	json_object_end(&w);
	json_finish(&w);
}

/* ---- the command ------------------------------------------------------------ */

static int check_run(const struct cli_args *a)
{
	const char *file = a->args[0];
	struct tables_host host;
	struct xlb_config *cfg = NULL;
	struct cfg_diag diag;
	int err;

	cfg_diag_init(&diag);
	err = config_load_file(file, &cfg, &diag);
	if (err) {
		/* diag.file: "<stdin>" for "-" */
		const char *name = diag.file ? diag.file : file;

		cfg_diag_print(&diag, stderr);
		if (diag.total)
			fprintf(stderr, "xlb: %zu error%s in %s\n", diag.total, plural(diag.total),
				name);
		else
			fprintf(stderr, "xlb: cannot load %s: %s\n", name, strerror(-err));
		if (a->json)
			check_print_errors_json(&diag, stdout);
		cfg_diag_free(&diag);
		return XLB_EXIT_FAIL;
	}
	tables_host_read(&host);
	if (a->json)
		check_print_json(cfg, &host, stdout);
	else
		check_print_plan(cfg, &host, stdout);
	config_free(cfg);
	cfg_diag_free(&diag);
	return XLB_EXIT_OK;
}

const struct command cmd_check = {
	.name = "check",
	.summary = "validate a configuration file and print the plan",
	.usage = "usage: xlb check FILE [--json]\n"
		 "\n"
		 "Reads FILE (YAML, see docs/config.md), reports every problem as\n"
		 "FILE:LINE:COL: message, or prints the services, members, health\n"
		 "checks and global settings xlb would apply, defaults filled in.\n"
		 "Nothing is resolved, loaded or attached.  FILE must be a regular\n"
		 "file (a FIFO, device or directory is refused); '-' reads standard\n"
		 "input, and errors then name it <stdin>.\n"
		 "\n"
		 "options:\n"
		 "  -j, --json   print the plan (or the errors) as JSON on stdout\n"
		 "  -h, --help   show this help\n"
		 "\n"
		 "exit status: 0 valid, 1 invalid, 2 usage error\n"
		 "\n"
		 "examples:\n"
		 "  xlb check /etc/xlb/xlb.yaml\n"
		 "  xlb check /etc/xlb/xlb.yaml --json\n",
	.options = CLI_O(CLI_OPT_JSON),
	.args = "FILE",
	.run = check_run,
};
