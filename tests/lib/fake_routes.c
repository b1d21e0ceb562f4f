// SPDX-License-Identifier: MIT
#include "fake_routes.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static long find(const struct fake_routes *f, uint32_t table, const struct xlb_addr *vip)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->route[i].table == table && addr_equal(&f->route[i].vip, vip))
			return (long)i;
	return -1;
}

static void log_write(struct fake_routes *f, const char *op, uint32_t table,
		      const struct xlb_addr *vip)
{
	char text[INET6_ADDRSTRLEN];
	size_t used = strlen(f->log);

	snprintf(f->log + used, sizeof(f->log) - used, "%s %u %s\n", op, table,
		 addr_format(vip, text, sizeof(text)));
}

static int fake_add(const struct announce_io *io, uint32_t table, const struct xlb_addr *vip)
{
	struct fake_routes *f = (struct fake_routes *)io;

	if (f->fail_writes)
		return f->fail_writes;
	if (find(f, table, vip) >= 0)
		return -EEXIST;
	if (f->n == FAKE_ROUTES_MAX)
		return -ENOSPC;
	f->route[f->n].table = table;
	f->route[f->n].vip = *vip;
	f->route[f->n++].xlb = true;
	f->writes++;
	log_write(f, "add", table, vip);
	return 0;
}

static int fake_del(const struct announce_io *io, uint32_t table, const struct xlb_addr *vip)
{
	struct fake_routes *f = (struct fake_routes *)io;
	long i = find(f, table, vip);

	if (f->fail_writes)
		return f->fail_writes;
	if (i < 0 || !f->route[i].xlb)
		return -ESRCH;
	f->route[i] = f->route[--f->n];
	f->writes++;
	log_write(f, "del", table, vip);
	return 0;
}

static int fake_each(const struct announce_io *io, uint32_t table,
		     int (*fn)(const struct xlb_addr *vip, void *ctx), void *ctx)
{
	const struct fake_routes *f = (const struct fake_routes *)io;

	for (size_t i = 0; i < f->n; i++) {
		int err;

		if (f->route[i].table != table || !f->route[i].xlb)
			continue;
		err = fn(&f->route[i].vip, ctx);
		if (err)
			return err;
	}
	return 0;
}

static uint64_t fake_now(const struct announce_io *io)
{
	return ((const struct fake_routes *)io)->now_ms;
}

void fake_routes_init(struct fake_routes *f)
{
	memset(f, 0, sizeof(*f));
	f->io = (struct announce_io){
		.add = fake_add, .del = fake_del, .each = fake_each, .now_ms = fake_now,
	};
	f->now_ms = 1000000;
}

void fake_routes_put(struct fake_routes *f, uint32_t table, const char *vip, bool xlb)
{
	struct xlb_addr a;

	if (addr_parse(vip, &a) || f->n == FAKE_ROUTES_MAX)
		return;
	f->route[f->n].table = table;
	f->route[f->n].vip = a;
	f->route[f->n++].xlb = xlb;
}

bool fake_routes_has(const struct fake_routes *f, uint32_t table, const char *vip)
{
	struct xlb_addr a;
	long i;

	if (addr_parse(vip, &a))
		return false;
	i = find(f, table, &a);
	return i >= 0 && f->route[i].xlb;
}

size_t fake_routes_count(const struct fake_routes *f)
{
	size_t n = 0;

	for (size_t i = 0; i < f->n; i++)
		n += f->route[i].xlb;
	return n;
}

void fake_routes_log_clear(struct fake_routes *f)
{
	f->log[0] = '\0';
}
