/* SPDX-License-Identifier: MIT */
/* The only code that writes the data plane's maps: services with their
 * slot tables (two copies and a generation flip), members, the balancer's
 * own SNAT addresses; and the readers of its counters.  Works on map file
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
	int nat_port;
	int rst_rate;
	int stats;
	int svc_stats;
	int mbr_stats;
	int svc_info;
	int mbr_info;
	int mbr_admin;
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
 * of the balancer's own addresses (-ENOSPC past XLB_MAX_SNAT_ADDRS). */
int xlb_maps_member_set(const struct xlb_maps *m, __u32 id, const struct xlb_member *mbr);
/* Clears member id; publish slot tables without it first. */
int xlb_maps_member_clear(const struct xlb_maps *m, __u32 id);
int xlb_maps_snat_add(const struct xlb_maps *m, const union xlb_ip *addr, __u8 family);

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
