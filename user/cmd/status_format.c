// SPDX-License-Identifier: MIT
/* `xlb status` written out from a view (cmd/status_view.h): text for a
 * person, JSON for a program (docs/operations.md names every key). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/status_announce.h"
#include "cmd/status_view.h"
#include "lib/abi_text.h"
#include "lib/json.h"
#include "dp/sockhook.h"

int status_view_alloc(struct status_view *v)
{
	int err = dp_view_alloc(&v->dp);

	if (err)
		return err;
	v->routes = status_routes_new();
	if (!v->routes) {
		status_view_free(v);
		return -ENOMEM;
	}
	return 0;
}

void status_view_free(struct status_view *v)
{
	dp_view_free(&v->dp);
	status_routes_free(v->routes);
	v->routes = NULL;
}

static __u64 nat_ports_free(const struct status_view *v, __u32 id)
{
	__u64 all = dp_view_nat_ports(&v->dp, id), used = v->dp.census.mbr[id].nat_ports;

	return all > used ? all - used : 0;
}

static bool have_census(const struct status_view *v)
{
	return v->dp.census.err == 0 && v->dp.census.total.gen;
}

static __u64 census_age_ns(const struct status_view *v)
{
	return v->now_ns > v->dp.census.total.swept_ns ? v->now_ns - v->dp.census.total.swept_ns : 0;
}

/* "0.4s" under 10 s, else as xlb_age_str. */
static const char *age_text(__u64 ns, char *buf, size_t len)
{
	if (ns < 10000000000ULL)
		snprintf(buf, len, "%.1fs", (double)ns / 1e9);
	else
		xlb_age_str(ns / 1000000000ULL, buf, len);
	return buf;
}

static double percent(__u64 part, __u64 whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0;
}

const char *status_member_state_text(const struct view_member *m)
{
	if (m->admin == XLB_ADMIN_DRAIN)
		return m->info.state == XLB_HEALTH_UP ? "DRAIN" : "DRAIN+DOWN";
	return xlb_health_str(m->info.state);
}

/* ---- text ----------------------------------------------------------------- */

static void text_sweep(const struct status_view *v, FILE *out)
{
	char age[16], before[16];
	double took_ms = (double)v->dp.census.total.duration_ns / 1e6;

	if (!have_census(v)) {
		fprintf(out, "last sweep: none yet (connection counts unknown)");
		if (v->swept_here && v->sweep_err)
			fprintf(out, "; this command could not run one: %s",
				v->sweep_err == -ENOENT ? "no sweeper is pinned" : strerror(-v->sweep_err));
		fprintf(out, "\n");
		return;
	}
	if (v->swept_here && !v->sweep_err) {
		fprintf(out, "last sweep: just now, run by this command (took %.1f ms; ", took_ms);
		if (v->age_before_ns)
			fprintf(out, "the one before was %s old)\n", age_text(v->age_before_ns, before, sizeof(before)));
		else
			fprintf(out, "none before)\n");
		return;
	}
	fprintf(out, "last sweep: %s ago (took %.1f ms)", age_text(census_age_ns(v), age, sizeof(age)),
		took_ms);
	if (v->swept_here)
		fprintf(out, "; this command could not run one: %s",
			v->sweep_err == -ENOENT ? "no sweeper is pinned" : strerror(-v->sweep_err));
	fprintf(out, "\n");
}

static void text_tables(const struct status_view *v, FILE *out)
{
	const struct xlb_census *c = &v->dp.census.total;
	__u64 refused = census_refused(v->dp.census.reasons), episodes = v->dp.census.events[XLB_EV_FULL_EPISODES];
	char took[16];

	fprintf(out, "flow table: %u of %u entries (%.1f%%)", c->flows_entries, c->flows_max,
		percent(c->flows_entries, c->flows_max));
	if (v->dp.census.state.full)
		fprintf(out, ", FULL for %s: new connections are refused (raise global.flow_table_size)",
			age_text(v->now_ns > v->dp.census.state.full_since_ns ? v->now_ns - v->dp.census.state.full_since_ns : 0,
				 took, sizeof(took)));
	else
		fprintf(out, ", not full");
	fprintf(out, "\nhalf-open table: %u of %u entries (%.1f%%), %llu evicted\n", c->halfopen_entries,
		c->halfopen_max, percent(c->halfopen_entries, c->halfopen_max),
		(unsigned long long)xlb_census_half_open_evicted(c, v->dp.census.events));
	fprintf(out, "connections: %u established, %u closing, %u half-open, %u udp\n",
		c->total.established, c->total.closing, c->total.half_open, c->total.udp);
	if (refused)
		fprintf(out, "refused (flow table full): %llu in %llu episode%s (tx_rst_table_full %llu, "
			     "tx_unreach_table_full %llu, drop_table_full %llu)\n",
			(unsigned long long)refused, (unsigned long long)episodes, episodes == 1 ? "" : "s",
			(unsigned long long)v->dp.census.reasons[XLB_R_TX_RST_TABLE_FULL],
			(unsigned long long)v->dp.census.reasons[XLB_R_TX_UNREACH_TABLE_FULL],
			(unsigned long long)v->dp.census.reasons[XLB_R_DROP_TABLE_FULL]);
	else
		fprintf(out, "refused (flow table full): none\n");
	text_sweep(v, out);
}

static void text_header(const struct status_view *v, FILE *out)
{
	if (v->daemon > 0)
		fprintf(out, "xlb at %s: daemon running (PID %d)\n", v->pin_dir, (int)v->daemon);
	else
		fprintf(out, "xlb at %s: no daemon running; the data plane keeps serving what "
			     "was last published (no health checks)\n",
			v->pin_dir);
	fprintf(out, "interfaces:");
	for (int i = 0; i < v->n_ifaces; i++)
		fprintf(out, "%s %s (%s%s)", i ? "," : "", v->ifaces[i].name, v->ifaces[i].mode,
			strncmp(v->ifaces[i].mode, "tc", 2) && strcmp(v->ifaces[i].mode, "detached") ? " XDP" : "");
	fprintf(out, "%s\n", v->n_ifaces ? "" : " none attached");
	if (v->n_sock_hooks)
		fprintf(out, "socket hooks: attached at %s (%d of %d hooks)\n", v->sock_cgroup,
			v->n_sock_hooks, SOCKHOOK_N_HOOKS);
	else
		fprintf(out, "socket hooks: none attached\n");
	text_tables(v, out);
}

static void text_members(const struct status_view *v, const struct view_service *s, const __u32 *ids,
			 size_t n, FILE *out)
{
	const bool nat = s->info.forwarding == XLB_FWD_NAT;
	char a[64], b[32], lat[16], age[16], last[80], ports[32];
	int w = 6;

	for (size_t i = 0; i < n; i++) {
		int len = (int)strlen(v->dp.mbr[ids[i]].info.name);

		w = len > w ? len : w;
	}
	fprintf(out, "  %-*s  %-22s %-10s %-6s %-6s %-26s %9s %7s %9s %s%9s %10s\n", w, "MEMBER",
		"ADDRESS", "STATE", "SINCE", "WEIGHT", "LAST CHECK", "LATENCY", "ACTIVE", "HALF-OPEN",
		nat ? "NAT PORTS USED/FREE " : "", "NEW CONNS", "BYTES IN");
	for (size_t i = 0; i < n; i++) {
		const struct view_member *m = &v->dp.mbr[ids[i]];
		const struct xlb_census_count *c = &v->dp.census.mbr[ids[i]];
		__u64 since = m->info.state_since_unix_ms / 1000;

		if (m->info.last_check_unix_ms)
			snprintf(lat, sizeof(lat), "%.1f ms", m->info.latency_us / 1000.0);
		else
			snprintf(lat, sizeof(lat), "-");
		snprintf(last, sizeof(last), "%s", m->info.last_check[0] ? m->info.last_check : "-");
		snprintf(ports, sizeof(ports), "%u/%llu", c->nat_ports,
			 (unsigned long long)nat_ports_free(v, ids[i]));
		fprintf(out, "  %-*s  %-22s %-10s %-6s %-6u %-26s %9s %7u %9u ", w, m->info.name,
			xlb_ip_port_str(&m->info.addr, m->info.family, m->info.port, a, sizeof(a)),
			status_member_state_text(m),
			since && v->now_unix_s >= since ? xlb_age_str(v->now_unix_s - since, age, sizeof(age)) : "-",
			m->info.weight, last, lat, census_active(c), c->half_open);
		if (nat)
			fprintf(out, "%19s ", ports);
		fprintf(out, "%9llu %10s\n", (unsigned long long)m->traffic.new_flows,
			xlb_bytes_str(m->traffic.fwd_bytes, b, sizeof(b)));
	}
}

static void text_service(const struct status_view *v, __u32 id, FILE *out)
{
	static __u32 ids[XLB_MAX_MEMBERS_PER_SERVICE];
	const struct view_service *s = &v->dp.svc[id];
	const struct xlb_census_count *c = &v->dp.census.svc[id];
	const struct xlb_traffic_stats *t = &s->traffic;
	char a[64], b[32], d[32];
	size_t n = dp_view_service_members(&v->dp, id, ids, XLB_MAX_MEMBERS_PER_SERVICE);

	fprintf(out, "\n%s  %s %s  %s, %s, on empty: %s  %u/%u members serving\n", s->info.name,
		xlb_proto_str(s->info.key.proto),
		xlb_ip_port_str(&s->info.key.vip, s->info.key.family, s->info.key.port, a, sizeof(a)),
		xlb_sched_str(s->info.scheduler), xlb_fwd_str(s->info.forwarding),
		xlb_on_empty_str(s->info.on_empty), s->info.n_serving, s->info.n_members);
	status_announce_text(v->routes, &s->info, v->daemon > 0, out);
	fprintf(out, "  active connections %u (half-open %u, closing %u), new connections %llu, "
		     "packets in %llu / out %llu, bytes in %s / out %s\n",
		census_active(c), c->half_open, c->closing, (unsigned long long)t->new_flows,
		(unsigned long long)t->fwd_packets, (unsigned long long)t->reply_packets,
		xlb_bytes_str(t->fwd_bytes, b, sizeof(b)), xlb_bytes_str(t->reply_bytes, d, sizeof(d)));
	text_members(v, s, ids, n, out);
}

void status_print_text(const struct status_view *v, FILE *out)
{
	int shown = 0;

	text_header(v, out);
	for (__u32 id = 0; id < XLB_MAX_SERVICES; id++) {
		if (!v->dp.svc[id].info.in_use)
			continue;
		text_service(v, id, out);
		shown++;
	}
	if (!shown)
		fprintf(out, "\nno services published\n");
	fprintf(out, "\npackets by outcome:");
	shown = 0;
	for (unsigned r = 0; r < XLB_R_MAX; r++) {
		if (!v->dp.census.reasons[r])
			continue;
		fprintf(out, "%s %s %llu", shown++ % 4 ? "," : "\n ", xlb_reason_name(r),
			(unsigned long long)v->dp.census.reasons[r]);
	}
	fprintf(out, "%s\n", shown ? "" : " none yet");
}

/* ---- JSON ------------------------------------------------------------------ */

static void json_traffic(struct json_writer *w, const struct xlb_traffic_stats *t)
{
	json_kv_uint(w, "new_connections", t->new_flows);
	json_kv_uint(w, "packets_in", t->fwd_packets);
	json_kv_uint(w, "bytes_in", t->fwd_bytes);
	json_kv_uint(w, "packets_out", t->reply_packets);
	json_kv_uint(w, "bytes_out", t->reply_bytes);
}

/* The census counts of a service or member. */
static void json_counts(struct json_writer *w, const struct xlb_census_count *c)
{
	json_kv_uint(w, "active_connections", census_active(c));
	json_kv_uint(w, "established", c->established);
	json_kv_uint(w, "closing", c->closing);
	json_kv_uint(w, "half_open", c->half_open);
	json_kv_uint(w, "udp", c->udp);
}

static void json_header(struct json_writer *w, const struct status_view *v)
{
	json_kv_string(w, "pin_dir", v->pin_dir);
	json_key(w, "daemon_pid");
	if (v->daemon > 0)
		json_uint(w, (uint64_t)v->daemon);
	else
		json_null(w);
	json_key(w, "interfaces");
	json_array_begin(w);
	for (int i = 0; i < v->n_ifaces; i++) {
		json_object_begin(w);
		json_kv_string(w, "name", v->ifaces[i].name);
		json_kv_uint(w, "ifindex", (uint64_t)v->ifaces[i].ifindex);
		json_kv_string(w, "mode", v->ifaces[i].mode);
		json_object_end(w);
	}
	json_array_end(w);
	json_key(w, "socket_hooks");
	if (v->n_sock_hooks) {
		json_object_begin(w);
		json_kv_string(w, "cgroup", v->sock_cgroup);
		json_kv_uint(w, "hooks", (uint64_t)v->n_sock_hooks);
		json_object_end(w);
	} else {
		json_null(w);
	}
}

static void json_tables(struct json_writer *w, const struct status_view *v)
{
	const struct xlb_census *c = &v->dp.census.total;

	json_key(w, "flow_table");
	json_object_begin(w);
	json_kv_uint(w, "entries", c->flows_entries);
	json_kv_uint(w, "max_entries", c->flows_max);
	json_kv_bool(w, "full", v->dp.census.state.full);
	json_key(w, "full_for_ms");
	if (v->dp.census.state.full)
		json_uint(w, v->now_ns > v->dp.census.state.full_since_ns
				     ? (v->now_ns - v->dp.census.state.full_since_ns) / 1000000
				     : 0);
	else
		json_null(w);
	json_kv_uint(w, "full_episodes", v->dp.census.events[XLB_EV_FULL_EPISODES]);
	json_object_end(w);
	json_key(w, "half_open_table");
	json_object_begin(w);
	json_kv_uint(w, "entries", c->halfopen_entries);
	json_kv_uint(w, "max_entries", c->halfopen_max);
	json_kv_uint(w, "evicted", xlb_census_half_open_evicted(c, v->dp.census.events));
	json_object_end(w);
	json_key(w, "connections");
	json_object_begin(w);
	json_kv_uint(w, "established", c->total.established);
	json_kv_uint(w, "closing", c->total.closing);
	json_kv_uint(w, "half_open", c->total.half_open);
	json_kv_uint(w, "udp", c->total.udp);
	json_kv_uint(w, "nat_ports", c->total.nat_ports);
	json_object_end(w);
	json_kv_uint(w, "nat_ports_per_address", v->dp.meta.nat_ports);
	json_key(w, "refused");
	json_object_begin(w);
	json_kv_uint(w, "total", census_refused(v->dp.census.reasons));
	json_kv_uint(w, "tx_rst_table_full", v->dp.census.reasons[XLB_R_TX_RST_TABLE_FULL]);
	json_kv_uint(w, "tx_unreach_table_full", v->dp.census.reasons[XLB_R_TX_UNREACH_TABLE_FULL]);
	json_kv_uint(w, "drop_table_full", v->dp.census.reasons[XLB_R_DROP_TABLE_FULL]);
	json_object_end(w);
	json_key(w, "sweep");
	json_object_begin(w);
	json_kv_bool(w, "census", have_census(v));
	json_key(w, "age_ms");
	if (have_census(v))
		json_uint(w, census_age_ns(v) / 1000000);
	else
		json_null(w);
	json_kv_uint(w, "duration_us", c->duration_ns / 1000);
	json_kv_uint(w, "generation", c->gen);
	json_kv_bool(w, "by_this_command", v->swept_here && !v->sweep_err);
	json_key(w, "error");
	if (v->swept_here && v->sweep_err)
		json_string(w, v->sweep_err == -ENOENT ? "no sweeper is pinned" : strerror(-v->sweep_err));
	else
		json_null(w);
	json_object_end(w);
	json_key(w, "events");
	json_object_begin(w);
	for (unsigned e = 0; e < XLB_EV_MAX; e++)
		json_kv_uint(w, xlb_event_name(e), v->dp.census.events[e]);
	json_object_end(w);
}

static void json_member(struct json_writer *w, const struct status_view *v, __u32 id, bool nat)
{
	const struct view_member *m = &v->dp.mbr[id];
	char a[64];

	json_object_begin(w);
	json_kv_uint(w, "id", id);
	json_kv_string(w, "name", m->info.name);
	json_kv_string(w, "address", xlb_ip_str(&m->info.addr, m->info.family, a, sizeof(a)));
	json_kv_uint(w, "port", ntohs(m->info.port));
	json_kv_string(w, "state", xlb_health_str(m->info.state));
	json_kv_string(w, "admin", xlb_admin_str(m->admin));
	json_kv_uint(w, "weight", m->info.weight);
	json_kv_uint(w, "state_since_unix_ms", m->info.state_since_unix_ms);
	json_kv_string(w, "last_check", m->info.last_check);
	json_kv_uint(w, "last_check_unix_ms", m->info.last_check_unix_ms);
	json_kv_uint(w, "latency_us", m->info.latency_us);
	json_counts(w, &v->dp.census.mbr[id]);
	json_key(w, "nat_ports");
	if (nat) {
		json_object_begin(w);
		json_kv_uint(w, "in_use", v->dp.census.mbr[id].nat_ports);
		json_kv_uint(w, "free", nat_ports_free(v, id));
		json_kv_uint(w, "snat_addresses", m->snat_n > 1 ? m->snat_n : 1);
		json_object_end(w);
	} else {
		json_null(w);
	}
	json_traffic(w, &m->traffic);
	json_object_end(w);
}

static void json_service(struct json_writer *w, const struct status_view *v, __u32 id)
{
	static __u32 ids[XLB_MAX_MEMBERS_PER_SERVICE];
	const struct view_service *s = &v->dp.svc[id];
	size_t n = dp_view_service_members(&v->dp, id, ids, XLB_MAX_MEMBERS_PER_SERVICE);
	char a[64];

	json_object_begin(w);
	json_kv_uint(w, "id", id);
	json_kv_string(w, "name", s->info.name);
	json_kv_string(w, "vip", xlb_ip_str(&s->info.key.vip, s->info.key.family, a, sizeof(a)));
	json_kv_uint(w, "port", ntohs(s->info.key.port));
	json_kv_string(w, "protocol", xlb_proto_str(s->info.key.proto));
	json_kv_string(w, "scheduler", xlb_sched_str(s->info.scheduler));
	json_kv_string(w, "forwarding", xlb_fwd_str(s->info.forwarding));
	json_kv_string(w, "on_empty", xlb_on_empty_str(s->info.on_empty));
	json_kv_uint(w, "members_serving", s->info.n_serving);
	json_counts(w, &v->dp.census.svc[id]);
	json_kv_uint(w, "nat_ports_in_use", v->dp.census.svc[id].nat_ports);
	json_traffic(w, &s->traffic);
	status_announce_json(v->routes, &s->info, v->daemon > 0, w);
	json_key(w, "members");
	json_array_begin(w);
	for (size_t i = 0; i < n; i++)
		json_member(w, v, ids[i], s->info.forwarding == XLB_FWD_NAT);
	json_array_end(w);
	json_object_end(w);
}

void status_print_json(const struct status_view *v, FILE *out)
{
	struct json_writer w;

	json_init(&w, out, true);
	json_object_begin(&w);
	json_header(&w, v);
	json_tables(&w, v);
	json_key(&w, "services");
	json_array_begin(&w);
	for (__u32 id = 0; id < XLB_MAX_SERVICES; id++)
		if (v->dp.svc[id].info.in_use)
			json_service(&w, v, id);
	json_array_end(&w);
	json_key(&w, "packets_by_outcome");
	json_object_begin(&w);
	for (unsigned r = 0; r < XLB_R_MAX; r++)
		json_kv_uint(&w, xlb_reason_name(r), v->dp.census.reasons[r]);
	json_object_end(&w);
	json_object_end(&w);
	json_finish(&w);
}
