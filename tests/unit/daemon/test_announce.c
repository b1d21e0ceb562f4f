// SPDX-License-Identifier: MIT
/* The announce policy (daemon/announce.c) over routes and a clock in
 * memory (tests/lib/fake_routes.h): which VIP has a route in the table
 * when, the exact route writes in their order, and what a restart, a
 * reload and a flapping service do.  Then the daemon's runtime with it,
 * over maps in memory: serving members in, routes and `xlb status` fields
 * out. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "fake_maps.h"
#include "fake_routes.h"
#include "runtime_env.h"
#include "config/config.h"
#include "daemon/announce.h"
#include "daemon/publish.h"
#include "daemon/runtime.h"
#include "dp/maps.h"
#include "lib/log.h"

#define T 100
#define VIP "198.18.2.1"
#define VIP2 "198.18.2.2"

static struct xlb_addr ip(const char *text)
{
	struct xlb_addr a = { 0 };

	addr_parse(text, &a);
	return a;
}

static const struct announce_params MIN1 = { .enabled = true, .min_members = 1 };
static const struct announce_params MIN2 = { .enabled = true, .min_members = 2 };
static const struct announce_params MIN2_DELAY3S = { .enabled = true, .min_members = 2,
						     .up_delay_ms = 3000 };
static const struct announce_params OFF = { .enabled = false, .min_members = 1 };

struct pol {
	struct fake_routes f;
	struct announce *a;
};

static bool pol_open(struct pol *p, uint32_t table)
{
	log_set_level(LOG_LVL_ERROR);
	fake_routes_init(&p->f);
	p->a = NULL;
	return announce_new(&p->f.io, &p->a) == 0 && announce_set_table(p->a, table) == 0;
}

/* Service id with vip and params now serves n; then the table is written. */
static unsigned step(struct pol *p, uint32_t id, const char *vip,
		     const struct announce_params *params, uint32_t n)
{
	struct xlb_addr a = ip(vip);

	announce_service(p->a, id, "web", &a, params, n);
	return announce_commit(p->a);
}

static const char *reason(struct pol *p, uint32_t id)
{
	static char buf[96];
	struct xlb_svc_info info = { 0 };

	announce_info(p->a, id, &info);
	info.n_serving = 1; /* what the publish path fills in */
	/* Up-delays are reported against the real time of the info. */
	return announce_reason(&info, info.announce_due_unix_ms ? info.announce_due_unix_ms - 2500 : 0,
			       buf, sizeof(buf));
}

TEST(route_is_added_with_the_first_serving_member_and_goes_with_the_last)
{
	struct pol p;
	char log1[4096] = "", log2[4096] = "";
	bool there = false, gone = true;

	if (pol_open(&p, T)) {
		step(&p, 0, VIP, &MIN1, 0);
		step(&p, 0, VIP, &MIN1, 1);
		there = fake_routes_has(&p.f, T, VIP);
		snprintf(log1, sizeof(log1), "%s", p.f.log);
		fake_routes_log_clear(&p.f);
		step(&p, 0, VIP, &MIN1, 2);
		step(&p, 0, VIP, &MIN1, 0);
		gone = !fake_routes_has(&p.f, T, VIP);
		snprintf(log2, sizeof(log2), "%s", p.f.log);
	}
	announce_free(p.a);
	ASSERT_TRUE(there);
	ASSERT_STR_EQ("add 100 198.18.2.1\n", log1);
	ASSERT_TRUE(gone);
	ASSERT_STR_EQ("del 100 198.18.2.1\n", log2);
}

TEST(min_members_2_needs_two_and_withdraws_when_one_of_two_goes)
{
	struct pol p;
	bool with1 = true, with2 = false, after = true;
	char why[96] = "";

	if (pol_open(&p, T)) {
		step(&p, 0, VIP, &MIN2, 1);
		with1 = fake_routes_has(&p.f, T, VIP);
		snprintf(why, sizeof(why), "%s", reason(&p, 0));
		step(&p, 0, VIP, &MIN2, 2);
		with2 = fake_routes_has(&p.f, T, VIP);
		step(&p, 0, VIP, &MIN2, 1);
		after = fake_routes_has(&p.f, T, VIP);
	}
	announce_free(p.a);
	ASSERT_EQ(false, with1);
	ASSERT_STR_EQ("1 of 2 serving members needed", why);
	ASSERT_EQ(true, with2);
	ASSERT_EQ(false, after);
}

TEST(up_delay_holds_the_route_back_until_the_service_kept_its_members_that_long)
{
	struct pol p;
	bool early = true, at_2999 = true, at_3000 = false;
	char why[96] = "";

	if (pol_open(&p, T)) {
		step(&p, 0, VIP, &MIN2_DELAY3S, 2);
		early = fake_routes_has(&p.f, T, VIP);
		snprintf(why, sizeof(why), "%s", reason(&p, 0));
		p.f.now_ms += 2999;
		announce_tick(p.a, NULL, NULL);
		announce_commit(p.a);
		at_2999 = fake_routes_has(&p.f, T, VIP);
		p.f.now_ms += 1;
		announce_tick(p.a, NULL, NULL);
		announce_commit(p.a);
		at_3000 = fake_routes_has(&p.f, T, VIP);
	}
	announce_free(p.a);
	ASSERT_EQ(false, early);
	ASSERT_STR_EQ("up-delay 3 s left", why);
	ASSERT_EQ(false, at_2999);
	ASSERT_EQ(true, at_3000);
}

TEST(a_service_flapping_inside_its_up_delay_never_gets_its_route)
{
	struct pol p;
	unsigned writes = 1;
	bool at_old_due = true, at_new_due = false;

	if (pol_open(&p, T)) {
		/* Up, down after 2 s, up again after 1 s more: the 3 s start
		 * over at the second rise. */
		step(&p, 0, VIP, &MIN2_DELAY3S, 2);
		p.f.now_ms += 2000;
		step(&p, 0, VIP, &MIN2_DELAY3S, 1);
		p.f.now_ms += 1000;
		step(&p, 0, VIP, &MIN2_DELAY3S, 2);
		p.f.now_ms += 1000; /* the first rise's 3 s are over */
		announce_tick(p.a, NULL, NULL);
		announce_commit(p.a);
		writes = p.f.writes;
		at_old_due = fake_routes_has(&p.f, T, VIP);
		p.f.now_ms += 2000;
		announce_tick(p.a, NULL, NULL);
		announce_commit(p.a);
		at_new_due = fake_routes_has(&p.f, T, VIP);
	}
	announce_free(p.a);
	ASSERT_EQ(0, writes);
	ASSERT_EQ(false, at_old_due);
	ASSERT_EQ(true, at_new_due);
}

TEST(withdrawal_has_no_delay_even_with_up_delay)
{
	struct pol p;
	bool on = false, off = true;

	if (pol_open(&p, T)) {
		step(&p, 0, VIP, &MIN2_DELAY3S, 2);
		p.f.now_ms += 3000;
		announce_tick(p.a, NULL, NULL);
		announce_commit(p.a);
		on = fake_routes_has(&p.f, T, VIP);
		step(&p, 0, VIP, &MIN2_DELAY3S, 1);
		off = fake_routes_has(&p.f, T, VIP);
	}
	announce_free(p.a);
	ASSERT_EQ(true, on);
	ASSERT_EQ(false, off);
}

TEST(restart_keeps_a_route_still_right_without_a_single_write)
{
	struct pol p;
	unsigned writes = 1, failed = 1;
	bool there = false;

	log_set_level(LOG_LVL_ERROR);
	fake_routes_init(&p.f);
	/* The earlier run's routes: VIP still served, VIP2 no longer. */
	fake_routes_put(&p.f, T, VIP, true);
	fake_routes_put(&p.f, T, VIP2, true);
	p.a = NULL;
	if (announce_new(&p.f.io, &p.a) == 0 && announce_set_table(p.a, T) == 0) {
		struct xlb_addr a = ip(VIP), b = ip(VIP2);

		/* Even with an up-delay: the route is there, so it stays. */
		announce_service(p.a, 0, "web", &a, &MIN2_DELAY3S, 2);
		announce_service(p.a, 1, "api", &b, &MIN1, 0);
		failed = announce_commit(p.a);
		writes = p.f.writes;
		there = fake_routes_has(&p.f, T, VIP);
	}
	announce_free(p.a);
	ASSERT_EQ(0, failed);
	ASSERT_EQ(true, there);
	ASSERT_EQ(1, writes);
	ASSERT_STR_EQ("del 100 198.18.2.2\n", p.f.log);
}

TEST(restart_adds_what_is_missing_and_removes_routes_of_gone_vips)
{
	struct pol p;
	bool vip2 = false;

	log_set_level(LOG_LVL_ERROR);
	fake_routes_init(&p.f);
	fake_routes_put(&p.f, T, "198.18.2.99", true); /* in no service now */
	fake_routes_put(&p.f, T, "198.18.2.98", false); /* another program's */
	p.a = NULL;
	if (announce_new(&p.f.io, &p.a) == 0 && announce_set_table(p.a, T) == 0) {
		step(&p, 0, VIP2, &MIN1, 1);
		vip2 = fake_routes_has(&p.f, T, VIP2);
	}
	announce_free(p.a);
	ASSERT_EQ(true, vip2);
	ASSERT_STR_EQ("del 100 198.18.2.99\nadd 100 198.18.2.2\n", p.f.log);
	ASSERT_EQ(2, p.f.n); /* VIP2 and the other program's route */
}

TEST(a_vip_of_two_services_stays_while_either_serves)
{
	struct pol p;
	bool one_left = false, none_left = true;
	struct xlb_addr a = ip(VIP);

	if (pol_open(&p, T)) {
		announce_service(p.a, 0, "web", &a, &MIN1, 1);
		announce_service(p.a, 1, "web-udp", &a, &MIN1, 1);
		announce_commit(p.a);
		step(&p, 0, VIP, &MIN1, 0);
		one_left = fake_routes_has(&p.f, T, VIP);
		step(&p, 1, VIP, &MIN1, 0);
		none_left = fake_routes_has(&p.f, T, VIP);
	}
	announce_free(p.a);
	ASSERT_EQ(true, one_left);
	ASSERT_EQ(false, none_left);
	ASSERT_STR_EQ("add 100 198.18.2.1\ndel 100 198.18.2.1\n", p.f.log);
}

TEST(deletes_are_written_before_adds)
{
	struct pol p;
	struct xlb_addr a = ip(VIP), b = ip(VIP2);

	if (pol_open(&p, T)) {
		step(&p, 0, VIP, &MIN1, 1);
		fake_routes_log_clear(&p.f);
		/* In one commit: VIP loses its member, VIP2 gets one. */
		announce_service(p.a, 1, "api", &b, &MIN1, 1);
		announce_service(p.a, 0, "web", &a, &MIN1, 0);
		announce_commit(p.a);
	}
	announce_free(p.a);
	ASSERT_STR_EQ("del 100 198.18.2.1\nadd 100 198.18.2.2\n", p.f.log);
}

TEST(announce_false_gone_services_and_no_table_leave_no_route)
{
	struct pol p;
	bool off = true, gone = true, no_table = true;
	char why[96] = "";

	if (pol_open(&p, T)) {
		step(&p, 0, VIP, &OFF, 3);
		off = fake_routes_has(&p.f, T, VIP);
		snprintf(why, sizeof(why), "%s", reason(&p, 0));
		step(&p, 1, VIP2, &MIN1, 1);
		announce_service_gone(p.a, 1);
		announce_commit(p.a);
		gone = fake_routes_has(&p.f, T, VIP2);
		step(&p, 2, VIP2, &MIN1, 1);
		announce_set_table(p.a, 0);
		step(&p, 2, VIP2, &MIN1, 1);
		no_table = fake_routes_count(&p.f) != 0;
	}
	announce_free(p.a);
	ASSERT_EQ(false, off);
	ASSERT_STR_EQ("announce off", why);
	ASSERT_EQ(false, gone);
	ASSERT_EQ(false, no_table);
}

TEST(a_new_table_takes_the_routes_from_the_old_one)
{
	struct pol p;

	if (pol_open(&p, T)) {
		step(&p, 0, VIP, &MIN1, 1);
		announce_set_table(p.a, 4294967295u);
		step(&p, 0, VIP, &MIN1, 1);
	}
	announce_free(p.a);
	ASSERT_STR_EQ("add 100 198.18.2.1\ndel 100 198.18.2.1\nadd 4294967295 198.18.2.1\n",
		      p.f.log);
}

TEST(a_route_of_another_program_is_not_replaced_and_counts_as_a_failure)
{
	struct pol p;
	unsigned failed = 0;

	log_set_level(LOG_LVL_ERROR);
	fake_routes_init(&p.f);
	fake_routes_put(&p.f, T, VIP, false);
	p.a = NULL;
	if (announce_new(&p.f.io, &p.a) == 0 && announce_set_table(p.a, T) == 0)
		failed = step(&p, 0, VIP, &MIN1, 1);
	announce_free(p.a);
	ASSERT_EQ(1, failed);
	ASSERT_STR_EQ("", p.f.log);
	ASSERT_EQ(false, fake_routes_has(&p.f, T, VIP));
}

TEST(a_failed_delete_is_retried_at_the_next_commit)
{
	struct pol p;
	unsigned failed = 0, again = 1;
	bool stuck = false, gone = true;

	if (pol_open(&p, T)) {
		step(&p, 0, VIP, &MIN1, 1);
		p.f.fail_writes = -ENOBUFS;
		failed = step(&p, 0, VIP, &MIN1, 0);
		stuck = fake_routes_has(&p.f, T, VIP);
		p.f.fail_writes = 0;
		again = announce_commit(p.a);
		gone = fake_routes_has(&p.f, T, VIP);
	}
	announce_free(p.a);
	ASSERT_EQ(1, failed);
	ASSERT_EQ(true, stuck);
	ASSERT_EQ(0, again);
	ASSERT_EQ(false, gone);
}

TEST(ipv6_vips_get_their_route_too)
{
	struct pol p;
	bool there = false;

	if (pol_open(&p, T)) {
		step(&p, 0, "fd00:20::1", &MIN1, 1);
		there = fake_routes_has(&p.f, T, "fd00:20::1");
	}
	announce_free(p.a);
	ASSERT_EQ(true, there);
	ASSERT_STR_EQ("add 100 fd00:20::1\n", p.f.log);
}

/* ---- the runtime with it ------------------------------------------------- */

struct env {
	struct xlb_maps maps;
	struct fake_maps *fake;
	struct runtime *rt;
};

static bool env_open(struct env *e, struct fake_routes *f)
{
	log_set_level(LOG_LVL_ERROR);
	memset(e, 0, sizeof(*e));
	return fake_maps_new(&e->maps, &e->fake) == 0 && runtime_new(&e->maps, &e->rt) == 0 &&
	       runtime_announce_io(e->rt, &f->io) == 0;
}

/* A runtime over the same maps: a restart. */
static bool env_restart(struct env *e, struct fake_routes *f)
{
	runtime_free(e->rt);
	e->rt = NULL;
	return runtime_new(&e->maps, &e->rt) == 0 && runtime_announce_io(e->rt, &f->io) == 0;
}

static void env_close(struct env *e)
{
	runtime_free(e->rt);
	fake_maps_free(e->fake);
}

static int apply(struct env *e, const char *text, bool reload)
{
	return rt_env_apply(e->rt, text, reload);
}

/* web (VIP) with two members always UP (no checks), min_members 2, and
 * api (VIP2) announced with the defaults, or not announced at all. */
static const char *two_services(uint32_t table, const char *api_announce)
{
	static char text[1024];

	snprintf(text, sizeof(text),
		 "global:\n"
		 "  announce: {table: %u}\n"
		 "services:\n"
		 "  - name: web\n"
		 "    vip: {ip: " VIP ", port: 80}\n"
		 "    healthcheck: {type: none}\n"
		 "    announce: {min_members: 2}\n"
		 "    members:\n"
		 "      m1: [127.0.0.1, 9001]\n"
		 "      m2: [127.0.0.1, 9002]\n"
		 "  - name: api\n"
		 "    vip: {ip: " VIP2 ", port: 80}\n"
		 "    healthcheck: {type: none}\n"
		 "%s"
		 "    members:\n"
		 "      m1: [127.0.0.1, 9003]\n",
		 table, api_announce);
	return text;
}

static int svc_info(const struct env *e, const char *name, struct xlb_svc_info *out)
{
	return rt_env_svc_info(&e->maps, name, out);
}

static int drain(struct env *e, const char *member_name)
{
	for (__u32 id = 0; id < XLB_MAX_MEMBERS; id++) {
		struct xlb_mbr_info i;

		if (!xlb_maps_mbr_info_get(&e->maps, id, &i) && i.family != XLB_FAMILY_NONE &&
		    strcmp(i.name, member_name) == 0 && i.service_id == 0) {
			xlb_maps_mbr_admin_set(&e->maps, id, XLB_ADMIN_DRAIN);
			return runtime_sync_admin(e->rt);
		}
	}
	return -ENOENT;
}

TEST(runtime_announces_served_vips_and_publishes_the_state_for_status)
{
	struct fake_routes f;
	struct xlb_svc_info web = { 0 }, api = { 0 };
	struct env e;
	int err = -1;

	fake_routes_init(&f);
	if (env_open(&e, &f)) {
		err = apply(&e, two_services(T, ""), false);
		svc_info(&e, "web", &web);
		svc_info(&e, "api", &api);
	}
	env_close(&e);
	ASSERT_EQ(0, err);
	ASSERT_EQ(true, fake_routes_has(&f, T, VIP));
	ASSERT_EQ(true, fake_routes_has(&f, T, VIP2));
	ASSERT_EQ(T, web.announce_table);
	ASSERT_EQ(2, web.announce_min_members);
	ASSERT_EQ(XLB_ANNOUNCE_ON, web.announce);
	ASSERT_EQ(XLB_ANNOUNCE_ON, api.announce);
	ASSERT_EQ(1, api.announce_min_members);
}

TEST(runtime_withdraws_when_a_drain_leaves_too_few_serving_members)
{
	struct fake_routes f;
	struct xlb_svc_info web = { 0 };
	struct env e;
	int err = -1;
	char why[96] = "";

	fake_routes_init(&f);
	if (env_open(&e, &f) && apply(&e, two_services(T, ""), false) == 0) {
		fake_routes_log_clear(&f);
		err = drain(&e, "m2");
		svc_info(&e, "web", &web);
		announce_reason(&web, 0, why, sizeof(why));
	}
	env_close(&e);
	ASSERT_EQ(0, err);
	ASSERT_STR_EQ("del 100 198.18.2.1\n", f.log);
	ASSERT_EQ(XLB_ANNOUNCE_TOO_FEW, web.announce);
	ASSERT_STR_EQ("1 of 2 serving members needed", why);
}

TEST(runtime_restart_writes_no_route_that_stays)
{
	struct fake_routes f;
	struct xlb_svc_info web = { 0 };
	struct env e;
	int err = -1;
	unsigned writes = 1;

	fake_routes_init(&f);
	if (env_open(&e, &f) && apply(&e, two_services(T, ""), false) == 0 &&
	    env_restart(&e, &f)) {
		unsigned before = f.writes;

		err = apply(&e, two_services(T, ""), false);
		writes = f.writes - before;
		svc_info(&e, "web", &web);
	}
	env_close(&e);
	ASSERT_EQ(0, err);
	ASSERT_EQ(0, writes);
	ASSERT_EQ(2, fake_routes_count(&f));
	ASSERT_EQ(XLB_ANNOUNCE_ON, web.announce);
}

TEST(runtime_restart_with_another_table_moves_the_routes)
{
	struct fake_routes f;
	struct env e;
	int err = -1;

	fake_routes_init(&f);
	if (env_open(&e, &f) && apply(&e, two_services(T, ""), false) == 0 &&
	    env_restart(&e, &f)) {
		fake_routes_log_clear(&f);
		err = apply(&e, two_services(200, ""), false);
	}
	env_close(&e);
	ASSERT_EQ(0, err);
	ASSERT_EQ(false, fake_routes_has(&f, T, VIP));
	ASSERT_EQ(true, fake_routes_has(&f, 200, VIP));
	ASSERT_EQ(true, fake_routes_has(&f, 200, VIP2));
	ASSERT_EQ(2, fake_routes_count(&f));
}

TEST(runtime_reload_follows_the_file)
{
	struct fake_routes f;
	struct env e;
	int err1 = -1, err2 = -1;
	bool off = true, back = false;

	fake_routes_init(&f);
	if (env_open(&e, &f) && apply(&e, two_services(T, ""), false) == 0) {
		err1 = apply(&e, two_services(T, "    announce: false\n"), true);
		off = fake_routes_has(&f, T, VIP2);
		err2 = apply(&e, two_services(T, ""), true);
		back = fake_routes_has(&f, T, VIP2);
	}
	env_close(&e);
	ASSERT_EQ(0, err1);
	ASSERT_EQ(false, off);
	ASSERT_EQ(0, err2);
	ASSERT_EQ(true, back);
	ASSERT_EQ(true, fake_routes_has(&f, T, VIP)); /* untouched throughout */
}

TEST(runtime_reload_without_announce_withdraws_everything)
{
	struct fake_routes f;
	struct env e;
	int err = -1;
	struct xlb_svc_info web = { 0 };

	fake_routes_init(&f);
	if (env_open(&e, &f) && apply(&e, two_services(T, ""), false) == 0) {
		err = apply(&e,
			    "services:\n"
			    "  - name: web\n"
			    "    vip: {ip: " VIP ", port: 80}\n"
			    "    healthcheck: {type: none}\n"
			    "    members:\n"
			    "      m1: [127.0.0.1, 9001]\n",
			    true);
		svc_info(&e, "web", &web);
	}
	env_close(&e);
	ASSERT_EQ(0, err);
	ASSERT_EQ(0, fake_routes_count(&f));
	ASSERT_EQ(0, web.announce_table);
	ASSERT_EQ(XLB_ANNOUNCE_OFF, web.announce);
}

TEST(runtime_never_announces_a_loopback_vip)
{
	struct fake_routes f;
	struct env e;
	int err = -1;

	fake_routes_init(&f);
	if (env_open(&e, &f))
		err = apply(&e,
			    "global:\n"
			    "  announce: {table: 100}\n"
			    "services:\n"
			    "  - name: local\n"
			    "    vip: {ip: 127.0.0.1, port: 8080}\n"
			    "    healthcheck: {type: none}\n"
			    "    members:\n"
			    "      m1: [127.0.0.1, 9001]\n",
			    false);
	env_close(&e);
	ASSERT_EQ(0, err);
	ASSERT_EQ(0, fake_routes_count(&f));
}

/* `xlb drain` with no daemon: the admin state written, the service
 * published from the pins, then the withdrawal. */
static int drain_without_daemon(struct env *e, struct fake_routes *f, const char *service,
				const char *member)
{
	struct xlb_svc_info si;
	int svc = svc_info(e, service, &si);

	for (__u32 id = 0; svc >= 0 && id < XLB_MAX_MEMBERS; id++) {
		struct xlb_mbr_info i;

		if (!xlb_maps_mbr_info_get(&e->maps, id, &i) && i.family != XLB_FAMILY_NONE &&
		    strcmp(i.name, member) == 0 && i.service_id == (__u32)svc)
			xlb_maps_mbr_admin_set(&e->maps, id, XLB_ADMIN_DRAIN);
	}
	if (svc < 0 || publish_service_from_pins(&e->maps, (uint32_t)svc))
		return -ENOENT;
	return announce_pins_withdraw(&e->maps, (uint32_t)svc, &f->io);
}

TEST(without_a_daemon_a_drain_below_min_members_withdraws_the_vip)
{
	struct fake_routes f;
	struct xlb_svc_info web = { 0 };
	struct env e;
	int first = -1, second = -1;

	fake_routes_init(&f);
	if (env_open(&e, &f) && apply(&e, two_services(T, ""), false) == 0) {
		runtime_free(e.rt); /* the daemon exits; pins and routes stay */
		e.rt = NULL;
		fake_routes_log_clear(&f);
		/* api still serves with its one member: nothing to withdraw. */
		first = drain_without_daemon(&e, &f, "api", "nobody");
		second = drain_without_daemon(&e, &f, "web", "m1");
		svc_info(&e, "web", &web);
	}
	env_close(&e);
	ASSERT_EQ(0, first);
	ASSERT_EQ(1, second);
	ASSERT_STR_EQ("del 100 198.18.2.1\n", f.log);
	ASSERT_EQ(XLB_ANNOUNCE_TOO_FEW, web.announce);
	ASSERT_EQ(true, fake_routes_has(&f, T, VIP2));
}

TEST(without_a_daemon_a_vip_another_service_still_wants_stays)
{
	struct fake_routes f;
	struct env e;
	int err = -1;

	fake_routes_init(&f);
	/* web (min 2) and web-udp (min 1) on one VIP. */
	if (env_open(&e, &f) &&
	    apply(&e,
		  "global:\n"
		  "  announce: {table: 100}\n"
		  "services:\n"
		  "  - name: web\n"
		  "    vip: {ip: " VIP ", port: 80}\n"
		  "    healthcheck: {type: none}\n"
		  "    announce: {min_members: 2}\n"
		  "    members: {m1: [127.0.0.1, 9001], m2: [127.0.0.1, 9002]}\n"
		  "  - name: web-udp\n"
		  "    vip: {ip: " VIP ", port: 80}\n"
		  "    protocol: udp\n"
		  "    members: {m1: [127.0.0.1, 9001]}\n",
		  false) == 0) {
		runtime_free(e.rt);
		e.rt = NULL;
		fake_routes_log_clear(&f);
		err = drain_without_daemon(&e, &f, "web", "m1");
	}
	env_close(&e);
	ASSERT_EQ(0, err);
	ASSERT_STR_EQ("", f.log);
	ASSERT_EQ(true, fake_routes_has(&f, T, VIP));
}

int main(int argc, char **argv)
{
	return xt_main(argc, argv);
}
