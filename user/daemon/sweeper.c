// SPDX-License-Identifier: MIT
#include "daemon/sweeper.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "daemon/runtime.h"
#include "dp/sweep.h"
#include "lib/abi_text.h"
#include "lib/stop_wait.h"

#define SWEEP_INTERVAL_S 1

/* One sweep's outcome.  Three of them rotate: the thread fills `work`,
 * swaps it with `done` under the lock, and the loop swaps `done` with
 * `mine` to read it. */
struct sweep_slot {
	int sweep_err; /* xlb_sweep_run's */
	int read_err;  /* census_view_read's */
	bool have_mbr; /* v.mbr holds the census per member */
	struct census_view v;
	struct xlb_census_count mbr[XLB_MAX_MEMBERS];
};

struct sweeper {
	int prog_fd;
	const struct xlb_maps *maps;
	int timer_fd, stop_fd, done_fd;
	pthread_t thread;
	bool running;
	pthread_mutex_t lock;
	/* under lock */
	struct sweep_slot *done;
	bool fresh;    /* done holds a sweep the loop has not taken */
	bool want_mbr; /* the runtime waits for a census per member */
	/* the thread's */
	struct sweep_slot *work;
	/* the loop's */
	struct sweep_slot *mine;
	struct sweep_watch watch;
};

static void sweep_once(struct sweeper *s, bool want_mbr)
{
	struct sweep_slot *w = s->work;

	w->sweep_err = xlb_sweep_run(s->prog_fd);
	w->v.mbr = want_mbr ? w->mbr : NULL;
	w->v.svc = NULL;
	w->read_err = census_view_read(s->maps, &w->v);
	w->have_mbr = want_mbr && !w->read_err && !w->v.err;
}

static void *sweep_thread(void *arg)
{
	struct sweeper *s = arg;

	while (stop_wait(s->timer_fd, s->stop_fd)) {
		struct sweep_slot *t;
		uint64_t ticks;
		bool want;

		if (read(s->timer_fd, &ticks, sizeof(ticks)) != sizeof(ticks))
			continue;
		pthread_mutex_lock(&s->lock);
		want = s->want_mbr;
		pthread_mutex_unlock(&s->lock);
		sweep_once(s, want);
		pthread_mutex_lock(&s->lock);
		t = s->done;
		s->done = s->work;
		s->work = t;
		s->fresh = true;
		pthread_mutex_unlock(&s->lock);
		eventfd_write(s->done_fd, 1);
	}
	return NULL;
}

int sweeper_start(int prog_fd, const struct xlb_maps *maps, struct sweeper **out)
{
	struct itimerspec its = { .it_value = { SWEEP_INTERVAL_S, 0 },
				  .it_interval = { SWEEP_INTERVAL_S, 0 } };
	struct sweeper *s = calloc(1, sizeof(*s));
	int err;

	if (!s)
		return -ENOMEM;
	s->prog_fd = prog_fd;
	s->maps = maps;
	s->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	s->stop_fd = eventfd(0, EFD_CLOEXEC);
	s->done_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	s->work = calloc(1, sizeof(*s->work));
	s->done = calloc(1, sizeof(*s->done));
	s->mine = calloc(1, sizeof(*s->mine));
	pthread_mutex_init(&s->lock, NULL);
	if (s->timer_fd < 0 || s->stop_fd < 0 || s->done_fd < 0) {
		err = -errno;
		goto fail;
	}
	if (!s->work || !s->done || !s->mine) {
		err = -ENOMEM;
		goto fail;
	}
	if (timerfd_settime(s->timer_fd, 0, &its, NULL)) {
		err = -errno;
		goto fail;
	}
	err = -pthread_create(&s->thread, NULL, sweep_thread, s);
	if (err)
		goto fail;
	s->running = true;
	*out = s;
	return 0;
fail:
	sweeper_free(s);
	return err;
}

int sweeper_fd(const struct sweeper *s)
{
	return s->done_fd;
}

void sweeper_dispatch(struct sweeper *s, struct runtime *rt)
{
	struct sweep_line lines[SWEEP_LINES_MAX];
	struct sweep_slot *m;
	eventfd_t n_done;
	size_t n;
	bool want;

	eventfd_read(s->done_fd, &n_done);
	pthread_mutex_lock(&s->lock);
	if (!s->fresh) {
		pthread_mutex_unlock(&s->lock);
		return;
	}
	m = s->done;
	s->done = s->mine;
	s->mine = m;
	s->fresh = false;
	pthread_mutex_unlock(&s->lock);

	n = sweep_watch(&s->watch, m->sweep_err ? m->sweep_err : m->read_err, &m->v,
			xlb_census_now_ns(), lines);
	for (size_t i = 0; i < n; i++)
		log_msg(lines[i].level, "%s", lines[i].text);
	if (rt && m->have_mbr)
		runtime_census(rt, &m->v.total, m->mbr);
	want = rt && runtime_dnat_waiting(rt);
	pthread_mutex_lock(&s->lock);
	s->want_mbr = want;
	pthread_mutex_unlock(&s->lock);
}

void sweeper_free(struct sweeper *s)
{
	if (!s)
		return;
	if (s->running) {
		eventfd_write(s->stop_fd, 1);
		pthread_join(s->thread, NULL);
	}
	pthread_mutex_destroy(&s->lock);
	if (s->timer_fd >= 0)
		close(s->timer_fd);
	if (s->stop_fd >= 0)
		close(s->stop_fd);
	if (s->done_fd >= 0)
		close(s->done_fd);
	free(s->work);
	free(s->done);
	free(s->mine);
	free(s);
}

/* ---- the full flag --------------------------------------------------------- */

static const enum xlb_reason refuse_reasons[3] = {
	XLB_R_TX_RST_TABLE_FULL,
	XLB_R_TX_UNREACH_TABLE_FULL,
	XLB_R_DROP_TABLE_FULL,
};

__attribute__((format(printf, 4, 5))) static void add_line(struct sweep_line *lines, size_t *n,
							   enum log_level level, const char *fmt, ...)
{
	va_list ap;

	if (*n == SWEEP_LINES_MAX)
		return;
	lines[*n].level = level;
	va_start(ap, fmt);
	vsnprintf(lines[*n].text, sizeof(lines[*n].text), fmt, ap);
	va_end(ap);
	(*n)++;
}

static void full_went_up(struct sweep_watch *w, const struct census_view *v, __u64 now_ns,
			 struct sweep_line *lines, size_t *n)
{
	const struct xlb_census *c = &v->total;
	char after[64] = "";

	if (c->flows_entries != c->flows_max)
		snprintf(after, sizeof(after), " (%u after the sweep that followed)", c->flows_entries);
	add_line(lines, n, LOG_LVL_WARN,
		 "flow table full: %u of %u entries in use%s; new connections are refused "
		 "(tx_rst_table_full, UDP: tx_unreach_table_full) until a sweep finds it at most "
		 "%d%% full, established ones go on; raise global.flow_table_size (each entry "
		 "takes %u bytes, a nat connection two)",
		 c->flows_max, c->flows_max, after, XLB_FULL_CLEAR_PERCENT, XLB_FLOW_ENTRY_BYTES);
	w->full = true;
	w->since_ns = v->state.full_since_ns && v->state.full_since_ns <= now_ns ? v->state.full_since_ns
										 : now_ns;
	memcpy(w->refused_at_start, w->refused_last, sizeof(w->refused_at_start));
}

static void full_came_down(struct sweep_watch *w, const struct census_view *v, __u64 now_ns,
			   struct sweep_line *lines, size_t *n)
{
	const struct xlb_census *c = &v->total;
	__u64 d[3], total = 0;
	char took[16];

	for (int i = 0; i < 3; i++) {
		__u64 now = v->reasons[refuse_reasons[i]];

		d[i] = now > w->refused_at_start[i] ? now - w->refused_at_start[i] : 0;
		total += d[i];
	}
	add_line(lines, n, LOG_LVL_INFO,
		 "flow table has room again: %u of %u entries in use after %s full; %llu new "
		 "connection%s refused during the episode (tx_rst_table_full %llu, "
		 "tx_unreach_table_full %llu, drop_table_full %llu)",
		 c->flows_entries, c->flows_max,
		 xlb_age_str((now_ns - w->since_ns) / 1000000000ULL, took, sizeof(took)),
		 (unsigned long long)total, total == 1 ? " was" : "s were", (unsigned long long)d[0],
		 (unsigned long long)d[1], (unsigned long long)d[2]);
	w->full = false;
}

size_t sweep_watch(struct sweep_watch *w, int sweep_err, const struct census_view *v, __u64 now_ns,
		   struct sweep_line lines[SWEEP_LINES_MAX])
{
	__u64 episodes = v->events[XLB_EV_FULL_EPISODES];
	size_t n = 0;

	/* -EBUSY: a sweep of `xlb status` ran instead; its census will do. */
	if (sweep_err && sweep_err != -EBUSY) {
		if (!w->failing)
			add_line(lines, &n, LOG_LVL_ERROR,
				 "the sweeper failed (%s): expired connections stay in the tables and "
				 "the census of 'xlb status' ages until it works again",
				 strerror(-sweep_err));
		w->failing = true;
		return n;
	}
	if (w->failing)
		add_line(lines, &n, LOG_LVL_INFO, "the sweeper works again");
	w->failing = false;
	/* The first view has no view before it: an episode that is over
	 * belongs to an earlier run; one under way is logged.  Refusals happen
	 * only while the table is full, so when that is the data plane's
	 * first episode every refusal counted so far is its own; after earlier
	 * ones, those from now on are all the daemon can tell. */
	if (!w->started) {
		bool first = v->state.full && episodes <= 1;

		w->started = true;
		w->episodes = v->state.full && episodes ? episodes - 1 : episodes;
		for (int i = 0; i < 3; i++)
			w->refused_last[i] = first ? 0 : v->reasons[refuse_reasons[i]];
	}
	/* Up since the last view, even if this sweep took it down again. */
	if (!w->full && (v->state.full || episodes > w->episodes))
		full_went_up(w, v, now_ns, lines, &n);
	if (w->full && !v->state.full)
		full_came_down(w, v, now_ns, lines, &n);
	w->episodes = episodes;
	for (int i = 0; i < 3; i++)
		w->refused_last[i] = v->reasons[refuse_reasons[i]];
	return n;
}
