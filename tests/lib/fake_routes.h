/* SPDX-License-Identifier: MIT */
/* Routing tables and a clock in memory, behind the announce_io seam of
 * user/daemon/announce.h: the announce policy and the runtime's use of it
 * are tested without root and without waiting.  Every route write is
 * logged in order ("add 100 198.18.2.1", "del 100 198.18.2.1"). */
#ifndef XLB_FAKE_ROUTES_H
#define XLB_FAKE_ROUTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/announce.h"

#define FAKE_ROUTES_MAX 64

struct fake_routes {
	struct announce_io io; /* first: the ops get it back as the fake */
	struct {
		uint32_t table;
		struct xlb_addr vip;
		bool xlb; /* of xlb's protocol; false: another program's */
	} route[FAKE_ROUTES_MAX];
	size_t n;
	char log[4096];
	unsigned writes;       /* adds and deletes that succeeded */
	uint64_t now_ms;       /* the clock; tests move it */
	int fail_writes;       /* non-zero: every add and delete fails with it */
};

void fake_routes_init(struct fake_routes *f);
/* A route already in a table (a restart's, or another program's). */
void fake_routes_put(struct fake_routes *f, uint32_t table, const char *vip, bool xlb);
/* Whether xlb has a route for vip in table. */
bool fake_routes_has(const struct fake_routes *f, uint32_t table, const char *vip);
/* xlb's routes in all tables. */
size_t fake_routes_count(const struct fake_routes *f);
/* Forgets the log (not the routes). */
void fake_routes_log_clear(struct fake_routes *f);

#endif
