// SPDX-License-Identifier: MIT
/* A member's check settings: the defaults, their validation, and what is
 * built from them once rather than per check (the address a check
 * connects to, the HTTP request). */
#include "health/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "health/http.h"
#include "lib/log.h"

void health_params_default(struct health_params *p)
{
	memset(p, 0, sizeof(*p));
	p->type = XLB_CHECK_TCP;
	p->interval_ms = 2000;
	p->timeout_ms = 1000;
	p->rise = 2;
	p->fall = 3;
	p->http_status = 200;
}

int health_params_validate(const struct health_params *p)
{
	if (p->type != XLB_CHECK_TCP && p->type != XLB_CHECK_HTTP && p->type != XLB_CHECK_NONE) {
		log_err("health: unknown check type %d", (int)p->type);
		return -EINVAL;
	}
	if (p->type == XLB_CHECK_NONE)
		return 0;
	if (p->interval_ms < 1 || p->timeout_ms < 1 || p->rise < 1 || p->fall < 1) {
		log_err("health: interval, timeout, rise and fall must be at least 1");
		return -EINVAL;
	}
	if (p->http_status && (p->http_status < 100 || p->http_status > 999)) {
		log_err("health: expected HTTP status %d is not 100..999", p->http_status);
		return -EINVAL;
	}
	return 0;
}

int health_params_install(struct health_member *m, const struct health_params *p)
{
	char *path = NULL, *host = NULL, *request = NULL, *rbuf = m->rbuf;
	size_t request_len = 0;
	int err;

	err = health_params_validate(p);
	if (err)
		return err;
	if (p->type == XLB_CHECK_HTTP) {
		char hostbuf[INET6_ADDRSTRLEN + 8];
		union health_sa target = m->addr;
		uint16_t port = p->port ? p->port : health_sa_port(&m->addr);

		/* The address, with the port unless it is 80, as RFC 9110 has
		 * it for Host. */
		health_sa_set_port(&target, port);
		health_addr_str(&target.sa, hostbuf, sizeof(hostbuf));
		if (port == 80)
			*strrchr(hostbuf, ':') = '\0';
		path = strdup(p->http_path ? p->http_path : "/");
		host = strdup(p->http_host ? p->http_host : hostbuf);
		if (!rbuf)
			rbuf = malloc(HEALTH_HTTP_READ_MAX);
		err = -ENOMEM;
		if (!path || !host || !rbuf)
			goto err_free;
		err = health_http_request(path, host, &request, &request_len);
		if (err) {
			if (err == -EINVAL)
				log_err("health: HTTP path \"%s\" or host \"%s\" holds a space "
					"or line break", path, host);
			goto err_free;
		}
	}
	free(m->path);
	free(m->host);
	free(m->request);
	m->path = path;
	m->host = host;
	m->request = request;
	m->request_len = request_len;
	m->rbuf = rbuf;
	m->p = *p;
	m->p.http_path = path;
	m->p.http_host = host;
	m->target = m->addr;
	if (p->port)
		health_sa_set_port(&m->target, p->port);
	return 0;

err_free:
	free(path);
	free(host);
	if (rbuf != m->rbuf)
		free(rbuf);
	return err;
}
