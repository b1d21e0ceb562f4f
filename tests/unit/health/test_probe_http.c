// SPDX-License-Identifier: MIT
/* HTTP checks (health/probe_http.c) against a server thread whose answer
 * each test picks: the request sent, and each kind of answer judged. */

#include "loopback.h"

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
