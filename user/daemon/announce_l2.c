// SPDX-License-Identifier: MIT
#include "daemon/announce_l2.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dp/maps.h"
#include "dp/neigh_tx.h"
#include "dp/rtnl.h"
#include "lib/log.h"
#include "xlb/limits.h"

/* The packet socket (dp/neigh_tx.h) as a sender. */
struct kernel_sender {
	struct l2_sender ops; /* first: send gets it back */
	int fd;               /* -1: not open */
};

struct announce_l2 {
	struct announce_link link; /* first: the link's ops get it back */
	const struct xlb_maps *maps;
	const struct l2_sender *sender;
	struct kernel_sender kernel;
	bool said_no_socket;
	struct l2_iface ifaces[XLB_MAX_INTERFACES];
	size_t n_ifaces;
};

static int kernel_send(const struct l2_sender *s, const struct l2_iface *ifc,
		       const struct xlb_addr *vip)
{
	const struct kernel_sender *k = (const struct kernel_sender *)s;

	return k->fd < 0 ? -EBADF : neigh_tx_send(k->fd, ifc->ifindex, ifc->mac, vip);
}

static int link_add(const struct announce_link *link, const struct xlb_addr *vip)
{
	struct announce_l2 *l = (struct announce_l2 *)link;
	char text[INET6_ADDRSTRLEN];
	union xlb_ip ip;
	__u8 family;
	int err;

	addr_to_abi(vip, &ip, &family);
	err = xlb_maps_l2_vip_set(l->maps, &ip, family, true);
	if (err)
		return err;
	addr_format(vip, text, sizeof(text));
	for (size_t i = 0; i < l->n_ifaces; i++) {
		err = l->sender->send(l->sender, &l->ifaces[i], vip);
		if (err == -EBADF && l->sender == &l->kernel.ops)
			break; /* no socket: said once, at the start */
		if (err)
			log_warn("%s: cannot send its %s on %s: %s (requests are answered all the "
				 "same)", text, vip->family == AF_INET ? "gratuitous ARP" :
				 "unsolicited neighbour advertisement", l->ifaces[i].name,
				 strerror(-err));
		else
			log_debug("%s: %s sent on %s", text, vip->family == AF_INET ?
				  "gratuitous ARP" : "unsolicited neighbour advertisement",
				  l->ifaces[i].name);
	}
	return 0;
}

static int link_del(const struct announce_link *link, const struct xlb_addr *vip)
{
	struct announce_l2 *l = (struct announce_l2 *)link;
	union xlb_ip ip;
	__u8 family;

	addr_to_abi(vip, &ip, &family);
	return xlb_maps_l2_vip_set(l->maps, &ip, family, false);
}

struct each_ctx {
	int (*fn)(const struct xlb_addr *vip, void *ctx);
	void *ctx;
};

static int each_one(const union xlb_ip *ip, __u8 family, void *ctx)
{
	struct each_ctx *e = ctx;
	struct xlb_addr vip;

	addr_from_abi(ip, family, &vip);
	return e->fn(&vip, e->ctx);
}

static int link_each(const struct announce_link *link,
		     int (*fn)(const struct xlb_addr *vip, void *ctx), void *ctx)
{
	const struct announce_l2 *l = (const struct announce_l2 *)link;
	struct each_ctx e = { fn, ctx };

	return xlb_maps_l2_vip_each(l->maps, each_one, &e);
}

int announce_l2_new(const struct xlb_maps *maps, const struct l2_sender *sender,
		    struct announce_l2 **out)
{
	struct announce_l2 *l = calloc(1, sizeof(*l));

	if (!l)
		return -ENOMEM;
	l->link = (struct announce_link){ .add = link_add, .del = link_del, .each = link_each };
	l->maps = maps;
	l->kernel.ops.send = kernel_send;
	l->kernel.fd = -1;
	l->sender = sender ? sender : &l->kernel.ops;
	*out = l;
	return 0;
}

void announce_l2_free(struct announce_l2 *l)
{
	if (!l)
		return;
	if (l->kernel.fd >= 0)
		close(l->kernel.fd);
	free(l);
}

static int iface_get(const char *name, struct l2_iface *out)
{
	struct rtnl_link link;
	int err;

	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "%s", name);
	out->ifindex = (int)if_nametoindex(name);
	if (!out->ifindex)
		return -ENODEV;
	err = rtnl_link_get(out->ifindex, &link);
	if (err)
		return err;
	if (!link.ether)
		return -EAFNOSUPPORT;
	memcpy(out->mac, link.mac, sizeof(out->mac));
	return 0;
}

size_t announce_l2_ifaces_read(const char *const *names, size_t n, struct l2_iface *out)
{
	size_t k = 0;
	int err;

	for (size_t i = 0; i < n && k < XLB_MAX_INTERFACES; i++) {
		err = iface_get(names[i], &out[k]);
		if (!err)
			k++;
		else if (err == -EAFNOSUPPORT)
			log_debug("%s: not an Ethernet link: ARP and neighbour solicitation are not "
				  "answered there (global.announce.l2)", names[i]);
		else
			log_errno(err, "%s: cannot read its MAC: ARP and neighbour solicitation are "
				  "not answered there (global.announce.l2)", names[i]);
	}
	return k;
}

int announce_l2_set_interfaces(struct announce_l2 *l, const struct l2_iface *ifaces, size_t n)
{
	__u32 ifindex[XLB_MAX_INTERFACES];
	struct xlb_l2_iface ifc[XLB_MAX_INTERFACES];

	if (n > XLB_MAX_INTERFACES)
		return -E2BIG;
	for (size_t i = 0; i < n; i++) {
		ifindex[i] = (__u32)ifaces[i].ifindex;
		memset(&ifc[i], 0, sizeof(ifc[i]));
		memcpy(ifc[i].mac, ifaces[i].mac, sizeof(ifc[i].mac));
		l->ifaces[i] = ifaces[i];
	}
	l->n_ifaces = n;
	return xlb_maps_l2_ifaces_set(l->maps, ifindex, ifc, n);
}

const struct announce_link *announce_l2_link(struct announce_l2 *l)
{
	return &l->link;
}

void announce_l2_open_sender(struct announce_l2 *l)
{
	int fd;

	if (l->sender != &l->kernel.ops || l->kernel.fd >= 0)
		return;
	fd = neigh_tx_open();
	if (fd >= 0) {
		l->kernel.fd = fd;
	} else if (!l->said_no_socket) {
		l->said_no_socket = true;
		log_warn("global.announce.l2: cannot open a packet socket (%s; it needs CAP_NET_RAW "
			 "and AF_PACKET): a VIP that becomes served is not announced with a "
			 "gratuitous ARP or neighbour advertisement, so hosts that cached another "
			 "node's MAC for it keep it until their entry expires; requests are "
			 "answered all the same", strerror(-fd));
	}
}

static int withdraw_one(const struct xlb_addr *vip, void *ctx)
{
	char text[INET6_ADDRSTRLEN];
	int err = link_del(ctx, vip);

	addr_format(vip, text, sizeof(text));
	if (err)
		return log_errno(err, "%s: cannot stop answering ARP/ND for it", text);
	log_warn("%s: no longer answered on the link (global.announce.l2 is off)", text);
	return 0;
}

int announce_l2_withdraw_all(struct announce_l2 *l)
{
	return link_each(&l->link, withdraw_one, &l->link);
}
