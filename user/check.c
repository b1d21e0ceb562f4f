// SPDX-License-Identifier: MIT
/* Placeholder until the config parser lands (replaced in the same series). */
#include "cli.h"

static int check_run(int argc, char **argv)
{
	return cli_usage_error(&cmd_check, "not implemented yet");
}

const struct command cmd_check = {
	.name = "check",
	.summary = "validate a configuration file and print the plan",
	.usage = "usage: xlb check FILE [--json]\n",
	.run = check_run,
};
