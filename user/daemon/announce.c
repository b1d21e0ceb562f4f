// SPDX-License-Identifier: MIT
#include "daemon/announce.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "config/config.h"
#include "dp/maps.h"
#include "dp/rtnl.h"
#include "lib/log.h"

/* One service's wish.  NEW: not evaluated since it appeared (or since its
 * VIP changed): the first evaluation continues a route already there. */
enum { SVC_NEW = XLB_ANNOUNCE_N };

struct announce_svc {
	bool used;
	char name[XLB_NAME_MAX];
	struct xlb_addr vip;
	struct announce_params p;
	uint32_t serving;
	unsigned state; /* enum xlb_announce, or SVC_NEW */
	uint64_t due_ms; /* XLB_ANNOUNCE_UP_DELAY: when it turns ON */
};

/* A set of VIPs. */
struct vip_set {
	struct xlb_addr *v;
	size_t n, cap;
};

struct announce {
	const struct announce_io *io;
	int timer_fd;
	uint32_t table;
	/* xlb's routes in the table, as last read or written. */
	struct vip_set routes;
	/* The VIPs the link answers for (NULL link: none), the same way. */
	const struct announce_link *link;
	struct vip_set linked;
	struct announce_svc svc[XLB_MAX_SERVICES];
};

/* ---- the kernel ------------------------------------------------------------ */

static int kernel_add(const struct announce_io *io, uint32_t table, const struct xlb_addr *vip)
{
	return rtnl_route_add(table, vip);
}

static int kernel_del(const struct announce_io *io, uint32_t table, const struct xlb_addr *vip)
{
	return rtnl_route_del(table, vip);
}

static int kernel_each(const struct announce_io *io, uint32_t table,
		       int (*fn)(const struct xlb_addr *vip, void *ctx), void *ctx)
{
	return rtnl_route_each(table, fn, ctx);
}

static uint64_t clock_ms(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t kernel_now_ms(const struct announce_io *io)
{
	return clock_ms(CLOCK_MONOTONIC);
}

const struct announce_io announce_io_kernel = {
	.add = kernel_add, .del = kernel_del, .each = kernel_each, .now_ms = kernel_now_ms,
};

/* ---- sets of VIPs: routes installed, VIPs answered on the link ------------ */

static bool set_has(const struct vip_set *set, const struct xlb_addr *vip)
{
	for (size_t i = 0; i < set->n; i++)
		if (addr_equal(&set->v[i], vip))
			return true;
	return false;
}

/* ctx: the set (a callback of io->each and link->each). */
static int set_add(const struct xlb_addr *vip, void *ctx)
{
	struct vip_set *set = ctx;

	if (set_has(set, vip))
		return 0;
	if (set->n == set->cap) {
		size_t cap = set->cap ? 2 * set->cap : 16;
		struct xlb_addr *grown = realloc(set->v, cap * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		set->v = grown;
		set->cap = cap;
	}
	set->v[set->n++] = *vip;
	return 0;
}

static void set_remove(struct vip_set *set, size_t i)
{
	set->v[i] = set->v[--set->n];
}

/* ---- life cycle ------------------------------------------------------------ */

int announce_new(const struct announce_io *io, struct announce **out)
{
	struct announce *a = calloc(1, sizeof(*a));

	if (!a)
		return -ENOMEM;
	a->io = io ? io : &announce_io_kernel;
	a->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (a->timer_fd < 0) {
		int err = -errno;

		free(a);
		return err;
	}
	*out = a;
	return 0;
}

void announce_free(struct announce *a)
{
	if (!a)
		return;
	close(a->timer_fd);
	free(a->routes.v);
	free(a->linked.v);
	free(a);
}

int announce_fd(const struct announce *a)
{
	return a->timer_fd;
}

uint32_t announce_table(const struct announce *a)
{
	return a->table;
}

int announce_set_table(struct announce *a, uint32_t table)
{
	char text[INET6_ADDRSTRLEN];
	int err;

	if (table == a->table)
		return 0;
	for (size_t i = 0; i < a->routes.n; i++) {
		err = a->io->del(a->io, a->table, &a->routes.v[i]);
		if (err && err != -ESRCH)
			log_errno(err, "%s: cannot remove its route from table %u",
				  addr_format(&a->routes.v[i], text, sizeof(text)), a->table);
		else
			log_warn("%s: withdrawn from table %u (the announce table is now %s%u)",
				 addr_format(&a->routes.v[i], text, sizeof(text)), a->table,
				 table ? "" : "none: ", table);
	}
	a->routes.n = 0;
	a->table = table;
	if (!table)
		return 0;
	err = a->io->each(a->io, table, set_add, &a->routes);
	if (err)
		return log_errno(err, "cannot read routing table %u (the announce table)", table);
	if (a->routes.n)
		log_info("table %u holds %zu route%s of xlb: each one still announced stays",
			 table, a->routes.n, a->routes.n == 1 ? "" : "s");
	return 0;
}

int announce_set_link(struct announce *a, const struct announce_link *link)
{
	char text[INET6_ADDRSTRLEN];
	int err;

	if (link == a->link)
		return 0;
	for (size_t i = 0; i < a->linked.n; i++) {
		err = a->link->del(a->link, &a->linked.v[i]);
		addr_format(&a->linked.v[i], text, sizeof(text));
		if (err)
			log_errno(err, "%s: cannot stop answering ARP/ND for it", text);
		else
			log_warn("%s: no longer answered on the link (global.announce.l2 is off)", text);
	}
	a->linked.n = 0;
	a->link = link;
	if (!link)
		return 0;
	err = link->each(link, set_add, &a->linked);
	if (err)
		return log_errno(err, "cannot read the VIPs the data plane answers ARP/ND for");
	if (a->linked.n)
		log_info("the data plane answers ARP/ND for %zu VIP%s: each one still announced stays",
			 a->linked.n, a->linked.n == 1 ? "" : "s");
	return 0;
}

/* ---- the wishes ------------------------------------------------------------- */

static void log_wish(const struct announce_svc *s, unsigned from)
{
	char vip[INET6_ADDRSTRLEN], why[96];
	struct xlb_svc_info info = { .n_serving = s->serving,
				     .announce_min_members = s->p.min_members,
				     .announce = (__u8)s->state };

	addr_format(&s->vip, vip, sizeof(vip));
	if (s->state == XLB_ANNOUNCE_UP_DELAY)
		log_info("%s: %u serving member%s (%u needed): %s is announced in %s if the "
			 "service keeps them (up_delay)", s->name, s->serving,
			 s->serving == 1 ? "" : "s", s->p.min_members, vip,
			 cfg_format_duration(s->p.up_delay_ms, why, sizeof(why)));
	else if (from == XLB_ANNOUNCE_UP_DELAY && s->state == XLB_ANNOUNCE_TOO_FEW)
		log_warn("%s: up-delay of %s cancelled: %s", s->name, vip,
			 announce_reason(&info, 0, why, sizeof(why)));
	else if (s->state == XLB_ANNOUNCE_TOO_FEW && from != SVC_NEW)
		log_info("%s: %s is not announced: %s", s->name, vip,
			 announce_reason(&info, 0, why, sizeof(why)));
}

static unsigned next_state(const struct announce *a, struct announce_svc *s, uint64_t now)
{
	if ((!a->table && !a->link) || !s->p.enabled)
		return XLB_ANNOUNCE_OFF;
	if (s->serving < s->p.min_members)
		return XLB_ANNOUNCE_TOO_FEW;
	if (s->state == XLB_ANNOUNCE_ON)
		return XLB_ANNOUNCE_ON;
	if (s->state == XLB_ANNOUNCE_UP_DELAY)
		return now >= s->due_ms ? XLB_ANNOUNCE_ON : XLB_ANNOUNCE_UP_DELAY;
	/* An announcement already there is continued (a restart), not made
	 * again. */
	if ((s->state == SVC_NEW && (set_has(&a->routes, &s->vip) || set_has(&a->linked, &s->vip))) ||
	    !s->p.up_delay_ms)
		return XLB_ANNOUNCE_ON;
	s->due_ms = now + s->p.up_delay_ms;
	return XLB_ANNOUNCE_UP_DELAY;
}

enum xlb_announce announce_service(struct announce *a, uint32_t id, const char *name,
				   const struct xlb_addr *vip, const struct announce_params *p,
				   uint32_t serving)
{
	struct announce_svc *s = &a->svc[id];
	unsigned from;

	if (!s->used || !addr_equal(&s->vip, vip)) {
		memset(s, 0, sizeof(*s));
		s->used = true;
		s->vip = *vip;
		s->state = SVC_NEW;
	}
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->p = *p;
	s->serving = serving;
	from = s->state;
	s->state = next_state(a, s, a->io->now_ms(a->io));
	if (s->state != from)
		log_wish(s, from);
	return (enum xlb_announce)s->state;
}

void announce_service_gone(struct announce *a, uint32_t id)
{
	memset(&a->svc[id], 0, sizeof(a->svc[id]));
}

void announce_tick(struct announce *a, void (*changed)(uint32_t id, void *ctx), void *ctx)
{
	uint64_t now = a->io->now_ms(a->io), expirations;

	/* Drains the timer; the clock decides. */
	if (read(a->timer_fd, &expirations, sizeof(expirations)) < 0 && errno != EAGAIN)
		log_errno(-errno, "announce timer");
	for (uint32_t id = 0; id < XLB_MAX_SERVICES; id++) {
		struct announce_svc *s = &a->svc[id];

		if (!s->used || s->state != XLB_ANNOUNCE_UP_DELAY || now < s->due_ms)
			continue;
		s->state = XLB_ANNOUNCE_ON;
		if (changed)
			changed(id, ctx);
	}
}

/* ---- the table -------------------------------------------------------------- */

static bool wanted(const struct announce *a, const struct xlb_addr *vip)
{
	for (uint32_t id = 0; id < XLB_MAX_SERVICES; id++)
		if (a->svc[id].used && a->svc[id].state == XLB_ANNOUNCE_ON &&
		    addr_equal(&a->svc[id].vip, vip))
			return true;
	return false;
}

/* Why vip goes: the wish of a service on it, or that none is left. */
static const char *withdraw_reason(const struct announce *a, const struct xlb_addr *vip,
				   char *buf, size_t len)
{
	char why[96];

	for (uint32_t id = 0; id < XLB_MAX_SERVICES; id++) {
		const struct announce_svc *s = &a->svc[id];
		struct xlb_svc_info info;

		if (!s->used || !addr_equal(&s->vip, vip))
			continue;
		memset(&info, 0, sizeof(info));
		info.n_serving = s->serving;
		info.announce_min_members = s->p.min_members;
		info.announce = (__u8)(s->state == SVC_NEW ? XLB_ANNOUNCE_OFF : s->state);
		snprintf(buf, len, "%s: %s", s->name, announce_reason(&info, 0, why, sizeof(why)));
		return buf;
	}
	snprintf(buf, len, "no service has this VIP");
	return buf;
}

static int matches(const struct xlb_addr *vip, void *ctx)
{
	return addr_equal(vip, ctx) ? 1 : 0;
}

static int route_add(struct announce *a, const struct xlb_addr *vip)
{
	char text[INET6_ADDRSTRLEN];
	int err = a->io->add(a->io, a->table, vip);

	addr_format(vip, text, sizeof(text));
	/* Ours already (added behind our back)?  Then it is simply there. */
	if (err == -EEXIST && a->io->each(a->io, a->table, matches, (void *)vip) == 1)
		err = 0;
	if (err == -EEXIST) {
		log_err("%s: table %u already holds a route for it that is not xlb's (protocol "
			"%d): xlb does not replace it, so the VIP is not announced; remove that "
			"route or give xlb a table of its own", text, a->table, XLB_RTPROTO);
		return err;
	}
	if (err)
		return log_errno(err, "%s: cannot add its route to table %u", text, a->table);
	log_info("%s: announced (route in table %u)", text, a->table);
	return set_add(vip, &a->routes);
}

static int link_add(struct announce *a, const struct xlb_addr *vip)
{
	char text[INET6_ADDRSTRLEN];
	int err = a->link->add(a->link, vip);

	addr_format(vip, text, sizeof(text));
	if (err)
		return log_errno(err, "%s: cannot answer ARP/ND for it on the link", text);
	log_info("%s: announced on the link (%s answered)", text,
		 vip->family == AF_INET ? "ARP" : "neighbour solicitation");
	return set_add(vip, &a->linked);
}

/* Withdraws from set every VIP no service wants any more: route (true) or
 * link.  Returns how many could not be. */
static unsigned withdraw_unwanted(struct announce *a, struct vip_set *set, bool route)
{
	char text[INET6_ADDRSTRLEN], why[160];
	unsigned failed = 0;

	for (size_t i = set->n; i-- > 0;) {
		const struct xlb_addr *vip = &set->v[i];
		int err;

		if (wanted(a, vip))
			continue;
		err = route ? a->io->del(a->io, a->table, vip) : a->link->del(a->link, vip);
		addr_format(vip, text, sizeof(text));
		if (err && err != -ESRCH) {
			if (route)
				log_errno(err, "%s: cannot remove its route from table %u", text,
					  a->table);
			else
				log_errno(err, "%s: cannot stop answering ARP/ND for it", text);
			failed++;
			continue;
		}
		withdraw_reason(a, vip, why, sizeof(why));
		if (route)
			log_warn("%s: withdrawn (route removed from table %u): %s", text, a->table, why);
		else
			log_warn("%s: withdrawn from the link (no longer answered): %s", text, why);
		set_remove(set, i);
	}
	return failed;
}

static void arm_timer(struct announce *a)
{
	uint64_t next = 0, now = a->io->now_ms(a->io);
	struct itimerspec its = { 0 };

	for (uint32_t id = 0; id < XLB_MAX_SERVICES; id++) {
		const struct announce_svc *s = &a->svc[id];

		if (s->used && s->state == XLB_ANNOUNCE_UP_DELAY && (!next || s->due_ms < next))
			next = s->due_ms;
	}
	if (next) {
		/* Relative: the io's clock need not be CLOCK_MONOTONIC. */
		uint64_t in = next > now ? next - now : 1;

		its.it_value.tv_sec = (time_t)(in / 1000);
		its.it_value.tv_nsec = (long)(in % 1000) * 1000000;
	}
	if (timerfd_settime(a->timer_fd, 0, &its, NULL))
		log_errno(-errno, "announce timer");
}

unsigned announce_commit(struct announce *a)
{
	unsigned failed = withdraw_unwanted(a, &a->routes, true);

	if (a->link)
		failed += withdraw_unwanted(a, &a->linked, false);
	for (uint32_t id = 0; id < XLB_MAX_SERVICES; id++) {
		const struct announce_svc *s = &a->svc[id];

		if (!s->used || s->state != XLB_ANNOUNCE_ON)
			continue;
		if (a->table && !set_has(&a->routes, &s->vip) && route_add(a, &s->vip))
			failed++;
		if (a->link && !set_has(&a->linked, &s->vip) && link_add(a, &s->vip))
			failed++;
	}
	arm_timer(a);
	return failed;
}

/* ---- what status shows ----------------------------------------------------- */

void announce_info(const struct announce *a, uint32_t id, struct xlb_svc_info *info)
{
	const struct announce_svc *s = &a->svc[id];
	uint64_t now = a->io->now_ms(a->io);

	info->announce_table = a->table;
	info->announce_l2 = a->link != NULL;
	info->announce_min_members = s->p.min_members;
	info->announce = (__u8)(s->used && s->state != SVC_NEW ? s->state : XLB_ANNOUNCE_OFF);
	info->announce_due_unix_ms = 0;
	if (s->used && s->state == XLB_ANNOUNCE_UP_DELAY)
		info->announce_due_unix_ms =
			clock_ms(CLOCK_REALTIME) + (s->due_ms > now ? s->due_ms - now : 0);
}

void announce_vip_of(const struct xlb_svc_info *info, struct xlb_addr *vip)
{
	addr_from_abi(&info->key.vip, info->key.family, vip);
}

static bool pins_want(const struct xlb_svc_info *i)
{
	return i->in_use && i->announce == XLB_ANNOUNCE_ON && i->n_serving >= i->announce_min_members;
}

int announce_pins_withdraw(const struct xlb_maps *m, uint32_t svc_id, const struct announce_io *io)
{
	bool keep_route = false, keep_link = false;
	struct xlb_svc_info info, other;
	struct xlb_addr vip, v;
	int err, withdrawn = 0;

	io = io ? io : &announce_io_kernel;
	err = xlb_maps_svc_info_get(m, svc_id, &info);
	if (err || !info.in_use || (!info.announce_table && !info.announce_l2) ||
	    info.announce != XLB_ANNOUNCE_ON || pins_want(&info))
		return err;
	info.announce = XLB_ANNOUNCE_TOO_FEW;
	err = xlb_maps_svc_info_set(m, svc_id, &info);
	if (err)
		return err;
	announce_vip_of(&info, &vip);
	for (uint32_t id = 0; id < XLB_MAX_SERVICES; id++) {
		if (id == svc_id || xlb_maps_svc_info_get(m, id, &other) || !pins_want(&other))
			continue;
		announce_vip_of(&other, &v);
		if (!addr_equal(&v, &vip))
			continue;
		keep_route |= other.announce_table == info.announce_table;
		keep_link |= other.announce_l2;
	}
	if (info.announce_table && !keep_route) {
		err = io->del(io, info.announce_table, &vip);
		if (err && err != -ESRCH)
			return err;
		withdrawn |= !err;
	}
	if (info.announce_l2 && !keep_link) {
		err = xlb_maps_l2_vip_set(m, &info.key.vip, info.key.family, false);
		if (err)
			return err;
		withdrawn = 1;
	}
	return withdrawn;
}

const char *announce_reason(const struct xlb_svc_info *info, uint64_t now_unix_ms, char *buf,
			    size_t len)
{
	uint64_t left;

	switch (info->announce) {
	case XLB_ANNOUNCE_ON:
		snprintf(buf, len, "announced");
		break;
	case XLB_ANNOUNCE_TOO_FEW:
		snprintf(buf, len, "%u of %u serving members needed", info->n_serving,
			 info->announce_min_members);
		break;
	case XLB_ANNOUNCE_UP_DELAY:
		left = info->announce_due_unix_ms > now_unix_ms
			       ? info->announce_due_unix_ms - now_unix_ms
			       : 0;
		snprintf(buf, len, "up-delay %llu s left", (unsigned long long)((left + 999) / 1000));
		break;
	default:
		snprintf(buf, len, "announce off");
	}
	return buf;
}
