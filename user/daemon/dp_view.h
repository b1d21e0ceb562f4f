/* SPDX-License-Identifier: MIT */
/* What the data plane holds for an operator, read from the maps in one
 * pass: every service and member with its names, health, weight and
 * traffic, the meta map, and the census with the counters that go with it.
 * `xlb status` shows it (cmd/status_view.h), the metrics endpoint exports
 * it (daemon/metrics.h); both write it out with functions that read
 * nothing else, so their output is tested from a view built by hand. */
#ifndef XLB_DP_VIEW_H
#define XLB_DP_VIEW_H

#include <stddef.h>

#include "daemon/census.h"
#include "dp/maps.h"
#include "xlb/abi.h"
#include "xlb/info.h"

/* What a member or service shows, by id. */
struct view_member {
	struct xlb_mbr_info info;
	struct xlb_traffic_stats traffic;
	__u8 admin;   /* enum xlb_admin */
	__u16 snat_n; /* addresses in its snat pool (0 or 1: one) */
};

struct view_service {
	struct xlb_svc_info info;
	struct xlb_traffic_stats traffic;
};

struct dp_view {
	struct view_service *svc; /* XLB_MAX_SERVICES by id; info.in_use: there */
	struct view_member *mbr;  /* XLB_MAX_MEMBERS by id; info.family: there */
	struct xlb_meta meta;     /* nat_ports: per snat address and member */
	/* The census, with mbr and svc pointing at arrays of their own. */
	struct census_view census;
};

/* Allocates the by-id arrays of v (zeroed); 0 or -ENOMEM. */
int dp_view_alloc(struct dp_view *v);
void dp_view_free(struct dp_view *v);

/* Reads every service and member, the meta map and the census, each map
 * once; 0 or the -errno of a map that could not be read. */
int dp_view_read(struct dp_view *v, const struct xlb_maps *m);

/* NAT ports a member may hold: max(snat_n, 1) x nat_ports. */
__u64 dp_view_nat_ports(const struct dp_view *v, __u32 member_id);

/* The ids of a service's members in pool order (at most cap); their count. */
size_t dp_view_service_members(const struct dp_view *v, __u32 svc_id, __u32 *ids, size_t cap);

#endif
