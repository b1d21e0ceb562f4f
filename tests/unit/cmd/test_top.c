// SPDX-License-Identifier: MIT
/* `xlb top` without root: the rates from two views built by hand (exact
 * values, a counter reset, a member id given to another member, a member
 * new in the second reading), --interval and --count as read from the
 * command line, and the frame it prints. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/top.h"
#include "view_build.h"
#include "test.h"

#define SEC 1000000000ULL

/* got begins with want (both shown when not). */
#define ASSERT_STR_PREFIX(want, got)                                      \
	do {                                                              \
		const char *p_w = (want), *p_g = (got);                   \
		if (strncmp(p_w, p_g, strlen(p_w)))                       \
			ASSERT_STR_EQ(p_w, p_g);                          \
	} while (0)

/* Rates compared as text with three decimals: exact for these values. */
#define ASSERT_RATE(want, got)                                            \
	do {                                                              \
		char w_[32], g_[32];                                      \
		snprintf(w_, sizeof(w_), "%.3f", (double)(want));         \
		snprintf(g_, sizeof(g_), "%.3f", (double)(got));          \
		ASSERT_STR_EQ(w_, g_);                                    \
	} while (0)

/* web (nat: m1, m2) and dns (dnat: ns1 at id 2), read at 10 s. */
static int before_view(struct status_view *v)
{
	if (status_view_alloc(v))
		return -1;
	v->pin_dir = "/sys/fs/bpf/xlb";
	v->daemon = 4242;
	v->read_ns = 10 * SEC;
	view_add_service(&v->dp, 0, "web", "198.18.2.1", 80, IPPROTO_TCP, XLB_FWD_NAT, 2);
	view_add_member(&v->dp, 0, 0, 0, "m1", "198.18.1.11", 80);
	view_add_member(&v->dp, 1, 0, 1, "m2", "198.18.1.12", 80);
	view_add_service(&v->dp, 1, "dns", "198.18.2.2", 53, IPPROTO_UDP, XLB_FWD_DNAT, 1);
	view_add_member(&v->dp, 2, 1, 0, "ns1", "198.18.1.21", 53);
	v->dp.svc[0].traffic = (struct xlb_traffic_stats){ .new_flows = 1000, .fwd_packets = 5000,
							.fwd_bytes = 400000, .reply_packets = 4000,
							.reply_bytes = 8000000 };
	v->dp.mbr[0].traffic.new_flows = 700;
	v->dp.mbr[1].traffic.new_flows = 300;
	v->dp.svc[1].traffic.new_flows = 500;
	v->dp.census.reasons[XLB_R_TX_NEW_FLOW] = 1000;
	v->dp.census.reasons[XLB_R_TX_FORWARD] = 9000;
	return 0;
}

/* Two seconds later: web grew; m3 (id 3) is new; id 2 is now ns9; the
 * dns counters went down (the daemon restarted). */
static int after_view(struct status_view *v)
{
	if (before_view(v))
		return -1;
	v->read_ns = 12 * SEC;
	v->dp.svc[0].traffic = (struct xlb_traffic_stats){ .new_flows = 1250, .fwd_packets = 5600,
							.fwd_bytes = 460000, .reply_packets = 4500,
							.reply_bytes = 9048576 };
	v->dp.mbr[0].traffic.new_flows = 850;
	v->dp.mbr[1].traffic.new_flows = 400;
	view_add_member(&v->dp, 3, 0, 2, "m3", "198.18.1.13", 80);
	v->dp.mbr[3].traffic.new_flows = 10;
	view_add_member(&v->dp, 2, 1, 0, "ns9", "198.18.1.29", 53);
	v->dp.svc[1].traffic.new_flows = 20;
	v->dp.census.reasons[XLB_R_TX_NEW_FLOW] = 1250;
	v->dp.census.reasons[XLB_R_TX_FORWARD] = 9900;
	v->dp.census.total = (struct xlb_census){ .gen = 3, .flows_entries = 512, .flows_max = 1024,
					       .halfopen_entries = 8, .halfopen_max = 1024 };
	v->dp.census.total.total = (struct xlb_census_count){ .established = 400, .closing = 2,
							   .half_open = 8 };
	v->dp.census.svc[0] = (struct xlb_census_count){ .established = 400 };
	v->dp.census.mbr[0] = (struct xlb_census_count){ .established = 250 };
	v->dp.census.mbr[1] = (struct xlb_census_count){ .established = 150 };
	return 0;
}

/* The two readings and the rates between them. */
struct reading_pair {
	struct status_view a, b;
	struct status_rates r;
};

static int pair_compute(struct reading_pair *p)
{
	memset(p, 0, sizeof(*p));
	if (before_view(&p->a) || after_view(&p->b) || status_rates_alloc(&p->r))
		return -1;
	status_rates_compute(&p->a, &p->b, &p->r);
	return 0;
}

static void pair_free(struct reading_pair *p)
{
	status_rates_free(&p->r);
	status_view_free(&p->a);
	status_view_free(&p->b);
}

TEST(rates_are_the_increase_over_the_seconds_between_the_readings)
{
	struct reading_pair p;
	struct status_rates *r = &p.r;

	ASSERT_EQ(0, pair_compute(&p));
	ASSERT_RATE(2.0, r->seconds);
	ASSERT_TRUE(r->svc[0].known);
	ASSERT_RATE(125.0, r->svc[0].new_conns);
	ASSERT_RATE(300.0, r->svc[0].packets_in);
	ASSERT_RATE(250.0, r->svc[0].packets_out);
	ASSERT_RATE(30000.0, r->svc[0].bytes_in);
	ASSERT_RATE(524288.0, r->svc[0].bytes_out);
	ASSERT_TRUE(r->mbr[0].known);
	ASSERT_RATE(75.0, r->mbr[0].new_conns);
	ASSERT_RATE(50.0, r->mbr[1].new_conns);
	ASSERT_RATE(125.0, r->reasons[XLB_R_TX_NEW_FLOW]);
	ASSERT_RATE(450.0, r->reasons[XLB_R_TX_FORWARD]);
	ASSERT_RATE(0.0, r->reasons[XLB_R_DROP_TABLE_FULL]);
	pair_free(&p);
}

TEST(a_counter_that_went_down_counts_from_zero)
{
	struct reading_pair p;
	struct status_rates *r = &p.r;

	ASSERT_EQ(0, pair_compute(&p));
	ASSERT_TRUE(r->svc[1].known);
	ASSERT_RATE(10.0, r->svc[1].new_conns); /* 500 -> 20: 20 in 2 s */
	pair_free(&p);
}

TEST(a_member_new_or_renamed_since_the_last_reading_has_no_rate_yet)
{
	struct reading_pair p;
	struct status_rates *r = &p.r;

	ASSERT_EQ(0, pair_compute(&p));
	ASSERT_TRUE(!r->mbr[3].known);
	ASSERT_RATE(0.0, r->mbr[3].new_conns);
	ASSERT_TRUE(!r->mbr[2].known);
	ASSERT_TRUE(!r->mbr[4].known);
	pair_free(&p);
}

TEST(readings_without_time_between_them_give_no_rates)
{
	struct reading_pair p;
	struct status_rates *r = &p.r;

	ASSERT_EQ(0, pair_compute(&p));
	p.b.read_ns = p.a.read_ns;
	status_rates_compute(&p.a, &p.b, r);
	ASSERT_RATE(0.0, r->seconds);
	ASSERT_TRUE(!r->svc[0].known);
	ASSERT_TRUE(!r->mbr[0].known);
	ASSERT_RATE(0.0, r->reasons[XLB_R_TX_NEW_FLOW]);
	pair_free(&p);
}

/* ---- options ---------------------------------------------------------------- */

static int opts(const char *interval, const char *count, struct top_opts *o, char *err)
{
	struct cli_args a = { .interval = interval, .iterations = count };

	err[0] = '\0';
	return top_opts_from_args(&a, o, err, 160);
}

TEST(interval_and_count_default_to_one_second_until_stopped)
{
	struct top_opts o;
	char err[160];

	ASSERT_EQ(0, opts(NULL, NULL, &o, err));
	ASSERT_EQ(1000, o.interval_ms);
	ASSERT_EQ(0, o.count);
	ASSERT_EQ(0, opts("0.5", "12", &o, err));
	ASSERT_EQ(500, o.interval_ms);
	ASSERT_EQ(12, o.count);
	ASSERT_EQ(0, opts("0.1", "1", &o, err));
	ASSERT_EQ(100, o.interval_ms);
	ASSERT_EQ(0, opts("3600", NULL, &o, err));
	ASSERT_EQ(3600000, o.interval_ms);
}

TEST(interval_and_count_out_of_range_or_not_numbers_are_refused)
{
	static const char *const intervals[] = { "0", "0.05", "3601", "abc", "1s", "", "nan", "-1" };
	static const char *const counts[] = { "0", "-1", "1x", "", "1000000001", "2.5" };
	struct top_opts o;
	char err[160];

	for (size_t i = 0; i < sizeof(intervals) / sizeof(intervals[0]); i++) {
		char want[160];

		snprintf(want, sizeof(want), "--interval '%s': seconds from 0.1 to 3600 (0.5, 2, 10)",
			 intervals[i]);
		ASSERT_EQ(-EINVAL, opts(intervals[i], NULL, &o, err));
		ASSERT_STR_EQ(want, err);
	}
	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		char want[160];

		snprintf(want, sizeof(want), "--count '%s': a number of refreshes from 1 to 1000000000",
			 counts[i]);
		ASSERT_EQ(-EINVAL, opts(NULL, counts[i], &o, err));
		ASSERT_STR_EQ(want, err);
	}
}

/* ---- the frame ---------------------------------------------------------------- */

static char *frame(const struct status_view *v, const struct status_rates *r, bool keys)
{
	struct top_opts o = { .interval_ms = 1000 };
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	if (!out)
		return NULL;
	top_print(v, r, &o, keys, out);
	fclose(out);
	return text;
}

TEST(frame_shows_the_tables_and_each_service_and_member_with_its_rates)
{
	static const char *const want =
		"xlb top: /sys/fs/bpf/xlb, daemon PID 4242, every 1.0 s (q quits)\n"
		"flow table: 512 of 1024 entries (50.0%); half-open table: 8 of 1024 (0.8%)\n"
		"connections: 400 established, 2 closing, 8 half-open, 0 udp\n"
		"\n"
		"SERVICE / MEMBER ADDRESS                    STATE       ACTIVE    CONN/S  PKTS/S IN PKTS/S OUT  BYTES/S IN BYTES/S OUT\n"
		"web              tcp 198.18.2.1:80          2/2 up         400     125.0      300.0      250.0    29.3 KiB   512.0 KiB\n"
		"  m1             198.18.1.11:80             UP             250      75.0        0.0        0.0         0 B         0 B\n"
		"  m2             198.18.1.12:80             UP             150      50.0        0.0        0.0         0 B         0 B\n"
		"  m3             198.18.1.13:80             UP               0         -          -          -           -           -\n"
		"dns              udp 198.18.2.2:53          1/1 up           0      10.0        0.0        0.0         0 B         0 B\n"
		"  ns9            198.18.1.29:53             UP               0         -          -          -           -           -\n"
		"\n"
		"packets/s by outcome:\n"
		"  tx_new_flow 125.0, tx_forward 450.0\n";
	struct reading_pair p;
	char *got;

	ASSERT_EQ(0, pair_compute(&p));
	got = frame(&p.b, &p.r, true);
	ASSERT_STR_EQ(want, got);
	free(got);
	pair_free(&p);
}

TEST(first_frame_has_totals_and_no_rates_and_without_keys_no_q_hint)
{
	struct status_view b = { 0 };
	struct status_rates r;
	char *got;

	ASSERT_EQ(0, after_view(&b));
	ASSERT_EQ(0, status_rates_alloc(&r));
	got = frame(&b, &r, false);
	ASSERT_TRUE(got);
	ASSERT_STR_CONTAINS("xlb top: /sys/fs/bpf/xlb, daemon PID 4242, every 1.0 s\n", got);
	ASSERT_STR_CONTAINS("web              tcp 198.18.2.1:80          2/2 up         400         -          -          -           -           -\n", got);
	ASSERT_STR_CONTAINS("\npackets/s by outcome: after the first interval\n", got);
	free(got);
	status_rates_free(&r);
	status_view_free(&b);
}

TEST(json_is_one_line_per_reading_with_null_where_there_is_no_rate)
{
	struct reading_pair p;
	char *text = NULL, *svc, *m3;
	size_t len = 0;
	FILE *out;

	ASSERT_EQ(0, pair_compute(&p));
	out = open_memstream(&text, &len);
	ASSERT_TRUE(out);
	top_print_json(&p.b, &p.r, out);
	fclose(out);
	ASSERT_EQ(1, (long long)(strchr(text, '\n') == text + len - 1));
	ASSERT_STR_PREFIX("{\"seconds\":2.000,\"daemon_pid\":4242,\"flow_table\":{\"entries\":512,"
			     "\"max_entries\":1024,\"full\":false},", text);
	svc = strstr(text, "{\"name\":\"web\",");
	ASSERT_TRUE(svc);
	ASSERT_STR_PREFIX("{\"name\":\"web\",\"members_serving\":2,\"active_connections\":400,"
			     "\"new_connections_per_s\":125.000,\"packets_in_per_s\":300.000,"
			     "\"packets_out_per_s\":250.000,\"bytes_in_per_s\":30000.000,"
			     "\"bytes_out_per_s\":524288.000,\"members\":[", svc);
	m3 = strstr(text, "{\"name\":\"m3\",");
	ASSERT_TRUE(m3);
	ASSERT_STR_PREFIX("{\"name\":\"m3\",\"address\":\"198.18.1.13\",\"port\":80,\"state\":\"UP\","
			     "\"active_connections\":0,\"new_connections_per_s\":null,", m3);
	ASSERT_STR_CONTAINS("\"tx_new_flow\":125.000,", text);
	free(text);
	pair_free(&p);
}

int main(int argc, char **argv)
{
	return xt_main(argc, argv);
}
