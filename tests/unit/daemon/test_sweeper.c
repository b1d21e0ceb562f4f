// SPDX-License-Identifier: MIT
/* The daemon's watch over the full flag (daemon/sweeper.h): one line when
 * an episode begins, one when it ends with the connections refused
 * meanwhile, nothing in between; a failing sweeper said once. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "daemon/sweeper.h"
#include "test.h"

#define SEC 1000000000ULL

/* A view of a table of 1024 entries holding entries, the flag as given,
 * episodes so far and rst refusals so far. */
static struct census_view view(__u32 entries, bool full, __u64 since_ns, __u64 episodes, __u64 rst)
{
	struct census_view v;

	memset(&v, 0, sizeof(v));
	v.total.flows_entries = entries;
	v.total.flows_max = 1024;
	v.state.full = full;
	v.state.full_since_ns = since_ns;
	v.events[XLB_EV_FULL_EPISODES] = episodes;
	v.reasons[XLB_R_TX_RST_TABLE_FULL] = rst;
	return v;
}

#define FULL_LINE                                                                               \
	"flow table full: 1024 of 1024 entries in use%s; new connections are refused "          \
	"(tx_rst_table_full, UDP: tx_unreach_table_full) until a sweep finds it at most 95%% " \
	"full, established ones go on; raise global.flow_table_size (each entry takes 200 "     \
	"bytes, a nat connection two)"

TEST(an_episode_is_logged_once_going_up_and_once_coming_down_with_its_refusals)
{
	struct sweep_watch w = { 0 };
	struct sweep_line l[SWEEP_LINES_MAX];
	struct census_view v;
	char want[512];
	size_t quiet, up, still, down;
	char up_text[512] = "", down_text[512] = "";
	enum log_level up_level = LOG_LVL_DEBUG, down_level = LOG_LVL_DEBUG;

	v = view(500, false, 0, 0, 7);
	quiet = sweep_watch(&w, 0, &v, 100 * SEC, l);
	/* Full at 101 s; 40 refused by the next sweep, which finds 1010 in use. */
	v = view(1010, true, 101 * SEC, 1, 47);
	up = sweep_watch(&w, 0, &v, 102 * SEC, l);
	if (up) {
		strcpy(up_text, l[0].text);
		up_level = l[0].level;
	}
	v = view(1020, true, 101 * SEC, 1, 300);
	still = sweep_watch(&w, 0, &v, 103 * SEC, l);
	v = view(900, false, 101 * SEC, 1, 507);
	v.reasons[XLB_R_TX_UNREACH_TABLE_FULL] = 3;
	down = sweep_watch(&w, 0, &v, 131 * SEC, l);
	if (down) {
		strcpy(down_text, l[0].text);
		down_level = l[0].level;
	}
	ASSERT_EQ(0, quiet);
	ASSERT_EQ(1, up);
	snprintf(want, sizeof(want), FULL_LINE, " (1010 after the sweep that followed)");
	ASSERT_STR_EQ(want, up_text);
	ASSERT_EQ(LOG_LVL_WARN, up_level);
	ASSERT_EQ(0, still);
	ASSERT_EQ(1, down);
	ASSERT_STR_EQ("flow table has room again: 900 of 1024 entries in use after 30s full; 503 new "
		      "connections were refused during the episode (tx_rst_table_full 500, "
		      "tx_unreach_table_full 3, drop_table_full 0)",
		      down_text);
	ASSERT_EQ(LOG_LVL_INFO, down_level);
}

TEST(an_episode_between_two_sweeps_is_logged_up_and_down_at_once)
{
	struct sweep_watch w = { 0 };
	struct sweep_line l[SWEEP_LINES_MAX];
	struct census_view v;
	char want[512];
	size_t n;

	v = view(1000, false, 0, 2, 10);
	sweep_watch(&w, 0, &v, 10 * SEC, l);
	/* The flag went up and the next sweep took it down: the episode
	 * counter says so. */
	v = view(1024, false, 10 * SEC, 3, 11);
	n = sweep_watch(&w, 0, &v, 11 * SEC, l);
	ASSERT_EQ(2, n);
	snprintf(want, sizeof(want), FULL_LINE, "");
	ASSERT_STR_EQ(want, l[0].text);
	ASSERT_STR_EQ("flow table has room again: 1024 of 1024 entries in use after 1s full; 1 new "
		      "connection was refused during the episode (tx_rst_table_full 1, "
		      "tx_unreach_table_full 0, drop_table_full 0)",
		      l[1].text);
}

TEST(a_daemon_that_starts_during_an_episode_says_so)
{
	struct sweep_watch w = { 0 };
	struct sweep_line l[SWEEP_LINES_MAX];
	struct census_view v = view(1024, true, 5 * SEC, 4, 99);
	size_t n = sweep_watch(&w, 0, &v, 60 * SEC, l);

	ASSERT_EQ(1, n);
	ASSERT_STR_CONTAINS("flow table full: 1024 of 1024 entries in use;", l[0].text);
}

TEST(the_first_episode_seen_by_the_first_sweep_counts_all_its_refusals)
{
	/* The table filled before the daemon's first sweep: the first view
	 * already has the episode and its 88 refusals. */
	struct sweep_watch w = { 0 };
	struct sweep_line l[SWEEP_LINES_MAX];
	struct census_view v = view(1024, true, 1 * SEC, 1, 88);
	size_t up, down;

	up = sweep_watch(&w, 0, &v, 2 * SEC, l);
	v = view(0, false, 1 * SEC, 1, 88);
	down = sweep_watch(&w, 0, &v, 6 * SEC, l);
	ASSERT_EQ(1, up);
	ASSERT_EQ(1, down);
	ASSERT_STR_EQ("flow table has room again: 0 of 1024 entries in use after 5s full; 88 new "
		      "connections were refused during the episode (tx_rst_table_full 88, "
		      "tx_unreach_table_full 0, drop_table_full 0)",
		      l[0].text);
}

TEST(an_episode_of_an_earlier_run_is_not_logged_by_a_restarted_daemon)
{
	struct sweep_watch w = { 0 };
	struct sweep_line l[SWEEP_LINES_MAX];
	struct census_view v = view(600, false, 5 * SEC, 3, 1000);

	ASSERT_EQ(0, sweep_watch(&w, 0, &v, 60 * SEC, l));
	ASSERT_EQ(0, sweep_watch(&w, 0, &v, 61 * SEC, l));
}

TEST(a_failing_sweeper_is_said_once_and_its_return_too)
{
	struct sweep_watch w = { 0 };
	struct sweep_line l[SWEEP_LINES_MAX];
	struct census_view v = view(10, false, 0, 0, 0);
	size_t first, second, busy, back;
	char first_text[512] = "", back_text[512] = "";

	first = sweep_watch(&w, -EPERM, &v, SEC, l);
	if (first)
		strcpy(first_text, l[0].text);
	second = sweep_watch(&w, -EPERM, &v, 2 * SEC, l);
	back = sweep_watch(&w, 0, &v, 3 * SEC, l);
	if (back)
		strcpy(back_text, l[0].text);
	/* Another sweep (xlb status) ran at the same time: not a failure. */
	busy = sweep_watch(&w, -EBUSY, &v, 4 * SEC, l);
	ASSERT_EQ(1, first);
	ASSERT_STR_EQ("the sweeper failed (Operation not permitted): expired connections stay in "
		      "the tables and the census of 'xlb status' ages until it works again",
		      first_text);
	ASSERT_EQ(0, second);
	ASSERT_EQ(1, back);
	ASSERT_STR_EQ("the sweeper works again", back_text);
	ASSERT_EQ(0, busy);
}

int main(int argc, char **argv)
{
	return xt_main(argc, argv);
}
