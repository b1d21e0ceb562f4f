// SPDX-License-Identifier: MIT
/* The data plane's sizes and limits (user/dp/opts.c) and what user space
 * makes of the census and the snat set (user/dp/maps.c, on maps in
 * memory): no root, no kernel. */
#include "dp/dataplane.h"
#include "dp/maps.h"
#include "fake_maps.h"
#include "test.h"

#include <errno.h>
#include <string.h>

static void opts(struct xlb_dp_opts *o)
{
	xlb_dp_opts_default(o);
	o->nat_hole_min = XLB_EPHEMERAL_MIN_DEFAULT;
	o->nat_hole_max = XLB_EPHEMERAL_MAX_DEFAULT;
}

TEST(default_nat_ports_are_the_range_without_the_ephemeral_ports)
{
	struct xlb_dp_opts o;

	opts(&o);
	ASSERT_EQ(1024, o.nat_port_min);
	ASSERT_EQ(65535, o.nat_port_max);
	ASSERT_EQ(36280, xlb_dp_nat_ports(&o));
	o.nat_hole_min = 0;
	o.nat_hole_max = 0;
	ASSERT_EQ(64512, xlb_dp_nat_ports(&o));
	/* A hole partly outside the range counts only inside it. */
	o.nat_port_min = 2000;
	o.nat_port_max = 2999;
	o.nat_hole_min = 2500;
	o.nat_hole_max = 9000;
	ASSERT_EQ(500, xlb_dp_nat_ports(&o));
	o.nat_hole_min = 1000;
	o.nat_hole_max = 3000;
	ASSERT_EQ(0, xlb_dp_nat_ports(&o));
	ASSERT_EQ(-EINVAL, xlb_dp_opts_check(&o));
}

TEST(half_open_table_defaults_to_an_eighth_of_the_flow_table)
{
	struct xlb_dp_opts o;

	opts(&o);
	ASSERT_EQ(XLB_FLOWS_DEFAULT / 8, xlb_dp_half_open_entries(&o));
	o.flow_entries = XLB_FLOWS_MIN;
	ASSERT_EQ(XLB_HALFOPEN_MIN, xlb_dp_half_open_entries(&o));
	o.half_open_entries = 5000;
	ASSERT_EQ(5000, xlb_dp_half_open_entries(&o));
	ASSERT_EQ(0, xlb_dp_opts_check(&o));
	o.half_open_entries = 10;
	ASSERT_EQ(-EINVAL, xlb_dp_opts_check(&o));
}

TEST(memory_check_refuses_tables_over_three_quarters_of_what_is_available)
{
	struct xlb_dp_opts o;
	__u64 need;

	opts(&o);
	need = xlb_dp_table_bytes(&o);
	ASSERT_EQ((__u64)(XLB_FLOWS_DEFAULT + XLB_FLOWS_DEFAULT / 8) * XLB_FLOW_ENTRY_BYTES, need);
	ASSERT_EQ(0, xlb_dp_memory_check_avail(&o, need / 3 * 4 + 4));
	ASSERT_EQ(-ENOMEM, xlb_dp_memory_check_avail(&o, need));
	ASSERT_EQ(0, xlb_dp_memory_check_avail(&o, 0));
}

TEST(timeouts_out_of_range_are_refused)
{
	struct xlb_dp_opts o;

	opts(&o);
	ASSERT_EQ(0, xlb_dp_opts_check(&o));
	o.timeout_tcp_time_wait_ms = 0;
	ASSERT_EQ(-EINVAL, xlb_dp_opts_check(&o));
	opts(&o);
	o.timeout_tcp_half_open_ms = XLB_TIMEOUT_MAX * 1000U + 1;
	ASSERT_EQ(-EINVAL, xlb_dp_opts_check(&o));
}

/* Writes census copy gen & 1 as a sweep of number gen would. */
static void census_write(struct xlb_maps *m, __u64 gen, __u32 established, __u32 member, __u32 member_gen)
{
	struct xlb_census c = { .gen = gen };
	struct xlb_census_count cnt = { .gen = member_gen, .established = 7 };
	struct xlb_dp_state st = { .census_gen = gen };
	__u32 copy = (__u32)(gen & 1), key = copy * XLB_MAX_MEMBERS + member, zero = 0;

	c.total.gen = (__u32)gen;
	c.total.established = established;
	m->io->update(m->io, m->census, &copy, &c);
	m->io->update(m->io, m->census_mbr, &key, &cnt);
	m->io->update(m->io, m->dp_state, &zero, &st);
}

static struct xlb_census_count mbr[XLB_MAX_MEMBERS];

TEST(census_reads_the_live_copy_and_voids_counts_of_other_sweeps)
{
	struct fake_maps *f = NULL;
	struct xlb_census c;
	struct xlb_maps m;

	ASSERT_EQ(0, fake_maps_new(&m, &f));
	ASSERT_EQ(-ENODATA, xlb_maps_census_read(&m, &c, mbr, NULL));
	census_write(&m, 1, 3, 5, 1);
	ASSERT_EQ(0, xlb_maps_census_read(&m, &c, mbr, NULL));
	ASSERT_EQ(3, c.total.established);
	ASSERT_EQ(7, mbr[5].established);
	/* Sweep 3 writes copy 1 again; member 5 was not counted by it. */
	census_write(&m, 3, 4, 6, 3);
	ASSERT_EQ(0, xlb_maps_census_read(&m, &c, mbr, NULL));
	ASSERT_EQ(3, c.gen);
	ASSERT_EQ(0, mbr[5].established);
	ASSERT_EQ(7, mbr[6].established);
	fake_maps_free(f);
}

TEST(half_open_evictions_are_what_no_other_counter_explains)
{
	struct xlb_census c = { .total = { .half_open = 10 } };
	__u64 ev[XLB_EV_MAX] = { 0 };

	ev[XLB_EV_HALF_OPEN_NEW] = 1000;
	ev[XLB_EV_PROMOTED] = 600;
	ev[XLB_EV_HALF_OPEN_EXPIRED] = 90;
	ASSERT_EQ(300, xlb_census_half_open_evicted(&c, ev));
	ev[XLB_EV_PROMOTED] = 990;
	ASSERT_EQ(0, xlb_census_half_open_evicted(&c, ev));
}

TEST(snat_pool_runs_are_appended_reused_and_limited)
{
	union xlb_ip a[XLB_MAX_SNAT_ADDRS + 1];
	struct fake_maps *f = NULL;
	struct xlb_maps m;
	__u16 first = 99;

	ASSERT_EQ(0, fake_maps_new(&m, &f));
	memset(a, 0, sizeof(a));
	for (int i = 0; i <= XLB_MAX_SNAT_ADDRS; i++)
		a[i].bytes[3] = (__u8)i;
	ASSERT_EQ(0, xlb_maps_snat_pool_add(&m, a, 3, XLB_FAMILY_IPV4, &first));
	ASSERT_EQ(0, first);
	ASSERT_EQ(0, xlb_maps_snat_pool_add(&m, a + 1, 2, XLB_FAMILY_IPV4, &first));
	ASSERT_EQ(1, first); /* inside the first run */
	ASSERT_EQ(0, xlb_maps_snat_pool_add(&m, a + 1, 2, XLB_FAMILY_IPV6, &first));
	ASSERT_EQ(3, first); /* another family: a run of its own */
	ASSERT_EQ(-ENOSPC, xlb_maps_snat_pool_add(&m, a, XLB_MAX_SNAT_ADDRS, XLB_FAMILY_IPV6, &first));
	ASSERT_EQ(-EINVAL, xlb_maps_snat_pool_add(&m, a, XLB_MAX_SNAT_ADDRS + 1, XLB_FAMILY_IPV4, &first));
	fake_maps_free(f);
}
