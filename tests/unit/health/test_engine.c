// SPDX-License-Identifier: MIT
/* The engine (health/engine.c): members added, updated and removed at
 * runtime, type none never checked, and hundreds of members checked in
 * parallel through one loop, with and without an in-flight cap. */

#include "loopback.h"

TEST(add_and_remove_at_runtime_keep_the_others_state)
{
	struct health_params p;
	struct health_status st_a;
	struct rec rec;
	uint16_t port;
	int lfd = bound_socket("127.0.0.1", 64, &port);
	struct health *h = engine(&rec, 0);
	struct health_member *a = NULL, *b = NULL, *c = NULL;
	int ok = 0;

	tcp_params(&p, XLB_CHECK_TCP);
	if (h && lfd >= 0) {
		a = add(h, "a", "127.0.0.1", port, &p);
		b = add(h, "b", "127.0.0.1", port, &p);
	}
	if (a && b) {
		check_once(h, &rec, a);
		check_once(h, &rec, b);
		/* A reload: b goes, c comes, a stays with new settings. */
		health_remove(b);
		p.rise = 5;
		ok = health_update(a, &p) == 0;
		c = add(h, "c", "127.0.0.1", port, &p);
	}
	if (ok && c) {
		ok = health_count(h) == 2 && health_member_state(a) == XLB_HEALTH_UP &&
		     health_member_state(c) == XLB_HEALTH_PENDING;
		check_once(h, &rec, a);
		health_get(a, &st_a);
	}
	health_free(h);
	close(lfd);
	ASSERT_TRUE(c != NULL);
	ASSERT_TRUE(ok);
	ASSERT_EQ(XLB_HEALTH_UP, st_a.state);
	ASSERT_EQ(2, st_a.checks); /* counters carried over the update */
	ASSERT_EQ(2, st_a.ok_run);
	ASSERT_EQ(3, rec.results);
	ASSERT_EQ(2, rec.changes);
}

TEST(type_none_is_up_without_any_check)
{
	struct health_params p;
	struct health_status st;
	struct rec rec;
	struct health *h = engine(&rec, 0);
	struct health_member *m = NULL;

	tcp_params(&p, XLB_CHECK_NONE);
	p.interval_ms = 10;
	if (h)
		m = add(h, "m1", "127.0.0.1", 9, &p);
	if (m) {
		for (int i = 0; i < 5; i++)
			health_run_once(h, ROUND_MS);
		health_get(m, &st);
	}
	health_free(h);
	ASSERT_TRUE(m != NULL);
	ASSERT_EQ(XLB_HEALTH_UP, st.state);
	ASSERT_EQ(0, st.checks);
	ASSERT_EQ(0, rec.results);
}

/* Many members on many loopback addresses, each on its own listener, all
 * on a short interval: every one comes UP exactly once, within a bounded
 * number of loop rounds, and the in-flight cap holds. */
static void many_members(int n, uint32_t cap, int *up, int *changes, int *min_checks,
			 size_t *max_inflight)
{
	struct health_params p;
	struct rec rec;
	struct health *h = engine(&rec, cap);
	struct health_member **ms = calloc((size_t)n, sizeof(*ms));
	int *fds = calloc((size_t)n, sizeof(*fds));
	int added = 0;

	*up = *changes = 0;
	*min_checks = -1;
	tcp_params(&p, XLB_CHECK_TCP);
	p.interval_ms = 200;
	for (int i = 0; h && ms && fds && i < n; i++) {
		char ip[32], name[16];
		uint16_t port;

		snprintf(ip, sizeof(ip), "127.0.%d.%d", 1 + i / 250, 1 + i % 250);
		snprintf(name, sizeof(name), "m%d", i + 1);
		fds[i] = bound_socket(ip, 8, &port);
		if (fds[i] < 0)
			break;
		ms[i] = add(h, name, ip, port, &p);
		if (!ms[i]) {
			close(fds[i]);
			break;
		}
		added++;
	}
	/* Every member's first check falls within the first 200 ms interval;
	 * the bound is 50 intervals. */
	if (added == n)
		run_until(h, &rec.changes, n, 50 * p.interval_ms);
	for (int i = 0; i < added; i++) {
		struct health_status st;

		health_get(ms[i], &st);
		*up += st.state == XLB_HEALTH_UP;
		if (*min_checks < 0 || (int)st.checks < *min_checks)
			*min_checks = (int)st.checks;
	}
	*changes = rec.changes;
	*max_inflight = rec.max_inflight_seen;
	health_free(h);
	for (int i = 0; i < added; i++)
		close(fds[i]);
	free(ms);
	free(fds);
}

TEST(five_hundred_members_on_loopback_all_come_up)
{
	int up, changes, min_checks;
	size_t max_inflight;

	many_members(500, 0, &up, &changes, &min_checks, &max_inflight);
	ASSERT_EQ(500, up);
	ASSERT_EQ(500, changes);
	ASSERT_TRUE(min_checks >= 1);
}

TEST(in_flight_cap_queues_checks_and_still_checks_everyone)
{
	int up, changes, min_checks;
	size_t max_inflight;

	many_members(200, 4, &up, &changes, &min_checks, &max_inflight);
	ASSERT_EQ(200, up);
	ASSERT_EQ(200, changes);
	ASSERT_TRUE(max_inflight <= 4);
	ASSERT_TRUE(max_inflight >= 1);
}
