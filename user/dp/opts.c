// SPDX-License-Identifier: MIT
/* The data plane's load-time options: defaults, limits, the sizes of the
 * connection tables and whether they fit in memory. */
#include "dp/dataplane.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/abi_text.h"
#include "lib/log.h"
#include "lib/meminfo.h"

#define EPHEMERAL_SYSCTL "/proc/sys/net/ipv4/ip_local_port_range"

int xlb_dp_ephemeral_range(__u16 *lo, __u16 *hi)
{
	unsigned int a, b;
	FILE *f = fopen(EPHEMERAL_SYSCTL, "r");
	int n;

	*lo = XLB_EPHEMERAL_MIN_DEFAULT;
	*hi = XLB_EPHEMERAL_MAX_DEFAULT;
	if (!f)
		return -errno;
	n = fscanf(f, "%u %u", &a, &b);
	fclose(f);
	if (n != 2 || a == 0 || a > b || b > 65535)
		return -EINVAL;
	*lo = (__u16)a;
	*hi = (__u16)b;
	return 0;
}

void xlb_dp_opts_default(struct xlb_dp_opts *o)
{
	int err;

	memset(o, 0, sizeof(*o));
	o->flow_entries = XLB_FLOWS_DEFAULT;
	o->timeout_tcp_half_open_ms = XLB_TIMEOUT_TCP_HALF_OPEN_DEFAULT * 1000;
	o->timeout_tcp_est_ms = XLB_TIMEOUT_TCP_EST_DEFAULT * 1000;
	o->timeout_tcp_fin_ms = XLB_TIMEOUT_TCP_FIN_DEFAULT * 1000;
	o->timeout_tcp_rst_ms = XLB_TIMEOUT_TCP_RST_DEFAULT * 1000;
	o->timeout_tcp_time_wait_ms = XLB_TIMEOUT_TCP_TIME_WAIT_DEFAULT * 1000;
	o->timeout_udp_ms = XLB_TIMEOUT_UDP_DEFAULT * 1000;
	o->nat_port_min = XLB_NAT_PORT_MIN_DEFAULT;
	o->nat_port_max = XLB_NAT_PORT_MAX_DEFAULT;
	err = xlb_dp_ephemeral_range(&o->nat_hole_min, &o->nat_hole_max);
	if (err)
		log_warn("cannot read %s (%s): NAT ports leave out %u-%u, the kernel's default "
			 "ephemeral range",
			 EPHEMERAL_SYSCTL, strerror(-err), o->nat_hole_min, o->nat_hole_max);
	o->rst_rate = XLB_RST_RATE_DEFAULT;
}

__u32 xlb_dp_half_open_entries(const struct xlb_dp_opts *o)
{
	__u32 n = o->flow_entries / XLB_HALFOPEN_DIVISOR;

	if (o->half_open_entries)
		return o->half_open_entries;
	return n < XLB_HALFOPEN_MIN ? XLB_HALFOPEN_MIN : n;
}

/* The part of the hole inside the range. */
static __u32 nat_hole_ports(const struct xlb_dp_opts *o)
{
	__u32 lo = o->nat_hole_min > o->nat_port_min ? o->nat_hole_min : o->nat_port_min;
	__u32 hi = o->nat_hole_max < o->nat_port_max ? o->nat_hole_max : o->nat_port_max;

	return o->nat_hole_min && lo <= hi ? hi - lo + 1 : 0;
}

__u32 xlb_dp_nat_ports(const struct xlb_dp_opts *o)
{
	if (o->nat_port_min == 0 || o->nat_port_min > o->nat_port_max)
		return 0;
	return (__u32)o->nat_port_max - o->nat_port_min + 1 - nat_hole_ports(o);
}

__u64 xlb_dp_table_bytes(const struct xlb_dp_opts *o)
{
	return ((__u64)o->flow_entries + xlb_dp_half_open_entries(o)) * XLB_FLOW_ENTRY_BYTES;
}

int xlb_dp_opts_check(const struct xlb_dp_opts *o)
{
	const struct {
		const char *name;
		__u32 ms;
	} t[] = {
		{ "tcp_half_open_timeout", o->timeout_tcp_half_open_ms },
		{ "tcp_idle_timeout", o->timeout_tcp_est_ms },
		{ "tcp_closing_timeout", o->timeout_tcp_fin_ms },
		{ "tcp reset timeout", o->timeout_tcp_rst_ms },
		{ "tcp_time_wait", o->timeout_tcp_time_wait_ms },
		{ "udp_idle_timeout", o->timeout_udp_ms },
	};
	__u32 half_open = xlb_dp_half_open_entries(o);

	if (o->flow_entries < XLB_FLOWS_MIN || o->flow_entries > XLB_FLOWS_MAX) {
		log_err("flow table size %u outside %u..%u", o->flow_entries, XLB_FLOWS_MIN,
			XLB_FLOWS_MAX);
		return -EINVAL;
	}
	if (half_open < XLB_HALFOPEN_MIN || half_open > XLB_HALFOPEN_MAX) {
		log_err("half-open table size %u outside %u..%u", half_open, XLB_HALFOPEN_MIN,
			XLB_HALFOPEN_MAX);
		return -EINVAL;
	}
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (t[i].ms < 1 || t[i].ms > XLB_TIMEOUT_MAX * 1000U) {
			log_err("%s %u ms outside 1..%u", t[i].name, t[i].ms, XLB_TIMEOUT_MAX * 1000U);
			return -EINVAL;
		}
	}
	if (xlb_dp_nat_ports(o) == 0) {
		log_err("NAT port range %u-%u without %u-%u (the kernel's ephemeral ports) is empty",
			o->nat_port_min, o->nat_port_max, o->nat_hole_min, o->nat_hole_max);
		return -EINVAL;
	}
	return 0;
}

int xlb_dp_memory_check(const struct xlb_dp_opts *o)
{
	return xlb_dp_memory_check_avail(o, mem_available());
}

int xlb_dp_memory_check_avail(const struct xlb_dp_opts *o, __u64 avail)
{
	__u64 need = xlb_dp_table_bytes(o), usable = avail / 4 * 3;
	char need_s[32], avail_s[32];

	if (avail == 0 || need <= usable)
		return 0;
	xlb_bytes_str(need, need_s, sizeof(need_s));
	xlb_bytes_str(avail, avail_s, sizeof(avail_s));
	log_err("the connection tables need %s of kernel memory (%u + %u entries of flow_table_size "
		"and half_open_table_size, %u bytes each) and only %s is available (MemAvailable; "
		"xlb takes at most three quarters of it): lower flow_table_size (and "
		"half_open_table_size) under 'global:'",
		need_s, o->flow_entries, xlb_dp_half_open_entries(o), XLB_FLOW_ENTRY_BYTES, avail_s);
	return -ENOMEM;
}
