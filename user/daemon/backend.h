/* SPDX-License-Identifier: MIT */
/* A member of the file becomes one backend per address: a hostname member
 * every address of the VIP's family, each checked and balanced on its own
 * (the seed checked one A record).  Shared by the daemon and `xlb pick`. */
#ifndef XLB_BACKEND_H
#define XLB_BACKEND_H

#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"
#include "health/health.h"

/* The addresses of member CM of service SVC: its literal, or each distinct
 * A/AAAA record of its hostname in the VIP's family (at most CAP).
 * -EHOSTUNREACH, logged, when the name does not resolve or has none. */
int resolve_member(const struct cfg_service *svc, const struct cfg_member *cm,
		   struct xlb_addr *addrs, size_t cap, size_t *n);
/* With QUIET, resolve_member reports failures at debug level only. */
void resolve_set_quiet(bool quiet);

/* "newrelic.com" for a literal member, "newrelic.com#142.251.33.110" for
 * one address of a hostname member. */
void backend_name(const struct cfg_member *cm, const struct xlb_addr *a, char *buf, size_t len);

/* What an HTTP check sends as Host: the member's hostname, or the address. */
void backend_host(const struct cfg_member *cm, const struct xlb_addr *a, char *buf, size_t len);

/* The health engine's settings for a member's checks; HOST is the HTTP
 * Host header (the hostname, or the address). */
void backend_health_params(const struct cfg_health *c, const char *host,
			   struct health_params *p);

#endif
