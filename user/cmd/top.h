/* SPDX-License-Identifier: MIT */
/* `xlb top` (and `xlb status --watch`): status with rates, refreshed every
 * interval.  Its options and its frame are pure functions (cmd/top_format.c)
 * tested without root; cmd/top.c reads the pins and runs the loop. */
#ifndef XLB_TOP_H
#define XLB_TOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "cmd/opts.h"
#include "cmd/status_rates.h"
#include "cmd/status_view.h"

#define TOP_INTERVAL_MS_DEFAULT 1000
#define TOP_INTERVAL_MS_MIN 100
#define TOP_INTERVAL_MS_MAX 3600000
#define TOP_COUNT_MAX 1000000000UL

struct top_opts {
	unsigned interval_ms;
	unsigned long count; /* frames with rates, then exit; 0: until stopped */
	bool json;           /* a line of JSON per reading instead of a frame */
};

/* o from --interval SEC and --count N in a; 0, or -EINVAL with what is
 * wrong in err (one line, for cli_usage_error). */
int top_opts_from_args(const struct cli_args *a, struct top_opts *o, char *err, size_t len);

/* One frame: the header line (keys: a terminal, where q quits), the tables,
 * per service and member their connections and rates (r->seconds 0: "-"
 * until a second reading), packets by outcome per second. */
void top_print(const struct status_view *v, const struct status_rates *r, const struct top_opts *o,
	       bool keys, FILE *out);

/* One reading as one line of JSON (docs/operations.md names the keys);
 * a rate is null where the frame shows '-'. */
void top_print_json(const struct status_view *v, const struct status_rates *r, FILE *out);

/* The loop: `xlb top`'s run and `xlb status --watch`'s. */
int top_run(const struct command *cmd, const struct cli_args *a);

#endif
