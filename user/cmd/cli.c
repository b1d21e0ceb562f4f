// SPDX-License-Identifier: MIT
#include "cmd/cli.h"

#include <getopt.h>
#include <stdarg.h>
#include <string.h>

#include "lib/log.h"
#include "xlb/abi.h"

static int cmd_help_run(int argc, char **argv);
static int cmd_version_run(int argc, char **argv);

static const struct command cmd_help = {
	.name = "help",
	.summary = "show help for xlb or for one command",
	.usage = "usage: xlb help [COMMAND]\n",
	.run = cmd_help_run,
};

static const struct command cmd_version = {
	.name = "version",
	.summary = "print the version and the data-plane ABI version",
	.usage = "usage: xlb version\n",
	.run = cmd_version_run,
};

static const struct command *const commands[] = {
	&cmd_check,
	&cmd_run,
	&cmd_status,
	&cmd_flows,
	&cmd_drain,
	&cmd_enable,
	&cmd_pick,
	&cmd_stop,
	&cmd_version,
	&cmd_help,
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct command *command_find(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
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
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(out, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(out, "\n'xlb help COMMAND' or 'xlb COMMAND --help' shows a command's options.\n"
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
	fprintf(stderr, "\nTry 'xlb %s --help'.\n", cmd->name);
	return XLB_EXIT_USAGE;
}

/* Commands share one rule for --help: anywhere on their command line. */
static int wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return 0;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return 1;
	}
	return 0;
}

static int cmd_help_run(int argc, char **argv)
{
	const struct command *cmd;

	if (argc < 2) {
		print_overview(stdout);
		return XLB_EXIT_OK;
	}
	if (argc > 2)
		return cli_usage_error(&cmd_help, "too many arguments");
	cmd = command_find(argv[1]);
	if (!cmd)
		return cli_usage_error(&cmd_help, "unknown command '%s'", argv[1]);
	cli_print_help(cmd, stdout);
	return XLB_EXIT_OK;
}

static int cmd_version_run(int argc, char **argv)
{
	if (argc > 1)
		return cli_usage_error(&cmd_version, "takes no arguments");
	printf("xlb %s (data-plane ABI %d)\n", XLB_VERSION, XLB_ABI_VERSION);
	return XLB_EXIT_OK;
}

int cli_main(int argc, char **argv)
{
	const struct command *cmd;

	if (argc < 2) {
		print_overview(stderr);
		return XLB_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		print_overview(stdout);
		return XLB_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0)
		return cmd_version_run(1, argv + 1);
	cmd = command_find(argv[1]);
	if (!cmd) {
		fprintf(stderr, "xlb: unknown command '%s'\nTry 'xlb --help'.\n", argv[1]);
		return XLB_EXIT_USAGE;
	}
	if (wants_help(argc - 1, argv + 1)) {
		cli_print_help(cmd, stdout);
		return XLB_EXIT_OK;
	}
	log_hook_libbpf();
	optind = 1;
	return cmd->run(argc - 1, argv + 1);
}
