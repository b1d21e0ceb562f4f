/* SPDX-License-Identifier: MIT */
/* One option parser for every command.  The options of all commands are in
 * one table, so a letter means the same thing wherever it is accepted; a
 * command names the ones it takes and its positional arguments, and
 * cli_parse() fills a struct cli_args or reports one usage error.  Options
 * go anywhere among the arguments; `--` ends them. */
#ifndef XLB_OPTS_H
#define XLB_OPTS_H

#include <stdbool.h>
#include <stddef.h>

#include "cmd/cli.h"
#include "xlb/limits.h"

enum cli_opt {
	CLI_OPT_CLIENT,    /* --client ADDR[/PREFIX] (flows) */
	CLI_OPT_CONFIG,    /* -c, --config FILE */
	/* --count (flows): print how many match, not the list.  Spelled as
	 * CLI_OPT_ITERATIONS is, which no command that takes it also takes. */
	CLI_OPT_COUNT_ONLY,
	CLI_OPT_HELP,      /* -h, --help: every command's */
	CLI_OPT_INTERFACE, /* -i, --interface IFACE, repeatable */
	CLI_OPT_INTERVAL,  /* --interval SEC (top, status --watch) */
	CLI_OPT_ITERATIONS, /* -n, --count N (top, status --watch): refreshes, then exit */
	CLI_OPT_JSON,      /* -j, --json */
	CLI_OPT_LOG_FORMAT, /* --log-format WORD (long only: rarely typed, set in a unit file) */
	CLI_OPT_MEMBER,    /* --member ADDR[:PORT] (flows) */
	CLI_OPT_MODE,      /* -m, --mode MODE */
	CLI_OPT_PIN_DIR,   /* -p, --pin-dir DIR */
	CLI_OPT_SERVICE,   /* -s, --service NAME */
	CLI_OPT_STATE,     /* --state FILE (long only: -s is --service) */
	CLI_OPT_VERBOSE,   /* -v, --verbose, repeatable */
	CLI_OPT_WATCH,     /* -w, --watch (status: refresh, as `xlb top`) */
	CLI_OPT_COUNT,
};

/* For struct command's .options. */
#define CLI_O(opt) (1u << (opt))

struct cli_option {
	char letter;       /* '\0': long only */
	const char *name;  /* without the dashes */
	const char *value; /* what the value is ("DIR"); NULL for a flag */
};

extern const struct cli_option cli_options[CLI_OPT_COUNT];

#define CLI_MAX_ARGS 4 /* positional arguments a command can take */

/* What a command line said.  Strings point into argv. */
struct cli_args {
	const char *config;
	const char *pin_dir; /* XLB_PIN_DIR_DEFAULT unless given */
	const char *service;
	const char *state;
	const char *mode;    /* as given; the command checks the word */
	const char *log_format; /* as given; the command checks the word */
	/* As given; the command reads them (cmd/top.h, cmd/flows_filter.h). */
	const char *interval;
	const char *iterations;
	const char *member;
	const char *client;
	bool count_only;
	bool watch;
	const char *ifaces[XLB_MAX_INTERFACES];
	size_t n_ifaces;
	bool json;
	bool help;
	int verbose;
	char *args[CLI_MAX_ARGS];
	int n_args;
};

/* Parses argv (argv[0] is the command's name) for cmd.  Returns 0 with *a
 * filled (a->help set: the caller shows the help, whatever else the line
 * holds), or XLB_EXIT_USAGE after writing one error line and cmd's usage to
 * stderr.  Touches nothing else, so any command line can be tried. */
int cli_parse(const struct command *cmd, int argc, char **argv, struct cli_args *a);

#endif
