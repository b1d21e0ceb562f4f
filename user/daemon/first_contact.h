/* SPDX-License-Identifier: MIT */
/* Setups that fail silently for someone trying xlb for the first time,
 * said once when `xlb run` starts: nothing is refused, since each can be
 * right on purpose. */
#ifndef XLB_FIRST_CONTACT_H
#define XLB_FIRST_CONTACT_H

#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"

/* IFACES: the interfaces xlb is attached to; XDP: attached with XDP (not
 * tc).  Warns about:
 *  - a VIP inside an attached interface's subnet that is no address of
 *    this host and not announced on the link (global: announce: l2, and
 *    not `announce: false`): clients on that subnet ARP for it and
 *    nothing answers;
 *  - a veth interface in native XDP mode: its peer may send partial
 *    checksums, which are wrong once a packet is rewritten. */
void first_contact_warn(const struct xlb_config *cfg, const char *const *ifaces, size_t n,
			bool xdp);

#endif
