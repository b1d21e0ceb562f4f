// SPDX-License-Identifier: MIT
#include "dp/sweep.h"

#include <errno.h>
#include <limits.h>
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

/* The sweeper an older xlb pinned: an XDP program, which a test run
 * gives a frame it never reads; it returned XDP_PASS when done, XDP_DROP
 * when another sweep was running.  `xlb status` meets one between an
 * upgrade and the daemon's restart. */
static int sweep_run_xdp(int prog_fd, __u32 *retval)
{
	unsigned char frame[64] = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = sizeof(frame), .repeat = 1);

	if (bpf_prog_test_run_opts(prog_fd, &opts))
		return -errno;
	*retval = opts.retval == XDP_PASS ? 0 : 1;
	return 0;
}

int xlb_prog_type(int prog_fd)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	return bpf_obj_get_info_by_fd(prog_fd, &info, &len) ? -errno : (int)info.type;
}

int xlb_sweep_run(int prog_fd)
{
	/* A syscall program: no packet, no repeat. */
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	__u32 retval;
	int err = 0;

	if (bpf_prog_test_run_opts(prog_fd, &opts))
		err = -errno;
	retval = opts.retval;
	if (err == -EINVAL && xlb_prog_type(prog_fd) == BPF_PROG_TYPE_XDP)
		err = sweep_run_xdp(prog_fd, &retval);
	if (err) {
		log_err("cannot run the sweeper: %s", strerror(-err));
		return err;
	}
	/* bpf/sweep.h: 0 done, 1 another sweep was running. */
	return retval == 0 ? 0 : -EBUSY;
}
