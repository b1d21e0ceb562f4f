// SPDX-License-Identifier: MIT
#include "daemon/sorry_local.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "lib/log.h"

#define SL_MAX_CONNS  64   /* more at once are closed at accept */
#define SL_REQUEST_MAX 8192 /* bytes read before answering anyway */
#define SL_TIMEOUT_MS 5000 /* a request not complete by then is dropped */

/* epoll cookies: the kind in the high half, the listener's service id or
 * the connection's slot in the low half. */
enum { SL_LISTENER = 1, SL_CONN, SL_TIMER };
#define SL_COOKIE(kind, n) ((uint64_t)(kind) << 32 | (uint32_t)(n))

struct sl_listener {
	__u32 svc_id;
	__u8 family;
	bool seen; /* still wanted, during a sync */
	int fd;
};

struct sl_conn {
	int fd; /* -1: a free slot */
	__u32 svc_id;
	uint32_t got;
	uint64_t deadline_ms;
	char tail[3]; /* the last bytes read, for a "\r\n\r\n" split across reads */
};

struct sorry_local {
	const struct xlb_maps *maps;
	int epfd, timerfd, n_lis, n_conns;
	struct sl_listener lis[XLB_MAX_SERVICES];
	struct sl_conn conns[SL_MAX_CONNS];
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int sl_watch(struct sorry_local *sl, int fd, uint64_t cookie)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = cookie };

	return epoll_ctl(sl->epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

int sorry_local_new(const struct xlb_maps *maps, struct sorry_local **out)
{
	struct sorry_local *sl = calloc(1, sizeof(*sl));
	int err;

	if (!sl)
		return -ENOMEM;
	sl->maps = maps;
	for (int i = 0; i < SL_MAX_CONNS; i++)
		sl->conns[i].fd = -1;
	sl->epfd = epoll_create1(EPOLL_CLOEXEC);
	sl->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (sl->epfd < 0 || sl->timerfd < 0) {
		err = -errno;
		goto fail;
	}
	err = sl_watch(sl, sl->timerfd, SL_COOKIE(SL_TIMER, 0));
	if (err)
		goto fail;
	*out = sl;
	return 0;
fail:
	if (sl->timerfd >= 0)
		close(sl->timerfd);
	if (sl->epfd >= 0)
		close(sl->epfd);
	free(sl);
	return err;
}

int sorry_local_fd(const struct sorry_local *sl)
{
	return sl->epfd;
}

/* A listening socket on the loopback address of family, any port. */
static int listener_open(struct sl_listener *l, __u16 *port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, err;

	memset(&ss, 0, sizeof(ss));
	if (l->family == XLB_FAMILY_IPV4) {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		a->sin_family = AF_INET;
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*a);
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
		len = sizeof(*a);
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&ss, len) || listen(fd, SL_MAX_CONNS) ||
	    getsockname(fd, (struct sockaddr *)&ss, &len)) {
		err = -errno;
		close(fd);
		return err;
	}
	*port = ntohs(l->family == XLB_FAMILY_IPV4 ? ((struct sockaddr_in *)&ss)->sin_port
						   : ((struct sockaddr_in6 *)&ss)->sin6_port);
	l->fd = fd;
	return 0;
}

static void listener_close(struct sorry_local *sl, int i)
{
	struct sl_listener *l = &sl->lis[i];

	xlb_maps_sorry_port_set(sl->maps, l->svc_id, 0);
	close(l->fd);
	sl->lis[i] = sl->lis[--sl->n_lis];
}

static int listener_add(struct sorry_local *sl, __u32 svc_id, __u8 family)
{
	struct sl_listener *l = &sl->lis[sl->n_lis];
	__u16 port = 0;
	int err;

	if (sl->n_lis == XLB_MAX_SERVICES)
		return -ENOSPC;
	memset(l, 0, sizeof(*l));
	l->svc_id = svc_id;
	l->family = family;
	l->seen = true;
	err = listener_open(l, &port);
	if (err)
		return err;
	err = sl_watch(sl, l->fd, SL_COOKIE(SL_LISTENER, svc_id));
	if (!err)
		err = xlb_maps_sorry_port_set(sl->maps, svc_id, port);
	if (err) {
		close(l->fd);
		return err;
	}
	sl->n_lis++;
	log_debug("service id %u: sorry page for local clients on %s port %u", svc_id,
		  family == XLB_FAMILY_IPV4 ? "127.0.0.1" : "::1", port);
	return 0;
}

static struct sl_listener *listener_find(struct sorry_local *sl, __u32 svc_id)
{
	for (int i = 0; i < sl->n_lis; i++)
		if (sl->lis[i].svc_id == svc_id)
			return &sl->lis[i];
	return NULL;
}

int sorry_local_sync(struct sorry_local *sl)
{
	struct xlb_svc_key key, next, *prev = NULL;
	struct xlb_service svc;
	int err = 0;

	for (int i = 0; i < sl->n_lis; i++)
		sl->lis[i].seen = false;
	while (!bpf_map_get_next_key(sl->maps->services, prev, &next)) {
		struct sl_listener *l;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(sl->maps->services, &key, &svc) || key.proto != IPPROTO_TCP ||
		    svc.on_empty != XLB_ON_EMPTY_SORRY || svc.sorry_member != XLB_SORRY_BUILTIN)
			continue;
		l = listener_find(sl, svc.id);
		if (l && l->family == key.family) {
			l->seen = true;
			continue;
		}
		if (l)
			listener_close(sl, (int)(l - sl->lis));
		err = listener_add(sl, svc.id, key.family);
		if (err) {
			/* Local clients of that service are refused instead. */
			log_warn_errno(err, "service id %u: cannot open the sorry page for local clients",
				       svc.id);
		}
	}
	for (int i = sl->n_lis - 1; i >= 0; i--)
		if (!sl->lis[i].seen)
			listener_close(sl, i);
	return err;
}

static void timer_arm(struct sorry_local *sl, bool on)
{
	struct itimerspec its = { 0 };

	if (on)
		its.it_value.tv_sec = its.it_interval.tv_sec = 1;
	timerfd_settime(sl->timerfd, 0, &its, NULL);
}

static void conn_close(struct sorry_local *sl, struct sl_conn *c)
{
	close(c->fd);
	c->fd = -1;
	if (--sl->n_conns == 0)
		timer_arm(sl, false);
}

static void accept_all(struct sorry_local *sl, __u32 svc_id)
{
	struct sl_listener *l = listener_find(sl, svc_id);
	int fd;

	while (l && (fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		struct sl_conn *c = NULL;

		for (int i = 0; i < SL_MAX_CONNS && !c; i++)
			if (sl->conns[i].fd < 0)
				c = &sl->conns[i];
		if (!c || sl_watch(sl, fd, SL_COOKIE(SL_CONN, c - sl->conns))) {
			close(fd); /* full: the client sees the connection closed */
			continue;
		}
		memset(c, 0, sizeof(*c));
		c->fd = fd;
		c->svc_id = svc_id;
		c->deadline_ms = now_ms() + SL_TIMEOUT_MS;
		if (sl->n_conns++ == 0)
			timer_arm(sl, true);
	}
}

/* Whether "\r\n\r\n" ends within tail + buf. */
static bool request_ends(struct sl_conn *c, const char *buf, size_t n)
{
	char joined[sizeof(c->tail) + 512];
	size_t len = sizeof(c->tail) + n;
	bool found;

	memcpy(joined, c->tail, sizeof(c->tail));
	memcpy(joined + sizeof(c->tail), buf, n);
	found = memmem(joined, len, "\r\n\r\n", 4) != NULL;
	memcpy(c->tail, joined + len - sizeof(c->tail), sizeof(c->tail));
	return found;
}

/* The page as the data plane serves it: the same bytes for every client. */
static void answer(struct sorry_local *sl, struct sl_conn *c)
{
	struct xlb_sorry_page page;

	if (bpf_map_lookup_elem(sl->maps->sorry, &c->svc_id, &page) == 0 && page.secret &&
	    write(c->fd, page.text, sizeof(page.text)) < 0)
		log_debug_errno(-errno, "sorry page to a local client");
	shutdown(c->fd, SHUT_WR);
	conn_close(sl, c);
}

static void conn_read(struct sorry_local *sl, struct sl_conn *c)
{
	char buf[512];
	ssize_t n;

	while ((n = read(c->fd, buf, sizeof(buf))) > 0) {
		c->got += (uint32_t)n;
		if (request_ends(c, buf, (size_t)n) || c->got >= SL_REQUEST_MAX) {
			answer(sl, c);
			return;
		}
	}
	if (n == 0) /* the client finished sending without a blank line */
		answer(sl, c);
	else if (errno != EAGAIN && errno != EWOULDBLOCK)
		conn_close(sl, c);
}

static void expire(struct sorry_local *sl)
{
	uint64_t ticks, now = now_ms();

	if (read(sl->timerfd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		log_debug_errno(-errno, "sorry page timer");
	for (int i = 0; i < SL_MAX_CONNS; i++)
		if (sl->conns[i].fd >= 0 && now >= sl->conns[i].deadline_ms)
			conn_close(sl, &sl->conns[i]);
}

void sorry_local_dispatch(struct sorry_local *sl)
{
	struct epoll_event evs[16];
	int n;

	while ((n = epoll_wait(sl->epfd, evs, 16, 0)) > 0) {
		for (int i = 0; i < n; i++) {
			uint32_t kind = (uint32_t)(evs[i].data.u64 >> 32), idx = (uint32_t)evs[i].data.u64;

			if (kind == SL_LISTENER)
				accept_all(sl, idx);
			else if (kind == SL_CONN && idx < SL_MAX_CONNS && sl->conns[idx].fd >= 0)
				conn_read(sl, &sl->conns[idx]);
			else if (kind == SL_TIMER)
				expire(sl);
		}
		if (n < 16)
			break;
	}
}

void sorry_local_free(struct sorry_local *sl)
{
	if (!sl)
		return;
	for (int i = 0; i < SL_MAX_CONNS; i++)
		if (sl->conns[i].fd >= 0)
			close(sl->conns[i].fd);
	while (sl->n_lis)
		listener_close(sl, sl->n_lis - 1);
	close(sl->timerfd);
	close(sl->epfd);
	free(sl);
}
