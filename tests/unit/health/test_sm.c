// SPDX-License-Identifier: MIT
/* The rise/fall state machine (health/sm.c): transitions after exactly
 * rise passes and fall failures, counted consecutively. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "health/health.h"
#include "lib/abi_text.h"
#include "health/heap.h"
#include "health/http.h"
#include "health/sm.h"
#include "test.h"
/* Feeds a string of results ('+' pass, '-' fail) and writes the state after
 * each one as U/D/P, so that a whole sequence is one string compare. */
static void sm_run(const char *seq, uint32_t rise, uint32_t fall, char *out)
{
	struct health_sm sm = {.state = XLB_HEALTH_PENDING};
	uint32_t run = 0, need = 0;

	for (; *seq; seq++) {
		health_sm_feed(&sm, *seq == '+', rise, fall, &run, &need);
		*out++ = xlb_health_str(sm.state)[0];
	}
	*out = '\0';
}

TEST(sm_pending_member_comes_up_on_its_first_pass)
{
	char got[64];

	sm_run("+", 2, 3, got);
	ASSERT_STR_EQ("U", got);
	sm_run("--+", 2, 3, got);
	ASSERT_STR_EQ("PPU", got);
}

TEST(sm_pending_member_goes_down_after_fall_failures_then_needs_rise)
{
	char got[64];

	sm_run("---+-++", 2, 3, got);
	ASSERT_STR_EQ("PPDDDDU", got);
}

TEST(sm_up_goes_down_after_exactly_fall_consecutive_failures)
{
	char got[64];

	sm_run("+---", 2, 3, got);
	ASSERT_STR_EQ("UUUD", got);
	sm_run("+-", 2, 1, got);
	ASSERT_STR_EQ("UD", got);
}

TEST(sm_down_comes_up_after_exactly_rise_consecutive_passes)
{
	char got[64];

	sm_run("+---+-+++", 3, 3, got);
	ASSERT_STR_EQ("UUUDDDDDU", got);
}

TEST(sm_flapping_that_never_reaches_fall_never_transitions)
{
	char got[64];

	/* Two failures in a row at most, with fall 3: cumulative counting
	 * would have gone down at the third failure overall. */
	sm_run("+--+--+-+--+", 2, 3, got);
	ASSERT_STR_EQ("UUUUUUUUUUUU", got);
	/* And a DOWN member flapping below rise stays down. */
	sm_run("+---+-+-+-", 2, 3, got);
	ASSERT_STR_EQ("UUUDDDDDDD", got);
}

TEST(sm_reports_the_run_that_made_the_change)
{
	struct health_sm sm = {.state = XLB_HEALTH_UP};
	uint32_t run = 0, need = 0;

	ASSERT_EQ(0, health_sm_feed(&sm, false, 2, 3, &run, &need));
	ASSERT_EQ(0, health_sm_feed(&sm, false, 2, 3, &run, &need));
	ASSERT_EQ(1, health_sm_feed(&sm, false, 2, 3, &run, &need));
	ASSERT_EQ(3, run);
	ASSERT_EQ(3, need);
	ASSERT_EQ(0, health_sm_feed(&sm, true, 2, 3, &run, &need));
	ASSERT_EQ(1, health_sm_feed(&sm, true, 2, 3, &run, &need));
	ASSERT_EQ(2, run);
	ASSERT_EQ(2, need);
	ASSERT_EQ(XLB_HEALTH_UP, sm.state);
}
