/* SPDX-License-Identifier: MIT */
/* The one way a service is published: its serving members in pool order
 * become a slot table (and, for Maglev, a Maglev table), written with the
 * service in one generation flip, and `xlb status` learns how many serve.
 * The daemon publishes from its running state; `xlb drain|enable` with no
 * daemon publishes from what the pins say; both come here. */
#ifndef XLB_PUBLISH_H
#define XLB_PUBLISH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xlb/abi.h"
#include "xlb/info.h"

struct xlb_maps;

/* A member's identity for Maglev, formed from what the pins hold too. */
#define PUBLISH_KEY_MAX (XLB_INFO_NAME_MAX + 48 + 8)

struct publish_member {
	uint32_t id;
	uint32_t weight; /* 0: not serving (publish_weight) */
	char key[PUBLISH_KEY_MAX];
};

struct publish_service {
	struct xlb_svc_key key;
	struct xlb_service value; /* generation ignored */
	struct xlb_svc_info info; /* written with n_members and n_serving set */
	struct publish_member *members; /* in pool order */
	size_t n_members;
};

/* What a member weighs in the tables: its weight when it is UP and not
 * drained, else 0.  The one rule of who serves. */
uint32_t publish_weight(enum xlb_health_state state, bool drained, uint32_t weight);

/* Members of ps that serve (weight not 0): what `xlb status` and the
 * announce policy count. */
uint32_t publish_serving(const struct publish_service *ps);

/* The Maglev identity of a backend: "name|address|port". */
void publish_member_key(struct publish_member *pm, const char *name, const union xlb_ip *addr,
			__u8 family, uint16_t port);

/* Builds the tables and publishes them.  *n_slots (may be NULL) gets the
 * slot count.  0 or -errno, the data plane unchanged on failure. */
int publish_service(const struct xlb_maps *m, struct publish_service *ps, uint32_t *n_slots);

/* Publishes service svc_id again from the pins alone: its value, its
 * members (xlb_mbr_info) and their admin state (xlb_mbr_admin). */
int publish_service_from_pins(const struct xlb_maps *m, uint32_t svc_id);

#endif
