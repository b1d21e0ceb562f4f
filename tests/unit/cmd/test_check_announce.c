// SPDX-License-Identifier: MIT
/* `xlb check` shows `announce:` (tests/fuzz/seeds/config/announce.yaml):
 * the table, each service's min_members and up_delay, and `off`; in the
 * text plan only when the file announces, in JSON always. */
#include <stdio.h>
#include <stdlib.h>

#include "cmd/check.h"
#include "config/config.h"
#include "test.h"

#define FILE_ANNOUNCE "tests/fuzz/seeds/config/announce.yaml"

static char *printed(const char *path, void (*printer)(const struct xlb_config *, FILE *))
{
	struct xlb_config *cfg = NULL;
	struct cfg_diag d;
	char *text = NULL;
	size_t len = 0;
	FILE *out;

	cfg_diag_init(&d);
	config_load_file(path, &cfg, &d);
	cfg_diag_free(&d);
	if (!cfg)
		return NULL;
	out = open_memstream(&text, &len);
	if (out) {
		printer(cfg, out);
		fclose(out);
	}
	config_free(cfg);
	return text;
}

TEST(plan_shows_the_table_and_each_services_announcement)
{
	char *got = printed(FILE_ANNOUNCE, check_print_plan);

	ASSERT_STR_CONTAINS("  socket_lb            auto: off (no VIP on loopback)\n"
			    "  announce             table 100 (a route per served VIP, protocol 248)\n",
			    got);
	ASSERT_STR_CONTAINS("  health      tcp on the member port, every 2s, timeout 1s, rise 2, fall 3\n"
			    "  announce    with 2 serving members or more, after 30s of it (up_delay)\n"
			    "  members (2)\n", got);
	ASSERT_STR_CONTAINS("  health      none (members count as up)\n"
			    "  announce    off\n"
			    "  members (1)\n", got);
	free(got);
}

TEST(plan_of_a_file_without_announce_has_no_announce_line)
{
	char *got = printed("examples/observabilityplatforms.com.yaml", check_print_plan);

	ASSERT_TRUE(got != NULL);
	ASSERT_TRUE(strstr(got, "announce") == NULL);
	free(got);
}

TEST(json_has_the_announce_settings)
{
	char *got = printed(FILE_ANNOUNCE, check_print_json);

	ASSERT_STR_CONTAINS("    \"announce\": {\n"
			    "      \"table\": 100,\n"
			    "      \"l2\": false\n"
			    "    }\n", got);
	ASSERT_STR_CONTAINS("      \"announce\": {\n"
			    "        \"enabled\": true,\n"
			    "        \"min_members\": 2,\n"
			    "        \"up_delay_ms\": 30000\n"
			    "      }\n", got);
	ASSERT_STR_CONTAINS("      \"announce\": {\n"
			    "        \"enabled\": false,\n"
			    "        \"min_members\": 1,\n"
			    "        \"up_delay_ms\": 0\n"
			    "      }\n", got);
	free(got);
}

int main(int argc, char **argv)
{
	return xt_main(argc, argv);
}
