/* SPDX-License-Identifier: MIT */
/* What the control plane tells the operator through the pins: names,
 * health and admin state of every service and member.  The data plane never
 * reads these maps; they exist so that `xlb status`, `xlb drain` and
 * `bpftool map dump` work from the pins alone, with or without the daemon.
 * Written only by user/maps.c. */
#ifndef XLB_INFO_H
#define XLB_INFO_H

#include <linux/types.h>

#include "xlb/abi.h"
#include "xlb/limits.h"

#define XLB_MAP_SVC_INFO "xlb_svc_info"
#define XLB_MAP_MBR_INFO "xlb_mbr_info"
#define XLB_MAP_MBR_ADMIN "xlb_mbr_admin"

#define XLB_INFO_NAME_MAX 112 /* "name#address" of a hostname member, with NUL */

/* xlb_svc_info: array indexed by service id. */
struct xlb_svc_info {
	char name[XLB_NAME_MAX];
	struct xlb_svc_key key; /* the VIP, as in xlb_services */
	__u8 in_use;
	__u8 scheduler;  /* enum xlb_sched */
	__u8 forwarding; /* enum xlb_fwd */
	__u8 on_empty;   /* enum xlb_on_empty */
	__u32 n_members;
	__u32 n_serving;  /* members in the slot table now */
	/* How its VIP is announced (global: announce:), as the daemon
	 * decided; whether the route is in the table, the kernel says. */
	__u32 announce_table;         /* 0: no announce table */
	__u32 announce_min_members;
	__u8 announce;                /* enum xlb_announce */
	__u8 announce_l2;             /* 1: announced on the link too (ARP, ND) */
	__u8 _pad[6];
	__u64 announce_due_unix_ms;   /* XLB_ANNOUNCE_UP_DELAY: when the route is added */
};

/* A service's wish for its VIP's announcement: route and answers on the
 * link (a VIP shared by several services is announced while any of them
 * wants it). */
#define XLB_ANNOUNCE_STATES(X)                                               \
	X(OFF, "off")                /* no announce table nor l2,            \
				      * `announce: false`, or a loopback VIP */ \
	X(TOO_FEW, "too_few_members") /* fewer serving members than           \
				      * min_members: no route, no answers */  \
	X(UP_DELAY, "up_delay")      /* enough of them, for less than up_delay */ \
	X(ON, "announced")           /* the route is kept in the table, ARP and \
				      * ND answered on the link */

/* A member's health: the rise/fall state machine's state (health/sm.c). */
#define XLB_HEALTH_STATES(X)                                                 \
	X(PENDING, "PENDING") /* no check passed yet: no traffic */           \
	X(UP, "UP")                                                          \
	X(DOWN, "DOWN")

/* How a member is checked. */
#define XLB_CHECK_TYPES(X)                                                   \
	X(TCP, "tcp")   /* the TCP connect succeeds */                         \
	X(HTTP, "http") /* GET path answers with the expected status */        \
	X(NONE, "none") /* always up, never checked */

/* The operator's say: `xlb drain` takes a member out of rotation (it is
 * still checked) until `xlb enable` or the next reload. */
#define XLB_ADMIN_STATES(X)                                                  \
	X(ENABLED, "enabled")                                                \
	X(DRAIN, "drain")

#define XLB_HEALTH_ENUM(id, word) XLB_HEALTH_##id,
enum xlb_health_state { XLB_HEALTH_STATES(XLB_HEALTH_ENUM) };
#define XLB_HEALTH_N (0 XLB_HEALTH_STATES(XLB_COUNT_ONE))
#undef XLB_HEALTH_ENUM

#define XLB_CHECK_ENUM(id, word) XLB_CHECK_##id,
enum xlb_check_type { XLB_CHECK_TYPES(XLB_CHECK_ENUM) };
#define XLB_CHECK_N (0 XLB_CHECK_TYPES(XLB_COUNT_ONE))
#undef XLB_CHECK_ENUM

#define XLB_ANNOUNCE_ENUM(id, word) XLB_ANNOUNCE_##id,
enum xlb_announce { XLB_ANNOUNCE_STATES(XLB_ANNOUNCE_ENUM) };
#define XLB_ANNOUNCE_N (0 XLB_ANNOUNCE_STATES(XLB_COUNT_ONE))
#undef XLB_ANNOUNCE_ENUM

#define XLB_ADMIN_ENUM(id, word) XLB_ADMIN_##id,
enum xlb_admin { XLB_ADMIN_STATES(XLB_ADMIN_ENUM) };
#define XLB_ADMIN_N (0 XLB_ADMIN_STATES(XLB_COUNT_ONE))
#undef XLB_ADMIN_ENUM

/* xlb_mbr_info: array indexed by member id. */
struct xlb_mbr_info {
	char name[XLB_INFO_NAME_MAX];
	char last_check[64];   /* "connection refused", "HTTP status 200", ... */
	union xlb_ip addr;
	__be16 port;
	__u8 family;           /* enum xlb_family; XLB_FAMILY_NONE: unused */
	__u8 state;            /* enum xlb_health_state */
	__u8 _pad8;
	__u8 check_type;       /* enum xlb_check_type */
	__u16 weight;
	__u32 service_id;
	__u32 order;           /* position in its service's pool, for the slot table */
	__u32 latency_us;      /* of the last check */
	__u32 ok_run, fail_run; /* consecutive passes / failures now */
	__u32 rise, fall;
	__u32 _pad;
	__u64 last_check_unix_ms;
	__u64 state_since_unix_ms;
};

/* xlb_mbr_admin: array indexed by member id, written by `xlb drain|enable`
 * (and reset by a reload).  Apart from xlb_mbr_info, which the daemon
 * rewrites after every check, so that an operator's request is never lost
 * under the daemon's own updates. */
struct xlb_mbr_admin {
	__u8 admin; /* enum xlb_admin */
	__u8 _pad[3];
};

#endif
