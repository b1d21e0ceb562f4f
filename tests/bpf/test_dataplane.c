// SPDX-License-Identifier: MIT
/* The data plane's life cycle (user/dataplane.c): pinned maps reused by a
 * second load, the ABI version check on pins, XDP attached through a pinned
 * bpf_link that outlives the process's handle. */
#include "dp_env.h"
#include "dp/pin.h"
#include "dp/sweep.h"

#include <sys/stat.h>
#include <unistd.h>

#include <bpf/libbpf.h>

/* A fresh directory on bpffs, or NULL (the reason printed).  The daemon's
 * own preparation mounts bpffs at /sys/fs/bpf when a fresh machine has none,
 * so these tests run there too instead of skipping. */
static const char *pin_dir_make(char *buf, size_t len)
{
	snprintf(buf, len, "/sys/fs/bpf/xlb-test-%d", (int)getpid());
	if (pin_dir_prepare(buf)) {
		printf("  cannot prepare %s on a bpf filesystem\n", buf);
		return NULL;
	}
	return buf;
}

static void opts_pinned(struct xlb_dp_opts *o, const char *dir)
{
	xlb_dp_opts_default(o);
	o->flow_entries = 4096;
	o->pin_dir = dir;
}

TEST(second_load_reuses_the_pinned_maps)
{
	struct xlb_dp_opts o;
	struct xlb_member m, got;
	struct env e1, e2;
	char buf[128];
	const char *dir = pin_dir_make(buf, sizeof(buf));
	bool e2_open = false;

	if (!dir)
		SKIP("no bpffs to pin on");
	opts_pinned(&o, dir);
	ENV_OPEN_OR(&e1, &o, pin_dir_remove(dir, NULL)); /* no directory left behind */
	env_member(&m, 4, 2, 9999, SVC_TCP4);
	CHECK(xlb_maps_member_set(&e1.dp.maps, 77, &m) == 0);
	CHECK(env_open(&e2, &o) == 0);
	e2_open = true;
	CHECK(bpf_map_lookup_elem(e2.dp.maps.members, &(__u32){ 77 }, &got) == 0);
	CHECK(memcmp(&got, &m, sizeof(m)) == 0);
out:
	if (e2_open)
		env_close(&e2);
	env_close(&e1);
	pin_dir_remove(dir, NULL);
}

TEST(pins_of_another_abi_version_are_refused)
{
	struct xlb_meta old = { .abi_version = XLB_ABI_VERSION + 100 };
	struct xlb_dp_opts o;
	struct xlb_dp dp;
	struct env e;
	char buf[128];
	const char *dir = pin_dir_make(buf, sizeof(buf));

	if (!dir)
		SKIP("no bpffs to pin on");
	opts_pinned(&o, dir);
	ENV_OPEN_OR(&e, &o, pin_dir_remove(dir, NULL));
	CHECK(bpf_map_update_elem(e.dp.maps.meta, &(__u32){ 0 }, &old, BPF_ANY) == 0);
	CHECK(xlb_dp_load(&dp, &o) == -EPROTO);
out:
	env_close(&e);
	pin_dir_remove(dir, NULL);
}

TEST(pinned_sweeper_runs_from_the_pins)
{
	struct xlb_census c;
	struct xlb_dp_opts o;
	struct xlb_maps m;
	struct env e;
	char buf[128];
	const char *dir = pin_dir_make(buf, sizeof(buf));
	int fd = -1, maps_err = -1;

	if (!dir)
		SKIP("no bpffs to pin on");
	opts_pinned(&o, dir);
	ENV_OPEN_OR(&e, &o, pin_dir_remove(dir, NULL));
	/* What `xlb status` does without the daemon. */
	fd = xlb_sweep_open_pinned(dir);
	CHECK(fd >= 0);
	/* A syscall program, which leaves bottom halves on (bpf/sweep.h). */
	CHECK_EQ(BPF_PROG_TYPE_SYSCALL, xlb_prog_type(fd));
	maps_err = xlb_maps_open_pinned(&m, dir);
	CHECK_EQ(0, maps_err);
	CHECK_EQ(0, xlb_sweep_run(fd));
	CHECK_EQ(0, xlb_maps_census_read(&m, &c, NULL, NULL));
	CHECK_EQ(1, c.gen);
	CHECK_EQ(4096, c.flows_max);
	CHECK(xlb_census_now_ns() >= c.swept_ns);
out:
	if (fd >= 0)
		close(fd);
	if (!maps_err)
		xlb_maps_close(&m);
	env_close(&e);
	pin_dir_remove(dir, NULL);
}

static __u32 xdp_prog_on(int ifindex)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);

	if (bpf_xdp_query(ifindex, 0, &q))
		return 0;
	return q.prog_id;
}

TEST(pinned_xdp_link_stays_attached_after_close)
{
	struct xlb_dp_opts o;
	char buf[128], link[160];
	struct env e;
	const char *dir = pin_dir_make(buf, sizeof(buf));
	bool closed = false;

	if (!dir)
		SKIP("no bpffs to pin on");
	opts_pinned(&o, dir);
	ENV_OPEN_OR(&e, &o, pin_dir_remove(dir, NULL));
	CHECK(xlb_dp_attach_xdp(&e.dp, e.if_client, dir, false) == 0);
	CHECK(xdp_prog_on(e.if_client) != 0);
	snprintf(link, sizeof(link), "%s/link_%d", dir, e.if_client);
	CHECK(access(link, F_OK) == 0);
	env_close(&e);
	closed = true;
	/* The daemon may exit: the pinned link keeps the program attached. */
	CHECK(xdp_prog_on(e.if_client) != 0);
	CHECK(unlink(link) == 0);
	/* The last reference goes asynchronously on some kernels (6.12). */
	for (int i = 0; i < 100 && xdp_prog_on(e.if_client) != 0; i++)
		usleep(10000);
	CHECK(xdp_prog_on(e.if_client) == 0);
out:
	if (!closed)
		env_close(&e);
	pin_dir_remove(dir, NULL);
}
