/* SPDX-License-Identifier: MIT */
/* `xlb status` as data: everything it shows, read from the pins once
 * (cmd/status.c: the data plane's view, daemon/dp_view.h, with the
 * interfaces, socket hooks and routes around it), then written as text or
 * JSON by functions that read nothing else (cmd/status_format.c), so the
 * output is tested without root from a view built by hand.  Connection
 * counts come from the census of the last sweep, never from walking the
 * flow table. */
#ifndef XLB_STATUS_VIEW_H
#define XLB_STATUS_VIEW_H

#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "daemon/dp_view.h"
#include "xlb/abi.h"
#include "xlb/info.h"

/* A census older than this is not shown as it is: status sweeps first. */
#define STATUS_SWEEP_AGE_NS 2000000000ULL

struct status_iface {
	int ifindex;
	char name[IF_NAMESIZE];
	const char *mode;
};

struct status_view {
	const char *pin_dir;
	pid_t daemon; /* 0: none */
	struct status_iface ifaces[XLB_MAX_INTERFACES];
	int n_ifaces;
	int n_sock_hooks; /* pinned cgroup links */
	char sock_cgroup[4096];
	struct dp_view dp;            /* services, members, meta, census */
	struct status_routes *routes; /* xlb's routes in the announce tables */
	__u64 now_ns;     /* the census clock when it was read */
	__u64 read_ns;    /* CLOCK_MONOTONIC when the counters were read (rates) */
	__u64 now_unix_s; /* the wall clock then (health states' "since") */
	/* This command ran a sweep because the last one was older than
	 * STATUS_SWEEP_AGE_NS (or there was none): its error (0, -ENOENT: no
	 * sweeper pinned) and the age the census had before (0: none). */
	bool swept_here;
	int sweep_err;
	__u64 age_before_ns;
};

/* Allocates the by-id arrays of v (zeroed); 0 or -ENOMEM. */
int status_view_alloc(struct status_view *v);
void status_view_free(struct status_view *v);

/* Fills v (allocated) from the pinned maps m: everything `xlb status`
 * shows, running a sweep first when the census is old; 0 or -errno. */
struct xlb_maps;
int status_view_read(struct status_view *v, const struct xlb_maps *m);

/* UP, DOWN, DRAIN, DRAIN+DOWN, ... */
const char *status_member_state_text(const struct view_member *m);

void status_print_text(const struct status_view *v, FILE *out);
void status_print_json(const struct status_view *v, FILE *out);

#endif
