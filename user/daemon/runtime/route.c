// SPDX-License-Identifier: MIT
/* How this host reaches a member: the source address the kernel would
 * use, and the checks done before anything is loaded. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>

#include "lib/log.h"
#include "dp/maps.h"
#include "daemon/backend.h"
#include "daemon/onlink.h"
#include "daemon/runtime/state.h"

/* The address the kernel would send from to reach the member: connecting
 * a UDP socket routes it without sending anything. */
int rt_route_source(const struct xlb_addr *dst, uint16_t port, struct xlb_addr *src)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, err = 0;

	len = addr_to_sockaddr(dst, port, &ss);
	fd = socket(dst->family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&ss, len) ||
	    getsockname(fd, (struct sockaddr *)&ss, &len)) {
		err = -errno;
		goto out;
	}
	src->family = dst->family;
	if (dst->family == AF_INET)
		src->v4 = ((struct sockaddr_in *)&ss)->sin_addr;
	else
		src->v6 = ((struct sockaddr_in6 *)&ss)->sin6_addr;
out:
	close(fd);
	return err;
}

/* The balancer's source toward one address of a member; an unroutable
 * member is an error that names it. */
int rt_member_route(const struct cfg_service *c, const struct cfg_member *cm,
			const struct xlb_addr *addr, struct xlb_addr *src)
{
	char name[XLB_INFO_NAME_MAX], text[XLB_ADDR_PORT_STRLEN];
	int err = rt_route_source(addr, cm->port, src);

	if (err) {
		backend_name(cm, addr, name, sizeof(name));
		log_err("%s: member %s %s: no route from this host (%s); add a route or fix "
			"the address",
			c->name, name, addr_format_port(addr, cm->port, text, sizeof(text)),
			strerror(-err));
	}
	return err;
}

/* dsr rewrites only the destination MAC: a member must be on a link of
 * this host, or its frames would go to a router.  What the member must do
 * itself (the VIP on loopback, arp_ignore/arp_announce) cannot be seen from
 * here; the log says where it is written. */
void rt_dsr_warn(const struct cfg_service *c, const struct rt_member *m)
{
	char ifname[IF_NAMESIZE], text[XLB_ADDR_PORT_STRLEN];

	if (addr_on_link(&m->addr, ifname))
		return;
	log_warn("%s: member %s %s is in no subnet of this host's interfaces: forwarding dsr "
		 "only rewrites the destination MAC, so the member must share an L2 segment "
		 "with xlb (docs/operations.md)",
		 c->name, m->name, addr_format_port(&m->addr, m->port, text, sizeof(text)));
}

int runtime_preflight(const struct xlb_config *cfg)
{
	struct xlb_addr addrs[64], src;
	int err = 0;

	for (size_t i = 0; i < cfg->n_services; i++) {
		const struct cfg_service *c = &cfg->services[i];
		int e = 0;

		for (size_t j = 0; j < c->n_members; j++) {
			size_t n;

			e = resolve_member(c, &c->members[j], addrs, 64, &n);
			for (size_t k = 0; !e && !c->n_snat && k < n; k++)
				e = rt_member_route(c, &c->members[j], &addrs[k], &src);
			if (e)
				err = e;
			e = 0;
		}
	}
	return err;
}
