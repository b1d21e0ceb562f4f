// SPDX-License-Identifier: MIT
/* The health engine against real sockets on loopback: listeners in this
 * process (TCP ones are never accepted from: the kernel completes the
 * handshake), and a small HTTP server thread whose answer each test picks.
 * Waits are bounded by a number of loop rounds; nothing asserts a time. */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
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

static socklen_t sa_make(union sa *a, const char *ip, uint16_t port)
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
static int bound_socket(const char *ip, int backlog, uint16_t *port)
{
	union sa a;
	socklen_t len = sa_make(&a, ip, 0);
	int fd = socket(a.sa.sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);

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

static void srv_serve(struct srv *s, int fd, const union sa *peer)
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

static void *srv_main(void *arg)
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

static struct srv *srv_start(const char *ip, enum srv_mode mode)
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

static void srv_stop(struct srv *s)
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

static void rec_result(struct health_member *m, const struct health_result *r, void *ctx)
{
	struct rec *rec = ctx;

	rec->results++;
	rec->last = *r;
	if (health_inflight(rec->h) > rec->max_inflight_seen)
		rec->max_inflight_seen = health_inflight(rec->h);
}

static void rec_change(struct health_member *m, const struct health_change *c, void *ctx)
{
	struct rec *rec = ctx;

	if (rec->changes < REC_MAX)
		health_format_change(rec->lines[rec->changes], sizeof(rec->lines[0]), m, c);
	rec->changes++;
	if (m == rec->remove_on_change)
		health_remove(m);
}

static struct health *engine(struct rec *rec, uint32_t max_inflight)
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

static struct health_member *add(struct health *h, const char *name, const char *ip,
				 uint16_t port, const struct health_params *p)
{
	struct health_member_spec spec = {.service = "web", .name = name, .params = *p};
	struct health_member *m = NULL;
	union sa a;

	spec.addrlen = sa_make(&a, ip, port);
	spec.addr = &a.sa;
	if (health_add(h, &spec, &m) < 0)
		return NULL;
	return m;
}

static void tcp_params(struct health_params *p, enum xlb_check_type type)
{
	health_params_default(p);
	p->type = type;
	p->interval_ms = LONG_INTERVAL_MS;
	p->timeout_ms = 1000;
	p->http_path = "/health";
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Runs the loop until *counter reaches want or max_ms pass: a bound on the
 * wait, not a claim about how long checks take. */
static int run_until(struct health *h, const int *counter, int want, uint64_t max_ms)
{
	uint64_t end = mono_ms() + max_ms;

	while (*counter < want && mono_ms() < end)
		if (health_run_once(h, ROUND_MS) < 0)
			return -1;
	return *counter;
}

static int run_until_results(struct health *h, struct rec *rec, int want)
{
	return run_until(h, &rec->results, want, WAIT_MAX_MS);
}

/* One check now; returns the number of results so far. */
static int check_once(struct health *h, struct rec *rec, struct health_member *m)
{
	health_check_now(m);
	return run_until_results(h, rec, rec->results + 1);
}

/* --- tests ---------------------------------------------------------------- */

TEST(tcp_member_up_after_its_first_check_ipv4)
{
	struct health_params p;
	struct health_status st;
	struct rec rec;
	uint16_t port;
	int lfd = bound_socket("127.0.0.1", 16, &port);
	struct health *h = engine(&rec, 0);
	struct health_member *m = h && lfd >= 0 ? (tcp_params(&p, XLB_CHECK_TCP),
						   add(h, "m1", "127.0.0.1", port, &p))
						: NULL;
	char want[128];

	ASSERT_TRUE(m != NULL);
	ASSERT_EQ(XLB_HEALTH_PENDING, health_member_state(m));
	ASSERT_TRUE(health_member_state(m) != XLB_HEALTH_UP);
	ASSERT_EQ(1, check_once(h, &rec, m));
	health_get(m, &st);
	health_free(h);
	close(lfd);
	ASSERT_EQ(HEALTH_R_OK, rec.last.reason);
	ASSERT_EQ(XLB_HEALTH_UP, st.state);
	ASSERT_EQ(1, st.checks);
	ASSERT_EQ(1, st.passes);
	ASSERT_EQ(1, rec.changes);
	snprintf(want, sizeof(want), "web: member m1 127.0.0.1:%u UP (first check passed, ",
		 port);
	ASSERT_STR_CONTAINS(want, rec.lines[0]);
	ASSERT_STR_CONTAINS(" ms)", rec.lines[0]);
}

TEST(tcp_member_up_ipv6)
{
	struct health_params p;
	struct rec rec;
	uint16_t port;
	int lfd = bound_socket("::1", 16, &port);
	struct health *h;
	struct health_member *m;

	if (lfd < 0)
		SKIP("no ::1 on this host");
	h = engine(&rec, 0);
	tcp_params(&p, XLB_CHECK_TCP);
	m = h ? add(h, "m6", "::1", port, &p) : NULL;
	if (m)
		check_once(h, &rec, m);
	health_free(h);
	close(lfd);
	ASSERT_TRUE(m != NULL);
	ASSERT_EQ(HEALTH_R_OK, rec.last.reason);
	ASSERT_EQ(1, rec.changes);
	ASSERT_STR_CONTAINS("web: member m6 [::1]:", rec.lines[0]);
}

TEST(tcp_closed_port_is_refused_and_counts_toward_fall)
{
	struct health_params p;
	struct rec rec;
	uint16_t port;
	/* Bound, not listening: the port stays ours and answers RST. */
	int fd = bound_socket("127.0.0.1", -1, &port);
	struct health *h = engine(&rec, 0);
	struct health_member *m = NULL;
	struct health_status st;
	char want[160];

	tcp_params(&p, XLB_CHECK_TCP);
	p.fall = 2;
	if (h && fd >= 0)
		m = add(h, "splunk.com", "127.0.0.1", port, &p);
	if (m) {
		check_once(h, &rec, m);
		check_once(h, &rec, m);
		health_get(m, &st);
	}
	health_free(h);
	close(fd);
	ASSERT_TRUE(m != NULL);
	ASSERT_EQ(2, rec.results);
	ASSERT_EQ(HEALTH_R_REFUSED, rec.last.reason);
	ASSERT_EQ(XLB_HEALTH_DOWN, st.state);
	ASSERT_EQ(2, st.fail_run);
	ASSERT_EQ(1, rec.changes);
	snprintf(want, sizeof(want),
		 "web: member splunk.com 127.0.0.1:%u DOWN (connection refused, 2/2 checks failed)",
		 port);
	ASSERT_STR_EQ(want, rec.lines[0]);
}

TEST(tcp_full_backlog_times_out)
{
	struct health_params p;
	struct rec rec;
	uint16_t port;
	/* Backlog 0 holds one connection; with it taken and never accepted,
	 * the kernel drops further SYNs and the check sees no answer. */
	int lfd = bound_socket("127.0.0.1", 0, &port);
	int filler = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct health *h = engine(&rec, 0);
	struct health_member *m = NULL;
	union sa a;
	socklen_t len = sa_make(&a, "127.0.0.1", port);
	char why[64];

	ASSERT_TRUE(lfd >= 0 && filler >= 0 && h != NULL);
	ASSERT_EQ(0, connect(filler, &a.sa, len));
	tcp_params(&p, XLB_CHECK_TCP);
	p.timeout_ms = 150;
	m = add(h, "m1", "127.0.0.1", port, &p);
	if (m)
		check_once(h, &rec, m);
	health_free(h);
	close(filler);
	close(lfd);
	ASSERT_TRUE(m != NULL);
	ASSERT_EQ(1, rec.results);
	ASSERT_EQ(HEALTH_R_TIMEOUT, rec.last.reason);
	ASSERT_STR_EQ("timed out after 150 ms", health_result_str(&rec.last, why, sizeof(why)));
	ASSERT_EQ(0, rec.changes); /* PENDING stays PENDING below fall */
}

/* One HTTP check against a server in the given mode. */
static int http_check(enum srv_mode mode, const char *ip, uint32_t timeout_ms,
		      struct rec *rec, struct srv **keep)
{
	struct health_params p;
	struct srv *s = srv_start(ip, mode);
	struct health *h = s ? engine(rec, 0) : NULL;
	struct health_member *m;
	int n = -1;

	tcp_params(&p, XLB_CHECK_HTTP);
	p.timeout_ms = timeout_ms;
	m = h ? add(h, "m1", ip, s->port, &p) : NULL;
	if (m)
		n = check_once(h, rec, m);
	health_free(h);
	if (keep && s)
		*keep = s;
	else
		srv_stop(s);
	return n;
}

TEST(http_200_is_up_and_the_request_is_well_formed)
{
	struct rec rec;
	struct srv *s = NULL;
	char want[128];
	char request[512];
	uint16_t port;

	ASSERT_EQ(1, http_check(SRV_200, "127.0.0.1", 1000, &rec, &s));
	ASSERT_TRUE(s != NULL);
	memcpy(request, s->request, sizeof(request));
	port = s->port;
	srv_stop(s);
	ASSERT_EQ(HEALTH_R_OK, rec.last.reason);
	ASSERT_EQ(200, rec.last.http_status);
	ASSERT_EQ(1, rec.changes);
	snprintf(want, sizeof(want), "GET /health HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n", port);
	ASSERT_STR_CONTAINS(want, request);
	ASSERT_STR_CONTAINS("\r\nConnection: close\r\n", request);
}

TEST(http_503_fails_with_the_status_in_words)
{
	struct rec rec;
	char why[64];

	ASSERT_EQ(1, http_check(SRV_503, "127.0.0.1", 1000, &rec, NULL));
	ASSERT_EQ(HEALTH_R_HTTP_STATUS, rec.last.reason);
	ASSERT_STR_EQ("HTTP status 503 (expected 200)",
		      health_result_str(&rec.last, why, sizeof(why)));
}

TEST(http_garbage_is_a_bad_response)
{
	struct rec rec;

	ASSERT_EQ(1, http_check(SRV_GARBAGE, "127.0.0.1", 1000, &rec, NULL));
	ASSERT_EQ(HEALTH_R_HTTP_BAD, rec.last.reason);
}

TEST(http_silent_server_times_out)
{
	struct rec rec;

	ASSERT_EQ(1, http_check(SRV_SILENT, "127.0.0.1", 150, &rec, NULL));
	ASSERT_EQ(HEALTH_R_TIMEOUT, rec.last.reason);
	ASSERT_EQ(150, rec.last.timeout_ms);
}

TEST(http_close_without_answer_is_reported)
{
	struct rec rec;

	ASSERT_EQ(1, http_check(SRV_CLOSE, "127.0.0.1", 1000, &rec, NULL));
	ASSERT_EQ(HEALTH_R_CLOSED, rec.last.reason);
}

TEST(http_over_ipv6)
{
	struct rec rec;
	uint16_t port;
	int probe = bound_socket("::1", 1, &port);

	if (probe < 0)
		SKIP("no ::1 on this host");
	close(probe);
	ASSERT_EQ(1, http_check(SRV_200, "::1", 1000, &rec, NULL));
	ASSERT_EQ(HEALTH_R_OK, rec.last.reason);
}

/* The whole rise/fall story through real checks: the server's answer
 * decides each result. */
TEST(rise_fall_sequence_through_real_checks)
{
	static const struct {
		enum srv_mode mode;
		int changes_after; /* state changes so far */
		enum xlb_health_state state;
	} steps[] = {
		{SRV_200, 1, XLB_HEALTH_UP},   /* first pass: UP at once */
		{SRV_503, 1, XLB_HEALTH_UP},
		{SRV_503, 1, XLB_HEALTH_UP},
		{SRV_200, 1, XLB_HEALTH_UP},   /* flap: the failure run restarts */
		{SRV_503, 1, XLB_HEALTH_UP},
		{SRV_503, 1, XLB_HEALTH_UP},
		{SRV_503, 2, XLB_HEALTH_DOWN}, /* exactly fall = 3 in a row */
		{SRV_200, 2, XLB_HEALTH_DOWN},
		{SRV_503, 2, XLB_HEALTH_DOWN}, /* the pass run restarts too */
		{SRV_200, 2, XLB_HEALTH_DOWN},
		{SRV_200, 3, XLB_HEALTH_UP},   /* exactly rise = 2 in a row */
	};
	struct health_params p;
	struct rec rec;
	struct srv *s = srv_start("127.0.0.1", SRV_200);
	struct health *h = s ? engine(&rec, 0) : NULL;
	struct health_member *m = NULL;
	char want[3][160];
	size_t i;

	tcp_params(&p, XLB_CHECK_HTTP);
	if (h)
		m = add(h, "m1", "127.0.0.1", s->port, &p);
	for (i = 0; m && i < sizeof(steps) / sizeof(steps[0]); i++) {
		atomic_store(&s->mode, steps[i].mode);
		if (check_once(h, &rec, m) != (int)i + 1 || rec.changes != steps[i].changes_after ||
		    health_member_state(m) != steps[i].state)
			break;
	}
	health_free(h);
	snprintf(want[0], sizeof(want[0]), "web: member m1 127.0.0.1:%u UP (first check passed, ",
		 s ? s->port : 0);
	snprintf(want[1], sizeof(want[1]),
		 "web: member m1 127.0.0.1:%u DOWN (HTTP status 503 (expected 200), 3/3 checks failed)",
		 s ? s->port : 0);
	snprintf(want[2], sizeof(want[2]), "web: member m1 127.0.0.1:%u UP (2/2 checks passed, ",
		 s ? s->port : 0);
	srv_stop(s);
	ASSERT_TRUE(m != NULL);
	ASSERT_EQ(sizeof(steps) / sizeof(steps[0]), i);
	ASSERT_EQ(3, rec.changes);
	ASSERT_STR_CONTAINS(want[0], rec.lines[0]);
	ASSERT_STR_EQ(want[1], rec.lines[1]);
	ASSERT_STR_CONTAINS(want[2], rec.lines[2]);
}

TEST(add_and_remove_at_runtime_keep_the_others_state)
{
	struct health_params p;
	struct health_status st_a;
	struct rec rec;
	uint16_t port;
	int lfd = bound_socket("127.0.0.1", 64, &port);
	struct health *h = engine(&rec, 0);
	struct health_member *a = NULL, *b = NULL, *c = NULL;
	int ok = 0;

	tcp_params(&p, XLB_CHECK_TCP);
	if (h && lfd >= 0) {
		a = add(h, "a", "127.0.0.1", port, &p);
		b = add(h, "b", "127.0.0.1", port, &p);
	}
	if (a && b) {
		check_once(h, &rec, a);
		check_once(h, &rec, b);
		/* A reload: b goes, c comes, a stays with new settings. */
		health_remove(b);
		p.rise = 5;
		ok = health_update(a, &p) == 0;
		c = add(h, "c", "127.0.0.1", port, &p);
	}
	if (ok && c) {
		ok = health_count(h) == 2 && health_member_state(a) == XLB_HEALTH_UP &&
		     health_member_state(c) == XLB_HEALTH_PENDING;
		check_once(h, &rec, a);
		health_get(a, &st_a);
	}
	health_free(h);
	close(lfd);
	ASSERT_TRUE(c != NULL);
	ASSERT_TRUE(ok);
	ASSERT_EQ(XLB_HEALTH_UP, st_a.state);
	ASSERT_EQ(2, st_a.checks); /* counters carried over the update */
	ASSERT_EQ(2, st_a.ok_run);
	ASSERT_EQ(3, rec.results);
	ASSERT_EQ(2, rec.changes);
}

TEST(member_removed_from_its_own_callback_is_freed_safely)
{
	struct health_params p;
	struct rec rec;
	uint16_t port;
	int lfd = bound_socket("127.0.0.1", 16, &port);
	struct health *h = engine(&rec, 0);
	struct health_member *m = NULL;
	size_t left = 1;

	tcp_params(&p, XLB_CHECK_TCP);
	if (h && lfd >= 0)
		m = add(h, "m1", "127.0.0.1", port, &p);
	if (m) {
		rec.remove_on_change = m;
		check_once(h, &rec, m);
		left = health_count(h);
	}
	health_free(h);
	close(lfd);
	ASSERT_TRUE(m != NULL);
	ASSERT_EQ(1, rec.changes);
	ASSERT_EQ(0, left);
}

TEST(type_none_is_up_without_any_check)
{
	struct health_params p;
	struct health_status st;
	struct rec rec;
	struct health *h = engine(&rec, 0);
	struct health_member *m = NULL;

	tcp_params(&p, XLB_CHECK_NONE);
	p.interval_ms = 10;
	if (h)
		m = add(h, "m1", "127.0.0.1", 9, &p);
	if (m) {
		for (int i = 0; i < 5; i++)
			health_run_once(h, ROUND_MS);
		health_get(m, &st);
	}
	health_free(h);
	ASSERT_TRUE(m != NULL);
	ASSERT_EQ(XLB_HEALTH_UP, st.state);
	ASSERT_EQ(0, st.checks);
	ASSERT_EQ(0, rec.results);
}

TEST(checks_leave_from_the_source_address)
{
	struct health_member_spec spec = {.service = "web", .name = "m1"};
	struct health_member *m = NULL;
	struct srv *s = srv_start("127.0.0.1", SRV_200);
	struct rec rec;
	struct health *h = s ? engine(&rec, 0) : NULL;
	union sa dst, src;
	char peer[INET6_ADDRSTRLEN] = "";

	tcp_params(&spec.params, XLB_CHECK_HTTP);
	spec.addrlen = sa_make(&dst, "127.0.0.1", s ? s->port : 0);
	spec.addr = &dst.sa;
	spec.sourcelen = sa_make(&src, "127.0.0.9", 0);
	spec.source = &src.sa;
	if (h && health_add(h, &spec, &m) == 0)
		check_once(h, &rec, m);
	health_free(h);
	if (s && atomic_load(&s->requests))
		inet_ntop(AF_INET, &s->peer.in4.sin_addr, peer, sizeof(peer));
	srv_stop(s);
	ASSERT_TRUE(m != NULL);
	ASSERT_EQ(HEALTH_R_OK, rec.last.reason);
	ASSERT_STR_EQ("127.0.0.9", peer);
}

TEST(unusable_source_address_is_a_failed_check_not_a_crash)
{
	struct health_member_spec spec = {.service = "web", .name = "m1"};
	struct health_member *m = NULL;
	struct rec rec;
	struct health *h = engine(&rec, 0);
	union sa dst, src;
	char why[96];

	tcp_params(&spec.params, XLB_CHECK_TCP);
	spec.addrlen = sa_make(&dst, "127.0.0.1", 9);
	spec.addr = &dst.sa;
	/* TEST-NET-1: never an address of this host. */
	spec.sourcelen = sa_make(&src, "192.0.2.1", 0);
	spec.source = &src.sa;
	if (h && health_add(h, &spec, &m) == 0)
		check_once(h, &rec, m);
	health_free(h);
	ASSERT_TRUE(m != NULL);
	ASSERT_EQ(1, rec.results);
	ASSERT_EQ(HEALTH_R_ERRNO, rec.last.reason);
	ASSERT_STR_EQ("Cannot assign requested address",
		      health_result_str(&rec.last, why, sizeof(why)));
}

/* Many members on many loopback addresses, each on its own listener, all
 * on a short interval: every one comes UP exactly once, within a bounded
 * number of loop rounds, and the in-flight cap holds. */
static void many_members(int n, uint32_t cap, int *up, int *changes, int *min_checks,
			 size_t *max_inflight)
{
	struct health_params p;
	struct rec rec;
	struct health *h = engine(&rec, cap);
	struct health_member **ms = calloc((size_t)n, sizeof(*ms));
	int *fds = calloc((size_t)n, sizeof(*fds));
	int added = 0;

	*up = *changes = 0;
	*min_checks = -1;
	tcp_params(&p, XLB_CHECK_TCP);
	p.interval_ms = 200;
	for (int i = 0; h && ms && fds && i < n; i++) {
		char ip[32], name[16];
		uint16_t port;

		snprintf(ip, sizeof(ip), "127.0.%d.%d", 1 + i / 250, 1 + i % 250);
		snprintf(name, sizeof(name), "m%d", i + 1);
		fds[i] = bound_socket(ip, 8, &port);
		if (fds[i] < 0)
			break;
		ms[i] = add(h, name, ip, port, &p);
		if (!ms[i]) {
			close(fds[i]);
			break;
		}
		added++;
	}
	/* Every member's first check falls within the first 200 ms interval;
	 * the bound is 50 intervals. */
	if (added == n)
		run_until(h, &rec.changes, n, 50 * p.interval_ms);
	for (int i = 0; i < added; i++) {
		struct health_status st;

		health_get(ms[i], &st);
		*up += st.state == XLB_HEALTH_UP;
		if (*min_checks < 0 || (int)st.checks < *min_checks)
			*min_checks = (int)st.checks;
	}
	*changes = rec.changes;
	*max_inflight = rec.max_inflight_seen;
	health_free(h);
	for (int i = 0; i < added; i++)
		close(fds[i]);
	free(ms);
	free(fds);
}

TEST(five_hundred_members_on_loopback_all_come_up)
{
	int up, changes, min_checks;
	size_t max_inflight;

	many_members(500, 0, &up, &changes, &min_checks, &max_inflight);
	ASSERT_EQ(500, up);
	ASSERT_EQ(500, changes);
	ASSERT_TRUE(min_checks >= 1);
}

TEST(in_flight_cap_queues_checks_and_still_checks_everyone)
{
	int up, changes, min_checks;
	size_t max_inflight;

	many_members(200, 4, &up, &changes, &min_checks, &max_inflight);
	ASSERT_EQ(200, up);
	ASSERT_EQ(200, changes);
	ASSERT_TRUE(max_inflight <= 4);
	ASSERT_TRUE(max_inflight >= 1);
}

/* A restarted daemon adopts the states of the pins: an UP member keeps
 * serving without waiting for a check, and needs `fall` failures to go
 * DOWN; a DOWN one needs `rise` passes. */
TEST(adopted_up_member_serves_at_once_and_falls_after_fall_failures)
{
	struct health_member_spec spec = { .service = "web", .name = "m1" };
	struct health_member *m = NULL;
	struct health_params p;
	struct rec rec;
	uint16_t port;
	int lfd = bound_socket("127.0.0.1", -1, &port); /* bound, not listening: refused */
	struct health *h = engine(&rec, 0);
	union sa a;

	ASSERT_TRUE(h != NULL && lfd >= 0);
	tcp_params(&p, XLB_CHECK_TCP);
	p.fall = 2;
	spec.params = p;
	spec.addrlen = sa_make(&a, "127.0.0.1", port);
	spec.addr = &a.sa;
	spec.initial = XLB_HEALTH_UP;
	ASSERT_EQ(0, health_add(h, &spec, &m));
	ASSERT_EQ(XLB_HEALTH_UP, health_member_state(m));
	ASSERT_EQ(XLB_HEALTH_UP, health_member_state(m));
	check_once(h, &rec, m);
	ASSERT_EQ(XLB_HEALTH_UP, health_member_state(m));
	check_once(h, &rec, m);
	ASSERT_EQ(XLB_HEALTH_DOWN, health_member_state(m));
	health_free(h);
	close(lfd);
	ASSERT_EQ(1, rec.changes);
	ASSERT_STR_CONTAINS("DOWN (connection refused, 2/2 checks failed)", rec.lines[0]);
}

TEST(adopted_down_member_needs_rise_passes)
{
	struct health_member_spec spec = { .service = "web", .name = "m1" };
	struct health_member *m = NULL;
	struct health_params p;
	struct rec rec;
	uint16_t port;
	int lfd = bound_socket("127.0.0.1", 16, &port);
	struct health *h = engine(&rec, 0);
	union sa a;

	ASSERT_TRUE(h != NULL && lfd >= 0);
	tcp_params(&p, XLB_CHECK_TCP);
	p.rise = 2;
	spec.params = p;
	spec.addrlen = sa_make(&a, "127.0.0.1", port);
	spec.addr = &a.sa;
	spec.initial = XLB_HEALTH_DOWN;
	ASSERT_EQ(0, health_add(h, &spec, &m));
	ASSERT_TRUE(health_member_state(m) != XLB_HEALTH_UP);
	check_once(h, &rec, m);
	ASSERT_EQ(XLB_HEALTH_DOWN, health_member_state(m));
	check_once(h, &rec, m);
	ASSERT_EQ(XLB_HEALTH_UP, health_member_state(m));
	health_free(h);
	close(lfd);
	ASSERT_STR_CONTAINS("UP (2/2 checks passed", rec.lines[0]);
}
