// SPDX-License-Identifier: MIT
/* The built-in sorry responder's answer: a complete HTTP response of
 * exactly XLB_SORRY_LEN bytes whose Content-Length matches, naming the
 * service, with the checksum sum the data plane adds unchanged. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/sorry_page.h"
#include "test.h"
#include "xlb/limits.h"

static void expect_page(const char *service)
{
	struct xlb_sorry_page page;
	char text[XLB_SORRY_LEN + 1], want[128];
	const char *body, *cl;
	uint32_t sum = 0;

	ASSERT_EQ(0, sorry_page_build(service, 77, &page));
	memcpy(text, page.text, XLB_SORRY_LEN);
	text[XLB_SORRY_LEN] = 0;
	ASSERT_TRUE(strncmp(text, "HTTP/1.0 503 Service Unavailable\r\n", 34) == 0);
	body = strstr(text, "\r\n\r\n");
	cl = strstr(text, "Content-Length: ");
	ASSERT_TRUE(body && cl && cl < body);
	body += 4;
	ASSERT_EQ(XLB_SORRY_LEN - (body - text), atoi(cl + 16));
	snprintf(want, sizeof(want), "No member of %s is available.", service);
	ASSERT_TRUE(strstr(body, want) != NULL);
	for (int i = 0; i < XLB_SORRY_LEN; i += 2) {
		uint16_t w;

		memcpy(&w, page.text + i, 2);
		sum += w;
	}
	ASSERT_EQ(sum, page.csum);
	ASSERT_EQ(77, page.secret);
}

TEST(page_is_a_whole_503_response_naming_the_service)
{
	expect_page("web");
}

TEST(page_of_the_longest_service_name_still_fits)
{
	char name[XLB_NAME_MAX];

	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = 0;
	expect_page(name);
}

TEST(page_refuses_a_name_that_does_not_fit)
{
	char name[300];
	struct xlb_sorry_page page;

	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = 0;
	ASSERT_EQ(-ENAMETOOLONG, sorry_page_build(name, 1, &page));
}
