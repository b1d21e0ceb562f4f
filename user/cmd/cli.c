// SPDX-License-Identifier: MIT
#include "cmd/cli.h"

#include <stdarg.h>
#include <string.h>

#include "cmd/opts.h"
#include "lib/json.h"
#include "lib/log.h"
#include "xlb/abi.h"

const struct command *const cli_commands[] = {
	&cmd_check,
	&cmd_run,
	&cmd_status,
	&cmd_top,
	&cmd_flows,
	&cmd_drain,
	&cmd_enable,
	&cmd_pick,
	&cmd_stop,
	&cmd_version,
	&cmd_help,
	NULL,
};

const struct command *cli_command_find(const char *name)
{
	for (size_t i = 0; cli_commands[i]; i++)
		if (strcmp(cli_commands[i]->name, name) == 0)
			return cli_commands[i];
	return NULL;
}

static void print_overview(FILE *out)
{
	fprintf(out,
		"xlb - a kernel-assisted layer-4 load balancer (XDP, tc and socket hooks)\n"
		"\n"
		"usage: xlb COMMAND [OPTIONS] [ARGS]\n"
		"\n"
		"commands:\n");
	for (size_t i = 0; cli_commands[i]; i++)
		fprintf(out, "  %-10s %s\n", cli_commands[i]->name, cli_commands[i]->summary);
	fprintf(out, "\nOptions go before or after the arguments ('--' ends them) and mean the\n"
		     "same in every command: -c config, -i interface, -j json, -m mode,\n"
		     "-n count of refreshes, -p pin directory, -s service, -v verbose,\n"
		     "-w watch, -h help.\n"
		     "'xlb help COMMAND' or 'xlb COMMAND --help' shows a command's options.\n"
		     "Exit codes: 0 success, 1 failure or invalid configuration, 2 usage error.\n");
}

void cli_print_help(const struct command *cmd, FILE *out)
{
	fprintf(out, "xlb %s - %s\n\n%s", cmd->name, cmd->summary, cmd->usage);
}

int cli_usage_error(const struct command *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "xlb %s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%s", cmd->usage);
	return XLB_EXIT_USAGE;
}

static int help_run(const struct cli_args *a)
{
	const struct command *cmd;

	if (!a->n_args) {
		print_overview(stdout);
		return XLB_EXIT_OK;
	}
	cmd = cli_command_find(a->args[0]);
	if (!cmd)
		return cli_usage_error(&cmd_help, "unknown command '%s'", a->args[0]);
	cli_print_help(cmd, stdout);
	return XLB_EXIT_OK;
}

const struct command cmd_help = {
	.name = "help",
	.summary = "show help for xlb or for one command",
	.usage = "usage: xlb help [COMMAND]\n"
		 "\n"
		 "Without COMMAND, lists the commands; with one, shows its help (the same\n"
		 "as 'xlb COMMAND --help').\n",
	.args = "[COMMAND]",
	.run = help_run,
};

static int version_run(const struct cli_args *a)
{
	struct json_writer w;

	if (!a->json) {
		printf("xlb %s (data-plane ABI %d)\n", XLB_VERSION, XLB_ABI_VERSION);
		return XLB_EXIT_OK;
	}
	json_init(&w, stdout, true);
	json_object_begin(&w);
	json_kv_string(&w, "version", XLB_VERSION);
	json_kv_uint(&w, "abi_version", XLB_ABI_VERSION);
	json_object_end(&w);
	json_finish(&w);
	return XLB_EXIT_OK;
}

const struct command cmd_version = {
	.name = "version",
	.summary = "print the version and the data-plane ABI version",
	.usage = "usage: xlb version [--json]\n"
		 "\n"
		 "The data-plane ABI version is the layout of the pinned maps: a daemon\n"
		 "refuses pins of another one ('xlb stop' first).\n"
		 "\n"
		 "options:\n"
		 "  -j, --json   {\"version\": ..., \"abi_version\": ...}\n",
	.options = CLI_O(CLI_OPT_JSON),
	.run = version_run,
};

int cli_main(int argc, char **argv)
{
	const struct command *cmd;
	struct cli_args a;
	int rc;

	log_init();
	if (argc < 2) {
		print_overview(stderr);
		return XLB_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		print_overview(stdout);
		return XLB_EXIT_OK;
	}
	/* `xlb --version` is `xlb version`; getopt skips argv[0], its name. */
	cmd = cli_command_find(strcmp(argv[1], "--version") == 0 ? "version" : argv[1]);
	if (!cmd) {
		fprintf(stderr, "xlb: unknown command '%s'\n", argv[1]);
		print_overview(stderr);
		return XLB_EXIT_USAGE;
	}
	rc = cli_parse(cmd, argc - 1, argv + 1, &a);
	if (rc)
		return rc;
	if (a.help) {
		cli_print_help(cmd, stdout);
		return XLB_EXIT_OK;
	}
	log_hook_libbpf();
	return cmd->run(&a);
}
