// SPDX-License-Identifier: MIT
/* An HTTP check once its connection is up: the request sent, the status
 * line read and judged (the text of both is health/http.c's). */
#include "health/internal.h"

#include <errno.h>
#include <sys/epoll.h>

#include "health/http.h"

static void check_expect_input(struct health_member *m)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = health_event_token(m)};

	m->phase = PHASE_READING;
	if (epoll_ctl(m->h->epfd, EPOLL_CTL_MOD, m->fd, &ev) < 0)
		health_check_fail_errno(m, errno);
}

void health_probe_http_send(struct health_member *m)
{
	while (m->sent < m->request_len) {
		ssize_t n = send(m->fd, m->request + m->sent, m->request_len - m->sent,
				 MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return; /* EPOLLOUT again */
			health_check_fail_errno(m, errno);
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
	health_check_finish(m, &r);
}

void health_probe_http_read(struct health_member *m)
{
	enum health_http_parse parse = HEALTH_HTTP_MORE;
	int status = 0;

	/* Bounded: at most HEALTH_HTTP_READ_MAX bytes, then a verdict. */
	while (m->got < HEALTH_HTTP_READ_MAX) {
		ssize_t n = recv(m->fd, m->rbuf + m->got, HEALTH_HTTP_READ_MAX - m->got, 0);

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n < 0 && (m->got == 0 || errno != ECONNRESET)) {
			health_check_fail_errno(m, errno);
			return;
		}
		if (n <= 0) {
			struct health_result r = {.reason = HEALTH_R_CLOSED};

			/* Closed or reset after some bytes: judge them. */
			if (m->got == 0) {
				health_check_finish(m, &r);
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
