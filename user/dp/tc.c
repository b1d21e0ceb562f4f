// SPDX-License-Identifier: MIT
#include "dp/tc.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "lib/log.h"
#include "dp/netns.h"

/* "xlb" in ASCII; priority 1 runs xlb before filters added later with the
 * tc tool's defaults. */
#define XLB_TC_HANDLE   0x786c62
#define XLB_TC_PRIORITY 1

static int tc_attach_point(int ifindex, enum bpf_tc_attach_point point, int prog_fd)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = point);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = XLB_TC_HANDLE, .priority = XLB_TC_PRIORITY,
		    .prog_fd = prog_fd, .flags = BPF_TC_F_REPLACE);

	return bpf_tc_attach(&hook, &opts);
}

int tc_attach(int ifindex, int ingress_fd, int egress_fd)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS);
	int err;

	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST) {
		log_err("ifindex %d: cannot create the clsact qdisc: %s", ifindex, strerror(-err));
		return err;
	}
	err = tc_attach_point(ifindex, BPF_TC_INGRESS, ingress_fd);
	if (!err)
		err = tc_attach_point(ifindex, BPF_TC_EGRESS, egress_fd);
	if (err) {
		log_err("ifindex %d: cannot attach the tc filters: %s", ifindex, strerror(-err));
		tc_detach(ifindex);
	}
	return err;
}

static int tc_detach_point(int ifindex, enum bpf_tc_attach_point point)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = point);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = XLB_TC_HANDLE, .priority = XLB_TC_PRIORITY);
	int err = bpf_tc_detach(&hook, &opts);

	/* No filter, no qdisc, no interface: nothing of xlb's is there. */
	if (err == -ENOENT || err == -EINVAL || err == -ENODEV)
		return 0;
	return err;
}

int tc_detach(int ifindex)
{
	int err = tc_detach_point(ifindex, BPF_TC_INGRESS), err2 = tc_detach_point(ifindex, BPF_TC_EGRESS);

	return err ? err : err2;
}

__u32 tc_attached_prog(int ifindex)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = XLB_TC_HANDLE, .priority = XLB_TC_PRIORITY);

	if (bpf_tc_query(&hook, &opts))
		return 0;
	return opts.prog_id;
}

int tc_record_name(char *buf, size_t size, int ifindex)
{
	__u64 ino;
	int err = netns_inode(&ino);

	if (err)
		return err;
	snprintf(buf, size, "tc_%d_%" PRIu64, ifindex, (uint64_t)ino);
	return 0;
}

bool tc_record_parse(const char *name, int *ifindex, bool *here, bool *gone)
{
	unsigned long long rec_ino;
	__u64 ino;
	int n = 0;

	if (sscanf(name, "tc_%d_%llu%n", ifindex, &rec_ino, &n) != 2 || name[n] || *ifindex <= 0)
		return false;
	*here = !netns_inode(&ino) && ino == rec_ino;
	*gone = !*here && !netns_inode_alive(rec_ino);
	return true;
}

int tc_record_elsewhere(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int ifindex, found = 0;
	bool here, gone;

	if (!d)
		return 0;
	while (!found && (de = readdir(d)))
		if (tc_record_parse(de->d_name, &ifindex, &here, &gone) && !here && !gone)
			found = ifindex;
	closedir(d);
	return found;
}
