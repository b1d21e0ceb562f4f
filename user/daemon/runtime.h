/* SPDX-License-Identifier: MIT */
/* The daemon's running state: the services and members of the current
 * configuration with their data-plane ids and health-check handles.  It
 * turns a configuration (at start or on reload) and health changes into
 * map updates, always through maps.c. */
#ifndef XLB_RUNTIME_H
#define XLB_RUNTIME_H

#include "config/config.h"
#include "health/health.h"
#include "xlb/abi.h"

struct runtime;
struct xlb_maps;

/* What went wrong after a point of no return, each also logged. */
struct runtime_stats {
	uint64_t errors;          /* every failure, since start */
	uint64_t applies;         /* configurations applied (start, reloads, re-resolutions) */
	uint64_t applies_partial; /* of them, applied with at least one error */
};

/* MAPS are the data plane's maps (loaded or adopted); the runtime owns the
 * health engine it creates. */
int runtime_new(const struct xlb_maps *maps, struct runtime **out);
void runtime_free(struct runtime *rt);
/* The health engine, for the daemon's epoll loop. */
struct health *runtime_health(struct runtime *rt);

/* Before anything is loaded: every hostname resolves, every member can be
 * routed to, every setting is one this data plane runs.  Each problem is
 * logged; 0 or the last -errno. */
int runtime_preflight(const struct xlb_config *cfg);

/* Makes CFG the running configuration: at start, and on reload after CFG
 * has been validated.  Unchanged members keep their health state, new
 * members start PENDING (no traffic before their first good check),
 * removed members leave the slot tables at once while their flows go on.
 * A reload (RELOAD true) also lifts every `xlb drain`: the file wins.
 * Returns 0 when CFG is in force; a positive count when it is in force but
 * that many map writes or health-check starts failed after the point of no
 * return (each logged, and counted in runtime_stats); -errno when nothing
 * was changed.  The runtime takes CFG unless the result is negative. */
int runtime_apply(struct runtime *rt, struct xlb_config *cfg, bool reload);
const struct runtime_stats *runtime_stats(const struct runtime *rt);

/* Re-resolves hostname members; called every resolve_interval. */
int runtime_resolve(struct runtime *rt);
/* Re-reads the admin state (drain/enable) that `xlb drain|enable` wrote to
 * the maps and republishes what changed; called on SIGUSR1. */
int runtime_sync_admin(struct runtime *rt);
/* Route announcement (global: announce:): a timerfd readable when an
 * up-delay ends, and what to call then.  runtime_announce_io makes the
 * route writes and the clock go through io (tests; before the first
 * apply). */
struct announce_io;
int runtime_announce_fd(const struct runtime *rt);
void runtime_announce_tick(struct runtime *rt);
int runtime_announce_io(struct runtime *rt, const struct announce_io *io);
/* global: announce: {l2: true}: the interfaces xlb runs on, whose MACs the
 * data plane's answers carry (before the first apply; from
 * announce_l2_ifaces_read).  runtime_l2_sender makes the gratuitous ARPs
 * and neighbour advertisements go through sender (tests; before
 * runtime_l2_interfaces). */
struct l2_iface;
struct l2_sender;
int runtime_l2_interfaces(struct runtime *rt, const struct l2_iface *ifaces, size_t n);
int runtime_l2_sender(struct runtime *rt, const struct l2_sender *sender);

/* How many services and backends (a hostname member counts once per
 * address) run, and how many of those take new connections: the one-line
 * summary the daemon gives its service manager. */
struct runtime_summary {
	size_t services, members, serving;
};
void runtime_summarize(const struct runtime *rt, struct runtime_summary *s);

/* dnat reply entries of members that left wait for their connections to
 * end (the census says when): true while one does.  The daemon then
 * reads the census per member after each sweep and hands it here;
 * returns how many entries it deleted.  mbr: XLB_MAX_MEMBERS counts. */
bool runtime_dnat_waiting(const struct runtime *rt);
size_t runtime_census(struct runtime *rt, const struct xlb_census *c,
		      const struct xlb_census_count *mbr);
/* NULL before the first successful runtime_apply. */
const struct xlb_config *runtime_config(const struct runtime *rt);

#endif
