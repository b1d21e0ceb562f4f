// SPDX-License-Identifier: MIT
/* Results and state changes in words (health/format.c): what the log
 * and `xlb status` say. */
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
