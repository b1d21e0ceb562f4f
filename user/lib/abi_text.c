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

/* The tables of words, made from the vocabularies in include/xlb. */
#define XLB_WORD(id, word) word,
const char *const xlb_sched_words[XLB_SCHED_N] = { XLB_SCHEDULERS(XLB_WORD) };
const char *const xlb_fwd_words[XLB_FWD_N] = { XLB_FORWARDINGS(XLB_WORD) };
const char *const xlb_on_empty_words[XLB_ON_EMPTY_N] = { XLB_ON_EMPTY_POLICIES(XLB_WORD) };
const char *const xlb_flow_state_words[XLB_FLOW_N] = { XLB_FLOW_STATES(XLB_WORD) };
const char *const xlb_health_words[XLB_HEALTH_N] = { XLB_HEALTH_STATES(XLB_WORD) };
const char *const xlb_check_type_words[XLB_CHECK_N] = { XLB_CHECK_TYPES(XLB_WORD) };
const char *const xlb_admin_words[XLB_ADMIN_N] = { XLB_ADMIN_STATES(XLB_WORD) };
const char *const xlb_reason_words[XLB_R_MAX] = { XLB_REASONS(XLB_WORD) };
const char *const xlb_event_words[XLB_EV_MAX] = { XLB_EVENTS(XLB_WORD) };
#undef XLB_WORD

#define WORD_OF(table, v) ((unsigned)(v) < sizeof(table) / sizeof(table[0]) ? table[v] : "?")

const char *xlb_sched_str(unsigned v)
{
	return WORD_OF(xlb_sched_words, v);
}

const char *xlb_fwd_str(unsigned v)
{
	return WORD_OF(xlb_fwd_words, v);
}

const char *xlb_on_empty_str(unsigned v)
{
	return WORD_OF(xlb_on_empty_words, v);
}

const char *xlb_flow_state_str(unsigned v)
{
	return WORD_OF(xlb_flow_state_words, v);
}

const char *xlb_health_str(unsigned v)
{
	return WORD_OF(xlb_health_words, v);
}

const char *xlb_check_type_str(unsigned v)
{
	return WORD_OF(xlb_check_type_words, v);
}

const char *xlb_admin_str(unsigned v)
{
	return WORD_OF(xlb_admin_words, v);
}

const char *xlb_reason_name(unsigned v)
{
	return WORD_OF(xlb_reason_words, v);
}

const char *xlb_event_name(unsigned v)
{
	return WORD_OF(xlb_event_words, v);
}

const char *xlb_proto_str(unsigned ipproto)
{
	return ipproto == IPPROTO_TCP ? "tcp" : ipproto == IPPROTO_UDP ? "udp" : "?";
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
