// SPDX-License-Identifier: MIT
/* The health-check engine (see health.h): one epoll set holding every
 * check socket and one timerfd, the loop that hands ready sockets to the
 * probes (probe.c) and starts what the timer heap says is due, a FIFO of
 * checks waiting for a free socket when the in-flight cap is hit, and the
 * set of members the daemon adds, updates and removes. */
#include "health/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"

#define TIMER_TOKEN UINT64_MAX /* epoll data of the timerfd */
#define EVENTS_BATCH 256
#define DISPATCH_BATCHES 16 /* bound on epoll rounds in one dispatch */
#define FD_RESERVE 256      /* descriptors left to the daemon itself */
#define INFLIGHT_MIN 16
#define INFLIGHT_MAX 65536

/* --- the loop ----------------------------------------------------------- */

static void handle_event(struct health *h, const struct epoll_event *ev)
{
	uint32_t slot = (uint32_t)ev->data.u64, seq = (uint32_t)(ev->data.u64 >> 32);
	struct health_member *m;

	if (ev->data.u64 == TIMER_TOKEN) {
		uint64_t ticks;

		/* Only clears the readiness; the heap says what is due. */
		if (read(h->tfd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
			log_debug_errno(-errno, "health: timerfd read");
		h->armed_us = 0;
		return;
	}
	/* An earlier callback in this batch may have removed the member or
	 * finished its check: the sequence number tells. */
	if (slot >= h->nslots)
		return;
	m = h->slots[slot];
	if (!m || m->seq != seq || m->phase < PHASE_CONNECTING)
		return;
	health_probe_event(m, ev->events);
}

static void run_timers(struct health *h)
{
	uint64_t now = health_now_us();
	struct heap_node *top;

	/* Every member popped here gets a key beyond now (a deadline, a next
	 * start, or the queue): the loop ends after at most one pass each. */
	while ((top = heap_top(&h->timers)) && top->key <= now) {
		struct health_member *m =
			(struct health_member *)((char *)top - offsetof(struct health_member, timer));

		if (m->phase >= PHASE_CONNECTING) {
			health_probe_timeout(m);
		} else if (h->inflight < h->max_inflight) {
			health_probe_start(m, now);
		} else {
			heap_remove(&h->timers, &m->timer);
			m->phase = PHASE_QUEUED;
			TAILQ_INSERT_TAIL(&h->waiting, m, wait);
		}
	}
}

static void run_queue(struct health *h)
{
	uint64_t now = health_now_us();

	while (h->inflight < h->max_inflight && !TAILQ_EMPTY(&h->waiting)) {
		struct health_member *m = TAILQ_FIRST(&h->waiting);

		TAILQ_REMOVE(&h->waiting, m, wait);
		m->phase = PHASE_IDLE;
		health_probe_start(m, now);
	}
}

static int dispatch_events(struct health *h, int timeout_ms)
{
	struct epoll_event evs[EVENTS_BATCH];

	for (int round = 0; round < DISPATCH_BATCHES; round++) {
		int n = epoll_wait(h->epfd, evs, EVENTS_BATCH, round ? 0 : timeout_ms);

		if (n < 0) {
			if (errno == EINTR)
				return 0;
			return -errno;
		}
		for (int i = 0; i < n; i++)
			handle_event(h, &evs[i]);
		if (n < EVENTS_BATCH)
			break;
	}
	return 0;
}

static int dispatch(struct health *h, int timeout_ms)
{
	int err = dispatch_events(h, timeout_ms);

	run_timers(h);
	run_queue(h);
	health_timer_arm(h);
	return err;
}

int health_dispatch(struct health *h)
{
	return dispatch(h, 0);
}

int health_run_once(struct health *h, int timeout_ms)
{
	return dispatch(h, timeout_ms);
}

/* --- engine ------------------------------------------------------------- */

static uint32_t inflight_cap(const struct health_opts *opts)
{
	struct rlimit rl;
	uint64_t cap = INFLIGHT_MAX;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		cap = rl.rlim_cur > FD_RESERVE + INFLIGHT_MIN ? rl.rlim_cur - FD_RESERVE
							      : INFLIGHT_MIN;
	if (cap > INFLIGHT_MAX)
		cap = INFLIGHT_MAX;
	if (opts->max_inflight && opts->max_inflight < cap)
		cap = opts->max_inflight;
	return (uint32_t)cap;
}

static void raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= rl.rlim_max)
		return;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		log_debug_errno(-errno, "health: cannot raise the open-file limit");
}

int health_new(const struct health_opts *opts, struct health **out)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = TIMER_TOKEN};
	struct health *h;
	int err;

	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->epfd = h->tfd = -1;
	if (opts)
		h->opts = *opts;
	TAILQ_INIT(&h->waiting);
	health_rng_seed(h);

	raise_nofile();
	h->max_inflight = inflight_cap(&h->opts);

	h->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (h->epfd < 0) {
		err = -errno;
		goto err_free;
	}
	h->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (h->tfd < 0) {
		err = -errno;
		goto err_free;
	}
	if (epoll_ctl(h->epfd, EPOLL_CTL_ADD, h->tfd, &ev) < 0) {
		err = -errno;
		goto err_free;
	}
	*out = h;
	return 0;

err_free:
	if (h->tfd >= 0)
		close(h->tfd);
	if (h->epfd >= 0)
		close(h->epfd);
	free(h);
	return err;
}

void health_free(struct health *h)
{
	if (!h)
		return;
	for (uint32_t i = 0; i < h->nslots; i++) {
		struct health_member *m = h->slots[i];

		if (!m)
			continue;
		health_check_abandon(m);
		health_member_free(m);
	}
	heap_free(&h->timers);
	free(h->slots);
	free(h->free_slots);
	close(h->tfd);
	close(h->epfd);
	free(h);
}

int health_fd(const struct health *h)
{
	return h->epfd;
}

size_t health_count(const struct health *h)
{
	return h->count;
}

size_t health_inflight(const struct health *h)
{
	return h->inflight;
}

/* --- members ------------------------------------------------------------ */

static int slot_take(struct health *h, struct health_member *m)
{
	if (h->nfree) {
		m->slot = h->free_slots[--h->nfree];
	} else {
		if (h->nslots == h->cap) {
			uint32_t cap = h->cap ? h->cap * 2 : 64;
			struct health_member **slots = realloc(h->slots, cap * sizeof(*slots));
			uint32_t *free_slots;

			if (!slots)
				return -ENOMEM;
			h->slots = slots;
			free_slots = realloc(h->free_slots, cap * sizeof(*free_slots));
			if (!free_slots)
				return -ENOMEM;
			h->free_slots = free_slots;
			h->cap = cap;
		}
		m->slot = h->nslots++;
	}
	h->slots[m->slot] = m;
	return 0;
}

static void warn_capacity(struct health *h)
{
	if (h->count <= h->max_inflight) {
		h->warned_cap = false;
		return;
	}
	if (h->warned_cap)
		return;
	h->warned_cap = true;
	if (h->opts.max_inflight && h->opts.max_inflight <= h->max_inflight)
		log_warn("health: %zu members but at most %u checks in flight, as "
			 "configured: the rest wait their turn and may run late",
			 h->count, h->max_inflight);
	else
		log_warn("health: %zu members but at most %u checks in flight (the "
			 "open-file limit): the rest wait their turn and may run "
			 "late; raise LimitNOFILE= or ulimit -n to check them all "
			 "in parallel", h->count, h->max_inflight);
}

int health_add(struct health *h, const struct health_member_spec *spec,
	       struct health_member **out)
{
	struct health_member *m;
	int err;

	err = health_member_new(h, spec, &m);
	if (err)
		return err;
	err = slot_take(h, m);
	if (err) {
		health_member_free(m);
		return err;
	}
	h->count++;

	if (m->p.type == XLB_CHECK_NONE) {
		m->sm.state = XLB_HEALTH_UP;
	} else {
		m->sm.state = spec->initial;
		health_schedule_first(m, health_now_us());
		health_timer_arm(h);
	}
	warn_capacity(h);
	if (out)
		*out = m;
	return 0;
}

void health_remove(struct health_member *m)
{
	struct health *h;

	if (!m || m->removed)
		return;
	h = m->h;
	health_check_abandon(m);
	h->slots[m->slot] = NULL;
	h->free_slots[h->nfree++] = m->slot;
	h->count--;
	warn_capacity(h);
	health_timer_arm(h);
	if (h->in_callback == m)
		m->removed = true; /* freed when its callback returns */
	else
		health_member_free(m);
}

int health_update(struct health_member *m, const struct health_params *p)
{
	struct health *h = m->h;
	enum xlb_check_type old = m->p.type;
	uint64_t now = health_now_us();
	int err;

	err = health_params_install(m, p);
	if (err)
		return err;
	if (p->type == XLB_CHECK_NONE) {
		health_check_abandon(m);
		m->sm.state = XLB_HEALTH_UP;
	} else if (old == XLB_CHECK_NONE || m->phase != PHASE_IDLE) {
		/* A check in flight was built from the old settings. */
		health_check_abandon(m);
		health_schedule_first(m, now);
	} else {
		/* Keep the next check unless the new interval wants it sooner. */
		uint64_t latest = now + (uint64_t)p->interval_ms * 1000;

		if (!heap_node_queued(&m->timer) || m->timer.key > latest)
			health_schedule_first(m, now);
	}
	health_timer_arm(h);
	return 0;
}

void health_check_now(struct health_member *m)
{
	if (m->p.type == XLB_CHECK_NONE || m->phase != PHASE_IDLE)
		return;
	health_timer_set(m, health_now_us());
	health_timer_arm(m->h);
}

