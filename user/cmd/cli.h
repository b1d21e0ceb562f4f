/* SPDX-License-Identifier: MIT */
/* The command table: one entry per `xlb COMMAND`.  A command declares the
 * options and positional arguments it takes; one parser (cmd/opts.h) reads
 * every command line, and the command runs on what it found. */
#ifndef XLB_CLI_H
#define XLB_CLI_H

#include <stdio.h>

enum xlb_exit {
	XLB_EXIT_OK = 0,
	XLB_EXIT_FAIL = 1,  /* runtime failure, invalid config */
	XLB_EXIT_USAGE = 2, /* bad command line */
};

struct cli_args;

struct command {
	const char *name;
	const char *summary; /* one line for `xlb --help` */
	const char *usage;   /* full help: synopsis, options, examples */
	unsigned options;    /* CLI_O() of each option it takes besides --help */
	const char *args;    /* its positional arguments: "FILE", "SERVICE MEMBER",
			      * "[COMMAND]" (optional), NULL for none */
	int (*run)(const struct cli_args *a); /* returns the exit code */
};

/* Every command; each lives in its own file. */
extern const struct command cmd_check;
extern const struct command cmd_run;
extern const struct command cmd_status;
extern const struct command cmd_top;
extern const struct command cmd_flows;
extern const struct command cmd_drain;
extern const struct command cmd_enable;
extern const struct command cmd_pick;
extern const struct command cmd_stop;
extern const struct command cmd_version;
extern const struct command cmd_help;

/* The table, in the order `xlb --help` lists it, NULL-terminated. */
extern const struct command *const cli_commands[];
const struct command *cli_command_find(const char *name);

int cli_main(int argc, char **argv);
/* Prints "xlb COMMAND: <message>" and the command's usage on stderr;
 * returns XLB_EXIT_USAGE. */
int cli_usage_error(const struct command *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void cli_print_help(const struct command *cmd, FILE *out);

#endif
