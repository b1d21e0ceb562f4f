// SPDX-License-Identifier: MIT
/* `xlb stop`: end the daemon if it runs, detach the data plane and remove
 * every pin.  Removing a pinned bpf_link drops the last reference to it once
 * no process holds it, which detaches the program from its hook. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd/opts.h"
#include "lib/caps.h"
#include "lib/log.h"
#include "dp/maps.h"
#include "dp/pin.h"
#include "dp/rtnl.h"
#include "dp/tc.h"

#define STOP_WAIT_MS 10000

static int wait_for_daemon_exit(const char *dir, pid_t pid)
{
	struct timespec step = { 0, 50 * 1000 * 1000 };

	for (int waited = 0; waited < STOP_WAIT_MS; waited += 50) {
		if (pin_dir_lock_holder(dir) != pid)
			return 0;
		nanosleep(&step, NULL);
	}
	return -ETIMEDOUT;
}

struct route_batch {
	struct xlb_addr vip[XLB_MAX_SERVICES];
	size_t n;
};

static int route_collect(const struct xlb_addr *vip, void *ctx)
{
	struct route_batch *b = ctx;

	if (b->n == XLB_MAX_SERVICES)
		return 1; /* the rest in the next round */
	b->vip[b->n++] = *vip;
	return 0;
}

/* Every route of xlb's protocol in table, read then deleted, batch by
 * batch (not while the dump is being read). */
static int withdraw_table(uint32_t table)
{
	static struct route_batch b;
	char text[INET6_ADDRSTRLEN];
	int err, failed = 0;

	for (int round = 0; round < 64 && !failed; round++) {
		b.n = 0;
		err = rtnl_route_each(table, route_collect, &b);
		if (err < 0)
			return log_errno(err, "cannot read routing table %u to withdraw xlb's "
					 "routes", table);
		for (size_t i = 0; i < b.n; i++) {
			int e = rtnl_route_del(table, &b.vip[i]);

			if (e && e != -ESRCH)
				failed = log_errno(e, "cannot remove the route of %s from table %u",
						   addr_format(&b.vip[i], text, sizeof(text)), table);
		}
		if (err == 0) /* the whole table was read */
			break;
	}
	return failed;
}

/* Withdraws every VIP xlb announced (global: announce:), before the data
 * plane goes: the tables are the ones the pins name, and every route of
 * xlb's protocol there goes. */
static void withdraw_routes(const char *dir)
{
	uint32_t tables[XLB_MAX_SERVICES];
	size_t n = 0;
	struct xlb_maps m;
	int err = xlb_maps_open_pinned(&m, dir);

	if (err == -EPROTO)
		log_warn("the pins are of another xlb version: VIP routes it announced (protocol "
			 "%d) are left; 'ip route flush table N proto %d' removes them",
			 XLB_RTPROTO, XLB_RTPROTO);
	if (err)
		return;
	for (__u32 id = 0; id < XLB_MAX_SERVICES; id++) {
		struct xlb_svc_info i;
		size_t j;

		if (xlb_maps_svc_info_get(&m, id, &i) || !i.in_use || !i.announce_table)
			continue;
		for (j = 0; j < n && tables[j] != i.announce_table; j++)
			;
		if (j == n)
			tables[n++] = i.announce_table;
	}
	xlb_maps_close(&m);
	for (size_t i = 0; i < n; i++)
		if (!withdraw_table(tables[i]))
			printf("VIP routes withdrawn from table %u\n", tables[i]);
}

static int stop_run(const struct cli_args *a)
{
	const char *dir = a->pin_dir;
	struct stat st;
	int removed = 0, elsewhere;
	pid_t pid;

	if (caps_require("xlb stop", CAPS_STOP, "to detach the data plane"))
		return XLB_EXIT_FAIL;
	if (stat(dir, &st)) {
		if (errno == ENOENT) {
			printf("xlb is not running: nothing pinned at %s\n", dir);
			return XLB_EXIT_OK;
		}
		log_errno(-errno, "cannot look at %s", dir);
		return XLB_EXIT_FAIL;
	}
	/* tc filters are found through netlink, which only reaches this
	 * namespace: stopping from elsewhere would leave them behind. */
	elsewhere = tc_record_elsewhere(dir);
	if (elsewhere) {
		log_err("the data plane at %s is attached with tc in another network namespace "
			"(ifindex %d there); run 'xlb stop' in that namespace (e.g. 'ip netns exec "
			"NAME xlb stop'); nothing was changed",
			dir, elsewhere);
		return XLB_EXIT_FAIL;
	}
	pid = pin_dir_lock_holder(dir);
	if (pid > 0) {
		printf("stopping the xlb daemon (PID %d)\n", (int)pid);
		if (kill(pid, SIGTERM) && errno != ESRCH) {
			log_errno(-errno, "cannot signal PID %d", (int)pid);
			return XLB_EXIT_FAIL;
		}
		if (wait_for_daemon_exit(dir, pid)) {
			log_err("the daemon (PID %d) did not exit within %d s; nothing removed",
				(int)pid, STOP_WAIT_MS / 1000);
			return XLB_EXIT_FAIL;
		}
	}
	withdraw_routes(dir);
	if (pin_dir_remove(dir, &removed))
		return XLB_EXIT_FAIL;
	printf("xlb stopped: data plane detached, %d pins removed from %s\n", removed, dir);
	return XLB_EXIT_OK;
}

const struct command cmd_stop = {
	.name = "stop",
	.summary = "stop the daemon, detach the data plane and remove its pins",
	.usage = "usage: xlb stop [--pin-dir DIR]\n"
		 "\n"
		 "Ends a running daemon (SIGTERM, waiting up to 10 s), withdraws the VIP\n"
		 "routes of its announce table (global: announce:), removes the pinned\n"
		 "links (which detaches the programs from their interfaces and hooks), then\n"
		 "the pinned maps and the pin directory.  Established connections through\n"
		 "xlb end with it.  To restart the daemon without losing connections, end\n"
		 "it with SIGTERM instead and start it again: see docs/operations.md.\n"
		 "\n"
		 "options:\n"
		 "  -p, --pin-dir DIR  where the data plane is pinned (default " XLB_PIN_DIR_DEFAULT ")\n"
		 "  -h, --help         show this help\n",
	.options = CLI_O(CLI_OPT_PIN_DIR),
	.run = stop_run,
};
