// SPDX-License-Identifier: MIT
#include "lib/addr.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

int addr_parse(const char *text, struct xlb_addr *out)
{
	struct xlb_addr a = {0};

	if (inet_pton(AF_INET, text, &a.v4) == 1)
		a.family = AF_INET;
	else if (inet_pton(AF_INET6, text, &a.v6) == 1)
		a.family = AF_INET6;
	else
		return -EINVAL;
	*out = a;
	return 0;
}

const char *addr_format(const struct xlb_addr *a, char *buf, size_t len)
{
	const void *src = a->family == AF_INET ? (const void *)&a->v4 : (const void *)&a->v6;

	if (len == 0)
		return buf;
	if ((a->family != AF_INET && a->family != AF_INET6) ||
	    !inet_ntop(a->family, src, buf, len))
		snprintf(buf, len, "(none)");
	return buf;
}

const char *addr_format_port(const struct xlb_addr *a, uint16_t port, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];

	addr_format(a, ip, sizeof(ip));
	snprintf(buf, len, a->family == AF_INET6 ? "[%s]:%u" : "%s:%u", ip, port);
	return buf;
}

static size_t addr_len(sa_family_t family)
{
	return family == AF_INET ? sizeof(struct in_addr) : sizeof(struct in6_addr);
}

int addr_cmp(const struct xlb_addr *a, const struct xlb_addr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if (a->family != AF_INET && a->family != AF_INET6)
		return 0;
	return memcmp(&a->v6, &b->v6, addr_len(a->family));
}

bool addr_equal(const struct xlb_addr *a, const struct xlb_addr *b)
{
	return addr_cmp(a, b) == 0;
}

const char *addr_family_name(sa_family_t family)
{
	return family == AF_INET ? "IPv4" : family == AF_INET6 ? "IPv6" : "unknown";
}

bool addr_is_unusable(const struct xlb_addr *a)
{
	if (a->family == AF_INET) {
		uint32_t h = ntohl(a->v4.s_addr);

		return h == 0 || h == 0xffffffffu || (h >> 28) == 0xe;
	}
	return IN6_IS_ADDR_UNSPECIFIED(&a->v6) || IN6_IS_ADDR_MULTICAST(&a->v6);
}

void addr_to_abi(const struct xlb_addr *a, union xlb_ip *out, __u8 *family)
{
	memset(out, 0, sizeof(*out));
	if (a->family == AF_INET) {
		out->v4 = a->v4.s_addr;
		*family = XLB_FAMILY_IPV4;
	} else {
		memcpy(out->bytes, &a->v6, 16);
		*family = XLB_FAMILY_IPV6;
	}
}

void addr_from_abi(const union xlb_ip *ip, __u8 family, struct xlb_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (family == XLB_FAMILY_IPV6) {
		out->family = AF_INET6;
		memcpy(&out->v6, ip->bytes, 16);
	} else {
		out->family = AF_INET;
		out->v4.s_addr = ip->v4;
	}
}

bool addr_is_unspecified(const struct xlb_addr *a)
{
	if (a->family == AF_INET)
		return a->v4.s_addr == 0;
	return a->family == AF_INET6 && IN6_IS_ADDR_UNSPECIFIED(&a->v6);
}

bool addr_looks_literal(const char *text)
{
	if (strchr(text, ':'))
		return true;
	return *text && strspn(text, "0123456789.") == strlen(text);
}

bool hostname_valid(const char *name)
{
	size_t total = strlen(name), label = 0;
	bool numeric = true;

	if (total && name[total - 1] == '.')
		total--; /* the root label: "example.com." is fully qualified */
	if (total == 0 || total > 253)
		return false;
	for (size_t i = 0; i < total; i++) {
		unsigned char ch = name[i];

		if (ch == '.') {
			if (label == 0 || name[i - 1] == '-')
				return false;
			label = 0;
			numeric = true;
			continue;
		}
		if (!isascii(ch) || !(isalnum(ch) || ch == '-'))
			return false;
		if (label == 0 && ch == '-')
			return false;
		if (++label > 63)
			return false;
		if (!isdigit(ch))
			numeric = false;
	}
	if (label == 0 || name[total - 1] == '-')
		return false;
	return !numeric;
}

socklen_t addr_to_sockaddr(const struct xlb_addr *a, uint16_t port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_addr = a->v4;
		sin->sin_port = htons(port);
		return sizeof(*sin);
	}
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	sin6->sin6_family = AF_INET6;
	sin6->sin6_addr = a->v6;
	sin6->sin6_port = htons(port);
	return sizeof(*sin6);
}
