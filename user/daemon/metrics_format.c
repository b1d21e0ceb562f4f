// SPDX-License-Identifier: MIT
/* The metrics in the Prometheus text format (0.0.4), from a view read once
 * (daemon/dp_view.h).  Names and labels follow HAProxy's built-in exporter
 * and node_exporter's IPVS collector: a family per quantity, service and
 * member as labels, _total for counters, seconds and bytes as units.  The
 * samples of a family come together, services in id order and members in
 * their pool's order, so that the output of a view is always the same. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/metrics.h"
#include "lib/abi_text.h"

/* Label values: backslash, double quote and line feed escaped. */
static void escaped(FILE *out, const char *s, bool quote)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", out);
		else if (*s == '\n')
			fputs("\\n", out);
		else if (*s == '"' && quote)
			fputs("\\\"", out);
		else
			fputc(*s, out);
	}
}

static void family(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s ", name);
	escaped(out, help, false); /* HELP escapes backslash and line feed only */
	fprintf(out, "\n# TYPE %s %s\n", name, type);
}

/* One sample: labels as name, value pairs ending with NULL. */
static void sample(FILE *out, const char *name, const char *const *labels, const char *value)
{
	fputs(name, out);
	for (size_t i = 0; labels && labels[i]; i += 2) {
		fprintf(out, "%s%s=\"", i ? "," : "{", labels[i]);
		escaped(out, labels[i + 1], true);
		fputc('"', out);
	}
	fprintf(out, "%s %s\n", labels && labels[0] ? "}" : "", value);
}

#define LABELS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static const char *u64_text(__u64 v, char *buf, size_t len)
{
	snprintf(buf, len, "%llu", (unsigned long long)v);
	return buf;
}

/* n / 10^digits, exactly: microseconds and milliseconds as seconds. */
static const char *fixed_text(__u64 n, unsigned digits, char *buf, size_t len)
{
	__u64 div = 1;

	for (unsigned i = 0; i < digits; i++)
		div *= 10;
	snprintf(buf, len, "%llu.%0*llu", (unsigned long long)(n / div), (int)digits,
		 (unsigned long long)(n % div));
	return buf;
}

/* ---- one sample per member or service, from a table ---------------------- */

struct scope {
	const struct dp_view *v;
	const __u32 *ids; /* members: every service's, in service then pool order */
	size_t n_ids;
};

/* Fills buf with the value of member (or service) id; false: no sample. */
typedef bool (*value_fn)(const struct dp_view *v, __u32 id, char *buf, size_t len);

struct per_id {
	const char *name, *type, *help;
	value_fn value;
};

static bool m_up(const struct dp_view *v, __u32 id, char *buf, size_t len)
{
	const struct view_member *m = &v->mbr[id];

	snprintf(buf, len, "%d", m->info.state == XLB_HEALTH_UP && m->admin != XLB_ADMIN_DRAIN);
	return true;
}

static bool m_drained(const struct dp_view *v, __u32 id, char *buf, size_t len)
{
	snprintf(buf, len, "%d", v->mbr[id].admin == XLB_ADMIN_DRAIN);
	return true;
}

static bool m_weight(const struct dp_view *v, __u32 id, char *buf, size_t len)
{
	u64_text(v->mbr[id].info.weight, buf, len);
	return true;
}

static bool m_since(const struct dp_view *v, __u32 id, char *buf, size_t len)
{
	fixed_text(v->mbr[id].info.state_since_unix_ms, 3, buf, len);
	return v->mbr[id].info.state_since_unix_ms != 0;
}

static bool m_check_duration(const struct dp_view *v, __u32 id, char *buf, size_t len)
{
	fixed_text(v->mbr[id].info.latency_us, 6, buf, len);
	return v->mbr[id].info.last_check_unix_ms != 0;
}

static bool m_last_check(const struct dp_view *v, __u32 id, char *buf, size_t len)
{
	fixed_text(v->mbr[id].info.last_check_unix_ms, 3, buf, len);
	return v->mbr[id].info.last_check_unix_ms != 0;
}

static bool m_new(const struct dp_view *v, __u32 id, char *buf, size_t len)
{
	u64_text(v->mbr[id].traffic.new_flows, buf, len);
	return true;
}

static bool m_active(const struct dp_view *v, __u32 id, char *buf, size_t len)
{
	u64_text(census_active(&v->census.mbr[id]), buf, len);
	return true;
}

static bool m_half_open(const struct dp_view *v, __u32 id, char *buf, size_t len)
{
	u64_text(v->census.mbr[id].half_open, buf, len);
	return true;
}

static bool m_closing(const struct dp_view *v, __u32 id, char *buf, size_t len)
{
	u64_text(v->census.mbr[id].closing, buf, len);
	return true;
}

static bool member_is_nat(const struct dp_view *v, __u32 id)
{
	return v->svc[v->mbr[id].info.service_id].info.forwarding == XLB_FWD_NAT;
}

static bool m_nat_in_use(const struct dp_view *v, __u32 id, char *buf, size_t len)
{
	u64_text(v->census.mbr[id].nat_ports, buf, len);
	return member_is_nat(v, id);
}

static bool m_nat_capacity(const struct dp_view *v, __u32 id, char *buf, size_t len)
{
	u64_text(dp_view_nat_ports(v, id), buf, len);
	return member_is_nat(v, id);
}

static const struct per_id member_metrics[] = {
	{ "xlb_member_up", "gauge", "1 when the member gets new connections (health UP, not drained), else 0.", m_up },
	{ "xlb_member_drained", "gauge", "1 while the member is drained (xlb drain), else 0.", m_drained },
	{ "xlb_member_weight", "gauge", "The member's weight in its service's slot table.", m_weight },
	{ "xlb_member_state_since_timestamp_seconds", "gauge",
	  "When the member entered its health state (Unix time).", m_since },
	{ "xlb_member_check_duration_seconds", "gauge", "How long the member's last health check took.",
	  m_check_duration },
	{ "xlb_member_last_check_timestamp_seconds", "gauge", "When the member was last checked (Unix time).",
	  m_last_check },
	{ "xlb_member_connections_total", "counter", "New connections the member was given.", m_new },
	{ "xlb_member_active_connections", "gauge",
	  "The member's open connections (TCP established, UDP flows) at the last sweep.", m_active },
	{ "xlb_member_half_open_connections", "gauge",
	  "The member's connections in the half-open table (handshakes) at the last sweep.", m_half_open },
	{ "xlb_member_closing_connections", "gauge",
	  "The member's TCP connections closing or closed, still held, at the last sweep.", m_closing },
	{ "xlb_nat_ports_in_use", "gauge", "NAT ports a nat member's connections hold at the last sweep.",
	  m_nat_in_use },
	{ "xlb_nat_ports_capacity", "gauge",
	  "NAT ports a nat member may hold (its snat addresses times the ports per address).", m_nat_capacity },
};

static void member_family(FILE *out, const struct scope *s, const struct per_id *f)
{
	family(out, f->name, f->type, f->help);
	for (size_t i = 0; i < s->n_ids; i++) {
		const struct view_member *m = &s->v->mbr[s->ids[i]];
		char val[32];

		if (f->value(s->v, s->ids[i], val, sizeof(val)))
			sample(out, f->name, LABELS("service", s->v->svc[m->info.service_id].info.name,
						    "member", m->info.name), val);
	}
}

static bool s_members(const struct dp_view *v, __u32 id, char *buf, size_t len)
{
	u64_text(v->svc[id].info.n_members, buf, len);
	return true;
}

static bool s_serving(const struct dp_view *v, __u32 id, char *buf, size_t len)
{
	u64_text(v->svc[id].info.n_serving, buf, len);
	return true;
}

static bool s_new(const struct dp_view *v, __u32 id, char *buf, size_t len)
{
	u64_text(v->svc[id].traffic.new_flows, buf, len);
	return true;
}

static bool s_active(const struct dp_view *v, __u32 id, char *buf, size_t len)
{
	u64_text(census_active(&v->census.svc[id]), buf, len);
	return true;
}

static bool s_half_open(const struct dp_view *v, __u32 id, char *buf, size_t len)
{
	u64_text(v->census.svc[id].half_open, buf, len);
	return true;
}

static bool s_closing(const struct dp_view *v, __u32 id, char *buf, size_t len)
{
	u64_text(v->census.svc[id].closing, buf, len);
	return true;
}

static const struct per_id service_metrics[] = {
	{ "xlb_service_members", "gauge", "Members of the service (a hostname counts each address).",
	  s_members },
	{ "xlb_service_members_serving", "gauge", "Members in the service's slot table now.", s_serving },
	{ "xlb_service_connections_total", "counter", "New connections to the service.", s_new },
	{ "xlb_service_active_connections", "gauge",
	  "The service's open connections (TCP established, UDP flows) at the last sweep.", s_active },
	{ "xlb_service_half_open_connections", "gauge",
	  "The service's connections in the half-open table at the last sweep.", s_half_open },
	{ "xlb_service_closing_connections", "gauge",
	  "The service's TCP connections closing or closed, still held, at the last sweep.", s_closing },
};

static void service_family(FILE *out, const struct dp_view *v, const struct per_id *f)
{
	family(out, f->name, f->type, f->help);
	for (__u32 id = 0; id < XLB_MAX_SERVICES; id++) {
		char val[32];

		if (v->svc[id].info.in_use && f->value(v, id, val, sizeof(val)))
			sample(out, f->name, LABELS("service", v->svc[id].info.name), val);
	}
}

/* ---- families with a label of their own ----------------------------------- */

static void member_info(FILE *out, const struct scope *s)
{
	char addr[64];

	family(out, "xlb_member_info", "gauge", "The member's address and check type; always 1.");
	for (size_t i = 0; i < s->n_ids; i++) {
		const struct view_member *m = &s->v->mbr[s->ids[i]];

		xlb_ip_port_str(&m->info.addr, m->info.family, m->info.port, addr, sizeof(addr));
		sample(out, "xlb_member_info",
		       LABELS("service", s->v->svc[m->info.service_id].info.name, "member", m->info.name,
			      "address", addr, "check", xlb_check_type_str(m->info.check_type)),
		       "1");
	}
}

static void member_state(FILE *out, const struct scope *s)
{
	family(out, "xlb_member_state", "gauge",
	       "The member's health state: 1 for the state it is in, 0 for the others.");
	for (size_t i = 0; i < s->n_ids; i++) {
		const struct view_member *m = &s->v->mbr[s->ids[i]];

		for (unsigned st = 0; st < XLB_HEALTH_N; st++)
			sample(out, "xlb_member_state",
			       LABELS("service", s->v->svc[m->info.service_id].info.name, "member",
				      m->info.name, "state", xlb_health_str(st)),
			       m->info.state == st ? "1" : "0");
	}
}

/* The traffic counters of members (or services), in and out. */
static void traffic(FILE *out, const struct scope *s, bool members, bool bytes)
{
	const char *name = members ? (bytes ? "xlb_member_bytes_total" : "xlb_member_packets_total")
				   : (bytes ? "xlb_service_bytes_total" : "xlb_service_packets_total");
	char help[160], in[32], outv[32];
	size_t n = members ? s->n_ids : XLB_MAX_SERVICES;

	snprintf(help, sizeof(help), "%s the %s forwarded: direction in is client to member, out is "
		 "member to client.", bytes ? "Bytes" : "Packets", members ? "member" : "service");
	family(out, name, "counter", help);
	for (size_t i = 0; i < n; i++) {
		const struct xlb_traffic_stats *t;
		const char *svc, *mbr = NULL;

		if (members) {
			const struct view_member *m = &s->v->mbr[s->ids[i]];

			t = &m->traffic;
			svc = s->v->svc[m->info.service_id].info.name;
			mbr = m->info.name;
		} else {
			if (!s->v->svc[i].info.in_use)
				continue;
			t = &s->v->svc[i].traffic;
			svc = s->v->svc[i].info.name;
		}
		u64_text(bytes ? t->fwd_bytes : t->fwd_packets, in, sizeof(in));
		u64_text(bytes ? t->reply_bytes : t->reply_packets, outv, sizeof(outv));
		if (members) {
			sample(out, name, LABELS("service", svc, "member", mbr, "direction", "in"), in);
			sample(out, name, LABELS("service", svc, "member", mbr, "direction", "out"), outv);
		} else {
			sample(out, name, LABELS("service", svc, "direction", "in"), in);
			sample(out, name, LABELS("service", svc, "direction", "out"), outv);
		}
	}
}

static void service_info(FILE *out, const struct dp_view *v)
{
	char vip[64];

	family(out, "xlb_service_info", "gauge",
	       "The service's VIP, protocol, scheduler, forwarding and no-member policy; always 1.");
	for (__u32 id = 0; id < XLB_MAX_SERVICES; id++) {
		const struct xlb_svc_info *i = &v->svc[id].info;

		if (!i->in_use)
			continue;
		xlb_ip_port_str(&i->key.vip, i->key.family, i->key.port, vip, sizeof(vip));
		sample(out, "xlb_service_info",
		       LABELS("service", i->name, "vip", vip, "protocol", xlb_proto_str(i->key.proto),
			      "scheduler", xlb_sched_str(i->scheduler), "forwarding", xlb_fwd_str(i->forwarding),
			      "on_empty", xlb_on_empty_str(i->on_empty)),
		       "1");
	}
}

/* ---- the whole balancer --------------------------------------------------- */

static void one(FILE *out, const char *name, const char *type, const char *help, __u64 value)
{
	char val[32];

	family(out, name, type, help);
	sample(out, name, NULL, u64_text(value, val, sizeof(val)));
}

static void process(FILE *out, const struct metrics_process *p)
{
	char val[32];

	family(out, "xlb_build_info", "gauge", "The xlb version that serves these metrics; always 1.");
	sample(out, "xlb_build_info", LABELS("version", p->version), "1");
	one(out, "xlb_config_last_reload_successful", "gauge",
	    "1 when the last start or reload (SIGHUP) of the configuration succeeded, else 0.", p->reload_ok);
	family(out, "xlb_config_last_reload_success_timestamp_seconds", "gauge",
	       "When the configuration was last loaded and applied (Unix time).");
	sample(out, "xlb_config_last_reload_success_timestamp_seconds", NULL,
	       fixed_text(p->reload_success_unix_ms, 3, val, sizeof(val)));
}

static void tables(FILE *out, const struct dp_view *v, const struct metrics_process *p)
{
	const struct census_view *c = &v->census;
	const struct xlb_census_count *t = &c->total.total;
	const struct {
		const char *state;
		__u32 n;
	} states[] = { { "established", t->established }, { "closing", t->closing },
		       { "half_open", t->half_open }, { "udp", t->udp } };
	char val[32];

	one(out, "xlb_flow_table_entries", "gauge",
	    "Entries of the flow table (xlb_flows) at the last sweep; a nat connection holds two.",
	    c->total.flows_entries);
	one(out, "xlb_flow_table_size", "gauge", "Entries the flow table holds at most.", c->total.flows_max);
	one(out, "xlb_flow_table_full", "gauge",
	    "1 while the flow table is full and new connections are refused, else 0.", c->state.full);
	one(out, "xlb_flow_table_full_refusals_total", "counter",
	    "New connections refused because the flow table was full.", census_refused(c->reasons));
	one(out, "xlb_flow_table_full_episodes_total", "counter", "Times the flow table became full.",
	    c->events[XLB_EV_FULL_EPISODES]);
	one(out, "xlb_half_open_table_entries", "gauge", "Entries of the half-open table at the last sweep.",
	    c->total.halfopen_entries);
	one(out, "xlb_half_open_table_size", "gauge", "Entries the half-open table holds at most.",
	    c->total.halfopen_max);
	one(out, "xlb_half_open_table_evictions_total", "counter",
	    "Handshakes evicted from the full half-open table (an LRU).",
	    xlb_census_half_open_evicted(&c->total, c->events));
	one(out, "xlb_nat_ports_per_address", "gauge", "NAT source ports per snat address and member.",
	    v->meta.nat_ports);
	family(out, "xlb_connections", "gauge", "Connections in the tables by state at the last sweep.");
	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		sample(out, "xlb_connections", LABELS("state", states[i].state),
		       u64_text(states[i].n, val, sizeof(val)));
	family(out, "xlb_table_events_total", "counter", "Events of the connection tables, by kind.");
	for (unsigned e = 0; e < XLB_EV_MAX; e++)
		sample(out, "xlb_table_events_total", LABELS("event", xlb_event_name(e)),
		       u64_text(c->events[e], val, sizeof(val)));
	if (c->err || !c->total.gen)
		return; /* no sweep yet: no age, no duration */
	family(out, "xlb_last_sweep_age_seconds", "gauge",
	       "How old the census (the counts of the last sweep) is.");
	sample(out, "xlb_last_sweep_age_seconds", NULL,
	       fixed_text(p->now_ns > c->total.swept_ns ? (p->now_ns - c->total.swept_ns) / 1000 : 0, 6, val,
			  sizeof(val)));
	family(out, "xlb_last_sweep_duration_seconds", "gauge", "How long the last sweep took.");
	sample(out, "xlb_last_sweep_duration_seconds", NULL,
	       fixed_text(c->total.duration_ns / 1000, 6, val, sizeof(val)));
}

static void packets(FILE *out, const struct dp_view *v)
{
	char val[32];

	family(out, "xlb_packets_total", "counter",
	       "Packets the data plane handled, by outcome: pass_* to the kernel, tx_* sent on, drop_* dropped.");
	for (unsigned r = 0; r < XLB_R_MAX; r++)
		sample(out, "xlb_packets_total", LABELS("outcome", xlb_reason_name(r)),
		       u64_text(v->census.reasons[r], val, sizeof(val)));
}

int metrics_write(const struct dp_view *v, const struct metrics_process *p, FILE *out)
{
	struct scope s = { .v = v, .ids = NULL };
	__u32 *ids = malloc(XLB_MAX_MEMBERS * sizeof(*ids));

	if (!ids)
		return -ENOMEM;
	for (__u32 id = 0; id < XLB_MAX_SERVICES; id++)
		if (v->svc[id].info.in_use)
			s.n_ids += dp_view_service_members(v, id, ids + s.n_ids, XLB_MAX_MEMBERS - s.n_ids);
	s.ids = ids;
	process(out, p);
	tables(out, v, p);
	packets(out, v);
	service_info(out, v);
	for (size_t i = 0; i < sizeof(service_metrics) / sizeof(service_metrics[0]); i++)
		service_family(out, v, &service_metrics[i]);
	traffic(out, &s, false, false);
	traffic(out, &s, false, true);
	member_info(out, &s);
	member_state(out, &s);
	for (size_t i = 0; i < sizeof(member_metrics) / sizeof(member_metrics[0]); i++)
		member_family(out, &s, &member_metrics[i]);
	traffic(out, &s, true, false);
	traffic(out, &s, true, true);
	free(ids);
	return 0;
}
