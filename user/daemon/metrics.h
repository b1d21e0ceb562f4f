/* SPDX-License-Identifier: MIT */
/* The Prometheus endpoint (global: metrics: {listen: ADDR:PORT}): a thread
 * of its own accepts one scrape at a time, reads the data plane's view
 * (daemon/dp_view.h) once, and answers GET /metrics in the text format
 * (0.0.4); anything else gets 404 or 405.  The epoll loop and its health
 * checks never wait for it: the thread shares nothing with the loop but
 * the maps' file descriptors (read only) and the reload outcome, under a
 * lock.  A client has METRICS_CLIENT_TIMEOUT_MS for its request and its
 * answer together; the request is at most METRICS_REQUEST_MAX bytes; the
 * answer is bounded by the limits (services, members) of the data plane.
 * The metric names are in docs/operations.md ("Metrics"). */
#ifndef XLB_METRICS_H
#define XLB_METRICS_H

#include <stdbool.h>
#include <stdio.h>

#include "config/config.h"
#include "daemon/dp_view.h"

#define METRICS_CLIENT_TIMEOUT_MS 5000
#define METRICS_REQUEST_MAX 8192

/* What the daemon itself says, beside the maps. */
struct metrics_process {
	const char *version;
	bool reload_ok;                 /* the last reload (or the start) succeeded */
	__u64 reload_success_unix_ms;   /* when the configuration last loaded */
	__u64 now_ns;                   /* the census clock at the scrape */
};

/* The text format of v and p into out: every family with HELP and TYPE,
 * label values escaped.  0, or -ENOMEM. */
int metrics_write(const struct dp_view *v, const struct metrics_process *p, FILE *out);

/* ---- the endpoint -------------------------------------------------------- */

struct metrics;

/* An endpoint over maps (which outlive it), listening nowhere yet. */
int metrics_new(const struct xlb_maps *maps, struct metrics **out);
/* Listens where c says, moving or closing the listener of an earlier call
 * (nothing changes when the address is the same).  0, or the -errno of
 * the socket, logged with the address; the endpoint is then off. */
int metrics_listen(struct metrics *m, const struct cfg_metrics *c);
/* The outcome of a start or reload (ok: the file was loaded and applied). */
void metrics_reloaded(struct metrics *m, bool ok);
/* Stops the thread and closes the listener; NULL is fine. */
void metrics_free(struct metrics *m);

#endif
