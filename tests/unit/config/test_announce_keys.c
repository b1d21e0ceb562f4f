// SPDX-License-Identifier: MIT
/* `announce:`, globally and per service: defaults, every form, and the
 * exact error of every value refused (the kernel's own tables, numbers out
 * of range, settings without a table, a min_members never reachable). */
#include "config_text.h"

/* A file with one global announce line and one service whose announce
 * line is given ("" for none); two members. */
static const char *file(const char *global, const char *service)
{
	static char text[1024];

	snprintf(text, sizeof(text),
		 "global:\n"
		 "%s"
		 "services:\n"
		 "  - name: web\n"
		 "    vip: {ip: 198.18.2.1, port: 80}\n"
		 "%s"
		 "    members:\n"
		 "      a: [198.18.1.11, 80]\n"
		 "      b: [198.18.1.12, 80]\n",
		 global, service);
	return text;
}

TEST(without_announce_nothing_is_announced_and_services_get_the_defaults)
{
	struct xlb_config *cfg;

	LOAD_OK(cfg, file("  flow_table_size: 65536\n", ""));
	ASSERT_EQ(0, cfg->global.announce.table);
	ASSERT_EQ(false, cfg->global.announce.l2);
	ASSERT_EQ(true, cfg->services[0].announce.enabled);
	ASSERT_EQ(1, cfg->services[0].announce.min_members);
	ASSERT_EQ(0, cfg->services[0].announce.up_delay_ms);
	config_free(cfg);
}

TEST(table_and_service_settings_are_read)
{
	struct xlb_config *cfg;

	LOAD_OK(cfg, file("  announce: {table: 100}\n",
			  "    announce: {min_members: 2, up_delay: 3s}\n"));
	ASSERT_EQ(100, cfg->global.announce.table);
	ASSERT_EQ(true, cfg->services[0].announce.enabled);
	ASSERT_EQ(2, cfg->services[0].announce.min_members);
	ASSERT_EQ(3000, cfg->services[0].announce.up_delay_ms);
	config_free(cfg);
}

TEST(table_numbers_up_to_2_to_the_32_minus_1_are_accepted)
{
	struct xlb_config *cfg;

	LOAD_OK(cfg, file("  announce: {table: 4294967295}\n", ""));
	ASSERT_EQ(4294967295u, cfg->global.announce.table);
	config_free(cfg);
	LOAD_OK(cfg, file("  announce: {table: 256}\n", ""));
	ASSERT_EQ(256, cfg->global.announce.table);
	config_free(cfg);
	LOAD_OK(cfg, file("  announce: {table: 1}\n", ""));
	ASSERT_EQ(1, cfg->global.announce.table);
	config_free(cfg);
}

TEST(announce_false_and_true_are_the_short_forms)
{
	struct xlb_config *cfg;

	LOAD_OK(cfg, file("  announce: {table: 100}\n", "    announce: false\n"));
	ASSERT_EQ(false, cfg->services[0].announce.enabled);
	config_free(cfg);
	LOAD_OK(cfg, file("  announce: {table: 100}\n", "    announce: true\n"));
	ASSERT_EQ(true, cfg->services[0].announce.enabled);
	ASSERT_EQ(1, cfg->services[0].announce.min_members);
	config_free(cfg);
}

TEST(up_delay_zero_is_no_delay_with_or_without_a_unit)
{
	struct xlb_config *cfg;

	LOAD_OK(cfg, file("  announce: {table: 100}\n", "    announce: {up_delay: 0}\n"));
	ASSERT_EQ(0, cfg->services[0].announce.up_delay_ms);
	config_free(cfg);
	LOAD_OK(cfg, file("  announce: {table: 100}\n", "    announce: {up_delay: 0s}\n"));
	ASSERT_EQ(0, cfg->services[0].announce.up_delay_ms);
	config_free(cfg);
	LOAD_OK(cfg, file("  announce: {table: 100}\n", "    announce: {up_delay: 1h}\n"));
	ASSERT_EQ(3600000, cfg->services[0].announce.up_delay_ms);
	config_free(cfg);
}

TEST(l2_alone_is_accepted)
{
	struct xlb_config *cfg;

	LOAD_OK(cfg, file("  announce: {l2: true}\n", "    announce: {min_members: 2}\n"));
	ASSERT_EQ(0, cfg->global.announce.table);
	ASSERT_EQ(true, cfg->global.announce.l2);
	config_free(cfg);
}

#define KERNEL_TABLE(word, name, id)                                                \
	"t.yaml:2:21: table: " word " is the kernel's '" name "' table (" id "), which it " \
	"forwards with; give xlb a table of its own that no other program writes, e.g. 100 " \
	"(1-252 or 256-4294967295; a routing daemon learns the VIPs from it)\n"

TEST(the_main_table_is_refused_by_name_and_number)
{
	EXPECT_ERRORS(file("  announce: {table: main}\n", ""), KERNEL_TABLE("main", "main", "254"));
	EXPECT_ERRORS(file("  announce: {table: 254}\n", ""), KERNEL_TABLE("254", "main", "254"));
}

TEST(the_local_default_and_unspec_tables_are_refused)
{
	EXPECT_ERRORS(file("  announce: {table: 255}\n", ""), KERNEL_TABLE("255", "local", "255"));
	EXPECT_ERRORS(file("  announce: {table: local}\n", ""), KERNEL_TABLE("local", "local", "255"));
	EXPECT_ERRORS(file("  announce: {table: 253}\n", ""), KERNEL_TABLE("253", "default", "253"));
	EXPECT_ERRORS(file("  announce: {table: 0}\n", ""), KERNEL_TABLE("0", "unspec", "0"));
}

TEST(a_table_past_2_to_the_32_or_not_a_number_is_refused)
{
	EXPECT_ERRORS(file("  announce: {table: 4294967296}\n", ""),
		      "t.yaml:2:21: table: 4294967296 is out of range; expected 1-4294967295\n");
	EXPECT_ERRORS(file("  announce: {table: xlb}\n", ""),
		      "t.yaml:2:21: table: 'xlb' is not a whole number; expected 1-4294967295\n");
}

TEST(global_announce_without_a_table_says_what_to_give)
{
	EXPECT_ERRORS(file("  announce: {}\n", ""),
		      "t.yaml:2:13: announce: give 'table: N', the kernel routing table where xlb "
		      "keeps a route for each served VIP, or 'l2: true' to answer ARP and neighbour "
		      "solicitation for them (or leave 'announce:' out)\n");
	EXPECT_ERRORS(file("  announce: {tabel: 100}\n", ""),
		      "t.yaml:2:14: unknown key 'tabel' in announce; did you mean 'table'?\n");
}

TEST(service_announce_without_a_global_table_has_no_effect)
{
	EXPECT_ERRORS(file("  flow_table_size: 65536\n", "    announce: {min_members: 2}\n"),
		      "t.yaml:6:5: service 'web': announce has no effect: no VIP is announced "
		      "without 'announce: {table: N}' or 'announce: {l2: true}' under 'global:'\n");
}

TEST(min_members_above_the_pool_size_is_refused)
{
	EXPECT_ERRORS(file("  announce: {table: 100}\n", "    announce: {min_members: 3}\n"),
		      "t.yaml:6:5: service 'web': min_members 3 but the service has 2 members: its "
		      "VIP would never be announced\n");
}

TEST(min_members_zero_and_bad_up_delays_are_refused)
{
	EXPECT_ERRORS(file("  announce: {table: 100}\n", "    announce: {min_members: 0}\n"),
		      "t.yaml:6:29: min_members: 0 is out of range; expected 1-4096\n");
	EXPECT_ERRORS(file("  announce: {table: 100}\n", "    announce: {up_delay: 2h}\n"),
		      "t.yaml:6:26: up_delay: 2h is out of range; expected 1ms-1h\n");
	EXPECT_ERRORS(file("  announce: {table: 100}\n", "    announce: {up_delay: 3}\n"),
		      "t.yaml:6:26: up_delay: '3' has no unit; add one, e.g. '3s' (units: ms, s, m, h)\n");
	EXPECT_ERRORS(file("  announce: {table: 100}\n", "    announce: maybe\n"),
		      "t.yaml:6:15: announce: unknown value 'maybe'; expected one of: false, true\n");
}

int main(int argc, char **argv)
{
	return xt_main(argc, argv);
}
