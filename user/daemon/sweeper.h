/* SPDX-License-Identifier: MIT */
/* The daemon's sweeper: once a second a thread of its own runs the BPF
 * sweeper (user/dp/sweep.h: one BPF_PROG_TEST_RUN, 28 ms for an empty
 * table of 2 M entries, 270 ms for a full one on this machine kind, which
 * the epoll loop and its health checks never wait for) and reads the
 * census; the loop then logs the full flag once per episode and hands the
 * census to the runtime (dnat reply entries of members that left). */
#ifndef XLB_SWEEPER_H
#define XLB_SWEEPER_H

#include <stdbool.h>
#include <stddef.h>

#include "daemon/census.h"
#include "lib/log.h"

struct runtime;
struct sweeper;

/* Starts the thread on the sweeper program prog_fd over maps (which
 * outlive the sweeper).  0 or -errno. */
int sweeper_start(int prog_fd, const struct xlb_maps *maps, struct sweeper **out);
/* Readable after each sweep: the epoll loop then calls sweeper_dispatch. */
int sweeper_fd(const struct sweeper *s);
/* Takes the last sweep's census: logs what the watch below says, gives
 * rt (may be NULL) the census per member while it waits for one. */
void sweeper_dispatch(struct sweeper *s, struct runtime *rt);
/* Stops and joins the thread; NULL is fine. */
void sweeper_free(struct sweeper *s);

/* ---- the full flag, once per episode (pure: tested on its own) ---------- */

struct sweep_watch {
	bool started;       /* a first view was seen */
	bool full;          /* an episode was logged as going up */
	bool failing;       /* the last sweep failed (said once) */
	__u64 episodes;     /* events[XLB_EV_FULL_EPISODES] last seen */
	__u64 since_ns;     /* the episode's start (xlb_dp_state.full_since_ns) */
	__u64 refused_at_start[3]; /* the table_full reasons when it began */
	__u64 refused_last[3];     /* ... at the view before */
};

struct sweep_line {
	enum log_level level;
	char text[512];
};

#define SWEEP_LINES_MAX 3

/* One sweep's outcome: sweep_err (0, or the -errno of running it; -EBUSY
 * when another sweep ran, which is not a failure) and the view read after
 * it; now_ns on the census clock.  Fills up to SWEEP_LINES_MAX lines to
 * log and returns their number: "flow table full: ..." when the full flag
 * has gone up since the last view (with the table's size and what to
 * raise), "flow table has room again: ..." when it came down (with the
 * connections refused meanwhile), a failing sweeper once per streak. */
size_t sweep_watch(struct sweep_watch *w, int sweep_err, const struct census_view *v, __u64 now_ns,
		   struct sweep_line lines[SWEEP_LINES_MAX]);

#endif
