/* SPDX-License-Identifier: MIT */
/* Rates from two status readings (cmd/status_view.h): what `xlb top`
 * shows.  A pure function of the two views and the time between them, so
 * it is tested without root from views built by hand.  A counter that went
 * down was reset (the daemon restarted, an id was given to another member)
 * and counts from zero, as Prometheus's rate() takes it. */
#ifndef XLB_STATUS_RATES_H
#define XLB_STATUS_RATES_H

#include <stdbool.h>

#include "cmd/status_view.h"

/* Per second, of one service or member. */
struct status_rate {
	bool known; /* in both readings as the same service or member */
	double new_conns;
	double packets_in, packets_out;
	double bytes_in, bytes_out;
};

struct status_rates {
	double seconds; /* between the two readings; 0: one reading, no rates */
	struct status_rate *svc; /* XLB_MAX_SERVICES, by service id */
	struct status_rate *mbr; /* XLB_MAX_MEMBERS, by member id */
	double reasons[XLB_R_MAX]; /* packets by outcome */
};

/* Allocates r's arrays (zeroed, seconds 0); 0 or -ENOMEM. */
int status_rates_alloc(struct status_rates *r);
void status_rates_free(struct status_rates *r);

/* r from the readings before and after (after->read_ns > before->read_ns,
 * else r says no rates). */
void status_rates_compute(const struct status_view *before, const struct status_view *after,
			  struct status_rates *r);

#endif
