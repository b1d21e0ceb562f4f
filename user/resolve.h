/* SPDX-License-Identifier: MIT */
/* Hostname members become backends: every address of the VIP's family,
 * each checked and balanced on its own (the seed checked one A record). */
#ifndef XLB_RESOLVE_H
#define XLB_RESOLVE_H

#include <stddef.h>

#include "config.h"

/* The addresses of member CM of service SVC: its literal, or each distinct
 * A/AAAA record of its hostname in the VIP's family (at most CAP).
 * -EHOSTUNREACH, logged, when the name does not resolve or has none. */
int resolve_member(const struct cfg_service *svc, const struct cfg_member *cm,
		   struct xlb_addr *addrs, size_t cap, size_t *n);

/* "newrelic.com" for a literal member, "newrelic.com#142.251.33.110" for
 * one address of a hostname member. */
void backend_name(const struct cfg_member *cm, const struct xlb_addr *a, char *buf, size_t len);

#endif
