/* SPDX-License-Identifier: MIT */
/* Whether an address is on a link of this host: inside the subnet of one of
 * its interface addresses (what `forwarding: dsr` needs of a member, since
 * only the destination MAC is rewritten, and what makes clients ARP for a
 * VIP), or one of its addresses. */
#ifndef XLB_ONLINK_H
#define XLB_ONLINK_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#include "lib/addr.h"

/* true, with the interface's name in ifname, when a subnet holds a. */
bool addr_on_link(const struct xlb_addr *a, char ifname[IF_NAMESIZE]);
/* true, with the subnet ("198.18.0.0/24") in subnet, when a subnet of
 * interface ifname holds a. */
bool addr_in_subnet_of(const struct xlb_addr *a, const char *ifname, char *subnet, size_t len);
/* true when a is an address of this host (any interface, lo included). */
bool addr_is_local(const struct xlb_addr *a);

#endif
