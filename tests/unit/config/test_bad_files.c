// SPDX-License-Identifier: MIT
/* Bad configuration files: every error's exact message and position.  The
 * small files under files/bad/ are also seeds of the config fuzzer. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "test.h"

/* All errors of a load, one "FILE:LINE:COL: message\n" each (the printed
 * form); the load must fail and return no config. */
static char *errors_of(int err, struct xlb_config *cfg, struct cfg_diag *d)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	if (!out)
		return NULL;
	cfg_diag_print(d, out);
	if (!err)
		fprintf(out, "(the load succeeded)\n");
	if (cfg)
		fprintf(out, "(a config was returned)\n");
	fclose(out);
	config_free(cfg);
	cfg_diag_free(d);
	return text;
}

static char *errors_of_file(const char *path)
{
	struct xlb_config *cfg = NULL;
	struct cfg_diag d;
	int err;

	cfg_diag_init(&d);
	err = config_load_file(path, &cfg, &d);
	return errors_of(err, cfg, &d);
}

static char *errors_of_text(const char *text, size_t len)
{
	struct xlb_config *cfg = NULL;
	struct cfg_diag d;
	int err;

	cfg_diag_init(&d);
	err = config_load_buffer("t.yaml", text, len, &cfg, &d);
	return errors_of(err, cfg, &d);
}

/* The error text must equal want exactly. */
static void expect_errors(const char *file, int line, char *got, const char *want)
{
	if (!got || strcmp(got, want) != 0)
		xt_fail(file, line, "errors:\n  expected:\n%s  got:\n%s", want, got ? got : "(null)\n");
	free(got);
}

/* For a static text: its length without the NUL. */
#define EXPECT_TEXT_ERRORS(text, want)                                              \
	expect_errors(__FILE__, __LINE__, errors_of_text(text, sizeof(text) - 1), want)

#define D "tests/unit/config/files/bad/"

/* One test per file: its name says which rule it proves. */
#define BAD(name, want)                                                             \
	TEST(rejects_##name)                                                        \
	{                                                                           \
		expect_errors(__FILE__, __LINE__, errors_of_file(D #name ".yaml"), want); \
	}                                                                           \
	struct xt_unused_##name

BAD(alias,
	D "alias.yaml:5:51: YAML aliases (*hc) are not supported: they can expand a small file into a huge one; write the value out\n");

BAD(bad_member_hostname,
	D "bad_member_hostname.yaml:4:7: address: '-bad-.example.test' is neither an IP address nor a valid hostname (letters, digits, '-' and '.', at most 253 characters)\n");

BAD(bad_member_ipv6,
	D "bad_member_ipv6.yaml:4:7: address: 'fd00::1::2' is not an IPv4 or IPv6 address\n");

BAD(bad_names,
	D "bad_names.yaml:1:10: service: 'my web' may only hold letters, digits and '.', '_', '-', ':', '@', '+'\n"
	D "bad_names.yaml:4:3: member name: 'a/b' may only hold letters, digits and '.', '_', '-', ':', '@', '+'\n");

BAD(bad_vip_ip,
	D "bad_vip_ip.yaml:2:11: ip: '198.18.0.300' is not an IPv4 or IPv6 address\n");

BAD(comments_only,
	D "comments_only.yaml: the file is empty; expected 'service:' (one service) or 'services:' (a list), see docs/config.md\n");

BAD(control_char,
	D "control_char.yaml:1:13: control character 0x01 is not allowed in YAML; remove it\n");

BAD(dsr_port,
	D "dsr_port.yaml:5:7: member 'a': forwarding 'dsr' does not rewrite ports, so its port 8080 must equal the VIP port 80\n");

BAD(duplicate_listener,
	D "duplicate_listener.yaml:6:10: service 'web2' listens on 198.18.0.1:80/tcp like service 'web' at line 2; a VIP, port and protocol can belong to one service only\n");

BAD(duplicate_member_name,
	D "duplicate_member_name.yaml:6:3: duplicate member 'a' (first at line 4); member names must be unique in a service\n");

BAD(duplicate_member_target,
	D "duplicate_member_target.yaml:5:7: member 'b' has the same address and port (198.18.1.1:80) as member 'a' at line 4; list each backend once (use weight to give it more traffic)\n"
	D "duplicate_member_target.yaml:7:7: member 'd' has the same address and port (BACKEND.example.test:80) as member 'c' at line 6; list each backend once (use weight to give it more traffic)\n");

BAD(duplicate_name,
	D "duplicate_name.yaml:5:11: duplicate service name 'web' (first at line 2); service names must be unique\n");

BAD(duration_no_unit,
	D "duration_no_unit.yaml:3:25: interval: '2' has no unit; add one, e.g. '2s' (units: ms, s, m, h)\n");

BAD(duration_zero,
	D "duration_zero.yaml:2:21: tcp_idle_timeout: must be greater than 0; expected 1s-24h\n"
	D "duration_zero.yaml:3:21: udp_idle_timeout: '2 minutes' is not a duration; write a number and a unit, e.g. 500ms, 2s, 1m, 1h\n");

BAD(empty,
	D "empty.yaml: the file is empty; expected 'service:' (one service) or 'services:' (a list), see docs/config.md\n");

BAD(empty_pool,
	D "empty_pool.yaml:3:10: members: the pool is empty; add at least one 'name: [address, port]'\n");

BAD(family_dsr,
	D "family_dsr.yaml:5:7: member 'a': fd00::11 is IPv6 but the VIP 198.18.0.1 is IPv4; xlb does not translate between address families (forwarding: dsr): give 'a' an IPv4 address or use an IPv6 VIP\n");

BAD(family_nat,
	D "family_nat.yaml:5:7: member 'b': 198.18.1.2 is IPv4 but the VIP fd00::10 is IPv6; xlb does not translate between address families (forwarding: nat): give 'b' an IPv6 address or use an IPv4 VIP\n");

BAD(global_wrong_type,
	D "global_wrong_type.yaml:1:9: global: expected a mapping, got a list\n");

BAD(http_path,
	D "http_path.yaml:3:33: path: 'healthz' must start with '/'\n"
	D "http_path.yaml:3:50: expect: 600 is out of range; expected 100-599\n");

BAD(interfaces,
	D "interfaces.yaml:2:22: interfaces: 'a-very-long-interface-name' is not an interface name (at most 15 characters, no '/', ':' or spaces)\n"
	D "interfaces.yaml:2:50: interfaces: 'eth0' is listed twice\n"
	D "interfaces.yaml:3:20: flow_table_size: 100 is out of range; expected 1024-16777216\n");

BAD(interval_timeout,
	D "interval_timeout.yaml:5:12: timeout 1s must be shorter than interval 1s, so that a check ends before the next one starts\n");

BAD(many_errors,
	D "many_errors.yaml:3:7: ip: '198.18.0.999' is not an IPv4 or IPv6 address\n"
	D "many_errors.yaml:4:9: port: 99999 is out of range; expected 1-65535\n"
	D "many_errors.yaml:5:11: protocol: unknown value 'tcpp'; did you mean 'tcp'? expected one of: tcp, udp\n"
	D "many_errors.yaml:7:38: unknown key 'wieght' in member 'a'; did you mean 'weight'?\n"
	D "many_errors.yaml:8:6: member 'b': expected [address, port] or a mapping with address, port and weight, got a list without exactly 2 items\n"
	D "many_errors.yaml:11:9: path: 'x' must start with '/'\n");

BAD(member_override_timeout,
	D "member_override_timeout.yaml:5:62: timeout 3s must be shorter than interval 2s, so that a check ends before the next one starts\n");

BAD(member_three_items,
	D "member_three_items.yaml:4:6: member 'a': expected [address, port] or a mapping with address, port and weight, got a list without exactly 2 items\n");

BAD(members_is_list,
	D "members_is_list.yaml:4:3: members: expected a mapping of 'name: [address, port]', got a list; drop the '-' before each member\n");

BAD(members_is_scalar,
	D "members_is_scalar.yaml:3:10: members: expected a mapping, got a single value\n");

BAD(missing_members,
	D "missing_members.yaml:1:1: missing required key 'members' (in 'pool:' or at the service)\n");

BAD(missing_name,
	D "missing_name.yaml:2:5: missing required key 'name' (the service's name)\n");

BAD(missing_port,
	D "missing_port.yaml:3:3: vip: missing required key 'port'\n");

BAD(missing_vip,
	D "missing_vip.yaml:2:5: missing required key 'vip' (ip and port)\n");

BAD(non_utf8,
	D "non_utf8.yaml:4:6: the file is not valid UTF-8 (invalid trailing UTF-8 octet); save it as UTF-8\n");

BAD(not_yaml,
	D "not_yaml.yaml:3:8: YAML syntax error: did not find expected ',' or '}' (while parsing a flow mapping at line 2, column 6)\n");

BAD(path_on_tcp,
	D "path_on_tcp.yaml:3:26: 'path' only applies to http checks (this check is tcp); add 'type: http' or remove it\n");

BAD(port_and_listener_port,
	D "port_and_listener_port.yaml:2:33: vip: give either 'port' or 'listener_port' (the same setting), not both\n");

BAD(port_not_number,
	D "port_not_number.yaml:2:29: port: 'http' is not a whole number; expected 1-65535\n");

BAD(port_too_big,
	D "port_too_big.yaml:4:19: port: 65536 is out of range; expected 1-65535\n");

BAD(port_zero,
	D "port_zero.yaml:2:29: port: 0 is out of range; expected 1-65535\n");

BAD(rise_fall_range,
	D "rise_fall_range.yaml:3:21: rise: 0 is out of range; expected 1-100\n"
	D "rise_fall_range.yaml:3:30: fall: 101 is out of range; expected 1-100\n");

BAD(scheduler_unknown,
	D "scheduler_unknown.yaml:3:12: scheduler: unknown value 'rr'; expected one of: round-robin, weighted, maglev\n"
	D "scheduler_unknown.yaml:4:13: forwarding: unknown value 'nta'; did you mean 'nat'? expected one of: nat, dnat, dsr\n");

BAD(services_and_service,
	D "services_and_service.yaml:1:1: 'service' belongs to a service: with 'services:', write it inside a list item (or drop 'services:' for the one-service form)\n"
	D "services_and_service.yaml:2:1: 'vip' belongs to a service: with 'services:', write it inside a list item (or drop 'services:' for the one-service form)\n");

BAD(services_not_list,
	D "services_not_list.yaml:2:3: services: expected a list of services (each item starting with '- name:'), got a mapping\n");

BAD(snat_dsr,
	D "snat_dsr.yaml:4:7: snat is only used with 'forwarding: nat' (this service forwards with dsr, which keeps the client's address)\n");

BAD(snat_family,
	D "snat_family.yaml:3:7: snat: fd00::2 is IPv6 but the VIP 198.18.0.1 is IPv4; xlb does not translate between address families (forwarding: nat): use an snat address of the VIP's family\n");

BAD(socket_lb,
	D "socket_lb.yaml:2:24: enabled: unknown value 'yes'; expected one of: auto, true, false\n"
	D "socket_lb.yaml:2:45: all_namespaces: unknown value '1'; expected one of: false, true\n"
	D "socket_lb.yaml:2:56: cgroup: 'lb-clients' is not an absolute path; give the cgroup v2 directory whose processes are balanced, or leave it out for the root of the cgroup v2 mount\n");

BAD(socket_lb_keys,
	D "socket_lb_keys.yaml:3:5: unknown key 'enable' in socket_lb; did you mean 'enabled'?\n"
	D "socket_lb_keys.yaml:4:13: cgroup: '/sys/fs/cgroup/unified/../lb-clients' holds '..'; write the path without it\n");

BAD(sorry_without_policy,
	D "sorry_without_policy.yaml:3:16: sorry_address is only used with 'on_empty: sorry' (this service has on_empty: reject)\n");

BAD(table_sizes,
	D "table_sizes.yaml:2:20: flow_table_size: 16777217 is out of range; expected 1024-16777216\n"
	D "table_sizes.yaml:3:25: half_open_table_size: 100 is out of range; expected 1024-16777216, or 0 for the default (flow_table_size / 8, at most the NAT ports of a nat member)\n"
	D "table_sizes.yaml:4:26: tcp_half_open_timeout: 500ms is out of range; expected 1s-1h\n"
	D "table_sizes.yaml:5:18: tcp_time_wait: '2 s' is not a duration; write a number and a unit, e.g. 500ms, 2s, 1m, 1h\n");

BAD(snat_list,
	D "snat_list.yaml:4:11: snat: the list is empty; give an address, or a list of the addresses of the pool\n"
	D "snat_list.yaml:8:36: snat: 198.18.0.2 is listed twice (first at line 8); list each address of the pool once\n"
	D "snat_list.yaml:12:24: snat: fd00::2 is IPv6 but the VIP 198.18.0.1 is IPv4; xlb does not translate between address families (forwarding: nat): use an snat address of the VIP's family\n"
	D "snat_list.yaml:16:11: snat: expected an address or a list of addresses, got a mapping\n"
	D "snat_list.yaml:21:11: snat is only used with 'forwarding: nat' (this service forwards with dnat, which keeps the client's address)\n");

BAD(dnat_member_twice,
	D "dnat_member_twice.yaml:12:14: member 'same' (198.18.1.1:80/tcp) of dnat service 'web-too' is also member 'a' (198.18.1.1:80/tcp) of dnat service 'web' at line 6: dnat translates a member's replies by their source address, port and protocol alone (on any node, without per-connection state), so each can lead back to one service only; give it another port, or use 'forwarding: nat' for one of the services\n"
	D "dnat_member_twice.yaml:13:14: member 'host' (BACKEND.example.test:80/tcp) of dnat service 'web-too' is also member 'b' (backend.example.test:80/tcp) of dnat service 'web' at line 7: dnat translates a member's replies by their source address, port and protocol alone (on any node, without per-connection state), so each can lead back to one service only; give it another port, or use 'forwarding: nat' for one of the services\n"
	D "dnat_member_twice.yaml:18:20: sorry_address 198.18.1.1:80/tcp of dnat service 'sorry-too' is also member 'a' (198.18.1.1:80/tcp) of dnat service 'web' at line 6: dnat translates a member's replies by their source address, port and protocol alone (on any node, without per-connection state), so each can lead back to one service only; give it another port, or use 'forwarding: nat' for one of the services\n");

BAD(tab_indent,
	D "tab_indent.yaml:3:1: YAML syntax error: found character that cannot start any token (while scanning for the next token at line 3, column 1); tabs are not allowed for indentation, use spaces\n");

BAD(top_level_list,
	D "top_level_list.yaml:1:1: expected a mapping at the top of the file ('service:' for one service, or 'services:' for a list), got a list\n");

BAD(two_documents,
	D "two_documents.yaml:5:1: a second YAML document starts here; xlb reads one document per file: remove this '---' or split the file\n");

BAD(udp_sorry_builtin,
	D "udp_sorry_builtin.yaml:1:10: service 'dns': the built-in sorry responder answers HTTP over TCP; give a UDP service a sorry_address\n");

BAD(unknown_key_far,
	D "unknown_key_far.yaml:5:3: unknown key 'colour' in vip; allowed keys: ip, port, listener_port, pool\n");

BAD(unknown_key_near,
	D "unknown_key_near.yaml:4:3: unknown key 'listner_port' in vip; did you mean 'listener_port'?\n");

BAD(vip_hostname,
	D "vip_hostname.yaml:2:11: ip: 'lb.example.test' is not an IPv4 or IPv6 address\n");

BAD(vip_is_list,
	D "vip_is_list.yaml:2:6: vip: expected a mapping, got a list\n");

BAD(vip_multicast,
	D "vip_multicast.yaml:2:11: ip: 239.1.1.1 is an unspecified, broadcast or multicast address; expected a unicast address\n");

BAD(weight_range,
	D "weight_range.yaml:5:46: weight: 257 is out of range; expected 0-256\n");

BAD(weight_round_robin,
	D "weight_round_robin.yaml:4:3: member 'a': weight 3 has no effect with scheduler 'round-robin'; use 'scheduler: weighted' (or 'maglev'), or weight 0 to drain\n");

BAD(weights_sum,
	D "weights_sum.yaml:5:3: members: the weights add up to 4352 but a weighted service has 4096 slots; lower the weights\n");

/* ---- bounds (what a file is: test_file_kinds.c) --------------------------- */

TEST(rejects_huge_buffer)
{
	/* The length alone is judged: nothing past the first byte is read. */
	static const char byte = 'x';

	expect_errors(__FILE__, __LINE__, errors_of_text(&byte, CFG_FILE_MAX + 1),
		      "t.yaml: the file is 16777217 bytes; xlb refuses configuration files "
		      "above 16 MiB\n");
}

TEST(rejects_deep_nesting)
{
	char text[128];

	memset(text, '[', 100);
	text[100] = '\0';
	expect_errors(__FILE__, __LINE__, errors_of_text(text, strlen(text)),
		      "t.yaml:1:33: the file nests deeper than 32 levels; xlb refuses it to "
		      "bound memory\n");
}

TEST(rejects_too_many_nodes)
{
	size_t n = CFG_YAML_NODES_MAX + 10, len = 0;
	char *text = malloc(2 * n + 4);

	ASSERT_TRUE(text);
	text[len++] = '[';
	for (size_t i = 0; i < n; i++) {
		text[len++] = '1';
		text[len++] = ',';
	}
	text[len++] = ']';
	/* The list itself is node 1: item 999,999 is the first refused, at
	 * column 1 + 2 * 999,999 + 1. */
	expect_errors(__FILE__, __LINE__, errors_of_text(text, len),
		      "t.yaml:1:2000000: the file has more than 1000000 YAML nodes; xlb "
		      "refuses it to bound memory\n");
	free(text);
}

TEST(rejects_every_alias_of_a_billion_laughs_file)
{
	static const char text[] = "a: &a [x, x, x, x, x, x, x, x, x]\n"
				   "b: &b [*a, *a]\n";

	EXPECT_TEXT_ERRORS(text,
			   "t.yaml:2:8: YAML aliases (*a) are not supported: they can expand a small "
			   "file into a huge one; write the value out\n"
			   "t.yaml:2:12: YAML aliases (*a) are not supported: they can expand a small "
			   "file into a huge one; write the value out\n");
}

TEST(rejects_nul_in_a_value)
{
	static const char text[] = "service: \"a\\0b\"\n"
				   "vip: {ip: 198.18.0.1, port: 80}\n"
				   "members: {a: [198.18.1.1, 80]}\n";

	EXPECT_TEXT_ERRORS(text, "t.yaml:1:10: service: the value contains a NUL character\n");
}

/* ---- values ---------------------------------------------------------------- */

TEST(rejects_near_miss_value_with_suggestion)
{
	static const char text[] = "service: s\n"
				   "vip: {ip: 198.18.0.1, port: 80}\n"
				   "scheduler: round_robin\n"
				   "members: {a: [198.18.1.1, 80]}\n";

	EXPECT_TEXT_ERRORS(text,
			   "t.yaml:3:12: scheduler: unknown value 'round_robin'; did you mean "
			   "'round-robin'? expected one of: round-robin, weighted, maglev\n");
}

TEST(rejects_socket_lb_scalar_that_is_not_auto_true_or_false)
{
	static const char text[] = "global: {socket_lb: on}\n"
				   "service: s\n"
				   "vip: {ip: 198.18.0.1, port: 80}\n"
				   "members: {a: [198.18.1.1, 80]}\n";

	EXPECT_TEXT_ERRORS(text, "t.yaml:1:21: socket_lb: unknown value 'on'; expected one of: "
				 "auto, true, false\n");
}

TEST(rejects_empty_value)
{
	static const char text[] = "service:\n"
				   "vip: {ip: 198.18.0.1, port: 80}\n"
				   "members: {a: [198.18.1.1, 80]}\n";

	EXPECT_TEXT_ERRORS(text,
			   "t.yaml:1:9: service: expected a single value, got an empty value\n");
}

TEST(rejects_long_name)
{
	static const char text[] = "service: a234567890123456789012345678901234567890123456789012345678901234\n"
				   "vip: {ip: 198.18.0.1, port: 80}\n"
				   "members: {a: [198.18.1.1, 80]}\n";

	EXPECT_TEXT_ERRORS(text,
			   "t.yaml:1:10: service: 'a2345678901234567890...' is 64 bytes long; at most "
			   "63 allowed\n");
}

/* ---- data-plane limits ----------------------------------------------------- */

/* n_services services of members_each members, every service on its own
 * port and every member on its own address. */
static char *many(int n_services, int members_each, size_t *len_out)
{
	size_t cap = 64 + (size_t)n_services * (80 + (size_t)members_each * 40), len = 0;
	char *text = malloc(cap);

	if (!text)
		return NULL;
	len += snprintf(text + len, cap - len, "services:\n");
	for (int s = 0; s < n_services; s++) {
		len += snprintf(text + len, cap - len,
				"  - name: s%d\n    vip: {ip: 198.18.0.1, port: %d}\n    members:\n",
				s, 1000 + s);
		for (int m = 0; m < members_each; m++)
			len += snprintf(text + len, cap - len, "      m%d: [198.19.%d.%d, 80]\n", m,
					m / 256, m % 256);
	}
	*len_out = len;
	return text;
}

TEST(rejects_more_services_than_the_data_plane_holds)
{
	size_t len;
	char *text = many(XLB_MAX_SERVICES + 1, 1, &len);

	ASSERT_TRUE(text);
	/* Each service takes 4 lines after "services:". */
	expect_errors(__FILE__, __LINE__, errors_of_text(text, len),
		      "t.yaml:1026:5: services: more than 256 services (the data plane's limit)\n");
	free(text);
}

TEST(rejects_more_members_per_service_than_the_data_plane_holds)
{
	size_t len;
	char *text = many(1, XLB_MAX_MEMBERS_PER_SERVICE + 1, &len);

	ASSERT_TRUE(text);
	expect_errors(__FILE__, __LINE__, errors_of_text(text, len),
		      "t.yaml:4101:7: members: more than 4096 members in one service (the data "
		      "plane's limit); split the service\n");
	free(text);
}

TEST(rejects_more_members_in_all_than_the_data_plane_holds)
{
	size_t len;
	char *text = many(5, XLB_MAX_MEMBERS_PER_SERVICE, &len);

	ASSERT_TRUE(text);
	/* Service 5 (the 16385th member) starts at line 2 + 4 * 4099 + 3. */
	expect_errors(__FILE__, __LINE__, errors_of_text(text, len),
		      "t.yaml:16401:7: members: more than 16384 members over all services (the "
		      "data plane's limit)\n");
	free(text);
}

TEST(reports_every_error_sorted_with_a_count_past_the_cap)
{
	size_t cap = 64 + 300 * 40, len = 0;
	char *text = malloc(cap), *got;
	struct xlb_config *cfg = NULL;
	struct cfg_diag d;

	ASSERT_TRUE(text);
	len += snprintf(text + len, cap - len, "service: s\nvip: {ip: 198.18.0.1, port: 80}\nmembers:\n");
	for (int m = 0; m < 300; m++)
		len += snprintf(text + len, cap - len, "  m%d: [198.18.1.%d, 0]\n", m, m % 250 + 1);
	cfg_diag_init(&d);
	ASSERT_EQ(-EINVAL, config_load_buffer("t.yaml", text, len, &cfg, &d));
	free(text);
	ASSERT_EQ(300, d.total);
	ASSERT_EQ(CFG_ERRORS_MAX, d.n);
	ASSERT_EQ(4, d.errors[0].pos.line);
	ASSERT_EQ(4 + CFG_ERRORS_MAX - 1, d.errors[CFG_ERRORS_MAX - 1].pos.line);
	got = errors_of(-EINVAL, cfg, &d);
	ASSERT_STR_CONTAINS("t.yaml: 100 more errors not shown\n", got);
	free(got);
}

TEST(rejects_more_snat_addresses_than_the_data_plane_holds)
{
	size_t cap = 64 + (XLB_MAX_SNAT_ADDRS + 1) * 160, len = 0;
	char *text = malloc(cap);

	ASSERT_TRUE(text);
	len += snprintf(text + len, cap - len, "services:\n");
	for (int s = 0; s <= XLB_MAX_SNAT_ADDRS; s++)
		len += snprintf(text + len, cap - len,
				"  - {name: s%d, snat: 198.18.9.%d, vip: {ip: 198.18.0.1, port: %d}, "
				"members: {m: [198.18.1.1, 80]}}\n", s, s + 1, 1000 + s);
	char want[160];

	snprintf(want, sizeof(want),
		 "t.yaml:%d:23: snat: more than %d different snat addresses over all services "
		 "(the data plane's limit); let services share them\n",
		 XLB_MAX_SNAT_ADDRS + 2, XLB_MAX_SNAT_ADDRS);
	expect_errors(__FILE__, __LINE__, errors_of_text(text, len), want);
	free(text);
}

TEST(rejects_a_pool_longer_than_the_data_plane_holds)
{
	size_t cap = 128 + (XLB_MAX_SNAT_ADDRS + 1) * 16, len = 0;
	char *text = malloc(cap + 128);
	char want[200];

	ASSERT_TRUE(text);
	len += snprintf(text + len, cap - len, "service: s\nvip: {ip: 198.18.0.1, port: 80}\nsnat: [");
	for (int i = 0; i <= XLB_MAX_SNAT_ADDRS; i++)
		len += snprintf(text + len, cap - len, "%s198.18.9.%d", i ? "," : "", i + 1);
	len += snprintf(text + len, cap + 128 - len, "]\nmembers: {a: [198.18.1.1, 80]}\n");
	/* The 65th address: after "snat: [" and 64 of "198.18.9.N," */
	snprintf(want, sizeof(want),
		 "t.yaml:3:%zu: snat: more than %d addresses in one pool (the data plane's limit)\n",
		 strlen("snat: [") + 1 + strlen("198.18.9.1,") * 9 + strlen("198.18.9.10,") * 55,
		 XLB_MAX_SNAT_ADDRS);
	expect_errors(__FILE__, __LINE__, errors_of_text(text, len), want);
	free(text);
}

TEST(rejects_snat_pools_that_together_pass_the_data_plane_limit)
{
	/* Pools of 40 and 25 different addresses: 65 entries. */
	const char text[] =
		"services:\n"
		"  - {name: a, vip: {ip: 198.18.0.1, port: 80}, members: {m: [198.18.1.1, 80]},\n"
		"     snat: [198.18.9.1, 198.18.9.2, 198.18.9.3, 198.18.9.4, 198.18.9.5, 198.18.9.6,\n"
		"            198.18.9.7, 198.18.9.8, 198.18.9.9, 198.18.9.10, 198.18.9.11, 198.18.9.12,\n"
		"            198.18.9.13, 198.18.9.14, 198.18.9.15, 198.18.9.16, 198.18.9.17, 198.18.9.18,\n"
		"            198.18.9.19, 198.18.9.20, 198.18.9.21, 198.18.9.22, 198.18.9.23, 198.18.9.24,\n"
		"            198.18.9.25, 198.18.9.26, 198.18.9.27, 198.18.9.28, 198.18.9.29, 198.18.9.30,\n"
		"            198.18.9.31, 198.18.9.32, 198.18.9.33, 198.18.9.34, 198.18.9.35, 198.18.9.36,\n"
		"            198.18.9.37, 198.18.9.38, 198.18.9.39, 198.18.9.40]}\n"
		"  - {name: b, vip: {ip: 198.18.0.1, port: 81}, members: {m: [198.18.1.1, 80]},\n"
		"     snat: [198.18.8.1, 198.18.8.2, 198.18.8.3, 198.18.8.4, 198.18.8.5, 198.18.8.6,\n"
		"            198.18.8.7, 198.18.8.8, 198.18.8.9, 198.18.8.10, 198.18.8.11, 198.18.8.12,\n"
		"            198.18.8.13, 198.18.8.14, 198.18.8.15, 198.18.8.16, 198.18.8.17, 198.18.8.18,\n"
		"            198.18.8.19, 198.18.8.20, 198.18.8.21, 198.18.8.22, 198.18.8.23, 198.18.8.24,\n"
		"            198.18.8.25]}\n";

	EXPECT_TEXT_ERRORS(text,
		"t.yaml:11:12: snat: this pool of 25 addresses does not fit the data plane's 64 snat "
		"entries, 40 of which the snat addresses and pools before it take; let services share "
		"pools (the same addresses in the same order are stored once)\n");
}

TEST(rejects_more_maglev_services_than_the_data_plane_holds)
{
	size_t cap = 64 + (XLB_MAX_MAGLEV_SERVICES + 1) * 160, len = 0;
	char *text = malloc(cap);

	ASSERT_TRUE(text);
	len += snprintf(text + len, cap - len, "services:\n");
	for (int s = 0; s <= XLB_MAX_MAGLEV_SERVICES; s++)
		len += snprintf(text + len, cap - len,
				"  - {name: s%d, scheduler: maglev, vip: {ip: 198.18.0.1, port: %d}, "
				"members: {m: [198.18.1.1, 80]}}\n", s, 1000 + s);
	expect_errors(__FILE__, __LINE__, errors_of_text(text, len),
		      "t.yaml:18:12: service 's16': more than 16 services use scheduler 'maglev' "
		      "(the data plane holds two 65537-entry tables for each); use 'weighted' or "
		      "'round-robin' for the others\n");
	free(text);
}
