/* SPDX-License-Identifier: MIT */
/* The sweeper: the BPF program xlb_sweep (bpf/sweep.h), run from user
 * space with BPF_PROG_TEST_RUN.  A hash map never evicts, so entries of
 * xlb_flows (and stale ones of xlb_halfopen) leave only when it deletes
 * them; it also writes the census (include/xlb/abi.h) and takes the full
 * flag down when there is room again.  The daemon runs it every second;
 * it is pinned with the maps (XLB_PROG_SWEEP) so that `xlb status` can
 * run it without a daemon.  Functions return 0 or -errno. */
#ifndef XLB_SWEEP_H
#define XLB_SWEEP_H

#include <linux/types.h>

/* Opens the sweeper pinned under pin_dir: a program fd (close it), or
 * -ENOENT when none is pinned there (a data plane of an older xlb). */
int xlb_sweep_open_pinned(const char *pin_dir);

/* One sweep: expires entries of both tables past their state's timeout
 * (and half-open duplicates and orphans), writes the census and flips
 * its generation, clears the full flag at XLB_FULL_CLEAR_PERCENT.
 * -EBUSY when another sweep was running (its census will do). */
int xlb_sweep_run(int prog_fd);

/* The type of BPF program prog_fd (enum bpf_prog_type), or -errno. */
int xlb_prog_type(int prog_fd);

#endif
