// SPDX-License-Identifier: MIT
#include "dp/sweep.h"

#include <errno.h>
#include <limits.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>

#include <bpf/bpf.h>

#include "lib/log.h"
#include "xlb/abi.h"

int xlb_sweep_open_pinned(const char *pin_dir)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", pin_dir, XLB_PROG_SWEEP);
	fd = bpf_obj_get(path);
	return fd < 0 ? -errno : fd;
}

int xlb_sweep_run(int prog_fd)
{
	/* An XDP test run wants a frame; the sweeper never reads it. */
	unsigned char frame[64] = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = sizeof(frame), .repeat = 1);
	int err;

	if (bpf_prog_test_run_opts(prog_fd, &opts)) {
		err = -errno;
		log_err("cannot run the sweeper: %s", strerror(-err));
		return err;
	}
	/* bpf/sweep.h: XDP_PASS done, XDP_DROP another sweep was running. */
	return opts.retval == XDP_PASS ? 0 : -EBUSY;
}
