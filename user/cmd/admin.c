// SPDX-License-Identifier: MIT
/* `xlb drain|enable SERVICE MEMBER`: take a member out of rotation (its
 * connections go on) or put it back, at run time, until the next reload.
 * The admin state lives in the pinned xlb_mbr_admin map; a running daemon is told
 * with SIGUSR1 and republishes, and with no daemon the service is
 * republished here from what the pins say, through the daemon's own
 * publish path (daemon/publish.c), and its VIP withdrawn when it is left
 * with too few serving members (daemon/announce.h). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd/opts.h"
#include "lib/abi_text.h"
#include "lib/caps.h"
#include "lib/log.h"
#include "dp/maps.h"
#include "dp/pin.h"
#include "daemon/announce.h"
#include "daemon/publish.h"

struct admin_target {
	__u32 svc_id;
	struct xlb_svc_info svc;
};

static int find_service(const struct xlb_maps *m, const char *name, struct admin_target *t)
{
	for (__u32 id = 0; id < XLB_MAX_SERVICES; id++) {
		if (xlb_maps_svc_info_get(m, id, &t->svc) || !t->svc.in_use ||
		    strcmp(t->svc.name, name))
			continue;
		t->svc_id = id;
		return 0;
	}
	return -ENOENT;
}

/* A member is named as in the file; a hostname member's backends
 * ("name#address") are all meant by its name. */
static bool member_matches(const char *backend, const char *name)
{
	size_t n = strlen(name);

	return strcmp(backend, name) == 0 || (strncmp(backend, name, n) == 0 && backend[n] == '#');
}

/* With no daemon, a drain that leaves too few serving members withdraws
 * the service's VIP (global: announce:); an enable waits for the daemon. */
static int withdraw_if_needed(const struct xlb_maps *m, const struct admin_target *t)
{
	char vip[64];
	int err = announce_pins_withdraw(m, t->svc_id, NULL);

	if (err < 0)
		return log_errno(err, "%s: cannot withdraw its VIP", t->svc.name);
	if (err > 0)
		printf("%s: VIP %s withdrawn (too few serving members; no daemon runs to "
		       "announce it again: that waits for 'xlb run')\n",
		       t->svc.name, xlb_ip_str(&t->svc.key.vip, t->svc.key.family, vip, sizeof(vip)));
	return 0;
}

static int admin_set(const struct command *cmd, const struct cli_args *a, __u8 admin)
{
	const char *dir = a->pin_dir, *service = a->args[0], *member = a->args[1];
	struct admin_target t;
	struct xlb_maps m;
	int changed = 0, found = 0, err = 0;
	pid_t daemon;
	char who[32];

	snprintf(who, sizeof(who), "xlb %s", cmd->name);
	if (caps_require(who, CAPS_MAPS, "to write the pinned maps"))
		return XLB_EXIT_FAIL;
	if (xlb_maps_open_for_reading(&m, dir))
		return XLB_EXIT_FAIL;
	if (find_service(&m, service, &t)) {
		log_err("no service named '%s' is published at %s ('xlb status' lists them)",
			service, dir);
		err = -ENOENT;
		goto out;
	}
	for (__u32 id = 0; id < XLB_MAX_MEMBERS; id++) {
		struct xlb_mbr_info i;

		if (xlb_maps_mbr_info_get(&m, id, &i) || i.family == XLB_FAMILY_NONE ||
		    i.service_id != t.svc_id || !member_matches(i.name, member))
			continue;
		found++;
		if (xlb_maps_mbr_admin_get(&m, id) == admin)
			continue;
		err = xlb_maps_mbr_admin_set(&m, id, admin);
		if (err)
			goto out;
		changed++;
	}
	if (!found) {
		log_err("service '%s' has no member named '%s' ('xlb status' lists them)", service,
			member);
		err = -ENOENT;
		goto out;
	}
	daemon = pin_dir_lock_holder(dir);
	if (daemon > 0) {
		if (changed && kill(daemon, SIGUSR1)) {
			err = -errno;
			log_errno(-errno, "cannot tell the daemon (PID %d)", (int)daemon);
			goto out;
		}
	} else if (changed) {
		err = publish_service_from_pins(&m, t.svc_id);
		if (err) {
			log_errno(err, "cannot republish %s", service);
			goto out;
		}
		err = withdraw_if_needed(&m, &t);
		if (err)
			goto out;
	}
	if (!changed)
		printf("%s: member %s is already %s\n", service, member,
		       admin == XLB_ADMIN_DRAIN ? "draining" : "enabled");
	else if (admin == XLB_ADMIN_DRAIN)
		printf("%s: member %s drained: no new connections, existing ones go on "
		       "(until 'xlb enable' or the next reload)\n",
		       service, member);
	else
		printf("%s: member %s enabled: new connections again once its health check "
		       "says UP\n",
		       service, member);
out:
	xlb_maps_close(&m);
	return err ? XLB_EXIT_FAIL : XLB_EXIT_OK;
}

static int drain_run(const struct cli_args *a)
{
	return admin_set(&cmd_drain, a, XLB_ADMIN_DRAIN);
}

static int enable_run(const struct cli_args *a)
{
	return admin_set(&cmd_enable, a, XLB_ADMIN_ENABLED);
}

const struct command cmd_drain = {
	.name = "drain",
	.summary = "stop new connections to a member; existing ones go on",
	.usage = "usage: xlb drain SERVICE MEMBER [--pin-dir DIR]\n"
		 "\n"
		 "Takes MEMBER of SERVICE out of rotation at once: it gets no new\n"
		 "connections, its established ones carry on, and it is still health-\n"
		 "checked.  Lasts until 'xlb enable' or the next reload (the file wins).\n"
		 "A hostname member's name drains every address it resolved to.  A drain\n"
		 "that leaves the service fewer serving members than its announce:\n"
		 "min_members withdraws its VIP at once, with or without a daemon.\n"
		 "\n"
		 "options:\n"
		 "  -p, --pin-dir DIR   where the data plane is pinned (default " XLB_PIN_DIR_DEFAULT ")\n"
		 "  -h, --help          show this help\n",
	.options = CLI_O(CLI_OPT_PIN_DIR),
	.args = "SERVICE MEMBER",
	.run = drain_run,
};

const struct command cmd_enable = {
	.name = "enable",
	.summary = "put a drained member back in rotation",
	.usage = "usage: xlb enable SERVICE MEMBER [--pin-dir DIR]\n"
		 "\n"
		 "Undoes 'xlb drain': the member gets new connections again while its\n"
		 "health check says UP.\n"
		 "\n"
		 "options:\n"
		 "  -p, --pin-dir DIR   where the data plane is pinned (default " XLB_PIN_DIR_DEFAULT ")\n"
		 "  -h, --help          show this help\n",
	.options = CLI_O(CLI_OPT_PIN_DIR),
	.args = "SERVICE MEMBER",
	.run = enable_run,
};
