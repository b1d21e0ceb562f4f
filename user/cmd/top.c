// SPDX-License-Identifier: MIT
/* `xlb top` and `xlb status --watch`: read the status view every interval
 * and show it with the rates since the reading before.  On a terminal the
 * frame is redrawn in place and q (or Ctrl-C, SIGTERM) quits; otherwise
 * one block per interval is printed, --count of them or until a signal.
 * The signal handlers only set a flag; the wait polls the keyboard. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cmd/top.h"
#include "dp/maps.h"
#include "dp/pin.h"
#include "lib/log.h"

static volatile sig_atomic_t top_stop;

static void on_stop(int sig)
{
	(void)sig;
	top_stop = 1;
}

/* SIGINT and SIGTERM end the loop; without SA_RESTART, so poll() returns. */
static void catch_stop_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

struct keyboard {
	bool on; /* stdin is a terminal in non-canonical mode */
	struct termios saved;
};

/* Keys one at a time, not echoed; Ctrl-C still a signal (ISIG kept). */
static void keyboard_open(struct keyboard *k)
{
	struct termios t;

	k->on = false;
	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &k->saved))
		return;
	t = k->saved;
	t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	t.c_cc[VMIN] = 0;
	t.c_cc[VTIME] = 0;
	k->on = tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0;
}

static void keyboard_close(struct keyboard *k)
{
	if (k->on)
		tcsetattr(STDIN_FILENO, TCSANOW, &k->saved);
}

/* Waits ms, or less when q is typed or a stop signal comes (top_stop). */
static void wait_interval(const struct keyboard *k, unsigned ms)
{
	__u64 end = xlb_census_now_ns() + (__u64)ms * 1000000ULL;

	while (!top_stop) {
		__u64 now = xlb_census_now_ns();
		struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
		char keys[32];
		ssize_t n;

		if (now >= end)
			return;
		if (poll(&p, k->on ? 1 : 0, (int)((end - now + 999999) / 1000000)) <= 0)
			continue; /* the time is up (checked above), or a signal */
		n = read(STDIN_FILENO, keys, sizeof(keys));
		if (n == 0 || memchr(keys, 'q', n > 0 ? (size_t)n : 0) || memchr(keys, 'Q', n > 0 ? (size_t)n : 0))
			top_stop = 1; /* q, or the terminal went away */
	}
}

/* A fresh reading into v (its arrays reused, zeroed). */
static int reread(struct status_view *v, const struct xlb_maps *m)
{
	const char *dir = v->pin_dir;
	int err;

	status_view_free(v);
	memset(v, 0, sizeof(*v));
	v->pin_dir = dir;
	err = status_view_alloc(v);
	return err ? err : status_view_read(v, m);
}

/* A whole frame written at once: on a terminal, over the last one; with
 * --json, one line. */
static void draw(const struct status_view *v, const struct status_rates *r, const struct top_opts *o,
		 bool tty, bool keys)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return;
	if (o->json) {
		top_print_json(v, r, f);
	} else {
		if (tty)
			fputs("\033[H\033[2J", f);
		top_print(v, r, o, keys, f);
		if (!tty)
			fputs("\n", f);
	}
	fclose(f);
	fwrite(buf, 1, len, stdout);
	fflush(stdout);
	free(buf);
}

int top_run(const struct command *cmd, const struct cli_args *a)
{
	struct status_view view[2] = { { .pin_dir = a->pin_dir }, { .pin_dir = a->pin_dir } };
	struct status_rates rates = { 0 };
	struct keyboard kb = { 0 };
	struct top_opts o;
	struct xlb_maps m;
	unsigned long frames = 0;
	bool tty = isatty(STDOUT_FILENO);
	char why[160];
	int err, cur = 0;

	if (top_opts_from_args(a, &o, why, sizeof(why)))
		return cli_usage_error(cmd, "%s", why);
	if (xlb_maps_open_for_reading(&m, a->pin_dir))
		return XLB_EXIT_FAIL;
	err = status_rates_alloc(&rates);
	if (!err)
		err = reread(&view[cur], &m);
	if (err)
		goto out;
	top_stop = 0;
	catch_stop_signals();
	if (tty)
		keyboard_open(&kb);
	if (tty && !o.json) /* the totals at once; rates after the first interval */
		draw(&view[cur], &rates, &o, tty, kb.on);
	while (!top_stop && (!o.count || frames < o.count)) {
		wait_interval(&kb, o.interval_ms);
		if (top_stop)
			break;
		err = reread(&view[!cur], &m);
		if (err)
			break;
		status_rates_compute(&view[cur], &view[!cur], &rates);
		cur = !cur;
		draw(&view[cur], &rates, &o, tty, kb.on);
		frames++;
	}
	keyboard_close(&kb);
out:
	if (err)
		log_errno(err, "cannot read the data plane's maps at %s", a->pin_dir);
	status_view_free(&view[0]);
	status_view_free(&view[1]);
	status_rates_free(&rates);
	xlb_maps_close(&m);
	return err ? XLB_EXIT_FAIL : XLB_EXIT_OK;
}

static int top_cmd_run(const struct cli_args *a)
{
	return top_run(&cmd_top, a);
}

const struct command cmd_top = {
	.name = "top",
	.summary = "show status with rates, refreshed every interval",
	.usage = "usage: xlb top [--interval SEC] [--count N] [--json] [--pin-dir DIR]\n"
		 "\n"
		 "Reads the pinned maps every interval (default 1 s) and shows the flow table's\n"
		 "fill and the connections by state, then per service and member its health\n"
		 "state, active connections and, computed from this reading and the one\n"
		 "before, new connections, packets and bytes per second in (toward the\n"
		 "members) and out (the replies); last, packets per second by outcome (the\n"
		 "reasons docs/operations.md explains).  A counter that went down (the\n"
		 "daemon restarted) counts from zero; a member new since the last reading\n"
		 "shows '-' until the next.  On a terminal the view is redrawn in place and\n"
		 "q, Ctrl-C or SIGTERM quits; otherwise one block is printed per interval,\n"
		 "until --count blocks or a signal.  With --json, one line of JSON per\n"
		 "interval instead of a frame.  'xlb status -w' is the same.\n"
		 "\n"
		 "options:\n"
		 "      --interval SEC  seconds between readings, 0.1 to 3600 (default 1)\n"
		 "  -n, --count N       print N refreshes, then exit (default: until q)\n"
		 "  -j, --json          one JSON object a line, per interval\n"
		 "  -p, --pin-dir DIR   where the data plane is pinned (default " XLB_PIN_DIR_DEFAULT ")\n"
		 "  -h, --help          show this help\n"
		 "\n"
		 "examples:\n"
		 "  xlb top\n"
		 "  xlb top --interval 5 --count 12 > one-minute.txt\n"
		 "  xlb top --json --count 60 | jq .services[0].new_connections_per_s\n",
	.options = CLI_O(CLI_OPT_INTERVAL) | CLI_O(CLI_OPT_ITERATIONS) | CLI_O(CLI_OPT_JSON) |
		   CLI_O(CLI_OPT_PIN_DIR),
	.run = top_cmd_run,
};
