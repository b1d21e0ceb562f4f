/* SPDX-License-Identifier: MIT */
/* A data plane's view (daemon/dp_view.h) built by hand, for the tests of
 * what writes it out: xlb status and the metrics endpoint. */
#ifndef XLB_TEST_VIEW_BUILD_H
#define XLB_TEST_VIEW_BUILD_H

#include "daemon/dp_view.h"

/* An IPv4 service in use with `members` members, all serving. */
void view_add_service(struct dp_view *v, __u32 id, const char *name, const char *vip, __u16 port,
		      __u8 proto, enum xlb_fwd fwd, __u32 members);
/* An IPv4 member, UP, weight 1, at position order of service svc. */
void view_add_member(struct dp_view *v, __u32 id, __u32 svc, __u32 order, const char *name,
		     const char *addr, __u16 port);

#endif
