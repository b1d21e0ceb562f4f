// SPDX-License-Identifier: MIT
/* The running state in three numbers, for the service manager's STATUS=. */
#include "daemon/publish.h"
#include "daemon/runtime/state.h"

void runtime_summarize(const struct runtime *rt, struct runtime_summary *s)
{
	*s = (struct runtime_summary){ 0 };
	for (uint32_t id = 0; rt && id < XLB_MAX_SERVICES; id++) {
		const struct rt_service *svc = rt->services[id];

		if (!svc)
			continue;
		s->services++;
		for (size_t i = 0; i < svc->n_members; i++) {
			const struct rt_member *m = svc->members[i];

			s->members++;
			s->serving += m->hm && publish_weight(health_member_state(m->hm),
							      m->admin_drain, m->weight) > 0;
		}
	}
}
