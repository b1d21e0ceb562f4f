// SPDX-License-Identifier: MIT
#include "cmd/status_announce.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/announce.h"
#include "dp/maps.h"
#include "dp/rtnl.h"
#include "lib/abi_text.h"
#include "lib/json.h"

#define MAX_TABLES 4

struct status_routes {
	uint32_t table[MAX_TABLES];
	size_t n_tables;
	struct {
		uint32_t table;
		struct xlb_addr vip;
	} route[2 * XLB_MAX_SERVICES];
	size_t n;
	/* The VIPs the data plane answers ARP/ND for (global: announce: l2). */
	struct xlb_l2_key linked[XLB_MAX_SERVICES];
	size_t n_linked;
	bool any; /* a service has an announce table or l2 */
};

struct routes_walk {
	struct status_routes *r;
	uint32_t table;
};

static int route_seen(const struct xlb_addr *vip, void *ctx)
{
	struct routes_walk *w = ctx;

	if (w->r->n == sizeof(w->r->route) / sizeof(w->r->route[0]))
		return 1;
	w->r->route[w->r->n].table = w->table;
	w->r->route[w->r->n++].vip = *vip;
	return 0;
}

static int linked_seen(const union xlb_ip *addr, __u8 family, void *ctx)
{
	struct status_routes *r = ctx;

	if (r->n_linked == XLB_MAX_SERVICES)
		return 1;
	r->linked[r->n_linked].addr = *addr;
	r->linked[r->n_linked++].family = family;
	return 0;
}

struct status_routes *status_routes_new(void)
{
	return calloc(1, sizeof(struct status_routes));
}

void status_routes_link_read(struct status_routes *r, const struct xlb_maps *m)
{
	if (r)
		xlb_maps_l2_vip_each(m, linked_seen, r);
}

void status_routes_add(struct status_routes *r, const struct xlb_svc_info *si)
{
	uint32_t t = si->announce_table;
	struct routes_walk w = { r, t };
	size_t i;

	if (!r || !si->in_use)
		return;
	if (si->announce_l2)
		r->any = true;
	if (!t)
		return;
	r->any = true;
	for (i = 0; i < r->n_tables && r->table[i] != t; i++)
		;
	if (i < r->n_tables || r->n_tables == MAX_TABLES)
		return;
	r->table[r->n_tables++] = t;
	rtnl_route_each(t, route_seen, &w);
}

void status_routes_free(struct status_routes *r)
{
	free(r);
}

static bool route_present(const struct status_routes *r, const struct xlb_svc_info *si)
{
	struct xlb_addr vip;

	announce_vip_of(si, &vip);
	for (size_t i = 0; r && i < r->n; i++)
		if (r->route[i].table == si->announce_table && addr_equal(&r->route[i].vip, &vip))
			return true;
	return false;
}

static bool link_present(const struct status_routes *r, const struct xlb_svc_info *si)
{
	for (size_t i = 0; r && i < r->n_linked; i++)
		if (r->linked[i].family == si->key.family &&
		    !memcmp(&r->linked[i].addr, &si->key.vip, sizeof(si->key.vip)))
			return true;
	return false;
}

static uint64_t now_unix_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The kernel and the data plane say whether the VIP's route is there and
 * whether ARP/ND is answered for it, the daemon why (or why not). */
static const char *announce_text(const struct status_routes *r, const struct xlb_svc_info *si,
				 bool daemon, char *buf, size_t len)
{
	bool route = si->announce_table && route_present(r, si);
	bool linked = si->announce_l2 && link_present(r, si);
	bool missing_route = si->announce_table && !route;
	bool missing_link = si->announce_l2 && !linked;
	char why[96], where[64];

	where[0] = '\0';
	if (route)
		snprintf(where, sizeof(where), "route in table %u", si->announce_table);
	if (linked)
		snprintf(where + strlen(where), sizeof(where) - strlen(where), "%sanswered on the link",
			 route ? ", " : "");
	if (!si->announce_table && !si->announce_l2)
		snprintf(buf, len, "announce off");
	else if ((route || linked) && si->announce == XLB_ANNOUNCE_ON && !missing_route &&
		 !missing_link)
		snprintf(buf, len, "announced (%s)", where);
	else if ((route || linked) && si->announce != XLB_ANNOUNCE_ON)
		snprintf(buf, len, "announced (%s, for another service on this VIP; this one: %s)",
			 where, announce_reason(si, now_unix_ms(), why, sizeof(why)));
	else if (si->announce == XLB_ANNOUNCE_ON && missing_route)
		snprintf(buf, len, "not announced: its route is missing from table %u of this "
			 "network namespace (the daemon's log says why)", si->announce_table);
	else if (si->announce == XLB_ANNOUNCE_ON)
		snprintf(buf, len, "not announced: the data plane does not answer ARP/ND for it "
			 "(the daemon's log says why)");
	else if (si->announce == XLB_ANNOUNCE_UP_DELAY && !daemon)
		snprintf(buf, len, "not announced: up-delay, which ends only with a daemon running");
	else
		snprintf(buf, len, "not announced: %s",
			 announce_reason(si, now_unix_ms(), why, sizeof(why)));
	return buf;
}

void status_announce_text(const struct status_routes *r, const struct xlb_svc_info *si,
			  bool daemon, FILE *out)
{
	char text[256];

	if (r && r->any)
		fprintf(out, "  announce: %s\n", announce_text(r, si, daemon, text, sizeof(text)));
}

void status_announce_json(const struct status_routes *r, const struct xlb_svc_info *si,
			  bool daemon, struct json_writer *w)
{
	uint64_t now = now_unix_ms();
	char text[256];

	json_key(w, "announce");
	json_object_begin(w);
	json_key(w, "table");
	if (si->announce_table)
		json_uint(w, si->announce_table);
	else
		json_null(w);
	json_kv_string(w, "state", xlb_announce_str(si->announce));
	json_kv_bool(w, "route", route_present(r, si));
	json_kv_bool(w, "l2", si->announce_l2);
	json_kv_bool(w, "answered", link_present(r, si));
	json_kv_uint(w, "min_members", si->announce_min_members);
	json_kv_uint(w, "up_delay_left_ms",
		     si->announce == XLB_ANNOUNCE_UP_DELAY && si->announce_due_unix_ms > now
			     ? si->announce_due_unix_ms - now
			     : 0);
	json_kv_string(w, "text", announce_text(r, si, daemon, text, sizeof(text)));
	json_object_end(w);
}
