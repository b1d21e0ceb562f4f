// SPDX-License-Identifier: MIT
#include "health/sm.h"

bool health_sm_feed(struct health_sm *sm, bool ok, uint32_t rise, uint32_t fall,
		    uint32_t *run, uint32_t *need)
{
	enum xlb_health_state to = sm->state;

	/* Runs saturate rather than wrap: a member up for years stays up. */
	if (ok) {
		sm->fail_run = 0;
		if (sm->ok_run < UINT32_MAX)
			sm->ok_run++;
	} else {
		sm->ok_run = 0;
		if (sm->fail_run < UINT32_MAX)
			sm->fail_run++;
	}

	switch (sm->state) {
	case XLB_HEALTH_PENDING:
		/* Never served yet: one pass is enough to start. */
		if (ok) {
			to = XLB_HEALTH_UP;
			*run = *need = 1;
		} else if (sm->fail_run >= fall) {
			to = XLB_HEALTH_DOWN;
			*run = sm->fail_run;
			*need = fall;
		}
		break;
	case XLB_HEALTH_UP:
		if (!ok && sm->fail_run >= fall) {
			to = XLB_HEALTH_DOWN;
			*run = sm->fail_run;
			*need = fall;
		}
		break;
	case XLB_HEALTH_DOWN:
		if (ok && sm->ok_run >= rise) {
			to = XLB_HEALTH_UP;
			*run = sm->ok_run;
			*need = rise;
		}
		break;
	}
	if (to == sm->state)
		return false;
	sm->state = to;
	return true;
}
