/* SPDX-License-Identifier: MIT */
/* The health engine against real sockets on loopback, shared by the tests
 * of its parts: listeners in this process (TCP ones are never accepted
 * from: the kernel completes the handshake), a small HTTP server thread
 * whose answer each test picks, and an engine whose callbacks record what
 * they were told.  Waits are bounded by a number of loop rounds; nothing
 * asserts a time.  Header-only (static inline) because each test program
 * links only its own file. */
#ifndef XLB_TESTS_HEALTH_LOOPBACK_H
#define XLB_TESTS_HEALTH_LOOPBACK_H

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "health/health.h"
#include "test.h"

#define LONG_INTERVAL_MS (3600 * 1000) /* only health_check_now checks */
#define ROUND_MS 20
#define WAIT_MAX_MS 10000              /* bound of any wait, never reached */

/* --- sockets --------------------------------------------------------------- */

union sa {
	struct sockaddr sa;
	struct sockaddr_in in4;
	struct sockaddr_in6 in6;
};

static inline socklen_t sa_make(union sa *a, const char *ip, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, ip, &a->in4.sin_addr) == 1) {
		a->in4.sin_family = AF_INET;
		a->in4.sin_port = htons(port);
		return sizeof(a->in4);
	}
	inet_pton(AF_INET6, ip, &a->in6.sin6_addr);
	a->in6.sin6_family = AF_INET6;
	a->in6.sin6_port = htons(port);
	return sizeof(a->in6);
}

/* A socket bound to ip on an ephemeral port; listening when backlog >= 0.
 * Returns the fd (port in *port) or -1. */
static inline int bound_socket(const char *ip, int backlog, uint16_t *port)
{
	union sa a;
	socklen_t len = sa_make(&a, ip, 0);
	int fd = socket(a.sa.sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	*port = 0; /* defined on failure too: callers test the fd, not this */
	if (fd < 0)
		return -1;
	if (bind(fd, &a.sa, len) < 0 || (backlog >= 0 && listen(fd, backlog) < 0) ||
	    getsockname(fd, &a.sa, &len) < 0) {
		close(fd);
		return -1;
	}
	*port = ntohs(a.sa.sa_family == AF_INET ? a.in4.sin_port : a.in6.sin6_port);
	return fd;
}

/* --- an HTTP server thread ----------------------------------------------- */

enum srv_mode {
	SRV_200,
	SRV_503,
	SRV_GARBAGE, /* answers with something that is not HTTP */
	SRV_SILENT,  /* accepts, reads, never answers */
	SRV_CLOSE,   /* accepts, reads, closes without a word */
};

struct srv {
	int lfd;
	uint16_t port;
	atomic_int mode;
	atomic_int requests;
	pthread_t thread;
	atomic_bool stop;
	char request[512];     /* the last request, written before requests++ */
	union sa peer;         /* its source, likewise */
	int silent[64];        /* connections left unanswered */
	int nsilent;
};

static inline void srv_serve(struct srv *s, int fd, const union sa *peer)
{
	char buf[512];
	size_t got = 0;
	struct timeval tv = {.tv_sec = 2};
	static const char *const answers[] = {
		[SRV_200] = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n",
		[SRV_503] = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n",
		[SRV_GARBAGE] = "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n",
	};
	int mode = atomic_load(&s->mode);

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while (got < sizeof(buf) - 1) {
		ssize_t n = recv(fd, buf + got, sizeof(buf) - 1 - got, 0);

		if (n <= 0)
			break;
		got += (size_t)n;
		buf[got] = '\0';
		if (strstr(buf, "\r\n\r\n"))
			break;
	}
	buf[got] = '\0';
	memcpy(s->request, buf, got + 1);
	s->peer = *peer;
	atomic_fetch_add(&s->requests, 1);
	if (mode == SRV_SILENT && s->nsilent < 64) {
		s->silent[s->nsilent++] = fd;
		return;
	}
	if (mode <= SRV_GARBAGE)
		send(fd, answers[mode], strlen(answers[mode]), MSG_NOSIGNAL);
	close(fd);
}

static inline void *srv_main(void *arg)
{
	struct srv *s = arg;

	while (!atomic_load(&s->stop)) {
		struct pollfd pfd = {.fd = s->lfd, .events = POLLIN};
		union sa peer;
		socklen_t len = sizeof(peer);
		int fd;

		if (poll(&pfd, 1, ROUND_MS) <= 0)
			continue;
		fd = accept4(s->lfd, &peer.sa, &len, SOCK_CLOEXEC);
		if (fd >= 0)
			srv_serve(s, fd, &peer);
	}
	return NULL;
}

static inline struct srv *srv_start(const char *ip, enum srv_mode mode)
{
	struct srv *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->lfd = bound_socket(ip, 64, &s->port);
	atomic_init(&s->mode, mode);
	if (s->lfd < 0 || pthread_create(&s->thread, NULL, srv_main, s) != 0) {
		if (s->lfd >= 0)
			close(s->lfd);
		free(s);
		return NULL;
	}
	return s;
}

static inline void srv_stop(struct srv *s)
{
	if (!s)
		return;
	atomic_store(&s->stop, true);
	pthread_join(s->thread, NULL);
	for (int i = 0; i < s->nsilent; i++)
		close(s->silent[i]);
	close(s->lfd);
	free(s);
}

/* --- recording callbacks ---------------------------------------------------- */

#define REC_MAX 64

struct rec {
	int results, changes;
	struct health_result last;
	char lines[REC_MAX][256];
	struct health_member *remove_on_change; /* removes it from its callback */
	size_t max_inflight_seen;
	struct health *h;
};

static inline void rec_result(struct health_member *m, const struct health_result *r, void *ctx)
{
	struct rec *rec = ctx;

	rec->results++;
	rec->last = *r;
	if (health_inflight(rec->h) > rec->max_inflight_seen)
		rec->max_inflight_seen = health_inflight(rec->h);
}

static inline void rec_change(struct health_member *m, const struct health_change *c, void *ctx)
{
	struct rec *rec = ctx;

	if (rec->changes < REC_MAX)
		health_format_change(rec->lines[rec->changes], sizeof(rec->lines[0]), m, c);
	rec->changes++;
	if (m == rec->remove_on_change)
		health_remove(m);
}

static inline struct health *engine(struct rec *rec, uint32_t max_inflight)
{
	struct health_opts opts = {
		.on_change = rec_change,
		.on_result = rec_result,
		.ctx = rec,
		.max_inflight = max_inflight,
	};
	struct health *h = NULL;

	memset(rec, 0, sizeof(*rec));
	if (health_new(&opts, &h) < 0)
		return NULL;
	rec->h = h;
	return h;
}

/* A member of service "web" in the state a restarted daemon found for it
 * (PENDING for a new one). */
static inline struct health_member *add_in_state(struct health *h, const char *name,
						 const char *ip, uint16_t port,
						 const struct health_params *p,
						 enum xlb_health_state initial)
{
	struct health_member_spec spec = {
		.service = "web", .name = name, .params = *p, .initial = initial,
	};
	struct health_member *m = NULL;
	union sa a;

	spec.addrlen = sa_make(&a, ip, port);
	spec.addr = &a.sa;
	if (health_add(h, &spec, &m) < 0)
		return NULL;
	return m;
}

static inline struct health_member *add(struct health *h, const char *name,
					const char *ip, uint16_t port,
					const struct health_params *p)
{
	return add_in_state(h, name, ip, port, p, XLB_HEALTH_PENDING);
}

static inline void tcp_params(struct health_params *p, enum xlb_check_type type)
{
	health_params_default(p);
	p->type = type;
	p->interval_ms = LONG_INTERVAL_MS;
	p->timeout_ms = 1000;
	p->http_path = "/health";
}

static inline uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Runs the loop until *counter reaches want or max_ms pass: a bound on the
 * wait, not a claim about how long checks take. */
static inline int run_until(struct health *h, const int *counter, int want, uint64_t max_ms)
{
	uint64_t end = mono_ms() + max_ms;

	while (*counter < want && mono_ms() < end)
		if (health_run_once(h, ROUND_MS) < 0)
			return -1;
	return *counter;
}

static inline int run_until_results(struct health *h, struct rec *rec, int want)
{
	return run_until(h, &rec->results, want, WAIT_MAX_MS);
}

/* One check now; returns the number of results so far. */
static inline int check_once(struct health *h, struct rec *rec, struct health_member *m)
{
	health_check_now(m);
	return run_until_results(h, rec, rec->results + 1);
}

#endif
