// SPDX-License-Identifier: MIT
/* The HTTP check's text (health/http.c): the request, the status line. */
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
