// SPDX-License-Identifier: MIT
#include "dp/sockhook.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <mntent.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "dp/dataplane.h"
#include "lib/log.h"
#include "dp/pin.h"
#include "xlb.skel.h"

_Static_assert(sizeof(struct xlb_sock_key) == 32, "xlb_sock_key layout");
_Static_assert(sizeof(struct xlb_sock_fwd) == 16, "xlb_sock_fwd layout");
_Static_assert(sizeof(struct xlb_sock_rev) == 24, "xlb_sock_rev layout");

int sockhook_cgroup2_mount(char *buf, size_t len)
{
	struct mntent *m;
	int err = -ENOENT;
	FILE *f;

	f = setmntent("/proc/mounts", "re");
	if (!f)
		return -errno;
	while ((m = getmntent(f))) {
		if (strcmp(m->mnt_type, "cgroup2") == 0) {
			err = snprintf(buf, len, "%s", m->mnt_dir) < (int)len ? 0 : -ENAMETOOLONG;
			break;
		}
	}
	endmntent(f);
	return err;
}

static bool is_sock_hook(const struct bpf_program *prog)
{
	return bpf_program__type(prog) == BPF_PROG_TYPE_CGROUP_SOCK_ADDR;
}

void sockhook_prepare(struct xlb *skel, bool enabled, __u64 netns_cookie)
{
	struct bpf_program *prog;

	skel->rodata->cfg_sock_netns_cookie = netns_cookie;
	/* Off, they are not even loaded: a kernel without cgroup BPF still
	 * runs the XDP data plane. */
	bpf_object__for_each_program(prog, skel->obj)
		if (is_sock_hook(prog))
			bpf_program__set_autoload(prog, enabled);
}

/* "connect4" from the section "cgroup/connect4". */
static const char *hook_name(const struct bpf_program *prog)
{
	const char *sec = bpf_program__section_name(prog), *slash = strchr(sec, '/');

	return slash ? slash + 1 : sec;
}

/* The cgroup's id as bpf_link_info reports it: the inode number of its
 * directory in the cgroup v2 filesystem (kernfs ids are inode numbers on
 * 64-bit kernels). */
static int cgroup_id(const char *path, __u64 *id)
{
	struct stat st;

	if (stat(path, &st))
		return -errno;
	*id = (__u64)st.st_ino;
	return 0;
}

/* The link pinned at path if it still attaches this hook to this cgroup,
 * now running prog_fd; else the pin is removed and -ENOENT returned. */
static int adopt_link(const char *path, int prog_fd, __u64 cg_id, enum bpf_attach_type type)
{
	struct bpf_link_info info;
	__u32 len = sizeof(info);
	int fd = bpf_obj_get(path);

	if (fd < 0)
		return -ENOENT;
	memset(&info, 0, sizeof(info));
	if (!bpf_obj_get_info_by_fd(fd, &info, &len) && info.type == BPF_LINK_TYPE_CGROUP &&
	    info.cgroup.cgroup_id == cg_id && info.cgroup.attach_type == type &&
	    !bpf_link_update(fd, prog_fd, NULL))
		return fd;
	/* Another cgroup (the configuration changed) or a defunct link:
	 * unpinned and closed, it detaches. */
	log_debug("%s: pinned link not reusable; attaching anew", path);
	unlink(path);
	close(fd);
	return -ENOENT;
}

int sockhook_attach(const struct xlb_dp *dp, const char *cgroup, const char *pin_dir)
{
	struct bpf_program *prog;
	char path[PATH_MAX];
	int cg_fd, err = 0;
	__u64 cg_id = 0;

	cg_fd = open(cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg_fd < 0 || cgroup_id(cgroup, &cg_id)) {
		err = -errno;
		log_err("cannot open cgroup %s for the socket hooks: %s", cgroup, strerror(-err));
		if (cg_fd >= 0)
			close(cg_fd);
		return err;
	}
	bpf_object__for_each_program(prog, dp->skel->obj) {
		enum bpf_attach_type type = bpf_program__expected_attach_type(prog);
		int prog_fd = bpf_program__fd(prog), fd;
		char name[64];

		if (!is_sock_hook(prog))
			continue;
		snprintf(name, sizeof(name), SOCKHOOK_PIN_PREFIX "%s", hook_name(prog));
		err = pin_path(path, sizeof(path), pin_dir, name);
		if (err)
			break;
		fd = adopt_link(path, prog_fd, cg_id, type);
		if (fd >= 0) {
			log_debug("%s: replaced the program on the pinned link", name);
			close(fd);
			continue;
		}
		fd = bpf_link_create(prog_fd, cg_fd, type, NULL);
		if (fd < 0) {
			err = -errno;
			log_err("cannot attach the %s hook to cgroup %s: %s", hook_name(prog), cgroup,
				strerror(-err));
			break;
		}
		if (bpf_obj_pin(fd, path)) {
			err = -errno;
			log_err("cannot pin the %s hook's link at %s: %s", hook_name(prog), path,
				strerror(-err));
			close(fd);
			break;
		}
		close(fd);
	}
	close(cg_fd);
	return err;
}

int sockhook_detach(const char *pin_dir, int *removed)
{
	char path[PATH_MAX];
	struct dirent *de;
	int err = 0;
	DIR *d;

	if (removed)
		*removed = 0;
	d = opendir(pin_dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, SOCKHOOK_PIN_PREFIX, strlen(SOCKHOOK_PIN_PREFIX)) ||
		    pin_path(path, sizeof(path), pin_dir, de->d_name))
			continue;
		if (unlink(path)) {
			err = -errno;
			log_err("cannot unpin %s: %s", path, strerror(-err));
			continue;
		}
		if (removed)
			(*removed)++;
	}
	closedir(d);
	return err;
}

/* nftw has no argument for its callback. */
static __u64 walk_id;
static char *walk_out;
static size_t walk_len;

static int walk_match(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	if (type != FTW_D || (__u64)st->st_ino != walk_id)
		return 0;
	snprintf(walk_out, walk_len, "%s", path);
	return 1;
}

void sockhook_pinned(const char *pin_dir, int *n, char *cgroup, size_t len)
{
	char path[PATH_MAX], mnt[PATH_MAX];
	struct dirent *de;
	__u64 id = 0;
	DIR *d;

	*n = 0;
	snprintf(cgroup, len, "-");
	d = opendir(pin_dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		struct bpf_link_info info;
		__u32 ilen = sizeof(info);
		int fd;

		if (strncmp(de->d_name, SOCKHOOK_PIN_PREFIX, strlen(SOCKHOOK_PIN_PREFIX)) ||
		    pin_path(path, sizeof(path), pin_dir, de->d_name))
			continue;
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (!bpf_obj_get_info_by_fd(fd, &info, &ilen) && info.type == BPF_LINK_TYPE_CGROUP &&
		    info.cgroup.cgroup_id) {
			id = info.cgroup.cgroup_id;
			(*n)++;
		}
		close(fd);
	}
	closedir(d);
	if (!*n)
		return;
	snprintf(cgroup, len, "cgroup id %llu", (unsigned long long)id);
	if (sockhook_cgroup2_mount(mnt, sizeof(mnt)))
		return;
	walk_id = id;
	walk_out = cgroup;
	walk_len = len;
	nftw(mnt, walk_match, 16, FTW_PHYS | FTW_MOUNT);
}
