// SPDX-License-Identifier: MIT
/* The metrics endpoint's text from a view built by hand: the whole output
 * of a sample view equals files/metrics_sample.prom byte for byte (HELP and
 * TYPE before every family, samples grouped, member_up 0 for DOWN and for
 * drained), label values escaped per the text format, the sweep families
 * left out before the first sweep, and the nat-only families only for nat
 * members.  The e2e suite checks a live scrape with promtool. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/metrics.h"
#include "test.h"
#include "view_build.h"

#define SEC 1000000000ULL
#define GOLDEN "tests/unit/daemon/files/metrics_sample.prom"

/* web (nat, m1 UP with two snat addresses, m2 DOWN, m3 UP but drained),
 * dns (udp, dnat, ns1 PENDING); a census 0.25 s old. */
static int sample_view(struct dp_view *v)
{
	struct census_view *c = &v->census;

	memset(v, 0, sizeof(*v));
	if (dp_view_alloc(v))
		return -1;
	v->meta.nat_ports = 1000;
	view_add_service(v, 0, "web", "198.18.2.1", 80, IPPROTO_TCP, XLB_FWD_NAT, 3);
	v->svc[0].info.n_serving = 1;
	view_add_member(v, 5, 0, 1, "m2", "198.18.1.12", 8080);
	view_add_member(v, 4, 0, 0, "m1", "198.18.1.11", 8080);
	view_add_member(v, 6, 0, 2, "m3", "198.18.1.13", 8080);
	v->mbr[4].snat_n = 2;
	v->mbr[4].info.weight = 3;
	v->mbr[4].info.check_type = XLB_CHECK_HTTP;
	v->mbr[4].info.latency_us = 1250;
	v->mbr[4].info.last_check_unix_ms = 1700000001500ULL;
	v->mbr[4].info.state_since_unix_ms = 1700000000000ULL;
	v->mbr[4].traffic = (struct xlb_traffic_stats){ .fwd_packets = 10, .fwd_bytes = 1000,
						       .reply_packets = 8, .reply_bytes = 9000,
						       .new_flows = 2 };
	v->mbr[5].info.state = XLB_HEALTH_DOWN;
	v->mbr[5].info.latency_us = 3000000;
	v->mbr[5].info.last_check_unix_ms = 1700000002000ULL;
	v->mbr[6].admin = XLB_ADMIN_DRAIN;
	v->svc[0].traffic = (struct xlb_traffic_stats){ .fwd_packets = 10, .fwd_bytes = 1000,
						       .reply_packets = 8, .reply_bytes = 9000,
						       .new_flows = 2 };
	view_add_service(v, 2, "dns", "198.18.2.2", 53, IPPROTO_UDP, XLB_FWD_DNAT, 1);
	view_add_member(v, 0, 2, 0, "ns1", "198.18.1.21", 53);
	v->mbr[0].info.state = XLB_HEALTH_PENDING;

	c->total = (struct xlb_census){ .gen = 9, .swept_ns = 100 * SEC - 250000000ULL,
					.duration_ns = 28100000, .flows_entries = 5, .flows_max = 1024,
					.halfopen_entries = 1, .halfopen_max = 256 };
	c->total.total = (struct xlb_census_count){ .established = 2, .closing = 1, .half_open = 1,
						    .udp = 1, .nat_ports = 3 };
	c->mbr[4] = (struct xlb_census_count){ .established = 2, .closing = 1, .nat_ports = 3 };
	c->mbr[6] = (struct xlb_census_count){ .half_open = 1 };
	c->mbr[0] = (struct xlb_census_count){ .udp = 1 };
	c->svc[0] = (struct xlb_census_count){ .established = 2, .closing = 1, .half_open = 1, .nat_ports = 3 };
	c->svc[2] = (struct xlb_census_count){ .udp = 1 };
	c->events[XLB_EV_HALF_OPEN_NEW] = 4;
	c->events[XLB_EV_PROMOTED] = 2;
	c->events[XLB_EV_HALF_OPEN_EXPIRED] = 1;
	c->events[XLB_EV_SWEEPS] = 9;
	c->reasons[XLB_R_TX_NEW_FLOW] = 3;
	c->reasons[XLB_R_TX_FORWARD] = 7;
	c->reasons[XLB_R_TX_REPLY] = 8;
	c->reasons[XLB_R_PASS_NOT_VIP] = 41;
	c->reasons[XLB_R_TX_RST_TABLE_FULL] = 5;
	c->reasons[XLB_R_DROP_TABLE_FULL] = 1;
	return 0;
}

static const struct metrics_process sample_process = {
	.version = "1.2.3~git4.abcdef0",
	.reload_ok = true,
	.reload_success_unix_ms = 1700000000123ULL,
	.now_ns = 100 * SEC,
};

static char *text_of(const struct dp_view *v, const struct metrics_process *p)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	if (!out)
		return NULL;
	if (metrics_write(v, p, out)) {
		fclose(out);
		free(text);
		return NULL;
	}
	fclose(out);
	return text;
}

static char *file_text(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t len = 0;
	FILE *out;
	int ch;

	if (!f)
		return NULL;
	out = open_memstream(&text, &len);
	while (out && (ch = fgetc(f)) != EOF)
		fputc(ch, out);
	if (out)
		fclose(out);
	fclose(f);
	return text;
}

/* The first line where got and want differ, both printed. */
static void expect_same_text(const char *file, int line, const char *want, const char *got)
{
	size_t n = 1;

	if (want && got && strcmp(want, got) == 0)
		return;
	if (!want || !got) {
		xt_fail(file, line, "%s is missing", want ? "the output" : GOLDEN);
		return;
	}
	for (;;) {
		size_t a = strcspn(want, "\n"), b = strcspn(got, "\n");

		if (a != b || memcmp(want, got, a)) {
			xt_fail(file, line, "line %zu differs:\n  expected: %.*s\n  got:      %.*s", n,
				(int)a, want, (int)b, got);
			return;
		}
		want += a + (want[a] != 0);
		got += b + (got[b] != 0);
		n++;
	}
}

TEST(the_sample_view_is_written_exactly_as_the_golden_file)
{
	struct dp_view v;
	char *got, *want;

	ASSERT_EQ(0, sample_view(&v));
	got = text_of(&v, &sample_process);
	want = file_text(GOLDEN);
	if (getenv("XLB_WRITE_GOLDEN") && got) {
		FILE *f = fopen(GOLDEN, "w");

		if (f) {
			fputs(got, f);
			fclose(f);
		}
	}
	expect_same_text(__FILE__, __LINE__, want, got);
	free(got);
	free(want);
	dp_view_free(&v);
}

/* The text of one line of `text` that starts with prefix, or "". */
static const char *line_of(const char *text, const char *prefix)
{
	static char buf[512];
	const char *p = text;

	buf[0] = '\0';
	while (p && *p) {
		size_t n = strcspn(p, "\n");

		if (!strncmp(p, prefix, strlen(prefix))) {
			snprintf(buf, sizeof(buf), "%.*s", (int)n, p);
			break;
		}
		p += n + (p[n] != 0);
	}
	return buf;
}

TEST(label_values_escape_backslash_double_quote_and_line_feed)
{
	struct dp_view v;
	char *got;

	ASSERT_EQ(0, sample_view(&v));
	snprintf(v.svc[0].info.name, sizeof(v.svc[0].info.name), "we\"b\\1");
	snprintf(v.mbr[4].info.name, sizeof(v.mbr[4].info.name), "m\n1");
	got = text_of(&v, &sample_process);
	ASSERT_TRUE(got != NULL);
	ASSERT_STR_EQ("xlb_member_up{service=\"we\\\"b\\\\1\",member=\"m\\n1\"} 1",
		      line_of(got, "xlb_member_up{service=\"we"));
	ASSERT_STR_EQ("xlb_service_members{service=\"we\\\"b\\\\1\"} 3",
		      line_of(got, "xlb_service_members{service=\"we"));
	free(got);
	dp_view_free(&v);
}

TEST(before_the_first_sweep_the_sweep_families_are_left_out)
{
	struct dp_view v;
	char *got;

	ASSERT_EQ(0, sample_view(&v));
	v.census.err = -ENODATA;
	v.census.total = (struct xlb_census){ 0 };
	got = text_of(&v, &sample_process);
	ASSERT_TRUE(got != NULL);
	ASSERT_STR_EQ("", line_of(got, "xlb_last_sweep"));
	ASSERT_STR_EQ("", line_of(got, "# HELP xlb_last_sweep"));
	ASSERT_STR_EQ("xlb_flow_table_entries 0", line_of(got, "xlb_flow_table_entries "));
	free(got);
	dp_view_free(&v);
}

TEST(a_failed_reload_is_0_and_keeps_the_last_success_time)
{
	struct metrics_process p = sample_process;
	struct dp_view v;
	char *got;

	ASSERT_EQ(0, sample_view(&v));
	p.reload_ok = false;
	got = text_of(&v, &p);
	ASSERT_TRUE(got != NULL);
	ASSERT_STR_EQ("xlb_config_last_reload_successful 0",
		      line_of(got, "xlb_config_last_reload_successful "));
	ASSERT_STR_EQ("xlb_config_last_reload_success_timestamp_seconds 1700000000.123",
		      line_of(got, "xlb_config_last_reload_success_timestamp_seconds "));
	free(got);
	dp_view_free(&v);
}

int main(int argc, char **argv)
{
	return xt_main(argc, argv);
}
