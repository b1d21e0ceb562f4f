// SPDX-License-Identifier: MIT
#include "view_build.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

static void set_ip(union xlb_ip *ip, const char *text)
{
	memset(ip, 0, sizeof(*ip));
	inet_pton(AF_INET, text, &ip->v4);
}

void view_add_service(struct dp_view *v, __u32 id, const char *name, const char *vip, __u16 port,
		      __u8 proto, enum xlb_fwd fwd, __u32 members)
{
	struct xlb_svc_info *i = &v->svc[id].info;

	snprintf(i->name, sizeof(i->name), "%s", name);
	set_ip(&i->key.vip, vip);
	i->key.family = XLB_FAMILY_IPV4;
	i->key.port = htons(port);
	i->key.proto = proto;
	i->in_use = 1;
	i->forwarding = (__u8)fwd;
	i->n_members = members;
	i->n_serving = members;
}

void view_add_member(struct dp_view *v, __u32 id, __u32 svc, __u32 order, const char *name,
		     const char *addr, __u16 port)
{
	struct xlb_mbr_info *i = &v->mbr[id].info;

	snprintf(i->name, sizeof(i->name), "%s", name);
	set_ip(&i->addr, addr);
	i->family = XLB_FAMILY_IPV4;
	i->port = htons(port);
	i->state = XLB_HEALTH_UP;
	i->weight = 1;
	i->service_id = svc;
	i->order = order;
}
