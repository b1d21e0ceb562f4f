// SPDX-License-Identifier: MIT
#include "dp/dataplane.h"

#include <errno.h>
#include <linux/if_link.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lib/log.h"
#include "dp/sockhook.h"
#include "dp/tc.h"
#include "xlb.skel.h"

#define NS_PER_MS 1000000ULL

/* Refuses pins left by another ABI version, or a flow table of another
 * size, before libbpf tries to reuse them (it would only say "parameter
 * mismatch"). */
static int pinned_size_check(const char *dir, int fd, const char *what, const char *key, __u32 want)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len) || info.max_entries == want)
		return 0;
	log_err("the pinned %s at %s holds %u entries and the configuration asks for %u: its "
		"size is fixed when it is created.  Keep %s at %u, or run 'xlb stop' (which ends "
		"established connections) first",
		what, dir, info.max_entries, want, key, info.max_entries);
	return -EINVAL;
}

/* *reuse: pinned maps of this ABI and these sizes are there. */
static int pins_check(const char *dir, const struct xlb_dp_opts *o, bool *reuse)
{
	struct xlb_maps old;
	int err;

	*reuse = false;
	err = xlb_maps_open_pinned(&old, dir);
	if (err)
		return err == -EPROTO ? err : 0;
	err = pinned_size_check(dir, old.flows, "flow table", "flow_table_size", o->flow_entries);
	if (!err)
		err = pinned_size_check(dir, old.halfopen, "half-open table", "half_open_table_size",
					xlb_dp_half_open_entries(o));
	xlb_maps_close(&old);
	*reuse = !err;
	return err;
}

/* The NAT port space as the data plane walks it (bpf/consts.h): an index
 * 0..ports-1 is min + index, plus the hole's length from where the hole
 * starts. */
static void nat_ports_prepare(struct xlb *skel, const struct xlb_dp_opts *o)
{
	__u32 ports = xlb_dp_nat_ports(o), lo, hi;

	lo = o->nat_hole_min > o->nat_port_min ? o->nat_hole_min : o->nat_port_min;
	hi = o->nat_hole_max < o->nat_port_max ? o->nat_hole_max : o->nat_port_max;
	skel->rodata->cfg_nat_port_min = o->nat_port_min;
	skel->rodata->cfg_nat_port_max = o->nat_port_max;
	skel->rodata->cfg_nat_ports = ports;
	if (o->nat_hole_min && lo <= hi) {
		skel->rodata->cfg_nat_hole_min = lo;
		skel->rodata->cfg_nat_hole_max = hi;
		skel->rodata->cfg_nat_hole_start = lo - o->nat_port_min;
		skel->rodata->cfg_nat_hole_len = hi - lo + 1;
	} else {
		skel->rodata->cfg_nat_hole_min = 0;
		skel->rodata->cfg_nat_hole_max = 0;
		skel->rodata->cfg_nat_hole_start = ports;
		skel->rodata->cfg_nat_hole_len = 0;
	}
}

static int maps_pin_paths(struct xlb *skel, const char *dir)
{
	char path[PATH_MAX];
	struct bpf_map *map;
	int err;

	bpf_object__for_each_map(map, skel->obj) {
		if (!bpf_map__is_internal(map)) {
			snprintf(path, sizeof(path), "%s/%s", dir, bpf_map__name(map));
			err = bpf_map__set_pin_path(map, path);
			if (err)
				return err;
		}
	}
	return 0;
}

/* The sweeper next to the maps it sweeps, for commands run without the
 * daemon; a restarted daemon's replaces the old one's. */
static int sweep_pin(struct xlb *skel, const char *dir)
{
	char path[PATH_MAX];
	int err;

	snprintf(path, sizeof(path), "%s/%s", dir, XLB_PROG_SWEEP);
	if (unlink(path) && errno != ENOENT) {
		err = -errno;
		log_err("cannot replace the pinned sweeper %s: %s", path, strerror(-err));
		return err;
	}
	if (bpf_obj_pin(bpf_program__fd(skel->progs.xlb_sweep), path)) {
		err = -errno;
		log_err("cannot pin the sweeper at %s: %s", path, strerror(-err));
		return err;
	}
	return 0;
}

int xlb_dp_load(struct xlb_dp *dp, const struct xlb_dp_opts *o)
{
	struct xlb_meta meta = { .abi_version = XLB_ABI_VERSION, .nat_ports = xlb_dp_nat_ports(o),
				 .nat_port_min = o->nat_port_min, .nat_port_max = o->nat_port_max,
				 .nat_hole_min = o->nat_hole_min, .nat_hole_max = o->nat_hole_max };
	__u32 zero = 0;
	bool reuse = false;
	struct xlb *skel;
	int err;

	memset(dp, 0, sizeof(*dp));
	xlb_maps_init(&dp->maps);
	err = xlb_dp_opts_check(o);
	if (err)
		return err;
	if (o->pin_dir) {
		err = pins_check(o->pin_dir, o, &reuse);
		if (err)
			return err;
	}
	/* Tables that are pinned already take no more memory. */
	if (!reuse) {
		err = xlb_dp_memory_check(o);
		if (err)
			return err;
	}

	skel = xlb__open();
	if (!skel) {
		err = -errno;
		log_err("cannot open the data plane: %s", strerror(-err));
		return err;
	}
	skel->rodata->cfg_timeout_tcp_half_open_ns = o->timeout_tcp_half_open_ms * NS_PER_MS;
	skel->rodata->cfg_timeout_tcp_est_ns = o->timeout_tcp_est_ms * NS_PER_MS;
	skel->rodata->cfg_timeout_tcp_fin_ns = o->timeout_tcp_fin_ms * NS_PER_MS;
	skel->rodata->cfg_timeout_tcp_rst_ns = o->timeout_tcp_rst_ms * NS_PER_MS;
	skel->rodata->cfg_timeout_tcp_time_wait_ns = o->timeout_tcp_time_wait_ms * NS_PER_MS;
	skel->rodata->cfg_timeout_udp_ns = o->timeout_udp_ms * NS_PER_MS;
	skel->rodata->cfg_rst_rate = o->rst_rate;
	skel->rodata->cfg_flows_max = o->flow_entries;
	skel->rodata->cfg_halfopen_max = xlb_dp_half_open_entries(o);
	nat_ports_prepare(skel, o);
	sockhook_prepare(skel, o->sock_hooks, o->sock_netns_cookie);
	/* Only the hook in use is verified and loaded: each of the three
	 * packet programs takes the verifier a second or more. */
	bpf_program__set_autoload(skel->progs.xlb_xdp, !o->tc);
	bpf_program__set_autoload(skel->progs.xlb_tc_ingress, o->tc);
	bpf_program__set_autoload(skel->progs.xlb_tc_egress, o->tc);
	err = bpf_map__set_max_entries(skel->maps.xlb_flows, o->flow_entries);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.xlb_halfopen, xlb_dp_half_open_entries(o));
	if (err)
		goto fail;
	if (o->pin_dir) {
		err = maps_pin_paths(skel, o->pin_dir);
		if (err)
			goto fail;
	}
	err = xlb__load(skel);
	if (err) {
		log_err("cannot load the data plane (the verifier's log is shown with -vv): %s",
			strerror(-err));
		goto fail;
	}
	dp->skel = skel;
	err = xlb_maps_from_object(&dp->maps, skel->obj);
	if (err)
		goto fail_loaded;
	if (bpf_map_update_elem(dp->maps.meta, &zero, &meta, BPF_ANY)) {
		err = -errno;
		goto fail_loaded;
	}
	if (o->pin_dir) {
		err = sweep_pin(skel, o->pin_dir);
		if (err)
			goto fail_loaded;
	}
	return 0;

fail_loaded:
	dp->skel = NULL;
	xlb_maps_init(&dp->maps);
fail:
	xlb__destroy(skel);
	return err;
}

int xlb_dp_prog_fd(const struct xlb_dp *dp)
{
	return bpf_program__fd(dp->skel->progs.xlb_xdp);
}

int xlb_dp_sweep_prog_fd(const struct xlb_dp *dp)
{
	return bpf_program__fd(dp->skel->progs.xlb_sweep);
}

int xlb_dp_tc_prog_fd(const struct xlb_dp *dp, bool egress)
{
	return bpf_program__fd(egress ? dp->skel->progs.xlb_tc_egress : dp->skel->progs.xlb_tc_ingress);
}

static const char *xdp_mode_name(__u8 mode)
{
	switch (mode) {
	case XDP_ATTACHED_DRV:
		return "native";
	case XDP_ATTACHED_SKB:
		return "generic";
	case XDP_ATTACHED_HW:
		return "offload";
	case XDP_ATTACHED_MULTI:
		return "multi";
	}
	return "none";
}

const char *xlb_dp_xdp_mode(int ifindex)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);

	if (bpf_xdp_query(ifindex, 0, &q))
		return "unknown";
	return xdp_mode_name(q.attach_mode);
}

/* A restarted daemon finds the link of the previous run pinned: the new
 * program replaces the old one on it atomically (both use the same pinned
 * maps), so not one packet meets an interface without xlb. */
static int adopt_link(struct xlb_dp *dp, int ifindex, const char *path)
{
	int fd = bpf_obj_get(path), err;

	if (fd < 0)
		return -errno;
	if (bpf_link_update(fd, xlb_dp_prog_fd(dp), NULL)) {
		err = -errno;
		close(fd);
		return err;
	}
	log_debug("ifindex %d: replaced the program on the pinned XDP link", ifindex);
	return fd;
}

static int create_link(struct xlb_dp *dp, int ifindex, bool generic)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts);
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	int fd, err;

	opts.flags = generic ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
	fd = bpf_link_create(xlb_dp_prog_fd(dp), ifindex, BPF_XDP, &opts);
	if (fd < 0 && !generic && (errno == EOPNOTSUPP || errno == EINVAL)) {
		log_warn("ifindex %d: the driver has no native XDP; using generic XDP "
			 "(slower: every packet gets an skb first)",
			 ifindex);
		opts.flags = XDP_FLAGS_SKB_MODE;
		fd = bpf_link_create(xlb_dp_prog_fd(dp), ifindex, BPF_XDP, &opts);
	}
	if (fd >= 0)
		return fd;
	err = -errno;
	if (err == -EBUSY && !bpf_xdp_query(ifindex, 0, &q) && q.prog_id)
		log_err("ifindex %d already runs XDP program id %u, attached by another tool; "
			"remove it first (e.g. 'ip link set dev IFACE xdp off'), or run xlb from tc "
			"alongside it (--mode tc)",
			ifindex, q.prog_id);
	else
		log_err("cannot attach XDP to ifindex %d: %s", ifindex, strerror(-err));
	return err;
}

/* The record of a tc attachment in pin_dir (see tc.h). */
static int tc_pin_path(char *buf, size_t size, const char *pin_dir, int ifindex)
{
	char name[64];
	int err = tc_record_name(name, sizeof(name), ifindex);

	if (err)
		return err;
	snprintf(buf, size, "%s/%s", pin_dir, name);
	return 0;
}

static void remove_pinned_tc(const char *pin_dir, int ifindex)
{
	char path[PATH_MAX];
	int err;

	if (tc_pin_path(path, sizeof(path), pin_dir, ifindex) || access(path, F_OK))
		return;
	err = tc_detach(ifindex);
	if (err)
		log_warn("ifindex %d: cannot remove the tc filters: %s", ifindex, strerror(-err));
	else
		log_info("ifindex %d: tc filters removed (XDP serves the interface now)", ifindex);
	unlink(path);
}

/* Switched from XDP: the pinned link goes once tc serves. */
static void remove_pinned_xdp(const char *pin_dir, int ifindex)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/link_%d", pin_dir, ifindex);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return;
	if (bpf_link_detach(fd))
		log_warn("ifindex %d: cannot detach the XDP link: %s", ifindex, strerror(errno));
	else
		log_info("ifindex %d: XDP link removed (tc serves the interface now)", ifindex);
	close(fd);
	unlink(path);
}

int xlb_dp_attach_xdp(struct xlb_dp *dp, int ifindex, const char *pin_dir, bool generic)
{
	char path[PATH_MAX];
	int fd = -ENOENT, err;

	if (dp->n_links == XLB_MAX_INTERFACES)
		return -ENOSPC;
	if (pin_dir) {
		snprintf(path, sizeof(path), "%s/link_%d", pin_dir, ifindex);
		if (access(path, F_OK) == 0) {
			fd = adopt_link(dp, ifindex, path);
			if (fd < 0) {
				/* The interface went away and came back: its old
				 * link is defunct.  Start afresh. */
				log_warn("ifindex %d: cannot reuse the pinned link (%s); "
					 "attaching anew",
					 ifindex, strerror(-fd));
				unlink(path);
			}
		}
	}
	if (fd < 0) {
		fd = create_link(dp, ifindex, generic);
		if (fd < 0)
			return fd;
		if (pin_dir && bpf_obj_pin(fd, path)) {
			err = -errno;
			log_err("cannot pin the XDP link at %s: %s", path, strerror(-err));
			close(fd);
			return err;
		}
		log_debug("ifindex %d: attached through a new XDP link", ifindex);
	}
	dp->link_fds[dp->n_links] = fd;
	dp->link_ifindex[dp->n_links] = ifindex;
	dp->n_links++;
	/* Switched from tc: XDP serves now, the filters can go. */
	if (pin_dir)
		remove_pinned_tc(pin_dir, ifindex);
	return 0;
}

int xlb_dp_attach_tc(struct xlb_dp *dp, int ifindex, const char *pin_dir)
{
	bool replacing = tc_attached_prog(ifindex) != 0;
	char path[PATH_MAX];
	int err;

	if (dp->n_tc == XLB_MAX_INTERFACES)
		return -ENOSPC;
	err = tc_attach(ifindex, xlb_dp_tc_prog_fd(dp, false), xlb_dp_tc_prog_fd(dp, true));
	if (err)
		return err;
	log_debug("ifindex %d: %s the tc filters", ifindex, replacing ? "replaced the programs of" : "attached");
	if (pin_dir) {
		err = tc_pin_path(path, sizeof(path), pin_dir, ifindex);
		if (err) {
			log_err("cannot name this network namespace (/proc/self/ns/net): %s", strerror(-err));
			tc_detach(ifindex);
			return err;
		}
		unlink(path);
		if (bpf_obj_pin(xlb_dp_tc_prog_fd(dp, false), path)) {
			err = -errno;
			log_err("cannot pin the tc program at %s: %s", path, strerror(-err));
			tc_detach(ifindex);
			return err;
		}
		remove_pinned_xdp(pin_dir, ifindex);
	}
	dp->tc_ifindex[dp->n_tc++] = ifindex;
	dp->tc_pinned = pin_dir != NULL;
	return 0;
}

void xlb_dp_close(struct xlb_dp *dp)
{
	/* A pinned link stays attached after its fd is closed; an unpinned
	 * one goes with it. */
	for (int i = 0; i < dp->n_links; i++)
		close(dp->link_fds[i]);
	dp->n_links = 0;
	/* A filter outlives the process by itself: without a pin it is
	 * nobody's, so it goes now. */
	for (int i = 0; i < dp->n_tc && !dp->tc_pinned; i++)
		tc_detach(dp->tc_ifindex[i]);
	dp->n_tc = 0;
	if (dp->skel)
		xlb__destroy(dp->skel);
	dp->skel = NULL;
	xlb_maps_init(&dp->maps);
}
