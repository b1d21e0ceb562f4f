// SPDX-License-Identifier: MIT
#include "daemon/onlink.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

static bool same_subnet(const uint8_t *a, const uint8_t *b, const uint8_t *mask, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((a[i] & mask[i]) != (b[i] & mask[i]))
			return false;
	return true;
}

static unsigned prefix_len(const uint8_t *mask, size_t len)
{
	unsigned n = 0;

	for (size_t i = 0; i < len; i++)
		n += (unsigned)__builtin_popcount(mask[i]);
	return n;
}

/* "198.18.0.0/24" from an address and its mask. */
static void subnet_text(int family, const uint8_t *addr, const uint8_t *mask, size_t len,
			char *buf, size_t buflen)
{
	uint8_t net[16];
	char text[INET6_ADDRSTRLEN];

	for (size_t i = 0; i < len; i++)
		net[i] = addr[i] & mask[i];
	inet_ntop(family, net, text, sizeof(text));
	snprintf(buf, buflen, "%s/%u", text, prefix_len(mask, len));
}

/* What to look for among this host's addresses (loopback interfaces and
 * IPv6 link-local addresses left out): an interface address equal to a
 * (exact), or one whose subnet holds a; only on interface `only` unless
 * NULL. */
struct onlink_query {
	const struct xlb_addr *a;
	const char *only;
	bool exact;
	char *ifname;        /* IF_NAMESIZE, may be NULL */
	char *subnet;        /* may be NULL */
	size_t subnet_len;
};

static bool onlink_find(const struct onlink_query *q)
{
	const struct xlb_addr *a = q->a;
	struct ifaddrs *ifs, *i;
	bool found = false;

	if (getifaddrs(&ifs))
		return false;
	for (i = ifs; i && !found; i = i->ifa_next) {
		const uint8_t *ad, *m, *want;
		size_t len;

		if (!i->ifa_addr || !i->ifa_netmask || i->ifa_addr->sa_family != a->family ||
		    (i->ifa_flags & IFF_LOOPBACK) || (q->only && strcmp(q->only, i->ifa_name)))
			continue;
		if (a->family == AF_INET) {
			ad = (const uint8_t *)&((const struct sockaddr_in *)(const void *)i->ifa_addr)->sin_addr;
			m = (const uint8_t *)&((const struct sockaddr_in *)(const void *)i->ifa_netmask)->sin_addr;
			want = (const uint8_t *)&a->v4;
			len = 4;
		} else {
			const struct in6_addr *ad6 =
				&((const struct sockaddr_in6 *)(const void *)i->ifa_addr)->sin6_addr;

			if (IN6_IS_ADDR_LINKLOCAL(ad6))
				continue;
			ad = (const uint8_t *)ad6;
			m = (const uint8_t *)&((const struct sockaddr_in6 *)(const void *)i->ifa_netmask)->sin6_addr;
			want = (const uint8_t *)&a->v6;
			len = 16;
		}
		found = q->exact ? memcmp(want, ad, len) == 0 : same_subnet(want, ad, m, len);
		if (found && q->ifname)
			snprintf(q->ifname, IF_NAMESIZE, "%s", i->ifa_name);
		if (found && q->subnet)
			subnet_text(a->family, ad, m, len, q->subnet, q->subnet_len);
	}
	freeifaddrs(ifs);
	return found;
}

bool addr_on_link(const struct xlb_addr *a, char ifname[IF_NAMESIZE])
{
	return onlink_find(&(struct onlink_query){ .a = a, .ifname = ifname });
}

bool addr_in_subnet_of(const struct xlb_addr *a, const char *ifname, char *subnet, size_t len)
{
	return onlink_find(&(struct onlink_query){ .a = a, .only = ifname, .subnet = subnet,
						   .subnet_len = len });
}

bool addr_is_local(const struct xlb_addr *a)
{
	struct ifaddrs *ifs, *i;
	bool found = false;

	/* Any interface, loopback included (a VIP on lo answers ARP on every
	 * interface with Linux's default arp_ignore). */
	if (getifaddrs(&ifs))
		return false;
	for (i = ifs; i && !found; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != a->family)
			continue;
		if (a->family == AF_INET)
			found = ((const struct sockaddr_in *)(const void *)i->ifa_addr)->sin_addr.s_addr ==
				a->v4.s_addr;
		else
			found = IN6_ARE_ADDR_EQUAL(&((const struct sockaddr_in6 *)(const void *)i->ifa_addr)->sin6_addr,
						   &a->v6);
	}
	freeifaddrs(ifs);
	return found;
}
