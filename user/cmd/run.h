/* SPDX-License-Identifier: MIT */
/* `xlb run`'s command line made into the daemon's options. */
#ifndef XLB_RUN_H
#define XLB_RUN_H

#include "cmd/opts.h"
#include "daemon/daemon.h"

/* Fills o from a; XLB_EXIT_USAGE (after the usage error) when a value is
 * not one xlb knows, e.g. --mode. */
int run_daemon_opts(const struct cli_args *a, struct daemon_opts *o);

#endif
