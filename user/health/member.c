// SPDX-License-Identifier: MIT
/* A member's record: made from the daemon's spec, freed, and read. */
#include "health/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"

int health_member_new(struct health *h, const struct health_member_spec *spec,
		      struct health_member **out)
{
	struct health_member *m;
	char addrbuf[INET6_ADDRSTRLEN + 8];
	int err;

	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->h = h;
	m->fd = -1;
	m->user = spec->user;
	heap_node_init(&m->timer);
	err = health_sa_copy(&m->addr, &m->targetlen, spec->addr, spec->addrlen);
	if (err) {
		log_err("health: member %s: not an IPv4 or IPv6 address",
			spec->name ? spec->name : "?");
		goto err_free;
	}
	if (spec->source) {
		err = health_sa_copy(&m->source, &m->sourcelen, spec->source, spec->sourcelen);
		if (!err && m->source.sa.sa_family != m->addr.sa.sa_family)
			err = -EAFNOSUPPORT;
		if (err) {
			log_err("health: member %s: source address of another family",
				spec->name ? spec->name : "?");
			goto err_free;
		}
		health_sa_set_port(&m->source, 0);
	}
	health_addr_str(&m->addr.sa, addrbuf, sizeof(addrbuf));
	m->service = strdup(spec->service ? spec->service : "");
	m->unnamed = !spec->name || !*spec->name;
	m->name = strdup(m->unnamed ? addrbuf : spec->name);
	err = -ENOMEM;
	if (!m->service || !m->name)
		goto err_free;
	err = health_params_install(m, &spec->params);
	if (err)
		goto err_free;
	*out = m;
	return 0;

err_free:
	health_member_free(m);
	return err;
}

void health_member_free(struct health_member *m)
{
	free(m->service);
	free(m->name);
	free(m->path);
	free(m->host);
	free(m->request);
	free(m->rbuf);
	free(m);
}

void health_get(const struct health_member *m, struct health_status *st)
{
	st->state = m->sm.state;
	st->last = m->last;
	st->ok_run = m->sm.ok_run;
	st->fail_run = m->sm.fail_run;
	st->checks = m->checks;
	st->passes = m->passes;
	st->in_flight = m->phase >= PHASE_CONNECTING;
}

enum xlb_health_state health_member_state(const struct health_member *m)
{
	return m->sm.state;
}

void *health_member_user(const struct health_member *m)
{
	return m->user;
}

const char *health_member_name(const struct health_member *m)
{
	return m->unnamed ? NULL : m->name;
}

const char *health_member_service(const struct health_member *m)
{
	return m->service;
}

const struct sockaddr *health_member_addr(const struct health_member *m)
{
	return &m->addr.sa;
}
