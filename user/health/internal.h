/* SPDX-License-Identifier: MIT */
/* What the files of health/ share among themselves and nobody else sees:
 * the engine's and the member's runtime state, and the functions one file
 * of the engine calls in another.  The public interface is health.h.
 *
 * Calls go one way, so that no two files need each other:
 *	engine -> probe -> probe_http -> result -> schedule, member, sm
 *	member -> params -> addr, http;  format -> member, addr
 * (the declarations below are in that order, from the bottom up). */
#ifndef XLB_HEALTH_INTERNAL_H
#define XLB_HEALTH_INTERNAL_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include "health/health.h"
#include "health/heap.h"
#include "health/sm.h"

union health_sa {
	struct sockaddr sa;
	struct sockaddr_in in4;
	struct sockaddr_in6 in6;
};

enum check_phase {
	PHASE_IDLE,       /* waiting in the heap for its next start */
	PHASE_QUEUED,     /* due, waiting for an in-flight slot */
	PHASE_CONNECTING, /* the phases below are in flight */
	PHASE_SENDING,
	PHASE_READING,
};

struct health_member {
	struct health *h;
	uint32_t slot;
	void *user;
	char *service, *name; /* name is the address when none was given */
	bool unnamed;
	union health_sa addr;   /* member address, traffic port */
	union health_sa target; /* what the check connects to */
	union health_sa source;
	socklen_t targetlen, sourcelen; /* sourcelen 0: no bind */

	struct health_params p;
	char *path, *host; /* owned copies behind p.http_path/p.http_host */
	char *request;     /* HTTP request, prebuilt */
	size_t request_len;
	char *rbuf;        /* HEALTH_HTTP_READ_MAX bytes, HTTP only */

	struct health_sm sm;
	struct health_result last;
	uint64_t checks, passes;

	/* The check in flight (or waiting). */
	enum check_phase phase;
	int fd;
	uint32_t seq;          /* tells this check's events from stale ones */
	uint64_t started_us;
	size_t sent, got;
	struct heap_node timer;
	TAILQ_ENTRY(health_member) wait;
	bool removed;          /* removed from inside its own callback */
};

struct health {
	int epfd, tfd;
	struct health_opts opts;
	struct heap timers;
	uint64_t armed_us;     /* the timerfd's deadline, 0: disarmed */
	struct health_member **slots;
	uint32_t nslots, cap;
	uint32_t *free_slots;
	uint32_t nfree;
	size_t count, inflight;
	uint32_t max_inflight;
	uint32_t seq;
	TAILQ_HEAD(, health_member) waiting;
	bool warned_cap;
	struct health_member *in_callback;
	uint64_t rng;
};

/* addr.c.  health_sa_copy: 0, or -EAFNOSUPPORT for anything but a whole
 * sockaddr_in or sockaddr_in6. */
int health_sa_copy(union health_sa *dst, socklen_t *dstlen, const struct sockaddr *sa,
		   socklen_t len);
void health_sa_set_port(union health_sa *sa, uint16_t port); /* host order */
uint16_t health_sa_port(const union health_sa *sa);

/* schedule.c: the monotonic clock in microseconds, the jitter's seed. */
uint64_t health_now_us(void);
void health_rng_seed(struct health *h);
/* Points the timerfd at the earliest deadline; called after every change
 * so that a daemon sleeping on health_fd() wakes in time. */
void health_timer_arm(struct health *h);
/* The member's next event (a start or a deadline) at when. */
void health_timer_set(struct health_member *m, uint64_t when);
/* The start after the one in m->started_us, within +-5% of an interval. */
void health_schedule_next(struct health_member *m, uint64_t now);
/* The first start lands anywhere in the first interval. */
void health_schedule_first(struct health_member *m, uint64_t now);

/* params.c: installs params (and what is built from them) into m; on
 * failure m keeps what it had. */
int health_params_install(struct health_member *m, const struct health_params *p);

/* member.c: a member made from spec, not yet in the engine's slots nor
 * scheduled; freed with health_member_free. */
int health_member_new(struct health *h, const struct health_member_spec *spec,
		      struct health_member **out);
void health_member_free(struct health_member *m);

/* The epoll data of a check's socket: its member's slot and the check's
 * sequence number, so that an event of a finished check is told apart. */
static inline uint64_t health_event_token(const struct health_member *m)
{
	return (uint64_t)m->seq << 32 | m->slot;
}

/* result.c.  health_check_abandon drops the socket of the check in
 * flight, or its place in the queue, and takes it out of the heap. */
void health_check_abandon(struct health_member *m);
/* Records r, feeds the state machine, schedules the next check and calls
 * the daemon back; m is freed here if a callback removed it. */
void health_check_finish(struct health_member *m, struct health_result *r);
void health_check_fail_errno(struct health_member *m, int err);

/* probe_http.c: an HTTP check's socket writable (the request goes out),
 * readable (the status line comes in). */
void health_probe_http_send(struct health_member *m);
void health_probe_http_read(struct health_member *m);

/* probe.c: the check due now, its socket's events, its deadline. */
void health_probe_start(struct health_member *m, uint64_t now);
void health_probe_event(struct health_member *m, uint32_t events);
void health_probe_timeout(struct health_member *m);

#endif
