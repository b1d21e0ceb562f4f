// SPDX-License-Identifier: MIT
/* The end of a check: its socket dropped, its result recorded, the rise/fall
 * state machine fed, the next start scheduled and the daemon told. */
#include "health/internal.h"

#include <errno.h>
#include <unistd.h>

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

void health_check_abandon(struct health_member *m)
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

void health_check_finish(struct health_member *m, struct health_result *r)
{
	struct health *h = m->h;
	struct health_change c = {0};
	uint64_t now = health_now_us();
	bool ok = r->reason == HEALTH_R_OK;

	health_check_abandon(m);
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

void health_check_fail_errno(struct health_member *m, int err)
{
	struct health_result r = {0};

	result_from_errno(&r, err);
	health_check_finish(m, &r);
}
