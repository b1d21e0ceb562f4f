// SPDX-License-Identifier: MIT
/* Announcing VIPs on the link (global: announce: {l2: true}).  First the
 * policy (daemon/announce.c) with a link in memory that writes into the
 * route fake's log, so the order of every write shows; then the daemon's
 * runtime over maps in memory (tests/lib/fake_maps.h) with a sender that
 * records each gratuitous ARP / neighbour advertisement: serving members
 * in, xlb_l2_vips, xlb_l2_ifaces and the sends out. */
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
#include "daemon/announce_l2.h"
#include "daemon/publish.h"
#include "daemon/runtime.h"
#include "dp/maps.h"
#include "lib/log.h"

#define T    100
#define VIP  "198.18.2.1"
#define VIP2 "198.18.2.2"
#define VIP6 "fd00:20::1"

static struct xlb_addr ip(const char *text)
{
	struct xlb_addr a = { 0 };

	addr_parse(text, &a);
	return a;
}

/* ---- the policy with a link in memory ------------------------------------ */

struct fake_link {
	struct announce_link link; /* first: the ops get it back */
	struct fake_routes *log;   /* writes go into its log, in order */
	struct xlb_addr vip[16];
	size_t n;
};

static void link_log(struct fake_link *l, const char *op, const struct xlb_addr *vip)
{
	char text[INET6_ADDRSTRLEN];
	size_t used = strlen(l->log->log);

	snprintf(l->log->log + used, sizeof(l->log->log) - used, "link %s %s\n", op,
		 addr_format(vip, text, sizeof(text)));
}

static long link_find(const struct fake_link *l, const struct xlb_addr *vip)
{
	for (size_t i = 0; i < l->n; i++)
		if (addr_equal(&l->vip[i], vip))
			return (long)i;
	return -1;
}

static int link_add(const struct announce_link *link, const struct xlb_addr *vip)
{
	struct fake_link *l = (struct fake_link *)link;

	if (link_find(l, vip) >= 0 || l->n == 16)
		return -EEXIST;
	l->vip[l->n++] = *vip;
	link_log(l, "add", vip);
	return 0;
}

static int link_del(const struct announce_link *link, const struct xlb_addr *vip)
{
	struct fake_link *l = (struct fake_link *)link;
	long i = link_find(l, vip);

	if (i < 0)
		return 0;
	l->vip[i] = l->vip[--l->n];
	link_log(l, "del", vip);
	return 0;
}

static int link_each(const struct announce_link *link,
		     int (*fn)(const struct xlb_addr *vip, void *ctx), void *ctx)
{
	const struct fake_link *l = (const struct fake_link *)link;
	int err = 0;

	for (size_t i = 0; i < l->n && !err; i++)
		err = fn(&l->vip[i], ctx);
	return err;
}

static bool link_has(const struct fake_link *l, const char *vip)
{
	struct xlb_addr a = ip(vip);

	return link_find(l, &a) >= 0;
}

struct pol {
	struct fake_routes f;
	struct fake_link l;
	struct announce *a;
};

static const struct announce_params MIN1 = { .enabled = true, .min_members = 1 };
static const struct announce_params MIN2 = { .enabled = true, .min_members = 2 };
static const struct announce_params MIN1_DELAY3S = { .enabled = true, .min_members = 1,
						     .up_delay_ms = 3000 };
static const struct announce_params OFF = { .enabled = false, .min_members = 1 };

/* A policy with table (0: none) and the link; the link may already hold
 * VIPs (put them in p->l before). */
static bool pol_open(struct pol *p, uint32_t table)
{
	log_set_level(LOG_LVL_ERROR);
	fake_routes_init(&p->f);
	p->l.link = (struct announce_link){ .add = link_add, .del = link_del, .each = link_each };
	p->l.log = &p->f;
	p->a = NULL;
	return announce_new(&p->f.io, &p->a) == 0 && announce_set_table(p->a, table) == 0 &&
	       announce_set_link(p->a, &p->l.link) == 0;
}

static void pol_init_link(struct pol *p)
{
	memset(&p->l, 0, sizeof(p->l));
}

static unsigned step(struct pol *p, uint32_t id, const char *vip,
		     const struct announce_params *params, uint32_t n)
{
	struct xlb_addr a = ip(vip);

	announce_service(p->a, id, "web", &a, params, n);
	return announce_commit(p->a);
}

TEST(l2_alone_answers_with_the_first_serving_member_and_stops_with_the_last)
{
	struct pol p;
	char log1[4096] = "";
	bool there = false, gone = true;
	struct xlb_svc_info info = { 0 };

	pol_init_link(&p);
	if (pol_open(&p, 0)) {
		step(&p, 0, VIP, &MIN1, 0);
		step(&p, 0, VIP, &MIN1, 1);
		there = link_has(&p.l, VIP);
		announce_info(p.a, 0, &info);
		snprintf(log1, sizeof(log1), "%s", p.f.log);
		fake_routes_log_clear(&p.f);
		step(&p, 0, VIP, &MIN1, 0);
		gone = !link_has(&p.l, VIP);
	}
	announce_free(p.a);
	ASSERT_TRUE(there);
	ASSERT_STR_EQ("link add 198.18.2.1\n", log1);
	ASSERT_EQ(XLB_ANNOUNCE_ON, info.announce);
	ASSERT_EQ(1, info.announce_l2);
	ASSERT_EQ(0, info.announce_table);
	ASSERT_TRUE(gone);
	ASSERT_STR_EQ("link del 198.18.2.1\n", p.f.log);
	ASSERT_EQ(0, fake_routes_count(&p.f));
}

TEST(table_and_link_follow_one_wish_withdrawals_before_additions)
{
	struct pol p;
	char log1[4096] = "";

	pol_init_link(&p);
	if (pol_open(&p, T)) {
		step(&p, 0, VIP, &MIN2, 1);
		snprintf(log1, sizeof(log1), "%s", p.f.log);
		step(&p, 0, VIP, &MIN2, 2);
		fake_routes_log_clear(&p.f);
		/* In one commit: web goes, web6 gets its first member. */
		announce_service_gone(p.a, 0);
		step(&p, 1, VIP6, &MIN1, 1);
	}
	announce_free(p.a);
	ASSERT_STR_EQ("", log1);
	ASSERT_STR_EQ("del 100 198.18.2.1\nlink del 198.18.2.1\nadd 100 fd00:20::1\n"
		      "link add fd00:20::1\n",
		      p.f.log);
}

TEST(up_delay_holds_the_link_back_as_it_holds_the_route)
{
	struct pol p;
	bool early = true, late = false;

	pol_init_link(&p);
	if (pol_open(&p, 0)) {
		step(&p, 0, VIP, &MIN1_DELAY3S, 1);
		early = link_has(&p.l, VIP);
		p.f.now_ms += 3000;
		announce_tick(p.a, NULL, NULL);
		announce_commit(p.a);
		late = link_has(&p.l, VIP);
	}
	announce_free(p.a);
	ASSERT_EQ(false, early);
	ASSERT_EQ(true, late);
}

TEST(restart_continues_a_vip_the_link_answers_without_a_write_or_up_delay)
{
	struct pol p;
	unsigned failed = 1;
	enum xlb_announce state = XLB_ANNOUNCE_OFF;
	struct xlb_addr vip = ip(VIP);

	pol_init_link(&p);
	p.l.vip[p.l.n++] = ip(VIP); /* what the data plane answered before */
	if (pol_open(&p, 0)) {
		state = announce_service(p.a, 0, "web", &vip, &MIN1_DELAY3S, 1);
		failed = announce_commit(p.a);
	}
	announce_free(p.a);
	ASSERT_EQ(XLB_ANNOUNCE_ON, state);
	ASSERT_EQ(0, failed);
	ASSERT_STR_EQ("", p.f.log);
	ASSERT_EQ(true, link_has(&p.l, VIP));
}

TEST(unsetting_the_link_withdraws_every_vip_it_answers)
{
	struct pol p;
	enum xlb_announce state = XLB_ANNOUNCE_ON;
	struct xlb_addr vip = ip(VIP);

	pol_init_link(&p);
	if (pol_open(&p, 0)) {
		step(&p, 0, VIP, &MIN1, 1);
		step(&p, 1, VIP2, &MIN1, 1);
		fake_routes_log_clear(&p.f);
		announce_set_link(p.a, NULL);
		state = announce_service(p.a, 0, "web", &vip, &MIN1, 1);
		announce_commit(p.a);
	}
	announce_free(p.a);
	ASSERT_EQ(0, p.l.n);
	ASSERT_STR_CONTAINS("link del 198.18.2.1\n", p.f.log);
	ASSERT_STR_CONTAINS("link del 198.18.2.2\n", p.f.log);
	ASSERT_EQ(XLB_ANNOUNCE_OFF, state); /* no table either: nothing to announce to */
}

TEST(announce_false_keeps_a_service_off_the_link)
{
	struct pol p;

	pol_init_link(&p);
	if (pol_open(&p, 0))
		step(&p, 0, VIP, &OFF, 3);
	announce_free(p.a);
	ASSERT_EQ(0, p.l.n);
	ASSERT_STR_EQ("", p.f.log);
}

/* ---- the runtime over maps in memory -------------------------------------- */

struct fake_sender {
	struct l2_sender ops; /* first */
	char log[4096];
	int fail;
};

static int fake_send(const struct l2_sender *s, const struct l2_iface *ifc,
		     const struct xlb_addr *vip)
{
	struct fake_sender *f = (struct fake_sender *)s;
	char text[INET6_ADDRSTRLEN];
	size_t used = strlen(f->log);

	if (f->fail)
		return f->fail;
	snprintf(f->log + used, sizeof(f->log) - used, "%s %02x:%02x %s\n", ifc->name,
		 ifc->mac[4], ifc->mac[5], addr_format(vip, text, sizeof(text)));
	return 0;
}

static const struct l2_iface IFACES[2] = {
	{ .ifindex = 7, .name = "eth1", .mac = { 2, 0, 0, 0, 0, 0x71 } },
	{ .ifindex = 9, .name = "eth2", .mac = { 2, 0, 0, 0, 0, 0x91 } },
};

struct env {
	struct xlb_maps maps;
	struct fake_maps *fake;
	struct fake_routes routes;
	struct fake_sender sender;
	struct runtime *rt;
};

static bool env_start(struct env *e)
{
	return runtime_new(&e->maps, &e->rt) == 0 && runtime_announce_io(e->rt, &e->routes.io) == 0 &&
	       runtime_l2_sender(e->rt, &e->sender.ops) == 0 &&
	       runtime_l2_interfaces(e->rt, IFACES, 2) == 0;
}

static bool env_open(struct env *e)
{
	log_set_level(LOG_LVL_ERROR);
	memset(e, 0, sizeof(*e));
	fake_routes_init(&e->routes);
	e->sender.ops.send = fake_send;
	return fake_maps_new(&e->maps, &e->fake) == 0 && env_start(e);
}

/* A runtime over the same maps: the daemon restarted. */
static bool env_restart(struct env *e)
{
	runtime_free(e->rt);
	e->rt = NULL;
	e->sender.log[0] = '\0';
	return env_start(e);
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

/* web on VIP (two members, min_members 2) and web6 on VIP6 (one), members
 * always UP; with l2 or with no announcement at all. */
static const char *services(bool l2)
{
	static char text[1024];

	snprintf(text, sizeof(text),
		 "%s"
		 "services:\n"
		 "  - name: web\n"
		 "    vip: {ip: " VIP ", port: 80}\n"
		 "    healthcheck: {type: none}\n"
		 "%s"
		 "    members:\n"
		 "      m1: [127.0.0.1, 9001]\n"
		 "      m2: [127.0.0.1, 9002]\n"
		 "  - name: web6\n"
		 "    vip: {ip: \"" VIP6 "\", port: 80}\n"
		 "    healthcheck: {type: none}\n"
		 "    members:\n"
		 "      m1: [\"::1\", 9003]\n",
		 l2 ? "global:\n  announce: {l2: true}\n" : "",
		 l2 ? "    announce: {min_members: 2}\n" : "");
	return text;
}

struct answered {
	char vip[XLB_MAX_SERVICES][INET6_ADDRSTRLEN];
	size_t n;
};

static int answered_one(const union xlb_ip *addr, __u8 family, void *ctx)
{
	struct answered *a = ctx;
	struct xlb_addr v;

	addr_from_abi(addr, family, &v);
	addr_format(&v, a->vip[a->n++], INET6_ADDRSTRLEN);
	return 0;
}

static int by_text(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* The VIPs in xlb_l2_vips, sorted: "198.18.2.1 fd00:20::1 ". */
static const char *answered(const struct env *e)
{
	static char text[1024];
	static struct answered a;

	a.n = 0;
	text[0] = '\0';
	xlb_maps_l2_vip_each(&e->maps, answered_one, &a);
	qsort(a.vip, a.n, sizeof(a.vip[0]), by_text);
	for (size_t i = 0; i < a.n; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s ", a.vip[i]);
	return text;
}

static int svc_info(const struct env *e, const char *name, struct xlb_svc_info *out)
{
	return rt_env_svc_info(&e->maps, name, out);
}

static int drain(struct env *e, const char *service, const char *member)
{
	struct xlb_svc_info si;
	int svc = svc_info(e, service, &si);

	for (__u32 id = 0; svc >= 0 && id < XLB_MAX_MEMBERS; id++) {
		struct xlb_mbr_info i;

		if (!xlb_maps_mbr_info_get(&e->maps, id, &i) && i.family != XLB_FAMILY_NONE &&
		    strcmp(i.name, member) == 0 && i.service_id == (__u32)svc) {
			xlb_maps_mbr_admin_set(&e->maps, id, XLB_ADMIN_DRAIN);
			return e->rt ? runtime_sync_admin(e->rt) : 0;
		}
	}
	return -ENOENT;
}

TEST(runtime_answers_served_vips_and_announces_each_on_every_interface)
{
	struct xlb_svc_info web = { 0 };
	struct env e;
	int err = -1;
	size_t ifaces = 0;
	char vips[256] = "";

	if (env_open(&e)) {
		err = apply(&e, services(true), false);
		snprintf(vips, sizeof(vips), "%s", answered(&e));
		ifaces = fake_maps_count(e.fake, XLB_MAP_L2_IFACES);
		svc_info(&e, "web", &web);
	}
	env_close(&e);
	ASSERT_EQ(0, err);
	ASSERT_STR_EQ("198.18.2.1 fd00:20::1 ", vips);
	ASSERT_STR_EQ("eth1 00:71 198.18.2.1\neth2 00:91 198.18.2.1\n"
		      "eth1 00:71 fd00:20::1\neth2 00:91 fd00:20::1\n",
		      e.sender.log);
	ASSERT_EQ(2, ifaces);
	ASSERT_EQ(XLB_ANNOUNCE_ON, web.announce);
	ASSERT_EQ(1, web.announce_l2);
	ASSERT_EQ(0, web.announce_table);
	ASSERT_EQ(0, fake_routes_count(&e.routes));
}

TEST(runtime_stops_answering_when_too_few_members_serve_and_announces_the_return)
{
	struct xlb_svc_info web = { 0 };
	struct env e;
	int err = -1;
	char after_drain[256] = "", sent_on_drain[256] = "x";

	if (env_open(&e) && apply(&e, services(true), false) == 0) {
		e.sender.log[0] = '\0';
		err = drain(&e, "web", "m2");
		snprintf(after_drain, sizeof(after_drain), "%s", answered(&e));
		snprintf(sent_on_drain, sizeof(sent_on_drain), "%s", e.sender.log);
		svc_info(&e, "web", &web);
		/* A reload lifts the drain: served again, announced again. */
		apply(&e, services(true), true);
	}
	env_close(&e);
	ASSERT_EQ(0, err);
	ASSERT_STR_EQ("fd00:20::1 ", after_drain);
	ASSERT_STR_EQ("", sent_on_drain);
	ASSERT_EQ(XLB_ANNOUNCE_TOO_FEW, web.announce);
	ASSERT_STR_EQ("eth1 00:71 198.18.2.1\neth2 00:91 198.18.2.1\n", e.sender.log);
}

TEST(runtime_restart_keeps_answering_without_announcing_again)
{
	struct env e;
	int err = -1;
	char vips[256] = "";

	if (env_open(&e) && apply(&e, services(true), false) == 0 && env_restart(&e)) {
		err = apply(&e, services(true), false);
		snprintf(vips, sizeof(vips), "%s", answered(&e));
	}
	env_close(&e);
	ASSERT_EQ(0, err);
	ASSERT_STR_EQ("198.18.2.1 fd00:20::1 ", vips);
	ASSERT_STR_EQ("", e.sender.log);
}

TEST(runtime_without_l2_takes_back_what_an_earlier_run_answered)
{
	struct xlb_svc_info web = { 0 };
	struct env e;
	int err = -1;
	char vips[256] = "x";

	if (env_open(&e) && apply(&e, services(true), false) == 0 && env_restart(&e)) {
		err = apply(&e, services(false), false);
		snprintf(vips, sizeof(vips), "%s", answered(&e));
		svc_info(&e, "web", &web);
	}
	env_close(&e);
	ASSERT_EQ(0, err);
	ASSERT_STR_EQ("", vips);
	ASSERT_EQ(XLB_ANNOUNCE_OFF, web.announce);
	ASSERT_EQ(0, web.announce_l2);
}

TEST(runtime_reload_turning_l2_off_and_on_follows_the_file)
{
	struct env e;
	int err1 = -1, err2 = -1;
	char off[256] = "x", on[256] = "";

	if (env_open(&e) && apply(&e, services(true), false) == 0) {
		err1 = apply(&e, services(false), true);
		snprintf(off, sizeof(off), "%s", answered(&e));
		e.sender.log[0] = '\0';
		err2 = apply(&e, services(true), true);
		snprintf(on, sizeof(on), "%s", answered(&e));
	}
	env_close(&e);
	ASSERT_EQ(0, err1);
	ASSERT_STR_EQ("", off);
	ASSERT_EQ(0, err2);
	ASSERT_STR_EQ("198.18.2.1 fd00:20::1 ", on);
	ASSERT_STR_EQ("eth1 00:71 198.18.2.1\neth2 00:91 198.18.2.1\n"
		      "eth1 00:71 fd00:20::1\neth2 00:91 fd00:20::1\n",
		      e.sender.log);
}

TEST(runtime_answers_even_when_the_announcements_cannot_be_sent)
{
	struct env e;
	int err = -1;
	char vips[256] = "";

	if (env_open(&e)) {
		e.sender.fail = -EPERM;
		err = apply(&e, services(true), false);
		snprintf(vips, sizeof(vips), "%s", answered(&e));
	}
	env_close(&e);
	ASSERT_EQ(0, err);
	ASSERT_STR_EQ("198.18.2.1 fd00:20::1 ", vips);
}

TEST(runtime_publishes_exactly_the_interfaces_it_runs_on)
{
	struct env e;
	size_t before = 0, after = 9;
	struct xlb_l2_iface got = { 0 };
	__u32 key = 9;
	int found = -1;

	if (env_open(&e)) {
		before = fake_maps_count(e.fake, XLB_MAP_L2_IFACES);
		runtime_l2_interfaces(e.rt, &IFACES[1], 1);
		after = fake_maps_count(e.fake, XLB_MAP_L2_IFACES);
		found = e.maps.io->lookup(e.maps.io, e.maps.l2_ifaces, &key, &got);
	}
	env_close(&e);
	ASSERT_EQ(2, before);
	ASSERT_EQ(1, after);
	ASSERT_EQ(0, found);
	ASSERT_MEM_EQ(IFACES[1].mac, got.mac, 6);
}

TEST(without_a_daemon_a_drain_below_min_members_stops_the_answers)
{
	struct xlb_svc_info web = { 0 };
	struct env e;
	int withdrawn = -1, svc = -1;
	char vips[256] = "";

	if (env_open(&e) && apply(&e, services(true), false) == 0) {
		runtime_free(e.rt); /* the daemon exits; the data plane answers on */
		e.rt = NULL;
		drain(&e, "web", "m1");
		svc = svc_info(&e, "web", &web);
		if (svc >= 0 && publish_service_from_pins(&e.maps, (uint32_t)svc) == 0)
			withdrawn = announce_pins_withdraw(&e.maps, (uint32_t)svc, &e.routes.io);
		snprintf(vips, sizeof(vips), "%s", answered(&e));
		svc_info(&e, "web", &web);
	}
	env_close(&e);
	ASSERT_EQ(1, withdrawn);
	ASSERT_STR_EQ("fd00:20::1 ", vips);
	ASSERT_EQ(XLB_ANNOUNCE_TOO_FEW, web.announce);
}
