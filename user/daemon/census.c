// SPDX-License-Identifier: MIT
#include "daemon/census.h"

#include <errno.h>
#include <string.h>

int census_view_read(const struct xlb_maps *m, struct census_view *v)
{
	int err;

	memset(&v->total, 0, sizeof(v->total));
	v->err = xlb_maps_census_read(m, &v->total, v->mbr, v->svc);
	if (v->err && v->err != -ENODATA && v->err != -EAGAIN)
		return v->err;
	if (v->err) {
		memset(&v->total, 0, sizeof(v->total));
		if (v->mbr)
			memset(v->mbr, 0, XLB_MAX_MEMBERS * sizeof(*v->mbr));
		if (v->svc)
			memset(v->svc, 0, XLB_MAX_SERVICES * sizeof(*v->svc));
	}
	err = xlb_maps_dp_state(m, &v->state);
	if (!err)
		err = xlb_maps_event_stats(m, v->events);
	if (!err)
		err = xlb_maps_reason_stats(m, v->reasons);
	return err;
}

__u64 census_refused(const __u64 reasons[XLB_R_MAX])
{
	return reasons[XLB_R_TX_RST_TABLE_FULL] + reasons[XLB_R_TX_UNREACH_TABLE_FULL] +
	       reasons[XLB_R_DROP_TABLE_FULL];
}
