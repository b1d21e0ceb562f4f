// SPDX-License-Identifier: MIT
/* Member and source addresses: copied in from plain sockaddrs, their port
 * set and read, and written as text. */
#include "health/internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

int health_sa_copy(union health_sa *dst, socklen_t *dstlen, const struct sockaddr *sa,
		   socklen_t len)
{
	if (sa && sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		memcpy(&dst->in4, sa, sizeof(dst->in4));
		*dstlen = sizeof(dst->in4);
		return 0;
	}
	if (sa && sa->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		memcpy(&dst->in6, sa, sizeof(dst->in6));
		*dstlen = sizeof(dst->in6);
		return 0;
	}
	return -EAFNOSUPPORT;
}

void health_sa_set_port(union health_sa *sa, uint16_t port)
{
	if (sa->sa.sa_family == AF_INET)
		sa->in4.sin_port = htons(port);
	else
		sa->in6.sin6_port = htons(port);
}

uint16_t health_sa_port(const union health_sa *sa)
{
	return ntohs(sa->sa.sa_family == AF_INET ? sa->in4.sin_port : sa->in6.sin6_port);
}

const char *health_addr_str(const struct sockaddr *sa, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in4 = (const struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &in4->sin_addr, ip, sizeof(ip));
		snprintf(buf, len, "%s:%u", ip, ntohs(in4->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

		inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof(ip));
		snprintf(buf, len, "[%s]:%u", ip, ntohs(in6->sin6_port));
	} else {
		snprintf(buf, len, "(family %d)", sa->sa_family);
	}
	return buf;
}
