// SPDX-License-Identifier: MIT
/* What a check's end does (health/result.c): the rise/fall state machine
 * fed by real checks, states adopted from an earlier run, and a member
 * removed from inside its own callback. */

#include "loopback.h"

/* The whole rise/fall story through real checks: the server's answer
 * decides each result. */
TEST(rise_fall_sequence_through_real_checks)
{
	static const struct {
		enum srv_mode mode;
		int changes_after; /* state changes so far */
		enum xlb_health_state state;
	} steps[] = {
		{SRV_200, 1, XLB_HEALTH_UP},   /* first pass: UP at once */
		{SRV_503, 1, XLB_HEALTH_UP},
		{SRV_503, 1, XLB_HEALTH_UP},
		{SRV_200, 1, XLB_HEALTH_UP},   /* flap: the failure run restarts */
		{SRV_503, 1, XLB_HEALTH_UP},
		{SRV_503, 1, XLB_HEALTH_UP},
		{SRV_503, 2, XLB_HEALTH_DOWN}, /* exactly fall = 3 in a row */
		{SRV_200, 2, XLB_HEALTH_DOWN},
		{SRV_503, 2, XLB_HEALTH_DOWN}, /* the pass run restarts too */
		{SRV_200, 2, XLB_HEALTH_DOWN},
		{SRV_200, 3, XLB_HEALTH_UP},   /* exactly rise = 2 in a row */
	};
	struct health_params p;
	struct rec rec;
	struct srv *s = srv_start("127.0.0.1", SRV_200);
	struct health *h = s ? engine(&rec, 0) : NULL;
	struct health_member *m = NULL;
	char want[3][160];
	size_t i;

	tcp_params(&p, XLB_CHECK_HTTP);
	if (h)
		m = add(h, "m1", "127.0.0.1", s->port, &p);
	for (i = 0; m && i < sizeof(steps) / sizeof(steps[0]); i++) {
		atomic_store(&s->mode, steps[i].mode);
		if (check_once(h, &rec, m) != (int)i + 1 || rec.changes != steps[i].changes_after ||
		    health_member_state(m) != steps[i].state)
			break;
	}
	health_free(h);
	snprintf(want[0], sizeof(want[0]), "web: member m1 127.0.0.1:%u UP (first check passed, ",
		 s ? s->port : 0);
	snprintf(want[1], sizeof(want[1]),
		 "web: member m1 127.0.0.1:%u DOWN (HTTP status 503 (expected 200), 3/3 checks failed)",
		 s ? s->port : 0);
	snprintf(want[2], sizeof(want[2]), "web: member m1 127.0.0.1:%u UP (2/2 checks passed, ",
		 s ? s->port : 0);
	srv_stop(s);
	ASSERT_TRUE(m != NULL);
	ASSERT_EQ(sizeof(steps) / sizeof(steps[0]), i);
	ASSERT_EQ(3, rec.changes);
	ASSERT_STR_CONTAINS(want[0], rec.lines[0]);
	ASSERT_STR_EQ(want[1], rec.lines[1]);
	ASSERT_STR_CONTAINS(want[2], rec.lines[2]);
}

TEST(member_removed_from_its_own_callback_is_freed_safely)
{
	struct health_params p;
	struct rec rec;
	uint16_t port;
	int lfd = bound_socket("127.0.0.1", 16, &port);
	struct health *h = engine(&rec, 0);
	struct health_member *m = NULL;
	size_t left = 1;

	tcp_params(&p, XLB_CHECK_TCP);
	if (h && lfd >= 0)
		m = add(h, "m1", "127.0.0.1", port, &p);
	if (m) {
		rec.remove_on_change = m;
		check_once(h, &rec, m);
		left = health_count(h);
	}
	health_free(h);
	close(lfd);
	ASSERT_TRUE(m != NULL);
	ASSERT_EQ(1, rec.changes);
	ASSERT_EQ(0, left);
}

/* A restarted daemon adopts the states of the pins: an UP member keeps
 * serving without waiting for a check, and needs `fall` failures to go
 * DOWN; a DOWN one needs `rise` passes. */
TEST(adopted_up_member_serves_at_once_and_falls_after_fall_failures)
{
	struct health_member *m = NULL;
	struct health_params p;
	struct rec rec;
	uint16_t port;
	int lfd = bound_socket("127.0.0.1", -1, &port); /* bound, not listening: refused */
	struct health *h = engine(&rec, 0);

	ASSERT_TRUE(h != NULL && lfd >= 0);
	tcp_params(&p, XLB_CHECK_TCP);
	p.fall = 2;
	m = add_in_state(h, "m1", "127.0.0.1", port, &p, XLB_HEALTH_UP);
	ASSERT_TRUE(m != NULL);
	ASSERT_EQ(XLB_HEALTH_UP, health_member_state(m));
	check_once(h, &rec, m);
	ASSERT_EQ(XLB_HEALTH_UP, health_member_state(m));
	check_once(h, &rec, m);
	ASSERT_EQ(XLB_HEALTH_DOWN, health_member_state(m));
	health_free(h);
	close(lfd);
	ASSERT_EQ(1, rec.changes);
	ASSERT_STR_CONTAINS("DOWN (connection refused, 2/2 checks failed)", rec.lines[0]);
}

TEST(adopted_down_member_needs_rise_passes)
{
	struct health_member *m = NULL;
	struct health_params p;
	struct rec rec;
	uint16_t port;
	int lfd = bound_socket("127.0.0.1", 16, &port);
	struct health *h = engine(&rec, 0);

	ASSERT_TRUE(h != NULL && lfd >= 0);
	tcp_params(&p, XLB_CHECK_TCP);
	p.rise = 2;
	m = add_in_state(h, "m1", "127.0.0.1", port, &p, XLB_HEALTH_DOWN);
	ASSERT_TRUE(m != NULL);
	ASSERT_TRUE(health_member_state(m) != XLB_HEALTH_UP);
	check_once(h, &rec, m);
	ASSERT_EQ(XLB_HEALTH_DOWN, health_member_state(m));
	check_once(h, &rec, m);
	ASSERT_EQ(XLB_HEALTH_UP, health_member_state(m));
	health_free(h);
	close(lfd);
	ASSERT_STR_CONTAINS("UP (2/2 checks passed", rec.lines[0]);
}
