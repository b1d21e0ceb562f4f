/* SPDX-License-Identifier: MIT */
/* The command table: one entry per `xlb COMMAND`.  Each command parses its
 * own options with getopt_long and returns an exit code. */
#ifndef XLB_CLI_H
#define XLB_CLI_H

#include <stdio.h>

enum xlb_exit {
	XLB_EXIT_OK = 0,
	XLB_EXIT_FAIL = 1,  /* runtime failure, invalid config */
	XLB_EXIT_USAGE = 2, /* bad command line */
};

struct command {
	const char *name;
	const char *summary; /* one line for `xlb --help` */
	const char *usage;   /* full help: synopsis, options, examples */
	int (*run)(int argc, char **argv); /* argv[0] is the command name */
};

/* Every command; each lives in its own file. */
extern const struct command cmd_check;
extern const struct command cmd_run;
extern const struct command cmd_status;
extern const struct command cmd_flows;
extern const struct command cmd_drain;
extern const struct command cmd_enable;
extern const struct command cmd_pick;
extern const struct command cmd_stop;

int cli_main(int argc, char **argv);
/* Prints "xlb COMMAND: <message>" and a pointer to --help; returns 2. */
int cli_usage_error(const struct command *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void cli_print_help(const struct command *cmd, FILE *out);

#endif
