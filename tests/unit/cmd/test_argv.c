// SPDX-License-Identifier: MIT
/* Every command's command line through the one parser (cmd/opts.c): options
 * before and after the arguments, `--`, a letter that means one thing in
 * every command, one error line and the usage for every mistake (exit 2),
 * and each --help naming exactly the options its command takes.  No root:
 * the parser touches nothing, and the commands run here (check, version,
 * help) only print. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/opts.h"
#include "cmd/run.h"
#include "dp/pin.h"
#include "test.h"
#include "xlb/abi.h"

#define SEED "examples/observabilityplatforms.com.yaml"

/* ---- helpers -------------------------------------------------------------- */

/* A command line split at spaces; argv[0] is the command's name. */
struct line {
	char buf[2048];
	char *argv[128];
	int argc;
};

static void line_split(struct line *l, const char *name, const char *args)
{
	char *save = NULL;

	snprintf(l->buf, sizeof(l->buf), "%s %s", name, args);
	l->argc = 0;
	for (char *w = strtok_r(l->buf, " ", &save); w && l->argc < 127; w = strtok_r(NULL, " ", &save))
		l->argv[l->argc++] = w;
	l->argv[l->argc] = NULL;
}

static char *read_back(FILE *f)
{
	long n;
	char *s;

	fflush(f);
	n = ftell(f);
	s = calloc(1, (size_t)(n > 0 ? n : 0) + 1);
	rewind(f);
	if (s && n > 0 && fread(s, 1, (size_t)n, f) != (size_t)n)
		s[0] = '\0';
	fclose(f);
	return s;
}

/* What a call wrote on stdout and stderr (both NUL-terminated, to free). */
struct output {
	char *out, *err;
};

struct redirect {
	FILE *out, *err;
	int saved_out, saved_err;
};

static void redirect_begin(struct redirect *r)
{
	fflush(stdout);
	fflush(stderr);
	r->out = tmpfile();
	r->err = tmpfile();
	r->saved_out = dup(STDOUT_FILENO);
	r->saved_err = dup(STDERR_FILENO);
	dup2(fileno(r->out), STDOUT_FILENO);
	dup2(fileno(r->err), STDERR_FILENO);
}

static void redirect_end(struct redirect *r, struct output *o)
{
	fflush(stdout);
	fflush(stderr);
	dup2(r->saved_out, STDOUT_FILENO);
	dup2(r->saved_err, STDERR_FILENO);
	close(r->saved_out);
	close(r->saved_err);
	o->out = read_back(r->out);
	o->err = read_back(r->err);
}

static void output_free(struct output *o)
{
	free(o->out);
	free(o->err);
}

/* cli_parse() of `xlb NAME ARGS`; *l must live as long as a. */
static int parse(const char *name, const char *args, struct line *l, struct cli_args *a,
		 struct output *o)
{
	const struct command *cmd = cli_command_find(name);
	struct redirect r;
	int rc;

	line_split(l, name, args);
	redirect_begin(&r);
	rc = cmd ? cli_parse(cmd, l->argc, l->argv, a) : -1;
	redirect_end(&r, o);
	return rc;
}

/* cli_main() of `xlb ARGS`. */
static int run_main(const char *args, struct output *o)
{
	struct line l;
	struct redirect r;
	int rc;

	line_split(&l, "xlb", args);
	redirect_begin(&r);
	rc = cli_main(l.argc, l.argv);
	redirect_end(&r, o);
	return rc;
}

static const char *str_or(const char *s)
{
	return s ? s : "(null)";
}

/* The two parses said the same thing, field by field. */
static bool args_equal(const struct cli_args *x, const struct cli_args *y)
{
	const char *const xs[] = { x->config, x->pin_dir, x->service, x->state, x->mode,
				   x->log_format };
	const char *const ys[] = { y->config, y->pin_dir, y->service, y->state, y->mode,
				   y->log_format };

	for (size_t i = 0; i < sizeof(xs) / sizeof(xs[0]); i++)
		if (strcmp(str_or(xs[i]), str_or(ys[i])))
			return false;
	if (x->n_ifaces != y->n_ifaces || x->json != y->json || x->help != y->help ||
	    x->verbose != y->verbose || x->n_args != y->n_args)
		return false;
	for (size_t i = 0; i < x->n_ifaces; i++)
		if (strcmp(x->ifaces[i], y->ifaces[i]))
			return false;
	for (int i = 0; i < x->n_args; i++)
		if (strcmp(x->args[i], y->args[i]))
			return false;
	return true;
}

/* Arguments that satisfy cmd's positional arguments. */
static const char *enough_args(const struct command *cmd)
{
	if (!cmd->args || cmd->args[0] == '[')
		return "";
	return strchr(cmd->args, ' ') ? "web m1" : SEED;
}

/* ---- options anywhere ------------------------------------------------------ */

/* Each command line, in the same order every way: what cli_parse() made of
 * the first must be what it made of the others. */
static const struct {
	const char *cmd;
	const char *ways[4];
} same_meaning[] = {
	{ "check", { "-j " SEED, SEED " -j", SEED " --json", "--json " SEED } },
	{ "run", { "-c f -i a -i b -m tc -p /d -v --log-format json",
		   "-v --log-format json -p /d -c f -i a -m tc -i b",
		   "--config f --interface a --interface b --mode tc --pin-dir /d --verbose "
		   "--log-format=json",
		   "--log-format=json --config=f --interface=a -ib -mtc --pin-dir=/d -v" } },
	{ "status", { "-j -p /d", "-p /d -j", "--pin-dir /d --json", "-jp/d" } },
	{ "flows", { "-s web -j -p /d", "-p /d --service web --json", "-jsweb -p/d",
		     "--pin-dir=/d --json --service=web" } },
	{ "drain", { "-p /d web m1", "web -p /d m1", "web m1 -p /d", "web m1 --pin-dir /d" } },
	{ "enable", { "-p /d web m1", "web --pin-dir=/d m1", "web m1 -p/d", "--pin-dir /d web m1" } },
	{ "pick", { "-s web --state /s -j " SEED, SEED " -s web --state /s -j",
		    "--json " SEED " --state=/s --service web", "-js web " SEED " --state /s" } },
	{ "stop", { "-p /d", "--pin-dir /d", "--pin-dir=/d", "-p/d" } },
	{ "version", { "-j", "--json", "--json", "-j" } },
	{ "help", { "check", "check", "check", "check" } },
};

TEST(every_command_takes_options_before_and_after_its_arguments)
{
	for (size_t i = 0; i < sizeof(same_meaning) / sizeof(same_meaning[0]); i++) {
		struct line l0, l;
		struct cli_args a0, a;
		struct output o;
		int rc;

		rc = parse(same_meaning[i].cmd, same_meaning[i].ways[0], &l0, &a0, &o);
		if (rc)
			printf("  xlb %s %s: %s", same_meaning[i].cmd, same_meaning[i].ways[0], o.err);
		output_free(&o);
		ASSERT_EQ(0, rc);
		for (int w = 1; w < 4; w++) {
			rc = parse(same_meaning[i].cmd, same_meaning[i].ways[w], &l, &a, &o);
			if (rc || !args_equal(&a0, &a))
				printf("  xlb %s %s differs from xlb %s %s: %s\n", same_meaning[i].cmd,
				       same_meaning[i].ways[w], same_meaning[i].cmd,
				       same_meaning[i].ways[0], o.err);
			output_free(&o);
			ASSERT_EQ(0, rc);
			ASSERT_TRUE(args_equal(&a0, &a));
		}
	}
}

TEST(parsed_values_land_in_their_fields)
{
	struct line l;
	struct cli_args a;
	struct output o;

	ASSERT_EQ(0, parse("run", "-v -c f.yaml -i l0 -vv -m xdp-generic -i l1 -p /sys/fs/bpf/t",
			   &l, &a, &o));
	output_free(&o);
	ASSERT_STR_EQ("f.yaml", a.config);
	ASSERT_EQ(2, a.n_ifaces);
	ASSERT_STR_EQ("l0", a.ifaces[0]);
	ASSERT_STR_EQ("l1", a.ifaces[1]);
	ASSERT_STR_EQ("xdp-generic", a.mode);
	ASSERT_STR_EQ("/sys/fs/bpf/t", a.pin_dir);
	ASSERT_EQ(3, a.verbose);
	ASSERT_EQ(false, a.json);

	ASSERT_EQ(0, parse("drain", "web m1", &l, &a, &o));
	output_free(&o);
	ASSERT_STR_EQ(XLB_PIN_DIR_DEFAULT, a.pin_dir);
	ASSERT_EQ(2, a.n_args);
	ASSERT_STR_EQ("web", a.args[0]);
	ASSERT_STR_EQ("m1", a.args[1]);

	/* The last of a repeated option wins. */
	ASSERT_EQ(0, parse("status", "-p /a --pin-dir /b", &l, &a, &o));
	output_free(&o);
	ASSERT_STR_EQ("/b", a.pin_dir);
}

TEST(double_dash_ends_the_options)
{
	struct line l;
	struct cli_args a;
	struct output o;

	ASSERT_EQ(0, parse("check", "--json -- -j", &l, &a, &o));
	output_free(&o);
	ASSERT_EQ(true, a.json);
	ASSERT_EQ(1, a.n_args);
	ASSERT_STR_EQ("-j", a.args[0]);

	ASSERT_EQ(0, parse("drain", "-p /d -- --pin-dir -x", &l, &a, &o));
	output_free(&o);
	ASSERT_STR_EQ("/d", a.pin_dir);
	ASSERT_EQ(2, a.n_args);
	ASSERT_STR_EQ("--pin-dir", a.args[0]);
	ASSERT_STR_EQ("-x", a.args[1]);

	/* --help after -- is a file name, not a request for help. */
	ASSERT_EQ(0, parse("check", "-- --help", &l, &a, &o));
	output_free(&o);
	ASSERT_EQ(false, a.help);
	ASSERT_STR_EQ("--help", a.args[0]);

	/* A lone "-" is an argument (stdin, by convention). */
	ASSERT_EQ(0, parse("pick", "- -j", &l, &a, &o));
	output_free(&o);
	ASSERT_STR_EQ("-", a.args[0]);
}

/* ---- one letter, one meaning --------------------------------------------- */

TEST(a_letter_means_the_same_option_in_every_command)
{
	for (size_t c = 0; cli_commands[c]; c++) {
		const struct command *cmd = cli_commands[c];

		for (int id = 0; id < CLI_OPT_COUNT; id++) {
			const struct cli_option *opt = &cli_options[id];
			char by_letter[128], by_name[128];
			struct line l1, l2;
			struct cli_args a1, a2;
			struct output o1, o2;
			int rc1, rc2;

			if (!opt->letter || (id != CLI_OPT_HELP && !(cmd->options & CLI_O(id))))
				continue;
			snprintf(by_letter, sizeof(by_letter), "-%c%s %s", opt->letter,
				 opt->value ? " v" : "", enough_args(cmd));
			snprintf(by_name, sizeof(by_name), "--%s%s %s", opt->name,
				 opt->value ? " v" : "", enough_args(cmd));
			rc1 = parse(cmd->name, by_letter, &l1, &a1, &o1);
			rc2 = parse(cmd->name, by_name, &l2, &a2, &o2);
			if (rc1 || rc2 || !args_equal(&a1, &a2))
				printf("  xlb %s: '%s' (%d: %s) vs '%s' (%d: %s)\n", cmd->name,
				       by_letter, rc1, o1.err, by_name, rc2, o2.err);
			output_free(&o1);
			output_free(&o2);
			ASSERT_EQ(0, rc1);
			ASSERT_EQ(0, rc2);
			ASSERT_TRUE(args_equal(&a1, &a2));
		}
	}
}

TEST(s_is_the_service_in_flows_and_pick_and_state_is_long_only)
{
	struct line l;
	struct cli_args a;
	struct output o;

	ASSERT_EQ(0, parse("flows", "-s web", &l, &a, &o));
	output_free(&o);
	ASSERT_STR_EQ("web", a.service);
	ASSERT_EQ(0, parse("pick", "-s web --state /tmp/st " SEED, &l, &a, &o));
	output_free(&o);
	ASSERT_STR_EQ("web", a.service);
	ASSERT_STR_EQ("/tmp/st", a.state);
	for (int id = 0; id < CLI_OPT_COUNT; id++)
		for (int other = id + 1; other < CLI_OPT_COUNT; other++)
			if (cli_options[id].letter)
				ASSERT_NE(cli_options[id].letter, cli_options[other].letter);
}

/* --count is spelled alike in top (-n, --count N: refreshes) and flows
 * (--count: how many match); no command may take two options of one name. */
TEST(no_command_takes_two_options_of_one_name)
{
	for (size_t c = 0; cli_commands[c]; c++)
		for (int id = 0; id < CLI_OPT_COUNT; id++)
			for (int other = id + 1; other < CLI_OPT_COUNT; other++) {
				const struct command *cmd = cli_commands[c];
				bool both = (cmd->options & CLI_O(id)) && (cmd->options & CLI_O(other));

				if (both && strcmp(cli_options[id].name, cli_options[other].name) == 0)
					printf("  xlb %s takes --%s twice\n", cmd->name, cli_options[id].name);
				ASSERT_TRUE(!both || strcmp(cli_options[id].name, cli_options[other].name));
			}
}

TEST(top_and_status_watch_take_interval_and_count)
{
	struct line l;
	struct cli_args a;
	struct output o;

	ASSERT_EQ(0, parse("top", "--interval 0.5 -n 3", &l, &a, &o));
	output_free(&o);
	ASSERT_STR_EQ("0.5", a.interval);
	ASSERT_STR_EQ("3", a.iterations);
	ASSERT_EQ(0, parse("status", "-w --count 2 --interval=2", &l, &a, &o));
	output_free(&o);
	ASSERT_TRUE(a.watch);
	ASSERT_STR_EQ("2", a.iterations);
	ASSERT_STR_EQ("2", a.interval);
	ASSERT_TRUE(!a.count_only);
}

TEST(flows_takes_member_client_and_count_with_service)
{
	struct line l;
	struct cli_args a;
	struct output o;

	ASSERT_EQ(0, parse("flows", "--member 198.18.1.2:80 -s web --client 198.18.0.0/24 --count -j",
			   &l, &a, &o));
	output_free(&o);
	ASSERT_STR_EQ("198.18.1.2:80", a.member);
	ASSERT_STR_EQ("198.18.0.0/24", a.client);
	ASSERT_STR_EQ("web", a.service);
	ASSERT_TRUE(a.count_only);
	ASSERT_TRUE(a.json);
	ASSERT_TRUE(a.iterations == NULL);
}

/* ---- mistakes: one line, the usage, exit 2 ------------------------------- */

/* The parse failed with exactly "xlb NAME: MESSAGE\n" and NAME's usage. */
static bool usage_error_is(const char *name, const char *args, const char *message)
{
	const struct command *cmd = cli_command_find(name);
	char want[4096];
	struct line l;
	struct cli_args a;
	struct output o;
	bool same;
	int rc;

	rc = parse(name, args, &l, &a, &o);
	snprintf(want, sizeof(want), "xlb %s: %s\n%s", name, message, cmd->usage);
	same = rc == XLB_EXIT_USAGE && strcmp(want, o.err) == 0 && o.out[0] == '\0';
	if (!same)
		printf("  xlb %s %s: exit %d\n  expected on stderr:\n%s  got:\n%s", name, args, rc,
		       want, o.err);
	output_free(&o);
	return same;
}

TEST(an_unknown_option_is_one_error_line_and_the_usage_in_every_command)
{
	for (size_t c = 0; cli_commands[c]; c++) {
		const char *name = cli_commands[c]->name;
		char args[128];

		snprintf(args, sizeof(args), "%s --frobnicate", enough_args(cli_commands[c]));
		ASSERT_TRUE(usage_error_is(name, args, "unknown option '--frobnicate'"));
		snprintf(args, sizeof(args), "-x %s", enough_args(cli_commands[c]));
		ASSERT_TRUE(usage_error_is(name, args, "unknown option '-x'"));
	}
}

TEST(an_option_of_another_command_is_unknown_here)
{
	ASSERT_TRUE(usage_error_is("status", "--service web", "unknown option '--service'"));
	ASSERT_TRUE(usage_error_is("check", "-p /d " SEED, "unknown option '-p'"));
	ASSERT_TRUE(usage_error_is("stop", "--json", "unknown option '--json'"));
	ASSERT_TRUE(usage_error_is("flows", "--state s", "unknown option '--state'"));
	/* An unknown letter inside a cluster of known ones. */
	ASSERT_TRUE(usage_error_is("check", "-jx " SEED, "unknown option '-x'"));
}

TEST(a_missing_option_value_is_one_error_line_and_the_usage)
{
	for (size_t c = 0; cli_commands[c]; c++) {
		const struct command *cmd = cli_commands[c];

		for (int id = 0; id < CLI_OPT_COUNT; id++) {
			const struct cli_option *opt = &cli_options[id];
			char args[128], msg[128];

			if (!opt->value || !(cmd->options & CLI_O(id)))
				continue;
			snprintf(args, sizeof(args), "%s --%s", enough_args(cmd), opt->name);
			snprintf(msg, sizeof(msg), "option '--%s' needs a value", opt->name);
			ASSERT_TRUE(usage_error_is(cmd->name, args, msg));
			if (!opt->letter)
				continue;
			snprintf(args, sizeof(args), "%s -%c", enough_args(cmd), opt->letter);
			snprintf(msg, sizeof(msg), "option '-%c' needs a value", opt->letter);
			ASSERT_TRUE(usage_error_is(cmd->name, args, msg));
		}
	}
}

TEST(a_value_given_to_a_flag_is_refused)
{
	ASSERT_TRUE(usage_error_is("check", "--json=yes " SEED, "option '--json' takes no value"));
	ASSERT_TRUE(usage_error_is("run", "-c f --verbose=2", "option '--verbose' takes no value"));
}

TEST(an_ambiguous_abbreviation_names_the_candidates)
{
	struct line l;
	struct cli_args a;
	struct output o;

	ASSERT_TRUE(usage_error_is("pick", "--s web " SEED,
				   "option '--s' is ambiguous: --service, --state"));
	/* A unique one is the option, as getopt_long allows. */
	ASSERT_EQ(0, parse("pick", "--serv web --st /s " SEED, &l, &a, &o));
	output_free(&o);
	ASSERT_STR_EQ("web", a.service);
	ASSERT_STR_EQ("/s", a.state);
}

TEST(missing_and_extra_arguments_are_named)
{
	ASSERT_TRUE(usage_error_is("check", "--json", "missing FILE"));
	ASSERT_TRUE(usage_error_is("check", "a.yaml b.yaml", "unexpected argument 'b.yaml'"));
	ASSERT_TRUE(usage_error_is("pick", "-s web", "missing FILE"));
	ASSERT_TRUE(usage_error_is("drain", "", "missing SERVICE"));
	ASSERT_TRUE(usage_error_is("enable", "web -p /d", "missing MEMBER"));
	ASSERT_TRUE(usage_error_is("drain", "web m1 m2", "unexpected argument 'm2'"));
	ASSERT_TRUE(usage_error_is("status", "web", "unexpected argument 'web'"));
	ASSERT_TRUE(usage_error_is("flows", "-- -j", "unexpected argument '-j'"));
	ASSERT_TRUE(usage_error_is("stop", "now", "unexpected argument 'now'"));
	ASSERT_TRUE(usage_error_is("version", "x", "unexpected argument 'x'"));
	ASSERT_TRUE(usage_error_is("help", "check run", "unexpected argument 'run'"));
	ASSERT_TRUE(usage_error_is("run", "-c f extra", "unexpected argument 'extra'"));
	/* The first mistake is the one reported. */
	ASSERT_TRUE(usage_error_is("check", "--nope a b", "unknown option '--nope'"));
}

TEST(help_anywhere_wins_over_every_other_mistake)
{
	for (size_t c = 0; cli_commands[c]; c++) {
		struct line l;
		struct cli_args a;
		struct output o;
		int rc;

		rc = parse(cli_commands[c]->name, "--frobnicate x y z -h --pin-dir", &l, &a, &o);
		ASSERT_EQ(0, rc);
		ASSERT_EQ(true, a.help);
		ASSERT_STR_EQ("", o.err);
		output_free(&o);
	}
}

/* ---- run: values checked by the command ------------------------------------ */

TEST(run_turns_its_arguments_into_daemon_options)
{
	static const struct {
		const char *word;
		enum daemon_mode mode;
	} modes[] = {
		{ "xdp", DAEMON_MODE_XDP },
		{ "xdp-generic", DAEMON_MODE_XDP_GENERIC },
		{ "tc", DAEMON_MODE_TC },
	};
	struct daemon_opts d;
	struct line l;
	struct cli_args a;
	struct output o;

	ASSERT_EQ(0, parse("run", "-c f.yaml -i l0 -i l1", &l, &a, &o));
	output_free(&o);
	ASSERT_EQ(0, run_daemon_opts(&a, &d));
	ASSERT_STR_EQ("f.yaml", d.config);
	ASSERT_STR_EQ(XLB_PIN_DIR_DEFAULT, d.pin_dir);
	ASSERT_EQ(DAEMON_MODE_XDP, d.mode);
	ASSERT_EQ(2, d.n_ifaces);
	ASSERT_STR_EQ("l0", d.ifaces[0]);
	ASSERT_STR_EQ("l1", d.ifaces[1]);
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		char args[64];

		snprintf(args, sizeof(args), "--mode %s -c f", modes[i].word);
		ASSERT_EQ(0, parse("run", args, &l, &a, &o));
		output_free(&o);
		ASSERT_EQ(0, run_daemon_opts(&a, &d));
		ASSERT_EQ(modes[i].mode, d.mode);
	}
}

/* run_daemon_opts() of `xlb run ARGS` failed with "xlb run: MESSAGE". */
static bool run_refuses(const char *args, const char *message)
{
	struct daemon_opts d;
	struct line l;
	struct cli_args a;
	struct output o;
	struct redirect r;
	char want[4096];
	bool same;
	int rc;

	if (parse("run", args, &l, &a, &o)) {
		printf("  xlb run %s: the parse failed: %s", args, o.err);
		output_free(&o);
		return false;
	}
	output_free(&o);
	redirect_begin(&r);
	rc = run_daemon_opts(&a, &d);
	redirect_end(&r, &o);
	snprintf(want, sizeof(want), "xlb run: %s\n%s", message, cmd_run.usage);
	same = rc == XLB_EXIT_USAGE && strcmp(want, o.err) == 0;
	if (!same)
		printf("  xlb run %s: exit %d\n  expected:\n%s  got:\n%s", args, rc, want, o.err);
	output_free(&o);
	return same;
}

TEST(run_refuses_an_unknown_mode_or_log_format_and_a_missing_file)
{
	ASSERT_TRUE(run_refuses("-c f --mode xdpdrv",
				"unknown mode 'xdpdrv'; expected xdp, xdp-generic or tc"));
	ASSERT_TRUE(run_refuses("-i l0", "missing -c FILE"));
	ASSERT_TRUE(run_refuses("-c f --log-format journal",
				"unknown log format 'journal'; expected text or json"));
}

TEST(run_takes_at_most_the_interfaces_the_data_plane_has_room_for)
{
	char args[64 * 8] = "-c f";
	char msg[64];

	for (int i = 0; i <= XLB_MAX_INTERFACES; i++) {
		size_t n = strlen(args);

		snprintf(args + n, sizeof(args) - n, " -i e%d", i);
	}
	snprintf(msg, sizeof(msg), "at most %d interfaces (-i)", XLB_MAX_INTERFACES);
	ASSERT_TRUE(usage_error_is("run", args, msg));
}

/* `xlb NAME ARGS` through cli_main failed with exactly "xlb NAME: MESSAGE\n"
 * and NAME's usage: what a command's run refuses, not the parser. */
static bool run_usage_error_is(const char *name, const char *args, const char *message)
{
	const struct command *cmd = cli_command_find(name);
	char line[512], want[4096];
	struct output o;
	bool same;
	int rc;

	snprintf(line, sizeof(line), "%s %s", name, args);
	rc = run_main(line, &o);
	snprintf(want, sizeof(want), "xlb %s: %s\n%s", name, message, cmd->usage);
	same = rc == XLB_EXIT_USAGE && strcmp(want, o.err) == 0 && o.out[0] == '\0';
	if (!same)
		printf("  xlb %s: exit %d\n  expected on stderr:\n%s  got:\n%s", line, rc, want, o.err);
	output_free(&o);
	return same;
}

/* Refused before anything is read: no root, no pins needed. */
TEST(bad_watch_and_filter_values_are_usage_errors_before_reading_the_pins)
{
	ASSERT_TRUE(run_usage_error_is("status", "--interval 2", "--interval goes with --watch"));
	ASSERT_TRUE(run_usage_error_is("status", "-n 2", "--count goes with --watch"));
	ASSERT_TRUE(run_usage_error_is("top", "--count 0",
				   "--count '0': a number of refreshes from 1 to 1000000000"));
	ASSERT_TRUE(run_usage_error_is("status", "-w --interval 0.01",
				   "--interval '0.01': seconds from 0.1 to 3600 (0.5, 2, 10)"));
	ASSERT_TRUE(run_usage_error_is("flows", "--member 198.18.1.2:0",
				   "--member '198.18.1.2:0': an IP address with an optional port "
				   "(198.18.1.2, 198.18.1.2:80, fd00::2, [fd00::2]:80)"));
	ASSERT_TRUE(run_usage_error_is("flows", "--client 198.18.0.0/33",
				   "--client '198.18.0.0/33': an IP address or a prefix "
				   "(198.18.0.2, 198.18.0.0/24, fd00::/64)"));
}

/* ---- each --help says what its command takes ------------------------------- */

TEST(every_usage_lists_exactly_the_options_its_command_takes)
{
	for (size_t c = 0; cli_commands[c]; c++) {
		const struct command *cmd = cli_commands[c];
		const char *u = cmd->usage;
		char synopsis[64];

		snprintf(synopsis, sizeof(synopsis), "usage: xlb %s", cmd->name);
		ASSERT_EQ(0, strncmp(synopsis, u, strlen(synopsis)));
		for (int id = 0; id < CLI_OPT_COUNT; id++) {
			const struct cli_option *opt = &cli_options[id];
			char form[64];

			if (!(cmd->options & CLI_O(id)))
				continue;
			if (opt->letter)
				snprintf(form, sizeof(form), "-%c, --%s", opt->letter, opt->name);
			else
				snprintf(form, sizeof(form), "    --%s", opt->name);
			if (!strstr(u, form))
				printf("  xlb %s --help does not say '%s'\n", cmd->name, form);
			ASSERT_TRUE(strstr(u, form));
		}
		/* Every --word it mentions is one it takes. */
		for (const char *p = strstr(u, "--"); p; p = strstr(p + 2, "--")) {
			char word[32];
			bool known = false;

			snprintf(word, sizeof(word), "%.*s", (int)strspn(p + 2, "abcdefghijklmnopqrstuvwxyz-"),
				 p + 2);
			for (int id = 0; id < CLI_OPT_COUNT; id++)
				known |= strcmp(word, cli_options[id].name) == 0 &&
					 (id == CLI_OPT_HELP || (cmd->options & CLI_O(id)));
			if (!known)
				printf("  xlb %s --help mentions --%s, which it does not take\n",
				       cmd->name, word);
			ASSERT_TRUE(known);
		}
	}
}

/* ---- through cli_main ------------------------------------------------------- */

TEST(check_file_then_json_prints_the_json_plan)
{
	static const char *const lines[] = { "check " SEED " --json", "check --json " SEED,
					     "check " SEED " -j", "check -- " SEED };
	static const char *const want = "{\n  \"file\": \"" SEED "\",\n  \"valid\": true,\n";

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		struct output o;
		int rc = run_main(lines[i], &o);

		if (rc || (i < 3 && strncmp(want, o.out, strlen(want))))
			printf("  xlb %s: exit %d, stdout:\n%.200s\n  stderr:\n%s", lines[i], rc, o.out,
			       o.err);
		ASSERT_EQ(0, rc);
		ASSERT_STR_EQ("", o.err);
		if (i < 3)
			ASSERT_EQ(0, strncmp(want, o.out, strlen(want)));
		else
			ASSERT_EQ(0, strncmp(SEED ": valid, 1 service, 3 members\n", o.out,
					     strlen(SEED ": valid, 1 service, 3 members\n")));
		output_free(&o);
	}
}

TEST(version_prints_text_or_json)
{
	struct output o;
	char want[256];

	ASSERT_EQ(0, run_main("version", &o));
	snprintf(want, sizeof(want), "xlb %s (data-plane ABI %d)\n", XLB_VERSION, XLB_ABI_VERSION);
	ASSERT_STR_EQ(want, o.out);
	output_free(&o);
	ASSERT_EQ(0, run_main("--version", &o));
	ASSERT_STR_EQ(want, o.out);
	output_free(&o);
	ASSERT_EQ(0, run_main("version --json", &o));
	snprintf(want, sizeof(want), "{\n  \"version\": \"%s\",\n  \"abi_version\": %d\n}\n",
		 XLB_VERSION, XLB_ABI_VERSION);
	ASSERT_STR_EQ(want, o.out);
	output_free(&o);
}

TEST(help_and_dash_dash_help_print_the_same_text_on_stdout)
{
	struct output a, b;

	ASSERT_EQ(0, run_main("help flows", &a));
	ASSERT_EQ(0, run_main("flows --json --help", &b));
	ASSERT_STR_EQ(a.out, b.out);
	ASSERT_EQ(0, strncmp("xlb flows - list or count the connections", a.out, 41));
	ASSERT_STR_EQ("", a.err);
	output_free(&a);
	output_free(&b);
}

TEST(an_unknown_command_is_one_error_line_and_the_overview)
{
	struct output o;

	ASSERT_EQ(XLB_EXIT_USAGE, run_main("frobnicate --json", &o));
	ASSERT_EQ(0, strncmp("xlb: unknown command 'frobnicate'\nxlb - a kernel-assisted", o.err,
			     strlen("xlb: unknown command 'frobnicate'\nxlb - a kernel-assisted")));
	ASSERT_STR_EQ("", o.out);
	output_free(&o);
	ASSERT_EQ(XLB_EXIT_USAGE, run_main("help frobnicate", &o));
	ASSERT_EQ(0, strncmp("xlb help: unknown command 'frobnicate'\nusage: xlb help", o.err,
			     strlen("xlb help: unknown command 'frobnicate'\nusage: xlb help")));
	output_free(&o);
}
