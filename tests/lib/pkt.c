// SPDX-License-Identifier: MIT
#include "pkt.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Sum of big-endian 16-bit words, an odd last byte padded with zero. */
static uint32_t sum_words(const uint8_t *p, size_t len, uint32_t sum)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += get16(p + i);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t finish(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint32_t pseudo_sum(int family, const uint8_t *src, const uint8_t *dst, uint8_t proto,
			   size_t l4_len)
{
	size_t alen = family == 4 ? 4 : 16;
	uint32_t sum = sum_words(src, alen, 0);

	sum = sum_words(dst, alen, sum);
	sum += proto;
	sum += (uint32_t)(l4_len & 0xffff) + (uint32_t)(l4_len >> 16);
	return sum;
}

void pkt_addr(const char *text, uint8_t out[16])
{
	memset(out, 0, 16);
	if (inet_pton(AF_INET, text, out) == 1 || inet_pton(AF_INET6, text, out) == 1)
		return;
	fprintf(stderr, "pkt_addr: bad address '%s'\n", text);
	abort();
}

void pkt_mac(const char *text, uint8_t out[6])
{
	unsigned int b[6];

	if (sscanf(text, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != 6) {
		fprintf(stderr, "pkt_mac: bad MAC '%s'\n", text);
		abort();
	}
	for (int i = 0; i < 6; i++)
		out[i] = (uint8_t)b[i];
}

size_t pkt_build(const struct pkt_desc *d, uint8_t *buf, size_t cap)
{
	size_t off = 0, l3, l4, l4_len, hlen, total;
	uint8_t proto = d->proto;

	memset(buf, 0, cap);
	memcpy(buf, d->dmac, 6);
	memcpy(buf + 6, d->smac, 6);
	off = 12;
	if (d->vlan) {
		put16(buf + off, 0x8100);
		put16(buf + off + 2, d->vlan);
		off += 4;
	}
	put16(buf + off, d->family == 4 ? 0x0800 : 0x86dd);
	l3 = off + 2;
	hlen = d->family == 4 ? 20 + d->ip_opts_len : 40;
	l4 = l3 + hlen;
	switch (proto) {
	case IPPROTO_TCP:
		l4_len = 20 + d->tcp_opts_len;
		break;
	case IPPROTO_UDP:
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		l4_len = 8;
		break;
	default:
		l4_len = 0;
	}
	l4_len += d->payload_len;
	total = l4 + l4_len;
	if (total > cap) {
		fprintf(stderr, "pkt_build: %zu bytes do not fit in %zu\n", total, cap);
		abort();
	}
	if (d->payload_len)
		memcpy(buf + total - d->payload_len, d->payload, d->payload_len);

	if (d->family == 4) {
		uint8_t *ip = buf + l3;

		ip[0] = 0x40 | (uint8_t)(hlen / 4);
		put16(ip + 2, (uint16_t)(hlen + l4_len));
		put16(ip + 4, d->ip_id);
		put16(ip + 6, d->frag);
		ip[8] = d->ttl ? d->ttl : 64;
		ip[9] = proto;
		memcpy(ip + 12, d->src, 4);
		memcpy(ip + 16, d->dst, 4);
		if (d->ip_opts_len)
			memcpy(ip + 20, d->ip_opts, d->ip_opts_len);
		put16(ip + 10, finish(sum_words(ip, hlen, 0)));
	} else {
		uint8_t *ip6 = buf + l3;

		ip6[0] = 0x60;
		put16(ip6 + 4, (uint16_t)l4_len);
		ip6[6] = proto;
		ip6[7] = d->ttl ? d->ttl : 64;
		memcpy(ip6 + 8, d->src, 16);
		memcpy(ip6 + 24, d->dst, 16);
	}

	uint8_t *h = buf + l4;
	uint32_t sum;

	switch (proto) {
	case IPPROTO_TCP:
		put16(h, d->sport);
		put16(h + 2, d->dport);
		put32(h + 4, d->seq);
		put32(h + 8, d->ack);
		h[12] = (uint8_t)((5 + d->tcp_opts_len / 4) << 4);
		if (d->tcp_opts_len)
			memcpy(h + 20, d->tcp_opts, d->tcp_opts_len);
		h[13] = d->tcp_flags;
		put16(h + 14, d->zero_window ? 0 : 65535);
		sum = pseudo_sum(d->family, d->src, d->dst, proto, l4_len);
		put16(h + 16, finish(sum_words(h, l4_len, sum)));
		break;
	case IPPROTO_UDP:
		put16(h, d->sport);
		put16(h + 2, d->dport);
		put16(h + 4, (uint16_t)l4_len);
		if (!d->udp_no_csum) {
			uint16_t c;

			sum = pseudo_sum(d->family, d->src, d->dst, proto, l4_len);
			c = finish(sum_words(h, l4_len, sum));
			put16(h + 6, c ? c : 0xffff);
		}
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		h[0] = d->icmp_type;
		h[1] = d->icmp_code;
		put32(h + 4, d->icmp_rest);
		sum = proto == IPPROTO_ICMPV6 ? pseudo_sum(6, d->src, d->dst, proto, l4_len) : 0;
		put16(h + 2, finish(sum_words(h, l4_len, sum)));
		break;
	}
	return total;
}

static bool verify(uint32_t sum, const char *name, const char **why)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	if (sum == 0xffff)
		return true;
	*why = name;
	return false;
}

bool pkt_csums_ok(const uint8_t *f, size_t len, const char **why)
{
	size_t l3 = 14, hlen, l4_len;
	const uint8_t *ip, *h, *src, *dst;
	uint16_t type;
	uint8_t proto;
	int family;

	*why = "ok";
	if (len < 14)
		return verify(0, "truncated Ethernet", why);
	type = get16(f + 12);
	if (type == 0x8100 || type == 0x88a8) {
		type = get16(f + 16);
		l3 = 18;
	}
	ip = f + l3;
	if (type == 0x0800) {
		if (len < l3 + 20 || len < l3 + (hlen = (size_t)(ip[0] & 0xf) * 4) ||
		    len < l3 + get16(ip + 2))
			return verify(0, "truncated IPv4", why);
		if (!verify(sum_words(ip, hlen, 0), "IPv4 header checksum", why))
			return false;
		family = 4;
		proto = ip[9];
		l4_len = get16(ip + 2) - hlen;
		src = ip + 12;
		dst = ip + 16;
	} else if (type == 0x86dd) {
		if (len < l3 + 40 || len < l3 + 40 + get16(ip + 4))
			return verify(0, "truncated IPv6", why);
		family = 6;
		hlen = 40;
		proto = ip[6];
		l4_len = get16(ip + 4);
		src = ip + 8;
		dst = ip + 24;
	} else {
		return verify(0, "not IP", why);
	}
	h = ip + hlen;
	switch (proto) {
	case IPPROTO_TCP:
		return verify(sum_words(h, l4_len, pseudo_sum(family, src, dst, proto, l4_len)),
			      "TCP checksum", why);
	case IPPROTO_UDP:
		if (family == 4 && get16(h + 6) == 0)
			return true;
		return verify(sum_words(h, l4_len, pseudo_sum(family, src, dst, proto, l4_len)),
			      "UDP checksum", why);
	case IPPROTO_ICMP:
		if (!verify(sum_words(h, l4_len, 0), "ICMP checksum", why))
			return false;
		/* An error quotes an IPv4 header: its checksum must hold too. */
		if ((h[0] == 3 || h[0] == 11) && l4_len >= 28)
			return verify(sum_words(h + 8, (size_t)(h[8] & 0xf) * 4, 0),
				      "quoted IPv4 header checksum", why);
		return true;
	case IPPROTO_ICMPV6:
		return verify(sum_words(h, l4_len, pseudo_sum(6, src, dst, proto, l4_len)),
			      "ICMPv6 checksum", why);
	}
	return true;
}

bool pkt_tuple(const uint8_t *f, size_t len, struct pkt_tuple *t)
{
	size_t l3 = 14, hlen;
	const uint8_t *ip, *h;
	uint16_t type;

	memset(t, 0, sizeof(*t));
	if (len < 14)
		return false;
	type = get16(f + 12);
	if (type == 0x8100 || type == 0x88a8) {
		if (len < 18)
			return false;
		type = get16(f + 16);
		l3 = 18;
	}
	ip = f + l3;
	if (type == 0x0800) {
		if (len < l3 + 20)
			return false;
		hlen = (size_t)(ip[0] & 0xf) * 4;
		t->family = 4;
		t->proto = ip[9];
		memcpy(t->src, ip + 12, 4);
		memcpy(t->dst, ip + 16, 4);
	} else if (type == 0x86dd) {
		if (len < l3 + 40)
			return false;
		hlen = 40;
		t->family = 6;
		t->proto = ip[6];
		memcpy(t->src, ip + 8, 16);
		memcpy(t->dst, ip + 24, 16);
	} else {
		return false;
	}
	if (t->proto != IPPROTO_TCP && t->proto != IPPROTO_UDP)
		return false;
	h = ip + hlen;
	if (len < l3 + hlen + (t->proto == IPPROTO_TCP ? 20 : 8))
		return false;
	t->sport = get16(h);
	t->dport = get16(h + 2);
	if (t->proto == IPPROTO_TCP)
		t->tcp_flags = h[13];
	return true;
}
