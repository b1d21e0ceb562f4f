// SPDX-License-Identifier: MIT
/* The health engine's parts that need no socket: the rise/fall state
 * machine, the timer heap, the HTTP request and status line, and the words
 * of the log line. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "health/health.h"
#include "lib/abi_text.h"
#include "health/heap.h"
#include "health/http.h"
#include "health/sm.h"
#include "test.h"

/* Feeds a string of results ('+' pass, '-' fail) and writes the state after
 * each one as U/D/P, so that a whole sequence is one string compare. */
static void sm_run(const char *seq, uint32_t rise, uint32_t fall, char *out)
{
	struct health_sm sm = {.state = XLB_HEALTH_PENDING};
	uint32_t run = 0, need = 0;

	for (; *seq; seq++) {
		health_sm_feed(&sm, *seq == '+', rise, fall, &run, &need);
		*out++ = xlb_health_str(sm.state)[0];
	}
	*out = '\0';
}

TEST(sm_pending_member_comes_up_on_its_first_pass)
{
	char got[64];

	sm_run("+", 2, 3, got);
	ASSERT_STR_EQ("U", got);
	sm_run("--+", 2, 3, got);
	ASSERT_STR_EQ("PPU", got);
}

TEST(sm_pending_member_goes_down_after_fall_failures_then_needs_rise)
{
	char got[64];

	sm_run("---+-++", 2, 3, got);
	ASSERT_STR_EQ("PPDDDDU", got);
}

TEST(sm_up_goes_down_after_exactly_fall_consecutive_failures)
{
	char got[64];

	sm_run("+---", 2, 3, got);
	ASSERT_STR_EQ("UUUD", got);
	sm_run("+-", 2, 1, got);
	ASSERT_STR_EQ("UD", got);
}

TEST(sm_down_comes_up_after_exactly_rise_consecutive_passes)
{
	char got[64];

	sm_run("+---+-+++", 3, 3, got);
	ASSERT_STR_EQ("UUUDDDDDU", got);
}

TEST(sm_flapping_that_never_reaches_fall_never_transitions)
{
	char got[64];

	/* Two failures in a row at most, with fall 3: cumulative counting
	 * would have gone down at the third failure overall. */
	sm_run("+--+--+-+--+", 2, 3, got);
	ASSERT_STR_EQ("UUUUUUUUUUUU", got);
	/* And a DOWN member flapping below rise stays down. */
	sm_run("+---+-+-+-", 2, 3, got);
	ASSERT_STR_EQ("UUUDDDDDDD", got);
}

TEST(sm_reports_the_run_that_made_the_change)
{
	struct health_sm sm = {.state = XLB_HEALTH_UP};
	uint32_t run = 0, need = 0;

	ASSERT_EQ(0, health_sm_feed(&sm, false, 2, 3, &run, &need));
	ASSERT_EQ(0, health_sm_feed(&sm, false, 2, 3, &run, &need));
	ASSERT_EQ(1, health_sm_feed(&sm, false, 2, 3, &run, &need));
	ASSERT_EQ(3, run);
	ASSERT_EQ(3, need);
	ASSERT_EQ(0, health_sm_feed(&sm, true, 2, 3, &run, &need));
	ASSERT_EQ(1, health_sm_feed(&sm, true, 2, 3, &run, &need));
	ASSERT_EQ(2, run);
	ASSERT_EQ(2, need);
	ASSERT_EQ(XLB_HEALTH_UP, sm.state);
}

TEST(heap_pops_in_key_order_through_moves_and_removals)
{
	enum { N = 1000 };
	struct heap hp = {0};
	struct heap_node *nodes = calloc(N, sizeof(*nodes));
	uint64_t last = 0;
	size_t popped = 0;

	ASSERT_TRUE(nodes != NULL);
	srand(7);
	for (int i = 0; i < N; i++) {
		heap_node_init(&nodes[i]);
		ASSERT_EQ(0, heap_set(&hp, &nodes[i], (uint64_t)rand() % 5000));
	}
	/* Move every third node, remove every fifth. */
	for (int i = 0; i < N; i += 3)
		ASSERT_EQ(0, heap_set(&hp, &nodes[i], (uint64_t)rand() % 5000));
	for (int i = 0; i < N; i += 5)
		heap_remove(&hp, &nodes[i]);
	for (int i = 0; i < N; i += 5)
		ASSERT_TRUE(!heap_node_queued(&nodes[i]));
	while (heap_top(&hp)) {
		struct heap_node *top = heap_top(&hp);

		if (top->key < last) {
			free(nodes);
			heap_free(&hp);
			ASSERT_TRUE(!"keys out of order");
		}
		last = top->key;
		heap_remove(&hp, top);
		popped++;
	}
	heap_free(&hp);
	free(nodes);
	ASSERT_EQ(N - N / 5, popped);
}

TEST(http_request_has_host_and_connection_close)
{
	char *req = NULL;
	size_t len = 0;

	ASSERT_EQ(0, health_http_request("/healthz", "web.example:8080", &req, &len));
	ASSERT_EQ(strlen(req), len);
	ASSERT_STR_EQ("GET /healthz HTTP/1.1\r\n"
		      "Host: web.example:8080\r\n"
		      "User-Agent: xlb-health-check\r\n"
		      "Accept: */*\r\n"
		      "Connection: close\r\n"
		      "\r\n",
		      req);
	free(req);
	ASSERT_EQ(-EINVAL, health_http_request("/a b", "h", &req, &len));
	ASSERT_EQ(-EINVAL, health_http_request("/", "h\r\nX: y", &req, &len));
}

static enum health_http_parse parse(const char *s, bool eof, int *status)
{
	return health_http_status_line(s, strlen(s), eof, status);
}

TEST(http_status_line_parsing)
{
	int st = 0;

	ASSERT_EQ(HEALTH_HTTP_STATUS, parse("HTTP/1.1 200 OK\r\n", false, &st));
	ASSERT_EQ(200, st);
	ASSERT_EQ(HEALTH_HTTP_STATUS, parse("HTTP/1.0 503\r\n", false, &st));
	ASSERT_EQ(503, st);
	ASSERT_EQ(HEALTH_HTTP_MORE, parse("", false, &st));
	ASSERT_EQ(HEALTH_HTTP_MORE, parse("HTT", false, &st));
	ASSERT_EQ(HEALTH_HTTP_MORE, parse("HTTP/1.1 20", false, &st));
	ASSERT_EQ(HEALTH_HTTP_MORE, parse("HTTP/1.1 200", false, &st));
	ASSERT_EQ(HEALTH_HTTP_BAD, parse("HTTP/1.1 200", true, &st));
	ASSERT_EQ(HEALTH_HTTP_BAD, parse("HTT", true, &st));
	/* Garbage is bad at its first wrong byte, without waiting for more. */
	ASSERT_EQ(HEALTH_HTTP_BAD, parse("SSH-2.0-OpenSSH_9.2", false, &st));
	ASSERT_EQ(HEALTH_HTTP_BAD, parse("http/1.1 200 OK\r\n", false, &st));
	ASSERT_EQ(HEALTH_HTTP_BAD, parse("HTTP/1.1 2x0 OK\r\n", false, &st));
	ASSERT_EQ(HEALTH_HTTP_BAD, parse("HTTP/1.1 2000 OK\r\n", false, &st));
	ASSERT_EQ(HEALTH_HTTP_BAD, parse("HTTP/1.1 099 OK\r\n", false, &st));
	ASSERT_EQ(HEALTH_HTTP_BAD, parse("HTTP/11 200 OK\r\n", false, &st));
}

static const char *result_text(struct health_result r)
{
	static char buf[128];

	return health_result_str(&r, buf, sizeof(buf));
}

TEST(result_reasons_in_words)
{
	ASSERT_STR_EQ("connection refused",
		      result_text((struct health_result){.reason = HEALTH_R_REFUSED}));
	ASSERT_STR_EQ("timed out after 2000 ms",
		      result_text((struct health_result){.reason = HEALTH_R_TIMEOUT,
							 .timeout_ms = 2000}));
	ASSERT_STR_EQ("no route to host",
		      result_text((struct health_result){.reason = HEALTH_R_HOSTUNREACH}));
	ASSERT_STR_EQ("network unreachable",
		      result_text((struct health_result){.reason = HEALTH_R_NETUNREACH}));
	ASSERT_STR_EQ("connection reset",
		      result_text((struct health_result){.reason = HEALTH_R_RESET}));
	ASSERT_STR_EQ("HTTP status 503 (expected 200)",
		      result_text((struct health_result){.reason = HEALTH_R_HTTP_STATUS,
							 .http_status = 503,
							 .http_expected = 200}));
	ASSERT_STR_EQ("bad HTTP response",
		      result_text((struct health_result){.reason = HEALTH_R_HTTP_BAD}));
	ASSERT_STR_EQ("Cannot assign requested address",
		      result_text((struct health_result){.reason = HEALTH_R_ERRNO,
							 .err = EADDRNOTAVAIL}));
}

/* A member that is never checked (long interval, no dispatch), only to
 * give health_format_change a name and an address. */
static struct health_member *add_idle(struct health *h, const char *service,
				      const char *name, int family, const char *ip,
				      uint16_t port)
{
	struct health_member_spec spec = {.service = service, .name = name};
	struct sockaddr_in6 in6 = {.sin6_family = AF_INET6, .sin6_port = htons(port)};
	struct sockaddr_in in4 = {.sin_family = AF_INET, .sin_port = htons(port)};
	struct health_member *m = NULL;

	health_params_default(&spec.params);
	spec.params.interval_ms = 3600 * 1000;
	if (family == AF_INET) {
		inet_pton(AF_INET, ip, &in4.sin_addr);
		spec.addr = (struct sockaddr *)&in4;
		spec.addrlen = sizeof(in4);
	} else {
		inet_pton(AF_INET6, ip, &in6.sin6_addr);
		spec.addr = (struct sockaddr *)&in6;
		spec.addrlen = sizeof(in6);
	}
	if (health_add(h, &spec, &m) < 0)
		return NULL;
	return m;
}

TEST(friendly_lines_are_exact)
{
	struct health *h = NULL;
	struct health_member *m, *v6, *anon;
	struct health_change down = {
		.from = XLB_HEALTH_UP, .to = XLB_HEALTH_DOWN, .run = 3, .need = 3,
		.result = {.reason = HEALTH_R_REFUSED, .latency_us = 120},
	};
	struct health_change up = {
		.from = XLB_HEALTH_DOWN, .to = XLB_HEALTH_UP, .run = 2, .need = 2,
		.result = {.reason = HEALTH_R_OK, .latency_us = 420},
	};
	struct health_change first = {
		.from = XLB_HEALTH_PENDING, .to = XLB_HEALTH_UP, .run = 1, .need = 1,
		.result = {.reason = HEALTH_R_OK, .latency_us = 12600},
	};
	struct health_change slow = {
		.from = XLB_HEALTH_UP, .to = XLB_HEALTH_DOWN, .run = 2, .need = 2,
		.result = {.reason = HEALTH_R_TIMEOUT, .timeout_ms = 1500},
	};
	char lines[5][256] = {{0}};

	ASSERT_EQ(0, health_new(NULL, &h));
	m = add_idle(h, "web", "splunk.com", AF_INET, "52.5.196.118", 443);
	v6 = add_idle(h, "web6", "m2", AF_INET6, "fd00:19::2", 80);
	anon = add_idle(h, "web", NULL, AF_INET, "198.18.1.3", 8080);
	/* Format everything first, free, then compare: an assertion returns. */
	if (m && v6 && anon) {
		health_format_change(lines[0], sizeof(lines[0]), m, &down);
		health_format_change(lines[1], sizeof(lines[1]), m, &up);
		health_format_change(lines[2], sizeof(lines[2]), m, &first);
		health_format_change(lines[3], sizeof(lines[3]), v6, &slow);
		health_format_change(lines[4], sizeof(lines[4]), anon, &down);
	}
	health_free(h);
	ASSERT_STR_EQ("web: member splunk.com 52.5.196.118:443 DOWN "
		      "(connection refused, 3/3 checks failed)", lines[0]);
	ASSERT_STR_EQ("web: member splunk.com 52.5.196.118:443 UP "
		      "(2/2 checks passed, 0.4 ms)", lines[1]);
	ASSERT_STR_EQ("web: member splunk.com 52.5.196.118:443 UP "
		      "(first check passed, 13 ms)", lines[2]);
	ASSERT_STR_EQ("web6: member m2 [fd00:19::2]:80 DOWN "
		      "(timed out after 1500 ms, 2/2 checks failed)", lines[3]);
	ASSERT_STR_EQ("web: member 198.18.1.3:8080 DOWN "
		      "(connection refused, 3/3 checks failed)", lines[4]);
}

TEST(params_validation_rejects_zeroes)
{
	struct health_params p;

	health_params_default(&p);
	ASSERT_EQ(0, health_params_validate(&p));
	ASSERT_EQ(XLB_CHECK_TCP, p.type);
	ASSERT_EQ(2000, p.interval_ms);
	ASSERT_EQ(2, p.rise);
	ASSERT_EQ(3, p.fall);
	p.fall = 0;
	ASSERT_EQ(-EINVAL, health_params_validate(&p));
	health_params_default(&p);
	p.http_status = 42;
	ASSERT_EQ(-EINVAL, health_params_validate(&p));
	p.type = XLB_CHECK_NONE;
	ASSERT_EQ(0, health_params_validate(&p));
}
