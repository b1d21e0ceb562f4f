/* SPDX-License-Identifier: MIT */
/* The only code that writes the data plane's maps: services with their
 * slot tables (two copies and a generation flip), members, the balancer's
 * own SNAT addresses and pools, the dnat reply map; and the readers of its
 * counters, its state and the census of its connection tables.  Works on map file
 * descriptors, so the daemon (from its skeleton) and `xlb status` (from the
 * pins) use the same calls.  Functions return 0 or -errno. */
#ifndef XLB_MAPS_H
#define XLB_MAPS_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>

#include "xlb/abi.h"
#include "xlb/info.h"

struct xlb_maps {
	int meta;
	int services;
	int members;
	int slots;
	int maglev;
	int sorry;
	int sorry_port;
	int rr;
	int snat;
	int svc_ports;
	int flows;
	int halfopen;
	int dnat_rev;
	int nat_port;
	int rst_rate;
	int stats;
	int svc_stats;
	int mbr_stats;
	int svc_info;
	int mbr_info;
	int mbr_admin;
	int events;
	int dp_state;
	int census;
	int census_mbr;
	int census_svc;
	int l2_vips;
	int l2_ifaces;
	/* NULL: the bpf(2) syscalls on the fds above; a test sets its own. */
	const struct xlb_map_io *io;
};

/* How the functions below reach the maps: each op returns 0 or -errno and
 * has the semantics of the bpf(2) command of its name (update: BPF_ANY). */
struct xlb_map_io {
	int (*lookup)(const struct xlb_map_io *io, int fd, const void *key, void *val);
	int (*update)(const struct xlb_map_io *io, int fd, const void *key, const void *val);
	int (*delete)(const struct xlb_map_io *io, int fd, const void *key);
	int (*next_key)(const struct xlb_map_io *io, int fd, const void *key, void *next);
};

struct bpf_object;

/* Every fd set to -1. */
void xlb_maps_init(struct xlb_maps *m);
/* Calls fn with the name of every map (as pinned) and its fd field; stops
 * at the first non-zero return and returns it. */
int xlb_maps_each(struct xlb_maps *m, int (*fn)(const char *name, int *fd, void *ctx), void *ctx);
/* The fds of a loaded object's maps (owned by the object, not closed by
 * xlb_maps_close). */
int xlb_maps_from_object(struct xlb_maps *m, const struct bpf_object *obj);
/* Opens the maps pinned under dir (e.g. /sys/fs/bpf/xlb) and checks the ABI
 * version: -EPROTO on a mismatch, -ENOENT when nothing is pinned. */
int xlb_maps_open_pinned(struct xlb_maps *m, const char *dir);
/* The same for a command an operator runs: every failure is explained
 * (nothing pinned there, not root, another ABI version). */
int xlb_maps_open_for_reading(struct xlb_maps *m, const char *dir);
/* Closes fds opened by xlb_maps_open_pinned. */
void xlb_maps_close(struct xlb_maps *m);
/* Reads the ABI version in xlb_meta: -EPROTO unless it is XLB_ABI_VERSION. */
int xlb_maps_check_abi(const struct xlb_maps *m);
/* The load-time values in xlb_meta (NAT ports per snat address: free
 * ports of a member = max(snat_n, 1) x nat_ports - its census nat_ports). */
int xlb_maps_meta(const struct xlb_maps *m, struct xlb_meta *meta);

/* Publishes (or replaces) a service and its tables atomically for the
 * data plane: the copies of its tables that are not live are written first,
 * then the service with the other generation, which makes them live
 * together.  slots[] are member ids (weights expanded by the caller); each
 * must already be set with the service's family.  n_slots == 0 is a service
 * with no healthy member (on_empty).  maglev_table (XLB_MAGLEV_SIZE member
 * ids) is required for a Maglev service and refused for any other
 * (-EINVAL).  svc->generation is ignored. */
int xlb_maps_service_publish(const struct xlb_maps *m, const struct xlb_svc_key *key,
			     const struct xlb_service *svc, const __u32 *slots, __u32 n_slots,
			     const __u32 *maglev_table);
int xlb_maps_service_delete(const struct xlb_maps *m, const struct xlb_svc_key *key);
/* dnat: packets from port (host order) of protocol proto may be replies
 * of a member to a client.  Marks stay until the maps are recreated. */
int xlb_maps_reply_port_mark(const struct xlb_maps *m, __u16 port, __u8 proto);
/* The built-in sorry responder's answer for service svc_id. */
int xlb_maps_sorry_set(const struct xlb_maps *m, __u32 svc_id, const struct xlb_sorry_page *page);
/* Where local clients of service svc_id get that answer: a loopback port
 * (host order; 0: nowhere, their connect() is refused). */
int xlb_maps_sorry_port_set(const struct xlb_maps *m, __u32 svc_id, __u16 port);
/* Reads a service as published: -ENOENT if absent. */
int xlb_maps_service_get(const struct xlb_maps *m, const struct xlb_svc_key *key,
			 struct xlb_service *svc);

/* Sets member id (< XLB_MAX_MEMBERS) and adds its snat address to the set
 * of the balancer's own addresses (-ENOSPC past XLB_MAX_SNAT_ADDRS).  A
 * member with a pool (snat_n > 1) gets snat_first from
 * xlb_maps_snat_pool_add first, and snat = the pool's first address. */
int xlb_maps_member_set(const struct xlb_maps *m, __u32 id, const struct xlb_member *mbr);
/* Clears member id; publish slot tables without it first. */
int xlb_maps_member_clear(const struct xlb_maps *m, __u32 id);
int xlb_maps_member_get(const struct xlb_maps *m, __u32 id, struct xlb_member *mbr);
int xlb_maps_snat_add(const struct xlb_maps *m, const union xlb_ip *addr, __u8 family);
/* A snat pool of n addresses (1..XLB_MAX_SNAT_ADDRS) of one family, in
 * this order: *first is where the run starts in xlb_snat, an existing
 * identical run reused; -ENOSPC when the set has no room for it.  Entries
 * stay until the maps are recreated (a pool no member uses any more only
 * makes its addresses reply candidates). */
int xlb_maps_snat_pool_add(const struct xlb_maps *m, const union xlb_ip *addrs, __u32 n, __u8 family,
			   __u16 *first);

/* dnat: replies from key (a member's address, port, protocol) are
 * translated to rev's VIP without per-flow state; also marks the port as
 * a reply port (xlb_maps_reply_port_mark).  Replaces an entry of the same
 * key.  A member's entry must outlive its connections (its replies need
 * it after it leaves the pool): delete it when the key goes to another
 * service or on `xlb stop`, not when the member is drained or removed. */
int xlb_maps_dnat_rev_set(const struct xlb_maps *m, const struct xlb_dnat_rev_key *key,
			  const struct xlb_dnat_rev *rev);
int xlb_maps_dnat_rev_delete(const struct xlb_maps *m, const struct xlb_dnat_rev_key *key);

/* What `xlb status` shows: names, health and admin state, by id.  An
 * all-zero entry is an unused id. */
int xlb_maps_svc_info_set(const struct xlb_maps *m, __u32 id, const struct xlb_svc_info *info);
int xlb_maps_svc_info_get(const struct xlb_maps *m, __u32 id, struct xlb_svc_info *info);
int xlb_maps_mbr_info_set(const struct xlb_maps *m, __u32 id, const struct xlb_mbr_info *info);
int xlb_maps_mbr_info_get(const struct xlb_maps *m, __u32 id, struct xlb_mbr_info *info);
/* The operator's drain state of member id: XLB_ADMIN_ENABLED or _DRAIN. */
int xlb_maps_mbr_admin_set(const struct xlb_maps *m, __u32 id, __u8 admin);
__u8 xlb_maps_mbr_admin_get(const struct xlb_maps *m, __u32 id);

/* Counters summed over CPUs. */
int xlb_maps_reason_stats(const struct xlb_maps *m, __u64 count[XLB_R_MAX]);
int xlb_maps_service_stats(const struct xlb_maps *m, __u32 svc_id, struct xlb_traffic_stats *out);
int xlb_maps_member_stats(const struct xlb_maps *m, __u32 member_id, struct xlb_traffic_stats *out);
/* The connection tables' events (enum xlb_event) summed over CPUs. */
int xlb_maps_event_stats(const struct xlb_maps *m, __u64 count[XLB_EV_MAX]);

/* The data plane's state: the full flag (the daemon logs once per
 * episode: when full goes from 0 to 1, and when it comes down), the
 * census generation. */
int xlb_maps_dp_state(const struct xlb_maps *m, struct xlb_dp_state *st);

/* The census of the last sweep (run one first: user/dp/sweep.h), read
 * consistently (generation checked before and after, retried).  mbr
 * (XLB_MAX_MEMBERS elements) and svc (XLB_MAX_SERVICES) may be NULL; an
 * id with nothing counted comes back all zero.  -ENODATA before the first
 * sweep, -EAGAIN when sweeps kept flipping it under the reader. */
int xlb_maps_census_read(const struct xlb_maps *m, struct xlb_census *total, struct xlb_census_count *mbr,
			 struct xlb_census_count *svc);
/* Half-open connections the LRU evicted (a flood's churn): half_open_new
 * - promoted - half_open_expired - the census's live half-open ones, 0
 * if the counters (read after the census) make it negative. */
__u64 xlb_census_half_open_evicted(const struct xlb_census *c, const __u64 ev[XLB_EV_MAX]);
/* Now on the census clock (CLOCK_MONOTONIC, as swept_ns): "last sweep N
 * s ago" is (xlb_census_now_ns() - c.swept_ns) / 1e9. */
__u64 xlb_census_now_ns(void);

/* Answers on the link (bpf/neigh.h).  ARP and neighbour solicitation for
 * addr are answered while on (true), not once off; -ENOENT never (off
 * twice is fine). */
int xlb_maps_l2_vip_set(const struct xlb_maps *m, const union xlb_ip *addr, __u8 family, bool on);
/* Calls fn for every address answered; stops at fn's first non-zero
 * return and returns it. */
int xlb_maps_l2_vip_each(const struct xlb_maps *m,
			 int (*fn)(const union xlb_ip *addr, __u8 family, void *ctx), void *ctx);
/* The interfaces answers are sent from, by ifindex, with the MAC each
 * answer carries: exactly these n (others are removed). */
int xlb_maps_l2_ifaces_set(const struct xlb_maps *m, const __u32 *ifindex,
			   const struct xlb_l2_iface *ifc, size_t n);

#endif
