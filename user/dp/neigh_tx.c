// SPDX-License-Identifier: MIT
#include "dp/neigh_tx.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define ARP_FRAME_LEN (ETH_HLEN + 28)
#define NA_LEN        32 /* ND header (24) and the target link-layer option (8) */
#define NA_FRAME_LEN  (ETH_HLEN + 40 + NA_LEN)
_Static_assert(NA_FRAME_LEN == NEIGH_TX_FRAME_MAX, "the longest frame");

static uint8_t *put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return p + 2;
}

static uint8_t *put(uint8_t *p, const void *src, size_t n)
{
	memcpy(p, src, n);
	return p + n;
}

/* The one's-complement sum of len bytes as 16-bit words (len even). */
static uint32_t sum16(const uint8_t *p, size_t len, uint32_t sum)
{
	for (size_t i = 0; i < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	return sum;
}

static size_t arp_frame(const uint8_t mac[6], const struct in_addr *vip, uint8_t *buf)
{
	static const uint8_t broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, zero[6];
	uint8_t *p = buf;

	p = put(p, broadcast, 6);
	p = put(p, mac, 6);
	p = put16(p, ETH_P_ARP);
	p = put16(p, 1);         /* Ethernet */
	p = put16(p, ETH_P_IP);
	*p++ = 6;
	*p++ = 4;
	p = put16(p, 1);         /* request */
	p = put(p, mac, 6);
	p = put(p, vip, 4);      /* sender: the VIP... */
	p = put(p, zero, 6);
	p = put(p, vip, 4);      /* ...asking for itself */
	return (size_t)(p - buf);
}

static size_t na_frame(const uint8_t mac[6], const struct in6_addr *vip, uint8_t *buf)
{
	static const uint8_t all_nodes_mac[6] = { 0x33, 0x33, 0, 0, 0, 1 };
	static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 1 };
	uint8_t *p = buf, *icmp;
	uint32_t sum;

	p = put(p, all_nodes_mac, 6);
	p = put(p, mac, 6);
	p = put16(p, ETH_P_IPV6);
	p = put16(p, 0x6000);    /* version 6, no traffic class or flow label */
	p = put16(p, 0);
	p = put16(p, NA_LEN);
	*p++ = IPPROTO_ICMPV6;
	*p++ = 255;              /* hop limit: on the link (RFC 4861 7.1.2) */
	p = put(p, vip, 16);
	p = put(p, all_nodes, 16);
	icmp = p;
	*p++ = 136;              /* neighbour advertisement */
	*p++ = 0;
	p = put16(p, 0);         /* checksum, below */
	*p++ = 0x20;             /* Override; neither Router nor Solicited */
	*p++ = 0;
	p = put16(p, 0);
	p = put(p, vip, 16);     /* target */
	*p++ = 2;                /* target link-layer address, one unit */
	*p++ = 1;
	p = put(p, mac, 6);
	/* Pseudo-header: source, destination, length, next header. */
	sum = sum16(icmp - 32, 32, 0) + NA_LEN + IPPROTO_ICMPV6;
	sum = sum16(icmp, NA_LEN, sum);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	put16(icmp + 2, (uint16_t)~sum);
	return (size_t)(p - buf);
}

size_t neigh_tx_frame(const uint8_t mac[6], const struct xlb_addr *vip, uint8_t *buf, size_t cap)
{
	if (vip->family == AF_INET && cap >= ARP_FRAME_LEN)
		return arp_frame(mac, &vip->v4, buf);
	if (vip->family == AF_INET6 && cap >= NA_FRAME_LEN)
		return na_frame(mac, &vip->v6, buf);
	return 0;
}

int neigh_tx_open(void)
{
	/* Protocol 0: the socket receives nothing. */
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);

	return fd < 0 ? -errno : fd;
}

int neigh_tx_send(int fd, int ifindex, const uint8_t mac[6], const struct xlb_addr *vip)
{
	uint8_t frame[NEIGH_TX_FRAME_MAX];
	size_t len = neigh_tx_frame(mac, vip, frame, sizeof(frame));
	struct sockaddr_ll to = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(vip->family == AF_INET ? ETH_P_ARP : ETH_P_IPV6),
		.sll_ifindex = ifindex,
		.sll_halen = 6,
	};

	if (!len)
		return -EAFNOSUPPORT;
	memcpy(to.sll_addr, frame, 6);
	if (sendto(fd, frame, len, 0, (const struct sockaddr *)&to, sizeof(to)) < 0)
		return -errno;
	return 0;
}
