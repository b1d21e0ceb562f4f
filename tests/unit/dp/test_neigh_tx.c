// SPDX-License-Identifier: MIT
/* The unsolicited announcements of dp/neigh_tx.c, byte for byte: the
 * gratuitous ARP written out from RFC 826/5227 by hand, the neighbour
 * advertisement built by the tests' own packet builder (tests/lib/pkt.c),
 * whose independent verifier also recomputes its ICMPv6 checksum. */
#include <arpa/inet.h>
#include <string.h>

#include "test.h"
#include "pkt.h"
#include "dp/neigh_tx.h"

static const uint8_t MAC[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };

TEST(gratuitous_arp_is_a_broadcast_request_for_the_vip_from_the_vip)
{
	static const uint8_t want[42] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* to everyone */
		0x02, 0x00, 0x00, 0x00, 0x00, 0x01, /* from the interface */
		0x08, 0x06,                         /* ARP */
		0x00, 0x01, 0x08, 0x00, 6, 4,       /* Ethernet, IPv4 */
		0x00, 0x01,                         /* request */
		0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 198, 18, 0, 100, /* sender: MAC, VIP */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 198, 18, 0, 100, /* target: ?, VIP */
	};
	struct xlb_addr vip = { 0 };
	uint8_t buf[NEIGH_TX_FRAME_MAX];
	size_t len;

	addr_parse("198.18.0.100", &vip);
	len = neigh_tx_frame(MAC, &vip, buf, sizeof(buf));
	ASSERT_EQ(sizeof(want), len);
	ASSERT_MEM_EQ(want, buf, sizeof(want));
}

TEST(unsolicited_advertisement_goes_to_all_nodes_with_override_and_a_valid_checksum)
{
	uint8_t buf[NEIGH_TX_FRAME_MAX], want[PKT_MAX], body[24];
	struct pkt_desc d = { .family = 6, .proto = IPPROTO_ICMPV6, .ttl = 255, .icmp_type = 136,
			      .icmp_rest = 0x20000000, /* Override only */ .payload = body,
			      .payload_len = sizeof(body) };
	struct xlb_addr vip = { 0 };
	const char *why = "";
	size_t len, wlen;

	addr_parse("fd00::100", &vip);
	pkt_mac("33:33:00:00:00:01", d.dmac);
	memcpy(d.smac, MAC, 6);
	pkt_addr("fd00::100", d.src);
	pkt_addr("ff02::1", d.dst);
	pkt_addr("fd00::100", body); /* target */
	body[16] = 2;                /* target link-layer address */
	body[17] = 1;
	memcpy(body + 18, MAC, 6);
	wlen = pkt_build(&d, want, sizeof(want));

	len = neigh_tx_frame(MAC, &vip, buf, sizeof(buf));
	ASSERT_EQ(86, wlen);
	ASSERT_EQ(wlen, len);
	ASSERT_MEM_EQ(want, buf, wlen);
	if (!pkt_csums_ok(buf, len, &why))
		ASSERT_STR_EQ("every checksum right", why);
}

TEST(a_buffer_too_small_gets_nothing)
{
	struct xlb_addr v4 = { 0 }, v6 = { 0 };
	uint8_t buf[NEIGH_TX_FRAME_MAX];

	addr_parse("198.18.0.100", &v4);
	addr_parse("fd00::100", &v6);
	ASSERT_EQ(0, neigh_tx_frame(MAC, &v4, buf, 41));
	ASSERT_EQ(0, neigh_tx_frame(MAC, &v6, buf, 85));
}
