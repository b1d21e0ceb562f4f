// SPDX-License-Identifier: MIT
/* `global: metrics: {listen: ADDR:PORT}`: off when absent, IPv4 and
 * [IPv6]:port read, and the exact error of every value refused. */
#include <arpa/inet.h>

#include "config_text.h"

/* A file with the given global lines and one service. */
static const char *file(const char *global)
{
	static char text[1024];

	snprintf(text, sizeof(text),
		 "global:\n"
		 "  flow_table_size: 65536\n"
		 "%s"
		 "services:\n"
		 "  - name: web\n"
		 "    vip: {ip: 198.18.2.1, port: 80}\n"
		 "    members:\n"
		 "      a: [198.18.1.11, 80]\n",
		 global);
	return text;
}

static const char *listen_text(const struct xlb_config *cfg)
{
	static char buf[XLB_ADDR_PORT_STRLEN];

	return addr_format_port(&cfg->global.metrics.addr, cfg->global.metrics.port, buf, sizeof(buf));
}

TEST(without_metrics_no_listener_is_configured)
{
	struct xlb_config *cfg;

	LOAD_OK(cfg, file(""));
	ASSERT_EQ(false, cfg->global.metrics.enabled);
	ASSERT_EQ(0, cfg->global.metrics.pos.line);
	config_free(cfg);
}

TEST(an_ipv4_listen_address_and_port_are_read)
{
	struct xlb_config *cfg;

	LOAD_OK(cfg, file("  metrics: {listen: 198.18.0.1:9100}\n"));
	ASSERT_EQ(true, cfg->global.metrics.enabled);
	ASSERT_EQ(AF_INET, cfg->global.metrics.addr.family);
	ASSERT_EQ(9100, cfg->global.metrics.port);
	ASSERT_STR_EQ("198.18.0.1:9100", listen_text(cfg));
	ASSERT_EQ(3, cfg->global.metrics.pos.line);
	config_free(cfg);
}

TEST(an_ipv6_listen_address_is_read_in_brackets)
{
	struct xlb_config *cfg;

	LOAD_OK(cfg, file("  metrics:\n    listen: \"[fd00::1]:65535\"\n"));
	ASSERT_EQ(AF_INET6, cfg->global.metrics.addr.family);
	ASSERT_EQ(65535, cfg->global.metrics.port);
	ASSERT_STR_EQ("[fd00::1]:65535", listen_text(cfg));
	config_free(cfg);
}

TEST(every_address_is_accepted_for_ipv4_and_ipv6)
{
	struct xlb_config *cfg;

	LOAD_OK(cfg, file("  metrics: {listen: 0.0.0.0:1}\n"));
	ASSERT_STR_EQ("0.0.0.0:1", listen_text(cfg));
	config_free(cfg);
	LOAD_OK(cfg, file("  metrics: {listen: '[::]:9100'}\n"));
	ASSERT_STR_EQ("[::]:9100", listen_text(cfg));
	config_free(cfg);
}

TEST(listen_values_that_are_not_addr_port_are_refused_at_their_place)
{
	EXPECT_ERRORS(file("  metrics: {listen: 198.18.0.1}\n"),
		      "t.yaml:3:21: listen: '198.18.0.1' is not ADDR:PORT; expected e.g. "
		      "127.0.0.1:9100, 0.0.0.0:9100 or \"[::1]:9100\"\n");
	EXPECT_ERRORS(file("  metrics: {listen: '[::1]9100'}\n"),
		      "t.yaml:3:21: listen: '[::1]9100' is not ADDR:PORT; expected e.g. "
		      "127.0.0.1:9100, 0.0.0.0:9100 or \"[::1]:9100\"\n");
	EXPECT_ERRORS(file("  metrics: {listen: ':9100'}\n"),
		      "t.yaml:3:21: listen: ':9100' is not ADDR:PORT; expected e.g. "
		      "127.0.0.1:9100, 0.0.0.0:9100 or \"[::1]:9100\"\n");
	EXPECT_ERRORS(file("  metrics: {listen: 'fd00::1:9100'}\n"),
		      "t.yaml:3:21: listen: 'fd00::1:9100': write an IPv6 address in brackets, "
		      "then the port: \"[::1]:9100\"\n");
	EXPECT_ERRORS(file("  metrics: {listen: localhost:9100}\n"),
		      "t.yaml:3:21: listen: 'localhost' is not an IPv4 or IPv6 unicast address "
		      "(0.0.0.0 or [::] listen on every address)\n");
	EXPECT_ERRORS(file("  metrics: {listen: 224.0.0.1:9100}\n"),
		      "t.yaml:3:21: listen: '224.0.0.1' is not an IPv4 or IPv6 unicast address "
		      "(0.0.0.0 or [::] listen on every address)\n");
}

TEST(listen_ports_outside_1_to_65535_are_refused)
{
	EXPECT_ERRORS(file("  metrics: {listen: 198.18.0.1:0}\n"),
		      "t.yaml:3:21: listen port: 0 is out of range; expected 1-65535\n");
	EXPECT_ERRORS(file("  metrics: {listen: 198.18.0.1:65536}\n"),
		      "t.yaml:3:21: listen port: 65536 is out of range; expected 1-65535\n");
	EXPECT_ERRORS(file("  metrics: {listen: 198.18.0.1:http}\n"),
		      "t.yaml:3:21: listen port: 'http' is not a whole number; expected 1-65535\n");
}

TEST(metrics_must_be_a_mapping_with_listen)
{
	EXPECT_ERRORS(file("  metrics: 9100\n"),
		      "t.yaml:3:12: metrics: expected a mapping, got a single value\n");
	EXPECT_ERRORS(file("  metrics: {}\n"),
		      "t.yaml:3:12: metrics: give 'listen: ADDR:PORT', where the daemon serves "
		      "Prometheus metrics (e.g. 127.0.0.1:9100), or leave 'metrics:' out\n");
	EXPECT_ERRORS(file("  metrics: {lisen: 127.0.0.1:9100}\n"),
		      "t.yaml:3:13: unknown key 'lisen' in metrics; did you mean 'listen'?\n");
	EXPECT_ERRORS(file("  metrics: {listen: [1, 2]}\n"),
		      "t.yaml:3:21: listen: an IPv6 address in brackets must be quoted in YAML: "
		      "listen: \"[::1]:9100\"\n");
}

int main(int argc, char **argv)
{
	return xt_main(argc, argv);
}
