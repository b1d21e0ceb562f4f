// SPDX-License-Identifier: MIT
/* `xlb status [--json]`: what the data plane does now, read from the pins
 * alone, so it works with or without the daemon: interfaces and attach
 * mode, the connection tables as the last sweep counted them (a sweep is
 * run first when that is older than two seconds), every service with its
 * members' health, weight, connections, NAT ports and traffic, and the
 * reason counters.  The output itself is cmd/status_format.c. */
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

#include "cmd/opts.h"
#include "cmd/status_view.h"
#include "cmd/top.h"
#include "dp/dataplane.h"
#include "dp/maps.h"
#include "dp/pin.h"
#include "dp/sockhook.h"
#include "dp/sweep.h"
#include "dp/tc.h"
#include "cmd/status_announce.h"
#include "lib/log.h"

/* One attached interface from a pin: link_<ifindex> is an XDP link (its
 * ifindex is asked from the link), a tc record names its ifindex and
 * namespace (tc.h). */
static bool read_iface_pin(struct status_view *st, const char *name, struct status_iface *i)
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

static void read_ifaces(struct status_view *st)
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

/* A census older than STATUS_SWEEP_AGE_NS (or none): run the pinned
 * sweeper once, as the daemon would. */
static int census_fresh(struct status_view *v, const struct xlb_maps *m)
{
	__u64 swept = v->dp.census.total.swept_ns, age;
	int fd, err;

	v->now_ns = xlb_census_now_ns();
	age = v->now_ns > swept ? v->now_ns - swept : 0;
	if (!v->dp.census.err && age < STATUS_SWEEP_AGE_NS)
		return 0;
	v->swept_here = true;
	v->age_before_ns = v->dp.census.err ? 0 : age;
	fd = xlb_sweep_open_pinned(v->pin_dir);
	if (fd < 0) {
		v->sweep_err = fd;
		return 0;
	}
	err = xlb_sweep_run(fd);
	close(fd);
	/* -EBUSY: the daemon's sweep was running; its census will do. */
	v->sweep_err = err == -EBUSY ? 0 : err;
	err = census_view_read(m, &v->dp.census);
	v->now_ns = xlb_census_now_ns();
	return err;
}

int status_view_read(struct status_view *v, const struct xlb_maps *m)
{
	int err = dp_view_read(&v->dp, m);

	v->daemon = pin_dir_lock_holder(v->pin_dir);
	for (__u32 id = 0; id < XLB_MAX_SERVICES; id++)
		if (v->dp.svc[id].info.in_use)
			status_routes_add(v->routes, &v->dp.svc[id].info);
	status_routes_link_read(v->routes, m);
	v->read_ns = xlb_census_now_ns();
	if (!err)
		err = census_fresh(v, m);
	v->now_unix_s = (__u64)time(NULL);
	read_ifaces(v);
	sockhook_pinned(v->pin_dir, &v->n_sock_hooks, v->sock_cgroup, sizeof(v->sock_cgroup));
	return err;
}

static int status_run(const struct cli_args *a)
{
	struct status_view v = { .pin_dir = a->pin_dir };
	struct xlb_maps m;
	int err;

	if (a->watch)
		return top_run(&cmd_status, a);
	if (a->interval || a->iterations)
		return cli_usage_error(&cmd_status, "--%s goes with --watch",
				       a->interval ? "interval" : "count");
	if (xlb_maps_open_for_reading(&m, v.pin_dir))
		return XLB_EXIT_FAIL;
	err = status_view_alloc(&v);
	if (!err)
		err = status_view_read(&v, &m);
	if (!err) {
		if (a->json)
			status_print_json(&v, stdout);
		else
			status_print_text(&v, stdout);
	} else {
		log_errno(err, "cannot read the data plane's maps");
	}
	status_view_free(&v);
	xlb_maps_close(&m);
	return err ? XLB_EXIT_FAIL : XLB_EXIT_OK;
}

const struct command cmd_status = {
	.name = "status",
	.summary = "show services, members, health, flows and counters",
	.usage = "usage: xlb status [--json] [--watch [--interval SEC] [--count N]] [--pin-dir DIR]\n"
		 "\n"
		 "Reads the pinned maps (with or without the daemon running) and shows the\n"
		 "attached interfaces and their mode (native or generic XDP, tc); the\n"
		 "connection tables as the last sweep counted them: fill, connections\n"
		 "established, closing, half-open and udp, refusals while the flow table was\n"
		 "full, half-open evictions (a census older than 2 s is refreshed by running\n"
		 "the pinned sweeper, and the output says so); then per service its VIP,\n"
		 "protocol, scheduler, forwarding mode and no-member policy, and per member\n"
		 "its address, health state and since when, weight, last check and its\n"
		 "latency, active (open) and half-open connections, NAT ports used and free\n"
		 "(nat), new connections and traffic.  With an announce table (global:\n"
		 "announce:), whether each VIP is announced, read from the kernel of this\n"
		 "network namespace, and why not.  Last, every packet counted by outcome.\n"
		 "With --watch, refreshes every interval with rates: 'xlb top' (with --json,\n"
		 "its lines).\n"
		 "\n"
		 "options:\n"
		 "  -j, --json          machine-readable output\n"
		 "  -w, --watch         refresh every interval with rates, as 'xlb top'\n"
		 "      --interval SEC  with --watch: seconds between readings (default 1)\n"
		 "  -n, --count N       with --watch: print N refreshes, then exit\n"
		 "  -p, --pin-dir DIR   where the data plane is pinned (default " XLB_PIN_DIR_DEFAULT ")\n"
		 "  -h, --help          show this help\n",
	.options = CLI_O(CLI_OPT_JSON) | CLI_O(CLI_OPT_PIN_DIR) | CLI_O(CLI_OPT_WATCH) |
		   CLI_O(CLI_OPT_INTERVAL) | CLI_O(CLI_OPT_ITERATIONS),
	.run = status_run,
};
