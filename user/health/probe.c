// SPDX-License-Identifier: MIT
/* A check on the wire: the socket opened, bound and connected, the connect's
 * outcome (all a tcp check asks), the rest handed to probe_http.c for an
 * http check, and the deadline. */
#include "health/internal.h"

#include <errno.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/epoll.h>

#include "lib/log.h"

#define RETRY_LOCAL_MS 1000 /* a check we could not start (no fd) retries */

void health_probe_start(struct health_member *m, uint64_t now)
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
			health_check_fail_errno(m, errno);
			return;
		}
	}
	if (connect(fd, &m->target.sa, m->targetlen) < 0 && errno != EINPROGRESS) {
		health_check_fail_errno(m, errno);
		return;
	}
	/* A connect that finished at once (loopback) reports through
	 * EPOLLOUT like any other, so there is one path for both. */
	ev.data.u64 = health_event_token(m);
	if (epoll_ctl(h->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		health_check_fail_errno(m, errno);
}

void health_probe_event(struct health_member *m, uint32_t events)
{
	int err = 0;
	socklen_t len = sizeof(err);

	switch (m->phase) {
	case PHASE_CONNECTING:
		if (getsockopt(m->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			err = errno;
		if (err) {
			health_check_fail_errno(m, err);
			return;
		}
		if (m->p.type == XLB_CHECK_TCP) {
			struct health_result r = {.reason = HEALTH_R_OK};

			health_check_finish(m, &r);
			return;
		}
		m->phase = PHASE_SENDING;
		health_probe_http_send(m);
		return;
	case PHASE_SENDING:
		health_probe_http_send(m);
		return;
	case PHASE_READING:
		health_probe_http_read(m);
		return;
	default:
		return; /* a stale event of a finished check */
	}
}

void health_probe_timeout(struct health_member *m)
{
	struct health_result r = {.reason = HEALTH_R_TIMEOUT};

	health_check_finish(m, &r);
}
