// SPDX-License-Identifier: MIT
/* `xlb run -c FILE`: the command line of the daemon (daemon/daemon.c). */
#include "cmd/run.h"

#include <string.h>

#include "dp/pin.h"
#include "lib/caps.h"
#include "lib/log.h"

static const char *const mode_words[] = {
	[DAEMON_MODE_XDP] = "xdp",
	[DAEMON_MODE_XDP_GENERIC] = "xdp-generic",
	[DAEMON_MODE_TC] = "tc",
};

int run_daemon_opts(const struct cli_args *a, struct daemon_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->config = a->config;
	o->pin_dir = a->pin_dir;
	o->mode = DAEMON_MODE_XDP;
	for (size_t i = 0; i < a->n_ifaces; i++)
		o->ifaces[o->n_ifaces++] = a->ifaces[i];
	if (a->mode) {
		size_t m = 0;

		while (m < sizeof(mode_words) / sizeof(mode_words[0]) && strcmp(a->mode, mode_words[m]))
			m++;
		if (m == sizeof(mode_words) / sizeof(mode_words[0]))
			return cli_usage_error(&cmd_run,
					       "unknown mode '%s'; expected xdp, xdp-generic or tc",
					       a->mode);
		o->mode = (enum daemon_mode)m;
	}
	if (a->log_format && log_format_parse(a->log_format, &o->log_format))
		return cli_usage_error(&cmd_run, "unknown log format '%s'; expected text or json",
				       a->log_format);
	if (!o->config)
		return cli_usage_error(&cmd_run, "missing -c FILE");
	return 0;
}

static int run_run(const struct cli_args *a)
{
	struct daemon_opts o;
	int rc;

	rc = run_daemon_opts(a, &o);
	if (rc)
		return rc;
	log_set_level(a->verbose >= 2 ? LOG_LVL_LIBBPF
		      : a->verbose    ? LOG_LVL_DEBUG
				      : LOG_LVL_INFO);
	log_set_timestamps(1);
	log_set_format(o.log_format);
	if (caps_require("xlb run", CAPS_RUN, "to load the data plane and attach it"))
		return XLB_EXIT_FAIL;
	return daemon_run(&o) ? XLB_EXIT_FAIL : XLB_EXIT_OK;
}

const struct command cmd_run = {
	.name = "run",
	.summary = "run the daemon: attach, health-check, balance",
	.usage = "usage: xlb run -c FILE [-i IFACE]... [--mode xdp|xdp-generic|tc] [--pin-dir DIR]\n"
		 "               [--log-format text|json] [-v]\n"
		 "\n"
		 "Validates FILE (every error is printed and nothing is touched when one is\n"
		 "found), loads the data plane or adopts the one pinned by an earlier run,\n"
		 "attaches it to every interface, publishes the services and health-checks\n"
		 "their members.  Logs go to stderr; when stderr is the journal (systemd's\n"
		 "JOURNAL_STREAM), each line carries its priority for 'journalctl -p'.\n"
		 "\n"
		 "  SIGHUP           reload FILE; an invalid file is reported and the running\n"
		 "                   configuration stays in force\n"
		 "  SIGTERM, SIGINT  exit, leaving the data plane attached and pinned so\n"
		 "                   connections keep flowing; the next 'xlb run' adopts them\n"
		 "\n"
		 "options:\n"
		 "  -c, --config FILE      the configuration (see docs/config.md)\n"
		 "  -i, --interface IFACE  attach to IFACE (repeatable); default: the file's\n"
		 "                         'global: interfaces:'\n"
		 "  -m, --mode MODE        xdp (native, the default; falls back to generic XDP\n"
		 "                         with a warning where the driver has no XDP),\n"
		 "                         xdp-generic, or tc (clsact ingress and egress, for\n"
		 "                         interfaces where XDP cannot serve); a restart in\n"
		 "                         another mode switches without a gap\n"
		 "  -p, --pin-dir DIR      where maps and links are pinned (default " XLB_PIN_DIR_DEFAULT ")\n"
		 "      --log-format FMT   text (the default) or json: one object per line\n"
		 "                         with time, level, message and, where there are\n"
		 "                         some, fields such as service and member\n"
		 "  -v, --verbose          more detail; -vv adds libbpf's own messages\n"
		 "  -h, --help             show this help\n",
	.options = CLI_O(CLI_OPT_CONFIG) | CLI_O(CLI_OPT_INTERFACE) | CLI_O(CLI_OPT_MODE) |
		   CLI_O(CLI_OPT_PIN_DIR) | CLI_O(CLI_OPT_VERBOSE) | CLI_O(CLI_OPT_LOG_FORMAT),
	.run = run_run,
};
