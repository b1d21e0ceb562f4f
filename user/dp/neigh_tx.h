/* SPDX-License-Identifier: MIT */
/* Unsolicited announcements of a VIP on a link (global: announce: {l2:
 * true}), sent when it becomes served, so that hosts that cached another
 * node's MAC for it switch at once instead of when their entry expires:
 *   IPv4  a gratuitous ARP: a broadcast ARP request for the VIP from the
 *         VIP (RFC 5227's "ARP announcement"), which Linux takes to update
 *         an entry it has;
 *   IPv6  an unsolicited neighbour advertisement to all nodes (ff02::1),
 *         Override set, Solicited not (RFC 4861 7.2.6).
 * Sent from a packet socket, which needs CAP_NET_RAW.  Answers to requests
 * are the data plane's (bpf/neigh.h). */
#ifndef XLB_NEIGH_TX_H
#define XLB_NEIGH_TX_H

#include <stddef.h>
#include <stdint.h>

#include "lib/addr.h"

/* The longest frame (IPv6: Ethernet, IPv6, 24 bytes of ND, one option). */
#define NEIGH_TX_FRAME_MAX 86

/* Builds the announcement of vip from mac into buf: its length (42 for
 * IPv4, 86 for IPv6), or 0 when cap is too small. */
size_t neigh_tx_frame(const uint8_t mac[6], const struct xlb_addr *vip, uint8_t *buf, size_t cap);

/* A packet socket that sends and never receives: its fd, or -errno
 * (-EPERM without CAP_NET_RAW, -EAFNOSUPPORT where packet sockets are
 * not allowed, as in a unit without AF_PACKET). */
int neigh_tx_open(void);
/* Sends vip's announcement out of interface ifindex, from mac.  0 or
 * -errno. */
int neigh_tx_send(int fd, int ifindex, const uint8_t mac[6], const struct xlb_addr *vip);

#endif
