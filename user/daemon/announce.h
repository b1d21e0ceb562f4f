/* SPDX-License-Identifier: MIT */
/* Which VIP is announced when (global: announce: {table: N, l2: true}),
 * and table N and the link kept in line with it.
 *
 * Each service wishes its VIP announced while it has at least min_members
 * serving members (in its slot table: UP and not drained), once it has had
 * them for up_delay; with fewer the wish ends at once.  A VIP is announced
 * while any service on it wishes so: its host route (dp/rtnl.h) is in table
 * N, where a routing daemon learns it, and with a link (l2) the data plane
 * answers ARP and neighbour solicitation for it (daemon/announce_l2.h).
 * Both are only written by announce_commit, which withdraws before it
 * adds, so traffic stops being attracted before anything new is announced.
 *
 * A restart does not withdraw what stays: the table's routes of xlb and
 * the VIPs the link answers for are read when the table and the link are
 * first set, and a service that still has its members keeps its VIP's
 * announcement without waiting out up_delay again.  Everything that
 * touches the kernel or the clock goes through struct announce_io and
 * struct announce_link, so the policy is tested without root. */
#ifndef XLB_ANNOUNCE_H
#define XLB_ANNOUNCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/addr.h"
#include "xlb/info.h"

/* The seam: routes of xlb in one table, and a monotonic clock in ms. */
struct announce_io {
	int (*add)(const struct announce_io *io, uint32_t table, const struct xlb_addr *vip);
	/* -ESRCH when xlb has no route for vip there. */
	int (*del)(const struct announce_io *io, uint32_t table, const struct xlb_addr *vip);
	int (*each)(const struct announce_io *io, uint32_t table,
		    int (*fn)(const struct xlb_addr *vip, void *ctx), void *ctx);
	uint64_t (*now_ms)(const struct announce_io *io);
};

/* The kernel (dp/rtnl.c) and CLOCK_MONOTONIC. */
extern const struct announce_io announce_io_kernel;

/* The link (global: announce: {l2: true}): the VIPs the data plane answers
 * ARP and neighbour solicitation for.  add makes a VIP answered, and known
 * at once to the link's hosts; del ends it.  Each 0 or -errno. */
struct announce_link {
	int (*add)(const struct announce_link *l, const struct xlb_addr *vip);
	int (*del)(const struct announce_link *l, const struct xlb_addr *vip);
	int (*each)(const struct announce_link *l, int (*fn)(const struct xlb_addr *vip, void *ctx),
		    void *ctx);
};

/* A service's settings (config: announce:). */
struct announce_params {
	bool enabled;
	uint32_t min_members;
	uint32_t up_delay_ms;
};

struct announce;

/* io NULL: announce_io_kernel. */
int announce_new(const struct announce_io *io, struct announce **out);
void announce_free(struct announce *a);
/* A timerfd that becomes readable when an up-delay ends: then call
 * announce_tick. */
int announce_fd(const struct announce *a);

/* The table routes go to; 0: none.  Setting a table reads which VIPs xlb
 * has there (a restart continues them); changing it withdraws every route
 * from the old one first (the new one gets them at the next commit).
 * 0 or the -errno of reading the table. */
int announce_set_table(struct announce *a, uint32_t table);
uint32_t announce_table(const struct announce *a);
/* The link VIPs are announced on; NULL: none.  Setting one reads the VIPs
 * it answers for (a restart continues them); unsetting it withdraws every
 * one.  0 or the -errno of reading them. */
int announce_set_link(struct announce *a, const struct announce_link *link);

/* Service id (< XLB_MAX_SERVICES) named name, on vip, with p, has serving
 * members now: its wish is updated (and logged when it changes).  Returns
 * its state. */
enum xlb_announce announce_service(struct announce *a, uint32_t id, const char *name,
				   const struct xlb_addr *vip, const struct announce_params *p,
				   uint32_t serving);
/* Service id is gone: it wishes nothing any more. */
void announce_service_gone(struct announce *a, uint32_t id);
/* Services whose up-delay has ended are announced: calls changed(id) for
 * each (their line in `xlb status` changes).  Reads the timer fd. */
void announce_tick(struct announce *a, void (*changed)(uint32_t id, void *ctx), void *ctx);
/* Writes the routes and the link's VIPs the wishes call for: withdrawals,
 * then additions, each logged; re-arms the timer.  Returns how many writes
 * failed (each logged). */
unsigned announce_commit(struct announce *a);

/* Service id's announcement for `xlb status` (the announce_* fields). */
void announce_info(const struct announce *a, uint32_t id, struct xlb_svc_info *info);

/* The VIP of a service of the pins, as an address. */
void announce_vip_of(const struct xlb_svc_info *info, struct xlb_addr *vip);

struct xlb_maps;
/* With no daemon (`xlb drain` publishes from the pins): service svc_id,
 * just published again, loses its VIP's route and its answers on the link
 * when it has fewer serving members than it needs and no other service on
 * the VIP still wants them; its line in `xlb status` says so.  Nothing is
 * added here: that waits for a daemon (and its up-delay).  io NULL: the
 * kernel.  1 when something was withdrawn, 0 when nothing had to be, or
 * -errno. */
int announce_pins_withdraw(const struct xlb_maps *m, uint32_t svc_id, const struct announce_io *io);

/* Why a VIP is or is not announced, as `xlb status` says it: "announced",
 * "1 of 2 serving members needed", "up-delay 3 s left", "announce off". */
const char *announce_reason(const struct xlb_svc_info *info, uint64_t now_unix_ms, char *buf,
			    size_t len);

#endif
