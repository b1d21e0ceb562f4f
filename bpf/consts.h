/* SPDX-License-Identifier: GPL-2.0 */
/* Values fixed at load time: user/dataplane.c sets them between open and
 * load; the verifier sees them as constants.  Weak, like the maps, so the
 * programs linked into one object share one copy. */
#ifndef XLB_BPF_CONFIG_H
#define XLB_BPF_CONFIG_H

#include <linux/types.h>

#include "xlb/limits.h"

#define XLB_NS_PER_SEC 1000000000ULL

const volatile __u64 cfg_timeout_tcp_half_open_ns __weak = XLB_TIMEOUT_TCP_HALF_OPEN_DEFAULT * XLB_NS_PER_SEC;
const volatile __u64 cfg_timeout_tcp_est_ns __weak = XLB_TIMEOUT_TCP_EST_DEFAULT * XLB_NS_PER_SEC;
const volatile __u64 cfg_timeout_tcp_fin_ns __weak = XLB_TIMEOUT_TCP_FIN_DEFAULT * XLB_NS_PER_SEC;
const volatile __u64 cfg_timeout_tcp_rst_ns __weak = XLB_TIMEOUT_TCP_RST_DEFAULT * XLB_NS_PER_SEC;
const volatile __u64 cfg_timeout_tcp_time_wait_ns __weak = XLB_TIMEOUT_TCP_TIME_WAIT_DEFAULT * XLB_NS_PER_SEC;
const volatile __u64 cfg_timeout_udp_ns __weak = XLB_TIMEOUT_UDP_DEFAULT * XLB_NS_PER_SEC;
/* The sizes of xlb_flows and xlb_halfopen, for the census and the full
 * flag's hysteresis. */
const volatile __u32 cfg_flows_max __weak = XLB_FLOWS_DEFAULT;
const volatile __u32 cfg_halfopen_max __weak = XLB_FLOWS_DEFAULT / XLB_HALFOPEN_DIVISOR;
/* NAT source ports: cfg_nat_port_min..max without the kernel's ephemeral
 * range cfg_nat_hole_min..max (0-0: none).  Allocation walks an index
 * 0..cfg_nat_ports-1: port = min + index, plus cfg_nat_hole_len from
 * index cfg_nat_hole_start on (user/dp/dataplane.c computes them). */
const volatile __u32 cfg_nat_port_min __weak = 1024;
const volatile __u32 cfg_nat_port_max __weak = 32767;
const volatile __u32 cfg_nat_hole_min __weak = 0;
const volatile __u32 cfg_nat_hole_max __weak = 0;
const volatile __u32 cfg_nat_ports __weak = 32767 - 1024 + 1;
const volatile __u32 cfg_nat_hole_start __weak = 32767 - 1024 + 1;
const volatile __u32 cfg_nat_hole_len __weak = 0;
const volatile __u32 cfg_rst_rate __weak = XLB_RST_RATE_DEFAULT; /* per CPU per second, 0: none */

/* A flow's last_seen is written at most this often: a write per packet
 * would bounce the entry's cache line between CPUs. */
#define XLB_TOUCH_NS (XLB_NS_PER_SEC / 4)
/* A forward flow re-resolves its next hop (bpf_fib_lookup) this often. */
#define XLB_NH_REFRESH_NS XLB_NS_PER_SEC
/* Source ports tried for one new flow before giving up (bpf/nat.h,
 * xlb_nat_search). */
#define XLB_NAT_TRIES 16
/* Positions of a backend's port walk a CPU takes at a time (xlb_nat_block):
 * one shared atomic add per this many ports. */
#define XLB_NAT_BLOCK 64

#endif
