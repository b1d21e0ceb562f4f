// SPDX-License-Identifier: MIT
#include "daemon/first_contact.h"

#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "daemon/onlink.h"
#include "dp/dataplane.h"
#include "dp/rtnl.h"
#include "lib/log.h"

static bool vip_seen_before(const struct xlb_config *cfg, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (addr_equal(&cfg->services[j].vip, &cfg->services[i].vip))
			return true;
	return false;
}

/* Whether xlb answers ARP/ND for a VIP: l2 on and some service on it
 * announced (announce: false keeps a service's VIP off the link). */
static bool vip_on_link(const struct xlb_config *cfg, const struct xlb_addr *vip)
{
	if (!cfg->global.announce.l2)
		return false;
	for (size_t i = 0; i < cfg->n_services; i++)
		if (cfg->services[i].announce.enabled && addr_equal(&cfg->services[i].vip, vip))
			return true;
	return false;
}

static void warn_unanswered_vips(const struct xlb_config *cfg, const char *const *ifaces,
				 size_t n)
{
	for (size_t i = 0; i < cfg->n_services; i++) {
		const struct cfg_service *s = &cfg->services[i];
		char vip[INET6_ADDRSTRLEN], subnet[INET6_ADDRSTRLEN + 8];

		if (cfg_vip_is_local(s) || vip_seen_before(cfg, i) || vip_on_link(cfg, &s->vip) ||
		    addr_is_local(&s->vip))
			continue;
		for (size_t k = 0; k < n; k++) {
			if (!addr_in_subnet_of(&s->vip, ifaces[k], subnet, sizeof(subnet)))
				continue;
			log_warn("service %s: VIP %s is inside %s's subnet %s but is no address of "
				 "this host: clients on that subnet will ARP for it and nothing "
				 "answers: add the VIP to an interface, or %s", s->name,
				 addr_format(&s->vip, vip, sizeof(vip)), ifaces[k], subnet,
				 cfg->global.announce.l2
					 ? "remove 'announce: false' from the service (with "
					   "global.announce.l2 xlb answers for it while it is served)"
					 : "set global.announce.l2: true");
			break;
		}
	}
}

static void warn_veth_native(const char *const *ifaces, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		int ifindex = (int)if_nametoindex(ifaces[k]);
		char peer[IF_NAMESIZE + 48], name[IF_NAMESIZE];
		struct rtnl_link l;

		if (!ifindex || rtnl_link_get(ifindex, &l) || strcmp(l.kind, "veth") ||
		    strcmp(xlb_dp_xdp_mode(ifindex), "native"))
			continue;
		if (!l.peer_ifindex)
			snprintf(peer, sizeof(peer), "the other end of the pair");
		else if (l.peer_elsewhere || !if_indextoname((unsigned)l.peer_ifindex, name))
			snprintf(peer, sizeof(peer), "the peer: ifindex %d in another network namespace",
				 l.peer_ifindex);
		else
			snprintf(peer, sizeof(peer), "the peer: %s", name);
		log_warn("%s: a veth interface in native XDP mode: its peer may send partial "
			 "checksums, and a rewritten packet then arrives with a wrong one: run "
			 "`ethtool -K PEER tx off` on the sender (%s), or use --mode tc "
			 "(docs/operations.md, \"Member setup\")", ifaces[k], peer);
	}
}

void first_contact_warn(const struct xlb_config *cfg, const char *const *ifaces, size_t n,
			bool xdp)
{
	warn_unanswered_vips(cfg, ifaces, n);
	if (xdp)
		warn_veth_native(ifaces, n);
}
