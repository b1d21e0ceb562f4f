// SPDX-License-Identifier: MIT
/* `xlb check` output: the text plan, the JSON plan and errors, the JSON
 * writer's escaping, and the command's exit codes through the binary. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd/check.h"
#include "config/config.h"
#include "lib/json.h"
#include "test.h"

typedef void (*printer_fn)(const struct xlb_config *cfg, const struct tables_host *h, FILE *out);

/* A host with the default NAT ports (1024-65535 without the ephemeral
 * 32768-60999) whose free memory is not known: the plan is the file's. */
static const struct tables_host HOST = { .nat_ports = 36280 };

/* What printer writes on host h for the file at path, or for yaml when
 * path is NULL; NULL when it does not load. */
static char *print_on_host(const char *path, const char *yaml, const struct tables_host *h,
			   printer_fn printer)
{
	struct xlb_config *cfg = NULL;
	struct cfg_diag d;
	char *text = NULL;
	size_t len = 0;
	FILE *out;
	int err;

	cfg_diag_init(&d);
	err = path ? config_load_file(path, &cfg, &d)
		   : config_load_buffer("t.yaml", yaml, strlen(yaml), &cfg, &d);
	if (err)
		cfg_diag_print(&d, stdout);
	cfg_diag_free(&d);
	if (err)
		return NULL;
	out = open_memstream(&text, &len);
	if (out) {
		printer(cfg, h, out);
		fclose(out);
	}
	config_free(cfg);
	return text;
}

static char *print_to_string(const char *path, printer_fn printer)
{
	return print_on_host(path, NULL, &HOST, printer);
}

static char *print_text(const char *yaml, printer_fn printer)
{
	return print_on_host(NULL, yaml, &HOST, printer);
}

TEST(check_prints_the_seed_plan_as_aligned_tables)
{
	char *got = print_to_string("examples/observabilityplatforms.com.yaml", check_print_plan);

	ASSERT_STR_EQ(
		"examples/observabilityplatforms.com.yaml: valid, 1 service, 3 members\n"
		"\n"
		"global\n"
		"  interfaces             (none: give them with 'xlb run -i IFACE')\n"
		"  flow_table_size        2097152\n"
		"  half_open_table_size   36280 (default: the NAT ports of a nat member, "
		"under flow_table_size / 8)\n"
		"  tcp_half_open_timeout  10s\n"
		"  tcp_idle_timeout       3h\n"
		"  tcp_closing_timeout    10s\n"
		"  tcp_time_wait          2s\n"
		"  udp_idle_timeout       1m\n"
		"  resolve_interval       1m\n"
		"  socket_lb              auto: on (a VIP on loopback), sockets of the daemon's "
		"network namespace, at the cgroup v2 root\n"
		"  table memory           406.9 MiB (2133432 entries of 200 bytes, taken at start)\n"
		"\n"
		"service observabilityplatforms.com  127.0.0.1:8080/tcp\n"
		"  scheduler   round-robin\n"
		"  forwarding  nat, source the outgoing interface's address (36280 NAT ports per "
		"member)\n"
		"  on_empty    reject\n"
		"  health      tcp on the member port, every 2s, timeout 1s, rise 2, fall 3\n"
		"  members (3)\n"
		"    NAME           ADDRESS          PORT  WEIGHT  HEALTH\n"
		"    newrelic.com   142.251.33.110    443       1  as service\n"
		"    splunk.com     52.5.196.118      443       1  as service\n"
		"    datadoghq.com  52.84.169.4       443       1  as service\n",
		got);
	free(got);
}

TEST(check_plan_shows_overrides_hostnames_drains_and_sorry)
{
	char *got = print_to_string("examples/full.yaml", check_print_plan);

	ASSERT_STR_CONTAINS("service web  198.18.0.10:80/tcp\n"
			    "  scheduler   weighted\n"
			    "  forwarding  nat, source pool 198.18.0.2, 198.18.0.3 (72560 NAT ports per "
			    "member)\n"
			    "  on_empty    sorry -> 198.18.1.250:8080\n"
			    "  health      http on port 8081 GET /healthz -> 204, every 5s, "
			    "timeout 1500ms, rise 3, fall 2\n", got);
	ASSERT_STR_CONTAINS("    web-3       198.18.1.13   8080       0  as service "
			    "(drained: weight 0)\n", got);
	ASSERT_STR_CONTAINS("    web-canary  198.18.1.14   8080       1  http on port 8081 "
			    "GET /healthz/canary -> 204, every 1s, timeout 500ms, rise 3, fall 2\n",
			    got);
	ASSERT_STR_CONTAINS("    api-b  api-b.backend.test (DNS)    443       2  as service\n",
			    got);
	ASSERT_STR_CONTAINS("service api-v6  [fd00:18::10]:443/tcp\n", got);
	ASSERT_STR_CONTAINS("  on_empty    sorry -> xlb's HTTP 503 page\n", got);
	ASSERT_STR_CONTAINS("  health      none (members count as up)\n", got);
	free(got);
}

TEST(check_prints_the_seed_plan_as_json)
{
	char *got = print_to_string("examples/observabilityplatforms.com.yaml", check_print_json);

	ASSERT_STR_CONTAINS("{\n"
			    "  \"file\": \"examples/observabilityplatforms.com.yaml\",\n"
			    "  \"valid\": true,\n"
			    "  \"global\": {\n"
			    "    \"interfaces\": [],\n"
			    "    \"flow_table_size\": 2097152,\n"
			    "    \"half_open_table_size\": 36280,\n"
			    "    \"half_open_table_size_default\": true,\n"
			    "    \"tcp_half_open_timeout_ms\": 10000,\n"
			    "    \"tcp_idle_timeout_ms\": 10800000,\n"
			    "    \"tcp_closing_timeout_ms\": 10000,\n"
			    "    \"tcp_time_wait_ms\": 2000,\n", got);
	ASSERT_STR_CONTAINS("    \"tables\": {\n"
			    "      \"flow_entries\": 2097152,\n"
			    "      \"half_open_entries\": 36280,\n"
			    "      \"bytes_per_entry\": 200,\n"
			    "      \"bytes\": 426686400,\n"
			    "      \"nat_ports\": 36280,\n"
			    "      \"fits_this_host\": true\n"
			    "    },\n"
			    "    \"announce\": {\n", got);
	ASSERT_STR_CONTAINS("      \"name\": \"observabilityplatforms.com\",\n"
			    "      \"vip\": \"127.0.0.1\",\n"
			    "      \"port\": 8080,\n"
			    "      \"protocol\": \"tcp\",\n"
			    "      \"scheduler\": \"round-robin\",\n"
			    "      \"forwarding\": \"nat\",\n"
			    "      \"on_empty\": \"reject\",\n"
			    "      \"sorry_address\": null,\n"
			    "      \"snat\": null,\n"
			    "      \"nat_ports_per_member\": 36280,\n", got);
	ASSERT_STR_CONTAINS("        {\n"
			    "          \"name\": \"splunk.com\",\n"
			    "          \"address\": \"52.5.196.118\",\n"
			    "          \"hostname\": false,\n"
			    "          \"port\": 443,\n"
			    "          \"weight\": 1,\n"
			    "          \"health\": {\n"
			    "            \"type\": \"tcp\",\n"
			    "            \"port\": 443,\n", got);
	free(got);
}

/* python3's json module as an independent judge of well-formedness. */
static int json_valid(const char *text)
{
	FILE *p;

	if (system("python3 -c '' 2>/dev/null") != 0)
		return -1;
	p = popen("python3 -c 'import json,sys; json.load(sys.stdin)'", "w");
	if (!p)
		return -1;
	fputs(text, p);
	return pclose(p) == 0;
}

TEST(check_plan_says_when_this_host_cannot_give_the_tables_their_memory)
{
	/* 400 MiB available: xlb takes three quarters, 300 MiB; the seed's
	 * tables need 406.9 MiB. */
	const struct tables_host small = { .nat_ports = 36280, .mem_available = 400ull << 20 };
	char *text = print_on_host("examples/observabilityplatforms.com.yaml", NULL, &small, check_print_plan);
	char *json = print_on_host("examples/observabilityplatforms.com.yaml", NULL, &small, check_print_json);

	ASSERT_STR_CONTAINS("  table memory           406.9 MiB (2133432 entries of 200 bytes, taken at "
			    "start); more than this host can give now (300.0 MiB, three quarters of "
			    "MemAvailable): 'xlb run' here refuses it\n", text);
	ASSERT_STR_CONTAINS("      \"fits_this_host\": false\n", json);
	free(text);
	free(json);
}

TEST(check_plan_shows_an_snat_pool_its_ports_and_a_half_open_table_above_them)
{
	char *text = print_text("global: {flow_table_size: 1048576, half_open_table_size: 200000, "
				"tcp_half_open_timeout: 5s, tcp_time_wait: 500ms}\n"
				"services:\n"
				"  - name: web\n"
				"    vip: {ip: 198.18.0.10, port: 80}\n"
				"    snat: [198.18.0.2, 198.18.0.3]\n"
				"    members: {a: [198.18.1.1, 80], b: [198.18.1.2, 80]}\n",
				check_print_plan);
	char *json = print_text("services:\n"
				"  - name: web\n"
				"    vip: {ip: 198.18.0.10, port: 80}\n"
				"    snat: [198.18.0.2, 198.18.0.3]\n"
				"    members: {a: [198.18.1.1, 80], b: [198.18.1.2, 80]}\n",
				check_print_json);

	/* Each member: 2 addresses x 36280 ports = 72560 */
	ASSERT_STR_CONTAINS("  half_open_table_size   200000 (above the 72560 NAT ports of a nat "
			    "member: a flood aimed at it can hold more than half of them)\n"
			    "  tcp_half_open_timeout  5s\n", text);
	ASSERT_STR_CONTAINS("  tcp_time_wait          500ms\n", text);
	ASSERT_STR_CONTAINS("  table memory           238.1 MiB (1248576 entries of 200 bytes, taken "
			    "at start)\n", text);
	ASSERT_STR_CONTAINS("  forwarding  nat, source pool 198.18.0.2, 198.18.0.3 (72560 NAT ports "
			    "per member)\n", text);
	ASSERT_STR_CONTAINS("      \"snat\": [\n"
			    "        \"198.18.0.2\",\n"
			    "        \"198.18.0.3\"\n"
			    "      ],\n"
			    "      \"nat_ports_per_member\": 72560,\n", json);
	/* The default, 2097152 / 8, is above a member's 72560 ports: it is that. */
	ASSERT_STR_CONTAINS("    \"half_open_table_size\": 72560,\n", json);
	free(text);
	free(json);
}

TEST(check_plan_of_a_small_dnat_table_takes_the_smallest_half_open_size)
{
	char *text = print_text("global: {flow_table_size: 4096}\n"
				"services:\n"
				"  - name: web\n"
				"    vip: {ip: 198.18.0.10, port: 80}\n"
				"    forwarding: dnat\n"
				"    members: {a: [198.18.1.1, 80]}\n",
				check_print_plan);

	ASSERT_STR_CONTAINS("  half_open_table_size   1024 (default: the smallest size; "
			    "flow_table_size / 8 is less)\n", text);
	ASSERT_STR_CONTAINS("  table memory           1000.0 KiB (5120 entries of 200 bytes, taken "
			    "at start)\n", text);
	/* dnat: no NAT ports on the forwarding line */
	ASSERT_STR_CONTAINS("  forwarding  dnat\n", text);
	free(text);
}

TEST(check_json_of_the_full_example_is_well_formed)
{
	char *got = print_to_string("examples/full.yaml", check_print_json);
	int valid;

	ASSERT_TRUE(got);
	valid = json_valid(got);
	free(got);
	if (valid < 0)
		SKIP("python3 is not installed");
	ASSERT_EQ(1, valid);
}

TEST(check_errors_as_json)
{
	struct xlb_config *cfg = NULL;
	struct cfg_diag d;
	char *text = NULL;
	size_t len = 0;
	FILE *out;

	cfg_diag_init(&d);
	ASSERT_NE(0, config_load_buffer("bad \"name\".yaml", "service: [\n", 11, &cfg, &d));
	out = open_memstream(&text, &len);
	ASSERT_TRUE(out);
	check_print_errors_json(&d, out);
	fclose(out);
	cfg_diag_free(&d);
	ASSERT_STR_EQ("{\n"
		      "  \"file\": \"bad \\\"name\\\".yaml\",\n"
		      "  \"valid\": false,\n"
		      "  \"error_count\": 1,\n"
		      "  \"errors\": [\n"
		      "    {\n"
		      "      \"line\": 2,\n"
		      "      \"column\": 1,\n"
		      "      \"message\": \"YAML syntax error: did not find expected node content "
		      "(while parsing a flow node at line 2, column 1)\"\n"
		      "    }\n"
		      "  ]\n"
		      "}\n",
		      text);
	free(text);
}

TEST(json_writer_escapes_quotes_controls_and_invalid_utf8)
{
	struct json_writer w;
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	ASSERT_TRUE(out);
	json_init(&w, out, false);
	json_array_begin(&w);
	json_string(&w, "a\"b\\c\n\t\x01\x7f");
	json_string(&w, "caf\xc3\xa9 \xff \xc0\xaf \xed\xa0\x80");
	json_object_begin(&w);
	json_object_end(&w);
	json_int(&w, -5);
	json_null(&w);
	json_array_end(&w);
	json_finish(&w);
	fclose(out);
	ASSERT_STR_EQ("[\"a\\\"b\\\\c\\n\\t\\u0001\\u007f\","
		      "\"caf\xc3\xa9 \\ufffd \\ufffd\\ufffd \\ufffd\\ufffd\\ufffd\",{},-5,null]\n",
		      text);
	free(text);
}

/* ---- the command through the binary ---------------------------------------- */

/* Runs `BUILD/xlb check ARGS`; returns the exit status and the first line
 * of stderr in line (empty when none). */
static int run_check(const char *args, char *line, size_t len)
{
	const char *build = getenv("BUILD") ? getenv("BUILD") : "build";
	char cmd[512];
	FILE *p;
	int status;

	snprintf(cmd, sizeof(cmd), "%s/xlb check %s 2>&1 >/dev/null", build, args);
	line[0] = '\0';
	p = popen(cmd, "r");
	if (!p)
		return -1;
	if (!fgets(line, (int)len, p))
		line[0] = '\0';
	while (fgetc(p) != EOF)
		;
	status = pclose(p);
	line[strcspn(line, "\n")] = '\0';
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static bool xlb_binary_present(void)
{
	const char *build = getenv("BUILD") ? getenv("BUILD") : "build";
	char path[256];

	snprintf(path, sizeof(path), "%s/xlb", build);
	return access(path, X_OK) == 0;
}

TEST(check_command_exit_codes)
{
	char line[512];

	if (!xlb_binary_present())
		SKIP("no xlb binary under $BUILD (make test-build builds it)");
	ASSERT_EQ(0, run_check("examples/observabilityplatforms.com.yaml", line, sizeof(line)));
	ASSERT_STR_EQ("", line);
	ASSERT_EQ(0, run_check("--json examples/full.yaml", line, sizeof(line)));
	ASSERT_EQ(1, run_check("tests/unit/config/files/bad/port_zero.yaml", line, sizeof(line)));
	ASSERT_STR_EQ("tests/unit/config/files/bad/port_zero.yaml:2:29: port: 0 is out of range; "
		      "expected 1-65535", line);
	ASSERT_EQ(1, run_check("tests/unit/config/files/no-such-file.yaml", line, sizeof(line)));
	ASSERT_EQ(2, run_check("", line, sizeof(line)));
	ASSERT_STR_EQ("xlb check: missing FILE", line);
	ASSERT_EQ(2, run_check("a.yaml b.yaml", line, sizeof(line)));
	ASSERT_STR_EQ("xlb check: unexpected argument 'b.yaml'", line);
	ASSERT_EQ(2, run_check("--frobnicate a.yaml", line, sizeof(line)));
	ASSERT_STR_EQ("xlb check: unknown option '--frobnicate'", line);
	/* The form docs/config.md and --help show: options after the file. */
	ASSERT_EQ(0, run_check("examples/full.yaml --json", line, sizeof(line)));
	ASSERT_STR_EQ("", line);
}

TEST(check_command_ends_with_an_error_count)
{
	const char *build = getenv("BUILD") ? getenv("BUILD") : "build";
	char cmd[512], last[512] = "", line[512];
	FILE *p;

	if (!xlb_binary_present())
		SKIP("no xlb binary under $BUILD (make test-build builds it)");
	snprintf(cmd, sizeof(cmd), "%s/xlb check tests/unit/config/files/bad/many_errors.yaml 2>&1",
		 build);
	p = popen(cmd, "r");
	ASSERT_TRUE(p);
	while (fgets(line, sizeof(line), p))
		snprintf(last, sizeof(last), "%s", line);
	pclose(p);
	ASSERT_STR_EQ("xlb: 6 errors in tests/unit/config/files/bad/many_errors.yaml\n", last);
}

/* announce: (tests/fuzz/seeds/config/announce.yaml): the table, each
 * service's min_members and up_delay, and off; in the text plan only when
 * the file announces, in JSON always. */
#define FILE_ANNOUNCE "tests/fuzz/seeds/config/announce.yaml"

TEST(plan_shows_the_table_and_each_services_announcement)
{
	char *got = print_to_string(FILE_ANNOUNCE, check_print_plan);

	ASSERT_STR_CONTAINS("  socket_lb              auto: off (no VIP on loopback)\n", got);
	ASSERT_STR_CONTAINS("taken at start)\n"
			    "  announce               table 100 (a route per served VIP, protocol 248)\n"
			    "\nservice web", got);
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
	char *got = print_to_string("examples/observabilityplatforms.com.yaml", check_print_plan);

	ASSERT_TRUE(got != NULL);
	ASSERT_TRUE(strstr(got, "announce") == NULL);
	free(got);
}

#define FILE_METRICS "tests/fuzz/seeds/config/metrics.yaml"

TEST(plan_and_json_show_the_metrics_endpoint)
{
	char *plan = print_to_string(FILE_METRICS, check_print_plan);
	char *json = print_to_string(FILE_METRICS, check_print_json);

	ASSERT_STR_CONTAINS("\n  metrics                http://[fd00:18::1]:9100/metrics\n\nservice web", plan);
	ASSERT_STR_CONTAINS("    \"metrics\": {\n"
			    "      \"listen\": \"[fd00:18::1]:9100\"\n"
			    "    }\n", json);
	free(plan);
	free(json);
}

TEST(plan_of_a_file_without_metrics_has_no_metrics_line)
{
	char *got = print_to_string("examples/observabilityplatforms.com.yaml", check_print_plan);

	ASSERT_TRUE(got != NULL);
	ASSERT_TRUE(strstr(got, "metrics") == NULL);
	free(got);
}

TEST(json_has_the_announce_settings)
{
	char *got = print_to_string(FILE_ANNOUNCE, check_print_json);

	ASSERT_STR_CONTAINS("    \"announce\": {\n"
			    "      \"table\": 100,\n"
			    "      \"l2\": false\n"
			    "    },\n"
			    "    \"metrics\": null\n", got);
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
