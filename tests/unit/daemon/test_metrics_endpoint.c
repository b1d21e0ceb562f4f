// SPDX-License-Identifier: MIT
/* The metrics endpoint over loopback, on maps in memory
 * (tests/lib/fake_maps.h), no root: GET /metrics answers 200 with the text
 * format's content type and exactly Content-Length bytes of metrics that
 * name what the maps hold; HEAD the same head without a body; another
 * path 404, another method 405 with Allow, a line that is not HTTP 400, a
 * head that fills 8 KiB 431; a client that sends nothing does not keep the next
 * one out past its timeout; the same address again keeps the listener, a
 * disabled one closes it, a taken port is refused with -EADDRINUSE; a
 * failed reload shows as 0. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "daemon/metrics.h"
#include "fake_maps.h"
#include "lib/log.h"
#include "test.h"

struct env {
	struct xlb_maps maps;
	struct fake_maps *fake;
	struct metrics *m;
	struct cfg_metrics cfg;
};

/* A free port on 127.0.0.1, as the kernel picks one. */
static uint16_t free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	uint16_t port = 0;

	if (fd >= 0 && !bind(fd, (struct sockaddr *)&a, sizeof(a)) &&
	    !getsockname(fd, (struct sockaddr *)&a, &len))
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

static bool env_open(struct env *e)
{
	struct xlb_svc_info s = { .name = "web", .in_use = 1, .n_members = 1, .n_serving = 1 };
	struct xlb_mbr_info mb = { .name = "m1", .family = XLB_FAMILY_IPV4, .state = XLB_HEALTH_UP,
				   .weight = 1, .service_id = 0, .port = htons(80) };

	memset(e, 0, sizeof(*e));
	log_set_level(LOG_LVL_ERROR);
	s.key.family = XLB_FAMILY_IPV4;
	s.key.proto = IPPROTO_TCP;
	s.key.port = htons(80);
	inet_pton(AF_INET, "198.18.2.1", &s.key.vip.v4);
	inet_pton(AF_INET, "198.18.1.11", &mb.addr.v4);
	e->cfg.enabled = true;
	e->cfg.port = free_port();
	addr_parse("127.0.0.1", &e->cfg.addr);
	return e->cfg.port && fake_maps_new(&e->maps, &e->fake) == 0 &&
	       xlb_maps_svc_info_set(&e->maps, 0, &s) == 0 && xlb_maps_mbr_info_set(&e->maps, 3, &mb) == 0 &&
	       metrics_new(&e->maps, &e->m) == 0 && metrics_listen(e->m, &e->cfg) == 0;
}

static void env_close(struct env *e)
{
	metrics_free(e->m);
	fake_maps_free(e->fake);
}

static int dial(uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct timeval tv = { .tv_sec = 10 };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/* The whole answer to request (sent as given), or NULL; *err: -errno of
 * the connect. */
static char *ask(uint16_t port, const char *request, size_t len, int *err)
{
	char *text = NULL, buf[4096];
	size_t tlen = 0;
	FILE *out;
	ssize_t n;
	int fd = dial(port);

	*err = fd < 0 ? fd : 0;
	if (fd < 0)
		return NULL;
	out = open_memstream(&text, &tlen);
	if (out && send(fd, request, len, MSG_NOSIGNAL) == (ssize_t)len)
		while ((n = recv(fd, buf, sizeof(buf), 0)) > 0)
			fwrite(buf, 1, (size_t)n, out);
	if (out)
		fclose(out);
	close(fd);
	return text;
}

static char *get(uint16_t port, const char *request)
{
	int err;

	return ask(port, request, strlen(request), &err);
}

/* The head's first line. */
static const char *status_line(const char *resp)
{
	static char line[128];

	snprintf(line, sizeof(line), "%.*s", resp ? (int)strcspn(resp, "\r\n") : 0, resp ? resp : "");
	return line;
}

TEST(get_metrics_answers_200_with_the_text_format_and_its_exact_length)
{
	struct env e;
	char *r, *body;
	size_t clen = 0;
	const char *cl;

	ASSERT_TRUE(env_open(&e));
	r = get(e.cfg.port, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
	ASSERT_STR_EQ("HTTP/1.1 200 OK", status_line(r));
	ASSERT_STR_CONTAINS("\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n", r);
	cl = strstr(r, "Content-Length: ");
	ASSERT_TRUE(cl != NULL);
	clen = strtoul(cl + 16, NULL, 10);
	body = strstr(r, "\r\n\r\n") + 4;
	ASSERT_EQ(clen, strlen(body));
	ASSERT_EQ(0, strncmp(body, "# HELP xlb_build_info ", 22));
	ASSERT_STR_CONTAINS("\nxlb_member_up{service=\"web\",member=\"m1\"} 1\n", body);
	ASSERT_STR_CONTAINS("\nxlb_config_last_reload_successful 1\n", body);
	free(r);
	r = get(e.cfg.port, "GET /metrics?x=1 HTTP/1.0\n\n");
	ASSERT_STR_EQ("HTTP/1.1 200 OK", status_line(r));
	free(r);
	env_close(&e);
}

TEST(head_gets_the_head_without_the_body)
{
	struct env e;
	char *r;

	ASSERT_TRUE(env_open(&e));
	r = get(e.cfg.port, "HEAD /metrics HTTP/1.1\r\n\r\n");
	ASSERT_STR_EQ("HTTP/1.1 200 OK", status_line(r));
	ASSERT_EQ(strlen(r), (size_t)(strstr(r, "\r\n\r\n") + 4 - r));
	free(r);
	env_close(&e);
}

TEST(other_paths_404_other_methods_405_and_garbage_400)
{
	struct env e;
	char *r;

	ASSERT_TRUE(env_open(&e));
	r = get(e.cfg.port, "GET / HTTP/1.1\r\n\r\n");
	ASSERT_STR_EQ("HTTP/1.1 404 Not Found", status_line(r));
	ASSERT_STR_CONTAINS("not found: xlb serves its metrics at /metrics\n", r);
	free(r);
	r = get(e.cfg.port, "GET /metricsx HTTP/1.1\r\n\r\n");
	ASSERT_STR_EQ("HTTP/1.1 404 Not Found", status_line(r));
	free(r);
	r = get(e.cfg.port, "POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
	ASSERT_STR_EQ("HTTP/1.1 405 Method Not Allowed", status_line(r));
	ASSERT_STR_CONTAINS("\r\nAllow: GET, HEAD\r\n", r);
	free(r);
	r = get(e.cfg.port, "hello\r\n\r\n");
	ASSERT_STR_EQ("HTTP/1.1 400 Bad Request", status_line(r));
	free(r);
	env_close(&e);
}

/* METRICS_REQUEST_MAX - 1 bytes with no blank line: the buffer is full
 * (its last byte is the NUL), and nothing is left unread that would turn
 * the close into a reset before the client reads the answer. */
TEST(a_head_that_fills_8_kib_without_its_end_gets_431)
{
	char req[METRICS_REQUEST_MAX - 1];
	struct env e;
	char *r;
	int err;

	ASSERT_TRUE(env_open(&e));
	memset(req, 'a', sizeof(req));
	memcpy(req, "GET /metrics HTTP/1.1\r\nX: ", 26);
	r = ask(e.cfg.port, req, sizeof(req), &err);
	ASSERT_STR_EQ("HTTP/1.1 431 Request Header Fields Too Large", status_line(r));
	free(r);
	env_close(&e);
}

TEST(a_silent_client_is_dropped_and_the_next_one_served)
{
	struct env e;
	int silent;
	char *r;

	ASSERT_TRUE(env_open(&e));
	silent = dial(e.cfg.port);
	ASSERT_TRUE(silent >= 0);
	/* Served once the silent one's METRICS_CLIENT_TIMEOUT_MS is over
	 * (the client's own receive timeout is 10 s). */
	r = get(e.cfg.port, "GET /metrics HTTP/1.1\r\n\r\n");
	ASSERT_STR_EQ("HTTP/1.1 200 OK", status_line(r));
	free(r);
	close(silent);
	env_close(&e);
}

TEST(same_address_keeps_the_listener_disabled_closes_it)
{
	struct cfg_metrics off = { .enabled = false };
	struct env e;
	char *r;
	int err;

	ASSERT_TRUE(env_open(&e));
	ASSERT_EQ(0, metrics_listen(e.m, &e.cfg));
	r = get(e.cfg.port, "GET /metrics HTTP/1.1\r\n\r\n");
	ASSERT_STR_EQ("HTTP/1.1 200 OK", status_line(r));
	free(r);
	ASSERT_EQ(0, metrics_listen(e.m, &off));
	r = ask(e.cfg.port, "GET /metrics HTTP/1.1\r\n\r\n", 25, &err);
	ASSERT_EQ(-ECONNREFUSED, err);
	free(r);
	env_close(&e);
}

TEST(a_port_in_use_is_refused_and_leaves_the_endpoint_off)
{
	struct env e, other;

	ASSERT_TRUE(env_open(&e));
	ASSERT_TRUE(env_open(&other));
	ASSERT_EQ(-EADDRINUSE, metrics_listen(other.m, &e.cfg));
	env_close(&other);
	env_close(&e);
}

TEST(a_failed_reload_shows_as_0)
{
	struct env e;
	char *r;

	ASSERT_TRUE(env_open(&e));
	metrics_reloaded(e.m, false);
	r = get(e.cfg.port, "GET /metrics HTTP/1.1\r\n\r\n");
	ASSERT_STR_CONTAINS("\nxlb_config_last_reload_successful 0\n", r);
	free(r);
	env_close(&e);
}

int main(int argc, char **argv)
{
	return xt_main(argc, argv);
}
