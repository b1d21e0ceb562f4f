/* SPDX-License-Identifier: MIT */
/* The health-check engine: checks every member in parallel from one epoll
 * set and keeps a rise/fall state per member (HAProxy's inter/rise/fall,
 * counted as consecutive results).  The daemon drives it from its own loop:
 *
 *	health_new(&opts, &h);
 *	health_add(h, &spec, &m);              (per member; on reload too)
 *	epoll_ctl(loop_fd, EPOLL_CTL_ADD, health_fd(h), EPOLLIN)
 *	... when health_fd(h) is readable:  health_dispatch(h);
 *
 * or, without a loop of its own, calls health_run_once(h, timeout_ms).
 * health_fd() becomes readable both when a check socket is ready and when
 * the next timer is due (a timerfd inside the set), so the daemon's loop
 * needs no timeout of its own for health checks.
 *
 * States.  A member starts PENDING: no traffic, never checked good.  Its
 * first passed check brings it UP at once (the "a member gets traffic
 * only after it passed its first check"); `fall` consecutive failures while
 * PENDING make it DOWN, from where it needs `rise` consecutive passes like
 * any DOWN member.  UP -> DOWN after `fall` consecutive failures.  A pass
 * resets the failure run and a failure the pass run, so a member that flaps
 * without ever failing `fall` times in a row never goes DOWN.  Type `none`
 * members are UP from the start and never checked (no traffic sent).
 *
 * The operator's drain is not health's business: a drained member is
 * checked like any other, and daemon/publish.c decides who serves.
 *
 * Callbacks run inside health_dispatch()/health_run_once() and may call
 * health_add/remove/update/check_now, including on the member
 * being reported. */
#ifndef XLB_HEALTH_H
#define XLB_HEALTH_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "xlb/info.h"

struct health;
struct health_member;

/* Why a check ended as it did. */
enum health_reason {
	HEALTH_R_NONE,        /* never checked */
	HEALTH_R_OK,          /* passed */
	HEALTH_R_REFUSED,     /* connection refused */
	HEALTH_R_TIMEOUT,     /* no answer within timeout_ms */
	HEALTH_R_HOSTUNREACH, /* no route to host */
	HEALTH_R_NETUNREACH,  /* network unreachable */
	HEALTH_R_RESET,       /* connection reset */
	HEALTH_R_CLOSED,      /* closed before an HTTP status line came */
	HEALTH_R_HTTP_STATUS, /* a status other than the expected one */
	HEALTH_R_HTTP_BAD,    /* the answer is not an HTTP status line */
	HEALTH_R_ERRNO,       /* another socket error, in .err */
};

struct health_result {
	enum health_reason reason;
	int err;            /* errno for HEALTH_R_ERRNO (and the others) */
	int http_status;    /* status received (HEALTH_R_OK/_HTTP_STATUS) */
	int http_expected;  /* status wanted */
	uint32_t timeout_ms; /* for HEALTH_R_TIMEOUT */
	uint32_t latency_us; /* start of connect to the verdict */
};

/* Check settings; the defaults (health_params_default) are the config's
 * (HAProxy's): tcp, interval 2000 ms, timeout 1000 ms, rise 2, fall 3,
 * GET / expecting 200. */
struct health_params {
	enum xlb_check_type type;
	uint16_t port;         /* check port, host order; 0: the member's */
	uint32_t interval_ms;  /* between the starts of two checks */
	uint32_t timeout_ms;   /* the whole check: connect, request, status */
	uint32_t rise, fall;   /* >= 1 */
	const char *http_path; /* copied; NULL: "/" */
	const char *http_host; /* Host header, copied; NULL: the address */
	int http_status;       /* expected; 0: any 2xx or 3xx */
};

struct health_member_spec {
	const char *service;        /* copied; for the friendly line */
	const char *name;           /* copied; NULL or "": the address */
	/* Plain sockaddrs, so that this header depends on no address type. */
	const struct sockaddr *addr; /* member address and traffic port */
	socklen_t addrlen;
	const struct sockaddr *source; /* optional: checks leave from it */
	socklen_t sourcelen;           /* (its port is ignored) */
	struct health_params params;
	void *user;                 /* the daemon's cookie */
	/* PENDING (zero) for a new member.  A daemon that adopts the data plane
	 * of an earlier run passes the state it found there, so a restart
	 * neither takes a serving member out of rotation nor lets a failed
	 * one back in before its checks say so. */
	enum xlb_health_state initial;
};

/* A state change, passed to health_opts.on_change. */
struct health_change {
	enum xlb_health_state from, to;
	struct health_result result; /* the check that made the change */
	uint32_t run;  /* consecutive results that made it ... */
	uint32_t need; /* ... out of the threshold (rise, fall, or 1) */
};

struct health_opts {
	/* Called once per state change. */
	void (*on_change)(struct health_member *m, const struct health_change *c,
			  void *ctx);
	/* Optional: called after every check (for status/latency maps). */
	void (*on_result)(struct health_member *m, const struct health_result *r,
			  void *ctx);
	void *ctx;
	/* Checks in flight at once; 0: derived from RLIMIT_NOFILE.  Checks
	 * due beyond it wait in a FIFO queue. */
	uint32_t max_inflight;
};

/* Snapshot of one member, for status. */
struct health_status {
	enum xlb_health_state state;
	struct health_result last; /* last finished check */
	uint32_t ok_run, fail_run; /* consecutive passes / failures now */
	uint64_t checks, passes;   /* totals */
	bool in_flight;
};

void health_params_default(struct health_params *p);
/* Checks a spec without adding it: 0 or -EINVAL (with a log line). */
int health_params_validate(const struct health_params *p);

/* Raises RLIMIT_NOFILE's soft limit to the hard one (a daemon checking
 * 10,000 members needs as many sockets). */
int health_new(const struct health_opts *opts, struct health **out);
void health_free(struct health *h);

/* The epoll fd to watch for EPOLLIN in the daemon's loop. */
int health_fd(const struct health *h);
/* Handles every ready socket and due timer without blocking: 0 or -errno. */
int health_dispatch(struct health *h);
/* Waits up to timeout_ms (-1: forever) for work, then dispatches. */
int health_run_once(struct health *h, int timeout_ms);

/* Adds a member: PENDING (UP for type none), first check at a random point
 * in its first interval so that many members added at once spread out. */
int health_add(struct health *h, const struct health_member_spec *spec,
	       struct health_member **out);
/* Stops checking and frees the member (an in-flight check is abandoned). */
void health_remove(struct health_member *m);
/* New settings for a member that stays (reload): state and counters kept. */
int health_update(struct health_member *m, const struct health_params *p);
/* Checks now instead of at the next scheduled time (xlb pick, tests);
 * does nothing while a check is in flight or queued. */
void health_check_now(struct health_member *m);

void health_get(const struct health_member *m, struct health_status *st);
enum xlb_health_state health_member_state(const struct health_member *m);
void *health_member_user(const struct health_member *m);
/* NULL when the member has no name of its own (only its address). */
const char *health_member_name(const struct health_member *m);
const char *health_member_service(const struct health_member *m);
const struct sockaddr *health_member_addr(const struct health_member *m);
size_t health_count(const struct health *h);
size_t health_inflight(const struct health *h);

/* Text (health/format.c, addresses health/addr.c); the words of states
 * and check types are lib/abi_text.h's. */
/* "connection refused", "timed out after 2000 ms", "HTTP status 503
 * (expected 200)", ...  Returns buf. */
const char *health_result_str(const struct health_result *r, char *buf, size_t len);
/* "52.5.196.118:443" or "[fd00:19::2]:80". Returns buf. */
const char *health_addr_str(const struct sockaddr *sa, char *buf, size_t len);
/* The log line for a change:
 *   web: member splunk.com 52.5.196.118:443 DOWN (connection refused, 3/3 checks failed)
 *   web: member splunk.com 52.5.196.118:443 UP (2/2 checks passed, 0.4 ms)
 *   web: member splunk.com 52.5.196.118:443 UP (first check passed, 0.4 ms)
 * Returns the length snprintf would have written. */
int health_format_change(char *buf, size_t len, const struct health_member *m,
			 const struct health_change *c);

#endif
