// SPDX-License-Identifier: MIT
#include "cmd/status_rates.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int status_rates_alloc(struct status_rates *r)
{
	memset(r, 0, sizeof(*r));
	r->svc = calloc(XLB_MAX_SERVICES, sizeof(*r->svc));
	r->mbr = calloc(XLB_MAX_MEMBERS, sizeof(*r->mbr));
	if (!r->svc || !r->mbr) {
		status_rates_free(r);
		return -ENOMEM;
	}
	return 0;
}

void status_rates_free(struct status_rates *r)
{
	free(r->svc);
	free(r->mbr);
	r->svc = NULL;
	r->mbr = NULL;
}

/* The increase of a counter; one that went down was reset and counts from 0. */
static double increase(__u64 before, __u64 after)
{
	return (double)(after >= before ? after - before : after);
}

static void traffic_rate(const struct xlb_traffic_stats *a, const struct xlb_traffic_stats *b,
			 double seconds, struct status_rate *out)
{
	out->known = true;
	out->new_conns = increase(a->new_flows, b->new_flows) / seconds;
	out->packets_in = increase(a->fwd_packets, b->fwd_packets) / seconds;
	out->packets_out = increase(a->reply_packets, b->reply_packets) / seconds;
	out->bytes_in = increase(a->fwd_bytes, b->fwd_bytes) / seconds;
	out->bytes_out = increase(a->reply_bytes, b->reply_bytes) / seconds;
}

static bool same_service(const struct view_service *a, const struct view_service *b)
{
	return a->info.in_use && b->info.in_use && strcmp(a->info.name, b->info.name) == 0;
}

static bool same_member(const struct view_member *a, const struct view_member *b)
{
	return a->info.family != XLB_FAMILY_NONE && b->info.family != XLB_FAMILY_NONE &&
	       a->info.service_id == b->info.service_id && strcmp(a->info.name, b->info.name) == 0;
}

void status_rates_compute(const struct status_view *before, const struct status_view *after,
			  struct status_rates *r)
{
	double s;

	memset(r->svc, 0, XLB_MAX_SERVICES * sizeof(*r->svc));
	memset(r->mbr, 0, XLB_MAX_MEMBERS * sizeof(*r->mbr));
	memset(r->reasons, 0, sizeof(r->reasons));
	r->seconds = 0;
	if (after->read_ns <= before->read_ns)
		return;
	s = r->seconds = (double)(after->read_ns - before->read_ns) / 1e9;
	for (__u32 id = 0; id < XLB_MAX_SERVICES; id++)
		if (same_service(&before->dp.svc[id], &after->dp.svc[id]))
			traffic_rate(&before->dp.svc[id].traffic, &after->dp.svc[id].traffic, s, &r->svc[id]);
	for (__u32 id = 0; id < XLB_MAX_MEMBERS; id++)
		if (same_member(&before->dp.mbr[id], &after->dp.mbr[id]))
			traffic_rate(&before->dp.mbr[id].traffic, &after->dp.mbr[id].traffic, s, &r->mbr[id]);
	for (unsigned i = 0; i < XLB_R_MAX; i++)
		r->reasons[i] = increase(before->dp.census.reasons[i], after->dp.census.reasons[i]) / s;
}
