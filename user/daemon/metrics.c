// SPDX-License-Identifier: MIT
/* The metrics endpoint: one thread, one listener, one client at a time.
 * A scrape costs the thread a pass over the maps (dp_view_read) and the
 * text; the daemon's loop goes on meanwhile, so a slow or stuck client
 * delays only the next scrape, by METRICS_CLIENT_TIMEOUT_MS at most. */
#include "daemon/metrics.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/stop_wait.h"

#define METRICS_BACKLOG 16

struct metrics {
	const struct xlb_maps *maps;
	int listen_fd, stop_fd;
	pthread_t thread;
	bool running;
	struct xlb_addr addr; /* where listen_fd listens */
	uint16_t port;
	struct dp_view view;  /* the thread's */
	pthread_mutex_t lock;
	/* under lock */
	bool reload_ok;
	__u64 reload_success_unix_ms;
};

static __u64 now_ms(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (__u64)ts.tv_sec * 1000 + (__u64)ts.tv_nsec / 1000000;
}

/* Waits for events on fd until the deadline; 0 or -ETIMEDOUT/-errno. */
static int wait_fd(int fd, short events, __u64 deadline_ms)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = events };
		__u64 now = now_ms(CLOCK_MONOTONIC);
		int n;

		if (now >= deadline_ms)
			return -ETIMEDOUT;
		n = poll(&p, 1, (int)(deadline_ms - now));
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return -errno;
	}
}

/* The request head (up to the blank line) into buf, NUL-terminated; its
 * length, or -E2BIG when it does not fit, -ETIMEDOUT, -ECONNRESET. */
static ssize_t read_head(int fd, char *buf, size_t cap, __u64 deadline_ms)
{
	size_t len = 0;

	for (;;) {
		ssize_t n;
		int err;

		buf[len] = '\0';
		if (strstr(buf, "\r\n\r\n") || strstr(buf, "\n\n"))
			return (ssize_t)len;
		if (len == cap - 1)
			return -E2BIG;
		err = wait_fd(fd, POLLIN, deadline_ms);
		if (err)
			return err;
		n = recv(fd, buf + len, cap - 1 - len, 0);
		if (n == 0)
			return -ECONNRESET;
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return -errno;
		if (n > 0)
			len += (size_t)n;
	}
}

static int write_all(int fd, const char *buf, size_t len, __u64 deadline_ms)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
		int err;

		if (n > 0) {
			buf += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return -errno;
		err = wait_fd(fd, POLLOUT, deadline_ms);
		if (err)
			return err;
	}
	return 0;
}

/* "GET /metrics HTTP/1.1": 200; another path: 404; another method: 405;
 * not a request line: 400.  *head: HEAD (no body). */
static int route(const char *req, bool *head)
{
	size_t mlen = strcspn(req, " \r\n"), plen;
	const char *path = req + mlen;

	if (*path != ' ')
		return 400;
	path++;
	plen = strcspn(path, " ?\r\n");
	if (path[plen] != ' ' && path[plen] != '?')
		return 400;
	*head = mlen == 4 && !strncmp(req, "HEAD", 4);
	if (!(mlen == 3 && !strncmp(req, "GET", 3)) && !*head)
		return 405;
	if (plen != 8 || strncmp(path, "/metrics", 8))
		return 404;
	return 200;
}

/* The metrics text into *body (malloc'ed); 0 or -errno. */
static int render(struct metrics *m, char **body, size_t *len)
{
	struct metrics_process p = { .version = XLB_VERSION };
	FILE *out;
	int err;

	err = dp_view_read(&m->view, m->maps);
	if (err)
		return err;
	pthread_mutex_lock(&m->lock);
	p.reload_ok = m->reload_ok;
	p.reload_success_unix_ms = m->reload_success_unix_ms;
	pthread_mutex_unlock(&m->lock);
	p.now_ns = xlb_census_now_ns();
	out = open_memstream(body, len);
	if (!out)
		return -ENOMEM;
	err = metrics_write(&m->view, &p, out);
	if (fclose(out) && !err)
		err = -ENOMEM;
	return err;
}

static void respond(int fd, int status, const char *type, const char *extra, const char *body,
		    size_t len, bool head, __u64 deadline_ms)
{
	static const struct {
		int status;
		const char *reason;
	} reasons[] = { { 200, "OK" }, { 400, "Bad Request" }, { 404, "Not Found" },
			{ 405, "Method Not Allowed" }, { 431, "Request Header Fields Too Large" },
			{ 500, "Internal Server Error" } };
	const char *reason = "Error";
	char hdr[512];
	int n;

	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].status == status)
			reason = reasons[i].reason;
	n = snprintf(hdr, sizeof(hdr),
		     "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%sConnection: close\r\n\r\n",
		     status, reason, type, len, extra);
	if (write_all(fd, hdr, (size_t)n, deadline_ms) == 0 && !head)
		write_all(fd, body, len, deadline_ms);
}

static void serve_client(struct metrics *m, int fd)
{
	static const char text[] = "text/plain; charset=utf-8";
	__u64 deadline = now_ms(CLOCK_MONOTONIC) + METRICS_CLIENT_TIMEOUT_MS;
	char req[METRICS_REQUEST_MAX], msg[160];
	char *body = NULL;
	size_t len = 0;
	bool head = false;
	ssize_t got;
	int status, err;

	got = read_head(fd, req, sizeof(req), deadline);
	if (got == -E2BIG) {
		snprintf(msg, sizeof(msg), "request head over %d bytes\n", METRICS_REQUEST_MAX);
		respond(fd, 431, text, "", msg, strlen(msg), false, deadline);
		return;
	}
	if (got < 0)
		return; /* gone, or too slow: nothing to answer */
	status = route(req, &head);
	if (status == 404) {
		snprintf(msg, sizeof(msg), "not found: xlb serves its metrics at /metrics\n");
		respond(fd, 404, text, "", msg, strlen(msg), head, deadline);
	} else if (status == 405) {
		snprintf(msg, sizeof(msg), "method not allowed: GET /metrics\n");
		respond(fd, 405, text, "Allow: GET, HEAD\r\n", msg, strlen(msg), false, deadline);
	} else if (status != 200) {
		snprintf(msg, sizeof(msg), "not an HTTP request\n");
		respond(fd, 400, text, "", msg, strlen(msg), false, deadline);
	} else if ((err = render(m, &body, &len))) {
		snprintf(msg, sizeof(msg), "cannot read the data plane's maps: %s\n", strerror(-err));
		respond(fd, 500, text, "", msg, strlen(msg), head, deadline);
	} else {
		respond(fd, 200, "text/plain; version=0.0.4; charset=utf-8", "", body, len, head, deadline);
	}
	free(body);
}

static void *serve(void *arg)
{
	struct metrics *m = arg;

	while (stop_wait(m->listen_fd, m->stop_fd)) {
		int fd = accept4(m->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd < 0)
			continue; /* EAGAIN, ECONNABORTED, EMFILE: the next one */
		serve_client(m, fd);
		close(fd);
	}
	return NULL;
}

int metrics_new(const struct xlb_maps *maps, struct metrics **out)
{
	struct metrics *m = calloc(1, sizeof(*m));

	if (!m)
		return -ENOMEM;
	m->maps = maps;
	m->listen_fd = -1;
	m->stop_fd = -1;
	m->reload_ok = true;
	m->reload_success_unix_ms = now_ms(CLOCK_REALTIME);
	pthread_mutex_init(&m->lock, NULL);
	*out = m;
	return 0;
}

static void stop(struct metrics *m)
{
	if (m->running) {
		eventfd_write(m->stop_fd, 1);
		pthread_join(m->thread, NULL);
		m->running = false;
	}
	if (m->listen_fd >= 0)
		close(m->listen_fd);
	if (m->stop_fd >= 0)
		close(m->stop_fd);
	m->listen_fd = -1;
	m->stop_fd = -1;
	dp_view_free(&m->view);
}

static int open_listener(const struct cfg_metrics *c)
{
	struct sockaddr_storage ss;
	socklen_t sl = addr_to_sockaddr(&c->addr, c->port, &ss);
	int fd = socket(c->addr.family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0), one = 1, err;

	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&ss, sl) || listen(fd, METRICS_BACKLOG)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/* What to do about a listener that cannot be opened. */
static const char *listen_hint(int err)
{
	switch (err) {
	case -EADDRINUSE:
		return " (another program listens there: pick another port in 'global: metrics: "
		       "listen:')";
	case -EADDRNOTAVAIL:
		return " (no interface of this network namespace has that address: give one it "
		       "has, or 0.0.0.0)";
	case -EACCES:
		return " (a port below 1024 needs CAP_NET_BIND_SERVICE, which xlb.service does "
		       "not grant: use 9100 or another port above 1023)";
	default:
		return "";
	}
}

int metrics_listen(struct metrics *m, const struct cfg_metrics *c)
{
	char where[XLB_ADDR_PORT_STRLEN];
	int err;

	if (m->running && c->enabled && c->port == m->port && addr_equal(&c->addr, &m->addr))
		return 0;
	if (m->running)
		log_info("metrics: no longer served at %s",
			 addr_format_port(&m->addr, m->port, where, sizeof(where)));
	stop(m);
	if (!c->enabled)
		return 0;
	addr_format_port(&c->addr, c->port, where, sizeof(where));
	err = dp_view_alloc(&m->view);
	if (err)
		goto fail;
	m->stop_fd = eventfd(0, EFD_CLOEXEC);
	if (m->stop_fd < 0) {
		err = -errno;
		goto fail;
	}
	m->listen_fd = open_listener(c);
	if (m->listen_fd < 0) {
		err = m->listen_fd;
		goto fail;
	}
	m->addr = c->addr;
	m->port = c->port;
	err = -pthread_create(&m->thread, NULL, serve, m);
	if (err)
		goto fail;
	m->running = true;
	log_info("metrics: served at http://%s/metrics", where);
	return 0;
fail:
	log_err("metrics: cannot serve at %s: %s%s", where, strerror(-err),
		listen_hint(err));
	stop(m);
	return err;
}

void metrics_reloaded(struct metrics *m, bool ok)
{
	pthread_mutex_lock(&m->lock);
	m->reload_ok = ok;
	if (ok)
		m->reload_success_unix_ms = now_ms(CLOCK_REALTIME);
	pthread_mutex_unlock(&m->lock);
}

void metrics_free(struct metrics *m)
{
	if (!m)
		return;
	stop(m);
	pthread_mutex_destroy(&m->lock);
	free(m);
}
