// SPDX-License-Identifier: MIT
/* getopt_long behind one table.  The optstring starts with "-:": getopt
 * hands back each positional argument in order (options anywhere, whatever
 * POSIXLY_CORRECT says) and reports a missing value as ':' without printing
 * anything (opterr = 0 as well): every message is xlb's own, one line. */
#include "cmd/opts.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dp/pin.h"

const struct cli_option cli_options[CLI_OPT_COUNT] = {
	[CLI_OPT_CLIENT] = { '\0', "client", "ADDR[/PREFIX]" },
	[CLI_OPT_CONFIG] = { 'c', "config", "FILE" },
	[CLI_OPT_COUNT_ONLY] = { '\0', "count", NULL },
	[CLI_OPT_HELP] = { 'h', "help", NULL },
	[CLI_OPT_INTERFACE] = { 'i', "interface", "IFACE" },
	[CLI_OPT_INTERVAL] = { '\0', "interval", "SEC" },
	[CLI_OPT_ITERATIONS] = { 'n', "count", "N" },
	[CLI_OPT_JSON] = { 'j', "json", NULL },
	[CLI_OPT_LOG_FORMAT] = { '\0', "log-format", "FORMAT" },
	[CLI_OPT_MEMBER] = { '\0', "member", "ADDR[:PORT]" },
	[CLI_OPT_MODE] = { 'm', "mode", "MODE" },
	[CLI_OPT_PIN_DIR] = { 'p', "pin-dir", "DIR" },
	[CLI_OPT_SERVICE] = { 's', "service", "NAME" },
	[CLI_OPT_STATE] = { '\0', "state", "FILE" },
	[CLI_OPT_VERBOSE] = { 'v', "verbose", NULL },
	[CLI_OPT_WATCH] = { 'w', "watch", NULL },
};

#define LONG_ONLY_VAL 0x100 /* getopt's value of a long-only option: 0x100 + its id */

static int opt_val(enum cli_opt id)
{
	return cli_options[id].letter ? cli_options[id].letter : LONG_ONLY_VAL + (int)id;
}

static bool accepts(const struct command *cmd, enum cli_opt id)
{
	return id == CLI_OPT_HELP || (cmd->options & CLI_O(id));
}

/* The option getopt returned val for, among those cmd accepts; -1: none. */
static int opt_of_val(const struct command *cmd, int val)
{
	for (int id = 0; id < CLI_OPT_COUNT; id++)
		if (accepts(cmd, id) && opt_val(id) == val)
			return id;
	return -1;
}

struct parser {
	const struct command *cmd;
	char shorts[2 + 2 * CLI_OPT_COUNT + 1];
	struct option longs[CLI_OPT_COUNT + 1];
	char error[256]; /* the first problem found */
};

static void parser_init(struct parser *p, const struct command *cmd)
{
	size_t s = 0, l = 0;

	memset(p, 0, sizeof(*p));
	p->cmd = cmd;
	p->shorts[s++] = '-';
	p->shorts[s++] = ':';
	for (int id = 0; id < CLI_OPT_COUNT; id++) {
		const struct cli_option *o = &cli_options[id];

		if (!accepts(cmd, id))
			continue;
		if (o->letter) {
			p->shorts[s++] = o->letter;
			if (o->value)
				p->shorts[s++] = ':';
		}
		p->longs[l++] = (struct option){ o->name, o->value ? required_argument : no_argument,
						 NULL, opt_val(id) };
	}
}

__attribute__((format(printf, 2, 3)))
static void fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	if (p->error[0])
		return;
	va_start(ap, fmt);
	vsnprintf(p->error, sizeof(p->error), fmt, ap);
	va_end(ap);
}

/* How the user wrote the option getopt stopped at: "--name" (without any
 * "=value") when it was long, else "-x" from optopt. */
static const char *spelled(char **argv, char *buf, size_t len)
{
	const char *arg = optind > 0 ? argv[optind - 1] : "";

	if (strncmp(arg, "--", 2) == 0)
		snprintf(buf, len, "%.*s", (int)strcspn(arg, "="), arg);
	else
		snprintf(buf, len, "-%c", optopt);
	return buf;
}

/* getopt_long said '?': an unknown letter, an unknown or ambiguous long
 * option, or a value given to a flag ("--json=yes"). */
static void unknown(struct parser *p, char **argv)
{
	char opt[64], names[128] = "";
	size_t n = 0, matches = 0;

	if (optopt && opt_of_val(p->cmd, optopt) >= 0) {
		fail(p, "option '%s' takes no value", spelled(argv, opt, sizeof(opt)));
		return;
	}
	spelled(argv, opt, sizeof(opt));
	if (!optopt && opt[2]) {
		for (const struct option *l = p->longs; l->name && n < sizeof(names); l++) {
			if (strncmp(l->name, opt + 2, strlen(opt + 2)))
				continue;
			matches++;
			n += (size_t)snprintf(names + n, sizeof(names) - n, "%s--%s", n ? ", " : "",
					      l->name);
		}
	}
	if (matches > 1)
		fail(p, "option '%s' is ambiguous: %s", opt, names);
	else
		fail(p, "unknown option '%s'", opt);
}

static void take_arg(struct parser *p, struct cli_args *a, char *arg)
{
	if (a->n_args == CLI_MAX_ARGS) {
		fail(p, "unexpected argument '%s'", arg);
		return;
	}
	a->args[a->n_args++] = arg;
}

static void take_option(struct parser *p, struct cli_args *a, enum cli_opt id, char *value)
{
	switch (id) {
	case CLI_OPT_CLIENT:
		a->client = value;
		break;
	case CLI_OPT_CONFIG:
		a->config = value;
		break;
	case CLI_OPT_COUNT_ONLY:
		a->count_only = true;
		break;
	case CLI_OPT_HELP:
		a->help = true;
		break;
	case CLI_OPT_INTERFACE:
		if (a->n_ifaces == XLB_MAX_INTERFACES)
			fail(p, "at most %d interfaces (-i)", XLB_MAX_INTERFACES);
		else
			a->ifaces[a->n_ifaces++] = value;
		break;
	case CLI_OPT_INTERVAL:
		a->interval = value;
		break;
	case CLI_OPT_ITERATIONS:
		a->iterations = value;
		break;
	case CLI_OPT_JSON:
		a->json = true;
		break;
	case CLI_OPT_LOG_FORMAT:
		a->log_format = value;
		break;
	case CLI_OPT_MEMBER:
		a->member = value;
		break;
	case CLI_OPT_MODE:
		a->mode = value;
		break;
	case CLI_OPT_PIN_DIR:
		a->pin_dir = value;
		break;
	case CLI_OPT_SERVICE:
		a->service = value;
		break;
	case CLI_OPT_STATE:
		a->state = value;
		break;
	case CLI_OPT_VERBOSE:
		a->verbose++;
		break;
	case CLI_OPT_WATCH:
		a->watch = true;
		break;
	case CLI_OPT_COUNT:
		break;
	}
}

/* The positional words of cmd->args ("SERVICE MEMBER", "[COMMAND]"):
 * how many must be given, how many may, and the name of word i. */
static void args_spec(const char *spec, int *min, int *max)
{
	*min = *max = 0;
	for (const char *w = spec; *w; ) {
		w += strspn(w, " ");
		if (!*w)
			break;
		if (*w != '[')
			(*min)++;
		(*max)++;
		w += strcspn(w, " ");
	}
}

static void arg_name(const char *spec, int i, char *buf, size_t len)
{
	const char *w = spec;

	for (;;) {
		w += strspn(w, " ");
		if (i-- == 0)
			break;
		w += strcspn(w, " ");
	}
	w += *w == '[';
	snprintf(buf, len, "%.*s", (int)strcspn(w, " ]"), w);
}

static void check_args(struct parser *p, struct cli_args *a)
{
	const char *spec = p->cmd->args ? p->cmd->args : "";
	char name[64];
	int min, max;

	args_spec(spec, &min, &max);
	if (a->n_args > max) {
		fail(p, "unexpected argument '%s'", a->args[max]);
	} else if (a->n_args < min) {
		arg_name(spec, a->n_args, name, sizeof(name));
		fail(p, "missing %s", name);
	}
}

int cli_parse(const struct command *cmd, int argc, char **argv, struct cli_args *a)
{
	struct parser p;
	char opt[64];
	int c;

	memset(a, 0, sizeof(*a));
	a->pin_dir = XLB_PIN_DIR_DEFAULT;
	parser_init(&p, cmd);
	opterr = 0;
	optind = 0; /* a fresh scan: glibc forgets any earlier one */
	while ((c = getopt_long(argc, argv, p.shorts, p.longs, NULL)) != -1) {
		int id;

		if (c == 1) {
			take_arg(&p, a, optarg);
		} else if (c == ':') {
			fail(&p, "option '%s' needs a value", spelled(argv, opt, sizeof(opt)));
		} else if (c == '?' || (id = opt_of_val(cmd, c)) < 0) {
			unknown(&p, argv);
		} else {
			take_option(&p, a, id, optarg);
		}
	}
	for (; optind < argc; optind++) /* after "--" */
		take_arg(&p, a, argv[optind]);
	if (a->help)
		return 0;
	check_args(&p, a);
	if (p.error[0])
		return cli_usage_error(cmd, "%s", p.error);
	return 0;
}
