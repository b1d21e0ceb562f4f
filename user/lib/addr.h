/* SPDX-License-Identifier: MIT */
/* IP addresses as the control plane holds them: one type for IPv4 and IPv6,
 * parsed from literals only (never resolved here), and RFC 1123 hostname
 * syntax for members that the daemon resolves later. */
#ifndef XLB_ADDR_H
#define XLB_ADDR_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "xlb/abi.h"

struct xlb_addr {
	sa_family_t family; /* AF_INET or AF_INET6; 0 when unset */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	};
};

/* Longest text addr_format_port() writes: "[v6]:port" and the NUL. */
#define XLB_ADDR_PORT_STRLEN (INET6_ADDRSTRLEN + 8)
/* RFC 1123 hostnames: 253 characters, plus a trailing dot and the NUL. */
#define XLB_HOSTNAME_MAX 255

/* Parses an IPv4 or IPv6 literal; 0 or -EINVAL. */
int addr_parse(const char *text, struct xlb_addr *out);
/* Writes the address ("198.18.0.1", "fd00::1") into buf; returns buf. */
const char *addr_format(const struct xlb_addr *a, char *buf, size_t len);
/* Writes "198.18.0.1:80" or "[fd00::1]:80"; returns buf. */
const char *addr_format_port(const struct xlb_addr *a, uint16_t port, char *buf, size_t len);
bool addr_equal(const struct xlb_addr *a, const struct xlb_addr *b);
/* Fills SS with the address and PORT (host order); returns its length. */
socklen_t addr_to_sockaddr(const struct xlb_addr *a, uint16_t port, struct sockaddr_storage *ss);
/* Total order (family first, then bytes) for sorting and duplicate checks. */
int addr_cmp(const struct xlb_addr *a, const struct xlb_addr *b);
const char *addr_family_name(sa_family_t family); /* "IPv4" / "IPv6" */
/* Addresses that can never be a destination: unspecified, multicast,
 * IPv4 limited broadcast. */
bool addr_is_unusable(const struct xlb_addr *a);
/* The address as the data plane stores it (include/xlb/abi.h: IPv4 in the
 * first 4 bytes, the rest zero), and back. */
void addr_to_abi(const struct xlb_addr *a, union xlb_ip *out, __u8 *family);
void addr_from_abi(const union xlb_ip *ip, __u8 family, struct xlb_addr *out);
/* 0.0.0.0 or :: (a listener's "every address"). */
bool addr_is_unspecified(const struct xlb_addr *a);

/* RFC 1123 syntax (labels of letters, digits and inner hyphens, at most 63
 * characters each, 253 in all, one optional trailing dot), with an
 * all-numeric last label refused so that a mistyped IPv4 address such as
 * 10.0.0.256 is not taken for a name. */
bool hostname_valid(const char *name);
/* Something meant as an IP literal: only digits and dots, or any colon. */
bool addr_looks_literal(const char *text);

#endif
