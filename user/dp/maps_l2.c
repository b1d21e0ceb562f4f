// SPDX-License-Identifier: MIT
/* The maps of the answers on the link (bpf/neigh.h): the VIPs answered
 * and the interfaces answers leave from. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "dp/maps.h"
#include "dp/maps_io.h"

_Static_assert(sizeof(struct xlb_l2_key) == 20, "xlb_l2_key");
_Static_assert(sizeof(struct xlb_l2_iface) == 8, "xlb_l2_iface");

int xlb_maps_l2_vip_set(const struct xlb_maps *m, const union xlb_ip *addr, __u8 family, bool on)
{
	struct xlb_l2_key k;
	__u8 one = 1;
	int err;

	if (family != XLB_FAMILY_IPV4 && family != XLB_FAMILY_IPV6)
		return -EINVAL;
	memset(&k, 0, sizeof(k));
	k.addr = *addr;
	k.family = family;
	if (on)
		return map_update(m, m->l2_vips, &k, &one);
	err = map_delete(m, m->l2_vips, &k);
	return err == -ENOENT ? 0 : err;
}

int xlb_maps_l2_vip_each(const struct xlb_maps *m,
			 int (*fn)(const union xlb_ip *addr, __u8 family, void *ctx), void *ctx)
{
	struct xlb_l2_key keys[XLB_MAX_SERVICES], next;
	size_t n = 0;
	int rc, err = 0;

	/* Read whole first: fn may change the map. */
	for (rc = map_next_key(m, m->l2_vips, NULL, &next); rc == 0 && n < XLB_MAX_SERVICES;
	     rc = map_next_key(m, m->l2_vips, &keys[n - 1], &next))
		keys[n++] = next;
	if (rc && rc != -ENOENT)
		return rc;
	for (size_t i = 0; i < n && !err; i++)
		err = fn(&keys[i].addr, keys[i].family, ctx);
	return err;
}

int xlb_maps_l2_ifaces_set(const struct xlb_maps *m, const __u32 *ifindex,
			   const struct xlb_l2_iface *ifc, size_t n)
{
	__u32 stale[XLB_MAX_INTERFACES], key, next;
	size_t n_stale = 0, i;
	int rc, err = 0;

	for (i = 0; i < n && !err; i++)
		err = map_update(m, m->l2_ifaces, &ifindex[i], &ifc[i]);
	for (rc = map_next_key(m, m->l2_ifaces, NULL, &next); !err && rc == 0;
	     rc = map_next_key(m, m->l2_ifaces, &key, &next)) {
		key = next;
		for (i = 0; i < n && ifindex[i] != key; i++)
			;
		if (i == n && n_stale < XLB_MAX_INTERFACES)
			stale[n_stale++] = key;
	}
	for (i = 0; i < n_stale && !err; i++)
		err = map_delete(m, m->l2_ifaces, &stale[i]);
	return err;
}
