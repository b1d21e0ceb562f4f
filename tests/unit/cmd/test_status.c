// SPDX-License-Identifier: MIT
/* `xlb status` output from a view built by hand (cmd/status_view.h): the
 * table lines from the census, per service and member the open, half-open
 * and closing connections and the NAT ports used and free, the sweep
 * line in each of its cases, and the JSON keys docs/operations.md names. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/status_view.h"
#include "test.h"
#include "view_build.h"

#define SEC 1000000000ULL

/* A daemon's view: web (nat, m1 with a pool of two snat addresses, m2),
 * dns (udp, dnat); the flow table nearly full and the flag up for 12 s;
 * the census 0.4 s old. */
static void sample(struct status_view *v)
{
	struct census_view *c = &v->dp.census;

	memset(v, 0, sizeof(*v));
	if (status_view_alloc(v))
		return;
	v->pin_dir = "/sys/fs/bpf/xlb";
	v->daemon = 4242;
	v->n_ifaces = 1;
	v->ifaces[0] = (struct status_iface){ .ifindex = 2, .name = "l0", .mode = "native" };
	v->dp.meta.nat_ports = 36280;
	v->now_ns = 1000 * SEC;
	v->now_unix_s = 1700000000;
	view_add_service(&v->dp, 0, "web", "198.18.2.1", 80, IPPROTO_TCP, XLB_FWD_NAT, 2);
	view_add_member(&v->dp, 0, 0, 0, "m1", "198.18.1.11", 80);
	view_add_member(&v->dp, 1, 0, 1, "m2", "198.18.1.12", 80);
	v->dp.mbr[0].snat_n = 2;
	v->dp.mbr[0].traffic.new_flows = 700;
	v->dp.mbr[1].traffic.new_flows = 300;
	v->dp.svc[0].traffic.new_flows = 1000;
	view_add_service(&v->dp, 1, "dns", "198.18.2.2", 53, IPPROTO_UDP, XLB_FWD_DNAT, 1);
	view_add_member(&v->dp, 2, 1, 0, "ns1", "198.18.1.21", 53);

	c->total = (struct xlb_census){ .gen = 77, .swept_ns = 1000 * SEC - 400000000ULL,
					.duration_ns = 28100000, .flows_entries = 1010, .flows_max = 1024,
					.halfopen_entries = 30, .halfopen_max = 1024 };
	c->total.total = (struct xlb_census_count){ .established = 500, .closing = 6, .half_open = 15,
						    .udp = 4, .nat_ports = 521 };
	c->mbr[0] = (struct xlb_census_count){ .established = 300, .closing = 4, .half_open = 10,
					       .nat_ports = 314 };
	c->mbr[1] = (struct xlb_census_count){ .established = 200, .closing = 2, .half_open = 5,
					       .nat_ports = 207 };
	c->mbr[2] = (struct xlb_census_count){ .udp = 4 };
	c->svc[0] = (struct xlb_census_count){ .established = 500, .closing = 6, .half_open = 15,
					       .nat_ports = 521 };
	c->svc[1] = (struct xlb_census_count){ .udp = 4 };
	c->state.full = 1;
	c->state.full_since_ns = 988 * SEC;
	c->events[XLB_EV_FULL_EPISODES] = 2;
	/* 100 + 20 = 120 in, 80 promoted, 10 expired, 15 still half-open: 15 evicted */
	c->events[XLB_EV_HALF_OPEN_NEW] = 120;
	c->events[XLB_EV_PROMOTED] = 80;
	c->events[XLB_EV_HALF_OPEN_EXPIRED] = 10;
	c->reasons[XLB_R_TX_RST_TABLE_FULL] = 40;
	c->reasons[XLB_R_DROP_TABLE_FULL] = 2;
	c->reasons[XLB_R_TX_NEW_FLOW] = 1000;
}

static char *text_of(const struct status_view *v, void (*print)(const struct status_view *, FILE *))
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	if (!out)
		return NULL;
	print(v, out);
	fclose(out);
	return text;
}

TEST(text_shows_the_tables_connections_and_members_from_the_census)
{
	struct status_view v;
	char *got;

	sample(&v);
	got = text_of(&v, status_print_text);
	status_view_free(&v);
	ASSERT_STR_EQ(
		"xlb at /sys/fs/bpf/xlb: daemon running (PID 4242)\n"
		"interfaces: l0 (native XDP)\n"
		"socket hooks: none attached\n"
		"flow table: 1010 of 1024 entries (98.6%), FULL for 12s: new connections are refused "
		"(raise global.flow_table_size)\n"
		"half-open table: 30 of 1024 entries (2.9%), 15 evicted\n"
		"connections: 500 established, 6 closing, 15 half-open, 4 udp\n"
		"refused (flow table full): 42 in 2 episodes (tx_rst_table_full 40, "
		"tx_unreach_table_full 0, drop_table_full 2)\n"
		"last sweep: 0.4s ago (took 28.1 ms)\n"
		"\n"
		"web  tcp 198.18.2.1:80  round-robin, nat, on empty: reject  2/2 members serving\n"
		"  active connections 500 (half-open 15, closing 6), new connections 1000, packets in 0 "
		"/ out 0, bytes in 0 B / out 0 B\n"
		"  MEMBER  ADDRESS                STATE      SINCE  WEIGHT LAST CHECK                   "
		"LATENCY  ACTIVE HALF-OPEN NAT PORTS USED/FREE NEW CONNS   BYTES IN\n"
		"  m1      198.18.1.11:80         UP         -      1      -                                  "
		"-     300        10           314/72246       700        0 B\n"
		"  m2      198.18.1.12:80         UP         -      1      -                                  "
		"-     200         5           207/36073       300        0 B\n"
		"\n"
		"dns  udp 198.18.2.2:53  round-robin, dnat, on empty: reject  1/1 members serving\n"
		"  active connections 4 (half-open 0, closing 0), new connections 0, packets in 0 / out "
		"0, bytes in 0 B / out 0 B\n"
		"  MEMBER  ADDRESS                STATE      SINCE  WEIGHT LAST CHECK                   "
		"LATENCY  ACTIVE HALF-OPEN NEW CONNS   BYTES IN\n"
		"  ns1     198.18.1.21:53         UP         -      1      -                                  "
		"-       4         0         0        0 B\n"
		"\n"
		"packets by outcome:\n"
		"  tx_new_flow 1000, tx_rst_table_full 40, drop_table_full 2\n",
		got);
	free(got);
}

TEST(sweep_line_says_who_swept_and_when)
{
	struct status_view v;
	char *mine = NULL, *failed = NULL, *none = NULL;

	sample(&v);
	if (v.dp.svc) {
		/* No daemon: status swept; the census before was 37 s old. */
		v.swept_here = true;
		v.age_before_ns = 37 * SEC;
		mine = text_of(&v, status_print_text);
		/* A data plane without a pinned sweeper: the old census stays. */
		v.sweep_err = -ENOENT;
		v.dp.census.total.swept_ns = v.now_ns - 37 * SEC;
		failed = text_of(&v, status_print_text);
		v.dp.census.err = -ENODATA;
		none = text_of(&v, status_print_text);
	}
	status_view_free(&v);
	ASSERT_STR_CONTAINS("\nlast sweep: just now, run by this command (took 28.1 ms; the one before "
			    "was 37s old)\n", mine);
	ASSERT_STR_CONTAINS("\nlast sweep: 37s ago (took 28.1 ms); this command could not run one: no "
			    "sweeper is pinned\n", failed);
	ASSERT_STR_CONTAINS("\nlast sweep: none yet (connection counts unknown); this command could "
			    "not run one: no sweeper is pinned\n", none);
	free(mine);
	free(failed);
	free(none);
}

TEST(json_has_the_table_connection_refusal_and_member_keys)
{
	struct status_view v;
	char *got;

	sample(&v);
	got = text_of(&v, status_print_json);
	status_view_free(&v);
	ASSERT_STR_CONTAINS("  \"flow_table\": {\n"
			    "    \"entries\": 1010,\n"
			    "    \"max_entries\": 1024,\n"
			    "    \"full\": true,\n"
			    "    \"full_for_ms\": 12000,\n"
			    "    \"full_episodes\": 2\n"
			    "  },\n"
			    "  \"half_open_table\": {\n"
			    "    \"entries\": 30,\n"
			    "    \"max_entries\": 1024,\n"
			    "    \"evicted\": 15\n"
			    "  },\n"
			    "  \"connections\": {\n"
			    "    \"established\": 500,\n"
			    "    \"closing\": 6,\n"
			    "    \"half_open\": 15,\n"
			    "    \"udp\": 4,\n"
			    "    \"nat_ports\": 521\n"
			    "  },\n"
			    "  \"nat_ports_per_address\": 36280,\n"
			    "  \"refused\": {\n"
			    "    \"total\": 42,\n"
			    "    \"tx_rst_table_full\": 40,\n"
			    "    \"tx_unreach_table_full\": 0,\n"
			    "    \"drop_table_full\": 2\n"
			    "  },\n"
			    "  \"sweep\": {\n"
			    "    \"census\": true,\n"
			    "    \"age_ms\": 400,\n"
			    "    \"duration_us\": 28100,\n"
			    "    \"generation\": 77,\n"
			    "    \"by_this_command\": false,\n"
			    "    \"error\": null\n"
			    "  },\n", got);
	ASSERT_STR_CONTAINS("      \"members_serving\": 2,\n"
			    "      \"active_connections\": 500,\n"
			    "      \"established\": 500,\n"
			    "      \"closing\": 6,\n"
			    "      \"half_open\": 15,\n"
			    "      \"udp\": 0,\n"
			    "      \"nat_ports_in_use\": 521,\n", got);
	ASSERT_STR_CONTAINS("          \"name\": \"m1\",\n", got);
	ASSERT_STR_CONTAINS("          \"active_connections\": 300,\n"
			    "          \"established\": 300,\n"
			    "          \"closing\": 4,\n"
			    "          \"half_open\": 10,\n"
			    "          \"udp\": 0,\n"
			    "          \"nat_ports\": {\n"
			    "            \"in_use\": 314,\n"
			    "            \"free\": 72246,\n"
			    "            \"snat_addresses\": 2\n"
			    "          },\n", got);
	/* dnat: no NAT ports; a UDP flow is an active connection. */
	ASSERT_STR_CONTAINS("          \"active_connections\": 4,\n"
			    "          \"established\": 0,\n"
			    "          \"closing\": 0,\n"
			    "          \"half_open\": 0,\n"
			    "          \"udp\": 4,\n"
			    "          \"nat_ports\": null,\n", got);
	free(got);
}

TEST(nat_ports_free_never_go_below_zero)
{
	struct status_view v;
	__u64 all = 1;
	char *got;

	sample(&v);
	if (v.dp.svc) {
		v.dp.census.mbr[1].nat_ports = 40000; /* more than its 36280: a changed range */
		all = dp_view_nat_ports(&v.dp, 1);
	}
	got = text_of(&v, status_print_text);
	status_view_free(&v);
	ASSERT_EQ(36280, all);
	ASSERT_STR_CONTAINS(" 40000/0 ", got);
	free(got);
}

int main(int argc, char **argv)
{
	return xt_main(argc, argv);
}
