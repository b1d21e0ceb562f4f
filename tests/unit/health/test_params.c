// SPDX-License-Identifier: MIT
/* Check settings (health/params.c): defaults and what is refused. */
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
TEST(params_validation_rejects_zeroes)
{
	struct health_params p;

	health_params_default(&p);
	ASSERT_EQ(0, health_params_validate(&p));
	ASSERT_EQ(XLB_CHECK_TCP, p.type);
	ASSERT_EQ(2000, p.interval_ms);
	ASSERT_EQ(2, p.rise);
	ASSERT_EQ(3, p.fall);
	p.fall = 0;
	ASSERT_EQ(-EINVAL, health_params_validate(&p));
	health_params_default(&p);
	p.http_status = 42;
	ASSERT_EQ(-EINVAL, health_params_validate(&p));
	p.type = XLB_CHECK_NONE;
	ASSERT_EQ(0, health_params_validate(&p));
}
