/* SPDX-License-Identifier: MIT */
/* Status views built by hand (cmd/status_view.h) for the tests of what
 * `xlb status` and `xlb top` print: an IPv4 service or member put in a
 * view as the pins would give it, in use, UP, weight 1. */
#ifndef XLB_STATUS_FIXTURE_H
#define XLB_STATUS_FIXTURE_H

#include "cmd/status_view.h"

void fixture_set_ip(union xlb_ip *ip, const char *text);
void fixture_add_service(struct status_view *v, __u32 id, const char *name, const char *vip,
			 __u16 port, __u8 proto, enum xlb_fwd fwd, __u32 members);
void fixture_add_member(struct status_view *v, __u32 id, __u32 svc, __u32 order, const char *name,
			const char *addr, __u16 port);

#endif
