/* SPDX-License-Identifier: MIT */
/* The kernel objects xlb reads and writes through rtnetlink, in the
 * calling thread's network namespace: the host routes of its announce
 * table, and what kind of link an interface is (and its MAC).
 *
 * xlb's routes are blackhole host routes (/32, /128) of protocol
 * XLB_RTPROTO in one table that the operator names (global: announce:).
 * A routing daemon learns them from there (BIRD: `protocol kernel { kernel
 * table N; learn; }`, which ignores routes of protocol "kernel" and learns
 * blackhole routes).  The table is never one the kernel forwards with
 * unless an `ip rule` says so, and the functions below touch only routes
 * of XLB_RTPROTO: a route another program put in the table is left alone.
 * Functions return 0 or -errno. */
#ifndef XLB_RTNL_H
#define XLB_RTNL_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/addr.h"

/* The protocol number of every route xlb writes ("proto 248" in `ip
 * route`; /etc/iproute2/rt_protos.d/xlb.conf can name it).  Outside the
 * numbers the kernel, iproute2, BIRD and FRR use (FRR's are 11 and
 * 186-198). */
#define XLB_RTPROTO 248

/* Adds "blackhole DST/32 (or /128) proto XLB_RTPROTO table TABLE".
 * -EEXIST when the table already holds a route for DST (of any protocol);
 * -EINVAL for the kernel's own tables (unspec, default, main, local),
 * which xlb never writes. */
int rtnl_route_add(uint32_t table, const struct xlb_addr *dst);
/* Deletes xlb's route for DST in TABLE; -ESRCH when there is none. */
int rtnl_route_del(uint32_t table, const struct xlb_addr *dst);
/* Calls fn for each host route of protocol XLB_RTPROTO in TABLE, IPv4
 * then IPv6; stops at fn's first non-zero return and returns it. */
int rtnl_route_each(uint32_t table, int (*fn)(const struct xlb_addr *dst, void *ctx), void *ctx);

/* What `ip -d link show` says of an interface that matters to xlb. */
struct rtnl_link {
	char kind[16];      /* "veth", "bridge", ...; "" for a physical device */
	int peer_ifindex;   /* veth: the other end's ifindex (0: unknown) */
	bool peer_elsewhere; /* veth: the other end is in another network namespace */
	bool ether;         /* an Ethernet link (ARPHRD_ETHER): its MAC in mac */
	uint8_t mac[6];
};

int rtnl_link_get(int ifindex, struct rtnl_link *out);

#endif
