/* SPDX-License-Identifier: MIT */
/* What the connection tables hold, as the last sweep counted it, read in
 * one go with the counters that go with it: the data plane's state (the
 * full flag), the table events and the packet reasons.  The daemon reads
 * it after each sweep (daemon/sweeper.h), `xlb status` from the pins. */
#ifndef XLB_CENSUS_H
#define XLB_CENSUS_H

#include <stdbool.h>

#include "dp/maps.h"
#include "xlb/abi.h"

struct census_view {
	/* Of xlb_maps_census_read: 0, or -ENODATA before the first sweep
	 * (total, mbr, svc are then zero). */
	int err;
	struct xlb_census total;
	struct xlb_census_count *mbr; /* XLB_MAX_MEMBERS by member id, or NULL: not read */
	struct xlb_census_count *svc; /* XLB_MAX_SERVICES by service id, or NULL */
	struct xlb_dp_state state;
	__u64 events[XLB_EV_MAX];     /* read after the census (half-open evictions) */
	__u64 reasons[XLB_R_MAX];
};

/* Fills v (mbr and svc when v points them at arrays); 0, or the -errno of
 * a map that could not be read.  A census not there yet is not an error:
 * v->err says it. */
int census_view_read(const struct xlb_maps *m, struct census_view *v);

/* New connections refused because xlb_flows was full: the three
 * table_full reasons. */
__u64 census_refused(const __u64 reasons[XLB_R_MAX]);

/* A member's connections: established and UDP flows (what is open). */
static inline __u32 census_active(const struct xlb_census_count *c)
{
	return c->established + c->udp;
}

#endif
