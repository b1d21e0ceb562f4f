/* SPDX-License-Identifier: MIT */
/* The announce part of `xlb status`: whether each service's VIP is
 * announced (its route is in the announce table, as the kernel of this
 * network namespace says; ARP/ND answered for it, as the data plane's
 * xlb_l2_vips says) and, when not, why (as the daemon decided and
 * published in xlb_svc_info). */
#ifndef XLB_STATUS_ANNOUNCE_H
#define XLB_STATUS_ANNOUNCE_H

#include <stdbool.h>
#include <stdio.h>

#include "xlb/info.h"

struct json_writer;
struct status_routes;

/* xlb's routes in the tables the services name: an empty set (NULL when
 * out of memory: then nothing is shown announced), to which each service
 * in use adds its table's routes (a table is read once). */
struct status_routes *status_routes_new(void);
void status_routes_add(struct status_routes *r, const struct xlb_svc_info *si);
/* The VIPs the data plane answers ARP/ND for (global: announce: l2), read
 * from xlb_l2_vips into r. */
struct xlb_maps;
void status_routes_link_read(struct status_routes *r, const struct xlb_maps *m);
void status_routes_free(struct status_routes *r);
/* "  announce: ..." when any service has an announce table. */
void status_announce_text(const struct status_routes *r, const struct xlb_svc_info *si,
			  bool daemon, FILE *out);
/* "announce": {table, state, route, l2, answered, min_members,
 * up_delay_left_ms, text}. */
void status_announce_json(const struct status_routes *r, const struct xlb_svc_info *si,
			  bool daemon, struct json_writer *w);

#endif
