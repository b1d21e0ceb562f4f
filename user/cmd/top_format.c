// SPDX-License-Identifier: MIT
/* `xlb top`'s options and frame, from a view and its rates alone. */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/top.h"
#include "lib/abi_text.h"
#include "lib/json.h"

int top_opts_from_args(const struct cli_args *a, struct top_opts *o, char *err, size_t len)
{
	char *end;

	o->interval_ms = TOP_INTERVAL_MS_DEFAULT;
	o->count = 0;
	o->json = a->json;
	if (a->interval) {
		double s = strtod(a->interval, &end);

		if (end == a->interval || *end || !isfinite(s) || s * 1000 < TOP_INTERVAL_MS_MIN - 0.5 ||
		    s * 1000 > TOP_INTERVAL_MS_MAX + 0.5) {
			snprintf(err, len, "--interval '%s': seconds from %.1f to %u (0.5, 2, 10)",
				 a->interval, TOP_INTERVAL_MS_MIN / 1000.0, TOP_INTERVAL_MS_MAX / 1000);
			return -EINVAL;
		}
		o->interval_ms = (unsigned)lround(s * 1000);
	}
	if (a->iterations) {
		unsigned long n;

		errno = 0;
		n = strtoul(a->iterations, &end, 10);
		if (end == a->iterations || *end || errno || a->iterations[0] == '-' || n < 1 ||
		    n > TOP_COUNT_MAX) {
			snprintf(err, len, "--count '%s': a number of refreshes from 1 to %lu",
				 a->iterations, TOP_COUNT_MAX);
			return -EINVAL;
		}
		o->count = n;
	}
	return 0;
}

/* "12.5", or "-" without a rate. */
static const char *num(bool known, double x, char *buf, size_t len)
{
	if (!known)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.1f", x);
	return buf;
}

/* "512 B", "1.5 KiB" (per second), or "-". */
static const char *bytes(bool known, double x, char *buf, size_t len)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	size_t u = 0;

	if (!known) {
		snprintf(buf, len, "-");
		return buf;
	}
	while (x >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
		x /= 1024;
		u++;
	}
	snprintf(buf, len, u ? "%.1f %s" : "%.0f %s", x, units[u]);
	return buf;
}

static double percent(__u64 part, __u64 whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0;
}

static void print_header(const struct status_view *v, const struct top_opts *o, bool keys, FILE *out)
{
	const struct xlb_census *c = &v->dp.census.total;

	fprintf(out, "xlb top: %s, ", v->pin_dir);
	if (v->daemon > 0)
		fprintf(out, "daemon PID %d", (int)v->daemon);
	else
		fprintf(out, "no daemon running");
	fprintf(out, ", every %.1f s%s\n", o->interval_ms / 1000.0, keys ? " (q quits)" : "");
	if (v->dp.census.err || !c->gen) {
		fprintf(out, "flow table: no sweep yet (fill unknown)\n");
	} else {
		fprintf(out, "flow table: %u of %u entries (%.1f%%)%s; half-open table: %u of %u (%.1f%%)\n",
			c->flows_entries, c->flows_max, percent(c->flows_entries, c->flows_max),
			v->dp.census.state.full ? ", FULL: new connections are refused" : "",
			c->halfopen_entries, c->halfopen_max, percent(c->halfopen_entries, c->halfopen_max));
		fprintf(out, "connections: %u established, %u closing, %u half-open, %u udp\n",
			c->total.established, c->total.closing, c->total.half_open, c->total.udp);
	}
}

#define ROW "%-*s %-26s %-10s %7s %9s %10s %10s %11s %11s\n"

static void print_row(FILE *out, int w, const char *name, const char *addr, const char *state,
		      __u32 active, const struct status_rate *r, bool rates)
{
	char act[16], nc[24], pi[24], po[24], bi[24], bo[24];
	bool k = rates && r->known;

	snprintf(act, sizeof(act), "%u", active);
	fprintf(out, ROW, w, name, addr, state, act, num(k, r->new_conns, nc, sizeof(nc)),
		num(k, r->packets_in, pi, sizeof(pi)), num(k, r->packets_out, po, sizeof(po)),
		bytes(k, r->bytes_in, bi, sizeof(bi)), bytes(k, r->bytes_out, bo, sizeof(bo)));
}

static int name_width(const struct status_view *v)
{
	int w = 16;

	for (__u32 id = 0; id < XLB_MAX_SERVICES; id++)
		if (v->dp.svc[id].info.in_use && (int)strlen(v->dp.svc[id].info.name) > w)
			w = (int)strlen(v->dp.svc[id].info.name);
	for (__u32 id = 0; id < XLB_MAX_MEMBERS; id++)
		if (v->dp.mbr[id].info.family != XLB_FAMILY_NONE && (int)strlen(v->dp.mbr[id].info.name) + 2 > w)
			w = (int)strlen(v->dp.mbr[id].info.name) + 2;
	return w;
}

static void print_service(const struct status_view *v, const struct status_rates *r, __u32 id, int w,
			  FILE *out)
{
	static __u32 ids[XLB_MAX_MEMBERS_PER_SERVICE];
	const struct xlb_svc_info *s = &v->dp.svc[id].info;
	size_t n = dp_view_service_members(&v->dp, id, ids, XLB_MAX_MEMBERS_PER_SERVICE);
	char addr[80], a[64], state[24], name[XLB_INFO_NAME_MAX + 2];

	snprintf(addr, sizeof(addr), "%s %s", xlb_proto_str(s->key.proto),
		 xlb_ip_port_str(&s->key.vip, s->key.family, s->key.port, a, sizeof(a)));
	snprintf(state, sizeof(state), "%u/%u up", s->n_serving, s->n_members);
	print_row(out, w, s->name, addr, state, census_active(&v->dp.census.svc[id]), &r->svc[id],
		  r->seconds > 0);
	for (size_t i = 0; i < n; i++) {
		const struct view_member *m = &v->dp.mbr[ids[i]];

		snprintf(name, sizeof(name), "  %s", m->info.name);
		print_row(out, w, name,
			  xlb_ip_port_str(&m->info.addr, m->info.family, m->info.port, a, sizeof(a)),
			  status_member_state_text(m), census_active(&v->dp.census.mbr[ids[i]]),
			  &r->mbr[ids[i]], r->seconds > 0);
	}
}

static void print_outcomes(const struct status_view *v, const struct status_rates *r, FILE *out)
{
	int shown = 0;

	fprintf(out, "\npackets/s by outcome:");
	if (r->seconds <= 0) {
		fprintf(out, " after the first interval\n");
		return;
	}
	for (unsigned i = 0; i < XLB_R_MAX; i++) {
		if (r->reasons[i] <= 0)
			continue;
		fprintf(out, "%s %s %.1f", shown++ % 4 ? "," : "\n ", xlb_reason_name(i), r->reasons[i]);
	}
	fprintf(out, "%s\n", shown ? "" : " none");
}

void top_print(const struct status_view *v, const struct status_rates *r, const struct top_opts *o,
	       bool keys, FILE *out)
{
	int w = name_width(v), shown = 0;

	print_header(v, o, keys, out);
	fprintf(out, "\n" ROW, w, "SERVICE / MEMBER", "ADDRESS", "STATE", "ACTIVE", "CONN/S", "PKTS/S IN",
		"PKTS/S OUT", "BYTES/S IN", "BYTES/S OUT");
	for (__u32 id = 0; id < XLB_MAX_SERVICES; id++) {
		if (!v->dp.svc[id].info.in_use)
			continue;
		print_service(v, r, id, w, out);
		shown++;
	}
	if (!shown)
		fprintf(out, "no services published\n");
	print_outcomes(v, r, out);
}

/* ---- JSON: one line per reading ------------------------------------------- */

static void json_rate(struct json_writer *w, const char *key, bool known, double x)
{
	json_key(w, key);
	if (known)
		json_fixed3(w, x);
	else
		json_null(w);
}

static void json_rates(struct json_writer *w, const struct status_rate *r)
{
	json_rate(w, "new_connections_per_s", r->known, r->new_conns);
	json_rate(w, "packets_in_per_s", r->known, r->packets_in);
	json_rate(w, "packets_out_per_s", r->known, r->packets_out);
	json_rate(w, "bytes_in_per_s", r->known, r->bytes_in);
	json_rate(w, "bytes_out_per_s", r->known, r->bytes_out);
}

static void json_service(struct json_writer *w, const struct status_view *v, const struct status_rates *r,
			 __u32 id)
{
	static __u32 ids[XLB_MAX_MEMBERS_PER_SERVICE];
	const struct xlb_svc_info *s = &v->dp.svc[id].info;
	size_t n = dp_view_service_members(&v->dp, id, ids, XLB_MAX_MEMBERS_PER_SERVICE);
	char a[64];

	json_object_begin(w);
	json_kv_string(w, "name", s->name);
	json_kv_uint(w, "members_serving", s->n_serving);
	json_kv_uint(w, "active_connections", census_active(&v->dp.census.svc[id]));
	json_rates(w, &r->svc[id]);
	json_key(w, "members");
	json_array_begin(w);
	for (size_t i = 0; i < n; i++) {
		const struct view_member *m = &v->dp.mbr[ids[i]];

		json_object_begin(w);
		json_kv_string(w, "name", m->info.name);
		json_kv_string(w, "address", xlb_ip_str(&m->info.addr, m->info.family, a, sizeof(a)));
		json_kv_uint(w, "port", ntohs(m->info.port));
		json_kv_string(w, "state", status_member_state_text(m));
		json_kv_uint(w, "active_connections", census_active(&v->dp.census.mbr[ids[i]]));
		json_rates(w, &r->mbr[ids[i]]);
		json_object_end(w);
	}
	json_array_end(w);
	json_object_end(w);
}

void top_print_json(const struct status_view *v, const struct status_rates *r, FILE *out)
{
	const struct xlb_census *c = &v->dp.census.total;
	struct json_writer w;

	json_init(&w, out, false);
	json_object_begin(&w);
	json_key(&w, "seconds");
	json_fixed3(&w, r->seconds);
	json_key(&w, "daemon_pid");
	if (v->daemon > 0)
		json_uint(&w, (uint64_t)v->daemon);
	else
		json_null(&w);
	json_key(&w, "flow_table");
	json_object_begin(&w);
	json_kv_uint(&w, "entries", c->flows_entries);
	json_kv_uint(&w, "max_entries", c->flows_max);
	json_kv_bool(&w, "full", v->dp.census.state.full);
	json_object_end(&w);
	json_key(&w, "half_open_table");
	json_object_begin(&w);
	json_kv_uint(&w, "entries", c->halfopen_entries);
	json_kv_uint(&w, "max_entries", c->halfopen_max);
	json_object_end(&w);
	json_key(&w, "connections");
	json_object_begin(&w);
	json_kv_uint(&w, "established", c->total.established);
	json_kv_uint(&w, "closing", c->total.closing);
	json_kv_uint(&w, "half_open", c->total.half_open);
	json_kv_uint(&w, "udp", c->total.udp);
	json_object_end(&w);
	json_key(&w, "services");
	json_array_begin(&w);
	for (__u32 id = 0; id < XLB_MAX_SERVICES; id++)
		if (v->dp.svc[id].info.in_use)
			json_service(&w, v, r, id);
	json_array_end(&w);
	json_key(&w, "packets_per_s_by_outcome");
	json_object_begin(&w);
	for (unsigned i = 0; i < XLB_R_MAX; i++)
		json_rate(&w, xlb_reason_name(i), r->seconds > 0, r->reasons[i]);
	json_object_end(&w);
	json_object_end(&w);
	json_finish(&w);
}
