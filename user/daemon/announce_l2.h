/* SPDX-License-Identifier: MIT */
/* The link that VIPs are announced on with global: announce: {l2: true}
 * (struct announce_link of daemon/announce.h).  A VIP announced here goes
 * into the data plane's xlb_l2_vips: ARP requests and neighbour
 * solicitations for it are answered from the data path on every interface
 * xlb runs on, with that interface's MAC (bpf/neigh.h).  It is also made
 * known at once with a gratuitous ARP or an unsolicited neighbour
 * advertisement out of each interface (dp/neigh_tx.h), so that hosts
 * holding another node's MAC for it switch now.  A VIP withdrawn leaves
 * the map and is no longer answered.  The map outlives the daemon, as the
 * rest of the data plane does: answers go on without it until `xlb stop`.
 * The sends go through struct l2_sender, which tests replace. */
#ifndef XLB_ANNOUNCE_L2_H
#define XLB_ANNOUNCE_L2_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/announce.h"
#include "lib/addr.h"

struct xlb_maps;

/* An interface xlb runs on. */
struct l2_iface {
	int ifindex;
	char name[IF_NAMESIZE];
	uint8_t mac[6];
};

/* The seam of the unsolicited announcements: 0 or -errno. */
struct l2_sender {
	int (*send)(const struct l2_sender *s, const struct l2_iface *ifc,
		    const struct xlb_addr *vip);
};

struct announce_l2;

/* sender NULL: a packet socket, opened by announce_l2_open_sender. */
int announce_l2_new(const struct xlb_maps *maps, const struct l2_sender *sender,
		    struct announce_l2 **out);
void announce_l2_free(struct announce_l2 *l);

/* The n interfaces named as the data plane's answers need them: index
 * and MAC, into out (XLB_MAX_INTERFACES of them).  One that is not an
 * Ethernet link is left out (said with -v), one that cannot be read too
 * (logged).  Returns how many are in out. */
size_t announce_l2_ifaces_read(const char *const *names, size_t n, struct l2_iface *out);
/* The interfaces xlb runs on: published with their MACs (xlb_l2_ifaces),
 * which the answers carry, and where announcements go.  At most
 * XLB_MAX_INTERFACES. */
int announce_l2_set_interfaces(struct announce_l2 *l, const struct l2_iface *ifaces, size_t n);

/* The link, for announce_set_link. */
const struct announce_link *announce_l2_link(struct announce_l2 *l);
/* Withdraws every VIP the data plane answers for (each logged): an
 * earlier run's, when l2 is off now.  0 or -errno. */
int announce_l2_withdraw_all(struct announce_l2 *l);
/* Opens the packet socket of the kernel sender, if there is none yet;
 * without one (no CAP_NET_RAW) requests are answered all the same, and
 * that nothing is announced unasked is said once. */
void announce_l2_open_sender(struct announce_l2 *l);

#endif
