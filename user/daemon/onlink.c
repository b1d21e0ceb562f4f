// SPDX-License-Identifier: MIT
#include "daemon/onlink.h"

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

bool addr_on_link(const struct xlb_addr *a, char ifname[IF_NAMESIZE])
{
	struct ifaddrs *ifs, *i;
	bool found = false;

	if (getifaddrs(&ifs))
		return false;
	for (i = ifs; i && !found; i = i->ifa_next) {
		if (!i->ifa_addr || !i->ifa_netmask || i->ifa_addr->sa_family != a->family ||
		    (i->ifa_flags & IFF_LOOPBACK))
			continue;
		if (a->family == AF_INET) {
			const struct sockaddr_in *ad = (const void *)i->ifa_addr, *m = (const void *)i->ifa_netmask;

			found = same_subnet((const uint8_t *)&a->v4, (const uint8_t *)&ad->sin_addr,
					    (const uint8_t *)&m->sin_addr, 4);
		} else {
			const struct sockaddr_in6 *ad = (const void *)i->ifa_addr, *m = (const void *)i->ifa_netmask;

			found = !IN6_IS_ADDR_LINKLOCAL(&ad->sin6_addr) &&
				same_subnet((const uint8_t *)&a->v6, (const uint8_t *)&ad->sin6_addr,
					    (const uint8_t *)&m->sin6_addr, 16);
		}
		if (found)
			snprintf(ifname, IF_NAMESIZE, "%s", i->ifa_name);
	}
	freeifaddrs(ifs);
	return found;
}
