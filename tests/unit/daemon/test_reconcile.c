// SPDX-License-Identifier: MIT
/* The daemon's runtime against maps in memory (tests/lib/fake_maps.h): what
 * a start, a reload and a restart write, that a failure after the point of
 * no return is reported and counted, and that every publish, the daemon's
 * and `xlb drain`'s from the pins, writes every table it makes live.
 * Members are `healthcheck: {type: none}` (UP at once) on 127.0.0.1, so no
 * root and no traffic. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "fake_maps.h"
#include "config/config.h"
#include "daemon/publish.h"
#include "daemon/runtime.h"
#include "lib/log.h"

#define VIP "198.18.0.10"

struct env {
	struct xlb_maps maps;
	struct fake_maps *fake;
	struct runtime *rt;
};

static struct xlb_config *config(const char *text)
{
	struct xlb_config *cfg = NULL;
	struct cfg_diag d;

	cfg_diag_init(&d);
	if (config_load_buffer("test.yaml", text, strlen(text), &cfg, &d))
		cfg_diag_print(&d, stderr);
	cfg_diag_free(&d);
	return cfg;
}

/* One service on VIP:80 with the members given as YAML lines. */
static struct xlb_config *service(const char *scheduler, const char *members)
{
	static char text[4096];

	snprintf(text, sizeof(text),
		 "services:\n"
		 "  - name: web\n"
		 "    vip: {ip: " VIP ", port: 80}\n"
		 "    scheduler: %s\n"
		 "    healthcheck: {type: none}\n"
		 "    members:\n%s",
		 scheduler, members);
	return config(text);
}

/* A service named name on vip:80 forwarding with fwd, more settings
 * (a YAML line or ""), members as YAML lines: one list item. */
static const char *svc_item(char *buf, size_t len, const char *name, const char *vip,
			    const char *fwd, const char *more, const char *members)
{
	snprintf(buf, len,
		 "  - name: %s\n"
		 "    vip: {ip: %s, port: 80}\n"
		 "    forwarding: %s\n"
		 "    healthcheck: {type: none}\n"
		 "%s"
		 "    members:\n%s",
		 name, vip, fwd, more, members);
	return buf;
}

static bool env_open(struct env *e)
{
	memset(e, 0, sizeof(*e));
	log_set_level(LOG_LVL_ERROR);
	return fake_maps_new(&e->maps, &e->fake) == 0 && runtime_new(&e->maps, &e->rt) == 0;
}

static void env_close(struct env *e)
{
	runtime_free(e->rt);
	fake_maps_free(e->fake);
}

/* Applies cfg; on a refusal the test keeps ownership and frees it. */
static int apply(struct env *e, struct xlb_config *cfg, bool reload)
{
	int err;

	if (!cfg)
		return -EINVAL;
	err = runtime_apply(e->rt, cfg, reload);
	if (err < 0)
		config_free(cfg);
	return err;
}

static void vip_key(struct xlb_svc_key *k)
{
	memset(k, 0, sizeof(*k));
	inet_pton(AF_INET, VIP, &k->vip.v4);
	k->family = XLB_FAMILY_IPV4;
	k->port = htons(80);
	k->proto = IPPROTO_TCP;
}

/* The member ids of the live slot table, in order; its count or -1. */
static int live_slots(const struct env *e, __u32 *ids, struct xlb_service *svc)
{
	struct xlb_slot_table t;
	struct xlb_svc_key k;
	__u32 index;

	vip_key(&k);
	if (xlb_maps_service_get(&e->maps, &k, svc))
		return -1;
	index = svc->id * 2 + (svc->generation & 1);
	if (e->maps.io->lookup(e->maps.io, e->maps.slots, &index, &t))
		return -1;
	memcpy(ids, t.member, t.count * sizeof(ids[0]));
	return (int)t.count;
}

/* How many entries of the live Maglev table each member id has. */
static int live_maglev(const struct env *e, unsigned *per_id)
{
	static struct xlb_maglev_table t;
	struct xlb_service svc;
	struct xlb_svc_key k;
	__u32 index;

	vip_key(&k);
	if (xlb_maps_service_get(&e->maps, &k, &svc))
		return -1;
	index = svc.maglev * 2 + (svc.generation & 1);
	if (e->maps.io->lookup(e->maps.io, e->maps.maglev, &index, &t))
		return -1;
	memset(per_id, 0, XLB_MAX_MEMBERS * sizeof(*per_id));
	for (unsigned i = 0; i < XLB_MAGLEV_SIZE; i++)
		if (t.member[i] < XLB_MAX_MEMBERS)
			per_id[t.member[i]]++;
	return 0;
}

/* The id of the member named name in xlb_mbr_info, or -1. */
static int member_id(const struct env *e, const char *name, struct xlb_mbr_info *out)
{
	for (__u32 id = 0; id < XLB_MAX_MEMBERS; id++) {
		struct xlb_mbr_info i;

		if (!xlb_maps_mbr_info_get(&e->maps, id, &i) && i.family != XLB_FAMILY_NONE &&
		    strcmp(i.name, name) == 0) {
			if (out)
				*out = i;
			return (int)id;
		}
	}
	return -1;
}

static __u32 serving(const struct env *e, __u32 svc_id)
{
	struct xlb_svc_info i = { 0 };

	xlb_maps_svc_info_get(&e->maps, svc_id, &i);
	return i.n_serving;
}

#define THREE "      m1: [127.0.0.1, 9001]\n      m2: [127.0.0.1, 9002]\n      m3: [127.0.0.1, 9003]\n"

TEST(start_publishes_members_slots_and_status)
{
	struct xlb_service svc;
	struct xlb_mbr_info i = { 0 };
	__u32 ids[XLB_MAX_SLOTS];
	struct env e;
	int n = -1, err = -1, id1 = -1, id2 = -1, id3 = -1;

	if (env_open(&e)) {
		err = apply(&e, service("round-robin", THREE), false);
		n = live_slots(&e, ids, &svc);
		id1 = member_id(&e, "m1", &i);
		id2 = member_id(&e, "m2", NULL);
		id3 = member_id(&e, "m3", NULL);
	}
	env_close(&e);
	ASSERT_EQ(0, err);
	ASSERT_EQ(3, n);
	ASSERT_TRUE(id1 >= 0 && id2 >= 0 && id3 >= 0);
	ASSERT_EQ(id1, ids[0]);
	ASSERT_EQ(id2, ids[1]);
	ASSERT_EQ(id3, ids[2]);
	ASSERT_EQ(XLB_HEALTH_UP, i.state);
	ASSERT_EQ(9001, ntohs(i.port));
}

TEST(reload_adds_removes_and_changes_members)
{
	struct xlb_member mbr = { 0 };
	struct xlb_service svc;
	__u32 ids[XLB_MAX_SLOTS];
	unsigned count[XLB_MAX_MEMBERS] = { 0 };
	struct env e;
	int err = -1, n = -1, m2_before = -1, m2_after = -1, m3 = -1, m4 = -1, m3_after = 0;
	__u32 m3_member = 1, n_serving = 0;

	if (env_open(&e) && apply(&e, service("round-robin", THREE), false) == 0) {
		m2_before = member_id(&e, "m2", NULL);
		m3 = member_id(&e, "m3", NULL);
		/* m1 goes, m2 weighs 3, m4 joins; weighted. */
		err = apply(&e,
			    service("weighted", "      m2: {address: 127.0.0.1, port: 9002, weight: 3}\n"
						"      m3: [127.0.0.1, 9003]\n"
						"      m4: [127.0.0.1, 9004]\n"),
			    true);
		m2_after = member_id(&e, "m2", NULL);
		m3_after = member_id(&e, "m3", NULL);
		m4 = member_id(&e, "m4", NULL);
		n = live_slots(&e, ids, &svc);
		for (int k = 0; k < n; k++)
			count[ids[k]]++;
		if (m3 >= 0)
			m3_member = 0;
		n_serving = serving(&e, svc.id);
		/* m1's member entry is cleared: its flows hold their own
		 * addresses, new ones cannot reach it. */
		e.maps.io->lookup(e.maps.io, e.maps.members, &(__u32){ 0 }, &mbr);
	}
	env_close(&e);
	ASSERT_EQ(0, err);
	ASSERT_EQ(m2_before, m2_after); /* a member that stays keeps its id */
	ASSERT_EQ(m3, m3_after);
	ASSERT_EQ(0, m3_member);
	ASSERT_TRUE(m4 >= 0);
	ASSERT_TRUE(m4 != 0); /* m1's id is not handed out again at once */
	ASSERT_EQ(5, n);
	ASSERT_EQ(3, count[m2_after]);
	ASSERT_EQ(1, count[m3_after]);
	ASSERT_EQ(1, count[m4]);
	ASSERT_EQ(0, count[0]);
	ASSERT_EQ(XLB_FAMILY_NONE, mbr.family);
	ASSERT_EQ(3, n_serving);
}

TEST(reload_that_cannot_be_prepared_changes_nothing)
{
	struct xlb_config *bad = NULL;
	struct xlb_service svc;
	__u32 ids[XLB_MAX_SLOTS];
	struct env e;
	unsigned writes = 1;
	int err = 0, n = -1;

	if (env_open(&e) && apply(&e, service("round-robin", THREE), false) == 0) {
		unsigned before = fake_maps_writes(e.fake);

		/* A valid configuration whose link-local member has no scope, so
		 * no route: refused in preparation, before the point of no
		 * return, and the running service stays as it was. */
		bad = config("services:\n"
			     "  - name: web6\n"
			     "    vip: {ip: \"fd00::10\", port: 80}\n"
			     "    healthcheck: {type: none}\n"
			     "    members:\n"
			     "      m1: [\"fe80::1\", 9001]\n");
		if (bad)
			err = apply(&e, bad, true);
		writes = fake_maps_writes(e.fake) - before;
		n = live_slots(&e, ids, &svc);
	}
	env_close(&e);
	ASSERT_TRUE(bad != NULL);
	ASSERT_TRUE(err < 0);
	ASSERT_EQ(0, writes);
	ASSERT_EQ(3, n);
}

TEST(restart_adopts_ids_state_and_drains_from_the_pins)
{
	struct xlb_service svc;
	__u32 ids[XLB_MAX_SLOTS];
	struct env e;
	int err = -1, n = -1, id1 = -1, id2 = -1, id1_after = -2, id2_after = -2, gone = 0;

	if (env_open(&e) && apply(&e, service("round-robin", THREE), false) == 0) {
		id1 = member_id(&e, "m1", NULL);
		id2 = member_id(&e, "m2", NULL);
		/* The operator drained m1; then the daemon restarts without m3. */
		xlb_maps_mbr_admin_set(&e.maps, (__u32)id1, XLB_ADMIN_DRAIN);
		runtime_free(e.rt);
		e.rt = NULL;
		if (runtime_new(&e.maps, &e.rt) == 0)
			err = apply(&e,
				    service("round-robin", "      m1: [127.0.0.1, 9001]\n"
							   "      m2: [127.0.0.1, 9002]\n"),
				    false);
		id1_after = member_id(&e, "m1", NULL);
		id2_after = member_id(&e, "m2", NULL);
		gone = member_id(&e, "m3", NULL);
		n = live_slots(&e, ids, &svc);
	}
	env_close(&e);
	ASSERT_EQ(0, err);
	ASSERT_EQ(id1, id1_after);
	ASSERT_EQ(id2, id2_after);
	ASSERT_EQ(-1, gone);
	ASSERT_EQ(1, n); /* m1 stays drained across the restart */
	ASSERT_EQ(id2, ids[0]);
}

TEST(failure_after_the_point_of_no_return_is_counted_not_dropped)
{
	const struct runtime_stats *st = NULL;
	struct env e;
	int err = -1;
	uint64_t errors = 0, partial = 0, applies = 0;

	if (env_open(&e) && apply(&e, service("round-robin", THREE), false) == 0) {
		fake_maps_fail(e.fake, "xlb_slots", 0, -EIO);
		err = apply(&e, service("round-robin", "      m1: [127.0.0.1, 9001]\n"), true);
		st = runtime_stats(e.rt);
		errors = st->errors;
		partial = st->applies_partial;
		applies = st->applies;
	}
	env_close(&e);
	ASSERT_EQ(1, err); /* in force, with one error */
	ASSERT_EQ(1, errors);
	ASSERT_EQ(1, partial);
	ASSERT_EQ(2, applies);
}

TEST(maglev_drain_from_the_pins_takes_the_member_out_of_the_live_table)
{
	unsigned per_id[XLB_MAX_MEMBERS];
	struct env e;
	int err = -1, id1 = -1, id2 = -1, id3 = -1;
	unsigned m1 = 1, m2 = 0, m3 = 0, m1_back = 0;
	__u32 n_drained = 0, n_back = 0;

	if (env_open(&e) && apply(&e, service("maglev", THREE), false) == 0) {
		id1 = member_id(&e, "m1", NULL);
		id2 = member_id(&e, "m2", NULL);
		id3 = member_id(&e, "m3", NULL);
		/* What `xlb drain web m1` does with no daemon running. */
		xlb_maps_mbr_admin_set(&e.maps, (__u32)id1, XLB_ADMIN_DRAIN);
		err = publish_service_from_pins(&e.maps, 0);
		if (!err && !live_maglev(&e, per_id)) {
			m1 = per_id[id1];
			m2 = per_id[id2];
			m3 = per_id[id3];
		}
		n_drained = serving(&e, 0);
		xlb_maps_mbr_admin_set(&e.maps, (__u32)id1, XLB_ADMIN_ENABLED);
		if (!err)
			err = publish_service_from_pins(&e.maps, 0);
		if (!err && !live_maglev(&e, per_id))
			m1_back = per_id[id1];
		n_back = serving(&e, 0);
	}
	env_close(&e);
	ASSERT_EQ(0, err);
	ASSERT_EQ(0, m1);
	ASSERT_EQ(XLB_MAGLEV_SIZE, m2 + m3);
	ASSERT_TRUE(m2 > XLB_MAGLEV_SIZE / 3 && m3 > XLB_MAGLEV_SIZE / 3);
	ASSERT_EQ(2, n_drained);
	ASSERT_TRUE(m1_back > XLB_MAGLEV_SIZE / 4);
	ASSERT_EQ(3, n_back);
}

TEST(maglev_publish_from_the_pins_builds_the_daemons_table)
{
	static unsigned daemon_table[XLB_MAX_MEMBERS], pins_table[XLB_MAX_MEMBERS];
	struct env e;
	int err = -1, a = -1, b = -1;

	if (env_open(&e) && apply(&e, service("maglev", THREE), false) == 0) {
		a = live_maglev(&e, daemon_table);
		err = publish_service_from_pins(&e.maps, 0);
		b = live_maglev(&e, pins_table);
	}
	env_close(&e);
	ASSERT_EQ(0, err);
	ASSERT_EQ(0, a);
	ASSERT_EQ(0, b);
	ASSERT_TRUE(memcmp(daemon_table, pins_table, sizeof(daemon_table)) == 0);
}

TEST(maps_refuse_a_generation_without_its_maglev_table)
{
	static __u32 table[XLB_MAGLEV_SIZE];
	struct xlb_service svc = { .id = 0, .scheduler = XLB_SCHED_MAGLEV }, got = { 0 };
	struct xlb_svc_key k;
	struct env e;
	int without = 0, with_rr = 0, with = -1, gen_err = -1;

	vip_key(&k);
	if (env_open(&e)) {
		without = xlb_maps_service_publish(&e.maps, &k, &svc, NULL, 0, NULL);
		svc.scheduler = XLB_SCHED_RR;
		with_rr = xlb_maps_service_publish(&e.maps, &k, &svc, NULL, 0, table);
		svc.scheduler = XLB_SCHED_MAGLEV;
		memset(table, 0xff, sizeof(table));
		with = xlb_maps_service_publish(&e.maps, &k, &svc, NULL, 0, table);
		gen_err = xlb_maps_service_get(&e.maps, &k, &got);
	}
	env_close(&e);
	ASSERT_EQ(-EINVAL, without);
	ASSERT_EQ(-EINVAL, with_rr);
	ASSERT_EQ(0, with);
	ASSERT_EQ(0, gen_err);
	ASSERT_EQ(0, got.generation); /* the refused calls flipped nothing */
}

/* ---- dnat reply entries --------------------------------------------------- */

static void dnat_key(__u16 port, struct xlb_dnat_rev_key *k)
{
	memset(k, 0, sizeof(*k));
	inet_pton(AF_INET, "127.0.0.1", &k->addr.v4);
	k->family = XLB_FAMILY_IPV4;
	k->port = htons(port);
	k->proto = IPPROTO_TCP;
}

/* The dnat reply entry of 127.0.0.1:port/tcp: 0, or -ENOENT. */
static int dnat_rev(const struct env *e, __u16 port, struct xlb_dnat_rev *out)
{
	struct xlb_dnat_rev_key k;

	dnat_key(port, &k);
	return e->maps.io->lookup(e->maps.io, e->maps.dnat_rev, &k, out);
}

static struct xlb_config *dnat_service(const char *members)
{
	static char item[2048], text[2200];

	snprintf(text, sizeof(text), "services:\n%s",
		 svc_item(item, sizeof(item), "web", VIP, "dnat", "", members));
	return config(text);
}

/* A census of a sweep in which member id has `established` connections. */
static long long census_with(struct env *e, int id, __u32 established)
{
	static struct xlb_census_count mbr[XLB_MAX_MEMBERS];
	struct xlb_census c = { 0 };
	long long gen;

	memset(mbr, 0, sizeof(mbr));
	if (id >= 0)
		mbr[id].established = established;
	gen = fake_maps_census(&e->maps, &c, mbr, NULL);
	if (gen > 0)
		runtime_census(e->rt, &c, mbr);
	return gen;
}

TEST(dnat_members_get_reply_entries_to_their_vip)
{
	struct xlb_dnat_rev rev = { 0 }, sorry = { 0 };
	struct env e;
	char text[2048], item[1024];
	int err = -1, got = -1, got_sorry = -1, id2 = -1;
	size_t n = 0;
	__u8 flags = 0;

	snprintf(text, sizeof(text), "services:\n%s",
		 svc_item(item, sizeof(item), "web", VIP, "dnat",
			  "    on_empty: sorry\n    sorry_address: [127.0.0.1, 9009]\n",
			  "      m1: [127.0.0.1, 9001]\n      m2: [127.0.0.1, 9002]\n"));
	if (env_open(&e)) {
		err = apply(&e, config(text), false);
		got = dnat_rev(&e, 9002, &rev);
		got_sorry = dnat_rev(&e, 9009, &sorry);
		id2 = member_id(&e, "m2", NULL);
		n = fake_maps_count(e.fake, XLB_MAP_DNAT_REV);
		e.maps.io->lookup(e.maps.io, e.maps.svc_ports, &(__u32){ 9002 }, &flags);
	}
	env_close(&e);
	ASSERT_EQ(0, err);
	ASSERT_EQ(0, got);
	ASSERT_EQ(3, n); /* m1, m2 and the sorry_address */
	ASSERT_EQ(htonl(0xc612000a), rev.vip.v4); /* 198.18.0.10 */
	ASSERT_EQ(htons(80), rev.vip_port);
	ASSERT_EQ(XLB_FAMILY_IPV4, rev.family);
	ASSERT_EQ(0, rev.service_id);
	ASSERT_EQ(id2, rev.member_id);
	ASSERT_EQ(0, got_sorry);
	ASSERT_EQ(htons(80), sorry.vip_port);
	ASSERT_EQ(XLB_PORT_TCP_REPLY, flags & XLB_PORT_TCP_REPLY);
}

TEST(a_removed_dnat_member_keeps_its_entry_until_a_later_census_counts_none)
{
	struct xlb_dnat_rev rev = { 0 };
	struct env e;
	int err = -1, id3 = -1, after_reload = -1, during = -1, racing = -1, after = 0;
	bool waiting = false, still_waiting = true;

	if (env_open(&e) && apply(&e, dnat_service(THREE), false) == 0) {
		id3 = member_id(&e, "m3", NULL);
		err = apply(&e, dnat_service("      m1: [127.0.0.1, 9001]\n"
					     "      m2: [127.0.0.1, 9002]\n"), true);
		after_reload = dnat_rev(&e, 9003, &rev);
		waiting = runtime_dnat_waiting(e.rt);
		/* The sweep under way when m3 left may have counted before:
		 * its census deletes nothing, even with no connection. */
		census_with(&e, -1, 0);
		racing = dnat_rev(&e, 9003, &rev);
		/* A later one still counts a connection of m3's. */
		census_with(&e, id3, 1);
		during = dnat_rev(&e, 9003, &rev);
		census_with(&e, -1, 0);
		after = dnat_rev(&e, 9003, &rev);
		still_waiting = runtime_dnat_waiting(e.rt);
	}
	env_close(&e);
	ASSERT_EQ(0, err);
	ASSERT_EQ(0, after_reload);
	ASSERT_EQ((__u32)id3, rev.member_id);
	ASSERT_EQ(true, waiting);
	ASSERT_EQ(0, racing);
	ASSERT_EQ(0, during);
	ASSERT_EQ(-ENOENT, after);
	ASSERT_EQ(false, still_waiting);
}

TEST(a_dnat_reply_entry_moves_to_the_service_that_takes_its_member)
{
	struct xlb_dnat_rev rev = { 0 };
	struct env e;
	char text[4096], a[1024], b[1024];
	int err = -1, got = -1;
	bool waiting = true;

	snprintf(text, sizeof(text), "services:\n%s%s",
		 svc_item(a, sizeof(a), "web", VIP, "dnat", "", "      m1: [127.0.0.1, 9001]\n"),
		 svc_item(b, sizeof(b), "api", "198.18.0.11", "dnat", "", "      m2: [127.0.0.1, 9002]\n"));
	if (env_open(&e) && apply(&e, config(text), false) == 0) {
		/* m1's address and port now back api. */
		snprintf(text, sizeof(text), "services:\n%s",
			 svc_item(b, sizeof(b), "api", "198.18.0.11", "dnat", "",
				  "      m2: [127.0.0.1, 9002]\n      m1: [127.0.0.1, 9001]\n"));
		err = apply(&e, config(text), true);
		got = dnat_rev(&e, 9001, &rev);
		waiting = runtime_dnat_waiting(e.rt);
	}
	env_close(&e);
	ASSERT_EQ(0, err);
	ASSERT_EQ(0, got);
	ASSERT_EQ(htonl(0xc612000b), rev.vip.v4); /* api's VIP, 198.18.0.11 */
	ASSERT_EQ(false, waiting);
}

TEST(two_dnat_services_resolving_to_one_member_are_refused_before_anything_changes)
{
	struct env e;
	char text[4096], a[1024], b[1024];
	unsigned writes = 1;
	int err = 0;
	size_t n = 9;

	/* A literal and a hostname: the file is valid, the addresses meet
	 * only once resolved. */
	snprintf(text, sizeof(text), "services:\n%s%s",
		 svc_item(a, sizeof(a), "web", VIP, "dnat", "", "      m1: [127.0.0.1, 9001]\n"),
		 svc_item(b, sizeof(b), "api", "198.18.0.11", "dnat", "", "      m1: [localhost, 9001]\n"));
	if (env_open(&e)) {
		unsigned before = fake_maps_writes(e.fake);

		err = apply(&e, config(text), false);
		writes = fake_maps_writes(e.fake) - before;
		n = fake_maps_count(e.fake, XLB_MAP_DNAT_REV);
	}
	env_close(&e);
	ASSERT_EQ(-EADDRINUSE, err);
	ASSERT_EQ(0, writes);
	ASSERT_EQ(0, n);
}

TEST(a_restart_retires_the_entry_of_a_dnat_member_it_does_not_continue)
{
	struct xlb_dnat_rev rev = { 0 };
	struct env e;
	int err = -1, kept = -1, gone = 0, id3 = -1;
	bool waiting = false;

	if (env_open(&e) && apply(&e, dnat_service(THREE), false) == 0) {
		id3 = member_id(&e, "m3", NULL);
		runtime_free(e.rt);
		e.rt = NULL;
		if (runtime_new(&e.maps, &e.rt) == 0)
			err = apply(&e, dnat_service("      m1: [127.0.0.1, 9001]\n"
						     "      m2: [127.0.0.1, 9002]\n"), false);
		kept = dnat_rev(&e, 9003, &rev);
		waiting = runtime_dnat_waiting(e.rt);
		census_with(&e, -1, 0);
		census_with(&e, -1, 0);
		gone = dnat_rev(&e, 9003, &rev);
	}
	env_close(&e);
	ASSERT_EQ(0, err);
	ASSERT_EQ(0, kept);
	ASSERT_EQ((__u32)id3, rev.member_id);
	ASSERT_EQ(true, waiting);
	ASSERT_EQ(-ENOENT, gone);
}

/* ---- snat pools -------------------------------------------------------------- */

TEST(members_of_a_service_with_an_snat_pool_point_into_xlb_snat)
{
	struct xlb_snat_set set = { 0 };
	struct xlb_member m1 = { 0 }, m5 = { 0 };
	struct env e;
	char text[4096], a[1024], b[1024];
	int err = -1, id1 = -1, id5 = -1;
	char first[INET_ADDRSTRLEN] = "", last[INET_ADDRSTRLEN] = "";

	/* Two services with the same pool share one run of entries; a third
	 * address alone. */
	snprintf(text, sizeof(text), "services:\n%s%s"
		 "  - {name: one, vip: {ip: 198.18.0.12, port: 80}, snat: 198.18.0.9, "
		 "healthcheck: {type: none}, members: {m9: [127.0.0.1, 9009]}}\n",
		 svc_item(a, sizeof(a), "web", VIP, "nat", "    snat: [198.18.0.2, 198.18.0.3, 198.18.0.4]\n",
			  "      m1: [127.0.0.1, 9001]\n"),
		 svc_item(b, sizeof(b), "api", "198.18.0.11", "nat",
			  "    snat: [198.18.0.2, 198.18.0.3, 198.18.0.4]\n", "      m5: [127.0.0.1, 9005]\n"));
	if (env_open(&e)) {
		err = apply(&e, config(text), false);
		id1 = member_id(&e, "m1", NULL);
		id5 = member_id(&e, "m5", NULL);
		e.maps.io->lookup(e.maps.io, e.maps.members, &(__u32){ (__u32)id1 }, &m1);
		e.maps.io->lookup(e.maps.io, e.maps.members, &(__u32){ (__u32)id5 }, &m5);
		e.maps.io->lookup(e.maps.io, e.maps.snat, &(__u32){ 0 }, &set);
		inet_ntop(AF_INET, &set.addr[m1.snat_first].addr.v4, first, sizeof(first));
		inet_ntop(AF_INET, &set.addr[m1.snat_first + 2].addr.v4, last, sizeof(last));
	}
	env_close(&e);
	ASSERT_EQ(0, err);
	ASSERT_EQ(3, m1.snat_n);
	ASSERT_EQ(3, m5.snat_n);
	ASSERT_EQ(m1.snat_first, m5.snat_first);
	ASSERT_EQ(m1.snat.v4, set.addr[m1.snat_first].addr.v4); /* snat: the pool's first */
	ASSERT_STR_EQ("198.18.0.2", first);
	ASSERT_STR_EQ("198.18.0.4", last);
	ASSERT_EQ(4, set.count); /* the pool once, and 198.18.0.9 */
}

TEST(an_snat_pool_that_cannot_be_written_leaves_its_members_on_the_first_address)
{
	const struct runtime_stats *st;
	struct xlb_member m1 = { 0 };
	struct env e;
	char text[2048], a[1024];
	int err = -1, id1 = -1;
	uint64_t errors = 0;

	snprintf(text, sizeof(text), "services:\n%s",
		 svc_item(a, sizeof(a), "web", VIP, "nat", "    snat: [198.18.0.2, 198.18.0.3]\n",
			  "      m1: [127.0.0.1, 9001]\n"));
	if (env_open(&e)) {
		fake_maps_fail(e.fake, XLB_MAP_SNAT, 0, -ENOSPC);
		err = apply(&e, config(text), false);
		fake_maps_fail(e.fake, NULL, 0, 0);
		id1 = member_id(&e, "m1", NULL);
		e.maps.io->lookup(e.maps.io, e.maps.members, &(__u32){ (__u32)id1 }, &m1);
		st = runtime_stats(e.rt);
		errors = st->errors;
	}
	env_close(&e);
	/* The pool and the member's own snat_add fail: both counted. */
	ASSERT_TRUE(err >= 1);
	ASSERT_EQ((uint64_t)err, errors);
	ASSERT_EQ(0, m1.snat_n);
}

TEST(only_an_up_enabled_weighted_member_serves)
{
	ASSERT_EQ(3, publish_weight(XLB_HEALTH_UP, false, 3));
	ASSERT_EQ(0, publish_weight(XLB_HEALTH_UP, true, 3));
	ASSERT_EQ(0, publish_weight(XLB_HEALTH_DOWN, false, 3));
	ASSERT_EQ(0, publish_weight(XLB_HEALTH_PENDING, false, 3));
	ASSERT_EQ(0, publish_weight(XLB_HEALTH_UP, false, 0));
}

int main(int argc, char **argv)
{
	return xt_main(argc, argv);
}
