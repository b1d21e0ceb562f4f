/* SPDX-License-Identifier: GPL-2.0 */
/* Every map of the data plane, typed from include/xlb/abi.h; user/maps.c is
 * the only writer from user space.  Included by each program file that the
 * build links into one object (xlb.bpf.c and xlb-tc.bpf.c): the definitions
 * are weak, so the linker keeps one of each and every program shares it. */
#ifndef XLB_BPF_MAPS_H
#define XLB_BPF_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "xlb/abi.h"
#include "xlb/info.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xlb_meta);
} xlb_meta SEC(".maps") __weak;

/* How many reply entries of xlb_flows hold each NAT port, by block of
 * reply tuples (bpf/nat_held.h).  The data plane's own: user space never
 * reads or writes it. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XLB_NAT_HELD_BLOCKS * 65536);
	__type(key, __u32);
	__type(value, __u32);
} xlb_nat_held SEC(".maps") __weak;

/* Not preallocated: an update replaces the element under RCU, so a reader
 * sees the old or the new service whole (the generation flip relies on it). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XLB_MAX_SERVICES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct xlb_svc_key);
	__type(value, struct xlb_service);
} xlb_services SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XLB_MAX_MEMBERS);
	__type(key, __u32);
	__type(value, struct xlb_member);
} xlb_members SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XLB_MAX_SERVICES * 2);
	__type(key, __u32);
	__type(value, struct xlb_slot_table);
} xlb_slots SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XLB_MAX_SERVICES);
	__type(key, __u32);
	__type(value, struct xlb_rr_state);
} xlb_rr SEC(".maps") __weak;

/* 2 * XLB_MAX_MAGLEV_SERVICES tables of 256 KiB: 8 MiB, not 128 MiB for
 * every possible service (the config validator enforces the limit). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XLB_MAX_MAGLEV_SERVICES * 2);
	__type(key, __u32);
	__type(value, struct xlb_maglev_table);
} xlb_maglev SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XLB_MAX_SERVICES);
	__type(key, __u32);
	__type(value, struct xlb_sorry_page);
} xlb_sorry SEC(".maps") __weak;

/* The loopback port (network order; 0: none) where the daemon serves a
 * service's sorry page to clients on this host, by service id: the socket
 * hooks send them there (user/sorry_local.c). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XLB_MAX_SERVICES);
	__type(key, __u32);
	__type(value, __be16);
} xlb_sorry_port SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xlb_snat_set);
} xlb_snat SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u8); /* enum xlb_port_flags */
} xlb_svc_ports SEC(".maps") __weak;

/* The connection tables (abi.h).  max_entries of both is replaced at
 * load time (bpf_map__set_max_entries).  xlb_flows is preallocated (the
 * default of a hash): an insert never allocates, and a full table fails
 * it with -E2BIG instead of evicting. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XLB_FLOWS_DEFAULT);
	__type(key, struct xlb_flow_key);
	__type(value, struct xlb_flow);
} xlb_flows SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XLB_FLOWS_DEFAULT / XLB_HALFOPEN_DIVISOR);
	__type(key, struct xlb_flow_key);
	__type(value, struct xlb_flow);
} xlb_halfopen SEC(".maps") __weak;

/* Not preallocated: an update replaces the element under RCU, so a reader
 * sees the old or the new entry whole. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XLB_MAX_MEMBERS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct xlb_dnat_rev_key);
	__type(value, struct xlb_dnat_rev);
} xlb_dnat_rev SEC(".maps") __weak;

/* What the member's TIME_WAIT rule reads of a TCP segment (host order). */
struct nat_seg {
	__u32 seq;
	__u32 tsval;
	__u32 data; /* bytes of data */
	int ts;     /* 1: tsval is there; 0: no timestamp option; -1: not TCP
		     * or not read; XLB_NAT_SEG_UNREAD: not read yet */
};

#define XLB_NAT_SEG_UNREAD (-2)
/* nat_guard_ends: the answer needs the SYN's fields. */
#define XLB_NAT_NEED_SYN (-2)

/* The NAT port search's input and result (bpf/nat.h, xlb_nat_search). */
struct nat_search {
	struct xlb_flow_key rk; /* the reply tuple; the search sets dst, dport */
	struct nat_seg syn;     /* the SYN's fields, read when a port needs them */
	__u64 now;
	__u32 member_id;
	__u32 again; /* 1 + the port index a search left for the SYN's fields; 0: none */
};

/* Scratch room for the two entries of a new flow and its port search: on
 * the stack they would take 264 of the 512 bytes a program has. */
struct xlb_new_flow {
	struct xlb_flow fwd;
	struct xlb_flow rev;
	struct nat_search search;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xlb_new_flow);
} xlb_new_flow SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XLB_MAX_MEMBERS);
	__type(key, __u32);
	__type(value, struct xlb_nat_port_state);
} xlb_nat_port SEC(".maps") __weak;

/* Each backend's walk of its NAT ports, shared by all CPUs: the next
 * position no CPU has taken (xlb_nat_port).  One walk, not a walk per
 * CPU: per-CPU walks started apart advance at the rates their CPUs see
 * new flows, and the faster one runs into the ports the other just took.
 * The data plane's own: user space never reads it. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XLB_MAX_MEMBERS);
	__type(key, __u32);
	__type(value, __u64);
} xlb_nat_block SEC(".maps") __weak;

/* The next hop toward each member, per CPU, as bpf_fib_lookup found it
 * for a packet that came in on ifindex_in at checked_ns: a new flow copies
 * it for a second instead of a FIB lookup of its own.  The data plane's
 * own cache: user space never reads it. */
struct xlb_mbr_nh {
	__u32 ifindex_in;
	__u32 tx_ifindex;
	__u8 dmac[6];
	__u8 smac[6];
	__u32 _pad;
	__u64 checked_ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XLB_MAX_MEMBERS);
	__type(key, __u32);
	__type(value, struct xlb_mbr_nh);
} xlb_mbr_nh SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xlb_rst_bucket);
} xlb_rst_rate SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xlb_reason_stats);
} xlb_stats SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XLB_MAX_SERVICES);
	__type(key, __u32);
	__type(value, struct xlb_traffic_stats);
} xlb_svc_stats SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XLB_MAX_MEMBERS);
	__type(key, __u32);
	__type(value, struct xlb_traffic_stats);
} xlb_mbr_stats SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xlb_event_stats);
} xlb_events SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xlb_dp_state);
} xlb_dp_state SEC(".maps") __weak;

/* The census, two copies of each (abi.h): written by the sweeper only. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct xlb_census);
} xlb_census SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2 * XLB_MAX_MEMBERS);
	__type(key, __u32);
	__type(value, struct xlb_census_count);
} xlb_census_mbr SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2 * XLB_MAX_SERVICES);
	__type(key, __u32);
	__type(value, struct xlb_census_count);
} xlb_census_svc SEC(".maps") __weak;

/* Written by the control plane for `xlb status` and bpftool; never read
 * here.  Declared with the others so they carry BTF and pin alike. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XLB_MAX_SERVICES);
	__type(key, __u32);
	__type(value, struct xlb_svc_info);
} xlb_svc_info SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XLB_MAX_MEMBERS);
	__type(key, __u32);
	__type(value, struct xlb_mbr_info);
} xlb_mbr_info SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XLB_MAX_MEMBERS);
	__type(key, __u32);
	__type(value, struct xlb_mbr_admin);
} xlb_mbr_admin SEC(".maps") __weak;

/* Answers on the link (bpf/neigh.h): the VIPs served now, and the MAC of
 * each interface xlb runs on.  Written by the daemon only; empty without
 * global: announce: {l2: true}, so nothing is answered. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XLB_MAX_SERVICES);
	__type(key, struct xlb_l2_key);
	__type(value, __u8);
} xlb_l2_vips SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XLB_MAX_INTERFACES);
	__type(key, __u32);
	__type(value, struct xlb_l2_iface);
} xlb_l2_ifaces SEC(".maps") __weak;

#endif
