// SPDX-License-Identifier: MIT
/* rtnetlink, the few requests xlb makes: one socket per request, an
 * acknowledgement or a dump read to its end. */
#include "dp/rtnl.h"

#include <errno.h>
#include <net/if_arp.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef NETLINK_GET_STRICT_CHK
#define NETLINK_GET_STRICT_CHK 12
#endif

#define RTNL_BUF 32768

struct rtnl_req {
	struct nlmsghdr nh;
	union {
		struct rtmsg rt;
		struct ifinfomsg ifi;
	};
	char attrs[64];
};

static bool table_reserved(uint32_t table)
{
	return table == RT_TABLE_UNSPEC || table == RT_TABLE_DEFAULT || table == RT_TABLE_MAIN ||
	       table == RT_TABLE_LOCAL;
}

static void add_attr(struct rtnl_req *r, unsigned short type, const void *data, size_t len)
{
	/* Within r: the header is its first member, attrs[] room enough for
	 * the two attributes a request carries. */
	struct rtattr *rta = (struct rtattr *)((char *)r + NLMSG_ALIGN(r->nh.nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	r->nh.nlmsg_len = NLMSG_ALIGN(r->nh.nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

static int rtnl_open(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE), one = 1;

	if (fd < 0)
		return -errno;
	/* Lets the kernel filter a dump by table and protocol (Linux 4.20);
	 * without it the filter below does the same work. */
	setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
	return fd;
}

/* Sends r and reads until its acknowledgement (fn NULL) or the end of its
 * dump, calling fn on every message of it; fn's non-zero return stops the
 * reading and is returned. */
static int rtnl_talk(struct rtnl_req *r, int (*fn)(const struct nlmsghdr *nh, void *ctx),
		     void *ctx)
{
	static char buf[RTNL_BUF];
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	int fd, err = 0;
	bool done = false;

	fd = rtnl_open();
	if (fd < 0)
		return fd;
	r->nh.nlmsg_seq = 1;
	if (sendto(fd, r, r->nh.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0) {
		err = -errno;
		goto out;
	}
	while (!done) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		const struct nlmsghdr *nh;
		int left;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			goto out;
		}
		left = (int)n;
		for (nh = (const struct nlmsghdr *)buf; NLMSG_OK(nh, (unsigned)left);
		     nh = NLMSG_NEXT(nh, left)) {
			if (nh->nlmsg_seq != r->nh.nlmsg_seq)
				continue;
			if (nh->nlmsg_type == NLMSG_DONE) {
				done = true;
				break;
			}
			if (nh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(nh);

				err = e->error; /* 0: the acknowledgement */
				done = true;
				break;
			}
			if (fn && (err = fn(nh, ctx)))
				goto out;
		}
		if (n == 0)
			break;
	}
out:
	close(fd);
	return err;
}

static void route_req(struct rtnl_req *r, int type, int flags, uint32_t table,
		      const struct xlb_addr *dst)
{
	memset(r, 0, sizeof(*r));
	r->nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
	r->nh.nlmsg_type = (unsigned short)type;
	r->nh.nlmsg_flags = (unsigned short)(NLM_F_REQUEST | flags);
	r->rt.rtm_family = dst->family;
	r->rt.rtm_dst_len = dst->family == AF_INET ? 32 : 128;
	r->rt.rtm_protocol = XLB_RTPROTO;
	/* Above 255, only RTA_TABLE holds the number. */
	r->rt.rtm_table = table < 256 ? (unsigned char)table : RT_TABLE_UNSPEC;
	add_attr(r, RTA_DST, dst->family == AF_INET ? (const void *)&dst->v4 : (const void *)&dst->v6,
		 dst->family == AF_INET ? 4 : 16);
	add_attr(r, RTA_TABLE, &table, sizeof(table));
}

int rtnl_route_add(uint32_t table, const struct xlb_addr *dst)
{
	struct rtnl_req r;

	if (table_reserved(table))
		return -EINVAL;
	route_req(&r, RTM_NEWROUTE, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, table, dst);
	r.rt.rtm_scope = RT_SCOPE_UNIVERSE;
	r.rt.rtm_type = RTN_BLACKHOLE;
	return rtnl_talk(&r, NULL, NULL);
}

int rtnl_route_del(uint32_t table, const struct xlb_addr *dst)
{
	struct rtnl_req r;
	int err;

	/* With the protocol given, the kernel deletes only a route of it. */
	route_req(&r, RTM_DELROUTE, NLM_F_ACK, table, dst);
	r.rt.rtm_scope = RT_SCOPE_NOWHERE;
	err = rtnl_talk(&r, NULL, NULL);
	/* IPv4 says ESRCH, IPv6 ENOENT. */
	return err == -ENOENT ? -ESRCH : err;
}

struct route_walk {
	uint32_t table;
	int family;
	int (*fn)(const struct xlb_addr *dst, void *ctx);
	void *ctx;
};

static int route_seen(const struct nlmsghdr *nh, void *ctx)
{
	const struct route_walk *w = ctx;
	const struct rtmsg *rt = NLMSG_DATA(nh);
	int len = (int)nh->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*rt));
	uint32_t table = rt->rtm_table;
	struct xlb_addr dst = { 0 };
	bool have_dst = false;

	if (nh->nlmsg_type != RTM_NEWROUTE || len < 0 || rt->rtm_family != w->family ||
	    rt->rtm_protocol != XLB_RTPROTO || rt->rtm_dst_len != (w->family == AF_INET ? 32 : 128))
		return 0;
	for (const struct rtattr *a = RTM_RTA(rt); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == RTA_TABLE && RTA_PAYLOAD(a) == sizeof(uint32_t)) {
			memcpy(&table, RTA_DATA(a), sizeof(table));
		} else if (a->rta_type == RTA_DST &&
			   RTA_PAYLOAD(a) == (w->family == AF_INET ? 4u : 16u)) {
			dst.family = (sa_family_t)w->family;
			memcpy(w->family == AF_INET ? (void *)&dst.v4 : (void *)&dst.v6, RTA_DATA(a),
			       RTA_PAYLOAD(a));
			have_dst = true;
		}
	}
	if (table != w->table || !have_dst)
		return 0;
	return w->fn(&dst, w->ctx);
}

int rtnl_route_each(uint32_t table, int (*fn)(const struct xlb_addr *dst, void *ctx), void *ctx)
{
	static const int families[] = { AF_INET, AF_INET6 };
	struct rtnl_req r;
	int err = 0;

	for (size_t i = 0; !err && i < sizeof(families) / sizeof(families[0]); i++) {
		struct route_walk w = { .table = table, .family = families[i], .fn = fn, .ctx = ctx };

		memset(&r, 0, sizeof(r));
		r.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
		r.nh.nlmsg_type = RTM_GETROUTE;
		r.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
		r.rt.rtm_family = (unsigned char)families[i];
		r.rt.rtm_protocol = XLB_RTPROTO;
		r.rt.rtm_table = table < 256 ? (unsigned char)table : RT_TABLE_UNSPEC;
		add_attr(&r, RTA_TABLE, &table, sizeof(table));
		err = rtnl_talk(&r, route_seen, &w);
		/* A table nothing was ever added to does not exist yet, and
		 * a kernel may answer a dump filtered by it with ENOENT (IPv4's
		 * inet_dump_fib does): it is empty. */
		if (err == -ENOENT)
			err = 0;
	}
	return err;
}

static int link_seen(const struct nlmsghdr *nh, void *ctx)
{
	struct rtnl_link *out = ctx;
	const struct ifinfomsg *ifi = NLMSG_DATA(nh);
	int len = (int)nh->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*ifi));

	if (nh->nlmsg_type != RTM_NEWLINK || len < 0)
		return 0;
	out->ether = ifi->ifi_type == ARPHRD_ETHER;
	for (const struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == IFLA_LINK && RTA_PAYLOAD(a) == sizeof(int)) {
			memcpy(&out->peer_ifindex, RTA_DATA(a), sizeof(int));
		} else if (a->rta_type == IFLA_ADDRESS && RTA_PAYLOAD(a) == sizeof(out->mac)) {
			memcpy(out->mac, RTA_DATA(a), sizeof(out->mac));
		} else if (a->rta_type == IFLA_LINK_NETNSID) {
			out->peer_elsewhere = true;
		} else if (a->rta_type == IFLA_LINKINFO) {
			int ilen = (int)RTA_PAYLOAD(a);

			for (const struct rtattr *i = RTA_DATA(a); RTA_OK(i, ilen); i = RTA_NEXT(i, ilen))
				if (i->rta_type == IFLA_INFO_KIND)
					snprintf(out->kind, sizeof(out->kind), "%.*s",
						 (int)RTA_PAYLOAD(i), (const char *)RTA_DATA(i));
		}
	}
	return 0;
}

int rtnl_link_get(int ifindex, struct rtnl_link *out)
{
	struct rtnl_req r;

	memset(out, 0, sizeof(*out));
	memset(&r, 0, sizeof(r));
	r.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
	r.nh.nlmsg_type = RTM_GETLINK;
	/* The link, then the acknowledgement that ends the reading. */
	r.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	r.ifi.ifi_family = AF_UNSPEC;
	r.ifi.ifi_index = ifindex;
	return rtnl_talk(&r, link_seen, out);
}
