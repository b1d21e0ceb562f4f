// SPDX-License-Identifier: MIT
/* `xlb status [--json]`: what the data plane does now, read from the pins
 * alone, so it works with or without the daemon: interfaces and attach
 * mode, every service with its members' health, weight, flows and traffic,
 * and the reason counters. */
#include <bpf/bpf.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/abi_text.h"
#include "cmd/opts.h"
#include "dp/dataplane.h"
#include "lib/json.h"
#include "lib/log.h"
#include "dp/maps.h"
#include "dp/pin.h"
#include "dp/sockhook.h"
#include "dp/tc.h"
#include "cmd/status_announce.h"

struct status_iface {
	int ifindex;
	char name[IF_NAMESIZE];
	const char *mode;
};

struct status {
	const char *pin_dir;
	pid_t daemon;
	struct status_iface ifaces[XLB_MAX_INTERFACES];
	int n_ifaces;
	int n_sock_hooks;            /* pinned cgroup links */
	char sock_cgroup[4096];
	struct xlb_svc_info *svc;    /* by id */
	struct xlb_mbr_info *mbr;    /* by id */
	uint32_t *mbr_flows;         /* active connections by member id */
	uint32_t *svc_flows;         /* by service id */
	uint64_t flows_total;        /* entries, both directions */
	uint32_t flows_max;
	__u64 reasons[XLB_R_MAX];
	struct status_routes *routes; /* xlb's routes in the announce tables */
};

/* One attached interface from a pin: link_<ifindex> is an XDP link (its
 * ifindex is asked from the link), a tc record names its ifindex and
 * namespace (tc.h). */
static bool read_iface_pin(struct status *st, const char *name, struct status_iface *i)
{
	struct bpf_link_info info;
	__u32 len = sizeof(info);
	char path[4096];
	bool here, gone;
	int fd;

	if (tc_record_parse(name, &i->ifindex, &here, &gone)) {
		if (!here) {
			snprintf(i->name, sizeof(i->name), "ifindex %d", i->ifindex);
			i->mode = gone ? "detached" : "tc in another network namespace";
			return true;
		}
		i->mode = tc_attached_prog(i->ifindex) ? "tc" : "detached";
	} else {
		if (strncmp(name, "link_", 5) || pin_path(path, sizeof(path), st->pin_dir, name))
			return false;
		fd = bpf_obj_get(path);
		if (fd < 0)
			return false;
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &len) || info.type != BPF_LINK_TYPE_XDP) {
			close(fd);
			return false;
		}
		close(fd);
		i->ifindex = (int)info.xdp.ifindex;
		i->mode = i->ifindex ? xlb_dp_xdp_mode(i->ifindex) : "detached";
	}
	if (!i->ifindex || !if_indextoname((unsigned)i->ifindex, i->name))
		snprintf(i->name, sizeof(i->name), "ifindex %d", i->ifindex);
	return true;
}

static void read_ifaces(struct status *st)
{
	DIR *d = opendir(st->pin_dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d)) && st->n_ifaces < XLB_MAX_INTERFACES)
		if (read_iface_pin(st, de->d_name, &st->ifaces[st->n_ifaces]))
			st->n_ifaces++;
	closedir(d);
	for (int i = 1; i < st->n_ifaces; i++) /* by ifindex, as `ip link` lists them */
		for (int j = i; j > 0 && st->ifaces[j - 1].ifindex > st->ifaces[j].ifindex; j--) {
			struct status_iface t = st->ifaces[j];

			st->ifaces[j] = st->ifaces[j - 1];
			st->ifaces[j - 1] = t;
		}
}

static int read_flows(struct status *st, const struct xlb_maps *m)
{
	struct xlb_flow_key key, next;
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	struct xlb_flow val;
	void *prev = NULL;

	memset(&info, 0, sizeof(info));
	if (!bpf_obj_get_info_by_fd(m->flows, &info, &len))
		st->flows_max = info.max_entries;
	while (!bpf_map_get_next_key(m->flows, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(m->flows, &key, &val))
			continue;
		st->flows_total++;
		/* Active connections: a closed one keeps its entry a little
		 * while (its retransmissions still find their member). */
		if (val.dir != XLB_DIR_FORWARD || val.state == XLB_FLOW_FIN ||
		    val.state == XLB_FLOW_RST)
			continue;
		if (val.member_id < XLB_MAX_MEMBERS)
			st->mbr_flows[val.member_id]++;
		if (val.service_id < XLB_MAX_SERVICES)
			st->svc_flows[val.service_id]++;
	}
	return 0;
}

static int status_read(struct status *st, const struct xlb_maps *m)
{
	st->svc = calloc(XLB_MAX_SERVICES, sizeof(*st->svc));
	st->mbr = calloc(XLB_MAX_MEMBERS, sizeof(*st->mbr));
	st->mbr_flows = calloc(XLB_MAX_MEMBERS, sizeof(*st->mbr_flows));
	st->svc_flows = calloc(XLB_MAX_SERVICES, sizeof(*st->svc_flows));
	if (!st->svc || !st->mbr || !st->mbr_flows || !st->svc_flows)
		return -ENOMEM;
	for (__u32 id = 0; id < XLB_MAX_SERVICES; id++)
		xlb_maps_svc_info_get(m, id, &st->svc[id]);
	for (__u32 id = 0; id < XLB_MAX_MEMBERS; id++)
		xlb_maps_mbr_info_get(m, id, &st->mbr[id]);
	xlb_maps_reason_stats(m, st->reasons);
	read_ifaces(st);
	sockhook_pinned(st->pin_dir, &st->n_sock_hooks, st->sock_cgroup, sizeof(st->sock_cgroup));
	st->routes = status_routes_read(m, st->svc);
	return read_flows(st, m);
}

static void status_free(struct status *st)
{
	free(st->svc);
	free(st->mbr);
	free(st->mbr_flows);
	free(st->svc_flows);
	status_routes_free(st->routes);
}

/* Members of a service in pool order. */
static size_t service_members(const struct status *st, __u32 svc_id, __u32 *ids, size_t cap)
{
	size_t n = 0;

	for (__u32 id = 0; id < XLB_MAX_MEMBERS && n < cap; id++)
		if (st->mbr[id].family != XLB_FAMILY_NONE && st->mbr[id].service_id == svc_id)
			ids[n++] = id;
	for (size_t i = 1; i < n; i++) {
		__u32 v = ids[i];
		size_t j = i;

		for (; j > 0 && st->mbr[ids[j - 1]].order > st->mbr[v].order; j--)
			ids[j] = ids[j - 1];
		ids[j] = v;
	}
	return n;
}

static uint64_t now_unix_s(void)
{
	return (uint64_t)time(NULL);
}

static const char *member_state_text(const struct xlb_mbr_info *i, __u8 admin)
{
	if (admin == XLB_ADMIN_DRAIN)
		return i->state == XLB_HEALTH_UP ? "DRAIN" : "DRAIN+DOWN";
	return xlb_health_str(i->state);
}

/* ---- text ----------------------------------------------------------------- */

static void print_text(const struct status *st, const struct xlb_maps *m, FILE *out)
{
	__u32 ids[XLB_MAX_MEMBERS_PER_SERVICE];
	char a[64], b[32], c[32];
	int shown = 0;

	if (st->daemon > 0)
		fprintf(out, "xlb at %s: daemon running (PID %d)\n", st->pin_dir, (int)st->daemon);
	else
		fprintf(out, "xlb at %s: no daemon running; the data plane keeps serving what "
			     "was last published (no health checks)\n",
			st->pin_dir);
	fprintf(out, "interfaces:");
	for (int i = 0; i < st->n_ifaces; i++)
		fprintf(out, "%s %s (%s%s)", i ? "," : "", st->ifaces[i].name, st->ifaces[i].mode,
			strncmp(st->ifaces[i].mode, "tc", 2) && strcmp(st->ifaces[i].mode, "detached") ? " XDP" : "");
	fprintf(out, "%s\n", st->n_ifaces ? "" : " none attached");
	if (st->n_sock_hooks)
		fprintf(out, "socket hooks: attached at %s (%d of %d hooks)\n", st->sock_cgroup,
			st->n_sock_hooks, SOCKHOOK_N_HOOKS);
	else
		fprintf(out, "socket hooks: none attached\n");
	fprintf(out, "flow table: %llu of %u entries (one per direction)\n",
		(unsigned long long)st->flows_total, st->flows_max);

	for (__u32 s = 0; s < XLB_MAX_SERVICES; s++) {
		const struct xlb_svc_info *si = &st->svc[s];
		struct xlb_traffic_stats ts = { 0 };
		size_t n;
		int w = 6;

		if (!si->in_use)
			continue;
		shown++;
		xlb_maps_service_stats(m, s, &ts);
		n = service_members(st, s, ids, XLB_MAX_MEMBERS_PER_SERVICE);
		fprintf(out, "\n%s  %s %s  %s, %s, on empty: %s  %u/%u members serving\n", si->name,
			xlb_proto_str(si->key.proto),
			xlb_ip_port_str(&si->key.vip, si->key.family, si->key.port, a, sizeof(a)),
			xlb_sched_str(si->scheduler), xlb_fwd_str(si->forwarding),
			xlb_on_empty_str(si->on_empty), si->n_serving, si->n_members);
		status_announce_text(st->routes, si, st->daemon > 0, out);
		fprintf(out, "  active connections %u, new connections %llu, packets in %llu / out %llu, "
			     "bytes in %s / out %s\n",
			st->svc_flows[s], (unsigned long long)ts.new_flows,
			(unsigned long long)ts.fwd_packets, (unsigned long long)ts.reply_packets,
			xlb_bytes_str(ts.fwd_bytes, b, sizeof(b)),
			xlb_bytes_str(ts.reply_bytes, c, sizeof(c)));
		for (size_t i = 0; i < n; i++) {
			int len = (int)strlen(st->mbr[ids[i]].name);

			w = len > w ? len : w;
		}
		fprintf(out, "  %-*s  %-22s %-10s %-6s %-6s %-26s %9s %7s %9s %10s\n", w, "MEMBER",
			"ADDRESS", "STATE", "SINCE", "WEIGHT", "LAST CHECK", "LATENCY", "ACTIVE",
			"NEW CONNS", "BYTES IN");
		for (size_t i = 0; i < n; i++) {
			const struct xlb_mbr_info *mi = &st->mbr[ids[i]];
			struct xlb_traffic_stats ms = { 0 };
			uint64_t now = now_unix_s(), since = mi->state_since_unix_ms / 1000;
			char lat[16], age[16], last[80];

			xlb_maps_member_stats(m, ids[i], &ms);
			if (mi->last_check_unix_ms)
				snprintf(lat, sizeof(lat), "%.1f ms", mi->latency_us / 1000.0);
			else
				snprintf(lat, sizeof(lat), "-");
			snprintf(last, sizeof(last), "%s", mi->last_check[0] ? mi->last_check : "-");
			fprintf(out, "  %-*s  %-22s %-10s %-6s %-6u %-26s %9s %7u %9llu %10s\n", w,
				mi->name, xlb_ip_port_str(&mi->addr, mi->family, mi->port, a, sizeof(a)),
				member_state_text(mi, xlb_maps_mbr_admin_get(m, ids[i])),
				since && now >= since ? xlb_age_str(now - since, age, sizeof(age)) : "-",
				mi->weight, last, lat, st->mbr_flows[ids[i]],
				(unsigned long long)ms.new_flows,
				xlb_bytes_str(ms.fwd_bytes, b, sizeof(b)));
		}
	}
	if (!shown)
		fprintf(out, "\nno services published\n");
	fprintf(out, "\npackets by outcome:");
	shown = 0;
	for (unsigned r = 0; r < XLB_R_MAX; r++) {
		if (!st->reasons[r])
			continue;
		fprintf(out, "%s %s %llu", shown++ % 4 ? "," : "\n ", xlb_reason_name(r),
			(unsigned long long)st->reasons[r]);
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

static void print_json(const struct status *st, const struct xlb_maps *m, FILE *out)
{
	__u32 ids[XLB_MAX_MEMBERS_PER_SERVICE];
	struct json_writer w;
	char a[64];

	json_init(&w, out, true);
	json_object_begin(&w);
	json_kv_string(&w, "pin_dir", st->pin_dir);
	json_key(&w, "daemon_pid");
	if (st->daemon > 0)
		json_uint(&w, (uint64_t)st->daemon);
	else
		json_null(&w);
	json_key(&w, "interfaces");
	json_array_begin(&w);
	for (int i = 0; i < st->n_ifaces; i++) {
		json_object_begin(&w);
		json_kv_string(&w, "name", st->ifaces[i].name);
		json_kv_uint(&w, "ifindex", (uint64_t)st->ifaces[i].ifindex);
		json_kv_string(&w, "mode", st->ifaces[i].mode);
		json_object_end(&w);
	}
	json_array_end(&w);
	json_key(&w, "socket_hooks");
	if (st->n_sock_hooks) {
		json_object_begin(&w);
		json_kv_string(&w, "cgroup", st->sock_cgroup);
		json_kv_uint(&w, "hooks", (uint64_t)st->n_sock_hooks);
		json_object_end(&w);
	} else {
		json_null(&w);
	}
	json_key(&w, "flow_table");
	json_object_begin(&w);
	json_kv_uint(&w, "entries", st->flows_total);
	json_kv_uint(&w, "max_entries", st->flows_max);
	json_object_end(&w);
	json_key(&w, "services");
	json_array_begin(&w);
	for (__u32 s = 0; s < XLB_MAX_SERVICES; s++) {
		const struct xlb_svc_info *si = &st->svc[s];
		struct xlb_traffic_stats ts = { 0 };
		size_t n;

		if (!si->in_use)
			continue;
		xlb_maps_service_stats(m, s, &ts);
		json_object_begin(&w);
		json_kv_uint(&w, "id", s);
		json_kv_string(&w, "name", si->name);
		json_kv_string(&w, "vip", xlb_ip_str(&si->key.vip, si->key.family, a, sizeof(a)));
		json_kv_uint(&w, "port", ntohs(si->key.port));
		json_kv_string(&w, "protocol", xlb_proto_str(si->key.proto));
		json_kv_string(&w, "scheduler", xlb_sched_str(si->scheduler));
		json_kv_string(&w, "forwarding", xlb_fwd_str(si->forwarding));
		json_kv_string(&w, "on_empty", xlb_on_empty_str(si->on_empty));
		json_kv_uint(&w, "members_serving", si->n_serving);
		json_kv_uint(&w, "active_connections", st->svc_flows[s]);
		json_traffic(&w, &ts);
		status_announce_json(st->routes, si, st->daemon > 0, &w);
		json_key(&w, "members");
		json_array_begin(&w);
		n = service_members(st, s, ids, XLB_MAX_MEMBERS_PER_SERVICE);
		for (size_t i = 0; i < n; i++) {
			const struct xlb_mbr_info *mi = &st->mbr[ids[i]];
			struct xlb_traffic_stats ms = { 0 };

			xlb_maps_member_stats(m, ids[i], &ms);
			json_object_begin(&w);
			json_kv_uint(&w, "id", ids[i]);
			json_kv_string(&w, "name", mi->name);
			json_kv_string(&w, "address", xlb_ip_str(&mi->addr, mi->family, a, sizeof(a)));
			json_kv_uint(&w, "port", ntohs(mi->port));
			json_kv_string(&w, "state", xlb_health_str(mi->state));
			json_kv_string(&w, "admin", xlb_admin_str(xlb_maps_mbr_admin_get(m, ids[i])));
			json_kv_uint(&w, "weight", mi->weight);
			json_kv_uint(&w, "state_since_unix_ms", mi->state_since_unix_ms);
			json_kv_string(&w, "last_check", mi->last_check);
			json_kv_uint(&w, "last_check_unix_ms", mi->last_check_unix_ms);
			json_kv_uint(&w, "latency_us", mi->latency_us);
			json_kv_uint(&w, "active_connections", st->mbr_flows[ids[i]]);
			json_traffic(&w, &ms);
			json_object_end(&w);
		}
		json_array_end(&w);
		json_object_end(&w);
	}
	json_array_end(&w);
	json_key(&w, "packets_by_outcome");
	json_object_begin(&w);
	for (unsigned r = 0; r < XLB_R_MAX; r++)
		json_kv_uint(&w, xlb_reason_name(r), st->reasons[r]);
	json_object_end(&w);
	json_object_end(&w);
	json_finish(&w);
}

static int status_run(const struct cli_args *a)
{
	struct status st = { .pin_dir = a->pin_dir };
	struct xlb_maps m;
	int err;

	if (xlb_maps_open_for_reading(&m, st.pin_dir))
		return XLB_EXIT_FAIL;
	st.daemon = pin_dir_lock_holder(st.pin_dir);
	err = status_read(&st, &m);
	if (!err) {
		if (a->json)
			print_json(&st, &m, stdout);
		else
			print_text(&st, &m, stdout);
	} else {
		log_errno(err, "cannot read the data plane's maps");
	}
	status_free(&st);
	xlb_maps_close(&m);
	return err ? XLB_EXIT_FAIL : XLB_EXIT_OK;
}

const struct command cmd_status = {
	.name = "status",
	.summary = "show services, members, health, flows and counters",
	.usage = "usage: xlb status [--json] [--pin-dir DIR]\n"
		 "\n"
		 "Reads the pinned maps (with or without the daemon running) and shows the\n"
		 "attached interfaces and their mode (native or generic XDP, tc), then per\n"
		 "service its VIP, protocol, scheduler, forwarding mode and no-member policy,\n"
		 "and per member its address, health state and since when, weight, last check\n"
		 "and its latency, active flows, new connections and traffic.  With an\n"
		 "announce table (global: announce:), whether each VIP is announced, read\n"
		 "from the kernel of this network namespace, and why not.  Last, every\n"
		 "packet counted by outcome.\n"
		 "\n"
		 "options:\n"
		 "  -j, --json          machine-readable output\n"
		 "  -p, --pin-dir DIR   where the data plane is pinned (default " XLB_PIN_DIR_DEFAULT ")\n"
		 "  -h, --help          show this help\n",
	.options = CLI_O(CLI_OPT_JSON) | CLI_O(CLI_OPT_PIN_DIR),
	.run = status_run,
};
