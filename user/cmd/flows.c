// SPDX-License-Identifier: MIT
/* `xlb flows [--service NAME] [--member ADDR[:PORT]] [--client ADDR[/PREFIX]]
 * [--count] [--json]`: the connections of both tables, one line each (its
 * forward entry), from the pins alone: those of the flow table, then the
 * half-open ones (handshakes, UDP flows of one datagram) without the
 * duplicates a promotion leaves behind.  With --count, how many pass the
 * filters (cmd/flows_filter.h), by state, counted in the same walk. */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/abi_text.h"
#include "cmd/flows_filter.h"
#include "cmd/opts.h"
#include "lib/json.h"
#include "lib/log.h"
#include "dp/maps.h"
#include "dp/pin.h"

struct flows_ctx {
	const struct xlb_maps *m;
	struct flows_filter filter;
	bool json;
	bool count_only;
	struct json_writer w;
	struct xlb_svc_info svc[XLB_MAX_SERVICES];
	size_t shown;
	/* --count: by the state the listing shows, half-open apart. */
	size_t by_state[XLB_FLOW_N];
	size_t half_open;
};

static void flow_print(struct flows_ctx *c, const struct xlb_flow_key *k, const struct xlb_flow *f,
		       bool half_open)
{
	const struct xlb_svc_info *si = f->service_id < XLB_MAX_SERVICES ? &c->svc[f->service_id]
									  : NULL;
	struct xlb_mbr_info mi = { 0 };
	char client[64], vip[64], src[64], member[64], via[136], age[16], idle[16];
	__u64 now = xlb_census_now_ns(); /* the flows' clock: CLOCK_MONOTONIC */
	__u64 age_s = now > f->created_ns ? (now - f->created_ns) / 1000000000ULL : 0;
	__u64 idle_s = now > f->last_seen_ns ? (now - f->last_seen_ns) / 1000000000ULL : 0;

	xlb_maps_mbr_info_get(c->m, f->member_id, &mi);
	xlb_ip_port_str(&k->src, k->family, k->sport, client, sizeof(client));
	xlb_ip_port_str(&k->dst, k->family, k->dport, vip, sizeof(vip));
	xlb_ip_port_str(&f->nat_src, f->family, f->nat_sport, src, sizeof(src));
	xlb_ip_port_str(&f->nat_dst, f->family, f->nat_dport, member, sizeof(member));
	if (c->json) {
		json_object_begin(&c->w);
		json_kv_string(&c->w, "service", si && si->in_use ? si->name : "");
		json_kv_string(&c->w, "protocol", xlb_proto_str(k->proto));
		json_kv_string(&c->w, "client", client);
		json_kv_string(&c->w, "vip", vip);
		json_kv_string(&c->w, "source", src);
		json_kv_string(&c->w, "member", mi.name);
		json_kv_string(&c->w, "member_address", member);
		json_kv_string(&c->w, "state", xlb_flow_state_str(f->state));
		json_kv_bool(&c->w, "half_open", half_open);
		json_kv_uint(&c->w, "age_s", age_s);
		json_kv_uint(&c->w, "idle_s", idle_s);
		json_object_end(&c->w);
		return;
	}
	snprintf(via, sizeof(via), "%s -> %s", src, member);
	if (!c->shown)
		printf("%-16s %-5s %-42s %-24s %-16s %-42s %-12s %6s %6s\n", "SERVICE", "PROTO",
		       "CLIENT", "VIP", "MEMBER", "VIA (SOURCE -> MEMBER)", "STATE", "AGE", "IDLE");
	printf("%-16s %-5s %-42s %-24s %-16s %-42s %-12s %6s %6s\n",
	       si && si->in_use ? si->name : "(removed)", xlb_proto_str(k->proto), client, vip,
	       mi.name[0] ? mi.name : "(removed)", via,
	       half_open ? "half-open" : xlb_flow_state_str(f->state), xlb_age_str(age_s, age, sizeof(age)),
	       xlb_age_str(idle_s, idle, sizeof(idle)));
}

/* A half-open entry that lookups reach: not a promoted duplicate, and its
 * connection not in the flow table (a promotion between the two walks). */
static bool half_open_listed(const struct flows_ctx *c, const struct xlb_flow_key *k,
			     const struct xlb_flow *f)
{
	struct xlb_flow in_flows;

	return !(f->flags & XLB_FLOW_F_PROMOTED) && bpf_map_lookup_elem(c->m->flows, k, &in_flows) != 0;
}

static const char *service_name(const struct flows_ctx *c, __u32 id)
{
	return id < XLB_MAX_SERVICES && c->svc[id].in_use ? c->svc[id].name : "";
}

/* "3 connections: 2 established, 1 half-open", or its JSON object. */
static void count_print(struct flows_ctx *c)
{
	const char *sep = ":";
	char key[32];

	if (c->json) {
		json_init(&c->w, stdout, true);
		json_object_begin(&c->w);
		json_kv_uint(&c->w, "connections", c->shown);
		json_key(&c->w, "by_state");
		json_object_begin(&c->w);
		json_kv_uint(&c->w, "half_open", c->half_open);
		for (unsigned s = XLB_FLOW_NONE + 1; s < XLB_FLOW_N; s++) {
			snprintf(key, sizeof(key), "%s", xlb_flow_state_str(s));
			for (char *p = key; *p; p++)
				*p = *p == '-' ? '_' : *p;
			json_kv_uint(&c->w, key, c->by_state[s]);
		}
		json_object_end(&c->w);
		json_object_end(&c->w);
		json_finish(&c->w);
		return;
	}
	printf("%zu connection%s", c->shown, c->shown == 1 ? "" : "s");
	for (unsigned s = XLB_FLOW_NONE + 1; s < XLB_FLOW_N; s++) {
		if (c->by_state[s])
			printf("%s %zu %s", sep, c->by_state[s], xlb_flow_state_str(s));
		sep = c->by_state[s] ? "," : sep;
	}
	if (c->half_open)
		printf("%s %zu half-open", sep, c->half_open);
	printf("\n");
}

static void flows_walk(struct flows_ctx *c, int fd, bool half_open)
{
	struct xlb_flow_key key, next;
	struct xlb_flow val;
	void *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &val) || val.dir != XLB_DIR_FORWARD)
			continue;
		if (half_open && !half_open_listed(c, &key, &val))
			continue;
		if (!flows_filter_match(&c->filter, &key, &val, service_name(c, val.service_id)))
			continue;
		if (half_open)
			c->half_open++;
		else if (val.state < XLB_FLOW_N)
			c->by_state[val.state]++;
		if (!c->count_only)
			flow_print(c, &key, &val, half_open);
		c->shown++;
	}
}

static int flows_run(const struct cli_args *a)
{
	const char *dir = a->pin_dir, *only = a->service;
	struct flows_ctx *c = calloc(1, sizeof(*c));
	struct xlb_maps m;
	char why[160];
	int rc = XLB_EXIT_OK;

	if (!c)
		return XLB_EXIT_FAIL;
	if (flows_filter_from_args(a, &c->filter, why, sizeof(why))) {
		free(c);
		return cli_usage_error(&cmd_flows, "%s", why);
	}
	c->json = a->json;
	c->count_only = a->count_only;
	if (xlb_maps_open_for_reading(&m, dir)) {
		free(c);
		return XLB_EXIT_FAIL;
	}
	c->m = &m;
	for (__u32 id = 0; id < XLB_MAX_SERVICES; id++)
		xlb_maps_svc_info_get(&m, id, &c->svc[id]);
	if (only) {
		bool found = false;

		for (__u32 id = 0; id < XLB_MAX_SERVICES; id++)
			found |= c->svc[id].in_use && strcmp(c->svc[id].name, only) == 0;
		if (!found) {
			log_err("no service named '%s' is published at %s ('xlb status' lists them)",
				only, dir);
			rc = XLB_EXIT_FAIL;
			goto out;
		}
	}
	if (c->json && !c->count_only) {
		json_init(&c->w, stdout, true);
		json_array_begin(&c->w);
	}
	flows_walk(c, m.flows, false);
	flows_walk(c, m.halfopen, true);
	if (c->count_only) {
		count_print(c);
	} else if (c->json) {
		json_array_end(&c->w);
		json_finish(&c->w);
	} else if (!c->shown) {
		printf("no flows%s\n", a->service || a->member || a->client ? " match" : "");
	} else {
		printf("%zu flow%s\n", c->shown, c->shown == 1 ? "" : "s");
	}
out:
	xlb_maps_close(&m);
	free(c);
	return rc;
}

const struct command cmd_flows = {
	.name = "flows",
	.summary = "list or count the connections in the connection tables",
	.usage = "usage: xlb flows [--service NAME] [--member ADDR[:PORT]] [--client ADDR[/PREFIX]] "
		 "[--count] [--json] [--pin-dir DIR]\n"
		 "\n"
		 "One line per connection: its service, the client and VIP, the member it\n"
		 "was given and the balancer's own source address and port toward it, its\n"
		 "state (established, closing, reset, closed, udp; half-open for a handshake\n"
		 "or a UDP flow of one datagram, which wait in the half-open table), age and\n"
		 "idle time.  The filters combine: a connection is shown when it matches\n"
		 "every one given.  Reads the pins, with or without the daemon running.\n"
		 "\n"
		 "options:\n"
		 "  -s, --service NAME  only this service's connections\n"
		 "      --member ADDR[:PORT]\n"
		 "                      only those sent to this member address (and port)\n"
		 "      --client ADDR[/PREFIX]\n"
		 "                      only those from this client address or prefix\n"
		 "      --count         print how many match, by state, instead of the list\n"
		 "  -j, --json          machine-readable output\n"
		 "  -p, --pin-dir DIR   where the data plane is pinned (default " XLB_PIN_DIR_DEFAULT ")\n"
		 "  -h, --help          show this help\n"
		 "\n"
		 "examples:\n"
		 "  xlb flows --member 198.18.1.2:80\n"
		 "  xlb flows --service web --client 198.18.0.0/24 --count\n",
	.options = CLI_O(CLI_OPT_JSON) | CLI_O(CLI_OPT_PIN_DIR) | CLI_O(CLI_OPT_SERVICE) |
		   CLI_O(CLI_OPT_MEMBER) | CLI_O(CLI_OPT_CLIENT) | CLI_O(CLI_OPT_COUNT_ONLY),
	.run = flows_run,
};
