// SPDX-License-Identifier: MIT
/* A check on the wire (health/probe.c): TCP connects that pass, are
 * refused or time out, over IPv4 and IPv6, and checks that leave from a
 * given source address. */

#include "loopback.h"

TEST(tcp_member_up_after_its_first_check_ipv4)
{
	struct health_params p;
	struct health_status st;
	struct rec rec;
	uint16_t port;
	int lfd = bound_socket("127.0.0.1", 16, &port);
	struct health *h = engine(&rec, 0);
	struct health_member *m = h && lfd >= 0 ? (tcp_params(&p, XLB_CHECK_TCP),
						   add(h, "m1", "127.0.0.1", port, &p))
						: NULL;
	char want[128];

	ASSERT_TRUE(m != NULL);
	ASSERT_EQ(XLB_HEALTH_PENDING, health_member_state(m));
	ASSERT_TRUE(health_member_state(m) != XLB_HEALTH_UP);
	ASSERT_EQ(1, check_once(h, &rec, m));
	health_get(m, &st);
	health_free(h);
	close(lfd);
	ASSERT_EQ(HEALTH_R_OK, rec.last.reason);
	ASSERT_EQ(XLB_HEALTH_UP, st.state);
	ASSERT_EQ(1, st.checks);
	ASSERT_EQ(1, st.passes);
	ASSERT_EQ(1, rec.changes);
	snprintf(want, sizeof(want), "web: member m1 127.0.0.1:%u UP (first check passed, ",
		 port);
	ASSERT_STR_CONTAINS(want, rec.lines[0]);
	ASSERT_STR_CONTAINS(" ms)", rec.lines[0]);
}

TEST(tcp_member_up_ipv6)
{
	struct health_params p;
	struct rec rec;
	uint16_t port;
	int lfd = bound_socket("::1", 16, &port);
	struct health *h;
	struct health_member *m;

	if (lfd < 0)
		SKIP("no ::1 on this host");
	h = engine(&rec, 0);
	tcp_params(&p, XLB_CHECK_TCP);
	m = h ? add(h, "m6", "::1", port, &p) : NULL;
	if (m)
		check_once(h, &rec, m);
	health_free(h);
	close(lfd);
	ASSERT_TRUE(m != NULL);
	ASSERT_EQ(HEALTH_R_OK, rec.last.reason);
	ASSERT_EQ(1, rec.changes);
	ASSERT_STR_CONTAINS("web: member m6 [::1]:", rec.lines[0]);
}

TEST(tcp_closed_port_is_refused_and_counts_toward_fall)
{
	struct health_params p;
	struct rec rec;
	uint16_t port;
	/* Bound, not listening: the port stays ours and answers RST. */
	int fd = bound_socket("127.0.0.1", -1, &port);
	struct health *h = engine(&rec, 0);
	struct health_member *m = NULL;
	struct health_status st;
	char want[160];

	tcp_params(&p, XLB_CHECK_TCP);
	p.fall = 2;
	if (h && fd >= 0)
		m = add(h, "splunk.com", "127.0.0.1", port, &p);
	if (m) {
		check_once(h, &rec, m);
		check_once(h, &rec, m);
		health_get(m, &st);
	}
	health_free(h);
	close(fd);
	ASSERT_TRUE(m != NULL);
	ASSERT_EQ(2, rec.results);
	ASSERT_EQ(HEALTH_R_REFUSED, rec.last.reason);
	ASSERT_EQ(XLB_HEALTH_DOWN, st.state);
	ASSERT_EQ(2, st.fail_run);
	ASSERT_EQ(1, rec.changes);
	snprintf(want, sizeof(want),
		 "web: member splunk.com 127.0.0.1:%u DOWN (connection refused, 2/2 checks failed)",
		 port);
	ASSERT_STR_EQ(want, rec.lines[0]);
}

TEST(tcp_full_backlog_times_out)
{
	struct health_params p;
	struct rec rec;
	uint16_t port;
	/* Backlog 0 holds one connection; with it taken and never accepted,
	 * the kernel drops further SYNs and the check sees no answer. */
	int lfd = bound_socket("127.0.0.1", 0, &port);
	int filler = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct health *h = engine(&rec, 0);
	struct health_member *m = NULL;
	union sa a;
	socklen_t len = sa_make(&a, "127.0.0.1", port);
	char why[64];

	ASSERT_TRUE(lfd >= 0 && filler >= 0 && h != NULL);
	ASSERT_EQ(0, connect(filler, &a.sa, len));
	tcp_params(&p, XLB_CHECK_TCP);
	p.timeout_ms = 150;
	m = add(h, "m1", "127.0.0.1", port, &p);
	if (m)
		check_once(h, &rec, m);
	health_free(h);
	close(filler);
	close(lfd);
	ASSERT_TRUE(m != NULL);
	ASSERT_EQ(1, rec.results);
	ASSERT_EQ(HEALTH_R_TIMEOUT, rec.last.reason);
	ASSERT_STR_EQ("timed out after 150 ms", health_result_str(&rec.last, why, sizeof(why)));
	ASSERT_EQ(0, rec.changes); /* PENDING stays PENDING below fall */
}

TEST(checks_leave_from_the_source_address)
{
	struct health_member_spec spec = {.service = "web", .name = "m1"};
	struct health_member *m = NULL;
	struct srv *s = srv_start("127.0.0.1", SRV_200);
	struct rec rec;
	struct health *h = s ? engine(&rec, 0) : NULL;
	union sa dst, src;
	char peer[INET6_ADDRSTRLEN] = "";

	tcp_params(&spec.params, XLB_CHECK_HTTP);
	spec.addrlen = sa_make(&dst, "127.0.0.1", s ? s->port : 0);
	spec.addr = &dst.sa;
	spec.sourcelen = sa_make(&src, "127.0.0.9", 0);
	spec.source = &src.sa;
	if (h && health_add(h, &spec, &m) == 0)
		check_once(h, &rec, m);
	health_free(h);
	if (s && atomic_load(&s->requests))
		inet_ntop(AF_INET, &s->peer.in4.sin_addr, peer, sizeof(peer));
	srv_stop(s);
	ASSERT_TRUE(m != NULL);
	ASSERT_EQ(HEALTH_R_OK, rec.last.reason);
	ASSERT_STR_EQ("127.0.0.9", peer);
}

TEST(unusable_source_address_is_a_failed_check_not_a_crash)
{
	struct health_member_spec spec = {.service = "web", .name = "m1"};
	struct health_member *m = NULL;
	struct rec rec;
	struct health *h = engine(&rec, 0);
	union sa dst, src;
	char why[96];

	tcp_params(&spec.params, XLB_CHECK_TCP);
	spec.addrlen = sa_make(&dst, "127.0.0.1", 9);
	spec.addr = &dst.sa;
	/* TEST-NET-1: never an address of this host. */
	spec.sourcelen = sa_make(&src, "192.0.2.1", 0);
	spec.source = &src.sa;
	if (h && health_add(h, &spec, &m) == 0)
		check_once(h, &rec, m);
	health_free(h);
	ASSERT_TRUE(m != NULL);
	ASSERT_EQ(1, rec.results);
	ASSERT_EQ(HEALTH_R_ERRNO, rec.last.reason);
	ASSERT_STR_EQ("Cannot assign requested address",
		      health_result_str(&rec.last, why, sizeof(why)));
}
