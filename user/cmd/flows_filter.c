// SPDX-License-Identifier: MIT
#include "cmd/flows_filter.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An IPv4 or IPv6 literal of at most len characters into family and ip. */
static int ip_parse(const char *text, size_t len, __u8 *family, union xlb_ip *ip)
{
	char buf[INET6_ADDRSTRLEN];

	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, text, len);
	buf[len] = '\0';
	memset(ip, 0, sizeof(*ip));
	if (inet_pton(AF_INET, buf, &ip->v4) == 1)
		*family = XLB_FAMILY_IPV4;
	else if (inet_pton(AF_INET6, buf, ip->bytes) == 1)
		*family = XLB_FAMILY_IPV6;
	else
		return -EINVAL;
	return 0;
}

/* A decimal number from min to max, the whole of text. */
static int number_parse(const char *text, unsigned min, unsigned max, unsigned *out)
{
	char *end;
	unsigned long n;

	if (*text < '0' || *text > '9')
		return -EINVAL;
	errno = 0;
	n = strtoul(text, &end, 10);
	if (*end || errno || n < min || n > max)
		return -EINVAL;
	*out = (unsigned)n;
	return 0;
}

/* "198.18.1.2", "198.18.1.2:80", "fd00::2", "[fd00::2]", "[fd00::2]:80". */
static int member_parse(const char *text, struct flows_filter *f)
{
	const char *colon = strchr(text, ':'), *port = NULL;
	size_t len = strlen(text);
	unsigned p = 0;
	int err;

	if (text[0] == '[') {
		const char *close = strchr(text, ']');

		if (!close || (close[1] && close[1] != ':'))
			return -EINVAL;
		err = ip_parse(text + 1, (size_t)(close - text - 1), &f->member_family, &f->member_addr);
		if (err || f->member_family != XLB_FAMILY_IPV6)
			return -EINVAL;
		port = close[1] ? close + 2 : NULL;
	} else if (colon && !strchr(colon + 1, ':')) { /* one colon: IPv4:port */
		err = ip_parse(text, (size_t)(colon - text), &f->member_family, &f->member_addr);
		if (err || f->member_family != XLB_FAMILY_IPV4)
			return -EINVAL;
		port = colon + 1;
	} else if (ip_parse(text, len, &f->member_family, &f->member_addr)) {
		return -EINVAL;
	}
	if (port && number_parse(port, 1, 65535, &p))
		return -EINVAL;
	f->member_port = (__u16)p;
	f->member = true;
	return 0;
}

static void clear_past_prefix(union xlb_ip *ip, unsigned bits, unsigned prefix)
{
	for (unsigned i = prefix; i < bits; i++)
		ip->bytes[i / 8] &= (__u8)~(0x80u >> (i % 8));
}

/* "198.18.0.2", "198.18.0.0/24", "fd00::/64". */
static int client_parse(const char *text, struct flows_filter *f)
{
	const char *slash = strchr(text, '/');
	size_t len = slash ? (size_t)(slash - text) : strlen(text);
	unsigned bits;

	if (ip_parse(text, len, &f->client_family, &f->client_addr))
		return -EINVAL;
	bits = f->client_family == XLB_FAMILY_IPV4 ? 32 : 128;
	f->client_prefix = bits;
	if (slash && number_parse(slash + 1, 0, bits, &f->client_prefix))
		return -EINVAL;
	clear_past_prefix(&f->client_addr, bits, f->client_prefix);
	f->client = true;
	return 0;
}

int flows_filter_from_args(const struct cli_args *a, struct flows_filter *f, char *err, size_t len)
{
	memset(f, 0, sizeof(*f));
	f->service = a->service;
	if (a->member && member_parse(a->member, f)) {
		snprintf(err, len, "--member '%s': an IP address with an optional port "
				   "(198.18.1.2, 198.18.1.2:80, fd00::2, [fd00::2]:80)", a->member);
		return -EINVAL;
	}
	if (a->client && client_parse(a->client, f)) {
		snprintf(err, len, "--client '%s': an IP address or a prefix "
				   "(198.18.0.2, 198.18.0.0/24, fd00::/64)", a->client);
		return -EINVAL;
	}
	return 0;
}

static bool prefix_match(const union xlb_ip *addr, const union xlb_ip *net, unsigned prefix)
{
	unsigned whole = prefix / 8, rest = prefix % 8;

	if (memcmp(addr->bytes, net->bytes, whole))
		return false;
	return !rest || ((addr->bytes[whole] ^ net->bytes[whole]) & (__u8)(0xff00u >> rest)) == 0;
}

bool flows_filter_match(const struct flows_filter *f, const struct xlb_flow_key *k,
			const struct xlb_flow *v, const char *service)
{
	if (f->service && strcmp(f->service, service) != 0)
		return false;
	if (f->member) {
		size_t n = f->member_family == XLB_FAMILY_IPV4 ? 4 : 16;

		if (v->family != f->member_family || memcmp(v->nat_dst.bytes, f->member_addr.bytes, n) ||
		    (f->member_port && ntohs(v->nat_dport) != f->member_port))
			return false;
	}
	if (f->client && (k->family != f->client_family ||
			  !prefix_match(&k->src, &f->client_addr, f->client_prefix)))
		return false;
	return true;
}
