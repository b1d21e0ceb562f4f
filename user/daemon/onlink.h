/* SPDX-License-Identifier: MIT */
/* Whether an address is on a link of this host: inside the subnet of one of
 * its interface addresses (what `forwarding: dsr` needs of a member, since
 * only the destination MAC is rewritten). */
#ifndef XLB_ONLINK_H
#define XLB_ONLINK_H

#include <net/if.h>
#include <stdbool.h>

#include "lib/addr.h"

/* true, with the interface's name in ifname, when a subnet holds a. */
bool addr_on_link(const struct xlb_addr *a, char ifname[IF_NAMESIZE]);

#endif
