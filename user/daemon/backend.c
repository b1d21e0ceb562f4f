// SPDX-License-Identifier: MIT
#include "daemon/backend.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>

#include "lib/log.h"

/* While a name is known not to resolve, each retry is reported at debug
 * level only: the daemon said it once, and says when it works again. */
static bool resolve_quiet;

void resolve_set_quiet(bool quiet)
{
	resolve_quiet = quiet;
}

/* The backends of one member of the file: itself, or each address its
 * hostname resolves to in the VIP's family. */
int resolve_member(const struct cfg_service *svc, const struct cfg_member *cm,
		   struct xlb_addr *addrs, size_t cap, size_t *n)
{
	struct addrinfo hints = { .ai_family = svc->vip.family, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res, *ai;
	int rc;

	*n = 0;
	if (!cm->is_hostname) {
		addrs[(*n)++] = cm->addr;
		return 0;
	}
	rc = getaddrinfo(cm->host, NULL, &hints, &res);
	if (rc) {
		log_msg(resolve_quiet ? LOG_LVL_DEBUG : LOG_LVL_ERROR,
			"%s: member %s: cannot resolve '%s': %s", svc->name, cm->name, cm->host,
			gai_strerror(rc));
		return -EHOSTUNREACH;
	}
	for (ai = res; ai && *n < cap; ai = ai->ai_next) {
		struct xlb_addr a = { .family = (sa_family_t)ai->ai_family };
		bool dup = false;

		if (ai->ai_family == AF_INET)
			a.v4 = ((struct sockaddr_in *)ai->ai_addr)->sin_addr;
		else
			a.v6 = ((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr;
		for (size_t i = 0; i < *n; i++)
			dup |= addr_equal(&addrs[i], &a);
		if (!dup)
			addrs[(*n)++] = a;
	}
	freeaddrinfo(res);
	if (!*n) {
		log_msg(resolve_quiet ? LOG_LVL_DEBUG : LOG_LVL_ERROR,
			"%s: member %s: '%s' has no %s address", svc->name, cm->name, cm->host,
			addr_family_name(svc->vip.family));
		return -EHOSTUNREACH;
	}
	return 0;
}

void backend_name(const struct cfg_member *cm, const struct xlb_addr *a, char *buf, size_t len)
{
	char text[INET6_ADDRSTRLEN];

	if (cm->is_hostname)
		snprintf(buf, len, "%s#%s", cm->name, addr_format(a, text, sizeof(text)));
	else
		snprintf(buf, len, "%s", cm->name);
}

void backend_health_params(const struct cfg_health *c, const char *host,
			   struct health_params *p)
{
	health_params_default(p);
	p->type = c->type;
	p->port = c->port;
	p->interval_ms = c->interval_ms;
	p->timeout_ms = c->timeout_ms;
	p->rise = c->rise;
	p->fall = c->fall;
	p->http_path = c->path;
	p->http_host = host;
	p->http_status = c->expect;
}

void backend_host(const struct cfg_member *cm, const struct xlb_addr *a, char *buf, size_t len)
{
	if (cm->is_hostname)
		snprintf(buf, len, "%s", cm->host);
	else
		addr_format(a, buf, len);
}
