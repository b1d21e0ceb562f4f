// SPDX-License-Identifier: MIT
#include "daemon/dp_view.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int dp_view_alloc(struct dp_view *v)
{
	v->svc = calloc(XLB_MAX_SERVICES, sizeof(*v->svc));
	v->mbr = calloc(XLB_MAX_MEMBERS, sizeof(*v->mbr));
	v->census.svc = calloc(XLB_MAX_SERVICES, sizeof(*v->census.svc));
	v->census.mbr = calloc(XLB_MAX_MEMBERS, sizeof(*v->census.mbr));
	if (!v->svc || !v->mbr || !v->census.svc || !v->census.mbr) {
		dp_view_free(v);
		return -ENOMEM;
	}
	return 0;
}

void dp_view_free(struct dp_view *v)
{
	free(v->svc);
	free(v->mbr);
	free(v->census.svc);
	free(v->census.mbr);
	v->svc = NULL;
	v->mbr = NULL;
	v->census.svc = NULL;
	v->census.mbr = NULL;
}

/* A member's snat pool size, from its entry in xlb_members. */
static __u16 member_snat_n(const struct xlb_maps *m, __u32 id)
{
	struct xlb_member mbr;

	if (xlb_maps_member_get(m, id, &mbr))
		return 0;
	return mbr.snat_n;
}

int dp_view_read(struct dp_view *v, const struct xlb_maps *m)
{
	int err;

	for (__u32 id = 0; id < XLB_MAX_SERVICES; id++) {
		struct view_service *s = &v->svc[id];

		memset(s, 0, sizeof(*s));
		if (xlb_maps_svc_info_get(m, id, &s->info) || !s->info.in_use)
			continue;
		xlb_maps_service_stats(m, id, &s->traffic);
	}
	for (__u32 id = 0; id < XLB_MAX_MEMBERS; id++) {
		struct view_member *mb = &v->mbr[id];

		memset(mb, 0, sizeof(*mb));
		if (xlb_maps_mbr_info_get(m, id, &mb->info) || mb->info.family == XLB_FAMILY_NONE)
			continue;
		xlb_maps_member_stats(m, id, &mb->traffic);
		mb->admin = xlb_maps_mbr_admin_get(m, id);
		mb->snat_n = member_snat_n(m, id);
	}
	err = xlb_maps_meta(m, &v->meta);
	if (!err)
		err = census_view_read(m, &v->census);
	return err;
}

__u64 dp_view_nat_ports(const struct dp_view *v, __u32 member_id)
{
	__u16 n = v->mbr[member_id].snat_n;

	return (__u64)(n > 1 ? n : 1) * v->meta.nat_ports;
}

size_t dp_view_service_members(const struct dp_view *v, __u32 svc_id, __u32 *ids, size_t cap)
{
	size_t n = 0;

	for (__u32 id = 0; id < XLB_MAX_MEMBERS && n < cap; id++)
		if (v->mbr[id].info.family != XLB_FAMILY_NONE && v->mbr[id].info.service_id == svc_id)
			ids[n++] = id;
	for (size_t i = 1; i < n; i++) {
		__u32 x = ids[i];
		size_t j = i;

		for (; j > 0 && v->mbr[ids[j - 1]].info.order > v->mbr[x].info.order; j--)
			ids[j] = ids[j - 1];
		ids[j] = x;
	}
	return n;
}
