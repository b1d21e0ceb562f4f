/* SPDX-License-Identifier: MIT */
/* The daemon behind `xlb run`, given options already parsed and checked
 * (cmd/run.c owns the command line). */
#ifndef XLB_DAEMON_H
#define XLB_DAEMON_H

#include <stddef.h>

#include "lib/log.h"
#include "xlb/limits.h"

/* The hook the data path runs from (--mode). */
enum daemon_mode {
	DAEMON_MODE_XDP,         /* native XDP, generic where the driver has none */
	DAEMON_MODE_XDP_GENERIC,
	DAEMON_MODE_TC,          /* clsact ingress and egress */
};

struct daemon_opts {
	const char *config;
	const char *ifaces[XLB_MAX_INTERFACES]; /* none: the file's 'global: interfaces:' */
	size_t n_ifaces;
	enum daemon_mode mode;
	const char *pin_dir;
	enum log_format log_format; /* --log-format */
};

/* Validates the file, loads or adopts the data plane, attaches, publishes
 * and serves until SIGTERM/SIGINT.  Returns 0 after a clean exit, -errno
 * when it could not start or its loop failed (the reason is logged). */
int daemon_run(const struct daemon_opts *o);

#endif
