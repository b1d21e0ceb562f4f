/* SPDX-License-Identifier: MIT */
/* The rise/fall state machine of one member, apart from any socket so that
 * every sequence can be tested exactly (see health.h for the rules). */
#ifndef XLB_HEALTH_SM_H
#define XLB_HEALTH_SM_H

#include <stdbool.h>
#include <stdint.h>

#include "health/health.h"

struct health_sm {
	enum xlb_health_state state;
	uint32_t ok_run, fail_run; /* consecutive passes, failures */
};

/* Feeds one check result.  Returns true when the state changed; then *run
 * and *need say which count reached which threshold ("3/3 checks failed"). */
bool health_sm_feed(struct health_sm *sm, bool ok, uint32_t rise, uint32_t fall,
		    uint32_t *run, uint32_t *need);

#endif
