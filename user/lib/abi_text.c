// SPDX-License-Identifier: MIT
#include "lib/abi_text.h"

#include <arpa/inet.h>
#include <stdio.h>

const char *xlb_ip_str(const union xlb_ip *a, __u8 family, char *buf, size_t len)
{
	if (!inet_ntop(family == XLB_FAMILY_IPV6 ? AF_INET6 : AF_INET, a->bytes, buf,
		       (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

const char *xlb_ip_port_str(const union xlb_ip *a, __u8 family, __be16 port, char *buf,
			    size_t len)
{
	char ip[INET6_ADDRSTRLEN];

	xlb_ip_str(a, family, ip, sizeof(ip));
	snprintf(buf, len, family == XLB_FAMILY_IPV6 ? "[%s]:%u" : "%s:%u", ip, ntohs(port));
	return buf;
}

const char *xlb_sched_str(__u8 sched)
{
	switch (sched) {
	case XLB_SCHED_RR:
		return "round-robin";
	case XLB_SCHED_WRR:
		return "weighted";
	case XLB_SCHED_MAGLEV:
		return "maglev";
	}
	return "?";
}

const char *xlb_fwd_str(__u8 fwd)
{
	switch (fwd) {
	case XLB_FWD_NAT:
		return "nat";
	case XLB_FWD_DNAT:
		return "dnat";
	case XLB_FWD_DSR:
		return "dsr";
	}
	return "?";
}

const char *xlb_on_empty_str(__u8 on_empty)
{
	switch (on_empty) {
	case XLB_ON_EMPTY_REJECT:
		return "reject";
	case XLB_ON_EMPTY_DROP:
		return "drop";
	case XLB_ON_EMPTY_SORRY:
		return "sorry";
	}
	return "?";
}

const char *xlb_proto_str(__u8 proto)
{
	return proto == IPPROTO_TCP ? "tcp" : proto == IPPROTO_UDP ? "udp" : "?";
}

const char *xlb_health_str(__u8 state)
{
	switch (state) {
	case XLB_HEALTH_UP:
		return "UP";
	case XLB_HEALTH_DOWN:
		return "DOWN";
	case XLB_HEALTH_PENDING:
		return "PENDING";
	}
	return "?";
}

const char *xlb_flow_state_str(__u8 state)
{
	switch (state) {
	case XLB_FLOW_SYN_SENT:
		return "syn-sent";
	case XLB_FLOW_ESTABLISHED:
		return "established";
	case XLB_FLOW_FIN:
		return "closing";
	case XLB_FLOW_RST:
		return "reset";
	case XLB_FLOW_UDP:
		return "udp";
	}
	return "?";
}

const char *xlb_bytes_str(uint64_t bytes, char *buf, size_t len)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	double v = (double)bytes;
	size_t u = 0;

	while (v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%llu B", (unsigned long long)bytes);
	else
		snprintf(buf, len, "%.1f %s", v, units[u]);
	return buf;
}

const char *xlb_age_str(uint64_t s, char *buf, size_t len)
{
	if (s < 120)
		snprintf(buf, len, "%llus", (unsigned long long)s);
	else if (s < 2 * 3600)
		snprintf(buf, len, "%llum", (unsigned long long)(s / 60));
	else if (s < 2 * 86400)
		snprintf(buf, len, "%lluh", (unsigned long long)(s / 3600));
	else
		snprintf(buf, len, "%llud", (unsigned long long)(s / 86400));
	return buf;
}
