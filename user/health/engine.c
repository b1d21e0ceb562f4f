// SPDX-License-Identifier: MIT
/* The health-check engine (see health.h): one epoll set holding every
 * check socket and one timerfd, a timer heap holding each member's next
 * event (its next check, or the deadline of the check in flight), and a
 * FIFO of checks waiting for a free socket when the in-flight cap is hit. */
#include "health/internal.h"

#include <errno.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "health/http.h"
#include "lib/log.h"

#define TIMER_TOKEN UINT64_MAX /* epoll data of the timerfd */
#define EVENTS_BATCH 256
#define DISPATCH_BATCHES 16 /* bound on epoll rounds in one dispatch */
#define FD_RESERVE 256      /* descriptors left to the daemon itself */
#define INFLIGHT_MIN 16
#define INFLIGHT_MAX 65536
#define RETRY_LOCAL_MS 1000 /* a check we could not start (no fd) retries */

/* --- a check ------------------------------------------------------------ */

static void result_from_errno(struct health_result *r, int err)
{
	r->err = err;
	switch (err) {
	case ECONNREFUSED:
		r->reason = HEALTH_R_REFUSED;
		break;
	case EHOSTUNREACH:
		r->reason = HEALTH_R_HOSTUNREACH;
		break;
	case ENETUNREACH:
		r->reason = HEALTH_R_NETUNREACH;
		break;
	case ECONNRESET:
	case EPIPE:
		r->reason = HEALTH_R_RESET;
		break;
	default:
		r->reason = HEALTH_R_ERRNO;
		break;
	}
}

/* Drops the socket of the check in flight, or its place in the queue. */
static void check_abandon(struct health_member *m)
{
	struct health *h = m->h;

	if (m->phase == PHASE_QUEUED) {
		TAILQ_REMOVE(&h->waiting, m, wait);
	} else if (m->phase >= PHASE_CONNECTING) {
		/* SO_LINGER 0 makes this close an RST: no TIME_WAIT left behind
		 * per check.  Closing also takes the fd out of the epoll set. */
		if (m->fd >= 0)
			close(m->fd);
		h->inflight--;
	}
	m->fd = -1;
	m->phase = PHASE_IDLE;
	heap_remove(&h->timers, &m->timer);
}

static void check_finish(struct health_member *m, struct health_result *r)
{
	struct health *h = m->h;
	struct health_change c = {0};
	uint64_t now = health_now_us();
	bool ok = r->reason == HEALTH_R_OK;

	check_abandon(m);
	r->latency_us = now > m->started_us ? (uint32_t)(now - m->started_us) : 0;
	if (r->reason == HEALTH_R_TIMEOUT)
		r->timeout_ms = m->p.timeout_ms;
	m->last = *r;
	m->checks++;
	if (ok)
		m->passes++;
	c.from = c.to = m->sm.state;
	if (health_sm_feed(&m->sm, ok, m->p.rise, m->p.fall, &c.run, &c.need)) {
		c.to = m->sm.state;
		c.result = *r;
	}
	health_schedule_next(m, now);

	/* The callbacks may remove this very member: it is freed after them. */
	h->in_callback = m;
	if (h->opts.on_result)
		h->opts.on_result(m, r, h->opts.ctx);
	if (c.from != c.to && !m->removed && h->opts.on_change)
		h->opts.on_change(m, &c, h->opts.ctx);
	h->in_callback = NULL;
	if (m->removed)
		health_member_free(m);
}

static void check_fail_errno(struct health_member *m, int err)
{
	struct health_result r = {0};

	result_from_errno(&r, err);
	check_finish(m, &r);
}

static uint64_t event_token(const struct health_member *m)
{
	return (uint64_t)m->seq << 32 | m->slot;
}

static void check_start(struct health_member *m, uint64_t now)
{
	struct health *h = m->h;
	struct epoll_event ev = {.events = EPOLLOUT};
	struct linger lg = {.l_onoff = 1, .l_linger = 0};
	int one = 1, fd;

	fd = socket(m->target.sa.sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    IPPROTO_TCP);
	if (fd < 0) {
		/* Our own shortage (descriptors, memory) says nothing about
		 * the member: retry later without counting a result. */
		log_warn("health: cannot open a socket to check %s: %s; retrying",
			 m->name, strerror(errno));
		health_timer_set(m, now + RETRY_LOCAL_MS * 1000);
		return;
	}
	m->fd = fd;
	m->phase = PHASE_CONNECTING;
	m->started_us = now;
	m->sent = m->got = 0;
	m->seq = ++h->seq ? h->seq : ++h->seq;
	h->inflight++;
	health_timer_set(m, now + (uint64_t)m->p.timeout_ms * 1000);

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	if (m->p.type == XLB_CHECK_HTTP)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (m->sourcelen) {
		/* The port is picked at connect time, per destination, so that
		 * thousands of checks from one source address do not exhaust
		 * its ephemeral ports. */
		setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
		if (bind(fd, &m->source.sa, m->sourcelen) < 0) {
			check_fail_errno(m, errno);
			return;
		}
	}
	if (connect(fd, &m->target.sa, m->targetlen) < 0 && errno != EINPROGRESS) {
		check_fail_errno(m, errno);
		return;
	}
	/* A connect that finished at once (loopback) reports through
	 * EPOLLOUT like any other, so there is one path for both. */
	ev.data.u64 = event_token(m);
	if (epoll_ctl(h->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		check_fail_errno(m, errno);
}

static void check_expect_input(struct health_member *m)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = event_token(m)};

	m->phase = PHASE_READING;
	if (epoll_ctl(m->h->epfd, EPOLL_CTL_MOD, m->fd, &ev) < 0)
		check_fail_errno(m, errno);
}

static void http_send(struct health_member *m)
{
	while (m->sent < m->request_len) {
		ssize_t n = send(m->fd, m->request + m->sent, m->request_len - m->sent,
				 MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return; /* EPOLLOUT again */
			check_fail_errno(m, errno);
			return;
		}
		m->sent += (size_t)n;
	}
	check_expect_input(m);
}

static void http_verdict(struct health_member *m, enum health_http_parse parse, int status)
{
	struct health_result r = {.http_expected = m->p.http_status};

	if (parse == HEALTH_HTTP_BAD) {
		r.reason = HEALTH_R_HTTP_BAD;
	} else {
		bool good = m->p.http_status ? status == m->p.http_status
					     : status >= 200 && status < 400;

		r.http_status = status;
		r.reason = good ? HEALTH_R_OK : HEALTH_R_HTTP_STATUS;
	}
	check_finish(m, &r);
}

static void http_read(struct health_member *m)
{
	enum health_http_parse parse = HEALTH_HTTP_MORE;
	int status = 0;

	/* Bounded: at most HEALTH_HTTP_READ_MAX bytes, then a verdict. */
	while (m->got < HEALTH_HTTP_READ_MAX) {
		ssize_t n = recv(m->fd, m->rbuf + m->got, HEALTH_HTTP_READ_MAX - m->got, 0);

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n < 0 && (m->got == 0 || errno != ECONNRESET)) {
			check_fail_errno(m, errno);
			return;
		}
		if (n <= 0) {
			struct health_result r = {.reason = HEALTH_R_CLOSED};

			/* Closed or reset after some bytes: judge them. */
			if (m->got == 0) {
				check_finish(m, &r);
				return;
			}
			http_verdict(m, health_http_status_line(m->rbuf, m->got, true, &status),
				     status);
			return;
		}
		m->got += (size_t)n;
		parse = health_http_status_line(m->rbuf, m->got, false, &status);
		if (parse != HEALTH_HTTP_MORE) {
			http_verdict(m, parse, status);
			return;
		}
	}
	http_verdict(m, HEALTH_HTTP_BAD, 0);
}

static void check_event(struct health_member *m, uint32_t events)
{
	int err = 0;
	socklen_t len = sizeof(err);

	switch (m->phase) {
	case PHASE_CONNECTING:
		if (getsockopt(m->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			err = errno;
		if (err) {
			check_fail_errno(m, err);
			return;
		}
		if (m->p.type == XLB_CHECK_TCP) {
			struct health_result r = {.reason = HEALTH_R_OK};

			check_finish(m, &r);
			return;
		}
		m->phase = PHASE_SENDING;
		http_send(m);
		return;
	case PHASE_SENDING:
		http_send(m);
		return;
	case PHASE_READING:
		http_read(m);
		return;
	default:
		return; /* a stale event of a finished check */
	}
}

static void check_timeout(struct health_member *m)
{
	struct health_result r = {.reason = HEALTH_R_TIMEOUT};

	check_finish(m, &r);
}

/* --- the loop ----------------------------------------------------------- */

static void handle_event(struct health *h, const struct epoll_event *ev)
{
	uint32_t slot = (uint32_t)ev->data.u64, seq = (uint32_t)(ev->data.u64 >> 32);
	struct health_member *m;

	if (ev->data.u64 == TIMER_TOKEN) {
		uint64_t ticks;

		/* Only clears the readiness; the heap says what is due. */
		if (read(h->tfd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
			log_debug("health: timerfd read: %s", strerror(errno));
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
	check_event(m, ev->events);
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
			check_timeout(m);
		} else if (h->inflight < h->max_inflight) {
			check_start(m, now);
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
		check_start(m, now);
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
		log_debug("health: cannot raise the open-file limit: %s", strerror(errno));
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
		check_abandon(m);
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
	check_abandon(m);
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
		check_abandon(m);
		m->sm.state = XLB_HEALTH_UP;
	} else if (old == XLB_CHECK_NONE || m->phase != PHASE_IDLE) {
		/* A check in flight was built from the old settings. */
		check_abandon(m);
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

